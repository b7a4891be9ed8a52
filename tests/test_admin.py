"""The admin page's work (reports/admin.py): accounts and tokens with an audit trail, the reload
job with its one-time ticket, progress, history, and a failed reload that changes nothing.
SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from auth import users
from data import db, schema
from reports import admin
from core.context import Context
from settings import Settings
from tests.factories import small_plant
from tests.test_importer import GOOD, write_folder


@pytest.fixture
def ctx(engine, database_url, tmp_path):
    settings = Settings(database_url=database_url, cache_dir=str(tmp_path / "cache"),
                        data_dir=str(tmp_path / "data"), testing=True, secret_key="x",
                        demo_data=False)
    (tmp_path / "data").mkdir()
    with engine.begin() as conn:
        users.create_user(conn, "boss", "boss-password", role="admin")
    return Context.create(settings)


def _audit(ctx) -> list[tuple[str, str, dict]]:
    df = admin.audit_table(ctx)
    return [(r.username, r.action, json.loads(r.details) if r.details else {})
            for r in df.itertuples()][::-1]  # oldest first


def _uid(ctx, name):
    with ctx.engine.connect() as conn:
        return users.get_user_by_name(conn, name).id


def test_account_changes_are_audited(ctx):
    admin.create_user(ctx, "boss", "maria", "maria-password", "line_manager", ["L02", "L01"])
    uid = _uid(ctx, "maria")
    admin.update_user(ctx, "boss", uid, "plant_head", [])
    admin.reset_password(ctx, "boss", uid, "new-password-1")
    admin.set_active(ctx, "boss", uid, False)
    assert [a[:2] for a in _audit(ctx)] == [
        ("boss", "user created"), ("boss", "user changed"), ("boss", "password reset"),
        ("boss", "user disabled")]
    assert _audit(ctx)[0][2] == {"user": "maria", "role": "line_manager", "lines": "L02,L01"}
    with ctx.engine.connect() as conn:
        maria = users.get_user(conn, uid)
        assert (maria.role, maria.lines, maria.active) == ("plant_head", (), False)
        assert users.authenticate(conn, "maria", "new-password-1") is None  # disabled
    admin.set_active(ctx, "boss", uid, True)
    with ctx.engine.connect() as conn:
        assert users.authenticate(conn, "maria", "new-password-1") is not None
        assert users.authenticate(conn, "maria", "maria-password") is None


@pytest.mark.parametrize("change, message", [
    (lambda ctx, uid: admin.update_user(ctx, "boss", uid, "viewer"), "last active admin"),
    (lambda ctx, uid: admin.set_active(ctx, "boss", uid, False), "cannot disable yourself"),
    (lambda ctx, uid: admin.reset_password(ctx, "boss", uid, "short"), "8 characters"),
    (lambda ctx, uid: admin.update_user(ctx, "boss", uid, "line_manager", []), "at least one"),
    (lambda ctx, uid: admin.update_user(ctx, "boss", uid, "owner"), "Unknown role"),
    (lambda ctx, uid: admin.create_user(ctx, "boss", "boss", "another-pw", "viewer"),
     "exists already"),
    (lambda ctx, uid: admin.update_user(ctx, "boss", 999, "viewer"), "does not exist"),
])
def test_bad_account_changes_are_refused_and_change_nothing(ctx, change, message):
    uid = _uid(ctx, "boss")
    with pytest.raises(admin.AdminError, match=message):
        change(ctx, uid)
    with ctx.engine.connect() as conn:
        boss = users.get_user(conn, uid)
    assert (boss.role, boss.active) == ("admin", True)
    assert _audit(ctx) == []  # a refused change leaves no audit row


def test_another_admin_may_be_demoted_when_one_remains(ctx):
    admin.create_user(ctx, "boss", "second", "second-pw-1", "admin")
    admin.set_active(ctx, "boss", _uid(ctx, "second"), False)
    with pytest.raises(admin.AdminError, match="last active admin"):
        admin.set_active(ctx, "second", _uid(ctx, "boss"), False)


def test_tokens_created_shown_once_and_revoked(ctx):
    token = admin.create_token(ctx, "boss", _uid(ctx, "boss"), "gateway", "ingest")
    with ctx.engine.begin() as conn:
        assert users.user_for_token(conn, token).token_purpose == "ingest"
        stored = conn.execute(select(schema.api_tokens.c.token_hash)).scalar()
    assert token not in stored  # only a hash is kept
    grid = admin.tokens_table(ctx)
    assert grid.loc[0, "status"] == "live" and grid.loc[0, "last_used_at"] is not None
    admin.revoke_token(ctx, "boss", int(grid.loc[0, "id"]))
    with ctx.engine.begin() as conn:
        assert users.user_for_token(conn, token) is None
    with pytest.raises(admin.AdminError, match="revoked already"):
        admin.revoke_token(ctx, "boss", int(grid.loc[0, "id"]))
    assert [a[1] for a in _audit(ctx)] == ["token created", "token revoked"]
    assert admin.tokens_table(ctx).loc[0, "status"] == "revoked"


# --- reload --------------------------------------------------------------------------------------

def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in schema.DATA_TABLES}


def _version(engine) -> int:
    with engine.connect() as conn:
        return db.get_data_version(conn)


def test_csv_reload_runs_with_progress_and_joins_the_history(ctx):
    write_folder(__import__("pathlib").Path(ctx.settings.data_dir) / "march", GOOD)
    assert admin.data_folders(ctx.settings.data_dir) == ["march"]
    before = _version(ctx.engine)
    ticket = admin.request_reload(ctx, "boss", "csv", folder="march")
    seen = []
    result = admin.run_reload(ctx, ticket, lambda fraction, message: seen.append(fraction))
    assert result.ok, result.errors
    assert result.row_counts["lines.csv"] == 2 and "Imported" in result.message
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 5  # it reports as it goes
    assert _version(ctx.engine) > before  # caches refresh
    history = admin.import_history(ctx)
    assert len(history) == 1 and history.loc[0, "username"] == "boss"
    assert history.loc[0, "status"] == "ok" and history.loc[0, "error_count"] == 0
    assert history.loc[0, "files"] == len(result.row_counts)
    assert history.loc[0, "rows"] == sum(result.row_counts.values())
    assert history.loc[0, "duration_s"] >= 0
    assert [a[1] for a in _audit(ctx)] == ["reload requested", "reload finished"]
    # a ticket is good for one run only
    again = admin.run_reload(ctx, ticket, lambda *_: None)
    assert not again.ok and "unknown or expired" in again.message


def test_failed_csv_reload_leaves_the_data_as_it_was_and_lists_every_error(ctx):
    small_plant(ctx.engine)
    before, version = _counts(ctx.engine), _version(ctx.engine)
    bad_production = ("date,shift_code,line_code,hour,style_code,stage,qty\n"
                      "2026-13-01,A,L01,8,S1,output,5\n"
                      "2026-03-02,A,L01,8,S1,output,-1\n")
    write_folder(__import__("pathlib").Path(ctx.settings.data_dir) / "bad", GOOD,
                 production_csv=bad_production)
    result = admin.run_reload(ctx, admin.request_reload(ctx, "boss", "csv", folder="bad"),
                              lambda *_: None)
    assert not result.ok and "nothing was written" in result.message
    assert any(e.startswith("production.csv:2: date:") for e in result.errors)
    assert any(e.startswith("production.csv:3: qty:") for e in result.errors)
    assert _counts(ctx.engine) == before and _version(ctx.engine) == version
    detail = admin.import_detail(ctx, int(admin.import_history(ctx).loc[0, "id"]))
    assert detail["status"] == "failed" and detail["errors"] == result.errors
    assert _audit(ctx)[-1][1] == "reload failed"
    assert _audit(ctx)[-1][2]["errors"] == len(result.errors)


def test_demo_reload_replaces_the_plant_and_is_recorded(ctx):
    seen = []
    ticket = admin.request_reload(ctx, "boss", "demo", scale="demo", days="2")
    result = admin.run_reload(ctx, ticket, lambda fraction, message: seen.append(message))
    assert result.ok and result.row_counts["lines"] == 8 and result.row_counts["production"] > 0
    assert "loading camera events" in seen and seen[-1] == "done"
    history = admin.import_history(ctx)
    assert (history.loc[0, "kind"], history.loc[0, "status"]) == ("demo", "ok")
    assert history.loc[0, "source"] == "demo scale demo, 2 days"


@pytest.mark.parametrize("kwargs, message", [
    ({"action": "csv", "folder": "../"}, "inside DATA_DIR"),
    ({"action": "csv", "folder": "/etc"}, "inside DATA_DIR"),
    ({"action": "csv", "folder": "nope"}, "no folder"),
    ({"action": "csv", "folder": None}, "Choose a folder"),
    ({"action": "demo", "scale": "huge"}, "Choose a scale"),
    ({"action": "demo", "scale": "demo", "days": "many"}, "whole number"),
    ({"action": "demo", "scale": "demo", "days": 0}, "between"),
    ({"action": "drop-tables"}, "Choose what to reload"),
])
def test_bad_reload_requests_are_refused_before_anything_starts(ctx, kwargs, message):
    with pytest.raises(admin.AdminError, match=message):
        admin.request_reload(ctx, "boss", **kwargs)
    assert _audit(ctx) == []


def test_one_reload_at_a_time(ctx):
    ctx.cache.set(admin.RUNNING_KEY, "someone")
    with pytest.raises(admin.AdminError, match="running already"):
        admin.request_reload(ctx, "boss", "demo", scale="demo", days=1)
    admin.reload_cancelled(ctx, "boss")  # cancelling frees the slot
    assert admin.request_reload(ctx, "boss", "demo", scale="demo", days=1)
    assert [a[1] for a in _audit(ctx)] == ["reload cancelled", "reload requested"]


def test_unknown_ticket_starts_nothing(ctx):
    small_plant(ctx.engine)
    before = _counts(ctx.engine)
    result = admin.run_reload(ctx, "forged-ticket", lambda *_: None)
    assert not result.ok and _counts(ctx.engine) == before


def test_admin_commands_join_the_audit_log(database_url, make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "ops")
    app = make_app(database_url)
    runner = app.server.test_cli_runner()
    assert runner.invoke(args=["create-user", "sam", "--role", "line_manager", "--lines", "L01",
                               "--password", "long-enough"]).exit_code == 0
    assert runner.invoke(args=["create-token", "sam", "--name", "tablet"]).exit_code == 0
    bad = write_folder(tmp_path / "bad", {"lines.csv": "line_code,name\n,No code\n"})
    assert runner.invoke(args=["import", str(bad)]).exit_code == 1
    from core.context import EXTENSION_KEY
    rows = _audit(app.server.extensions[EXTENSION_KEY])
    assert [(who, what) for who, what, _d in rows] == [
        ("cli:ops", "user created"), ("cli:ops", "token created"), ("cli:ops", "reload failed")]
    assert rows[0][2] == {"user": "sam", "role": "line_manager", "lines": "L01"}
    assert rows[2][2]["kind"] == "csv" and rows[2][2]["errors"] >= 1


def test_tables_show_plant_time_and_readable_audit_details(ctx):
    admin.create_user(ctx, "boss", "maria", "maria-password", "viewer")
    admin.create_token(ctx, "boss", _uid(ctx, "maria"), "tablet", "read")
    created = admin.users_table(ctx).set_index("username").loc["maria", "created_at"]
    assert abs((created - ctx.now()).total_seconds()) < 120  # plant time, like the audit log
    assert abs((admin.tokens_table(ctx).loc[0, "created_at"] - ctx.now()).total_seconds()) < 120
    assert admin.audit_table(ctx).loc[1, "summary"] == "role: viewer · user: maria"

"""The Flask CLI (SPEC section 8): init-db, db, prepare, import, seed-demo; exit codes and messages."""
import json

from sqlalchemy import func, select

from data import db, schema
from tests.test_importer import GOOD, write_folder


def _runner(sqlite_url, make_app):
    return make_app(sqlite_url).server.test_cli_runner()


def test_init_db_is_repeatable(sqlite_url, make_app):
    runner = _runner(sqlite_url, make_app)
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0 and "schema ready" in result.output


def test_import_good_folder(sqlite_url, make_app, tmp_path):
    folder = tmp_path / "good"
    write_folder(folder, GOOD)
    result = _runner(sqlite_url, make_app).invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "import ok" in result.output and "production.csv:" in result.output


def test_import_bad_folder_exits_non_zero_and_writes_nothing(sqlite_url, make_app, tmp_path):
    folder = tmp_path / "bad"
    bad = dict(GOOD)
    bad["styles.csv"] = "style_code,description,smv\nS1,Polo,seven\nS2,T-shirt,4.5\n"
    write_folder(folder, bad)
    result = _runner(sqlite_url, make_app).invoke(args=["import", str(folder)])
    assert result.exit_code == 1
    assert "styles.csv:2: smv:" in result.output
    assert "nothing was written" in result.output
    with db.get_engine(sqlite_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.lines)).scalar() == 0


def test_import_missing_folder(sqlite_url, make_app, tmp_path):
    result = _runner(sqlite_url, make_app).invoke(args=["import", str(tmp_path / "nope")])
    assert result.exit_code != 0


def test_seed_demo_is_deterministic_for_a_seed_and_end(sqlite_url, make_app):
    runner = _runner(sqlite_url, make_app)
    args = ["seed-demo", "--days", "3", "--lines", "2", "--seed", "7", "--end", "2026-03-04"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    engine = db.get_engine(sqlite_url)
    with engine.connect() as conn:
        first = conn.execute(select(func.sum(schema.production.c.qty))).scalar()
        last_day = conn.execute(select(func.max(schema.production.c.date))).scalar()
        version = db.get_data_version(conn)
    assert first > 0 and str(last_day) == "2026-03-04"
    assert runner.invoke(args=args).exit_code == 0
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(schema.production.c.qty))).scalar() == first
        assert db.get_data_version(conn) == version + 1  # a reload bumps the version
        # each load is in the import history, as the shell user who ran it
        loads = conn.execute(select(schema.imports.c.kind, schema.imports.c.source,
                                    schema.imports.c.status, schema.imports.c.username)).all()
    assert len(loads) == 2 and {row[:3] for row in loads} == {("demo", "demo scale demo, 3 days",
                                                               "ok")}
    assert all(row.username.startswith("cli:") for row in loads)


def test_seed_demo_rejects_a_bad_end(sqlite_url, make_app):
    result = _runner(sqlite_url, make_app).invoke(args=["seed-demo", "--end", "soon"])
    assert result.exit_code != 0 and "--end" in result.output


def test_a_database_from_an_earlier_version_gains_new_columns(tmp_path):
    """create_schema adds columns that a newer version defines (api_tokens.purpose here)."""
    from sqlalchemy import create_engine, inspect, text
    from data import db
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url)
    with old.begin() as conn:
        conn.execute(text("CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER, "
                          "token_hash VARCHAR(128), name VARCHAR(100))"))
        conn.execute(text("INSERT INTO api_tokens (user_id, token_hash) VALUES (1, 'x')"))
    engine = db.get_engine(url)
    db.create_schema(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("api_tokens")}
    assert {"purpose", "created_at", "last_used_at", "revoked_at"} <= columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1


def test_db_commands_report_stamp_and_upgrade(sqlite_url, make_app):
    from data import migrate
    runner, head = _runner(sqlite_url, make_app), migrate.head()
    assert f"database: {head}; newest: {head}" in runner.invoke(args=["db", "current"]).output
    result = runner.invoke(args=["db", "stamp", migrate.BASELINE])
    assert result.exit_code == 0 and f"stamped {migrate.BASELINE}" in result.output
    assert f"database: {migrate.BASELINE};" in runner.invoke(args=["db", "current"]).output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and f"upgraded from {migrate.BASELINE} to {head}" in result.output
    assert "nothing to do" in runner.invoke(args=["db", "upgrade"]).output
    result = runner.invoke(args=["db", "stamp", "no-such-revision"])
    assert result.exit_code == 1 and "no-such-revision" in result.output


def test_prepare_loads_the_demo_into_an_empty_database_once(sqlite_url, make_app):
    runner = _runner(sqlite_url, make_app)
    result = runner.invoke(args=["prepare", "--demo-if-empty"])
    assert result.exit_code == 0, result.output
    engine = db.get_engine(sqlite_url)
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(schema.production)).scalar()
        assert rows > 0 and db.has_data(conn)
        assert conn.execute(select(schema.users.c.username)).scalars().all() == ["admin"]
        version = db.get_data_version(conn)
    assert runner.invoke(args=["prepare", "--demo-if-empty"]).exit_code == 0  # not empty now
    with engine.connect() as conn:
        assert db.get_data_version(conn) == version
        assert conn.execute(select(func.count()).select_from(schema.users)).scalar() == 1
        # the first start's demo load is in the import history, once, with its rows
        loads = conn.execute(select(schema.imports.c.kind, schema.imports.c.source,
                                    schema.imports.c.status, schema.imports.c.username,
                                    schema.imports.c.row_counts)).all()
    assert [row[:4] for row in loads] == [("demo", "demo scale demo (first start)", "ok",
                                          "system")]
    assert json.loads(loads[0].row_counts)["production"] == rows

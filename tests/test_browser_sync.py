"""The Admin page's "Database sync" in headless Chromium (CSP on): the sources of SYNC_CONFIG are
listed, "Sync now" runs as a background job and shows its outcome, the source's row shows the
run, and the import history has it. No console errors."""
from __future__ import annotations

from auth import users
from data import db
from tests.attendance_plant import attendance_plant
from tests.browser import serve_signed_in
from tests.test_sync import FIRST, add_zk, zk_config, zk_file  # noqa: F401 - zk_file: a fixture


def test_sync_now(dash_duo, tmp_path, zk_file):  # noqa: F811 - the fixture
    from app import create_app
    from settings import Settings
    url = f"sqlite:///{tmp_path / 'test.db'}"
    engine = db.get_engine(url)
    db.create_schema(engine)
    attendance_plant(engine, punches=False)
    with engine.begin() as conn:
        users.create_user(conn, "boss", "boss-password", role="admin")
    add_zk(zk_file, FIRST)
    app = create_app(Settings(database_url=url, cache_dir=str(tmp_path / "cache"), testing=True,
                              secret_key="test-secret", demo_data=False,
                              sync_config=str(zk_config(tmp_path, f"sqlite:///{zk_file}"))))
    base = serve_signed_in(dash_duo, app, "boss", "boss-password")
    dash_duo.driver.get(f"{base}/admin")
    dash_duo.wait_for_contains_text("#admin-sync-grid", "not run yet", timeout=30)
    button = dash_duo.find_element("#admin-sync-start")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: "
                                   "'instant'}); arguments[0].click();", button)
    dash_duo.wait_for_contains_text("#admin-sync-result", "Synced 1 source(s): 3 rows accepted.",
                                    timeout=60)
    assert "device_user_id: unknown device_user_id '999'" in dash_duo.find_element(
        "#admin-sync-result").text
    dash_duo.wait_for_contains_text("#admin-sync-grid", "2026-03-02 17:05:00", timeout=30)
    dash_duo.wait_for_contains_text("#admin-imports-grid", "sync", timeout=30)
    assert dash_duo.get_logs() == []

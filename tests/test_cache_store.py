"""The shared cache (core/cache_store.py): Redis behaves as diskcache does for every call the app
makes, and with Redis down nothing breaks — pages and the API serve from the database, the outage
is logged once, the health check says "degraded", and background jobs are refused clearly."""
from __future__ import annotations

import logging
import time
from datetime import date

import pytest
import redis

from core.cache_store import LocalCache, RedisCache, key_text
from core.context import Context
from core.filters import Filters
from settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/14"  # this test's own database
DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(params=["diskcache", "redis"])
def cache(request, tmp_path):
    if request.param == "diskcache":
        yield LocalCache(str(tmp_path / "cache"))
        return
    store = RedisCache(REDIS_URL)
    store.clear()
    yield store
    store.clear()


def test_both_caches_answer_alike(cache):
    key = ("report", "1.0", "instance", 7, Filters(start=date(2026, 3, 1), end=date(2026, 3, 7))
           .cache_key())
    assert cache.get(key) is None and cache.get(key, default="d") == "d"
    assert cache.set(key, {"rows": [1, 2]}, expire=60)
    assert cache.get(key) == {"rows": [1, 2]}
    assert cache.add(key, "other") is False and cache.get(key) == {"rows": [1, 2]}
    assert cache.add(("fresh",), 0, expire=60) is True
    assert [cache.incr(("fresh",)) for _ in range(3)] == [1, 2, 3]
    assert cache.get(("fresh",)) == 3
    assert cache.pop(key) == {"rows": [1, 2]} and cache.get(key) is None
    assert cache.pop(key, default="gone") == "gone"
    cache.set("plain", "v")
    assert cache.delete("plain") and cache.get("plain") is None
    assert cache.available()


def test_redis_entries_expire():
    cache = RedisCache(REDIS_URL)
    cache.set(("short",), "x", expire=1)
    cache.add(("count",), 0, expire=1)
    cache.incr(("count",))  # a counter keeps its window (the sign-in throttle relies on it)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (cache.get(("short",)) or cache.get(("count",))):
        time.sleep(0.1)
    assert cache.get(("short",)) is None and cache.get(("count",)) is None


def test_keys_are_stable_text():
    key = ("overview", "1.2", "abc", 3, (("start", date(2026, 1, 1)),))
    assert key_text(key) == key_text(tuple(key))
    assert key_text(key).startswith("floorpulse:overview:")
    assert key_text("x") == "floorpulse:x"


def test_redis_down_degrades_and_logs_once(caplog):
    store = RedisCache(DOWN_URL, socket_timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="core.cache_store"):
        assert store.get(("k",), default="miss") == "miss"
        assert store.set(("k",), 1) is False
        assert store.add(("k",), 1) is False
        assert store.incr(("k",)) == 1
        assert store.pop(("k",)) is None
        assert store.available() is False
    outages = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outages) == 1
    assert "***" not in outages[0].getMessage() or "@" not in DOWN_URL


@pytest.fixture
def down_client(engine, database_url, tmp_path):
    """The app on a database with the small plant, its REDIS_URL pointing at nothing."""
    from app import create_app
    from auth import users
    from tests.factories import small_plant

    small_plant(engine)
    settings = Settings(database_url=database_url, cache_dir=str(tmp_path / "cache"),
                        testing=True, secret_key="x", demo_data=False, redis_url=DOWN_URL)
    app = create_app(settings)
    with engine.begin() as conn:
        admin = users.create_user(conn, "admin", "admin-password", role="admin")
        token = users.create_token(conn, admin)
    client = app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client, Context.create(settings)


def test_with_redis_down_the_api_serves_from_the_database(down_client):
    client, _ctx = down_client
    answer = client.get("/api/v1/production?start=2026-03-02&end=2026-03-02&group_by=line")
    assert answer.status_code == 200
    assert answer.get_json()["total"]["output"] == 1900  # tests/factories.py, by hand
    health = client.get("/api/health").get_json()
    assert health["status"] == "ok"
    assert health["components"] == {"database": "ok", "cache": "degraded"}


def test_with_redis_down_a_reload_is_refused_with_a_clear_message(down_client):
    from reports import admin
    _client, ctx = down_client
    with pytest.raises(admin.AdminError, match="Redis"):
        admin.request_reload(ctx, "admin", "demo", scale="demo")


def test_with_redis_up_the_health_check_says_ok(engine, database_url, tmp_path):
    from app import create_app
    redis.Redis.from_url(REDIS_URL).ping()
    settings = Settings(database_url=database_url, cache_dir=str(tmp_path / "cache"),
                        testing=True, secret_key="x", demo_data=False, redis_url=REDIS_URL)
    client = create_app(settings).server.test_client()
    assert client.get("/api/health").get_json()["components"]["cache"] == "ok"

"""/api/v1/production and /api/v1/wip on SQLite and PostgreSQL, numbers from tests/factories.py."""
import pytest

RANGE = "start=2026-03-02&end=2026-03-02"


def test_production_by_line(api_client):
    body = api_client.get(f"/api/v1/production?{RANGE}&group_by=line").get_json()
    rows = {r["line_code"]: r for r in body["rows"]}
    assert rows["L01"]["output"] == 1600 and rows["L01"]["target"] == 2000
    assert rows["L01"]["efficiency_pct"] == pytest.approx(57.076, abs=1e-3)
    assert rows["L01"]["achievement_pct"] == pytest.approx(80.0)
    assert rows["L02"]["efficiency_pct"] == pytest.approx(31.25)
    total = body["total"]
    assert total["output"] == 1900 and total["target"] == 2400
    assert total["achievement_pct"] == pytest.approx(79.1667, abs=1e-4)  # ratio of sums
    assert total["efficiency_pct"] == pytest.approx(48.8446, abs=1e-4)


def test_production_group_by_line_and_hour(api_client):
    body = api_client.get(f"/api/v1/production?{RANGE}&group_by=line,hour&line=L01").get_json()
    rows = {r["hour"]: r for r in body["rows"]}
    # 2,000 pcs over 540 working minutes: 222.2 an hour; the 12:00 hour is the break
    assert rows[9]["output"] == 200
    assert rows[9]["target"] == pytest.approx(2000 / 540 * 60)
    assert rows[12]["target"] == pytest.approx(0) and rows[12]["output"] == 0
    assert set(rows[9]) >= {"line_code", "hour", "output", "target", "achievement_pct",
                            "earned_minutes", "available_minutes", "efficiency_pct"}


def test_production_empty_selection_gives_nulls_not_zero(api_client):
    body = api_client.get("/api/v1/production?start=2025-01-01&end=2025-01-02").get_json()
    assert body["rows"] == []
    assert body["total"]["output"] == 0
    assert body["total"]["achievement_pct"] is None
    assert body["total"]["efficiency_pct"] is None


@pytest.mark.parametrize("query, code", [
    ("start=2026-03-05&end=2026-03-01", "bad_filter"),
    ("end=0001-01-03", "bad_filter"),
    ("start=0001-01-01&end=2026-01-01", "bad_filter"),
    ("start=yesterday", "bad_filter"),
    ("line=L99", "bad_filter"),
    ("group_by=colour", "bad_group_by"),
])
def test_production_bad_parameters_are_400_with_a_message(api_client, query, code):
    resp = api_client.get(f"/api/v1/production?{query}")
    assert resp.status_code == 400
    err = resp.get_json()["error"]
    assert err["code"] == code and err["message"]


def test_wip_counts_all_history(api_client):
    body = api_client.get("/api/v1/wip?at=2026-03-02T23:00:00").get_json()
    rows = {r["line_code"]: r["wip"] for r in body["rows"]}
    assert rows == {"L01": 200, "L02": 50}
    # WIP at the end of an hour: at 09:30 only hour 8 has ended -> 100 + 1700 - 200 = 1600;
    # at 10:00 hour 9 has ended too -> 1400
    body = api_client.get("/api/v1/wip?at=2026-03-02T09:30:00&line=L01").get_json()
    assert body["rows"] == [{"line_code": "L01", "wip": 1600}]
    body = api_client.get("/api/v1/wip?at=2026-03-02T10:00:00&line=L01,L02").get_json()
    assert body["rows"] == [{"line_code": "L01", "wip": 1400}, {"line_code": "L02", "wip": 150}]


@pytest.mark.parametrize("at", ["not-a-time", "NaT", "%20", "0001-01-01T00:00:00"])
def test_wip_bad_timestamp(api_client, at):
    resp = api_client.get(f"/api/v1/wip?at={at}")
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_timestamp"


def test_group_by_may_repeat_or_be_blank(api_client):
    both = api_client.get(f"/api/v1/production?{RANGE}&group_by=line&group_by=hour").get_json()
    assert set(both["rows"][0]) >= {"line_code", "hour"}
    blank = api_client.get(f"/api/v1/production?{RANGE}&group_by=,,").get_json()
    assert {r["line_code"] for r in blank["rows"]} == {"L01", "L02"}  # the default, by line


def test_health_needs_no_auth(api_client):
    api_client.environ_base.pop("HTTP_AUTHORIZATION")
    for path in ("/api/health", "/api/health/live", "/api/health/ready"):
        resp = api_client.get(path)
        assert resp.status_code == 200, path
    assert api_client.get("/api/health").get_json()["components"]["database"] == "ok"

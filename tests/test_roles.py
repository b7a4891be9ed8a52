"""Who may do what, driven by what is registered: every page in dash.page_registry, every Dash
callback the gate restricts, every /api/v1 route in the Flask url_map, for every role. Pages and
routes added later join these tests by themselves.

Also: a line manager of L01 never sees line L02 through any route (API, page, export).
"""
from __future__ import annotations

import json
import re

import dash
import pytest

from auth import gate, users
from tests.factories import D, small_plant

ROLES = users.ROLES
OTHER_LINE = "L02"


@pytest.fixture
def plant(engine, database_url, make_app):
    """The app on the small plant, with a read token per role and an ingest token for a viewer."""
    small_plant(engine)
    app = make_app(database_url)
    tokens = {}
    with engine.begin() as conn:
        for role in ROLES:
            user = users.create_user(conn, f"u-{role}", "long-password", role=role,
                                     lines=("L01",) if role == "line_manager" else ())
            tokens[role] = users.create_token(conn, user)
        feeder = users.create_user(conn, "feeder", "long-password", role="viewer")
        tokens["ingest"] = users.create_token(conn, feeder, purpose="ingest")
    client = app.server.test_client()
    client.get("/login")  # the first request registers the pages' router callback
    return app, client, tokens


def _as(tokens, who):
    return {"Authorization": f"Bearer {tokens[who]}"}


def _page_paths():
    paths = []
    for page in dash.page_registry.values():
        path = page.get("path_template") or page["path"]
        path = re.sub(r"<line_code>", "L01", path)
        path = re.sub(r"<[^>]+>", "x", path)
        paths.append((path, tuple(page.get("roles") or ())))
    return paths


def _router(client, headers, path):
    """What the pages' router callback renders for `path` (the page's layout)."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }
    return client.post("/_dash-update-component", json=body, headers=headers)


def _ids(resp) -> set[str]:
    return set(re.findall(r'"id":\s*"([^"]+)"', resp.get_data(as_text=True)))


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_by_role(plant, role):
    app, client, tokens = plant
    assert _page_paths(), "no pages registered"
    for path, roles in _page_paths():
        allowed = not roles or role in roles
        resp = client.get(path, headers=_as(tokens, role))
        assert resp.status_code == (200 if allowed else 403), (role, path)
        rendered = _router(client, _as(tokens, role), path)
        assert rendered.status_code == 200, (role, path, rendered.get_data(as_text=True)[:300])
        if not allowed:
            # the layout refuses too: nothing of what an allowed role sees is rendered
            as_allowed = _ids(_router(client, _as(tokens, roles[0]), path))
            assert not (_ids(rendered) & as_allowed), (role, path)


def _restricted_callbacks(app):
    out = []
    for key, spec in app.callback_map.items():
        outputs = [o.strip(".") for o in key.split("...")]
        ids = [o.rsplit(".", 1)[0] for o in outputs]
        for prefix, roles in gate.CALLBACK_ROLES.items():
            if any(i.startswith(prefix) for i in ids):
                out.append((key, spec, roles))
                break
    return out


@pytest.mark.parametrize("role", ROLES)
def test_restricted_callbacks_are_refused_to_other_roles(plant, role):
    app, client, tokens = plant
    restricted = _restricted_callbacks(app)
    assert len(restricted) >= 5, "the admin page's callbacks are restricted"
    for key, spec, roles in restricted:
        outputs = [{"id": o.strip(".").rsplit(".", 1)[0],
                    "property": o.strip(".").rsplit(".", 1)[1]} for o in key.split("...")]
        body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [{"id": i["id"], "property": i["property"], "value": None}
                           for i in spec["inputs"]],
                "changedPropIds": [], "state": []}
        with app.server.test_request_context("/_dash-update-component", method="POST",
                                             json=body):
            assert gate._roles_needed() == roles, key
        if role not in roles:  # (an allowed call is made for real in the next test)
            resp = client.post("/_dash-update-component", json=body, headers=_as(tokens, role))
            assert resp.status_code == 403, (role, key)
            assert resp.get_json()["error"]["code"] == "forbidden"


def test_admin_callback_answers_admins(plant):
    app, client, tokens = plant
    body = {"output": "..admin-imports-grid.rowData...admin-users-grid.rowData..."
                      "admin-tokens-grid.rowData...admin-audit-grid.rowData..."
                      "admin-token-user.options..",
            "outputs": [{"id": i, "property": p} for i, p in (
                ("admin-imports-grid", "rowData"), ("admin-users-grid", "rowData"),
                ("admin-tokens-grid", "rowData"), ("admin-audit-grid", "rowData"),
                ("admin-token-user", "options"))],
            "inputs": [{"id": "admin-refresh", "property": "data", "value": 0}],
            "changedPropIds": ["admin-refresh.data"],
            "state": [{"id": "admin-audit-order", "property": "value", "value": None}]}
    resp = client.post("/_dash-update-component", json=body, headers=_as(tokens, "admin"))
    assert resp.status_code == 200
    users_rows = resp.get_json()["response"]["admin-users-grid"]["rowData"]
    assert {r["username"] for r in users_rows} >= {f"u-{r}" for r in ROLES}
    assert _as(tokens, "viewer")  # and a viewer is refused the very same request:
    assert client.post("/_dash-update-component", json=body,
                       headers=_as(tokens, "viewer")).status_code == 403


def _api_rules(app, method):
    return sorted({r.rule for r in app.server.url_map.iter_rules()
                   if r.rule.startswith("/api/v1/") and method in r.methods
                   and r.endpoint != "api.not_found"})


@pytest.mark.parametrize("role", ROLES)
def test_api_reads_answer_every_role(plant, role):
    app, client, tokens = plant
    rules = _api_rules(app, "GET")
    assert "/api/v1/production" in rules
    for rule in rules:
        path = re.sub(r"<[^>]+>", "L01", rule)
        resp = client.get(path, headers=_as(tokens, role))
        assert resp.status_code not in (401, 403) and resp.status_code < 500, \
            (role, rule, resp.status_code)


def _admin_only(app, rule, method):
    """Routes marked by api.common.admin_only: ingest tokens may not call them either."""
    adapter = app.server.url_map.bind("localhost")
    endpoint, _args = adapter.match(rule, method=method)
    return getattr(app.server.view_functions[endpoint], "admin_only", False)


# Running orders (SPEC section 13) is for admins, plant heads and line managers (their lines'
# orders), never for viewers, whatever their token is for.
ORDER_RUNNERS = ("admin", "plant_head", "line_manager")


def _writers(app, method, rule):
    if rule.startswith("/api/v1/orders"):
        return ORDER_RUNNERS
    if rule == "/api/v1/punches/manual":  # HR's corrections (SPEC section 10)
        return ("admin", "plant_head")
    return ("admin",) if _admin_only(app, rule, method) else ("admin", "ingest")


@pytest.mark.parametrize("who", list(ROLES) + ["ingest"])
def test_api_writes_only_for_admins_and_ingest_tokens(plant, who):
    app, client, tokens = plant
    writes = [("POST", r) for r in _api_rules(app, "POST")] + \
        [("PATCH", r) for r in _api_rules(app, "PATCH")]
    assert ("PATCH", "/api/v1/orders/<wo_number>") in writes
    for method, rule in writes:
        resp = client.open(rule, method=method, json=[], headers=_as(tokens, who))
        if who in _writers(app, method, rule):
            assert resp.status_code not in (401, 403), (who, rule)
            assert resp.status_code < 500, (who, rule, resp.status_code)
        else:
            assert resp.status_code == 403, (who, rule, resp.status_code)
            assert resp.get_json()["error"]["code"] == "forbidden"


def test_line_manager_runs_only_their_lines_orders(plant):
    from data import schema
    app, client, tokens = plant
    engine = app.server.extensions["floorpulse"].engine
    with engine.begin() as conn:
        conn.execute(schema.work_orders.insert(), [
            {"wo_number": f"WO-{line}", "line_code": line, "style_code": "S1",
             "order_qty": 10, "produced_qty": 0, "status": "DRAFT"} for line in ("L01", "L02")])
    headers = _as(tokens, "line_manager")
    resp = client.post(f"/api/v1/orders/WO-{OTHER_LINE}/release", headers=headers)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    assert client.post("/api/v1/orders/WO-L01/release", headers=headers).status_code == 200


def test_without_a_user_everything_but_health_is_401(plant):
    app, client, _tokens = plant
    for rule in _api_rules(app, "GET") + _api_rules(app, "POST"):
        resp = client.open(re.sub(r"<[^>]+>", "L01", rule), method="GET" if rule in
                           _api_rules(app, "GET") else "POST")
        assert resp.status_code == 401, rule


# --- a line manager of L01 never sees L02 --------------------------------------------------------

def _mentions_other_line(payload) -> bool:
    return OTHER_LINE in json.dumps(payload)


def test_line_manager_cannot_read_another_line_through_the_api(plant):
    app, client, tokens = plant
    headers = _as(tokens, "line_manager")
    period = {"start": (D.replace(day=1)).isoformat(), "end": D.isoformat()}
    checked = 0
    for rule in _api_rules(app, "GET"):
        path = re.sub(r"<[^>]+>", OTHER_LINE, rule)
        for params in ({**period, "line": OTHER_LINE}, {**period}, {"line": OTHER_LINE}, {},
                       {**period, "line": OTHER_LINE, "group_by": "line"}):
            resp = client.get(path, query_string=params, headers=headers)
            assert resp.status_code in (200, 400, 403, 404, 422), (rule, params, resp.status_code)
            if resp.status_code == 200:
                assert not _mentions_other_line(resp.get_json()), (rule, params)
            checked += 1
    assert checked >= 10
    # the same request as a plant head does see L02: the test can tell the difference
    resp = client.get("/api/v1/production", query_string={**period, "line": OTHER_LINE},
                      headers=_as(tokens, "plant_head"))
    assert _mentions_other_line(resp.get_json())


def test_line_manager_cannot_read_another_line_through_pages_or_exports(plant):
    from components import export
    from components.page import render_content
    from pages import lines as lines_page
    from core.context import current

    app, client, tokens = plant
    headers = _as(tokens, "line_manager")
    with app.server.test_request_context("/lines", headers=headers):
        app.server.preprocess_request()
        ctx = current()
        # the page's content callback: a selection of L02 is refused and shows nothing of it
        content, message, is_open = render_content(
            "lines", lines_page.build, (D.isoformat(), D.isoformat(), [OTHER_LINE], [], []),
            first=False)
        assert is_open and "access" in message
        # no selection: only L01
        content, _m, _o = render_content(
            "lines", lines_page.build, (D.isoformat(), D.isoformat(), [], [], []), first=False)
        assert "L01" in json.dumps(content, default=str) and not _mentions_other_line(
            json.loads(json.dumps(content, default=lambda o: o.to_plotly_json()
                                  if hasattr(o, "to_plotly_json") else str(o))))
        # every registered export, asked for L02, gives no L02 rows
        for name in sorted(export.EXPORTS):
            out = export.export_csv(1, {"name": name, "format": "csv"}, D.isoformat(),
                                    D.isoformat(), [OTHER_LINE], [], [])
            text = out["content"] if isinstance(out, dict) else ""
            assert OTHER_LINE not in text, name
        assert ctx is not None
    # /lines/L02 in the URL: the page explains and shows L01 only
    rendered = _router(client, headers, f"/lines/{OTHER_LINE}").get_data(as_text=True)
    assert "do not have access" in rendered
    # and its title names the line shown, her own, not the one in the URL
    assert _find(json.loads(rendered), "lines-title")["children"] == "Line L01"


def _find(node, component_id):
    """The props of the component with this id in a rendered layout (JSON)."""
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and props.get("id") == component_id:
            return props
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def test_line_manager_is_offered_only_their_lines(plant):
    app, client, tokens = plant
    for who, expected in (("line_manager", {"L01"}), ("plant_head", {"L01", "L02"})):
        rendered = _router(client, _as(tokens, who), "/lines").get_json()
        props = _find(rendered, "filter-lines")
        assert {o["value"] for o in props["options"]} == expected, who


def test_a_restricted_callback_cannot_hide_behind_other_outputs(plant):
    """Dash picks the callback by "output" and shapes the answer by "outputs": a request naming
    the admin callback in one and a harmless id in the other is still refused."""
    app, client, tokens = plant
    body = {"output": "..admin-imports-grid.rowData...admin-users-grid.rowData..."
                      "admin-tokens-grid.rowData...admin-audit-grid.rowData..."
                      "admin-token-user.options..",
            "outputs": [{"id": "lines-content", "property": "children"}] * 5,
            "inputs": [{"id": "admin-refresh", "property": "data", "value": 0}],
            "changedPropIds": ["admin-refresh.data"], "state": []}
    resp = client.post("/_dash-update-component", json=body, headers=_as(tokens, "viewer"))
    assert resp.status_code == 403
    assert "maria" not in resp.get_data(as_text=True) and "u-admin" not in resp.get_data(
        as_text=True)


def _content_callbacks(app):
    """Every page's content callback (components.page.register_content): page id -> spec."""
    found = {}
    for key, spec in app.callback_map.items():
        match = re.fullmatch(r"\.\.([\w-]+)-content\.children\.\.\.\1-alert\.children\.\.\."
                             r"\1-alert\.is_open\.\.", key)
        if match:
            found[match.group(1)] = (key, spec)
    return found


def test_line_manager_sees_no_other_line_on_any_page(plant):
    """Every page's content, asked for L02 or for everything, shows nothing of L02."""
    app, client, tokens = plant
    pages = _content_callbacks(app)
    assert {"overview", "lines"} <= set(pages)
    values = {"start_date": D.isoformat(), "end_date": D.isoformat(), "value": [],
              "data": None}  # the live refresh's state (components/live.py)
    for page_id, (key, spec) in pages.items():
        outputs = [{"id": o.strip(".").rsplit(".", 1)[0],
                    "property": o.strip(".").rsplit(".", 1)[1]} for o in key.split("...")]
        for lines in ([OTHER_LINE], []):
            inputs = [{"id": i["id"], "property": i["property"],
                       "value": lines if i["id"] == "filter-lines" else values[i["property"]]}
                      for i in spec["inputs"]]
            body = {"output": key, "outputs": outputs, "inputs": inputs, "state": [],
                    "changedPropIds": ["filter-lines.value"]}
            for who in ("line_manager", "plant_head"):
                resp = client.post("/_dash-update-component", json=body,
                                   headers=_as(tokens, who))
                assert resp.status_code in (200, 204), (page_id, who, resp.status_code)
                if who == "line_manager" and resp.status_code == 200:
                    answer = resp.get_json()["response"]
                    content = answer.get(f"{page_id}-content", {})
                    assert OTHER_LINE not in json.dumps(content), (page_id, lines)
                    if lines:  # the refusal names the line asked for, and nothing more
                        assert answer[f"{page_id}-alert"]["is_open"] is True, page_id
    # and the plant head does see L02 on the Lines page, so the check can tell
    key, spec = pages["lines"]
    body["output"], body["inputs"] = key, [
        {"id": i["id"], "property": i["property"],
         "value": [OTHER_LINE] if i["id"] == "filter-lines" else values[i["property"]]}
        for i in spec["inputs"]]
    body["outputs"] = [{"id": o.strip(".").rsplit(".", 1)[0],
                        "property": o.strip(".").rsplit(".", 1)[1]} for o in key.split("...")]
    resp = client.post("/_dash-update-component", json=body, headers=_as(tokens, "plant_head"))
    assert OTHER_LINE in resp.get_data(as_text=True)

"""The navbar's "Views" menu: the signed-in user's saved views (name the current page and its
URL filters, pick one later) and their home (auth/saved_views.py keeps both).

The filter bar keeps the URL current with history.replaceState, so the page's address, read in
the browser when the dialog opens, is exactly what the user sees.
"""
from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx as dash_ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from auth import saved_views as store
from auth.gate import request_user
from core.context import current

log = logging.getLogger(__name__)

V = "views-"  # every id of the menu
ITEM, DELETE = f"{V}item", f"{V}delete"


def _items(views: list[dict]) -> list:
    items = [dbc.DropdownMenuItem("My home", href="/home", external_link=True,
                                  id=f"{V}home")]
    items += [dbc.DropdownMenuItem("Saved views", header=True)] if views else []
    items += [dbc.DropdownMenuItem(v["name"], href=v["href"], id={"type": ITEM, "id": v["id"]})
              for v in views]
    items += [dbc.DropdownMenuItem(divider=True),
              dbc.DropdownMenuItem("Save this view…", id=f"{V}open", n_clicks=0)]
    return items


def _list(views: list[dict]):
    if not views:
        return html.Div("No saved views yet.", className="text-muted small")
    return html.Ul([html.Li([
        html.A(v["name"], href=v["href"], className="me-2"),
        html.Span(v["path"] + v["query"], className="text-muted small me-2 text-break"),
        dbc.Button("Delete", id={"type": DELETE, "id": v["id"]}, size="sm", color="link",
                   className="p-0 text-danger", n_clicks=0)],
        className="mb-1") for v in views], className="list-unstyled mb-0", id=f"{V}list-items")


def _views(user) -> list[dict]:
    with current().engine.connect() as conn:
        return store.list_views(conn, user.id)


def menu(user) -> html.Div:
    """The menu, its dialog and the store of the address being saved."""
    views = _views(user) if user is not None and not user.is_kiosk else []
    return html.Div([
        dbc.DropdownMenu(_items(views), label="Views", id=f"{V}menu", nav=True, in_navbar=True,
                         align_end=True, class_name="views-menu"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Save this view")),
            dbc.ModalBody([
                html.Div("Saves this page with its dates, lines, shifts and styles, for you "
                         "only.", className="small text-muted mb-2"),
                html.Div(id=f"{V}location-text", className="small mb-2 text-break"),
                dbc.InputGroup([dbc.Input(id=f"{V}name", placeholder="e.g. L03 this week",
                                          maxLength=store.NAME_MAX, autoComplete="off"),
                                dbc.Button("Save", id=f"{V}save", color="primary")]),
                html.Div(id=f"{V}message", className="mt-2"),
                html.Hr(),
                html.Div(_list(views), id=f"{V}list"),
            ]),
        ], id=f"{V}modal", is_open=False),
        dcc.Store(id=f"{V}location"),
    ], className="views-wrap")


def save(_n, name, location):
    """(message, menu items, list) after saving the address under `name`."""
    user = request_user()
    if user is None:
        raise PreventUpdate
    try:
        with current().engine.begin() as conn:
            view, replaced = store.save_view(conn, user.id, name, location or "")
    except store.SavedViewError as err:
        return dbc.Alert(str(err), color="warning", className="py-2 mb-0"), no_update, no_update
    views = _views(user)
    said = "replaced" if replaced else "saved"
    return (dbc.Alert(f"'{view['name']}' is {said}; pick it from Views.", color="success",
                      className="py-2 mb-0"), _items(views), _list(views))


def remove(trigger, clicks):
    """(message, menu items, list) after deleting the clicked view (`trigger`, the delete
    button's id) of this user."""
    user = request_user()
    if user is None or not isinstance(trigger, dict) or not any(clicks or []):
        raise PreventUpdate
    with current().engine.begin() as conn:
        deleted = store.delete_view(conn, user.id, int(trigger["id"]))
    views = _views(user)
    text = "Deleted." if deleted else "That view was already gone."
    return (dbc.Alert(text, color="success" if deleted else "warning", className="py-2 mb-0"),
            _items(views), _list(views))


def register_callbacks(app) -> None:
    app.clientside_callback(
        """function(n) {
            if (!n) { return [window.dash_clientside.no_update, window.dash_clientside.no_update,
                              window.dash_clientside.no_update]; }
            const here = window.location.pathname + window.location.search;
            return [true, here, here];
        }""",
        Output(f"{V}modal", "is_open"), Output(f"{V}location", "data"),
        Output(f"{V}location-text", "children"),
        Input(f"{V}open", "n_clicks"), prevent_initial_call=True)
    app.callback(
        Output(f"{V}message", "children"), Output(f"{V}menu", "children"),
        Output(f"{V}list", "children"),
        Input(f"{V}save", "n_clicks"), Input(f"{V}name", "n_submit"),
        State(f"{V}name", "value"), State(f"{V}location", "data"),
        prevent_initial_call=True,
    )(lambda n, _submit, name, location: save(n, name, location))
    app.callback(
        Output(f"{V}message", "children", allow_duplicate=True),
        Output(f"{V}menu", "children", allow_duplicate=True),
        Output(f"{V}list", "children", allow_duplicate=True),
        Input({"type": DELETE, "id": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )(lambda clicks: remove(dash_ctx.triggered_id, clicks))

"""API test clients signed in with a bearer token per role (and an ingest token of a viewer)."""
from __future__ import annotations

from auth import users

ROLES = ("admin", "plant_head", "line_manager", "viewer")


def clients_by_role(app, engine, manager_lines=("L01",)):
    """`client(who)` for who in ROLES or "ingest": a test client of `app` with that token."""
    tokens = {}
    with engine.begin() as conn:
        for role in ROLES:
            user = users.create_user(conn, f"u-{role}", "password-123", role=role,
                                     lines=manager_lines if role == "line_manager" else ())
            tokens[role] = users.create_token(conn, user)
        tokens["ingest"] = users.create_token(conn, users.get_user_by_name(conn, "u-viewer"),
                                              purpose="ingest")

    def client(who="admin"):
        c = app.server.test_client()
        c.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens[who]}"
        return c
    return client

"""A small plant with every kind of data: orders, cameras, checks and breakdowns, punches, with
attendance processed (the plants of tests/*_plant.py together), and a plant head's API token."""
from __future__ import annotations

from auth import users
from ingest.attendance import process_attendance
from tests.attendance_plant import NOW as ATTENDANCE_PROCESSED, attendance_plant
from tests.camera_plant import camera_plant
from tests.factories import quality_downtime
from tests.order_plant import order_plant


def full_plant(engine):
    """Load the plant; returns (the plant head, a bearer token of hers)."""
    order_plant(engine)
    camera_plant(engine)
    quality_downtime(engine)
    attendance_plant(engine)
    process_attendance(engine, ATTENDANCE_PROCESSED)
    with engine.begin() as conn:
        head = users.create_user(conn, "head", "plant-head-pw", role="plant_head")
        token = users.create_token(conn, head)
    return head, token

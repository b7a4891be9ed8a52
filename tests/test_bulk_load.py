"""Bulk writes (data/db.py bulk_insert, bulk_insert_stream): what goes in comes back the same,
awkward text, missing values, whole numbers held as floats and timestamps included."""
from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import select

from data import db, schema

B = schema.breakdowns


def _frame(n: int, first: int = 0) -> pd.DataFrame:
    return pd.DataFrame({
        "breakdown_id": [f"BD{first + i:05d}" for i in range(n)],
        "line_code": ["L01"] * n,
        "machine_code": [None if i % 3 == 0 else f"M{i}" for i in range(n)],
        "category": ["Machine, breakdown", 'a "quoted" word', "two\nlines", "x,y", None,
                     "plain"][:n] + ["plain"] * max(0, n - 6),
        "reason": ["x"] * n,
        "start_ts": pd.to_datetime([datetime(2026, 3, 2, 8, 0, 0, 250000)] * n),
        "end_ts": [datetime(2026, 3, 2, 9, 30) if i % 2 else None for i in range(n)],
        "date": [date(2026, 3, 2)] * n,
        "shift_code": ["A"] * n,
    })


def _stored(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(B).order_by(B.c.breakdown_id)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.name for c in B.columns])


def _plain(values) -> list:
    return [None if v is None or v != v else v for v in values]


def test_bulk_insert_round_trips_awkward_values(engine):
    frame = _frame(6)
    with engine.begin() as conn:
        assert db.bulk_insert(conn, B, frame) == 6
    got = _stored(engine)
    assert _plain(got["category"]) == ["Machine, breakdown", 'a "quoted" word', "two\nlines",
                                       "x,y", None, "plain"]
    assert _plain(got["machine_code"]) == [None, "M1", "M2", None, "M4", "M5"]
    assert [pd.Timestamp(v) for v in got["start_ts"]] == [pd.Timestamp(
        "2026-03-02 08:00:00.25")] * 6
    assert [None if v is None or v is pd.NaT else pd.Timestamp(v) for v in got["end_ts"]] == [
        None, pd.Timestamp("2026-03-02 09:30")] * 3
    assert {str(v)[:10] for v in got["date"]} == {"2026-03-02"}


def test_bulk_insert_writes_whole_floats_as_integers_and_wall_times_of_aware_stamps(engine):
    D = schema.defects
    frame = pd.DataFrame({
        "defect_id": ["D1", "D2"], "line_code": ["L01", "L01"],
        "ts": pd.to_datetime(["2026-03-02 08:00", "2026-03-02 09:00"]).tz_localize("Asia/Dhaka"),
        "qty": [2.0, 1.0], "hour": [8.0, np.nan], "date": [date(2026, 3, 2)] * 2,
    })
    with engine.begin() as conn:
        assert db.bulk_insert(conn, D, frame) == 2
        rows = conn.execute(select(D.c.ts, D.c.qty, D.c.hour).order_by(D.c.defect_id)).all()
    assert [(pd.Timestamp(t), q, h) for t, q, h in rows] == [
        (pd.Timestamp("2026-03-02 08:00"), 2, 8), (pd.Timestamp("2026-03-02 09:00"), 1, None)]


def test_bulk_insert_stream_writes_every_frame_in_one_go(engine):
    frames = [_frame(4, 0), _frame(0, 100), _frame(5, 200), _frame(3, 300)]
    with engine.begin() as conn:
        assert db.bulk_insert_stream(conn, B, iter(frames)) == 12
        assert db.bulk_insert_stream(conn, B, iter([])) == 0
    got = _stored(engine)
    assert got["breakdown_id"].tolist() == [f"BD{i:05d}" for i in
                                            [0, 1, 2, 3, 200, 201, 202, 203, 204, 300, 301, 302]]
    assert got.loc[got["breakdown_id"] == "BD00202", "category"].item() == "two\nlines"


def test_sqlite_working_memory_is_for_the_load_only(tmp_path):
    """A big SQLite load sorts and rolls up in a 512 MB cache in memory; the pooled connection
    gets SQLite's defaults back after it, also when the load fails."""
    engine = db.get_engine(f"sqlite:///{tmp_path / 'w.db'}")

    def pragmas(conn):
        return (conn.exec_driver_sql("PRAGMA cache_size").scalar(),
                conn.exec_driver_sql("PRAGMA temp_store").scalar())

    with engine.connect() as conn:
        before = pragmas(conn)
        with db.sqlite_working_memory(conn):
            assert pragmas(conn) == (-512 * 1024, 2)  # 2: MEMORY
        assert pragmas(conn) == before == (-2000, 0)
        try:
            with db.sqlite_working_memory(conn):
                raise ValueError("a bad row")
        except ValueError:
            pass
        assert pragmas(conn) == before

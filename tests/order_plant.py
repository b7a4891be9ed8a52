"""Work orders and materials on top of tests/factories.small_plant, with hand-worked numbers.

Today is T = Wed 2026-03-04 (tests pin the clock). Output of the small plant: L01 sews S1, 1,600
on Mon 03-02; this adds 800 of S1 on L01 on Tue 03-03. L02 sews S2, 300 on 03-02.
Pace (last 7 days with output before today): L01/S1 (1600 + 800) / 2 = 1,200 a day; L02 has no
S1, so its line pace: 300 a day; L02/S2 300 a day.

| order | line/style | status | qty / sewn | due | pace | projected | flags |
|---|---|---|---|---|---|---|---|
| WO-A | L01/S1 | IN_PROGRESS | 6000 / 2400 (40 %) | 03-06 | 1200 | 3600/1200 = 3 d -> 03-07 | at risk |
| WO-B | L02/S1 | RELEASED | 900 / 0 | 03-10 | 300 (line) | 900/300 = 3 d -> 03-07 | on track |
| WO-C | L02/S2 | ON_HOLD | 1000 / 300 (30 %) | 03-03 | 300 | 700/300 = 2.33 d -> 03-06 | late, at risk |
| WO-D | L01/S2 | CANCELLED | 400 / 0 | 03-01 | — | — | neither |
| WO-E | L01/S1 | COMPLETED 03-01 16:00 | 1500 / 1500 | 03-01 | — | — | on time |
| WO-F | L02/S2 | COMPLETED 02-28 10:00 | 800 / 810 | 02-27 | — | — | completed late |
| WO-G | L01/S1 | DRAFT | 500 / 0 | none | 1200 | 0.42 d -> 03-04 | on track |

Totals: 7 orders, 4 open, 1 late, 2 at risk (flags), 1 cancelled, 2 completed, 1 on time ->
on-time 50 %. Materials: WO-A fabric 9000 required, 7000 issued -> short 2000; buttons in full;
WO-C thread 50 required, 20 issued -> short 30; WO-E fabric in full. Short of material: 2 orders.
"""
from __future__ import annotations

from datetime import date, datetime

from data import db, schema
from ingest import rollups
from tests.factories import _p, small_plant

TODAY = date(2026, 3, 4)
NOW = datetime(2026, 3, 4, 10, 30)


def _wo(wo, line, style, qty, sewn, status, due, released=None, started=None, completed=None,
        planned=None):
    return {"wo_number": wo, "line_code": line, "style_code": style, "order_qty": qty,
            "produced_qty": sewn, "status": status, "due_date": due, "planned_start": planned,
            "released_at": released, "started_at": started, "completed_at": completed}


def order_plant(engine) -> None:
    small_plant(engine)
    rel = datetime(2026, 2, 20, 9)
    orders = [
        _wo("WO-A", "L01", "S1", 6000, 2400, "IN_PROGRESS", date(2026, 3, 6), rel,
            datetime(2026, 3, 2, 8, 5), planned=date(2026, 3, 2)),
        _wo("WO-B", "L02", "S1", 900, 0, "RELEASED", date(2026, 3, 10), rel,
            planned=date(2026, 3, 7)),
        _wo("WO-C", "L02", "S2", 1000, 300, "ON_HOLD", date(2026, 3, 3), rel,
            datetime(2026, 3, 2, 8)),
        _wo("WO-D", "L01", "S2", 400, 0, "CANCELLED", date(2026, 3, 1)),
        _wo("WO-E", "L01", "S1", 1500, 1500, "COMPLETED", date(2026, 3, 1), rel,
            datetime(2026, 2, 25, 8), datetime(2026, 3, 1, 16)),
        _wo("WO-F", "L02", "S2", 800, 810, "COMPLETED", date(2026, 2, 27), rel,
            datetime(2026, 2, 23, 8), datetime(2026, 2, 28, 10)),
        _wo("WO-G", "L01", "S1", 500, 0, "DRAFT", None),
    ]
    materials = [
        {"wo_number": "WO-A", "material_code": "FAB-01", "required_qty": 9000,
         "issued_qty": 7000, "unit": "m"},
        {"wo_number": "WO-A", "material_code": "BTN-02", "required_qty": 30000,
         "issued_qty": 30000, "unit": "pcs"},
        {"wo_number": "WO-C", "material_code": "THR-01", "required_qty": 50,
         "issued_qty": 20, "unit": "cones"},
        {"wo_number": "WO-E", "material_code": "FAB-01", "required_qty": 1500,
         "issued_qty": 1500, "unit": "m"},
    ]
    with engine.begin() as conn:
        db.upsert(conn, schema.production, [_p(date(2026, 3, 3), "L01", 8, "S1", "output", 800)])
        db.upsert(conn, schema.work_orders, orders)
        db.upsert(conn, schema.material_issues, materials)
        rollups.rebuild_line_day(conn)
        db.bump_data_version(conn)

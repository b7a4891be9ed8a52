"""Alerts benchmark: one evaluation of every rule (SPEC section 11; budget: under 1 s on the large
plant).

    python bench/alerts.py                    # demo plant on SQLite, 10 runs
    python bench/alerts.py --scale medium
    python bench/alerts.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench

Seeds the demo plant with bench/run.py's pinned end (2026-03-31 14:00, seed 42; a PostgreSQL
database is emptied and reloaded), keeps three rules of each kind on every line (thresholds from
easy to hard, so some subjects fire and some do not; no channels, so nothing is sent), then
measures at END:
- the first evaluation (every alert that fires is written, with its state change);
- steady evaluations (nothing changes: what the schedule does every ALERTS_EVERY_S);
- each kind's measurement alone (the reads and the conditions, no writes).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import END, p50_p95, seed, table, temp_sqlite_url, timed  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from data import db, schema  # noqa: E402
from ingest import alerts as ia  # noqa: E402
from queries import alerts as q  # noqa: E402
from settings import Settings  # noqa: E402

RULES = {"behind_target": (70, 85, 100), "dhu_above": (3, 6, 10),
         "machine_down": (15, 60, 240), "order_at_risk": (0, 3, 10)}
COLUMNS = [("what", "what", ""), ("rules", "rules", "d"), ("p50 ms", "p50", ".1f"),
           ("p95 ms", "p95", ".1f"), ("firing", "firing", "d")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--scale", default="demo", choices=["demo", "medium", "large"])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--reuse", action="store_true", help="keep the data already loaded")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()

    url = args.database_url or temp_sqlite_url("fp-bench-alerts-")
    engine = db.get_engine(url)
    if not args.reuse:
        seed(engine, args.scale)
    db.create_schema(engine)
    settings = Settings(database_url=url, testing=True, secret_key="bench", demo_data=False)
    with engine.begin() as conn:
        for table_ in (schema.alert_outbox, schema.alerts, schema.alert_rules):
            conn.execute(delete(table_))
        for kind, thresholds in RULES.items():
            for threshold in thresholds:
                ia.create_rule(conn, {"kind": kind, "threshold": threshold}, "bench", END)
        lines = conn.execute(select(func.count()).select_from(schema.lines)).scalar()
    n_rules = sum(len(t) for t in RULES.values())

    t0 = time.perf_counter()
    first = ia.evaluate(engine, settings, END)
    first_ms = (time.perf_counter() - t0) * 1000
    steady = timed(lambda: ia.evaluate(engine, settings, END), args.runs)
    rows = [{"what": "first evaluation (fires)", "rules": n_rules, "p50": first_ms,
             "p95": first_ms, "firing": first["firing"]},
            {"what": "steady evaluation", "rules": n_rules,
             **dict(zip(("p50", "p95"), p50_p95(steady))), "firing": first["firing"]}]
    with engine.connect() as conn:
        rules = q.active_rules(conn)
        for kind in RULES:
            rule = next(r for r in rules if r["kind"] == kind)

            def measure(rule=rule):
                with engine.connect() as c:
                    return ia.measure(c, rule, END)
            readings = measure()
            rows.append({"what": f"measure {kind}", "rules": 1,
                         **dict(zip(("p50", "p95"), p50_p95(timed(measure, args.runs)))),
                         "firing": sum(r.holds for r in readings)})
    print(f"\n{engine.dialect.name}, {args.scale} plant ({lines} lines), {args.runs} runs, "
          f"at {END:%Y-%m-%d %H:%M}\n")
    print(table(COLUMNS, rows, markdown=args.markdown))


if __name__ == "__main__":
    main()

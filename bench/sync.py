"""The database sync's throughput (goal, issue 15: 1 million punches from a SQLite source < 60 s).

    python bench/sync.py                                  # target: a temporary SQLite file
    python bench/sync.py --database-url postgresql+psycopg2://postgres@127.0.0.1:5432/fp_bench
    python bench/sync.py --quick                          # 20,000 rows, seconds: CI's smoke run

The source is a SQLite file shaped like a ZKTeco access database (CHECKINOUT joined to USERINFO,
timestamps as the vendor writes them), holding `--rows` punches of `--employees` people, two a
day. It measures three runs of `flask --app app sync` (the same function, `ingest.sync.sync`):
- **first**: every row is new (read, mapped, validated, stored, the watermark moved);
- **second**: 1,000 new rows appended to the source (only they are read);
- **third**: nothing new (0 rows read).
It checks the punches table holds exactly the rows the source has and exits 1 when the first run
misses the 60 s goal or a count is off. The target database's plant data is emptied first.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import func, select  # noqa: E402

from harness import table, temp_sqlite_url, write_json  # noqa: E402
from data import db, schema  # noqa: E402
from ingest import sync  # noqa: E402

PLANT_TZ = "Asia/Dhaka"
START = datetime(2024, 1, 1)
GOAL_S = 60.0
COLUMNS = [("run", "run", ""), ("rows read", "read", ",d"), ("accepted", "accepted", ",d"),
           ("duplicates", "duplicates", ",d"), ("rejected", "rejected", ",d"),
           ("seconds", "seconds", ",.1f"), ("rows/s", "rows_per_s", ",.0f")]
CONFIG = """
[sources.zk]
url = "sqlite:///{path}"
query = "SELECT u.Badgenumber AS BADGE, c.CHECKTIME, c.CHECKTYPE, c.SENSORID FROM CHECKINOUT c JOIN USERINFO u ON u.USERID = c.USERID"
target = "punches"
watermark = "CHECKTIME"
[sources.zk.columns]
device_user_id = "BADGE"
ts = "CHECKTIME"
direction = "CHECKTYPE"
device_id = "SENSORID"
[sources.zk.values.direction]
I = "IN"
O = "OUT"
"""


def punch_rows(employees: int, first: int, count: int):
    """Punch number first .. first+count-1: employee n % employees, two a day (08:0x IN,
    17:0x OUT), day after day."""
    for n in range(first, first + count):
        emp, k = n % employees, n // employees
        day, out = divmod(k, 2)
        ts = START + timedelta(days=day, hours=17 if out else 8, seconds=emp)
        yield emp + 1, ts.strftime("%Y-%m-%d %H:%M:%S"), "O" if out else "I", str(emp % 8 + 1)


def make_source(path: Path, employees: int, rows: int) -> None:
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE USERINFO (USERID INTEGER PRIMARY KEY, Badgenumber TEXT, Name TEXT);
        CREATE TABLE CHECKINOUT (USERID INTEGER, CHECKTIME DATETIME, CHECKTYPE TEXT,
                                 VERIFYCODE INTEGER, SENSORID TEXT);
        CREATE INDEX ix_checktime ON CHECKINOUT (CHECKTIME);
    """)
    con.executemany("INSERT INTO USERINFO VALUES (?, ?, ?)",
                    [(i + 1, str(1000 + i), f"Worker {i}") for i in range(employees)])
    add(con, employees, 0, rows)
    con.close()


def add(con, employees: int, first: int, count: int) -> None:
    con.executemany("INSERT INTO CHECKINOUT (USERID, CHECKTIME, CHECKTYPE, VERIFYCODE, SENSORID) "
                    "VALUES (?, ?, ?, 1, ?)", punch_rows(employees, first, count))
    con.commit()


def setup_target(url: str, employees: int) -> None:
    engine = db.get_engine(url)
    db.create_schema(engine)
    with engine.begin() as conn:
        for tbl in reversed(schema.DATA_TABLES + schema.ROLLUP_TABLES):
            conn.execute(tbl.delete())
        conn.execute(schema.meta.delete().where(schema.meta.c.key.like("sync_%")))
        conn.execute(schema.job_state.delete().where(schema.job_state.c.name.like("sync:%")))
        db.upsert(conn, schema.employees, [
            {"emp_code": f"E{i:05d}", "name": f"Worker {i}", "device_user_id": str(1000 + i),
             "is_placeholder": False} for i in range(employees)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None, help="the target (default: temp SQLite)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=2_000)
    parser.add_argument("--quick", action="store_true", help="20,000 rows of 200 employees")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.employees = 20_000, 200
    url = args.database_url or temp_sqlite_url("fp-bench-sync-")
    work = Path(tempfile.mkdtemp(prefix="fp-bench-sync-src-"))
    source = work / "att2000.db"
    t0 = time.perf_counter()
    make_source(source, args.employees, args.rows)
    print(f"source: {args.rows:,} punches of {args.employees:,} employees in "
          f"{time.perf_counter() - t0:.1f} s ({source})")
    setup_target(url, args.employees)
    engine = db.get_engine(url)
    config = work / "sync.toml"
    config.write_text(CONFIG.format(path=source), encoding="utf-8")
    now = datetime.now()

    results = []

    def one(label):
        [run] = sync.sync(engine, config, plant_tz=PLANT_TZ, now=lambda: now, username="bench")
        if not run.ok:
            raise SystemExit(f"{label} run failed: {run.error}")
        results.append({"run": label, "read": run.read, "accepted": run.accepted,
                        "duplicates": run.duplicates, "rejected": run.rejected,
                        "seconds": run.seconds,
                        "rows_per_s": run.read / run.seconds if run.read else 0.0})
        return run

    first = one("first (all new)")
    con = sqlite3.connect(source)
    add(con, args.employees, args.rows, 1000)
    con.close()
    second = one("second (1,000 new)")
    third = one("third (nothing new)")
    backend = engine.dialect.name
    print(f"\ntarget: {backend}\n")
    print(table(COLUMNS, results))
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(schema.punches)).scalar()
    problems = []
    if stored != args.rows + 1000:
        problems.append(f"punches stored: {stored:,}, expected {args.rows + 1000:,}")
    if (first.read, second.read, third.read) != (args.rows, 1000, 0):
        problems.append(f"rows read {first.read}, {second.read}, {third.read}: expected "
                        f"{args.rows}, 1000, 0")
    if args.rows >= 1_000_000 and first.seconds > GOAL_S:
        problems.append(f"first run {first.seconds:.1f} s: over the {GOAL_S:.0f} s goal")
    write_json(args.json, {"backend": backend, "rows": args.rows, "runs": results,
                           "problems": problems})
    for p in problems:
        print(f"MISS: {p}")
    print("ok" if not problems else "")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

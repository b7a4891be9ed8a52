"""Demo work orders and their materials: one order per style run of a line, so orders agree with
production. Finished runs are COMPLETED (most on time), the running ones IN_PROGRESS (a quarter at
risk, a fifth already late, at least one of each), a paused one ON_HOLD, the next runs RELEASED or
DRAFT. Some materials are issued short: the Orders page's shortages.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
import pandas as pd

from demo import catalog as cat
from demo.plant import Plant

ORDER_COLUMNS = ["wo_number", "style_code", "line_code", "order_qty", "produced_qty", "status",
                 "planned_start", "due_date", "released_at", "started_at", "completed_at"]


def work_orders(plant: Plant, slots: pd.DataFrame, hours: pd.DataFrame) -> pd.DataFrame:
    rng = plant.rng("orders")
    runs = plant.runs.copy()
    h = hours.merge(slots[["slot_id", "run_no"]], on="slot_id")
    made = h.groupby(["line_code", "run_no"]).agg(
        produced=("output", "sum"), first_hour=("hour_start", "min"),
        last_hour=("hour_start", "max"), days=("date", "nunique"))
    # the pace the Orders page will see: the last 7 complete days (today is still running);
    # a run that started today has only today's
    per_day = h.groupby(["line_code", "run_no", "date"])["output"].sum()
    complete = per_day[per_day.index.get_level_values("date") < plant.end_day]
    recent = (complete.groupby(level=[0, 1]).apply(lambda s: s.tail(7).mean())
              .combine_first(per_day.groupby(level=[0, 1]).mean()).rename("rate"))
    runs = runs.merge(made, left_on=["line_code", "run_no"], right_index=True, how="left")
    runs = runs.merge(recent, left_on=["line_code", "run_no"], right_index=True, how="left")
    first_idx = next(i for i, d in enumerate(plant.work_days) if d >= plant.first_day)
    end_idx = max(i for i, d in enumerate(plant.work_days) if d <= plant.end_day)
    # work done before the range: the same daily pace as inside it
    before = np.clip(first_idx - runs["first_idx"], 0, None)
    runs["produced"] = (runs["produced"].fillna(0) + before * runs["rate"].fillna(0)).round()

    past = runs["days"].notna()
    ahead = runs["first_idx"] > end_idx
    runs["future_rank"] = runs["first_idx"].where(ahead).groupby(runs["line_code"]).rank()
    runs = runs[past | (runs["future_rank"] <= 2)].copy()
    running = runs["last_day"] >= plant.end_day
    runs["status"] = np.select(
        [runs["days"].notna() & running, runs["days"].notna(), runs["future_rank"] == 1],
        ["IN_PROGRESS", "COMPLETED", "RELEASED"], "DRAFT")
    held = runs.index[(runs["status"] == "COMPLETED")
                      & (runs["last_day"] >= plant.end_day - timedelta(days=20))]
    if len(held):
        runs.loc[rng.choice(held, size=min(len(held), max(1, plant.config.lines // 8)),
                            replace=False), "status"] = "ON_HOLD"
    drafts = runs.index[runs["status"] == "DRAFT"]
    if len(drafts):
        runs.loc[rng.choice(drafts, size=max(1, len(drafts) // 10), replace=False),
                 "status"] = "CANCELLED"
    runs = runs.merge(plant.styles[["style_code", "smv"]], on="style_code")
    capacity = (slots.assign(m=slots["skill"] * (slots["operators"] + slots["helpers"])
                             * slots["working_minutes"])
                .groupby(["line_code", "date"])["m"].sum().groupby(level=0).mean())
    runs["capacity"] = capacity.reindex(runs["line_code"]).to_numpy() / runs["smv"]
    return _order_rows(plant, runs.sort_values(["first_day", "line_code"], ignore_index=True),
                       rng)


def _at(day, minutes: float) -> datetime:
    return datetime.combine(day, time()) + timedelta(seconds=int(minutes * 60))


def _order_rows(plant: Plant, runs: pd.DataFrame, rng) -> pd.DataFrame:
    today = plant.end_day
    # running orders: most on track, some at risk, a few already late (whatever the seed)
    running = int((runs["status"] == "IN_PROGRESS").sum())
    late, at_risk = max(1, running // 5), max(1, running // 4)
    fates = iter(rng.permutation(["late"] * late + ["at_risk"] * at_risk
                                 + ["on_track"] * max(0, running - late - at_risk)))
    rows = []
    for i, r in enumerate(runs.itertuples(index=False)):
        planned_days = r.end_idx - r.first_idx
        row = dict(wo_number=f"WO-{10001 + i}", style_code=r.style_code, line_code=r.line_code,
                   planned_start=r.first_day, status=r.status, produced_qty=0,
                   released_at=None, started_at=None, completed_at=None)
        release_day = r.first_day - timedelta(days=int(rng.integers(3, 13)))
        released = _at(release_day, rng.uniform(9 * 60, 17 * 60))
        if r.status in ("COMPLETED", "IN_PROGRESS", "ON_HOLD"):
            started = (r.first_hour.to_pydatetime() if r.first_day >= plant.first_day
                       else _at(r.first_day, 8 * 60)) + timedelta(minutes=int(rng.integers(2, 25)))
            row.update(produced_qty=int(r.produced), released_at=released, started_at=started)
        if r.status == "COMPLETED":
            done = r.last_hour.to_pydatetime() + timedelta(minutes=int(rng.integers(60, 150)))
            done = min(done, plant.horizon - timedelta(minutes=1))
            on_time = rng.random() < 0.8
            slack = int(rng.integers(0, 5)) if on_time else -int(rng.integers(1, 6))
            row.update(order_qty=int(round(r.produced * rng.uniform(0.97, 1.02), -1)),
                       completed_at=done, due_date=done.date() + timedelta(days=slack))
        elif r.status == "IN_PROGRESS":
            rate = max(float(r.rate) if pd.notna(r.rate) else 0.0, 1.0)
            fate = next(fates, "on_track")
            if fate == "at_risk":  # days of work left beyond the due date, not late yet
                work = int(rng.integers(4, 10))
                order_qty = int(round(r.produced + rate * work, -1))
                due = today + timedelta(days=work - int(rng.integers(2, 4)))
            elif fate == "late":
                order_qty = int(round(r.produced + rate * rng.uniform(0.5, 3), -1))
                due = today - timedelta(days=int(rng.integers(1, 5)))
            else:
                left_days = max(1, (r.last_day - today).days)
                order_qty = int(round(r.produced + rate * left_days * 0.8 + 50, -1))
                need = int(np.ceil((order_qty - r.produced) / rate))
                due = today + timedelta(days=need + int(rng.integers(2, 7)))
            row.update(order_qty=order_qty, due_date=due)
        elif r.status == "ON_HOLD":
            row.update(order_qty=int(round(r.produced * rng.uniform(1.4, 2.0), -1)),
                       due_date=r.last_day + timedelta(days=int(rng.integers(2, 9))))
        else:  # RELEASED, DRAFT, CANCELLED: planned, nothing sewn
            order_qty = int(round(r.capacity * planned_days * rng.uniform(0.85, 1.0), -2))
            row.update(order_qty=max(order_qty, 100),
                       due_date=r.last_day + timedelta(days=int(rng.integers(3, 11))))
            if r.status != "DRAFT":
                latest = plant.horizon - timedelta(minutes=int(rng.integers(120, 14400)))
                row.update(released_at=min(released, latest))
        rows.append(row)
    return pd.DataFrame(rows, columns=ORDER_COLUMNS)


def material_issues(plant: Plant, orders: pd.DataFrame) -> pd.DataFrame:
    """Bill of materials per order and what stores has issued; shortages where it fell short."""
    rng = plant.rng("materials")
    family = plant.styles.set_index("style_code")["family"]
    rows = []
    for o in orders.itertuples(index=False):
        if o.status in ("DRAFT", "CANCELLED"):
            continue
        mats = cat.MATERIALS[family[o.style_code]]
        held = int(rng.integers(0, len(mats)))
        for j, (code, unit, per) in enumerate(mats):
            required = o.order_qty * per
            if o.status == "COMPLETED":
                ratio = rng.uniform(1.0, 1.03)
            elif o.status == "ON_HOLD":
                ratio = rng.uniform(0.2, 0.5) if j == held else 1.0
            elif o.status == "IN_PROGRESS":
                ratio = rng.uniform(0.55, 0.95) if rng.random() < 0.28 else rng.uniform(0.98, 1.02)
            else:  # RELEASED: fabric first, trims trickle in
                chance = rng.random()
                ratio = (1.0 if chance < 0.75 else rng.uniform(0.5, 0.95)) if j == 0 else (
                    0.0 if chance < 0.12 else rng.uniform(0.3, 0.9) if chance < 0.25 else 1.0)
            digits = 0 if unit == "pcs" else 2
            rows.append((o.wo_number, code, round(required, digits),
                         round(required * ratio, digits), unit))
    return pd.DataFrame(rows, columns=["wo_number", "material_code", "required_qty",
                                       "issued_qty", "unit"])

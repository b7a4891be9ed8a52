"""The floor TV board (SPEC section 11): each line's current shift hour by hour, and the plant.

One read of the production day (plan rows, counts by hour, earned minutes, checks and defects)
serves every line on the board; the formulas are section 4's (metrics.production): the hourly
target spreads the plan over its working minutes, and "so far" takes each hour's share of the
time gone. The result is cached on the data version and the clock step, so a screen that asks
again with nothing new costs one read of the data version (`board_state`).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from core.filters import Filters
from metrics import production as m
from metrics.thresholds import colour
from metrics.calendar import assign_shift_day, shift_hours
from queries import production as q
from reports import quality as quality_reports
from reports.cache import cached_report, data_identity
from reports.production import filter_options, validate_filters
from reports.thresholds import thresholds

# The board's numbers move with the data version and with the clock: "so far" targets grow as
# the hour goes by. Rounding the clock to this step keeps a quiet board's refresh a cache hit.
CLOCK_STEP_MIN = 5


def board_clock(ctx, now: datetime | None = None) -> datetime:
    """Plant-local now, down to the clock step."""
    now = now or ctx.now()
    return now.replace(minute=now.minute - now.minute % CLOCK_STEP_MIN, second=0, microsecond=0)


def board_state(ctx, now: datetime | None = None) -> str:
    """What a board was computed from: a screen sends it back as `since` and is told "unchanged"
    while it still holds (one read of the meta table, no report)."""
    instance, version = data_identity(ctx)
    return f"{instance}:{version}:{board_clock(ctx, now):%Y%m%d%H%M}"


def board_lines(ctx, lines: tuple[str, ...], scope) -> list[tuple[str, str]]:
    """(line_code, name) of the board: the lines asked for (checked: FilterError), else every
    line the user may see."""
    if lines:
        validate_filters(ctx, Filters(start=ctx.today(), end=ctx.today(), lines=lines), scope)
    known = filter_options(ctx)["lines"]
    names = dict(zip(known["line_code"], known["name"])) if not known.empty else {}
    codes = list(lines) or [c for c in names if scope is None or c in scope]
    return [(c, names.get(c) or c) for c in codes]


def floor_board(ctx, lines: tuple[str, ...] = (), scope=None, now: datetime | None = None) -> dict:
    """The board for `lines` (all the scope's lines when empty) at `now` (plant-local)."""
    codes = tuple(board_lines(ctx, tuple(lines), scope))
    return _floor_board(ctx, codes, scope, board_clock(ctx, now))


def current_shift(shifts: pd.DataFrame, now: datetime) -> tuple:
    """(production date, shift row) of the shift `now` falls in (between shifts: the one just
    ended, section 3's rule), or (today, None) when the plant has no shifts."""
    if shifts.empty:
        return now.date(), None
    where = assign_shift_day(pd.Series([now]), shifts).iloc[0]
    row = shifts[shifts["shift_code"] == where["shift_code"]].iloc[0]
    return where["date"], row


@cached_report("floor_board")
def _floor_board(ctx, lines: tuple, scope, now: datetime) -> dict:
    shifts = filter_options(ctx)["shifts"]
    day, shift = current_shift(shifts, now)
    codes = tuple(code for code, _name in lines)
    # yesterday too: a night shift, or a line whose last shift ended yesterday
    days = Filters(start=day - timedelta(days=1), end=day, lines=codes)
    with ctx.engine.connect() as conn:
        plans = q.plan_rows(conn, days, scope) if codes else pd.DataFrame()
        stages = q.stages_by_hour(conn, days, scope) if codes else pd.DataFrame()
        earned = q.output_by(conn, days, ["line_code", "date", "shift_code", "hour"], scope) \
            if codes else pd.DataFrame()
    quality = (quality_reports.quality(ctx, days, ("line_code", "date"), scope)["rows"]
               if codes else pd.DataFrame())
    targets = m.hourly_targets(plans, shifts) if not plans.empty else pd.DataFrame(
        columns=["date", "shift_code", "line_code", "hour", "slot", "minutes", "target"])
    if not targets.empty:
        manpower = plans.assign(manpower=plans["operators"] + plans["helpers"].fillna(0))
        targets = targets.merge(manpower[["date", "shift_code", "line_code", "manpower"]],
                                on=["date", "shift_code", "line_code"], how="left")
        share = m.elapsed_share(targets["slot"], now)
        targets = targets.assign(
            target_so_far=targets["target"] * share,
            available_so_far=targets["manpower"] * targets["minutes"] * share)
    # only hours that have begun count (a count stamped for a later hour is not "so far")
    counted = _begun(m.add_slots(stages, shifts), now) if not stages.empty else stages
    earned = _begun(m.add_slots(earned, shifts), now) if not earned.empty else earned
    shift_rows = {r["shift_code"]: r for _i, r in shifts.iterrows()} if not shifts.empty else {}
    clock = (day, None if shift is None else shift["shift_code"])
    # each frame split by line once (slicing it per line and per field costs more than the rest)
    targets, counted, earned, quality = (_by_line(f) for f in (targets, counted, earned, quality))
    boards = []
    th = thresholds(ctx)
    for code, name in lines:
        line_day, line_shift = _line_shift(_of(targets, code), clock, now)
        boards.append(_line_board(code, name, shift_rows.get(line_shift), line_shift, line_day,
                                  now, targets, counted, earned, quality, th))
    return {
        "date": day.isoformat(),
        "shift": _shift_info(shift, day),
        "now": now.strftime("%H:%M"),
        "lines": boards,
    }


def _shift_info(shift, day) -> dict | None:
    if shift is None:
        return None
    return {"shift_code": shift["shift_code"], "name": shift.get("name") or shift["shift_code"],
            "start": shift["start"], "end": shift["end"], "date": day.isoformat()}


def _line_shift(plan: pd.DataFrame, clock: tuple, now: datetime) -> tuple:
    """(production date, shift_code) a line's board shows: its planned shift running now, else
    the one it ran last (the board keeps the last shift's result up between shifts), else the
    plant's shift by the clock (section 3) for a line with no plan."""
    if plan.empty:
        return clock
    spans = plan.groupby(["date", "shift_code"], as_index=False)["slot"].agg(["min", "max"])
    spans["end"] = spans["max"] + pd.Timedelta(hours=1)
    started = spans[spans["min"] <= now]
    running = started[started["end"] > now]
    pick = running if not running.empty else started
    if pick.empty:
        return clock
    row = pick.sort_values("min").iloc[-1]
    return row["date"], row["shift_code"]


def _begun(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    return frame[frame["slot"] <= now]


def _by_line(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame.empty:
        return {}
    # one kind of date for every source (the plan, the counts and the quality report differ)
    frame = frame.assign(date=pd.to_datetime(frame["date"]).dt.date)
    return {code: part for code, part in frame.groupby("line_code", sort=False)}


def _of(split: dict[str, pd.DataFrame], line_code: str, day=None) -> pd.DataFrame:
    """A line's rows (of one production day when given) from a frame split by _by_line."""
    out = split.get(line_code)
    if out is None:
        return pd.DataFrame(columns=["date", "shift_code", "slot"])
    return out[out["date"] == day] if day is not None else out


def _num(v):
    return None if v is None or pd.isna(v) else float(v)


def _line_board(code, name, shift, shift_code, day, now, targets, counted, earned, quality,
                th) -> dict:
    day_plan = _of(targets, code, day)
    plan = day_plan[day_plan["shift_code"] == shift_code] if not day_plan.empty else day_plan
    counts = _of(counted, code, day)
    counts = counts[counts["shift_code"] == shift_code] if not counts.empty else counts
    hours = _shift_hours(plan, counts, shift, day)
    rows = []  # each hour coloured by the achievement thresholds (metrics/thresholds.py)
    output_cum = target_cum = 0.0
    shares = m.elapsed_share(hours["slot"], now).tolist() if not hours.empty else []
    for (slot, target, output), share in zip(hours.itertuples(index=False), shares):
        started = slot <= now
        target_cum += target
        output_cum += output if started else 0.0
        # the running hour is held to its target for the minutes gone (the pace), not the hour's
        pace = target * share
        variance = output - pace if started else None
        rows.append({
            "hour": slot.strftime("%H:%M"), "target": target,
            "output": output if started else None, "variance": variance,
            # the hour's achievement of its pace under the line's thresholds; an hour with no
            # target (the break) only says whether it ran behind
            "status": (m.traffic_light(m.ratio_pct(output, pace), th, code)
                       if started and pace > 0 else m.variance_status(variance)),
            "output_cum": output_cum if started else None, "target_cum": target_cum,
            "running": started and share < 1.0,
        })
    output_so_far = float(counts["output"].sum()) if not counts.empty else 0.0
    target_so_far = float(plan["target_so_far"].sum()) if not plan.empty else None
    achievement = m.ratio_pct(output_so_far, target_so_far)
    line_earned = _of(earned, code, day)
    earned_min = float(line_earned["earned_minutes"].fillna(0).sum()) if not line_earned.empty \
        else 0.0
    available = float(day_plan["available_so_far"].sum()) if not day_plan.empty else None
    q_row = _of(quality, code, day)
    efficiency = m.ratio_pct(earned_min, available)
    dhu = _num(q_row["dhu"].iloc[0]) if not q_row.empty else None
    return {
        "line_code": code, "name": name, "shift": _shift_info(shift, day),
        "hours": rows,
        "output": output_so_far, "target_so_far": target_so_far,
        "variance": None if target_so_far is None else output_so_far - target_so_far,
        "target_shift": float(plan["target"].sum()) if not plan.empty else None,
        "achievement_pct": achievement, "status": m.traffic_light(achievement, th, code),
        "efficiency_pct": efficiency,
        "efficiency_status": colour("efficiency_pct", efficiency, th, code),
        "dhu": dhu, "dhu_status": colour("dhu", dhu, th, code),
        "checked": _num(q_row["checked"].iloc[0]) if not q_row.empty else None,
        # firing alerts: pages/tv.py adds them per request (they move without the data version)
        "alerts": [],
    }


def _shift_hours(plan: pd.DataFrame, counts: pd.DataFrame, shift, day) -> pd.DataFrame:
    """slot, target, output of each hour of the line's shift: the plan's hours (overtime
    included), the shift's own hours when the line has no plan, and any hour with counts."""
    frames = []
    if not plan.empty:
        frames.append(plan.groupby("slot", as_index=False)["target"].sum())
    elif shift is not None:
        start = pd.Timestamp(day)
        frames.append(pd.DataFrame({
            "slot": [start + pd.Timedelta(days=d, hours=h) for d, h, _min in shift_hours(
                shift["start"], shift["end"], int(shift.get("break_minutes") or 0))],
            "target": 0.0}))
    if not counts.empty:
        frames.append(counts.groupby("slot", as_index=False)["output"].sum())
    if not frames:
        return pd.DataFrame(columns=["slot", "target", "output"])
    df = frames[0]
    for other in frames[1:]:
        df = df.merge(other, on="slot", how="outer")
    for col in ("target", "output"):
        df[col] = pd.to_numeric(df[col], errors="coerce").fillna(0.0) if col in df else 0.0
    return df.sort_values("slot")[["slot", "target", "output"]].reset_index(drop=True)

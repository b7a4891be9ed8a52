"""The attendance engine (SPEC section 5): raw punches + shift rules + calendar -> daily records.

Pure pandas: no SQL, no Dash, no I/O. Vectorised over all employees at once (group by employee,
sort, shift); only punches that fall in the overlapping windows of two days are resolved one by
one, since which day such a punch belongs to depends on whether the earlier day is still open.

Timestamps are naive plant-local datetimes. A shift day D of an employee runs from D + start to
D + start + length (a night shift runs into D + 1); its punch window is
[start - checkin_before_min, end + checkout_after_min], both ends inclusive.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from metrics.calendar import hhmm_to_minutes, shift_length_minutes
from metrics.ratios import divide

DUPLICATE_SECONDS = 60  # punches of one employee this close together count once
STATUSES = ("P", "A", "HD", "WO", "PH")
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
RECORD_COLUMNS = ["emp_code", "date", "shift_code", "day_type", "status", "in_time", "out_time",
                  "work_minutes", "overtime_minutes", "late_minutes", "early_exit_minutes",
                  "missing_out", "punch_count"]
PUNCH_COLUMNS = ["emp_code", "ts", "direction", "date", "effective", "duplicate", "unmatched"]
_MIN = np.timedelta64(60, "s")


def weekly_off_days(value) -> frozenset[int]:
    """"Fri" or "Sat;Sun" -> weekday numbers (Monday = 0); unknown words are ignored."""
    if value is None or value != value:
        return frozenset()
    parts = str(value).replace(",", ";").split(";")
    return frozenset(WEEKDAYS[p.strip()[:3].lower()] for p in parts
                     if p.strip()[:3].lower() in WEEKDAYS)


def shift_rules(shifts: pd.DataFrame) -> pd.DataFrame:
    """One row per shift_code with the numbers the engine needs, in minutes."""
    rows = []
    for s in shifts.itertuples(index=False):
        length = shift_length_minutes(s.start, s.end)
        brk = _num(getattr(s, "break_minutes", 0))
        rows.append({
            "shift_code": s.shift_code, "start_min": hhmm_to_minutes(s.start),
            "length_min": length, "break_min": brk, "scheduled_min": max(length - brk, 0),
            "late_grace": _num(getattr(s, "late_grace_min", 0)),
            "early_grace": _num(getattr(s, "early_grace_min", 0)),
            "half_day_min": _num(getattr(s, "half_day_hours", 0)) * 60,
            "absent_min": _num(getattr(s, "absent_hours", 0)) * 60,
            "before_min": _num(getattr(s, "checkin_before_min", 0)),
            "after_min": _num(getattr(s, "checkout_after_min", 0)),
            "ot_min": _num(getattr(s, "ot_min_minutes", 0)),
            "weekly_off": weekly_off_days(getattr(s, "weekly_off", None)),
        })
    return pd.DataFrame(rows, columns=[
        "shift_code", "start_min", "length_min", "break_min", "scheduled_min", "late_grace",
        "early_grace", "half_day_min", "absent_min", "before_min", "after_min", "ot_min",
        "weekly_off"]).set_index("shift_code")


def _num(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if v != v or v < 0 else v


def default_shift_code(shifts: pd.DataFrame, configured: str | None = None) -> str | None:
    """SPEC section 2: DEFAULT_SHIFT when it exists, else the first shift by shift_code."""
    codes = sorted(shifts["shift_code"]) if not shifts.empty else []
    if configured and configured in codes:
        return configured
    return codes[0] if codes else None


def employee_shifts(employees: pd.DataFrame, rules: pd.DataFrame, default: str | None
                    ) -> pd.Series:
    """emp_code -> the shift whose rules apply (an unknown or missing shift follows the default)."""
    codes = employees["shift_code"].where(employees["shift_code"].isin(rules.index), default)
    return pd.Series(codes.to_numpy(), index=employees["emp_code"].to_numpy())


def max_window_minutes(shifts: pd.DataFrame) -> int:
    """How far (minutes after D 00:00) the latest punch window of any shift of day D reaches."""
    rules = shift_rules(shifts)
    if rules.empty:
        return 24 * 60
    return int((rules["start_min"] + rules["length_min"] + rules["after_min"]).max())


# --- punches -> shift days -----------------------------------------------------------------------

def assign_punches(punches: pd.DataFrame, shift_of: pd.Series, rules: pd.DataFrame,
                   default: str | None) -> pd.DataFrame:
    """Each punch with its shift day `date` (NaT when it falls in no window: `unmatched`), its
    `effective` direction (IN/OUT after resolving BOTH) and `duplicate` (within 60 s of the
    employee's previous punch: counts once). Input columns: emp_code, ts, direction."""
    p = punches[["emp_code", "ts", "direction"]].copy()
    p["ts"] = pd.to_datetime(p["ts"]).astype("datetime64[ns]")
    p["direction"] = p["direction"].astype(str).str.upper().str.strip()
    p = p.sort_values(["emp_code", "ts", "direction"], kind="stable", ignore_index=True)
    same_emp = p["emp_code"].eq(p["emp_code"].shift())
    gap = p["ts"] - p["ts"].shift()
    p["duplicate"] = same_emp & (gap < pd.Timedelta(seconds=DUPLICATE_SECONDS))
    p["shift_code"] = p["emp_code"].map(shift_of).fillna(default) if default else \
        p["emp_code"].map(shift_of)
    p["date"] = pd.NaT
    p["effective"] = None
    p["unmatched"] = False
    if p.empty or rules.empty:
        p["unmatched"] = True
        return p

    r = rules.reindex(p["shift_code"])
    known = r["start_min"].notna().to_numpy()
    start = pd.to_timedelta(r["start_min"].fillna(0).to_numpy(), unit="m")
    length = pd.to_timedelta(r["length_min"].fillna(0).to_numpy(), unit="m")
    before = pd.to_timedelta(r["before_min"].fillna(0).to_numpy(), unit="m")
    after = pd.to_timedelta(r["after_min"].fillna(0).to_numpy(), unit="m")
    day0 = p["ts"].dt.normalize().to_numpy()
    live = known & ~p["duplicate"].to_numpy()
    hits = []
    for offset in (-1, 0, 1):  # a window may start the evening before or end the next morning
        day = day0 + np.timedelta64(offset, "D")
        s = day + start.to_numpy()
        inside = (p["ts"].to_numpy() >= s - before.to_numpy()) & (
            p["ts"].to_numpy() <= s + length.to_numpy() + after.to_numpy())
        hits.append(np.where(inside & live, day, np.datetime64("NaT")))
    hits = np.vstack(hits)  # 3 x n: candidate day per offset, NaT when outside
    n_hits = (~np.isnat(hits)).sum(axis=0)
    earliest = np.where(np.isnat(hits), np.datetime64("2262-01-01", "ns"), hits).min(axis=0)
    first = np.where(n_hits >= 1, earliest, np.datetime64("NaT", "ns"))
    p["date"] = pd.to_datetime(first).astype("datetime64[ns]")
    p["unmatched"] = (n_hits == 0) & ~p["duplicate"].to_numpy()
    p = _effective_directions(p)
    overlap = n_hits >= 2
    if overlap.any():
        p = _resolve_overlaps(p, overlap, hits)
    return p


def _effective_directions(p: pd.DataFrame) -> pd.DataFrame:
    """IN/OUT as given; BOTH alternates with the direction before it on the same shift day
    (the first punch of a day is an IN)."""
    live = p[~p["duplicate"] & p["date"].notna()]
    eff = live["direction"].where(live["direction"].isin(["IN", "OUT"]))
    group = [live["emp_code"], live["date"]]
    # the last explicit direction before each punch, and how many BOTH punches since it
    explicit = eff.groupby(group).ffill()
    is_both = eff.isna()
    run = (~is_both).groupby(group).cumsum()
    k = is_both.astype(int).groupby([live["emp_code"], live["date"], run]).cumsum()
    flip = (k % 2 == 1)
    opposite = explicit.map({"IN": "OUT", "OUT": "IN"})
    resolved = np.where(explicit.isna(), np.where(flip, "IN", "OUT"),
                        np.where(flip, opposite, explicit))
    # with no explicit direction before: the 1st BOTH (k=1) is IN, the 2nd OUT, ...
    p.loc[live.index, "effective"] = np.where(is_both, resolved, eff)
    return p


def _resolve_overlaps(p: pd.DataFrame, overlap: np.ndarray, hits: np.ndarray) -> pd.DataFrame:
    """Punches inside the windows of two days: a punch closes the open shift before it opens a
    new one. An IN opens the later day; an OUT (or a BOTH) closes the earlier day when it is
    open (its last punch was an IN), else belongs to the later day when that one has opened."""
    emps = p.loc[overlap, "emp_code"].unique()
    rows = p.index[p["emp_code"].isin(emps)]
    state: dict[tuple, str] = {}  # (emp, day) -> last effective direction
    for i in rows:
        if p.at[i, "duplicate"] or pd.isna(p.at[i, "date"]):
            continue
        emp = p.at[i, "emp_code"]
        days = [d for d in hits[:, i] if not np.isnat(d)]
        if len(days) >= 2:
            early, late = pd.Timestamp(min(days)), pd.Timestamp(max(days))
            direction = p.at[i, "direction"]
            early_open = state.get((emp, early)) == "IN"
            if direction == "IN":
                day, eff = late, "IN"
            elif early_open:
                day, eff = early, "OUT"
            elif direction == "BOTH":
                day = late
                eff = "OUT" if state.get((emp, late)) == "IN" else "IN"
            else:
                day, eff = (late, "OUT") if (emp, late) in state else (early, "OUT")
            p.at[i, "date"], p.at[i, "effective"] = day, eff
        else:
            day = pd.Timestamp(p.at[i, "date"])
            eff = p.at[i, "effective"]
            if p.at[i, "direction"] == "BOTH":  # alternation follows the day's resolved state
                eff = "OUT" if state.get((emp, day)) == "IN" else "IN"
                p.at[i, "effective"] = eff
        state[(emp, day)] = eff
    return p


# --- shift days -> daily records -----------------------------------------------------------------

def daily_records(punches: pd.DataFrame, employees: pd.DataFrame, shifts: pd.DataFrame,
                  holidays, first_day: date, last_day: date, default_shift: str | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one record per employee and day in [first_day, last_day], the punches as assigned).

    `punches`: emp_code, ts, direction, covering at least the windows of those days.
    `employees`: emp_code, shift_code, date_joined, date_left (both inclusive; null = open).
    `holidays`: an iterable of dates. An employee gets a record on every day of their employment
    and on any other day they punched. The punch frame has PUNCH_COLUMNS; `unmatched` punches
    fell in no window of their employee's shift and are kept, not dropped.
    """
    rules = shift_rules(shifts)
    default = default_shift_code(shifts, default_shift)
    shift_of = employee_shifts(employees, rules, default)
    assigned = assign_punches(punches, shift_of, rules, default)
    first, last = pd.Timestamp(first_day), pd.Timestamp(last_day)
    in_range = assigned["date"].between(first, last)
    used = assigned[in_range & ~assigned["duplicate"]]
    worked = _worked(used, rules)

    days = pd.date_range(first, last, freq="D")
    roster = _roster(employees, days)
    keys = pd.concat([roster, worked[["emp_code", "date"]]], ignore_index=True).drop_duplicates()
    df = keys.merge(worked, on=["emp_code", "date"], how="left")
    for col in ("in_time", "out_time"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
    df["shift_code"] = df["emp_code"].map(shift_of)
    if default:
        df["shift_code"] = df["shift_code"].fillna(default)
    df = _evaluate(df, rules, holidays)
    df = df.sort_values(["emp_code", "date"], ignore_index=True)
    df["date"] = df["date"].dt.date
    punches_out = assigned.assign(date=assigned["date"].dt.date.where(assigned["date"].notna()))
    return df[RECORD_COLUMNS], punches_out[PUNCH_COLUMNS]


def _roster(employees: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """(emp_code, date) for every day of each employee's employment within `days`."""
    if employees.empty or len(days) == 0:
        return pd.DataFrame({"emp_code": pd.Series(dtype=object),
                             "date": pd.Series(dtype="datetime64[ns]")})
    joined = pd.to_datetime(employees["date_joined"]).fillna(days[0]).to_numpy()
    left = pd.to_datetime(employees["date_left"]).fillna(days[-1]).to_numpy()
    grid_days = np.tile(days.to_numpy(), len(employees))
    emp = np.repeat(employees["emp_code"].to_numpy(), len(days))
    keep = (grid_days >= np.repeat(joined, len(days))) & (grid_days <= np.repeat(left, len(days)))
    return pd.DataFrame({"emp_code": emp[keep], "date": grid_days[keep]})


def _worked(p: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Per employee and shift day: in/out time, worked minutes (IN->OUT pairs, counted from the
    shift start, less the break when a pair covers the mid-point), missing_out, punch count."""
    cols = ["emp_code", "date", "in_time", "out_time", "raw_work", "covers_mid", "missing_out",
            "punch_count"]
    if p.empty:
        return pd.DataFrame(columns=cols).astype({"date": "datetime64[ns]"})
    p = p.sort_values(["emp_code", "date", "ts"], kind="stable")
    r = rules.reindex(p["shift_code"])
    start = p["date"].to_numpy() + pd.to_timedelta(r["start_min"].to_numpy(), unit="m").to_numpy()
    mid = start + pd.to_timedelta(r["length_min"].to_numpy() / 2, unit="m").to_numpy()
    group = [p["emp_code"], p["date"]]
    eff = p["effective"]
    prev = eff.groupby(group).shift()
    opening = (eff == "IN") & (prev != "IN")  # a second IN in a row is ignored
    closing = (eff == "OUT") & (prev == "IN")  # an OUT with no open IN is ignored
    pair = opening.astype(int).groupby(group).cumsum()
    t = pd.DataFrame({"emp_code": p["emp_code"], "date": p["date"], "pair": pair,
                      "open_ts": p["ts"].where(opening), "close_ts": p["ts"].where(closing),
                      "start": start, "mid": mid})
    pairs = t[pair > 0].groupby(["emp_code", "date", "pair"], sort=False).agg(
        open_ts=("open_ts", "min"), close_ts=("close_ts", "min"), start=("start", "first"),
        mid=("mid", "first")).reset_index()
    counted_from = pairs[["open_ts", "start"]].max(axis=1)
    closed = pairs["close_ts"].notna()
    minutes = ((pairs["close_ts"] - counted_from) / _MIN).clip(lower=0).where(closed, 0.0)
    pairs["minutes"] = minutes
    pairs["closed"] = closed
    pairs["covers_mid"] = closed & (counted_from <= pairs["mid"]) & (
        pairs["close_ts"] >= pairs["mid"])
    per_day = pairs.groupby(["emp_code", "date"], sort=False).agg(
        raw_work=("minutes", "sum"), covers_mid=("covers_mid", "any"),
        last_closed=("closed", "last")).reset_index()
    per_day["missing_out"] = ~per_day.pop("last_closed")
    base = pd.DataFrame({"emp_code": p["emp_code"], "date": p["date"],
                         "in_ts": p["ts"].where(eff == "IN"),
                         "out_ts": p["ts"].where(eff == "OUT")})
    times = base.groupby(["emp_code", "date"], sort=False).agg(
        in_time=("in_ts", "min"), out_time=("out_ts", "max"),
        punch_count=("in_ts", "size")).reset_index()
    out = times.merge(per_day, on=["emp_code", "date"], how="left")
    out["raw_work"] = out["raw_work"].fillna(0.0)
    out["covers_mid"] = out["covers_mid"].astype("boolean").fillna(False).astype(bool)
    out["missing_out"] = out["missing_out"].astype("boolean").fillna(False).astype(bool)
    return out[cols]


def _evaluate(df: pd.DataFrame, rules: pd.DataFrame, holidays) -> pd.DataFrame:
    """Day type, status, late and early-exit minutes and overtime of each record."""
    r = rules.reindex(df["shift_code"]).reset_index(drop=True)
    df = df.reset_index(drop=True)
    holiday_days = pd.to_datetime(pd.Series(list(holidays or []), dtype=object)).dt.normalize()
    weekday = df["date"].dt.dayofweek.to_numpy()
    off = np.array([wd in offs if isinstance(offs, frozenset) else False
                    for wd, offs in zip(weekday, r["weekly_off"])], dtype=bool)
    holiday = df["date"].isin(holiday_days.tolist())
    df["day_type"] = np.where(holiday, "PH", np.where(off, "WO", "W"))
    punched = df["punch_count"].fillna(0).to_numpy() > 0
    df["punch_count"] = df["punch_count"].fillna(0).astype(int)
    df["missing_out"] = df["missing_out"].astype("boolean").fillna(False).astype(bool)
    covers = df["covers_mid"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    raw = df["raw_work"].fillna(0.0).to_numpy(dtype=float)
    work = np.maximum(raw - np.where(covers, r["break_min"].fillna(0).to_numpy(), 0.0), 0.0)
    df["work_minutes"] = work

    absent_min = r["absent_min"].fillna(0).to_numpy()
    half_min = r["half_day_min"].fillna(0).to_numpy()
    status = np.where((absent_min > 0) & (work < absent_min), "A",
                      np.where((half_min > 0) & (work < half_min), "HD", "P"))
    working_day = df["day_type"].to_numpy() == "W"
    df["status"] = np.where(punched, status, np.where(working_day, "A", df["day_type"]))

    start = df["date"] + pd.to_timedelta(r["start_min"].fillna(0).to_numpy(), unit="m")
    end = start + pd.to_timedelta(r["length_min"].fillna(0).to_numpy(), unit="m")
    late = (df["in_time"] - start) / _MIN
    late_grace = r["late_grace"].fillna(0).to_numpy()
    df["late_minutes"] = np.where(working_day & (late > late_grace).to_numpy(), late, 0.0)
    early = (end - df["out_time"]) / _MIN
    early_grace = r["early_grace"].fillna(0).to_numpy()
    df["early_exit_minutes"] = np.where(working_day & (early > early_grace).to_numpy(), early, 0.0)
    extra = work - r["scheduled_min"].fillna(0).to_numpy()
    ot = np.where((extra > 0) & (extra >= r["ot_min"].fillna(0).to_numpy()), extra, 0.0)
    df["overtime_minutes"] = np.where(working_day, ot, work)
    return df


# --- summaries -----------------------------------------------------------------------------------

def attendance_pct(present, half_days, scheduled):
    """SPEC section 4: (P + 0.5 x HD) / scheduled days x 100; null for no scheduled day."""
    return divide(present + 0.5 * half_days, scheduled, 100.0)


def add_attendance_pct(df: pd.DataFrame) -> pd.DataFrame:
    """attendance_pct and absenteeism_pct of rows holding P, HD, A and scheduled_days sums."""
    out = df.copy()
    out["attendance_pct"] = divide(out["P"] + 0.5 * out["HD"], out["scheduled_days"], 100.0)
    out["absenteeism_pct"] = divide(out["A"], out["scheduled_days"], 100.0)
    return out


def last_closed_day(now, shifts: pd.DataFrame) -> date:
    """The latest day whose punch windows have all closed at `now` (naive plant-local)."""
    reach = timedelta(minutes=max_window_minutes(shifts))
    return (pd.Timestamp(now) - reach).date()

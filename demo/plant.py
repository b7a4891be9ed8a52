"""The demo plant's skeleton: calendar, lines, shifts, styles, machines, style runs and the
line-shift-day "slots" (with their hours) that every fact table hangs off.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from demo import catalog as cat

WEEKLY_OFF = 4  # Friday (Monday = 0)
BREAK_MIN = 60
SHIFT_MIN = 540  # scheduled span of both shifts, break included
WORKING_MIN = SHIFT_MIN - BREAK_MIN

SHIFT_ROWS = [
    # shift_code, name, start, end; both shifts share the plant's attendance rules
    ("A", "Day shift", "08:00", "17:00"),
    ("B", "Night shift", "20:00", "05:00"),
]
SHIFT_RULES = dict(
    break_minutes=BREAK_MIN, late_grace_min=5, early_grace_min=5, half_day_hours=4.0,
    absent_hours=2.0, checkin_before_min=120, checkout_after_min=240, ot_min_minutes=30,
    weekly_off="Fri",
)
SHIFT_START_MIN = {"A": 8 * 60, "B": 20 * 60}
# minutes after the shift start: 12:00 and 00:00, the hour around the shift's mid-point, where
# metrics.calendar.shift_hours puts the break (so hourly targets and output agree)
LUNCH_AT = {"A": 240, "B": 240}

# Output per hour relative to a steady hour: slow first hour, the meal-break dip, a slow restart
# and (at night) fatigue before dawn. Nine clock hours each, break hour included.
HOUR_SHAPE = {
    "A": [0.60, 0.92, 1.02, 1.05, 0.12, 0.85, 1.00, 1.00, 1.04],
    "B": [0.62, 0.95, 1.02, 1.00, 0.12, 0.85, 0.95, 0.92, 0.88],
}
OT_SHAPE = [0.95]  # the day shift's overtime hour, 17:00


@dataclass(frozen=True)
class Config:
    days: int
    lines: int
    camera_lines: int
    camera_stations: int  # stations watched per camera line (0 = every station)
    heartbeat_min: int
    night_share: float = 0.25


@dataclass
class Plant:
    """Everything the domain generators share. Frames here are internal (extra columns)."""
    seed: int
    config: Config
    end: datetime  # the last hour the data covers (plant-local, naive)
    horizon: datetime  # end + 1 h: nothing happens at or after it
    first_day: date
    end_day: date
    lines: pd.DataFrame | None = None
    shifts: pd.DataFrame | None = None
    styles: pd.DataFrame | None = None
    holidays: pd.DataFrame | None = None
    machines: pd.DataFrame | None = None
    runs: pd.DataFrame | None = None
    slots: pd.DataFrame | None = None
    slot_hours: pd.DataFrame | None = None
    work_days: list = field(default_factory=list)  # working days, a few weeks either side

    def rng(self, domain: str, *parts: int) -> np.random.Generator:
        """An independent stream per domain (and part, such as a day): changing one domain
        never reshuffles another."""
        return np.random.default_rng([self.seed, zlib.crc32(domain.encode()), *parts])


def build_plant(config: Config, seed: int, end: datetime) -> Plant:
    end_day = end.date()
    plant = Plant(seed=seed, config=config, end=end, horizon=end + timedelta(hours=1),
                  first_day=end_day - timedelta(days=config.days - 1), end_day=end_day)
    plant.holidays = _holidays(plant)
    plant.work_days = _work_days(plant)
    plant.first_day = _first_day_with_a_shift(plant)
    plant.shifts = pd.DataFrame(
        [dict(shift_code=c, name=n, start=s, end=e, **SHIFT_RULES) for c, n, s, e in SHIFT_ROWS])
    plant.styles = pd.DataFrame(cat.STYLES, columns=["style_code", "description", "smv", "family"])
    plant.lines = _lines(plant)
    plant.machines = _machines(plant)
    plant.runs = _style_runs(plant)
    plant.slots, plant.slot_hours = _slots(plant)
    return plant


# --- calendar ------------------------------------------------------------------------------------

def _holidays(plant: Plant) -> pd.DataFrame:
    """The plant's holiday calendar for every year the range touches (future ones included, as a
    published calendar would). A holiday on the last day is dropped so that today has data."""
    rows = []
    for year in range(plant.first_day.year, plant.end_day.year + 1):
        rows += [(date(year, m, d), name) for m, d, name in cat.FIXED_HOLIDAYS]
        for mmdd, name, length in cat.LUNAR_HOLIDAYS.get(year, []):
            first = date.fromisoformat(f"{year}-{mmdd}")
            rows += [(first + timedelta(days=i), name) for i in range(length)]
    frame = pd.DataFrame(rows, columns=["date", "name"]).drop_duplicates("date")
    frame = frame[frame["date"] != plant.end_day]
    return frame.sort_values("date", ignore_index=True)


def _first_day_with_a_shift(plant: Plant) -> date:
    """The first day of the range, or, when no shift has started in it yet (a short range over a
    weekly off in the small hours), the last working day a shift started on: a reload of one or
    two days at 02:00 on a Saturday still has data."""
    earliest = timedelta(minutes=min(SHIFT_START_MIN.values()))
    started = [d for d in plant.work_days
               if d <= plant.end_day and datetime.combine(d, time.min) + earliest < plant.horizon]
    if not started or any(d >= plant.first_day for d in started):
        return plant.first_day
    return max(started)


def _work_days(plant: Plant) -> list[date]:
    """Production days from 60 days before the range to 60 after (runs and orders need both).
    Fridays are off, except that the last day is always worked (a Friday with overtime, as
    factories run in peak season) so that "today" is never empty."""
    holidays = set(plant.holidays["date"])
    out = []
    day = plant.first_day - timedelta(days=60)
    while day <= plant.end_day + timedelta(days=60):
        if day == plant.end_day or (day.weekday() != WEEKLY_OFF and day not in holidays):
            out.append(day)
        day += timedelta(days=1)
    return out


# --- lines, machines -----------------------------------------------------------------------------

def _spread(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """n values evenly spread over [low, high] in random order, so lines always differ."""
    values = np.linspace(low, high, n) if n > 1 else np.array([(low + high) / 2])
    return rng.permutation(values)


def allocate(shares: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder split of n into integer counts proportional to shares."""
    raw = np.asarray(shares, dtype=float) / np.sum(shares) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def _lines(plant: Plant) -> pd.DataFrame:
    rng = plant.rng("lines")
    n = plant.config.lines
    codes = [f"L{i + 1:02d}" for i in range(n)]
    skill = _spread(rng, n, 0.60, 0.92)  # share of available minutes that earns SMV
    night = np.zeros(n, dtype=bool)
    n_night = max(1, round(n * plant.config.night_share)) if n >= 3 else 0
    night[np.sort(rng.choice(n, n_night, replace=False))] = True
    families = np.repeat([f for f, _ in cat.FAMILY_MIX],
                         allocate(np.array([s for _, s in cat.FAMILY_MIX]), n))
    # cameras go on day-only lines first (one crew per station), then on the others
    order = np.concatenate([np.flatnonzero(~night), np.flatnonzero(night)])
    camera = np.zeros(n, dtype=bool)
    camera[order[: plant.config.camera_lines]] = True
    frame = pd.DataFrame({
        "line_code": codes,
        "name": [f"Sewing Line {i + 1:02d}" for i in range(n)],
        "department": "Sewing",
        "floor": [f"Floor {i // 10 + 2}" for i in range(n)],  # ground floor is cutting
        "skill": skill,
        "defect_rate": np.clip(0.08 - (skill - 0.60) / 0.32 * 0.055 + rng.normal(0, 0.006, n),
                               0.02, 0.08),
        "family": rng.permutation(families),
        "night": night,
        "camera": camera,
        # how optimistic the line's planner is: some lines beat their targets, most do not
        "plan_bias": _spread(rng, n, 0.84, 1.0),
        "wip_target": rng.integers(150, 400, n),
        "ops_A": rng.integers(25, 46, n),
        "helpers_A": rng.integers(2, 7, n),
        "ops_B": rng.integers(25, 36, n),
        "helpers_B": rng.integers(2, 5, n),
    })
    return frame


def _machines(plant: Plant) -> pd.DataFrame:
    rng = plant.rng("machines")
    types = cat.MACHINE_TYPES
    frames = []
    for line in plant.lines.itertuples(index=False):
        count = int(line.ops_A) + int(rng.integers(2, 6))
        kinds = rng.permutation(np.repeat(np.arange(len(types)),
                                          allocate(np.array([t[1] for t in types]), count)))
        make_idx = rng.integers(0, 1000, count)
        interval = np.array([types[k][2] for k in kinds])
        # days since the last PM: mostly within the interval, about one in eight overdue
        since = (rng.uniform(0, 1.15, count) * interval).astype(int)
        frames.append(pd.DataFrame({
            "machine_code": [f"{line.line_code}-M{i + 1:02d}" for i in range(count)],
            "line_code": line.line_code,
            "type": [types[k][0] for k in kinds],
            "make": [types[k][3][m % len(types[k][3])][0] for k, m in zip(kinds, make_idx)],
            "model": [types[k][3][m % len(types[k][3])][1] for k, m in zip(kinds, make_idx)],
            "installed_date": [plant.end_day - timedelta(days=int(x))
                               for x in rng.integers(200, 3000, count)],
            "last_pm_date": [plant.end_day - timedelta(days=int(x)) for x in since],
            "pm_interval_days": interval,
        }))
    return pd.concat(frames, ignore_index=True)


# --- style runs and slots ------------------------------------------------------------------------

def _style_runs(plant: Plant) -> pd.DataFrame:
    """Each line runs one style for one to three weeks of working days, then changes over. Runs cover the
    working-day calendar on both sides of the range (orders need the past and the plan)."""
    rng = plant.rng("runs")
    styles = plant.styles
    n_days = len(plant.work_days)
    first_idx = next(i for i, d in enumerate(plant.work_days) if d >= plant.first_day)
    rows = []
    for line in plant.lines.itertuples(index=False):
        choices = styles.loc[styles["family"] == line.family, "style_code"].tolist()
        start = first_idx - int(rng.integers(1, 9))
        prev = None
        run_no = 0
        while start < n_days:
            # mostly one to two weeks, sometimes three: long enough to see a line learn a style
            length = int(rng.integers(5, 13)) if rng.random() > 0.3 else int(rng.integers(13, 22))
            pick = [s for s in choices if s != prev]
            style = pick[int(rng.integers(0, len(pick)))]
            rows.append((line.line_code, run_no, style, start, start + length))
            prev, start, run_no = style, start + length, run_no + 1
    runs = pd.DataFrame(rows, columns=["line_code", "run_no", "style_code", "first_idx",
                                       "end_idx"])
    last = len(plant.work_days) - 1
    runs["first_day"] = [plant.work_days[max(0, i)] for i in runs["first_idx"]]
    runs["last_day"] = [plant.work_days[min(last, i - 1)] for i in runs["end_idx"]]
    return runs


def _slots(plant: Plant) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Line-shift-days that ran (up to the horizon), and their clock hours."""
    rng = plant.rng("slots")
    lines = plant.lines
    days = [(i, d) for i, d in enumerate(plant.work_days) if plant.first_day <= d <= plant.end_day]
    day_idx = np.array([i for i, _ in days])
    day_val = [d for _, d in days]
    parts = []
    for shift in ("A", "B"):
        use = lines if shift == "A" else lines[lines["night"]]
        n_l, n_d = len(use), len(days)
        if not n_l:
            continue
        parts.append(pd.DataFrame({
            "line_code": np.repeat(use["line_code"].to_numpy(), n_d),
            "shift_code": shift,
            "day_idx": np.tile(day_idx, n_l),
            "date": day_val * n_l,
        }))
    slots = pd.concat(parts, ignore_index=True)
    slots["start"] = (pd.to_datetime(slots["date"])
                      + pd.to_timedelta(slots["shift_code"].map(SHIFT_START_MIN), unit="min"))
    slots = slots[slots["start"] < plant.horizon]
    if slots.empty:
        raise ValueError("no shift starts in the range: give more days or a later end")
    slots = slots.sort_values(["start", "line_code"], ignore_index=True)
    # overtime: the day shift sometimes stays an hour (not longer: from 18:30 on, the shared
    # shift mapping would give a timestamp to the night shift, and the tables would disagree)
    ot = rng.choice([0, 60], size=len(slots), p=[0.7, 0.3])
    slots["ot_min"] = np.where(slots["shift_code"] == "A", ot, 0)
    slots = _attach_runs(slots, plant.runs)
    slots["slot_id"] = np.arange(len(slots))
    return slots, _hours(plant, slots)


def _attach_runs(slots: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    out = []
    for line_code, group in slots.groupby("line_code", sort=True):
        r = runs[runs["line_code"] == line_code].sort_values("first_idx")
        pos = np.searchsorted(r["end_idx"].to_numpy(), group["day_idx"].to_numpy(), side="right")
        g = group.copy()
        g["run_no"] = r["run_no"].to_numpy()[pos]
        g["style_code"] = r["style_code"].to_numpy()[pos]
        g["learn_day"] = g["day_idx"].to_numpy() - r["first_idx"].to_numpy()[pos]
        out.append(g)
    slots = pd.concat(out).sort_values(["start", "line_code"], ignore_index=True)
    slots["changeover"] = slots["learn_day"] == 0
    return slots


def _hours(plant: Plant, slots: pd.DataFrame) -> pd.DataFrame:
    """One row per slot and clock hour: its start, output weight and working minutes."""
    parts = []
    for shift in ("A", "B"):
        s = slots[slots["shift_code"] == shift]
        if s.empty:
            continue
        shape = HOUR_SHAPE[shift] + (OT_SHAPE if shift == "A" else [])
        n_h = len(shape)
        lunch_idx = LUNCH_AT[shift] // 60
        idx = np.tile(np.arange(n_h), len(s))
        parts.append(pd.DataFrame({
            "slot_id": np.repeat(s["slot_id"].to_numpy(), n_h),
            "hour_idx": idx,
            "hour_start": np.repeat(s["start"].to_numpy(), n_h) + pd.to_timedelta(idx, unit="h"),
            "weight": np.tile(shape, len(s)),
            "minutes": np.where(idx == lunch_idx, 0, 60),
            "ot_min": np.repeat(s["ot_min"].to_numpy(), n_h),
        }))
    hours = pd.concat(parts, ignore_index=True)
    hours = hours[(hours["hour_idx"] < 9 + hours["ot_min"] // 60)
                  & (hours["hour_start"] < plant.horizon)]
    hours = hours.drop(columns="ot_min").sort_values(["hour_start", "slot_id"], ignore_index=True)
    hours["hour"] = hours["hour_start"].dt.hour
    return hours

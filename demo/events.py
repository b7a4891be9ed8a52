"""Demo camera events: stations on the camera lines and, per production day, the working / idle /
absent state events (with heartbeats) and product counts of the operators watched there.

Built one production day at a time (`iter_events`) so the benchmark plant's ten million events
can stream into the database instead of sitting in memory all at once.
"""
from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Iterator

import numpy as np
import pandas as pd

from demo.plant import LUNCH_AT, SHIFT_MIN, Plant

WORKING, IDLE, ABSENT = 0, 1, 2
STATE_NAMES = np.array(["working", "idle", "absent"])
PRODUCT_EVERY_MIN = 20  # a product count per 20 minutes of work
DROPOUT_SHARE = 0.04  # worker-days on which the camera loses sight for 35-120 minutes
EVENT_COLUMNS = ["event_id", "ts", "emp_code", "station_code", "event_type", "confidence",
                 "count", "model_version", "date", "shift_code", "line_code"]


def stations(plant: Plant) -> pd.DataFrame:
    """The first machines of each camera line are the stations a camera watches."""
    per_line = plant.config.camera_stations
    cam = plant.lines.loc[plant.lines["camera"], ["line_code", "ops_A", "ops_B", "night"]]
    parts = []
    for line in cam.itertuples(index=False):
        n = min(line.ops_A, line.ops_B) if line.night else line.ops_A
        n = min(int(n), per_line) if per_line else int(n)
        m = plant.machines[plant.machines["line_code"] == line.line_code].head(n)
        parts.append(pd.DataFrame({
            "station_code": [f"{line.line_code}-ST{i + 1:02d}" for i in range(len(m))],
            "name": [f"{line.line_code} station {i + 1:02d}" for i in range(len(m))],
            "type": m["type"].to_numpy(),
            "line_code": line.line_code,
            "position": np.arange(len(m)),
        }))
    if not parts:
        return pd.DataFrame(columns=["station_code", "name", "type", "line_code", "position"])
    return pd.concat(parts, ignore_index=True)


def watched(rostered: pd.DataFrame, op_out: pd.DataFrame, st: pd.DataFrame) -> pd.DataFrame:
    """Operator-shifts seen by a camera: one per present operator at a watched station."""
    w = rostered[(rostered["role"] == "operator") & rostered["present"]].merge(
        st[["line_code", "position", "station_code"]], on=["line_code", "position"])
    units = op_out.groupby(["slot_id", "emp_code"])["qty"].sum().rename("units")
    w = w.merge(units, left_on=["slot_id", "emp_code"], right_index=True, how="left")
    w["units"] = w["units"].fillna(0)
    return w.sort_values(["date", "slot_id", "station_code"], ignore_index=True)


def iter_events(plant: Plant, seen: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Yield one production day's events at a time, in arrival order."""
    switch_day = plant.first_day + timedelta(days=int(plant.config.days * 0.6))
    for day, group in seen.groupby("date", sort=True):
        rng = plant.rng("events", day.toordinal())
        frame = _day_events(plant, group.reset_index(drop=True), rng)
        if frame.empty:
            continue
        frame["model_version"] = "fpv-2.4.0" if day >= switch_day else "fpv-2.3.1"
        prefix = f"ev-{day:%Y%m%d}-"
        frame["event_id"] = [f"{prefix}{i:06d}" for i in range(1, len(frame) + 1)]
        yield frame[EVENT_COLUMNS]


def _day_events(plant: Plant, w: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    grid = _state_grid(w, rng)  # (n, SHIFT_MIN) state of each worker at each minute
    minute = np.arange(SHIFT_MIN)
    change = np.ones_like(grid, dtype=bool)
    change[:, 1:] = grid[:, 1:] != grid[:, :-1]
    spell_start = np.maximum.accumulate(np.where(change, minute, 0), axis=1)
    beat = (minute - spell_start) % plant.config.heartbeat_min == 0
    rows, cols = np.nonzero(beat)
    state = pd.DataFrame({"row": rows, "minute": cols, "event_type": STATE_NAMES[grid[rows, cols]],
                          "count": 1})

    working = grid == WORKING
    worked = np.cumsum(working, axis=1)
    rate = w["units"].to_numpy() / np.maximum(worked[:, -1], 1)  # units per working minute
    rows, cols = np.nonzero(working & (worked % PRODUCT_EVERY_MIN == 0))
    count = rng.poisson(rate[rows] * PRODUCT_EVERY_MIN)
    keep = count > 0
    units = pd.DataFrame({"row": rows[keep], "minute": cols[keep], "event_type": "product_count",
                          "count": count[keep]})

    ev = pd.concat([state, units], ignore_index=True)
    start = w["start"].to_numpy()[ev["row"].to_numpy()]
    seconds = ev["minute"].to_numpy() * 60 + rng.integers(0, 60, len(ev))
    ev["ts"] = (start + pd.to_timedelta(seconds, "s").to_numpy()).astype("datetime64[us]")
    ev["confidence"] = np.round(0.6 + 0.39 * rng.beta(6.0, 1.6, len(ev)), 3)
    # a camera now and then loses sight of its station for a while: no events at all (no data)
    lost = rng.random(len(w)) < DROPOUT_SHARE
    lost_from = rng.uniform(30, SHIFT_MIN - 150, len(w))
    lost_to = lost_from + rng.uniform(35, 120, len(w))
    row, minute = ev["row"].to_numpy(), ev["minute"].to_numpy()
    ev = ev[~(lost[row] & (minute >= lost_from[row]) & (minute < lost_to[row]))]
    # cameras resend a few state events after a reconnect: the same event under a fresh id
    resent = ev[ev["event_type"] != "product_count"].sample(frac=0.005, random_state=rng)
    ev = pd.concat([ev, resent], ignore_index=True)
    ev = ev[ev["ts"] < plant.horizon]
    for col in ("emp_code", "station_code", "line_code", "shift_code", "date"):
        ev[col] = w[col].to_numpy()[ev["row"].to_numpy()]
    # they arrive a little late, some much later: the stream is not in ts order
    delay = rng.exponential(20, len(ev)) + np.where(rng.random(len(ev)) < 0.01,
                                                    rng.uniform(120, 600, len(ev)), 0)
    arrival = ev["ts"] + pd.to_timedelta(np.round(delay), "s")
    order = np.lexsort((ev["emp_code"].to_numpy(), arrival.to_numpy()))
    return ev.iloc[order].reset_index(drop=True)


def worker_habits(emp_codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """How long each worker keeps at it (x mean work spell) and how long their idle spells run
    (x mean idle spell): fixed per worker, whatever the day, so the same people rank low week
    after week, as on a real floor. Most are close to 1; a few are much idler."""
    u = np.array([zlib.crc32(str(code).encode()) / 2**32 for code in emp_codes])
    v = np.array([zlib.crc32(f"idle:{code}".encode()) / 2**32 for code in emp_codes])
    return 0.5 + 0.9 * u, 0.7 + 2.8 * v ** 2


def _state_grid(w: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Minute-by-minute state: spells of work broken by short idles and the odd short absence,
    absent before arrival, during the meal break and after leaving."""
    n, spells = len(w), 96
    steady, idler = worker_habits(w["emp_code"])
    dur = np.empty((n, spells + 1), dtype=np.int64)
    work = rng.exponential(24 * steady[:, None], (n, spells // 2))
    dur[:, 0:spells:2] = np.maximum(2, work).astype(int)
    idle = rng.lognormal(np.log(3.5 * idler[:, None]), 0.7, (n, spells // 2))
    dur[:, 1:spells:2] = np.maximum(1, idle).astype(int)
    dur[:, spells] = SHIFT_MIN  # always covers the shift
    state = np.tile(np.array([WORKING, IDLE] * (spells // 2) + [WORKING], dtype=np.int8), (n, 1))
    breaks = (state == IDLE) & (rng.random(state.shape) < 0.07)
    state[breaks] = ABSENT
    dur[breaks] = rng.integers(4, 13, int(breaks.sum()))
    end = np.minimum(np.cumsum(dur, axis=1), SHIFT_MIN)
    dur = np.diff(end, axis=1, prepend=0)
    grid = np.repeat(state.ravel(), dur.ravel()).reshape(n, SHIFT_MIN)

    minute = np.arange(SHIFT_MIN)
    arrive = np.maximum(w["in_off"].to_numpy(), 0) + rng.uniform(0.5, 4, n)
    leave = np.minimum(w["out_off"].to_numpy(), SHIFT_MIN)
    lunch = w["shift_code"].map(LUNCH_AT).to_numpy()
    out_at = lunch + rng.integers(-2, 4, n)
    back_at = lunch + 60 + rng.integers(0, 6, n)
    away = ((minute < arrive[:, None]) | (minute >= leave[:, None])
            | ((minute >= out_at[:, None]) & (minute < back_at[:, None])))
    grid[away] = ABSENT
    return grid

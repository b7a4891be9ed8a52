"""Demo people: employees with crews per line and shift, who came to work each day, and the raw
biometric punches that record it (late arrivals, early exits, half days, missing and doubled
punches, a terminal that cannot tell IN from OUT).
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from demo import catalog as cat
from demo.plant import SHIFT_MIN, Plant

EMPLOYEE_COLUMNS = ["emp_code", "name", "department", "designation", "line_code", "shift_code",
                    "device_user_id", "rfid", "date_joined", "date_left", "is_placeholder"]
CREW_ROLES = ("operator", "helper", "qc", "supervisor")
QC_PER_CREW, SUPERVISORS_PER_CREW = 2, 1


def employees(plant: Plant) -> pd.DataFrame:
    """Crews (operators, helpers, QC, a supervisor) per line and shift, mechanics for every two
    lines, and replacements for the few who leave during the range."""
    rng = plant.rng("employees")
    rows = []
    for line in plant.lines.itertuples(index=False):
        for shift in ("A", "B") if line.night else ("A",):
            sizes = dict(operator=getattr(line, f"ops_{shift}"),
                         helper=getattr(line, f"helpers_{shift}"),
                         qc=QC_PER_CREW, supervisor=SUPERVISORS_PER_CREW)
            rows += [(line.line_code, shift, role, p) for role in CREW_ROLES
                     for p in range(int(sizes[role]))]
    night_lines = plant.lines.loc[plant.lines["night"], "line_code"].tolist()
    for shift, pool in (("A", plant.lines["line_code"].tolist()), ("B", night_lines)):
        rows += [(code, shift, "mechanic", p) for p, code in enumerate(pool[::2])]
    staff = pd.DataFrame(rows, columns=["line_code", "shift_code", "role", "position"])
    n = len(staff)
    staff["date_joined"] = [plant.first_day - timedelta(days=int(x))
                            for x in rng.integers(30, 3000, n)]
    staff["date_left"] = None

    # about 4 % of operators and helpers leave; each is replaced a few days later
    span = (plant.end_day - plant.first_day).days
    movable = staff.index[staff["role"].isin(["operator", "helper"])].to_numpy()
    leavers = np.sort(rng.choice(movable, size=int(len(movable) * 0.04), replace=False))
    left = [plant.first_day + timedelta(days=int(x))
            for x in rng.integers(5, max(6, span - 2), len(leavers))]
    # date_left is the last day at work (inclusive, as HR keeps it); they are gone from `left`
    staff.loc[leavers, "date_left"] = pd.Series([d - timedelta(days=1) for d in left],
                                                index=leavers, dtype=object)
    joined = [d + timedelta(days=int(x)) for d, x in zip(left, rng.integers(3, 13, len(leavers)))]
    new = staff.loc[leavers].copy()
    new["date_joined"], new["date_left"] = joined, None
    new = new[new["date_joined"] <= plant.end_day].sort_values("date_joined", kind="stable")
    staff = pd.concat([staff, new], ignore_index=True)

    n = len(staff)
    dept, desig, female_share = zip(*(cat.ROLES[r] for r in staff["role"]))
    female = rng.random(n) < np.array(female_share)
    first = np.where(female, np.array(cat.FEMALE_NAMES)[rng.integers(0, len(cat.FEMALE_NAMES), n)],
                     np.array(cat.MALE_NAMES)[rng.integers(0, len(cat.MALE_NAMES), n)])
    last = np.where(female,
                    np.array(cat.FEMALE_SURNAMES)[rng.integers(0, len(cat.FEMALE_SURNAMES), n)],
                    np.array(cat.MALE_SURNAMES)[rng.integers(0, len(cat.MALE_SURNAMES), n)])
    staff["emp_code"] = [f"E{10001 + i}" for i in range(n)]
    staff["name"] = [f"{a} {b}" for a, b in zip(first, last)]
    staff["department"], staff["designation"] = dept, desig
    staff["device_user_id"] = [str(2001 + i) for i in range(n)]
    staff["rfid"] = [f"{x:010d}" for x in 1_000_000_000 + rng.choice(9 * 10**8, n, replace=False)]
    staff["is_placeholder"] = False
    # habits: most rarely miss a day, a few often do
    staff["absent_p"] = rng.beta(1.3, 22.0, n) + np.where(rng.random(n) < 0.05, 0.12, 0.0)
    staff["late_p"] = rng.beta(1.0, 19.0, n)
    staff["skill_w"] = rng.lognormal(0.0, 0.15, n)
    staff["device_id"] = rng.choice(cat.DEVICES, size=n, p=cat.DEVICE_WEIGHTS)
    return staff


def attendance(plant: Plant, staff: pd.DataFrame) -> pd.DataFrame:
    """One row per employee and slot they were on the roster for: whether they came, when
    they arrived and left (minutes from the shift start) and the share of the shift they worked."""
    rng = plant.rng("attendance")
    slots = plant.slots[["slot_id", "line_code", "shift_code", "date", "start", "ot_min"]]
    rostered = slots.merge(staff[["emp_code", "line_code", "shift_code", "role", "position",
                              "date_joined", "date_left", "absent_p", "late_p", "device_id"]],
                       on=["line_code", "shift_code"])
    left = rostered["date_left"].where(rostered["date_left"].notna(), plant.end_day)
    rostered = rostered[(rostered["date_joined"] <= rostered["date"]) & (rostered["date"] <= left)]
    rostered = rostered.sort_values(["slot_id", "emp_code"], ignore_index=True)
    n = len(rostered)
    weekday = pd.to_datetime(rostered["date"]).dt.day_of_week.to_numpy()
    day_factor = np.select([weekday == 5, weekday == 4], [1.35, 1.6], 1.0)  # after/on the off day
    absent = rng.random(n) < rostered["absent_p"].to_numpy() * day_factor

    late = rng.random(n) < rostered["late_p"].to_numpy()
    in_off = np.where(late, 6 + np.minimum(rng.exponential(12, n), 80),
                      np.clip(rng.normal(-14, 7, n), -110, 4))
    ot = rostered["ot_min"].to_numpy()
    declines_ot = rng.random(n) < 0.08
    q = rng.random(n)
    out_off = np.select(
        [q < 0.012, q < 0.016, q < 0.036],
        [rng.uniform(150, 225, n),  # half day
         rng.uniform(50, 110, n),  # came and left: absent by the rules
         SHIFT_MIN - rng.uniform(20, 150, n)],  # early exit
        SHIFT_MIN + np.where(declines_ot, 0, ot) + rng.uniform(1, 14, n))
    lunch = np.where(rostered["shift_code"] == "A", 300, 240)
    span = np.minimum(out_off, SHIFT_MIN + ot) - np.maximum(in_off, 0)
    worked = span - np.where((in_off < lunch) & (out_off > lunch + 60), 60, 0)
    rostered["present"] = ~absent
    rostered["in_off"], rostered["out_off"] = in_off, out_off
    share = np.clip(worked / (SHIFT_MIN - 60 + ot), 0, 1)
    rostered["worked_frac"] = np.where(absent, 0.0, share)
    rostered["missing_out"] = rng.random(n) < 0.012
    rostered["double_in"] = rng.random(n) < 0.02
    rostered["double_out"] = rng.random(n) < 0.01
    return rostered


def punches(plant: Plant, rostered: pd.DataFrame) -> pd.DataFrame:
    """Raw punches of the present: an IN, an OUT (sometimes missing), sometimes twice."""
    rng = plant.rng("punches")
    came = rostered[rostered["present"]]
    start = came["start"].to_numpy()
    parts = []
    for direction, offset, keep, double in (
            ("IN", came["in_off"].to_numpy(), np.ones(len(came), bool), came["double_in"]),
            ("OUT", came["out_off"].to_numpy(), ~came["missing_out"].to_numpy(),
             came["double_out"])):
        ts = start + pd.to_timedelta(np.round(offset * 60 + rng.uniform(0, 59, len(came))), "s")
        base = pd.DataFrame({"emp_code": came["emp_code"].to_numpy(), "ts": ts,
                             "direction": direction, "device_id": came["device_id"].to_numpy()})
        base = base[keep]
        again = base[double.to_numpy()[keep]].copy()
        again["ts"] = again["ts"] + pd.to_timedelta(rng.integers(2, 46, len(again)), "s")
        parts += [base, again]
    parts.append(_stray(plant, came))
    out = pd.concat(parts, ignore_index=True)
    out.loc[out["device_id"] == cat.BOTH_DEVICE, "direction"] = "BOTH"
    out = out[out["ts"] < plant.horizon]
    # terminals sync every few minutes
    received = out["ts"] + pd.to_timedelta(rng.integers(5, 900, len(out)), "s")
    out["received_at"] = received.where(received < plant.horizon, pd.Timestamp(plant.horizon))
    return out.sort_values(["ts", "emp_code"], ignore_index=True)


def _stray(plant: Plant, came: pd.DataFrame) -> pd.DataFrame:
    """A few punches outside every shift window (someone back for a bag at night, or in at
    midday before a night shift): the attendance engine keeps and reports them as unmatched.
    The day shift's window ends at 21:00, the night shift's opens at 18:00."""
    rng = plant.rng("stray punches")
    picked = came[rng.random(len(came)) < 0.002]
    night = (picked["shift_code"] == "B").to_numpy()
    minutes = np.where(night, -rng.uniform(300, 480, len(picked)),
                       SHIFT_MIN + 240 + rng.uniform(60, 180, len(picked)))
    ts = picked["start"].to_numpy() + pd.to_timedelta(np.round(minutes * 60), "s")
    return pd.DataFrame({"emp_code": picked["emp_code"].to_numpy(), "ts": ts,
                         "direction": "IN", "device_id": picked["device_id"].to_numpy()})

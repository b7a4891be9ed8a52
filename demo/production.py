"""Demo production: plans, downtime, hourly output with WIP and packing, operator output,
end-of-line QC with its defects, and the daily line report. One model drives them all, so the
tables agree: output follows the line's skill, the style's learning curve, who came to work and
the downtime that hour.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo import catalog as cat
from demo.plant import HOUR_SHAPE, OT_SHAPE, SHIFT_MIN, WORKING_MIN, Plant, allocate

BUNDLE = 20  # cut pieces are fed in bundles
CARTON = 12  # and packed by the dozen


def learning(k: np.ndarray, dip, days) -> np.ndarray:
    """Share of the line's normal pace on the k-th day of a style (0 = changeover day)."""
    return 1.0 - dip * np.exp(-np.asarray(k, dtype=float) / days)


def learning_shape(skill) -> tuple[np.ndarray, np.ndarray]:
    """(dip, days) of a line's learning curve: a weaker line starts lower and learns slower
    (skill 0.92: 35 % down on the changeover day, 1.2 days to recover; skill 0.60: 54 %, 4.5
    days), so the Engineering page's curves and days to 90 % differ by line."""
    weak = np.clip((0.92 - np.asarray(skill, dtype=float)) / 0.32, 0.0, 1.0)
    return 0.35 + 0.19 * weak, 1.2 + 3.3 * weak


def plan_slots(plant: Plant, rostered: pd.DataFrame) -> pd.DataFrame:
    """Slots with manpower on the roster, who came, the plan and the pace the line will reach."""
    rng = plant.rng("plans")
    slots = plant.slots.merge(plant.lines[["line_code", "skill", "defect_rate", "family",
                                           "wip_target", "plan_bias"]], on="line_code")
    slots = slots.merge(plant.styles[["style_code", "smv"]], on="style_code")
    crew = rostered[rostered["role"].isin(["operator", "helper"])]
    roster = crew.groupby(["slot_id", "role"]).size().unstack(fill_value=0)
    came = crew.groupby("slot_id")["worked_frac"].sum()
    slots = slots.sort_values("slot_id", ignore_index=True)
    slots["operators"] = roster.get("operator", 0).reindex(slots["slot_id"], fill_value=0).values
    slots["helpers"] = roster.get("helper", 0).reindex(slots["slot_id"], fill_value=0).values
    manpower = slots["operators"] + slots["helpers"]
    slots["present_frac"] = came.reindex(slots["slot_id"], fill_value=0).values / manpower
    slots["working_minutes"] = WORKING_MIN + slots["ot_min"]
    k = slots["learn_day"].to_numpy()
    # planners expect the learning curve too, a little optimistically
    target_eff = (slots["skill"] * manpower / slots["operators"] * learning(k, 0.28, 2.2)
                  * slots["plan_bias"] * rng.uniform(0.97, 1.03, len(slots)))
    slots["target_eff"] = np.clip(target_eff, 0.3, 0.95).round(2)
    slots["target_qty"] = np.round(slots["operators"] * slots["working_minutes"]
                                   * slots["target_eff"] / slots["smv"]).astype(int)
    dip, days = learning_shape(slots["skill"].to_numpy())
    # the bottleneck's operators can sew at most BOTTLENECK_PACE of standard: where the line's
    # skill would ask more of them, the line goes at their pace
    capped = (BOTTLENECK_PACE * layout_staffing(plant, slots) * slots["operators"]
              / (slots["skill"] * manpower))
    pace = (slots["skill"] * learning(k, dip, days) * np.minimum(1.0, capped)
            * slots["present_frac"]
            * rng.lognormal(0.0, 0.06, len(slots)))
    slots["expected_output"] = pace * manpower * slots["working_minutes"] / slots["smv"]
    shape_total = slots["shift_code"].map({s: sum(w) for s, w in HOUR_SHAPE.items()})
    slots["weight_total"] = shape_total + np.where(slots["ot_min"] >= 60, OT_SHAPE[0], 0.0)
    return slots


def line_plans(slots: pd.DataFrame) -> pd.DataFrame:
    return slots[["date", "shift_code", "line_code", "style_code", "target_qty", "operators",
                  "helpers", "working_minutes"]].reset_index(drop=True)


# --- downtime ------------------------------------------------------------------------------------

def breakdowns(plant: Plant, slots: pd.DataFrame) -> pd.DataFrame:
    rng = plant.rng("breakdowns")
    n = len(slots)
    parts = []
    for category, rate, median, share, reasons in cat.DOWNTIME:
        if category == "Absenteeism/balancing":
            lam = rate + 2.5 * np.clip(1 - slots["present_frac"].to_numpy(), 0, 1)
        elif category == "Machine breakdown":
            lam = rate * (1.6 - slots["skill"].to_numpy())  # weaker lines, older machines
        else:
            lam = np.full(n, rate)
        count = rng.poisson(lam)
        idx = np.repeat(np.arange(n), count)
        m = len(idx)
        parts.append(pd.DataFrame({
            "slot": idx, "category": category, "share": share,
            "reason": np.array(reasons)[rng.integers(0, len(reasons), m)],
            "offset": rng.uniform(0, 1, m),
            "minutes": np.clip(rng.lognormal(np.log(median), 0.55, m), 5, 120),
        }))
    name, share, reasons = cat.CHANGEOVER
    idx = np.flatnonzero(slots["changeover"].to_numpy() & (slots["shift_code"] == "A").to_numpy())
    parts.append(pd.DataFrame({
        "slot": idx, "category": name, "share": share,
        "reason": np.array(reasons)[rng.integers(0, len(reasons), len(idx))],
        "offset": -1.0, "minutes": rng.uniform(45, 120, len(idx)),
    }))
    bd = pd.concat(parts, ignore_index=True)
    s = slots.iloc[bd["slot"].to_numpy()]
    # a random working minute of the shift, stepping over the meal break
    work_min = bd["offset"].to_numpy() * s["working_minutes"].to_numpy()
    lunch = np.where(s["shift_code"] == "A", 300, 240)
    at_min = np.where(bd["offset"] < 0, rng.uniform(0, 15, len(bd)),
                      work_min + np.where(work_min >= lunch, 60, 0))
    bd["slot_id"] = s["slot_id"].to_numpy()
    bd["line_code"] = s["line_code"].to_numpy()
    bd["date"] = s["date"].to_numpy()
    bd["shift_code"] = s["shift_code"].to_numpy()
    at = pd.to_timedelta(np.round(at_min * 60), "s").to_numpy()
    bd["start_ts"] = (s["start"].to_numpy() + at).astype("datetime64[us]")
    bd["end_ts"] = bd["start_ts"] + pd.to_timedelta(np.round(bd["minutes"] * 60), "s")
    bd = bd[bd["start_ts"] < plant.horizon]
    bd = _force_open(plant, slots, bd, rng)
    bd["end_ts"] = bd["end_ts"].where(bd["end_ts"] < plant.horizon)  # still open now
    bd["machine_code"] = _pick_machines(plant, bd, rng)
    bd = bd.sort_values(["start_ts", "line_code", "category"], ignore_index=True)
    bd["breakdown_id"] = [f"BD-{i + 1:06d}" for i in range(len(bd))]
    return bd


def _force_open(plant: Plant, slots: pd.DataFrame, bd: pd.DataFrame, rng) -> pd.DataFrame:
    """One or two machines are down right now, waiting for a mechanic."""
    want = 1 + int(rng.random() < 0.5)
    still = np.flatnonzero((bd["end_ts"] >= plant.horizon).to_numpy())
    if len(still) >= want:  # the others were just fixed
        fixed = bd.index[still[want:]]
        start = bd.loc[fixed, "start_ts"]
        bd.loc[fixed, "end_ts"] = start + ((pd.Timestamp(plant.horizon) - start) / 2).dt.floor("s")
        return bd
    want -= len(still)
    latest = slots.sort_values("start").groupby("line_code").tail(1)
    latest = latest.sort_values(["start", "line_code"], ascending=[False, True]).head(want)
    slot_end = latest["start"] + pd.to_timedelta(SHIFT_MIN + latest["ot_min"], "min")
    until = slot_end.where(slot_end < plant.horizon, pd.Timestamp(plant.horizon))
    start = until - pd.to_timedelta(rng.integers(8 * 60, 55 * 60, len(latest)), "s")
    extra = pd.DataFrame({
        "slot": -1, "category": "Machine breakdown", "share": 0.12,
        "reason": np.array(cat.DOWNTIME[0][4])[rng.integers(0, len(cat.DOWNTIME[0][4]),
                                                            len(latest))],
        "offset": 0.0, "minutes": 0.0, "slot_id": latest["slot_id"].to_numpy(),
        "line_code": latest["line_code"].to_numpy(), "date": latest["date"].to_numpy(),
        "shift_code": latest["shift_code"].to_numpy(), "start_ts": start.to_numpy(),
        "end_ts": pd.NaT,
    })
    extra["start_ts"] = extra["start_ts"].astype("datetime64[us]")
    extra["end_ts"] = extra["end_ts"].astype("datetime64[us]")
    return pd.concat([bd, extra], ignore_index=True)


def _pick_machines(plant: Plant, bd: pd.DataFrame, rng) -> np.ndarray:
    machines = plant.machines.sort_values("machine_code")
    first = machines.groupby("line_code").cumcount() == 0
    start = pd.Series(np.flatnonzero(first), index=machines.loc[first, "line_code"].to_numpy())
    count = machines.groupby("line_code").size()
    lines = bd["line_code"].to_numpy()
    pick = (start.reindex(lines).to_numpy()
            + np.floor(rng.random(len(bd)) * count.reindex(lines).to_numpy()).astype(int))
    codes = machines["machine_code"].to_numpy()[pick]
    return np.where(bd["category"] == "Machine breakdown", codes, None)


# --- hourly output -------------------------------------------------------------------------------

def hourly(plant: Plant, slots: pd.DataFrame, bd: pd.DataFrame) -> pd.DataFrame:
    """Output per slot hour after downtime losses, with cumulative loading, output and packing
    per line in time order (WIP is what was loaded and not yet sewn)."""
    rng = plant.rng("hourly")
    hours = plant.slot_hours.merge(
        slots[["slot_id", "date", "shift_code", "line_code", "style_code", "smv", "learn_day",
               "expected_output", "weight_total", "working_minutes", "wip_target",
               "defect_rate"]], on="slot_id")
    hours = hours.sort_values(["line_code", "hour_start"], ignore_index=True)
    expected = hours["expected_output"] * hours["weight"] / hours["weight_total"]
    lost = _lost_minutes(plant, hours, bd)
    per_min = hours["expected_output"] / hours["working_minutes"]
    out = expected * rng.lognormal(0.0, 0.07, len(hours)) - lost * per_min
    hours["output"] = np.maximum(0, np.round(out)).astype(int)

    by_line = hours.groupby("line_code", sort=False)
    o_cum = by_line["output"].cumsum()
    step = by_line.cumcount().to_numpy()
    phase = hours["line_code"].str[1:].astype(int).to_numpy()
    wip = hours["wip_target"] * (1 + 0.25 * np.sin(step / 6.0 + phase)
                                 + rng.normal(0, 0.08, len(hours)))
    l_cum = np.ceil((o_cum + wip) / BUNDLE) * BUNDLE
    l_cum = pd.Series(l_cum.to_numpy(), index=hours.index).groupby(hours["line_code"]).cummax()
    hours["loading"] = (l_cum - l_cum.groupby(hours["line_code"]).shift(fill_value=0)).astype(int)
    p_cum = np.floor(o_cum.groupby(hours["line_code"]).shift(fill_value=0) / CARTON) * CARTON
    hours["packing"] = (p_cum - p_cum.groupby(hours["line_code"]).shift(fill_value=0)).astype(int)
    hours["wip"] = (l_cum - o_cum).astype(int)
    return hours


def _lost_minutes(plant: Plant, hours: pd.DataFrame, bd: pd.DataFrame) -> pd.Series:
    """Line-minutes lost in each hour: downtime overlapping it × the share of the line stopped."""
    end = bd["end_ts"].fillna(pd.Timestamp(plant.horizon))
    b = pd.DataFrame({"slot_id": bd["slot_id"].to_numpy(), "b_start": bd["start_ts"].to_numpy(),
                      "b_end": end.to_numpy(), "share": bd["share"].to_numpy()})
    h = hours[["slot_id", "hour_start", "minutes"]].reset_index()
    m = h.merge(b, on="slot_id")
    h_end = m["hour_start"] + pd.Timedelta(hours=1)
    lo = m[["hour_start", "b_start"]].max(axis=1)
    hi = pd.concat([h_end, m["b_end"]], axis=1).min(axis=1)
    overlap = ((hi - lo).dt.total_seconds() / 60).clip(lower=0) * (m["minutes"] > 0)
    lost = (overlap * m["share"]).groupby(m["index"]).sum()
    return lost.reindex(hours.index, fill_value=0.0)


def production(hours: pd.DataFrame) -> pd.DataFrame:
    keys = ["date", "shift_code", "line_code", "hour", "style_code"]
    parts = []
    for stage in ("loading", "output", "packing"):
        part = hours[keys].copy()
        part["stage"], part["qty"] = stage, hours[stage].to_numpy()
        parts.append(part if stage == "output" else part[part["qty"] > 0])
    return pd.concat(parts).sort_values(keys + ["stage"], ignore_index=True)


# --- people's output, QC, defects ----------------------------------------------------------------

UNBALANCED_EVERY = 3  # L01, L04, L07, ...: their layout is one operator short on one operation
FLOW_MAX = 0.15  # an operation sews at most 15 % more than the line puts out (WIP builds)


def unbalanced(line_code: str) -> bool:
    return int(line_code[1:]) % UNBALANCED_EVERY == 1


def layout_counts(shares: np.ndarray, n_pos: int, short: bool) -> np.ndarray:
    """Operators per operation: in proportion to its share of the SMV; a `short` layout moves
    one operator from the operation that is left the most thinly staffed for its work to the
    smallest one (a common balancing slip), so a bottleneck stands out. Only an operation of
    three or more gives one up (halving a two-person one would halve the line)."""
    counts = allocate(shares, n_pos)
    after = np.where(counts >= 3, (counts - 1) / shares, np.inf)  # staffing left after the slip
    if short and np.isfinite(after).any():
        counts[int(np.argmin(after))] -= 1
        counts[int(np.argmin(shares))] += 1
    return counts


def flow(shares: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Pieces an operation sews per piece the line puts out. The operation with the least staff
    for its work content (the bottleneck) sews exactly the line's output; better staffed ones
    run ahead of it (into WIP) by half their extra capacity, at most FLOW_MAX."""
    ratio = counts / shares
    if ratio.min() <= 0:
        return np.ones(len(shares))
    return 1.0 + np.minimum(FLOW_MAX, 0.5 * (ratio / ratio.min() - 1.0))


BOTTLENECK_PACE = 0.95


def layout_staffing(plant: Plant, slots: pd.DataFrame) -> np.ndarray:
    """How well the layout staffs its most thinly staffed operation, per slot: its operators
    per share of the work over the line's operators (1.0 = every operation staffed exactly in
    proportion; a short layout is well below)."""
    crews = plant.lines.set_index("line_code")
    kept = {}
    for line, shift, family in slots[["line_code", "shift_code", "family"]].drop_duplicates(
            ).itertuples(index=False):
        shares = np.array([s for _, s in cat.OPERATIONS[family]])
        n_pos = int(crews.loc[line, f"ops_{shift}"])
        laid = layout_counts(shares, n_pos, unbalanced(line)) / shares
        kept[(line, shift, family)] = laid.min() / n_pos
    return np.array([kept[key] for key in zip(slots["line_code"], slots["shift_code"],
                                              slots["family"])])


def operation_map(plant: Plant, slots: pd.DataFrame) -> pd.DataFrame:
    """Which operation each operator position sews during each style run (the line layout),
    and how far it runs ahead of the line's output (flow)."""
    rng = plant.rng("layout")
    rows = []
    groups = slots.groupby(["line_code", "shift_code", "run_no"], sort=True)
    for (line, shift, run), g in groups:
        family = g["family"].iloc[0]
        ops = cat.OPERATIONS[family]
        n_pos = int(plant.lines.loc[plant.lines["line_code"] == line, f"ops_{shift}"].iloc[0])
        shares = np.array([s for _, s in ops])
        counts = layout_counts(shares, n_pos, unbalanced(line))
        ahead = flow(shares, counts)
        order = rng.permutation(n_pos)
        op_idx = np.repeat(np.arange(len(ops)), counts)
        for pos, k in zip(order, op_idx):
            rows.append((line, shift, run, int(pos), ops[k][0], ops[k][1], ahead[k]))
    return pd.DataFrame(rows, columns=["line_code", "shift_code", "run_no", "position",
                                       "operation", "op_share", "flow"])


def operator_output(slots: pd.DataFrame, hours: pd.DataFrame, rostered: pd.DataFrame,
                    staff: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """Each present operator's pieces: the slot's output of their operation, split among those
    who sewed it by skill and time worked."""
    done = hours.groupby("slot_id").agg(slot_output=("output", "sum"),
                                        elapsed=("minutes", "sum"))
    ops = rostered[(rostered["role"] == "operator") & rostered["present"]]
    ops = ops.merge(slots[["slot_id", "run_no", "style_code", "smv"]], on="slot_id")
    ops = ops.merge(layout, on=["line_code", "shift_code", "run_no", "position"])
    ops = ops.merge(done, left_on="slot_id", right_index=True)
    ops = ops.merge(staff[["emp_code", "skill_w"]], on="emp_code")
    # split by skill over everyone on the operation, then scale by the time each one worked:
    # someone who sewed a tenth of the shift makes about a tenth of a full share, not all of it
    skill_total = ops["skill_w"].groupby([ops["slot_id"], ops["operation"]]).transform("sum")
    share = ops["skill_w"] * ops["worked_frac"] / skill_total
    out = pd.DataFrame({
        "date": ops["date"], "shift_code": ops["shift_code"], "emp_code": ops["emp_code"],
        "operation": ops["operation"], "line_code": ops["line_code"],
        "style_code": ops["style_code"], "smv": (ops["smv"] * ops["op_share"]).round(3),
        "qty": np.round(ops["slot_output"] * ops["flow"] * share).astype(int),
        "minutes_worked": (ops["worked_frac"] * ops["elapsed"]).round(1),
        "slot_id": ops["slot_id"],
    })
    out = out[out["minutes_worked"] > 0]
    return out.sort_values(["date", "shift_code", "line_code", "emp_code"], ignore_index=True)


def qc_checks(plant: Plant, hours: pd.DataFrame) -> pd.DataFrame:
    rng = plant.rng("qc")
    h = hours[hours["output"] > 0]
    checked = np.maximum(0, np.round(h["output"] * rng.normal(1.0, 0.02, len(h)))).astype(int)
    p = h["defect_rate"] * (1 + 0.6 * np.exp(-h["learn_day"] / 1.8))
    qc = h[["date", "shift_code", "line_code", "hour", "style_code", "slot_id",
            "hour_start"]].copy()
    qc["checked_qty"] = checked
    qc["defective_qty"] = rng.binomial(checked, np.clip(p, 0, 0.5))
    return qc.reset_index(drop=True)


def defects(plant: Plant, qc: pd.DataFrame, slots: pd.DataFrame,
            op_out: pd.DataFrame) -> pd.DataFrame:
    """Each defective piece has one or more defects; reason follows a Pareto, operation follows
    the bulletin, and the operator is whoever sewed that operation that shift."""
    rng = plant.rng("defects")
    n_def = qc["defective_qty"].to_numpy()
    n_def = n_def + rng.binomial(n_def, 0.25)
    src = qc.iloc[np.repeat(np.arange(len(qc)), n_def)].reset_index(drop=True)
    n = len(src)
    reasons, weights = zip(*cat.DEFECT_REASONS)
    pareto = np.array(weights) / sum(weights)
    src["reason"] = np.array(reasons)[rng.choice(len(reasons), n, p=pareto)]
    family = slots.set_index("slot_id")["family"].reindex(src["slot_id"]).to_numpy()
    src["operation"] = None
    u = rng.random(n)
    for fam, ops in sorted(cat.OPERATIONS.items()):
        mask = family == fam
        cum = np.cumsum([s for _, s in ops]) / sum(s for _, s in ops)
        src.loc[mask, "operation"] = np.array([o for o, _ in ops])[
            np.minimum(np.searchsorted(cum, u[mask]), len(ops) - 1)]
    src["emp_code"] = _sewn_by(op_out, src, rng)
    lunch_hour = src["hour"].isin([13, 0])
    minute = rng.uniform(0, 1, n) * np.where(lunch_hour, 15, 60)
    src["ts"] = src["hour_start"] + pd.to_timedelta(np.floor(minute * 60), "s")
    keys = ["slot_id", "date", "shift_code", "line_code", "hour", "style_code", "reason",
            "operation", "emp_code"]
    out = (src.groupby(keys, dropna=False, sort=False)
           .agg(ts=("ts", "min"), qty=("ts", "size")).reset_index())
    out = out.sort_values(["ts", "line_code", "reason", "operation"], ignore_index=True)
    wait = np.clip(rng.lognormal(np.log(35), 0.8, len(out)), 3, 480)
    repaired = out["ts"] + pd.to_timedelta(np.round(wait * 60), "s")
    never = rng.random(len(out)) < 0.012
    out["repaired_ts"] = repaired.where(~never & (repaired < plant.horizon))
    out["defect_id"] = [f"DF-{i + 1:07d}" for i in range(len(out))]
    return out


def _sewn_by(op_out: pd.DataFrame, src: pd.DataFrame, rng) -> np.ndarray:
    ops = op_out[["slot_id", "operation", "emp_code"]].sort_values(
        ["slot_id", "operation", "emp_code"], ignore_index=True)
    ops["pos"] = np.arange(len(ops))
    groups = ops.groupby(["slot_id", "operation"]).agg(first=("pos", "min"),
                                                        count=("pos", "size")).reset_index()
    look = src[["slot_id", "operation"]].merge(groups, on=["slot_id", "operation"], how="left")
    count = look["count"].fillna(0).to_numpy()
    pick = look["first"].fillna(0).to_numpy() + np.floor(rng.random(len(src)) * count)
    emp = ops["emp_code"].to_numpy()[np.minimum(pick.astype(int), max(len(ops) - 1, 0))] \
        if len(ops) else np.full(len(src), None)
    return np.where(count > 0, emp, None)


# --- daily line report ---------------------------------------------------------------------------

def line_daily(plant: Plant, slots: pd.DataFrame, hours: pd.DataFrame, bd: pd.DataFrame,
               rostered: pd.DataFrame) -> pd.DataFrame:
    """The daily line report factories keep, built from the same facts."""
    done = hours.groupby("slot_id").agg(output=("output", "sum"), elapsed=("minutes", "sum"))
    s = slots.merge(done, left_on="slot_id", right_index=True)
    s["earned"] = s["output"] * s["smv"]
    s["op_minutes"] = s["operators"] * s["elapsed"]
    s["target_w"] = s["target_eff"] * s["operators"]
    crew = rostered[rostered["present"] & rostered["role"].isin(["operator", "helper"])]
    beyond = (np.minimum(crew["out_off"], SHIFT_MIN + crew["ot_min"]) - SHIFT_MIN).clip(lower=0)
    ot = beyond.where(beyond >= 30, 0).groupby(crew["slot_id"]).sum()
    s["overtime_min"] = ot.reindex(s["slot_id"], fill_value=0).to_numpy()
    idle = bd[bd["category"] != "Machine breakdown"]
    idle_end = idle["end_ts"].fillna(pd.Timestamp(plant.horizon))
    idle_min = ((idle_end - idle["start_ts"]).dt.total_seconds() / 60).groupby(
        idle["slot_id"]).sum()
    idle_men = (idle["share"]).groupby(idle["slot_id"]).max()
    s["idle_min"] = idle_min.reindex(s["slot_id"], fill_value=0).to_numpy()
    s["idle_men"] = np.round(idle_men.reindex(s["slot_id"], fill_value=0).to_numpy()
                             * (s["operators"] + s["helpers"]))
    s["manpower"] = s["operators"] + s["helpers"]
    last_wip = hours.groupby(["date", "line_code"])["wip"].last()
    g = s.sort_values(["shift_code"]).groupby(["date", "line_code"], sort=True)
    daily = g.agg(smv=("smv", "first"), operators=("manpower", "sum"),
                  target_w=("target_w", "sum"), ops=("operators", "sum"),
                  earned=("earned", "sum"), op_minutes=("op_minutes", "sum"),
                  overtime_min=("overtime_min", "sum"), idle_min=("idle_min", "sum"),
                  idle_men=("idle_men", "sum"), style_changes=("changeover", "max"))
    daily["target_productivity"] = (daily["target_w"] / daily["ops"]).round(3)
    daily["actual_productivity"] = (daily["earned"] / daily["op_minutes"]).round(4)
    daily["wip"] = last_wip.reindex(daily.index).astype(float)
    gap = daily["actual_productivity"] - daily["target_productivity"]
    daily["incentive"] = np.where(gap >= 0, np.round(40 + 600 * gap), 0.0)
    daily["style_changes"] = daily["style_changes"].astype(int)
    daily["idle_min"] = daily["idle_min"].round(1)
    daily["department"] = "Sewing"
    daily = daily.reset_index()
    return daily[["date", "line_code", "department", "smv", "operators", "target_productivity",
                  "actual_productivity", "overtime_min", "idle_min", "idle_men", "style_changes",
                  "wip", "incentive"]]

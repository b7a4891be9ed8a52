"""The traffic-light thresholds a report colours with (cached on the data version, which every
threshold change bumps), and the colour of a KPI card."""
from __future__ import annotations

from auth import audit
from ingest import thresholds as writes
from metrics.thresholds import MEASURES, PLANT, Thresholds
from queries import thresholds as q
from reports.cache import cached_report
from reports.kpis import Kpi


@cached_report("thresholds")
def thresholds(ctx) -> Thresholds:
    with ctx.engine.connect() as conn:
        return q.thresholds(conn)


def coloured(ctx, cards: list[Kpi], lines=()) -> list[Kpi]:
    """The cards with their traffic light: a card over one line uses that line's thresholds,
    over several (or all) the plant's."""
    th = thresholds(ctx)
    out = []
    for card in cards:
        if card.key in MEASURES:
            rule = th.for_lines(card.key, lines)
            card = card.with_status(rule.colour(card.value), rule.words())
        out.append(card)
    return out


def rule_rows(ctx) -> list[dict]:
    """Every measure's plant rule (stored or default) and each line's override, for Admin."""
    th = thresholds(ctx)
    rows = []
    for key, measure in MEASURES.items():
        plant = th.rule(key)
        rows.append({"measure": key, "label": measure.label, "line_code": "",
                     "scope": "plant" + ("" if (key, PLANT) in th.rules else " (default)"),
                     "better": "higher" if measure.better == "up" else "lower",
                     "green_at": plant.green_at, "amber_at": plant.amber_at,
                     "words": plant.words()})
        for (m_key, line), rule in sorted(th.rules.items()):
            if m_key == key and line != PLANT:
                rows.append({"measure": key, "label": measure.label, "line_code": line,
                             "scope": f"line {line}",
                             "better": "higher" if measure.better == "up" else "lower",
                             "green_at": rule.green_at, "amber_at": rule.amber_at,
                             "words": rule.words()})
    return rows


def set_rule(ctx, actor: str, measure: str, green_at, amber_at, line_code: str | None = None):
    """Store a rule with its audit row in one transaction; ThresholdError when a value is bad."""
    with ctx.engine.begin() as conn:
        rule = writes.set_threshold(conn, measure, green_at, amber_at, line_code, actor)
        audit.record(conn, actor, "threshold set",
                     {"measure": measure, "line": line_code or "plant",
                      "green_at": rule.green_at, "amber_at": rule.amber_at}, ts=ctx.now())
    return rule


def clear_rule(ctx, actor: str, measure: str, line_code: str | None = None) -> bool:
    with ctx.engine.begin() as conn:
        cleared = writes.clear_threshold(conn, measure, line_code)
        if cleared:
            audit.record(conn, actor, "threshold cleared",
                         {"measure": measure, "line": line_code or "plant"}, ts=ctx.now())
    return cleared


def with_light(ctx, df, measure: str, column: str, lines=None):
    """`df` with `column`, the traffic light of its `measure` column on each row; `lines` gives
    each row's line (its own thresholds) or None (the plant's), default df.line_code."""
    if df is None or df.empty or measure not in df.columns:
        return df
    th = thresholds(ctx)
    lines = df["line_code"] if lines is None and "line_code" in df.columns else lines
    lines = [None] * len(df) if lines is None else list(lines)
    return df.assign(**{column: [th.rule(measure, line).colour(v)
                                 for v, line in zip(df[measure], lines)]})

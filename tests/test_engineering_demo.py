"""The demo plant shows what the Engineering page is for (issue 22): a visible bottleneck on the
lines whose layout is one operator short (L01, L04, ...), and learning curves that differ by
line skill. Read through the page's own reports, on SQLite."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from core.filters import Filters
from demo import load as demo
from demo.production import unbalanced
from reports import engineering as reports

END = datetime(2026, 3, 4, 14)
WINDOW = Filters(start=date(2026, 1, 5), end=date(2026, 3, 3))


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    from core.context import Context
    from data import db
    from settings import Settings

    folder = tmp_path_factory.mktemp("demo-eng")
    url = f"sqlite:///{folder / 'demo.db'}"
    db.create_schema(db.get_engine(url))
    demo.load_demo(db.get_engine(url), days=60, lines=6, seed=42, end=END)
    return Context.create(Settings(database_url=url, cache_dir=str(folder / "cache"),
                                   testing=True, secret_key="x", demo_data=False))


def _balance(ctx, line):
    return reports.line_balance(ctx, WINDOW.with_lines((line,)))["rows"].set_index("operation")


def test_a_short_layout_shows_a_bottleneck(ctx):
    gaps = {}
    for line in ("L01", "L02", "L03", "L04", "L05", "L06"):
        rows = _balance(ctx, line)
        balance = rows["balance_pct"].astype(float)
        gaps[line] = balance.median() - balance.min()  # the bottleneck below the rest
        # the bottleneck caps the line: nobody sews faster than standard to keep up with it
        pace = rows["pieces_per_hour"] / rows["standard_capacity_per_hour"]
        assert (pace <= 1.0).all(), (line, pace.to_dict())
    assert [line for line in gaps if unbalanced(line)] == ["L01", "L04"]
    assert gaps["L01"] >= 10 and gaps["L01"] == max(gaps.values()), gaps


def _skill():
    """The generator's skill of each line (the share of available minutes that earns SMV)."""
    from demo.load import _config
    from demo.plant import build_plant
    plant = build_plant(_config("demo", 60, 6), 42, END)
    return plant.lines.set_index("line_code")["skill"]


def test_learning_differs_by_line_skill(ctx):
    start = {}
    for line in ("L01", "L02", "L03", "L04", "L05", "L06"):
        out = reports.changeovers(ctx, WINDOW.with_lines((line,)))
        assert len(out["changeovers"]) >= 2, line
        if out["steady_pct"] is not None:
            day1 = out["curve"].set_index("k").loc[1, "efficiency_pct"]
            start[line] = day1 / out["steady_pct"]
    assert len(start) >= 4, start
    skill = _skill()
    weakest = min(start, key=lambda line: skill[line])
    strongest = max(start, key=lambda line: skill[line])
    # the strongest line starts a new style nearer its steady pace than the weakest
    assert start[strongest] - start[weakest] >= 0.05, (start, skill.to_dict())

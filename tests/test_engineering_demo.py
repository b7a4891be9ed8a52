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
    rows = reports.line_balance(ctx, WINDOW.with_lines((line,)))["rows"]
    balance = rows["balance_pct"].astype(float)
    return balance.median() - balance.min()  # how far the bottleneck sits below the rest


def test_short_layouts_show_a_bottleneck(ctx):
    gaps = {line: _balance(ctx, line) for line in ("L01", "L02", "L03", "L04", "L05", "L06")}
    short = [line for line in gaps if unbalanced(line)]
    assert short == ["L01", "L04"]
    for line in short:
        assert gaps[line] >= 8, gaps  # a bar clearly shorter than the others
    assert min(gaps[line] for line in short) > sorted(gaps.values())[len(gaps) // 2 - 1], gaps


def test_learning_differs_by_line_skill(ctx):
    start = {}
    for line in ("L01", "L02", "L03", "L04", "L05", "L06"):
        out = reports.changeovers(ctx, WINDOW.with_lines((line,)))
        assert len(out["changeovers"]) >= 2, line
        if out["steady_pct"] is not None:
            day1 = out["curve"].set_index("k").loc[1, "efficiency_pct"]
            start[line] = (out["steady_pct"], day1 / out["steady_pct"])
    assert len(start) >= 4, start
    # the strongest line (highest steady efficiency) starts a new style nearer its steady pace
    # than the weakest
    weakest, strongest = min(start.values()), max(start.values())
    assert strongest[1] - weakest[1] >= 0.05, start

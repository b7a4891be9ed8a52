"""The import direction of README's architecture section, checked on the source: no import runs
back up a layer, and siblings of one layer do not import each other (api and pages, say).

Every import counts, at module level or inside a function: a lazy import that climbs is still a
loop in the design. tests/, bench/ and tools/ sit above everything and are not checked.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# lowest first; a package may import its own modules and any package of a lower layer
LAYERS: list[tuple[str, ...]] = [
    ("settings", "version", "metrics"),
    ("data",),        # storage: engine, schema, meta values, bulk load
    ("core",),        # Filters and line scope, Context, serialisation, the error format
    ("queries",),     # read-only SQL
    ("ingest",),      # the write side: imports, ingestion, attendance processing, rollups
    ("demo",),        # the demo plant generator
    ("auth",),        # users, roles, tokens, the gate
    ("reports",),     # one report per view
    ("components",),  # figures, cards, grids, filter bar
    ("api", "pages"),
    ("commands",),    # the Flask CLI
    ("app",),         # create_app
    ("wsgi",),        # the built app for gunicorn
]
RANK = {pkg: i for i, layer in enumerate(LAYERS) for pkg in layer}

# packages that must stay free of I/O, web and drawing libraries
FORBIDDEN_THIRD_PARTY = {
    "metrics": {"sqlalchemy", "dash", "flask", "plotly", "diskcache", "psycopg2"},
    "queries": {"dash", "flask", "plotly"},
    "ingest": {"dash", "plotly"},
    "reports": {"dash", "plotly"},
}


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.lineno, node.module.split(".")[0]


def _sources():
    for pkg in RANK:
        path = ROOT / f"{pkg}.py"
        if path.exists():
            yield path
        folder = ROOT / pkg
        if folder.is_dir():
            yield from sorted(folder.rglob("*.py"))


def violations() -> list[str]:
    found = []
    for path in _sources():
        own = _package(path)
        for lineno, target in _imports(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(ROOT)}:{lineno}"
            if target in FORBIDDEN_THIRD_PARTY.get(own, ()):
                found.append(f"{where}: {own}/ must not use {target}")
            if target == own or target not in RANK:
                continue
            if RANK[target] >= RANK[own]:
                found.append(f"{where}: {own} (layer {RANK[own]}) imports {target} "
                             f"(layer {RANK[target]})")
    return found


def test_no_import_runs_back_up():
    assert violations() == []


def test_every_package_has_a_layer():
    packages = {p.name for p in ROOT.iterdir()
                if p.is_dir() and (p / "__init__.py").exists() and p.name not in ("tests", "bench", "tools")}
    assert packages <= set(RANK), f"give these a layer in LAYERS: {packages - set(RANK)}"


def test_the_check_sees_a_climbing_import(tmp_path, monkeypatch):
    """The checker itself: an import from a higher layer is reported."""
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "bad.py").write_text("from reports import overview\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert violations() == ["queries/bad.py:1: queries (layer 3) imports reports (layer 7)"]

"""The package's shape: data flows one way through the layers, and no module imports in a cycle.

The layer order is written down once, here (docs/architecture.md draws it). A module may import
its own layer or a lower one. Imports under ``if TYPE_CHECKING:`` are annotations, not
dependencies, and are ignored; imports inside functions count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "salessim"

#: Lowest first. The package root (``salessim/__init__.py``, the public face) sits above them all.
LAYERS: list[tuple[str, ...]] = [
    ("errors", "inputs", "text_files"),  # error types, the YAML reader, the frozen schema base, text decoding
    ("model",),  # pure domain rules and their parameters
    ("comp",),  # plan language and the exact payout engine
    ("scenario",),  # the input language: scenario + events schema, loading
    ("engine",),  # the SimPy floor
    ("results",),  # simulate(), tidy tables, KPIs
    ("experiments",),  # replications, comparisons, sweeps, stress, ROI, case studies
    ("analysis",),  # pure functions over results for reports
    ("calibrate",),  # CRM import, fits, back-test
    ("ui",),  # formatting, charts, explorer, reports, CLI
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}
ROOT_MODULES = {"__init__", "__main__", "errors", "inputs", "text_files"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Modules of salessim that ``path`` imports (resolved to module names, not attributes)."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "salessim")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "salessim":
                continue
            for a in node.names:  # `from salessim.model import quota` imports a module
                sub = f"{base}.{a.name}"
                out.add(sub if sub in MODULES else base)
    return out - {me}


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {m: _imports(p) for m, p in MODULES.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return len(LAYERS)  # the root package and ``python -m salessim``: above everything
    return RANK.get(parts[1])


def test_every_module_belongs_to_a_layer():
    loose = [m for m in MODULES if _layer(m) is None]
    assert not loose, f"modules outside the declared layers (add them to LAYERS or move them): {loose}"
    root = {Path(MODULES[m]).stem for m in MODULES if m.count(".") <= 1 and MODULES[m].parent == PACKAGE}
    assert root <= ROOT_MODULES, f"modules at the package root: {sorted(root - ROOT_MODULES)}"


def test_every_package_says_what_it_is():
    for m, p in MODULES.items():
        if p.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(p.read_text()))
            assert doc, f"{m}: a package needs a one-line docstring saying what it is"


def test_no_module_imports_a_higher_layer():
    upward = sorted(f"{m} -> {t}" for m, targets in GRAPH.items() for t in targets
                    if _layer(t) > _layer(m))
    assert not upward, "imports of a higher layer:\n" + "\n".join(upward)


def test_no_import_cycles():
    """Tarjan's strongly connected components over the module graph; every component must be a
    single module. (A package's ``__init__`` importing its own modules is not a cycle of theirs.)"""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in MODULES:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(MODULES):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("module", ["salessim.model.market", "salessim.ui.cli"])
def test_the_walker_sees_imports(module):
    """The checks above are only as good as the graph: a known module has known imports."""
    assert GRAPH[module], f"{module}: no imports found (the walker is broken)"
    assert all(t.startswith("salessim") for t in GRAPH[module])

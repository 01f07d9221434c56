"""Org structures are asked, not compared: no ``structure == "..."`` outside the strategy classes.

An org structure's rules live in its strategy class (``salessim/model/org.py`` for the pure rules,
``salessim/engine/structures.py`` for the work on the floor). Code elsewhere asks the strategy
(``structure_of(org).management_cost(...)``, ``floor.structure.credited(...)``) instead of testing
the structure's name, so adding a structure is one class, not a hunt through the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "salessim"
#: Modules whose classes may look at a structure's name (the strategies themselves).
STRATEGY_MODULES = {"model/org.py", "engine/structures.py"}
NAME_TESTS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)


def _is_structure(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id == "structure") or (
        isinstance(node, ast.Attribute) and node.attr == "structure")


def structure_tests(root: Path) -> list[str]:
    """``path:line: code`` of every test of a structure's name (``==``, ``!=``, ``in``, ``match``)
    under ``root``, except inside classes of the strategy modules."""
    found: list[tuple[str, int, str]] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(), filename=str(path))
        allowed: set[int] = set()
        if rel in STRATEGY_MODULES:
            for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
                allowed.update(id(n) for n in ast.walk(cls))
        for node in ast.walk(tree):
            if id(node) in allowed:
                continue
            if isinstance(node, ast.Compare):
                hit = any(isinstance(op, NAME_TESTS) for op in node.ops) and any(
                    _is_structure(x) for x in [node.left, *node.comparators])
            else:
                hit = isinstance(node, ast.Match) and _is_structure(node.subject)
            if hit:
                found.append((rel, node.lineno, ast.unparse(node).splitlines()[0]))
    return [f"{rel}:{line}: {code}" for rel, line, code in sorted(found)]


def test_no_structure_name_tests_outside_the_strategies():
    found = structure_tests(PACKAGE)
    assert not found, "ask the org structure's strategy instead of testing its name:\n" + "\n".join(found)


def test_the_check_catches_a_planted_name_test(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "kpis.py").write_text(
        "def heads(sc):\n"
        "    extra = sc.org.design.matrix.specialists if sc.org.structure == 'matrix' else 0\n"
        "    if structure != 'line':\n"
        "        extra += 1\n"
        "    match sc.org.structure:\n"
        "        case 'channel':\n"
        "            extra += 2\n"
        "    return extra\n")
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "org.py").write_text(
        "class Line:\n"
        "    def is_line(self, org):\n"
        "        return org.structure == 'line'\n"  # inside a strategy class: allowed
        "\n"
        "def roster(structure):\n"
        "    return structure in ('key_account',)\n")  # a module-level function: not allowed
    found = structure_tests(tmp_path)
    assert [f.split(":")[:2] for f in found] == [
        ["model/org.py", "6"], ["results/kpis.py", "2"], ["results/kpis.py", "3"], ["results/kpis.py", "5"]]

"""Set-up files agree with each other: pyproject dependencies == environment.yml dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    # dask[distributed] is one pip requirement and two conda packages
    if "dask" in pip_names:
        pip_names.add("distributed")
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == pip_names


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_top_level_layout() -> None:
    for name in ("notebooks", "salessim", "data", "reports", "tests", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", "benchmarks"):
        assert (ROOT / name).exists(), name

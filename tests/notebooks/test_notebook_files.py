"""Notebooks as stored: no outputs, one parameters cell, the documented parameters."""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest
from notebook_paths import NOTEBOOKS, documented_parameters

COMMON = ["scenario", "replications", "seed", "out", "fast"]
IDS = [p.stem for p in NOTEBOOKS]


def test_the_notebooks_exist():
    assert {"00_quickstart", "01_compensation_designs", "02_org_and_territories", "03_target_setting",
            "04_calibrate_from_crm", "05_scenario_explorer"} <= set(IDS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"
    assert "widgets" not in nb.metadata, f"{path.name}: widget state stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exactly_one_parameters_cell_and_it_is_documented(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    params = papermill.inspect_notebook(str(path))
    assert list(params)[: len(COMMON)] == COMMON
    documented = documented_parameters()[path.stem]
    assert list(params) == list(documented)
    for name, spec in params.items():
        assert ast.literal_eval(spec["default"]) == ast.literal_eval(documented[name]), name
        assert spec["help"], f"{path.stem}.{name} has no comment explaining it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_reads_inputs_from_data(path):
    params = papermill.inspect_notebook(str(path))
    scenario = ast.literal_eval(params["scenario"]["default"])
    assert scenario.startswith("../data/")
    assert (path.parent / scenario).is_file()
    assert nbformat.read(path, as_version=4).metadata.kernelspec.name == "python3"

"""The risk notebook runs end to end in fast mode (papermill) and is stored without outputs."""

from __future__ import annotations

import os

import nbformat
import pytest

from tests.conftest import ROOT

NB = ROOT / "notebooks" / "06_risk_and_interventions.ipynb"


def test_notebook_is_stored_clean_with_one_parameters_cell():
    nb = nbformat.read(NB, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "fast = False" in tagged[0].source
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_notebook_runs_in_fast_mode(tmp_path, monkeypatch):
    papermill = pytest.importorskip("papermill")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    papermill.execute_notebook(str(NB), str(tmp_path / "out.ipynb"), cwd=str(NB.parent), kernel_name="python3",
                               parameters={"fast": True, "out": str(tmp_path / "reports")}, progress_bar=False)
    assert (tmp_path / "reports" / "case_effect_grid.csv").exists()
    assert (tmp_path / "reports" / "stress_runs.csv").exists()

"""Notebook report: the tables and the check figure are built from a calibration."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from conftest import CRM  # noqa: E402

from salessim.calibrate import from_crm  # noqa: E402
from salessim.calibrate.report import plot_calibration, tables  # noqa: E402


def test_tables_and_figure(truth) -> None:
    cal = from_crm(CRM / "opportunities.csv", history=CRM / "stage_history.csv", refine_iterations=0)
    t = tables(cal)
    assert {"validation", "fitted", "stages", "win rate by segment", "reps", "assumptions"} <= set(t)
    assert t["monthly leads"]["leads"].sum() == truth["opportunities"]  # all created in full months
    fig = plot_calibration(cal)
    assert len(fig.axes) == 4 and fig.axes[1].get_title().startswith("Won cycle")

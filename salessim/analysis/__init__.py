"""Analyses the notebooks and reports need, as pure functions over :class:`~salessim.SimResult`.

Tidy pandas frames in, tidy frames out; no plotting here (see :mod:`salessim.ui.charts`).
"""

from salessim.analysis.funnel import Bottleneck, bookings_over_time, find_bottleneck, funnel_table
from salessim.analysis.replications import (
    ReplicationSet,
    kpi_summary,
    paired_kpi_differences,
    replicate,
    replicate_all,
    scale_scenario,
)
from salessim.analysis.scorecard import rep_scorecard

__all__ = [
    "Bottleneck",
    "ReplicationSet",
    "bookings_over_time",
    "find_bottleneck",
    "funnel_table",
    "kpi_summary",
    "paired_kpi_differences",
    "rep_scorecard",
    "replicate",
    "replicate_all",
    "scale_scenario",
]

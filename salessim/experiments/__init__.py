"""Experiments: replications with common random numbers, paired comparisons with confidence
intervals, parameter sweeps, executors (serial, local processes, Dask) and a results store."""

from salessim.experiments.compare import Comparison
from salessim.experiments.executors import DaskExecutor, Executor, ProcessExecutor, SerialExecutor
from salessim.experiments.grid import expand_grid
from salessim.experiments.runner import compare, sweep
from salessim.experiments.store import RunRecord, Store

__all__ = [
    "Comparison", "DaskExecutor", "Executor", "ProcessExecutor", "RunRecord", "SerialExecutor",
    "Store", "compare", "expand_grid", "sweep",
]

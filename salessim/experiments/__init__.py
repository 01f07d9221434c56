"""Experiments: replications with common random numbers, paired comparisons with confidence
intervals, parameter sweeps, executors (serial, local processes, Dask) and a results store."""

from salessim.experiments.compare import Comparison
from salessim.experiments.executors import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    ReuseExecutor,
    SerialExecutor,
)
from salessim.experiments.grid import expand_grid
from salessim.experiments.optimise import OptimisationResult, optimise
from salessim.experiments.runner import Replications, compare, replicate, sweep
from salessim.experiments.statistics import Interval, confidence_interval
from salessim.experiments.store import RunRecord, Store

__all__ = [
    "Comparison", "DaskExecutor", "Executor", "Interval", "OptimisationResult", "ProcessExecutor", "Replications",
    "ReuseExecutor", "RunRecord", "SerialExecutor", "Store", "compare", "confidence_interval", "expand_grid", "optimise", "replicate", "sweep",
]

"""The deals of a run (:class:`Pipeline`) and the codes the engine stores in its arrays.

Codes are small ``IntEnum`` classes so that the engine, the scenario events and the results tables
share one definition; :func:`labels` gives the category labels the results tables show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np


class Outcome(IntEnum):
    """Where a deal ended (``Pipeline.outcome``)."""

    OPEN = 0
    WON = 1
    LOST = 2


class Timing(IntEnum):
    """How a deal's close date or price was moved at a period end (``Pipeline.moved``): by its rep
    (pulled in at a discount, pushed out) or by a strategic buyer (bargained a discount for
    signing this period, or held the signature to the period's last day and bargained there;
    :mod:`salessim.engine.buyers`)."""

    AS_DUE = 0
    PULLED_IN = 1
    PUSHED_OUT = 2
    BARGAINED = 3
    HELD_TO_PERIOD_END = 4


class RepStatus(IntEnum):
    """A rep slot in a work step (``Recorder.status``)."""

    ACTIVE = 0
    RAMPING = 1
    VACANT = 2


def labels(codes: type[IntEnum]) -> list[str]:
    """Category labels of a code enum, in code order: ``PULLED_IN`` -> ``"pulled in"``."""
    return [c.name.lower().replace("_", " ") for c in sorted(codes)]


@dataclass
class Pipeline:
    """Every opportunity of a run as parallel arrays (one index per deal); read a column as
    ``pipe.amount`` (the first ``n`` entries), write through ``pipe.cols["amount"][idx]``."""

    n_stages: int
    capacity: int = 4096
    n: int = 0
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    #: Columns: account, owning rep, segment, product (indices); created day, current amount and
    #: list amount (currency); stage index; :class:`Outcome`; close day (NaN while open); days left
    #: in the stage; the day up to which the deal is simulated; day it entered its stage; source
    #: (0 inbound, 1 self-sourced); :class:`Timing`; channel (0 direct, 1 partner); specialist
    #: (-1 none); extra rep hours per week (coordination); the day a strategic buyer signs a deal
    #: held to a period end (0: when negotiated); whether a held deal is negotiated and waits (1).
    SPEC = {
        "account": np.int64, "rep": np.int64, "segment": np.int64, "product": np.int64,
        "created": np.float64, "amount": np.float64, "list_amount": np.float64, "stage": np.int64,
        "outcome": np.int8, "close": np.float64, "remaining": np.float64, "clock": np.float64,
        "entered": np.float64, "source": np.int8, "moved": np.int8, "channel": np.int8,
        "specialist": np.int64, "extra_hours": np.float64, "hold_until": np.float64, "ready": np.int8,
    }

    def __post_init__(self) -> None:
        self._grow(self.capacity)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self.cols.get("account", ())))
        for name, dtype in self.SPEC.items():
            new = np.zeros(cap, dtype=dtype)
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new
        for name in ("u_conv", "u_dur"):  # each deal's dice per stage: conversion, duration
            new = np.zeros((cap, self.n_stages))
            if name in self.cols:
                new[: self.n] = self.cols[name][: self.n]
            self.cols[name] = new

    def add(self, **values: np.ndarray) -> np.ndarray:
        """Append deals; returns their indices. A column's value may be a scalar: the same for
        every deal added (``account`` must be an array: it gives the number of deals)."""
        k = len(values["account"])
        if self.n + k > len(self.cols["account"]):
            self._grow(self.n + k)
        rows = slice(self.n, self.n + k)
        for name, v in values.items():
            if type(v) is not np.ndarray and v == 0:  # rows past ``n`` are still zeros: nothing to write
                continue
            self.cols[name][rows] = v
        self.n += k
        return np.arange(rows.start, rows.stop)

    def dice(self, name: str, idx: np.ndarray, stage: np.ndarray) -> np.ndarray:
        """``cols[name][idx, stage]`` of a per-stage dice column (``u_conv``, ``u_dur``): one
        ``take`` at the flat index (the same numbers as the two-array index, faster)."""
        return self.cols[name].reshape(-1).take(idx * self.n_stages + stage)


def _column(name: str) -> property:
    """Read access to a pipeline column: its first ``n`` entries (a view)."""
    return property(lambda self: self.cols[name][: self.n], doc=f"column ``{name}`` of the first ``n`` deals")


for _name in (*Pipeline.SPEC, "u_conv", "u_dur"):  # a class attribute each: no failed lookup per read
    setattr(Pipeline, _name, _column(_name))

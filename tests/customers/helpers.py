"""Builders for won-deal frames used by the customer lifecycle tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salessim.model.customers import CustomerLifecycle, SegmentLifecycle


def won_deals(n: int, *, amount: float | np.ndarray = 12_000.0, close_day: float | np.ndarray = 0.0,
              segment: str | list[str] | np.ndarray = "X") -> pd.DataFrame:
    """``n`` won deals, one per account, reps R000..R009 in turn."""
    return pd.DataFrame(
        {
            "deal_id": np.arange(n),
            "account": np.arange(n) + 1000,
            "segment": segment if not isinstance(segment, str) else [segment] * n,
            "product": ["Core"] * n,
            "rep": [f"R{i % 10:03d}" for i in range(n)],
            "amount": np.broadcast_to(np.asarray(amount, float), (n,)).copy(),
            "close_day": np.broadcast_to(np.asarray(close_day, float), (n,)).copy(),
        }
    )


def one_segment(**params) -> CustomerLifecycle:
    """A lifecycle whose default segment (used for segment "X") has the given parameters."""
    return CustomerLifecycle(default=SegmentLifecycle(**params))

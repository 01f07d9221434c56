"""Random streams: one ``numpy.random.Generator`` per purpose, spawned from one seed.

Every purpose has its own stream so that two scenarios run with the same seed share the same
dice for the same things (common random numbers): changing the comp plan does not change which
leads arrive, how big they are or how skilled the reps are.
"""

from __future__ import annotations

import numpy as np

#: Purposes, in spawn order. Append new purposes at the end: reordering changes every result.
PURPOSES = (
    "org", "accounts", "arrivals", "deals", "work", "behaviour", "staffing", "customers",
    "prospecting", "vacancy", "events",
)


def seed_sequence(seed: int | np.random.SeedSequence, replication: int | None = None) -> np.random.SeedSequence:
    """The root seed sequence of a run; replication ``i`` gets its own independent child."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    if replication is None:
        return root
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, int(replication)))


def streams(seed: int | np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One generator per purpose (see :data:`PURPOSES`)."""
    children = seed_sequence(seed).spawn(len(PURPOSES))
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(PURPOSES, children, strict=True)}

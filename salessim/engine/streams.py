"""Random streams: every random number of a run comes from a seed through this module.

Two seeds exist, both explicit:

* the *run seed* (``salessim.simulate(seed=...)``, default the scenario's ``seed``) and the
  replication index: :func:`seed_sequence` -> :func:`streams`, one ``numpy.random.Generator`` per
  purpose. Every purpose has its own stream so that two scenarios run with the same seed share
  the same dice for the same things (common random numbers): changing the comp plan does not
  change which leads arrive, how big they are or how skilled the reps are.
* the *scenario seed* alone: :func:`layout_stream`, the company's structure (accounts,
  territories, quotas), the same in every replication.
"""

from __future__ import annotations

import numpy as np

#: Purpose -> spawn index of its child seed. A child depends only on the root seed and its index,
#: so a new purpose takes a new index; never renumber or reuse one (that changes every result).
#: Index 1 is retired (an ``accounts`` stream nothing drew from; accounts come from
#: :func:`layout_stream`).
PURPOSES: dict[str, int] = {
    "org": 0, "arrivals": 2, "deals": 3, "work": 4, "behaviour": 5, "staffing": 6, "customers": 7,
    "prospecting": 8, "vacancy": 9, "events": 10, "people": 11, "claims": 12, "pipeline": 13,
    "buyers": 14,
}

#: Second entropy word of the layout stream: ``SeedSequence([scenario seed, LAYOUT_KEY])``.
LAYOUT_KEY = 0x5A1E5


def seed_sequence(seed: int | np.random.SeedSequence, replication: int | None = None) -> np.random.SeedSequence:
    """The root seed sequence of a run; replication ``i`` gets its own independent child."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    if replication is None:
        return root
    return _child(root, int(replication))


def _child(root: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """Child ``index`` of ``root``, as ``root.spawn`` makes it, without changing ``root``."""
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, index), pool_size=root.pool_size)


def streams(seed: int | np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One generator per purpose (see :data:`PURPOSES`)."""
    root = seed_sequence(seed)
    return {name: np.random.Generator(np.random.PCG64(_child(root, i))) for name, i in PURPOSES.items()}


def layout_stream(scenario_seed: int) -> np.random.Generator:
    """The generator of the org layout: the scenario's ``seed`` only, no replication."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(scenario_seed), LAYOUT_KEY])))

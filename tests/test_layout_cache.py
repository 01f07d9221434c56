"""The org layout's cache is explicit: keyed by the scenario parts the layout depends on,
bounded, clearable, and never changes a result; its seed comes from engine/streams.py."""

from __future__ import annotations

import numpy as np
import pandas as pd

from salessim.engine import layout as lay
from salessim.engine.streams import layout_stream, streams


def test_the_key_is_the_layout_inputs_only(small_scenario) -> None:
    renamed = small_scenario.model_copy(update={"name": "another name"})
    assert lay.layout_key(renamed) == lay.layout_key(small_scenario)
    reseeded = small_scenario.model_copy(update={"seed": small_scenario.seed + 1})
    assert lay.layout_key(reseeded) != lay.layout_key(small_scenario)


def test_a_cached_layout_equals_a_fresh_one(small_scenario) -> None:
    cache = lay.LayoutCache(size=1)
    first = cache.get(small_scenario)
    assert cache.get(small_scenario) is first and len(cache) == 1
    cache.clear()
    assert len(cache) == 0
    fresh = cache.get(small_scenario)
    assert fresh is not first
    pd.testing.assert_frame_equal(fresh.accounts, first.accounts)
    assert np.array_equal(fresh.territory, first.territory) and np.array_equal(fresh.annual_quota, first.annual_quota)
    cache.get(small_scenario.model_copy(update={"seed": small_scenario.seed + 1}))
    assert len(cache) == 1  # bounded: the oldest layout went


def test_the_layout_seed_is_the_scenario_seed_alone() -> None:
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence([7, 0x5A1E5]))).random(4)
    assert np.array_equal(layout_stream(7).random(4), expected)


def test_streams_do_not_change_a_seed_sequence_they_are_given() -> None:
    root = np.random.SeedSequence(11)
    once, twice = streams(root), streams(root)
    assert all(np.array_equal(once[k].random(3), twice[k].random(3)) for k in once)
    spawned = np.random.SeedSequence(11).spawn(11)  # the historic spawn order, index = purpose
    assert np.array_equal(streams(11)["arrivals"].random(3), np.random.Generator(np.random.PCG64(spawned[2])).random(3))

"""Compiled helpers that replace numpy/numba library calls: same numbers, no allocation."""

from __future__ import annotations

import numpy as np
import pytest

from sim.metrics import gini_of_counts
from sim.rules import draw_below

BOUNDS = [1, 2, 3, 17, 1000, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**33 + 7, 2**62 + 3]


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_draw_below_draws_what_numpy_integers_draws(seed):
    """For every bound (around the 32-bit edges too) the compiled draw equals
    `Generator.integers(0, n)` from the same state, and leaves the same state behind."""
    ours = np.random.default_rng(seed)
    numpy_rng = np.random.default_rng(seed)
    for n in BOUNDS * 20:
        assert draw_below(ours, n) == numpy_rng.integers(0, n)
    assert ours.bit_generator.state == numpy_rng.bit_generator.state


def _gini_sorted(values: np.ndarray) -> float:
    n = values.shape[0]
    total = values.sum()
    if n == 0 or total == 0:
        return 0.0
    ordered = np.sort(values).astype(float)
    return float(((2 * np.arange(1, n + 1) - n - 1) * ordered).sum() / (n * total))


@pytest.mark.parametrize("seed", range(5))
def test_gini_of_counts_equals_the_sorted_formula(seed):
    rng = np.random.default_rng(seed)
    values = rng.geometric(0.3, size=int(rng.integers(1, 5000))) - 1
    counts = np.bincount(values)
    assert gini_of_counts(counts) == pytest.approx(_gini_sorted(values), rel=1e-12, abs=1e-15)


def test_gini_of_counts_edges():
    assert gini_of_counts(np.zeros(1, np.int64)) == 0.0
    assert gini_of_counts(np.array([5, 0, 0], np.int64)) == 0.0       # everyone at zero
    assert gini_of_counts(np.array([0, 0, 4], np.int64)) == 0.0       # perfect equality
    # one of four holds everything: (n - 1) / n
    assert gini_of_counts(np.array([3, 1], np.int64)) == pytest.approx(0.75)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000, 65_537])
def test_compiled_permutation_is_numpys(n):
    """The engine's permutation equals `Generator.permutation(n)` and uses the same draws."""
    from sim.engines import permutation

    ours = np.random.default_rng(n + 3)
    numpy_rng = np.random.default_rng(n + 3)
    for _ in range(3):
        assert np.array_equal(permutation(n, ours), numpy_rng.permutation(n))
    assert ours.bit_generator.state == numpy_rng.bit_generator.state

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
    """The platforms' order equals `Generator.permutation(n)` and uses the same draws."""
    from sim.rules import fill_permutation

    ours = np.random.default_rng(n + 3)
    numpy_rng = np.random.default_rng(n + 3)
    order = np.full(n, -1, np.int64)
    for _ in range(3):
        fill_permutation(order, ours)
        assert np.array_equal(order, numpy_rng.permutation(n))
    assert ours.bit_generator.state == numpy_rng.bit_generator.state


# --- choosing who acts: each row independently with its probability ------------------------

@pytest.mark.parametrize("p", [0.003, 0.07, 0.5, 0.93])
def test_keep_rows_keeps_each_row_independently_with_its_probability(p):
    """Geometric skips give the same law as one Bernoulli(p) draw per row: every row's
    frequency within 5 standard errors of p, and counts per draw with the binomial variance
    (within 20%), rows ascending and in range."""
    from sim.rules import keep_rows

    rng = np.random.default_rng(7)
    n, reps = 400, 5000
    out = np.zeros(n, np.int64)
    hits = np.zeros(n)
    counts = []
    for _ in range(reps):
        c = keep_rows(100, 100 + n, p, out, 0, rng)
        rows = out[:c]
        assert np.all(np.diff(rows) > 0) and (c == 0 or (rows[0] >= 100 and rows[-1] < 500))
        hits[rows - 100] += 1
        counts.append(c)
    se = np.sqrt(p * (1 - p) / reps)
    assert np.all(np.abs(hits / reps - p) < 5 * se + 1e-12)
    assert np.var(counts) == pytest.approx(n * p * (1 - p), rel=0.2)


def test_keep_rows_edges():
    from sim.rules import keep_rows

    rng = np.random.default_rng(0)
    out = np.full(10, -1, np.int64)
    assert keep_rows(0, 10, 0.0, out, 0, rng) == 0
    assert keep_rows(3, 3, 0.5, out, 0, rng) == 0
    out = np.full(12, -1, np.int64)
    assert keep_rows(0, 10, 1.0, out, 2, rng) == 12
    assert np.array_equal(out[2:], np.arange(10))


def test_organisations_search_alone_at_their_sector_rates():
    """Choosing searchers at the top rate and keeping them with rate/top (sim.rules) gives
    each sector its `search_rate`: solo searches per month over 40 months within 5
    standard errors of sum over sectors of organisations x rate (bandwidth large enough
    that everyone always has spare; no pressure term)."""
    from sim import PartnershipModel
    from sim.params import PARAM_FIELDS

    bandwidth = tuple(100.0 * b for b in PARAM_FIELDS["bandwidth"].default)
    model = PartnershipModel(n_orgs=3000, rng=5, platform_design="none",
                             pressure_sensitivity=0.0, bandwidth=bandwidth)
    model.run(40)
    searches = model.datacollector.get_model_vars_dataframe()["search_cost"] / \
        model.params.solo_search_cost
    sizes = np.diff(model.state.world.sector_start[0])
    rates = np.asarray(model.params.search_rate)
    expected = float((sizes * rates).sum())
    se = np.sqrt(float((sizes * rates * (1 - rates)).sum()) / len(searches))
    assert abs(searches.mean() - expected) < 5 * se, (searches.mean(), expected)

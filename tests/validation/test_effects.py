"""The effect-size arithmetic of the validation suite, on inputs whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from .effects import landing, merge_rows, paired_effect, write_rows


def test_paired_effect_matches_a_paired_t_interval() -> None:
    rng = np.random.default_rng(0)
    control = rng.normal(1.0, 0.2, 20)
    treatment = control + rng.normal(0.3, 0.1, 20)
    effect = paired_effect("p", "m", ("c", control), ("t", treatment), margin=0.1)
    d = treatment - control
    low, high = stats.t.interval(0.95, 19, loc=d.mean(), scale=stats.sem(d))
    assert effect.difference == pytest.approx(d.mean())
    assert (effect.ci95_low, effect.ci95_high) == pytest.approx((low, high))
    assert effect.relative_change == pytest.approx(d.mean() / control.mean())
    assert effect.passed and effect.n == 20


def test_paired_effect_fails_below_the_margin_or_with_an_interval_across_zero() -> None:
    base = np.linspace(0.0, 1.0, 20)
    small = paired_effect("p", "m", ("c", base), ("t", base + 0.05), margin=0.1)
    assert not small.passed  # a sure effect, but below the margin
    noisy = base + np.where(np.arange(20) % 2 == 0, 1.0, -0.8)  # mean +0.1, sd ~0.92
    unsure = paired_effect("p", "m", ("c", base), ("t", noisy), margin=0.05)
    assert unsure.difference > 0.05 and unsure.ci95_low < 0 and not unsure.passed
    wrong_way = paired_effect("p", "m", ("c", base), ("t", base + 0.5), margin=0.1,
                              direction="decrease")
    assert not wrong_way.passed and wrong_way.share_in_direction == 0.0


def test_no_change_direction_and_nan_seeds() -> None:
    base = np.ones(20)
    flat = paired_effect("p", "m", ("c", base), ("t", base + 0.01), margin=0.02,
                         direction="none")
    assert flat.passed and flat.share_in_direction == 1.0
    assert not paired_effect("p", "m", ("c", base), ("t", base + 0.05), margin=0.02,
                             direction="none").passed
    with_nan = np.r_[np.nan, base[1:] + 1.0]
    strict = paired_effect("p", "m", ("c", base), ("t", with_nan), margin=0.5)
    assert strict.n == 19 and strict.undefined == 1 and not strict.passed
    assert "1 more seeds undefined" in strict.line()
    assert paired_effect("p", "m", ("c", base), ("t", with_nan), margin=0.5,
                         require_all=False).passed
    with pytest.raises(ValueError, match="direction='up': allowed values are"):
        paired_effect("p", "m", ("c", base), ("t", base), margin=0.0, direction="up")


def test_no_increase_needs_the_whole_interval_below_the_margin() -> None:
    base = np.linspace(1.0, 2.0, 20)
    wiggle = np.where(np.arange(20) % 2 == 0, 0.01, -0.01)
    assert paired_effect("p", "m", ("c", base), ("t", base - 0.5 + wiggle), margin=0.05,
                         direction="no_increase").passed  # a fall is no rise
    assert paired_effect("p", "m", ("c", base), ("t", base + 0.02 + wiggle), margin=0.05,
                         direction="no_increase").passed
    rise = paired_effect("p", "m", ("c", base), ("t", base + 0.06 + wiggle), margin=0.05,
                         direction="no_increase")
    assert not rise.passed and "no rise beyond +0.05" in rise.line()


def test_landing_needs_the_whole_interval_inside_the_range() -> None:
    values = np.linspace(0.55, 0.65, 20)
    assert landing("p", "m", values, 0.3, 0.7).passed
    assert not landing("p", "m", values, 0.3, 0.6).passed
    assert landing("p", "m", values, 0.5, math.inf).control == "at least 0.5"


def test_landing_fails_when_a_seed_is_undefined() -> None:
    """A median beyond the run's horizon is NaN; it must not vanish from the check."""
    values = np.r_[np.linspace(50.0, 60.0, 18), np.nan, np.nan]
    strict = landing("p", "median", values, 24.0, 120.0)
    assert strict.n == 18 and strict.undefined == 2 and not strict.passed
    assert landing("p", "median", values, 24.0, 120.0, require_all=False).passed


def test_rows_from_several_tests_merge_into_one_csv(tmp_path) -> None:
    base = np.arange(20.0)
    write_rows(tmp_path / "rows", "a", [paired_effect("p", "m", ("c", base), ("t", base + 1),
                                                      margin=0.5)])
    write_rows(tmp_path / "rows", "b", [landing("q", "m", base, 0, 100)] * 2)
    target = tmp_path / "out" / "effects.csv"
    assert merge_rows(tmp_path / "rows", target) == 3
    lines = target.read_text().splitlines()
    assert len(lines) == 4 and lines[0].startswith("pattern,measure,control")

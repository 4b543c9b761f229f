"""Property-based tests (hypothesis): random valid parameter sets keep the model sound.

A strategy draws a random valid parameter set: a small population (10..150 organisations
per country, 1..3 countries), any platform design, both booleans, a random sector
composition (some sectors may be empty) and a value for every numeric parameter within
the range the schema declares (`sim.params.PARAM_FIELDS[name].metadata["lo"/"hi"]`).
Where a large value would only make runs slow (population, platform budget, actions per
staff, event contacts, objective length, bandwidth) the draw is capped to a sensible
sub-range; parameters with very wide ranges are drawn half from a "typical" sub-range and
half from their whole declared range, so both ordinary dynamics and the extremes are
exercised.

Properties (each test prints how many cases it ran; run with `-s` to see it):

1. every invariant holds after every step (numba engine, 15 steps), reporters and summary
   numbers are finite (apart from the documented NaN fields) and skills stay in 0..1;
2. the numba and Mesa engines agree exactly (8 steps, at most 80 organisations/country);
3. the same seed and parameters give identical results;
4. (a pure function) `sector_counts` splits any population (n_orgs over its whole range)
   exactly by any valid composition, including shares off 1 by up to the 1e-6 tolerance.

The fast variants (200 + 100 + 100 + 500 cases) are derandomised: the same examples every
run, so `make test` is stable; together they take about 30 s. The `slow` variants (`make
test-all`; 400 + 200 + 200 cases, about 55 s more) draw fresh random examples each run and
keep failing ones in hypothesis's example database (`.hypothesis/`, gitignored).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from sim import PartnershipModel
from sim.invariants import invariant_violations
from sim.metrics import COST_MIN_OUTCOME, LEVERAGE_MIN_DISBURSED  # NaN at or below these
from sim.params import N_SECTORS, PARAM_FIELDS, PLATFORM_DESIGNS, make_params
from sim.state import sector_counts

STEPS_INVARIANTS = 15
STEPS_ENGINES = 8
STEPS_REPEAT = 10

# Hard caps: a larger value is valid but would only make a run slow.
CAPS: dict[str, tuple[float, float]] = {
    "platform_budget": (0.0, 200.0),
    "actions_per_staff": (0.0, 30.0),
    "event_contacts": (0, 5),
    "objective_months": (1.0, 200.0),
    "broker_candidates": (1, 20),
    "bandwidth": (0.0, 10.0),
}

# Typical sub-ranges of parameters whose declared range is very wide: drawn half the time
# from here and half the time from the whole declared range.
TYPICAL: dict[str, tuple[float, float]] = {
    "grant_size": (0.0, 5.0),
    "membership_overhead": (0.0, 2.0),
    "membership_benefit": (0.0, 5.0),
    "ba_staff": (0.0, 10.0),
    "ba_smes_per_staff": (0.0, 50.0),
    "partnership_cost": (0.1, 2.0),
    "w_skill": (0.0, 1.0),
    "w_complementarity": (0.0, 1.0),
    "w_goal": (0.0, 1.0),
    "w_culture": (0.0, 1.0),
    "w_trust": (0.0, 1.0),
    "w_repeat": (0.0, 1.0),
    "w_broker": (0.0, 1.0),
    "payoff_noise": (0.0, 1.0),
    "solo_search_cost": (0.0, 1.0),
    "satisfaction_ratio": (0.0, 1.0),
    "local_trust_bonus": (0.0, 0.5),
    "output_scale": (0.0, 5.0),
    "running_cost": (0.0, 0.2),
    "resource_half_months": (0.1, 48.0),
    "spillover_transformational": (0.0, 2.0),
    "spillover_value_chain": (0.0, 2.0),
    "collective_action": (0.0, 1.0),
    "resource_cap_months": (1.0, 48.0),
    "income": (0.0, 5.0),
    "reservation": (-0.5, 1.5),
    "patience": (1.0, 24.0),
    "commitment_months": (0.0, 36.0),
}

# Drawn separately (not generically from their range).
SPECIAL = {"n_orgs", "n_countries", "sector_shares", "platform_design", "engine",
           "goal_matrix_path", "event_partnering", "ba_representation",
           "capacity_building_share", "convening_share", "world", "national_budget_split"}


def _declared(name: str) -> tuple[float, float]:
    meta = PARAM_FIELDS[name].metadata
    return meta["lo"], meta["hi"]


def _bounds(name: str, sub: tuple[float, float] | None = None) -> tuple[float, float]:
    """Declared range of `name`, narrowed to `sub` (which must lie inside it)."""
    lo, hi = _declared(name)
    if sub is None:
        return lo, hi
    assert lo <= sub[0] <= sub[1] <= hi, (name, sub, (lo, hi))
    return sub


def _number(name: str) -> st.SearchStrategy:
    """Any value of numeric parameter `name` within its declared (or capped) range."""
    default = PARAM_FIELDS[name].default
    lo, hi = _bounds(name, CAPS.get(name))
    if isinstance(default, int):
        return st.integers(int(lo), int(hi))
    full = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if name in TYPICAL:
        a, b = _bounds(name, TYPICAL[name])
        return st.one_of(st.floats(a, b, allow_nan=False, allow_infinity=False), full)
    return full


def _sector_tuple(name: str) -> st.SearchStrategy:
    return st.tuples(*[_number(name) for _ in range(N_SECTORS)])


NUMERIC = [name for name, f in PARAM_FIELDS.items()
           if name not in SPECIAL and not isinstance(f.default, tuple)]
SECTOR_TUPLES = [name for name, f in PARAM_FIELDS.items()
                 if isinstance(f.default, tuple) and name != "sector_shares"]


@st.composite
def parameter_sets(draw, max_orgs: int = 150) -> tuple[dict, int]:
    """A random valid parameter set (keyword arguments of PartnershipModel) and a seed."""
    params: dict = {
        "n_orgs": draw(st.integers(_declared("n_orgs")[0], max_orgs)),
        "n_countries": draw(st.integers(_declared("n_countries")[0], 3)),
        "platform_design": draw(st.sampled_from(PLATFORM_DESIGNS)),
        "event_partnering": draw(st.booleans()),
        "ba_representation": draw(st.booleans()),
        "national_budget_split": draw(st.sampled_from(
            PARAM_FIELDS["national_budget_split"].metadata["choices"])),
    }
    weights = draw(st.lists(st.integers(0, 20), min_size=N_SECTORS, max_size=N_SECTORS)
                   .filter(lambda w: sum(w) > 0))
    params["sector_shares"] = tuple(w / sum(weights) for w in weights)
    building = draw(st.floats(*_declared("capacity_building_share")))
    params["capacity_building_share"] = building
    params["convening_share"] = draw(st.floats(0.0, 1.0 - building))
    for name in NUMERIC:
        params[name] = draw(_number(name))
    for name in SECTOR_TUPLES:
        params[name] = draw(_sector_tuple(name))
    make_params(**params)  # the strategy must only produce valid sets
    seed = draw(st.integers(0, 2**32 - 1))
    return params, seed


def test_strategy_covers_every_numeric_parameter() -> None:
    drawn = set(NUMERIC) | set(SECTOR_TUPLES) | SPECIAL
    assert drawn == set(PARAM_FIELDS)
    assert len(NUMERIC) + len(SECTOR_TUPLES) > 50


# --- checks --------------------------------------------------------------------------------

def _finite_table(table: pd.DataFrame) -> bool:
    return bool(np.isfinite(table.to_numpy(dtype=np.float64)).all())


def _summary_problems(model: PartnershipModel) -> list[str]:
    """Summary numbers that are infinite, or NaN where the documentation does not allow it."""
    row = model.summary()
    ended = row["ended"]
    table = model.datacollector.get_model_vars_dataframe()
    no_outcome = row["outcome_direct"] + row["outcome_indirect"] <= COST_MIN_OUTCOME
    nan_when = {  # field -> condition under which NaN is the documented value
        "mean_lifetime": ended == 0, "median_lifetime": ended == 0,
        "median_lifetime_km": True,  # NaN while fewer than half are known to have ended
        "failed_share": ended == 0, "failed_or_dormant_share": ended == 0,
        "ended_health_share": ended == 0, "ended_unmet_share": ended == 0,
        "ended_funding_share": ended == 0, "ended_objective_share": ended == 0,
        "cost_per_partnership": table["formed_brokered"].sum() == 0,
        "membership_cost_per_partnership": table["formed_brokered"].sum() == 0,
        "action_yield": table["platform_actions"].sum() == 0,
        "staff_months_per_outcome": no_outcome,
        "membership_bandwidth_per_outcome": no_outcome,
        "donor_leverage": row["donor_disbursed"] <= LEVERAGE_MIN_DISBURSED,
        "cofinance_per_donor_money": row["donor_disbursed"] <= LEVERAGE_MIN_DISBURSED,
        "investor_pool_used": model.params.investor_pool == 0,
        "countries_failed_share_max": ended == 0,
        "countries_sme_participation_min": not (model.state.orgs.sector == 0).any(),
        # (a denormal outcome divided by the organisations underflows to 0)
        "countries_outcome_per_org_min_ratio": row["outcome_direct"] / row["n_orgs_total"] == 0,
    }
    problems = []
    for key, value in row.items():
        if value is None or isinstance(value, str):
            continue
        value = float(value)
        if math.isinf(value):
            problems.append(f"{key} is infinite")
        elif math.isnan(value) and not nan_when.get(key, False):
            problems.append(f"{key} is NaN")
    return problems


def _assert_same_models(a: PartnershipModel, b: PartnershipModel) -> None:
    pd.testing.assert_frame_equal(a.datacollector.get_model_vars_dataframe(),
                                  b.datacollector.get_model_vars_dataframe(), check_exact=True)
    pd.testing.assert_frame_equal(a.partnership_history(), b.partnership_history(),
                                  check_exact=True)
    for name, x_group, y_group in zip(a.state._fields, a.state, b.state, strict=True):
        for field, x, y in zip(x_group._fields, x_group, y_group, strict=True):
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y, err_msg=f"{name}.{field}")
            else:
                assert x == y, f"{name}.{field}"
    assert a.rng.random() == b.rng.random(), "generators left in different states"


def check_invariants(case: tuple[dict, int]) -> None:
    params, seed = case
    model = PartnershipModel(rng=seed, **params)
    for step in range(1, STEPS_INVARIANTS + 1):
        model.step()
        problems = invariant_violations(model)
        assert problems == [], f"step {step}: {problems}"
        skill = model.state.orgs.skill
        assert np.all((skill >= 0.0) & (skill <= 1.0)), f"step {step}: skill outside 0..1"
        assert np.all(np.isfinite(model.step_metrics)), f"step {step}: non-finite reporter"
    table = model.datacollector.get_model_vars_dataframe()
    assert len(table) == STEPS_INVARIANTS
    assert _finite_table(table), "NaN or infinity in the reporter table"
    assert (table["formed"] >= 0).all() and (table["active_partnerships"] >= 0).all()
    assert ((table["mean_skill"] >= 0) & (table["mean_skill"] <= 1)).all()
    assert _summary_problems(model) == []
    note(f"formed={int(table['formed'].sum())}")


def check_engines_agree(case: tuple[dict, int]) -> None:
    params, seed = case
    models = [PartnershipModel(rng=seed, engine=engine, **params) for engine in ("numba", "mesa")]
    for model in models:
        for _ in range(STEPS_ENGINES):
            model.step()
    _assert_same_models(*models)


def check_reproducible(case: tuple[dict, int]) -> None:
    params, seed = case
    models = [PartnershipModel(rng=seed, **params) for _ in range(2)]
    for model in models:
        for _ in range(STEPS_REPEAT):
            model.step()
    _assert_same_models(*models)


def _run_property(check, strategy: st.SearchStrategy, max_examples: int,
                  derandomize: bool) -> int:
    """Run `check` on hypothesis examples of `strategy`; return how many cases ran."""
    cases: list[int] = []

    @settings(max_examples=max_examples, deadline=None, derandomize=derandomize,
              database=None if derandomize else settings.default.database,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategy)
    def prop(case: tuple[dict, int]) -> None:
        cases.append(1)
        check(case)

    prop()
    return len(cases)


def _report(record_property, label: str, n: int) -> None:
    print(f"\n{label}: {n} hypothesis cases ran")
    record_property("hypothesis_cases", n)
    assert n > 0


# --- fast variants (make test): 200 + 100 + 100 cases, about 30 s in all ---------------------

def test_invariants_hold_for_random_parameters(record_property) -> None:
    """Property 1 on 200 derandomised cases (15 steps each, numba engine)."""
    n = _run_property(check_invariants, parameter_sets(), 200, derandomize=True)
    _report(record_property, "invariants", n)


def test_engines_agree_for_random_parameters(record_property) -> None:
    """Property 2 on 100 derandomised cases (8 steps, numba vs mesa, <= 80 orgs/country)."""
    n = _run_property(check_engines_agree, parameter_sets(max_orgs=80), 100, derandomize=True)
    _report(record_property, "engines agree", n)


def test_same_seed_same_results_for_random_parameters(record_property) -> None:
    """Property 3 on 100 derandomised cases (10 steps, run twice)."""
    n = _run_property(check_reproducible, parameter_sets(), 100, derandomize=True)
    _report(record_property, "reproducible", n)


def check_sector_counts(case: tuple[tuple[float, ...], int]) -> None:
    shares, n_orgs = case
    params = make_params(n_orgs=n_orgs, sector_shares=shares)
    counts = sector_counts(n_orgs, params.sector_shares)
    assert counts.sum() == n_orgs
    assert np.all(counts >= 0)
    exact = np.asarray(shares) / sum(shares) * n_orgs
    assert np.all(np.abs(counts - exact) < 1.0 + 1e-6 * n_orgs)
    assert np.all(counts[np.asarray(shares) == 0.0] == 0), "an empty sector got organisations"


@st.composite
def compositions(draw) -> tuple[tuple[float, ...], int]:
    """Sector shares summing to 1 within the schema's 1e-6 tolerance, and a population."""
    weights = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.0, 1.0)), min_size=N_SECTORS,
                            max_size=N_SECTORS).filter(lambda w: sum(w) > 0))
    excess = draw(st.floats(-9e-7, 9e-7))
    shares = tuple(w / sum(weights) * (1.0 + excess) for w in weights)
    assume(max(shares) <= 1.0)  # each share must itself be within 0..1
    lo, hi = _declared("n_orgs")
    return shares, draw(st.integers(int(lo), int(hi)))


def test_sector_counts_split_any_population_exactly(record_property) -> None:
    """Property 4 on 500 derandomised compositions (n_orgs over its whole range)."""
    n = _run_property(check_sector_counts, compositions(), 500, derandomize=True)
    _report(record_property, "sector counts", n)


# --- slow variants (make test-all): 400 + 200 + 200 fresh random cases, about 55 s --------

@pytest.mark.slow
def test_invariants_hold_for_many_random_parameters(record_property) -> None:
    """Property 1 on 400 random cases."""
    n = _run_property(check_invariants, parameter_sets(), 400, derandomize=False)
    _report(record_property, "invariants (slow)", n)


@pytest.mark.slow
def test_engines_agree_for_many_random_parameters(record_property) -> None:
    """Property 2 on 200 random cases."""
    n = _run_property(check_engines_agree, parameter_sets(max_orgs=80), 200, derandomize=False)
    _report(record_property, "engines agree (slow)", n)


@pytest.mark.slow
def test_same_seed_same_results_for_many_random_parameters(record_property) -> None:
    """Property 3 on 200 random cases."""
    n = _run_property(check_reproducible, parameter_sets(), 200, derandomize=False)
    _report(record_property, "reproducible (slow)", n)

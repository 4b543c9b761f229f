"""The two drivers of the same rules: a compiled loop and a Mesa agent-by-agent loop.

The schedule of one step is written once, as `SCHEDULE`, a tuple of compiled phases with
one signature `(O, PL, PS, W, K, step, rng)`:

1. context (funding, pressure, events)   5. partnerships operate
2. organisations review memberships       6. organisations learn
3. organisations search (alone, events)   7. partnerships are reviewed (dissolution)
4. platforms broker, convene and train    8. outcomes and spillovers

The numba engine runs `SCHEDULE` in one compiled call (`compiled_step`); the Mesa engine
runs the same tuple in Python, replacing a phase that agents carry out by its agent form
(`AGENT_PHASES`: the same rules called through the Mesa agents, in the same order). Both
draw the same numbers from the model's one Generator, so for the same parameters and seed
they produce identical states. Processes 2 and 3 visit only the organisations that have
something to do this month (`sim.rules.choose_reviewers`, `choose_searchers`); platforms
act in `rng.permutation` order (`sim.rules.fill_permutation`, the same numbers).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from numba import literal_unroll
from numba.core.errors import NumbaExperimentalFeatureWarning

from sim.jit import jit_noalloc
from sim.rules import (
    choose_reviewers,
    choose_searchers,
    fill_permutation,
    learn,
    operate_partnership,
    platform_act,
    review_memberships,
    review_partnership,
    seek_partners,
    spread_outcomes,
    update_context,
)

if TYPE_CHECKING:
    from sim.model import PartnershipModel


# --- the schedule: one compiled function per phase, all with the same arguments ----------------

@jit_noalloc
def context(O, PL, PS, W, K, step: int, rng) -> None:
    """1. The world's context: tallies reset, pressure, events, funding."""
    update_context(O, PL, W, K, step, rng)


@jit_noalloc
def memberships(O, PL, PS, W, K, step: int, rng) -> None:
    """2. The organisations that review this month, in random order, review memberships."""
    for k in range(choose_reviewers(PL, W, K, rng)):
        review_memberships(W.order[k], O, PL, K, rng)


@jit_noalloc
def search(O, PL, PS, W, K, step: int, rng) -> None:
    """3. The organisations that may search this month, in random order, search alone and
    at events."""
    for k in range(choose_searchers(O, W, K, rng)):
        seek_partners(W.order[k], O, PS, W, K, step, rng)


@jit_noalloc
def platforms(O, PL, PS, W, K, step: int, rng) -> None:
    """4. Platforms, in random order, train, convene and broker."""
    fill_permutation(PL.order, rng)
    for p in PL.order:
        platform_act(p, O, PL, PS, W, K, step, rng)


@jit_noalloc
def operation(O, PL, PS, W, K, step: int, rng) -> None:
    """5. Active partnerships, in slot order, operate."""
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 1:
            operate_partnership(k, O, PS, W, K, rng)


@jit_noalloc
def learning(O, PL, PS, W, K, step: int, rng) -> None:
    """6. Organisations, in row order, learn by doing or lose skill when idle."""
    for i in range(O.sector.shape[0]):
        learn(i, O, K)


@jit_noalloc
def dissolution(O, PL, PS, W, K, step: int, rng) -> None:
    """7. Active partnerships, in slot order, are reviewed and may end."""
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 1:
            review_partnership(k, O, PS, W, K)


@jit_noalloc
def outcomes(O, PL, PS, W, K, step: int, rng) -> None:
    """8. Direct outcomes, spillovers and collective action."""
    spread_outcomes(W, K)


SCHEDULE = (context, memberships, search, platforms, operation, learning, dissolution,
            outcomes)
"""The phases of one step, in order (the only place the order is written)."""


# `compiled_step` loops over the tuple of compiled phases (numba's first-class function
# types, stable since numba 0.49 but still labelled experimental); the loop is unrolled, one
# direct call per phase, as fast as spelling the calls out (measured at 10^5 organisations).
warnings.filterwarnings("ignore", message="First-class function type feature is experimental",
                        category=NumbaExperimentalFeatureWarning)


@jit_noalloc
def compiled_step(O, PL, PS, W, K, step: int, rng) -> None:
    """Run `SCHEDULE` once inside compiled code (each phase a direct compiled call)."""
    for phase in literal_unroll(SCHEDULE):
        phase(O, PL, PS, W, K, step, rng)


# --- the Mesa engine's agent forms of the phases agents carry out --------------------------

def _memberships_by_agents(model: PartnershipModel) -> None:
    s = model.state
    count = choose_reviewers(s.platforms, s.world, s.constants, model.rng)
    model.organisations_in(s.world.order[:count].copy()).do("review_memberships")


def _search_by_agents(model: PartnershipModel) -> None:
    s = model.state
    count = choose_searchers(s.orgs, s.world, s.constants, model.rng)
    model.organisations_in(s.world.order[:count].copy()).do("seek_partners")


def _platforms_by_agents(model: PartnershipModel) -> None:
    order = model.state.platforms.order
    fill_permutation(order, model.rng)
    model.platforms_in(order.copy()).do("act")


def _operation_by_agents(model: PartnershipModel) -> None:
    for partnership in model.partnerships:
        partnership.operate()


def _learning_by_agents(model: PartnershipModel) -> None:
    model.organisations.do("learn")


def _dissolution_by_agents(model: PartnershipModel) -> None:
    for partnership in model.partnerships:
        partnership.review()


AGENT_PHASES: dict[Callable, Callable[[PartnershipModel], None]] = {
    memberships: _memberships_by_agents, search: _search_by_agents,
    platforms: _platforms_by_agents, operation: _operation_by_agents,
    learning: _learning_by_agents, dissolution: _dissolution_by_agents,
}
"""Phases the Mesa engine runs through its agents; the others it calls as compiled."""


class Engine(Protocol):
    """Advances a model's state by one step."""

    def step(self, model: PartnershipModel) -> None: ...


class NumbaEngine:
    """Runs each step as one call into compiled code."""

    def step(self, model: PartnershipModel) -> None:
        s = model.state
        compiled_step(s.orgs, s.platforms, s.partnerships, s.world, s.constants, model.steps,
                      model.rng)


class MesaEngine:
    """Runs each step agent by agent through the Mesa agents (for debugging and custom agents).

    World-level phases (context, outcomes) are the compiled phases themselves;
    organisations, platforms and partnerships act through their own objects.
    """

    def step(self, model: PartnershipModel) -> None:
        s = model.state
        for phase in SCHEDULE:
            by_agents = AGENT_PHASES.get(phase)
            if by_agents is not None:
                by_agents(model)
            else:
                phase(s.orgs, s.platforms, s.partnerships, s.world, s.constants, model.steps,
                      model.rng)


ENGINES: dict[str, type] = {"numba": NumbaEngine, "mesa": MesaEngine}

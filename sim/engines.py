"""The two drivers of the same rules: a compiled loop and a Mesa agent-by-agent loop.

Both run the schedule of one step in the same order with the same random draws, so for
the same parameters and seed they produce identical states:

1. context (funding, pressure, events)   5. partnerships operate
2. organisations review memberships       6. organisations learn
3. organisations search (alone, events)   7. partnerships are reviewed (dissolution)
   platforms broker, convene and train    8. outcomes and spillovers
Orders are drawn from the model's one Generator: `rng.permutation` in the Mesa engine, the
compiled `permutation` (the same numbers) in the numba engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from sim.jit import jit, jit_noalloc
from sim.rules import (
    learn,
    operate_partnership,
    platform_act,
    review_memberships,
    review_partnership,
    seek_partners,
    shuffle,
    spread_outcomes,
    update_context,
)

if TYPE_CHECKING:
    from sim.model import PartnershipModel


class Engine(Protocol):
    """Advances a model's state by one step."""

    def step(self, model: PartnershipModel) -> None: ...


@jit_noalloc
def shuffled(order, rng) -> None:
    """Shuffle `order` in place (a compiled call boundary for `sim.rules.shuffle`)."""
    shuffle(order, rng)


@jit
def permutation(n: int, rng):
    """`rng.permutation(n)`: the same numbers, about five times faster than numba's."""
    order = np.arange(n)
    shuffled(order, rng)
    return order


@jit_noalloc
def start_step(O, PL, W, K, step: int, rng) -> None:
    """Process 1 (the world's context, platforms' working staff)."""
    update_context(O, PL, W, K, step, rng)


@jit_noalloc
def review_all(order, O, PL, K, rng) -> None:
    """Process 2 for every organisation, in `order`."""
    for i in order:
        review_memberships(i, O, PL, K, rng)


@jit_noalloc
def seek_all(order, O, PS, W, K, step: int, rng) -> None:
    """Process 3 for every organisation, in `order`."""
    for i in order:
        seek_partners(i, O, PS, W, K, step, rng)


@jit_noalloc
def act_all(order, O, PL, PS, W, K, step: int, rng) -> None:
    """Platforms act (processes 3, 4 and 6), in `order`."""
    for p in order:
        platform_act(p, O, PL, PS, W, K, step, rng)


@jit_noalloc
def finish_step(O, PS, W, K, rng) -> None:
    """Processes 5-8: partnerships operate, organisations learn, partnerships are reviewed,
    outcomes spread."""
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 1:
            operate_partnership(k, O, PS, W, K, rng)
    for i in range(O.sector.shape[0]):
        learn(i, O, K)
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 1:
            review_partnership(k, O, PS, W, K)
    spread_outcomes(W, K)


@jit
def compiled_step(O, PL, PS, W, K, step: int, rng) -> None:
    """Run one whole step of the schedule inside compiled code.

    This function only allocates the orders (as `rng.permutation` would); the phases run
    without reference counting (see `sim.jit.jit_noalloc`), which is what makes them fast.
    A rule must not be called here directly: inlined into this function, it would count
    references again.
    """
    n = O.sector.shape[0]
    start_step(O, PL, W, K, step, rng)
    review_all(permutation(n, rng), O, PL, K, rng)
    seek_all(permutation(n, rng), O, PS, W, K, step, rng)
    act_all(permutation(PL.staff.shape[0], rng), O, PL, PS, W, K, step, rng)
    finish_step(O, PS, W, K, rng)


class NumbaEngine:
    """Runs each step as one call into compiled code."""

    def step(self, model: PartnershipModel) -> None:
        s = model.state
        compiled_step(s.orgs, s.platforms, s.partnerships, s.world, s.constants, model.steps,
                      model.rng)


class MesaEngine:
    """Runs each step agent by agent through the Mesa agents (for debugging and custom agents).

    Model-level processes (context, outcomes) call the same compiled rules as the numba
    engine; organisations, platforms and partnerships each act through their own objects.
    """

    def step(self, model: PartnershipModel) -> None:
        s = model.state
        rng = model.rng
        update_context(s.orgs, s.platforms, s.world, s.constants, model.steps, rng)
        model.organisations_in(rng.permutation(model.n_total)).do("review_memberships")
        model.organisations_in(rng.permutation(model.n_total)).do("seek_partners")
        model.platforms_in(rng.permutation(len(model.platform_agents))).do("act")
        for partnership in model.partnerships:
            partnership.operate()
        model.organisations.do("learn")
        for partnership in model.partnerships:
            partnership.review()
        spread_outcomes(s.world, s.constants)


ENGINES: dict[str, type] = {"numba": NumbaEngine, "mesa": MesaEngine}

"""The two drivers of the same rules: a compiled loop and a Mesa agent-by-agent loop.

Both run the schedule of one step in the same order with the same random draws, so for
the same parameters and seed they produce identical states:

1. context (funding, pressure, events)   5. partnerships operate
2. organisations review memberships       6. organisations learn
3. organisations search (alone, events)   7. partnerships are reviewed (dissolution)
   platforms broker, convene and train    8. outcomes and spillovers
Orders are drawn with `rng.permutation` from the model's one Generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sim.jit import jit
from sim.rules import (
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


class Engine(Protocol):
    """Advances a model's state by one step."""

    def step(self, model: PartnershipModel) -> None: ...


@jit
def compiled_step(O, PL, PS, W, K, step: int, rng) -> None:
    """Run one whole step of the schedule inside compiled code."""
    n = O.sector.shape[0]
    update_context(O, PL, W, K, rng)
    for i in rng.permutation(n):
        review_memberships(i, O, PL, K, rng)
    for i in rng.permutation(n):
        seek_partners(i, O, PS, W, K, step, rng)
    for p in rng.permutation(PL.staff.shape[0]):
        platform_act(p, O, PL, PS, W, K, step, rng)
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 1:
            operate_partnership(k, O, PS, W, K, rng)
    for i in range(n):
        learn(i, O, K)
    for k in range(PS.active.shape[0]):
        if PS.active[k] == 1:
            review_partnership(k, O, PS, W, K)
    spread_outcomes(W, K)


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
        update_context(s.orgs, s.platforms, s.world, s.constants, rng)
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

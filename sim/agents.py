"""Mesa agents: thin views onto rows of the model's state arrays.

An organisation's attributes (`bandwidth`, `load`, `skill`, ...) read and write its row,
and its behaviour methods call the compiled rules of `sim.rules` for that row, so the
Mesa engine and the compiled engine run the same rules on the same state.
`Partnership` is a view onto one partnership (not an agent: partnerships are relations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

from sim import rules
from sim.goals import N_GOALS
from sim.params import (
    ACADEMIA,
    BUSINESS_ASSOCIATION,
    DONOR,
    END_CAUSES,
    GOVERNMENT,
    MULTINATIONAL,
    NGO,
    SECTORS,
    SME,
)
from sim.state import (
    ALL_GOALS,
    EVENT,
    PARTNERSHIP_KINDS,
    PLATFORM_LEVELS,
    SOLO,
    platform_member_rows,
)

if TYPE_CHECKING:
    from sim.model import PartnershipModel


def _goal_list(mask: int) -> list[int]:
    """Goals (1..17, as numbered in the SDGs) set in a bitmask."""
    return [g + 1 for g in range(N_GOALS) if (mask >> g) & 1]


class Organisation(mesa.Agent):
    """An organisation of one sector; its state is row `row` of `model.state.orgs`."""

    sector: ClassVar[int]

    def __init__(self, model: PartnershipModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not hasattr(cls, "sector"):
            raise TypeError(f"{cls.__name__} must set the class attribute `sector`")

    # --- state (views onto the arrays) ---
    @property
    def sector_name(self) -> str:
        return SECTORS[self.sector]

    @property
    def country(self) -> int:
        return int(self.model.state.orgs.country[self.row])

    @property
    def bandwidth(self) -> float:
        """Partnering capacity, in partnership-equivalents."""
        return float(self.model.state.orgs.bandwidth[self.row])

    @bandwidth.setter
    def bandwidth(self, value: float) -> None:
        self.model.state.orgs.bandwidth[self.row] = value

    @property
    def load(self) -> float:
        """Bandwidth in use by partnerships and platform memberships."""
        return float(self.model.state.orgs.load[self.row])

    @property
    def skill(self) -> float:
        """Partnering skill, 0..1."""
        return float(self.model.state.orgs.skill[self.row])

    @skill.setter
    def skill(self, value: float) -> None:
        self.model.state.orgs.skill[self.row] = value

    @property
    def resources(self) -> float:
        return float(self.model.state.orgs.resources[self.row])

    @property
    def income(self) -> float:
        return float(self.model.state.orgs.income[self.row])

    @property
    def culture(self) -> float:
        """Position on the cultural axis; the distance between two is their friction."""
        return float(self.model.state.orgs.culture[self.row])

    @property
    def goals(self) -> list[int]:
        """Goals it cares about, numbered 1..17."""
        return _goal_list(int(self.model.state.orgs.goals[self.row]))

    @property
    def n_active(self) -> int:
        return int(self.model.state.orgs.n_active[self.row])

    @property
    def previous_partners(self) -> list[Organisation]:
        memory = self.model.state.orgs.memory[self.row]
        return [self.model.organisation(int(j)) for j in memory if j >= 0]

    @property
    def memberships(self) -> list[Platform]:
        """Platforms it belongs to (directly or through its business association)."""
        o, pl = self.model.state.orgs, self.model.state.platforms
        found = []
        for s in range(o.member_pos.shape[1]):
            if o.member_pos[self.row, s] >= 0:
                found.append(self.model.platform_agents[
                    int(rules.slot_platform(o, pl, self.row, s))])
        return found

    @property
    def partnerships(self) -> list[Partnership]:
        """Its active partnerships."""
        return [p for p in self.model.partnerships if self.row in p.member_rows]

    # --- behaviour (the Mesa engine calls these; each runs one compiled rule) ---
    def review_memberships(self) -> None:
        """Review its memberships (on the months `rules.choose_reviewers` picks it)."""
        s = self.model.state
        rules.review_memberships(self.row, s.orgs, s.platforms, s.constants, self.model.rng)

    def seek_partners(self) -> None:
        """Search alone or at an event (on the months `rules.choose_searchers` picks it)."""
        s = self.model.state
        rules.seek_partners(self.row, s.orgs, s.partnerships, s.world, s.constants,
                            self.model.steps, self.model.rng)

    def learn(self) -> None:
        s = self.model.state
        rules.learn(self.row, s.orgs, s.constants)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(row={self.row}, bandwidth={self.bandwidth:.2f}, "
                f"load={self.load:.2f}, skill={self.skill:.2f})")


class SME(Organisation):
    """Small or medium enterprise: tiny bandwidth, low skill, engages under community pressure."""

    sector = SME


class Multinational(Organisation):
    """Multinational company: large bandwidth, resources and skill; may partner across countries."""

    sector = MULTINATIONAL


class NGO(Organisation):
    """Non-governmental organisation: goal-focused, resource-poor, medium bandwidth."""

    sector = NGO


class Donor(Organisation):
    """Donor: funds its own partnerships and, by its alignment share, national priorities."""

    sector = DONOR


class Government(Organisation):
    """Government body: spans many goals; its presence unlocks aligned donor money."""

    sector = GOVERNMENT


class BusinessAssociation(Organisation):
    """Business association: may represent member SMEs on platforms, within its staff."""

    sector = BUSINESS_ASSOCIATION

    @property
    def represented(self) -> int:
        """SME memberships it currently carries on platforms."""
        return int(self.model.state.orgs.represented[self.row])


class Academia(Organisation):
    """University or research institute."""

    sector = ACADEMIA


ORGANISATION_CLASSES: tuple[type[Organisation], ...] = (
    SME, Multinational, NGO, Donor, Government, BusinessAssociation, Academia)


class Platform(mesa.Agent):
    """A partnership platform; its state is row `row` of `model.state.platforms`."""

    def __init__(self, model: PartnershipModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def level(self) -> str:
        """'national' or 'global'."""
        return PLATFORM_LEVELS[int(self.model.state.platforms.level[self.row])]

    @property
    def goal_scope(self) -> int | None:
        """The goal (1..17) a global lead serves, or None for an all-goal platform."""
        g = int(self.model.state.platforms.goal[self.row])
        return None if g == ALL_GOALS else g + 1

    @property
    def country(self) -> int | None:
        c = int(self.model.state.platforms.country[self.row])
        return None if c < 0 else c

    @property
    def staff(self) -> float:
        return float(self.model.state.platforms.staff[self.row])

    @property
    def working(self) -> float:
        """Staff at work this month (its staff during a ramp-up, `staff_ramp_months`)."""
        return float(self.model.state.platforms.working[self.row])

    @property
    def expertise(self) -> list[float]:
        """Goal expertise, one value per goal."""
        return [float(x) for x in self.model.state.platforms.expertise[self.row]]

    @property
    def members(self) -> list[Organisation]:
        rows = platform_member_rows(self.model.state.platforms, self.row)
        return [self.model.organisation(int(i)) for i in rows]

    @property
    def brokered(self) -> int:
        """Partnerships it helped to form."""
        return int(self.model.state.platforms.brokered[self.row])

    def act(self) -> None:
        """Spend this month's staff actions (the Mesa engine calls this)."""
        s = self.model.state
        rules.platform_act(self.row, s.orgs, s.platforms, s.partnerships, s.world, s.constants,
                           self.model.steps, self.model.rng)

    def __repr__(self) -> str:
        return (f"Platform(row={self.row}, level={self.level}, goal_scope={self.goal_scope}, "
                f"staff={self.staff:.2f}, "
                f"members={self.model.state.platforms.member_count[self.row]})")


class Partnership:
    """A partnership: members, focal goal, kind, health, age, broker and, once over, end cause.

    A view onto pool slot `slot` while partnership `serial` occupies it; after it ends,
    its record comes from the model's history of ended partnerships.
    """

    def __init__(self, model: PartnershipModel, slot: int) -> None:
        self.model = model
        self.slot = slot
        self.serial = int(model.state.partnerships.serial[slot])

    @property
    def is_active(self) -> bool:
        ps = self.model.state.partnerships
        return bool(ps.active[self.slot]) and int(ps.serial[self.slot]) == self.serial

    def _live(self):
        if not self.is_active:
            raise RuntimeError(f"partnership {self.serial} has ended; see end_cause and "
                               "model.partnership_history()")
        return self.model.state.partnerships

    @property
    def member_rows(self) -> list[int]:
        ps = self._live()
        return [int(i) for i in ps.members[self.slot, :ps.n_members[self.slot]]]

    @property
    def members(self) -> list[Organisation]:
        return [self.model.organisation(i) for i in self.member_rows]

    @property
    def focal_goal(self) -> int:
        """Focal goal, numbered 1..17."""
        return int(self._live().goal[self.slot]) + 1

    @property
    def kind(self) -> str:
        """'value_chain' or 'transformational' (three or more sectors)."""
        return PARTNERSHIP_KINDS[int(self._live().kind[self.slot])]

    @property
    def health(self) -> float:
        return float(self._live().health[self.slot])

    @property
    def age(self) -> int:
        """Months since it formed."""
        return int(self._live().age[self.slot])

    @property
    def funds(self) -> float:
        return float(self._live().funds[self.slot])

    @property
    def broker(self) -> str:
        """'solo', 'event' or the platform's description."""
        b = int(self._live().broker[self.slot])
        if b == SOLO:
            return "solo"
        if b == EVENT:
            return "event"
        return f"platform {b}"

    @property
    def end_cause(self) -> str | None:
        """Why it ended (one of END_CAUSES), or None while it is active."""
        if self.is_active:
            return None
        return self.model.end_cause_of(self.serial)

    def operate(self) -> None:
        """Process 5 for this partnership (the Mesa engine calls this)."""
        s = self.model.state
        rules.operate_partnership(self.slot, s.orgs, s.partnerships, s.world, s.constants,
                                  self.model.rng)

    def review(self) -> None:
        """Process 7 for this partnership (the Mesa engine calls this)."""
        s = self.model.state
        rules.review_partnership(self.slot, s.orgs, s.partnerships, s.world, s.constants)

    def __repr__(self) -> str:
        if not self.is_active:
            return f"Partnership(serial={self.serial}, ended: {self.end_cause})"
        return (f"Partnership(serial={self.serial}, kind={self.kind}, goal={self.focal_goal}, "
                f"members={len(self.member_rows)}, health={self.health:.2f}, age={self.age})")


__all__ = ["Organisation", "SME", "Multinational", "NGO", "Donor", "Government",
           "BusinessAssociation", "Academia", "Platform", "Partnership", "END_CAUSES"]

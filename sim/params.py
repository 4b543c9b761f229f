"""The parameter schema: every model parameter with its default, allowed range and reason.

One schema serves every door into the model: `PartnershipModel(**kwargs)` validates
through `make_params`, and the command line (and later Hydra configs) goes through the
same function, so a value is checked the same way whichever way it arrives.

Sector-indexed parameters are tuples in the order of `SECTORS`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

SECTORS: tuple[str, ...] = (
    "sme",
    "multinational",
    "ngo",
    "donor",
    "government",
    "business_association",
    "academia",
)
N_SECTORS = len(SECTORS)
SME, MULTINATIONAL, NGO, DONOR, GOVERNMENT, BUSINESS_ASSOCIATION, ACADEMIA = range(N_SECTORS)

PLATFORM_DESIGNS: tuple[str, ...] = ("none", "national", "per_goal", "hybrid", "staged")
# Designs whose global goal leads act through the national platforms (no direct members).
LEADS_THROUGH_NATIONAL: tuple[str, ...] = ("hybrid", "staged")
# How the national platforms' share of the budget is divided between countries.
NATIONAL_BUDGET_SPLITS: tuple[str, ...] = ("even", "by_orgs", "by_need")
ENGINES: tuple[str, ...] = ("numba", "mesa")
# Structural switches (the rules read a choice as its index: compare with these codes).
OVERHEAD_SCALINGS: tuple[str, ...] = ("per_platform", "split")
OVERHEAD_PER_PLATFORM, OVERHEAD_SPLIT = range(len(OVERHEAD_SCALINGS))
LEAD_MEMBER_SEARCHES: tuple[str, ...] = ("bounded", "until_found")
LEAD_SEARCH_BOUNDED, LEAD_SEARCH_UNTIL_FOUND = range(len(LEAD_MEMBER_SEARCHES))

# Causes of a partnership's end, in the order of the integer codes stored in the state.
END_CAUSES: tuple[str, ...] = ("health", "unmet", "funding", "objective")
FAILURE_CAUSES: tuple[str, ...] = ("health", "unmet")


def _p(default: Any, doc: str, why: str, *, lo: float | None = None, hi: float | None = None,
       choices: tuple[str, ...] | None = None, length: int | None = None,
       sums_to_one: bool = False, plausible: tuple[float, float] | None = None,
       plausible_why: str | None = None, plausible_choices: tuple[str, ...] | None = None,
       country: bool = False) -> Any:
    """Declare one parameter: default, meaning, justification and allowed values.

    An uncertain (behavioural) parameter also has a `plausible` range for sensitivity
    analysis, with a one-line `plausible_why`; for a sector-indexed parameter the range is
    a factor applied to every sector's default. An uncertain structural switch lists its
    defensible values as `plausible_choices` instead. `country=True` marks a country-level
    parameter: a world file (`sim.worlds`) may set it country by country.
    """
    meta = {"doc": doc, "why": why, "lo": lo, "hi": hi, "choices": choices,
            "length": length, "sums_to_one": sums_to_one, "plausible": plausible,
            "plausible_why": plausible_why, "plausible_choices": plausible_choices,
            "country": country}
    return field(default=default, metadata=meta)


def _sector(values: tuple[float, ...], doc: str, why: str, lo: float, hi: float,
            sums_to_one: bool = False, plausible: tuple[float, float] | None = None,
            plausible_why: str | None = None, country: bool = False) -> Any:
    return _p(values, doc, why, lo=lo, hi=hi, length=N_SECTORS, sums_to_one=sums_to_one,
              plausible=plausible, plausible_why=plausible_why, country=country)


@dataclass(frozen=True)
class Params:
    """All parameters of the partnership-ecosystem model (one month per step)."""

    # --- world and population -------------------------------------------------------
    n_orgs: int = _p(1000, "Organisations per country (a world file sets them per country).",
                     "Small default; a country is 1e4..1e6.", lo=10, hi=10_000_000,
                     country=True)
    n_countries: int = _p(1, "Number of countries sharing the global platforms (without a "
                          "world file; a world file has one row per country).",
                          "One country by default; the SUN Movement counted 51.", lo=1, hi=500)
    world: str | None = _p(None, "World file: a shipped world's name (sim/data/worlds/<name>.csv) "
                           "or the path of a CSV file, one row per country; it sets the "
                           "countries and their sizes, and any country-level parameter per "
                           "country (the run's value where the file has no column). None: "
                           "`n_countries` identical countries of `n_orgs`.",
                           "Real worlds are of different countries; shipped worlds are "
                           "synthetic.")
    world_scale: float = _p(1.0, "Factor on every country's organisations in the world file "
                            "(rounded, at least 10); ignored without a world file.",
                            "Runs one world small in tests and at 1e4+ per country in "
                            "experiments.", lo=0.0001, hi=10_000.0)
    sector_shares: tuple[float, ...] = _sector(
        (0.70, 0.02, 0.12, 0.01, 0.03, 0.04, 0.08),
        "Share of each sector in a country's organisations (SME, multinational, NGO, donor, "
        "government, business association, academia).",
        "Guess: SMEs are the large majority; multinationals and donors are few.", 0.0, 1.0,
        sums_to_one=True, country=True)
    # --- country profile ------------------------------------------------------------
    trust: float = _p(0.5, "Generalised trust in the country (0..1); raises partnership health.",
                      "Guess; low in post-conflict profiles.", lo=0.0, hi=1.0,
        plausible=(0.2, 0.7),
        plausible_why="Spans the country profiles (0.2 post-conflict to 0.6 strong SME base).",
        country=True)
    cultural_distance: float = _p(0.5, "Spread of sector cultures (0..1); distance is friction.",
                                  "Guess; the discussion stresses cultural barriers.",
                                  lo=0.0, hi=1.0,
        plausible=(0.3, 0.7),
        plausible_why="Spans the country profiles (0.5 baseline, 0.7 mining and post-conflict).",
        country=True)
    fragility: float = _p(0.02, "Monthly probability that a partnership suffers a shock.",
                          "Guess; higher in conflict or post-conflict countries.", lo=0.0, hi=1.0,
        plausible=(0.005, 0.06),
        plausible_why="Spans the country profiles (0.01 stable to 0.06 post-conflict).",
        country=True)
    # --- organisations ----------------------------------------------------------------
    bandwidth: tuple[float, ...] = _sector(
        (1.5, 8.0, 3.0, 6.0, 4.0, 3.0, 2.0),
        "Mean partnering bandwidth by sector, in partnership-equivalents.",
        "SMEs 'don't have the bandwidth, as multinationals do'.", 0.0, 1000.0,
        plausible=(0.5, 2.0),
        plausible_why="Guess: a factor of two either way; no survey measures partnering bandwidth.")
    skill: tuple[float, ...] = _sector(
        (0.15, 0.55, 0.35, 0.5, 0.3, 0.3, 0.4),
        "Mean initial partnering skill by sector (0..1).",
        "Guess; 'a huge gap in skills' at country level, SMEs lowest.", 0.0, 1.0,
        plausible=(0.6, 1.4),
        plausible_why="Guess: +/-40%, keeps the SME skill gap the discussion describes.")
    income: tuple[float, ...] = _sector(
        (0.05, 2.0, 0.15, 4.0, 0.5, 0.1, 0.15),
        "Mean monthly resources an organisation can put into partnerships.",
        "Guess; donors and multinationals hold the money, NGOs are resource-poor.", 0.0, 1e6,
        plausible=(0.5, 2.0),
        plausible_why="Guess: a factor of two either way, in arbitrary units.")
    n_goals_of_interest: tuple[float, ...] = _sector(
        (1.0, 4.0, 2.0, 5.0, 8.0, 3.0, 3.0),
        "Mean number of the 17 goals an organisation cares about.",
        "Guess; governments span many goals, SMEs one or two.", 1.0, 17.0,
        plausible=(1.0, 2.0),
        plausible_why="Guess: SMEs cannot care about fewer than one goal; up to twice as broad.")
    search_rate: tuple[float, ...] = _sector(
        (0.01, 0.3, 0.25, 0.2, 0.15, 0.1, 0.2),
        "Monthly probability that an organisation with spare bandwidth looks for a partner.",
        "Guess; SMEs engage mostly under community pressure.", 0.0, 1.0,
        plausible=(0.5, 2.0),
        plausible_why="Guess: a factor of two either way; never measured.")
    reservation: tuple[float, ...] = _sector(
        (0.65, 0.55, 0.45, 0.5, 0.5, 0.5, 0.45),
        "Minimum expected payoff for an organisation to join a partnership.",
        "Guess; SMEs demand a clear return for scarce bandwidth.", -10.0, 10.0,
        plausible=(0.7, 1.3),
        plausible_why="Guess: +/-30% of the demanded payoff.")
    patience: tuple[float, ...] = _sector(
        (4.0, 12.0, 9.0, 12.0, 12.0, 9.0, 9.0),
        "Months a member tolerates its own objectives unmet before leaving.",
        "Guess; SMEs leave first ('scares SMEs away').", 1.0, 1000.0,
        plausible=(0.5, 2.0),
        plausible_why="Guess: half to twice as patient.")
    commitment_months: tuple[float, ...] = _sector(
        (3.0, 18.0, 4.0, 24.0, 12.0, 4.0, 6.0),
        "Months of running costs each member puts into the pool when a partnership forms.",
        "Guess; resource-poor members commit little up front.", 0.0, 1000.0,
        plausible=(0.5, 2.0),
        plausible_why="Guess: a factor of two either way.")
    event_attendance: tuple[float, ...] = _sector(
        (0.05, 0.6, 0.2, 0.3, 0.4, 0.5, 0.3),
        "Probability that an organisation attends a country's conference or trade show.",
        "Guess; companies attend sector conferences anyway.", 0.0, 1.0,
        plausible=(0.5, 1.5),
        plausible_why="Guess: +/-50% of attendance.")
    pressure_sensitivity: float = _p(0.1, "Extra SME search probability per unit of community "
                                     "pressure on its goal.", "SMEs engage 'because of the "
                                     "pressure they get from the local communities'.",
                                     lo=0.0, hi=1.0,
        plausible=(0.02, 0.3),
        plausible_why="Guess: the mining profile uses 0.2; the discussion gives no number.",
        country=True)
    # --- community pressure, events and donors (process 1) ------------------------------
    pressure_volatility: float = _p(0.05, "Monthly noise of community pressure per goal.",
                                    "Guess.", lo=0.0, hi=1.0,
        plausible=(0.01, 0.1),
        plausible_why="Guess.")
    pressure_reversion: float = _p(0.05, "Monthly pull of pressure back to its mean 0.3.",
                                   "Guess.", lo=0.0, hi=1.0,
        plausible=(0.01, 0.2),
        plausible_why="Guess: pressure episodes lasting from months to years.")
    event_rate: float = _p(0.25, "Probability that a country holds a conference in a month.",
                           "Guess: about three sector conferences a year.", lo=0.0, hi=1.0,
        plausible=(0.1, 0.5),
        plausible_why="One to six sector conferences a year (mining profile 0.4).", country=True)
    event_partnering: bool = _p(False, "Whether conferences host a partnering session (the health "
                                "session at a mining conference).", "Off in the status quo.")
    event_contacts: int = _p(2, "Contacts an attendee makes at a partnering session.", "Guess.",
                             lo=0, hi=100,
        plausible=(1, 5),
        plausible_why="Guess: a partnering session yields a handful of contacts.")
    donor_alignment: float = _p(0.3, "Share of donor money aligned with national priorities "
                                "(channelled to priority goals) rather than the donor's own "
                                "projects.", "Donors 'not yet implementing the Paris declaration'.",
                                lo=0.0, hi=1.0,
        plausible=(0.1, 0.6),
        plausible_why="Spans the country profiles (0.2 post-conflict to 0.6 strong SME base).",
        country=True)
    grant_size: float = _p(1.0, "Largest monthly grant a partnership receives from one source.",
                           "Guess, in the same units as income.", lo=0.0, hi=1e6,
        plausible=(0.5, 2.0),
        plausible_why="Guess: a factor of two either way, in income units.")
    n_priority_goals: int = _p(5, "Goals a country's government names as national priorities.",
                               "Guess.", lo=1, hi=17, country=True)
    # --- platforms -------------------------------------------------------------------
    platform_design: str = _p("national", "Platform design.",
                              "The headline question compares the first four; staged adds "
                              "goal leads to national platforms later (staged_start_month).",
                              choices=PLATFORM_DESIGNS)
    platform_budget: float = _p(20.0, "Total platform staff, shared out by the design.",
                                "Equal budget lets designs win by shape, not money.",
                                lo=0.0, hi=1e6)
    hybrid_national_share: float = _p(0.5, "In the hybrid design (and the staged design from "
                                      "staged_start_month), share of the budget spent on "
                                      "national platforms (the rest on global goal leads).",
                                      "Even split as a neutral default.", lo=0.0, hi=1.0)
    national_budget_split: str = _p(
        "even", "How the national platforms' staff (national, hybrid and staged designs) is "
        "divided between countries: evenly; in proportion to organisations; or by need, in "
        "proportion to organisations times the health a partnership loses each month to the "
        "country's low trust and shocks, health_gain*(1-trust) + shock_size*fragility "
        "(docs/ODD.md 5).",
        "The discussion does not settle it. Even (one secretariat of the same size per "
        "country) is the status quo of the first version; by_orgs follows the workload; "
        "by_need sends staff where partnerships are hardest to keep alive.",
        choices=NATIONAL_BUDGET_SPLITS, plausible_choices=NATIONAL_BUDGET_SPLITS,
        plausible_why="All three are defensible; no source says how national platforms are "
                      "funded relative to country size or need.")
    actions_per_staff: float = _p(10.0, "Brokering, convening or training actions per staff "
                                  "member per month.", "Guess: a few per week.", lo=0.0, hi=1e4,
        plausible=(5.0, 20.0),
        plausible_why="Guess: one to five actions a week per staff member.")
    capacity_building_share: float = _p(0.3, "Share of platform actions spent on capacity "
                                        "building (training a member).", "TPI: 'building local "
                                        "capacity' is among the most important aspects.",
                                        lo=0.0, hi=1.0)
    convening_share: float = _p(0.2, "Share of platform actions spent convening three or more "
                                "sectors around one goal.", "Guess.", lo=0.0, hi=1.0)
    membership_overhead: float = _p(0.3, "Bandwidth a platform membership costs a member.",
                                    "'A system so complicated that it scares SMEs away'.",
                                    lo=0.0, hi=100.0,
        plausible=(0.1, 0.6),
        plausible_why="Discussion: overhead 'scares SMEs away', size unknown; guess.")
    overhead_scaling: str = _p(
        "per_platform", "How membership overhead is charged to an organisation on several "
        "goal leads (per_goal): one overhead per platform joined, or one overhead split over "
        "all the leads it belongs to (it pays it on joining the first, frees it on leaving "
        "the last). Designs with one membership slot are not affected.",
        "The discussion says separate memberships would 'scare SMEs away' but not how "
        "platforms would charge them; per_platform is the first version's rule, split is a "
        "one-stop membership across leads.",
        choices=OVERHEAD_SCALINGS, plausible_choices=OVERHEAD_SCALINGS,
        plausible_why="Both are defensible ways for goal leads to run memberships.")
    membership_review_rate: float = _p(0.1, "Monthly probability that an organisation reviews "
                                       "its platform memberships.", "Guess.", lo=0.0, hi=1.0,
        plausible=(0.03, 0.3),
        plausible_why="Guess: reviewed from every three months to every three years.")
    national_expertise: float = _p(0.3, "Goal expertise of a national all-goal platform (0..1).",
                                   "A generalist spread across 17 goals.", lo=0.0, hi=1.0,
        plausible=(0.1, 0.5),
        plausible_why="Guess: a generalist across 17 goals stays well below a specialist.")
    global_expertise: float = _p(0.9, "Goal expertise of a global lead platform on its goal.",
                                 "A specialist lead per goal.", lo=0.0, hi=1.0,
        plausible=(0.6, 1.0),
        plausible_why="Guess: a specialist lead, not necessarily the best.")
    expertise_transfer: float = _p(0.5, "Hybrid and staged: share of a global lead's expertise "
                                   "passed to the national platforms it feeds.", "Guess.",
                                   lo=0.0, hi=1.0,
        plausible=(0.2, 0.8),
        plausible_why="Guess.")
    coordination_cost: float = _p(0.25, "Hybrid and staged: share of a global lead's staff "
                                  "time lost to coordinating with the national platforms.",
                                  "Guess.", lo=0.0, hi=1.0,
        plausible=(0.1, 0.5),
        plausible_why="Guess: a tenth to half of a lead's time spent coordinating.")
    membership_benefit: float = _p(1.0, "Scale of the benefit an organisation expects from a "
                                   "platform's services, weighed against the overhead.", "Guess.",
                                   lo=0.0, hi=100.0,
        plausible=(0.5, 2.0),
        plausible_why="Guess: a factor of two either way.")
    broker_candidates: int = _p(3, "Candidates a platform screens for one introduction.",
                                "Guess.", lo=1, hi=50,
        plausible=(1, 6),
        plausible_why="Guess: a broker screens a few candidates per introduction.")
    lead_member_search: str = _p(
        "bounded", "How a goal lead picks the first member of an action: among "
        "`broker_candidates` draws the first who cares about its goal, or the last drawn if "
        "none does (bounded); or draws until one cares (until_found; the action is given up "
        "when, after as many draws as the list has members, none has).",
        "Matters in the hybrid design, where leads act through national platforms whose "
        "members mostly care about other goals: a lead that screens a few and acts anyway "
        "spends staff time on members less interested in its goal; one that searches on "
        "spends it only on interested ones. The first version's code did the former, its "
        "ODD said the latter.",
        choices=LEAD_MEMBER_SEARCHES, plausible_choices=LEAD_MEMBER_SEARCHES,
        plausible_why="Both are defensible practices for a goal lead.")
    ba_representation: bool = _p(False, "Whether business associations represent their member "
                                 "SMEs on platforms at no bandwidth cost to the SMEs.",
                                 "Asked in the discussion: can associations represent SMEs?")
    ba_staff: float = _p(2.0, "Staff of each business association available for representation.",
                         "Associations 'suffer the same problems of local NGOs'.", lo=0.0, hi=1e4,
        plausible=(0.5, 5.0),
        plausible_why="Spans the country profiles (0.5 post-conflict to 4 strong SME base).",
        country=True)
    ba_smes_per_staff: float = _p(15.0, "SMEs one association staff member can represent.",
                                  "Guess.", lo=0.0, hi=1e6,
        plausible=(5.0, 30.0),
        plausible_why="Guess.", country=True)
    # --- platforms in time: staff ramp-up, learned expertise, staged design ----------------
    staff_ramp_months: float = _p(
        0.0, "Months over which a platform hires its staff: its working staff in its m-th "
        "month of work (m = 1, 2, ...) is its full staff times min(1, m/staff_ramp_months); "
        "0 means full staff from its first month.",
        "Off by default (today's behaviour). The expert discussion asks platforms to 'start "
        "with small and manageable targets and learning as we go along'.", lo=0.0, hi=600.0,
        plausible=(0.0, 36.0),
        plausible_why="Guess: from staffed at once to a three-year build-up of a secretariat; "
                      "no source gives hiring times of partnership platforms.")
    expertise_start_share: float = _p(
        1.0, "Share of its design goal expertise (national_expertise, global_expertise and, "
        "in hybrid and staged, the expertise fed by the leads) a platform has when it starts.",
        "1 by default: platforms start at full expertise (today's behaviour); below 1 they "
        "learn it by brokering (expertise_gain).", lo=0.0, hi=1.0,
        plausible=(0.3, 1.0),
        plausible_why="Guess: from a new secretariat with a third of a mature one's know-how "
                      "to one at full strength.")
    expertise_gain: float = _p(
        0.0, "Expertise gained on a goal per partnership a platform brokers on it: "
        "expertise += expertise_gain*(1 - expertise).",
        "Off by default; learning by brokering ('learning as we go along').", lo=0.0, hi=1.0,
        plausible=(0.0, 0.1),
        plausible_why="Guess: up to a tenth of the remaining gap closed per partnership.")
    expertise_decay: float = _p(
        0.0, "Monthly relative loss of every goal's expertise of a platform "
        "(expertise -= expertise_decay*expertise), offset only by brokering.",
        "Off by default; know-how fades without practice (staff turnover).", lo=0.0, hi=1.0,
        plausible=(0.0, 0.05),
        plausible_why="Guess: from no loss to about half lost in a year without brokering.")
    staged_start_month: int = _p(
        36, "Staged design: month (step) from which the global goal leads work (through the "
        "national platforms, as in hybrid); before it the national platforms hold the whole "
        "platform_budget, from it the budget is split by hybrid_national_share.",
        "Guess: three years of national platforms before adding goal leads; compares 'start "
        "national, add goal leads later' with the other designs at equal staff-months.",
        lo=0, hi=1200)
    # --- formation (process 4) ---------------------------------------------------------
    partnership_cost: float = _p(1.0, "Bandwidth one partnership membership takes.",
                                 "The unit of bandwidth.", lo=0.01, hi=100.0)
    max_members: int = _p(5, "Largest partnership (members).", "Convened partnerships of 3-5 "
                          "sectors.", lo=3, hi=8)
    w_skill: float = _p(0.5, "Weight of the members' mean skill in the expected payoff.",
                        "Skill is needed 'for effective leadership and relationship building'.",
                        lo=0.0, hi=10.0,
        plausible=(0.25, 1.0),
        plausible_why="Guess: half to twice the default weight.")
    w_complementarity: float = _p(0.35, "Weight of cross-sector complementarity in the payoff.",
                                  "The definition: 'combining resources and competencies'.",
                                  lo=0.0, hi=10.0,
        plausible=(0.15, 0.7),
        plausible_why="Guess: half to twice the default weight.")
    w_goal: float = _p(0.25, "Payoff bonus when the focal goal is one of the member's own.",
                       "'Each achieving their own individual objectives'.", lo=0.0, hi=10.0,
        plausible=(0.1, 0.5),
        plausible_why="Guess: half to twice the default weight.")
    w_culture: float = _p(0.6, "Payoff penalty per unit of cultural distance between members.",
                          "'Especially if cultural barriers exist'.", lo=0.0, hi=10.0,
        plausible=(0.3, 1.2),
        plausible_why="Guess: half to twice; the discussion stresses cultural barriers.")
    w_trust: float = _p(0.2, "Weight of country trust in the payoff.", "Guess.", lo=0.0, hi=10.0,
        plausible=(0.1, 0.4),
        plausible_why="Guess: half to twice the default weight.")
    w_repeat: float = _p(0.3, "Payoff bonus for a previous partner.", "Trust from past success.",
                         lo=0.0, hi=10.0,
        plausible=(0.1, 0.6),
        plausible_why="Guess: half to twice the default weight.")
    w_broker: float = _p(0.3, "Payoff bonus per unit of a broker's goal expertise.", "Guess.",
                         lo=0.0, hi=10.0,
        plausible=(0.1, 0.6),
        plausible_why="Guess: half to twice the default weight.")
    payoff_noise: float = _p(0.4, "Width of the uniform noise on each member's payoff.", "Guess.",
                             lo=0.0, hi=10.0,
        plausible=(0.2, 0.8),
        plausible_why="Guess: half to twice the default width.")
    solo_search_cost: float = _p(0.1, "Spare bandwidth a solo search needs beyond the "
                                 "partnership itself (events need none).",
                                 "Searching alone is 'slow, costly'.", lo=0.0, hi=100.0,
        plausible=(0.05, 0.3),
        plausible_why="Guess: searching alone is 'slow, costly', by how much is unknown.")
    repeat_search_rate: float = _p(0.3, "Probability that a solo search turns to a previous "
                                   "partner.", "Guess.", lo=0.0, hi=1.0,
        plausible=(0.1, 0.6),
        plausible_why="Guess.")
    satisfaction_ratio: float = _p(0.35, "Share of its reservation payoff a member must get each "
                                   "month from the partnership's output for its own objectives "
                                   "to count as met.", "Guess.", lo=0.0, hi=10.0,
        plausible=(0.2, 0.5),
        plausible_why="Guess.")
    local_trust_bonus: float = _p(0.15, "Payoff bonus for an introduction made by a platform "
                                  "present in the country (national, or a global lead acting "
                                  "through one).", "Local presence builds trust; a distant "
                                  "global platform lacks it.", lo=0.0, hi=10.0,
        plausible=(0.0, 0.3),
        plausible_why="Guess: from no local-presence effect to twice the default.")
    local_knowledge_penalty: float = _p(
        0.0, "Payoff penalty on an introduction a global lead makes on its own, with no "
        "presence in the country (per_goal's leads; a hybrid lead acting through a national "
        "platform carries local trust instead).",
        "The discussion doubts a distant platform knows a country's organisations; how much "
        "that costs is unknown, so 0 (no penalty, the first version) is the default and the "
        "range lets the analysis treat it as uncertain.", lo=0.0, hi=10.0,
        plausible=(0.0, 0.3),
        plausible_why="Guess: from none to as much as local presence is worth (local_trust_bonus).")
    # --- operation (process 5) --------------------------------------------------------
    output_scale: float = _p(1.6, "Scale of a partnership's monthly output on its focal goal.",
                             "Arbitrary unit of outcome.", lo=0.0, hi=1e6,
        plausible=(1.2, 2.0),
        plausible_why="Guess: +/-25%; output also decides whether members' objectives are met.")
    running_cost: float = _p(0.04, "Monthly running cost per member, paid from pooled funds.",
                             "Guess.", lo=0.0, hi=1e6,
        plausible=(0.02, 0.08),
        plausible_why="Guess: half to twice the default.")
    resource_half_months: float = _p(12.0, "Months of running costs in pooled funds at which "
                                     "funds give half their full boost to output.", "Guess.",
                                     lo=0.01, hi=1e4,
        plausible=(6.0, 24.0),
        plausible_why="Guess: half to twice the default.")
    health_gain: float = _p(0.04, "Monthly health change per unit of members' mean skill plus "
                            "country trust above 1.", "Guess.", lo=0.0, hi=1.0,
        plausible=(0.02, 0.08),
        plausible_why="Guess: half to twice the default.")
    friction: float = _p(0.035, "Monthly health loss per unit of cultural distance.", "Guess.",
                         lo=0.0, hi=1.0,
        plausible=(0.02, 0.05),
        plausible_why="Guess: cultural friction, roughly +/-40%.")
    skill_softening: float = _p(0.7, "How far members' skill offsets cultural friction (0..1).",
                                "'Relationship building ... hard if cultural barriers exist'.",
                                lo=0.0, hi=1.0,
        plausible=(0.5, 0.9),
        plausible_why="Guess.")
    shock_size: float = _p(0.3, "Health lost in a shock.", "Guess.", lo=0.0, hi=1.0,
        plausible=(0.15, 0.45),
        plausible_why="Guess: +/-50%.")
    # --- learning (process 6) ---------------------------------------------------------
    learning_rate: float = _p(0.01, "Monthly skill gain (toward 1) per active partnership.",
                              "Learning by doing.", lo=0.0, hi=1.0,
        plausible=(0.005, 0.02),
        plausible_why="Guess: half to twice; learning by doing is not measured.")
    capacity_gain: float = _p(0.05, "Skill gain (toward 1) from one platform training action.",
                              "Platforms develop 'the skills needed for effective leadership'.",
                              lo=0.0, hi=1.0,
        plausible=(0.025, 0.1),
        plausible_why="Guess: half to twice; no evaluation of platform training found.")
    skill_decay: float = _p(0.005, "Monthly relative skill loss when idle.", "Guess.",
                            lo=0.0, hi=1.0,
        plausible=(0.002, 0.01),
        plausible_why="Guess.")
    # --- dissolution (process 7) ------------------------------------------------------
    health_floor: float = _p(0.15, "Health below which a partnership breaks down.", "Guess.",
                             lo=0.0, hi=1.0,
        plausible=(0.1, 0.25),
        plausible_why="Guess.")
    objective_months: float = _p(48.0, "Mean months of full output needed to reach a "
                                 "partnership's objective.", "Alliances last several years.",
                                 lo=1.0, hi=1e5,
        plausible=(24.0, 72.0),
        plausible_why="Alliances last several years: two to six.")
    # --- outcomes and spillovers (process 8) ---------------------------------------------
    spillover_transformational: float = _p(1.0, "Indirect effect of a transformational "
                                           "partnership per unit of output and matrix score/3.",
                                           "Systemic partnerships spill over.", lo=0.0, hi=10.0,
        plausible=(0.5, 1.5),
        plausible_why="Guess: +/-50%.")
    spillover_value_chain: float = _p(0.2, "Indirect effect of a value-chain partnership.",
                                      "Narrow partnerships spill over little.", lo=0.0, hi=10.0,
        plausible=(0.1, 0.4),
        plausible_why="Guess: half to twice, kept below transformational.")
    collective_action: float = _p(0.0, "Investment attracted per unit of measured positive "
                                  "indirect impact ('collective action').",
                                  "Off by default; a policy lever.", lo=0.0, hi=10.0)
    goal_matrix_path: str | None = _p(None, "CSV file with a 17x17 goal-interaction matrix "
                                      "(-3..3); None uses the illustrative default.",
                                      "No complete published matrix exists.")
    resource_cap_months: float = _p(24.0, "Months of income an organisation can hold in reserve.",
                                    "Guess; keeps reserves bounded.", lo=1.0, hi=1e4,
        plausible=(12.0, 48.0),
        plausible_why="Guess: one to four years of income in reserve.")
    # --- full cost and finite investors (issue 12) ------------------------------------
    platform_fixed_cost: float = _p(0.0, "Fixed running cost of one platform, in staff-equivalents "
                                    "per month (governance, reporting, membership administration), "
                                    "taken out of `platform_budget` before the rest is shared out "
                                    "as staff; when a design's platforms cost more than their part "
                                    "of the budget, that part goes wholly to running costs and "
                                    "their staff is 0 (never negative).",
                                    "0 keeps the first version's free platforms (and its "
                                    "calibration: at 0.2 the calibration twin's reservation "
                                    "interval misses its truth). Guess (illustrative) for a "
                                    "costed run: 0.2, about one day a week of one person per "
                                    "platform, so 17 leads or 51 national secretariats are not "
                                    "free to run at equal staff.",
                                    lo=0.0, hi=1e4,
        plausible=(0.0, 0.5),
        plausible_why="Guess: from free platforms to half a person per platform per month.")
    investor_pool: float = _p(2.0, "Money per organisation that collective-action investors can "
                              "put in over the whole run; a country's pool is this times its "
                              "organisations and is not replenished (used only when "
                              "`collective_action` > 0).",
                              "Guess (illustrative): about a year of an average organisation's "
                              "income (0.164 a month at the default sector mix); investment is "
                              "drawn from a finite pool, not created. Binding: uncapped, "
                              "collective_action=0.5 would attract about 23 per organisation "
                              "in 120 months, more than the ecosystem's own income.",
                              lo=0.0, hi=1e6)
    # --- engine ---------------------------------------------------------------------
    engine: str = _p("numba", "Which driver runs the rules: compiled loop or Mesa agent loop.",
                     "numba for speed, mesa for debugging and custom agents.", choices=ENGINES)


PARAM_FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in dataclasses.fields(Params)}
#: Country-level parameters (declared with `country=True`), in schema order: a world file
#: may set each of them per country (sim/worlds.py); the rules read them per country.
COUNTRY_PARAMS: tuple[str, ...] = tuple(n for n, f in PARAM_FIELDS.items()
                                        if f.metadata["country"])


def _fmt(x: float | None) -> str:
    """Show a bound compactly: whole numbers without a decimal point."""
    if x is None:
        return "any"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _check_number(key: str, value: Any, meta: dict, expect_int: bool) -> float:
    """Check one number's type, finiteness and range; return it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not _is_np_number(value):
        raise TypeError(f"{key}={value!r}: expected {'an integer' if expect_int else 'a number'}")
    if expect_int and float(value) != int(value):
        raise TypeError(f"{key}={value!r}: expected an integer")
    if not math.isfinite(float(value)):
        raise ValueError(f"{key}={value!r}: must be finite")
    lo, hi = meta["lo"], meta["hi"]
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{key}={value!r}: allowed range is {_fmt(lo)}..{_fmt(hi)}")
    return value


def _is_np_number(value: Any) -> bool:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover
        return False
    return isinstance(value, (np.integer, np.floating))


def _validate(key: str, value: Any) -> Any:
    """Validate one parameter value against its declaration; return the normalised value."""
    f = PARAM_FIELDS[key]
    meta = f.metadata
    default = f.default
    if meta["choices"] is not None:
        if value not in meta["choices"]:
            raise ValueError(f"{key}={value!r}: allowed values are {', '.join(meta['choices'])}")
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError(f"{key}={value!r}: expected true or false")
        return value
    if key in ("goal_matrix_path", "world"):
        if value is not None and not isinstance(value, str):
            what = "a shipped world's name, a file path" if key == "world" else "a file path"
            raise TypeError(f"{key}={value!r}: expected {what} or None")
        return value
    if isinstance(default, tuple):
        if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
            raise TypeError(f"{key}={value!r}: expected a list of {meta['length']} numbers "
                            f"(one per sector: {', '.join(SECTORS)})")
        values = tuple(value)
        if len(values) != meta["length"]:
            raise ValueError(f"{key}={value!r}: expected {meta['length']} values, one per sector "
                             f"({', '.join(SECTORS)})")
        out = tuple(float(_check_number(f"{key}[{SECTORS[k]}]", v, meta, False))
                    for k, v in enumerate(values))
        if meta["sums_to_one"] and abs(sum(out) - 1.0) > 1e-6:
            raise ValueError(f"{key}={value!r}: shares must sum to 1 (they sum to {sum(out):g})")
        return out
    expect_int = isinstance(default, int)
    number = _check_number(key, value, meta, expect_int)
    return int(number) if expect_int else float(number)


def make_params(**kwargs: Any) -> Params:
    """Build validated `Params` from keyword values; unknown keys and bad values raise.

    Raises `TypeError` for a wrong type or unknown key and `ValueError` for a value out of
    range; each message names the key, the value and what is allowed.
    """
    unknown = sorted(set(kwargs) - set(PARAM_FIELDS))
    if unknown:
        raise TypeError(f"unknown parameter {unknown[0]!r}; known parameters are: "
                        f"{', '.join(PARAM_FIELDS)}")
    values = {key: _validate(key, value) for key, value in kwargs.items()}
    params = Params(**values)
    if params.capacity_building_share + params.convening_share > 1.0 + 1e-9:
        raise ValueError(
            f"capacity_building_share + convening_share = "
            f"{params.capacity_building_share + params.convening_share:g}: must be at most 1")
    return params


def parameter_table() -> list[dict[str, Any]]:
    """Return one row per parameter (name, meaning, default, range, why) for the docs."""
    rows = []
    for f in dataclasses.fields(Params):
        m = f.metadata
        if m["choices"] is not None:
            allowed = " / ".join(m["choices"])
        elif isinstance(f.default, bool):
            allowed = "true / false"
        elif m["lo"] is not None:
            allowed = f"{_fmt(m['lo'])}..{_fmt(m['hi'])}"
        else:
            allowed = "name, path or none" if f.name == "world" else "path or none"
        rows.append({"name": f.name, "meaning": m["doc"], "default": f.default,
                     "range": allowed, "why": m["why"]})
    return rows

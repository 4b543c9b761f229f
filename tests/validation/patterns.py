"""What each validation pattern is: emergent or true by construction of a rule, and whether
the calibration fits it.

Every test in `test_patterns.py` that reports effects is one pattern, keyed here by the test
function's name. The `report` fixture copies the pattern's label into every effect row of the
CSV, and `test_labels.py` checks that no test lacks one and that the README table lists each.

- `kind`: "emergent" (no single rule states it: it arises from the interaction of several
  rules and organisations), "by_construction" (a rule's formula makes it so whatever the
  parameter values, within their ranges), or "partly" (some of its asserted measures are by
  construction, others emergent). `because` is the one sentence that says which rule or term.
- `targets`: the names of the targets of `configs/targets/core.yaml` that the pattern checks
  the same claim as (possibly on another scope: design, world size, run length). Its `role`
  follows from their `use`: "calibration target" when they are calibration targets (the
  calibrated model is fitted to it, so passing it after calibration is no independent check),
  "held back" when they are validation targets, "not a target" when there are none. A pattern
  is never both: its targets must share one use.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("emergent", "by_construction", "partly")
ROLES = ("calibration target", "held back", "not a target")
#: Role of a pattern whose targets all have this `use` (configs/targets, docs/targets.md).
ROLE_OF_USE = {"calibration": "calibration target", "validation": "held back"}
TARGET_SET = "core"


@dataclass(frozen=True)
class Pattern:
    """The label of one validation pattern."""

    title: str  # as in the first column of the README table
    kind: str  # one of KINDS
    because: str  # one sentence: the rule or term that makes it so, or why it is emergent
    role: str  # one of ROLES; must agree with the targets' use
    targets: tuple[str, ...] = ()  # names in configs/targets/core.yaml
    note: str = ""  # how it relates to a target it duplicates or resembles

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.title}: kind={self.kind!r}; allowed: {', '.join(KINDS)}")
        if self.role not in ROLES:
            raise ValueError(f"{self.title}: role={self.role!r}; allowed: {', '.join(ROLES)}")


PATTERNS: dict[str, Pattern] = {
    "test_without_platforms_smes_take_part_far_less_than_multinationals": Pattern(
        "Without platforms, SMEs take part far less than multinationals", "by_construction",
        "The sector inputs put SMEs behind multinationals on every term of forming a "
        "partnership (sim/params.py: search_rate 0.01 vs 0.3 in seek_partners, bandwidth 1.5 "
        "vs 8 so an SME holds one partnership at a time, reservation 0.65 vs 0.55 and skill "
        "0.15 vs 0.55 in try_form's payoff), so the gap is set by the parameters, not found.",
        "held back", ("sme_multinational_participation_ratio",),
        "Checks the claim of held-back target 11 (SME/multinational participation ratio "
        "below 0.7 without platforms) with a stricter bound (below 0.5) and a gap > 0.3; the "
        "target's scope is a country-scale world."),
    "test_membership_overhead_drives_smes_out_first": Pattern(
        "Raising membership overhead drives SMEs out first", "by_construction",
        "review_memberships compares the expected service with overhead / bandwidth, so an SME "
        "(bandwidth 1.5) pays 5.3 times a multinational's (8) cost per unit of service, and "
        "expected_service cuts an SME's need to 0.3 once a partnership fills its spare "
        "bandwidth.",
        "calibration target",
        ("sme_multinational_platform_membership_ratio", "sme_platform_exit_ratio"),
        "Duplicates in direction calibration targets 7 (SMEs 0.01-0.20 times as likely as "
        "multinationals to be platform members) and 8 (SMEs leave platforms 1.5-5 times as "
        "often), which fit the size of the very gap this pattern asserts (under the hybrid "
        "design); docs/targets.md notes target 8's direction holds by construction."),
    "test_business_associations_lift_sme_participation_unless_understaffed": Pattern(
        "Business associations lift SME participation, not when under-staffed", "partly",
        "The membership lift is by construction (review_memberships enrols an SME through its "
        "association with no overhead test while `represented < ba_capacity`, which ba_staff "
        "sets); the participation lift is emergent, since it needs platforms' brokering "
        "(platform_act draws represented SMEs) to produce partnerships that pass try_form.",
        "not a target"),
    "test_capacity_building_raises_skill_and_partnership_survival": Pattern(
        "Capacity building raises skill and survival", "partly",
        "Skill rises by construction (platform_act's capacity_gain * (0.5 + 0.5 expertise) * "
        "(1 - skill)) and so does health (operate_partnership's health_gain * (skill + trust - "
        "1), initial health 0.5 + 0.3 skill), lowering failure; the longer median life is "
        "emergent: skill also raises output, which reaches objectives sooner and ends "
        "partnerships earlier, and capacity building takes actions from brokering.",
        "not a target"),
    "test_cultural_distance_raises_failure_and_skill_softens_it": Pattern(
        "Cultural distance raises failure; skill softens it", "by_construction",
        "operate_partnership takes friction * distance * (1 - skill_softening * skill) off "
        "health every month, so distance lowers health and skill shrinks the loss by the "
        "formula itself.",
        "not a target"),
    "test_events_raise_cross_sector_contacts_at_low_cost": Pattern(
        "Events raise cross-sector contacts at low cost", "partly",
        "More contacts and a lower cost per contact are by construction (seek_partners adds "
        "event_contacts draws among attendees of every sector on top of solo search, at no "
        "solo_search_cost); that sessions yield at least 5% of partnerships and that solo "
        "search spending does not rise are emergent (acceptance in try_form, and the "
        "bandwidth session partnerships take from solo search).",
        "not a target"),
    "test_repeat_partners_form_more_easily": Pattern(
        "Repeat partners form more easily", "by_construction",
        "try_form adds w_repeat (0.3) to the payoff of a member who remembers another member, "
        "and only partners of a successful partnership are remembered (end_partnership), so "
        "contacts with previous partners pass the reservation more often by the formula.",
        "not a target", (),
        "Held-back target 16 (0.15-0.40 of partnering organisations have a repeat partner) "
        "is the level of repeat partnering this rule produces; the suite does not check it."),
    "test_default_scenario_failure_share_lands_in_the_literature_range": Pattern(
        "30-70% failure", "emergent",
        "No rule sets the share: it comes from four end causes competing in "
        "review_partnership (health floor, members' unmet objectives, funding, objective "
        "reached), each driven by other rules and parameters.",
        "calibration target", ("failed_share_ended",),
        "Duplicates calibration target 1 (failed share 0.30-0.75, design none, country-scale "
        "world); here 0.30-0.70 under the default national design with 1,000 organisations. "
        "A calibrated model is fitted to it."),
    "test_default_scenario_median_life_lands_in_the_literature_range": Pattern(
        "Median life of several years", "emergent",
        "No rule sets partnerships' lifetimes: the Kaplan-Meier median comes from the timing "
        "of the four end causes in review_partnership (health, unmet objectives, funding, "
        "objective), with active partnerships censored.",
        "held back", ("median_lifetime",),
        "Checks held-back target 5 (36-108 months, design none, 180-month runs) with the "
        "wider 24-120 months on 120-month runs of the national design."),
    "test_alliance_network_has_a_giant_component_and_many_small_ones": Pattern(
        "Alliance networks are skewed", "emergent",
        "No rule places organisations in components: the network is who partnered with whom; "
        "but a degree-preserving rewiring of it has a giant component and many small ones too "
        "(next pattern), so the skew itself follows from the degree sequence, which the "
        "sectors' bandwidths and search rates shape.",
        "held back", ("giant_component_share", "small_components_dominate"),
        "Checks held-back targets 14 (largest component 0.50-0.99) and 15 (at least 90% of "
        "the other components small; there small means at most 31 organisations, here 2-7)."),
    "test_alliance_network_against_degree_preserving_rewiring": Pattern(
        "Alliance network against a degree-preserving null", "emergent",
        "No rule states who partners with whom by degree: without platforms the organisations "
        "with one partner (about 80% of them SMEs, who rarely search) are linked to the hubs "
        "that search for them rather than to each other (degree assortativity -0.16), so the "
        "giant component is larger and small components fewer than in the rewired null; with "
        "the national platform the groups it convenes are cliques (clustering about 0.14), "
        "whose redundant links leave the giant component slightly smaller than the null.",
        "not a target", (),
        "docs/targets.md: Powell et al. (2005) compared biotech components with random "
        "networks, but no number was read; the comparison is the model's own."),
}

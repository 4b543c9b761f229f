"""The decision rules, written once as compiled functions over the state arrays.

Each public rule acts for one organisation, one platform or one partnership (or, for the
context and outcome rules, for the whole world). Both engines call these same functions:
the numba engine from a compiled loop, the Mesa engine from the agents. Every random
number comes from the one `numpy.random.Generator` passed in as `rng`.

Argument names: O organisations, PL platforms, PS partnerships, W world, K constants
(see `sim.state`).
"""

from __future__ import annotations

import numpy as np

# numpy's own bounded-integer algorithms as numba translates them (internal to numba,
# which is pinned below 0.70; tests/test_kernels.py checks the draws equal numpy's).
from numba.np.random.generator_core import next_uint32, next_uint64
from numba.np.random.random_methods import (
    bounded_lemire_uint64,
    buffered_bounded_lemire_uint32,
    gen_mask,
)

from sim.goals import N_GOALS
from sim.jit import jit_rule
from sim.params import (
    BUSINESS_ASSOCIATION,
    DONOR,
    GOVERNMENT,
    LEAD_SEARCH_UNTIL_FOUND,
    MULTINATIONAL,
    N_SECTORS,
    OVERHEAD_SPLIT,
    SME,
)
from sim.state import (
    EVENT,
    GLOBAL,
    MEMORY,
    NATIONAL,
    REFUSED_BANDWIDTH,
    REFUSED_COUNTRY,
    REFUSED_PAYOFF,
    REFUSED_POOL,
    REFUSED_REPEATED,
    SOLO,
    T_ACTIONS_AVAILABLE,
    T_ACTIONS_USED,
    T_COFINANCE,
    T_CONTACTS,
    T_CONTACTS_CROSS,
    T_CONTACTS_REPEAT,
    T_DISBURSED,
    T_DISSOLVED_HEALTH,
    T_ENDED,
    T_FORMED,
    T_FORMED_BROKERED,
    T_FORMED_EVENT,
    T_FORMED_REPEAT,
    T_FORMED_SOLO,
    T_INVESTED,
    T_MEMBER_EXITS,
    T_NEXT_SERIAL,
    T_PROPOSED,
    T_REFUSED,
    T_SEARCH_COST,
    T_TRAINED,
    TRANSFORMATIONAL,
    VALUE_CHAIN,
)

# End causes, as indices into sim.params.END_CAUSES.
HEALTH, UNMET, FUNDING, OBJECTIVE = 0, 1, 2, 3
RESTING_PRESSURE = 0.3  # community pressure reverts to this level
SUCCESS_AGE = 12  # a funded partnership this old counts as a good experience for its members
IRRELEVANT_GOAL_BENEFIT = 0.5  # share of output a member values when the goal is not its own

# --- small helpers -------------------------------------------------------------------------

@jit_rule
def draw_below(rng, n: int) -> int:
    """Draw an integer uniformly from 0..n-1 (n >= 1): the number `rng.integers(0, n)` draws
    from the same state, without the one-element array numba's `integers` allocates."""
    span = np.uint64(n - 1)
    if span == 0:
        return 0
    if span < 0xFFFFFFFF:
        return np.int64(buffered_bounded_lemire_uint32(rng.bit_generator, span))
    if span == 0xFFFFFFFF:
        return np.int64(next_uint32(rng.bit_generator))
    return np.int64(bounded_lemire_uint64(rng.bit_generator, span))


@jit_rule
def draw_up_to(rng, high: int) -> int:
    """Draw an integer uniformly from 0..high by masked rejection, as numpy's shuffle does."""
    if high == 0:
        return 0
    top = np.uint64(high)
    mask = gen_mask(top)
    if top <= 0xFFFFFFFF:
        while True:
            value = np.uint64(next_uint32(rng.bit_generator)) & mask
            if value <= top:
                return np.int64(value)
    while True:
        value = np.uint64(next_uint64(rng.bit_generator)) & mask
        if value <= top:
            return np.int64(value)


@jit_rule
def shuffle(order: np.ndarray, rng) -> None:
    """Shuffle `order` in place exactly as `rng.shuffle` does (so shuffling `arange(n)`
    gives `rng.permutation(n)`); numba's own `permutation` is about 5 times slower."""
    for i in range(order.shape[0] - 1, 0, -1):
        j = draw_up_to(rng, i)
        order[i], order[j] = order[j], order[i]


@jit_rule
def fill_permutation(order: np.ndarray, rng) -> None:
    """Write `rng.permutation(len(order))` into `order` (the same numbers, no allocation)."""
    for i in range(order.shape[0]):
        order[i] = i
    shuffle(order, rng)


@jit_rule
def keep_rows(lo: int, hi: int, p: float, out: np.ndarray, count: int, rng) -> int:
    """Append to `out[count:]` each row of lo..hi-1 with probability `p`, independently, in
    ascending order; return the new count. Draws one number per kept row (and one more)
    by skipping geometrically distributed gaps instead of one per row."""
    if p <= 0.0 or hi <= lo:
        return count
    if p >= 1.0:
        for i in range(lo, hi):
            out[count] = i
            count += 1
        return count
    log_q = np.log1p(-p)
    i = lo
    while True:
        gap = np.log(1.0 - rng.random()) / log_q  # failures before the next kept row
        if gap >= hi - i:
            return count
        i += int(gap)
        out[count] = i
        count += 1
        i += 1


@jit_rule
def has_goal(goals: int, g: int) -> bool:
    """Whether bitmask `goals` contains goal `g`."""
    return (goals >> g) & 1 == 1


@jit_rule
def random_goal(goals: int, rng) -> int:
    """Draw one goal uniformly from the set bits of `goals`."""
    count = 0
    for g in range(N_GOALS):
        if (goals >> g) & 1:
            count += 1
    pick = draw_below(rng, count)
    for g in range(N_GOALS):
        if (goals >> g) & 1:
            if pick == 0:
                return g
            pick -= 1
    return -1


@jit_rule
def spare(O, i: int) -> float:
    """Bandwidth organisation `i` has free."""
    return O.bandwidth[i] - O.load[i]


@jit_rule
def slot_platform(O, PL, i: int, s: int) -> int:
    """Platform that membership slot `s` of organisation `i` stands for."""
    return PL.slot_base[s] + (O.country[i] if PL.slot_national[s] == 1 else 0)


@jit_rule
def remembers(O, i: int, j: int) -> bool:
    """Whether `i` has `j` among its previous successful partners."""
    for m in range(MEMORY):
        if O.memory[i, m] == j:
            return True
    return False


@jit_rule
def remember(O, i: int, j: int) -> None:
    """Put `j` first in `i`'s memory of good partners, forgetting the oldest."""
    if remembers(O, i, j):
        return
    for m in range(MEMORY - 1, 0, -1):
        O.memory[i, m] = O.memory[i, m - 1]
    O.memory[i, 0] = j


@jit_rule
def group_stats(O, members, n: int):
    """Mean skill, number of distinct sectors and largest cultural distance of a group."""
    total = 0.0
    lo = np.inf
    hi = -np.inf
    seen = 0
    for a in range(n):
        i = members[a]
        total += O.skill[i]
        lo = min(lo, O.culture[i])
        hi = max(hi, O.culture[i])
        seen |= 1 << O.sector[i]
    distinct = 0
    while seen:
        distinct += seen & 1
        seen >>= 1
    return total / n, distinct, hi - lo


@jit_rule
def complementarity(distinct: int, n: int) -> float:
    """Cross-sector complementarity of a group: 0 (one sector) to 1 (all different)."""
    return (distinct - 1) / (n - 1)


# --- platform membership lists ---------------------------------------------------------------

@jit_rule
def block_of(O, PL, i: int) -> int:
    """The block of a platform's member list that holds `i` (see `sim.state`)."""
    if O.sector[i] == MULTINATIONAL:
        return PL.block_count.shape[1] - 1
    return O.country[i]


@jit_rule
def charges_overhead(O, K, i: int) -> bool:
    """Whether `i`'s next paid membership (or the one it leaves) moves its load: always
    with one overhead per platform; only its first (or last) one when overhead is split."""
    return K.overhead_scaling != OVERHEAD_SPLIT or O.paid_memberships[i] == 0


@jit_rule
def add_member(O, PL, K, i: int, s: int, p: int, via_association: bool) -> None:
    """Enrol `i` in platform `p` through slot `s`; pays the overhead unless represented."""
    b = block_of(O, PL, i)
    pos = PL.block_count[p, b]
    PL.members[PL.block_start[p, b] + pos] = i
    PL.block_count[p, b] = pos + 1
    PL.member_count[p] += 1
    O.member_pos[i, s] = pos
    if via_association:
        O.via_ba[i, s] = 1
        O.represented[O.association[i]] += 1
    else:
        if charges_overhead(O, K, i):
            O.load[i] += K.membership_overhead
        O.paid_memberships[i] += 1


@jit_rule
def remove_member(O, PL, K, i: int, s: int, p: int) -> None:
    """Take `i` off platform `p`'s list (swap with the last of its block) and free its
    overhead."""
    b = block_of(O, PL, i)
    start = PL.block_start[p, b]
    pos = O.member_pos[i, s]
    last = PL.block_count[p, b] - 1
    moved = PL.members[start + last]
    PL.members[start + pos] = moved
    PL.members[start + last] = -1
    O.member_pos[moved, s] = pos
    O.member_pos[i, s] = -1
    PL.block_count[p, b] = last
    PL.member_count[p] -= 1
    if O.via_ba[i, s] == 1:
        O.via_ba[i, s] = 0
        O.represented[O.association[i]] -= 1
    else:
        O.paid_memberships[i] -= 1
        if charges_overhead(O, K, i):
            O.load[i] -= K.membership_overhead
        if O.sector[i] == SME:
            PL.exits[0] += 1
        elif O.sector[i] == MULTINATIONAL:
            PL.exits[1] += 1


@jit_rule
def draw_member(PL, p: int, home: int, rng) -> int:
    """Draw a member of platform `p` uniformly from those a group whose home country is
    `home` may include: the members of that country and the multinationals (any country);
    every member when `home` is -1 (no home yet). Returns -1 when there is none."""
    mnc = PL.block_count.shape[1] - 1
    if home >= 0:
        local = PL.block_count[p, home]
        total = local + PL.block_count[p, mnc]
        if total == 0:
            return -1
        u = draw_below(rng, total)
        if u < local:
            return PL.members[PL.block_start[p, home] + u]
        return PL.members[PL.block_start[p, mnc] + u - local]
    total = PL.member_count[p]
    if total == 0:
        return -1
    u = draw_below(rng, total)
    for b in range(mnc + 1):
        count = PL.block_count[p, b]
        if u < count:
            return PL.members[PL.block_start[p, b] + u]
        u -= count
    return -1


@jit_rule
def home_of(O, i: int, home: int) -> int:
    """A group's home country once `i` joins it: the first non-multinational's country."""
    if home < 0 and O.sector[i] != MULTINATIONAL:
        return O.country[i]
    return home


# --- 1a. platforms in time: staff ramp-up, staged goal leads, expertise (platforms) ----------

@jit_rule
def working_share(K, month: int) -> float:
    """Share of its full staff a platform has at work in the `month`-th month since it
    started (1 = its first month; 0 or less: not started): min(1, month/staff_ramp_months),
    or all of it without a ramp-up."""
    if month <= 0:
        return 0.0
    if K.staff_ramp_months <= 0.0:
        return 1.0
    return min(1.0, month / K.staff_ramp_months)


@jit_rule
def update_platforms(PL, K, step: int) -> None:
    """Set every platform's working staff and service for month `step`; fade expertise.

    Working staff is the platform's full staff (`staff_before` until `staged_start_month`,
    then `staff`; the same in every design but staged) times its ramp-up share since it
    started. A national platform's service adds the leads' fed actions in proportion to
    the leads' share at work (they start together). Goal leads of the staged design feed
    their expertise into the national platforms in the month they start; expertise of a
    working platform decays by `expertise_decay` a month. `step` counts months from 1 (as
    Mesa's `steps` does during a step), so this is month `t = step - 1` counted from 0.
    """
    t = step - 1
    n = PL.staff.shape[0]
    lead_share = 0.0
    for p in range(n):
        share = working_share(K, t - PL.start_month[p] + 1)
        full = PL.staff_before[p] if t < K.staged_start_month else PL.staff[p]
        PL.working[p] = full * share
        PL.staff_months[p] += PL.working[p]
        if PL.level[p] == GLOBAL and PL.takes_members[p] == 0:
            lead_share = share
    for p in range(n):
        own = PL.working[p] * K.actions_per_staff if PL.takes_members[p] == 1 else 0.0
        PL.service[p] = own + PL.fed_service[p] * lead_share
        if t == K.staged_start_month:
            for g in range(N_GOALS):
                if PL.fed_expertise[p, g] > 0.0:
                    PL.expertise[p, g] = min(1.0, PL.expertise[p, g] + PL.fed_expertise[p, g])
        if K.expertise_decay > 0.0 and t >= PL.start_month[p]:
            for g in range(N_GOALS):
                PL.expertise[p, g] -= K.expertise_decay * PL.expertise[p, g]


@jit_rule
def learn_expertise(PL, K, p: int, g: int) -> None:
    """Platform `p` brokered a partnership on goal `g`: its expertise on `g` grows by
    `expertise_gain` of the gap to 1."""
    PL.expertise[p, g] += K.expertise_gain * (1.0 - PL.expertise[p, g])


# --- 1. funding, community pressure and events (world) --------------------------------------

@jit_rule
def update_context(O, PL, W, K, step: int, rng) -> None:
    """Process 1: reset tallies, set platforms' working staff, move community pressure,
    hold events, pay in funding."""
    update_platforms(PL, K, step)
    serial = W.tally[T_NEXT_SERIAL]
    W.tally[:] = 0.0
    W.tally[T_NEXT_SERIAL] = serial
    W.step_output[:] = 0.0
    n_countries = W.pressure.shape[0]
    for c in range(n_countries):
        for g in range(N_GOALS):
            x = W.pressure[c, g]
            x += K.pressure_volatility * rng.normal(0.0, 1.0)
            x -= K.pressure_reversion * (x - RESTING_PRESSURE)
            W.pressure[c, g] = min(1.0, max(0.0, x))
    for c in range(n_countries):
        lo = W.country_start[c]
        for k in range(W.attendee_count[c]):
            O.attending[W.attendees[lo + k]] = 0  # last month's attendees
        count = 0
        if rng.random() < W.event_rate[c]:
            W.event_goal[c] = draw_below(rng, N_GOALS)
            for sec in range(N_SECTORS):
                count = keep_rows(W.sector_start[c, sec], W.sector_start[c, sec + 1],
                                  K.event_attendance[sec], W.attendees[lo:], count, rng)
            for k in range(count):
                O.attending[W.attendees[lo + k]] = 1
        else:
            W.event_goal[c] = -1
        W.attendee_count[c] = count
    for i in range(O.sector.shape[0]):
        income = O.income[i]
        if O.sector[i] == DONOR:
            alignment = W.donor_alignment[O.country[i]]
            W.aligned_pool[O.country[i]] += alignment * income
            income *= 1.0 - alignment
        O.resources[i] = min(O.resources[i] + income, O.income[i] * K.resource_cap_months)


# --- 2. platform membership (organisation) ---------------------------------------------------

@jit_rule
def expected_service(O, PL, K, i: int, p: int, g: int) -> float:
    """Benefit organisation `i` expects from platform `p` (on goal `g`, or its own goals)."""
    per_member = PL.service[p] / (PL.member_count[p] + 1.0)
    if g >= 0:
        expertise = PL.expertise[p, g]
    else:
        total = 0.0
        count = 0
        for h in range(N_GOALS):
            if has_goal(O.goals[i], h):
                total += PL.expertise[p, h]
                count += 1
        expertise = total / max(count, 1)
    need = 1.0 if spare(O, i) >= K.partnership_cost else 0.3
    need += (1.0 - O.skill[i]) * K.capacity_building_share
    if O.sector[i] == BUSINESS_ASSOCIATION and K.ba_representation:
        need += 1.0  # representing its SMEs is the association's mission
    return K.membership_benefit * (1.0 - np.exp(-per_member)) * (0.5 + expertise) * need


@jit_rule
def choose_reviewers(PL, W, K, rng) -> int:
    """Process 2's turn order: the organisations that review their memberships this month,
    each with probability `membership_review_rate` (none without platforms), in random
    order, as `W.order[:count]`; returns the count."""
    count = 0
    if PL.staff.shape[0] > 0:
        count = keep_rows(0, W.order.shape[0], K.membership_review_rate, W.order, 0, rng)
    shuffle(W.order[:count], rng)
    return count


@jit_rule
def top_search_rate(W, K, c: int, sector: int) -> float:
    """Highest monthly probability of a solo search in a sector of country `c` (SMEs at
    full community pressure), at most 1."""
    rate = K.search_rate[sector]
    if sector == SME:
        rate += W.pressure_sensitivity[c]
    return min(rate, 1.0)


@jit_rule
def choose_searchers(O, W, K, rng) -> int:
    """Process 3's turn order: the organisations that may search alone this month (each
    with its sector's `top_search_rate`; `seek_partners` keeps it with probability
    rate/top once its goal is drawn, so it searches with exactly its rate) together with
    this month's event attendees, in random order, as `W.order[:count]`; returns the count.
    Nobody else has anything to do in process 3."""
    count = 0
    for c in range(W.pressure.shape[0]):
        first = count
        for sec in range(N_SECTORS):
            count = keep_rows(W.sector_start[c, sec], W.sector_start[c, sec + 1],
                              top_search_rate(W, K, c, sec), W.order, count, rng)
        for k in range(first, count):
            O.searching[W.order[k]] = 1
        if K.event_partnering and W.event_goal[c] >= 0:
            lo = W.country_start[c]
            for k in range(W.attendee_count[c]):
                i = W.attendees[lo + k]
                if O.searching[i] == 0:
                    W.order[count] = i
                    count += 1
    shuffle(W.order[:count], rng)
    return count


@jit_rule
def review_memberships(i: int, O, PL, K, rng) -> None:
    """Process 2: organisation `i` joins or leaves platforms by expected benefit vs overhead.

    Called for the organisations `choose_reviewers` picked. SMEs whose business association
    sits on a platform may be represented there at no bandwidth cost, while the
    association has staff to represent them.
    """
    overhead = K.membership_overhead
    cost = overhead / max(O.bandwidth[i], 1e-9)
    split = K.overhead_scaling == OVERHEAD_SPLIT
    for s in range(K.n_slots):
        p = slot_platform(O, PL, i, s)
        if PL.takes_members[p] == 0:
            continue
        g = PL.slot_goal[s]
        member = O.member_pos[i, s] >= 0
        if g >= 0 and not has_goal(O.goals[i], g):
            if member:
                remove_member(O, PL, K, i, s, p)
            continue
        benefit = expected_service(O, PL, K, i, p, g)
        if member:
            if O.via_ba[i, s] == 1:
                if O.member_pos[O.association[i], s] < 0:
                    remove_member(O, PL, K, i, s, p)
            elif benefit < 0.8 * (cost / O.paid_memberships[i] if split else cost):
                remove_member(O, PL, K, i, s, p)
            continue
        a = O.association[i]
        if (K.ba_representation and O.sector[i] == SME and a >= 0
                and O.member_pos[a, s] >= 0 and O.represented[a] < O.ba_capacity[a]):
            add_member(O, PL, K, i, s, p, True)
        elif (benefit > (cost / (O.paid_memberships[i] + 1) if split else cost)
              and spare(O, i) >= (overhead if charges_overhead(O, K, i) else 0.0)):
            add_member(O, PL, K, i, s, p, False)


# --- 4. formation (shared by every search channel) ---------------------------------------------

@jit_rule
def refuse(W, broker: int, reason: int) -> int:
    """Refuse a proposed group (returns -1), tallying the reason when a platform proposed it."""
    if broker >= 0:
        W.tally[T_REFUSED + reason] += 1
    return -1


@jit_rule
def try_form(O, PS, W, K, n: int, g: int, broker: int, expertise: float, local: bool,
             step: int, rng) -> int:
    """Process 4: form a partnership of the `n` organisations in `W.scratch` on goal `g`.

    Every member needs spare bandwidth and an expected payoff above its reservation.
    Returns the partnership's slot, or -1 when it does not form.
    """
    members = W.scratch
    if broker >= 0:
        W.tally[T_PROPOSED] += 1
    home = O.country[members[0]]
    for a in range(n):
        i = members[a]
        if O.sector[i] != MULTINATIONAL:
            home = O.country[i]
            break
    for a in range(n):
        i = members[a]
        if spare(O, i) < K.partnership_cost:
            return refuse(W, broker, REFUSED_BANDWIDTH)
        if O.country[i] != home and O.sector[i] != MULTINATIONAL:
            return refuse(W, broker, REFUSED_COUNTRY)  # only multinationals cross countries
        for b in range(a):
            if members[b] == i:
                return refuse(W, broker, REFUSED_REPEATED)
    if PS.free_top[0] == 0:
        return refuse(W, broker, REFUSED_POOL)
    skill, distinct, distance = group_stats(O, members, n)
    base = (K.w_skill * skill + K.w_complementarity * complementarity(distinct, n)
            + K.w_trust * W.trust[home] + K.w_broker * expertise - K.w_culture * distance)
    if local:
        base += K.local_trust_bonus
    elif broker >= 0:
        base -= K.local_knowledge_penalty  # a lead with no presence in the country
    repeat = False
    for a in range(n):
        i = members[a]
        payoff = base + K.payoff_noise * (rng.random() - 0.5)
        if has_goal(O.goals[i], g):
            payoff += K.w_goal
        for b in range(n):
            if b != a and remembers(O, i, members[b]):
                payoff += K.w_repeat
                repeat = True
                break
        if payoff <= K.reservation[O.sector[i]]:
            return refuse(W, broker, REFUSED_PAYOFF)

    PS.free_top[0] -= 1
    k = PS.free[PS.free_top[0]]
    PS.active[k] = 1
    PS.n_members[k] = n
    PS.members[k, :] = -1
    PS.unmet[k, :] = 0
    funds = 0.0
    for a in range(n):
        i = members[a]
        PS.members[k, a] = i
        O.load[i] += K.partnership_cost
        O.n_active[i] += 1
        O.n_joined[i] += 1
        contribution = min(O.resources[i], K.commitment_months[O.sector[i]] * K.running_cost)
        O.resources[i] -= contribution
        funds += contribution
        if O.sector[i] != DONOR:
            W.tally[T_COFINANCE] += contribution
    PS.goal[k] = g
    PS.kind[k] = TRANSFORMATIONAL if distinct >= 3 else VALUE_CHAIN
    PS.health[k] = 0.5 + 0.3 * skill
    PS.age[k] = 0
    PS.broker[k] = broker
    PS.country[k] = home
    PS.funds[k] = funds
    PS.output[k] = 0.0
    PS.objective[k] = K.objective_months * K.output_scale * (0.5 + rng.random())
    PS.serial[k] = np.int64(W.tally[T_NEXT_SERIAL])
    PS.start[k] = step
    W.tally[T_NEXT_SERIAL] += 1
    W.tally[T_FORMED] += 1
    if repeat:
        W.tally[T_FORMED_REPEAT] += 1
    if broker == SOLO:
        W.tally[T_FORMED_SOLO] += 1
    elif broker == EVENT:
        W.tally[T_FORMED_EVENT] += 1
    else:
        W.tally[T_FORMED_BROKERED] += 1
    return k


@jit_rule
def count_contact(O, W, i: int, j: int) -> None:
    """Tally one contact between `i` and `j`, noting whether it crosses sectors and whether
    `j` is one of `i`'s previous good partners."""
    W.tally[T_CONTACTS] += 1
    if O.sector[i] != O.sector[j]:
        W.tally[T_CONTACTS_CROSS] += 1
    if remembers(O, i, j):
        W.tally[T_CONTACTS_REPEAT] += 1


# --- 3. search alone and at events (organisation) ---------------------------------------------

@jit_rule
def seek_partners(i: int, O, PS, W, K, step: int, rng) -> None:
    """Process 3: organisation `i` searches alone (now and then) and meets people at events.

    Called for the organisations `choose_searchers` picked.
    A solo search finds one contact (a previous partner or someone random in the country) and
    needs `solo_search_cost` of bandwidth beyond the partnership itself; a partnering session
    at a conference the organisation attends anyway gives contacts at no extra cost, on the
    event's theme goal.
    """
    candidate = O.searching[i] == 1
    O.searching[i] = 0
    if spare(O, i) < K.partnership_cost:
        return
    c = O.country[i]
    if candidate:
        g = random_goal(O.goals[i], rng)
        rate = K.search_rate[O.sector[i]]
        if O.sector[i] == SME:
            rate += W.pressure_sensitivity[c] * W.pressure[c, g]
        # chosen with the top rate: keep with rate/top (choose_searchers)
        searches = rng.random() * top_search_rate(W, K, c, O.sector[i]) < rate
    else:
        g = -1
        searches = False
    if searches and spare(O, i) >= K.partnership_cost + K.solo_search_cost:
        known = 0
        while known < MEMORY and O.memory[i, known] >= 0:
            known += 1
        if known > 0 and rng.random() < K.repeat_search_rate:
            j = O.memory[i, draw_below(rng, known)]
        else:
            lo = W.country_start[c]
            j = lo + draw_below(rng, W.country_start[c + 1] - lo)
        W.tally[T_SEARCH_COST] += K.solo_search_cost
        if j != i:
            count_contact(O, W, i, j)
            W.scratch[0] = i
            W.scratch[1] = j
            try_form(O, PS, W, K, 2, g, SOLO, 0.0, False, step, rng)
    theme = W.event_goal[c]
    if K.event_partnering and O.attending[i] == 1 and theme >= 0:
        lo = W.country_start[c]
        for _ in range(K.event_contacts):
            if spare(O, i) < K.partnership_cost:
                break
            j = W.attendees[lo + draw_below(rng, W.attendee_count[c])]
            if j == i:
                continue
            count_contact(O, W, i, j)
            W.scratch[0] = i
            W.scratch[1] = j
            try_form(O, PS, W, K, 2, theme, EVENT, 0.0, False, step, rng)


# --- 3/4/6. platform actions: brokering, convening, capacity building (platform)

@jit_rule
def find_goal_member(O, PL, K, q: int, home: int, g: int, rng) -> int:
    """A goal lead's first contact on platform `q`'s list: a member who cares about goal
    `g`, screened among `broker_candidates` draws (`lead_member_search=bounded`: the last
    one drawn when none does) or drawn until one does (`until_found`: -1 when, after as
    many draws as the list has members, none has)."""
    m = draw_member(PL, q, home, rng)
    if m < 0 or has_goal(O.goals[m], g):
        return m
    tries = K.broker_candidates
    if K.lead_member_search == LEAD_SEARCH_UNTIL_FOUND:
        tries = max(PL.member_count[q], K.broker_candidates)
    for _ in range(tries):
        m = draw_member(PL, q, home, rng)
        if has_goal(O.goals[m], g):
            return m
    return -1 if K.lead_member_search == LEAD_SEARCH_UNTIL_FOUND else m


@jit_rule
def platform_act(p: int, O, PL, PS, W, K, step: int, rng) -> None:
    """Platform `p` spends its working staff's actions on capacity building, convening and
    brokering.

    A platform acts on its own members; a global lead in the hybrid design acts through
    the national platforms (a random country per action) after losing its coordination
    cost. Every group it proposes is one formation can accept: after the first contact,
    candidates are drawn from the members of the group's home country and the
    multinationals (`draw_member`). Introductions by a platform present in the country
    carry local trust; a global lead's own introductions pay `local_knowledge_penalty`.
    """
    actions = PL.working[p] * K.actions_per_staff  # working staff (update_platforms)
    if PL.level[p] == GLOBAL and PL.takes_members[p] == 0:
        actions *= 1.0 - K.coordination_cost
    n_actions = int(actions)
    if rng.random() < actions - n_actions:
        n_actions += 1
    W.tally[T_ACTIONS_AVAILABLE] += n_actions
    staff_per_action = PL.working[p] / max(n_actions, 1)
    for _ in range(n_actions):
        # A hybrid lead works through the national platform of a random country (national
        # platforms occupy rows 0..n_countries-1; see platforms.build_platforms).
        q = p if PL.takes_members[p] == 1 else draw_below(rng, W.pressure.shape[0])
        if PL.member_count[q] == 0:
            continue
        home = PL.country[q]  # -1 for a global lead: every member may come first
        if PL.goal[p] >= 0:
            m = find_goal_member(O, PL, K, q, home, PL.goal[p], rng)
            if m < 0:
                continue
        else:
            m = draw_member(PL, q, home, rng)
        home = home_of(O, m, home)
        PL.actions_used[p] += 1
        W.tally[T_ACTIONS_USED] += 1
        W.staff_served[O.country[m], PL.level[p]] += staff_per_action
        g = PL.goal[p] if PL.goal[p] >= 0 else random_goal(O.goals[m], rng)
        expertise = PL.expertise[p, g]
        local = PL.level[q] == NATIONAL
        r = rng.random()
        if r < K.capacity_building_share:
            O.skill[m] += K.capacity_gain * (0.5 + 0.5 * expertise) * (1.0 - O.skill[m])
            W.tally[T_TRAINED] += 1
            continue
        if spare(O, m) < K.partnership_cost:
            continue
        W.scratch[0] = m
        n = 1
        if r < K.capacity_building_share + K.convening_share:
            # Convene: gather members of distinct sectors around goal g.
            taken = 1 << O.sector[m]
            for _ in range(4 * K.max_members):
                if n >= K.max_members:
                    break
                j = draw_member(PL, q, home, rng)
                if ((taken >> O.sector[j]) & 1 or not has_goal(O.goals[j], g)
                        or spare(O, j) < K.partnership_cost):
                    continue
                taken |= 1 << O.sector[j]
                home = home_of(O, j, home)
                W.scratch[n] = j
                n += 1
            if n < 3:
                continue
        else:
            # Broker: screen a few members for the best partner on goal g.
            best = -1
            best_score = -1.0
            for _ in range(K.broker_candidates):
                j = draw_member(PL, q, home, rng)
                if j == m or not has_goal(O.goals[j], g) or spare(O, j) < K.partnership_cost:
                    continue
                score = O.skill[j] + (1.0 if O.sector[j] != O.sector[m] else 0.0)
                if score > best_score:
                    best = j
                    best_score = score
            if best < 0:
                continue
            W.scratch[1] = best
            n = 2
        for a in range(1, n):
            count_contact(O, W, m, W.scratch[a])
        if try_form(O, PS, W, K, n, g, p, expertise, local, step, rng) >= 0:
            PL.brokered[p] += 1
            learn_expertise(PL, K, p, g)


# --- 5. operation (partnership) -----------------------------------------------------------------

@jit_rule
def grant(PS, W, K, k: int, available: float) -> float:
    """Move up to one grant from a source holding `available` into partnership `k`."""
    amount = min(K.grant_size, max(available, 0.0))
    PS.funds[k] += amount
    W.tally[T_DISBURSED] += amount
    return amount


@jit_rule
def operate_partnership(k: int, O, PS, W, K, rng) -> None:
    """Process 5: partnership `k` receives funding, produces output and its health moves."""
    n = PS.n_members[k]
    c = PS.country[k]
    g = PS.goal[k]
    members = PS.members[k]
    PS.age[k] += 1
    has_government = False
    for a in range(n):
        i = members[a]
        if O.sector[i] == DONOR:
            O.resources[i] -= grant(PS, W, K, k, O.resources[i])
        elif O.sector[i] == GOVERNMENT:
            has_government = True
    if W.priority[c, g] == 1 and (PS.broker[k] >= 0 or has_government):
        W.aligned_pool[c] -= grant(PS, W, K, k, W.aligned_pool[c])
    if W.investment[c, g] > 0.0:
        amount = grant(PS, W, K, k, W.investment[c, g])
        W.investment[c, g] -= amount
        W.tally[T_DISBURSED] -= amount  # collective-action money is not donor money
    # Members share the running costs in proportion to their resources (sharing risk);
    # what they cannot pay between them comes out of the pooled funds.
    cost = K.running_cost * n
    wealth = 0.0
    for a in range(n):
        wealth += max(O.resources[members[a]], 0.0)
    paid = min(wealth, cost)
    if wealth > 0.0:
        for a in range(n):
            i = members[a]
            share = paid * max(O.resources[i], 0.0) / wealth
            O.resources[i] -= share
            if O.sector[i] != DONOR:
                W.tally[T_COFINANCE] += share
    PS.funds[k] -= cost - paid

    skill, distinct, distance = group_stats(O, members, n)
    output = 0.0
    if PS.funds[k] >= 0.0:
        # Pooled funds raise output with diminishing returns: half the full resource effect
        # at `resource_half_months` of the partnership's running costs.
        funded = PS.funds[k] / (PS.funds[k] + cost * K.resource_half_months + 1e-12)
        output = (K.output_scale * (0.5 + 0.5 * complementarity(distinct, n))
                  * (0.5 + skill) * PS.health[k] * (0.5 + 0.5 * funded))
    PS.output[k] += output
    W.step_output[c, g, PS.kind[k]] += output

    change = (K.health_gain * (skill + W.trust[c] - 1.0)
              - K.friction * distance * (1.0 - K.skill_softening * skill))
    if rng.random() < W.fragility[c]:
        change -= K.shock_size
    PS.health[k] = min(1.0, max(0.0, PS.health[k] + change))

    for a in range(n):
        i = members[a]
        value = output if has_goal(O.goals[i], g) else IRRELEVANT_GOAL_BENEFIT * output
        if value < K.satisfaction_ratio * K.reservation[O.sector[i]]:
            PS.unmet[k, a] += 1
        else:
            PS.unmet[k, a] = 0


# --- 6. learning (organisation)

@jit_rule
def learn(i: int, O, K) -> None:
    """Process 6: skill grows by doing (per active partnership, up to three), decays when idle."""
    if O.n_active[i] > 0:
        gain = min(1.0, K.learning_rate * min(O.n_active[i], 3))
        O.skill[i] += gain * (1.0 - O.skill[i])
    else:
        O.skill[i] -= K.skill_decay * O.skill[i]


# --- 7. dissolution (partnership)

@jit_rule
def release_member(O, K, i: int) -> None:
    """Free the bandwidth member `i` gave a partnership."""
    O.load[i] -= K.partnership_cost
    O.n_active[i] -= 1


@jit_rule
def end_partnership(k: int, cause: int, O, PS, W, K) -> None:
    """End partnership `k` with `cause`: free its members and record it."""
    n = PS.n_members[k]
    # Trust comes from past success: an objective reached, or a funded run of a year or more.
    good = cause == OBJECTIVE or (cause == FUNDING and PS.age[k] >= SUCCESS_AGE)
    for a in range(n):
        i = PS.members[k, a]
        release_member(O, K, i)
        if good:
            for b in range(n):
                if b != a:
                    remember(O, i, PS.members[k, b])
    # At most every slot ends once per step, so the per-step record never overflows.
    e = int(W.tally[T_ENDED])
    PS.ended_serial[e] = PS.serial[k]
    PS.ended_age[e] = PS.age[k]
    PS.ended_cause[e] = cause
    PS.ended_kind[e] = PS.kind[k]
    PS.ended_broker[e] = PS.broker[k]
    PS.ended_goal[e] = PS.goal[k]
    PS.ended_size[e] = n
    PS.ended_country[e] = PS.country[k]
    for a in range(PS.members.shape[1]):
        PS.ended_members[e, a] = PS.members[k, a]
    W.tally[T_ENDED] += 1
    W.tally[T_DISSOLVED_HEALTH + cause] += 1
    PS.active[k] = 0
    PS.members[k, :] = -1
    PS.n_members[k] = 0
    PS.free[PS.free_top[0]] = k
    PS.free_top[0] += 1


@jit_rule
def review_partnership(k: int, O, PS, W, K) -> None:
    """Process 7: end partnership `k` when its objective is reached, its funds run out, its
    health breaks down, or a member whose objectives went unmet too long leaves it."""
    if PS.output[k] > 0.0 and PS.output[k] >= PS.objective[k]:
        end_partnership(k, OBJECTIVE, O, PS, W, K)
        return
    if PS.funds[k] < 0.0:
        end_partnership(k, FUNDING, O, PS, W, K)
        return
    if PS.health[k] < K.health_floor:
        end_partnership(k, HEALTH, O, PS, W, K)
        return
    for a in range(PS.n_members[k] - 1, -1, -1):
        i = PS.members[k, a]
        if PS.unmet[k, a] < K.patience[O.sector[i]]:
            continue
        if PS.n_members[k] <= 2:
            end_partnership(k, UNMET, O, PS, W, K)
            return
        release_member(O, K, i)
        last = PS.n_members[k] - 1
        PS.members[k, a] = PS.members[k, last]
        PS.unmet[k, a] = PS.unmet[k, last]
        PS.members[k, last] = -1
        PS.unmet[k, last] = 0
        PS.n_members[k] = last
        W.tally[T_MEMBER_EXITS] += 1
    if PS.n_members[k] >= 1:
        _, distinct, _ = group_stats(O, PS.members[k], PS.n_members[k])
        if distinct < 3:
            PS.kind[k] = VALUE_CHAIN


# --- 8. outcomes, spillovers and collective action (world)

@jit_rule
def spread_outcomes(W, K) -> None:
    """Process 8: add this step's output to direct outcomes and carry indirect effects
    through the goal-interaction matrix; measured positive indirect impact attracts
    collective-action investment into the goals it helps, drawn from the country's finite
    investor pool."""
    n_countries = W.pressure.shape[0]
    gains = W.gains
    for c in range(n_countries):
        gains[:] = 0.0
        for g in range(N_GOALS):
            value_chain = W.step_output[c, g, VALUE_CHAIN]
            transformational = W.step_output[c, g, TRANSFORMATIONAL]
            W.outcome_direct[c, g] += value_chain + transformational
            spill = (K.spillover_value_chain * value_chain
                     + K.spillover_transformational * transformational)
            if spill > 0.0:
                for h in range(N_GOALS):
                    effect = spill * W.goal_matrix[g, h] / 3.0
                    W.outcome_indirect[c, h] += effect
                    gains[h] += effect
        if K.collective_action > 0.0:
            # Investors put in what the impact attracts, scaled down alike on every goal
            # when the country's remaining pool cannot cover it all.
            wanted = 0.0
            for h in range(N_GOALS):
                if gains[h] > 0.0:
                    wanted += K.collective_action * gains[h]
            scale = 1.0
            if wanted > W.investor_pool[c]:
                scale = W.investor_pool[c] / wanted
            drawn = 0.0
            for h in range(N_GOALS):
                if gains[h] > 0.0:
                    invested = K.collective_action * gains[h] * scale
                    W.investment[c, h] += invested
                    W.tally[T_INVESTED] += invested
                    drawn += invested
            W.investor_pool[c] = max(0.0, W.investor_pool[c] - drawn)


__all__ = [
    "update_context", "choose_reviewers", "review_memberships", "choose_searchers",
    "seek_partners", "platform_act",
    "operate_partnership", "learn", "review_partnership", "spread_outcomes",
]

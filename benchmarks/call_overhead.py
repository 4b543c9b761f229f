"""What a compiled rule pays per call for reading the state through its named tuples.

    python benchmarks/call_overhead.py [--orgs 100000]

Times loops over a random permutation of the organisations, each making one cheap
decision per organisation (one random draw and a branch, as `review_memberships` begins):

- `constant`: the helper takes the state groups (O, PL, K) but reads only `O.load`;
- `one_array_attr`: the same, also reading `PL.staff.shape[0]` (one more array of a group);
- `groups`: the helper as `review_memberships` begins (reads `PL.staff` and a field of `K`);
- `groups_inlined`: the same helper inlined by numba (`inline="always"`);
- `fields`: the helper takes only the arrays and scalars it uses;
- `rule`: the real `sim.rules.review_memberships`.

Measured 2026-11-27 (x86_64, 2 cores, 100,000 organisations, ms per pass; another process
was running, so read the ratios): constant 6.6, one_array_attr 30, groups 44,
groups_inlined 39, fields 6.5, rule 71.

What it turned out to be: numba's reference counting. A function compiled with it
increments and decrements the count of every array it takes out of a state group, on
every call and every loop iteration (atomic operations, about 0.4 us per call for these
groups); inlining does not remove them. The rules are now compiled with `_nrt=False`
(`sim.jit.jit_noalloc` / `jit_rule`), and so are the loops that call them, which made a
step at 10^5 organisations about 15 times faster. The helpers measured here are compiled
with reference counting on purpose, to show the cost.
"""

from __future__ import annotations

import argparse
import time

from numba import njit

from sim import PartnershipModel
from sim.rules import review_memberships


def _head(i, O, PL, K, rng):
    if PL.staff.shape[0] == 0 or rng.random() >= K.membership_review_rate:
        return
    O.load[i] += 0.0


def _constant(i, O, PL, K, rng):
    if rng.random() >= 0.1:
        return
    O.load[i] += 0.0


def _one_array_attr(i, O, PL, K, rng):
    if PL.staff.shape[0] == 0 or rng.random() >= 0.1:
        return
    O.load[i] += 0.0


constant_helper = njit(_constant)
one_array_helper = njit(_one_array_attr)
groups_helper = njit(_head)
inlined_helper = njit(inline="always")(_head)


@njit
def fields_helper(i, load, n_platforms, rate, rng):
    if n_platforms == 0 or rng.random() >= rate:
        return
    load[i] += 0.0


@njit
def loop_constant(O, PL, K, rng):
    for i in rng.permutation(O.sector.shape[0]):
        constant_helper(i, O, PL, K, rng)


@njit
def loop_one_array(O, PL, K, rng):
    for i in rng.permutation(O.sector.shape[0]):
        one_array_helper(i, O, PL, K, rng)


@njit
def loop_groups(O, PL, K, rng):
    for i in rng.permutation(O.sector.shape[0]):
        groups_helper(i, O, PL, K, rng)


@njit
def loop_groups_inlined(O, PL, K, rng):
    for i in rng.permutation(O.sector.shape[0]):
        inlined_helper(i, O, PL, K, rng)


@njit
def loop_fields(O, PL, K, rng):
    for i in rng.permutation(O.sector.shape[0]):
        fields_helper(i, O.load, PL.staff.shape[0], K.membership_review_rate, rng)


@njit
def loop_rule(O, PL, K, rng):
    for i in rng.permutation(O.sector.shape[0]):
        review_memberships(i, O, PL, K, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    model = PartnershipModel(n_orgs=args.orgs, rng=0)
    for _ in range(3):
        model.step()
    s = model.state
    loops = {"constant": loop_constant, "one_array_attr": loop_one_array,
             "groups": loop_groups, "groups_inlined": loop_groups_inlined,
             "fields": loop_fields, "rule": loop_rule}
    for name, loop in loops.items():
        loop(s.orgs, s.platforms, s.constants, model.rng)  # compile
        start = time.perf_counter()
        for _ in range(args.repeats):
            loop(s.orgs, s.platforms, s.constants, model.rng)
        ms = (time.perf_counter() - start) / args.repeats * 1000
        print(f"{name:<15} {ms:8.1f} ms per pass  ({ms * 1e6 / args.orgs:6.0f} ns per call)")


if __name__ == "__main__":
    main()

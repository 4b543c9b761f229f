"""What a compiled rule call costs when it receives whole state groups (named tuples).

    python benchmarks/call_overhead.py [--orgs 100000]

Times four loops over a random permutation of the organisations, each making one cheap
decision per organisation (one random draw and a branch, as `review_memberships` begins):

- `groups`: the helper takes the state groups (O, PL, K) as the rules do;
- `groups_inlined`: the same helper inlined by numba (`inline="always"`);
- `fields`: the helper takes only the two arrays and scalars it uses;
- `rule`: the real `sim.rules.review_memberships`.

Measured 2026-11-27 (x86_64, 2 cores, 100,000 organisations, ms per pass): groups 44,
groups_inlined 39, fields 6.4, rule 70. Passing a named tuple of arrays costs ~400 ns per
call even when inlined (each array in each group is reference-counted on every call);
packing each group's fields into a few 2-D arrays is the likely fix (issue 5).
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


groups_helper = njit(_head)
inlined_helper = njit(inline="always")(_head)


@njit
def fields_helper(i, load, n_platforms, rate, rng):
    if n_platforms == 0 or rng.random() >= rate:
        return
    load[i] += 0.0


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
    loops = {"groups": loop_groups, "groups_inlined": loop_groups_inlined,
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

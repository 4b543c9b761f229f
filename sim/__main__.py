"""Run one scenario and print its summary: `python -m sim [--steps N] [--seed S] [key=value ...]`.

Any model parameter can be set as `key=value` (values are read as Python literals, e.g.
`platform_design="per_goal"` or `n_orgs=5000`; plain words are taken as strings).
"""

from __future__ import annotations

import argparse
import ast
import sys
import time

from sim.model import PartnershipModel


def parse_overrides(items: list[str]) -> dict[str, object]:
    """Turn `key=value` strings into keyword arguments."""
    params: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ValueError(f"{item!r}: expected key=value")
        try:
            params[key] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            params[key] = raw
    return params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim", description=__doc__)
    parser.add_argument("--steps", type=int, default=120, help="months to run (default 120)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("overrides", nargs="*", help="model parameters as key=value")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"--steps={args.steps}: must be 0 or more")
    try:
        params = parse_overrides(args.overrides)
        start = time.perf_counter()
        model = PartnershipModel(rng=args.seed, **params)
    except (TypeError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    summary = model.run(args.steps)
    seconds = time.perf_counter() - start
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        print(f"{key:<{width}}  {shown}")
    print(f"{'wall_time_s':<{width}}  {seconds:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

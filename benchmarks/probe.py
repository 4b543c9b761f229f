"""Measures one thing in a fresh process for `benchmarks/suite.py` and prints it as JSON.

    python benchmarks/probe.py engine  --engine numba --params '{"n_orgs": 1000, ...}' --steps 120
    python benchmarks/probe.py compare --params '{...}' --steps 12
    python benchmarks/probe.py startup --params '{...}'
    python benchmarks/probe.py warmup

Each mode prints one line `BENCH_RESULT {json}` on stdout. Times from process start use
`time.monotonic()` (CLOCK_MONOTONIC, shared by every process on the machine), so the suite
can subtract the moment it spawned this process. Peak memory is `ru_maxrss` of this
process. Not meant to be run by hand except for debugging.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from typing import Any

STARTED = time.monotonic()
MARKER = "BENCH_RESULT "


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far, in bytes (Linux reports KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def emit(result: dict[str, Any]) -> None:
    """Print the result line the suite parses."""
    print(MARKER + json.dumps(result), flush=True)


def _prewarm(params: dict[str, Any], engine: str) -> None:
    """Load every compiled kernel the measured model will use (tiny model, two steps)."""
    from sim import PartnershipModel

    small = {**params, "n_orgs": 60, "platform_budget": 2.0}
    PartnershipModel(engine=engine, rng=0, **small).run(2)


def engine_mode(engine: str, params: dict[str, Any], steps: int, seed: int) -> dict[str, Any]:
    """Set-up time, per-step times and peak memory of one model on one engine."""
    from sim import PartnershipModel

    imported = time.monotonic()
    _prewarm(params, engine)
    baseline = peak_rss_bytes()
    ready = time.monotonic()
    start = time.perf_counter()
    model = PartnershipModel(engine=engine, rng=seed, **params)
    setup_s = time.perf_counter() - start
    step_times = []
    first_step_at = 0.0
    for k in range(steps):
        start = time.perf_counter()
        model.step()
        step_times.append(time.perf_counter() - start)
        if k == 0:
            first_step_at = time.monotonic()
    n = int(params["n_orgs"])
    total = sum(step_times)
    median = statistics.median(step_times)
    return {
        "import_s": imported - STARTED, "prewarm_s": ready - imported, "setup_s": setup_s,
        "first_step_s": step_times[0], "step_median_s": median, "step_total_s": total,
        "org_steps_per_s_median": n / median, "org_steps_per_s_mean": n * steps / total,
        "run_s": setup_s + total, "first_step_done_monotonic": first_step_at,
        "baseline_rss_bytes": baseline, "peak_rss_bytes": peak_rss_bytes(),
        "formed": int(model.summary()["formed"]), "step_times": step_times,
    }


def compare_mode(params: dict[str, Any], steps: int, seed: int) -> dict[str, Any]:
    """Both engines side by side in this process, step by step; times and identical tables."""
    import pandas as pd

    from sim import PartnershipModel

    for engine in ("numba", "mesa"):
        _prewarm(params, engine)
    models = {engine: PartnershipModel(engine=engine, rng=seed, **params)
              for engine in ("numba", "mesa")}
    times: dict[str, list[float]] = {engine: [] for engine in models}
    for _ in range(steps):
        for engine, model in models.items():  # interleaved: load on the machine hits both
            start = time.perf_counter()
            model.step()
            times[engine].append(time.perf_counter() - start)
    tables = [m.datacollector.get_model_vars_dataframe() for m in models.values()]
    try:
        pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)
        identical, difference = True, ""
    except AssertionError as error:
        identical, difference = False, " ".join(str(error).split())[:300]
    numba_median = statistics.median(times["numba"])
    mesa_median = statistics.median(times["mesa"])
    return {
        "numba_step_median_s": numba_median, "mesa_step_median_s": mesa_median,
        "ratio": mesa_median / numba_median, "identical": identical, "difference": difference,
        "formed": int(tables[0]["formed"].sum()), "numba_step_times": times["numba"],
        "mesa_step_times": times["mesa"],
    }


def startup_mode(params: dict[str, Any], seed: int) -> dict[str, Any]:
    """Import, build and step a model once, as a fresh process does (cache as it is)."""
    from sim import PartnershipModel

    imported = time.monotonic()
    model = PartnershipModel(rng=seed, **params)
    built = time.monotonic()
    model.step()
    done = time.monotonic()
    return {"import_s": imported - STARTED, "setup_s": built - imported,
            "first_step_s": done - built, "first_step_done_monotonic": done,
            "peak_rss_bytes": peak_rss_bytes()}


def warmup_mode() -> dict[str, Any]:
    """Time `sim.warmup.warm()` (every kernel of both engines and every design)."""
    from sim.warmup import warm

    seconds = warm()
    return {"warmup_s": seconds, "done_monotonic": time.monotonic()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["engine", "compare", "startup", "warmup"])
    parser.add_argument("--engine", default="numba")
    parser.add_argument("--params", default="{}", help="model parameters as JSON")
    parser.add_argument("--steps", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    params = json.loads(args.params)
    if args.mode == "engine":
        result = engine_mode(args.engine, params, args.steps, args.seed)
    elif args.mode == "compare":
        result = compare_mode(params, args.steps, args.seed)
    elif args.mode == "startup":
        result = startup_mode(params, args.seed)
    else:
        result = warmup_mode()
    emit(result)


if __name__ == "__main__":
    main()

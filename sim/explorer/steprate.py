"""Step rate of the explorer's model: `python -m sim.explorer.steprate [--n-orgs N]`.

Reports model steps per second on the numba engine (what Play can reach with a large
render interval) and the time to redraw every figure of the page once (what each shown
step adds). A measurement, not a test: it prints and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import time

from sim.explorer import figures
from sim.explorer.designs import ExplorerModel
from sim.explorer.settings import parse_n_orgs


def measure(n_orgs: int, steps: int, seed: int = 0) -> dict[str, float]:
    """Wall and CPU seconds per model step and per full redraw of the page's figures."""
    model = ExplorerModel(n_orgs=n_orgs, seed=seed)
    model.step()  # loads compiled kernels
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    per_step = (time.perf_counter() - start) / steps
    per_step_cpu = (time.process_time() - cpu) / steps
    draws = (figures.draw_active, figures.draw_participation, figures.draw_skill,
             figures.draw_outcomes, figures.draw_dissolution)
    start, cpu = time.perf_counter(), time.process_time()
    repeats = 3
    for _ in range(repeats):
        frame = figures.series(model)
        for draw in draws:
            draw(frame).savefig(io.BytesIO(), format="png")
        figures.draw_network(model).savefig(io.BytesIO(), format="png")
    per_redraw = (time.perf_counter() - start) / repeats
    per_redraw_cpu = (time.process_time() - cpu) / repeats
    return {"n_orgs": n_orgs, "steps": steps, "step_s": per_step, "redraw_s": per_redraw,
            "step_cpu_s": per_step_cpu, "redraw_cpu_s": per_redraw_cpu}


def main(argv: list[str] | None = None) -> int:
    """Measure and print the step rate."""
    parser = argparse.ArgumentParser(prog="python -m sim.explorer.steprate", description=__doc__)
    parser.add_argument("--n-orgs", default="10000")
    parser.add_argument("--steps", type=int, default=120)
    args = parser.parse_args(argv)
    try:
        n_orgs = parse_n_orgs(args.n_orgs)
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")
    r = measure(n_orgs, max(args.steps, 1))
    for kind, step_s, redraw_s in (("wall", r["step_s"], r["redraw_s"]),
                                   ("cpu", r["step_cpu_s"], r["redraw_cpu_s"])):
        print(f"{r['n_orgs']} organisations, numba engine, {r['steps']} months ({kind} time): "
              f"{1 / step_s:.1f} model steps/s ({1000 * step_s:.0f} ms per step); "
              f"redrawing all 6 figures {1000 * redraw_s:.0f} ms; "
              f"shown steps at render interval 1: {1 / (step_s + redraw_s):.1f}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

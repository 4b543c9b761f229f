"""Write the sensitivity section (Markdown) from the outputs of a finished analysis.

Everything with a number in it is read from the output folder (summary.json, the index
tables, the regions); the method text is fixed here. `write_report` writes
`<out>/report.md` and, when asked, the same text to a docs path with the figures copied
into `figures/sensitivity/` beside it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from sim.sensitivity.analyse import HEADLINE
from sim.sensitivity.ranges import DUMMY, factors_by_name, uncertain_factors

FIGURES = ("morris_mu_sigma.png", "morris_heatmap.png", "sobol_design_gap.png",
           "sobol_outcomes.png", "regions.png")

METHOD = """\
## Method

- **Uncertain parameters and ranges.** Every behavioural parameter of `sim/params.py`
  declares a plausible range and a one-line reason (`plausible=`, `plausible_why=`; shown
  in the parameter table of `docs/ODD.md`). Sector-indexed parameters are varied by one
  factor applied to all sectors' defaults (`x0.5..x2` halves or doubles every sector), so
  the sector profile keeps its shape. Structural, scenario and policy parameters (population,
  design, budget, the platforms' own levers) have no range and stay at their defaults.
- **Outputs.** For each sample, both designs are run at equal `platform_budget` with the same
  seeds (paired), and every output is the mean over the seed replicates: the headline
  outcomes under each design (partnerships per 1,000 organisations, SME participation,
  direct and indirect goal outcome, failed share of ended partnerships as the survival
  measure) and their paired differences. The headline **design gap** is the relative
  difference in total goal outcome (direct + indirect), `2 (a - b) / (a + b)`: positive
  when the first design wins.
- **Morris screening** (SALib, `num_levels` 4) over the plan's factors (every uncertain
  parameter in the medium and full plans, a few in the small one) plus a `dummy` factor;
  `mu*` carries a bootstrap 95 % interval. The dummy is dropped before a sample row becomes
  a model configuration, so a step of the dummy reuses the same runs and its `mu*` is zero
  by construction: it checks only that per-sample outputs are mapped back to the right
  sample rows, in SALib's order. The real inert check is the two hybrid-only parameters
  (`expertise_transfer`, `coordination_cost`): they give distinct configurations that run
  separately, and with seeds common to all samples their effects must come out exactly zero
  when hybrid is not one of the compared designs (otherwise they are not checked).
- **Sobol' indices** (Saltelli sampling, first-order `S1` and total `ST` with 95 %
  bootstrap intervals) over the factors that matter most: half the places go to the top of
  the Morris ranking for the design gap, the rest to the highest normalised `mu*` over the
  other outputs. The other parameters stay at their defaults.
- **Where the answer flips.** A decision tree (scikit-learn, depth 2-3, leaves of at least
  5 % of the points) fitted to the sign of the design gap over the independent Sobol'
  points only: the A and B rows of the Saltelli matrix, 2 n of its n (k + 2) rows. The
  other rows (A with one factor taken from B) repeat k - 1 coordinates of an A row, so
  fitting on them would inflate every leaf's count about (k + 2) / 2-fold and let the
  cross-validation test on near-copies of its training rows. Each leaf is a box of
  parameter thresholds, reported with the number of points in it, the share each design
  wins and the tree's cross-validated accuracy.
- **How the samples run.** Each stage is one batch of the evaluation layer
  (`sim.evaluate`): a table with one row per sample configuration x design x seed, each
  distinct configuration validated once, run in chunks on local worker processes (or an
  existing Ray cluster, or SLURM: `--backend`), kept in the dataset `<out>/runs/` keyed by
  run (code, parameters, seed), so a rerun skips the runs already made.
"""


def _f(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _table(frame: pd.DataFrame) -> str:
    """A small DataFrame as a Markdown table."""
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.to_numpy()]
    return "\n".join([head, rule, *rows])


def _range_rows(names: list[str]) -> pd.DataFrame:
    factors = factors_by_name([n for n in names if n != DUMMY])
    return pd.DataFrame({"parameter": [f"`{f.name}`" for f in factors],
                         "plausible range": [f.range_text() for f in factors],
                         "why": [f.why for f in factors]})


def _varies_all(plan: dict[str, Any]) -> bool:
    """Whether the plan's Morris stage varies every uncertain parameter."""
    return {f.name for f in uncertain_factors()} <= set(plan["morris_factors"])


def _varied_text(plan: dict[str, Any]) -> str:
    """'all 57 uncertain parameters' or '8 of the 57 uncertain parameters' for the plan."""
    total = len(uncertain_factors())
    varied = len([f for f in plan["morris_factors"] if f != DUMMY])
    if _varies_all(plan):
        return f"all {total} uncertain parameters"
    return f"{varied} of the {total} uncertain parameters"


def render(out: Path, figure_dir: str) -> str:
    """The report's Markdown, figures linked under `figure_dir`."""
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text())
    morris = pd.read_csv(out / "morris_indices.csv")
    sobol = pd.read_csv(out / "sobol_indices.csv")
    regions = pd.read_csv(out / "regions.csv")
    plan = summary["plan"]
    a, b = plan["designs"]
    timing = summary["timing"]
    top = summary["top_design_gap"]
    gap = summary["design_gap"]
    lines = [
        "# Sensitivity analysis: which assumptions the design comparison hangs on",
        "",
        "<!-- Generated by `python -m sim.sensitivity` (sim/sensitivity/report.py) from the "
        "outputs in results/sensitivity/; do not edit by hand. -->",
        "",
        f"Question: at equal platform budget, does **{a}** beat **{b}**, and on which "
        "uncertain assumptions does the answer depend? Parameter values are illustrative, not "
        "calibrated, so the answer is about the model's logic, not about any country.",
        "",
        "## What was run",
        "",
        f"Size `{plan['size']}` (`configs/sensitivity/{plan['size']}.yaml`): "
        f"{plan['n_orgs']} organisations, {plan['steps']} months, seeds "
        f"{', '.join(str(s) for s in plan['seeds'])} (paired across designs). Morris: "
        f"{len(plan['morris_factors'])} factors (dummy included), "
        f"{plan['morris_trajectories']} trajectories, {timing['morris']['samples']} samples, "
        f"{timing['morris']['runs']} runs. Sobol': top {plan['sobol_top_k']} factors, "
        f"n = {plan['sobol_n']}, {timing['sobol']['samples']} samples "
        f"({2 * plan['sobol_n']} of them independent points), "
        f"{timing['sobol']['runs']} runs. Wall time {timing['total_wall_s'] / 60:.1f} min "
        f"with {summary['workers']} workers ({summary.get('backend', 'local')} backend, "
        f"{summary['cpu_count']} cores shared).",
        "",
    ]
    estimate = out / "estimate_full.json"
    if estimate.is_file():
        est = json.loads(estimate.read_text())
        lines += [f"The full version (`--size full`: {est['runs_upper_bound']['total']} runs "
                  f"at most) is estimated at **{est['estimated_hours']:.1f} hours** on this "
                  f"machine with {est['workers']} workers ({est['measured_wall_s_per_run']:.3f} "
                  f"s of wall time per run, measured on {est['measured_runs']} of its runs "
                  "through the evaluation layer and extrapolated by run count).", ""]
    lines += [
        "## The answer and what it hangs on",
        "",
        f"Over the {gap.get('n_points', 2 * plan['sobol_n'])} independent Sobol' points "
        f"(the A and B rows of the Saltelli sample), {a} wins {gap['share_first_wins']:.0%}; "
        f"the mean design gap is {gap['mean']:+.1%} of total goal outcome.",
        "",
        "The design comparison is most sensitive to these three parameters (Sobol' total "
        "index ST and first-order S1 of the design gap, with 95 % bootstrap intervals; Morris "
        "mu* with its interval):",
        "",
    ]
    for i, row in enumerate(top, 1):
        lines.append(f"{i}. `{row['factor']}`: ST = {_f(row['ST'])} +/- {_f(row['ST_conf'])}, "
                     f"S1 = {_f(row['S1'])} +/- {_f(row['S1_conf'])}; Morris mu* = "
                     f"{row['mu_star']:.3g} +/- {row['mu_star_conf']:.3g}")
    lines += [""]
    morris_top = summary.get("morris_top_design_gap", [])
    sobol_top = [r["factor"] for r in top]
    if morris_top:
        agree = set(morris_top) == set(sobol_top)
        lines += [f"The Morris screening, which varies {_varied_text(plan)} at once, ranks "
                  f"{', '.join(f'`{m}`' for m in morris_top)}"
                  f" first for the design gap: {'the same three' if agree else 'not the same '
                  'three as the Sobol stage, whose indices are conditional on the parameters '
                  'it leaves at their defaults'}.", ""]
    noise = gap["noise_share"]
    if noise == noise:  # not NaN
        lines += [f"Seed-to-seed noise makes up {noise:.0%} of the variance of the "
                  "seed-averaged design gap over the Sobol' samples; indices explain the rest.",
                  ""]
    inert = summary["inert_checks"]
    if inert:
        checks = ", ".join(f"`{k}` {v:.3g}" for k, v in inert.items())
        lines += [f"Checks that must be zero (Morris mu* on the design gap): {checks}. The "
                  "dummy is zero by construction (it never reaches a configuration) and checks "
                  "only that outputs map back to the right sample rows; the hybrid-only "
                  "parameters, run as separate configurations, are the real check that a "
                  "parameter the compared designs ignore changes nothing.", ""]
    lines += ["Their plausible ranges, and why (from `sim/params.py`):", "",
              _table(_range_rows([r["factor"] for r in top])), ""]

    lines += ["## Where each design wins", "",
              f"Decision tree over the {summary['regions']['accuracy']['n']} independent "
              "Sobol' points (the A and B rows only; each sample counted below is one such point; "
              "fitted accuracy "
              f"{summary['regions']['accuracy']['fitted']:.0%}, cross-validated "
              f"{summary['regions']['accuracy']['cross_validated']:.0%}, against "
              f"{summary['regions']['accuracy']['base_rate']:.0%} for always naming the more "
              "frequent winner):", ""]
    lines += [f"- {rule}." for rule in regions["rule"]]
    lines += ["", f"![regions]({figure_dir}/regions.png)", ""]

    lines += ["## Sobol' indices", "", "Design gap and paired differences (first minus "
              "second design), 95 % intervals:", ""]
    shown = sobol[sobol["output"].isin([HEADLINE, "diff:partnerships_per_1000",
                                        "diff:sme_participation", "diff:failed_share"])]
    pivot = shown.assign(value=[f"{s:.2f} ({st:.2f} +/- {c:.2f})" for s, st, c in
                                zip(shown["S1"], shown["ST"], shown["ST_conf"], strict=True)])
    pivot = pivot.pivot_table(index="factor", columns="output", values="value",
                              aggfunc="first").reset_index()
    lines += ["Cells: S1 (ST +/- interval).", "", _table(pivot), "",
              f"![sobol]({figure_dir}/sobol_design_gap.png)", "",
              f"Headline outcomes under {a}: ", "",
              f"![sobol outcomes]({figure_dir}/sobol_outcomes.png)", ""]

    lines += ["## Morris screening", "",
              "Top ten factors for the design gap (mu* with 95 % interval, sigma):", ""]
    mg = morris[morris["output"] == HEADLINE].sort_values("mu_star", ascending=False).head(10)
    lines += [_table(pd.DataFrame({
        "factor": [f"`{f}`" for f in mg["factor"]],
        "mu*": [f"{m:.3g} +/- {c:.2g}" for m, c in zip(mg["mu_star"], mg["mu_star_conf"],
                                                       strict=True)],
        "sigma": [f"{s:.3g}" for s in mg["sigma"]]})), "",
              f"![morris]({figure_dir}/morris_mu_sigma.png)", "",
              f"![morris heatmap]({figure_dir}/morris_heatmap.png)", ""]
    lines += ["## Every output: its three most influential factors (Sobol' ST)", "",
              "The design gap, the paired differences (`diff:`) and each design's levels:",
              ""]
    rows = []
    for output, group in sobol.groupby("output", sort=False):
        best = group.sort_values("ST", ascending=False).head(3)
        rows.append({"output": output, "top factors (ST)": ", ".join(
            f"`{r.factor}` {r.ST:.2f}" for r in best.itertuples())})
    lines += [_table(pd.DataFrame(rows)), ""]
    lines += [METHOD, "",
              "**Caveats.** Sobol' indices are conditional on the parameters outside the "
              f"Sobol' stage, held at their defaults; Morris screening, which varies "
              f"{_varied_text(plan)}, is the check on that"
              f"{'' if _varies_all(plan) else ' (for those it varies only)'}. "
              "The ranges are mostly guesses (see the table in "
              "`docs/ODD.md`), so the indices say which guesses matter, not which values are "
              "right. Sector-indexed parameters move all sectors together.", "",
              "## Reproduce", "",
              "```sh",
              f"make sensitivity SIZE={plan['size']} "
              "SENSITIVITY_ARGS=\"--docs docs/sensitivity.md\"",
              f"python -m sim.sensitivity --size {plan['size']} --docs docs/sensitivity.md"
              "   # the same",
              "python -m sim.sensitivity --analyse-only --docs docs/sensitivity.md  # no runs",
              "python -m sim.sensitivity --size full --estimate   # time the full version",
              "python -m sim.sensitivity --size full --backend ray --address HOST:6379"
              "   # on a cluster",
              "```", "",
              "Outputs in `results/sensitivity/`: `morris_indices.csv`, `sobol_indices.csv`, "
              "`regions.csv`, `*_samples.csv` (samples with their outputs), `*_runs.parquet` "
              "(one row per run), `summary.json`, the figures, and `notebooks/sensitivity.py` "
              "to review them.", ""]
    return "\n".join(lines)


def write_report(out: Path, docs: Path | None = None) -> list[Path]:
    """Write `<out>/report.md` and, if `docs` is given, the docs copy with its figures."""
    written = []
    path = out / "report.md"
    path.write_text(render(out, "."))
    written.append(path)
    if docs is not None:
        figure_dir = docs.parent / "figures" / "sensitivity"
        figure_dir.mkdir(parents=True, exist_ok=True)
        for name in FIGURES:
            shutil.copyfile(out / name, figure_dir / name)
        docs.write_text(render(out, "figures/sensitivity"))
        written.append(docs)
    return written

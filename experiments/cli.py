"""The command line of every driver: run the experiment's runs, then publish its analysis.

`python -m experiments.<name> [options]` (or `python -m experiments <name>`) runs the
experiment's batch (`experiments.running`), then writes into `results/<name>/`:

- `summaries.parquet`                   the analysed runs (one row each, with `arm`)
- `table.csv`, `table.md`               mean and 95% t-interval over seeds per arm and context
- `effects.csv`, `effects.md`           each arm minus the control arm, with a 95% interval
                                        paired by seed (seed k is the same population in
                                        every arm)
- `winners.csv`, `winners.md`           per context and outcome: best arm, runner-up, and
                                        whether their paired difference's interval excludes 0
- `*.png`, `figures.json`               figures and one-sentence captions
- `meta.json`                           size, seeds, runs, wall time, command, contexts
- `dataset/`                            the runs' dataset (summary and monthly tables), kept
                                        and reused: a rerun makes only the missing runs
The analysis writes all of these into a hidden staging folder next to `results/<name>/` and
swaps it in whole, so a failed analysis leaves the previous results as they were.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.figures import outcomes_figure, reference_context, series_figure
from experiments.markdown import (
    TMP_SUFFIX,
    effects_markdown,
    mean_markdown,
    winners_markdown,
    write_csv,
    write_text,
)
from experiments.running import DATASET, SIZES, TINY_SEEDS, load_runs, overrides, run_runs
from experiments.spec import Experiment
from experiments.tables import ExperimentError, effects_table, mean_table, winners_table
from sim.evaluate.backends import BACKENDS

OLD_SUFFIX = ".old"
RUNS_FILE = "summaries.parquet"


# --- options ------------------------------------------------------------------------------------

class OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line: `error: <what>` and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _positive(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: expected an integer >= 1") \
                from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{name}={value}: allowed range is 1 and above")
        return value
    return parse


def parser(prog: str, description: str) -> OneLineParser:
    """The options every driver takes."""
    p = OneLineParser(prog=prog, description=description)
    p.add_argument("--seeds", type=_positive("seeds"), default=None,
                   help="seeds per configuration (default: the experiment's, 2 when tiny)")
    p.add_argument("--size", default="default", type=_choice("size", SIZES),
                   help="default (minutes) or tiny (seconds, for tests)")
    p.add_argument("--workers", type=_positive("workers"), default=os.cpu_count() or 1,
                   help="parallel runs (default: every core)")
    p.add_argument("--results", type=Path, default=Path("results"),
                   help="results folder (runs are kept in <results>/<name>/dataset and reused)")
    p.add_argument("--analyse-only", action="store_true",
                   help="skip the runs; rebuild tables and figures from the analysed runs")
    p.add_argument("--backend", default="local", type=_choice("backend", BACKENDS),
                   help="where the runs go: local (default), ray (with --address), slurm")
    p.add_argument("--address", default=None, help="with --backend ray: HOST:6379")
    p.add_argument("--posterior", default=None, metavar="NAME",
                   help="run over the calibrated ensemble NAME (results/calibration/NAME/, "
                   "or $SIM_CALIBRATION_DIR): each seed takes one set, shared by the arms")
    return p


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise argparse.ArgumentTypeError(
                f"{name}={text!r}: allowed values are {', '.join(allowed)}")
        return text
    return parse


# --- the whole experiment -----------------------------------------------------------------------

def analyse(exp: Experiment, summaries: pd.DataFrame, dataset: Path, out: Path,
            meta: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Write tables, figures, captions, meta.json and the analysed runs into `out`.

    Writes in place; `publish` runs it in a staging folder so a failure changes nothing.
    """
    runs, steps = load_runs(exp, summaries, dataset)
    missing = [a for a in exp.arms if a not in set(runs["arm"])]
    if missing:
        raise ExperimentError(f"{out}: no runs of {exp.arm_label.lower()} {missing[0]!r}; "
                              "rerun the experiment")
    table = mean_table(exp, runs)
    effects = effects_table(exp, runs)
    winners = winners_table(exp, runs)
    runs.to_parquet(out / RUNS_FILE, index=False)
    write_csv(out / "table.csv", table)
    write_csv(out / "effects.csv", effects)
    write_csv(out / "winners.csv", winners)
    write_text(out / "table.md", mean_markdown(exp, table))
    write_text(out / "effects.md", effects_markdown(exp, effects))
    write_text(out / "winners.md", winners_markdown(exp, winners))
    meta = {**meta, "runs": int(len(runs)),
            "seeds": int(runs.groupby(["arm", *[c for c, _ in exp.contexts]]).size().min()),
            "n_orgs": int(runs["n_orgs"].iloc[0]), "n_countries": int(runs["n_countries"].iloc[0]),
            "steps": int(runs["steps"].iloc[0]), "control": exp.control_arm,
            "arms": list(exp.arms), "contexts": [list(c) for c in exp.contexts],
            "reference": {k: (v.item() if hasattr(v, "item") else v)
                          for k, v in reference_context(exp, runs).items()}}
    figures = [outcomes_figure(exp, runs, table, out, meta)]
    series = series_figure(exp, runs, steps, out, meta)
    if series:
        figures.append(series)
    for extra in exp.extra_figures:
        figures.extend(extra(exp, runs, steps, table, out, meta))
    write_text(out / "figures.json", json.dumps(figures, indent=1) + "\n")
    meta["figures"] = [f["file"] for f in figures]
    write_text(out / "meta.json", json.dumps(meta, indent=1, default=str) + "\n")
    return {"table": table, "effects": effects, "winners": winners}


def publish(exp: Experiment, summaries: pd.DataFrame, out: Path, meta: dict[str, Any]) -> None:
    """Analyse `summaries` in a staging folder, then swap it in for `out`.

    Everything the readout reads is written to `.<name>.partial/` beside `out`; only when
    the whole analysis has succeeded is the old folder renamed away and the staging folder
    renamed into place (keeping the runs' dataset). On any failure the staging folder is
    removed and `out` is left as it was, so tables never mix two sets of runs.
    """
    staging = out.with_name(f".{out.name}{TMP_SUFFIX}")
    old = out.with_name(f".{out.name}{OLD_SUFFIX}")
    for leftover in (staging, old):  # from an interrupted earlier analysis
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir(parents=True)
    try:
        analyse(exp, summaries, out / DATASET, staging, meta)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if (out / DATASET).exists():
        (out / DATASET).rename(staging / DATASET)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def main(exp: Experiment, argv: list[str] | None = None) -> int:
    """Command line of one driver: run the experiment's runs, write tables and figures."""
    args = parser(f"python -m experiments.{exp.name}", f"{exp.title}: {exp.question}").parse_args(
        argv)
    if args.backend == "ray" and not args.address:
        print("error: backend='ray': give the cluster's address (--address HOST:6379)",
              file=sys.stderr)
        return 2
    return run(exp, args.seeds, args.size, args.workers, args.results, args.analyse_only,
               {"backend": args.backend, "address": args.address}, args.posterior)


def run(exp: Experiment, seeds: int | None, size: str, workers: int, results: Path,
        analyse_only: bool = False, backend: dict[str, Any] | None = None,
        posterior: str | None = None) -> int:
    """Run (unless `analyse_only`) and analyse one experiment; return an exit status.

    `backend`: where the runs go (`sim.evaluate` options: backend, address); `posterior`:
    a calibrated ensemble's name to run the experiment over."""
    seeds = seeds or (TINY_SEEDS if size == "tiny" else exp.default_seeds)
    existing = next((p for p in (results, *results.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        print(f"error: results={str(results)!r}: {str(existing)!r} is a file, not a folder",
              file=sys.stderr)
        return 2
    out = results / exp.name
    meta: dict[str, Any] = {"experiment": exp.name, "title": exp.title, "question": exp.question,
                            "size": size, "requested_seeds": seeds, "workers": workers,
                            "command": "sim -m " + " ".join(overrides(exp, seeds, size,
                                                                      results))}
    try:
        if not analyse_only:
            print(f"{exp.name}: running ({size}, {seeds} seeds, {workers} workers)", flush=True)
            summaries, wall, facts = run_runs(exp, seeds, size, workers, results, backend,
                                              posterior)
            meta["sweep_wall_time_s"] = round(wall, 1)
            meta.update(facts)
        else:
            if not (out / RUNS_FILE).exists():
                raise ExperimentError(f"{out / RUNS_FILE}: not found; run the experiment first")
            summaries = pd.read_parquet(out / RUNS_FILE).drop(columns=["arm"], errors="ignore")
            if (out / "meta.json").exists():  # the runs are the last run's: keep its facts
                old = json.loads((out / "meta.json").read_text())
                meta.update({k: v for k, v in old.items() if k in (
                    "size", "requested_seeds", "workers", "command", "sweep_wall_time_s")
                    or k.startswith("posterior")})
        meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        publish(exp, summaries, out, meta)
    except ExperimentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{exp.name}: tables and figures in {out}"
          + (f" (runs {meta['sweep_wall_time_s']} s)" if meta.get("sweep_wall_time_s") else ""),
          flush=True)
    return 0

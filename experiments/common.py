"""Shared machinery of the experiment drivers: options, the Hydra sweep, tables and figures.

A driver declares an `Experiment` (which arms it compares, in which contexts, on which
outcomes) and calls `main`. `main` runs `python -m sim -m +experiment=<name> seed=range(0,N)`
as a subprocess (so the same sweep can go to a cluster launcher), collects it with
`sim.collect`, and writes into `results/<name>/`:

- `summaries.parquet`, `steps.parquet`  the collected runs (one row per run / run and month)
- `table.csv`, `table.md`               mean and 95% t-interval over seeds per arm and context
- `effects.csv`, `effects.md`           each arm minus the control arm, with a 95% interval
                                        paired by seed (seed k is the same population in
                                        every arm)
- `winners.csv`, `winners.md`           per context and outcome: best arm, runner-up, and
                                        whether their paired difference's interval excludes 0
- `*.png`, `figures.json`               figures and one-sentence captions
- `meta.json`                           size, seeds, runs, wall time, command, contexts
The analysis writes all of these into a hidden staging folder next to `results/<name>/` and
swaps it in whole, so a failed analysis leaves the previous results as they were.
Finished runs live in `<results>/runs/<run_key>/` and are reused by later sweeps.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.stats import difference_interval, mean_interval
from sim.metrics import SUMMARY_TAIL_MONTHS

SIZES = ("tiny", "default")
# Tiny: a few hundred organisations for three years; seconds per run, for tests.
TINY_OVERRIDES = ("+debug=default", "steps=36", "model.n_orgs=200", "model.n_countries=1")
TINY_SEEDS = 2
REPO = Path(__file__).resolve().parents[1]
TMP_SUFFIX = ".partial"
OLD_SUFFIX = ".old"
SWEEP_FILES = ("summaries.parquet", "steps.parquet")
TIE = "tie"
LEGEND_INCHES = 0.7  # room below the panels for the shared legend


class ExperimentError(RuntimeError):
    """A sweep or its analysis failed; the message says which and why, in one line."""


@dataclass(frozen=True)
class Outcome:
    """A run-summary column compared across arms, and which direction is better."""

    column: str
    label: str
    higher_is_better: bool = True


@dataclass(frozen=True)
class Series:
    """A per-step reporter drawn over time, one line per arm."""

    column: str
    label: str


@dataclass(frozen=True)
class Experiment:
    """One policy question: the arms it compares, in which contexts, on which outcomes."""

    name: str
    title: str
    question: str
    arm_label: str
    control: str
    arms: tuple[str, ...]
    arm_of: Callable[[pd.DataFrame], pd.Series]
    contexts: tuple[tuple[str, str], ...]   # (column, label): a comparison cell
    outcomes: tuple[Outcome, ...]
    series: tuple[Series, ...] = ()
    tiny_grid: tuple[str, ...] = ()         # extra overrides that shrink the grid when tiny
    default_seeds: int = 10
    step_totals: tuple[str, ...] = ()       # per-step tallies summed per run as <name>_total
    step_ends: tuple[str, ...] = ()         # per-step levels averaged over the last year: _end
    reference: dict[str, Any] = field(default_factory=dict)  # context shown in time figures
    extra_figures: tuple[Callable[..., list[dict[str, str]]], ...] = ()


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
                   help="results folder (runs are kept in <results>/runs and reused)")
    p.add_argument("--analyse-only", action="store_true",
                   help="skip the sweep; rebuild tables and figures from collected runs")
    return p


def _choice(name: str, allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise argparse.ArgumentTypeError(
                f"{name}={text!r}: allowed values are {', '.join(allowed)}")
        return text
    return parse


# --- the sweep ----------------------------------------------------------------------------------

def sweep_command(exp: Experiment, seeds: int, size: str, workers: int,
                  results: Path) -> list[str]:
    """The `python -m sim -m ...` command that runs the experiment's sweep."""
    sweep_dir = results / exp.name / "sweep"
    size_overrides = [*TINY_OVERRIDES, *exp.tiny_grid] if size == "tiny" else []
    # One worker: Hydra's basic launcher runs the jobs in this process, with no worker
    # processes to start (and kernels to load) at all; more: joblib processes.
    launcher = (["hydra/launcher=basic"] if workers == 1 else
                [f"hydra.launcher.n_jobs={workers}", "hydra.launcher.verbose=0"])
    return [sys.executable, "-m", "sim", "-m", f"+experiment={exp.name}", *size_overrides,
            f"seed=range(0,{seeds})", f"results_dir={results}", "progress=false",
            f"hydra.sweep.dir={sweep_dir}", *launcher]


def run_sweep(exp: Experiment, seeds: int, size: str, workers: int, results: Path) -> float:
    """Run the sweep (finished runs are skipped by run key) and collect it; return seconds.

    The collected tables stay in `results/<name>/sweep/` until the analysis swaps them in.
    The sweep folder holds only job pointers and is rebuilt each time, so a smaller rerun
    never collects stale jobs; the run folders themselves are kept and reused.
    """
    out = results / exp.name
    out.mkdir(parents=True, exist_ok=True)
    sweep_dir = out / "sweep"
    if sweep_dir.exists():
        shutil.rmtree(sweep_dir)
    command = sweep_command(exp, seeds, size, workers, results)
    log_path = out / "sweep.log"
    started = time.time()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    with log_path.open("w") as log:
        log.write(" ".join(command) + "\n")
        log.flush()
        done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, text=True,
                              env=env)
    if done.returncode != 0:
        lines = [line for line in log_path.read_text().splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error:")]
        reason = errors[-1] if errors else (lines[-1] if lines else "no output")
        raise ExperimentError(f"sweep of {exp.name} failed (exit {done.returncode}): {reason} "
                              f"(full log: {log_path})")
    missing = [name for name in SWEEP_FILES if not (sweep_dir / name).exists()]
    if missing:
        raise ExperimentError(f"sweep of {exp.name} wrote no {missing[0]} in {sweep_dir} "
                              f"(full log: {log_path})")
    return time.time() - started


# --- tables -------------------------------------------------------------------------------------

def load_runs(exp: Experiment, out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Collected summaries in `out` with `arm` and context columns, and the per-step table."""
    summaries_path, steps_path = out / "summaries.parquet", out / "steps.parquet"
    if not summaries_path.exists():
        raise ExperimentError(f"{summaries_path}: not found; run the experiment first")
    runs = pd.read_parquet(summaries_path)
    steps = pd.read_parquet(steps_path)
    runs["arm"] = exp.arm_of(runs)
    runs = runs[runs["arm"].notna()].copy()
    for column, _ in exp.contexts:
        if column not in runs.columns:
            runs[column] = "all"
    if exp.step_totals:
        totals = steps.groupby("run_key")[list(exp.step_totals)].sum()
        totals.columns = [f"{c}_total" for c in totals.columns]
        runs = runs.merge(totals, left_on="run_key", right_index=True, how="left")
        orgs = runs["n_orgs"] * runs["n_countries"]
        for column in exp.step_totals:
            runs[f"{column}_per_org"] = runs[f"{column}_total"] / orgs
    if exp.step_ends:
        last_step = steps.groupby("run_key")["step"].transform("max")
        tail = steps[steps["step"] > last_step - SUMMARY_TAIL_MONTHS]
        ends = tail.groupby("run_key")[list(exp.step_ends)].mean()
        ends.columns = [f"{c}_end" for c in ends.columns]
        runs = runs.merge(ends, left_on="run_key", right_index=True, how="left")
    steps = steps[steps["run_key"].isin(runs["run_key"])]
    return runs, steps


def _cells(exp: Experiment, runs: pd.DataFrame):
    """Iterate (context values, runs of that context), contexts in sorted order."""
    columns = [c for c, _ in exp.contexts]
    if not columns:
        yield {}, runs
        return
    for values, group in runs.groupby(columns, sort=True):
        values = values if isinstance(values, tuple) else (values,)
        yield dict(zip(columns, values, strict=True)), group


def _arms_present(exp: Experiment, runs: pd.DataFrame) -> list[str]:
    order = {a: k for k, a in enumerate(exp.arms)}
    return sorted(runs["arm"].unique(), key=lambda a: (order.get(a, len(order)), a))


def mean_table(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Long table: context, arm, outcome, mean, 95% t-interval and seeds counted."""
    rows = []
    for context, group in _cells(exp, runs):
        for arm in _arms_present(exp, group):
            sub = group[group["arm"] == arm]
            for o in exp.outcomes:
                mean, lo, hi, n = mean_interval(sub[o.column].to_numpy())
                rows.append({**context, "arm": arm, "outcome": o.column, "label": o.label,
                             "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows)


def by_seed(group: pd.DataFrame, arm: str, column: str) -> pd.Series:
    """One outcome of one arm's runs, indexed by seed (for differences paired by seed)."""
    sub = group[group["arm"] == arm]
    return pd.Series(sub[column].to_numpy(dtype=float), index=sub["seed"].to_numpy())


def paired_interval(exp: Experiment, context: dict[str, Any], group: pd.DataFrame, arm: str,
                    other: str, column: str) -> tuple[float, float, float]:
    """`arm` minus `other` on `column` in one context, paired by seed, with its 95% interval;
    an ExperimentError names the context if the arms cannot be paired."""
    try:
        return difference_interval(by_seed(group, arm, column), by_seed(group, other, column))
    except ValueError as err:
        where = f" at {_describe(exp, context)}" if context else ""
        raise ExperimentError(f"{exp.name}: {arm} minus {other}{where}: {err} "
                              "(rerun with --seeds 2 or more)") from None


def effects_table(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Long table: each arm minus the control arm in its context, with a 95% interval of the
    per-seed differences (seed k is the same population in every arm)."""
    rows = []
    for context, group in _cells(exp, runs):
        control = group[group["arm"] == exp.control]
        if control.empty:
            continue
        for arm in _arms_present(exp, group):
            if arm == exp.control:
                continue
            for o in exp.outcomes:
                diff, lo, hi = paired_interval(exp, context, group, arm, exp.control, o.column)
                rows.append({**context, "arm": arm, "control": exp.control, "outcome": o.column,
                             "label": o.label, "difference": diff, "ci_low": lo, "ci_high": hi,
                             "separated": bool(lo > 0 or hi < 0)})
    return pd.DataFrame(rows)


def winners_table(exp: Experiment, runs: pd.DataFrame) -> pd.DataFrame:
    """Per context and outcome: the best arm, the runner-up, and whether they separate.

    `separated` is true when the 95% interval of best minus runner-up, paired by seed,
    excludes zero.
    When the best means are equal the best is `tie` and `runner_up` lists the tied arms.
    Arms without a finite value of the outcome (cost per partnership without platforms)
    do not compete on it.
    """
    rows = []
    for context, group in _cells(exp, runs):
        for o in exp.outcomes:
            means = {arm: float(np.nanmean(v)) for arm, v in
                     group.groupby("arm")[o.column].apply(np.asarray).items()
                     if np.isfinite(v).sum() > 0}
            if not means:
                continue
            ranked = sorted(means, key=means.get, reverse=o.higher_is_better)
            best = ranked[0]
            row = {**context, "outcome": o.column, "label": o.label, "best": best,
                   "best_mean": means[best], "runner_up": None, "runner_up_mean": np.nan,
                   "difference": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                   "separated": False}
            if len(ranked) > 1 and np.isclose(means[ranked[0]], means[ranked[1]], rtol=1e-9,
                                              atol=1e-12):
                tied = [a for a in ranked if np.isclose(means[a], means[best], rtol=1e-9,
                                                        atol=1e-12)]
                row.update(best=TIE, runner_up="=".join(tied), runner_up_mean=means[best],
                           difference=0.0)
            elif len(ranked) > 1:
                second = ranked[1]
                diff, lo, hi = paired_interval(exp, context, group, best, second, o.column)
                row.update(runner_up=second, runner_up_mean=means[second], difference=diff,
                           ci_low=lo, ci_high=hi, separated=bool(lo > 0 or hi < 0))
            rows.append(row)
    return pd.DataFrame(rows)


def fmt(x: float) -> str:
    """A number in 3-4 significant digits, `n/a` for NaN."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) >= 0.01 else f"{x:.2g}"


def interval(mean: float, lo: float, hi: float) -> str:
    """`mean [lo, hi]` in compact numbers."""
    return f"{fmt(mean)} [{fmt(lo)}, {fmt(hi)}]"


def _context_header(exp: Experiment) -> list[str]:
    return [label for _, label in exp.contexts]


def _context_values(exp: Experiment, row: pd.Series) -> list[str]:
    return [_show(row[c]) for c, _ in exp.contexts]


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def mean_markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """Wide Markdown: one row per context and arm, one column per outcome (mean [95% CI])."""
    header = [*_context_header(exp), exp.arm_label, *[o.label for o in exp.outcomes]]
    rows = []
    keys = [c for c, _ in exp.contexts] + ["arm"]
    for _, group in table.groupby(keys, sort=False):
        first = group.iloc[0]
        by = group.set_index("outcome")
        rows.append([*_context_values(exp, first), str(first["arm"]),
                     *[interval(*by.loc[o.column, ["mean", "ci_low", "ci_high"]])
                       for o in exp.outcomes]])
    return markdown(header, rows)


def effects_markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """Wide Markdown of differences from the control arm (* marks intervals excluding 0)."""
    header = [*_context_header(exp), f"{exp.arm_label} minus {exp.control}",
              *[o.label for o in exp.outcomes]]
    rows = []
    keys = [c for c, _ in exp.contexts] + ["arm"]
    for _, group in table.groupby(keys, sort=False):
        first = group.iloc[0]
        by = group.set_index("outcome")
        cells = []
        for o in exp.outcomes:
            d = by.loc[o.column]
            mark = "*" if d["separated"] else ""
            cells.append(f"{interval(d['difference'], d['ci_low'], d['ci_high'])}{mark}")
        rows.append([*_context_values(exp, first), str(first["arm"]), *cells])
    return markdown(header, rows)


def winners_markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """Wide Markdown: per context, the best arm on each outcome (! = separated from 2nd)."""
    header = [*_context_header(exp), *[f"{o.label} ({'max' if o.higher_is_better else 'min'})"
                                       for o in exp.outcomes]]
    rows = []
    keys = [c for c, _ in exp.contexts]
    groups = table.groupby(keys, sort=False) if keys else [((), table)]
    for _, group in groups:
        by = group.set_index("outcome")
        cells = []
        for o in exp.outcomes:
            if o.column not in by.index:
                cells.append("n/a")
                continue
            w = by.loc[o.column]
            cells.append(f"{w['best']}{'!' if w['separated'] else ''}")
        rows.append([*_context_values(exp, group.iloc[0]), *cells])
    return markdown(header, rows)


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (a temporary file renamed into place)."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    tmp.write_text(text)
    tmp.replace(path)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write a CSV atomically."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    frame.to_csv(tmp, index=False)
    tmp.replace(path)


# --- figures ------------------------------------------------------------------------------------

def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    return plt, sns


def _middle(values: list[Any]) -> Any:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def reference_context(exp: Experiment, runs: pd.DataFrame) -> dict[str, Any]:
    """The context shown when a figure shows one: the experiment's reference, else the
    middle level of each context column."""
    chosen = {}
    for column, _ in exp.contexts:
        levels = list(runs[column].unique())
        wanted = exp.reference.get(column)
        chosen[column] = wanted if wanted in levels else _middle(levels)
    return chosen


def lower_first(label: str) -> str:
    """Lower-case a label's first letter unless it starts an acronym (`SME participation`)."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _describe(exp: Experiment, context: dict[str, Any]) -> str:
    labels = dict(exp.contexts)
    return ", ".join(f"{lower_first(labels[c])} {_show(v)}" for c, v in context.items())


def _save_panels(fig, axes, n_used: int, n_arms: int, legend_title: str, path: Path) -> None:
    """Blank the unused panels, put one legend for all panels below them, save, close."""
    import matplotlib.pyplot as plt

    for ax in list(axes.flat)[n_used:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=n_arms, title=legend_title,
               bbox_to_anchor=(0.5, 0.0), frameon=False)
    fig.tight_layout(rect=(0, LEGEND_INCHES / fig.get_figheight(), 1, 1))
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def outcomes_figure(exp: Experiment, runs: pd.DataFrame, table: pd.DataFrame, out: Path,
                    meta: dict[str, Any], across: str | None = None,
                    outcomes: tuple[Outcome, ...] | None = None,
                    name: str = "outcomes.png") -> dict[str, str]:
    """One panel per outcome: mean and 95% interval by arm, across one context column
    (`across`, default the first); other contexts are held at their reference level."""
    plt, sns = pyplot()
    outcomes = outcomes or exp.outcomes
    first = across or (exp.contexts[0][0] if exp.contexts else None)
    rest = {c: v for c, v in reference_context(exp, runs).items() if c != first}
    data = table.copy()
    for column, value in rest.items():
        data = data[data[column] == value]
    n = len(outcomes)
    ncols = min(4, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    arms = _arms_present(exp, runs)
    palette = dict(zip(arms, sns.color_palette("colorblind", len(arms)), strict=True))
    xs = sorted(data[first].unique()) if first else ["all"]
    width = 0.8 / max(len(arms), 1)
    for ax, o in zip(axes.flat, outcomes, strict=False):
        sub = data[data["outcome"] == o.column]
        for k, arm in enumerate(arms):
            rows = sub[sub["arm"] == arm].set_index(first) if first else sub[sub["arm"] == arm]
            pos, means, errs = [], [], [[], []]
            for j, x in enumerate(xs):
                if first and x not in rows.index:
                    continue
                r = rows.loc[x] if first else rows.iloc[0]
                if not np.isfinite(r["mean"]):
                    continue
                pos.append(j - 0.4 + width * (k + 0.5))
                means.append(r["mean"])
                lo = r["ci_low"] if np.isfinite(r["ci_low"]) else r["mean"]
                hi = r["ci_high"] if np.isfinite(r["ci_high"]) else r["mean"]
                errs[0].append(r["mean"] - lo)
                errs[1].append(hi - r["mean"])
            ax.errorbar(pos, means, yerr=errs, fmt="o", color=palette[arm], label=arm,
                        capsize=2, markersize=4)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_xticks(range(len(xs)), [_show(x) for x in xs],
                      rotation=20 if max(len(_show(x)) for x in xs) > 8 else 0)
        ax.set_title(o.label + ("" if o.higher_is_better else " (lower is better)"), fontsize=9)
        if first:
            ax.set_xlabel(dict(exp.contexts)[first])
    path = out / name
    _save_panels(fig, axes, n, len(arms), exp.arm_label, path)
    shown = f" ({_describe(exp, rest)})" if rest else ""
    return {"file": path.name, "caption": (
        f"{exp.title}: mean outcome per {lower_first(exp.arm_label)}"
        f"{' and ' + lower_first(dict(exp.contexts)[first]) if first else ''}{shown}, "
        f"with 95% t-intervals over {meta['seeds']} seeds.")}


def series_figure(exp: Experiment, runs: pd.DataFrame, steps: pd.DataFrame, out: Path,
                  meta: dict[str, Any]) -> dict[str, str] | None:
    """One panel per per-step reporter: mean over seeds by arm, with a 95% band."""
    if not exp.series:
        return None
    plt, sns = pyplot()
    context = reference_context(exp, runs)
    chosen = runs
    for column, value in context.items():
        chosen = chosen[chosen[column] == value]
    data = steps.merge(chosen[["run_key", "arm"]], on="run_key")
    arms = _arms_present(exp, chosen)
    palette = dict(zip(arms, sns.color_palette("colorblind", len(arms)), strict=True))
    n = len(exp.series)
    ncols = min(3, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.0 * nrows), squeeze=False)
    for ax, s in zip(axes.flat, exp.series, strict=False):
        for arm in arms:
            sub = data[data["arm"] == arm]
            stats = sub.groupby("step")[s.column].apply(lambda v: mean_interval(v.to_numpy()))
            steps_axis = stats.index.to_numpy()
            mean = np.array([v[0] for v in stats])
            lo = np.array([v[1] for v in stats])
            hi = np.array([v[2] for v in stats])
            ax.plot(steps_axis, mean, color=palette[arm], label=arm, lw=1.4)
            ok = np.isfinite(lo) & np.isfinite(hi)
            ax.fill_between(steps_axis[ok], lo[ok], hi[ok], color=palette[arm], alpha=0.2)
        ax.set_title(s.label, fontsize=9)
        ax.set_xlabel("month")
    path = out / "series.png"
    _save_panels(fig, axes, n, len(arms), exp.arm_label, path)
    where = f" ({_describe(exp, context)})" if context else ""
    return {"file": path.name, "caption": (
        f"{exp.title}: monthly {', '.join(lower_first(s.label) for s in exp.series)} by "
        f"{lower_first(exp.arm_label)}{where}; lines are means and bands 95% t-intervals over "
        f"{meta['seeds']} seeds.")}


# --- the whole experiment -----------------------------------------------------------------------

def analyse(exp: Experiment, out: Path, meta: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """Write tables, figures, captions and meta.json from the collected runs in `out`.

    Writes in place; `publish` runs it in a staging folder so a failure changes nothing.
    """
    runs, steps = load_runs(exp, out)
    missing = [a for a in exp.arms if a not in set(runs["arm"])]
    if missing:
        raise ExperimentError(f"{out}: no runs of {exp.arm_label.lower()} {missing[0]!r}; "
                              "rerun the experiment")
    table = mean_table(exp, runs)
    effects = effects_table(exp, runs)
    winners = winners_table(exp, runs)
    write_csv(out / "table.csv", table)
    write_csv(out / "effects.csv", effects)
    write_csv(out / "winners.csv", winners)
    write_text(out / "table.md", mean_markdown(exp, table))
    write_text(out / "effects.md", effects_markdown(exp, effects))
    write_text(out / "winners.md", winners_markdown(exp, winners))
    meta = {**meta, "runs": int(len(runs)),
            "seeds": int(runs.groupby(["arm", *[c for c, _ in exp.contexts]]).size().min()),
            "n_orgs": int(runs["n_orgs"].iloc[0]), "n_countries": int(runs["n_countries"].iloc[0]),
            "steps": int(runs["steps"].iloc[0]), "control": exp.control,
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


def publish(exp: Experiment, source: Path, out: Path, meta: dict[str, Any]) -> None:
    """Analyse the collected runs in `source` in a staging folder, then swap it in for `out`.

    Everything the readout reads is written to `.<name>.partial/` beside `out`; only when
    the whole analysis has succeeded is the old folder renamed away and the staging folder
    renamed into place (keeping the sweep's log and job folder). On any failure the staging
    folder is removed and `out` is left as it was, so tables never mix two sets of runs.
    """
    staging = out.with_name(f".{out.name}{TMP_SUFFIX}")
    old = out.with_name(f".{out.name}{OLD_SUFFIX}")
    for leftover in (staging, old):  # from an interrupted earlier analysis
        if leftover.exists():
            shutil.rmtree(leftover)
    missing = [source / name for name in SWEEP_FILES if not (source / name).exists()]
    if missing:
        raise ExperimentError(f"{missing[0]}: not found; run the experiment first")
    staging.mkdir(parents=True)
    try:
        for name in SWEEP_FILES:
            shutil.copy2(source / name, staging / name)
        analyse(exp, staging, meta)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for name in ("sweep", "sweep.log"):
        if (out / name).exists():
            (out / name).rename(staging / name)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def main(exp: Experiment, argv: list[str] | None = None) -> int:
    """Command line of one driver: run the sweep, collect it, write tables and figures."""
    args = parser(f"python -m experiments.{exp.name}", f"{exp.title}: {exp.question}").parse_args(
        argv)
    return run(exp, args.seeds, args.size, args.workers, args.results, args.analyse_only)


def run(exp: Experiment, seeds: int | None, size: str, workers: int, results: Path,
        analyse_only: bool = False) -> int:
    """Run (unless `analyse_only`) and analyse one experiment; return an exit status."""
    seeds = seeds or (TINY_SEEDS if size == "tiny" else exp.default_seeds)
    existing = next((p for p in (results, *results.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        print(f"error: results={str(results)!r}: {str(existing)!r} is a file, not a folder",
              file=sys.stderr)
        return 2
    out = results / exp.name
    meta: dict[str, Any] = {"experiment": exp.name, "title": exp.title, "question": exp.question,
                            "size": size, "requested_seeds": seeds, "workers": workers,
                            "command": " ".join(sweep_command(exp, seeds, size, workers,
                                                              results)[1:])}
    try:
        if not analyse_only:
            print(f"{exp.name}: running sweep ({size}, {seeds} seeds, {workers} workers)",
                  flush=True)
            meta["sweep_wall_time_s"] = round(run_sweep(exp, seeds, size, workers, results), 1)
            source = out / "sweep"
        else:
            source = out
            if (out / "meta.json").exists():  # the runs are the last sweep's: keep its facts
                old = json.loads((out / "meta.json").read_text())
                meta.update({k: old[k] for k in ("size", "requested_seeds", "workers",
                                                 "command", "sweep_wall_time_s") if k in old})
        meta["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        publish(exp, source, out, meta)
    except ExperimentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{exp.name}: tables and figures in {out}"
          + (f" (sweep {meta['sweep_wall_time_s']} s)" if meta.get("sweep_wall_time_s") else ""),
          flush=True)
    return 0

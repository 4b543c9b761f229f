"""The experiment's figures: outcomes by arm and context, monthly series by arm (seaborn)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.markdown import show
from experiments.spec import Experiment
from experiments.stats import mean_interval
from experiments.tables import arms_present
from sim.outcomes import Outcome

LEGEND_INCHES = 0.7  # room below the panels for the shared legend


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


def describe(exp: Experiment, context: dict[str, Any]) -> str:
    labels = dict(exp.contexts)
    return ", ".join(f"{lower_first(labels[c])} {show(v)}" for c, v in context.items())


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
    outcomes = outcomes or exp.outcome_specs
    first = across or (exp.contexts[0][0] if exp.contexts else None)
    rest = {c: v for c, v in reference_context(exp, runs).items() if c != first}
    data = table.copy()
    for column, value in rest.items():
        data = data[data[column] == value]
    n = len(outcomes)
    ncols = min(4, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    arms = arms_present(exp, runs)
    palette = dict(zip(arms, sns.color_palette("colorblind", len(arms)), strict=True))
    xs = sorted(data[first].unique()) if first else ["all"]
    width = 0.8 / max(len(arms), 1)
    for ax, o in zip(axes.flat, outcomes, strict=False):
        sub = data[data["outcome"] == o.name]
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
        ax.set_xticks(range(len(xs)), [show(x) for x in xs],
                      rotation=20 if max(len(show(x)) for x in xs) > 8 else 0)
        ax.set_title(o.label + ("" if o.higher_is_better else " (lower is better)"), fontsize=9)
        if first:
            ax.set_xlabel(dict(exp.contexts)[first])
    _save_panels(fig, axes, n, len(arms), exp.arm_label, out / name)
    shown = f" ({describe(exp, rest)})" if rest else ""
    across_text = " and " + lower_first(dict(exp.contexts)[first]) if first else ""
    return {"file": name, "caption": f"{exp.title}: mean outcome per "
            f"{lower_first(exp.arm_label)}{across_text}{shown}, with 95% t-intervals over "
            f"{meta['seeds']} seeds."}


def series_figure(exp: Experiment, runs: pd.DataFrame, steps: pd.DataFrame, out: Path,
                  meta: dict[str, Any]) -> dict[str, str] | None:
    """One panel per per-step reporter: mean over seeds by arm, with a 95% band."""
    if not exp.series_specs:
        return None
    plt, sns = pyplot()
    context = reference_context(exp, runs)
    chosen = runs
    for column, value in context.items():
        chosen = chosen[chosen[column] == value]
    data = steps.merge(chosen[["run_key", "arm"]], on="run_key")
    arms = arms_present(exp, chosen)
    palette = dict(zip(arms, sns.color_palette("colorblind", len(arms)), strict=True))
    n = len(exp.series_specs)
    ncols = min(3, n)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.0 * nrows), squeeze=False)
    for ax, s in zip(axes.flat, exp.series_specs, strict=False):
        for arm in arms:
            sub = data[data["arm"] == arm]
            stats = sub.groupby("step")[s.name].apply(lambda v: mean_interval(v.to_numpy()))
            steps_axis = stats.index.to_numpy()
            mean = np.array([v[0] for v in stats])
            lo = np.array([v[1] for v in stats])
            hi = np.array([v[2] for v in stats])
            ax.plot(steps_axis, mean, color=palette[arm], label=arm, lw=1.4)
            ok = np.isfinite(lo) & np.isfinite(hi)
            ax.fill_between(steps_axis[ok], lo[ok], hi[ok], color=palette[arm], alpha=0.2)
        ax.set_title(s.label, fontsize=9)
        ax.set_xlabel("month")
    _save_panels(fig, axes, n, len(arms), exp.arm_label, out / "series.png")
    where = f" ({describe(exp, context)})" if context else ""
    names = ", ".join(lower_first(s.label) for s in exp.series_specs)
    return {"file": "series.png", "caption": f"{exp.title}: monthly {names} by "
            f"{lower_first(exp.arm_label)}{where}; lines are means and bands 95% t-intervals "
            f"over {meta['seeds']} seeds."}



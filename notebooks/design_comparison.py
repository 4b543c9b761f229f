# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Platform designs: review of a sweep
#
# Loads a sweep's two tables (the run summaries, one row per run, and the monthly table, one
# row per run and month; see `results/README.md`) from a dataset folder
# (`python -m sim -m` writes one), an experiment's results folder, or a folder holding
# `summaries.parquet` and `steps.parquet`, and compares the
# platform designs on formation, survival, SME participation, skill, goal outcomes and the
# shape of the alliance network. Intervals are 95% t-intervals of the mean over runs
# (seeds, pooled over any other swept key unless a figure splits by it).
#
# Run it on another sweep with papermill:
# `papermill notebooks/design_comparison.ipynb out.ipynb -p results_dir results/<sweep>`.

# %% tags=["parameters"]
results_dir = "results/platform_designs"

# %%
# ruff: noqa: E402 (a notebook imports after its parameters cell)
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display
from scipy import stats

from sim.evaluate import read_steps, read_summary
from sim.outcomes import outcome
from sim.params import END_CAUSES, PARAM_FIELDS, PLATFORM_DESIGNS, SECTORS

sns.set_theme(style="whitegrid", context="notebook")
DESIGN_ORDER = list(PLATFORM_DESIGNS)
CAUSES = list(END_CAUSES)
SIZE_CLASSES = [("2", "2"), ("3_7", "3-7"), ("8_31", "8-31"), ("32_255", "32-255"),
                ("256_plus", "256+")]
# Literature range the brief cites for alliances: 30-70% fail; median life "several
# years", read as 2-10 years (the range the validation suite asserts).
FAILURE_RANGE = (0.30, 0.70)
LIFE_RANGE_MONTHS = (24.0, 120.0)


def note(text: str) -> None:
    """Show a short note in the notebook's output."""
    display(Markdown(text))


def t_interval(values: pd.Series) -> tuple[float, float]:
    """95% t-interval of the mean (the mean itself when there is one value)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size < 2:
        m = float(v.mean()) if v.size else np.nan
        return m, m
    half = stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
    return float(v.mean() - half), float(v.mean() + half)


def mean_ci_table(frame: pd.DataFrame, by: list[str], columns: list[str]) -> pd.DataFrame:
    """Mean, 95% interval and run count of each column per group of the `by` columns."""
    rows = []
    for group, part in frame.groupby(by, observed=True):
        keys = dict(zip(by, group, strict=True))
        for c in columns:
            lo, hi = t_interval(part[c])
            rows.append({**keys, "measure": c, "mean": part[c].mean(), "ci95_low": lo,
                         "ci95_high": hi, "runs": int(part[c].notna().sum())})
    return pd.DataFrame(rows)


# %%
folder = Path(results_dir)
if not folder.is_absolute() and not folder.is_dir() and (Path("..") / folder).is_dir():
    folder = Path("..") / folder  # opened from notebooks/: paths are relative to the repo
if (folder / "dataset.json").is_file():  # a sweep's dataset
    runs, steps = read_summary(folder), read_steps(folder)
elif (folder / "dataset" / "dataset.json").is_file():  # an experiment's results folder
    runs = pd.read_parquet(folder / "summaries.parquet")
    steps = read_steps(folder / "dataset", list(runs["run_key"]))
else:
    missing = [name for name in ("summaries.parquet", "steps.parquet")
               if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"results_dir={results_dir!r}: not a dataset and missing "
                                f"{', '.join(missing)}; run a sweep first (python -m sim -m)")
    runs = pd.read_parquet(folder / "summaries.parquet")
    steps = pd.read_parquet(folder / "steps.parquet")
designs = [d for d in DESIGN_ORDER if d in set(runs["platform_design"])]
runs["design"] = pd.Categorical(runs["platform_design"], categories=designs, ordered=True)
steps = steps.merge(runs[["run_key", "design"]], on="run_key", how="inner")
# Swept keys: the labels between `seed` and `steps` (config groups such as `country`), then
# the model parameters that vary between runs.
columns = list(runs.columns)
labels = columns[2:columns.index("steps")] if "steps" in columns else []
varied = [c for c in PARAM_FIELDS if c in runs.columns and c != "platform_design"
          and runs[c].astype(str).nunique() > 1]
swept = [c for c in labels if c != "arm"] + varied
contexts = [c for c in swept if c not in ("platform", "seed") and runs[c].nunique() > 1
            and runs[c].nunique() <= 6]
note(f"**{len(runs)} runs** from `{results_dir}`: designs {', '.join(designs)}; "
     f"{runs['seed'].nunique()} seeds; swept keys: {', '.join(swept) or 'none'}; "
     f"{int(runs['n_orgs'].iloc[0]):,} organisations per country, "
     f"{int(runs['steps'].iloc[0])} months.")
runs.groupby("design", observed=True).size().rename("runs").to_frame()

# %% [markdown]
# ## Design comparison
# Each panel shows one outcome's mean per design with its 95% interval over runs (split by
# the first other swept key, if any, in colour): which design forms more partnerships, keeps
# them alive longer, reaches more goals and at what staff cost.

# %%
OUTCOMES = {name: outcome(name).label for name in (
    "partnerships_per_1000", "sme_participation", "median_lifetime_km", "failed_share",
    "outcome_direct", "outcome_indirect", "goal_coverage", "deep_coverage", "action_yield",
    "cost_per_partnership", "membership_cost_per_partnership")}
present = [c for c in OUTCOMES if c in runs.columns]
hue = contexts[0] if contexts else None
long = runs.melt(id_vars=["design", *([hue] if hue else [])], value_vars=present,
                 var_name="measure", value_name="value")
long["measure"] = long["measure"].map(OUTCOMES)
grid = sns.catplot(data=long, x="design", y="value", hue=hue, col="measure", col_wrap=4,
                   kind="point", errorbar=t_interval, sharey=False, dodge=0.3 if hue else False,
                   height=2.8, aspect=1.5, capsize=0.15)
grid.set_titles("{col_name}")
grid.set_xlabels("")
grid.set_ylabels("")
for ax in grid.axes.flat:
    ax.tick_params(axis="x", rotation=30)
plt.show()
mean_ci_table(runs, ["design", *([hue] if hue else [])], present).round(4)

# %% [markdown]
# ## SME participation by design and by membership overhead
# The first panel shows, per design, the share of SMEs and of multinationals in at least one
# partnership (last 12 months, 95% intervals); the gap is the participation divide platforms
# are meant to close.

# %%
part = runs.melt(id_vars=["design"], value_vars=["sme_participation",
                                                 "multinational_participation"],
                 var_name="sector", value_name="participation")
part["sector"] = part["sector"].str.replace("_participation", "")
fig, ax = plt.subplots(figsize=(6, 3.5))
sns.barplot(data=part, x="design", y="participation", hue="sector", errorbar=t_interval,
            capsize=0.1, ax=ax)
ax.set_xlabel("")
ax.set_ylabel("share in a partnership")
ax.set_ylim(0, 1.05)
plt.show()

# %% [markdown]
# The next figure shows SME (solid) and multinational (dashed) participation against a
# platform's membership overhead, by design: SMEs should leave first as the overhead rises.

# %%
if "membership_overhead" in runs.columns and runs["membership_overhead"].nunique() > 1:
    by_overhead = runs.melt(id_vars=["design", "membership_overhead"],
                            value_vars=["sme_participation", "multinational_participation"],
                            var_name="sector", value_name="participation")
    by_overhead["sector"] = by_overhead["sector"].str.replace("_participation", "")
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    sns.lineplot(data=by_overhead, x="membership_overhead", y="participation", hue="design",
                 style="sector", markers=True, errorbar=t_interval, ax=ax)
    ax.set_xlabel("membership overhead (bandwidth per membership)")
    ax.set_ylabel("share in a partnership")
    ax.set_ylim(0, 1.05)
    ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left")
    plt.show()
else:
    note("*This sweep did not vary `membership_overhead`, so there is no overhead figure; "
         "sweep `model.membership_overhead=...` to see it.*")

# %% [markdown]
# ## Why partnerships end
# Each bar splits the ended partnerships of a design by the cause of their end (mean share
# over runs): health breakdown and unmet objectives are failures, funding running out is
# dormancy, and reaching the objective is success.

# %%
cause_cols = [f"ended_{c}_share" for c in CAUSES if f"ended_{c}_share" in runs.columns]
if cause_cols:
    causes = runs.groupby("design", observed=True)[cause_cols].mean()
    causes.columns = [c.removeprefix("ended_").removesuffix("_share") for c in causes.columns]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    causes.plot(kind="bar", stacked=True, ax=ax,
                color=sns.color_palette("deep", len(causes.columns)), width=0.7, rot=0)
    ax.set_xlabel("")
    ax.set_ylabel("share of ended partnerships")
    ax.legend(title="end cause", bbox_to_anchor=(1.02, 1), loc="upper left")
    plt.show()
    display(causes.round(3))
else:
    note("*The end-cause columns (`ended_<cause>_share`) are not in this sweep's summaries; "
         "rerun the sweep to see why partnerships end.*")

# %% [markdown]
# ## Skill trajectories
# Each panel shows one sector's mean partnering skill month by month, by design (band: 95%
# interval over runs): capacity building and learning by doing against decay when idle.

# %%
skill_cols = [f"skill_{s}" for s in SECTORS if f"skill_{s}" in steps.columns]
if skill_cols:
    skill = steps.melt(id_vars=["design", "step"], value_vars=skill_cols, var_name="sector",
                       value_name="skill")
    skill["sector"] = skill["sector"].str.removeprefix("skill_")
    grid = sns.relplot(data=skill, x="step", y="skill", hue="design", col="sector",
                       col_wrap=4, kind="line", errorbar=("se", 2), height=2.6, aspect=1.2)
    grid.set_titles("{col_name}")
    grid.set_xlabels("month")
    plt.show()
else:
    note("*No per-sector skill columns (`skill_<sector>`) in steps.parquet.*")

# %% [markdown]
# ## Outcomes on the 17 goals
# The heatmaps show the mean cumulative direct and indirect (spillover) outcome on each of the
# 17 goals by design, so a design that serves only a few goals stands out; indirect outcomes
# below 0 (blue) are net trade-offs from other goals.

# %%
goal_kinds = {kind: [f"outcome_{kind}_g{g:02d}" for g in range(1, 18)]
              for kind in ("direct", "indirect")}
available = {k: cols for k, cols in goal_kinds.items() if all(c in runs.columns for c in cols)}
if available:
    fig, axes = plt.subplots(len(available), 1, figsize=(10, 2.2 * len(available) + 0.8),
                             squeeze=False)
    for ax, (kind, cols) in zip(axes[:, 0], available.items(), strict=True):
        table = runs.groupby("design", observed=True)[cols].mean()
        table.columns = [str(g) for g in range(1, 18)]
        # Indirect effects can be negative (trade-offs between goals): diverging colours at 0.
        style = ({"cmap": "viridis"} if kind == "direct" else {"cmap": "vlag", "center": 0.0})
        sns.heatmap(table, ax=ax, cbar_kws={"label": f"{kind} outcome"}, **style)
        ax.set_xlabel("goal")
        ax.set_ylabel("")
        ax.set_title(f"{kind.capitalize()} outcome by goal")
    fig.tight_layout()
    plt.show()
else:
    note("*The per-goal outcome columns (`outcome_direct_g01`...`outcome_indirect_g17`) are "
         "not in this sweep's summaries (made before they existed); rerun the sweep to see the "
         "17-goal heatmap.*")

# %% [markdown]
# ## Shape of the alliance network
# The left panel shows how many connected components of each size the alliance network
# (organisations linked by a partnership active in the run's last 36 months, as
# alliance-network studies use a moving window) has, by design; the right panel shows the
# largest component's share of the organisations in that network: a skewed network has one
# large component and many small ones.

# %%
size_cols = [(f"network_components_size_{suffix}", label) for suffix, label in SIZE_CLASSES
             if f"network_components_size_{suffix}" in runs.columns]
if size_cols and "network_largest_component_share" in runs.columns:
    sizes = runs.melt(id_vars=["design"], value_vars=[c for c, _ in size_cols],
                      var_name="size", value_name="components")
    sizes["size"] = pd.Categorical(sizes["size"].map(dict(size_cols)),
                                   categories=[label for _, label in size_cols], ordered=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8),
                                      gridspec_kw={"width_ratios": [2.2, 1]})
    sns.barplot(data=sizes, x="size", y="components", hue="design", errorbar=t_interval,
                capsize=0.08, ax=left)
    left.set_xlabel("component size (organisations)")
    left.set_ylabel("components per run")
    sns.pointplot(data=runs, x="design", y="network_largest_component_share",
                  errorbar=t_interval, capsize=0.15, ax=right, linestyle="none")
    right.set_xlabel("")
    right.set_ylabel("largest component's share")
    right.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    plt.show()
else:
    note("*The alliance-network columns (`network_components_size_*`, "
         "`network_largest_component_share`) are not in this sweep's summaries; rerun the "
         "sweep to see the component-size distribution.*")

# %% [markdown]
# ## Failure and lifetime against the literature
# Each point is one run's failed share of ended partnerships against its median partnership
# life (Kaplan-Meier, months), coloured by design; the shaded box is the range the alliance
# literature reports (30-70% failure, a median life of 2-10 years), so it shows where each
# design lands. Runs where fewer than half the partnerships had ended have no median life
# and are left out. Short runs overstate failure, since the partnerships that last are still
# active when the run ends; the literature comparison needs runs of about ten years (120
# months, the default).

# %%
fig, ax = plt.subplots(figsize=(6.5, 4.2))
ax.add_patch(plt.Rectangle((FAILURE_RANGE[0], LIFE_RANGE_MONTHS[0]),
                           FAILURE_RANGE[1] - FAILURE_RANGE[0],
                           LIFE_RANGE_MONTHS[1] - LIFE_RANGE_MONTHS[0],
                           color="grey", alpha=0.15, label="literature range"))
sns.scatterplot(data=runs, x="failed_share", y="median_lifetime_km", hue="design", style=hue,
                ax=ax, alpha=0.7)
ax.set_xlim(0, 1)
ax.set_xlabel("failed share of ended partnerships")
ax.set_ylabel("median life (months, Kaplan-Meier)")
ax.legend(bbox_to_anchor=(1.02, 1), loc="upper left")
plt.show()

groups = ["design", *([hue] if hue else [])]
landing = mean_ci_table(runs, groups, ["failed_share", "failed_or_dormant_share",
                                       "median_lifetime_km"])
ranges = {"failed_share": FAILURE_RANGE, "failed_or_dormant_share": FAILURE_RANGE,
          "median_lifetime_km": LIFE_RANGE_MONTHS}
landing["range"] = [f"{ranges[m][0]:g}-{ranges[m][1]:g}" for m in landing["measure"]]


def place(measure: str, low: float, high: float) -> str:
    """Where a 95% interval lies against the literature range of `measure`."""
    lo_range, hi_range = ranges[measure]
    if lo_range <= low and high <= hi_range:
        return "inside"
    if high < lo_range or low > hi_range:
        return "outside"
    return "straddling the edge of"


landing["landed"] = [place(m, lo, hi) for m, lo, hi in zip(
    landing["measure"], landing["ci95_low"], landing["ci95_high"], strict=True)]
if runs["steps"].max() < 120:
    note(f"*These runs are {int(runs['steps'].max())} months long: too short to compare with "
         "the literature range (failure is overstated).*")
for _, row in landing[landing["measure"] == "failed_share"].iterrows():
    label = " / ".join(str(row[g]) for g in groups)
    note(f"- **{label}**: failed share {row['mean']:.1%} (95% CI {row['ci95_low']:.1%}-"
         f"{row['ci95_high']:.1%}), {row['landed']} the 30-70% range.")
landing.round(3)

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
# # Sensitivity analysis: review of the outputs
#
# Reviews what `python -m sim.sensitivity` (or `make sensitivity`) wrote: which uncertain
# parameters the comparison of **national** and **per-goal** platforms hangs on (Morris
# screening, Sobol' indices with bootstrap intervals) and where each design wins
# (decision-tree regions). Method and caveats: `docs/sensitivity.md`.
#
# Parameter `results_dir` (papermill): a folder holding the sensitivity outputs
# (`summary.json`, ...), or a results folder with a `sensitivity/` subfolder. If neither has
# them, the notebook falls back to `results/sensitivity`; if that is missing too, it says
# so and shows nothing else.

# %% tags=["parameters"]
results_dir = "results/sensitivity"

# %%
# ruff: noqa: E402 (a notebook imports after its parameters cell)
import json
from pathlib import Path

import pandas as pd
from IPython.display import Image, Markdown, display


def _repo_root() -> Path:
    """The repository folder (holding pyproject.toml), from here or above; else the cwd."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


def _find_outputs(given: str) -> Path | None:
    root = _repo_root()
    candidates = [Path(given), Path(given) / "sensitivity", root / given,
                  root / given / "sensitivity", Path("results/sensitivity"),
                  root / "results" / "sensitivity"]
    return next((p for p in candidates if (p / "summary.json").is_file()), None)


sensitivity_dir = _find_outputs(results_dir)
HAVE_OUTPUTS = sensitivity_dir is not None
if HAVE_OUTPUTS:
    print(f"sensitivity outputs: {sensitivity_dir.resolve()}")
else:
    print(f"No sensitivity outputs in {results_dir!r} or results/sensitivity: run "
          "`make sensitivity` (or `python -m sim.sensitivity --size small`) first. "
          "Nothing else to show.")

# %% [markdown]
# ## What was run

# %%
if HAVE_OUTPUTS:
    summary = json.loads((sensitivity_dir / "summary.json").read_text())
    plan = summary["plan"]
    display(pd.Series({
        "size": plan["size"], "designs compared": " - ".join(plan["designs"]),
        "organisations": plan["n_orgs"], "months": plan["steps"],
        "seeds (paired)": len(plan["seeds"]), "Morris factors": len(plan["morris_factors"]),
        "Morris runs": summary["timing"]["morris"]["runs"],
        "Sobol' factors": ", ".join(summary["selected_factors"]),
        "Sobol' runs": summary["timing"]["sobol"]["runs"],
        "wall time (min)": round(summary["timing"]["total_wall_s"] / 60, 1),
    }, name="value").to_frame())

# %% [markdown]
# ## The three parameters the design comparison is most sensitive to
#
# Sobol' total (ST) and first-order (S1) indices of the design gap (relative difference
# in total goal outcome, national minus per-goal), with 95 % bootstrap intervals.

# %%
if HAVE_OUTPUTS:
    top = pd.DataFrame(summary["top_design_gap"]).set_index("factor")
    display(top.round(3))
    gap = summary["design_gap"]
    display(Markdown(
        f"{plan['designs'][0]} wins **{gap['share_first_wins']:.0%}** of the independent "
        "Sobol' points; "
        f"mean design gap **{gap['mean']:+.1%}**; seed noise share of the gap's variance: "
        f"{gap['noise_share']:.0%}."))

# %% [markdown]
# ## Checks: factors that cannot matter must get zero
#
# The factors checked are the ones the pipeline saved in `summary.json` (`inert_checks`).
# The dummy is dropped before a sample row becomes a model configuration, so its zero holds
# by construction and checks only that outputs map back to the right sample rows (row
# order). The real inert check is the hybrid-only parameters (`expertise_transfer`,
# `coordination_cost`): they run as separate configurations, and with seeds shared across
# samples their Morris effects must be exactly zero on every output. They are checked only
# when hybrid is not one of the compared designs.

# %%
if HAVE_OUTPUTS:
    morris = pd.read_csv(sensitivity_dir / "morris_indices.csv")
    checked = list(summary.get("inert_checks", {}))
    inert = morris[morris["factor"].isin(checked)]
    display(inert.groupby("factor")["mu_star"].max().rename("largest mu* over outputs"))
    if not checked:
        display(Markdown("No inert factors were in this plan: nothing to check."))
    elif (inert["mu_star"] == 0).all():
        display(Markdown(f"Check passed: every inert factor ({', '.join(checked)}) has "
                         "mu* = 0 on every output."))
    else:
        display(Markdown("**Check failed: an inert factor has a non-zero effect; either the "
                         "mapping from samples to runs is broken (dummy) or a parameter the "
                         "compared designs should ignore changes the runs.**"))

# %% [markdown]
# ## Morris screening

# %%
if HAVE_OUTPUTS:
    gap_morris = (morris[morris["output"] == "design_gap"]
                  .sort_values("mu_star", ascending=False)
                  [["factor", "mu_star", "mu_star_conf", "sigma"]])
    display(gap_morris.head(12).round(4))
    display(Image(str(sensitivity_dir / "morris_mu_sigma.png")))
    display(Image(str(sensitivity_dir / "morris_heatmap.png")))

# %% [markdown]
# ## Sobol' indices

# %%
if HAVE_OUTPUTS:
    sobol = pd.read_csv(sensitivity_dir / "sobol_indices.csv")
    display(sobol.pivot_table(index="factor", columns="output", values="ST").round(2).T)
    display(Image(str(sensitivity_dir / "sobol_design_gap.png")))
    display(Image(str(sensitivity_dir / "sobol_outcomes.png")))

# %% [markdown]
# ## Where each design wins

# %%
if HAVE_OUTPUTS:
    accuracy = summary["regions"]["accuracy"]
    display(Markdown(
        f"Tree fitted on the {accuracy['n']} independent Sobol' points (the A and B rows of "
        "the Saltelli sample; counts below are points). "
        f"Accuracy: fitted {accuracy['fitted']:.0%}, cross-validated "
        f"{accuracy['cross_validated']:.0%}, base rate {accuracy['base_rate']:.0%}.\n\n"
        + "\n".join(f"- {rule}" for rule in summary["regions"]["rules"])))
    display(Image(str(sensitivity_dir / "regions.png")))

# %% [markdown]
# ## The design gap along the most influential parameter

# %%
if HAVE_OUTPUTS:
    import matplotlib.pyplot as plt
    import seaborn as sns

    samples = pd.read_csv(sensitivity_dir / "sobol_samples.csv")
    first = summary["top_design_gap"][0]["factor"]
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.scatterplot(data=samples, x=first, y="design_gap", s=14, alpha=0.6, ax=ax)
    ax.axhline(0, c="0.3", lw=0.8)
    ax.set(ylabel=f"design gap ({plan['designs'][0]} - {plan['designs'][1]}, relative)")
    plt.show()

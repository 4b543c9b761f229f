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
# # Calibration: review of one calibrated ensemble
#
# Reviews what `python -m sim.calibration --size <size>` (or `make calibration`) wrote into
# `results/calibration/<name>/`: how far history matching cut the parameter space, the
# ensemble against the prior for every parameter (with the truth, for an identical twin),
# the posterior-predictive check per target, which target constrains which parameter
# (leave one target out) and the correlations between parameters. Method and caveats:
# `docs/calibration.md`.
#
# Parameter `results_dir` (papermill): one calibration's folder (holding `posterior.json`
# and `diagnostics/`). If it has none, the notebook says so and shows nothing else.

# %% tags=["parameters"]
results_dir = "results/calibration/twin_small"

# %%
# ruff: noqa: E402 (a notebook imports after its parameters cell)
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

folder = Path(results_dir)
HAVE = (folder / "posterior.json").is_file() and (folder / "diagnostics" / "summary.json"
                                                  ).is_file()
if HAVE:
    print(f"calibration outputs: {folder.resolve()}")
    summary = json.loads((folder / "diagnostics" / "summary.json").read_text())
    provenance = json.loads((folder / "posterior.json").read_text())
    diag = folder / "diagnostics"
    params = pd.read_csv(diag / "parameters.csv")
    ppc = pd.read_csv(diag / "posterior_predictive.csv")
    loto = pd.read_csv(diag / "leave_one_out.csv").set_index("condition")
    corr = pd.read_csv(diag / "correlations.csv", index_col=0)
    emulators = pd.read_csv(diag / "emulators.csv")
    ensemble = pd.read_parquet(folder / "posterior.parquet")
    waves = pd.read_parquet(folder / "waves.parquet")
else:
    display(Markdown(f"No calibration in `{results_dir}`: run `make calibration` (the small "
                     "identical twin) or pass `results_dir` to a calibration's folder."))

# %% [markdown]
# ## What was calibrated

# %%
if HAVE:
    abc = summary["abc"]
    lines = [
        f"**{summary['name']}** ({summary['size']}): {summary['parameters']} parameters against "
        f"{len(summary['targets'])} targets ({provenance['targets_file']}); held back: "
        f"{', '.join(summary['held_back']) or 'none'}.",
        f"History matching left {100 * summary['nroy_share'][-1]:.3g}% of the prior after "
        f"{len(summary['nroy_share'])} waves; ABC-SMC ran {abc['populations']} populations "
        f"(tolerance {' -> '.join(f'{e:.3g}' for e in abc['epsilons'])}), "
        f"{abc['simulations']} simulations; ensemble of {len(ensemble)} sets.",
        f"Identified: {', '.join(summary['identified']) or 'none'}. Not identified: "
        f"{', '.join(summary['unidentified']) or 'none'}.",
    ]
    if "twin" in summary:
        lines.append("Identical twin: truth inside every identified parameter's interval: "
                     f"**{summary['twin']['identified_truth_inside']}**.")
    display(Markdown("\n\n".join(lines)))

# %% [markdown]
# ## History matching: what each wave left, and how well the emulators predict

# %%
if HAVE:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    share = [100 * x for x in summary["nroy_share"]]
    axes[0].plot(range(1, len(share) + 1), share, marker="o")
    axes[0].set(xlabel="wave", ylabel="non-implausible share of the prior (%)", yscale="log",
                title="space left after each wave")
    sns.barplot(emulators, x="target", y="cv_r2", hue="wave", ax=axes[1])
    axes[1].set(ylabel="leave-one-out R$^2$", title="emulator quality", ylim=(min(0, emulators[
        "cv_r2"].min()), 1))
    axes[1].tick_params(axis="x", rotation=30)
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## Prior against posterior, per parameter
#
# Each panel spans the parameter's plausible range (the prior is uniform over it); bars are
# the ensemble's weighted histogram; the shaded band is the stated interval; a red line marks
# the truth of an identical twin.

# %%
if HAVE:
    names = params["parameter"].tolist()
    cols = 4
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    described = {d["name"]: d for d in provenance["parameters"]}
    w = ensemble["weight"].to_numpy()
    for ax, (_, row) in zip(axes.flat, params.iterrows(), strict=False):
        name, d = row["parameter"], described[row["parameter"]]
        if d["kind"] == "choice":
            labels = [str(c) for c in d["choices"]]
            prob = [w[ensemble[name].astype(str) == c].sum() for c in labels]
            truth = str(row["truth"]) if pd.notna(row.get("truth", None)) else None
            ax.bar(labels, prob, color="C0", linewidth=2,
                   edgecolor=["red" if c == truth else "none" for c in labels])
            ax.axhline(1 / len(labels), color="grey", ls="--", lw=1)
        else:
            ax.hist(ensemble[name], bins=12, range=(d["lo"], d["hi"]), weights=w, color="C0",
                    density=True)
            ax.axhline(1 / (d["hi"] - d["lo"]), color="grey", ls="--", lw=1)
            ax.axvspan(row["lower"], row["upper"], color="C1", alpha=0.2)
            if "truth" in row and pd.notna(row.get("truth")):
                ax.axvline(float(row["truth"]), color="red")
            ax.set_xlim(d["lo"], d["hi"])
        ax.set_title(f"{name}\nwidth {row['width_ratio']:.2f}"
                     + (" (identified)" if row["identified"] else ""), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.tight_layout()
    plt.show()
    display(params.drop(columns=[c for c in ("lower", "median", "upper", "mean")
                                 if c in params]))

# %% [markdown]
# ## Posterior-predictive check per target
#
# Share of parameter sets whose statistic falls in the target's range: over the first
# wave's space-filling design (the prior) and over ensemble members rerun with fresh seeds.
# Held-back (validation) targets were not used to calibrate.

# %%
if HAVE:
    long = ppc.melt(id_vars=["target", "use"], value_vars=["prior_share_inside",
                                                           "posterior_share_inside"],
                    var_name="over", value_name="share inside the range")
    long["over"] = long["over"].str.replace("_share_inside", "")
    long["target"] = long["target"] + np.where(long["use"] == "validation", " (held back)", "")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(ppc) + 1.5))
    sns.barplot(long, y="target", x="share inside the range", hue="over", ax=ax)
    ax.set_xlim(0, 1)
    fig.tight_layout()
    plt.show()
    display(ppc)

# %% [markdown]
# ## Which target constrains which parameter (leave one target out)
#
# Interval width of each parameter (share of its prior width) in the part of the space the
# first wave's emulators leave, with every target, without one, and with one alone. A row
# "without X" that widens a parameter says X is what pins it.

# %%
if HAVE:
    shown = loto.drop(columns=["nroy_share"])
    fig, ax = plt.subplots(figsize=(1.0 * shown.shape[1] + 3, 0.35 * len(shown) + 1.5))
    sns.heatmap(shown, vmin=0, vmax=1, cmap="viridis", annot=shown.shape[1] <= 12, fmt=".2f",
                ax=ax, cbar_kws={"label": "interval width / prior width"})
    ax.set(xlabel="", ylabel="")
    fig.tight_layout()
    plt.show()

# %% [markdown]
# ## Correlations between parameters in the ensemble

# %%
if HAVE and corr.shape[0] >= 2:
    fig, ax = plt.subplots(figsize=(0.6 * len(corr) + 3, 0.5 * len(corr) + 2))
    sns.heatmap(corr, vmin=-1, vmax=1, cmap="vlag", annot=len(corr) <= 12, fmt=".2f", ax=ax)
    fig.tight_layout()
    plt.show()
    pairs = summary["strong_correlations"]
    display(Markdown("Pairs with |r| >= 0.3: " + ("; ".join(f"{a} ~ {b}: {r:+.2f}"
                                                           for a, b, r in pairs) or "none")))

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
# # Validation: the brief's patterns and their effect sizes
#
# Reads the effect sizes the validation suite wrote (`pytest tests/validation` writes
# `results/validation/effect_sizes.csv`; see `tests/validation/README.md`) and shows each
# pattern's effect with its 95% interval, and where the default scenario lands against the
# alliance literature's failure and lifetime range.
#
# Parameter `results_dir` (papermill): a folder holding `effect_sizes.csv` (a relative path
# is also tried from the repository root). Left at its default, `results/validation`, a
# missing file only gives a note; a folder given explicitly without the file stops the
# notebook with a one-line error naming `results_dir`.

# %% tags=["parameters"]
results_dir = "results/validation"

# %%
# ruff: noqa: E402 (a notebook imports after its parameters cell)
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

sns.set_theme(style="whitegrid", context="notebook")


def note(text: str) -> None:
    """Show a short note in the notebook's output."""
    display(Markdown(text))


def repo_root() -> Path:
    """The repository folder (holding pyproject.toml), from here or above; else the cwd."""
    for folder in [Path.cwd(), *Path.cwd().parents]:
        if (folder / "pyproject.toml").is_file():
            return folder
    return Path.cwd()


DEFAULT_RESULTS_DIR = "results/validation"
candidates = [Path(results_dir) / "effect_sizes.csv"]
if not Path(results_dir).is_absolute():
    candidates.append(repo_root() / results_dir / "effect_sizes.csv")
found = next((p for p in candidates if p.is_file()), None)
if found is None and results_dir != DEFAULT_RESULTS_DIR:
    raise FileNotFoundError(f"results_dir={results_dir!r}: no effect_sizes.csv there; write "
                            "one with `pytest tests/validation` (VALIDATION_REPORT=<path>)")
effects = pd.read_csv(found) if found is not None else pd.DataFrame()
if found is None:
    note(f"*No `effect_sizes.csv` in `{DEFAULT_RESULTS_DIR}/`: run `pytest tests/validation` "
         "first. Nothing else to show.*")
else:
    note(f"**{len(effects)} effects** of {effects['pattern'].nunique()} patterns from "
         f"`{found}`: {int(effects['passed'].sum())} pass, "
         f"{int((effects['asserted'] & ~effects['passed']).sum())} asserted ones fail.")
# Seeds where a measure was undefined, and the pattern's label (emergent or by construction;
# calibration target, held back or not a target); CSVs from before these columns lack them.
extra = [c for c in ("undefined", "kind", "role") if c in effects.columns]

# %% [markdown]
# ## Directional patterns
# Each row is one measured effect: the relative change from the control arm to the treatment
# arm over 20 paired seeds, with its 95% interval, green where the pattern's stated margin
# is met and red where not (grey: reported only).

# %%
DIRECTIONS = ["increase", "decrease", "none", "no_increase"]
directional = (effects[effects["direction"].isin(DIRECTIONS)].copy()
               if len(effects) else pd.DataFrame())
if len(directional):
    scale = directional["mean_control"].abs().replace(0.0, np.nan)
    directional["relative"] = directional["difference"] / scale
    directional["low"] = directional["ci95_low"] / scale
    directional["high"] = directional["ci95_high"] / scale
    directional["label"] = [f"{p[:80]}\n{f'{m}: {c} -> {t}'[:90]}" for p, m, c, t in zip(
        directional["pattern"], directional["measure"], directional["control"],
        directional["treatment"], strict=True)]
    colours = np.where(~directional["asserted"], "grey",
                       np.where(directional["passed"], "tab:green", "tab:red"))
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(directional) + 1.2))
    y = np.arange(len(directional))[::-1]
    ax.errorbar(directional["relative"], y, xerr=[directional["relative"] - directional["low"],
                                                  directional["high"] - directional["relative"]],
                fmt="none", ecolor="black", elinewidth=1, capsize=3)
    ax.scatter(directional["relative"], y, c=colours, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, directional["label"], fontsize=7)
    # Linear within +-100%, logarithmic beyond, so a few large effects do not flatten the rest.
    ax.set_xscale("symlog", linthresh=1.0)
    ax.margins(x=0.08)
    ax.set_xlabel("relative change (difference / control mean; log scale beyond +-100%)")
    ax.xaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    plt.show()
    display(directional[["pattern", "measure", "control", "treatment", "mean_control",
                         "mean_treatment", "difference", "ci95_low", "ci95_high",
                         "relative_change", "margin", "direction", "passed", *extra]].round(4))
else:
    note("*No directional effects to show.*")

# %% [markdown]
# ## Where the default scenario lands
# Each panel shows a measure's mean over seeds (point) with its 95% interval against the range
# it must land in (shaded): the failure share and median life against the alliance
# literature's 30-70% and several years, and the network-shape measures against their
# thresholds (green: inside, red: not, grey: reported only).

# %%
ranges = effects[effects["direction"] == "within"].copy() if len(effects) else pd.DataFrame()
if len(ranges):
    bounds = ranges["control"].str.extract(r"(?:range (?P<lo>[-\d.e]+)\.\.(?P<hi>[-\d.e]+))|"
                                           r"(?:at least (?P<least>[-\d.e]+))|"
                                           r"(?:at most (?P<most>[-\d.e]+))").astype(float)
    ranges["lo"] = bounds["lo"].fillna(bounds["least"])
    ranges["hi"] = bounds["hi"].fillna(bounds["most"])
    n = len(ranges)
    cols = min(n, 3)
    fig, axes = plt.subplots(int(np.ceil(n / cols)), cols, figsize=(4.2 * cols,
                                                                    2.0 * np.ceil(n / cols)),
                             squeeze=False)
    for ax, (_, row) in zip(axes.flat, ranges.iterrows(), strict=False):
        span = [v for v in (row["lo"], row["hi"], row["ci95_low"], row["ci95_high"])
                if np.isfinite(v)]
        pad = 0.25 * (max(span) - min(span) or 1.0)
        left, right = min(span) - pad, max(span) + pad
        ax.axvspan(row["lo"] if np.isfinite(row["lo"]) else left,
                   row["hi"] if np.isfinite(row["hi"]) else right, color="grey", alpha=0.2)
        ax.errorbar([row["mean_treatment"]], [0],
                    xerr=[[row["mean_treatment"] - row["ci95_low"]],
                          [row["ci95_high"] - row["mean_treatment"]]],
                    fmt="o", capsize=4, color=("grey" if not row["asserted"] else
                                               "tab:green" if row["passed"] else "tab:red"))
        ax.set_xlim(left, right)
        ax.set_yticks([])
        ax.set_title(f"{row['measure'][:60]}\n({row['pattern'][:60]})", fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    plt.show()
    display(ranges[["pattern", "measure", "control", "mean_treatment", "ci95_low",
                    "ci95_high", "share_in_direction", "passed", "asserted", *extra]].round(4))
else:
    note("*No range checks to show.*")

"""Seaborn figures of the sensitivity analysis: Morris mu*-sigma, Sobol' bars, the regions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.sensitivity.analyse import HEADLINE

LABELLED = 10  # factors named on the Morris plot


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt, sns


def morris_plot(morris: pd.DataFrame, path: Path, output: str = HEADLINE) -> Path:
    """mu* against sigma for one output, the top factors named, mu* intervals as bars."""
    plt, sns = _pyplot()
    table = morris[morris["output"] == output].sort_values("mu_star", ascending=False)
    fig, ax = plt.subplots(figsize=(8, 6))
    ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="none",
                ecolor="0.7", elinewidth=1, zorder=1)
    sns.scatterplot(data=table, x="mu_star", y="sigma", ax=ax, s=40, zorder=2)
    for _, row in table[table["mu_star"] > 0].head(LABELLED).iterrows():
        ax.annotate(row["factor"], (row["mu_star"], row["sigma"]), fontsize=8,
                    xytext=(4, 2), textcoords="offset points")
    top = max(float(table["mu_star"].max()), 1e-12)
    ax.plot([0, top], [0, top], ls="--", c="0.6", lw=0.8, label="sigma = mu*")
    ax.set(xlabel="mu* (mean absolute elementary effect)", ylabel="sigma (interaction or "
           "non-linearity)", title=f"Morris screening: {output}")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def morris_heatmap(morris: pd.DataFrame, path: Path, top: int = 20) -> Path:
    """Normalised mu* (1 = the output's most influential factor) of the top factors."""
    plt, sns = _pyplot()
    grid = morris.pivot_table(index="factor", columns="output", values="mu_star_norm")
    order = grid.max(axis=1).sort_values(ascending=False).index[:top]
    grid = grid.loc[order]
    fig, ax = plt.subplots(figsize=(1.0 + 0.55 * grid.shape[1], 1.5 + 0.3 * len(grid)))
    sns.heatmap(grid, ax=ax, cmap="viridis", vmin=0, vmax=1, cbar_kws={"label": "mu* / max"})
    ax.set(title="Morris screening over all outputs", xlabel="", ylabel="")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def sobol_plot(sobol: pd.DataFrame, path: Path, outputs: list[str]) -> Path:
    """First-order and total Sobol' indices with their bootstrap intervals, one panel each."""
    plt, sns = _pyplot()
    n = len(outputs)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 0.6 + 0.45 * rows *
                             max(4, sobol["factor"].nunique())), squeeze=False)
    for ax, output in zip(axes.flat, outputs, strict=False):
        table = sobol[sobol["output"] == output].sort_values("ST", ascending=True)
        y = np.arange(len(table))
        ax.barh(y - 0.2, table["S1"], height=0.4, xerr=table["S1_conf"], label="S1 (first order)",
                color=sns.color_palette()[0], ecolor="0.3", capsize=2)
        ax.barh(y + 0.2, table["ST"], height=0.4, xerr=table["ST_conf"], label="ST (total)",
                color=sns.color_palette()[1], ecolor="0.3", capsize=2)
        ax.set_yticks(y, table["factor"], fontsize=8)
        ax.axvline(0, c="0.5", lw=0.8)
        ax.set_title(output, fontsize=10)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Sobol' indices with 95% bootstrap intervals")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def regions_plot(outputs: pd.DataFrame, x: str, y: str, designs: tuple[str, str],
                 thresholds: dict[str, list[float]], path: Path) -> Path:
    """The Sobol' samples over the tree's two main factors, coloured by the winning design."""
    plt, sns = _pyplot()
    table = outputs.copy()
    table["winner"] = np.where(table[HEADLINE] > 0, designs[0], designs[1])
    fig, ax = plt.subplots(figsize=(7, 5.5))
    sns.scatterplot(data=table, x=x, y=y, hue="winner", hue_order=list(designs), ax=ax, s=18,
                    alpha=0.7)
    for value in thresholds.get(x, []):
        ax.axvline(value, c="0.3", ls="--", lw=0.8)
    for value in thresholds.get(y, []):
        ax.axhline(value, c="0.3", ls="--", lw=0.8)
    ax.set_title(f"Where each design wins ({HEADLINE} > 0: {designs[0]})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path

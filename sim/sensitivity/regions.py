"""Scenario discovery: the regions of parameter space in which each design wins, in words.

A shallow decision tree (scikit-learn, depth 2-3) is fitted to the sign of the design gap
over independent samples of the factors that matter: in the pipeline, the A and B rows of
the Saltelli matrix only (its AB rows repeat all but one coordinate of an A row, so they
would inflate the counts and make cross-validation folds share near-copies). Each leaf is a
box, a conjunction of thresholds on a few parameters; it is reported with the share of its
samples won by each design, so a box that is only 60 % one way reads as a lean, not a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.sensitivity.ranges import Factor

CLEAR_WIN = 0.6  # a region whose winner takes less than this share of it is called open


@dataclass(frozen=True)
class Region:
    """One leaf of the tree: its conditions, the samples in it and who wins them."""

    conditions: tuple[tuple[str, str, float], ...]  # (factor, "<=" or ">", threshold)
    n: int
    wins_share: float  # share of the region's samples won by the first design
    mean_gap: float
    winner: str


def _simplify(conditions: list[tuple[str, str, float]]) -> tuple[tuple[str, str, float], ...]:
    """Keep the tightest bound per factor and direction, in the order they first appear."""
    tight: dict[tuple[str, str], float] = {}
    for name, op, value in conditions:
        key = (name, op)
        if key not in tight:
            tight[key] = value
        else:
            tight[key] = min(tight[key], value) if op == "<=" else max(tight[key], value)
    return tuple((name, op, value) for (name, op), value in tight.items())


def fit_regions(outputs: pd.DataFrame, factors: list[Factor], gap: str, designs: tuple[str, str],
                depth: int = 3, seed: int = 0) -> tuple[list[Region], dict[str, float]]:
    """Fit the tree; return its leaves as regions and its accuracy (fitted, cross-validated).

    `outputs` must hold independent samples (one row per point, e.g. the Saltelli A and B
    rows), since leaf counts and cross-validation folds treat rows as independent.
    """
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    names = [f.name for f in factors]
    x = outputs[names].to_numpy(dtype=float)
    y = (outputs[gap].to_numpy(dtype=float) > 0).astype(int)
    min_leaf = max(3, len(y) // 20)
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=min_leaf, random_state=seed)
    tree.fit(x, y)
    folds = min(5, int(np.bincount(y, minlength=2).min()))
    cv = (float(cross_val_score(DecisionTreeClassifier(max_depth=depth, min_samples_leaf=min_leaf,
                                                       random_state=seed), x, y, cv=folds).mean())
          if folds >= 2 else float("nan"))
    t = tree.tree_
    leaf_of = tree.apply(x)
    regions: list[Region] = []

    def walk(node: int, path: list[tuple[str, str, float]]) -> None:
        if t.children_left[node] == -1:
            inside = leaf_of == node
            share = float(y[inside].mean())
            regions.append(Region(_simplify(path), int(inside.sum()), share,
                                  float(outputs.loc[inside, gap].mean()),
                                  designs[0] if share >= 0.5 else designs[1]))
            return
        name, threshold = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], [*path, (name, "<=", threshold)])
        walk(t.children_right[node], [*path, (name, ">", threshold)])

    walk(0, [])
    regions.sort(key=lambda r: (max(r.wins_share, 1 - r.wins_share) < CLEAR_WIN, -r.n))
    accuracy = {"fitted": float(tree.score(x, y)), "cross_validated": cv,
                "base_rate": float(max(y.mean(), 1 - y.mean())), "n": int(len(y))}
    return regions, accuracy


def _shown(value: float, factor: Factor) -> str:
    text = f"{value:.1f}" if factor.kind == "int" else f"{value:.2f}"
    return f"x{text}" if factor.kind == "factor" else text


def _factor_text(name: str, lower: float | None, upper: float | None, factor: Factor) -> str:
    """`name > a`, `name <= b` or `a < name <= b`; multipliers say 'x default'."""
    label = f"{name} (x default)" if factor.kind == "factor" else name
    if lower is not None and upper is not None:
        return f"{_shown(lower, factor)} < {label} <= {_shown(upper, factor)}"
    if lower is not None:
        return f"{label} > {_shown(lower, factor)}"
    return f"{label} <= {_shown(upper, factor)}"


def describe(region: Region, factors: list[Factor], designs: tuple[str, str]) -> str:
    """One sentence a policy designer can read, one clause per parameter."""
    by_name = {f.name: f for f in factors}
    share = region.wins_share if region.winner == designs[0] else 1 - region.wins_share
    bounds: dict[str, list[float | None]] = {}
    for name, op, value in region.conditions:
        bounds.setdefault(name, [None, None])[0 if op == ">" else 1] = value
    where = " and ".join(_factor_text(n, lo, hi, by_name[n]) for n, (lo, hi) in bounds.items())
    if share < CLEAR_WIN:
        return (f"neither design clearly wins ({designs[0]} wins {region.wins_share:.0%} of "
                f"{region.n} samples, mean gap {region.mean_gap:+.1%}) when "
                f"{where or 'anywhere'}")
    return (f"{region.winner} wins {share:.0%} of {region.n} samples "
            f"(mean gap {region.mean_gap:+.1%}) when {where or 'anywhere'}")


def regions_table(regions: list[Region], factors: list[Factor],
                  designs: tuple[str, str]) -> pd.DataFrame:
    """The regions as a table: the sentence, its winner, size, win share and mean gap."""
    return pd.DataFrame([{"winner": r.winner, "n": r.n,
                          "winner_share": r.wins_share if r.winner == designs[0]
                          else 1 - r.wins_share,
                          "mean_gap": r.mean_gap, "rule": describe(r, factors, designs)}
                         for r in regions])

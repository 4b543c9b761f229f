"""The experiment's tables as Markdown (and numbers as compact text), and atomic writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.spec import Experiment

TMP_SUFFIX = ".partial"


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
    return [show(row[c]) for c, _ in exp.contexts]


def show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def mean_markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """Wide Markdown: one row per context and arm, one column per outcome (mean [95% CI])."""
    header = [*_context_header(exp), exp.arm_label, *[o.label for o in exp.outcome_specs]]
    rows = []
    keys = [c for c, _ in exp.contexts] + ["arm"]
    for _, group in table.groupby(keys, sort=False):
        first = group.iloc[0]
        by = group.set_index("outcome")
        rows.append([*_context_values(exp, first), str(first["arm"]),
                     *[interval(*by.loc[o.name, ["mean", "ci_low", "ci_high"]])
                       for o in exp.outcome_specs]])
    return markdown(header, rows)


def effects_markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """Wide Markdown of differences from the control arm (* marks intervals excluding 0)."""
    header = [*_context_header(exp), f"{exp.arm_label} minus {exp.control_arm}",
              *[o.label for o in exp.outcome_specs]]
    rows = []
    keys = [c for c, _ in exp.contexts] + ["arm"]
    for _, group in table.groupby(keys, sort=False):
        first = group.iloc[0]
        by = group.set_index("outcome")
        cells = []
        for o in exp.outcome_specs:
            d = by.loc[o.name]
            mark = "*" if d["separated"] else ""
            cells.append(f"{interval(d['difference'], d['ci_low'], d['ci_high'])}{mark}")
        rows.append([*_context_values(exp, first), str(first["arm"]), *cells])
    return markdown(header, rows)


def winners_markdown(exp: Experiment, table: pd.DataFrame) -> str:
    """Wide Markdown: per context, the best arm on each outcome (! = separated from 2nd)."""
    header = [*_context_header(exp), *[f"{o.label} ({'max' if o.higher_is_better else 'min'})"
                                       for o in exp.outcome_specs]]
    rows = []
    keys = [c for c, _ in exp.contexts]
    groups = table.groupby(keys, sort=False) if keys else [((), table)]
    for _, group in groups:
        by = group.set_index("outcome")
        cells = []
        for o in exp.outcome_specs:
            if o.name not in by.index:
                cells.append("n/a")
                continue
            w = by.loc[o.name]
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



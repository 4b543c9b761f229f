"""The written report of one calibration (`diagnostics/report.md`), from its tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd


def _md(frame: pd.DataFrame, floatfmt: str = ".3g") -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            cells.append(format(v, floatfmt) if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(path: Path, plan, summary: dict[str, Any], tables: dict[str, pd.DataFrame],
                 corr: pd.DataFrame, provenance: dict[str, Any]) -> None:
    """Write the Markdown report of a calibration."""
    from sim.io import write_text_atomic

    abc = summary["abc"]
    params = tables["parameters"]
    cols = ["parameter", "prior", "posterior", "interval", "width_ratio", "identified"]
    if "truth" in params:
        cols += ["truth", "truth_inside"]
    ppc = tables["posterior_predictive"][["target", "use", "strength", "low", "high",
                                          "prior_share_inside", "posterior_share_inside",
                                          "posterior_median"]]
    loto = tables["leave_one_out"]
    interval = plan.diagnostics["interval"]
    parts = [
        f"# Calibration `{plan.name}` ({plan.size})",
        "",
        f"{plan.description.strip()}" if plan.description else "",
        "",
        f"- Targets ({provenance['targets_file']}): {', '.join(summary['targets'])}; held back "
        f"for validation: {', '.join(summary['held_back']) or 'none'}.",
        f"- {summary['parameters']} parameters; {plan.seeds} seeds per parameter set; "
        f"{plan.steps} months; scenario {plan.scenario}.",
        f"- History matching: {len(summary['nroy_share'])} waves; non-implausible share of the "
        "prior after each: " + ", ".join(f"{100 * x:.3g}%" for x in summary["nroy_share"]) + ".",
        f"- ABC-SMC: {abc['populations']} populations, tolerance "
        + " -> ".join(f"{e:.3g}" for e in abc["epsilons"])
        + f" (1 = every statistic inside its range; reached: {abc['reached_min_epsilon']}), "
        f"{abc['simulations']} simulations.",
        f"- Runs evaluated in this invocation: {summary['runs_evaluated_now']}"
        + (f", {summary['seconds_per_run']:.3g} s per run" if summary["seconds_per_run"] else "")
        + f"; wall time to the posterior {summary['posterior_wall_time_s']:.0f} s.",
        f"- Code digest {summary['code_digest']}.",
        "",
        f"## Parameters: prior against posterior ({100 * interval:g}% intervals)",
        "",
        f"width_ratio: posterior interval width / prior's; identified when below "
        f"{plan.diagnostics['identified_below']}.",
        "",
        _md(params[cols]),
        "",
        f"Identified: {', '.join(summary['identified']) or 'none'}. "
        f"Not identified by these targets: {', '.join(summary['unidentified']) or 'none'}.",
        "",
    ]
    if "twin" in summary:
        twin = summary["twin"]
        parts += ["Identical twin: the truth lies inside the interval of every identified "
                  "parameter: " + ("yes" if twin["identified_truth_inside"] else
                                   f"no (outside: {', '.join(twin['outside'])})") + ".", ""]
    parts += [
        "## Posterior-predictive check",
        "",
        "Share of parameter sets whose statistic falls in each range: over the first wave's "
        "design (prior) and over ensemble members rerun with fresh seeds (posterior).",
        "",
        _md(ppc),
        "",
        "## Leave one target out (first-wave emulators)",
        "",
        "Non-implausible share of the prior, and each parameter's interval width ratio, with "
        "all targets, without one, and with one alone.",
        "",
        _md(loto),
        "",
        "## Correlations in the ensemble",
        "",
        ("Pairs with |r| >= 0.3: " + "; ".join(f"{a} ~ {b}: {r:+.2f}"
                                              for a, b, r in summary["strong_correlations"])
         if summary["strong_correlations"] else "No pair with |r| >= 0.3."),
        "",
        "## Emulators",
        "",
        _md(tables["emulators"]),
        "",
    ]
    write_text_atomic(path, "\n".join(parts))

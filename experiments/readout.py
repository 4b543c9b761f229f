"""Write `docs/readout.md`, the written answer to Q3, from whatever experiment results exist.

    python -m experiments.readout [--results results] [--out docs/readout.md]

Reads `results/<experiment>/{meta.json,table.csv,effects.csv,winners.csv,figures.json}`
and `summaries.parquet`, copies the figures to `docs/img/readout/` so the readout renders
without the (uncommitted) results folder, and writes the Markdown. Every number in the
readout comes from the results, so rerunning the experiments and this script refreshes it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import EXPERIMENTS
from experiments.figures import lower_first
from experiments.markdown import fmt, interval, markdown, show, write_text
from experiments.stats import difference_interval
from experiments.tables import TIE, by_seed
from sim.outcomes import OUTCOMES
from sim.params import PLATFORM_DESIGNS

Q3 = ("Do you think it is possible, or indeed beneficial, to have one such multi-stakeholder "
      "platform at the national level and one lead platform for each of the new post-2015 "
      "goals at the global level?")
DESIGN_NAMES = {"none": "no platform", "national": "one national platform per country",
                "per_goal": "one global lead platform per goal",
                "hybrid": "both (national entry points fed by global goal leads)",
                "staged": "national first, global goal leads added later (staged_start_month)"}
SINGLE = ("national", "per_goal")
WITH_PLATFORMS = tuple(d for d in PLATFORM_DESIGNS if d != "none")
# Outcomes undefined (NaN) without platforms: no design is compared with `none` on them.
UNDEFINED_WITHOUT_PLATFORMS = ("cost_per_partnership", "membership_cost_per_partnership",
                               "action_yield")
KEY_OUTCOMES = 3  # outcomes quoted in each secondary experiment's key numbers


class ReadoutError(RuntimeError):
    """No results to write a readout from."""


def _csv(path: Path, dtype: dict[str, type]) -> pd.DataFrame:
    """Read a table written by a driver (empty when the driver had nothing to write)."""
    try:
        return pd.read_csv(path, dtype=dtype)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()


def load(results: Path, name: str) -> dict[str, Any] | None:
    """One experiment's tables, captions and metadata, or None if it has not been run."""
    out = results / name
    if not (out / "meta.json").exists() or not (out / "table.csv").exists():
        return None
    return {"dir": out, "meta": json.loads((out / "meta.json").read_text()),
            "table": _csv(out / "table.csv", {"arm": str}),
            "effects": _csv(out / "effects.csv", {"arm": str}),
            "winners": _csv(out / "winners.csv", {"best": str, "runner_up": str}),
            "figures": json.loads((out / "figures.json").read_text()),
            "effects_md": (out / "effects.md").read_text(),
            "winners_md": (out / "winners.md").read_text(),
            "table_md": (out / "table.md").read_text()}


def copy_figures(found: dict[str, Any], name: str, img: Path, doc: Path) -> list[str]:
    """Copy an experiment's figures next to the readout; return Markdown image blocks."""
    img.mkdir(parents=True, exist_ok=True)
    blocks = []
    for figure in found["figures"]:
        source = found["dir"] / figure["file"]
        if not source.exists():
            continue
        target = img / f"{name}_{figure['file']}"
        shutil.copyfile(source, target)
        rel = target.relative_to(doc.parent) if target.is_relative_to(doc.parent) else target
        blocks.append(f"![{figure['caption']}]({rel.as_posix()})\n\n*{figure['caption']}*\n")
    return blocks


# --- the headline: platform designs -------------------------------------------------------------

def _outcome_order(found: dict[str, Any]) -> list[tuple[str, str]]:
    table = found["table"]
    return list(dict.fromkeys(zip(table["outcome"], table["label"], strict=True)))


def _higher_is_better() -> dict[str, bool]:
    return {o.name: o.higher_is_better for o in OUTCOMES}


def contexts_of(found: dict[str, Any], name: str) -> list[tuple[str, str]]:
    """The experiment's context columns and labels: from its meta.json, else its driver."""
    if found["meta"].get("contexts"):
        return [(c, label) for c, label in found["meta"]["contexts"]]
    return list(importlib.import_module(f"experiments.{name}").EXPERIMENT.contexts)


def cell_words(contexts: list[tuple[str, str]]) -> str:
    """How a comparison cell is called in prose, e.g. `country-by-budget`."""
    words = [lower_first(label).split(" (")[0] for _, label in contexts]
    return "-by-".join(words) if words else "single"


def win_counts(found: dict[str, Any]) -> pd.DataFrame:
    """Per outcome and design: cells won outright, cells won with an interval excluding the
    runner-up, cells where the design shares the best mean with another (`tied_best`), and
    per outcome the cells with a tie for best (`ties`)."""
    winners = found["winners"]
    rows = []
    for outcome, label in _outcome_order(found):
        sub = winners[winners["outcome"] == outcome]
        ties = sub[sub["best"] == TIE]
        for design in DESIGN_NAMES:
            mine = sub[sub["best"] == design]
            shared = ties["runner_up"].astype(str).str.split("=").map(lambda arms, d=design:
                                                                       d in arms)
            rows.append({"outcome": outcome, "label": label, "design": design,
                         "cells": len(sub), "won": len(mine),
                         "separated": int(mine["separated"].sum()),
                         "tied_best": int(shared.sum()), "ties": len(ties)})
    return pd.DataFrame(rows)


def hybrid_vs_single(runs: pd.DataFrame, outcomes: list[tuple[str, str]],
                     better: dict[str, bool], contexts: list[str]) -> pd.DataFrame:
    """Per cell (of the `contexts` columns) and outcome: hybrid minus the better single
    design, with a 95% interval of the per-seed differences (seeds are paired across
    designs: seed k is the same population in each)."""
    rows = []
    runs = runs.assign(arm=runs["platform_design"].astype(str))
    cells = runs.groupby(contexts) if contexts else [((), runs)]
    for key, cell in cells:
        key = key if isinstance(key, tuple) else (key,)
        for outcome, label in outcomes:
            values = {d: by_seed(cell, d, outcome) for d in (*SINGLE, "hybrid")}
            means = {d: float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
                     for d, v in values.items()}
            singles = [d for d in SINGLE if np.isfinite(means[d])]
            if not singles or not np.isfinite(means["hybrid"]):
                continue
            pick = max if better[outcome] else min
            best = pick(singles, key=lambda d: means[d])
            try:
                diff, lo, hi = difference_interval(values["hybrid"], values[best])
            except ValueError as err:
                where = ", ".join(f"{c}={v}" for c, v in zip(contexts, key, strict=True))
                raise ReadoutError(f"platform_designs: hybrid minus {best} at {where}: "
                                   f"{err}") from None
            sign = 1 if better[outcome] else -1
            verdict = ("better" if sign * lo > 0 and sign * hi > 0 else
                       "worse" if sign * lo < 0 and sign * hi < 0 else "indistinguishable")
            if not (np.isfinite(lo) and np.isfinite(hi)):
                verdict = "indistinguishable"
            rows.append({**dict(zip(contexts, key, strict=True)), "outcome": outcome,
                         "label": label, "best_single": best, "difference": diff,
                         "ci_low": lo, "ci_high": hi, "verdict": verdict})
    return pd.DataFrame(rows)


def platforms_vs_none(found: dict[str, Any]) -> pd.DataFrame:
    """Per design and outcome: cells where the design beats none with the interval
    excluding zero, and the mean difference over cells."""
    effects = found["effects"]
    better = _higher_is_better()
    rows = []
    for outcome, label in _outcome_order(found):
        if outcome in UNDEFINED_WITHOUT_PLATFORMS:
            continue
        for design in WITH_PLATFORMS:
            sub = effects[(effects["outcome"] == outcome) & (effects["arm"] == design)]
            if sub.empty:
                continue
            sign = 1 if better[outcome] else -1
            gains = ((sign * sub["ci_low"] > 0) & (sign * sub["ci_high"] > 0)).sum()
            losses = ((sign * sub["ci_low"] < 0) & (sign * sub["ci_high"] < 0)).sum()
            rows.append({"outcome": outcome, "label": label, "design": design,
                         "cells": len(sub), "better": int(gains), "worse": int(losses),
                         "mean_difference": float(sub["difference"].mean())})
    return pd.DataFrame(rows)


def hybrid_assumptions(runs: pd.DataFrame) -> str:
    """The assumptions behind the hybrid design, with the values the runs used."""
    from sim.params import PARAM_FIELDS

    value = {}
    for name in ("hybrid_national_share", "coordination_cost", "expertise_transfer",
                 "local_trust_bonus", "national_expertise", "global_expertise"):
        used = runs[name].unique() if name in runs.columns else []
        value[name] = float(used[0]) if len(used) == 1 else PARAM_FIELDS[name].default
    return (f"In the model the hybrid splits its staff {value['hybrid_national_share']:.0%} "
            f"national / {1 - value['hybrid_national_share']:.0%} global, loses "
            f"{value['coordination_cost']:.0%} of the global leads' time to coordination and "
            f"passes on {value['expertise_transfer']:.0%} of their goal expertise "
            f"({value['global_expertise']:g}) to national platforms (own expertise "
            f"{value['national_expertise']:g}); introductions by a platform present in the "
            f"country earn a trust bonus of {value['local_trust_bonus']:g}. These are "
            "illustrative values (`hybrid_national_share`, `coordination_cost`, "
            "`expertise_transfer`, `local_trust_bonus`), and the comparison can turn on them.")


def in_brief(counts: pd.DataFrame, vs_none: pd.DataFrame, hvs: pd.DataFrame,
             outcomes: list[tuple[str, str]], cells: str) -> str:
    """A generated paragraph: platforms against none, who wins what, both against one."""
    parts = []
    if len(vs_none):
        total, better, worse = (int(vs_none[c].sum()) for c in ("cells", "better", "worse"))
        parts.append(f"Compared with no platform, a platform design is better with a 95% "
                     f"interval excluding zero in {better} of {total} design-outcome-cell "
                     f"comparisons and worse in {worse}.")
    wins: dict[str, list[str]] = {}
    for outcome, label in outcomes:
        sub = counts[counts["outcome"] == outcome]
        if sub.empty or sub["cells"].iloc[0] == 0:
            continue
        top = sub.sort_values(["won", "separated"], ascending=False).iloc[0]
        if top["won"] * 2 > top["cells"]:
            wins.setdefault(top["design"], []).append(lower_first(label))
    if wins:
        parts.append(f"Designs that win a majority of {cells} cells: " + "; ".join(
            f"**{d}** on {', '.join(v)}" for d, v in wins.items()) + ".")
    if len(hvs):
        tally = hvs["verdict"].value_counts()
        b, w = int(tally.get("better", 0)), int(tally.get("worse", 0))
        i = len(hvs) - b - w
        parts.append(
            "Whether having both layers is *possible* is a political question the model does "
            "not answer; whether it is *beneficial* at equal budget: against the better of "
            f"the two single designs, both (hybrid) is better in {b}, worse in {w} and "
            f"indistinguishable in {i} of {len(hvs)} outcome-cell comparisons.")
    return "**In brief.** " + " ".join(parts)


def headline(found: dict[str, Any]) -> list[str]:
    """The answer to Q3 in a few generated sentences and tables."""
    meta = found["meta"]
    runs = pd.read_parquet(found["dir"] / "summaries.parquet")
    runs = runs[runs["platform_design"].isin(DESIGN_NAMES)]
    contexts = contexts_of(found, "platform_designs")
    for column, _ in contexts:
        if column not in runs.columns:
            runs[column] = "all"
    cells = cell_words(contexts)
    outcomes = _outcome_order(found)
    better = _higher_is_better()
    counts = win_counts(found)
    n_cells = int(counts["cells"].max()) if len(counts) else 0
    hvs = hybrid_vs_single(runs, outcomes, better, [c for c, _ in contexts])
    vs_none = platforms_vs_none(found)
    lines = [in_brief(counts, vs_none, hvs, outcomes, cells)]

    # 1. Platforms against none.
    if len(vs_none):
        total = int(vs_none["cells"].max())
        lines.append(
            f"**Platforms against none.** Cells (of {total} {cells} cells) in which "
            "each design is better than having no platform with a 95% interval of the "
            "difference excluding zero; in brackets, cells where it is worse:")
        rows = []
        for outcome, label in outcomes:
            sub = vs_none[vs_none["outcome"] == outcome].set_index("design")
            if sub.empty:
                continue
            rows.append([label, *[f"{sub.loc[d, 'better']} ({sub.loc[d, 'worse']})"
                                  if d in sub.index else "n/a"
                                  for d in WITH_PLATFORMS]])
        lines.append(markdown(["Outcome", *WITH_PLATFORMS], rows))
    # 2. Which design wins where.
    tops = []
    for outcome, label in outcomes:
        sub = counts[counts["outcome"] == outcome].sort_values(["won", "separated"],
                                                               ascending=False)
        if sub.empty or sub["cells"].iloc[0] == 0:
            continue
        top = sub.iloc[0]
        ties = int(top["ties"])
        if top["won"] == 0:
            tops.append(f"{label}: tied for best in every cell")
            continue
        leaders = sub[sub["won"] == top["won"]]
        names = " and ".join(f"**{d}**" for d in leaders["design"])
        separated = " and ".join(str(s) for s in leaders["separated"])
        tied = f"; {ties} of {top['cells']} cells tied for best" if ties else "; no ties"
        tops.append(f"{label}: {names} in {top['won']}/{top['cells']} cells"
                    f"{' each' if len(leaders) > 1 else ''} ({separated} separated from the "
                    f"runner-up{tied})")
    if tops:
        lines.append("**Which design wins most often.** Per outcome, the design with the best "
                     "mean in the most cells; a cell where two designs share the best mean is "
                     "a tie and counts for neither. " + "; ".join(tops) + ".")
    # 3. Both against one.
    if len(hvs):
        tally = hvs["verdict"].value_counts()
        b, w, i = (int(tally.get(k, 0)) for k in ("better", "worse", "indistinguishable"))
        n = len(hvs)
        if b > max(w, i):
            verdict = "having both pays at equal budget in most comparisons"
        elif w > max(b, i):
            verdict = ("having both costs more than it gives at equal budget: splitting the "
                       "staff between two layers loses to the better single layer")
        else:
            verdict = ("having both is possible but not clearly beneficial at equal budget: "
                       "in most comparisons it cannot be told apart from the better single "
                       "design")
        lines.append(
            f"**Both (hybrid) against the better single design.** Over {n} comparisons "
            f"({len(outcomes)} outcomes x {n_cells} cells, differences paired by seed), hybrid "
            "was better with an interval "
            f"excluding zero in {b}, worse in {w} and indistinguishable in {i}: {verdict}. "
            "The better single design is picked per cell after the fact, which slightly "
            "favours it. " + hybrid_assumptions(runs))
        per = hvs.pivot_table(index="label", columns="verdict", values="difference",
                              aggfunc="count", fill_value=0)
        for col in ("better", "worse", "indistinguishable"):
            if col not in per.columns:
                per[col] = 0
        order = [lbl for _, lbl in outcomes if lbl in per.index]
        lines.append(markdown(["Outcome", "hybrid better", "hybrid worse", "indistinguishable"],
                              [[lbl, *(str(int(per.loc[lbl, c])) for c in
                                       ("better", "worse", "indistinguishable"))]
                               for lbl in order]))
    lines.append(f"Source: {meta['runs']} runs, {meta['seeds']} seeds per cell, "
                 f"{meta['n_orgs']:,} organisations per country x {meta['n_countries']} "
                 f"{'country' if meta['n_countries'] == 1 else 'countries'}, "
                 f"{meta['steps']} months (size `{meta['size']}`).")
    return lines


def reference_table(found: dict[str, Any]) -> str:
    """Design means with 95% intervals, one row per level of the first context and design,
    the other contexts held at the reference levels recorded in meta.json."""
    table, reference = found["table"], found["meta"].get("reference", {})
    contexts = contexts_of(found, "platform_designs")
    first = contexts[0] if contexts else None
    sub, held = table, []
    for column, label in contexts[1:]:
        levels = list(sub[column].unique())
        value = reference.get(column)
        match = [v for v in levels if str(v) == str(value)]
        value = match[0] if match else sorted(levels)[(len(levels) - 1) // 2]
        sub = sub[sub[column] == value]
        held.append(f"{lower_first(label)} {show(value)}")
    outcomes = _outcome_order(found)
    keys = [first[0], "arm"] if first else ["arm"]
    rows = []
    for key, group in sub.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        by = group.set_index("outcome")
        rows.append([*(show(k) for k in key),
                     *[interval(*by.loc[o, ["mean", "ci_low", "ci_high"]]) for o, _ in outcomes]])
    at = f" at {', '.join(held)}" if held else ""
    header = [*([first[1]] if first else []), "Design", *[lbl for _, lbl in outcomes]]
    return f"Means and 95% t-intervals over seeds{at}:\n\n" + markdown(header, rows)


def win_table(found: dict[str, Any]) -> str:
    """Cells won per design and outcome, as `won (separated)`."""
    counts = win_counts(found)
    rows = []
    for outcome, label in _outcome_order(found):
        sub = counts[counts["outcome"] == outcome].set_index("design")
        rows.append([label, *[f"{sub.loc[d, 'won']} ({sub.loc[d, 'separated']})"
                              for d in DESIGN_NAMES], str(int(sub["ties"].iloc[0]))])
    return markdown(["Outcome", *DESIGN_NAMES, "tied for best"], rows)


def key_findings(found: dict[str, Any]) -> str:
    """Generated sentences: each arm against the control on the first outcomes, at the
    reference context and across contexts."""
    effects, meta = found["effects"], found["meta"]
    if effects.empty:
        return ""
    reference = meta.get("reference", {})
    context_cols = [c for c in reference if c in effects.columns]
    at_ref = effects
    for column, value in reference.items():
        if column in at_ref.columns:
            at_ref = at_ref[at_ref[column].astype(str) == str(value)]
    where = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in reference.items())
    sentences = []
    outcomes = list(dict.fromkeys(effects["outcome"]))[:KEY_OUTCOMES]
    for arm in dict.fromkeys(effects["arm"]):
        parts = []
        for outcome in outcomes:
            row = at_ref[(at_ref["arm"] == arm) & (at_ref["outcome"] == outcome)]
            every = effects[(effects["arm"] == arm) & (effects["outcome"] == outcome)]
            if row.empty:
                continue
            r = row.iloc[0]
            across = (f" (interval excludes zero in {int(every['separated'].sum())} of "
                      f"{len(every)} {'contexts' if context_cols else 'cells'})"
                      if len(every) > 1 else "")
            parts.append(f"{lower_first(r['label'])} by "
                         f"{interval(r['difference'], r['ci_low'], r['ci_high'])}{across}")
        if parts:
            sentences.append(f"*{arm}* against *{meta.get('control', 'control')}* changes "
                             + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "")
                             + parts[-1] + ".")
    lead = f"At {where}: " if where else ""
    return "**Key numbers.** " + lead + " ".join(sentences) + trend(found) + "\n"


def trend(found: dict[str, Any]) -> str:
    """How the control arm's first outcome moves along a numeric context (e.g. overhead)."""
    table, meta = found["table"], found["meta"]
    context = next(iter(meta.get("reference", {})), None)
    if context is None or not pd.api.types.is_numeric_dtype(table[context]):
        return ""
    first = table["outcome"].iloc[0]
    rows = table[(table["arm"] == meta.get("control")) & (table["outcome"] == first)]
    rows = rows.sort_values(context)
    if len(rows) < 2:
        return ""
    lo, hi = rows.iloc[0], rows.iloc[-1]
    name = context.replace("_", " ")
    return (f" With *{meta.get('control')}*, {lower_first(lo['label'])} goes from "
            f"{interval(lo['mean'], lo['ci_low'], lo['ci_high'])} at {name} {lo[context]:g} to "
            f"{interval(hi['mean'], hi['ci_low'], hi['ci_high'])} at {name} {hi[context]:g}.")


# --- the document -------------------------------------------------------------------------------

LIMITS = """\
- **Illustrative, not calibrated.** Every parameter value in `sim/params.py` is a documented
  guess (see the parameter table in [ODD.md](ODD.md)); no parameter was fitted to data. The
  numbers above are properties of the model under those guesses, useful for comparing
  designs and seeing mechanisms, not forecasts for any country.
- **Country profiles are illustrative.** `baseline`, `post_conflict`, `mining_economy` and
  `strong_sme_base` are sketches drawn from the discussion (Colombia's post-conflict setting,
  a mining economy such as the DRC), not statistics of those countries.
- **The goal-interaction matrix is illustrative.** Indirect outcomes run through a 17x17
  matrix that follows the published aggregate pattern, not a published matrix; another
  matrix (`goal_matrix_path`) can change indirect outcomes and the collective-action result.
- **Equal budget means equal staff.** Designs spend the same staff, shared out by shape;
  set-up costs, staff quality, politics and overlap with existing structures are not
  modelled, and nor is the time a global lead needs to build legitimacy.
- **What the model omits.** Prices, markets and profits (payoffs are abstract), contracts
  and legal forms, individual people inside organisations, donors' own strategies beyond an
  alignment share, elections and policy change, and any feedback from outcomes to the
  population of organisations.
- **Intervals are over seeds only.** They measure the model's randomness at fixed
  parameters, not uncertainty about the parameters; which assumptions the answer hangs on
  is in [the sensitivity analysis](sensitivity.md).
"""


def render(results: Path, doc: Path, img: Path) -> str:
    """The readout as Markdown (figures are copied to `img` as a side effect)."""
    found = {name: load(results, name) for name in EXPERIMENTS}
    if not any(found.values()):
        raise ReadoutError(f"no experiment results in {results}/; run `make experiments` "
                           "(or `python -m experiments all`) first")
    parts = [
        "# Readout: what the experiments say about Q3\n",
        f"*Generated by `python -m experiments.readout` from `{results}/` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Do not edit by hand: rerun "
        "the experiments (`make experiments`) and `make readout` to refresh it. The model is "
        "illustrative (see [Limits](#limits)).*\n",
        f"> Q3: {Q3}\n",
    ]
    pd_found = found["platform_designs"]
    parts.append("## Short answer\n")
    if pd_found:
        parts.extend(line + "\n" for line in headline(pd_found))
    else:
        parts.append("The headline experiment `platform_designs` has not been run yet.\n")
    parts.append("Which assumptions this answer hangs on: see the "
                 "[sensitivity analysis](sensitivity.md).\n")

    parts.append("## How these results were made\n")
    rows = []
    for name in EXPERIMENTS:
        f = found[name]
        if f is None:
            rows.append([f"`{name}`", "not run", "", "", "", "", ""])
            continue
        m = f["meta"]
        rows.append([f"`{name}`", m["size"], str(m["seeds"]), str(m["runs"]),
                     f"{m['n_orgs']:,} x {m['n_countries']}", str(m["steps"]),
                     fmt(m["sweep_wall_time_s"]) if m.get("sweep_wall_time_s") else "n/a"])
    parts.append(markdown(["Experiment", "Size", "Seeds per cell", "Runs",
                           "Orgs per country x countries", "Months", "Sweep time (s)"], rows))
    parts.append("Each experiment is `python -m experiments <name>` (a Hydra sweep, "
                 "`python -m sim -m +experiment=<name>`, plus tables and figures in "
                 "`results/<name>/`). Intervals are 95% t-intervals of the mean over seeds; "
                 "differences between arms are paired by seed (seed k builds the same "
                 "population of organisations in every arm), with a 95% t-interval of the "
                 "mean per-seed difference; \"separated\" means that interval excludes zero "
                 "(a difference that is the same nonzero value for every seed counts as "
                 "separated). Sweep time is the wall-clock time of the last sweep on "
                 "the machine that made the results, reused runs excluded from the work but "
                 "not from the validation of every job.\n")

    if pd_found:
        meta = pd_found["meta"]
        parts += ["## Platform designs\n", f"{meta['question']}\n",
                  reference_table(pd_found) + "\n",
                  "Cells won by each design on each outcome, out of every "
                  f"{cell_words(contexts_of(pd_found, 'platform_designs'))} cell; in brackets, "
                  "cells where the winner's lead over the runner-up has an interval (paired by "
                  "seed) excluding zero; the last column counts cells where two or more "
                  "designs share the best mean:\n", win_table(pd_found) + "\n",
                  "The winner in every cell (`!`: separated from the runner-up; `tie`: two "
                  "or more designs share the best mean):\n",
                  pd_found["winners_md"] + "\n"]
        parts += copy_figures(pd_found, "platform_designs", img, doc)
    for name in EXPERIMENTS[1:]:
        f = found[name]
        if f is None:
            continue
        meta = f["meta"]
        parts += [f"## {meta['title']}\n", f"{meta['question']}\n", key_findings(f),
                  "Difference from the control arm, mean of the per-seed differences and its "
                  "95% interval, paired by seed (`*`: the interval excludes zero):\n",
                  f["effects_md"] + "\n",
                  "<details><summary>Means per arm</summary>\n\n" + f["table_md"]
                  + "\n</details>\n"]
        parts += copy_figures(f, name, img, doc)
    parts += ["## Limits\n", LIMITS]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the readout; exit 1 with one line if there are no results."""
    from experiments.cli import OneLineParser

    p = OneLineParser(prog="python -m experiments.readout", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--results", type=Path, default=Path("results"))
    p.add_argument("--out", type=Path, default=Path("docs/readout.md"))
    p.add_argument("--img", type=Path, default=None,
                   help="figure folder (default: img/readout beside --out)")
    args = p.parse_args(argv)
    img = args.img or args.out.parent / "img" / "readout"
    try:
        text = render(args.results, args.out, img)
    except ReadoutError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, text)
    print(f"wrote {args.out} (figures in {img})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

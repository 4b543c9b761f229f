"""Experiment drivers end to end at tiny size: runs, tables, figures, readout, bad options."""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments import EXPERIMENTS
from experiments.cli import run as run_experiment
from experiments.readout import cell_words, win_counts
from experiments.readout import load as load_results
from experiments.stats import difference_interval, mean_interval, t975
from experiments.tables import TIE, ExperimentError
from sim.evaluate import read_steps, read_summary
from sim.params import PLATFORM_DESIGNS

REPO = Path(__file__).resolve().parents[1]
# Runs per experiment at tiny size (2 seeds): the arms times the contexts the tiny grid keeps.
TINY_RUNS = {"platform_designs": len(PLATFORM_DESIGNS) * 2 * 2, "sme_access": 3 * 2,
             "capacity_building": 3 * 2, "events": 2 * 2 * 2, "collective_action": 3 * 2}


def _experiments(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "experiments", *args], capture_output=True,
                          text=True, timeout=900, cwd=REPO, env=env)


def _spec(name: str):
    return importlib.import_module(f"experiments.{name}").EXPERIMENT


def _committed(dataset: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in (dataset / "summary").glob("*.parquet")}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """Every experiment run once at tiny size into a fresh results folder."""
    results = tmp_path_factory.mktemp("results")
    done = _experiments("all", "--size", "tiny", "--workers", "1", "--results", str(results))
    assert done.returncode == 0, done.stdout + done.stderr
    return results


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_driver_writes_runs_tables_and_figures(tiny, name) -> None:
    spec = _spec(name)
    out = tiny / name
    runs = pd.read_parquet(out / "summaries.parquet")
    assert len(runs) == TINY_RUNS[name] and runs["arm"].notna().all()
    dataset = read_summary(out / "dataset")  # every run made, the dropped duplicates too
    assert len(dataset) == TINY_RUNS[name] + (2 if name == "sme_access" else 0)
    steps = read_steps(out / "dataset", list(runs["run_key"]))
    assert len(steps) == len(runs) * 36 and set(steps["run_key"]) == set(runs["run_key"])
    table = pd.read_csv(out / "table.csv", dtype={"arm": str})
    assert set(table["arm"]) == set(spec.arms)
    assert set(table["outcome"]) == set(spec.outcomes)
    first = table[table["outcome"] == spec.outcomes[0]]
    assert (first["n"] == 2).all()  # two seeds per arm and context, duplicates dropped
    assert np.isfinite(first[["mean", "ci_low", "ci_high"]].to_numpy()).all()
    assert (first["ci_low"] <= first["mean"]).all() and (first["mean"] <= first["ci_high"]).all()
    effects = pd.read_csv(out / "effects.csv", dtype={"arm": str})
    assert set(effects["arm"]) == set(spec.arms) - {spec.control_arm}
    for file in ("table.md", "effects.md", "winners.md"):
        text = (out / file).read_text()
        assert text.startswith("| ") and all(arm in (out / "table.md").read_text()
                                             for arm in spec.arms)
    figures = json.loads((out / "figures.json").read_text())
    assert len(figures) >= 2
    for figure in figures:
        png = out / figure["file"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
        assert figure["caption"].endswith(".") and len(figure["caption"]) > 40
    meta = json.loads((out / "meta.json").read_text())
    assert (meta["size"], meta["seeds"], meta["runs"], meta["steps"]) == (
        "tiny", 2, TINY_RUNS[name], 36)


def test_platform_designs_name_a_winner_per_country_and_outcome(tiny) -> None:
    spec = _spec("platform_designs")
    winners = pd.read_csv(tiny / "platform_designs" / "winners.csv")
    assert set(winners["country"]) == {"baseline", "post_conflict"}
    assert len(winners) == 2 * len(spec.outcomes)
    assert set(winners["best"]) <= {*spec.arms, "tie"}
    assert (winners["best"] != winners["runner_up"]).all()
    # A tie names the tied arms and is never "separated"; goal coverage can tie at 1.
    ties = winners[winners["best"] == "tie"]
    assert not ties["separated"].any()
    assert all(set(r.split("=")) <= set(spec.arms) and "=" in r for r in ties["runner_up"])
    # Cost per brokered partnership is undefined without platforms: `none` never wins it.
    cost = winners[winners["outcome"] == "cost_per_partnership"]
    assert "none" not in set(cost["best"]) | set(cost["runner_up"])
    # The winner is the best mean in its direction.
    runs = pd.read_parquet(tiny / "platform_designs" / "summaries.parquet")
    row = winners[(winners["country"] == "baseline")
                  & (winners["outcome"] == "partnerships_per_1000")].iloc[0]
    means = runs[runs["country"] == "baseline"].groupby("platform_design")[
        "partnerships_per_1000"].mean()
    assert row["best"] == means.idxmax() and math.isclose(row["best_mean"], means.max())


def test_readout_mentions_every_design_and_links_copied_figures(tiny, tmp_path) -> None:
    doc = tmp_path / "docs" / "readout.md"
    done = _experiments("readout", "--results", str(tiny), "--out", str(doc))
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    for design in PLATFORM_DESIGNS:
        assert f"| {design} |" in text
    for heading in ("## Short answer", "## Platform designs", "## SME access",
                    "## Capacity building", "## Events", "## Collective action", "## Limits"):
        assert heading in text
    assert "(sensitivity.md)" in text and "2 seeds per cell" in text
    links = [line.split("](")[1].split(")")[0] for line in text.splitlines()
             if line.startswith("![")]
    assert len(links) >= 10 and all((doc.parent / link).is_file() for link in links)


def test_rerun_reuses_finished_runs(tiny) -> None:
    dataset = tiny / "capacity_building" / "dataset"
    before = _committed(dataset)
    done = _experiments("capacity_building", "--size", "tiny", "--workers", "1",
                        "--results", str(tiny))
    assert done.returncode == 0, done.stderr
    assert _committed(dataset) == before
    assert f"0 runs made, {TINY_RUNS['capacity_building']} already done" in done.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["regional"], "error: experiment='regional': allowed values are platform_designs"),
    (["events", "--seeds", "0"], "error: argument --seeds: seeds=0: allowed range is 1"),
    (["events", "--seeds", "two"], "error: argument --seeds: seeds='two': expected an integer"),
    (["events", "--size", "huge"], "error: argument --size: size='huge': allowed values are"),
    (["events", "--workers", "0"], "error: argument --workers: workers=0: allowed range is 1"),
])
def test_bad_options_exit_2_with_one_line_and_write_nothing(tmp_path, args, message) -> None:
    done = _experiments(*args, "--results", str(tmp_path / "results"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), done.stderr
    assert not (tmp_path / "results").exists()


def test_results_folder_that_is_a_file_exits_2(tmp_path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    done = _experiments("events", "--size", "tiny", "--results", str(tmp_path / "taken" / "r"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: results={str(tmp_path / 'taken' / 'r')!r}: {str(tmp_path / 'taken')!r} is a "
        "file, not a folder"]


def test_readout_without_results_exits_1(tmp_path) -> None:
    done = _experiments("readout", "--results", str(tmp_path), "--out",
                        str(tmp_path / "readout.md"))
    assert done.returncode == 1 and "no experiment results" in done.stderr
    assert not (tmp_path / "readout.md").exists()


def test_intervals_match_textbook_values() -> None:
    assert abs(t975(1) - 12.706) < 1e-3 and abs(t975(10) - 2.228) < 1e-3
    assert abs(t975(120) - 1.980) < 1e-3 and abs(t975(10_000) - 1.960) < 1e-3
    assert np.isnan(t975(0))
    mean, lo, hi, n = mean_interval(np.array([1.0, 2.0, 3.0, 4.0, np.nan]))
    half = 3.182 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert (mean, n) == (2.5, 4) and math.isclose(lo, 2.5 - half, abs_tol=1e-3)
    assert math.isclose(hi, 2.5 + half, abs_tol=1e-3)
    assert np.isnan(mean_interval(np.array([1.0]))[1])


def test_difference_interval_pairs_by_seed_like_a_paired_t_test() -> None:
    rng = np.random.default_rng(7)
    population = rng.normal(0.0, 10.0, 12)       # what a seed shares across arms
    a = pd.Series(population + 1.0 + rng.normal(0, 0.3, 12), index=range(12))
    b = pd.Series(population, index=range(12))
    shuffled = b.sample(frac=1.0, random_state=3)   # pairing is by seed, not by position
    diff, lo, hi = difference_interval(a, shuffled)
    ci = stats.ttest_rel(a.to_numpy(), b.to_numpy()).confidence_interval(0.95)
    assert math.isclose(diff, (a - b).mean()) and math.isclose(lo, ci.low)
    assert math.isclose(hi, ci.high) and lo > 0
    # The same values unpaired (Welch) cannot separate a shift of 1 from spread of 10.
    welch = stats.ttest_ind(a.to_numpy(), b.to_numpy(), equal_var=False)
    assert welch.confidence_interval(0.95).low < 0
    # Only shared seeds count; a NaN outcome drops its seed.
    extra = pd.concat([a, pd.Series([1e6], index=[99])])
    assert difference_interval(extra, b) == (diff, lo, hi)
    with_nan = a.copy()
    with_nan[0] = np.nan
    assert math.isclose(difference_interval(with_nan, b)[0], (a - b).iloc[1:].mean())


def test_difference_interval_zero_spread_and_too_few_seeds() -> None:
    seeds = range(5)
    base = pd.Series([3.0, 1.0, 4.0, 1.0, 5.0], index=seeds)
    assert difference_interval(base + 2.0, base) == (2.0, 2.0, 2.0)  # constant: separated
    assert difference_interval(base, base) == (0.0, 0.0, 0.0)        # identical: not
    with pytest.raises(ValueError, match="at least 2 seeds run in both arms; got 1"):
        difference_interval(base.iloc[:1], base.iloc[:1])
    with pytest.raises(ValueError, match="seed 0 appears more than once"):
        difference_interval(pd.concat([base, base.iloc[:1]]), base)
    nan = pd.Series(np.nan, index=seeds)
    assert all(np.isnan(difference_interval(nan, base)))


def test_failed_analysis_leaves_previous_results_untouched(tiny, tmp_path) -> None:
    results = tmp_path / "results"
    shutil.copytree(tiny / "events", results / "events")
    before = {f.name: f.read_bytes() for f in (results / "events").iterdir() if f.is_file()}
    dataset_before = _committed(results / "events" / "dataset")
    spec = _spec("events")

    def broken_figure(*args, **kwargs):
        raise ExperimentError("figure failed on purpose")

    # New runs (here: doubled counts) whose analysis fails after the tables are written.
    runs = pd.read_parquet(results / "events" / "summaries.parquet")
    runs["partnerships_per_1000"] *= 2
    runs.to_parquet(results / "events" / "summaries.parquet")
    broken = dataclasses.replace(spec, extra_figures=(broken_figure,))
    assert run_experiment(broken, None, "tiny", 1, results, analyse_only=True) == 1
    after = {f.name: f.read_bytes() for f in (results / "events").iterdir() if f.is_file()}
    assert after.keys() == before.keys()
    assert [n for n in after if after[n] != before[n]] == ["summaries.parquet"]
    assert sorted(p.name for p in results.iterdir()) == ["events"]  # no staging left
    # One seed cannot be paired: a one-line error, and still nothing changed.
    runs = pd.read_parquet(results / "events" / "summaries.parquet")
    runs[runs["seed"] == 0].to_parquet(results / "events" / "summaries.parquet")
    done = _experiments("events", "--analyse-only", "--results", str(results))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "at least 2 seeds run in both arms; got 1" in lines[0]
    assert (results / "events" / "table.csv").read_bytes() == before["table.csv"]
    # A good analysis swaps in whole, keeps the runs' dataset and the run's facts.
    shutil.copy2(tiny / "events" / "summaries.parquet", results / "events" / "summaries.parquet")
    assert run_experiment(spec, None, "default", 1, results, analyse_only=True) == 0
    assert _committed(results / "events" / "dataset") == dataset_before != {}
    assert pd.read_csv(results / "events" / "table.csv").equals(
        pd.read_csv(tiny / "events" / "table.csv"))
    meta = json.loads((results / "events" / "meta.json").read_text())
    assert meta["size"] == "tiny" and meta["contexts"] == [list(c) for c in spec.contexts]
    assert sorted(p.name for p in results.iterdir()) == ["events"]


def test_readout_counts_ties_and_reads_contexts_from_meta(tiny) -> None:
    found = load_results(tiny, "platform_designs")
    counts = win_counts(found)
    winners = found["winners"]
    for outcome, sub in counts.groupby("outcome"):
        rows = winners[winners["outcome"] == outcome]
        assert (sub["ties"] == (rows["best"] == TIE).sum()).all()
        # every cell is won outright by one design or tied
        assert sub["won"].sum() + sub["ties"].iloc[0] == len(rows)
    assert cell_words([tuple(c) for c in found["meta"]["contexts"]]) == "country-by-budget"


def _tiny_posterior(root: Path) -> None:
    """A two-set posterior over membership_overhead and w_trust (made by hand, not calibrated)."""
    from sim.calibration.posterior import save_posterior
    from sim.calibration.space import ParameterSpace

    space = ParameterSpace.from_plan(["membership_overhead", "w_trust"])
    sets = pd.DataFrame({"membership_overhead": [0.15, 0.5], "w_trust": [0.12, 0.35],
                         "weight": [0.5, 0.5]})
    save_posterior(root / "handmade", sets, space, {"name": "handmade", "targets_file": "none"})


def test_an_experiment_runs_over_a_named_posterior_with_sets_paired_by_seed(tmp_path) -> None:
    """`--posterior NAME`: every run of a seed carries the same calibrated set (arms stay
    paired), a calibrated parameter the experiment varies keeps the experiment's values, and
    meta.json records the posterior."""
    root = tmp_path / "calibration"
    _tiny_posterior(root)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SIM_CALIBRATION_DIR": str(root)}
    results = tmp_path / "results"
    done = subprocess.run([sys.executable, "-m", "experiments", "sme_access", "--size", "tiny",
                           "--workers", "1", "--results", str(results), "--posterior",
                           "handmade"], capture_output=True, text=True, timeout=900, cwd=REPO,
                          env=env)
    assert done.returncode == 0, done.stderr
    runs = read_summary(results / "sme_access" / "dataset")
    assert "posterior_set" in runs.columns
    by_seed = runs.groupby("seed")
    assert (by_seed["w_trust"].nunique() == 1).all()  # one set per seed, across the arms
    assert set(runs["w_trust"]) <= {0.12, 0.35}
    meta = json.loads((results / "sme_access" / "meta.json").read_text())
    assert meta["posterior"] == "handmade" and "w_trust" in meta["posterior_calibrated"]
    # sme_access compares across overheads itself: the experiment's values are kept
    assert "membership_overhead" in meta["posterior_kept_from_experiment"]
    unknown = subprocess.run([sys.executable, "-m", "experiments", "events", "--size", "tiny",
                              "--results", str(tmp_path / "r2"), "--posterior", "nope"],
                             capture_output=True, text=True, timeout=300, cwd=REPO, env=env)
    assert unknown.returncode == 1 and "posterior='nope'" in unknown.stderr
    assert "handmade" in unknown.stderr  # names the known posteriors

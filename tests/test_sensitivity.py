"""The sensitivity analysis: ranges in the schema, sampling, indices, regions, the pipeline."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import make_params
from sim.params import PARAM_FIELDS, Params
from sim.sensitivity import analyse, regions
from sim.sensitivity.__main__ import main
from sim.sensitivity.pipeline import HYBRID_ONLY, PlanError, inert_factors, load_plan, run
from sim.sensitivity.ranges import (
    DUMMY,
    factors_by_name,
    model_overrides,
    uncertain_factors,
)
from sim.sensitivity.runs import Base, run_jobs
from sim.sensitivity.sample import (
    morris_matrix,
    saltelli_base_rows,
    sample_table,
    sobol_matrix,
)

# Structural, scenario and policy parameters: never varied as uncertainties.
FIXED = ("n_orgs", "n_countries", "sector_shares", "platform_design", "platform_budget",
         "hybrid_national_share", "capacity_building_share", "convening_share",
         "event_partnering", "ba_representation", "collective_action", "goal_matrix_path",
         "engine", "partnership_cost", "max_members", "n_priority_goals", "world",
         "world_scale", "national_budget_split", "staged_start_month",
         # structural switches (plausible_choices): calibrated, not in Morris/Sobol
         "overhead_scaling", "lead_member_search",
         "investor_pool")  # acts only with collective_action, a lever off by default


# --- ranges in the parameter schema ------------------------------------------------------------

def test_every_plausible_range_lies_within_the_allowed_range_and_has_a_reason() -> None:
    factors = uncertain_factors()
    assert len(factors) >= 40
    for f in factors:
        meta = PARAM_FIELDS[f.name].metadata
        assert f.lo < f.hi, f.name
        assert f.why and len(f.why) > 3 and "\n" not in f.why, f.name
        if f.kind == "factor":  # a multiplier on every sector's default
            assert f.lo <= 1.0 <= f.hi, f.name
            for value in f.default:
                for scaled in (f.lo * value, f.hi * value):
                    assert meta["lo"] <= scaled <= meta["hi"], (f.name, scaled)
        else:
            assert meta["lo"] <= f.lo and f.hi <= meta["hi"], f.name
            assert f.lo <= f.default <= f.hi, f.name


def test_structural_parameters_have_no_range_and_behavioural_ones_do() -> None:
    varied = {f.name for f in uncertain_factors()}
    assert not varied & set(FIXED)
    behavioural = {f.name for f in dataclasses.fields(Params)} - set(FIXED)
    assert behavioural == varied, behavioural ^ varied


def test_corners_of_the_plausible_box_are_valid_parameters() -> None:
    factors = uncertain_factors()
    for corner in ([f.lo for f in factors], [f.hi for f in factors]):
        params = make_params(**model_overrides(factors, corner))
        assert params.bandwidth[0] == pytest.approx(
            PARAM_FIELDS["bandwidth"].default[0] * corner[[f.name for f in factors]
                                                         .index("bandwidth")])


def test_unknown_factor_is_named() -> None:
    with pytest.raises(ValueError, match=r"factor 'n_orgs': not an uncertain parameter"):
        factors_by_name(["trust", "n_orgs"])


# --- sampling --------------------------------------------------------------------------------

def test_samples_stay_in_range_and_identical_configs_are_shared() -> None:
    factors = factors_by_name(["trust", "broker_candidates", "bandwidth", DUMMY])
    matrix = morris_matrix(factors, 5, 4, seed=3)
    assert matrix.shape == (5 * 5, 4)
    table, configs = sample_table(factors, matrix)
    for f in factors:
        assert table[f.name].between(f.lo, f.hi).all(), f.name
    # a step of the dummy changes no model parameter: that row shares its config
    assert len(configs) < len(table)
    assert all(DUMMY not in overrides for overrides in configs.values())
    assert all(isinstance(o["broker_candidates"], int) for o in configs.values())
    with pytest.raises(ValueError, match="power of two"):
        sobol_matrix(factors, 12, seed=0)
    assert sobol_matrix(factors, 8, seed=0).shape == (8 * (4 + 2), 4)


def test_base_rows_are_the_a_and_b_rows_of_salibs_saltelli_matrix() -> None:
    """Every AB_i row equals its block's A row with factor i taken from the B row, so only
    the A and B rows are independent; `saltelli_base_rows` picks exactly those."""
    factors = factors_by_name(["trust", "fragility", "bandwidth", "membership_overhead"])
    k, n = len(factors), 16
    matrix = sobol_matrix(factors, n, seed=2)
    rows = saltelli_base_rows(len(matrix), k)
    assert len(rows) == 2 * n and list(rows[:2]) == [0, k + 1]
    a, b = matrix[0::k + 2], matrix[k + 1::k + 2]
    assert np.array_equal(matrix[rows[0::2]], a) and np.array_equal(matrix[rows[1::2]], b)
    for i in range(k):
        expected = a.copy()
        expected[:, i] = b[:, i]
        assert np.array_equal(matrix[1 + i::k + 2], expected), i
    assert not np.any(a == b)  # A and B are independent draws, no shared coordinate
    with pytest.raises(ValueError, match=r"n_rows=10: not a whole number of Saltelli blocks"):
        saltelli_base_rows(10, k)


# --- outputs, indices, regions -----------------------------------------------------------------

def test_finite_outputs_replace_nan_and_inf_by_the_mean_of_finite_values() -> None:
    frame = pd.DataFrame({"y": [1.0, np.nan, 3.0, np.inf, -np.inf],
                          "z": [np.nan, np.inf, -np.inf, np.nan, np.nan]})
    assert analyse.finite_outputs(frame, "y").tolist() == [1.0, 2.0, 3.0, 2.0, 2.0]
    assert analyse.finite_outputs(frame, "z").tolist() == [0.0] * 5


def test_sample_outputs_pair_designs_by_seed() -> None:
    runs = pd.DataFrame({
        "config": ["a"] * 4, "design": ["national", "per_goal"] * 2, "seed": [0, 0, 1, 1],
        "partnerships_per_1000": [10.0, 4.0, 6.0, 8.0], "sme_participation": [0.5] * 4,
        "outcome_direct": [3.0, 1.0, 1.0, 1.0], "outcome_indirect": [0.0] * 4,
        "failed_share": [0.1] * 4})
    runs["outcome_total"] = runs["outcome_direct"] + runs["outcome_indirect"]
    samples = pd.DataFrame({"sample_id": [0, 1], "config": ["a", "a"]})
    out = analyse.sample_outputs(samples, runs, ("national", "per_goal"))
    assert out["diff:partnerships_per_1000"].tolist() == [2.0, 2.0]  # mean of +6 and -2
    assert out["design_gap"].iloc[0] == pytest.approx((2 * 2 / 4 + 0.0) / 2)
    assert out["national_wins_share"].iloc[0] == 0.5
    with pytest.raises(ValueError, match="no runs for both designs"):
        analyse.sample_outputs(pd.DataFrame({"sample_id": [0], "config": ["b"]}), runs,
                               ("national", "per_goal"))


def test_sobol_recovers_a_known_additive_function() -> None:
    factors = factors_by_name(["trust", "fragility", DUMMY])
    matrix = sobol_matrix(factors, 256, seed=0)
    x = (matrix - [f.lo for f in factors]) / [f.hi - f.lo for f in factors]
    # y = 2 x0 + x1: variances 4/12 and 1/12, so S1 = 0.8 and 0.2; the dummy 0
    frame = pd.DataFrame({"y": 2 * x[:, 0] + x[:, 1]})
    table = analyse.sobol_indices(factors, frame, ["y"], seed=0, resamples=200)
    table = table.set_index("factor")
    assert table.at["trust", "S1"] == pytest.approx(0.8, abs=0.08)
    assert table.at["fragility", "S1"] == pytest.approx(0.2, abs=0.08)
    assert abs(table.at[DUMMY, "ST"]) < 0.02
    assert (table.loc[["trust", "fragility"], "S1_conf"] > 0).all()
    assert np.isfinite(table[["S1", "ST", "S1_conf", "ST_conf"]].to_numpy()).all()


def test_regions_find_a_known_threshold_and_say_it_in_words() -> None:
    factors = factors_by_name(["trust", "membership_overhead"])
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"trust": rng.uniform(0.2, 0.7, 400),
                          "membership_overhead": rng.uniform(0.1, 0.6, 400)})
    frame["design_gap"] = np.where(frame["trust"] > 0.45, 0.1, -0.1)
    found, accuracy = regions.fit_regions(frame, factors, "design_gap", ("national", "per_goal"),
                                          depth=2)
    assert accuracy["cross_validated"] > 0.95
    table = regions.regions_table(found, factors, ("national", "per_goal"))
    rules = " ".join(table["rule"])
    national = table[table["winner"] == "national"]["rule"].iloc[0]
    assert "trust >" in national and "membership_overhead" not in rules
    threshold = float(national.split("trust > ")[1].split(".", 1)[0] + "." +
                      national.split("trust > ")[1].split(".", 1)[1][:2])
    assert threshold == pytest.approx(0.45, abs=0.02)


# --- plans and the command line --------------------------------------------------------------

def test_every_plan_loads_and_bad_plans_are_named(tmp_path: Path) -> None:
    for size in ("small", "medium", "full"):
        assert load_plan(size).size == size
    bad = tmp_path / "bad.yaml"
    text = (Path(__file__).resolve().parents[1] / "configs" / "sensitivity" /
            "small.yaml").read_text()
    bad.write_text(text.replace("n: 16", "n: 12"))
    with pytest.raises(PlanError, match=r"sobol.n=12: must be a power of two"):
        load_plan("custom", bad)
    bad.write_text(text.replace("trust,", "n_orgs,"))
    with pytest.raises(PlanError, match=r"morris.factors: factor 'n_orgs'"):
        load_plan("custom", bad)
    bad.write_text(text.replace("designs: [national, per_goal]", "designs: [national, national]"))
    with pytest.raises(PlanError, match=r"designs=\['national', 'national'\]: expected two "
                                        "different designs"):
        load_plan("custom", bad)
    bad.write_text(text.replace("designs: [national, per_goal]", "designs: [hybrid, national]"))
    assert load_plan("custom", bad).designs == ("hybrid", "national")


def test_hybrid_only_parameters_are_inert_checks_only_without_hybrid() -> None:
    assert inert_factors(("national", "per_goal")) == (DUMMY, *HYBRID_ONLY)
    assert inert_factors(("none", "national")) == (DUMMY, *HYBRID_ONLY)
    for designs in (("hybrid", "national"), ("per_goal", "hybrid"), ("staged", "national")):
        assert inert_factors(designs) == (DUMMY,)


def test_command_line_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--size", "huge"])
    assert exit_info.value.code == 2
    assert main(["--workers", "0", "--out", str(tmp_path / "o")]) == 2
    assert "workers=0" in capsys.readouterr().err
    assert main(["--backend", "ray", "--out", str(tmp_path / "o")]) == 2
    assert "backend='ray': give the cluster's address" in capsys.readouterr().err
    assert main(["--report-only", "--out", str(tmp_path / "empty")]) == 2
    assert "no summary.json" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# --- the stage's runs are the model's runs, kept and reused ---------------------------------------

def test_stage_runs_equal_the_model_and_are_reused(tmp_path: Path) -> None:
    from sim import PartnershipModel

    factors = factors_by_name(["national_expertise", "bandwidth", "broker_candidates"])
    matrix = sobol_matrix(factors, 2, seed=5)[:2]
    _, configs = sample_table(factors, matrix)
    base = Base(("national", "per_goal"), (0, 1), 12, 200)
    runs = run_jobs(configs, base, tmp_path / "runs", workers=2)
    assert len(runs) == 2 * 2 * 2 and list(runs.columns[:3]) == ["config", "design", "seed"]
    name, overrides = next(iter(configs.items()))
    row = runs[(runs["config"] == name) & (runs["design"] == "per_goal") & (runs["seed"] == 1)]
    bare = PartnershipModel(rng=1, n_orgs=200, platform_design="per_goal", **overrides).run(12)
    assert row["partnerships_per_1000"].iloc[0] == bare["partnerships_per_1000"]
    assert row["outcome_total"].iloc[0] == bare["outcome_direct"] + bare["outcome_indirect"]
    again = run_jobs(configs, base, tmp_path / "runs", workers=1)
    pd.testing.assert_frame_equal(again, runs, check_exact=True)
    from sim.evaluate import read_manifest

    assert read_manifest(tmp_path / "runs")["batches"][-1]["runs_made"] == 0


# --- the pipeline's bookkeeping, with a stand-in for the model -----------------------------------

def _fake_run_jobs(configs: dict, base: Base, *_args: object, **_kwargs: object) -> pd.DataFrame:
    """Runs without the model: national's total outcome grows with bandwidth, per_goal's is
    fixed, so the design gap changes sign inside the bandwidth range."""
    rows = []
    for name, overrides in configs.items():
        scale = overrides["bandwidth"][0] / PARAM_FIELDS["bandwidth"].default[0]
        for design in base.designs:
            for seed in base.seeds:
                direct = 2.0 * scale if design == base.designs[0] else 2.5
                rows.append({"config": name, "design": design, "seed": seed,
                             "partnerships_per_1000": 10.0 * scale, "sme_participation": 0.3,
                             "outcome_direct": direct, "outcome_indirect": 0.0,
                             "failed_share": 0.2, "outcome_total": direct})
    return pd.DataFrame(rows)


@pytest.mark.filterwarnings("ignore:Constant values encountered")  # the stand-in's flat outputs
def test_pipeline_computes_morris_once_and_checks_inert_factors_by_design(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.sensitivity.pipeline as pipeline

    calls = []
    real = analyse.morris_indices

    def counted(*args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_jobs", _fake_run_jobs)
    monkeypatch.setattr(pipeline.analyse, "morris_indices", counted)
    monkeypatch.setattr(pipeline, "_figures", lambda *args: None)
    text = (Path(__file__).resolve().parents[1] / "configs" / "sensitivity" /
            "small.yaml").read_text()
    for designs, expected in (("[national, per_goal]", [DUMMY, *HYBRID_ONLY]),
                              ("[hybrid, national]", [DUMMY])):
        path = tmp_path / "plan.yaml"
        path.write_text(text.replace("[national, per_goal]", designs).replace("resamples: 500",
                                                                              "resamples: 50"))
        calls.clear()
        out = tmp_path / designs.strip("[]").replace(", ", "_")
        summary = run(load_plan("custom", path), out, workers=1)
        assert len(calls) == 1, designs
        assert list(summary["inert_checks"]) == expected
        assert all(v == 0 for v in summary["inert_checks"].values())
        n_points = 2 * 16
        assert summary["regions"]["accuracy"]["n"] == n_points
        assert pd.read_csv(out / "regions.csv")["n"].sum() == n_points
        assert "bandwidth" in summary["selected_factors"]


# --- the small pipeline end to end ---------------------------------------------------------------

def test_small_pipeline_end_to_end(tmp_path: Path) -> None:
    """The CI version of the whole analysis (about a minute): one test, so that parallel
    test workers do not each run it; each check below is a separate function."""
    out = tmp_path / "sensitivity"
    summary = run(load_plan("small"), out, workers=2)
    small = (out, summary)
    _writes_every_output(small)
    _indices_are_finite_with_intervals(small)
    _ranks_strong_factors_above_inert_ones(small)
    _report_names_the_top_three(small, tmp_path)
    _analysis_reproduces_from_its_tables(small)
    _notebook_reviews_the_outputs(small, tmp_path)


def _writes_every_output(small: tuple[Path, dict]) -> None:
    out, summary = small
    for name in ("morris_indices.csv", "sobol_indices.csv", "regions.csv", "morris_samples.csv",
                 "sobol_samples.csv", "morris_runs.parquet", "sobol_runs.parquet",
                 "summary.json", "morris_mu_sigma.png", "morris_heatmap.png",
                 "sobol_design_gap.png", "sobol_outcomes.png", "regions.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert not list(out.glob(".tmp-*"))
    assert json.loads((out / "summary.json").read_text())["selected_factors"] == \
        summary["selected_factors"]


def _indices_are_finite_with_intervals(small: tuple[Path, dict]) -> None:
    out, summary = small
    morris = pd.read_csv(out / "morris_indices.csv")
    sobol = pd.read_csv(out / "sobol_indices.csv")
    assert set(morris["output"]) == set(sobol["output"]) == set(
        analyse.output_names(("national", "per_goal")))
    for table, columns in ((morris, ["mu_star", "sigma", "mu_star_conf"]),
                           (sobol, ["S1", "S1_conf", "ST", "ST_conf"])):
        assert np.isfinite(table[columns].to_numpy()).all()
        assert (table[[c for c in columns if c.endswith("_conf")]] >= 0).all().all()
    assert len(summary["top_design_gap"]) == 3
    for row in summary["top_design_gap"]:
        assert all(math.isfinite(row[k]) for k in ("ST", "ST_conf", "S1", "S1_conf"))


def _ranks_strong_factors_above_inert_ones(small: tuple[Path, dict]) -> None:
    """The dummy and the two hybrid-only parameters cannot change a national or per-goal run:
    their Morris effects must be exactly zero on every output, and strictly below the
    factors that do matter; they must not be carried into the Sobol' stage. The tree is
    fitted on the 2 n independent Sobol' points only."""
    out, summary = small
    assert list(summary["inert_checks"]) == [DUMMY, "expertise_transfer", "coordination_cost"]
    morris = pd.read_csv(out / "morris_indices.csv")
    inert = morris[morris["factor"].isin(list(summary["inert_checks"]))]
    assert inert["factor"].nunique() == 3
    assert (inert["mu_star"] == 0).all()
    gap = morris[morris["output"] == "design_gap"].set_index("factor")["mu_star"]
    assert gap["bandwidth"] > 0 and gap["membership_overhead"] > 0
    assert gap.sort_values(ascending=False).index[0] not in inert["factor"].tolist()
    assert not {DUMMY, "expertise_transfer", "coordination_cost"} & set(
        summary["selected_factors"])
    rules = pd.read_csv(out / "regions.csv")
    assert len(rules) >= 2 and set(rules["winner"]) <= {"national", "per_goal"}
    n_points = 2 * load_plan("small").sobol_n
    assert rules["n"].sum() == n_points == summary["regions"]["accuracy"]["n"]
    assert summary["design_gap"]["n_points"] == n_points
    assert summary["design_gap"]["n_samples"] == len(pd.read_csv(out / "sobol_samples.csv"))


def _report_names_the_top_three(small: tuple[Path, dict], tmp_path: Path) -> None:
    out, summary = small
    docs = tmp_path / "docs" / "sensitivity.md"
    assert main(["--report-only", "--out", str(out), "--docs", str(docs)]) == 0
    text = docs.read_text()
    for row in summary["top_design_gap"]:
        assert f"`{row['factor']}`: ST = {row['ST']:.2f}" in text
    assert (docs.parent / "figures" / "sensitivity" / "regions.png").is_file()
    assert "wins" in text and "(out / " not in text
    # the small plan screens a few parameters, not all; the counts are independent points
    varied = len([f for f in summary["plan"]["morris_factors"] if f != DUMMY])
    assert f"varies {varied} of the {len(uncertain_factors())} uncertain parameters" in text
    assert f"Decision tree over the {2 * summary['plan']['sobol_n']} independent" in text
    assert "Other outcomes" not in text and "common seeds across samples the dummy" not in text


def _analysis_reproduces_from_its_tables(small: tuple[Path, dict]) -> None:
    out, summary = small
    before = pd.read_csv(out / "sobol_indices.csv")
    assert main(["--analyse-only", "--out", str(out)]) == 0
    after = pd.read_csv(out / "sobol_indices.csv")
    pd.testing.assert_frame_equal(before, after)
    again = json.loads((out / "summary.json").read_text())
    assert again["top_design_gap"] == summary["top_design_gap"]
    assert again["timing"] == summary["timing"]


def _notebook_reviews_the_outputs(small: tuple[Path, dict], tmp_path: Path) -> None:
    """notebooks/sensitivity.py runs on the outputs (papermill) and shows the top factor and
    the passed check; on a folder without outputs and no fallback it says so, no error."""
    import jupytext
    import papermill

    out, summary = small
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "sensitivity.py"
    rendered = tmp_path / "sensitivity.ipynb"
    jupytext.write(jupytext.read(notebook), rendered)
    texts = []
    for results, cwd in ((out, tmp_path), (tmp_path / "nothing", tmp_path)):
        executed = tmp_path / f"executed_{len(texts)}.ipynb"
        papermill.execute_notebook(str(rendered), str(executed),
                                   parameters={"results_dir": str(results)},
                                   kernel_name="python3", cwd=str(cwd), progress_bar=False)
        cells = json.loads(executed.read_text())["cells"]
        outputs = [o for c in cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"]
        texts.append(json.dumps(outputs))
    assert summary["top_design_gap"][0]["factor"] in texts[0]
    assert "Check passed" in texts[0] and "image/png" in texts[0]
    assert "No sensitivity outputs" in texts[1] and "image/png" not in texts[1]


def test_the_estimate_measures_the_plans_own_runs_and_extrapolates() -> None:
    from sim.sensitivity.estimate import estimate, plan_runs

    plan = load_plan("small")
    result = estimate(plan, workers=1, configs=1)
    per_config = len(plan.designs) * len(plan.seeds)
    assert result["measured_runs"] == per_config
    assert result["runs_upper_bound"] == plan_runs(plan)
    assert result["estimated_hours"] == pytest.approx(
        plan_runs(plan)["total"] * result["measured_wall_s_per_run"] / 3600, abs=0.01)

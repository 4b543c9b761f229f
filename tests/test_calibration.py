"""The calibration machinery (sim/calibration/): its bad-input rules, the parameter space, the
posterior file, and the method itself on a synthetic model whose truth is known exactly.

The synthetic evaluator stands in for the model (no model runs): each output is a noisy
function of one or two parameters, and one parameter moves no output, so the method must
recover the first and say it cannot identify the last. The identical twin on the real model
is tests/test_calibration_twin.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.calibration import (
    LayerEvaluator,
    ParameterSpace,
    PlanError,
    PosteriorError,
    SpaceError,
    TargetError,
    load_plan,
    load_posterior,
    load_targets,
)
from sim.calibration import space as space_module
from sim.calibration.__main__ import main
from sim.calibration.evaluator import StoredEvaluator
from sim.calibration.pipeline import calibrate
from sim.calibration.targets import require_outputs
from sim.params import PARAM_FIELDS, make_params

ENTRY = {"name": "fail", "output": "failed_share", "output_status": "existing",
         "statistic": "mean", "low": 0.3, "high": 0.7, "strength": "surveyed",
         "use": "calibration", "source": {"author": "A", "year": 2000, "title": "T"}}


def _write_targets(path: Path, entries: list) -> Path:
    path.write_text(yaml.safe_dump({"targets": entries}))
    return path


# --- targets: bad input is refused, naming the file and the entry -----------------------------

def test_the_illustrative_target_set_loads_and_says_it_is_illustrative() -> None:
    ts = load_targets("illustrative")
    assert {t.use for t in ts.targets} == {"calibration", "validation"}
    assert "ILLUSTRATIVE" in ts.path.read_text()
    assert all(t.source["title"] for t in ts.targets)


def test_an_unknown_target_set_is_refused_with_the_known_ones() -> None:
    with pytest.raises(TargetError, match=r"target set 'nope': unknown; known sets .*illustrative"):
        load_targets("nope")


@pytest.mark.parametrize("change, message", [
    ({"low": 0.8}, r"target 'fail': low=0.8 is not below high=0.7"),
    ({"statistic": "mode"}, r"target 'fail': statistic='mode': allowed values are mean, median"),
    ({"strength": "strong"}, r"target 'fail': strength='strong': allowed values"),
    ({"use": "both"}, r"target 'fail': use='both'"),
    ({"hgih": 1.0}, r"target 'fail': unknown key 'hgih'"),
    ({"low": "low"}, r"target 'fail': low='low': expected a finite number"),
    ({"source": {"author": "A"}}, r"target 'fail': source lacks 'year'"),
])
def test_a_malformed_entry_is_refused_naming_file_and_entry(tmp_path: Path, change: dict,
                                                            message: str) -> None:
    path = _write_targets(tmp_path / "t.yaml", [{**ENTRY, **change}])
    with pytest.raises(TargetError, match=message) as err:
        load_targets(path)
    assert str(path) in str(err.value)


def test_an_entry_without_a_name_or_not_a_mapping_is_named_by_position(tmp_path: Path) -> None:
    path = _write_targets(tmp_path / "t.yaml", [ENTRY, "fail"])
    with pytest.raises(TargetError, match=r"t.yaml: target #2: expected a mapping"):
        load_targets(path)
    no_name = {k: v for k, v in ENTRY.items() if k != "name"}
    path = _write_targets(tmp_path / "t.yaml", [no_name])
    with pytest.raises(TargetError, match=r"target #1: missing key 'name'"):
        load_targets(path)
    path = _write_targets(tmp_path / "t.yaml", [ENTRY, ENTRY])
    with pytest.raises(TargetError, match=r"target 'fail': the name appears twice"):
        load_targets(path)
    (tmp_path / "bad.yaml").write_text("targets: [unclosed")
    with pytest.raises(TargetError, match=r"bad.yaml: cannot be read as YAML"):
        load_targets(tmp_path / "bad.yaml")


def test_outputs_missing_from_the_run_summary_are_refused_with_the_reason(tmp_path: Path) -> None:
    outputs = LayerEvaluator().outputs()
    path = _write_targets(tmp_path / "t.yaml", [
        ENTRY, {**ENTRY, "name": "typo", "output": "failed_shaer"},
        {**ENTRY, "name": "later", "output": "ratio", "output_status": "proposed"}])
    ts = load_targets(path)
    with pytest.raises(TargetError, match=r"target 'typo': output 'failed_shaer' is not a "
                                          r"column of the run summary; known outputs are .*"
                                          r"failed_share"):
        load_targets(path, outputs)
    with pytest.raises(TargetError, match=r"t.yaml: target 'later': output 'ratio' is proposed "
                                          r"and not yet in the run summary"):
        require_outputs(path, ts.select(drop=["typo"]), outputs)
    assert [t.name for t in ts.select(drop=["typo", "later"])] == ["fail"]
    with pytest.raises(TargetError, match=r"t.yaml: drop names target 'nope', which is not in "
                                          r"the set"):
        ts.select(drop=["nope"])
    with pytest.raises(TargetError, match=r"targets names target 'nope'"):
        ts.select(names=["nope"])


# --- the parameter space is read from the schema -----------------------------------------------

def test_every_parameter_with_a_plausible_range_is_calibrated_by_default() -> None:
    space = ParameterSpace.from_plan("all")
    expected = [n for n, f in PARAM_FIELDS.items()
                if f.metadata.get("plausible") is not None
                or f.metadata.get("plausible_choices") is not None]
    assert space.names == expected and len(expected) > 40
    switches = [p.name for p in space.parameters if p.kind == "choice"]
    assert "national_budget_split" in switches  # structural switches are calibrated too
    values = space.values(space.uniform(5, np.random.default_rng(0)))
    for _, row in values.iterrows():
        make_params(**space.model_kwargs(row))  # every draw is a valid parameter set
    kinds = {p.name: p.kind for p in space.parameters}
    assert kinds["bandwidth"] == "factor" and kinds["broker_candidates"] == "int"
    bandwidth = next(p for p in space.parameters if p.name == "bandwidth")
    assert bandwidth.model_value(2.0) == [2 * v for v in PARAM_FIELDS["bandwidth"].default]
    back = space.values(space.points(values))
    numeric = [p.name for p in space.parameters
               if p.kind not in ("choice", "int") and p.name != "event_contacts"]
    assert np.allclose(back[numeric].astype(float), values[numeric].astype(float))
    assert back[switches].equals(values[switches])


def test_a_schema_entry_with_plausible_choices_becomes_a_categorical_parameter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    meta = {**PARAM_FIELDS["platform_design"].metadata,
            "plausible_choices": ("national", "per_goal", "hybrid")}

    @dataclasses.dataclass
    class Switch:
        platform_design: str = dataclasses.field(default="national", metadata=meta)

    monkeypatch.setattr(space_module, "PARAM_FIELDS",
                        {**PARAM_FIELDS, "platform_design": dataclasses.fields(Switch)[0]})
    space = ParameterSpace.from_plan(["trust", "platform_design"])
    p = space.parameters[1]
    assert p.categorical and p.choices == ("national", "per_goal", "hybrid")
    points = space.sample(30, np.random.default_rng(1))
    assert sorted(set(points[:, 1])) == [0.0, 1.0, 2.0]  # every choice drawn, balanced
    assert (np.bincount(points[:, 1].astype(int)) == 10).all()
    assert space.features(points).shape == (30, 1 + 3)  # one-hot for the emulators
    assert set(space.values(points)["platform_design"]) == {"national", "per_goal", "hybrid"}
    bad = {**meta, "plausible_choices": ("national", "nowhere")}

    @dataclasses.dataclass
    class Bad:
        platform_design: str = dataclasses.field(default="national", metadata=bad)

    monkeypatch.setattr(space_module, "PARAM_FIELDS",
                        {**PARAM_FIELDS, "platform_design": dataclasses.fields(Bad)[0]})
    with pytest.raises(SpaceError, match=r"'nowhere' is not an allowed value"):
        ParameterSpace.from_plan(["platform_design"])


def test_a_plan_naming_a_parameter_without_a_range_is_refused() -> None:
    with pytest.raises(SpaceError, match=r"parameter 'n_orgs': not an uncertain parameter"):
        ParameterSpace.from_plan(["trust", "n_orgs"])
    with pytest.raises(SpaceError, match=r"'trust' is both calibrated and fixed"):
        ParameterSpace.from_plan(["trust"], fixed={"trust": 0.3})


# --- a synthetic model with a known truth -------------------------------------------------------

TRUTH = {"fragility": 0.02, "objective_months": 60.0, "health_floor": 0.2,
         "ba_representation": True}


class Synthetic:
    """Outputs that depend on known parameters: y_frag on fragility, y_obj on objective
    months, y_ba on the categorical switch; health_floor moves nothing."""

    def __init__(self, fail_after: int | None = None):
        self.calls = 0
        self.fail_after = fail_after

    def outputs(self) -> set[str]:
        return {"y_frag", "y_obj", "y_ba", "seed", "run_key"}

    def evaluate(self, batch: pd.DataFrame, *, steps: int) -> pd.DataFrame:
        rows = []
        for _, row in batch.iterrows():
            self.calls += 1
            if self.fail_after is not None and self.calls > self.fail_after:
                raise KeyboardInterrupt("killed")
            noise = np.random.default_rng(int(row["seed"]) + int(1e6 * row["fragility"]))
            rows.append({"run_key": f"k{self.calls}", "seed": row["seed"],
                         "y_frag": 100 * row["fragility"] + noise.normal(0, 0.1),
                         "y_obj": row["objective_months"] / 12 + noise.normal(0, 0.1),
                         "y_ba": float(row["ba_representation"]) + noise.normal(0, 0.05)})
        return pd.DataFrame(rows)


def _synthetic_plan(tmp_path: Path) -> Path:
    targets = [{**ENTRY, "name": "frag", "output": "y_frag", "low": 1.7, "high": 2.3},
               {**ENTRY, "name": "obj", "output": "y_obj", "low": 4.6, "high": 5.4},
               {**ENTRY, "name": "ba", "output": "y_ba", "low": 0.8, "high": 1.2},
               {**ENTRY, "name": "held", "output": "y_frag", "low": 1.0, "high": 3.0,
                "use": "validation"}]
    _write_targets(tmp_path / "synthetic_targets.yaml", targets)
    plan = {"name": "synthetic", "targets": str(tmp_path / "synthetic_targets.yaml"),
            "scenario": {"n_orgs": 50}, "steps": 2, "seeds": 2, "seed": 3,
            "parameters": ["fragility", "objective_months", "health_floor"],
            "choices": {"ba_representation": [False, True]},
            "history_matching": {"waves": 2, "design": 32, "pool": 2048},
            "abc": {"population": 30, "generations": 3, "max_simulations": 300},
            "diagnostics": {"ppc_sets": 10, "ppc_seeds": 2, "loto_pool": 4000}}
    path = tmp_path / "synthetic.yaml"
    path.write_text(yaml.safe_dump(plan))
    return path


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    plan_path = _synthetic_plan(folder)
    summary = calibrate(load_plan(plan_path), folder / "out", evaluator=Synthetic(),
                        log=lambda _: None)
    return folder / "out", summary, plan_path


def test_the_synthetic_truth_is_recovered_and_the_inert_parameter_is_unidentified(
        synthetic: tuple[Path, dict, Path]) -> None:
    root, summary, _ = synthetic
    params = pd.read_csv(root / "synthetic" / "diagnostics" / "parameters.csv")
    by_name = params.set_index("parameter")
    assert set(summary["identified"]) == {"fragility", "objective_months", "ba_representation"}
    assert summary["unidentified"] == ["health_floor"]
    # truth inside the intervals; narrow where a target pins the parameter
    assert by_name.loc["fragility", "lower"] <= TRUTH["fragility"] <= by_name.loc["fragility",
                                                                                   "upper"]
    assert by_name.loc["fragility", "width_ratio"] < 0.35
    lo, hi = by_name.loc["objective_months", ["lower", "upper"]]
    assert lo <= TRUTH["objective_months"] <= hi
    assert by_name.loc["ba_representation", "interval"] == "True"
    assert by_name.loc["health_floor", "width_ratio"] > 0.75
    assert summary["nroy_share"][-1] < 0.2  # history matching ruled most of the space out
    assert summary["abc"]["reached_min_epsilon"]
    # posterior-predictive: most ensemble members fall in every range; the held-back target too
    assert all(v >= 0.6 for v in summary["ppc_share_inside"].values()), summary
    assert summary["held_back"] == ["held"]
    assert summary["ppc_share_inside"]["frag"] > summary["prior_share_inside"]["frag"]


def test_the_diagnostics_tables_say_which_target_constrains_which_parameter(
        synthetic: tuple[Path, dict, Path]) -> None:
    root, _, _ = synthetic
    loto = pd.read_csv(root / "synthetic" / "diagnostics" / "leave_one_out.csv")
    loto = loto.set_index("condition")
    assert loto.loc["all targets", "nroy_share"] < loto.loc["without frag", "nroy_share"]
    # fragility is pinned by `frag` alone; dropping it frees fragility
    assert loto.loc["only frag", "fragility"] < 0.5 < loto.loc["without frag", "fragility"]
    assert loto.loc["only frag", "objective_months"] > 0.9
    corr = pd.read_csv(root / "synthetic" / "diagnostics" / "correlations.csv", index_col=0)
    assert list(corr.columns) == ["fragility", "objective_months", "health_floor"]
    assert np.allclose(np.diag(corr.to_numpy()), 1.0)
    report = (root / "synthetic" / "diagnostics" / "report.md").read_text()
    assert "Posterior-predictive check" in report and "health_floor" in report


def test_the_posterior_loads_by_name_and_refuses_mismatches(
        synthetic: tuple[Path, dict, Path], tmp_path: Path) -> None:
    root, _, _ = synthetic
    post = load_posterior("synthetic", root)
    assert list(post.sets.columns) == ["fragility", "objective_months", "health_floor",
                                       "ba_representation", "weight"]
    assert post.provenance["targets_digest"] and post.provenance["code_digest"]
    assert post.provenance["seeds"] == [3000, 3001]
    kwargs = post.model_kwargs()
    assert kwargs[0]["n_orgs"] == 50 and len(kwargs) == len(post.sets)
    drawn = post.sample(7, seed=1)
    assert len(drawn) == 7 and drawn.equals(post.sample(7, seed=1))
    overrides = post.overrides(drawn)
    assert set(overrides[0]) == {"fragility", "objective_months", "health_floor",
                                 "ba_representation"}
    assert overrides[0]["ba_representation"] in (True, False)

    with pytest.raises(PosteriorError, match=r"posterior 'nope': no posterior.parquet .*known "
                                             r"posteriors are synthetic"):
        load_posterior("nope", root)
    copy = tmp_path / "copy"
    import shutil

    def fresh_copy() -> Path:
        if copy.exists():
            shutil.rmtree(copy)
        shutil.copytree(root / "synthetic", copy / "p", ignore=shutil.ignore_patterns("runs"))
        return copy / "p"

    folder = fresh_copy()
    info = json.loads((folder / "posterior.json").read_text())
    (folder / "posterior.json").write_text(json.dumps({**info, "code_digest": "0.0.1+abc"}))
    with pytest.raises(PosteriorError, match=r"posterior.json: calibrated with code '0.0.1\+abc'"):
        load_posterior("p", copy)
    assert len(load_posterior("p", copy, check_code=False).sets) == len(post.sets)

    folder = fresh_copy()
    info["parameters"][0] = {**info["parameters"][0], "hi": 0.5}
    (folder / "posterior.json").write_text(json.dumps(info))
    with pytest.raises(PosteriorError, match=r"parameter 'fragility' was calibrated as .* the "
                                             r"current schema declares"):
        load_posterior("p", copy)

    folder = fresh_copy()
    info = json.loads((root / "synthetic" / "posterior.json").read_text())
    info["parameters"][0] = {**info["parameters"][0], "name": "fragillity"}
    (folder / "posterior.json").write_text(json.dumps(info))
    with pytest.raises(PosteriorError, match=r"parameter 'fragillity' is not an uncertain"):
        load_posterior("p", copy)

    folder = fresh_copy()
    (folder / "posterior.parquet").write_bytes(b"not parquet")
    with pytest.raises(PosteriorError, match=r"p/posterior.parquet: cannot be read as Parquet"):
        load_posterior("p", copy)
    (folder / "posterior.json").write_text("{")
    with pytest.raises(PosteriorError, match=r"p/posterior.json: cannot be read as JSON"):
        load_posterior("p", copy)

    folder = fresh_copy()
    sets = pd.read_parquet(folder / "posterior.parquet").drop(columns=["health_floor"])
    sets.to_parquet(folder / "posterior.parquet")
    with pytest.raises(PosteriorError, match=r"columns .* do not match the parameters"):
        load_posterior("p", copy)


def test_a_killed_calibration_continues_where_it_stopped(synthetic: tuple[Path, dict, Path],
                                                        tmp_path: Path) -> None:
    reference, whole, plan_path = synthetic
    plan = load_plan(plan_path)
    with pytest.raises(KeyboardInterrupt):
        calibrate(plan, tmp_path, evaluator=Synthetic(fail_after=90), log=lambda _: None)
    kept = len(StoredEvaluator(Synthetic(), tmp_path / "synthetic" / "runs" /
                               json.loads((tmp_path / "synthetic" / "plan.json").read_text())
                               ["code_digest"]))
    assert 64 <= kept <= 90  # finished chunks were kept
    resumed = calibrate(plan, tmp_path, evaluator=Synthetic(), log=lambda _: None)
    assert resumed["runs_evaluated_now"] == whole["runs_evaluated_now"] - kept
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "synthetic" / "posterior.parquet"),
                                  pd.read_parquet(reference / "synthetic" / "posterior.parquet"))
    again = calibrate(plan, tmp_path, evaluator=Synthetic(), log=lambda _: None)
    assert again["runs_evaluated_now"] == 0  # everything, ABC populations included, was kept


# --- the plan and the command line ---------------------------------------------------------------

def test_the_shipped_plans_load() -> None:
    small, full = load_plan("small"), load_plan("full")
    assert small.is_twin and not full.is_twin and full.parameters == "all"
    from sim.params import make_params
    from sim.worlds import load_countries

    world = load_countries(make_params(**full.scenario))
    assert len(world) > 1 and world.n_orgs.mean() >= 10_000  # several country-sized countries
    assert full.targets == "core"
    assert small.run_budget()["total"] < 1000 < full.run_budget()["total"]


@pytest.mark.parametrize("plan, message", [
    ({"targets": "nope"}, r"target set 'nope': unknown"),
    ({"targets": "core"}, r"core.yaml: target 'private_cofinance_share': output .* is "
                          r"proposed"),
    ({"targets": "illustrative", "drop_targets": ["nope"]}, r"drop names target 'nope'"),
    ({"targets": "illustrative", "parameters": ["n_orgs"]}, r"parameter 'n_orgs': not an "
                                                            r"uncertain parameter"),
    ({"targets": "illustrative", "abc": {"populaton": 3}}, r"abc.populaton: unknown key"),
    ({"targets": "illustrative", "steps": 0}, r"steps=0: expected an integer of at least 1"),
    ({"targets": "illustrative", "scenario": {"n_orgs": -1}}, r"n_orgs=-1: allowed range"),
    ({"twin": {"truth": {"fragility": 0.9}, "outputs": ["failed_share"]},
      "parameters": ["fragility"]}, r"twin.truth: fragility=0.9 lies outside"),
    ({"twin": {"truth": {}, "outputs": ["failed_shar"]}, "parameters": ["fragility"]},
     r"twin.outputs names 'failed_shar'"),
    ({}, r"give `targets` \(a target set\) or a `twin` section"),
])
def test_bad_input_exits_2_before_any_run_and_writes_nothing(tmp_path: Path, capsys,
                                                             plan: dict, message: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"parameters": ["fragility"], **plan}))
    out = tmp_path / "out"
    assert main(["--size", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    assert re.search(message, err), err
    assert not out.exists()


def test_an_unknown_size_names_the_known_ones(capsys) -> None:
    assert main(["--size", "huge"]) == 2
    assert "size='huge': no plan" in capsys.readouterr().err
    with pytest.raises(PlanError, match="known sizes are full, small"):
        load_plan("huge")


def test_each_target_is_computed_on_runs_of_the_design_its_scope_names(tmp_path) -> None:
    """A target scoped `design=none` reads runs without platforms, one scoped
    `design=national` runs with national platforms: each parameter set is run once per
    design the targets need, with the same seeds."""
    from sim.calibration.pipeline import Runner
    from sim.calibration.targets import Target

    class ByDesign:
        seen: list[str] = []

        def evaluate(self, batch: pd.DataFrame, *, steps: int) -> pd.DataFrame:
            self.seen.extend(batch["platform_design"])
            return pd.DataFrame({"run_key": range(len(batch)), "seed": batch["seed"],
                                 "y": [10.0 if d == "none" else 1.0
                                       for d in batch["platform_design"]]})

    def target(name: str, scope: str | None) -> Target:
        return Target(name=name, output="y", statistic="mean", low=0, high=20,
                      strength="measured", use="calibration", scope=scope)

    space = ParameterSpace.from_plan(["fragility"])
    evaluator = ByDesign()
    runner = Runner(space, evaluator, 12, [target("alone", "design=none; steps=12"),
                                           target("hosted", "design=national"),
                                           target("unscoped", None)])
    assert runner.designs == ["none", "national"]
    stats = runner.statistics(np.array([[0.2], [0.7]]), seeds=[0, 1, 2])
    assert list(stats["alone"]) == [10.0, 10.0] and list(stats["hosted"]) == [1.0, 1.0]
    assert list(stats["unscoped"]) == [1.0, 1.0]  # the default design, national
    assert evaluator.seen.count("none") == 6 and evaluator.seen.count("national") == 6
    fixed = Runner(ParameterSpace.from_plan(["fragility"], {"platform_design": "hybrid"}),
                   ByDesign(), 12, [target("alone", "design=none")])
    assert fixed.designs == ["hybrid"]  # a scenario that fixes the design keeps it

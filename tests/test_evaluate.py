"""The evaluation layer: batches, identical results on every backend, datasets, resume, keys."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import PartnershipModel
from sim.evaluate import (
    BatchError,
    StaleDatasetError,
    evaluate,
    make_batch,
    read_manifest,
    read_steps,
    read_summary,
    run_batch,
)
from sim.outcomes import DERIVED, OUTCOMES, outcome

BATCH = pd.DataFrame({"seed": [0, 1, 2, 0, 1, 2],
                      "platform_design": ["national"] * 3 + ["per_goal"] * 3,
                      "n_orgs": 150})
STEPS = 12


@pytest.fixture(scope="module")
def local() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The batch run in this process, in memory: the reference for every other way."""
    result = run_batch(BATCH, steps=STEPS, per_step=True)
    return result.summary, result.steps


# --- batches -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("batch", "message"), [
    (pd.DataFrame({"n_orgs": [100]}), "no `seed` column"),
    (pd.DataFrame({"seed": [0], "trsut": [0.3]}), "batch column 'trsut': not a model parameter"),
    (pd.DataFrame({"seed": [0, 1], "trust": [0.3, 1.5]}), r"batch row 1: trust=1.5"),
    (pd.DataFrame({"seed": [-1]}), r"batch row 0: seed=-1: allowed range"),
    (pd.DataFrame({"seed": [0], "steps": [2.5]}), r"batch row 0: steps=2.5: expected an integer"),
])
def test_bad_batches_are_refused_naming_the_row_or_column(batch, message) -> None:
    with pytest.raises(BatchError, match=message):
        make_batch(batch, steps=12)


def test_steps_are_required_and_labels_are_not_model_inputs() -> None:
    with pytest.raises(BatchError, match="steps: give the months"):
        make_batch(pd.DataFrame({"seed": [0]}))
    with pytest.raises(BatchError, match="label 'trust': a model input cannot"):
        make_batch(pd.DataFrame({"seed": [0], "trust": [0.3]}), 12, labels=["trust"])
    keyed = make_batch(pd.DataFrame({"seed": [0, 0], "arm": ["a", "b"]}), 12, labels=["arm"])
    assert keyed.row_keys[0] == keyed.row_keys[1] and len(keyed.runs) == 1


def test_each_distinct_parameter_set_is_validated_once(monkeypatch) -> None:
    import sim.evaluate.batch as batch

    calls = []
    real = batch.make_params
    monkeypatch.setattr(batch, "make_params", lambda **kw: calls.append(kw) or real(**kw))
    keyed = make_batch(pd.DataFrame({"seed": range(200), "trust": [0.3, 0.4] * 100}), 12)
    assert len(calls) == 2 and len(keyed.runs) == 200


def test_run_keys_change_with_code_seed_months_and_parameters(monkeypatch) -> None:
    import sim.evaluate.batch as batch

    base = make_batch(pd.DataFrame({"seed": [0]}), 12).row_keys[0]
    assert make_batch(pd.DataFrame({"seed": [1]}), 12).row_keys[0] != base
    assert make_batch(pd.DataFrame({"seed": [0]}), 13).row_keys[0] != base
    assert make_batch(pd.DataFrame({"seed": [0], "trust": [0.31]}), 12).row_keys[0] != base
    default_trust = make_batch(pd.DataFrame({"seed": [0], "trust": [0.5]}), 12).row_keys[0]
    from sim.params import PARAM_FIELDS

    assert (default_trust == base) == (PARAM_FIELDS["trust"].default == 0.5)
    monkeypatch.setattr(batch, "code_digest", lambda: "other-code")
    assert make_batch(pd.DataFrame({"seed": [0]}), 12).row_keys[0] != base


# --- identical results -------------------------------------------------------------------------

def test_results_follow_the_batch_order_and_repeat_repeated_rows(local) -> None:
    summary, steps = local
    assert list(summary["seed"]) == list(BATCH["seed"])
    assert list(summary["platform_design"]) == list(BATCH["platform_design"])
    reordered = BATCH.iloc[[5, 0, 0, 3]].reset_index(drop=True)
    again = evaluate(reordered, steps=STEPS)
    expected = summary.iloc[[5, 0, 0, 3]].reset_index(drop=True)
    pd.testing.assert_frame_equal(again, expected, check_exact=True)
    assert len(steps) == len(BATCH) * STEPS
    assert list(steps["run_key"].drop_duplicates()) == list(summary["run_key"])


def test_a_run_equals_the_bare_model_with_the_same_parameters_and_seed(local) -> None:
    summary, steps = local
    model = PartnershipModel(rng=2, n_orgs=150, platform_design="per_goal")
    bare = model.run(STEPS)
    row = summary.iloc[5]
    for name, value in bare.items():
        assert row[name] == value or (np.isnan(value) and np.isnan(row[name])), name
    series = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    mine = steps[steps["run_key"] == row["run_key"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[series.columns], series, check_exact=True)


def test_two_workers_and_a_dataset_give_identical_tables(local, tmp_path) -> None:
    result = run_batch(BATCH, steps=STEPS, out=tmp_path / "d", workers=2, per_step=True)
    pd.testing.assert_frame_equal(result.summary, local[0], check_exact=True)
    pd.testing.assert_frame_equal(result.steps, local[1], check_exact=True)


def test_submitit_local_backend_gives_identical_tables(local, tmp_path) -> None:
    result = run_batch(BATCH, steps=STEPS, out=tmp_path / "d", backend="submitit_local",
                       workers=2, per_step=True, options={"timeout_min": 10})
    pd.testing.assert_frame_equal(result.summary, local[0], check_exact=True)
    pd.testing.assert_frame_equal(result.steps, local[1], check_exact=True)


def test_derived_outcomes_follow_their_declaration(local) -> None:
    summary, steps = local
    row = summary.iloc[0]
    mine = steps[steps["run_key"] == row["run_key"]]
    orgs = row["n_orgs"] * row["n_countries"]
    assert row["trained_per_org"] == pytest.approx(mine["trained"].sum() / orgs)
    assert row["skill_sme_end"] == pytest.approx(mine["skill_sme"].tail(12).mean())
    assert row["outcome_total"] == row["outcome_direct"] + row["outcome_indirect"]
    assert {o.name for o in OUTCOMES} <= set(summary.columns)
    assert all(o.derive for o in DERIVED) and outcome("failed_share").better == "lower"
    with pytest.raises(KeyError, match="not declared"):
        outcome("happiness")


# --- datasets ----------------------------------------------------------------------------------

def test_a_dataset_opens_as_one_table_in_pandas_polars_and_duckdb(tmp_path, local) -> None:
    import duckdb
    import polars as pl

    out = tmp_path / "d"
    evaluate(BATCH, steps=STEPS, out=out, per_step=True, chunk_size=2)
    assert len(list((out / "summary").glob("*.parquet"))) == 3
    by_pandas = pd.read_parquet(out / "summary")
    by_polars = pl.read_parquet(out / "summary" / "*.parquet")
    by_duckdb = duckdb.sql(f"SELECT * FROM read_parquet('{out}/summary/*.parquet')").df()
    for frame in (by_pandas, by_polars.to_pandas(), by_duckdb):
        assert len(frame) == 6 and set(frame["run_key"]) == set(local[0]["run_key"])
    steps = duckdb.sql(f"SELECT run_key, count(*) AS n FROM read_parquet('{out}/steps/*.parquet')"
                       " GROUP BY run_key").df()
    assert len(steps) == 6 and (steps["n"] == STEPS).all()
    assert pl.scan_parquet(out / "steps" / "*.parquet").select(pl.len()).collect().item() == 72


def test_provenance_is_written_once_per_batch(tmp_path) -> None:
    out = tmp_path / "d"
    evaluate(BATCH.iloc[:3], steps=STEPS, out=out)
    evaluate(BATCH, steps=STEPS, out=out)
    manifest = read_manifest(out)
    assert [b["runs_made"] for b in manifest["batches"]] == [3, 3]
    assert [b["runs_already_done"] for b in manifest["batches"]] == [0, 3]
    assert {"git_commit", "versions", "host", "started", "ended", "backend"} <= set(
        manifest["batches"][0])
    assert len(read_summary(out)) == 6


def test_another_codes_dataset_is_refused_or_replaced(tmp_path, caplog) -> None:
    out = tmp_path / "d"
    evaluate(BATCH.iloc[:2], steps=STEPS, out=out)
    manifest = json.loads((out / "dataset.json").read_text())
    manifest["code_digest"] = "0123456789abcdef"
    (out / "dataset.json").write_text(json.dumps(manifest))
    with pytest.raises(StaleDatasetError, match="holds runs of other code"):
        evaluate(BATCH.iloc[:2], steps=STEPS, out=out)
    with caplog.at_level(logging.WARNING, logger="sim.evaluate"):
        result = run_batch(BATCH.iloc[:2], steps=STEPS, out=out, replace_stale=True)
    assert result.ran == 2 and "removed them" in caplog.text
    assert len(read_summary(out)) == 2


def test_leftovers_of_a_killed_commit_are_removed_with_a_note(tmp_path, caplog, local) -> None:
    out = tmp_path / "d"
    evaluate(BATCH.iloc[:3], steps=STEPS, out=out, per_step=True, chunk_size=1)
    # A kill between the two renames of a commit leaves a monthly part without its summary
    # part; a kill while writing leaves files in .staging.
    (part,) = [p for p in sorted((out / "summary").glob("*.parquet"))][-1:]
    part.unlink()
    (out / ".staging").mkdir()
    (out / ".staging" / "summary-part-x.parquet").write_bytes(b"PAR1 half written")
    assert len(read_steps(out)) == 2 * STEPS  # the orphan monthly part is never read
    with caplog.at_level(logging.WARNING, logger="sim.evaluate"):
        result = run_batch(BATCH, steps=STEPS, out=out, per_step=True)
    assert "unfinished part file" in caplog.text and "without a summary part" in caplog.text
    assert (result.ran, result.reused) == (4, 2)
    pd.testing.assert_frame_equal(result.summary, local[0], check_exact=True)
    pd.testing.assert_frame_equal(result.steps, local[1], check_exact=True)


def test_a_dataset_is_written_by_one_batch_at_a_time(tmp_path) -> None:
    from sim.evaluate.store import DatasetError, opened

    with opened(tmp_path / "d", per_step=False), pytest.raises(DatasetError, match="another"):
        evaluate(BATCH, steps=STEPS, out=tmp_path / "d")


SCRIPT = textwrap.dedent("""
    import sys
    import pandas as pd
    from sim.evaluate import run_batch
    if __name__ == "__main__":
        batch = pd.DataFrame({"seed": range(10), "n_orgs": 3000})
        r = run_batch(batch, steps=60, out=sys.argv[1], workers=int(sys.argv[2]),
                      per_step=True, chunk_size=1)
        print("made", r.ran, "reused", r.reused)
""")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_killed_batch_reruns_only_the_missing_runs_each_once(tmp_path, workers) -> None:
    """A real kill (SIGKILL of the batch and its workers), then the same batch again."""
    out = tmp_path / "d"
    script = tmp_path / "batch.py"
    script.write_text(SCRIPT)
    command = [sys.executable, str(script), str(out), str(workers)]
    batch = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list((out / "summary").glob("*.parquet"))
                                              if (out / "summary").is_dir() else []) < 3:
        time.sleep(0.1)
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    done = set(read_summary(out)["run_key"])
    assert 3 <= len(done) < 10
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"made {10 - len(done)} reused {len(done)}" in rerun.stdout
    summary = read_summary(out)
    assert len(summary) == 10 and summary["run_key"].is_unique
    steps = read_steps(out)
    assert len(steps) == 10 * 60 and not steps.duplicated(["run_key", "step"]).any()
    straight = run_batch(pd.DataFrame({"seed": range(10), "n_orgs": 3000}), steps=60,
                         per_step=True)
    order = summary.set_index("run_key").loc[straight.summary["run_key"]].reset_index()
    pd.testing.assert_frame_equal(order[straight.summary.columns], straight.summary,
                                  check_exact=True)


# --- Mesa agents on demand ---------------------------------------------------------------------

def test_agents_are_built_on_first_use_as_real_mesa_agents() -> None:
    model = PartnershipModel(n_orgs=150, rng=3)
    model.run(3)
    assert model._org_agents is None  # the numba engine never needed them
    agents = model.agents
    assert len(agents) == model.n_total + len(model.platform_agents)
    assert all(isinstance(a, mesa.Agent) for a in agents)
    assert model.organisation(7).row == 7 and model.organisation(7).model is model
    assert [a.unique_id for a in agents] == list(range(1, len(agents) + 1))
    eager = PartnershipModel(n_orgs=150, rng=3)
    _ = eager.agents  # built before any step
    eager.run(3)
    assert eager.summary() == pytest.approx(model.summary(), nan_ok=True)
    assert set(model.agent_types) == set(model.agents_by_type)


def test_mesa_batch_run_still_works() -> None:
    results = mesa.batch_run(PartnershipModel,
                             parameters={"platform_design": ["none", "national"], "n_orgs": 120},
                             rng=[0, 1], max_steps=4, display_progress=False)
    assert len(results) == 4 and {r["platform_design"] for r in results} == {"none", "national"}
    assert all(r["Step"] == 4 for r in results)


# --- the model as a function ---------------------------------------------------------------------

def test_the_model_as_a_plain_function_and_a_salib_analysis() -> None:
    from SALib.analyze import sobol
    from SALib.sample import sobol as sample

    from sim.evaluate.interop import evaluate_rows, model_function

    f = model_function(steps=12, outcomes=("outcome_total", "sme_participation"), seeds=(0, 1),
                       n_orgs=150)
    got = f(trust=0.3)
    bare = [PartnershipModel(rng=s, n_orgs=150, trust=0.3).run(12) for s in (0, 1)]
    assert got["sme_participation"] == pytest.approx(
        np.mean([b["sme_participation"] for b in bare]))
    problem = {"num_vars": 2, "names": ["trust", "broker_candidates"],
               "bounds": [[0.2, 0.8], [1, 6]]}
    x = sample.sample(problem, 4, calc_second_order=False, seed=1)
    y = evaluate_rows(problem["names"], x, steps=12, n_orgs=150)
    assert y.shape == (len(x), 1) and np.isfinite(y).all()
    indices = sobol.analyze(problem, y[:, 0], calc_second_order=False, seed=1)
    assert np.isfinite(indices["ST"]).all()


def test_run_keys_follow_the_contents_of_the_input_files_named(tmp_path) -> None:
    """An edited world file (or goal matrix) under the same name gives a new key, so a
    resumed batch never reuses runs made with the old file; a shipped world keys too."""
    from sim.worlds import world_path

    world = tmp_path / "w.csv"
    world.write_text(world_path("synthetic_3").read_text())
    first = make_batch(pd.DataFrame({"seed": [0], "world": [str(world)]}), 12).row_keys[0]
    assert make_batch(pd.DataFrame({"seed": [0], "world": [str(world)]}), 12).row_keys[0] \
        == first
    world.write_text(world.read_text() + "# an edit that changes nothing else\n")
    assert make_batch(pd.DataFrame({"seed": [0], "world": [str(world)]}), 12).row_keys[0] \
        != first
    from sim.evaluate.batch import inputs_digest

    assert inputs_digest({"world": "synthetic_3"}) != "" and inputs_digest({}) == ""

"""Hydra configs, validation, result datasets, sweeps through the evaluation layer, resume and
launchers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import ConfigError, compose, config_dir, settings_from_config, validate_command
from sim.evaluate import read_manifest, read_steps, read_summary
from sim.runner import ResultsWriteError, run_single

GROUPS = ("platform", "country", "population", "world")
EXPERIMENTS = sorted(p.stem for p in (config_dir() / "experiment").glob("*.yaml"))


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def _sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def _sweep_dir(results: Path) -> Path:
    (sweep,) = (results / "sweeps").iterdir()
    return sweep


def _committed(dataset: Path) -> dict[str, float]:
    """Summary parts of a dataset (a run is done exactly when its part exists): name, mtime."""
    parts = dataset / "summary"
    return {p.name: p.stat().st_mtime for p in parts.glob("*.parquet")} if parts.is_dir() else {}


# --- composition ----------------------------------------------------------------------------

@pytest.mark.parametrize(("group", "option"),
                         [(g, o) for g in GROUPS for o in _options(g)]
                         + [("+experiment", e) for e in EXPERIMENTS])
def test_every_config_option_composes_and_runs_a_tiny_job(tmp_path, group, option) -> None:
    cfg = compose([f"{group}={option}", "+debug=default", f"results_dir={tmp_path}"])
    settings = settings_from_config(cfg)
    assert settings.steps == 12 and settings.params.n_orgs == 100
    folder, _ = run_single(settings)
    assert len(read_summary(folder)) == 1 and len(read_steps(folder)) == 12


def test_groups_and_command_line_reach_the_model() -> None:
    (s,) = validate_command(["platform=per_goal", "country=post_conflict", "steps=240", "seed=3",
                             "model.membership_overhead=0.6"], multirun=False)
    assert (s.params.platform_design, s.params.trust, s.steps, s.seed) == ("per_goal", 0.2, 240, 3)
    assert s.params.membership_overhead == 0.6
    experiment = validate_command(["+experiment=event_sessions"], multirun=False)[0]
    assert experiment.params.event_partnering and experiment.params.cultural_distance == 0.7
    assert len(validate_command(["platform=national,per_goal", "seed=range(0,3)"], True)) == 6


def test_a_seed_sweep_composes_once_per_setting_and_keeps_every_seed(monkeypatch) -> None:
    """Jobs differing only in their seed share one composition; each keeps its own seed,
    and a seed that is not a plain integer is still composed and refused on its own."""
    import sim.config as config

    calls = []
    real_compose = config.compose

    def counting_compose(job, with_hydra=False):
        calls.extend([] if with_hydra else [job])
        return real_compose(job, with_hydra=with_hydra)

    monkeypatch.setattr(config, "compose", counting_compose)
    jobs = validate_command(["platform=national,per_goal", "seed=range(0,50)"], True)
    assert len(calls) == 2
    assert sorted((j.params.platform_design, j.seed) for j in jobs) == sorted(
        (d, s) for d in ("national", "per_goal") for s in range(50))
    with pytest.raises(ConfigError, match="seed"):
        validate_command(["seed=1,2,x"], True)


def test_country_profiles_say_they_are_illustrative() -> None:
    for path in (config_dir() / "country").glob("*.yaml"):
        assert "ILLUSTRATIVE, NOT DATA" in path.read_text(), path.name


# --- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize(("override", "expected"), [
    ("platform=regional", "platform='regional': allowed values are hybrid, national, none"),
    ("country=atlantis", "country='atlantis': allowed values are baseline"),
    ("model.n_orgs=abc", "model.n_orgs=abc: expected an integer"),
    ("model.trust=1.5", "model.trust=1.5: allowed range is 0..1"),
    ("model.colour=blue", "model.colour: unknown key"),
    ("colour=blue", "colour: unknown key"),
    ("steps=-4", "steps=-4: allowed range is 0..1000000"),
    ("engine=cuda", "engine='cuda': allowed values are numba, mesa"),
    ("model.event_partnering=maybe", "model.event_partnering=maybe: expected true or false"),
    ("model.sector_shares=[0.5,0.6,0,0,0,0,0]", "shares must sum to 1"),
])
def test_bad_config_values_are_explained_in_one_line(override, expected) -> None:
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("+", r"\+")):
        validate_command([override], multirun=False)


def test_bad_command_exits_2_with_one_line_and_writes_nothing(tmp_path) -> None:
    results = tmp_path / "results"
    for args in (["model.trust=2"], ["-m", "model.trust=0.5,1.5", "seed=0,1"],
                 ["platform=regional"]):
        done = _sim(*args, f"results_dir={results}", cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
        assert not results.exists()
        assert not (tmp_path / "outputs").exists() and not (tmp_path / "multirun").exists()


# --- result files ---------------------------------------------------------------------------

def test_single_run_writes_a_dataset_of_one_run_with_provenance(tmp_path) -> None:
    done = _sim("+debug=default", f"results_dir={tmp_path}", "seed=4")
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert sorted(p.name for p in run_dir.iterdir() if not p.name.startswith(".")) == [
        "dataset.json", "steps", "summary"]
    steps, summary = read_steps(run_dir), read_summary(run_dir)
    assert len(steps) == 12 and list(steps["step"]) == list(range(1, 13))
    assert len(summary) == 1 and summary["seed"].iloc[0] == 4
    assert summary["run_key"].iloc[0] == run_dir.name
    manifest = read_manifest(run_dir)
    (batch,) = manifest["batches"]
    assert manifest["code_digest"] and manifest["package_version"]
    assert batch["status"] == "finished" and batch["runs_made"] == 1
    assert batch["started"] <= batch["ended"] and batch["host"]
    assert "Headline outcomes" in done.stdout and "Failed" in done.stdout
    assert str(run_dir) in done.stdout
    # The same command again finds the finished run and does not redo it.
    before = _committed(run_dir)
    assert _sim("+debug=default", f"results_dir={tmp_path}", "seed=4").returncode == 0
    assert _committed(run_dir) == before
    assert read_manifest(run_dir)["batches"][-1]["runs_already_done"] == 1


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    import sim.evaluate.store as store

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", broken)
    (settings,) = validate_command(["+debug=default", f"results_dir={tmp_path}"], False)
    with pytest.raises(ResultsWriteError, match=r"results_dir=.*cannot write results .*No space"):
        run_single(settings)
    assert not (tmp_path / "runs").exists()  # the new dataset got no run: removed whole


# --- sweeps, datasets, resume ----------------------------------------------------------------

def test_sweep_writes_one_dataset_of_tidy_tables(tmp_path) -> None:
    done = _sim("-m", "+debug=default", f"results_dir={tmp_path}", "platform=national,per_goal",
                "seed=range(0,3)", "hydra.launcher.n_jobs=2")
    assert done.returncode == 0, done.stderr
    sweep = _sweep_dir(tmp_path)
    summaries, steps = read_summary(sweep), read_steps(sweep)
    assert len(summaries) == 6 and summaries["run_key"].is_unique
    assert set(zip(summaries["platform"], summaries["seed"], strict=True)) == {
        (p, s) for p in ("national", "per_goal") for s in range(3)}
    assert (summaries["platform"] == summaries["platform_design"]).all()
    assert len(steps) == 6 * 12 and set(steps["run_key"]) == set(summaries["run_key"])
    assert {"run_key", "seed", "step", "sme_participation"} <= set(steps.columns)
    assert not (tmp_path / "runs").exists()  # no folder per run
    # The same command resumes into the same dataset: nothing left to run.
    before = _committed(sweep)
    again = _sim("-m", "+debug=default", f"results_dir={tmp_path}",
                 "platform=national,per_goal", "seed=range(0,3)", "hydra.launcher.n_jobs=2")
    assert again.returncode == 0 and "0 runs made, 6 already done" in again.stdout
    assert _committed(sweep) == before


def test_sweep_into_a_dataset_of_other_code_is_refused(tmp_path) -> None:
    target = tmp_path / "sweep"
    args = ("-m", "+debug=default", f"results_dir={tmp_path}", "seed=0,1",
            f"hydra.sweep.dir={target}", "hydra/launcher=basic")
    assert _sim(*args).returncode == 0
    manifest = json.loads((target / "dataset.json").read_text())
    manifest["code_digest"] = "0" * 16
    (target / "dataset.json").write_text(json.dumps(manifest))
    done = _sim(*args)
    assert done.returncode == 2
    assert "holds runs of other code" in done.stderr and str(target) in done.stderr


def _start_slow_sweep(results: Path, runs: int) -> tuple[list[str], subprocess.Popen]:
    """Start (in its own process group) a 2-worker sweep of `runs` runs of a few seconds."""
    command = [sys.executable, "-m", "sim", "-m", f"results_dir={results}",
               "model.n_orgs=50000", "steps=240", "progress=false", f"seed=range(0,{runs})",
               "hydra.launcher.n_jobs=2"]
    sweep = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    return command, sweep


def _wait_for_parts(results: Path, n: int, timeout: float = 300) -> Path | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sweeps = list((results / "sweeps").glob("*")) if (results / "sweeps").is_dir() else []
        if sweeps and len(_committed(sweeps[0])) >= n:
            return sweeps[0]
        time.sleep(0.2)
    return None


def test_a_killed_sweep_resumes_where_it_stopped(tmp_path) -> None:
    results = tmp_path / "results"
    command, sweep = _start_slow_sweep(results, 8)
    dataset = _wait_for_parts(results, 2)
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()
    assert dataset is not None, "no run finished in time"
    before = _committed(dataset)
    done_before = set(read_summary(dataset)["run_key"])
    assert 2 <= len(done_before) < 8, before
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"{8 - len(done_before)} runs made, {len(done_before)} already done" in done.stdout
    after = _committed(dataset)
    assert all(after[name] == mtime for name, mtime in before.items())  # not redone
    summaries = read_summary(dataset)
    assert sorted(summaries["seed"]) == list(range(8)) and summaries["run_key"].is_unique
    assert len(read_steps(dataset)) == 8 * 240


def test_a_ray_sweep_without_a_reachable_cluster_stops_and_writes_nothing(tmp_path) -> None:
    results = tmp_path / "results"
    for address, status, message in ((None, 2, "hydra.launcher.address: give the Ray"),
                                     ("127.0.0.1:1", 1, "no Ray cluster answers there")):
        extra = [f"hydra.launcher.address={address}"] if address else []
        done = _sim("-m", "hydra/launcher=ray_cluster", *extra, "+debug=default", "seed=0,1",
                    f"results_dir={results}")
        assert done.returncode == status and message in done.stderr, done.stderr
        assert not results.exists()


def test_submitit_local_launcher_runs_the_sweep(tmp_path) -> None:
    done = _sim("-m", "hydra/launcher=local_processes", "+debug=default",
                f"results_dir={tmp_path}", "seed=0,1,2")
    assert done.returncode == 0, done.stderr
    assert "on submitit_local" in done.stdout
    summaries = read_summary(_sweep_dir(tmp_path))
    assert sorted(summaries["seed"]) == [0, 1, 2]


def _children(parent: int) -> list[tuple[int, bytes]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == parent:
            found.append((int(entry.name), command))
    return found


def _workers(sweep: int) -> list[int]:
    """Process ids of the sweep's worker processes: the children of its fork server."""
    servers = [pid for pid, command in _children(sweep) if b"forkserver" in command]
    return [pid for server in servers for pid, _ in _children(server)]


def test_a_killed_worker_does_not_stop_the_sweep(tmp_path) -> None:
    """A dead worker breaks the pool; the unfinished chunks run again in a new one, so the
    sweep still finishes, every run once."""
    results = tmp_path / "results"
    command, sweep = _start_slow_sweep(results, 6)
    deadline = time.monotonic() + 300
    workers: list[int] = []
    while time.monotonic() < deadline and not workers:
        workers = _workers(sweep.pid)
        time.sleep(0.2)
    assert workers, "no worker process found"
    time.sleep(1.0)
    killed = False
    while not killed and time.monotonic() < deadline:
        try:
            os.kill(workers[0], signal.SIGKILL)
            killed = True
        except ProcessLookupError:  # that worker finished its chunk meanwhile: take another
            workers = _workers(sweep.pid) or workers[1:]
            assert workers, "the sweep finished before a worker could be killed"
    try:
        assert sweep.wait(timeout=600) == 0
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
    summaries = read_summary(_sweep_dir(results))
    assert sorted(summaries["seed"]) == list(range(6)) and summaries["run_key"].is_unique

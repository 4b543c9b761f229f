"""Hydra configs, validation, result files, collection, resume and launchers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.collect import CollectError, collect
from sim.config import ConfigError, compose, config_dir, settings_from_config, validate_command
from sim.io import RUN_FILES, TMP_PREFIX, is_complete
from sim.runner import run_one

GROUPS = ("platform", "country", "population")
EXPERIMENTS = sorted(p.stem for p in (config_dir() / "experiment").glob("*.yaml"))


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def _sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd)


def _finished(results: Path) -> dict[str, float]:
    runs = results / "runs"
    if not runs.is_dir():
        return {}
    return {d.name: (d / "summary.parquet").stat().st_mtime for d in runs.iterdir()
            if not d.name.startswith(TMP_PREFIX) and is_complete(d)}


# --- composition ----------------------------------------------------------------------------

@pytest.mark.parametrize(("group", "option"),
                         [(g, o) for g in GROUPS for o in _options(g)]
                         + [("+experiment", e) for e in EXPERIMENTS])
def test_every_config_option_composes_and_runs_a_tiny_job(tmp_path, group, option) -> None:
    cfg = compose(["+debug=default", f"{group}={option}", f"results_dir={tmp_path}"])
    settings = settings_from_config(cfg)
    assert settings.steps == 12 and settings.params.n_orgs == 100
    record = run_one(settings)
    assert is_complete(Path(record["run_dir"]))


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

def test_single_run_writes_tables_config_and_provenance(tmp_path) -> None:
    done = _sim("+debug=default", f"results_dir={tmp_path}", "seed=4")
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "runs").iterdir()
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(RUN_FILES)
    steps = pd.read_parquet(run_dir / "steps.parquet")
    summary = pd.read_parquet(run_dir / "summary.parquet")
    assert len(steps) == 12 and list(steps["step"]) == list(range(1, 13))
    assert len(summary) == 1 and summary["seed"].iloc[0] == 4
    provenance = json.loads((run_dir / "provenance.json").read_text())
    assert provenance["seed"] == 4 and provenance["package_version"]
    assert provenance["wall_time_s"] >= 0 and provenance["start"] <= provenance["end"]
    assert "seed: 4" in (run_dir / "config.yaml").read_text()
    assert "Headline outcomes" in done.stdout and "Failed" in done.stdout
    # The same command again finds the finished run and does not redo it.
    before = (run_dir / "summary.parquet").stat().st_mtime
    assert _sim("+debug=default", f"results_dir={tmp_path}", "seed=4").returncode == 0
    assert (run_dir / "summary.parquet").stat().st_mtime == before


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    import sim.runner

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sim.runner, "provenance", broken)
    (settings,) = validate_command(["+debug=default", f"results_dir={tmp_path}"], False)
    with pytest.raises(OSError, match=r"results_dir=.*cannot write run .*No space left"):
        run_one(settings)
    assert list((tmp_path / "runs").iterdir()) == []


# --- sweeps, collection, resume -------------------------------------------------------------

def test_sweep_collects_one_tidy_table_per_kind(tmp_path) -> None:
    done = _sim("-m", "+debug=default", f"results_dir={tmp_path}", "platform=national,per_goal",
                "seed=range(0,3)", "hydra.launcher.n_jobs=2")
    assert done.returncode == 0, done.stderr
    (sweep,) = (tmp_path / "sweeps").iterdir()
    summaries = pd.read_parquet(sweep / "summaries.parquet")
    steps = pd.read_parquet(sweep / "steps.parquet")
    assert len(summaries) == 6 and summaries["run_key"].is_unique
    assert set(zip(summaries["platform"], summaries["seed"], strict=True)) == {
        (p, s) for p in ("national", "per_goal") for s in range(3)}
    assert len(steps) == 6 * 12
    assert {"run_key", "seed", "platform", "step", "sme_participation"} <= set(steps.columns)


def test_collection_fails_loudly_on_a_corrupt_file_or_skips_it_when_asked(tmp_path) -> None:
    for seed in range(2):
        (settings,) = validate_command(["+debug=default", f"results_dir={tmp_path}",
                                        f"seed={seed}"], False)
        run_one(settings)
    victim = sorted((tmp_path / "runs").iterdir())[0] / "steps.parquet"
    victim.write_bytes(victim.read_bytes()[:100])
    with pytest.raises(CollectError, match=str(victim)):
        collect(tmp_path)
    assert not (tmp_path / "summaries.parquet").exists()
    with pytest.warns(UserWarning, match="skipped"):
        _, _, n = collect(tmp_path, skip_bad=True)
    assert n == 1
    done = subprocess.run([sys.executable, "-m", "sim.collect", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 1 and str(victim) in done.stderr


def _start_slow_sweep(results: Path, runs: int) -> tuple[list[str], subprocess.Popen]:
    """Start (in its own process group) a 2-worker sweep of `runs` runs of a few seconds."""
    command = [sys.executable, "-m", "sim", "-m", f"results_dir={results}",
               "model.n_orgs=8000", "steps=120", "progress=false", f"seed=range(0,{runs})",
               "hydra.launcher.n_jobs=2"]
    sweep = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    return command, sweep


def test_a_killed_sweep_resumes_where_it_stopped(tmp_path) -> None:
    results = tmp_path / "results"
    command, sweep = _start_slow_sweep(results, 8)
    deadline = time.monotonic() + 300
    while len(_finished(results)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()
    before = _finished(results)
    assert 2 <= len(before) < 8, before
    for entry in (results / "runs").iterdir():  # nothing half-written looks finished
        assert entry.name.startswith(TMP_PREFIX) or is_complete(entry)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = _finished(results)
    assert len(after) == 8
    assert all(after[name] == mtime for name, mtime in before.items())  # not redone
    latest = sorted((results / "sweeps").iterdir())[-1]
    summaries = pd.read_parquet(latest / "summaries.parquet")
    assert sorted(summaries["seed"]) == list(range(8)) and summaries["run_key"].is_unique


def test_submitit_local_launcher_runs_the_sweep(tmp_path) -> None:
    done = _sim("-m", "hydra/launcher=local_processes", "+debug=default",
                f"results_dir={tmp_path}", "seed=0,1")
    assert done.returncode == 0, done.stderr
    assert len(_finished(tmp_path)) == 2
    (sweep,) = (tmp_path / "sweeps").iterdir()
    assert len(pd.read_parquet(sweep / "summaries.parquet")) == 2


def _loky_workers(parent: int) -> list[int]:
    """Process ids of the joblib (loky) workers below `parent`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if int(stat[1]) == parent and "popen_loky" in cmdline:
            found.append(int(entry.name))
    return found


def test_a_killed_worker_loses_only_its_run(tmp_path) -> None:
    results = tmp_path / "results"
    command, sweep = _start_slow_sweep(results, 6)
    deadline = time.monotonic() + 300
    workers: list[int] = []
    while time.monotonic() < deadline and not (workers and _finished(results)):
        workers = _loky_workers(sweep.pid)
        time.sleep(0.2)
    assert workers, "no joblib worker found"
    os.kill(workers[0], signal.SIGKILL)
    try:
        sweep.wait(timeout=300)
    finally:
        if sweep.poll() is None:
            os.killpg(sweep.pid, signal.SIGKILL)
    before = _finished(results)
    assert len(before) < 6
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    after = _finished(results)
    assert len(after) == 6 and all(after[k] == v for k, v in before.items())

"""Run every sample configuration under each design and seed: as a Hydra sweep, or in process.

The Hydra way (the default) writes each distinct configuration as a config file of a
`sample` group in a copy of `configs/`, then launches one ordinary sweep,

    SIM_CONFIG_DIR=<stage>/configs python -m sim -m +sample=s1,s2,... \\
        platform=national,per_goal seed=0,1 steps=... model.n_orgs=...

whose jobs are the product configuration x design x seed, run by whichever Hydra launcher
is configured (joblib on this machine, SLURM or Ray on a cluster), cached and resumable
like any sweep, and collected into `summaries.parquet`. The in-process way runs the same
jobs through `PartnershipModel` with joblib (no run folders): quicker for small checks,
and identical results for the same configuration and seed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

OUTCOMES: tuple[str, ...] = ("partnerships_per_1000", "sme_participation", "outcome_direct",
                             "outcome_indirect", "failed_share")
LAUNCHERS: tuple[str, ...] = ("hydra", "inprocess")


class SweepError(RuntimeError):
    """The Hydra sweep of a stage failed; names the log file to read."""


@dataclass(frozen=True)
class Base:
    """What every job of a stage shares: designs compared, seeds, months, population."""

    designs: tuple[str, ...]
    seeds: tuple[int, ...]
    steps: int
    n_orgs: int


def _outcomes(summary: dict[str, Any]) -> dict[str, float]:
    row = {k: float(summary[k]) for k in OUTCOMES}
    row["outcome_total"] = row["outcome_direct"] + row["outcome_indirect"]
    return row


def run_job(config: str, overrides: dict[str, Any], design: str, seed: int,
            base: Base) -> dict[str, Any]:
    """Run one job in this process; return its keys and outcomes."""
    from sim.model import PartnershipModel

    model = PartnershipModel(rng=seed, n_orgs=base.n_orgs, platform_design=design, **overrides)
    return {"config": config, "design": design, "seed": seed,
            **_outcomes(model.run(base.steps))}


def run_inprocess(configs: dict[str, dict[str, Any]], base: Base, workers: int) -> pd.DataFrame:
    """Every configuration x design x seed through `PartnershipModel`, `workers` processes."""
    from joblib import Parallel, delayed

    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    jobs = [(name, overrides, design, seed) for name, overrides in configs.items()
            for design in base.designs for seed in base.seeds]
    rows = Parallel(n_jobs=workers, batch_size="auto")(
        delayed(run_job)(*job, base) for job in jobs)
    return pd.DataFrame(rows)


def write_sample_configs(configs: dict[str, dict[str, Any]], folder: Path) -> Path:
    """Copy `configs/` to `folder` and add one `sample/<name>.yaml` per configuration."""
    from sim.config import config_dir

    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(config_dir(), folder)
    group = folder / "sample"
    group.mkdir()
    for name, overrides in configs.items():
        text = "# @package _global_\n# A sensitivity-analysis sample (generated).\n"
        text += yaml.safe_dump({"model": overrides}, sort_keys=True)
        (group / f"{name}.yaml").write_text(text)
    return folder


def hydra_command(names: list[str], base: Base, results_dir: Path, sweep_dir: Path,
                  workers: int, launcher: str | None = None) -> list[str]:
    """The `python -m sim -m` command line of one stage's sweep."""
    command = [sys.executable, "-m", "sim", "-m", f"+sample={','.join(names)}",
               f"platform={','.join(base.designs)}",
               f"seed={','.join(str(s) for s in base.seeds)}",
               f"steps={base.steps}", f"model.n_orgs={base.n_orgs}",
               f"results_dir={results_dir}", "progress=false",
               f"hydra.sweep.dir={sweep_dir}"]
    if launcher:
        command.append(f"hydra/launcher={launcher}")
    else:
        command.append(f"hydra.launcher.n_jobs={workers}")
    return command


def run_hydra(configs: dict[str, dict[str, Any]], base: Base, stage_dir: Path,
              results_dir: Path, workers: int, launcher: str | None = None) -> pd.DataFrame:
    """Every configuration x design x seed as one Hydra sweep; return the collected outcomes."""
    config_folder = write_sample_configs(configs, stage_dir / "configs")
    sweep_dir = stage_dir / "sweep"
    if sweep_dir.exists():
        shutil.rmtree(sweep_dir)  # job pointers only; the runs themselves stay cached
    command = hydra_command(sorted(configs), base, results_dir.resolve(), sweep_dir.resolve(),
                            workers, launcher)
    log_path = stage_dir / "sweep.log"
    env = {**os.environ, "SIM_CONFIG_DIR": str(config_folder.resolve())}
    with log_path.open("w") as log:
        log.write(" ".join(command) + "\n")
        log.flush()
        done = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              check=False)
    if done.returncode != 0:
        raise SweepError(f"the sweep of {stage_dir.name} failed (exit {done.returncode}); "
                         f"see {log_path}")
    runs = pd.read_parquet(sweep_dir / "summaries.parquet")
    runs = runs.rename(columns={"sample": "config", "platform": "design"})
    for name in OUTCOMES:
        runs[name] = runs[name].astype(float)
    runs["outcome_total"] = runs["outcome_direct"] + runs["outcome_indirect"]
    return runs[["config", "design", "seed", *OUTCOMES, "outcome_total"]]


def run_jobs(configs: dict[str, dict[str, Any]], base: Base, stage_dir: Path,
             results_dir: Path, workers: int, how: str,
             hydra_launcher: str | None = None) -> pd.DataFrame:
    """Run a stage's jobs the chosen way (`hydra` or `inprocess`); one row per run.

    `hydra_launcher` names a config of `configs/hydra/launcher/` (e.g. `slurm`) instead of
    the default joblib launcher with `workers` processes.
    """
    if how not in LAUNCHERS:
        raise ValueError(f"launcher={how!r}: allowed values are {', '.join(LAUNCHERS)}")
    if how == "hydra":
        return run_hydra(configs, base, stage_dir, results_dir, workers, hydra_launcher)
    return run_inprocess(configs, base, workers)

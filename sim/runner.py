"""Run one configured simulation and write its result directory (or skip it if it is done)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.config import RunSettings, settings_from_config
from sim.io import (
    atomic_directory,
    dump_json,
    is_complete,
    provenance,
    resolved_config,
    run_key,
    runs_dir,
    write_text_atomic,
)

log = logging.getLogger("sim")
POINTER_FILE = "run.json"  # in a sweep job's folder: which run directory the job produced


class ResultsWriteError(OSError):
    """Writing a run's results failed (disk full, permissions); names the folder and cause."""


def summary_row(settings: RunSettings, key: str, summary: dict[str, Any]) -> dict[str, Any]:
    """One tidy row: run key, seed, steps, engine, every parameter, then the run summary."""
    params = resolved_config(settings)["model"]
    row: dict[str, Any] = {"run_key": key, "seed": settings.seed, "steps": settings.steps,
                           "engine": settings.engine}
    for name, value in params.items():
        if name not in summary and name != "engine":
            row[name] = json.dumps(value) if isinstance(value, list) else value
    row.update({k: v for k, v in summary.items() if k not in row})
    return row


def result_tables(settings: RunSettings, key: str, steps: pd.DataFrame,
                  summary: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The two tables a run folder holds, by file name, keyed by run key and seed."""
    steps = steps.copy()
    steps.insert(0, "run_key", key)
    steps.insert(1, "seed", settings.seed)
    return {"steps.parquet": steps,
            "summary.parquet": pd.DataFrame([summary_row(settings, key, summary)])}


def simulate(settings: RunSettings, progress: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Build and run the model; return its per-step table and run summary."""
    from sim.console import RunProgress
    from sim.model import PartnershipModel

    model = PartnershipModel(rng=settings.seed, **settings.model_kwargs())
    with RunProgress(settings.steps, enabled=progress, engine=settings.engine) as bar:
        for _ in range(settings.steps):
            model.step()
            bar.update()
    steps = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    steps.insert(0, "step", range(1, len(steps) + 1))
    return steps, model.summary()


def run_one(settings: RunSettings, overrides: list[str] | None = None,
            progress: bool = False, job_dir: Path | None = None) -> dict[str, Any]:
    """Run `settings` into `<results_dir>/runs/<run_key>/` unless that run is already done.

    Returns a small record: run key, run directory and whether it was skipped. `job_dir`
    (a Hydra sweep job's folder) receives a pointer to the run directory for collection.
    """
    overrides = list(overrides or [])
    key = run_key(settings)
    final = runs_dir(settings.results_dir) / key
    skipped = is_complete(final)
    if skipped:
        log.info("run %s already finished: skipped (%s)", key, " ".join(overrides))
    else:
        started = time.time()
        steps, summary = simulate(settings, progress)
        ended = time.time()
        try:
            with atomic_directory(final) as tmp:
                for name, table in result_tables(settings, key, steps, summary).items():
                    table.to_parquet(tmp / name, index=False)
                (tmp / "config.yaml").write_text(OmegaConf.to_yaml(resolved_config(settings)))
                (tmp / "provenance.json").write_text(
                    dump_json(provenance(settings, key, started, ended, overrides)))
        except OSError as err:
            raise ResultsWriteError(
                f"results_dir={str(settings.results_dir)!r}: cannot write run {key} "
                f"({err.strerror or err}); nothing was left behind") from err
        log.info("run %s finished in %.1f s (%s)", key, ended - started, " ".join(overrides))
    record = {"run_key": key, "run_dir": str(final.resolve()), "skipped": skipped,
              "overrides": overrides}
    if job_dir is not None:
        job_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(job_dir / POINTER_FILE, dump_json(record))
    return record


def hydra_task(cfg: DictConfig) -> dict[str, Any]:
    """The function Hydra runs for each job: validate, run, point the sweep at the result."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    settings = settings_from_config(cfg)
    hydra_cfg = HydraConfig.get()
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    job_dir = Path(hydra_cfg.runtime.output_dir) if in_sweep else None
    record = run_one(settings, list(hydra_cfg.overrides.task),
                     progress=settings.progress and not in_sweep, job_dir=job_dir)
    if not in_sweep:
        from sim.console import print_run_report

        print_run_report(record)
    return record

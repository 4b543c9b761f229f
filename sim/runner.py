"""`python -m sim` through the evaluation layer: one run, or a `-m` sweep, as one batch.

A single run is a batch of one, written as a dataset in `<results_dir>/runs/<run_key>/`;
a sweep's jobs, composed and validated once per distinct configuration by Hydra
(`sim.config.validate_jobs`), are one batch written as one dataset in `hydra.sweep.dir`.
Either way a run whose dataset already holds it is not run again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig

from sim.config import BATCH_ID, RunSettings, settings_from_config

log = logging.getLogger("sim")


class ResultsWriteError(OSError):
    """Writing results failed (disk full, permissions); names the folder and cause."""


def batch_of(jobs: list[RunSettings], labels: list[dict[str, Any]] | None = None
             ) -> pd.DataFrame:
    """The batch table of validated jobs: seed, months, every parameter, then the labels."""
    rows = []
    for k, job in enumerate(jobs):
        rows.append({"seed": job.seed, "steps": job.steps, **dataclasses.asdict(job.params),
                     **(labels[k] if labels else {})})
    return pd.DataFrame(rows)


def _write(call, folder: Path):
    """Run `call`, turning an OS error while writing into a `ResultsWriteError`."""
    try:
        return call()
    except OSError as err:
        raise ResultsWriteError(f"results_dir={str(folder)!r}: cannot write results "
                                f"({err.strerror or err})") from err


def run_single(settings: RunSettings, progress: bool = False) -> tuple[Path, bool]:
    """Run one configured run into `<results_dir>/runs/<run_key>/` (unless it is there);
    return its folder and whether it was already there."""
    from sim.evaluate import make_batch, run_batch

    batch = batch_of([settings])
    key = make_batch(batch).row_keys[0]
    folder = Path(settings.results_dir) / "runs" / key
    result = _write(lambda: run_batch(batch, out=folder, per_step=True, progress=progress),
                    settings.results_dir)
    if result.reused:
        log.info("run %s already finished: skipped", key)
    return folder, bool(result.reused)


def run_sweep(jobs: list[tuple[RunSettings, list[str]]], how: dict[str, Any]) -> Path:
    """Run a sweep's jobs as one batch through the evaluation layer; return its dataset."""
    from sim.config import override_labels
    from sim.evaluate import make_batch, run_batch

    labels = override_labels([overrides for _, overrides in jobs])
    batch = batch_of([settings for settings, _ in jobs], labels)
    label_names = list(labels[0]) if labels else []
    keys = make_batch(batch, labels=label_names).row_keys
    batch_id = hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()[:12]
    folder = Path(how["dir"].replace(BATCH_ID, batch_id))
    print(f"sweep of {len(jobs)} runs on {how['backend']} ({how['workers']} workers) into "
          f"{folder}", flush=True)
    result = _write(lambda: run_batch(
        batch, out=folder, per_step=True, labels=label_names, backend=how["backend"],
        workers=how["workers"], address=how["address"], options=how["options"],
        chunk_size=how["chunk_size"], progress=True), folder)
    print(f"sweep finished: {result.ran} runs made, {result.reused} already done, in "
          f"{result.wall_s:.1f} s; tables in {folder / 'summary'} and {folder / 'steps'}",
          flush=True)
    return folder


def hydra_task(cfg: DictConfig) -> Path:
    """The function `hydra.main` runs for a single run: validate, run, print its summary."""
    settings = settings_from_config(cfg)
    folder, skipped = run_single(settings, progress=settings.progress)
    from sim.console import print_run_report

    print_run_report(folder, skipped)
    return folder

"""Rerun a finished run from its folder alone and check the tables are identical.

    python -m sim.reproduce results/runs/<run_key>

Reads the run's `config.yaml` (the resolved configuration: parameters, seed, steps,
engine), runs the model again, and compares the per-step table and the run summary with
the stored Parquet files exactly. Exit status 0 when identical, 1 when they differ (the
first difference is printed), 2 when the folder is not a finished run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.config import RunSettings
from sim.io import is_complete, run_key
from sim.params import make_params
from sim.runner import result_tables, simulate


def settings_from_run_dir(run_dir: Path) -> RunSettings:
    """The settings a finished run was made with, from its `config.yaml`."""
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    return RunSettings(seed=int(config["seed"]), steps=int(config["steps"]),
                       engine=config["engine"], results_dir=run_dir.parent.parent,
                       progress=False, params=make_params(**config["model"]))


def differences(run_dir: Path) -> list[str]:
    """Rerun the run in `run_dir`; describe every way its tables differ (empty: identical)."""
    settings = settings_from_run_dir(run_dir)
    key = run_key(settings)
    fresh = result_tables(settings, key, *simulate(settings, progress=False))
    found = []
    if key != run_dir.name:
        found.append(f"run key of config.yaml is {key}, folder is {run_dir.name}")
    for name, table in fresh.items():
        stored = pd.read_parquet(run_dir / name)
        try:
            pd.testing.assert_frame_equal(table, stored, check_exact=True, check_dtype=False)
        except AssertionError as err:
            found.append(f"{name}: {str(err).strip().splitlines()[0]} "
                         f"{' '.join(str(err).split())[:300]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.reproduce", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="a finished run's folder")
    args = parser.parse_args(argv)
    if not is_complete(args.run_dir):
        print(f"error: run_dir={str(args.run_dir)!r}: not a finished run folder (needs "
              "steps.parquet, summary.parquet, config.yaml, provenance.json)", file=sys.stderr)
        return 2
    found = differences(args.run_dir)
    for line in found:
        print(f"differs: {line}")
    if not found:
        print(f"identical: {args.run_dir} reproduced exactly")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

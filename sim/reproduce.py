"""Rerun runs of a dataset from their records alone and check the tables are identical.

    python -m sim.reproduce results/runs/<run_key>          # a single run's dataset
    python -m sim.reproduce results/sweeps/<id> --run-key KEY [--run-key KEY ...]
    python -m sim.reproduce results/sweeps/<id> --all

A run's record is its summary row: seed, months and every parameter. The run is made
again with this code and its summary row and monthly rows are compared with the stored
ones exactly; its key is recomputed too, so a run made by other code is reported as such.
Exit status 0 when identical, 1 when something differs (the first difference of each
table is printed), 2 when the folder is not a dataset or a key is not in it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.evaluate.batch import (
    Run,
    config_text,
    inputs_digest,
    param_value,
    resolved,
    run_key,
)
from sim.evaluate.code import code_digest
from sim.evaluate.store import (
    DatasetError,
    read_manifest,
    read_steps,
    read_summary,
    steps_table,
    summary_table,
)
from sim.evaluate.worker import simulate
from sim.params import PARAM_FIELDS, make_params


def run_of(row: dict) -> Run:
    """The run a summary row records, keyed by this code."""
    params = {name: param_value(name, row[name]) for name in PARAM_FIELDS if name in row}
    full = resolved(make_params(**params))
    seed, steps = int(row["seed"]), int(row["steps"])
    return Run(run_key(config_text(full), seed, steps, inputs=inputs_digest(full)), seed, steps,
               full)


def _difference(fresh: pd.DataFrame, stored: pd.DataFrame, what: str) -> str | None:
    try:
        pd.testing.assert_frame_equal(fresh.reset_index(drop=True),
                                      stored[list(fresh.columns)].reset_index(drop=True),
                                      check_exact=True)
    except (AssertionError, KeyError) as err:
        return f"{what}: {' '.join(str(err).split())[:300]}"
    return None


def differences(folder: Path, key: str) -> list[str]:
    """Rerun run `key` of the dataset in `folder`; every way it differs (empty: identical)."""
    manifest = read_manifest(folder)
    stored = read_summary(folder, [key])
    if stored.empty:
        raise DatasetError(f"{folder}: no run {key!r}")
    record = {name: stored[name].iloc[0] for name in stored.columns}
    run = run_of(record)
    found = []
    if run.key != key:
        found.append(f"run key: this code gives {run.key}, the dataset has {key} (made by code "
                     f"{manifest.get('code_digest')}, this is {code_digest()})")
        run = Run(key, run.seed, run.steps, run.params)
    row, steps = simulate(run, per_step=bool(manifest.get("per_step")))
    labels = {c: record[c] for c in stored.columns if c not in row}
    fresh = summary_table([{"run_key": row["run_key"], "seed": row["seed"], **labels,
                            **row}]).to_pandas()
    found += [d for d in [_difference(fresh, stored, "summary")] if d]
    if steps is not None:
        stored_steps = read_steps(folder, [key])
        found += [d for d in [_difference(steps_table(steps).to_pandas(), stored_steps,
                                          "steps")] if d]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.reproduce", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="a dataset folder (a run's or a sweep's)")
    parser.add_argument("--run-key", action="append", default=[], help="a run to reproduce")
    parser.add_argument("--all", action="store_true", help="reproduce every run")
    args = parser.parse_args(argv)
    try:
        summary = read_summary(args.dataset)
    except DatasetError as err:
        print(f"error: dataset={str(args.dataset)!r}: {err}", file=sys.stderr)
        return 2
    keys = list(summary["run_key"]) if len(summary) else []
    wanted = keys if args.all else args.run_key
    if not wanted:
        if len(keys) != 1:
            print(f"error: dataset={str(args.dataset)!r} holds {len(keys)} runs; give "
                  "--run-key KEY or --all", file=sys.stderr)
            return 2
        wanted = keys
    unknown = [k for k in wanted if k not in set(keys)]
    if unknown:
        print(f"error: run-key={unknown[0]!r}: not in {args.dataset}", file=sys.stderr)
        return 2
    status = 0
    for key in wanted:
        found = differences(args.dataset, key)
        for line in found:
            print(f"differs: {key}: {line}")
        if not found:
            print(f"identical: {key} reproduced exactly")
        status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())

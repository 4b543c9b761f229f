"""The evaluation layer: batches of model runs in, tidy tables out, on this machine or a cluster.

    from sim.evaluate import evaluate
    runs = evaluate(batch, steps=120, out="results/my_batch", workers=2)

`batch` is a table with one row per run (model parameters as columns, plus `seed`); the
result has one summary row per run, in batch order, keyed by `run_key` (a digest of the
code, parameters, seed and months). See `evaluate` for the options and
`sim.evaluate.store` for the dataset written with `out`.

Modules: `batch` (validating and keying runs), `worker` (running a chunk of runs),
`backends` (local processes, Ray, SLURM), `store` (the Parquet dataset, resume),
`core` (`evaluate`), `interop` (the model as a plain function), `code` (the code digest).
"""

from sim.evaluate.backends import BACKENDS, BackendError, make_backend
from sim.evaluate.batch import Batch, BatchError, make_batch
from sim.evaluate.code import code_digest
from sim.evaluate.core import BatchResult, evaluate, run_batch
from sim.evaluate.store import (
    DatasetError,
    StaleDatasetError,
    read_manifest,
    read_steps,
    read_summary,
)

__all__ = ["evaluate", "run_batch", "BatchResult", "make_batch", "Batch", "BatchError",
           "BackendError", "DatasetError", "StaleDatasetError", "read_summary", "read_steps",
           "read_manifest", "make_backend", "BACKENDS", "code_digest"]

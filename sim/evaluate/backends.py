"""Where chunks of runs execute: this process, local worker processes, Ray, or SLURM.

Every backend runs `sim.evaluate.worker.run_chunk` on chunks and hands each result to
`on_result` in the calling process as soon as it arrives; the caller commits it. Results
never depend on the backend: a run is its parameters and seed, whoever runs it.

- `local`: one worker runs the chunks in this process; more start that many processes
  from a fork server that has loaded the compiled kernels once (`sim.evaluate.preload`),
  so a worker costs milliseconds, not a second of imports (and no process forks while
  it has threads). As with any multiprocessing start method but fork, a script that
  runs a batch on several workers needs the `if __name__ == "__main__":` guard. A worker
  that dies (killed, out of memory) breaks the pool: the unfinished chunks run again in a
  new pool, up to `retries` times.
- `ray`: an existing Ray cluster (`address`, e.g. "127.0.0.1:6379" or "ray://host:10001"),
  through Ray's own API; one task per chunk, one CPU each, retried by Ray up to
  `retries` times if its worker dies.
- `slurm` and `submitit_local`: submitit, one job per chunk (a SLURM job array), or
  local processes with the same code path (for tests).
"""

from __future__ import annotations

import ctypes
import logging
import math
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.evaluate.worker import Chunk, ChunkResult, run_chunk

log = logging.getLogger("sim.evaluate")

BACKENDS = ("local", "ray", "slurm", "submitit_local")
MAX_CHUNK = 64          # runs per chunk at most (what a killed worker can lose)
CHUNKS_PER_WORKER = 4   # guided scheduling: a chunk is the remaining runs / (4 x workers)
WORKER_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}

OnResult = Callable[[ChunkResult], None]


class BackendError(RuntimeError):
    """A backend could not run a batch (a worker kept dying, a cluster is unreachable)."""


@dataclass(frozen=True)
class Backend:
    """Where to run: a backend name and its options (validated by `make_backend`)."""

    name: str = "local"
    workers: int = 1
    address: str | None = None          # ray
    options: dict[str, Any] = field(default_factory=dict)  # submitit parameters
    folder: Path | None = None          # submitit job folder (on a shared disk for SLURM)
    retries: int = 2

    @property
    def in_process(self) -> bool:
        return self.name == "local" and self.workers == 1


def make_backend(name: str = "local", workers: int | None = None, address: str | None = None,
                 options: dict[str, Any] | None = None, folder: Path | None = None,
                 retries: int = 2) -> Backend:
    """A validated `Backend`; a bad choice raises ValueError naming it and what is allowed."""
    if name not in BACKENDS:
        raise ValueError(f"backend={name!r}: allowed values are {', '.join(BACKENDS)}")
    if workers is None:
        workers = 1 if name == "local" else (os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r}: expected an integer >= 1")
    if name == "ray" and not address:
        raise ValueError("backend='ray': give the cluster's address (address='HOST:6379' or "
                         "'ray://HOST:10001')")
    if not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries={retries!r}: expected an integer >= 0")
    return Backend(name, workers, address, dict(options or {}), folder, retries)


def chunk_sizes(n_runs: int, workers: int, chunk_size: int | None = None,
                backend: str = "local") -> list[int]:
    """Sizes of the chunks `n_runs` runs are cut into: `chunk_size` each if given; for
    submitit, one chunk per worker (each job pays for starting Python); else guided (each
    the remaining runs over 4 x workers, at most MAX_CHUNK, at least 1), so chunks shrink
    towards the end and workers finish together."""
    if chunk_size is None and backend in ("slurm", "submitit_local"):
        chunk_size = max(1, math.ceil(n_runs / workers))
    sizes: list[int] = []
    remaining = n_runs
    while remaining > 0:
        size = chunk_size or max(1, min(MAX_CHUNK,
                                        math.ceil(remaining / (CHUNKS_PER_WORKER * workers))))
        size = min(size, remaining)
        sizes.append(size)
        remaining -= size
    return sizes


def execute(backend: Backend, chunks: Sequence[Chunk], per_step: bool,
            on_result: OnResult, progress: bool = False) -> None:
    """Run every chunk on `backend`, calling `on_result` for each as it finishes
    (`progress`: a bar over months, for runs made in this process)."""
    if not chunks:
        return
    if backend.in_process:
        for chunk in chunks:
            on_result(run_chunk(chunk, per_step, progress))
    elif backend.name == "local":
        _run_pool(backend, chunks, per_step, on_result)
    elif backend.name == "ray":
        _run_ray(backend, chunks, per_step, on_result)
    else:
        _run_submitit(backend, chunks, per_step, on_result)


# --- local worker processes --------------------------------------------------------------------

def _die_with_parent() -> None:
    """In a worker: ask Linux to kill this process when its parent (the fork server, which
    exits with the batch) dies, so a killed batch leaves no worker computing for nobody."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:  # pragma: no cover - no libc
            pass


def _context() -> mp.context.BaseContext:
    """The fork server (started once per process, kernels loaded), else spawn."""
    if "forkserver" not in mp.get_all_start_methods():  # pragma: no cover - Windows
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.evaluate.preload"])
    for name, value in WORKER_ENV.items():   # the fork server inherits these when it starts
        os.environ.setdefault(name, value)
    return ctx


def _stop(pool: ProcessPoolExecutor) -> None:
    """Shut a pool down now: cancel what has not started, kill the workers it started."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(timeout=5)


def _run_pool(backend: Backend, chunks: Sequence[Chunk], per_step: bool,
              on_result: OnResult) -> None:
    pending = {c.name: c for c in chunks}
    failures = 0
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(backend.workers, len(pending)),
                                   mp_context=_context(), initializer=_die_with_parent)
        try:
            futures = {pool.submit(run_chunk, c, per_step): c.name for c in pending.values()}
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    name = futures.pop(future)
                    result = future.result()
                    on_result(result)
                    del pending[name]
        except BrokenProcessPool:
            failures += 1
            if failures > backend.retries:
                raise BackendError(
                    f"a worker process died {failures} times; {len(pending)} chunk(s) of "
                    "runs not finished (rerun the batch to run only those)") from None
            log.warning("a worker process died; the %d unfinished chunk(s) run again in a "
                        "new pool", len(pending))
        finally:
            _stop(pool)


# --- Ray ---------------------------------------------------------------------------------------

def _run_chunk_in_worker(chunk: Chunk, per_step: bool) -> ChunkResult:
    """A Ray task or submitit job: one chunk, in a worker with one thread for numba."""
    for name, value in WORKER_ENV.items():
        os.environ.setdefault(name, value)
    return run_chunk(chunk, per_step)


def _reachable(address: str, timeout: float = 10.0) -> bool:
    """Whether a `HOST:PORT` (or `ray://HOST:PORT`) address accepts TCP connections; Ray
    itself would keep retrying an unreachable address for minutes."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return True  # "auto" and other forms: let Ray decide
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def _run_ray(backend: Backend, chunks: Sequence[Chunk], per_step: bool,
             on_result: OnResult) -> None:
    try:
        import ray
    except ImportError as err:  # pragma: no cover - ray is a dependency of the test extra
        raise BackendError("backend='ray' needs Ray: pip install 'partnership-sim[ray]'") from err
    env = dict(WORKER_ENV)
    if os.environ.get("NUMBA_CACHE_DIR"):
        env["NUMBA_CACHE_DIR"] = os.environ["NUMBA_CACHE_DIR"]
    started_here = not ray.is_initialized()
    if started_here:
        if not _reachable(backend.address):
            raise BackendError(f"address={backend.address!r}: no Ray cluster answers there")
        try:
            ray.init(address=backend.address, runtime_env={"env_vars": env},
                     log_to_driver=False, logging_level=logging.WARNING)
        except Exception as err:  # noqa: BLE001 - connection errors come in several kinds
            raise BackendError(f"address={backend.address!r}: cannot connect to a Ray cluster "
                               f"({type(err).__name__}: {str(err).splitlines()[0]})") from err
    try:
        task = ray.remote(num_cpus=1, max_retries=backend.retries)(_run_chunk_in_worker)
        refs = {task.remote(c, per_step): c.name for c in chunks}
        failed: list[str] = []
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=1)
            for ref in ready:
                name = refs.pop(ref)
                try:
                    result = ray.get(ref)
                except (ray.exceptions.WorkerCrashedError, ray.exceptions.RayTaskError,
                        ray.exceptions.NodeDiedError) as err:
                    failed.append(f"{name}: {type(err).__name__}")
                    continue
                on_result(result)
        if failed:
            raise BackendError(f"{len(failed)} chunk(s) failed on Ray ({failed[0]}); rerun the "
                               "batch to run only their runs")
    finally:
        if started_here:
            ray.shutdown()


# --- submitit (SLURM, or local processes) -----------------------------------------------------

def _run_submitit(backend: Backend, chunks: Sequence[Chunk], per_step: bool,
                  on_result: OnResult) -> None:
    import submitit

    cluster = "slurm" if backend.name == "slurm" else "local"
    folder = backend.folder or Path(".submitit")
    executor = submitit.AutoExecutor(folder=str(folder / "%j"), cluster=cluster)
    options = dict(backend.options)
    if cluster == "slurm":
        setup = list(options.pop("slurm_setup", []))
        options["slurm_setup"] = [*(f"export {k}={v}" for k, v in WORKER_ENV.items()), *setup]
    executor.update_parameters(**options)
    with executor.batch():
        jobs = [executor.submit(_run_chunk_in_worker, c, per_step) for c in chunks]
    failed = []
    for job in submitit.helpers.as_completed(jobs, poll_frequency=1 if cluster == "local" else 10):
        try:
            result = job.result()
        except Exception as err:  # noqa: BLE001 - submitit re-raises the job's error
            failed.append(f"job {job.job_id}: {type(err).__name__}: {str(err).splitlines()[0]}")
            continue
        on_result(result)
    if failed:
        raise BackendError(f"{len(failed)} submitit job(s) failed ({failed[0]}); rerun the "
                           "batch to run only their runs")


__all__ = ["Backend", "BackendError", "BACKENDS", "make_backend", "chunk_sizes", "execute"]

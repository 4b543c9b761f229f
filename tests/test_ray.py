"""A batch on a real Ray cluster: a local head on 127.0.0.1, started and stopped by this test.

The head is `ray start --head --block` in its own session with its own temporary folder;
teardown stops it and then kills, by process id, every process left in its session or
naming its folder (never `ray stop`, which would stop any Ray on the machine).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.evaluate import BackendError, read_summary, run_batch

RAY = Path(sys.executable).with_name("ray")
BATCH = pd.DataFrame({"seed": [0, 1, 2, 0, 1, 2],
                      "platform_design": ["national"] * 3 + ["per_goal"] * 3, "n_orgs": 150})
SLOW = pd.DataFrame({"seed": range(8), "n_orgs": 3000})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes() -> list[tuple[int, int, bytes]]:
    """(pid, session id, command line) of every process we can read."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                found.append((int(entry.name), int(stat[3]), (entry / "cmdline").read_bytes()))
            except (OSError, IndexError):
                continue
    return found


def _cluster_processes(session: int, folder: str) -> list[tuple[int, bytes]]:
    return [(pid, cmd) for pid, sid, cmd in _processes()
            if pid != os.getpid() and (sid == session or folder.encode() in cmd)]


@pytest.fixture(scope="module")
def ray_head():
    """The address of a fresh local Ray head (2 CPUs), stopped after the module's tests."""
    folder = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths are
    port = _free_port()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    head = subprocess.Popen(
        [str(RAY), "start", "--head", "--block", f"--port={port}",
         "--node-ip-address=127.0.0.1", "--num-cpus=2", "--num-gpus=0",
         "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={folder}",
         "--object-store-memory=100000000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if head.poll() is not None:
                pytest.fail(f"ray start exited {head.returncode}: {head.stderr.read()[-2000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the Ray head did not listen within 180 s")
        yield f"127.0.0.1:{port}"
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        deadline = time.monotonic() + 30
        while (left := _cluster_processes(head.pid, folder)) and time.monotonic() < deadline:
            for pid, _ in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.5)
        assert not _cluster_processes(head.pid, folder), "Ray processes left running"
        shutil.rmtree(folder, ignore_errors=True)


def test_a_batch_on_ray_gives_the_tables_of_a_local_run(ray_head, tmp_path) -> None:
    local = run_batch(BATCH, steps=12, per_step=True)
    on_ray = run_batch(BATCH, steps=12, per_step=True, out=tmp_path / "d", backend="ray",
                       address=ray_head, workers=2, chunk_size=2)
    assert on_ray.ran == 6
    pd.testing.assert_frame_equal(on_ray.summary, local.summary, check_exact=True)
    pd.testing.assert_frame_equal(on_ray.steps, local.steps, check_exact=True)


def _ray_task_workers(session: int) -> list[int]:
    """Ray worker processes of this cluster that are running a chunk."""
    return [pid for pid, sid, cmd in _processes()
            if sid == session and cmd.startswith(b"ray::_run_chunk_in_worker")]


def test_a_killed_ray_worker_loses_its_chunk_and_the_rerun_completes_each_run_once(
        ray_head, tmp_path) -> None:
    out = tmp_path / "d"
    session = next(sid for pid, sid, cmd in _processes()
                   if b"gcs_server" in cmd and ray_head.split(":")[1].encode() in cmd)
    outcome: dict[str, object] = {}

    def first_batch() -> None:
        try:
            outcome["result"] = run_batch(SLOW, steps=60, out=out, backend="ray",
                                          address=ray_head, workers=2, chunk_size=1, retries=0)
        except BackendError as err:
            outcome["error"] = err

    thread = threading.Thread(target=first_batch)
    thread.start()
    killed = None
    deadline = time.monotonic() + 300
    while killed is None and time.monotonic() < deadline and thread.is_alive():
        done = len(list((out / "summary").glob("*.parquet"))) if (out / "summary").is_dir() else 0
        busy = _ray_task_workers(session)
        if done >= 1 and busy:
            killed = busy[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.1)
    thread.join(timeout=600)
    assert killed is not None, "no Ray worker was running a chunk"
    assert "error" in outcome and "failed on Ray" in str(outcome["error"])
    made = set(read_summary(out)["run_key"])
    assert 1 <= len(made) < 8
    rerun = run_batch(SLOW, steps=60, out=out, backend="ray", address=ray_head, workers=2)
    assert (rerun.ran, rerun.reused) == (8 - len(made), len(made))
    summary = read_summary(out)
    assert len(summary) == 8 and summary["run_key"].is_unique
    local = run_batch(SLOW, steps=60)
    pd.testing.assert_frame_equal(rerun.summary, local.summary, check_exact=True)

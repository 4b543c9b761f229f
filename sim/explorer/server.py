"""Run the explorer's server in the background (for the browser test and the screenshot)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT = 240.0  # seconds; importing numba and Solara is slow on a busy machine
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads one
# Chromium flags for a closed network, as root, without a GPU.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync")


def free_port() -> int:
    """A localhost port that was free a moment ago (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll `url` until it answers 200; raise if the server exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"explorer server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"explorer server did not answer {url} within {timeout:.0f} s")


@contextmanager
def running_server(n_orgs: int, log: Path, timeout: float = START_TIMEOUT) -> Iterator[str]:
    """Serve the explorer on a free localhost port; yield its base URL; always stop it."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sim.explorer", "--port", str(port), "--n-orgs", str(n_orgs)],
            stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url + "/", process, timeout)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

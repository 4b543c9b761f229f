"""The command line: a small run prints its summary; bad input exits 2 with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          env={**os.environ}, timeout=300)


def test_small_run_prints_summary() -> None:
    done = _cli("--steps", "12", "--seed", "0", "n_orgs=200", "platform_design=per_goal")
    assert done.returncode == 0, done.stderr
    assert "platform_design" in done.stdout and "per_goal" in done.stdout
    assert "failed_share" in done.stdout


def test_bad_value_exits_2_naming_the_key() -> None:
    done = _cli("--steps", "1", "platform_design=regional")
    assert done.returncode == 2
    assert "platform_design='regional'" in done.stderr and "per_goal" in done.stderr
    done = _cli("--steps", "1", "n_orgs=-3")
    assert done.returncode == 2 and "n_orgs=-3" in done.stderr
    done = _cli("--steps", "1", "nonsense")
    assert done.returncode == 2 and "key=value" in done.stderr

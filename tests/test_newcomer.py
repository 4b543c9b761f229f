"""The mistakes a first-time user makes each end in one line that says what to do next: a
typo in a config group option or a key, a model parameter without `model.`, a Python below
3.12 (through make and directly), a results folder that cannot be written, an interrupted
first compile and a damaged numba cache."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.config import ConfigError, validate_command
from sim.python_check import too_old_message

REPO = Path(__file__).resolve().parents[1]


def _sim(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    lines = [x for x in done.stderr.strip().splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize(("overrides", "expected"), [
    ("platform=nationl", "platform='nationl': did you mean national? allowed values are"),
    ("population=smal", "did you mean small?"),
    ("country=post_conflcit", "did you mean post_conflict?"),
    ("trust=0.3", "trust is a model parameter: write model.trust=0.3"),
    ("+trust=0.3", "trust is a model parameter: write model.trust=0.3"),
    ("platform_design=per_goal", "write model.platform_design=per_goal"),
    ("model.trsut=0.3", "model.trsut: unknown key; did you mean model.trust?"),
    ("sede=3", "sede: unknown key; did you mean seed?"),
])
def test_config_mistakes_suggest_the_fix(overrides: str, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        validate_command(overrides.split(), multirun=False)
    assert expected in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_config_mistake_on_the_command_line_exits_2_with_the_fix(tmp_path) -> None:
    done = _sim("trust=0.3", f"results_dir={tmp_path / 'results'}")
    assert done.returncode == 2
    assert "write model.trust=0.3" in _one_error_line(done)
    assert not (tmp_path / "results").exists()


def test_old_python_message_says_which_python_to_use() -> None:
    message = too_old_message((3, 11, 2), "/usr/bin/python3.11")
    assert "needs Python 3.12 or newer" in message and "3.11.2" in message
    assert "-m sim" in message or "make run" in message
    assert too_old_message((3, 12, 0)) is None


def _old_python() -> str | None:
    for name in ("python3.11", "python3.10", "python3"):
        path = shutil.which(name)
        if path:
            done = subprocess.run([path, "-c", "import sys; print(sys.version_info < (3, 12))"],
                                  capture_output=True, text=True, timeout=60)
            if done.stdout.strip() == "True":
                return path
    return None


def test_running_the_package_on_old_python_says_what_to_do() -> None:
    old = _old_python()
    if old is None:
        pytest.skip("no Python below 3.12 on this machine")  # Debian's python3 is 3.11 here
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    for module in ("sim", "sim.explorer"):
        done = subprocess.run([old, "-m", module], capture_output=True, text=True, cwd=REPO,
                              env=env, timeout=120)
        assert done.returncode == 1
        assert "needs Python 3.12 or newer" in _one_error_line(done)
    imported = subprocess.run([old, "-c", "import sim"], capture_output=True, text=True,
                              cwd=REPO, env=env, timeout=120)
    assert "ImportError: partnership-sim needs Python 3.12" in imported.stderr


def test_make_without_python_312_says_what_to_install(tmp_path) -> None:
    """`make run` on a machine whose only Python is 3.11: find-python.sh explains, make stops
    before creating anything."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for tool in ("make", "bash", "sh", "rm", "touch", "mkdir", "env", "cat"):
        found = shutil.which(tool)
        if found:
            (fake_bin / tool).symlink_to(found)
    fake = fake_bin / "python3"
    fake.write_text(f'#!/bin/sh\necho "3 11 {fake}"\n')
    fake.chmod(0o755)
    env = {"PATH": str(fake_bin), "HOME": str(tmp_path), "FIND_PYTHON_SYSTEM_DIRS": ""}
    done = subprocess.run(["make", "-C", str(REPO), "run", f"VENV={tmp_path / 'venv'}"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode != 0
    assert "needs Python 3.12 or newer" in done.stderr
    assert f"Found: {fake} (3.11)" in done.stderr and "pyenv install 3.12" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_results_folder_that_cannot_be_written_is_refused_with_the_fix(tmp_path) -> None:
    if os.geteuid() == 0:  # root passes every permission check, yet cannot write in /proc
        target = Path("/proc/sim-results")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target = locked / "results"
    done = _sim("+debug=default", f"results_dir={target}")
    assert done.returncode == 2
    line = _one_error_line(done)
    assert f"results_dir='{target}': cannot write in" in line and "results_dir=PATH" in line


def _cache_folder() -> Path:
    """The folder of this package's compiled kernels (warmed by `make test`)."""
    base = Path(os.environ.get("NUMBA_CACHE_DIR") or REPO / "sim" / "__pycache__")
    return _newest_index(base).parent


def _newest_index(base: Path) -> Path:
    """The index of the current `compiled_step` (caches kept across edits of engines.py
    also hold older ones, named by their line number)."""
    return max(base.rglob("engines.compiled_step-*.nbi"), key=lambda p: p.stat().st_mtime)


def test_damaged_kernel_cache_names_the_file_and_how_to_fix_it(tmp_path) -> None:
    source = _cache_folder()
    base = Path(os.environ.get("NUMBA_CACHE_DIR") or source.parent)
    copy = tmp_path / "cache"
    shutil.copytree(base, copy)
    folder = copy / source.relative_to(base)
    data = folder / _newest_index(copy).name.replace(".nbi", ".1.nbc")
    data.write_bytes(data.read_bytes()[:1000])  # what a cut-off write leaves
    results = tmp_path / "results"
    done = _sim("+debug=default", f"results_dir={results}",
                env={**os.environ, "NUMBA_CACHE_DIR": str(copy)})
    assert done.returncode == 1
    line = _one_error_line(done)
    assert "numba kernel cache is damaged" in line and data.name in line
    assert f"rm -rf '{folder}'" in line
    assert not list(results.glob("runs/*"))


def test_interrupted_first_compile_says_nothing_was_written(tmp_path) -> None:
    results = tmp_path / "results"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "+debug=default", "progress=true",
         f"results_dir={results}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cold")})
    deadline = time.monotonic() + 240
    seen = ""
    while "Compiling the numba kernels" not in seen and time.monotonic() < deadline:
        seen += process.stderr.readline()
        assert process.poll() is None or "Compiling" in seen, seen
    assert "Compiling the numba kernels: first run only" in seen
    time.sleep(2.0)  # well inside the compile
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "error: interrupted: nothing was written" in err and "Traceback" not in err
    assert not list(results.glob("runs/*"))

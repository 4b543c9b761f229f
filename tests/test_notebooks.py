"""Every review notebook in notebooks/ runs against a tiny sweep; sweep reviews draw figures.

The test makes a real (tiny) Hydra sweep over the four platform designs and two membership
overheads, collects it, renders each jupytext `.py` notebook to `.ipynb` and executes it with
papermill, `results_dir` set to the sweep: every notebook must run without error. A notebook
that reviews a sweep (`SWEEP_NOTEBOOKS`) must also draw its figures, and run a second time
on a cut-down copy of the tables (one overhead, no per-goal or network columns, as in a sweep
made before those existed), where it must show notes instead of failing.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from validation.arms import locked

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.py"))
#: Notebooks that review a platform-design sweep: the figures each must draw on the tiny
#: sweep, and on the cut-down copy of its tables. Any other notebook (e.g. one reviewing
#: sensitivity outputs, tested with its own inputs elsewhere) must still run without error.
SWEEP_NOTEBOOKS = {"design_comparison": (7, 4)}
DESIGNS = ("none", "national", "per_goal", "hybrid")
PNG_MAGIC = b"\x89PNG"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collected tiny sweep: 4 designs x 2 membership overheads x 2 seeds, 36 months.

    Made once per session in a folder every xdist worker shares (behind a file lock)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "notebook_sweep"
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "sweep"
    with locked(root / "sweep.lock"):
        if not (folder / "summaries.parquet").is_file():
            _make_sweep(root, folder)
    assert (folder / "summaries.parquet").is_file() and (folder / "steps.parquet").is_file()
    return folder


def _make_sweep(root: Path, folder: Path) -> None:
    """Run and collect the tiny sweep into `folder` (run folders under `root/results`)."""
    done = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "+debug=default", "steps=36", "model.n_orgs=200",
         f"platform={','.join(DESIGNS)}", "model.membership_overhead=0.1,0.6", "seed=0,1",
         f"results_dir={root / 'results'}", f"hydra.sweep.dir={folder}",
         "hydra.launcher.n_jobs=1"],
        capture_output=True, text=True, timeout=600, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def cut_down_sweep(sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sweep's tables with one overhead and without per-goal and network columns."""
    folder = tmp_path_factory.mktemp("notebook_cut_down")
    runs = pd.read_parquet(sweep / "summaries.parquet")
    runs = runs[runs["membership_overhead"] == runs["membership_overhead"].min()]
    dropped = [c for c in runs.columns if c.startswith(("outcome_direct_g", "outcome_indirect_g",
                                                        "network_"))]
    assert dropped, "the sweep has no per-goal or network columns to drop"
    runs.drop(columns=dropped).to_parquet(folder / "summaries.parquet", index=False)
    steps = pd.read_parquet(sweep / "steps.parquet")
    steps[steps["run_key"].isin(runs["run_key"])].to_parquet(folder / "steps.parquet",
                                                             index=False)
    return folder


def _execute(notebook: Path, results: Path, out_dir: Path) -> nbformat.NotebookNode:
    """Render `notebook` to .ipynb, execute it with results_dir=`results`, return the result."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = out_dir / f"{notebook.stem}.ipynb"
    executed = out_dir / f"{notebook.stem}.out.ipynb"
    jupytext.write(jupytext.read(notebook), rendered)
    papermill.execute_notebook(str(rendered), str(executed),
                               parameters={"results_dir": str(results)},
                               kernel_name="python3", cwd=str(REPO), progress_bar=False)
    return nbformat.read(executed, as_version=4)


def _outputs(nb: nbformat.NotebookNode) -> tuple[list[bytes], str, list[str]]:
    """The notebook's PNG images, its text/markdown output, and any error outputs."""
    images, text, errors = [], [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                images.append(base64.b64decode(data["image/png"]))
            text.append(str(data.get("text/markdown", "")) + str(out.get("text", "")))
            if out.get("output_type") == "error":
                errors.append(f"{out.get('ename')}: {out.get('evalue')}")
    return images, "\n".join(text), errors


def test_there_are_notebooks_and_each_has_a_papermill_parameters_cell() -> None:
    assert set(SWEEP_NOTEBOOKS) <= {p.stem for p in NOTEBOOKS}, "a sweep notebook is missing"
    for path in NOTEBOOKS:
        nb = jupytext.read(path)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "results_dir" in tagged[0].source, path.name


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_a_tiny_sweep_and_draws_figures(notebook: Path, sweep: Path,
                                                         cut_down_sweep: Path,
                                                         tmp_path: Path) -> None:
    full = _execute(notebook, sweep, tmp_path / "full")
    images, text, errors = _outputs(full)
    assert not errors, errors
    if notebook.stem not in SWEEP_NOTEBOOKS:
        return
    figures, cut_figures = SWEEP_NOTEBOOKS[notebook.stem]
    assert len(images) >= figures, f"{notebook.name}: only {len(images)} figures"
    assert all(image.startswith(PNG_MAGIC) and len(image) > 5_000 for image in images)
    assert "did not vary" not in text and "not in this sweep" not in text, text[-2000:]

    cut = _execute(notebook, cut_down_sweep, tmp_path / "cut")
    images, text, errors = _outputs(cut)
    assert not errors, errors
    assert len(images) >= cut_figures, f"{notebook.name}: {len(images)} figures on the cut-down"
    assert "did not vary `membership_overhead`" in text
    assert text.count("not in this sweep's summaries") == 2, text[-2000:]


def test_validation_notebook_draws_effects_and_landings(tmp_path: Path) -> None:
    from validation.effects import landing, merge_rows, paired_effect, write_rows

    base = np.linspace(0.2, 0.4, 20)
    write_rows(tmp_path / "rows", "t", [
        paired_effect("a pattern", "a measure", ("off", base), ("on", base + 0.1), margin=0.05),
        paired_effect("a pattern", "no change", ("off", base), ("on", base), margin=0.01,
                      direction="none"),
        landing("a range", "failed share", base + 0.3, 0.3, 0.7),
        landing("a range", "another share", base + 0.5, 0.3, 0.7, asserted=False),
        landing("a network", "largest share", base + 0.5, 0.5, np.inf)])
    merge_rows(tmp_path / "rows", tmp_path / "results" / "effect_sizes.csv")
    nb = _execute(REPO / "notebooks" / "validation.py", tmp_path / "results", tmp_path / "out")
    images, text, errors = _outputs(nb)
    assert not errors, errors
    assert len(images) == 2 and all(image.startswith(PNG_MAGIC) for image in images)
    assert "**5 effects** of 3 patterns" in text and "4 pass" in text, text[:2000]


def test_notebook_names_a_missing_results_folder(tmp_path: Path) -> None:
    notebook = REPO / "notebooks" / "design_comparison.py"
    with pytest.raises(papermill.PapermillExecutionError, match="missing summaries.parquet"):
        _execute(notebook, tmp_path / "nowhere", tmp_path / "out")

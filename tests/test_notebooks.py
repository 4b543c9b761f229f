"""The review notebooks in notebooks/ run on real inputs and draw their figures.

A notebook that reviews a platform-design sweep (`SWEEP_NOTEBOOKS`) runs on a real tiny Hydra
sweep (the four platform designs x two membership overheads, one dataset), rendered from its
jupytext `.py` file and executed with papermill, `results_dir` set to the sweep: it must run
without error and draw its figures, then run again on a cut-down copy of the tables (one
overhead, no per-goal, network or end-cause columns, as in a sweep made before those
existed), where it must show notes instead of failing. `validation.py` runs on an effect-size
CSV written by the validation suite's own writer; `sensitivity.py` is run by
tests/test_sensitivity.py on real sensitivity outputs.
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
import papermill
import pytest
from validation.arms import locked

from sim.evaluate import read_steps, read_summary

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.py"))
#: Notebooks that review a platform-design sweep: the figures each must draw on the tiny
#: sweep, and on the cut-down copy of its tables.
SWEEP_NOTEBOOKS = {"design_comparison": (7, 4)}
#: Notebooks that read other inputs, and the test that runs each on real ones.
OTHER_NOTEBOOKS = {"validation": "tests/test_notebooks.py",
                   "sensitivity": "tests/test_sensitivity.py",
                   "calibration": "tests/test_calibration_twin.py"}
DESIGNS = ("none", "national", "per_goal", "hybrid")
PNG_MAGIC = b"\x89PNG"


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sweep's dataset: 4 designs x 2 membership overheads x 2 seeds, 36 months.

    Made once per session in a folder every xdist worker shares (behind a file lock)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "notebook_sweep"
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "sweep"
    with locked(root / "sweep.lock"):
        if not (folder / "dataset.json").is_file() or len(read_summary(folder)) < 16:
            _make_sweep(root, folder)
    assert len(read_summary(folder)) == 16 and len(read_steps(folder)) == 16 * 36
    return folder


def _make_sweep(root: Path, folder: Path) -> None:
    """Run the tiny sweep into the dataset `folder`."""
    done = subprocess.run(
        [sys.executable, "-m", "sim", "-m", "+debug=default", "steps=36", "model.n_orgs=200",
         f"platform={','.join(DESIGNS)}", "model.membership_overhead=0.1,0.6", "seed=0,1",
         f"results_dir={root / 'results'}", f"hydra.sweep.dir={folder}",
         "hydra.launcher.n_jobs=1"],
        capture_output=True, text=True, timeout=600, cwd=root)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def cut_down_sweep(sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sweep's tables with one overhead and without per-goal, network and end-cause
    columns."""
    folder = tmp_path_factory.mktemp("notebook_cut_down")
    runs = read_summary(sweep)
    runs = runs[runs["membership_overhead"] == runs["membership_overhead"].min()]
    dropped = [c for c in runs.columns if c.startswith(("outcome_direct_g", "outcome_indirect_g",
                                                        "network_", "ended_"))]
    assert {c.split("_")[0] for c in dropped} == {"outcome", "network", "ended"}, dropped
    runs.drop(columns=dropped).to_parquet(folder / "summaries.parquet", index=False)
    steps = read_steps(sweep)
    steps[steps["run_key"].isin(runs["run_key"])].to_parquet(folder / "steps.parquet",
                                                             index=False)
    return folder


def _execute(notebook: Path, results: Path | None, out_dir: Path,
             cwd: Path = REPO) -> nbformat.NotebookNode:
    """Render `notebook` to .ipynb, execute it in `cwd` with results_dir=`results` (its own
    default when None), return the result."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = out_dir / f"{notebook.stem}.ipynb"
    executed = out_dir / f"{notebook.stem}.out.ipynb"
    jupytext.write(jupytext.read(notebook), rendered)
    papermill.execute_notebook(str(rendered), str(executed),
                               parameters={} if results is None else
                               {"results_dir": str(results)},
                               kernel_name="python3", cwd=str(cwd), progress_bar=False)
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


def test_every_notebook_is_tested_and_has_a_papermill_parameters_cell() -> None:
    stems = {p.stem for p in NOTEBOOKS}
    assert stems == set(SWEEP_NOTEBOOKS) | set(OTHER_NOTEBOOKS), (
        f"notebooks {sorted(stems)}: each needs a test (SWEEP_NOTEBOOKS or OTHER_NOTEBOOKS)")
    for stem, test in OTHER_NOTEBOOKS.items():
        assert f'"{stem}.py"' in (REPO / test).read_text(), (stem, test)
    for path in NOTEBOOKS:
        nb = jupytext.read(path)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and "results_dir" in tagged[0].source, path.name
        assert nb.metadata["jupytext"]["formats"] == "py:percent", path.name


@pytest.mark.parametrize("stem", sorted(SWEEP_NOTEBOOKS))
def test_sweep_notebook_runs_on_a_tiny_sweep_and_draws_figures(stem: str, sweep: Path,
                                                               cut_down_sweep: Path,
                                                               tmp_path: Path) -> None:
    notebook = REPO / "notebooks" / f"{stem}.py"
    full = _execute(notebook, sweep, tmp_path / "full")
    images, text, errors = _outputs(full)
    assert not errors, errors
    assert str(sweep) in text, "the notebook did not say it read the given sweep"
    figures, cut_figures = SWEEP_NOTEBOOKS[stem]
    assert len(images) >= figures, f"{notebook.name}: only {len(images)} figures"
    assert all(image.startswith(PNG_MAGIC) and len(image) > 5_000 for image in images)
    assert "did not vary" not in text and "not in this sweep" not in text, text[-2000:]

    cut = _execute(notebook, cut_down_sweep, tmp_path / "cut")
    images, text, errors = _outputs(cut)
    assert not errors, errors
    assert len(images) >= cut_figures, f"{notebook.name}: {len(images)} figures on the cut-down"
    assert "did not vary `membership_overhead`" in text
    assert text.count("not in this sweep's summaries") == 3, text[-2000:]


def _tiny_validation_csv(folder: Path) -> list:
    """Run two validation arms (3 seeds, 300 organisations, 48 months), measure a few of the
    suite's effects on them and write them with the suite's own writer to
    `folder/effect_sizes.csv`; return the effects."""
    from validation.arms import ARMS
    from validation.effects import landing, merge_rows, paired_effect, write_rows

    from sim import PartnershipModel

    runs = {arm: [PartnershipModel(rng=seed, **{"n_orgs": 300, **ARMS[arm]}).run(48)
                  for seed in range(3)] for arm in ("default", "events")}

    def values(arm: str, key: str) -> np.ndarray:
        return np.array([run[key] for run in runs[arm]], dtype=np.float64)

    effects = [
        paired_effect("events", "partnerships formed", ("no sessions", values("default", "formed")),
                      ("sessions", values("events", "formed")), margin=0.0),
        paired_effect("SMEs take part less", "participation",
                      ("multinational", values("default", "multinational_participation")),
                      ("SME", values("default", "sme_participation")), margin=0.3,
                      direction="decrease"),
        paired_effect("events", "mean skill", ("no sessions", values("default", "mean_skill")),
                      ("sessions", values("events", "mean_skill")), margin=0.05,
                      direction="none"),
        landing("default scenario", "failed share", values("default", "failed_share"), 0.3, 0.7),
        landing("default scenario", "failed-or-dormant share",
                values("default", "failed_or_dormant_share"), 0.3, 0.7, asserted=False),
        landing("default scenario", "median lifetime", values("default", "median_lifetime_km"),
                24.0, 120.0),
    ]
    write_rows(folder / "rows", "tiny", effects)
    merge_rows(folder / "rows", folder / "effect_sizes.csv")
    return effects


def test_validation_notebook_draws_the_effects_of_a_validation_csv(tmp_path: Path) -> None:
    effects = _tiny_validation_csv(tmp_path / "results")
    nb = _execute(REPO / "notebooks" / "validation.py", tmp_path / "results", tmp_path / "out")
    images, text, errors = _outputs(nb)
    assert not errors, errors
    assert str(tmp_path / "results" / "effect_sizes.csv") in text, text[:2000]
    assert len(images) == 2, f"{len(images)} figures"
    assert all(image.startswith(PNG_MAGIC) and len(image) > 5_000 for image in images)
    passed = sum(e.passed for e in effects)
    failing = sum(e.asserted and not e.passed for e in effects)
    assert (f"**{len(effects)} effects** of 3 patterns" in text and f"{passed} pass" in text
            and f"{failing} asserted ones fail" in text), text[:2000]


def test_validation_notebook_stops_on_a_wrong_results_dir(tmp_path: Path) -> None:
    notebook = REPO / "notebooks" / "validation.py"
    with pytest.raises(papermill.PapermillExecutionError,
                       match="results_dir=.*nowhere.*: no effect_sizes.csv there"):
        _execute(notebook, tmp_path / "nowhere", tmp_path / "out")


def test_validation_notebook_left_at_its_default_notes_a_missing_report(tmp_path: Path) -> None:
    """Outside the repository, the default folder has no report: a note, no figures."""
    nb = _execute(REPO / "notebooks" / "validation.py", None, tmp_path / "out", cwd=tmp_path)
    images, text, errors = _outputs(nb)
    assert not errors and not images, errors
    assert "No `effect_sizes.csv` in `results/validation/`" in text, text[:2000]


def test_notebook_names_a_missing_results_folder(tmp_path: Path) -> None:
    notebook = REPO / "notebooks" / "design_comparison.py"
    with pytest.raises(papermill.PapermillExecutionError, match="missing summaries.parquet"):
        _execute(notebook, tmp_path / "nowhere", tmp_path / "out")

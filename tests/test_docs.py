"""docs/ODD.md keeps up with the code: the parameter table, every parameter and reporter."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

from sim.metrics import STEP_METRICS
from sim.params import Params

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"


def _load_table_script():
    """Import scripts/make_param_table.py (scripts/ is not a package)."""
    path = ROOT / "scripts" / "make_param_table.py"
    spec = importlib.util.spec_from_file_location("make_param_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mentioned(name: str, text: str) -> bool:
    """Whether `name` occurs in `text` as a whole word."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def test_parameter_table_is_up_to_date() -> None:
    script = _load_table_script()
    assert script.is_up_to_date(ODD), (
        "docs/ODD.md's parameter table is out of date with sim/params.py; "
        "run `python scripts/make_param_table.py` to update it")


def test_every_parameter_and_reporter_is_in_the_odd() -> None:
    text = ODD.read_text(encoding="utf-8")
    missing_params = [f.name for f in dataclasses.fields(Params) if not _mentioned(f.name, text)]
    missing_reporters = [name for name in STEP_METRICS if not _mentioned(name, text)]
    assert not missing_params, f"parameters missing from docs/ODD.md: {missing_params}"
    assert not missing_reporters, f"reporters missing from docs/ODD.md: {missing_reporters}"

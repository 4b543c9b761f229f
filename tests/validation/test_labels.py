"""Every validation pattern says whether it is emergent or by construction, and whether the
calibration fits it; the README table lists each with its label. No model runs."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import sim.rules
from sim.calibration.targets import load_targets

from . import test_patterns
from .effects import CSV_COLUMNS
from .patterns import KINDS, PATTERNS, ROLE_OF_USE, ROLES, TARGET_SET, Pattern

README = Path(__file__).resolve().parent / "README.md"


def _reporting_tests() -> list[str]:
    """Names of the tests in test_patterns.py that report effects (one pattern each)."""
    return [name for name, f in inspect.getmembers(test_patterns, inspect.isfunction)
            if name.startswith("test_") and "report" in inspect.signature(f).parameters]


def _readme_rows() -> dict[str, list[str]]:
    """Rows of the README's pattern table (the first table under "Patterns, measures and
    margins"), by their first cell, the header row included."""
    text = README.read_text()
    lines = text[text.index("## Patterns, measures and margins"):].splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith("| pattern"))
    rows = {}
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        if not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells
    return rows


def test_every_reporting_test_has_a_label_and_every_label_a_test() -> None:
    tests = _reporting_tests()
    assert len(tests) >= 9
    missing = [name for name in tests if name not in PATTERNS]
    assert not missing, f"patterns without a label in tests/validation/patterns.py: {missing}"
    stale = [name for name in PATTERNS if name not in tests]
    assert not stale, f"labels in patterns.py naming no reporting test: {stale}"
    for name, p in PATTERNS.items():
        assert p.kind in KINDS and p.role in ROLES, name
        assert p.because.strip().endswith("."), f"{name}: `because` is one full sentence"


def test_constructed_patterns_name_the_rule_that_makes_them_so() -> None:
    rules = {name for name, f in inspect.getmembers(sim.rules) if callable(f)}
    for name, p in PATTERNS.items():
        if p.kind in ("by_construction", "partly"):
            named = set(re.findall(r"[a-z_]+", p.because)) & rules
            assert named, f"{name}: `because` names no function of sim/rules.py"


def test_roles_follow_the_targets_use_and_no_pattern_is_both() -> None:
    targets = {t.name: t for t in load_targets(TARGET_SET).targets}
    for name, p in PATTERNS.items():
        unknown = [t for t in p.targets if t not in targets]
        assert not unknown, f"{name}: targets {unknown} are not in configs/targets/{TARGET_SET}"
        uses = {targets[t].use for t in p.targets}
        assert len(uses) <= 1, (f"{name}: its targets are both calibration and held-back "
                                f"ones ({sorted(uses)}); split the pattern")
        expected = ROLE_OF_USE[uses.pop()] if uses else "not a target"
        assert p.role == expected, f"{name}: role {p.role!r}, but its targets make it {expected!r}"
        if p.targets:
            assert p.note, f"{name}: say how it relates to the targets {p.targets}"


def test_readme_table_lists_every_pattern_with_its_label() -> None:
    rows = _readme_rows()
    columns = rows.pop("pattern")
    kind_col, role_col = columns.index("kind"), columns.index("role")
    for name, p in PATTERNS.items():
        assert p.title in rows, f"README table has no row '| {p.title} |' for {name}"
        row = rows[p.title]
        assert row[kind_col] == p.kind.replace("_", " "), (p.title, row[kind_col])
        assert row[role_col] == p.role, (p.title, row[role_col])
    assert set(rows) == {p.title for p in PATTERNS.values()}, "README rows without a label"


def test_readme_gives_each_pattern_its_reason() -> None:
    text = " ".join(README.read_text().split())
    for name, p in PATTERNS.items():
        assert " ".join(p.because.split()) in text, f"README lacks the `because` of {name}"


def test_the_csv_carries_the_label_columns() -> None:
    assert {"kind", "role", "targets", "because"} <= set(CSV_COLUMNS)


def test_a_bad_label_is_refused() -> None:
    with pytest.raises(ValueError, match="kind='emergentish'; allowed: emergent"):
        Pattern("t", "emergentish", "b.", "not a target")
    with pytest.raises(ValueError, match="role='both'"):
        Pattern("t", "emergent", "b.", "both")

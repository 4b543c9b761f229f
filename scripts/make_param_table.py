"""Write the parameter table of docs/ODD.md from the parameter schema in `sim.params`.

    python scripts/make_param_table.py           # rewrite the table in place
    python scripts/make_param_table.py --check   # exit 1 if docs/ODD.md is out of date

The table lives between the markers `<!-- PARAMETER TABLE START -->` and
`<!-- PARAMETER TABLE END -->`; everything outside them is left as it is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.params import (  # noqa: E402 (path set above)
    COUNTRY_PARAMS,
    PARAM_FIELDS,
    SECTORS,
    parameter_table,
)

ODD_PATH = ROOT / "docs" / "ODD.md"
START = "<!-- PARAMETER TABLE START -->"
END = "<!-- PARAMETER TABLE END -->"
COLUMNS = ("name", "meaning", "default", "range", "why", "plausible", "plausible why")


def _cell(text: str) -> str:
    """Make `text` safe inside one Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def format_value(value: Any) -> str:
    """Show a default compactly: numbers with `g`, sector tuples in full, None as `none`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    return str(value)


def plausible_cells(name: str) -> tuple[str, str]:
    """The plausible range of an uncertain parameter and its reason; dashes for fixed ones.

    A sector-indexed parameter's range is a factor on every sector's default (`x0.5..x2`).
    """
    from sim.sensitivity.ranges import factors_by_name

    meta = PARAM_FIELDS[name].metadata
    if meta.get("plausible_choices") is not None:
        return " / ".join(meta["plausible_choices"]), meta["plausible_why"]
    if meta.get("plausible") is None:
        return "—", "—"
    (factor,) = factors_by_name([name])
    return factor.range_text(), PARAM_FIELDS[name].metadata["plausible_why"]


def render_table() -> str:
    """The generated block that goes between the markers (without the markers)."""
    sectors = ", ".join(SECTORS)
    lines = [
        "<!-- Generated from sim/params.py by scripts/make_param_table.py; do not edit. -->",
        "",
        f"Sector-indexed parameters are tuples in the sector order ({sectors}).",
        "The plausible range of an uncertain parameter is what the sensitivity analysis "
        "varies (docs/sensitivity.md); for a sector-indexed parameter it is a factor on every "
        "sector's default. A structural switch that later analysis treats as uncertain lists "
        "its plausible choices. Parameters with a dash are structural, scenario or policy "
        "choices and are not varied.",
        "Country-level parameters (a world file may set them country by country, a "
        "sector-indexed one as one column per sector; docs/ODD.md section 6): "
        + ", ".join(f"`{name}`" for name in COUNTRY_PARAMS) + ".",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for row in parameter_table():
        cells = [
            f"`{row['name']}`",
            _cell(row["meaning"]),
            "`" + _cell(format_value(row["default"])) + "`",
            _cell(row["range"]),
            _cell(row["why"]),
            *(_cell(text) for text in plausible_cells(row["name"])),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rewrite(text: str) -> str:
    """Return `text` with the region between the markers replaced by the current table."""
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"expected exactly one {START!r} and one {END!r} marker")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    if END in head:
        raise ValueError(f"{END!r} comes before {START!r}")
    return f"{head}{START}\n{render_table()}\n{END}{tail}"


def is_up_to_date(path: Path = ODD_PATH) -> bool:
    """Whether the table in `path` matches the parameter schema."""
    text = path.read_text(encoding="utf-8")
    return rewrite(text) == text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="only check; exit 1 if the table is out of date")
    parser.add_argument("--path", type=Path, default=ODD_PATH, help="file to update")
    args = parser.parse_args(argv)
    try:
        text = args.path.read_text(encoding="utf-8")
        new = rewrite(text)
    except (OSError, ValueError) as err:
        print(f"error: {args.path}: {err}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(f"{args.path}: parameter table is out of date with sim/params.py; "
                  "run `python scripts/make_param_table.py` to update it", file=sys.stderr)
            return 1
        print(f"{args.path}: parameter table is up to date")
        return 0
    if new != text:
        args.path.write_text(new, encoding="utf-8")
        print(f"{args.path}: parameter table updated")
    else:
        print(f"{args.path}: parameter table already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())

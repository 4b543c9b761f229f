"""Worlds: the countries of a run, read from a world file or made as identical copies.

A world file is a CSV table with one row per country. Columns:

- `name` (required): the country's name, unique and not empty;
- `n_orgs` (required): its organisations (scaled by the run's `world_scale`);
- `profile` (optional): free text describing the row, shown in reports, not used;
- any country-level parameter of `sim.params` (`COUNTRY_PARAMS`) as a column of the same
  name; a sector-indexed one (`sector_shares`) as one column per sector,
  `sector_shares_sme` ... `sector_shares_academia`, all seven or none.

A parameter without a column takes the run's value in every country. Lines starting with
`#` are comments (shipped worlds say there that they are synthetic). Every cell is
validated against the parameter schema; a bad file raises `ValueError` naming the file,
the line and the column before any work is done. Without a world file a run has
`n_countries` identical countries of `n_orgs` organisations with the run's values.
"""

from __future__ import annotations

import csv
import dataclasses
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.params import COUNTRY_PARAMS, PARAM_FIELDS, SECTORS, Params, _validate

NAME, PROFILE = "name", "profile"
REQUIRED_COLUMNS = (NAME, "n_orgs")
MAX_COUNTRIES = int(PARAM_FIELDS["n_countries"].metadata["hi"])
MIN_COUNTRY_ORGS = int(PARAM_FIELDS["n_orgs"].metadata["lo"])
WORLDS_DIR = "worlds"  # inside the sim.data package


def parameter_columns() -> dict[str, tuple[str, int | None]]:
    """Every parameter column a world file may have: column -> (parameter, sector or None)."""
    columns: dict[str, tuple[str, int | None]] = {}
    for name in COUNTRY_PARAMS:
        if isinstance(PARAM_FIELDS[name].default, tuple):
            for s, sector in enumerate(SECTORS):
                columns[f"{name}_{sector}"] = (name, s)
        else:
            columns[name] = (name, None)
    return columns


def allowed_columns() -> tuple[str, ...]:
    """Every column a world file may have, in the order the docs list them."""
    return (NAME, PROFILE, *parameter_columns())


@dataclasses.dataclass(frozen=True)
class Countries:
    """The countries of a run: names, descriptions, and every country-level parameter's
    value per country (`values[name]` is an array over countries; `[c, sector]` for a
    sector-indexed parameter). `source` is the world file, or None for identical countries."""

    names: tuple[str, ...]
    profiles: tuple[str, ...]
    values: dict[str, np.ndarray]
    source: str | None = None

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    @property
    def n_orgs(self) -> np.ndarray:
        """Organisations per country (int64)."""
        return self.values["n_orgs"]

    def to_frame(self) -> pd.DataFrame:
        """One row per country: name, profile and every country-level parameter, with the
        sector-indexed ones as one column per sector (the world-file layout)."""
        frame = pd.DataFrame({NAME: list(self.names), PROFILE: list(self.profiles)})
        for column, (name, sector) in parameter_columns().items():
            values = self.values[name]
            frame[column] = values[:, sector] if sector is not None else values
        return frame


def identical_countries(p: Params) -> Countries:
    """`p.n_countries` countries of `p.n_orgs` organisations, each with the run's values."""
    n = p.n_countries
    values = {name: np.array([getattr(p, name)] * n) for name in COUNTRY_PARAMS}
    return Countries(names=tuple(f"country_{c}" for c in range(n)), profiles=("",) * n,
                     values=_typed(values))


def _typed(values: dict[str, Any]) -> dict[str, np.ndarray]:
    """Arrays of each parameter's type: int64 for integer parameters, float64 otherwise."""
    out = {}
    for name, array in values.items():
        default = PARAM_FIELDS[name].default
        kind = np.int64 if isinstance(default, int) and not isinstance(default, bool) \
            else np.float64
        out[name] = np.asarray(array, dtype=kind)
    return out


def shipped_worlds() -> tuple[str, ...]:
    """Names of the world files that ship with the package (`sim/data/worlds/*.csv`)."""
    folder = resources.files("sim.data").joinpath(WORLDS_DIR)
    return tuple(sorted(Path(entry.name).stem for entry in folder.iterdir()
                        if entry.name.endswith(".csv")))


def world_path(world: str) -> Path:
    """The file a `world` value names: a shipped world's name, or a path (anything with a
    path separator or a `.csv` ending). Raises `ValueError` for an unknown name."""
    if "/" in world or "\\" in world or world.endswith(".csv"):
        return Path(world)
    names = shipped_worlds()
    if world not in names:
        raise ValueError(f"world={world!r}: no shipped world of that name; shipped worlds are "
                         f"{', '.join(names)} (or give the path of a CSV file)")
    source = resources.files("sim.data").joinpath(WORLDS_DIR, f"{world}.csv")
    with resources.as_file(source) as path:
        return Path(path)


class _Where:
    """Builds error messages that name the world value, file, line and column."""

    def __init__(self, world: str, path: Path) -> None:
        self.prefix = f"world={world!r}: file {str(path)!r}"

    def error(self, detail: str, line: int | None = None, column: str | None = None,
              country: str | None = None) -> ValueError:
        where = self.prefix
        if line is not None:
            where += f", line {line}"
            if country:
                where += f" (country {country!r})"
        if column is not None:
            where += f", column {column!r}"
        return ValueError(f"{where}: {detail}")


def _rows(path: Path, where: _Where) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header (line number, cells) and data rows (line number, cells) of a CSV file,
    skipping blank lines and `#` comments."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as err:
        raise where.error("no such file") from err
    except UnicodeDecodeError as err:
        raise where.error("not a UTF-8 text file") from err
    except OSError as err:
        raise where.error(f"cannot read the file ({err.strerror or err})") from err
    header: tuple[int, list[str]] | None = None
    rows = []
    try:
        for number, cells in enumerate(csv.reader(text.splitlines()), start=1):
            if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
                continue
            cells = [cell.strip() for cell in cells]
            if header is None:
                header = (number, cells)
            else:
                rows.append((number, cells))
    except csv.Error as err:
        raise where.error(f"not a readable CSV file ({err})") from err
    if header is None:
        raise where.error("no header row (a world file needs the columns name and n_orgs)")
    return header[0], header[1], rows


def _check_header(line: int, header: list[str], where: _Where) -> None:
    allowed = allowed_columns()
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise where.error("column appears twice", line, column)
        seen.add(column)
        if column not in allowed:
            hint = ("" if column else " (empty column name)")
            raise where.error(f"unknown column{hint}; allowed columns are "
                              f"{', '.join(allowed)}", line, column)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            raise where.error(f"missing required column {column!r} (a world file needs the "
                              f"columns {' and '.join(REQUIRED_COLUMNS)})", line)
    for name in COUNTRY_PARAMS:
        if isinstance(PARAM_FIELDS[name].default, tuple):
            group = [f"{name}_{sector}" for sector in SECTORS]
            present = [c for c in group if c in seen]
            if present and len(present) != len(group):
                missing = [c for c in group if c not in seen]
                raise where.error(f"{name} needs all {len(group)} columns or none; missing "
                                  f"{', '.join(missing)}", line, present[0])


def _number(text: str, name: str) -> int | float:
    """Parse one cell as the parameter's kind of number (integers accept `2000` and `2e3`)."""
    value = float(text)  # ValueError for text that is not a number
    default = PARAM_FIELDS[name].default
    if isinstance(default, int) and value.is_integer():
        return int(value)
    return value


def read_world(world: str) -> tuple[list[str], list[str], dict[str, list[Any]], str]:
    """Read and validate the world file `world` names; return names, profiles, the columns
    it sets (parameter -> one value per country) and the file's path.

    Raises `ValueError` naming the file, line and column of the first problem.
    """
    path = world_path(world)
    where = _Where(world, path)
    header_line, header, rows = _rows(path, where)
    _check_header(header_line, header, where)
    if not rows:
        raise where.error("no countries (the file has a header but no rows)")
    if len(rows) > MAX_COUNTRIES:
        raise where.error(f"{len(rows)} countries; at most {MAX_COUNTRIES} are allowed")
    columns = parameter_columns()
    names: list[str] = []
    profiles: list[str] = []
    first_line: dict[str, int] = {}
    values: dict[str, list[Any]] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            raise where.error(f"{len(cells)} values for {len(header)} columns", line)
        row = dict(zip(header, cells, strict=True))
        name = row[NAME]
        if not name:
            raise where.error("empty country name", line, NAME)
        if name in first_line:
            raise where.error(f"duplicate name {name!r} (also on line {first_line[name]})",
                              line, NAME)
        first_line[name] = line
        names.append(name)
        profiles.append(row.get(PROFILE, ""))
        sector_values: dict[str, list[float]] = {}
        for column in header:
            if column in (NAME, PROFILE):
                continue
            parameter, sector = columns[column]
            text = row[column]
            if not text:
                raise where.error("empty value (give a number, or drop the column to use the "
                                  "run's value)", line, column, name)
            try:
                number = _number(text, parameter)
            except ValueError as err:
                raise where.error(f"{text!r} is not a number", line, column, name) from err
            if sector is not None:
                sector_values.setdefault(parameter, [0.0] * len(SECTORS))[sector] = number
                continue
            try:
                values.setdefault(parameter, []).append(_validate(parameter, number))
            except (TypeError, ValueError) as err:
                raise where.error(str(err), line, column, name) from err
        for parameter, shares in sector_values.items():
            try:
                values.setdefault(parameter, []).append(_validate(parameter, tuple(shares)))
            except (TypeError, ValueError) as err:
                raise where.error(str(err), line, f"{parameter}_*", name) from err
    return names, profiles, values, str(path)


def load_countries(p: Params) -> Countries:
    """The countries of a run with parameters `p`: from `p.world` (scaled by
    `p.world_scale`, the run's values where the file has no column), or `p.n_countries`
    identical countries. Raises `ValueError` for a bad world file."""
    if p.world is None:
        return identical_countries(p)
    names, profiles, given, source = read_world(p.world)
    n = len(names)
    values = {name: given.get(name, [getattr(p, name)] * n) for name in COUNTRY_PARAMS}
    values["n_orgs"] = scaled_sizes(np.asarray(values["n_orgs"], np.int64), p.world_scale)
    return Countries(names=tuple(names), profiles=tuple(profiles), values=_typed(values),
                     source=source)


def scaled_sizes(n_orgs: np.ndarray, scale: float) -> np.ndarray:
    """Country sizes times `scale`, rounded half up, never below `MIN_COUNTRY_ORGS`."""
    if scale == 1.0:
        return n_orgs.astype(np.int64)
    scaled = np.floor(n_orgs * scale + 0.5).astype(np.int64)
    return np.maximum(scaled, MIN_COUNTRY_ORGS)


__all__ = ["Countries", "load_countries", "identical_countries", "read_world", "world_path",
           "shipped_worlds", "parameter_columns", "allowed_columns", "scaled_sizes"]

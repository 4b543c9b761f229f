"""What a single run prints: a progress bar that knows about the first compile, then a short
report of the headline outcomes with units and where the full tables are.

The headline lines are data (`HEADLINES`: summary column, label, unit, format), so they can
later point at the project's one list of outcomes without touching the formatting. A run's
folder is a dataset of one run (`sim.evaluate`): every parameter and outcome is a column of
its summary table and its provenance is in `dataset.json`; `python -m sim --verbose` prints
every parameter and every outcome after the headline.
"""

from __future__ import annotations

import json
import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from sim.metrics import SUMMARY_TAIL_MONTHS

PROGRESS_DELAY_S = 3.0  # a progress bar appears once a run has taken this long
COLD_COMPILE_HINT = "about a minute"  # a cold compile of one engine on a quiet 2-core machine
VERBOSE_FLAGS = ("--verbose", "-v")
# A single run's report says what the runner's INFO lines would ("run ... finished").
QUIET_RUN_LOG = "++hydra.job_logging.loggers.sim.level=WARNING"

# Compiled functions a run on each engine loads first: if they are not in the numba cache,
# the first step compiles them (and everything they call).
ENGINE_ENTRY_POINTS: dict[str, tuple[str, ...]] = {
    "numba": ("sim.engines:compiled_step", "sim.metrics:compute_step_metrics"),
    "mesa": ("sim.rules:update_context", "sim.rules:spread_outcomes",
             "sim.metrics:compute_step_metrics"),
}


# --- the headline ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    """One line of the run report: a summary column, its label, its unit and its format.

    `unit` may name other summary columns in braces (`"over {steps} months"`); `undefined`
    is shown instead of the value when it is missing or not a number (NaN).
    """

    name: str
    label: str
    unit: str
    fmt: str = "{:,.0f}"
    undefined: str = "n/a"


HEADLINES: tuple[Headline, ...] = (
    Headline("formed", "Partnerships formed", "in {steps} months"),
    Headline("active_at_end", "Partnerships active at end", "partnerships"),
    Headline("failed_share", "Failed", "of ended partnerships", "{:.1%}", "n/a (none ended)"),
    Headline("median_lifetime_km", "Median partnership life", "months (Kaplan-Meier)",
             "{:.0f}", "n/a (none ended)"),
    Headline("sme_participation", "SME participation",
             f"of SMEs, mean of the last {SUMMARY_TAIL_MONTHS} months", "{:.1%}"),
    Headline("multinational_participation", "Multinational participation",
             "of multinationals, same months", "{:.1%}"),
    Headline("mean_skill", "Mean partnering skill", "0..1, all organisations", "{:.3f}"),
    Headline("outcome_direct", "Direct goal outcome", "outcome units, cumulative"),
    Headline("outcome_indirect", "Indirect goal outcome", "outcome units, via spillovers"),
    Headline("cost_per_partnership", "Cost per partnership",
             "staff-months per brokered partnership", "{:,.2f}", "n/a (none brokered)"),
    Headline("membership_cost_per_partnership", "Members' cost per partnership",
             "overhead-months of memberships per brokered partnership", "{:,.2f}",
             "n/a (none brokered)"),
    Headline("action_yield", "Action yield", "brokered partnerships per platform action",
             "{:.3f}", "n/a (no platform actions)"),
    Headline("goal_coverage", "Goal coverage",
             "of (country, goal) cells with a partnership, same months", "{:.1%}"),
    Headline("deep_coverage", "Deep goal coverage",
             "of cells with a transformational partnership, same months", "{:.1%}"),
    Headline("donor_leverage", "Outcome per donor money", "outcome units per unit disbursed",
             "{:,.2f}", "n/a (no donor money)"),
    Headline("cofinance_per_donor_money", "Co-finance per donor money",
             "non-donor money per unit disbursed", "{:,.2f}", "n/a (no donor money)"),
    Headline("platform_budget", "Platform staff", "staff, {platform_design} design"),
    Headline("platform_running_cost", "Platform running cost",
             "staff-months of the budget, fixed cost of running the platforms", "{:,.1f}"),
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _defined(value: Any) -> bool:
    return value is not None and not (_is_number(value) and math.isnan(value))


def headline_lines(row: Mapping[str, Any], headlines: Iterable[Headline] = HEADLINES,
                   indent: str = "  ") -> list[str]:
    """The headline, one aligned `label  value  unit` line per entry of `headlines`."""
    items = list(headlines)
    cells = []
    for h in items:
        value = row.get(h.name)
        text = h.fmt.format(value) if _defined(value) else h.undefined
        try:
            unit = h.unit.format(**row) if _defined(value) else ""
        except (KeyError, IndexError, ValueError):
            unit = h.unit
        cells.append((h.label, text, unit))
    label_w = max(len(c[0]) for c in cells)
    value_w = max(len(c[1]) for c in cells if not c[1].startswith("n/a")) if any(
        not c[1].startswith("n/a") for c in cells) else 0
    lines = []
    for label, text, unit in cells:
        shown = text if text.startswith("n/a") else f"{text:>{value_w}}"
        lines.append(f"{indent}{label:<{label_w}}  {shown}  {unit}".rstrip())
    return lines


# --- the report of one run ---------------------------------------------------------------------

def shown_path(path: Path) -> str:
    """`path` relative to the working folder when it lies inside it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _header(row: Mapping[str, Any], batch: Mapping[str, Any], skipped: bool) -> list[str]:
    countries = int(row.get("n_countries", 1) or 1)
    took = batch.get("wall_s")
    when = ("finished earlier: read from its folder" if skipped
            else f"took {took:.1f} s" if _is_number(took) else "finished")
    return [f"Run {row.get('run_key', '?')} ({when})",
            f"  {row.get('platform_design', '?')} design, "
            f"{int(row.get('n_orgs_total', row.get('n_orgs', 0))):,} "
            f"organisations in {countries} {'country' if countries == 1 else 'countries'}, "
            f"{int(row.get('steps', 0))} months, seed {row.get('seed', '?')}"]


def _files(run_dir: Path, n_steps: int) -> list[str]:
    folder = shown_path(run_dir)
    return [
        f"Full results in {folder}/ (a dataset of one run)",
        "  summary/       one row: every parameter and outcome of the run",
        f"  steps/         one row per month ({n_steps} rows): every step metric",
        "  dataset.json   code digest, seed, versions, git commit, timing",
        "Open them in pandas:",
        "  import pandas as pd",
        f"  summary = pd.read_parquet('{folder}/summary')",
        f"  steps = pd.read_parquet('{folder}/steps')",
    ]


def _value_text(name: str, value: Any) -> str:
    """A parameter or outcome for the verbose listing (per-sector lists named by sector)."""
    from sim.params import SECTORS

    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return value
    if isinstance(value, list | tuple):
        if len(value) == len(SECTORS):
            return ", ".join(f"{s} {v:g}" if _is_number(v) else f"{s} {v}"
                             for s, v in zip(SECTORS, value, strict=True))
        return ", ".join(str(v) for v in value)
    if _is_number(value) and not isinstance(value, int):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"
    return str(value)


def _listing(title: str, items: Mapping[str, Any]) -> list[str]:
    if not items:
        return []
    width = max(len(k) for k in items)
    return [title, *(f"  {k:<{width}}  {_value_text(k, v)}" for k, v in items.items())]


def run_report(run_dir: Path, skipped: bool = False, verbose: bool = False) -> str:
    """The text printed after a single run: header, headline, then where the files are
    (and with `verbose`, every parameter and every outcome)."""
    from sim.evaluate import read_manifest, read_summary
    from sim.params import PARAM_FIELDS

    run_dir = Path(run_dir)
    row = read_summary(run_dir).iloc[0].to_dict()
    row = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
    batches = read_manifest(run_dir).get("batches") or [{}]
    made = [b for b in batches if b.get("runs_made")]
    n_steps = int(row.get("steps", 0))
    lines = [*_header(row, made[-1] if made else batches[-1], skipped), "",
             "Headline outcomes", *headline_lines(row), ""]
    if verbose:
        params = {"seed": row.get("seed"), "steps": row.get("steps"),
                  **{k: row[k] for k in PARAM_FIELDS if k in row}}
        outcomes = {k: v for k, v in row.items() if k not in params and k != "run_key"}
        lines += [*_listing("Parameters", params), "",
                  *_listing("Every outcome", outcomes), ""]
    lines += _files(run_dir, n_steps)
    if not verbose:
        lines.append("Every parameter and outcome: python -m sim --verbose")
    return "\n".join(lines)


_verbose = False


def set_verbose(on: bool) -> None:
    """Make the run report list every parameter and outcome (`--verbose`)."""
    global _verbose
    _verbose = on


def take_verbose_flag(argv: list[str]) -> bool:
    """Remove `--verbose`/`-v` from `argv` (Hydra would refuse them); return whether given."""
    found = [a for a in argv if a in VERBOSE_FLAGS]
    for flag in found:
        argv.remove(flag)
    return bool(found)


def print_run_report(run_dir: Path, skipped: bool = False, stream: TextIO | None = None) -> None:
    """Print the report of the run in `run_dir` (what `sim.runner.run_single` made)."""
    print(run_report(Path(run_dir), skipped, _verbose), file=stream or sys.stdout, flush=True)


# --- the first compile -------------------------------------------------------------------------

def _dispatcher(entry: str) -> Any:
    import importlib

    module, _, name = entry.partition(":")
    return getattr(importlib.import_module(module), name)


def kernels_cached(engine: str) -> bool | None:
    """Whether the numba cache holds the compiled entry points of `engine` for the current
    sources (True/False), or None when that cannot be told (unknown engine, other numba)."""
    entries = ENGINE_ENTRY_POINTS.get(engine)
    if not entries:
        return None
    try:
        for entry in entries:
            cache = _dispatcher(entry)._cache
            if not cache._cache_file._load_index():
                return False
        return True
    except Exception:  # noqa: BLE001 - a damaged index is reported when the run loads it
        return None


def cache_location() -> str:
    """Where compiled kernels are cached: `$NUMBA_CACHE_DIR`, else beside the sources."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    return shown_path(Path(folder)) if folder else "sim/__pycache__"


class RunProgress:
    """Progress of a run's months: while the first step compiles the kernels, a line that
    says so (with the time a compile takes and, on a terminal, the seconds so far), then a
    tqdm bar timed from the second step on, so its estimate is not extrapolated from the
    compile. Use as a context manager; call `update()` once per month.
    """

    def __init__(self, total: int, enabled: bool = True, engine: str = "numba",
                 stream: TextIO | None = None) -> None:
        self.total, self.enabled, self.engine = total, enabled, engine
        self.stream = stream or sys.stderr
        self.done = 0
        self.compiling = False
        self._bar: Any = None
        self._started = 0.0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self.stream.write(f"\r  compiling... {time.perf_counter() - self._started:.0f} s")
            self.stream.flush()

    def __enter__(self) -> RunProgress:
        self._started = time.perf_counter()
        if self.enabled and self.total > 0 and kernels_cached(self.engine) is False:
            self.compiling = True
            self.stream.write(
                f"Compiling the numba kernels: first run only, {COLD_COMPILE_HINT} "
                "(more on a busy machine).\n"
                f"They are cached in {cache_location()}; later runs start in about a second.\n")
            if getattr(self.stream, "isatty", lambda: False)():
                self.stream.write("  compiling... 0 s")
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()
            self.stream.flush()
        return self

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            self._ticker = None
            self.stream.write("\r")

    def _end_compile_line(self) -> None:
        self._stop_ticker()
        if self.compiling:
            took = time.perf_counter() - self._started
            self.stream.write(f"  compiled in {took:.0f} s".ljust(24) + "\n")
            self.stream.flush()
            self.compiling = False

    def update(self) -> None:
        """One more month done."""
        self.done += 1
        if not self.enabled:
            return
        if self.done == 1:
            delay = 0.0 if self.compiling else PROGRESS_DELAY_S
            self._end_compile_line()
            if self.total > 1:
                from tqdm import tqdm

                self._bar = tqdm(total=self.total, initial=1, desc="months", unit="month",
                                 delay=delay, leave=False, file=self.stream)
        elif self._bar is not None:
            self._bar.update()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._ticker is not None:
            self._stop_ticker()
            self.stream.write("\n")
            self.stream.flush()
        if self._bar is not None:
            self._bar.close()

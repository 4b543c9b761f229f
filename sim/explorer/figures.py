"""Figures of the explorer, drawn with matplotlib from a running model (no Solara here).

`series` turns the DataCollector's table into what the plots show. Each figure is declared
as data (`Panel`s of `Line`s over `series` columns) and drawn by a `LiveLines` (or, for the
network, a `LiveNetwork`) that keeps its matplotlib Figure between months and updates it in
place: new data goes into the existing lines, and the axes grow in steps, so the costly
background (axes, ticks, titles, legend) is drawn again only when a limit grows; the rest
of the time only the lines are drawn over the cached background and the picture is encoded
as a PNG. The `draw_*` functions draw a figure once, for tests and screenshots.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from sim.explorer import outcomes
from sim.params import END_CAUSES, SECTORS
from sim.state import TRANSFORMATIONAL

if TYPE_CHECKING:
    from sim.model import PartnershipModel

SECTOR_COLOURS: dict[str, str] = {
    "sme": "#d62728", "multinational": "#1f77b4", "ngo": "#2ca02c", "donor": "#9467bd",
    "government": "#8c564b", "business_association": "#ff7f0e", "academia": "#17becf"}
SECTOR_LABELS: dict[str, str] = {
    "sme": "SMEs", "multinational": "multinationals", "ngo": "NGOs", "donor": "donors",
    "government": "government", "business_association": "business assoc.",
    "academia": "academia"}
CAUSE_LABELS: dict[str, str] = {
    "health": "health breakdown", "unmet": "objectives unmet", "funding": "funds ran out",
    "objective": "objective reached"}
CAUSE_COLOURS: dict[str, str] = {
    "health": "#d62728", "unmet": "#ff7f0e", "funding": "#9467bd", "objective": "#2ca02c"}
MAX_NODES = 500
FIGSIZE = (5.0, 3.2)
DPI = 80
PNG_COMPRESSION = 1  # zlib level: 1 encodes a 400x256 figure in about 1 ms, ~27 kB
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Axis limits grow to the next of these month counts (then doubling), so the background is
# redrawn a handful of times in a run, not every month.
MONTH_LIMITS = (24, 60, 120, 240, 480, 1200)
NICE_MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
GROWTH = 2.0  # a y limit the data outgrows grows to the next nice number above data x this


def series(model: PartnershipModel) -> pd.DataFrame:
    """Per-step table of what the plots show, indexed by step (1, 2, ...)."""
    raw = model.datacollector.model_vars
    n = min((len(v) for v in raw.values()), default=0)  # complete steps only
    index = pd.RangeIndex(1, n + 1, name="step")
    if n == 0:
        return pd.DataFrame(index=index)

    def column(name: str) -> np.ndarray:
        return np.asarray(raw[name][:n], dtype=float)

    out: dict[str, np.ndarray] = {}  # built whole, then one frame (not column by column)
    active = column(outcomes.ACTIVE)
    transformational = np.rint(active * column(outcomes.TRANSFORMATIONAL_SHARE))
    out["active_value_chain"] = active - transformational
    out["active_transformational"] = transformational
    out["active_partnerships"] = active
    for sector in SECTORS:
        out[f"{sector}_participation"] = column(outcomes.PARTICIPATION.format(sector=sector))
        out[f"skill_{sector}"] = column(outcomes.SKILL.format(sector=sector))
    out["outcome_direct"] = column(outcomes.OUTCOME_DIRECT)
    out["outcome_indirect"] = column(outcomes.OUTCOME_INDIRECT)
    for cause in END_CAUSES:
        out[f"ended_{cause}"] = np.cumsum(column(outcomes.DISSOLVED.format(cause=cause)))
    out["formed_total"] = np.cumsum(column(outcomes.FORMED))
    out["brokered_total"] = np.cumsum(column(outcomes.FORMED_BROKERED))
    return pd.DataFrame(out, index=index)


# --- figures as data ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """One line: a `series` column of frame `source` (0 unless a figure compares frames)."""

    column: str
    label: str
    colour: str
    width: float = 1.4
    source: int = 0


@dataclass(frozen=True)
class Panel:
    """One set of axes: its title, y label and lines; `zero_line` draws y = 0; the y axis
    grows no higher than `ceiling` (1 for shares)."""

    title: str
    ylabel: str
    lines: tuple[Line, ...]
    zero_line: bool = False
    ceiling: float | None = None


def _by_sector(template: str) -> tuple[Line, ...]:
    return tuple(Line(template.format(sector=s), SECTOR_LABELS[s], SECTOR_COLOURS[s],
                      2.6 if s == "sme" else 1.2) for s in SECTORS)  # SMEs first, thickest


ACTIVE_PANEL = Panel("Active partnerships by kind", "partnerships", (
    Line("active_value_chain", "value chain", "#7f7f7f"),
    Line("active_transformational", "transformational", "#2ca02c")))
PARTICIPATION_PANEL = Panel("Participation by sector (SMEs first)", "share in a partnership",
                            _by_sector("{sector}_participation"), ceiling=1.0)
SKILL_PANEL = Panel("Mean skill by sector", "skill (0..1)", _by_sector("skill_{sector}"),
                    ceiling=1.0)
OUTCOMES_PANEL = Panel("Goal outcomes (cumulative)", "outcome units", (
    Line("outcome_direct", "direct", "#1f77b4"),
    Line("outcome_indirect", "indirect", "#ff7f0e")), zero_line=True)
DISSOLUTION_PANEL = Panel("Dissolution causes (cumulative)", "partnerships ended", tuple(
    Line(f"ended_{c}", CAUSE_LABELS[c], CAUSE_COLOURS[c]) for c in END_CAUSES))

# The single-design page's line figures, by component name, in page order.
SERIES_PANELS: dict[str, Panel] = {
    "ActivePlot": ACTIVE_PANEL, "ParticipationPlot": PARTICIPATION_PANEL,
    "SkillPlot": SKILL_PANEL, "OutcomesPlot": OUTCOMES_PANEL,
    "DissolutionPlot": DISSOLUTION_PANEL}

COMPARE_PANELS: tuple[tuple[str, str], ...] = (
    ("active_partnerships", "Active partnerships"),
    ("sme_participation", "SME participation"),
    ("outcome_direct", "Direct goal outcome (cumulative)"),
    ("outcome_indirect", "Indirect goal outcome (cumulative)"),
)
COMPARE_COLOURS = ("#1f77b4", "#d62728")


def compare_panels(labels: tuple[str, str]) -> tuple[Panel, ...]:
    """The side-by-side figure: each key outcome of both designs on shared axes."""
    return tuple(Panel(title, "", tuple(
        Line(column, label, colour, source=k)
        for k, (label, colour) in enumerate(zip(labels, COMPARE_COLOURS, strict=True))),
        zero_line=column == "outcome_indirect",
        ceiling=1.0 if column.endswith("participation") else None)
        for column, title in COMPARE_PANELS)


# --- drawing in place --------------------------------------------------------------------------

def month_limit(months: int) -> int:
    """The x limit that leaves room for `months`: the next of MONTH_LIMITS, then doubling."""
    for limit in MONTH_LIMITS:
        if months <= limit:
            return limit
    return MONTH_LIMITS[-1] * 2 ** math.ceil(math.log2(months / MONTH_LIMITS[-1]))


def nice_ceiling(value: float) -> float:
    """The smallest 'nice' number (1, 1.2, 1.5, 2, 2.5, ... x 10^k) at or above `value` > 0."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    scale = 10.0 ** math.floor(math.log10(value))
    return next(m * scale for m in NICE_MANTISSAS if m * scale >= value * (1 - 1e-12))


def grown_limits(current: tuple[float, float] | None, lo: float, hi: float
                 ) -> tuple[float, float]:
    """Y limits that include 0 and [lo, hi]: `current` if it already does, else grown to nice
    numbers with room to grow (limits only grow, so a line never jumps back and forth, and
    the background is redrawn about once per doubling of the data)."""
    new_lo = 0.0 if lo >= 0 else -nice_ceiling(-lo * GROWTH)
    new_hi = nice_ceiling(hi * GROWTH) if hi > 0 else 0.0
    if current is None:
        return new_lo, new_hi if new_hi > new_lo else 1.0
    return (min(current[0], new_lo) if lo < current[0] else current[0],
            max(current[1], new_hi) if hi > current[1] else current[1])


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as PNG (RGB, 8 bits), written here: every row with PNG's "sub" filter
    (each byte less the one a pixel to its left, a numpy subtraction) and zlib at level
    PNG_COMPRESSION. A third of the time Pillow takes for a 400x256 figure (its adaptive
    filter tries every filter on every row), for files about 15% larger, same pixels."""
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    rgb = rgba[:, :, :3].reshape(height, width * 3)
    rows = np.empty((height, width * 3 + 1), np.uint8)
    rows[:, 0] = 1  # filter type 1: sub
    rows[:, 1:4] = rgb[:, :3]
    np.subtract(rgb[:, 3:], rgb[:, :-3], out=rows[:, 4:])  # modulo 256, as PNG wants
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESSION))
            + _png_chunk(b"IEND", b""))


class LiveLines:
    """A figure of line panels, kept between months and updated in place (see the module
    docstring). `update(frames)` returns the PNG of the figure for the data in `frames`."""

    def __init__(self, panels: Sequence[Panel], shape: tuple[int, int] = (1, 1),
                 figsize: tuple[float, float] = FIGSIZE, legend_columns: int = 1) -> None:
        self.panels = tuple(panels)
        self.figure = Figure(figsize=figsize, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        shared = len(self.panels) > 1 and all(
            [ln.label for ln in p.lines] == [ln.label for ln in self.panels[0].lines]
            for p in self.panels)
        axes = np.atleast_1d(self.figure.subplots(*shape, sharex=True)).ravel()
        self.axes = list(axes[:len(self.panels)])
        self.lines: list[list[Line2D]] = []
        for ax, panel in zip(self.axes, self.panels, strict=True):
            ax.set_title(panel.title, fontsize=11 if len(self.panels) == 1 else 10)
            if panel.ylabel:
                ax.set_ylabel(panel.ylabel)
            ax.grid(alpha=0.3)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if panel.zero_line:
                ax.axhline(0.0, color="black", linewidth=0.6)
            self.lines.append([ax.plot([], [], color=ln.colour, linewidth=ln.width,
                                       label=ln.label, animated=True)[0]
                               for ln in panel.lines])
        for ax in self.axes[-shape[1]:]:
            ax.set_xlabel("month")
        # Legends sit outside the axes, in the cached background, never under a line.
        if shared:
            self.figure.legend(handles=self.lines[0], loc="upper center", ncol=len(
                self.lines[0]), fontsize=9, frameon=False)
            self.figure.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.09,
                                        hspace=0.3, wspace=0.22)
        else:
            self.axes[0].legend(handles=self.lines[0], loc="upper left", fontsize=7,
                                bbox_to_anchor=(1.01, 1.0), frameon=False,
                                ncol=legend_columns, borderaxespad=0.0)
            self.figure.subplots_adjust(left=0.15, right=0.67, top=0.9, bottom=0.16)
        self.xlim: int | None = None
        self.ylims: list[tuple[float, float] | None] = [None] * len(self.panels)
        self.background: Any = None
        self.redraws = 0  # full redraws of the background (for tests and the step-rate tool)

    def _limits(self, frames: Sequence[pd.DataFrame]) -> bool:
        """Set grown limits for the data; True if any changed (the background is stale)."""
        months = max((len(f) for f in frames), default=0)
        changed = self.xlim is None
        xlim = month_limit(max(months, 1))
        if xlim != self.xlim:
            self.xlim, changed = xlim, True
            for ax in self.axes:
                ax.set_xlim(0, xlim)
        for k, panel in enumerate(self.panels):
            values = [frames[ln.source][ln.column].to_numpy() for ln in panel.lines
                      if len(frames[ln.source])]
            data = np.concatenate(values) if values else np.zeros(0)
            data = data[np.isfinite(data)]
            lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
            ylim = grown_limits(self.ylims[k], lo, hi)
            if panel.ceiling is not None and hi <= panel.ceiling:
                ylim = (ylim[0], min(ylim[1], panel.ceiling))
            if ylim != self.ylims[k]:
                self.ylims[k], changed = ylim, True
                self.axes[k].set_ylim(*ylim)
        return changed

    def update(self, frames: pd.DataFrame | Sequence[pd.DataFrame]) -> bytes:
        """Put the data of `frames` (one frame, or one per source) in the lines; return PNG."""
        frames = [frames] if isinstance(frames, pd.DataFrame) else list(frames)
        for panel, lines in zip(self.panels, self.lines, strict=True):
            for spec, line in zip(panel.lines, lines, strict=True):
                frame = frames[spec.source]
                line.set_data(frame.index.to_numpy(), frame[spec.column].to_numpy()
                              if len(frame) else np.zeros(0))
        if self._limits(frames) or self.background is None:
            self.canvas.draw()  # animated lines are left out of the background
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.redraws += 1
        else:
            self.canvas.restore_region(self.background)
        for ax, lines in zip(self.axes, self.lines, strict=True):
            for line in lines:
                ax.draw_artist(line)
        return png_bytes(self.canvas)


def sampled_partnerships(model: PartnershipModel, max_nodes: int = MAX_NODES) -> np.ndarray:
    """Active partnership slots to draw: all of them, or a stable sample with <= max_nodes
    distinct members (chosen by a hash of the partnership's serial number, so a partnership
    stays in the picture while it lives; the model's random numbers are not touched)."""
    ps = model.state.partnerships
    active = np.flatnonzero(ps.active)
    order = active[np.argsort((ps.serial[active] * 2654435761) % (1 << 32), kind="stable")]
    chosen, seen = [], set()
    for k in order:
        members = ps.members[k, :ps.n_members[k]].tolist()
        new = [m for m in members if m not in seen]
        if len(seen) + len(new) > max_nodes:
            continue
        seen.update(new)
        chosen.append(k)
    return np.asarray(chosen, dtype=np.int64)


@dataclass(frozen=True)
class NetworkSnapshot:
    """What the network figure shows, copied from the model (drawn without holding it)."""

    n_total: int
    n_active: int
    n_platforms: int
    sectors: np.ndarray  # sector of every organisation row
    members: list[np.ndarray]  # member rows of each drawn partnership
    transformational: np.ndarray  # bool per drawn partnership
    broker: np.ndarray  # platform row per drawn partnership (-1: none)


def network_snapshot(model: PartnershipModel, max_nodes: int = MAX_NODES) -> NetworkSnapshot:
    """Copy of the sampled active partnerships (see `sampled_partnerships`)."""
    ps = model.state.partnerships
    chosen = sampled_partnerships(model, max_nodes)
    return NetworkSnapshot(
        n_total=int(model.state.orgs.sector.shape[0]), n_active=int(ps.active.sum()),
        n_platforms=int(model.state.platforms.staff.shape[0]),
        sectors=model.state.orgs.sector.copy(),
        members=[ps.members[k, :ps.n_members[k]].copy() for k in chosen],
        transformational=np.asarray([ps.kind[k] == TRANSFORMATIONAL for k in chosen], bool),
        broker=ps.broker[chosen].copy())


class LiveNetwork:
    """The partnership network now: organisations on a ring by sector, a chord per pair of
    partners, platforms (squares) in the centre linked to the partnerships they brokered.
    The title, the legend and the platforms are the cached background; chords and
    organisations are drawn over it each month (the counts are `network_caption`)."""

    def __init__(self, n_total: int, n_platforms: int,
                 title: str = "Partnership network (active partnerships)") -> None:
        self.figure = Figure(figsize=(5.0, 5.0), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.figure.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.14)
        ax = self.ax = self.figure.subplots()
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_xlim(-1.15, 1.15)
        ax.set_ylim(-1.15, 1.15)
        rows = np.arange(n_total)
        angle = 2 * np.pi * (rows + 0.5) / max(n_total, 1)
        radius = 1.0 + 0.08 * (((rows * 40503) % 97) / 97.0 - 0.5)
        self.xy = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        p_angle = 2 * np.pi * np.arange(n_platforms) / max(n_platforms, 1)
        p_radius = 0.0 if n_platforms == 1 else 0.3
        self.p_xy = np.column_stack([p_radius * np.cos(p_angle), p_radius * np.sin(p_angle)])
        if n_platforms:
            ax.scatter(*self.p_xy.T, s=60, marker="s", color="black", zorder=3)
        # One Line2D per kind of chord (segments separated by NaN) and one per sector's
        # markers: Agg draws each as a single path, far faster than a collection.
        self.weak = ax.plot([], [], color="#999999", linewidth=0.6, alpha=0.6, zorder=1,
                            animated=True)[0]
        self.strong = ax.plot([], [], color="#2ca02c", linewidth=0.6, alpha=0.6, zorder=1,
                              animated=True)[0]
        self.brokered = ax.plot([], [], color="black", linewidth=0.4, alpha=0.25,
                                linestyle="--", zorder=0, animated=True)[0]
        self.nodes = [ax.plot([], [], marker="o", markersize=3.5, linestyle="", zorder=2,
                              color=SECTOR_COLOURS[s], animated=True)[0] for s in SECTORS]
        ax.set_title(title, fontsize=10)  # static: text is slow to draw, counts go below
        handles = [Line2D([], [], marker="o", linestyle="", color=SECTOR_COLOURS[s],
                          label=SECTOR_LABELS[s]) for s in SECTORS]
        handles.append(Line2D([], [], marker="s", linestyle="", color="black",
                              label=f"platform ({n_platforms})"))
        handles.append(Line2D([], [], color="#2ca02c", label="transformational"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3,
                  fontsize=7, frameon=False)
        self.background: Any = None

    def update(self, snap: NetworkSnapshot) -> bytes:
        """Draw the snapshot over the cached background; return the PNG."""
        xy = self.xy
        weak, strong, brokered = [], [], []
        for members, is_strong, broker in zip(snap.members, snap.transformational,
                                              snap.broker, strict=True):
            pairs = strong if is_strong else weak
            pairs.extend((members[a], members[b]) for a in range(len(members))
                         for b in range(a + 1, len(members)))
            if broker >= 0:
                brokered.append(np.vstack([self.p_xy[broker], xy[members].mean(axis=0)]))
        for line, pairs in ((self.weak, weak), (self.strong, strong)):
            line.set_data(*_segments(xy[np.asarray(pairs, np.int64).reshape(-1, 2)]))
        self.brokered.set_data(*_segments(np.asarray(brokered).reshape(-1, 2, 2)))
        nodes = np.unique(np.concatenate(snap.members)) if snap.members else \
            np.zeros(0, np.int64)
        sectors = snap.sectors[nodes]
        for k, line in enumerate(self.nodes):
            line.set_data(*xy[nodes[sectors == k]].T)
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        for artist in (self.brokered, self.weak, self.strong, *self.nodes):
            self.ax.draw_artist(artist)
        return png_bytes(self.canvas)


def network_caption(snap: NetworkSnapshot) -> str:
    """How much of the network the figure shows, e.g. 'all 120 active partnerships, 300 of
    1,000 organisations'."""
    drawn = len(snap.members)
    nodes = len(np.unique(np.concatenate(snap.members))) if snap.members else 0
    shown = f"{drawn:,} of {snap.n_active:,}" if drawn < snap.n_active else \
        f"all {snap.n_active:,}"
    return f"{shown} active partnerships, {nodes:,} of {snap.n_total:,} organisations"


def _segments(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y of segments (n x 2 ends x 2 coordinates) as one NaN-separated polyline."""
    path = np.full((len(ends), 3, 2), np.nan)
    path[:, :2] = ends
    return path[:, :, 0].ravel(), path[:, :, 1].ravel()


# --- by country ---------------------------------------------------------------------------------

class LiveBars:
    """One number per country as bars, one bar per country and source (design), the worst
    country of each source hatched and named, and each source's world value as a dashed
    line; kept between months and updated in place like `LiveLines` (the axes, country
    names and legend are the cached background, redrawn only when the y limit grows)."""

    def __init__(self, names: Sequence[str], labels: Sequence[str], title: str,
                 ylabel: str, colours: Sequence[str] = COMPARE_COLOURS,
                 figsize: tuple[float, float] | None = None) -> None:
        n, k = len(names), len(labels)
        width = max(3.5 + 1.5 * k, min(12.0, 2.0 + 0.11 * n * k)) if figsize is None else figsize[0]
        self.figure = Figure(figsize=(width, 3.4) if figsize is None else figsize, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.ax = self.figure.subplots()
        x = np.arange(n, dtype=float)
        bar = 0.8 / k
        self.bars = [ax.bar(x - 0.4 + bar * (j + 0.5), np.zeros(n), bar, color=colours[j],
                            label=labels[j], animated=True).patches for j in range(k)]
        self.world = [ax.axhline(0.0, color=colours[j], linestyle="--", linewidth=1.0,
                                 animated=True) for j in range(k)]
        self.notes = [ax.text(0.01, 0.97 - 0.09 * j, "", transform=ax.transAxes, fontsize=8,
                              color=colours[j], va="top", animated=True) for j in range(k)]
        ax.set_xticks(x, list(names), rotation=90 if n > 6 else 0,
                      fontsize=6 if n > 20 else 8)
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.grid(alpha=0.3, axis="y")
        handles = [Line2D([], [], color=c, linewidth=6, label=lab)
                   for c, lab in zip(colours, labels, strict=False)]
        handles.append(Line2D([], [], color="black", linestyle="--", label="whole world"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                  frameon=False, borderaxespad=0.0)
        self.figure.subplots_adjust(left=0.09, right=0.8, top=0.9,
                                    bottom=0.3 if n > 6 else 0.14)
        self.ylim: tuple[float, float] | None = None
        self.background: Any = None
        self.redraws = 0

    def update(self, values: Sequence[np.ndarray], worlds: Sequence[float],
               worst: Sequence[int], notes: Sequence[str]) -> bytes:
        """Bars of `values` (one array per source), world values, the index of each source's
        worst country (-1: none) and a note per source; return the PNG."""
        data = np.concatenate([np.asarray(v, float) for v in values] + [np.asarray(worlds)])
        data = data[np.isfinite(data)]
        lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 0.0)
        ylim = grown_limits(self.ylim, lo, hi)
        if ylim != self.ylim or self.background is None:
            self.ylim = ylim if hi > 0 or lo < 0 else None  # all zero: fit the first data
            self.ax.set_ylim(*ylim)
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.redraws += 1
        else:
            self.canvas.restore_region(self.background)
        for patches, vals, line, w, bad, note, text in zip(
                self.bars, values, self.world, worlds, worst, notes, self.notes, strict=True):
            for c, patch in enumerate(patches):
                patch.set_height(float(vals[c]) if np.isfinite(vals[c]) else 0.0)
                patch.set_hatch("////" if c == bad else None)
                patch.set_edgecolor("black" if c == bad else "none")
                patch.set_linewidth(1.5 if c == bad else 0.0)
                self.ax.draw_artist(patch)
            line.set_ydata([w, w] if np.isfinite(w) else [np.nan, np.nan])
            self.ax.draw_artist(line)
            text.set_text(note)
            self.ax.draw_artist(text)
        return png_bytes(self.canvas)


# --- one-off drawings (tests, screenshots, the step-rate tool's rebuild figure) ------------------

def _drawn(live: LiveLines | LiveNetwork, data: Any) -> Figure:
    live.update(data)
    return live.figure


def draw_active(frame: pd.DataFrame) -> Figure:
    """Active partnerships by kind (value chain, transformational) over time."""
    return _drawn(LiveLines([ACTIVE_PANEL]), frame)


def draw_participation(frame: pd.DataFrame) -> Figure:
    """Share of each sector's organisations in at least one active partnership."""
    return _drawn(LiveLines([PARTICIPATION_PANEL]), frame)


def draw_skill(frame: pd.DataFrame) -> Figure:
    """Mean partnering skill by sector."""
    return _drawn(LiveLines([SKILL_PANEL]), frame)


def draw_outcomes(frame: pd.DataFrame) -> Figure:
    """Cumulative goal outcomes, direct and indirect (spillovers through the goal matrix)."""
    return _drawn(LiveLines([OUTCOMES_PANEL]), frame)


def draw_dissolution(frame: pd.DataFrame) -> Figure:
    """Partnerships ended so far, by cause."""
    return _drawn(LiveLines([DISSOLUTION_PANEL]), frame)


SERIES_FIGURES = (draw_active, draw_participation, draw_skill, draw_outcomes, draw_dissolution)


def draw_network(model: PartnershipModel, max_nodes: int = MAX_NODES) -> Figure:
    """The partnership network now (see `LiveNetwork`)."""
    snap = network_snapshot(model, max_nodes)
    title = f"Partnership network: {network_caption(snap).replace(', ', ',' + chr(10), 1)}"
    return _drawn(LiveNetwork(snap.n_total, snap.n_platforms, title), snap)


def draw_comparison(frames: tuple[pd.DataFrame, pd.DataFrame], labels: tuple[str, str]) -> Figure:
    """Key outcomes of two designs on shared axes, one panel per outcome."""
    return _drawn(LiveLines(compare_panels(labels), shape=(2, 2), figsize=(9.0, 5.6)), frames)


class LivePage:
    """Every figure of the single-design page for one model, updated in place each month
    (used by the step-rate tool; the page's components hold the same figures one by one)."""

    def __init__(self, model: PartnershipModel) -> None:
        self.model = model
        self.lines = {name: LiveLines([panel]) for name, panel in SERIES_PANELS.items()}
        snap = network_snapshot(model)
        self.network = LiveNetwork(snap.n_total, snap.n_platforms)

    def update(self) -> dict[str, bytes]:
        """PNG of every figure for the model's data now."""
        frame = series(self.model)
        images = {name: live.update(frame) for name, live in self.lines.items()}
        images["NetworkView"] = self.network.update(network_snapshot(self.model))
        return images

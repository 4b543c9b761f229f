"""Figures of the explorer, drawn with matplotlib from a running model (no Solara here).

`series` turns the DataCollector's table into what the plots show; each `draw_*` function
fills one matplotlib Figure, so the figures can be tested and saved without a browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

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
MAX_NODES = 500
FIGSIZE = (5.0, 3.2)
DPI = 80


def series(model: PartnershipModel) -> pd.DataFrame:
    """Per-step table of what the plots show, indexed by step (1, 2, ...)."""
    raw = model.datacollector.get_model_vars_dataframe()
    out = pd.DataFrame(index=pd.RangeIndex(1, len(raw) + 1, name="step"))
    if raw.empty:
        return out
    active = raw["active_partnerships"].to_numpy()
    transformational = np.rint(active * raw["transformational_share"].to_numpy())
    out["active_value_chain"] = active - transformational
    out["active_transformational"] = transformational
    out["active_partnerships"] = active
    for sector in SECTORS:
        out[f"{sector}_participation"] = raw[f"{sector}_participation"].to_numpy()
        out[f"skill_{sector}"] = raw[f"skill_{sector}"].to_numpy()
    out["outcome_direct"] = raw["outcome_direct"].to_numpy()
    out["outcome_indirect"] = raw["outcome_indirect"].to_numpy()
    for cause in END_CAUSES:
        out[f"ended_{cause}"] = raw[f"dissolved_{cause}"].cumsum().to_numpy()
    out["formed_total"] = raw["formed"].cumsum().to_numpy()
    out["brokered_total"] = raw["formed_brokered"].cumsum().to_numpy()
    return out


def _figure(title: str) -> tuple[Figure, object]:
    fig = Figure(figsize=FIGSIZE, dpi=DPI)  # fixed margins: a layout engine doubles the cost
    fig.subplots_adjust(left=0.15, right=0.97, top=0.9, bottom=0.16)
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("month")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    return fig, ax


def draw_active(frame: pd.DataFrame) -> Figure:
    """Active partnerships by kind (value chain, transformational) over time."""
    fig, ax = _figure("Active partnerships by kind")
    if not frame.empty:
        ax.plot(frame.index, frame["active_value_chain"], label="value chain", color="#7f7f7f")
        ax.plot(frame.index, frame["active_transformational"], label="transformational",
                color="#2ca02c")
        ax.legend(loc="upper left", fontsize=8)
    ax.set_ylabel("partnerships")
    return fig


def _by_sector(frame: pd.DataFrame, prefix: str, suffix: str, title: str, ylabel: str) -> Figure:
    fig, ax = _figure(title)
    if not frame.empty:
        for sector in SECTORS:  # SMEs first, drawn thickest
            ax.plot(frame.index, frame[f"{prefix}{sector}{suffix}"], label=SECTOR_LABELS[sector],
                    color=SECTOR_COLOURS[sector], linewidth=2.6 if sector == "sme" else 1.2)
        ax.legend(loc="upper left", fontsize=7, ncol=2)
    ax.set_ylabel(ylabel)
    return fig


def draw_participation(frame: pd.DataFrame) -> Figure:
    """Share of each sector's organisations in at least one active partnership."""
    return _by_sector(frame, "", "_participation", "Participation by sector (SMEs first)",
                      "share in a partnership")


def draw_skill(frame: pd.DataFrame) -> Figure:
    """Mean partnering skill by sector."""
    return _by_sector(frame, "skill_", "", "Mean skill by sector", "skill (0..1)")


def draw_outcomes(frame: pd.DataFrame) -> Figure:
    """Cumulative goal outcomes, direct and indirect (spillovers through the goal matrix)."""
    fig, ax = _figure("Goal outcomes (cumulative)")
    if not frame.empty:
        ax.plot(frame.index, frame["outcome_direct"], label="direct", color="#1f77b4")
        ax.plot(frame.index, frame["outcome_indirect"], label="indirect", color="#ff7f0e")
        ax.axhline(0.0, color="black", linewidth=0.6)
        ax.legend(loc="upper left", fontsize=8)
    ax.set_ylabel("outcome units")
    return fig


def draw_dissolution(frame: pd.DataFrame) -> Figure:
    """Partnerships ended so far, by cause."""
    fig, ax = _figure("Dissolution causes (cumulative)")
    if not frame.empty:
        for cause in END_CAUSES:
            ax.plot(frame.index, frame[f"ended_{cause}"], label=CAUSE_LABELS[cause])
        ax.legend(loc="upper left", fontsize=8)
    ax.set_ylabel("partnerships ended")
    return fig


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


def draw_network(model: PartnershipModel, max_nodes: int = MAX_NODES) -> Figure:
    """Partnership network now: organisations on a ring by sector, a chord per pair of
    partners, platforms (squares) in the centre linked to partnerships they brokered."""
    ps, orgs, pl = model.state.partnerships, model.state.orgs, model.state.platforms
    chosen = sampled_partnerships(model, max_nodes)
    n_active = int(ps.active.sum())
    n_total = orgs.sector.shape[0]
    fig = Figure(figsize=(5.0, 5.0), dpi=DPI)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.14)
    ax = fig.subplots()
    ax.set_aspect("equal")
    ax.axis("off")
    nodes = np.unique(ps.members[chosen][ps.members[chosen] >= 0]) if chosen.size else \
        np.zeros(0, np.int64)
    shown = f"{chosen.size} of {n_active}" if chosen.size < n_active else f"all {n_active}"
    ax.set_title(f"Partnership network: {shown} active partnerships,\n"
                 f"{nodes.size} of {n_total} organisations", fontsize=10)
    angle = 2 * np.pi * (np.arange(n_total) + 0.5) / n_total
    radius = 1.0 + 0.08 * (((np.arange(n_total) * 40503) % 97) / 97.0 - 0.5)
    xy = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    n_platforms = pl.staff.shape[0]
    p_angle = 2 * np.pi * np.arange(n_platforms) / max(n_platforms, 1)
    p_radius = 0.0 if n_platforms == 1 else 0.3
    p_xy = np.column_stack([p_radius * np.cos(p_angle), p_radius * np.sin(p_angle)])
    weak, strong, brokered = [], [], []
    for k in chosen:
        members = ps.members[k, :ps.n_members[k]]
        pairs = strong if ps.kind[k] == TRANSFORMATIONAL else weak
        pairs.extend(xy[[members[a], members[b]]] for a in range(len(members))
                     for b in range(a + 1, len(members)))
        if ps.broker[k] >= 0:
            brokered.append(np.vstack([p_xy[ps.broker[k]], xy[members].mean(axis=0)]))
    ax.add_collection(LineCollection(weak, colors="#999999", linewidths=0.6, alpha=0.6,
                                     zorder=1))
    ax.add_collection(LineCollection(strong, colors="#2ca02c", linewidths=0.6, alpha=0.6,
                                     zorder=1))
    ax.add_collection(LineCollection(brokered, colors="black", linewidths=0.4, alpha=0.25,
                                     linestyles="--", zorder=0))
    if nodes.size:
        ax.scatter(*xy[nodes].T, s=12, zorder=2,
                   c=[SECTOR_COLOURS[SECTORS[s]] for s in orgs.sector[nodes]])
    if n_platforms:
        ax.scatter(*p_xy.T, s=60, marker="s", color="black", zorder=3)
    handles = [Line2D([], [], marker="o", linestyle="", color=SECTOR_COLOURS[s],
                      label=SECTOR_LABELS[s]) for s in SECTORS]
    handles.append(Line2D([], [], marker="s", linestyle="", color="black",
                          label=f"platform ({n_platforms})"))
    handles.append(Line2D([], [], color="#2ca02c", label="transformational"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=3,
              fontsize=7, frameon=False)
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-1.15, 1.15)
    return fig


COMPARE_PANELS: tuple[tuple[str, str], ...] = (
    ("active_partnerships", "Active partnerships"),
    ("sme_participation", "SME participation"),
    ("outcome_direct", "Direct goal outcome (cumulative)"),
    ("outcome_indirect", "Indirect goal outcome (cumulative)"),
)


def draw_comparison(frames: tuple[pd.DataFrame, pd.DataFrame], labels: tuple[str, str]) -> Figure:
    """Key outcomes of two designs on shared axes, one panel per outcome."""
    fig = Figure(figsize=(9.0, 5.6), dpi=DPI)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.94, bottom=0.09, hspace=0.25, wspace=0.22)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (column, title) in zip(axes, COMPARE_PANELS, strict=True):
        ax.set_title(title, fontsize=11)
        ax.grid(alpha=0.3)
        for frame, label, colour in zip(frames, labels, ("#1f77b4", "#d62728"), strict=True):
            if not frame.empty:
                ax.plot(frame.index, frame[column], label=label, color=colour)
        if column == "outcome_indirect":
            ax.axhline(0.0, color="black", linewidth=0.6)
    for ax in axes[2:]:
        ax.set_xlabel("month")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not frames[0].empty:
        axes[0].legend(loc="upper left", fontsize=8)
    return fig

"""Draws the suite's speed and memory figure from its engine rows (or an engine.csv).

    python benchmarks/plot.py benchmarks/results/<date>-<tag>/   # redraws speed.png there

Left: organisation-steps per second against population size, log-log, one line per
engine, the issue's targets as red markers. Right: peak memory per organisation (whole
process, and above the process's baseline after imports), with the 1.5 GiB at 10^6 target.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from suite import TARGET_ORG_STEPS  # noqa: E402 (the targets live in suite.py)
from suite import TARGET_PEAK_BYTES as TARGET_PEAK  # noqa: E402

STYLE = {"numba": {"color": "tab:blue", "marker": "o"},
         "mesa": {"color": "tab:orange", "marker": "s"}}


def plot_speed(rows: list[dict[str, Any]], path: Path) -> None:
    """Write the two-panel figure (speed, memory per organisation) of successful rows."""
    fig, (speed, memory) = plt.subplots(1, 2, figsize=(11, 4.2))
    for engine, style in STYLE.items():
        ok = sorted((r for r in rows if r["engine"] == engine and r["status"] == "ok"
                     and r.get("code", "current") in ("current", "")),
                    key=lambda r: int(r["n_orgs"]))
        if not ok:
            continue
        n = [int(r["n_orgs"]) for r in ok]
        speed.plot(n, [float(r["org_steps_per_s_median"]) for r in ok], label=f"{engine} engine",
                   **style)
        memory.plot(n, [float(r["bytes_per_org"]) for r in ok],
                    label=f"{engine}: peak RSS / n", **style)
        memory.plot(n, [float(r["bytes_per_org_above_baseline"]) for r in ok], ls="--",
                    mfc="none", label=f"{engine}: (peak - baseline) / n", **style)
    speed.scatter(list(TARGET_ORG_STEPS), list(TARGET_ORG_STEPS.values()), marker="*", s=160,
                  color="tab:red", zorder=3, label="target (numba, one thread)")
    n, peak = TARGET_PEAK
    memory.scatter([n], [peak / n], marker="*", s=160, color="tab:red", zorder=3,
                   label="target: 1.5 GiB at 10^6")
    speed.set(xscale="log", yscale="log", xlabel="organisations",
              ylabel="organisation-steps per second (median step)",
              title="Speed, every mechanism on")
    memory.set(xscale="log", yscale="log", xlabel="organisations",
               ylabel="bytes per organisation", title="Peak memory per organisation")
    for ax in (speed, memory):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a suite result folder with engine.csv")
    args = parser.parse_args()
    source = args.folder / "engine.csv"
    if not source.is_file():
        raise SystemExit(f"folder={args.folder}: no engine.csv in it")
    with source.open() as f:
        rows = list(csv.DictReader(f))
    plot_speed(rows, args.folder / "speed.png")
    print(f"wrote {args.folder / 'speed.png'}")


if __name__ == "__main__":
    main()

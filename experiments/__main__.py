"""`python -m experiments NAME [options]`: run one experiment driver (or `all`, or `readout`).

    python -m experiments platform_designs --seeds 10
    python -m experiments all --size tiny
    python -m experiments readout
"""

from __future__ import annotations

import importlib
import sys

from experiments import EXPERIMENTS

USAGE = ("usage: python -m experiments {" + ",".join((*EXPERIMENTS, "all", "readout"))
         + "} [--seeds N] [--size tiny|default] [--workers W] [--results DIR] [--analyse-only]"
         " [--backend local|ray|slurm|submitit_local] [--address HOST:PORT]"
         " [--posterior NAME]")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a driver's command line; `all` runs every experiment in turn."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip() + "\n\n" + USAGE)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name == "readout":
        from experiments.readout import main as readout_main

        return readout_main(rest)
    if name != "all" and name not in EXPERIMENTS:
        print(f"error: experiment={name!r}: allowed values are "
              f"{', '.join((*EXPERIMENTS, 'all', 'readout'))}", file=sys.stderr)
        return 2
    status = 0
    for each in EXPERIMENTS if name == "all" else (name,):
        module = importlib.import_module(f"experiments.{each}")
        code = module.main(module.EXPERIMENT, rest)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Serve the explorer: `python -m sim.explorer [--host H] [--port P] [--n-orgs N] [--open]`.

Replaces itself with `solara run sim.explorer.app` in production mode on localhost (by
default), so stopping this process stops the server. The one-design page is at `/`, the
side-by-side page at `/compare`.
"""

from __future__ import annotations

import argparse
import os
import sys

from sim.explorer.settings import N_ORGS_ENV, parse_n_orgs


def build_command(host: str, port: int, open_browser: bool) -> list[str]:
    """The `solara run` command line that serves the explorer app."""
    return [sys.executable, "-m", "solara", "run", "sim.explorer.app", "--host", host,
            "--port", str(port), "--production", "--open" if open_browser else "--no-open",
            "--log-level", "warning"]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, then run the Solara server until it exits or is interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sim.explorer", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument("--n-orgs", default=None,
                        help="organisations the first model starts with (default 10000)")
    parser.add_argument("--open", action="store_true", help="open a browser tab")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.n_orgs is not None:
        try:
            env[N_ORGS_ENV] = str(parse_n_orgs(args.n_orgs))
        except ValueError as error:
            parser.exit(2, f"error: {error}\n")
    env.setdefault("MPLBACKEND", "Agg")
    print(f"Explorer on http://{args.host}:{args.port}/  (compare designs: /compare); "
          "Ctrl-C stops it", flush=True)
    command = build_command(args.host, args.port, args.open)
    os.execve(command[0], command, env)  # the server replaces this process (same pid)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())

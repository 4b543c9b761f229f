"""Screenshot of the explorer after some months: `python -m sim.explorer.snapshot OUT.png`.

Serves the app on a free localhost port, opens it in headless Debian Chromium (Playwright,
no browser download), presses Step `--steps` times and saves a full-page screenshot.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sim.explorer.server import CHROMIUM, CHROMIUM_ARGS, running_server
from sim.explorer.settings import parse_n_orgs

STEP_TIMEOUT_MS = 60_000


def snapshot(out: Path, n_orgs: int, steps: int, path: str = "/") -> float:
    """Save the screenshot; return the mean seconds per Step as seen in the browser."""
    from playwright.sync_api import expect, sync_playwright

    key = "month" if path == "/" else "month-a"
    log = Path(tempfile.gettempdir()) / "sim-explorer-snapshot.log"
    with running_server(n_orgs, log) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1500, "height": 1150})
        page.goto(url + path)
        counter = page.locator(f".kpi-{key}")
        expect(counter).to_have_text("0", timeout=120_000)
        start = time.perf_counter()
        for month in range(1, steps + 1):
            page.get_by_role("button", name="Step", exact=True).click()
            expect(counter).to_have_text(str(month), timeout=STEP_TIMEOUT_MS)
        per_step = (time.perf_counter() - start) / max(steps, 1)
        page.wait_for_timeout(500)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    return per_step


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, take the screenshot, report the time per Step."""
    parser = argparse.ArgumentParser(prog="python -m sim.explorer.snapshot", description=__doc__)
    parser.add_argument("out", type=Path, help="PNG file to write")
    parser.add_argument("--n-orgs", default="10000", help="organisations (default 10000)")
    parser.add_argument("--steps", type=int, default=24, help="months to step first")
    parser.add_argument("--page", default="/", choices=["/", "/compare"], help="which page")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        parser.exit(2, f"error: {CHROMIUM} not found (apt-get install chromium)\n")
    try:
        n_orgs = parse_n_orgs(args.n_orgs)
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")
    per_step = snapshot(args.out, n_orgs, args.steps, args.page)
    print(f"wrote {args.out}: {n_orgs} organisations, {args.steps} steps, "
          f"{per_step:.2f} s per Step click in the browser (model step + redraw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

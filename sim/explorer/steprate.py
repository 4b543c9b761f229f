"""Step rate of the explorer: `python -m sim.explorer.steprate [--n-orgs N] [--browser]`.

Without `--browser`, in this process: model steps per second on the numba engine (what Play
can reach with a large render interval) and the time to update every figure of the page
once, in place (what each shown month adds), beside the time to rebuild them all from
scratch (the explorer's first drawing, and how it drew every month before figures were
updated in place).

With `--browser`, end to end: serves the app, opens it in headless Chromium, presses Play
at render interval 1 for `--seconds` and counts, in the page, the months the month counter
shows and how often every figure changes: shown months per second is the rate at which
the page shows a new month with all its figures redrawn. A measurement, not a test: it
prints and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.explorer import figures
from sim.explorer.designs import RENDERED, SHOWN, STEPPED, TIMING_ENV, ExplorerModel
from sim.explorer.settings import parse_n_orgs

# Installed in the page: records the time of every change of the month counter and of
# each figure's image, seen through a MutationObserver (Solara replaces nodes on redraw).
WATCH_PAGE_JS = """() => {
  const w = {months: [], images: {}};
  const index = new WeakMap();  // img element -> its position on the page when first seen
  let seenMonth = null;
  const record = (img, t) => {
    if (!index.has(img)) {
      index.set(img, Array.prototype.indexOf.call(document.querySelectorAll('img'), img));
    }
    (w.images[index.get(img)] = w.images[index.get(img)] || []).push(t);
  };
  new MutationObserver((mutations) => {
    const t = performance.now();
    for (const m of mutations) {
      if (m.type === 'attributes' && m.target.tagName === 'IMG') record(m.target, t);
      else if (m.type === 'childList') m.addedNodes.forEach((n) => {
        if (n.tagName === 'IMG') record(n, t);
      });
    }
    const e = document.querySelector('.kpi-month');
    const month = e ? e.innerText.trim() : null;
    if (month !== seenMonth) { seenMonth = month; w.months.push([t, month]); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ['src']});
  window.__steprate = w;
}"""


def measure(n_orgs: int, steps: int, seed: int = 0) -> dict[str, float]:
    """Wall and CPU seconds per model step, per in-place update of the page's figures and
    per rebuild of them all."""
    model = ExplorerModel(n_orgs=n_orgs, seed=seed)
    model.step()  # loads compiled kernels
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    per_step = (time.perf_counter() - start) / steps
    per_step_cpu = (time.process_time() - cpu) / steps
    repeats = 3
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeats):
        frame = figures.series(model)
        for draw in figures.SERIES_FIGURES:
            draw(frame).savefig(io.BytesIO(), format="png")
        figures.draw_network(model).savefig(io.BytesIO(), format="png")
    per_rebuild = (time.perf_counter() - start) / repeats
    per_rebuild_cpu = (time.process_time() - cpu) / repeats
    live = figures.LivePage(model)
    live.update()  # the first update draws every background
    updates, wall, cpu = 10, 0.0, 0.0
    for _ in range(updates):
        model.step()  # a new month for every update (its time is not counted)
        start, start_cpu = time.perf_counter(), time.process_time()
        live.update()
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
    per_update, per_update_cpu = wall / updates, cpu / updates
    return {"n_orgs": n_orgs, "steps": steps, "step_s": per_step, "update_s": per_update,
            "rebuild_s": per_rebuild, "step_cpu_s": per_step_cpu,
            "update_cpu_s": per_update_cpu, "rebuild_cpu_s": per_rebuild_cpu}


def _cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by this process's children: the server and the browser."""
    import psutil

    used = {"server": 0.0, "browser": 0.0}
    for child in psutil.Process().children(recursive=True):
        try:
            kind = "server" if "solara" in " ".join(child.cmdline()) else "browser"
            times = child.cpu_times()
            used[kind] += times.user + times.system
        except psutil.Error:
            continue
    return used


def _rate(times: list[float], since: float, until: float) -> float:
    """Events per second among `times` (ms) within [since, until]."""
    inside = [t for t in times if since <= t <= until]
    return len(inside) / ((until - since) / 1000.0) if until > since else 0.0


def month_phases(lines: list[str]) -> dict[str, float]:
    """Median seconds of the phases of a played month from the server's timing marks
    (`designs.timing_mark`): `render`, from a model step's end to the end of the page's
    server-side render of the update it made, and `browser`, from there to the browser's
    report that it drew that update (sending, drawing, the next painted frame and the
    report's way back). With an update in flight (`designs.IN_FLIGHT`) the server renders
    one month while the browser draws the last, so a month takes less than their sum."""
    import numpy as np

    stepped_at = None
    rendered: dict[int, float] = {}
    phases: dict[str, list[float]] = {"render": [], "browser": []}
    for line in lines:
        if not line.strip():
            continue
        kind, at, update = line.split()
        t, u = float(at), int(update)
        if kind == STEPPED:
            stepped_at = t
        elif kind == RENDERED and u not in rendered and stepped_at is not None:
            rendered[u] = t
            phases["render"].append(t - stepped_at)
            stepped_at = None
        elif kind == SHOWN and u in rendered:
            phases["browser"].append(t - rendered.pop(u))
    return {name: float(np.median(v)) if v else float("nan") for name, v in phases.items()}


def measure_browser(n_orgs: int, seconds: float) -> dict[str, Any]:
    """Play the served explorer for `seconds` at render interval 1; count what the page
    shows: months per second, and each figure's changes per second."""
    import os

    from playwright.sync_api import expect, sync_playwright

    from sim.explorer.server import CHROMIUM, CHROMIUM_ARGS, running_server

    log = Path(tempfile.gettempdir()) / "sim-explorer-steprate.log"
    marks = Path(tempfile.mkdtemp(prefix="sim-explorer-timing-")) / "marks.txt"
    os.environ[TIMING_ENV] = str(marks)  # the server inherits it
    with running_server(n_orgs, log) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(url + "/")
        expect(page.locator(".kpi-month")).to_have_text("0", timeout=120_000)
        page.get_by_role("button", name="Step", exact=True).click()  # warm: loads kernels
        expect(page.locator(".kpi-month")).to_have_text("1", timeout=120_000)
        n_images = page.locator("img").count()
        page.evaluate(WATCH_PAGE_JS)
        for _ in range(5):  # a press that lands while the page redraws can be lost
            page.get_by_role("button", name="▶", exact=True).click()
            try:
                expect(page.get_by_role("button", name="❚❚", exact=True)).to_be_visible(
                    timeout=10_000)
                break
            except AssertionError:
                continue
        since = page.evaluate("() => performance.now()")
        marks.write_text("")  # from here on: the played months only
        cpu_before = _cpu_seconds()
        page.wait_for_timeout(seconds * 1000)
        until = page.evaluate("() => performance.now()")
        cpu = {k: v - cpu_before.get(k, 0.0) for k, v in _cpu_seconds().items()}
        crashed = "Traceback (most recent call last)" in page.content()
        watched = page.evaluate("() => window.__steprate")
        phases = month_phases(marks.read_text().splitlines())
        browser.close()
    months = [t for t, _ in watched["months"]]
    images = [watched["images"].get(str(i), []) for i in range(n_images)]
    image_rates = [_rate(times, since, until) for times in images]
    month_rate = _rate(months, since, until)
    return {"n_orgs": n_orgs, "seconds": (until - since) / 1000.0, "figures": n_images,
            "crashed": crashed, "cpu_s": cpu, "phases_s": phases,
            "months_per_s": month_rate, "figure_updates_per_s": image_rates,
            "shown_months_per_s": min([month_rate, *image_rates])}


def main(argv: list[str] | None = None) -> int:
    """Measure and print the step rate."""
    parser = argparse.ArgumentParser(prog="python -m sim.explorer.steprate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-orgs", default="10000")
    parser.add_argument("--steps", type=int, default=120, help="model steps timed")
    parser.add_argument("--browser", action="store_true",
                        help="measure end to end in headless Chromium instead")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="with --browser: how long to play")
    args = parser.parse_args(argv)
    try:
        n_orgs = parse_n_orgs(args.n_orgs)
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")
    if args.browser:
        r = measure_browser(n_orgs, max(args.seconds, 1.0))
        figures_text = ", ".join(f"{x:.1f}" for x in r["figure_updates_per_s"])
        print(f"{r['n_orgs']} organisations, render interval 1, played {r['seconds']:.1f} s "
              f"in headless Chromium: {r['shown_months_per_s']:.1f} shown months/s "
              f"(month counter {r['months_per_s']:.1f}/s; each of the {r['figures']} "
              f"figures redrawn per s: {figures_text})"
              + ("; the page then showed a traceback" if r["crashed"] else ""))
        months = r["months_per_s"] * r["seconds"]
        if months:
            print("CPU per shown month: " + ", ".join(
                f"{kind} {1000 * used / months:.0f} ms" for kind, used in r["cpu_s"].items()))
        print("A played month, median wall time: " + ", ".join(
            f"{name.replace('_', ' ')} {1000 * t:.0f} ms" for name, t in r["phases_s"].items()))
        return 0
    r = measure(n_orgs, max(args.steps, 1))
    for kind, step_s, update_s, rebuild_s in (
            ("wall", r["step_s"], r["update_s"], r["rebuild_s"]),
            ("cpu", r["step_cpu_s"], r["update_cpu_s"], r["rebuild_cpu_s"])):
        print(f"{r['n_orgs']} organisations, numba engine, {r['steps']} months ({kind} time): "
              f"{1 / step_s:.1f} model steps/s ({1000 * step_s:.1f} ms per step); "
              f"all {len(figures.SERIES_FIGURES) + 1} figures updated in place "
              f"{1000 * update_s:.0f} ms, rebuilt {1000 * rebuild_s:.0f} ms "
              f"({rebuild_s / max(update_s, 1e-9):.1f}x); at most "
              f"{1 / (step_s + update_s):.1f} shown months/s before serving the page")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""End to end in a real browser: the explorer loads, steps, plays, pauses, resets with a changed
control, and its numbers and plots follow; the side-by-side page steps both designs.

Every wait is on what the page shows (a number, a button, the update the page reports it
has drawn), with generous limits for a busy machine, never a fixed sleep: Play is paced by
the browser (`sim.explorer.designs.PacedStepping`), so after Pause at most the step under
way is still to come.
"""

from __future__ import annotations

import re

STEP_TIMEOUT = 120_000  # ms for the page to show a step's results (generous: a busy machine)


def _expect():
    from playwright.sync_api import expect

    return expect


def text(page, key: str) -> str:
    """The text of key number `key` (class `kpi-<key>`) on the page."""
    return page.locator(f".kpi-{key}").inner_text().strip()


def number(page, key: str) -> float:
    """Key number `key` as a float (thousands separators and % removed)."""
    raw = text(page, key)
    assert re.fullmatch(r"-?[\d,]+(\.\d+)?%?", raw), f"{key} shows {raw!r}, not a number"
    return float(raw.replace(",", "").rstrip("%"))


def plot_images(page) -> list[str]:
    """The `src` of every figure on the page (PNG data URLs), in page order."""
    images = page.locator("img")
    return [images.nth(i).get_attribute("src") or "" for i in range(images.count())]


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def press_until(page, name: str, shows: str, attempts: int = 3) -> None:
    """Press button `name` until the page shows button `shows` (a press that lands while
    the page is being redrawn can be lost)."""
    target = page.get_by_role("button", name=shows, exact=True)
    for _ in range(attempts):
        click(page, name)
        try:
            _expect()(target).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"pressing {name!r} {attempts} times never showed {shows!r}")


def step(page, times: int, key: str = "month") -> None:
    """Press Step `times` times, each time waiting for the month counter to move on."""
    for _ in range(times):
        before = int(text(page, key))
        click(page, "Step")
        _expect()(page.locator(f".kpi-{key}")).to_have_text(str(before + 1),
                                                             timeout=STEP_TIMEOUT)


def settled_month(page, quiet: float, limit: float) -> int:
    """The month shown once the update the page reports having drawn (`.page-shown`) has
    not changed for `quiet` seconds (within `limit` s)."""
    page.wait_for_function(
        """([quiet]) => {
            const e = document.querySelector('.page-shown');
            if (e === null) return false;
            const now = performance.now(), update = e.dataset.update;
            if (window.__lastUpdate !== update) {
                window.__lastUpdate = update; window.__since = now; return false;
            }
            return now - window.__since >= quiet * 1000;
        }""", arg=[quiet], timeout=limit * 1000, polling=100)
    return int(text(page, "month"))


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label`."""
    page.locator(".v-select", has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    _expect()(page.locator(".v-select", has_text=label)).to_contain_text(option)


def test_explorer_steps_plays_pauses_and_resets_with_new_controls(
        explorer_url, page, artifacts, explorer_n_orgs) -> None:
    expect = _expect()
    page.goto(explorer_url + "/")
    expect(page.locator(".kpi-month")).to_have_text("0", timeout=90_000)
    assert text(page, "active_partnerships") == "-"
    expect(page.get_by_text(f"{explorer_n_orgs:,} organisations").first).to_be_visible()
    empty = plot_images(page)
    assert len(empty) >= 6, f"expected 6 figures, found {len(empty)}"

    # Step: the numbers appear and every figure is redrawn.
    step(page, 3)
    assert number(page, "active_partnerships") > 0
    assert number(page, "formed") >= number(page, "active_partnerships")
    national_brokered = number(page, "brokered")
    assert national_brokered > 0, "the national platform brokered nothing in 3 months"
    after = plot_images(page)
    assert len(after) == len(empty)
    assert all(a != b for a, b in zip(after, empty, strict=True)), "a figure did not change"

    # Play, then pause: months advance while playing and stop when paused.
    press_until(page, "▶", shows="❚❚")
    page.wait_for_function(
        "() => { const e = document.querySelector('.kpi-month');"
        " return e !== null && parseInt(e.innerText) >= 6; }",  # redraws replace the node
        timeout=STEP_TIMEOUT)
    press_until(page, "❚❚", shows="▶")
    acknowledged = int(text(page, "month"))
    # The play loop may finish the step under way (at most one): wait until the page has
    # drawn every update the server sent and no new one comes for a while.
    paused_at = settled_month(page, quiet=2.0, limit=60.0)
    assert paused_at <= acknowledged + 1, "the model kept running after Pause"
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled()
    step(page, 2)
    assert int(text(page, "month")) == paused_at + 2, "the model kept running after Pause"

    # Change a control and reset: the model is rebuilt with it, and behaves accordingly.
    choose(page, "Platform design", "none")
    assert "design national" in page.locator(".v-card", has_text="Running:").inner_text()
    click(page, "Reset")
    expect(page.locator(".kpi-month")).to_have_text("0", timeout=STEP_TIMEOUT)
    expect(page.locator(".v-card", has_text="Running:")).to_contain_text("design none")
    step(page, 3)
    assert number(page, "active_partnerships") > 0
    assert number(page, "brokered") == 0, "partnerships brokered with no platform"
    page.screenshot(path=str(artifacts / "explorer.png"), full_page=True)


def test_compare_page_steps_both_designs_together(explorer_url, page, artifacts) -> None:
    expect = _expect()
    page.goto(explorer_url + "/compare")
    expect(page.locator(".kpi-month-a")).to_have_text("0", timeout=90_000)
    expect(page.locator(".kpi-label-a")).to_have_text("A: national")
    expect(page.locator(".kpi-label-b")).to_have_text("B: per_goal")
    empty = plot_images(page)
    step(page, 2, key="month-a")
    assert text(page, "month-b") == "2", "the two designs did not step together"
    for side in "ab":
        assert number(page, f"active_partnerships-{side}") > 0
    assert plot_images(page) != empty, "the comparison figure did not change"
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)


def test_compare_page_with_a_world_file_shows_each_designs_worst_country(
        explorer_url, page, artifacts, explorer_n_orgs) -> None:
    from sim.explorer.app import compare_controls, initial_values
    from sim.explorer.countries import COUNTRY_NUMBERS, WORST_BY, country_view, worst_cell
    from sim.explorer.designs import PairModel

    expect = _expect()
    page.goto(explorer_url + "/compare")
    expect(page.locator(".kpi-month-a")).to_have_text("0", timeout=90_000)
    choose(page, "World (countries)", "synthetic_3")
    click(page, "Reset")
    expect(page.locator(".v-card", has_text="By country")).to_contain_text(
        "3 countries", timeout=STEP_TIMEOUT)
    step(page, 2, key="month-a")
    # The same controls and seed in this process: the page shows that run's worst countries.
    pair = PairModel(**{**initial_values(compare_controls(explorer_n_orgs)),
                        "world": "synthetic_3"})
    for _ in range(2):
        pair.step()
    for model, side in ((pair.a, "a"), (pair.b, "b")):
        view = country_view(model)
        for number in COUNTRY_NUMBERS:
            cell = page.locator(f".cty-{number.column}-{side}-worst")
            expect(cell).to_have_text(worst_cell(view, number))  # '-' while none ended
        worst = page.locator(f".cty-{WORST_BY.column}-{side}-worst").inner_text()
        assert worst.split(":")[0] in view.names and worst.split(":")[0] == min(
            view.names, key=dict(zip(view.names, view.per_org, strict=True)).get)
    page.screenshot(path=str(artifacts / "compare-world.png"), full_page=True)

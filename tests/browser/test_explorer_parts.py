"""The explorer's parts without a browser: controls to parameters, the paired models, the
network sample, the figures and the command line's handling of bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("solara", reason="the explorer needs the viz extra (mesa[viz])")

from sim.explorer import figures  # noqa: E402
from sim.explorer.app import compare_controls, explorer_controls, initial_values  # noqa: E402
from sim.explorer.designs import (  # noqa: E402
    COUNTRY_DEFAULT,
    ExplorerModel,
    PairModel,
    as_seed,
    country_profiles,
    explorer_params,
)
from sim.params import END_CAUSES  # noqa: E402

SMALL = 600


def test_country_profile_sets_context_and_controls_win() -> None:
    profile = country_profiles()["post_conflict"]
    params = explorer_params(country="post_conflict", platform_budget=40.0)
    assert params["trust"] == profile["trust"] and params["platform_budget"] == 40.0
    assert params["donor_alignment"] == profile["donor_alignment"]  # "country default"
    params = explorer_params(country="post_conflict", donor_alignment="0.8")
    assert params["donor_alignment"] == 0.8
    model = ExplorerModel(country="strong_sme_base", n_orgs=SMALL, ba_representation=True)
    assert model.params.trust == country_profiles()["strong_sme_base"]["trust"]
    assert model.params.ba_representation is True and model.params.n_orgs == SMALL


@pytest.mark.parametrize("bad", [{"country": "atlantis"}, {"donor_alignment": "half"}])
def test_bad_control_values_name_the_key(bad: dict) -> None:
    key = next(iter(bad))
    with pytest.raises(ValueError, match=key):
        explorer_params(**bad)


def test_seed_is_an_integer_and_a_text_box_string_is_rejected_or_converted() -> None:
    assert as_seed(7) == 7 and as_seed("7") == 7 and as_seed(7.0) == 7
    for bad in ("seven", "-1", 1000, True, 2.5):
        with pytest.raises((TypeError, ValueError), match="seed"):
            as_seed(bad)


def test_same_controls_and_seed_give_the_same_run() -> None:
    a, b = (ExplorerModel(n_orgs=SMALL, seed=3) for _ in range(2))
    for _ in range(10):
        a.step()
        b.step()
    assert figures.series(a).equals(figures.series(b))


def test_pair_steps_both_designs_with_shared_seed_budget_and_population() -> None:
    pair = PairModel(design_a="national", design_b="none", n_orgs=SMALL, seed=2,
                     platform_budget=35.0)
    single = ExplorerModel(platform_design="national", n_orgs=SMALL, seed=2,
                           platform_budget=35.0)
    for _ in range(8):
        pair.step()
        single.step()
    assert pair.a.steps == pair.b.steps == 8
    assert pair.a.params.platform_budget == pair.b.params.platform_budget == 35.0
    assert figures.series(pair.a).equals(figures.series(single))  # side A is that design
    assert figures.series(pair.b)["brokered_total"].iloc[-1] == 0  # no platform, no broker
    assert pair.labels == ("A: national", "B: none")


def test_controls_start_at_valid_model_parameters() -> None:
    for controls, cls in ((explorer_controls(SMALL), ExplorerModel),
                          (compare_controls(SMALL), PairModel)):
        values = initial_values(controls)
        assert values["donor_alignment"] == COUNTRY_DEFAULT
        assert all(spec["type"] != "InputText" for spec in controls.values())
        cls(**values)  # builds without error


def test_network_sample_is_capped_and_stable() -> None:
    model = ExplorerModel(n_orgs=3000, seed=1)
    for _ in range(24):
        model.step()
    ps = model.state.partnerships
    chosen = figures.sampled_partnerships(model, max_nodes=200)
    nodes = np.unique(ps.members[chosen][ps.members[chosen] >= 0])
    assert 0 < nodes.size <= 200 and chosen.size < int(ps.active.sum())
    serials = set(ps.serial[chosen].tolist())
    model.step()
    again = set(ps.serial[figures.sampled_partnerships(model, max_nodes=200)].tolist())
    still_active = {s for s in serials if s in set(ps.serial[ps.active == 1].tolist())}
    assert len(still_active & again) >= 0.8 * len(still_active)
    figures.draw_network(model, max_nodes=200)  # draws without error
    caption = figures.network_caption(figures.network_snapshot(model, max_nodes=200))
    drawn = figures.sampled_partnerships(model, max_nodes=200).size
    assert caption.startswith(f"{drawn:,} of ") and "organisations" in caption


def test_series_counts_partnerships_by_kind_and_cause() -> None:
    model = ExplorerModel(n_orgs=SMALL, seed=4)
    for _ in range(30):
        model.step()
    frame = figures.series(model)
    raw = model.datacollector.get_model_vars_dataframe()
    assert (frame["active_value_chain"] + frame["active_transformational"]
            == raw["active_partnerships"].to_numpy()).all()
    ended = sum(frame[f"ended_{c}"].iloc[-1] for c in END_CAUSES)
    assert ended == len(model.partnership_history())


@pytest.mark.parametrize("module", ["sim.explorer", "sim.explorer.steprate"])
def test_bad_population_exits_2_with_one_line(module: str) -> None:
    done = subprocess.run([sys.executable, "-m", module, "--n-orgs", "lots"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("error: n_orgs='lots'")


def test_offline_assets_cover_what_the_page_template_loads(tmp_path) -> None:
    from sim.explorer.assets import missing_assets, required_assets

    needed = dict(required_assets())
    assert "requirejs" in needed and "@widgetti/solara-vuetify3-app" in needed
    assert set(missing_assets(tmp_path)) == set(needed.items())  # an empty cache has none
    (tmp_path / "requirejs@2.3.6").mkdir()
    (tmp_path / "requirejs@2.3.6" / "package.json").write_text("{}")
    assert ("requirejs", "2.3.6") not in missing_assets(tmp_path)


def test_every_outcome_the_explorer_reads_is_reported_by_the_model() -> None:
    from sim.explorer import outcomes
    from sim.metrics import STEP_METRICS

    missing = [name for name in outcomes.reporters() if name not in STEP_METRICS]
    assert not missing, f"the explorer reads outcomes the model no longer reports: {missing}"


def _png_pixels(data: bytes) -> np.ndarray:
    import io

    from PIL import Image

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)))


def test_figures_update_in_place_and_match_a_full_redraw() -> None:
    model = ExplorerModel(n_orgs=SMALL, seed=5)
    page = figures.LivePage(model)
    previous = None
    for _ in range(40):
        model.step()
        images = page.update()
        if previous is not None:
            assert all(images[k] != previous[k] for k in ("ActivePlot", "OutcomesPlot"))
        previous = images
    for live in page.lines.values():
        assert 1 <= live.redraws <= 8, "the background was redrawn on most months"
        blitted = _png_pixels(live.update(figures.series(model)))
        live.background = None  # force the full draw of the same state
        assert (blitted == _png_pixels(live.update(figures.series(model)))).all()


def test_limits_grow_in_nice_steps_and_never_shrink() -> None:
    assert [figures.nice_ceiling(v) for v in (0.7, 1.0, 13.0, 2100.0)] == [0.8, 1.0, 15.0, 2500.0]
    assert figures.month_limit(1) == 24 and figures.month_limit(61) == 120
    limits = figures.grown_limits(None, 0.0, 10.0)
    assert limits == (0.0, 20.0)
    assert figures.grown_limits(limits, 0.0, 5.0) == limits  # lower data: unchanged
    assert figures.grown_limits(limits, -3.0, 12.0) == (-6.0, 20.0)


def test_series_reads_complete_steps_only() -> None:
    model = ExplorerModel(n_orgs=SMALL, seed=1)
    for _ in range(3):
        model.step()
    model.datacollector.model_vars["active_partnerships"].append(99)  # a step half recorded
    assert len(figures.series(model)) == 3


def test_stepping_waits_until_the_browser_shows_all_but_the_update_in_flight() -> None:
    import threading

    from mesa.visualization.utils import update_counter

    model = ExplorerModel(n_orgs=SMALL, seed=1)
    model.step()  # no page yet: no waiting
    from sim.explorer.designs import IN_FLIGHT

    model.mark_shown(update_counter.value)
    update_counter.value += IN_FLIGHT  # updates sent, not drawn yet: as many as may be
    assert model.wait_until_shown(timeout=0.1) is True
    update_counter.value += 1  # one more than may be in flight: the next step waits
    assert model.wait_until_shown(timeout=0.1) is False
    stepped = threading.Event()
    worker = threading.Thread(target=lambda: (model.step(), stepped.set()))
    worker.start()
    assert not stepped.wait(0.3), "stepped with more months in flight than IN_FLIGHT"
    model.mark_shown(update_counter.value - IN_FLIGHT - 1)  # an older one: still waits
    assert not stepped.wait(0.3), "stepped with more months in flight than IN_FLIGHT"
    model.mark_shown(update_counter.value - IN_FLIGHT)
    assert stepped.wait(10.0)
    worker.join()
    assert model.steps == 2


def test_key_numbers_table_marks_every_value_for_the_tests() -> None:
    from sim.explorer.components import KEY_LABELS, numbers_table

    numbers = {key: f"<{k}>" for k, key in enumerate(KEY_LABELS)}
    table = numbers_table([numbers, numbers], ["A: x", "B: y"], ["a", "b"])
    for k, key in enumerate(KEY_LABELS):
        assert f'class="kpi kpi-{key}-a"' in table and f"&lt;{k}&gt;" in table
    assert 'class="kpi-label-b">B: y<' in table


def test_step_rate_tool_times_steps_updates_and_rebuilds() -> None:
    from sim.explorer.steprate import measure

    r = measure(n_orgs=SMALL, steps=3)
    assert r["step_s"] > 0 and r["update_s"] > 0 and r["rebuild_s"] > 0
    assert r["update_cpu_s"] < r["rebuild_cpu_s"], "updating in place costs more than a rebuild"


# --- by country ------------------------------------------------------------------------------

def _world_pair(world: str = "synthetic_10", scale: float = 0.2, months: int = 12) -> PairModel:
    pair = PairModel(design_a="national", design_b="per_goal", world=world, world_scale=scale,
                     seed=3, platform_budget=40.0)
    for _ in range(months):
        pair.step()
    return pair


def test_world_control_gives_both_designs_the_world_file_countries() -> None:
    from sim.worlds import read_world, shipped_worlds

    pair = _world_pair("synthetic_3", months=0)
    names = tuple(read_world("synthetic_3")[0])
    assert tuple(pair.a.countries.names) == tuple(pair.b.countries.names) == names
    assert (pair.a.countries.n_orgs == pair.b.countries.n_orgs).all()
    assert pair.a.params.world == "synthetic_3" and pair.a.params.world_scale == 0.2
    identical = ExplorerModel(n_orgs=SMALL, n_countries=3)
    assert len(identical.countries) == 3 and identical.params.world is None
    assert int(identical.countries.n_orgs.sum()) == 3 * SMALL
    for controls in (explorer_controls(SMALL), compare_controls(SMALL)):
        assert controls["world"]["values"] == ["none", *shipped_worlds()]
    with pytest.raises(ValueError, match="world='atlantis'"):
        ExplorerModel(n_orgs=SMALL, world="atlantis")


def test_compare_controls_offer_every_design_the_model_declares() -> None:
    from sim.params import PLATFORM_DESIGNS

    controls = compare_controls(SMALL)
    assert controls["design_a"]["values"] == controls["design_b"]["values"] == list(
        PLATFORM_DESIGNS)


def test_worst_country_is_the_extreme_of_country_summary_and_the_run_summary() -> None:
    from sim.explorer.countries import COUNTRY_NUMBERS, WORST_BY, country_view
    from sim.outcomes import HIGHER

    pair = _world_pair()
    for model in (pair.a, pair.b):
        table = model.country_summary()
        view = country_view(model)
        assert view.names == tuple(table["name"]) and view.n_countries == 10
        for number in COUNTRY_NUMBERS:
            values = table[number.column]
            k = values.idxmin() if number.better == HIGHER else values.idxmax()
            assert view.worst[number.column] == (table["name"][k], values[k]), number.column
        summary = model.summary()
        assert WORST_BY.column == "outcome_direct_per_org"
        assert view.worst[WORST_BY.column] == (summary["countries_worst"],
                                               summary["countries_outcome_per_org_min"])
        for column, field in (("sme_participation", "countries_sme_participation_min"),
                              ("partnerships_per_1000", "countries_partnerships_per_1000_min"),
                              ("failed_share", "countries_failed_share_max"),
                              ("platform_staff_per_1000",
                               "countries_platform_staff_per_1000_min")):
            assert view.worst[column][1] == pytest.approx(summary[field], rel=1e-12), column
        # The whole world's value is the run summary's, not an average of countries.
        n_total = summary["n_orgs_total"]
        assert view.world["outcome_direct_per_org"] == pytest.approx(
            summary["outcome_direct"] / n_total, rel=1e-9)
        assert view.world["partnerships_per_1000"] == pytest.approx(
            summary["partnerships_per_1000"], rel=1e-9)
        assert view.world["failed_share"] == pytest.approx(summary["failed_share"], rel=1e-9)
        assert view.world["sme_participation"] == pytest.approx(
            summary["sme_participation"], rel=1e-9)
        worst_value = view.worst[WORST_BY.column][1]
        assert worst_value <= view.world[WORST_BY.column]
        assert worst_value == view.per_org.min()
    # The two designs of one world are different runs: their numbers differ.
    assert country_view(pair.a).world != country_view(pair.b).world


def test_countries_table_and_bars_show_each_designs_worst_country() -> None:
    from sim.explorer.components import countries, countries_table, country_bars
    from sim.explorer.countries import COUNTRY_NUMBERS, WORST_BY, worst_cell

    pair = _world_pair("synthetic_3", scale=0.5, months=6)
    views = [countries(pair.a), countries(pair.b)]
    table = countries_table(views, list(pair.labels), ["a", "b"])
    for number in COUNTRY_NUMBERS:
        for view, side in zip(views, "ab", strict=True):
            name, value = view.worst[number.column]
            assert f'class="cty cty-{number.column}-{side}-worst"' in table
            cell = worst_cell(view, number)
            assert cell == f"{name}: {number.text(value)}" and f"<b>{cell}</b>" in table
    first = _png_pixels(country_bars(pair, views, list(pair.labels)))
    pair.step()
    views = [countries(pair.a), countries(pair.b)]
    blitted = _png_pixels(country_bars(pair, views, list(pair.labels)))
    assert not (first == blitted).all(), "the bars did not change with a new month"
    from sim.explorer.components import live_figure

    live = live_figure(pair, "CountryBars", lambda: None)
    live.background = None  # a full redraw of the same month draws the same picture
    again = _png_pixels(country_bars(pair, views, list(pair.labels)))
    assert (again == blitted).all()
    assert live.redraws <= 3
    assert WORST_BY.column in {n.column for n in COUNTRY_NUMBERS}


def test_png_bytes_decode_to_the_canvas_pixels() -> None:
    frame = figures.series(_world_pair("synthetic_1", scale=0.5, months=5).a)
    live = figures.LiveLines([figures.PARTICIPATION_PANEL])
    pixels = _png_pixels(live.update(frame))
    canvas = np.asarray(live.canvas.buffer_rgba())[:, :, :3]
    assert pixels.shape == canvas.shape and (pixels == canvas).all()
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 20  # lines, text: not blank


def test_step_rate_phases_follow_each_update_from_render_to_shown() -> None:
    from sim.explorer.steprate import month_phases

    # Month 1: step ends at 0.0, rendered at 0.05, shown at 0.12. Month 2 is stepped and
    # rendered (0.10, 0.14) before month 1 is shown (one in flight), shown at 0.20.
    lines = ["stepped 0.00 -1", "rendered 0.05 1", "stepped 0.10 -1", "shown 0.12 1",
             "rendered 0.14 2", "rendered 0.15 2", "shown 0.20 2", "shown 0.21 9"]
    phases = month_phases(lines)
    assert phases["render"] == pytest.approx(0.045)  # median of 0.05 and 0.04
    assert phases["browser"] == pytest.approx(0.065)  # median of 0.07 and 0.06


def test_country_cards_render_the_worst_countries_and_hide_for_one_country() -> None:
    import ipywidgets
    import solara

    from sim.explorer.components import CompareCountries, Countries
    from sim.explorer.countries import WORST_BY, country_view, worst_cell

    model = ExplorerModel(world="synthetic_3", world_scale=0.2, seed=1)
    for _ in range(3):
        model.step()
    _, rc = solara.render(Countries(model), handle_error=False)
    (table,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    assert f"<b>{worst_cell(country_view(model), WORST_BY)}</b>" in table
    assert len(rc.find(ipywidgets.Image).widgets) == 1
    _, rc = solara.render(Countries(ExplorerModel(n_orgs=SMALL)), handle_error=False)
    assert not rc.find(solara.widgets.HTML).widgets  # one country: no card
    pair = _world_pair("synthetic_3", months=2)
    _, rc = solara.render(CompareCountries(pair), handle_error=False)
    (table,) = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
    for model, side in ((pair.a, "a"), (pair.b, "b")):
        assert f"cty-{WORST_BY.column}-{side}-worst" in table
        assert f"<b>{worst_cell(country_view(model), WORST_BY)}</b>" in table

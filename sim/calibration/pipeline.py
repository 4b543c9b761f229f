"""One calibration from a plan: targets checked, history-matching waves, ABC-SMC, the
ensemble saved by name, diagnostics. Every stage is resumable: runs are kept as they finish
(`StoredEvaluator`), waves are recomputed from them deterministically, ABC-SMC continues from
pyabc's database.

Workspace `<root>/<plan name>/`:

    plan.json               the plan, its digest and the code digest it ran with
    runs/<code digest>/     every finished run (Parquet chunks), reused by a rerun
    twin_targets.yaml       the identical twin's pseudo-targets (twin plans only)
    waves.parquet           each wave's design points, statistics and NROY flags
    abc.db                  pyabc's database
    posterior.parquet/json  the ensemble and its provenance (`load_posterior(name)`)
    diagnostics/            tables, summary.json and report.md (see diagnostics.py)
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.evaluator import Evaluator, LayerEvaluator, StoredEvaluator, summary_outputs
from sim.calibration.history import HistoryMatch
from sim.calibration.plan import FRESH_SEED_OFFSET, TWIN_SEED_OFFSET, Plan, PlanError
from sim.calibration.posterior import calibration_root, code_digest, save_posterior
from sim.calibration.space import ParameterSpace, SpaceError
from sim.calibration.targets import (
    Target,
    TargetSet,
    load_targets,
    require_outputs,
    statistic,
    target_yaml,
)
from sim.params import PARAM_FIELDS, PLATFORM_DESIGNS


@dataclass
class Runner:
    """Runs parameter sets (unit-cube points) with the plan's seeds; returns statistics.

    Each target is computed on runs of the platform design its scope names (`design=...`;
    the scenario's design when it names none or the scenario fixes it): a parameter set is
    run once per design the targets need, with the same seeds."""

    space: ParameterSpace
    evaluator: StoredEvaluator
    steps: int
    targets: list[Target]
    seconds: float = 0.0
    runs_asked: int = 0

    def design_of(self, target: Target) -> str:
        """The design `target` is computed on."""
        fixed = self.space.fixed.get("platform_design")
        if fixed is not None or target.design not in PLATFORM_DESIGNS:
            return fixed if fixed is not None else PARAM_FIELDS["platform_design"].default
        return target.design

    @property
    def designs(self) -> list[str]:
        """The designs the targets need, in first-use order."""
        return list(dict.fromkeys(self.design_of(t) for t in self.targets))

    def statistics(self, points: np.ndarray, seeds: list[int]) -> pd.DataFrame:
        """One row per point: each target's statistic over the runs of `seeds` (in its
        design)."""
        values = self.space.values(points)
        designs = self.designs
        rows = [{**self.space.model_kwargs(v), "platform_design": d, "seed": s}
                for _, v in values.iterrows() for d in designs for s in seeds]
        if not rows:
            return pd.DataFrame(columns=[t.name for t in self.targets])
        started = time.perf_counter()
        runs = self.evaluator.evaluate(pd.DataFrame(rows), steps=self.steps)
        self.seconds += time.perf_counter() - started
        self.runs_asked += len(rows)
        runs["set"] = np.repeat(np.arange(len(points)), len(designs) * len(seeds))
        runs["design"] = np.tile(np.repeat(designs, len(seeds)), len(points))
        groups = {key: g for key, g in runs.groupby(["set", "design"])}
        out = {t.name: [statistic(groups[(k, self.design_of(t))][t.output], t.statistic)
                        for k in range(len(points))]
               for t in self.targets}
        return pd.DataFrame(out)


def _space(plan: Plan) -> ParameterSpace:
    from sim.params import make_params

    try:
        space = ParameterSpace.from_plan(plan.parameters, plan.scenario, plan.choices)
        make_params(**space.model_kwargs(space.values(space.uniform(1, np.random.default_rng(0)))
                                         .iloc[0]))
    except (SpaceError, TypeError, ValueError) as err:
        raise PlanError(f"{plan.path}: {err}") from err
    return space


def _twin_truth(plan: Plan, space: ParameterSpace, outputs: set[str]) -> np.ndarray:
    """The identical twin's known parameter set as a unit-cube point, checked."""
    twin = plan.twin
    missing = [o for o in twin["outputs"] if o not in outputs]
    if missing:
        raise PlanError(f"{plan.path}: twin.outputs names {missing[0]!r}, not a column of the "
                        f"run summary; known outputs are {', '.join(sorted(outputs))}")
    try:
        truth = space.truth_values(twin["truth"])
    except SpaceError as err:
        raise PlanError(f"{plan.path}: twin.truth: {err}") from err
    point = space.points(pd.DataFrame([truth]))
    for k, p in enumerate(space.parameters):
        if not p.categorical and not 0.0 <= point[0, k] <= 1.0:
            raise PlanError(f"{plan.path}: twin.truth: {p.name}={truth[p.name]!r} lies outside "
                            f"its plausible range {p.range_text()}")
    return point


def _twin_targets(plan: Plan, space: ParameterSpace, point: np.ndarray,
                  evaluator: StoredEvaluator, folder: Path) -> Path:
    """Run the known parameter set and write ranges around its outputs as a target set."""
    twin = plan.twin
    truth = space.truth_values(twin["truth"])
    seeds = [TWIN_SEED_OFFSET + k for k in range(twin["seeds"])]
    values = space.values(point).iloc[0]
    rows = [{**space.model_kwargs(values), "seed": s} for s in seeds]
    runs = evaluator.evaluate(pd.DataFrame(rows), steps=plan.steps)
    entries = []
    for output in twin["outputs"]:
        x = runs[output].to_numpy(float)
        centre = statistic(x, twin["statistic"])
        if not np.isfinite(centre):
            raise PlanError(f"{plan.path}: twin.outputs: {output!r} is undefined (NaN) in every "
                            "run of the truth; pick another output or longer runs")
        spread = float(np.nanstd(x, ddof=1)) / np.sqrt(plan.seeds)
        half = max(twin["width_sd"] * spread, twin["min_relative_width"] * abs(centre),
                   twin["min_width"])
        entries.append({
            "name": output, "output": output, "output_status": "existing",
            "statistic": twin["statistic"], "low": float(round(centre - half, 6)),
            "high": float(round(centre + half, 6)), "strength": "measured", "use": "calibration",
            "population": "the model itself, run at the known parameter set",
            "scope": f"{plan.scenario}",
            "source": {"author": "identical twin", "year": 0,
                       "title": "pseudo-targets generated by sim.calibration",
                       "where": f"{len(seeds)} runs, seeds {seeds[0]}..{seeds[-1]}"},
            "notes": f"truth {twin['statistic']} {centre:.6g}; half-width = max({twin['width_sd']}"
                     f" x sd/sqrt({plan.seeds}), {twin['min_relative_width']} x |value|, "
                     f"{twin['min_width']})"})
    path = folder / "twin_targets.yaml"
    from sim.io import write_text_atomic

    write_text_atomic(path, target_yaml(entries, "Identical-twin pseudo-targets (generated, "
                                        "not sourced facts): ranges around the outputs of a\n"
                                        f"known parameter set {json.dumps(truth)}."))
    return path


def _chosen(plan: Plan, target_set: TargetSet, outputs: set[str]
            ) -> tuple[list[Target], list[Target]]:
    """The plan's calibration targets and the validation targets held back, outputs checked."""
    targets = target_set.select(plan.target_names, plan.drop_targets)
    held_back = [t for t in target_set.by_use("validation")
                 if t.name not in plan.drop_targets and t not in targets]
    require_outputs(target_set.path, [*targets, *held_back], outputs)
    return targets, held_back


def _prepare_workspace(plan: Plan, folder: Path, fresh: bool) -> None:
    record = folder / "plan.json"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if record.is_file():
        try:
            old = json.loads(record.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise PlanError(f"{record}: cannot be read ({err}); rerun with --fresh") from err
        if old.get("plan_digest") != plan.digest():
            raise PlanError(f"{folder}: holds a calibration of another plan "
                            f"({old.get('plan_path')}); rerun with --fresh to replace it, or "
                            "give the plan another name")
        if old.get("code_digest") != code_digest():
            # runs of other code stay under their own digest; pyabc's populations do not
            (folder / "abc.db").unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)


def calibrate(plan: Plan, root: Path | str | None = None, *, evaluator: Evaluator | None = None,
              workers: int = 1, fresh: bool = False,
              log: Callable[[str], None] = print) -> dict[str, Any]:
    """Run (or continue) the calibration of `plan`; return its summary (also written to
    `<root>/<name>/diagnostics/summary.json`).

    BLAS runs on one thread meanwhile: the emulators' small matrices are 20-40 times slower
    with threads competing for shared cores, and the runs' parallelism is `workers`."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _calibrate(plan, root, evaluator, workers, fresh, log)


def _calibrate(plan: Plan, root: Path | str | None, evaluator: Evaluator | None, workers: int,
               fresh: bool, log: Callable[[str], None]) -> dict[str, Any]:
    from sim.calibration.abcsmc import run_abc
    from sim.calibration.diagnostics import run_diagnostics
    from sim.io import dump_json, write_text_atomic

    started = time.time()
    folder = calibration_root(root) / plan.name
    space = _space(plan)
    # every input is checked before the workspace is touched or a calibration run starts
    inner = evaluator or LayerEvaluator(workers)
    outputs = summary_outputs(inner)
    if plan.is_twin:
        truth_point = _twin_truth(plan, space, outputs)
    else:
        target_set = load_targets(plan.targets)
        targets, held_back = _chosen(plan, target_set, outputs)
    _prepare_workspace(plan, folder, fresh)
    stored = StoredEvaluator(inner, folder / "runs" / code_digest())
    seeds = list(range(plan.seed * 1000, plan.seed * 1000 + plan.seeds))
    if plan.is_twin:
        target_set = load_targets(_twin_targets(plan, space, truth_point, stored, folder))
        targets, held_back = _chosen(plan, target_set, outputs)
    write_text_atomic(folder / "plan.json", dump_json({
        "plan_path": str(plan.path), "plan_digest": plan.digest(), "plan": plan.as_dict(),
        "code_digest": code_digest()}))
    log(f"calibration {plan.name!r}: {len(space.names)} parameters, {len(targets)} targets "
        f"({target_set.path}), {len(held_back)} held back; workspace {folder}")
    runner = Runner(space, stored, plan.steps, [*targets, *held_back])

    # --- history matching ---
    hmp = plan.history_matching
    rng = np.random.default_rng(plan.seed)
    hm = HistoryMatch(space, targets, hmp["cutoff"], hmp["rank"], hmp["discrepancy"])
    all_points = np.zeros((0, len(space.names)))
    all_stats = pd.DataFrame()
    wave_rows = []
    for w in range(1, hmp["waves"] + 1):
        if w == 1:
            design = space.sample(hmp["design"], rng)
        else:
            design = hm.candidates(hmp["design"], rng, hmp["pool"], hmp["max_pool"])
        if len(design) == 0:
            log(f"wave {w}: no non-implausible point left in {hmp['max_pool']} draws; "
                "stopping the waves")
            break
        stats = runner.statistics(design, seeds)
        all_points = np.concatenate([all_points, design])
        all_stats = stats if all_stats.empty else pd.concat([all_stats, stats],
                                                            ignore_index=True)
        train = hm.nroy(all_points)
        wave = hm.add_wave(all_points[train], all_stats[train].reset_index(drop=True),
                           len(design), rng, hmp["pool"], plan.seed + w)
        frame = space.values(design).add_prefix("value_")
        for k, n in enumerate(space.names):
            frame[f"x_{n}"] = design[:, k]
        frame = pd.concat([frame, stats.add_prefix("stat_")], axis=1)
        frame["wave"] = w
        wave_rows.append(frame)
        log(f"wave {w}: {len(design)} sets x {len(seeds)} seeds, emulators trained on "
            f"{wave.n_train}; NROY now {100 * wave.nroy_fraction:.3g}% of the prior; "
            f"emulator CV R2 " + ", ".join(f"{k} {v:.2f}" for k, v in wave.cv_r2.items()))
        if wave.nroy_fraction == 0:
            break
    waves = pd.concat(wave_rows, ignore_index=True)
    waves["nroy_final"] = hm.nroy(waves[[f"x_{n}" for n in space.names]].to_numpy())
    from sim.io import write_atomic

    write_atomic(folder / "waves.parquet", lambda tmp: waves.to_parquet(tmp, index=False))
    if hm.waves[-1].nroy_fraction == 0:
        raise CalibrationError(f"{target_set.path}: history matching ruled out the whole "
                               "parameter space; the targets cannot all be met by this model "
                               "(see the waves in " + str(folder / "waves.parquet") + ")")

    # --- ABC-SMC inside the NROY space ---
    abcp = plan.abc
    # pyabc asks for one particle (a few seeds) at a time: with the local evaluator its
    # sampler runs `workers` particles at once, each particle's runs in one process; a given
    # evaluator parallelises as it likes and pyabc runs particles one after another
    abc_workers = workers if evaluator is None else 1
    abc_store = stored if abc_workers == 1 else StoredEvaluator(LayerEvaluator(1),
                                                                stored.folder)
    abc_runner = Runner(space, abc_store, plan.steps, targets)

    def simulate(point: np.ndarray) -> dict[str, float]:
        return abc_runner.statistics(point[None, :], seeds).iloc[0].to_dict()

    particles, abc_facts = run_abc(space, targets, simulate, hm.nroy, folder / "abc.db",
                                   population=abcp["population"],
                                   generations=abcp["generations"],
                                   min_epsilon=abcp["min_epsilon"],
                                   max_simulations=abcp["max_simulations"], seed=plan.seed,
                                   workers=abc_workers)
    log(f"ABC-SMC: {abc_facts['populations']} populations, epsilons "
        + ", ".join(f"{e:.3g}" for e in abc_facts["epsilons"])
        + f"; {abc_facts['simulations']} simulations")
    points = particles[space.names].to_numpy(float)
    ensemble = space.values(points)
    ensemble["weight"] = particles["weight"].to_numpy()
    wall = time.time() - started
    evaluated = stored.runs_done + (abc_store.runs_done if abc_store is not stored else 0)
    provenance = {
        "name": plan.name, "plan": str(plan.path), "plan_digest": plan.digest(),
        "targets_file": str(target_set.path), "targets_digest": target_set.digest,
        "targets": [t.name for t in targets], "held_back": [t.name for t in held_back],
        "method": {"history_matching": hmp, "abc": abcp, "abc_result": abc_facts,
                   "library": _versions()},
        "steps": plan.steps, "seeds": seeds, "seed": plan.seed,
        "waves": [{"wave": w.index, "design": w.n_design, "trained_on": w.n_train,
                   "nroy_fraction": w.nroy_fraction, "cv_r2": w.cv_r2} for w in hm.waves],
        "runs_evaluated_now": evaluated, "runs_in_store": len(stored),
        "seconds_per_run": (runner.seconds + abc_runner.seconds) / evaluated
        if evaluated else None,
        "wall_time_s": round(wall, 2),
        "twin_truth": space.truth_values(plan.twin["truth"]) if plan.is_twin else None,
    }
    save_posterior(folder, ensemble, space, provenance)
    log(f"posterior {plan.name!r}: {len(ensemble)} sets saved in {folder}")
    fresh_seeds = [FRESH_SEED_OFFSET + plan.seed * 1000 + k
                   for k in range(plan.diagnostics["ppc_seeds"])]
    summary = run_diagnostics(plan, space, hm, targets, held_back, ensemble, waves, runner,
                              fresh_seeds, folder / "diagnostics", provenance)
    summary["wall_time_s"] = round(time.time() - started, 2)
    write_text_atomic(folder / "diagnostics" / "summary.json", dump_json(summary))
    return summary


class CalibrationError(RuntimeError):
    """The calibration could not produce an ensemble; says why."""


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {n: version(n) for n in ("pyabc", "scikit-learn", "scipy", "numpy")}

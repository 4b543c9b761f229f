"""Hydra configuration: the structured schema (generated from `sim.params`), composition and
validation of every job before any work starts, with one-line error messages.

The model's parameters keep a single source of truth, `sim.params.Params`: the `model:`
node of the Hydra config is a dataclass generated from it (same names, types and defaults),
and each composed config is validated by `sim.params.make_params`, so ranges are checked
the same way whether a value comes from Python or from the command line.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim import diagnose
from sim.params import ENGINES, N_SECTORS, PARAM_FIELDS, SECTORS, Params, make_params

CONFIG_NAME = "config"
TOP_LEVEL_KEYS = ("seed", "steps", "engine", "results_dir", "progress", "model")
MAX_STEPS = 1_000_000


def config_dir() -> Path:
    """Folder of the Hydra configs: `$SIM_CONFIG_DIR`, else `configs/` beside the package."""
    override = os.environ.get("SIM_CONFIG_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "configs"


class ConfigError(ValueError):
    """A configuration problem, described in one line naming the key, value and what is allowed."""


# --- the structured schema --------------------------------------------------------------------

_TYPES: dict[str, Any] = {"int": int, "float": float, "bool": bool, "str": str,
                          "str | None": Optional[str],  # noqa: UP045 (OmegaConf needs Optional)
                          "tuple[float, ...]": list[float]}


def _model_schema() -> type:
    """A dataclass with one field per model parameter (except `engine`, a top-level key)."""
    fields = []
    for name, f in PARAM_FIELDS.items():
        if name == "engine":
            continue
        kind = _TYPES[f.type]
        if isinstance(f.default, tuple):
            fields.append((name, kind, field(default_factory=lambda d=f.default: list(d))))
        else:
            fields.append((name, kind, field(default=f.default)))
    return dataclasses.make_dataclass("ModelConfig", fields)


def register_schema() -> None:
    """Store the schema in Hydra's ConfigStore as `schema` (used by configs/config.yaml)."""
    from hydra.core.config_store import ConfigStore

    model_schema = _model_schema()

    @dataclass
    class RunConfig:
        seed: int = 0
        steps: int = 120
        engine: str = "numba"
        results_dir: str = "results"
        progress: bool = True
        model: Any = field(default_factory=model_schema)

    ConfigStore.instance().store(name="schema", node=RunConfig)


# --- validated settings of one run ------------------------------------------------------------

@dataclass(frozen=True)
class RunSettings:
    """Everything one run needs, validated: seed, steps, engine, where to write, parameters."""

    seed: int
    steps: int
    engine: str
    results_dir: Path
    progress: bool
    params: Params

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `PartnershipModel` (without `rng`)."""
        return dataclasses.asdict(self.params)


def _integer(key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key}={value!r}: expected an integer from {lo} to {hi}")
    if not lo <= value <= hi:
        raise ConfigError(f"{key}={value!r}: allowed range is {lo}..{hi}")
    return value


def settings_from_config(cfg: DictConfig) -> RunSettings:
    """Validate a composed config and turn it into `RunSettings`; raise `ConfigError`."""
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    unknown = sorted(set(container) - set(TOP_LEVEL_KEYS) - {"hydra"})
    if unknown:
        hint = _hint(unknown[0], str(container[unknown[0]]))
        raise ConfigError(f"{unknown[0]}: unknown key; {hint}allowed top-level keys are "
                          f"{', '.join(TOP_LEVEL_KEYS)}")
    engine = container["engine"]
    if engine not in ENGINES:
        raise ConfigError(f"engine={engine!r}: allowed values are {', '.join(ENGINES)}")
    if not isinstance(container["results_dir"], str) or not container["results_dir"]:
        raise ConfigError(f"results_dir={container['results_dir']!r}: expected a folder path")
    if not isinstance(container["progress"], bool):
        raise ConfigError(f"progress={container['progress']!r}: expected true or false")
    model = dict(container["model"])
    unknown = sorted(set(model) - set(PARAM_FIELDS) | ({"engine"} & set(model)))
    if unknown:
        hint = _hint(f"model.{unknown[0]}", None)
        raise ConfigError(f"model.{unknown[0]}: unknown key; {hint}allowed keys under model are "
                          f"{', '.join(n for n in PARAM_FIELDS if n != 'engine')}")
    try:
        params = make_params(**model, engine=engine)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"model.{err}") from err
    if params.goal_matrix_path is not None:
        from sim.goals import load_goal_matrix

        try:
            load_goal_matrix(params.goal_matrix_path)
        except ValueError as err:
            raise ConfigError(f"model.{err}") from err
    if params.world is not None:
        from sim.worlds import load_countries

        try:
            load_countries(params)
        except ValueError as err:
            raise ConfigError(f"model.{err}") from err
    check_writable("results_dir", Path(container["results_dir"]))
    return RunSettings(
        seed=_integer("seed", container["seed"], 0, 2**63 - 1),
        steps=_integer("steps", container["steps"], 0, MAX_STEPS),
        engine=engine, results_dir=Path(container["results_dir"]),
        progress=container["progress"], params=params)


def check_writable(key: str, folder: Path) -> None:
    """Raise `ConfigError` unless `folder` exists as a writable folder or could be created."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{key}={str(folder)!r}: cannot be created, {str(existing)!r} is a "
                          "file, not a folder")
    reason = diagnose.unwritable(existing)
    if reason:
        raise ConfigError(f"{key}={str(folder)!r}: cannot write in {str(existing)!r} "
                          f"({reason}); {key}=PATH picks a folder you can write")


# --- composing jobs from command-line overrides, before Hydra runs them -------------------------

def world_file_overrides(overrides: list[str]) -> list[str]:
    """Let `world=<path>` name a world file: an override of the `world` group whose value
    looks like a path (a `/` or `.csv` in it) becomes `model.world=<path>`, which takes a
    shipped world's name or a file; `world=<name>` stays a config-group choice."""
    out = []
    for text in overrides:
        key, sep, value = text.partition("=")
        if sep and key == "world" and ("/" in value or ".csv" in value):
            text = f"model.world={value}"
        out.append(text)
    return out


def _is_hydra_override(text: str) -> bool:
    key = text.lstrip("+~").split("=", 1)[0]
    return key == "hydra" or key.startswith(("hydra.", "hydra/"))


def expand_jobs(overrides: list[str], multirun: bool) -> list[list[str]]:
    """The override lists of every job the command would run (one unless `multirun`).

    Sweep syntax (`a=1,2`, `seed=range(0,5)`) and `hydra.sweeper.params` of the composed
    config are expanded as Hydra's basic sweeper does. Hydra's own overrides are left out.
    """
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    overrides = world_file_overrides(overrides)
    parsed = parser.parse_overrides([o for o in overrides if not _is_hydra_override(o)])
    if not multirun:
        sweeps = [o.input_line for o in parsed if o.is_sweep_override()]
        if sweeps:
            raise ConfigError(f"{sweeps[0]}: a sweep needs --multirun (-m)")
        return [[o.input_line for o in parsed]]
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    base = compose(fixed, with_hydra=True)
    params = base.hydra.sweeper.get("params") or {}
    lines = [f"{k}={v}" for k, v in params.items()] + [o.input_line for o in parsed]
    batches = BasicSweeper.split_arguments(parser.parse_overrides(lines), None)
    return [list(job) for job in batches[0]]


def compose(overrides: list[str], with_hydra: bool = False) -> DictConfig:
    """Compose the config with `overrides`; raise `ConfigError` with a one-line reason."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_schema()
    was_initialised = GlobalHydra.instance().is_initialized()
    if was_initialised:
        saved = GlobalHydra.instance().hydra
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(CONFIG_NAME, overrides=overrides,
                                 return_hydra_config=with_hydra)
    except Exception as err:  # noqa: BLE001 - every composition failure becomes one line
        raise ConfigError(explain(err, overrides)) from err
    finally:
        if was_initialised:
            GlobalHydra.instance().initialize(saved)


_PLAIN_SEED = re.compile(r"\d+")


def _split_seed(job: list[str]) -> tuple[tuple[str, ...], str | None]:
    """A job's overrides without its `seed=` override, and that override's value (or None)."""
    seeds = [o for o in job if o.lstrip("+~").partition("=")[0] == "seed"]
    rest = tuple(o for o in job if o not in seeds)
    return rest, (seeds[-1].partition("=")[2] if seeds else None)


def validate_command(overrides: list[str], multirun: bool) -> list[RunSettings]:
    """Compose and validate every job of a command; raise `ConfigError` on the first problem.

    Jobs that differ only in a plain integer seed share one composition (a sweep over
    thousands of seeds composes once per distinct setting, not once per job).
    """
    return [settings for settings, _ in validate_jobs(overrides, multirun)]


def validate_jobs(overrides: list[str], multirun: bool) -> list[tuple[RunSettings, list[str]]]:
    """`validate_command`, with each job's own override list beside its settings."""
    checked: dict[tuple[str, ...], RunSettings] = {}
    jobs = []
    for job in expand_jobs(overrides, multirun):
        rest, seed = _split_seed(job)
        if rest in checked and seed is not None and _PLAIN_SEED.fullmatch(seed):
            jobs.append((dataclasses.replace(
                checked[rest], seed=_integer("seed", int(seed), 0, 2**63 - 1)), job))
            continue
        one = settings_from_config(compose(job))
        checked.setdefault(rest, one)
        jobs.append((one, job))
    return jobs


# --- a sweep: its runs as one batch, and where and how the evaluation layer runs it ------------

#: Top-level keys whose swept values are model inputs already (not labels of a sweep's rows).
_INPUT_KEYS = ("seed", "steps", "engine", "results_dir", "progress")
BATCH_ID = "{batch_id}"  # in hydra.sweep.dir: replaced by a digest of the sweep's runs


def override_labels(jobs: list[list[str]]) -> list[dict[str, Any]]:
    """Per job, the swept config-group choices (e.g. `platform`, `country`), as labels.

    A key counts as swept when its value differs between jobs; `model.*` keys and the
    top-level inputs are columns of the batch already.
    """
    import yaml

    per_job: list[dict[str, Any]] = []
    for job in jobs:
        labels = {}
        for text in job:
            key, sep, value = text.lstrip("+~").partition("=")
            if sep and not key.startswith(("model.", "hydra")) and key not in _INPUT_KEYS:
                labels[key] = yaml.safe_load(value) if value else None
        per_job.append(labels)
    seen: dict[str, set[str]] = {}
    for labels in per_job:
        for key, value in labels.items():
            seen.setdefault(key, set()).add(repr(value))
    swept = [k for k, v in seen.items() if len(v) > 1]
    return [{k: labels.get(k) for k in swept} for labels in per_job]


def sweep_settings(overrides: list[str]) -> dict[str, Any]:
    """How and where a sweep runs, from its launcher choice (`hydra/launcher=...`,
    `hydra.launcher.*`) and `hydra.sweep.dir`, as options of the evaluation layer.

    Launchers: `local` (the default: `n_jobs` processes, -1 for every core), Hydra's `basic`
    (one, in this process), `local_processes` and `slurm` (submitit), `ray_cluster`. The
    sweep's dataset goes to `hydra.sweep.dir`, in which `{batch_id}` stands for a digest of
    the sweep's runs (the default: `<results_dir>/sweeps/{batch_id}`, so rerunning a
    command resumes it).
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    cfg = compose(fixed, with_hydra=True)
    launcher = OmegaConf.to_container(cfg.hydra.launcher, resolve=True,
                                      throw_on_missing=False) or {}
    launcher = {k: (None if v == "???" else v) for k, v in launcher.items()}
    target = str(launcher.pop("_target_", ""))
    basic = target.endswith("BasicLauncher")
    backend = launcher.pop("backend", "local" if basic else None)
    if backend is None:
        raise ConfigError(f"hydra/launcher: {target or 'this launcher'} is not supported; "
                          "allowed are local, basic, local_processes, slurm, ray_cluster")
    n_jobs = launcher.pop("n_jobs", 1 if basic else -1)
    if n_jobs in (-1, None):
        n_jobs = os.cpu_count() or 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ConfigError(f"hydra.launcher.n_jobs={n_jobs}: expected -1 or an integer >= 1")
    chunk = launcher.pop("runs_per_job", None)
    address = launcher.pop("address", None)
    if backend == "ray" and not address:
        raise ConfigError("hydra.launcher.address: give the Ray cluster's address, e.g. "
                          "hydra.launcher.address=127.0.0.1:6379")
    options = {}
    if backend in ("slurm", "submitit_local"):
        prefix = "slurm_" if backend == "slurm" else "local_"
        generic = {"timeout_min", "mem_gb", "cpus_per_task", "gpus_per_node", "tasks_per_node",
                   "nodes", "name"}
        options = {(k if k in generic else prefix + k): v for k, v in launcher.items()
                   if v is not None}
    return {"backend": backend, "workers": n_jobs, "chunk_size": chunk, "address": address,
            "options": options, "dir": str(cfg.hydra.sweep.dir)}


# --- one-line explanations of Hydra and OmegaConf errors ----------------------------------------

def _value_given(key: str, overrides: list[str]) -> str | None:
    for text in overrides:
        k, sep, v = text.lstrip("+~").partition("=")
        if sep and k == key:
            return v
    return None


def _hint(key: str, value: str | None) -> str:
    """What a newcomer probably meant by unknown key `key`, ready to go before the list of
    allowed keys ("" when there is nothing to suggest)."""
    hint = diagnose.unknown_key(key, value, TOP_LEVEL_KEYS,
                                (n for n in PARAM_FIELDS if n != "engine"))
    return (hint + (" " if hint.endswith("?") else "; ")) if hint else ""


def explain(err: Exception, overrides: list[str]) -> str:
    """Turn a composition error into one line naming the key, the value and what is allowed."""
    from hydra.errors import MissingConfigException, OverrideParseException

    if isinstance(err, MissingConfigException) and err.options and err.missing_cfg_file:
        group, _, option = str(err.missing_cfg_file).rpartition("/")
        options = sorted(o for o in err.options if o)
        hint = diagnose.did_you_mean(option, options)
        world = " (a world file of your own: model.world=path/to/file.csv)" \
            if group == "world" else ""
        return (f"{group}={option!r}: {hint + ' ' if hint else ''}"
                f"allowed values are {', '.join(options)}{world}")
    if isinstance(err, OverrideParseException):
        return f"cannot read override: {str(err).splitlines()[0]}"
    cause = err
    while cause.__cause__ is not None and not isinstance(cause, OmegaConfBaseException):
        cause = cause.__cause__
    if isinstance(cause, OmegaConfBaseException) and getattr(cause, "full_key", None):
        key = cause.full_key
        message = str(getattr(cause, "msg", cause)).splitlines()[0]
        missing = re.search(r"Key '([^']+)' (?:is )?not in", message)
        if missing:
            parent = key.rpartition(".")[0]
            allowed = (", ".join(n for n in PARAM_FIELDS if n != "engine")
                       if parent == "model" else ", ".join(TOP_LEVEL_KEYS))
            return f"{key}: unknown key; {_hint(key, _value_given(key, overrides))}" \
                   f"allowed keys{' under ' + parent if parent else ''} are {allowed}"
        value = _value_given(key, overrides)
        if "is not a ListConfig" in message:
            return (f"{key}={value}: expected a list of {N_SECTORS} numbers, one per sector "
                    f"({', '.join(SECTORS)})")
        if "is not a valid bool" in message:
            return f"{key}={value}: expected true or false"
        converted = re.search(r"could not be converted to (\w+)", message)
        if converted:
            kind = {"Integer": "an integer", "Float": "a number", "Boolean": "true or false"}.get(
                converted.group(1), converted.group(1).lower())
            return f"{key}={value}: expected {kind}"
        return f"{key}={value}: {message}" if value is not None else f"{key}: {message}"
    return str(err).strip().splitlines()[0]

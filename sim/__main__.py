"""`python -m sim [overrides]`: one run, or a sweep with `-m`, composed by Hydra.

Examples:
    python -m sim platform=per_goal country=post_conflict steps=240 seed=3
    python -m sim -m platform=national,per_goal,hybrid seed='range(0,20)'
    python -m sim +debug=default model.trust=0.3
    python -m sim world=synthetic_51 model.world_scale=5 platform=hybrid
    python -m sim world=path/to/my_world.csv
    python -m sim --verbose            # the report lists every parameter and outcome too

Every job of the command is composed and validated before anything runs or is written;
a bad value stops with one line naming the key, the value and what is allowed (exit 2).
A sweep runs as one batch of the evaluation layer (`sim.evaluate`): Hydra composes and
validates each distinct configuration once, the launcher choice picks the backend
(`sim.config.sweep_settings`), and the runs land in one dataset.
A single run prints its headline outcomes and where its tables are (`sim.console`).
"""

from __future__ import annotations

import os
import sys

INFO_FLAGS = ("help", "hydra_help", "cfg", "info", "shell_completion", "version")


def main() -> int:
    from hydra._internal.utils import get_args_parser

    from sim import console, diagnose
    from sim.config import (
        ConfigError,
        config_dir,
        register_schema,
        sweep_settings,
        validate_jobs,
        world_file_overrides,
    )

    console.set_verbose(console.take_verbose_flag(sys.argv))
    sys.argv[1:] = world_file_overrides(sys.argv[1:])  # world=<path> names a world file
    args, _ = get_args_parser().parse_known_args(sys.argv[1:])
    if not any(getattr(args, flag, None) for flag in INFO_FLAGS):
        try:
            jobs = validate_jobs(list(args.overrides), bool(args.multirun))
            how = sweep_settings(list(args.overrides)) if args.multirun else None
        except ConfigError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        if how is not None:
            os.environ.setdefault("NUMBA_NUM_THREADS", "1")
            from sim.evaluate import BackendError, BatchError, DatasetError
            from sim.runner import run_sweep

            try:
                run_sweep(jobs, how)
            except (BatchError, DatasetError, BackendError) as err:
                print(f"error: {err}", file=sys.stderr)
                return 2 if isinstance(err, (BatchError, DatasetError)) else 1
            return 0
    import hydra

    from sim.runner import hydra_task

    register_schema()
    task = hydra_task
    if not args.multirun:  # one run: its report says what it did; failures say what to do
        sys.argv.append(console.QUIET_RUN_LOG)
        task = diagnose.explained(hydra_task)
    hydra.main(version_base="1.3", config_path=str(config_dir()), config_name="config")(task)()
    return 0


if __name__ == "__main__":
    from sim.diagnose import interruptible

    sys.exit(interruptible(main))

"""The 17 goals and the goal-interaction matrix that carries indirect effects between them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

N_GOALS = 17
SCORE_RANGE = (-3, 3)
DEFAULT_MATRIX_FILE = "goal_interactions.csv"


def load_goal_matrix(path: str | Path | None = None) -> np.ndarray:
    """Load a 17x17 goal-interaction matrix (row acts on column, scores -3..3).

    `path=None` loads the illustrative default shipped with the package. A file must be
    CSV with a header row and 17 rows of 17 numbers. Raises `ValueError` naming
    `goal_matrix_path` when the file is missing, unreadable or malformed.
    """
    key = "goal_matrix_path"
    if path is None:
        source = resources.files("sim.data").joinpath(DEFAULT_MATRIX_FILE)
        with resources.as_file(source) as default_path:
            return _read_matrix(default_path, key)
    return _read_matrix(Path(path), key)


def _read_matrix(path: Path, key: str) -> np.ndarray:
    try:
        matrix = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    except OSError as err:
        raise ValueError(
            f"{key}={str(path)!r}: cannot read the file ({err.strerror or err})") from err
    except ValueError as err:
        raise ValueError(f"{key}={str(path)!r}: not a CSV of numbers with a header row "
                         f"({err})") from err
    return validate_goal_matrix(matrix, key=f"{key}={str(path)!r}")


def validate_goal_matrix(matrix: np.ndarray, key: str = "goal_matrix") -> np.ndarray:
    """Check shape 17x17, finite scores within -3..3; return it as float64."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (N_GOALS, N_GOALS):
        raise ValueError(f"{key}: expected a {N_GOALS}x{N_GOALS} matrix, got shape "
                         f"{matrix.shape[0]}x{matrix.shape[1] if matrix.ndim > 1 else 1}")
    lo, hi = SCORE_RANGE
    if not np.all(np.isfinite(matrix)) or matrix.min() < lo or matrix.max() > hi:
        raise ValueError(f"{key}: scores must be finite and within {lo}..{hi} "
                         f"(found {np.nanmin(matrix):g}..{np.nanmax(matrix):g})")
    return matrix

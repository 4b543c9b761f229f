"""Write the illustrative default 17x17 goal-interaction matrix to sim/data/.

Illustrative, not data: no complete published matrix exists. The scores (-3..+3, as in
the published SDG-interaction framework, row = acting goal, column = affected goal) follow
the published aggregate pattern only: synergies outnumber trade-offs, goal 1 (poverty) is
the most synergistic, goal 12 (responsible consumption) carries the most trade-offs.
Rerun with `python scripts/make_goal_matrix.py`; the seed is fixed so the file is stable.
"""

from pathlib import Path

import numpy as np

N_GOALS = 17
SEED = 2015
OUT = Path(__file__).resolve().parents[1] / "sim" / "data" / "goal_interactions.csv"


def make_matrix() -> np.ndarray:
    """Draw the illustrative matrix: mildly synergistic overall, goal 1 up, goal 12 down."""
    rng = np.random.default_rng(SEED)
    raw = rng.normal(0.6, 1.1, size=(N_GOALS, N_GOALS))
    raw[0, :] += 1.2   # poverty reduction helps most other goals
    raw[11, :] -= 1.4  # responsible consumption constrains growth-oriented goals
    raw[:, 11] -= 0.6
    matrix = np.clip(np.rint(raw), -3, 3).astype(int)
    np.fill_diagonal(matrix, 0)
    return matrix


def main() -> None:
    matrix = make_matrix()
    header = ",".join(f"goal_{g + 1}" for g in range(N_GOALS))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savetxt(OUT, matrix, fmt="%d", delimiter=",", header=header, comments="")
    pos, neg = (matrix > 0).sum(), (matrix < 0).sum()
    print(f"wrote {OUT}: {pos} synergies, {neg} trade-offs, "
          f"most synergistic goal {matrix.sum(1).argmax() + 1}, "
          f"most trade-offs goal {(matrix < 0).sum(1).argmax() + 1}")


if __name__ == "__main__":
    main()

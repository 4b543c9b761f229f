"""SME access: membership overhead, and representation through business associations.

`python -m experiments.sme_access [--seeds N] [--size tiny|default] [--workers W]` runs
the overhead of a platform membership against three representation arms: none,
associations under-staffed (0.5 staff) and staffed (4 staff); writes `results/sme_access/`.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from experiments.cli import main
from experiments.spec import Experiment

NONE, UNDER, STAFFED = "no representation", "BA under-staffed (0.5)", "BA staffed (4)"
UNDER_STAFF, FULL_STAFF = 0.5, 4.0


def access_of(runs: pd.DataFrame) -> pd.Series:
    """The arm of each run; the duplicate no-representation runs (staff 0.5, which has no
    effect without representation) are dropped (None)."""
    represented = runs["ba_representation"].astype(bool)
    staff = runs["ba_staff"].astype(float)
    arm = np.where(~represented, np.where(np.isclose(staff, FULL_STAFF), NONE, None),
                   np.where(np.isclose(staff, FULL_STAFF), STAFFED,
                            np.where(np.isclose(staff, UNDER_STAFF), UNDER, None)))
    return pd.Series(arm, index=runs.index, dtype=object)


EXPERIMENT = Experiment(
    name="sme_access",
    title="SME access",
    question=("How much does a platform's membership overhead keep SMEs out, and does "
              "representation through business associations bring them in, staffed or not?"),
    arms=(NONE, UNDER, STAFFED),
    arm_label="Representation",
    arm_of=access_of,
    contexts=(("membership_overhead", "Membership overhead"),),
    outcomes=("sme_participation", "sme_platform_membership_end", "multinational_participation",
              "partnerships_per_1000", "failed_share", "participation_gini"),
    series=("sme_participation", "sme_platform_membership"),
    tiny_grid=("model.membership_overhead=0.3",),
    reference={"membership_overhead": 0.3},
)

if __name__ == "__main__":
    sys.exit(main(EXPERIMENT))

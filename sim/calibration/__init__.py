"""Calibration against sourced targets: history matching, then ABC-SMC inside what is left.

Public API: `load_targets`, `load_plan`, `calibrate`, `load_posterior`, `LayerEvaluator`.
See docs/calibration.md.
"""

from sim.calibration.evaluator import Evaluator, LayerEvaluator, StoredEvaluator
from sim.calibration.plan import Plan, PlanError, load_plan
from sim.calibration.posterior import Posterior, PosteriorError, code_digest, load_posterior
from sim.calibration.space import ParameterSpace, SpaceError
from sim.calibration.targets import Target, TargetError, TargetSet, load_targets


def calibrate(*args, **kwargs):
    """Run (or continue) a calibration plan; see `sim.calibration.pipeline.calibrate`."""
    from sim.calibration.pipeline import calibrate as run

    return run(*args, **kwargs)


__all__ = ["Evaluator", "LayerEvaluator", "StoredEvaluator", "Plan", "PlanError", "load_plan",
           "Posterior", "PosteriorError", "code_digest", "load_posterior", "ParameterSpace",
           "SpaceError", "Target", "TargetError", "TargetSet", "load_targets", "calibrate"]

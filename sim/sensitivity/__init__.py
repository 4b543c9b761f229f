"""Global sensitivity analysis of the platform-design comparison: `python -m sim.sensitivity`.

Modules: `ranges` (uncertain parameters and plausible ranges, from `sim.params`), `sample`
(Morris and Sobol' matrices), `runs` (the jobs as a Hydra sweep or in process), `analyse`
(outputs per sample, indices with bootstrap intervals), `regions` (where each design wins),
`plots`, `report` (docs/sensitivity.md), `estimate` (run time of a plan), `pipeline`.
"""

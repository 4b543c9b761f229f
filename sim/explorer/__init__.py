"""Interactive explorer: the model live in the browser (Mesa SolaraViz; the `viz` extra).

`python -m sim.explorer` (or `make explore`) serves it on localhost; see `sim.explorer.app`.
"""

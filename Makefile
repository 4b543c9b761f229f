# partnership-sim — build / test entry points.  Run `make` for a list of targets.

PYTHON_FINDER = scripts/find-python.sh
VENV ?= .venv
PY = $(VENV)/bin/python

# Compiled numba kernels are cached inside the repo folder (gitignored).
export NUMBA_CACHE_DIR ?= $(CURDIR)/.numba_cache

# Extra arguments: `make run ARGS="..."`, `make test PYTEST_ARGS="-k foo -x"`.
ARGS ?=
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -q

.DEFAULT_GOAL := help
.PHONY: help setup run warm test test-all lint clean experiments readout

help:
	@echo "Targets:"
	@echo "  make run       run a small default scenario and print its summary (ARGS=... passed through)"
	@echo "  make test      fast test suite (excludes tests marked slow), $(PYTEST_WORKERS) xdist workers"
	@echo "  make test-all  every test, including slow ones"
	@echo "  make lint      ruff check sim tests experiments benchmarks"
	@echo "  make experiments  run every policy experiment into results/<name>/ (EXPERIMENT_ARGS=...)"
	@echo "  make readout   write docs/readout.md from the experiment results"
	@echo "  make notebooks render notebooks/*.py to .ipynb and execute them (design review on"
	@echo "                 RESULTS=$(RESULTS); validation, sensitivity on their results/ folders)"
	@echo "  make sensitivity  Morris, Sobol' and regions into results/sensitivity (SIZE=small|medium|full;"
	@echo "                 SENSITIVITY_ARGS=\"--docs docs/sensitivity.md\" also rewrites the written section)"
	@echo "  make calibration  history matching + ABC-SMC into results/calibration/<name>/"
	@echo "                 (SIZE=small|full; CALIBRATION_ARGS=\"--estimate\" for the cost only)"
	@echo "  make explore   interactive explorer in the browser on http://$(EXPLORE_HOST):$(EXPLORE_PORT)/"
	@echo "                 (ARGS=\"--n-orgs 2000\"; EXPLORE_PORT=..., EXPLORE_HOST=0.0.0.0 to share it)"
	@echo "  make test-browser  only the explorer's end-to-end test in headless Chromium"
	@echo "  make benchmark both engines, start-up and sweep throughput into benchmarks/results/"
	@echo "                 (BENCH_ARGS=\"--quick\" for a check; see benchmarks/README.md)"
	@echo "  make clean     remove $(VENV), caches and build artefacts"
	@echo ""
	@echo "The first target that needs it creates $(VENV) with Python >= 3.12"
	@echo "(found by $(PYTHON_FINDER); override with PYTHON=/path/to/python3.12)."

# (Re)create the venv if missing or too old, then install the package + test extras.
$(VENV)/.installed: pyproject.toml
	@if [ -x "$(PY)" ] && "$(PY)" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
		echo "Using existing $(VENV) ($$("$(PY)" --version 2>&1))"; \
	else \
		py="$$(bash $(PYTHON_FINDER))" || exit 1; \
		echo "Creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
		rm -rf "$(VENV)" && "$$py" -m venv "$(VENV)" || exit 1; \
	fi
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test]'
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m sim $(ARGS)

# Compile the numba kernels into $(NUMBA_CACHE_DIR) once, so parallel test
# workers load them from the cache instead of compiling concurrently.
warm: setup
	$(PY) -m sim.warmup

test: setup warm browser-assets
	$(PY) -m pytest -m "not slow" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-all: setup warm browser-assets
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check sim tests experiments benchmarks

# Policy experiments (sweeps, tables, figures in results/<name>/), then the written readout.
# EXPERIMENT_ARGS="--seeds 20 --workers 8", or "--size tiny" for a quick check.
EXPERIMENT_ARGS ?=
experiments: setup warm
	$(PY) -m experiments all $(EXPERIMENT_ARGS)

readout: setup
	$(PY) -m experiments.readout

# Global sensitivity analysis (configs/sensitivity/$(SIZE).yaml), see docs/sensitivity.md.
SIZE ?= small
SENSITIVITY_ARGS ?=
.PHONY: sensitivity
sensitivity: setup warm
	$(PY) -m sim.sensitivity --size $(SIZE) $(SENSITIVITY_ARGS)

# Calibration (configs/calibration/$(SIZE).yaml; small = the identical twin), see
# docs/calibration.md. CALIBRATION_ARGS="--workers 2", "--estimate", "--fresh".
CALIBRATION_ARGS ?=
.PHONY: calibration
calibration: setup warm
	$(PY) -m sim.calibration --size $(SIZE) $(CALIBRATION_ARGS)

# Review notebooks: jupytext .py -> notebooks/<name>.ipynb (generated, gitignored), then
# executed by papermill into $(RESULTS)/notebooks/<name>.ipynb: the design review reads the
# sweep in $(RESULTS); validation and sensitivity read their own default results folders.
RESULTS ?= results/platform_designs
NOTEBOOKS = $(wildcard notebooks/*.py)
.PHONY: notebooks
notebooks: setup
	@mkdir -p "$(RESULTS)/notebooks"
	@for nb in $(NOTEBOOKS); do \
		name=$$(basename $$nb .py); \
		$(PY) -m jupytext --quiet --to ipynb -o notebooks/$$name.ipynb $$nb || exit 1; \
		if [ "$$name" = design_comparison ]; then set -- -p results_dir "$(RESULTS)"; \
		else set --; fi; \
		$(PY) -m papermill --log-level WARNING notebooks/$$name.ipynb \
			"$(RESULTS)/notebooks/$$name.ipynb" "$$@" || exit 1; \
		echo "executed $(RESULTS)/notebooks/$$name.ipynb"; \
	done

# Interactive explorer (sim/explorer/, docs in README "Explorer"): serves until Ctrl-C.
EXPLORE_HOST ?= 127.0.0.1
EXPLORE_PORT ?= 8765
.PHONY: explore test-browser browser-assets
explore: setup warm browser-assets
	$(PY) -m sim.explorer --host $(EXPLORE_HOST) --port $(EXPLORE_PORT) $(ARGS)

# Solara's page assets (npm packages it would fetch from a CDN) into the venv, so the app
# works offline; if npm or the registry is unreachable this only warns (the browser test
# then skips with the reason, and the app fetches them itself when it has network).
browser-assets: setup
	-@$(PY) -m sim.explorer.assets

test-browser: setup warm browser-assets
	$(PY) -m pytest tests/browser $(PYTEST_ARGS)

# Benchmark suite (benchmarks/README.md): writes benchmarks/results/<date>-<host>/.
# BENCH_ARGS="--quick", "--out DIR", "--sizes 1000,10000", "--skip-sweep", "--skip-cold", ...
BENCH_ARGS ?=
.PHONY: benchmark
benchmark: setup warm
	$(PY) benchmarks/suite.py $(BENCH_ARGS)

clean:
	rm -rf "$(VENV)" .numba_cache .pytest_cache .ruff_cache .hypothesis build dist
	rm -rf *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	find . -path ./.git -prune -o -type f -name '*.pyc' -exec rm -f {} +

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
.PHONY: help setup run warm test test-all lint clean

help:
	@echo "Targets:"
	@echo "  make run       run a small default scenario and print its summary (ARGS=... passed through)"
	@echo "  make test      fast test suite (excludes tests marked slow), $(PYTEST_WORKERS) xdist workers"
	@echo "  make test-all  every test, including slow ones"
	@echo "  make lint      ruff check sim tests"
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

test: setup warm
	$(PY) -m pytest -m "not slow" -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-all: setup warm
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check sim tests

clean:
	rm -rf "$(VENV)" .numba_cache .pytest_cache .ruff_cache .hypothesis build dist
	rm -rf *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	find . -path ./.git -prune -o -type f -name '*.pyc' -exec rm -f {} +

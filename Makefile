# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs the project first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WB := $(VENV)/bin/workbench
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint lab system-deps bench bench-store clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	$(PY) -c "from workbench.reports.kernel import ensure_kernel; ensure_kernel()"
	touch $(STAMP)

# CBC is an optional second solver for comparison; install it from Debian when we can.
system-deps:
	@command -v cbc >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coinor-cbc >/dev/null) \
	      || echo "note: could not install coinor-cbc; CBC comparisons will be skipped"; \
	  else echo "note: coinor-cbc not installed and cannot install it here; CBC comparisons will be skipped"; fi; }

# The main job (`workbench demo`): a fresh SQLite store under build/, demo users, the demo
# network, a base plan and two what-ifs, an approved baseline and the scenario report.
demo: $(STAMP)
	$(WB) demo

# JupyterLab on the notebooks, with this environment's Python
lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

lint: $(STAMP)
	$(VENV)/bin/ruff check workbench tests benchmarks

test: $(STAMP) system-deps lint
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP) system-deps
	$(PY) benchmarks/bench_solve.py

bench-store: $(STAMP)
	$(PY) benchmarks/bench_store.py

clean:
	rm -rf build .pytest_cache

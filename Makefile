# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs the project first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WB := $(VENV)/bin/workbench
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint lab system-deps bench bench-store dashboard clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	$(PY) -c "from workbench.reports.kernel import ensure_kernel; ensure_kernel()"
	touch $(STAMP)

# From Debian: CBC, an optional second solver for comparison, and Chromium, which the dashboard
# tests drive headless (a browser downloaded by a test tool cannot run here).
system-deps:
	@missing=""; command -v cbc >/dev/null 2>&1 || missing="coinor-cbc"; \
	  test -x /usr/bin/chromium || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	        || echo "note: could not install $$missing; tests that need them will be skipped"; \
	    else echo "note: $$missing not installed and cannot install here; tests that need them will be skipped"; fi; \
	  fi

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

# the manager dashboards, on http://127.0.0.1:8866/ over the demo store (`make demo` first)
dashboard: $(STAMP)
	WORKBENCH_DB_URL=sqlite:///$(CURDIR)/build/demo.db $(WB) dashboard

clean:
	rm -rf build .pytest_cache

# Two commands for a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs the project first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WB := $(VENV)/bin/workbench
STAMP := $(VENV)/.installed-stamp
DEMO_DATA := build/demo-network

.PHONY: demo test lint system-deps bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

# CBC is an optional second solver for comparison; install it from Debian when we can.
system-deps:
	@command -v cbc >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coinor-cbc >/dev/null) \
	      || echo "note: could not install coinor-cbc; CBC comparisons will be skipped"; \
	  else echo "note: coinor-cbc not installed and cannot install it here; CBC comparisons will be skipped"; fi; }

demo: $(STAMP)
	$(WB) demo-data $(DEMO_DATA)
	$(WB) validate $(DEMO_DATA)
	$(WB) solve $(DEMO_DATA)

lint: $(STAMP)
	$(VENV)/bin/ruff check workbench tests benchmarks

test: $(STAMP) system-deps lint
	$(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP) system-deps
	$(PY) benchmarks/bench_solve.py

clean:
	rm -rf build .pytest_cache

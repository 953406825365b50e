# Flower Power: `make run` for a laptop, `make test` for the whole suite. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Tests and benchmarks run against PostgreSQL and Redis on 127.0.0.1 (flower_power/settings_test.py),
# started by bin/ensure-services if they are down.
TEST_ENV := DJANGO_SETTINGS_MODULE=flower_power.settings_test

.PHONY: install run test lint bench loadtest clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) is needed"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q ".[dev]"
	@rm -rf build *.egg-info
	touch $@

# MLServer, the peer bench/bench_serving.py measures us against: its own venv, never the app's.
.venv-mlserver/.installed: bench/peers/mlserver/requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) is needed"; exit 1; }
	test -x .venv-mlserver/bin/python || $(PYTHON) -m venv .venv-mlserver
	.venv-mlserver/bin/python -m pip install -q -r bench/peers/mlserver/requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	@bin/run-local $(PORT)

lint: install
	$(VENV)/bin/ruff check .

# MLServer's environment too: the suite runs every bench quickly, bench_serving.py included.
test: install .venv-mlserver/.installed
	bin/ensure-services
	$(VENV)/bin/ruff check .
	npm run lint --silent
	npm test --silent
	$(VENV)/bin/pytest

bench: install .venv-mlserver/.installed
	bin/ensure-services
	$(TEST_ENV) $(PY) bench/run.py

# 50 simulated trainees, prediction clients and a retrain for 60 s; checks the data after.
loadtest: install
	bin/ensure-services
	$(TEST_ENV) $(PY) bench/loadtest.py

clean:
	rm -rf $(VENV) .venv-mlserver node_modules staticfiles var

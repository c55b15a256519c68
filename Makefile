# Quick start: `make demo` then `make test`. Both create .venv and install on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export LUTH_CONFIG ?= data_lake/landing/luth.yaml
export LUTH_LAKE_ROOT ?= data_lake
export DAGSTER_HOME ?= $(abspath $(LUTH_LAKE_ROOT))/.dagster
# One CPU code path on every x86-64 machine with AVX2: PyTorch's kernels and MKL's otherwise follow
# the CPU (AVX-512 or not) and round differently, so the demo's tiny models, trained from scratch,
# would come out different from one machine to the next (MKL's STRICT mode: whatever the threads).
export ATEN_CPU_CAPABILITY ?= avx2
export MKL_CBWR ?= AVX2,STRICT

.PHONY: install demo test ui ui-check lint bench clean-lake

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Materialise the whole asset graph offline on the demo data in data_lake/landing/
demo: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/luth materialize --all

## The whole test suite (GPU tests skip themselves without CUDA)
test: $(STAMP)
	$(VENV)/bin/pytest -m 'not gpu' $(PYTEST_ARGS)

## Dagster UI on http://127.0.0.1:3000 over the whole graph
ui: $(STAMP)
	mkdir -p $(DAGSTER_HOME)
	test -f $(DAGSTER_HOME)/dagster.yaml || printf 'telemetry:\n  enabled: false\n' > $(DAGSTER_HOME)/dagster.yaml
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## Check the UI: start `dagster dev` as `make ui` does (free port, temporary DAGSTER_HOME),
## compare its GraphQL asset keys with the built definitions, screenshot the asset graph
ui-check: $(STAMP)
	$(VENV)/bin/pytest tests/test_ui.py -q -s $(PYTEST_ARGS)

## Every benchmark script in turn (each prints its figures and a JSON line; some take minutes)
bench: $(STAMP)
	@status=0; for script in benchmarks/*.py; do echo "== $$script"; \
	  $(PY) $$script || { echo "$$script: target missed or not runnable here"; status=1; }; done; exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check luth_assets luth_train tests benchmarks

clean-lake:
	find data_lake -mindepth 1 -maxdepth 1 ! -name landing -exec rm -rf {} +

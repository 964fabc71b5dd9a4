# The two commands: `make run` (set-up + simulated world + full Dagster job + dashboards) and
# `make test` (set-up + the whole test suite). Each works on its own on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# the Spark engine (docs/spark.md) gets its own environment: with pyspark installed,
# great-expectations imports pyspark.sql.connect, which exits a pytest-xdist worker
SPARK_VENV := .venv-spark
PRM := $(BIN)/prm
SCALE ?= small
SEED ?= 42
PART ?= all
# ENGINE=spark: `make run` also builds the dbt project on a local Spark (docs/spark.md)
ENGINE ?= duckdb

export PRM_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(PRM_DATA_DIR)/dagster_home
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export DBT_TARGET_PATH := $(CURDIR)/dbt_project/target
export DBT_LOG_PATH := $(CURDIR)/dbt_project/logs

.PHONY: help install browser run world test test-fast ui docs bench lint fmt clean spark-build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	@touch $@

$(SPARK_VENV)/.installed: $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(CURDIR)/$(SPARK_VENV) $(UV) sync --frozen --quiet --extra spark
	@touch $@

install: $(VENV)/.installed ## create .venv with the pinned dependencies (uv.lock)

$(PRM_DATA_DIR)/world/world.json: | $(VENV)/.installed
	$(PRM) world generate --scale $(SCALE) --seed $(SEED)

world: $(VENV)/.installed ## (re)generate the simulated world: make world SCALE=small|medium|large
	$(PRM) world generate --scale $(SCALE) --seed $(SEED)

run: $(VENV)/.installed $(PRM_DATA_DIR)/world/world.json ## set up, simulate the world if absent, run the full job, write dashboards (VERBOSE=1: full log)
	$(PRM) run --job prm_full $(if $(VERBOSE),--verbose)
	$(if $(filter spark,$(ENGINE)),$(MAKE) spark-build)

spark-build: $(SPARK_VENV)/.installed ## the dbt project on a local Spark from the landed raw_* tables (docs/spark.md; after make run)
	$(SPARK_VENV)/bin/python -m orchestration.spark_engine build $(SPARK_ARGS)

# the page checks run in a real headless Chromium (dashboards/partner_browser_check.py): install it
# from the distribution's packages when missing and we may (root with apt-get); otherwise say so
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium for the browser page checks (apt-get)"; \
	    apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; } || \
	    echo "warning: could not install chromium: the browser page checks will be skipped"; \
	  else echo "warning: no chromium (apt-get install chromium): the browser page checks will be skipped"; fi; }

test: $(VENV)/.installed browser ## the whole test suite (includes the slow end-to-end tests)
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=25

test-fast: $(VENV)/.installed ## only the fast tests
	$(BIN)/pytest -m "not slow" -n 2

ui: $(VENV)/.installed ## Dagster UI on http://127.0.0.1:3000
	$(BIN)/python -c "from orchestration.cli import prepare_dbt; prepare_dbt()"
	mkdir -p $(DAGSTER_HOME)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

docs: $(VENV)/.installed ## dbt docs site for analysts: data/docs/index.html (after make run: with column types)
	$(PRM) docs

bench: $(VENV)/.installed ## benchmark: make bench SCALE=small|large PART=all|pipeline|conflicts (NODAY=1: no incremental day)
	$(BIN)/python -m orchestration.bench --scale $(SCALE) --seed $(SEED) --part $(PART) $(if $(VERBOSE),--verbose) $(if $(NODAY),--no-day)

lint: $(VENV)/.installed ## ruff lint + format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

fmt: $(VENV)/.installed
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean: ## remove generated data (world, warehouse, pages), keep the venv
	rm -rf $(PRM_DATA_DIR) dbt_project/target dbt_project/logs

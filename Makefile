# connect-impact: `make` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
WAREHOUSE ?= $(or $(CONNECT_WAREHOUSE),data/warehouse)
DEMO_DIR := data/raw/demo
PORT ?= 8501

.PHONY: help run test lint format bench demo docs clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(DEMO_DIR)/.generated: | $(VENV)/.installed
	$(BIN)/connect-impact generate --out $(DEMO_DIR) --scale S --seed 2021
	@touch $@

$(WAREHOUSE)/CURRENT: $(DEMO_DIR)/.generated
	$(BIN)/connect-impact load $(DEMO_DIR) --warehouse $(WAREHOUSE)

demo: $(VENV)/.installed $(WAREHOUSE)/CURRENT ## Generate and load the synthetic demo data (only when missing)

run: demo ## Start the dashboard on the demo data at http://localhost:8501
	$(BIN)/connect-impact serve --port $(PORT) --warehouse $(WAREHOUSE)

test: $(VENV)/.installed-dev ## Run the whole test suite
	GX_ANALYTICS_ENABLED=False $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-dev ## Measure load and queries at scales S, M, L (writes docs/benchmarks.md)
	GX_ANALYTICS_ENABLED=False $(BIN)/connect-impact bench --scales S,M,L --repeat 3 --out tests/artefacts/bench.json

docs: $(VENV)/.installed ## Regenerate the generated parts of the documentation
	$(BIN)/python -m pipelines.docs
	$(BIN)/python -m dashboard.cli_docs
	$(BIN)/python -m indicators.methodology

clean: ## Remove the virtualenv, demo data and warehouse
	rm -rf $(VENV) $(DEMO_DIR) data/warehouse

# The two set-up commands: `make demo` and `make test`. Each builds .venv from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint schemas bench stress clean catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

DEMO ?= demo-qms

## demo: build the sample agency with its history since 2021 into $(DEMO)/, verify it, tour it
demo: $(VENV)/.installed
	rm -rf $(DEMO)
	$(BIN)/qms demo $(DEMO)
	$(BIN)/qms -C $(DEMO) validate
	$(BIN)/qms -C $(DEMO) verify
	$(BIN)/qms -C $(DEMO) list
	$(BIN)/qms -C $(DEMO) history QT-01
	@cat docs/tour.txt

## test: the whole suite
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

## lint: ruff and mypy (strict) on the package
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check qmsdocs tests
	$(BIN)/mypy

## bench: province-scale benchmarks (bench/README.md); prints a table, writes bench/results.json
## (the floor: bench/floor.py --size 10000 for 10,000 procedures; warm commands: bench/warm.py)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/floor.py
	$(BIN)/python bench/warm.py
	$(BIN)/python bench/portal.py
	$(BIN)/python bench/framework.py
	$(BIN)/python bench/fleet.py --agencies 227 --json bench/fleet-results.json

## stress: the long reliability runs (RELIABILITY.md): properties, kills, concurrency, tampering
stress: $(VENV)/.installed-dev
	$(BIN)/python -m pytest stress -p no:cacheprovider

## schemas: regenerate schemas/ from the models (review the diff)
schemas: $(VENV)/.installed
	$(BIN)/python -m qmsdocs.schemas schemas

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache

## catalogs: extract the messages (code and CLI help), update the Vietnamese catalog, compile it
catalogs: $(VENV)/.installed-dev
	$(BIN)/python scripts/catalogs.py

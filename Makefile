# The two commands a newcomer needs:
#   make demo   set everything up, then run mailfleet on the embedded default (SQLite)
#   make test   set everything up, then run lint, type checks, import boundaries and the tests
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: setup demo test check lint typecheck imports unit bench format clean services

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	./scripts/demo.sh $(ARGS)

services:
	./scripts/services.sh

test: setup services check
	$(BIN)/pytest -q

check: lint typecheck imports

lint:
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck:
	$(BIN)/mypy

imports:
	$(BIN)/lint-imports

unit: setup
	$(BIN)/pytest -q tests/unit

bench: setup
	$(BIN)/python bench/run_all.py

format: setup
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache demo

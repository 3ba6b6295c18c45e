# The two commands the README gives for a fresh machine:
#   make demo   validate, generate, check and graph the bundled examples (no org needed)
#   make test   lint, types, the Python tests and the offline Salesforce checks
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := build/demo

.PHONY: demo test lint types pytest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,cumulusci]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/stepforce validate examples/*.yaml
	$(BIN)/stepforce generate examples/*.yaml --out $(DEMO_OUT)
	$(BIN)/stepforce check $(DEMO_OUT)
	$(BIN)/stepforce graph examples/invoice_sync.yaml

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint types pytest

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache

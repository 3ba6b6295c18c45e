# The two commands the README gives for a fresh machine:
#   make demo   validate, generate, check and graph the bundled examples (no org needed)
#   make test   lint, types, the Python tests and the offline Salesforce checks
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := build/demo

.PHONY: demo test lint types pytest console-test browser clean

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

# The console's LWC bundles (templates/force-app/.../lwc): Jest with sfdx-lwc-jest and
# @sa11y/jest, then ESLint with @salesforce/eslint-config-lwc. npm installs once (stamp).
CONSOLE := console
CONSOLE_STAMP := $(CONSOLE)/node_modules/.installed

$(CONSOLE_STAMP): $(CONSOLE)/package.json $(CONSOLE)/package-lock.json
	cd $(CONSOLE) && npm ci --no-audit --no-fund --loglevel=error
	touch $(CONSOLE_STAMP)

console-test: $(CONSOLE_STAMP)
	cd $(CONSOLE) && npx sfdx-lwc-jest -- --runInBand
	$(CONSOLE)/node_modules/.bin/eslint -c $(CONSOLE)/eslint.config.js \
		templates/force-app/main/default/lwc $(CONSOLE)/tests

# Debian's Chromium for the console's browser check (tests/console/test_browser.py), when
# missing; apt-get needs root (as on CI and the build machines), else the test says what to do.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    apt-get install -y -qq --no-install-recommends chromium >/dev/null; } || \
	  echo "chromium is missing: apt-get install chromium (the console's browser check needs it)"

# console-test first: it installs console/node_modules, which the browser check uses.
test: lint types console-test browser pytest

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache

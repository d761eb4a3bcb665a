# Rungs: `make run` serves the app on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test install browser idp lint format bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Rungs needs Python 3.11 or newer; set PYTHON=python3.11") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask ladder load-default
	@RUNGS_BASE_URL=http://$(HOST):$(PORT) $(BIN)/flask setup-url --if-no-users
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --no-control-socket --access-logfile - wsgi:app

# Browser tests drive the system Chromium and inject axe-core from npm.
browser:
	@bash tests/browser/setup.sh

# The SSO tests sign in against a real OpenID Provider (oidc-provider from npm, on Node.js).
idp:
	@bash tests/auth/idp/setup.sh

test: install browser idp
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Generated data, gunicorn, wrk, Chromium: one table, also in bench/out/latest.md; see docs/benchmark.md.
bench: $(STAMP) browser
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis tests/browser/node_modules \
	  tests/auth/idp/node_modules

# Load and kill -9 under gunicorn, SQLite and PostgreSQL: no 5xx, no 2xx lost; see docs/data-safety.md.
# Shorter: make safety SAFETY_ARGS="--seconds 20"; bench/out/safety.md keeps the figures.
.PHONY: safety
safety: $(STAMP)
	$(BIN)/python -m bench.safety $(SAFETY_ARGS)

# lienthong — the README's two commands and the developer's shortcuts.
#
#   make demo    install into .venv, load the real units and the demo accounts, serve
#                the node on http://127.0.0.1:8000 (Ctrl-C stops it)
#   make test    install into .venv and run the whole test suite
#
# Every tool runs from $(VENV)/bin: no activated virtualenv is needed. Everything is
# idempotent: running a target twice is safe. See docs/install.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.lienthong-installed
LIENTHONG := $(BIN)/lienthong
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-n auto"` or `PYTEST_ARGS="-m 'not browser'"`.
PYTEST_ARGS ?=

.PHONY: help install demo serve test lint format migrations-check schema schema-check \
        messages bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-18s %s\n", $$1, $$2}'

# --- installation ------------------------------------------------------------------

# The virtualenv. A half-made one (python3-venv missing) is removed so that the next run
# starts again instead of failing later.
$(BIN)/pip:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "lienthong needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) --version 2>/dev/null || echo "not found")." >&2; \
	  echo "On Debian 12 / Ubuntu 24.04: sudo apt install python3 python3-venv (or run make PYTHON=python3.12 ...)." >&2; \
	  exit 1; }
	@echo "==> creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create $(VENV): install the venv module (sudo apt install python3-venv)." >&2; \
	  exit 1; }

# Reinstall only when pyproject.toml changed (or after a failed install).
$(STAMP): pyproject.toml | $(BIN)/pip
	@echo "==> installing lienthong and its dependencies into $(VENV)"
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install lienthong (only when pyproject.toml changed)

# --- the two commands --------------------------------------------------------------

demo: install ## install, migrate, load the real units and demo accounts, serve on 127.0.0.1:8000
	@echo "==> migrating the database"
	@$(LIENTHONG) migrate --no-input --verbosity 0
	@echo "==> loading the provinces and communes (vietnam-provinces)"
	@$(LIENTHONG) load_units
	@echo "==> loading the demo accounts"
	@$(LIENTHONG) load_demo
	@$(LIENTHONG) load_demo_trust
	@$(LIENTHONG) load_demo_documents
	@$(LIENTHONG) load_demo_elections
	@$(LIENTHONG) load_demo_infra
	@$(LIENTHONG) load_demo_records
	@$(LIENTHONG) load_demo_archives
	@$(LIENTHONG) load_demo_library
	@$(LIENTHONG) load_demo_portal
	@$(LIENTHONG) load_demo_feedback
	@$(LIENTHONG) load_demo_agenda
	@$(MAKE) --no-print-directory serve

serve: install ## serve the node (web server + task worker) without reloading data
	@$(LIENTHONG) serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install ## run the whole test suite (SQLite, or LIENTHONG_DATABASE_URL)
	@$(BIN)/pytest --create-db $(PYTEST_ARGS)

# --- checks --------------------------------------------------------------------------

lint: install ## ruff check, ruff format --check, mypy
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy

format: install ## apply ruff's fixes and formatting
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

migrations-check: install ## fail when a model change has no migration
	@$(LIENTHONG) makemigrations --check --dry-run

schema: install ## regenerate contrib/openapi.json
	@scripts/verify-openapi.sh --write

schema-check: install ## fail when contrib/openapi.json is stale
	@scripts/verify-openapi.sh

# makemessages and compilemessages run inside the package so that .venv is never scanned.
messages: install ## extract msgids into the vi catalogue and compile it
	@cd src/lienthong && $(abspath $(LIENTHONG)) makemessages -l vi --no-obsolete \
	  --ignore 'tests/*' --ignore '*/tests/*'
	@cd src/lienthong && $(abspath $(LIENTHONG)) compilemessages -l vi

# Extra benchmark arguments, e.g. `make bench BENCH_ARGS=unit_search`.
BENCH_ARGS ?=

bench: install ## run the benchmarks on a throw-away database (docs/benchmarks.md)
	@$(BIN)/python bench/run.py $(BENCH_ARGS)

clean: ## remove test databases, screenshots, bench data, caches (keeps .venv and var/lienthong.sqlite3)
	rm -f var/test*.sqlite3 var/test*.sqlite3-* var/test_*
	rm -rf var/screenshots var/bench .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

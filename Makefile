# The quick start: `make serve` starts the service, `make test` runs every test.
# Both install what they need first, from the lock file, into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: serve test lint bench eval install install-all dist

$(BIN)/.installed: pyproject.toml uv.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv sync --frozen --inexact --quiet --extra server
	touch $@

install: $(BIN)/.installed

# The heavy integrations too (Scrapy, Ray, pyarrow): their tests skip without them.
install-all: $(BIN)/.installed
	$(BIN)/uv sync --frozen --inexact --quiet --all-extras --all-groups

serve: $(BIN)/.installed
	$(BIN)/newsclean serve

test: $(BIN)/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check cleaning newsclean newsindex service tests benchmarks clients gunicorn.conf.py .ci/check_floor.py .ci/schemathesis_hooks.py
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_core.py --report benchmarks/REPORT-core.md

# What a user installs: the sdists and wheels of newsclean and newsclean-client.
dist: $(BIN)/.installed
	$(BIN)/uv build --out-dir dist
	$(BIN)/uv build --package newsclean-client --out-dir dist

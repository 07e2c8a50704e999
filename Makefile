# Peer Meet-ups: `make run` to try it, `make test` to check it. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Every install takes the exact versions in this lock, so two installs a month apart test the same code.
LOCK := constraints.txt
FLASK := $(BIN)/flask --app app
DEMO_REGISTRANTS ?= 150
# The suite runs on every core (pytest-xdist); each worker has its own databases. `PYTEST_ARGS=-n0` for one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test quick lint format bench bench-all lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) -e '.[test]'
	touch $@

# Re-resolve every dependency to its newest release within pyproject.toml's ranges, for every platform.
lock: $(INSTALLED)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --upgrade \
		--custom-compile-command 'make lock' --quiet --output-file $(LOCK)

run: $(INSTALLED)
	$(FLASK) db upgrade
	$(FLASK) demo seed --registrants $(DEMO_REGISTRANTS)
	$(FLASK) dev

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast tier alone, on SQLite: no browser, no servers or processes started, no generated-input searches.
quick: $(INSTALLED)
	$(BIN)/python -m pytest -n auto -m "not slow and not integration" --backend sqlite $(QUICK_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The scale targets at 20,000 and 100,000 registrants, each beside its baseline, as one table (PostgreSQL).
bench: $(INSTALLED)
	$(BIN)/python benchmarks/targets.py

# Every benchmark script, one after the other (an hour or more).
bench-all: $(INSTALLED)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

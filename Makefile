# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run test test-postgres lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU wheel (pyproject.toml); install it first so nothing pulls CUDA.
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Start everything on embedded defaults: migrations, Redis, API, worker, sweeper.
run: install
	$(BIN)/modctl up

## Run the test suite (SQLite; set DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The same suite on PostgreSQL (browser tests run their own SQLite stack, and the client tests
## (WordPress, Node) exercise the protocol, not the database, so they are skipped).
test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -m "not browser and not wordpress and not node" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check service workers tests bench
	$(BIN)/ruff format --check service workers tests bench
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .pytest_cache

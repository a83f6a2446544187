# Two commands on a fresh machine with Python >= 3.11:  make run  |  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: compile run demo test lint typecheck unit i18n bench wheel postgres clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Byte-compiled as an installed wheel is (pip compiles at install): where PYTHONDONTWRITEBYTECODE
# is set, an editable checkout would otherwise compile every module on every start.
compile: $(STAMP)
	@$(BIN)/python -m compileall -q tracker

run: compile  ## open the app on a demo database
	$(BIN)/ldn-tracker demo

test: $(STAMP) lint  ## lint, type-check and the whole test suite
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check tracker tests bench scripts migrations
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/i18n.py check

i18n: $(STAMP)  ## compile the Danish catalogue after editing it
	$(BIN)/python scripts/i18n.py compile

bench: compile  ## reproduce the README's speed table
	$(BIN)/python bench/run.py

postgres:  ## install and start a PostgreSQL server on loopback for the tests
	bash scripts/postgres.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis

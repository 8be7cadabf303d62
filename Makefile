# make run   — install into .venv and serve the assistant on the embedded default (SQLite + in-process stores)
# make test  — install into .venv and run the whole test suite (both back ends when PostgreSQL/Redis are up)
# Installing = `pip install -e '.[test]'`: the project in editable mode (console command .venv/bin/duty-bot)
# with the dependencies of requirements.txt and the test extra of pyproject.toml.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python webhook.py

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/bench_intents.py
	$(BIN)/python bench/bench_digest.py
	$(BIN)/python bench/bench_webhook.py
	$(BIN)/python bench/bench_outbox.py
	$(BIN)/python bench/bench_plenary.py

clean:
	rm -rf $(VENV) build *.egg-info data/*.db*

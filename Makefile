# Two commands do all set-up on a fresh clone: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change (stamp files are newer than pyproject.toml).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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
	$(BIN)/python bench/faq_eval.py
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) var .pytest_cache

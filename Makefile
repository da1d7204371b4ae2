# The two entry points of the README: `make quickstart` (main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup quickstart test lint bench
setup: $(VENV)/.setup-done
$(VENV)/.setup-done: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh

quickstart: setup
	$(VENV)/bin/alchemist run configs/quickstart.yaml --out runs/quickstart

test: setup
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider

lint: setup
	$(VENV)/bin/ruff check src tests bench

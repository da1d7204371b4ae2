# The two entry points of the README: `make quickstart` (main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup quickstart test lint evalplus-venv
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

# EvalPlus 0.3.1 in its own venv, only for the side-by-side comparison in bench/evaluate.py and bench/agreement.py.
evalplus-venv: .venv-evalplus/bin/python
.venv-evalplus/bin/python:
	python3 -m venv .venv-evalplus && .venv-evalplus/bin/pip install -q "evalplus==0.3.1"

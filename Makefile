# make run: set up, refresh stale data, serve the dashboard on 127.0.0.1:8501
# make test: set up, lint, run every test (unit, integration, browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MIRROR ?=
PORT ?= 8501
MIRROR_FLAG := $(if $(MIRROR),--mirror $(MIRROR),)

.PHONY: run test etl eval cv bench lint format browser clean-data help

help:
	@echo "make run [MIRROR=DIR]   set up, refresh stale sources, serve the dashboard on 127.0.0.1:$(PORT)"
	@echo "make test               set up and run lint + all tests (unit, integration, e2e)"
	@echo "make etl [MIRROR=DIR]   refresh every source now"
	@echo "make eval [MIRROR=DIR]  precision / recall of the role rules on the labelled postings"
	@echo "make cv [MIRROR=DIR]    forward cross-validation of role-counting candidates on the dev waves"
	@echo "make bench              run the benchmarks, figures to bench/results*.json"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium for the Playwright tests (Playwright's own browser download does not work here)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check etl dashboard tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format etl dashboard tests bench

test: $(STAMP) browser lint
	$(PY) -m pytest -q

etl: $(STAMP)
	$(PY) -m etl refresh $(MIRROR_FLAG)

run: $(STAMP)
	-$(PY) -m etl refresh --if-stale $(MIRROR_FLAG) || echo "refresh failed: the dashboard starts on the last good data (see: $(PY) -m etl status)"
	$(PY) -m streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

# precision / recall of the role rules on the labelled postings (eval/), from the HN postings the ETL
# publishes from the mirror; writes eval/results.json, eval/RESULTS.md and the README's eval block
EVAL_MIRROR := $(or $(MIRROR),$(wildcard ../shared/mirror))
eval: $(STAMP)
	$(PY) -m eval $(if $(EVAL_MIRROR),--mirror $(EVAL_MIRROR),) --write-readme

# forward cross-validation over the development waves (never the held-out part): the role rules of
# the commit before each wave's labels, and model stages trained on the earlier waves; writes
# eval/cv.json and eval/CV.md
cv: $(STAMP)
	$(PY) -m eval.cv $(if $(EVAL_MIRROR),--mirror $(EVAL_MIRROR),) --write

bench: $(STAMP)
	$(PY) -m bench $(MIRROR_FLAG)

clean-data:
	rm -rf data/raw/* data/processed/* data/state data/reports data/cache

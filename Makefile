# neurokit: the two commands of the README are `make book` and `make test`.
# Both create the project's virtual environment (.venv) when it is missing and install the pinned lock.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= embedded
JOBS ?= 1
PYTEST_ARGS ?=
LOCK := requirements-lock.txt
STAMP := $(VENV)/.installed

.PHONY: setup book test test-all smoke lock browser-deps clean-build help

help:
	@echo "make book     build the whole book under PROFILE=$(PROFILE) (installs what it needs)"
	@echo "make test     run the test suite (CPU, offline; smoke build of every chapter; browser check)"
	@echo "make test-all also the slow tests"
	@echo "make lock     re-resolve requirements.in into $(LOCK)"

$(STAMP): $(LOCK) pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

_static/mathjax/tex-chtml.js:
	bash scripts/vendor_mathjax.sh

setup: $(STAMP) _static/mathjax/tex-chtml.js

browser-deps:
	@bash scripts/install_browser.sh

book: setup
	$(VENV)/bin/neurokit book --profile $(PROFILE) --jobs $(JOBS)

test: setup browser-deps
	$(PY) -m pytest -m "not slow and not gpu" $(PYTEST_ARGS)

test-all: setup browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lock:
	python3 -m venv /tmp/neurokit-lock && /tmp/neurokit-lock/bin/pip install -r requirements.in \
	  && /tmp/neurokit-lock/bin/pip freeze --exclude-editable | grep -v '^neurokit' > $(LOCK)

clean-build:
	rm -rf _build

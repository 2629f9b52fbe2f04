# bioviz: two commands do all set-up on a fresh machine.
#   make lab    create .venv if missing, install the pinned dependencies, open JupyterLab
#   make test   the same set-up, then every test (unit, explorers, notebooks, browser)
#   make site   the course as a static web site (build/site/index.html), from the executed notebooks
#   make app NB=01   one notebook as an app (Voila: prose, figures and explorers, no code)
# Other targets: make bench (benchmark report), make lint, make constraints, make clean.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.bioviz-installed
PORT   ?= 8888
JOBS   ?= 2
NB     ?= 00
EXECUTED := build/executed
SITE     := build/site
export MUJOCO_GL ?= disable
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: venv gitfilter lab test test-fast test-browser site app bench lint constraints clean

venv: $(STAMP) gitfilter

# Notebook outputs never reach a commit: .gitattributes sends every notebook through the
# nbstripout filter, defined here for this clone (cell ids kept). Run the notebooks freely;
# `git checkout notebooks` resets the working copy.
gitfilter: $(STAMP)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1 \
	    && [ -z "$$(git config --local filter.nbstripout.clean)" ]; then \
	  git config --local filter.nbstripout.clean "$(abspath $(PY)) -m nbstripout --keep-id" \
	  && git config --local filter.nbstripout.smudge cat \
	  && git config --local diff.ipynb.textconv "$(abspath $(PY)) -m nbstripout --keep-id -t" \
	  && echo "git: notebook outputs are stripped on commit (nbstripout filter)"; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: the CPU build (a bare "torch" would pull a CUDA build of several GB)
	$(PY) -m pip install -q -c constraints.txt torch
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	$(PY) -c "import bioviz; bioviz.check_env()"
	touch $(STAMP)

# JupyterLab refuses to run as root unless told to (containers often run as root): allow it,
# with a warning; the server still listens on localhost only and asks for its token.
AS_ROOT := $(filter 0,$(shell id -u))
LAB_CMD := $(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser \
	--notebook-dir=notebooks $(if $(AS_ROOT),--allow-root)

lab: $(STAMP) gitfilter
ifneq ($(AS_ROOT),)
	@echo "warning: running JupyterLab as root (--allow-root); it listens on 127.0.0.1 only, with a token"
endif
	$(LAB_CMD)

# Unit tests, doctests, the generic explorer test, every tutorial with its solutions filled in,
# and every notebook as committed (nbmake, fresh kernel; tutorials with their exercise stubs)
# run on $(JOBS) workers; the browser suite runs after them, alone, since it times a live page.
# nbmake runs a copy of notebooks/ ($(EXECUTED), same layout) and leaves it executed there
# (--overwrite), so the site is built from those runs without executing anything twice.
test: $(STAMP) gitfilter lint
	rm -rf $(EXECUTED) && mkdir -p $(dir $(EXECUTED)) && cp -R notebooks $(EXECUTED)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup -m "not browser" \
		--doctest-modules bioviz tests --nbmake --nbmake-timeout=900 --overwrite $(EXECUTED)
	$(PY) -m bioviz.site --executed $(EXECUTED) --out $(SITE)
	$(PY) -m pytest -m browser tests/browser

test-fast: $(STAMP) gitfilter
	$(PY) -m pytest -n $(JOBS) -m "not browser and not slow" --doctest-modules bioviz tests

test-browser: $(STAMP)
	$(PY) -m pytest -m browser tests/browser

# The static site: a landing page and a page per notebook, figures interactive, no kernel.
# Uses the runs make test left in $(EXECUTED); executes only what is missing or out of date.
site: $(STAMP)
	$(PY) -m bioviz.site --executed $(EXECUTED) --out $(SITE)

# One notebook as an app (Voila: no code, only prose, figures and explorers) on 127.0.0.1
# with a generated token: make app NB=01, NB=reproductions/01 or NB=path/to.ipynb.
APP_NB  = $(firstword $(wildcard notebooks/$(NB)-*.ipynb notebooks/$(NB)*.ipynb $(NB)))
APP_CMD = $(VENV)/bin/voila "$(APP_NB)" --Voila.ip=127.0.0.1 --port=$(PORT) --no-browser --token \
	--Voila.port_retries=0

app: $(STAMP)
	@test -n "$(APP_NB)" || { echo "make app: no notebook matches NB=$(NB) (try NB=01 or NB=reproductions/01)"; exit 2; }
	@echo "serving $(APP_NB) as an app; open the URL with its token printed below"
	$(APP_CMD)

bench: $(STAMP)
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check bioviz tests benchmarks
	$(VENV)/bin/ruff format --check bioviz tests benchmarks

constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^bioviz' | sed 's/+cpu$$//' > constraints.new
	@echo "wrote constraints.new: review, keep the header of constraints.txt, then replace it"

clean:
	rm -rf $(VENV) .pytest_cache artifacts benchmarks/results build

# bioviz: two commands do all set-up on a fresh machine.
#   make lab    create .venv if missing, install the pinned dependencies, open JupyterLab
#   make test   the same set-up, then every test (unit, explorers, notebooks, browser)
# Other targets: make bench (benchmark report), make lint, make constraints, make clean.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.bioviz-installed
PORT   ?= 8888
JOBS   ?= 2
export MUJOCO_GL ?= disable
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: venv lab test test-fast test-browser bench lint constraints clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: the CPU build (a bare "torch" would pull a CUDA build of several GB)
	$(PY) -m pip install -q -c constraints.txt torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	$(PY) -c "import bioviz; bioviz.check_env()"
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser --notebook-dir=notebooks

# Unit tests, doctests, the generic explorer test, every tutorial with its solutions filled in,
# and every notebook as committed (nbmake, fresh kernel; tutorials with their exercise stubs)
# run on $(JOBS) workers; the browser suite runs after them, alone, since it times a live page.
test: $(STAMP)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup -m "not browser" \
		--doctest-modules bioviz tests --nbmake --nbmake-timeout=900 notebooks
	$(PY) -m pytest -m browser tests/browser

test-fast: $(STAMP)
	$(PY) -m pytest -n $(JOBS) -m "not browser and not slow" --doctest-modules bioviz tests

test-browser: $(STAMP)
	$(PY) -m pytest -m browser tests/browser

bench: $(STAMP)
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check bioviz tests benchmarks

constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable | grep -v '^bioviz' | sed 's/+cpu$$//' > constraints.new
	@echo "wrote constraints.new: review, keep the header of constraints.txt, then replace it"

clean:
	rm -rf $(VENV) .pytest_cache artifacts benchmarks/results

# imageyard — the two commands of the README are `make demo` and `make test`.
# Everything they need is installed from here (Debian packages as root, a project venv).

SHELL := /bin/bash
PYTHON_BOOT ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
UPSTREAM_VENV ?= .venv-upstream
IMAGEYARD_LAB ?= /tmp/imageyard-lab
export IMAGEYARD_LAB

.PHONY: deps venv upstream-venv lab-up lab-down seed seed-500 demo test test-unit test-lab lint bench test-design-start-all clean

deps:
	bash lab/install-deps

$(VENV)/.stamp: pyproject.toml
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,db,s3,browser,plot]'
	bash lab/link-ceph-bindings $(VENV)
	touch $@

venv: $(VENV)/.stamp

# nova and cinder from PyPI (lab/upstream-requirements.txt) with Debian's rados/rbd, for the
# lab test that compares 'imageyard paths' with the real drivers (lab/upstream_probe.py)
$(UPSTREAM_VENV)/.stamp: lab/upstream-requirements.txt lab/upstream-constraints.txt
	rm -rf $(UPSTREAM_VENV)
	$(PYTHON_BOOT) -m venv $(UPSTREAM_VENV)
	$(UPSTREAM_VENV)/bin/python -m pip install -q --upgrade pip
	$(UPSTREAM_VENV)/bin/python -m pip install -q -r lab/upstream-requirements.txt \
		-c lab/upstream-constraints.txt
	bash lab/link-ceph-bindings $(UPSTREAM_VENV)
	touch $@

upstream-venv: $(UPSTREAM_VENV)/.stamp

lab-up: deps
	bash lab/up

lab-down:
	bash lab/down

# healthy images lab/seed_orphans.py puts beside reclaim's orphans (make seed-500: 500)
HEALTHY_IMAGES ?= 100

seed: venv
	$(PY) lab/seed.py
	$(PY) lab/seed_orphans.py --healthy $(HEALTHY_IMAGES)

# reclaim's acceptance set: the orphans beside 500 healthy images (about 3 minutes; not in CI)
seed-500: venv
	$(PY) lab/seed_orphans.py cleanup
	$(PY) lab/seed_orphans.py --healthy 500

demo: deps venv lab-up seed
	bash lab/demo

lint: venv
	$(VENV)/bin/ruff check src tests bench lab tools
	$(VENV)/bin/ruff format --check src tests bench lab tools
	$(VENV)/bin/mypy

test-unit: venv
	$(VENV)/bin/pytest -m "not lab" -q

# 1 (as 'make test', which starts a fresh lab) also runs the test that applies one plan to
# the whole seeded catalog, last; it leaves the lab marked consumed (tests/lab/conftest.py)
CONSUME_SEED ?= 0

test-lab: venv upstream-venv
	IMAGEYARD_REQUIRE_LAB=1 IMAGEYARD_LAB_CONSUME_SEED=$(CONSUME_SEED) $(VENV)/bin/pytest -m lab -q

test: CONSUME_SEED = 1
test: deps venv upstream-venv lint lab-up seed test-unit test-lab

# every glance-api of every design (examples, fixtures, corpus, regression sites) started in a
# throw-away Glance of the lab; test-lab starts one design per layout kind
test-design-start-all: venv
	IMAGEYARD_DESIGN_START=all IMAGEYARD_REQUIRE_LAB=1 $(VENV)/bin/pytest -q \
		tests/lab/test_lab_design_start.py

bench: venv
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) $(UPSTREAM_VENV) build dist .pytest_cache .mypy_cache .ruff_cache tests/actual

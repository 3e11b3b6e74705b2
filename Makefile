# The two commands of the README: `make quick` (set-up + laptop campaign) and `make test`.
# For development: `make test-fast` (unit tier, < 1 min) and `make lint`; CI runs .ci/run.
SHELL := /bin/bash
CORES ?= 2
SNAKE_ARGS ?=
PYTEST_ARGS ?=
# The fast tier: tests without any of the markers of pyproject.toml (run with --strict-markers).
FAST_TIER := not gpaw and not lammps and not workflow and not slurm and not slow
.PHONY: setup quick reference plan test test-fast lint dry
setup:
	bash scripts/setup.sh
quick: setup
	source scripts/env.sh && snakemake --cores $(CORES) --configfile config/quick.yaml $(SNAKE_ARGS)
reference: setup
	source scripts/env.sh && snakemake --cores $(CORES) $(SNAKE_ARGS)
# The cost plan of a campaign before any job: CONFIG= overlays (e.g. CONFIG=config/quick.yaml), results/plan/
plan: setup
	source scripts/env.sh && python -m anodeflow.plan $(if $(CONFIG),--configfile $(CONFIG)) $(PLAN_ARGS)
test: setup
	source scripts/env.sh && python -m pytest -q -ra tests
test-fast: setup
	source scripts/env.sh && python -m pytest -q -ra -m "$(FAST_TIER)" tests $(PYTEST_ARGS)
# Python (ruff: rules and format in pyproject.toml [tool.ruff]) and the workflow (snakemake --lint).
lint: setup
	source scripts/env.sh && ruff check . && ruff format --check . && snakemake --lint $(SNAKE_ARGS)
dry: setup
	source scripts/env.sh && snakemake -n --cores $(CORES) $(SNAKE_ARGS)

# The two commands of the README: `make quick` (set-up + laptop campaign) and `make test`.
SHELL := /bin/bash
CORES ?= 2
SNAKE_ARGS ?=
.PHONY: setup quick reference test dry
setup:
	bash scripts/setup.sh
quick: setup
	source scripts/env.sh && snakemake --cores $(CORES) --configfile config/quick.yaml $(SNAKE_ARGS)
reference: setup
	source scripts/env.sh && snakemake --cores $(CORES) $(SNAKE_ARGS)
test: setup
	source scripts/env.sh && python -m pytest -q -ra tests
dry: setup
	source scripts/env.sh && snakemake -n --cores $(CORES) $(SNAKE_ARGS)

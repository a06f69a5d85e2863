# tern: top-level Makefile. `make help` lists every target.
# Each concern keeps its rules in mk/<concern>.mk; this file only wires them.

.DEFAULT_GOAL := help
SHELL := /bin/bash
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

include mk/common.mk
include $(sort $(filter-out mk/common.mk,$(wildcard mk/*.mk)))

.PHONY: help test demo regress clean check-generated

check-generated: $(GENERATED_CHECKS) ## fail if any committed generated file is stale
	@echo "generated files: up to date ($(words $(GENERATED_CHECKS)) checks)"

help: ## list every target with a one-line description
	@grep -hE '^[a-zA-Z0-9_.%-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
	  awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

test: $(TEST_TARGETS) ## every fast test (what CI runs): installs deps first
	@echo "make test: all suites passed"

regress: $(REGRESS_TARGETS) ## long regressions (random RTL jobs etc.)
	@echo "make regress: all regressions passed"

clean: ## remove build outputs (keeps .venv)
	rm -rf $(BUILD)

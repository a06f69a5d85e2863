# Shared toolchain settings and dependency installation.

BUILD ?= build
CC ?= cc
CXX ?= c++
# -ffp-contract=off: no FMA contraction, so fp32 results follow the contract.
CSTD := -std=c11
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT ?= -O2
CFLAGS_TERN := $(CSTD) $(OPT) -g $(WARN) -ffp-contract=off -fno-fast-math
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
NPROC := $(shell nproc 2>/dev/null || echo 1)
VENV := .venv
PY := $(VENV)/bin/python

# Fast test and regression targets register themselves here.
TEST_TARGETS :=
REGRESS_TARGETS :=

DEPS_APT := $(BUILD)/.deps-apt
DEPS_PY := $(BUILD)/.deps-python

.PHONY: deps deps-apt deps-python
deps: deps-apt deps-python ## install Debian packages and the Python venv (idempotent)

deps-apt: ## install the Debian packages in deps/apt-packages.txt
	@scripts/deps.sh apt

deps-python: ## create .venv from requirements.txt
	@scripts/deps.sh python

# Stamps so other rules can depend on installed tools cheaply.
$(DEPS_APT): deps/apt-packages.txt scripts/deps.sh
	@mkdir -p $(@D)
	@scripts/deps.sh apt
	@touch $@

$(DEPS_PY): requirements.txt scripts/deps.sh
	@mkdir -p $(@D)
	@scripts/deps.sh python
	@touch $@

# Generated files register a checker in GENERATED_CHECKS (registers, headers,
# docs); CI fails when a committed output is stale.
GENERATED_CHECKS :=

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

# ---- source lists ------------------------------------------------------------------
# Here rather than in the concern's mk file: mk/*.mk are read in name order
# and rule prerequisites expand at read time, so every file must see these.
ENGINE_RTL := $(sort $(wildcard rtl/engine/*.sv))
ENGINE_PKGS := $(filter %_pkg.sv,$(ENGINE_RTL))
ENGINE_RTL_ORDERED := $(ENGINE_PKGS) $(filter-out $(ENGINE_PKGS),$(ENGINE_RTL))
TB_CPP := sim/engine/tb_main.cpp
TB_C := sim/engine/tb_job.c
TB_HDR := sim/engine/tb_job.h cmodel/tern.h cmodel/tern_engine.h
TOP_RTL := rtl/regs/gen/tern_regs_pkg.sv rtl/regs/gen/tern_regs.sv \
  rtl/axi/tern_axi_pkg.sv rtl/axi/tern_axi_fifo.sv rtl/axi/tern_axi_fifo_ram.sv \
  rtl/axi/tern_axi_split.sv rtl/axi/tern_axi_rd.sv rtl/axi/tern_axi_wr.sv \
  $(sort $(wildcard rtl/engine/*.sv)) \
  rtl/top/tern_top_muldiv.sv rtl/top/tern_top_gearbox.sv rtl/top/tern_top_reswr.sv \
  rtl/top/tern_top.sv
TOP_TB := sim/top/tb_top.cpp sim/axi/axi_mem.cpp
TOP_TB_HDR := sim/axi/axi_mem.h cmodel/tern_sys.h cmodel/tern_cmd.h cmodel/tern_engine.h \
  cmodel/tern_regs.h

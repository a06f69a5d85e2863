# sim/engine: Verilator co-simulation of rtl/engine/tern_engine against the C
# golden model (docs/verification.md).
#   make sim [SEED=n] [JOBS=n] [TEST=name] [JOB=i] [CONFIG=name]
#   make wave TEST=name SEED=n JOB=i      FST of one job, GTKWave if DISPLAY
#   make coverage | sim-netlist | bench-sim CONFIG=name | regress-sim

SIM_BUILD := $(BUILD)/sim
VERILATOR ?= verilator
VERILATOR_COVERAGE ?= verilator_coverage
YOSYS ?= yosys
GTKWAVE ?= gtkwave

# ---- engine configuration: one file feeds the RTL (-G) and the C side (-D) --
CONFIG ?= small
SIM_TEST_CONFIG ?= small
SIM_BENCH_CONFIG ?= bench_i2b1
ENGINE_CFG_DIR := config/engine
# Value of parameter $(2) in config file $(1): "Name = value" lines, # comments.
sim_cfg_get = $(strip $(shell sed -n 's/^[[:space:]]*$(2)[[:space:]]*[=:][[:space:]]*\([0-9][0-9]*\).*/\1/p' $(1) 2>/dev/null | head -n1))
SIM_PARAMS := Lanes WordBytes Batch MaxK AccWidth ActBeatBytes WBeatBytes TileRows Pipe
# Fallback values when a parameter is absent: the RTL defaults' relations.
sim_default_AccWidth = 32
sim_default_Pipe = 0
sim_default_ActBeatBytes = $(call sim_param,$(1),WordBytes)
sim_default_WBeatBytes = $(shell echo $$(( $(call sim_param,$(1),Lanes) * $(call sim_param,$(1),WordBytes) )))
sim_default_TileRows = $(call sim_param,$(1),Lanes)
sim_cfg_file = $(firstword $(wildcard $(ENGINE_CFG_DIR)/$(1).cfg))
sim_param = $(or $(call sim_cfg_get,$(call sim_cfg_file,$(1)),$(2)),$(sim_default_$(2)))
# -G flags for Verilator and -D flags for the harness, per config name.
sim_gflags = $(foreach n,$(SIM_PARAMS),-G$(n)=$(call sim_param,$(1),$(n)))
sim_batchw = $(shell b=$(call sim_param,$(1),Batch); w=0; while [ $$(( 1 << w )) -lt $$(( b + 1 )) ]; do w=$$((w+1)); done; echo $$w)
sim_dflags = -DTB_LANES=$(call sim_param,$(1),Lanes) -DTB_WORD_BYTES=$(call sim_param,$(1),WordBytes) \
  -DTB_BATCH=$(call sim_param,$(1),Batch) -DTB_MAX_K=$(call sim_param,$(1),MaxK) \
  -DTB_ACC_WIDTH=$(call sim_param,$(1),AccWidth) -DTB_ACT_BEAT_BYTES=$(call sim_param,$(1),ActBeatBytes) \
  -DTB_W_BEAT_BYTES=$(call sim_param,$(1),WBeatBytes) -DTB_TILE_ROWS=$(call sim_param,$(1),TileRows) \
  -DTB_BATCH_W=$(call sim_batchw,$(1))

# ---- sources -------------------------------------------------------------------
# ENGINE_RTL, ENGINE_RTL_ORDERED, TB_CPP, TB_C, TB_HDR: mk/common.mk

# Verilator: fast X handling, random initial state (seeded) so a missing reset
# shows up; C++ at -O1 keeps the build short on 2 cores.
SIM_VFLAGS := --cc --exe --build -j $(NPROC) --top-module tern_engine --prefix Vtern_engine \
  -Wno-fatal -Wno-lint -Wno-style --x-assign fast --x-initial unique -O3 \
  -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O1 OPT_GLOBAL=-O1"
SIM_CXXFLAGS := -std=c++17 -I$(abspath cmodel) -I$(abspath sim/engine)

# $(1)=build dir, $(2)=config, $(3)=extra verilator flags, $(4)=RTL files,
# $(5)=nonempty for a netlist (parameters already baked in: no -G)
define sim_build
	@mkdir -p $(1)
	$(CC) $(CFLAGS_TERN) -O1 -Icmodel -Isim/engine -c $(TB_C) -o $(1)/tb_job.o
	@rm -f $(1)/tb_engine # Verilator's make does not track the .o/.a we link
	+$(VERILATOR) $(SIM_VFLAGS) $(3) --Mdir $(1)/obj -o $(abspath $(1))/tb_engine \
	  $(if $(5),,$(call sim_gflags,$(2))) -CFLAGS "$(SIM_CXXFLAGS) $(call sim_dflags,$(2))" \
	  $(4) $(abspath $(TB_CPP)) $(abspath $(1))/tb_job.o $(abspath $(LIBTERN)) > $(1)/build.log 2>&1 || \
	  { tail -n 40 $(1)/build.log; exit 1; }
endef
SIM_CONFIGS := $(sort $(basename $(notdir $(wildcard $(ENGINE_CFG_DIR)/*.cfg))))
SIM_DEPS := $(ENGINE_RTL) $(TB_CPP) $(TB_C) $(TB_HDR) $(LIBTERN) mk/sim.mk

# One set of build rules per config file ($(1) = config name).
define sim_rules
$(SIM_BUILD)/rtl-$(1)/tb_engine: $(SIM_DEPS) $(call sim_cfg_file,$(1)) | $(DEPS_APT)
	$$(call sim_build,$(SIM_BUILD)/rtl-$(1),$(1),,$(ENGINE_RTL_ORDERED))
$(SIM_BUILD)/wave-$(1)/tb_engine: $(SIM_DEPS) $(call sim_cfg_file,$(1)) | $(DEPS_APT)
	$$(call sim_build,$(SIM_BUILD)/wave-$(1),$(1),--trace-fst --trace-structs,$(ENGINE_RTL_ORDERED))
$(SIM_BUILD)/cov-$(1)/tb_engine: $(SIM_DEPS) $(call sim_cfg_file,$(1)) | $(DEPS_APT)
	$$(call sim_build,$(SIM_BUILD)/cov-$(1),$(1),--coverage-line --coverage-toggle,$(ENGINE_RTL_ORDERED))
$(SIM_BUILD)/netlist-$(1)/tern_engine_syn.v: $(ENGINE_RTL) mk/sim.mk $(call sim_cfg_file,$(1)) | $(DEPS_APT)
	@mkdir -p $$(@D)
	$(YOSYS) -q -l $$(@D)/yosys.log -p "read_verilog -sv $(ENGINE_RTL_ORDERED); \
	  chparam $$(foreach n,$$(SIM_PARAMS),-set $$(n) $$(call sim_param,$(1),$$(n))) tern_engine; \
	  synth -flatten -top tern_engine; write_verilog -noattr $$@"
$(SIM_BUILD)/netlist-$(1)/tb_engine: $(SIM_BUILD)/netlist-$(1)/tern_engine_syn.v $(TB_CPP) $(TB_C) $(TB_HDR) $(LIBTERN)
	$$(call sim_build,$(SIM_BUILD)/netlist-$(1),$(1),-Wno-UNOPTFLAT -Wno-MULTIDRIVEN,$$(abspath $$<) $(SIM_NETLIST_LIBS),netlist)
endef

# ---- post-synthesis netlist ------------------------------------------------------
# Our own Yosys step (flattened generic gates + Yosys' simulation models, in
# the rules above); the RTL owner's build/synth/netlist/ flow is the FPGA one.
YOSYS_DATDIR := $(shell d=$$(yosys-config --datdir 2>/dev/null) && echo $$d || echo /usr/share/yosys)
# Yosys writes generic gates as expressions; its cell models are only a library
# (-v) for any cell it leaves instantiated.
SIM_NETLIST_LIBS := -v $(YOSYS_DATDIR)/simcells.v
$(foreach c,$(SIM_CONFIGS),$(eval $(call sim_rules,$(c))))

# ---- run targets ------------------------------------------------------------------
# SEED (default 1, shared with the other co-simulations) is printed by every
# run; for fresh stimulus use SEED=$$(date +%s). make test uses TEST_SEED.
SEED ?= 1
TEST ?= all
JOBS ?= 200
TEST_SEED ?= 1
SIM_JOB_ARG = $(if $(JOB),--job $(JOB))
# +verilator+rand+reset+2: random initial register values, from the same seed
SIM_RUN_ARGS = --seed $(1) +verilator+rand+reset+2 +verilator+seed+$(shell echo $$(( ($(1) % 2147483646) + 1 )))

.PHONY: sim test-sim regress-sim wave coverage sim-netlist test-sim-netlist bench-sim
sim: $(SIM_BUILD)/rtl-$(CONFIG)/tb_engine ## co-simulate engine vs golden model (SEED= JOBS= TEST= JOB= CONFIG=)
	$< $(call SIM_RUN_ARGS,$(SEED)) --test $(TEST) --jobs $(JOBS) $(SIM_JOB_ARG) --progress 1000

# make test: every directed test + 200 random jobs on the default config, and
# the same with 100 random jobs on the odd-sized (b4) and one-lane (tiny) ones.
SIM_TEST_EXTRA_CONFIGS ?= b4 tiny
test-sim: $(SIM_BUILD)/rtl-$(SIM_TEST_CONFIG)/tb_engine $(foreach c,$(SIM_TEST_EXTRA_CONFIGS),$(SIM_BUILD)/rtl-$(c)/tb_engine) ## engine co-simulation: directed + random jobs on small configs
	$< $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 200
	$(foreach c,$(SIM_TEST_EXTRA_CONFIGS),$(SIM_BUILD)/rtl-$(c)/tb_engine $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 100 &&) true

# make regress: directed + 10000 random jobs on the default config, 5000 on
# the others, 2^24-1 rows on tiny, 300 on each bench config, the netlist.
REGRESS_JOBS ?= 10000
SIM_REGRESS_BENCH_CONFIGS ?= bench_b3b4 bench_i2b1
regress-sim: $(foreach c,$(SIM_TEST_CONFIG) $(SIM_TEST_EXTRA_CONFIGS) $(SIM_REGRESS_BENCH_CONFIGS),$(SIM_BUILD)/rtl-$(c)/tb_engine) $(SIM_BUILD)/netlist-$(SIM_TEST_CONFIG)/tb_engine ## engine co-simulation: directed + >=10000 random jobs per config (SEED=)
	$(SIM_BUILD)/rtl-$(SIM_TEST_CONFIG)/tb_engine $(call SIM_RUN_ARGS,$(SEED)) --test all --jobs $(REGRESS_JOBS) --progress 1000
	$(foreach c,$(SIM_TEST_EXTRA_CONFIGS),$(SIM_BUILD)/rtl-$(c)/tb_engine $(call SIM_RUN_ARGS,$(SEED)) --test all --jobs $$(( $(REGRESS_JOBS) / 2 )) --progress 1000 &&) true
	$(SIM_BUILD)/rtl-tiny/tb_engine $(call SIM_RUN_ARGS,$(SEED)) --test rows_max
	$(foreach c,$(SIM_REGRESS_BENCH_CONFIGS),$(SIM_BUILD)/rtl-$(c)/tb_engine $(call SIM_RUN_ARGS,$(SEED)) --test random --jobs 300 --progress 100 &&) true
	$(SIM_BUILD)/netlist-$(SIM_TEST_CONFIG)/tb_engine $(call SIM_RUN_ARGS,$(SEED)) --test all --jobs 500 --progress 100

WAVE_FST = $(SIM_BUILD)/wave/$(TEST)-$(SEED)$(if $(JOB),-job$(JOB)).fst
wave: $(SIM_BUILD)/wave-$(CONFIG)/tb_engine ## FST of one job (TEST= SEED= JOB=) into build/sim/wave/, GTKWave if DISPLAY is set
	@mkdir -p $(SIM_BUILD)/wave
	-$< $(call SIM_RUN_ARGS,$(SEED)) --test $(TEST) --jobs $(JOBS) $(SIM_JOB_ARG) --fst $(WAVE_FST)
	@if [ -n "$$DISPLAY" ]; then $(GTKWAVE) $(WAVE_FST) sim/engine/tern_engine.gtkw & \
	 else echo "no DISPLAY: open it with  $(GTKWAVE) $(WAVE_FST) sim/engine/tern_engine.gtkw"; fi

COV_JOBS ?= 2000
COV_DIR := $(SIM_BUILD)/coverage
coverage: $(SIM_BUILD)/cov-$(SIM_TEST_CONFIG)/tb_engine ## line + toggle coverage over random jobs -> build/sim/coverage/
	@rm -rf $(COV_DIR) && mkdir -p $(COV_DIR)
	$< $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs $(COV_JOBS) --cov $(COV_DIR)/coverage.dat
	$(VERILATOR_COVERAGE) --annotate $(COV_DIR)/annotated --annotate-min 1 $(COV_DIR)/coverage.dat \
	  | tee $(COV_DIR)/verilator_coverage.txt
	@sim/engine/cov_summary.sh $(COV_DIR)/coverage.dat | tee $(COV_DIR)/summary.txt
	@echo "annotated sources: $(COV_DIR)/annotated/ (lines marked %000000 never ran)"

# Post-synthesis: the one-lane config keeps Yosys and the C++ build short.
SIM_NETLIST_CONFIG ?= tiny
sim-netlist: $(SIM_BUILD)/netlist-$(SIM_NETLIST_CONFIG)/tb_engine ## co-simulation on the Yosys netlist (directed + 50 random jobs)
	$< $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 50
test-sim-netlist: sim-netlist ## make test part: the netlist co-simulation (same as sim-netlist)

bench-sim: $(SIM_BUILD)/rtl-$(if $(filter command line,$(origin CONFIG)),$(CONFIG),$(SIM_BENCH_CONFIG))/tb_engine ## Verilator speed and engine cycles/job vs ideal (CONFIG=, default bench_i2b1)
	$< --seed 1 --bench 4

TEST_TARGETS += test-sim test-sim-netlist
REGRESS_TARGETS += regress-sim

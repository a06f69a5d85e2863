# Performance and energy model (docs/performance.md "Accelerator model",
# "Energy"): library build/rel/libternperf.a from cmodel/perf/, the tools in
# tools/perf/, the calibration against the Verilated top (tests/perf/).
#   make perf MODEL=2b4t HW=kv260      tokens/s, cycles and bytes per command
#   make energy MODEL=2b4t HW=asic7    pJ per token with the breakdown
#   make plots [MODEL= HW=]            roofline, tokens/s vs bandwidth, energy (PNG)
#   make sweep [MODEL= HW=]            design-space CSV + plot
#   make test-perf / regress-perf      model tests; calibration vs RTL cycles

PERF_BUILD := $(BUILD)/perf
PERF_SRC := $(wildcard cmodel/perf/*.c)
PERF_HDR := $(wildcard cmodel/perf/*.h)
LIBTERNPERF := $(BUILD)/rel/libternperf.a
PERF_CFLAGS = $(CFLAGS_TERN) -Icmodel -Icmodel/perf

$(BUILD)/rel/perf/%.o: cmodel/perf/%.c $(PERF_HDR) cmodel/tern_engine.h cmodel/tern.h
	@mkdir -p $(@D)
	$(CC) $(PERF_CFLAGS) -c $< -o $@
$(LIBTERNPERF): $(patsubst cmodel/perf/%.c,$(BUILD)/rel/perf/%.o,$(PERF_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(PERF_BUILD)/tern_perf: tools/perf/tern_perf.c $(LIBTERNPERF) $(LIBTERN) $(PERF_HDR)
	@mkdir -p $(@D)
	$(CC) $(PERF_CFLAGS) $< $(LIBTERNPERF) $(LIBTERN) -lm -o $@
$(PERF_BUILD)/perf_tests: $(wildcard tests/perf/*.c) tests/tt.h $(LIBTERNPERF) $(LIBTERN) $(PERF_HDR)
	@mkdir -p $(@D)
	$(CC) $(PERF_CFLAGS) -Itests -DTERN_ROOT='"$(CURDIR)"' $(filter %.c,$^) $(LIBTERNPERF) \
	  $(LIBTERN) -lm -o $@
$(PERF_BUILD)/san/perf_tests: $(wildcard tests/perf/*.c) tests/tt.h $(PERF_SRC) $(PERF_HDR) \
    $(LIBTERN_SAN)
	@mkdir -p $(@D)
	$(CC) $(PERF_CFLAGS) $(SAN_FLAGS) -Itests -DTERN_ROOT='"$(CURDIR)"' \
	  $(filter %.c,$^) $(LIBTERN_SAN) -lm -o $@

# ---- calibration harness: tern_top with tests/perf/tb_perf_top.cpp --------------
# Variant <engine config>-b<bus bytes>[-o<outstanding reads>] (read buffer
# = 16 x outstanding beats when -o is given, as the bench builds of mk/top.mk).
PERF_TB_FAST := small-b16
PERF_TB_REGRESS := small-b16 b4-b8 tiny-b8 bench_i2b1-b16-o16 bench_b3b4-b32-o16
pv_cfg = $(word 1,$(subst -, ,$(1)))
pv_bus = $(patsubst b%,%,$(word 2,$(subst -, ,$(1))))
pv_out = $(patsubst o%,%,$(word 3,$(subst -, ,$(1))))
pv_p = $(or $(shell sed -n 's/^$(2)=\([0-9]*\).*/\1/p' config/engine/$(call pv_cfg,$(1)).cfg),$(3))
# Pipe (engine pipeline registers) only when the config sets it.
pv_g = -GLanes=$(call pv_p,$(1),Lanes) -GWordBytes=$(call pv_p,$(1),WordBytes) \
  -GBatch=$(call pv_p,$(1),Batch) -GMaxK=$(call pv_p,$(1),MaxK) \
  -GTileRows=$(call pv_p,$(1),TileRows,$(call pv_p,$(1),Lanes)) -GBusBytes=$(call pv_bus,$(1)) \
  $(if $(call pv_p,$(1),Pipe),-GPipe=$(call pv_p,$(1),Pipe)) \
  $(if $(call pv_out,$(1)),-GRdOutstanding=$(call pv_out,$(1)) -GRdBurstBeats=16 \
    -GRdFifoBeats=$(shell echo $$((16*$(or $(call pv_out,$(1)),0)))))
pv_d = -DTB_LANES=$(call pv_p,$(1),Lanes) -DTB_WORD_BYTES=$(call pv_p,$(1),WordBytes) \
  -DTB_BATCH=$(call pv_p,$(1),Batch) -DTB_MAX_K=$(call pv_p,$(1),MaxK) \
  -DTB_TILE_ROWS=$(call pv_p,$(1),TileRows,$(call pv_p,$(1),Lanes)) \
  -DTB_PIPE=$(call pv_p,$(1),Pipe,0) -DTB_BUS_BYTES=$(call pv_bus,$(1)) \
  $(if $(call pv_out,$(1)),-DTB_RD_OUTSTANDING=$(call pv_out,$(1)))
PERF_RTL_DEPS = $(wildcard rtl/engine/*.sv rtl/top/*.sv rtl/axi/*.sv rtl/regs/gen/*.sv)

define perf_tb_rule
$(PERF_BUILD)/tb/$(1)/tb_perf: tests/perf/tb_perf_top.cpp sim/axi/axi_mem.cpp sim/axi/axi_mem.h \
    $(PERF_RTL_DEPS) $(LIBTERN) mk/perf.mk config/engine/$(call pv_cfg,$(1)).cfg | $(DEPS_APT)
	@mkdir -p $$(@D)
	nice -n 10 verilator $$(TOP_VFLAGS) --Mdir $$(@D)/obj -o $$(abspath $$@) $(call pv_g,$(1)) \
	  -CFLAGS "-std=c++17 -I$(abspath cmodel) -I$(abspath sim/axi) $(call pv_d,$(1))" \
	  $$(TOP_RTL) $(abspath tests/perf/tb_perf_top.cpp sim/axi/axi_mem.cpp $(LIBTERN)) \
	  > $$(@D)/build.log 2>&1 || { tail -n 30 $$(@D)/build.log; exit 1; }
endef
$(foreach v,$(sort $(PERF_TB_FAST) $(PERF_TB_REGRESS)),$(eval $(call perf_tb_rule,$(v))))

# ---- user-facing targets -----------------------------------------------------
MODEL ?= 2b4t
HW ?= kv260
PERF_ARGS ?=
.PHONY: perf energy plots sweep test-perf regress-perf calib-perf
perf: $(PERF_BUILD)/tern_perf ## tokens/s, bound and per-command cycles/bytes (MODEL= HW= PERF_ARGS=)
	$(PERF_BUILD)/tern_perf perf -m config/models/$(MODEL).cfg -w config/hw/$(HW).cfg $(PERF_ARGS)

energy: $(PERF_BUILD)/tern_perf ## energy per token with breakdown (MODEL= HW= PERF_ARGS=)
	$(PERF_BUILD)/tern_perf energy -m config/models/$(MODEL).cfg -w config/hw/$(HW).cfg $(PERF_ARGS)

PLOT_DIR := $(BUILD)/plots
plots: $(PERF_BUILD)/tern_perf $(DEPS_PY) ## PNGs in build/plots/: roofline, tokens/s vs bandwidth, energy breakdown
	@mkdir -p $(PLOT_DIR)
	$(PERF_BUILD)/tern_perf roofline -m config/models/$(MODEL).cfg -w config/hw/$(HW).cfg \
	  -o $(PLOT_DIR)/roofline.csv
	$(PERF_BUILD)/tern_perf bwsweep -m config/models/$(MODEL).cfg -w config/hw/$(HW).cfg \
	  -o $(PLOT_DIR)/bandwidth.csv
	$(PERF_BUILD)/tern_perf energy -m config/models/$(MODEL).cfg -w config/hw/$(HW).cfg \
	  -o $(PLOT_DIR)/energy.csv > /dev/null
	$(PY) scripts/plots/perf_plots.py $(PLOT_DIR)

sweep: $(PERF_BUILD)/tern_perf $(DEPS_PY) ## design-space sweep: CSV + tokens/s and pJ/token vs LUTs (MODEL= HW=)
	@mkdir -p $(PLOT_DIR)
	$(PERF_BUILD)/tern_perf sweep -m config/models/$(MODEL).cfg -w config/hw/$(HW).cfg \
	  -o $(PLOT_DIR)/sweep.csv
	$(PY) scripts/plots/sweep_plot.py $(PLOT_DIR)/sweep.csv $(PLOT_DIR)/sweep.png

PERF_TEST_DEPS = $(PERF_BUILD)/perf_tests $(PERF_BUILD)/san/perf_tests $(PERF_BUILD)/tern_perf \
  $(foreach v,$(PERF_TB_FAST),$(PERF_BUILD)/tb/$(v)/tb_perf)
PERF_REGRESS_DEPS = $(PERF_BUILD)/perf_tests $(foreach v,$(PERF_TB_REGRESS),$(PERF_BUILD)/tb/$(v)/tb_perf)
test-perf: $(PERF_TEST_DEPS) ## perf/energy model tests + fast calibration vs RTL cycles
	$(PERF_BUILD)/perf_tests
	ASAN_OPTIONS=detect_leaks=1 $(PERF_BUILD)/san/perf_tests
	CALIB_VARIANTS="$(PERF_TB_FAST)" $(PERF_BUILD)/perf_tests --calib $(PERF_BUILD)/tb fast

regress-perf: $(PERF_REGRESS_DEPS) ## full calibration list (240 commands, 5 builds): model vs RTL cycles
	CALIB_VARIANTS="$(PERF_TB_REGRESS)" nice -n 10 $(PERF_BUILD)/perf_tests --calib \
	  $(PERF_BUILD)/tb full

TEST_TARGETS += test-perf
REGRESS_TARGETS += regress-perf

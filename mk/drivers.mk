# drivers/ + firmware/sched/: the device API with its backends and the
# portable scheduling core, as build/{rel,san}/libterndrv.a; their tests
# (plain and under ASan+UBSan), a C++ header check, and the freestanding
# RISC-V build of the scheduling core (docs/driver.md).

DRV_SRC := drivers/tern_dev.c drivers/backend_cmodel.c drivers/backend_uio.c
# (drivers/backend_rtl.c, when it exists, stays out of DRV_SRC: it is linked
# only into binaries that want the Verilated top; see tern_dev_backend.h.)
# The portable core; tern_fw.c is the hosted layer on top of tern_dev.
SCHED_CORE_SRC := firmware/sched/tern_sched.c firmware/sched/tern_plan.c
SCHED_SRC := $(SCHED_CORE_SRC) firmware/sched/tern_fw.c
DRV_HDR := $(wildcard drivers/*.h) firmware/tern_fw.h firmware/sched/tern_sched.h $(CMODEL_HDR)
DRV_INC := -Idrivers -Ifirmware -Ifirmware/sched -Icmodel
DRV_DEFS := -DTERN_ENGINE_CFG_DIR='"$(CURDIR)/config/engine"'

define drv_lib # $(1)=variant dir, $(2)=extra flags
$(BUILD)/$(1)/drv/%.o: %.c $(DRV_HDR)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_TERN) $(2) $(DRV_INC) $(DRV_DEFS) -c $$< -o $$@
$(BUILD)/$(1)/libterndrv.a: $(patsubst %.c,$(BUILD)/$(1)/drv/%.o,$(DRV_SRC) $(SCHED_SRC))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(eval $(call drv_lib,rel,))
$(eval $(call drv_lib,san,$(SAN_FLAGS)))

LIBTERNDRV := $(BUILD)/rel/libterndrv.a
LIBTERNDRV_SAN := $(BUILD)/san/libterndrv.a

DRV_TEST_SRC := $(filter-out tests/drv/riscv_main.c,$(wildcard tests/drv/*.c))
DRV_TEST_HDR := $(wildcard tests/drv/*.h) tests/tt.h
DRV_TEST_FLAGS := -D_GNU_SOURCE $(DRV_INC) -Itests/drv
$(BUILD)/rel/drv_tests: $(DRV_TEST_SRC) $(DRV_TEST_HDR) $(LIBTERNDRV) $(LIBTERN)
	$(CC) $(CFLAGS_TERN) $(DRV_TEST_FLAGS) $(DRV_TEST_SRC) $(LIBTERNDRV) $(LIBTERN) -lpthread -lm -o $@
$(BUILD)/san/drv_tests: $(DRV_TEST_SRC) $(DRV_TEST_HDR) $(LIBTERNDRV_SAN) $(LIBTERN_SAN)
	$(CC) $(CFLAGS_TERN) $(SAN_FLAGS) $(DRV_TEST_FLAGS) $(DRV_TEST_SRC) $(LIBTERNDRV_SAN) $(LIBTERN_SAN) -lpthread -lm -o $@

# The public headers must compile as C++ (extern "C", no C-only syntax).
$(BUILD)/drv/cxx_headers.ok: tests/drv/cxx_headers.cpp $(DRV_HDR)
	@mkdir -p $(@D)
	$(CXX) -std=c++11 -Wall -Wextra -Werror -fsyntax-only $(DRV_INC) $<
	@touch $@

# Bring-up tool: build it on the board with `make drv-probe`.
$(BUILD)/rel/tern_probe: drivers/tern_probe.c $(DRV_HDR) $(LIBTERNDRV) $(LIBTERN)
	$(CC) $(CFLAGS_TERN) $(DRV_INC) $< $(LIBTERNDRV) $(LIBTERN) -lm -o $@

.PHONY: drv-lib drv-probe test-drv test-drv-san riscv-sched
drv-probe: $(BUILD)/rel/tern_probe ## build/rel/tern_probe [BACKEND [OPTIONS]]: device info + a GEMM checked bit for bit
drv-lib: $(LIBTERNDRV) ## build the driver + scheduling-core library build/rel/libterndrv.a

test-drv: $(DEPS_APT) $(BUILD)/rel/drv_tests $(BUILD)/drv/cxx_headers.ok $(BUILD)/rel/tern_probe ## driver, scheduler and tern_fw tests (cmodel + uio mock)
	$(BUILD)/rel/drv_tests
	$(BUILD)/rel/tern_probe cmodel config=small,mem=4M

test-drv-san: $(DEPS_APT) $(BUILD)/san/drv_tests ## the same driver tests under ASan + UBSan
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/san/drv_tests

# ---- freestanding RISC-V build of the scheduling core ------------------------
RV_CC ?= riscv64-unknown-elf-gcc
RV_NM ?= riscv64-unknown-elf-nm
RV_SIZE ?= riscv64-unknown-elf-size
# optional (qemu-user): runs the smoke image when installed
RV_QEMU ?= qemu-riscv32
RV_BUILD := $(BUILD)/riscv
# picolibc only for headers (<string.h> in the cmodel layout code); nothing
# from it is linked: tern_sched_libc.c provides mem*, libgcc the 64-bit math.
RV_PICOLIBC_INC := /usr/lib/picolibc/riscv64-unknown-elf/include
RV_FLAGS := -march=rv32imac -mabi=ilp32 -ffreestanding -nostdlib -std=c11 -Os -g \
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror \
  -ffunction-sections -fdata-sections -isystem $(RV_PICOLIBC_INC) $(DRV_INC)
# Everything the core uses from cmodel/: stream layout, packing, command
# encoding, status text.
RV_SRC := $(SCHED_CORE_SRC) cmodel/tern_engine.c cmodel/tern_pack.c cmodel/tern_cmd.c \
  cmodel/tern_status.c tests/drv/riscv_main.c
RV_OBJ := $(patsubst %.c,$(RV_BUILD)/%.o,$(RV_SRC)) $(RV_BUILD)/tern_sched_libc.o

$(RV_BUILD)/%.o: %.c $(DRV_HDR) | $(DEPS_APT)
	@mkdir -p $(@D)
	$(RV_CC) $(RV_FLAGS) -c $< -o $@
$(RV_BUILD)/tern_sched_libc.o: firmware/sched/tern_sched_libc.c | $(DEPS_APT)
	@mkdir -p $(@D)
	$(RV_CC) $(RV_FLAGS) -fno-tree-loop-distribute-patterns -fno-builtin -c $< -o $@
$(RV_BUILD)/tern_sched.elf: $(RV_OBJ)
	$(RV_CC) $(RV_FLAGS) -static -Wl,--gc-sections -Wl,-e,_start $(RV_OBJ) -lgcc -o $@

riscv-sched: $(RV_BUILD)/tern_sched.elf ## scheduling core built freestanding for rv32imac (links with no libc)
	@undef=$$($(RV_NM) -u $<); if [ -n "$$undef" ]; then echo "undefined: $$undef"; exit 1; fi
	@$(RV_SIZE) $<
	@echo "riscv-sched: $< links freestanding (rv32imac/ilp32, no libc)"
	@if command -v $(RV_QEMU) >/dev/null; then \
	  st=0; timeout 20 $(RV_QEMU) $< || st=$$?; \
	  if [ $$st -ne 7 ]; then echo "riscv-sched: smoke run under $(RV_QEMU) exited $$st, want 7"; exit 1; fi; \
	  echo "riscv-sched: smoke run under $(RV_QEMU): plan + commands + repack ok"; \
	else echo "riscv-sched: $(RV_QEMU) not installed, smoke run skipped"; fi

TEST_TARGETS += test-drv test-drv-san riscv-sched

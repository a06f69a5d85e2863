# cmodel/: the golden-model library, its unit tests (plain and sanitized),
# and the demo.

CMODEL_SRC := $(wildcard cmodel/*.c)
CMODEL_HDR := $(wildcard cmodel/*.h)
# Per-file ISA flags: SIMD kernels are built for their ISA and only called
# after a run-time CPU check.
ISA_FLAGS_avx2 := -mavx2 -mfma -mbmi2
ISA_FLAGS_avx512 := -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mavx512vbmi -mbmi2
# x86 only: on other hosts these files compile to nothing without flags.
ifneq ($(filter x86_64 i686 amd64,$(shell uname -m)),)
isa_flags = $(foreach i,avx2 avx512,$(if $(findstring _$(i).c,$(1)),$(ISA_FLAGS_$(i))))
else
isa_flags =
endif

define cmodel_lib # $(1)=variant dir, $(2)=extra flags
$(BUILD)/$(1)/cmodel/%.o: cmodel/%.c $(CMODEL_HDR)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS_TERN) $(2) $$(call isa_flags,$$<) -c $$< -o $$@
$(BUILD)/$(1)/libtern.a: $(patsubst cmodel/%.c,$(BUILD)/$(1)/cmodel/%.o,$(CMODEL_SRC))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(eval $(call cmodel_lib,rel,))
$(eval $(call cmodel_lib,san,$(SAN_FLAGS)))

LIBTERN := $(BUILD)/rel/libtern.a
LIBTERN_SAN := $(BUILD)/san/libtern.a

UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_HDR := $(wildcard tests/unit/*.h) tests/tt.h
# Fixture directory compiled in (absolute, so the runner works from any cwd);
# the TERN_FIXTURES environment variable overrides it at run time.
UNIT_DEFS := -DTERN_FIXTURES='"$(CURDIR)/tests/fixtures"'
$(BUILD)/rel/unit_tests: $(UNIT_SRC) $(UNIT_HDR) $(LIBTERN)
	$(CC) $(CFLAGS_TERN) $(UNIT_DEFS) -Icmodel $(UNIT_SRC) $(LIBTERN) -lm -lpthread -o $@
$(BUILD)/san/unit_tests: $(UNIT_SRC) $(UNIT_HDR) $(LIBTERN_SAN)
	$(CC) $(CFLAGS_TERN) $(SAN_FLAGS) $(UNIT_DEFS) -Icmodel $(UNIT_SRC) $(LIBTERN_SAN) -lm -lpthread -o $@

.PHONY: lib test-cmodel test-cmodel-san
lib: $(LIBTERN) ## build the golden-model library build/rel/libtern.a

test-cmodel: $(DEPS_APT) $(BUILD)/rel/unit_tests ## golden-model unit tests
	$(BUILD)/rel/unit_tests

test-cmodel-san: $(DEPS_APT) $(BUILD)/san/unit_tests ## the same tests under ASan + UBSan
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/san/unit_tests

TEST_TARGETS += test-cmodel test-cmodel-san

$(BUILD)/rel/tern_layer_demo: cmodel/demo/tern_layer_demo.c $(LIBTERN)
	$(CC) $(CFLAGS_TERN) -D_POSIX_C_SOURCE=199309L $< $(LIBTERN) -lm -o $@

.PHONY: demo-layer
demo-layer: $(DEPS_APT) $(BUILD)/rel/tern_layer_demo ## one 2B4T-shaped layer's projections through the golden model's fast path
	$(BUILD)/rel/tern_layer_demo

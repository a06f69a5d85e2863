# firmware/model + firmware/cli: the model runtime (loaders, tokenizer, CPU
# ops, forward pass, sampler), the `tern` executable, its tests and fuzzers.

MODEL_SRC := $(wildcard firmware/model/*.c)
MODEL_HDR := $(wildcard firmware/model/*.h)
MODEL_TEST_SRC := $(wildcard tests/model/*.c)
MODEL_TEST_HDR := $(wildcard tests/model/*.h) tests/tt.h

# Every BitLinear goes through tern_fw (firmware/tern_fw.h, built into
# libterndrv.a by mk/drivers.mk).
MODEL_FW_HDR := $(DRV_HDR)

MODEL_INC := -Icmodel -Ifirmware/model $(DRV_INC)
MODEL_CFLAGS := $(CFLAGS_TERN) -D_POSIX_C_SOURCE=200809L
MODEL_DEPS := $(MODEL_SRC) $(MODEL_HDR) $(MODEL_FW_HDR)

TERN_BIN := $(BUILD)/rel/tern
$(TERN_BIN): firmware/cli/tern_main.c $(MODEL_DEPS) $(LIBTERNDRV) $(LIBTERN)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) $(MODEL_INC) firmware/cli/tern_main.c $(MODEL_SRC) \
	  $(LIBTERNDRV) $(LIBTERN) $(RTLBE_LINK) -lstdc++ -lm -lpthread -o $@

MODEL_TEST_DEFS = -DTERN_FIXTURES='"$(CURDIR)/tests/fixtures"' -DTERN_MODEL_TMP='"$(CURDIR)/$(BUILD)/model/$(1)"'
$(BUILD)/model/rel/model_tests: $(MODEL_TEST_SRC) $(MODEL_TEST_HDR) $(MODEL_DEPS) $(LIBTERNDRV) $(LIBTERN)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) $(call MODEL_TEST_DEFS,rel) $(MODEL_INC) $(MODEL_TEST_SRC) $(MODEL_SRC) \
	  $(LIBTERNDRV) $(LIBTERN) -lm -lpthread -o $@
$(BUILD)/model/san/model_tests: $(MODEL_TEST_SRC) $(MODEL_TEST_HDR) $(MODEL_DEPS) $(LIBTERNDRV_SAN) $(LIBTERN_SAN)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) $(SAN_FLAGS) $(call MODEL_TEST_DEFS,san) $(MODEL_INC) $(MODEL_TEST_SRC) \
	  $(MODEL_SRC) $(LIBTERNDRV_SAN) $(LIBTERN_SAN) -lm -lpthread -o $@

.PHONY: tern test-model test-model-san fuzz test-model-2b4t
tern: $(TERN_BIN) ## build the tern executable (run / gen-model / info)

test-model: $(DEPS_APT) $(BUILD)/model/rel/model_tests $(TERN_BIN) ## model runtime tests (loaders, tokenizer, forward pass, tern CLI)
	$(BUILD)/model/rel/model_tests
	tests/model/cli_smoke.sh $(TERN_BIN) $(BUILD)/model/cli

test-model-san: $(DEPS_APT) $(BUILD)/model/san/model_tests ## the model runtime tests under ASan + UBSan
	ASAN_OPTIONS=detect_leaks=1 $(BUILD)/model/san/model_tests

TEST_TARGETS += test-model test-model-san

test-model-2b4t: $(TERN_BIN) ## write a 2B4T-shaped GGUF (~1.2 GB, streamed), load it, run 2 tokens
	@mkdir -p $(BUILD)/model/big
	$(TERN_BIN) gen-model --out $(BUILD)/model/big/2b4t.gguf --shape 2b4t --seed 7
	$(TERN_BIN) run --model $(BUILD)/model/big/2b4t.gguf --prompt "Hello" --max-tokens 2
	rm -f $(BUILD)/model/big/2b4t.gguf

# ---- fuzzing: one libFuzzer target per loader, ASan + UBSan -----------------------------------
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -D_POSIX_C_SOURCE=200809L -ffp-contract=off
FUZZ_TARGETS := gguf safetensors
# Everything is compiled from source with the fuzzer's instrumentation; the
# SIMD kernels get their ISA flags through the whole compile (they are only
# called after a run-time CPU check).
$(BUILD)/model/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(MODEL_DEPS) $(CMODEL_SRC) $(DRV_SRC) $(SCHED_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(MODEL_INC) $(DRV_DEFS) $< $(MODEL_SRC) $(DRV_SRC) $(SCHED_SRC) \
	  $(CMODEL_SRC) $(ISA_FLAGS_avx2) $(ISA_FLAGS_avx512) -lm -lpthread -o $@

fuzz: $(DEPS_APT) $(addprefix $(BUILD)/model/fuzz/fuzz_,$(FUZZ_TARGETS)) ## run each loader fuzzer FUZZ_SECONDS (default 60) with ASan+UBSan
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(BUILD)/model/fuzz/corpus_$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  $(BUILD)/model/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	    -print_final_stats=1 $(BUILD)/model/fuzz/corpus_$$t tests/fuzz/corpus/$$t || exit 1; \
	done; echo "fuzz: no crashes"

# Golden-model CPU benchmark (docs/performance.md, "Golden model (CPU)").
#   make bench-cmodel [BENCH_ARGS=-q]
# The library is the generic build/rel/libtern.a (run-time ISA dispatch);
# only the bench driver itself is compiled here.

BENCH_BUILD := $(BUILD)/bench
BENCH_ARGS ?=

$(BENCH_BUILD)/bench_cmodel: tests/bench/bench_cmodel.c cmodel/tern.h $(LIBTERN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TERN) -Icmodel $< $(LIBTERN) -lm -lpthread -o $@

.PHONY: bench-cmodel
bench-cmodel: $(BENCH_BUILD)/bench_cmodel $(DEPS_PY) ## golden-model GEMV/GEMM throughput: reference vs fast path, 1 and all threads (+ PNG)
	$(BENCH_BUILD)/bench_cmodel $(BENCH_ARGS) -o $(BENCH_BUILD)/bench_cmodel.csv
	$(PY) tests/bench/plot_bench_cmodel.py $(BENCH_BUILD)/bench_cmodel.csv $(BENCH_BUILD)/bench_cmodel.png

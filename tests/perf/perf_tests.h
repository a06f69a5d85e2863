/* tests/perf: the performance/energy model's test runner. */
#ifndef PERF_TESTS_H
#define PERF_TESTS_H
#include "tern_perf.h"
#include "tt.h"
int perf_calib(const char *tbdir, const char *list);
#endif

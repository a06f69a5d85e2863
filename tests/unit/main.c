/* cmodel unit-test runner: tests/unit/main [-v] [-f FILTER] [-s SEED] */
#include "suites.h"

int main(int argc, char **argv) {
  tt_ctx c = {0};
  if (tt_args(&c, argc, argv)) return 2;
#define RUN_SUITE(name) suite_##name(&c);
  TERN_SUITES(RUN_SUITE)
  printf("cmodel: %d passed, %d failed\n", c.passed, c.failed);
  return c.failed ? 1 : 0;
}

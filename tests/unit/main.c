/* cmodel unit-test runner: tests/unit/main [-v] [-f FILTER] [-s SEED] */
#include "suites.h"

int main(int argc, char **argv) {
  tt_ctx c = {0};
  c.seed = 0x7465726eull; /* "tern" */
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) c.verbose = 1;
    else if (!strcmp(argv[i], "-f") && i + 1 < argc) c.filter = argv[++i];
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) c.seed = strtoull(argv[++i], NULL, 0);
    else {
      fprintf(stderr, "usage: %s [-v] [-f FILTER] [-s SEED]\n", argv[0]);
      return 2;
    }
  }
#define RUN_SUITE(name) suite_##name(&c);
  TERN_SUITES(RUN_SUITE)
  printf("cmodel: %d passed, %d failed\n", c.passed, c.failed);
  return c.failed ? 1 : 0;
}

/* tt: the tiny test harness every C test runner in tern uses.
 * A test is a function; it fails if any TT_CHECK in it fails. The runner
 * prints one line per failure and closes with "N passed, N failed". */
#ifndef TT_H
#define TT_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tt_ctx {
  int passed, failed;
  int cur_failures;
  const char *cur_name;
  const char *filter; /* run only tests whose name contains this */
  uint64_t seed;
  int verbose;
} tt_ctx;

typedef void (*tt_fn)(tt_ctx *ctx);

static inline int tt_check_(tt_ctx *c, int ok, const char *file, int line,
                            const char *expr) {
  if (!ok) {
    if (c->cur_failures < 5)
      fprintf(stderr, "  FAIL %s: %s:%d: %s\n", c->cur_name, file, line, expr);
    c->cur_failures++;
  }
  return ok;
}

#define TT_CHECK(c, cond) tt_check_((c), !!(cond), __FILE__, __LINE__, #cond)
#define TT_EQ_INT(c, a, b)                                                     \
  do {                                                                         \
    long long tt_a_ = (long long)(a), tt_b_ = (long long)(b);                  \
    if (!tt_check_((c), tt_a_ == tt_b_, __FILE__, __LINE__, #a " == " #b))    \
      if ((c)->cur_failures <= 5)                                              \
        fprintf(stderr, "       got %lld, want %lld\n", tt_a_, tt_b_);         \
  } while (0)

static inline void tt_run(tt_ctx *c, const char *name, tt_fn fn) {
  if (c->filter && !strstr(name, c->filter)) return;
  c->cur_name = name;
  c->cur_failures = 0;
  fn(c);
  if (c->cur_failures) {
    c->failed++;
    fprintf(stderr, "FAIL %s (%d checks failed)\n", name, c->cur_failures);
  } else {
    c->passed++;
    if (c->verbose) printf("ok   %s\n", name);
  }
}

/* Every runner's command line: [-v] [-f FILTER] [-s SEED]. Returns 0, or 2
 * after printing the usage. */
static inline int tt_args(tt_ctx *c, int argc, char **argv) {
  c->seed = 0x7465726eull; /* "tern" */
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) c->verbose = 1;
    else if (!strcmp(argv[i], "-f") && i + 1 < argc) c->filter = argv[++i];
    else if (!strcmp(argv[i], "-s") && i + 1 < argc) c->seed = strtoull(argv[++i], NULL, 0);
    else {
      fprintf(stderr, "usage: %s [-v] [-f FILTER] [-s SEED]\n", argv[0]);
      return 2;
    }
  }
  return 0;
}

/* splitmix64: the seeded generator for every random test. */
static inline uint64_t tt_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
static inline uint32_t tt_range(uint64_t *s, uint32_t lo, uint32_t hi) {
  return lo + (uint32_t)(tt_rand(s) % ((uint64_t)hi - lo + 1u));
}

#endif

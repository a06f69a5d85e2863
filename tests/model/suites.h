/* Suites of the model-runtime test runner (tests/model/main.c). */
#ifndef TERN_MODEL_SUITES_H
#define TERN_MODEL_SUITES_H
#include <stddef.h>
#include <stdint.h>

#include "../tt.h"
#include "tern_model.h"

void suite_json(tt_ctx *c);
void suite_gguf(tt_ctx *c);
void suite_tok(tt_ctx *c);
void suite_roundtrip(tt_ctx *c);
void suite_forward(tt_ctx *c);

#define TERN_MODEL_SUITES(X) X(json) X(gguf) X(tok) X(roundtrip) X(forward)

/* TT_EQ_INT usable as an expression: returns nonzero when equal. */
static inline int tm_eq_(tt_ctx *c, long long a, long long b, const char *file, int line,
                         const char *expr) {
  int ok = tt_check_(c, a == b, file, line, expr);
  if (!ok && c->cur_failures <= 5) fprintf(stderr, "       got %lld, want %lld\n", a, b);
  return ok;
}
#define TM_EQ(c, a, b) tm_eq_((c), (long long)(a), (long long)(b), __FILE__, __LINE__, #a " == " #b)

/* helpers (main.c) */
const char *tm_tmpdir(void); /* per-build scratch directory, created on demand */
int tm_read_file(const char *path, uint8_t **buf, size_t *len);
int tm_write_file(const char *path, const uint8_t *buf, size_t len);

#endif

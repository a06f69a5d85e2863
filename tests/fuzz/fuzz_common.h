/* Shared body of the loader fuzzers: everything a model file reaches after
 * it has been opened (tensor decoding, tokenizer, model load and one forward
 * step on a small accelerator), with allocations bounded by what the file
 * itself must contain. Any crash, sanitizer report or leak is a bug. */
#ifndef TERN_FUZZ_COMMON_H
#define TERN_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_model.h"

#define FUZZ_MAX_TRITS (1u << 22)

static void fuzz_exercise(tern_file *f) {
  const tern_model_config *c = tern_file_config(f);
  tern_err err;
  uint64_t total = 0;
  int all_ok = 1;
  for (uint32_t l = 0; l < c->layers && l < 4; l++) {
    for (int kd = 0; kd < TERN_W_NTERN; kd++) {
      uint32_t r, k;
      tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
      uint64_t n = (uint64_t)r * k;
      total += n;
      const tern_tensor *t = tern_file_weight(f, l, (tern_wkind)kd);
      if (!t || n > FUZZ_MAX_TRITS) {
        all_ok = 0;
        continue;
      }
      int8_t *tr = malloc(n);
      float ws;
      if (tr && tern_file_trits(f, l, (tern_wkind)kd, tr, n, &ws, &err)) all_ok = 0;
      free(tr);
    }
    uint32_t n = c->hidden;
    if (n <= FUZZ_MAX_TRITS) {
      float *v = malloc(n * sizeof(float));
      if (v && tern_file_floats(f, l, TERN_W_ATTN_NORM, v, n, &err)) all_ok = 0;
      free(v);
    }
  }
  if (tern_file_gguf(f)) {
    tern_tok *tok = NULL;
    if (!tern_tok_from_gguf(tern_file_gguf(f), &tok, &err)) {
      uint32_t ids[64];
      size_t n;
      static const char text[] = "Hello, world! It's 123 \xc3\xa9t\xc3\xa9\n\n ok";
      tern_tok_encode(tok, text, sizeof text - 1, ids, 64, &n);
      uint8_t out[256];
      for (uint32_t i = 0; i < tern_tok_vocab(tok) && i < 4096; i++) tern_tok_decode(tok, i, out, sizeof out, &n);
      tern_tok_free(tok);
    }
  }
  /* small enough: load it on a small cmodel accelerator and run two tokens */
  if (all_ok && c->layers <= 4 && total * c->layers <= (1u << 20) &&
      (uint64_t)c->vocab * c->hidden <= (1u << 22) && c->max_ctx >= 2) {
    tern_fw_accel *acc = NULL;
    if (!tern_fw_open(&acc, "cmodel", "mem=16M")) {
      tern_model *m = NULL;
      if (!tern_model_load(f, acc, TERN_FMT_B3, &m, &err)) {
        tern_ctx *ctx = NULL;
        if (!tern_ctx_new(m, 2, 2, &ctx, &err)) {
          float *lg = malloc((size_t)c->vocab * sizeof(float));
          uint32_t t[2] = {0, c->vocab - 1};
          if (lg) tern_forward(ctx, t, 2, lg, &err);
          free(lg);
          tern_ctx_free(ctx);
        }
        tern_model_free(m);
      }
      tern_fw_close(acc);
    }
  }
}

#endif

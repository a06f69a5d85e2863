/* GGUF reader: the ggml-made fixture, hostile headers, truncation, dtype and
 * shape errors. Malformed files are built here byte by byte. */
#include <math.h>

#include "suites.h"
#include "tern_gguf.h"

#ifndef TERN_FIXTURES
#define TERN_FIXTURES "tests/fixtures"
#endif

/* ---- a byte builder for hand-made files -------------------------------------------- */
typedef struct gb {
  uint8_t *p;
  size_t n, cap;
} gb;
static void gb_put(gb *b, const void *src, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, src, n);
  b->n += n;
}
static void gb_le(gb *b, uint64_t v, unsigned n) {
  uint8_t t[8];
  for (unsigned i = 0; i < n; i++) t[i] = (uint8_t)(v >> (8 * i));
  gb_put(b, t, n);
}
static void gb_str(gb *b, const char *s) {
  gb_le(b, strlen(s), 8);
  gb_put(b, s, strlen(s));
}
static void gb_kv_str(gb *b, const char *k, const char *v) {
  gb_str(b, k);
  gb_le(b, 8, 4);
  gb_str(b, v);
}
static void gb_kv_u32(gb *b, const char *k, uint32_t v) {
  gb_str(b, k);
  gb_le(b, 4, 4);
  gb_le(b, v, 4);
}
static void gb_kv_f32(gb *b, const char *k, float v) {
  uint32_t u;
  memcpy(&u, &v, 4);
  gb_str(b, k);
  gb_le(b, 6, 4);
  gb_le(b, u, 4);
}
static void gb_pad(gb *b, size_t a) {
  while (b->n % a) gb_le(b, 0, 1);
}

static void t_fixture(tt_ctx *c) {
  uint8_t *buf, *ref;
  size_t len, rl;
  if (!TT_CHECK(c, !tm_read_file(TERN_FIXTURES "/ggml/tiny.gguf", &buf, &len))) return;
  tern_gguf *g = NULL;
  tern_err err = {{0}};
  TT_EQ_INT(c, tern_gguf_parse(buf, len, &g, &err), 0);
  if (!g) {
    fprintf(stderr, "       %s\n", err.msg);
    free(buf);
    return;
  }
  TT_EQ_INT(c, g->version, 3);
  TT_EQ_INT(c, g->n_kv, 5);
  TT_EQ_INT(c, g->n_tensors, 3);
  TT_EQ_INT(c, g->alignment, 32);
  TT_EQ_INT(c, g->data_off, 480);
  const uint8_t *s;
  size_t sl;
  TT_EQ_INT(c, tern_gguf_get_str(g, "general.architecture", &s, &sl), 0);
  TT_CHECK(c, sl == 12 && !memcmp(s, "bitnet-b1.58", 12));
  TT_EQ_INT(c, tern_gguf_get_str(g, "general.name", &s, &sl), 0);
  TT_CHECK(c, sl == 12 && !memcmp(s, "tern-interop", 12));
  uint32_t u;
  TT_EQ_INT(c, tern_gguf_get_u32(g, "bitnet-b1.58.block_count", &u), 0);
  TT_EQ_INT(c, u, 1);
  float f;
  TT_EQ_INT(c, tern_gguf_get_f32(g, "bitnet-b1.58.attention.layer_norm_rms_epsilon", &f), 0);
  uint32_t fb;
  memcpy(&fb, &f, 4);
  TT_EQ_INT(c, fb, 0x3727C5ACu);
  const tern_gguf_kv *tk = tern_gguf_kv_find(g, "tokenizer.ggml.tokens");
  TT_CHECK(c, tk && tk->type == TERN_GGUF_ARRAY && tk->arr_type == TERN_GGUF_STRING && tk->arr_n == 3);
  for (int i = 0; i < 3 && tk; i++) {
    TT_EQ_INT(c, tern_gguf_arr_str(tk, (uint64_t)i, &s, &sl), 0);
    TT_CHECK(c, sl == 1 && s[0] == 'a' + i);
  }
  TT_CHECK(c, tern_gguf_arr_str(tk, 3, &s, &sl) != 0);
  TT_CHECK(c, tern_gguf_get_u32(g, "general.name", &u) != 0); /* wrong type */
  static const struct { const char *name, *file; uint32_t type; uint64_t off, bytes; } want[3] = {
      {"blk.0.ffn_up.weight", "tq2_0.bin", 35, 0, 2112},
      {"blk.0.ffn_down.weight", "tq1_0.bin", 34, 2112, 1728},
      {"output_norm.weight", "act.f32", 0, 3840, 4096}};
  for (int i = 0; i < 3; i++) {
    const tern_tensor *t = &g->tensors[i];
    TT_CHECK(c, !strcmp(t->name, want[i].name));
    TT_EQ_INT(c, t->file_type, want[i].type);
    TT_EQ_INT(c, g->tensor_off[i], want[i].off);
    TT_EQ_INT(c, t->bytes, want[i].bytes);
    TT_EQ_INT(c, t->ne[0], i < 2 ? 1024 : 1024);
    TT_EQ_INT(c, t->ndim, i < 2 ? 2 : 1);
    if (i < 2) TT_EQ_INT(c, t->ne[1], 8);
    char path[512];
    snprintf(path, sizeof path, TERN_FIXTURES "/ggml/%s", want[i].file);
    if (TT_CHECK(c, !tm_read_file(path, &ref, &rl))) {
      TT_CHECK(c, rl == t->bytes && !memcmp(ref, t->data, rl));
      free(ref);
    }
  }
  /* the TQ tensors decode to the fixture's trits */
  int8_t tr[8192];
  uint8_t *want_tr;
  size_t wl;
  if (TT_CHECK(c, !tm_read_file(TERN_FIXTURES "/ggml/trits.i8", &want_tr, &wl))) {
    TT_EQ_INT(c, tern_import_tq2_0(g->tensors[0].data, g->tensors[0].bytes, 8, 1024, tr, sizeof tr, NULL, 0), 0);
    TT_CHECK(c, !memcmp(tr, want_tr, 8192));
    TT_EQ_INT(c, tern_import_tq1_0(g->tensors[1].data, g->tensors[1].bytes, 8, 1024, tr, sizeof tr, NULL, 0), 0);
    TT_CHECK(c, !memcmp(tr, want_tr, 8192));
    free(want_tr);
  }
  tern_gguf_free(g);
  /* a partial model: the file layer names the first missing key */
  tern_file *fl = NULL;
  TT_EQ_INT(c, tern_file_open_gguf_mem(buf, len, &fl, &err), TERN_MERR_ARCH);
  TT_CHECK(c, strstr(err.msg, "embedding_length") != NULL);
  TT_CHECK(c, fl == NULL);
  free(buf);
}

/* A hand-made model header: hidden 1024, intermediate 8, one layer. */
static void micro_header(gb *b, const char *arch, uint64_t nt) {
  gb_le(b, 0x46554747u, 4);
  gb_le(b, 3, 4);
  gb_le(b, nt, 8);
  gb_le(b, 9, 8);
  char k[96];
  gb_kv_str(b, "general.architecture", arch);
#define K(s, v) snprintf(k, sizeof k, "%s." s, arch), gb_kv_u32(b, k, v)
  K("block_count", 1);
  K("embedding_length", 1024);
  K("feed_forward_length", 8);
  K("attention.head_count", 8);
  K("attention.head_count_kv", 8);
  K("context_length", 64);
  K("vocab_size", 4);
#undef K
  snprintf(k, sizeof k, "%s.attention.layer_norm_rms_epsilon", arch);
  gb_kv_f32(b, k, 1e-5f);
}

static void tinfo(gb *b, const char *name, uint32_t nd, uint64_t e0, uint64_t e1, uint32_t type,
                  uint64_t off) {
  gb_str(b, name);
  gb_le(b, nd, 4);
  gb_le(b, e0, 8);
  if (nd > 1) gb_le(b, e1, 8);
  gb_le(b, type, 4);
  gb_le(b, off, 8);
}

static void t_micro_dtypes(tt_ctx *c) {
  uint8_t *tq2;
  size_t tl;
  if (!TT_CHECK(c, !tm_read_file(TERN_FIXTURES "/ggml/tq2_0.bin", &tq2, &tl))) return;
  /* tensors: ffn_up TQ2_0 [1024,8] (fixture data), ffn_gate F32 [1024,8],
   * ffn_down wrong shape F32 [1024,8] (must be [8,1024]), attn_norm stored as
   * TQ2_0 [1024,1]... (a norm in a ternary type), ffn_norm F16 [1024],
   * attn_q of an unknown type (12) */
  gb b = {0};
  micro_header(&b, "bitnet-b1.58", 6);
  uint64_t off = 0;
  tinfo(&b, "blk.0.ffn_up.weight", 2, 1024, 8, 35, off); off += 2112; /* already a multiple of 32 */
  tinfo(&b, "blk.0.ffn_gate.weight", 2, 1024, 8, 0, off); off += 32768;
  tinfo(&b, "blk.0.ffn_down.weight", 2, 1024, 8, 0, off); off += 32768;
  tinfo(&b, "blk.0.attn_norm.weight", 2, 1024, 1, 35, off); off += 288;
  tinfo(&b, "blk.0.ffn_norm.weight", 1, 1024, 1, 1, off); off += 2048;
  tinfo(&b, "blk.0.attn_q.weight", 2, 1024, 1024, 12, off); off += 32;
  gb_pad(&b, 32);
  gb_put(&b, tq2, 2112);
  gb_pad(&b, 32);
  uint64_t seed = 99;
  for (int m = 0; m < 2; m++)
    for (int i = 0; i < 8192; i++) {
      float v = (float)((int)(tt_rand(&seed) % 201) - 100) / 64.0f;
      uint32_t u;
      memcpy(&u, &v, 4);
      gb_le(&b, u, 4);
    }
  for (int i = 0; i < 288; i++) gb_le(&b, 0x55, 1);
  for (int i = 0; i < 1024; i++) gb_le(&b, 0x3c00, 2); /* f16 1.0 */
  for (int i = 0; i < 32; i++) gb_le(&b, 0, 1);
  tern_file *f = NULL;
  tern_err err = {{0}};
  int st = tern_file_open_gguf_mem(b.p, b.n, &f, &err);
  TT_EQ_INT(c, st, 0);
  if (st) {
    fprintf(stderr, "       %s\n", err.msg);
    free(b.p);
    free(tq2);
    return;
  }
  const tern_model_config *cf = tern_file_config(f);
  TT_EQ_INT(c, cf->head_dim, 128);
  TT_EQ_INT(c, cf->tied, 1);
  TT_CHECK(c, cf->rope_theta == 10000.0f); /* llama.cpp default when freq_base is absent */
  int8_t *tr = malloc(1024 * 1024);
  float ws;
  /* fixture rows have different magnitudes: per-tensor scale impossible */
  TT_EQ_INT(c, tern_file_trits(f, 0, TERN_W_UP, tr, 1024 * 1024, &ws, &err), TERN_ERR_UNSUPPORTED);
  TT_CHECK(c, strstr(err.msg, "block scales differ") != NULL);
  /* F32 weights are absmean-quantized, like tern_quant_absmean on the floats */
  TT_EQ_INT(c, tern_file_trits(f, 0, TERN_W_GATE, tr, 1024 * 1024, &ws, &err), 0);
  {
    const tern_tensor *t = tern_file_find(f, "blk.0.ffn_gate.weight");
    float *w = malloc(8192 * sizeof(float));
    int8_t *t2 = malloc(8192);
    float ws2;
    memcpy(w, t->data, 8192 * 4);
    tern_quant_absmean(w, 8192, t2, &ws2);
    TT_CHECK(c, !memcmp(tr, t2, 8192) && ws == ws2);
    free(w);
    free(t2);
  }
  TT_EQ_INT(c, tern_file_trits(f, 0, TERN_W_DOWN, tr, 1024 * 1024, &ws, &err), TERN_ERR_DIM);
  TT_CHECK(c, strstr(err.msg, "ffn_down") != NULL);
  TT_EQ_INT(c, tern_file_trits(f, 0, TERN_W_Q, tr, 1024 * 1024, &ws, &err), TERN_ERR_UNSUPPORTED);
  TT_EQ_INT(c, tern_file_trits(f, 0, TERN_W_K, tr, 1024 * 1024, &ws, &err), TERN_ERR_FORMAT); /* missing */
  TT_CHECK(c, strstr(err.msg, "attn_k") != NULL);
  float nv[1024];
  TT_EQ_INT(c, tern_file_floats(f, 0, TERN_W_ATTN_NORM, nv, 1024, &err), TERN_ERR_UNSUPPORTED);
  TT_EQ_INT(c, tern_file_floats(f, 0, TERN_W_FFN_NORM, nv, 1024, &err), 0);
  TT_CHECK(c, nv[0] == 1.0f && nv[1023] == 1.0f);
  TT_EQ_INT(c, tern_file_floats(f, 0, TERN_W_FFN_NORM, nv, 512, &err), TERN_ERR_DIM);
  /* the whole model cannot load (the first failure is reported) */
  tern_fw_accel *acc;
  TT_EQ_INT(c, tern_fw_open(&acc, "cmodel", NULL), 0);
  tern_model *m = NULL;
  TT_CHECK(c, tern_model_load(f, acc, TERN_FMT_I2, &m, &err) != 0);
  TT_CHECK(c, m == NULL);
  tern_fw_close(acc);
  tern_file_close(f);
  free(tr);
  /* unknown architecture */
  gb a = {0};
  micro_header(&a, "llama", 0);
  TT_EQ_INT(c, tern_file_open_gguf_mem(a.p, a.n, &f, &err), TERN_MERR_ARCH);
  TT_CHECK(c, strstr(err.msg, "llama") != NULL);
  free(a.p);
  /* "bitnet" (llama.cpp's name) is accepted */
  gb a2 = {0};
  micro_header(&a2, "bitnet", 0);
  TT_EQ_INT(c, tern_file_open_gguf_mem(a2.p, a2.n, &f, &err), 0);
  tern_file_close(f);
  free(a2.p);
  free(b.p);
  free(tq2);
}

/* Each hostile header must give an error code, and only that. */
static void t_hostile(tt_ctx *c) {
  tern_gguf *g = NULL;
  tern_err err;
  struct { const char *what; int want; } cases[] = {
      {"bad magic", TERN_ERR_FORMAT}, {"version 1", TERN_ERR_FORMAT}, {"version 4", TERN_ERR_FORMAT},
      {"2^60 tensors", TERN_ERR_TRUNC}, {"2^60 keys", TERN_ERR_TRUNC}, {"huge key", TERN_ERR_DIM},
      {"huge string", TERN_ERR_TRUNC}, {"huge array", TERN_ERR_TRUNC},
      {"huge string array", TERN_ERR_TRUNC}, {"unknown kv type", TERN_ERR_FORMAT},
      {"bool 2", TERN_ERR_FORMAT}, {"duplicate key", TERN_ERR_FORMAT},
      {"alignment 3", TERN_ERR_FORMAT}, {"5 dims", TERN_ERR_DIM}, {"dim 0", TERN_ERR_DIM},
      {"dims overflow", TERN_ERR_DIM}, {"misaligned offset", TERN_ERR_FORMAT},
      {"data past end", TERN_ERR_TRUNC}, {"offset 2^63", TERN_ERR_TRUNC},
      {"duplicate tensor", TERN_ERR_FORMAT}, {"TQ2 not whole blocks", TERN_ERR_DIM},
      {"nested array", TERN_ERR_UNSUPPORTED}, {"NUL in key", TERN_ERR_FORMAT}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    gb b = {0};
    int nt = 0, nk = 0;
    gb_le(&b, i == 0 ? 0x46554746u : 0x46554747u, 4);
    gb_le(&b, i == 1 ? 1 : i == 2 ? 4 : 3, 4);
    size_t counts = b.n;
    gb_le(&b, 0, 8);
    gb_le(&b, 0, 8);
    switch (i) {
    case 3: counts = 0; b.n = 8; gb_le(&b, 1ull << 60, 8); gb_le(&b, 0, 8); break;
    case 4: counts = 0; b.n = 8; gb_le(&b, 0, 8); gb_le(&b, 1ull << 60, 8); break;
    case 5: gb_le(&b, 1ull << 40, 8); nk = 1; break;
    case 6: gb_str(&b, "k"); gb_le(&b, 8, 4); gb_le(&b, 1ull << 62, 8); nk = 1; break;
    case 7: gb_str(&b, "k"); gb_le(&b, 9, 4); gb_le(&b, 4, 4); gb_le(&b, 1ull << 61, 8); nk = 1; break;
    case 8: gb_str(&b, "k"); gb_le(&b, 9, 4); gb_le(&b, 8, 4); gb_le(&b, 1ull << 40, 8); nk = 1; break;
    case 9: gb_str(&b, "k"); gb_le(&b, 13, 4); gb_le(&b, 0, 8); nk = 1; break;
    case 10: gb_str(&b, "k"); gb_le(&b, 7, 4); gb_le(&b, 2, 1); nk = 1; break;
    case 11: gb_kv_u32(&b, "k", 1); gb_kv_u32(&b, "k", 2); nk = 2; break;
    case 12: gb_kv_u32(&b, "general.alignment", 3); nk = 1; break;
    case 13: gb_str(&b, "t"); gb_le(&b, 5, 4); nt = 1; break;
    case 14: tinfo(&b, "t", 2, 4, 0, 0, 0); nt = 1; break;
    case 15: tinfo(&b, "t", 2, 1ull << 40, 1ull << 40, 0, 0); nt = 1; break;
    case 16: tinfo(&b, "t", 1, 4, 1, 0, 8); nt = 1; break;
    case 17: tinfo(&b, "t", 1, 64, 1, 0, 0); nt = 1; break;
    case 18: tinfo(&b, "t", 1, 4, 1, 0, 1ull << 63); nt = 1; break;
    case 19: tinfo(&b, "t", 1, 1, 1, 0, 0); tinfo(&b, "t", 1, 1, 1, 0, 32); nt = 2; break;
    case 20: tinfo(&b, "t", 2, 100, 1, 35, 0); nt = 1; break;
    case 21: gb_str(&b, "k"); gb_le(&b, 9, 4); gb_le(&b, 9, 4); gb_le(&b, 1, 8); nk = 1; break;
    case 22: gb_le(&b, 3, 8); gb_put(&b, "a\0b", 3); gb_le(&b, 4, 4); gb_le(&b, 1, 4); nk = 1; break;
    default: break;
    }
    if (counts) {
      for (int k = 0; k < 8; k++) b.p[counts + k] = (uint8_t)((uint64_t)nt >> (8 * k));
      for (int k = 0; k < 8; k++) b.p[counts + 8 + k] = (uint8_t)((uint64_t)nk >> (8 * k));
    }
    gb_pad(&b, 32);
    for (int k = 0; k < 64; k++) gb_le(&b, 0, 1); /* some data bytes */
    err.msg[0] = 0;
    int st = tern_gguf_parse(b.p, b.n, &g, &err);
    if (!TT_CHECK(c, st == cases[i].want)) fprintf(stderr, "       %s: got %d (%s)\n", cases[i].what, st, err.msg);
    TT_CHECK(c, g == NULL && err.msg[0]);
    free(b.p);
  }
}

/* Every prefix of a small generated model must fail to open, with no crash,
 * up to the end of its last tensor; from there on it opens. */
static void t_truncation(tt_ctx *c) {
  char path[512];
  snprintf(path, sizeof path, "%s/trunc.gguf", tm_tmpdir());
  tern_model_config cf = {64, 128, 1, 2, 1, 32, 260, 500000.0f, 1e-5f, 1, 16};
  tern_err err;
  if (!TM_EQ(c, tern_gen_model(path, &cf, 5, TERN_GEN_GGUF_I2S, &err), 0)) {}
  uint8_t *buf;
  size_t len;
  if (!TT_CHECK(c, !tm_read_file(path, &buf, &len))) return;
  tern_gguf *g;
  if (!TM_EQ(c, tern_gguf_parse(buf, len, &g, &err), 0)) {
    free(buf);
    return;
  }
  size_t need = 0;
  for (uint64_t i = 0; i < g->n_tensors; i++) {
    size_t e = (size_t)(g->tensors[i].data - buf) + g->tensors[i].bytes;
    if (e > need) need = e;
  }
  tern_gguf_free(g);
  int bad = 0;
  for (size_t l = 0; l < len; l++) {
    /* a private copy of exactly l bytes, so ASan sees any read past it */
    uint8_t *p = malloc(l ? l : 1);
    memcpy(p, buf, l);
    tern_file *f = NULL;
    int st = tern_file_open_gguf_mem(p, l, &f, &err);
    if ((l < need) != (st != 0)) bad++;
    if (l < need && st == 0) fprintf(stderr, "       prefix %zu opened\n", l);
    tern_file_close(f);
    free(p);
  }
  TT_EQ_INT(c, bad, 0);
  free(buf);
}

void suite_gguf(tt_ctx *c) {
  tt_run(c, "gguf_fixture", t_fixture);
  tt_run(c, "gguf_hostile", t_hostile);
  tt_run(c, "gguf_micro_dtypes", t_micro_dtypes);
  tt_run(c, "gguf_truncation", t_truncation);
}

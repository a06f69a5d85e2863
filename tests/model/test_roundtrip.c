/* gen-model -> load, for every file format: the same trits, scales, norms and
 * embeddings as the generator's, bit for bit; safetensors error paths. */
#include "suites.h"
#include "tern_gguf.h"

static const char *const fmt_name[4] = {"i2s.gguf", "tq2.gguf", "tq1.gguf", "st"};

static void gen_all(tt_ctx *c, const tern_model_config *cf, uint64_t seed, char paths[4][512]) {
  for (int i = 0; i < 4; i++) {
    snprintf(paths[i], 512, "%s/rt_%s%s", tm_tmpdir(), cf->tied ? "" : "untied_", fmt_name[i]);
    tern_err err;
    int st = tern_gen_model(paths[i], cf, seed, (tern_gen_fmt)i, &err);
    if (!TM_EQ(c, st, 0)) fprintf(stderr, "       %s\n", err.msg);
  }
}

static void check_roundtrip(tt_ctx *c, int tied) {
  tern_model_config cf;
  tern_gen_preset("tiny", &cf);
  cf.tied = tied;
  const uint64_t seed = 42;
  char paths[4][512];
  gen_all(c, &cf, seed, paths);
  tern_file *f[4] = {0};
  tern_err err;
  for (int i = 0; i < 4; i++) {
    int st = tern_file_open(paths[i], &f[i], &err);
    if (!TM_EQ(c, st, 0)) {
      fprintf(stderr, "       %s: %s\n", paths[i], err.msg);
      goto out;
    }
    const tern_model_config *g = tern_file_config(f[i]);
    TT_CHECK(c, g->hidden == cf.hidden && g->intermediate == cf.intermediate &&
                    g->layers == cf.layers && g->heads == cf.heads && g->kv_heads == cf.kv_heads &&
                    g->head_dim == cf.head_dim && g->vocab == cf.vocab && g->max_ctx == cf.max_ctx &&
                    g->rope_theta == cf.rope_theta && g->rms_eps == cf.rms_eps && g->tied == tied);
  }
  size_t maxn = (size_t)cf.intermediate * cf.hidden;
  int8_t *want = malloc(maxn), *got = malloc(maxn);
  for (uint32_t l = 0; l < cf.layers; l++)
    for (int kd = 0; kd < TERN_W_NTERN; kd++) {
      float ws_want, ws;
      TT_EQ_INT(c, tern_gen_trits(seed, &cf, l, (tern_wkind)kd, want, maxn, &ws_want), 0);
      uint32_t r, k;
      tern_wkind_shape(&cf, (tern_wkind)kd, &r, &k);
      for (int i = 0; i < 4; i++) {
        memset(got, 7, maxn);
        int st = tern_file_trits(f[i], l, (tern_wkind)kd, got, maxn, &ws, &err);
        if (!TM_EQ(c, st, 0)) fprintf(stderr, "       %s: %s\n", fmt_name[i], err.msg);
        TT_CHECK(c, !memcmp(got, want, (size_t)r * k));
        TT_CHECK(c, ws == ws_want);
      }
    }
  /* norms and embeddings: the same floats from every format */
  float *a = malloc(cf.intermediate * sizeof(float)), *b = malloc(cf.intermediate * sizeof(float));
  for (uint32_t l = 0; l < cf.layers; l++)
    for (int kd = TERN_W_ATTN_NORM; kd < TERN_W_NLAYER; kd++) {
      uint32_t n = kd == TERN_W_FFN_SUB_NORM ? cf.intermediate
                   : kd == TERN_W_ATTN_SUB_NORM ? cf.heads * cf.head_dim : cf.hidden;
      TT_EQ_INT(c, tern_file_floats(f[0], l, (tern_wkind)kd, a, n, &err), 0);
      int spread = 0;
      for (uint32_t j = 1; j < n; j++) spread |= a[j] != a[0];
      TT_CHECK(c, spread); /* not a constant vector */
      for (int i = 1; i < 4; i++) {
        TT_EQ_INT(c, tern_file_floats(f[i], l, (tern_wkind)kd, b, n, &err), 0);
        TT_CHECK(c, !memcmp(a, b, n * sizeof(float)));
      }
    }
  tern_fw_accel *acc;
  TT_EQ_INT(c, tern_fw_open(&acc, "cmodel", NULL), 0);
  tern_model *m[4] = {0};
  for (int i = 0; i < 4; i++) {
    int st = tern_model_load(f[i], acc, (tern_fmt)(i & 1), &m[i], &err);
    if (!TM_EQ(c, st, 0)) fprintf(stderr, "       %s: %s\n", fmt_name[i], err.msg);
  }
  if (m[0] && m[1] && m[2] && m[3]) {
    float *ra = malloc(cf.hidden * sizeof(float)), *rb = malloc(cf.hidden * sizeof(float));
    for (uint32_t r = 0; r < cf.vocab; r += 37)
      for (int i = 1; i < 4; i++) {
        tern_fmatrix_row(&m[0]->embd, r, ra);
        tern_fmatrix_row(&m[i]->embd, r, rb);
        TT_CHECK(c, !memcmp(ra, rb, cf.hidden * sizeof(float)));
        tern_fmatrix_row(&m[0]->lm_head, r, ra);
        tern_fmatrix_row(&m[i]->lm_head, r, rb);
        TT_CHECK(c, !memcmp(ra, rb, cf.hidden * sizeof(float)));
      }
    tern_fmatrix_row(&m[0]->embd, 5, ra);
    tern_fmatrix_row(&m[0]->lm_head, 5, rb);
    TT_CHECK(c, (memcmp(ra, rb, cf.hidden * sizeof(float)) == 0) == tied);
    TT_CHECK(c, tern_fmatrix_row(&m[0]->embd, cf.vocab, ra) == TERN_ERR_DIM);
    TT_EQ_INT(c, m[0]->tern_macs, (uint64_t)cf.layers * cf.hidden *
                                      (2u * cf.heads * cf.head_dim + 2u * cf.kv_heads * cf.head_dim +
                                       3u * cf.intermediate));
    free(ra);
    free(rb);
  }
  for (int i = 0; i < 4; i++) tern_model_free(m[i]);
  tern_fw_close(acc);
  free(a);
  free(b);
  free(want);
  free(got);
out:
  for (int i = 0; i < 4; i++) tern_file_close(f[i]);
}

static void t_roundtrip_tied(tt_ctx *c) { check_roundtrip(c, 1); }
static void t_roundtrip_untied(tt_ctx *c) { check_roundtrip(c, 0); }

/* Replaces the first occurrence of `from` by `to` (same length) in buf. */
static int patch(uint8_t *buf, size_t len, const char *from, const char *to) {
  size_t l = strlen(from);
  for (size_t i = 0; i + l <= len; i++)
    if (!memcmp(buf + i, from, l)) {
      memcpy(buf + i, to, l);
      return 1;
    }
  return 0;
}

static void t_st_errors(tt_ctx *c) {
  tern_model_config cf = {64, 128, 1, 2, 1, 32, 260, 500000.0f, 1e-5f, 1, 16};
  char dir[512], p[600];
  snprintf(dir, sizeof dir, "%s/st_err", tm_tmpdir());
  tern_err err;
  if (!TM_EQ(c, tern_gen_model(dir, &cf, 9, TERN_GEN_SAFETENSORS, &err), 0)) return;
  uint8_t *st, *cfg;
  size_t sl, cl;
  snprintf(p, sizeof p, "%s/model.safetensors", dir);
  TT_EQ_INT(c, tm_read_file(p, &st, &sl), 0);
  snprintf(p, sizeof p, "%s/config.json", dir);
  TT_EQ_INT(c, tm_read_file(p, &cfg, &cl), 0);
  tern_file *f = NULL;
  TT_EQ_INT(c, tern_file_open_st_mem(st, sl, (const char *)cfg, cl, &f, &err), 0);
  tern_file_close(f);
  /* every prefix fails without a crash (copies of exactly l bytes) */
  int bad = 0;
  for (size_t l = 0; l < sl; l++) {
    uint8_t *q = malloc(l ? l : 1);
    memcpy(q, st, l);
    f = NULL;
    if (tern_file_open_st_mem(q, l, (const char *)cfg, cl, &f, &err) == 0) bad++;
    tern_file_close(f);
    free(q);
  }
  TT_EQ_INT(c, bad, 0);
  size_t trimmed = cl;
  while (trimmed && (cfg[trimmed - 1] == '\n' || cfg[trimmed - 1] == ' ')) trimmed--;
  for (size_t l = 0; l < trimmed; l++) {
    char *q = malloc(l ? l : 1);
    memcpy(q, cfg, l);
    f = NULL;
    if (tern_file_open_st_mem(st, sl, q, l, &f, &err) == 0) bad++;
    tern_file_close(f);
    free(q);
  }
  TT_EQ_INT(c, bad, 0);
  /* header edits (same length, so offsets stay) */
  struct { const char *from, *to; int want_open, want_trits; } ed[] = {
      {"\"U8\"", "\"I8\"", TERN_ERR_UNSUPPORTED, 0},
      {"q_proj.weight_scale", "q_proj.weight_scalX", 0, TERN_ERR_FORMAT},
      {"\"shape\":[16,64]", "\"shape\":[16,65]", TERN_ERR_DIM, 0},
      {"\"shape\":[16,64]", "\"shape\":[64,16]", 0, TERN_ERR_DIM},
      {"\"data_offsets\":[0,", "\"data_offsets\":[1,", TERN_ERR_DIM, 0},
      {"{\"__metadata__\"", "[\"__metadata__\"", TERN_ERR_FORMAT, 0},
  };
  for (size_t i = 0; i < sizeof ed / sizeof ed[0]; i++) {
    uint8_t *q = malloc(sl);
    memcpy(q, st, sl);
    if (!TT_CHECK(c, patch(q, sl, ed[i].from, ed[i].to))) fprintf(stderr, "       no '%s'\n", ed[i].from);
    f = NULL;
    int s1 = tern_file_open_st_mem(q, sl, (const char *)cfg, cl, &f, &err);
    if (!TM_EQ(c, s1, ed[i].want_open)) fprintf(stderr, "       edit %zu: %s\n", i, err.msg);
    if (f) {
      int8_t tr[64 * 64];
      float ws;
      int s2 = tern_file_trits(f, 0, TERN_W_Q, tr, sizeof tr, &ws, &err);
      if (!TM_EQ(c, s2, ed[i].want_trits)) fprintf(stderr, "       edit %zu: %s\n", i, err.msg);
    }
    tern_file_close(f);
    free(q);
  }
  /* header length beyond the file */
  uint8_t *q = malloc(sl);
  memcpy(q, st, sl);
  q[7] = 0x7f;
  TT_EQ_INT(c, tern_file_open_st_mem(q, sl, (const char *)cfg, cl, &f, &err), TERN_ERR_TRUNC);
  free(q);
  /* config.json edits */
  struct { const char *from, *to; int want; } ce[] = {
      {"\"bitnet\"", "\"llama\" ", TERN_MERR_ARCH},
      {"\"relu2\"", "\"silu\" ", TERN_MERR_ARCH},
      {"\"hidden_size\"", "\"hidden_sizX\"", TERN_MERR_ARCH},
      {"\"num_key_value_heads\": 1", "\"num_key_value_heads\": 3", TERN_ERR_DIM},
      {"\"vocab_size\": 260", "\"vocab_size\": -26", TERN_ERR_FORMAT},
  };
  for (size_t i = 0; i < sizeof ce / sizeof ce[0]; i++) {
    char *t = malloc(cl);
    memcpy(t, cfg, cl);
    if (!TT_CHECK(c, patch((uint8_t *)t, cl, ce[i].from, ce[i].to))) fprintf(stderr, "       no '%s'\n", ce[i].from);
    f = NULL;
    int s1 = tern_file_open_st_mem(st, sl, t, cl, &f, &err);
    if (!TM_EQ(c, s1, ce[i].want)) fprintf(stderr, "       config edit %zu: %s\n", i, err.msg);
    tern_file_close(f);
    free(t);
  }
  /* linear_class autobitlinear: the stored weight_scale is the multiplier */
  {
    char *t = malloc(cl + 8);
    memcpy(t, cfg, cl);
    char *at = strstr(t, "\"bitlinear\"");
    size_t tl = cl;
    if (TT_CHECK(c, at != NULL)) {
      memmove(at + 5, at + 1, cl - (size_t)(at + 1 - t));
      memcpy(at + 1, "autob", 5);
      tl = cl + 4;
      f = NULL;
      TT_EQ_INT(c, tern_file_open_st_mem(st, sl, t, tl, &f, &err), 0);
      int8_t tr[64 * 64];
      float ws, ws_gen;
      int8_t tg[64 * 64];
      tern_gen_trits(9, &cf, 0, TERN_W_O, tg, sizeof tg, &ws_gen);
      if (f) TT_EQ_INT(c, tern_file_trits(f, 0, TERN_W_O, tr, sizeof tr, &ws, &err), 0);
      TT_CHECK(c, f && ws == 1.0f / ws_gen && !memcmp(tr, tg, 64 * 64));
      tern_file_close(f);
      memcpy(at + 1, "xutob", 5);
      TT_EQ_INT(c, tern_file_open_st_mem(st, sl, t, tl, &f, &err), TERN_ERR_UNSUPPORTED);
    }
    free(t);
  }
  free(st);
  free(cfg);
  /* file-level errors */
  TT_EQ_INT(c, tern_file_open("/nonexistent/x.gguf", &f, &err), TERN_MERR_IO);
  snprintf(p, sizeof p, "%s/empty.gguf", tm_tmpdir());
  tm_write_file(p, (const uint8_t *)"", 0);
  TT_EQ_INT(c, tern_file_open(p, &f, &err), TERN_ERR_TRUNC);
}

void suite_roundtrip(tt_ctx *c) {
  tt_run(c, "roundtrip_tied", t_roundtrip_tied);
  tt_run(c, "roundtrip_untied", t_roundtrip_untied);
  tt_run(c, "safetensors_errors", t_st_errors);
}

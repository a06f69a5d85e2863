/* The forward pass against an independent reference written here from the
 * text of docs/firmware.md ("Forward pass"): no KV cache (every step
 * recomputes the whole sequence), tern_gemm_ref on row-major packed trits,
 * the same quantizers. Integer parts match by construction of the contract;
 * the fp32 order is the documented one, so logits must be equal bit for bit. */
#include <math.h>

#include "suites.h"

typedef struct ref {
  tern_model_config c;
  int8_t *tr[64][TERN_W_NTERN];
  float ws[64][TERN_W_NTERN];
  float *norm[64][4];
  float *onorm, *emb, *head; /* [vocab][hidden] fp32 */
} ref;

static int ref_load(const tern_file *f, ref *r) {
  memset(r, 0, sizeof *r);
  r->c = *tern_file_config(f);
  const tern_model_config *c = &r->c;
  if (c->layers > 64) return -1;
  tern_err e;
  for (uint32_t l = 0; l < c->layers; l++) {
    for (int k = 0; k < TERN_W_NTERN; k++) {
      uint32_t rows, kk;
      tern_wkind_shape(c, (tern_wkind)k, &rows, &kk);
      r->tr[l][k] = malloc((size_t)rows * kk);
      if (tern_file_trits(f, l, (tern_wkind)k, r->tr[l][k], (size_t)rows * kk, &r->ws[l][k], &e)) return -1;
    }
    uint32_t n[4] = {c->hidden, c->hidden, c->heads * c->head_dim, c->intermediate};
    for (int k = 0; k < 4; k++) {
      r->norm[l][k] = malloc(n[k] * sizeof(float));
      if (tern_file_floats(f, l, (tern_wkind)(TERN_W_ATTN_NORM + k), r->norm[l][k], n[k], &e)) return -1;
    }
  }
  r->onorm = malloc(c->hidden * sizeof(float));
  if (tern_file_floats(f, 0, TERN_W_OUT_NORM, r->onorm, c->hidden, &e)) return -1;
  for (int which = 0; which < 2; which++) {
    const tern_tensor *t = tern_file_weight(f, 0, which || c->tied ? TERN_W_EMBD : TERN_W_LM_HEAD);
    if (which == 0) t = tern_file_weight(f, 0, TERN_W_EMBD);
    else t = tern_file_weight(f, 0, c->tied ? TERN_W_EMBD : TERN_W_LM_HEAD);
    float *d = malloc((size_t)c->vocab * c->hidden * sizeof(float));
    for (size_t i = 0; i < (size_t)c->vocab * c->hidden; i++) {
      if (t->dt == TERN_DT_F32) memcpy(&d[i], t->data + 4 * i, 4);
      else {
        uint16_t h = (uint16_t)(t->data[2 * i] | t->data[2 * i + 1] << 8);
        d[i] = t->dt == TERN_DT_F16 ? tern_f16_to_f32(h) : tern_bf16_to_f32(h);
      }
    }
    if (which == 0) r->emb = d;
    else r->head = d;
  }
  return 0;
}

static void ref_free(ref *r) {
  for (int l = 0; l < 64; l++) {
    for (int k = 0; k < TERN_W_NTERN; k++) free(r->tr[l][k]);
    for (int k = 0; k < 4; k++) free(r->norm[l][k]);
  }
  free(r->onorm);
  free(r->emb);
  free(r->head);
}

/* RMSNorm per docs: sum of squares in double, mean to fp32, r = 1/sqrtf(mean+eps), (x*r)*g */
static void r_norm(const float *x, const float *g, uint32_t n, float eps, float *y) {
  double s = 0;
  for (uint32_t i = 0; i < n; i++) s += (double)x[i] * x[i];
  float mean = (float)(s / n);
  float r = 1.0f / sqrtf(mean + eps);
  for (uint32_t i = 0; i < n; i++) y[i] = x[i] * r * g[i];
}

/* y = dequant(W_t . quant(x)) with the golden model's reference GEMM */
static void r_bitlinear(const int8_t *tr, float ws, uint32_t rows, uint32_t k, const float *x, float *y) {
  int8_t *q = malloc(k);
  float s;
  tern_quant_act(x, k, q, &s);
  size_t stride = tern_row_bytes(TERN_FMT_I2, k);
  uint8_t *pk = malloc(stride * rows);
  tern_pack(TERN_FMT_I2, tr, rows, k, pk, stride, stride * rows);
  tern_wmat w = {TERN_FMT_I2, rows, k, stride, pk, stride * rows};
  int32_t *acc = malloc(rows * sizeof(int32_t));
  tern_gemm_ref(&w, q, k, k, 1, acc, rows, rows);
  for (uint32_t i = 0; i < rows; i++) y[i] = ((float)acc[i] / s) * ws;
  free(q);
  free(pk);
  free(acc);
}

/* logits of the last of T tokens, recomputing everything */
static void ref_logits(const ref *r, const uint32_t *tok, uint32_t T, float *logits) {
  const tern_model_config *c = &r->c;
  uint32_t H = c->hidden, I = c->intermediate, hd = c->head_dim, nh = c->heads, nkv = c->kv_heads;
  uint32_t qd = nh * hd, kvd = nkv * hd;
  float *x = malloc((size_t)T * H * sizeof(float));
  float *Q = malloc((size_t)T * qd * 4), *K = malloc((size_t)T * kvd * 4), *V = malloc((size_t)T * kvd * 4);
  float *n = malloc((size_t)(I > qd ? (I > H ? I : H) : (qd > H ? qd : H)) * 4);
  float *a = malloc(qd * 4), *y = malloc(H * 4), *g = malloc(I * 4), *u = malloc(I * 4), *p = malloc(T * 4);
  for (uint32_t t = 0; t < T; t++) memcpy(x + (size_t)t * H, r->emb + (size_t)tok[t] * H, H * 4);
  for (uint32_t l = 0; l < c->layers; l++) {
    for (uint32_t t = 0; t < T; t++) {
      r_norm(x + (size_t)t * H, r->norm[l][0], H, c->rms_eps, n);
      r_bitlinear(r->tr[l][TERN_W_Q], r->ws[l][TERN_W_Q], qd, H, n, Q + (size_t)t * qd);
      r_bitlinear(r->tr[l][TERN_W_K], r->ws[l][TERN_W_K], kvd, H, n, K + (size_t)t * kvd);
      r_bitlinear(r->tr[l][TERN_W_V], r->ws[l][TERN_W_V], kvd, H, n, V + (size_t)t * kvd);
      /* RoPE, NeoX pairs (i, i + hd/2): inv = 1/powf(theta, 2i/hd), angle = pos*inv */
      for (uint32_t h = 0; h < nh + nkv; h++) {
        float *v = h < nh ? Q + (size_t)t * qd + h * hd : K + (size_t)t * kvd + (h - nh) * hd;
        for (uint32_t i = 0; i < hd / 2; i++) {
          float inv = 1.0f / powf(c->rope_theta, (float)(2 * i) / (float)hd);
          float ang = (float)t * inv, cs = cosf(ang), sn = sinf(ang);
          float x1 = v[i], x2 = v[i + hd / 2];
          v[i] = x1 * cs - x2 * sn;
          v[i + hd / 2] = x2 * cs + x1 * sn;
        }
      }
    }
    float *x2 = malloc((size_t)T * H * 4);
    for (uint32_t t = 0; t < T; t++) {
      for (uint32_t h = 0; h < nh; h++) {
        uint32_t kh = h / (nh / nkv);
        float mx = -INFINITY, sum = 0;
        for (uint32_t s = 0; s <= t; s++) {
          float d = 0;
          for (uint32_t j = 0; j < hd; j++) d += Q[(size_t)t * qd + h * hd + j] * K[(size_t)s * kvd + kh * hd + j];
          p[s] = d * (1.0f / sqrtf((float)hd));
          if (p[s] > mx) mx = p[s];
        }
        for (uint32_t s = 0; s <= t; s++) { p[s] = expf(p[s] - mx); sum += p[s]; }
        for (uint32_t j = 0; j < hd; j++) a[h * hd + j] = 0;
        for (uint32_t s = 0; s <= t; s++)
          for (uint32_t j = 0; j < hd; j++) a[h * hd + j] += (p[s] / sum) * V[(size_t)s * kvd + kh * hd + j];
      }
      r_norm(a, r->norm[l][2], qd, c->rms_eps, n);
      r_bitlinear(r->tr[l][TERN_W_O], r->ws[l][TERN_W_O], H, qd, n, y);
      for (uint32_t i = 0; i < H; i++) x2[(size_t)t * H + i] = x[(size_t)t * H + i] + y[i];
      r_norm(x2 + (size_t)t * H, r->norm[l][1], H, c->rms_eps, n);
      r_bitlinear(r->tr[l][TERN_W_GATE], r->ws[l][TERN_W_GATE], I, H, n, g);
      r_bitlinear(r->tr[l][TERN_W_UP], r->ws[l][TERN_W_UP], I, H, n, u);
      for (uint32_t i = 0; i < I; i++) g[i] = fmaxf(g[i], 0.0f) * fmaxf(g[i], 0.0f) * u[i];
      r_norm(g, r->norm[l][3], I, c->rms_eps, n);
      r_bitlinear(r->tr[l][TERN_W_DOWN], r->ws[l][TERN_W_DOWN], H, I, n, y);
      for (uint32_t i = 0; i < H; i++) x2[(size_t)t * H + i] += y[i];
    }
    memcpy(x, x2, (size_t)T * H * 4);
    free(x2);
  }
  r_norm(x + (size_t)(T - 1) * H, r->onorm, H, c->rms_eps, n);
  for (uint32_t v = 0; v < c->vocab; v++) {
    float s = 0;
    for (uint32_t i = 0; i < H; i++) s += n[i] * r->head[(size_t)v * H + i];
    logits[v] = s;
  }
  free(x); free(Q); free(K); free(V); free(n); free(a); free(y); free(g); free(u); free(p);
}

static tern_model_config small_cfg(void) {
  tern_model_config c;
  tern_gen_preset("tiny", &c);
  c.layers = 2;
  c.max_ctx = 64;
  return c;
}

static void t_forward_vs_ref(tt_ctx *c) {
  tern_model_config cf = small_cfg();
  char path[512];
  tern_err err;
  for (int variant = 0; variant < 2; variant++) {
    /* variant 0: GGUF tied, fmt B3, batch 1; variant 1: safetensors untied, I2, batch 4 */
    cf.tied = !variant;
    snprintf(path, sizeof path, "%s/fwd_%d%s", tm_tmpdir(), variant, variant ? "" : ".gguf");
    if (!TM_EQ(c, tern_gen_model(path, &cf, 11 + variant, variant ? TERN_GEN_SAFETENSORS : TERN_GEN_GGUF_I2S, &err), 0)) return;
    tern_file *f;
    if (!TM_EQ(c, tern_file_open(path, &f, &err), 0)) return;
    ref r;
    TT_EQ_INT(c, ref_load(f, &r), 0);
    tern_fw_accel *acc;
    tern_fw_open(&acc, "cmodel", NULL);
    tern_model *m = NULL;
    TT_EQ_INT(c, tern_model_load(f, acc, variant ? TERN_FMT_I2 : TERN_FMT_B3, &m, &err), 0);
    tern_ctx *ctx = NULL, *ctx2 = NULL;
    if (m) {
      TT_EQ_INT(c, tern_ctx_new(m, 16, 1, &ctx, &err), 0);
      TT_EQ_INT(c, tern_ctx_new(m, 16, 4, &ctx2, &err), 0);
    }
    if (ctx && ctx2) {
      const uint32_t tok[6] = {256, 72, 101, 108, 300, 33};
      float *lm = malloc(cf.vocab * 4), *lr = malloc(cf.vocab * 4), *lb = malloc(cf.vocab * 4);
      int differ = 0;
      for (uint32_t t = 0; t < 6; t++) {
        TT_EQ_INT(c, tern_forward(ctx, &tok[t], 1, lm, &err), 0);
        ref_logits(&r, tok, t + 1, lr);
        int same = !memcmp(lm, lr, cf.vocab * 4);
        if (!TT_CHECK(c, same)) {
          for (uint32_t v = 0; v < cf.vocab && v < 3; v++)
            fprintf(stderr, "       t=%u logit[%u] %.9g vs ref %.9g\n", t, v, (double)lm[v], (double)lr[v]);
        }
        if (t && memcmp(lm, lb, cf.vocab * 4)) differ = 1;
        memcpy(lb, lm, cf.vocab * 4);
      }
      TT_CHECK(c, differ); /* the logits do depend on the input */
      /* batched prefill (chunks of 4: 4 + 2) = sequential, bit for bit */
      TT_EQ_INT(c, tern_forward(ctx2, tok, 6, lb, &err), 0);
      TT_CHECK(c, !memcmp(lb, lm, cf.vocab * 4));
      TT_EQ_INT(c, tern_ctx_pos(ctx2), 6);
      /* spread: not a degenerate model */
      float mn = lm[0], mx = lm[0];
      for (uint32_t v = 0; v < cf.vocab; v++) { mn = fminf(mn, lm[v]); mx = fmaxf(mx, lm[v]); }
      TT_CHECK(c, mx - mn > 0.1f);
      /* errors: context full, bad token */
      uint32_t many[16] = {0};
      TT_EQ_INT(c, tern_forward(ctx, many, 11, lm, &err), TERN_ERR_DIM);
      uint32_t badtok = cf.vocab;
      TT_EQ_INT(c, tern_forward(ctx, &badtok, 1, lm, &err), TERN_ERR_VALUE);
      TT_EQ_INT(c, tern_ctx_pos(ctx), 6);
      free(lm); free(lr); free(lb);
    }
    tern_ctx_free(ctx);
    tern_ctx_free(ctx2);
    tern_model_free(m);
    tern_fw_close(acc);
    ref_free(&r);
    tern_file_close(f);
  }
}

/* Greedy generation: deterministic, and the same from every file format and
 * weight stream format of one seed. */
static void generate(tt_ctx *c, const char *path, tern_fmt fmt, uint32_t *out, int n) {
  tern_err err;
  tern_file *f = NULL;
  tern_fw_accel *acc = NULL;
  tern_model *m = NULL;
  tern_ctx *ctx = NULL;
  memset(out, 0xff, n * sizeof *out);
  if (!TM_EQ(c, tern_file_open(path, &f, &err), 0)) return;
  tern_fw_open(&acc, "cmodel", NULL);
  if (TM_EQ(c, tern_model_load(f, acc, fmt, &m, &err), 0) &&
      TM_EQ(c, tern_ctx_new(m, 32, 8, &ctx, &err), 0)) {
    float *lg = malloc(m->cfg.vocab * 4);
    uint32_t prompt[3] = {256, 84, 104};
    tern_sampler s = {0.0f, 1.0f, 1};
    int st = tern_forward(ctx, prompt, 3, lg, &err);
    for (int i = 0; i < n && !st; i++) {
      out[i] = (uint32_t)tern_sample(&s, lg, m->cfg.vocab);
      st = tern_forward(ctx, &out[i], 1, lg, &err);
    }
    TT_EQ_INT(c, st, 0);
    free(lg);
  }
  tern_ctx_free(ctx);
  tern_model_free(m);
  tern_fw_close(acc);
  tern_file_close(f);
}

static void t_greedy(tt_ctx *c) {
  tern_model_config cf = small_cfg();
  char p1[512], p2[512];
  tern_err err;
  snprintf(p1, sizeof p1, "%s/greedy.gguf", tm_tmpdir());
  snprintf(p2, sizeof p2, "%s/greedy_st", tm_tmpdir());
  TT_EQ_INT(c, tern_gen_model(p1, &cf, 21, TERN_GEN_GGUF_TQ1_0, &err), 0);
  TT_EQ_INT(c, tern_gen_model(p2, &cf, 21, TERN_GEN_SAFETENSORS, &err), 0);
  uint32_t a[8], b[8], d[8];
  generate(c, p1, TERN_FMT_B3, a, 8);
  generate(c, p1, TERN_FMT_B3, b, 8);
  generate(c, p2, TERN_FMT_I2, d, 8);
  TT_CHECK(c, !memcmp(a, b, sizeof a));
  TT_CHECK(c, !memcmp(a, d, sizeof a));
  for (int i = 0; i < 8; i++) TT_CHECK(c, a[i] < cf.vocab);
}

static void t_sampler(tt_ctx *c) {
  float l[5] = {0.5f, 2.0f, 2.0f, -1.0f, 1.0f};
  tern_sampler g = {0.0f, 0.9f, 1};
  TT_EQ_INT(c, tern_sample(&g, l, 5), 1); /* first of the tied maxima */
  tern_sampler narrow = {1.0f, 1e-6f, 5};
  for (int i = 0; i < 20; i++) TT_EQ_INT(c, tern_sample(&narrow, l, 5), 1);
  /* p = (1/4, 3/4) at temperature 1 */
  float two[2] = {0.0f, logf(3.0f)};
  tern_sampler s = {1.0f, 1.0f, 77};
  int hits = 0;
  for (int i = 0; i < 4000; i++) hits += tern_sample(&s, two, 2) == 1;
  TT_CHECK(c, hits > 2800 && hits < 3200);
  /* same seed, same draws; different seed, different draws */
  tern_sampler s1 = {0.8f, 0.95f, 3}, s2 = {0.8f, 0.95f, 3}, s3 = {0.8f, 0.95f, 4};
  float w[64];
  for (int i = 0; i < 64; i++) w[i] = (float)(i % 7) * 0.3f;
  int same = 1, diff = 0;
  for (int i = 0; i < 50; i++) {
    int32_t x = tern_sample(&s1, w, 64), y = tern_sample(&s2, w, 64), z = tern_sample(&s3, w, 64);
    same &= x == y;
    diff |= x != z;
  }
  TT_CHECK(c, same && diff);
  float nanl[2] = {0.0f, NAN};
  TT_EQ_INT(c, tern_sample(&s, nanl, 2), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_sample(&s, two, 0), TERN_ERR_DIM);
}

static void t_ops(tt_ctx *c) {
  /* RoPE at position 0 is the identity; NeoX pairs (i, i+d/2) keep their norm */
  float v[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[8];
  memcpy(w, v, sizeof v);
  tern_rope(w, 8, 0, 10000.0f);
  TT_CHECK(c, !memcmp(v, w, sizeof v));
  tern_rope(w, 8, 3, 10000.0f);
  for (int i = 0; i < 4; i++) {
    float n0 = v[i] * v[i] + v[i + 4] * v[i + 4], n1 = w[i] * w[i] + w[i + 4] * w[i + 4];
    TT_CHECK(c, fabsf(n0 - n1) < 1e-4f * n0);
  }
  /* pair 0 rotates by 3 radians exactly: (1,5) -> (cos3 - 5 sin3, 5 cos3 + sin3) */
  TT_CHECK(c, w[0] == 1.0f * cosf(3.0f) - 5.0f * sinf(3.0f));
  float g[4] = {1, 1, 1, 2}, x[4] = {2, 2, 2, 2}, y[4];
  tern_rmsnorm(x, g, 4, 0.0f, y);
  TT_CHECK(c, y[0] == 1.0f && y[3] == 2.0f);
}

/* An accelerator error in the middle of a token: layer 1's gate/up stream is
 * overwritten with invalid I2 codes in DMA memory, so the engine stops with
 * a trit error on the token's fourth GEMM. The forward pass must return an
 * error code and message, not crash, and leave the context position alone;
 * once the stream is restored the same call works. */
static void t_accel_error(tt_ctx *c) {
  tern_model_config cf = small_cfg();
  char path[512];
  tern_err err;
  snprintf(path, sizeof path, "%s/accel_err.gguf", tm_tmpdir());
  TT_EQ_INT(c, tern_gen_model(path, &cf, 31, TERN_GEN_GGUF_I2S, &err), 0);
  tern_file *f;
  if (!TM_EQ(c, tern_file_open(path, &f, &err), 0)) return;
  tern_fw_accel *acc;
  tern_fw_open(&acc, "cmodel", NULL);
  tern_model *m;
  tern_ctx *ctx;
  if (TM_EQ(c, tern_model_load(f, acc, TERN_FMT_I2, &m, &err), 0)) {
    TT_EQ_INT(c, tern_ctx_new(m, 8, 2, &ctx, &err), 0);
    float *lg = malloc(cf.vocab * 4);
    uint32_t t[2] = {1, 2};
    tern_fw_mat *gm = &m->layers[1].mat[TERN_W_GATE];
    uint8_t *save = malloc(gm->bytes);
    memcpy(save, gm->host_ptr, gm->bytes);
    memset(gm->host_ptr, 0xff, gm->bytes);
    TT_EQ_INT(c, tern_forward(ctx, t, 2, lg, &err), TERN_MERR_ACCEL);
    TT_CHECK(c, strstr(err.msg, "accelerator") != NULL);
    TT_EQ_INT(c, tern_ctx_pos(ctx), 0);
    memcpy(gm->host_ptr, save, gm->bytes);
    free(save);
    TT_EQ_INT(c, tern_forward(ctx, t, 2, lg, &err), 0); /* recovers */
    TT_EQ_INT(c, tern_ctx_pos(ctx), 2);
    free(lg);
    tern_ctx_free(ctx);
    tern_model_free(m);
  }
  tern_fw_close(acc);
  tern_file_close(f);
}

void suite_forward(tt_ctx *c) {
  tt_run(c, "ops", t_ops);
  tt_run(c, "sampler", t_sampler);
  tt_run(c, "forward_vs_reference", t_forward_vs_ref);
  tt_run(c, "greedy_deterministic", t_greedy);
  tt_run(c, "accel_error_mid_token", t_accel_error);
}

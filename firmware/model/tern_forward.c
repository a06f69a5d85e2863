/* Model load and the forward pass (transformers' modeling_bitnet.py order).
 * The fp32 order of operations is part of the contract (docs/firmware.md):
 * the test's independent reference follows the text there, not this code. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tern_model.h"

/* ---- float matrices (embedding, LM head) --------------------------------------- */

static float *f16_lut_new(void) {
  float *l = malloc(65536 * sizeof *l);
  if (l)
    for (uint32_t h = 0; h < 65536; h++) l[h] = tern_f16_to_f32((uint16_t)h);
  return l;
}

/* one row to fp32; lut may be NULL */
static void row_f32(const tern_fmatrix *m, const float *lut, uint32_t r, float *out) {
  const uint8_t *p = m->data + (size_t)r * m->cols * (m->dt == TERN_DT_F32 ? 4 : 2);
  switch (m->dt) {
  case TERN_DT_F32: memcpy(out, p, (size_t)m->cols * 4); break; /* little-endian host */
  case TERN_DT_F16:
    for (uint32_t i = 0; i < m->cols; i++) {
      uint16_t h = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
      out[i] = lut ? lut[h] : tern_f16_to_f32(h);
    }
    break;
  default:
    for (uint32_t i = 0; i < m->cols; i++)
      out[i] = tern_bf16_to_f32((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
  }
}

int tern_fmatrix_row(const tern_fmatrix *m, uint32_t r, float *out) {
  if (!m || !out || !m->data) return TERN_ERR_NULL;
  if (r >= m->rows) return TERN_ERR_DIM;
  row_f32(m, NULL, r, out); /* no table: tern_f16_to_f32 per element */
  return TERN_OK;
}

/* 8 rows at a time, each row's sum in its own fp32 chain (i ascending), so
 * the result equals the plain per-row loop bit for bit. */
static void gemv_lut(const tern_fmatrix *m, const float *lut, const float *h, float *logits,
                     float *rowbuf) {
  uint32_t n = m->cols;
  uint32_t r = 0;
  for (; r + 8 <= m->rows; r += 8) {
    for (uint32_t q = 0; q < 8; q++) row_f32(m, lut, r + q, rowbuf + (size_t)q * n);
    float acc[8] = {0};
    for (uint32_t i = 0; i < n; i++)
      for (uint32_t q = 0; q < 8; q++) acc[q] += h[i] * rowbuf[(size_t)q * n + i];
    for (uint32_t q = 0; q < 8; q++) logits[r + q] = acc[q];
  }
  for (; r < m->rows; r++) {
    row_f32(m, lut, r, rowbuf);
    float acc = 0.0f;
    for (uint32_t i = 0; i < n; i++) acc += h[i] * rowbuf[i];
    logits[r] = acc;
  }
}

void tern_fmatrix_gemv(const tern_fmatrix *m, const float *h, float *logits) {
  float *buf = malloc((size_t)m->cols * 8 * sizeof *buf);
  if (!buf) return;
  gemv_lut(m, NULL, h, logits, buf);
  free(buf);
}

/* ---- CPU ops ------------------------------------------------------------------------- */

void tern_rmsnorm(const float *x, const float *g, uint32_t n, float eps, float *y) {
  double ss = 0.0;
  for (uint32_t i = 0; i < n; i++) ss += (double)x[i] * (double)x[i];
  float mean = (float)(ss / (double)n);
  float r = 1.0f / sqrtf(mean + eps);
  for (uint32_t i = 0; i < n; i++) y[i] = (x[i] * r) * g[i];
}

void tern_rope(float *v, uint32_t d, uint32_t pos, float theta) {
  uint32_t h = d / 2;
  for (uint32_t i = 0; i < h; i++) {
    float inv = 1.0f / powf(theta, (float)(2 * i) / (float)d);
    float ang = (float)pos * inv;
    float c = cosf(ang), s = sinf(ang);
    float a = v[i], b = v[i + h];
    v[i] = a * c - b * s;
    v[i + h] = b * c + a * s;
  }
}

/* ---- model load -------------------------------------------------------------------------- */

struct tern_model_priv {
  tern_model pub;
  float *f16_lut;
};

static int load_fmatrix(const tern_file *f, tern_wkind kind, const tern_model_config *c,
                        tern_fmatrix *m, tern_err *err) {
  const tern_tensor *t = tern_file_weight(f, 0, kind);
  if (!t) return tern_errf(err, TERN_ERR_FORMAT, "%s tensor missing",
                           kind == TERN_W_EMBD ? "embedding" : "LM head");
  if (t->dt != TERN_DT_F32 && t->dt != TERN_DT_F16 && t->dt != TERN_DT_BF16)
    return tern_errf(err, TERN_ERR_UNSUPPORTED, "tensor %s: type %s not supported (F32/F16/BF16 are)",
                     t->name, tern_dtype_name(t->dt));
  if (t->ndim != 2 || t->ne[0] != c->hidden || t->ne[1] != c->vocab)
    return tern_errf(err, TERN_ERR_DIM, "tensor %s: shape [%llu, %llu], expected [%u, %u]", t->name,
                     (unsigned long long)t->ne[0], (unsigned long long)t->ne[1], c->hidden, c->vocab);
  m->dt = t->dt;
  m->rows = c->vocab;
  m->cols = c->hidden;
  m->data = t->data;
  return TERN_OK;
}

void tern_model_free(tern_model *m) {
  if (!m) return;
  if (m->layers) {
    for (uint32_t l = 0; l < m->cfg.layers; l++) {
      free(m->layers[l].attn_norm);
      free(m->layers[l].ffn_norm);
      free(m->layers[l].attn_sub_norm);
      free(m->layers[l].ffn_sub_norm);
    }
  }
  free(m->layers);
  free(m->out_norm);
  free(((struct tern_model_priv *)m)->f16_lut);
  free(m);
}

int tern_model_load(const tern_file *f, tern_fw_accel *accel, tern_fmt fmt, tern_model **out,
                    tern_err *err) {
  if (!f || !accel || !out) return tern_errf(err, TERN_ERR_NULL, "model: NULL argument");
  *out = NULL;
  const tern_model_config *c = tern_file_config(f);
  int st = tern_config_check(c, err);
  if (st) return st;
  struct tern_model_priv *p = calloc(1, sizeof *p);
  if (!p) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  tern_model *m = &p->pub;
  m->cfg = *c;
  m->accel = accel;
  m->fmt = fmt;
  m->layers = calloc(c->layers, sizeof *m->layers);
  size_t maxn = 0;
  for (int kd = 0; kd < TERN_W_NTERN; kd++) {
    uint32_t r, k;
    tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
    if ((size_t)r * k > maxn) maxn = (size_t)r * k;
  }
  int8_t *trits = malloc(maxn);
  if (!m->layers || !trits) {
    free(trits);
    tern_model_free(m);
    return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  }
  uint32_t qd = c->heads * c->head_dim;
  for (uint32_t l = 0; l < c->layers && !st; l++) {
    tern_layer *L = &m->layers[l];
    for (int kd = 0; kd < TERN_W_NTERN && !st; kd++) {
      uint32_t r, k;
      float ws;
      tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
      st = tern_file_trits(f, l, (tern_wkind)kd, trits, maxn, &ws, err);
      if (st) break;
      st = tern_fw_upload(accel, trits, r, k, fmt, ws, &L->mat[kd]);
      if (st) {
        st = tern_errf(err, TERN_MERR_ACCEL, "layer %u: uploading weights failed: %s (%d)", l,
                       tern_fw_strerror(st), st);
        break;
      }
      m->tern_bytes += L->mat[kd].bytes;
      m->tern_macs += (uint64_t)r * k;
    }
    if (st) break;
    struct { float **dst; tern_wkind kind; uint32_t n; } norms[4] = {
        {&L->attn_norm, TERN_W_ATTN_NORM, c->hidden}, {&L->ffn_norm, TERN_W_FFN_NORM, c->hidden},
        {&L->attn_sub_norm, TERN_W_ATTN_SUB_NORM, qd},
        {&L->ffn_sub_norm, TERN_W_FFN_SUB_NORM, c->intermediate}};
    for (int i = 0; i < 4 && !st; i++) {
      *norms[i].dst = malloc(norms[i].n * sizeof(float));
      if (!*norms[i].dst) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
      else st = tern_file_floats(f, l, norms[i].kind, *norms[i].dst, norms[i].n, err);
    }
  }
  free(trits);
  if (!st) {
    m->out_norm = malloc(c->hidden * sizeof(float));
    if (!m->out_norm) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    else st = tern_file_floats(f, 0, TERN_W_OUT_NORM, m->out_norm, c->hidden, err);
  }
  if (!st) st = load_fmatrix(f, TERN_W_EMBD, c, &m->embd, err);
  if (!st) {
    if (c->tied) m->lm_head = m->embd;
    else st = load_fmatrix(f, TERN_W_LM_HEAD, c, &m->lm_head, err);
  }
  if (!st && (m->embd.dt == TERN_DT_F16 || m->lm_head.dt == TERN_DT_F16)) {
    p->f16_lut = f16_lut_new();
    if (!p->f16_lut) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  }
  if (st) {
    tern_model_free(m);
    return st;
  }
  *out = m;
  return TERN_OK;
}

/* ---- context and forward ------------------------------------------------------------------- */

struct tern_ctx {
  const tern_model *m;
  uint32_t n_ctx, max_batch, pos;
  float *kc, *vc; /* [layer][pos][kv_heads*head_dim] */
  /* scratch for max_batch tokens */
  float *x, *n, *q, *k, *v, *att, *g, *u, *y, *scores, *rowbuf, *hlast;
  int8_t *qx;
  float *sx;
  int32_t *acc[3];
};

void tern_ctx_free(tern_ctx *c) {
  if (!c) return;
  free(c->kc); free(c->vc); free(c->x); free(c->n); free(c->q); free(c->k); free(c->v);
  free(c->att); free(c->g); free(c->u); free(c->y); free(c->scores); free(c->rowbuf);
  free(c->hlast); free(c->qx); free(c->sx);
  for (int i = 0; i < 3; i++) free(c->acc[i]);
  free(c);
}

uint32_t tern_ctx_pos(const tern_ctx *c) { return c ? c->pos : 0; }

int tern_ctx_new(const tern_model *m, uint32_t n_ctx, uint32_t max_batch, tern_ctx **out,
                 tern_err *err) {
  if (!m || !out) return tern_errf(err, TERN_ERR_NULL, "ctx: NULL argument");
  const tern_model_config *c = &m->cfg;
  if (n_ctx == 0 || n_ctx > c->max_ctx)
    return tern_errf(err, TERN_ERR_DIM, "context %u outside 1..%u (the model's)", n_ctx, c->max_ctx);
  if (max_batch == 0 || max_batch > 4096) return tern_errf(err, TERN_ERR_DIM, "batch %u outside 1..4096", max_batch);
  tern_ctx *x = calloc(1, sizeof *x);
  if (!x) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  x->m = m;
  x->n_ctx = n_ctx;
  x->max_batch = max_batch;
  size_t B = max_batch, qd = (size_t)c->heads * c->head_dim, kvd = (size_t)c->kv_heads * c->head_dim;
  size_t wide = c->hidden;
  if (qd > wide) wide = qd;
  if (c->intermediate > wide) wide = c->intermediate;
  size_t kv = (size_t)c->layers * n_ctx * kvd;
  x->kc = malloc(kv * sizeof(float));
  x->vc = malloc(kv * sizeof(float));
  x->x = malloc(B * c->hidden * sizeof(float));
  x->n = malloc(B * wide * sizeof(float));
  x->q = malloc(B * qd * sizeof(float));
  x->k = malloc(B * kvd * sizeof(float));
  x->v = malloc(B * kvd * sizeof(float));
  x->att = malloc(B * qd * sizeof(float));
  x->g = malloc(B * c->intermediate * sizeof(float));
  x->u = malloc(B * c->intermediate * sizeof(float));
  x->y = malloc(B * c->hidden * sizeof(float));
  x->scores = malloc(n_ctx * sizeof(float));
  x->rowbuf = malloc((size_t)c->hidden * 8 * sizeof(float));
  x->hlast = malloc(c->hidden * sizeof(float));
  x->qx = malloc(B * wide);
  x->sx = malloc(B * sizeof(float));
  for (int i = 0; i < 3; i++) x->acc[i] = malloc(B * wide * sizeof(int32_t));
  if (!x->kc || !x->vc || !x->x || !x->n || !x->q || !x->k || !x->v || !x->att || !x->g || !x->u ||
      !x->y || !x->scores || !x->rowbuf || !x->hlast || !x->qx || !x->sx || !x->acc[0] ||
      !x->acc[1] || !x->acc[2]) {
    tern_ctx_free(x);
    return tern_errf(err, TERN_ERR_NOMEM, "out of memory for a %u-token context", n_ctx);
  }
  *out = x;
  return TERN_OK;
}

/* One BitLinear group: per-token act quant of in[b*k..], one tern_fw_gemm for
 * nmat matrices, dequant to outs[m][b*rows_m..]. */
static int bitlinear(tern_ctx *c, const tern_fw_mat *const *mats, unsigned nmat, const float *in,
                     uint32_t B, float *const *outs, tern_err *err) {
  uint32_t k = mats[0]->k;
  for (uint32_t b = 0; b < B; b++) {
    int st = tern_quant_act(in + (size_t)b * k, k, c->qx + (size_t)b * k, &c->sx[b]);
    if (st) return tern_errf(err, st, "activation quantization: %s (non-finite activations)",
                             tern_strerror(st));
  }
  int32_t *const ys[3] = {c->acc[0], c->acc[1], c->acc[2]};
  int st = tern_fw_gemm(c->m->accel, mats, nmat, c->qx, B, ys);
  if (st) return tern_errf(err, TERN_MERR_ACCEL, "accelerator: %s (%d)", tern_fw_strerror(st), st);
  for (unsigned i = 0; i < nmat; i++) {
    uint32_t r = mats[i]->rows;
    for (uint32_t b = 0; b < B; b++) {
      st = tern_dequant(ys[i] + (size_t)b * r, r, c->sx[b], mats[i]->wscale, outs[i] + (size_t)b * r);
      if (st) return tern_errf(err, st, "dequantization: %s", tern_strerror(st));
    }
  }
  return TERN_OK;
}

static int forward_chunk(tern_ctx *c, const uint32_t *tok, uint32_t B, int want_last,
                         tern_err *err) {
  const tern_model *m = c->m;
  const tern_model_config *cf = &m->cfg;
  const float *lut = ((const struct tern_model_priv *)m)->f16_lut;
  uint32_t H = cf->hidden, I = cf->intermediate, hd = cf->head_dim;
  uint32_t qd = cf->heads * hd, kvd = cf->kv_heads * hd, grp = cf->heads / cf->kv_heads;
  float scale = 1.0f / sqrtf((float)hd);
  int st;
  for (uint32_t b = 0; b < B; b++) {
    if (tok[b] >= cf->vocab) return tern_errf(err, TERN_ERR_VALUE, "token id %u >= vocab %u", tok[b], cf->vocab);
    row_f32(&m->embd, lut, tok[b], c->x + (size_t)b * H);
  }
  for (uint32_t l = 0; l < cf->layers; l++) {
    const tern_layer *L = &m->layers[l];
    float *kc = c->kc + (size_t)l * c->n_ctx * kvd, *vc = c->vc + (size_t)l * c->n_ctx * kvd;
    for (uint32_t b = 0; b < B; b++)
      tern_rmsnorm(c->x + (size_t)b * H, L->attn_norm, H, cf->rms_eps, c->n + (size_t)b * H);
    const tern_fw_mat *qkv[3] = {&L->mat[TERN_W_Q], &L->mat[TERN_W_K], &L->mat[TERN_W_V]};
    float *const qkv_out[3] = {c->q, c->k, c->v};
    if ((st = bitlinear(c, qkv, 3, c->n, B, qkv_out, err))) return st;
    for (uint32_t b = 0; b < B; b++) {
      uint32_t pos = c->pos + b;
      for (uint32_t h = 0; h < cf->heads; h++) tern_rope(c->q + (size_t)b * qd + h * hd, hd, pos, cf->rope_theta);
      for (uint32_t h = 0; h < cf->kv_heads; h++) tern_rope(c->k + (size_t)b * kvd + h * hd, hd, pos, cf->rope_theta);
      memcpy(kc + (size_t)pos * kvd, c->k + (size_t)b * kvd, kvd * sizeof(float));
      memcpy(vc + (size_t)pos * kvd, c->v + (size_t)b * kvd, kvd * sizeof(float));
    }
    for (uint32_t b = 0; b < B; b++) {
      uint32_t pos = c->pos + b;
      for (uint32_t h = 0; h < cf->heads; h++) {
        const float *qh = c->q + (size_t)b * qd + h * hd;
        uint32_t kvh = h / grp;
        float mx = -INFINITY;
        for (uint32_t t = 0; t <= pos; t++) {
          const float *kt = kc + (size_t)t * kvd + kvh * hd;
          float d = 0.0f;
          for (uint32_t j = 0; j < hd; j++) d += qh[j] * kt[j];
          d = d * scale;
          c->scores[t] = d;
          if (d > mx) mx = d;
        }
        float sum = 0.0f;
        for (uint32_t t = 0; t <= pos; t++) {
          c->scores[t] = expf(c->scores[t] - mx);
          sum += c->scores[t];
        }
        float *o = c->att + (size_t)b * qd + h * hd;
        for (uint32_t j = 0; j < hd; j++) o[j] = 0.0f;
        for (uint32_t t = 0; t <= pos; t++) {
          float p = c->scores[t] / sum;
          const float *vt = vc + (size_t)t * kvd + kvh * hd;
          for (uint32_t j = 0; j < hd; j++) o[j] += p * vt[j];
        }
      }
      tern_rmsnorm(c->att + (size_t)b * qd, L->attn_sub_norm, qd, cf->rms_eps, c->n + (size_t)b * qd);
    }
    const tern_fw_mat *om[1] = {&L->mat[TERN_W_O]};
    float *const oo[1] = {c->y};
    if ((st = bitlinear(c, om, 1, c->n, B, oo, err))) return st;
    for (size_t i = 0; i < (size_t)B * H; i++) c->x[i] = c->x[i] + c->y[i];

    for (uint32_t b = 0; b < B; b++)
      tern_rmsnorm(c->x + (size_t)b * H, L->ffn_norm, H, cf->rms_eps, c->n + (size_t)b * H);
    const tern_fw_mat *gu[2] = {&L->mat[TERN_W_GATE], &L->mat[TERN_W_UP]};
    float *const guo[2] = {c->g, c->u};
    if ((st = bitlinear(c, gu, 2, c->n, B, guo, err))) return st;
    for (size_t i = 0; i < (size_t)B * I; i++) {
      float r = c->g[i] > 0.0f ? c->g[i] : 0.0f;
      c->g[i] = (r * r) * c->u[i];
    }
    for (uint32_t b = 0; b < B; b++)
      tern_rmsnorm(c->g + (size_t)b * I, L->ffn_sub_norm, I, cf->rms_eps, c->n + (size_t)b * I);
    const tern_fw_mat *dm[1] = {&L->mat[TERN_W_DOWN]};
    if ((st = bitlinear(c, dm, 1, c->n, B, oo, err))) return st;
    for (size_t i = 0; i < (size_t)B * H; i++) c->x[i] = c->x[i] + c->y[i];
  }
  if (want_last) tern_rmsnorm(c->x + (size_t)(B - 1) * H, m->out_norm, H, cf->rms_eps, c->hlast);
  return TERN_OK;
}

int tern_forward(tern_ctx *c, const uint32_t *tokens, uint32_t n, float *logits, tern_err *err) {
  if (!c || (!tokens && n)) return tern_errf(err, TERN_ERR_NULL, "forward: NULL argument");
  if (n == 0) return tern_errf(err, TERN_ERR_DIM, "forward: no tokens");
  if (n > c->n_ctx - c->pos)
    return tern_errf(err, TERN_ERR_DIM, "context full: %u + %u tokens > %u", c->pos, n, c->n_ctx);
  for (uint32_t done = 0; done < n;) {
    uint32_t B = n - done < c->max_batch ? n - done : c->max_batch;
    int last = done + B == n;
    int st = forward_chunk(c, tokens + done, B, last && logits, err);
    if (st) return st;
    c->pos += B;
    done += B;
  }
  if (logits) {
    const float *lut = ((const struct tern_model_priv *)c->m)->f16_lut;
    gemv_lut(&c->m->lm_head, lut, c->hlast, logits, c->rowbuf);
  }
  return TERN_OK;
}

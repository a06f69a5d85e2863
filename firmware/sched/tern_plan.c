/* Memory plan of a BitNet b1.58 model in DMA memory (tern_sched.h).
 * Freestanding: no libc calls. */
#include "tern_sched.h"

int tern_plan_mat_dims(const tern_plan_model *m, unsigned which, uint32_t *rows, uint32_t *k) {
  if (!m || !rows || !k) return TERN_ERR_NULL;
  uint64_t kv = (uint64_t)m->kv_heads * m->head_dim, qd = (uint64_t)m->heads * m->head_dim;
  uint64_t r, kk;
  switch (which) {
  case TERN_PLAN_Q: r = qd, kk = m->hidden; break;
  case TERN_PLAN_K:
  case TERN_PLAN_V: r = kv, kk = m->hidden; break;
  case TERN_PLAN_O: r = m->hidden, kk = qd; break;
  case TERN_PLAN_GATE:
  case TERN_PLAN_UP: r = m->intermediate, kk = m->hidden; break;
  case TERN_PLAN_DOWN: r = m->hidden, kk = m->intermediate; break;
  default: return TERN_ERR_DIM;
  }
  if (r == 0 || kk == 0 || r > TERN_MAX_ROWS || kk > TERN_MAX_K) return TERN_ERR_DIM;
  *rows = (uint32_t)r;
  *k = (uint32_t)kk;
  return TERN_OK;
}

static int take(tern_arena *a, uint64_t bytes, uint64_t align, tern_plan_region *r) {
  int st = tern_arena_alloc(a, bytes, align, &r->addr);
  if (st == TERN_OK) r->bytes = bytes;
  return st;
}

int tern_plan_model_layout(const tern_sched_hw *hw, const tern_plan_model *m, tern_arena *a,
                           tern_plan *plan, tern_plan_layer *layers, uint32_t nlayers_cap) {
  if (!hw || !m || !a || !plan || (!layers && m->layers)) return TERN_ERR_NULL;
  int st = tern_sched_hw_check(hw);
  if (st != TERN_OK) return st;
  if (m->fmt != TERN_FMT_I2 && m->fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (!(hw->formats & (1u << m->fmt))) return TERN_SCHED_ERR_FORMAT;
  if (m->layers == 0 || m->layers > nlayers_cap || m->max_batch == 0 || m->max_seq == 0 ||
      m->seqs == 0 || m->heads == 0 || m->kv_heads == 0 || m->heads % m->kv_heads ||
      (m->kv_elem_bytes != 1 && m->kv_elem_bytes != 2 && m->kv_elem_bytes != 4) ||
      (m->lm_head && m->vocab == 0))
    return TERN_ERR_DIM;

  /* widest input and tallest output decide the staging strides */
  uint32_t max_k = 0, max_rows = 0;
  for (unsigned w = 0; w < TERN_PLAN_NMAT; w++) {
    uint32_t r, k;
    st = tern_plan_mat_dims(m, w, &r, &k);
    if (st != TERN_OK) return st;
    if (k > hw->eng.max_k) return TERN_SCHED_ERR_KMAX;
    if (k > max_k) max_k = k;
    if (r > max_rows) max_rows = r;
  }
  if (m->lm_head && m->vocab > max_rows) max_rows = m->vocab;
  if (m->lm_head && m->vocab > TERN_MAX_ROWS) return TERN_ERR_DIM;
  if (m->lm_head && m->hidden > hw->eng.max_k) return TERN_SCHED_ERR_KMAX;

  const uint64_t bus = hw->bus_bytes, align = bus > 64 ? bus : 64;
  const uint64_t start = a->used;
  *plan = (tern_plan){0};
  plan->act_stride = tern_sched_act_stride(hw, max_k);
  plan->res_stride = tern_sched_res_stride(hw, max_rows);
  if (!plan->act_stride || !plan->res_stride) return TERN_ERR_DIM;
  st = take(a, (uint64_t)m->max_batch * plan->act_stride, align, &plan->act);
  for (unsigned i = 0; st == TERN_OK && i < hw->max_chain; i++)
    st = take(a, (uint64_t)m->max_batch * plan->res_stride, align, &plan->res[i]);

  uint64_t kv_bytes = 1;
  const uint64_t f[5] = {m->seqs, m->max_seq, m->kv_heads, m->head_dim, m->kv_elem_bytes};
  for (unsigned i = 0; i < 5; i++) {
    if (f[i] == 0 || kv_bytes > UINT64_MAX / f[i]) return TERN_ERR_DIM;
    kv_bytes *= f[i];
  }
  for (uint32_t l = 0; st == TERN_OK && l < m->layers; l++) {
    tern_plan_layer *L = &layers[l];
    *L = (tern_plan_layer){0};
    for (unsigned w = 0; st == TERN_OK && w < TERN_PLAN_NMAT; w++) {
      uint32_t r = 0, k = 0;
      (void)tern_plan_mat_dims(m, w, &r, &k); /* checked above */
      size_t sb = tern_engine_wstream_bytes(&hw->eng, m->fmt, r, k);
      st = sb ? take(a, sb, align, &L->w[w]) : TERN_ERR_DIM;
    }
    if (st == TERN_OK) st = take(a, kv_bytes, align, &L->kv_k);
    if (st == TERN_OK) st = take(a, kv_bytes, align, &L->kv_v);
  }
  if (st == TERN_OK && m->lm_head) {
    size_t sb = tern_engine_wstream_bytes(&hw->eng, m->fmt, m->vocab, m->hidden);
    st = sb ? take(a, sb, align, &plan->lm_head) : TERN_ERR_DIM;
  }
  if (st != TERN_OK) {
    a->used = start; /* all or nothing */
    return st;
  }
  plan->total = a->used - start;
  return TERN_OK;
}

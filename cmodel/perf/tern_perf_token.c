/* Token level: a transformer layer as the firmware issues it, CPU-side work. */
#include <math.h>
#include <string.h>

#include "tern_perf.h"

/* Issues one BitLinear group (matrices sharing one input of length k) for
 * `vectors` inputs: hardware-batch-sized commands, K split at max_k (the CPU
 * adds the partial sums). */
static int group(const tern_perf_hw *hw, uint32_t vectors, uint32_t k, uint32_t nmat,
                 const uint32_t *rows, tern_perf_cmd_fn fn, void *ctx) {
  const uint32_t hb = hw->eng.batch, mk = hw->eng.max_k;
  uint32_t kchunks = (k + mk - 1) / mk;
  uint32_t full = vectors / hb, rem = vectors % hb;
  for (uint32_t c = 0; c < kchunks; c++) {
    tern_perf_cmd cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.fmt = hw->fmt;
    cmd.k = c + 1 < kchunks ? mk : k - mk * (kchunks - 1);
    cmd.nmat = nmat;
    for (uint32_t m = 0; m < nmat; m++) cmd.rows[m] = rows[m];
    int rc;
    if (full) {
      cmd.batch = hb;
      if ((rc = fn(ctx, &cmd, (double)full)) != TERN_OK) return rc;
    }
    if (rem) {
      cmd.batch = rem;
      if ((rc = fn(ctx, &cmd, 1.0)) != TERN_OK) return rc;
    }
  }
  return TERN_OK;
}

int tern_perf_layer_cmds(const tern_perf_hw *hw, const tern_perf_model *m, uint32_t vectors,
                         tern_perf_cmd_fn fn, void *ctx) {
  if (!hw || !m || !fn) return TERN_ERR_NULL;
  if (tern_perf_model_check(m) != TERN_OK || vectors == 0) return TERN_ERR_DIM;
  uint32_t qd = m->heads * m->head_dim, kvd = m->kv_heads * m->head_dim;
  uint32_t qkv[3] = {qd, kvd, kvd}, o[1] = {m->hidden}, gu[2] = {m->inter, m->inter},
           dn[1] = {m->hidden};
  int rc;
  if ((rc = group(hw, vectors, m->hidden, 3, qkv, fn, ctx)) != TERN_OK) return rc;
  if ((rc = group(hw, vectors, qd, 1, o, fn, ctx)) != TERN_OK) return rc;
  if ((rc = group(hw, vectors, m->hidden, m->glu ? 2 : 1, gu, fn, ctx)) != TERN_OK) return rc;
  return group(hw, vectors, m->inter, 1, dn, fn, ctx);
}

typedef struct acc_ctx {
  const tern_perf_hw *hw;
  double zero_frac;
  tern_perf_phase *ph;
} acc_ctx;

static int add_cmd(void *vctx, const tern_perf_cmd *cmd, double count) {
  acc_ctx *c = vctx;
  tern_perf_cmd_out o;
  int rc = tern_perf_cmd_predict(c->hw, cmd, c->zero_frac, &o);
  if (rc != TERN_OK) return rc;
  tern_perf_phase *p = c->ph;
  p->acc_cycles += count * o.cycles;
  p->commands += count;
  p->weight_bytes += count * (double)o.weight_bytes;
  p->bytes_read += count * (double)o.bus_bytes_read + count * 128.0;
  p->bytes_written += count * (double)o.bytes_written;
  p->adds += count * o.adds;
  p->zero_trits += count * o.zero_trits;
  p->act_buf_reads += count * o.act_buf_reads * cmd->batch;
  p->acc_mem_cycles += count * o.mem_cycles;
  p->acc_compute_cycles += count * o.engine_cycles;
  return TERN_OK;
}

/* CPU-side work of `tokens` new tokens over `seqs` sequences; attn_pairs =
 * (query, key) pairs per layer summed over all tokens; lm_rows = tokens that
 * need logits. */
static void cpu_work(const tern_perf_hw *hw, const tern_perf_model *m, double tokens,
                     double attn_pairs, double lm_tokens, double lm_passes, tern_perf_phase *p) {
  double qd = (double)m->heads * m->head_dim, kvd = (double)m->kv_heads * m->head_dim;
  double h = m->hidden, in = m->inter;
  /* per token per layer: 2 RMSNorm (4 ops/elt) + sub-norms on qd and inter,
   * activation quantization of 4 inputs (3 ops/elt incl. absmax), dequant of
   * every output (2 ops), RoPE on q and k (3 ops/elt), relu^2 * u (3 ops),
   * 2 residual adds, K-split partial sums. */
  double outs = qd + 2 * kvd + h + (m->glu ? 2 : 1) * in + h;
  double kparts = 0;
  if (m->inter > hw->eng.max_k) kparts += h * (ceil((double)m->inter / hw->eng.max_k) - 1);
  if (m->hidden > hw->eng.max_k)
    kparts += (qd + 2 * kvd + 2 * in) * (ceil((double)m->hidden / hw->eng.max_k) - 1);
  if (qd > hw->eng.max_k) kparts += h * (ceil(qd / hw->eng.max_k) - 1);
  double vec = 4 * (2 * h + qd + in) + 3 * (2 * h + qd + in) + 2 * outs + 3 * (qd + kvd) + 3 * in +
               2 * h + kparts;
  p->vec_ops = vec * m->layers * tokens + 4 * h * tokens; /* + final norm */
  /* attention: q.k and p.v per head and pair, softmax ~5 ops per score */
  p->attn_macs = 2.0 * qd * attn_pairs * m->layers + 5.0 * m->heads * attn_pairs * m->layers;
  p->lm_macs = (double)m->vocab * h * lm_tokens;
  p->cpu_ops = p->vec_ops + p->attn_macs + p->lm_macs;
  /* DRAM: KV cache written once per token, read per (query, key) pair unless
   * a prefill block keeps it on chip (prefill: writes only); LM head per pass */
  double kv_elt = hw->kv_bits / 8.0;
  p->cpu_bytes = 2 * kvd * kv_elt * tokens * m->layers +
                 (double)m->vocab * h * hw->lm_head_bits / 8.0 * lm_passes;
  (void)attn_pairs;
}

static void finish_phase(const tern_perf_hw *hw, tern_perf_phase *p) {
  p->acc_s = p->acc_cycles / hw->clock_hz;
  double cpu_c = p->cpu_ops / hw->cpu_ops, cpu_m = p->cpu_bytes / hw->cpu_bw;
  p->cpu_s = cpu_c > cpu_m ? cpu_c : cpu_m;
  p->s = p->acc_s + p->cpu_s;
  p->tok_s = p->s > 0 ? p->tokens / p->s : 0;
  if (p->cpu_s > p->acc_s)
    p->bound = TERN_PERF_BOUND_CPU;
  else if (p->acc_mem_cycles >= p->acc_compute_cycles && p->acc_mem_cycles >= 0.5 * p->acc_cycles)
    p->bound = TERN_PERF_BOUND_MEM;
  else if (p->acc_compute_cycles >= 0.5 * p->acc_cycles)
    p->bound = TERN_PERF_BOUND_COMPUTE;
  else
    p->bound = TERN_PERF_BOUND_OVERHEAD;
}

int tern_perf_run(const tern_perf_hw *hw, const tern_perf_model *m, const tern_perf_workload *wl,
                  tern_perf_result *r) {
  if (!hw || !m || !wl || !r) return TERN_ERR_NULL;
  memset(r, 0, sizeof *r);
  int rc = tern_perf_hw_check(hw);
  if (rc != TERN_OK) return rc;
  if ((rc = tern_perf_model_check(m)) != TERN_OK) return rc;
  if (wl->prompt == 0 || wl->seqs == 0 || wl->seqs > 65536 || wl->prompt > (1u << 20) ||
      wl->gen > (1u << 20))
    return TERN_ERR_DIM;
  double seqs = wl->seqs, P = wl->prompt;
  /* prefill: all prompt tokens of all sequences as one batch stream */
  acc_ctx c = {hw, m->zero_frac, &r->prefill};
  uint64_t vec = (uint64_t)wl->prompt * wl->seqs;
  if (vec > 0xffffffffull) return TERN_ERR_DIM;
  if ((rc = tern_perf_layer_cmds(hw, m, (uint32_t)vec, add_cmd, &c)) != TERN_OK) return rc;
  tern_perf_phase *pf = &r->prefill;
  double L = m->layers;
  pf->acc_cycles *= L, pf->commands *= L, pf->weight_bytes *= L, pf->bytes_read *= L;
  pf->bytes_written *= L, pf->adds *= L, pf->zero_trits *= L, pf->act_buf_reads *= L;
  pf->acc_mem_cycles *= L, pf->acc_compute_cycles *= L;
  pf->tokens = P * seqs;
  cpu_work(hw, m, P * seqs, seqs * P * (P + 1) / 2, seqs, 1, pf);
  finish_phase(hw, pf);
  /* decode: one step of all sequences at the mean context */
  c.ph = &r->decode;
  if ((rc = tern_perf_layer_cmds(hw, m, wl->seqs, add_cmd, &c)) != TERN_OK) return rc;
  tern_perf_phase *d = &r->decode;
  d->acc_cycles *= L, d->commands *= L, d->weight_bytes *= L, d->bytes_read *= L;
  d->bytes_written *= L, d->adds *= L, d->zero_trits *= L, d->act_buf_reads *= L;
  d->acc_mem_cycles *= L, d->acc_compute_cycles *= L;
  d->tokens = seqs;
  double ctx = P + (wl->gen ? (wl->gen + 1) / 2.0 : 1);
  cpu_work(hw, m, seqs, seqs * ctx, seqs, 1, d);
  /* decode reads the whole KV cache every step */
  d->cpu_bytes += 2.0 * m->kv_heads * m->head_dim * (hw->kv_bits / 8.0) * ctx * seqs * L;
  finish_phase(hw, d);
  /* model weight bytes as stored for this engine (one pass, batch 1) */
  r->weight_bytes_model =
      d->weight_bytes / (wl->seqs > hw->eng.batch ? ceil(seqs / hw->eng.batch) : 1.0);
  return TERN_OK;
}

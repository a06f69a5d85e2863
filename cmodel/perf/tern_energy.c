/* Energy model: per-operation energies of a process node times the activity
 * the performance model predicts (the accelerator's counters plus the
 * CPU-side work), and the published BitNet accounting. */
#include <math.h>
#include <string.h>

#include "tern_perf.h"

const char *tern_energy_part_name(int part) {
  static const char *n[TERN_E_N] = {"ternary adds",
                                    "zero trits (gated)",
                                    "table build adds",
                                    "table writes (LUT RAM)",
                                    "table reads (LUT RAM)",
                                    "byte adds (A+B)",
                                    "adder trees",
                                    "accumulate adds",
                                    "partial-sum RAM",
                                    "activation buffer",
                                    "DMA buffers + B3 decode",
                                    "DRAM weights",
                                    "DRAM acts+results",
                                    "control/clock",
                                    "CPU arithmetic",
                                    "CPU SRAM",
                                    "CPU DRAM (KV + LM head)"};
  return part >= 0 && part < TERN_E_N ? n[part] : "?";
}

int tern_energy_part_applies(const tern_perf_hw *hw, int part) {
  if (!hw || part < 0 || part >= TERN_E_N) return 0;
  int lut = hw->design == TERN_PERF_LUT;
  switch (part) {
  case TERN_E_ADDS:
  case TERN_E_ZERO: return !lut;
  case TERN_E_TAB_BUILD:
  case TERN_E_TAB_WRITE:
  case TERN_E_TAB_READ:
  case TERN_E_BYTE_ADD:
  case TERN_E_TREE_ADD:
  case TERN_E_PSUM:
  case TERN_E_DMA_BUF: return lut;
  default: return 1;
  }
}

int tern_energy_mem_pj_bit(const tern_energy_node *n, const char *type, double *pj_bit) {
  if (!n || !type || !pj_bit) return TERN_ERR_NULL;
  for (int i = 0; i < n->n_mem; i++)
    if (!strcmp(n->mem_name[i], type)) {
      *pj_bit = n->mem_pj_bit[i];
      return TERN_OK;
    }
  return TERN_ERR_DIM;
}

double tern_energy_sram_pj(const tern_energy_node *n, double bytes) {
  if (!n) return 0;
  const double x[3] = {8192, 32768, 1048576}, y[3] = {n->sram_8k, n->sram_32k, n->sram_1m};
  if (!(bytes > x[0])) return y[0];
  int i = bytes <= x[1] ? 0 : 1;
  double b = bytes > x[2] ? x[2] : bytes;
  if (b > x[2]) b = x[2];
  if (y[i] <= 0 || y[i + 1] <= 0) return y[0];
  double t = log(b / x[i]) / log(x[i + 1] / x[i]);
  double v = exp(log(y[i]) + t * (log(y[i + 1]) - log(y[i])));
  /* past 1 MB: linear in size (more banks on the path) */
  return bytes > x[2] ? v * bytes / x[2] : v;
}

double tern_energy_bank_pj(const tern_energy_node *n, double bank_bytes) {
  if (!n) return 0;
  if (bank_bytes >= 8192) return tern_energy_sram_pj(n, bank_bytes);
  if (!(bank_bytes > 0)) return 0;
  return n->sram_8k * sqrt(bank_bytes / 8192);
}

double tern_energy_add_pj(const tern_energy_node *n, double bits) {
  if (!n) return 0;
  double b = (n->int32_add - n->int8_add) / 24.0;
  return n->int8_add + b * (bits - 8);
}

/* ---- table-lookup engine activity (rtl/engine/tern_engine.sv) ---------------- */
#define ENG_BUILD_STEPS 16 /* builder steps a table (one write and one add each) */
#define ENG_TAB_W 10       /* TabW: table entry bits */
#define ENG_BYTE_W 11      /* ByteW: A + B */
#define ENG_B3_DEC_ADDS 2  /* tern_b3_split: lo = m(a) + b, then the compare-subtract of 27 */
#define ENG_B3_DEC_W 6

static uint32_t clog2(uint64_t x) {
  uint32_t r = 0;
  while ((1ull << r) < x) r++;
  return r;
}

/* Summed widths of tern_add_tree's adders for n inputs of w bits. */
static double tree_bits(uint32_t n, uint32_t w) {
  if (n <= 1) return 0;
  uint32_t nl = n / 2;
  return (double)(w + clog2(n)) + tree_bits(nl, w) + tree_bits(n - nl, w);
}

static uint32_t psum_w(const tern_engine_params *e) { return clog2(e->max_k) + 9; }
static uint32_t act_depth(const tern_engine_params *e) {
  uint32_t d = (e->max_k + 4 * e->word_bytes - 1) / (4 * e->word_bytes);
  return d > 1 ? d : 2;
}
static uint32_t psum_depth(const tern_engine_params *e) {
  uint32_t g = tern_engine_tile_rows(e) / e->lanes;
  return 2u << (g > 1 ? clog2(g) : 1);
}

int tern_energy_cmd_act(const tern_perf_hw *hw, const tern_perf_cmd *cmd,
                        const tern_perf_cmd_out *o, int gated, double count, tern_energy_act *a) {
  if (!hw || !cmd || !o || !a) return TERN_ERR_NULL;
  if (hw->design != TERN_PERF_LUT) return TERN_ERR_VALUE;
  const tern_engine_params *e = &hw->eng;
  if (tern_engine_params_check(e) != TERN_OK) return TERN_ERR_DIM;
  if (cmd->fmt != TERN_FMT_I2 && cmd->fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (cmd->nmat < 1 || cmd->nmat > 4 || cmd->batch < 1 || cmd->batch > e->batch || cmd->k < 1 ||
      cmd->k > e->max_k)
    return TERN_ERR_DIM;
  if (!(count >= 0) || !isfinite(count)) return TERN_ERR_VALUE;
  const double L = e->lanes, wb = e->word_bytes, v = gated ? cmd->batch : e->batch;
  const double banks = cmd->fmt == TERN_FMT_B3 ? 5 : 4; /* TpB */
  const uint64_t words =
      (cmd->k + tern_engine_word_trits(e, cmd->fmt) - 1) / tern_engine_word_trits(e, cmd->fmt);
  const uint64_t gpt = tern_engine_tile_rows(e) / e->lanes;
  const double beats = (double)o->weight_bytes / e->w_beat_bytes;
  double builds = 0, drains = 0, loads = 0;
  for (uint32_t m = 0; m < cmd->nmat; m++) {
    if (!cmd->rows[m]) return TERN_ERR_DIM;
    uint64_t groups = (cmd->rows[m] + e->lanes - 1) / e->lanes;
    uint64_t tiles = (groups + gpt - 1) / gpt;
    /* the builder starts the next build whenever the tables are taken, so
     * one more runs while the last tile drains */
    builds += (double)(tiles * words + 1);
    drains += (double)groups;
    if (m == 0 || !hw->keep_act) loads += 1;
  }
  double lanes_v = beats * L * v;
  a->beats += count * beats;
  a->builds += count * builds;
  a->build_adds += count * builds * ENG_BUILD_STEPS * 2 * wb * v;
  a->tab_writes += count * builds * ENG_BUILD_STEPS * 2 * wb * v;
  a->tab_reads += count * lanes_v * wb * 2;
  a->byte_adds += count * lanes_v * wb;
  a->tree_adds += count * lanes_v * (wb - 1);
  a->tree_bits += count * lanes_v * tree_bits(e->word_bytes, ENG_BYTE_W);
  a->acc_adds += count * lanes_v;
  a->psum_reads += count * (beats + drains);
  a->psum_writes += count * beats;
  a->psum_bits += count * (2 * beats + drains) * L * (v * psum_w(e) + 1);
  a->abuf_reads += count * builds * banks * v;
  a->abuf_writes +=
      count * loads * cmd->batch * (double)((cmd->k + e->act_beat_bytes - 1) / e->act_beat_bytes);
  if (cmd->fmt == TERN_FMT_B3) a->b3_decodes += count * (double)o->weight_bytes;
  a->dma_bytes += count * ((double)o->bus_bytes_read + 128 + (double)o->bytes_written);
  return TERN_OK;
}

typedef struct act_ctx {
  const tern_perf_hw *hw;
  double zero_frac, layers;
  int gated;
  tern_energy_act *a;
} act_ctx;

static int act_cmd(void *vctx, const tern_perf_cmd *cmd, double count) {
  act_ctx *c = vctx;
  tern_perf_cmd_out o;
  int rc = tern_perf_cmd_predict(c->hw, cmd, c->zero_frac, &o);
  if (rc != TERN_OK) return rc;
  return tern_energy_cmd_act(c->hw, cmd, &o, c->gated, count * c->layers, c->a);
}

int tern_energy_layers_act(const tern_perf_hw *hw, const tern_perf_model *m, uint32_t vectors,
                           int gated, tern_energy_act *a) {
  if (!hw || !m || !a) return TERN_ERR_NULL;
  memset(a, 0, sizeof *a);
  if (hw->design != TERN_PERF_LUT) return TERN_ERR_VALUE;
  act_ctx c = {hw, m->zero_frac, m->layers, gated, a};
  return tern_perf_layer_cmds(hw, m, vectors, act_cmd, &c);
}

/* Engine parts of a table-lookup activity, pJ (not per token). */
static void lut_parts(const tern_perf_hw *hw, const tern_energy_node *n, const tern_energy_act *a,
                      double *pj) {
  const tern_engine_params *e = &hw->eng;
  const double byte_w = hw->fmt == TERN_FMT_B3 ? ENG_BYTE_W + 1 : ENG_BYTE_W; /* + negate carry */
  pj[TERN_E_TAB_BUILD] = a->build_adds * tern_energy_add_pj(n, ENG_TAB_W + 1);
  pj[TERN_E_TAB_WRITE] = a->tab_writes * n->lutram_wr_10b;
  pj[TERN_E_TAB_READ] = a->tab_reads * n->lutram_rd_10b;
  pj[TERN_E_BYTE_ADD] = a->byte_adds * tern_energy_add_pj(n, byte_w);
  pj[TERN_E_TREE_ADD] =
      a->tree_adds > 0 ? a->tree_adds * tern_energy_add_pj(n, a->tree_bits / a->tree_adds) : 0;
  pj[TERN_E_ACCUM] = a->acc_adds * tern_energy_add_pj(n, psum_w(e));
  /* wide rows as 64-bit slices of psum_depth entries; a write costs a read */
  pj[TERN_E_PSUM] = a->psum_bits / 64 * tern_energy_bank_pj(n, psum_depth(e) * 8.0);
  pj[TERN_E_ACTBUF] = (a->abuf_reads + a->abuf_writes) * (e->word_bytes / 8.0) *
                      tern_energy_bank_pj(n, (double)act_depth(e) * e->word_bytes);
  /* every byte is written into and read out of a DMA buffer (64-bit slices
   * of rd_fifo_beats entries) */
  pj[TERN_E_DMA_BUF] = a->dma_bytes * 2 / 8 * tern_energy_bank_pj(n, hw->rd_fifo_beats * 8.0) +
                       a->b3_decodes * ENG_B3_DEC_ADDS * tern_energy_add_pj(n, ENG_B3_DEC_W);
}

int tern_energy_phase(const tern_perf_hw *hw, const tern_energy_node *n, const tern_perf_phase *ph,
                      const tern_energy_act *act, const tern_energy_act *gated,
                      tern_energy_out *out) {
  if (!hw || !n || !ph || !out) return TERN_ERR_NULL;
  memset(out, 0, sizeof *out);
  if (!(ph->tokens > 0)) return TERN_ERR_DIM;
  const int lut = hw->design == TERN_PERF_LUT;
  if (lut && !act) return TERN_ERR_NULL;
  if (lut && !(n->lutram_rd_10b > 0 && n->lutram_wr_10b > 0)) return TERN_ERR_VALUE;
  double dram;
  int rc = tern_energy_mem_pj_bit(n, hw->mem_type, &dram);
  if (rc != TERN_OK) return rc;
  const tern_engine_params *e = &hw->eng;
  double t = ph->tokens;
  double macs_cycle =
      (double)e->lanes * e->word_bytes * (hw->fmt == TERN_FMT_B3 ? 5 : 4) * e->batch;
  if (lut) {
    lut_parts(hw, n, act, out->pj);
    if (gated) {
      double g[TERN_E_N] = {0};
      lut_parts(hw, n, gated, g);
      for (int i = 0; i < TERN_E_N; i++) out->idle_pj += out->pj[i] - g[i];
    }
  } else {
    /* design A (row-parallel): one INT8 add per nonzero trit (PERF_ADDS),
     * zero trits gated; activation buffer: Batch x 5 banks x WordBytes, one
     * read of all banks per weight beat and batch vector */
    double abuf = hw->act_buf_bytes
                      ? hw->act_buf_bytes
                      : (double)e->batch * 5 * e->word_bytes * (e->max_k / 4.0 / e->word_bytes);
    double words64 = ph->act_buf_reads * (hw->fmt == TERN_FMT_B3 ? 5.0 : 4.0) * e->word_bytes / 8.0;
    out->pj[TERN_E_ADDS] = ph->adds * n->int8_add;
    out->pj[TERN_E_ZERO] = 0; /* zero trits select 0: no adder toggles (assumption) */
    out->pj[TERN_E_ACTBUF] = words64 * tern_energy_sram_pj(n, abuf);
    out->pj[TERN_E_ACCUM] = ph->act_buf_reads * e->lanes * n->int32_add;
  }
  out->pj[TERN_E_DRAM_W] = ph->weight_bytes * 8 * dram;
  out->pj[TERN_E_DRAM_IO] = (ph->bytes_read - ph->weight_bytes + ph->bytes_written) * 8 * dram;
  out->pj[TERN_E_CTRL] = ph->acc_cycles * n->ctrl_pj_cycle_kmac * macs_cycle / 1000.0;
  /* CPU side: vector ops in fp32, attention in fp16, LM head int8 MACs */
  double lm_mac = hw->lm_head_bits <= 8 ? n->int8_mul + n->int32_add : n->fp16_mul + n->fp16_add;
  out->pj[TERN_E_CPU_OPS] = ph->vec_ops * 0.5 * (n->fp32_add + n->fp32_mul) +
                            ph->attn_macs * (n->fp16_mul + n->fp16_add) + ph->lm_macs * lm_mac;
  /* one 64-bit read of a 32 KB L1 per 4 operations (operands in registers otherwise) */
  out->pj[TERN_E_CPU_SRAM] = ph->cpu_ops / 4.0 * n->sram_32k;
  out->pj[TERN_E_CPU_DRAM] = ph->cpu_bytes * 8 * dram;
  for (int i = 0; i < TERN_E_N; i++) {
    out->pj[i] /= t;
    out->total_pj += out->pj[i];
  }
  out->idle_pj /= t;
  return TERN_OK;
}

int tern_energy_run(const tern_perf_hw *hw, const tern_energy_node *n, const tern_perf_model *m,
                    const tern_perf_workload *wl, const tern_perf_result *r,
                    tern_energy_out *prefill, tern_energy_out *decode) {
  if (!hw || !n || !m || !wl || !r || !prefill || !decode) return TERN_ERR_NULL;
  memset(prefill, 0, sizeof *prefill);
  memset(decode, 0, sizeof *decode);
  if (hw->design != TERN_PERF_LUT) {
    int rc = tern_energy_phase(hw, n, &r->prefill, NULL, NULL, prefill);
    return rc != TERN_OK ? rc : tern_energy_phase(hw, n, &r->decode, NULL, NULL, decode);
  }
  uint64_t pv = (uint64_t)wl->prompt * wl->seqs;
  if (pv == 0 || pv > 0xffffffffull || wl->seqs == 0) return TERN_ERR_DIM;
  const uint32_t vec[2] = {(uint32_t)pv, wl->seqs};
  const tern_perf_phase *ph[2] = {&r->prefill, &r->decode};
  tern_energy_out *out[2] = {prefill, decode};
  for (int i = 0; i < 2; i++) {
    tern_energy_act a, g;
    int rc = tern_energy_layers_act(hw, m, vec[i], 0, &a);
    if (rc == TERN_OK) rc = tern_energy_layers_act(hw, m, vec[i], 1, &g);
    if (rc == TERN_OK) rc = tern_energy_phase(hw, n, ph[i], &a, &g, out[i]);
    if (rc != TERN_OK) return rc;
  }
  return TERN_OK;
}

int tern_energy_bitnet_table(const tern_energy_node *node, uint32_t d, uint32_t layers, uint32_t n,
                             int wbits, double *mul_j, double *add_j) {
  if (!node || !mul_j || !add_j) return TERN_ERR_NULL;
  if (!d || !layers || !n) return TERN_ERR_DIM;
  /* per layer: q, k, v, o (d x d) and FFN d -> 4d -> d: 12 d^2 weights;
   * m x n inputs times n x p weights: m n p MULs, m (n-1) p ADDs */
  double D = d, N = n, L = layers;
  double lin_mul = N * 12 * D * D * L;
  double lin_add = N * (4 * (D - 1) * D + (D - 1) * 4 * D + (4 * D - 1) * D) * L;
  /* attention scores and weighted sum: two n x d x n products per layer */
  double att_mul = 2 * N * N * D * L;
  double att_add = 2 * N * (N - 1) * D * L;
  double em, ea;
  if (wbits == 32)
    em = node->fp32_mul, ea = node->fp32_add;
  else if (wbits == 16)
    em = node->fp16_mul, ea = node->fp16_add;
  else if (wbits == 1) {
    /* BitNet: INT8 adds for BitLinear; FP16 attention; the scaling by beta
     * and gamma/Qb is m x p + m x n FP16 multiplies per matrix */
    double scale = N * (4 * (D + D) + (D + 4 * D) + (4 * D + D)) * L;
    *mul_j = (att_mul + scale) * node->fp16_mul * 1e-12;
    *add_j = (lin_add * node->int8_add + att_add * node->fp16_add) * 1e-12;
    return TERN_OK;
  } else
    return TERN_ERR_FORMAT;
  *mul_j = (lin_mul + att_mul) * em * 1e-12;
  *add_j = (lin_add + att_add) * ea * 1e-12;
  return TERN_OK;
}

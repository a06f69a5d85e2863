/* Energy model: per-operation energies of a process node times the activity
 * the performance model predicts (the accelerator's counters plus the
 * CPU-side work), and the published BitNet accounting. */
#include <math.h>
#include <string.h>

#include "tern_perf.h"

const char *tern_energy_part_name(int part) {
  static const char *n[TERN_E_N] = {
      "ternary adds", "zero trits (gated)",     "activation buffer", "int32 accumulate",
      "DRAM weights", "DRAM acts+results",      "control/clock",     "CPU arithmetic",
      "CPU SRAM",     "CPU DRAM (KV + LM head)"};
  return part >= 0 && part < TERN_E_N ? n[part] : "?";
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

int tern_energy_phase(const tern_perf_hw *hw, const tern_energy_node *n, const tern_perf_phase *ph,
                      tern_energy_out *out) {
  if (!hw || !n || !ph || !out) return TERN_ERR_NULL;
  memset(out, 0, sizeof *out);
  if (!(ph->tokens > 0)) return TERN_ERR_DIM;
  double dram;
  int rc = tern_energy_mem_pj_bit(n, hw->mem_type, &dram);
  if (rc != TERN_OK) return rc;
  const tern_engine_params *e = &hw->eng;
  double t = ph->tokens;
  /* activation buffer: Batch x 5 banks x WordBytes; one read of all banks
   * per weight beat and batch vector */
  double abuf = hw->act_buf_bytes
                    ? hw->act_buf_bytes
                    : (double)e->batch * 5 * e->word_bytes * (e->max_k / 4.0 / e->word_bytes);
  double words64 = ph->act_buf_reads * (hw->fmt == TERN_FMT_B3 ? 5.0 : 4.0) * e->word_bytes / 8.0;
  double macs_cycle =
      (double)e->lanes * e->word_bytes * (hw->fmt == TERN_FMT_B3 ? 5 : 4) * e->batch;
  out->pj[TERN_E_ADDS] = ph->adds * n->int8_add;
  out->pj[TERN_E_ZERO] = 0; /* zero trits select 0: no adder toggles (assumption) */
  out->pj[TERN_E_ACTBUF] = words64 * tern_energy_sram_pj(n, abuf);
  out->pj[TERN_E_ACCUM] = ph->act_buf_reads * e->lanes * n->int32_add;
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

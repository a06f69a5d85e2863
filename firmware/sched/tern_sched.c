/* Scheduling core: hardware description, layouts, command builder.
 * Freestanding: no libc calls (tern_sched.h). */
#include "tern_sched.h"

#include "tern_regs.h"

const char *tern_sched_strerror(int code) {
  switch (code) {
  case TERN_SCHED_ERR_KMAX: return "K exceeds the accelerator's MAX_K";
  case TERN_SCHED_ERR_CHAIN: return "matrix group empty or longer than the accelerator's MAX_CHAIN";
  case TERN_SCHED_ERR_SPACE: return "DMA memory plan does not fit";
  case TERN_SCHED_ERR_MATCH: return "matrices of one group differ in K or weight format";
  case TERN_SCHED_ERR_ALIGN: return "DMA address or stride not aligned to the bus width";
  case TERN_SCHED_ERR_WBYTES: return "weight stream length does not match the engine layout";
  case TERN_SCHED_ERR_CMDS: return "command array too small";
  case TERN_SCHED_ERR_FORMAT: return "weight format not supported by the accelerator";
  default: return tern_strerror(code);
  }
}

static int pow2(uint64_t v) { return v && !(v & (v - 1u)); }

int tern_sched_hw_check(const tern_sched_hw *hw) {
  if (!hw) return TERN_ERR_NULL;
  int st = tern_engine_params_check(&hw->eng);
  if (st != TERN_OK) return st;
  if (!pow2(hw->bus_bytes) || hw->bus_bytes < 8 || hw->bus_bytes > 64) return TERN_ERR_DIM;
  if (hw->max_chain == 0 || hw->max_chain > TERN_CMD_MAX_CHAIN) return TERN_ERR_DIM;
  if ((hw->formats & 3u) == 0) return TERN_ERR_FORMAT;
  return TERN_OK;
}

int tern_sched_hw_from_regs(tern_sched_hw *hw, uint32_t h0, uint32_t h1, uint32_t h2,
                            uint32_t tile_rows) {
  if (!hw) return TERN_ERR_NULL;
  tern_engine_params *e = &hw->eng;
  e->lanes = (h0 & TERN_REGS__HWCFG0__LANES_bm) >> TERN_REGS__HWCFG0__LANES_bp;
  e->word_bytes = (h0 & TERN_REGS__HWCFG0__WORD_BYTES_bm) >> TERN_REGS__HWCFG0__WORD_BYTES_bp;
  e->batch = (h1 & TERN_REGS__HWCFG1__BATCH_bm) >> TERN_REGS__HWCFG1__BATCH_bp;
  e->max_k = h2;
  e->acc_width = 32;
  e->act_beat_bytes = e->word_bytes;
  e->w_beat_bytes = e->lanes * e->word_bytes;
  e->tile_rows = tile_rows;
  hw->bus_bytes = (h1 & TERN_REGS__HWCFG1__BUS_BYTES_bm) >> TERN_REGS__HWCFG1__BUS_BYTES_bp;
  hw->formats = (h1 & TERN_REGS__HWCFG1__FORMATS_bm) >> TERN_REGS__HWCFG1__FORMATS_bp;
  hw->max_chain = (h1 & TERN_REGS__HWCFG1__MAX_CHAIN_bm) >> TERN_REGS__HWCFG1__MAX_CHAIN_bp;
  return tern_sched_hw_check(hw);
}

/* ---- arena ---------------------------------------------------------------- */

void tern_arena_init(tern_arena *a, uint64_t base, uint64_t size) {
  if (!a) return;
  a->base = base;
  a->size = size > UINT64_MAX - base ? UINT64_MAX - base : size; /* no wrap past 2^64 */
  a->used = 0;
}

int tern_arena_alloc(tern_arena *a, uint64_t bytes, uint64_t align, uint64_t *addr) {
  if (!a || !addr) return TERN_ERR_NULL;
  if (align == 0) align = 64;
  if (!pow2(align) || bytes == 0) return TERN_ERR_DIM;
  uint64_t at = a->base + a->used;
  uint64_t pad = (align - (at & (align - 1u))) & (align - 1u);
  if (pad > a->size - a->used || bytes > a->size - a->used - pad) return TERN_SCHED_ERR_SPACE;
  *addr = at + pad;
  a->used += pad + bytes;
  return TERN_OK;
}

/* ---- layouts ---------------------------------------------------------------- */

uint64_t tern_sched_round_up(uint64_t v, uint64_t a) { return a ? (v + a - 1u) / a * a : v; }

uint32_t tern_sched_act_stride(const tern_sched_hw *hw, uint32_t k) {
  if (!hw || !hw->bus_bytes || k == 0 || k > TERN_MAX_K) return 0;
  return (uint32_t)tern_sched_round_up(k, hw->bus_bytes);
}

uint32_t tern_sched_res_stride(const tern_sched_hw *hw, uint32_t rows) {
  if (!hw || !hw->bus_bytes || rows == 0 || rows > (UINT32_MAX - 64u) / 4u) return 0;
  return (uint32_t)tern_sched_round_up(4ull * rows, hw->bus_bytes);
}

int tern_sched_stage_acts(const int8_t *x, uint32_t k, uint32_t batch, uint8_t *dst, size_t dst_len,
                          uint32_t stride) {
  if (!x || !dst) return TERN_ERR_NULL;
  if (k == 0 || batch == 0 || stride < k) return TERN_ERR_DIM;
  if ((uint64_t)batch * stride > dst_len) return TERN_ERR_TRUNC;
  for (uint32_t b = 0; b < batch; b++) {
    uint8_t *d = dst + (size_t)b * stride;
    const int8_t *s = x + (size_t)b * k;
    for (uint32_t j = 0; j < k; j++) d[j] = (uint8_t)s[j];
    for (uint32_t j = k; j < stride; j++) d[j] = 0;
  }
  return TERN_OK;
}

int tern_sched_read_results(const uint8_t *src, size_t src_len, uint32_t stride, uint32_t rows,
                            uint32_t batch, int32_t *y) {
  if (!src || !y) return TERN_ERR_NULL;
  if (rows == 0 || batch == 0 || stride / 4u < rows) return TERN_ERR_DIM;
  if ((uint64_t)(batch - 1u) * stride + 4ull * rows > src_len) return TERN_ERR_TRUNC;
  for (uint32_t b = 0; b < batch; b++) {
    const uint8_t *s = src + (size_t)b * stride;
    int32_t *o = y + (size_t)b * rows;
    for (uint32_t r = 0; r < rows; r++, s += 4) {
      uint32_t v =
          (uint32_t)s[0] | ((uint32_t)s[1] << 8) | ((uint32_t)s[2] << 16) | ((uint32_t)s[3] << 24);
      /* two's complement without implementation-defined conversion */
      o[r] = v <= 0x7fffffffu ? (int32_t)v : -(int32_t)(~v) - 1;
    }
  }
  return TERN_OK;
}

int tern_sched_wstream_from_trits(const tern_sched_hw *hw, tern_fmt fmt, const int8_t *trits,
                                  uint32_t rows, uint32_t k, uint8_t *scratch, size_t scratch_len,
                                  uint8_t *out, size_t out_len) {
  if (!hw || !trits || !scratch || !out) return TERN_ERR_NULL;
  if (fmt != TERN_FMT_I2 && fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (!(hw->formats & (1u << fmt))) return TERN_SCHED_ERR_FORMAT;
  if (k > hw->eng.max_k) return TERN_SCHED_ERR_KMAX;
  size_t rb = tern_row_bytes(fmt, k);
  if (rb == 0 || rows == 0 || rows > TERN_MAX_ROWS) return TERN_ERR_DIM;
  if ((uint64_t)rows * rb > scratch_len) return TERN_ERR_TRUNC;
  int st = tern_pack(fmt, trits, rows, k, scratch, rb, (size_t)rows * rb);
  if (st != TERN_OK) return st;
  tern_wmat w = {fmt, rows, k, rb, scratch, (size_t)rows * rb};
  return tern_engine_wstream(&hw->eng, &w, out, out_len);
}

/* ---- command builder ---------------------------------------------------------- */

int tern_sched_gemm_check(const tern_sched_hw *hw, const tern_sched_gemm *g, uint32_t *total) {
  if (!hw || !g || !total) return TERN_ERR_NULL;
  int st = tern_sched_hw_check(hw);
  if (st != TERN_OK) return st;
  if (g->fmt != TERN_FMT_I2 && g->fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (!(hw->formats & (1u << g->fmt))) return TERN_SCHED_ERR_FORMAT;
  if (g->nmat == 0 || g->nmat > hw->max_chain) return TERN_SCHED_ERR_CHAIN;
  if (g->k == 0 || g->batch == 0) return TERN_ERR_DIM;
  if (g->k > hw->eng.max_k) return TERN_SCHED_ERR_KMAX;
  const uint64_t bus = hw->bus_bytes;
  if (g->act_stride < g->k) return TERN_ERR_DIM;
  for (uint32_t m = 0; m < g->nmat; m++) {
    if (g->rows[m] == 0 || g->rows[m] > TERN_MAX_ROWS) return TERN_ERR_DIM;
    if (g->res_stride < 4ull * g->rows[m]) return TERN_ERR_DIM;
  }
  if (g->act_addr % bus || g->act_stride % bus || g->res_stride % bus) return TERN_SCHED_ERR_ALIGN;
  for (uint32_t m = 0; m < g->nmat; m++) {
    if (g->w_addr[m] % bus || g->res_addr[m] % bus) return TERN_SCHED_ERR_ALIGN;
    if (g->w_bytes[m] != tern_engine_wstream_bytes(&hw->eng, g->fmt, g->rows[m], g->k))
      return TERN_SCHED_ERR_WBYTES;
  }
  /* the last vector's address must not wrap */
  uint64_t last = (uint64_t)(g->batch - 1u);
  if (g->act_addr > UINT64_MAX - last * g->act_stride - g->act_stride) return TERN_ERR_DIM;
  for (uint32_t m = 0; m < g->nmat; m++)
    if (g->res_addr[m] > UINT64_MAX - last * g->res_stride - g->res_stride) return TERN_ERR_DIM;
  *total = (uint32_t)((g->batch + hw->eng.batch - 1u) / hw->eng.batch);
  return TERN_OK;
}

int tern_sched_gemm_build(const tern_sched_hw *hw, const tern_sched_gemm *g, uint32_t first,
                          tern_cmd *out, uint32_t cap, uint32_t *n) {
  if (!n) return TERN_ERR_NULL;
  *n = 0;
  uint32_t total;
  int st = tern_sched_gemm_check(hw, g, &total);
  if (st != TERN_OK) return st;
  if (first > total) return TERN_ERR_DIM;
  uint32_t want = total - first < cap ? total - first : cap;
  if (want && !out) return TERN_ERR_NULL;
  if (want == 0 && first < total) return TERN_SCHED_ERR_CMDS;
  const uint32_t hb = hw->eng.batch;
  for (uint32_t i = 0; i < want; i++) {
    uint64_t b0 = (uint64_t)(first + i) * hb;
    uint32_t nb = g->batch - b0 < hb ? (uint32_t)(g->batch - b0) : hb;
    tern_cmd *cmd = &out[i];
    /* every byte set, so encode writes no stale reserved fields */
    *cmd = (tern_cmd){0};
    cmd->opcode = TERN_OP_GEMM;
    cmd->fmt = (uint8_t)g->fmt;
    cmd->nmat = (uint8_t)g->nmat;
    cmd->batch = (uint16_t)nb;
    cmd->k = g->k;
    cmd->act_stride = g->act_stride;
    cmd->act_addr = g->act_addr + b0 * g->act_stride;
    cmd->res_stride = g->res_stride;
    cmd->tag = g->tag;
    for (uint32_t m = 0; m < g->nmat; m++) {
      cmd->mat[m].w_addr = g->w_addr[m];
      cmd->mat[m].w_bytes = g->w_bytes[m];
      cmd->mat[m].rows = g->rows[m];
      cmd->mat[m].res_addr = g->res_addr[m] + b0 * g->res_stride;
    }
  }
  *n = want;
  return TERN_OK;
}

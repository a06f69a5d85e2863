/* tern_fw: uploads and GEMM groups on top of tern_dev, using the portable
 * scheduling core for every layout and command (hosted: malloc, tern_dev). */
#include "tern_fw.h"

#include <stdlib.h>
#include <string.h>

#include "tern_sched.h"

enum {
  RING_ENTRIES = 64,
  CMD_SLICE = 32,        /* commands built per submit */
  STAGE_MAX_BATCH = 256, /* vectors staged per round trip */
};

struct tern_fw_accel {
  tern_dev *dev;
  tern_sched_hw hw;
  int has_cycles;
  tern_dev_buf stage; /* activations + results of one slice */
  int timeout_ms, call_stats;
  uint64_t calls, commands, base_calls, base_commands;
  uint64_t result_hash; /* FNV-1a of all results since open */
  tern_dev_perf base, last_snap;
  tern_fw_stats call;
  tern_dev_fault fault;
  uint32_t tag;
};

const char *tern_fw_strerror(int code) {
  if (code <= -200 && code > -300) return tern_sched_strerror(code);
  return tern_dev_strerror(code);
}

int tern_fw_open(tern_fw_accel **out, const char *backend, const char *options) {
  if (!out) return TERN_ERR_NULL;
  *out = NULL;
  tern_dev *d;
  int st = tern_dev_open(&d, backend, options);
  if (st != TERN_DEV_OK) return st;
  return tern_fw_open_dev(out, d);
}

int tern_fw_open_dev(tern_fw_accel **out, tern_dev *dev) {
  if (!out || !dev) {
    tern_dev_close(dev);
    return TERN_ERR_NULL;
  }
  *out = NULL;
  tern_fw_accel *a = calloc(1, sizeof *a);
  if (!a) {
    tern_dev_close(dev);
    return TERN_ERR_NOMEM;
  }
  a->dev = dev;
  a->timeout_ms = 10000;
  a->call_stats = 1;
  a->result_hash = 0xcbf29ce484222325ull;
  tern_dev_info info;
  int st = tern_dev_info_get(dev, &info);
  if (st == TERN_DEV_OK) {
    a->hw = (tern_sched_hw){info.eng, info.bus_bytes, info.max_chain, info.formats};
    a->has_cycles = info.has_cycles;
    st = tern_sched_hw_check(&a->hw);
    if (st != TERN_OK) st = TERN_DEV_ERR_NODEV; /* HWCFG describes no usable engine */
  }
  if (st == TERN_OK) st = tern_dev_ring_init(dev, RING_ENTRIES);
  if (st == TERN_OK) st = tern_dev_perf_read(dev, &a->base);
  if (st != TERN_OK) {
    tern_fw_close(a);
    return st;
  }
  a->last_snap = a->base;
  *out = a;
  return TERN_OK;
}

void tern_fw_close(tern_fw_accel *a) {
  if (!a) return;
  tern_dev_close(a->dev); /* frees all DMA memory with it */
  free(a);
}

tern_dev *tern_fw_dev(tern_fw_accel *a) { return a ? a->dev : NULL; }

int tern_fw_info_get(tern_fw_accel *a, tern_fw_info *info) {
  if (!a || !info) return TERN_ERR_NULL;
  tern_dev_info di;
  int st = tern_dev_info_get(a->dev, &di);
  if (st != TERN_DEV_OK) return st;
  *info = (tern_fw_info){.batch = a->hw.eng.batch,
                         .max_k = a->hw.eng.max_k,
                         .max_chain = a->hw.max_chain,
                         .formats = a->hw.formats,
                         .lanes = a->hw.eng.lanes,
                         .word_bytes = a->hw.eng.word_bytes,
                         .tile_rows = tern_engine_tile_rows(&a->hw.eng),
                         .bus_bytes = a->hw.bus_bytes,
                         .dma_size = di.dma_size};
  return TERN_OK;
}

static size_t dma_align(const tern_fw_accel *a) {
  return a->hw.bus_bytes > 64 ? a->hw.bus_bytes : 64;
}

int tern_fw_upload(tern_fw_accel *a, const int8_t *trits, uint32_t rows, uint32_t k, tern_fmt fmt,
                   float wscale, tern_fw_mat *out) {
  if (!a || !trits || !out) return TERN_ERR_NULL;
  memset(out, 0, sizeof *out);
  if (fmt != TERN_FMT_I2 && fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (!(a->hw.formats & (1u << fmt))) return TERN_SCHED_ERR_FORMAT;
  if (rows == 0 || k == 0 || rows > TERN_MAX_ROWS) return TERN_ERR_DIM;
  if (k > a->hw.eng.max_k) return TERN_SCHED_ERR_KMAX;
  size_t sb = tern_engine_wstream_bytes(&a->hw.eng, fmt, rows, k);
  size_t rb = tern_row_bytes(fmt, k);
  if (sb == 0 || rb == 0 || sb > UINT32_MAX) return TERN_ERR_DIM;
  uint8_t *scratch = malloc((size_t)rows * rb);
  if (!scratch) return TERN_ERR_NOMEM;
  tern_dev_buf buf;
  int st = tern_dev_dma_alloc(a->dev, sb, dma_align(a), &buf);
  if (st == TERN_DEV_OK) {
    st = tern_sched_wstream_from_trits(&a->hw, fmt, trits, rows, k, scratch, (size_t)rows * rb,
                                       buf.host, sb);
    if (st == TERN_OK) st = tern_dev_dma_sync(a->dev, &buf, 0, sb, TERN_DEV_TO_DEVICE);
    if (st != TERN_OK) tern_dev_dma_free(a->dev, &buf);
  }
  free(scratch);
  if (st != TERN_OK) return st;
  *out = (tern_fw_mat){rows, k, fmt, wscale, buf.dev_addr, buf.host, sb};
  return TERN_OK;
}

int tern_fw_mat_free(tern_fw_accel *a, tern_fw_mat *m) {
  if (!a || !m) return TERN_ERR_NULL;
  tern_dev_buf b = {m->host_ptr, m->dev_addr, m->bytes};
  int st = tern_dev_dma_free(a->dev, &b);
  if (st == TERN_DEV_OK) memset(m, 0, sizeof *m);
  return st;
}

/* Staging for `batch` vectors of this group: activations, then one result
 * area per matrix. Grows (never shrinks) the cached DMA block. */
static int stage_for(tern_fw_accel *a, uint32_t batch, uint32_t act_stride, uint32_t res_stride,
                     unsigned nmat, uint64_t *res_off) {
  uint64_t act_bytes = tern_sched_round_up((uint64_t)batch * act_stride, 64);
  *res_off = act_bytes;
  uint64_t need = act_bytes + (uint64_t)nmat * batch * res_stride;
  if (need > SIZE_MAX) return TERN_DEV_ERR_DMA_NOMEM;
  if (a->stage.size >= need) return TERN_OK;
  if (a->stage.size) tern_dev_dma_free(a->dev, &a->stage);
  return tern_dev_dma_alloc(a->dev, (size_t)need, dma_align(a), &a->stage);
}

static void perf_delta(const tern_dev_perf *now, const tern_dev_perf *then, tern_fw_stats *s) {
  s->bytes_read = now->bytes_read - then->bytes_read;
  s->bytes_written = now->bytes_written - then->bytes_written;
  s->weight_bytes = now->weight_bytes - then->weight_bytes;
  s->adds = now->adds - then->adds;
  s->zero_trits = now->zero_trits - then->zero_trits;
  s->busy_cycles = now->busy_cycles - then->busy_cycles;
}

/* Waits for seq; on a fault or timeout records it and soft-resets. */
static int wait_seq(tern_fw_accel *a, uint64_t seq) {
  tern_dev_fault f;
  int st = tern_dev_wait(a->dev, seq, a->timeout_ms, &f);
  if (st == TERN_DEV_OK) return st;
  a->fault = f;
  tern_dev_soft_reset(a->dev);
  return st;
}

/* One slice of at most STAGE_MAX_BATCH vectors: stage, run, read back. */
static int gemm_slice(tern_fw_accel *a, const tern_fw_mat *const *mats, unsigned nmat,
                      const int8_t *x, uint32_t batch, int32_t *const *y, uint32_t b0) {
  const uint32_t k = mats[0]->k;
  uint32_t max_rows = 0;
  for (unsigned m = 0; m < nmat; m++)
    if (mats[m]->rows > max_rows) max_rows = mats[m]->rows;
  const uint32_t as = tern_sched_act_stride(&a->hw, k),
                 rs = tern_sched_res_stride(&a->hw, max_rows);
  if (!as || !rs) return TERN_ERR_DIM;
  uint64_t res_off;
  int st = stage_for(a, batch, as, rs, nmat, &res_off);
  if (st != TERN_OK) return st;

  tern_sched_gemm g = {.fmt = mats[0]->fmt,
                       .k = k,
                       .batch = batch,
                       .nmat = nmat,
                       .act_addr = a->stage.dev_addr,
                       .act_stride = as,
                       .res_stride = rs,
                       .tag = a->tag};
  for (unsigned m = 0; m < nmat; m++) {
    if (mats[m]->bytes > UINT32_MAX) return TERN_SCHED_ERR_WBYTES;
    g.w_addr[m] = mats[m]->dev_addr;
    g.w_bytes[m] = (uint32_t)mats[m]->bytes;
    g.rows[m] = mats[m]->rows;
    g.res_addr[m] = a->stage.dev_addr + res_off + (uint64_t)m * batch * rs;
  }
  uint32_t total;
  st = tern_sched_gemm_check(&a->hw, &g, &total);
  if (st != TERN_OK) return st;

  uint8_t *host = a->stage.host;
  st = tern_sched_stage_acts(x + (size_t)b0 * k, k, batch, host, (size_t)res_off, as);
  if (st == TERN_OK)
    st = tern_dev_dma_sync(a->dev, &a->stage, 0, (size_t)batch * as, TERN_DEV_TO_DEVICE);
  if (st != TERN_OK) return st;

  tern_cmd cmds[CMD_SLICE];
  for (uint32_t first = 0; first < total;) {
    uint32_t space = tern_dev_ring_space(a->dev);
    if (space == 0) {
      st = wait_seq(a, tern_dev_retired(a->dev) + 1u);
      if (st != TERN_OK) return st;
      continue;
    }
    uint32_t n;
    st = tern_sched_gemm_build(&a->hw, &g, first, cmds, space < CMD_SLICE ? space : CMD_SLICE, &n);
    if (st == TERN_OK) st = tern_dev_submit(a->dev, cmds, n, NULL);
    if (st != TERN_OK) return st;
    first += n;
    a->commands += n;
  }
  st = wait_seq(a, TERN_DEV_SEQ_ALL);
  if (st != TERN_OK) return st;

  size_t res_bytes = (size_t)nmat * batch * rs;
  st = tern_dev_dma_sync(a->dev, &a->stage, (size_t)res_off, res_bytes, TERN_DEV_FROM_DEVICE);
  for (unsigned m = 0; st == TERN_OK && m < nmat; m++)
    st = tern_sched_read_results(host + res_off + (size_t)m * batch * rs, (size_t)batch * rs, rs,
                                 mats[m]->rows, batch, y[m] + (size_t)b0 * mats[m]->rows);
  return st;
}

int tern_fw_gemm(tern_fw_accel *a, const tern_fw_mat *const *mats, unsigned nmat, const int8_t *x,
                 uint32_t batch, int32_t *const *y) {
  if (!a || !mats || !x || !y) return TERN_ERR_NULL;
  if (nmat == 0 || nmat > a->hw.max_chain) return TERN_SCHED_ERR_CHAIN;
  for (unsigned m = 0; m < nmat; m++) {
    if (!mats[m] || !y[m]) return TERN_ERR_NULL;
    if (mats[m]->k != mats[0]->k || mats[m]->fmt != mats[0]->fmt) return TERN_SCHED_ERR_MATCH;
  }
  if (batch == 0) return TERN_ERR_DIM;
  if (mats[0]->k > a->hw.eng.max_k) return TERN_SCHED_ERR_KMAX;
  memset(&a->fault, 0, sizeof a->fault);
  a->calls++;
  a->tag++;
  const uint64_t cmds0 = a->commands;
  int st = TERN_OK;
  for (uint32_t b0 = 0; st == TERN_OK && b0 < batch; b0 += STAGE_MAX_BATCH) {
    uint32_t nb = batch - b0 < STAGE_MAX_BATCH ? batch - b0 : STAGE_MAX_BATCH;
    st = gemm_slice(a, mats, nmat, x, nb, y, b0);
  }
  for (unsigned m = 0; st == TERN_OK && m < nmat; m++)
    for (size_t i = 0; i < (size_t)batch * mats[m]->rows; i++) {
      uint32_t v = (uint32_t)y[m][i];
      for (int q = 0; q < 4; q++)
        a->result_hash = (a->result_hash ^ ((v >> (8 * q)) & 0xffu)) * 0x100000001b3ull;
    }
  memset(&a->call, 0, sizeof a->call);
  if (a->call_stats) {
    tern_dev_perf now;
    if (tern_dev_perf_read(a->dev, &now) == TERN_DEV_OK) {
      perf_delta(&now, &a->last_snap, &a->call);
      a->last_snap = now;
    }
    a->call.calls = 1;
    a->call.commands = a->commands - cmds0;
    a->call.has_cycles = a->has_cycles;
  }
  return st;
}

int tern_fw_last_fault(tern_fw_accel *a, tern_dev_fault *fault) {
  if (!a || !fault) return TERN_ERR_NULL;
  *fault = a->fault;
  return TERN_OK;
}

int tern_fw_stats_get(tern_fw_accel *a, tern_fw_stats *s) {
  if (!a || !s) return TERN_ERR_NULL;
  tern_dev_perf now;
  int st = tern_dev_perf_read(a->dev, &now);
  if (st != TERN_DEV_OK) return st;
  memset(s, 0, sizeof *s);
  perf_delta(&now, &a->base, s);
  s->calls = a->calls - a->base_calls;
  s->commands = a->commands - a->base_commands;
  s->has_cycles = a->has_cycles;
  s->result_hash = a->result_hash;
  return TERN_OK;
}

int tern_fw_stats_reset(tern_fw_accel *a) {
  if (!a) return TERN_ERR_NULL;
  int st = tern_dev_perf_read(a->dev, &a->base);
  if (st != TERN_DEV_OK) return st;
  a->last_snap = a->base;
  a->base_calls = a->calls;
  a->base_commands = a->commands;
  return TERN_OK;
}

int tern_fw_call_stats(tern_fw_accel *a, tern_fw_stats *s) {
  if (!a || !s) return TERN_ERR_NULL;
  *s = a->call;
  return TERN_OK;
}

int tern_fw_set_call_stats(tern_fw_accel *a, int on) {
  if (!a) return TERN_ERR_NULL;
  a->call_stats = on != 0;
  if (on) (void)tern_dev_perf_read(a->dev, &a->last_snap);
  return TERN_OK;
}

int tern_fw_set_timeout(tern_fw_accel *a, int timeout_ms) {
  if (!a) return TERN_ERR_NULL;
  a->timeout_ms = timeout_ms;
  return TERN_OK;
}

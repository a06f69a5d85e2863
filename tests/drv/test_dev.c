/* tern_dev on every backend fixture: registers, DMA memory, ring, wait,
 * errors and recovery, perf counters; plus open errors. */
#include "drv_tests.h"

#include <stdio.h>

static int g_kind; /* fixture kind of the test being run */

static const tern_sys_params k_p = {
    .eng = {.lanes = 4,
            .word_bytes = 2,
            .batch = 2,
            .max_k = 256,
            .acc_width = 32,
            .act_beat_bytes = 2,
            .w_beat_bytes = 8,
            .tile_rows = 4},
    .bus_bytes = 16,
};
#define MEM (1u << 20)

static uint32_t rd(tern_dev *d, uint32_t off) {
  uint32_t v = 0xdeadbeefu;
  (void)tern_dev_reg_read(d, off, &v);
  return v;
}

static tern_cmd nop(uint32_t tag) {
  tern_cmd c = {0};
  c.opcode = TERN_OP_NOP;
  c.tag = tag;
  return c;
}

static void t_regs(tt_ctx *c) {
  drv_fix f;
  if (!fix_open(c, &f, g_kind, &k_p, MEM)) return;
  tern_dev *d = f.d;
  TT_EQ_INT(c, rd(d, TERN_REG(ID)), 0x5445524eu);
  TT_EQ_INT(c, rd(d, TERN_REG(VERSION)) >> 16, 1);
  tern_dev_info in;
  TT_EQ_INT(c, tern_dev_info_get(d, &in), TERN_DEV_OK);
  TT_EQ_INT(c, in.eng.lanes, 4);
  TT_EQ_INT(c, in.eng.word_bytes, 2);
  TT_EQ_INT(c, in.eng.batch, 2);
  TT_EQ_INT(c, in.eng.max_k, 256);
  TT_EQ_INT(c, in.eng.tile_rows, 4);
  TT_EQ_INT(c, in.bus_bytes, 16);
  TT_EQ_INT(c, in.max_chain, TERN_CMD_MAX_CHAIN);
  TT_EQ_INT(c, in.formats, 3);
  TT_EQ_INT(c, in.dma_base, f.base);
  TT_EQ_INT(c, in.dma_size, MEM);
  TT_EQ_INT(c, tern_engine_params_check(&in.eng), TERN_OK);
  /* open programmed the window to the DMA memory */
  TT_EQ_INT(c, rd(d, TERN_REG(WIN_BASE_LO)), (uint32_t)f.base);
  TT_EQ_INT(c, rd(d, TERN_REG(WIN_BASE_HI)), (uint32_t)(f.base >> 32));
  TT_EQ_INT(c, rd(d, TERN_REG(WIN_SIZE_LO)), MEM);
  TT_EQ_INT(c, rd(d, TERN_REG(CTRL)), 0); /* disabled until a ring exists */
  /* read/write registers; IRQ_ENABLE keeps its 3 bits */
  TT_EQ_INT(c, tern_dev_reg_write(d, TERN_REG(IRQ_ENABLE), 0xffu), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(IRQ_ENABLE)), 7);
  TT_EQ_INT(c, tern_dev_reg_write(d, TERN_REG(IRQ_ENABLE), 0), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_reg_write(d, TERN_REG(RING_SIZE), 0x1234u), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(RING_SIZE)), 0x1234u);
  /* bad offsets and arguments */
  uint32_t v;
  TT_EQ_INT(c, tern_dev_reg_read(d, 2, &v), TERN_DEV_ERR_REG);
  TT_EQ_INT(c, tern_dev_reg_write(d, 0x151, 0), TERN_DEV_ERR_REG);
  TT_EQ_INT(c, tern_dev_reg_read(d, 0x1000, &v), TERN_DEV_ERR_REG);
  TT_EQ_INT(c, tern_dev_reg_read(d, 0, NULL), TERN_DEV_ERR_ARG);
  TT_EQ_INT(c, tern_dev_reg_read(NULL, 0, &v), TERN_DEV_ERR_ARG);
  TT_CHECK(c, !strcmp(tern_dev_backend(d), g_kind == FIX_CMODEL ? "cmodel" : "uio"));
  fix_close(&f);
}

static void t_dma(tt_ctx *c) {
  drv_fix f;
  if (!fix_open(c, &f, g_kind, &k_p, MEM)) return;
  tern_dev *d = f.d;
  tern_dev_buf b[8];
  static const size_t aligns[8] = {0, 1, 16, 64, 128, 4096, 65536, 32};
  for (int i = 0; i < 8; i++) {
    TT_EQ_INT(c, tern_dev_dma_alloc(d, 1000 + 7 * i, aligns[i], &b[i]), TERN_DEV_OK);
    size_t al = aligns[i] ? aligns[i] : 64;
    TT_EQ_INT(c, b[i].dev_addr % al, 0);
    TT_CHECK(c, b[i].dev_addr >= f.base && b[i].dev_addr + b[i].size <= f.base + MEM);
    TT_EQ_INT(c, b[i].size, 1000 + 7 * i);
    memset(b[i].host, 0x40 + i, b[i].size);
  }
  /* no overlaps: every block still holds its own pattern */
  for (int i = 0; i < 8; i++) {
    const uint8_t *h = b[i].host;
    TT_CHECK(c, h[0] == 0x40 + i && h[b[i].size - 1] == 0x40 + i);
    if (f.mock) { /* the device sees the bytes at the device address */
      const uint8_t *dv = mock_uio_mem(f.mock, b[i].dev_addr);
      TT_CHECK(c, dv && dv[0] == 0x40 + i && dv[b[i].size - 1] == 0x40 + i);
    }
  }
  tern_dev_buf x;
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 10, 3, &x), TERN_DEV_ERR_ARG);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 0, 64, &x), TERN_DEV_ERR_ARG);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, MEM + 1, 64, &x), TERN_DEV_ERR_DMA_NOMEM);
  /* exhaustion: 64 KiB blocks until none fits, then a free makes room */
  tern_dev_buf big[32];
  int n = 0;
  while (n < 32 && tern_dev_dma_alloc(d, 65536, 65536, &big[n]) == TERN_DEV_OK) n++;
  TT_CHECK(c, n >= 12 && n < 16); /* 16 fit an empty 1 MiB; the small blocks take some */
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 65536, 65536, &x), TERN_DEV_ERR_DMA_NOMEM);
  TT_EQ_INT(c, tern_dev_dma_free(d, &big[n / 2]), TERN_DEV_OK);
  TT_EQ_INT(c, big[n / 2].size, 0);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 65536, 65536, &big[n / 2]), TERN_DEV_OK);
  tern_dev_buf bogus = b[3];
  bogus.dev_addr += 64;
  bogus.host = (uint8_t *)bogus.host + 64;
  TT_EQ_INT(c, tern_dev_dma_free(d, &bogus), TERN_DEV_ERR_ARG);
  for (int i = 0; i < 8; i++) TT_EQ_INT(c, tern_dev_dma_free(d, &b[i]), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_dma_free(d, &b[0]), TERN_DEV_ERR_ARG); /* already freed */
  for (int i = 0; i < n; i++) TT_EQ_INT(c, tern_dev_dma_free(d, &big[i]), TERN_DEV_OK);
  /* everything back: one block of the whole memory fits again */
  TT_EQ_INT(c, tern_dev_dma_alloc(d, MEM, 64, &x), TERN_DEV_OK);
  TT_EQ_INT(c, x.dev_addr, f.base);
  /* sync: range checks; on uio the sysfs attributes are written */
  TT_EQ_INT(c, tern_dev_dma_sync(d, &x, 4096, 100, TERN_DEV_TO_DEVICE), TERN_DEV_OK);
  if (f.mock) {
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_offset"), 4096);
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_size"), 128); /* whole cache lines */
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_direction"), 1);
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_for_device"), 1);
  }
  TT_EQ_INT(c, tern_dev_dma_sync(d, &x, 100, 10, TERN_DEV_FROM_DEVICE), TERN_DEV_OK);
  if (f.mock) {
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_offset"), 64);
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_size"), 64);
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_direction"), 2);
    TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_for_cpu"), 1);
  }
  TT_EQ_INT(c, tern_dev_dma_sync(d, &x, MEM - 10, 11, TERN_DEV_TO_DEVICE), TERN_DEV_ERR_ARG);
  TT_EQ_INT(c, tern_dev_dma_sync(d, &x, 0, 1, (tern_dev_dir)3), TERN_DEV_ERR_ARG);
  TT_EQ_INT(c, tern_dev_dma_free(d, &x), TERN_DEV_OK);
  fix_close(&f);
}

static void t_ring_wrap(tt_ctx *c) {
  drv_fix f;
  if (!fix_open(c, &f, g_kind, &k_p, MEM)) return;
  tern_dev *d = f.d;
  tern_cmd cmds[8];
  TT_EQ_INT(c, tern_dev_submit(d, cmds, 0, NULL), TERN_DEV_ERR_RING); /* no ring yet */
  TT_EQ_INT(c, tern_dev_ring_init(d, 3), TERN_DEV_ERR_RING);
  TT_EQ_INT(c, tern_dev_ring_init(d, 1), TERN_DEV_ERR_RING);
  TT_EQ_INT(c, tern_dev_ring_init(d, 4), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(RING_SIZE)), 4);
  TT_EQ_INT(c, rd(d, TERN_REG(CTRL)), 1);
  TT_EQ_INT(c, tern_dev_ring_space(d), 3);
  uint32_t completed0 = rd(d, TERN_REG(COMPLETED));
  uint64_t rng = 42, total = 0, seq = 0;
  for (int round = 0; round < 20; round++) {
    uint32_t n = 1 + (uint32_t)(tt_rand(&rng) % 3);
    for (uint32_t i = 0; i < n; i++) cmds[i] = nop((uint32_t)(total + i));
    TT_EQ_INT(c, tern_dev_submit(d, cmds, n, &seq), TERN_DEV_OK);
    total += n;
    TT_EQ_INT(c, seq, total);
    if (n == 3) { /* ring full now, unless a real device was quick */
      uint64_t s2;
      int st = tern_dev_submit(d, cmds, 3, &s2);
      if (g_kind == FIX_CMODEL)
        TT_EQ_INT(c, st, TERN_DEV_ERR_RING_FULL);
      else
        TT_CHECK(c, st == TERN_DEV_ERR_RING_FULL || st == TERN_DEV_OK);
      if (st == TERN_DEV_OK) total += 3, seq = s2;
    }
    TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, NULL), TERN_DEV_OK);
    TT_EQ_INT(c, tern_dev_retired(d), total);
    TT_EQ_INT(c, rd(d, TERN_REG(RING_HEAD)), total % 4);
    TT_EQ_INT(c, rd(d, TERN_REG(RING_TAIL)), total % 4);
  }
  TT_EQ_INT(c, rd(d, TERN_REG(COMPLETED)) - completed0, total);
  TT_EQ_INT(c, tern_dev_ring_space(d), 3);
  TT_EQ_INT(c, tern_dev_wait(d, total + 1, 0, NULL), TERN_DEV_ERR_ARG);
  /* resize: a fresh ring starts at index 0 */
  TT_EQ_INT(c, tern_dev_ring_init(d, 16), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(RING_HEAD)), 0);
  TT_EQ_INT(c, tern_dev_ring_space(d), 15);
  for (int i = 0; i < 8; i++) cmds[i] = nop(100u + i);
  TT_EQ_INT(c, tern_dev_submit(d, cmds, 8, &seq), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, TERN_DEV_SEQ_ALL, 2000, NULL), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(RING_HEAD)), 8);
  if (g_kind == FIX_UIO_IRQ) TT_CHECK(c, mock_uio_irqs(f.mock) > 0);
  if (g_kind == FIX_UIO_POLL) TT_EQ_INT(c, mock_uio_irqs(f.mock), 0);
  fix_close(&f);
}

static void t_wait_disabled(tt_ctx *c) {
  drv_fix f;
  if (!fix_open(c, &f, g_kind, &k_p, MEM)) return;
  tern_dev *d = f.d;
  TT_EQ_INT(c, tern_dev_ring_init(d, 8), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_reg_write(d, TERN_REG(CTRL), 0), TERN_DEV_OK);
  tern_cmd cmd = nop(7);
  uint64_t seq;
  TT_EQ_INT(c, tern_dev_submit(d, &cmd, 1, &seq), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, seq, 30, NULL), TERN_DEV_ERR_TIMEOUT);
  TT_EQ_INT(c, tern_dev_wait(d, seq, 0, NULL), TERN_DEV_ERR_TIMEOUT);
  TT_EQ_INT(c, tern_dev_retired(d), 0);
  TT_EQ_INT(c, tern_dev_reg_write(d, TERN_REG(CTRL), 1), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, NULL), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_retired(d), 1);
  fix_close(&f);
}

/* A weight stream for a rows x k random matrix in DMA memory; returns the
 * number of nonzero trits. */
static uint64_t put_weights(tt_ctx *c, tern_dev *d, tern_fmt fmt, uint32_t rows, uint32_t k,
                            uint64_t *rng, tern_dev_buf *wb, int8_t *trits) {
  uint64_t nz = 0;
  for (size_t i = 0; i < (size_t)rows * k; i++) {
    trits[i] = (int8_t)(tt_rand(rng) % 3) - 1;
    nz += trits[i] != 0;
  }
  size_t rb = tern_row_bytes(fmt, k), sb = tern_engine_wstream_bytes(&k_p.eng, fmt, rows, k);
  uint8_t *packed = malloc((size_t)rows * rb);
  TT_EQ_INT(c, tern_pack(fmt, trits, rows, k, packed, rb, (size_t)rows * rb), TERN_OK);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, sb, 16, wb), TERN_DEV_OK);
  tern_wmat w = {fmt, rows, k, rb, packed, (size_t)rows * rb};
  TT_EQ_INT(c, tern_engine_wstream(&k_p.eng, &w, wb->host, sb), TERN_OK);
  tern_dev_dma_sync(d, wb, 0, sb, TERN_DEV_TO_DEVICE);
  free(packed);
  return nz;
}

static tern_cmd gemm1(uint64_t act, uint32_t k, uint32_t batch, const tern_dev_buf *w,
                      uint32_t rows, uint64_t res, tern_fmt fmt) {
  tern_cmd g = {0};
  g.opcode = TERN_OP_GEMM;
  g.fmt = (uint8_t)fmt;
  g.nmat = 1;
  g.batch = (uint16_t)batch;
  g.k = k;
  g.act_stride = (k + 15u) / 16u * 16u;
  g.act_addr = act;
  g.res_stride = (4u * rows + 15u) / 16u * 16u;
  g.mat[0] = (tern_cmd_mat){w->dev_addr, res, rows, (uint32_t)w->size};
  return g;
}

static void t_error_reset(tt_ctx *c) {
  drv_fix f;
  if (!fix_open(c, &f, g_kind, &k_p, MEM)) return;
  tern_dev *d = f.d;
  TT_EQ_INT(c, tern_dev_ring_init(d, 8), TERN_DEV_OK);
  uint64_t rng = 7;
  int8_t trits[9 * 40];
  tern_dev_buf w, act, res;
  put_weights(c, d, TERN_FMT_I2, 9, 40, &rng, &w, trits);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 2 * 48, 16, &act), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 2 * 48, 16, &res), TERN_DEV_OK);
  memset(act.host, 1, act.size);

  /* a malformed command among good ones: opcode 9 */
  tern_cmd cmds[3] = {nop(1), nop(0x1234), nop(3)};
  cmds[1].opcode = 9;
  uint64_t seq;
  TT_EQ_INT(c, tern_dev_submit(d, cmds, 3, &seq), TERN_DEV_OK);
  tern_dev_fault ft;
  TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, &ft), TERN_DEV_ERR_HW);
  TT_EQ_INT(c, ft.hw_code, TERN_HWERR_OPCODE);
  TT_EQ_INT(c, ft.cmd_index, 1);
  TT_EQ_INT(c, ft.seq, seq - 2);
  TT_EQ_INT(c, ft.tag, 0x1234);
  TT_EQ_INT(c, tern_dev_retired(d), seq - 2); /* the first NOP completed */
  TT_CHECK(c, rd(d, TERN_REG(STATUS)) & 2u);
  /* waiting only for what completed before the error is fine */
  TT_EQ_INT(c, tern_dev_wait(d, seq - 2, 0, NULL), TERN_DEV_OK);
  /* still stopped: new work does not run */
  tern_cmd ok = nop(5);
  uint64_t seq2;
  TT_EQ_INT(c, tern_dev_submit(d, &ok, 1, &seq2), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, seq2, 20, &ft), TERN_DEV_ERR_HW);
  /* soft reset: error cleared, pending dropped, enable kept */
  TT_EQ_INT(c, tern_dev_soft_reset(d), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(STATUS)) & 2u, 0);
  TT_EQ_INT(c, rd(d, TERN_REG(ERR_CODE)), 0);
  TT_EQ_INT(c, rd(d, TERN_REG(CTRL)), 1);
  TT_EQ_INT(c, tern_dev_retired(d), seq2);
  TT_EQ_INT(c, tern_dev_ring_space(d), 7);

  /* GEMM faults the hardware reports, each followed by a reset */
  struct {
    tern_cmd cmd;
    int code;
  } bad[4];
  bad[0].cmd = gemm1(act.dev_addr + 8, 40, 2, &w, 9, res.dev_addr, TERN_FMT_I2);
  bad[0].code = TERN_HWERR_ALIGN;
  bad[1].cmd = gemm1(f.base + MEM, 40, 2, &w, 9, res.dev_addr, TERN_FMT_I2);
  bad[1].code = TERN_HWERR_WINDOW;
  bad[2].cmd = gemm1(act.dev_addr, 40, 2, &w, 9, res.dev_addr, TERN_FMT_I2);
  bad[2].cmd.mat[0].w_bytes += 8;
  bad[2].code = TERN_HWERR_WBYTES;
  bad[3].cmd = gemm1(act.dev_addr, 40, 3, &w, 9, res.dev_addr, TERN_FMT_I2); /* batch 3 > 2 */
  bad[3].code = TERN_HWERR_DIM;
  for (int i = 0; i < 4; i++) {
    TT_EQ_INT(c, tern_dev_submit(d, &bad[i].cmd, 1, &seq), TERN_DEV_OK);
    TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, &ft), TERN_DEV_ERR_HW);
    TT_EQ_INT(c, ft.hw_code, bad[i].code);
    TT_EQ_INT(c, tern_dev_soft_reset(d), TERN_DEV_OK);
  }
  /* and a good GEMM afterwards gives the reference results */
  tern_cmd g = gemm1(act.dev_addr, 40, 2, &w, 9, res.dev_addr, TERN_FMT_I2);
  TT_EQ_INT(c, tern_dev_submit(d, &g, 1, &seq), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, &ft), TERN_DEV_OK);
  tern_dev_dma_sync(d, &res, 0, res.size, TERN_DEV_FROM_DEVICE);
  for (int r = 0; r < 9; r++) {
    int32_t want = 0;
    for (int j = 0; j < 40; j++) want += trits[r * 40 + j];
    int32_t got0, got1;
    memcpy(&got0, (uint8_t *)res.host + 4 * r, 4);
    memcpy(&got1, (uint8_t *)res.host + 48 + 4 * r, 4);
    TT_EQ_INT(c, got0, want);
    TT_EQ_INT(c, got1, want);
  }
  fix_close(&f);
}

static void t_perf(tt_ctx *c) {
  drv_fix f;
  if (!fix_open(c, &f, g_kind, &k_p, MEM)) return;
  tern_dev *d = f.d;
  TT_EQ_INT(c, tern_dev_ring_init(d, 8), TERN_DEV_OK);
  uint64_t rng = 99;
  const uint32_t rows = 13, k = 37, batch = 2;
  int8_t trits[13 * 37];
  tern_dev_buf w, act, res;
  uint64_t nz = put_weights(c, d, TERN_FMT_B3, rows, k, &rng, &w, trits);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 2 * 48, 16, &act), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_dma_alloc(d, 2 * 64, 16, &res), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_perf_clear(d), TERN_DEV_OK);
  tern_dev_perf p;
  TT_EQ_INT(c, tern_dev_perf_read(d, &p), TERN_DEV_OK);
  TT_EQ_INT(c, p.commands, 0);
  TT_EQ_INT(c, p.bytes_read, 0);
  tern_cmd cmds[2] = {gemm1(act.dev_addr, k, batch, &w, rows, res.dev_addr, TERN_FMT_B3), nop(0)};
  uint64_t seq;
  TT_EQ_INT(c, tern_dev_submit(d, cmds, 2, &seq), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, NULL), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_perf_read(d, &p), TERN_DEV_OK);
  /* expectations from the counter definitions (docs/registers.md) */
  const uint64_t ws = tern_engine_wstream_bytes(&k_p.eng, TERN_FMT_B3, rows, k);
  TT_EQ_INT(c, w.size, ws);
  TT_EQ_INT(c, p.commands, 2);
  TT_EQ_INT(c, p.weight_bytes, ws);
  TT_EQ_INT(c, p.bytes_written, batch * 4 * rows);
  TT_EQ_INT(c, p.bytes_read, 2 * TERN_CMD_BYTES + batch * 48 + ws); /* k 37 -> 3 bus beats */
  TT_EQ_INT(c, p.adds, nz * batch);
  TT_EQ_INT(c, p.adds + p.zero_trits, ws * 5 * batch);
  TT_EQ_INT(c, p.busy_cycles, 0); /* no cycle counts in the functional model */
  /* the snapshot holds still until the next one */
  TT_EQ_INT(c, tern_dev_submit(d, cmds + 1, 1, &seq), TERN_DEV_OK);
  TT_EQ_INT(c, tern_dev_wait(d, seq, 2000, NULL), TERN_DEV_OK);
  uint32_t lo = rd(d, TERN_REG(PERF_COMMANDS_LO));
  TT_EQ_INT(c, lo, 2);
  TT_EQ_INT(c, tern_dev_perf_read(d, &p), TERN_DEV_OK);
  TT_EQ_INT(c, p.commands, 3);
  TT_EQ_INT(c, tern_dev_perf_clear(d), TERN_DEV_OK);
  TT_EQ_INT(c, rd(d, TERN_REG(CTRL)), 1); /* clear kept the enable bit */
  TT_EQ_INT(c, tern_dev_perf_read(d, &p), TERN_DEV_OK);
  TT_EQ_INT(c, p.commands, 0);
  fix_close(&f);
}

static void t_open_errors(tt_ctx *c) {
  tern_dev *d = (tern_dev *)1;
  TT_EQ_INT(c, tern_dev_open(&d, "nope", NULL), TERN_DEV_ERR_BACKEND);
  TT_CHECK(c, d == NULL);
  TT_EQ_INT(c, tern_dev_open(&d, "rtl", NULL), TERN_DEV_ERR_NOT_BUILT);
  TT_EQ_INT(c, tern_dev_open(NULL, "cmodel", NULL), TERN_DEV_ERR_ARG);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "colour=blue"), TERN_DEV_ERR_OPTION);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "lanes=0"), TERN_DEV_ERR_OPTION);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "mem=12Q"), TERN_DEV_ERR_OPTION);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "bus=12"), TERN_DEV_ERR_OPTION);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "config=no_such_engine"), TERN_DEV_ERR_OPTION);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "batch=256"), TERN_DEV_ERR_OPTION); /* HWCFG: 8 bits */
  /* defaults, and a config file from config/engine */
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", NULL), TERN_DEV_OK);
  tern_dev_info in;
  tern_dev_info_get(d, &in);
  TT_EQ_INT(c, in.eng.max_k, 8192);
  tern_dev_close(d);
  TT_EQ_INT(c, tern_dev_open(&d, "cmodel", "config=b4,bus=32,mem=2M"), TERN_DEV_OK);
  tern_dev_info_get(d, &in);
  TT_EQ_INT(c, in.eng.lanes, 3);
  TT_EQ_INT(c, in.eng.word_bytes, 3);
  TT_EQ_INT(c, in.eng.batch, 4);
  TT_EQ_INT(c, in.eng.max_k, 300);
  TT_EQ_INT(c, in.bus_bytes, 32);
  TT_EQ_INT(c, in.dma_size, 2u << 20);
  tern_dev_close(d);
  tern_dev_close(NULL);
  /* uio: missing files, and a window that is not a tern */
  TT_EQ_INT(c, tern_dev_open(&d, "uio", "uio=/nonexistent/uio9,udmabuf=none"), TERN_DEV_ERR_IO);
  TT_EQ_INT(c, tern_dev_open(&d, "uio", "irq=2"), TERN_DEV_ERR_OPTION);
  TT_EQ_INT(c, tern_dev_open(&d, "uio", "sync=sometimes"), TERN_DEV_ERR_OPTION);
  mock_uio *m = mock_uio_start(&k_p, 1u << 16, FIX_UIO_PHYS, 1);
  if (TT_CHECK(c, m != NULL)) {
    /* a zero-filled register file: ID reads 0 */
    char opts[1024], path[300];
    snprintf(path, sizeof path, "%s/bad_regs", mock_uio_dir(m));
    FILE *fz = fopen(path, "w");
    if (fz) {
      for (int i = 0; i < 4096; i++) fputc(0, fz);
      fclose(fz);
    }
    snprintf(opts, sizeof opts, "%s,uio=%s", mock_uio_options(m, "irq=0"), path);
    TT_EQ_INT(c, tern_dev_open(&d, "uio", opts), TERN_DEV_ERR_NODEV);
    /* plain open of the mock without the hook still maps and reads it */
    TT_EQ_INT(c, tern_dev_open(&d, "uio", mock_uio_options(m, "irq=0")), TERN_DEV_OK);
    tern_dev_info_get(d, &in);
    TT_EQ_INT(c, in.dma_base, FIX_UIO_PHYS);
    TT_CHECK(c, in.eng.tile_rows != 0 && in.eng.tile_rows % in.eng.lanes == 0); /* HWCFG3 */
    TT_EQ_INT(c, in.has_cycles, 1);
    /* dma_coherent = 1: no sysfs cache maintenance */
    tern_dev_buf b;
    TT_EQ_INT(c, tern_dev_dma_alloc(d, 256, 64, &b), TERN_DEV_OK);
    TT_EQ_INT(c, tern_dev_dma_sync(d, &b, 0, 256, TERN_DEV_TO_DEVICE), TERN_DEV_OK);
    TT_EQ_INT(c, mock_uio_attr(m, "sync_for_device"), -1);
    tern_dev_close(d);
    mock_uio_stop(m);
  }
  TT_CHECK(c, strstr(tern_dev_strerror(TERN_DEV_ERR_NOT_BUILT), "not built") != NULL);
  TT_CHECK(c, !strcmp(tern_dev_strerror(TERN_ERR_NULL), tern_strerror(TERN_ERR_NULL)));
  TT_CHECK(c, tern_dev_strerror(-12345) != NULL);
}

void suite_dev(tt_ctx *c) {
  static const struct {
    const char *name;
    tt_fn fn;
  } tests[] = {{"regs", t_regs},
               {"dma", t_dma},
               {"ring_wrap", t_ring_wrap},
               {"wait_disabled", t_wait_disabled},
               {"error_reset", t_error_reset},
               {"perf", t_perf}};
  for (g_kind = 0; g_kind < FIX_KINDS; g_kind++)
    for (size_t i = 0; i < sizeof tests / sizeof *tests; i++) {
      static const char *const kn[] = {"cmodel", "uio-poll", "uio-irq"};
      char name[96];
      snprintf(name, sizeof name, "dev/%s/%s", kn[g_kind], tests[i].name);
      tt_run(c, name, tests[i].fn);
    }
  tt_run(c, "dev/open_errors", t_open_errors);
}

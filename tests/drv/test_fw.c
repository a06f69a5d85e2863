/* tern_fw_upload / tern_fw_gemm against tern_gemm_ref on the original
 * trits, on several engines and on every backend fixture; batch splitting,
 * stats, bad arguments and recovery. */
#include "drv_tests.h"
#include "tern_fw.h"
#include "tern_sched.h"

#include <stdio.h>

typedef struct engine_case {
  const char *name;
  tern_sys_params p;
} engine_case;

#define ENG(l, w, b, k, t, bus)                                                                    \
  {                                                                                                \
    .eng = {.lanes = l,                                                                            \
            .word_bytes = w,                                                                       \
            .batch = b,                                                                            \
            .max_k = k,                                                                            \
            .acc_width = 32,                                                                       \
            .act_beat_bytes = w,                                                                   \
            .w_beat_bytes = (l) * (w),                                                             \
            .tile_rows = t},                                                                       \
    .bus_bytes = bus                                                                               \
  }

static const engine_case k_engines[] = {
    {"small", ENG(4, 2, 2, 256, 4, 16)},   /* config/engine/small.cfg */
    {"tiny", ENG(1, 1, 1, 64, 1, 8)},      /* config/engine/tiny.cfg */
    {"b4", ENG(3, 3, 4, 300, 3, 32)},      /* config/engine/b4.cfg */
    {"tiled", ENG(4, 8, 4, 2048, 12, 64)}, /* tile_rows > lanes */
};

static tern_fw_accel *open_fix(tt_ctx *c, drv_fix *f, int kind, const tern_sys_params *p,
                               size_t mem) {
  if (!fix_open(c, f, kind, p, mem)) return NULL;
  tern_fw_accel *a = NULL;
  int st = tern_fw_open_dev(&a, f->d);
  f->d = NULL; /* the accel owns it now */
  TT_EQ_INT(c, st, TERN_OK);
  if (st != TERN_OK) fix_close(f);
  return a;
}

static void close_fix(drv_fix *f, tern_fw_accel *a) {
  tern_fw_close(a);
  fix_close(f);
}

static void rand_trits(uint64_t *rng, int8_t *t, size_t n, unsigned zero_pct) {
  for (size_t i = 0; i < n; i++) {
    unsigned r = (unsigned)(tt_rand(rng) % 100);
    t[i] = r < zero_pct ? 0 : (tt_rand(rng) & 1) ? 1 : -1;
  }
}

/* The reference: tern_gemm_ref on a row-major packing of the same trits. */
static void ref_gemm(tt_ctx *c, const int8_t *trits, uint32_t rows, uint32_t k, tern_fmt fmt,
                     const int8_t *x, uint32_t batch, int32_t *y) {
  size_t rb = tern_row_bytes(fmt, k);
  uint8_t *packed = malloc((size_t)rows * rb);
  TT_EQ_INT(c, tern_pack(fmt, trits, rows, k, packed, rb, (size_t)rows * rb), TERN_OK);
  tern_wmat w = {fmt, rows, k, rb, packed, (size_t)rows * rb};
  TT_EQ_INT(c, tern_gemm_ref(&w, x, k, (size_t)batch * k, batch, y, rows, (size_t)batch * rows),
            TERN_OK);
  free(packed);
}

/* One random group: nmat matrices sharing k, a batch, checked bit for bit. */
static void one_group(tt_ctx *c, tern_fw_accel *a, uint64_t *rng, uint32_t max_k, uint32_t max_rows,
                      uint32_t max_batch, int *calls, uint64_t *cmds) {
  tern_fw_info in;
  tern_fw_info_get(a, &in);
  const unsigned nmat = 1 + (unsigned)(tt_rand(rng) % in.max_chain);
  const uint32_t k = tt_range(rng, 1, max_k), batch = tt_range(rng, 1, max_batch);
  const tern_fmt fmt = (tt_rand(rng) & 1) ? TERN_FMT_B3 : TERN_FMT_I2;
  int8_t *trits[4] = {0};
  int32_t *y[4] = {0}, *want = NULL;
  tern_fw_mat mats[4];
  const tern_fw_mat *mp[4];
  uint32_t rows[4];
  int8_t *x = malloc((size_t)batch * k);
  for (size_t i = 0; i < (size_t)batch * k; i++) x[i] = (int8_t)(tt_rand(rng) & 0xff);
  if (tt_rand(rng) % 4 == 0) x[0] = -128; /* the one value without a negation */
  for (unsigned m = 0; m < nmat; m++) {
    rows[m] = tt_range(rng, 1, max_rows);
    trits[m] = malloc((size_t)rows[m] * k);
    y[m] = malloc((size_t)batch * rows[m] * sizeof(int32_t));
    rand_trits(rng, trits[m], (size_t)rows[m] * k, (unsigned)(tt_rand(rng) % 90));
    TT_EQ_INT(c, tern_fw_upload(a, trits[m], rows[m], k, fmt, 0.5f, &mats[m]), TERN_OK);
    TT_EQ_INT(c, mats[m].rows, rows[m]);
    TT_EQ_INT(c, mats[m].k, k);
    TT_EQ_INT(c, mats[m].dev_addr % in.bus_bytes, 0);
    mp[m] = &mats[m];
  }
  int st = tern_fw_gemm(a, mp, nmat, x, batch, y);
  TT_EQ_INT(c, st, TERN_OK);
  if (st != TERN_OK) fprintf(stderr, "  gemm: %s\n", tern_fw_strerror(st));
  (*calls)++;
  *cmds += (batch + in.batch - 1) / in.batch;
  tern_fw_stats cs;
  tern_fw_call_stats(a, &cs);
  TT_EQ_INT(c, cs.commands, (batch + in.batch - 1) / in.batch);
  uint64_t wbytes = 0, out_bytes = 0;
  for (unsigned m = 0; m < nmat; m++) wbytes += mats[m].bytes, out_bytes += 4ull * rows[m] * batch;
  TT_EQ_INT(c, cs.weight_bytes, wbytes * cs.commands); /* each command streams the weights once */
  TT_EQ_INT(c, cs.bytes_written, out_bytes);
  for (unsigned m = 0; m < nmat && st == TERN_OK; m++) {
    want = malloc((size_t)batch * rows[m] * sizeof(int32_t));
    ref_gemm(c, trits[m], rows[m], k, fmt, x, batch, want);
    size_t bad = 0;
    for (size_t i = 0; i < (size_t)batch * rows[m]; i++) bad += y[m][i] != want[i];
    if (bad)
      fprintf(stderr, "  mismatch: mat %u/%u rows %u k %u batch %u fmt %d: %zu wrong\n", m, nmat,
              rows[m], k, batch, (int)fmt, bad);
    TT_EQ_INT(c, bad, 0);
    free(want);
  }
  for (unsigned m = 0; m < nmat; m++) {
    TT_EQ_INT(c, tern_fw_mat_free(a, &mats[m]), TERN_OK);
    free(trits[m]);
    free(y[m]);
  }
  free(x);
}

static int g_kind;

static void t_gemm_random(tt_ctx *c) {
  uint64_t rng = c->seed ^ (0x1000u * (unsigned)g_kind);
  for (size_t e = 0; e < sizeof k_engines / sizeof *k_engines; e++) {
    drv_fix f;
    tern_fw_accel *a = open_fix(c, &f, g_kind, &k_engines[e].p, 8u << 20);
    if (!a) return;
    const uint32_t mk = k_engines[e].p.eng.max_k < 400 ? k_engines[e].p.eng.max_k : 400;
    const int iters = g_kind == FIX_CMODEL ? 12 : 6;
    int calls = 0;
    uint64_t cmds = 0;
    TT_EQ_INT(c, tern_fw_stats_reset(a), TERN_OK);
    for (int i = 0; i < iters; i++) one_group(c, a, &rng, mk, 70, 11, &calls, &cmds);
    /* the full K of the engine once */
    one_group(c, a, &rng, k_engines[e].p.eng.max_k, 9, 3, &calls, &cmds);
    tern_fw_stats s;
    TT_EQ_INT(c, tern_fw_stats_get(a, &s), TERN_OK);
    TT_EQ_INT(c, s.calls, calls);
    TT_EQ_INT(c, s.commands, cmds);
    TT_EQ_INT(c, s.has_cycles, g_kind != FIX_CMODEL);
    TT_CHECK(c, s.bytes_read > s.weight_bytes && s.bytes_written > 0);
    if (f.mock && g_kind == FIX_UIO_POLL) /* cache maintenance reached sysfs */
      TT_EQ_INT(c, mock_uio_attr(f.mock, "sync_for_cpu"), 1);
    close_fix(&f, a);
  }
}

/* Batches far beyond the hardware's: many commands, ring wrap-arounds
 * (64-entry ring), several staging slices (256 vectors each). */
static void t_gemm_big_batch(tt_ctx *c) {
  drv_fix f;
  tern_fw_accel *a = open_fix(c, &f, g_kind, &k_engines[1].p, 8u << 20); /* tiny: batch 1 */
  if (!a) return;
  uint64_t rng = 5;
  const uint32_t rows = 5, k = 33, batch = 300;
  int8_t trits[2][5 * 33];
  tern_fw_mat m[2];
  const tern_fw_mat *mp[2] = {&m[0], &m[1]};
  int8_t *x = malloc(batch * k);
  int32_t *y0 = malloc(batch * rows * 4), *y1 = malloc(batch * rows * 4),
          *want = malloc(batch * rows * 4);
  int32_t *ys[2] = {y0, y1};
  for (size_t i = 0; i < batch * k; i++) x[i] = (int8_t)(tt_rand(&rng) & 0xff);
  for (int i = 0; i < 2; i++) {
    rand_trits(&rng, trits[i], sizeof trits[i], 30);
    TT_EQ_INT(c, tern_fw_upload(a, trits[i], rows, k, TERN_FMT_I2, 1.0f, &m[i]), TERN_OK);
  }
  TT_EQ_INT(c, tern_fw_gemm(a, mp, 2, x, batch, ys), TERN_OK);
  tern_fw_stats cs;
  tern_fw_call_stats(a, &cs);
  TT_EQ_INT(c, cs.commands, 300);
  TT_EQ_INT(c, cs.bytes_written, 2ull * 4 * rows * batch);
  for (int i = 0; i < 2; i++) {
    ref_gemm(c, trits[i], rows, k, TERN_FMT_I2, x, batch, want);
    TT_CHECK(c, !memcmp(ys[i], want, batch * rows * 4));
  }
  free(x);
  free(y0);
  free(y1);
  free(want);
  close_fix(&f, a);
}

static void t_gemm_errors(tt_ctx *c) {
  drv_fix f;
  tern_fw_accel *a = open_fix(c, &f, g_kind, &k_engines[0].p, 1u << 20); /* small, max_k 256 */
  if (!a) return;
  uint64_t rng = 11;
  int8_t t1[8 * 64], t2[8 * 100], x[4 * 100];
  int32_t y1[4 * 8], y2[4 * 8], *ys[5] = {y1, y2, y1, y2, y1};
  rand_trits(&rng, t1, sizeof t1, 30);
  rand_trits(&rng, t2, sizeof t2, 30);
  memset(x, 3, sizeof x);
  tern_fw_mat m1, m2, m3;
  TT_EQ_INT(c, tern_fw_upload(a, t1, 8, 64, TERN_FMT_B3, 1.0f, &m1), TERN_OK);
  TT_EQ_INT(c, tern_fw_upload(a, t2, 8, 100, TERN_FMT_B3, 1.0f, &m2), TERN_OK);
  TT_EQ_INT(c, tern_fw_upload(a, t1, 8, 64, TERN_FMT_I2, 1.0f, &m3), TERN_OK);
  const tern_fw_mat *p5[5] = {&m1, &m1, &m1, &m1, &m1};
  const tern_fw_mat *pk[2] = {&m1, &m2}, *pf[2] = {&m1, &m3};
  /* arguments */
  TT_EQ_INT(c, tern_fw_gemm(NULL, p5, 1, x, 1, ys), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_fw_gemm(a, NULL, 1, x, 1, ys), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_fw_gemm(a, p5, 1, NULL, 1, ys), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_fw_gemm(a, p5, 1, x, 1, NULL), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_fw_gemm(a, p5, 0, x, 1, ys), TERN_SCHED_ERR_CHAIN);
  TT_EQ_INT(c, tern_fw_gemm(a, p5, 5, x, 1, ys), TERN_SCHED_ERR_CHAIN);
  TT_EQ_INT(c, tern_fw_gemm(a, pk, 2, x, 1, ys), TERN_SCHED_ERR_MATCH);
  TT_EQ_INT(c, tern_fw_gemm(a, pf, 2, x, 1, ys), TERN_SCHED_ERR_MATCH);
  TT_EQ_INT(c, tern_fw_gemm(a, p5, 1, x, 0, ys), TERN_ERR_DIM);
  const tern_fw_mat *pnull[2] = {&m1, NULL};
  TT_EQ_INT(c, tern_fw_gemm(a, pnull, 2, x, 1, ys), TERN_ERR_NULL);
  /* uploads */
  tern_fw_mat mx;
  int8_t big[300];
  memset(big, 0, sizeof big);
  TT_EQ_INT(c, tern_fw_upload(a, big, 1, 257, TERN_FMT_I2, 1.0f, &mx), TERN_SCHED_ERR_KMAX);
  TT_EQ_INT(c, tern_fw_upload(a, big, 0, 16, TERN_FMT_I2, 1.0f, &mx), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_fw_upload(a, big, 1, 16, (tern_fmt)7, 1.0f, &mx), TERN_ERR_FORMAT);
  big[5] = 2;
  TT_EQ_INT(c, tern_fw_upload(a, big, 1, 16, TERN_FMT_I2, 1.0f, &mx), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_fw_upload(a, NULL, 1, 16, TERN_FMT_I2, 1.0f, &mx), TERN_ERR_NULL);
  /* DMA exhaustion: 1 MiB of memory, 64 KiB streams */
  static int8_t huge[1024 * 256];
  tern_fw_mat fill[32];
  int n = 0, st = TERN_OK;
  while (n < 32 &&
         (st = tern_fw_upload(a, huge, 1024, 256, TERN_FMT_I2, 1.0f, &fill[n])) == TERN_OK)
    n++;
  TT_EQ_INT(c, st, TERN_DEV_ERR_DMA_NOMEM);
  TT_CHECK(c, n >= 10 && n < 16);
  for (int i = 0; i < n; i++) TT_EQ_INT(c, tern_fw_mat_free(a, &fill[i]), TERN_OK);
  TT_EQ_INT(c, tern_fw_mat_free(a, &fill[0]), TERN_DEV_ERR_ARG); /* already given back */
  /* a tampered matrix: length, then an address outside the DMA window */
  tern_fw_mat bad = m1;
  bad.bytes += 16;
  const tern_fw_mat *pb[1] = {&bad};
  TT_EQ_INT(c, tern_fw_gemm(a, pb, 1, x, 1, ys), TERN_SCHED_ERR_WBYTES);
  bad = m1;
  bad.dev_addr = f.base + (1u << 20) + 4096;
  TT_EQ_INT(c, tern_fw_gemm(a, pb, 1, x, 3, ys), TERN_DEV_ERR_HW);
  tern_dev_fault ft;
  TT_EQ_INT(c, tern_fw_last_fault(a, &ft), TERN_OK);
  TT_EQ_INT(c, ft.hw_code, TERN_HWERR_WINDOW);
  /* recovered: the next call is right */
  int32_t want[3 * 8];
  const tern_fw_mat *p1[1] = {&m1};
  TT_EQ_INT(c, tern_fw_gemm(a, p1, 1, x, 3, ys), TERN_OK);
  ref_gemm(c, t1, 8, 64, TERN_FMT_B3, x, 3, want);
  TT_CHECK(c, !memcmp(y1, want, sizeof want));
  /* disabled accelerator: timeout, then recovery */
  tern_fw_set_timeout(a, 20);
  tern_dev_reg_write(tern_fw_dev(a), TERN_REG(CTRL), 0);
  TT_EQ_INT(c, tern_fw_gemm(a, p1, 1, x, 3, ys), TERN_DEV_ERR_TIMEOUT);
  tern_dev_reg_write(tern_fw_dev(a), TERN_REG(CTRL), 1);
  memset(y1, 0, sizeof y1);
  TT_EQ_INT(c, tern_fw_gemm(a, p1, 1, x, 3, ys), TERN_OK);
  TT_CHECK(c, !memcmp(y1, want, sizeof want));
  TT_CHECK(c, strstr(tern_fw_strerror(TERN_SCHED_ERR_MATCH), "differ") != NULL);
  TT_CHECK(c, strstr(tern_fw_strerror(TERN_DEV_ERR_HW), "stopped") != NULL);
  TT_CHECK(c, strstr(tern_fw_strerror(TERN_ERR_VALUE), "domain") != NULL);
  close_fix(&f, a);
}

/* KEY=VALUE from a config file (the same source the backend read), or -1. */
static long cfg_value(const char *path, const char *key) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  long v = -1;
  size_t n = strlen(key);
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, key, n) && line[n] == '=') v = strtol(line + n + 1, NULL, 10);
  fclose(f);
  return v;
}

static void t_fw_open(tt_ctx *c) {
  tern_fw_accel *a = NULL;
  TT_EQ_INT(c, tern_fw_open(&a, "rtl", NULL), TERN_DEV_ERR_NOT_BUILT);
  TT_CHECK(c, a == NULL);
  TT_EQ_INT(c, tern_fw_open(&a, "cmodel", "config=small,mem=4M"), TERN_OK);
  tern_fw_info in;
  TT_EQ_INT(c, tern_fw_info_get(a, &in), TERN_OK);
  TT_EQ_INT(c, in.batch, 2);
  TT_EQ_INT(c, in.max_k, 256);
  TT_EQ_INT(c, in.max_chain, 4);
  TT_EQ_INT(c, in.tile_rows, cfg_value("config/engine/small.cfg", "TileRows"));
  TT_EQ_INT(c, in.dma_size, 4u << 20);
  /* per-call stats off: zeros; cumulative stats still count */
  TT_EQ_INT(c, tern_fw_set_call_stats(a, 0), TERN_OK);
  int8_t t[4 * 10] = {1, -1, 0, 1}, x[10] = {5, 6, 7};
  int32_t y[4];
  int32_t *ys[1] = {y};
  tern_fw_mat m;
  TT_EQ_INT(c, tern_fw_upload(a, t, 4, 10, TERN_FMT_B3, 2.0f, &m), TERN_OK);
  TT_CHECK(c, m.wscale == 2.0f);
  const tern_fw_mat *mp[1] = {&m};
  TT_EQ_INT(c, tern_fw_gemm(a, mp, 1, x, 1, ys), TERN_OK);
  TT_EQ_INT(c, y[0], 5 - 6 + 0); /* row 0: 1, -1, 0, 1*x[3]=0 */
  TT_EQ_INT(c, y[1], 0);
  tern_fw_stats s;
  tern_fw_call_stats(a, &s);
  TT_EQ_INT(c, s.commands, 0);
  tern_fw_stats_get(a, &s);
  TT_EQ_INT(c, s.commands, 1);
  TT_EQ_INT(c, s.calls, 1);
  TT_EQ_INT(c, s.bytes_written, 16);
  TT_EQ_INT(c, tern_fw_stats_reset(a), TERN_OK);
  tern_fw_stats_get(a, &s);
  TT_EQ_INT(c, s.commands, 0);
  TT_EQ_INT(c, s.bytes_read, 0);
  tern_fw_close(a);
  tern_fw_close(NULL);
}

void suite_fw(tt_ctx *c) {
  static const char *const kn[] = {"cmodel", "uio-poll", "uio-irq"};
  for (g_kind = 0; g_kind < FIX_KINDS; g_kind++) {
    char name[64];
    snprintf(name, sizeof name, "fw/%s/gemm_random", kn[g_kind]);
    tt_run(c, name, t_gemm_random);
    snprintf(name, sizeof name, "fw/%s/gemm_big_batch", kn[g_kind]);
    tt_run(c, name, t_gemm_big_batch);
    snprintf(name, sizeof name, "fw/%s/gemm_errors", kn[g_kind]);
    tt_run(c, name, t_gemm_errors);
  }
  tt_run(c, "fw/open", t_fw_open);
}

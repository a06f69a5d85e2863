/* Fast GEMV/GEMM paths (tern_gemm) against the reference (tern_gemm_ref):
 * same integers and same status on every ISA this CPU runs, for random
 * shapes, strides, padding, invalid codes, extreme values and bad args. */
#include "../../cmodel/tern.h"
#include "suites.h"

#define SENTINEL ((int32_t)0x5a5a5a5a)

static const tern_isa k_isas[] = {TERN_ISA_AUTO, TERN_ISA_SCALAR, TERN_ISA_AVX2, TERN_ISA_AVX512,
                                  TERN_ISA_NEON};
#define N_ISAS (sizeof k_isas / sizeof k_isas[0])

/* One GEMM problem with its own buffers; offsets make pointers unaligned. */
typedef struct prob {
  tern_fmt fmt;
  uint32_t rows, k, batch;
  size_t stride, x_stride, y_stride;
  uint8_t *wbuf, *wdata;
  int8_t *xbuf, *x;
  size_t w_len, x_len, y_len;
} prob;

static int8_t rand_trit(uint64_t *s) { return (int8_t)((int)(tt_rand(s) % 3u) - 1); }

/* Packs random trits, padding included: every padding trit of the stride
 * is a random valid trit, which the kernels must ignore. */
static void fill_weights(prob *p, uint64_t *s, int mode) {
  unsigned per = p->fmt == TERN_FMT_I2 ? 4u : 5u;
  size_t n = p->stride * per;
  int8_t *t = malloc(n);
  for (uint32_t r = 0; r < p->rows; r++) {
    for (size_t j = 0; j < n; j++) t[j] = mode ? (int8_t)mode : rand_trit(s);
    if (!mode && (tt_rand(s) & 3u) == 0) /* sparse rows too */
      for (size_t j = 0; j < n; j++) t[j] = (tt_rand(s) & 7u) ? 0 : t[j];
    uint32_t np = n > TERN_MAX_K ? TERN_MAX_K : (uint32_t)n; /* I2 at K = 2^24-1 */
    tern_pack_row(p->fmt, t, np, p->wdata + r * p->stride, p->stride);
  }
  free(t);
}

static void prob_alloc(prob *p, uint64_t *s, int unaligned) {
  size_t woff = unaligned ? tt_range(s, 1, 63) : 0, xoff = unaligned ? tt_range(s, 1, 63) : 0;
  p->w_len = (size_t)p->rows * p->stride;
  p->wbuf = malloc(p->w_len + woff);
  p->wdata = p->wbuf + woff;
  p->x_len = (size_t)(p->batch - 1) * p->x_stride + p->k;
  p->xbuf = malloc(p->x_len + xoff);
  p->x = p->xbuf + xoff;
  p->y_len = (size_t)(p->batch - 1) * p->y_stride + p->rows;
}

static void prob_free(prob *p) {
  free(p->wbuf);
  free(p->xbuf);
}

static void fill_x(prob *p, uint64_t *s) {
  int kind = (int)(tt_rand(s) % 4u);
  for (size_t i = 0; i < p->x_len; i++) {
    int8_t v = (int8_t)tt_rand(s);
    if (kind == 1) v = (tt_rand(s) & 1u) ? -128 : 127; /* extremes only */
    if (kind == 2) v = (int8_t)((int)(tt_rand(s) % 7u) - 3);
    p->x[i] = v;
  }
}

/* Puts one invalid code at a random byte of a random row's stride (data or
 * padding); returns the row. */
static uint32_t corrupt(prob *p, uint64_t *s) {
  uint32_t r = (uint32_t)(tt_rand(s) % p->rows);
  size_t b = tt_rand(s) % p->stride;
  if ((tt_rand(s) & 3u) == 0) b = p->stride - 1; /* often the last, padded byte */
  uint8_t *q = p->wdata + r * p->stride + b;
  if (p->fmt == TERN_FMT_I2)
    *q |= (uint8_t)(3u << (2u * (tt_rand(s) % 4u)));
  else
    *q = (uint8_t)tt_range(s, TERN_B3_MAX_VALID + 1u, 255u);
  return r;
}

/* Runs the reference once and every available ISA; outputs (including the
 * untouched gaps between strided results) and status must match. */
static void check_all_isas(tt_ctx *c, const prob *p, int want_status) {
  tern_wmat w = {p->fmt, p->rows, p->k, p->stride, p->wdata, p->w_len};
  /* one extra element before y makes y only 4-byte aligned */
  int32_t *yref = malloc((p->y_len + 1) * sizeof(int32_t));
  int32_t *yfast = malloc((p->y_len + 1) * sizeof(int32_t));
  for (size_t i = 0; i <= p->y_len; i++) yref[i] = SENTINEL;
  int st_ref =
      tern_gemm_ref(&w, p->x, p->x_stride, p->x_len, p->batch, yref + 1, p->y_stride, p->y_len);
  if (want_status <= 0) TT_EQ_INT(c, st_ref, want_status);
  for (size_t i = 0; i < N_ISAS; i++) {
    if (!tern_isa_available(k_isas[i])) continue;
    for (size_t j = 0; j <= p->y_len; j++) yfast[j] = SENTINEL;
    int st = tern_gemm(k_isas[i], &w, p->x, p->x_stride, p->x_len, p->batch, yfast + 1, p->y_stride,
                       p->y_len);
    TT_EQ_INT(c, st, st_ref);
    size_t bad = 0;
    for (size_t j = 0; j <= p->y_len; j++) bad += yfast[j] != yref[j];
    if (!TT_CHECK(c, bad == 0))
      fprintf(stderr, "       isa %s fmt %s rows %u k %u batch %u stride %zu: %zu diffs\n",
              tern_isa_name(k_isas[i]), tern_fmt_name(p->fmt), p->rows, p->k, p->batch, p->stride,
              bad);
  }
  free(yref);
  free(yfast);
}

static uint32_t pick_k(uint64_t *s) {
  static const uint32_t edge[] = {1,   2,   3,   4,   5,   63,  64,   65,   255,  256,
                                  257, 319, 320, 321, 639, 640, 1279, 1280, 1281, 2560};
  switch (tt_rand(s) % 4u) {
  case 0: return edge[tt_rand(s) % (sizeof edge / sizeof edge[0])];
  case 1: return tt_range(s, 1, 100);
  case 2: return tt_range(s, 1, 3000);
  default: return tt_range(s, 1, 16384);
  }
}

static void random_case(tt_ctx *c, uint64_t *s, int invalid) {
  prob p;
  p.fmt = (tern_fmt)(tt_rand(s) & 1u);
  p.k = pick_k(s);
  /* keep rows * k * batch moderate: the reference is deliberately slow */
  uint32_t big = p.k > 4000;
  p.rows = tt_range(s, 1, big ? 6 : 13);
  p.batch = tt_range(s, 1, big ? 3 : 9);
  size_t rb = tern_row_bytes(p.fmt, p.k);
  p.stride = rb + ((tt_rand(s) & 1u) ? tt_range(s, 0, 70) : 0);
  p.x_stride = p.k + ((tt_rand(s) & 1u) ? tt_range(s, 0, 70) : 0);
  p.y_stride = p.rows + ((tt_rand(s) & 1u) ? tt_range(s, 0, 5) : 0);
  prob_alloc(&p, s, (int)(tt_rand(s) & 1u));
  fill_weights(&p, s, 0);
  fill_x(&p, s);
  unsigned n_bad = invalid ? tt_range(s, 1, 3) : 0;
  for (unsigned i = 0; i < n_bad; i++) corrupt(&p, s);
  check_all_isas(c, &p, invalid ? TERN_ERR_CODE : TERN_OK);
  prob_free(&p);
}

static void t_random(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x1111;
  for (int i = 0; i < 150; i++) random_case(c, &s, 0);
}

static void t_invalid_codes(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x2222;
  for (int i = 0; i < 60; i++) random_case(c, &s, 1);
}

/* Every small K with each row-stride padding of 0..2 vectors, batch 1 and 2. */
static void t_small_k_sweep(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x3333;
  for (int f = 0; f < 2; f++)
    for (uint32_t k = 1; k <= 100; k++) {
      prob p = {(tern_fmt)f, 5, k, 1, 0, k, 5, NULL, NULL, NULL, NULL, 0, 0, 0};
      p.batch = 1 + (k & 1u);
      p.stride = tern_row_bytes(p.fmt, k) + (k % 3u) * 32u;
      prob_alloc(&p, &s, (int)(k & 2u));
      fill_weights(&p, &s, 0);
      fill_x(&p, &s);
      check_all_isas(c, &p, TERN_OK);
      prob_free(&p);
    }
}

/* Batch blocks: more vectors than one scratch block holds (and a K large
 * enough that the block shrinks), with an invalid row. */
static void t_large_batch(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x4444;
  uint32_t ks[2] = {333, 20000};
  for (int f = 0; f < 2; f++)
    for (int i = 0; i < 2; i++) {
      prob p = {(tern_fmt)f, 5, ks[i], 70, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, 0};
      p.rows = i ? 2 : 9;
      p.stride = tern_row_bytes(p.fmt, p.k) + 3;
      p.x_stride = p.k + 1;
      p.y_stride = p.rows + 2;
      prob_alloc(&p, &s, 0);
      fill_weights(&p, &s, 0);
      fill_x(&p, &s);
      int want = TERN_OK;
      if (f == 1) {
        corrupt(&p, &s);
        want = TERN_ERR_CODE;
      }
      check_all_isas(c, &p, want);
      prob_free(&p);
    }
}

/* Largest sums: expected values are computed by hand, not by the reference,
 * at K = 2^24 - 1 where sum (w+1)*x itself overflows int32. */
static void t_extremes(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x5555;
  static const struct {
    uint32_t k;
    int w, x;
  } cases[] = {{16384, -1, -128},     {16384, 1, 127},        {16384, 1, -128},    {16384, -1, 127},
               {TERN_MAX_K, 1, -128}, {TERN_MAX_K, -1, -128}, {TERN_MAX_K, 1, 127}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    for (int f = 0; f < 2; f++) {
      prob p = {(tern_fmt)f, 0, cases[i].k, 1, 0, 0, 0, NULL, NULL, NULL, NULL, 0, 0, 0};
      int huge = cases[i].k == TERN_MAX_K;
      p.rows = huge ? 1 : 5;
      p.batch = huge ? 1 : 2;
      p.stride = tern_row_bytes(p.fmt, p.k) + (huge ? 0 : 7);
      p.x_stride = p.k;
      p.y_stride = p.rows;
      prob_alloc(&p, &s, 1);
      fill_weights(&p, &s, cases[i].w);
      memset(p.x, cases[i].x, p.x_len);
      int32_t want = (int32_t)((int64_t)cases[i].w * cases[i].x * (int64_t)p.k);
      tern_wmat w = {p.fmt, p.rows, p.k, p.stride, p.wdata, p.w_len};
      int32_t y[10];
      for (size_t j = 0; j < N_ISAS; j++) {
        if (!tern_isa_available(k_isas[j])) continue;
        for (int q = 0; q < 10; q++) y[q] = SENTINEL;
        TT_EQ_INT(
            c, tern_gemm(k_isas[j], &w, p.x, p.x_stride, p.x_len, p.batch, y, p.y_stride, p.y_len),
            TERN_OK);
        for (size_t q = 0; q < p.y_len; q++) TT_EQ_INT(c, y[q], want);
      }
      if (!huge) check_all_isas(c, &p, TERN_OK);
      prob_free(&p);
    }
}

static void t_isa_query(tt_ctx *c) {
  TT_CHECK(c, tern_isa_available(TERN_ISA_AUTO));
  TT_CHECK(c, tern_isa_available(TERN_ISA_SCALAR));
  TT_CHECK(c, !tern_isa_available((tern_isa)99));
  tern_isa best = tern_isa_best();
  TT_CHECK(c, best != TERN_ISA_AUTO && tern_isa_available(best));
  TT_CHECK(c, tern_isa_name((tern_isa)99) == NULL);
  TT_CHECK(c, !strcmp(tern_isa_name(TERN_ISA_AVX512), "avx512"));
#if defined(__x86_64__) || defined(__i386__)
  /* Independent check of the CPU's features, asked here directly. */
  __builtin_cpu_init();
  int has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
               __builtin_cpu_supports("avx512vbmi");
  TT_EQ_INT(c, tern_isa_available(TERN_ISA_AVX512), has512);
  TT_EQ_INT(c, tern_isa_available(TERN_ISA_AVX2), __builtin_cpu_supports("avx2") != 0);
  TT_EQ_INT(c, tern_isa_available(TERN_ISA_NEON), 0);
  if (has512) TT_EQ_INT(c, best, TERN_ISA_AVX512);
  if (c->verbose) printf("     best isa here: %s\n", tern_isa_name(best));
#endif
}

static void t_bad_args(tt_ctx *c) {
  uint8_t wd[2 * 3];
  int8_t x[2 * 10] = {0};
  int32_t y[2 * 2];
  memset(wd, TERN_I2_ZERO_BYTE, sizeof wd);
  tern_wmat w = {TERN_FMT_I2, 2, 10, 3, wd, sizeof wd};
  for (size_t i = 0; i < N_ISAS; i++) {
    tern_isa isa = k_isas[i];
    if (!tern_isa_available(isa)) {
      TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, 2, y, 2, 4), TERN_ERR_UNSUPPORTED);
      continue;
    }
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, 2, y, 2, 4), TERN_OK);
    TT_EQ_INT(c, tern_gemm(isa, NULL, x, 10, 20, 2, y, 2, 4), TERN_ERR_NULL);
    TT_EQ_INT(c, tern_gemm(isa, &w, NULL, 10, 20, 2, y, 2, 4), TERN_ERR_NULL);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, 2, NULL, 2, 4), TERN_ERR_NULL);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 19, 2, y, 2, 4), TERN_ERR_TRUNC);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, 2, y, 2, 3), TERN_ERR_TRUNC);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 9, 20, 2, y, 2, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, 2, y, 1, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, 0, y, 2, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, tern_gemm(isa, &w, x, 10, 20, TERN_MAX_BATCH + 1, y, 2, 4), TERN_ERR_DIM);
    tern_wmat v = w;
    v.data = NULL;
    TT_EQ_INT(c, tern_gemm(isa, &v, x, 10, 20, 2, y, 2, 4), TERN_ERR_NULL);
    v = w;
    v.rows = 0;
    TT_EQ_INT(c, tern_gemm(isa, &v, x, 10, 20, 2, y, 2, 4), TERN_ERR_DIM);
    v = w;
    v.k = 0;
    TT_EQ_INT(c, tern_gemm(isa, &v, x, 10, 20, 2, y, 2, 4), TERN_ERR_DIM);
    v = w;
    v.row_stride = 2; /* < 3 bytes for 10 trits */
    TT_EQ_INT(c, tern_gemm(isa, &v, x, 10, 20, 2, y, 2, 4), TERN_ERR_DIM);
    v = w;
    v.len = 5;
    TT_EQ_INT(c, tern_gemm(isa, &v, x, 10, 20, 2, y, 2, 4), TERN_ERR_TRUNC);
    v = w;
    v.fmt = (tern_fmt)7;
    TT_EQ_INT(c, tern_gemm(isa, &v, x, 10, 20, 2, y, 2, 4), TERN_ERR_FORMAT);
  }
  TT_EQ_INT(c, tern_gemm((tern_isa)99, &w, x, 10, 20, 2, y, 2, 4), TERN_ERR_FORMAT);
  TT_EQ_INT(c, tern_gemm((tern_isa)-1, &w, x, 10, 20, 2, y, 2, 4), TERN_ERR_FORMAT);
}

void suite_fast(tt_ctx *c) {
  tt_run(c, "fast/isa_query", t_isa_query);
  tt_run(c, "fast/bad_args", t_bad_args);
  tt_run(c, "fast/small_k_sweep", t_small_k_sweep);
  tt_run(c, "fast/random", t_random);
  tt_run(c, "fast/invalid_codes", t_invalid_codes);
  tt_run(c, "fast/large_batch", t_large_batch);
  tt_run(c, "fast/extremes", t_extremes);
}

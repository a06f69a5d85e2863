/* AVX-512 (F, BW, VL, VNNI, VBMI) GEMV/GEMM kernel, bit-identical to
 * tern_gemm_ref. Design and proof of exactness: docs/performance.md.
 *
 * Core identity: with code c = w + 1 in {0,1,2},
 *   sum_j w_j x_j = sum_j c_j x_j - sum_j x_j,
 * and VPDPBUSD multiplies unsigned bytes (c) by signed bytes (x) into int32
 * lanes without saturation. All lane arithmetic wraps mod 2^32 and the true
 * result fits int32 (|y| <= 128 K < 2^31), so the wrapped result is exact.
 * Activations are permuted once per call into "plane" order (tern_permute_x)
 * so a plane of trits falls out of the packed vector with a shift and a mask
 * (I2) or a byte lookup (B3). Padding trits meet zero activations, so their
 * values never matter; rows holding an invalid code are recomputed by the
 * scalar kernel, which defines their results. */
#include "tern_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stdlib.h>

#define TI static inline __attribute__((always_inline))
#define VB 64u /* bytes a vector */
#define RG 4u  /* rows a GEMV / GEMM group */
#define NBG 4u /* batch vectors a GEMM block */
#define BB_MAX 64u

/* B3 byte v -> digits 0..3 of v packed like an I2 byte (d0 | d1<<2 | d2<<4
 * | d3<<6), and v -> digit 4. Bytes 243..255 map to 0: their rows are
 * recomputed anyway. (Constant data; every entry is exercised by the
 * fast == reference tests.) */
static const uint8_t k_b3_lo4[256] = {
    0,   1,   2,   4,   5,   6,   8,   9,   10,  16,  17,  18,  20,  21,  22,  24,  25,  26,  32,
    33,  34,  36,  37,  38,  40,  41,  42,  64,  65,  66,  68,  69,  70,  72,  73,  74,  80,  81,
    82,  84,  85,  86,  88,  89,  90,  96,  97,  98,  100, 101, 102, 104, 105, 106, 128, 129, 130,
    132, 133, 134, 136, 137, 138, 144, 145, 146, 148, 149, 150, 152, 153, 154, 160, 161, 162, 164,
    165, 166, 168, 169, 170, 0,   1,   2,   4,   5,   6,   8,   9,   10,  16,  17,  18,  20,  21,
    22,  24,  25,  26,  32,  33,  34,  36,  37,  38,  40,  41,  42,  64,  65,  66,  68,  69,  70,
    72,  73,  74,  80,  81,  82,  84,  85,  86,  88,  89,  90,  96,  97,  98,  100, 101, 102, 104,
    105, 106, 128, 129, 130, 132, 133, 134, 136, 137, 138, 144, 145, 146, 148, 149, 150, 152, 153,
    154, 160, 161, 162, 164, 165, 166, 168, 169, 170, 0,   1,   2,   4,   5,   6,   8,   9,   10,
    16,  17,  18,  20,  21,  22,  24,  25,  26,  32,  33,  34,  36,  37,  38,  40,  41,  42,  64,
    65,  66,  68,  69,  70,  72,  73,  74,  80,  81,  82,  84,  85,  86,  88,  89,  90,  96,  97,
    98,  100, 101, 102, 104, 105, 106, 128, 129, 130, 132, 133, 134, 136, 137, 138, 144, 145, 146,
    148, 149, 150, 152, 153, 154, 160, 161, 162, 164, 165, 166, 168, 169, 170, 0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,
};
static const uint8_t k_b3_d4[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

typedef struct b3_tab {
  __m512i a[4];
  __m512i d4[4];
} b3_tab;

static void b3_tables(b3_tab *t) {
  for (unsigned i = 0; i < 4; i++) {
    t->a[i] = _mm512_loadu_si512(k_b3_lo4 + VB * i);
    t->d4[i] = _mm512_loadu_si512(k_b3_d4 + VB * i);
  }
}

/* 256-entry byte lookup: two 128-entry permutes chosen by the top bit. */
TI __m512i lut256(__m512i v, __mmask64 hi, const __m512i *t) {
  __m512i lo = _mm512_permutex2var_epi8(t[0], v, t[1]);
  __m512i up = _mm512_permutex2var_epi8(t[2], v, t[3]);
  return _mm512_mask_blend_epi8(hi, lo, up);
}

/* Wrapping horizontal sum (intrinsic adds are modular, unlike C int). */
TI uint32_t hsum(__m512i v) {
  __m256i s = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
  t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
  return (uint32_t)_mm_cvtsi128_si32(t);
}

TI int32_t finish(uint32_t sum_cx, int32_t sumx) {
  return (int32_t)(sum_cx - (uint32_t)sumx); /* exact: true value fits int32 */
}

/* I2 validity: a 2-bit code is 3 iff both its bits are set. */
TI __m512i i2_bad_acc(__m512i acc, __m512i v) {
  return _mm512_ternarylogic_epi64(acc, v, _mm512_srli_epi16(v, 1), 0xf8); /* acc|(v&v>>1) */
}
TI int i2_bad_test(__m512i acc) { return _mm512_test_epi8_mask(acc, _mm512_set1_epi8(0x55)) != 0; }
TI int b3_bad_test(__m512i maxv) {
  return _mm512_cmpgt_epu8_mask(maxv, _mm512_set1_epi8((char)TERN_B3_MAX_VALID)) != 0;
}

/* Codes in a row's bytes past the data (up to row_stride) must be valid. */
static int pad_bad(tern_fmt fmt, const uint8_t *p, size_t n) {
  __m512i acc = _mm512_setzero_si512();
  for (size_t i = 0; i < n; i += VB) {
    size_t m = n - i < VB ? n - i : VB;
    __mmask64 k = m == VB ? ~(__mmask64)0 : (((__mmask64)1 << m) - 1);
    __m512i v = _mm512_maskz_loadu_epi8(k, p + i);
    acc = fmt == TERN_FMT_I2 ? i2_bad_acc(acc, v) : _mm512_max_epu8(acc, v);
  }
  return fmt == TERN_FMT_I2 ? i2_bad_test(acc) : b3_bad_test(acc);
}

/* Row geometry shared by all loops. */
typedef struct geom {
  size_t stride, rb, nfull, kp, chunk;
  __mmask64 tmask; /* bytes of the last, partial vector of a row */
} geom;

TI __m512i row_vec(const uint8_t *row, const geom *g, size_t c) {
  return c < g->nfull ? _mm512_loadu_si512(row + c * VB)
                      : _mm512_maskz_loadu_epi8(g->tmask, row + c * VB);
}

/* Permutes one activation vector into plane order (see tern_permute_x),
 * zero past k, and returns its exact sum. Plane t of a chunk gathers bytes
 * per*b + t of up to five input vectors with byte permutes. */
static int32_t permute_x(const int8_t *x, uint32_t k, unsigned per, int8_t *xp, size_t kp) {
  const __m512i iota = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i idx[5];
  __mmask64 ge128[5], ge256[5];
  __m512i times = _mm512_add_epi8(_mm512_add_epi8(iota, iota), _mm512_add_epi8(iota, iota));
  if (per == 5) times = _mm512_add_epi8(times, iota); /* per*b mod 256 */
  for (unsigned t = 0; t < per; t++) {
    /* source byte per*b + t: its low 7 bits index a register pair */
    idx[t] = _mm512_add_epi8(times, _mm512_set1_epi8((char)t));
    ge128[t] = _mm512_cmpge_epu8_mask(iota, _mm512_set1_epi8((char)((128 - t + per - 1) / per)));
    ge256[t] = _mm512_cmpge_epu8_mask(iota, _mm512_set1_epi8((char)((256 - t + per - 1) / per)));
  }
  __m512i sum = _mm512_setzero_si512();
  size_t chunk = (size_t)per * VB;
  for (size_t c = 0; c < kp; c += chunk) {
    __m512i in[5];
    for (unsigned i = 0; i < per; i++) {
      size_t at = c + i * VB;
      if (at + VB <= k) {
        in[i] = _mm512_loadu_si512(x + at);
      } else if (at < k) {
        in[i] = _mm512_maskz_loadu_epi8(((__mmask64)1 << (k - at)) - 1, x + at);
      } else {
        in[i] = _mm512_setzero_si512();
      }
      sum = _mm512_dpbusd_epi32(sum, ones, in[i]);
    }
    for (unsigned t = 0; t < per; t++) {
      __m512i r = _mm512_permutex2var_epi8(in[0], idx[t], in[1]);
      r = _mm512_mask_blend_epi8(ge128[t], r, _mm512_permutex2var_epi8(in[2], idx[t], in[3]));
      if (per == 5) r = _mm512_mask_blend_epi8(ge256[t], r, _mm512_permutexvar_epi8(idx[t], in[4]));
      _mm512_store_si512(xp + c + t * VB, r);
    }
  }
  return (int32_t)hsum(sum);
}

/* ---- GEMV: decode in registers, RG rows share each activation load ----
 * Written with macros and named accumulators: arrays of vectors indexed in
 * loops made GCC spill them every iteration. */

/* I2: planes 0 and 2 are (v & 3) and (v>>4 & 3); planes 1 and 3 are kept
 * at weight 4 ((v & 12), (v>>4 & 12)) in a second accumulator, which saves
 * two shifts; per lane it stays below 2^30, so the final >>2 is exact. */
#define I2_STEP(V, A0, A1)                                                                         \
  do {                                                                                             \
    __m512i v_ = (V), h_ = _mm512_srli_epi16(v_, 4);                                               \
    A0 = _mm512_dpbusd_epi32(A0, _mm512_and_si512(v_, m3), x0);                                    \
    A1 = _mm512_dpbusd_epi32(A1, _mm512_and_si512(v_, m12), x1);                                   \
    A0 = _mm512_dpbusd_epi32(A0, _mm512_and_si512(h_, m3), x2);                                    \
    A1 = _mm512_dpbusd_epi32(A1, _mm512_and_si512(h_, m12), x3);                                   \
    bad = i2_bad_acc(bad, v_);                                                                     \
  } while (0)

/* B3: one 256-entry lookup gives digits 0..3 as an I2 byte (then as above),
 * a second gives digit 4. */
#define B3_STEP(V, A0, A1)                                                                         \
  do {                                                                                             \
    __m512i v_ = (V);                                                                              \
    __mmask64 hi_ = _mm512_movepi8_mask(v_);                                                       \
    __m512i a_ = lut256(v_, hi_, t->a), d_ = lut256(v_, hi_, t->d4);                               \
    __m512i h_ = _mm512_srli_epi16(a_, 4);                                                         \
    A0 = _mm512_dpbusd_epi32(A0, _mm512_and_si512(a_, m3), x0);                                    \
    A1 = _mm512_dpbusd_epi32(A1, _mm512_and_si512(a_, m12), x1);                                   \
    A0 = _mm512_dpbusd_epi32(A0, _mm512_and_si512(h_, m3), x2);                                    \
    A1 = _mm512_dpbusd_epi32(A1, _mm512_and_si512(h_, m12), x3);                                   \
    A0 = _mm512_dpbusd_epi32(A0, d_, x4);                                                          \
    bad = _mm512_max_epu8(bad, v_);                                                                \
  } while (0)

#define LOAD_FULL(P) _mm512_loadu_si512(P)
#define LOAD_TAIL(P) _mm512_maskz_loadu_epi8(g->tmask, P)
#define LOAD_X(PER)                                                                                \
  const int8_t *xc = xp + c * (PER)*VB;                                                            \
  __m512i x0 = _mm512_load_si512(xc), x1 = _mm512_load_si512(xc + VB);                             \
  __m512i x2 = _mm512_load_si512(xc + 2 * VB), x3 = _mm512_load_si512(xc + 3 * VB);                \
  __m512i x4 = (PER) == 5 ? _mm512_load_si512(xc + 4 * VB) : x3;                                   \
  (void)x4

#define GEMV_ONE(STEP, PER, LOAD)                                                                  \
  do {                                                                                             \
    LOAD_X(PER);                                                                                   \
    STEP(LOAD(row + c * VB), a0, a1);                                                              \
  } while (0)
#define GEMV_FOUR(STEP, PER, LOAD)                                                                 \
  do {                                                                                             \
    LOAD_X(PER);                                                                                   \
    PREFETCH4();                                                                                   \
    STEP(LOAD(r0 + c * VB), a0, a1);                                                               \
    STEP(LOAD(r1 + c * VB), b0, b1);                                                               \
    STEP(LOAD(r2 + c * VB), c0, c1);                                                               \
    STEP(LOAD(r3 + c * VB), d0, d1);                                                               \
  } while (0)

/* The next group's rows, prefetched one group ahead: without it the GEMV
 * waits on L3 for matrices that miss L2 (~30% slower on 6912x2560). Done
 * on integers: the address may lie past the matrix (prefetches never fault). */
#define PF_ROW(P) _mm_prefetch((const char *)((uintptr_t)(P) + pf_ahead), _MM_HINT_T0)
#define PREFETCH4()                                                                                \
  do {                                                                                             \
    PF_ROW(r0 + c * VB);                                                                           \
    PF_ROW(r1 + c * VB);                                                                           \
    PF_ROW(r2 + c * VB);                                                                           \
    PF_ROW(r3 + c * VB);                                                                           \
  } while (0)

#define ACC_SUM(A0, A1) hsum(_mm512_add_epi32(A0, _mm512_srai_epi32(A1, 2)))

/* One row (fmt by STEP); returns nonzero on an invalid code. */
#define GEMV_ROW_FN(NAME, STEP, PER, BADTEST)                                                      \
  static int NAME(const uint8_t *row, const geom *g, const int8_t *xp, const b3_tab *t,            \
                  int32_t sumx, int32_t *y) {                                                      \
    const __m512i m3 = _mm512_set1_epi8(3), m12 = _mm512_set1_epi8(12);                            \
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, bad = a0;                                        \
    size_t c = 0;                                                                                  \
    (void)t;                                                                                       \
    for (; c < g->nfull; c++) GEMV_ONE(STEP, PER, LOAD_FULL);                                      \
    if (g->tmask) GEMV_ONE(STEP, PER, LOAD_TAIL);                                                  \
    y[0] = finish(ACC_SUM(a0, a1), sumx);                                                          \
    return BADTEST(bad);                                                                           \
  }
/* Four rows sharing activation loads. */
#define GEMV_FOUR_FN(NAME, STEP, PER, BADTEST)                                                     \
  static int NAME(const uint8_t *row, const geom *g, const int8_t *xp, const b3_tab *t,            \
                  int32_t sumx, int32_t *y) {                                                      \
    const __m512i m3 = _mm512_set1_epi8(3), m12 = _mm512_set1_epi8(12);                            \
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0;              \
    __m512i d0 = a0, d1 = a0, bad = a0;                                                            \
    const uint8_t *r0 = row, *r1 = r0 + g->stride, *r2 = r1 + g->stride;                           \
    const uint8_t *r3 = r2 + g->stride;                                                            \
    const uintptr_t pf_ahead = RG * g->stride;                                                     \
    size_t c = 0;                                                                                  \
    (void)t;                                                                                       \
    for (; c < g->nfull; c++) GEMV_FOUR(STEP, PER, LOAD_FULL);                                     \
    if (g->tmask) GEMV_FOUR(STEP, PER, LOAD_TAIL);                                                 \
    y[0] = finish(ACC_SUM(a0, a1), sumx);                                                          \
    y[1] = finish(ACC_SUM(b0, b1), sumx);                                                          \
    y[2] = finish(ACC_SUM(c0, c1), sumx);                                                          \
    y[3] = finish(ACC_SUM(d0, d1), sumx);                                                          \
    return BADTEST(bad);                                                                           \
  }

GEMV_ROW_FN(i2_gemv1, I2_STEP, 4, i2_bad_test)
GEMV_FOUR_FN(i2_gemv4, I2_STEP, 4, i2_bad_test)
GEMV_ROW_FN(b3_gemv1, B3_STEP, 5, b3_bad_test)
GEMV_FOUR_FN(b3_gemv4, B3_STEP, 5, b3_bad_test)

/* ---- GEMM: decode a row group once to code planes, reuse per vector ---- */

static int unpack_row(tern_fmt fmt, const uint8_t *row, const geom *g, const b3_tab *t,
                      int8_t *dst) {
  const __m512i m3 = _mm512_set1_epi8(3);
  __m512i acc = _mm512_setzero_si512();
  size_t nch = g->kp / g->chunk;
  for (size_t c = 0; c < nch; c++) {
    __m512i v = row_vec(row, g, c), a = v;
    int8_t *d = dst + c * g->chunk;
    if (fmt == TERN_FMT_I2) {
      acc = i2_bad_acc(acc, v);
    } else {
      __mmask64 hi = _mm512_movepi8_mask(v);
      a = lut256(v, hi, t->a);
      _mm512_store_si512(d + 4 * VB, lut256(v, hi, t->d4));
      acc = _mm512_max_epu8(acc, v);
    }
    _mm512_store_si512(d, _mm512_and_si512(a, m3));
    _mm512_store_si512(d + VB, _mm512_and_si512(_mm512_srli_epi16(a, 2), m3));
    _mm512_store_si512(d + 2 * VB, _mm512_and_si512(_mm512_srli_epi16(a, 4), m3));
    _mm512_store_si512(d + 3 * VB, _mm512_and_si512(_mm512_srli_epi16(a, 6), m3));
  }
  return fmt == TERN_FMT_I2 ? i2_bad_test(acc) : b3_bad_test(acc);
}

/* R code rows (stride kp) times NB permuted vectors (stride kp). */
TI void dot_block(const int8_t *wb, const unsigned R, const int8_t *xb, const unsigned NB,
                  size_t kp, const int32_t *sumx, int32_t *y, size_t y_stride) {
  __m512i acc[RG][NBG];
  for (unsigned r = 0; r < R; r++)
    for (unsigned b = 0; b < NB; b++) acc[r][b] = _mm512_setzero_si512();
  for (size_t i = 0; i < kp; i += VB) {
    __m512i wv[RG];
#pragma GCC unroll 4
    for (unsigned r = 0; r < R; r++) wv[r] = _mm512_load_si512(wb + r * kp + i);
#pragma GCC unroll 4
    for (unsigned b = 0; b < NB; b++) {
      __m512i xv = _mm512_load_si512(xb + b * kp + i);
#pragma GCC unroll 4
      for (unsigned r = 0; r < R; r++) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], wv[r], xv);
    }
  }
  for (unsigned r = 0; r < R; r++)
    for (unsigned b = 0; b < NB; b++) y[b * y_stride + r] = finish(hsum(acc[r][b]), sumx[b]);
}

static void dot_rows(const int8_t *wb, unsigned R, const int8_t *xp, unsigned nb, size_t kp,
                     const int32_t *sumx, int32_t *y, size_t y_stride) {
  unsigned b = 0;
  if (R == RG) {
    for (; b + NBG <= nb; b += NBG)
      dot_block(wb, RG, xp + b * kp, NBG, kp, sumx + b, y + b * y_stride, y_stride);
    for (; b < nb; b++) dot_block(wb, RG, xp + b * kp, 1, kp, sumx + b, y + b * y_stride, y_stride);
    return;
  }
  for (unsigned r = 0; r < R; r++) {
    for (b = 0; b + NBG <= nb; b += NBG)
      dot_block(wb + r * kp, 1, xp + b * kp, NBG, kp, sumx + b, y + b * y_stride + r, y_stride);
    for (; b < nb; b++)
      dot_block(wb + r * kp, 1, xp + b * kp, 1, kp, sumx + b, y + b * y_stride + r, y_stride);
  }
}

/* ---- driver ---- */

int tern_gemm_avx512(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch,
                     int32_t *y, size_t y_stride) {
  const tern_fmt fmt = w->fmt;
  const unsigned per = fmt == TERN_FMT_I2 ? TERN_I2_TRITS_PER_BYTE : TERN_B3_TRITS_PER_BYTE;
  geom g;
  g.stride = w->row_stride;
  g.rb = tern_row_bytes(fmt, w->k);
  g.nfull = g.rb / VB;
  g.tmask = g.rb % VB ? (((__mmask64)1 << (g.rb % VB)) - 1) : 0;
  g.chunk = (size_t)per * VB;
  g.kp = tern_round_up(w->k, g.chunk);

  /* Batch vectors are permuted in blocks that stay cache-sized. */
  size_t bb = batch < BB_MAX ? batch : BB_MAX;
  while (bb > NBG && bb * g.kp > ((size_t)1 << 20)) bb /= 2;
  size_t wrows = batch > 1 ? RG : 0;
  /* Small calls (most GEMVs) use the stack: malloc would cost more than
   * the work. */
  _Alignas(64) uint8_t local[16384];
  size_t need = (bb + wrows) * g.kp + bb * sizeof(int32_t) + VB;
  uint8_t *mem = need <= sizeof local ? local : malloc(need);
  if (!mem) return TERN_ERR_NOMEM;
  int8_t *xp = (int8_t *)(mem + (VB - (uintptr_t)mem % VB) % VB); /* 64-byte aligned */
  int8_t *wb = xp + bb * g.kp;
  int32_t *sumx = (int32_t *)(void *)(wb + wrows * g.kp);

  b3_tab t;
  if (fmt == TERN_FMT_B3) b3_tables(&t);
  int bad_any = 0, status = TERN_OK;
  const uint8_t *data = w->data;
  for (uint32_t b0 = 0; b0 < batch && status == TERN_OK; b0 += (uint32_t)bb) {
    unsigned nb = (unsigned)(batch - b0 < bb ? batch - b0 : bb);
    const int8_t *xb0 = x + (size_t)b0 * x_stride;
    int32_t *yb0 = y + (size_t)b0 * y_stride;
    for (unsigned i = 0; i < nb; i++)
      sumx[i] = permute_x(xb0 + i * x_stride, w->k, per, xp + i * g.kp, g.kp);
    for (uint32_t r = 0; r < w->rows && status == TERN_OK;) {
      unsigned R = w->rows - r >= RG ? RG : 1;
      const uint8_t *row = data + (size_t)r * g.stride;
      int bad = 0;
      if (batch == 1) {
        if (fmt == TERN_FMT_I2)
          bad = R == RG ? i2_gemv4(row, &g, xp, &t, sumx[0], y + r)
                        : i2_gemv1(row, &g, xp, &t, sumx[0], y + r);
        else
          bad = R == RG ? b3_gemv4(row, &g, xp, &t, sumx[0], y + r)
                        : b3_gemv1(row, &g, xp, &t, sumx[0], y + r);
      } else {
        for (unsigned i = 0; i < R; i++)
          bad |= unpack_row(fmt, row + i * g.stride, &g, &t, wb + i * g.kp);
        dot_rows(wb, R, xp, nb, g.kp, sumx, yb0 + r, y_stride);
      }
      if (g.stride > g.rb)
        for (unsigned i = 0; i < R; i++)
          bad |= pad_bad(fmt, row + i * g.stride + g.rb, g.stride - g.rb);
      if (bad) {
        bad_any = 1;
        int st = tern_gemm_rows_scalar(w, r, R, xb0, x_stride, nb, yb0, y_stride);
        if (st == TERN_ERR_NOMEM) status = st;
      }
      r += R;
    }
  }
  if (mem != local) free(mem);
  if (status != TERN_OK) return status;
  return bad_any ? TERN_ERR_CODE : TERN_OK;
}

#else
typedef int tern_gemm_avx512_unused; /* not an x86 target */
#endif

/* AVX2 GEMV/GEMM kernel for x86 CPUs without AVX-512, bit-identical to
 * tern_gemm_ref (docs/performance.md).
 *
 * Each group of rows is decoded once into code planes (c = w + 1 in
 * {0,1,2}, in the activation's permuted order) and then multiplied with
 * every batch vector by VPMADDUBSW (unsigned codes x signed int8). No
 * saturation is possible: a VPMADDUBSW pair is at most 2 * 2 * 128 = 512 in
 * magnitude and two pairs are added (1024) before VPMADDWD widens to int32,
 * far from the int16 limit of 32767. The int32 lanes wrap mod 2^32 and the
 * final sum_j c_j x_j - sum_j x_j fits int32, so the result is exact. */
#include "tern_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

#define TI static inline __attribute__((always_inline))
#define VB 32u /* bytes a vector */
#define RG 4u
#define NBG 2u
#define BB_MAX 64u

typedef struct geom {
  size_t stride, rb, nfull, tail, kp, chunk;
} geom;

TI uint32_t hsum(__m256i v) {
  __m128i t = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
  t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
  return (uint32_t)_mm_cvtsi128_si32(t);
}

/* Decodes one row into code planes at dst (g->kp bytes); nonzero if any
 * code in the row's data bytes is invalid. */
static int unpack_row(tern_fmt fmt, const uint8_t *row, const geom *g, int8_t *dst) {
  const __m256i m3 = _mm256_set1_epi8(3), lo8 = _mm256_set1_epi16(0xff);
  const __m256i third = _mm256_set1_epi16(21846); /* (w*21846)>>16 == w/3, w <= 255 */
  __m256i acc = _mm256_setzero_si256();
  size_t nch = g->nfull + (g->tail != 0);
  /* Planes past the row's data stay zero; they meet zero x anyway. */
  memset(dst + nch * g->chunk, 0, g->kp - nch * g->chunk);
  for (size_t c = 0; c < nch; c++) {
    __m256i v;
    if (c < g->nfull) {
      v = _mm256_loadu_si256((const __m256i *)(const void *)(row + c * VB));
    } else {
      uint8_t tmp[VB] = {0};
      memcpy(tmp, row + c * VB, g->tail);
      v = _mm256_loadu_si256((const __m256i *)(const void *)tmp);
    }
    int8_t *d = dst + c * g->chunk;
    if (fmt == TERN_FMT_I2) {
      acc = _mm256_or_si256(acc, _mm256_and_si256(v, _mm256_srli_epi16(v, 1)));
      for (unsigned t = 0; t < 4; t++) {
        __m256i p = _mm256_and_si256(_mm256_srl_epi16(v, _mm_cvtsi32_si128(2 * (int)t)), m3);
        _mm256_store_si256((__m256i *)(void *)(d + t * VB), p);
      }
    } else {
      acc = _mm256_max_epu8(acc, v);
      __m256i lo = _mm256_and_si256(v, lo8), hi = _mm256_srli_epi16(v, 8);
      for (unsigned t = 0; t < 5; t++) {
        __m256i dlo = lo, dhi = hi;
        if (t < 4) {
          __m256i qlo = _mm256_mulhi_epu16(lo, third), qhi = _mm256_mulhi_epu16(hi, third);
          dlo = _mm256_sub_epi16(lo, _mm256_add_epi16(qlo, _mm256_add_epi16(qlo, qlo)));
          dhi = _mm256_sub_epi16(hi, _mm256_add_epi16(qhi, _mm256_add_epi16(qhi, qhi)));
          lo = qlo;
          hi = qhi;
        }
        _mm256_store_si256((__m256i *)(void *)(d + t * VB),
                           _mm256_or_si256(dlo, _mm256_slli_epi16(dhi, 8)));
      }
    }
  }
  if (fmt == TERN_FMT_I2) return !_mm256_testz_si256(acc, _mm256_set1_epi8(0x55));
  __m256i lim = _mm256_set1_epi8((char)TERN_B3_MAX_VALID);
  return _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(acc, lim), lim)) != -1;
}

/* R code rows times NB permuted vectors; both have stride kp. */
TI void dot_block(const int8_t *wb, const unsigned R, const int8_t *xb, const unsigned NB,
                  size_t kp, const int32_t *sumx, int32_t *y, size_t y_stride) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[RG][NBG];
  for (unsigned r = 0; r < R; r++)
    for (unsigned b = 0; b < NB; b++) acc[r][b] = _mm256_setzero_si256();
  for (size_t i = 0; i < kp; i += 2 * VB) { /* kp is a multiple of 4 * VB */
#pragma GCC unroll 2
    for (unsigned b = 0; b < NB; b++) {
      __m256i x0 = _mm256_load_si256((const __m256i *)(const void *)(xb + b * kp + i));
      __m256i x1 = _mm256_load_si256((const __m256i *)(const void *)(xb + b * kp + i + VB));
#pragma GCC unroll 4
      for (unsigned r = 0; r < R; r++) {
        __m256i w0 = _mm256_load_si256((const __m256i *)(const void *)(wb + r * kp + i));
        __m256i w1 = _mm256_load_si256((const __m256i *)(const void *)(wb + r * kp + i + VB));
        __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(w0, x0), _mm256_maddubs_epi16(w1, x1));
        acc[r][b] = _mm256_add_epi32(acc[r][b], _mm256_madd_epi16(p, ones));
      }
    }
  }
  for (unsigned r = 0; r < R; r++)
    for (unsigned b = 0; b < NB; b++)
      y[b * y_stride + r] = (int32_t)(hsum(acc[r][b]) - (uint32_t)sumx[b]);
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
  for (unsigned r = 0; r < R; r++)
    for (b = 0; b < nb; b++)
      dot_block(wb + r * kp, 1, xp + b * kp, 1, kp, sumx + b, y + b * y_stride + r, y_stride);
}

int tern_gemm_avx2(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch, int32_t *y,
                   size_t y_stride) {
  const tern_fmt fmt = w->fmt;
  const unsigned per = fmt == TERN_FMT_I2 ? TERN_I2_TRITS_PER_BYTE : TERN_B3_TRITS_PER_BYTE;
  geom g;
  g.stride = w->row_stride;
  g.rb = tern_row_bytes(fmt, w->k);
  g.nfull = g.rb / VB;
  g.tail = g.rb % VB;
  g.chunk = (size_t)per * VB;
  g.kp = tern_round_up(w->k, 4 * g.chunk); /* lets dot_block step 2 vectors */

  size_t bb = batch < BB_MAX ? batch : BB_MAX;
  while (bb > NBG && bb * g.kp > ((size_t)1 << 20)) bb /= 2;
  uint8_t *mem = malloc((bb + RG) * g.kp + bb * sizeof(int32_t) + VB);
  if (!mem) return TERN_ERR_NOMEM;
  int8_t *xp = (int8_t *)(mem + (VB - (uintptr_t)mem % VB) % VB);
  int8_t *wb = xp + bb * g.kp;
  int32_t *sumx = (int32_t *)(void *)(wb + RG * g.kp);

  int bad_any = 0, status = TERN_OK;
  for (uint32_t b0 = 0; b0 < batch && status == TERN_OK; b0 += (uint32_t)bb) {
    unsigned nb = (unsigned)(batch - b0 < bb ? batch - b0 : bb);
    const int8_t *xb0 = x + (size_t)b0 * x_stride;
    int32_t *yb0 = y + (size_t)b0 * y_stride;
    for (unsigned i = 0; i < nb; i++) {
      tern_permute_x(xb0 + i * x_stride, w->k, per, VB, xp + i * g.kp, g.kp);
      sumx[i] = tern_sum_x(xb0 + i * x_stride, w->k);
    }
    for (uint32_t r = 0; r < w->rows && status == TERN_OK;) {
      unsigned R = w->rows - r >= RG ? RG : 1;
      const uint8_t *row = w->data + (size_t)r * g.stride;
      int bad = 0;
      for (unsigned i = 0; i < R; i++) {
        bad |= unpack_row(fmt, row + i * g.stride, &g, wb + i * g.kp);
        bad |= tern_bytes_bad(fmt, row + i * g.stride + g.rb, g.stride - g.rb);
      }
      dot_rows(wb, R, xp, nb, g.kp, sumx, yb0 + r, y_stride);
      if (bad) {
        bad_any = 1;
        if (tern_gemm_rows_scalar(w, r, R, xb0, x_stride, nb, yb0, y_stride) == TERN_ERR_NOMEM)
          status = TERN_ERR_NOMEM;
      }
      r += R;
    }
  }
  free(mem);
  if (status != TERN_OK) return status;
  return bad_any ? TERN_ERR_CODE : TERN_OK;
}

#else
typedef int tern_gemm_avx2_unused; /* not an x86 target */
#endif

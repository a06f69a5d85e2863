/* AArch64 NEON GEMV/GEMM kernel, bit-identical to tern_gemm_ref
 * (docs/performance.md). Compiles to nothing on other targets.
 *
 * Like the AVX2 kernel: each group of rows is decoded once into code planes
 * (c = w + 1 in {0,1,2}, in the activation's permuted order, 16-byte
 * vectors) and multiplied with every batch vector. With the dot-product
 * extension SDOT sums four c*x products per int32 lane; without it SMULL
 * and SMLAL form int16 sums of two products (|.| <= 512) and SADALP widens
 * them. Lanes wrap mod 2^32 and sum c*x - sum x fits int32, so the result is
 * exact. Not run by CI (no Arm machine); cross-compile checked only. */
#include "tern_internal.h"

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#include <stdlib.h>
#include <string.h>

#define VB 16u /* bytes a vector */
#define RG 4u
#define BB_MAX 64u

typedef struct geom {
  size_t stride, rb, nfull, tail, kp, chunk;
} geom;

/* floor(v / 3) for bytes: (v * 171) >> 9 is exact for v <= 255. */
static inline uint8x16_t div3(uint8x16_t v) {
  const uint8x8_t m = vdup_n_u8(171);
  uint16x8_t lo = vmull_u8(vget_low_u8(v), m), hi = vmull_u8(vget_high_u8(v), m);
  return vcombine_u8(vshrn_n_u16(vshrq_n_u16(lo, 1), 8), vshrn_n_u16(vshrq_n_u16(hi, 1), 8));
}

/* Decodes one row into code planes at dst; nonzero on an invalid code. */
static int unpack_row(tern_fmt fmt, const uint8_t *row, const geom *g, int8_t *dst) {
  const uint8x16_t m3 = vdupq_n_u8(3), three = vdupq_n_u8(3);
  uint8x16_t acc = vdupq_n_u8(0);
  size_t nch = g->nfull + (g->tail != 0);
  memset(dst + nch * g->chunk, 0, g->kp - nch * g->chunk);
  for (size_t c = 0; c < nch; c++) {
    uint8_t tmp[VB] = {0};
    const uint8_t *src = row + c * VB;
    if (c >= g->nfull) {
      memcpy(tmp, src, g->tail);
      src = tmp;
    }
    uint8x16_t v = vld1q_u8(src);
    uint8_t *d = (uint8_t *)dst + c * g->chunk;
    if (fmt == TERN_FMT_I2) {
      acc = vorrq_u8(acc, vandq_u8(v, vshrq_n_u8(v, 1)));
      vst1q_u8(d, vandq_u8(v, m3));
      vst1q_u8(d + VB, vandq_u8(vshrq_n_u8(v, 2), m3));
      vst1q_u8(d + 2 * VB, vandq_u8(vshrq_n_u8(v, 4), m3));
      vst1q_u8(d + 3 * VB, vshrq_n_u8(v, 6));
    } else {
      acc = vmaxq_u8(acc, v);
      for (unsigned t = 0; t < 4; t++) {
        uint8x16_t q = div3(v);
        vst1q_u8(d + t * VB, vmlsq_u8(v, q, three)); /* v - 3q */
        v = q;
      }
      vst1q_u8(d + 4 * VB, v);
    }
  }
  if (fmt == TERN_FMT_I2) return vmaxvq_u8(vandq_u8(acc, vdupq_n_u8(0x55))) != 0;
  return vmaxvq_u8(acc) > TERN_B3_MAX_VALID;
}

/* One code row times one permuted vector: sum of c*x, wrapping. */
static uint32_t dot_row(const int8_t *wr, const int8_t *xv, size_t kp) {
  int32x4_t acc0 = vdupq_n_s32(0), acc1 = vdupq_n_s32(0);
  for (size_t i = 0; i < kp; i += 2 * VB) { /* kp is a multiple of 4 * VB */
    int8x16_t w0 = vld1q_s8(wr + i), w1 = vld1q_s8(wr + i + VB);
    int8x16_t x0 = vld1q_s8(xv + i), x1 = vld1q_s8(xv + i + VB);
#ifdef __ARM_FEATURE_DOTPROD
    acc0 = vdotq_s32(acc0, w0, x0);
    acc1 = vdotq_s32(acc1, w1, x1);
#else
    int16x8_t p = vmull_s8(vget_low_s8(w0), vget_low_s8(x0));
    p = vmlal_high_s8(p, w0, x0);
    acc0 = vpadalq_s16(acc0, p);
    int16x8_t q = vmull_s8(vget_low_s8(w1), vget_low_s8(x1));
    q = vmlal_high_s8(q, w1, x1);
    acc1 = vpadalq_s16(acc1, q);
#endif
  }
  uint32x4_t s = vaddq_u32(vreinterpretq_u32_s32(acc0), vreinterpretq_u32_s32(acc1));
  return vaddvq_u32(s);
}

int tern_gemm_neon(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch, int32_t *y,
                   size_t y_stride) {
  const tern_fmt fmt = w->fmt;
  const unsigned per = fmt == TERN_FMT_I2 ? TERN_I2_TRITS_PER_BYTE : TERN_B3_TRITS_PER_BYTE;
  geom g;
  g.stride = w->row_stride;
  g.rb = tern_row_bytes(fmt, w->k);
  g.nfull = g.rb / VB;
  g.tail = g.rb % VB;
  g.chunk = (size_t)per * VB;
  g.kp = tern_round_up(w->k, 4 * g.chunk);

  size_t bb = batch < BB_MAX ? batch : BB_MAX;
  while (bb > 1 && bb * g.kp > ((size_t)1 << 20)) bb /= 2;
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
      unsigned R = w->rows - r >= RG ? RG : w->rows - r;
      const uint8_t *row = w->data + (size_t)r * g.stride;
      int bad = 0;
      for (unsigned i = 0; i < R; i++) {
        bad |= unpack_row(fmt, row + i * g.stride, &g, wb + i * g.kp);
        bad |= tern_bytes_bad(fmt, row + i * g.stride + g.rb, g.stride - g.rb);
      }
      for (unsigned b = 0; b < nb; b++)
        for (unsigned i = 0; i < R; i++)
          yb0[b * y_stride + r + i] =
              (int32_t)(dot_row(wb + i * g.kp, xp + b * g.kp, g.kp) - (uint32_t)sumx[b]);
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
typedef int tern_gemm_neon_unused; /* not an AArch64 target */
#endif

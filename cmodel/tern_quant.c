/* Activation and weight quantizers and dequantization (docs/numerics.md).
 * Built with -ffp-contract=off: every product and sum is rounded to fp32
 * exactly where the contract says. */
#include "tern.h"

#include <math.h>

float tern_round_half_even(float v) {
  if (!isfinite(v)) return v;
  float r = floorf(v);
  float d = v - r; /* exact: v and r are within one unit of each other */
  /* above half: up; a tie: to the even neighbour (fmodf is exact) */
  if (d > 0.5f || (d == 0.5f && fmodf(r, 2.0f) != 0.0f)) r += 1.0f;
  /* a zero result keeps v's sign (-0.3 -> -0.0), as IEEE roundToIntegralTiesToEven */
  return copysignf(r, v);
}

static int clamp_int(float v, int lo, int hi) {
  if (v < (float)lo) return lo;
  if (v > (float)hi) return hi;
  return (int)v;
}

int tern_quant_act(const float *x, uint32_t n, int8_t *q, float *scale) {
  if (!x || !q || !scale) return TERN_ERR_NULL;
  if (n == 0 || n > TERN_MAX_K) return TERN_ERR_DIM;
  float amax = 0.0f;
  for (uint32_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) return TERN_ERR_VALUE;
    float a = fabsf(x[i]);
    if (a > amax) amax = a;
  }
  float s = 127.0f / fmaxf(amax, 1e-5f);
  for (uint32_t i = 0; i < n; i++) {
    float v = x[i] * s;
    q[i] = (int8_t)clamp_int(tern_round_half_even(v), -128, 127);
  }
  *scale = s;
  return TERN_OK;
}

int tern_quant_absmean(const float *w, size_t n, int8_t *trits, float *wscale) {
  if (!w || !trits || !wscale) return TERN_ERR_NULL;
  if (n == 0) return TERN_ERR_DIM;
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(w[i])) return TERN_ERR_VALUE;
    sum += fabs((double)w[i]);
  }
  float m = fmaxf((float)(sum / (double)n), 1e-5f);
  float s = 1.0f / m;
  for (size_t i = 0; i < n; i++)
    trits[i] = (int8_t)clamp_int(tern_round_half_even(w[i] * s), -1, 1);
  *wscale = m;
  return TERN_OK;
}

int tern_dequant(const int32_t *acc, uint32_t n, float act_scale, float wscale,
                 float *y) {
  if (!acc || !y) return TERN_ERR_NULL;
  if (n == 0) return TERN_ERR_DIM;
  if (!isfinite(act_scale) || !(act_scale > 0.0f) || !isfinite(wscale))
    return TERN_ERR_VALUE;
  for (uint32_t i = 0; i < n; i++) {
    float a = (float)acc[i] / act_scale;
    y[i] = a * wscale;
  }
  return TERN_OK;
}

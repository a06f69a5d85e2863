/* Numerics contract tests (docs/numerics.md): hand-computed golden vectors,
 * property tests against plain test-local references, limits, invalid codes,
 * every error path, half-precision conversions and the dequantization order.
 * Expected values never come from the code under test. */
#include "../../cmodel/tern.h"
#include "suites.h"

#include <float.h>
#include <math.h>
#include <stdint.h>

/* ---- test-local references ---------------------------------------------- */

static int64_t plain_dot(const int8_t *t, const int8_t *x, uint32_t k) {
  int64_t s = 0;
  for (uint32_t j = 0; j < k; j++) s += (int64_t)t[j] * x[j];
  return s;
}

static void rand_trits(uint64_t *s, int8_t *t, size_t n) {
  for (size_t i = 0; i < n; i++) t[i] = (int8_t)((int)(tt_rand(s) % 3u) - 1);
}

static void rand_i8(uint64_t *s, int8_t *x, size_t n) {
  for (size_t i = 0; i < n; i++) x[i] = (int8_t)(uint8_t)tt_rand(s);
}

static float bits_f(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static uint32_t f_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* Plain packers, written from the format text, not from tern_pack.c. */
static uint8_t i2_byte(const int8_t c[4]) {
  return (uint8_t)((c[0] + 1) | (c[1] + 1) << 2 | (c[2] + 1) << 4 | (c[3] + 1) << 6);
}
static uint8_t b3_byte(const int8_t c[5]) {
  return (uint8_t)((c[0] + 1) + 3 * (c[1] + 1) + 9 * (c[2] + 1) + 27 * (c[3] + 1) +
                   81 * (c[4] + 1));
}

/* ---- constants and sizes -------------------------------------------------- */

static void t_constants(tt_ctx *c) {
  TT_EQ_INT(c, TERN_I2_ZERO_BYTE, 0x55);
  TT_EQ_INT(c, TERN_B3_ZERO_BYTE, 1 + 3 + 9 + 27 + 81);
  TT_EQ_INT(c, TERN_B3_ZERO_BYTE, 121);
  TT_EQ_INT(c, TERN_B3_MAX_VALID, 3 * 3 * 3 * 3 * 3 - 1);
  TT_EQ_INT(c, TERN_MAX_K, 16777215);
  /* the int32 bound: 128 * K_max < 2^31, and 128 * 2^24 == 2^31 exactly */
  TT_CHECK(c, 128ull * TERN_MAX_K < (1ull << 31));
  TT_CHECK(c, 128ull * (TERN_MAX_K + 1ull) == (1ull << 31));
  /* row sizes: ceil(K/4) and ceil(K/5) */
  static const uint32_t ks[] = {1, 4, 5, 6, 10, 11, 1000, 16384, TERN_MAX_K};
  static const size_t i2[] = {1, 1, 2, 2, 3, 3, 250, 4096, 4194304};
  static const size_t b3[] = {1, 1, 1, 2, 2, 3, 200, 3277, 3355443};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    TT_EQ_INT(c, tern_row_bytes(TERN_FMT_I2, ks[i]), i2[i]);
    TT_EQ_INT(c, tern_row_bytes(TERN_FMT_B3, ks[i]), b3[i]);
  }
  TT_EQ_INT(c, tern_row_bytes(TERN_FMT_I2, 0), 0);
  TT_EQ_INT(c, tern_row_bytes(TERN_FMT_B3, TERN_MAX_K + 1u), 0);
  TT_EQ_INT(c, tern_row_bytes((tern_fmt)7, 8), 0);
  TT_CHECK(c, !strcmp(tern_fmt_name(TERN_FMT_I2), "i2"));
  TT_CHECK(c, !strcmp(tern_fmt_name(TERN_FMT_B3), "b3"));
  TT_CHECK(c, tern_fmt_name((tern_fmt)2) == NULL);
  TT_CHECK(c, tern_fmt_name((tern_fmt)-1) == NULL);
}

/* ---- packing by hand ------------------------------------------------------ */

static void t_pack_hand(tt_ctx *c) {
  /* I2: -1,+1,0,-1 -> codes 0,2,1,0 -> 0b00_01_10_00 = 0x18;
   * +1 then three pads -> 0b01_01_01_10 = 0x56; then a whole pad byte. */
  int8_t t[7] = {-1, 1, 0, -1, 1, 0, -1};
  uint8_t o[4];
  memset(o, 0xEE, sizeof o);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, t, 5, o, 3), TERN_OK);
  TT_EQ_INT(c, o[0], 0x18);
  TT_EQ_INT(c, o[1], 0x56);
  TT_EQ_INT(c, o[2], 0x55);
  TT_EQ_INT(c, o[3], 0xEE); /* nothing past out_len */
  /* B3: codes 0,2,1,0,2 -> 0 + 6 + 9 + 0 + 162 = 177;
   * codes 1,0 then pads 1,1,1 -> 1 + 0 + 9 + 27 + 81 = 118; then 121. */
  memset(o, 0xEE, sizeof o);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, t, 7, o, 3), TERN_OK);
  TT_EQ_INT(c, o[0], 177);
  TT_EQ_INT(c, o[1], 118);
  TT_EQ_INT(c, o[2], 121);
  TT_EQ_INT(c, o[3], 0xEE);
  /* extremes: all +1 -> 0xAA / 242, all -1 -> 0x00 / 0 */
  int8_t p[5] = {1, 1, 1, 1, 1}, m[5] = {-1, -1, -1, -1, -1};
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, p, 4, o, 1), TERN_OK);
  TT_EQ_INT(c, o[0], 0xAA);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, m, 4, o, 1), TERN_OK);
  TT_EQ_INT(c, o[0], 0x00);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, p, 5, o, 1), TERN_OK);
  TT_EQ_INT(c, o[0], 242);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, m, 5, o, 1), TERN_OK);
  TT_EQ_INT(c, o[0], 0);
  /* K = 1: a single +1 and its pads: I2 0b01_01_01_10 = 0x56, B3 2+3+9+27+81 = 122 */
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, p, 1, o, 1), TERN_OK);
  TT_EQ_INT(c, o[0], 0x56);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, p, 1, o, 1), TERN_OK);
  TT_EQ_INT(c, o[0], 122);
}

static void t_unpack_hand(tt_ctx *c) {
  /* 0x18 0x56 -> -1,+1,0,-1 | +1 (then pads) */
  const uint8_t i2[2] = {0x18, 0x56};
  int8_t t[8];
  memset(t, 9, sizeof t);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, i2, 2, 5, t), TERN_OK);
  const int8_t want[5] = {-1, 1, 0, -1, 1};
  TT_CHECK(c, !memcmp(t, want, 5));
  TT_EQ_INT(c, t[5], 9); /* only k trits written */
  /* B3 177 = 0 + 2*3 + 1*9 + 0*27 + 2*81; 118 = 1 + 0*3 + 1*9 + 1*27 + 1*81 */
  const uint8_t b3[2] = {177, 118};
  memset(t, 9, sizeof t);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_B3, b3, 2, 7, t), TERN_OK);
  const int8_t want3[7] = {-1, 1, 0, -1, 1, 0, -1};
  TT_CHECK(c, !memcmp(t, want3, 7));
  TT_EQ_INT(c, t[7], 9);
  /* every one of the 243 valid B3 bytes decodes to its base-3 digits */
  for (unsigned v = 0; v < 243; v++) {
    uint8_t byte = (uint8_t)v;
    int8_t d[5];
    TT_EQ_INT(c, tern_unpack_row(TERN_FMT_B3, &byte, 1, 5, d), TERN_OK);
    unsigned r = v;
    for (int j = 0; j < 5; j++, r /= 3) TT_EQ_INT(c, d[j], (int)(r % 3) - 1);
  }
  /* every I2 byte without code 3 decodes to its bit pairs */
  for (unsigned v = 0; v < 256; v++) {
    uint8_t byte = (uint8_t)v;
    int8_t d[4];
    int has3 = 0;
    for (int j = 0; j < 4; j++) has3 |= ((v >> (2 * j)) & 3u) == 3u;
    TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, &byte, 1, 4, d), has3 ? TERN_ERR_CODE : TERN_OK);
    for (int j = 0; j < 4; j++) {
      unsigned code = (v >> (2 * j)) & 3u;
      TT_EQ_INT(c, d[j], code == 3u ? 0 : (int)code - 1);
    }
  }
}

/* ---- GEMV by hand --------------------------------------------------------- */

static void t_gemv_hand(tt_ctx *c) {
  /* W (3 x 7), x0 and x1 = all ones. Sums worked out in docs/numerics.md:
   * row0 . x0 = 127-128+5+0-1+100-100 = 3
   * row1 . x0 = -127-128+0+0+1+100+100 = -54
   * row2 . x0 = 0+128-5+0+0+0-100 = 23; with x1 the row sums 7, -1, 0. */
  const int8_t w[21] = {1, 1, 1, 1, 1, 1, 1, -1, 1, 0, 0, -1, 1, -1, 0, -1, -1, 1, 0, 0, 1};
  int8_t x[2 * 9];
  const int8_t x0[7] = {127, -128, 5, 0, -1, 100, -100};
  memset(x, 0x7f, sizeof x); /* garbage in the stride gap */
  memcpy(x, x0, 7);
  memset(x + 9, 1, 7);
  for (int f = 0; f < 2; f++) {
    uint8_t buf[3 * 5];
    TT_EQ_INT(c, tern_pack((tern_fmt)f, w, 3, 7, buf, 5, sizeof buf), TERN_OK);
    tern_wmat m = {(tern_fmt)f, 3, 7, 5, buf, sizeof buf};
    int32_t y[2 * 4];
    memset(y, 0x5a, sizeof y);
    TT_EQ_INT(c, tern_gemm_ref(&m, x, 9, sizeof x, 2, y, 4, sizeof y / sizeof y[0]), TERN_OK);
    TT_EQ_INT(c, y[0], 3);
    TT_EQ_INT(c, y[1], -54);
    TT_EQ_INT(c, y[2], 23);
    TT_EQ_INT(c, y[3], 0x5a5a5a5a); /* stride gap untouched */
    TT_EQ_INT(c, y[4], 7);
    TT_EQ_INT(c, y[5], -1);
    TT_EQ_INT(c, y[6], 0);
  }
}

/* ---- rounding, activation and weight quantization ------------------------ */

static void t_round_half_even(tt_ctx *c) {
  static const float in[] = {0.5f,    1.5f,        2.5f,       3.5f,       -0.5f,  -1.5f,  -2.5f,
                             -3.5f,   0.49999997f, 2.4999998f, 2.5000002f, 126.5f, 127.5f, -127.5f,
                             -128.5f, 8388607.5f,  8388608.0f, 1e30f,      -7.0f,  0.0f};
  static const float out[] = {0.0f,    2.0f,       2.0f,       4.0f,  -0.0f,  -2.0f,  -2.0f,
                              -4.0f,   0.0f,       2.0f,       3.0f,  126.0f, 128.0f, -128.0f,
                              -128.0f, 8388608.0f, 8388608.0f, 1e30f, -7.0f,  0.0f};
  for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
    TT_CHECK(c, tern_round_half_even(in[i]) == out[i]);
  TT_CHECK(c, signbit(tern_round_half_even(-0.5f)));
  TT_CHECK(c, isinf(tern_round_half_even(INFINITY)));
  TT_CHECK(c, isnan(tern_round_half_even(NAN)));
  /* against the C library's round-to-nearest-even on random bit patterns */
  uint64_t s = c->seed ^ 0x726f756e64ull;
  for (int i = 0; i < 200000; i++) {
    float v = bits_f((uint32_t)tt_rand(&s));
    if (!isfinite(v)) continue;
    float want = nearbyintf(v);
    TT_EQ_INT(c, f_bits(tern_round_half_even(v)), f_bits(want));
  }
}

/* The contract written out independently: fp32 ops, ties to even via rintf. */
static void ref_quant_act(const float *x, uint32_t n, int8_t *q, float *scale) {
  float amax = 0.0f;
  for (uint32_t i = 0; i < n; i++) amax = fabsf(x[i]) > amax ? fabsf(x[i]) : amax;
  volatile float den = amax > 1e-5f ? amax : 1e-5f;
  volatile float s = 127.0f / den;
  for (uint32_t i = 0; i < n; i++) {
    volatile float v = x[i] * s;
    float r = rintf(v);
    q[i] = (int8_t)(r > 127.0f ? 127 : r < -128.0f ? -128 : (int)r);
  }
  *scale = s;
}

static void t_act_quant_hand(tt_ctx *c) {
  /* max 127 -> s = 1 exactly, so x*s = x and only the rounding acts */
  const float x[] = {2.5f,   3.5f,   -2.5f,   -3.5f,      0.5f,       1.5f, -0.5f,
                     126.5f, 127.0f, -127.0f, 2.4999998f, 2.5000002f, 0.0f, -126.5f};
  const int8_t want[] = {2, 4, -2, -4, 0, 2, 0, 126, 127, -127, 2, 3, 0, -126};
  uint32_t n = sizeof x / sizeof x[0];
  int8_t q[16];
  float s = 0;
  TT_EQ_INT(c, tern_quant_act(x, n, q, &s), TERN_OK);
  TT_CHECK(c, s == 1.0f);
  for (uint32_t i = 0; i < n; i++) TT_EQ_INT(c, q[i], want[i]);
  /* max 254 -> s = 0.5: 5 -> 2.5 -> 2, 7 -> 3.5 -> 4, -254 -> -127 */
  const float y[] = {5.0f, 7.0f, -254.0f, 1.0f, 3.0f};
  const int8_t wy[] = {2, 4, -127, 0, 2};
  TT_EQ_INT(c, tern_quant_act(y, 5, q, &s), TERN_OK);
  TT_CHECK(c, s == 0.5f);
  for (int i = 0; i < 5; i++) TT_EQ_INT(c, q[i], wy[i]);
  /* all zeros: s = 127 / 1e-5 (fp32), q = 0 */
  const float z[3] = {0.0f, -0.0f, 0.0f};
  TT_EQ_INT(c, tern_quant_act(z, 3, q, &s), TERN_OK);
  volatile float tiny = 1e-5f;
  TT_CHECK(c, s == 127.0f / tiny);
  TT_EQ_INT(c, q[0] | q[1] | q[2], 0);
  /* below the 1e-5 floor the scale stays 127/1e-5 and q < 127 */
  const float t[2] = {5e-6f, -2e-6f};
  int8_t rq[2];
  float rs;
  ref_quant_act(t, 2, rq, &rs);
  TT_EQ_INT(c, tern_quant_act(t, 2, q, &s), TERN_OK);
  TT_CHECK(c, s == rs);
  TT_EQ_INT(c, q[0], rq[0]);
  TT_EQ_INT(c, q[1], rq[1]);
  TT_CHECK(c, q[0] >= 63 && q[0] <= 64);
  /* NaN / inf anywhere are rejected */
  float bad[3] = {1.0f, NAN, 2.0f};
  TT_EQ_INT(c, tern_quant_act(bad, 3, q, &s), TERN_ERR_VALUE);
  bad[1] = INFINITY;
  TT_EQ_INT(c, tern_quant_act(bad, 3, q, &s), TERN_ERR_VALUE);
  bad[1] = -INFINITY;
  TT_EQ_INT(c, tern_quant_act(bad, 3, q, &s), TERN_ERR_VALUE);
}

/* -128 is never produced: |x*s| <= max*fl(127/max) <= 127*(1+2^-24)^2 < 127.5. */
static void t_act_quant_random(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x616374ull;
  static float x[4096];
  static int8_t q[4096], rq[4096];
  int min_q = 0;
  for (int it = 0; it < 300; it++) {
    uint32_t n = tt_range(&s, 1, 4096);
    int e = (int)tt_range(&s, 0, 60) - 30; /* magnitudes 2^-30 .. 2^30 */
    for (uint32_t i = 0; i < n; i++) {
      float u = (float)(tt_rand(&s) >> 40) / 16777216.0f * 2.0f - 1.0f;
      x[i] = ldexpf(u, e);
    }
    if (it % 3 == 0) x[tt_range(&s, 0, n - 1)] = -ldexpf(1.0f, e); /* the extreme negative */
    float sc, rs;
    TT_EQ_INT(c, tern_quant_act(x, n, q, &sc), TERN_OK);
    ref_quant_act(x, n, rq, &rs);
    TT_CHECK(c, f_bits(sc) == f_bits(rs));
    TT_CHECK(c, !memcmp(q, rq, n));
    float amax = 0;
    for (uint32_t i = 0; i < n; i++) amax = fmaxf(amax, fabsf(x[i]));
    for (uint32_t i = 0; i < n; i++) {
      if (q[i] < min_q) min_q = q[i];
      if (amax >= 1e-5f && fabsf(x[i]) == amax) TT_EQ_INT(c, abs(q[i]), 127);
    }
  }
  TT_EQ_INT(c, min_q, -127);
}

static void t_absmean_hand(tt_ctx *c) {
  /* sum|W| = 4, mean 1, s = 1: 1.5 -> 2 -> clamp 1, 0.5 -> 0 (tie to even) */
  const float w[4] = {1.5f, 0.5f, -1.0f, -1.0f};
  int8_t t[8];
  float ws = 0;
  TT_EQ_INT(c, tern_quant_absmean(w, 4, t, &ws), TERN_OK);
  TT_CHECK(c, ws == 1.0f);
  TT_EQ_INT(c, t[0], 1);
  TT_EQ_INT(c, t[1], 0);
  TT_EQ_INT(c, t[2], -1);
  TT_EQ_INT(c, t[3], -1);
  const float w2[4] = {-0.5f, 0.75f, -2.25f, 0.5f}; /* sum 4, s = 1 */
  TT_EQ_INT(c, tern_quant_absmean(w2, 4, t, &ws), TERN_OK);
  TT_CHECK(c, ws == 1.0f);
  TT_EQ_INT(c, t[0], 0); /* -0.5 -> -0 */
  TT_EQ_INT(c, t[1], 1);
  TT_EQ_INT(c, t[2], -1);
  TT_EQ_INT(c, t[3], 0);
  /* 0.3, -0.1, 0.05, -0.6: mean 0.2625, s = 3.8095: 1.14 -> 1, -0.38 -> 0,
   * 0.19 -> 0, -2.29 -> -1 */
  const float w3[4] = {0.3f, -0.1f, 0.05f, -0.6f};
  TT_EQ_INT(c, tern_quant_absmean(w3, 4, t, &ws), TERN_OK);
  TT_CHECK(c, ws == (float)(((double)0.3f + (double)0.1f + (double)0.05f + (double)0.6f) / 4.0));
  TT_EQ_INT(c, t[0], 1);
  TT_EQ_INT(c, t[1], 0);
  TT_EQ_INT(c, t[2], 0);
  TT_EQ_INT(c, t[3], -1);
  /* all zero: mean floored to 1e-5 */
  const float z[2] = {0.0f, 0.0f};
  TT_EQ_INT(c, tern_quant_absmean(z, 2, t, &ws), TERN_OK);
  TT_CHECK(c, ws == 1e-5f);
  TT_EQ_INT(c, t[0] | t[1], 0);
  float bad[2] = {1.0f, NAN};
  TT_EQ_INT(c, tern_quant_absmean(bad, 2, t, &ws), TERN_ERR_VALUE);
  bad[1] = -INFINITY;
  TT_EQ_INT(c, tern_quant_absmean(bad, 2, t, &ws), TERN_ERR_VALUE);
}

/* ---- dequantization ------------------------------------------------------- */

static void t_dequant(tt_ctx *c) {
  const int32_t acc[4] = {254, -381, -3, 16777217};
  float y[4];
  TT_EQ_INT(c, tern_dequant(acc, 2, 127.0f, 0.25f, y), TERN_OK);
  TT_CHECK(c, y[0] == 0.5f);   /* 254/127 = 2, * 0.25 */
  TT_CHECK(c, y[1] == -0.75f); /* -381/127 = -3, * 0.25 */
  TT_EQ_INT(c, tern_dequant(acc + 2, 1, 2.0f, 3.0f, y), TERN_OK);
  TT_CHECK(c, y[0] == -4.5f);
  /* int32 -> fp32 rounds above 2^24: 2^24 + 1 becomes 2^24 */
  TT_EQ_INT(c, tern_dequant(acc + 3, 1, 1.0f, 1.0f, y), TERN_OK);
  TT_CHECK(c, y[0] == 16777216.0f);

  /* the order example of docs/numerics.md: acc = 1, s = 3, ws = 0.3f;
   * (1/3)*0.3f = 0x1.99999cp-4 but 1*(0.3f/3) = 0x1.99999ap-4 */
  const int32_t one = 1;
  TT_EQ_INT(c, tern_dequant(&one, 1, 3.0f, 0.3f, y), TERN_OK);
  TT_CHECK(c, y[0] == 0x1.99999cp-4f);
  TT_CHECK(c, 0x1.99999cp-4f != 0x1.99999ap-4f);

  /* Order: find inputs where (acc/s)*ws and acc*(ws/s) and (acc*ws)/s differ,
   * and check tern gives the first one, bit for bit, everywhere. */
  uint64_t s = c->seed ^ 0x6465712ull;
  int found = 0;
  int32_t a[1];
  for (int i = 0; i < 20000; i++) {
    a[0] = (int32_t)(tt_rand(&s) % 4000001u) - 2000000;
    volatile float as = bits_f(0x3f000000u + (uint32_t)(tt_rand(&s) % 0x4000000u)); /* 0.5..512 */
    volatile float w = bits_f(0x3c000000u + (uint32_t)(tt_rand(&s) % 0x2000000u));
    volatile float fa = (float)a[0];
    volatile float t1 = fa / as;
    volatile float want = t1 * w;
    volatile float r = w / as;
    volatile float other = fa * r;
    volatile float t2 = fa * w;
    volatile float other2 = t2 / as;
    TT_EQ_INT(c, tern_dequant(a, 1, as, w, y), TERN_OK);
    TT_EQ_INT(c, f_bits(y[0]), f_bits(want));
    if (want != other && want != other2) found++;
  }
  TT_CHECK(c, found > 100); /* the order matters often, so the check above bites */

  /* errors */
  TT_EQ_INT(c, tern_dequant(NULL, 1, 1.0f, 1.0f, y), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_dequant(acc, 1, 1.0f, 1.0f, NULL), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_dequant(acc, 0, 1.0f, 1.0f, y), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_dequant(acc, 1, 0.0f, 1.0f, y), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_dequant(acc, 1, -1.0f, 1.0f, y), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_dequant(acc, 1, INFINITY, 1.0f, y), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_dequant(acc, 1, NAN, 1.0f, y), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_dequant(acc, 1, 1.0f, NAN, y), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_dequant(acc, 1, 1.0f, -INFINITY, y), TERN_ERR_VALUE);
  TT_EQ_INT(c, tern_dequant(acc, 1, 1.0f, -2.0f, y), TERN_OK); /* negative ws is allowed */
  TT_CHECK(c, y[0] == -508.0f);
}

/* ---- properties over random shapes --------------------------------------- */

static void check_padding(tt_ctx *c, tern_fmt f, const uint8_t *row, uint32_t k, size_t stride) {
  unsigned per = f == TERN_FMT_I2 ? 4u : 5u;
  size_t full = (k + per - 1) / per;
  for (size_t b = full; b < stride; b++) TT_EQ_INT(c, row[b], f == TERN_FMT_I2 ? 0x55 : 121);
  if (k % per) { /* the last partial byte: pad trits are code 1 */
    unsigned byte = row[full - 1];
    for (unsigned t = 0; t < per; t++) {
      unsigned code = f == TERN_FMT_I2 ? (byte >> (2 * t)) & 3u : byte % 3u;
      if (f == TERN_FMT_B3) byte /= 3u;
      if (t >= k % per) TT_EQ_INT(c, code, 1);
    }
  }
}

static void t_property_roundtrip_gemv(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x70726f70ull;
  for (int it = 0; it < 240; it++) {
    tern_fmt f = (tern_fmt)(it & 1);
    uint32_t k;
    switch (it % 6) {
    case 0:
    case 1: k = tt_range(&s, 1, 12); break;
    case 2:
    case 3: k = tt_range(&s, 13, 700); break;
    default: k = it < 200 ? tt_range(&s, 700, 4000) : tt_range(&s, 12000, 16384);
    }
    if (it == 6) k = 16384;
    uint32_t rows = tt_range(&s, 1, it >= 200 ? 3 : 9);
    uint32_t batch = tt_range(&s, 1, 3);
    size_t stride = tern_row_bytes(f, k) + tt_range(&s, 0, 4);
    size_t xs = k + tt_range(&s, 0, 5), ys = rows + tt_range(&s, 0, 2);
    int8_t *t = malloc((size_t)rows * k), *u = malloc((size_t)rows * k);
    uint8_t *pk = malloc(rows * stride);
    int8_t *x = malloc(batch * xs);
    int32_t *y = malloc(batch * ys * sizeof *y);
    rand_trits(&s, t, (size_t)rows * k);
    rand_i8(&s, x, batch * xs);
    if (it % 10 == 0) memset(x, -128, batch * xs); /* extremes */
    TT_EQ_INT(c, tern_pack(f, t, rows, k, pk, stride, rows * stride), TERN_OK);
    for (uint32_t r = 0; r < rows; r++) check_padding(c, f, pk + r * stride, k, stride);
    /* the first row against the plain packer */
    unsigned per = f == TERN_FMT_I2 ? 4u : 5u;
    for (uint32_t b = 0; b * per < k; b++) {
      int8_t grp[5] = {0, 0, 0, 0, 0};
      for (unsigned j = 0; j < per && b * per + j < k; j++) grp[j] = t[b * per + j];
      TT_EQ_INT(c, pk[b], f == TERN_FMT_I2 ? i2_byte(grp) : b3_byte(grp));
    }
    tern_wmat m = {f, rows, k, stride, pk, rows * stride};
    TT_EQ_INT(c, tern_unpack(&m, u, (size_t)rows * k), TERN_OK);
    TT_CHECK(c, !memcmp(t, u, (size_t)rows * k));
    TT_EQ_INT(c, tern_gemm_ref(&m, x, xs, batch * xs, batch, y, ys, batch * ys), TERN_OK);
    for (uint32_t b = 0; b < batch; b++)
      for (uint32_t r = 0; r < rows; r++)
        TT_EQ_INT(c, y[b * ys + r], plain_dot(t + (size_t)r * k, x + b * xs, k));
    free(t), free(u), free(pk), free(x), free(y);
  }
}

/* |acc| reaches 128*K: all q = -128 with all w = -1 (and +1 for the negative). */
static void max_case(tt_ctx *c, tern_fmt f, uint32_t k) {
  int8_t *t = malloc(k), *x = malloc(k);
  size_t stride = tern_row_bytes(f, k);
  uint8_t *pk = malloc(2 * stride);
  memset(x, -128, k);
  memset(t, -1, k);
  TT_EQ_INT(c, tern_pack_row(f, t, k, pk, stride), TERN_OK);
  memset(t, 1, k);
  TT_EQ_INT(c, tern_pack_row(f, t, k, pk + stride, stride), TERN_OK);
  tern_wmat m = {f, 2, k, stride, pk, 2 * stride};
  int32_t y[2];
  TT_EQ_INT(c, tern_gemm_ref(&m, x, k, k, 1, y, 2, 2), TERN_OK);
  TT_EQ_INT(c, y[0], 128ll * k);
  TT_EQ_INT(c, y[1], -128ll * k);
  memset(x, 127, k);
  TT_EQ_INT(c, tern_gemm_ref(&m, x, k, k, 1, y, 2, 2), TERN_OK);
  TT_EQ_INT(c, y[0], -127ll * k);
  TT_EQ_INT(c, y[1], 127ll * k);
  free(t), free(x), free(pk);
}

static void t_max_magnitude(tt_ctx *c) {
  for (int f = 0; f < 2; f++) {
    max_case(c, (tern_fmt)f, 16384);
    max_case(c, (tern_fmt)f, 16383);
  }
  /* the largest K: 128 * (2^24 - 1) = 2^31 - 128 still fits int32 */
  max_case(c, TERN_FMT_I2, TERN_MAX_K);
  max_case(c, TERN_FMT_B3, TERN_MAX_K);
  /* K = 2^24 is refused everywhere */
  int8_t t = 0;
  uint8_t b = 0;
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, &t, TERN_MAX_K + 1u, &b, SIZE_MAX), TERN_ERR_DIM);
  tern_wmat m = {TERN_FMT_B3, 1, TERN_MAX_K + 1u, 1u << 22, &b, SIZE_MAX};
  int32_t y;
  TT_EQ_INT(c, tern_gemm_ref(&m, &t, SIZE_MAX, SIZE_MAX, 1, &y, 1, 1), TERN_ERR_DIM);
}

/* ---- invalid codes -------------------------------------------------------- */

static void t_invalid_codes(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x626164ull;
  for (int it = 0; it < 400; it++) {
    tern_fmt f = (tern_fmt)(it & 1);
    unsigned per = f == TERN_FMT_I2 ? 4u : 5u;
    uint32_t k = tt_range(&s, 1, 70), rows = tt_range(&s, 2, 5);
    size_t stride = tern_row_bytes(f, k) + tt_range(&s, 0, 2);
    int8_t t[5 * 70], u[5 * 70], x[70];
    uint8_t pk[5 * 20];
    rand_trits(&s, t, (size_t)rows * k);
    rand_i8(&s, x, k);
    TT_EQ_INT(c, tern_pack(f, t, rows, k, pk, stride, sizeof pk), TERN_OK);
    uint32_t br = tt_range(&s, 0, rows - 1);
    /* position: anywhere in the stride, padding included; force the very
     * last pad trit sometimes */
    size_t byte = it % 7 == 0 ? stride - 1 : tt_range(&s, 0, (uint32_t)stride - 1);
    unsigned slot = it % 7 == 0 ? per - 1 : tt_range(&s, 0, per - 1);
    uint8_t *p = pk + br * stride + byte;
    if (f == TERN_FMT_I2)
      *p |= (uint8_t)(3u << (2 * slot));
    else
      *p = (uint8_t)(243 + (it / 2) % 13); /* 243..255 */
    /* expected trits: the hit trit (I2) or all five of the byte (B3) read 0 */
    int8_t e[5 * 70];
    memcpy(e, t, (size_t)rows * k);
    for (unsigned j = 0; j < per; j++) {
      if (f == TERN_FMT_I2 && j != slot) continue;
      size_t pos = byte * per + j;
      if (pos < k) e[(size_t)br * k + pos] = 0;
    }
    tern_wmat m = {f, rows, k, stride, pk, sizeof pk};
    memset(u, 9, sizeof u);
    TT_EQ_INT(c, tern_unpack(&m, u, sizeof u), TERN_ERR_CODE);
    TT_CHECK(c, !memcmp(u, e, (size_t)rows * k));
    TT_EQ_INT(c, tern_unpack_row(f, pk + br * stride, stride, k, u), TERN_ERR_CODE);
    int32_t y[5];
    TT_EQ_INT(c, tern_gemm_ref(&m, x, k, k, 1, y, rows, rows), TERN_ERR_CODE);
    for (uint32_t r = 0; r < rows; r++) TT_EQ_INT(c, y[r], plain_dot(e + (size_t)r * k, x, k));
    /* other rows alone are clean */
    if (rows > 1) {
      uint32_t ok_r = br == 0 ? 1 : 0;
      TT_EQ_INT(c, tern_unpack_row(f, pk + ok_r * stride, stride, k, u), TERN_OK);
    }
  }
  /* every invalid B3 byte value, in a one-byte row of K = 3 (pads included) */
  for (unsigned v = 243; v < 256; v++) {
    uint8_t b = (uint8_t)v;
    int8_t d[3] = {5, 5, 5};
    TT_EQ_INT(c, tern_unpack_row(TERN_FMT_B3, &b, 1, 3, d), TERN_ERR_CODE);
    TT_EQ_INT(c, d[0] | d[1] | d[2], 0);
  }
  /* valid byte 242 (all +1) is fine; I2 code 3 in the last pad slot of a
   * row with K = 1 is caught */
  uint8_t b = 242;
  int8_t d[5];
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_B3, &b, 1, 5, d), TERN_OK);
  b = 0xC6; /* 11 00 01 10: +1, 0, -1, then code 3 in pad slot 3 */
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, &b, 1, 1, d), TERN_ERR_CODE);
  TT_EQ_INT(c, d[0], 1);
  tern_wmat m = {TERN_FMT_I2, 1, 1, 1, &b, 1};
  int8_t x = 100;
  int32_t y;
  TT_EQ_INT(c, tern_gemm_ref(&m, &x, 1, 1, 1, &y, 1, 1), TERN_ERR_CODE);
  TT_EQ_INT(c, y, 100);
}

/* ---- error paths ---------------------------------------------------------- */

static void t_errors(tt_ctx *c) {
  int8_t t[16] = {0};
  uint8_t o[16] = {0};
  const int codes[] = {TERN_OK,        TERN_ERR_NULL,  TERN_ERR_DIM,
                       TERN_ERR_CODE,  TERN_ERR_TRUNC, TERN_ERR_FORMAT,
                       TERN_ERR_VALUE, TERN_ERR_NOMEM, TERN_ERR_UNSUPPORTED};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    TT_CHECK(c, tern_strerror(codes[i]) != NULL);
    for (size_t j = 0; j < i; j++)
      TT_CHECK(c, strcmp(tern_strerror(codes[i]), tern_strerror(codes[j])));
    TT_CHECK(c, strcmp(tern_strerror(codes[i]), tern_strerror(12345)));
  }
  TT_CHECK(c, tern_strerror(-99) != NULL);

  /* pack_row / unpack_row */
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, NULL, 4, o, 1), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, t, 4, NULL, 1), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_pack_row((tern_fmt)2, t, 4, o, 1), TERN_ERR_FORMAT);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, t, 0, o, 1), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, t, 5, o, 1), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, t, 6, o, 1), TERN_ERR_TRUNC);
  t[2] = 2;
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, t, 4, o, 1), TERN_ERR_VALUE);
  t[2] = -2;
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, t, 4, o, 1), TERN_ERR_VALUE);
  t[2] = 0;
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, NULL, 1, 4, t), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, o, 1, 4, NULL), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_unpack_row((tern_fmt)9, o, 1, 4, t), TERN_ERR_FORMAT);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, o, 1, 0, t), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, o, 1, TERN_MAX_K + 1u, t), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_B3, o, 1, 6, t), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_unpack_row(TERN_FMT_I2, o, 0, 1, t), TERN_ERR_TRUNC);

  /* wmat_check */
  tern_wmat m = {TERN_FMT_I2, 2, 8, 2, o, 4};
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_OK);
  TT_EQ_INT(c, tern_wmat_check(NULL), TERN_ERR_NULL);
  m.data = NULL;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_NULL);
  m.data = o;
  m.fmt = (tern_fmt)3;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_FORMAT);
  m.fmt = TERN_FMT_I2;
  m.rows = 0;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_DIM);
  m.rows = TERN_MAX_ROWS + 1u;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_DIM);
  m.rows = 2;
  m.k = 0;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_DIM);
  m.k = 9; /* needs 3 bytes a row, stride is 2 */
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_DIM);
  m.k = 8;
  m.len = 3;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_TRUNC);
  m.rows = 3;
  m.row_stride = SIZE_MAX / 2; /* rows * stride overflows */
  m.len = SIZE_MAX;
  TT_EQ_INT(c, tern_wmat_check(&m), TERN_ERR_DIM);

  /* pack / unpack (matrix) */
  TT_EQ_INT(c, tern_pack(TERN_FMT_I2, NULL, 2, 4, o, 1, 2), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_pack(TERN_FMT_I2, t, 2, 4, NULL, 1, 2), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_pack((tern_fmt)5, t, 2, 4, o, 1, 2), TERN_ERR_FORMAT);
  TT_EQ_INT(c, tern_pack(TERN_FMT_I2, t, 0, 4, o, 1, 2), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_pack(TERN_FMT_I2, t, 2, 4, o, 0, 2), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_pack(TERN_FMT_I2, t, 2, 4, o, 1, 1), TERN_ERR_TRUNC);
  t[5] = 3;
  TT_EQ_INT(c, tern_pack(TERN_FMT_B3, t, 2, 4, o, 1, 2), TERN_ERR_VALUE);
  t[5] = 0;
  TT_EQ_INT(c, tern_pack(TERN_FMT_I2, t, 2, 4, o, 1, 2), TERN_OK);
  m = (tern_wmat){TERN_FMT_I2, 2, 4, 1, o, 2};
  TT_EQ_INT(c, tern_unpack(&m, NULL, 8), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_unpack(NULL, t, 8), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_unpack(&m, t, 7), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_unpack(&m, t, 8), TERN_OK);

  /* quantizers */
  float x[2] = {1, 2}, sc;
  TT_EQ_INT(c, tern_quant_act(NULL, 2, t, &sc), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_quant_act(x, 2, NULL, &sc), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_quant_act(x, 2, t, NULL), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_quant_act(x, 0, t, &sc), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_quant_act(x, TERN_MAX_K + 1u, t, &sc), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_quant_absmean(NULL, 2, t, &sc), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_quant_absmean(x, 2, NULL, &sc), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_quant_absmean(x, 2, t, NULL), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_quant_absmean(x, 0, t, &sc), TERN_ERR_DIM);

  /* gemm_ref */
  TT_EQ_INT(c, tern_pack(TERN_FMT_B3, t, 2, 4, o, 1, 2), TERN_OK);
  m = (tern_wmat){TERN_FMT_B3, 2, 4, 1, o, 2};
  int8_t xv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  int32_t y[4];
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, y, 2, 4), TERN_OK);
  TT_EQ_INT(c, tern_gemm_ref(NULL, xv, 4, 8, 2, y, 2, 4), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_gemm_ref(&m, NULL, 4, 8, 2, y, 2, 4), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, NULL, 2, 4), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 0, y, 2, 4), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, TERN_MAX_BATCH + 1u, y, 2, 4), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 3, 8, 2, y, 2, 4), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, y, 1, 4), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 7, 2, y, 2, 4), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, y, 2, 3), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, SIZE_MAX / 2, SIZE_MAX, 3, y, 2, 4), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, y, SIZE_MAX / 2, SIZE_MAX), TERN_ERR_DIM);
  m.fmt = (tern_fmt)4;
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, y, 2, 4), TERN_ERR_FORMAT);
  m.fmt = TERN_FMT_B3;
  m.len = 1;
  TT_EQ_INT(c, tern_gemm_ref(&m, xv, 4, 8, 2, y, 2, 4), TERN_ERR_TRUNC);
}

/* ---- half precision --------------------------------------------------------- */

static void t_f16_exhaustive(tt_ctx *c) {
  for (uint32_t h = 0; h < 65536; h++) {
    float f = tern_f16_to_f32((uint16_t)h);
    unsigned e = (h >> 10) & 31u, man = h & 1023u;
    double mag = e == 0 ? ldexp(man, -24) : ldexp(1024 + man, (int)e - 25);
    double want = (h & 0x8000u) ? -mag : mag;
    if (e == 31) {
      if (man == 0)
        TT_CHECK(c, isinf(f) && (signbit(f) != 0) == ((h & 0x8000u) != 0));
      else
        TT_CHECK(c, isnan(f));
      uint16_t back = tern_f32_to_f16(f);
      TT_EQ_INT(c, back & 0xfc00u, h & 0xfc00u);
      TT_EQ_INT(c, (back & 1023u) != 0, man != 0);
      continue;
    }
    TT_CHECK(c, (double)f == want);
    TT_CHECK(c, (signbit(f) != 0) == ((h & 0x8000u) != 0));
    TT_EQ_INT(c, tern_f32_to_f16(f), h); /* exact values convert back exactly */
  }
  TT_CHECK(c, tern_f16_to_f32(0x0001) == ldexpf(1.0f, -24));
  TT_CHECK(c, tern_f16_to_f32(0x03ff) == 1023.0f * ldexpf(1.0f, -24));
  TT_CHECK(c, tern_f16_to_f32(0x0400) == ldexpf(1.0f, -14));
  TT_CHECK(c, tern_f16_to_f32(0x7bff) == 65504.0f);
  TT_CHECK(c, tern_f16_to_f32(0x3c00) == 1.0f);
  TT_CHECK(c, tern_f16_to_f32(0xc000) == -2.0f);
}

static void t_f32_to_f16_rounding(tt_ctx *c) {
  /* ties to even, by hand */
  TT_EQ_INT(c, tern_f32_to_f16(1.0f + ldexpf(1.0f, -11)), 0x3c00);     /* tie -> even */
  TT_EQ_INT(c, tern_f32_to_f16(1.0f + 3 * ldexpf(1.0f, -11)), 0x3c02); /* tie -> even */
  TT_EQ_INT(c, tern_f32_to_f16(nextafterf(1.0f + ldexpf(1.0f, -11), 2.0f)), 0x3c01);
  TT_EQ_INT(c, tern_f32_to_f16(ldexpf(1.0f, -25)), 0x0000);     /* half the smallest */
  TT_EQ_INT(c, tern_f32_to_f16(3 * ldexpf(1.0f, -25)), 0x0002); /* 1.5 ulp -> 2 */
  TT_EQ_INT(c, tern_f32_to_f16(nextafterf(ldexpf(1.0f, -25), 1.0f)), 0x0001);
  TT_EQ_INT(c, tern_f32_to_f16(ldexpf(1.0f, -26)), 0x0000);
  TT_EQ_INT(c, tern_f32_to_f16(-ldexpf(1.0f, -30)), 0x8000);          /* sign kept on underflow */
  TT_EQ_INT(c, tern_f32_to_f16(1023.5f * ldexpf(1.0f, -24)), 0x0400); /* carry into normal */
  TT_EQ_INT(c, tern_f32_to_f16(65504.0f), 0x7bff);
  TT_EQ_INT(c, tern_f32_to_f16(65519.0f), 0x7bff);
  TT_EQ_INT(c, tern_f32_to_f16(65520.0f), 0x7c00); /* tie rounds up to 2^16: inf */
  TT_EQ_INT(c, tern_f32_to_f16(1e10f), 0x7c00);
  TT_EQ_INT(c, tern_f32_to_f16(-INFINITY), 0xfc00);
  TT_EQ_INT(c, tern_f32_to_f16(-0.0f), 0x8000);
  TT_CHECK(c, (tern_f32_to_f16(NAN) & 0x7c00u) == 0x7c00u && (tern_f32_to_f16(NAN) & 0x3ffu));
#ifdef __FLT16_MAX__
  /* against the compiler's correctly rounded conversion on random floats */
  uint64_t s = c->seed ^ 0x66313621ull;
  for (int i = 0; i < 300000; i++) {
    uint32_t u = (uint32_t)tt_rand(&s);
    if (i & 1) u = (u & 0x807fffffu) | ((uint32_t)tt_range(&s, 100, 145) << 23); /* f16 range */
    float f = bits_f(u);
    if (isnan(f)) continue;
    volatile _Float16 hv = (_Float16)f;
    uint16_t want;
    memcpy(&want, (const void *)&hv, 2);
    TT_EQ_INT(c, tern_f32_to_f16(f), want);
  }
#endif
}

static void t_bf16(tt_ctx *c) {
  TT_CHECK(c, tern_bf16_to_f32(0x3f80) == 1.0f);
  TT_CHECK(c, tern_bf16_to_f32(0xc000) == -2.0f);
  TT_CHECK(c, tern_bf16_to_f32(0x3e80) == 0.25f);
  TT_CHECK(c, tern_bf16_to_f32(0x0001) == ldexpf(1.0f, -133));
  TT_CHECK(c, isinf(tern_bf16_to_f32(0x7f80)) && !signbit(tern_bf16_to_f32(0x7f80)));
  TT_CHECK(c, isinf(tern_bf16_to_f32(0xff80)) && signbit(tern_bf16_to_f32(0xff80)));
  TT_CHECK(c, isnan(tern_bf16_to_f32(0x7fc0)));
  TT_CHECK(c, signbit(tern_bf16_to_f32(0x8000)) && tern_bf16_to_f32(0x8000) == 0.0f);
  for (uint32_t h = 0; h < 65536; h++) {
    float f = tern_bf16_to_f32((uint16_t)h);
    TT_EQ_INT(c, f_bits(f), h << 16);
  }
}

void suite_numerics(tt_ctx *c) {
  tt_run(c, "numerics/constants", t_constants);
  tt_run(c, "numerics/pack_hand", t_pack_hand);
  tt_run(c, "numerics/unpack_hand", t_unpack_hand);
  tt_run(c, "numerics/gemv_hand", t_gemv_hand);
  tt_run(c, "numerics/round_half_even", t_round_half_even);
  tt_run(c, "numerics/act_quant_hand", t_act_quant_hand);
  tt_run(c, "numerics/act_quant_random", t_act_quant_random);
  tt_run(c, "numerics/absmean_hand", t_absmean_hand);
  tt_run(c, "numerics/dequant", t_dequant);
  tt_run(c, "numerics/property_roundtrip_gemv", t_property_roundtrip_gemv);
  tt_run(c, "numerics/max_magnitude", t_max_magnitude);
  tt_run(c, "numerics/invalid_codes", t_invalid_codes);
  tt_run(c, "numerics/errors", t_errors);
  tt_run(c, "numerics/f16_exhaustive", t_f16_exhaustive);
  tt_run(c, "numerics/f32_to_f16_rounding", t_f32_to_f16_rounding);
  tt_run(c, "numerics/bf16", t_bf16);
}

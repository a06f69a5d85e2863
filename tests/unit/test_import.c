/* External-format importer tests (docs/numerics.md, "External formats").
 * ggml fixtures (tests/fixtures/ggml, made by ggml's own quantizers) tie the
 * TQ importers, tern's activation quantizer and tern's GEMV to ggml; HF
 * packed and I2_S are checked with bytes worked out by hand and with random
 * round trips through plain test-local packers. */
#include "../../cmodel/tern.h"
#include "suites.h"

#include <math.h>

#ifndef TERN_FIXTURES
#define TERN_FIXTURES "tests/fixtures"
#endif

/* Reads exactly `size` bytes of tests/fixtures/ggml/<name>; 0 on failure. */
static int read_fixture(tt_ctx *c, const char *name, void *buf, size_t size) {
  const char *dir = getenv("TERN_FIXTURES");
  char path[4096];
  snprintf(path, sizeof path, "%s/ggml/%s", dir && *dir ? dir : TERN_FIXTURES, name);
  FILE *f = fopen(path, "rb");
  if (!TT_CHECK(c, f != NULL)) {
    fprintf(stderr, "       cannot open %s\n", path);
    return 0;
  }
  size_t got = fread(buf, 1, size, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  TT_EQ_INT(c, got, size);
  TT_CHECK(c, !extra);
  return got == size && !extra;
}

static float le_f32(const uint8_t *p) {
  uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

#define FX_ROWS 8u
#define FX_K 1024u
#define FX_BLOCKS (FX_ROWS * FX_K / 256u)
static const float fx_mag[FX_ROWS] = {1.0f, 0.5f, 2.0f, 0.25f, 1.5f, 3.0f, 0.75f, 1.0f};

/* ---- plain ggml encoders, from the layout text in the fixtures README ---- */

static void enc_tq2_0(const int8_t *t, uint8_t blk[66], uint16_t d) {
  memset(blk, 0, 64);
  for (unsigned e = 0; e < 256; e++) {
    unsigned cc = e / 128, l = (e % 128) / 32, m = e % 32;
    blk[32 * cc + m] |= (uint8_t)((t[e] + 1) << (2 * l));
  }
  blk[64] = (uint8_t)d;
  blk[65] = (uint8_t)(d >> 8);
}

/* A base-3 fraction 0.d0d1d2d3d4 stored as ceil(v * 256 / 243). */
static uint8_t tq1_byte(const int dig[5]) {
  unsigned v = 0;
  for (int n = 0; n < 5; n++) v = v * 3 + (unsigned)dig[n];
  return (uint8_t)((v * 256 + 242) / 243);
}

static void enc_tq1_0(const int8_t *t, uint8_t blk[54], uint16_t d) {
  int dig[5];
  for (unsigned m = 0; m < 32; m++) {
    for (int n = 0; n < 5; n++) dig[n] = t[m + 32 * n] + 1;
    blk[m] = tq1_byte(dig);
  }
  for (unsigned m = 0; m < 16; m++) {
    for (int n = 0; n < 5; n++) dig[n] = t[160 + m + 16 * n] + 1;
    blk[32 + m] = tq1_byte(dig);
  }
  for (unsigned m = 0; m < 4; m++) {
    for (int n = 0; n < 4; n++) dig[n] = t[240 + m + 4 * n] + 1;
    dig[4] = 0;
    blk[48 + m] = tq1_byte(dig);
  }
  blk[52] = (uint8_t)d;
  blk[53] = (uint8_t)(d >> 8);
}

/* ---- ggml fixtures -------------------------------------------------------- */

static void check_tq_fixture(tt_ctx *c, int one) {
  static int8_t want[FX_ROWS * FX_K], got[FX_ROWS * FX_K];
  static uint8_t data[FX_BLOCKS * 66];
  size_t bb = one ? TERN_TQ1_0_BLOCK_BYTES : TERN_TQ2_0_BLOCK_BYTES;
  if (!read_fixture(c, "trits.i8", want, sizeof want)) return;
  if (!read_fixture(c, one ? "tq1_0.bin" : "tq2_0.bin", data, FX_BLOCKS * bb)) return;
  float sc[FX_BLOCKS];
  memset(got, 7, sizeof got);
  int st =
      one ? tern_import_tq1_0(data, FX_BLOCKS * bb, FX_ROWS, FX_K, got, sizeof got, sc, FX_BLOCKS)
          : tern_import_tq2_0(data, FX_BLOCKS * bb, FX_ROWS, FX_K, got, sizeof got, sc, FX_BLOCKS);
  TT_EQ_INT(c, st, TERN_OK);
  TT_CHECK(c, !memcmp(got, want, sizeof want));
  for (unsigned r = 0; r < FX_ROWS; r++)
    for (unsigned b = 0; b < 4; b++)
      TT_CHECK(c, sc[r * 4 + b] == ((r == 2 && b < 3) ? 0.0f : fx_mag[r]));
  /* trits-only import (no scales) gives the same trits */
  memset(got, 7, sizeof got);
  st = one ? tern_import_tq1_0(data, FX_BLOCKS * bb, FX_ROWS, FX_K, got, sizeof got, NULL, 0)
           : tern_import_tq2_0(data, FX_BLOCKS * bb, FX_ROWS, FX_K, got, sizeof got, NULL, 0);
  TT_EQ_INT(c, st, TERN_OK);
  TT_CHECK(c, !memcmp(got, want, sizeof want));
  /* the plain encoders reproduce ggml's bytes exactly */
  uint8_t blk[66];
  for (unsigned b = 0; b < FX_BLOCKS; b++) {
    const uint8_t *src = data + b * bb;
    uint16_t d = (uint16_t)(src[bb - 2] | src[bb - 1] << 8);
    if (one)
      enc_tq1_0(want + b * 256, blk, d);
    else
      enc_tq2_0(want + b * 256, blk, d);
    TT_CHECK(c, !memcmp(blk, src, bb));
  }
}

static void t_tq2_0_fixture(tt_ctx *c) { check_tq_fixture(c, 0); }
static void t_tq1_0_fixture(tt_ctx *c) { check_tq_fixture(c, 1); }

typedef struct q8k {
  float d[4];
  int8_t qs[4][256];
} q8k;

static int read_q8k(tt_ctx *c, q8k *a) {
  static uint8_t raw[4 * 292];
  if (!read_fixture(c, "act_q8k.bin", raw, sizeof raw)) return 0;
  for (int b = 0; b < 4; b++) {
    const uint8_t *p = raw + 292 * b;
    a->d[b] = le_f32(p);
    memcpy(a->qs[b], p + 4, 256);
    for (int g = 0; g < 16; g++) { /* bsums: a check that the parse is right */
      int sum = 0;
      for (int j = 0; j < 16; j++) sum += a->qs[b][16 * g + j];
      int16_t bs = (int16_t)(p[260 + 2 * g] | p[261 + 2 * g] << 8);
      TT_EQ_INT(c, bs, sum);
    }
  }
  return 1;
}

static int read_dots(tt_ctx *c, const char *name, double v[FX_ROWS], long s[FX_ROWS][4]) {
  char text[1024] = {0};
  if (!read_fixture(c, name, text, 453)) return 0;
  const char *p = text;
  for (unsigned r = 0; r < FX_ROWS; r++) {
    unsigned rr;
    int used = 0;
    int n = sscanf(p, "row %u: vec_dot=%lf blocks=[%ld, %ld, %ld, %ld]%n", &rr, &v[r], &s[r][0],
                   &s[r][1], &s[r][2], &s[r][3], &used);
    TT_EQ_INT(c, n, 6);
    if (n != 6) return 0;
    TT_EQ_INT(c, rr, r);
    p += used;
    while (*p == '\n') p++;
  }
  return 1;
}

/* ggml's exact block sums reproduced by tern's reference GEMV on the trits
 * decoded from ggml's files, repacked to I2 and B3. */
static void check_block_sums(tt_ctx *c, int one) {
  static int8_t t[FX_ROWS * FX_K], sub[FX_ROWS * 256];
  static uint8_t data[FX_BLOCKS * 66], pk[FX_ROWS * 300];
  q8k a;
  double v[FX_ROWS];
  long sums[FX_ROWS][4];
  size_t bb = one ? TERN_TQ1_0_BLOCK_BYTES : TERN_TQ2_0_BLOCK_BYTES;
  if (!read_q8k(c, &a) || !read_dots(c, one ? "dot_tq1_0.txt" : "dot_tq2_0.txt", v, sums)) return;
  if (!read_fixture(c, one ? "tq1_0.bin" : "tq2_0.bin", data, FX_BLOCKS * bb)) return;
  float dw[FX_BLOCKS];
  int st = one ? tern_import_tq1_0(data, FX_BLOCKS * bb, FX_ROWS, FX_K, t, sizeof t, dw, FX_BLOCKS)
               : tern_import_tq2_0(data, FX_BLOCKS * bb, FX_ROWS, FX_K, t, sizeof t, dw, FX_BLOCKS);
  TT_EQ_INT(c, st, TERN_OK);
  for (int f = 0; f < 2; f++) {
    size_t stride = tern_row_bytes((tern_fmt)f, 256) + 3;
    for (unsigned b = 0; b < 4; b++) {
      for (unsigned r = 0; r < FX_ROWS; r++) memcpy(sub + r * 256, t + r * FX_K + b * 256, 256);
      TT_EQ_INT(c, tern_pack((tern_fmt)f, sub, FX_ROWS, 256, pk, stride, sizeof pk), TERN_OK);
      tern_wmat m = {(tern_fmt)f, FX_ROWS, 256, stride, pk, sizeof pk};
      int32_t y[FX_ROWS];
      TT_EQ_INT(c, tern_gemm_ref(&m, a.qs[b], 256, 256, 1, y, FX_ROWS, FX_ROWS), TERN_OK);
      for (unsigned r = 0; r < FX_ROWS; r++) TT_EQ_INT(c, y[r], sums[r][b]);
    }
    /* whole rows (K = 1024): the sum of the four block sums */
    static uint8_t full[FX_ROWS * 260];
    size_t fs = tern_row_bytes((tern_fmt)f, FX_K);
    TT_EQ_INT(c, tern_pack((tern_fmt)f, t, FX_ROWS, FX_K, full, fs, sizeof full), TERN_OK);
    tern_wmat m = {(tern_fmt)f, FX_ROWS, FX_K, fs, full, sizeof full};
    int32_t y[FX_ROWS];
    TT_EQ_INT(c, tern_gemm_ref(&m, &a.qs[0][0], FX_K, FX_K, 1, y, FX_ROWS, FX_ROWS), TERN_OK);
    for (unsigned r = 0; r < FX_ROWS; r++)
      TT_EQ_INT(c, y[r], sums[r][0] + sums[r][1] + sums[r][2] + sums[r][3]);
  }
  /* ggml's float vec_dot agrees with sum_b s_b * d_w * d_a to its rounding
   * (ggml is not bit-exact here: README, "Relation") */
  for (unsigned r = 0; r < FX_ROWS; r++) {
    double ref = 0, mag = 0;
    for (unsigned b = 0; b < 4; b++) {
      double term = (double)sums[r][b] * dw[r * 4 + b] * a.d[b];
      ref += term;
      mag += fabs(term);
    }
    TT_CHECK(c, fabs(v[r] - ref) <= 1e-5 * mag + 1e-9);
  }
}

static void t_tq2_0_block_sums(tt_ctx *c) { check_block_sums(c, 0); }
static void t_tq1_0_block_sums(tt_ctx *c) { check_block_sums(c, 1); }

/* ggml's Q8_K uses the same fp32 rule per 256-block, with the scale's sign
 * flipped when the extreme value is positive: iscale = -127/max, qs =
 * round_half_even(iscale * x), d = 1/iscale. So tern_quant_act on a block
 * must give qs up to that sign, bit for bit. */
static void t_q8k_activation(tt_ctx *c) {
  static float x[FX_K];
  static uint8_t raw[FX_K * 4];
  q8k a;
  if (!read_fixture(c, "act.f32", raw, sizeof raw) || !read_q8k(c, &a)) return;
  for (unsigned i = 0; i < FX_K; i++) x[i] = le_f32(raw + 4 * i);
  for (unsigned b = 0; b < 4; b++) {
    const float *xb = x + 256 * b;
    float amax = 0, max = 0;
    for (unsigned j = 0; j < 256; j++)
      if (fabsf(xb[j]) > amax) amax = fabsf(xb[j]), max = xb[j];
    int sign = max > 0 ? -1 : 1;
    if (b < 3) TT_EQ_INT(c, sign, -1); /* README: blocks 0-2 have d < 0 */
    int8_t q[256];
    float s;
    TT_EQ_INT(c, tern_quant_act(xb, 256, q, &s), TERN_OK);
    for (unsigned j = 0; j < 256; j++) TT_EQ_INT(c, a.qs[b][j], sign * q[j]);
    volatile float one = 1.0f, sv = s;
    float want_d = (float)sign * (one / sv);
    TT_CHECK(c, a.d[b] == want_d);
  }
}

/* ---- Hugging Face packed ---------------------------------------------------- */

static void t_hf_hand(tt_ctx *c) {
  /* out = 5, in = 2: ceil(5/4) = 2 packed rows; row r = i*2 + p in bits 2i.
   *   W = [+1 0; -1 +1; 0 -1; +1 +1; -1 0]
   *   [0][0]: r0 +1 (2) | r2 0 (1)<<2 | r4 -1 (0)<<4 = 0b000110 = 0x06
   *   [0][1]: r0 0 (1) | r2 -1 (0)<<2 | r4 0 (1)<<4  = 0b010001 = 0x11
   *   [1][0]: r1 -1 (0) | r3 +1 (2)<<2               = 0x08
   *   [1][1]: r1 +1 (2) | r3 +1 (2)<<2               = 0x0A   (slot i=2 unused) */
  const uint8_t pk[4] = {0x06, 0x11, 0x08, 0x0A};
  const int8_t want[10] = {1, 0, -1, 1, 0, -1, 1, 1, -1, 0};
  int8_t t[10];
  TT_EQ_INT(c, tern_import_hf_packed(pk, 4, 5, 2, t, 10), TERN_OK);
  TT_CHECK(c, !memcmp(t, want, 10));
  /* the example in transformers' unpack_weights docstring: 8 x 2 */
  const uint8_t ex[4] = {0xA1, 0x18, 0x90, 0x0A};
  const int8_t exw[16] = {0, -1, -1, 1, -1, 1, -1, 1, 1, 0, 0, -1, 1, -1, 1, -1};
  int8_t t8[16];
  TT_EQ_INT(c, tern_import_hf_packed(ex, 4, 8, 2, t8, 16), TERN_OK);
  TT_CHECK(c, !memcmp(t8, exw, 16));
  /* code 3 in a used slot: flagged, read as 0, the rest intact */
  uint8_t bad[4] = {0x06, 0x11 | 0x30, 0x08, 0x0A}; /* r4 j1 -> code 3 */
  memset(t, 9, sizeof t);
  TT_EQ_INT(c, tern_import_hf_packed(bad, 4, 5, 2, t, 10), TERN_ERR_CODE);
  int8_t w2[10];
  memcpy(w2, want, 10);
  w2[9] = 0;
  TT_CHECK(c, !memcmp(t, w2, 10));
  /* anything in the unused slot (row 5 of a 5-row tensor) is ignored */
  uint8_t unused[4] = {0x06, 0x11, 0x08 | 0x30, 0x0A | 0xC0};
  TT_EQ_INT(c, tern_import_hf_packed(unused, 4, 5, 2, t, 10), TERN_OK);
  TT_CHECK(c, !memcmp(t, want, 10));
}

static void t_hf_random(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x6866ull;
  for (int it = 0; it < 200; it++) {
    uint32_t out = tt_range(&s, 1, 40), in = tt_range(&s, 1, 50);
    uint32_t planes = (out + 3) / 4;
    int8_t *t = malloc((size_t)out * in), *u = malloc((size_t)out * in + 1);
    uint8_t *pk = calloc((size_t)planes * in, 1);
    for (size_t i = 0; i < (size_t)out * in; i++) t[i] = (int8_t)((int)(tt_rand(&s) % 3) - 1);
    for (uint32_t r = 0; r < out; r++)
      for (uint32_t j = 0; j < in; j++)
        pk[(r % planes) * in + j] |= (uint8_t)((t[r * in + j] + 1) << (2 * (r / planes)));
    TT_EQ_INT(c, tern_import_hf_packed(pk, (size_t)planes * in, out, in, u, (size_t)out * in),
              TERN_OK);
    TT_CHECK(c, !memcmp(t, u, (size_t)out * in));
    /* one byte short, one trit short */
    TT_EQ_INT(c, tern_import_hf_packed(pk, (size_t)planes * in - 1, out, in, u, (size_t)out * in),
              TERN_ERR_TRUNC);
    TT_EQ_INT(c, tern_import_hf_packed(pk, (size_t)planes * in, out, in, u, (size_t)out * in - 1),
              TERN_ERR_TRUNC);
    free(t), free(u), free(pk);
  }
}

/* ---- GGUF I2_S ------------------------------------------------------------ */

static void t_i2s_hand(tt_ctx *c) {
  /* one 128-block: byte b holds elements b, b+32, b+64, b+96 at bits
   * 7:6, 5:4, 3:2, 1:0, code w+1.
   *   e0 = +1, e32 = -1, e64 = 0, e96 = +1 -> 10 00 01 10 = 0x86
   *   e33 = +1, the rest of byte 1 zero     -> 01 10 01 01 = 0x65
   *   e127 = -1                             -> byte 31 = 01 01 01 00 = 0x54
   * then the fp32 scale 0.5 (0x3F000000, little-endian) and 28 pad bytes */
  uint8_t d[32 + 32];
  memset(d, 0x55, 32);
  d[0] = 0x86, d[1] = 0x65, d[31] = 0x54;
  memset(d + 32, 0xCC, 32);
  d[32] = 0x00, d[33] = 0x00, d[34] = 0x00, d[35] = 0x3F;
  int8_t want[128] = {0};
  want[0] = 1, want[32] = -1, want[96] = 1, want[33] = 1, want[127] = -1;
  int8_t t[128];
  float sc = 0;
  TT_EQ_INT(c, tern_import_i2s(d, sizeof d, 1, 128, t, 128, &sc), TERN_OK);
  TT_CHECK(c, !memcmp(t, want, 128));
  TT_CHECK(c, sc == 0.5f);
  /* the same bytes as 4 rows of 32 (blocks span rows): row 1 = e32..e63 */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 4, 32, t, 128, &sc), TERN_OK);
  TT_CHECK(c, !memcmp(t, want, 128));
  TT_EQ_INT(c, t[32], -1);
  TT_EQ_INT(c, t[33], 1);
  /* only the 4 scale bytes are required after the data */
  TT_EQ_INT(c, tern_import_i2s(d, 35, 1, 128, t, 128, &sc), TERN_ERR_TRUNC);
  /* scale must be finite and >= 0 */
  d[35] = 0xBF; /* -0.5 */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 128, &sc), TERN_ERR_VALUE);
  d[34] = 0x80, d[35] = 0x7F; /* +inf */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 128, &sc), TERN_ERR_VALUE);
  d[34] = 0xC0; /* NaN */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 128, &sc), TERN_ERR_VALUE);
  d[34] = 0x00, d[35] = 0x00; /* +0: an all-zero tensor */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 128, &sc), TERN_OK);
  TT_CHECK(c, sc == 0.0f);
  /* code 3 at e64 (byte 0 bits 3:2): flagged, read as 0, rest intact */
  d[0] = 0x8E;
  sc = -1;
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 128, &sc), TERN_ERR_CODE);
  TT_CHECK(c, !memcmp(t, want, 128));
  TT_CHECK(c, sc == 0.0f);
}

static void t_i2s_random(tt_ctx *c) {
  uint64_t s = c->seed ^ 0x693273ull;
  for (int it = 0; it < 100; it++) {
    uint32_t rows = tt_range(&s, 1, 9), k = 128 * tt_range(&s, 1, 12);
    if (it % 3 == 0) { /* k not a multiple of 128, rows*k still is */
      rows = 4 * tt_range(&s, 1, 4);
      k = 32 * (2 * tt_range(&s, 0, 5) + 1);
    }
    size_t n = (size_t)rows * k;
    int8_t *t = malloc(n), *u = malloc(n);
    uint8_t *d = calloc(n / 4 + 32, 1);
    for (size_t i = 0; i < n; i++) t[i] = (int8_t)((int)(tt_rand(&s) % 3) - 1);
    for (size_t e = 0; e < n; e++) {
      size_t blk = e / 128, w = e % 128;
      d[blk * 32 + w % 32] |= (uint8_t)((t[e] + 1) << (6 - 2 * (w / 32)));
    }
    const uint8_t sb[4] = {0x00, 0x00, 0xC0, 0x3F}; /* 1.5 */
    memcpy(d + n / 4, sb, 4);
    float sc = 0;
    TT_EQ_INT(c, tern_import_i2s(d, n / 4 + 32, rows, k, u, n, &sc), TERN_OK);
    TT_CHECK(c, !memcmp(t, u, n));
    TT_CHECK(c, sc == 1.5f);
    TT_EQ_INT(c, tern_import_i2s(d, n / 4 + 32, rows, k, u, n - 1, &sc), TERN_ERR_TRUNC);
    free(t), free(u), free(d);
  }
}

/* ---- every error path of the importers ------------------------------------ */

static void t_import_errors(tt_ctx *c) {
  static uint8_t d[4 * 66 + 64];
  static int8_t t[1024];
  float sc[8];
  memset(d, 0x55, sizeof d);
  /* HF */
  TT_EQ_INT(c, tern_import_hf_packed(NULL, 8, 4, 8, t, 32), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, 4, 8, NULL, 32), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, 0, 8, t, 32), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, 4, 0, t, 32), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, TERN_MAX_ROWS + 1u, 8, t, 32), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, 4, TERN_MAX_K + 1u, t, 32), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_hf_packed(d, 7, 4, 8, t, 32), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, 4, 8, t, 31), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, 4, 8, t, 32), TERN_OK);
  /* huge but valid dims with short buffers: refused, nothing read */
  TT_EQ_INT(c, tern_import_hf_packed(d, 8, TERN_MAX_ROWS, TERN_MAX_K, t, 32), TERN_ERR_TRUNC);
  /* I2_S */
  TT_EQ_INT(c, tern_import_i2s(NULL, 36, 1, 128, t, 128, sc), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, NULL, 128, sc), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 128, NULL), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_import_i2s(d, 36, 0, 128, t, 128, sc), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 0, t, 128, sc), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 96, t, 128, sc), TERN_ERR_DIM); /* 96 % 128 */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 3, 32, t, 128, sc), TERN_ERR_DIM); /* 96 % 128 */
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, TERN_MAX_K + 1u, t, 128, sc), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_i2s(d, 36, TERN_MAX_ROWS + 1u, 128, t, 128, sc), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_import_i2s(d, 31, 1, 128, t, 128, sc), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_import_i2s(d, 36, 1, 128, t, 127, sc), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_import_i2s(d, 36, TERN_MAX_ROWS, 128 * 1024, t, 128, sc), TERN_ERR_TRUNC);
  /* TQ2_0 / TQ1_0 */
  for (int one = 0; one < 2; one++) {
    size_t bb = one ? 54 : 66;
    int (*imp)(const uint8_t *, size_t, uint32_t, uint32_t, int8_t *, size_t, float *, size_t) =
        one ? tern_import_tq1_0 : tern_import_tq2_0;
    memset(d, 0x40, sizeof d); /* every byte valid for both; d = 0x4040 = 2.125 */
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, t, 1024, sc, 4), TERN_OK);
    TT_CHECK(c, sc[0] == 2.125f && sc[3] == 2.125f);
    TT_EQ_INT(c, imp(NULL, 4 * bb, 2, 512, t, 1024, sc, 4), TERN_ERR_NULL);
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, NULL, 1024, sc, 4), TERN_ERR_NULL);
    TT_EQ_INT(c, imp(d, 4 * bb, 0, 512, t, 1024, sc, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 0, t, 1024, sc, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, imp(d, 4 * bb, 4, 128, t, 1024, sc, 4), TERN_ERR_DIM); /* k % 256 */
    TT_EQ_INT(c, imp(d, 4 * bb, 1, 1000, t, 1024, sc, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, imp(d, 4 * bb, 1, TERN_MAX_K + 1u, t, 1024, sc, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, imp(d, 4 * bb, TERN_MAX_ROWS + 1u, 256, t, 1024, sc, 4), TERN_ERR_DIM);
    TT_EQ_INT(c, imp(d, 4 * bb - 1, 2, 512, t, 1024, sc, 4), TERN_ERR_TRUNC);
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, t, 1023, sc, 4), TERN_ERR_TRUNC);
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, t, 1024, sc, 3), TERN_ERR_TRUNC);
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, t, 1024, NULL, 0), TERN_OK);
    TT_EQ_INT(c, imp(d, 4 * bb, TERN_MAX_ROWS, 65535 * 256, t, 1024, sc, 4), TERN_ERR_TRUNC);
    /* non-finite block scale: fp16 inf / NaN in block 2 */
    d[3 * bb - 2] = 0x00, d[3 * bb - 1] = 0x7C;
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, t, 1024, sc, 4), TERN_ERR_VALUE);
    d[3 * bb - 2] = 0x01;
    TT_EQ_INT(c, imp(d, 4 * bb, 2, 512, t, 1024, NULL, 0), TERN_ERR_VALUE);
  }
}

static void t_tq2_0_invalid_code(tt_ctx *c) {
  static int8_t t[512], u[512];
  uint8_t d[2 * 66];
  for (int i = 0; i < 512; i++) t[i] = (int8_t)(i % 3 - 1);
  enc_tq2_0(t, d, 0x3c00);
  enc_tq2_0(t + 256, d + 66, 0x3800);
  /* element 300 = block 1, e = 44: c = 0, l = 1, m = 12 -> byte 12 bits 3:2 */
  d[66 + 12] |= 0x0C;
  float sc[2];
  TT_EQ_INT(c, tern_import_tq2_0(d, sizeof d, 1, 512, u, 512, sc, 2), TERN_ERR_CODE);
  int8_t e[512];
  memcpy(e, t, 512);
  e[300] = 0;
  TT_CHECK(c, !memcmp(u, e, 512));
  TT_CHECK(c, sc[0] == 1.0f && sc[1] == 0.5f);
}

/* TQ1_0 has no invalid codes: every byte decodes to digits 0..2; random
 * trits round-trip through the plain encoder. */
static void t_tq1_0_all_bytes(tt_ctx *c) {
  uint8_t d[54];
  int8_t t[256];
  for (unsigned v = 0; v < 256; v++) {
    memset(d, (int)v, 52);
    d[52] = 0, d[53] = 0x3c;
    TT_EQ_INT(c, tern_import_tq1_0(d, 54, 1, 256, t, 256, NULL, 0), TERN_OK);
    int ok = 1;
    for (int i = 0; i < 256; i++) ok &= t[i] >= -1 && t[i] <= 1;
    TT_CHECK(c, ok);
    /* digit n of byte v is ((v*3^n mod 256)*3) >> 8, written plainly */
    unsigned q = v;
    for (int n = 0; n < 5; n++, q = (q * 3) & 255u)
      TT_EQ_INT(c, t[32 * n], (int)((q * 3) >> 8) - 1);
  }
  uint64_t s = c->seed ^ 0x747131ull;
  for (int it = 0; it < 200; it++) {
    int8_t w[256], u[256];
    for (int i = 0; i < 256; i++) w[i] = (int8_t)((int)(tt_rand(&s) % 3) - 1);
    enc_tq1_0(w, d, 0x3c00);
    TT_EQ_INT(c, tern_import_tq1_0(d, 54, 1, 256, u, 256, NULL, 0), TERN_OK);
    TT_CHECK(c, !memcmp(w, u, 256));
    uint8_t d2[66];
    enc_tq2_0(w, d2, 0x3c00);
    TT_EQ_INT(c, tern_import_tq2_0(d2, 66, 1, 256, u, 256, NULL, 0), TERN_OK);
    TT_CHECK(c, !memcmp(w, u, 256));
  }
}

void suite_import(tt_ctx *c) {
  tt_run(c, "import/tq2_0_fixture", t_tq2_0_fixture);
  tt_run(c, "import/tq1_0_fixture", t_tq1_0_fixture);
  tt_run(c, "import/tq2_0_block_sums", t_tq2_0_block_sums);
  tt_run(c, "import/tq1_0_block_sums", t_tq1_0_block_sums);
  tt_run(c, "import/q8k_activation", t_q8k_activation);
  tt_run(c, "import/hf_hand", t_hf_hand);
  tt_run(c, "import/hf_random", t_hf_random);
  tt_run(c, "import/i2s_hand", t_i2s_hand);
  tt_run(c, "import/i2s_random", t_i2s_random);
  tt_run(c, "import/errors", t_import_errors);
  tt_run(c, "import/tq2_0_invalid_code", t_tq2_0_invalid_code);
  tt_run(c, "import/tq1_0_all_bytes", t_tq1_0_all_bytes);
}

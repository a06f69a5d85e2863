/* Importers for the ternary formats users bring (docs/numerics.md, "External
 * formats"). Each one decodes to plain trits once, at load; nothing here is
 * on the engine's path. Invalid codes follow the engine's rule: the trit is
 * written as 0 and the call returns TERN_ERR_CODE after writing everything. */
#include "tern.h"

#include <math.h>
#include <string.h>

/* rows x k must be representable and k a multiple of block; *n = rows*k. */
static int check_dims(uint32_t rows, uint32_t k, uint32_t block, size_t *n) {
  if (rows == 0 || k == 0 || rows > TERN_MAX_ROWS || k > TERN_MAX_K) return TERN_ERR_DIM;
  if ((size_t)k > SIZE_MAX / rows) return TERN_ERR_DIM;
  *n = (size_t)rows * k;
  if (*n % block != 0) return TERN_ERR_DIM;
  return TERN_OK;
}

static uint16_t load_le16(const uint8_t *p) { return (uint16_t)(p[0] | (unsigned)p[1] << 8); }

static float load_le_f32(const uint8_t *p) {
  uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

int tern_import_hf_packed(const uint8_t *packed, size_t len, uint32_t out_features,
                          uint32_t in_features, int8_t *trits, size_t trits_len) {
  if (!packed || !trits) return TERN_ERR_NULL;
  size_t n;
  int st = check_dims(out_features, in_features, 1, &n);
  if (st != TERN_OK) return st;
  size_t planes = ((size_t)out_features + 3u) / 4u; /* packed rows: ceil(out/4) */
  if (in_features > SIZE_MAX / planes) return TERN_ERR_DIM;
  if (len < planes * in_features) return TERN_ERR_TRUNC;
  if (trits_len < n) return TERN_ERR_TRUNC;

  /* Row r = i*planes + p sits in bits 2i+1:2i of packed row p. Slots past
   * out_features (when out % 4 != 0) hold whatever the packer left there
   * (transformers leaves 00) and are not part of the tensor: ignored. */
  int bad = 0;
  for (uint32_t r = 0; r < out_features; r++) {
    size_t p = r % planes;
    unsigned shift = 2u * (unsigned)(r / planes);
    const uint8_t *src = packed + p * in_features;
    int8_t *dst = trits + (size_t)r * in_features;
    for (uint32_t j = 0; j < in_features; j++) {
      unsigned code = (src[j] >> shift) & 3u;
      if (code == 3u) {
        bad = 1;
        dst[j] = 0;
      } else {
        dst[j] = (int8_t)((int)code - 1);
      }
    }
  }
  return bad ? TERN_ERR_CODE : TERN_OK;
}

#define I2S_BLOCK 128u
#define I2S_BLOCK_BYTES 32u

int tern_import_i2s(const uint8_t *data, size_t len, uint32_t rows, uint32_t k, int8_t *trits,
                    size_t trits_len, float *scale) {
  if (!data || !trits || !scale) return TERN_ERR_NULL;
  size_t n;
  int st = check_dims(rows, k, I2S_BLOCK, &n);
  if (st != TERN_OK) return st;
  size_t nbytes = n / 4u;
  /* the fp32 scale follows the packed bytes (files pad it out to 32 bytes) */
  if (len < nbytes || len - nbytes < 4u) return TERN_ERR_TRUNC;
  if (trits_len < n) return TERN_ERR_TRUNC;
  float s = load_le_f32(data + nbytes);
  if (!isfinite(s) || s < 0.0f) return TERN_ERR_VALUE;

  /* Blocks run over the whole flattened tensor, not per row. */
  int bad = 0;
  for (size_t e = 0; e < n; e++) {
    size_t blk = e / I2S_BLOCK;
    unsigned w = (unsigned)(e % I2S_BLOCK);
    unsigned byte = data[blk * I2S_BLOCK_BYTES + w % 32u];
    unsigned code = (byte >> (6u - 2u * (w / 32u))) & 3u;
    if (code == 3u) {
      bad = 1;
      trits[e] = 0;
    } else {
      trits[e] = (int8_t)((int)code - 1);
    }
  }
  *scale = s;
  return bad ? TERN_ERR_CODE : TERN_OK;
}

/* Shared argument checks of the two ggml formats; *nblk = rows*k/256. */
static int check_tq(const uint8_t *data, size_t len, uint32_t rows, uint32_t k, const int8_t *trits,
                    size_t trits_len, const float *block_scales, size_t scales_len,
                    size_t block_bytes, size_t *nblk) {
  if (!data || !trits) return TERN_ERR_NULL;
  if (k % TERN_TQ_BLOCK_TRITS != 0) return TERN_ERR_DIM;
  size_t n;
  int st = check_dims(rows, k, TERN_TQ_BLOCK_TRITS, &n);
  if (st != TERN_OK) return st;
  *nblk = n / TERN_TQ_BLOCK_TRITS;
  if (*nblk > SIZE_MAX / block_bytes) return TERN_ERR_DIM;
  if (len < *nblk * block_bytes) return TERN_ERR_TRUNC;
  if (trits_len < n) return TERN_ERR_TRUNC;
  if (block_scales && scales_len < *nblk) return TERN_ERR_TRUNC;
  /* reject non-finite scales before writing anything */
  for (size_t b = 0; b < *nblk; b++) {
    const uint8_t *d = data + b * block_bytes + block_bytes - 2u;
    if (!isfinite(tern_f16_to_f32(load_le16(d)))) return TERN_ERR_VALUE;
  }
  return TERN_OK;
}

int tern_import_tq2_0(const uint8_t *data, size_t len, uint32_t rows, uint32_t k, int8_t *trits,
                      size_t trits_len, float *block_scales, size_t scales_len) {
  size_t nblk;
  int st = check_tq(data, len, rows, k, trits, trits_len, block_scales, scales_len,
                    TERN_TQ2_0_BLOCK_BYTES, &nblk);
  if (st != TERN_OK) return st;
  int bad = 0;
  for (size_t b = 0; b < nblk; b++) {
    const uint8_t *blk = data + b * TERN_TQ2_0_BLOCK_BYTES; /* qs[64], fp16 d */
    int8_t *dst = trits + b * TERN_TQ_BLOCK_TRITS;
    for (unsigned e = 0; e < TERN_TQ_BLOCK_TRITS; e++) {
      unsigned c = e / 128u, l = (e % 128u) / 32u, m = e % 32u;
      unsigned code = (blk[32u * c + m] >> (2u * l)) & 3u;
      if (code == 3u) { /* ggml would read +2 here */
        bad = 1;
        dst[e] = 0;
      } else {
        dst[e] = (int8_t)((int)code - 1);
      }
    }
    if (block_scales) block_scales[b] = tern_f16_to_f32(load_le16(blk + 64));
  }
  return bad ? TERN_ERR_CODE : TERN_OK;
}

int tern_import_tq1_0(const uint8_t *data, size_t len, uint32_t rows, uint32_t k, int8_t *trits,
                      size_t trits_len, float *block_scales, size_t scales_len) {
  static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
  size_t nblk;
  int st = check_tq(data, len, rows, k, trits, trits_len, block_scales, scales_len,
                    TERN_TQ1_0_BLOCK_BYTES, &nblk);
  if (st != TERN_OK) return st;
  for (size_t b = 0; b < nblk; b++) {
    const uint8_t *blk = data + b * TERN_TQ1_0_BLOCK_BYTES; /* qs[48], qh[4], fp16 d */
    int8_t *dst = trits + b * TERN_TQ_BLOCK_TRITS;
    for (unsigned e = 0; e < TERN_TQ_BLOCK_TRITS; e++) {
      unsigned byte, digit;
      if (e < 160u) {
        byte = blk[e % 32u];
        digit = e / 32u;
      } else if (e < 240u) {
        byte = blk[32u + (e - 160u) % 16u];
        digit = (e - 160u) / 16u;
      } else {
        byte = blk[48u + (e - 240u) % 4u];
        digit = (e - 240u) / 4u;
      }
      /* (q*3)>>8 is 0..2 for every q in 0..255: no invalid codes exist */
      unsigned q = (byte * pow3[digit]) & 0xffu;
      dst[e] = (int8_t)((int)((q * 3u) >> 8) - 1);
    }
    if (block_scales) block_scales[b] = tern_f16_to_f32(load_le16(blk + 52));
  }
  return TERN_OK;
}

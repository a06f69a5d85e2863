/* I2 and B3 packing: the bit layouts of docs/numerics.md, written plainly. */
#include "tern.h"

size_t tern_row_bytes(tern_fmt fmt, uint32_t k) {
  if (k == 0 || k > TERN_MAX_K) return 0;
  switch (fmt) {
  case TERN_FMT_I2: return ((size_t)k + 3u) / 4u;
  case TERN_FMT_B3: return ((size_t)k + 4u) / 5u;
  default: return 0;
  }
}

int tern_pack_row(tern_fmt fmt, const int8_t *trits, uint32_t k, uint8_t *out,
                  size_t out_len) {
  if (!trits || !out) return TERN_ERR_NULL;
  if (!tern_fmt_name(fmt)) return TERN_ERR_FORMAT;
  size_t need = tern_row_bytes(fmt, k);
  if (need == 0) return TERN_ERR_DIM;
  if (out_len < need) return TERN_ERR_TRUNC;
  for (uint32_t j = 0; j < k; j++)
    if (trits[j] < -1 || trits[j] > 1) return TERN_ERR_VALUE;

  unsigned per = fmt == TERN_FMT_I2 ? TERN_I2_TRITS_PER_BYTE : TERN_B3_TRITS_PER_BYTE;
  for (size_t b = 0; b < out_len; b++) {
    unsigned byte = 0, weight = 1;
    for (unsigned t = 0; t < per; t++) {
      size_t j = b * per + t;
      unsigned code = j < k ? (unsigned)(trits[j] + 1) : 1u; /* pad: zero */
      if (fmt == TERN_FMT_I2) {
        byte |= code << (2u * t);
      } else {
        byte += code * weight;
        weight *= 3u;
      }
    }
    out[b] = (uint8_t)byte;
  }
  return TERN_OK;
}

int tern_unpack_row(tern_fmt fmt, const uint8_t *in, size_t in_len, uint32_t k,
                    int8_t *trits) {
  if (!in || !trits) return TERN_ERR_NULL;
  if (!tern_fmt_name(fmt)) return TERN_ERR_FORMAT;
  size_t need = tern_row_bytes(fmt, k);
  if (need == 0) return TERN_ERR_DIM;
  if (in_len < need) return TERN_ERR_TRUNC;

  int status = TERN_OK;
  unsigned per = fmt == TERN_FMT_I2 ? TERN_I2_TRITS_PER_BYTE : TERN_B3_TRITS_PER_BYTE;
  for (size_t b = 0; b < in_len; b++) {
    unsigned byte = in[b];
    int byte_bad = fmt == TERN_FMT_B3 && byte > TERN_B3_MAX_VALID;
    if (byte_bad) status = TERN_ERR_CODE;
    for (unsigned t = 0; t < per; t++) {
      unsigned code;
      if (fmt == TERN_FMT_I2) {
        code = (byte >> (2u * t)) & 3u;
      } else {
        code = byte % 3u;
        byte /= 3u;
      }
      int bad = byte_bad || code == 3u;
      if (bad) status = TERN_ERR_CODE;
      size_t j = b * per + t;
      if (j < k) trits[j] = bad ? 0 : (int8_t)((int)code - 1);
    }
  }
  return status;
}

int tern_wmat_check(const tern_wmat *w) {
  if (!w || !w->data) return TERN_ERR_NULL;
  if (!tern_fmt_name(w->fmt)) return TERN_ERR_FORMAT;
  if (w->rows == 0 || w->rows > TERN_MAX_ROWS) return TERN_ERR_DIM;
  size_t need = tern_row_bytes(w->fmt, w->k);
  if (need == 0 || w->row_stride < need) return TERN_ERR_DIM;
  /* rows <= 2^24 and row_stride is bounded by len below, so no overflow
   * unless the stride itself is absurd. */
  if (w->row_stride > SIZE_MAX / w->rows) return TERN_ERR_DIM;
  if (w->len < (size_t)w->rows * w->row_stride) return TERN_ERR_TRUNC;
  return TERN_OK;
}

int tern_pack(tern_fmt fmt, const int8_t *trits, uint32_t rows, uint32_t k,
              uint8_t *out, size_t row_stride, size_t out_len) {
  if (!trits || !out) return TERN_ERR_NULL;
  tern_wmat w = {fmt, rows, k, row_stride, out, out_len};
  int st = tern_wmat_check(&w);
  if (st != TERN_OK) return st;
  for (uint32_t r = 0; r < rows; r++) {
    st = tern_pack_row(fmt, trits + (size_t)r * k, k, out + (size_t)r * row_stride,
                       row_stride);
    if (st != TERN_OK) return st;
  }
  return TERN_OK;
}

int tern_unpack(const tern_wmat *w, int8_t *trits, size_t trits_len) {
  if (!trits) return TERN_ERR_NULL;
  int st = tern_wmat_check(w);
  if (st != TERN_OK) return st;
  if (trits_len / w->rows < w->k) return TERN_ERR_TRUNC;
  int status = TERN_OK;
  for (uint32_t r = 0; r < w->rows; r++) {
    st = tern_unpack_row(w->fmt, w->data + (size_t)r * w->row_stride, w->row_stride,
                         w->k, trits + (size_t)r * w->k);
    if (st == TERN_ERR_CODE) status = st;
    else if (st != TERN_OK) return st;
  }
  return status;
}

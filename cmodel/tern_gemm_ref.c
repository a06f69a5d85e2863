/* Reference GEMM: the definition of the engine's integer result, written as
 * plainly as possible. One trit at a time, straight from the packed bytes,
 * so it shares no decoding code with tern_unpack_row or the fast paths. */
#include "tern_internal.h"

/* Decode trit j of a packed row; *bad is set on an invalid code. */
static int trit_at(tern_fmt fmt, const uint8_t *row, uint32_t j, int *bad) {
  unsigned code;
  if (fmt == TERN_FMT_I2) {
    code = (row[j / 4u] >> (2u * (j % 4u))) & 3u;
    if (code == 3u) {
      *bad = 1;
      return 0;
    }
  } else {
    unsigned byte = row[j / 5u];
    if (byte > TERN_B3_MAX_VALID) {
      *bad = 1;
      return 0;
    }
    for (unsigned t = 0; t < j % 5u; t++) byte /= 3u;
    code = byte % 3u;
  }
  return (int)code - 1;
}

/* Codes in the padding (past trit k-1, up to row_stride) are checked too. */
static int padding_bad(tern_fmt fmt, const uint8_t *row, uint32_t k, size_t stride) {
  unsigned per = fmt == TERN_FMT_I2 ? 4u : 5u;
  int bad = 0;
  for (size_t j = k; j < stride * per; j++) (void)trit_at(fmt, row, (uint32_t)j, &bad);
  return bad;
}

int tern_check_gemm_args(const tern_wmat *w, const int8_t *x, size_t x_stride,
                    size_t x_len, uint32_t batch, const int32_t *y,
                    size_t y_stride, size_t y_len) {
  if (!x || !y) return TERN_ERR_NULL;
  int st = tern_wmat_check(w);
  if (st != TERN_OK) return st;
  if (batch == 0 || batch > TERN_MAX_BATCH) return TERN_ERR_DIM;
  if (x_stride < w->k || y_stride < w->rows) return TERN_ERR_DIM;
  if (x_stride > (SIZE_MAX - w->k) / batch || y_stride > (SIZE_MAX - w->rows) / batch)
    return TERN_ERR_DIM;
  if (x_len < (size_t)(batch - 1) * x_stride + w->k) return TERN_ERR_TRUNC;
  if (y_len < (size_t)(batch - 1) * y_stride + w->rows) return TERN_ERR_TRUNC;
  return TERN_OK;
}

int tern_gemm_ref(const tern_wmat *w, const int8_t *x, size_t x_stride,
                  size_t x_len, uint32_t batch, int32_t *y, size_t y_stride,
                  size_t y_len) {
  int st = tern_check_gemm_args(w, x, x_stride, x_len, batch, y, y_stride, y_len);
  if (st != TERN_OK) return st;
  int bad = 0;
  for (uint32_t r = 0; r < w->rows; r++) {
    const uint8_t *row = w->data + (size_t)r * w->row_stride;
    bad |= padding_bad(w->fmt, row, w->k, w->row_stride);
    for (uint32_t b = 0; b < batch; b++) {
      const int8_t *xb = x + (size_t)b * x_stride;
      int32_t acc = 0;
      for (uint32_t j = 0; j < w->k; j++) {
        int t = trit_at(w->fmt, row, j, &bad);
        if (t == 1) acc += xb[j];
        else if (t == -1) acc -= xb[j];
      }
      y[(size_t)b * y_stride + r] = acc;
    }
  }
  return bad ? TERN_ERR_CODE : TERN_OK;
}

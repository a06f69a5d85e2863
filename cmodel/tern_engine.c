/* Weight and activation stream layout of the RTL engine (see tern_engine.h). */
#include "tern_engine.h"

#include <string.h>

int tern_engine_params_check(const tern_engine_params *p) {
  if (!p) return TERN_ERR_NULL;
  if (p->lanes == 0 || p->lanes > 4096 || p->word_bytes == 0 || p->word_bytes > 1024)
    return TERN_ERR_DIM;
  if (p->batch == 0 || p->batch > TERN_MAX_BATCH) return TERN_ERR_DIM;
  if (p->max_k == 0 || p->max_k > TERN_MAX_K) return TERN_ERR_DIM;
  if (p->acc_width != 32) return TERN_ERR_DIM;
  if (p->act_beat_bytes != p->word_bytes) return TERN_ERR_DIM;
  if (p->w_beat_bytes != p->lanes * p->word_bytes) return TERN_ERR_DIM;
  if (p->tile_rows % p->lanes != 0 || p->tile_rows > TERN_MAX_ROWS) return TERN_ERR_DIM;
  return TERN_OK;
}

static uint32_t per_byte(tern_fmt fmt) {
  return fmt == TERN_FMT_I2 ? TERN_I2_TRITS_PER_BYTE
                            : fmt == TERN_FMT_B3 ? TERN_B3_TRITS_PER_BYTE : 0u;
}

uint32_t tern_engine_word_trits(const tern_engine_params *p, tern_fmt fmt) {
  if (tern_engine_params_check(p) != TERN_OK) return 0;
  return p->word_bytes * per_byte(fmt);
}

uint32_t tern_engine_tile_rows(const tern_engine_params *p) {
  if (tern_engine_params_check(p) != TERN_OK) return 0;
  return p->tile_rows ? p->tile_rows : p->lanes;
}

static size_t words_of(const tern_engine_params *p, tern_fmt fmt, uint32_t k) {
  uint32_t wt = p->word_bytes * per_byte(fmt);
  return ((size_t)k + wt - 1u) / wt;
}

size_t tern_engine_wstream_bytes(const tern_engine_params *p, tern_fmt fmt, uint32_t rows,
                                 uint32_t k) {
  if (tern_engine_params_check(p) != TERN_OK || per_byte(fmt) == 0) return 0;
  if (rows == 0 || rows > TERN_MAX_ROWS || k == 0 || k > p->max_k) return 0;
  size_t groups = ((size_t)rows + p->lanes - 1u) / p->lanes;
  return groups * p->lanes * words_of(p, fmt, k) * p->word_bytes;
}

static int byte_bad(tern_fmt fmt, uint8_t b) {
  if (fmt == TERN_FMT_B3) return b > TERN_B3_MAX_VALID;
  for (unsigned t = 0; t < 4u; t++)
    if (((b >> (2u * t)) & 3u) == 3u) return 1;
  return 0;
}

/* Byte `bi` of a row as streamed: trits at or past k become zero trits
 * unless their code is invalid (kept, so the error still shows). */
static uint8_t sanitize(tern_fmt fmt, uint8_t b, size_t bi, uint32_t k) {
  size_t first = bi * per_byte(fmt);
  if (first + per_byte(fmt) <= k) return b;
  if (fmt == TERN_FMT_I2) {
    for (unsigned t = 0; t < 4u; t++) {
      unsigned code = (b >> (2u * t)) & 3u;
      if (first + t >= k && code != 3u) b = (uint8_t)((b & ~(3u << (2u * t))) | (1u << (2u * t)));
    }
    return b;
  }
  if (b > TERN_B3_MAX_VALID) return b;
  unsigned v = b, out = 0, pw = 1;
  for (unsigned t = 0; t < 5u; t++, pw *= 3u) {
    unsigned d = v % 3u;
    v /= 3u;
    if (first + t >= k) d = 1u;
    out += d * pw;
  }
  return (uint8_t)out;
}

int tern_engine_wstream(const tern_engine_params *p, const tern_wmat *w, uint8_t *out,
                        size_t out_len) {
  if (!p || !w || !out) return TERN_ERR_NULL;
  int st = tern_engine_params_check(p);
  if (st != TERN_OK) return st;
  st = tern_wmat_check(w);
  if (st != TERN_OK) return st;
  if (per_byte(w->fmt) == 0) return TERN_ERR_FORMAT;
  size_t total = tern_engine_wstream_bytes(p, w->fmt, w->rows, w->k);
  if (total == 0) return TERN_ERR_DIM;
  if (out_len < total) return TERN_ERR_TRUNC;

  const uint32_t lanes = p->lanes, wb = p->word_bytes;
  const uint32_t tile = p->tile_rows ? p->tile_rows : lanes;
  const size_t words = words_of(p, w->fmt, w->k);
  const size_t span = words * wb; /* stream bytes per row */
  const size_t rb = tern_row_bytes(w->fmt, w->k);
  const uint8_t zero = w->fmt == TERN_FMT_I2 ? TERN_I2_ZERO_BYTE : TERN_B3_ZERO_BYTE;
  const size_t rows_pad = total / span;
  int lost = 0;
  size_t o = 0;

  for (size_t t0 = 0; t0 < rows_pad; t0 += tile) {
    size_t trows = rows_pad - t0 < tile ? rows_pad - t0 : tile;
    for (size_t wi = 0; wi < words; wi++) {
      for (size_t r = t0; r < t0 + trows; r++) {
        const uint8_t *row = r < w->rows ? w->data + r * w->row_stride : NULL;
        /* An invalid stride byte the stream cannot carry marks the last
         * padding byte instead (only bytes past rb are pure padding). */
        int mark = 0;
        if (row && wi == words - 1u) {
          for (size_t bi = span; bi < w->row_stride; bi++)
            if (byte_bad(w->fmt, row[bi])) mark = 1;
          if (mark && span == rb) lost = 1, mark = 0;
        }
        for (size_t j = 0; j < wb; j++) {
          size_t bi = wi * wb + j;
          uint8_t b = zero;
          if (row && bi < w->row_stride) b = sanitize(w->fmt, row[bi], bi, w->k);
          if (mark && bi == span - 1u) b = 0xFFu;
          out[o++] = b;
        }
      }
    }
  }
  return lost ? TERN_ERR_CODE : TERN_OK;
}

size_t tern_engine_astream_bytes(const tern_engine_params *p, uint32_t k, uint32_t batch) {
  if (tern_engine_params_check(p) != TERN_OK) return 0;
  if (k == 0 || k > p->max_k || batch == 0 || batch > p->batch) return 0;
  size_t beats = ((size_t)k + p->act_beat_bytes - 1u) / p->act_beat_bytes;
  return beats * p->act_beat_bytes * batch;
}

int tern_engine_astream(const tern_engine_params *p, const int8_t *x, size_t x_stride,
                        size_t x_len, uint32_t k, uint32_t batch, uint8_t *out,
                        size_t out_len) {
  if (!p || !x || !out) return TERN_ERR_NULL;
  int st = tern_engine_params_check(p);
  if (st != TERN_OK) return st;
  size_t total = tern_engine_astream_bytes(p, k, batch);
  if (total == 0 || x_stride < k || x_stride > (SIZE_MAX - k) / batch) return TERN_ERR_DIM;
  if (x_len < (size_t)(batch - 1u) * x_stride + k) return TERN_ERR_TRUNC;
  if (out_len < total) return TERN_ERR_TRUNC;
  size_t per = total / batch;
  for (uint32_t b = 0; b < batch; b++) {
    memcpy(out + b * per, x + (size_t)b * x_stride, k);
    memset(out + b * per + k, 0, per - k);
  }
  return TERN_OK;
}

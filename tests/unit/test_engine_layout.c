/* engine_layout: the RTL engine's weight/activation stream order
 * (cmodel/tern_engine.c), checked against a closed-form inverse. */
#include <stdlib.h>

#include "suites.h"
#include "tern_engine.h"

static tern_engine_params mkp(uint32_t lanes, uint32_t wb, uint32_t batch, uint32_t max_k,
                              uint32_t tile) {
  tern_engine_params p = {lanes, wb, batch, max_k, 32, wb, lanes * wb, tile};
  return p;
}

/* Closed form of the documented order: byte j of K word w of row r. */
static size_t stream_off(const tern_engine_params *p, size_t rows_pad, size_t words, size_t r,
                         size_t w, size_t j) {
  size_t tile = p->tile_rows ? p->tile_rows : p->lanes;
  size_t span = words * p->word_bytes;
  size_t t0 = r / tile * tile;
  size_t trows = rows_pad - t0 < tile ? rows_pad - t0 : tile;
  return t0 * span + w * trows * p->word_bytes + (r - t0) * p->word_bytes + j;
}

/* Gathers row r's streamed bytes (words * word_bytes of them). */
static void gather_row(const tern_engine_params *p, const uint8_t *s, size_t rows_pad,
                       size_t words, size_t r, uint8_t *row) {
  for (size_t w = 0; w < words; w++)
    for (size_t j = 0; j < p->word_bytes; j++)
      row[w * p->word_bytes + j] = s[stream_off(p, rows_pad, words, r, w, j)];
}

typedef struct job {
  tern_fmt fmt;
  uint32_t rows, k;
  size_t stride;
  int8_t *trits;
  uint8_t *packed;
  tern_wmat w;
} job;

static void job_make(job *j, uint64_t *seed, tern_fmt fmt, uint32_t rows, uint32_t k,
                     size_t extra_stride) {
  j->fmt = fmt;
  j->rows = rows;
  j->k = k;
  j->stride = tern_row_bytes(fmt, k) + extra_stride;
  j->trits = malloc((size_t)rows * k);
  j->packed = malloc((size_t)rows * j->stride);
  for (size_t i = 0; i < (size_t)rows * k; i++) j->trits[i] = (int8_t)(tt_rand(seed) % 3) - 1;
  tern_pack(fmt, j->trits, rows, k, j->packed, j->stride, (size_t)rows * j->stride);
  tern_wmat w = {fmt, rows, k, j->stride, j->packed, (size_t)rows * j->stride};
  j->w = w;
}

static void job_free(job *j) {
  free(j->trits);
  free(j->packed);
}

/* Unscrambling the stream gives back every row's trits, then zero trits. */
static void t_roundtrip(tt_ctx *c) {
  uint64_t seed = c->seed;
  for (int it = 0; it < 300; it++) {
    uint32_t lanes = tt_range(&seed, 1, 9), wb = tt_range(&seed, 1, 5);
    uint32_t tile = (tt_rand(&seed) & 1) ? 0 : lanes * tt_range(&seed, 1, 4);
    tern_engine_params p = mkp(lanes, wb, 2, 300, tile);
    tern_fmt fmt = (tern_fmt)(tt_rand(&seed) & 1);
    job j;
    job_make(&j, &seed, fmt, tt_range(&seed, 1, 40), tt_range(&seed, 1, 300), tt_range(&seed, 0, 2));
    size_t n = tern_engine_wstream_bytes(&p, fmt, j.rows, j.k);
    uint32_t wt = tern_engine_word_trits(&p, fmt);
    size_t words = (j.k + wt - 1) / wt, rows_pad = (j.rows + lanes - 1) / lanes * lanes;
    TT_EQ_INT(c, n, rows_pad * words * wb);
    TT_EQ_INT(c, n % p.w_beat_bytes, 0);
    uint8_t *s = malloc(n);
    TT_EQ_INT(c, tern_engine_wstream(&p, &j.w, s, n), TERN_OK);
    uint8_t *row = malloc(words * wb);
    int8_t *got = malloc(words * wt);
    for (size_t r = 0; r < rows_pad; r++) {
      gather_row(&p, s, rows_pad, words, r, row);
      TT_EQ_INT(c, tern_unpack_row(fmt, row, words * wb, (uint32_t)(words * wt), got), TERN_OK);
      int bad = 0;
      for (size_t i = 0; i < words * wt; i++) {
        int want = (r < j.rows && i < j.k) ? j.trits[r * j.k + i] : 0;
        bad |= got[i] != want;
      }
      TT_CHECK(c, !bad);
    }
    free(got);
    free(row);
    free(s);
    job_free(&j);
  }
}

/* Padding: rows past the matrix and trits past k are zero-trit bytes. */
static void t_padding_bytes(tt_ctx *c) {
  uint64_t seed = c->seed ^ 7;
  tern_engine_params p = mkp(4, 2, 1, 64, 0);
  job j;
  job_make(&j, &seed, TERN_FMT_I2, 5, 9, 0); /* 2 words (8 trits each), 8 padded rows */
  uint8_t s[32];
  TT_EQ_INT(c, tern_engine_wstream_bytes(&p, TERN_FMT_I2, 5, 9), 32);
  TT_EQ_INT(c, tern_engine_wstream(&p, &j.w, s, sizeof s), TERN_OK);
  for (size_t r = 5; r < 8; r++)
    for (size_t w = 0; w < 2; w++)
      for (size_t b = 0; b < 2; b++) TT_EQ_INT(c, s[stream_off(&p, 8, 2, r, w, b)], 0x55);
  /* Row 0, word 1: byte 0 holds trit 8 and three padding trits; byte 1 is padding. */
  uint8_t b0 = s[stream_off(&p, 8, 2, 0, 1, 0)];
  TT_EQ_INT(c, b0 >> 2, 0x15);
  TT_EQ_INT(c, b0 & 3u, (unsigned)(j.trits[8] + 1));
  TT_EQ_INT(c, s[stream_off(&p, 8, 2, 0, 1, 1)], 0x55);
  job_free(&j);

  job_make(&j, &seed, TERN_FMT_B3, 1, 7, 0); /* 2 bytes, one word of 10 trits */
  tern_engine_params q = mkp(1, 2, 1, 64, 0);
  uint8_t t[2];
  TT_EQ_INT(c, tern_engine_wstream(&q, &j.w, t, sizeof t), TERN_OK);
  unsigned want = (unsigned)(j.trits[5] + 1) + 3u * (unsigned)(j.trits[6] + 1) + 9u + 27u + 81u;
  TT_EQ_INT(c, t[1], want);
  job_free(&j);
}

/* Invalid codes stay invalid in their row only, in data or in padding. */
static void t_invalid_kept(tt_ctx *c) {
  uint64_t seed = c->seed ^ 11;
  tern_engine_params p = mkp(2, 2, 1, 64, 0);
  for (int f = 0; f < 2; f++) {
    tern_fmt fmt = (tern_fmt)f;
    for (int where = 0; where < 3; where++) {
      job j;
      /* k = 9: I2 trit 9..11 and B3 trit 9 are padding in the last data byte;
       * the stride has one extra byte past a 2-byte (I2: 3-byte) row. */
      job_make(&j, &seed, fmt, 3, 9, 1);
      size_t rb = tern_row_bytes(fmt, 9);
      uint8_t *row1 = j.packed + j.stride;
      if (fmt == TERN_FMT_I2) {
        if (where == 0) row1[0] |= 3u;          /* trit 0 */
        else if (where == 1) row1[2] |= 0xC0u;  /* trit 11: padding */
        else row1[rb] = 0xFFu;                  /* stride byte */
      } else {
        if (where == 0) row1[0] = 250;
        else if (where == 1) row1[1] = 243;     /* holds trits 5..9 */
        else row1[rb] = 255;
      }
      size_t n = tern_engine_wstream_bytes(&p, fmt, 3, 9);
      uint8_t *s = malloc(n);
      int st = tern_engine_wstream(&p, &j.w, s, n);
      uint32_t wt = tern_engine_word_trits(&p, fmt);
      size_t words = (9 + wt - 1) / wt;
      uint8_t row[16];
      int8_t tr[64];
      int carried = 1;
      if (where == 2 && words * 2 == rb) carried = 0; /* no room in the stream */
      TT_EQ_INT(c, st, carried ? TERN_OK : TERN_ERR_CODE);
      for (size_t r = 0; r < 4; r++) {
        gather_row(&p, s, 4, words, r, row);
        int us = tern_unpack_row(fmt, row, words * 2, (uint32_t)(words * wt), tr);
        TT_EQ_INT(c, us, (r == 1 && carried) ? TERN_ERR_CODE : TERN_OK);
      }
      free(s);
      job_free(&j);
    }
  }
}

static void t_bad_args(tt_ctx *c) {
  tern_engine_params p = mkp(4, 2, 2, 64, 0), q;
  uint8_t buf[256] = {0}, out[512];
  tern_wmat w = {TERN_FMT_I2, 4, 16, 4, buf, 16};
  TT_EQ_INT(c, tern_engine_wstream(NULL, &w, out, sizeof out), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_engine_wstream(&p, NULL, out, sizeof out), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_engine_wstream(&p, &w, NULL, sizeof out), TERN_ERR_NULL);
  TT_EQ_INT(c, tern_engine_wstream(&p, &w, out, 0), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_engine_wstream(&p, &w, out, tern_engine_wstream_bytes(&p, TERN_FMT_I2, 4, 16) - 1),
            TERN_ERR_TRUNC);
  q = p; q.lanes = 0;
  TT_EQ_INT(c, tern_engine_wstream(&q, &w, out, sizeof out), TERN_ERR_DIM);
  q = p; q.act_beat_bytes = 3;
  TT_EQ_INT(c, tern_engine_params_check(&q), TERN_ERR_DIM);
  q = p; q.acc_width = 16;
  TT_EQ_INT(c, tern_engine_params_check(&q), TERN_ERR_DIM);
  q = p; q.tile_rows = 6;
  TT_EQ_INT(c, tern_engine_params_check(&q), TERN_ERR_DIM);
  q = p; q.w_beat_bytes = 4;
  TT_EQ_INT(c, tern_engine_params_check(&q), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_engine_params_check(&p), TERN_OK);
  TT_EQ_INT(c, tern_engine_params_check(NULL), TERN_ERR_NULL);
  tern_wmat big = w;
  big.k = 65; big.row_stride = 17; big.len = 4 * 17;
  TT_EQ_INT(c, tern_engine_wstream(&p, &big, out, sizeof out), TERN_ERR_DIM); /* k > max_k */
  tern_wmat bad = w;
  bad.fmt = (tern_fmt)7;
  TT_EQ_INT(c, tern_engine_wstream(&p, &bad, out, sizeof out), TERN_ERR_FORMAT);
  tern_wmat shortw = w;
  shortw.len = 15;
  TT_EQ_INT(c, tern_engine_wstream(&p, &shortw, out, sizeof out), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_engine_wstream_bytes(&p, TERN_FMT_I2, 0, 16), 0);
  TT_EQ_INT(c, tern_engine_wstream_bytes(&p, TERN_FMT_I2, 4, 0), 0);
  TT_EQ_INT(c, tern_engine_wstream_bytes(&p, TERN_FMT_B3, 4, 65), 0);
  TT_EQ_INT(c, tern_engine_wstream_bytes(&p, (tern_fmt)2, 4, 16), 0);
  TT_EQ_INT(c, tern_engine_word_trits(&p, TERN_FMT_B3), 10);
  TT_EQ_INT(c, tern_engine_word_trits(&p, (tern_fmt)2), 0);
  TT_EQ_INT(c, tern_engine_tile_rows(&p), 4);
  int8_t x[64] = {0};
  TT_EQ_INT(c, tern_engine_astream(&p, x, 16, sizeof x, 16, 3, out, sizeof out), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_engine_astream(&p, x, 8, sizeof x, 16, 1, out, sizeof out), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_engine_astream(&p, x, 50, sizeof x, 16, 2, out, sizeof out), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_engine_astream(&p, x, 16, sizeof x, 16, 2, out, 31), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_engine_astream(&p, NULL, 16, sizeof x, 16, 2, out, sizeof out), TERN_ERR_NULL);
}

/* Activations: each vector starts on a beat, padded with zeros. */
static void t_astream(tt_ctx *c) {
  tern_engine_params p = mkp(2, 4, 3, 64, 0);
  int8_t x[3 * 10];
  for (int i = 0; i < 30; i++) x[i] = (int8_t)(i * 7 - 100);
  uint8_t out[64];
  TT_EQ_INT(c, tern_engine_astream_bytes(&p, 9, 3), 36);
  memset(out, 0xAA, sizeof out);
  TT_EQ_INT(c, tern_engine_astream(&p, x, 10, sizeof x, 9, 3, out, sizeof out), TERN_OK);
  int bad = 0;
  for (int b = 0; b < 3; b++)
    for (int i = 0; i < 12; i++) bad |= out[b * 12 + i] != (i < 9 ? (uint8_t)x[b * 10 + i] : 0);
  TT_CHECK(c, !bad);
  TT_EQ_INT(c, out[36], 0xAA);
}

void suite_engine_layout(tt_ctx *c) {
  tt_run(c, "engine_layout/roundtrip", t_roundtrip);
  tt_run(c, "engine_layout/padding_bytes", t_padding_bytes);
  tt_run(c, "engine_layout/invalid_kept", t_invalid_kept);
  tt_run(c, "engine_layout/bad_args", t_bad_args);
  tt_run(c, "engine_layout/astream", t_astream);
}

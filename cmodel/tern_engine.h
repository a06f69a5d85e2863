/*
 * tern_engine: the C side of the RTL matmul engine (rtl/engine/).
 *
 * The one definition of the engine's parameters and of the order in which it
 * reads packed weights and activations. The co-simulation harness, the DMA
 * and the firmware lay data out with these functions; docs/engine.md
 * describes the same order in prose.
 */
#ifndef TERN_ENGINE_H
#define TERN_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Mirrors the RTL parameters of tern_engine (config/engine/<name>.cfg).
 * tile_rows: rows per weight tile; the engine walks [tile][K word][row group
 * in tile][lane]. 0 means lanes (plain row-parallel order). */
typedef struct tern_engine_params {
  uint32_t lanes;          /* rows computed in parallel                     */
  uint32_t word_bytes;     /* packed weight bytes per lane per cycle        */
  uint32_t batch;          /* activation vectors held                       */
  uint32_t max_k;          /* max K per job                                 */
  uint32_t acc_width;      /* accumulator width: 32                         */
  uint32_t act_beat_bytes; /* activation beat: must equal word_bytes        */
  uint32_t w_beat_bytes;   /* weight beat: lanes * word_bytes               */
  uint32_t tile_rows;      /* multiple of lanes, or 0 for lanes             */
} tern_engine_params;

/* TERN_OK if p describes an engine the RTL can be built as; TERN_ERR_NULL,
 * TERN_ERR_DIM otherwise. */
int tern_engine_params_check(const tern_engine_params *p);

/* Trits a lane consumes per cycle: 4 (I2) or 5 (B3) per word byte; 0 on
 * bad args. */
uint32_t tern_engine_word_trits(const tern_engine_params *p, tern_fmt fmt);

/* Rows per tile as the engine uses it (tile_rows, or lanes when 0). */
uint32_t tern_engine_tile_rows(const tern_engine_params *p);

/* Bytes of the weight stream for a rows x k job (a multiple of
 * w_beat_bytes); 0 on bad args (bad params, format, rows 0 or > 2^24,
 * k 0 or > max_k). */
size_t tern_engine_wstream_bytes(const tern_engine_params *p, tern_fmt fmt, uint32_t rows,
                                 uint32_t k);

/* Converts a row-major packed matrix into the engine's weight stream:
 *   for each tile of tile_rows rows (the last one cut to whole lane groups)
 *     for each K word w (word_trits trits, word_bytes bytes of every row)
 *       for each group of lanes rows in the tile
 *         for each lane l: word_bytes bytes of row (tile + group*lanes + l)
 * Trits past k are zero trits and rows past w->rows are all zero trits, so
 * the engine needs no K or row masking. Invalid codes are preserved where
 * they stand (an invalid code in a padding trit or in the stride bytes past
 * the row stays invalid, other padding trits become zero), so the engine's
 * per-row error flag matches tern_gemm_ref. If a row's stride has an invalid
 * byte past the words the stream carries, the stream's last padding byte of
 * that row is made invalid; when that row has no padding byte at all the
 * stream is still written and TERN_ERR_CODE is returned (never happens with
 * row_stride == tern_row_bytes). out_len >= tern_engine_wstream_bytes. */
int tern_engine_wstream(const tern_engine_params *p, const tern_wmat *w, uint8_t *out,
                        size_t out_len);

/* Bytes of the activation stream: batch vectors, each k int8 values padded
 * with zeros to whole act_beat_bytes beats. 0 on bad args. */
size_t tern_engine_astream_bytes(const tern_engine_params *p, uint32_t k, uint32_t batch);

/* Writes that stream from x (vector b at x + b*x_stride, k values each). */
int tern_engine_astream(const tern_engine_params *p, const int8_t *x, size_t x_stride,
                        size_t x_len, uint32_t k, uint32_t batch, uint8_t *out,
                        size_t out_len);

#ifdef __cplusplus
}
#endif

#endif /* TERN_ENGINE_H */

/* Internal helpers shared by the cmodel's translation units; not installed. */
#ifndef TERN_INTERNAL_H
#define TERN_INTERNAL_H

#include "tern.h"

/* Validates a GEMM call's matrix, batch, strides and buffer lengths. */
int tern_check_gemm_args(const tern_wmat *w, const int8_t *x, size_t x_stride, size_t x_len,
                         uint32_t batch, const int32_t *y, size_t y_stride, size_t y_len);

/* ISA kernels: arguments already checked; same results as tern_gemm_ref. */
typedef int (*tern_gemm_kernel)(const tern_wmat *w, const int8_t *x, size_t x_stride,
                                uint32_t batch, int32_t *y, size_t y_stride);
int tern_gemm_scalar(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch,
                     int32_t *y, size_t y_stride);
/* Built only where the compiler targets the ISA family (x86 / AArch64);
 * called only after tern_isa_available says the CPU has it. */
int tern_gemm_avx2(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch, int32_t *y,
                   size_t y_stride);
int tern_gemm_avx512(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch,
                     int32_t *y, size_t y_stride);
int tern_gemm_neon(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch, int32_t *y,
                   size_t y_stride);

/* ---- helpers for the SIMD kernels (tern_gemm.c) ----
 * The kernels work on chunks of `lanes` packed bytes (one vector), i.e.
 * lanes*per trits (per = 4 for I2, 5 for B3). Within a chunk they split the
 * trits into `per` planes: plane t, byte b is trit per*b + t, which is what
 * shifting (I2) or digit lookup (B3) of the whole vector yields. The
 * activations are permuted once per call into the same order. */

/* xp[c*lanes*per + t*lanes + b] = x[c*lanes*per + per*b + t], 0 past k;
 * writes kp bytes (kp a multiple of lanes*per, >= k). */
void tern_permute_x(const int8_t *x, uint32_t k, unsigned per, unsigned lanes, int8_t *xp,
                    size_t kp);
/* sum of x[0..k), exact (|sum| <= 128 * (2^24 - 1) fits int32). */
int32_t tern_sum_x(const int8_t *x, uint32_t k);
/* Nonzero if any of the n packed bytes holds an invalid code. */
int tern_bytes_bad(tern_fmt fmt, const uint8_t *p, size_t n);
/* Scalar fallback for rows [r0, r0+nrows) and batch vectors [0, batch) of
 * the given x / y (already offset): used for rows with invalid codes. */
int tern_gemm_rows_scalar(const tern_wmat *w, uint32_t r0, uint32_t nrows, const int8_t *x,
                          size_t x_stride, uint32_t batch, int32_t *y, size_t y_stride);
/* Rounds n up to a multiple of m. */
static inline size_t tern_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

#endif

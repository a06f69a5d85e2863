/* Internal helpers shared by the cmodel's translation units; not installed. */
#ifndef TERN_INTERNAL_H
#define TERN_INTERNAL_H

#include "tern.h"

/* Validates a GEMM call's matrix, batch, strides and buffer lengths. */
int tern_check_gemm_args(const tern_wmat *w, const int8_t *x, size_t x_stride,
                         size_t x_len, uint32_t batch, const int32_t *y,
                         size_t y_stride, size_t y_len);

/* ISA kernels: arguments already checked; same results as tern_gemm_ref. */
typedef int (*tern_gemm_kernel)(const tern_wmat *w, const int8_t *x,
                                size_t x_stride, uint32_t batch, int32_t *y,
                                size_t y_stride);
int tern_gemm_scalar(const tern_wmat *w, const int8_t *x, size_t x_stride,
                     uint32_t batch, int32_t *y, size_t y_stride);

#endif

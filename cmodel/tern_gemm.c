/* Fast GEMM front end: run-time ISA choice and the portable scalar kernel.
 * Every kernel must give exactly tern_gemm_ref's integers. */
#include "tern_internal.h"

#include <stdlib.h>

const char *tern_isa_name(tern_isa isa) {
  switch (isa) {
  case TERN_ISA_AUTO: return "auto";
  case TERN_ISA_SCALAR: return "scalar";
  case TERN_ISA_AVX2: return "avx2";
  case TERN_ISA_AVX512: return "avx512";
  case TERN_ISA_NEON: return "neon";
  default: return NULL;
  }
}

int tern_isa_available(tern_isa isa) {
  switch (isa) {
  case TERN_ISA_AUTO:
  case TERN_ISA_SCALAR: return 1;
  default: return 0;
  }
}

tern_isa tern_isa_best(void) { return TERN_ISA_SCALAR; }

/* Decodes each row once into trits, then accumulates every batch vector. */
int tern_gemm_scalar(const tern_wmat *w, const int8_t *x, size_t x_stride,
                     uint32_t batch, int32_t *y, size_t y_stride) {
  int8_t *t = malloc(w->k);
  if (!t) return TERN_ERR_NOMEM;
  int status = TERN_OK;
  for (uint32_t r = 0; r < w->rows; r++) {
    int st = tern_unpack_row(w->fmt, w->data + (size_t)r * w->row_stride,
                             w->row_stride, w->k, t);
    if (st == TERN_ERR_CODE) status = st;
    for (uint32_t b = 0; b < batch; b++) {
      const int8_t *xb = x + (size_t)b * x_stride;
      int32_t acc = 0;
      for (uint32_t j = 0; j < w->k; j++) acc += (int32_t)t[j] * xb[j];
      y[(size_t)b * y_stride + r] = acc;
    }
  }
  free(t);
  return status;
}

int tern_gemm(tern_isa isa, const tern_wmat *w, const int8_t *x,
              size_t x_stride, size_t x_len, uint32_t batch, int32_t *y,
              size_t y_stride, size_t y_len) {
  if (!tern_isa_name(isa)) return TERN_ERR_FORMAT;
  if (!tern_isa_available(isa)) return TERN_ERR_UNSUPPORTED;
  int st = tern_check_gemm_args(w, x, x_stride, x_len, batch, y, y_stride, y_len);
  if (st != TERN_OK) return st;
  if (isa == TERN_ISA_AUTO) isa = tern_isa_best();
  tern_gemm_kernel kernel = tern_gemm_scalar;
  return kernel(w, x, x_stride, batch, y, y_stride);
}

/* Fast GEMM front end: run-time ISA choice and the portable scalar kernel.
 * Every kernel must give exactly tern_gemm_ref's integers. */
#include "tern_internal.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#define TERN_X86 1
#endif

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

/* Asked of the CPU on every call (cheap: libgcc keeps the CPUID result), so
 * the library holds no state of its own. The feature lists match the
 * -m flags mk/cmodel.mk gives each kernel file. */
int tern_isa_available(tern_isa isa) {
  switch (isa) {
  case TERN_ISA_AUTO:
  case TERN_ISA_SCALAR: return 1;
#ifdef TERN_X86
  case TERN_ISA_AVX2:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi2");
  case TERN_ISA_AVX512:
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
           __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2");
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
  case TERN_ISA_NEON: return 1; /* baseline on AArch64 */
#endif
  default: return 0;
  }
}

tern_isa tern_isa_best(void) {
  static const tern_isa order[] = {TERN_ISA_AVX512, TERN_ISA_AVX2, TERN_ISA_NEON};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (tern_isa_available(order[i])) return order[i];
  return TERN_ISA_SCALAR;
}

/* Decodes each row once into trits, then accumulates every batch vector. */
int tern_gemm_scalar(const tern_wmat *w, const int8_t *x, size_t x_stride, uint32_t batch,
                     int32_t *y, size_t y_stride) {
  int8_t *t = malloc(w->k);
  if (!t) return TERN_ERR_NOMEM;
  int status = TERN_OK;
  for (uint32_t r = 0; r < w->rows; r++) {
    int st = tern_unpack_row(w->fmt, w->data + (size_t)r * w->row_stride, w->row_stride, w->k, t);
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

int tern_gemm_rows_scalar(const tern_wmat *w, uint32_t r0, uint32_t nrows, const int8_t *x,
                          size_t x_stride, uint32_t batch, int32_t *y, size_t y_stride) {
  tern_wmat s = *w;
  s.rows = nrows;
  s.data = w->data + (size_t)r0 * w->row_stride;
  s.len = (size_t)nrows * w->row_stride;
  return tern_gemm_scalar(&s, x, x_stride, batch, y + r0, y_stride);
}

void tern_permute_x(const int8_t *x, uint32_t k, unsigned per, unsigned lanes, int8_t *xp,
                    size_t kp) {
  size_t chunk = (size_t)per * lanes;
  for (size_t c = 0; c < kp; c += chunk) {
    if (c + chunk <= k) {
      for (unsigned b = 0; b < lanes; b++)
        for (unsigned t = 0; t < per; t++) xp[c + t * lanes + b] = x[c + per * b + t];
    } else {
      for (unsigned b = 0; b < lanes; b++)
        for (unsigned t = 0; t < per; t++) {
          size_t j = c + per * b + t;
          xp[c + t * lanes + b] = j < k ? x[j] : 0;
        }
    }
  }
}

int tern_bytes_bad(tern_fmt fmt, const uint8_t *p, size_t n) {
  int bad = 0;
  for (size_t i = 0; i < n; i++)
    bad |= fmt == TERN_FMT_I2 ? (p[i] & (p[i] >> 1) & 0x55) != 0 : p[i] > TERN_B3_MAX_VALID;
  return bad;
}

int32_t tern_sum_x(const int8_t *x, uint32_t k) {
  int64_t s = 0;
  for (uint32_t j = 0; j < k; j++) s += x[j];
  return (int32_t)s;
}

int tern_gemm(tern_isa isa, const tern_wmat *w, const int8_t *x, size_t x_stride, size_t x_len,
              uint32_t batch, int32_t *y, size_t y_stride, size_t y_len) {
  if (!tern_isa_name(isa)) return TERN_ERR_FORMAT;
  if (!tern_isa_available(isa)) return TERN_ERR_UNSUPPORTED;
  int st = tern_check_gemm_args(w, x, x_stride, x_len, batch, y, y_stride, y_len);
  if (st != TERN_OK) return st;
  if (isa == TERN_ISA_AUTO) isa = tern_isa_best();
  tern_gemm_kernel kernel = tern_gemm_scalar;
  switch (isa) {
#ifdef TERN_X86
  case TERN_ISA_AVX2: kernel = tern_gemm_avx2; break;
  case TERN_ISA_AVX512: kernel = tern_gemm_avx512; break;
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
  case TERN_ISA_NEON: kernel = tern_gemm_neon; break;
#endif
  default: break;
  }
  return kernel(w, x, x_stride, batch, y, y_stride);
}

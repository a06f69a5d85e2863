/*
 * tern golden model: the one C definition of tern's numerics.
 *
 * Everything here follows docs/numerics.md. Every function validates its
 * arguments and returns a tern_status; none aborts, none reads or writes
 * outside the lengths it is given. No global state: all functions are
 * reentrant and thread-safe on distinct outputs.
 */
#ifndef TERN_H
#define TERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------ */

typedef enum tern_status {
  TERN_OK = 0,
  TERN_ERR_NULL = -1,        /* a required pointer is NULL */
  TERN_ERR_DIM = -2,         /* zero/oversize dimension or too-small stride */
  TERN_ERR_CODE = -3,        /* invalid trit code in packed weights */
  TERN_ERR_TRUNC = -4,       /* a buffer is shorter than the data needs */
  TERN_ERR_FORMAT = -5,      /* unknown format or enum value */
  TERN_ERR_VALUE = -6,       /* value outside its domain (trit, NaN, inf) */
  TERN_ERR_NOMEM = -7,       /* allocation failed */
  TERN_ERR_UNSUPPORTED = -8, /* requested ISA not available on this CPU */
} tern_status;

/* Human-readable text for a status code; never NULL. */
const char *tern_strerror(int status);

/* ---- limits ------------------------------------------------------------ */

/* 128 * K < 2^31 keeps every int32 sum exact (docs/numerics.md). */
#define TERN_MAX_K ((1u << 24) - 1u)
#define TERN_MAX_ROWS (1u << 24)
#define TERN_MAX_BATCH 65536u

/* ---- hardware weight formats ------------------------------------------- */

typedef enum tern_fmt {
  TERN_FMT_I2 = 0, /* 2 bits a trit, code w+1, 4 trits a byte, LSB first */
  TERN_FMT_B3 = 1, /* 5 trits a byte, byte = sum (w_j+1)*3^j             */
} tern_fmt;

#define TERN_I2_TRITS_PER_BYTE 4u
#define TERN_B3_TRITS_PER_BYTE 5u
#define TERN_I2_ZERO_BYTE 0x55u /* four zero trits (code 1)            */
#define TERN_B3_ZERO_BYTE 121u  /* five zero trits: 1+3+9+27+81        */
#define TERN_B3_MAX_VALID 242u  /* bytes 243..255 are invalid          */

/* Name of a format ("i2", "b3") or NULL for an unknown value. */
const char *tern_fmt_name(tern_fmt fmt);

/* Smallest number of bytes that holds k trits in fmt; 0 on bad args. */
size_t tern_row_bytes(tern_fmt fmt, uint32_t k);

/* Pack one row of k trits (-1/0/+1) into out[0..out_len). The bytes past
 * the last trit are zero-trit padding (0x55 / 121), so out_len may be any
 * row stride >= tern_row_bytes(fmt, k). */
int tern_pack_row(tern_fmt fmt, const int8_t *trits, uint32_t k, uint8_t *out,
                  size_t out_len);

/* Unpack k trits from in[0..in_len). Every byte in in_len is checked: an
 * invalid code anywhere (padding included) gives TERN_ERR_CODE, and the
 * affected trits are written as 0 (the same rule as the GEMV). */
int tern_unpack_row(tern_fmt fmt, const uint8_t *in, size_t in_len, uint32_t k,
                    int8_t *trits);

/* A packed ternary weight matrix: rows x k trits, row r at data +
 * r * row_stride, with len bytes readable at data. */
typedef struct tern_wmat {
  tern_fmt fmt;
  uint32_t rows;
  uint32_t k;
  size_t row_stride;
  const uint8_t *data;
  size_t len;
} tern_wmat;

/* Checks dimensions, stride and length (not the codes). */
int tern_wmat_check(const tern_wmat *w);

/* Pack a rows x k trit matrix (row-major, trits[r*k + j]) into out with the
 * given row stride; out_len >= rows * row_stride. */
int tern_pack(tern_fmt fmt, const int8_t *trits, uint32_t rows, uint32_t k,
              uint8_t *out, size_t row_stride, size_t out_len);

/* Unpack a whole matrix to trits[rows*k]; TERN_ERR_CODE if any code in any
 * row's stride is invalid (all other trits still written). */
int tern_unpack(const tern_wmat *w, int8_t *trits, size_t trits_len);

/* ---- quantizers -------------------------------------------------------- */

/* Per-token activation quantization, fp32:
 *   s = 127 / max(max|x|, 1e-5);  q = clamp(round_half_even(x*s), -128, 127)
 * TERN_ERR_VALUE if any x is NaN or infinite. */
int tern_quant_act(const float *x, uint32_t n, int8_t *q, float *scale);

/* Absmean ternary weight quantization of n floats:
 *   m = max(mean|W|, 1e-5) (sum in double, in index order, then to fp32),
 *   s = 1/m (fp32);  w = clamp(round_half_even(W*s), -1, 1);  *wscale = m.
 * TERN_ERR_VALUE if any W is NaN or infinite. */
int tern_quant_absmean(const float *w, size_t n, int8_t *trits, float *wscale);

/* fp32 round-half-to-even, independent of the FP environment. */
float tern_round_half_even(float v);

/* ---- reference matmul -------------------------------------------------- */

/* y[b*y_stride + r] = sum_{j<k} w[r][j] * x[b*x_stride + j], exact int32,
 * for b < batch, r < rows. x needs (batch-1)*x_stride + k bytes, y needs
 * (batch-1)*y_stride + rows elements.
 * An invalid weight code counts as a zero trit; the call then still writes
 * every result and returns TERN_ERR_CODE. Batch 1 is a GEMV. */
int tern_gemm_ref(const tern_wmat *w, const int8_t *x, size_t x_stride,
                  size_t x_len, uint32_t batch, int32_t *y, size_t y_stride,
                  size_t y_len);

/* ---- fast matmul (bit-identical to tern_gemm_ref) ---------------------- */

typedef enum tern_isa {
  TERN_ISA_AUTO = 0, /* best available at run time */
  TERN_ISA_SCALAR = 1,
  TERN_ISA_AVX2 = 2,
  TERN_ISA_AVX512 = 3, /* AVX-512 BW + VNNI + VBMI */
  TERN_ISA_NEON = 4,
} tern_isa;

/* Nonzero if isa can run here (AUTO and SCALAR always can). */
int tern_isa_available(tern_isa isa);
/* The ISA AUTO resolves to on this CPU. */
tern_isa tern_isa_best(void);
/* "auto", "scalar", "avx2", "avx512", "neon"; NULL for unknown values. */
const char *tern_isa_name(tern_isa isa);

/* Same contract and results as tern_gemm_ref, on the chosen ISA
 * (TERN_ERR_UNSUPPORTED if it is not available). Single-threaded: callers
 * split rows across threads by slicing the tern_wmat and y. */
int tern_gemm(tern_isa isa, const tern_wmat *w, const int8_t *x,
              size_t x_stride, size_t x_len, uint32_t batch, int32_t *y,
              size_t y_stride, size_t y_len);

/* ---- dequantization ---------------------------------------------------- */

/* y[i] = ((float)acc[i] / act_scale) * wscale, fp32, in that order.
 * TERN_ERR_VALUE if act_scale is not finite and > 0 or wscale not finite. */
int tern_dequant(const int32_t *acc, uint32_t n, float act_scale, float wscale,
                 float *y);

/* ---- half-precision helpers (model files) ------------------------------ */

float tern_f16_to_f32(uint16_t h);
float tern_bf16_to_f32(uint16_t h);
uint16_t tern_f32_to_f16(float f); /* round to nearest even */

/* ---- external formats, converted once at load -------------------------- */

/* Hugging Face packed BitNet weights: uint8 [ceil(out/4)][in]; row
 * r = i*ceil(out/4) + p lives in byte [p][j] bits 2i+1:2i, code w+1.
 * Writes trits[out*in] row-major. */
int tern_import_hf_packed(const uint8_t *packed, size_t len,
                          uint32_t out_features, uint32_t in_features,
                          int8_t *trits, size_t trits_len);

/* GGUF I2_S (bitnet.cpp): rows*k/4 bytes in 128-weight blocks of 32 bytes
 * (byte b of a block: elements b, b+32, b+64, b+96 at bits 7:6, 5:4, 3:2,
 * 1:0, code w+1) followed by one fp32 scale. k*rows must be a multiple of
 * 128. Writes trits[rows*k] and *scale. */
int tern_import_i2s(const uint8_t *data, size_t len, uint32_t rows, uint32_t k,
                    int8_t *trits, size_t trits_len, float *scale);

/* GGUF TQ2_0 / TQ1_0 (ggml): 256-weight blocks (66 / 54 bytes) with an fp16
 * scale d each; k must be a multiple of 256. Writes trits[rows*k] and, if
 * block_scales is non-NULL, rows*k/256 block scales. */
#define TERN_TQ2_0_BLOCK_BYTES 66u
#define TERN_TQ1_0_BLOCK_BYTES 54u
#define TERN_TQ_BLOCK_TRITS 256u
int tern_import_tq2_0(const uint8_t *data, size_t len, uint32_t rows,
                      uint32_t k, int8_t *trits, size_t trits_len,
                      float *block_scales, size_t scales_len);
int tern_import_tq1_0(const uint8_t *data, size_t len, uint32_t rows,
                      uint32_t k, int8_t *trits, size_t trits_len,
                      float *block_scales, size_t scales_len);

#ifdef __cplusplus
}
#endif

#endif /* TERN_H */

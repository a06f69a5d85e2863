/*
 * GGUF v2/v3 reader (and the few writer helpers tern gen-model needs).
 * The reader never trusts the file: every count is checked against the bytes
 * left before anything is allocated, every string and array against the end
 * of the buffer, every tensor against the data section.
 */
#ifndef TERN_GGUF_H
#define TERN_GGUF_H

#include <stdio.h>

#include "tern_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Value types of GGUF metadata. */
enum {
  TERN_GGUF_UINT8 = 0, TERN_GGUF_INT8 = 1, TERN_GGUF_UINT16 = 2, TERN_GGUF_INT16 = 3,
  TERN_GGUF_UINT32 = 4, TERN_GGUF_INT32 = 5, TERN_GGUF_FLOAT32 = 6, TERN_GGUF_BOOL = 7,
  TERN_GGUF_STRING = 8, TERN_GGUF_ARRAY = 9, TERN_GGUF_UINT64 = 10, TERN_GGUF_INT64 = 11,
  TERN_GGUF_FLOAT64 = 12, TERN_GGUF_NTYPES = 13
};

/* GGML tensor type ids this runtime decodes. I2_S is bitnet.cpp's id. */
enum {
  TERN_GGML_F32 = 0, TERN_GGML_F16 = 1, TERN_GGML_BF16 = 30, TERN_GGML_TQ1_0 = 34,
  TERN_GGML_TQ2_0 = 35, TERN_GGML_I2_S = 36
};

#define TERN_GGUF_DEFAULT_ALIGNMENT 32u

typedef struct tern_gguf_kv {
  char *key;     /* NUL-terminated copy */
  uint32_t type; /* TERN_GGUF_* */
  /* scalars: */
  uint64_t u;    /* unsigned ints and bool */
  int64_t i;     /* signed ints */
  double f;      /* floats */
  /* string: bytes in the file image (not NUL-terminated) */
  const uint8_t *str;
  uint64_t str_len;
  /* array: */
  uint32_t arr_type;
  uint64_t arr_n;
  const uint8_t *arr_data; /* first element in the file image */
  uint64_t *arr_str_off;   /* string arrays: offset of element i's length field */
} tern_gguf_kv;

struct tern_gguf {
  const uint8_t *buf;
  size_t len;
  uint32_t version;
  uint64_t n_kv, n_tensors;
  uint32_t alignment;
  size_t data_off; /* start of the tensor data section */
  tern_gguf_kv *kv;
  tern_tensor *tensors;
  uint64_t *tensor_off; /* offsets relative to data_off, as stored */
};

int tern_gguf_parse(const uint8_t *buf, size_t len, tern_gguf **out, tern_err *err);
void tern_gguf_free(tern_gguf *g);

const tern_gguf_kv *tern_gguf_kv_find(const tern_gguf *g, const char *key);
const tern_tensor *tern_gguf_tensor_find(const tern_gguf *g, const char *name);

/* Typed getters: TERN_ERR_FORMAT when the key is missing (found=0) or has
 * an incompatible type / value out of range. Integers of any width are
 * accepted if the value fits; floats from float32/float64. */
int tern_gguf_get_u32(const tern_gguf *g, const char *key, uint32_t *v);
int tern_gguf_get_f32(const tern_gguf *g, const char *key, float *v);
int tern_gguf_get_bool(const tern_gguf *g, const char *key, int *v);
int tern_gguf_get_str(const tern_gguf *g, const char *key, const uint8_t **s, size_t *n);
/* Element i of a string array. */
int tern_gguf_arr_str(const tern_gguf_kv *kv, uint64_t i, const uint8_t **s, size_t *n);
/* Element i of an integer array as int64. */
int tern_gguf_arr_int(const tern_gguf_kv *kv, uint64_t i, int64_t *v);

/* Bytes of a tensor of ggml type `type` with n elements, row length ne0;
 * 0 if unknown type or not a whole number of blocks. */
uint64_t tern_ggml_nbytes(uint32_t type, uint64_t ne0, uint64_t n);

/* ---- writer ------------------------------------------------------------- */

void tern_gguf_w_u32(FILE *f, uint32_t v);
void tern_gguf_w_u64(FILE *f, uint64_t v);
void tern_gguf_w_str(FILE *f, const char *s);
void tern_gguf_w_kv_str(FILE *f, const char *key, const char *val);
void tern_gguf_w_kv_u32(FILE *f, const char *key, uint32_t v);
void tern_gguf_w_kv_f32(FILE *f, const char *key, float v);
void tern_gguf_w_kv_bool(FILE *f, const char *key, int v);

#ifdef __cplusplus
}
#endif

#endif /* TERN_GGUF_H */

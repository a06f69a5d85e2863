/* GGUF reader: see tern_gguf.h. The file is a byte buffer; a cursor walks it
 * and every read checks the bytes left first. */
#include "tern_gguf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GGUF_MAGIC 0x46554747u /* "GGUF" little-endian */
#define MAX_KEY 65535u
#define MAX_NAME 1024u

typedef struct cur {
  const uint8_t *p;
  size_t len, pos;
  tern_err *err;
} cur;

static uint64_t ld_le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static int need(cur *c, uint64_t n, const char *what) {
  if (n > c->len - c->pos)
    return tern_errf(c->err, TERN_ERR_TRUNC, "gguf: truncated at byte %zu reading %s", c->pos,
                     what);
  return TERN_OK;
}

static int rd(cur *c, unsigned n, uint64_t *v, const char *what) {
  int st = need(c, n, what);
  if (st) return st;
  *v = ld_le(c->p + c->pos, n);
  c->pos += n;
  return TERN_OK;
}

/* A GGUF string: u64 length + bytes. */
static int rd_str(cur *c, const uint8_t **s, uint64_t *n, uint64_t max, const char *what) {
  int st = rd(c, 8, n, what);
  if (st) return st;
  if (*n > max) return tern_errf(c->err, TERN_ERR_DIM, "gguf: %s length %llu too large", what,
                                 (unsigned long long)*n);
  if ((st = need(c, *n, what))) return st;
  *s = c->p + c->pos;
  c->pos += (size_t)*n;
  return TERN_OK;
}

static unsigned scalar_size(uint32_t t) {
  switch (t) {
  case TERN_GGUF_UINT8: case TERN_GGUF_INT8: case TERN_GGUF_BOOL: return 1;
  case TERN_GGUF_UINT16: case TERN_GGUF_INT16: return 2;
  case TERN_GGUF_UINT32: case TERN_GGUF_INT32: case TERN_GGUF_FLOAT32: return 4;
  case TERN_GGUF_UINT64: case TERN_GGUF_INT64: case TERN_GGUF_FLOAT64: return 8;
  default: return 0;
  }
}

static void set_scalar(tern_gguf_kv *kv, uint32_t t, uint64_t raw) {
  switch (t) {
  case TERN_GGUF_INT8: kv->i = (int8_t)raw; break;
  case TERN_GGUF_INT16: kv->i = (int16_t)raw; break;
  case TERN_GGUF_INT32: kv->i = (int32_t)raw; break;
  case TERN_GGUF_INT64: kv->i = (int64_t)raw; break;
  case TERN_GGUF_FLOAT32: {
    uint32_t u = (uint32_t)raw;
    float f;
    memcpy(&f, &u, 4);
    kv->f = f;
    break;
  }
  case TERN_GGUF_FLOAT64: memcpy(&kv->f, &raw, 8); break;
  default: kv->u = raw; break;
  }
}

uint64_t tern_ggml_nbytes(uint32_t type, uint64_t ne0, uint64_t n) {
  switch (type) {
  case TERN_GGML_F32: return n > UINT64_MAX / 4 ? 0 : n * 4;
  case TERN_GGML_F16:
  case TERN_GGML_BF16: return n > UINT64_MAX / 2 ? 0 : n * 2;
  case TERN_GGML_TQ1_0:
  case TERN_GGML_TQ2_0:
    if (ne0 % 256 || n % 256) return 0;
    return n / 256 * (type == TERN_GGML_TQ1_0 ? TERN_TQ1_0_BLOCK_BYTES : TERN_TQ2_0_BLOCK_BYTES);
  case TERN_GGML_I2_S:
    /* bitnet.cpp's ggml_nbytes: n/4 packed bytes + 32 (the fp32 scale, padded) */
    if (n % 4) return 0;
    return n / 4 + 32;
  default: return 0;
  }
}

static tern_dtype dt_of(uint32_t type) {
  switch (type) {
  case TERN_GGML_F32: return TERN_DT_F32;
  case TERN_GGML_F16: return TERN_DT_F16;
  case TERN_GGML_BF16: return TERN_DT_BF16;
  case TERN_GGML_TQ1_0: return TERN_DT_TQ1_0;
  case TERN_GGML_TQ2_0: return TERN_DT_TQ2_0;
  case TERN_GGML_I2_S: return TERN_DT_I2S;
  default: return TERN_DT_OTHER;
  }
}

void tern_gguf_free(tern_gguf *g) {
  if (!g) return;
  if (g->kv) {
    for (uint64_t i = 0; i < g->n_kv; i++) {
      free(g->kv[i].key);
      free(g->kv[i].arr_str_off);
    }
  }
  if (g->tensors)
    for (uint64_t i = 0; i < g->n_tensors; i++) free((char *)g->tensors[i].name);
  free(g->kv);
  free(g->tensors);
  free(g->tensor_off);
  free(g);
}

static int parse_kv(cur *c, tern_gguf_kv *kv, uint64_t idx) {
  const uint8_t *s;
  uint64_t n, t;
  int st = rd_str(c, &s, &n, MAX_KEY, "metadata key");
  if (st) return st;
  kv->key = malloc((size_t)n + 1);
  if (!kv->key) return tern_errf(c->err, TERN_ERR_NOMEM, "gguf: out of memory");
  memcpy(kv->key, s, (size_t)n);
  kv->key[n] = 0;
  if (strlen(kv->key) != n)
    return tern_errf(c->err, TERN_ERR_FORMAT, "gguf: key %llu contains a NUL byte",
                     (unsigned long long)idx);
  if ((st = rd(c, 4, &t, "metadata type"))) return st;
  kv->type = (uint32_t)t;
  if (t == TERN_GGUF_STRING) return rd_str(c, &kv->str, &kv->str_len, UINT64_MAX, kv->key);
  if (t != TERN_GGUF_ARRAY) {
    unsigned sz = scalar_size((uint32_t)t);
    if (!sz)
      return tern_errf(c->err, TERN_ERR_FORMAT, "gguf: key '%s' has unknown type %llu", kv->key,
                       (unsigned long long)t);
    uint64_t raw;
    if ((st = rd(c, sz, &raw, kv->key))) return st;
    if (t == TERN_GGUF_BOOL && raw > 1)
      return tern_errf(c->err, TERN_ERR_FORMAT, "gguf: key '%s': bool value %llu", kv->key,
                       (unsigned long long)raw);
    set_scalar(kv, (uint32_t)t, raw);
    return TERN_OK;
  }
  uint64_t at, an;
  if ((st = rd(c, 4, &at, "array type")) || (st = rd(c, 8, &an, "array length"))) return st;
  kv->arr_type = (uint32_t)at;
  kv->arr_n = an;
  kv->arr_data = c->p + c->pos;
  if (at == TERN_GGUF_STRING) {
    /* every element needs at least its 8-byte length: bound n before malloc */
    if (an > (c->len - c->pos) / 8)
      return tern_errf(c->err, TERN_ERR_TRUNC, "gguf: array '%s' of %llu strings exceeds the file",
                       kv->key, (unsigned long long)an);
    kv->arr_str_off = malloc((size_t)(an ? an : 1) * sizeof(uint64_t));
    if (!kv->arr_str_off) return tern_errf(c->err, TERN_ERR_NOMEM, "gguf: out of memory");
    for (uint64_t i = 0; i < an; i++) {
      kv->arr_str_off[i] = c->pos;
      const uint8_t *es;
      uint64_t en;
      if ((st = rd_str(c, &es, &en, UINT64_MAX, kv->key))) return st;
    }
    return TERN_OK;
  }
  unsigned sz = scalar_size((uint32_t)at);
  if (!sz)
    return tern_errf(c->err, TERN_ERR_UNSUPPORTED, "gguf: array '%s' of type %llu not supported",
                     kv->key, (unsigned long long)at);
  if (an > (c->len - c->pos) / sz)
    return tern_errf(c->err, TERN_ERR_TRUNC, "gguf: array '%s' of %llu elements exceeds the file",
                     kv->key, (unsigned long long)an);
  c->pos += (size_t)(an * sz);
  return TERN_OK;
}

static int parse_tensor(cur *c, tern_gguf *g, uint64_t idx) {
  tern_tensor *t = &g->tensors[idx];
  const uint8_t *s;
  uint64_t n, v;
  int st = rd_str(c, &s, &n, MAX_NAME, "tensor name");
  if (st) return st;
  char *name = malloc((size_t)n + 1);
  if (!name) return tern_errf(c->err, TERN_ERR_NOMEM, "gguf: out of memory");
  memcpy(name, s, (size_t)n);
  name[n] = 0;
  t->name = name;
  if (strlen(name) != n)
    return tern_errf(c->err, TERN_ERR_FORMAT, "gguf: tensor %llu name contains a NUL byte",
                     (unsigned long long)idx);
  if ((st = rd(c, 4, &v, "tensor n_dims"))) return st;
  if (v < 1 || v > TERN_MAX_DIMS)
    return tern_errf(c->err, TERN_ERR_DIM, "gguf: tensor '%s' has %llu dimensions", name,
                     (unsigned long long)v);
  t->ndim = (uint32_t)v;
  uint64_t nel = 1;
  for (uint32_t d = 0; d < TERN_MAX_DIMS; d++) t->ne[d] = 1;
  for (uint32_t d = 0; d < t->ndim; d++) {
    if ((st = rd(c, 8, &v, "tensor dims"))) return st;
    if (v == 0 || v > (1ull << 40) || nel > (1ull << 50) / v)
      return tern_errf(c->err, TERN_ERR_DIM, "gguf: tensor '%s' dimension %u = %llu invalid",
                       name, d, (unsigned long long)v);
    t->ne[d] = v;
    nel *= v;
  }
  if ((st = rd(c, 4, &v, "tensor type"))) return st;
  t->file_type = (uint32_t)v;
  t->dt = dt_of(t->file_type);
  if ((st = rd(c, 8, &g->tensor_off[idx], "tensor offset"))) return st;
  return TERN_OK;
}

int tern_gguf_parse(const uint8_t *buf, size_t len, tern_gguf **out, tern_err *err) {
  if (!buf || !out) return tern_errf(err, TERN_ERR_NULL, "gguf: NULL argument");
  *out = NULL;
  cur c = {buf, len, 0, err};
  uint64_t v;
  int st;
  if ((st = rd(&c, 4, &v, "magic"))) return st;
  if (v != GGUF_MAGIC) return tern_errf(err, TERN_ERR_FORMAT, "gguf: bad magic (not a GGUF file)");
  tern_gguf *g = calloc(1, sizeof *g);
  if (!g) return tern_errf(err, TERN_ERR_NOMEM, "gguf: out of memory");
  g->buf = buf;
  g->len = len;
  g->alignment = TERN_GGUF_DEFAULT_ALIGNMENT;
  uint64_t nt, nk;
  if ((st = rd(&c, 4, &v, "version"))) goto fail;
  g->version = (uint32_t)v;
  if (v != 2 && v != 3) {
    st = tern_errf(err, TERN_ERR_FORMAT, "gguf: version %llu not supported (2 and 3 are)",
                   (unsigned long long)v);
    goto fail;
  }
  if ((st = rd(&c, 8, &nt, "tensor count")) || (st = rd(&c, 8, &nk, "metadata count"))) goto fail;
  /* a kv needs >= 12 bytes (key length + type), a tensor info >= 28 */
  if (nk > (len - c.pos) / 12 || nt > (len - c.pos) / 28) {
    st = tern_errf(err, TERN_ERR_TRUNC, "gguf: %llu tensors / %llu keys cannot fit in %zu bytes",
                   (unsigned long long)nt, (unsigned long long)nk, len);
    goto fail;
  }
  g->kv = calloc((size_t)(nk ? nk : 1), sizeof *g->kv);
  g->tensors = calloc((size_t)(nt ? nt : 1), sizeof *g->tensors);
  g->tensor_off = calloc((size_t)(nt ? nt : 1), sizeof *g->tensor_off);
  if (!g->kv || !g->tensors || !g->tensor_off) {
    st = tern_errf(err, TERN_ERR_NOMEM, "gguf: out of memory");
    goto fail;
  }
  for (uint64_t i = 0; i < nk; i++) {
    g->n_kv = i + 1; /* so free() sees what was allocated */
    if ((st = parse_kv(&c, &g->kv[i], i))) goto fail;
    for (uint64_t j = 0; j < i; j++)
      if (!strcmp(g->kv[j].key, g->kv[i].key)) {
        st = tern_errf(err, TERN_ERR_FORMAT, "gguf: duplicate key '%s'", g->kv[i].key);
        goto fail;
      }
  }
  const tern_gguf_kv *al = tern_gguf_kv_find(g, "general.alignment");
  if (al) {
    if (al->type != TERN_GGUF_UINT32 || al->u == 0 || (al->u & (al->u - 1)) || al->u > 65536) {
      st = tern_errf(err, TERN_ERR_FORMAT, "gguf: general.alignment must be a uint32 power of two");
      goto fail;
    }
    g->alignment = (uint32_t)al->u;
  }
  for (uint64_t i = 0; i < nt; i++) {
    g->n_tensors = i + 1;
    if ((st = parse_tensor(&c, g, i))) goto fail;
  }
  /* duplicate names: a sorted check would be faster; files have < 10^4 */
  for (uint64_t i = 0; i < nt; i++)
    for (uint64_t j = i + 1; j < nt && nt <= 20000; j++)
      if (!strcmp(g->tensors[i].name, g->tensors[j].name)) {
        st = tern_errf(err, TERN_ERR_FORMAT, "gguf: duplicate tensor '%s'", g->tensors[i].name);
        goto fail;
      }
  size_t data_off = (c.pos + g->alignment - 1) / g->alignment * g->alignment;
  if (data_off > len && nt == 0) data_off = len; /* vocab-only files may end unpadded */
  if (data_off > len) {
    st = tern_errf(err, TERN_ERR_TRUNC, "gguf: file ends before the data section (byte %zu)",
                   data_off);
    goto fail;
  }
  g->data_off = data_off;
  for (uint64_t i = 0; i < nt; i++) {
    tern_tensor *t = &g->tensors[i];
    uint64_t off = g->tensor_off[i];
    if (off % g->alignment) {
      st = tern_errf(err, TERN_ERR_FORMAT, "gguf: tensor '%s' offset %llu not aligned to %u",
                     t->name, (unsigned long long)off, g->alignment);
      goto fail;
    }
    uint64_t nel = tern_tensor_nelem(t);
    uint64_t nb = tern_ggml_nbytes(t->file_type, t->ne[0], nel);
    if (t->dt != TERN_DT_OTHER && nb == 0) {
      st = tern_errf(err, TERN_ERR_DIM, "gguf: tensor '%s' shape is not whole %s blocks", t->name,
                     tern_dtype_name(t->dt));
      goto fail;
    }
    if (off > len - data_off || nb > len - data_off - off) {
      st = tern_errf(err, TERN_ERR_TRUNC, "gguf: tensor '%s' data (%llu bytes at %llu) past the "
                     "end of the file", t->name, (unsigned long long)nb,
                     (unsigned long long)(data_off + off));
      goto fail;
    }
    t->data = buf + data_off + off;
    t->bytes = (size_t)nb; /* 0 for types we cannot size */
  }
  *out = g;
  return TERN_OK;
fail:
  tern_gguf_free(g);
  return st;
}

const tern_gguf_kv *tern_gguf_kv_find(const tern_gguf *g, const char *key) {
  if (!g || !key) return NULL;
  for (uint64_t i = 0; i < g->n_kv; i++)
    if (g->kv[i].key && !strcmp(g->kv[i].key, key)) return &g->kv[i];
  return NULL;
}

const tern_tensor *tern_gguf_tensor_find(const tern_gguf *g, const char *name) {
  if (!g || !name) return NULL;
  for (uint64_t i = 0; i < g->n_tensors; i++)
    if (g->tensors[i].name && !strcmp(g->tensors[i].name, name)) return &g->tensors[i];
  return NULL;
}

static int kv_int(const tern_gguf_kv *kv, int64_t lo, uint64_t hi, uint64_t *v) {
  switch (kv->type) {
  case TERN_GGUF_UINT8: case TERN_GGUF_UINT16: case TERN_GGUF_UINT32: case TERN_GGUF_UINT64:
    if (kv->u > hi) return TERN_ERR_VALUE;
    *v = kv->u;
    return TERN_OK;
  case TERN_GGUF_INT8: case TERN_GGUF_INT16: case TERN_GGUF_INT32: case TERN_GGUF_INT64:
    if (kv->i < lo || (kv->i > 0 && (uint64_t)kv->i > hi)) return TERN_ERR_VALUE;
    *v = (uint64_t)kv->i;
    return TERN_OK;
  default: return TERN_ERR_FORMAT;
  }
}

int tern_gguf_get_u32(const tern_gguf *g, const char *key, uint32_t *v) {
  const tern_gguf_kv *kv = tern_gguf_kv_find(g, key);
  uint64_t u;
  if (!kv || kv_int(kv, 0, UINT32_MAX, &u)) return TERN_ERR_FORMAT;
  *v = (uint32_t)u;
  return TERN_OK;
}

int tern_gguf_get_f32(const tern_gguf *g, const char *key, float *v) {
  const tern_gguf_kv *kv = tern_gguf_kv_find(g, key);
  if (!kv || (kv->type != TERN_GGUF_FLOAT32 && kv->type != TERN_GGUF_FLOAT64)) return TERN_ERR_FORMAT;
  *v = (float)kv->f;
  return TERN_OK;
}

int tern_gguf_get_bool(const tern_gguf *g, const char *key, int *v) {
  const tern_gguf_kv *kv = tern_gguf_kv_find(g, key);
  if (!kv || kv->type != TERN_GGUF_BOOL) return TERN_ERR_FORMAT;
  *v = kv->u != 0;
  return TERN_OK;
}

int tern_gguf_get_str(const tern_gguf *g, const char *key, const uint8_t **s, size_t *n) {
  const tern_gguf_kv *kv = tern_gguf_kv_find(g, key);
  if (!kv || kv->type != TERN_GGUF_STRING) return TERN_ERR_FORMAT;
  *s = kv->str;
  *n = (size_t)kv->str_len;
  return TERN_OK;
}

int tern_gguf_arr_str(const tern_gguf_kv *kv, uint64_t i, const uint8_t **s, size_t *n) {
  if (!kv || kv->type != TERN_GGUF_ARRAY || kv->arr_type != TERN_GGUF_STRING || i >= kv->arr_n)
    return TERN_ERR_FORMAT;
  /* offsets were validated by the parser; arr_data - its own offset = buffer start */
  const uint8_t *base = kv->arr_data - kv->arr_str_off[0];
  const uint8_t *p = base + kv->arr_str_off[i];
  *n = (size_t)ld_le(p, 8);
  *s = p + 8;
  return TERN_OK;
}

int tern_gguf_arr_int(const tern_gguf_kv *kv, uint64_t i, int64_t *v) {
  if (!kv || kv->type != TERN_GGUF_ARRAY || i >= kv->arr_n) return TERN_ERR_FORMAT;
  unsigned sz = scalar_size(kv->arr_type);
  if (!sz || kv->arr_type == TERN_GGUF_FLOAT32 || kv->arr_type == TERN_GGUF_FLOAT64 ||
      kv->arr_type == TERN_GGUF_BOOL)
    return TERN_ERR_FORMAT;
  tern_gguf_kv tmp = {0};
  set_scalar(&tmp, kv->arr_type, ld_le(kv->arr_data + i * sz, sz));
  switch (kv->arr_type) {
  case TERN_GGUF_INT8: case TERN_GGUF_INT16: case TERN_GGUF_INT32: case TERN_GGUF_INT64:
    *v = tmp.i;
    break;
  default:
    if (tmp.u > INT64_MAX) return TERN_ERR_VALUE;
    *v = (int64_t)tmp.u;
  }
  return TERN_OK;
}

/* ---- writer ------------------------------------------------------------- */

static void w_le(FILE *f, uint64_t v, unsigned n) {
  uint8_t b[8];
  for (unsigned i = 0; i < n; i++) b[i] = (uint8_t)(v >> (8 * i));
  fwrite(b, 1, n, f);
}

void tern_gguf_w_u32(FILE *f, uint32_t v) { w_le(f, v, 4); }
void tern_gguf_w_u64(FILE *f, uint64_t v) { w_le(f, v, 8); }
void tern_gguf_w_str(FILE *f, const char *s) {
  size_t n = strlen(s);
  w_le(f, n, 8);
  fwrite(s, 1, n, f);
}
void tern_gguf_w_kv_str(FILE *f, const char *key, const char *val) {
  tern_gguf_w_str(f, key);
  tern_gguf_w_u32(f, TERN_GGUF_STRING);
  tern_gguf_w_str(f, val);
}
void tern_gguf_w_kv_u32(FILE *f, const char *key, uint32_t v) {
  tern_gguf_w_str(f, key);
  tern_gguf_w_u32(f, TERN_GGUF_UINT32);
  tern_gguf_w_u32(f, v);
}
void tern_gguf_w_kv_f32(FILE *f, const char *key, float v) {
  uint32_t u;
  memcpy(&u, &v, 4);
  tern_gguf_w_str(f, key);
  tern_gguf_w_u32(f, TERN_GGUF_FLOAT32);
  tern_gguf_w_u32(f, u);
}
void tern_gguf_w_kv_bool(FILE *f, const char *key, int v) {
  tern_gguf_w_str(f, key);
  tern_gguf_w_u32(f, TERN_GGUF_BOOL);
  w_le(f, v ? 1 : 0, 1);
}

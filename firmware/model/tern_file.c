/* Model files: GGUF (bitnet.cpp / llama.cpp naming) and safetensors +
 * config.json (Hugging Face transformers naming), behind one tensor view. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern_gguf.h"
#include "tern_json.h"
#include "tern_model.h"

int tern_errf(tern_err *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *tern_dtype_name(tern_dtype dt) {
  switch (dt) {
  case TERN_DT_F32: return "F32";
  case TERN_DT_F16: return "F16";
  case TERN_DT_BF16: return "BF16";
  case TERN_DT_U8: return "U8";
  case TERN_DT_I2S: return "I2_S";
  case TERN_DT_TQ1_0: return "TQ1_0";
  case TERN_DT_TQ2_0: return "TQ2_0";
  default: return "unsupported";
  }
}

uint64_t tern_tensor_nelem(const tern_tensor *t) {
  uint64_t n = 1;
  for (uint32_t d = 0; d < t->ndim && d < TERN_MAX_DIMS; d++) {
    if (t->ne[d] && n > UINT64_MAX / t->ne[d]) return 0;
    n *= t->ne[d];
  }
  return n;
}

#define LIM_DIM (1u << 20)
int tern_config_check(const tern_model_config *c, tern_err *err) {
  if (!c) return tern_errf(err, TERN_ERR_NULL, "config: NULL");
  if (!c->hidden || !c->intermediate || !c->layers || !c->heads || !c->kv_heads || !c->head_dim ||
      !c->vocab || !c->max_ctx)
    return tern_errf(err, TERN_ERR_DIM, "config: a dimension is zero (hidden %u, intermediate "
                     "%u, layers %u, heads %u, kv_heads %u, head_dim %u, vocab %u, ctx %u)",
                     c->hidden, c->intermediate, c->layers, c->heads, c->kv_heads, c->head_dim,
                     c->vocab, c->max_ctx);
  if (c->hidden > LIM_DIM || c->intermediate > LIM_DIM || c->layers > 4096 ||
      c->heads > 4096 || c->head_dim > 4096 || (uint64_t)c->heads * c->head_dim > LIM_DIM ||
      c->vocab > (1u << 24) || c->max_ctx > (1u << 24))
    return tern_errf(err, TERN_ERR_DIM, "config: dimensions beyond this runtime's limits");
  if (c->heads % c->kv_heads)
    return tern_errf(err, TERN_ERR_DIM, "config: heads %u not a multiple of kv_heads %u", c->heads,
                     c->kv_heads);
  if (c->head_dim % 2) return tern_errf(err, TERN_ERR_DIM, "config: head_dim %u is odd", c->head_dim);
  if (!(c->rms_eps > 0.0f) || !isfinite(c->rms_eps) || !(c->rope_theta > 0.0f) ||
      !isfinite(c->rope_theta))
    return tern_errf(err, TERN_ERR_VALUE, "config: rms_eps and rope_theta must be finite and > 0");
  return TERN_OK;
}

/* ---- the file object -------------------------------------------------------- */

typedef enum { KIND_GGUF, KIND_ST } file_kind;

struct tern_file {
  file_kind kind;
  tern_model_config cfg;
  void *map;
  size_t map_len;
  char *owned_cfg; /* config.json text */
  tern_gguf *g;
  /* safetensors */
  tern_tensor *st;
  size_t n_st;
  int hf_scale_mult; /* linear_class "autobitlinear": weight_scale is the multiplier */
};

void tern_file_close(tern_file *f) {
  if (!f) return;
  tern_gguf_free(f->g);
  for (size_t i = 0; i < f->n_st; i++) free((char *)f->st[i].name);
  free(f->st);
  free(f->owned_cfg);
  if (f->map) munmap(f->map, f->map_len);
  free(f);
}

const tern_model_config *tern_file_config(const tern_file *f) { return f ? &f->cfg : NULL; }
const tern_gguf *tern_file_gguf(const tern_file *f) { return f ? f->g : NULL; }
size_t tern_file_ntensors(const tern_file *f) {
  if (!f) return 0;
  return f->kind == KIND_GGUF ? (size_t)f->g->n_tensors : f->n_st;
}
const tern_tensor *tern_file_tensor(const tern_file *f, size_t i) {
  if (i >= tern_file_ntensors(f)) return NULL;
  return f->kind == KIND_GGUF ? &f->g->tensors[i] : &f->st[i];
}
const tern_tensor *tern_file_find(const tern_file *f, const char *name) {
  size_t n = tern_file_ntensors(f);
  for (size_t i = 0; i < n; i++) {
    const tern_tensor *t = tern_file_tensor(f, i);
    if (!strcmp(t->name, name)) return t;
  }
  return NULL;
}

static const char *const gguf_names[TERN_W_COUNT] = {
    "blk.%u.attn_q.weight", "blk.%u.attn_k.weight", "blk.%u.attn_v.weight",
    "blk.%u.attn_output.weight", "blk.%u.ffn_gate.weight", "blk.%u.ffn_up.weight",
    "blk.%u.ffn_down.weight", "blk.%u.attn_norm.weight", "blk.%u.ffn_norm.weight",
    "blk.%u.attn_sub_norm.weight", "blk.%u.ffn_sub_norm.weight", "token_embd.weight",
    "output_norm.weight", "output.weight"};
static const char *const hf_names[TERN_W_COUNT] = {
    "model.layers.%u.self_attn.q_proj.weight", "model.layers.%u.self_attn.k_proj.weight",
    "model.layers.%u.self_attn.v_proj.weight", "model.layers.%u.self_attn.o_proj.weight",
    "model.layers.%u.mlp.gate_proj.weight", "model.layers.%u.mlp.up_proj.weight",
    "model.layers.%u.mlp.down_proj.weight", "model.layers.%u.input_layernorm.weight",
    "model.layers.%u.post_attention_layernorm.weight",
    "model.layers.%u.self_attn.attn_sub_norm.weight", "model.layers.%u.mlp.ffn_sub_norm.weight",
    "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"};

static void weight_name(const tern_file *f, uint32_t layer, tern_wkind kind, char *buf, size_t n) {
  const char *fmt = (f->kind == KIND_GGUF ? gguf_names : hf_names)[kind];
  snprintf(buf, n, fmt, layer);
}

const tern_tensor *tern_file_weight(const tern_file *f, uint32_t layer, tern_wkind kind) {
  if (!f || (unsigned)kind >= TERN_W_COUNT) return NULL;
  char name[128];
  weight_name(f, layer, kind, name, sizeof name);
  return tern_file_find(f, name);
}

void tern_wkind_shape(const tern_model_config *c, tern_wkind kind, uint32_t *rows, uint32_t *k) {
  uint32_t qd = c->heads * c->head_dim, kvd = c->kv_heads * c->head_dim;
  switch (kind) {
  case TERN_W_Q: *rows = qd; *k = c->hidden; break;
  case TERN_W_K: case TERN_W_V: *rows = kvd; *k = c->hidden; break;
  case TERN_W_O: *rows = c->hidden; *k = qd; break;
  case TERN_W_GATE: case TERN_W_UP: *rows = c->intermediate; *k = c->hidden; break;
  case TERN_W_DOWN: *rows = c->hidden; *k = c->intermediate; break;
  default: *rows = *k = 0;
  }
}

/* ---- GGUF config ------------------------------------------------------------- */

static int gguf_config(tern_file *f, tern_err *err) {
  const tern_gguf *g = f->g;
  const uint8_t *arch;
  size_t al;
  if (tern_gguf_get_str(g, "general.architecture", &arch, &al))
    return tern_errf(err, TERN_MERR_ARCH, "gguf: general.architecture missing");
  char a[32];
  if (!((al == 12 && !memcmp(arch, "bitnet-b1.58", 12)) || (al == 6 && !memcmp(arch, "bitnet", 6))))
    return tern_errf(err, TERN_MERR_ARCH, "gguf: architecture '%.*s' not supported "
                     "(bitnet-b1.58 and bitnet are)", (int)(al > 32 ? 32 : al), (const char *)arch);
  memcpy(a, arch, al);
  a[al] = 0;
  tern_model_config *c = &f->cfg;
  char key[96];
#define REQ_U32(field, suffix)                                                          \
  snprintf(key, sizeof key, "%s." suffix, a);                                           \
  if (tern_gguf_get_u32(g, key, &c->field))                                             \
    return tern_errf(err, TERN_MERR_ARCH, "gguf: key %s missing or not an integer", key);
  REQ_U32(layers, "block_count");
  REQ_U32(hidden, "embedding_length");
  REQ_U32(intermediate, "feed_forward_length");
  REQ_U32(heads, "attention.head_count");
  REQ_U32(max_ctx, "context_length");
#undef REQ_U32
  snprintf(key, sizeof key, "%s.attention.head_count_kv", a);
  if (tern_gguf_get_u32(g, key, &c->kv_heads)) c->kv_heads = c->heads;
  snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", a);
  if (tern_gguf_get_f32(g, key, &c->rms_eps))
    return tern_errf(err, TERN_MERR_ARCH, "gguf: key %s missing or not a float", key);
  snprintf(key, sizeof key, "%s.rope.freq_base", a);
  if (tern_gguf_get_f32(g, key, &c->rope_theta)) c->rope_theta = 10000.0f; /* llama.cpp default */
  c->head_dim = c->heads ? c->hidden / c->heads : 0;
  snprintf(key, sizeof key, "%s.rope.dimension_count", a);
  uint32_t rd;
  if (!tern_gguf_get_u32(g, key, &rd) && rd != c->head_dim)
    return tern_errf(err, TERN_ERR_DIM, "gguf: rope.dimension_count %u != head dim %u (partial "
                     "rotary not supported)", rd, c->head_dim);
  snprintf(key, sizeof key, "%s.vocab_size", a);
  const tern_tensor *emb = tern_gguf_tensor_find(g, "token_embd.weight");
  if (tern_gguf_get_u32(g, key, &c->vocab)) {
    if (!emb || emb->ndim != 2 || emb->ne[1] > UINT32_MAX)
      return tern_errf(err, TERN_MERR_ARCH, "gguf: no vocab_size and no token_embd.weight");
    c->vocab = (uint32_t)emb->ne[1];
  }
  c->tied = tern_gguf_tensor_find(g, "output.weight") == NULL;
  return tern_config_check(c, err);
}

int tern_file_open_gguf_mem(const uint8_t *buf, size_t len, tern_file **out, tern_err *err) {
  if (!buf || !out) return tern_errf(err, TERN_ERR_NULL, "NULL argument");
  *out = NULL;
  tern_file *f = calloc(1, sizeof *f);
  if (!f) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  f->kind = KIND_GGUF;
  int st = tern_gguf_parse(buf, len, &f->g, err);
  if (!st) st = gguf_config(f, err);
  if (st) {
    tern_file_close(f);
    return st;
  }
  *out = f;
  return TERN_OK;
}

/* ---- safetensors ----------------------------------------------------------------- */

static int json_u32(const tern_json *j, uint32_t obj, const char *key, uint32_t *v, int req,
                    tern_err *err) {
  uint32_t n = tern_json_get(j, obj, key);
  uint64_t u;
  if (n == TERN_J_NONE) {
    if (req) return tern_errf(err, TERN_MERR_ARCH, "config.json: '%s' missing", key);
    return 1;
  }
  if (tern_json_u64(j, n, &u) || u > UINT32_MAX)
    return tern_errf(err, TERN_ERR_FORMAT, "config.json: '%s' is not a non-negative integer", key);
  *v = (uint32_t)u;
  return TERN_OK;
}

static int json_f32(const tern_json *j, uint32_t obj, const char *key, float *v, tern_err *err) {
  uint32_t n = tern_json_get(j, obj, key);
  double d;
  if (n == TERN_J_NONE) return 1;
  if (tern_json_num(j, n, &d)) return tern_errf(err, TERN_ERR_FORMAT, "config.json: '%s' is not a number", key);
  *v = (float)d;
  return TERN_OK;
}

static int st_config(tern_file *f, const char *text, size_t len, tern_err *err) {
  tern_json j;
  size_t ep = 0;
  int st = tern_json_parse(text, len, &j, &ep);
  if (st) return tern_errf(err, TERN_ERR_FORMAT, "config.json: invalid JSON near byte %zu", ep);
  tern_model_config *c = &f->cfg;
  uint32_t root = 0, n;
  if (j.nodes[0].type != TERN_J_OBJ) {
    st = tern_errf(err, TERN_ERR_FORMAT, "config.json: not an object");
    goto out;
  }
  n = tern_json_get(&j, root, "model_type");
  if (n != TERN_J_NONE && !tern_json_str_eq(&j, n, "bitnet")) {
    char mt[32] = "?";
    tern_json_str(&j, n, mt, sizeof mt, NULL);
    st = tern_errf(err, TERN_MERR_ARCH, "config.json: model_type '%s' not supported (bitnet is)", mt);
    goto out;
  }
  n = tern_json_get(&j, root, "hidden_act");
  if (n != TERN_J_NONE && !tern_json_str_eq(&j, n, "relu2")) {
    st = tern_errf(err, TERN_MERR_ARCH, "config.json: hidden_act must be relu2");
    goto out;
  }
  if ((st = json_u32(&j, root, "hidden_size", &c->hidden, 1, err)) < 0) goto out;
  if ((st = json_u32(&j, root, "intermediate_size", &c->intermediate, 1, err)) < 0) goto out;
  if ((st = json_u32(&j, root, "num_hidden_layers", &c->layers, 1, err)) < 0) goto out;
  if ((st = json_u32(&j, root, "num_attention_heads", &c->heads, 1, err)) < 0) goto out;
  if ((st = json_u32(&j, root, "vocab_size", &c->vocab, 1, err)) < 0) goto out;
  c->kv_heads = c->heads;
  if ((st = json_u32(&j, root, "num_key_value_heads", &c->kv_heads, 0, err)) < 0) goto out;
  c->head_dim = c->heads ? c->hidden / c->heads : 0;
  if ((st = json_u32(&j, root, "head_dim", &c->head_dim, 0, err)) < 0) goto out;
  c->max_ctx = 2048; /* transformers' BitNetConfig default */
  if ((st = json_u32(&j, root, "max_position_embeddings", &c->max_ctx, 0, err)) < 0) goto out;
  c->rms_eps = 1e-6f; /* BitNetConfig defaults */
  c->rope_theta = 500000.0f;
  if ((st = json_f32(&j, root, "rms_norm_eps", &c->rms_eps, err)) < 0) goto out;
  if ((st = json_f32(&j, root, "rope_theta", &c->rope_theta, err)) < 0) goto out;
  n = tern_json_get(&j, root, "rope_scaling");
  if (n != TERN_J_NONE && j.nodes[n].type != TERN_J_NULL) {
    st = tern_errf(err, TERN_ERR_UNSUPPORTED, "config.json: rope_scaling not supported");
    goto out;
  }
  /* docs/numerics.md 8.1: the meaning of weight_scale follows linear_class */
  n = tern_json_get(&j, root, "quantization_config");
  if (n != TERN_J_NONE) {
    uint32_t lc = tern_json_get(&j, n, "linear_class");
    if (lc != TERN_J_NONE) {
      if (tern_json_str_eq(&j, lc, "autobitlinear")) f->hf_scale_mult = 1;
      else if (!tern_json_str_eq(&j, lc, "bitlinear")) {
        st = tern_errf(err, TERN_ERR_UNSUPPORTED, "config.json: quantization_config.linear_class "
                       "must be bitlinear or autobitlinear");
        goto out;
      }
    }
  }
  c->tied = 0; /* BitNetConfig: tie_word_embeddings defaults to False */
  n = tern_json_get(&j, root, "tie_word_embeddings");
  if (n != TERN_J_NONE) c->tied = j.nodes[n].type == TERN_J_TRUE;
  st = tern_config_check(c, err);
out:
  tern_json_free(&j);
  return st < 0 ? st : TERN_OK;
}

static int st_dtype(const tern_json *j, uint32_t n, tern_dtype *dt, unsigned *size) {
  static const struct { const char *s; tern_dtype dt; unsigned size; } tab[] = {
      {"F32", TERN_DT_F32, 4}, {"F16", TERN_DT_F16, 2}, {"BF16", TERN_DT_BF16, 2},
      {"U8", TERN_DT_U8, 1}};
  for (unsigned i = 0; i < 4; i++)
    if (tern_json_str_eq(j, n, tab[i].s)) {
      *dt = tab[i].dt;
      *size = tab[i].size;
      return TERN_OK;
    }
  return TERN_ERR_UNSUPPORTED;
}

static int st_parse(tern_file *f, const uint8_t *buf, size_t len, tern_err *err) {
  if (len < 8) return tern_errf(err, TERN_ERR_TRUNC, "safetensors: file shorter than its header size");
  uint64_t hl = 0;
  for (int i = 0; i < 8; i++) hl |= (uint64_t)buf[i] << (8 * i);
  if (hl > len - 8 || hl > (100u << 20))
    return tern_errf(err, TERN_ERR_TRUNC, "safetensors: header length %llu exceeds the file",
                     (unsigned long long)hl);
  const uint8_t *data = buf + 8 + hl;
  size_t data_len = len - 8 - (size_t)hl;
  tern_json j;
  size_t ep = 0;
  int st = tern_json_parse((const char *)buf + 8, (size_t)hl, &j, &ep);
  if (st) return tern_errf(err, TERN_ERR_FORMAT, "safetensors: header is not valid JSON (byte %zu)", ep);
  if (j.nodes[0].type != TERN_J_OBJ) {
    st = tern_errf(err, TERN_ERR_FORMAT, "safetensors: header is not an object");
    goto out;
  }
  f->st = calloc(j.nodes[0].n ? j.nodes[0].n : 1, sizeof *f->st);
  if (!f->st) {
    st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    goto out;
  }
  for (uint32_t k = j.nodes[0].child; k != TERN_J_NONE; k = j.nodes[j.nodes[k].next].next) {
    uint32_t v = j.nodes[k].next;
    if (tern_json_str_eq(&j, k, "__metadata__")) continue;
    char name[1024];
    if (tern_json_str(&j, k, name, sizeof name, NULL) || strlen(name) == 0) {
      st = tern_errf(err, TERN_ERR_FORMAT, "safetensors: bad tensor name");
      goto out;
    }
    tern_tensor *t = &f->st[f->n_st];
    t->name = strdup(name);
    if (!t->name) {
      st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
      goto out;
    }
    f->n_st++;
    if (tern_file_find(f, name) != t) {
      st = tern_errf(err, TERN_ERR_FORMAT, "safetensors: duplicate tensor '%s'", name);
      goto out;
    }
    uint32_t dtn = tern_json_get(&j, v, "dtype"), shn = tern_json_get(&j, v, "shape"),
             ofn = tern_json_get(&j, v, "data_offsets");
    if (dtn == TERN_J_NONE || shn == TERN_J_NONE || ofn == TERN_J_NONE ||
        j.nodes[shn].type != TERN_J_ARR || j.nodes[ofn].type != TERN_J_ARR ||
        j.nodes[ofn].n != 2) {
      st = tern_errf(err, TERN_ERR_FORMAT, "safetensors: tensor '%s' lacks dtype/shape/data_offsets", name);
      goto out;
    }
    unsigned esz;
    if (st_dtype(&j, dtn, &t->dt, &esz)) {
      char d[16] = "?";
      tern_json_str(&j, dtn, d, sizeof d, NULL);
      st = tern_errf(err, TERN_ERR_UNSUPPORTED, "safetensors: tensor '%s' dtype %s not supported "
                     "(U8, BF16, F16, F32 are)", name, d);
      goto out;
    }
    t->file_type = t->dt;
    uint32_t nd = j.nodes[shn].n;
    if (nd > TERN_MAX_DIMS) {
      st = tern_errf(err, TERN_ERR_DIM, "safetensors: tensor '%s' has %u dimensions", name, nd);
      goto out;
    }
    t->ndim = nd ? nd : 1; /* a scalar is one element */
    for (uint32_t d = 0; d < TERN_MAX_DIMS; d++) t->ne[d] = 1;
    uint64_t nel = 1;
    for (uint32_t d = 0; d < nd; d++) {
      uint64_t e;
      if (tern_json_u64(&j, tern_json_at(&j, shn, d), &e) || e > (1ull << 40) ||
          (e && nel > (1ull << 50) / e)) {
        st = tern_errf(err, TERN_ERR_DIM, "safetensors: tensor '%s' has a bad shape", name);
        goto out;
      }
      t->ne[nd - 1 - d] = e; /* reversed: ne[0] innermost */
      nel *= e;
    }
    uint64_t b, e;
    if (tern_json_u64(&j, tern_json_at(&j, ofn, 0), &b) ||
        tern_json_u64(&j, tern_json_at(&j, ofn, 1), &e) || e < b || e > data_len) {
      st = tern_errf(err, TERN_ERR_TRUNC, "safetensors: tensor '%s' data_offsets outside the "
                     "file (%zu data bytes)", name, data_len);
      goto out;
    }
    if (e - b != nel * esz) {
      st = tern_errf(err, TERN_ERR_DIM, "safetensors: tensor '%s' has %llu bytes, shape needs %llu",
                     name, (unsigned long long)(e - b), (unsigned long long)(nel * esz));
      goto out;
    }
    t->data = data + b;
    t->bytes = (size_t)(e - b);
  }
out:
  tern_json_free(&j);
  return st;
}

int tern_file_open_st_mem(const uint8_t *stb, size_t st_len, const char *cfg, size_t cfg_len,
                          tern_file **out, tern_err *err) {
  if (!stb || !cfg || !out) return tern_errf(err, TERN_ERR_NULL, "NULL argument");
  *out = NULL;
  tern_file *f = calloc(1, sizeof *f);
  if (!f) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  f->kind = KIND_ST;
  int st = st_config(f, cfg, cfg_len, err);
  if (!st) st = st_parse(f, stb, st_len, err);
  if (st) {
    tern_file_close(f);
    return st;
  }
  *out = f;
  return TERN_OK;
}

/* ---- opening files ----------------------------------------------------------------- */

static int map_file(const char *path, void **map, size_t *len, tern_err *err) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return tern_errf(err, TERN_MERR_IO, "%s: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
    close(fd);
    return tern_errf(err, TERN_MERR_IO, "%s: not a regular file", path);
  }
  *len = (size_t)sb.st_size;
  if (*len == 0) {
    close(fd);
    return tern_errf(err, TERN_ERR_TRUNC, "%s: empty file", path);
  }
  *map = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (*map == MAP_FAILED) {
    *map = NULL;
    return tern_errf(err, TERN_MERR_IO, "%s: mmap failed: %s", path, strerror(errno));
  }
  return TERN_OK;
}

static int read_text(const char *path, char **out, size_t *len, tern_err *err) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return tern_errf(err, TERN_MERR_IO, "%s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *b = malloc(cap);
  while (b) {
    size_t r = fread(b + n, 1, cap - n, fp);
    n += r;
    if (n < cap) break;
    if (cap >= (16u << 20)) {
      free(b);
      fclose(fp);
      return tern_errf(err, TERN_ERR_DIM, "%s: larger than 16 MiB", path);
    }
    char *nb = realloc(b, cap *= 2);
    if (!nb) free(b);
    b = nb;
  }
  fclose(fp);
  if (!b) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  *out = b;
  *len = n;
  return TERN_OK;
}

int tern_file_open(const char *path, tern_file **out, tern_err *err) {
  if (!path || !out) return tern_errf(err, TERN_ERR_NULL, "NULL argument");
  *out = NULL;
  struct stat sb;
  if (stat(path, &sb)) return tern_errf(err, TERN_MERR_IO, "%s: %s", path, strerror(errno));
  char st_path[4096], cfg_path[4096];
  int is_dir = S_ISDIR(sb.st_mode);
  if (is_dir) {
    snprintf(st_path, sizeof st_path, "%s/model.safetensors", path);
    snprintf(cfg_path, sizeof cfg_path, "%s/config.json", path);
  } else {
    snprintf(st_path, sizeof st_path, "%s", path);
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path) : 1;
    snprintf(cfg_path, sizeof cfg_path, "%.*s/config.json", dl, slash ? path : ".");
  }
  void *map = NULL;
  size_t len = 0;
  int st = map_file(st_path, &map, &len, err);
  if (st) return st;
  tern_file *f = NULL;
  if (len >= 4 && !memcmp(map, "GGUF", 4)) {
    st = tern_file_open_gguf_mem(map, len, &f, err);
  } else {
    char *cfg = NULL;
    size_t cl = 0;
    st = read_text(cfg_path, &cfg, &cl, err);
    if (!st) {
      st = tern_file_open_st_mem(map, len, cfg, cl, &f, err);
      if (f) f->owned_cfg = cfg;
      else free(cfg);
    }
  }
  if (st) {
    munmap(map, len);
    return st;
  }
  f->map = map;
  f->map_len = len;
  *out = f;
  return TERN_OK;
}

/* ---- tensor decoding ------------------------------------------------------------------ */

static float ld_f32(const uint8_t *p) {
  uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  float v;
  memcpy(&v, &u, 4);
  return v;
}

/* Element i of a float tensor. */
static float ld_elem(tern_dtype dt, const uint8_t *d, size_t i) {
  switch (dt) {
  case TERN_DT_F32: return ld_f32(d + 4 * i);
  case TERN_DT_F16: return tern_f16_to_f32((uint16_t)(d[2 * i] | d[2 * i + 1] << 8));
  default: return tern_bf16_to_f32((uint16_t)(d[2 * i] | d[2 * i + 1] << 8));
  }
}

static int is_float_dt(tern_dtype dt) {
  return dt == TERN_DT_F32 || dt == TERN_DT_F16 || dt == TERN_DT_BF16;
}

int tern_file_floats(const tern_file *f, uint32_t layer, tern_wkind kind, float *out, size_t n,
                     tern_err *err) {
  if (!f || !out) return tern_errf(err, TERN_ERR_NULL, "NULL argument");
  char name[128];
  weight_name(f, layer, kind, name, sizeof name);
  const tern_tensor *t = tern_file_find(f, name);
  if (!t) return tern_errf(err, TERN_ERR_FORMAT, "tensor %s missing", name);
  if (!is_float_dt(t->dt))
    return tern_errf(err, TERN_ERR_UNSUPPORTED, "tensor %s: type %s not supported (F32/F16/BF16 are)",
                     name, tern_dtype_name(t->dt));
  if (tern_tensor_nelem(t) != n || t->ne[0] != n)
    return tern_errf(err, TERN_ERR_DIM, "tensor %s: %llu elements, expected %zu", name,
                     (unsigned long long)tern_tensor_nelem(t), n);
  for (size_t i = 0; i < n; i++) {
    out[i] = ld_elem(t->dt, t->data, i);
    if (!isfinite(out[i])) return tern_errf(err, TERN_ERR_VALUE, "tensor %s: non-finite value", name);
  }
  return TERN_OK;
}

/* The scalar weight_scale of HF packed weights, as the contract's multiplier
 * (docs/numerics.md 8.1): transformers' BitLinear divides by it (stored
 * value ~ 1/mean|W|, so ws = fl(1/v)); AutoBitLinear multiplies (ws = v). */
static int hf_wscale(const tern_file *f, const char *wname, float *ws, tern_err *err) {
  char sname[160];
  size_t l = strlen(wname);
  if (l < 7 || strcmp(wname + l - 7, ".weight"))
    return tern_errf(err, TERN_ERR_FORMAT, "tensor %s: name does not end in .weight", wname);
  snprintf(sname, sizeof sname, "%.*s.weight_scale", (int)(l - 7), wname);
  const tern_tensor *s = tern_file_find(f, sname);
  if (!s) return tern_errf(err, TERN_ERR_FORMAT, "tensor %s missing (packed weights need it)", sname);
  if (!is_float_dt(s->dt) || tern_tensor_nelem(s) != 1)
    return tern_errf(err, TERN_ERR_DIM, "tensor %s must be one F32/F16/BF16 value", sname);
  float v = ld_elem(s->dt, s->data, 0);
  if (!isfinite(v) || !(v > 0.0f))
    return tern_errf(err, TERN_ERR_VALUE, "tensor %s = %g is not finite and > 0", sname, (double)v);
  *ws = f->hf_scale_mult ? v : 1.0f / v;
  return TERN_OK;
}

int tern_file_trits(const tern_file *f, uint32_t layer, tern_wkind kind, int8_t *trits,
                    size_t trits_len, float *wscale, tern_err *err) {
  if (!f || !trits || !wscale) return tern_errf(err, TERN_ERR_NULL, "NULL argument");
  if ((unsigned)kind >= TERN_W_NTERN) return tern_errf(err, TERN_ERR_FORMAT, "not a ternary tensor");
  uint32_t rows, k;
  tern_wkind_shape(&f->cfg, kind, &rows, &k);
  size_t n = (size_t)rows * k;
  if (trits_len < n) return tern_errf(err, TERN_ERR_TRUNC, "trits buffer too small");
  char name[128];
  weight_name(f, layer, kind, name, sizeof name);
  const tern_tensor *t = tern_file_find(f, name);
  if (!t) return tern_errf(err, TERN_ERR_FORMAT, "tensor %s missing", name);
  uint64_t want1 = t->dt == TERN_DT_U8 ? (rows + 3u) / 4u : rows;
  if (t->ndim != 2 || t->ne[0] != k || t->ne[1] != want1)
    return tern_errf(err, TERN_ERR_DIM, "tensor %s: shape [%llu, %llu] (ggml order), expected "
                     "[%u, %llu]", name, (unsigned long long)t->ne[0],
                     (unsigned long long)t->ne[1], k, (unsigned long long)want1);
  int st = TERN_OK;
  switch (t->dt) {
  case TERN_DT_I2S:
    st = tern_import_i2s(t->data, t->bytes, rows, k, trits, trits_len, wscale);
    break;
  case TERN_DT_TQ1_0:
  case TERN_DT_TQ2_0: {
    size_t nb = n / TERN_TQ_BLOCK_TRITS;
    float *bs = malloc((nb ? nb : 1) * sizeof *bs);
    if (!bs) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    st = (t->dt == TERN_DT_TQ2_0 ? tern_import_tq2_0 : tern_import_tq1_0)(
        t->data, t->bytes, rows, k, trits, trits_len, bs, nb);
    if (st == TERN_OK) {
      /* one scale a tensor: every block holding a nonzero trit must agree
       * (all-zero blocks may carry d = 0, as ggml writes them) */
      float s = 0.0f;
      int have = 0;
      for (size_t b = 0; b < nb && st == TERN_OK; b++) {
        int nz = 0;
        for (size_t e = 0; e < TERN_TQ_BLOCK_TRITS && !nz; e++) nz = trits[b * TERN_TQ_BLOCK_TRITS + e] != 0;
        if (!nz) continue;
        if (!have) { s = bs[b]; have = 1; }
        else if (bs[b] != s) {
          float other = bs[b];
          free(bs);
          return tern_errf(err, TERN_ERR_UNSUPPORTED, "tensor %s: block scales differ (%g vs %g); "
                           "tern needs one scale per tensor", name, (double)s, (double)other);
        }
      }
      if (s < 0.0f) {
        /* d < 0 flips every trit: fold the sign into the trits */
        for (size_t e = 0; e < n; e++) trits[e] = (int8_t)-trits[e];
        s = -s;
      }
      *wscale = s;
    }
    free(bs);
    break;
  }
  case TERN_DT_U8:
    st = tern_import_hf_packed(t->data, t->bytes, rows, k, trits, trits_len);
    if (st == TERN_OK) return hf_wscale(f, name, wscale, err);
    break;
  case TERN_DT_F32:
  case TERN_DT_F16:
  case TERN_DT_BF16: {
    float *w = malloc(n * sizeof *w);
    if (!w) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) w[i] = ld_elem(t->dt, t->data, i);
    st = tern_quant_absmean(w, n, trits, wscale);
    free(w);
    break;
  }
  default:
    return tern_errf(err, TERN_ERR_UNSUPPORTED, "tensor %s: type %s (id %u) not supported for a "
                     "ternary weight", name, tern_dtype_name(t->dt), t->file_type);
  }
  if (st) return tern_errf(err, st, "tensor %s (%s): %s", name, tern_dtype_name(t->dt), tern_strerror(st));
  return TERN_OK;
}

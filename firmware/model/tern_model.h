/*
 * tern model runtime: BitNet b1.58 model files, tokenizer and the CPU side of
 * the forward pass. Every BitLinear goes through tern_fw_gemm; everything
 * else (norms, RoPE, attention, LM head, sampling) runs here in fp32.
 * docs/firmware.md describes the file formats, the order of every fp32
 * operation and the error rules.
 *
 * All functions return a tern_status (cmodel/tern.h) or one of the TERN_MERR_
 * codes below and, when given a tern_err, a one-line message saying what was
 * wrong and where. Nothing here trusts a file: every count, length and offset
 * is checked before use.
 */
#ifndef TERN_MODEL_H
#define TERN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"
#include "tern_fw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Codes beyond tern_status (which stops at -8). */
#define TERN_MERR_IO (-32)    /* open/read/write/mmap failed */
#define TERN_MERR_ACCEL (-33) /* the accelerator reported an error */
#define TERN_MERR_ARCH (-34)  /* unknown architecture or missing model key */

typedef struct tern_err {
  char msg[256];
} tern_err;

/* Formats err (may be NULL) and returns code. */
int tern_errf(tern_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- model description ------------------------------------------------- */

typedef struct tern_model_config {
  uint32_t hidden;       /* embedding_length / hidden_size               */
  uint32_t intermediate; /* feed_forward_length / intermediate_size      */
  uint32_t layers;
  uint32_t heads;
  uint32_t kv_heads;
  uint32_t head_dim;
  uint32_t vocab;
  float rope_theta;
  float rms_eps;
  int tied;         /* LM head = token embedding                          */
  uint32_t max_ctx; /* context_length / max_position_embeddings           */
} tern_model_config;

/* TERN_OK if cfg describes a model this runtime can run (see firmware.md). */
int tern_config_check(const tern_model_config *cfg, tern_err *err);

/* ---- tensors in a model file -------------------------------------------- */

typedef enum tern_dtype {
  TERN_DT_F32 = 0,
  TERN_DT_F16 = 1,
  TERN_DT_BF16 = 2,
  TERN_DT_U8 = 3,    /* safetensors U8: HF packed ternary                   */
  TERN_DT_I2S = 4,   /* bitnet.cpp I2_S                                     */
  TERN_DT_TQ1_0 = 5, /* ggml TQ1_0                                          */
  TERN_DT_TQ2_0 = 6, /* ggml TQ2_0                                          */
  TERN_DT_OTHER = 7, /* a GGUF type this runtime does not decode            */
} tern_dtype;

const char *tern_dtype_name(tern_dtype dt);

/* One tensor, shape in ggml order: ne[0] is the innermost (contiguous)
 * dimension, i.e. in_features of a weight; safetensors shapes are reversed
 * into this order on load. data/bytes point into the file image. */
#define TERN_MAX_DIMS 4
typedef struct tern_tensor {
  const char *name;
  tern_dtype dt;
  uint32_t file_type; /* GGUF type id as stored (safetensors: dt)            */
  uint32_t ndim;
  uint64_t ne[TERN_MAX_DIMS];
  const uint8_t *data;
  size_t bytes;
} tern_tensor;

/* Number of elements; 0 if it overflows. */
uint64_t tern_tensor_nelem(const tern_tensor *t);

/* A parsed model file of either kind: tensors plus the config and (GGUF
 * only) the tokenizer metadata. Owns the file image. */
typedef struct tern_file tern_file;
typedef struct tern_gguf tern_gguf;

/* Opens a GGUF file, a safetensors file (config.json next to it), or a
 * directory holding model.safetensors + config.json. The file image is
 * mmap'ed (read-only). */
int tern_file_open(const char *path, tern_file **out, tern_err *err);
/* The same from memory (fuzzers, tests): the buffer must outlive the file.
 * config_json may be NULL for GGUF. */
int tern_file_open_gguf_mem(const uint8_t *buf, size_t len, tern_file **out, tern_err *err);
int tern_file_open_st_mem(const uint8_t *st, size_t st_len, const char *config_json,
                          size_t config_len, tern_file **out, tern_err *err);
void tern_file_close(tern_file *f);

const tern_model_config *tern_file_config(const tern_file *f);
/* The GGUF reader behind f, or NULL for safetensors. */
const tern_gguf *tern_file_gguf(const tern_file *f);
size_t tern_file_ntensors(const tern_file *f);
const tern_tensor *tern_file_tensor(const tern_file *f, size_t i);
const tern_tensor *tern_file_find(const tern_file *f, const char *name);

/* Logical tensors of a BitNet model, named per file kind. */
typedef enum tern_wkind {
  TERN_W_Q = 0, TERN_W_K, TERN_W_V, TERN_W_O, TERN_W_GATE, TERN_W_UP, TERN_W_DOWN,
  TERN_W_NTERN, /* the seven ternary matrices come first */
  TERN_W_ATTN_NORM = TERN_W_NTERN, TERN_W_FFN_NORM, TERN_W_ATTN_SUB_NORM, TERN_W_FFN_SUB_NORM,
  TERN_W_NLAYER,
  TERN_W_EMBD = TERN_W_NLAYER, TERN_W_OUT_NORM, TERN_W_LM_HEAD,
  TERN_W_COUNT
} tern_wkind;

/* The tensor for (layer, kind) in f, or NULL when the file has none. */
const tern_tensor *tern_file_weight(const tern_file *f, uint32_t layer, tern_wkind kind);

/* Rows (out) and K (in) of ternary kind per the config. */
void tern_wkind_shape(const tern_model_config *c, tern_wkind kind, uint32_t *rows, uint32_t *k);

/* Decodes ternary (layer, kind) of f to trits[rows*k] (row-major, rows =
 * out features) and its per-tensor scale (y = acc/act_scale * wscale).
 * Works on I2_S, TQ1_0, TQ2_0, HF packed U8 + weight_scale, and unpacked
 * F32/F16/BF16 (absmean-quantized here). */
int tern_file_trits(const tern_file *f, uint32_t layer, tern_wkind kind, int8_t *trits,
                    size_t trits_len, float *wscale, tern_err *err);

/* A float vector tensor (norm weights) of exactly n elements to fp32. */
int tern_file_floats(const tern_file *f, uint32_t layer, tern_wkind kind, float *out, size_t n,
                     tern_err *err);

/* ---- tokenizer ----------------------------------------------------------- */

typedef struct tern_tok tern_tok;

/* Builds the byte-level BPE tokenizer from GGUF metadata
 * (tokenizer.ggml.model = "gpt2"). */
int tern_tok_from_gguf(const tern_gguf *g, tern_tok **out, tern_err *err);
void tern_tok_free(tern_tok *t);
uint32_t tern_tok_vocab(const tern_tok *t);
int32_t tern_tok_bos(const tern_tok *t); /* -1 if none */
int32_t tern_tok_eos(const tern_tok *t);
int tern_tok_add_bos(const tern_tok *t);

/* Encodes UTF-8 text (not checked for validity: bytes are bytes) to ids.
 * Writes at most cap ids; *n gets the count (TERN_ERR_TRUNC if cap was too
 * small). Does not add BOS. Special tokens in the text are not parsed. */
int tern_tok_encode(const tern_tok *t, const char *text, size_t len, uint32_t *ids, size_t cap,
                    size_t *n);
/* The bytes of one token (control tokens give none). Writes at most cap,
 * *n gets the full length. */
int tern_tok_decode(const tern_tok *t, uint32_t id, uint8_t *out, size_t cap, size_t *n);

/* Llama-3 pre-tokenizer split: calls fn(piece, len, ctx) for each piece
 * in order; exposed for tests. Returns the number of pieces. */
size_t tern_tok_split(const char *text, size_t len,
                      void (*fn)(const char *piece, size_t len, void *ctx), void *ctx);

/* GPT-2 byte <-> unicode mapping (code point of byte b). */
uint32_t tern_tok_byte_to_cp(uint8_t b);

/* Streams bytes out as soon as they form complete UTF-8 sequences. */
typedef struct tern_utf8_stream {
  uint8_t pend[4];
  unsigned npend;
} tern_utf8_stream;
/* Appends in[0..n) and writes the complete sequences to out (cap >= n+4 is
 * always enough); invalid bytes become U+FFFD. Returns bytes written. */
size_t tern_utf8_push(tern_utf8_stream *s, const uint8_t *in, size_t n, uint8_t *out, size_t cap);
/* Flushes what is left (an incomplete sequence becomes U+FFFD). */
size_t tern_utf8_flush(tern_utf8_stream *s, uint8_t *out, size_t cap);

/* ---- the loaded model ---------------------------------------------------- */

typedef struct tern_layer {
  tern_fw_mat mat[TERN_W_NTERN]; /* q k v o gate up down */
  float *attn_norm, *ffn_norm, *attn_sub_norm, *ffn_sub_norm;
} tern_layer;

/* A row-addressed float matrix kept in its file dtype (F32/F16/BF16). */
typedef struct tern_fmatrix {
  tern_dtype dt;
  uint32_t rows, cols;
  const uint8_t *data; /* rows*cols elements of dt */
} tern_fmatrix;

typedef struct tern_model {
  tern_model_config cfg;
  tern_layer *layers;
  float *out_norm;
  tern_fmatrix embd, lm_head;
  tern_fw_accel *accel; /* not owned */
  tern_fmt fmt;         /* stream format the weights were uploaded in */
  uint64_t tern_bytes;  /* bytes of all uploaded ternary streams */
  uint64_t tern_macs;   /* ternary MACs a token (sum rows*k) */
} tern_model;

/* Builds the model from an open file: decodes and uploads every ternary
 * matrix once (tern_fw_upload, in fmt), converts norms to fp32, keeps the
 * embedding and LM head in their file dtype. f must outlive the model. */
int tern_model_load(const tern_file *f, tern_fw_accel *accel, tern_fmt fmt, tern_model **out,
                    tern_err *err);
void tern_model_free(tern_model *m);

/* ---- inference ------------------------------------------------------------ */

typedef struct tern_ctx tern_ctx;

/* KV cache for n_ctx positions; max_batch tokens a tern_fw_gemm call. */
int tern_ctx_new(const tern_model *m, uint32_t n_ctx, uint32_t max_batch, tern_ctx **out,
                 tern_err *err);
void tern_ctx_free(tern_ctx *c);
uint32_t tern_ctx_pos(const tern_ctx *c);

/* Runs n tokens at the next positions (batched through tern_fw_gemm,
 * max_batch at a time) and, if logits is non-NULL, writes the vocab logits
 * of the last one. Results are the same bit for bit as n single calls. */
int tern_forward(tern_ctx *c, const uint32_t *tokens, uint32_t n, float *logits, tern_err *err);

/* The building blocks, exposed for tests. */
void tern_rmsnorm(const float *x, const float *g, uint32_t n, float eps, float *y);
void tern_rope(float *v, uint32_t head_dim, uint32_t pos, float theta);
int tern_fmatrix_row(const tern_fmatrix *m, uint32_t r, float *out);
/* logits[v] = sum_i h[i] * W[v][i], fp32, i ascending. */
void tern_fmatrix_gemv(const tern_fmatrix *m, const float *h, float *logits);

/* ---- sampling ------------------------------------------------------------- */

typedef struct tern_sampler {
  float temp;  /* 0: greedy */
  float top_p; /* (0, 1] */
  uint64_t rng;
} tern_sampler;

/* Greedy (temp 0): first index of the largest logit. Otherwise
 * softmax(logits/temp), nucleus top_p, one draw from the seeded generator
 * (docs/firmware.md). Returns the id or a negative tern_status. */
int32_t tern_sample(tern_sampler *s, const float *logits, uint32_t n);

/* ---- model generator (tern gen-model) -------------------------------------- */

typedef enum tern_gen_fmt {
  TERN_GEN_GGUF_I2S = 0,
  TERN_GEN_GGUF_TQ2_0 = 1,
  TERN_GEN_GGUF_TQ1_0 = 2,
  TERN_GEN_SAFETENSORS = 3, /* DIR/model.safetensors + DIR/config.json */
} tern_gen_fmt;

/* Presets: "tiny", "small", "2b4t"; TERN_ERR_FORMAT for others. */
int tern_gen_preset(const char *name, tern_model_config *cfg);

/* The trits and scale gen-model writes for (layer, kind), from seed alone. */
int tern_gen_trits(uint64_t seed, const tern_model_config *c, uint32_t layer, tern_wkind kind,
                   int8_t *trits, size_t len, float *wscale);

/* Writes a model file, streaming (memory use is one tensor at a time). */
int tern_gen_model(const char *path, const tern_model_config *cfg, uint64_t seed,
                   tern_gen_fmt fmt, tern_err *err);

#ifdef __cplusplus
}
#endif

#endif /* TERN_MODEL_H */

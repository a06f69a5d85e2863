/* tern gen-model: seeded random BitNet b1.58 models of any shape, written as
 * GGUF (I2_S / TQ2_0 / TQ1_0 ternary tensors, F32 norms, F16 embedding, a
 * small trained byte-level BPE vocabulary) or as safetensors + config.json in
 * transformers' packed layout. Every value is chosen to be exact in every
 * format (norms and embeddings have <= 8 significant bits, scales are powers
 * of two), so all formats of one seed describe the same model bit for bit.
 * Output is streamed tensor by tensor. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tern_gguf.h"
#include "tern_model.h"

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t stream_seed(uint64_t seed, uint32_t layer, uint32_t kind) {
  uint64_t s = seed ^ ((uint64_t)layer << 32 | kind) * 0xd1b54a32d192ed03ull;
  splitmix(&s);
  return s;
}

int tern_gen_preset(const char *name, tern_model_config *c) {
  if (!name || !c) return TERN_ERR_NULL;
  memset(c, 0, sizeof *c);
  c->rope_theta = 500000.0f;
  c->rms_eps = 1e-5f;
  c->tied = 1;
  if (!strcmp(name, "tiny")) {
    *c = (tern_model_config){256, 512, 2, 4, 2, 64, 512, 500000.0f, 1e-5f, 1, 256};
  } else if (!strcmp(name, "small")) {
    *c = (tern_model_config){512, 1536, 4, 8, 2, 64, 1024, 500000.0f, 1e-5f, 1, 1024};
  } else if (!strcmp(name, "2b4t")) {
    *c = (tern_model_config){2560, 6912, 30, 20, 5, 128, 128256, 500000.0f, 1e-5f, 1, 4096};
  } else {
    return TERN_ERR_FORMAT;
  }
  return TERN_OK;
}

int tern_gen_trits(uint64_t seed, const tern_model_config *c, uint32_t layer, tern_wkind kind,
                   int8_t *trits, size_t len, float *wscale) {
  if (!c || !trits || !wscale) return TERN_ERR_NULL;
  uint32_t rows, k;
  tern_wkind_shape(c, kind, &rows, &k);
  size_t n = (size_t)rows * k;
  if (!n) return TERN_ERR_DIM;
  if (len < n) return TERN_ERR_TRUNC;
  uint64_t s = stream_seed(seed, layer, (uint32_t)kind);
  uint64_t r = splitmix(&s);
  *wscale = 1.0f / (float)(1u << (4 + (r & 3))); /* 2^-4 .. 2^-7 */
  for (size_t i = 0; i < n; i += 8) {
    r = splitmix(&s);
    for (size_t b = 0; b < 8 && i + b < n; b++)
      trits[i + b] = (int8_t)((((r >> (8 * b)) & 0xffu) * 3u >> 8) - 1u);
  }
  return TERN_OK;
}

/* Norm weights: 1 + m/128 with m in -32..31 (exact in bf16). */
static void gen_norm(uint64_t seed, uint32_t layer, tern_wkind kind, float *out, uint32_t n) {
  uint64_t s = stream_seed(seed, layer, (uint32_t)kind);
  for (uint32_t i = 0; i < n; i++) out[i] = 1.0f + (float)((int)(splitmix(&s) & 63u) - 32) / 128.0f;
}

/* Embedding row: m/256 with m in -127..127 (exact in f16 and bf16). */
static void gen_embd_row(uint64_t seed, tern_wkind kind, uint32_t row, float *out, uint32_t n) {
  uint64_t s = stream_seed(seed, row, (uint32_t)kind + 100u);
  for (uint32_t i = 0; i < n; i++) out[i] = (float)((int)(splitmix(&s) % 255u) - 127) / 256.0f;
}

/* ---- synthetic tokenizer --------------------------------------------------------- */

static const char corpus[] =
    "The quick brown fox jumps over the lazy dog. A ternary accelerator reads weights of "
    "minus one, zero and plus one, and adds or subtracts the activations. There is no "
    "multiplier in the datapath. The model thinks in tokens: the tokenizer splits the text, "
    "the transformer predicts the next token, and the sampler picks one. Numbers like 123 "
    "and 2025 are split into groups of three digits. It's the engine's job to be fast; "
    "it's the golden model's job to be right. Hello, world! How are you today?\n"
    "Once upon a time there was a little model that wanted to run on a small board.\n";

typedef struct vocab {
  char **tok;
  uint8_t *type;
  uint32_t n;
  char **merge;
  uint32_t nm;
} vocab;

static void vocab_free(vocab *v) {
  for (uint32_t i = 0; i < v->n; i++) free(v->tok[i]);
  for (uint32_t i = 0; i < v->nm; i++) free(v->merge[i]);
  free(v->tok);
  free(v->type);
  free(v->merge);
}

static size_t utf8_put(uint32_t cp, char *o) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  o[0] = (char)(0xc0 | cp >> 6);
  o[1] = (char)(0x80 | (cp & 0x3f));
  return 2; /* byte map code points are < 0x800 */
}

typedef struct pieces {
  char **sym; /* per piece: symbols as strings */
  uint32_t *nsym, *start;
  uint32_t np, ns;
} pieces;

static void collect(const char *p, size_t len, void *ctx) {
  pieces *ps = ctx;
  ps->start[ps->np] = ps->ns;
  ps->nsym[ps->np] = (uint32_t)len;
  for (size_t i = 0; i < len; i++) {
    char b[4] = {0};
    utf8_put(tern_tok_byte_to_cp((uint8_t)p[i]), b);
    ps->sym[ps->ns++] = strdup(b);
  }
  ps->np++;
}

/* Byte tokens, then merges learned on the corpus (plain BPE training: the
 * most frequent adjacent pair, ties to the smaller string), then the two
 * control tokens, then reserved control tokens up to the vocab size. */
static int build_vocab(uint32_t vocab_size, vocab *v) {
  memset(v, 0, sizeof *v);
  if (vocab_size < 258) return TERN_ERR_DIM;
  v->tok = calloc(vocab_size, sizeof *v->tok);
  v->type = calloc(vocab_size, 1);
  uint32_t max_merges = vocab_size - 258 < 400 ? vocab_size - 258 : 400;
  v->merge = calloc(max_merges ? max_merges : 1, sizeof *v->merge);
  size_t clen = sizeof corpus - 1;
  pieces ps = {calloc(clen, sizeof(char *)), calloc(clen, 4), calloc(clen, 4), 0, 0};
  if (!v->tok || !v->type || !v->merge || !ps.sym || !ps.nsym || !ps.start) goto nomem;
  for (uint32_t b = 0; b < 256; b++) {
    char s[4] = {0};
    utf8_put(tern_tok_byte_to_cp((uint8_t)b), s);
    v->tok[v->n] = strdup(s);
    v->type[v->n++] = 1;
  }
  tern_tok_split(corpus, clen, collect, &ps);
  while (v->nm < max_merges) {
    /* count pairs (quadratic, fine for a 1 KB corpus) */
    const char *ba = NULL, *bb = NULL;
    uint32_t bc = 0;
    for (uint32_t p = 0; p < ps.np; p++) {
      char **s = ps.sym + ps.start[p];
      for (uint32_t i = 0; i + 1 < ps.nsym[p]; i++) {
        uint32_t cnt = 0;
        for (uint32_t q = 0; q < ps.np; q++) {
          char **t = ps.sym + ps.start[q];
          for (uint32_t j = 0; j + 1 < ps.nsym[q]; j++)
            cnt += !strcmp(t[j], s[i]) && !strcmp(t[j + 1], s[i + 1]);
        }
        int better = cnt > bc;
        if (cnt == bc && cnt) {
          int c1 = strcmp(s[i], ba);
          better = c1 < 0 || (c1 == 0 && strcmp(s[i + 1], bb) < 0);
        }
        if (better) { bc = cnt; ba = s[i]; bb = s[i + 1]; }
      }
    }
    if (bc < 2) break;
    size_t la = strlen(ba), lb = strlen(bb);
    char *m = malloc(la + lb + 2), *t = malloc(la + lb + 1);
    if (!m || !t) { free(m); free(t); goto nomem; }
    memcpy(m, ba, la); m[la] = ' '; memcpy(m + la + 1, bb, lb + 1);
    memcpy(t, ba, la); memcpy(t + la, bb, lb + 1);
    v->merge[v->nm++] = m;
    v->tok[v->n] = t;
    v->type[v->n++] = 1;
    /* apply it everywhere */
    char *A = strdup(ba), *B = strdup(bb);
    if (!A || !B) { free(A); free(B); goto nomem; }
    for (uint32_t p = 0; p < ps.np; p++) {
      char **s = ps.sym + ps.start[p];
      for (uint32_t i = 0; i + 1 < ps.nsym[p]; i++) {
        if (strcmp(s[i], A) || strcmp(s[i + 1], B)) continue;
        char *joined = strdup(t);
        if (!joined) { free(A); free(B); goto nomem; }
        free(s[i]);
        free(s[i + 1]);
        s[i] = joined;
        memmove(s + i + 1, s + i + 2, (ps.nsym[p] - i - 2) * sizeof(char *));
        ps.nsym[p]--;
        s[ps.nsym[p]] = NULL;
      }
    }
    free(A);
    free(B);
  }
  static const char *const specials[2] = {"<|begin_of_text|>", "<|end_of_text|>"};
  for (int i = 0; i < 2; i++) {
    v->tok[v->n] = strdup(specials[i]);
    v->type[v->n++] = 3;
  }
  while (v->n < vocab_size) {
    char s[40];
    snprintf(s, sizeof s, "<|reserved_special_token_%u|>", v->n);
    v->tok[v->n] = strdup(s);
    v->type[v->n++] = 3;
  }
  for (uint32_t p = 0; p < ps.ns; p++) free(ps.sym[p]);
  free(ps.sym); free(ps.nsym); free(ps.start);
  for (uint32_t i = 0; i < v->n; i++)
    if (!v->tok[i]) return TERN_ERR_NOMEM;
  return TERN_OK;
nomem:
  if (ps.sym)
    for (uint32_t p = 0; p < ps.ns; p++) free(ps.sym[p]);
  free(ps.sym); free(ps.nsym); free(ps.start);
  return TERN_ERR_NOMEM;
}

/* ---- ternary encoders ------------------------------------------------------------------ */

static void put_le32f(uint8_t *p, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(u >> (8 * i));
}

/* I2_S: 128-trit blocks of 32 bytes, byte b = elements b, b+32, b+64, b+96 at
 * bits 7:6 .. 1:0; then the fp32 scale padded to 32 bytes. */
static void enc_i2s(const int8_t *t, size_t n, float scale, uint8_t *out) {
  memset(out, 0, n / 4 + 32);
  for (size_t e = 0; e < n; e++) {
    size_t blk = e / 128;
    unsigned w = (unsigned)(e % 128);
    out[blk * 32 + w % 32] |= (uint8_t)((t[e] + 1) << (6 - 2 * (w / 32)));
  }
  put_le32f(out + n / 4, scale);
}

static void enc_tq2(const int8_t *t, size_t n, uint16_t d, uint8_t *out) {
  for (size_t b = 0; b < n / 256; b++) {
    uint8_t *blk = out + b * TERN_TQ2_0_BLOCK_BYTES;
    memset(blk, 0, 64);
    for (unsigned e = 0; e < 256; e++) {
      unsigned c = e / 128, l = (e % 128) / 32, m = e % 32;
      blk[32 * c + m] |= (uint8_t)((t[b * 256 + e] + 1) << (2 * l));
    }
    blk[64] = (uint8_t)d;
    blk[65] = (uint8_t)(d >> 8);
  }
}

/* TQ1_0: 5 trits a byte as q = sum digit_n * 3^(4-n), stored as
 * ceil(q * 256 / 243) so that digit n = ((byte * 3^n mod 256) * 3) >> 8. */
static uint8_t tq1_byte(const unsigned *dig, unsigned nd) {
  unsigned q = 0;
  for (unsigned i = 0; i < 5; i++) q = q * 3 + (i < nd ? dig[i] : 0);
  return (uint8_t)((q * 256 + 242) / 243);
}

static void enc_tq1(const int8_t *t, size_t n, uint16_t d, uint8_t *out) {
  for (size_t b = 0; b < n / 256; b++) {
    const int8_t *x = t + b * 256;
    uint8_t *blk = out + b * TERN_TQ1_0_BLOCK_BYTES;
    unsigned dig[5];
    for (unsigned m = 0; m < 32; m++) {
      for (unsigned k = 0; k < 5; k++) dig[k] = (unsigned)(x[m + 32 * k] + 1);
      blk[m] = tq1_byte(dig, 5);
    }
    for (unsigned m = 0; m < 16; m++) {
      for (unsigned k = 0; k < 5; k++) dig[k] = (unsigned)(x[160 + m + 16 * k] + 1);
      blk[32 + m] = tq1_byte(dig, 5);
    }
    for (unsigned m = 0; m < 4; m++) {
      for (unsigned k = 0; k < 4; k++) dig[k] = (unsigned)(x[240 + m + 4 * k] + 1);
      blk[48 + m] = tq1_byte(dig, 4);
    }
    blk[52] = (uint8_t)d;
    blk[53] = (uint8_t)(d >> 8);
  }
}

/* HF packed: row r = i*planes + p in bits 2i+1:2i of packed row p. */
static void enc_hf(const int8_t *t, uint32_t rows, uint32_t k, uint8_t *out) {
  uint32_t planes = (rows + 3) / 4;
  memset(out, 0, (size_t)planes * k);
  for (uint32_t r = 0; r < rows; r++)
    for (uint32_t j = 0; j < k; j++)
      out[(size_t)(r % planes) * k + j] |= (uint8_t)((t[(size_t)r * k + j] + 1) << (2 * (r / planes)));
}

/* ---- GGUF writer ---------------------------------------------------------------------------- */

typedef struct tinfo {
  char name[96];
  uint32_t ndim, type;
  uint64_t ne[2];
  uint64_t bytes, off;
  uint32_t layer;
  int kind; /* tern_wkind */
} tinfo;

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

static int write_fail(FILE *fp, const char *path, tern_err *err) {
  if (fp) fclose(fp);
  return tern_errf(err, TERN_MERR_IO, "%s: write failed", path);
}

static void w_zero(FILE *fp, uint64_t n) {
  static const uint8_t z[64];
  while (n) {
    size_t k = n > sizeof z ? sizeof z : (size_t)n;
    fwrite(z, 1, k, fp);
    n -= k;
  }
}

static int gen_gguf(const char *path, const tern_model_config *c, uint64_t seed, tern_gen_fmt fmt,
                    tern_err *err) {
  uint32_t ttype = fmt == TERN_GEN_GGUF_I2S ? TERN_GGML_I2_S
                   : fmt == TERN_GEN_GGUF_TQ2_0 ? TERN_GGML_TQ2_0 : TERN_GGML_TQ1_0;
  uint32_t qd = c->heads * c->head_dim;
  for (int kd = 0; kd < TERN_W_NTERN; kd++) {
    uint32_t r, k;
    tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
    if (ttype != TERN_GGML_I2_S && k % 256)
      return tern_errf(err, TERN_ERR_DIM, "TQ formats need K %% 256 == 0 (K = %u)", k);
    if (ttype == TERN_GGML_I2_S && ((uint64_t)r * k) % 128)
      return tern_errf(err, TERN_ERR_DIM, "I2_S needs rows*K %% 128 == 0");
  }
  vocab v;
  int st = build_vocab(c->vocab, &v);
  if (st) {
    vocab_free(&v);
    return tern_errf(err, st, "vocabulary: %s (vocab must be >= 258)", tern_strerror(st));
  }
  size_t nt = 2 + (c->tied ? 0 : 1) + (size_t)c->layers * 11;
  tinfo *ti = calloc(nt, sizeof *ti);
  if (!ti) {
    vocab_free(&v);
    return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  }
  size_t n = 0;
#define ADD(nm, nd, ty, e0, e1, ly, kd)                                                  \
  do {                                                                                   \
    tinfo *t_ = &ti[n++];                                                                \
    snprintf(t_->name, sizeof t_->name, "%s", nm);                                       \
    t_->ndim = nd; t_->type = ty; t_->ne[0] = e0; t_->ne[1] = e1;                        \
    t_->bytes = tern_ggml_nbytes(ty, e0, (uint64_t)(e0) * (e1));                         \
    t_->layer = ly; t_->kind = kd;                                                       \
  } while (0)
  ADD("token_embd.weight", 2, TERN_GGML_F16, c->hidden, c->vocab, 0, TERN_W_EMBD);
  ADD("output_norm.weight", 1, TERN_GGML_F32, c->hidden, 1, 0, TERN_W_OUT_NORM);
  if (!c->tied) ADD("output.weight", 2, TERN_GGML_F16, c->hidden, c->vocab, 0, TERN_W_LM_HEAD);
  static const char *const tn[TERN_W_NLAYER] = {"attn_q", "attn_k", "attn_v", "attn_output",
                                                "ffn_gate", "ffn_up", "ffn_down", "attn_norm",
                                                "ffn_norm", "attn_sub_norm", "ffn_sub_norm"};
  for (uint32_t l = 0; l < c->layers; l++) {
    char nm[96];
    for (int kd = 0; kd < TERN_W_NLAYER; kd++) {
      snprintf(nm, sizeof nm, "blk.%u.%s.weight", l, tn[kd]);
      if (kd < TERN_W_NTERN) {
        uint32_t r, k;
        tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
        ADD(nm, 2, ttype, k, r, l, kd);
      } else {
        uint32_t len = kd == TERN_W_ATTN_SUB_NORM ? qd : kd == TERN_W_FFN_SUB_NORM ? c->intermediate : c->hidden;
        ADD(nm, 1, TERN_GGML_F32, len, 1, l, kd);
      }
    }
  }
#undef ADD
  uint64_t off = 0, maxb = 0;
  for (size_t i = 0; i < n; i++) {
    ti[i].off = off;
    off = align_up(off + ti[i].bytes, TERN_GGUF_DEFAULT_ALIGNMENT);
    if (ti[i].bytes > maxb) maxb = ti[i].bytes;
  }
  FILE *fp = fopen(path, "wb");
  if (!fp) {
    free(ti);
    vocab_free(&v);
    return tern_errf(err, TERN_MERR_IO, "%s: cannot create", path);
  }
  const char *A = "bitnet-b1.58";
  char key[96];
  uint32_t nkv = 0;
  long kv_count_pos;
  tern_gguf_w_u32(fp, 0x46554747u);
  tern_gguf_w_u32(fp, 3);
  tern_gguf_w_u64(fp, n);
  kv_count_pos = ftell(fp);
  tern_gguf_w_u64(fp, 0); /* patched below */
  tern_gguf_w_kv_str(fp, "general.architecture", A); nkv++;
  tern_gguf_w_kv_str(fp, "general.name", "tern gen-model"); nkv++;
  tern_gguf_w_kv_u32(fp, "general.alignment", TERN_GGUF_DEFAULT_ALIGNMENT); nkv++;
#define KU(sfx, val) snprintf(key, sizeof key, "%s." sfx, A), tern_gguf_w_kv_u32(fp, key, val), nkv++
  KU("vocab_size", c->vocab);
  KU("context_length", c->max_ctx);
  KU("embedding_length", c->hidden);
  KU("block_count", c->layers);
  KU("feed_forward_length", c->intermediate);
  KU("rope.dimension_count", c->head_dim);
  KU("attention.head_count", c->heads);
  KU("attention.head_count_kv", c->kv_heads);
#undef KU
  snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", A);
  tern_gguf_w_kv_f32(fp, key, c->rms_eps); nkv++;
  snprintf(key, sizeof key, "%s.rope.freq_base", A);
  tern_gguf_w_kv_f32(fp, key, c->rope_theta); nkv++;
  tern_gguf_w_kv_str(fp, "tokenizer.ggml.model", "gpt2"); nkv++;
  tern_gguf_w_kv_str(fp, "tokenizer.ggml.pre", "llama-bpe"); nkv++;
  tern_gguf_w_str(fp, "tokenizer.ggml.tokens"); nkv++;
  tern_gguf_w_u32(fp, TERN_GGUF_ARRAY);
  tern_gguf_w_u32(fp, TERN_GGUF_STRING);
  tern_gguf_w_u64(fp, v.n);
  for (uint32_t i = 0; i < v.n; i++) tern_gguf_w_str(fp, v.tok[i]);
  tern_gguf_w_str(fp, "tokenizer.ggml.token_type"); nkv++;
  tern_gguf_w_u32(fp, TERN_GGUF_ARRAY);
  tern_gguf_w_u32(fp, TERN_GGUF_INT32);
  tern_gguf_w_u64(fp, v.n);
  for (uint32_t i = 0; i < v.n; i++) tern_gguf_w_u32(fp, v.type[i]);
  tern_gguf_w_str(fp, "tokenizer.ggml.merges"); nkv++;
  tern_gguf_w_u32(fp, TERN_GGUF_ARRAY);
  tern_gguf_w_u32(fp, TERN_GGUF_STRING);
  tern_gguf_w_u64(fp, v.nm);
  for (uint32_t i = 0; i < v.nm; i++) tern_gguf_w_str(fp, v.merge[i]);
  tern_gguf_w_kv_u32(fp, "tokenizer.ggml.bos_token_id", v.n > 256 ? 256 + v.nm : 0); nkv++;
  tern_gguf_w_kv_u32(fp, "tokenizer.ggml.eos_token_id", 257 + v.nm); nkv++;
  tern_gguf_w_kv_bool(fp, "tokenizer.ggml.add_bos_token", 1); nkv++;
  for (size_t i = 0; i < n; i++) {
    tern_gguf_w_str(fp, ti[i].name);
    tern_gguf_w_u32(fp, ti[i].ndim);
    for (uint32_t d = 0; d < ti[i].ndim; d++) tern_gguf_w_u64(fp, ti[i].ne[d]);
    tern_gguf_w_u32(fp, ti[i].type);
    tern_gguf_w_u64(fp, ti[i].off);
  }
  long hdr = ftell(fp);
  w_zero(fp, align_up((uint64_t)hdr, TERN_GGUF_DEFAULT_ALIGNMENT) - (uint64_t)hdr);
  long data_start = ftell(fp);
  fseek(fp, kv_count_pos, SEEK_SET);
  tern_gguf_w_u64(fp, nkv);
  fseek(fp, data_start, SEEK_SET);
  vocab_free(&v);

  /* data, one tensor at a time */
  size_t maxtr = 0;
  for (int kd = 0; kd < TERN_W_NTERN; kd++) {
    uint32_t r, k;
    tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
    if ((size_t)r * k > maxtr) maxtr = (size_t)r * k;
  }
  /* the largest ternary tensor, or a row of floats, whichever is larger */
  size_t bufn = (size_t)maxtr / 2 + 64; /* TQ2_0 is 66/256 bytes a trit */
  size_t fl = 4 * ((size_t)c->hidden + c->intermediate + qd);
  if (fl > bufn) bufn = fl;
  (void)maxb;
  uint8_t *buf = malloc(bufn);
  int8_t *tr = malloc(maxtr);
  float *fv = malloc(((size_t)(c->intermediate > qd ? c->intermediate : qd) + c->hidden) * sizeof(float));
  st = TERN_OK;
  if (!buf || !tr || !fv) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n && !st; i++) {
    tinfo *t = &ti[i];
    if (t->kind == TERN_W_EMBD || t->kind == TERN_W_LM_HEAD) {
      for (uint32_t r = 0; r < c->vocab; r++) {
        gen_embd_row(seed, (tern_wkind)t->kind, r, fv, c->hidden);
        for (uint32_t j = 0; j < c->hidden; j++) {
          uint16_t h = tern_f32_to_f16(fv[j]);
          buf[2 * j] = (uint8_t)h;
          buf[2 * j + 1] = (uint8_t)(h >> 8);
        }
        fwrite(buf, 2, c->hidden, fp);
      }
    } else if (t->kind >= TERN_W_NTERN) {
      uint32_t len = (uint32_t)t->ne[0];
      gen_norm(seed, t->layer, (tern_wkind)t->kind, fv, len);
      for (uint32_t j = 0; j < len; j++) put_le32f(buf + 4 * (size_t)j, fv[j]);
      fwrite(buf, 4, len, fp);
    } else {
      float ws;
      tern_gen_trits(seed, c, t->layer, (tern_wkind)t->kind, tr, maxtr, &ws);
      size_t nel = (size_t)t->ne[0] * t->ne[1];
      if (ttype == TERN_GGML_I2_S) enc_i2s(tr, nel, ws, buf);
      else if (ttype == TERN_GGML_TQ2_0) enc_tq2(tr, nel, tern_f32_to_f16(ws), buf);
      else enc_tq1(tr, nel, tern_f32_to_f16(ws), buf);
      fwrite(buf, 1, (size_t)t->bytes, fp);
    }
    uint64_t end = t->off + t->bytes;
    w_zero(fp, align_up(end, TERN_GGUF_DEFAULT_ALIGNMENT) - end);
    if (ferror(fp)) st = write_fail(NULL, path, err);
  }
  free(buf);
  free(tr);
  free(fv);
  free(ti);
  if (fclose(fp) && !st) st = tern_errf(err, TERN_MERR_IO, "%s: write failed", path);
  return st;
}

/* ---- safetensors writer --------------------------------------------------------------------- */

static const char *const hf_layer_names[TERN_W_NLAYER] = {
    "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
    "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm",
    "post_attention_layernorm", "self_attn.attn_sub_norm", "mlp.ffn_sub_norm"};

static uint16_t bf16_of(float f) { /* exact for the values generated here */
  uint32_t u;
  memcpy(&u, &f, 4);
  return (uint16_t)(u >> 16);
}

typedef struct stent {
  char name[112];
  const char *dtype;
  uint32_t ndim;
  uint64_t shape[2];
  uint64_t bytes, off;
  uint32_t layer;
  int kind, is_scale;
} stent;

typedef struct sbuf {
  char *p;
  size_t n, cap;
} sbuf;

static int sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sb_printf(sbuf *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) return TERN_ERR_FORMAT;
    if (b->p && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return TERN_OK;
    }
    size_t nc = (b->cap ? b->cap * 2 : 4096) + (size_t)k;
    char *np = realloc(b->p, nc);
    if (!np) return TERN_ERR_NOMEM;
    b->p = np;
    b->cap = nc;
  }
}

static int gen_st(const char *dir, const tern_model_config *c, uint64_t seed, tern_err *err) {
  struct stat sb;
  if (mkdir(dir, 0777) && (stat(dir, &sb) || !S_ISDIR(sb.st_mode)))
    return tern_errf(err, TERN_MERR_IO, "%s: cannot create directory", dir);
  uint32_t qd = c->heads * c->head_dim;
  size_t cap = 3 + (size_t)c->layers * 18, n = 0;
  stent *e = calloc(cap, sizeof *e);
  if (!e) return tern_errf(err, TERN_ERR_NOMEM, "out of memory");
#define ADDE(nmfmt, ly, dt, nd, s0, s1, kd, sc, nb)                                       \
  do {                                                                                    \
    stent *x_ = &e[n++];                                                                  \
    snprintf(x_->name, sizeof x_->name, nmfmt, ly);                                       \
    x_->dtype = dt; x_->ndim = nd; x_->shape[0] = s0; x_->shape[1] = s1;                  \
    x_->layer = ly; x_->kind = kd; x_->is_scale = sc; x_->bytes = nb;                     \
  } while (0)
  uint64_t emb_bytes = (uint64_t)c->vocab * c->hidden * 2;
  ADDE("model.embed_tokens.weight%.0u", 0u, "BF16", 2, c->vocab, c->hidden, TERN_W_EMBD, 0, emb_bytes);
  ADDE("model.norm.weight%.0u", 0u, "BF16", 1, c->hidden, 0, TERN_W_OUT_NORM, 0, (uint64_t)c->hidden * 2);
  if (!c->tied) ADDE("lm_head.weight%.0u", 0u, "BF16", 2, c->vocab, c->hidden, TERN_W_LM_HEAD, 0, emb_bytes);
  for (uint32_t l = 0; l < c->layers; l++) {
    for (int kd = 0; kd < TERN_W_NLAYER; kd++) {
      char fmt[112];
      if (kd < TERN_W_NTERN) {
        uint32_t r, k;
        tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
        snprintf(fmt, sizeof fmt, "model.layers.%%u.%s.weight", hf_layer_names[kd]);
        ADDE(fmt, l, "U8", 2, (r + 3) / 4, k, kd, 0, (uint64_t)((r + 3) / 4) * k);
        snprintf(fmt, sizeof fmt, "model.layers.%%u.%s.weight_scale", hf_layer_names[kd]);
        ADDE(fmt, l, "BF16", 1, 1, 0, kd, 1, 2);
      } else {
        uint32_t len = kd == TERN_W_ATTN_SUB_NORM ? qd : kd == TERN_W_FFN_SUB_NORM ? c->intermediate : c->hidden;
        snprintf(fmt, sizeof fmt, "model.layers.%%u.%s.weight", hf_layer_names[kd]);
        ADDE(fmt, l, "BF16", 1, len, 0, kd, 0, (uint64_t)len * 2);
      }
    }
  }
#undef ADDE
  sbuf h = {0};
  int st = sb_printf(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
  uint64_t off = 0;
  for (size_t i = 0; i < n && !st; i++) {
    e[i].off = off;
    off += e[i].bytes;
    st = sb_printf(&h, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%llu", e[i].name, e[i].dtype,
                   (unsigned long long)e[i].shape[0]);
    if (!st && e[i].ndim == 2) st = sb_printf(&h, ",%llu", (unsigned long long)e[i].shape[1]);
    if (!st)
      st = sb_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)e[i].off,
                     (unsigned long long)off);
  }
  if (!st) st = sb_printf(&h, "}");
  while (!st && h.n % 8) st = sb_printf(&h, " ");
  char path[4096];
  FILE *fp = NULL;
  if (!st) {
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    fp = fopen(path, "wb");
    if (!fp) st = tern_errf(err, TERN_MERR_IO, "%s: cannot create", path);
  } else {
    st = tern_errf(err, st, "out of memory");
  }
  size_t maxtr = 0;
  for (int kd = 0; kd < TERN_W_NTERN; kd++) {
    uint32_t r, k;
    tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
    if ((size_t)r * k > maxtr) maxtr = (size_t)r * k;
  }
  int8_t *tr = malloc(maxtr);
  uint8_t *buf = malloc(maxtr / 4 + 8 * ((size_t)c->hidden + c->intermediate + qd) + 64);
  float *fv = malloc(((size_t)c->hidden + c->intermediate + qd) * sizeof(float));
  if (!st && (!tr || !buf || !fv)) st = tern_errf(err, TERN_ERR_NOMEM, "out of memory");
  if (!st) {
    tern_gguf_w_u64(fp, h.n);
    fwrite(h.p, 1, h.n, fp);
  }
  for (size_t i = 0; i < n && !st; i++) {
    stent *x = &e[i];
    if (x->kind == TERN_W_EMBD || x->kind == TERN_W_LM_HEAD) {
      for (uint32_t r = 0; r < c->vocab; r++) {
        gen_embd_row(seed, (tern_wkind)x->kind, r, fv, c->hidden);
        for (uint32_t j = 0; j < c->hidden; j++) {
          uint16_t b = bf16_of(fv[j]);
          buf[2 * j] = (uint8_t)b;
          buf[2 * j + 1] = (uint8_t)(b >> 8);
        }
        fwrite(buf, 2, c->hidden, fp);
      }
    } else if (x->kind >= TERN_W_NTERN) {
      uint32_t len = (uint32_t)x->shape[0];
      gen_norm(seed, x->layer, (tern_wkind)x->kind, fv, len);
      for (uint32_t j = 0; j < len; j++) {
        uint16_t b = bf16_of(fv[j]);
        buf[2 * j] = (uint8_t)b;
        buf[2 * j + 1] = (uint8_t)(b >> 8);
      }
      fwrite(buf, 2, len, fp);
    } else {
      uint32_t r, k;
      float ws;
      tern_wkind_shape(c, (tern_wkind)x->kind, &r, &k);
      tern_gen_trits(seed, c, x->layer, (tern_wkind)x->kind, tr, maxtr, &ws);
      if (x->is_scale) {
        /* linear_class bitlinear divides by weight_scale: store 1/ws (exact, ws = 2^-e) */
        uint16_t b = bf16_of(1.0f / ws);
        buf[0] = (uint8_t)b;
        buf[1] = (uint8_t)(b >> 8);
        fwrite(buf, 1, 2, fp);
      } else {
        enc_hf(tr, r, k, buf);
        fwrite(buf, 1, (size_t)x->bytes, fp);
      }
    }
    if (ferror(fp)) st = tern_errf(err, TERN_MERR_IO, "%s: write failed", path);
  }
  if (fp && fclose(fp) && !st) st = tern_errf(err, TERN_MERR_IO, "%s: write failed", path);
  free(tr);
  free(buf);
  free(fv);
  free(e);
  free(h.p);
  if (st) return st;
  snprintf(path, sizeof path, "%s/config.json", dir);
  fp = fopen(path, "w");
  if (!fp) return tern_errf(err, TERN_MERR_IO, "%s: cannot create", path);
  fprintf(fp,
          "{\n  \"architectures\": [\"BitNetForCausalLM\"],\n  \"model_type\": \"bitnet\",\n"
          "  \"hidden_act\": \"relu2\",\n  \"hidden_size\": %u,\n  \"intermediate_size\": %u,\n"
          "  \"num_hidden_layers\": %u,\n  \"num_attention_heads\": %u,\n"
          "  \"num_key_value_heads\": %u,\n  \"head_dim\": %u,\n  \"vocab_size\": %u,\n"
          "  \"max_position_embeddings\": %u,\n  \"rms_norm_eps\": %.9g,\n  \"rope_theta\": %.9g,\n"
          "  \"tie_word_embeddings\": %s,\n  \"attention_bias\": false,\n"
          "  \"torch_dtype\": \"bfloat16\",\n  \"quantization_config\": {\n"
          "    \"quant_method\": \"bitnet\",\n    \"linear_class\": \"bitlinear\",\n"
          "    \"quantization_mode\": \"offline\"\n  }\n}\n",
          c->hidden, c->intermediate, c->layers, c->heads, c->kv_heads, c->head_dim, c->vocab,
          c->max_ctx, (double)c->rms_eps, (double)c->rope_theta, c->tied ? "true" : "false");
  if (fclose(fp)) return tern_errf(err, TERN_MERR_IO, "%s: write failed", path);
  return TERN_OK;
}

int tern_gen_model(const char *path, const tern_model_config *cfg, uint64_t seed,
                   tern_gen_fmt fmt, tern_err *err) {
  if (!path || !cfg) return tern_errf(err, TERN_ERR_NULL, "gen-model: NULL argument");
  int st = tern_config_check(cfg, err);
  if (st) return st;
  if (fmt == TERN_GEN_SAFETENSORS) return gen_st(path, cfg, seed, err);
  if (fmt > TERN_GEN_SAFETENSORS) return tern_errf(err, TERN_ERR_FORMAT, "gen-model: unknown format");
  return gen_gguf(path, cfg, seed, fmt, err);
}

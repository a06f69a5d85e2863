/* Byte-level BPE tokenizer (GPT-2 style, as Llama 3 and BitNet b1.58 2B4T
 * use it) built from GGUF metadata, with a hand-written version of the
 * Llama-3 pre-tokenizer regex:
 *
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * docs/firmware.md walks through how each alternative (with the regex
 * engine's backtracking) maps onto the code in split_one(). */
#include <stdlib.h>
#include <string.h>

#include "tern_gguf.h"
#include "tern_model.h"
#include "tern_unicode_tab.h"

/* ---- character classes ---------------------------------------------------- */

static int in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cp < r[mid][0]) hi = mid;
    else if (cp > r[mid][1]) lo = mid + 1;
    else return 1;
  }
  return 0;
}

#define NOT_A_CP 0xFFFFFFFFu /* an invalid UTF-8 byte: class "other" */

static int is_letter(uint32_t cp) {
  return cp != NOT_A_CP &&
         in_ranges(tern_uni_letter, sizeof tern_uni_letter / sizeof tern_uni_letter[0], cp);
}
static int is_number(uint32_t cp) {
  return cp != NOT_A_CP &&
         in_ranges(tern_uni_number, sizeof tern_uni_number / sizeof tern_uni_number[0], cp);
}
/* \s: the Unicode White_Space property. */
static int is_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f ||
         cp == 0x205f || cp == 0x3000;
}
static int is_crlf(uint32_t cp) { return cp == '\r' || cp == '\n'; }
static int is_other(uint32_t cp) { return !is_space(cp) && !is_letter(cp) && !is_number(cp); }

/* Decodes one code point at s[0..n); invalid or truncated sequences are one
 * byte of NOT_A_CP. Returns its byte length (>= 1). */
static size_t u8dec(const uint8_t *s, size_t n, uint32_t *cp) {
  uint8_t b = s[0];
  size_t len;
  uint32_t v, min;
  if (b < 0x80) { *cp = b; return 1; }
  if (b >= 0xc2 && b < 0xe0) { len = 2; v = b & 0x1f; min = 0x80; }
  else if (b >= 0xe0 && b < 0xf0) { len = 3; v = b & 0x0f; min = 0x800; }
  else if (b >= 0xf0 && b < 0xf5) { len = 4; v = b & 0x07; min = 0x10000; }
  else { *cp = NOT_A_CP; return 1; }
  if (len > n) { *cp = NOT_A_CP; return 1; }
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xc0) != 0x80) { *cp = NOT_A_CP; return 1; }
    v = v << 6 | (s[k] & 0x3fu);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) { *cp = NOT_A_CP; return 1; }
  *cp = v;
  return len;
}

typedef struct cps {
  const uint8_t *s;
  size_t n;
} cps;

static uint32_t cp_at(cps t, size_t i, size_t *len) {
  uint32_t cp;
  *len = u8dec(t.s + i, t.n - i, &cp);
  return cp;
}

static int lower_eq(uint32_t cp, char c) { return cp == (uint32_t)c || cp == (uint32_t)(c - 32); }

/* Length in bytes of the piece starting at i (> 0). */
static size_t split_one(cps t, size_t i) {
  size_t l0, l1, l2;
  uint32_t c0 = cp_at(t, i, &l0);
  /* 1: contractions, ASCII case-insensitive */
  if (c0 == '\'' && i + 1 < t.n) {
    uint32_t a = cp_at(t, i + 1, &l1);
    if (lower_eq(a, 's') || lower_eq(a, 't') || lower_eq(a, 'm') || lower_eq(a, 'd')) return 2;
    if (i + 2 < t.n) {
      uint32_t b = cp_at(t, i + 1 + l1, &l2);
      if ((lower_eq(a, 'r') && lower_eq(b, 'e')) || (lower_eq(a, 'v') && lower_eq(b, 'e')) ||
          (lower_eq(a, 'l') && lower_eq(b, 'l')))
        return 3;
    }
  }
  /* 2: [^\r\n\p{L}\p{N}]?\p{L}+ */
  {
    size_t j = i;
    if (!is_crlf(c0) && !is_letter(c0) && !is_number(c0) && i + l0 < t.n) {
      size_t lx;
      if (is_letter(cp_at(t, i + l0, &lx))) j = i + l0; /* the optional char is taken */
    }
    size_t lx;
    if (j < t.n && is_letter(cp_at(t, j, &lx))) {
      while (j < t.n && is_letter(cp_at(t, j, &lx))) j += lx;
      return j - i;
    }
  }
  /* 3: \p{N}{1,3} */
  if (is_number(c0)) {
    size_t j = i, lx;
    for (int k = 0; k < 3 && j < t.n && is_number(cp_at(t, j, &lx)); k++) j += lx;
    return j - i;
  }
  /* 4: ' '?[^\s\p{L}\p{N}]+[\r\n]* */
  {
    size_t j = i, lx;
    if (c0 == ' ' && i + 1 < t.n && is_other(cp_at(t, i + 1, &lx))) j = i + 1;
    if (j < t.n && is_other(cp_at(t, j, &lx))) {
      while (j < t.n && is_other(cp_at(t, j, &lx))) j += lx;
      while (j < t.n && is_crlf(t.s[j])) j++;
      return j - i;
    }
  }
  /* 5-7: a whitespace run [i, e) */
  if (is_space(c0)) {
    size_t e = i, last_nl = 0, last_start = i, lx;
    int have_nl = 0;
    unsigned count = 0;
    while (e < t.n) {
      uint32_t c = cp_at(t, e, &lx);
      if (!is_space(c)) break;
      if (is_crlf(c)) { have_nl = 1; last_nl = e; }
      last_start = e;
      e += lx;
      count++;
    }
    if (have_nl) return last_nl + 1 - i;              /* 5: \s*[\r\n]+ */
    if (e == t.n || count == 1) return e - i;         /* 6 at the end, or 7 */
    return last_start - i;                            /* 6: leave one before \S */
  }
  return l0; /* unreachable: every character is L, N, \s or other */
}

size_t tern_tok_split(const char *text, size_t len,
                      void (*fn)(const char *piece, size_t len, void *ctx), void *ctx) {
  cps t = {(const uint8_t *)text, len};
  size_t i = 0, n = 0;
  while (i < len) {
    size_t l = split_one(t, i);
    if (fn) fn(text + i, l, ctx);
    i += l;
    n++;
  }
  return n;
}

/* ---- GPT-2 byte <-> unicode ------------------------------------------------- */

/* Printable bytes map to themselves, the rest to 256 + their rank. */
static int byte_printable(unsigned b) {
  return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
}

uint32_t tern_tok_byte_to_cp(uint8_t b) {
  if (byte_printable(b)) return b;
  uint32_t n = 0;
  for (unsigned x = 0; x < b; x++)
    if (!byte_printable(x)) n++;
  return 256 + n;
}

static size_t put_utf8(uint32_t cp, uint8_t *o) {
  if (cp < 0x80) { o[0] = (uint8_t)cp; return 1; }
  if (cp < 0x800) { o[0] = (uint8_t)(0xc0 | cp >> 6); o[1] = (uint8_t)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = (uint8_t)(0xe0 | cp >> 12); o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (uint8_t)(0xf0 | cp >> 18); o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

/* ---- string hash (open addressing) ------------------------------------------ */

typedef struct shash {
  uint32_t *slot; /* value index + 1, 0 = empty */
  size_t mask;
} shash;

static uint64_t fnv(const uint8_t *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
  return h;
}

struct tern_tok {
  uint32_t n_tokens;
  uint8_t *arena; /* token strings, then decoded bytes */
  size_t *str_off, *str_len, *dec_off, *dec_len;
  uint8_t *type;
  shash vocab; /* token string -> id */
  uint32_t n_merges;
  size_t *m_off, *m_len; /* merge strings "a b" in m_arena */
  uint8_t *m_arena;
  shash merges; /* "a b" -> rank */
  int32_t bos, eos;
  int add_bos;
  uint32_t byte_tok[256]; /* token of each single byte, UINT32_MAX if none */
};

static int sh_init(shash *h, size_t n) {
  size_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  h->slot = calloc(cap, sizeof *h->slot);
  h->mask = cap - 1;
  return h->slot ? TERN_OK : TERN_ERR_NOMEM;
}

/* Inserts idx unless the key exists (first one wins, like llama.cpp). */
static void sh_put(shash *h, const uint8_t *base, const size_t *off, const size_t *len,
                   uint32_t idx) {
  size_t p = (size_t)fnv(base + off[idx], len[idx]) & h->mask;
  while (h->slot[p]) {
    uint32_t o = h->slot[p] - 1;
    if (len[o] == len[idx] && !memcmp(base + off[o], base + off[idx], len[idx])) return;
    p = (p + 1) & h->mask;
  }
  h->slot[p] = idx + 1;
}

static int64_t sh_get(const shash *h, const uint8_t *base, const size_t *off, const size_t *len,
                      const uint8_t *key, size_t n) {
  size_t p = (size_t)fnv(key, n) & h->mask;
  while (h->slot[p]) {
    uint32_t o = h->slot[p] - 1;
    if (len[o] == n && !memcmp(base + off[o], key, n)) return o;
    p = (p + 1) & h->mask;
  }
  return -1;
}

void tern_tok_free(tern_tok *t) {
  if (!t) return;
  free(t->arena);
  free(t->str_off);
  free(t->str_len);
  free(t->dec_off);
  free(t->dec_len);
  free(t->type);
  free(t->vocab.slot);
  free(t->m_off);
  free(t->m_len);
  free(t->m_arena);
  free(t->merges.slot);
  free(t);
}

/* Maps a token string (GPT-2 unicode form) back to bytes: code points in the
 * byte map become their byte, others stay as UTF-8. */
static size_t unmap(const uint8_t *s, size_t n, uint8_t *out) {
  size_t w = 0, i = 0;
  while (i < n) {
    uint32_t cp;
    size_t l = u8dec(s + i, n - i, &cp);
    int b = -1;
    if (cp != NOT_A_CP && cp < 256 && byte_printable(cp)) b = (int)cp;
    else if (cp != NOT_A_CP && cp >= 256 && cp < 256 + 68) {
      uint32_t k = cp - 256, seen = 0;
      for (unsigned x = 0; x < 256; x++)
        if (!byte_printable(x) && seen++ == k) { b = (int)x; break; }
    }
    if (b >= 0) out[w++] = (uint8_t)b;
    else { memcpy(out + w, s + i, l); w += l; }
    i += l;
  }
  return w;
}

int tern_tok_from_gguf(const tern_gguf *g, tern_tok **out, tern_err *err) {
  if (!g || !out) return tern_errf(err, TERN_ERR_NULL, "tokenizer: NULL argument");
  *out = NULL;
  const uint8_t *model;
  size_t model_len;
  if (tern_gguf_get_str(g, "tokenizer.ggml.model", &model, &model_len))
    return tern_errf(err, TERN_ERR_FORMAT, "tokenizer: tokenizer.ggml.model missing");
  if (model_len != 4 || memcmp(model, "gpt2", 4))
    return tern_errf(err, TERN_ERR_UNSUPPORTED, "tokenizer: model '%.*s' not supported (gpt2 is)",
                     (int)(model_len > 32 ? 32 : model_len), (const char *)model);
  const tern_gguf_kv *toks = tern_gguf_kv_find(g, "tokenizer.ggml.tokens");
  if (!toks || toks->type != TERN_GGUF_ARRAY || toks->arr_type != TERN_GGUF_STRING ||
      toks->arr_n == 0 || toks->arr_n > (1u << 24))
    return tern_errf(err, TERN_ERR_FORMAT, "tokenizer: tokenizer.ggml.tokens missing or invalid");
  const tern_gguf_kv *merges = tern_gguf_kv_find(g, "tokenizer.ggml.merges");
  if (merges && (merges->type != TERN_GGUF_ARRAY || merges->arr_type != TERN_GGUF_STRING ||
                 merges->arr_n > (1u << 24)))
    return tern_errf(err, TERN_ERR_FORMAT, "tokenizer: tokenizer.ggml.merges invalid");
  const tern_gguf_kv *types = tern_gguf_kv_find(g, "tokenizer.ggml.token_type");
  if (types && (types->type != TERN_GGUF_ARRAY || types->arr_n != toks->arr_n))
    return tern_errf(err, TERN_ERR_FORMAT, "tokenizer: token_type length differs from tokens");

  tern_tok *t = calloc(1, sizeof *t);
  if (!t) return tern_errf(err, TERN_ERR_NOMEM, "tokenizer: out of memory");
  uint32_t n = (uint32_t)toks->arr_n;
  t->n_tokens = n;
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s;
    size_t l;
    tern_gguf_arr_str(toks, i, &s, &l);
    total += l;
  }
  /* decoded bytes are never longer than the string */
  t->arena = malloc(total * 2 + 1);
  t->str_off = malloc(n * sizeof(size_t));
  t->str_len = malloc(n * sizeof(size_t));
  t->dec_off = malloc(n * sizeof(size_t));
  t->dec_len = malloc(n * sizeof(size_t));
  t->type = malloc(n);
  int st = TERN_ERR_NOMEM;
  if (!t->arena || !t->str_off || !t->str_len || !t->dec_off || !t->dec_len || !t->type ||
      sh_init(&t->vocab, n))
    goto nomem;
  size_t w = 0;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s;
    size_t l;
    tern_gguf_arr_str(toks, i, &s, &l);
    memcpy(t->arena + w, s, l);
    t->str_off[i] = w;
    t->str_len[i] = l;
    w += l;
    int64_t ty = 1;
    if (types && tern_gguf_arr_int(types, i, &ty)) {
      st = tern_errf(err, TERN_ERR_FORMAT, "tokenizer: token_type must be an integer array");
      goto fail;
    }
    t->type[i] = (uint8_t)(ty >= 0 && ty < 256 ? ty : 0);
  }
  for (uint32_t i = 0; i < n; i++) {
    t->dec_off[i] = w;
    t->dec_len[i] = t->type[i] == 3 ? 0 : unmap(t->arena + t->str_off[i], t->str_len[i], t->arena + w);
    w += t->dec_len[i];
    sh_put(&t->vocab, t->arena, t->str_off, t->str_len, i);
  }
  for (unsigned b = 0; b < 256; b++) {
    uint8_t u[4];
    size_t l = put_utf8(tern_tok_byte_to_cp((uint8_t)b), u);
    int64_t id = sh_get(&t->vocab, t->arena, t->str_off, t->str_len, u, l);
    t->byte_tok[b] = id < 0 ? UINT32_MAX : (uint32_t)id;
  }
  if (merges) {
    uint32_t nm = (uint32_t)merges->arr_n;
    size_t mt = 0;
    for (uint32_t i = 0; i < nm; i++) {
      const uint8_t *s;
      size_t l;
      tern_gguf_arr_str(merges, i, &s, &l);
      mt += l;
    }
    t->n_merges = nm;
    t->m_arena = malloc(mt + 1);
    t->m_off = malloc((nm ? nm : 1) * sizeof(size_t));
    t->m_len = malloc((nm ? nm : 1) * sizeof(size_t));
    if (!t->m_arena || !t->m_off || !t->m_len || sh_init(&t->merges, nm)) goto nomem;
    size_t mw = 0;
    for (uint32_t i = 0; i < nm; i++) {
      const uint8_t *s;
      size_t l;
      tern_gguf_arr_str(merges, i, &s, &l);
      memcpy(t->m_arena + mw, s, l);
      t->m_off[i] = mw;
      t->m_len[i] = l;
      mw += l;
      sh_put(&t->merges, t->m_arena, t->m_off, t->m_len, i);
    }
  }
  uint32_t v;
  t->bos = t->eos = -1;
  if (!tern_gguf_get_u32(g, "tokenizer.ggml.bos_token_id", &v)) {
    if (v >= n) {
      st = tern_errf(err, TERN_ERR_VALUE, "tokenizer: bos_token_id %u >= %u tokens", v, n);
      goto fail;
    }
    t->bos = (int32_t)v;
  }
  if (!tern_gguf_get_u32(g, "tokenizer.ggml.eos_token_id", &v)) {
    if (v >= n) {
      st = tern_errf(err, TERN_ERR_VALUE, "tokenizer: eos_token_id %u >= %u tokens", v, n);
      goto fail;
    }
    t->eos = (int32_t)v;
  }
  int ab;
  t->add_bos = t->bos >= 0;
  if (!tern_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &ab)) t->add_bos = ab && t->bos >= 0;
  *out = t;
  return TERN_OK;
nomem:
  st = tern_errf(err, TERN_ERR_NOMEM, "tokenizer: out of memory");
fail:
  tern_tok_free(t);
  return st;
}

uint32_t tern_tok_vocab(const tern_tok *t) { return t ? t->n_tokens : 0; }
int32_t tern_tok_bos(const tern_tok *t) { return t ? t->bos : -1; }
int32_t tern_tok_eos(const tern_tok *t) { return t ? t->eos : -1; }
int tern_tok_add_bos(const tern_tok *t) { return t ? t->add_bos : 0; }

int tern_tok_decode(const tern_tok *t, uint32_t id, uint8_t *out, size_t cap, size_t *n) {
  if (!t || (!out && cap)) return TERN_ERR_NULL;
  if (id >= t->n_tokens) return TERN_ERR_VALUE;
  size_t l = t->dec_len[id];
  if (n) *n = l;
  memcpy(out, t->arena + t->dec_off[id], l < cap ? l : cap);
  return l <= cap ? TERN_OK : TERN_ERR_TRUNC;
}

/* ---- encoding ----------------------------------------------------------------- */

typedef struct enc {
  const tern_tok *t;
  uint32_t *ids;
  size_t cap, n;
  int st;
  uint8_t *buf; /* mapped piece + scratch */
  size_t buf_cap;
  size_t *sym_off, *sym_len; /* symbols of the piece in buf */
  size_t sym_cap;
} enc;

static void emit(enc *e, uint32_t id) {
  if (e->n < e->cap) e->ids[e->n] = id;
  else if (!e->st) e->st = TERN_ERR_TRUNC;
  e->n++;
}

static int64_t vocab_id(const tern_tok *t, const uint8_t *s, size_t n) {
  return sh_get(&t->vocab, t->arena, t->str_off, t->str_len, s, n);
}

static void encode_piece(const char *piece, size_t len, void *ctx) {
  enc *e = ctx;
  if (e->st && e->st != TERN_ERR_TRUNC) return;
  const tern_tok *t = e->t;
  /* map bytes to GPT-2 code points; <= 2 UTF-8 bytes each, plus room for a
   * merge key (a, ' ', b) */
  size_t need = len * 2 * 2 + 2;
  if (need > e->buf_cap) {
    uint8_t *nb = realloc(e->buf, need);
    if (!nb) { e->st = TERN_ERR_NOMEM; return; }
    e->buf = nb;
    e->buf_cap = need;
  }
  if (len > e->sym_cap) {
    size_t *a = realloc(e->sym_off, len * sizeof(size_t));
    if (!a) { e->st = TERN_ERR_NOMEM; return; }
    e->sym_off = a;
    size_t *b = realloc(e->sym_len, len * sizeof(size_t));
    if (!b) { e->st = TERN_ERR_NOMEM; return; }
    e->sym_len = b;
    e->sym_cap = len;
  }
  size_t w = 0, ns = 0;
  for (size_t i = 0; i < len; i++) {
    size_t l = put_utf8(tern_tok_byte_to_cp((uint8_t)piece[i]), e->buf + w);
    e->sym_off[ns] = w;
    e->sym_len[ns++] = l;
    w += l;
  }
  uint8_t *key = e->buf + w; /* scratch after the mapped piece */
  /* ignore_merges (Llama 3): a piece that is a token is that token */
  int64_t whole = vocab_id(t, e->buf, w);
  if (whole >= 0) {
    emit(e, (uint32_t)whole);
    return;
  }
  /* merge the adjacent pair of lowest rank until none is left; symbols stay
   * contiguous in buf, so a merge just widens the left one */
  while (ns > 1 && t->n_merges) {
    int64_t best = -1;
    size_t at = 0;
    for (size_t s = 0; s + 1 < ns; s++) {
      size_t la = e->sym_len[s], lb = e->sym_len[s + 1];
      memcpy(key, e->buf + e->sym_off[s], la);
      key[la] = ' ';
      memcpy(key + la + 1, e->buf + e->sym_off[s + 1], lb);
      int64_t r = sh_get(&t->merges, t->m_arena, t->m_off, t->m_len, key, la + 1 + lb);
      if (r >= 0 && (best < 0 || r < best)) {
        best = r;
        at = s;
      }
    }
    if (best < 0) break;
    e->sym_len[at] += e->sym_len[at + 1];
    memmove(e->sym_off + at + 1, e->sym_off + at + 2, (ns - at - 2) * sizeof(size_t));
    memmove(e->sym_len + at + 1, e->sym_len + at + 2, (ns - at - 2) * sizeof(size_t));
    ns--;
  }
  for (size_t s = 0; s < ns; s++) {
    int64_t id = vocab_id(t, e->buf + e->sym_off[s], e->sym_len[s]);
    if (id >= 0) {
      emit(e, (uint32_t)id);
      continue;
    }
    /* not in the vocabulary (inconsistent merges): fall back to its bytes */
    const uint8_t *p = e->buf + e->sym_off[s], *end = p + e->sym_len[s];
    while (p < end) {
      uint32_t cp;
      size_t l = u8dec(p, (size_t)(end - p), &cp);
      uint8_t bytes[4];
      size_t nb = unmap(p, l, bytes);
      p += l;
      for (size_t k = 0; k < nb; k++) {
        if (t->byte_tok[bytes[k]] == UINT32_MAX) {
          e->st = TERN_ERR_VALUE;
          return;
        }
        emit(e, t->byte_tok[bytes[k]]);
      }
    }
  }
}

int tern_tok_encode(const tern_tok *t, const char *text, size_t len, uint32_t *ids, size_t cap,
                    size_t *n) {
  if (!t || (!text && len) || (!ids && cap)) return TERN_ERR_NULL;
  enc e = {t, ids, cap, 0, TERN_OK, NULL, 0, NULL, NULL, 0};
  tern_tok_split(text, len, encode_piece, &e);
  free(e.buf);
  free(e.sym_off);
  free(e.sym_len);
  if (n) *n = e.n;
  return e.st;
}

/* ---- UTF-8 streaming -------------------------------------------------------------- */

static size_t seq_len(uint8_t b) {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b < 0xe0) return 2;
  if (b >= 0xe0 && b < 0xf0) return 3;
  if (b >= 0xf0 && b < 0xf5) return 4;
  return 0;
}

static const uint8_t REPL[3] = {0xef, 0xbf, 0xbd};

size_t tern_utf8_push(tern_utf8_stream *s, const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    s->pend[s->npend++] = in[i];
    for (;;) {
      size_t need = seq_len(s->pend[0]);
      if (need == 0) { /* invalid lead byte */
        if (w + 3 <= cap) { memcpy(out + w, REPL, 3); w += 3; }
        memmove(s->pend, s->pend + 1, --s->npend);
        if (!s->npend) break;
        continue;
      }
      size_t ok = 1;
      while (ok < s->npend && ok < need && (s->pend[ok] & 0xc0) == 0x80) ok++;
      if (ok < s->npend && ok < need) { /* broken sequence: replace the prefix */
        if (w + 3 <= cap) { memcpy(out + w, REPL, 3); w += 3; }
        memmove(s->pend, s->pend + ok, s->npend - ok);
        s->npend -= (unsigned)ok;
        continue;
      }
      if (s->npend < need) break; /* wait for more */
      uint32_t cp;
      if (u8dec(s->pend, need, &cp) != need) { /* overlong / surrogate */
        if (w + 3 <= cap) { memcpy(out + w, REPL, 3); w += 3; }
      } else if (w + need <= cap) {
        memcpy(out + w, s->pend, need);
        w += need;
      }
      s->npend -= (unsigned)need;
      memmove(s->pend, s->pend + need, s->npend);
      if (!s->npend) break;
    }
  }
  return w;
}

size_t tern_utf8_flush(tern_utf8_stream *s, uint8_t *out, size_t cap) {
  size_t w = 0;
  if (s->npend && cap >= 3) {
    memcpy(out, REPL, 3);
    w = 3;
  }
  s->npend = 0;
  return w;
}

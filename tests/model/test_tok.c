/* Tokenizer: the Llama-3 pre-tokenizer split on tricky strings, GPT-2 byte
 * map, BPE merges on a hand-made vocabulary, round trips, UTF-8 streaming. */
#include "suites.h"
#include "tern_gguf.h"

typedef struct pieces {
  char buf[1024];
  size_t n;
} pieces;

static void join(const char *p, size_t l, void *ctx) {
  pieces *ps = ctx;
  if (ps->n + l + 2 < sizeof ps->buf) {
    memcpy(ps->buf + ps->n, p, l);
    ps->n += l;
    ps->buf[ps->n++] = '|';
    ps->buf[ps->n] = 0;
  }
}

static void t_split(tt_ctx *c) {
  /* expected pieces, '|'-terminated; worked out from the regex by hand
   * (docs/firmware.md explains each alternative) */
  static const char *const cases[][2] = {
      {"Hello world", "Hello| world|"},
      {"I'm here", "I|'m| here|"},
      {"it's  ok", "it|'s| | ok|"},
      {"don'T WE'LL I've", "don|'T| WE|'LL| I|'ve|"},
      {"123456789", "123|456|789|"},
      {"abc123def", "abc|123|def|"},
      {"1,000,000", "1|,|000|,|000|"},
      {"$100", "$|100|"},
      {"hello!!! world", "hello|!!!| world|"},
      {"a\n\nb", "a|\n\n|b|"},
      {"a  \n  b", "a|  \n| | b|"},
      {"x\r\ny", "x|\r\n|y|"},
      {"end.  ", "end|.|  |"},
      {"'hello", "'hello|"},
      {"a'''b", "a|'''|b|"},
      {"?!\n\nok", "?!\n\n|ok|"},
      {"\t\tfoo", "\t|\tfoo|"},
      {"a \n", "a| \n|"},
      {"  ", "  |"},
      {"\xc3\xbc" "ber stra\xc3\x9f" "e", "\xc3\xbc" "ber| stra\xc3\x9f" "e|"},
      {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e|"},
      {"\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6", "\xd9\xa3\xd9\xa4\xd9\xa5|\xd9\xa6|"},
      {" \xf0\x9f\x98\x80x", " \xf0\x9f\x98\x80|x|"},
      {"a\xff" "b", "a|\xff" "b|"},
      {"x\xc2\xa0y", "x|\xc2\xa0y|"}, /* NBSP is \s but not \r\n/L/N: alternative 2 takes it */
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pieces ps = {{0}, 0};
    size_t n = tern_tok_split(cases[i][0], strlen(cases[i][0]), join, &ps);
    if (!TT_CHECK(c, !strcmp(ps.buf, cases[i][1]))) fprintf(stderr, "       case %zu: got '%s'\n", i, ps.buf);
    size_t bars = 0;
    for (const char *p = cases[i][1]; *p; p++) bars += *p == '|';
    TT_EQ_INT(c, n, bars);
  }
  /* pieces always tile the input exactly (random bytes) */
  uint64_t s = c->seed;
  for (int r = 0; r < 200; r++) {
    char t[64];
    size_t l = tt_range(&s, 0, 63);
    static const char alpha[] = "ab 1\n\r\t'sS.!\xc3\xa9\xe6\x97\xa5\xff";
    for (size_t k = 0; k < l; k++) t[k] = alpha[tt_range(&s, 0, sizeof alpha - 2)];
    pieces ps = {{0}, 0};
    tern_tok_split(t, l, join, &ps);
    size_t w = 0, ok = 1;
    for (size_t k = 0; k < ps.n; k++)
      if (ps.buf[k] != '|') ok &= w < l && ps.buf[k] == t[w++];
    TT_CHECK(c, ok && w == l);
  }
}

static void t_bytemap(tt_ctx *c) {
  TT_EQ_INT(c, tern_tok_byte_to_cp('A'), 'A');
  TT_EQ_INT(c, tern_tok_byte_to_cp(' '), 0x120);
  TT_EQ_INT(c, tern_tok_byte_to_cp('\n'), 0x10a);
  TT_EQ_INT(c, tern_tok_byte_to_cp(0), 0x100);
  TT_EQ_INT(c, tern_tok_byte_to_cp(0x7f), 0x121);
  TT_EQ_INT(c, tern_tok_byte_to_cp(0xad), 0x143);
  TT_EQ_INT(c, tern_tok_byte_to_cp(0xff), 0xff);
  /* a bijection onto 256 distinct code points */
  int dup = 0;
  for (int a = 0; a < 256; a++)
    for (int b = a + 1; b < 256; b++) dup += tern_tok_byte_to_cp((uint8_t)a) == tern_tok_byte_to_cp((uint8_t)b);
  TT_EQ_INT(c, dup, 0);
}

/* ---- a hand-made GGUF tokenizer: byte tokens + 3 merges ---------------------------- */
typedef struct gbuf {
  uint8_t *p;
  size_t n, cap;
} gbuf;
static void put(gbuf *b, const void *s, size_t n) {
  if (b->n + n > b->cap) b->p = realloc(b->p, b->cap = (b->n + n) * 2 + 64);
  memcpy(b->p + b->n, s, n);
  b->n += n;
}
static void le(gbuf *b, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    uint8_t x = (uint8_t)(v >> (8 * i));
    put(b, &x, 1);
  }
}
static void str(gbuf *b, const char *s) {
  le(b, strlen(s), 8);
  put(b, s, strlen(s));
}
static void cp_utf8(uint32_t cp, char *o) {
  if (cp < 0x80) { o[0] = (char)cp; o[1] = 0; }
  else { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3f)); o[2] = 0; }
}

static tern_tok *hand_tok(gbuf *b) {
  static const char *const merges[3] = {"\xc4\xa0 t", "h e", "\xc4\xa0t he"};
  static const char *const extra[4] = {"\xc4\xa0t", "he", "\xc4\xa0the", "<eos>"};
  le(b, 0x46554747u, 4); le(b, 3, 4); le(b, 0, 8); le(b, 4, 8);
  str(b, "tokenizer.ggml.model"); le(b, 8, 4); str(b, "gpt2");
  str(b, "tokenizer.ggml.tokens"); le(b, 9, 4); le(b, 8, 4); le(b, 260, 8);
  for (int i = 0; i < 256; i++) {
    char s[4];
    cp_utf8(tern_tok_byte_to_cp((uint8_t)i), s);
    str(b, s);
  }
  for (int i = 0; i < 4; i++) str(b, extra[i]);
  str(b, "tokenizer.ggml.merges"); le(b, 9, 4); le(b, 8, 4); le(b, 3, 8);
  for (int i = 0; i < 3; i++) str(b, merges[i]);
  str(b, "tokenizer.ggml.eos_token_id"); le(b, 4, 4); le(b, 259, 4);
  tern_gguf *g;
  tern_err err;
  if (tern_gguf_parse(b->p, b->n, &g, &err)) return NULL;
  tern_tok *t = NULL;
  tern_tok_from_gguf(g, &t, &err);
  tern_gguf_free(g);
  return t;
}

static void t_bpe(tt_ctx *c) {
  gbuf b = {0};
  tern_tok *t = hand_tok(&b);
  if (!TT_CHECK(c, t != NULL)) { free(b.p); return; }
  TT_EQ_INT(c, tern_tok_vocab(t), 260);
  TT_EQ_INT(c, tern_tok_eos(t), 259);
  TT_EQ_INT(c, tern_tok_bos(t), -1);
  uint32_t ids[32];
  size_t n;
  TT_EQ_INT(c, tern_tok_encode(t, " the", 4, ids, 32, &n), 0); /* the whole piece is a token */
  TT_CHECK(c, n == 1 && ids[0] == 258);
  TT_EQ_INT(c, tern_tok_encode(t, " th", 3, ids, 32, &n), 0);
  TT_CHECK(c, n == 2 && ids[0] == 256 && ids[1] == 'h');
  TT_EQ_INT(c, tern_tok_encode(t, "hehe", 4, ids, 32, &n), 0);
  TT_CHECK(c, n == 2 && ids[0] == 257 && ids[1] == 257);
  TT_EQ_INT(c, tern_tok_encode(t, "the hehe", 8, ids, 32, &n), 0);
  /* pieces "the" -> t,he ; " hehe" -> Ġ,he,he */
  TT_CHECK(c, n == 5 && ids[0] == 't' && ids[1] == 257 && ids[2] == ' ' && ids[3] == 257 && ids[4] == 257);
  TT_EQ_INT(c, tern_tok_encode(t, "hehe", 4, ids, 1, &n), TERN_ERR_TRUNC);
  TT_EQ_INT(c, n, 2);
  uint8_t out[16];
  TT_EQ_INT(c, tern_tok_decode(t, 258, out, sizeof out, &n), 0);
  TT_CHECK(c, n == 4 && !memcmp(out, " the", 4));
  TT_EQ_INT(c, tern_tok_decode(t, 10, out, sizeof out, &n), 0); /* byte token 10 = "\n" via Ċ */
  TT_CHECK(c, n == 1 && out[0] == '\n');
  TT_EQ_INT(c, tern_tok_decode(t, 260, out, sizeof out, &n), TERN_ERR_VALUE);
  tern_tok_free(t);
  free(b.p);
}

/* Round trips through the tokenizer gen-model writes. */
static void t_roundtrip(tt_ctx *c) {
  char path[512];
  snprintf(path, sizeof path, "%s/tok.gguf", tm_tmpdir());
  tern_model_config cf;
  tern_gen_preset("tiny", &cf);
  cf.layers = 1;
  tern_err err;
  if (!TM_EQ(c, tern_gen_model(path, &cf, 3, TERN_GEN_GGUF_I2S, &err), 0)) return;
  tern_file *f;
  if (!TM_EQ(c, tern_file_open(path, &f, &err), 0)) return;
  tern_tok *t = NULL;
  TT_EQ_INT(c, tern_tok_from_gguf(tern_file_gguf(f), &t, &err), 0);
  if (!t) { tern_file_close(f); return; }
  TT_EQ_INT(c, tern_tok_vocab(t), cf.vocab);
  TT_CHECK(c, tern_tok_add_bos(t) && tern_tok_bos(t) >= 256 && tern_tok_eos(t) == tern_tok_bos(t) + 1);
  static const char *const texts[] = {
      "The quick brown fox jumps over the lazy dog.", "It's 2025!\n\nNew   lines\r\n and\ttabs  ",
      "\xc3\xbc" "ber \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "raw \xff\xfe bytes \x80", "", "a"};
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    uint32_t ids[256];
    size_t n, l = strlen(texts[i]);
    TT_EQ_INT(c, tern_tok_encode(t, texts[i], l, ids, 256, &n), 0);
    uint8_t out[1024];
    size_t w = 0;
    for (size_t k = 0; k < n; k++) {
      size_t m;
      TT_CHECK(c, ids[k] < cf.vocab);
      TT_EQ_INT(c, tern_tok_decode(t, ids[k], out + w, sizeof out - w, &m), 0);
      w += m;
    }
    TT_CHECK(c, w == l && !memcmp(out, texts[i], l));
    if (i == 0 && !TT_CHECK(c, n * 4 < l * 3)) fprintf(stderr, "       %zu tokens for %zu bytes\n", n, l);
  }
  tern_tok_free(t);
  tern_file_close(f);
}

static void t_utf8_stream(tt_ctx *c) {
  tern_utf8_stream s = {{0}, 0};
  uint8_t o[64];
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"a\xc3", 2, o, sizeof o), 1);
  TT_CHECK(c, o[0] == 'a');
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\xa9", 1, o, sizeof o), 2);
  TT_CHECK(c, o[0] == 0xc3 && o[1] == 0xa9);
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\xf0\x9f", 2, o, sizeof o), 0);
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\x98\x80!", 3, o, sizeof o), 5);
  TT_CHECK(c, !memcmp(o, "\xf0\x9f\x98\x80!", 5));
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\xff" "b", 2, o, sizeof o), 4); /* FFFD b */
  TT_CHECK(c, !memcmp(o, "\xef\xbf\xbd" "b", 4));
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\xe6\x97" "a", 3, o, sizeof o), 4);
  TT_CHECK(c, !memcmp(o, "\xef\xbf\xbd" "a", 4));
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\xe6", 1, o, sizeof o), 0);
  TT_EQ_INT(c, tern_utf8_flush(&s, o, sizeof o), 3);
  TT_EQ_INT(c, tern_utf8_push(&s, (const uint8_t *)"\xed\xa0\x80", 3, o, sizeof o), 3); /* surrogate */
  TT_CHECK(c, !memcmp(o, "\xef\xbf\xbd", 3));
}

void suite_tok(tt_ctx *c) {
  tt_run(c, "tok_split", t_split);
  tt_run(c, "tok_bytemap", t_bytemap);
  tt_run(c, "tok_bpe", t_bpe);
  tt_run(c, "tok_roundtrip", t_roundtrip);
  tt_run(c, "tok_utf8_stream", t_utf8_stream);
}

/* The JSON reader behind safetensors headers and config.json. */
#include "suites.h"
#include "tern.h"
#include "tern_json.h"

static int parse(const char *s, tern_json *j) { return tern_json_parse(s, strlen(s), j, NULL); }

static void t_json_values(tt_ctx *c) {
  tern_json j;
  const char *s = " {\"a\": [1, -2.5e3, true, false, null], \"b\\u00e9\\n\": \"x\\\"y\\ud83d\\ude00\","
                  " \"c\": {\"d\": 18446744073709551615}} ";
  TT_EQ_INT(c, parse(s, &j), 0);
  uint32_t a = tern_json_get(&j, 0, "a");
  TT_CHECK(c, a != TERN_J_NONE && j.nodes[a].type == TERN_J_ARR && j.nodes[a].n == 5);
  double d;
  uint64_t u;
  TT_EQ_INT(c, tern_json_u64(&j, tern_json_at(&j, a, 0), &u), 0);
  TT_EQ_INT(c, u, 1);
  TT_EQ_INT(c, tern_json_num(&j, tern_json_at(&j, a, 1), &d), 0);
  TT_CHECK(c, d == -2500.0);
  TT_CHECK(c, tern_json_u64(&j, tern_json_at(&j, a, 1), &u) != 0); /* not an integer */
  TT_CHECK(c, j.nodes[tern_json_at(&j, a, 2)].type == TERN_J_TRUE);
  TT_CHECK(c, j.nodes[tern_json_at(&j, a, 4)].type == TERN_J_NULL);
  TT_CHECK(c, tern_json_at(&j, a, 5) == TERN_J_NONE);
  uint32_t b = tern_json_get(&j, 0, "b\xc3\xa9\n"); /* key with escapes */
  TT_CHECK(c, b != TERN_J_NONE);
  char buf[32];
  size_t n;
  TT_EQ_INT(c, tern_json_str(&j, b, buf, sizeof buf, &n), 0);
  TT_EQ_INT(c, n, 7);
  TT_CHECK(c, !memcmp(buf, "x\"y\xf0\x9f\x98\x80", 7));
  TT_CHECK(c, tern_json_str(&j, b, buf, 4, &n) == TERN_ERR_TRUNC);
  uint32_t cc = tern_json_get(&j, 0, "c");
  TT_EQ_INT(c, tern_json_u64(&j, tern_json_get(&j, cc, "d"), &u), 0);
  TT_CHECK(c, u == UINT64_MAX);
  TT_CHECK(c, tern_json_get(&j, 0, "zz") == TERN_J_NONE);
  TT_CHECK(c, tern_json_get(&j, a, "a") == TERN_J_NONE); /* not an object */
  tern_json_free(&j);
  TT_EQ_INT(c, parse("{\"n\": 18446744073709551616}", &j), 0);
  TT_CHECK(c, tern_json_u64(&j, tern_json_get(&j, 0, "n"), &u) != 0); /* overflow */
  tern_json_free(&j);
}

static void t_json_errors(tt_ctx *c) {
  static const char *const bad[] = {
      "", "{", "[1,", "{\"a\" 1}", "{\"a\":}", "[1 2]", "{,}", "[01]", "[1.]", "[1e]", "[-]",
      "\"abc", "\"a\\x\"", "\"\\u12g4\"", "[tru]", "nul", "{} x", "{\"a\":1,}", "[\"a\nb\"]",
      "{1:2}", "\"\\u12"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    tern_json j;
    int st = parse(bad[i], &j);
    if (!TT_CHECK(c, st != 0)) fprintf(stderr, "       accepted: '%s'\n", bad[i]);
    tern_json_free(&j);
  }
  /* nesting depth */
  char deep[200];
  memset(deep, '[', 100);
  memset(deep + 100, ']', 100);
  tern_json j;
  TT_CHECK(c, tern_json_parse(deep, 200, &j, NULL) != 0);
  tern_json_free(&j);
  TT_EQ_INT(c, tern_json_parse(deep + 40, 120, &j, NULL), 0); /* 60 deep is fine */
  tern_json_free(&j);
  /* every prefix of a valid document is rejected, none crashes */
  const char *ok = "{\"k\": [1, {\"x\": \"\\u00e9\"}], \"t\": true}";
  for (size_t l = 0; l < strlen(ok); l++) {
    TT_CHECK(c, tern_json_parse(ok, l, &j, NULL) != 0);
    tern_json_free(&j);
  }
}

void suite_json(tt_ctx *c) {
  tt_run(c, "json_values", t_json_values);
  tt_run(c, "json_errors", t_json_errors);
}

/* Bounds-checked JSON reader; see tern_json.h. Recursive descent with an
 * explicit depth limit, so hostile input cannot exhaust the stack. */
#include "tern_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tern.h"

#define MAX_DEPTH 64
#define MAX_NODES (1u << 24)

typedef struct jp {
  tern_json *j;
  size_t pos;
} jp;

static void ws(jp *p) {
  while (p->pos < p->j->len) {
    char c = p->j->text[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    p->pos++;
  }
}

static uint32_t new_node(jp *p, tern_jtype t) {
  tern_json *j = p->j;
  if (j->count == j->cap) {
    if (j->cap >= MAX_NODES) return TERN_J_NONE;
    uint32_t nc = j->cap ? j->cap * 2 : 64;
    tern_jnode *nn = realloc(j->nodes, (size_t)nc * sizeof *nn);
    if (!nn) return TERN_J_NONE;
    j->nodes = nn;
    j->cap = nc;
  }
  uint32_t i = j->count++;
  tern_jnode *n = &j->nodes[i];
  n->type = t;
  n->start = (uint32_t)p->pos;
  n->len = 0;
  n->child = n->next = TERN_J_NONE;
  n->n = 0;
  return i;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* at the opening quote; leaves pos after the closing one */
static int scan_string(jp *p, uint32_t *start, uint32_t *len) {
  const char *t = p->j->text;
  size_t n = p->j->len;
  p->pos++;
  size_t s = p->pos;
  while (p->pos < n) {
    unsigned char c = (unsigned char)t[p->pos];
    if (c == '"') {
      *start = (uint32_t)s;
      *len = (uint32_t)(p->pos - s);
      p->pos++;
      return TERN_OK;
    }
    if (c < 0x20) return TERN_ERR_FORMAT;
    if (c == '\\') {
      if (p->pos + 1 >= n) return TERN_ERR_TRUNC;
      char e = t[p->pos + 1];
      if (e == 'u') {
        if (p->pos + 6 > n) return TERN_ERR_TRUNC;
        for (int k = 2; k < 6; k++)
          if (hexval(t[p->pos + (size_t)k]) < 0) return TERN_ERR_FORMAT;
        p->pos += 6;
        continue;
      }
      if (!strchr("\"\\/bfnrt", e)) return TERN_ERR_FORMAT;
      p->pos += 2;
      continue;
    }
    p->pos++;
  }
  return TERN_ERR_TRUNC;
}

static int scan_number(jp *p) {
  const char *t = p->j->text;
  size_t n = p->j->len, s = p->pos;
  if (p->pos < n && t[p->pos] == '-') p->pos++;
  if (p->pos >= n) return TERN_ERR_TRUNC;
  if (t[p->pos] == '0') p->pos++;
  else if (t[p->pos] >= '1' && t[p->pos] <= '9')
    while (p->pos < n && t[p->pos] >= '0' && t[p->pos] <= '9') p->pos++;
  else return TERN_ERR_FORMAT;
  if (p->pos < n && t[p->pos] == '.') {
    p->pos++;
    size_t d = p->pos;
    while (p->pos < n && t[p->pos] >= '0' && t[p->pos] <= '9') p->pos++;
    if (p->pos == d) return TERN_ERR_FORMAT;
  }
  if (p->pos < n && (t[p->pos] == 'e' || t[p->pos] == 'E')) {
    p->pos++;
    if (p->pos < n && (t[p->pos] == '+' || t[p->pos] == '-')) p->pos++;
    size_t d = p->pos;
    while (p->pos < n && t[p->pos] >= '0' && t[p->pos] <= '9') p->pos++;
    if (p->pos == d) return TERN_ERR_FORMAT;
  }
  if (p->pos - s > 64) return TERN_ERR_FORMAT; /* keeps tern_json_num's buffer small */
  return TERN_OK;
}

static int value(jp *p, int depth, uint32_t *out);

static int container(jp *p, int depth, uint32_t self, int is_obj) {
  char close = is_obj ? '}' : ']';
  p->pos++;
  ws(p);
  if (p->pos < p->j->len && p->j->text[p->pos] == close) {
    p->pos++;
    return TERN_OK;
  }
  uint32_t last = TERN_J_NONE;
  for (;;) {
    ws(p);
    if (p->pos >= p->j->len) return TERN_ERR_TRUNC;
    uint32_t first;
    if (is_obj) {
      if (p->j->text[p->pos] != '"') return TERN_ERR_FORMAT;
      uint32_t k = new_node(p, TERN_J_STR);
      if (k == TERN_J_NONE) return TERN_ERR_NOMEM;
      uint32_t s, l;
      int st = scan_string(p, &s, &l);
      if (st) return st;
      p->j->nodes[k].start = s;
      p->j->nodes[k].len = l;
      ws(p);
      if (p->pos >= p->j->len) return TERN_ERR_TRUNC;
      if (p->j->text[p->pos] != ':') return TERN_ERR_FORMAT;
      p->pos++;
      uint32_t v;
      if ((st = value(p, depth + 1, &v))) return st;
      p->j->nodes[k].next = v;
      first = k;
      if (last == TERN_J_NONE) p->j->nodes[self].child = first;
      else p->j->nodes[last].next = first;
      last = v;
    } else {
      uint32_t v;
      int st = value(p, depth + 1, &v);
      if (st) return st;
      if (last == TERN_J_NONE) p->j->nodes[self].child = v;
      else p->j->nodes[last].next = v;
      last = v;
    }
    p->j->nodes[self].n++;
    ws(p);
    if (p->pos >= p->j->len) return TERN_ERR_TRUNC;
    char c = p->j->text[p->pos++];
    if (c == close) return TERN_OK;
    if (c != ',') return TERN_ERR_FORMAT;
  }
}

static int value(jp *p, int depth, uint32_t *out) {
  if (depth > MAX_DEPTH) return TERN_ERR_DIM;
  ws(p);
  if (p->pos >= p->j->len) return TERN_ERR_TRUNC;
  const char *t = p->j->text + p->pos;
  size_t left = p->j->len - p->pos;
  char c = *t;
  uint32_t i;
  int st = TERN_OK;
  if (c == '{' || c == '[') {
    i = new_node(p, c == '{' ? TERN_J_OBJ : TERN_J_ARR);
    if (i == TERN_J_NONE) return TERN_ERR_NOMEM;
    st = container(p, depth, i, c == '{');
  } else if (c == '"') {
    i = new_node(p, TERN_J_STR);
    if (i == TERN_J_NONE) return TERN_ERR_NOMEM;
    uint32_t s, l;
    st = scan_string(p, &s, &l);
    p->j->nodes[i].start = s;
    p->j->nodes[i].len = l;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    i = new_node(p, TERN_J_NUM);
    if (i == TERN_J_NONE) return TERN_ERR_NOMEM;
    st = scan_number(p);
    p->j->nodes[i].len = (uint32_t)(p->pos - p->j->nodes[i].start);
  } else {
    static const struct { const char *w; tern_jtype t; } lit[] = {
        {"null", TERN_J_NULL}, {"true", TERN_J_TRUE}, {"false", TERN_J_FALSE}};
    for (int k = 0; k < 3; k++) {
      size_t wl = strlen(lit[k].w);
      if (left >= wl && !memcmp(t, lit[k].w, wl)) {
        i = new_node(p, lit[k].t);
        if (i == TERN_J_NONE) return TERN_ERR_NOMEM;
        p->pos += wl;
        *out = i;
        return TERN_OK;
      }
    }
    return left < 5 ? TERN_ERR_TRUNC : TERN_ERR_FORMAT;
  }
  *out = i;
  return st;
}

int tern_json_parse(const char *text, size_t len, tern_json *j, size_t *err_pos) {
  if (!text || !j) return TERN_ERR_NULL;
  memset(j, 0, sizeof *j);
  if (len >= UINT32_MAX) return TERN_ERR_DIM;
  j->text = text;
  j->len = len;
  jp p = {j, 0};
  uint32_t root;
  int st = value(&p, 0, &root);
  if (!st) {
    ws(&p);
    if (p.pos != len) st = TERN_ERR_FORMAT; /* trailing garbage */
  }
  if (st) {
    if (err_pos) *err_pos = p.pos;
    tern_json_free(j);
    j->text = text;
    j->len = len;
  }
  return st;
}

void tern_json_free(tern_json *j) {
  if (!j) return;
  free(j->nodes);
  j->nodes = NULL;
  j->count = j->cap = 0;
}

uint32_t tern_json_get(const tern_json *j, uint32_t obj, const char *key) {
  if (obj >= j->count || j->nodes[obj].type != TERN_J_OBJ) return TERN_J_NONE;
  for (uint32_t k = j->nodes[obj].child; k != TERN_J_NONE;) {
    uint32_t v = j->nodes[k].next;
    if (tern_json_str_eq(j, k, key)) return v;
    k = j->nodes[v].next;
  }
  return TERN_J_NONE;
}

uint32_t tern_json_at(const tern_json *j, uint32_t arr, uint32_t i) {
  if (arr >= j->count || j->nodes[arr].type != TERN_J_ARR || i >= j->nodes[arr].n)
    return TERN_J_NONE;
  uint32_t e = j->nodes[arr].child;
  while (i-- && e != TERN_J_NONE) e = j->nodes[e].next;
  return e;
}

int tern_json_num(const tern_json *j, uint32_t node, double *v) {
  if (node >= j->count || j->nodes[node].type != TERN_J_NUM) return TERN_ERR_FORMAT;
  char buf[80];
  const tern_jnode *n = &j->nodes[node];
  memcpy(buf, j->text + n->start, n->len); /* len <= 64 by scan_number */
  buf[n->len] = 0;
  *v = strtod(buf, NULL);
  if (!isfinite(*v)) return TERN_ERR_VALUE;
  return TERN_OK;
}

int tern_json_u64(const tern_json *j, uint32_t node, uint64_t *v) {
  if (node >= j->count || j->nodes[node].type != TERN_J_NUM) return TERN_ERR_FORMAT;
  const tern_jnode *n = &j->nodes[node];
  const char *t = j->text + n->start;
  uint64_t r = 0;
  if (n->len == 0 || n->len > 20) return TERN_ERR_VALUE;
  for (uint32_t i = 0; i < n->len; i++) {
    if (t[i] < '0' || t[i] > '9') return TERN_ERR_VALUE; /* sign, fraction, exponent */
    unsigned d = (unsigned)(t[i] - '0');
    if (r > (UINT64_MAX - d) / 10) return TERN_ERR_VALUE;
    r = r * 10 + d;
  }
  *v = r;
  return TERN_OK;
}

static size_t put_utf8(uint32_t cp, char *o) {
  if (cp < 0x80) { o[0] = (char)cp; return 1; }
  if (cp < 0x800) { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

static uint32_t hex4(const char *s) {
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) v = v << 4 | (uint32_t)hexval(s[k]);
  return v;
}

/* Decodes a string node; out may be NULL to measure. Spans were validated
 * by the parser, so escapes are complete. */
static size_t decode(const tern_json *j, const tern_jnode *n, char *out, size_t cap, int *fits) {
  const char *s = j->text + n->start, *e = s + n->len;
  size_t w = 0;
  *fits = 1;
  while (s < e) {
    char tmp[4];
    size_t k = 1;
    if (*s != '\\') {
      tmp[0] = *s++;
    } else {
      char c = s[1];
      s += 2;
      switch (c) {
      case 'b': tmp[0] = '\b'; break;
      case 'f': tmp[0] = '\f'; break;
      case 'n': tmp[0] = '\n'; break;
      case 'r': tmp[0] = '\r'; break;
      case 't': tmp[0] = '\t'; break;
      case 'u': {
        uint32_t cp = hex4(s);
        s += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && e - s >= 6 && s[0] == '\\' && s[1] == 'u') {
          uint32_t lo = hex4(s + 2);
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            s += 6;
          }
        }
        if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; /* lone surrogate */
        k = put_utf8(cp, tmp);
        break;
      }
      default: tmp[0] = c; break; /* " \ / */
      }
    }
    if (out) {
      if (w + k >= cap) *fits = 0;
      else memcpy(out + w, tmp, k);
    }
    w += k;
  }
  if (out && *fits) out[w] = 0;
  return w;
}

int tern_json_str(const tern_json *j, uint32_t node, char *out, size_t cap, size_t *n) {
  if (node >= j->count || j->nodes[node].type != TERN_J_STR || !out || !cap) return TERN_ERR_FORMAT;
  int fits;
  size_t w = decode(j, &j->nodes[node], out, cap, &fits);
  if (n) *n = w;
  return fits ? TERN_OK : TERN_ERR_TRUNC;
}

int tern_json_str_eq(const tern_json *j, uint32_t node, const char *s) {
  if (node >= j->count || j->nodes[node].type != TERN_J_STR) return 0;
  const tern_jnode *n = &j->nodes[node];
  size_t sl = strlen(s);
  /* fast path: no escapes */
  if (!memchr(j->text + n->start, '\\', n->len))
    return n->len == sl && !memcmp(j->text + n->start, s, sl);
  char buf[1024];
  int fits;
  size_t w = decode(j, n, buf, sizeof buf, &fits);
  return fits && w == sl && !memcmp(buf, s, sl);
}

/* ref_harness: runs a model through tern's runtime (firmware/model on a
 * tern_fw backend) and dumps what tests/ref/ref_check.py compares against
 * Hugging Face transformers: the int8 activations and int32 sums of every
 * BitLinear call, the logits of every step and the greedy tokens.
 *
 *   ref_harness --model PATH --ids 1,2,3 [--steps N] [--dump FILE]
 *               [--backend cmodel] [--backend-opts S] [--fmt i2|b3] [--batch N]
 *   ref_harness --model FILE.gguf --encode TEXTFILE    (token ids, one line)
 *
 * The BitLinear records come from linking with -Wl,--wrap=tern_fw_gemm:
 * every call the forward pass makes goes through __wrap_tern_fw_gemm below,
 * which records the int8 input and the int32 result of the real call. The
 * runtime itself is unchanged.
 *
 * Dump format (little-endian), after the magic "TRD1":
 *   'G' u32 layer, kind0, nmat, batch, k, pos0; i8 x[batch*k];
 *       nmat times: u32 rows; i32 y[batch*rows]        (kind0: tern_wkind)
 *   'L' u32 pos, vocab; f32 logits[vocab]               (after each forward)
 *   'T' u32 pos, id                                     (greedy token)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_model.h"

/* The harness is a program, not a library: the wrap needs to know the model
 * and the current position to label each call. */
static const tern_model *g_model;
static FILE *g_dump;
static uint32_t g_base_pos;
static uint32_t *g_seen; /* [layer * TERN_W_NTERN + kind]: tokens seen since g_base_pos */
static int g_dump_err;

int __real_tern_fw_gemm(tern_fw_accel *a, const tern_fw_mat *const *mats, unsigned nmat,
                        const int8_t *x, uint32_t batch, int32_t *const *y);
int __wrap_tern_fw_gemm(tern_fw_accel *a, const tern_fw_mat *const *mats, unsigned nmat,
                        const int8_t *x, uint32_t batch, int32_t *const *y);

static void put_u32(uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  if (fwrite(b, 1, 4, g_dump) != 4) g_dump_err = 1;
}

static void put_bytes(const void *p, size_t n) {
  if (n && fwrite(p, 1, n, g_dump) != n) g_dump_err = 1;
}

/* which (layer, kind) a matrix pointer is; -1 if none */
static int locate(const tern_fw_mat *m, uint32_t *layer, uint32_t *kind) {
  for (uint32_t l = 0; l < g_model->cfg.layers; l++)
    for (uint32_t k = 0; k < TERN_W_NTERN; k++)
      if (&g_model->layers[l].mat[k] == m) {
        *layer = l;
        *kind = k;
        return 0;
      }
  return -1;
}

int __wrap_tern_fw_gemm(tern_fw_accel *a, const tern_fw_mat *const *mats, unsigned nmat,
                        const int8_t *x, uint32_t batch, int32_t *const *y) {
  int st = __real_tern_fw_gemm(a, mats, nmat, x, batch, y);
  if (st || !g_dump || !g_model || nmat == 0) return st;
  uint32_t layer, kind;
  if (locate(mats[0], &layer, &kind)) {
    fprintf(stderr, "ref_harness: tern_fw_gemm on a matrix that is not the model's\n");
    g_dump_err = 1;
    return st;
  }
  uint32_t *seen = &g_seen[layer * TERN_W_NTERN + kind];
  put_u32('G');
  put_u32(layer);
  put_u32(kind);
  put_u32(nmat);
  put_u32(batch);
  put_u32(mats[0]->k);
  put_u32(g_base_pos + *seen);
  put_bytes(x, (size_t)batch * mats[0]->k);
  for (unsigned i = 0; i < nmat; i++) {
    put_u32(mats[i]->rows);
    put_bytes(y[i], (size_t)batch * mats[i]->rows * sizeof(int32_t));
  }
  *seen += batch;
  return st;
}

static int parse_ids(const char *s, uint32_t **ids, uint32_t *n) {
  size_t cap = 16, cnt = 0;
  uint32_t *v = malloc(cap * sizeof *v);
  if (!v) return -1;
  while (*s) {
    char *e;
    errno = 0;
    unsigned long x = strtoul(s, &e, 10);
    if (errno || e == s || x > UINT32_MAX || (*e && *e != ',')) {
      free(v);
      return -1;
    }
    if (cnt == cap) {
      uint32_t *nv = realloc(v, (cap *= 2) * sizeof *v);
      if (!nv) {
        free(v);
        return -1;
      }
      v = nv;
    }
    v[cnt++] = (uint32_t)x;
    s = *e ? e + 1 : e;
  }
  if (!cnt) {
    free(v);
    return -1;
  }
  *ids = v;
  *n = (uint32_t)cnt;
  return 0;
}

static int encode_file(const tern_file *f, const char *path) {
  tern_err err = {{0}};
  const tern_gguf *g = tern_file_gguf(f);
  if (!g) {
    fprintf(stderr, "ref_harness: --encode needs a GGUF model (the tokenizer is in it)\n");
    return 1;
  }
  tern_tok *tok = NULL;
  if (tern_tok_from_gguf(g, &tok, &err)) {
    fprintf(stderr, "ref_harness: %s\n", err.msg);
    return 1;
  }
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    fprintf(stderr, "ref_harness: cannot open %s\n", path);
    tern_tok_free(tok);
    return 1;
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t r;
  while (buf && (r = fread(buf + len, 1, cap - len, fp)) > 0) {
    len += r;
    if (len == cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        buf = NULL;
      }
      buf = nb;
    }
  }
  fclose(fp);
  uint32_t *ids = buf ? malloc((len + 1) * sizeof *ids) : NULL;
  size_t n = 0;
  int rc = 1;
  if (ids && !tern_tok_encode(tok, buf, len, ids, len + 1, &n)) {
    for (size_t i = 0; i < n; i++) printf(i ? ",%u" : "%u", ids[i]);
    printf("\n");
    rc = 0;
  } else {
    fprintf(stderr, "ref_harness: encoding failed\n");
  }
  free(ids);
  free(buf);
  tern_tok_free(tok);
  return rc;
}

static void usage(void) {
  fprintf(stderr, "usage: ref_harness --model PATH (--ids N,N,... [--steps N] [--dump FILE] "
                  "[--backend NAME] [--backend-opts S] [--fmt i2|b3] [--batch N] | "
                  "--encode TEXTFILE)\n");
}

int main(int argc, char **argv) {
  const char *model = NULL, *ids_s = NULL, *dump = NULL, *backend = "cmodel", *bopts = NULL;
  const char *encode = NULL;
  unsigned long steps = 0, batch = 16;
  tern_fmt fmt = TERN_FMT_B3;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) {
      usage();
      return 2;
    }
    const char *v = argv[++i];
    if (!strcmp(a, "--model")) model = v;
    else if (!strcmp(a, "--ids")) ids_s = v;
    else if (!strcmp(a, "--dump")) dump = v;
    else if (!strcmp(a, "--backend")) backend = v;
    else if (!strcmp(a, "--backend-opts")) bopts = v;
    else if (!strcmp(a, "--encode")) encode = v;
    else if (!strcmp(a, "--steps")) steps = strtoul(v, NULL, 10);
    else if (!strcmp(a, "--batch")) batch = strtoul(v, NULL, 10);
    else if (!strcmp(a, "--fmt")) {
      if (!strcmp(v, "i2")) fmt = TERN_FMT_I2;
      else if (!strcmp(v, "b3")) fmt = TERN_FMT_B3;
      else {
        usage();
        return 2;
      }
    } else {
      usage();
      return 2;
    }
  }
  if (!model || (!ids_s && !encode) || steps > 4096 || batch == 0 || batch > 4096) {
    usage();
    return 2;
  }
  tern_err err = {{0}};
  tern_file *f = NULL;
  if (tern_file_open(model, &f, &err)) {
    fprintf(stderr, "ref_harness: %s\n", err.msg);
    return 1;
  }
  if (encode) {
    int rc = encode_file(f, encode);
    tern_file_close(f);
    return rc;
  }
  uint32_t *ids = NULL, n = 0;
  if (parse_ids(ids_s, &ids, &n)) {
    fprintf(stderr, "ref_harness: bad --ids\n");
    tern_file_close(f);
    return 2;
  }
  int rc = 1, st;
  tern_fw_accel *acc = NULL;
  tern_model *m = NULL;
  tern_ctx *ctx = NULL;
  float *logits = NULL;
  const tern_model_config *c = tern_file_config(f);
  if ((st = tern_fw_open(&acc, backend, bopts))) {
    fprintf(stderr, "ref_harness: backend %s: %s\n", backend, tern_fw_strerror(st));
    goto out;
  }
  if (tern_model_load(f, acc, fmt, &m, &err) ||
      tern_ctx_new(m, n + (uint32_t)steps, (uint32_t)batch, &ctx, &err)) {
    fprintf(stderr, "ref_harness: %s\n", err.msg);
    goto out;
  }
  g_model = m;
  g_seen = calloc((size_t)c->layers * TERN_W_NTERN, sizeof *g_seen);
  logits = malloc((size_t)c->vocab * sizeof *logits);
  if (!g_seen || !logits) goto out;
  if (dump && !(g_dump = fopen(dump, "wb"))) {
    fprintf(stderr, "ref_harness: cannot write %s\n", dump);
    goto out;
  }
  if (g_dump) put_bytes("TRD1", 4);
  /* prompt in one call (batched by the runtime), then one token a step */
  const uint32_t *in = ids;
  uint32_t nin = n, next;
  for (unsigned long s = 0;; s++) {
    g_base_pos = tern_ctx_pos(ctx);
    memset(g_seen, 0, (size_t)c->layers * TERN_W_NTERN * sizeof *g_seen);
    if (tern_forward(ctx, in, nin, logits, &err)) {
      fprintf(stderr, "ref_harness: %s\n", err.msg);
      goto out;
    }
    uint32_t pos = tern_ctx_pos(ctx) - 1;
    if (g_dump) {
      put_u32('L');
      put_u32(pos);
      put_u32(c->vocab);
      put_bytes(logits, (size_t)c->vocab * sizeof *logits);
    }
    if (s == steps) break;
    tern_sampler sm = {0.0f, 1.0f, 1};
    int32_t id = tern_sample(&sm, logits, c->vocab);
    if (id < 0) {
      fprintf(stderr, "ref_harness: sampling failed (%d)\n", id);
      goto out;
    }
    if (g_dump) {
      put_u32('T');
      put_u32(pos);
      put_u32((uint32_t)id);
    }
    printf(s ? ",%d" : "%d", id);
    next = (uint32_t)id;
    in = &next;
    nin = 1;
  }
  printf("\n");
  rc = g_dump_err;
  if (g_dump_err) fprintf(stderr, "ref_harness: writing the dump failed\n");
out:
  if (g_dump && fclose(g_dump)) rc = 1;
  free(logits);
  free(g_seen);
  tern_ctx_free(ctx);
  tern_model_free(m);
  tern_fw_close(acc);
  free(ids);
  tern_file_close(f);
  return rc;
}

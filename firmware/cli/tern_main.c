/* tern: run a BitNet b1.58 model through the accelerator, or write one.
 *
 *   tern run --model FILE --prompt TEXT [--backend cmodel|rtl|uio] [...]
 *   tern gen-model --out FILE.gguf|DIR --shape tiny|small|2b4t [...]
 *   tern info --model FILE
 *
 * `tern help` lists every option. Exit status: 0 ok, 1 error, 2 usage. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tern_gguf.h"
#include "tern_model.h"

/* KV260-class system the statistics model (docs/firmware.md) */
#define KV260_HZ 250e6
#define KV260_BW 19.2e9

static void usage(FILE *o) {
  fprintf(o,
          "usage:\n"
          "  tern run --model FILE (--prompt TEXT | --ids N,N,...) [options]\n"
          "      --backend NAME     cmodel (default), rtl, uio\n"
          "      --backend-opts S   backend options (see docs/driver.md)\n"
          "      --max-tokens N     tokens to generate (default 32)\n"
          "      --temp T           sampling temperature, 0 = greedy (default 0)\n"
          "      --top-p P          nucleus sampling mass (default 0.9)\n"
          "      --seed S           sampler seed (default 1)\n"
          "      --fmt i2|b3        weight stream format (default b3)\n"
          "      --batch N          prompt tokens per accelerator pass (default 16)\n"
          "      --ctx N            context length (default prompt + max-tokens)\n"
          "      --tokenizer FILE   GGUF file to take the tokenizer from (safetensors models)\n"
          "      --engine-macs N    ternary MACs a cycle of the modeled engine (default: the\n"
          "                         engine opened: lanes x word bytes x trits a byte)\n"
          "      --no-stats         print only the text\n"
          "  tern gen-model --out PATH --shape tiny|small|2b4t [options]\n"
          "      --format gguf|safetensors   (default: gguf, safetensors if PATH has no .gguf)\n"
          "      --ternary i2_s|tq2_0|tq1_0  GGUF ternary tensor type (default i2_s)\n"
          "      --seed S  --hidden N --intermediate N --layers N --heads N --kv-heads N\n"
          "      --head-dim N --vocab N --ctx N --untied\n"
          "  tern info --model FILE           config and tensors of a model file\n");
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_u64(const char *s, uint64_t *v) {
  char *e;
  errno = 0;
  unsigned long long x = strtoull(s, &e, 0);
  if (errno || e == s || *e || s[0] == '-') return -1;
  *v = x;
  return 0;
}

static int parse_u32(const char *s, uint32_t *v) {
  uint64_t x;
  if (parse_u64(s, &x) || x > UINT32_MAX) return -1;
  *v = (uint32_t)x;
  return 0;
}

static int parse_f(const char *s, float *v) {
  char *e;
  errno = 0;
  double x = strtod(s, &e);
  if (errno || e == s || *e || !isfinite(x)) return -1;
  *v = (float)x;
  return 0;
}

#define NEED_ARG()                                                                      \
  do {                                                                                  \
    if (i + 1 >= argc) {                                                                \
      fprintf(stderr, "tern: %s needs a value\n", argv[i]);                             \
      return 2;                                                                         \
    }                                                                                   \
  } while (0)
#define BAD_VAL()                                                                       \
  do {                                                                                  \
    fprintf(stderr, "tern: bad value '%s' for %s\n", argv[i + 1], argv[i]);             \
    return 2;                                                                           \
  } while (0)

/* ---- gen-model ---------------------------------------------------------------------------- */

static int cmd_gen(int argc, char **argv) {
  const char *out = NULL, *shape = "tiny", *format = NULL, *ternary = "i2_s";
  uint64_t seed = 1;
  tern_model_config c;
  uint32_t ov[9];
  int have[9] = {0}, untied = 0;
  static const char *const opt[9] = {"--hidden", "--intermediate", "--layers", "--heads",
                                     "--kv-heads", "--head-dim", "--vocab", "--ctx", NULL};
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    int matched = 0;
    for (int k = 0; opt[k]; k++)
      if (!strcmp(a, opt[k])) {
        NEED_ARG();
        if (parse_u32(argv[i + 1], &ov[k])) BAD_VAL();
        have[k] = 1;
        i++;
        matched = 1;
      }
    if (matched) continue;
    if (!strcmp(a, "--out")) { NEED_ARG(); out = argv[++i]; }
    else if (!strcmp(a, "--shape")) { NEED_ARG(); shape = argv[++i]; }
    else if (!strcmp(a, "--format")) { NEED_ARG(); format = argv[++i]; }
    else if (!strcmp(a, "--ternary")) { NEED_ARG(); ternary = argv[++i]; }
    else if (!strcmp(a, "--seed")) { NEED_ARG(); if (parse_u64(argv[i + 1], &seed)) BAD_VAL(); i++; }
    else if (!strcmp(a, "--untied")) untied = 1;
    else { fprintf(stderr, "tern gen-model: unknown option '%s'\n", a); usage(stderr); return 2; }
  }
  if (!out) { fprintf(stderr, "tern gen-model: --out is required\n"); return 2; }
  if (tern_gen_preset(shape, &c)) {
    fprintf(stderr, "tern gen-model: unknown shape '%s' (tiny, small, 2b4t)\n", shape);
    return 2;
  }
  uint32_t *dst[8] = {&c.hidden, &c.intermediate, &c.layers, &c.heads, &c.kv_heads, &c.head_dim,
                      &c.vocab, &c.max_ctx};
  for (int k = 0; k < 8; k++)
    if (have[k]) *dst[k] = ov[k];
  if (have[0] && !have[5] && c.heads) c.head_dim = c.hidden / c.heads;
  if (have[3] && !have[5]) c.head_dim = c.hidden / c.heads;
  if (untied) c.tied = 0;
  tern_gen_fmt fmt;
  size_t ol = strlen(out);
  int is_gguf = format ? !strcmp(format, "gguf") : (ol > 5 && !strcmp(out + ol - 5, ".gguf"));
  if (format && strcmp(format, "gguf") && strcmp(format, "safetensors")) {
    fprintf(stderr, "tern gen-model: unknown format '%s'\n", format);
    return 2;
  }
  if (!is_gguf) fmt = TERN_GEN_SAFETENSORS;
  else if (!strcmp(ternary, "i2_s")) fmt = TERN_GEN_GGUF_I2S;
  else if (!strcmp(ternary, "tq2_0")) fmt = TERN_GEN_GGUF_TQ2_0;
  else if (!strcmp(ternary, "tq1_0")) fmt = TERN_GEN_GGUF_TQ1_0;
  else { fprintf(stderr, "tern gen-model: unknown ternary type '%s'\n", ternary); return 2; }
  tern_err err = {{0}};
  double t0 = now_s();
  int st = tern_gen_model(out, &c, seed, fmt, &err);
  if (st) {
    fprintf(stderr, "tern gen-model: %s\n", err.msg);
    return 1;
  }
  fprintf(stderr, "tern gen-model: wrote %s (%s, hidden %u, layers %u, vocab %u) in %.2f s\n", out,
          is_gguf ? ternary : "safetensors", c.hidden, c.layers, c.vocab, now_s() - t0);
  return 0;
}

/* ---- info ------------------------------------------------------------------------------------ */

static int cmd_info(int argc, char **argv) {
  const char *model = NULL;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--model")) { NEED_ARG(); model = argv[++i]; }
    else { fprintf(stderr, "tern info: unknown option '%s'\n", argv[i]); return 2; }
  }
  if (!model) { fprintf(stderr, "tern info: --model is required\n"); return 2; }
  tern_err err = {{0}};
  tern_file *f;
  if (tern_file_open(model, &f, &err)) {
    fprintf(stderr, "tern: %s\n", err.msg);
    return 1;
  }
  const tern_model_config *c = tern_file_config(f);
  printf("hidden %u, intermediate %u, layers %u, heads %u, kv_heads %u, head_dim %u, vocab %u, "
         "rope_theta %g, rms_eps %g, tied %d, max_ctx %u\n", c->hidden, c->intermediate, c->layers,
         c->heads, c->kv_heads, c->head_dim, c->vocab, (double)c->rope_theta, (double)c->rms_eps,
         c->tied, c->max_ctx);
  for (size_t i = 0; i < tern_file_ntensors(f); i++) {
    const tern_tensor *t = tern_file_tensor(f, i);
    printf("  %-48s %-6s [", t->name, tern_dtype_name(t->dt));
    for (uint32_t d = 0; d < t->ndim; d++) printf("%s%llu", d ? ", " : "", (unsigned long long)t->ne[d]);
    printf("]\n");
  }
  tern_file_close(f);
  return 0;
}

/* ---- run ----------------------------------------------------------------------------------- */

typedef struct run_opts {
  const char *model, *prompt, *ids, *backend, *backend_opts, *tok_path;
  uint32_t max_tokens, batch, ctx, engine_macs;
  float temp, top_p;
  uint64_t seed;
  tern_fmt fmt;
  int stats;
} run_opts;

static int parse_ids(const char *s, uint32_t **ids, size_t *n) {
  size_t cap = 16;
  *n = 0;
  *ids = malloc(cap * sizeof **ids);
  while (*ids && *s) {
    char *e;
    errno = 0;
    unsigned long v = strtoul(s, &e, 10);
    if (e == s || errno || v > UINT32_MAX || (*e && *e != ',')) return -1;
    if (*n == cap) {
      uint32_t *nb = realloc(*ids, (cap *= 2) * sizeof **ids);
      if (!nb) return -1;
      *ids = nb;
    }
    (*ids)[(*n)++] = (uint32_t)v;
    s = *e ? e + 1 : e;
  }
  return *ids && *n ? 0 : -1;
}

static void emit_token(const tern_tok *tok, uint32_t id, tern_utf8_stream *us) {
  if (!tok) {
    printf("%s%u", us->npend++ ? " " : "", id); /* npend doubles as "not first" */
    us->npend = 1;
    fflush(stdout);
    return;
  }
  uint8_t b[512], o[1024];
  size_t n;
  if (tern_tok_decode(tok, id, b, sizeof b, &n) == TERN_ERR_TRUNC) n = sizeof b;
  size_t w = tern_utf8_push(us, b, n, o, sizeof o);
  fwrite(o, 1, w, stdout);
  fflush(stdout);
}

static int run(const run_opts *o) {
  tern_err err = {{0}};
  tern_file *f = NULL, *tf = NULL;
  tern_tok *tok = NULL;
  tern_fw_accel *acc = NULL;
  tern_model *m = NULL;
  tern_ctx *ctx = NULL;
  uint32_t *ids = NULL;
  float *logits = NULL;
  int rc = 1, st;
  size_t n_ids = 0;
  double t_load = now_s();
  if ((st = tern_file_open(o->model, &f, &err))) goto fail;
  const tern_model_config *c = tern_file_config(f);
  const tern_gguf *g = tern_file_gguf(f);
  if (o->tok_path) {
    if ((st = tern_file_open(o->tok_path, &tf, &err))) goto fail;
    g = tern_file_gguf(tf);
    if (!g) {
      st = tern_errf(&err, TERN_ERR_FORMAT, "%s: --tokenizer needs a GGUF file", o->tok_path);
      goto fail;
    }
  }
  if (!o->ids) {
    if (!g) {
      st = tern_errf(&err, TERN_ERR_FORMAT, "this model file has no tokenizer: give --tokenizer "
                     "FILE.gguf or --ids");
      goto fail;
    }
    if ((st = tern_tok_from_gguf(g, &tok, &err))) goto fail;
    if (tern_tok_vocab(tok) > c->vocab) {
      st = tern_errf(&err, TERN_ERR_DIM, "tokenizer has %u tokens, the model %u", tern_tok_vocab(tok), c->vocab);
      goto fail;
    }
  } else if (g && !tern_tok_from_gguf(g, &tok, NULL)) {
    /* ids given: still decode the output if a tokenizer is there */
  }
  if (o->ids) {
    if (parse_ids(o->ids, &ids, &n_ids)) {
      st = tern_errf(&err, TERN_ERR_VALUE, "--ids: expected N,N,...");
      goto fail;
    }
  } else {
    size_t len = strlen(o->prompt), cap = len + 2;
    ids = malloc(cap * sizeof *ids);
    if (!ids) { st = tern_errf(&err, TERN_ERR_NOMEM, "out of memory"); goto fail; }
    size_t off = 0;
    if (tern_tok_add_bos(tok)) ids[off++] = (uint32_t)tern_tok_bos(tok);
    size_t n;
    if ((st = tern_tok_encode(tok, o->prompt, len, ids + off, cap - off, &n))) {
      st = tern_errf(&err, st, "tokenizing the prompt failed: %s", tern_strerror(st));
      goto fail;
    }
    n_ids = off + n;
  }
  if (n_ids == 0) { st = tern_errf(&err, TERN_ERR_DIM, "empty prompt"); goto fail; }
  for (size_t i = 0; i < n_ids; i++)
    if (ids[i] >= c->vocab) { st = tern_errf(&err, TERN_ERR_VALUE, "token id %u >= vocab %u", ids[i], c->vocab); goto fail; }
  uint64_t want_ctx = o->ctx ? o->ctx : n_ids + o->max_tokens;
  if (want_ctx > c->max_ctx) want_ctx = c->max_ctx;
  if (n_ids + (o->max_tokens ? 1 : 0) > want_ctx) {
    st = tern_errf(&err, TERN_ERR_DIM, "prompt of %zu tokens does not fit a %llu-token context",
                   n_ids, (unsigned long long)want_ctx);
    goto fail;
  }
  /* the cmodel and rtl backends' DMA arena must hold every weight stream: size it
   * from the model unless the user gave options */
  char auto_opts[64];
  const char *bopts = o->backend_opts;
  if (!bopts && (!strcmp(o->backend, "cmodel") || !strcmp(o->backend, "rtl"))) {
    uint64_t trits = 0;
    for (int kd = 0; kd < TERN_W_NTERN; kd++) {
      uint32_t r, k;
      tern_wkind_shape(c, (tern_wkind)kd, &r, &k);
      trits += (uint64_t)r * k;
    }
    uint64_t mb = trits * c->layers / 4 / 1000000 * 11 / 10 + 64;
    snprintf(auto_opts, sizeof auto_opts, "mem=%lluM", (unsigned long long)mb);
    bopts = auto_opts;
  }
  if ((st = tern_fw_open(&acc, o->backend, bopts))) {
    st = tern_errf(&err, TERN_MERR_ACCEL, "backend '%s': %s (%d)", o->backend, tern_fw_strerror(st), st);
    goto fail;
  }
  if ((st = tern_model_load(f, acc, o->fmt, &m, &err))) goto fail;
  if ((st = tern_ctx_new(m, (uint32_t)want_ctx, o->batch, &ctx, &err))) goto fail;
  logits = malloc((size_t)c->vocab * sizeof *logits);
  if (!logits) { st = tern_errf(&err, TERN_ERR_NOMEM, "out of memory"); goto fail; }
  t_load = now_s() - t_load;

  tern_fw_stats s0, s1, s2;
  tern_fw_stats_get(acc, &s0);
  double t0 = now_s();
  if ((st = tern_forward(ctx, ids, (uint32_t)n_ids, logits, &err))) goto fail;
  double t1 = now_s();
  tern_fw_stats_get(acc, &s1);
  tern_sampler sm = {o->temp, o->top_p, o->seed};
  tern_utf8_stream us = {{0}, 0};
  uint32_t gen = 0;
  int32_t eos = tern_tok_eos(tok);
  double t_dec = 0.0;
  while (gen < o->max_tokens) {
    int32_t id = tern_sample(&sm, logits, c->vocab);
    if (id < 0) { st = tern_errf(&err, id, "sampling failed: %s", tern_strerror(id)); goto fail; }
    gen++;
    if (id == eos) break;
    emit_token(tok, (uint32_t)id, &us);
    if (gen == o->max_tokens || tern_ctx_pos(ctx) >= want_ctx) break;
    double a = now_s();
    uint32_t u = (uint32_t)id;
    if ((st = tern_forward(ctx, &u, 1, logits, &err))) goto fail;
    t_dec += now_s() - a;
  }
  uint8_t tail[8];
  size_t tw = tok ? tern_utf8_flush(&us, tail, sizeof tail) : 0;
  fwrite(tail, 1, tw, stdout);
  printf("\n");
  tern_fw_stats_get(acc, &s2);
  if (o->stats) {
    uint32_t ndec = tern_ctx_pos(ctx) - (uint32_t)n_ids; /* decode forward passes */
    printf("---\n");
    printf("model: %u layers, hidden %u, %llu ternary MACs a token, %.1f MB of %s weight streams\n",
           c->layers, c->hidden, (unsigned long long)m->tern_macs, (double)m->tern_bytes / 1e6,
           tern_fmt_name(o->fmt));
    printf("load: %.2f s\n", t_load);
    printf("integer results: %llu GEMM calls, hash %016llx\n", (unsigned long long)s2.calls,
           (unsigned long long)s2.result_hash);
    printf("prefill: %zu tokens in %.3f s = %.2f tokens/s (host)\n", n_ids, t1 - t0,
           (double)n_ids / (t1 - t0));
    if (ndec)
      printf("decode: %u tokens in %.3f s = %.2f tokens/s (host)\n", ndec, t_dec, ndec / t_dec);
    printf("accelerator, prefill: %.1f commands, %.0f bytes read, %.0f written a token\n",
           (double)(s1.commands - s0.commands) / (double)n_ids,
           (double)(s1.bytes_read - s0.bytes_read) / (double)n_ids,
           (double)(s1.bytes_written - s0.bytes_written) / (double)n_ids);
    if (s1.has_cycles)
      printf("accelerator, prefill: %.0f busy cycles a token\n",
             (double)(s1.busy_cycles - s0.busy_cycles) / (double)n_ids);
    if (ndec) {
      double br = (double)(s2.bytes_read - s1.bytes_read) / ndec;
      double cmds = (double)(s2.commands - s1.commands) / ndec;
      printf("accelerator, decode: %.1f commands, %.0f bytes read, %.0f written a token\n", cmds,
             br, (double)(s2.bytes_written - s1.bytes_written) / ndec);
      if (s2.has_cycles)
        printf("accelerator, decode: %.0f busy cycles a token (%.2f weight bytes a cycle)\n",
               (double)(s2.busy_cycles - s1.busy_cycles) / ndec,
               (double)(s2.weight_bytes - s1.weight_bytes) /
                   (double)(s2.busy_cycles - s1.busy_cycles + 1));
      /* ternary MACs a cycle for one vector: from the engine opened, unless given */
      uint32_t macs = o->engine_macs;
      tern_fw_info info;
      if (!macs && !tern_fw_info_get(acc, &info))
        macs = info.lanes * info.word_bytes * (o->fmt == TERN_FMT_B3 ? 5u : 4u);
      if (!macs) macs = 512;
      double bw = KV260_BW / br;
      double cp = KV260_HZ * macs / (double)m->tern_macs;
      printf("modeled KV260-class decode (250 MHz, 19.2 GB/s, %u ternary MACs/cycle): bandwidth "
             "bound %.2f tokens/s, compute bound %.2f tokens/s -> %.2f tokens/s (LM head on the "
             "CPU not included)\n", macs, bw, cp, bw < cp ? bw : cp);
    }
  }
  rc = 0;
  goto done;
fail:
  fflush(stdout);
  fprintf(stderr, "tern: %s\n", err.msg[0] ? err.msg : tern_strerror(st));
done:
  free(logits);
  free(ids);
  tern_ctx_free(ctx);
  tern_model_free(m);
  tern_fw_close(acc);
  tern_tok_free(tok);
  tern_file_close(tf);
  tern_file_close(f);
  return rc;
}

static int cmd_run(int argc, char **argv) {
  run_opts o = {0};
  o.backend = "cmodel";
  o.max_tokens = 32;
  o.batch = 16;
  o.top_p = 0.9f;
  o.seed = 1;
  o.fmt = TERN_FMT_B3;
  o.stats = 1;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--model")) { NEED_ARG(); o.model = argv[++i]; }
    else if (!strcmp(a, "--prompt")) { NEED_ARG(); o.prompt = argv[++i]; }
    else if (!strcmp(a, "--ids")) { NEED_ARG(); o.ids = argv[++i]; }
    else if (!strcmp(a, "--backend")) { NEED_ARG(); o.backend = argv[++i]; }
    else if (!strcmp(a, "--backend-opts")) { NEED_ARG(); o.backend_opts = argv[++i]; }
    else if (!strcmp(a, "--tokenizer")) { NEED_ARG(); o.tok_path = argv[++i]; }
    else if (!strcmp(a, "--max-tokens")) { NEED_ARG(); if (parse_u32(argv[i + 1], &o.max_tokens)) BAD_VAL(); i++; }
    else if (!strcmp(a, "--batch")) { NEED_ARG(); if (parse_u32(argv[i + 1], &o.batch) || !o.batch) BAD_VAL(); i++; }
    else if (!strcmp(a, "--ctx")) { NEED_ARG(); if (parse_u32(argv[i + 1], &o.ctx)) BAD_VAL(); i++; }
    else if (!strcmp(a, "--engine-macs")) { NEED_ARG(); if (parse_u32(argv[i + 1], &o.engine_macs) || !o.engine_macs) BAD_VAL(); i++; }
    else if (!strcmp(a, "--seed")) { NEED_ARG(); if (parse_u64(argv[i + 1], &o.seed)) BAD_VAL(); i++; }
    else if (!strcmp(a, "--temp")) { NEED_ARG(); if (parse_f(argv[i + 1], &o.temp) || o.temp < 0) BAD_VAL(); i++; }
    else if (!strcmp(a, "--top-p")) { NEED_ARG(); if (parse_f(argv[i + 1], &o.top_p) || !(o.top_p > 0) || o.top_p > 1) BAD_VAL(); i++; }
    else if (!strcmp(a, "--fmt")) {
      NEED_ARG();
      if (!strcmp(argv[i + 1], "i2")) o.fmt = TERN_FMT_I2;
      else if (!strcmp(argv[i + 1], "b3")) o.fmt = TERN_FMT_B3;
      else BAD_VAL();
      i++;
    }
    else if (!strcmp(a, "--no-stats")) o.stats = 0;
    else { fprintf(stderr, "tern run: unknown option '%s'\n", a); usage(stderr); return 2; }
  }
  if (!o.model || (!o.prompt == !o.ids)) {
    fprintf(stderr, "tern run: --model and one of --prompt / --ids are required\n");
    return 2;
  }
  return run(&o);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "run")) return cmd_run(argc, argv);
  if (!strcmp(argv[1], "gen-model")) return cmd_gen(argc, argv);
  if (!strcmp(argv[1], "info")) return cmd_info(argc, argv);
  if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "tern: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}

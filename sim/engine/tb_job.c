/* Stimulus generation and golden results for the tern_engine co-simulation. */
#include "tb_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t tb_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

unsigned tb_range(uint64_t *s, unsigned lo, unsigned hi) {
  return lo + (unsigned)(tb_rand(s) % ((uint64_t)hi - lo + 1u));
}

uint64_t tb_job_seed(uint64_t run_seed, const char *test, unsigned index) {
  uint64_t h = run_seed ^ 0x7465726e656e67ull; /* "terneng" */
  for (const char *c = test; *c; c++) h = (h ^ (uint8_t)*c) * 0x100000001b3ull;
  uint64_t s = h ^ ((uint64_t)index << 32 | index);
  return tb_rand(&s);
}

enum wmode { W_RANDOM, W_ZERO, W_PLUS, W_MINUS, W_SPARSE, W_NMODES };
enum amode { A_RANDOM, A_MIN, A_MAX, A_EXTREME, A_SMALL, A_NMODES };
enum inval { INV_NONE, INV_SOME, INV_PAD, INV_EVERY_ROW, INV_WORDPAD };
enum stallmode { ST_RANDOM, ST_NONE, ST_HEAVY };

typedef struct spec {
  unsigned fmt;
  uint32_t rows, k, batch;
  int bad; /* expect status 1 */
  int wmode, amode, inval, stall;
  unsigned extra_stride;
  unsigned b3_bad; /* byte value used for invalid B3 codes */
  int keep;        /* reuse the loader's activations */
  int mismatch;    /* keep with a different fmt (1), k (2) or batch (3): bad */
} spec;

static const char *const wmode_name[] = {"rand", "zero", "plus", "minus", "sparse"};
static const char *const amode_name[] = {"rand", "min", "max", "extreme", "small"};

const char *const tb_directed_tests[] = {
    "k1",          "k_odd",      "k_max",    "zero_w",   "max_neg",    "max_pos",
    "batch1",      "batch_full", "rows1",    "rows_odd", "invalid_i2", "invalid_b3",
    "invalid_pad", "bad_cfg",    "rows_big", "keep_act", NULL};

/* Trits in one engine word of a lane (stream granularity along K). */
static uint32_t word_trits(const tern_engine_params *p, unsigned fmt) {
  return p->word_bytes * (fmt ? TERN_B3_TRITS_PER_BYTE : TERN_I2_TRITS_PER_BYTE);
}

/* Variants per directed test; every variant runs in 2 formats x 3 stall modes. */
static unsigned variants(const char *t) {
  if (!strcmp(t, "k_odd")) return 5;
  if (!strcmp(t, "k_max") || !strcmp(t, "max_neg") || !strcmp(t, "rows_odd")) return 3;
  if (!strcmp(t, "invalid_b3")) return 13; /* every invalid byte 243..255 */
  if (!strcmp(t, "invalid_i2") || !strcmp(t, "invalid_pad")) return 4;
  if (!strcmp(t, "bad_cfg")) return 8;
  if (!strcmp(t, "keep_act")) return 6;
  if (!strcmp(t, "rows_max")) return 1; /* not in "all": 2^24-1 rows, long */
  for (const char *const *n = tb_directed_tests; *n; n++)
    if (!strcmp(*n, t)) return 1;
  return 0;
}

unsigned tb_directed_count(const char *test) {
  unsigned v = variants(test);
  if (!strcmp(test, "rows_big") || !strcmp(test, "rows_max")) return 2; /* I2, B3; no stalls */
  if (!strcmp(test, "invalid_i2") || !strcmp(test, "invalid_b3")) return v * 3;
  return v * 6;
}

static uint32_t max_batch_code(unsigned batch_w) {
  return batch_w >= 32 ? 0xffffffffu : (1u << batch_w) - 1u;
}

/* Fills s for variant index i of a directed test. */
static void directed_spec(const tern_engine_params *p, unsigned batch_w, const char *t, unsigned i,
                          spec *s) {
  if (!strcmp(t, "rows_big") || !strcmp(t, "rows_max")) i *= 3u; /* index = format */
  unsigned per_fmt = !strcmp(t, "invalid_i2") || !strcmp(t, "invalid_b3") ? 1 : 2;
  s->stall = (int)(i % 3u);
  i /= 3u;
  s->fmt = per_fmt == 1 ? (t[8] == 'b') : i % 2u;
  i /= per_fmt;
  uint32_t wt = word_trits(p, s->fmt), L = p->lanes, B = p->batch, K = p->max_k;
  s->rows = L + 1;
  s->k = K < 3 * wt + 2 ? K : 3 * wt + 2;
  s->batch = B;
  if (!strcmp(t, "rows_big") || !strcmp(t, "rows_max")) {
    /* high row-counter bits: many rows of one trit, one vector */
    s->stall = ST_NONE;
    s->rows = t[5] == 'b' ? 70001u : 0xffffffu;
    s->k = 1;
    s->batch = 1;
  } else if (!strcmp(t, "k1")) {
    s->k = 1;
  } else if (!strcmp(t, "k_odd")) {
    uint32_t ks[5] = {wt - 1, wt + 1, 2 * wt - 1, 7, K - 1};
    s->k = ks[i] < 1 ? 1 : ks[i] > K ? K : ks[i];
  } else if (!strcmp(t, "k_max")) {
    s->k = K;
    s->rows = i == 0 ? L : i == 1 ? 1 : 2 * L + 1;
    s->batch = i == 1 ? 1 : B;
  } else if (!strcmp(t, "zero_w")) {
    s->wmode = W_ZERO;
  } else if (!strcmp(t, "max_neg")) {
    /* |sum| = 128*K: -128 * -1 (positive extreme) and -128 * +1 (negative) */
    s->k = K;
    s->rows = L;
    s->amode = A_MIN;
    s->wmode = i == 1 ? W_PLUS : W_MINUS;
    if (i == 2) s->amode = A_EXTREME;
  } else if (!strcmp(t, "max_pos")) {
    s->k = K;
    s->rows = L;
    s->amode = A_MAX;
    s->wmode = W_PLUS;
  } else if (!strcmp(t, "batch1")) {
    s->batch = 1;
  } else if (!strcmp(t, "batch_full")) {
    s->batch = B;
    s->rows = 2 * L;
  } else if (!strcmp(t, "rows1")) {
    s->rows = 1;
  } else if (!strcmp(t, "rows_odd")) {
    uint32_t rs[3] = {L + 1, 2 * L - 1, 3 * L + (L > 2 ? L / 2 : 1)};
    s->rows = rs[i] < 1 ? 1 : rs[i];
  } else if (!strcmp(t, "invalid_i2") || !strcmp(t, "invalid_b3")) {
    s->inval = INV_SOME;
    if (!strcmp(t, "invalid_i2") && i == 3) s->inval = INV_EVERY_ROW;
    s->k = wt + 3 + i; /* partial last byte and word */
    s->b3_bad = 243 + i;
    s->rows = 2 * L + 1;
  } else if (!strcmp(t, "invalid_pad")) {
    uint32_t per = s->fmt ? 5 : 4, wb = p->word_bytes;
    /* even variants: bad code in the unused trits of the last byte; odd: in the
     * zero bytes that pad the row to the engine word (stream-level). */
    s->inval = i % 2 ? INV_WORDPAD : INV_PAD;
    if (s->inval == INV_WORDPAD)
      s->k = ((i / 2 + 1) * wb - 1) * per - 1 - (i / 2);
    else
      s->k = wt * (i / 2 + 1) - 1 - (i % (per - 1));
    if (s->k > K) s->k = K - 1;
    if (s->k % per == 0) s->k--;
    if (s->k < 1) s->k = 1;
    s->rows = L + 2;
  } else if (!strcmp(t, "bad_cfg")) {
    s->bad = 1;
    s->rows = L;
    s->k = wt;
    s->batch = 1;
    switch (i) {
    case 0: s->rows = 0; break;
    case 1: s->k = 0; break;
    case 2: s->k = K + 1; break;
    case 3: s->k = 0xffffff, s->rows = 0xffffff; break;
    case 4: s->batch = 0; break;
    case 5: s->batch = B + 1 <= max_batch_code(batch_w) ? B + 1 : 0; break;
    case 6: s->batch = max_batch_code(batch_w) > B ? max_batch_code(batch_w) : 0; break;
    default:
      s->rows = 0;
      s->k = 0;
      s->batch = 0;
      break;
    }
  }
  if (s->k > K && !s->bad) s->k = K;
}

static unsigned pick_stall(uint64_t *r, int mode) {
  if (mode == ST_NONE) return 0;
  if (mode == ST_HEAVY) return tb_range(r, 200, 240);
  switch (tb_range(r, 0, 5)) {
  case 0:
  case 1: return 0;
  case 2: return tb_range(r, 200, 240);
  default: return tb_range(r, 1, 160);
  }
}

static void random_spec(const tern_engine_params *p, unsigned batch_w, uint64_t *r, spec *s) {
  s->fmt = tb_range(r, 0, 1);
  uint32_t wt = word_trits(p, s->fmt), L = p->lanes, K = p->max_k, B = p->batch;
  switch (tb_range(r, 0, 3)) {
  case 0: s->rows = tb_range(r, 1, L); break;
  case 1: s->rows = L * tb_range(r, 1, 4) + tb_range(r, 0, 2) - 1; break;
  default: s->rows = tb_range(r, 1, 6 * L + 3); break;
  }
  if (s->rows < 1) s->rows = 1;
  switch (tb_range(r, 0, 5)) {
  case 0: s->k = tb_range(r, 1, 2 * wt); break;
  case 1: s->k = wt * tb_range(r, 1, 4) + tb_range(r, 0, 2) - 1; break;
  case 2: s->k = K - tb_range(r, 0, 2); break;
  default: s->k = tb_range(r, 1, K); break;
  }
  if (s->k < 1) s->k = 1;
  if (s->k > K) s->k = K;
  switch (tb_range(r, 0, 3)) {
  case 0: s->batch = 1; break;
  case 1: s->batch = B; break;
  default: s->batch = tb_range(r, 1, B); break;
  }
  unsigned wm = tb_range(r, 0, 9);
  s->wmode = wm < 6 ? W_RANDOM : wm == 6 ? W_SPARSE : (int)(wm - 6); /* zero/plus/minus */
  unsigned am = tb_range(r, 0, 9);
  s->amode = am < 6 ? A_RANDOM : (int)(am - 5);
  unsigned iv = tb_range(r, 0, 19);
  s->inval = iv == 0   ? INV_SOME
             : iv == 1 ? INV_PAD
             : iv == 2 ? INV_EVERY_ROW
             : iv == 3 ? INV_WORDPAD
                       : INV_NONE;
  s->extra_stride = tb_range(r, 0, 3) == 0 ? tb_range(r, 1, 3) : 0;
  s->stall = ST_RANDOM;
  if (tb_range(r, 0, 49) == 0) { /* bad config now and then */
    s->bad = 1;
    switch (tb_range(r, 0, 4)) {
    case 0: s->rows = 0; break;
    case 1: s->k = 0, s->rows = tb_range(r, 1, 0xffffff); break; /* high row bits too */
    case 2: s->k = tb_range(r, K + 1, 0xffffff), s->rows = tb_range(r, 1, 0xffffff); break;
    case 3: s->batch = 0; break;
    default:
      if (max_batch_code(batch_w) > B)
        s->batch = tb_range(r, B + 1, max_batch_code(batch_w));
      else
        s->rows = 0;
      break;
    }
  }
}

static int8_t gen_trit(uint64_t *r, int mode, unsigned p_zero) {
  switch (mode) {
  case W_ZERO: return 0;
  case W_PLUS: return 1;
  case W_MINUS: return -1;
  default:
    if ((tb_rand(r) & 255u) < p_zero) return 0;
    return (tb_rand(r) & 1u) ? 1 : -1;
  }
}

static int8_t gen_act(uint64_t *r, int mode) {
  switch (mode) {
  case A_MIN: return -128;
  case A_MAX: return 127;
  case A_EXTREME: return (tb_rand(r) & 1u) ? 127 : -128;
  case A_SMALL: return (int8_t)tb_range(r, 0, 6) - 3;
  default: return (int8_t)(tb_rand(r) & 255u);
  }
}

/* Makes code slot j (trit index in the row's bytes) of row `row` invalid. */
static void poison(unsigned fmt, uint8_t *row, uint32_t j, unsigned b3_value) {
  if (fmt == TERN_FMT_I2)
    row[j / 4u] |= (uint8_t)(3u << (2u * (j % 4u)));
  else
    row[j / 5u] = (uint8_t)b3_value;
}

/* keep_act variants: 0 load+2 keeps, 1 keep with bad codes, 2..4 keep whose
 * fmt / k / batch differ (bad config), 5 keep after a bad config. */
static unsigned keep_variant(unsigned index) { return index / 6u; }

unsigned tb_chain_len(const tern_engine_params *p, const char *test, uint64_t seed,
                      unsigned index) {
  (void)p;
  if (!strcmp(test, "keep_act")) return keep_variant(index) == 0 ? 3 : 2;
  if (strcmp(test, "random")) return 1;
  uint64_t r = tb_job_seed(seed, test, index) ^ 0x636861696eull; /* "chain" */
  unsigned v = (unsigned)(tb_rand(&r) % 16u);
  return v < 12 ? 1 : v - 10; /* 1 (3/4), else 2..5 */
}

/* A job that reuses its chain loader's activations. */
static void keep_spec(const tern_engine_params *p, const char *test, unsigned index, unsigned sub,
                      unsigned chain, const tb_job *ld, uint64_t *r, spec *s) {
  s->keep = 1;
  s->fmt = ld->fmt;
  s->k = ld->k;
  s->batch = ld->batch;
  s->rows = tb_range(r, 1, 3 * p->lanes + 1);
  s->wmode = tb_range(r, 0, 3) ? W_RANDOM : W_SPARSE;
  s->stall = ST_RANDOM;
  int last = sub + 1 == chain;
  if (!strcmp(test, "keep_act")) {
    unsigned v = keep_variant(index);
    s->stall = (int)(index % 3u);
    if (v == 1) s->inval = INV_SOME;
    if (last && v >= 2 && v <= 4) s->mismatch = (int)v - 1;
  } else if (last && tb_range(r, 0, 3) == 0) {
    s->mismatch = (int)tb_range(r, 1, 3);
  }
  if (s->mismatch == 3 && p->batch == 1) s->mismatch = 2; /* no other valid batch */
  if (s->mismatch == 1) s->fmt ^= 1u;
  if (s->mismatch == 2) s->k = s->k > 1 ? s->k - 1 : s->k + 1;
  if (s->mismatch == 3) s->batch = s->batch > 1 ? s->batch - 1 : s->batch + 1;
  if (s->mismatch || ld->exp_status == 1) s->bad = 1;
}

int tb_job_make(const tern_engine_params *p, unsigned batch_w, const char *test, uint64_t seed,
                unsigned index, unsigned sub, tb_job *job) {
  tb_job ld;
  if (sub > 0) { /* the chain's loader, regenerated: same fmt, k, batch, x */
    int st = tb_job_make(p, batch_w, test, seed, index, 0, &ld);
    if (st != TERN_OK) {
      tb_job_free(&ld);
      return st;
    }
  }
  memset(job, 0, sizeof *job);
  job->index = index;
  job->sub = sub;
  job->test = test;
  job->seed = tb_job_seed(seed, test, index);
  if (sub > 0) {
    uint64_t m = job->seed ^ sub;
    job->seed = tb_rand(&m);
  }
  uint64_t r = job->seed;
  spec s;
  memset(&s, 0, sizeof s);
  if (sub > 0) {
    keep_spec(p, test, index, sub, tb_chain_len(p, test, seed, index), &ld, &r, &s);
  } else if (!strcmp(test, "keep_act")) {
    unsigned v = keep_variant(index);
    s.stall = (int)(index % 3u);
    s.fmt = (index / 3u) % 2u;
    s.rows = p->lanes + 1;
    s.k = tb_range(&r, 1, p->max_k);
    s.batch = p->batch;
    if (v == 5) s.bad = 1, s.rows = 0;
  } else if (!strcmp(test, "random")) {
    random_spec(p, batch_w, &r, &s);
  } else if (!strcmp(test, "bench")) {
    /* throughput: several tiles of a large K, no stalls, both formats */
    uint32_t tile = tern_engine_tile_rows(p);
    s.fmt = index % 2u;
    s.rows = 2 * tile > 128 * p->lanes ? 2 * tile : 128 * p->lanes;
    s.k = p->max_k < 2560 ? p->max_k : 2560;
    s.batch = (index / 2u) % 2u ? p->batch : 1;
    s.stall = ST_NONE;
  } else {
    if (index >= tb_directed_count(test)) return TERN_ERR_DIM;
    directed_spec(p, batch_w, test, index, &s);
  }
  unsigned b3_bad = s.b3_bad ? s.b3_bad : tb_range(&r, 243, 255);
  job->keep = s.keep;
  job->fmt = s.fmt;
  job->rows = s.rows;
  job->k = s.k;
  job->batch = s.batch;
  job->stall.cfg = pick_stall(&r, s.stall);
  job->stall.act = pick_stall(&r, s.stall);
  job->stall.w = pick_stall(&r, s.stall);
  job->stall.res = pick_stall(&r, s.stall);
  job->early_cfg = tb_range(&r, 0, 2) == 0;
  job->rng = tb_rand(&r);
  snprintf(job->desc, sizeof job->desc, "w=%s a=%s inval=%d stride+%u%s", wmode_name[s.wmode],
           amode_name[s.amode], s.inval, s.extra_stride,
           s.mismatch == 1   ? " keep-fmt-differs"
           : s.mismatch == 2 ? " keep-k-differs"
           : s.mismatch == 3 ? " keep-batch-differs"
                             : "");
  if (s.bad) {
    if (sub > 0) tb_job_free(&ld);
    job->exp_status = 1;
    job->timeout = 2000;
    return TERN_OK;
  }

  tern_fmt fmt = s.fmt ? TERN_FMT_B3 : TERN_FMT_I2;
  size_t rb = tern_row_bytes(fmt, s.k);
  uint32_t wt = tern_engine_word_trits(p, fmt);
  size_t span = (s.k + wt - 1) / wt * p->word_bytes; /* bytes a row takes in the stream */
  /* INV_WORDPAD: the row's stride reaches into (or past) the zero bytes that
   * pad it to the engine word; tern_engine_wstream carries bad codes there. */
  if (s.inval == INV_WORDPAD) {
    if (span > rb)
      s.extra_stride = (unsigned)(span - rb) + tb_range(&r, 0, 2);
    else
      s.inval = INV_PAD;
  }
  job->row_stride = rb + s.extra_stride;
  size_t wlen = (size_t)s.rows * job->row_stride;
  int8_t *trits = malloc((size_t)s.rows * s.k);
  job->wmat = malloc(wlen);
  uint32_t abb = p->act_beat_bytes, vbeats = (s.k + abb - 1) / abb;
  job->act_beats = s.keep ? 0 : vbeats * s.batch;
  job->act = calloc((size_t)vbeats * s.batch, abb);
  job->results = (uint64_t)s.rows * s.batch;
  job->y = malloc(sizeof(int32_t) * job->results);
  job->row_err = calloc(s.rows, 1);
  int8_t *x = malloc((size_t)s.batch * s.k);
  if (!trits || !job->wmat || !job->act || !job->y || !job->row_err || !x) {
    free(trits);
    free(x);
    if (sub > 0) tb_job_free(&ld);
    return TERN_ERR_NOMEM;
  }

  unsigned p_zero = s.wmode == W_SPARSE ? 240u : tb_range(&r, 0, 255);
  for (size_t i = 0; i < (size_t)s.rows * s.k; i++) trits[i] = gen_trit(&r, s.wmode, p_zero);
  for (size_t i = 0; i < (size_t)s.batch * s.k; i++) x[i] = gen_act(&r, s.amode);
  if (sub > 0) {
    memcpy(x, ld.x, (size_t)s.batch * s.k);
    tb_job_free(&ld);
  }
  job->x = x;
  int st = tern_pack(fmt, trits, s.rows, s.k, job->wmat, job->row_stride, wlen);
  free(trits);
  if (st != TERN_OK) return st;

  uint32_t per = s.fmt ? TERN_B3_TRITS_PER_BYTE : TERN_I2_TRITS_PER_BYTE;
  uint32_t slots = (uint32_t)rb * per;
  if (s.inval == INV_SOME) {
    unsigned n = tb_range(&r, 1, 3);
    for (unsigned i = 0; i < n; i++) {
      uint32_t row = tb_range(&r, 0, s.rows - 1);
      poison(s.fmt, job->wmat + (size_t)row * job->row_stride, tb_range(&r, 0, slots - 1), b3_bad);
    }
  } else if (s.inval == INV_PAD && s.k % per != 0) {
    uint32_t row = tb_range(&r, 0, s.rows - 1);
    poison(s.fmt, job->wmat + (size_t)row * job->row_stride, tb_range(&r, s.k, slots - 1), b3_bad);
  } else if (s.inval == INV_WORDPAD) {
    /* a byte past the row's data: inside the stream word, or past it (then
     * the stream marks the row's last padding byte instead) */
    uint32_t row = tb_range(&r, 0, s.rows - 1);
    size_t bi = tb_range(&r, (unsigned)rb, (unsigned)job->row_stride - 1);
    poison(s.fmt, job->wmat + (size_t)row * job->row_stride,
           (uint32_t)(bi * per + tb_range(&r, 0, per - 1)), b3_bad);
  } else if (s.inval == INV_EVERY_ROW) {
    for (uint32_t row = 0; row < s.rows; row++)
      if (tb_range(&r, 0, 1))
        poison(s.fmt, job->wmat + (size_t)row * job->row_stride, tb_range(&r, 0, slots - 1),
               b3_bad);
  }

  st = tern_engine_astream(p, x, s.k, (size_t)s.batch * s.k, s.k, s.batch, job->act,
                           (size_t)vbeats * s.batch * abb);
  if (st != TERN_OK) return st;

  /* Golden results one row at a time, to learn which rows hold bad codes. */
  int any_bad = 0;
  for (uint32_t row = 0; row < s.rows; row++) {
    tern_wmat w1 = {
        fmt, 1, s.k, job->row_stride, job->wmat + (size_t)row * job->row_stride, job->row_stride};
    st = tern_gemm_ref(&w1, x, s.k, (size_t)s.batch * s.k, s.batch, job->y + row, s.rows,
                       job->results - row);
    if (st == TERN_ERR_CODE) {
      job->row_err[row] = 1;
      any_bad = 1;
    } else if (st != TERN_OK) {
      return st;
    }
  }
  job->exp_status = any_bad ? 2 : 0;

  tern_wmat w = {fmt, s.rows, s.k, job->row_stride, job->wmat, wlen};
  job->wstream_len = tern_engine_wstream_bytes(p, fmt, s.rows, s.k);
  if (job->wstream_len == 0 || job->wstream_len % p->w_beat_bytes) return TERN_ERR_DIM;
  job->w_beats = (uint32_t)(job->wstream_len / p->w_beat_bytes);
  job->wstream = malloc(job->wstream_len);
  if (!job->wstream) return TERN_ERR_NOMEM;
  st = tern_engine_wstream(p, &w, job->wstream, job->wstream_len);
  if (st != TERN_OK) return st; /* TERN_ERR_CODE: a bad code the stream cannot carry */
  job->timeout = 4000 + 64ull * (job->w_beats + job->act_beats + job->results);
  return TERN_OK;
}

void tb_job_free(tb_job *job) {
  free(job->wmat);
  free(job->wstream);
  free(job->act);
  free(job->y);
  free(job->row_err);
  free(job->x);
  memset(job, 0, sizeof *job);
}

void tb_job_print(const tb_job *j, const char *prefix) {
  fprintf(stderr,
          "%s job %u.%u of test %s (job seed 0x%016llx): keep=%d fmt=%s rows=%u k=%u batch=%u "
          "expect status %d; %s; w_beats=%u act_beats=%u; stall/256 cfg=%u act=%u w=%u "
          "res=%u early_cfg=%d\n",
          prefix, j->index, j->sub, j->test, (unsigned long long)j->seed, j->keep,
          j->fmt ? "b3" : "i2", j->rows, j->k, j->batch, j->exp_status, j->desc, j->w_beats,
          j->act_beats, j->stall.cfg, j->stall.act, j->stall.w, j->stall.res, j->early_cfg);
}

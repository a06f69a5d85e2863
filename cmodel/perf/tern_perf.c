/* Performance model: one GEMM command on the RTL top, and whole tokens. */
#include <math.h>
#include <string.h>

#include "tern_perf.h"

/* Fixed costs, in cycles, read off the RTL (docs/performance.md,
 * "Calibration"); the terms that depend on a build parameter take it from
 * tern_perf_hw. */
/* rtl/top/tern_top_muldiv.sv (Steps = 32): start, 32 steps, done; the next
 * operation starts the cycle after done. */
#define TOP_MD_OP 34.0
/* StCalc: words, group bytes, act window, result window, + 2 per matrix
 * (groups, bytes), then one cycle per matrix for its window checks. */
#define TOP_CALC_OPS 4.0
#define TOP_CALC_OPS_MAT 2.0
/* StFinish: the two counter scalings (adds, zero trits) by batch. */
#define TOP_FIN_OPS 2.0
/* Read request to AR on the bus: split register, then the AR register. */
#define TOP_RD_REQ 2.0
/* R beat to the read buffer's output: RAM write, RAM read, output stage. */
#define TOP_RD_BUF 3.0
/* Result beat into the write buffer to its W beat: the same buffer. */
#define TOP_WR_BUF 3.0
/* Last command beat -> StDecode -> StCalc; the last B (or the engine's last
 * result + 1) -> the outstanding count, run_end -> StFinish. */
#define TOP_DECODE 2.0
#define TOP_RUN_END 2.0
/* Engine (rtl/engine/tern_engine.sv): a tile's last weight beat to its
 * first result (stage 1, partial-sum write, drain read), plus the Pipe
 * registers; a job's last result to the next job's config (StDone, StIdle)
 * and the config to the table build (StRun). */
#define ENG_W_TO_RES 3.0
#define ENG_JOB_GAP 3.0

const char *tern_perf_bound_name(int bound) {
  switch (bound) {
  case TERN_PERF_BOUND_MEM: return "memory";
  case TERN_PERF_BOUND_COMPUTE: return "compute";
  case TERN_PERF_BOUND_CPU: return "cpu";
  case TERN_PERF_BOUND_OVERHEAD: return "overhead";
  default: return "?";
  }
}

static double dmin(double a, double b) { return a < b ? a : b; }
static double dmax(double a, double b) { return a > b ? a : b; }
static uint64_t up64(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

double tern_perf_read_rate(const tern_perf_hw *hw) {
  if (!hw || !hw->bus_bytes || hw->clock_hz <= 0) return 0;
  double w = (double)hw->bus_bytes;
  double mem = hw->mem_bw / hw->clock_hz;
  if (mem > 0) w = dmin(w, mem);
  /* bytes in flight must cover bandwidth x latency (docs/dma.md) */
  double burst = (double)hw->rd_burst_beats * hw->bus_bytes;
  double flight =
      dmin((double)hw->rd_outstanding * burst, (double)hw->rd_fifo_beats * hw->bus_bytes);
  double lat = (double)hw->rd_latency + burst / w;
  if (lat > 0) w = dmin(w, flight / lat);
  return w;
}

/* rtl/top/tern_top_gearbox with input always valid and output always ready:
 * one cycle from fill level cnt (bytes); it takes a new input beat only
 * while it holds at most one output beat. */
static uint32_t gb_cycle(uint32_t cnt, uint32_t in, uint32_t out, uint32_t *pops) {
  int ready = cnt <= out;
  if (cnt >= out) cnt -= out, ++*pops;
  return ready ? cnt + in : cnt;
}

/* Its steady output rate (bytes/cycle): widths that do not divide leave
 * bubble cycles. The fill level is periodic; the period is found with
 * Brent's cycle search and its pops counted. */
static double gearbox_rate(uint32_t in, uint32_t out) {
  if (!in || !out) return 0;
  uint32_t pops = 0, power = 1, lam = 1;
  uint32_t slow = 0, fast = gb_cycle(0, in, out, &pops);
  while (slow != fast) {
    if (power == lam) slow = fast, power *= 2, lam = 0;
    fast = gb_cycle(fast, in, out, &pops);
    lam++;
  }
  pops = 0;
  for (uint32_t i = 0; i < lam; i++) fast = gb_cycle(fast, in, out, &pops);
  return (double)pops * out / lam;
}

/* Fluid model of the read stream feeding the engine: a producer at rate r
 * (bytes/cycle) and up to cap bytes buffered. An AR reserves buffer room
 * for its whole burst and its data lands restart_delay after the room was
 * freed, so when the buffer fills behind a consumer slower than r the
 * producer follows the consumer with that consumer's rate x restart_delay
 * in flight; when the consumer idles at a full buffer the producer stops
 * (what is in flight still lands); when the consumer speeds up, the rate
 * reaches r only once it has freed a burst's room and that burst has come
 * back. */
typedef struct flow {
  double r, cap, level, t; /* level: bytes buffered */
  double resume; /* production at r from this cycle on, at pre before; HUGE_VAL: stopped */
  double pre;
  double thr;     /* > 0: full buffer, production following a consumer this fast ... */
  double thr_end; /* ... until this cycle (stopped) */
  double restart_bytes, restart_delay;
} flow;

/* The consumer takes up to *v bytes at up to c while production runs at p,
 * until cycle t_end. */
static void flow_seg(flow *f, double *v, double c, double p, double t_end) {
  if (*v <= 0 || f->t >= t_end) return;
  if (c <= p) {
    double dt = dmin(t_end - f->t, *v / c);
    double lim = dmax(0, f->cap - c * f->restart_delay); /* buffered when following c */
    f->t += dt;
    *v -= c * dt;
    if (f->level + (p - c) * dt >= lim && p > c)
      f->level = dmax(lim, f->level), f->thr = c;
    else
      f->level += (p - c) * dt;
    return;
  }
  /* the level falls at c - p; then the consumer gets p */
  double dt = dmin(dmin(t_end - f->t, *v / c), f->level / (c - p));
  f->t += dt;
  *v -= c * dt;
  f->level -= (c - p) * dt;
  if (*v <= 0 || f->t >= t_end) return;
  f->level = 0;
  if (p <= 0) {
    f->t = t_end;
    return;
  }
  dt = dmin(t_end - f->t, *v / p);
  f->t += dt;
  *v -= p * dt;
}

/* A consumer taking c bytes/cycle after the buffer filled: what was in
 * flight lands, the rest restarts a burst's room and a round trip later. */
static void flow_start(flow *f, double c) {
  int stopped = f->resume == HUGE_VAL;
  if (!stopped && !(f->thr > 0 && c > f->thr)) return;
  double te = stopped ? f->thr_end : f->t;
  double fly = f->thr * dmax(0, te + f->restart_delay - f->t);
  f->resume = f->t + f->restart_bytes / c + f->restart_delay;
  f->pre = fly / (f->resume - f->t);
  f->thr = 0;
}

/* Consumer takes v bytes at up to c bytes/cycle. */
static void flow_take(flow *f, double v, double c) {
  if (v <= 0) return;
  flow_start(f, c);
  flow_seg(f, &v, c, f->pre, f->resume);
  flow_seg(f, &v, c, f->r, HUGE_VAL);
}

/* Consumer idle for g cycles (the producer fills the buffer). */
static void flow_gap(flow *f, double g) {
  if (g <= 0) return;
  double t1 = f->t + g;
  if (f->thr > 0 && f->resume != HUGE_VAL) f->thr_end = f->t, f->resume = HUGE_VAL;
  if (f->resume == HUGE_VAL) {
    /* stopped: only what is in flight lands */
    double a = dmin(t1, f->thr_end + f->restart_delay);
    if (f->thr > 0 && a > f->t) f->level = dmin(f->cap, f->level + f->thr * (a - f->t));
  } else {
    double a = dmin(t1, dmax(f->t, f->resume));
    f->level += f->pre * (a - f->t) + f->r * (t1 - a);
    if (f->level >= f->cap) f->level = f->cap, f->resume = HUGE_VAL, f->thr = 0;
  }
  f->t = t1;
}

/* Consumer takes v bytes at once; returns the cycle the last of them came
 * out of the read buffer (before f->t if they were waiting there). */
static double flow_take_all(flow *f, double v) {
  flow_start(f, HUGE_VAL);
  if (f->level >= v) {
    f->level -= v;
    return f->t - f->level / f->r;
  }
  v -= f->level;
  f->level = 0;
  flow_seg(f, &v, HUGE_VAL, f->pre, f->resume);
  if (v > 0) f->t = dmax(f->t, f->resume) + v / f->r;
  return f->t;
}

/* Consumer idle until cycle t. */
static void flow_until(flow *f, double t) { flow_gap(f, t - f->t); }

/* Placement unit of rtl/top/tern_top.sv's gearboxes: the largest power of
 * two up to 64 that divides the beat and fits the bus. */
static uint32_t gb_unit(uint32_t bus, uint32_t beat) {
  uint32_t u = 1;
  for (uint32_t i = 1; i <= 6; i++)
    if (beat % (1u << i) == 0 && (1u << i) <= bus) u = 1u << i;
  return u;
}

/* One activation vector of k bytes through the activation gearbox
 * (rtl/top/tern_top_gearbox.sv), input always valid, from its first bus
 * beat: *next = cycles until the next vector's first beat can enter (the
 * last beat flushes; a padded last output beat lets the next one in as it
 * leaves), *end = cycles until the cycle after its last output beat. */
static void act_vector_cycles(uint32_t bus, uint32_t abb, uint32_t k, double *next, double *end) {
  const uint32_t unit = gb_unit(bus, abb), out_u = abb / unit;
  const uint32_t beats = (k + bus - 1) / bus;
  uint32_t cnt = 0, i = 0, c = 0;
  int flush = 0;
  *next = 0;
  while (i < beats || cnt || flush) {
    int ready = !flush && cnt <= out_u, push = i < beats && ready;
    if (i == beats && ready && !*next) *next = c;
    uint32_t cnt_pop = cnt >= out_u ? cnt - out_u : cnt;
    uint32_t n = i + 1 < beats ? bus : k - i * bus;
    uint32_t cnt_d = push ? cnt_pop + (n + unit - 1) / unit : cnt_pop;
    int flush_d = flush || (push && i + 1 == beats);
    if (flush && cnt_pop < out_u) {
      cnt_d = cnt_pop ? out_u : 0;
      flush_d = 0;
    }
    i += (uint32_t)push;
    cnt = cnt_d, flush = flush_d, c++;
  }
  *end = c;
  if (!*next) *next = c;
}

/* Token bucket of the memory (sim/axi/axi_mem.cpp, bandwidth per channel):
 * a beat in cycle c needs the bucket's level after cycle c - 1 to hold a
 * beat; the level grows by bw a cycle up to one beat + bw. bw 0: none. */
typedef struct bucket {
  double db, bw, cap, tok, last; /* tok: level after cycle `last` */
} bucket;

static void bucket_init(bucket *b, double db, double bw, double t) {
  b->db = db;
  b->bw = bw > 0 && bw < db ? bw : 0;
  b->cap = db + b->bw;
  b->tok = b->cap; /* idle before: full */
  b->last = t;
}

/* First cycle >= want (and after the last beat) the bucket passes a beat. */
static double bucket_beat(bucket *b, double want) {
  double c = dmax(want, b->last + 1);
  if (b->bw <= 0) {
    b->last = c;
    return c;
  }
  double t = dmin(b->cap, b->tok + (c - 1 - b->last) * b->bw);
  if (t < b->db) {
    double j = ceil((b->db - t) / b->bw - 1e-9);
    c += j;
    t = dmin(b->cap, t + j * b->bw);
  }
  b->tok = dmin(b->cap, t - b->db + b->bw);
  b->last = c;
  return c;
}

/* The result path: rtl/top/tern_top_reswr.sv (one write request a batch
 * vector of a row group) into rtl/axi/tern_axi_wr.sv (AW once a burst's
 * beats are buffered, at most wr_outstanding bursts awaiting B). */
#define WR_RING 64
typedef struct wpath {
  double split_free; /* first cycle the write split takes a request */
  double w_free;     /* first cycle the W channel is free */
  double b_last;     /* last B so far */
  double wlat;
  uint32_t outst, n;
  double b_at[WR_RING]; /* B of the last bursts (outstanding limit) */
  bucket w;
} wpath;

/* One vector's write of nb beats, its request and beats offered from cycle
 * s; returns the cycle the writer is done with it (takes the next vector
 * the cycle after). */
static double wpath_vector(wpath *p, double s, double nb) {
  double r = dmax(s, p->split_free); /* request accepted */
  double load = dmax(r + 1, s + nb); /* every beat buffered */
  if (p->n >= p->outst) load = dmax(load, p->b_at[(p->n - p->outst) % WR_RING] + 1);
  p->split_free = load + 1;
  double aw = load + 1;
  double w = dmax(dmax(aw + 1, s + TOP_WR_BUF), p->w_free);
  for (double i = 0; i < nb; i++) w = bucket_beat(&p->w, i ? w + 1 : w);
  p->w_free = w + 1;
  double b = w + p->wlat;
  p->b_at[p->n % WR_RING] = b;
  p->n++;
  p->b_last = dmax(p->b_last, b);
  return dmax(r, s + nb - 1);
}

static uint32_t popcount32(uint32_t v) {
  uint32_t n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

int tern_perf_cmd_predict(const tern_perf_hw *hw, const tern_perf_cmd *cmd, double zero_frac,
                          tern_perf_cmd_out *out) {
  if (!hw || !cmd || !out) return TERN_ERR_NULL;
  memset(out, 0, sizeof *out);
  const tern_engine_params *e = &hw->eng;
  if (tern_engine_params_check(e) != TERN_OK) return TERN_ERR_DIM;
  if (cmd->fmt != TERN_FMT_I2 && cmd->fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (cmd->nmat < 1 || cmd->nmat > 4 || cmd->batch < 1 || cmd->batch > e->batch || cmd->k < 1 ||
      cmd->k > e->max_k || hw->bus_bytes == 0 || hw->bus_bytes > 4096)
    return TERN_ERR_DIM;
  if (!(zero_frac >= 0 && zero_frac <= 1)) return TERN_ERR_VALUE;
  const double bus = hw->bus_bytes;
  const double r = tern_perf_read_rate(hw);
  if (!(r > 0)) return TERN_ERR_DIM;
  const double mem_w = dmin(bus, hw->mem_bw > 0 ? hw->mem_bw / hw->clock_hz : bus);
  const double lat = hw->rd_latency ? hw->rd_latency : 1;
  const double batch = cmd->batch;
  const uint32_t wt = tern_engine_word_trits(e, cmd->fmt);
  const uint64_t words = (cmd->k + wt - 1) / wt;
  const uint64_t k_bus = up64(cmd->k, hw->bus_bytes);
  const double trits_per_byte = cmd->fmt == TERN_FMT_B3 ? 5.0 : 4.0;
  /* design A has no tables: a tile is one row group, nothing to build */
  const int lut = hw->design == TERN_PERF_LUT;
  const uint32_t tr = lut ? tern_engine_tile_rows(e) : e->lanes;
  const uint64_t gpt = tr / e->lanes;
  const double build = lut ? hw->lut_build_cycles : 0;
  /* Pipe bits 0-2 and 5 each delay the accumulate a cycle; bit 3 registers the
   * partial-sum RAM outputs: the old sum is read a cycle earlier (no
   * latency), the drain fetches into a register (a tile's first result 2
   * cycles later, further groups prefetched); bit 4 prefetches the
   * builder's operands: a job's first build a cycle later */
  const double pipe = popcount32(hw->pipe & 0x27u) + 2.0 * ((hw->pipe >> 3) & 1u);
  const double pipe_act = (hw->pipe >> 4) & 1u;

  /* fetch: the 128-byte ring entry, AR two cycles in, R after the latency
   * at the memory's rate, out of the read buffer 3 cycles later; decode,
   * the validation steps on the shift-add unit */
  bucket rb;
  bucket_init(&rb, bus, mem_w < bus ? mem_w : 0, 0);
  double rl = bucket_beat(&rb, TOP_RD_REQ + lat);
  for (double i = 1; i < 128.0 / bus; i++) rl = bucket_beat(&rb, rl + 1);
  const double t0 = rl + TOP_RD_BUF + TOP_DECODE +
                    TOP_MD_OP * (TOP_CALC_OPS + TOP_CALC_OPS_MAT * cmd->nmat) + cmd->nmat;

  /* run: inputs then weights stream in order through the read buffer; the
   * first beat leaves it TOP_RD_REQ + latency + TOP_RD_BUF after the start
   * (a slow memory's bucket starts full: one beat plus bw ahead) */
  const double p0 = t0 + TOP_RD_REQ + lat + TOP_RD_BUF;
  flow f = {.r = r,
            .cap = (double)hw->rd_fifo_beats * bus,
            .level = bus + (mem_w < bus ? mem_w : 0),
            .t = p0,
            .resume = -HUGE_VAL,
            .restart_bytes = (double)hw->rd_burst_beats * bus,
            .restart_delay = TOP_RD_REQ + lat + TOP_RD_BUF};
  wpath wp;
  memset(&wp, 0, sizeof wp);
  wp.wlat = hw->wr_latency ? hw->wr_latency : 1;
  wp.outst = hw->wr_outstanding ? hw->wr_outstanding : 1;
  if (wp.outst > WR_RING) wp.outst = WR_RING;
  bucket_init(&wp.w, bus, mem_w < bus ? mem_w : 0, t0);
  /* the weight gearbox passes a WBeat beat every cpb cycles at best */
  const double cpb = dmax(1.0, e->w_beat_bytes / gearbox_rate(hw->bus_bytes, e->w_beat_bytes));
  double act_v, act_e;
  act_vector_cycles(hw->bus_bytes, e->act_beat_bytes, cmd->k, &act_v, &act_e);
  double eng = 0, mem_bytes = 0, col = 0, y = 0;
  out->bytes_read = 128;
  for (uint32_t m = 0; m < cmd->nmat; m++) {
    size_t wb = tern_engine_wstream_bytes(e, cmd->fmt, cmd->rows[m], cmd->k);
    if (!wb) return TERN_ERR_DIM;
    uint64_t groups = (cmd->rows[m] + e->lanes - 1) / e->lanes;
    uint64_t w_beats = wb / e->w_beat_bytes;
    /* a chained job's config waits for the previous job's last result */
    if (m) flow_until(&f, y + ENG_JOB_GAP - (hw->keep_act ? 0 : 1));
    if (m == 0 || !hw->keep_act) {
      /* activations: k_bus bus bytes a vector through the gearbox, act_v
       * cycles each at best (act_e the last); a bus beat's act beats leave
       * the cycles after it enters; the first table build the cycle after
       * the last one */
      double vbytes = (double)k_bus * batch, t_s = f.t;
      uint32_t n_last = cmd->k - (uint32_t)((k_bus / hw->bus_bytes - 1) * hw->bus_bytes);
      double q = ceil((double)n_last / e->act_beat_bytes);
      double act = act_v * (batch - 1) + act_e;
      flow_take(&f, vbytes, vbytes / act);
      double a = f.level > 0 ? f.t - f.level / f.r : f.t; /* the last byte in */
      flow_until(&f, dmax(t_s + act, a + q + 1));
      eng += act;
      out->bus_bytes_read += (uint64_t)vbytes;
      mem_bytes += vbytes;
    }
    flow_gap(&f, build + (lut ? pipe_act : 0));
    eng += build;
    /* per tile: each K word takes max(row groups x cpb, build + 1) (the
     * next word's tables build while the lanes read these); a tile needs
     * the partial-sum half of tile t - 2 drained */
    uint64_t tiles = (groups + gpt - 1) / gpt;
    double half_free[2] = {0, 0}, next_w = f.t;
    double pad = (double)(up64(wb, hw->bus_bytes) - wb);
    for (uint64_t t = 0; t < tiles; t++) {
      uint64_t g = t + 1 < tiles ? gpt : groups - gpt * (tiles - 1);
      flow_until(&f, dmax(next_w, half_free[t % 2]));
      double step = dmax((double)g * cpb, build + 1.0);
      double gb = (double)g * e->w_beat_bytes;
      if (words > 1) flow_take(&f, (double)(words - 1) * gb, gb / step);
      next_w = f.t + step; /* the last word's tables are in: the next tile's build starts */
      /* the last word's beats: cpb apart, each the cycle after its last
       * byte left the read buffer (with the last bus beat's unused bytes) */
      double s_last = f.t, a = flow_take_all(&f, gb + (t + 1 == tiles ? pad : 0));
      double last_w = dmax(s_last + (double)(g - 1) * cpb, a + 1);
      flow_until(&f, last_w);
      eng += (double)words * dmax((double)g, build + 1.0); /* engine alone: a beat a cycle */
      /* drain: results one a cycle (rows, batch inner) while the writer
       * collects; a row group's batch vectors then leave as one write
       * each */
      col = dmax(col, last_w + ENG_W_TO_RES + pipe);
      for (uint64_t j = 0; j < g; j++) {
        uint64_t row0 = (t * gpt + j) * e->lanes;
        double rows_j = dmin((double)e->lanes, (double)cmd->rows[m] - (double)row0);
        y = col + rows_j * batch - 1;
        double off = (double)((4 * row0) % hw->bus_bytes);
        double nb = ceil((off + 4.0 * rows_j) / bus);
        double s = y + 1;
        for (uint32_t b = 0; b < cmd->batch; b++) s = wpath_vector(&wp, s, nb) + 1;
        col = s;
      }
      half_free[t % 2] = y + 1;
    }
    out->weight_bytes += wb;
    out->bus_bytes_read += up64(wb, hw->bus_bytes);
    mem_bytes += (double)up64(wb, hw->bus_bytes);
    out->bytes_written += 4ull * cmd->rows[m] * cmd->batch;
    double trits = (double)wb * trits_per_byte * batch;
    out->adds += trits * (1.0 - zero_frac);
    out->zero_trits += trits * zero_frac;
    out->act_buf_reads += (double)w_beats;
  }
  /* the run ends with the last write's B (and the engine's last job);
   * then the two counter scalings */
  double run_end = dmax(wp.b_last, y + 1) + TOP_RUN_END;
  out->bytes_read += k_bus * cmd->batch + out->weight_bytes;
  out->cycles = run_end + TOP_MD_OP * TOP_FIN_OPS;
  out->engine_cycles = eng;
  out->mem_cycles = mem_bytes / r;
  /* everything but the streaming itself: fetch, validation, first beat,
   * drain and write tail, finish */
  double fixed = out->cycles - (f.t - p0);
  if (fixed > eng && fixed > out->mem_cycles)
    out->bound = TERN_PERF_BOUND_OVERHEAD;
  else
    out->bound = out->mem_cycles > eng ? TERN_PERF_BOUND_MEM : TERN_PERF_BOUND_COMPUTE;
  return TERN_OK;
}

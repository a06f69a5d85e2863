// Verilator co-simulation of tern_engine against the C golden model.
// Drives config, activation and weight streams with random stalls, sinks
// results with random back-pressure, and checks every result of every job
// bit for bit against tern_gemm_ref (expected values come from tb_job.c).
// Written C-style; C++ only because Verilator's model is a C++ class.
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "Vtern_engine.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include "verilated_cov.h"
#endif

#include "tb_job.h"

// Engine parameters: the same values the RTL was built with (mk/sim.mk passes
// them from one config file to both -G and -D).
#ifndef TB_LANES
#error "TB_* parameters come from mk/sim.mk"
#endif
#ifndef TB_TILE_ROWS
#define TB_TILE_ROWS 0
#endif

// ---- wide-signal helpers ----------------------------------------------------

template <typename T> static void put_bytes(T &sig, const uint8_t *b, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n && i < sizeof(T); i++) v |= (uint64_t)b[i] << (8 * i);
  sig = (T)v;
}
template <std::size_t W> static void put_bytes(VlWide<W> &sig, const uint8_t *b, unsigned n) {
  for (std::size_t w = 0; w < W; w++) {
    uint32_t v = 0;
    for (unsigned j = 0; j < 4; j++)
      if (4 * w + j < n) v |= (uint32_t)b[4 * w + j] << (8 * j);
    sig[w] = v;
  }
}

// ---- run state --------------------------------------------------------------

struct Opts {
  uint64_t seed = 1;
  const char *test = "all";
  long jobs = 200;    // random jobs
  long only_job = -1; // run only this job index of the test
  const char *fst = nullptr;
  const char *cov = nullptr;
  long progress = 0; // progress line every N jobs (0: off)
  int max_fail_print = 10;
  int bench = 0;
  int indep_check = 1; // check res_valid_o does not depend on res_ready_i
};

struct Item {
  const char *test;
  unsigned index, sub;
};

struct Sim {
  Opts o;
  VerilatedContext *ctx = nullptr;
  Vtern_engine *top = nullptr;
#if VM_TRACE
  VerilatedFstC *tfp = nullptr;
#endif
  tern_engine_params p{};
  unsigned batch_w = TB_BATCH_W;
  uint64_t cycle = 0;

  std::vector<Item> items;
  size_t next_item = 0;

  tb_job jobs[2]{};
  tb_job *cur = nullptr;  // config accepted, running
  tb_job *pend = nullptr; // next job, its config offered or about to be
  uint64_t cur_cfg_cycle = 0, pend_since = 0;

  // source state: a valid once raised is held until its handshake
  bool cfg_v = false, act_v = false, w_v = false;
  uint32_t act_sent = 0, w_sent = 0;
  uint64_t res_got = 0;
  std::vector<uint8_t> seen;
  int cur_errors = 0;
  // junk beats that must not be taken: both streams after a bad config, the
  // activation stream in a job that keeps the previous activations
  bool junk_act = false, junk_w = false;

  // result hold check
  bool res_hold = false;
  uint32_t hold_row = 0, hold_batch = 0;
  uint64_t hold_data = 0;
  int hold_err = 0, hold_last = 0;

  // totals
  long passed = 0, failed = 0;
  uint64_t job_cycles = 0, ideal_cycles = 0; // bench
  double gen_secs = 0;                       // spent building stimulus
  std::vector<std::string> fail_lines;
};

static uint32_t chance(uint64_t *rng, unsigned p256) {
  return (unsigned)(tb_rand(rng) & 255u) < p256;
}

static void job_error(Sim *s, tb_job *j, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void job_error(Sim *s, tb_job *j, const char *fmt, ...) {
  if (j && j->index != ~0u) {
    if (s->cur_errors == 0 && s->failed < s->o.max_fail_print) tb_job_print(j, "FAIL");
    s->cur_errors++;
    if (s->cur_errors > 5 || s->failed >= s->o.max_fail_print) return;
  } else if (s->failed >= s->o.max_fail_print) {
    return;
  }
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "  cycle %" PRIu64 ": %s\n", s->cycle, msg);
}

static void dump(Sim *s, uint64_t t) {
#if VM_TRACE
  if (s->tfp) s->tfp->dump(t);
#else
  (void)s;
  (void)t;
#endif
}

static void tick(Sim *s) {
  s->top->clk_i = 1;
  s->top->eval();
  s->ctx->timeInc(1);
  dump(s, 2 * s->cycle + 1);
  s->top->clk_i = 0;
  s->top->eval();
  s->ctx->timeInc(1);
  s->cycle++;
}

static void reset(Sim *s) {
  Vtern_engine *t = s->top;
  t->rst_ni = 0;
  t->cfg_valid_i = 0;
  t->act_valid_i = 0;
  t->w_valid_i = 0;
  t->res_ready_i = 0;
  for (int i = 0; i < 5; i++) {
    t->eval();
    dump(s, 2 * s->cycle);
    tick(s);
  }
  t->rst_ni = 1;
  s->cfg_v = s->act_v = s->w_v = false;
  s->res_hold = false;
}

static bool make_next(Sim *s) {
  if (s->next_item >= s->items.size()) return false;
  tb_job *slot = s->cur == &s->jobs[0] ? &s->jobs[1] : &s->jobs[0];
  const Item &it = s->items[s->next_item++];
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  int st = tb_job_make(&s->p, s->batch_w, it.test, s->o.seed, it.index, it.sub, slot);
  clock_gettime(CLOCK_MONOTONIC, &b);
  s->gen_secs += (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
  if (st != TERN_OK) {
    fprintf(stderr, "tb: cannot build job %u.%u of %s: %s\n", it.index, it.sub, it.test,
            tern_strerror(st));
    exit(2);
  }
  s->pend = slot;
  s->pend_since = s->cycle;
  return true;
}

static void start_job(Sim *s) {
  s->cur = s->pend;
  s->pend = nullptr;
  s->cur_cfg_cycle = s->cycle;
  s->act_sent = s->w_sent = 0;
  s->res_got = 0;
  s->seen.assign(s->cur->results, 0);
  s->cur_errors = 0;
  s->junk_w = s->cur->exp_status == 1;
  s->junk_act = s->junk_w || s->cur->keep;
}

static void finish_job(Sim *s, bool hung) {
  tb_job *j = s->cur;
  bool fail = s->cur_errors > 0 || hung;
  if (fail) {
    s->failed++;
    char line[256];
    snprintf(line, sizeof line,
             "%s job %u.%u (job seed 0x%016" PRIx64 "): rerun with make sim TEST=%s SEED=%" PRIu64
             " JOB=%u",
             j->test, j->index, j->sub, j->seed, j->test, s->o.seed, j->index);
    s->fail_lines.push_back(line);
  } else {
    s->passed++;
  }
  if (!j->exp_status || j->exp_status == 2) {
    s->job_cycles += s->cycle - s->cur_cfg_cycle;
    s->ideal_cycles += j->w_beats;
  }
  if (s->o.bench) {
    uint64_t cyc = s->cycle - s->cur_cfg_cycle;
    printf("bench: job %u fmt=%s rows=%u k=%u batch=%u: %" PRIu64
           " cycles; ideal %u (weight beats): "
           "%.3f; %u activation beats; cycles / (weight + activation beats) = %.3f\n",
           j->index, j->fmt ? "b3" : "i2", j->rows, j->k, j->batch, cyc, j->w_beats,
           (double)j->w_beats / (double)cyc, j->act_beats,
           (double)cyc / (double)(j->w_beats + j->act_beats));
  }
  tb_job_free(j);
  s->cur = nullptr;
  s->pend_since = s->cycle;
  s->junk_act = s->junk_w = false;
  s->act_v = s->w_v = false; // junk beats are withdrawn; real ones were all taken
  if (fail) reset(s);        // isolate the next job from a confused engine
  long done = s->passed + s->failed;
  if (s->o.progress && done % s->o.progress == 0)
    printf("[sim] %ld/%zu jobs, %ld failed, %" PRIu64 " cycles\n", done, s->items.size(), s->failed,
           s->cycle);
  fflush(stdout);
}

static uint64_t sext(uint64_t v, unsigned w) {
  if (w >= 64) return v;
  v &= (1ull << w) - 1;
  return (v >> (w - 1)) & 1 ? v | ~((1ull << w) - 1) : v;
}

// One clock cycle: drive, settle, check, clock edge.
static void step(Sim *s) {
  Vtern_engine *t = s->top;
  tb_job *c = s->cur;
  const uint32_t abb = s->p.act_beat_bytes, wbb = s->p.w_beat_bytes;

  // config source
  if (!s->cfg_v && s->pend && (!c || s->pend->early_cfg) &&
      !chance(&s->pend->rng, s->pend->stall.cfg)) {
    s->cfg_v = true;
    t->cfg_fmt_i = s->pend->fmt;
    t->cfg_rows_i = s->pend->rows;
    t->cfg_k_i = s->pend->k;
    t->cfg_batch_i = s->pend->batch;
    t->cfg_keep_act_i = s->pend->keep;
  }
  t->cfg_valid_i = s->cfg_v;

  // stream sources: the current job's beats, or junk after a bad config
  if (c && !s->act_v && !chance(&c->rng, c->stall.act)) {
    if (s->junk_act) {
      uint8_t b[4096];
      for (uint32_t i = 0; i < abb && i < sizeof b; i++) b[i] = (uint8_t)tb_rand(&c->rng);
      put_bytes(t->act_data_i, b, abb);
      s->act_v = true;
    } else if (s->act_sent < c->act_beats) {
      put_bytes(t->act_data_i, c->act + (size_t)s->act_sent * abb, abb);
      s->act_v = true;
    }
  }
  if (c && !s->w_v && !chance(&c->rng, c->stall.w)) {
    if (s->junk_w) {
      std::vector<uint8_t> b(wbb);
      for (uint32_t i = 0; i < wbb; i++) b[i] = (uint8_t)tb_rand(&c->rng);
      put_bytes(t->w_data_i, b.data(), wbb);
      s->w_v = true;
    } else if (s->w_sent < c->w_beats) {
      put_bytes(t->w_data_i, c->wstream + (size_t)s->w_sent * wbb, wbb);
      s->w_v = true;
    }
  }
  t->act_valid_i = s->act_v;
  t->w_valid_i = s->w_v;
  uint64_t idle_rng = s->cycle * 0x9e3779b97f4a7c15ull;
  bool rdy = c ? !chance(&c->rng, c->stall.res) : (tb_rand(&idle_rng) & 1u);
  t->res_ready_i = rdy;
  t->eval();

  if (s->o.indep_check) {
    uint8_t rv = t->res_valid_o;
    t->res_ready_i = !rdy;
    t->eval();
    if (t->res_valid_o != rv) job_error(s, c, "res_valid_o depends on res_ready_i");
    t->res_ready_i = rdy;
    t->eval();
  }
  dump(s, 2 * s->cycle);

  // sample
  bool cfg_fire = s->cfg_v && t->cfg_ready_o;
  bool act_fire = s->act_v && t->act_ready_o;
  bool w_fire = s->w_v && t->w_ready_o;
  bool res_valid = t->res_valid_o;
  bool res_fire = res_valid && rdy;
  bool done = t->done_o;
  unsigned status = t->status_o;
  bool busy = t->busy_o;
  uint32_t row = t->res_row_o, bat = t->res_batch_o;
  uint64_t data = sext((uint64_t)t->res_data_o, TB_ACC_WIDTH);
  int err = t->res_err_o, last = t->res_last_o;

  if (s->res_hold) {
    if (!res_valid)
      job_error(s, c, "res_valid_o dropped without a handshake");
    else if (row != s->hold_row || bat != s->hold_batch || data != s->hold_data ||
             err != s->hold_err || last != s->hold_last)
      job_error(s, c, "result beat changed while stalled (row %u->%u batch %u->%u)", s->hold_row,
                row, s->hold_batch, bat);
  }

  if (c) {
    if (s->cycle > s->cur_cfg_cycle && !done && !busy) job_error(s, c, "busy_o low during a job");
    if (act_fire) {
      if (s->junk_act)
        job_error(s, c, "activation beat taken %s",
                  c->keep ? "by a job that keeps activations" : "after a bad config");
      else
        s->act_sent++;
    }
    if (w_fire) {
      if (s->junk_w)
        job_error(s, c, "weight beat taken after a bad config");
      else
        s->w_sent++;
    }
    if (res_fire) {
      if (c->exp_status == 1) {
        job_error(s, c, "result after a bad config");
      } else if (row >= c->rows || bat >= c->batch) {
        job_error(s, c, "result (row %u, batch %u) out of range", row, bat);
      } else {
        uint64_t i = (uint64_t)bat * c->rows + row;
        if (s->seen[i]) job_error(s, c, "result (row %u, batch %u) twice", row, bat);
        s->seen[i] = 1;
        s->res_got++;
        if ((int32_t)data != c->y[i] || data != (uint64_t)(int64_t)c->y[i])
          job_error(s, c, "row %u batch %u: got %" PRId64 ", want %d", row, bat, (int64_t)data,
                    c->y[i]);
        if (err != c->row_err[row])
          job_error(s, c, "row %u batch %u: res_err_o %d, want %d", row, bat, err, c->row_err[row]);
        if (last != (s->res_got == c->results))
          job_error(s, c, "res_last_o %d on result %" PRIu64 " of %" PRIu64, last, s->res_got,
                    c->results);
      }
    }
    if (done) {
      if (status != (unsigned)c->exp_status)
        job_error(s, c, "status_o %u, want %d", status, c->exp_status);
      if (!s->junk_w && (s->act_sent != c->act_beats || s->w_sent != c->w_beats))
        job_error(s, c, "done after %u/%u activation and %u/%u weight beats", s->act_sent,
                  c->act_beats, s->w_sent, c->w_beats);
      if (s->res_got != c->results)
        job_error(s, c, "done after %" PRIu64 " of %" PRIu64 " results", s->res_got, c->results);
    }
  } else {
    if (busy) job_error(s, nullptr, "busy_o high with no job");
    if (act_fire || w_fire) job_error(s, nullptr, "stream beat taken with no job");
    if (res_valid) job_error(s, nullptr, "res_valid_o with no job");
    if (done) job_error(s, nullptr, "done_o with no job");
  }

  tick(s);

  // advance sources and bookkeeping after the edge
  if (act_fire) s->act_v = false;
  if (w_fire) s->w_v = false;
  s->res_hold = res_valid && !rdy;
  if (s->res_hold) {
    s->hold_row = row;
    s->hold_batch = bat;
    s->hold_data = data;
    s->hold_err = err;
    s->hold_last = last;
  }
  if (c && done) finish_job(s, false);
  if (cfg_fire) {
    s->cfg_v = false;
    if (s->cur) {
      job_error(s, s->cur, "config accepted while busy");
      finish_job(s, true);
    } else {
      start_job(s);
      make_next(s);
    }
  }
  if (s->cur && s->cycle - s->cur_cfg_cycle > s->cur->timeout) {
    job_error(s, s->cur,
              "timeout: no done_o after %" PRIu64 " cycles (%u/%u act, %u/%u w beats, %" PRIu64
              "/%" PRIu64 " results)",
              s->cur->timeout, s->act_sent, s->cur->act_beats, s->w_sent, s->cur->w_beats,
              s->res_got, s->cur->results);
    finish_job(s, true);
  }
  if (!s->cur && s->pend && s->cycle - s->pend_since > 4000) {
    s->cur = s->pend; // report against the job whose config is ignored
    s->pend = nullptr;
    s->cur_errors = 0;
    job_error(s, s->cur, "timeout: config not accepted in 4000 cycles");
    finish_job(s, true);
    s->cfg_v = false;
    make_next(s);
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: tb_engine [--seed N] [--test all|directed|random|NAME] [--jobs N] [--job I]\n"
          "                 [--progress N] [--fst FILE] [--cov FILE] [--bench N] [--list]\n");
}

int main(int argc, char **argv) {
  Sim sim;
  Sim *s = &sim;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&](void) -> const char * {
      if (i + 1 >= argc) {
        usage();
        exit(2);
      }
      return argv[++i];
    };
    if (a == "--seed")
      s->o.seed = strtoull(val(), nullptr, 0);
    else if (a == "--test")
      s->o.test = val();
    else if (a == "--jobs")
      s->o.jobs = strtol(val(), nullptr, 0);
    else if (a == "--job")
      s->o.only_job = strtol(val(), nullptr, 0);
    else if (a == "--progress")
      s->o.progress = strtol(val(), nullptr, 0);
    else if (a == "--fst")
      s->o.fst = val();
    else if (a == "--cov")
      s->o.cov = val();
    else if (a == "--bench")
      s->o.bench = 1, s->o.jobs = strtol(val(), nullptr, 0);
    else if (a == "--list") {
      for (const char *const *n = tb_directed_tests; *n; n++)
        printf("%s (%u jobs)\n", *n, tb_directed_count(*n));
      printf("random\n");
      return 0;
    } else if (a.rfind("+verilator", 0) == 0) {
      continue;
    } else {
      usage();
      return 2;
    }
  }

  s->p.lanes = TB_LANES;
  s->p.word_bytes = TB_WORD_BYTES;
  s->p.batch = TB_BATCH;
  s->p.max_k = TB_MAX_K;
  s->p.acc_width = TB_ACC_WIDTH;
  s->p.act_beat_bytes = TB_ACT_BEAT_BYTES;
  s->p.w_beat_bytes = TB_W_BEAT_BYTES;
  s->p.tile_rows = TB_TILE_ROWS;
  if (tern_engine_params_check(&s->p) != TERN_OK) {
    fprintf(stderr, "tb: engine parameters rejected by tern_engine_params_check\n");
    return 2;
  }

  // the job list
  std::string test = s->o.test;
  if (s->o.bench) {
    for (long i = 0; i < s->o.jobs; i++) s->items.push_back({"bench", (unsigned)i, 0});
    s->o.indep_check = 0;
  } else {
    if (test == "all" || test == "directed") {
      for (const char *const *n = tb_directed_tests; *n; n++)
        for (unsigned i = 0; i < tb_directed_count(*n); i++)
          for (unsigned c = 0; c < tb_chain_len(&s->p, *n, s->o.seed, i); c++)
            s->items.push_back({*n, i, c});
    } else if (test != "random") {
      const char *name = tb_directed_count(s->o.test) ? s->o.test : nullptr;
      if (!name) {
        fprintf(stderr, "tb: unknown test '%s' (--list shows them)\n", test.c_str());
        return 2;
      }
      for (unsigned i = 0; i < tb_directed_count(name); i++)
        for (unsigned c = 0; c < tb_chain_len(&s->p, name, s->o.seed, i); c++)
          s->items.push_back({name, i, c});
    }
    if (test == "all" || test == "random")
      for (long i = 0; i < s->o.jobs; i++)
        for (unsigned c = 0; c < tb_chain_len(&s->p, "random", s->o.seed, (unsigned)i); c++)
          s->items.push_back({"random", (unsigned)i, c});
  }
  if (s->o.only_job >= 0) {
    std::vector<Item> keep; // the whole chain of that item
    if (test == "all" || test == "directed") {
      fprintf(stderr, "tb: --job needs --test random or a directed test name\n");
      return 2;
    }
    for (const Item &it : s->items)
      if (it.index == (unsigned)s->o.only_job) keep.push_back(it);
    if (keep.empty()) {
      fprintf(stderr, "tb: no job %ld in test %s\n", s->o.only_job, test.c_str());
      return 2;
    }
    s->items = keep;
  }

  printf("tb_engine: seed %" PRIu64 ", test %s, %zu jobs; Lanes=%u WordBytes=%u Batch=%u MaxK=%u "
         "TileRows=%u\n",
         s->o.seed, test.c_str(), s->items.size(), s->p.lanes, s->p.word_bytes, s->p.batch,
         s->p.max_k, s->p.tile_rows);
  fflush(stdout);

  s->ctx = new VerilatedContext;
  s->ctx->commandArgs(argc, argv);
  s->top = new Vtern_engine{s->ctx};
#if VM_TRACE
  if (s->o.fst) {
    s->ctx->traceEverOn(true);
    s->tfp = new VerilatedFstC;
    s->top->trace(s->tfp, 99);
    s->tfp->open(s->o.fst);
  }
#endif
  s->top->clk_i = 0;
  reset(s);

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  uint64_t c0 = s->cycle;
  make_next(s);
  while (s->cur || s->pend) step(s);
  // a few idle cycles: nothing may happen without a job
  for (int i = 0; i < 8; i++) step(s);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  uint64_t cycles = s->cycle - c0;

  s->top->final();
#if VM_TRACE
  if (s->tfp) {
    s->tfp->close();
    printf("tb_engine: wrote %s\n", s->o.fst);
  }
#endif
#if VM_COVERAGE
  if (s->o.cov) s->ctx->coveragep()->write(s->o.cov);
#endif
  for (const std::string &l : s->fail_lines) fprintf(stderr, "FAILED: %s\n", l.c_str());
  double sim_secs = secs - s->gen_secs;
  printf("tb_engine: %" PRIu64 " cycles in %.2f s, %.2f s of it building stimulus and golden "
         "results; simulation %.0f cycles/s\n",
         cycles, secs, s->gen_secs, sim_secs > 0 ? (double)cycles / sim_secs : 0.0);
  if (s->o.bench && s->ideal_cycles)
    printf("bench: all jobs: %" PRIu64 " engine cycles for %" PRIu64 " weight beats: weight-beat "
           "efficiency %.3f\n",
           s->job_cycles, s->ideal_cycles, (double)s->ideal_cycles / (double)s->job_cycles);
  printf("%ld passed, %ld failed\n", s->passed, s->failed);
  delete s->top;
  delete s->ctx;
  return s->failed ? 1 : 0;
}

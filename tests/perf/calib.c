#define _POSIX_C_SOURCE 200809L
/* Calibration: predicted command cycles against the Verilated top's
 * PERF_BUSY_CYCLES (tests/perf/tb_perf_top.cpp), within 5% on every command
 * of the list, small ones included (their cycles are the fixed costs the
 * model reads off the RTL). Also checks the byte counters exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_tests.h"

#define CALIB_TOL 0.05
#define CALIB_MAX_VARIANTS 16

/* Variant <cfg>-b<bus>[-o<outstanding>] as in mk/perf.mk: the engine config
 * (Pipe included), the bus, the read master's outstanding bursts (buffer 16
 * beats a burst when given). */
static int hw_for_variant(const char *v, tern_perf_hw *hw) {
  char cfg[64];
  unsigned bus = 0, out = 0;
  const char *d = strstr(v, "-b");
  if (!d || (size_t)(d - v) >= sizeof cfg) return TERN_ERR_VALUE;
  memcpy(cfg, v, (size_t)(d - v));
  cfg[d - v] = 0;
  if (sscanf(d, "-b%u-o%u", &bus, &out) < 1) return TERN_ERR_VALUE;
  tern_perf_hw_default(hw);
  int rc = tern_perf_hw_set(hw, "engine", cfg, TERN_ROOT "/config/hw");
  if (rc != TERN_OK) return rc;
  hw->bus_bytes = bus;
  if (out) {
    hw->rd_outstanding = out;
    hw->rd_fifo_beats = 16 * out;
  }
  hw->clock_hz = 1; /* bandwidth in bytes/cycle */
  return TERN_OK;
}

/* The harness build must be the configuration modelled (a stale build or a
 * parameter mk/perf.mk did not pass would calibrate the wrong thing). */
static int check_build(const char *tb, const char *v, const tern_perf_hw *hw) {
  char cmd[600], line[256];
  snprintf(cmd, sizeof cmd, "%s --params", tb);
  FILE *p = popen(cmd, "r");
  if (!p) return 1;
  unsigned lanes, wb, batch, max_k, tile, pipe, bus, outst;
  int n = 0;
  if (fgets(line, sizeof line, p))
    n = sscanf(line,
               "lanes %u word_bytes %u batch %u max_k %u tile_rows %u pipe %u bus %u "
               "rd_outstanding %u",
               &lanes, &wb, &batch, &max_k, &tile, &pipe, &bus, &outst);
  pclose(p);
  const tern_engine_params *e = &hw->eng;
  if (n != 8 || lanes != e->lanes || wb != e->word_bytes || batch != e->batch ||
      max_k != e->max_k || tile != e->tile_rows || pipe != hw->pipe || bus != hw->bus_bytes ||
      outst != hw->rd_outstanding) {
    fprintf(stderr, "calib %s: %s --params does not match the configuration (rebuild it)\n", v, tb);
    return 1;
  }
  return 0;
}

typedef struct job {
  char name[48];
  tern_perf_cmd cmd;
  unsigned lat, wlat;
  double bw;
} job;

/* The regression list for one variant: shapes scaled to its max_k, both
 * formats, batch 1 and full, chains of 1..4, memory latency and bandwidth. */
static int make_jobs(const tern_perf_hw *hw, int full, job *jobs, int max) {
  const tern_engine_params *e = &hw->eng;
  uint32_t kmax = e->max_k;
  uint32_t ks[] = {kmax, kmax / 2 + 3, kmax > 64 ? 64 : kmax, 7};
  uint32_t rows[] = {8 * e->lanes + 1, 32 * e->lanes, 3};
  unsigned lats[] = {1, 40, 100};
  double bws[] = {0, (double)hw->bus_bytes / 2, 3};
  int n = 0;
  uint64_t seed = 99;
  for (unsigned ki = 0; ki < (full ? 4u : 2u); ki++)
    for (unsigned ri = 0; ri < (full ? 3u : 2u); ri++)
      for (int fmt = 0; fmt < 2; fmt++)
        for (unsigned bi = 0; bi < 2; bi++) {
          if (n >= max) return n;
          job *j = &jobs[n];
          memset(j, 0, sizeof *j);
          uint32_t k = ks[ki] ? ks[ki] : 1;
          if (k > kmax) k = kmax;
          uint32_t r = rows[ri];
          /* large K x rows on the big engines keeps jobs above 10k cycles */
          if (e->max_k >= 4096 && ri == 1) r = 64 * e->lanes;
          j->cmd.fmt = fmt ? TERN_FMT_B3 : TERN_FMT_I2;
          j->cmd.k = k;
          j->cmd.batch = bi ? e->batch : 1;
          j->cmd.nmat = 1 + (uint32_t)(tt_rand(&seed) % 4);
          for (unsigned m = 0; m < 4; m++) j->cmd.rows[m] = r + (m % 2) * e->lanes;
          unsigned sel = (unsigned)(tt_rand(&seed) % 3);
          j->lat = lats[sel];
          j->wlat = 1 + (unsigned)(tt_rand(&seed) % 20);
          j->bw = bws[(unsigned)(tt_rand(&seed) % 3)];
          snprintf(j->name, sizeof j->name, "j%d", n);
          n++;
        }
  return n;
}

/* Variant list: CALIB_VARIANTS (space-separated; mk/perf.mk passes its
 * PERF_TB_FAST / PERF_TB_REGRESS), else the lists below. */
static int variants(const char *list, char names[][64], int max) {
  const char *env = getenv("CALIB_VARIANTS");
  const char *def = strcmp(list, "full") == 0
                        ? "small-b16 b4-b8 tiny-b8 bench_i2b1-b16-o16 bench_b3b4-b32-o16"
                        : "small-b16";
  const char *s = env && *env ? env : def;
  int n = 0;
  while (*s && n < max) {
    while (*s == ' ') s++;
    size_t l = strcspn(s, " ");
    if (!l) break;
    if (l >= 64) return -1;
    memcpy(names[n], s, l);
    names[n++][l] = 0;
    s += l;
  }
  return n;
}

int perf_calib(const char *tbdir, const char *list) {
  int is_full = strcmp(list, "full") == 0;
  char vs[CALIB_MAX_VARIANTS][64];
  int nv = variants(list, vs, CALIB_MAX_VARIANTS);
  if (nv <= 0) {
    fprintf(stderr, "calib: bad variant list\n");
    return 1;
  }
  int total = 0, bad = 0;
  double worst = 0, worst_big = 0, vworst[CALIB_MAX_VARIANTS] = {0};
  char worst_at[160] = "", vworst_at[CALIB_MAX_VARIANTS][80];
  unsigned vpipe[CALIB_MAX_VARIANTS] = {0};
  for (int vi = 0; vi < nv; vi++) {
    tern_perf_hw hw;
    vworst_at[vi][0] = 0;
    if (hw_for_variant(vs[vi], &hw) != TERN_OK) {
      fprintf(stderr, "calib: bad variant %s\n", vs[vi]);
      return 1;
    }
    vpipe[vi] = hw.pipe;
    job jobs[64];
    int n = make_jobs(&hw, is_full, jobs, 64);
    char in[256], tb[512], cmdline[1200];
    snprintf(in, sizeof in, "%s/%s/jobs.txt", tbdir, vs[vi]);
    snprintf(tb, sizeof tb, "%s/%s/tb_perf", tbdir, vs[vi]);
    if (check_build(tb, vs[vi], &hw)) {
      bad += n;
      continue;
    }
    FILE *f = fopen(in, "w");
    if (!f) {
      fprintf(stderr, "calib: cannot write %s\n", in);
      return 1;
    }
    for (int i = 0; i < n; i++) {
      job *j = &jobs[i];
      /* the harness runs nmat matrices of rows[0] and rows[1] alternating */
      fprintf(f, "%s %d %u %u %u %u %u %g %u %u\n", j->name, (int)j->cmd.fmt, j->cmd.rows[0],
              j->cmd.k, j->cmd.batch, j->cmd.nmat, j->lat, j->bw, j->wlat, j->cmd.rows[1]);
    }
    fclose(f);
    /* CALIB_REUSE=1 re-reads the last run's counters (working on the model
     * without re-simulating); the jobs file is rewritten identically */
    if (getenv("CALIB_REUSE"))
      snprintf(cmdline, sizeof cmdline, "cat %s/%s/results-%s.txt", tbdir, vs[vi], list);
    else
      snprintf(cmdline, sizeof cmdline, "%s < %s | tee %s/%s/results-%s.txt", tb, in, tbdir, vs[vi],
               list);
    FILE *p = popen(cmdline, "r");
    if (!p) return 1;
    char line[512];
    int got = 0;
    while (fgets(line, sizeof line, p)) {
      char name[48];
      unsigned long long v[9];
      unsigned err;
      if (sscanf(line, "%47s %llu %llu %llu %llu %llu %llu %llu %llu %llu %u", name, &v[0], &v[1],
                 &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &err) != 11) {
        fprintf(stderr, "calib %s: bad line %s", vs[vi], line);
        bad++;
        continue;
      }
      int i = atoi(name + 1);
      if (i < 0 || i >= n) continue;
      job *j = &jobs[i];
      tern_perf_hw h = hw;
      h.rd_latency = j->lat;
      h.wr_latency = j->wlat;
      h.mem_bw = j->bw > 0 ? j->bw : (double)h.bus_bytes;
      tern_perf_cmd_out o;
      int rc = tern_perf_cmd_predict(&h, &j->cmd, 1.0 / 3.0, &o);
      double e = rc == TERN_OK && v[0] ? (o.cycles - (double)v[0]) / (double)v[0] : 1.0;
      int ok = rc == TERN_OK && fabs(e) <= CALIB_TOL && err == 0 && o.bytes_read == v[4] &&
               o.bytes_written == v[5] && o.weight_bytes == v[6];
      total++;
      if (!ok) bad++;
      if ((double)v[0] >= 2000 && fabs(e) > worst_big) worst_big = fabs(e);
      if (!vworst_at[vi][0] || fabs(e) > fabs(vworst[vi])) {
        vworst[vi] = e;
        snprintf(vworst_at[vi], sizeof vworst_at[vi], "%s (%llu cycles)", name, v[0]);
      }
      if (!worst_at[0] || fabs(e) > fabs(worst)) {
        worst = e;
        snprintf(worst_at, sizeof worst_at,
                 "%s %s: fmt %s k %u rows %u batch %u nmat %u lat %u bw %g", vs[vi], name,
                 j->cmd.fmt ? "B3" : "I2", j->cmd.k, j->cmd.rows[0], j->cmd.batch, j->cmd.nmat,
                 j->lat, j->bw);
      }
      if (!ok || getenv("CALIB_VERBOSE"))
        printf("%s %-4s %s k %5u rows %5u b %u n %u lat %3u bw %4g: sim %8llu model %10.0f "
               "err %+6.2f%%%s\n",
               ok ? "  " : "!!", name, vs[vi], j->cmd.k, j->cmd.rows[0], j->cmd.batch, j->cmd.nmat,
               j->lat, j->bw, v[0], o.cycles, 100 * e, ok ? "" : " FAIL");
      got++;
    }
    int prc = pclose(p);
    if (got != n || prc != 0) {
      fprintf(stderr, "calib %s: %d of %d jobs ran (harness exit %d)\n", vs[vi], got, n, prc);
      bad += n - got + (prc != 0);
    }
  }
  for (int vi = 0; vi < nv; vi++)
    printf("calibration %-20s (pipe %u): worst error %+6.2f%% at %s\n", vs[vi], vpipe[vi],
           100 * vworst[vi], vworst_at[vi]);
  printf("calibration (%s list): %d jobs, max |error| %.2f%% at %s; commands >= 2000 cycles: "
         "max |error| %.2f%% (bound %.0f%%)\n",
         list, total, 100 * fabs(worst), worst_at, 100 * worst_big, 100 * CALIB_TOL);
  printf("%d passed, %d failed\n", total - bad, bad);
  return bad ? 1 : 0;
}

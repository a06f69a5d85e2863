/* Performance model: one GEMM command on the RTL top, and whole tokens. */
#include <math.h>
#include <string.h>

#include "tern_perf.h"

/* Fixed costs of the top (rtl/top/tern_top.sv), in cycles, fitted to the
 * Verilated top by tests/perf (see docs/performance.md for the fit):
 * fetch/decode/validation/finish of a command (the sequential 32-step
 * multiplier-divider runs 6 + 2 times), the per-matrix validation steps and
 * job switch, and the cost of one result write request. */
#define PERF_CMD_FIXED 302.0
#define PERF_MAT_FIXED 76.0 /* design A; design B: PERF_MAT_FIXED_LUT */
#define PERF_MAT_FIXED_LUT 62.0
#define PERF_CMD_FIXED_LUT 280.0

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

/* Fluid model of the read stream feeding the engine: a producer at rate r
 * (bytes/cycle) that may run ahead of the consumer by at most cap bytes. */
typedef struct flow {
  double r, cap, level, t;
} flow;

/* Consumer takes v bytes at up to c bytes/cycle. */
static void flow_take(flow *f, double v, double c) {
  if (v <= 0) return;
  if (c <= f->r) {
    f->t += v / c;
    f->level = dmin(f->cap, f->level + (f->r - c) * v / c);
    return;
  }
  double drain = c - f->r; /* level falls at this rate while > 0 */
  double v_fast = c * f->level / drain;
  if (v <= v_fast) {
    f->t += v / c;
    f->level -= drain * v / c;
  } else {
    f->t += f->level / drain + (v - v_fast) / f->r;
    f->level = 0;
  }
}

/* Steady output rate (bytes/cycle) of rtl/top/tern_top_gearbox with input
 * always valid and output always ready: it takes a new input beat only
 * while it holds at most one output beat, so widths that do not divide
 * leave bubble cycles. Simulated over enough cycles to reach the cycle. */
static double gearbox_rate(uint32_t in, uint32_t out) {
  if (!in || !out) return 0;
  uint32_t cnt = 0, pops = 0, n = 64u * (in + out);
  for (uint32_t c = 0; c < n; c++) {
    int pop = cnt >= out, ready = cnt <= out;
    if (pop) cnt -= out, pops++;
    if (ready) cnt += in;
  }
  return (double)pops * out / n;
}

/* Consumer idle for g cycles (the producer fills the buffer). */
static void flow_gap(flow *f, double g) {
  if (g <= 0) return;
  f->t += g;
  f->level = dmin(f->cap, f->level + f->r * g);
}

int tern_perf_cmd_predict(const tern_perf_hw *hw, const tern_perf_cmd *cmd, double zero_frac,
                          tern_perf_cmd_out *out) {
  if (!hw || !cmd || !out) return TERN_ERR_NULL;
  memset(out, 0, sizeof *out);
  const tern_engine_params *e = &hw->eng;
  if (tern_engine_params_check(e) != TERN_OK) return TERN_ERR_DIM;
  if (cmd->fmt != TERN_FMT_I2 && cmd->fmt != TERN_FMT_B3) return TERN_ERR_FORMAT;
  if (cmd->nmat < 1 || cmd->nmat > 4 || cmd->batch < 1 || cmd->batch > e->batch || cmd->k < 1 ||
      cmd->k > e->max_k || hw->bus_bytes == 0)
    return TERN_ERR_DIM;
  if (!(zero_frac >= 0 && zero_frac <= 1)) return TERN_ERR_VALUE;
  const double bus = hw->bus_bytes;
  const double r = tern_perf_read_rate(hw);
  if (!(r > 0)) return TERN_ERR_DIM;
  const double mem_w = dmin(bus, hw->mem_bw > 0 ? hw->mem_bw / hw->clock_hz : bus);
  const uint32_t wt = tern_engine_word_trits(e, cmd->fmt);
  const uint64_t words = (cmd->k + wt - 1) / wt;
  const uint64_t k_bus = up64(cmd->k, hw->bus_bytes);
  const uint64_t act_beats = (cmd->k + e->act_beat_bytes - 1) / e->act_beat_bytes;
  const double trits_per_byte = cmd->fmt == TERN_FMT_B3 ? 5.0 : 4.0;

  /* fetch (ring entry), decode, validation, finish, and write latency */
  /* the ring entry: 128 / bus beats; a slow memory's token bucket lets
   * one beat (plus a cycle's worth) through at once, the rest at mem_w */
  double fetch = 128.0 / bus - 8.0 + dmax(0, (128.0 - bus - mem_w) / mem_w - (128.0 - bus) / bus);
  double cyc =
      (hw->design == TERN_PERF_LUT ? PERF_CMD_FIXED_LUT : PERF_CMD_FIXED) + 2.0 * hw->rd_latency +
      hw->wr_latency + fetch +
      (hw->design == TERN_PERF_LUT ? PERF_MAT_FIXED_LUT : PERF_MAT_FIXED) * (cmd->nmat - 1);
  flow f = {r, (double)hw->rd_fifo_beats * bus, mem_w < bus ? bus + mem_w : 0, 0};
  double eng = 0, mem_bytes = 0;
  out->bytes_read = 128;
  for (uint32_t m = 0; m < cmd->nmat; m++) {
    size_t wb = tern_engine_wstream_bytes(e, cmd->fmt, cmd->rows[m], cmd->k);
    if (!wb) return TERN_ERR_DIM;
    uint64_t groups = (cmd->rows[m] + e->lanes - 1) / e->lanes;
    uint64_t w_beats = wb / e->w_beat_bytes;
    if (m == 0 || !hw->keep_act) {
      /* activations: k_bus bus bytes a vector, act_beats engine cycles */
      double vbytes = (double)k_bus * cmd->batch;
      double c_act =
          dmin((double)k_bus / act_beats, gearbox_rate(hw->bus_bytes, e->act_beat_bytes));
      flow_take(&f, vbytes, c_act);
      eng += (double)act_beats * cmd->batch;
      out->bus_bytes_read += (uint64_t)vbytes;
      mem_bytes += vbytes;
    }
    /* the weight gearbox delivers a WBeat beat every ceil(WBeat / bus) cycles */
    double cpb = dmax(1.0, e->w_beat_bytes / gearbox_rate(hw->bus_bytes, e->w_beat_bytes));
    double wr_beats = ceil(4.0 * e->lanes / bus);
    /* a row group leaves through the result writer: it collects the group's
     * Lanes x batch results (one a cycle), then moves one write of wr_beats
     * bus beats per batch vector into the write master */
    /* (measured: single-beat writes cost one more cycle per further vector) */
    double wr_extra = wr_beats == 1 ? cmd->batch - 1.0 : 0.0;
    double wr_group = cmd->batch * (e->lanes + wr_beats) + wr_extra;
    /* the write channel has the memory's bandwidth too (whole bus beats) */
    double wr_bw = cmd->batch * wr_beats * bus / mem_w, wr_credit = mem_w < bus ? bus + mem_w : 0;
    double tail;
    if (hw->design == TERN_PERF_ROWPAR) {
      /* a group takes max(words, result writes of the previous group) */
      double per_group = dmax((double)words * cpb, wr_group);
      flow_take(&f, (double)up64(wb, hw->bus_bytes), e->w_beat_bytes * (double)words / per_group);
      eng += dmax((double)words, wr_group) * groups; /* engine alone: one beat a cycle */
      tail = (double)e->lanes * cmd->batch;
    } else {
      /* table lookup: per K word of a tile, max(row groups x cpb, table
       * build); the first build before the first beat; a tile's results
       * drain while the next computes, the last one's at the end */
      uint32_t tr = tern_engine_tile_rows(e);
      uint64_t gpt = tr / e->lanes;
      uint64_t tiles = (groups + gpt - 1) / gpt;
      double build = hw->lut_build_cycles;
      flow_gap(&f, build);
      eng += build;
      /* tile pipeline: compute of tile t needs its partial-sum half free
       * (the drain of tile t-2); drains are serial, one result a cycle or
       * the row group's writes, whichever is slower */
      double half_free[2] = {0, 0}, drain_end = 0;
      for (uint64_t t = 0; t < tiles; t++) {
        uint64_t g = t + 1 < tiles ? gpt : groups - gpt * (tiles - 1);
        if (half_free[t % 2] > f.t) flow_gap(&f, half_free[t % 2] - f.t);
        if (t) flow_gap(&f, 1.0);                         /* tile switch */
        double step = dmax((double)g * cpb, build + 1.0); /* build, then hand-over */
        flow_take(&f, (double)words * g * e->w_beat_bytes, (double)g * e->w_beat_bytes / step);
        eng += (double)words * dmax((double)g, build + 1.0);
        /* padding rows of the last group are not written */
        double rows_t = dmin((double)g * e->lanes, (double)cmd->rows[m] - (double)t * tr);
        double d = dmax(cmd->batch * (rows_t + g * wr_beats) + g * wr_extra,
                        g * wr_bw - wr_credit / mem_w);
        drain_end = dmax(drain_end, f.t) + d;
        half_free[t % 2] = drain_end;
      }
      tail = drain_end > f.t ? drain_end - f.t : 0;
    }
    /* drain of the last group (tile) before the next job or the end */
    flow_gap(&f, tail);
    out->weight_bytes += wb;
    out->bus_bytes_read += up64(wb, hw->bus_bytes);
    mem_bytes += (double)up64(wb, hw->bus_bytes);
    out->bytes_written += 4ull * cmd->rows[m] * cmd->batch;
    double trits = (double)wb * trits_per_byte * cmd->batch;
    out->adds += trits * (1.0 - zero_frac);
    out->zero_trits += trits * zero_frac;
    out->act_buf_reads += (double)w_beats;
  }
  out->bytes_read += k_bus * cmd->batch + out->weight_bytes;
  out->cycles = cyc + f.t;
  out->engine_cycles = eng;
  out->mem_cycles = mem_bytes / r;
  double fixed = cyc + (double)e->lanes * cmd->batch * cmd->nmat;
  if (fixed > eng && fixed > out->mem_cycles)
    out->bound = TERN_PERF_BOUND_OVERHEAD;
  else
    out->bound = out->mem_cycles > eng ? TERN_PERF_BOUND_MEM : TERN_PERF_BOUND_COMPUTE;
  return TERN_OK;
}

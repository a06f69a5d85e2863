// Co-simulation of tern_axi_rd + tern_axi_wr (tb_axi_dma.sv) against the
// AXI memory model: random read and write jobs, random stalls on every
// channel, injected errors, aborts at random cycles. Every read byte, every
// written byte and every byte around the write region is checked, errors
// must land on the right request, and after an abort both masters must go
// idle and then work again. --bench measures read/write bandwidth.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "Vtb_axi_dma.h"
#include "axi_mem.h"
#include "verilated.h"

#ifndef TB_DATA_BYTES
#error "TB_DATA_BYTES (bus width in bytes) must match the DataWidth the model was built with"
#endif
static constexpr unsigned DB = TB_DATA_BYTES;
static constexpr unsigned MBB = TB_MAX_BURST;
static constexpr unsigned MAXOUT = TB_MAX_OUT;

using tern_axi::Resp;

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }  // inclusive
  double unit() { return (next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return p > 0 && unit() < p; }
};

template <typename T> void put_bytes(T &sig, const uint8_t *src, size_t n) {
  std::memset((void *)&sig, 0, sizeof sig);
  std::memcpy((void *)&sig, src, std::min(n, sizeof sig));
}
template <typename T> void get_bytes(const T &sig, uint8_t *dst, size_t n) {
  std::memset(dst, 0, n);
  std::memcpy(dst, (const void *)&sig, std::min(n, sizeof sig));
}

struct ErrRange {
  uint64_t lo, hi;
  Resp resp;
  bool reads, writes;
};

struct Burst {
  uint64_t addr;
  unsigned beats;
};

std::vector<Burst> split(uint64_t addr, unsigned beats) {
  std::vector<Burst> out;
  while (beats) {
    unsigned page = unsigned((4096 - addr % 4096) / DB);
    unsigned n = std::min({beats, MBB, page});
    out.push_back({addr, n});
    addr += uint64_t(n) * DB;
    beats -= n;
  }
  return out;
}

struct Job {
  uint64_t addr;
  uint32_t bytes;
  unsigned tag, beats;
  std::vector<uint8_t> data, strb;  // writes: beats*DB each; strb (0/1 per byte) as driven
  std::vector<uint8_t> keep;        // bytes the memory stores (strb minus failing beats)
  std::vector<uint8_t> beat_resp;   // expected RRESP per beat (reads)
  uint8_t done_resp = 0;            // expected done_resp_o (writes)
};

constexpr uint64_t RD_BASE = 0x0000007f00000000ull;
constexpr uint64_t WR_BASE = 0x0000123400000000ull;

struct Scenario {
  uint64_t seed;
  tern_axi::Config mc;
  double p_rreq = 0, p_rcons = 0, p_wreq = 0, p_wprod = 0;
  std::vector<ErrRange> ranges;
  uint64_t nth = 0;  // 0: none; both the nth AR and the nth AW fail
  Resp nth_resp = tern_axi::SLVERR;
  long abort_at = -1;
  unsigned jobs;
  unsigned long_beats;
  uint64_t region;  // bytes of each of the read and write regions
  uint64_t hot;     // read error ranges and half the read jobs lie in [hot, hot + 64 KiB)
};

// What the scenarios exercised, so a run shows its checks had work to do.
struct Tally {
  uint64_t rd_jobs = 0, wr_jobs = 0, rd_err_beats = 0, wr_err_jobs = 0, aborts = 0, zero = 0,
           sticky = 0, cross4k = 0;
} tally;

struct Ctx {
  Vtb_axi_dma *top;
  tern_axi::Mem *mem;
  uint64_t cycles = 0;
  std::string why;  // first failure
  bool verbose = false;
  bool failed() const { return !why.empty(); }
  void fail(const std::string &m) {
    if (why.empty()) why = m;
  }
};

Resp range_resp(const std::vector<ErrRange> &rs, uint64_t a, bool write) {
  for (const ErrRange &r : rs)
    if (a >= r.lo && a < r.hi && (write ? r.writes : r.reads)) return r.resp;
  return tern_axi::OKAY;
}

// Job sizes: single beats, 4 KiB edges, exactly 4 KiB, random, long.
void make_geometry(Rng &g, const Scenario &sc, uint64_t base, uint64_t &cursor, bool packed,
                   Job &j) {
  unsigned kind = unsigned(g.below(100)), beats;
  uint64_t off;
  if (kind < 18) beats = 1;
  else if (kind < 36) beats = unsigned(g.range(1, 12) + g.range(0, 12));
  else if (kind < 46) beats = 4096 / DB;
  else if (kind < 88) beats = unsigned(g.range(1, 300));
  else beats = unsigned(g.range(sc.long_beats / 2, sc.long_beats));
  if (packed) {
    off = cursor + g.range(0, 3) * DB;
  } else if (g.chance(0.5) && beats * DB < 32768) {
    off = sc.hot - RD_BASE + g.below(65536 / DB) * DB;
  } else {
    off = g.below(sc.region / DB - beats) * DB;
  }
  if (kind >= 18 && kind < 46) {
    // start a few beats before a 4 KiB boundary (or exactly on one)
    uint64_t page_end = (off / 4096 + 1) * 4096;
    off = page_end - (kind < 36 ? g.range(0, 8) : g.range(0, 4096 / DB - 1)) * DB;
  }
  if (off + uint64_t(beats) * DB > sc.region) off = (sc.region - uint64_t(beats) * DB) / DB * DB;
  j.addr = base + off;
  j.beats = beats;
  j.bytes = beats * DB;
  if (g.chance(0.4)) j.bytes -= unsigned(g.below(DB));  // rounded up to whole beats
  if (g.chance(0.03)) {
    j.bytes = 0;
    j.beats = 0;
  }
  if (packed) cursor = off + uint64_t(beats) * DB;
}

struct Phase {
  std::vector<Job> rd, wr;
  long abort_at;
};

void build_phase(Rng &g, const Scenario &sc, Phase &ph, uint64_t &wcursor, bool allow_nth,
                 uint64_t &ar_no, uint64_t &aw_no) {
  unsigned nrd = unsigned(g.range(1, sc.jobs)), nwr = unsigned(g.range(1, sc.jobs));
  for (unsigned i = 0; i < nrd; i++) {
    Job j;
    uint64_t dummy = 0;
    make_geometry(g, sc, RD_BASE, dummy, false, j);
    j.tag = unsigned(g.below(16));
    j.beat_resp.resize(j.beats);
    for (const Burst &b : split(j.addr, j.beats)) {
      ar_no++;
      for (unsigned k = 0; k < b.beats; k++) {
        uint64_t a = b.addr + uint64_t(k) * DB;
        Resp r = (allow_nth && ar_no == sc.nth) ? sc.nth_resp : range_resp(sc.ranges, a, false);
        j.beat_resp[(a - j.addr) / DB] = r;
      }
    }
    tally.rd_jobs++;
    tally.zero += j.beats == 0;
    tally.cross4k += j.beats && (j.addr / 4096 != (j.addr + uint64_t(j.beats) * DB - 1) / 4096);
    ph.rd.push_back(std::move(j));
  }
  for (unsigned i = 0; i < nwr; i++) {
    Job j;
    make_geometry(g, sc, WR_BASE, wcursor, true, j);
    if (wcursor > sc.region) {  // out of room: restart low (regions of older phases are final)
      wcursor = 0;
      make_geometry(g, sc, WR_BASE, wcursor, true, j);
    }
    j.tag = unsigned(g.below(16));
    j.data.resize(size_t(j.beats) * DB);
    j.strb.assign(size_t(j.beats) * DB, 1);
    for (auto &d : j.data) d = uint8_t(g.next());
    bool sparse = g.chance(0.1);
    for (size_t k = 0; k < j.strb.size(); k++) {
      if (sparse) j.strb[k] = g.chance(0.5);
      if (k >= j.bytes) j.strb[k] = 0;  // partial last beat
    }
    j.keep = j.strb;
    for (const Burst &b : split(j.addr, j.beats)) {
      aw_no++;
      Resp br = tern_axi::OKAY;
      for (unsigned k = 0; k < b.beats && br == tern_axi::OKAY; k++)
        br = range_resp(sc.ranges, b.addr + uint64_t(k) * DB, true);
      if (allow_nth && aw_no == sc.nth) br = sc.nth_resp;
      if (j.done_resp == 0) j.done_resp = br;
      // bytes the model will not store
      for (unsigned k = 0; k < b.beats; k++) {
        uint64_t a = b.addr + uint64_t(k) * DB;
        if ((allow_nth && aw_no == sc.nth) || range_resp(sc.ranges, a, true) != tern_axi::OKAY)
          std::fill_n(j.keep.begin() + (a - j.addr), DB, 0);
      }
    }
    tally.wr_jobs++;
    tally.zero += j.beats == 0;
    tally.cross4k += j.beats && (j.addr / 4096 != (j.addr + uint64_t(j.beats) * DB - 1) / 4096);
    ph.wr.push_back(std::move(j));
  }
}

void tick(Ctx &c) {
  c.top->clk_i = 1;
  c.top->eval();
  c.mem->drive();
  c.top->clk_i = 0;
  c.top->eval();
  c.cycles++;
}

// Runs one phase. Returns true when it was aborted.
bool run_phase(Ctx &c, const Scenario &sc, Phase &ph, Rng &g, std::vector<uint8_t> &wexp) {
  Vtb_axi_dma *t = c.top;
  tern_axi::Mem &m = *c.mem;
  size_t rq = 0, wq = 0;         // next request to issue
  size_t rj = 0, rb = 0;         // next expected read beat
  size_t pj = 0, pb = 0;         // next write beat to produce
  size_t dj = 0;                 // next expected done
  bool aborted = false, zero_due[2] = {false, false};
  long cyc = 0, total_beats = 0;
  for (auto &j : ph.rd) total_beats += j.beats;
  for (auto &j : ph.wr) total_beats += j.beats;
  const long limit = 20000 + total_beats * 80 + long(ph.rd.size() + ph.wr.size()) * 400;
  std::vector<Burst> exp_ar, exp_aw;
  for (auto &j : ph.rd)
    for (auto &b : split(j.addr, j.beats)) exp_ar.push_back(b);
  for (auto &j : ph.wr)
    for (auto &b : split(j.addr, j.beats)) exp_aw.push_back(b);
  size_t log0 = m.log().size();
  auto skip_empty = [](std::vector<Job> &v, size_t &i) {
    while (i < v.size() && v[i].beats == 0) i++;
  };
  std::vector<uint8_t> beat(DB), strb(DB);
  char msg[300];

  for (;; cyc++) {
    if (cyc > limit) {
      std::snprintf(msg, sizeof msg,
                    "timeout after %ld cycles (rd beat job %zu/%zu, done %zu/%zu, rd_idle %d wr_idle %d)",
                    cyc, rj, ph.rd.size(), dj, ph.wr.size(), t->rd_idle_o, t->wr_idle_o);
      c.fail(msg);
      return aborted;
    }
    skip_empty(ph.rd, rj);
    skip_empty(ph.wr, pj);
    skip_empty(ph.wr, dj);
    bool done_all = rj == ph.rd.size() && dj == ph.wr.size() && rq == ph.rd.size() &&
                    wq == ph.wr.size();
    if ((done_all || aborted) && t->rd_idle_o && t->wr_idle_o && m.idle() &&
        !t->rd_req_valid_i && !t->wr_req_valid_i)
      break;

    // ---- observe this edge (clk is low; settle the new inputs)
    t->eval();
    bool abort_now = t->abort_i;
    if (t->rd_data_valid_o && t->rd_data_ready_i) {
      if (aborted || abort_now || rj >= ph.rd.size()) {
        c.fail("read data beat with no request left (or after abort)");
        return aborted;
      }
      Job &j = ph.rd[rj];
      uint64_t a = j.addr + uint64_t(rb) * DB;
      get_bytes(t->rd_data_o, beat.data(), DB);
      bool err = j.beat_resp[rb] != 0;
      tally.rd_err_beats += err;
      if (t->rd_data_tag_o != j.tag || t->rd_data_last_o != (rb + 1 == j.beats) ||
          t->rd_data_err_o != err) {
        std::snprintf(msg, sizeof msg,
                      "read job %zu beat %zu @0x%" PRIx64 ": tag %u/%u last %u/%d err %u/%d", rj,
                      rb, a, t->rd_data_tag_o, j.tag, t->rd_data_last_o, rb + 1 == j.beats,
                      t->rd_data_err_o, err);
        c.fail(msg);
        return aborted;
      }
      if (!err)
        for (unsigned i = 0; i < DB; i++)
          if (beat[i] != m.byte(a + i)) {
            std::snprintf(msg, sizeof msg, "read job %zu byte @0x%" PRIx64 ": got %02x want %02x",
                          rj, a + i, beat[i], m.byte(a + i));
            c.fail(msg);
            return aborted;
          }
      if (++rb == j.beats) rb = 0, rj++;
    }
    if (t->wr_done_o) {
      if (aborted || abort_now || dj >= ph.wr.size()) {
        c.fail("write done with no request left (or during abort)");
        return aborted;
      }
      Job &j = ph.wr[dj];
      if (t->wr_done_tag_o != j.tag || t->wr_done_resp_o != j.done_resp) {
        std::snprintf(msg, sizeof msg,
                      "write job %zu/%zu @0x%" PRIx64 "+%u beats done: tag %u/%u resp %u/%u", dj,
                      ph.wr.size(), j.addr, j.beats, t->wr_done_tag_o, j.tag, t->wr_done_resp_o,
                      j.done_resp);
        c.fail(msg);
        return aborted;
      }
      for (size_t k = 0; k < j.data.size(); k++)
        if (j.keep[k]) wexp[j.addr - WR_BASE + k] = j.data[k];
      tally.wr_err_jobs += j.done_resp != 0;
      dj++;
    }
    // sticky errors: must name a real failing beat/burst of a request with that tag
    for (int side = 0; side < 2; side++) {
      bool v = side ? t->wr_err_valid_o : t->rd_err_valid_o;
      if (!v || (side ? t->wr_err_clear_i : t->rd_err_clear_i)) continue;
      unsigned code = side ? t->wr_err_code_o : t->rd_err_code_o;
      unsigned tag = side ? t->wr_err_tag_o : t->rd_err_tag_o;
      uint64_t ea = side ? t->wr_err_addr_o : t->rd_err_addr_o;
      bool legit = false;
      for (const Job &j : side ? ph.wr : ph.rd) {
        if (j.tag != tag) continue;
        if (code == 4) legit |= j.beats == 0 && j.addr == ea;
        if (code >= 1 && code <= 3 && j.beats && ea >= j.addr &&
            ea < j.addr + uint64_t(j.beats) * DB) {
          if (side == 0) legit |= j.beat_resp[(ea - j.addr) / DB] == code;
          else legit |= true;  // burst-level: the done_resp check is the exact one
        }
      }
      tally.sticky++;
      if (!legit) {
        std::snprintf(msg, sizeof msg, "%s sticky error code %u tag %u addr 0x%" PRIx64
                      " matches no injected error", side ? "write" : "read", code, tag, ea);
        c.fail(msg);
        return aborted;
      }
    }
    // a zero-length request must raise the sticky error (if it was free to)
    for (int side = 0; side < 2; side++)
      if (zero_due[side] && !(side ? t->wr_err_valid_o : t->rd_err_valid_o)) {
        c.fail(std::string(side ? "write" : "read") + ": zero-length request not flagged");
        return aborted;
      }
    bool rreq_fire = t->rd_req_valid_i && t->rd_req_ready_o;
    bool wreq_fire = t->wr_req_valid_i && t->wr_req_ready_o;
    zero_due[0] = rreq_fire && t->rd_req_bytes_i == 0 && !t->rd_err_valid_o && !t->rd_err_clear_i;
    zero_due[1] = wreq_fire && t->wr_req_bytes_i == 0 && !t->wr_err_valid_o && !t->wr_err_clear_i;
    bool wdat_fire = t->wr_data_valid_i && t->wr_data_ready_o;
    if (abort_now && (rreq_fire || wreq_fire || wdat_fire)) {
      c.fail("a request or data handshake during abort_i");
      return aborted;
    }
    m.sample();
    if (!m.ok()) {
      c.fail(m.errors().front());
      return aborted;
    }
    bool rd_err_seen = t->rd_err_valid_o, wr_err_seen = t->wr_err_valid_o;
    tick(c);

    // ---- next inputs (a valid stays up, unchanged, until its handshake)
    if (rreq_fire) rq++;
    if (wreq_fire) wq++;
    if (wdat_fire && ++pb == ph.wr[pj].beats) pb = 0, pj++;
    skip_empty(ph.wr, pj);
    if (abort_now) {
      aborted = true;
      tally.aborts += !(t->rd_idle_o && t->wr_idle_o);
    }
    t->abort_i = (cyc + 1 == ph.abort_at);
    if (aborted) {
      t->rd_req_valid_i = t->wr_req_valid_i = t->wr_data_valid_i = 0;
      t->rd_data_ready_i = g.chance(0.5);
    } else {
      if (!t->rd_req_valid_i || rreq_fire) {
        t->rd_req_valid_i = rq < ph.rd.size() && !g.chance(sc.p_rreq);
        if (t->rd_req_valid_i) {
          t->rd_req_addr_i = ph.rd[rq].addr;
          t->rd_req_bytes_i = ph.rd[rq].bytes;
          t->rd_req_tag_i = ph.rd[rq].tag;
        }
      }
      if (!t->wr_req_valid_i || wreq_fire) {
        t->wr_req_valid_i = wq < ph.wr.size() && !g.chance(sc.p_wreq);
        if (t->wr_req_valid_i) {
          t->wr_req_addr_i = ph.wr[wq].addr;
          t->wr_req_bytes_i = ph.wr[wq].bytes;
          t->wr_req_tag_i = ph.wr[wq].tag;
        }
      }
      if (!t->wr_data_valid_i || wdat_fire) {
        t->wr_data_valid_i = pj < ph.wr.size() && !g.chance(sc.p_wprod);
        if (t->wr_data_valid_i) {
          const Job &j = ph.wr[pj];
          std::fill(strb.begin(), strb.end(), 0);
          for (unsigned i = 0; i < DB; i++)
            if (j.strb[pb * DB + i]) strb[i / 8] |= uint8_t(1u << (i % 8));
          put_bytes(t->wr_data_i, j.data.data() + pb * DB, DB);
          put_bytes(t->wr_data_strb_i, strb.data(), (DB + 7) / 8);
        }
      }
      t->rd_data_ready_i = !g.chance(sc.p_rcons);
    }
    t->rd_err_clear_i = rd_err_seen;
    t->wr_err_clear_i = wr_err_seen;
  }

  // ---- address channels: the exact burst sequence (a prefix of it if aborted)
  size_t ia = 0, iw = 0;
  for (size_t i = log0; i < m.log().size(); i++) {
    const tern_axi::Txn &x = m.log()[i];
    std::vector<Burst> &e = x.write ? exp_aw : exp_ar;
    size_t &k = x.write ? iw : ia;
    if (k >= e.size() || e[k].addr != x.addr || e[k].beats != x.beats) {
      std::snprintf(msg, sizeof msg, "%s burst %zu: 0x%" PRIx64 "+%u, expected %s", x.write ? "AW" : "AR", k,
                    x.addr, x.beats, k < e.size() ? "another" : "none");
      c.fail(msg);
      return aborted;
    }
    k++;
  }
  if (!aborted && (ia != exp_ar.size() || iw != exp_aw.size())) c.fail("missing bursts");
  // undone write jobs after an abort: each byte is old or new
  if (aborted)
    for (size_t jn = dj; jn < ph.wr.size(); jn++) {
      const Job &j = ph.wr[jn];
      for (size_t k = 0; k < j.data.size(); k++) {
        uint64_t a = j.addr + k;
        uint8_t act = m.byte(a);
        if (act == wexp[a - WR_BASE]) continue;
        if (j.keep[k] && act == j.data[k]) {
          wexp[a - WR_BASE] = act;
          continue;
        }
        std::snprintf(msg, sizeof msg, "aborted write job %zu: byte @0x%" PRIx64 " is %02x", jn, a, act);
        c.fail(msg);
        return aborted;
      }
    }
  return aborted;
}

void check_memory(Ctx &c, const Scenario &sc, const std::vector<uint8_t> &wexp) {
  char msg[200];
  for (uint64_t k = 0; k < sc.region; k++) {
    uint8_t act = c.mem->byte(WR_BASE + k);
    if (act != wexp[k]) {
      std::snprintf(msg, sizeof msg, "write region byte @0x%" PRIx64 ": got %02x want %02x",
                    WR_BASE + k, act, wexp[k]);
      c.fail(msg);
      return;
    }
  }
  for (uint64_t pg : c.mem->pages())
    if (pg * 4096 < WR_BASE || pg * 4096 >= WR_BASE + sc.region) {
      std::snprintf(msg, sizeof msg, "memory written outside the write region: page 0x%" PRIx64,
                    pg * 4096);
      c.fail(msg);
      return;
    }
}

void reset(Ctx &c) {
  Vtb_axi_dma *t = c.top;
  t->rst_ni = 0;
  t->clk_i = 0;
  t->abort_i = 0;
  t->rd_req_valid_i = t->wr_req_valid_i = t->wr_data_valid_i = 0;
  t->rd_data_ready_i = 0;
  t->rd_err_clear_i = t->wr_err_clear_i = 0;
  t->eval();
  for (int i = 0; i < 3; i++) tick(c);
  t->rst_ni = 1;
  t->eval();
}

Scenario make_scenario(uint64_t seed, unsigned jobs, unsigned long_beats, bool regress) {
  Rng g{seed};
  Scenario sc;
  sc.seed = seed;
  sc.jobs = jobs;
  sc.long_beats = long_beats;
  sc.region = regress ? (8u << 20) : (2u << 20);
  sc.hot = RD_BASE + g.below((sc.region - 65536) / 4096) * 4096;
  tern_axi::Config &mc = sc.mc;
  mc.data_bytes = DB;
  mc.seed = g.next();
  mc.read_latency = unsigned(g.chance(0.3) ? g.range(1, 4) : g.range(5, 100));
  mc.write_latency = unsigned(g.range(1, 20));
  switch (g.below(4)) {
  case 0: mc.bytes_per_cycle = 0; break;
  case 1: mc.bytes_per_cycle = DB; break;
  case 2: mc.bytes_per_cycle = DB / 2.0; break;
  default: mc.bytes_per_cycle = double(g.range(4, 2 * DB)); break;
  }
  mc.shared_bandwidth = g.chance(0.3);
  mc.max_reads = unsigned(g.chance(0.5) ? 16 : g.range(1, 16));
  mc.max_writes = unsigned(g.chance(0.5) ? 16 : g.range(1, 16));
  if (!g.chance(0.3)) {
    mc.p_ar = g.unit() * 0.6, mc.p_r = g.unit() * 0.6, mc.p_aw = g.unit() * 0.6;
    mc.p_w = g.unit() * 0.6, mc.p_b = g.unit() * 0.6;
    sc.p_rreq = g.unit() * 0.5, sc.p_rcons = g.unit() * 0.7;
    sc.p_wreq = g.unit() * 0.5, sc.p_wprod = g.unit() * 0.7;
  }
  if (g.chance(0.5)) {
    for (int i = 0, n = int(g.range(1, 3)); i < n; i++) {
      uint64_t lo = sc.hot - RD_BASE + g.below(65536 / DB) * DB, len = g.range(1, 2 * 4096 / DB) * DB;
      sc.ranges.push_back({RD_BASE + lo, RD_BASE + lo + len, g.chance(0.5) ? tern_axi::SLVERR : tern_axi::DECERR, true, false});
    }
    for (int i = 0, n = int(g.range(1, 3)); i < n; i++) {
      uint64_t lo = g.below(131072 / DB) * DB, len = g.range(1, 2 * 4096 / DB) * DB;
      sc.ranges.push_back({WR_BASE + lo, WR_BASE + lo + len, g.chance(0.5) ? tern_axi::SLVERR : tern_axi::DECERR, false, true});
    }
  }
  if (g.chance(0.35)) sc.abort_at = long(g.range(0, 3000));
  else if (g.chance(0.4)) {
    sc.nth = g.range(1, jobs);
    sc.nth_resp = g.chance(0.5) ? tern_axi::SLVERR : tern_axi::DECERR;
  }
  return sc;
}

bool run_scenario(const Scenario &sc, bool verbose, std::string &why) {
  Vtb_axi_dma top;
  tern_axi::Port port;
  TERN_AXI_BIND_READ(port, &top, m_axi_);
  TERN_AXI_BIND_WRITE(port, &top, m_axi_);
  tern_axi::Mem mem(port, sc.mc);
  for (const ErrRange &r : sc.ranges) mem.add_error_range(r.lo, r.hi, r.resp, r.reads, r.writes);
  if (sc.nth) {
    mem.fail_nth_read(sc.nth, sc.nth_resp);
    mem.fail_nth_write(sc.nth, sc.nth_resp);
  }
  Ctx c{&top, &mem};
  c.verbose = verbose;
  reset(c);
  mem.drive();
  top.eval();
  Rng g{sc.seed ^ 0x5eed};
  std::vector<uint8_t> wexp(sc.region);
  for (uint64_t k = 0; k < sc.region; k++) wexp[k] = tern_axi::Mem::fill(WR_BASE + k);
  uint64_t wcursor = g.below(4096 / DB) * DB, ar_no = 0, aw_no = 0;
  Phase ph;
  ph.abort_at = sc.abort_at;
  build_phase(g, sc, ph, wcursor, sc.nth != 0, ar_no, aw_no);
  bool aborted = run_phase(c, sc, ph, g, wexp);
  if (!c.failed() && sc.abort_at >= 0) {
    if (!aborted) {
      // the abort came after everything had finished: still legal, nothing to drain
    }
    Phase ph2;  // after an abort both masters must work again
    ph2.abort_at = -1;
    build_phase(g, sc, ph2, wcursor, false, ar_no, aw_no);
    run_phase(c, sc, ph2, g, wexp);
  }
  if (!c.failed()) check_memory(c, sc, wexp);
  if (verbose || c.failed())
    std::printf("  seed 0x%016" PRIx64 ": lat %u bw %.1f%s maxr %u maxw %u stalls %.2f/%.2f/%.2f/%.2f/%.2f "
                "ranges %zu nth %" PRIu64 " abort %ld -> %" PRIu64 " cycles, %" PRIu64 " R + %" PRIu64 " W beats\n",
                sc.seed, sc.mc.read_latency, sc.mc.bytes_per_cycle, sc.mc.shared_bandwidth ? " shared" : "",
                sc.mc.max_reads, sc.mc.max_writes, sc.mc.p_ar, sc.mc.p_r, sc.mc.p_aw, sc.mc.p_w,
                sc.mc.p_b, sc.ranges.size(), sc.nth, sc.abort_at, c.cycles, mem.stats().r_beats,
                mem.stats().w_beats);
  why = c.why;
  return !c.failed();
}

// One long read (or write) on a quiet bus: achieved bytes per cycle.
int bench(uint64_t bytes, unsigned lat, double bw, bool write) {
  Vtb_axi_dma top;
  tern_axi::Port port;
  TERN_AXI_BIND_READ(port, &top, m_axi_);
  TERN_AXI_BIND_WRITE(port, &top, m_axi_);
  tern_axi::Config mc;
  mc.data_bytes = DB;
  mc.read_latency = lat;
  mc.write_latency = lat;
  mc.bytes_per_cycle = bw;
  mc.max_reads = mc.max_writes = 64;
  tern_axi::Mem mem(port, mc);
  Ctx c{&top, &mem};
  reset(c);
  mem.drive();
  top.eval();
  uint64_t beats = bytes / DB, seen = 0, start = 0, end = 0, pushed = 0;
  if (write) {
    top.wr_req_valid_i = 1;
    top.wr_req_addr_i = 0x80000000ull;
    top.wr_req_bytes_i = uint32_t(bytes);
  } else {
    top.rd_req_valid_i = 1;
    top.rd_req_addr_i = 0x80000000ull;
    top.rd_req_bytes_i = uint32_t(bytes);
  }
  top.rd_data_ready_i = 1;
  std::vector<uint8_t> ones(DB / 8, 0xff), zero(DB, 0);
  put_bytes(top.wr_data_strb_i, ones.data(), ones.size());
  put_bytes(top.wr_data_i, zero.data(), DB);
  top.eval();
  for (uint64_t cyc = 0; cyc < 100 * beats + 100000; cyc++) {
    top.wr_data_valid_i = write && pushed < beats;
    top.eval();
    if ((top.rd_req_valid_i && top.rd_req_ready_o) || (top.wr_req_valid_i && top.wr_req_ready_o))
      start = c.cycles;
    if (top.rd_data_valid_o && top.rd_data_ready_i) seen++;
    if (top.wr_data_valid_i && top.wr_data_ready_o) pushed++;
    bool done = write ? top.wr_done_o : (seen == beats && top.rd_data_last_o);
    mem.sample();
    tick(c);
    if (start) top.rd_req_valid_i = top.wr_req_valid_i = 0;
    if (done) {
      end = c.cycles;
      break;
    }
  }
  if (!end || !mem.ok()) {
    std::printf("bench failed (end %" PRIu64 ", ok %d)\n", end, mem.ok());
    return 1;
  }
  double cyc = double(end - start), bpc = double(bytes) / cyc;
  double peak = bw > 0 ? std::min<double>(bw, DB) : DB;
  std::printf("%-5s bus %3u B  MaxOutstanding %2u  MaxBurstBeats %3u  latency %3u  mem %5.1f B/cyc: "
              "%8" PRIu64 " B in %7.0f cycles = %6.2f B/cyc = %5.1f%% of %.0f   (in flight needed: %.0f B, "
              "max in flight: %u B)\n",
              write ? "write" : "read", DB, MAXOUT, MBB, lat, peak, bytes, cyc, bpc, 100 * bpc / peak, peak,
              peak * lat, MAXOUT * MBB * DB);
  return 100 * bpc / peak >= 95.0 ? 0 : 2;
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed = 1, bytes = 1 << 20;
  unsigned n = 20, jobs = 24, long_beats = 2048, lat = 100;
  double bw = -1;
  bool regress = false, verbose = false, do_bench = false, write = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&]() { return i + 1 < argc ? argv[++i] : "0"; };
    if (a == "--seed") seed = std::strtoull(val(), nullptr, 0);
    else if (a == "--scenarios") n = unsigned(std::atoi(val()));
    else if (a == "--jobs") jobs = unsigned(std::atoi(val()));
    else if (a == "--long") long_beats = unsigned(std::atoi(val()));
    else if (a == "--regress") regress = true;
    else if (a == "-v") verbose = true;
    else if (a == "--bench") do_bench = true;
    else if (a == "--write") write = true;
    else if (a == "--bytes") bytes = std::strtoull(val(), nullptr, 0);
    else if (a == "--lat") lat = unsigned(std::atoi(val()));
    else if (a == "--bw") bw = std::atof(val());
    else if (a.rfind("+verilator", 0) == 0) continue;
    else {
      std::fprintf(stderr, "usage: %s [--seed S] [--scenarios N] [--jobs J] [--long BEATS] [--regress] [-v]\n"
                           "       %s --bench [--write] [--bytes N] [--lat L] [--bw BYTES_PER_CYCLE]\n",
                   argv[0], argv[0]);
      return 2;
    }
  }
  if (do_bench) return bench(bytes, lat, bw < 0 ? DB : bw, write);
  std::printf("tb_dma: bus %u B, MaxBurstBeats %u, MaxOutstanding %u, seed %" PRIu64 ", %u scenarios\n", DB, MBB,
              MAXOUT, seed, n);
  unsigned pass = 0, failn = 0;
  for (unsigned i = 0; i < n; i++) {
    Rng s{seed * 0x100000001b3ull + i};
    Scenario sc = make_scenario(s.next(), jobs, long_beats, regress);
    std::string why;
    if (run_scenario(sc, verbose, why)) pass++;
    else {
      failn++;
      std::printf("FAIL scenario %u (seed 0x%016" PRIx64 "): %s\n", i, sc.seed, why.c_str());
    }
  }
  std::printf("exercised: %" PRIu64 " read + %" PRIu64 " write jobs (%" PRIu64 " crossing 4 KiB, %" PRIu64
              " zero-length), %" PRIu64 " error read beats, %" PRIu64 " failed writes, %" PRIu64
              " sticky error reports, %" PRIu64 " aborts mid-transfer\n",
              tally.rd_jobs, tally.wr_jobs, tally.cross4k, tally.zero, tally.rd_err_beats,
              tally.wr_err_jobs, tally.sticky, tally.aborts);
  std::printf("%u passed, %u failed\n", pass, failn);
  return failn ? 1 : 0;
}

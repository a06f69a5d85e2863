// tern virtual platform: the Verilated tern_top (verilator --sc) in a
// SystemC/TLM-2.0 system with a DDR model and a CPU that runs the real
// driver and firmware (drivers/tern_dev.c, firmware/sched/tern_fw.c)
// through a tern_dev backend whose register accesses are TLM transactions
// to the AXI4-Lite pins. docs/virtual-platform.md describes it.
//
//   vp --test            functional check: a few GEMMs, bit-exact, error path
//   vp --bench [--rows-div N] [--only NAME]   2B4T shapes: bandwidth, cycles, stalls
//   common knobs: --clk-mhz F --ddr-gbps F --ddr-latency-ns F --ddr-overhead-ns F
//     --ddr-row B --ddr-banks N --ddr-row-miss-ns F --ddr-refresh-ns F --ddr-jitter F
//     --stall P --max-reads N --irq 0|1 --cpu-ns F --seed N --mem MB
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vp_axi.h"
#include "vp_ddr.h"

#include "tern_dev_backend.h"
#include "tern_fw.h"
#include "tern_sys.h"

#ifndef VP_BUS_BYTES
#error "build with -DVP_BUS_BYTES and the engine parameters (mk/vp.mk)"
#endif
#ifndef VP_VARIANT
#define VP_VARIANT "?"
#endif

using sc_core::SC_NS;
using sc_core::sc_time;

namespace tern_vp {

struct VpConfig {
  double clk_mhz = 250;
  bool irq = true;
  double cpu_access_ns = 100;  // CPU-side cost of one uncached register access
  double poll_ns = 1000;       // polling interval without interrupts
  double line_bytes = 64;      // CPU cache line: unit of its DDR traffic
  AxiSlaveConfig axi;
  DdrConfig ddr;
  uint64_t seed = 1;
};

// ---- the CPU: an SC_THREAD that runs the driver ---------------------------------------
class Cpu : public sc_core::sc_module {
public:
  tlm_utils::simple_initiator_socket<Cpu> reg_socket, mem_socket;
  VpConfig &cfg;
  Pins &pins;
  std::function<void(Cpu &)> program;
  bool timed_mem = true;     // false: DMA memory writes are backdoor (DMI) only
  sc_time deadline = sc_core::sc_max_time();
  uint64_t reg_reads = 0, reg_writes = 0, irqs = 0, polls = 0, cpu_mem_bytes = 0;
  bool reset_done = false;

  Cpu(sc_core::sc_module_name n, VpConfig &c, Pins &p)
      : sc_module(n), reg_socket("reg_socket"), mem_socket("mem_socket"), cfg(c), pins(p) {
    SC_THREAD(run);
  }
  SC_HAS_PROCESS(Cpu);

  int reg(bool write, uint32_t off, uint32_t *v) {
    sc_core::wait(sc_time(cfg.cpu_access_ns, SC_NS));
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(off);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(v));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time d = sc_core::SC_ZERO_TIME;
    reg_socket->b_transport(gp, d);
    sc_core::wait(d);
    (write ? reg_writes : reg_reads)++;
    return gp.is_response_ok() ? TERN_DEV_OK : TERN_DEV_ERR_REG;
  }

  // Cache maintenance as DDR traffic: the lines go out (or come in) as TLM
  // transactions issued back to back; the CPU waits for the last one. The
  // data already is in the DDR (DMI), so the write is functionally a no-op.
  int sync(uint8_t *host, uint64_t dev, uint64_t len, tern_dev_dir dir) {
    if (!timed_mem || len == 0) return TERN_DEV_OK;
    const uint64_t L = uint64_t(cfg.line_bytes);
    uint64_t lo = dev / L * L, hi = (dev + len + L - 1) / L * L;
    sc_time last = sc_core::SC_ZERO_TIME;
    for (uint64_t a = lo; a < hi; a += L) {
      tlm::tlm_generic_payload gp;
      gp.set_command(dir == TERN_DEV_TO_DEVICE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      gp.set_address(a);
      gp.set_data_ptr(host + (a - cfg.ddr.base));
      gp.set_data_length(unsigned(L));
      gp.set_streaming_width(unsigned(L));
      gp.set_byte_enable_ptr(nullptr);
      gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time d = sc_core::SC_ZERO_TIME;
      mem_socket->b_transport(gp, d);
      if (!gp.is_response_ok()) return TERN_DEV_ERR_IO;
      if (d > last) last = d;
      cpu_mem_bytes += L;
    }
    sc_core::wait(last);
    return TERN_DEV_OK;
  }

  // tern_dev_wait's "make progress": sleep until the interrupt (then clear
  // it, as the uio backend does) or one polling interval.
  int progress() {
    sc_time now = sc_core::sc_time_stamp();
    if (now >= deadline) return TERN_DEV_ERR_TIMEOUT;
    if (!cfg.irq) {
      polls++;
      sc_core::wait(std::min(sc_time(cfg.poll_ns, SC_NS), deadline - now));
      return TERN_DEV_OK;
    }
    if (!pins.irq_o.read()) sc_core::wait(deadline - now, pins.irq_o.posedge_event());
    if (!pins.irq_o.read()) return TERN_DEV_ERR_TIMEOUT;
    irqs++;
    uint32_t v = 7u;
    return reg(true, TERN_REG(IRQ_STATUS), &v);
  }

private:
  void run() {
    while (!pins.rst_ni.read()) sc_core::wait(pins.rst_ni.posedge_event());
    sc_core::wait(sc_time(1000.0 / cfg.clk_mhz * 4, SC_NS));
    reset_done = true;
    if (program) program(*this);
    sc_core::sc_stop();
  }
};

// ---- the "vp" tern_dev backend -----------------------------------------------------------
namespace be {
Cpu *cpu(tern_dev *d) { return static_cast<Cpu *>(d->be); }
int open(tern_dev *d, const char *) {
  Cpu *c = static_cast<Cpu *>(d->open_arg);
  tlm::tlm_generic_payload gp;
  tlm::tlm_dmi dmi;
  gp.set_command(tlm::TLM_WRITE_COMMAND);
  gp.set_address(c->cfg.ddr.base);
  if (!c->mem_socket->get_direct_mem_ptr(gp, dmi) || !dmi.is_read_write_allowed())
    return TERN_DEV_ERR_IO;
  d->be = c;
  d->dma_host = dmi.get_dmi_ptr();
  d->dma_base = dmi.get_start_address();
  d->dma_size = dmi.get_end_address() - dmi.get_start_address() + 1;
  return TERN_DEV_OK;
}
void close(tern_dev *) {}
int reg_read(tern_dev *d, uint32_t off, uint32_t *v) { return cpu(d)->reg(false, off, v); }
int reg_write(tern_dev *d, uint32_t off, uint32_t v) { return cpu(d)->reg(true, off, &v); }
int sync(tern_dev *d, uint64_t off, uint64_t len, tern_dev_dir dir) {
  return cpu(d)->sync(d->dma_host, d->dma_base + off, len, dir);
}
int progress(tern_dev *d, int) { return cpu(d)->progress(); }
void info(tern_dev *, tern_dev_info *i) { i->has_cycles = 1; }
int irq_mode(tern_dev *d) { return cpu(d)->cfg.irq ? 1 : 0; }
tern_dev_ops ops() {
  tern_dev_ops o{};
  o.name = "vp";
  o.open = open;
  o.close = close;
  o.reg_read = reg_read;
  o.reg_write = reg_write;
  o.sync = sync;
  o.progress = progress;
  o.info = info;
  o.irq_mode = irq_mode;
  return o;
}
}  // namespace be

// ---- the platform ------------------------------------------------------------------------
class Platform : public sc_core::sc_module {
public:
  VpConfig cfg;
  sc_core::sc_clock clk;
  Pins pins;
  std::unique_ptr<Vtern_top> top;
  AxilTarget axil;
  AxiSlave axi;
  Ddr ddr;
  Cpu cpu;

  Platform(sc_core::sc_module_name n, const VpConfig &c)
      : sc_module(n), cfg(c), clk("clk", sc_time(1000.0 / c.clk_mhz, SC_NS)),
        top(new Vtern_top("tern_top")), axil("axil", pins, clk),
        axi("axi", pins, clk, c.axi), ddr("ddr", c.ddr), cpu("cpu", cfg, pins) {
    top->clk_i(clk);
    pins.bind(*top);
    cpu.reg_socket.bind(axil.socket);
    cpu.mem_socket.bind(ddr.cpu_socket);
    axi.socket.bind(ddr.socket);
    SC_THREAD(reset);
  }
  SC_HAS_PROCESS(Platform);

private:
  void reset() {
    pins.rst_ni.write(false);
    for (int i = 0; i < 5; i++) sc_core::wait(clk.posedge_event());
    pins.rst_ni.write(true);
  }
};

// ---- jobs -------------------------------------------------------------------------------
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

struct Job {
  std::string name;
  tern_fmt fmt;
  uint32_t k;
  std::vector<uint32_t> rows;  // one per matrix of the chain
  uint32_t batch;
  double p_zero = 0.33;
};

struct Result {
  Job job;
  bool ok = false;
  std::string why;
  tern_dev_perf perf{};
  double call_us = 0, host_s = 0, ddr_gbps = 0, ddr_eff = 0;
  DdrStats ddr{};
  AxiSlaveStats axi{};
  uint64_t cpu_mem = 0, regs = 0;
};

tern_engine_params engine_params() {
  return tern_engine_params{VP_LANES,      VP_WORD_BYTES,           VP_BATCH,    VP_MAX_K, 32,
                            VP_WORD_BYTES, VP_LANES * VP_WORD_BYTES, VP_TILE_ROWS};
}

// The same GEMM on the command-level golden model through the same
// firmware: results and every non-cycle counter must match the RTL's.
struct Golden {
  tern_fw_accel *a = nullptr;
  explicit Golden(uint64_t mem) {
    char o[256];
    tern_engine_params e = engine_params();
    std::snprintf(o, sizeof o, "lanes=%u,word_bytes=%u,batch=%u,max_k=%u,tile_rows=%u,bus=%u,mem=%llu",
                  e.lanes, e.word_bytes, e.batch, e.max_k, e.tile_rows, VP_BUS_BYTES,
                  (unsigned long long)mem);
    int st = tern_fw_open(&a, "cmodel", o);
    if (st) {
      std::fprintf(stderr, "vp: cmodel open: %s\n", tern_fw_strerror(st));
      std::exit(2);
    }
    tern_fw_set_call_stats(a, 0);
  }
  ~Golden() { tern_fw_close(a); }
};

class Runner {
public:
  Platform &P;
  tern_fw_accel *a = nullptr;
  Golden gold;
  std::vector<Result> results;
  Runner(Platform &p) : P(p), gold(p.cfg.ddr.size) {}

  int open() {
    static const tern_dev_ops ops = be::ops();
    tern_dev *d = nullptr;
    int st = tern_dev_open_ops(&d, &ops, "", &P.cpu);
    if (st) return st;
    st = tern_fw_open_dev(&a, d);
    if (st) return st;
    tern_fw_set_timeout(a, -1);  // host time means nothing here; Cpu::deadline guards
    tern_fw_set_call_stats(a, 0);
    return TERN_OK;
  }

  Result run(const Job &j, uint64_t seed) {
    Result R;
    R.job = j;
    Rng rng{seed};
    const unsigned nmat = unsigned(j.rows.size());
    std::vector<std::vector<int8_t>> trits(nmat);
    std::vector<int8_t> x(size_t(j.batch) * j.k);
    for (auto &v : x) v = int8_t(rng.next());
    std::vector<tern_fw_mat> m(nmat), gm(nmat);
    std::vector<std::vector<int32_t>> y(nmat), gy(nmat), want(nmat);
    auto fail = [&](const std::string &w) {
      R.ok = false;
      R.why = w;
      return R;
    };
    P.cpu.timed_mem = false;  // weights: placed once, through the backdoor
    for (unsigned i = 0; i < nmat; i++) {
      trits[i].resize(size_t(j.rows[i]) * j.k);
      for (auto &t : trits[i]) {
        double u = double(rng.next() >> 11) * 0x1.0p-53;
        t = u < j.p_zero ? 0 : ((rng.next() & 1) ? 1 : -1);
      }
      int st = tern_fw_upload(a, trits[i].data(), j.rows[i], j.k, j.fmt, 1.0f, &m[i]);
      if (st) return fail(std::string("upload: ") + tern_fw_strerror(st));
      st = tern_fw_upload(gold.a, trits[i].data(), j.rows[i], j.k, j.fmt, 1.0f, &gm[i]);
      if (st) return fail(std::string("golden upload: ") + tern_fw_strerror(st));
      y[i].assign(size_t(j.batch) * j.rows[i], 0x5a5a5a5a);
      gy[i] = y[i];
      want[i].assign(y[i].size(), 0);
      size_t rb = tern_row_bytes(j.fmt, j.k);
      std::vector<uint8_t> packed(size_t(j.rows[i]) * rb);
      tern_pack(j.fmt, trits[i].data(), j.rows[i], j.k, packed.data(), rb, packed.size());
      tern_wmat w{j.fmt, j.rows[i], j.k, rb, packed.data(), packed.size()};
      if (tern_gemm_ref(&w, x.data(), j.k, x.size(), j.batch, want[i].data(), j.rows[i],
                        want[i].size()) != TERN_OK)
        return fail("tern_gemm_ref");
    }
    P.cpu.timed_mem = true;
    std::vector<const tern_fw_mat *> mp, gmp;
    std::vector<int32_t *> yp, gyp;
    for (unsigned i = 0; i < nmat; i++) {
      mp.push_back(&m[i]), gmp.push_back(&gm[i]);
      yp.push_back(y[i].data()), gyp.push_back(gy[i].data());
    }
    tern_dev *d = tern_fw_dev(a);
    tern_dev_perf gperf{};
    tern_dev_perf_clear(tern_fw_dev(gold.a));
    int st = tern_fw_gemm(gold.a, gmp.data(), nmat, x.data(), j.batch, gyp.data());
    if (st) return fail(std::string("golden gemm: ") + tern_fw_strerror(st));
    tern_dev_perf_read(tern_fw_dev(gold.a), &gperf);

    tern_dev_perf_clear(d);
    P.ddr.clear_stats();
    P.axi.clear_stats();
    uint64_t mem0 = P.cpu.cpu_mem_bytes, regs0 = P.cpu.reg_reads + P.cpu.reg_writes;
    auto h0 = std::chrono::steady_clock::now();
    sc_time t0 = sc_core::sc_time_stamp();
    P.cpu.deadline = t0 + sc_time(100, sc_core::SC_MS);
    st = tern_fw_gemm(a, mp.data(), nmat, x.data(), j.batch, yp.data());
    sc_time t1 = sc_core::sc_time_stamp();
    R.host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
    P.cpu.deadline = sc_core::sc_max_time();
    R.call_us = (t1 - t0).to_seconds() * 1e6;
    R.cpu_mem = P.cpu.cpu_mem_bytes - mem0;
    R.regs = P.cpu.reg_reads + P.cpu.reg_writes - regs0;
    tern_dev_perf_read(d, &R.perf);
    R.ddr = P.ddr.stats();
    R.axi = P.axi.stats();
    R.ddr_gbps = P.ddr.achieved_bytes_per_s() / 1e9;
    R.ddr_eff = R.ddr_gbps * 1e9 / P.cfg.ddr.peak_bytes_per_s;
    std::vector<size_t> wbytes;
    for (unsigned i = 0; i < nmat; i++) {
      wbytes.push_back(m[i].bytes);
      tern_fw_mat_free(a, &m[i]);
      tern_fw_mat_free(gold.a, &gm[i]);
    }
    if (st) {
      tern_dev_fault f{};
      tern_fw_last_fault(a, &f);
      return fail(std::string("gemm: ") + tern_fw_strerror(st) + " (" +
                  tern_hwerr_name(int(f.hw_code)) + ")");
    }
    char b[256];
    for (unsigned i = 0; i < nmat; i++)
      for (size_t e = 0; e < y[i].size(); e++)
        if (y[i][e] != want[i][e] || gy[i][e] != want[i][e]) {
          std::snprintf(b, sizeof b, "matrix %u element %zu: vp %d cmodel %d ref %d", i, e,
                        y[i][e], gy[i][e], want[i][e]);
          return fail(b);
        }
    const uint64_t *v = &R.perf.bytes_read, *g = &gperf.bytes_read;
    static const char *names[] = {"bytes_read", "bytes_written", "weight_bytes", "adds",
                                  "zero_trits", "commands"};
    for (int i = 0; i < 6; i++)
      if (v[i] != g[i]) {
        std::snprintf(b, sizeof b, "counter %s: rtl %llu cmodel %llu", names[i],
                      (unsigned long long)v[i], (unsigned long long)g[i]);
        return fail(b);
      }
    // Every burst the DMA counted crossed the AXI pins, and nothing else:
    // PERF_BYTES_READ counts w_bytes per matrix, the pins whole bus beats.
    uint64_t pad = 0;
    for (unsigned i = 0; i < nmat; i++)
      pad += (wbytes[i] + VP_BUS_BYTES - 1) / VP_BUS_BYTES * VP_BUS_BYTES - wbytes[i];
    if (R.axi.r_beats * VP_BUS_BYTES != R.perf.bytes_read + R.perf.commands * pad) {
      std::snprintf(b, sizeof b, "AXI read %llu B, PERF_BYTES_READ %llu + padding %llu",
                    (unsigned long long)(R.axi.r_beats * VP_BUS_BYTES),
                    (unsigned long long)R.perf.bytes_read,
                    (unsigned long long)(R.perf.commands * pad));
      return fail(b);
    }
    if (R.axi.wr_bytes != R.perf.bytes_written) {
      std::snprintf(b, sizeof b, "AXI wrote %llu strobed B, PERF_BYTES_WRITTEN %llu",
                    (unsigned long long)R.axi.wr_bytes, (unsigned long long)R.perf.bytes_written);
      return fail(b);
    }
    if (!P.axi.errors().empty()) return fail("AXI protocol: " + P.axi.errors().front());
    R.ok = true;
    return R;
  }
};

// ---- printing -----------------------------------------------------------------------------
std::string shape(const Job &j) {
  std::string s;
  for (size_t i = 0; i < j.rows.size(); i++) s += (i ? "+" : "") + std::to_string(j.rows[i]);
  return s + "x" + std::to_string(j.k);
}

void print_header(const VpConfig &c) {
  tern_engine_params e = engine_params();
  std::printf("vp %s: engine %ux%u B batch %u max_k %u, bus %u B at %.0f MHz (%.2f GB/s), DDR "
              "%.2f GB/s peak, latency %.0f ns, %s\n",
              VP_VARIANT, e.lanes, e.word_bytes, e.batch, e.max_k, VP_BUS_BYTES, c.clk_mhz,
              VP_BUS_BYTES * c.clk_mhz / 1e3, c.ddr.peak_bytes_per_s / 1e9, c.ddr.latency_ns,
              c.irq ? "interrupts" : "polling");
  std::printf("| job | shape | fmt | batch | cmds | cycles/cmd | weight B/cycle | accel GB/s | "
              "DDR GB/s (eff) | stall W / A / R | call us (sim) | host s | check |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

void print_row(const Result &r, const VpConfig &c) {
  const tern_dev_perf &p = r.perf;
  double busy = double(p.busy_cycles ? p.busy_cycles : 1);
  double sec = busy / (c.clk_mhz * 1e6);
  std::printf("| %s | %s | %s | %u | %llu | %.0f | %.1f | %.2f | %.2f (%.0f%%) | "
              "%.1f%% / %.1f%% / %.1f%% | %.1f | %.1f | %s |\n",
              r.job.name.c_str(), shape(r.job).c_str(), r.job.fmt == TERN_FMT_B3 ? "B3" : "I2",
              r.job.batch, (unsigned long long)p.commands,
              p.commands ? double(p.busy_cycles) / double(p.commands) : 0.0,
              double(p.weight_bytes) / busy, double(p.bytes_read + p.bytes_written) / sec / 1e9,
              r.ddr_gbps, 100 * r.ddr_eff, 100.0 * double(p.stall_weights) / busy,
              100.0 * double(p.stall_acts) / busy, 100.0 * double(p.stall_results) / busy,
              r.call_us, r.host_s, r.ok ? "bit-exact" : ("FAIL: " + r.why).c_str());
  std::fflush(stdout);
}

}  // namespace tern_vp

using namespace tern_vp;

namespace {

struct Options {
  bool test = false, bench = false, verbose = false;
  unsigned rows_div = 1;
  std::string only;
};

void usage() {
  std::fprintf(stderr, "usage: vp --test | --bench [--rows-div N] [--only NAME] [knobs; see "
                       "docs/virtual-platform.md]\n");
}

uint32_t div_rows(uint32_t r, unsigned d) {
  uint32_t v = (r + d - 1) / d;
  return v ? v : 1;
}

// Functional check: chains, split batches, random AXI stalls, polling,
// refresh jitter, an error command and recovery. Bit-exact each time.
int test_program(Platform &P, Runner &R, uint64_t seed) {
  unsigned pass = 0, failed = 0;
  auto check = [&](const char *name, bool ok, const std::string &why) {
    if (ok) pass++;
    else failed++, std::printf("FAIL %s: %s\n", name, why.c_str());
  };
  int st = R.open();
  if (st) {
    std::printf("FAIL open: %s\n", tern_fw_strerror(st));
    std::printf("0 passed, 1 failed\n");
    return 1;
  }
  const uint32_t K = VP_MAX_K, B = VP_BATCH;
  std::vector<Job> jobs = {
      {"b3-chain3", TERN_FMT_B3, K, {37, 13, 8}, 1},
      {"i2-split-batch", TERN_FMT_I2, K > 64 ? K - 56 : K, {50}, 2 * B + 1},
      {"b3-sparse-hwbatch", TERN_FMT_B3, 97, {29, 30}, B, 0.9},
  };
  print_header(P.cfg);
  for (size_t i = 0; i < jobs.size(); i++) {
    Result r = R.run(jobs[i], seed + i);
    print_row(r, P.cfg);
    check(jobs[i].name.c_str(), r.ok, r.why);
  }
  // stalls on every AXI channel, polling instead of interrupts, jittered refresh
  P.axi.config().p_stall = 0.3;
  P.cfg.irq = false;
  st = tern_dev_ring_init(tern_fw_dev(R.a), 8);
  check("ring-reinit", st == 0, tern_fw_strerror(st));
  {
    Job j{"stalls-polling", TERN_FMT_I2, 61, {23, 9}, B};
    Result r = R.run(j, seed + 10);
    print_row(r, P.cfg);
    check(j.name.c_str(), r.ok, r.why);
    check("stalls-seen", r.axi.r_backpressure + r.axi.ar_blocked + r.axi.w_blocked > 0 &&
                             P.cpu.polls > 0,
          "no stall or no poll happened");
  }
  P.axi.config().p_stall = 0;
  P.cfg.irq = true;
  st = tern_dev_ring_init(tern_fw_dev(R.a), 16);
  check("ring-reinit-irq", st == 0, tern_fw_strerror(st));
  // an invalid command: the driver must see the error (by interrupt) and recover
  {
    tern_dev *d = tern_fw_dev(R.a);
    tern_cmd c{};
    c.opcode = TERN_OP_GEMM;
    c.nmat = 1;
    c.batch = 1;
    c.k = 0;  // DIM
    c.tag = 0x7e57;
    uint64_t seq = 0;
    P.cpu.deadline = sc_core::sc_time_stamp() + sc_time(1, sc_core::SC_MS);
    st = tern_dev_submit(d, &c, 1, &seq);
    tern_dev_fault f{};
    if (!st) st = tern_dev_wait(d, seq, -1, &f);
    P.cpu.deadline = sc_core::sc_max_time();
    check("error-dim", st == TERN_DEV_ERR_HW && f.hw_code == TERN_HWERR_DIM && f.tag == 0x7e57 &&
                           P.pins.irq_o.read(),
          std::string("got ") + tern_fw_strerror(st) + " code " + tern_hwerr_name(int(f.hw_code)));
    st = tern_dev_soft_reset(d);
    check("soft-reset", st == 0, tern_fw_strerror(st));
    Result r = R.run(jobs[0], seed + 20);
    print_row(r, P.cfg);
    check("after-error", r.ok, r.why);
  }
  check("axi-protocol", P.axi.errors().empty(),
        P.axi.errors().empty() ? "" : P.axi.errors().front());
  std::printf("vp: %llu register reads, %llu writes, %llu interrupts, %llu polls; simulated %.1f us\n",
              (unsigned long long)P.cpu.reg_reads, (unsigned long long)P.cpu.reg_writes,
              (unsigned long long)P.cpu.irqs, (unsigned long long)P.cpu.polls,
              sc_core::sc_time_stamp().to_seconds() * 1e6);
  std::printf("%u passed, %u failed\n", pass, failed);
  return failed ? 1 : 0;
}

int bench_program(Platform &P, Runner &R, const Options &o, uint64_t seed) {
  int st = R.open();
  if (st) {
    std::printf("FAIL open: %s\n", tern_fw_strerror(st));
    return 1;
  }
  struct Shape {
    const char *name;
    std::vector<uint32_t> rows;
    uint32_t k;
  };
  const std::vector<Shape> shapes = {{"q/o", {2560}, 2560},   {"k/v", {640}, 2560},
                                     {"gate/up", {6912}, 2560}, {"down", {2560}, 6912},
                                     {"qkv", {2560, 640, 640}, 2560}};
  std::vector<uint32_t> batches = {1};
  if (VP_BATCH > 1) batches.push_back(VP_BATCH);
  print_header(P.cfg);
  int bad = 0;
  unsigned n = 0;
  for (const Shape &s : shapes) {
    if (!o.only.empty() && o.only != s.name) continue;
    for (tern_fmt f : {TERN_FMT_I2, TERN_FMT_B3})
      for (uint32_t b : batches) {
        Job j{s.name, f, s.k, {}, b};
        for (uint32_t r : s.rows) j.rows.push_back(div_rows(r, o.rows_div));
        Result r = R.run(j, seed + n++);
        print_row(r, P.cfg);
        if (o.verbose) std::printf("  %s\n", P.ddr.report().c_str());
        if (!r.ok) bad++;
      }
  }
  std::printf("vp bench: %u jobs, %d failed; simulated %.3f ms\n", n, bad,
              sc_core::sc_time_stamp().to_seconds() * 1e3);
  return bad ? 1 : 0;
}

}  // namespace

int sc_main(int argc, char **argv) {
  Options o;
  VpConfig c;
  c.axi.bus_bytes = VP_BUS_BYTES;
  c.axi.max_reads = 32;
  c.ddr.size = 64ull << 20;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto num = [&]() -> double {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return std::strtod(argv[++i], nullptr);
    };
    if (a == "--test") o.test = true;
    else if (a == "--bench") o.bench = true;
    else if (a == "-v") o.verbose = true;
    else if (a == "--rows-div") o.rows_div = unsigned(num());
    else if (a == "--only") o.only = i + 1 < argc ? argv[++i] : "";
    else if (a == "--clk-mhz") c.clk_mhz = num();
    else if (a == "--ddr-gbps") c.ddr.peak_bytes_per_s = num() * 1e9;
    else if (a == "--ddr-latency-ns") c.ddr.latency_ns = num();
    else if (a == "--ddr-overhead-ns") c.ddr.burst_overhead_ns = num();
    else if (a == "--ddr-row") c.ddr.row_bytes = uint32_t(num());
    else if (a == "--ddr-banks") c.ddr.banks = uint32_t(num());
    else if (a == "--ddr-row-miss-ns") c.ddr.row_miss_ns = num();
    else if (a == "--ddr-turnaround-ns") c.ddr.turnaround_ns = num();
    else if (a == "--ddr-refresh-ns") c.ddr.refresh_interval_ns = num();
    else if (a == "--ddr-trfc-ns") c.ddr.refresh_ns = num();
    else if (a == "--ddr-jitter") c.ddr.refresh_jitter = num();
    else if (a == "--stall") c.axi.p_stall = num();
    else if (a == "--max-reads") c.axi.max_reads = unsigned(num());
    else if (a == "--irq") c.irq = num() != 0;
    else if (a == "--cpu-ns") c.cpu_access_ns = num();
    else if (a == "--seed") c.seed = uint64_t(num());
    else if (a == "--mem") c.ddr.size = uint64_t(num()) << 20;
    else {
      usage();
      return 2;
    }
  }
  if (o.test == o.bench || c.clk_mhz <= 0 || c.ddr.peak_bytes_per_s <= 0 || c.ddr.banks == 0 ||
      c.axi.max_reads == 0 || c.ddr.size == 0) {
    usage();
    return 2;
  }
  c.axi.seed = c.seed * 31 + 7;
  c.ddr.seed = c.seed;
  if (o.test) c.ddr.refresh_jitter = c.ddr.refresh_jitter > 0 ? c.ddr.refresh_jitter : 0.5;
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  Platform P("vp", c);
  Runner R(P);
  int rc = 0;
  P.cpu.program = [&](Cpu &) {
    rc = o.test ? test_program(P, R, c.seed) : bench_program(P, R, o, c.seed);
  };
  sc_core::sc_start();
  if (!P.cpu.reset_done) {
    std::printf("FAIL: the CPU never ran\n");
    return 1;
  }
  P.top->final();
  return rc;
}

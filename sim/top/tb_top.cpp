// Full-system co-simulation of tern_top (rtl/top/) against the command-level
// golden model tern_sys (cmodel/tern_sys.c).
//
// The Verilated top sits on the AXI memory model (sim/axi/axi_mem: latency,
// bandwidth, random stalls, SLVERR/DECERR). A "CPU" drives the AXI4-Lite
// registers exactly like a driver: it writes commands into the ring in memory
// and rings the doorbell; every register write goes to the model too. After
// each doorbell the RTL runs until idle, the model steps the same commands on
// its own copy of the memory image, and then memory (byte for byte), every
// register (but the cycle counters) and irq_o must be equal.
//
// After an injected AXI error or a soft reset in the middle of a command, the
// failing command's result buffers and its traffic/arithmetic counters are
// copied from the RTL into the model (tern_sys.c documents why): everything
// else must still match, so nothing may be written outside those buffers.
//
//   tb_top --seed S [--streams N] [--cmds N] [--test all|directed|random]
//          [--bench] [--bench-rows N] [--fst file] [-v]
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "Vtern_top.h"
#include "axi_mem.h"
#include "tern_sys.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#ifndef TB_FMTS
#define TB_FMTS 3
#endif
#ifndef TB_BUS_BYTES
#error "build with -DTB_BUS_BYTES and the engine parameters (mk/top.mk)"
#endif

using tern_axi::Resp;

namespace {

constexpr unsigned BUS = TB_BUS_BYTES;
constexpr uint64_t MEM_BASE = 0x40000000ull;

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(double p) { return (next() >> 11) * 0x1.0p-53 < p; }
};

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Fail {
  std::string msg;
};
[[noreturn]] void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void failf(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  throw Fail{buf};
}

// A region the model must treat as a bus fault (an injected AXI error).
struct FaultRegion {
  uint64_t lo, hi;
  bool write;
};

int model_fault(void *ctx, uint64_t addr, size_t len, int is_write) {
  auto *v = static_cast<std::vector<FaultRegion> *>(ctx);
  for (const FaultRegion &f : *v)
    if (f.write == (is_write != 0) && addr < f.hi && f.lo < addr + len) return 1;
  return 0;
}

// What the run exercised (printed at the end, so a silent no-op shows).
struct Stats {
  uint64_t cmds = 0, gemms = 0, mats = 0, errors[16] = {}, inj_hit = 0, inj_miss = 0,
           sr_abort = 0, sr_done = 0, cycles = 0;
} g_stats;

struct Options {
  uint64_t seed = 1;
  unsigned streams = 20, cmds = 12;
  std::string test = "all";
  bool bench = false, verbose = false;
  unsigned bench_rows = 6912, bench_k = 2560;
  double bench_min_pct = 95.0;
  uint64_t timeout = 4000000;
  const char *fst = nullptr;
};

class Tb {
public:
  Options o;
  Rng rng;
  VerilatedContext ctx;
  Vtern_top *top = nullptr;
  tern_axi::Mem *mem = nullptr;
  tern_axi::Port port;
#if VM_TRACE
  VerilatedFstC *tfp = nullptr;
#endif
  uint64_t cyc = 0;

  tern_sys_params sp{};
  tern_sys sys{};
  tern_sys_mem smem{};
  std::vector<uint8_t> img;
  std::vector<FaultRegion> faults;

  // ring and allocator state
  uint64_t ring_base = MEM_BASE;
  uint32_t ring_n = 8, tail = 0;
  uint64_t heap_lo = 0, heap_hi = 0, heap = 0;
  uint32_t ctrl = 1;

  explicit Tb(const Options &opt, size_t mem_len) : o(opt), rng{opt.seed} {
    ctx.randReset(2);
    ctx.randSeed(int(opt.seed % 2147483646u) + 1);
#if VM_TRACE
    if (o.fst) ctx.traceEverOn(true);
#endif
    top = new Vtern_top(&ctx);
#if VM_TRACE
    if (o.fst) {
      tfp = new VerilatedFstC;
      top->trace(tfp, 99);
      tfp->open(o.fst);
    }
#endif
    TERN_AXI_BIND_READ(port, top, m_axi_);
    TERN_AXI_BIND_WRITE(port, top, m_axi_);
    tern_axi::Config mc;
    mc.data_bytes = BUS;
    mc.seed = opt.seed * 7 + 3;
    mem = new tern_axi::Mem(port, mc);

    sp.eng = tern_engine_params{TB_LANES, TB_WORD_BYTES, TB_BATCH, TB_MAX_K, 32,
                                TB_WORD_BYTES, TB_LANES * TB_WORD_BYTES, TB_TILE_ROWS};
    sp.bus_bytes = BUS;
    sp.formats = TB_FMTS;
    img.resize(mem_len);
    for (size_t i = 0; i < mem_len; i++) img[i] = uint8_t(rng.next());
    mem->write(MEM_BASE, img.data(), mem_len);
    // outside the image every access is a DECERR, as for the model
    mem->add_error_range(0, MEM_BASE, tern_axi::DECERR, true, true);
    mem->add_error_range(MEM_BASE + mem_len, ~0ull, tern_axi::DECERR, true, true);
    smem = tern_sys_mem{img.data(), MEM_BASE, mem_len, model_fault, &faults};
    hard_reset();
  }
  ~Tb() {
    g_stats.cycles += cyc;
#if VM_TRACE
    if (tfp) tfp->close();
#endif
    delete mem;
    delete top;
  }

  // ---- clocking --------------------------------------------------------------
  void tick() {
    top->clk_i = 0;
    top->eval();
    mem->sample();
#if VM_TRACE
    if (tfp) tfp->dump(ctx.time());
    ctx.timeInc(1);
#endif
    top->clk_i = 1;
    top->eval();
    mem->drive();
#if VM_TRACE
    if (tfp) tfp->dump(ctx.time());
    ctx.timeInc(1);
#endif
    cyc++;
    if (!mem->ok()) failf("AXI protocol error: %s", mem->errors().front().c_str());
  }

  void hard_reset() {
    // a real negedge on rst_ni; the memory model only sees the DUT after it
    top->rst_ni = 1;
    top->clk_i = 0;
    top->eval();
    top->rst_ni = 0;
    top->s_axil_awvalid_i = 0;
    top->s_axil_wvalid_i = 0;
    top->s_axil_bready_i = 0;
    top->s_axil_arvalid_i = 0;
    top->s_axil_rready_i = 0;
    for (int i = 0; i < 4; i++) {
      top->clk_i = 0;
      top->eval();
      top->clk_i = 1;
      top->eval();
    }
    top->clk_i = 0;
    top->eval();
    top->rst_ni = 1;
    tick();
    if (tern_sys_init(&sys, &sp) != TERN_OK) failf("tern_sys_init rejects the build");
    ctrl = 0;
  }

  // ---- AXI4-Lite "CPU" --------------------------------------------------------
  unsigned axil_write(uint32_t off, uint32_t v) {
    top->s_axil_awvalid_i = 1;
    top->s_axil_awaddr_i = off;
    top->s_axil_awprot_i = 0;
    top->s_axil_wvalid_i = 1;
    top->s_axil_wdata_i = v;
    top->s_axil_wstrb_i = 0xf;
    top->s_axil_bready_i = 1;
    bool aw = false, w = false;
    unsigned resp = 0;
    for (int n = 0;; n++) {
      if (n > 1000) failf("AXI4-Lite write to 0x%x hangs", off);
      top->clk_i = 0;
      top->eval();
      bool awf = top->s_axil_awvalid_i && top->s_axil_awready_o;
      bool wf = top->s_axil_wvalid_i && top->s_axil_wready_o;
      bool bf = top->s_axil_bvalid_o;
      resp = top->s_axil_bresp_o;
      tick();
      if (awf) aw = true, top->s_axil_awvalid_i = 0;
      if (wf) w = true, top->s_axil_wvalid_i = 0;
      if (bf && aw && w) break;
    }
    top->s_axil_bready_i = 0;
    return resp;
  }
  uint32_t axil_read(uint32_t off, unsigned *resp = nullptr) {
    top->s_axil_arvalid_i = 1;
    top->s_axil_araddr_i = off;
    top->s_axil_arprot_i = 0;
    top->s_axil_rready_i = 1;
    bool ar = false;
    uint32_t v = 0;
    for (int n = 0;; n++) {
      if (n > 1000) failf("AXI4-Lite read of 0x%x hangs", off);
      top->clk_i = 0;
      top->eval();
      bool arf = top->s_axil_arvalid_i && top->s_axil_arready_o;
      bool rf = top->s_axil_rvalid_o;
      v = top->s_axil_rdata_o;
      if (resp) *resp = top->s_axil_rresp_o;
      tick();
      if (arf) ar = true, top->s_axil_arvalid_i = 0;
      if (rf && ar) break;
    }
    top->s_axil_rready_i = 0;
    return v;
  }
  // A driver's register write: to the RTL and to the model.
  void cpu_write(uint32_t off, uint32_t v) {
    unsigned r = axil_write(off, v);
    if (r != 0) failf("register write 0x%x answered %u", off, r);
    if (tern_sys_reg_write(&sys, off, v) != TERN_OK) failf("model rejects write 0x%x", off);
    if (off == TERN_REG(CTRL)) ctrl = v & 1u;
  }

  // ---- memory -----------------------------------------------------------------
  void put(uint64_t addr, const void *src, size_t n) {
    if (addr < MEM_BASE || addr - MEM_BASE + n > img.size()) failf("put outside the image");
    std::memcpy(&img[addr - MEM_BASE], src, n);
    mem->write(addr, src, n);
  }
  uint64_t alloc(uint64_t bytes) {
    uint64_t a = round_up(heap, BUS) + BUS * rng.below(3);
    if (a + bytes > heap_hi) a = heap_lo;
    if (a + bytes > heap_hi) failf("buffer of %" PRIu64 " bytes does not fit the image", bytes);
    heap = a + bytes;
    return a;
  }
  // RTL bytes [addr, addr+n) into the model image (excluded from comparison).
  void sync_from_rtl(uint64_t addr, uint64_t n) {
    if (addr < MEM_BASE || addr - MEM_BASE >= img.size()) return;
    n = std::min<uint64_t>(n, img.size() - (addr - MEM_BASE));
    mem->read(addr, &img[addr - MEM_BASE], n);
  }
  void compare_memory(const char *what) {
    std::vector<uint8_t> got(img.size());
    mem->read(MEM_BASE, got.data(), got.size());
    for (size_t i = 0; i < img.size(); i++)
      if (got[i] != img[i])
        failf("%s: memory differs at 0x%" PRIx64 ": rtl %02x model %02x", what, MEM_BASE + i,
              got[i], img[i]);
  }

  // ---- registers ----------------------------------------------------------------
  static bool cycle_counter(uint32_t off) { return off >= 0x100 && off < 0x120; }
  void compare_registers(const char *what) {
    cpu_write(TERN_REG(CTRL), ctrl | 4u);  // snapshot the counters in both
    for (uint32_t off = 0; off < sizeof(tern_regs_t); off += 4) {
      if (cycle_counter(off)) continue;
      uint32_t want = 0;
      const bool mapped = tern_sys_reg_read(&sys, off, &want) == TERN_OK;
      unsigned resp = 0;
      uint32_t got = axil_read(off, &resp);
      if (!mapped) {  // a hole in the map: the register block must answer SLVERR
        if (resp != 2) failf("%s: unmapped register 0x%03x answered %u, want SLVERR", what, off, resp);
        continue;
      }
      if (resp != 0) failf("%s: register 0x%03x read answered %u", what, off, resp);
      if (got != want)
        failf("%s: register 0x%03x: rtl 0x%08x model 0x%08x", what, off, got, want);
    }
    tick();
    tick();
    if (int(top->irq_o) != tern_sys_irq(&sys))
      failf("%s: irq_o %d, model %d", what, int(top->irq_o), tern_sys_irq(&sys));
  }
  uint64_t rtl_counter(unsigned i) {  // snapshot taken by the caller
    uint32_t lo = axil_read(0x100 + 8 * i), hi = axil_read(0x104 + 8 * i);
    return (uint64_t(hi) << 32) | lo;
  }
  // The failing command's traffic and arithmetic counters, taken from the RTL.
  void sync_counters() {
    cpu_write(TERN_REG(CTRL), ctrl | 4u);
    sys.bytes_read = rtl_counter(4);
    sys.bytes_written = rtl_counter(5);
    sys.weight_bytes = rtl_counter(6);
    sys.adds = rtl_counter(7);
    sys.zero_trits = rtl_counter(8);
  }

  // ---- running ---------------------------------------------------------------------
  // Runs the RTL until it has nothing to do; a cycle budget guards hangs.
  void wait_idle(const char *what) {
    uint64_t start = cyc;
    for (;;) {
      for (int i = 0; i < 8; i++) tick();
      uint32_t st = axil_read(TERN_REG(STATUS));
      bool busy = st & 1u, err = st & 2u, idle = st & 4u;
      if (!busy && (idle || err || !ctrl)) break;
      if (cyc - start > o.timeout)
        failf("%s: TIMEOUT after %" PRIu64 " cycles (STATUS 0x%x)", what, cyc - start, st);
    }
  }
  void model_run() {
    for (;;) {
      uint32_t head = sys.ring_head;
      int r = tern_sys_step(&sys, &smem);
      if (r < 0) failf("tern_sys_step: %d", r);
      if (r == 0) break;
      g_stats.cmds++;
      uint8_t raw[TERN_CMD_BYTES];
      uint64_t at = sys.ring_base + 128ull * head;
      if (at >= MEM_BASE && at - MEM_BASE + 128 <= img.size()) {
        tern_cmd c;
        std::memcpy(raw, &img[at - MEM_BASE], sizeof raw);
        tern_cmd_decode(raw, &c);
        if (c.opcode == TERN_OP_GEMM) g_stats.gemms++, g_stats.mats += c.nmat;
      }
      if (sys.stopped) g_stats.errors[sys.err_code & 15]++;
    }
  }

  // ---- setup -----------------------------------------------------------------------
  void program(uint32_t entries, uint64_t win_base, uint64_t win_size) {
    ring_n = entries;
    ring_base = MEM_BASE;
    heap_lo = heap = ring_base + 128ull * 64;  // ring area: up to 64 entries
    heap_hi = MEM_BASE + img.size();
    cpu_write(TERN_REG(WIN_BASE_LO), uint32_t(win_base));
    cpu_write(TERN_REG(WIN_BASE_HI), uint32_t(win_base >> 32));
    cpu_write(TERN_REG(WIN_SIZE_LO), uint32_t(win_size));
    cpu_write(TERN_REG(WIN_SIZE_HI), uint32_t(win_size >> 32));
    cpu_write(TERN_REG(RING_BASE_LO), uint32_t(ring_base));
    cpu_write(TERN_REG(RING_BASE_HI), uint32_t(ring_base >> 32));
    cpu_write(TERN_REG(RING_SIZE), entries);
    cpu_write(TERN_REG(RING_TAIL), 0);
    cpu_write(TERN_REG(CTRL), 1u | 2u);  // enable; the soft reset sets head = tail
    tail = 0;
  }
  void program_default(uint32_t entries) { program(entries, MEM_BASE, img.size()); }

  // ---- commands ----------------------------------------------------------------------
  struct Gen {
    unsigned max_rows = 40;
    unsigned max_nmat = TERN_CMD_MAX_CHAIN;
    double p_bad_trit = 0;
    double p_zero = -1;  // <0: random per matrix
    int fmt = -1, k = -1, batch = -1, rows = -1, nmat = -1;
  };

  tern_cmd gemm(const Gen &g) {
    const tern_engine_params *e = &sp.eng;
    tern_cmd c{};
    c.opcode = TERN_OP_GEMM;
    c.fmt = uint8_t(g.fmt >= 0 ? g.fmt : TB_FMTS == 3 ? int(rng.below(2)) : TB_FMTS == 2 ? 1 : 0);
    c.nmat = uint8_t(g.nmat >= 0 ? g.nmat : int(rng.range(1, g.max_nmat)));
    c.batch = uint16_t(g.batch >= 0 ? g.batch : int(rng.range(1, e->batch)));
    uint32_t k;
    if (g.k >= 0) k = uint32_t(g.k);
    else {
      switch (rng.below(4)) {
      case 0: k = uint32_t(rng.range(1, 16)); break;
      case 1: k = e->max_k - uint32_t(rng.below(std::min<uint32_t>(e->max_k, 8))); break;
      default: k = uint32_t(rng.range(1, e->max_k)); break;
      }
    }
    c.k = k;
    c.act_stride = uint32_t(round_up(k, BUS) + BUS * rng.below(2));
    c.act_addr = alloc(uint64_t(c.batch - 1) * c.act_stride + round_up(k, BUS));
    std::vector<uint8_t> act(uint64_t(c.batch - 1) * c.act_stride + round_up(k, BUS));
    for (auto &b : act) b = uint8_t(rng.next());
    put(c.act_addr, act.data(), act.size());
    uint32_t maxr = 0;
    std::vector<uint32_t> rows(c.nmat);
    for (unsigned i = 0; i < c.nmat; i++) {
      rows[i] = g.rows >= 0 ? uint32_t(g.rows) : uint32_t(rng.range(1, g.max_rows));
      maxr = std::max(maxr, rows[i]);
    }
    c.res_stride = uint32_t(round_up(4ull * maxr, BUS) + BUS * rng.below(2));
    for (unsigned i = 0; i < c.nmat; i++) {
      tern_cmd_mat &m = c.mat[i];
      m.rows = rows[i];
      std::vector<uint8_t> stream = weights(tern_fmt(c.fmt), m.rows, k, g);
      m.w_bytes = uint32_t(stream.size());
      m.w_addr = alloc(stream.size());
      put(m.w_addr, stream.data(), stream.size());
      m.res_addr = alloc(uint64_t(c.batch - 1) * c.res_stride + 4ull * m.rows);
    }
    c.tag = uint32_t(rng.next());
    if (o.verbose) {
      std::printf("  gemm fmt %u k %u batch %u nmat %u act 0x%" PRIx64 "+%u res_stride %u\n",
                  c.fmt, c.k, c.batch, c.nmat, c.act_addr, c.act_stride, c.res_stride);
      for (unsigned i = 0; i < c.nmat; i++)
        std::printf("    mat %u rows %u w 0x%" PRIx64 " (%u B) res 0x%" PRIx64 "\n", i,
                    c.mat[i].rows, c.mat[i].w_addr, c.mat[i].w_bytes, c.mat[i].res_addr);
    }
    return c;
  }

  std::vector<uint8_t> weights(tern_fmt fmt, uint32_t rows, uint32_t k, const Gen &g) {
    double pz = g.p_zero >= 0 ? g.p_zero : (rng.below(3) == 0 ? 0.9 : 0.33);
    std::vector<int8_t> t(size_t(rows) * k);
    for (auto &x : t) x = rng.chance(pz) ? 0 : (rng.below(2) ? 1 : -1);
    size_t rb = tern_row_bytes(fmt, k);
    std::vector<uint8_t> packed(rows * rb);
    if (tern_pack(fmt, t.data(), rows, k, packed.data(), rb, packed.size()) != TERN_OK)
      failf("tern_pack");
    tern_wmat w{fmt, rows, k, rb, packed.data(), packed.size()};
    std::vector<uint8_t> s(tern_engine_wstream_bytes(&sp.eng, fmt, rows, k));
    if (tern_engine_wstream(&sp.eng, &w, s.data(), s.size()) != TERN_OK) failf("wstream");
    if (g.p_bad_trit > 0 && rng.chance(g.p_bad_trit)) {
      size_t at = rng.below(s.size());
      s[at] = fmt == TERN_FMT_B3 ? uint8_t(rng.range(243, 255)) : uint8_t(s[at] | 3u);
    }
    return s;
  }

  tern_cmd simple(uint8_t op) {
    tern_cmd c{};
    c.opcode = op;
    c.tag = uint32_t(rng.next());
    return c;
  }

  // Writes a command at the tail (both memories); returns its ring index.
  uint32_t push(const tern_cmd &c) {
    uint8_t raw[TERN_CMD_BYTES];
    tern_cmd_encode(&c, raw);
    uint32_t at = tail;
    put(ring_base + 128ull * at, raw, sizeof raw);
    tail = (tail + 1) % ring_n;
    return at;
  }
  void push_raw(const uint8_t raw[TERN_CMD_BYTES]) {
    put(ring_base + 128ull * tail, raw, TERN_CMD_BYTES);
    tail = (tail + 1) % ring_n;
  }
  void doorbell() { cpu_write(TERN_REG(RING_TAIL), tail); }

  // Rings, runs both sides, compares.
  void run_and_compare(const char *what) {
    doorbell();
    wait_idle(what);
    model_run();
    if (o.verbose)
      std::printf("  %s: rtl ERR_CODE %u, model %u, cycle %" PRIu64 "\n", what,
                  axil_read(TERN_REG(ERR_CODE)), sys.err_code, cyc);
    compare_memory(what);
    compare_registers(what);
  }

  // The result bytes a command may write (for exclusion after an abort).
  void sync_results(const tern_cmd &c) {
    if (c.opcode != TERN_OP_GEMM) return;
    for (unsigned i = 0; i < c.nmat && i < TERN_CMD_MAX_CHAIN; i++)
      for (unsigned b = 0; b < c.batch; b++)
        sync_from_rtl(c.mat[i].res_addr + uint64_t(b) * c.res_stride, 4ull * c.mat[i].rows);
  }

  uint32_t err_code() { return axil_read(TERN_REG(ERR_CODE)); }

  // Soft reset after an error: both sides, then compare.
  void recover(const char *what) {
    cpu_write(TERN_REG(CTRL), 1u | 2u);
    wait_idle(what);
    tail = axil_read(TERN_REG(RING_HEAD));
    cpu_write(TERN_REG(IRQ_STATUS), 7u);
    compare_memory(what);
    compare_registers(what);
  }

  // ---- error injection ---------------------------------------------------------------
  // The j-th AR (or AW) the next command issues fails with resp; after the
  // RTL ran, the failing burst is handed to the model as a fault region.
  struct Inject {
    bool write;
    uint64_t nth;
    Resp resp;
  };
  void arm(const Inject &in) {
    mem->log().clear();
    const tern_axi::Stats &s = mem->stats();
    if (in.write) mem->fail_nth_write(s.aw + in.nth, in.resp);
    else mem->fail_nth_read(s.ar + in.nth, in.resp);
  }
  bool disarm(const Inject &in) {  // true if the burst was issued
    mem->fail_nth_read(0, tern_axi::SLVERR);
    mem->fail_nth_write(0, tern_axi::SLVERR);
    uint64_t n = 0;
    for (const tern_axi::Txn &t : mem->log()) {
      if (t.write != in.write) continue;
      if (++n == in.nth) {
        faults.push_back({t.addr, t.addr + uint64_t(t.beats) * BUS, t.write});
        return true;
      }
    }
    return false;
  }

  // One command with an injected error; checks code, IRQ, memory, recovery.
  bool error_command(const tern_cmd &c, const Inject &in, const char *what) {
    cpu_write(TERN_REG(IRQ_ENABLE), 7u);
    push(c);
    arm(in);
    doorbell();
    wait_idle(what);
    bool hit = disarm(in);
    (hit ? g_stats.inj_hit : g_stats.inj_miss)++;
    model_run();
    faults.clear();
    uint32_t code = err_code();
    if (hit) {
      uint32_t want = in.write ? TERN_HWERR_AXI_WRITE : TERN_HWERR_AXI_READ;
      if (code != want || sys.err_code != want)
        failf("%s: error code rtl %u model %u, want %u", what, code, sys.err_code, want);
      if (!top->irq_o) failf("%s: no interrupt", what);
      sync_results(c);
      sync_counters();
    }
    compare_memory(what);
    compare_registers(what);
    if (hit) recover(what);
    return hit;
  }

  // Soft reset `after` cycles into a command.
  void soft_reset_command(const tern_cmd &c, uint64_t after, const char *what) {
    push(c);
    uint32_t done0 = axil_read(TERN_REG(COMPLETED));
    doorbell();
    for (uint64_t i = 0; i < after; i++) tick();
    unsigned r = axil_write(TERN_REG(CTRL), ctrl | 2u);
    if (r) failf("%s: soft reset write answered %u", what, r);
    wait_idle(what);
    bool completed = axil_read(TERN_REG(COMPLETED)) != done0;
    (completed ? g_stats.sr_done : g_stats.sr_abort)++;
    if (completed) model_run();
    tern_sys_reg_write(&sys, TERN_REG(CTRL), ctrl | 2u);
    if (!completed) {
      sync_results(c);
      sync_counters();
    }
    tail = axil_read(TERN_REG(RING_HEAD));
    compare_memory(what);
    compare_registers(what);
    if (o.verbose) std::printf("  %s: soft reset after %" PRIu64 " cycles, %s\n", what, after,
                               completed ? "command had completed" : "command aborted");
  }

  // A good command after a failure: proves the block works again.
  void good_command(const char *what) {
    Gen g;
    g.max_rows = 3 * sp.eng.lanes + 1;
    push(gemm(g));
    run_and_compare(what);
    if (err_code() != 0) failf("%s: good command failed with %u", what, err_code());
  }
};

// ---- tests -------------------------------------------------------------------------------

struct Runner {
  unsigned pass = 0, fail = 0;
  bool verbose = false;
  void run(const std::string &name, const std::function<void()> &fn) {
    try {
      fn();
      pass++;
      if (verbose) std::printf("PASS %s\n", name.c_str());
    } catch (const Fail &f) {
      fail++;
      std::printf("FAIL %s: %s\n", name.c_str(), f.msg.c_str());
    }
  }
};

size_t test_mem_len() {
  const unsigned lanes = TB_LANES, wb = TB_WORD_BYTES;
  size_t w = size_t(5 * lanes) * 4 * ((TB_MAX_K + 4 * wb - 1) / (4 * wb)) * wb * 4;
  return std::max<size_t>(1u << 19, round_up(w * 6 + (1u << 18), 4096));
}

void cpu_write_irq(Tb &t);

// Each bad-input case: the expected code, IRQ, nothing written, recovery.
void directed(const Options &o, Runner &R) {
  struct Case {
    const char *name;
    uint32_t want;
    std::function<void(Tb &, tern_cmd &)> mutate;
  };
  const unsigned lanes = TB_LANES;
  std::vector<Case> cases = {
      {"dim-rows-zero", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.mat[0].rows = 0; }},
      {"dim-k-zero", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.k = 0; }},
      {"dim-k-over", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.k = TB_MAX_K + 1; c.act_stride = uint32_t(round_up(c.k, BUS)); }},
      {"dim-batch-zero", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.batch = 0; }},
      {"dim-batch-over", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.batch = TB_BATCH + 1; }},
      {"dim-nmat-zero", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.nmat = 0; }},
      {"dim-nmat-five", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.nmat = 5; }},
      {"dim-rows-2^24", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.mat[0].rows = 1u << 24; c.res_stride = 1u << 26; }},
      {"dim-act-stride", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.act_stride = c.k - 1; }},
      {"dim-res-stride", TERN_HWERR_DIM, [](Tb &, tern_cmd &c) { c.res_stride = 4 * c.mat[0].rows - 4; }},
      {"align-act-addr", TERN_HWERR_ALIGN, [](Tb &, tern_cmd &c) { c.act_addr += 4; }},
      {"align-res-stride", TERN_HWERR_ALIGN, [](Tb &, tern_cmd &c) { c.res_stride += 4; }},
      {"align-w-addr", TERN_HWERR_ALIGN, [](Tb &, tern_cmd &c) { c.mat[0].w_addr += 1; }},
      {"align-res-addr", TERN_HWERR_ALIGN, [](Tb &, tern_cmd &c) { c.mat[0].res_addr += 4; }},
      {"wbytes", TERN_HWERR_WBYTES, [](Tb &, tern_cmd &c) { c.mat[0].w_bytes += TB_LANES * TB_WORD_BYTES; }},
      {"window-act", TERN_HWERR_WINDOW, [](Tb &t, tern_cmd &c) { c.act_addr = MEM_BASE + t.img.size(); }},
      {"window-w-below", TERN_HWERR_WINDOW, [](Tb &, tern_cmd &c) { c.mat[0].w_addr = MEM_BASE - 4096; }},
      {"window-res-end", TERN_HWERR_WINDOW, [](Tb &t, tern_cmd &c) { c.mat[0].res_addr = MEM_BASE + t.img.size() - round_up(4ull * c.mat[0].rows, BUS) + BUS; }},
      {"window-wrap", TERN_HWERR_WINDOW, [](Tb &, tern_cmd &c) { c.mat[0].res_addr = ~0ull - 2 * BUS + 1; }},
      {"opcode", TERN_HWERR_OPCODE, [](Tb &, tern_cmd &c) { c.opcode = 3; }},
      {"opcode-flags", TERN_HWERR_OPCODE, [](Tb &, tern_cmd &c) { c.flags = 0x80; }},
      {"opcode-reserved", TERN_HWERR_OPCODE, [](Tb &, tern_cmd &c) { c.reserved = 1; }},
      {"format", TERN_HWERR_FORMAT, [](Tb &, tern_cmd &c) { c.fmt = 2; }},
      {"format-before-dim", TERN_HWERR_FORMAT, [](Tb &, tern_cmd &c) { c.fmt = 7; c.k = 0; }},
      {"format-not-built", TB_FMTS == 3 ? TERN_HWERR_NONE : TERN_HWERR_FORMAT,
       [](Tb &, tern_cmd &c) { if (TB_FMTS != 3) c.fmt = TB_FMTS == 1 ? 1 : 0; }},
  };
  for (const Case &cs : cases) {
    R.run(std::string("directed/") + cs.name, [&] {
      Tb t(o, test_mem_len());
      t.program_default(8);
      cpu_write_irq(t);
      Tb::Gen g;
      g.max_rows = 2 * lanes + 1;
      g.nmat = 1;
      tern_cmd c = t.gemm(g);
      cs.mutate(t, c);
      t.push(c);
      t.run_and_compare(cs.name);
      uint32_t code = t.err_code();
      if (code != cs.want || t.sys.err_code != cs.want)
        failf("error code rtl %u model %u, want %u (%s)", code, t.sys.err_code, cs.want,
              tern_hwerr_name(int(cs.want)));
      if (cs.want == TERN_HWERR_NONE) return;
      if (!t.top->irq_o) failf("no interrupt");
      t.recover(cs.name);
      t.good_command(cs.name);
    });
  }
  R.run("directed/trit", [&] {
    Tb t(o, test_mem_len());
    t.program_default(8);
    cpu_write_irq(t);
    for (int fmt = 0; fmt < 2; fmt++) {
      if (!(TB_FMTS >> fmt & 1)) continue;
      Tb::Gen g;
      g.fmt = fmt;
      g.p_bad_trit = 1.0;
      g.max_rows = 2 * lanes + 1;
      t.push(t.gemm(g));
      t.run_and_compare("trit");
      if (t.err_code() != TERN_HWERR_TRIT) failf("trit: code %u", t.err_code());
      if (!t.top->irq_o) failf("no interrupt");
      t.recover("trit");
    }
    t.good_command("trit");
  });
  R.run("directed/ring", [&] {
    Tb t(o, test_mem_len());
    t.program_default(8);
    cpu_write_irq(t);
    t.cpu_write(TERN_REG(RING_SIZE), 6);  // not a power of two
    t.tail = 1;
    t.run_and_compare("ring");
    if (t.err_code() != TERN_HWERR_RING) failf("ring: code %u", t.err_code());
    t.cpu_write(TERN_REG(RING_SIZE), 8);
    t.recover("ring");
    t.good_command("ring");
  });
  struct Inj {
    const char *name;
    bool write;
    Resp resp;
    unsigned nth;
  };
  const std::vector<Inj> injs = {
      {"slverr-fetch", false, tern_axi::SLVERR, 1}, {"slverr-read", false, tern_axi::SLVERR, 2},
      {"decerr-read", false, tern_axi::DECERR, 3},  {"slverr-read-late", false, tern_axi::SLVERR, 4},
      {"slverr-write", true, tern_axi::SLVERR, 1},  {"decerr-write", true, tern_axi::DECERR, 2},
  };
  for (const Inj &in : injs) {
    R.run(std::string("directed/") + in.name, [&] {
      Tb t(o, test_mem_len());
      t.program_default(8);
      Tb::Gen g;
      g.max_rows = 4 * lanes;
      g.rows = int(4 * lanes);
      g.batch = TB_BATCH;
      g.nmat = 2;
      g.k = TB_MAX_K;
      if (!t.error_command(t.gemm(g), Tb::Inject{in.write, in.nth, in.resp}, in.name))
        failf("the command issued fewer than %u bursts", in.nth);
      t.good_command(in.name);
    });
  }
  R.run("directed/decerr-outside-memory", [&] {
    Tb t(o, test_mem_len());
    // window larger than the memory: the DMA reaches past it and gets DECERR
    t.program(8, MEM_BASE, t.img.size() + (1u << 20));
    cpu_write_irq(t);
    Tb::Gen g;
    g.nmat = 1;
    tern_cmd c = t.gemm(g);
    c.mat[0].w_addr = MEM_BASE + t.img.size() + 4096;
    t.push(c);
    t.doorbell();
    t.wait_idle("decerr-outside");
    t.model_run();
    t.sync_results(c);
    t.sync_counters();
    t.compare_memory("decerr-outside");
    t.compare_registers("decerr-outside");
    if (t.err_code() != TERN_HWERR_AXI_READ) failf("code %u", t.err_code());
    t.recover("decerr-outside");
    c = t.gemm(g);
    c.mat[0].res_addr = MEM_BASE + t.img.size() + 4096;
    t.push(c);
    t.doorbell();
    t.wait_idle("decerr-outside-w");
    t.model_run();
    t.sync_results(c);
    t.sync_counters();
    t.compare_memory("decerr-outside-w");
    t.compare_registers("decerr-outside-w");
    if (t.err_code() != TERN_HWERR_AXI_WRITE) failf("write code %u", t.err_code());
    t.recover("decerr-outside-w");
    t.good_command("decerr-outside");
  });
  R.run("directed/soft-reset", [&] {
    Tb t(o, test_mem_len());
    t.program_default(8);
    cpu_write_irq(t);
    for (uint64_t after : {1, 3, 10, 40, 100, 300, 1000}) {
      Tb::Gen g;
      g.rows = int(6 * lanes);
      g.k = TB_MAX_K;
      g.batch = TB_BATCH;
      t.soft_reset_command(t.gemm(g), after, "soft-reset");
      t.good_command("soft-reset");
    }
  });
}

void cpu_write_irq(Tb &t) { t.cpu_write(TERN_REG(IRQ_ENABLE), 7u); }

// A random stream: random ring size, memory timing, command mixes, IRQ
// handling, perf clears, and now and then an injected error or soft reset.
void random_stream(Tb &t, unsigned cmds) {
  Rng &r = t.rng;
  tern_axi::Config &mc = t.mem->config();
  mc.read_latency = unsigned(r.range(1, 40));
  mc.write_latency = unsigned(r.range(1, 20));
  mc.bytes_per_cycle = r.below(3) == 0 ? double(r.range(1, BUS)) : 0.0;
  double p = r.below(2) ? 0.0 : 0.3;
  mc.p_ar = mc.p_r = mc.p_aw = mc.p_w = mc.p_b = p * (r.below(100) / 100.0);
  uint32_t entries = 2u << r.below(4);
  t.program_default(entries);
  t.cpu_write(TERN_REG(IRQ_ENABLE), uint32_t(r.below(8)));
  if (r.chance(0.3)) t.cpu_write(TERN_REG(CTRL), 1u | 8u);
  for (unsigned n = 0; n < cmds; n++) {
    char what[64];
    std::snprintf(what, sizeof what, "cmd %u", n);
    unsigned kind = unsigned(r.below(20));
    if (kind == 0) {  // injected AXI error
      Tb::Gen g;
      t.error_command(t.gemm(g), Tb::Inject{r.chance(0.5), r.range(1, 4),
                                             r.chance(0.5) ? tern_axi::SLVERR : tern_axi::DECERR},
                      what);
      t.cpu_write(TERN_REG(IRQ_ENABLE), uint32_t(r.below(8)));
      continue;
    }
    if (kind == 1) {  // soft reset in flight
      Tb::Gen g;
      t.soft_reset_command(t.gemm(g), r.range(1, 400), what);
      continue;
    }
    unsigned batch = unsigned(r.range(1, std::min<uint32_t>(4, entries - 1)));
    bool bad = false;
    for (unsigned i = 0; i < batch; i++) {
      unsigned c = unsigned(r.below(16));
      tern_cmd cmd;
      if (c == 0) cmd = t.simple(TERN_OP_NOP);
      else if (c == 1) cmd = t.simple(TERN_OP_FENCE);
      else {
        Tb::Gen g;
        g.p_bad_trit = 0.03;
        cmd = t.gemm(g);
        if (r.chance(0.02)) {  // a random bad field
          bad = true;
          switch (r.below(4)) {
          case 0: cmd.k = 0; break;
          case 1: cmd.act_addr += 4; break;
          case 2: cmd.opcode = uint8_t(r.range(3, 255)); break;
          default: cmd.mat[0].w_bytes ^= 1u << r.below(12); break;
          }
        }
      }
      if (r.chance(0.5)) cmd.flags |= TERN_CMD_FLAG_IRQ;
      t.push(cmd);
    }
    t.run_and_compare(what);
    if (t.sys.stopped) t.recover(what);
    (void)bad;
    if (r.chance(0.2)) t.cpu_write(TERN_REG(IRQ_STATUS), uint32_t(r.below(8)));
    if (r.chance(0.1)) t.cpu_write(TERN_REG(CTRL), 1u | 8u);
  }
}

// ---- bench ------------------------------------------------------------------------------

void bench(const Options &o) {
  const unsigned rows = o.bench_rows, k = o.bench_k;
  std::printf("bench-top: BusBytes %u (W = %u B/cycle), engine %ux%u bytes (%u B/cycle), "
              "%ux%u GEMV\n",
              BUS, BUS, TB_LANES, TB_WORD_BYTES, TB_LANES * TB_WORD_BYTES, rows, k);
  for (int fmt = 0; fmt < 2; fmt++) {
    if (!(TB_FMTS >> fmt & 1)) continue;
    Options oo = o;
    size_t need = 0;
    {
      tern_engine_params e{TB_LANES, TB_WORD_BYTES, TB_BATCH, TB_MAX_K, 32,
                           TB_WORD_BYTES, TB_LANES * TB_WORD_BYTES, TB_TILE_ROWS};
      need = tern_engine_wstream_bytes(&e, tern_fmt(fmt), rows, k);
    }
    Tb t(oo, round_up(need + (1u << 20), 4096));
    tern_axi::Config &mc = t.mem->config();
    mc.read_latency = 64;
    mc.write_latency = 16;
    mc.bytes_per_cycle = BUS;
    mc.max_reads = 64;
    t.program_default(4);
    Tb::Gen g;
    g.fmt = fmt;
    g.k = int(k);
    g.rows = int(rows);
    g.batch = 1;
    g.nmat = 1;
    g.p_zero = 0.33;
    tern_cmd c = t.gemm(g);
    t.cpu_write(TERN_REG(CTRL), 1u | 8u);
    t.push(c);
    uint64_t c0 = t.cyc;
    t.doorbell();
    t.wait_idle("bench");
    uint64_t wall = t.cyc - c0;
    t.model_run();
    t.compare_memory("bench");
    t.compare_registers("bench");
    if (t.err_code()) failf("bench command failed: %u", t.err_code());
    t.cpu_write(TERN_REG(CTRL), 1u | 4u);
    uint64_t busy = t.rtl_counter(0), sw = t.rtl_counter(1), sa = t.rtl_counter(2),
             sr = t.rtl_counter(3), wbytes = t.rtl_counter(6), rd = t.rtl_counter(4);
    double bpc = double(wbytes) / double(busy);
    std::printf("  %s: %u weight bytes; cycles/command %" PRIu64 " (PERF_BUSY_CYCLES; ideal "
                "w_bytes/W %" PRIu64 "; doorbell to idle %" PRIu64 "); %.2f weight B/cycle = "
                "%.1f%% of W; engine stalls: weights %" PRIu64 ", activations %" PRIu64
                ", results %" PRIu64 "; bytes read %" PRIu64 "\n",
                fmt ? "B3" : "I2", c.mat[0].w_bytes, busy, uint64_t(c.mat[0].w_bytes / BUS), wall,
                bpc, 100.0 * bpc / BUS, sw, sa, sr, rd);
    if (100.0 * bpc / BUS < o.bench_min_pct)
      failf("%s: %.1f%% of W is below the %.1f%% target", fmt ? "B3" : "I2", 100.0 * bpc / BUS,
            o.bench_min_pct);
  }
}

}  // namespace

int main(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seed") o.seed = std::strtoull(next(), nullptr, 0);
    else if (a == "--streams") o.streams = unsigned(std::strtoul(next(), nullptr, 0));
    else if (a == "--cmds") o.cmds = unsigned(std::strtoul(next(), nullptr, 0));
    else if (a == "--test") o.test = next();
    else if (a == "--bench") o.bench = true;
    else if (a == "--bench-rows") o.bench_rows = unsigned(std::strtoul(next(), nullptr, 0));
    else if (a == "--timeout") o.timeout = std::strtoull(next(), nullptr, 0);
    else if (a == "--fst") o.fst = next();
    else if (a == "-v") o.verbose = true;
    else if (a[0] == '+') continue;  // plusargs
    else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (o.bench) {
    try {
      bench(o);
    } catch (const Fail &f) {
      std::printf("FAIL bench: %s\n", f.msg.c_str());
      return 1;
    }
    return 0;
  }
  Runner R;
  R.verbose = o.verbose;
  std::printf("tb_top: seed %" PRIu64 ", bus %u bytes, engine %ux%u batch %u max_k %u\n", o.seed,
              BUS, TB_LANES, TB_WORD_BYTES, TB_BATCH, TB_MAX_K);
  if (o.test == "all" || o.test == "directed") directed(o, R);
  if (o.test == "all" || o.test == "random") {
    for (unsigned s = 0; s < o.streams; s++) {
      Options so = o;
      so.seed = o.seed * 1000003u + s;
      R.run("random/stream " + std::to_string(s) + " seed " + std::to_string(so.seed), [&] {
        Tb t(so, test_mem_len());
        random_stream(t, o.cmds);
      });
    }
  }
  std::printf("exercised: %" PRIu64 " commands (%" PRIu64 " GEMM, %" PRIu64
              " matrices), %" PRIu64 " cycles; injected AXI errors %" PRIu64 " hit / %" PRIu64
              " not reached; soft resets %" PRIu64 " mid-command / %" PRIu64
              " after completion; stops by code:",
              g_stats.cmds, g_stats.gemms, g_stats.mats, g_stats.cycles, g_stats.inj_hit,
              g_stats.inj_miss, g_stats.sr_abort, g_stats.sr_done);
  for (int i = 1; i < 16; i++)
    if (g_stats.errors[i]) std::printf(" %s %" PRIu64, tern_hwerr_name(i), g_stats.errors[i]);
  std::printf("\n%u passed, %u failed\n", R.pass, R.fail);
  return R.fail ? 1 : 0;
}

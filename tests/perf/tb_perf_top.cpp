// Cycle-count harness for the performance-model calibration (tests/perf/).
//
// Runs single GEMM commands through the Verilated tern_top on the AXI memory
// model with a given read latency and bandwidth and prints the hardware's own
// performance counters, one line per job. It checks nothing about results
// (tb_top does that against tern_sys); it only measures.
//
// stdin, one job a line (# comments):
//   name fmt rows k batch nmat rd_lat bw wr_lat [rows2]   (matrices 1, 3 get rows2 rows)
//   fmt 0 = I2, 1 = B3; bw in bytes/cycle (0 = one bus beat a cycle)
// stdout, one line a job:
//   name busy stall_w stall_a stall_r bytes_read bytes_written weight_bytes adds zero err
// --params prints the build's parameters (calib.c checks them against the
// configuration it models).
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "Vtern_top.h"
#include "axi_mem.h"
#include "tern_engine.h"
#include "tern_sys.h"
#include "verilated.h"

namespace {

#ifndef TB_PIPE
#define TB_PIPE 0
#endif
#ifndef TB_RD_OUTSTANDING
#define TB_RD_OUTSTANDING 8 // tern_top's default
#endif

constexpr unsigned BUS = TB_BUS_BYTES;
constexpr uint64_t BASE = 0x40000000ull;

uint64_t up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct Job {
  std::string name;
  unsigned fmt, rows, k, batch, nmat, lat, wlat, rows2;
  double bw;
};

class Run {
public:
  VerilatedContext ctx;
  Vtern_top *top;
  tern_axi::Port port;
  tern_axi::Mem *mem;
  uint64_t s = 12345;

  Run(const Job &j) {
    top = new Vtern_top(&ctx);
    TERN_AXI_BIND_READ(port, top, m_axi_);
    TERN_AXI_BIND_WRITE(port, top, m_axi_);
    tern_axi::Config c;
    c.data_bytes = BUS;
    c.read_latency = j.lat ? j.lat : 1;
    c.write_latency = j.wlat ? j.wlat : 1;
    c.bytes_per_cycle = j.bw;
    c.max_reads = 64;
    c.max_writes = 64;
    mem = new tern_axi::Mem(port, c);
    top->rst_ni = 0;
    top->s_axil_awvalid_i = top->s_axil_wvalid_i = top->s_axil_arvalid_i = 0;
    top->s_axil_bready_i = top->s_axil_rready_i = 0;
    for (int i = 0; i < 4; i++) {
      top->clk_i = 0;
      top->eval();
      top->clk_i = 1;
      top->eval();
    }
    top->rst_ni = 1;
    tick();
  }
  ~Run() {
    delete mem;
    delete top;
  }
  uint64_t rnd() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  void tick() {
    top->clk_i = 0;
    top->eval();
    mem->sample();
    top->clk_i = 1;
    top->eval();
    mem->drive();
    if (!mem->ok()) {
      std::fprintf(stderr, "AXI protocol error: %s\n", mem->errors().front().c_str());
      std::exit(1);
    }
  }
  void wr(uint32_t off, uint32_t v) {
    top->s_axil_awvalid_i = 1;
    top->s_axil_awaddr_i = off;
    top->s_axil_wvalid_i = 1;
    top->s_axil_wdata_i = v;
    top->s_axil_wstrb_i = 0xf;
    top->s_axil_bready_i = 1;
    bool aw = false, w = false;
    for (int n = 0; n < 1000; n++) {
      top->clk_i = 0;
      top->eval();
      bool awf = top->s_axil_awvalid_i && top->s_axil_awready_o;
      bool wf = top->s_axil_wvalid_i && top->s_axil_wready_o;
      bool bf = top->s_axil_bvalid_o;
      tick();
      if (awf) aw = true, top->s_axil_awvalid_i = 0;
      if (wf) w = true, top->s_axil_wvalid_i = 0;
      if (bf && aw && w) break;
    }
    top->s_axil_bready_i = 0;
  }
  uint32_t rd(uint32_t off) {
    top->s_axil_arvalid_i = 1;
    top->s_axil_araddr_i = off;
    top->s_axil_rready_i = 1;
    bool ar = false;
    uint32_t v = 0;
    for (int n = 0; n < 1000; n++) {
      top->clk_i = 0;
      top->eval();
      bool arf = top->s_axil_arvalid_i && top->s_axil_arready_o;
      bool rf = top->s_axil_rvalid_o;
      v = top->s_axil_rdata_o;
      tick();
      if (arf) ar = true, top->s_axil_arvalid_i = 0;
      if (rf && ar) break;
    }
    top->s_axil_rready_i = 0;
    return v;
  }
  uint64_t counter(unsigned i) {
    uint64_t lo = rd(0x100 + 8 * i), hi = rd(0x104 + 8 * i);
    return (hi << 32) | lo;
  }
};

bool run_job(const Job &j) {
  tern_engine_params e{
      TB_LANES,    TB_WORD_BYTES, TB_BATCH, TB_MAX_K, 32, TB_WORD_BYTES, TB_LANES * TB_WORD_BYTES,
      TB_TILE_ROWS};
  tern_fmt fmt = j.fmt ? TERN_FMT_B3 : TERN_FMT_I2;
  if (!tern_engine_wstream_bytes(&e, fmt, j.rows, j.k) ||
      !tern_engine_wstream_bytes(&e, fmt, j.rows2, j.k) || j.nmat < 1 || j.nmat > 4 ||
      j.batch < 1 || j.batch > TB_BATCH)
    return false;
  Run r(j);
  // layout: ring (2 entries) | inputs | per matrix: weights, results
  uint64_t a = BASE + 4096;
  uint32_t act_stride = uint32_t(up(j.k, BUS));
  tern_cmd c{};
  c.opcode = TERN_OP_GEMM;
  c.fmt = uint8_t(j.fmt);
  c.nmat = uint8_t(j.nmat);
  c.batch = uint16_t(j.batch);
  c.k = j.k;
  c.act_stride = act_stride;
  c.act_addr = a;
  std::vector<uint8_t> buf(size_t(act_stride) * j.batch);
  for (auto &b : buf) b = uint8_t(r.rnd());
  r.mem->write(a, buf.data(), buf.size());
  a = up(a + buf.size(), 4096);
  c.res_stride = uint32_t(up(4ull * std::max(j.rows, j.rows2), BUS));
  for (unsigned m = 0; m < j.nmat; m++) {
    unsigned rows = (m % 2) ? j.rows2 : j.rows;
    size_t wb = tern_engine_wstream_bytes(&e, fmt, rows, j.k);
    // random valid codes: I2 fields 0..2, B3 bytes 0..242
    buf.assign(wb, 0);
    for (auto &b : buf) {
      if (j.fmt)
        b = uint8_t(r.rnd() % 243);
      else
        for (int t = 0; t < 4; t++) b = uint8_t(b | (r.rnd() % 3) << (2 * t));
    }
    c.mat[m].w_addr = a;
    c.mat[m].w_bytes = uint32_t(wb);
    c.mat[m].rows = rows;
    r.mem->write(a, buf.data(), buf.size());
    a = up(a + wb, 4096);
    c.mat[m].res_addr = a;
    a = up(a + uint64_t(c.res_stride) * j.batch, 4096);
  }
  uint8_t raw[TERN_CMD_BYTES];
  tern_cmd_encode(&c, raw);
  r.mem->write(BASE, raw, sizeof raw);
  r.wr(TERN_REG(WIN_BASE_LO), uint32_t(BASE));
  r.wr(TERN_REG(WIN_BASE_HI), uint32_t(BASE >> 32));
  r.wr(TERN_REG(WIN_SIZE_LO), uint32_t(a - BASE));
  r.wr(TERN_REG(WIN_SIZE_HI), 0);
  r.wr(TERN_REG(RING_BASE_LO), uint32_t(BASE));
  r.wr(TERN_REG(RING_BASE_HI), uint32_t(BASE >> 32));
  r.wr(TERN_REG(RING_SIZE), 2);
  r.wr(TERN_REG(RING_TAIL), 0);
  r.wr(TERN_REG(CTRL), 1u | 2u | 8u);
  r.wr(TERN_REG(RING_TAIL), 1);
  for (uint64_t n = 0;; n++) {
    for (int i = 0; i < 64; i++) r.tick();
    uint32_t st = r.rd(TERN_REG(STATUS));
    if (!(st & 1u) && (st & 6u)) break;
    if (n > 2000000) {
      std::fprintf(stderr, "%s: timeout\n", j.name.c_str());
      return false;
    }
  }
  r.wr(TERN_REG(CTRL), 1u | 4u);
  uint64_t v[9];
  for (unsigned i = 0; i < 9; i++) v[i] = r.counter(i);
  std::printf("%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
              " %" PRIu64 " %" PRIu64 " %u\n",
              j.name.c_str(), v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
              r.rd(TERN_REG(ERR_CODE)));
  std::fflush(stdout);
  return true;
}

} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--params") == 0) {
    std::printf("lanes %u word_bytes %u batch %u max_k %u tile_rows %u pipe %u bus %u "
                "rd_outstanding %u\n",
                TB_LANES, TB_WORD_BYTES, TB_BATCH, TB_MAX_K, TB_TILE_ROWS, TB_PIPE, BUS,
                TB_RD_OUTSTANDING);
    return 0;
  }
  char line[512];
  int bad = 0;
  while (std::fgets(line, sizeof line, stdin)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char name[128];
    Job j{};
    int nf = std::sscanf(line, "%127s %u %u %u %u %u %u %lf %u %u", name, &j.fmt, &j.rows, &j.k,
                         &j.batch, &j.nmat, &j.lat, &j.bw, &j.wlat, &j.rows2);
    if (nf == 9) j.rows2 = j.rows;
    if (nf < 9) {
      std::fprintf(stderr, "bad job line: %s", line);
      return 2;
    }
    j.name = name;
    if (!run_job(j)) {
      std::printf("%s FAIL\n", name);
      bad = 1;
    }
  }
  return bad;
}

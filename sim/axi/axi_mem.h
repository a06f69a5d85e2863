// AXI4 slave memory model for Verilator co-simulation (C++17).
//
// Binds to any DUT's AXI4 master port through a struct of pointers to the
// Verilated port variables (TERN_AXI_BIND_* below), so the DMA harness and a
// later full-system harness share it. Per clock:
//
//   top->clk_i = 0; top->eval();   // DUT outputs settle
//   mem.sample();                  // sees this edge's handshakes, advances
//   top->clk_i = 1; top->eval();   // DUT flops see the same values
//   mem.drive();                   // slave outputs for the next cycle
//
// Knobs: read/write latency, bandwidth (token bucket in bytes/cycle), max
// outstanding transactions, seeded random stalls on every channel, error
// injection (address ranges or the Nth transaction). Protocol violations by
// the master are reported loudly (stderr) and make ok() false.
#ifndef TERN_AXI_MEM_H
#define TERN_AXI_MEM_H

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace tern_axi {

// One Verilated port variable: its storage and the storage size in bytes
// (CData/SData/IData/QData or VlWide<N>, all little-endian on the host).
struct Sig {
  void *p = nullptr;
  size_t bytes = 0;
  bool bound() const { return p != nullptr; }
};

#define TERN_AXI_SIG(top, name) ::tern_axi::Sig{(void *)&(top)->name, sizeof((top)->name)}

// The AXI4 signals of one master port, as seen from the slave. A port may
// have only its read or only its write channels bound.
struct Port {
  Sig arid, araddr, arlen, arsize, arburst, arvalid, arready;
  Sig rid, rdata, rresp, rlast, rvalid, rready;
  Sig awid, awaddr, awlen, awsize, awburst, awvalid, awready;
  Sig wdata, wstrb, wlast, wvalid, wready;
  Sig bid, bresp, bvalid, bready;
};

// Bind lowRISC-style master ports named <pfx>arvalid_o, <pfx>arready_i, ...
#define TERN_AXI_BIND_READ(port, top, pfx)                                                        \
  do {                                                                                            \
    (port).arid = TERN_AXI_SIG(top, pfx##arid_o);                                                 \
    (port).araddr = TERN_AXI_SIG(top, pfx##araddr_o);                                             \
    (port).arlen = TERN_AXI_SIG(top, pfx##arlen_o);                                               \
    (port).arsize = TERN_AXI_SIG(top, pfx##arsize_o);                                             \
    (port).arburst = TERN_AXI_SIG(top, pfx##arburst_o);                                           \
    (port).arvalid = TERN_AXI_SIG(top, pfx##arvalid_o);                                           \
    (port).arready = TERN_AXI_SIG(top, pfx##arready_i);                                           \
    (port).rid = TERN_AXI_SIG(top, pfx##rid_i);                                                   \
    (port).rdata = TERN_AXI_SIG(top, pfx##rdata_i);                                               \
    (port).rresp = TERN_AXI_SIG(top, pfx##rresp_i);                                               \
    (port).rlast = TERN_AXI_SIG(top, pfx##rlast_i);                                               \
    (port).rvalid = TERN_AXI_SIG(top, pfx##rvalid_i);                                             \
    (port).rready = TERN_AXI_SIG(top, pfx##rready_o);                                             \
  } while (0)

#define TERN_AXI_BIND_WRITE(port, top, pfx)                                                       \
  do {                                                                                            \
    (port).awid = TERN_AXI_SIG(top, pfx##awid_o);                                                 \
    (port).awaddr = TERN_AXI_SIG(top, pfx##awaddr_o);                                             \
    (port).awlen = TERN_AXI_SIG(top, pfx##awlen_o);                                               \
    (port).awsize = TERN_AXI_SIG(top, pfx##awsize_o);                                             \
    (port).awburst = TERN_AXI_SIG(top, pfx##awburst_o);                                           \
    (port).awvalid = TERN_AXI_SIG(top, pfx##awvalid_o);                                           \
    (port).awready = TERN_AXI_SIG(top, pfx##awready_i);                                           \
    (port).wdata = TERN_AXI_SIG(top, pfx##wdata_o);                                               \
    (port).wstrb = TERN_AXI_SIG(top, pfx##wstrb_o);                                               \
    (port).wlast = TERN_AXI_SIG(top, pfx##wlast_o);                                               \
    (port).wvalid = TERN_AXI_SIG(top, pfx##wvalid_o);                                             \
    (port).wready = TERN_AXI_SIG(top, pfx##wready_i);                                             \
    (port).bid = TERN_AXI_SIG(top, pfx##bid_i);                                                   \
    (port).bresp = TERN_AXI_SIG(top, pfx##bresp_i);                                               \
    (port).bvalid = TERN_AXI_SIG(top, pfx##bvalid_i);                                             \
    (port).bready = TERN_AXI_SIG(top, pfx##bready_o);                                             \
  } while (0)

enum Resp : uint8_t { OKAY = 0, EXOKAY = 1, SLVERR = 2, DECERR = 3 };

struct Config {
  unsigned data_bytes = 16;      // bus width in bytes (8..128)
  unsigned read_latency = 20;    // edges from AR handshake to the first R handshake (>= 1)
  unsigned write_latency = 2;    // edges from the WLAST handshake to the B handshake (>= 1)
  double bytes_per_cycle = 0;    // memory bandwidth; 0 = one beat per cycle per channel
  bool shared_bandwidth = false; // R and W draw from one token bucket
  unsigned max_reads = 16;       // outstanding AR transactions accepted
  unsigned max_writes = 16;      // outstanding AW transactions accepted
  unsigned max_burst_beats = 256;
  bool require_full_size = true; // AxSIZE must equal the bus width
  // Probability per cycle that a ready (AR/AW/W) is withheld or a valid
  // (R/B) is not presented although the model could.
  double p_ar = 0, p_r = 0, p_aw = 0, p_w = 0, p_b = 0;
  uint64_t seed = 1;
  bool abort_on_error = false;   // abort() at the first protocol error
};

// One accepted address-channel transaction, kept in log() for harnesses.
struct Txn {
  bool write;
  uint32_t id;
  uint64_t addr;
  unsigned beats;
  uint64_t cycle;  // edge of the handshake
};

struct Stats {
  uint64_t r_beats = 0, w_beats = 0, ar = 0, aw = 0;
  uint64_t first_r = 0, last_r = 0, first_w = 0, last_w = 0;  // edges of beat handshakes
};

class Mem {
public:
  Mem(const Port &port, const Config &cfg);

  void sample();  // before the rising edge, with the DUT's outputs settled
  void drive();   // after the rising edge: write the slave outputs

  // Backdoor access (no timing, no errors).
  void write(uint64_t addr, const void *src, size_t n);
  void read(uint64_t addr, void *dst, size_t n) const;
  uint8_t byte(uint64_t addr) const;
  std::vector<uint64_t> pages() const;  // 4 KiB page numbers ever written
  // Bytes never written read as fill(addr): a fixed hash, so stray reads
  // are deterministic and stray writes are visible.
  static uint8_t fill(uint64_t addr);

  // Error injection. Read beats in [lo, hi) answer resp with zero data;
  // write beats there are not stored and their burst's B carries resp (the
  // resp of its first failing beat).
  void add_error_range(uint64_t lo, uint64_t hi, Resp resp, bool reads, bool writes);
  // The nth (1-based) AR or AW accepted fails as a whole with resp.
  void fail_nth_read(uint64_t n, Resp resp) { nth_r_ = n, nth_r_resp_ = resp; }
  void fail_nth_write(uint64_t n, Resp resp) { nth_w_ = n, nth_w_resp_ = resp; }

  bool ok() const { return errors_.empty(); }
  const std::vector<std::string> &errors() const { return errors_; }
  bool idle() const;  // nothing accepted and unanswered
  uint64_t cycle() const { return cycle_; }
  const Stats &stats() const { return stats_; }
  std::vector<Txn> &log() { return log_; }
  Config &config() { return cfg_; }

private:
  struct Rd {
    uint32_t id;
    uint64_t addr;
    unsigned beats, done;
    uint64_t ready_at;
    bool fail;
    Resp fail_resp;
  };
  struct Wr {
    uint32_t id;
    uint64_t addr;
    unsigned beats, done;
    bool fail;
    Resp resp;
  };
  struct B {
    uint32_t id;
    Resp resp;
    uint64_t ready_at;
  };
  struct Chan {  // what the master drove at the previous edge
    bool valid = false, fire = false;
    std::vector<uint8_t> payload;
  };

  void fail(const std::string &msg);
  bool chance(double p);
  bool check_addr(const char *ch, uint64_t addr, unsigned len, unsigned size, unsigned burst);
  void check_stable(const char *ch, Chan &c, bool valid, bool fire,
                    std::initializer_list<const Sig *> sigs);
  Resp range_resp(uint64_t addr, bool write) const;
  uint8_t *page(uint64_t addr);
  const uint8_t *page_c(uint64_t addr) const;

  Port p_;
  Config cfg_;
  uint64_t rng_;
  uint64_t cycle_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> pages_;
  struct Range {
    uint64_t lo, hi;
    Resp resp;
    bool reads, writes;
  };
  std::vector<Range> ranges_;
  uint64_t nth_r_ = 0, nth_w_ = 0;
  Resp nth_r_resp_ = SLVERR, nth_w_resp_ = SLVERR;
  std::deque<Rd> rd_;
  std::deque<Wr> wr_;  // AW accepted, W beats pending
  std::deque<B> b_;    // W complete, B pending
  unsigned writes_open_ = 0;
  double tok_r_, tok_w_;
  // slave outputs
  bool arready_ = false, rvalid_ = false, rlast_ = false, awready_ = false, wready_ = false,
       bvalid_ = false;
  uint32_t rid_ = 0, bid_ = 0;
  Resp rresp_ = OKAY, bresp_ = OKAY;
  std::vector<uint8_t> rdata_;
  Chan ar_, aw_, w_;
  std::vector<std::string> errors_;
  std::vector<Txn> log_;
  Stats stats_;
};

}  // namespace tern_axi

#endif

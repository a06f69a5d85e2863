// Pin-level bridges between the Verilated tern_top and TLM-2.0.
//
// AxilTarget: a TLM target socket for 32-bit register accesses. Its
// b_transport (called from the CPU thread) drives the AXI4-Lite pins and
// waits on clock edges until the handshakes complete, so each access costs
// the real cycles of the register block. Blocking: it returns delay 0.
//
// AxiSlave: the AXI4 slave the accelerator's master port sees. A method on
// every rising edge samples the handshakes with the values settled before
// the edge (SystemC delta semantics), and drives the slave outputs after it.
// A read burst becomes one TLM READ at its AR handshake, a write burst one
// TLM WRITE (byte enables from WSTRB) when its last W beat is in; the DDR
// answers with an annotated delay (LT), which schedules when the R beats
// may appear (the last one at "now + delay", one beat a cycle before it) or
// when BVALID rises. Backpressure is real: ARREADY/AWREADY fall when
// max_reads/max_writes bursts are open, WREADY when the write buffer is
// full, RVALID/BVALID wait for the data; optional random stalls on every
// channel. Protocol errors (unstable payload, wrong size/burst, 4 KiB
// crossing, WLAST misplaced) are counted and reported.
#ifndef TERN_VP_AXI_H
#define TERN_VP_AXI_H

#include <deque>
#include <string>
#include <vector>

#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "vp_pins.h"

namespace tern_vp {

class AxilTarget : public sc_core::sc_module {
public:
  tlm_utils::simple_target_socket<AxilTarget> socket;
  AxilTarget(sc_core::sc_module_name name, Pins &pins, sc_core::sc_clock &clk);
  uint64_t accesses = 0, cycles = 0;

private:
  void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
  void edge() { sc_core::wait(clk_.posedge_event()); cycles++; }
  Pins &p_;
  sc_core::sc_clock &clk_;
};

struct AxiSlaveConfig {
  unsigned bus_bytes = 16;
  unsigned max_reads = 16;   // open read bursts (AR accepted, last R not yet)
  unsigned max_writes = 16;  // open write bursts (AW accepted, B not yet)
  unsigned w_buffer = 64;    // W beats buffered ahead of their TLM write
  double p_stall = 0;        // per channel and cycle: withhold ready / valid
  uint64_t seed = 1;
};

struct AxiSlaveStats {
  uint64_t ar = 0, aw = 0, r_beats = 0, w_beats = 0, rd_bytes = 0, wr_bytes = 0;
  uint64_t r_backpressure = 0;  // cycles RVALID high and RREADY low
  uint64_t ar_blocked = 0;      // cycles ARVALID high and ARREADY low
  uint64_t w_blocked = 0;       // cycles WVALID high and WREADY low
  uint64_t resp_errors = 0;
};

class AxiSlave : public sc_core::sc_module {
public:
  tlm_utils::simple_initiator_socket<AxiSlave> socket;
  AxiSlave(sc_core::sc_module_name name, Pins &pins, sc_core::sc_clock &clk,
           const AxiSlaveConfig &cfg);
  SC_HAS_PROCESS(AxiSlave);

  const AxiSlaveStats &stats() const { return st_; }
  void clear_stats() { st_ = AxiSlaveStats{}; }
  const std::vector<std::string> &errors() const { return errors_; }
  bool idle() const { return rd_.empty() && aw_.empty() && wq_.empty() && b_.empty(); }
  AxiSlaveConfig &config() { return cfg_; }

private:
  struct Rd {
    uint32_t id;
    unsigned beats, sent = 0;
    sc_core::sc_time done;  // last beat available
    uint32_t resp;
    std::vector<uint8_t> data;
  };
  struct Aw {
    uint32_t id;
    uint64_t addr;
    unsigned beats;
  };
  struct WBeat {
    std::vector<uint8_t> data, strb;
    bool last;
  };
  struct B {
    uint32_t id, resp;
    sc_core::sc_time at;
  };
  void edge();
  void reset_outputs();
  bool stall();
  void fail(const std::string &m);
  bool check_burst(const char *ch, uint64_t addr, unsigned beats, unsigned size, unsigned burst);
  uint32_t transact(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, unsigned n,
                    uint8_t *be, sc_core::sc_time &at);

  Pins &p_;
  sc_core::sc_clock &clk_;
  AxiSlaveConfig cfg_;
  uint64_t rng_;
  std::deque<Rd> rd_;
  std::deque<Aw> aw_;
  std::deque<WBeat> wq_;
  std::deque<B> b_;
  unsigned writes_open_ = 0;
  // what we drove for the coming edge
  bool arready_ = false, rvalid_ = false, awready_ = false, wready_ = false, bvalid_ = false;
  // the master's payload at the previous edge, for the stability checks
  bool ar_pend_ = false, aw_pend_ = false, w_pend_ = false;
  uint64_t ar_addr_ = 0, aw_addr_ = 0;
  unsigned ar_len_ = 0, aw_len_ = 0;
  AxiSlaveStats st_;
  std::vector<std::string> errors_;
};

}  // namespace tern_vp

#endif

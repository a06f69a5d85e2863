// DDR memory model for the tern virtual platform: a loosely-timed TLM-2.0
// target (b_transport with timing annotation, never waits) plus DMI.
//
// One data bus shared by reads and writes. A transaction of n bytes that
// arrives at time t starts when the bus is free and takes
//   overhead + [row miss] + [read/write turnaround] + n / peak
// on the bus; the data is complete `latency` later (controller, PHY and
// interconnect pipeline). Rows: `row_bytes` per bank, `banks` banks
// interleaved above the row offset; a row miss costs `row_miss_ns` (tRP+tRCD).
// Refresh: every refresh_interval_ns the bus is blocked for refresh_ns,
// optionally at a random jitter (refresh-like stalls). The returned delay
// is "data complete" minus "now": the caller schedules the response then.
#ifndef TERN_VP_DDR_H
#define TERN_VP_DDR_H

#include <cstdint>
#include <string>
#include <vector>

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

namespace tern_vp {

struct DdrConfig {
  uint64_t base = 0x40000000ull;
  uint64_t size = 64ull << 20;
  double peak_bytes_per_s = 19.2e9;  // DDR4-2400 x64
  double latency_ns = 100;           // request to data complete on an idle device
  double burst_overhead_ns = 2;      // per transaction: command/controller gap
  uint32_t row_bytes = 8192;         // open-row size per bank (x64 rank of x16 parts)
  uint32_t banks = 16;
  double row_miss_ns = 27.5;         // precharge + activate
  double turnaround_ns = 7.5;        // read <-> write switch on the data bus
  double refresh_interval_ns = 7800; // tREFI; 0 = no refresh
  double refresh_ns = 350;           // tRFC
  double refresh_jitter = 0;         // 0..1: random shift of each refresh within its interval
  uint64_t seed = 1;
};

struct DdrStats {
  uint64_t rd_bytes = 0, wr_bytes = 0, rd_txns = 0, wr_txns = 0;
  uint64_t cpu_bytes = 0;  // of rd/wr bytes, those from the CPU socket
  uint64_t row_hits = 0, row_misses = 0, turnarounds = 0, refreshes = 0;
  sc_core::sc_time busy;                    // data bus occupied (transfers only)
  sc_core::sc_time stall_row, stall_turn, stall_refresh, stall_overhead;
  sc_core::sc_time first, last;             // first request, last data complete
};

class Ddr : public sc_core::sc_module {
public:
  tlm_utils::simple_target_socket<Ddr> socket;      // the accelerator's AXI port
  tlm_utils::simple_target_socket<Ddr> cpu_socket;  // the CPU (cache write-backs/fills)

  Ddr(sc_core::sc_module_name name, const DdrConfig &cfg);

  uint8_t *host() { return mem_.data(); }
  const DdrConfig &config() const { return cfg_; }
  const DdrStats &stats() const { return st_; }
  void clear_stats();
  // Bytes moved over the achieved window [first request, last data].
  double achieved_bytes_per_s() const;
  std::string report() const;

private:
  void b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay);
  void cpu_b_transport(tlm::tlm_generic_payload &gp, sc_core::sc_time &delay) {
    st_.cpu_bytes += gp.get_data_length();
    b_transport(gp, delay);
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload &gp, tlm::tlm_dmi &dmi);
  unsigned int transport_dbg(tlm::tlm_generic_payload &gp);
  bool access(tlm::tlm_generic_payload &gp);  // functional part; false on error
  sc_core::sc_time next_refresh(uint64_t k) const;

  DdrConfig cfg_;
  std::vector<uint8_t> mem_;
  std::vector<int64_t> open_row_;
  std::vector<sc_core::sc_time> bank_free_;  // bank's last transfer end
  sc_core::sc_time bus_free_;   // data bus free from
  sc_core::sc_time ref_next_;   // start of the next refresh
  uint64_t ref_k_ = 0;
  uint64_t rng_;
  int last_dir_ = -1;
  sc_core::sc_time t_byte_, t_latency_, t_overhead_, t_miss_, t_turn_, t_refresh_;
  DdrStats st_;
};

}  // namespace tern_vp

#endif

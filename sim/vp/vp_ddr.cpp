#include "vp_ddr.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

using sc_core::SC_NS;
using sc_core::sc_time;

namespace tern_vp {

namespace {
uint64_t mix(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace

Ddr::Ddr(sc_core::sc_module_name name, const DdrConfig &cfg)
    : sc_module(name), socket("socket"), cpu_socket("cpu_socket"), cfg_(cfg), mem_(cfg.size, 0),
      open_row_(std::max(1u, cfg.banks), -1), rng_(mix(cfg.seed)) {
  socket.register_b_transport(this, &Ddr::b_transport);
  socket.register_get_direct_mem_ptr(this, &Ddr::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Ddr::transport_dbg);
  cpu_socket.register_b_transport(this, &Ddr::cpu_b_transport);
  cpu_socket.register_get_direct_mem_ptr(this, &Ddr::get_direct_mem_ptr);
  cpu_socket.register_transport_dbg(this, &Ddr::transport_dbg);
  t_byte_ = sc_time(1e9 / cfg_.peak_bytes_per_s, SC_NS);
  t_latency_ = sc_time(cfg_.latency_ns, SC_NS);
  t_overhead_ = sc_time(cfg_.burst_overhead_ns, SC_NS);
  t_miss_ = sc_time(cfg_.row_miss_ns, SC_NS);
  t_turn_ = sc_time(cfg_.turnaround_ns, SC_NS);
  t_refresh_ = sc_time(cfg_.refresh_ns, SC_NS);
  bank_free_.assign(open_row_.size(), sc_core::SC_ZERO_TIME);
  ref_next_ = next_refresh(0);
}

// Start of the k-th refresh: nominally (k+1) intervals in, shifted by a
// fixed pseudo-random fraction of the interval when jitter is on.
sc_time Ddr::next_refresh(uint64_t k) const {
  if (cfg_.refresh_interval_ns <= 0) return sc_core::sc_max_time();
  double at = double(k + 1) * cfg_.refresh_interval_ns;
  if (cfg_.refresh_jitter > 0)
    at += cfg_.refresh_jitter * cfg_.refresh_interval_ns *
          double(mix(rng_ ^ k) >> 11) * 0x1.0p-53 - 0.5 * cfg_.refresh_jitter *
          cfg_.refresh_interval_ns;
  return sc_time(at, SC_NS);
}

void Ddr::clear_stats() { st_ = DdrStats{}; }

double Ddr::achieved_bytes_per_s() const {
  double s = (st_.last - st_.first).to_seconds();
  return s > 0 ? double(st_.rd_bytes + st_.wr_bytes) / s : 0.0;
}

std::string Ddr::report() const {
  char b[512];
  double win = (st_.last - st_.first).to_seconds();
  std::snprintf(b, sizeof b,
                "ddr: read %llu B in %llu txns, written %llu B in %llu txns; window %.3f us, "
                "achieved %.2f GB/s (peak %.2f); bus busy %.1f%%; row hits %llu misses %llu; "
                "turnarounds %llu; refreshes %llu; stalls: row %.2f us, turnaround %.2f us, "
                "refresh %.2f us, overhead %.2f us",
                (unsigned long long)st_.rd_bytes, (unsigned long long)st_.rd_txns,
                (unsigned long long)st_.wr_bytes, (unsigned long long)st_.wr_txns, win * 1e6,
                achieved_bytes_per_s() / 1e9, cfg_.peak_bytes_per_s / 1e9,
                win > 0 ? 100.0 * st_.busy.to_seconds() / win : 0.0,
                (unsigned long long)st_.row_hits, (unsigned long long)st_.row_misses,
                (unsigned long long)st_.turnarounds, (unsigned long long)st_.refreshes,
                st_.stall_row.to_seconds() * 1e6, st_.stall_turn.to_seconds() * 1e6,
                st_.stall_refresh.to_seconds() * 1e6, st_.stall_overhead.to_seconds() * 1e6);
  return b;
}

bool Ddr::access(tlm::tlm_generic_payload &gp) {
  uint64_t a = gp.get_address();
  unsigned n = gp.get_data_length();
  if (a < cfg_.base || a - cfg_.base > cfg_.size || n > cfg_.size - (a - cfg_.base)) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_streaming_width() < n) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  uint8_t *m = &mem_[a - cfg_.base];
  const uint8_t *be = gp.get_byte_enable_ptr();
  unsigned bel = gp.get_byte_enable_length();
  if (gp.is_read()) {
    if (be) {
      for (unsigned i = 0; i < n; i++)
        if (be[i % bel]) gp.get_data_ptr()[i] = m[i];
    } else {
      std::memmove(gp.get_data_ptr(), m, n);
    }
  } else if (gp.is_write()) {
    if (be) {
      for (unsigned i = 0; i < n; i++)
        if (be[i % bel]) m[i] = gp.get_data_ptr()[i];
    } else {
      std::memmove(m, gp.get_data_ptr(), n);  // the CPU may write a DMI buffer onto itself
    }
  } else {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return true;
}

void Ddr::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay) {
  const sc_time now = sc_core::sc_time_stamp() + delay;
  if (!access(gp)) {
    delay += t_latency_;
    return;
  }
  const bool wr = gp.is_write();
  const uint64_t a = gp.get_address() - cfg_.base;
  const unsigned n = gp.get_data_length();
  if (st_.rd_txns + st_.wr_txns == 0 || now < st_.first) st_.first = now;

  // Rows the transaction touches: activations may start as soon as the
  // request is here and the bank is done with its previous access, so they
  // overlap other banks' transfers (bank interleaving) unless the bus is idle.
  sc_time start = std::max(now, bus_free_);
  sc_time ready = start;
  const uint64_t rb = std::max(1u, cfg_.row_bytes);
  for (uint64_t at = a; at < a + n; at = (at / rb + 1) * rb) {
    uint64_t bank = (at / rb) % open_row_.size();
    int64_t row = int64_t(at / (rb * open_row_.size()));
    if (open_row_[bank] == row) {
      st_.row_hits++;
    } else {
      st_.row_misses++;
      sc_time act = std::max(now, bank_free_[bank]) + t_miss_;
      ready = std::max(ready, act);
      open_row_[bank] = row;
    }
  }
  if (ready > start) st_.stall_row += ready - start;
  start = ready;
  if (last_dir_ >= 0 && last_dir_ != int(wr)) {
    st_.turnarounds++;
    st_.stall_turn += t_turn_;
    start += t_turn_;
  }
  last_dir_ = int(wr);
  start += t_overhead_;
  st_.stall_overhead += t_overhead_;
  sc_time xfer = t_byte_ * double(n);
  // Refreshes: a transfer that would overlap one waits for its end; one that
  // fell into idle time only closes the rows.
  while (start + xfer > ref_next_) {
    sc_time ref_end = ref_next_ + t_refresh_;
    if (start < ref_end) {
      st_.stall_refresh += ref_end - start;
      start = ref_end;
    }
    st_.refreshes++;
    std::fill(open_row_.begin(), open_row_.end(), -1);
    ref_next_ = std::max(next_refresh(++ref_k_), ref_end);
  }
  sc_time done = start + xfer;
  bus_free_ = done;
  for (uint64_t at = a; at < a + n; at = (at / rb + 1) * rb)
    bank_free_[(at / rb) % open_row_.size()] = done;
  st_.busy += xfer;
  (wr ? st_.wr_bytes : st_.rd_bytes) += n;
  (wr ? st_.wr_txns : st_.rd_txns)++;
  sc_time complete = done + t_latency_;
  if (complete > st_.last) st_.last = complete;
  delay = complete - sc_core::sc_time_stamp();
}

bool Ddr::get_direct_mem_ptr(tlm::tlm_generic_payload &, tlm::tlm_dmi &dmi) {
  dmi.allow_read_write();
  dmi.set_dmi_ptr(mem_.data());
  dmi.set_start_address(cfg_.base);
  dmi.set_end_address(cfg_.base + cfg_.size - 1);
  dmi.set_read_latency(sc_core::SC_ZERO_TIME);
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  return true;
}

unsigned int Ddr::transport_dbg(tlm::tlm_generic_payload &gp) {
  return access(gp) ? gp.get_data_length() : 0;
}

}  // namespace tern_vp

#include "vp_axi.h"

#include <cstdio>

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace tern_vp {

// ---- AXI4-Lite target -------------------------------------------------------------

AxilTarget::AxilTarget(sc_core::sc_module_name name, Pins &pins, sc_core::sc_clock &clk)
    : sc_module(name), socket("socket"), p_(pins), clk_(clk) {
  socket.register_b_transport(this, &AxilTarget::b_transport);
}

// Runs in the initiator's thread. At each rising edge the pins read back
// the values from before the edge, so "valid && ready" there is exactly the
// handshake the RTL saw.
void AxilTarget::b_transport(tlm::tlm_generic_payload &gp, sc_time &delay) {
  sc_core::wait(delay);
  delay = SC_ZERO_TIME;
  const uint64_t a = gp.get_address();
  if (gp.get_data_length() != 4 || (a & 3u) || a > 0x1fc) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  accesses++;
  const uint32_t off = uint32_t(a);
  unsigned resp = 0;
  bool hung = false;
  if (gp.is_write()) {
    uint32_t v;
    std::memcpy(&v, gp.get_data_ptr(), 4);
    p_.s_axil_awaddr_i.write(off);
    p_.s_axil_awprot_i.write(0);
    p_.s_axil_awvalid_i.write(true);
    p_.s_axil_wdata_i.write(v);
    p_.s_axil_wstrb_i.write(0xf);
    p_.s_axil_wvalid_i.write(true);
    p_.s_axil_bready_i.write(true);
    bool aw = false, w = false;
    for (int n = 0;; n++) {
      if (n > 1000) {
        hung = true;
        break;
      }
      edge();
      bool awf = !aw && p_.s_axil_awready_o.read();
      bool wf = !w && p_.s_axil_wready_o.read();
      bool bf = aw && w && p_.s_axil_bvalid_o.read();
      if (bf) {
        resp = p_.s_axil_bresp_o.read();
        break;
      }
      if (awf) aw = true, p_.s_axil_awvalid_i.write(false);
      if (wf) w = true, p_.s_axil_wvalid_i.write(false);
    }
    p_.s_axil_awvalid_i.write(false);
    p_.s_axil_wvalid_i.write(false);
    p_.s_axil_bready_i.write(false);
  } else if (gp.is_read()) {
    p_.s_axil_araddr_i.write(off);
    p_.s_axil_arprot_i.write(0);
    p_.s_axil_arvalid_i.write(true);
    p_.s_axil_rready_i.write(true);
    bool ar = false;
    for (int n = 0;; n++) {
      if (n > 1000) {
        hung = true;
        break;
      }
      edge();
      bool arf = !ar && p_.s_axil_arready_o.read();
      bool rf = ar && p_.s_axil_rvalid_o.read();
      if (rf) {
        uint32_t v = p_.s_axil_rdata_o.read();
        std::memcpy(gp.get_data_ptr(), &v, 4);
        resp = p_.s_axil_rresp_o.read();
        break;
      }
      if (arf) ar = true, p_.s_axil_arvalid_i.write(false);
    }
    p_.s_axil_arvalid_i.write(false);
    p_.s_axil_rready_i.write(false);
  } else {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (hung) {
    std::fprintf(stderr, "vp: AXI4-Lite access to 0x%03x hangs\n", off);
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  gp.set_response_status(resp == 0 ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

// ---- AXI4 slave ---------------------------------------------------------------------

AxiSlave::AxiSlave(sc_core::sc_module_name name, Pins &pins, sc_core::sc_clock &clk,
                   const AxiSlaveConfig &cfg)
    : sc_module(name), socket("socket"), p_(pins), clk_(clk), cfg_(cfg), rng_(cfg.seed) {
  SC_METHOD(edge);
  sensitive << clk_.posedge_event();
  dont_initialize();
}

bool AxiSlave::stall() {
  if (cfg_.p_stall <= 0) return false;
  uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53 < cfg_.p_stall;
}

void AxiSlave::fail(const std::string &m) {
  if (errors_.size() < 20) std::fprintf(stderr, "vp: AXI protocol error: %s\n", m.c_str());
  errors_.push_back(m);
}

bool AxiSlave::check_burst(const char *ch, uint64_t addr, unsigned beats, unsigned size,
                           unsigned burst) {
  char b[160];
  bool ok = true;
  if ((1u << size) != cfg_.bus_bytes) {
    std::snprintf(b, sizeof b, "%s size %u, bus is %u bytes", ch, size, cfg_.bus_bytes);
    fail(b), ok = false;
  }
  if (burst != 1) {
    std::snprintf(b, sizeof b, "%s burst type %u, expected INCR", ch, burst);
    fail(b), ok = false;
  }
  if (addr % cfg_.bus_bytes) {
    std::snprintf(b, sizeof b, "%s address 0x%llx not bus-aligned", ch, (unsigned long long)addr);
    fail(b), ok = false;
  }
  if ((addr & 4095u) + uint64_t(beats) * cfg_.bus_bytes > 4096) {
    std::snprintf(b, sizeof b, "%s burst 0x%llx + %u beats crosses 4 KiB", ch,
                  (unsigned long long)addr, beats);
    fail(b), ok = false;
  }
  return ok;
}

// One TLM transaction towards the DDR; returns the AXI response.
uint32_t AxiSlave::transact(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, unsigned n,
                            uint8_t *be, sc_time &at) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(addr);
  gp.set_data_ptr(data);
  gp.set_data_length(n);
  gp.set_streaming_width(n);
  gp.set_byte_enable_ptr(be);
  gp.set_byte_enable_length(be ? n : 0);
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time d = SC_ZERO_TIME;
  socket->b_transport(gp, d);
  at = sc_core::sc_time_stamp() + d;
  if (gp.is_response_ok()) return 0;
  st_.resp_errors++;
  return gp.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE ? 3u : 2u;  // DECERR : SLVERR
}

void AxiSlave::reset_outputs() {
  rd_.clear(), aw_.clear(), wq_.clear(), b_.clear();
  writes_open_ = 0;
  arready_ = rvalid_ = awready_ = wready_ = bvalid_ = false;
  ar_pend_ = aw_pend_ = w_pend_ = false;
  p_.m_axi_arready_i.write(false);
  p_.m_axi_rvalid_i.write(false);
  p_.m_axi_rlast_i.write(false);
  p_.m_axi_awready_i.write(false);
  p_.m_axi_wready_i.write(false);
  p_.m_axi_bvalid_i.write(false);
}

void AxiSlave::edge() {
  if (!p_.rst_ni.read()) {
    reset_outputs();
    return;
  }
  const sc_time now = sc_core::sc_time_stamp();
  const unsigned BUS = cfg_.bus_bytes;
  const sc_time tclk = clk_.period();

  // ---- sample: the handshakes of this edge -----------------------------------------
  const bool arvalid = p_.m_axi_arvalid_o.read(), awvalid = p_.m_axi_awvalid_o.read(),
             wvalid = p_.m_axi_wvalid_o.read();
  const bool ar_fire = arvalid && arready_;
  const bool r_fire = rvalid_ && p_.m_axi_rready_o.read();
  const bool aw_fire = awvalid && awready_;
  const bool w_fire = wvalid && wready_;
  const bool b_fire = bvalid_ && p_.m_axi_bready_o.read();
  const uint64_t araddr = p_.m_axi_araddr_o.read(), awaddr = p_.m_axi_awaddr_o.read();
  const unsigned arlen = p_.m_axi_arlen_o.read(), awlen = p_.m_axi_awlen_o.read();

  // a valid not yet accepted must stay up with the same payload
  if (ar_pend_ && (!arvalid || araddr != ar_addr_ || arlen != ar_len_))
    fail("AR payload changed or ARVALID dropped before ARREADY");
  if (aw_pend_ && (!awvalid || awaddr != aw_addr_ || awlen != aw_len_))
    fail("AW payload changed or AWVALID dropped before AWREADY");
  if (w_pend_ && !wvalid) fail("WVALID dropped before WREADY");
  ar_pend_ = arvalid && !ar_fire, ar_addr_ = araddr, ar_len_ = arlen;
  aw_pend_ = awvalid && !aw_fire, aw_addr_ = awaddr, aw_len_ = awlen;
  w_pend_ = wvalid && !w_fire;
  if (arvalid && !arready_) st_.ar_blocked++;
  if (wvalid && !wready_) st_.w_blocked++;
  if (rvalid_ && !r_fire) st_.r_backpressure++;

  if (ar_fire) {
    Rd r;
    r.id = p_.m_axi_arid_o.read();
    r.beats = arlen + 1;
    r.data.assign(size_t(r.beats) * BUS, 0);
    check_burst("AR", araddr, r.beats, p_.m_axi_arsize_o.read(), p_.m_axi_arburst_o.read());
    r.resp = transact(tlm::TLM_READ_COMMAND, araddr, r.data.data(), r.beats * BUS, nullptr, r.done);
    rd_.push_back(std::move(r));
    st_.ar++;
  }
  if (r_fire) {
    Rd &r = rd_.front();
    st_.r_beats++;
    st_.rd_bytes += BUS;
    if (++r.sent == r.beats) rd_.pop_front();
  }
  if (aw_fire) {
    Aw w{uint32_t(p_.m_axi_awid_o.read()), awaddr, awlen + 1};
    check_burst("AW", awaddr, w.beats, p_.m_axi_awsize_o.read(), p_.m_axi_awburst_o.read());
    aw_.push_back(w);
    writes_open_++;
    st_.aw++;
  }
  if (w_fire) {
    WBeat b;
    b.data.resize(BUS);
    b.strb.resize(BUS);
    to_bytes(p_.m_axi_wdata_o.read(), b.data.data(), BUS);
    uint64_t s = p_.m_axi_wstrb_o.read();
    for (unsigned i = 0; i < BUS; i++) b.strb[i] = (s >> i) & 1u ? 0xff : 0;
    b.last = p_.m_axi_wlast_o.read();
    wq_.push_back(std::move(b));
    st_.w_beats++;
  }
  // A write burst whose beats are all here goes to memory as one transaction.
  while (!aw_.empty() && wq_.size() >= aw_.front().beats) {
    const Aw w = aw_.front();
    aw_.pop_front();
    std::vector<uint8_t> data(size_t(w.beats) * BUS), be(data.size());
    for (unsigned i = 0; i < w.beats; i++) {
      const WBeat &b = wq_.front();
      if (b.last != (i + 1 == w.beats)) fail("WLAST does not match AWLEN");
      std::memcpy(&data[size_t(i) * BUS], b.data.data(), BUS);
      std::memcpy(&be[size_t(i) * BUS], b.strb.data(), BUS);
      for (unsigned j = 0; j < BUS; j++) st_.wr_bytes += b.strb[j] ? 1 : 0;
      wq_.pop_front();
    }
    B b{w.id, 0, SC_ZERO_TIME};
    b.resp = transact(tlm::TLM_WRITE_COMMAND, w.addr, data.data(), unsigned(data.size()),
                      be.data(), b.at);
    b_.push_back(b);
  }
  if (b_fire) {
    b_.pop_front();
    writes_open_--;
  }

  // ---- drive: what the master sees until the next edge --------------------------------
  rvalid_ = false;
  if (!rd_.empty()) {
    const Rd &r = rd_.front();
    // the last beat is ready at r.done, each earlier one a cycle before
    sc_time ready = r.done - tclk * double(r.beats - 1 - r.sent);
    if (ready <= now && !stall()) {
      rvalid_ = true;
      RData d;
      from_bytes(d, &r.data[size_t(r.sent) * BUS], BUS);
      p_.m_axi_rdata_i.write(d);
      p_.m_axi_rid_i.write(r.id);
      p_.m_axi_rresp_i.write(r.resp);
      p_.m_axi_rlast_i.write(r.sent + 1 == r.beats);
    }
  }
  p_.m_axi_rvalid_i.write(rvalid_);
  bvalid_ = !b_.empty() && b_.front().at <= now && !stall();
  if (bvalid_) {
    p_.m_axi_bid_i.write(b_.front().id);
    p_.m_axi_bresp_i.write(b_.front().resp);
  }
  p_.m_axi_bvalid_i.write(bvalid_);
  arready_ = rd_.size() < cfg_.max_reads && !stall();
  awready_ = writes_open_ < cfg_.max_writes && !stall();
  wready_ = wq_.size() < cfg_.w_buffer && !stall();
  p_.m_axi_arready_i.write(arready_);
  p_.m_axi_awready_i.write(awready_);
  p_.m_axi_wready_i.write(wready_);
}

}  // namespace tern_vp

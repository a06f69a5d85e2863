// The pins of the Verilated tern_top (verilator --sc) as SystemC signals.
// Types come from the generated ports, so every BusBytes/IdWidth builds.
#ifndef TERN_VP_PINS_H
#define TERN_VP_PINS_H

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include <systemc>

#include "Vtern_top.h"

namespace tern_vp {

template <class P> using port_t = typename std::remove_reference_t<P>::data_type;

// Every port but clk_i.
#define TERN_VP_PINS(X)                                                                           \
  X(rst_ni)                                                                                       \
  X(s_axil_awvalid_i) X(s_axil_awready_o) X(s_axil_awaddr_i) X(s_axil_awprot_i)                   \
  X(s_axil_wvalid_i) X(s_axil_wready_o) X(s_axil_wdata_i) X(s_axil_wstrb_i)                       \
  X(s_axil_bvalid_o) X(s_axil_bready_i) X(s_axil_bresp_o)                                         \
  X(s_axil_arvalid_i) X(s_axil_arready_o) X(s_axil_araddr_i) X(s_axil_arprot_i)                   \
  X(s_axil_rvalid_o) X(s_axil_rready_i) X(s_axil_rdata_o) X(s_axil_rresp_o)                       \
  X(m_axi_arid_o) X(m_axi_araddr_o) X(m_axi_arlen_o) X(m_axi_arsize_o) X(m_axi_arburst_o)         \
  X(m_axi_arcache_o) X(m_axi_arprot_o) X(m_axi_arvalid_o) X(m_axi_arready_i)                      \
  X(m_axi_rid_i) X(m_axi_rdata_i) X(m_axi_rresp_i) X(m_axi_rlast_i) X(m_axi_rvalid_i)             \
  X(m_axi_rready_o)                                                                               \
  X(m_axi_awid_o) X(m_axi_awaddr_o) X(m_axi_awlen_o) X(m_axi_awsize_o) X(m_axi_awburst_o)         \
  X(m_axi_awcache_o) X(m_axi_awprot_o) X(m_axi_awvalid_o) X(m_axi_awready_i)                      \
  X(m_axi_wdata_o) X(m_axi_wstrb_o) X(m_axi_wlast_o) X(m_axi_wvalid_o) X(m_axi_wready_i)          \
  X(m_axi_bid_i) X(m_axi_bresp_i) X(m_axi_bvalid_i) X(m_axi_bready_o)                             \
  X(irq_o)

struct Pins {
#define TERN_VP_SIG(n) sc_core::sc_signal<port_t<decltype(std::declval<Vtern_top &>().n)>> n{#n};
  TERN_VP_PINS(TERN_VP_SIG)
#undef TERN_VP_SIG
  void bind(Vtern_top &top) {
#define TERN_VP_BIND(n) top.n(n);
    TERN_VP_PINS(TERN_VP_BIND)
#undef TERN_VP_BIND
  }
};

using RData = port_t<decltype(std::declval<Vtern_top &>().m_axi_rdata_i)>;
using WData = port_t<decltype(std::declval<Vtern_top &>().m_axi_wdata_o)>;

// Bus words <-> little-endian bytes (a 64-bit bus is a uint64_t port, wider
// ones are sc_bv).
inline void to_bytes(uint64_t v, uint8_t *o, unsigned n) { std::memcpy(o, &v, n); }
inline void from_bytes(uint64_t &v, const uint8_t *i, unsigned n) {
  v = 0;
  std::memcpy(&v, i, n);
}
template <int W> void to_bytes(const sc_dt::sc_bv<W> &v, uint8_t *o, unsigned n) {
  for (unsigned w = 0; 4 * w < n; w++) {
    uint32_t x = uint32_t(v.get_word(int(w)));
    std::memcpy(o + 4 * w, &x, 4);
  }
}
template <int W> void from_bytes(sc_dt::sc_bv<W> &v, const uint8_t *i, unsigned n) {
  for (unsigned w = 0; 4 * w < n; w++) {
    uint32_t x;
    std::memcpy(&x, i + 4 * w, 4);
    v.set_word(int(w), x);
  }
}

}  // namespace tern_vp

#endif

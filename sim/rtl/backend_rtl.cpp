// The "rtl" tern_dev backend: the Verilated accelerator top (rtl/top) with
// the AXI memory model (sim/axi), in process. The driver and firmware run
// unchanged; every register access is a real AXI4-Lite transaction at the
// pins and every DMA byte crosses the AXI4 master port.
//
// DMA memory is not coherent, as on a board: the host arena and the AXI
// memory are separate, and tern_dev_dma_sync copies between them.
//
// Options: mem=SIZE base=ADDR latency=N bw=BYTES_PER_CYCLE max_cycles=N
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "Vtern_top.h"
#include "axi_mem.h"
#include "verilated.h"

extern "C" {
#include "tern_dev_backend.h"
#include "tern_sys.h"
}

namespace {

struct Rtl {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vtern_top> top;
  std::unique_ptr<tern_axi::Mem> mem;
  std::vector<uint8_t> host;
  uint64_t cycles = 0;
  uint64_t chunk = 200000;  // most cycles one progress() call runs
};

struct Opts {
  uint64_t mem = 64ull << 20, base = 0x40000000ull, latency = 40, bw = 0, chunk = 200000;
};

int opt(void *ctx, const char *key, const char *val) {
  Opts *o = static_cast<Opts *>(ctx);
  if (!strcmp(key, "mem")) return tern_dev_parse_u64(val, &o->mem);
  if (!strcmp(key, "base")) return tern_dev_parse_u64(val, &o->base);
  if (!strcmp(key, "latency")) return tern_dev_parse_u64(val, &o->latency);
  if (!strcmp(key, "bw")) return tern_dev_parse_u64(val, &o->bw);
  if (!strcmp(key, "chunk")) return tern_dev_parse_u64(val, &o->chunk);
  return TERN_DEV_ERR_OPTION;
}

// One clock: outputs settle, the memory samples this edge's handshakes,
// the flops take the edge, the memory drives its next outputs.
void tick(Rtl *r) {
  r->top->clk_i = 0;
  r->top->eval();
  r->mem->sample();
  r->top->clk_i = 1;
  r->top->eval();
  r->mem->drive();
  r->cycles++;
}

const uint64_t kAxilTimeout = 1000;  // cycles; the register block answers in a few

int axil_write(Rtl *r, uint32_t off, uint32_t v) {
  Vtern_top *t = r->top.get();
  t->s_axil_awaddr_i = off;
  t->s_axil_awprot_i = 0;
  t->s_axil_wdata_i = v;
  t->s_axil_wstrb_i = 0xf;
  t->s_axil_awvalid_i = 1;
  t->s_axil_wvalid_i = 1;
  t->s_axil_bready_i = 1;
  for (uint64_t i = 0; i < kAxilTimeout; i++) {
    t->clk_i = 0;
    t->eval();
    bool aw = t->s_axil_awvalid_i && t->s_axil_awready_o;
    bool w = t->s_axil_wvalid_i && t->s_axil_wready_o;
    bool b = t->s_axil_bvalid_o && t->s_axil_bready_i;
    unsigned resp = t->s_axil_bresp_o;
    tick(r);
    if (aw) t->s_axil_awvalid_i = 0;
    if (w) t->s_axil_wvalid_i = 0;
    if (b) {
      t->s_axil_bready_i = 0;
      return resp ? TERN_DEV_ERR_REG : TERN_DEV_OK;
    }
  }
  return TERN_DEV_ERR_TIMEOUT;
}

int axil_read(Rtl *r, uint32_t off, uint32_t *v) {
  Vtern_top *t = r->top.get();
  t->s_axil_araddr_i = off;
  t->s_axil_arprot_i = 0;
  t->s_axil_arvalid_i = 1;
  t->s_axil_rready_i = 1;
  for (uint64_t i = 0; i < kAxilTimeout; i++) {
    t->clk_i = 0;
    t->eval();
    bool ar = t->s_axil_arvalid_i && t->s_axil_arready_o;
    bool rd = t->s_axil_rvalid_o && t->s_axil_rready_i;
    uint32_t data = t->s_axil_rdata_o;
    unsigned resp = t->s_axil_rresp_o;
    tick(r);
    if (ar) t->s_axil_arvalid_i = 0;
    if (rd) {
      t->s_axil_rready_i = 0;
      *v = data;
      return resp ? TERN_DEV_ERR_REG : TERN_DEV_OK;
    }
  }
  return TERN_DEV_ERR_TIMEOUT;
}

Rtl *be(tern_dev *d) { return static_cast<Rtl *>(d->be); }

int rtl_open(tern_dev *d, const char *options) {
  Opts o;
  int st = tern_dev_opts_each(options, opt, &o);
  if (st != TERN_DEV_OK) return st;
  if (o.mem == 0 || o.mem > (1ull << 34) || o.base > UINT64_MAX - o.mem || o.latency == 0 ||
      o.chunk == 0)
    return TERN_DEV_ERR_OPTION;
  Rtl *r = new (std::nothrow) Rtl;
  if (!r) return TERN_DEV_ERR_NOMEM;
  try {
    r->host.assign(o.mem, 0);
    r->ctx.reset(new VerilatedContext);
    r->top.reset(new Vtern_top(r->ctx.get(), "tern_top"));
    tern_axi::Port port;
    TERN_AXI_BIND_READ(port, r->top, m_axi_);
    TERN_AXI_BIND_WRITE(port, r->top, m_axi_);
    tern_axi::Config cfg;
    // the bus is 8..64 bytes wide: QData or VlWide storage of exactly that size
    cfg.data_bytes = (unsigned)sizeof(r->top->m_axi_rdata_i);
    cfg.read_latency = (unsigned)o.latency;
    cfg.bytes_per_cycle = (double)o.bw;
    r->mem.reset(new tern_axi::Mem(port, cfg));
  } catch (...) {
    delete r;
    return TERN_DEV_ERR_NOMEM;
  }
  r->chunk = o.chunk;
  Vtern_top *t = r->top.get();
  t->rst_ni = 0;
  r->mem->drive();
  for (int i = 0; i < 8; i++) tick(r);
  t->rst_ni = 1;
  for (int i = 0; i < 2; i++) tick(r);
  d->be = r;
  d->dma_host = r->host.data();
  d->dma_base = o.base;
  d->dma_size = o.mem;
  return TERN_DEV_OK;
}

void rtl_close(tern_dev *d) {
  Rtl *r = be(d);
  if (!r) return;
  r->top->final();
  if (!r->mem->ok()) fprintf(stderr, "rtl backend: AXI protocol errors: %s\n", r->mem->errors()[0].c_str());
  delete r;
  d->be = nullptr;
}

int rtl_reg_read(tern_dev *d, uint32_t off, uint32_t *v) { return axil_read(be(d), off, v); }
int rtl_reg_write(tern_dev *d, uint32_t off, uint32_t v) { return axil_write(be(d), off, v); }

int rtl_sync(tern_dev *d, uint64_t off, uint64_t len, tern_dev_dir dir) {
  Rtl *r = be(d);
  if (off > d->dma_size || len > d->dma_size - off) return TERN_DEV_ERR_ARG;
  if (dir == TERN_DEV_TO_DEVICE)
    r->mem->write(d->dma_base + off, r->host.data() + off, len);
  else
    r->mem->read(d->dma_base + off, r->host.data() + off, len);
  return TERN_DEV_OK;
}

// Runs the accelerator until it raises its interrupt (a command with the
// IRQ flag completed, or an error) or for one chunk of cycles, then
// acknowledges the interrupt as an interrupt handler would. The caller reads
// COMPLETED/STATUS and owns the deadline. A protocol error seen by the memory
// model is a device fault.
int rtl_progress(tern_dev *d, int timeout_ms) {
  (void)timeout_ms;
  Rtl *r = be(d);
  for (uint64_t i = 0; i < r->chunk && !r->top->irq_o; i++) tick(r);
  int st = r->top->irq_o ? axil_write(r, TERN_REG(IRQ_STATUS), 7u) : TERN_DEV_OK;
  if (st != TERN_DEV_OK) return st;
  return r->mem->ok() ? TERN_DEV_OK : TERN_DEV_ERR_IO;
}

void rtl_info(tern_dev *d, tern_dev_info *info) {
  (void)d;
  info->has_cycles = 1;
}

// Interrupt mode: commands carry the IRQ flag, so progress() can stop at
// the cycle a command completes instead of running whole chunks.
int rtl_irq_mode(tern_dev *d) {
  (void)d;
  return 1;
}

}  // namespace

extern "C" const tern_dev_ops tern_dev_backend_rtl = {
    "rtl", rtl_open, rtl_close, rtl_reg_read, rtl_reg_write, rtl_sync, rtl_progress, rtl_info,
    rtl_irq_mode,
};

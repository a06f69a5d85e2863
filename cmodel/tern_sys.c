/* Command-level golden model of the tern accelerator (see tern_sys.h and
 * docs/commands.md). The order of checks below is the order the RTL top
 * applies them; the first failing check names the error. */
#include "tern_sys.h"

#include <stdlib.h>
#include <string.h>


enum { PERF_N = 10 };

int tern_sys_init(tern_sys *s, const tern_sys_params *p) {
  if (!s || !p) return TERN_ERR_NULL;
  int st = tern_engine_params_check(&p->eng);
  if (st != TERN_OK) return st;
  unsigned bb = p->bus_bytes;
  if (bb != 8 && bb != 16 && bb != 32 && bb != 64) return TERN_ERR_DIM;
  if (p->formats > 3u) return TERN_ERR_DIM;
  memset(s, 0, sizeof *s);
  s->p = *p;
  if (!s->p.formats) s->p.formats = 3u;
  return TERN_OK;
}

int tern_sys_irq(const tern_sys *s) { return s && (s->irq_status & s->irq_enable & 7u) != 0; }

/* ---- registers ---------------------------------------------------------- */

static uint64_t *perf_live(tern_sys *s, unsigned i) {
  /* register order: busy, stall w, stall a, stall r, bytes rd, bytes wr,
   * weight bytes, adds, zero trits, commands; the first four are cycle
   * counters the functional model does not have. */
  switch (i) {
  case 4: return &s->bytes_read;
  case 5: return &s->bytes_written;
  case 6: return &s->weight_bytes;
  case 7: return &s->adds;
  case 8: return &s->zero_trits;
  case 9: return &s->commands;
  default: return NULL;
  }
}

/* Offsets the register map defines; the RTL answers SLVERR elsewhere. */
static int mapped(uint32_t off) {
  static const uint32_t regs[] = {
      TERN_REG(ID),          TERN_REG(VERSION),       TERN_REG(HWCFG0),      TERN_REG(HWCFG1),
      TERN_REG(HWCFG2),      TERN_REG(HWCFG3),        TERN_REG(CTRL),        TERN_REG(STATUS),
      TERN_REG(IRQ_ENABLE),  TERN_REG(IRQ_STATUS),    TERN_REG(RING_BASE_LO), TERN_REG(RING_BASE_HI),
      TERN_REG(RING_SIZE),   TERN_REG(RING_TAIL),     TERN_REG(RING_HEAD),   TERN_REG(COMPLETED),
      TERN_REG(WIN_BASE_LO), TERN_REG(WIN_BASE_HI),   TERN_REG(WIN_SIZE_LO), TERN_REG(WIN_SIZE_HI),
      TERN_REG(ERR_CODE),    TERN_REG(ERR_CMD_INDEX),
  };
  const uint32_t perf0 = TERN_REG(PERF_BUSY_CYCLES_LO);
  if (off >= perf0 && off < perf0 + 8u * PERF_N) return (off & 3u) == 0;
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
    if (regs[i] == off) return 1;
  return 0;
}

int tern_sys_reg_write(tern_sys *s, uint32_t off, uint32_t v) {
  if (!s) return TERN_ERR_NULL;
  switch (off) {
  case TERN_REG(CTRL):
    s->ctrl_enable = v & 1u;
    if (v & 2u) { /* SOFT_RESET: drop pending commands, clear the error */
      s->stopped = 0;
      s->err_code = 0;
      s->err_cmd_index = 0;
      s->ring_head = s->ring_tail;
    }
    if (v & 4u)
      for (unsigned i = 0; i < PERF_N; i++) {
        uint64_t *l = perf_live(s, i);
        s->snap[i] = l ? *l : 0;
      }
    if (v & 8u)
      for (unsigned i = 0; i < PERF_N; i++) {
        uint64_t *l = perf_live(s, i);
        if (l) *l = 0;
      }
    return TERN_OK;
  case TERN_REG(IRQ_ENABLE): s->irq_enable = v & 7u; return TERN_OK;
  case TERN_REG(IRQ_STATUS): s->irq_status &= ~(v & 7u); return TERN_OK;
  case TERN_REG(RING_BASE_LO): s->ring_base = (s->ring_base & ~0xffffffffull) | v; return TERN_OK;
  case TERN_REG(RING_BASE_HI): s->ring_base = (s->ring_base & 0xffffffffull) | ((uint64_t)v << 32); return TERN_OK;
  case TERN_REG(RING_SIZE): s->ring_size = v; return TERN_OK;
  case TERN_REG(RING_TAIL): s->ring_tail = v; return TERN_OK;
  case TERN_REG(WIN_BASE_LO): s->win_base = (s->win_base & ~0xffffffffull) | v; return TERN_OK;
  case TERN_REG(WIN_BASE_HI): s->win_base = (s->win_base & 0xffffffffull) | ((uint64_t)v << 32); return TERN_OK;
  case TERN_REG(WIN_SIZE_LO): s->win_size = (s->win_size & ~0xffffffffull) | v; return TERN_OK;
  case TERN_REG(WIN_SIZE_HI): s->win_size = (s->win_size & 0xffffffffull) | ((uint64_t)v << 32); return TERN_OK;
  default:
    /* read-only registers ignore writes; anything else is unmapped */
    return mapped(off) ? TERN_OK : TERN_ERR_DIM;
  }
}

int tern_sys_reg_read(const tern_sys *s, uint32_t off, uint32_t *v) {
  if (!s || !v) return TERN_ERR_NULL;
  const tern_engine_params *e = &s->p.eng;
  const uint32_t perf0 = TERN_REG(PERF_BUSY_CYCLES_LO);
  if (off >= perf0 && off < perf0 + 8u * PERF_N && (off & 3u) == 0) {
    uint64_t x = s->snap[(off - perf0) / 8u];
    *v = (off & 4u) ? (uint32_t)(x >> 32) : (uint32_t)x;
    return TERN_OK;
  }
  switch (off) {
  case TERN_REG(ID): *v = TERN_REGS__ID__MAGIC_reset; break;
  case TERN_REG(VERSION): *v = (TERN_REGS__VERSION__MAJOR_reset << 16) | TERN_REGS__VERSION__MINOR_reset; break;
  case TERN_REG(HWCFG0): *v = (e->lanes & 0xffffu) | (e->word_bytes << 16); break;
  case TERN_REG(HWCFG1):
    *v = (e->batch & 0xffu) | ((s->p.bus_bytes & 0xffu) << 8) | (s->p.formats << 16) |
         (TERN_CMD_MAX_CHAIN << 24);
    break;
  case TERN_REG(HWCFG2): *v = e->max_k; break;
  case TERN_REG(HWCFG3): *v = tern_engine_tile_rows(e); break;
  case TERN_REG(CTRL): *v = s->ctrl_enable; break; /* pulse bits read 0 */
  case TERN_REG(STATUS):
    *v = ((uint32_t)s->stopped << 1) |
         ((uint32_t)(s->ctrl_enable && !s->stopped && s->ring_head == s->ring_tail) << 2);
    break;
  case TERN_REG(IRQ_ENABLE): *v = s->irq_enable; break;
  case TERN_REG(IRQ_STATUS): *v = s->irq_status; break;
  case TERN_REG(RING_BASE_LO): *v = (uint32_t)s->ring_base; break;
  case TERN_REG(RING_BASE_HI): *v = (uint32_t)(s->ring_base >> 32); break;
  case TERN_REG(RING_SIZE): *v = s->ring_size; break;
  case TERN_REG(RING_TAIL): *v = s->ring_tail; break;
  case TERN_REG(RING_HEAD): *v = s->ring_head; break;
  case TERN_REG(COMPLETED): *v = s->completed; break;
  case TERN_REG(WIN_BASE_LO): *v = (uint32_t)s->win_base; break;
  case TERN_REG(WIN_BASE_HI): *v = (uint32_t)(s->win_base >> 32); break;
  case TERN_REG(WIN_SIZE_LO): *v = (uint32_t)s->win_size; break;
  case TERN_REG(WIN_SIZE_HI): *v = (uint32_t)(s->win_size >> 32); break;
  case TERN_REG(ERR_CODE): *v = s->err_code; break;
  case TERN_REG(ERR_CMD_INDEX): *v = s->err_cmd_index; break;
  default:
    *v = 0;
    return mapped(off) ? TERN_OK : TERN_ERR_DIM;
  }
  return TERN_OK;
}

/* ---- memory ------------------------------------------------------------- */

/* [addr, addr+len) inside [base, base+size), without overflow. */
static int inside(uint64_t addr, uint64_t len, uint64_t base, uint64_t size) {
  return addr >= base && addr - base <= size && len <= size - (addr - base);
}

/* Nonzero if a DMA access would fail on the bus (DECERR outside the memory
 * image, or an injected SLVERR). */
static int bus_fault(tern_sys_mem *m, uint64_t addr, uint64_t len, int is_write) {
  if (!inside(addr, len, m->base, m->len)) return 1;
  return m->fault && m->fault(m->fault_ctx, addr, (size_t)len, is_write);
}

static uint8_t *mem_at(tern_sys_mem *m, uint64_t addr) { return m->data + (addr - m->base); }

/* ---- commands ------------------------------------------------------------ */

static uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1u) / a * a; }

/* Bytes the DMA reads for the activations / writes for one matrix. */
static uint64_t act_span(const tern_cmd *c, uint64_t bus) {
  return (uint64_t)(c->batch - 1u) * c->act_stride + round_up(c->k, bus);
}
static uint64_t res_span(const tern_cmd *c, unsigned i) {
  return (uint64_t)(c->batch - 1u) * c->res_stride + 4ull * c->mat[i].rows;
}

static int check_gemm(const tern_sys *s, const tern_cmd *c) {
  const tern_engine_params *e = &s->p.eng;
  const uint64_t bus = s->p.bus_bytes;
  if (c->fmt > TERN_FMT_B3 || !(s->p.formats >> c->fmt & 1u)) return TERN_HWERR_FORMAT;
  if (c->nmat == 0 || c->nmat > TERN_CMD_MAX_CHAIN || c->batch == 0 || c->batch > e->batch ||
      c->k == 0 || c->k > e->max_k || c->act_stride < c->k)
    return TERN_HWERR_DIM;
  for (unsigned i = 0; i < c->nmat; i++)
    /* the engine's row count is 24 bits: TERN_MAX_ROWS itself does not fit */
    if (c->mat[i].rows == 0 || c->mat[i].rows >= TERN_MAX_ROWS ||
        c->res_stride < 4ull * c->mat[i].rows)
      return TERN_HWERR_DIM;
  if (c->act_addr % bus || c->act_stride % bus || c->res_stride % bus) return TERN_HWERR_ALIGN;
  for (unsigned i = 0; i < c->nmat; i++)
    if (c->mat[i].w_addr % bus || c->mat[i].res_addr % bus) return TERN_HWERR_ALIGN;
  for (unsigned i = 0; i < c->nmat; i++)
    if (c->mat[i].w_bytes !=
        tern_engine_wstream_bytes(e, (tern_fmt)c->fmt, c->mat[i].rows, c->k))
      return TERN_HWERR_WBYTES;
  if (!inside(c->act_addr, act_span(c, bus), s->win_base, s->win_size)) return TERN_HWERR_WINDOW;
  for (unsigned i = 0; i < c->nmat; i++)
    if (!inside(c->mat[i].w_addr, c->mat[i].w_bytes, s->win_base, s->win_size) ||
        !inside(c->mat[i].res_addr, res_span(c, i), s->win_base, s->win_size))
      return TERN_HWERR_WINDOW;
  return TERN_HWERR_NONE;
}

/* Rebuilds row-major rows (stride = words * word_bytes) from a weight
 * stream laid out by tern_engine_wstream, and counts its trits. Returns
 * nonzero if any byte of the stream holds an invalid code. */
static int unstream(const tern_engine_params *e, tern_fmt fmt, uint32_t rows, uint32_t k,
                    const uint8_t *stream, uint8_t *packed, uint64_t *nonzero) {
  const uint32_t lanes = e->lanes, wb = e->word_bytes;
  const uint32_t tile = tern_engine_tile_rows(e);
  const uint32_t wt = tern_engine_word_trits(e, fmt);
  const unsigned per = fmt == TERN_FMT_I2 ? 4u : 5u;
  const size_t words = ((size_t)k + wt - 1u) / wt, span = words * wb;
  const size_t rows_pad = ((size_t)rows + lanes - 1u) / lanes * lanes;
  /* per byte value: nonzero trits, or -1 for an invalid code */
  int8_t nz[256];
  for (unsigned v = 0; v < 256u; v++) {
    uint8_t b = (uint8_t)v;
    int8_t t[5];
    int st = tern_unpack_row(fmt, &b, 1, per, t);
    nz[v] = 0;
    for (unsigned q = 0; q < per; q++) nz[v] = (int8_t)(nz[v] + (t[q] != 0));
    if (st != TERN_OK) nz[v] = -1;
  }
  int bad = 0;
  size_t o = 0;
  for (size_t t0 = 0; t0 < rows_pad; t0 += tile) {
    size_t trows = rows_pad - t0 < tile ? rows_pad - t0 : tile;
    for (size_t wi = 0; wi < words; wi++)
      for (size_t r = t0; r < t0 + trows; r++)
        for (size_t j = 0; j < wb; j++) {
          uint8_t b = stream[o++];
          if (r < rows) packed[r * span + wi * wb + j] = b;
          /* every stream byte counts: padding rows and trits included; an
           * invalid byte's valid trits still count, as the engine adds them */
          if (nz[b] < 0) {
            int8_t t[5];
            bad = 1;
            (void)tern_unpack_row(fmt, &b, 1, per, t);
            for (unsigned q = 0; q < per; q++) *nonzero += t[q] != 0;
          } else {
            *nonzero += (uint64_t)nz[b];
          }
        }
  }
  return bad;
}

/* Runs one validated GEMM. Returns a TERN_HWERR code. */
static int run_gemm(tern_sys *s, tern_sys_mem *m, const tern_cmd *c) {
  const tern_engine_params *e = &s->p.eng;
  const uint64_t bus = s->p.bus_bytes;
  const tern_fmt fmt = (tern_fmt)c->fmt;

  /* Faults decide the outcome before any data moves: read faults first,
   * then write faults, then invalid trits (docs/commands.md, "errors").
   * The RTL only learns of a fault when the burst answers: by then it may
   * have written part of the results and counted part of the traffic. So
   * after an AXI error (and after a soft reset in the middle of a command)
   * the failing command's result buffers and its BYTES_READ/WRITTEN,
   * WEIGHT_BYTES, ADDS and ZERO_TRITS contributions are not compared
   * (sim/top takes them from the RTL); every other byte and register is.
   * If one command hits both a read and a write fault, the RTL reports the
   * one the bus answers first; this model reports the read fault. */
  int rd_fault = 0, wr_fault = 0;
  for (uint32_t b = 0; b < c->batch; b++)
    rd_fault |= bus_fault(m, c->act_addr + (uint64_t)b * c->act_stride, round_up(c->k, bus), 0);
  for (unsigned i = 0; i < c->nmat; i++) {
    rd_fault |= bus_fault(m, c->mat[i].w_addr, c->mat[i].w_bytes, 0);
    for (uint32_t b = 0; b < c->batch; b++)
      wr_fault |= bus_fault(m, c->mat[i].res_addr + (uint64_t)b * c->res_stride,
                            4ull * c->mat[i].rows, 1);
  }
  if (rd_fault) return TERN_HWERR_AXI_READ;
  if (wr_fault) return TERN_HWERR_AXI_WRITE;

  /* Activations: bytes past k in the last bus beat are read but zeroed. */
  int8_t *x = malloc((size_t)c->batch * c->k);
  if (!x) return -1;
  for (uint32_t b = 0; b < c->batch; b++)
    memcpy(x + (size_t)b * c->k, mem_at(m, c->act_addr + (uint64_t)b * c->act_stride), c->k);
  s->bytes_read += (uint64_t)c->batch * round_up(c->k, bus);

  int trit_err = 0;
  for (unsigned i = 0; i < c->nmat; i++) {
    const tern_cmd_mat *mt = &c->mat[i];
    const uint32_t wt = tern_engine_word_trits(e, fmt);
    const size_t span = ((size_t)c->k + wt - 1u) / wt * e->word_bytes;
    uint8_t *packed = malloc((size_t)mt->rows * span);
    int32_t *y = malloc((size_t)mt->rows * c->batch * sizeof *y);
    if (!packed || !y) {
      free(packed);
      free(y);
      free(x);
      return -1;
    }
    uint64_t nonzero = 0;
    trit_err |= unstream(e, fmt, mt->rows, c->k, mem_at(m, mt->w_addr), packed, &nonzero);
    tern_wmat w = {fmt, mt->rows, c->k, span, packed, (size_t)mt->rows * span};
    /* the fast path: tests prove it equals tern_gemm_ref bit for bit */
    int st = tern_gemm(TERN_ISA_AUTO, &w, x, c->k, (size_t)c->batch * c->k, c->batch, y,
                       mt->rows, (size_t)mt->rows * c->batch);
    if (st == TERN_ERR_CODE) trit_err = 1;
    else if (st != TERN_OK) {
      free(packed);
      free(y);
      free(x);
      return -1;
    }
    for (uint32_t b = 0; b < c->batch; b++) {
      uint8_t *dst = mem_at(m, mt->res_addr + (uint64_t)b * c->res_stride);
      for (uint32_t r = 0; r < mt->rows; r++) {
        uint32_t v = (uint32_t)y[(size_t)b * mt->rows + r];
        for (int q = 0; q < 4; q++) dst[4u * r + q] = (uint8_t)(v >> (8 * q));
      }
    }
    uint64_t trits = (uint64_t)mt->w_bytes * (fmt == TERN_FMT_I2 ? 4u : 5u);
    s->bytes_read += mt->w_bytes;
    s->weight_bytes += mt->w_bytes;
    s->bytes_written += (uint64_t)c->batch * 4u * mt->rows;
    s->adds += nonzero * c->batch;
    s->zero_trits += (trits - nonzero) * c->batch;
    free(packed);
    free(y);
  }
  free(x);
  return trit_err ? TERN_HWERR_TRIT : TERN_HWERR_NONE;
}

static int ring_ok(const tern_sys *s) {
  uint32_t n = s->ring_size;
  if (n < 2 || n > 65536 || (n & (n - 1u)) || s->ring_base % TERN_CMD_BYTES ||
      s->ring_tail >= n)
    return 0;
  return inside(s->ring_base, (uint64_t)n * TERN_CMD_BYTES, s->win_base, s->win_size);
}

static void fail(tern_sys *s, int code) {
  s->stopped = 1;
  s->err_code = (uint32_t)code;
  s->err_cmd_index = s->ring_head;
  s->irq_status |= 2u;
}

int tern_sys_step(tern_sys *s, tern_sys_mem *m) {
  if (!s || !m || (!m->data && m->len)) return TERN_ERR_NULL;
  if (!s->ctrl_enable || s->stopped || s->ring_head == s->ring_tail) return 0;
  if (!ring_ok(s)) {
    fail(s, TERN_HWERR_RING);
    return 1;
  }
  uint64_t at = s->ring_base + (uint64_t)s->ring_head * TERN_CMD_BYTES;
  s->bytes_read += TERN_CMD_BYTES;
  if (bus_fault(m, at, TERN_CMD_BYTES, 0)) {
    fail(s, TERN_HWERR_AXI_READ);
    return 1;
  }
  tern_cmd c;
  tern_cmd_decode(mem_at(m, at), &c);

  int err = TERN_HWERR_NONE;
  if (c.opcode > TERN_OP_FENCE || (c.flags & ~TERN_CMD_FLAGS_VALID) || c.reserved)
    err = TERN_HWERR_OPCODE;
  else if (c.opcode == TERN_OP_GEMM && (err = check_gemm(s, &c)) == TERN_HWERR_NONE)
    err = run_gemm(s, m, &c);
  if (err < 0) return TERN_ERR_NOMEM;
  if (err != TERN_HWERR_NONE) {
    fail(s, err);
    return 1;
  }
  if (c.flags & TERN_CMD_FLAG_IRQ) s->irq_status |= c.opcode == TERN_OP_FENCE ? 4u : 1u;
  s->completed++;
  s->commands++;
  s->ring_head = (s->ring_head + 1u) % s->ring_size;
  return 1;
}

/* tern_dev dispatch: backend lookup, DMA allocator, ring, wait, perf
 * counters. Backends only move register values and bytes (tern_dev_backend.h). */
#define _POSIX_C_SOURCE 200809L
#include "tern_dev_backend.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tern_sys.h" /* TERN_REG */

/* Linked only into binaries that want the Verilator backend. */
extern const tern_dev_ops tern_dev_backend_rtl __attribute__((weak));

const char *tern_dev_strerror(int code) {
  switch (code) {
  case TERN_DEV_OK: return "ok";
  case TERN_DEV_ERR_ARG: return "bad argument (NULL pointer or value out of range)";
  case TERN_DEV_ERR_BACKEND: return "unknown backend (known: cmodel, rtl, uio)";
  case TERN_DEV_ERR_NOT_BUILT: return "backend not built into this binary";
  case TERN_DEV_ERR_OPTION: return "unknown or malformed backend option";
  case TERN_DEV_ERR_IO: return "device or sysfs file could not be opened, mapped, read or written";
  case TERN_DEV_ERR_NODEV: return "no tern accelerator found (ID or VERSION mismatch)";
  case TERN_DEV_ERR_NOMEM: return "host memory allocation failed";
  case TERN_DEV_ERR_DMA_NOMEM: return "DMA memory exhausted";
  case TERN_DEV_ERR_REG: return "register offset unmapped or unaligned";
  case TERN_DEV_ERR_RING: return "command ring not set up or bad ring size";
  case TERN_DEV_ERR_RING_FULL: return "not enough free command ring entries";
  case TERN_DEV_ERR_TIMEOUT: return "commands did not complete in time";
  case TERN_DEV_ERR_HW: return "accelerator stopped on an error";
  case TERN_DEV_ERR_MODEL: return "in-process model failed";
  default: return tern_strerror(code);
  }
}

/* ---- options ------------------------------------------------------------- */

int tern_dev_opts_each(const char *o, int (*fn)(void *, const char *, const char *), void *ctx) {
  char key[64], val[512];
  if (!o) return TERN_DEV_OK;
  while (*o) {
    const char *end = strchr(o, ',');
    size_t n = end ? (size_t)(end - o) : strlen(o);
    if (n) {
      const char *eq = memchr(o, '=', n);
      size_t kn = eq ? (size_t)(eq - o) : n, vn = eq ? n - kn - 1 : 0;
      if (kn == 0 || kn >= sizeof key || vn >= sizeof val) return TERN_DEV_ERR_OPTION;
      memcpy(key, o, kn);
      key[kn] = 0;
      if (eq) memcpy(val, eq + 1, vn);
      val[vn] = 0;
      int st = fn(ctx, key, val);
      if (st) return st;
    }
    o += n + (end != NULL);
  }
  return TERN_DEV_OK;
}

int tern_dev_parse_u64(const char *s, uint64_t *v) {
  if (!s || !*s || *s == '-' || *s == '+') return TERN_DEV_ERR_OPTION;
  char *e;
  unsigned long long x = strtoull(s, &e, 0);
  unsigned sh = 0;
  if (*e == 'K' || *e == 'k')
    sh = 10, e++;
  else if (*e == 'M' || *e == 'm')
    sh = 20, e++;
  else if (*e == 'G' || *e == 'g')
    sh = 30, e++;
  if (*e || (sh && x > (UINT64_MAX >> sh))) return TERN_DEV_ERR_OPTION;
  *v = (uint64_t)x << sh;
  return TERN_DEV_OK;
}

/* ---- open / close / registers -------------------------------------------- */

static const tern_dev_ops *find_backend(const char *name, int *st) {
  *st = TERN_DEV_OK;
  if (!strcmp(name, "cmodel")) return &tern_dev_backend_cmodel;
  if (!strcmp(name, "uio")) return &tern_dev_backend_uio;
  if (!strcmp(name, "rtl")) {
    if (&tern_dev_backend_rtl) return &tern_dev_backend_rtl;
    *st = TERN_DEV_ERR_NOT_BUILT;
    return NULL;
  }
  *st = TERN_DEV_ERR_BACKEND;
  return NULL;
}

int tern_dev_reg_read(tern_dev *d, uint32_t off, uint32_t *v) {
  if (!d || !v) return TERN_DEV_ERR_ARG;
  if ((off & 3u) || off >= sizeof(tern_regs_t)) return TERN_DEV_ERR_REG;
  return d->ops->reg_read(d, off, v);
}

int tern_dev_reg_write(tern_dev *d, uint32_t off, uint32_t v) {
  if (!d) return TERN_DEV_ERR_ARG;
  if ((off & 3u) || off >= sizeof(tern_regs_t)) return TERN_DEV_ERR_REG;
  return d->ops->reg_write(d, off, v);
}

static uint32_t rd(tern_dev *d, uint32_t off) {
  uint32_t v = 0;
  (void)d->ops->reg_read(d, off, &v);
  return v;
}
static int wr(tern_dev *d, uint32_t off, uint32_t v) { return d->ops->reg_write(d, off, v); }

int tern_dev_open(tern_dev **out, const char *backend, const char *options) {
  if (!out || !backend) return TERN_DEV_ERR_ARG;
  *out = NULL;
  int st;
  const tern_dev_ops *ops = find_backend(backend, &st);
  if (!ops) return st;
  return tern_dev_open_ops(out, ops, options, NULL);
}

int tern_dev_open_ops(tern_dev **out, const tern_dev_ops *ops, const char *options,
                      void *open_arg) {
  if (!out || !ops) return TERN_DEV_ERR_ARG;
  *out = NULL;
  tern_dev *d = calloc(1, sizeof *d);
  if (!d) return TERN_DEV_ERR_NOMEM;
  d->ops = ops;
  d->open_arg = open_arg;
  int st = ops->open(d, options ? options : "");
  if (st != TERN_DEV_OK) {
    free(d);
    return st;
  }
  if (rd(d, TERN_REG(ID)) != TERN_REGS__ID__MAGIC_reset ||
      rd(d, TERN_REG(VERSION)) >> 16 != TERN_REGS__VERSION__MAJOR_reset) {
    tern_dev_close(d);
    return TERN_DEV_ERR_NODEV;
  }
  /* Disabled until a ring exists; the window is all of our DMA memory. */
  wr(d, TERN_REG(CTRL), 0);
  wr(d, TERN_REG(WIN_BASE_LO), (uint32_t)d->dma_base);
  wr(d, TERN_REG(WIN_BASE_HI), (uint32_t)(d->dma_base >> 32));
  wr(d, TERN_REG(WIN_SIZE_LO), (uint32_t)d->dma_size);
  wr(d, TERN_REG(WIN_SIZE_HI), (uint32_t)(d->dma_size >> 32));
  *out = d;
  return TERN_DEV_OK;
}

void tern_dev_close(tern_dev *d) {
  if (!d) return;
  if (d->ring_n) wr(d, TERN_REG(CTRL), 0); /* stop fetching from memory we give back */
  d->ops->close(d);
  free(d->blk);
  free(d);
}

const char *tern_dev_backend(const tern_dev *d) { return d ? d->ops->name : ""; }

int tern_dev_info_get(tern_dev *d, tern_dev_info *info) {
  if (!d || !info) return TERN_DEV_ERR_ARG;
  memset(info, 0, sizeof *info);
  uint32_t h0 = rd(d, TERN_REG(HWCFG0)), h1 = rd(d, TERN_REG(HWCFG1));
  tern_engine_params *e = &info->eng;
  e->lanes = (h0 & TERN_REGS__HWCFG0__LANES_bm) >> TERN_REGS__HWCFG0__LANES_bp;
  e->word_bytes = (h0 & TERN_REGS__HWCFG0__WORD_BYTES_bm) >> TERN_REGS__HWCFG0__WORD_BYTES_bp;
  e->batch = (h1 & TERN_REGS__HWCFG1__BATCH_bm) >> TERN_REGS__HWCFG1__BATCH_bp;
  e->max_k = rd(d, TERN_REG(HWCFG2));
  e->acc_width = 32;
  e->act_beat_bytes = e->word_bytes;
  e->w_beat_bytes = e->lanes * e->word_bytes;
  e->tile_rows = rd(d, TERN_REG(HWCFG3));
  info->bus_bytes = (h1 & TERN_REGS__HWCFG1__BUS_BYTES_bm) >> TERN_REGS__HWCFG1__BUS_BYTES_bp;
  info->formats = (h1 & TERN_REGS__HWCFG1__FORMATS_bm) >> TERN_REGS__HWCFG1__FORMATS_bp;
  info->max_chain = (h1 & TERN_REGS__HWCFG1__MAX_CHAIN_bm) >> TERN_REGS__HWCFG1__MAX_CHAIN_bp;
  info->version = rd(d, TERN_REG(VERSION));
  info->dma_base = d->dma_base;
  info->dma_size = d->dma_size;
  if (d->ops->info) d->ops->info(d, info);
  return TERN_DEV_OK;
}

/* ---- DMA memory ------------------------------------------------------------ */

int tern_dev_dma_alloc(tern_dev *d, size_t size, size_t align, tern_dev_buf *out) {
  if (!d || !out || size == 0) return TERN_DEV_ERR_ARG;
  if (align == 0) align = 64;
  if (align & (align - 1u)) return TERN_DEV_ERR_ARG;
  memset(out, 0, sizeof *out);
  if (d->nblk == d->cap_blk) {
    size_t cap = d->cap_blk ? 2 * d->cap_blk : 16;
    tern_dev_blk *nb = realloc(d->blk, cap * sizeof *nb);
    if (!nb) return TERN_DEV_ERR_NOMEM;
    d->blk = nb;
    d->cap_blk = cap;
  }
  /* First fit; alignment is of the device address. */
  uint64_t prev_end = 0;
  for (size_t i = 0; i <= d->nblk; i++) {
    uint64_t gap_end = i < d->nblk ? d->blk[i].off : d->dma_size;
    uint64_t a = d->dma_base + prev_end;
    uint64_t pad = (align - (a & (align - 1u))) & (align - 1u);
    uint64_t off = prev_end + pad;
    if (off >= prev_end && off <= gap_end && size <= gap_end - off) {
      memmove(d->blk + i + 1, d->blk + i, (d->nblk - i) * sizeof *d->blk);
      d->blk[i] = (tern_dev_blk){off, size};
      d->nblk++;
      out->host = d->dma_host + off;
      out->dev_addr = d->dma_base + off;
      out->size = size;
      return TERN_DEV_OK;
    }
    if (i < d->nblk) prev_end = d->blk[i].off + d->blk[i].size;
  }
  return TERN_DEV_ERR_DMA_NOMEM;
}

int tern_dev_dma_free(tern_dev *d, tern_dev_buf *b) {
  if (!d || !b) return TERN_DEV_ERR_ARG;
  if (b->dev_addr < d->dma_base) return TERN_DEV_ERR_ARG;
  uint64_t off = b->dev_addr - d->dma_base;
  for (size_t i = 0; i < d->nblk; i++)
    if (d->blk[i].off == off && b->host == (void *)(d->dma_host + off)) {
      memmove(d->blk + i, d->blk + i + 1, (d->nblk - i - 1) * sizeof *d->blk);
      d->nblk--;
      memset(b, 0, sizeof *b);
      return TERN_DEV_OK;
    }
  return TERN_DEV_ERR_ARG;
}

int tern_dev_dma_sync(tern_dev *d, const tern_dev_buf *b, size_t off, size_t len,
                      tern_dev_dir dir) {
  if (!d || !b || (dir != TERN_DEV_TO_DEVICE && dir != TERN_DEV_FROM_DEVICE))
    return TERN_DEV_ERR_ARG;
  if (b->dev_addr < d->dma_base || b->dev_addr - d->dma_base > d->dma_size ||
      b->size > d->dma_size - (b->dev_addr - d->dma_base) || off > b->size || len > b->size - off)
    return TERN_DEV_ERR_ARG;
  if (len == 0 || !d->ops->sync) return TERN_DEV_OK;
  return d->ops->sync(d, b->dev_addr - d->dma_base + off, len, dir);
}

/* ---- ring -------------------------------------------------------------------- */

/* Entries written by the CPU must reach memory before the doorbell does. */
static void doorbell_barrier(void) {
#if defined(__aarch64__)
  __asm__ __volatile__("dsb st" ::: "memory");
#else
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

static void refresh(tern_dev *d) {
  if (!d->ring_n) return;
  uint32_t h = rd(d, TERN_REG(RING_HEAD));
  if (h >= d->ring_n) return; /* not ours; the device reports RING errors */
  d->retired += (h - d->head_seen) & (d->ring_n - 1u);
  d->head_seen = h;
}

int tern_dev_ring_init(tern_dev *d, uint32_t entries) {
  if (!d) return TERN_DEV_ERR_ARG;
  if (entries < 2 || entries > 65536 || (entries & (entries - 1u))) return TERN_DEV_ERR_RING;
  tern_dev_info info;
  tern_dev_info_get(d, &info);
  size_t align = info.bus_bytes > TERN_CMD_BYTES ? info.bus_bytes : TERN_CMD_BYTES;
  tern_dev_buf nb;
  int st = tern_dev_dma_alloc(d, (size_t)entries * TERN_CMD_BYTES, align, &nb);
  if (st != TERN_DEV_OK) return st;
  wr(d, TERN_REG(CTRL), 0);
  if (d->ring_n) tern_dev_dma_free(d, &d->ring);
  d->ring = nb;
  memset(nb.host, 0, nb.size);
  tern_dev_dma_sync(d, &d->ring, 0, nb.size, TERN_DEV_TO_DEVICE);
  wr(d, TERN_REG(RING_BASE_LO), (uint32_t)nb.dev_addr);
  wr(d, TERN_REG(RING_BASE_HI), (uint32_t)(nb.dev_addr >> 32));
  wr(d, TERN_REG(RING_SIZE), entries);
  wr(d, TERN_REG(RING_TAIL), 0);
  wr(d, TERN_REG(CTRL), TERN_REGS__CTRL__SOFT_RESET_bm); /* head := tail = 0, error cleared */
  wr(d, TERN_REG(IRQ_STATUS), 7u);
  int irq = d->ops->irq_mode && d->ops->irq_mode(d);
  wr(d, TERN_REG(IRQ_ENABLE),
     irq ? TERN_REGS__IRQ_ENABLE__DONE_bm | TERN_REGS__IRQ_ENABLE__ERROR_bm : 0u);
  d->ring_n = entries;
  d->tail = 0;
  d->head_seen = 0;
  d->retired = d->submitted;
  return wr(d, TERN_REG(CTRL), TERN_REGS__CTRL__ENABLE_bm);
}

uint32_t tern_dev_ring_space(tern_dev *d) {
  if (!d || !d->ring_n) return 0;
  refresh(d);
  uint64_t out = d->submitted - d->retired;
  return out >= d->ring_n - 1u ? 0 : (uint32_t)(d->ring_n - 1u - out);
}

uint64_t tern_dev_retired(tern_dev *d) {
  if (!d) return 0;
  refresh(d);
  return d->retired;
}

int tern_dev_submit(tern_dev *d, const tern_cmd *cmds, uint32_t n, uint64_t *seq_end) {
  if (!d || (!cmds && n)) return TERN_DEV_ERR_ARG;
  if (!d->ring_n) return TERN_DEV_ERR_RING;
  if (n > tern_dev_ring_space(d)) return TERN_DEV_ERR_RING_FULL;
  int irq = d->ops->irq_mode && d->ops->irq_mode(d);
  uint32_t t = d->tail;
  for (uint32_t i = 0; i < n; i++) {
    tern_cmd c = cmds[i];
    if (irq && i + 1 == n) c.flags |= TERN_CMD_FLAG_IRQ;
    tern_cmd_encode(&c, (uint8_t *)d->ring.host + (size_t)t * TERN_CMD_BYTES);
    t = (t + 1u) & (d->ring_n - 1u);
  }
  if (n) {
    /* the written entries: [tail, end) and, after a wrap, [0, t) */
    uint32_t first = d->tail, upto = first + n <= d->ring_n ? first + n : d->ring_n;
    tern_dev_dma_sync(d, &d->ring, (size_t)first * TERN_CMD_BYTES,
                      (size_t)(upto - first) * TERN_CMD_BYTES, TERN_DEV_TO_DEVICE);
    if (first + n > d->ring_n)
      tern_dev_dma_sync(d, &d->ring, 0, (size_t)t * TERN_CMD_BYTES, TERN_DEV_TO_DEVICE);
    doorbell_barrier();
    int st = wr(d, TERN_REG(RING_TAIL), t);
    if (st != TERN_DEV_OK) return st;
    d->tail = t;
    d->submitted += n;
  }
  if (seq_end) *seq_end = d->submitted;
  return TERN_DEV_OK;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tern_dev_wait(tern_dev *d, uint64_t seq, int timeout_ms, tern_dev_fault *fault) {
  if (!d) return TERN_DEV_ERR_ARG;
  if (seq == TERN_DEV_SEQ_ALL) seq = d->submitted;
  if (seq > d->submitted) return TERN_DEV_ERR_ARG;
  if (fault) memset(fault, 0, sizeof *fault);
  const int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : 0;
  for (;;) {
    refresh(d);
    if (d->retired >= seq) return TERN_DEV_OK;
    if (rd(d, TERN_REG(STATUS)) & TERN_REGS__STATUS__ERROR_bm) {
      refresh(d); /* a stopped accelerator's head no longer moves */
      if (d->retired >= seq) return TERN_DEV_OK;
      if (fault) {
        fault->hw_code = rd(d, TERN_REG(ERR_CODE)) & TERN_REGS__ERR_CODE__CODE_bm;
        fault->cmd_index = rd(d, TERN_REG(ERR_CMD_INDEX));
        fault->seq = d->retired;
        if (d->ring_n && fault->cmd_index < d->ring_n) {
          tern_cmd c;
          tern_cmd_decode((const uint8_t *)d->ring.host + (size_t)fault->cmd_index * TERN_CMD_BYTES,
                          &c);
          fault->tag = c.tag;
        }
      }
      return TERN_DEV_ERR_HW;
    }
    int left = -1;
    if (timeout_ms >= 0) {
      int64_t l = deadline - now_ms();
      if (l <= 0) return TERN_DEV_ERR_TIMEOUT;
      left = l > 0x7fffffff ? 0x7fffffff : (int)l;
    }
    int st = d->ops->progress(d, left);
    if (st != TERN_DEV_OK) {
      /* one last look: progress may have finished the work */
      refresh(d);
      if (d->retired >= seq) return TERN_DEV_OK;
      if (st == TERN_DEV_ERR_TIMEOUT && (rd(d, TERN_REG(STATUS)) & TERN_REGS__STATUS__ERROR_bm))
        continue; /* report the error instead */
      return st;
    }
  }
}

int tern_dev_soft_reset(tern_dev *d) {
  if (!d) return TERN_DEV_ERR_ARG;
  uint32_t en = rd(d, TERN_REG(CTRL)) & TERN_REGS__CTRL__ENABLE_bm;
  int st = wr(d, TERN_REG(CTRL), en | TERN_REGS__CTRL__SOFT_RESET_bm);
  if (st != TERN_DEV_OK) return st;
  wr(d, TERN_REG(IRQ_STATUS), 7u);
  if (d->ring_n) {
    uint32_t h = rd(d, TERN_REG(RING_HEAD));
    d->head_seen = h < d->ring_n ? h : d->tail;
  }
  d->retired = d->submitted;
  return TERN_DEV_OK;
}

/* ---- perf ------------------------------------------------------------------------ */

int tern_dev_perf_read(tern_dev *d, tern_dev_perf *p) {
  if (!d || !p) return TERN_DEV_ERR_ARG;
  uint32_t en = rd(d, TERN_REG(CTRL)) & TERN_REGS__CTRL__ENABLE_bm;
  int st = wr(d, TERN_REG(CTRL), en | TERN_REGS__CTRL__PERF_SNAPSHOT_bm);
  if (st != TERN_DEV_OK) return st;
  uint64_t v[10];
  for (unsigned i = 0; i < 10; i++) {
    uint32_t off = TERN_REG(PERF_BUSY_CYCLES_LO) + 8u * i;
    v[i] = (uint64_t)rd(d, off) | ((uint64_t)rd(d, off + 4u) << 32);
  }
  p->busy_cycles = v[0];
  p->stall_weights = v[1];
  p->stall_acts = v[2];
  p->stall_results = v[3];
  p->bytes_read = v[4];
  p->bytes_written = v[5];
  p->weight_bytes = v[6];
  p->adds = v[7];
  p->zero_trits = v[8];
  p->commands = v[9];
  return TERN_DEV_OK;
}

int tern_dev_perf_clear(tern_dev *d) {
  if (!d) return TERN_DEV_ERR_ARG;
  uint32_t en = rd(d, TERN_REG(CTRL)) & TERN_REGS__CTRL__ENABLE_bm;
  return wr(d, TERN_REG(CTRL), en | TERN_REGS__CTRL__PERF_CLEAR_bm);
}

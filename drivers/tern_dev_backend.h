/*
 * Private: what a tern_dev backend provides (drivers/backend_*.c) and the
 * device state the dispatch layer (drivers/tern_dev.c) keeps for all of
 * them. Not installed; only backends and the driver's own tests include it.
 *
 * Adding a backend (the future "rtl" one): write drivers/backend_rtl.c that
 * defines `const tern_dev_ops tern_dev_backend_rtl = {...}` and link its
 * object into the binaries that want it. tern_dev.c refers to that symbol
 * weakly, so binaries without it still link and tern_dev_open("rtl") returns
 * TERN_DEV_ERR_NOT_BUILT. Link the object itself (or its archive with
 * --whole-archive): a weak reference does not pull a member out of a
 * static library.
 */
#ifndef TERN_DEV_BACKEND_H
#define TERN_DEV_BACKEND_H

#include "tern_dev.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tern_dev_ops {
  const char *name;
  /* Set d->be, d->dma_host, d->dma_base, d->dma_size; return a status.
   * On failure release everything (close is not called). */
  int (*open)(tern_dev *d, const char *options);
  void (*close)(tern_dev *d);
  int (*reg_read)(tern_dev *d, uint32_t off, uint32_t *v);
  int (*reg_write)(tern_dev *d, uint32_t off, uint32_t v);
  /* Cache maintenance of [off, off+len) of the DMA memory (offsets from
   * dma_base). NULL: nothing to do. */
  int (*sync)(tern_dev *d, uint64_t off, uint64_t len, tern_dev_dir dir);
  /* Called by tern_dev_wait when the awaited commands are not done yet:
   * make progress or block until the device may have changed, for at most
   * timeout_ms (< 0: no limit). TERN_DEV_OK to look again, or
   * TERN_DEV_ERR_TIMEOUT if nothing can change (cmodel: idle model). */
  int (*progress)(tern_dev *d, int timeout_ms);
  /* Optional: fill what HWCFG does not say (tile_rows, has_cycles). */
  void (*info)(tern_dev *d, tern_dev_info *info);
  /* Nonzero if interrupts are in use (submit sets TERN_CMD_FLAG_IRQ and
   * ring_init enables IRQ_ENABLE.DONE|ERROR). */
  int (*irq_mode)(tern_dev *d);
} tern_dev_ops;

/* One allocated block of DMA memory (offsets from dma_base). */
typedef struct tern_dev_blk {
  uint64_t off, size;
} tern_dev_blk;

struct tern_dev {
  const tern_dev_ops *ops;
  void *be; /* backend state */
  /* DMA memory, set by the backend's open */
  uint8_t *dma_host;
  uint64_t dma_base, dma_size;
  void *open_arg; /* from tern_dev_open_ops, for the backend's open */
  /* allocator: blocks sorted by offset */
  tern_dev_blk *blk;
  size_t nblk, cap_blk;
  /* ring */
  tern_dev_buf ring;
  uint32_t ring_n, tail, head_seen;
  uint64_t submitted, retired;
};

/* tern_dev_open with an explicit backend (e.g. one a test or a binary
 * links itself) and an argument its open may read as d->open_arg. */
int tern_dev_open_ops(tern_dev **out, const tern_dev_ops *ops, const char *options, void *open_arg);

/* Options parser shared by the backends: calls fn(ctx, key, value) for each
 * "key=value" (value "" for a bare key); stops at the first nonzero return. */
int tern_dev_opts_each(const char *options, int (*fn)(void *ctx, const char *key, const char *val),
                       void *ctx);
/* "123", "0x1f", with an optional K/M/G suffix (powers of 1024). */
int tern_dev_parse_u64(const char *s, uint64_t *v);

extern const tern_dev_ops tern_dev_backend_cmodel;
extern const tern_dev_ops tern_dev_backend_uio;

#ifdef __cplusplus
}
#endif

#endif /* TERN_DEV_BACKEND_H */

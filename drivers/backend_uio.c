/* "uio" backend: a tern accelerator in the programmable logic of a Linux
 * SoC (KV260 and the like), driven from user space.
 *
 *   registers   /dev/uioN, map M mmap'ed at offset M * page size
 *               (uio_pdrv_genirq, "generic-uio" device tree node)
 *   interrupt   write(fd, 1) unmasks, read(fd) returns the event count
 *   DMA memory  u-dma-buf: /dev/udmabufN mmap'ed, device address and size
 *               from /sys/class/u-dma-buf/udmabufN/{phys_addr,size}
 *   caches      sysfs sync_offset/sync_size/sync_direction + sync_for_device
 *               / sync_for_cpu, unless dma_coherent or opened with O_SYNC
 *
 * Options (docs/driver.md):
 *   uio=/dev/uio0  map=0  uio_sysfs=DIR (default /sys/class/uio/<name>)
 *   udmabuf=udmabuf0  udmabuf_dev=PATH  udmabuf_sysfs=DIR
 *   irq=1 (0: poll)  irqfd=N (interrupts on an fd the caller opened)
 *   sync=auto|sysfs|osync|none  poll_us=20  tile_rows=N  mem=SIZE
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "backend_uio.h"
#include "tern_sys.h" /* TERN_REG */

enum { SYNC_AUTO, SYNC_SYSFS, SYNC_OSYNC, SYNC_NONE };

typedef struct uio_opts {
  char uio[256], uio_sysfs[256], udmabuf[64], udmabuf_dev[256], udmabuf_sysfs[256];
  uint64_t map, irq, irqfd, poll_us, tile_rows, mem;
  int have_irqfd, sync;
} uio_opts;

typedef struct uio {
  int fd, irqfd, own_irqfd, buf_fd;
  volatile uint32_t *regs;
  size_t regs_len;
  uint8_t *buf;
  size_t buf_len;
  int irq, sync;
  uint32_t poll_us, tile_rows;
  char sync_dir[256];
  tern_uio_hook hook;
} uio;

static int copy_opt(char *dst, size_t n, const char *v) {
  if (strlen(v) >= n || !*v) return TERN_DEV_ERR_OPTION;
  memcpy(dst, v, strlen(v) + 1);
  return TERN_DEV_OK;
}

static int uio_opt(void *ctx, const char *key, const char *val) {
  uio_opts *o = ctx;
  if (!strcmp(key, "uio")) return copy_opt(o->uio, sizeof o->uio, val);
  if (!strcmp(key, "uio_sysfs")) return copy_opt(o->uio_sysfs, sizeof o->uio_sysfs, val);
  if (!strcmp(key, "udmabuf")) return copy_opt(o->udmabuf, sizeof o->udmabuf, val);
  if (!strcmp(key, "udmabuf_dev")) return copy_opt(o->udmabuf_dev, sizeof o->udmabuf_dev, val);
  if (!strcmp(key, "udmabuf_sysfs"))
    return copy_opt(o->udmabuf_sysfs, sizeof o->udmabuf_sysfs, val);
  if (!strcmp(key, "map")) return tern_dev_parse_u64(val, &o->map);
  if (!strcmp(key, "irq")) return tern_dev_parse_u64(val, &o->irq);
  if (!strcmp(key, "poll_us")) return tern_dev_parse_u64(val, &o->poll_us);
  if (!strcmp(key, "tile_rows")) return tern_dev_parse_u64(val, &o->tile_rows);
  if (!strcmp(key, "mem")) return tern_dev_parse_u64(val, &o->mem);
  if (!strcmp(key, "irqfd")) {
    o->have_irqfd = 1;
    return tern_dev_parse_u64(val, &o->irqfd);
  }
  if (!strcmp(key, "sync")) {
    if (!strcmp(val, "auto"))
      o->sync = SYNC_AUTO;
    else if (!strcmp(val, "sysfs"))
      o->sync = SYNC_SYSFS;
    else if (!strcmp(val, "osync"))
      o->sync = SYNC_OSYNC;
    else if (!strcmp(val, "none"))
      o->sync = SYNC_NONE;
    else
      return TERN_DEV_ERR_OPTION;
    return TERN_DEV_OK;
  }
  return TERN_DEV_ERR_OPTION;
}

/* A sysfs attribute as a number ("0x7e000000\n", "1048576\n"). */
static int read_attr(const char *dir, const char *name, uint64_t *v) {
  char path[400], text[64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return TERN_DEV_ERR_IO;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return TERN_DEV_ERR_IO;
  text[n] = 0;
  char *e;
  errno = 0;
  unsigned long long x = strtoull(text, &e, 0);
  if (e == text || errno) return TERN_DEV_ERR_IO;
  while (*e == '\n' || *e == ' ') e++;
  if (*e) return TERN_DEV_ERR_IO;
  *v = x;
  return TERN_DEV_OK;
}

/* Writing an attribute as `echo v > attr` does (O_TRUNC is what sysfs expects
 * from a shell, and keeps a plain file in the mock exact). */
static int write_attr(const char *dir, const char *name, uint64_t v) {
  char path[400], text[32];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return TERN_DEV_ERR_IO;
  int n = snprintf(text, sizeof text, "%llu\n", (unsigned long long)v);
  ssize_t w = write(fd, text, (size_t)n);
  close(fd);
  return w == n ? TERN_DEV_OK : TERN_DEV_ERR_IO;
}

static void uio_release(uio *u) {
  if (u->regs) munmap((void *)u->regs, u->regs_len);
  if (u->buf) munmap(u->buf, u->buf_len);
  if (u->fd >= 0) close(u->fd);
  if (u->buf_fd >= 0) close(u->buf_fd);
  if (u->own_irqfd && u->irqfd >= 0) close(u->irqfd);
  free(u);
}

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static int uio_open(tern_dev *d, const char *options) {
  uio_opts o;
  memset(&o, 0, sizeof o);
  strcpy(o.uio, "/dev/uio0");
  strcpy(o.udmabuf, "udmabuf0");
  o.irq = 1;
  o.poll_us = 20;
  o.sync = SYNC_AUTO;
  int st = tern_dev_opts_each(options, uio_opt, &o);
  if (st != TERN_DEV_OK) return st;
  if (o.irq > 1 || o.poll_us > 1000000 || o.tile_rows > UINT32_MAX || o.map > 4 ||
      (o.have_irqfd && o.irqfd > 65535))
    return TERN_DEV_ERR_OPTION;
  if (!o.uio_sysfs[0])
    snprintf(o.uio_sysfs, sizeof o.uio_sysfs, "/sys/class/uio/%s", base_name(o.uio));
  if (!o.udmabuf_dev[0]) snprintf(o.udmabuf_dev, sizeof o.udmabuf_dev, "/dev/%s", o.udmabuf);
  if (!o.udmabuf_sysfs[0])
    snprintf(o.udmabuf_sysfs, sizeof o.udmabuf_sysfs, "/sys/class/u-dma-buf/%s", o.udmabuf);

  uio *u = calloc(1, sizeof *u);
  if (!u) return TERN_DEV_ERR_NOMEM;
  u->fd = u->buf_fd = u->irqfd = -1;
  u->irq = (int)o.irq;
  u->poll_us = (uint32_t)o.poll_us;
  u->tile_rows = (uint32_t)o.tile_rows;
  if (d->open_arg) u->hook = *(const tern_uio_hook *)d->open_arg;
  snprintf(u->sync_dir, sizeof u->sync_dir, "%s", o.udmabuf_sysfs);

  /* registers */
  const long page = sysconf(_SC_PAGESIZE);
  u->fd = open(o.uio, O_RDWR | O_CLOEXEC);
  if (u->fd < 0) goto io_fail;
  char mapdir[300];
  uint64_t rlen = 0;
  snprintf(mapdir, sizeof mapdir, "%s/maps/map%u", o.uio_sysfs, (unsigned)o.map);
  if (read_attr(mapdir, "size", &rlen) != TERN_DEV_OK) rlen = (uint64_t)page;
  if (rlen < sizeof(tern_regs_t) || rlen > (1u << 24)) goto io_fail;
  u->regs_len = (size_t)rlen;
  void *r = mmap(NULL, u->regs_len, PROT_READ | PROT_WRITE, MAP_SHARED, u->fd,
                 (off_t)(o.map * (uint64_t)page));
  if (r == MAP_FAILED) goto io_fail;
  u->regs = r;

  /* DMA memory */
  uint64_t phys = 0, size = 0, coherent = 0;
  if (read_attr(o.udmabuf_sysfs, "phys_addr", &phys) != TERN_DEV_OK ||
      read_attr(o.udmabuf_sysfs, "size", &size) != TERN_DEV_OK || size == 0 || size > SIZE_MAX)
    goto io_fail;
  if (o.mem && o.mem < size) size = o.mem;
  (void)read_attr(o.udmabuf_sysfs, "dma_coherent", &coherent); /* absent on old versions */
  u->sync = o.sync == SYNC_AUTO ? (coherent ? SYNC_NONE : SYNC_SYSFS) : o.sync;
  u->buf_fd = open(o.udmabuf_dev, O_RDWR | O_CLOEXEC | (u->sync == SYNC_OSYNC ? O_SYNC : 0));
  if (u->buf_fd < 0) goto io_fail;
  u->buf_len = (size_t)size;
  void *b = mmap(NULL, u->buf_len, PROT_READ | PROT_WRITE, MAP_SHARED, u->buf_fd, 0);
  if (b == MAP_FAILED) goto io_fail;
  u->buf = b;

  /* interrupts */
  if (o.have_irqfd) {
    u->irqfd = (int)o.irqfd;
    if (fcntl(u->irqfd, F_GETFD) < 0) goto io_fail;
  } else {
    u->irqfd = u->fd;
  }

  d->be = u;
  d->dma_host = u->buf;
  d->dma_base = phys;
  d->dma_size = size;
  return TERN_DEV_OK;
io_fail:
  uio_release(u);
  return TERN_DEV_ERR_IO;
}

static void uio_close(tern_dev *d) { uio_release(d->be); }

static int uio_reg_read(tern_dev *d, uint32_t off, uint32_t *v) {
  uio *u = d->be;
  if (off + 4u > u->regs_len) return TERN_DEV_ERR_REG;
  *v = u->regs[off / 4u];
  return TERN_DEV_OK;
}

static int uio_reg_write(tern_dev *d, uint32_t off, uint32_t v) {
  uio *u = d->be;
  if (off + 4u > u->regs_len) return TERN_DEV_ERR_REG;
  u->regs[off / 4u] = v;
  if (u->hook.reg_written) u->hook.reg_written(u->hook.ctx, off, v);
  return TERN_DEV_OK;
}

static int uio_sync(tern_dev *d, uint64_t off, uint64_t len, tern_dev_dir dir) {
  uio *u = d->be;
  if (u->sync != SYNC_SYSFS) return TERN_DEV_OK;
  /* whole cache lines: a partial line would be written back or dropped anyway */
  uint64_t lo = off & ~63ull, hi = (off + len + 63u) & ~63ull;
  if (hi > u->buf_len) hi = u->buf_len;
  int st = write_attr(u->sync_dir, "sync_offset", lo);
  if (st == TERN_DEV_OK) st = write_attr(u->sync_dir, "sync_size", hi - lo);
  if (st == TERN_DEV_OK)
    st = write_attr(u->sync_dir, "sync_direction", dir == TERN_DEV_TO_DEVICE ? 1u : 2u);
  if (st == TERN_DEV_OK)
    st = write_attr(u->sync_dir, dir == TERN_DEV_TO_DEVICE ? "sync_for_device" : "sync_for_cpu", 1);
  return st;
}

static int uio_progress(tern_dev *d, int timeout_ms) {
  uio *u = d->be;
  if (!u->irq) {
    long us = u->poll_us;
    if (timeout_ms >= 0 && (long)timeout_ms * 1000 < us) us = (long)timeout_ms * 1000;
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
    return TERN_DEV_OK;
  }
  /* Unmask, sleep until the line rises, then clear the cause. The level
   * interrupt stays high until IRQ_STATUS is cleared, so an event between
   * the caller's last look and the unmask still wakes us. */
  uint32_t one = 1, count;
  if (write(u->irqfd, &one, sizeof one) != (ssize_t)sizeof one) return TERN_DEV_ERR_IO;
  struct pollfd p = {.fd = u->irqfd, .events = POLLIN};
  int r = poll(&p, 1, timeout_ms);
  if (r < 0 && errno != EINTR) return TERN_DEV_ERR_IO;
  if (r > 0) {
    if (read(u->irqfd, &count, sizeof count) != (ssize_t)sizeof count) return TERN_DEV_ERR_IO;
    uio_reg_write(d, TERN_REG(IRQ_STATUS), 7u);
  }
  return TERN_DEV_OK; /* the caller's deadline decides about timeouts */
}

static void uio_info(tern_dev *d, tern_dev_info *info) {
  uio *u = d->be;
  if (u->tile_rows) info->eng.tile_rows = u->tile_rows; /* option overrides HWCFG3 */
  info->has_cycles = 1;
}

static int uio_irq_mode(tern_dev *d) { return ((uio *)d->be)->irq; }

const tern_dev_ops tern_dev_backend_uio = {
    .name = "uio",
    .open = uio_open,
    .close = uio_close,
    .reg_read = uio_reg_read,
    .reg_write = uio_reg_write,
    .sync = uio_sync,
    .progress = uio_progress,
    .info = uio_info,
    .irq_mode = uio_irq_mode,
};

int tern_dev_open_uio_hooked(tern_dev **out, const char *options, const tern_uio_hook *hook) {
  tern_uio_hook h = {0};
  if (hook) h = *hook;
  return tern_dev_open_ops(out, &tern_dev_backend_uio, options, &h);
}

/* Mock KV260 for the uio backend (mock_uio.h). The device thread behaves
 * like uio_pdrv_genirq + the accelerator: it executes commands whenever the
 * model can progress, republishes every register into the mapped window,
 * and sends one 4-byte event count per interrupt, after which the line is
 * masked until the driver writes a re-arm word. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mock_uio.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REGS_LEN 4096u

struct mock_uio {
  char dir[256], opts[2048];
  tern_sys sys;
  tern_sys_mem mem;
  uint32_t *regs;
  uint8_t *buf;
  size_t buf_len;
  int sock[2]; /* [0] the driver's irq fd, [1] the device's end */
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int quit, unmasked, started;
  unsigned irqs;
};

static int write_file(const char *dir, const char *name, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (!f) return -1;
  fputs(text, f);
  return fclose(f);
}

static void *map_file(const char *dir, const char *name, size_t len) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return NULL;
  void *r = ftruncate(fd, (off_t)len) == 0
                ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                : MAP_FAILED;
  close(fd);
  return r == MAP_FAILED ? NULL : r;
}

/* Every register as the hardware would answer a read. Caller holds mu. */
static void publish(mock_uio *m) {
  for (uint32_t off = 0; off < sizeof(tern_regs_t); off += 4) {
    uint32_t v = 0;
    (void)tern_sys_reg_read(&m->sys, off, &v);
    __atomic_store_n(&m->regs[off / 4], v, __ATOMIC_RELEASE);
  }
}

static void *device_main(void *arg) {
  mock_uio *m = arg;
  pthread_mutex_lock(&m->mu);
  while (!m->quit) {
    uint32_t w;
    while (read(m->sock[1], &w, sizeof w) == (ssize_t)sizeof w) m->unmasked = 1;
    int r = tern_sys_step(&m->sys, &m->mem);
    publish(m);
    if (m->unmasked && tern_sys_irq(&m->sys)) {
      uint32_t count = ++m->irqs;
      m->unmasked = 0;
      if (write(m->sock[1], &count, sizeof count) != (ssize_t)sizeof count) m->irqs--;
    }
    if (r != 1) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += 200000;
      if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
      pthread_cond_timedwait(&m->cv, &m->mu, &ts);
    }
  }
  pthread_mutex_unlock(&m->mu);
  return NULL;
}

static void hook_write(void *ctx, uint32_t off, uint32_t v) {
  mock_uio *m = ctx;
  pthread_mutex_lock(&m->mu);
  (void)tern_sys_reg_write(&m->sys, off, v);
  publish(m);
  pthread_cond_signal(&m->cv);
  pthread_mutex_unlock(&m->mu);
}

mock_uio *mock_uio_start(const tern_sys_params *p, size_t mem, uint64_t phys, int coherent) {
  mock_uio *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->sock[0] = m->sock[1] = -1;
  const char *tmp = getenv("TMPDIR");
  snprintf(m->dir, sizeof m->dir, "%s/tern-mock-uio-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(m->dir) || tern_sys_init(&m->sys, p) != TERN_OK) goto fail;
  char d[400], t[64];
  snprintf(d, sizeof d, "%s/sys_uio", m->dir);
  mkdir(d, 0700);
  snprintf(d, sizeof d, "%s/sys_uio/maps", m->dir);
  mkdir(d, 0700);
  snprintf(d, sizeof d, "%s/sys_uio/maps/map0", m->dir);
  mkdir(d, 0700);
  snprintf(t, sizeof t, "0x%08x\n", REGS_LEN);
  if (write_file(d, "size", t)) goto fail;
  snprintf(d, sizeof d, "%s/sys_udmabuf", m->dir);
  mkdir(d, 0700);
  snprintf(t, sizeof t, "0x%016llx\n", (unsigned long long)phys);
  if (write_file(d, "phys_addr", t)) goto fail;
  snprintf(t, sizeof t, "%zu\n", mem);
  if (write_file(d, "size", t) || write_file(d, "dma_coherent", coherent ? "1\n" : "0\n"))
    goto fail;
  static const char *const attrs[] = {"sync_offset", "sync_size", "sync_direction", "sync_for_cpu",
                                      "sync_for_device"};
  for (unsigned i = 0; i < 5; i++)
    if (write_file(d, attrs[i], "")) goto fail;
  m->regs = map_file(m->dir, "uio0", REGS_LEN);
  m->buf = map_file(m->dir, "udmabuf0", mem);
  m->buf_len = mem;
  if (!m->regs || !m->buf) goto fail;
  m->mem = (tern_sys_mem){m->buf, phys, mem, NULL, NULL};
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, m->sock)) goto fail;
  fcntl(m->sock[1], F_SETFL, O_NONBLOCK);
  pthread_mutex_init(&m->mu, NULL);
  pthread_cond_init(&m->cv, NULL);
  pthread_mutex_lock(&m->mu);
  publish(m);
  pthread_mutex_unlock(&m->mu);
  if (pthread_create(&m->th, NULL, device_main, m)) {
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    goto fail;
  }
  m->started = 1;
  return m;
fail:
  mock_uio_stop(m);
  return NULL;
}

static void rm(const char *dir, const char *name) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  if (unlink(p) && errno == EISDIR) rmdir(p);
  rmdir(p);
}

void mock_uio_stop(mock_uio *m) {
  if (!m) return;
  if (m->started) {
    pthread_mutex_lock(&m->mu);
    m->quit = 1;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->th, NULL);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
  }
  if (m->regs) munmap(m->regs, REGS_LEN);
  if (m->buf) munmap(m->buf, m->buf_len);
  for (int i = 0; i < 2; i++)
    if (m->sock[i] >= 0) close(m->sock[i]);
  if (m->dir[0] && strstr(m->dir, "tern-mock-uio-")) {
    static const char *const files[] = {"uio0",
                                        "udmabuf0",
                                        "sys_uio/maps/map0/size",
                                        "sys_uio/maps/map0",
                                        "sys_uio/maps",
                                        "sys_uio",
                                        "sys_udmabuf/phys_addr",
                                        "sys_udmabuf/size",
                                        "sys_udmabuf/dma_coherent",
                                        "sys_udmabuf/sync_offset",
                                        "sys_udmabuf/sync_size",
                                        "sys_udmabuf/sync_direction",
                                        "sys_udmabuf/sync_for_cpu",
                                        "sys_udmabuf/sync_for_device",
                                        "sys_udmabuf",
                                        "bad_regs"};
    for (unsigned i = 0; i < sizeof files / sizeof *files; i++) rm(m->dir, files[i]);
    rmdir(m->dir);
  }
  free(m);
}

const char *mock_uio_options(mock_uio *m, const char *extra) {
  snprintf(m->opts, sizeof m->opts,
           "uio=%s/uio0,uio_sysfs=%s/sys_uio,udmabuf_dev=%s/udmabuf0,udmabuf_sysfs=%s/sys_udmabuf,"
           "irqfd=%d%s%s",
           m->dir, m->dir, m->dir, m->dir, m->sock[0], extra && *extra ? "," : "",
           extra ? extra : "");
  return m->opts;
}

tern_uio_hook mock_uio_hook(mock_uio *m) { return (tern_uio_hook){hook_write, m}; }

unsigned mock_uio_irqs(mock_uio *m) {
  pthread_mutex_lock(&m->mu);
  unsigned n = m->irqs;
  pthread_mutex_unlock(&m->mu);
  return n;
}

long long mock_uio_attr(mock_uio *m, const char *name) {
  char p[512], t[64];
  snprintf(p, sizeof p, "%s/sys_udmabuf/%s", m->dir, name);
  FILE *f = fopen(p, "r");
  if (!f) return -1;
  size_t n = fread(t, 1, sizeof t - 1, f);
  fclose(f);
  t[n] = 0;
  char *e;
  long long v = strtoll(t, &e, 0);
  return e == t ? -1 : v;
}

uint8_t *mock_uio_mem(mock_uio *m, uint64_t addr) {
  if (addr < m->mem.base || addr - m->mem.base >= m->buf_len) return NULL;
  return m->buf + (addr - m->mem.base);
}

const char *mock_uio_dir(mock_uio *m) { return m->dir; }

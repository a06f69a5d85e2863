/* Driver / firmware test runner: drv_tests [-v] [-f FILTER] [-s SEED] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "drv_tests.h"

int fix_open(tt_ctx *c, drv_fix *f, int kind, const tern_sys_params *p, size_t mem) {
  static const char *const names[] = {"cmodel", "uio-poll", "uio-irq"};
  memset(f, 0, sizeof *f);
  f->kind = kind;
  f->name = names[kind];
  f->p = *p;
  const tern_engine_params *e = &p->eng;
  char opts[512];
  int st;
  if (kind == FIX_CMODEL) {
    f->base = FIX_CMODEL_BASE;
    snprintf(opts, sizeof opts,
             "lanes=%u,word_bytes=%u,batch=%u,max_k=%u,tile_rows=%u,bus=%u,mem=%zu,base=%#llx",
             e->lanes, e->word_bytes, e->batch, e->max_k, e->tile_rows, p->bus_bytes, mem,
             (unsigned long long)f->base);
    st = tern_dev_open(&f->d, "cmodel", opts);
  } else {
    f->base = FIX_UIO_PHYS;
    f->mock = mock_uio_start(p, mem, f->base, 0);
    if (!TT_CHECK(c, f->mock != NULL)) return 0;
    snprintf(opts, sizeof opts, "irq=%d,tile_rows=%u,poll_us=5", kind == FIX_UIO_IRQ, e->tile_rows);
    tern_uio_hook h = mock_uio_hook(f->mock);
    st = tern_dev_open_uio_hooked(&f->d, mock_uio_options(f->mock, opts), &h);
  }
  if (st != TERN_DEV_OK) fprintf(stderr, "  %s open: %s\n", f->name, tern_dev_strerror(st));
  TT_EQ_INT(c, st, TERN_DEV_OK);
  if (st != TERN_DEV_OK) {
    fix_close(f);
    return 0;
  }
  return 1;
}

void fix_close(drv_fix *f) {
  tern_dev_close(f->d);
  f->d = NULL;
  mock_uio_stop(f->mock);
  f->mock = NULL;
}

int main(int argc, char **argv) {
  tt_ctx c = {0};
  if (tt_args(&c, argc, argv)) return 2;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
#define RUN_SUITE(name) suite_##name(&c);
  DRV_SUITES(RUN_SUITE)
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
  printf("drv: %d passed, %d failed (%.2f s, seed %#llx)\n", c.passed, c.failed, s,
         (unsigned long long)c.seed);
  return c.failed ? 1 : 0;
}

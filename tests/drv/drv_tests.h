/* tests/drv: the driver, scheduling-core and tern_fw test runner. */
#ifndef TERN_DRV_TESTS_H
#define TERN_DRV_TESTS_H

#include "../tt.h"
#include "mock_uio.h"
#include "tern_dev.h"

void suite_dev(tt_ctx *c);
void suite_sched(tt_ctx *c);
void suite_fw(tt_ctx *c);
#define DRV_SUITES(X) X(dev) X(sched) X(fw)

/* One device under test: the cmodel backend, or the uio backend against the
 * mock board, polling or with interrupts. */
enum { FIX_CMODEL, FIX_UIO_POLL, FIX_UIO_IRQ, FIX_KINDS };
typedef struct drv_fix {
  int kind;
  const char *name;
  tern_dev *d;
  mock_uio *mock;
  tern_sys_params p;
  uint64_t base;
} drv_fix;

#define FIX_CMODEL_BASE 0x40000000ull
#define FIX_UIO_PHYS 0x800000000ull /* above 4 GiB: exercises the _HI registers */

int fix_open(tt_ctx *c, drv_fix *f, int kind, const tern_sys_params *p, size_t mem);
void fix_close(drv_fix *f);

#endif

/* A stand-in for a KV260 running tern, for the uio backend's tests: regular
 * files for /dev/uioN (register window) and /dev/udmabufN (DMA memory), a
 * sysfs-like directory tree, a socket pair carrying the uio interrupt
 * protocol, and a device thread running the golden model (tern_sys) on its
 * own mappings of those files. */
#ifndef TERN_MOCK_UIO_H
#define TERN_MOCK_UIO_H

#include "backend_uio.h"
#include "tern_sys.h"

typedef struct mock_uio mock_uio;

/* coherent: what sysfs dma_coherent says. Returns NULL on failure. */
mock_uio *mock_uio_start(const tern_sys_params *p, size_t mem, uint64_t phys, int coherent);
void mock_uio_stop(mock_uio *m);
/* Options for tern_dev_open_uio_hooked naming the mock's files; extra is
 * appended (e.g. "irq=0"). The string lives until the next call. */
const char *mock_uio_options(mock_uio *m, const char *extra);
tern_uio_hook mock_uio_hook(mock_uio *m);
/* Interrupts delivered so far. */
unsigned mock_uio_irqs(mock_uio *m);
/* A number the driver wrote into a sysfs attribute of the mock u-dma-buf
 * (sync_offset, sync_direction, ...); -1 if empty or missing. */
long long mock_uio_attr(mock_uio *m, const char *name);
/* The mock's own view of DMA memory at device address addr. */
uint8_t *mock_uio_mem(mock_uio *m, uint64_t addr);
/* Directory holding the mock's files. */
const char *mock_uio_dir(mock_uio *m);

#endif

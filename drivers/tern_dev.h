/*
 * tern_dev: the one C API to a tern accelerator, whatever runs it.
 *
 * Backends are chosen by name at run time:
 *   "cmodel"  the command-level golden model (cmodel/tern_sys.h) in process,
 *             on a malloc'ed DMA arena; tern_dev_wait() steps the model.
 *   "uio"     a real board under Linux: registers through /dev/uioN (mmap),
 *             interrupts through read()/write() on that fd, DMA memory from
 *             u-dma-buf (/dev/udmabufN + /sys/class/u-dma-buf/udmabufN).
 *   "rtl"     the Verilated accelerator top, in process. It is a separate
 *             object (drivers/backend_rtl.c, not written yet); until a binary
 *             links it, opening "rtl" fails with TERN_DEV_ERR_NOT_BUILT.
 * docs/driver.md describes the options of each backend and the board setup.
 *
 * Every function returns TERN_DEV_OK (0) or a negative code for
 * tern_dev_strerror(); codes of the golden model (tern_status, -1..-8) can
 * come back too and have text there as well. A tern_dev is not thread-safe:
 * one thread drives one device.
 */
#ifndef TERN_DEV_H
#define TERN_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "tern_cmd.h"
#include "tern_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tern_dev_status {
  TERN_DEV_OK = 0,
  TERN_DEV_ERR_ARG = -100,       /* NULL pointer or argument out of range */
  TERN_DEV_ERR_BACKEND = -101,   /* no backend of that name */
  TERN_DEV_ERR_NOT_BUILT = -102, /* backend exists but is not linked into this binary */
  TERN_DEV_ERR_OPTION = -103,    /* unknown or malformed option */
  TERN_DEV_ERR_IO = -104,        /* open/mmap/read/write of a device or sysfs file failed */
  TERN_DEV_ERR_NODEV = -105,     /* no tern accelerator there (ID/VERSION mismatch) */
  TERN_DEV_ERR_NOMEM = -106,     /* host memory allocation failed */
  TERN_DEV_ERR_DMA_NOMEM = -107, /* DMA memory exhausted */
  TERN_DEV_ERR_REG = -108,       /* register offset unmapped or unaligned */
  TERN_DEV_ERR_RING = -109,      /* ring not set up, or bad ring size */
  TERN_DEV_ERR_RING_FULL = -110, /* not enough free ring entries for the submit */
  TERN_DEV_ERR_TIMEOUT = -111,   /* commands did not complete in time */
  TERN_DEV_ERR_HW = -112,        /* accelerator stopped on an error (tern_dev_fault) */
  TERN_DEV_ERR_MODEL = -113,     /* the in-process model failed internally */
} tern_dev_status;

/* Text for a tern_dev_status or tern_status code; never NULL. */
const char *tern_dev_strerror(int code);

typedef struct tern_dev tern_dev;

/* Opens a device. options: comma-separated key=value pairs, backend
 * specific (NULL or "" for the defaults), e.g.
 *   cmodel: "config=small,bus=16,mem=16M,base=0x40000000"
 *   uio:    "uio=/dev/uio0,udmabuf=udmabuf0,irq=1"
 * Checks ID/VERSION, programs the DMA window to the device's DMA memory and
 * leaves the accelerator disabled until tern_dev_ring_init(). */
int tern_dev_open(tern_dev **out, const char *backend, const char *options);
void tern_dev_close(tern_dev *d);
/* Name of the backend in use ("cmodel", ...); "" for NULL. */
const char *tern_dev_backend(const tern_dev *d);

/* 32-bit register access at a byte offset of cmodel/tern_regs.h
 * (TERN_REG(NAME) from cmodel/tern_sys.h). */
int tern_dev_reg_read(tern_dev *d, uint32_t offset, uint32_t *value);
int tern_dev_reg_write(tern_dev *d, uint32_t offset, uint32_t value);

/* What the accelerator is, from HWCFG0..2 (plus what the backend knows:
 * the cmodel knows tile_rows; for uio it is 0 = lanes unless the option
 * tile_rows= says otherwise, as HWCFG does not carry it yet). */
typedef struct tern_dev_info {
  tern_engine_params eng;
  uint32_t bus_bytes; /* alignment of every DMA address and stride */
  uint32_t formats;   /* bit (1 << tern_fmt) per weight format */
  uint32_t max_chain; /* matrices per GEMM command */
  uint32_t version;   /* VERSION register */
  uint64_t dma_base;  /* device address of the DMA memory (= the DMA window) */
  uint64_t dma_size;
  int has_cycles; /* nonzero if the PERF cycle counters count (not on cmodel) */
} tern_dev_info;
int tern_dev_info_get(tern_dev *d, tern_dev_info *info);

/* ---- DMA memory ---------------------------------------------------------- */

/* A block of DMA memory: host is the CPU's view of device address dev_addr. */
typedef struct tern_dev_buf {
  void *host;
  uint64_t dev_addr;
  size_t size;
} tern_dev_buf;

/* First-fit allocation in the device's DMA memory. align: a power of two
 * (0 = 64); dev_addr is a multiple of it. TERN_DEV_ERR_DMA_NOMEM when no gap
 * fits. Contents are not cleared. */
int tern_dev_dma_alloc(tern_dev *d, size_t size, size_t align, tern_dev_buf *out);
/* Frees a block from tern_dev_dma_alloc (TERN_DEV_ERR_ARG if it is not one);
 * clears *b. */
int tern_dev_dma_free(tern_dev *d, tern_dev_buf *b);

typedef enum tern_dev_dir {
  TERN_DEV_TO_DEVICE = 1,   /* CPU wrote, the accelerator will read */
  TERN_DEV_FROM_DEVICE = 2, /* the accelerator wrote, the CPU will read */
} tern_dev_dir;
/* Cache maintenance for [off, off + len) of b: no-op on cmodel, u-dma-buf
 * sync_for_device / sync_for_cpu on uio (unless coherent or O_SYNC). */
int tern_dev_dma_sync(tern_dev *d, const tern_dev_buf *b, size_t off, size_t len, tern_dev_dir dir);

/* ---- command ring --------------------------------------------------------- */

/* Places a ring of `entries` commands (power of two, 2..65536; one entry
 * stays empty) in DMA memory, programs RING_BASE/SIZE, resets head and tail
 * to 0 (soft reset: pending commands of an earlier ring are dropped) and
 * enables the accelerator. With the irq option it also enables the DONE and
 * ERROR interrupts. May be called again to resize. */
int tern_dev_ring_init(tern_dev *d, uint32_t entries);

/* Free ring entries (reads RING_HEAD); 0 without a ring. */
uint32_t tern_dev_ring_space(tern_dev *d);

/* Sequence numbers: the n-th command submitted since open has number n - 1;
 * *seq_end (optional) receives one past the last command written, the value
 * to pass to tern_dev_wait. Writes all n entries at the tail and rings the
 * doorbell (RING_TAIL) once, or writes nothing and returns
 * TERN_DEV_ERR_RING_FULL if fewer than n entries are free. In irq mode the
 * last entry gets TERN_CMD_FLAG_IRQ. Commands are not validated: the
 * accelerator reports bad ones through tern_dev_wait. */
int tern_dev_submit(tern_dev *d, const tern_cmd *cmds, uint32_t n, uint64_t *seq_end);

/* Commands retired so far (completed, or dropped by a soft reset). */
uint64_t tern_dev_retired(tern_dev *d);

/* Why the accelerator stopped. */
typedef struct tern_dev_fault {
  uint32_t hw_code;   /* ERR_CODE: TERN_HWERR_*, tern_hwerr_name() */
  uint32_t cmd_index; /* ERR_CMD_INDEX: ring index of the failing command */
  uint64_t seq;       /* its sequence number */
  uint32_t tag;       /* its tag field */
} tern_dev_fault;

#define TERN_DEV_SEQ_ALL UINT64_MAX /* wait for everything submitted */

/* Waits until every command with a sequence number below seq has completed.
 * timeout_ms < 0 waits forever, 0 checks once. Returns TERN_DEV_OK,
 * TERN_DEV_ERR_TIMEOUT, or TERN_DEV_ERR_HW with *fault (optional) filled
 * when STATUS.ERROR stopped the accelerator first; it stays stopped until
 * tern_dev_soft_reset(). The cmodel backend executes the commands here and
 * times out at once when the model cannot progress (disabled, stopped). */
int tern_dev_wait(tern_dev *d, uint64_t seq, int timeout_ms, tern_dev_fault *fault);

/* CTRL.SOFT_RESET: clears the error, drops pending commands (they count as
 * retired) and clears IRQ_STATUS; the enable bit and the ring stay. */
int tern_dev_soft_reset(tern_dev *d);

/* ---- performance counters ------------------------------------------------- */

typedef struct tern_dev_perf {
  uint64_t busy_cycles, stall_weights, stall_acts, stall_results; /* 0 on cmodel */
  uint64_t bytes_read, bytes_written, weight_bytes, adds, zero_trits, commands;
} tern_dev_perf;

/* CTRL.PERF_SNAPSHOT, then every PERF_* counter as 64 bits. */
int tern_dev_perf_read(tern_dev *d, tern_dev_perf *p);
/* CTRL.PERF_CLEAR. */
int tern_dev_perf_clear(tern_dev *d);

#ifdef __cplusplus
}
#endif

#endif /* TERN_DEV_H */

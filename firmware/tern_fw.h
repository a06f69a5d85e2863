/*
 * tern_fw: what the model runtime (firmware/model) calls to run BitLinear
 * layers on a tern accelerator (the drv/model split of issue 5; prose in
 * docs/driver.md): upload a ternary matrix once (repacked into
 * the engine's weight stream in DMA memory), then tern_fw_gemm() groups of
 * 1..4 matrices sharing an input over a batch of int8 vectors.
 *
 * Built on drivers/tern_dev.h (any backend: "cmodel", "rtl", "uio") and the
 * portable scheduling core firmware/sched/tern_sched.h. Functions return
 * TERN_OK (0) or a negative code: tern_status (tern.h), TERN_DEV_ERR_*
 * (tern_dev.h) or TERN_SCHED_ERR_* (sched/tern_sched.h); tern_fw_strerror()
 * names all of them. Not thread-safe: one thread per tern_fw_accel.
 */
#ifndef TERN_FW_H
#define TERN_FW_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"
#include "tern_dev.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A ternary matrix already in the engine's stream layout in DMA memory. */
typedef struct tern_fw_mat {
  uint32_t rows, k;
  tern_fmt fmt;
  float wscale;
  uint64_t dev_addr;
  void *host_ptr; /* CPU view of the same memory */
  size_t bytes;
} tern_fw_mat;

typedef struct tern_fw_accel tern_fw_accel; /* device + ring + staging + stats */

/* Opens backend `backend` with `options` (tern_dev_open), sets up a
 * 64-entry ring. */
int tern_fw_open(tern_fw_accel **out, const char *backend, const char *options);
/* The same on a device already open; the accel owns it from then on (also
 * when this fails). */
int tern_fw_open_dev(tern_fw_accel **out, tern_dev *dev);
void tern_fw_close(tern_fw_accel *a);
/* The device underneath (for perf counters, registers, DMA memory). */
tern_dev *tern_fw_dev(tern_fw_accel *a);

/* What the accelerator can do. */
typedef struct tern_fw_info {
  uint32_t batch;     /* vectors per command; tern_fw_gemm splits larger batches */
  uint32_t max_k;     /* longest input vector */
  uint32_t max_chain; /* matrices per tern_fw_gemm call */
  uint32_t formats;   /* bit (1 << tern_fmt) per format */
  uint32_t lanes, word_bytes, tile_rows, bus_bytes;
  uint64_t dma_size;
} tern_fw_info;
int tern_fw_info_get(tern_fw_accel *a, tern_fw_info *info);

/* Repacks a rows x k trit matrix (row-major trits[r*k + j] in -1/0/+1) once
 * into the stream layout in DMA memory. TERN_ERR_VALUE for a trit outside
 * -1..1, TERN_SCHED_ERR_KMAX for k > max_k, TERN_SCHED_ERR_FORMAT for a
 * format the hardware lacks, TERN_DEV_ERR_DMA_NOMEM when memory is full. */
int tern_fw_upload(tern_fw_accel *a, const int8_t *trits, uint32_t rows, uint32_t k, tern_fmt fmt,
                   float wscale, tern_fw_mat *out);
/* Gives an uploaded matrix's DMA memory back; clears *m. */
int tern_fw_mat_free(tern_fw_accel *a, tern_fw_mat *m);

/* y[m][b*rows_m + r] = sum_j W_m[r][j] * x[b*k + j] (exact int32), for
 * m < nmat, b < batch. All matrices share k and fmt (else
 * TERN_SCHED_ERR_MATCH); nmat 1..max_chain (else TERN_SCHED_ERR_CHAIN); any
 * batch >= 1. On TERN_DEV_ERR_HW or TERN_DEV_ERR_TIMEOUT the accelerator is
 * soft-reset before returning (tern_fw_last_fault says what happened) and
 * the next call works again; y is then unspecified. */
int tern_fw_gemm(tern_fw_accel *a, const tern_fw_mat *const *mats, unsigned nmat, const int8_t *x,
                 uint32_t batch, int32_t *const *y);

/* The fault behind the last TERN_DEV_ERR_HW of tern_fw_gemm. */
int tern_fw_last_fault(tern_fw_accel *a, tern_dev_fault *fault);

/* Work done, from the accelerator's PERF counters and the firmware's own
 * counts. Cumulative stats cost one counter snapshot per tern_fw_stats_get;
 * per-call stats cost one snapshot per tern_fw_gemm (on by default; turn
 * off with tern_fw_set_call_stats(a, 0) when every microsecond counts). */
typedef struct tern_fw_stats {
  uint64_t calls;                                   /* tern_fw_gemm calls */
  uint64_t commands;                                /* commands submitted */
  uint64_t bytes_read, bytes_written, weight_bytes; /* DMA traffic */
  uint64_t adds, zero_trits;
  uint64_t busy_cycles; /* accelerator clock cycles busy; 0 unless has_cycles */
  int has_cycles;       /* the backend counts cycles (uio, rtl; not cmodel) */
  /* FNV-1a over every int32 result tern_fw_gemm returned, in call order
   * (matrix, batch vector, row): equal across backends iff the integers are. */
  uint64_t result_hash;
} tern_fw_stats;
/* Since tern_fw_open or the last tern_fw_stats_reset (e.g. once per token). */
int tern_fw_stats_get(tern_fw_accel *a, tern_fw_stats *s);
int tern_fw_stats_reset(tern_fw_accel *a);
/* The last tern_fw_gemm alone (zeros when per-call stats are off). */
int tern_fw_call_stats(tern_fw_accel *a, tern_fw_stats *s);
int tern_fw_set_call_stats(tern_fw_accel *a, int on);
/* Wait limit per tern_fw_gemm (default 10000 ms; < 0 forever). */
int tern_fw_set_timeout(tern_fw_accel *a, int timeout_ms);

/* Text for any code the functions above return; never NULL. */
const char *tern_fw_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* TERN_FW_H */

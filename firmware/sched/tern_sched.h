/*
 * tern_sched: the portable scheduling core of the tern firmware.
 *
 * C11, freestanding-capable: no malloc, no stdio, no OS; the caller passes
 * every buffer. The same sources build for the host (inside libterndrv.a)
 * and for a 32-bit RISC-V (make riscv-sched). Pieces:
 *   - the hardware description, decoded from HWCFG registers;
 *   - an arena allocator over DMA memory (device addresses only) and the
 *     memory plan of a whole BitNet model (weights, activation staging,
 *     result buffers, KV cache);
 *   - the command builder: one BitLinear group (1..max_chain matrices that
 *     share an input) times a batch of int8 vectors -> tern_cmd entries,
 *     split into hardware-batch-sized commands;
 *   - the byte layouts around a command: staging int8 inputs with the bus
 *     stride, reading int32 results back, repacking trits into the engine's
 *     weight stream (tern_engine_wstream).
 * Functions return TERN_OK, a tern_status (tern.h) or a TERN_SCHED_ERR_*.
 */
#ifndef TERN_SCHED_H
#define TERN_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"
#include "tern_cmd.h"
#include "tern_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tern_sched_status {
  TERN_SCHED_ERR_KMAX = -200,   /* K larger than the accelerator's MAX_K */
  TERN_SCHED_ERR_CHAIN = -201,  /* 0 matrices, or more than MAX_CHAIN in one group */
  TERN_SCHED_ERR_SPACE = -202,  /* the arena has no room left */
  TERN_SCHED_ERR_MATCH = -203,  /* matrices of a group differ in K or format */
  TERN_SCHED_ERR_ALIGN = -204,  /* address or stride not a multiple of the bus width */
  TERN_SCHED_ERR_WBYTES = -205, /* weight stream length differs from the layout's */
  TERN_SCHED_ERR_CMDS = -206,   /* output command array too small */
  TERN_SCHED_ERR_FORMAT = -207, /* weight format not built into the accelerator */
};

/* Text for a TERN_SCHED_ERR_* or tern_status; never NULL. */
const char *tern_sched_strerror(int code);

/* What the scheduler needs to know about the accelerator. */
typedef struct tern_sched_hw {
  tern_engine_params eng; /* tile_rows 0 means lanes */
  uint32_t bus_bytes;     /* alignment of addresses and strides: 8..64 */
  uint32_t max_chain;     /* matrices per GEMM command */
  uint32_t formats;       /* bit (1 << tern_fmt) per supported format */
} tern_sched_hw;

/* TERN_OK if hw is usable (engine params valid, bus a power of two 8..64,
 * max_chain 1..TERN_CMD_MAX_CHAIN, some format). */
int tern_sched_hw_check(const tern_sched_hw *hw);

/* From the HWCFG0..2 register values (cmodel/tern_regs.h). tile_rows is not
 * in HWCFG yet: pass it if known, else 0 (= lanes). */
int tern_sched_hw_from_regs(tern_sched_hw *hw, uint32_t hwcfg0, uint32_t hwcfg1, uint32_t hwcfg2,
                            uint32_t tile_rows);

/* ---- arena over DMA memory ------------------------------------------------ */

typedef struct tern_arena {
  uint64_t base, size; /* device addresses [base, base + size) */
  uint64_t used;       /* bytes from base handed out so far (with padding) */
} tern_arena;

void tern_arena_init(tern_arena *a, uint64_t base, uint64_t size);
/* *addr = next multiple of align (power of two, 0 = 64); TERN_SCHED_ERR_SPACE
 * without room (the arena is then unchanged). */
int tern_arena_alloc(tern_arena *a, uint64_t bytes, uint64_t align, uint64_t *addr);

/* ---- layouts ---------------------------------------------------------------- */

uint64_t tern_sched_round_up(uint64_t v, uint64_t a);

/* Bytes between staged input vectors: k rounded up to the bus width. */
uint32_t tern_sched_act_stride(const tern_sched_hw *hw, uint32_t k);
/* Bytes between result vectors of one matrix: 4 * rows rounded up to the bus. */
uint32_t tern_sched_res_stride(const tern_sched_hw *hw, uint32_t rows);

/* Copies batch vectors of k int8 (x[b*k + j]) to dst with the given stride,
 * zero-filling each vector's padding. dst_len >= batch * stride. */
int tern_sched_stage_acts(const int8_t *x, uint32_t k, uint32_t batch, uint8_t *dst, size_t dst_len,
                          uint32_t stride);

/* Reads little-endian int32 results: y[b*rows + r] = src[b*stride + 4r..]. */
int tern_sched_read_results(const uint8_t *src, size_t src_len, uint32_t stride, uint32_t rows,
                            uint32_t batch, int32_t *y);

/* Repacks a rows x k trit matrix (row-major, -1/0/+1) into the engine's
 * weight stream at out (tern_engine_wstream_bytes long). scratch holds the
 * row-major packed copy: rows * tern_row_bytes(fmt, k) bytes. */
int tern_sched_wstream_from_trits(const tern_sched_hw *hw, tern_fmt fmt, const int8_t *trits,
                                  uint32_t rows, uint32_t k, uint8_t *scratch, size_t scratch_len,
                                  uint8_t *out, size_t out_len);

/* ---- command builder ------------------------------------------------------- */

/* One BitLinear group applied to a batch: matrix m's weights at w_addr[m]
 * (w_bytes[m] long), its results for vector b at res_addr[m] + b *
 * res_stride; input vector b at act_addr + b * act_stride. */
typedef struct tern_sched_gemm {
  tern_fmt fmt;
  uint32_t k, batch, nmat;
  uint64_t act_addr;
  uint32_t act_stride, res_stride;
  uint64_t w_addr[TERN_CMD_MAX_CHAIN];
  uint32_t w_bytes[TERN_CMD_MAX_CHAIN];
  uint32_t rows[TERN_CMD_MAX_CHAIN];
  uint64_t res_addr[TERN_CMD_MAX_CHAIN];
  uint32_t tag; /* copied into every command */
} tern_sched_gemm;

/* Validates g against hw (format, K, chain length, rows, strides, alignment,
 * weight stream lengths) and returns in *total the number of commands the
 * group needs: ceil(batch / hardware batch). */
int tern_sched_gemm_check(const tern_sched_hw *hw, const tern_sched_gemm *g, uint32_t *total);

/* Writes commands [first, first + *n) of the group into out[0..cap), *n =
 * min(cap, total - first); build a long group in slices of a small array. */
int tern_sched_gemm_build(const tern_sched_hw *hw, const tern_sched_gemm *g, uint32_t first,
                          tern_cmd *out, uint32_t cap, uint32_t *n);

/* ---- model memory plan ---------------------------------------------------- */

/* The BitLinear matrices of a BitNet b1.58 layer, in plan order. */
enum {
  TERN_PLAN_Q,
  TERN_PLAN_K,
  TERN_PLAN_V,
  TERN_PLAN_O,
  TERN_PLAN_GATE,
  TERN_PLAN_UP,
  TERN_PLAN_DOWN,
  TERN_PLAN_NMAT
};

typedef struct tern_plan_model {
  uint32_t hidden, intermediate, layers, heads, kv_heads, head_dim, vocab;
  uint32_t max_seq;       /* KV cache positions per sequence */
  uint32_t max_batch;     /* vectors per tern_fw_gemm call (prefill chunk x sequences) */
  uint32_t seqs;          /* sequences sharing the KV cache space (>= 1) */
  uint32_t kv_elem_bytes; /* 4 (fp32), 2 (fp16) or 1 (int8) */
  tern_fmt fmt;
  int lm_head; /* nonzero: plan a vocab x hidden ternary LM head as well */
} tern_plan_model;

typedef struct tern_plan_region {
  uint64_t addr, bytes;
} tern_plan_region;

typedef struct tern_plan_layer {
  tern_plan_region w[TERN_PLAN_NMAT]; /* weight streams */
  tern_plan_region kv_k, kv_v;        /* seqs x max_seq x kv_heads*head_dim elements */
} tern_plan_layer;

typedef struct tern_plan {
  tern_plan_region act;                     /* int8 staging, max_batch vectors */
  uint32_t act_stride;                      /* for the widest K */
  tern_plan_region res[TERN_CMD_MAX_CHAIN]; /* int32 results, one per chain slot */
  uint32_t res_stride;                      /* for the tallest matrix */
  tern_plan_region lm_head;                 /* bytes 0 unless planned */
  uint64_t total;                           /* bytes taken from the arena, padding included */
} tern_plan;

/* Rows and K of matrix `which` (TERN_PLAN_*) of a layer. */
int tern_plan_mat_dims(const tern_plan_model *m, unsigned which, uint32_t *rows, uint32_t *k);

/* Lays out the model in the arena: staging first, then per layer its seven
 * weight streams and its KV cache, then the LM head. layers[] receives
 * m->layers entries (nlayers_cap >= m->layers). To size DMA memory first,
 * plan into an arena of base 0 and size UINT64_MAX and read plan->total. */
int tern_plan_model_layout(const tern_sched_hw *hw, const tern_plan_model *m, tern_arena *a,
                           tern_plan *plan, tern_plan_layer *layers, uint32_t nlayers_cap);

#ifdef __cplusplus
}
#endif

#endif /* TERN_SCHED_H */

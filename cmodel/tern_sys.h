/*
 * tern_sys: the command-level golden model of the whole accelerator.
 *
 * It holds the software-visible registers (cmodel/tern_regs.h offsets),
 * fetches commands from the ring in a memory image and executes them exactly
 * as the RTL top does: after every command the memory image and the
 * registers (all but cycle counters) must equal the RTL's, byte for byte.
 * docs/commands.md is the prose version of tern_sys_step().
 */
#ifndef TERN_SYS_H
#define TERN_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"
#include "tern_cmd.h"
#include "tern_engine.h"
#include "tern_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Byte offset of a register, from the generated map: TERN_REG(RING_TAIL). */
#define TERN_REG(name) ((uint32_t)offsetof(tern_regs_t, name))

typedef struct tern_sys_params {
  tern_engine_params eng; /* the engine inside */
  uint32_t bus_bytes;     /* AXI data width in bytes: 8, 16, 32 or 64 */
  uint32_t formats;       /* weight formats built (RTL Fmts): bit 0 I2, bit 1 B3; 0 = both */
} tern_sys_params;

/* The memory the accelerator's DMA sees: bytes [base, base + len). An
 * access outside it is an AXI DECERR. fault, if set, is asked about every
 * DMA burst and returns nonzero to make it fail (SLVERR injection). */
typedef struct tern_sys_mem {
  uint8_t *data;
  uint64_t base;
  size_t len;
  int (*fault)(void *ctx, uint64_t addr, size_t len, int is_write);
  void *fault_ctx;
} tern_sys_mem;

typedef struct tern_sys {
  tern_sys_params p;
  /* registers software writes */
  uint32_t ctrl_enable, irq_enable, irq_status;
  uint64_t ring_base, win_base, win_size;
  uint32_t ring_size, ring_tail;
  /* registers hardware writes */
  uint32_t ring_head, completed, err_code, err_cmd_index;
  int stopped; /* STATUS.ERROR */
  /* live performance counters (cycle counters are RTL-only) and the
   * snapshot software reads */
  uint64_t bytes_read, bytes_written, weight_bytes, adds, zero_trits, commands;
  uint64_t snap[10]; /* PERF_* in register order */
} tern_sys;

/* Reset state. TERN_ERR_DIM if the parameters describe no buildable top. */
int tern_sys_init(tern_sys *s, const tern_sys_params *p);

/* Register access at a byte offset of cmodel/tern_regs.h. Unknown or
 * unaligned offsets: TERN_ERR_DIM (the RTL answers SLVERR). */
int tern_sys_reg_write(tern_sys *s, uint32_t offset, uint32_t value);
int tern_sys_reg_read(const tern_sys *s, uint32_t offset, uint32_t *value);

/* Level of the interrupt line: |(IRQ_STATUS & IRQ_ENABLE). */
int tern_sys_irq(const tern_sys *s);

/* Runs the next command if enabled, not stopped and head != tail.
 * Returns 1 if a command was taken (completed or failed), 0 if idle,
 * or a negative tern_status for a bad call. */
int tern_sys_step(tern_sys *s, tern_sys_mem *mem);

#ifdef __cplusplus
}
#endif

#endif /* TERN_SYS_H */

/*
 * tern command layout: the one definition of what the accelerator reads
 * from its command ring. Used by the command-level golden model, the
 * driver/firmware and the tests; docs/commands.md explains it.
 *
 * A command is TERN_CMD_BYTES bytes, little-endian, at ring_base +
 * index * TERN_CMD_BYTES. Software fills entries, then writes RING_TAIL.
 */
#ifndef TERN_CMD_H
#define TERN_CMD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_CMD_BYTES 128u
#define TERN_CMD_MAX_CHAIN 4u /* matrices sharing one input in one GEMM */

/* Opcodes (byte 0). */
typedef enum tern_opcode {
  TERN_OP_NOP = 0,   /* completes at once; counts as completed */
  TERN_OP_GEMM = 1,  /* 1..TERN_CMD_MAX_CHAIN matrices times one batch of inputs */
  TERN_OP_FENCE = 2, /* waits until all earlier results are written */
} tern_opcode;

/* Flags (byte 1). */
#define TERN_CMD_FLAG_IRQ 0x01u /* on completion set IRQ_STATUS.DONE (FENCE: .FENCE) */
#define TERN_CMD_FLAGS_VALID 0x01u

/* Error codes reported in ERR_CODE; the accelerator stops on the first. */
typedef enum tern_hwerr {
  TERN_HWERR_NONE = 0,
  TERN_HWERR_OPCODE = 1,     /* unknown opcode or reserved flag/field set */
  TERN_HWERR_FORMAT = 2,     /* unknown weight format */
  TERN_HWERR_DIM = 3,        /* rows/k/batch/nmat zero or beyond the build */
  TERN_HWERR_ALIGN = 4,      /* address or stride not aligned */
  TERN_HWERR_WINDOW = 5,     /* a buffer lies outside the DMA window */
  TERN_HWERR_TRIT = 6,       /* invalid trit code in a weight stream */
  TERN_HWERR_AXI_READ = 7,   /* SLVERR/DECERR on a read */
  TERN_HWERR_AXI_WRITE = 8,  /* SLVERR/DECERR on a write */
  TERN_HWERR_RING = 9,       /* ring base/size/tail invalid */
  TERN_HWERR_WBYTES = 10,    /* w_bytes differs from the stream length */
} tern_hwerr;

/* One matrix of a GEMM chain: results for batch vector b, row r go to
 * res_addr + b * res_stride + 4 * r (int32, little-endian). */
typedef struct tern_cmd_mat {
  uint64_t w_addr;   /* weight stream (tern_engine_wstream layout) */
  uint64_t res_addr; /* int32 results */
  uint32_t rows;     /* output rows of this matrix */
  uint32_t w_bytes;  /* length of its weight stream, checked by hardware */
} tern_cmd_mat;

/* A decoded command. Byte offsets in the ring entry are given per field. */
typedef struct tern_cmd {
  uint8_t opcode;      /* @0 */
  uint8_t flags;       /* @1 */
  uint8_t fmt;         /* @2  tern_fmt */
  uint8_t nmat;        /* @3  matrices in the chain, 1..TERN_CMD_MAX_CHAIN */
  uint16_t batch;      /* @4  input vectors, 1..HWCFG1.BATCH */
  uint16_t reserved;   /* @6  must be 0 */
  uint32_t k;          /* @8  input length, 1..HWCFG2.MAX_K */
  uint32_t act_stride; /* @12 bytes between input vectors (>= k, bus-aligned) */
  uint64_t act_addr;   /* @16 int8 inputs, bus-aligned */
  uint32_t res_stride; /* @24 bytes between result vectors (>= 4*rows, bus-aligned) */
  uint32_t tag;        /* @28 software's own; ignored by hardware */
  tern_cmd_mat mat[TERN_CMD_MAX_CHAIN]; /* @32 + 24*i: w_addr, res_addr, rows, w_bytes */
} tern_cmd;

/* Serialize / parse a ring entry. decode never fails (it only unpacks
 * bytes); validity is checked where the command is executed. */
void tern_cmd_encode(const tern_cmd *cmd, uint8_t out[TERN_CMD_BYTES]);
void tern_cmd_decode(const uint8_t in[TERN_CMD_BYTES], tern_cmd *cmd);

/* Name of an error code ("none", "opcode", ...); never NULL. */
const char *tern_hwerr_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* TERN_CMD_H */

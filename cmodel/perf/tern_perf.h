/*
 * tern_perf / tern_energy: performance and energy model of the tern
 * accelerator for real model sizes (docs/performance.md, "Accelerator model"
 * and "Energy").
 *
 * Three inputs, each a small key=value file:
 *   hardware  config/hw/<name>.cfg     engine (or engine=<config/engine cfg>),
 *                                      clock, memory, DMA, CPU, energy node
 *   model     config/models/<name>.cfg transformer shape
 *   node      config/hw/node_<n>.cfg   per-operation energies (pJ)
 * and a workload (prompt length, generated tokens, sequences).
 *
 * Command level: cycles of one GEMM command as the RTL top executes it
 * (fetch, validation, the read stream through the DMA buffer into the
 * engine, result drain), calibrated against the Verilated top
 * (tests/perf/). Token level: every BitLinear group of every layer as the
 * firmware issues it (q/k/v chained, gate/up chained, o, down), plus the
 * CPU-side work (norms, RoPE, attention, LM head) at a simple rate.
 */
#ifndef TERN_PERF_H
#define TERN_PERF_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"
#include "tern_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TERN_PERF_NAME 64

/* Engine micro-architecture: loop order and what a weight beat costs. */
typedef enum tern_perf_design {
  TERN_PERF_ROWPAR = 0, /* design A (rtl/engine today): row groups outer, K words inner */
  TERN_PERF_LUT = 1     /* design B (table lookup): K windows outer, tiles of rows inner */
} tern_perf_design;

typedef struct tern_perf_hw {
  char name[TERN_PERF_NAME];
  tern_engine_params eng;
  tern_perf_design design;
  uint32_t lut_build_cycles; /* design B: cycles to (re)build the tables per K window per tile */
  uint32_t pipe;             /* engine Pipe bit mask (rtl/engine/tern_engine.sv): result latency */
  tern_fmt fmt;              /* weight format the model is stored in */
  double clock_hz;
  double mem_bw;       /* DRAM bandwidth, bytes/s, shared by accelerator and CPU */
  uint32_t bus_bytes;  /* AXI data width in bytes */
  uint32_t rd_latency; /* cycles from AR to first R beat */
  uint32_t wr_latency; /* cycles from last W to B */
  uint32_t rd_outstanding, rd_burst_beats, rd_fifo_beats;
  uint32_t wr_outstanding; /* write bursts awaiting B (WrOutstanding) */
  uint32_t keep_act;       /* 1: chained matrices reuse the loaded inputs (engine port) */
  /* CPU side */
  double cpu_ops;        /* sustained CPU-side operations/s (fp32 ops or int8 MACs) */
  double cpu_bw;         /* bytes/s the CPU can pull from DRAM */
  uint32_t lm_head_bits; /* bits per LM-head weight as the CPU stores it (8, 16) */
  uint32_t kv_bits;      /* bits per KV-cache element (16) */
  /* energy */
  char node[TERN_PERF_NAME];     /* node file name: config/hw/node_<node>.cfg */
  char mem_type[TERN_PERF_NAME]; /* key into the node's dram_<type>_pj_bit */
  uint32_t act_buf_bytes;        /* engine activation buffer size (energy: SRAM class) */
  /* area: LUTs per ternary MAC a cycle (docs/engine.md) and fixed LUTs */
  double lut_per_mac, lut_fixed;
  double area_mm2_per_mac, area_mm2_fixed; /* ASIC area (optional, 0 if unknown) */
} tern_perf_hw;

typedef struct tern_perf_model {
  char name[TERN_PERF_NAME];
  uint32_t hidden, inter, layers, heads, kv_heads, head_dim, vocab;
  uint32_t glu;     /* 1: gate and up (two inter x hidden), 0: one up matrix */
  uint32_t tied;    /* LM head tied to the embedding */
  double zero_frac; /* fraction of zero trits (adds skipped); 1/3 if unknown */
} tern_perf_model;

typedef struct tern_perf_workload {
  uint32_t prompt; /* prompt tokens (prefill) */
  uint32_t gen;    /* generated tokens (decode) */
  uint32_t seqs;   /* sequences decoded together (batch) */
} tern_perf_workload;

/* One GEMM command: nmat matrices of rows[i] x k sharing batch inputs. */
typedef struct tern_perf_cmd {
  tern_fmt fmt;
  uint32_t k, batch, nmat;
  uint32_t rows[4];
} tern_perf_cmd;

/* Predicted counters of one command (the RTL's PERF_* registers). */
typedef struct tern_perf_cmd_out {
  double cycles;        /* PERF_BUSY_CYCLES */
  double engine_cycles; /* cycles the engine computes (weight beats + act loads) */
  double mem_cycles;    /* cycles the read stream alone needs at the sustained rate */
  uint64_t bytes_read, bytes_written, weight_bytes; /* as the counters define them */
  uint64_t bus_bytes_read; /* bytes actually moved on the read bus (incl. re-streams) */
  double adds, zero_trits; /* expected, from the model's zero fraction */
  double act_buf_reads;    /* activation-buffer word reads (one per weight beat) */
  int bound;               /* TERN_PERF_BOUND_* */
} tern_perf_cmd_out;

enum {
  TERN_PERF_BOUND_MEM = 0,
  TERN_PERF_BOUND_COMPUTE = 1,
  TERN_PERF_BOUND_CPU = 2,
  TERN_PERF_BOUND_OVERHEAD = 3
};
const char *tern_perf_bound_name(int bound);

/* Sustained read rate of the DMA in bytes/cycle (bus, memory bandwidth and
 * the outstanding-reads x latency rule of docs/dma.md). */
double tern_perf_read_rate(const tern_perf_hw *hw);

/* Cycles and counters of one command. TERN_ERR_DIM for a command the
 * hardware rejects (k > max_k, batch > engine batch, nmat 0 or > 4). */
int tern_perf_cmd_predict(const tern_perf_hw *hw, const tern_perf_cmd *cmd, double zero_frac,
                          tern_perf_cmd_out *out);

/* Per phase (prefill of the prompt, or one decode step) totals. */
typedef struct tern_perf_phase {
  double tokens;          /* tokens produced by this phase */
  double acc_cycles;      /* accelerator busy cycles */
  double acc_s, cpu_s, s; /* seconds: accelerator, CPU side, total (serial) */
  double tok_s;           /* tokens/s */
  double commands;        /* GEMM commands issued */
  double weight_bytes, bytes_read, bytes_written; /* accelerator DRAM traffic */
  double cpu_bytes, cpu_ops;                      /* CPU side: DRAM bytes, operations */
  double adds, zero_trits, act_buf_reads;
  double attn_macs, lm_macs, vec_ops;        /* CPU-side work split */
  double acc_mem_cycles, acc_compute_cycles; /* sums of the per-command terms */
  int bound;
} tern_perf_phase;

typedef struct tern_perf_result {
  tern_perf_phase prefill;   /* whole prompt, all sequences */
  tern_perf_phase decode;    /* one decode step of all sequences, at the mean context */
  double weight_bytes_model; /* ternary weights of the model in the chosen format */
} tern_perf_result;

int tern_perf_run(const tern_perf_hw *hw, const tern_perf_model *m, const tern_perf_workload *wl,
                  tern_perf_result *r);

/* Calls fn for every command of one layer (with batch = vectors per
 * command, k split to max_k). n returns the commands; per-layer multiplicity
 * is handled by the caller. */
typedef int (*tern_perf_cmd_fn)(void *ctx, const tern_perf_cmd *cmd, double count);
int tern_perf_layer_cmds(const tern_perf_hw *hw, const tern_perf_model *m, uint32_t vectors,
                         tern_perf_cmd_fn fn, void *ctx);

/* ---- configuration files -------------------------------------------------- */
/* key=value lines, '#' comments. Unknown keys: TERN_ERR_FORMAT (a typo must
 * not silently fall back to a default); err gets "file:line: message". */
int tern_perf_hw_load(const char *path, tern_perf_hw *hw, char *err, size_t err_len);
int tern_perf_model_load(const char *path, tern_perf_model *m, char *err, size_t err_len);
void tern_perf_hw_default(tern_perf_hw *hw);
int tern_perf_hw_set(tern_perf_hw *hw, const char *key, const char *val, const char *dir);
int tern_perf_model_set(tern_perf_model *m, const char *key, const char *val);
int tern_perf_model_check(const tern_perf_model *m);
int tern_perf_hw_check(const tern_perf_hw *hw);

/* ---- energy ------------------------------------------------------------- */
#define TERN_ENERGY_MAX_MEM 8
typedef struct tern_energy_node {
  char name[TERN_PERF_NAME];
  /* arithmetic, pJ per operation */
  double int8_add, int8_mul, int32_add, int32_mul, fp16_add, fp16_mul, fp32_add, fp32_mul;
  /* SRAM, pJ per 64-bit read at 8 KB, 32 KB, 1 MB (log-interpolated between) */
  double sram_8k, sram_32k, sram_1m;
  /* control and registers: pJ per busy cycle per 1000 MACs a cycle (clock tree, FSMs) */
  double ctrl_pj_cycle_kmac;
  /* table-lookup engine: pJ per 10-bit read / write of a 32-entry LUT RAM
   * (register file); derivation in the node files */
  double lutram_rd_10b, lutram_wr_10b;
  /* DRAM, pJ per bit, by memory type */
  int n_mem;
  char mem_name[TERN_ENERGY_MAX_MEM][TERN_PERF_NAME];
  double mem_pj_bit[TERN_ENERGY_MAX_MEM];
} tern_energy_node;

int tern_energy_node_load(const char *path, tern_energy_node *n, char *err, size_t err_len);
/* pJ per bit of a memory type; TERN_ERR_DIM if the node does not list it. */
int tern_energy_mem_pj_bit(const tern_energy_node *n, const char *type, double *pj_bit);
/* pJ per 64-bit read of an SRAM of the given size (log-log interpolation of
 * the three points, clamped to the 8 KB figure below 8 KB). */
double tern_energy_sram_pj(const tern_energy_node *n, double bytes);

/* pJ per 64-bit access of one RAM bank of the given size: the node's SRAM
 * curve, and below 8 KB Horowitz's own scaling (4x the size, 2x the energy:
 * E ~ sqrt(size)) instead of the 8 KB floor of tern_energy_sram_pj. */
double tern_energy_bank_pj(const tern_energy_node *n, double bank_bytes);
/* pJ of one two-operand add of the given width: linear between the node's
 * INT8 and INT32 add (a ripple adder's energy grows with its width). */
double tern_energy_add_pj(const tern_energy_node *n, double bits);

/* Activity of the table-lookup engine (design B) as rtl/engine/tern_engine.sv
 * performs it, summed over commands. The per-vector datapath (builders,
 * tables, lanes, partial sums) exists Batch times and is not gated, so it
 * works for all Batch vectors whatever the command's batch; the `gated`
 * variant counts only the command's vectors (what gating would save). */
typedef struct tern_energy_act {
  double beats;       /* weight beats: PERF_WEIGHT_BYTES / (Lanes x WordBytes) */
  double builds;      /* table builds: one per K word and tile, + 1 after the job's last */
  double build_adds;  /* builder adds: 16 steps x 2 tables x WordBytes x vectors a build */
  double tab_writes;  /* LUT-RAM writes (10 bits), one per builder add */
  double tab_reads;   /* LUT-RAM reads (10 bits): 2 x WordBytes x Lanes x vectors a beat */
  double byte_adds;   /* A + B per byte: WordBytes x Lanes x vectors a beat */
  double tree_adds;   /* (WordBytes - 1) x Lanes x vectors a beat */
  double tree_bits;   /* summed widths of those tree adders */
  double acc_adds;    /* partial-sum accumulate: Lanes x vectors a beat */
  double psum_reads;  /* partial-sum RAM rows read: one a beat + one a row group (drain) */
  double psum_writes; /* partial-sum RAM rows written: one a beat */
  double psum_bits;   /* bits of those reads and writes (a row: Lanes x (vectors x PsumW + 1)) */
  double abuf_reads;  /* activation buffer bank reads: (4|5) x vectors a build */
  double abuf_writes; /* activation buffer bank writes: one an activation beat */
  double b3_decodes;  /* weight bytes through a lane's B3 splitter (B3 only) */
  double dma_bytes;   /* bytes through the DMA read and write buffers (PERF_BYTES_*) */
} tern_energy_act;

/* Adds one command's activity (count times) to a. `o` holds the command's
 * counters (tern_perf_cmd_predict); TERN_ERR_DIM for a command the hardware
 * rejects, TERN_ERR_VALUE for a row-parallel (design A) hw. */
int tern_energy_cmd_act(const tern_perf_hw *hw, const tern_perf_cmd *cmd,
                        const tern_perf_cmd_out *o, int gated, double count, tern_energy_act *a);
/* Activity of every command of one phase (all layers) for `vectors` inputs,
 * issued as tern_perf_run does (prefill: prompt x seqs, decode: seqs). */
int tern_energy_layers_act(const tern_perf_hw *hw, const tern_perf_model *m, uint32_t vectors,
                           int gated, tern_energy_act *a);

enum {
  TERN_E_ADDS,
  TERN_E_ZERO,
  TERN_E_TAB_BUILD,
  TERN_E_TAB_WRITE,
  TERN_E_TAB_READ,
  TERN_E_BYTE_ADD,
  TERN_E_TREE_ADD,
  TERN_E_ACCUM,
  TERN_E_PSUM,
  TERN_E_ACTBUF,
  TERN_E_DMA_BUF,
  TERN_E_DRAM_W,
  TERN_E_DRAM_IO,
  TERN_E_CTRL,
  TERN_E_CPU_OPS,
  TERN_E_CPU_SRAM,
  TERN_E_CPU_DRAM,
  TERN_E_N
};
const char *tern_energy_part_name(int part);
/* 1 if the part belongs to hw's engine design (the table terms to design B,
 * the generic ternary adds / zero trits to design A). */
int tern_energy_part_applies(const tern_perf_hw *hw, int part);

typedef struct tern_energy_out {
  double pj[TERN_E_N]; /* per token */
  double total_pj;
  double idle_pj; /* of the engine parts: work for batch vectors the commands leave unused */
} tern_energy_out;

/* Energy per token of a phase, in pJ: ph (the perf model's counters and CPU
 * work) and, for design B, act (ungated) and optionally gated (for idle_pj;
 * NULL: 0) from tern_energy_layers_act for the same phase. */
int tern_energy_phase(const tern_perf_hw *hw, const tern_energy_node *n, const tern_perf_phase *ph,
                      const tern_energy_act *act, const tern_energy_act *gated,
                      tern_energy_out *out);
/* Both phases of a tern_perf_run result r (same hw, m, wl). */
int tern_energy_run(const tern_perf_hw *hw, const tern_energy_node *n, const tern_perf_model *m,
                    const tern_perf_workload *wl, const tern_perf_result *r,
                    tern_energy_out *prefill, tern_energy_out *decode);

/* Published arithmetic-energy accounting (BitNet, arXiv 2310.11453, sec. 2.3
 * and Table 1): a decoder of hidden d, layers L, FFN 4d, at input length n.
 * wbits 32/16: Transformer in that float format; 1: BitNet (INT8 adds for
 * the BitLinear products, FP16 for attention and the scaling multiplies).
 * Returns joules. */
int tern_energy_bitnet_table(const tern_energy_node *node, uint32_t d, uint32_t layers, uint32_t n,
                             int wbits, double *mul_j, double *add_j);

#ifdef __cplusplus
}
#endif

#endif /* TERN_PERF_H */

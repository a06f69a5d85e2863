/* Smoke image for the freestanding RISC-V build of the scheduling core
 * (make riscv-sched): plans a 2B4T-shaped model, builds the commands of a
 * q/k/v group and repacks a small matrix, all in static memory. Linking it
 * with -nostdlib proves the core needs nothing beyond itself and libgcc;
 * where qemu-riscv32 exists, make riscv-sched also runs it: the exit status
 * is the number of commands built plus the chain length (4 + 3). */
#include "tern_sched.h"

int tern_riscv_main(void);
uint8_t g_stack[8192] __attribute__((aligned(16)));
__asm__(".section .text._start\n.global _start\n_start:\n"
        ".option push\n.option norelax\n  la gp, __global_pointer$\n.option pop\n"
        "  la sp, g_stack + 8192\n  call tern_riscv_main\n"
        "  li a7, 93\n  ecall\n" /* exit(a0) under qemu-riscv32; traps on bare metal */
        "1: j 1b\n.previous\n");

static tern_plan_layer g_layers[30];
static tern_cmd g_cmds[8];
static int8_t g_trits[16 * 40];
static uint8_t g_scratch[16 * 10], g_stream[1024];
volatile int g_result;

static int run(void) {
  tern_sched_hw hw;
  int st = tern_sched_hw_from_regs(&hw, 8u | (4u << 16), 4u | (16u << 8) | (3u << 16) | (4u << 24),
                                   8192, 0);
  if (st != TERN_OK) return st;
  tern_plan_model m = {.hidden = 2560,
                       .intermediate = 6912,
                       .layers = 30,
                       .heads = 20,
                       .kv_heads = 5,
                       .head_dim = 128,
                       .vocab = 128256,
                       .max_seq = 4096,
                       .max_batch = 16,
                       .seqs = 1,
                       .kv_elem_bytes = 2,
                       .fmt = TERN_FMT_B3,
                       .lm_head = 1};
  tern_arena a;
  tern_plan p;
  tern_arena_init(&a, 0x800000000ull, 0x80000000ull);
  st = tern_plan_model_layout(&hw, &m, &a, &p, g_layers, 30);
  if (st != TERN_OK) return st;
  tern_sched_gemm g = {.fmt = TERN_FMT_B3,
                       .k = 2560,
                       .batch = 16,
                       .nmat = 3,
                       .act_addr = p.act.addr,
                       .act_stride = p.act_stride,
                       .res_stride = p.res_stride};
  for (unsigned i = 0; i < 3; i++) {
    g.w_addr[i] = g_layers[0].w[TERN_PLAN_Q + i].addr;
    g.w_bytes[i] = (uint32_t)g_layers[0].w[TERN_PLAN_Q + i].bytes;
    tern_plan_mat_dims(&m, TERN_PLAN_Q + i, &g.rows[i], &g.k);
    g.res_addr[i] = p.res[i].addr;
  }
  uint32_t n;
  st = tern_sched_gemm_build(&hw, &g, 0, g_cmds, 8, &n);
  if (st != TERN_OK) return st;
  uint8_t entry[TERN_CMD_BYTES];
  tern_cmd_encode(&g_cmds[0], entry);
  for (unsigned i = 0; i < sizeof g_trits; i++) g_trits[i] = (int8_t)(i % 3) - 1;
  st = tern_sched_wstream_from_trits(&hw, TERN_FMT_B3, g_trits, 16, 40, g_scratch, sizeof g_scratch,
                                     g_stream, sizeof g_stream);
  return st == TERN_OK ? (int)n + entry[3] : st;
}

int tern_riscv_main(void) {
  g_result = run();
  return g_result;
}

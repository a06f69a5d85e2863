/* The portable scheduling core alone: HWCFG decoding, arena, model plan,
 * command builder, staging and read-back layouts. */
#include "drv_tests.h"
#include "tern_regs.h"
#include "tern_sched.h"

static const tern_sched_hw k_hw = {
    .eng = {.lanes = 8,
            .word_bytes = 4,
            .batch = 4,
            .max_k = 8192,
            .acc_width = 32,
            .act_beat_bytes = 4,
            .w_beat_bytes = 32,
            .tile_rows = 8},
    .bus_bytes = 16,
    .max_chain = 4,
    .formats = 3,
};

static void t_hw(tt_ctx *c) {
  tern_sched_hw hw;
  uint32_t h0 = 8u | (4u << 16), h1 = 4u | (16u << 8) | (3u << 16) | (4u << 24);
  TT_EQ_INT(c, tern_sched_hw_from_regs(&hw, h0, h1, 8192, 0), TERN_OK);
  TT_EQ_INT(c, hw.eng.lanes, 8);
  TT_EQ_INT(c, hw.eng.word_bytes, 4);
  TT_EQ_INT(c, hw.eng.batch, 4);
  TT_EQ_INT(c, hw.eng.max_k, 8192);
  TT_EQ_INT(c, hw.eng.w_beat_bytes, 32);
  TT_EQ_INT(c, hw.bus_bytes, 16);
  TT_EQ_INT(c, hw.max_chain, 4);
  TT_EQ_INT(c, hw.formats, 3);
  TT_EQ_INT(c, tern_engine_tile_rows(&hw.eng), 8);
  /* a bus of 12 bytes or no formats describes no usable accelerator */
  TT_EQ_INT(c, tern_sched_hw_from_regs(&hw, h0, (h1 & ~0xff00u) | (12u << 8), 8192, 0),
            TERN_ERR_DIM);
  TT_EQ_INT(c, tern_sched_hw_from_regs(&hw, h0, h1 & ~0xff0000u, 8192, 0), TERN_ERR_FORMAT);
  TT_EQ_INT(c, tern_sched_hw_from_regs(&hw, h0, h1, 8192, 12), TERN_ERR_DIM); /* not % lanes */
  TT_EQ_INT(c, tern_sched_hw_from_regs(NULL, h0, h1, 8192, 0), TERN_ERR_NULL);
}

static void t_arena(tt_ctx *c) {
  tern_arena a;
  uint64_t x;
  tern_arena_init(&a, 0x1008, 1000);
  TT_EQ_INT(c, tern_arena_alloc(&a, 10, 64, &x), TERN_OK);
  TT_EQ_INT(c, x, 0x1040);
  TT_EQ_INT(c, tern_arena_alloc(&a, 1, 4096, &x), TERN_SCHED_ERR_SPACE);
  TT_EQ_INT(c, tern_arena_alloc(&a, 1, 0, &x), TERN_OK);
  TT_EQ_INT(c, x, 0x1080); /* 0 = 64 */
  TT_EQ_INT(c, tern_arena_alloc(&a, 10, 48, &x), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_arena_alloc(&a, 0, 64, &x), TERN_ERR_DIM);
  uint64_t used = a.used;
  TT_EQ_INT(c, tern_arena_alloc(&a, 1000, 1, &x), TERN_SCHED_ERR_SPACE);
  TT_EQ_INT(c, a.used, used);
  TT_EQ_INT(c, tern_arena_alloc(&a, 1000 - used, 1, &x), TERN_OK); /* exactly full */
  TT_EQ_INT(c, tern_arena_alloc(&a, 1, 1, &x), TERN_SCHED_ERR_SPACE);
  /* top of the address space does not wrap */
  tern_arena_init(&a, UINT64_MAX - 100, 1000);
  TT_EQ_INT(c, a.size, 100);
  TT_EQ_INT(c, tern_arena_alloc(&a, 50, 64, &x), TERN_OK);
  TT_EQ_INT(c, x, UINT64_MAX - 63);
  TT_EQ_INT(c, tern_arena_alloc(&a, 10, 64, &x), TERN_SCHED_ERR_SPACE);
  TT_EQ_INT(c, tern_arena_alloc(&a, 13, 1, &x), TERN_OK); /* up to the last byte */
  TT_CHECK(c, x + 13 == a.base + a.size);
}

static int overlap(const tern_plan_region *a, const tern_plan_region *b) {
  return a->bytes && b->bytes && a->addr < b->addr + b->bytes && b->addr < a->addr + a->bytes;
}

static void t_plan(tt_ctx *c) {
  /* BitNet b1.58 2B4T shapes, 4 layers to keep it short */
  tern_plan_model m = {.hidden = 2560,
                       .intermediate = 6912,
                       .layers = 4,
                       .heads = 20,
                       .kv_heads = 5,
                       .head_dim = 128,
                       .vocab = 128256,
                       .max_seq = 64,
                       .max_batch = 8,
                       .seqs = 1,
                       .kv_elem_bytes = 2,
                       .fmt = TERN_FMT_B3,
                       .lm_head = 1};
  uint32_t r, k;
  TT_EQ_INT(c, tern_plan_mat_dims(&m, TERN_PLAN_K, &r, &k), TERN_OK);
  TT_EQ_INT(c, r, 640);
  TT_EQ_INT(c, k, 2560);
  TT_EQ_INT(c, tern_plan_mat_dims(&m, TERN_PLAN_DOWN, &r, &k), TERN_OK);
  TT_EQ_INT(c, r, 2560);
  TT_EQ_INT(c, k, 6912);
  TT_EQ_INT(c, tern_plan_mat_dims(&m, TERN_PLAN_NMAT, &r, &k), TERN_ERR_DIM);
  tern_plan_layer L[4];
  tern_plan p;
  tern_arena dry;
  tern_arena_init(&dry, 0, UINT64_MAX);
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m, &dry, &p, L, 4), TERN_OK);
  const uint64_t need = p.total;
  /* lay out for real in exactly that much memory at an odd base */
  tern_arena a;
  tern_arena_init(&a, 0x40000000ull, need);
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m, &a, &p, L, 4), TERN_OK);
  TT_EQ_INT(c, p.total, need);
  TT_EQ_INT(c, p.act_stride, 6912);
  TT_EQ_INT(c, p.res_stride, 4 * 128256);
  TT_EQ_INT(c, p.act.bytes, 8 * 6912);
  /* every region: aligned, inside the arena, disjoint from all others */
  tern_plan_region all[4 * 9 + 6];
  int n = 0;
  all[n++] = p.act;
  for (int i = 0; i < 4; i++) all[n++] = p.res[i];
  all[n++] = p.lm_head;
  uint64_t wsum = 0;
  for (int l = 0; l < 4; l++) {
    for (int w = 0; w < TERN_PLAN_NMAT; w++) {
      all[n++] = L[l].w[w];
      tern_plan_mat_dims(&m, (unsigned)w, &r, &k);
      TT_EQ_INT(c, L[l].w[w].bytes, tern_engine_wstream_bytes(&k_hw.eng, TERN_FMT_B3, r, k));
      wsum += L[l].w[w].bytes;
    }
    all[n++] = L[l].kv_k;
    all[n++] = L[l].kv_v;
    TT_EQ_INT(c, L[l].kv_k.bytes, 64ull * 5 * 128 * 2);
  }
  TT_CHECK(c, wsum > 4ull * (2560ull * 2560 * 2 + 640ull * 2560 * 2 + 3ull * 2560 * 6912) / 5);
  for (int i = 0; i < n; i++) {
    TT_EQ_INT(c, all[i].addr % 64, 0);
    TT_CHECK(c, all[i].addr >= a.base && all[i].addr + all[i].bytes <= a.base + a.size);
    for (int j = i + 1; j < n; j++) TT_CHECK(c, !overlap(&all[i], &all[j]));
  }
  /* one byte short: SPACE, and the arena is left as it was */
  tern_arena_init(&a, 0x40000000ull, need - 1);
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m, &a, &p, L, 4), TERN_SCHED_ERR_SPACE);
  TT_EQ_INT(c, a.used, 0);
  /* limits */
  tern_arena_init(&a, 0, UINT64_MAX);
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m, &a, &p, L, 3), TERN_ERR_DIM); /* cap */
  tern_plan_model m2 = m;
  m2.intermediate = 9000; /* down_proj K > max_k 8192 */
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m2, &a, &p, L, 4), TERN_SCHED_ERR_KMAX);
  m2 = m;
  m2.heads = 7; /* not a multiple of kv_heads */
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m2, &a, &p, L, 4), TERN_ERR_DIM);
  m2 = m;
  m2.kv_elem_bytes = 3;
  TT_EQ_INT(c, tern_plan_model_layout(&k_hw, &m2, &a, &p, L, 4), TERN_ERR_DIM);
  tern_sched_hw i2only = k_hw;
  i2only.formats = 1;
  TT_EQ_INT(c, tern_plan_model_layout(&i2only, &m, &a, &p, L, 4), TERN_SCHED_ERR_FORMAT);
}

static tern_sched_gemm base_gemm(void) {
  tern_sched_gemm g = {.fmt = TERN_FMT_I2,
                       .k = 100,
                       .batch = 10,
                       .nmat = 3,
                       .act_addr = 0x1000,
                       .act_stride = 112,
                       .res_stride = 80};
  const uint32_t rows[3] = {20, 7, 13};
  for (int m = 0; m < 3; m++) {
    g.rows[m] = rows[m];
    g.w_addr[m] = 0x100000u * (m + 1);
    g.w_bytes[m] = (uint32_t)tern_engine_wstream_bytes(&k_hw.eng, TERN_FMT_I2, rows[m], 100);
    g.res_addr[m] = 0x800000u + 0x10000u * m;
  }
  g.tag = 77;
  return g;
}

static void t_build(tt_ctx *c) {
  tern_sched_gemm g = base_gemm();
  uint32_t total, n;
  TT_EQ_INT(c, tern_sched_gemm_check(&k_hw, &g, &total), TERN_OK);
  TT_EQ_INT(c, total, 3); /* batch 10 on a batch-4 engine: 4 + 4 + 2 */
  tern_cmd cmd[4];
  TT_EQ_INT(c, tern_sched_gemm_build(&k_hw, &g, 0, cmd, 4, &n), TERN_OK);
  TT_EQ_INT(c, n, 3);
  uint32_t vecs = 0;
  for (uint32_t i = 0; i < n; i++) {
    TT_EQ_INT(c, cmd[i].opcode, TERN_OP_GEMM);
    TT_EQ_INT(c, cmd[i].flags, 0);
    TT_EQ_INT(c, cmd[i].nmat, 3);
    TT_EQ_INT(c, cmd[i].k, 100);
    TT_EQ_INT(c, cmd[i].tag, 77);
    TT_EQ_INT(c, cmd[i].batch, i < 2 ? 4 : 2);
    TT_EQ_INT(c, cmd[i].act_addr, 0x1000 + 112ull * 4 * i);
    TT_EQ_INT(c, cmd[i].act_stride, 112);
    TT_EQ_INT(c, cmd[i].res_stride, 80);
    for (int m = 0; m < 3; m++) {
      TT_EQ_INT(c, cmd[i].mat[m].res_addr, g.res_addr[m] + 80ull * 4 * i);
      TT_EQ_INT(c, cmd[i].mat[m].w_addr, g.w_addr[m]);
      TT_EQ_INT(c, cmd[i].mat[m].rows, g.rows[m]);
      TT_EQ_INT(c, cmd[i].mat[m].w_bytes, g.w_bytes[m]);
    }
    TT_EQ_INT(c, cmd[i].mat[3].w_addr, 0); /* unused slot stays zero */
    vecs += cmd[i].batch;
  }
  TT_EQ_INT(c, vecs, 10);
  /* slices: commands 1..2 into a 1-entry array, one at a time */
  TT_EQ_INT(c, tern_sched_gemm_build(&k_hw, &g, 1, cmd, 1, &n), TERN_OK);
  TT_EQ_INT(c, n, 1);
  TT_EQ_INT(c, cmd[0].act_addr, 0x1000 + 112ull * 4);
  TT_EQ_INT(c, tern_sched_gemm_build(&k_hw, &g, 3, cmd, 1, &n), TERN_OK);
  TT_EQ_INT(c, n, 0);
  TT_EQ_INT(c, tern_sched_gemm_build(&k_hw, &g, 4, cmd, 1, &n), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_sched_gemm_build(&k_hw, &g, 0, cmd, 0, &n), TERN_SCHED_ERR_CMDS);
  /* batch 1 and the exact hardware batch: one command each */
  g.batch = 1;
  TT_EQ_INT(c, tern_sched_gemm_check(&k_hw, &g, &total), TERN_OK);
  TT_EQ_INT(c, total, 1);
  g.batch = 4;
  TT_EQ_INT(c, tern_sched_gemm_check(&k_hw, &g, &total), TERN_OK);
  TT_EQ_INT(c, total, 1);
  g.batch = 1000;
  TT_EQ_INT(c, tern_sched_gemm_check(&k_hw, &g, &total), TERN_OK);
  TT_EQ_INT(c, total, 250);
}

static void t_build_errors(tt_ctx *c) {
  uint32_t total;
  tern_sched_gemm g;
#define EXPECT(mutation, code)                                                                     \
  do {                                                                                             \
    g = base_gemm();                                                                               \
    mutation;                                                                                      \
    TT_EQ_INT(c, tern_sched_gemm_check(&k_hw, &g, &total), code);                                  \
  } while (0)
  EXPECT((void)0, TERN_OK);
  EXPECT(g.k = 8193, TERN_SCHED_ERR_KMAX);
  EXPECT(g.nmat = 0, TERN_SCHED_ERR_CHAIN);
  EXPECT(g.nmat = 5, TERN_SCHED_ERR_CHAIN);
  EXPECT(g.fmt = (tern_fmt)2, TERN_ERR_FORMAT);
  EXPECT(g.batch = 0, TERN_ERR_DIM);
  EXPECT(g.rows[1] = 0, TERN_ERR_DIM);
  EXPECT(g.act_stride = 96, TERN_ERR_DIM); /* < k */
  EXPECT(g.res_stride = 64, TERN_ERR_DIM); /* < 4 * 20 */
  EXPECT(g.act_addr += 8, TERN_SCHED_ERR_ALIGN);
  EXPECT(g.act_stride = 120, TERN_SCHED_ERR_ALIGN);
  EXPECT(g.res_addr[2] += 4, TERN_SCHED_ERR_ALIGN);
  EXPECT(g.w_addr[0] += 8, TERN_SCHED_ERR_ALIGN);
  EXPECT(g.w_bytes[1] += 32, TERN_SCHED_ERR_WBYTES);
  EXPECT(g.act_addr = UINT64_MAX - 15, TERN_ERR_DIM); /* wraps */
  tern_sched_hw one = k_hw;
  one.max_chain = 2;
  g = base_gemm();
  TT_EQ_INT(c, tern_sched_gemm_check(&one, &g, &total), TERN_SCHED_ERR_CHAIN);
  one = k_hw;
  one.formats = 2; /* B3 only */
  TT_EQ_INT(c, tern_sched_gemm_check(&one, &g, &total), TERN_SCHED_ERR_FORMAT);
  TT_EQ_INT(c, tern_sched_gemm_check(NULL, &g, &total), TERN_ERR_NULL);
  TT_CHECK(c, strstr(tern_sched_strerror(TERN_SCHED_ERR_KMAX), "MAX_K") != NULL);
  TT_CHECK(c, tern_sched_strerror(TERN_ERR_DIM) == tern_strerror(TERN_ERR_DIM));
#undef EXPECT
}

static void t_layouts(tt_ctx *c) {
  TT_EQ_INT(c, tern_sched_act_stride(&k_hw, 1), 16);
  TT_EQ_INT(c, tern_sched_act_stride(&k_hw, 16), 16);
  TT_EQ_INT(c, tern_sched_act_stride(&k_hw, 17), 32);
  TT_EQ_INT(c, tern_sched_res_stride(&k_hw, 5), 32);
  TT_EQ_INT(c, tern_sched_act_stride(&k_hw, 0), 0);
  int8_t x[3 * 5] = {1, -2, 3, -128, 127, 0, 0, 0, 0, 1, -1, -1, -1, -1, -1};
  uint8_t buf[3 * 16];
  memset(buf, 0xee, sizeof buf);
  TT_EQ_INT(c, tern_sched_stage_acts(x, 5, 3, buf, sizeof buf, 16), TERN_OK);
  for (int b = 0; b < 3; b++)
    for (int j = 0; j < 16; j++) TT_EQ_INT(c, (int8_t)buf[b * 16 + j], j < 5 ? x[b * 5 + j] : 0);
  TT_EQ_INT(c, tern_sched_stage_acts(x, 5, 3, buf, sizeof buf - 1, 16), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_sched_stage_acts(x, 5, 3, buf, sizeof buf, 4), TERN_ERR_DIM);
  /* results are little-endian int32 */
  uint8_t res[2 * 16] = {0};
  const int32_t v[2][3] = {{-1, 0x12345678, INT32_MIN}, {INT32_MAX, -300, 7}};
  for (int b = 0; b < 2; b++)
    for (int r = 0; r < 3; r++)
      for (int q = 0; q < 4; q++) res[b * 16 + 4 * r + q] = (uint8_t)((uint32_t)v[b][r] >> (8 * q));
  int32_t y[6];
  TT_EQ_INT(c, tern_sched_read_results(res, sizeof res, 16, 3, 2, y), TERN_OK);
  for (int i = 0; i < 6; i++) TT_EQ_INT(c, y[i], v[i / 3][i % 3]);
  TT_EQ_INT(c, tern_sched_read_results(res, 27, 16, 3, 2, y), TERN_ERR_TRUNC);
  TT_EQ_INT(c, tern_sched_read_results(res, sizeof res, 8, 3, 2, y), TERN_ERR_DIM);
}

void suite_sched(tt_ctx *c) {
  tt_run(c, "sched/hw", t_hw);
  tt_run(c, "sched/arena", t_arena);
  tt_run(c, "sched/plan", t_plan);
  tt_run(c, "sched/build", t_build);
  tt_run(c, "sched/build_errors", t_build_errors);
  tt_run(c, "sched/layouts", t_layouts);
}

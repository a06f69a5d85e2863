/* Command-level golden model: rings of commands against a memory image,
 * results checked against tern_gemm_ref on the original matrices. */
#include "suites.h"
#include "../../cmodel/tern_sys.h"

#define MEM_BASE 0x80000000ull
#define MEM_LEN (1u << 20)

typedef struct fixture {
  tern_sys s;
  tern_sys_mem m;
  uint8_t *mem;
  uint64_t next; /* bump allocator in the image */
  uint64_t ring;
} fixture;

static const tern_sys_params k_params = {
    .eng = {.lanes = 4, .word_bytes = 8, .batch = 4, .max_k = 2048, .acc_width = 32,
            .act_beat_bytes = 8, .w_beat_bytes = 32, .tile_rows = 8},
    .bus_bytes = 16,
};

static uint64_t alloc(fixture *f, uint64_t bytes) {
  uint64_t a = f->next;
  f->next += (bytes + 63u) / 64u * 64u;
  return a;
}

static void wr(tern_sys *s, uint32_t off, uint32_t v) { (void)tern_sys_reg_write(s, off, v); }
static uint32_t rd(const tern_sys *s, uint32_t off) {
  uint32_t v = 0;
  (void)tern_sys_reg_read(s, off, &v);
  return v;
}

static int setup(tt_ctx *c, fixture *f, uint32_t ring_entries) {
  memset(f, 0, sizeof *f);
  f->mem = calloc(MEM_LEN, 1);
  if (!TT_CHECK(c, f->mem != NULL)) return 0;
  f->m = (tern_sys_mem){f->mem, MEM_BASE, MEM_LEN, NULL, NULL};
  f->next = MEM_BASE;
  TT_EQ_INT(c, tern_sys_init(&f->s, &k_params), TERN_OK);
  f->ring = alloc(f, (uint64_t)ring_entries * TERN_CMD_BYTES);
  wr(&f->s, TERN_REG(WIN_BASE_LO), (uint32_t)MEM_BASE);
  wr(&f->s, TERN_REG(WIN_BASE_HI), (uint32_t)(MEM_BASE >> 32));
  wr(&f->s, TERN_REG(WIN_SIZE_LO), MEM_LEN);
  wr(&f->s, TERN_REG(RING_BASE_LO), (uint32_t)f->ring);
  wr(&f->s, TERN_REG(RING_BASE_HI), (uint32_t)(f->ring >> 32));
  wr(&f->s, TERN_REG(RING_SIZE), ring_entries);
  wr(&f->s, TERN_REG(CTRL), 1);
  return 1;
}

static void put_cmd(fixture *f, uint32_t index, const tern_cmd *cmd) {
  tern_cmd_encode(cmd, f->mem + (f->ring - MEM_BASE) + (uint64_t)index * TERN_CMD_BYTES);
}

/* A random matrix placed in the image as an engine weight stream. */
typedef struct mat {
  int8_t *trits;
  uint32_t rows;
  tern_cmd_mat cm;
} mat;

static int make_mat(tt_ctx *c, fixture *f, mat *mt, tern_fmt fmt, uint32_t rows, uint32_t k,
                    uint64_t *rng, uint32_t batch) {
  mt->rows = rows;
  mt->trits = malloc((size_t)rows * k);
  size_t rb = tern_row_bytes(fmt, k);
  uint8_t *packed = malloc((size_t)rows * rb);
  if (!TT_CHECK(c, mt->trits && packed)) return 0;
  for (size_t i = 0; i < (size_t)rows * k; i++) mt->trits[i] = (int8_t)(tt_rand(rng) % 3) - 1;
  TT_EQ_INT(c, tern_pack(fmt, mt->trits, rows, k, packed, rb, (size_t)rows * rb), TERN_OK);
  size_t sb = tern_engine_wstream_bytes(&k_params.eng, fmt, rows, k);
  mt->cm.w_bytes = (uint32_t)sb;
  mt->cm.w_addr = alloc(f, sb);
  mt->cm.rows = rows;
  tern_wmat w = {fmt, rows, k, rb, packed, (size_t)rows * rb};
  TT_EQ_INT(c, tern_engine_wstream(&k_params.eng, &w, f->mem + (mt->cm.w_addr - MEM_BASE), sb),
            TERN_OK);
  mt->cm.res_addr = alloc(f, (uint64_t)batch * 4096);
  free(packed);
  return 1;
}

/* Expected results straight from the trits, independent of any packing. */
static int32_t dot(const int8_t *t, const int8_t *x, uint32_t k) {
  int32_t acc = 0;
  for (uint32_t j = 0; j < k; j++) acc += t[j] * x[j];
  return acc;
}

static int32_t res_at(fixture *f, uint64_t addr) {
  const uint8_t *p = f->mem + (addr - MEM_BASE);
  return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[3] << 24);
}

static void t_chain_and_fence(tt_ctx *c) {
  fixture f;
  if (!setup(c, &f, 8)) return;
  uint64_t rng = c->seed ^ 0x5157;
  const uint32_t k = 77, batch = 3; /* k not a multiple of any word */
  mat m[3];
  uint32_t rows[3] = {13, 5, 5}; /* q/k/v-like */
  for (int i = 0; i < 3; i++)
    if (!make_mat(c, &f, &m[i], TERN_FMT_B3, rows[i], k, &rng, batch)) return;
  uint32_t act_stride = 96; /* >= k, bus-aligned */
  uint64_t act = alloc(&f, (uint64_t)batch * act_stride);
  int8_t *x = (int8_t *)(f.mem + (act - MEM_BASE));
  for (uint32_t i = 0; i < batch * act_stride; i++) x[i] = (int8_t)tt_rand(&rng);

  tern_cmd g = {.opcode = TERN_OP_GEMM, .flags = TERN_CMD_FLAG_IRQ, .fmt = TERN_FMT_B3,
                .nmat = 3, .batch = (uint16_t)batch, .k = k, .act_stride = act_stride,
                .act_addr = act, .res_stride = 64};
  for (int i = 0; i < 3; i++) g.mat[i] = m[i].cm;
  put_cmd(&f, 0, &g);
  tern_cmd fence = {.opcode = TERN_OP_FENCE, .flags = TERN_CMD_FLAG_IRQ};
  put_cmd(&f, 1, &fence);
  wr(&f.s, TERN_REG(IRQ_ENABLE), 7);
  wr(&f.s, TERN_REG(RING_TAIL), 2);
  TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 1);
  TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 1);
  TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 0);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(COMPLETED)), 2);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(RING_HEAD)), 2);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(IRQ_STATUS)), 5); /* DONE | FENCE */
  TT_CHECK(c, tern_sys_irq(&f.s));
  TT_EQ_INT(c, rd(&f.s, TERN_REG(STATUS)), 4); /* idle */
  int bad = 0;
  for (int i = 0; i < 3; i++)
    for (uint32_t b = 0; b < batch; b++)
      for (uint32_t r = 0; r < rows[i]; r++)
        bad += res_at(&f, m[i].cm.res_addr + 64u * b + 4u * r) !=
               dot(m[i].trits + (size_t)r * k, x + b * act_stride, k);
  TT_EQ_INT(c, bad, 0);
  /* bytes just past each result vector stay untouched */
  TT_EQ_INT(c, res_at(&f, m[1].cm.res_addr + 4u * rows[1]), 0);
  /* counters: 2 ring entries, activations once for the chain, 3 streams */
  wr(&f.s, TERN_REG(CTRL), 1u | 4u);
  uint64_t wbytes = (uint64_t)m[0].cm.w_bytes + m[1].cm.w_bytes + m[2].cm.w_bytes;
  TT_EQ_INT(c, rd(&f.s, TERN_REG(PERF_BYTES_READ_LO)),
            2 * TERN_CMD_BYTES + batch * 80u + wbytes);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(PERF_BYTES_WRITTEN_LO)), 4u * batch * 23u);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(PERF_COMMANDS_LO)), 2);
  uint64_t nz = 0;
  for (int i = 0; i < 3; i++)
    for (size_t j = 0; j < (size_t)rows[i] * k; j++) nz += m[i].trits[j] != 0;
  TT_EQ_INT(c, rd(&f.s, TERN_REG(PERF_ADDS_LO)), nz * batch);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(PERF_ZERO_TRITS_LO)), wbytes * 5u * batch - nz * batch);
  wr(&f.s, TERN_REG(IRQ_STATUS), 5);
  TT_CHECK(c, !tern_sys_irq(&f.s));
  for (int i = 0; i < 3; i++) free(m[i].trits);
  free(f.mem);
}

/* Each malformed command stops the accelerator with its own code, leaves
 * the head on it, writes nothing, and a soft reset makes it usable again. */
static void t_errors(tt_ctx *c) {
  const struct {
    const char *what;
    int code;
  } cases[] = {
      {"opcode", TERN_HWERR_OPCODE}, {"flags", TERN_HWERR_OPCODE},
      {"reserved", TERN_HWERR_OPCODE}, {"format", TERN_HWERR_FORMAT},
      {"k0", TERN_HWERR_DIM},        {"kmax", TERN_HWERR_DIM},
      {"batch", TERN_HWERR_DIM},     {"nmat", TERN_HWERR_DIM},
      {"rows0", TERN_HWERR_DIM},     {"resstride", TERN_HWERR_DIM},
      {"rows2^24", TERN_HWERR_DIM}, /* the engine's row count is 24 bits */
      {"align", TERN_HWERR_ALIGN},   {"wbytes", TERN_HWERR_WBYTES},
      {"window", TERN_HWERR_WINDOW}, {"decerr", TERN_HWERR_AXI_READ},
      {"trit", TERN_HWERR_TRIT},
  };
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    fixture f;
    if (!setup(c, &f, 4)) return;
    uint64_t rng = 99 + ci;
    mat m;
    if (!make_mat(c, &f, &m, TERN_FMT_I2, 6, 40, &rng, 1)) return;
    uint64_t act = alloc(&f, 64);
    tern_cmd g = {.opcode = TERN_OP_GEMM, .fmt = TERN_FMT_I2, .nmat = 1, .batch = 1, .k = 40,
                  .act_stride = 48, .act_addr = act, .res_stride = 32, .mat = {m.cm}};
    const char *w = cases[ci].what;
    if (!strcmp(w, "opcode")) g.opcode = 9;
    if (!strcmp(w, "flags")) g.flags = 0x80;
    if (!strcmp(w, "reserved")) g.reserved = 1;
    if (!strcmp(w, "format")) g.fmt = 2;
    if (!strcmp(w, "k0")) g.k = 0;
    if (!strcmp(w, "kmax")) g.k = 4096, g.act_stride = 4096;
    if (!strcmp(w, "batch")) g.batch = 5;
    if (!strcmp(w, "nmat")) g.nmat = 5;
    if (!strcmp(w, "rows0")) g.mat[0].rows = 0;
    if (!strcmp(w, "rows2^24")) g.mat[0].rows = 1u << 24, g.res_stride = 1u << 26;
    if (!strcmp(w, "resstride")) g.res_stride = 16;
    if (!strcmp(w, "align")) g.act_addr += 8;
    if (!strcmp(w, "wbytes")) g.mat[0].w_bytes += 32;
    if (!strcmp(w, "window")) g.mat[0].res_addr = MEM_BASE + MEM_LEN - 16;
    if (!strcmp(w, "decerr")) wr(&f.s, TERN_REG(WIN_SIZE_LO), MEM_LEN * 2u), g.act_addr = MEM_BASE + MEM_LEN;
    if (!strcmp(w, "trit")) f.mem[m.cm.w_addr - MEM_BASE + 3] = 0xFF;
    put_cmd(&f, 0, &g);
    wr(&f.s, TERN_REG(IRQ_ENABLE), 2);
    uint32_t res_before = (uint32_t)res_at(&f, m.cm.res_addr);
    (void)res_before;
    wr(&f.s, TERN_REG(RING_TAIL), 1);
    TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 1);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(ERR_CODE)), cases[ci].code);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(ERR_CMD_INDEX)), 0);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(RING_HEAD)), 0);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(COMPLETED)), 0);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(STATUS)) & 2u, 2u);
    TT_CHECK(c, tern_sys_irq(&f.s));
    TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 0); /* stopped: nothing runs */
    if (cases[ci].code != TERN_HWERR_TRIT) {
      int touched = 0;
      for (uint32_t i = 0; i < 64; i++) touched |= f.mem[m.cm.res_addr - MEM_BASE + i];
      TT_EQ_INT(c, touched, 0);
    }
    /* soft reset: error cleared, ring emptied; a good command then runs */
    wr(&f.s, TERN_REG(CTRL), 1u | 2u);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(ERR_CODE)), 0);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(STATUS)), 4);
    if (!strcmp(w, "trit")) f.mem[m.cm.w_addr - MEM_BASE + 3] = 0x55;
    tern_cmd ok = {.opcode = TERN_OP_GEMM, .fmt = TERN_FMT_I2, .nmat = 1, .batch = 1, .k = 40,
                   .act_stride = 48, .act_addr = act, .res_stride = 32, .mat = {m.cm}};
    put_cmd(&f, 1, &ok);
    wr(&f.s, TERN_REG(RING_TAIL), 2);
    TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 1);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(ERR_CODE)), 0);
    TT_EQ_INT(c, rd(&f.s, TERN_REG(COMPLETED)), 1);
    free(m.trits);
    free(f.mem);
  }
}

static void t_ring_wrap_and_regs(tt_ctx *c) {
  fixture f;
  if (!setup(c, &f, 2)) return;
  TT_EQ_INT(c, rd(&f.s, TERN_REG(ID)), 0x5445524Eu);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(HWCFG0)), 4u | (8u << 16));
  TT_EQ_INT(c, rd(&f.s, TERN_REG(HWCFG2)), 2048);
  tern_cmd nop = {.opcode = TERN_OP_NOP};
  for (uint32_t i = 0; i < 5; i++) {
    put_cmd(&f, i % 2, &nop);
    wr(&f.s, TERN_REG(RING_TAIL), (i + 1) % 2);
    TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 1);
  }
  TT_EQ_INT(c, rd(&f.s, TERN_REG(COMPLETED)), 5);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(RING_HEAD)), 1);
  /* a bad ring (size not a power of two) is reported, not run */
  wr(&f.s, TERN_REG(RING_SIZE), 3);
  wr(&f.s, TERN_REG(RING_TAIL), 2);
  TT_EQ_INT(c, tern_sys_step(&f.s, &f.m), 1);
  TT_EQ_INT(c, rd(&f.s, TERN_REG(ERR_CODE)), TERN_HWERR_RING);
  TT_EQ_INT(c, tern_sys_reg_write(&f.s, 0x151, 0), TERN_ERR_DIM);
  TT_EQ_INT(c, tern_sys_step(NULL, &f.m), TERN_ERR_NULL);
  free(f.mem);
}

void suite_sys(tt_ctx *c) {
  tt_run(c, "sys/chain_and_fence", t_chain_and_fence);
  tt_run(c, "sys/errors", t_errors);
  tt_run(c, "sys/ring_wrap_and_regs", t_ring_wrap_and_regs);
}

/* Core golden-model tests: hand-computed vectors for packing and GEMV. */
#include "suites.h"
#include "../../cmodel/tern.h"

static void t_i2_pack_by_hand(tt_ctx *c) {
  /* trits +1,0,-1,+1 -> codes 2,1,0,2 -> 0b10_00_01_10 = 0x86 */
  int8_t t[5] = {1, 0, -1, 1, -1};
  uint8_t out[3];
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_I2, t, 5, out, 3), TERN_OK);
  TT_EQ_INT(c, out[0], 0x86);
  TT_EQ_INT(c, out[1], 0x54); /* -1 then three zero-trit pads: 00 01 01 01 */
  TT_EQ_INT(c, out[2], 0x55);
}

static void t_b3_pack_by_hand(tt_ctx *c) {
  /* trits +1,0,-1,+1,-1 -> codes 2,1,0,2,0 -> 2 + 3 + 0 + 54 + 0 = 59 */
  int8_t t[6] = {1, 0, -1, 1, -1, 1};
  uint8_t out[2];
  TT_EQ_INT(c, tern_pack_row(TERN_FMT_B3, t, 6, out, 2), TERN_OK);
  TT_EQ_INT(c, out[0], 59);
  TT_EQ_INT(c, out[1], 2 + 3 + 9 + 27 + 81); /* +1 then four zero pads */
}

static void t_gemv_by_hand(tt_ctx *c) {
  /* rows: [+1,-1,0], [-1,-1,+1]; x = [5,-7,100] -> [12, 102] */
  int8_t t[6] = {1, -1, 0, -1, -1, 1};
  int8_t x[3] = {5, -7, 100};
  for (int f = 0; f < 2; f++) {
    uint8_t buf[2 * 4];
    TT_EQ_INT(c, tern_pack((tern_fmt)f, t, 2, 3, buf, 4, sizeof buf), TERN_OK);
    tern_wmat w = {(tern_fmt)f, 2, 3, 4, buf, sizeof buf};
    int32_t y[2] = {0, 0};
    TT_EQ_INT(c, tern_gemm_ref(&w, x, 3, 3, 1, y, 2, 2), TERN_OK);
    TT_EQ_INT(c, y[0], 12);
    TT_EQ_INT(c, y[1], 102);
  }
}

void suite_core(tt_ctx *c) {
  tt_run(c, "core/i2_pack_by_hand", t_i2_pack_by_hand);
  tt_run(c, "core/b3_pack_by_hand", t_b3_pack_by_hand);
  tt_run(c, "core/gemv_by_hand", t_gemv_by_hand);
}

/* tern_probe: bring-up check for any backend. Opens the device, prints what
 * HWCFG says, runs a NOP and a random GEMM group through tern_fw and checks
 * it against the golden model bit for bit.
 *   tern_probe [BACKEND [OPTIONS]]     e.g. tern_probe uio uio=/dev/uio0,udmabuf=udmabuf0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_fw.h"

static int fail(const char *what, int st) {
  fprintf(stderr, "tern_probe: %s: %s (%d)\n", what, tern_fw_strerror(st), st);
  return 1;
}

int main(int argc, char **argv) {
  const char *backend = argc > 1 ? argv[1] : "cmodel";
  const char *options = argc > 2 ? argv[2] : "";
  tern_dev *d;
  int st = tern_dev_open(&d, backend, options);
  if (st) return fail("open", st);
  tern_dev_info in;
  tern_dev_info_get(d, &in);
  printf("backend %s: version %u.%u, %u lanes x %u bytes, batch %u, max_k %u, tile_rows %u\n",
         backend, in.version >> 16, in.version & 0xffffu, in.eng.lanes, in.eng.word_bytes,
         in.eng.batch, in.eng.max_k, in.eng.tile_rows ? in.eng.tile_rows : in.eng.lanes);
  printf("bus %u bytes, formats %#x, max_chain %u, DMA %#llx + %llu bytes\n", in.bus_bytes,
         in.formats, in.max_chain, (unsigned long long)in.dma_base,
         (unsigned long long)in.dma_size);
  tern_fw_accel *a;
  st = tern_fw_open_dev(&a, d);
  if (st) return fail("ring setup", st);
  tern_cmd nop = {0};
  uint64_t seq;
  st = tern_dev_submit(tern_fw_dev(a), &nop, 1, &seq);
  if (!st) st = tern_dev_wait(tern_fw_dev(a), seq, 1000, NULL);
  if (st) return fail("NOP", st);

  const uint32_t k = in.eng.max_k < 512 ? in.eng.max_k : 512, rows = 37,
                 batch = 2 * in.eng.batch + 1;
  const tern_fmt fmt = (in.formats & 2u) ? TERN_FMT_B3 : TERN_FMT_I2;
  int8_t *t = malloc((size_t)rows * k), *x = malloc((size_t)batch * k);
  int32_t *y = malloc((size_t)batch * rows * 4), *want = malloc((size_t)batch * rows * 4);
  size_t rb = tern_row_bytes(fmt, k);
  uint8_t *packed = malloc((size_t)rows * rb);
  if (!t || !x || !y || !want || !packed) return fail("malloc", TERN_ERR_NOMEM);
  uint64_t s = 0x7465726e;
  for (size_t i = 0; i < (size_t)rows * k; i++)
    t[i] = (int8_t)((s = s * 6364136223846793005ull + 1) >> 62) % 3 - 1;
  for (size_t i = 0; i < (size_t)batch * k; i++)
    x[i] = (int8_t)((s = s * 6364136223846793005ull + 1) >> 56);
  tern_fw_mat m;
  st = tern_fw_upload(a, t, rows, k, fmt, 1.0f, &m);
  if (st) return fail("upload", st);
  const tern_fw_mat *mp[1] = {&m};
  int32_t *ys[1] = {y};
  st = tern_fw_gemm(a, mp, 1, x, batch, ys);
  if (st) {
    tern_dev_fault f;
    tern_fw_last_fault(a, &f);
    fprintf(stderr, "tern_probe: hardware error %s at ring index %u\n",
            tern_hwerr_name((int)f.hw_code), f.cmd_index);
    return fail("gemm", st);
  }
  tern_pack(fmt, t, rows, k, packed, rb, (size_t)rows * rb);
  tern_wmat w = {fmt, rows, k, rb, packed, (size_t)rows * rb};
  tern_gemm_ref(&w, x, k, (size_t)batch * k, batch, want, rows, (size_t)batch * rows);
  size_t bad = 0;
  for (size_t i = 0; i < (size_t)batch * rows; i++) bad += y[i] != want[i];
  tern_fw_stats cs;
  tern_fw_call_stats(a, &cs);
  printf("gemm %u x %u (%s), batch %u: %zu of %u results wrong; %llu commands, %llu bytes read, "
         "%llu cycles%s\n",
         rows, k, tern_fmt_name(fmt), batch, bad, batch * rows, (unsigned long long)cs.commands,
         (unsigned long long)cs.bytes_read, (unsigned long long)cs.busy_cycles,
         cs.has_cycles ? "" : " (not counted by this backend)");
  free(t);
  free(x);
  free(y);
  free(want);
  free(packed);
  tern_fw_close(a);
  return bad ? 1 : 0;
}

/*
 * tern_fpga_job: the self-test job of the FPGA board builds (docs/fpga.md).
 *
 *   tern_fpga_job CFG FMT ROWS K BATCH SEED OUTDIR
 *
 * CFG is an engine config (Key=Value lines, the format of config/engine/), FMT
 * i2, b3 or both (two jobs, I2 then B3, on the same trits and activations).
 * Builds a random ternary matrix and int8 activations, lays them out as the
 * engine's weight and activation streams (cmodel/tern_engine.h), and computes
 * the expected results with tern_gemm_ref. Writes OUTDIR/w.hex (the jobs'
 * weight streams one after the other) and OUTDIR/a.hex ($readmemh, one beat a
 * line, byte 0 in the lowest bits) and OUTDIR/job.params (Key=Value: the
 * wrapper's job parameters, including each job's expected checksum over the
 * results in the engine's drain order).
 *
 * Checksum: chk = 0; for each result (rows ascending, batch vector inner):
 * chk = rotl(chk, 1) ^ (uint32_t)y. The board wrapper computes the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern.h"
#include "tern_engine.h"

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int parse_u32(const char *s, uint32_t *v) {
  char *end;
  errno = 0;
  unsigned long x = strtoul(s, &end, 0);
  if (errno || end == s || *end || x > 0xfffffffful) return -1;
  *v = (uint32_t)x;
  return 0;
}

/* Reads Key=Value lines; unknown keys are ignored, missing ones keep defaults. */
static int read_cfg(const char *path, tern_engine_params *p) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[256];
  while (fgets(line, sizeof line, f)) {
    char key[64];
    unsigned long val;
    if (sscanf(line, " %63[A-Za-z0-9] = %lu", key, &val) != 2) continue;
    uint32_t v = (uint32_t)val;
    if (!strcmp(key, "Lanes")) p->lanes = v;
    else if (!strcmp(key, "WordBytes")) p->word_bytes = v;
    else if (!strcmp(key, "Batch")) p->batch = v;
    else if (!strcmp(key, "MaxK")) p->max_k = v;
    else if (!strcmp(key, "AccWidth")) p->acc_width = v;
    else if (!strcmp(key, "TileRows")) p->tile_rows = v;
  }
  fclose(f);
  return 0;
}

static int write_hex(const char *path, const uint8_t *d, size_t len, size_t beat) {
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  for (size_t o = 0; o < len; o += beat) {
    for (size_t i = beat; i-- > 0;) fprintf(f, "%02x", d[o + i]);
    fputc('\n', f);
  }
  return fclose(f);
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s CFG i2|b3 ROWS K BATCH SEED OUTDIR\n", argv[0]);
    return 2;
  }
  tern_engine_params p = {4, 2, 2, 256, 32, 0, 0, 0};
  if (read_cfg(argv[1], &p)) {
    fprintf(stderr, "tern_fpga_job: cannot read %s\n", argv[1]);
    return 2;
  }
  p.act_beat_bytes = p.word_bytes;
  p.w_beat_bytes = p.lanes * p.word_bytes;
  tern_fmt fmts[2];
  int njobs = 1;
  if (!strcmp(argv[2], "i2")) fmts[0] = TERN_FMT_I2;
  else if (!strcmp(argv[2], "b3")) fmts[0] = TERN_FMT_B3;
  else if (!strcmp(argv[2], "both")) fmts[0] = TERN_FMT_I2, fmts[1] = TERN_FMT_B3, njobs = 2;
  else {
    fprintf(stderr, "tern_fpga_job: format must be i2, b3 or both\n");
    return 2;
  }
  if (njobs == 1) fmts[1] = fmts[0];
  uint32_t rows, k, batch, seed32;
  if (parse_u32(argv[3], &rows) || parse_u32(argv[4], &k) || parse_u32(argv[5], &batch) ||
      parse_u32(argv[6], &seed32) || tern_engine_params_check(&p) != TERN_OK || rows == 0 ||
      rows > 4096 || batch == 0 || batch > p.batch || k == 0 || k > p.max_k) {
    fprintf(stderr, "tern_fpga_job: bad engine config or job size\n");
    return 2;
  }
  uint64_t s = seed32;
  int8_t *trits = malloc((size_t)rows * k);
  int8_t *x = malloc((size_t)batch * k);
  size_t stride = tern_row_bytes(TERN_FMT_I2, k) + tern_row_bytes(TERN_FMT_B3, k);
  uint8_t *packed = malloc((size_t)rows * stride);
  size_t wlen[2], alen = tern_engine_astream_bytes(&p, k, batch);
  for (int j = 0; j < 2; j++) wlen[j] = tern_engine_wstream_bytes(&p, fmts[j], rows, k);
  uint8_t *ws = malloc(wlen[0] + wlen[1] + 1), *as = malloc(alen ? alen : 1);
  int32_t *y = malloc((size_t)batch * rows * sizeof *y);
  if (!trits || !x || !packed || !ws || !as || !y || !wlen[0] || !wlen[1] || !alen) {
    fprintf(stderr, "tern_fpga_job: out of memory or bad sizes\n");
    return 1;
  }
  for (size_t i = 0; i < (size_t)rows * k; i++) trits[i] = (int8_t)(splitmix(&s) % 3) - 1;
  /* full int8 range including -128, so the extremes pass through the board */
  for (size_t i = 0; i < (size_t)batch * k; i++) x[i] = (int8_t)(uint8_t)splitmix(&s);
  uint32_t chk[2];
  int rc = tern_engine_astream(&p, x, k, (size_t)batch * k, k, batch, as, alen);
  for (int j = 0; j < 2 && rc == TERN_OK; j++) {
    size_t st = tern_row_bytes(fmts[j], k);
    tern_wmat w = {fmts[j], rows, k, st, packed, (size_t)rows * st};
    rc = tern_pack(fmts[j], trits, rows, k, packed, st, w.len);
    if (rc == TERN_OK) rc = tern_engine_wstream(&p, &w, ws + (j ? wlen[0] : 0), wlen[j]);
    if (rc == TERN_OK)
      rc = tern_gemm_ref(&w, x, k, (size_t)batch * k, batch, y, rows, (size_t)batch * rows);
    chk[j] = 0;
    for (uint32_t r = 0; r < rows; r++)
      for (uint32_t b = 0; b < batch; b++)
        chk[j] = ((chk[j] << 1) | (chk[j] >> 31)) ^ (uint32_t)y[(size_t)b * rows + r];
  }
  if (rc != TERN_OK) {
    fprintf(stderr, "tern_fpga_job: golden model error %d\n", rc);
    return 1;
  }
  size_t wb0 = wlen[0] / p.w_beat_bytes, wb1 = wlen[1] / p.w_beat_bytes;
  size_t wtotal = njobs == 2 ? wlen[0] + wlen[1] : wlen[0];

  char path[4096];
  snprintf(path, sizeof path, "%s/w.hex", argv[7]);
  if (write_hex(path, ws, wtotal, p.w_beat_bytes)) goto io;
  snprintf(path, sizeof path, "%s/a.hex", argv[7]);
  if (write_hex(path, as, alen, p.act_beat_bytes)) goto io;
  snprintf(path, sizeof path, "%s/job.params", argv[7]);
  FILE *f = fopen(path, "w");
  if (!f) goto io;
  fprintf(f, "Jobs=%d\nJobFmt0=%u\nJobFmt1=%u\nJobRows=%u\nJobK=%u\nJobBatch=%u\n"
             "WBeats0=%zu\nWBeats1=%zu\nABeats=%zu\nExpectCount=%u\nExpectSum0=%u\nExpectSum1=%u\n",
          njobs, (unsigned)fmts[0], (unsigned)fmts[1], rows, k, batch, wb0, njobs == 2 ? wb1 : wb0,
          alen / p.act_beat_bytes, rows * batch, chk[0], njobs == 2 ? chk[1] : chk[0]);
  if (fclose(f)) goto io;
  printf("job: %s %ux%u batch %u, %zu+%zu weight beats, %zu activation beats, checksums 0x%08x 0x%08x\n",
         argv[2], rows, k, batch, wb0, njobs == 2 ? wb1 : 0, alen / p.act_beat_bytes, chk[0],
         njobs == 2 ? chk[1] : chk[0]);
  free(trits), free(x), free(packed), free(ws), free(as), free(y);
  return 0;
io:
  fprintf(stderr, "tern_fpga_job: cannot write %s\n", path);
  return 1;
}

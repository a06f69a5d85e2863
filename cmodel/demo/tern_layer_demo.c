/* make demo (for now): one BitNet b1.58 2B4T-shaped transformer layer's seven
 * projections through the golden model, on seeded random weights.
 * Float weights are absmean-quantized to trits and packed as B3 (the format
 * the accelerator streams); the activation is quantized per token; the fast
 * path's integers are checked against the reference GEMV, then dequantized. */
#include "../tern.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct proj {
  const char *name;
  uint32_t rows, k;
} proj;

static uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Roughly Gaussian (sum of four uniforms), enough for a demo. */
static float rng_gauss(uint64_t *s) {
  float a = 0.0f;
  for (int i = 0; i < 4; i++) a += (float)(rng_next(s) >> 40) / 16777216.0f;
  return (a - 2.0f) * 1.7320508f;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what, int st) {
  fprintf(stderr, "demo: %s failed: %s\n", what, tern_strerror(st));
  return 1;
}

int main(int argc, char **argv) {
  uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 2025;
  const uint32_t hidden = 2560, inter = 6912, kv = 640;
  const proj projs[] = {
      {"q_proj", hidden, hidden}, {"k_proj", kv, hidden},      {"v_proj", kv, hidden},
      {"o_proj", hidden, hidden}, {"gate_proj", inter, hidden}, {"up_proj", inter, hidden},
      {"down_proj", hidden, inter},
  };
  const int nproj = (int)(sizeof projs / sizeof projs[0]);
  tern_isa isa = tern_isa_best();
  printf("tern demo: one BitNet b1.58 2B4T layer (hidden %u, intermediate %u, "
         "KV dim %u), seed %llu\n",
         hidden, inter, kv, (unsigned long long)seed);
  printf("golden model fast path: %s; weights absmean-quantized, packed B3 "
         "(5 trits a byte)\n\n",
         tern_isa_name(isa));
  printf("%-10s %6s %6s %9s %7s %9s %10s %10s %8s\n", "projection", "rows", "K",
         "B3 bytes", "zeros%", "wscale", "y[0]", "y[last]", "GMAC/s");

  uint64_t rng = seed;
  double total_macs = 0, total_s = 0;
  int rc = 0;
  for (int p = 0; p < nproj && !rc; p++) {
    uint32_t rows = projs[p].rows, k = projs[p].k;
    size_t n = (size_t)rows * k, stride = tern_row_bytes(TERN_FMT_B3, k);
    float *wf = malloc(n * sizeof *wf), *xf = malloc(k * sizeof *xf);
    int8_t *trits = malloc(n), *xq = malloc(k);
    uint8_t *packed = malloc((size_t)rows * stride);
    int32_t *y = malloc(rows * sizeof *y), *yref = malloc(rows * sizeof *yref);
    float *out = malloc(rows * sizeof *out);
    if (!wf || !xf || !trits || !xq || !packed || !y || !yref || !out) {
      rc = fail("malloc", TERN_ERR_NOMEM);
      goto next;
    }
    for (size_t i = 0; i < n; i++) wf[i] = 0.02f * rng_gauss(&rng);
    for (uint32_t i = 0; i < k; i++) xf[i] = rng_gauss(&rng);

    float wscale, xscale;
    int st = tern_quant_absmean(wf, n, trits, &wscale);
    if (st) { rc = fail("tern_quant_absmean", st); goto next; }
    st = tern_pack(TERN_FMT_B3, trits, rows, k, packed, stride, (size_t)rows * stride);
    if (st) { rc = fail("tern_pack", st); goto next; }
    st = tern_quant_act(xf, k, xq, &xscale);
    if (st) { rc = fail("tern_quant_act", st); goto next; }
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++) zeros += trits[i] == 0;

    tern_wmat w = {TERN_FMT_B3, rows, k, stride, packed, (size_t)rows * stride};
    const int reps = 5;
    double t0 = now_s();
    for (int r = 0; r < reps && !st; r++) st = tern_gemm(isa, &w, xq, k, k, 1, y, rows, rows);
    double dt = (now_s() - t0) / reps;
    if (st) { rc = fail("tern_gemm", st); goto next; }
    st = tern_gemm_ref(&w, xq, k, k, 1, yref, rows, rows);
    if (st) { rc = fail("tern_gemm_ref", st); goto next; }
    if (memcmp(y, yref, rows * sizeof *y) != 0) {
      fprintf(stderr, "demo: fast path disagrees with the reference on %s\n", projs[p].name);
      rc = 1;
      goto next;
    }
    st = tern_dequant(y, rows, xscale, wscale, out);
    if (st) { rc = fail("tern_dequant", st); goto next; }
    total_macs += (double)n;
    total_s += dt;
    printf("%-10s %6u %6u %9zu %6.1f%% %9.5f %10.4f %10.4f %8.1f\n", projs[p].name, rows, k,
           (size_t)rows * stride, 100.0 * (double)zeros / (double)n, wscale, out[0],
           out[rows - 1], (double)n / dt * 1e-9);
  next:
    free(wf); free(xf); free(trits); free(xq); free(packed); free(y); free(yref); free(out);
  }
  if (rc) return rc;
  printf("\nall 7 projections: %.1f M ternary MACs, fast path == reference bit "
         "for bit, %.2f ms on one core (%.1f G ternary MACs/s)\n",
         total_macs * 1e-6, total_s * 1e3, total_macs / total_s * 1e-9);
  printf("A 30-layer 2B4T decode step would take %.1f ms of ternary GEMV here "
         "(%.1f tokens/s on this core, LM head excluded).\n",
         30 * total_s * 1e3, 1.0 / (30 * total_s));
  return 0;
}

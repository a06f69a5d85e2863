/* bench_cmodel: throughput of the golden model's matmuls on this CPU.
 *
 * For each BitNet b1.58 2B4T matrix shape and each weight format: the
 * reference (tern_gemm_ref), the fast path (tern_gemm, best ISA) on one
 * thread and on every online CPU (rows split across pthreads), as GEMV and
 * as GEMM at batch 8. Rates are G ternary MACs/s = rows*K*batch / seconds,
 * best of several timed repetitions after a warm-up. Every shape is first
 * checked fast == reference (exit 1 otherwise).
 *
 *   bench_cmodel [-q] [-i ISA] [-o results.csv]
 *     -q: fewer repetitions; -i: avx512, avx2, neon, scalar (default: best) */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tern.h"

#define GEMM_BATCH 8u

typedef struct shape {
  const char *name;
  uint32_t rows, k;
} shape;

static const shape k_shapes[] = {
    {"q/o 2560x2560", 2560, 2560},
    {"k/v 640x2560", 640, 2560},
    {"gate/up 6912x2560", 6912, 2560},
    {"down 2560x6912", 2560, 6912},
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void die(const char *what, int st) {
  fprintf(stderr, "bench_cmodel: %s: %s\n", what, tern_strerror(st));
  exit(1);
}

/* ---- a tiny thread pool: every worker runs its slice of rows per call ---- */

typedef struct job {
  tern_isa isa;
  const tern_wmat *w;
  const int8_t *x;
  size_t x_len;
  uint32_t batch;
  int32_t *y;
  size_t y_len;
  int quit;
} job;

typedef struct pool {
  unsigned n;
  pthread_t *tid;
  pthread_barrier_t start, done;
  job j;
  int status[256];
} pool;

typedef struct worker_arg {
  pool *p;
  unsigned id;
} worker_arg;

/* Worker id's rows: an even split rounded to multiples of 16. */
static int run_slice(pool *p, unsigned id) {
  const job *j = &p->j;
  uint32_t rows = j->w->rows, per = (rows / p->n + 15u) & ~15u;
  uint32_t r0 = id * per, r1 = r0 + per > rows ? rows : r0 + per;
  if (r0 >= r1) return TERN_OK;
  tern_wmat s = *j->w;
  s.rows = r1 - r0;
  s.data = j->w->data + (size_t)r0 * j->w->row_stride;
  s.len = (size_t)s.rows * s.row_stride;
  return tern_gemm(j->isa, &s, j->x, j->w->k, j->x_len, j->batch, j->y + r0, rows, j->y_len - r0);
}

static void *worker(void *arg) {
  worker_arg *a = arg;
  for (;;) {
    pthread_barrier_wait(&a->p->start);
    if (a->p->j.quit) return NULL;
    a->p->status[a->id] = run_slice(a->p, a->id);
    pthread_barrier_wait(&a->p->done);
  }
}

static void pool_start(pool *p, unsigned n, worker_arg *args) {
  p->n = n;
  p->tid = calloc(n, sizeof *p->tid);
  pthread_barrier_init(&p->start, NULL, n);
  pthread_barrier_init(&p->done, NULL, n);
  p->j.quit = 0;
  for (unsigned i = 1; i < n; i++) {
    args[i].p = p;
    args[i].id = i;
    pthread_create(&p->tid[i], NULL, worker, &args[i]);
  }
}

/* Runs one call split over all pool threads; the caller is thread 0. */
static int pool_run(pool *p) {
  if (p->n > 1) pthread_barrier_wait(&p->start);
  int st = run_slice(p, 0);
  if (p->n > 1) pthread_barrier_wait(&p->done);
  for (unsigned i = 1; i < p->n; i++)
    if (p->status[i] != TERN_OK) st = p->status[i];
  return st;
}

static void pool_stop(pool *p) {
  p->j.quit = 1;
  if (p->n > 1) pthread_barrier_wait(&p->start);
  for (unsigned i = 1; i < p->n; i++) pthread_join(p->tid[i], NULL);
  pthread_barrier_destroy(&p->start);
  pthread_barrier_destroy(&p->done);
  free(p->tid);
}

/* ---- timing ---- */

typedef enum mode { M_REF, M_FAST1, M_FASTN } mode;

typedef struct ctx {
  tern_isa isa;
  const tern_wmat *w;
  const int8_t *x;
  size_t x_len;
  int32_t *y;
  size_t y_len;
  pool *p;
} ctx;

static int call(const ctx *c, mode m, uint32_t batch) {
  size_t x_len = (size_t)(batch - 1) * c->w->k + c->w->k;
  size_t y_len = (size_t)(batch - 1) * c->w->rows + c->w->rows;
  switch (m) {
  case M_REF: return tern_gemm_ref(c->w, c->x, c->w->k, x_len, batch, c->y, c->w->rows, y_len);
  case M_FAST1:
    return tern_gemm(c->isa, c->w, c->x, c->w->k, x_len, batch, c->y, c->w->rows, y_len);
  default: c->p->j = (job){c->isa, c->w, c->x, x_len, batch, c->y, y_len, 0}; return pool_run(c->p);
  }
}

/* Best-of-reps rate in G MACs/s; reps stop after min_time or max_reps. */
static double rate(const ctx *c, mode m, uint32_t batch, double min_time, int max_reps) {
  int st = call(c, m, batch); /* warm-up: caches, page faults, turbo */
  if (st != TERN_OK) die("timed call", st);
  double best = 1e30, t_end = now_s() + min_time;
  for (int i = 0; i < max_reps; i++) {
    double t0 = now_s();
    st = call(c, m, batch);
    double dt = now_s() - t0;
    if (st != TERN_OK) die("timed call", st);
    if (dt < best) best = dt;
    if (i >= 2 && now_s() > t_end) break;
  }
  return (double)c->w->rows * c->w->k * batch / best * 1e-9;
}

static void cpu_model(char *out, size_t n) {
  snprintf(out, n, "unknown CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512], fam[32] = "", mod[32] = "", step[32] = "";
  int have_name = 0;
  while (fgets(line, sizeof line, f)) {
    char *v = strchr(line, ':');
    if (!v) continue;
    v += 1 + (v[1] == ' ');
    v[strcspn(v, "\n")] = 0;
    if (!have_name && !strncmp(line, "model name", 10)) {
      snprintf(out, n, "%s", v);
      have_name = 1;
    } else if (!fam[0] && !strncmp(line, "cpu family", 10)) {
      snprintf(fam, sizeof fam, "%s", v);
    } else if (!mod[0] && !strncmp(line, "model\t", 6)) {
      snprintf(mod, sizeof mod, "%s", v);
    } else if (!step[0] && !strncmp(line, "stepping", 8)) {
      snprintf(step, sizeof step, "%s", v);
    }
  }
  fclose(f);
  if (fam[0]) {
    size_t l = strlen(out);
    snprintf(out + l, n - l, " (family %s model %s stepping %s)", fam, mod, step);
  }
}

int main(int argc, char **argv) {
  const char *csv_path = NULL;
  int quick = 0;
  tern_isa isa = tern_isa_best();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc) {
      csv_path = argv[++i];
    } else if (!strcmp(argv[i], "-q")) {
      quick = 1;
    } else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
      const char *name = argv[++i];
      int found = 0;
      for (int v = TERN_ISA_SCALAR; v <= TERN_ISA_NEON; v++)
        if (!strcmp(name, tern_isa_name((tern_isa)v))) {
          isa = (tern_isa)v;
          found = 1;
        }
      if (!found || !tern_isa_available(isa)) {
        fprintf(stderr, "bench_cmodel: isa '%s' unknown or not available here\n", name);
        return 2;
      }
    } else {
      fprintf(stderr, "usage: %s [-q] [-i ISA] [-o results.csv]\n", argv[0]);
      return 2;
    }
  }
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned nthr = ncpu < 1 ? 1u : ncpu > 256 ? 256u : (unsigned)ncpu;
  char cpu[256];
  cpu_model(cpu, sizeof cpu);
  printf("tern golden model matmul benchmark\n");
  printf("cpu: %s, %u online CPUs\n", cpu, nthr);
  printf("fast path isa: %s (library built generically, run-time dispatch; -i to force)\n",
         tern_isa_name(isa));
  printf("rates in G ternary MACs/s (rows*K*batch / s), best of several reps\n\n");
  printf("%-18s %-3s %8s %9s %9s %11s %11s\n", "shape (rows x K)", "fmt", "ref", "fast 1t",
         "fast all", "gemm8 1t", "gemm8 all");

  FILE *csv = NULL;
  if (csv_path) {
    csv = fopen(csv_path, "w");
    if (!csv) {
      perror(csv_path);
      return 1;
    }
    fprintf(csv, "# cpu=%s; isa=%s; threads=%u\n", cpu, tern_isa_name(isa), nthr);
    fprintf(csv, "shape,rows,k,fmt,ref,fast_1t,fast_all,gemm8_1t,gemm8_all\n");
  }

  pool p;
  worker_arg *args = calloc(nthr, sizeof *args);
  pool_start(&p, nthr, args);
  double t_start = now_s();
  double min_time = quick ? 0.05 : 0.3;
  int max_reps = quick ? 5 : 50;
  uint64_t seed = 0x62656e63ull;

  for (size_t si = 0; si < sizeof k_shapes / sizeof k_shapes[0]; si++) {
    const shape *sh = &k_shapes[si];
    int8_t *trits = malloc((size_t)sh->rows * sh->k);
    int8_t *x = malloc((size_t)GEMM_BATCH * sh->k);
    int32_t *y = malloc((size_t)GEMM_BATCH * sh->rows * sizeof(int32_t));
    int32_t *yref = malloc((size_t)GEMM_BATCH * sh->rows * sizeof(int32_t));
    for (size_t i = 0; i < (size_t)sh->rows * sh->k; i++)
      trits[i] = (int8_t)((int)(rng(&seed) % 3u) - 1);
    for (size_t i = 0; i < (size_t)GEMM_BATCH * sh->k; i++) x[i] = (int8_t)rng(&seed);
    for (int f = 0; f < 2; f++) {
      tern_fmt fmt = (tern_fmt)f;
      size_t stride = tern_row_bytes(fmt, sh->k), len = stride * sh->rows;
      uint8_t *packed = malloc(len);
      int st = tern_pack(fmt, trits, sh->rows, sh->k, packed, stride, len);
      if (st != TERN_OK) die("pack", st);
      tern_wmat w = {fmt, sh->rows, sh->k, stride, packed, len};
      ctx c = {isa, &w, x, (size_t)GEMM_BATCH * sh->k, y, (size_t)GEMM_BATCH * sh->rows, &p};

      /* fast == reference, GEMV and GEMM, single and multi-threaded */
      for (uint32_t batch = 1; batch <= GEMM_BATCH; batch += GEMM_BATCH - 1) {
        size_t n = (size_t)batch * sh->rows;
        if ((st = call(&c, M_REF, batch)) != TERN_OK) die("reference", st);
        memcpy(yref, y, n * sizeof *y);
        for (int m = M_FAST1; m <= M_FASTN; m++) {
          memset(y, 0x5a, n * sizeof *y);
          if ((st = call(&c, (mode)m, batch)) != TERN_OK) die("fast path", st);
          if (memcmp(y, yref, n * sizeof *y)) {
            fprintf(stderr, "bench_cmodel: MISMATCH fast != reference: %s %s batch %u %s\n",
                    sh->name, tern_fmt_name(fmt), batch, m == M_FAST1 ? "1 thread" : "threads");
            return 1;
          }
        }
      }
      double r_ref = rate(&c, M_REF, 1, min_time / 3, 3);
      double r1 = rate(&c, M_FAST1, 1, min_time, max_reps);
      double rn = rate(&c, M_FASTN, 1, min_time, max_reps);
      double g1 = rate(&c, M_FAST1, GEMM_BATCH, min_time, max_reps);
      double gn = rate(&c, M_FASTN, GEMM_BATCH, min_time, max_reps);
      printf("%-18s %-3s %8.2f %9.1f %9.1f %11.1f %11.1f\n", sh->name, tern_fmt_name(fmt), r_ref,
             r1, rn, g1, gn);
      fflush(stdout);
      if (csv)
        fprintf(csv, "%s,%u,%u,%s,%.3f,%.2f,%.2f,%.2f,%.2f\n", sh->name, sh->rows, sh->k,
                tern_fmt_name(fmt), r_ref, r1, rn, g1, gn);
      free(packed);
    }
    free(trits);
    free(x);
    free(y);
    free(yref);
  }
  pool_stop(&p);
  free(args);
  if (csv) fclose(csv);
  printf("\nall shapes verified fast == reference; %u threads; %.1f s\n", nthr, now_s() - t_start);
  return 0;
}

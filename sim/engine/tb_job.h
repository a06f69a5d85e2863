/* Job generation and expected results for the tern_engine co-simulation.
 * Plain C11 so the stimulus and the golden results never depend on the
 * Verilator side; tb_main.cpp only drives and checks cycles. */
#ifndef TB_JOB_H
#define TB_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "tern.h"
#include "tern_engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stall probabilities are in 1/256 units: a source idles (valid low) or
 * the result sink withholds ready with that probability each cycle. */
typedef struct tb_stalls {
  unsigned cfg, act, w, res;
} tb_stalls;

typedef struct tb_job {
  unsigned index;
  unsigned sub;     /* position in its chain: 0 loads activations, >0 keeps them */
  uint64_t seed;    /* everything about the job derives from this */
  const char *test; /* directed test name or "random" */
  char desc[96];    /* what the generator chose (weights/acts/invalid) */
  /* the config as driven onto cfg_* (may be invalid on purpose) */
  unsigned fmt;
  uint32_t rows, k, batch;
  int exp_status; /* 0 ok, 1 bad config, 2 invalid code */
  tb_stalls stall;
  int early_cfg; /* offer this job's config while the previous job runs */
  int keep;      /* cfg_keep_act_i: reuse the previous load's activations */
  /* stimulus */
  uint8_t *wmat; /* row-major packed, row_stride bytes a row */
  size_t row_stride;
  uint8_t *wstream;
  size_t wstream_len;
  uint32_t w_beats;
  uint8_t *act; /* act_beats * act_beat_bytes bytes, vectors padded to beats */
  uint32_t act_beats;
  /* expected: y[b * rows + r], row_err[r] */
  int8_t *x; /* the activations (batch x k), for jobs that keep them */
  int32_t *y;
  uint8_t *row_err;
  uint64_t results; /* rows * batch */
  uint64_t timeout; /* cycles allowed from config offer to done */
  uint64_t rng;     /* for the harness's stall decisions */
} tb_job;

/* The directed test names, NULL-terminated; "random" is the random suite. */
extern const char *const tb_directed_tests[];

/* Number of jobs a directed test has (0 for an unknown name). */
unsigned tb_directed_count(const char *test);

/* Jobs in item `index` of `test`: a chain whose first job loads activations
 * and whose others reuse them with cfg_keep_act_i (they run back to back). */
unsigned tb_chain_len(const tern_engine_params *p, const char *test, uint64_t seed, unsigned index);

/* Builds job `sub` of item `index` of `test` ("random" or a directed name)
 * from `seed`. Returns a tern_status; the job is freed with tb_job_free. */
int tb_job_make(const tern_engine_params *p, unsigned batch_w, const char *test, uint64_t seed,
                unsigned index, unsigned sub, tb_job *job);
void tb_job_free(tb_job *job);

/* One line describing the job for failure messages. */
void tb_job_print(const tb_job *job, const char *prefix);

uint64_t tb_rand(uint64_t *s);
unsigned tb_range(uint64_t *s, unsigned lo, unsigned hi);
/* Per-job seed from the run seed and the job index. */
uint64_t tb_job_seed(uint64_t run_seed, const char *test, unsigned index);

#ifdef __cplusplus
}
#endif
#endif

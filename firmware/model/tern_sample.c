/* Token sampling: greedy, or temperature + nucleus (top-p) with a seeded
 * splitmix64 generator, so a run is reproducible from its seed. */
#include <math.h>
#include <stdlib.h>

#include "tern_model.h"

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

typedef struct pi {
  float p;
  uint32_t i;
} pi;

/* descending probability, ascending index on ties: a total order */
static int cmp_pi(const void *a, const void *b) {
  const pi *x = a, *y = b;
  if (x->p != y->p) return x->p < y->p ? 1 : -1;
  return x->i < y->i ? -1 : (x->i > y->i);
}

int32_t tern_sample(tern_sampler *s, const float *logits, uint32_t n) {
  if (!s || !logits) return TERN_ERR_NULL;
  if (n == 0 || n > INT32_MAX) return TERN_ERR_DIM;
  uint32_t best = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (isnan(logits[i])) return TERN_ERR_VALUE;
    if (logits[i] > logits[best]) best = i;
  }
  if (!(s->temp > 0.0f)) return (int32_t)best;
  float top_p = s->top_p > 0.0f && s->top_p < 1.0f ? s->top_p : 1.0f;
  pi *v = malloc((size_t)n * sizeof *v);
  if (!v) return TERN_ERR_NOMEM;
  float mx = logits[best];
  double sum = 0.0;
  for (uint32_t i = 0; i < n; i++) {
    v[i].p = expf((logits[i] - mx) / s->temp);
    v[i].i = i;
    sum += v[i].p;
  }
  qsort(v, n, sizeof *v, cmp_pi);
  /* nucleus: the smallest prefix whose mass reaches top_p (at least one) */
  double cum = 0.0;
  uint32_t keep = 0;
  while (keep < n) {
    cum += v[keep].p / sum;
    keep++;
    if (cum >= top_p) break;
  }
  double mass = 0.0;
  for (uint32_t i = 0; i < keep; i++) mass += v[i].p;
  double r = (double)(splitmix(&s->rng) >> 11) * (1.0 / 9007199254740992.0) * mass;
  uint32_t pick = v[keep - 1].i;
  double acc = 0.0;
  for (uint32_t i = 0; i < keep; i++) {
    acc += v[i].p;
    if (r < acc) {
      pick = v[i].i;
      break;
    }
  }
  free(v);
  return (int32_t)pick;
}

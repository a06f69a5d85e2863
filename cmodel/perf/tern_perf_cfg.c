/* key=value configuration files for hardware, models and energy nodes. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_perf.h"

typedef int (*kv_fn)(void *obj, const char *key, const char *val, const char *dir);

static char *trim(char *s) {
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  return s;
}

/* Reads path line by line; fn gets each key/value; dir = path's directory. */
static int kv_load(const char *path, void *obj, kv_fn fn, char *err, size_t err_len) {
  if (!path || !obj) return TERN_ERR_NULL;
  FILE *fp = fopen(path, "r");
  if (!fp) {
    if (err) snprintf(err, err_len, "%s: cannot open", path);
    return TERN_ERR_VALUE;
  }
  char dir[512];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = 0;
  else
    snprintf(dir, sizeof dir, ".");
  char line[512];
  int ln = 0, rc = TERN_OK;
  while (fgets(line, sizeof line, fp)) {
    ln++;
    char *h = strchr(line, '#');
    if (h) *h = 0;
    char *s = trim(line);
    if (!*s) continue;
    char *eq = strchr(s, '=');
    if (!eq) {
      rc = TERN_ERR_FORMAT;
      if (err) snprintf(err, err_len, "%s:%d: expected key=value", path, ln);
      break;
    }
    *eq = 0;
    char *k = trim(s), *v = trim(eq + 1);
    rc = fn(obj, k, v, dir);
    if (rc != TERN_OK) {
      if (err) snprintf(err, err_len, "%s:%d: bad or unknown key '%s' = '%s'", path, ln, k, v);
      break;
    }
  }
  fclose(fp);
  return rc;
}

static int num(const char *v, double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (end == v || errno) return TERN_ERR_VALUE;
  /* SI suffixes for clocks and bandwidths: 250M, 19.2G */
  if (*end == 'k' || *end == 'K')
    d *= 1e3, end++;
  else if (*end == 'M')
    d *= 1e6, end++;
  else if (*end == 'G')
    d *= 1e9, end++;
  else if (*end == 'T')
    d *= 1e12, end++;
  if (*end || !(d == d)) return TERN_ERR_VALUE;
  *out = d;
  return TERN_OK;
}

static int u32v(const char *v, uint32_t *out) {
  double d;
  if (num(v, &d) != TERN_OK || d < 0 || d > 4294967295.0 || d != (double)(uint64_t)d)
    return TERN_ERR_VALUE;
  *out = (uint32_t)d;
  return TERN_OK;
}

static int strv(const char *v, char *dst) {
  if (strlen(v) >= TERN_PERF_NAME) return TERN_ERR_VALUE;
  strcpy(dst, v);
  return TERN_OK;
}

void tern_perf_hw_default(tern_perf_hw *hw) {
  memset(hw, 0, sizeof *hw);
  hw->eng = (tern_engine_params){4, 2, 2, 256, 32, 2, 8, 32};
  /* the engine in rtl/engine today: table lookup, 17-cycle table build */
  hw->design = TERN_PERF_LUT;
  hw->lut_build_cycles = 17;
  hw->fmt = TERN_FMT_B3;
  hw->clock_hz = 250e6;
  hw->mem_bw = 0;
  hw->bus_bytes = 16;
  hw->rd_latency = 64;
  hw->wr_latency = 16;
  hw->rd_outstanding = 8;
  hw->rd_burst_beats = 16;
  hw->rd_fifo_beats = 128;
  hw->wr_outstanding = 8;
  hw->keep_act = 1;
  hw->cpu_ops = 6e9;
  hw->cpu_bw = 0;
  hw->lm_head_bits = 8;
  hw->kv_bits = 16;
  hw->act_buf_bytes = 0;
  snprintf(hw->node, sizeof hw->node, "45nm");
  snprintf(hw->mem_type, sizeof hw->mem_type, "ddr4");
}

/* Engine parameters from a config/engine/<name>.cfg (RTL parameter names). */
typedef struct eng_cfg {
  tern_engine_params e;
  uint32_t pipe; /* Pipe (absent: 0) */
} eng_cfg;

static int eng_kv(void *obj, const char *k, const char *v, const char *dir) {
  (void)dir;
  eng_cfg *c = obj;
  tern_engine_params *e = &c->e;
  uint32_t x;
  if (u32v(v, &x) != TERN_OK) return TERN_ERR_VALUE;
  if (!strcmp(k, "Lanes"))
    e->lanes = x;
  else if (!strcmp(k, "WordBytes"))
    e->word_bytes = x;
  else if (!strcmp(k, "Batch"))
    e->batch = x;
  else if (!strcmp(k, "MaxK"))
    e->max_k = x;
  else if (!strcmp(k, "AccWidth"))
    e->acc_width = x;
  else if (!strcmp(k, "TileRows"))
    e->tile_rows = x;
  else if (!strcmp(k, "ActBeatBytes"))
    e->act_beat_bytes = x;
  else if (!strcmp(k, "WBeatBytes"))
    e->w_beat_bytes = x;
  else if (!strcmp(k, "Pipe"))
    c->pipe = x;
  /* other RTL-only parameters are none of the model's business */
  return TERN_OK;
}

static void eng_derive(tern_engine_params *e) {
  e->acc_width = 32;
  e->act_beat_bytes = e->word_bytes;
  e->w_beat_bytes = e->lanes * e->word_bytes;
}

int tern_perf_hw_set(tern_perf_hw *hw, const char *k, const char *v, const char *dir) {
  if (!hw || !k || !v) return TERN_ERR_NULL;
  double d;
  tern_engine_params *e = &hw->eng;
  if (!strcmp(k, "name")) return strv(v, hw->name);
  if (!strcmp(k, "engine")) {
    /* engine=<name>: the RTL config, one source for both */
    char p[700], err[256];
    snprintf(p, sizeof p, "%s/../engine/%s.cfg", dir ? dir : "config/hw", v);
    eng_cfg ne;
    memset(&ne, 0, sizeof ne);
    int rc = kv_load(p, &ne, eng_kv, err, sizeof err);
    if (rc != TERN_OK) return rc;
    if (!ne.e.tile_rows) ne.e.tile_rows = 8 * ne.e.lanes; /* the RTL default */
    eng_derive(&ne.e);
    *e = ne.e;
    hw->pipe = ne.pipe;
    return TERN_OK;
  }
  if (!strcmp(k, "lanes")) {
    int rc = u32v(v, &e->lanes);
    eng_derive(e);
    return rc;
  }
  if (!strcmp(k, "word_bytes")) {
    int rc = u32v(v, &e->word_bytes);
    eng_derive(e);
    return rc;
  }
  if (!strcmp(k, "batch")) return u32v(v, &e->batch);
  if (!strcmp(k, "max_k")) return u32v(v, &e->max_k);
  if (!strcmp(k, "tile_rows")) return u32v(v, &e->tile_rows);
  if (!strcmp(k, "design")) {
    if (!strcmp(v, "rowpar"))
      hw->design = TERN_PERF_ROWPAR;
    else if (!strcmp(v, "lut"))
      hw->design = TERN_PERF_LUT;
    else
      return TERN_ERR_VALUE;
    return TERN_OK;
  }
  if (!strcmp(k, "lut_build_cycles")) return u32v(v, &hw->lut_build_cycles);
  if (!strcmp(k, "pipe")) return u32v(v, &hw->pipe);
  if (!strcmp(k, "format")) {
    if (!strcmp(v, "I2") || !strcmp(v, "i2"))
      hw->fmt = TERN_FMT_I2;
    else if (!strcmp(v, "B3") || !strcmp(v, "b3"))
      hw->fmt = TERN_FMT_B3;
    else
      return TERN_ERR_VALUE;
    return TERN_OK;
  }
  if (!strcmp(k, "bus_bytes")) return u32v(v, &hw->bus_bytes);
  if (!strcmp(k, "rd_latency")) return u32v(v, &hw->rd_latency);
  if (!strcmp(k, "wr_latency")) return u32v(v, &hw->wr_latency);
  if (!strcmp(k, "rd_outstanding")) return u32v(v, &hw->rd_outstanding);
  if (!strcmp(k, "rd_burst_beats")) return u32v(v, &hw->rd_burst_beats);
  if (!strcmp(k, "rd_fifo_beats")) return u32v(v, &hw->rd_fifo_beats);
  if (!strcmp(k, "wr_outstanding")) return u32v(v, &hw->wr_outstanding);
  if (!strcmp(k, "keep_act")) return u32v(v, &hw->keep_act);
  if (!strcmp(k, "lm_head_bits")) return u32v(v, &hw->lm_head_bits);
  if (!strcmp(k, "kv_bits")) return u32v(v, &hw->kv_bits);
  if (!strcmp(k, "act_buf_bytes")) return u32v(v, &hw->act_buf_bytes);
  if (!strcmp(k, "node")) return strv(v, hw->node);
  if (!strcmp(k, "mem_type")) return strv(v, hw->mem_type);
  double *dv = NULL;
  if (!strcmp(k, "clock_hz"))
    dv = &hw->clock_hz;
  else if (!strcmp(k, "mem_bw"))
    dv = &hw->mem_bw;
  else if (!strcmp(k, "cpu_ops"))
    dv = &hw->cpu_ops;
  else if (!strcmp(k, "cpu_bw"))
    dv = &hw->cpu_bw;
  else if (!strcmp(k, "lut_per_mac"))
    dv = &hw->lut_per_mac;
  else if (!strcmp(k, "lut_fixed"))
    dv = &hw->lut_fixed;
  else if (!strcmp(k, "area_mm2_per_mac"))
    dv = &hw->area_mm2_per_mac;
  else if (!strcmp(k, "area_mm2_fixed"))
    dv = &hw->area_mm2_fixed;
  if (!dv) return TERN_ERR_FORMAT;
  if (num(v, &d) != TERN_OK || d < 0) return TERN_ERR_VALUE;
  *dv = d;
  return TERN_OK;
}

static int hw_kv(void *obj, const char *k, const char *v, const char *dir) {
  return tern_perf_hw_set(obj, k, v, dir);
}

int tern_perf_hw_check(const tern_perf_hw *hw) {
  if (!hw) return TERN_ERR_NULL;
  if (tern_engine_params_check(&hw->eng) != TERN_OK) return TERN_ERR_DIM;
  if (hw->bus_bytes == 0 || hw->rd_outstanding == 0 || hw->rd_burst_beats == 0 ||
      hw->rd_fifo_beats == 0 || !(hw->clock_hz > 0) || !(hw->mem_bw > 0) || !(hw->cpu_ops > 0))
    return TERN_ERR_DIM;
  if (hw->lm_head_bits == 0 || hw->lm_head_bits > 32 || hw->kv_bits == 0 || hw->kv_bits > 32)
    return TERN_ERR_DIM;
  return TERN_OK;
}

int tern_perf_hw_load(const char *path, tern_perf_hw *hw, char *err, size_t err_len) {
  if (!hw) return TERN_ERR_NULL;
  tern_perf_hw_default(hw);
  int rc = kv_load(path, hw, hw_kv, err, err_len);
  if (rc != TERN_OK) return rc;
  if (!hw->cpu_bw) hw->cpu_bw = hw->mem_bw;
  rc = tern_perf_hw_check(hw);
  if (rc != TERN_OK && err) snprintf(err, err_len, "%s: incomplete or invalid hardware", path);
  return rc;
}

int tern_perf_model_set(tern_perf_model *m, const char *k, const char *v) {
  if (!m || !k || !v) return TERN_ERR_NULL;
  if (!strcmp(k, "name")) return strv(v, m->name);
  if (!strcmp(k, "zero_frac")) {
    double d;
    if (num(v, &d) != TERN_OK || d < 0 || d > 1) return TERN_ERR_VALUE;
    m->zero_frac = d;
    return TERN_OK;
  }
  uint32_t *u = NULL;
  if (!strcmp(k, "hidden"))
    u = &m->hidden;
  else if (!strcmp(k, "intermediate"))
    u = &m->inter;
  else if (!strcmp(k, "layers"))
    u = &m->layers;
  else if (!strcmp(k, "heads"))
    u = &m->heads;
  else if (!strcmp(k, "kv_heads"))
    u = &m->kv_heads;
  else if (!strcmp(k, "head_dim"))
    u = &m->head_dim;
  else if (!strcmp(k, "vocab"))
    u = &m->vocab;
  else if (!strcmp(k, "glu"))
    u = &m->glu;
  else if (!strcmp(k, "tied"))
    u = &m->tied;
  if (!u) return TERN_ERR_FORMAT;
  return u32v(v, u);
}

static int model_kv(void *obj, const char *k, const char *v, const char *dir) {
  (void)dir;
  return tern_perf_model_set(obj, k, v);
}

int tern_perf_model_check(const tern_perf_model *m) {
  if (!m) return TERN_ERR_NULL;
  if (!m->hidden || !m->inter || !m->layers || !m->heads || !m->kv_heads || !m->head_dim ||
      !m->vocab || m->heads % m->kv_heads)
    return TERN_ERR_DIM;
  if (m->hidden > (1u << 20) || m->inter > (1u << 22) || m->layers > 4096 ||
      (uint64_t)m->heads * m->head_dim > (1u << 22) || m->vocab > (1u << 24))
    return TERN_ERR_DIM;
  return TERN_OK;
}

int tern_perf_model_load(const char *path, tern_perf_model *m, char *err, size_t err_len) {
  if (!m) return TERN_ERR_NULL;
  memset(m, 0, sizeof *m);
  m->glu = 1;
  m->zero_frac = 1.0 / 3.0;
  int rc = kv_load(path, m, model_kv, err, err_len);
  if (rc != TERN_OK) return rc;
  rc = tern_perf_model_check(m);
  if (rc != TERN_OK && err) snprintf(err, err_len, "%s: incomplete or invalid model", path);
  return rc;
}

/* ---- energy nodes ------------------------------------------------------------ */
static int node_kv(void *obj, const char *k, const char *v, const char *dir) {
  (void)dir;
  tern_energy_node *n = obj;
  if (!strcmp(k, "name")) return strv(v, n->name);
  double d;
  if (num(v, &d) != TERN_OK || d < 0) return TERN_ERR_VALUE;
  size_t kl = strlen(k);
  /* dram_<type>_pj_bit */
  if (kl > 12 && !strncmp(k, "dram_", 5) && !strcmp(k + kl - 7, "_pj_bit")) {
    if (n->n_mem >= TERN_ENERGY_MAX_MEM || kl - 12 >= TERN_PERF_NAME) return TERN_ERR_DIM;
    memcpy(n->mem_name[n->n_mem], k + 5, kl - 12);
    n->mem_name[n->n_mem][kl - 12] = 0;
    n->mem_pj_bit[n->n_mem++] = d;
    return TERN_OK;
  }
  struct {
    const char *k;
    double *p;
  } t[] = {{"int8_add", &n->int8_add},           {"int8_mul", &n->int8_mul},
           {"int32_add", &n->int32_add},         {"int32_mul", &n->int32_mul},
           {"fp16_add", &n->fp16_add},           {"fp16_mul", &n->fp16_mul},
           {"fp32_add", &n->fp32_add},           {"fp32_mul", &n->fp32_mul},
           {"sram_8k_64b", &n->sram_8k},         {"sram_32k_64b", &n->sram_32k},
           {"sram_1m_64b", &n->sram_1m},         {"ctrl_pj_cycle_kmac", &n->ctrl_pj_cycle_kmac},
           {"lutram_rd_10b", &n->lutram_rd_10b}, {"lutram_wr_10b", &n->lutram_wr_10b}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (!strcmp(k, t[i].k)) {
      *t[i].p = d;
      return TERN_OK;
    }
  return TERN_ERR_FORMAT;
}

int tern_energy_node_load(const char *path, tern_energy_node *n, char *err, size_t err_len) {
  if (!n) return TERN_ERR_NULL;
  memset(n, 0, sizeof *n);
  int rc = kv_load(path, n, node_kv, err, err_len);
  if (rc != TERN_OK) return rc;
  if (!(n->int8_add > 0 && n->fp16_add > 0 && n->fp16_mul > 0 && n->sram_8k > 0)) {
    if (err) snprintf(err, err_len, "%s: incomplete node", path);
    return TERN_ERR_DIM;
  }
  return TERN_OK;
}

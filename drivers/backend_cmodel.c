/* "cmodel" backend: the command-level golden model (tern_sys) in process,
 * on a calloc'ed arena standing in for DMA memory.
 *
 * Options (all optional):
 *   config=NAME|PATH  engine parameters from config/engine/NAME.cfg (or a path)
 *   lanes= word_bytes= batch= max_k= tile_rows=   override single parameters
 *   bus=16            AXI data bytes (8, 16, 32, 64)
 *   mem=64M           DMA arena size
 *   base=0x40000000   device address of the arena
 * Defaults: the bench_b3b4 engine (8 lanes x 4 bytes, batch 4, max_k 8192). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_dev_backend.h"
#include "tern_sys.h"

#ifndef TERN_ENGINE_CFG_DIR
#define TERN_ENGINE_CFG_DIR "config/engine"
#endif

typedef struct cm {
  tern_sys sys;
  tern_sys_mem mem;
} cm;

typedef struct cm_opts {
  tern_sys_params p;
  uint64_t mem, base;
  int have_tile;
} cm_opts;

static int set_u32(uint32_t *dst, const char *val) {
  uint64_t v;
  if (tern_dev_parse_u64(val, &v) != TERN_DEV_OK || v > UINT32_MAX) return TERN_DEV_ERR_OPTION;
  *dst = (uint32_t)v;
  return TERN_DEV_OK;
}

/* config/engine/NAME.cfg: "Name = value" lines, '#' comments (as mk/sim.mk reads them). */
static int load_cfg(cm_opts *o, const char *val) {
  char path[600];
  if (strchr(val, '/'))
    snprintf(path, sizeof path, "%s", val);
  else
    snprintf(path, sizeof path, "%s/%s.cfg", TERN_ENGINE_CFG_DIR, val);
  FILE *f = fopen(path, "r");
  if (!f) return TERN_DEV_ERR_OPTION;
  tern_engine_params *e = &o->p.eng;
  char line[256];
  int st = TERN_DEV_OK;
  o->have_tile = 0;
  while (st == TERN_DEV_OK && fgets(line, sizeof line, f)) {
    char name[64];
    unsigned long v;
    char *h = strchr(line, '#');
    if (h) *h = 0;
    if (sscanf(line, " %63[A-Za-z] = %lu", name, &v) != 2) continue;
    if (v > UINT32_MAX)
      st = TERN_DEV_ERR_OPTION;
    else if (!strcmp(name, "Lanes"))
      e->lanes = (uint32_t)v;
    else if (!strcmp(name, "WordBytes"))
      e->word_bytes = (uint32_t)v;
    else if (!strcmp(name, "Batch"))
      e->batch = (uint32_t)v;
    else if (!strcmp(name, "MaxK"))
      e->max_k = (uint32_t)v;
    else if (!strcmp(name, "AccWidth"))
      e->acc_width = (uint32_t)v;
    else if (!strcmp(name, "TileRows"))
      e->tile_rows = (uint32_t)v, o->have_tile = 1;
    /* ActBeatBytes / WBeatBytes follow from the others */
  }
  fclose(f);
  if (!o->have_tile) e->tile_rows = e->lanes;
  return st;
}

static int cm_opt(void *ctx, const char *key, const char *val) {
  cm_opts *o = ctx;
  tern_engine_params *e = &o->p.eng;
  if (!strcmp(key, "config")) return load_cfg(o, val);
  if (!strcmp(key, "lanes")) return set_u32(&e->lanes, val);
  if (!strcmp(key, "word_bytes")) return set_u32(&e->word_bytes, val);
  if (!strcmp(key, "batch")) return set_u32(&e->batch, val);
  if (!strcmp(key, "max_k")) return set_u32(&e->max_k, val);
  if (!strcmp(key, "tile_rows")) return set_u32(&e->tile_rows, val);
  if (!strcmp(key, "bus")) return set_u32(&o->p.bus_bytes, val);
  if (!strcmp(key, "mem")) return tern_dev_parse_u64(val, &o->mem);
  if (!strcmp(key, "base")) return tern_dev_parse_u64(val, &o->base);
  return TERN_DEV_ERR_OPTION;
}

static int cm_open(tern_dev *d, const char *options) {
  cm_opts o = {.p = {.eng = {.lanes = 8,
                             .word_bytes = 4,
                             .batch = 4,
                             .max_k = 8192,
                             .acc_width = 32,
                             .tile_rows = 8},
                     .bus_bytes = 16},
               .mem = 64ull << 20,
               .base = 0x40000000ull};
  int st = tern_dev_opts_each(options, cm_opt, &o);
  if (st != TERN_DEV_OK) return st;
  o.p.eng.act_beat_bytes = o.p.eng.word_bytes;
  o.p.eng.w_beat_bytes = o.p.eng.lanes * o.p.eng.word_bytes;
  /* the HWCFG fields are 16/8 bits wide: refuse what they cannot say */
  if (o.p.eng.lanes > 0xffffu || o.p.eng.word_bytes > 0xffffu || o.p.eng.batch > 0xffu)
    return TERN_DEV_ERR_OPTION;
  if (o.mem == 0 || o.mem > SIZE_MAX || o.base > UINT64_MAX - o.mem) return TERN_DEV_ERR_OPTION;
  cm *m = calloc(1, sizeof *m);
  if (!m) return TERN_DEV_ERR_NOMEM;
  if (tern_sys_init(&m->sys, &o.p) != TERN_OK) {
    free(m);
    return TERN_DEV_ERR_OPTION;
  }
  uint8_t *arena = calloc((size_t)o.mem, 1);
  if (!arena) {
    free(m);
    return TERN_DEV_ERR_NOMEM;
  }
  m->mem = (tern_sys_mem){arena, o.base, (size_t)o.mem, NULL, NULL};
  d->be = m;
  d->dma_host = arena;
  d->dma_base = o.base;
  d->dma_size = o.mem;
  return TERN_DEV_OK;
}

static void cm_close(tern_dev *d) {
  cm *m = d->be;
  free(m->mem.data);
  free(m);
}

static int map_st(int st) { return st == TERN_OK ? TERN_DEV_OK : TERN_DEV_ERR_REG; }

static int cm_reg_read(tern_dev *d, uint32_t off, uint32_t *v) {
  return map_st(tern_sys_reg_read(&((cm *)d->be)->sys, off, v));
}
static int cm_reg_write(tern_dev *d, uint32_t off, uint32_t v) {
  return map_st(tern_sys_reg_write(&((cm *)d->be)->sys, off, v));
}

/* One command per call: the dispatch loop checks its target in between. */
static int cm_progress(tern_dev *d, int timeout_ms) {
  (void)timeout_ms;
  cm *m = d->be;
  int r = tern_sys_step(&m->sys, &m->mem);
  if (r == 1) return TERN_DEV_OK;
  if (r == 0) return TERN_DEV_ERR_TIMEOUT; /* idle: nothing will ever change */
  return r == TERN_ERR_NOMEM ? TERN_DEV_ERR_NOMEM : TERN_DEV_ERR_MODEL;
}

static void cm_info(tern_dev *d, tern_dev_info *info) {
  info->eng.tile_rows = ((cm *)d->be)->sys.p.eng.tile_rows;
  info->has_cycles = 0;
}

const tern_dev_ops tern_dev_backend_cmodel = {
    .name = "cmodel",
    .open = cm_open,
    .close = cm_close,
    .reg_read = cm_reg_read,
    .reg_write = cm_reg_write,
    .sync = NULL,
    .progress = cm_progress,
    .info = cm_info,
    .irq_mode = NULL,
};

/* Ring entry serialization (little-endian, fixed offsets; see tern_cmd.h). */
#include "tern_cmd.h"

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32); }

void tern_cmd_encode(const tern_cmd *c, uint8_t out[TERN_CMD_BYTES]) {
  out[0] = c->opcode;
  out[1] = c->flags;
  out[2] = c->fmt;
  out[3] = c->nmat;
  put16(out + 4, c->batch);
  put16(out + 6, c->reserved);
  put32(out + 8, c->k);
  put32(out + 12, c->act_stride);
  put64(out + 16, c->act_addr);
  put32(out + 24, c->res_stride);
  put32(out + 28, c->tag);
  for (unsigned i = 0; i < TERN_CMD_MAX_CHAIN; i++) {
    uint8_t *m = out + 32 + 24 * i;
    put64(m, c->mat[i].w_addr);
    put64(m + 8, c->mat[i].res_addr);
    put32(m + 16, c->mat[i].rows);
    put32(m + 20, c->mat[i].w_bytes);
  }
}

void tern_cmd_decode(const uint8_t in[TERN_CMD_BYTES], tern_cmd *c) {
  c->opcode = in[0];
  c->flags = in[1];
  c->fmt = in[2];
  c->nmat = in[3];
  c->batch = get16(in + 4);
  c->reserved = get16(in + 6);
  c->k = get32(in + 8);
  c->act_stride = get32(in + 12);
  c->act_addr = get64(in + 16);
  c->res_stride = get32(in + 24);
  c->tag = get32(in + 28);
  for (unsigned i = 0; i < TERN_CMD_MAX_CHAIN; i++) {
    const uint8_t *m = in + 32 + 24 * i;
    c->mat[i].w_addr = get64(m);
    c->mat[i].res_addr = get64(m + 8);
    c->mat[i].rows = get32(m + 16);
    c->mat[i].w_bytes = get32(m + 20);
  }
}

const char *tern_hwerr_name(int code) {
  static const char *const names[] = {"none",  "opcode", "format",     "dim",
                                      "align", "window", "trit",       "axi-read",
                                      "axi-write", "ring", "w-bytes"};
  if (code < 0 || code >= (int)(sizeof names / sizeof names[0])) return "unknown";
  return names[code];
}

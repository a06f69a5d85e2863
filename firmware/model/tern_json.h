/*
 * A small bounds-checked JSON reader (RFC 8259) for safetensors headers and
 * config.json: the whole text is parsed into a flat node array; strings and
 * numbers stay as spans of the input until asked for.
 */
#ifndef TERN_JSON_H
#define TERN_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tern_jtype {
  TERN_J_NULL, TERN_J_FALSE, TERN_J_TRUE, TERN_J_NUM, TERN_J_STR, TERN_J_ARR, TERN_J_OBJ
} tern_jtype;

#define TERN_J_NONE UINT32_MAX

typedef struct tern_jnode {
  tern_jtype type;
  uint32_t start, len; /* span in the text (strings: inside the quotes) */
  uint32_t child;      /* first child (arrays: element; objects: key) or NONE */
  uint32_t next;       /* next sibling (object members: key, value, key, ...) */
  uint32_t n;          /* elements (arrays) or members (objects) */
} tern_jnode;

typedef struct tern_json {
  const char *text;
  size_t len;
  tern_jnode *nodes;
  uint32_t count, cap;
} tern_json;

/* Parses text[0..len). Nesting deeper than 64 or more than 2^24 nodes is
 * rejected. On error, *err_pos gets the byte offset. Returns 0 or a
 * negative tern_status. */
int tern_json_parse(const char *text, size_t len, tern_json *j, size_t *err_pos);
void tern_json_free(tern_json *j);

/* Member value of object node obj with key, or TERN_J_NONE. */
uint32_t tern_json_get(const tern_json *j, uint32_t obj, const char *key);
/* Element i of an array node, or TERN_J_NONE. */
uint32_t tern_json_at(const tern_json *j, uint32_t arr, uint32_t i);
/* Number as double (0 on success). */
int tern_json_num(const tern_json *j, uint32_t node, double *v);
/* Non-negative integer that fits uint64 exactly. */
int tern_json_u64(const tern_json *j, uint32_t node, uint64_t *v);
/* Decoded UTF-8 string into out (NUL-terminated, cap incl. NUL); *n gets
 * the length. Fails if it does not fit. */
int tern_json_str(const tern_json *j, uint32_t node, char *out, size_t cap, size_t *n);
/* 1 if string node equals s after decoding escapes. */
int tern_json_str_eq(const tern_json *j, uint32_t node, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* TERN_JSON_H */

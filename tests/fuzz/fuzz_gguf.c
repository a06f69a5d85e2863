/* libFuzzer target: a GGUF model file (make fuzz). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* an exact-size copy, so any read past the end is an ASan report */
  uint8_t *buf = malloc(size ? size : 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  tern_gguf *g = NULL;
  tern_err err;
  if (!tern_gguf_parse(buf, size, &g, &err)) tern_gguf_free(g);
  tern_file *f = NULL;
  if (!tern_file_open_gguf_mem(buf, size, &f, &err)) {
    fuzz_exercise(f);
    tern_file_close(f);
  }
  free(buf);
  return 0;
}

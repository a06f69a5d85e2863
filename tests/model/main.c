/* Model-runtime test runner: tests/model/main [-v] [-f FILTER] [-s SEED] */
#include <errno.h>
#include <sys/stat.h>

#include "suites.h"

#ifndef TERN_MODEL_TMP
#define TERN_MODEL_TMP "build/model/tmp"
#endif

const char *tm_tmpdir(void) {
  static const char *dir = TERN_MODEL_TMP;
  /* mkdir -p of an absolute build path: each component, ignoring EEXIST */
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(buf, 0777);
      *p = '/';
    }
  mkdir(buf, 0777);
  return dir;
}

int tm_read_file(const char *path, uint8_t **buf, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *buf = malloc(n > 0 ? (size_t)n : 1);
  if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(*buf);
    return -1;
  }
  fclose(f);
  *len = (size_t)n;
  return 0;
}

int tm_write_file(const char *path, const uint8_t *buf, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(buf, 1, len, f);
  return (fclose(f) || w != len) ? -1 : 0;
}

int main(int argc, char **argv) {
  tt_ctx c = {0};
  if (tt_args(&c, argc, argv)) return 2;
#define RUN_SUITE(name) suite_##name(&c);
  TERN_MODEL_SUITES(RUN_SUITE)
  printf("model: %d passed, %d failed\n", c.passed, c.failed);
  return c.failed ? 1 : 0;
}

/* Status text and small enum helpers. */
#include "tern.h"

const char *tern_strerror(int status) {
  switch (status) {
  case TERN_OK: return "ok";
  case TERN_ERR_NULL: return "required pointer is NULL";
  case TERN_ERR_DIM: return "zero or oversize dimension, or stride too small";
  case TERN_ERR_CODE: return "invalid trit code in packed weights";
  case TERN_ERR_TRUNC: return "buffer too short for the data";
  case TERN_ERR_FORMAT: return "unknown format or enum value";
  case TERN_ERR_VALUE: return "value outside its domain";
  case TERN_ERR_NOMEM: return "out of memory";
  case TERN_ERR_UNSUPPORTED: return "instruction set not available on this CPU";
  default: return "unknown status";
  }
}

const char *tern_fmt_name(tern_fmt fmt) {
  switch (fmt) {
  case TERN_FMT_I2: return "i2";
  case TERN_FMT_B3: return "b3";
  default: return NULL;
  }
}

/*
 * Private to the uio backend and its tests: a hook told about every
 * register write after the store reached the mapped window. Real hardware
 * needs none; the mock device in tests/drv uses it to apply write side
 * effects (doorbell, pulses, write-1-to-clear) that a plain file cannot
 * have. Reads always come from the mapping.
 */
#ifndef TERN_BACKEND_UIO_H
#define TERN_BACKEND_UIO_H

#include "tern_dev_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tern_uio_hook {
  void (*reg_written)(void *ctx, uint32_t off, uint32_t value);
  void *ctx;
} tern_uio_hook;

/* tern_dev_open("uio", options) with a hook (may be NULL). */
int tern_dev_open_uio_hooked(tern_dev **out, const char *options, const tern_uio_hook *hook);

#ifdef __cplusplus
}
#endif

#endif

/* Every unit-test suite of the cmodel runner; one function per file. */
#ifndef TERN_SUITES_H
#define TERN_SUITES_H
#include "../tt.h"

void suite_core(tt_ctx *c);

#define TERN_SUITES(X) X(core)

#endif

/* Every unit-test suite of the cmodel runner; one function per file. */
#ifndef TERN_SUITES_H
#define TERN_SUITES_H
#include "../tt.h"

void suite_core(tt_ctx *c);
void suite_engine_layout(tt_ctx *c);
void suite_numerics(tt_ctx *c);
void suite_import(tt_ctx *c);
void suite_sys(tt_ctx *c);
void suite_fast(tt_ctx *c);

#define TERN_SUITES(X) X(core) X(fast) X(sys) X(numerics) X(import) X(engine_layout)

#endif

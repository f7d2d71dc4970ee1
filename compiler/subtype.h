/* subtype.h: Wasm 3.0 type-section semantics (subtype.c): validity of
 * the type definitions, iso-recursive type equivalence and subtyping
 * over heap and value types of one module. Everything but
 * wasm_check_types needs the canonical indices it computes. */
#ifndef WASMC_SUBTYPE_H
#define WASMC_SUBTYPE_H

#include <stdbool.h>

#include "wasm.h"

/* Checks the type section (type indices inside their recursive group,
 * at most one supertype, defined before, not final, structurally
 * matched: function, struct and array types) and fills
 * m->subtypes[*].canon. false + err on the first error. */
bool wasm_check_types(wasm_module *m, wasm_error *err);

/* Types a and b (indices) are equivalent. */
bool wasm_types_equiv(const wasm_module *m, uint32_t a, uint32_t b);
/* a <: b */
bool wasm_heap_sub(const wasm_module *m, wasm_heaptype a, wasm_heaptype b);
bool wasm_vt_sub(const wasm_module *m, wasm_vtype a, wasm_vtype b);
/* a and b are the same type (concrete heap types up to equivalence) */
bool wasm_vt_equiv(const wasm_module *m, wasm_vtype a, wasm_vtype b);
/* The top of ht's hierarchy: func, extern, exn or any. */
wasm_heaptype wasm_heap_top(const wasm_module *m, wasm_heaptype ht);

#endif

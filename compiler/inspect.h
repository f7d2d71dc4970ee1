/* inspect.h: a human-readable summary of a decoded module (wasmc inspect). */
#ifndef WASMC_INSPECT_H
#define WASMC_INSPECT_H

#include <stdio.h>

#include "wasm.h"

/* Sections with offsets and sizes; imports; exports; counts of functions,
 * tables, memories, globals, element and data segments; names from the
 * name section. */
void wasm_inspect_print(FILE *out, const wasm_module *m);

#endif

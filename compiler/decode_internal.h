/* decode_internal.h: what decode.c shares with decode_names.c (private to
 * the decoder; nothing outside these two files should include it). */
#ifndef WASMC_DECODE_INTERNAL_H
#define WASMC_DECODE_INTERNAL_H

#include "wasm.h"

/* Parse the payload of the `name` custom section, the bytes [start, end)
 * of m->bytes that follow the section's own name, into m->module_name,
 * m->func_names and m->local_names. Needs m->nfuncs, so it runs after every other section.
 * Never fails: a malformed name section is dropped as a whole and the
 * reason left in m->name_warning, because the spec does not let a custom
 * section make a module malformed. */
void wasm_decode_name_section(wasm_module *m, size_t start, size_t end);

#endif

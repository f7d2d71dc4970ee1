/* global.c: standalone globals (host-created, e.g. the spectest module's
 * global_i32). Globals of an instance live in one array owned by the
 * instance (instance.c); both are plain wasmrt_global storage that
 * generated code reads and writes directly. */
#include <stdlib.h>

#include "internal.h"

WASMRT_API wasmrt_global *wasmrt_global_new(uint8_t type, bool mutable_, wasmrt_val value) {
  wasmrt_global *g = aligned_alloc(_Alignof(wasmrt_global), sizeof *g);
  if (!g) return NULL;
  *g = (wasmrt_global){.value = value, .type = type, .mutable_ = mutable_ ? 1 : 0};
  return g;
}

WASMRT_API void wasmrt_global_free(wasmrt_global *g) { free(g); }

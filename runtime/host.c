/* host.c: host functions. A wasmrt_host_func carries a funcref whose code
 * is NULL: the runtime cannot produce a native function of an arbitrary
 * Wasm signature, so when a module imports a host function, the instance
 * binds the import to that module's generated adapter for the type
 * (descriptor host_adapters), with the wasmrt_host_func as its context.
 * The adapter calls wasmrt_call_host, which runs the callback and turns
 * failure into a WASMRT_TRAP_HOST trap, or, when the callback failed
 * because of a Wasm exception (a nested wasmrt_call ended with one, or
 * the callback raised one), throws that exception on into the Wasm
 * caller (exn.c, wasmrt.h).
 *
 * GC: a callback's results of the any and extern hierarchies are checked
 * as wasmrt_call checks the host's parameters (embed.c); a bad one fails
 * the call (a WASMRT_TRAP_HOST trap) instead of reaching Wasm code. The
 * Wasm caller's frames stay linked during the callback, and a nested
 * wasmrt_call restores the chain; but the arguments are no longer in the
 * caller's frame (a callee holds its own parameters), so while the
 * callback runs they are a frame of their own: a nested call into Wasm
 * that collects must not free what the callback was given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

WASMRT_API wasmrt_host_func *wasmrt_host_func_new(const uint8_t *params, uint32_t nparams,
                                                  const uint8_t *results, uint32_t nresults,
                                                  wasmrt_host_callback cb, void *env) {
  if (!cb) return NULL;
  uint32_t id = rt_types_intern(params, nparams, results, nresults, NULL, NULL);
  if (id == UINT32_MAX) return NULL;
  wasmrt_host_func *hf = calloc(1, sizeof *hf);
  if (!hf) return NULL;
  hf->ref = (wasmrt_funcref){NULL, hf, id, UINT32_MAX};
  hf->cb = cb;
  hf->env = env;
  hf->nparams = nparams;
  hf->nresults = nresults;
  hf->results = rt_types_get(id)->results; /* the registry's copy, for life */
  for (uint32_t i = 0; i < nresults; i++) hf->gc_results |= rt_flat_is_gc(results[i]);
  for (uint32_t i = 0; i < nparams; i++) hf->gc_params |= rt_flat_is_gc(params[i]);
  hf->params = rt_types_get(id)->params;
  return hf;
}

WASMRT_API void wasmrt_host_func_free(wasmrt_host_func *hf) { free(hf); }

WASMRT_API wasmrt_extern wasmrt_host_func_extern(wasmrt_host_func *hf) {
  wasmrt_extern e = {.kind = WASMRT_EXTERN_FUNC};
  e.of.func = &hf->ref;
  return e;
}

/* Runs the callback with the reference arguments linked as a root frame
 * (above). */
static bool call_rooted(wasmrt_host_func *hf, wasmrt_val *vals, char *msg, size_t size) {
  if (!hf->gc_params) return hf->cb(hf->env, vals, msg, size);
  void *words[2 + hf->nparams];
  wasmrt_gc_frame *f = (wasmrt_gc_frame *)words;
  f->prev = wasmrt_gc.roots;
  f->nslots = hf->nparams;
  for (uint32_t i = 0; i < hf->nparams; i++)
    f->slots[i] = rt_flat_is_gc(hf->params[i]) ? vals[i].ref : NULL;
  wasmrt_gc.roots = f;
  bool ok = hf->cb(hf->env, vals, msg, size);
  wasmrt_gc.roots = f->prev;
  return ok;
}

bool rt_host_invoke(wasmrt_host_func *hf, wasmrt_val *vals, char *msg, size_t size) {
  msg[0] = 0;
  if (call_rooted(hf, vals, msg, size)) {
    /* GC: references it returns follow wasmrt_call's rule (embed.c) */
    uint32_t bad = hf->gc_results ? rt_bad_ref(hf->results, hf->nresults, vals) : UINT32_MAX;
    if (bad == UINT32_MAX) return true;
    snprintf(msg, size, "host function returned 0x%llx as result %u: not a reference "
                        "(an odd word is an i31 only below 2^32)",
             (unsigned long long)(uintptr_t)vals[bad].ref, bad);
    return false;
  }
  if (!msg[0]) snprintf(msg, size, "host function failed");
  return false;
}

WASMRT_API void wasmrt_call_host(wasmrt_host_func *hf, wasmrt_val *vals) {
  char msg[256];
  rt_exn_set_pending(NULL);
  bool ok = rt_host_invoke(hf, vals, msg, sizeof msg);
  wasmrt_exn *e = rt_exn_take_pending();
  if (ok) {
    rt_exn_drop(e); /* the callback handled it */
    return;
  }
  if (e) rt_exn_rethrow(e);
  rt_raise(WASMRT_TRAP_HOST, UINT32_MAX, NULL, msg);
}

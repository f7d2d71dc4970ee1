/* embed.c: calling functions from the host (wasmrt_call).
 *
 * A call goes through the entry trampoline of the callee's canonical type
 * (any loaded module's: they are interchangeable), under a new activation
 * so that a trap anywhere below, explicit or a guard-page fault, unwinds
 * here and becomes a false return with the trap's code and message. The
 * instance needs no repair afterwards: generated code keeps no state
 * outside memories, tables and globals, whose contents at the trap are
 * what Wasm semantics say they are.
 *
 * A Wasm exception that nothing caught comes back the same way, without
 * a longjmp: the entry trampoline's landing pad records it in the
 * activation and returns (exn.c). It becomes the thread's pending
 * exception, which a host callback's failure carries on (host.c).
 *
 * GC: the shadow stack (wasmrt_gc.roots) is saved before the call and
 * restored after it, however it ends: a trap longjmps past the frames
 * that would have unlinked themselves, and the next collection must not
 * walk their dead slots. References the host passes in are checked
 * (rt_ref_word_ok) before anything runs. */
#include <stdio.h>
#include <string.h>

#include "gc.h"
#include "internal.h"

/* The rule of wasmrt.h "GC": null, a host value (a multiple of 4), an
 * i31 word (odd, and zero-extended from 32 bits as Wasm makes them), or
 * an object word (tag 10), which only Wasm code makes: the host passes
 * back one it got, still alive (held by a handle, or from the latest
 * call). An object word cannot be told from a host pointer that is 2 mod
 * 4 without asking the heap, so that part is the host's promise. */
bool rt_ref_word_ok(uintptr_t w) {
  if (w & 1) return (w >> 32) == 0;
  return true;
}

uint32_t rt_bad_ref(const uint8_t *codes, uint32_t n, const wasmrt_val *vals) {
  for (uint32_t i = 0; i < n; i++)
    if (rt_flat_is_gc(codes[i]) && !rt_ref_word_ok((uintptr_t)vals[i].ref)) return i;
  return UINT32_MAX;
}

bool rt_invoke(wasmrt_instance *inst, wasmrt_funcref *fn, wasmrt_val *vals,
               wasmrt_error *err) {
  rt_thread_init();
  /* Whatever the last call left pending is stale now. */
  rt_exn_set_pending(NULL);
  uintptr_t limit = rt_stack_limit();
  if (inst) inst->vmctx.stack_limit = limit;

  if (rt_funcref_is_host(fn)) {
    /* The shadow stack as it was found, as for Wasm code below: whatever
     * the callback left linked (frames of a failed call) is dead. */
    wasmrt_gc_frame *roots = wasmrt_gc.roots;
    char msg[256];
    bool ok = rt_host_invoke((wasmrt_host_func *)fn->ctx, vals, msg, sizeof msg);
    wasmrt_gc.roots = roots;
    if (ok) return true;
    if (err) {
      err->trap = WASMRT_TRAP_HOST;
      err->func_index = UINT32_MAX;
      snprintf(err->message, sizeof err->message, "%s", msg);
    }
    return false;
  }
  /* The callee may belong to another instance than inst (an export
   * re-exported, a funcref from a table): its prologues check its own
   * vmctx's limit, which must be this thread's. */
  if (rt_funcref_is_wasm(fn)) ((wasmrt_vmctx *)fn->ctx)->stack_limit = limit;

  wasmrt_entry_fn entry = rt_types_entry(fn->type_id);
  if (!entry) {
    rt_error(err, "no loaded module provides an entry trampoline for this function's type");
    return false;
  }
  rt_activation act;
  /* volatile: read after the longjmp */
  wasmrt_gc_frame *volatile roots = wasmrt_gc.roots;
  rt_activation_push(&act);
  if (sigsetjmp(act.jb, 0) == 0) {
    entry(fn->code, fn->ctx, vals);
    rt_activation_pop(&act);
    wasmrt_gc.roots = roots;
    if (!act.exn) return true;
  } else {
    rt_activation_pop(&act);
    wasmrt_gc.roots = roots;
  }
  if (act.exn) rt_exn_set_pending(act.exn);
  rt_trap_to_error(&act, err);
  return false;
}

WASMRT_API bool wasmrt_call(wasmrt_instance *inst, wasmrt_funcref *fn, wasmrt_val *vals,
                            uint32_t nvals, wasmrt_error *err) {
  if (!fn) {
    rt_error(err, "call of a null function reference");
    return false;
  }
  const wasmrt_functype_desc *t = rt_types_get(fn->type_id);
  if (!t) {
    rt_error(err, "function reference has an unknown type id %u", fn->type_id);
    return false;
  }
  uint32_t need = t->nparams > t->nresults ? t->nparams : t->nresults;
  if (nvals < need) {
    rt_error(err, "function takes %u parameters and returns %u results: %u values needed, "
                  "%u given", t->nparams, t->nresults, need, nvals);
    return false;
  }
  uint32_t bad = rt_bad_ref(t->params, t->nparams, vals);
  if (bad != UINT32_MAX) {
    rt_error(err, "parameter %u: 0x%llx is not a reference the host may pass (an odd "
                  "word is an i31 only below 2^32)", bad,
             (unsigned long long)(uintptr_t)vals[bad].ref);
    return false;
  }
  return rt_invoke(inst, fn, vals, err);
}

/* proc.c: proc_exit, sched_yield, and wasi_run_start (calling _start and
 * turning proc_exit into an exit code).
 *
 * proc_exit must not return to the guest, and the host must not longjmp
 * over the runtime's activation bookkeeping itself: the callback records
 * the code and fails, which the runtime turns into a WASMRT_TRAP_HOST trap
 * that unwinds the Wasm stack to wasmrt_call. wasi_run_start then sees the
 * recorded code and reports an exit rather than a trap. */
#include <sched.h>
#include <stdio.h>

#include "wasi_internal.h"

WASI_CB(proc_exit) {
  wasi_ctx *ctx = env;
  ctx->exited = true;
  ctx->exit_code = (uint32_t)v[0].i32;
  snprintf(msg, msg_size, "wasi proc_exit(%u)", ctx->exit_code);
  return false;
}

WASI_CB(sched_yield) {
  sched_yield();
  return wasi_ret(v, WASI_ESUCCESS);
}

int wasi_run_start(wasi_ctx *ctx, wasmrt_instance *inst, wasmrt_error *err) {
  wasmrt_extern ext;
  if (!ctx->mem && wasmrt_instance_export(inst, "memory", 6, &ext) &&
      ext.kind == WASMRT_EXTERN_MEMORY)
    ctx->mem = ext.of.memory;
  if (!wasmrt_instance_export(inst, "_start", 6, &ext) || ext.kind != WASMRT_EXTERN_FUNC) {
    err->trap = WASMRT_TRAP_NONE;
    err->func_index = UINT32_MAX;
    snprintf(err->message, sizeof err->message,
             "not a WASI command: the module exports no function _start");
    return -1;
  }
  const wasmrt_functype_desc *t = wasmrt_funcref_type(ext.of.func);
  if (t && (t->nparams || t->nresults)) {
    err->trap = WASMRT_TRAP_NONE;
    err->func_index = UINT32_MAX;
    snprintf(err->message, sizeof err->message, "_start must have type [] -> []");
    return -1;
  }
  ctx->exited = false;
  wasmrt_val vals[1];
  if (wasmrt_call(inst, ext.of.func, vals, 1, err)) return 0;
  if (ctx->exited) return (int)(ctx->exit_code & 255);
  return -1;
}

/* backtrace.c: the Wasm call stack of a trap.
 *
 * When a trap is raised (rt_raise: wasmrt_trap from generated code, a
 * runtime helper, a host function) or claimed by the fault handler (an
 * out-of-bounds access, a stack overflow), the native stack is still
 * there: rt_backtrace_capture walks it with the unwinder and keeps the
 * raw return addresses in the activation. Only addresses: naming them
 * takes dladdr and the modules' lock, which wait for rt_trap_to_error,
 * after the longjmp, on a normal stack. Nothing of this runs unless
 * something traps: the call path pays nothing.
 *
 * The unwinder walks the functions that have unwind tables: generated
 * code compiled with -g (lower_debug.c asks for them), shared objects
 * (`compile --shared`) and modules that use exceptions. An executable
 * built without -g has none for its Wasm functions (they cannot unwind;
 * lower.h no_unwind), so its trap message names only the function the
 * trap happened in, and the walk ends there.
 *
 * Which frames are Wasm functions: the unwinder's
 * _Unwind_FindEnclosingFunction gives the start of each frame's function
 * (from its unwind table), and a frame is a Wasm function's exactly when
 * that start is one of a loaded module's function addresses
 * (rt_module_func_exact). Runtime, host and launcher frames are left out.
 *
 * The text (wasmrt_trap_backtrace) gives, innermost first, each frame's
 * function ($name (func[N]) or func[N]), its offset in the native
 * function, and its address relative to the object it is in: the
 * address `addr2line -e OBJECT ADDR` turns into the Wasm offset
 * (MODULE.wasm:OFFSET) when the module was compiled with -g. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unwind.h>

#include "internal.h"

static _Unwind_Reason_Code collect(struct _Unwind_Context *ctx, void *arg) {
  rt_activation *a = arg;
  if (a->nframes >= RT_BACKTRACE_MAX)
    return _URC_END_OF_STACK;
  int before = 0;
  uintptr_t ip = (uintptr_t)_Unwind_GetIPInfo(ctx, &before);
  if (!ip)
    return _URC_END_OF_STACK;
  /* A return address points after its call, possibly at the next
   * function's first byte: look it up one byte back. A signal frame's
   * interrupted instruction (before != 0) is exact. */
  a->frames[a->nframes++] = before ? ip : ip - 1;
  return _URC_NO_REASON;
}

void rt_backtrace_capture(rt_activation *a) {
  a->nframes = 0;
  _Unwind_Backtrace(collect, a);
}

static _Thread_local char last[RT_BACKTRACE_TEXT];

/* Appends to last at *len, as far as it goes. */
static void put(size_t *len, const char *fmt, ...) {
  if (*len >= sizeof last - 1)
    return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(last + *len, sizeof last - *len, fmt, ap);
  va_end(ap);
  if (w > 0)
    *len += (size_t)w < sizeof last - *len ? (size_t)w : sizeof last - 1 - *len;
}

void rt_backtrace_format(const rt_activation *a) {
  size_t len = 0;
  last[0] = '\0';
  uint32_t shown = 0, wasm = 0;
  enum { SHOW = 24 }; /* a runaway recursion: the innermost SHOW frames */
  for (uint32_t k = 0; k < a->nframes; k++) {
    uintptr_t pc = a->frames[k];
    uintptr_t start = (uintptr_t)_Unwind_FindEnclosingFunction((void *)pc);
    const wasmrt_module *m = NULL;
    uint32_t fi = start ? rt_module_func_exact(start, &m) : UINT32_MAX;
    if (fi == UINT32_MAX)
      continue;
    wasm++;
    if (shown >= SHOW)
      continue;
    if (shown++ == 0)
      put(&len, "wasm backtrace (innermost first):\n");
    Dl_info info;
    uintptr_t base = dladdr((void *)pc, &info) && info.dli_fbase
                         ? (uintptr_t)info.dli_fbase
                         : 0;
    const char *name = m->desc->func_names && fi < m->desc->nfuncs
                           ? m->desc->func_names[fi]
                           : NULL;
    put(&len, "  #%-2u ", shown - 1);
    if (name)
      put(&len, "$%s (func[%u])", name, fi);
    else
      put(&len, "func[%u]", fi);
    put(&len, " +0x%lx, at 0x%lx\n", (unsigned long)(pc - start),
        (unsigned long)(pc - base));
  }
  if (wasm > shown)
    put(&len, "  ... %u more Wasm frames\n", wasm - shown);
  if (wasm > 0 && a->nframes >= RT_BACKTRACE_MAX)
    put(&len, "  ... (the walk stopped after %u native frames)\n",
        (unsigned)RT_BACKTRACE_MAX);
}

WASMRT_API const char *wasmrt_trap_backtrace(void) { return last; }

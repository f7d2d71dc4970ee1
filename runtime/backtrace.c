/* backtrace.c: the Wasm call stack of a trap.
 *
 * When a trap is raised (rt_raise: wasmrt_trap from generated code, a
 * runtime helper, a host function) or claimed by the fault handler (an
 * out-of-bounds access, a stack overflow), the native stack is still
 * there: rt_backtrace_capture walks it with the unwinder and keeps the
 * raw return addresses in the activation. Only addresses: naming them
 * takes the loader's and the modules' locks, which wait for
 * rt_trap_to_error, after the longjmp, on a normal stack. Nothing of this runs unless
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
 * function, its address relative to the object it is in (what
 * `addr2line -e OBJECT ADDR` takes) and, when the object has a line
 * table (`wasmc build -g`), the source location of that address in
 * parentheses (debug_line.c): the module's FILE.c:LINE when the .wasm
 * had DWARF, MODULE.wasm:OFFSET (the Wasm byte offset) otherwise:
 *
 *   #0  $divide (func[9]) +0x52, at 0x5c62 (calls.wasm:541)
 *
 * The locations are added when the text is first asked for. */
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

/* The text of this thread's last trap, and what adding its frames'
 * source locations takes: each shown frame's address, the load bias of
 * its object and where its line ends in the text. The locations are
 * looked up when the text is first asked for (wasmrt_trap_backtrace),
 * not at the trap: a trap nobody prints (the spec harness expects
 * thousands) reads no file. */
enum { SHOW = 24 }; /* a runaway recursion: the innermost SHOW frames */
static _Thread_local char last[RT_BACKTRACE_TEXT];
static _Thread_local struct {
  uint32_t n;
  bool located;
  struct {
    uintptr_t pc, bias;
    size_t eol; /* its '\n' in last, SIZE_MAX when cut off */
  } f[SHOW];
} frames;

/* Appends to buf (RT_BACKTRACE_TEXT bytes) at *len, as far as it goes. */
static void put(char *buf, size_t *len, const char *fmt, ...) {
  const size_t cap = RT_BACKTRACE_TEXT;
  if (*len >= cap - 1)
    return;
  va_list ap;
  va_start(ap, fmt);
  int w = vsnprintf(buf + *len, cap - *len, fmt, ap);
  va_end(ap);
  if (w > 0)
    *len += (size_t)w < cap - *len ? (size_t)w : cap - 1 - *len;
}

void rt_backtrace_format(const rt_activation *a) {
  size_t len = 0;
  last[0] = '\0';
  frames.n = 0;
  frames.located = false;
  uint32_t shown = 0, wasm = 0;
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
      put(last, &len, "wasm backtrace (innermost first):\n");
    /* The address in the object's own terms (its ELF addresses, which
     * its line table and addr2line use), of the very pc whose location
     * is shown: a return address already minus one (collect), so that
     * `addr2line -e OBJECT ADDR` names the line printed here. */
    uintptr_t bias = 0;
    rt_debug_object_of(pc, &bias);
    const char *name = m->desc->func_names && fi < m->desc->nfuncs
                           ? m->desc->func_names[fi]
                           : NULL;
    put(last, &len, "  #%-2u ", shown - 1);
    if (name)
      put(last, &len, "$%s (func[%u])", name, fi);
    else
      put(last, &len, "func[%u]", fi);
    put(last, &len, " +0x%lx, at 0x%lx\n", (unsigned long)(pc - start),
        (unsigned long)(pc - bias));
    frames.f[frames.n].pc = pc;
    frames.f[frames.n].bias = bias;
    frames.f[frames.n].eol = len > 0 && last[len - 1] == '\n' ? len - 1 : SIZE_MAX;
    frames.n++;
  }
  if (wasm > shown)
    put(last, &len, "  ... %u more Wasm frames\n", wasm - shown);
  if (wasm > 0 && a->nframes >= RT_BACKTRACE_MAX)
    put(last, &len, "  ... (the walk stopped after %u native frames)\n",
        (unsigned)RT_BACKTRACE_MAX);
}

/* Each frame's " (FILE:LINE)", where the object's line table has one,
 * at the end of its line. */
static void locate(void) {
  char out[RT_BACKTRACE_TEXT];
  size_t len = 0, from = 0;
  bool any = false;
  for (uint32_t k = 0; k < frames.n; k++) {
    char loc[256];
    if (frames.f[k].eol == SIZE_MAX ||
        !rt_debug_line_at(frames.f[k].pc, frames.f[k].bias, loc, sizeof loc))
      continue;
    put(out, &len, "%.*s (%s)", (int)(frames.f[k].eol - from), last + from, loc);
    from = frames.f[k].eol;
    any = true;
  }
  if (!any)
    return;
  put(out, &len, "%s", last + from);
  memcpy(last, out, len + 1);
}

WASMRT_API const char *wasmrt_trap_backtrace(void) {
  if (!frames.located) {
    frames.located = true;
    locate();
  }
  return last;
}

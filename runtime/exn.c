/* exn.c: Wasm exceptions (exception handling: tags, throw, catch).
 *
 * Exceptions use the platform's zero-cost unwinder, the Itanium C++ ABI's
 * two-phase _Unwind_RaiseException (libgcc_s, or libgcc_eh in static
 * executables), so code that throws nothing pays nothing: no setjmp, no
 * registration, no flag tests. A wasmrt_exn starts with the unwinder's
 * _Unwind_Exception header; wasmrt_throw raises it.
 *
 * Generated code catches with landing pads whose personality is
 * wasmrt_personality below. It does not know tags (they are per instance,
 * and the personality sees no vmctx), so every landing pad of a Wasm frame
 * catches every Wasm exception; the generated dispatch compares tags and,
 * when no clause matches, throws the exception on (a new raise from that
 * frame). Search and unwinding therefore stop at the innermost Wasm
 * handler, and a throw never walks more than the frames it has to.
 *
 * Every entry trampoline (host -> Wasm, lower_desc.c) has such a landing
 * pad too, which calls wasmrt_exn_uncaught: the exception is recorded in
 * the innermost activation and the trampoline returns normally to
 * wasmrt_call (embed.c), which reports "uncaught exception". So an
 * exception never unwinds into host C frames, and each wasmrt_call is a
 * boundary, as for traps. Host frames are crossed cooperatively instead
 * (wasmrt.h): a host callback whose nested wasmrt_call ended with an
 * uncaught exception returns false, and wasmrt_call_host (host.c) throws
 * the pending exception on into the Wasm code that called the host.
 *
 * Traps never involve the unwinder (trap.c longjmps), so no landing pad,
 * and no catch_all, ever sees one.
 *
 * Lifetime: without a garbage collector, an exception that became an
 * exnref value (WASMRT_EXN_ESCAPED) lives until the process ends, on a
 * process-wide list (so it stays accounted for and reachable, and leak
 * checkers see no leak); the others are freed when a catch/catch_all
 * clause has taken the payload (wasmrt_exn_drop), or when the last legacy
 * catch arm that held it for rethrow is left (unhold).
 *
 * GC: an exception's payload may hold objects (anyref, externref
 * parameters of its tag) while nothing else does: thrown and not yet
 * caught, held by a legacy catch for rethrow, escaped into an exnref,
 * pending at the host. So every exception whose tag has such parameters
 * is on a process-wide list from allocation to free, and that list is one
 * root provider: the collector sees those payload words whatever state
 * the exception is in. The link lives in a prefix before the wasmrt_exn
 * (whose layout is the ABI's).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unwind.h>

#include "gc.h"
#include "internal.h"

_Static_assert(sizeof(struct _Unwind_Exception) <= sizeof(((wasmrt_exn *)0)->unwind_header),
               "wasmrt_exn.unwind_header must hold a struct _Unwind_Exception");
_Static_assert(_Alignof(struct _Unwind_Exception) <= 16,
               "wasmrt_exn is 16-aligned");

/* The exception class the unwinder passes to personalities: "WASMCEXN".
 * Personalities of other languages see a foreign exception; ours ignores
 * theirs. */
#define EXN_CLASS 0x5741534d4345584eull

enum { HOLD = 2 }; /* flags: holders << 1 */

static _Thread_local wasmrt_exn *pending;

/* Escaped exceptions, kept for the life of the process. */
typedef struct escaped {
  wasmrt_exn *exn;
  struct escaped *next;
} escaped;
static escaped *escaped_list;
static pthread_mutex_t escaped_lock = PTHREAD_MUTEX_INITIALIZER;

static struct _Unwind_Exception *header(wasmrt_exn *e) {
  return (struct _Unwind_Exception *)(void *)e->unwind_header;
}

/* A foreign runtime that caught and finished with one of ours. */
static void exn_cleanup(_Unwind_Reason_Code why, struct _Unwind_Exception *ue) {
  (void)why;
  rt_exn_drop((wasmrt_exn *)(void *)ue);
}

/* The prefix of every exception (32 bytes: the wasmrt_exn after it stays
 * 16-aligned). params is the tag's flat parameter codes when the
 * exception is on the GC list, else NULL. */
typedef struct gc_link {
  struct gc_link *prev, *next;
  const uint8_t *params;
  void *pad_;
} gc_link;
_Static_assert(sizeof(gc_link) % 16 == 0, "wasmrt_exn is 16-aligned");

static gc_link gc_list = {&gc_list, &gc_list, NULL, NULL}; /* circular, head */
static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
static bool gc_registered;

static gc_link *link_of(wasmrt_exn *e) { return (gc_link *)(void *)e - 1; }
static wasmrt_exn *exn_of(gc_link *l) { return (wasmrt_exn *)(void *)(l + 1); }

/* The payload words of every listed exception that the tag types as
 * anyref or externref (the others are numbers, funcrefs, exnrefs). */
static void exn_roots(void *arg, gc_tracer *t) {
  (void)arg;
  pthread_mutex_lock(&gc_lock);
  for (gc_link *l = gc_list.next; l != &gc_list; l = l->next) {
    wasmrt_exn *e = exn_of(l);
    for (uint32_t i = 0; i < e->nvals; i++)
      if (rt_flat_is_gc(l->params[i])) gc_visit(t, (uintptr_t)e->vals[i].ref);
  }
  pthread_mutex_unlock(&gc_lock);
}

/* The tag's flat parameter codes when one can hold an object, else NULL. */
static const uint8_t *gc_params(const wasmrt_tag *tag) {
  const wasmrt_functype_desc *ft = rt_types_get(tag->type_id);
  if (!ft) return NULL;
  for (uint32_t i = 0; i < ft->nparams; i++)
    if (rt_flat_is_gc(ft->params[i])) return ft->params;
  return NULL;
}

static void exn_free(wasmrt_exn *e) {
  gc_link *l = link_of(e);
  if (l->params) {
    pthread_mutex_lock(&gc_lock);
    l->prev->next = l->next;
    l->next->prev = l->prev;
    pthread_mutex_unlock(&gc_lock);
  }
  free(l);
}

static wasmrt_exn *exn_alloc(wasmrt_tag *tag) {
  size_t size = sizeof(wasmrt_exn) + (size_t)tag->nparams * sizeof(wasmrt_val);
  const uint8_t *params = gc_params(tag);
  gc_link *l = aligned_alloc(16, sizeof(gc_link) + ((size + 15) & ~(size_t)15));
  if (!l) return NULL;
  wasmrt_exn *e = exn_of(l);
  memset(e, 0, size);
  *l = (gc_link){NULL, NULL, NULL, NULL};
  if (params) {
    pthread_mutex_lock(&gc_lock);
    /* one provider for the list, registered with the first exception on it */
    bool ok = gc_registered || (gc_registered = gc_add_roots(exn_roots, NULL));
    if (ok) {
      *l = (gc_link){&gc_list, gc_list.next, params, NULL};
      gc_list.next->prev = l;
      gc_list.next = l;
    }
    pthread_mutex_unlock(&gc_lock);
    if (!ok) {
      free(l);
      return NULL;
    }
  }
  struct _Unwind_Exception *h = header(e);
  h->exception_class = EXN_CLASS;
  h->exception_cleanup = exn_cleanup;
  e->tag = tag;
  e->nvals = tag->nparams;
  return e;
}

WASMRT_API wasmrt_exn *wasmrt_exn_new(wasmrt_vmctx *ctx, uint32_t tag, uint32_t func_index) {
  wasmrt_exn *e = exn_alloc(ctx->tags[tag]);
  if (!e) {
    const wasmrt_module *m = ctx->instance ? ((wasmrt_instance *)ctx->instance)->module : NULL;
    rt_raise(WASMRT_TRAP_HOST, func_index, m, "out of memory allocating an exception");
  }
  return e;
}

void rt_exn_drop(wasmrt_exn *e) {
  if (e && e->flags == 0) exn_free(e);
}

WASMRT_API void wasmrt_exn_drop(wasmrt_vmctx *ctx, wasmrt_exn *e) {
  (void)ctx;
  rt_exn_drop(e);
}

WASMRT_API void wasmrt_exn_escape(wasmrt_vmctx *ctx, wasmrt_exn *e) {
  (void)ctx;
  if (e->flags & WASMRT_EXN_ESCAPED) return;
  escaped *node = malloc(sizeof *node);
  /* Without a node it is still never freed: only unaccounted for. */
  e->flags |= WASMRT_EXN_ESCAPED;
  if (!node) return;
  pthread_mutex_lock(&escaped_lock);
  *node = (escaped){e, escaped_list};
  escaped_list = node;
  pthread_mutex_unlock(&escaped_lock);
}

WASMRT_API void wasmrt_exn_hold(wasmrt_vmctx *ctx, wasmrt_exn *e) {
  (void)ctx;
  e->flags += HOLD;
}

WASMRT_API void wasmrt_exn_unhold(wasmrt_vmctx *ctx, wasmrt_exn *e, wasmrt_exn *keep) {
  (void)ctx;
  if (e->flags >= HOLD) e->flags -= HOLD;
  if (e != keep) rt_exn_drop(e);
}

/* No handler anywhere: only when Wasm code runs outside wasmrt_call (no
 * trampoline below it) or the unwinder could not walk the stack (a frame
 * without unwind information). End the innermost wasmrt_call, as a trap
 * would, with the exception recorded. */
static _Noreturn void no_handler(wasmrt_exn *e, _Unwind_Reason_Code rc, uint32_t func_index,
                                 const wasmrt_module *m) {
  rt_activation *a = rt_activation_top();
  if (!a) {
    fprintf(stderr, "wasmrt: uncaught exception outside wasmrt_call (unwinder code %d)\n",
            (int)rc);
    abort();
  }
  a->exn = e;
  rt_raise(WASMRT_TRAP_UNCAUGHT_EXCEPTION, func_index, m, NULL);
}

WASMRT_API _Noreturn void wasmrt_throw(wasmrt_vmctx *ctx, wasmrt_exn *e, uint32_t func_index) {
  _Unwind_Reason_Code rc = _Unwind_RaiseException(header(e));
  const wasmrt_module *m =
      ctx && ctx->instance ? ((wasmrt_instance *)ctx->instance)->module : NULL;
  no_handler(e, rc, func_index, m);
}

_Noreturn void rt_exn_rethrow(wasmrt_exn *e) {
  _Unwind_Reason_Code rc = _Unwind_RaiseException(header(e));
  no_handler(e, rc, UINT32_MAX, NULL);
}

WASMRT_API void wasmrt_exn_uncaught(wasmrt_vmctx *ctx, wasmrt_exn *e) {
  (void)ctx; /* the callee's context: a vmctx or a host function */
  rt_activation *a = rt_activation_top();
  if (a) {
    a->exn = e;
    a->trap = WASMRT_TRAP_UNCAUGHT_EXCEPTION;
  }
}

wasmrt_exn *rt_exn_take_pending(void) {
  wasmrt_exn *e = pending;
  pending = NULL;
  return e;
}

void rt_exn_set_pending(wasmrt_exn *e) {
  if (pending && pending != e) rt_exn_drop(pending);
  pending = e;
}

WASMRT_API const wasmrt_exn *wasmrt_exception_pending(void) { return pending; }

WASMRT_API bool wasmrt_exception_raise(wasmrt_tag *tag, const wasmrt_val *vals) {
  if (!tag) return false;
  wasmrt_exn *e = exn_alloc(tag);
  if (!e) return false;
  if (tag->nparams) memcpy(e->vals, vals, tag->nparams * sizeof *vals);
  rt_exn_set_pending(e);
  return true;
}

WASMRT_API wasmrt_tag *wasmrt_tag_new(const uint8_t *params, uint32_t nparams) {
  uint32_t id = rt_types_intern(params, nparams, NULL, 0, NULL, NULL);
  if (id == UINT32_MAX) return NULL;
  wasmrt_tag *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  *t = (wasmrt_tag){id, nparams};
  return t;
}

WASMRT_API void wasmrt_tag_free(wasmrt_tag *tag) { free(tag); }

/* ---- the personality routine -------------------------------------------------- */

/* DWARF pointer encodings (the LSDA's), as far as LLVM and GCC use them
 * in call-site tables: the value format in the low nibble, pc-relative
 * application or none in the high one. */
enum {
  PE_ABSPTR = 0x00, PE_ULEB128 = 0x01, PE_UDATA2 = 0x02, PE_UDATA4 = 0x03,
  PE_UDATA8 = 0x04, PE_SLEB128 = 0x09, PE_SDATA2 = 0x0A, PE_SDATA4 = 0x0B,
  PE_SDATA8 = 0x0C, PE_PCREL = 0x10, PE_OMIT = 0xFF,
};

/* One LEB128 reader for both: a signed value is the unsigned bits with
 * the last byte's sign bit extended. */
static uintptr_t read_leb(const uint8_t **p, bool is_signed) {
  uintptr_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    b = *(*p)++;
    if (shift < 64) v |= (uintptr_t)(b & 0x7F) << shift;
    shift += 7;
  } while (b & 0x80);
  if (is_signed && shift < 64 && (b & 0x40)) v |= ~(uintptr_t)0 << shift;
  return v;
}

static uintptr_t read_uleb(const uint8_t **p) { return read_leb(p, false); }
static intptr_t read_sleb(const uint8_t **p) {
  return (intptr_t)read_leb(p, true);
}

/* One encoded value; false for an encoding this reader does not know. */
static bool read_encoded(const uint8_t **p, uint8_t enc, uintptr_t *out) {
  const uint8_t *start = *p;
  uintptr_t v;
  switch (enc & 0x0F) {
  case PE_ABSPTR: { uint64_t x; memcpy(&x, *p, 8); *p += 8; v = (uintptr_t)x; break; }
  case PE_ULEB128: v = read_uleb(p); break;
  case PE_SLEB128: v = (uintptr_t)read_sleb(p); break;
  case PE_UDATA2: { uint16_t x; memcpy(&x, *p, 2); *p += 2; v = x; break; }
  case PE_SDATA2: { int16_t x; memcpy(&x, *p, 2); *p += 2; v = (uintptr_t)(intptr_t)x; break; }
  case PE_UDATA4: { uint32_t x; memcpy(&x, *p, 4); *p += 4; v = x; break; }
  case PE_SDATA4: { int32_t x; memcpy(&x, *p, 4); *p += 4; v = (uintptr_t)(intptr_t)x; break; }
  case PE_UDATA8:
  case PE_SDATA8: { uint64_t x; memcpy(&x, *p, 8); *p += 8; v = (uintptr_t)x; break; }
  default: return false;
  }
  switch (enc & 0x70) {
  case 0: break;
  case PE_PCREL: v += (uintptr_t)start; break;
  default: return false;
  }
  *out = v;
  return true;
}

/* The landing pad of the call the frame is in, from the LSDA's call-site
 * table; 0 when the call has none (or the table cannot be read). */
static uintptr_t landing_pad(struct _Unwind_Context *ctx) {
  const uint8_t *p = _Unwind_GetLanguageSpecificData(ctx);
  if (!p) return 0;
  uintptr_t func = _Unwind_GetRegionStart(ctx);
  int before = 0;
  uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
  if (!before) ip--; /* the return address is past the call */
  uintptr_t lpstart = func;
  uint8_t enc = *p++;
  if (enc != PE_OMIT && !read_encoded(&p, enc, &lpstart)) return 0;
  enc = *p++; /* type table: unused, every landing pad catches all */
  if (enc != PE_OMIT) (void)read_uleb(&p);
  uint8_t cs_enc = *p++;
  uintptr_t len = read_uleb(&p);
  const uint8_t *end = p + len;
  while (p < end) {
    uintptr_t start, size, lp;
    if (!read_encoded(&p, cs_enc, &start) || !read_encoded(&p, cs_enc, &size) ||
        !read_encoded(&p, cs_enc, &lp))
      return 0;
    (void)read_uleb(&p); /* action */
    if (ip < func + start) return 0; /* sorted by address */
    if (ip < func + start + size) return lp ? lpstart + lp : 0;
  }
  return 0;
}

WASMRT_API _Unwind_Reason_Code wasmrt_personality(int version, _Unwind_Action actions,
                                                  _Unwind_Exception_Class cls,
                                                  struct _Unwind_Exception *ue,
                                                  struct _Unwind_Context *ctx) {
  if (version != 1) return _URC_FATAL_PHASE1_ERROR;
  /* Foreign exceptions and forced unwinds (thread cancellation) pass
   * through Wasm frames untouched: Wasm handlers catch Wasm exceptions. */
  if (cls != EXN_CLASS || (actions & _UA_FORCE_UNWIND)) return _URC_CONTINUE_UNWIND;
  uintptr_t lp = landing_pad(ctx);
  if (!lp) return _URC_CONTINUE_UNWIND;
  if (actions & _UA_SEARCH_PHASE) return _URC_HANDLER_FOUND;
  _Unwind_SetGR(ctx, __builtin_eh_return_data_regno(0), (_Unwind_Ptr)ue);
  _Unwind_SetGR(ctx, __builtin_eh_return_data_regno(1), 1);
  _Unwind_SetIP(ctx, lp);
  return _URC_INSTALL_CONTEXT;
}

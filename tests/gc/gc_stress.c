/* gc_stress.c: stress tests of the GC heap and collector (issue 17), and
 * of references the host holds, through the embedding API.
 *
 * usage: wasmc-gc-stress WASMC SRC_DIR WORK_DIR OPT
 *
 * Compiles SRC_DIR/{churn,list,ring,tree,exn,mixed,tables}.wat with
 * `WASMC compile --shared -O OPT` into WORK_DIR, loads them (one thread,
 * so one GC heap for all seven instances) under a heap limit of LIMIT
 * (16 MiB) and
 * checks:
 *   churn       short-lived objects of every size (churn.wat) until 50 x
 *               LIMIT bytes were allocated: every chunk's checksum as
 *               computed without allocating; collections ran; the peak
 *               resident set (VmHWM, reset through /proc/self/clear_refs
 *               before) grew by at most LIMIT + RSS_SLACK
 *   live-*      a 200,000-node list and a ring of 1,000 kept in globals,
 *               binary trees, deep recursion, references in locals and on
 *               the operand stack across calls that allocate, tail calls
 *               and cycles, each with 5 x LIMIT of churn around, then
 *               checked whole
 *   exn-*       exceptions thrown through frames holding references,
 *               payloads held by catch, by exnref (catch_ref/throw_ref)
 *               and by the host (uncaught, then a handle), across
 *               collections
 *   mix         anyref arrays of structs, arrays, i31s and host values,
 *               casts over reused cells, a host function that collects
 *               and re-enters Wasm, receiving and returning anyref and
 *               externref
 *   handles     an object held by the host through wasmrt_ref_hold stays
 *               intact across churn and explicit collections, its handle
 *               counted; released, the next collection frees it
 *               (live_bytes falls by its size, handles back to 0);
 *               handles of null, an i31 and a host value give them back
 *   tables      objects held only by a table, a global and an element
 *               segment (the runtime's root providers) across churn;
 *               array.copy (overlapping), array.fill, array.init_elem on
 *               arrays of references with collections between
 *   oom         a list grown beyond LIMIT ends in the trap "out of
 *               memory" (WASMRT_TRAP_OUT_OF_MEMORY), never a crash; the
 *               list in the global is whole afterwards; dropped, the
 *               instance allocates again
 *   no-leak     everything dropped and collected, the heap's blocks in
 *               use and its live bytes are back near the start's; the
 *               peak resident set of all the checks above within
 *               LIMIT + RSS_SLACK
 *   threads     two threads, each with its own heap and instances of
 *               churn and list, churn 24 x LIMIT each at once with a list
 *               kept in a global (every thread's collections visit every
 *               instance's globals and must ignore the other heap's
 *               objects); resident set within 2 x LIMIT + RSS_SLACK
 * Each check prints "PASS: NAME" or "FAIL: NAME: why", with the figures
 * on lines of their own; the last line is "N passed, N failed"; the exit
 * status is 0 when all passed. Run under ASan/UBSan (build-asan) it also
 * checks that no cell is used after it was freed: generated code is not
 * instrumented, but the runtime's memset/memcpy of cells are, and a
 * freed-while-live cell shows as a wrong checksum or a failed cast.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

#include "wasmrt.h"

#define MIB (1024ull * 1024)
#define LIMIT (16 * MIB)
/* What the resident set may grow by beyond LIMIT while 50 x LIMIT is
 * churned. The heap's own blocks stay within LIMIT (blocks in use plus
 * free ones kept resident never pass it: gc_heap_sweep_blocks); the rest
 * is its side tables (a kind word and 512 bytes of mark bits per 64 KiB
 * block: 160 KiB for 256 blocks), the mark stack (freed after a
 * collection once above 512 KiB), malloc's arenas and, under ASan, the
 * allocator's own growth. Measured: see tests/gc/README.md. */
#define RSS_SLACK (8 * MIB)

static unsigned npassed, nfailed;

static void pass(const char *name) {
  printf("PASS: %s\n", name);
  npassed++;
}

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("FAIL: %s: ", name);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  nfailed++;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); 0 when absent. */
static uint64_t status_kib(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  size_t n = strlen(field);
  uint64_t v = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, field, n) == 0 && line[n] == ':') {
      v = strtoull(line + n + 1, NULL, 10);
      break;
    }
  fclose(f);
  return v;
}

/* Resets VmHWM to the current resident set (Linux: "5" to clear_refs). */
static bool reset_peak_rss(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (!f) return false;
  bool ok = fputs("5", f) >= 0;
  return fclose(f) == 0 && ok;
}

static wasmrt_gc_stats stats(void) {
  wasmrt_gc_stats s;
  wasmrt_gc_get_stats(&s);
  return s;
}

/* ---- modules ---------------------------------------------------------------- */

typedef struct {
  const char *name;
  wasmrt_module *mod;
  wasmrt_instance *inst;
} module;

enum { CHURN, LIST, RING, TREE, EXN, MIXED, TABLES, NMODULES };
static module mods[NMODULES] = {
    {"churn", NULL, NULL}, {"list", NULL, NULL},  {"ring", NULL, NULL},
    {"tree", NULL, NULL},  {"exn", NULL, NULL},   {"mixed", NULL, NULL},
    {"tables", NULL, NULL}};

/* The instances of this thread: mods' on the main thread, a thread's own
 * in check_threads. */
static _Thread_local wasmrt_instance **insts;

static wasmrt_funcref *fn(int m, const char *name) {
  wasmrt_extern ext;
  if (!insts[m] || !wasmrt_instance_export(insts[m], name, strlen(name), &ext) ||
      ext.kind != WASMRT_EXTERN_FUNC) {
    fprintf(stderr, "gc_stress: %s has no function export %s\n", mods[m].name, name);
    exit(1);
  }
  return ext.of.func;
}

/* Calls m.name with vals (params in, results out); false with err on a
 * trap. */
static bool call(int m, const char *name, wasmrt_val *vals, uint32_t n, wasmrt_error *err) {
  return wasmrt_call(insts[m], fn(m, name), vals, n, err);
}

/* The same, for a call that must not trap: a trap fails check `what`. */
static bool call_ok(const char *what, int m, const char *name, wasmrt_val *vals, uint32_t n) {
  wasmrt_error err;
  if (call(m, name, vals, n, &err)) return true;
  fail(what, "%s.%s trapped: %s", mods[m].name, name, err.message);
  return false;
}

/* ---- the host function of mixed.wat ---------------------------------------- */

#define HOST_VALUE ((void *)(uintptr_t)0x5eed0)

static struct {
  unsigned calls, bad;
  char why[200];
} host;

/* host.pass(anyref, externref) -> (anyref, externref): the externref must
 * be HOST_VALUE and the anyref of a kind the window holds; collects, calls
 * back into mixed.garbage (allocating) and returns both unchanged. */
static bool host_pass(void *env, wasmrt_val *vals, char *msg, size_t msg_size) {
  (void)env;
  host.calls++;
  void *any = vals[0].ref, *ext = vals[1].ref;
  if (ext != HOST_VALUE) {
    host.bad++;
    snprintf(host.why, sizeof host.why, "externref %p, expected %p", ext, HOST_VALUE);
  }
  wasmrt_ref_kind k = wasmrt_ref_kind_of(any);
  if (k == WASMRT_REF_NULL || (k == WASMRT_REF_HOST && any != HOST_VALUE)) {
    host.bad++;
    snprintf(host.why, sizeof host.why, "anyref %p of kind %d", any, (int)k);
  }
  wasmrt_gc_collect();
  wasmrt_val g[1] = {{.i32 = 2000}};
  wasmrt_error err;
  if (!call(MIXED, "garbage", g, 1, &err)) {
    snprintf(msg, msg_size, "garbage() from the host: %s", err.message);
    return false;
  }
  wasmrt_gc_collect();
  vals[0].ref = any;
  vals[1].ref = ext;
  return true;
}

/* ---- the checks --------------------------------------------------------------- */

/* churn(rounds, seed) against expect(rounds, seed) until `bytes` more
 * bytes were allocated; false (and a failure of `what`) on a mismatch or
 * a trap. */
static bool churn(const char *what, uint64_t bytes, uint32_t seed) {
  wasmrt_val v[2];
  if (!call_ok(what, CHURN, "bytes", v, 1)) return false;
  uint64_t until = (uint64_t)v[0].i64 + bytes;
  for (;; seed += 7919) {
    v[0].i32 = 4000, v[1].i32 = (int32_t)seed;
    if (!call_ok(what, CHURN, "churn", v, 2)) return false;
    int64_t got = v[0].i64;
    v[0].i32 = 4000, v[1].i32 = (int32_t)seed;
    if (!call_ok(what, CHURN, "expect", v, 2)) return false;
    if (got != v[0].i64) {
      fail(what, "churn(4000, %" PRIu32 ") = %" PRId64 ", expected %" PRId64, seed, got,
           v[0].i64);
      return false;
    }
    if (!call_ok(what, CHURN, "bytes", v, 1)) return false;
    if ((uint64_t)v[0].i64 >= until) return true;
  }
}

static void check_churn(void) {
  const char *what = "churn";
  wasmrt_val v[2];
  if (!call_ok(what, CHURN, "bytes", v, 1)) return;
  uint64_t bytes0 = (uint64_t)v[0].i64;
  wasmrt_gc_stats s0 = stats();
  bool peak_ok = reset_peak_rss();
  uint64_t rss0 = status_kib("VmRSS");
  double t0 = now();
  if (!churn(what, 50 * LIMIT, 1)) return;
  double t = now() - t0;
  uint64_t hwm = status_kib("VmHWM");
  wasmrt_gc_stats s1 = stats();
  call_ok(what, CHURN, "bytes", v, 1);
  uint64_t bytes = (uint64_t)v[0].i64 - bytes0;
  uint64_t grew = hwm > rss0 ? (hwm - rss0) * 1024 : 0;
  printf("  churn: %.1f MiB allocated (%.1f x the %llu MiB limit) in %" PRIu64
         " objects, %.2f s; %" PRIu64 " collections; heap %.1f MiB after\n",
         (double)bytes / MIB, (double)bytes / LIMIT, LIMIT / MIB, s1.allocated - s0.allocated, t,
         s1.collections - s0.collections, (double)s1.heap_bytes / MIB);
  printf("  churn: resident set %.1f MiB before, peak %.1f MiB (+%.1f MiB; bound +%llu MiB =" 
         " limit + %llu MiB)%s\n",
         rss0 / 1024.0, hwm / 1024.0, (double)grew / MIB, (LIMIT + RSS_SLACK) / MIB,
         RSS_SLACK / MIB, peak_ok ? "" : " (VmHWM not reset: the process's peak)");
  if (bytes < 50 * LIMIT)
    fail(what, "only %" PRIu64 " bytes allocated", bytes);
  else if (s1.collections - s0.collections < 50)
    fail(what, "only %" PRIu64 " collections for %" PRIu64 " bytes",
         s1.collections - s0.collections, bytes);
  else if (!peak_ok && hwm == 0)
    fail(what, "neither /proc/self/clear_refs nor VmHWM: the resident set cannot be measured");
  else if (grew > LIMIT + RSS_SLACK)
    fail(what, "the resident set grew by %.1f MiB, more than the limit + %llu MiB",
         (double)grew / MIB, RSS_SLACK / MIB);
  else
    pass(what);
}

static void check_live(void) {
  wasmrt_val v[3];
  /* a 200,000-node list in a global and a ring of 1,000 in another,
   * through 5 x LIMIT of churn */
  const uint32_t n = 200000, rn = 1000;
  const int64_t list_sum = 7 * (int64_t)n * (n - 1) / 2 + n;
  const int64_t ring_sum = (int64_t)rn * (rn - 1) / 2 + rn - 1;
  v[0].i32 = (int32_t)n, v[1].i32 = 0;
  bool ok = call_ok("live-list", LIST, "build", v, 2);
  v[0].i32 = (int32_t)rn;
  ok = ok && call_ok("live-list", RING, "keep", v, 1);
  ok = ok && churn("live-list", 5 * LIMIT, 1001);
  ok = ok && call_ok("live-list", LIST, "sum", v, 1);
  if (ok && v[0].i64 != list_sum) {
    fail("live-list", "sum() = %" PRId64 ", expected %" PRId64, v[0].i64, list_sum);
    ok = false;
  }
  v[0].i32 = (int32_t)rn;
  ok = ok && call_ok("live-list", RING, "kept_sum", v, 1);
  if (ok && v[0].i64 != ring_sum) {
    fail("live-list", "kept_sum() = %" PRId64 ", expected %" PRId64, v[0].i64, ring_sum);
    ok = false;
  }
  if (ok) pass("live-list");
  /* dropped: the later checks' many collections need not mark them */
  call_ok("live-list", LIST, "drop", v, 0);
  call_ok("live-list", RING, "unkeep", v, 0);

  /* cycles: 300 rings of 500 made, walked and dropped */
  v[0].i32 = 300, v[1].i32 = 500;
  wasmrt_gc_stats s0 = stats();
  if (call_ok("live-rings", RING, "rings", v, 2)) {
    int64_t want = 300 * ((int64_t)500 * 499 / 2 + 499);
    wasmrt_gc_stats s1 = stats();
    if (v[0].i64 != want)
      fail("live-rings", "rings(300, 500) = %" PRId64 ", expected %" PRId64, v[0].i64, want);
    else if (s1.collections == s0.collections)
      fail("live-rings", "no collection ran");
    else
      pass("live-rings");
  }

  /* binary trees: maxd 14, mind 4 */
  v[0].i32 = 14, v[1].i32 = 4;
  double t0 = now();
  if (call_ok("live-trees", TREE, "binary", v, 2)) {
    int64_t want = (1 << 15) - 1;
    for (int d = 4; d <= 14; d += 2) want += ((int64_t)1 << (14 - d + 4)) * ((1 << (d + 1)) - 1);
    printf("  live-trees: binary(14, 4): %.2f s\n", now() - t0);
    if (v[0].i64 != want)
      fail("live-trees", "binary(14, 4) = %" PRId64 ", expected %" PRId64, v[0].i64, want);
    else
      pass("live-trees");
  }
  v[0].i32 = 5000;
  if (call_ok("live-deep", TREE, "deep", v, 1)) {
    if (v[0].i32 != 5000) fail("live-deep", "deep(5000) = %d", v[0].i32);
    else pass("live-deep");
  }
  v[0].i32 = 3000;
  if (call_ok("live-hold", TREE, "hold", v, 1)) {
    if (v[0].i32 != 2047 + 511) fail("live-hold", "hold(3000) = %d, expected 2558", v[0].i32);
    else pass("live-hold");
  }
  v[0].i32 = 20000;
  if (call_ok("live-tailcalls", TREE, "chain", v, 1)) {
    if (v[0].i32 != 20000) fail("live-tailcalls", "chain(20000) = %d", v[0].i32);
    else pass("live-tailcalls");
  }
}

static void check_exn(void) {
  wasmrt_val v[2];
  bool ok = true;
  for (int64_t k = 1; ok && k <= 40; k++) {
    v[0].i32 = 20, v[1].i64 = k * 1000;
    ok = call_ok("exn-frames", EXN, "run", v, 2);
    if (ok && v[0].i64 != 3 * k * 1000 + 3) {
      fail("exn-frames", "run(20, %" PRId64 ") = %" PRId64, k * 1000, v[0].i64);
      ok = false;
    }
  }
  if (ok) pass("exn-frames");
  v[0].i32 = 300, v[1].i64 = 77;
  if (call_ok("exn-catch-loop", EXN, "loop_catch", v, 2)) {
    if (v[0].i32 != 300) fail("exn-catch-loop", "loop_catch(300) = %d", v[0].i32);
    else pass("exn-catch-loop");
  }

  /* uncaught: the payload's box at the host, held by a handle through the
   * next calls (which end the exception's life) and collections */
  const char *what = "exn-uncaught-held";
  wasmrt_error err;
  v[0].i64 = 4242;
  if (call(EXN, "uncaught", v, 1, &err)) {
    fail(what, "uncaught(4242) returned");
    return;
  }
  const wasmrt_exn *x = wasmrt_exception_pending();
  if (err.trap != WASMRT_TRAP_UNCAUGHT_EXCEPTION || !x || x->nvals != 2) {
    fail(what, "uncaught(4242): %s, pending %p", err.message, (const void *)x);
    return;
  }
  void *box = x->vals[0].ref;
  if (wasmrt_ref_kind_of(box) != WASMRT_REF_STRUCT || x->vals[1].i64 != 4242) {
    fail(what, "payload (%p, %" PRId64 ")", box, x->vals[1].i64);
    return;
  }
  wasmrt_ref_handle *h = wasmrt_ref_hold(box);
  if (!h) {
    fail(what, "wasmrt_ref_hold failed");
    return;
  }
  ok = churn(what, 2 * LIMIT, 5003);
  wasmrt_gc_collect();
  v[0].ref = wasmrt_ref_handle_get(h), v[1].i64 = 4242;
  if (ok && call_ok(what, EXN, "check_box", v, 2)) {
    if (v[0].i32 != 1) fail(what, "check_box(held payload) = %d", v[0].i32);
    else pass(what);
  }
  wasmrt_ref_release(h);
}

static void check_mix(void) {
  const char *what = "mix";
  wasmrt_val v[3] = {{.i32 = 2000000}, {.i32 = 99}, {.ref = HOST_VALUE}};
  wasmrt_gc_stats s0 = stats();
  if (!call_ok(what, MIXED, "mix", v, 3)) return;
  wasmrt_gc_stats s1 = stats();
  printf("  mix: %u host calls (each collecting twice and re-entering Wasm), %" PRIu64
         " collections\n",
         host.calls, s1.collections - s0.collections);
  if (v[0].i32 != 2000000)
    fail(what, "mix(2000000) checked %d elements", v[0].i32);
  else if (host.bad)
    fail(what, "host.pass got wrong references %u times: %s", host.bad, host.why);
  else if (host.calls != 2000000 / 4096 + 1)
    fail(what, "host.pass called %u times, expected %u", host.calls, 2000000 / 4096 + 1);
  else
    pass(what);
}

static void check_handles(void) {
  const char *what = "handles";
  const int32_t len = 131072; /* the object's array: 1 MiB */
  wasmrt_gc_collect();
  wasmrt_gc_stats s0 = stats();
  wasmrt_val v[2] = {{.i64 = 31337}, {.i32 = len}};
  if (!call_ok(what, MIXED, "make_obj", v, 2)) return;
  void *obj = v[0].ref;
  if (wasmrt_ref_kind_of(obj) != WASMRT_REF_STRUCT) {
    fail(what, "make_obj gave %p, not a struct", obj);
    return;
  }
  wasmrt_ref_handle *h = wasmrt_ref_hold(obj);
  /* handles of non-objects hold nothing and give their word back */
  void *i31 = (void *)(uintptr_t)(12345u << 1 | 1);
  wasmrt_ref_handle *hn = wasmrt_ref_hold(NULL), *hi = wasmrt_ref_hold(i31),
                    *hh = wasmrt_ref_hold(HOST_VALUE);
  if (!h || !hn || !hi || !hh) {
    fail(what, "wasmrt_ref_hold failed");
    return;
  }
  if (wasmrt_ref_handle_get(hn) != NULL || wasmrt_ref_handle_get(hi) != i31 ||
      wasmrt_ref_handle_get(hh) != HOST_VALUE || wasmrt_ref_kind_of(i31) != WASMRT_REF_I31 ||
      wasmrt_ref_i31_value(i31, true) != 12345 ||
      wasmrt_ref_kind_of(HOST_VALUE) != WASMRT_REF_HOST) {
    fail(what, "handles of null, an i31 or a host value do not give them back");
    return;
  }
  obj = NULL; /* from here on the handle alone holds it */
  bool ok = churn(what, 3 * LIMIT, 7001);
  wasmrt_gc_collect();
  wasmrt_gc_stats s1 = stats();
  v[0].ref = wasmrt_ref_handle_get(h), v[1].i64 = 31337;
  ok = ok && call_ok(what, MIXED, "check_obj", v, 2);
  if (ok && v[0].i32 != 1) {
    fail(what, "check_obj(held) = %d after churn and collections", v[0].i32);
    ok = false;
  }
  if (ok && s1.handles != s0.handles + 4) {
    fail(what, "%" PRIu64 " handles held, expected %" PRIu64, s1.handles, s0.handles + 4);
    ok = false;
  }
  if (ok && s1.live_bytes < s0.live_bytes + (uint64_t)len * 8) {
    fail(what, "live bytes %" PRIu64 " while held, before %" PRIu64, s1.live_bytes,
         s0.live_bytes);
    ok = false;
  }
  wasmrt_ref_release(h);
  wasmrt_ref_release(hn);
  wasmrt_ref_release(hi);
  wasmrt_ref_release(hh);
  wasmrt_gc_collect();
  wasmrt_gc_stats s2 = stats();
  printf("  handles: live %.2f MiB before, %.2f MiB held, %.2f MiB released; handles %" PRIu64
         " -> %" PRIu64 " -> %" PRIu64 "\n",
         (double)s0.live_bytes / MIB, (double)s1.live_bytes / MIB, (double)s2.live_bytes / MIB,
         s0.handles, s1.handles, s2.handles);
  if (!ok) return;
  if (s2.handles != s0.handles)
    fail(what, "%" PRIu64 " handles after releasing, expected %" PRIu64, s2.handles, s0.handles);
  else if (s2.live_bytes + (uint64_t)len * 8 > s1.live_bytes)
    fail(what, "live bytes %" PRIu64 " after release and collection, %" PRIu64 " held: not freed",
         s2.live_bytes, s1.live_bytes);
  else
    pass(what);
}

static void check_oom(void) {
  const char *what = "oom";
  wasmrt_val v[2];
  call_ok(what, LIST, "drop", v, 0);
  wasmrt_gc_collect();
  wasmrt_gc_stats s0 = stats();
  wasmrt_error err;
  /* nodes of 32 + 1040 bytes (1 KiB payloads) until the limit */
  v[0].i32 = 1 << 24, v[1].i32 = 1024;
  if (call(LIST, "grow", v, 2, &err)) {
    fail(what, "grow(2^24, 1024) returned %d under a %llu MiB limit", v[0].i32, LIMIT / MIB);
    return;
  }
  wasmrt_gc_stats s1 = stats();
  if (err.trap != WASMRT_TRAP_OUT_OF_MEMORY || !strstr(err.message, "out of memory")) {
    fail(what, "grow trapped with code %d: %s", (int)err.trap, err.message);
    return;
  }
  printf("  oom: %s; heap %.1f MiB at the trap\n", err.message, (double)s1.heap_bytes / MIB);
  if (!call_ok(what, LIST, "length", v, 1)) return;
  int64_t c = v[0].i32;
  if (c * 1056 < (int64_t)(LIMIT / 2) || c * 1056 > (int64_t)LIMIT) {
    fail(what, "%" PRId64 " nodes of ~1 KiB before the trap, limit %llu MiB", c, LIMIT / MIB);
    return;
  }
  if (!call_ok(what, LIST, "sum", v, 1)) return;
  if (v[0].i64 != 7 * c * (c - 1) / 2 + c) {
    fail(what, "the list after the trap: sum %" PRId64 " for %" PRId64 " nodes", v[0].i64, c);
    return;
  }
  /* dropped, the instance allocates again */
  call_ok(what, LIST, "drop", v, 0);
  if (!churn(what, 2 * LIMIT, 9001)) return;
  v[0].i32 = 1000, v[1].i32 = 1024;
  if (!call_ok(what, LIST, "build", v, 2)) return;
  wasmrt_gc_collect();
  wasmrt_gc_stats s2 = stats();
  printf("  oom: %" PRId64 " nodes of 1 KiB fitted; live %.2f MiB before, %.2f MiB at the trap, "
         "%.2f MiB after\n",
         c, (double)s0.live_bytes / MIB, (double)s1.live_bytes / MIB, (double)s2.live_bytes / MIB);
  call_ok(what, LIST, "drop", v, 0);
  pass(what);
}

/* Objects held by a table, a global and an element segment (root
 * providers) across churn; array.copy/fill/init_elem on arrays of
 * references with collections between. */
static void check_tables(void) {
  const char *what = "tables";
  wasmrt_val v[1] = {{.i32 = 1000}};
  if (!call_ok(what, TABLES, "fill", v, 1) || !churn(what, 3 * LIMIT, 11003) ||
      !call_ok(what, TABLES, "check", v, 1))
    return;
  if (v[0].i32 != 1) {
    fail(what, "check() = %d: the table, the global or the segment lost an object", v[0].i32);
    return;
  }
  v[0].i32 = 200;
  if (!call_ok(what, TABLES, "copies", v, 1)) return;
  if (v[0].i32 != 200) fail(what, "copies(200) = %d", v[0].i32);
  else pass(what);
}

/* Threads: each has its own heap; their instances' globals are root
 * providers every thread's collections visit, each ignoring the other
 * heap's words. Two threads, each with its own instances of list and
 * churn, keep a list in a global while they churn at once. */
typedef struct {
  int id;
  char why[700];
  double secs;
  uint64_t collections, bytes;
} thread_job;

static void *thread_main(void *arg) {
  thread_job *job = arg;
  wasmrt_instance *own[NMODULES] = {NULL};
  wasmrt_error err;
  insts = own;
  for (int m = CHURN; m <= LIST; m++) {
    own[m] = wasmrt_instantiate(mods[m].mod, NULL, 0, &err);
    if (!own[m]) {
      snprintf(job->why, sizeof job->why, "instantiating %s: %s", mods[m].name, err.message);
      goto out;
    }
  }
  double t0 = now();
  const uint32_t n = 50000;
  const int64_t want = 7 * (int64_t)n * (n - 1) / 2 + n;
  wasmrt_val v[2] = {{.i32 = (int32_t)n}, {.i32 = 16}};
  if (!call(LIST, "build", v, 2, &err)) {
    snprintf(job->why, sizeof job->why, "list.build: %s", err.message);
    goto out;
  }
  if (!call(CHURN, "bytes", v, 1, &err)) goto out;
  int64_t bytes0 = v[0].i64;
  for (uint32_t seed = 1; seed <= 10; seed++) {
    v[0].i32 = 4000, v[1].i32 = (int32_t)(seed * 31 + (uint32_t)job->id);
    if (!call(CHURN, "churn", v, 2, &err)) {
      snprintf(job->why, sizeof job->why, "churn: %s", err.message);
      goto out;
    }
    int64_t got = v[0].i64;
    v[0].i32 = 4000, v[1].i32 = (int32_t)(seed * 31 + (uint32_t)job->id);
    if (!call(CHURN, "expect", v, 2, &err) || got != v[0].i64) {
      snprintf(job->why, sizeof job->why, "churn(4000, %u) = %" PRId64 ", expected %" PRId64,
               seed * 31 + (uint32_t)job->id, got, v[0].i64);
      goto out;
    }
  }
  if (!call(LIST, "sum", v, 1, &err) || v[0].i64 != want) {
    snprintf(job->why, sizeof job->why, "list.sum() = %" PRId64 ", expected %" PRId64 " (%s)",
             v[0].i64, want, err.message);
    goto out;
  }
  if (!call(CHURN, "bytes", v, 1, &err)) goto out;
  job->bytes = (uint64_t)(v[0].i64 - bytes0);
  call(LIST, "drop", v, 0, &err);
  job->secs = now() - t0;
  job->collections = stats().collections;
out:
  for (int m = 0; m < NMODULES; m++)
    if (own[m]) wasmrt_instance_free(own[m]);
  return NULL;
}

static void check_threads(void) {
  const char *what = "threads";
  bool peak_ok = reset_peak_rss();
  uint64_t rss0 = status_kib("VmRSS");
  thread_job jobs[2] = {{.id = 1}, {.id = 2}};
  pthread_t th[2];
  int started = 0;
  for (int i = 0; i < 2; i++, started++)
    if (pthread_create(&th[i], NULL, thread_main, &jobs[i]) != 0) {
      snprintf(jobs[i].why, sizeof jobs[i].why, "pthread_create failed");
      break;
    }
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  for (int i = 0; i < 2; i++)
    if (jobs[i].why[0]) {
      fail(what, "thread %d: %s", jobs[i].id, jobs[i].why);
      return;
    }
  uint64_t hwm = status_kib("VmHWM");
  uint64_t grew = hwm > rss0 ? (hwm - rss0) * 1024 : 0;
  printf("  threads: 2 threads, each a 50,000-node list and churn: %.0f, %.0f MiB in %.2f, %.2f s;"
         " %" PRIu64 ", %" PRIu64 " collections\n",
         (double)jobs[0].bytes / MIB, (double)jobs[1].bytes / MIB, jobs[0].secs, jobs[1].secs,
         jobs[0].collections, jobs[1].collections);
  printf("  threads: resident set %.1f MiB before, peak %.1f MiB (+%.1f MiB; bound +%llu MiB ="
         " two heaps' limits + %llu MiB)%s\n",
         rss0 / 1024.0, hwm / 1024.0, (double)grew / MIB, (2 * LIMIT + RSS_SLACK) / MIB,
         RSS_SLACK / MIB, peak_ok ? "" : " (VmHWM not reset: the process's peak)");
  if (jobs[0].bytes < 4 * LIMIT || jobs[1].bytes < 4 * LIMIT)
    fail(what, "only %" PRIu64 " and %" PRIu64 " bytes churned", jobs[0].bytes, jobs[1].bytes);
  else if (grew > 2 * LIMIT + RSS_SLACK)
    fail(what, "the resident set grew by %.1f MiB with two heaps of %llu MiB", (double)grew / MIB,
         LIMIT / MIB);
  else
    pass(what);
}

/* Everything dropped and collected: the heap back near where it started
 * (heap0: blocks in use before any test), and the peak resident set of
 * all the tests (since rss0, when peak_ok) within LIMIT + RSS_SLACK too. */
static void check_no_leak(uint64_t heap0, bool peak_ok, uint64_t rss0) {
  const char *what = "no-leak";
  wasmrt_val v[1];
  call_ok(what, LIST, "drop", v, 0);
  call_ok(what, RING, "unkeep", v, 0);
  wasmrt_gc_collect();
  wasmrt_gc_stats s = stats();
  uint64_t hwm = status_kib("VmHWM");
  uint64_t grew = hwm > rss0 ? (hwm - rss0) * 1024 : 0;
  printf("  no-leak: heap %.2f MiB in use (%.2f MiB before any test), live %.1f KiB, %" PRIu64
         " handles, %" PRIu64 " objects allocated, %" PRIu64 " collections in all\n",
         (double)s.heap_bytes / MIB, (double)heap0 / MIB, s.live_bytes / 1024.0, s.handles,
         s.allocated, s.collections);
  printf("  no-leak: resident set peak over all tests %.1f MiB (+%.1f MiB)%s\n", hwm / 1024.0,
         (double)grew / MIB, peak_ok ? "" : " (VmHWM not reset: the process's peak)");
  /* What may stay: the objects of escaped exceptions (exn.wat's catch_ref,
   * 40 payloads of about 900 bytes: runtime/exn.c keeps escaped
   * exceptions for the process's life) and partly filled blocks. */
  if (s.live_bytes > 256 * 1024)
    fail(what, "%" PRIu64 " bytes still live after dropping everything", s.live_bytes);
  else if (s.heap_bytes > heap0 + 2 * MIB)
    fail(what, "%.2f MiB of blocks in use after dropping everything", (double)s.heap_bytes / MIB);
  else if (s.handles != 0)
    fail(what, "%" PRIu64 " handles left", s.handles);
  else if (grew > LIMIT + RSS_SLACK)
    fail(what, "the resident set grew by %.1f MiB over the tests, more than the limit + %llu MiB",
         (double)grew / MIB, RSS_SLACK / MIB);
  else
    pass(what);
}

/* ---- setup -------------------------------------------------------------------- */

static bool compile(const char *wasmc, const char *src, const char *work, const char *opt,
                    const char *name, char *so, size_t so_size) {
  snprintf(so, so_size, "%s/%s.O%s.so", work, name, opt);
  char cmd[3 * 4096 + 64];
  snprintf(cmd, sizeof cmd, "'%s' compile --shared -O %s '%s/%s.wat' -o '%s'", wasmc, opt, src,
           name, so);
  int rc = system(cmd);
  return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s WASMC SRC_DIR WORK_DIR OPT\n", argv[0]);
    return 2;
  }
  const char *wasmc = argv[1], *src = argv[2], *work = argv[3], *opt = argv[4];
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("== gc_stress: modules compiled at -O%s, heap limit %llu MiB\n", opt, LIMIT / MIB);
  if (!wasmrt_gc_set_heap_limit(LIMIT) || wasmrt_gc_heap_limit() != LIMIT) {
    fail("setup", "wasmrt_gc_set_heap_limit(%llu) did not take", LIMIT);
    goto done;
  }

  uint8_t pass_types[2] = {WASMRT_ANYREF, WASMRT_EXTERNREF};
  wasmrt_host_func *hf =
      wasmrt_host_func_new(pass_types, 2, pass_types, 2, host_pass, NULL);
  wasmrt_extern pass_import = wasmrt_host_func_extern(hf);
  static wasmrt_instance *main_insts[NMODULES];
  insts = main_insts;
  double t0 = now();
  for (int m = 0; m < NMODULES; m++) {
    char so[4096];
    wasmrt_error err;
    if (!compile(wasmc, src, work, opt, mods[m].name, so, sizeof so)) {
      fail("setup", "wasmc compile of %s/%s.wat failed", src, mods[m].name);
      goto done;
    }
    mods[m].mod = wasmrt_module_load(so, &err);
    if (mods[m].mod)
      mods[m].inst = insts[m] = wasmrt_instantiate(mods[m].mod, m == MIXED ? &pass_import : NULL,
                                        m == MIXED ? 1 : 0, &err);
    if (!mods[m].inst) {
      fail("setup", "%s: %s", so, err.message);
      goto done;
    }
  }
  printf("  setup: 7 modules compiled and instantiated in %.2f s\n", now() - t0);
  uint64_t heap0 = stats().heap_bytes;

  static const struct {
    const char *name;
    void (*run)(void);
  } checks[] = {{"churn", check_churn}, {"live", check_live},       {"exn", check_exn},
                {"mix", check_mix},     {"handles", check_handles}, {"tables", check_tables},
                {"oom", check_oom}};
  t0 = now();
  bool peak_ok = reset_peak_rss();
  uint64_t rss0 = status_kib("VmRSS");
  for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
    double t = now();
    checks[i].run();
    printf("  time: %s %.2f s\n", checks[i].name, now() - t);
  }
  check_no_leak(heap0, peak_ok, rss0);
  /* last: its two threads' heaps would count in no-leak's peak */
  double t = now();
  check_threads();
  printf("  time: threads %.2f s\n", now() - t);
  printf("  total: %.2f s of tests\n", now() - t0);

  for (int m = 0; m < NMODULES; m++) {
    if (mods[m].inst) wasmrt_instance_free(mods[m].inst);
    if (mods[m].mod) wasmrt_module_free(mods[m].mod);
  }
  wasmrt_host_func_free(hf);
done:
  printf("%u passed, %u failed\n", npassed, nfailed);
  return nfailed ? 1 : 0;
}

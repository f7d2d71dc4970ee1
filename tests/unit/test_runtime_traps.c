/* test_runtime_traps.c: trap delivery in libwasmrt, with the fake module
 * of test_runtime_fake.c: explicit traps (wasmrt_trap) longjmp back to
 * wasmrt_call with the spec's message and the function's name; guard
 * region faults (an access at mem0_base + 4 GiB) become "out of bounds
 * memory access"; call-stack exhaustion by a prologue check and by the
 * stack guard; host failures; nested calls Wasm -> host -> Wasm; traps at
 * instantiation; and faults that are NOT Wasm traps still kill the
 * process with SIGSEGV (checked in a forked child).
 *
 * Under AddressSanitizer run with ASAN_OPTIONS=allow_user_segv_handler=1
 * (ctest sets it, see CMakeLists.txt): ASan then lets libwasmrt install its
 * handler, which passes faults it does not claim on to ASan's. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_runtime_fake.h"
#include "wasmrt.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static wasmrt_instance *g_inst;
static wasmrt_module *g_mod;

static bool host_add1(void *env, wasmrt_val *v, char *msg, size_t n) {
  v[0].i32 += 1;
  return true;
}
static bool host_fail(void *env, wasmrt_val *v, char *msg, size_t n) {
  snprintf(msg, n, "host says no to %d", v[0].i32);
  return false;
}
/* Calls back into Wasm: "div" (which traps), then "load". */
static bool host_reenter(void *env, wasmrt_val *v, char *msg, size_t n) {
  wasmrt_extern e;
  wasmrt_error err;
  wasmrt_val r[1];
  cr_assert(wasmrt_instance_export(g_inst, "div", 3, &e));
  if (wasmrt_call(g_inst, e.of.func, r, 1, &err)) return false;
  if (err.trap != WASMRT_TRAP_INT_DIV_ZERO) return false;
  cr_assert(wasmrt_instance_export(g_inst, "load", 4, &e));
  r[0].i32 = 16;
  if (!wasmrt_call(g_inst, e.of.func, r, 1, &err)) return false;
  v[0].i32 = r[0].i32 & 0xFF; /* 'h' */
  return true;
}

static wasmrt_instance *setup(wasmrt_host_callback cb) {
  wasmrt_error err = {0};
  g_mod = wasmrt_module_from_desc(&fake_desc, &err);
  cr_assert(g_mod, "%s", err.message);
  static const uint8_t i32[] = {WASMRT_I32};
  wasmrt_host_func *h = wasmrt_host_func_new(i32, 1, i32, 1, cb, NULL);
  wasmrt_extern imp = wasmrt_host_func_extern(h);
  g_inst = wasmrt_instantiate(g_mod, &imp, 1, &err);
  cr_assert(g_inst, "%s", err.message);
  return g_inst;
}

static wasmrt_funcref *fn(const char *name) {
  wasmrt_extern e;
  cr_assert(wasmrt_instance_export(g_inst, name, strlen(name), &e), "no export %s", name);
  return e.of.func;
}

/* Call name(arg) -> i32; returns whether it succeeded. */
static bool call1(const char *name, int32_t arg, int32_t *res, wasmrt_error *err) {
  wasmrt_val v[1] = {{.i32 = arg}};
  memset(err, 0, sizeof *err);
  bool ok = wasmrt_call(g_inst, fn(name), v, 1, err);
  if (ok && res) *res = v[0].i32;
  return ok;
}

static void expect_trap(const char *name, int32_t arg, wasmrt_trap_code code,
                        const char *message) {
  wasmrt_error err;
  cr_assert_not(call1(name, arg, NULL, &err), "%s(%d) did not trap", name, arg);
  cr_assert_eq(err.trap, code, "%s: trap %d (%s)", name, err.trap, err.message);
  cr_assert_str_eq(err.message, message);
}

Test(trap, explicit_trap_names_the_function) {
  setup(host_add1);
  for (int i = 0; i < 3; i++)
    expect_trap("div", 0, WASMRT_TRAP_INT_DIV_ZERO,
                "integer divide by zero in function $div (func[3])");
  int32_t r;
  wasmrt_error err;
  g_inst = g_inst;
  ((wasmrt_vmctx *)g_inst)->mem0_base[16] = 'h';
  cr_assert(call1("load", 16, &r, &err), "instance unusable after a trap: %s", err.message);
  cr_assert_eq(r & 0xFF, 'h');
  cr_assert_str_eq(wasmrt_trap_message(WASMRT_TRAP_UNREACHABLE), "unreachable");
  cr_assert_str_eq(wasmrt_trap_message(WASMRT_TRAP_STACK_EXHAUSTED), "call stack exhausted");
}

Test(trap, guard_region_fault_is_oob_trap) {
  setup(host_add1);
  /* Again and again: the handler must leave SIGSEGV unblocked. */
  for (int i = 0; i < 5; i++) {
    expect_trap("load", 65536, WASMRT_TRAP_MEMORY_OOB,
                "out of bounds memory access in function $load (func[1])");
    expect_trap("load", -1, WASMRT_TRAP_MEMORY_OOB,
                "out of bounds memory access in function $load (func[1])");
    /* mem0_base + 0xFFFFFFFF + 0xFFFFFFFF: the far end of the reservation;
     * load_far has no name. */
    expect_trap("load_far", -1, WASMRT_TRAP_MEMORY_OOB,
                "out of bounds memory access in function func[2]");
    expect_trap("load_far", 0, WASMRT_TRAP_MEMORY_OOB,
                "out of bounds memory access in function func[2]");
  }
  int32_t r;
  wasmrt_error err;
  cr_assert(call1("load", 65532, &r, &err), "%s", err.message);
  cr_assert_eq(r, 0);
  /* After growing, the same address is in bounds. */
  cr_assert(call1("grow", 1, &r, &err));
  cr_assert_eq(r, 1);
  cr_assert(call1("load", 65536, &r, &err), "%s", err.message);
  expect_trap("load", 2 * 65536, WASMRT_TRAP_MEMORY_OOB,
              "out of bounds memory access in function $load (func[1])");
}

Test(trap, stack_exhaustion_by_prologue_check) {
  setup(host_add1);
  for (int i = 0; i < 3; i++) {
    fake_recurse_depth = 0;
    expect_trap("recurse", 0, WASMRT_TRAP_STACK_EXHAUSTED,
                "call stack exhausted in function $recurse (func[4])");
    cr_assert_gt(fake_recurse_depth, 1000, "depth %d", fake_recurse_depth);
  }
  int32_t r;
  wasmrt_error err;
  cr_assert(call1("recurse", 1000000 - 10, &r, &err), "%s", err.message);
}

/* A frame that skips the prologue check (or has none) runs into the stack
 * guard page: the handler, on its alternate stack, claims that too. On a
 * thread with a small stack so that it is quick. */
static void *raw_thread(void *arg) {
  wasmrt_error *err = arg;
  wasmrt_val v[1] = {{.i32 = 0}};
  bool ok = wasmrt_call(g_inst, fn("recurse_raw"), v, 1, err);
  return ok ? (void *)1 : NULL;
}
Test(trap, stack_overflow_fault_is_exhaustion) {
  setup(host_add1);
  for (int i = 0; i < 2; i++) {
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 1 << 20);
    pthread_t t;
    wasmrt_error err = {0};
    void *ret;
    cr_assert_eq(pthread_create(&t, &a, raw_thread, &err), 0);
    pthread_join(t, &ret);
    cr_assert_null(ret, "recursion did not trap");
    cr_assert_eq(err.trap, WASMRT_TRAP_STACK_EXHAUSTED, "%s", err.message);
    cr_assert_str_eq(err.message, "call stack exhausted in function $recurse_raw (func[9])");
  }
}

static void *prologue_thread(void *arg) {
  wasmrt_error *err = arg;
  wasmrt_val v[1] = {{.i32 = 0}};
  bool ok = wasmrt_call(g_inst, fn("recurse"), v, 1, err);
  return ok ? (void *)1 : NULL;
}
Test(trap, traps_on_other_threads) {
  setup(host_add1);
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 512 << 10);
  pthread_t t;
  wasmrt_error err = {0};
  void *ret;
  cr_assert_eq(pthread_create(&t, &a, prologue_thread, &err), 0);
  pthread_join(t, &ret);
  cr_assert_null(ret);
  cr_assert_eq(err.trap, WASMRT_TRAP_STACK_EXHAUSTED, "%s", err.message);
  /* The main thread's limit is restored on its next call. */
  expect_trap("recurse", 0, WASMRT_TRAP_STACK_EXHAUSTED,
              "call stack exhausted in function $recurse (func[4])");
}

Test(trap, call_indirect_like_traps) {
  setup(host_add1);
  /* table: [null, f1 (i32->i32), f3 (->i32), null] */
  expect_trap("call_ref", 0, WASMRT_TRAP_UNINITIALIZED,
              "uninitialized element in function $call_ref (func[10])");
  expect_trap("call_ref", 4, WASMRT_TRAP_UNDEFINED_ELEMENT,
              "undefined element in function $call_ref (func[10])");
  expect_trap("call_ref", 1, WASMRT_TRAP_INDIRECT_TYPE,
              "indirect call type mismatch in function $call_ref (func[10])");
  /* f3 has the right type and traps itself: the message names f3. */
  expect_trap("call_ref", 2, WASMRT_TRAP_INT_DIV_ZERO,
              "integer divide by zero in function $div (func[3])");
}

Test(host, failure_is_a_host_trap) {
  setup(host_fail);
  expect_trap("call_host", 5, WASMRT_TRAP_HOST, "host says no to 5");
  int32_t r;
  wasmrt_error err;
  cr_assert(call1("load", 0, &r, &err), "%s", err.message);
  /* Calling the host function directly. */
  cr_assert_not(call1("host", 6, &r, &err));
  cr_assert_eq(err.trap, WASMRT_TRAP_HOST);
}

Test(host, nested_calls) {
  setup(host_reenter);
  ((wasmrt_vmctx *)g_inst)->mem0_base[16] = 'h';
  int32_t r = 0;
  wasmrt_error err;
  for (int i = 0; i < 3; i++) {
    cr_assert(call1("call_host", 0, &r, &err), "%s", err.message);
    cr_assert_eq(r, 'h');
  }
  expect_trap("div", 0, WASMRT_TRAP_INT_DIV_ZERO,
              "integer divide by zero in function $div (func[3])");
}

Test(instance, segment_traps) {
  /* Data segment out of bounds. */
  fake_data0_offset.a = 65536 - 4;
  wasmrt_error err = {0};
  wasmrt_module *m = wasmrt_module_from_desc(&fake_desc, &err);
  static const uint8_t i32[] = {WASMRT_I32};
  wasmrt_host_func *h = wasmrt_host_func_new(i32, 1, i32, 1, host_add1, NULL);
  wasmrt_extern imp = wasmrt_host_func_extern(h);
  cr_assert_null(wasmrt_instantiate(m, &imp, 1, &err));
  cr_assert_eq(err.trap, WASMRT_TRAP_MEMORY_OOB);
  cr_assert_str_eq(err.message, "out of bounds memory access");
  fake_data0_offset.a = 16;
  /* Element segment out of bounds (table has 4 slots, segment 2 items). */
  fake_elem0_offset.a = 3;
  cr_assert_null(wasmrt_instantiate(m, &imp, 1, &err));
  cr_assert_eq(err.trap, WASMRT_TRAP_TABLE_OOB);
  cr_assert_str_eq(err.message, "out of bounds table access");
  fake_elem0_offset.a = 2;
  wasmrt_instance *inst = wasmrt_instantiate(m, &imp, 1, &err);
  cr_assert(inst, "%s", err.message);
  wasmrt_instance_free(inst);
  /* Start function traps. */
  fake_desc.start = FAKE_F_DIV;
  fake_desc.func_types = fake_desc.func_types; /* div: [] -> [i32]; fine for the test */
  cr_assert_null(wasmrt_instantiate(m, &imp, 1, &err));
  cr_assert_eq(err.trap, WASMRT_TRAP_INT_DIV_ZERO, "%s", err.message);
  cr_assert_str_eq(err.message, "integer divide by zero in function $div (func[3])");
  wasmrt_module_free(m);
}

/* linking.wast: a module that writes its function into an imported table
 * and then traps on a data segment fails, but the function stays in the
 * table and stays callable. */
Test(instance, failed_instance_functions_stay_callable) {
  setup(host_add1);
  wasmrt_error err = {0};
  wasmrt_table *tab = wasmrt_table_new(WASMRT_FUNCREF, 10, 0, false, &err);
  wasmrt_module *m2 = wasmrt_module_from_desc(&fake_desc2, &err);
  cr_assert(m2, "%s", err.message);
  wasmrt_extern te = {.kind = WASMRT_EXTERN_TABLE, .of.table = tab};
  cr_assert_null(wasmrt_instantiate(m2, &te, 1, &err));
  cr_assert_eq(err.trap, WASMRT_TRAP_MEMORY_OOB, "%s", err.message);
  wasmrt_funcref *f = tab->elems[7];
  cr_assert_not_null(f);
  wasmrt_val v[1];
  cr_assert(wasmrt_call(g_inst, f, v, 1, &err), "%s", err.message);
  cr_assert_eq(v[0].i32, 99);
  wasmrt_module_free(m2);
}

/* ---- faults that are not Wasm traps stay crashes ------------------------- */

/* An address no one maps; volatile so the compiler cannot see it. */
static volatile int *volatile bad_ptr = (volatile int *)(uintptr_t)8;

/* Run body in a child; return its wait status. */
static int in_child(void (*body)(void)) {
  fflush(NULL);
  pid_t pid = fork();
  cr_assert_neq(pid, -1);
  if (pid == 0) {
    body();
    _exit(0); /* survived: the fault was swallowed */
  }
  int status;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  return status;
}

static void expect_crash(int status, const char *what) {
  if (UNDER_ASAN) {
    /* ASan's handler reports the SEGV and exits with its exitcode (1). */
    cr_assert((WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) ||
                  (WIFEXITED(status) && WEXITSTATUS(status) != 0),
              "%s: the fault was swallowed", what);
  } else {
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
              "%s: child %s %d instead of dying by SIGSEGV", what,
              WIFSIGNALED(status) ? "got signal" : "exited with",
              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  }
}

static void null_write_outside_wasm(void) {
  setup(host_add1);
  *bad_ptr = 1;
}
static void reservation_write_outside_wasm(void) {
  setup(host_add1);
  /* In a guard region, but not inside wasmrt_call. */
  *(volatile int *)(((wasmrt_vmctx *)g_inst)->mem0_base + (1ull << 32)) = 1;
}
static void wild_write_inside_wasm(void) {
  setup(host_add1);
  void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fake_wild_ptr = p;
  wasmrt_error err;
  call1("wild", 1, NULL, &err);
}
static void host_crash_inside_wasm(void) {
  fake_wild_ptr = (volatile int *)(uintptr_t)16;
  setup(host_add1);
  wasmrt_error err;
  call1("wild", 1, NULL, &err);
}
static void trap_then_real_crash(void) {
  setup(host_add1);
  wasmrt_error err;
  call1("load", -1, NULL, &err); /* a claimed fault first */
  if (err.trap != WASMRT_TRAP_MEMORY_OOB) _exit(3);
  *bad_ptr = 1;
}

Test(signals, null_write_outside_wasm_crashes) {
  expect_crash(in_child(null_write_outside_wasm), "NULL write");
}
Test(signals, reservation_write_outside_wasm_crashes) {
  expect_crash(in_child(reservation_write_outside_wasm), "guard write outside wasmrt_call");
}
Test(signals, wild_write_inside_wasm_crashes) {
  expect_crash(in_child(wild_write_inside_wasm), "PROT_NONE write inside wasmrt_call");
}
Test(signals, null_write_inside_wasm_crashes) {
  expect_crash(in_child(host_crash_inside_wasm), "NULL write inside wasmrt_call");
}
Test(signals, crash_after_trap_still_crashes) {
  expect_crash(in_child(trap_then_real_crash), "NULL write after a trap");
}

/* A handler installed before the runtime's gets the faults we don't claim. */
static void prev_handler(int sig) { _exit(42); }
static void chained(void) {
  signal(SIGSEGV, prev_handler);
  setup(host_add1);
  wasmrt_error err;
  call1("load", -1, NULL, &err);
  if (err.trap != WASMRT_TRAP_MEMORY_OOB) _exit(3);
  *bad_ptr = 1;
}
Test(signals, unclaimed_fault_goes_to_previous_handler) {
  int status = in_child(chained);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 42, "status 0x%x", status);
}

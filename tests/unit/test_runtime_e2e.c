/* test_runtime_e2e.c: libwasmrt with real compiled code. CMake builds
 * test_runtime_e2e.wat with wat2wasm and `wasmc compile --shared` three
 * ways (-O2, -O0, -O2 --bounds-checks); each test runs against each .so
 * (paths in the environment: WASMRT_E2E_O2, _O0, _BC). Covers calls with
 * multi-value results, host imports and re-entry, traps with messages,
 * guard-region and bounds-checked OOB (up to index 2^32-1 + offset
 * 2^32-1, dropped loads), memory.grow to the maximum, call_indirect traps,
 * start function, and call-stack exhaustion (1,000,000 deep and runaway)
 * with the process still usable afterwards. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmrt.h"

static wasmrt_instance *inst;

static bool add1(void *env, wasmrt_val *v, char *msg, size_t n) {
  v[0].i32 += 1;
  return true;
}

static wasmrt_funcref *fn(const char *name) {
  wasmrt_extern e;
  cr_assert(wasmrt_instance_export(inst, name, strlen(name), &e), "no export %s", name);
  cr_assert_eq(e.kind, WASMRT_EXTERN_FUNC);
  return e.of.func;
}

/* Calls "div"(1, 0) (traps), then "fac"(v) and returns its result + 1. */
static bool reenter(void *env, wasmrt_val *v, char *msg, size_t n) {
  wasmrt_error err;
  wasmrt_val r[2] = {{.i32 = 1}, {.i32 = 0}};
  if (wasmrt_call(inst, fn("div"), r, 2, &err) || err.trap != WASMRT_TRAP_INT_DIV_ZERO) {
    snprintf(msg, n, "inner div did not trap");
    return false;
  }
  if (v[0].i32 < 0) {
    snprintf(msg, n, "negative %d", v[0].i32);
    return false;
  }
  r[0].i64 = v[0].i32;
  if (!wasmrt_call(inst, fn("fac"), r, 1, &err)) {
    snprintf(msg, n, "inner fac trapped: %s", err.message);
    return false;
  }
  v[0].i32 = (int32_t)r[0].i64 + 1;
  return true;
}

static void setup_variant(const char *var) {
  const char *path = getenv(var);
  cr_assert(path && *path, "%s not set (run through ctest)", var);
  wasmrt_error err;
  wasmrt_module *m = wasmrt_module_load(path, &err);
  cr_assert(m, "%s", err.message);
  static const uint8_t i32[] = {WASMRT_I32};
  wasmrt_extern imps[2] = {
      wasmrt_host_func_extern(wasmrt_host_func_new(i32, 1, i32, 1, add1, NULL)),
      wasmrt_host_func_extern(wasmrt_host_func_new(i32, 1, i32, 1, reenter, NULL))};
  inst = wasmrt_instantiate(m, imps, 2, &err);
  cr_assert(inst, "%s", err.message);
}

static bool call(const char *name, wasmrt_val *v, uint32_t n, wasmrt_error *err) {
  memset(err, 0, sizeof *err);
  return wasmrt_call(inst, fn(name), v, n, err);
}

static void expect_trap(const char *name, wasmrt_val *v, uint32_t n, wasmrt_trap_code code,
                        const char *message) {
  wasmrt_error err;
  cr_assert_not(call(name, v, n, &err), "%s did not trap", name);
  cr_assert_eq(err.trap, code, "%s: %s", name, err.message);
  cr_assert_str_eq(err.message, message);
}

static int32_t call_i32(const char *name, int32_t a) {
  wasmrt_val v[1] = {{.i32 = a}};
  wasmrt_error err;
  cr_assert(call(name, v, 1, &err), "%s(%d): %s", name, a, err.message);
  return v[0].i32;
}

/* Parameters are indices: Criterion runs each test in a fresh process of
 * the same (PIE) binary, where the parent's pointers mean nothing. */
static const char *const variants[] = {"WASMRT_E2E_O2", "WASMRT_E2E_O0", "WASMRT_E2E_BC"};
static int variant_ids[] = {0, 1, 2};
#define EACH_VARIANT(suite, name)                                                   \
  ParameterizedTestParameters(suite, name) {                                        \
    return cr_make_param_array(int, variant_ids, 3);                                \
  }                                                                                 \
  ParameterizedTest(int *var, suite, name, .timeout = 60)

EACH_VARIANT(e2e, calls_and_values) {
  setup_variant(variants[*var]);
  wasmrt_extern g;
  cr_assert(wasmrt_instance_export(inst, "started", 7, &g));
  cr_assert_eq(g.of.global->value.i32, 1, "start function did not run");
  wasmrt_val v[3] = {{.i64 = 20}};
  wasmrt_error err;
  cr_assert(call("fac", v, 1, &err), "%s", err.message);
  cr_assert_eq(v[0].i64, 2432902008176640000ll);
  cr_assert_eq(call_i32("load", 16), 'h' | 'e' << 8 | 'l' << 16 | 'l' << 24);
  cr_assert_eq(call_i32("callhost", 41), 42);
  v[0].i32 = 3;
  cr_assert(call("multi", v, 3, &err), "%s", err.message);
  cr_assert_eq(v[0].i32, 3);
  cr_assert_eq(v[1].i64, -5);
  cr_assert_eq(v[2].f64, 2.5);
  cr_assert_not(call("multi", v, 2, &err), "2 values accepted for 3 results");
  /* Wasm -> host -> Wasm (a trap inside, then a call) -> back. */
  cr_assert_eq(call_i32("nested", 5), 121);
}

EACH_VARIANT(e2e, explicit_traps) {
  setup_variant(variants[*var]);
  for (int i = 0; i < 3; i++) {
    wasmrt_val v[2] = {{.i32 = 7}, {.i32 = 0}};
    expect_trap("div", v, 2, WASMRT_TRAP_INT_DIV_ZERO,
                "integer divide by zero in function $div (func[4])");
    v[0].i32 = INT32_MIN, v[1].i32 = -1;
    expect_trap("div", v, 2, WASMRT_TRAP_INT_OVERFLOW,
                "integer overflow in function $div (func[4])");
    expect_trap("unreachable", v, 1, WASMRT_TRAP_UNREACHABLE,
                "unreachable in function $unreachable (func[16])");
  }
  wasmrt_val v[1] = {{.i32 = 0}};
  expect_trap("ci", v, 1, WASMRT_TRAP_UNINITIALIZED,
              "uninitialized element in function $ci (func[15])");
  v[0].i32 = 1;
  expect_trap("ci", v, 1, WASMRT_TRAP_INDIRECT_TYPE,
              "indirect call type mismatch in function $ci (func[15])");
  v[0].i32 = 4;
  expect_trap("ci", v, 1, WASMRT_TRAP_UNDEFINED_ELEMENT,
              "undefined element in function $ci (func[15])");
  v[0].i32 = 2; /* $div(7, 0) through the table */
  expect_trap("ci", v, 1, WASMRT_TRAP_INT_DIV_ZERO,
              "integer divide by zero in function $div (func[4])");
}

EACH_VARIANT(e2e, memory_bounds) {
  setup_variant(variants[*var]);
  const char *oob_load = "out of bounds memory access in function $load (func[5])";
  const char *oob_max = "out of bounds memory access in function $load_max (func[6])";
  for (int i = 0; i < 3; i++) {
    wasmrt_val v[2] = {{.i32 = 65536 - 3}};
    expect_trap("load", v, 1, WASMRT_TRAP_MEMORY_OOB, oob_load);
    v[0].i32 = -1;
    expect_trap("load", v, 1, WASMRT_TRAP_MEMORY_OOB, oob_load);
    v[0].i32 = -1; /* index 2^32-1 + offset 2^32-1 */
    expect_trap("load_max", v, 1, WASMRT_TRAP_MEMORY_OOB, oob_max);
    v[0].i32 = 0;
    expect_trap("load_max", v, 1, WASMRT_TRAP_MEMORY_OOB, oob_max);
    v[0].i32 = 65536;
    expect_trap("dropped", v, 1, WASMRT_TRAP_MEMORY_OOB,
                "out of bounds memory access in function $dropped (func[7])");
    v[0].i32 = 65533, v[1].i32 = 1;
    expect_trap("store", v, 2, WASMRT_TRAP_MEMORY_OOB,
                "out of bounds memory access in function $store (func[8])");
  }
  cr_assert_eq(call_i32("load", 65532), 0);
  /* Grow to the maximum (3), then -1; the new pages are in bounds. */
  cr_assert_eq(call_i32("grow", 1), 1);
  cr_assert_eq(call_i32("grow", 1), 2);
  cr_assert_eq(call_i32("grow", 1), -1);
  cr_assert_eq(call_i32("grow", 0), 3);
  cr_assert_eq(call_i32("load", 3 * 65536 - 4), 0);
  wasmrt_val v[1] = {{.i32 = 3 * 65536 - 3}};
  expect_trap("load", v, 1, WASMRT_TRAP_MEMORY_OOB, oob_load);
}

EACH_VARIANT(e2e, stack_exhaustion) {
  setup_variant(variants[*var]);
  for (int i = 0; i < 2; i++) {
    wasmrt_val v[1] = {{.i32 = 1000000}};
    expect_trap("deep", v, 1, WASMRT_TRAP_STACK_EXHAUSTED,
                "call stack exhausted in function $deep (func[10])");
    expect_trap("runaway", v, 1, WASMRT_TRAP_STACK_EXHAUSTED,
                "call stack exhausted in function $runaway (func[9])");
    /* The process and the instance go on normally. */
    cr_assert_eq(call_i32("deep", 1000), 1000);
    cr_assert_eq(call_i32("callhost", 1), 2);
  }
}

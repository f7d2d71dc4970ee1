/* test_exceptions_e2e.c: Wasm exceptions through the embedding API, with
 * real compiled code. CMake builds test_exceptions_e2e.wat with wat2wasm
 * --enable-exceptions and `wasmc compile --shared` three ways (-O2, -O0,
 * -O2 --bounds-checks); each test runs against each .so (paths in
 * WASMRT_EH_E2E_O2, _O0, _BC). Covers throws across many frames, a trap
 * that catch_all must not see, an exception crossing a host frame (Wasm
 * -> host -> Wasm that throws, caught by the outer Wasm), a host callback
 * throwing with wasmrt_exception_raise, an uncaught exception at the host
 * boundary (message, tag, payload), rethrow, delegate, and a million
 * throw/catch round trips (exceptions are freed: ASan builds would run
 * out of memory otherwise). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmrt.h"

static wasmrt_instance *inst;
static wasmrt_tag *tag_e;

static wasmrt_funcref *fn(const char *name) {
  wasmrt_extern e;
  cr_assert(wasmrt_instance_export(inst, name, strlen(name), &e), "no export %s", name);
  cr_assert_eq(e.kind, WASMRT_EXTERN_FUNC);
  return e.of.func;
}

/* host.callback(v): calls "thrower"(v) back in Wasm; its uncaught
 * exception makes this callback fail, which carries it on. */
static bool callback(void *env, wasmrt_val *v, char *msg, size_t n) {
  (void)env;
  wasmrt_error err;
  wasmrt_val r[1] = {{.i32 = v[0].i32}};
  if (!wasmrt_call(inst, fn("thrower"), r, 1, &err)) {
    snprintf(msg, n, "thrower: %s", err.message);
    return false;
  }
  v[0].i32 = r[0].i32;
  return true;
}

/* host.raise(v): throws $e v. */
static bool raise_e(void *env, wasmrt_val *v, char *msg, size_t n) {
  (void)env;
  wasmrt_val p[1] = {{.i32 = v[0].i32}};
  if (!wasmrt_exception_raise(tag_e, p))
    snprintf(msg, n, "out of memory");
  return false;
}

static wasmrt_module *mod;
static wasmrt_host_func *hf_cb, *hf_raise;

static void load(const char *envname) {
  const char *path = getenv(envname);
  cr_assert(path, "%s not set (run through ctest)", envname);
  wasmrt_error err;
  mod = wasmrt_module_load(path, &err);
  cr_assert(mod, "load: %s", err.message);
  static const uint8_t i32[] = {WASMRT_I32};
  hf_cb = wasmrt_host_func_new(i32, 1, i32, 1, callback, NULL);
  hf_raise = wasmrt_host_func_new(i32, 1, NULL, 0, raise_e, NULL);
  wasmrt_extern imports[2] = {wasmrt_host_func_extern(hf_cb),
                              wasmrt_host_func_extern(hf_raise)};
  inst = wasmrt_instantiate(mod, imports, 2, &err);
  cr_assert(inst, "instantiate: %s", err.message);
  wasmrt_extern t;
  cr_assert(wasmrt_instance_export(inst, "e", 1, &t));
  cr_assert_eq(t.kind, WASMRT_EXTERN_TAG);
  tag_e = t.of.tag;
}

static void unload(void) {
  wasmrt_instance_free(inst);
  wasmrt_module_free(mod);
  wasmrt_host_func_free(hf_cb);
  wasmrt_host_func_free(hf_raise);
}

static int32_t call_i32(const char *name, int32_t arg, wasmrt_error *err, bool *ok) {
  wasmrt_val v[1] = {{.i32 = arg}};
  *ok = wasmrt_call(inst, fn(name), v, 1, err);
  return v[0].i32;
}

/* Criterion may run each test in a new process image: parameters are
 * indices, never pointers. */
static const char *const variants[] = {"WASMRT_EH_E2E_O2", "WASMRT_EH_E2E_O0",
                                       "WASMRT_EH_E2E_BC"};

ParameterizedTestParameters(eh_e2e, all) {
  static int ids[] = {0, 1, 2};
  return cr_make_param_array(int, ids, 3);
}

ParameterizedTest(int *var, eh_e2e, all, .timeout = 120) {
  load(variants[*var]);
  wasmrt_error err;
  bool ok;

  /* thrown 50 frames down: the payload 7, + 1000 in the handler */
  cr_expect_eq(call_i32("catch_deep", 50, &err, &ok), 1007);
  cr_expect(ok, "%s", err.message);

  /* traps are never caught */
  wasmrt_val none[1];
  cr_expect(!wasmrt_call(inst, fn("catch_all_trap"), none, 1, &err));
  cr_expect_eq(err.trap, WASMRT_TRAP_UNREACHABLE, "%s", err.message);

  /* an uncaught exception at the host boundary, with its tag and payload */
  call_i32("thrower", 0, &err, &ok);
  cr_expect(!ok);
  cr_expect_eq(err.trap, WASMRT_TRAP_UNCAUGHT_EXCEPTION);
  cr_expect(strstr(err.message, "uncaught exception"), "%s", err.message);
  const wasmrt_exn *x = wasmrt_exception_pending();
  cr_assert(x);
  cr_expect_eq(x->tag, tag_e);
  cr_expect_eq(x->nvals, 1);
  cr_expect_eq(x->vals[0].i32, 42);
  cr_expect(!wasmrt_call(inst, fn("uncaught"), none, 1, &err));
  cr_expect_eq(err.trap, WASMRT_TRAP_UNCAUGHT_EXCEPTION);
  cr_expect_neq(wasmrt_exception_pending()->tag, tag_e);

  /* through a host frame: returns normally, or the inner Wasm's exception
   * reaches the outer Wasm's catch */
  cr_expect_eq(call_i32("through_host", 5, &err, &ok), 5);
  cr_expect(ok, "%s", err.message);
  cr_expect_eq(call_i32("through_host", 0, &err, &ok), 2042);
  cr_expect(ok, "%s", err.message);
  cr_expect_null(wasmrt_exception_pending());

  /* thrown by the host */
  cr_expect_eq(call_i32("host_raises", 99, &err, &ok), 99);
  cr_expect(ok, "%s", err.message);

  /* rethrow, delegate */
  cr_expect(wasmrt_call(inst, fn("rethrow"), none, 1, &err), "%s", err.message);
  cr_expect_eq(none[0].i32, 7);
  cr_expect(wasmrt_call(inst, fn("delegate"), none, 1, &err), "%s", err.message);
  cr_expect_eq(none[0].i32, 10);

  /* many round trips: each caught exception is freed */
  cr_expect_eq(call_i32("many", 1000000, &err, &ok), 7000000);
  cr_expect(ok, "%s", err.message);

  /* the instance is still fine */
  cr_expect_eq(call_i32("catch_deep", 0, &err, &ok), 1007);
  unload();
}

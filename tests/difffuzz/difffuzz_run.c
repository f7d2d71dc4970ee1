/* difffuzz_run.c: runs a module compiled by wasmc the way binaryen's
 * `wasm-opt --fuzz-exec` runs it, and prints what happens as a canonical
 * trace (scripts/difffuzz compares it with binaryen's).
 *
 *   difffuzz-run MODULE.so
 *
 * Binaryen's fuzz harness (src/tools/execution-results.h, version 108)
 * instantiates once, then calls every exported function in export order,
 * each with zero arguments, after calling the export
 * "hangLimitInitializer" (which resets the generated code's loop and
 * recursion budget). State carries over from call to call, also after a
 * trap. The module's imports are binaryen's `fuzzing-support` logging
 * functions, bound here to host functions that print their arguments;
 * like binaryen, an i64 is logged as two i32 halves (low, high).
 *
 * The trace goes to stdout, in the format of difffuzz_trace.h. A trap
 * while instantiating prints its trap line and ends the trace, as in
 * binaryen. Exit status: 0 when the trace is complete, 1 when the
 * module could not be loaded or uses an import the harness does not
 * give, 2 on a usage error. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difffuzz_trace.h"
#include "wasmrt.h"

/* One value of type `t` as a typed trace token (difffuzz_trace.h). */
static void put_nan(FILE *f, const char *type, int negative, uint64_t payload) {
  fprintf(f, " %s:%snan:0x%" PRIx64, type, negative ? "-" : "", payload);
}

static void put_value(FILE *f, uint8_t t, const wasmrt_val *v) {
  uint32_t b32;
  uint64_t b64;
  switch (t) {
  case WASMRT_I32: fprintf(f, " i32:%" PRId32, v->i32); return;
  case WASMRT_I64: fprintf(f, " i64:%" PRId64, v->i64); return;
  case WASMRT_F32:
    memcpy(&b32, &v->f32, 4);
    if (isnan(v->f32))
      put_nan(f, "f32", (int)(b32 >> 31), b32 & 0x7fffffu);
    else
      fprintf(f, " f32:%a", (double)v->f32);
    return;
  case WASMRT_F64:
    memcpy(&b64, &v->f64, 8);
    if (isnan(v->f64))
      put_nan(f, "f64", (int)(b64 >> 63), b64 & ((UINT64_C(1) << 52) - 1));
    else
      fprintf(f, " f64:%a", v->f64);
    return;
  case WASMRT_V128:
    fputs(" v128", f);
    for (int i = 0; i < 4; i++) {
      memcpy(&b32, v->v128 + 4 * i, 4); /* little-endian lanes */
      fprintf(f, ":0x%08" PRIx32, b32);
    }
    return;
  case WASMRT_FUNCREF: fputs(" funcref", f); return;
  case WASMRT_EXTERNREF: fputs(" externref", f); return;
  case WASMRT_EXNREF: fputs(" exnref", f); return;
  default: fprintf(f, " ?type-0x%02x", t); return;
  }
}

/* The logging imports: every argument, an i64 as its two i32 halves. */
static bool log_values(void *env, wasmrt_val *vals, char *msg, size_t msg_size) {
  (void)msg, (void)msg_size;
  const wasmrt_functype_desc *ft = env;
  fputs("log", stdout);
  for (uint32_t i = 0; i < ft->nparams; i++) {
    if (ft->params[i] == WASMRT_I64) {
      wasmrt_val half = {.i32 = (int32_t)(uint32_t)vals[i].i64};
      put_value(stdout, WASMRT_I32, &half);
      half.i32 = (int32_t)(uint32_t)((uint64_t)vals[i].i64 >> 32);
      put_value(stdout, WASMRT_I32, &half);
    } else {
      put_value(stdout, ft->params[i], &vals[i]);
    }
  }
  putchar('\n');
  return true;
}

static const char *trap_kind(wasmrt_trap_code code) {
  switch (code) {
#define KIND(id, word) case WASMRT_TRAP_##id: return word;
    TRACE_TRAP_KINDS(KIND)
#undef KIND
  default: return NULL;
  }
}

/* A failed call or instantiation: a trap line, "exception", or (for what
 * binaryen has no counterpart of, e.g. a host error) the message itself,
 * which never matches the reference and so shows up as a mismatch. */
static void put_failure(const wasmrt_error *err) {
  if (err->trap == WASMRT_TRAP_UNCAUGHT_EXCEPTION) {
    puts("exception");
    return;
  }
  const char *kind = trap_kind(err->trap);
  if (kind)
    printf("trap %s\n", kind);
  else
    printf("error %s\n", err->message);
}

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: difffuzz-run MODULE.so (compiled by wasmc compile --shared)\n");
    return 2;
  }
  /* Line by line, so a crash still leaves the trace up to it. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  wasmrt_error err;
  wasmrt_module *mod = wasmrt_module_load(argv[1], &err);
  if (!mod) {
    fprintf(stderr, "difffuzz-run: %s: %s\n", argv[1], err.message);
    return 1;
  }
  const wasmrt_module_desc *d = wasmrt_module_descriptor(mod);

  wasmrt_extern *imports = calloc(d->nimports + 1, sizeof *imports);
  wasmrt_host_func **hosts = calloc(d->nimports + 1, sizeof *hosts);
  if (!imports || !hosts) {
    fprintf(stderr, "difffuzz-run: out of memory\n");
    return 1;
  }
  for (uint32_t i = 0; i < d->nimports; i++) {
    const wasmrt_import_desc *im = &d->imports[i];
    if (im->kind != WASMRT_EXTERN_FUNC || strcmp(im->module, "fuzzing-support") != 0 ||
        strncmp(im->name, "log-", 4) != 0) {
      fprintf(stderr, "difffuzz-run: %s: import %s.%s is not one of binaryen's "
              "fuzzing-support logging functions\n", argv[1], im->module, im->name);
      return 1;
    }
    const wasmrt_functype_desc *ft = &d->types[im->type_index];
    hosts[i] = wasmrt_host_func_new(ft->params, ft->nparams, ft->results, ft->nresults,
                                    log_values, (void *)ft);
    if (!hosts[i]) {
      fprintf(stderr, "difffuzz-run: out of memory\n");
      return 1;
    }
    imports[i] = wasmrt_host_func_extern(hosts[i]);
  }

  wasmrt_instance *inst = wasmrt_instantiate(mod, imports, d->nimports, &err);
  int status = 0;
  if (!inst) {
    if (err.trap == WASMRT_TRAP_NONE) {
      fprintf(stderr, "difffuzz-run: %s: %s\n", argv[1], err.message);
      status = 1;
    } else {
      put_failure(&err);
    }
    goto out;
  }

  wasmrt_extern hang_init = {0};
  bool has_hang_init = wasmrt_instance_export(inst, "hangLimitInitializer",
                                              strlen("hangLimitInitializer"), &hang_init) &&
                       hang_init.kind == WASMRT_EXTERN_FUNC;
  for (uint32_t e = 0; e < d->nexports; e++) {
    const wasmrt_export_desc *ex = &d->exports[e];
    if (ex->kind != WASMRT_EXTERN_FUNC)
      continue;
    printf("call %.*s\n", (int)ex->name_len, ex->name);
    wasmrt_extern fn;
    if (!wasmrt_instance_export(inst, ex->name, ex->name_len, &fn)) {
      fprintf(stderr, "difffuzz-run: export %.*s not found\n", (int)ex->name_len, ex->name);
      status = 1;
      break;
    }
    const wasmrt_functype_desc *ft = wasmrt_funcref_type(fn.of.func);
    uint32_t n = ft->nparams > ft->nresults ? ft->nparams : ft->nresults;
    wasmrt_val *vals = calloc(n + 1, sizeof *vals); /* zero arguments */
    if (!vals) {
      fprintf(stderr, "difffuzz-run: out of memory\n");
      status = 1;
      break;
    }
    wasmrt_val none[1];
    bool ok = !has_hang_init || wasmrt_call(inst, hang_init.of.func, none, 0, &err);
    if (ok)
      ok = wasmrt_call(inst, fn.of.func, vals, n, &err);
    if (!ok) {
      put_failure(&err);
    } else if (ft->nresults > 0) {
      printf("result %.*s", (int)ex->name_len, ex->name);
      for (uint32_t r = 0; r < ft->nresults; r++)
        put_value(stdout, ft->results[r], &vals[r]);
      putchar('\n');
    }
    free(vals);
  }
  wasmrt_instance_free(inst);
out:
  for (uint32_t i = 0; i < d->nimports; i++)
    wasmrt_host_func_free(hosts[i]);
  free(hosts);
  free(imports);
  wasmrt_module_free(mod);
  return status;
}

/* spec_precompiled.c: the module back end of wasmc-spec-run, the harness
 * built without the compiler (see spec.h), for a cross target under qemu.
 *
 * It compiles nothing: wasmc-spec --compile-only, on the build machine,
 * compiled every module of the same JSON files for this target and wrote
 * a plan (spec_cache.c) naming the folder and the options of the cache
 * key. Here a module's shared object is looked up by the same key; a
 * module that the compiler refused is reported with the compiler's
 * message, and one that is simply missing (the plan is from other JSON
 * files, or stale) with a message that says how to get it.
 */
#include <stdio.h>
#include <unistd.h>

#include "spec.h"

bool spec_backend_setup(const spec_setup *s, char *err, size_t errsz) {
  if (s->compile_only) {
    snprintf(err, errsz, "--compile-only needs wasmc-spec, the harness with "
                         "the compiler");
    return false;
  }
  if (!s->precompiled) {
    snprintf(err, errsz, "wasmc-spec-run has no compiler: it needs "
                         "--precompiled PLAN from wasmc-spec --compile-only "
                         "(scripts/spectest --target T does both)");
    return false;
  }
  if (s->target || s->options_given) {
    snprintf(err, errsz, "wasmc-spec-run takes the target and compile "
                         "options from the plan, not from its command line");
    return false;
  }
  if (s->cache_root) {
    snprintf(err, errsz, "wasmc-spec-run takes the module folder from the "
                         "plan, not from --cache");
    return false;
  }
  return spec_plan_read(s->precompiled, err, errsz);
}

const char *spec_backend_describe(void) {
  return "modules precompiled by wasmc-spec";
}

bool spec_module_so(const struct wasm_module *m, const uint8_t *bytes,
                    size_t size, char *so_path, size_t so_size, bool *cached,
                    char *err, size_t errsz) {
  (void)m;
  spec_cache_so_path(bytes, size, so_path, so_size);
  *cached = true;
  if (access(so_path, R_OK) == 0)
    return true;
  if (spec_cache_get_error(so_path, err, errsz))
    return false;
  /* The constant part first: the table groups failures by it. */
  snprintf(err, errsz,
           "not precompiled (compile the same JSON files first with "
           "wasmc-spec --compile-only; scripts/spectest --target does): no %s",
           so_path);
  return false;
}

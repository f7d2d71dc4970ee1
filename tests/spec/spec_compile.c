/* spec_compile.c: the module back end of wasmc-spec, the harness built
 * with the compiler (see spec.h): spec-test modules become shared objects
 * in process, through the wasmc library.
 *
 * The harness calls the compiler's library directly (lower -> emit ->
 * link, via emit_wasm_module and link_shared) instead of spawning `wasmc`
 * per module: ~1600 modules make process start-up and re-reading count.
 * Results are cached (spec_cache.c). For the host's architecture the
 * modules are then loaded and run here; for another one (--compile-only)
 * they are only compiled, linked by the target's cross gcc, and the plan
 * tells wasmc-spec-run (spec_precompiled.c) under qemu where they are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codegen.h"
#include "emit.h"
#include "link.h"
#include "lower.h"
#include "spec.h"
#include "wasm.h"

static emit_target *target; /* one per child, made on first use */

static void free_target(void) {
  emit_target_free(target);
  target = NULL;
}

static emit_options target_options(void) {
  return (emit_options){.triple = cfg.triple, .cpu = cfg.cpu,
                        .features = cfg.features, .opt_level = cfg.opt_level,
                        .verify = true /* a test tool: catch bad IR early */};
}

bool spec_backend_setup(const spec_setup *s, char *err, size_t errsz) {
  if (s->precompiled) {
    snprintf(err, errsz, "--precompiled is for wasmc-spec-run (this harness "
                         "compiles the modules itself)");
    return false;
  }
  if (!emit_resolve_triple(s->target, cfg.triple, sizeof cfg.triple, err,
                           errsz))
    return false;
  cfg.compile_only = s->compile_only != NULL;
  /* Code for another architecture cannot run here: it is compiled here
   * and run by a harness built for it, under qemu (scripts/spectest). */
  const char *host = emit_host_triple();
  size_t alen = strcspn(cfg.triple, "-");
  bool foreign = !host || strncmp(host, cfg.triple, alen) != 0 || host[alen] != '-';
  if (foreign && !cfg.compile_only) {
    snprintf(err, errsz,
             "cannot execute %s code on this %s host: use scripts/spectest "
             "--target %.*s, which compiles here (--compile-only) and runs "
             "the commands under qemu",
             cfg.triple, host ? host : "unsupported", (int)alen, cfg.triple);
    return false;
  }
  /* A bad --cpu/--features is found now, not once per module. */
  emit_options eo = target_options();
  eo.verify = false;
  emit_target *probe = emit_target_new(&eo, err, errsz);
  if (!probe)
    return false;
  emit_target_free(probe);

  static char dir[PATH_MAX];
  if (s->cache_root) {
    if (!spec_cache_prepare(s->cache_root, dir, sizeof dir, err, errsz))
      return false;
  } else if (cfg.compile_only) {
    snprintf(err, errsz, "--compile-only needs --cache DIR (the modules must "
                         "outlive this run)");
    return false;
  } else if (!spec_cache_temp(dir, sizeof dir, err, errsz)) {
    return false;
  }
  cfg.cache_dir = dir;
  snprintf(cfg.key_options, sizeof cfg.key_options, "%s|%s|%s|O%d|%s",
           cfg.triple, cfg.cpu ? cfg.cpu : "", cfg.features ? cfg.features : "",
           cfg.opt_level, cfg.bounds_checks ? "bounds" : "guard");
  /* Chunks change the code (no inlining across them); the default keeps
   * the key it always had. */
  if (cfg.chunk_size) {
    size_t n = strlen(cfg.key_options);
    snprintf(cfg.key_options + n, sizeof cfg.key_options - n, "|chunk%u",
             (unsigned)cfg.chunk_size);
  }
  return !cfg.compile_only || spec_plan_write(s->compile_only, err, errsz);
}

const char *spec_backend_describe(void) {
  return cfg.compile_only ? "compiling the modules only, for wasmc-spec-run"
                          : "compiled and run here";
}

bool spec_module_so(const struct wasm_module *m, const uint8_t *bytes,
                    size_t size, char *so_path, size_t so_size, bool *cached,
                    char *err, size_t errsz) {
  spec_cache_so_path(bytes, size, so_path, so_size);
  *cached = access(so_path, R_OK) == 0;
  if (*cached)
    return true;

  if (!target) {
    emit_options eo = target_options();
    target = emit_target_new(&eo, err, errsz);
    if (!target)
      return false;
    atexit(free_target);
  }
  char obj[PATH_MAX + 64], tmp_so[PATH_MAX + 64];
  snprintf(obj, sizeof obj, "%s.%d.o", so_path, (int)getpid());
  snprintf(tmp_so, sizeof tmp_so, "%s.%d.tmp", so_path, (int)getpid());
  lower_options lo = {.bounds_checks = cfg.bounds_checks,
                      .chunk_size = cfg.chunk_size};
  wasm_error werr = {0};
  bool ok = emit_wasm_module(target, m, &lo, obj, NULL, &werr);
  if (!ok) {
    if (werr.offset)
      snprintf(err, errsz, "0x%zx: %s", werr.offset, werr.msg);
    else
      snprintf(err, errsz, "%s", werr.msg);
  } else {
    ok = link_shared(emit_target_linker(target), obj, tmp_so, err, errsz);
    if (ok && rename(tmp_so, so_path) != 0) {
      snprintf(err, errsz, "cannot rename %s: %s", tmp_so, strerror(errno));
      ok = false;
    }
  }
  unlink(obj);
  if (!ok)
    unlink(tmp_so);
  /* The runner reports the compiler's own message for a module it lacks. */
  if (cfg.compile_only) {
    if (ok)
      spec_cache_forget_error(so_path);
    else
      spec_cache_put_error(so_path, err);
  }
  return ok;
}

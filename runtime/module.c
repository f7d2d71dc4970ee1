/* module.c: compiled modules. Loads a shared object produced by `wasmc
 * compile --shared` (or takes a descriptor linked into the program),
 * checks its descriptor (ABI version, flags, target architecture, index
 * space counts) and that this CPU has the features its code needs
 * (cpu_check.c), and registers its function types and entry trampolines
 * with the canonical type registry. Also maps a code address back to the
 * Wasm function containing it, for messages about hardware faults. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "internal.h"

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static wasmrt_module *modules;

static int cmp_code(const void *a, const void *b) {
  uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
  return x < y ? -1 : x > y;
}

static bool check_desc(const wasmrt_module_desc *d, wasmrt_error *err) {
  if (d->abi_version != WASMRT_ABI_VERSION) {
    rt_error(err, "module built for runtime ABI version %u, this runtime has version %u",
             d->abi_version, WASMRT_ABI_VERSION);
    return false;
  }
  if (d->flags & ~WASMRT_MODULE_BOUNDS_CHECKED) {
    rt_error(err, "module has unknown flags 0x%x", d->flags);
    return false;
  }
  size_t al = strlen(RT_ARCH_NAME);
  if (d->target && (strncmp(d->target, RT_ARCH_NAME, al) != 0 ||
                    (d->target[al] != '-' && d->target[al] != 0))) {
    rt_error(err, "module compiled for %s, this host is %s", d->target, RT_ARCH_NAME);
    return false;
  }
  if (d->nimported_funcs > d->nfuncs || d->nimported_tables > d->ntables ||
      d->nimported_memories > d->nmemories || d->nimported_globals > d->nglobals ||
      d->nimported_tags > d->ntags) {
    rt_error(err, "corrupt module descriptor: imports exceed index spaces");
    return false;
  }
  uint32_t counts[5] = {0};
  for (uint32_t i = 0; i < d->nimports; i++) {
    if (d->imports[i].kind > WASMRT_EXTERN_TAG) {
      rt_error(err, "corrupt module descriptor: import %u has kind %u", i, d->imports[i].kind);
      return false;
    }
    counts[d->imports[i].kind]++;
  }
  if (counts[0] != d->nimported_funcs || counts[1] != d->nimported_tables ||
      counts[2] != d->nimported_memories || counts[3] != d->nimported_globals ||
      counts[4] != d->nimported_tags) {
    rt_error(err, "corrupt module descriptor: import counts disagree with index spaces");
    return false;
  }
  for (uint32_t i = 0; i < d->nfuncs; i++)
    if (d->func_types[i] >= d->ntypes) {
      rt_error(err, "corrupt module descriptor: function %u has type %u", i, d->func_types[i]);
      return false;
    }
  for (uint32_t i = 0; i < d->ntags; i++)
    if (d->tag_types[i] >= d->ntypes || d->types[d->tag_types[i]].nresults) {
      rt_error(err, "corrupt module descriptor: tag %u has type %u", i, d->tag_types[i]);
      return false;
    }
  if (d->start >= (int64_t)d->nfuncs) {
    rt_error(err, "corrupt module descriptor: start function %lld", (long long)d->start);
    return false;
  }
  return true;
}

static wasmrt_module *make_module(void *dl, const wasmrt_module_desc *d, wasmrt_error *err) {
  /* The CPU check comes before anything can call into the module's code
   * (its trampolines are registered below). */
  if (!check_desc(d, err) || !rt_cpu_check(d, err)) return NULL;
  wasmrt_module *m = calloc(1, sizeof *m);
  if (!m) goto oom;
  m->dl = dl;
  m->desc = d;
  m->type_ids = calloc(d->ntypes ? d->ntypes : 1, sizeof(uint32_t));
  uint32_t ndef = d->nfuncs - d->nimported_funcs;
  m->code_sorted = calloc(ndef ? ndef : 1, sizeof *m->code_sorted);
  if (!m->type_ids || !m->code_sorted) goto oom;
  if (!rt_types_intern_module(d, m, m->type_ids)) goto oom;
  for (uint32_t i = 0; i < ndef; i++) {
    m->code_sorted[i].addr = (uintptr_t)wasmrt_func_code(d, i);
    m->code_sorted[i].index = d->nimported_funcs + i;
  }
  m->ncode = ndef;
  qsort(m->code_sorted, ndef, sizeof *m->code_sorted, cmp_code);
  Dl_info info;
  if (ndef && dladdr(wasmrt_func_code(d, 0), &info)) m->object_base = info.dli_fbase;
  pthread_mutex_lock(&modules_lock);
  m->next = modules;
  modules = m;
  pthread_mutex_unlock(&modules_lock);
  return m;
oom:
  if (m) {
    rt_types_forget_owner(m);
    free(m->type_ids);
    free(m->code_sorted);
    free(m);
  }
  rt_error(err, "out of memory");
  return NULL;
}

WASMRT_API wasmrt_module *wasmrt_module_load(const char *path, wasmrt_error *err) {
  /* RTLD_LOCAL: the module's symbols must not satisfy another module's
   * references; its own undefined wasmrt_* resolve against libwasmrt. */
  void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    rt_error(err, "cannot load %s: %s", path, dlerror());
    return NULL;
  }
  const wasmrt_module_desc *d = dlsym(dl, WASMRT_MODULE_SYMBOL);
  if (!d) {
    rt_error(err, "%s is not a wasmc module (no %s symbol)", path, WASMRT_MODULE_SYMBOL);
    dlclose(dl);
    return NULL;
  }
  wasmrt_module *m = make_module(dl, d, err);
  if (!m) dlclose(dl);
  return m;
}

WASMRT_API wasmrt_module *wasmrt_module_from_desc(const wasmrt_module_desc *desc,
                                                  wasmrt_error *err) {
  if (!desc) {
    rt_error(err, "no module descriptor");
    return NULL;
  }
  return make_module(NULL, desc, err);
}

WASMRT_API const wasmrt_module_desc *wasmrt_module_descriptor(const wasmrt_module *m) {
  return m ? m->desc : NULL;
}

void rt_module_add_zombie(wasmrt_module *m, wasmrt_instance *inst) {
  pthread_mutex_lock(&modules_lock);
  inst->next_zombie = m->zombies;
  m->zombies = inst;
  pthread_mutex_unlock(&modules_lock);
}

WASMRT_API void wasmrt_module_free(wasmrt_module *m) {
  if (!m) return;
  pthread_mutex_lock(&modules_lock);
  for (wasmrt_module **pp = &modules; *pp; pp = &(*pp)->next)
    if (*pp == m) {
      *pp = m->next;
      break;
    }
  wasmrt_instance *z = m->zombies;
  m->zombies = NULL;
  pthread_mutex_unlock(&modules_lock);
  while (z) {
    wasmrt_instance *next = z->next_zombie;
    wasmrt_instance_free(z);
    z = next;
  }
  rt_types_forget_owner(m);
  if (m->dl) dlclose(m->dl);
  free(m->type_ids);
  free(m->code_sorted);
  free(m);
}

uint32_t rt_module_func_exact(uintptr_t start, const wasmrt_module **mod_out) {
  uint32_t found = UINT32_MAX;
  pthread_mutex_lock(&modules_lock);
  for (const wasmrt_module *m = modules; m && found == UINT32_MAX; m = m->next) {
    uint32_t lo = 0, hi = m->ncode;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (m->code_sorted[mid].addr < start)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < m->ncode && m->code_sorted[lo].addr == start) {
      found = m->code_sorted[lo].index;
      if (mod_out) *mod_out = m;
    }
  }
  pthread_mutex_unlock(&modules_lock);
  return found;
}

uint32_t rt_module_func_at(uintptr_t pc, const wasmrt_module **mod_out) {
  Dl_info info;
  const void *base = dladdr((void *)pc, &info) ? info.dli_fbase : NULL;
  uint32_t best = UINT32_MAX;
  uintptr_t best_dist = UINTPTR_MAX;
  const wasmrt_module *best_mod = NULL;
  pthread_mutex_lock(&modules_lock);
  for (const wasmrt_module *m = modules; m; m = m->next) {
    if (!m->ncode || (base && m->object_base && m->object_base != base)) continue;
    /* Greatest function start <= pc. */
    uint32_t lo = 0, hi = m->ncode;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (m->code_sorted[mid].addr <= pc)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo == 0) continue;
    uintptr_t dist = pc - m->code_sorted[lo - 1].addr;
    if (dist < best_dist) {
      best_dist = dist;
      best = m->code_sorted[lo - 1].index;
      best_mod = m;
    }
  }
  pthread_mutex_unlock(&modules_lock);
  if (mod_out) *mod_out = best_mod;
  return best;
}

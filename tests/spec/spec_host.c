/* spec_host.c: the `spectest` module every spec script may import from.
 *
 * Its exports are fixed by the spec's test harness convention: print
 * functions of a few signatures (they print nothing here: the output
 * would only drown the harness's own), four immutable globals holding 666
 * / 666.6, a funcref table of 10..20 elements, a memory of 1..2 pages and
 * (threads) a shared memory of 1..2 pages, `shared_memory`.
 * They are created on first use and shared by every module of the script,
 * as in the reference interpreter, so state written through them (table
 * slots, memory bytes) stays visible to later modules.
 */
#include <string.h>

#include "spec.h"

static bool print_cb(void *env, wasmrt_val *vals, char *msg, size_t size) {
  (void)env, (void)vals, (void)msg, (void)size;
  return true;
}

typedef struct {
  const char *name;
  uint8_t nparams;
  uint8_t params[2];
} print_sig;

static const print_sig prints[] = {
    {"print", 0, {0}},
    {"print_i32", 1, {WASMRT_I32}},
    {"print_i64", 1, {WASMRT_I64}},
    {"print_f32", 1, {WASMRT_F32}},
    {"print_f64", 1, {WASMRT_F64}},
    {"print_i32_f32", 2, {WASMRT_I32, WASMRT_F32}},
    {"print_f64_f64", 2, {WASMRT_F64, WASMRT_F64}},
};
enum { NPRINTS = sizeof prints / sizeof *prints };

static struct {
  bool ready;
  wasmrt_host_func *funcs[NPRINTS];
  wasmrt_global *g_i32, *g_i64, *g_f32, *g_f64;
  wasmrt_table *table;
  wasmrt_memory *memory, *shared_memory;
} host;

static bool host_init(void) {
  if (host.ready)
    return host.table && host.memory && host.shared_memory;
  host.ready = true;
  for (int i = 0; i < NPRINTS; i++)
    host.funcs[i] = wasmrt_host_func_new(prints[i].params, prints[i].nparams,
                                         NULL, 0, print_cb, NULL);
  wasmrt_val v;
  memset(&v, 0, sizeof v);
  v.i32 = 666;
  host.g_i32 = wasmrt_global_new(WASMRT_I32, false, v);
  memset(&v, 0, sizeof v);
  v.i64 = 666;
  host.g_i64 = wasmrt_global_new(WASMRT_I64, false, v);
  memset(&v, 0, sizeof v);
  v.f32 = 666.6f;
  host.g_f32 = wasmrt_global_new(WASMRT_F32, false, v);
  memset(&v, 0, sizeof v);
  v.f64 = 666.6;
  host.g_f64 = wasmrt_global_new(WASMRT_F64, false, v);
  wasmrt_error err;
  host.table = wasmrt_table_new(WASMRT_FUNCREF, 10, 20, true, &err);
  if (!host.table)
    say("spectest: cannot create the table: %s\n", err.message);
  host.memory = wasmrt_memory_new(1, 2, true, &err);
  if (!host.memory)
    say("spectest: cannot create the memory: %s\n", err.message);
  host.shared_memory = wasmrt_shared_memory_new(1, 2, &err);
  if (!host.shared_memory)
    say("spectest: cannot create the shared memory: %s\n", err.message);
  return host.table && host.memory && host.shared_memory;
}

bool spec_host_lookup(const char *name, size_t len, wasmrt_extern *out) {
  if (!host_init())
    return false;
  for (int i = 0; i < NPRINTS; i++) {
    if (strlen(prints[i].name) == len && memcmp(prints[i].name, name, len) == 0) {
      if (!host.funcs[i])
        return false;
      *out = wasmrt_host_func_extern(host.funcs[i]);
      return true;
    }
  }
  static const struct { const char *name; int which; } others[] = {
      {"global_i32", 0}, {"global_i64", 1}, {"global_f32", 2},
      {"global_f64", 3}, {"table", 4},      {"memory", 5},
      {"shared_memory", 6},
  };
  for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
    if (strlen(others[i].name) != len || memcmp(others[i].name, name, len) != 0)
      continue;
    memset(out, 0, sizeof *out);
    switch (others[i].which) {
    case 4:
      out->kind = WASMRT_EXTERN_TABLE;
      out->of.table = host.table;
      return true;
    case 5:
      out->kind = WASMRT_EXTERN_MEMORY;
      out->of.memory = host.memory;
      return true;
    case 6:
      out->kind = WASMRT_EXTERN_MEMORY;
      out->of.memory = host.shared_memory;
      return true;
    default: {
      wasmrt_global *g[4] = {host.g_i32, host.g_i64, host.g_f32, host.g_f64};
      out->kind = WASMRT_EXTERN_GLOBAL;
      out->of.global = g[others[i].which];
      return out->of.global != NULL;
    }
    }
  }
  return false;
}

void spec_host_free(void) {
  if (!host.ready)
    return;
  for (int i = 0; i < NPRINTS; i++)
    if (host.funcs[i])
      wasmrt_host_func_free(host.funcs[i]);
  if (host.g_i32)
    wasmrt_global_free(host.g_i32);
  if (host.g_i64)
    wasmrt_global_free(host.g_i64);
  if (host.g_f32)
    wasmrt_global_free(host.g_f32);
  if (host.g_f64)
    wasmrt_global_free(host.g_f64);
  if (host.table)
    wasmrt_table_free(host.table);
  if (host.memory)
    wasmrt_memory_free(host.memory);
  if (host.shared_memory)
    wasmrt_memory_free(host.shared_memory);
  memset(&host, 0, sizeof host);
}

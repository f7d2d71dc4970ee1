/* test_runtime.c: libwasmrt without traps: linear memory reservation,
 * growth and maximum; tables; the bulk memory/table helpers' bounds;
 * instantiation (link checks, globals, segments, exports, start) and the
 * canonical type registry. Uses the hand-written fake module of
 * test_runtime_fake.c in place of wasmc output. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "test_runtime_fake.h"
#include "wasmrt.h"

#define GUARD_RESERVATION ((8ull << 30) + WASMRT_PAGE_SIZE)

static bool host_add1(void *env, wasmrt_val *v, char *msg, size_t n) {
  v[0].i32 += 1;
  return true;
}

static wasmrt_host_func *the_host;

static wasmrt_instance *instantiate_fake(wasmrt_module **mod_out) {
  wasmrt_error err = {0};
  wasmrt_module *m = wasmrt_module_from_desc(&fake_desc, &err);
  cr_assert(m, "module: %s", err.message);
  static const uint8_t i32[] = {WASMRT_I32};
  the_host = wasmrt_host_func_new(i32, 1, i32, 1, host_add1, NULL);
  wasmrt_extern imp = wasmrt_host_func_extern(the_host);
  wasmrt_instance *inst = wasmrt_instantiate(m, &imp, 1, &err);
  cr_assert(inst, "instantiate: %s", err.message);
  if (mod_out) *mod_out = m;
  return inst;
}

static wasmrt_vmctx *vm(wasmrt_instance *inst) { return (wasmrt_vmctx *)inst; }

static wasmrt_extern export_of(wasmrt_instance *inst, const char *name) {
  wasmrt_extern e;
  cr_assert(wasmrt_instance_export(inst, name, strlen(name), &e), "no export %s", name);
  return e;
}

/* ---- memory --------------------------------------------------------------- */

Test(memory, reserves_guard_region_and_commits_min) {
  wasmrt_error err;
  wasmrt_memory *m = wasmrt_memory_new(2, 5, true, &err);
  cr_assert(m, "%s", err.message);
  cr_assert_eq(m->size, 2 * WASMRT_PAGE_SIZE);
  cr_assert_eq(m->max_pages, 5);
  cr_assert_geq(m->reserved, GUARD_RESERVATION);
  /* Committed pages are zero and writable. */
  for (uint64_t i = 0; i < m->size; i += 4096) cr_assert_eq(m->base[i], 0);
  m->base[m->size - 1] = 0xAB;
  cr_assert_eq(m->base[m->size - 1], 0xAB);
  wasmrt_memory_free(m);
}

Test(memory, grows_in_place_up_to_max) {
  wasmrt_instance *inst = instantiate_fake(NULL);
  wasmrt_memory *m = vm(inst)->mem0;
  uint8_t *base = m->base;
  m->base[0] = 1;
  cr_assert_eq(wasmrt_memory_grow(vm(inst), 0, 0), 1);
  cr_assert_eq(wasmrt_memory_grow(vm(inst), 0, 1), 1);
  cr_assert_eq(m->size, 2 * WASMRT_PAGE_SIZE);
  cr_assert_eq(m->base, base, "base moved");
  cr_assert_eq(vm(inst)->mem0_base, base);
  cr_assert_eq(m->base[0], 1, "contents lost");
  cr_assert_eq(m->base[2 * WASMRT_PAGE_SIZE - 1], 0, "new page not zero");
  m->base[2 * WASMRT_PAGE_SIZE - 1] = 5; /* writable */
  cr_assert_eq(wasmrt_memory_grow(vm(inst), 0, 1), -1, "grew beyond max 2");
  cr_assert_eq(m->size, 2 * WASMRT_PAGE_SIZE);
  cr_assert_eq(wasmrt_memory_grow(vm(inst), 0, 0xFFFFFFFFu), -1);
  wasmrt_instance_free(inst);
}

Test(memory, no_max_means_65536_pages) {
  wasmrt_error err;
  wasmrt_memory *m = wasmrt_memory_new(0, 0, false, &err);
  cr_assert(m, "%s", err.message);
  cr_assert_eq(m->max_pages, 65536);
  cr_assert_eq(m->size, 0);
  cr_assert_not_null(m->base);
  wasmrt_memory_free(m);
  cr_assert_null(wasmrt_memory_new(65537, 0, false, &err));
  cr_assert_null(wasmrt_memory_new(3, 2, true, &err));
}

/* The cap generated code relies on (compiler/addr_nowrap.c): never more
 * than WASMRT_MAX_MEMORY_PAGES pages. Growth up to the cap and not past it:
 * tests/spec/wasmc/addr_nowrap.wast. */
Test(memory, memory_cap) {
  wasmrt_error err;
  cr_assert_null(wasmrt_memory_new(65536, 65536, true, &err));
  cr_assert(strstr(err.message, "65536 pages is not supported"), "%s", err.message);
  wasmrt_memory *m = wasmrt_memory_new(WASMRT_MAX_MEMORY_PAGES, 0, false, &err);
  cr_assert(m, "%s", err.message);
  cr_assert_eq(m->size, (uint64_t)WASMRT_MAX_MEMORY_PAGES * WASMRT_PAGE_SIZE);
  wasmrt_memory_free(m);
}

/* Reserving is O(1): a 4 GiB memory costs address space, not time. */
Test(memory, huge_memory_is_cheap) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  wasmrt_error err;
  wasmrt_memory *m[8];
  for (int i = 0; i < 8; i++) {
    m[i] = wasmrt_memory_new(WASMRT_MAX_MEMORY_PAGES, 65536, true, &err);
    cr_assert(m[i], "%s", err.message);
    cr_assert_eq(m[i]->size, (uint64_t)WASMRT_MAX_MEMORY_PAGES * WASMRT_PAGE_SIZE);
  }
  m[3]->base[m[3]->size - 1] = 9; /* the last byte of 4 GiB - 64 KiB */
  cr_assert_eq(m[3]->base[m[3]->size - 1], 9);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  cr_assert_lt(s, 0.5, "creating 8 x 4 GiB memories took %.3fs", s);
  for (int i = 0; i < 8; i++) wasmrt_memory_free(m[i]);
}

Test(memory, no_guard_mode_reserves_only_max) {
  setenv("WASMRT_NO_GUARD", "1", 1);
  wasmrt_error err;
  wasmrt_memory *m = wasmrt_memory_new(1, 3, true, &err);
  cr_assert(m, "%s", err.message);
  cr_assert_eq(m->reserved, 3 * WASMRT_PAGE_SIZE);
  unsetenv("WASMRT_NO_GUARD");
  wasmrt_memory_free(m);
}

Test(memory, bounds_checked_module_has_no_guard_region) {
  fake_desc.flags = WASMRT_MODULE_BOUNDS_CHECKED;
  wasmrt_instance *inst = instantiate_fake(NULL);
  cr_assert_eq(vm(inst)->mem0->reserved, 2 * WASMRT_PAGE_SIZE);
  cr_assert_eq(wasmrt_memory_grow(vm(inst), 0, 1), 1);
  cr_assert_eq(wasmrt_memory_grow(vm(inst), 0, 1), -1);
  wasmrt_instance_free(inst);
}

/* ---- tables --------------------------------------------------------------- */

Test(table, grow_respects_max_and_fills) {
  wasmrt_error err;
  wasmrt_table *t = wasmrt_table_new(WASMRT_EXTERNREF, 2, 5, true, &err);
  cr_assert(t, "%s", err.message);
  cr_assert_eq(t->size, 2);
  cr_assert_null(t->elems[0]);
  wasmrt_table_free(t);

  wasmrt_instance *inst = instantiate_fake(NULL);
  wasmrt_vmctx *v = vm(inst);
  int marker;
  cr_assert_eq(wasmrt_table_grow(v, 0, &marker, 3), 4);
  cr_assert_eq(v->tables[0]->size, 7);
  cr_assert_eq(v->tables[0]->elems[6], &marker);
  cr_assert_eq(wasmrt_table_grow(v, 0, NULL, 4), -1, "beyond max 10");
  cr_assert_eq(wasmrt_table_grow(v, 0, NULL, 3), 7);
  cr_assert_eq(wasmrt_table_grow(v, 0, NULL, 0), 10);
  cr_assert_eq(wasmrt_table_grow(v, 0, NULL, 0xFFFFFFFFu), -1);
  cr_assert_null(wasmrt_table_new(WASMRT_FUNCREF, 3, 2, true, &err));
  wasmrt_instance_free(inst);
}

/* ---- bulk helpers ---------------------------------------------------------- */

Test(bulk, memory_fill_copy_bounds) {
  wasmrt_instance *inst = instantiate_fake(NULL);
  wasmrt_vmctx *v = vm(inst);
  uint32_t size = WASMRT_PAGE_SIZE;
  cr_assert_eq(wasmrt_memory_fill(v, 0, size - 4, 0x1AB, 4), 0);
  cr_assert_eq(v->mem0_base[size - 1], 0xAB);
  cr_assert_eq(wasmrt_memory_fill(v, 0, size, 0, 0), 0, "n=0 at the end is fine");
  cr_assert_eq(wasmrt_memory_fill(v, 0, size + 1, 0, 0), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(wasmrt_memory_fill(v, 0, size - 3, 0x55, 4), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(v->mem0_base[size - 3], 0xAB, "OOB fill wrote");
  cr_assert_eq(wasmrt_memory_fill(v, 0, 0xFFFFFFFFu, 0, 2), WASMRT_TRAP_MEMORY_OOB);
  /* copy: overlapping both ways, bounds on both sides. */
  memcpy(v->mem0_base + 100, "abcdef", 6);
  cr_assert_eq(wasmrt_memory_copy(v, 0, 0, 102, 100, 4), 0);
  cr_assert_eq(memcmp(v->mem0_base + 100, "ababcd", 6), 0);
  cr_assert_eq(wasmrt_memory_copy(v, 0, 0, 100, 102, 4), 0);
  cr_assert_eq(memcmp(v->mem0_base + 100, "abcdcd", 6), 0);
  cr_assert_eq(wasmrt_memory_copy(v, 0, 0, size, 0, 0), 0);
  cr_assert_eq(wasmrt_memory_copy(v, 0, 0, 0, size + 1, 0), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(wasmrt_memory_copy(v, 0, 0, size - 2, 100, 3), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(v->mem0_base[size - 2], 0xAB, "OOB copy wrote");
  cr_assert_eq(wasmrt_memory_copy(v, 0, 0, 100, size - 2, 3), WASMRT_TRAP_MEMORY_OOB);
  wasmrt_instance_free(inst);
}

Test(bulk, memory_init_and_data_drop) {
  wasmrt_instance *inst = instantiate_fake(NULL);
  wasmrt_vmctx *v = vm(inst);
  /* Active segment 0 was applied and dropped. */
  cr_assert_eq(memcmp(v->mem0_base + 16, "hello", 5), 0);
  cr_assert_eq(wasmrt_memory_init(v, 0, 0, 0, 0, 1), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(wasmrt_memory_init(v, 0, 0, 0, 0, 0), 0);
  /* Passive segment 1 "world!". */
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, 200, 1, 5), 0);
  cr_assert_eq(memcmp(v->mem0_base + 200, "orld!", 5), 0);
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, 300, 6, 0), 0, "src at the end, n=0");
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, 300, 7, 0), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, 300, 2, 5), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, WASMRT_PAGE_SIZE - 2, 0, 3), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(v->mem0_base[WASMRT_PAGE_SIZE - 2], 0, "OOB init wrote");
  wasmrt_data_drop(v, 1);
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, 0, 0, 1), WASMRT_TRAP_MEMORY_OOB);
  cr_assert_eq(wasmrt_memory_init(v, 0, 1, 0, 0, 0), 0);
  wasmrt_instance_free(inst);
}

Test(bulk, table_helpers_bounds) {
  wasmrt_instance *inst = instantiate_fake(NULL);
  wasmrt_vmctx *v = vm(inst);
  void *out = (void *)1;
  /* Active segment 0 put f1, f3 at 1..2. */
  cr_assert_eq(wasmrt_table_get(v, 0, 1, &out), 0);
  cr_assert_eq(out, v->funcs[FAKE_F_LOAD]);
  cr_assert_eq(wasmrt_table_get(v, 0, 2, &out), 0);
  cr_assert_eq(out, v->funcs[FAKE_F_DIV]);
  cr_assert_eq(wasmrt_table_get(v, 0, 0, &out), 0);
  cr_assert_null(out);
  cr_assert_eq(wasmrt_table_get(v, 0, 4, &out), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_set(v, 0, 3, v->funcs[5]), 0);
  cr_assert_eq(wasmrt_table_set(v, 0, 4, v->funcs[5]), WASMRT_TRAP_TABLE_OOB);
  /* fill */
  cr_assert_eq(wasmrt_table_fill(v, 0, 4, NULL, 0), 0);
  cr_assert_eq(wasmrt_table_fill(v, 0, 5, NULL, 0), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_fill(v, 0, 3, NULL, 2), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(v->tables[0]->elems[3], v->funcs[5], "OOB fill wrote");
  cr_assert_eq(wasmrt_table_fill(v, 0, 2, v->funcs[6], 2), 0);
  cr_assert_eq(v->tables[0]->elems[3], v->funcs[6]);
  /* copy, overlapping */
  cr_assert_eq(wasmrt_table_copy(v, 0, 0, 0, 1, 3), 0);
  cr_assert_eq(v->tables[0]->elems[0], v->funcs[FAKE_F_LOAD]);
  cr_assert_eq(wasmrt_table_copy(v, 0, 0, 2, 0, 3), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_copy(v, 0, 0, 4, 0, 0), 0);
  cr_assert_eq(wasmrt_table_copy(v, 0, 0, 0, 5, 0), WASMRT_TRAP_TABLE_OOB);
  /* init from passive segment 1 {f4, null}; declarative 2 and active 0 are dropped */
  cr_assert_eq(wasmrt_table_init(v, 0, 1, 2, 0, 2), 0);
  cr_assert_eq(v->tables[0]->elems[2], v->funcs[FAKE_F_RECURSE]);
  cr_assert_null(v->tables[0]->elems[3]);
  cr_assert_eq(wasmrt_table_init(v, 0, 1, 3, 0, 2), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_init(v, 0, 1, 0, 1, 2), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_init(v, 0, 2, 0, 0, 1), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_init(v, 0, 0, 0, 0, 1), WASMRT_TRAP_TABLE_OOB);
  cr_assert_eq(wasmrt_table_init(v, 0, 0, 4, 0, 0), 0);
  wasmrt_elem_drop(v, 1);
  cr_assert_eq(wasmrt_table_init(v, 0, 1, 0, 0, 1), WASMRT_TRAP_TABLE_OOB);
  wasmrt_instance_free(inst);
}

/* ---- instantiation --------------------------------------------------------- */

Test(instance, globals_exports_and_types) {
  wasmrt_module *m;
  wasmrt_instance *inst = instantiate_fake(&m);
  cr_assert_eq(wasmrt_module_descriptor(m), &fake_desc);
  wasmrt_extern g = export_of(inst, "g");
  cr_assert_eq(g.kind, WASMRT_EXTERN_GLOBAL);
  cr_assert_eq(g.of.global->value.i32, 42);
  cr_assert_eq(g.of.global->mutable_, 1);
  wasmrt_extern gf = export_of(inst, "gf");
  cr_assert_eq(gf.of.global->value.ref, vm(inst)->funcs[FAKE_F_LOAD]);
  cr_assert_eq(export_of(inst, "mem").of.memory, vm(inst)->mem0);
  cr_assert_eq(export_of(inst, "tab").of.table, vm(inst)->tables[0]);
  wasmrt_extern ld = export_of(inst, "load");
  cr_assert_eq(ld.kind, WASMRT_EXTERN_FUNC);
  cr_assert_eq(ld.of.func->func_index, FAKE_F_LOAD);
  cr_assert_eq(ld.of.func->ctx, vm(inst));
  wasmrt_extern e;
  cr_assert_not(wasmrt_instance_export(inst, "loa", 3, &e));
  cr_assert_not(wasmrt_instance_export(inst, "load\0", 5, &e));
  /* Canonical types: equal signatures, equal ids, across modules and hosts. */
  cr_assert_eq(ld.of.func->type_id, export_of(inst, "recurse").of.func->type_id);
  cr_assert_eq(ld.of.func->type_id, export_of(inst, "host").of.func->type_id);
  cr_assert_neq(ld.of.func->type_id, export_of(inst, "div").of.func->type_id);
  const wasmrt_functype_desc *t = wasmrt_funcref_type(export_of(inst, "div").of.func);
  cr_assert_eq(t->nparams, 0);
  cr_assert_eq(t->nresults, 1);
  cr_assert_eq(t->results[0], WASMRT_I32);
  cr_assert_eq(vm(inst)->type_ids[FAKE_T_VOID_I32], export_of(inst, "div").of.func->type_id);
  static const uint8_t i32[] = {WASMRT_I32};
  wasmrt_host_func *h = wasmrt_host_func_new(NULL, 0, i32, 1, host_add1, NULL);
  cr_assert_eq(wasmrt_host_func_extern(h).of.func->type_id,
               export_of(inst, "div").of.func->type_id);
  /* Calls, host import included. */
  wasmrt_val v[1] = {{.i32 = 16}};
  wasmrt_error err;
  cr_assert(wasmrt_call(inst, ld.of.func, v, 1, &err), "%s", err.message);
  cr_assert_eq(v[0].i32, 'h' | 'e' << 8 | 'l' << 16 | 'l' << 24);
  v[0].i32 = 41;
  cr_assert(wasmrt_call(inst, export_of(inst, "call_host").of.func, v, 1, &err), "%s",
            err.message);
  cr_assert_eq(v[0].i32, 42);
  v[0].i32 = 1;
  cr_assert(wasmrt_call(inst, wasmrt_host_func_extern(the_host).of.func, v, 1, &err));
  cr_assert_eq(v[0].i32, 2, "calling a host funcref directly");
  cr_assert_not(wasmrt_call(inst, ld.of.func, v, 0, &err), "too few values accepted");
  wasmrt_instance_free(inst);
  wasmrt_module_free(m);
}

Test(instance, start_function_runs) {
  fake_desc.start = FAKE_F_START;
  wasmrt_instance *inst = instantiate_fake(NULL);
  cr_assert_eq(vm(inst)->mem0_base[0], 7);
  wasmrt_instance_free(inst);
}

Test(instance, many_instances) {
  wasmrt_error err;
  wasmrt_module *m = wasmrt_module_from_desc(&fake_desc, &err);
  static const uint8_t i32[] = {WASMRT_I32};
  wasmrt_host_func *h = wasmrt_host_func_new(i32, 1, i32, 1, host_add1, NULL);
  wasmrt_extern imp = wasmrt_host_func_extern(h);
  for (int round = 0; round < 3; round++) {
    wasmrt_instance *insts[200];
    for (int i = 0; i < 200; i++) {
      insts[i] = wasmrt_instantiate(m, &imp, 1, &err);
      cr_assert(insts[i], "instance %d: %s", i, err.message);
    }
    for (int i = 0; i < 200; i++) wasmrt_instance_free(insts[i]);
  }
  wasmrt_module_free(m);
}

static void expect_unlinkable(const wasmrt_extern *imp, uint32_t n, const char *why) {
  wasmrt_error err = {0};
  wasmrt_module *m = wasmrt_module_from_desc(&fake_desc, &err);
  cr_assert(m);
  cr_assert_null(wasmrt_instantiate(m, imp, n, &err), "%s: instantiated", why);
  cr_assert_eq(err.trap, WASMRT_TRAP_NONE);
  cr_assert(strstr(err.message, why), "%s: message \"%s\"", why, err.message);
  wasmrt_module_free(m);
}

Test(instance, link_checks_functions) {
  static const uint8_t i32[] = {WASMRT_I32}, i64[] = {WASMRT_I64};
  wasmrt_host_func *bad = wasmrt_host_func_new(i32, 1, i64, 1, host_add1, NULL);
  wasmrt_extern imp = wasmrt_host_func_extern(bad);
  expect_unlinkable(&imp, 1, "incompatible import type");
  expect_unlinkable(&imp, 0, "1 imports, 0 given");
  wasmrt_error err;
  wasmrt_memory *mem = wasmrt_memory_new(1, 1, true, &err);
  wasmrt_extern as_mem = {.kind = WASMRT_EXTERN_MEMORY, .of.memory = mem};
  expect_unlinkable(&as_mem, 1, "expected a function");
}

/* The importing side of limits / global checks: patch the fake module's
 * import into a memory, table or global import. */
static bool links(uint32_t kind, uint32_t vtype, uint32_t mut, uint64_t min, uint64_t max,
                  uint32_t has_max, wasmrt_extern ex) {
  fake_imports[0] = (wasmrt_import_desc){"env", "x", 3, 1, kind, 0, vtype, mut,
                                         {min, max, has_max, 0, 0}};
  fake_desc.nimported_funcs = 0;
  fake_desc.nimported_tables = kind == WASMRT_EXTERN_TABLE;
  fake_desc.nimported_memories = kind == WASMRT_EXTERN_MEMORY;
  fake_desc.nimported_globals = kind == WASMRT_EXTERN_GLOBAL;
  /* Keep the index spaces consistent: the import takes index 0 of its
   * kind, so the fake's own table/memory/global become imports. */
  fake_desc.nfuncs = FAKE_NFUNCS; /* function 0 is then a defined one */
  wasmrt_error err = {0};
  wasmrt_module_desc d = fake_desc;
  /* offsets from this table (ABI 8) to the fake's code, function 0
   * taking the first defined function's */
  static int32_t code[FAKE_NFUNCS];
  for (uint32_t i = 0; i < FAKE_NFUNCS; i++)
    code[i] = (int32_t)((const char *)wasmrt_func_code(&fake_desc, i ? i - 1 : 0) -
                        (const char *)code);
  d.func_code = code;
  d.elems = NULL, d.nelems = 0, d.datas = NULL, d.ndatas = 0; /* no segments */
  wasmrt_module *m = wasmrt_module_from_desc(&d, &err);
  cr_assert(m, "%s", err.message);
  wasmrt_instance *inst = wasmrt_instantiate(m, &ex, 1, &err);
  if (inst) wasmrt_instance_free(inst);
  wasmrt_module_free(m);
  return inst != NULL;
}

Test(instance, link_checks_limits_and_globals) {
  wasmrt_error err;
  wasmrt_memory *mem = wasmrt_memory_new(2, 4, true, &err);
  wasmrt_extern me = {.kind = WASMRT_EXTERN_MEMORY, .of.memory = mem};
  cr_assert(links(WASMRT_EXTERN_MEMORY, 0, 0, 1, 0, 0, me));
  cr_assert(links(WASMRT_EXTERN_MEMORY, 0, 0, 2, 4, 1, me));
  cr_assert(links(WASMRT_EXTERN_MEMORY, 0, 0, 2, 5, 1, me));
  cr_assert_not(links(WASMRT_EXTERN_MEMORY, 0, 0, 3, 0, 0, me), "min 3 > size 2");
  cr_assert_not(links(WASMRT_EXTERN_MEMORY, 0, 0, 1, 3, 1, me), "max 4 > 3");
  wasmrt_memory *inf = wasmrt_memory_new(1, 0, false, &err);
  wasmrt_extern ie = {.kind = WASMRT_EXTERN_MEMORY, .of.memory = inf};
  cr_assert_not(links(WASMRT_EXTERN_MEMORY, 0, 0, 1, 65536, 1, ie), "no max vs max 65536");
  cr_assert(links(WASMRT_EXTERN_MEMORY, 0, 0, 1, 0, 0, ie));
  setenv("WASMRT_NO_GUARD", "1", 1);
  wasmrt_memory *ng = wasmrt_memory_new(1, 1, true, &err);
  unsetenv("WASMRT_NO_GUARD");
  wasmrt_extern ne = {.kind = WASMRT_EXTERN_MEMORY, .of.memory = ng};
  cr_assert_not(links(WASMRT_EXTERN_MEMORY, 0, 0, 1, 0, 0, ne), "unguarded memory accepted");
  fake_desc.flags = WASMRT_MODULE_BOUNDS_CHECKED;
  cr_assert(links(WASMRT_EXTERN_MEMORY, 0, 0, 1, 0, 0, ne));
  fake_desc.flags = 0;

  wasmrt_table *t = wasmrt_table_new(WASMRT_FUNCREF, 3, 0, false, &err);
  wasmrt_extern te = {.kind = WASMRT_EXTERN_TABLE, .of.table = t};
  cr_assert(links(WASMRT_EXTERN_TABLE, WASMRT_FUNCREF, 0, 3, 0, 0, te));
  cr_assert_not(links(WASMRT_EXTERN_TABLE, WASMRT_EXTERNREF, 0, 3, 0, 0, te));
  cr_assert_not(links(WASMRT_EXTERN_TABLE, WASMRT_FUNCREF, 0, 4, 0, 0, te));
  cr_assert_not(links(WASMRT_EXTERN_TABLE, WASMRT_FUNCREF, 0, 1, 0xFFFFFFFFu, 1, te));
  wasmrt_table *t2 = wasmrt_table_new(WASMRT_FUNCREF, 3, 0xFFFFFFFFu, true, &err);
  wasmrt_extern te2 = {.kind = WASMRT_EXTERN_TABLE, .of.table = t2};
  cr_assert(links(WASMRT_EXTERN_TABLE, WASMRT_FUNCREF, 0, 1, 0xFFFFFFFFu, 1, te2));

  wasmrt_global *g = wasmrt_global_new(WASMRT_I32, false, (wasmrt_val){.i32 = 5});
  wasmrt_extern ge = {.kind = WASMRT_EXTERN_GLOBAL, .of.global = g};
  cr_assert(links(WASMRT_EXTERN_GLOBAL, WASMRT_I32, 0, 0, 0, 0, ge));
  cr_assert_not(links(WASMRT_EXTERN_GLOBAL, WASMRT_I32, 1, 0, 0, 0, ge), "mutability");
  cr_assert_not(links(WASMRT_EXTERN_GLOBAL, WASMRT_I64, 0, 0, 0, 0, ge), "type");
}

Test(instance, descriptor_checks) {
  wasmrt_error err;
  fake_desc.abi_version = WASMRT_ABI_VERSION + 1;
  cr_assert_null(wasmrt_module_from_desc(&fake_desc, &err));
  cr_assert(strstr(err.message, "ABI version"), "%s", err.message);
  fake_desc.abi_version = WASMRT_ABI_VERSION;
  fake_desc.flags = 0x80;
  cr_assert_null(wasmrt_module_from_desc(&fake_desc, &err));
  fake_desc.flags = 0;
  fake_desc.target = "aarch64-unknown-linux-gnu";
  cr_assert_null(wasmrt_module_from_desc(&fake_desc, &err));
  cr_assert(strstr(err.message, "aarch64"), "%s", err.message);
  fake_desc.target = "x86_64-pc-linux-gnu";
  cr_assert_null(wasmrt_module_load("/nonexistent.so", &err));
  cr_assert(strstr(err.message, "cannot load"), "%s", err.message);
}

/* The CPU-feature check (cpu_check.c): a feature the runtime cannot
 * verify is refused with the options the module was built with; an empty
 * list (or none, a baseline build) is no requirement. */
Test(instance, cpu_feature_check) {
  wasmrt_error err;
  fake_desc.cpu_features = "no-such-feature,,other-unknown";
  fake_desc.cpu_built_with = "--features +no-such-feature";
  cr_assert_null(wasmrt_module_from_desc(&fake_desc, &err));
  cr_expect(strstr(err.message,
                   "this program was compiled for CPU features this machine "
                   "lacks: no-such-feature (unknown to this runtime), "
                   "other-unknown (unknown to this runtime) (built with "
                   "--features +no-such-feature); rebuild it with a lower "
                   "--cpu or without those --features"),
            "%s", err.message);
  cr_expect_eq(err.trap, WASMRT_TRAP_NONE);
  fake_desc.cpu_features = "";
  wasmrt_module *m = wasmrt_module_from_desc(&fake_desc, &err);
  cr_assert(m, "%s", err.message);
  wasmrt_module_free(m);
  fake_desc.cpu_features = NULL;
  fake_desc.cpu_built_with = NULL;
  m = wasmrt_module_from_desc(&fake_desc, &err);
  cr_assert(m, "%s", err.message);
  wasmrt_module_free(m);
}

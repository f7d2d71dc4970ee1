/* test_gc_runtime.c: the runtime's integration of GC (Wasm 3.0), against
 * hand-made descriptors: the canonical run-time types (types.c: depth and
 * supertype display, one rtt per equivalent type across modules, the any
 * hierarchy's subtyping), constant expressions that allocate
 * (instance.c: struct.new, array.new*, ref.i31, the conversions), and the
 * array entry points' results and trap codes (gc_array.c).
 *
 * Linked with the static runtime so that its internal functions
 * (rt_types_rtt, gc_alloc_array...) are reachable. Objects come from
 * gc.h's allocator, whichever heap implements it. */
#include <criterion/criterion.h>
#include <string.h>

#include "gc.h"
#include "internal.h"

#define REFN(i) (WASMRT_VT_REF | WASMRT_VT_NULL | (WASMRT_HT_INDEX + (i)))
#define REF(i) (WASMRT_VT_REF | (WASMRT_HT_INDEX + (i)))
#define ABS_NN(ht) (WASMRT_VT_REF | (ht)) /* (ref ht), non-null */

/* ---- a module's types -------------------------------------------------------
 *   0 $S  (sub (struct (mut i32) (mut (ref null $S)) i8))
 *   1 $T  (sub final $S (struct (mut i32) (mut (ref null $S)) i8 i64 anyref))
 *   2 $A  (array (mut i16))
 *   3 $R  (array (mut anyref))
 *   4     (func)
 *   5,6   (rec (struct (ref null 6)) (struct (ref null 5)))
 * shifted by `shift` leading function types (so that a second module has
 * the same types at other indices). */
enum { NT = 7, MAXSHIFT = 2, MAXF = 5 };
typedef struct {
  wasmrt_module_desc d;
  wasmrt_functype_desc flat[NT + MAXSHIFT];
  wasmrt_typedef_desc td[NT + MAXSHIFT];
  wasmrt_field_desc fields[NT + MAXSHIFT][MAXF];
  uint32_t ids[NT + MAXSHIFT];
} types_mod;

static void set_fields(types_mod *m, uint32_t t, const uint32_t *types, const uint32_t *mut,
                       uint32_t n, uint32_t kind) {
  uint32_t st[MAXF], offs[MAXF];
  for (uint32_t i = 0; i < n; i++) st[i] = types[i];
  uint32_t size = wasmrt_gc_layout(st, n, offs);
  for (uint32_t i = 0; i < n; i++)
    m->fields[t][i] = (wasmrt_field_desc){types[i], mut[i],
                                          kind == WASMRT_COMP_ARRAY ? WASMRT_GC_ARRAY_DATA : offs[i],
                                          wasmrt_gc_storage_size(types[i])};
  m->td[t].kind = kind;
  m->td[t].nfields = n;
  m->td[t].fields = m->fields[t];
  m->td[t].obj_size = kind == WASMRT_COMP_ARRAY ? WASMRT_GC_ARRAY_DATA : size;
}

/* mut_i8: the mutability of $S's i8 field (to make a different type) */
static void make_types(types_mod *m, uint32_t shift, uint32_t mut_i8) {
  memset(m, 0, sizeof *m);
  uint32_t n = NT + shift;
  for (uint32_t i = 0; i < n; i++)
    m->td[i] = (wasmrt_typedef_desc){.kind = WASMRT_COMP_FUNC, .final = 1, .super = UINT32_MAX,
                                     .rec_first = i, .rec_size = 1};
  uint32_t s = shift;
  set_fields(m, s + 0, (uint32_t[]){WASMRT_I32, REFN(s), WASMRT_PACKED_I8},
             (uint32_t[]){1, 1, mut_i8}, 3, WASMRT_COMP_STRUCT);
  m->td[s + 0].final = 0;
  set_fields(m, s + 1,
             (uint32_t[]){WASMRT_I32, REFN(s), WASMRT_PACKED_I8, WASMRT_I64, WASMRT_ANYREF},
             (uint32_t[]){1, 1, mut_i8, 0, 0}, 5, WASMRT_COMP_STRUCT);
  m->td[s + 1].super = s;
  set_fields(m, s + 2, (uint32_t[]){WASMRT_PACKED_I16}, (uint32_t[]){1}, 1, WASMRT_COMP_ARRAY);
  m->td[s + 2].final = 0;
  set_fields(m, s + 3, (uint32_t[]){WASMRT_ANYREF}, (uint32_t[]){1}, 1, WASMRT_COMP_ARRAY);
  set_fields(m, s + 5, (uint32_t[]){REFN(s + 6)}, (uint32_t[]){0}, 1, WASMRT_COMP_STRUCT);
  set_fields(m, s + 6, (uint32_t[]){REFN(s + 5)}, (uint32_t[]){0}, 1, WASMRT_COMP_STRUCT);
  m->td[s + 5].rec_size = 2;
  m->td[s + 6].rec_first = s + 5;
  m->td[s + 6].rec_size = 2;
  m->d.abi_version = WASMRT_ABI_VERSION;
  m->d.ntypes = n;
  m->d.types = m->flat;
  m->d.typedefs = m->td;
  m->d.start = -1;
}

static types_mod A, B, C;

Test(gc_types, rtt_of_struct_with_supertype) {
  make_types(&A, 0, 0);
  cr_assert(rt_types_intern_module(&A.d, NULL, A.ids));
  const wasmrt_rtt *s = rt_types_rtt(A.ids[0]), *t = rt_types_rtt(A.ids[1]);
  cr_assert(s && t);
  cr_expect_eq(s->kind, WASMRT_COMP_STRUCT);
  cr_expect_eq(s->depth, 0);
  cr_expect_eq(s->supers[0], s);
  cr_expect_eq(s->type_id, A.ids[0]);
  /* 8: i32, 16: ref, 24: i8 -> 32 bytes */
  cr_expect_eq(s->size, 32);
  cr_expect_eq(s->nrefs, 1);
  cr_expect_eq(s->ref_offsets[0], 16);
  cr_expect_eq(t->depth, 1);
  cr_expect_eq(t->supers[0], s);
  cr_expect_eq(t->supers[1], t);
  /* 8 i32, 16 ref, 24 i8, 32 i64, 40 anyref -> 48 */
  cr_expect_eq(t->size, 48);
  cr_expect_eq(t->nrefs, 2);
  cr_expect_eq(t->ref_offsets[0], 16);
  cr_expect_eq(t->ref_offsets[1], 40);
  const wasmrt_rtt *a = rt_types_rtt(A.ids[2]), *r = rt_types_rtt(A.ids[3]);
  cr_expect_eq(a->kind, WASMRT_COMP_ARRAY);
  cr_expect_eq(a->size, 2);
  cr_expect_eq(a->nrefs, 0);
  cr_expect_eq(a->elem_type, WASMRT_PACKED_I16);
  cr_expect_eq(r->size, 8);
  cr_expect_eq(r->nrefs, 1);
  cr_expect_null(rt_types_rtt(A.ids[4]), "function types have no rtt");
}

Test(gc_types, equivalent_groups_share_the_rtt) {
  make_types(&A, 0, 0);
  make_types(&B, 2, 0); /* the same types two indices later */
  make_types(&C, 0, 1); /* $S's i8 mutable: other types */
  cr_assert(rt_types_intern_module(&A.d, NULL, A.ids));
  cr_assert(rt_types_intern_module(&B.d, NULL, B.ids));
  cr_assert(rt_types_intern_module(&C.d, NULL, C.ids));
  for (uint32_t i = 0; i < NT; i++) {
    cr_expect_eq(A.ids[i], B.ids[i + 2], "type %u", i);
    cr_expect_eq(rt_types_rtt(A.ids[i]), rt_types_rtt(B.ids[i + 2]), "type %u", i);
  }
  cr_expect_neq(A.ids[0], C.ids[0]);
  cr_expect_neq(A.ids[1], C.ids[1], "a subtype of another type is another type");
  cr_expect_eq(A.ids[2], C.ids[2], "the array does not involve $S");
  cr_expect_neq(A.ids[5], A.ids[6], "places in a group tell types apart");
}

Test(gc_types, any_hierarchy_subtyping) {
  make_types(&A, 0, 0);
  cr_assert(rt_types_intern_module(&A.d, NULL, A.ids));
  uint32_t s = REFN(A.ids[0]), t = REF(A.ids[1]), arr = REFN(A.ids[2]);
  uint32_t nt = REFN(A.ids[1]), func = REFN(A.ids[4]);
  cr_expect(rt_vt_sub(t, s));
  cr_expect(!rt_vt_sub(s, t));
  cr_expect(!rt_vt_sub(nt, t), "nullable is not under non-null");
  cr_expect(rt_vt_sub(s, WASMRT_HT_STRUCT));
  cr_expect(rt_vt_sub(s, WASMRT_HT_EQ));
  cr_expect(rt_vt_sub(s, WASMRT_HT_ANY));
  cr_expect(!rt_vt_sub(s, WASMRT_HT_ARRAY));
  cr_expect(rt_vt_sub(arr, WASMRT_HT_ARRAY));
  cr_expect(!rt_vt_sub(arr, s));
  cr_expect(rt_vt_sub(WASMRT_HT_NONE, s));
  cr_expect(rt_vt_sub(WASMRT_HT_NONE, WASMRT_HT_I31));
  cr_expect(!rt_vt_sub(WASMRT_HT_NONE, t), "nullref is nullable");
  cr_expect(rt_vt_sub(ABS_NN(WASMRT_HT_I31), WASMRT_HT_EQ));
  cr_expect(!rt_vt_sub(WASMRT_HT_I31, WASMRT_HT_STRUCT));
  cr_expect(!rt_vt_sub(WASMRT_HT_ANY, WASMRT_HT_EQ));
  cr_expect(!rt_vt_sub(func, WASMRT_HT_ANY));
  cr_expect(rt_vt_sub(func, WASMRT_HT_FUNC));
  cr_expect(rt_vt_sub(WASMRT_HT_NOFUNC, func));
  cr_expect(!rt_vt_sub(WASMRT_HT_NONE, func));
  cr_expect(!rt_vt_sub(WASMRT_HT_NOFUNC, s));
  cr_expect(!rt_vt_sub(WASMRT_HT_EXTERN, WASMRT_HT_ANY));
  cr_expect(rt_vt_is_gc_ref(s) && rt_vt_is_gc_ref(WASMRT_HT_I31) &&
            rt_vt_is_gc_ref(WASMRT_EXTERNREF) && rt_vt_is_gc_ref(WASMRT_HT_NOEXTERN));
  cr_expect(!rt_vt_is_gc_ref(func) && !rt_vt_is_gc_ref(WASMRT_FUNCREF) &&
            !rt_vt_is_gc_ref(WASMRT_I64) && !rt_vt_is_gc_ref(WASMRT_EXNREF));
}

/* ---- an instance: constant expressions, segments, array helpers ------------
 * Types as above. Globals:
 *   0 (ref null $S) = struct.new $S (i32 7) (ref.null) (i32 0x1234)
 *   1 anyref       = array.new_fixed $A 3 (i32 1) (i32 2) (i32 0x12345)
 *   2 i31ref       = ref.i31 (i32 -1)
 *   3 (ref $A)     = array.new $A (i32 9) (i32 4)
 *   4 externref    = extern.convert_any (global.get 2)
 *   5 (ref $T)     = struct.new_default $T
 *   6 (ref $S)     = struct.new $S (i32 1) (global.get 0) (i32 2)
 * elems: 0 passive anyref {ref.i31 5, struct.new_default $S, ref.null}
 * datas: 0 passive 01 02 03 04 05 06 07 08 */
#define OP(o, x, y) {(o), 0, (x), (y)}
static const wasmrt_const_op g0[] = {OP(WASMRT_CONST_I32, 7, 0), OP(WASMRT_CONST_REF_NULL, 0, 0),
                                     OP(WASMRT_CONST_I32, 0x1234, 0),
                                     OP(WASMRT_CONST_STRUCT_NEW, 0, 0)};
static const wasmrt_const_op g1[] = {OP(WASMRT_CONST_I32, 1, 0), OP(WASMRT_CONST_I32, 2, 0),
                                     OP(WASMRT_CONST_I32, 0x12345, 0),
                                     OP(WASMRT_CONST_ARRAY_NEW_FIXED, 2, 3)};
static const wasmrt_const_op g2[] = {OP(WASMRT_CONST_I32, 0xFFFFFFFFu, 0),
                                     OP(WASMRT_CONST_REF_I31, 0, 0)};
static const wasmrt_const_op g3[] = {OP(WASMRT_CONST_I32, 9, 0), OP(WASMRT_CONST_I32, 4, 0),
                                     OP(WASMRT_CONST_ARRAY_NEW, 2, 0)};
static const wasmrt_const_op g4[] = {OP(WASMRT_CONST_GLOBAL_GET, 2, 0),
                                     OP(WASMRT_CONST_EXTERN_CONVERT_ANY, 0, 0)};
static const wasmrt_const_op g5[] = {OP(WASMRT_CONST_STRUCT_NEW_DEFAULT, 1, 0)};
static const wasmrt_const_op g6[] = {OP(WASMRT_CONST_I32, 1, 0), OP(WASMRT_CONST_GLOBAL_GET, 0, 0),
                                     OP(WASMRT_CONST_I32, 2, 0),
                                     OP(WASMRT_CONST_STRUCT_NEW, 0, 0)};
static const wasmrt_const_op e0[] = {OP(WASMRT_CONST_I32, 5, 0), OP(WASMRT_CONST_REF_I31, 0, 0)};
static const wasmrt_const_op e1[] = {OP(WASMRT_CONST_STRUCT_NEW_DEFAULT, 0, 0)};
static const wasmrt_const_op e2[] = {OP(WASMRT_CONST_REF_NULL, 0, 0)};
#define CD(a) {sizeof(a) / sizeof(a[0]), a}
static const wasmrt_global_desc globals[] = {
    {REFN(0), 0, CD(g0)}, {WASMRT_ANYREF, 1, CD(g1)}, {WASMRT_VT_REF | WASMRT_VT_NULL | WASMRT_HT_I31, 0, CD(g2)},
    {REF(2), 0, CD(g3)},  {WASMRT_EXTERNREF, 0, CD(g4)}, {REF(1), 0, CD(g5)},
    {REF(0), 0, CD(g6)},
};
static const wasmrt_const_desc items0[] = {CD(e0), CD(e1), CD(e2)};
static const wasmrt_elem_desc elems[] = {
    {.mode = WASMRT_SEG_PASSIVE, .elem_type = WASMRT_ANYREF, .count = 3, .items = items0}};
static const uint8_t bytes0[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const wasmrt_data_desc datas[] = {{.mode = WASMRT_SEG_PASSIVE, .len = 8, .bytes = bytes0}};

static types_mod M;

static wasmrt_instance *instantiate(void) {
  make_types(&M, 0, 0);
  M.d.nglobals = sizeof globals / sizeof globals[0];
  M.d.globals = globals;
  M.d.nelems = 1;
  M.d.elems = elems;
  M.d.ndatas = 1;
  M.d.datas = datas;
  wasmrt_error err;
  wasmrt_module *m = wasmrt_module_from_desc(&M.d, &err);
  cr_assert(m, "%s", err.message);
  wasmrt_instance *inst = wasmrt_instantiate(m, NULL, 0, &err);
  cr_assert(inst, "%s", err.message);
  return inst;
}

static uint8_t *obj(const wasmrt_global *g) {
  uintptr_t w = (uintptr_t)g->value.ref;
  cr_assert(gc_is_object(w), "word 0x%lx is not an object", (unsigned long)w);
  return gc_object_of(w);
}
static uint32_t len_of(const void *arr) { return *(const uint32_t *)((const uint8_t *)arr + 8); }
static uint16_t i16_at(const void *arr, uint32_t i) {
  uint16_t v;
  memcpy(&v, (const uint8_t *)arr + WASMRT_GC_ARRAY_DATA + 2 * i, 2);
  return v;
}

Test(gc_instance, constant_expressions) {
  wasmrt_instance *inst = instantiate();
  wasmrt_vmctx *ctx = &inst->vmctx;
  const wasmrt_rtt *s = rt_types_rtt(inst->module->type_ids[0]);
  cr_expect_eq(ctx->rtts[0], s);
  cr_expect_eq(ctx->rtts[2], rt_types_rtt(inst->module->type_ids[2]));
  cr_expect_null(ctx->rtts[4]);

  wasmrt_global **g = ctx->globals;
  uint8_t *o = obj(g[0]);
  cr_expect_eq(*(const wasmrt_rtt **)o, s);
  cr_expect_eq(*(int32_t *)(o + 8), 7);
  cr_expect_eq(*(uint64_t *)(o + 16), 0);
  cr_expect_eq(o[24], 0x34, "packed i8 keeps the low byte");
  cr_expect_eq(o[25], 0, "and nothing beyond it");

  uint8_t *a = obj(g[1]);
  cr_expect_eq(len_of(a), 3);
  cr_expect_eq(i16_at(a, 0), 1);
  cr_expect_eq(i16_at(a, 1), 2);
  cr_expect_eq(i16_at(a, 2), 0x2345);

  cr_expect_eq((uintptr_t)g[2]->value.ref, 0xFFFFFFFFu, "ref.i31 -1: zext32(v << 1 | 1)");
  a = obj(g[3]);
  cr_expect_eq(len_of(a), 4);
  for (uint32_t i = 0; i < 4; i++) cr_expect_eq(i16_at(a, i), 9);
  cr_expect_eq(g[4]->value.ref, g[2]->value.ref, "extern.convert_any keeps the word");
  o = obj(g[5]);
  cr_expect_eq(*(const wasmrt_rtt **)o, rt_types_rtt(inst->module->type_ids[1]));
  cr_expect_eq(*(const wasmrt_rtt **)o, ctx->rtts[1]);
  o = obj(g[6]);
  cr_expect_eq(*(void **)(o + 16), g[0]->value.ref, "a reference field holds the word");

  /* The objects are held by the instance's globals: a collection and
   * allocations of the same size afterwards leave them as they were. */
  gc_collect();
  for (int i = 0; i < 1000; i++) cr_assert(gc_alloc(s, s->size));
  o = obj(g[0]);
  cr_expect_eq(*(const wasmrt_rtt **)o, s);
  cr_expect_eq(*(int32_t *)(o + 8), 7);
  wasmrt_instance_free(inst);
}

Test(gc_instance, array_new_data_and_elem) {
  wasmrt_instance *inst = instantiate();
  wasmrt_vmctx *ctx = &inst->vmctx;
  const wasmrt_rtt *a16 = ctx->rtts[2], *aref = ctx->rtts[3];
  void *arr = NULL;
  cr_expect_eq(wasmrt_array_new_data(ctx, a16, 0, 2, 3, &arr), 0);
  cr_assert(arr);
  cr_expect_eq(len_of(arr), 3);
  cr_expect_eq(i16_at(arr, 0), 0x0403);
  cr_expect_eq(i16_at(arr, 2), 0x0807);
  cr_expect_eq(wasmrt_array_new_data(ctx, a16, 0, 1, 4, &arr), WASMRT_TRAP_MEMORY_OOB,
               "1 + 4 * 2 > 8 bytes");
  cr_expect_eq(wasmrt_array_new_data(ctx, a16, 0, 8, 0, &arr), 0, "empty at the end");
  cr_expect_eq(wasmrt_array_new_data(ctx, a16, 0, 0xFFFFFFFFu, 0xFFFFFFFFu, &arr),
               WASMRT_TRAP_MEMORY_OOB, "no wrap");

  arr = NULL;
  cr_expect_eq(wasmrt_array_new_elem(ctx, aref, 0, 0, 3, &arr), 0);
  cr_assert(arr);
  void **w = (void **)((uint8_t *)arr + WASMRT_GC_ARRAY_DATA);
  cr_expect_eq((uintptr_t)w[0], 5u << 1 | 1);
  cr_assert(gc_is_object((uintptr_t)w[1]));
  cr_expect_eq(*(const wasmrt_rtt **)gc_object_of((uintptr_t)w[1]), ctx->rtts[0]);
  cr_expect_null(w[2]);
  cr_expect_eq(wasmrt_array_new_elem(ctx, aref, 0, 2, 2, &arr), WASMRT_TRAP_TABLE_OOB);

  /* dropped segments have length 0 */
  wasmrt_data_drop(ctx, 0);
  wasmrt_elem_drop(ctx, 0);
  cr_expect_eq(wasmrt_array_new_data(ctx, a16, 0, 0, 1, &arr), WASMRT_TRAP_MEMORY_OOB);
  cr_expect_eq(wasmrt_array_new_data(ctx, a16, 0, 0, 0, &arr), 0);
  cr_expect_eq(wasmrt_array_new_elem(ctx, aref, 0, 0, 1, &arr), WASMRT_TRAP_TABLE_OOB);

  cr_expect_eq(wasmrt_array_new_elem(ctx, aref, 0, 0, 0, &arr), 0);
  wasmrt_instance_free(inst);
}

Test(gc_instance, array_init_copy_fill) {
  wasmrt_instance *inst = instantiate();
  wasmrt_vmctx *ctx = &inst->vmctx;
  const wasmrt_rtt *a16 = ctx->rtts[2], *aref = ctx->rtts[3];
  uint8_t *arr = gc_alloc_array(a16, 6), *refs = gc_alloc_array(aref, 4);
  cr_assert(arr && refs);
  cr_expect_null(gc_alloc_array(a16, 1ull << 33), "longer than the limit");

  /* init_data: the array's bounds first, then the segment's */
  cr_expect_eq(wasmrt_array_init_data(ctx, arr, 0, 5, 100, 2), WASMRT_TRAP_ARRAY_OOB);
  cr_expect_eq(wasmrt_array_init_data(ctx, arr, 0, 0, 1, 4), WASMRT_TRAP_MEMORY_OOB);
  cr_expect_eq(wasmrt_array_init_data(ctx, arr, 0, 1, 0, 4), 0);
  cr_expect_eq(i16_at(arr, 0), 0);
  cr_expect_eq(i16_at(arr, 1), 0x0201);
  cr_expect_eq(i16_at(arr, 4), 0x0807);
  cr_expect_eq(wasmrt_array_init_data(ctx, arr, 0, 6, 8, 0), 0, "empty at both ends");

  /* init_elem */
  cr_expect_eq(wasmrt_array_init_elem(ctx, refs, 0, 3, 9, 2), WASMRT_TRAP_ARRAY_OOB);
  cr_expect_eq(wasmrt_array_init_elem(ctx, refs, 0, 0, 2, 2), WASMRT_TRAP_TABLE_OOB);
  cr_expect_eq(wasmrt_array_init_elem(ctx, refs, 0, 1, 0, 3), 0);
  void **w = (void **)(refs + WASMRT_GC_ARRAY_DATA);
  cr_expect_null(w[0]);
  cr_expect_eq((uintptr_t)w[1], 11);

  /* copy: overlapping within one array, both ways */
  for (uint32_t i = 0; i < 6; i++) {
    uint16_t v = (uint16_t)(i + 1);
    memcpy(arr + WASMRT_GC_ARRAY_DATA + 2 * i, &v, 2);
  }
  cr_expect_eq(wasmrt_array_copy(ctx, arr, 1, arr, 0, 5), 0);
  for (uint32_t i = 1; i < 6; i++) cr_expect_eq(i16_at(arr, i), i);
  cr_expect_eq(wasmrt_array_copy(ctx, arr, 0, arr, 1, 5), 0);
  for (uint32_t i = 0; i < 5; i++) cr_expect_eq(i16_at(arr, i), i + 1);
  cr_expect_eq(wasmrt_array_copy(ctx, arr, 2, arr, 0, 5), WASMRT_TRAP_ARRAY_OOB);
  cr_expect_eq(wasmrt_array_copy(ctx, arr, 0, arr, 2, 5), WASMRT_TRAP_ARRAY_OOB);
  cr_expect_eq(wasmrt_array_copy(ctx, arr, 6, arr, 6, 0), 0);
  cr_expect_eq(wasmrt_array_copy(ctx, arr, 7, arr, 0, 0), WASMRT_TRAP_ARRAY_OOB);

  /* fill */
  uint16_t v = 0xBEEF;
  cr_expect_eq(wasmrt_array_fill(ctx, arr, 2, &v, 5), WASMRT_TRAP_ARRAY_OOB);
  cr_expect_eq(wasmrt_array_fill(ctx, arr, 2, &v, 3), 0);
  cr_expect_eq(i16_at(arr, 1), 2);
  for (uint32_t i = 2; i < 5; i++) cr_expect_eq(i16_at(arr, i), 0xBEEF);
  cr_expect_eq(i16_at(arr, 5), 5);
  void *word = (void *)(uintptr_t)7;
  cr_expect_eq(wasmrt_array_fill(ctx, refs, 0, &word, 4), 0);
  cr_expect_eq((uintptr_t)w[3], 7);
  wasmrt_instance_free(inst);
}

Test(gc_embed, reference_words_from_the_host) {
  cr_expect(rt_ref_word_ok(0));
  cr_expect(rt_ref_word_ok(0x1000), "a host value");
  cr_expect(rt_ref_word_ok(0xFFFFFFFFu), "an i31");
  cr_expect(rt_ref_word_ok(0x1002), "an object word from Wasm");
  cr_expect(!rt_ref_word_ok(0x100000001ull), "odd above 2^32: no i31");
  wasmrt_val v = {.ref = (void *)(uintptr_t)0x100000003ull};
  cr_expect_null(wasmrt_global_new(WASMRT_ANYREF, true, v));
  wasmrt_global *g = wasmrt_global_new(WASMRT_I64, true, v);
  cr_expect_not_null(g, "a number is not checked");
  wasmrt_global_free(g);
  v.ref = (void *)(uintptr_t)0x11;
  g = wasmrt_global_new(WASMRT_EXTERNREF, true, v);
  cr_expect_not_null(g);
  wasmrt_global_free(g);
  wasmrt_error err;
  wasmrt_table *t = wasmrt_table_new(WASMRT_ANYREF, 2, 4, true, &err);
  cr_assert(t, "%s", err.message);
  cr_expect_eq(t->elem_type, WASMRT_ANYREF);
  cr_expect_eq(rt_table_grow(t, 100, NULL), -1);
  cr_expect_eq(rt_table_grow(t, 2, (void *)(uintptr_t)3), 2);
  gc_collect(); /* the provider reads the grown table */
  wasmrt_table_free(t);
}

/* ---- wasmrt_call and the shadow stack ----------------------------------------
 * A stand-in for a Wasm function of type [anyref i64 i32] -> []: it links
 * a shadow-stack frame, as generated code does, and traps without
 * unlinking it (a trap's longjmp skips every epilogue). */
static wasmrt_gc_frame *seen_roots;
static void *seen_arg;
static void trapping_fn(void *ctx, void *ref) {
  (void)ctx;
  seen_arg = ref;
  static _Thread_local struct {
    wasmrt_gc_frame f;
    void *slot[1];
  } frame;
  frame.f.prev = wasmrt_gc.roots;
  frame.f.nslots = 1;
  frame.slot[0] = ref;
  wasmrt_gc.roots = &frame.f;
  seen_roots = wasmrt_gc.roots;
  rt_raise(WASMRT_TRAP_UNREACHABLE, 0, NULL, NULL);
}
static void trapping_entry(void *code, void *ctx, wasmrt_val *vals) {
  ((void (*)(void *, void *))code)(ctx, vals[0].ref);
}

Test(gc_embed, call_restores_the_shadow_stack_and_checks_references) {
  static const uint8_t params[] = {WASMRT_ANYREF, WASMRT_I64, WASMRT_I32};
  uint32_t id = rt_types_intern(params, 3, NULL, 0, NULL, trapping_entry);
  cr_assert_neq(id, UINT32_MAX);
  static wasmrt_vmctx ctx;
  wasmrt_funcref fn = {(void *)trapping_fn, &ctx, id, 0};
  wasmrt_gc_frame outer = {NULL, 0};
  wasmrt_gc.roots = &outer; /* as if a host callback's Wasm caller had a frame */
  wasmrt_val vals[3] = {{.ref = (void *)(uintptr_t)0x1234}, {.i64 = 0}, {.i32 = 0}};
  wasmrt_error err;
  cr_assert_not(wasmrt_call(NULL, &fn, vals, 3, &err));
  cr_expect_eq(err.trap, WASMRT_TRAP_UNREACHABLE);
  cr_expect_neq(seen_roots, &outer, "the callee linked its frame");
  cr_expect_eq(wasmrt_gc.roots, &outer, "restored after the trap");
  cr_expect_eq(seen_arg, (void *)(uintptr_t)0x1234);

  seen_arg = NULL;
  vals[0].ref = (void *)(uintptr_t)0x123456789ull; /* odd, above 2^32 */
  cr_assert_not(wasmrt_call(NULL, &fn, vals, 3, &err));
  cr_expect_eq(err.trap, WASMRT_TRAP_NONE, "refused, not trapped");
  cr_expect_null(seen_arg, "nothing ran");
  cr_expect(strstr(err.message, "parameter 0"), "%s", err.message);
  vals[0].ref = (void *)(uintptr_t)0x7FFFFFFFu; /* an i31 word */
  cr_assert_not(wasmrt_call(NULL, &fn, vals, 3, &err));
  cr_expect_eq(err.trap, WASMRT_TRAP_UNREACHABLE);
  cr_expect_eq(wasmrt_gc.roots, &outer);
  wasmrt_gc.roots = NULL;
}

/* ---- exceptions -------------------------------------------------------------- */

Test(gc_exceptions, payload_objects_survive_while_pending) {
  make_types(&A, 0, 0);
  cr_assert(rt_types_intern_module(&A.d, NULL, A.ids));
  const wasmrt_rtt *s = rt_types_rtt(A.ids[0]);
  static const uint8_t params[] = {WASMRT_I32, WASMRT_ANYREF, WASMRT_EXTERNREF};
  wasmrt_tag *tag = wasmrt_tag_new(params, 3), *plain = wasmrt_tag_new(params, 1);
  cr_assert(tag && plain);
  uint8_t *o = gc_alloc(s, s->size);
  cr_assert(o);
  *(int32_t *)(o + 8) = 77;
  wasmrt_val vals[3] = {{.i32 = 2}, {.ref = (void *)gc_word_of(o)}, {.ref = NULL}};
  cr_assert(wasmrt_exception_raise(tag, vals));
  const wasmrt_exn *e = wasmrt_exception_pending();
  cr_assert(e);
  cr_expect_eq((uintptr_t)e->vals[1].ref, gc_word_of(o));
  gc_collect();
  for (int i = 0; i < 1000; i++) cr_assert(gc_alloc(s, s->size));
  cr_expect_eq(*(const wasmrt_rtt **)o, s, "the payload's object is alive");
  cr_expect_eq(*(int32_t *)(o + 8), 77);
  /* replacing the pending exception frees the first (off the list) */
  cr_assert(wasmrt_exception_raise(plain, vals));
  cr_expect_eq(wasmrt_exception_pending()->tag, plain);
  rt_exn_set_pending(NULL);
  gc_collect();
  cr_expect_null(wasmrt_exception_pending());
  wasmrt_tag_free(tag);
  wasmrt_tag_free(plain);
}

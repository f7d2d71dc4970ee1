/* test_subtype.c: the Wasm 3.0 type section (rec, sub, sub final; func,
 * struct and array types), iso-recursive type
 * equivalence and the subtyping relation (compiler/subtype.c). Modules
 * are assembled with wasm_builder; the type section is given as raw
 * bytes (count of groups, then the groups). */
#include <criterion/criterion.h>
#include <string.h>

#include "subtype.h"
#include "wasm_builder.h"

#define TYPES(...)                                                            \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* Decodes a module with only this type section and checks it with
 * wasm_check_types (the validator itself still refuses typed references
 * in types until typed function references land). */
static wasm_module *types_module(const uint8_t *sec, size_t n, bool *valid,
                                 wasm_error *err) {
  wb_buf b = wb_module();
  size_t s = wb_section(&b, WB_SEC_TYPE);
  wb_bytes(&b, sec, n);
  wb_end(&b, s);
  memset(err, 0, sizeof *err);
  wasm_module *m = wb_decode(&b, err);
  cr_assert(m, "decode failed: %s @0x%zx", err->msg, err->offset);
  *valid = wasm_check_types(m, err);
  /* the module points into the buffer: hand it over */
  m->owned_bytes = b.data;
  return m;
}

static wasm_module *valid_types(const uint8_t *sec, size_t n) {
  bool ok;
  wasm_error err;
  wasm_module *m = types_module(sec, n, &ok, &err);
  cr_assert(ok, "rejected: %s @0x%zx", err.msg, err.offset);
  return m;
}

static void invalid_types(const uint8_t *sec, size_t n, const char *msg) {
  bool ok;
  wasm_error err;
  wasm_module *m = types_module(sec, n, &ok, &err);
  cr_assert(!ok, "accepted, expected \"%s\"", msg);
  cr_assert(strstr(err.msg, msg), "message \"%s\" lacks \"%s\"", err.msg, msg);
  wasm_module_free(m);
}

#define HT(i) (WASM_HT_INDEX + (i))

Test(types, rec_groups_decode_flat) {
  /* (rec (type (func)) (type (func (param i32)))) (type (sub (func))) */
  wasm_module *m = valid_types(TYPES(2, 0x4E, 2, 0x60, 0, 0, 0x60, 1, 0x7F, 0,
                                     0x50, 0, 0x60, 0, 0));
  cr_assert_eq(m->ntypes, 3);
  cr_assert_eq(m->nrecs, 2);
  cr_assert_eq(m->subtypes[0].rec_first, 0);
  cr_assert_eq(m->subtypes[1].rec_size, 2);
  cr_assert_eq(m->subtypes[2].rec_first, 2);
  cr_assert_eq(m->subtypes[2].rec_size, 1);
  cr_assert(m->subtypes[0].final);
  cr_assert(!m->subtypes[2].final);
  cr_assert_eq(m->types[1].params[0], WASM_I32);
  wasm_module_free(m);
}

Test(types, iso_recursive_equivalence) {
  /* 0: (func)             1: (func)              -> equivalent
   * 2,3: (rec (func) (func (param (ref 2))))     the group
   * 4,5: (rec (func) (func (param (ref 4))))     the same group again
   * 6,7: (rec (func) (func (param (ref 6)))) but with 7's param nullable */
  wasm_module *m = valid_types(TYPES(
      5, 0x60, 0, 0, 0x60, 0, 0,
      0x4E, 2, 0x60, 0, 0, 0x60, 1, 0x64, 2, 0,
      0x4E, 2, 0x60, 0, 0, 0x60, 1, 0x64, 4, 0,
      0x4E, 2, 0x60, 0, 0, 0x60, 1, 0x63, 6, 0));
  cr_assert(wasm_types_equiv(m, 0, 1));
  cr_assert(wasm_types_equiv(m, 2, 4));
  cr_assert(wasm_types_equiv(m, 3, 5));
  /* a type in a group of two is not the lone (func) */
  cr_assert(!wasm_types_equiv(m, 0, 2));
  cr_assert(!wasm_types_equiv(m, 2, 3));
  cr_assert(!wasm_types_equiv(m, 3, 7));
  cr_assert(wasm_vt_equiv(m, wasm_vt_ref(false, HT(3)),
                          wasm_vt_ref(false, HT(5))));
  wasm_module_free(m);
}

Test(types, equivalence_through_outside_references) {
  /* 0, 1: (func) twice; 2: (func (param (ref 0))); 3: (func (param (ref 1)))
   * 2 and 3 refer to equivalent types outside their groups */
  wasm_module *m = valid_types(TYPES(4, 0x60, 0, 0, 0x60, 0, 0, 0x60, 1, 0x64,
                                     0, 0, 0x60, 1, 0x64, 1, 0));
  cr_assert(wasm_types_equiv(m, 2, 3));
  wasm_module_free(m);
}

Test(types, abstract_hierarchy) {
  wasm_module *m = valid_types(TYPES(1, 0x60, 0, 0));
  cr_assert(wasm_heap_sub(m, WASM_HT_NOFUNC, WASM_HT_FUNC));
  cr_assert(wasm_heap_sub(m, WASM_HT_NOFUNC, HT(0)));
  cr_assert(wasm_heap_sub(m, HT(0), WASM_HT_FUNC));
  cr_assert(!wasm_heap_sub(m, WASM_HT_FUNC, HT(0)));
  cr_assert(!wasm_heap_sub(m, HT(0), WASM_HT_ANY));
  cr_assert(wasm_heap_sub(m, WASM_HT_NOEXTERN, WASM_HT_EXTERN));
  cr_assert(!wasm_heap_sub(m, WASM_HT_EXTERN, WASM_HT_FUNC));
  cr_assert(wasm_heap_sub(m, WASM_HT_NOEXN, WASM_HT_EXN));
  cr_assert(wasm_heap_sub(m, WASM_HT_NONE, WASM_HT_I31));
  cr_assert(wasm_heap_sub(m, WASM_HT_I31, WASM_HT_EQ));
  cr_assert(wasm_heap_sub(m, WASM_HT_STRUCT, WASM_HT_ANY));
  cr_assert(wasm_heap_sub(m, WASM_HT_ARRAY, WASM_HT_EQ));
  cr_assert(!wasm_heap_sub(m, WASM_HT_ANY, WASM_HT_EQ));
  cr_assert(!wasm_heap_sub(m, WASM_HT_NONE, WASM_HT_FUNC));
  /* value types: nullability */
  cr_assert(wasm_vt_sub(m, wasm_vt_ref(false, HT(0)), WASM_FUNCREF));
  cr_assert(!wasm_vt_sub(m, wasm_vt_ref(true, HT(0)),
                         wasm_vt_ref(false, WASM_HT_FUNC)));
  cr_assert(wasm_vt_sub(m, WASM_HT_NOFUNC, wasm_vt_ref(true, HT(0))));
  cr_assert(!wasm_vt_sub(m, WASM_I32, WASM_I64));
  cr_assert(!wasm_vt_sub(m, WASM_I32, WASM_FUNCREF));
  cr_assert_eq(wasm_heap_top(m, HT(0)), WASM_HT_FUNC);
  cr_assert_eq(wasm_heap_top(m, WASM_HT_NOEXTERN), WASM_HT_EXTERN);
  wasm_module_free(m);
}

Test(types, declared_subtyping) {
  /* 0: (sub (func (param funcref) (result (ref null 0))))
   * 1: (sub 0 (func (param funcref) (result (ref 1))))  results covariant
   * 2: (sub final 1 (func (param funcref) (result (ref 1)))) */
  wasm_module *m = valid_types(TYPES(
      3, 0x50, 0, 0x60, 1, 0x70, 1, 0x63, 0,
      0x50, 1, 0, 0x60, 1, 0x70, 1, 0x64, 1,
      0x4F, 1, 1, 0x60, 1, 0x70, 1, 0x64, 1));
  cr_assert(wasm_heap_sub(m, HT(2), HT(0)));
  cr_assert(wasm_heap_sub(m, HT(1), HT(0)));
  cr_assert(!wasm_heap_sub(m, HT(0), HT(1)));
  cr_assert(m->subtypes[2].final);
  wasm_module_free(m);
}

Test(types, invalid_type_sections) {
  /* supertype final (a plain 0x60 is final) */
  invalid_types(TYPES(2, 0x60, 0, 0, 0x50, 1, 0, 0x60, 0, 0), "sub type");
  /* supertype defined later */
  invalid_types(TYPES(2, 0x50, 1, 1, 0x60, 0, 0, 0x50, 0, 0x60, 0, 0),
                "unknown type");
  /* parameters are contravariant: a subtype taking (ref func) cannot
   * stand for a supertype taking funcref (the reverse is fine) */
  invalid_types(TYPES(2, 0x50, 0, 0x60, 1, 0x70, 0,
                      0x50, 1, 0, 0x60, 1, 0x64, 0x70, 0),
                "sub type 1 does not match");
  bool ok;
  wasm_error err;
  wasm_module *m = types_module(TYPES(2, 0x50, 0, 0x60, 1, 0x64, 0x70, 0,
                                      0x50, 1, 0, 0x60, 1, 0x70, 0),
                                &ok, &err);
  cr_assert(ok, "rejected: %s", err.msg);
  wasm_module_free(m);
  /* two supertypes */
  invalid_types(TYPES(2, 0x50, 0, 0x60, 0, 0, 0x50, 2, 0, 0, 0x60, 0, 0),
                "sub type");
  /* a reference past the end of its group */
  invalid_types(TYPES(1, 0x60, 1, 0x64, 1, 0), "unknown type");
  /* a struct field past the end of its group */
  invalid_types(TYPES(1, 0x5F, 1, 0x63, 1, 1), "unknown type");
  /* a struct may not declare an array (or a function) as its supertype */
  invalid_types(TYPES(2, 0x50, 0, 0x5E, 0x7F, 0, 0x50, 1, 0, 0x5F, 0),
                "sub type 1 does not match");
}

/* Struct and array subtyping (GC): width (more fields), depth (immutable
 * fields covariant, mutable ones invariant), mutability and packed
 * types exact. */
Test(types, struct_and_array_subtyping) {
  /* 0: (sub (struct (field i32)))
   * 1: (sub 0 (struct (field i32) (field (mut i64))))     width
   * 2: (sub (struct (field anyref)))
   * 3: (sub 2 (struct (field (ref i31))))                 depth, immutable
   * 4: (sub (array (mut i8)))
   * 5: (sub 4 (array (mut i8))) */
  wasm_module *m = valid_types(TYPES(
      6, 0x50, 0, 0x5F, 1, 0x7F, 0,
      0x50, 1, 0, 0x5F, 2, 0x7F, 0, 0x7E, 1,
      0x50, 0, 0x5F, 1, 0x6E, 0,
      0x50, 1, 2, 0x5F, 1, 0x64, 0x6C, 0,
      0x50, 0, 0x5E, 0x78, 1,
      0x50, 1, 4, 0x5E, 0x78, 1));
  cr_assert(wasm_heap_sub(m, HT(1), HT(0)));
  cr_assert(wasm_heap_sub(m, HT(3), HT(2)));
  cr_assert(wasm_heap_sub(m, HT(5), HT(4)));
  cr_assert(wasm_heap_sub(m, HT(1), WASM_HT_STRUCT));
  cr_assert(wasm_heap_sub(m, HT(5), WASM_HT_EQ));
  cr_assert(!wasm_heap_sub(m, HT(5), WASM_HT_STRUCT));
  cr_assert_eq(wasm_heap_top(m, HT(4)), WASM_HT_ANY);
  wasm_module_free(m);
  /* fewer fields than the supertype */
  invalid_types(TYPES(2, 0x50, 0, 0x5F, 1, 0x7F, 0, 0x50, 1, 0, 0x5F, 0),
                "sub type 1 does not match");
  /* a mutable field is invariant: (mut anyref) -> (mut (ref i31)) */
  invalid_types(TYPES(2, 0x50, 0, 0x5F, 1, 0x6E, 1,
                      0x50, 1, 0, 0x5F, 1, 0x64, 0x6C, 1),
                "sub type 1 does not match");
  /* mutability must agree, even for the same type */
  invalid_types(TYPES(2, 0x50, 0, 0x5E, 0x7F, 1, 0x50, 1, 0, 0x5E, 0x7F, 0),
                "sub type 1 does not match");
  /* packed types match only themselves (immutable i8 -> i16, i8 -> i32) */
  invalid_types(TYPES(2, 0x50, 0, 0x5E, 0x78, 0, 0x50, 1, 0, 0x5E, 0x77, 0),
                "sub type 1 does not match");
  invalid_types(TYPES(2, 0x50, 0, 0x5E, 0x7F, 0, 0x50, 1, 0, 0x5E, 0x78, 0),
                "sub type 1 does not match");
}

/* Canonical equivalence sees field mutability and packed storage. */
Test(types, struct_equivalence_sees_mut_and_packing) {
  /* 0: (struct (field i8))  1: (struct (field i8))  2: (struct (field i16))
   * 3: (struct (field (mut i8)))  4: (array i32)  5: (array (mut i32)) */
  wasm_module *m = valid_types(TYPES(6, 0x5F, 1, 0x78, 0, 0x5F, 1, 0x78, 0,
                                     0x5F, 1, 0x77, 0, 0x5F, 1, 0x78, 1,
                                     0x5E, 0x7F, 0, 0x5E, 0x7F, 1));
  cr_assert(wasm_types_equiv(m, 0, 1));
  cr_assert(!wasm_types_equiv(m, 0, 2));
  cr_assert(!wasm_types_equiv(m, 0, 3));
  cr_assert(!wasm_types_equiv(m, 4, 5));
  wasm_module_free(m);
}

Test(types, mismatched_subtype_is_refused) {
  /* (sub (func (result i32))) then (sub 0 (func (result i64))) */
  invalid_types(TYPES(2, 0x50, 0, 0x60, 0, 1, 0x7F,
                      0x50, 1, 0, 0x60, 0, 1, 0x7E),
                "sub type 1 does not match");
}

/* test_rt_entry_points.c: the runtime entry points as the compiler declares
 * them in an LLVM module (compiler/lower.c) against their C prototypes,
 * both made from the one list WASMRT_ENTRY_POINTS (runtime/wasmrt_abi.h).
 *
 * lower.c chooses each LLVM type from the entry's C type; this test
 * classifies the C types on its own (size, integer or pointer) and checks,
 * entry by entry, the declaration's name, result, parameters and noreturn
 * attribute, that the module declares no runtime function outside the
 * list, and (by taking their addresses, so the link fails otherwise) that
 * libwasmrt defines every entry point. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "lower.h"
#include "wasmrt_abi.h"

/* ---- the C side, classified here ----------------------------------------- */

enum { C_VOID, C_INT, C_FLOAT, C_PTR };

typedef struct {
  int kind;
  unsigned bits;
} c_type;

/* Anything not void nor arithmetic is taken for a pointer (no entry
 * point passes a struct); params also have their size checked. */
#define C_KIND(T)                                                              \
  _Generic((T (*)(void))0,                                                     \
      void (*)(void): C_VOID,                                                  \
      int8_t (*)(void): C_INT, uint8_t (*)(void): C_INT,                       \
      int16_t (*)(void): C_INT, uint16_t (*)(void): C_INT,                     \
      int32_t (*)(void): C_INT, uint32_t (*)(void): C_INT,                     \
      int64_t (*)(void): C_INT, uint64_t (*)(void): C_INT,                     \
      float (*)(void): C_FLOAT, double (*)(void): C_FLOAT,                     \
      default: C_PTR)
#define C_BITS(T)                                                              \
  _Generic((T (*)(void))0,                                                     \
      void (*)(void): 0u,                                                      \
      int8_t (*)(void): 8u, uint8_t (*)(void): 8u,                             \
      int16_t (*)(void): 16u, uint16_t (*)(void): 16u,                         \
      int32_t (*)(void): 32u, uint32_t (*)(void): 32u,                         \
      int64_t (*)(void): 64u, uint64_t (*)(void): 64u,                         \
      float (*)(void): 32u, double (*)(void): 64u,                             \
      default: 64u /* pointers: the ABI's targets are 64-bit */)
#define C_TYPE(T) {C_KIND(T), C_BITS(T)}
#define C_PARAM(type, param) C_TYPE(type)
#define C_PARAM_SIZE(type, param) sizeof(type)
#define C_NORETURN_noreturn true
#define C_NORETURN_throws true
#define C_NORETURN_none false

typedef struct {
  const char *name;
  lower_rt id;
  bool noreturn;
  c_type result;
  unsigned nparams;
  c_type params[8];
  size_t param_sizes[8];
  void (*address)(void); /* the runtime's definition */
} c_entry;

static const c_entry entries[] = {
#define C_ENTRY(id, name, attr, result, n, ...)                                \
  {#name, RT_##id, C_NORETURN_##attr, C_TYPE(result), n,                       \
   {WASMRT_EP_MAP##n(C_PARAM, WASMRT_EP_COMMA, __VA_ARGS__)},                  \
   {WASMRT_EP_MAP##n(C_PARAM_SIZE, WASMRT_EP_COMMA, __VA_ARGS__)},             \
   (void (*)(void))name},
    WASMRT_ENTRY_POINTS(C_ENTRY)
#undef C_ENTRY
};
enum { NENTRIES = sizeof entries / sizeof *entries };

/* ---- the LLVM side ---------------------------------------------------------- */

/* A lower_module of the empty module: it declares the runtime and nothing
 * else. */
static lower_module *empty_module(wasm_module **wm) {
  static const uint8_t bytes[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wasm_error err = {0};
  *wm = wasm_decode(bytes, sizeof bytes, "empty.wasm", &err);
  cr_assert(*wm, "decode: %s", err.msg);
  cr_assert(wasm_validate(*wm, &err), "validate: %s", err.msg);
  lower_module *lm = lower_module_new(*wm, NULL, NULL, &err);
  cr_assert(lm, "lower_module_new: %s", err.msg);
  return lm;
}

static void check_type(const char *what, const char *name, LLVMTypeRef t,
                       c_type c) {
  switch (c.kind) {
  case C_VOID:
    cr_expect_eq(LLVMGetTypeKind(t), LLVMVoidTypeKind, "%s of %s: not void",
                 what, name);
    break;
  case C_INT:
    cr_expect(LLVMGetTypeKind(t) == LLVMIntegerTypeKind &&
                  LLVMGetIntTypeWidth(t) == c.bits,
              "%s of %s: not an i%u", what, name, c.bits);
    break;
  case C_FLOAT:
    cr_expect(c.bits == 32 ? LLVMGetTypeKind(t) == LLVMFloatTypeKind
                           : LLVMGetTypeKind(t) == LLVMDoubleTypeKind,
              "%s of %s: not a %u-bit float", what, name, c.bits);
    break;
  default:
    cr_expect_eq(LLVMGetTypeKind(t), LLVMPointerTypeKind, "%s of %s: not a ptr",
                 what, name);
    cr_expect_eq(LLVMGetPointerAddressSpace(t), 0u,
                 "%s of %s: not address space 0", what, name);
  }
}

Test(rt_entry_points, declarations_match_the_prototypes) {
  wasm_module *wm;
  lower_module *lm = empty_module(&wm);
  cr_assert_eq(NENTRIES, RT_COUNT);
  unsigned noreturn = LLVMGetEnumAttributeKindForName("noreturn", 8);
  for (int i = 0; i < NENTRIES; i++) {
    const c_entry *e = &entries[i];
    cr_expect_eq(e->id, (lower_rt)i, "%s: out of the list's order", e->name);
    cr_expect(e->address != NULL, "%s: not in libwasmrt", e->name);
    LLVMValueRef fn = LLVMGetNamedFunction(lm->mod, e->name);
    cr_assert(fn, "%s: not declared", e->name);
    cr_expect_eq(fn, lm->rt[e->id], "%s: lm->rt has another function", e->name);
    LLVMTypeRef ft = LLVMGlobalGetValueType(fn);
    cr_expect_eq(ft, lm->rt_types[e->id], "%s: called with another type",
                 e->name);
    cr_expect(!LLVMIsFunctionVarArg(ft), "%s: variadic", e->name);
    check_type("result", e->name, LLVMGetReturnType(ft), e->result);
    cr_assert_eq(LLVMCountParamTypes(ft), e->nparams, "%s: %u params, not %u",
                 e->name, LLVMCountParamTypes(ft), e->nparams);
    LLVMTypeRef params[8];
    LLVMGetParamTypes(ft, params);
    for (unsigned k = 0; k < e->nparams; k++) {
      char what[32];
      snprintf(what, sizeof what, "param %u", k);
      cr_expect_eq(e->param_sizes[k] * 8, e->params[k].bits,
                   "%s of %s: C type of %zu bytes", what, e->name,
                   e->param_sizes[k]);
      check_type(what, e->name, params[k], e->params[k]);
    }
    bool has_noreturn = LLVMGetEnumAttributeAtIndex(
                            fn, LLVMAttributeFunctionIndex, noreturn) != NULL;
    cr_expect_eq(has_noreturn, e->noreturn, "%s: noreturn %s in LLVM only",
                 e->name, has_noreturn ? "set" : "missing");
  }
  lower_module_free(lm);
  wasm_module_free(wm);
}

Test(rt_entry_points, nothing_declared_outside_the_list) {
  wasm_module *wm;
  lower_module *lm = empty_module(&wm);
  unsigned n = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(lm->mod); fn;
       fn = LLVMGetNextFunction(fn)) {
    size_t len;
    const char *name = LLVMGetValueName2(fn, &len);
    bool listed = false;
    for (int i = 0; i < NENTRIES; i++)
      listed |= strcmp(name, entries[i].name) == 0;
    cr_expect(listed, "%s: declared, but not in WASMRT_ENTRY_POINTS", name);
    n++;
  }
  cr_expect_eq(n, (unsigned)NENTRIES);
  lower_module_free(lm);
  wasm_module_free(wm);
}

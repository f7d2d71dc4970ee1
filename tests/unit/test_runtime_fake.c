/* test_runtime_fake.c: the fake "compiled" modules of test_runtime_fake.h.
 * The functions mimic what wasmc generates, down to the stack-limit
 * prologue and calling wasmrt_trap with their own function index. */
#include "test_runtime_fake.h"

#include <stddef.h>
#include <stdint.h>

#define NOINLINE __attribute__((noinline))
/* Wasm accesses may be unaligned (the tests load at index -1). */
typedef int32_t __attribute__((aligned(1))) unaligned_i32;
typedef int32_t (*fn_i32_i32)(void *, int32_t);
typedef int32_t (*fn_void_i32)(void *);
typedef void (*fn_void)(void *);
typedef void (*fn_i32_void)(void *, int32_t);

volatile int *fake_wild_ptr;
volatile int fake_recurse_depth;

/* ---- trampolines ---------------------------------------------------------- */
static void entry_i32_i32(void *code, void *ctx, wasmrt_val *v) {
  v[0].i32 = ((fn_i32_i32)code)(ctx, v[0].i32);
}
static void entry_void(void *code, void *ctx, wasmrt_val *v) { ((fn_void)code)(ctx); }
static void entry_i32_void(void *code, void *ctx, wasmrt_val *v) {
  ((fn_i32_void)code)(ctx, v[0].i32);
}
static void entry_void_i32(void *code, void *ctx, wasmrt_val *v) {
  v[0].i32 = ((fn_void_i32)code)(ctx);
}
const wasmrt_entry_fn fake_entries[FAKE_NTYPES] = {entry_i32_i32, entry_void, entry_i32_void,
                                                   entry_void_i32};

static int32_t adapter_i32_i32(wasmrt_host_func *hf, int32_t x) {
  wasmrt_val v[1];
  v[0].i32 = x;
  wasmrt_call_host(hf, v);
  return v[0].i32;
}
static void *const adapters[FAKE_NTYPES] = {(void *)adapter_i32_i32, NULL, NULL, NULL};

/* ---- "generated" functions ----------------------------------------------- */
static int32_t f_load(void *ctx, int32_t i) {
  wasmrt_vmctx *vm = ctx;
  return *(volatile unaligned_i32 *)(vm->mem0_base + (uint64_t)(uint32_t)i);
}
static int32_t f_load_far(void *ctx, int32_t i) {
  wasmrt_vmctx *vm = ctx;
  return *(volatile unaligned_i32 *)(vm->mem0_base + (uint64_t)(uint32_t)i + 0xFFFFFFFFull);
}
static int32_t f_div(void *ctx) { wasmrt_trap(ctx, WASMRT_TRAP_INT_DIV_ZERO, FAKE_F_DIV); }

/* Called through a volatile pointer so that no compiler turns the
 * recursion into a loop. */
static int32_t f_recurse(void *ctx, int32_t n);
static int32_t (*volatile recurse_ptr)(void *, int32_t) = f_recurse;
static NOINLINE int32_t f_recurse(void *ctx, int32_t n) {
  wasmrt_vmctx *vm = ctx;
  if ((uintptr_t)__builtin_frame_address(0) < vm->stack_limit)
    wasmrt_trap(vm, WASMRT_TRAP_STACK_EXHAUSTED, FAKE_F_RECURSE);
  fake_recurse_depth = n;
  if (n == 1000000) return 0;
  volatile int32_t pad[8];
  pad[0] = n;
  return recurse_ptr(ctx, n + 1) + pad[0] - n;
}
static int32_t f_recurse_raw(void *ctx, int32_t n);
static int32_t (*volatile recurse_raw_ptr)(void *, int32_t) = f_recurse_raw;
static NOINLINE int32_t f_recurse_raw(void *ctx, int32_t n) {
  volatile int32_t pad[64];
  pad[0] = n;
  fake_recurse_depth = n;
  return recurse_raw_ptr(ctx, n + 1) + pad[0] - n;
}
static int32_t f_call_host(void *ctx, int32_t x) {
  wasmrt_funcref *f = ((wasmrt_vmctx *)ctx)->funcs[FAKE_F_HOST];
  return ((fn_i32_i32)f->code)(f->ctx, x);
}
static int32_t f_grow(void *ctx, int32_t d) { return wasmrt_memory_grow(ctx, 0, (uint32_t)d); }
static int32_t f_wild(void *ctx, int32_t x) {
  *fake_wild_ptr = x;
  return x;
}
static void f_start(void *ctx) { ((wasmrt_vmctx *)ctx)->mem0_base[0] = 7; }
/* call_indirect of table 0, element i, expected type [] -> [i32]. */
static int32_t f_call_ref(void *ctx, int32_t i) {
  wasmrt_vmctx *vm = ctx;
  wasmrt_table *t = vm->tables[0];
  if ((uint32_t)i >= t->size) wasmrt_trap(vm, WASMRT_TRAP_UNDEFINED_ELEMENT, FAKE_F_CALL_REF);
  wasmrt_funcref *f = t->elems[i];
  if (!f) wasmrt_trap(vm, WASMRT_TRAP_UNINITIALIZED, FAKE_F_CALL_REF);
  if (f->type_id != vm->type_ids[FAKE_T_VOID_I32])
    wasmrt_trap(vm, WASMRT_TRAP_INDIRECT_TYPE, FAKE_F_CALL_REF);
  return ((fn_void_i32)f->code)(f->ctx);
}

/* ---- descriptor ----------------------------------------------------------- */
static const uint8_t i32s[] = {WASMRT_I32};
static const wasmrt_functype_desc types[FAKE_NTYPES] = {
    {1, 1, i32s, i32s}, {0, 0, NULL, NULL}, {1, 0, i32s, NULL}, {0, 1, NULL, i32s}};
wasmrt_import_desc fake_imports[1] = {
    {"env", "host", 3, 4, WASMRT_EXTERN_FUNC, FAKE_T_I32_I32, 0, 0, {0, 0, 0, 0, 0}}};
static const uint32_t func_types[FAKE_NFUNCS] = {
    FAKE_T_I32_I32, FAKE_T_I32_I32, FAKE_T_I32_I32, FAKE_T_VOID_I32,
    FAKE_T_I32_I32, FAKE_T_I32_I32, FAKE_T_I32_I32, FAKE_T_I32_I32,
    FAKE_T_VOID,    FAKE_T_I32_I32, FAKE_T_I32_I32};
static void *const func_ptrs[FAKE_NFUNCS - 1] = {
    (void *)f_load, (void *)f_load_far, (void *)f_div,   (void *)f_recurse,
    (void *)f_call_host, (void *)f_grow, (void *)f_wild, (void *)f_start,
    (void *)f_recurse_raw, (void *)f_call_ref};
/* wasmrt_module_desc.func_code holds offsets from itself (ABI 8), which C
 * cannot write as constants: filled in before main (fake_func_code). */
static int32_t func_code[FAKE_NFUNCS - 1];
static const char *const func_names[FAKE_NFUNCS] = {
    NULL, "load", NULL, "div", "recurse", "call_host", "grow", "wild", "start",
    "recurse_raw", "call_ref"};
static const wasmrt_table_desc tables[1] = {{WASMRT_FUNCREF, {4, 10, 1, 0, 0}, {0, NULL}}};
wasmrt_memory_desc fake_memory = {{1, 2, 1, 0, 0}};
static const wasmrt_const_op g0_init = {WASMRT_CONST_I32, 0, 42, 0};
static const wasmrt_const_op g1_init = {WASMRT_CONST_REF_FUNC, 0, FAKE_F_LOAD, 0};
static const wasmrt_global_desc globals[2] = {{WASMRT_I32, 1, {1, &g0_init}},
                                              {WASMRT_FUNCREF, 0, {1, &g1_init}}};
static const wasmrt_export_desc exports[] = {
    {"load", 4, WASMRT_EXTERN_FUNC, FAKE_F_LOAD},
    {"load_far", 8, WASMRT_EXTERN_FUNC, FAKE_F_LOAD_FAR},
    {"div", 3, WASMRT_EXTERN_FUNC, FAKE_F_DIV},
    {"recurse", 7, WASMRT_EXTERN_FUNC, FAKE_F_RECURSE},
    {"call_host", 9, WASMRT_EXTERN_FUNC, FAKE_F_CALL_HOST},
    {"grow", 4, WASMRT_EXTERN_FUNC, FAKE_F_GROW},
    {"wild", 4, WASMRT_EXTERN_FUNC, FAKE_F_WILD},
    {"recurse_raw", 11, WASMRT_EXTERN_FUNC, FAKE_F_RECURSE_RAW},
    {"call_ref", 8, WASMRT_EXTERN_FUNC, FAKE_F_CALL_REF},
    {"host", 4, WASMRT_EXTERN_FUNC, FAKE_F_HOST},
    {"mem", 3, WASMRT_EXTERN_MEMORY, 0},
    {"tab", 3, WASMRT_EXTERN_TABLE, 0},
    {"g", 1, WASMRT_EXTERN_GLOBAL, 0},
    {"gf", 2, WASMRT_EXTERN_GLOBAL, 1},
};
wasmrt_const_op fake_elem0_offset = {WASMRT_CONST_I32, 0, 1, 0};
static const wasmrt_const_op ref_f1 = {WASMRT_CONST_REF_FUNC, 0, FAKE_F_LOAD, 0};
static const wasmrt_const_op ref_f3 = {WASMRT_CONST_REF_FUNC, 0, FAKE_F_DIV, 0};
static const wasmrt_const_op ref_f5 = {WASMRT_CONST_REF_FUNC, 0, FAKE_F_CALL_HOST, 0};
static const wasmrt_const_desc elem0_items[2] = {{1, &ref_f1}, {1, &ref_f3}};
/* segment 1 in the compact form (ABI 8), a function and a null */
static const uint32_t elem1_funcs[2] = {FAKE_F_RECURSE, WASMRT_ELEM_NULL};
static const wasmrt_const_desc elem2_items[1] = {{1, &ref_f5}};
static const wasmrt_elem_desc elems[3] = {
    {WASMRT_SEG_ACTIVE, 0, WASMRT_FUNCREF, 2, {1, &fake_elem0_offset}, elem0_items, NULL},
    {WASMRT_SEG_PASSIVE, 0, WASMRT_FUNCREF, 2, {0, NULL}, NULL, elem1_funcs},
    {WASMRT_SEG_DECLARATIVE, 0, WASMRT_FUNCREF, 1, {0, NULL}, elem2_items, NULL}};
wasmrt_const_op fake_data0_offset = {WASMRT_CONST_I32, 0, 16, 0};
static const wasmrt_data_desc datas[2] = {
    {WASMRT_SEG_ACTIVE, 0, 5, {1, &fake_data0_offset}, (const uint8_t *)"hello"},
    {WASMRT_SEG_PASSIVE, 0, 6, {0, NULL}, (const uint8_t *)"world!"}};

wasmrt_module_desc fake_desc = {
    .abi_version = WASMRT_ABI_VERSION,
    .flags = 0,
    .target = "x86_64-pc-linux-gnu",
    .ntypes = FAKE_NTYPES,
    .types = types,
    .entries = fake_entries,
    .host_adapters = adapters,
    .nimports = 1,
    .imports = fake_imports,
    .nfuncs = FAKE_NFUNCS,
    .nimported_funcs = 1,
    .func_types = func_types,
    .func_code = func_code,
    .func_names = func_names,
    .ntables = 1,
    .tables = tables,
    .nmemories = 1,
    .memories = &fake_memory,
    .nglobals = 2,
    .globals = globals,
    .nexports = sizeof exports / sizeof exports[0],
    .exports = exports,
    .nelems = 3,
    .elems = elems,
    .ndatas = 2,
    .datas = datas,
    .start = -1,
    .module_name = "fake",
};

/* ---- second module --------------------------------------------------------- */
static int32_t g_ninety_nine(void *ctx) { return 99; }
static const wasmrt_functype_desc types2[1] = {{0, 1, NULL, i32s}};
static const wasmrt_entry_fn entries2[1] = {entry_void_i32};
static const wasmrt_import_desc imports2[1] = {
    {"env", "tab", 3, 3, WASMRT_EXTERN_TABLE, 0, WASMRT_FUNCREF, 0, {1, 0, 0, 0, 0}}};
static const uint32_t func_types2[1] = {0};
static int32_t func_code2[1];

/* The fake code is this test's own functions: within 2 GB of its data. */
static void code_offsets(int32_t *table, void *const *code, size_t n) {
  for (size_t i = 0; i < n; i++)
    table[i] = (int32_t)((const char *)code[i] - (const char *)table);
}

__attribute__((constructor)) static void fake_func_code(void) {
  code_offsets(func_code, func_ptrs, FAKE_NFUNCS - 1);
  void *const g[1] = {(void *)g_ninety_nine};
  code_offsets(func_code2, g, 1);
}
static const wasmrt_const_op off7 = {WASMRT_CONST_I32, 0, 7, 0};
static const wasmrt_const_op ref_g0 = {WASMRT_CONST_REF_FUNC, 0, 0, 0};
static const wasmrt_const_desc elem2_0_items[1] = {{1, &ref_g0}};
static const wasmrt_elem_desc elems2[1] = {
    {WASMRT_SEG_ACTIVE, 0, WASMRT_FUNCREF, 1, {1, &off7}, elem2_0_items, NULL}};
static const wasmrt_memory_desc memories2[1] = {{{0, 0, 0, 0, 0}}};
static const wasmrt_const_op off_big = {WASMRT_CONST_I32, 0, 0x10000, 0};
static const wasmrt_data_desc datas2[1] = {
    {WASMRT_SEG_ACTIVE, 0, 1, {1, &off_big}, (const uint8_t *)"d"}};
wasmrt_module_desc fake_desc2 = {
    .abi_version = WASMRT_ABI_VERSION,
    .target = "x86_64-pc-linux-gnu",
    .ntypes = 1,
    .types = types2,
    .entries = entries2,
    .nimports = 1,
    .imports = imports2,
    .nfuncs = 1,
    .func_types = func_types2,
    .func_code = func_code2,
    .ntables = 1,
    .nimported_tables = 1,
    .nmemories = 1,
    .memories = memories2,
    .nelems = 1,
    .elems = elems2,
    .ndatas = 1,
    .datas = datas2,
    .start = -1,
};

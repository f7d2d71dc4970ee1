/* test_runtime_fake.h: a hand-written stand-in for a module compiled by
 * wasmc, used by the runtime unit tests: C functions with the generated
 * calling convention (vmctx first), entry trampolines and host adapters
 * written in C, and a descriptor built by hand (test_runtime_fake.c).
 *
 * Function index space (0 is the import "env" "host" : [i32] -> [i32]):
 *   1 load(i32)->i32        *(i32 *)(mem0_base + zext(i))
 *   2 load_far(i32)->i32    same with offset 0xFFFFFFFF (unnamed)
 *   3 div()->i32            explicit trap: integer divide by zero
 *   4 recurse(i32)->i32     recursion with a stack-limit prologue
 *   5 call_host(i32)->i32   calls import 0 through its funcref
 *   6 grow(i32)->i32        memory.grow
 *   7 wild(i32)->i32        writes through fake_wild_ptr (a runtime bug)
 *   8 start()               mem[0] = 7
 *   9 recurse_raw(i32)->i32 recursion without a prologue check
 *  10 call_ref(i32)->i32    call_indirect-like: calls table[0][i]'s code
 * memory 0: 1 page, max 2; table 0: 4 funcref, max 10;
 * globals: 0 mutable i32 = 42, 1 funcref = ref.func 1;
 * elems: 0 active @1 {f1, f3}; 1 passive {f4, null}; 2 declarative {f5};
 * datas: 0 active @16 "hello"; 1 passive "world!".
 * Tests may patch the mutable parts below before instantiating. */
#ifndef TEST_RUNTIME_FAKE_H
#define TEST_RUNTIME_FAKE_H

#include "wasmrt.h"

enum { FAKE_T_I32_I32, FAKE_T_VOID, FAKE_T_I32_VOID, FAKE_T_VOID_I32, FAKE_NTYPES };
enum {
  FAKE_F_HOST, FAKE_F_LOAD, FAKE_F_LOAD_FAR, FAKE_F_DIV, FAKE_F_RECURSE, FAKE_F_CALL_HOST,
  FAKE_F_GROW, FAKE_F_WILD, FAKE_F_START, FAKE_F_RECURSE_RAW, FAKE_F_CALL_REF, FAKE_NFUNCS
};

extern wasmrt_module_desc fake_desc;     /* the descriptor (patchable) */
extern wasmrt_const_op fake_data0_offset; /* i32.const 16 */
extern wasmrt_const_op fake_elem0_offset; /* i32.const 1 */
extern wasmrt_memory_desc fake_memory;    /* 1..2 pages */
extern wasmrt_import_desc fake_imports[1];
extern volatile int *fake_wild_ptr;
extern volatile int fake_recurse_depth;   /* deepest n reached by recurse */
extern const wasmrt_entry_fn fake_entries[FAKE_NTYPES];

/* A second, import-free module sharing no code with the first: one table
 * import "env" "tab" (funcref, min 1) and one function f0 () -> i32
 * returning 99, put at table[7] by an active segment; then an
 * out-of-bounds data segment makes instantiation trap. */
extern wasmrt_module_desc fake_desc2;

#endif

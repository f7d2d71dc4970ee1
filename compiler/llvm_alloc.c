/* llvm_alloc.c: C++'s operator new and delete for LLVM, served by
 * mimalloc instead of glibc's malloc, inside libwasmc_llvm.so only.
 *
 * Why. LLVM allocates constantly (every Value, Use list, DenseMap bucket
 * array and BumpPtrAllocator slab comes from operator new), and with two
 * or more compile threads glibc's malloc spends a large share of the
 * time in _int_malloc, unlink_chunk and malloc_consolidate: 11% of the
 * CPU of yosys.core.wasm at -O2 -j2 (perf). A thread-caching allocator
 * cuts python.wasm's -O2 -j2 compile from 52.5 s to 44 s (the whole
 * process under LD_PRELOAD: jemalloc 43.6 s, mimalloc 44.4 s). mimalloc
 * because it can be dlopened: its thread-local state is 9 bytes of static
 * TLS, jemalloc's 2.6 KB do not fit the surplus glibc keeps for dlopen
 * ("cannot allocate memory in static TLS block").
 *
 * Why only here, and not by linking the allocator into wasmc: the cached path
 * of `wasmc run` must stay cheap (every library loaded at start costs
 * part of a millisecond, the whole budget), and it never compiles. So the
 * executable keeps glibc's malloc, and this library, opened with dlopen
 * only to compile, defines the operator new/delete family itself. The
 * dynamic linker searches a dlopened library's own dependency list in
 * breadth-first order, this library first: libLLVM's and libstdc++'s
 * references to operator new bind here, before libstdc++'s definitions
 * (a versioned reference, _Znwm@GLIBCXX_3.4, binds to an unversioned
 * definition). LLVM's few direct malloc/realloc calls (SmallVector
 * growth) still go to glibc; each pointer is freed by the family that
 * allocated it, so the two heaps never mix.
 *
 * The symbols are the Itanium C++ ABI's mangled names, defined in C (the
 * project is C) and exported by llvm_api.map. Sanitized builds link this
 * library at start: their runtime's operator new comes first in the
 * global scope and these are not used (which is what the sanitizers
 * need).
 *
 * Out of memory: the throwing forms cannot throw std::bad_alloc from C,
 * and LLVM is built without exceptions anyway (it reports a failed
 * allocation and aborts); these print one line and exit 1 instead of
 * returning NULL. The nothrow forms return NULL.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <mimalloc.h>

#define EXPORT __attribute__((visibility("default")))

/* The alignment every plain operator new guarantees
 * (__STDCPP_DEFAULT_NEW_ALIGNMENT__, 16 on the 64-bit hosts). */
enum { DEFAULT_ALIGN = alignof(max_align_t) };

static void *must(void *p) {
  if (!p) {
    static const char msg[] = "wasmc: out of memory while compiling\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(1);
  }
  return p;
}

/* mimalloc returns a unique pointer for 0 bytes too, as new must. */
static void *alloc(size_t n, size_t align) {
  return align > DEFAULT_ALIGN ? mi_malloc_aligned(n, align) : mi_malloc(n);
}

/* mi_free takes any of its pointers, aligned or not; the sized form only
 * checks the size in mimalloc's debug builds. */
static void release(void *p, size_t align) {
  (void)align;
  mi_free(p);
}

static void release_sized(void *p, size_t n, size_t align) {
  (void)align;
  mi_free_size(p, n);
}

/* new(size_t), new[](size_t), and their nothrow_t forms */
EXPORT void *_Znwm(size_t n) { return must(alloc(n, 0)); }
EXPORT void *_Znam(size_t n) { return must(alloc(n, 0)); }
EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, const void *nt) {
  (void)nt;
  return alloc(n, 0);
}
EXPORT void *_ZnamRKSt9nothrow_t(size_t n, const void *nt) {
  (void)nt;
  return alloc(n, 0);
}
/* new(size_t, align_val_t), new[], and their nothrow_t forms */
EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t a) { return must(alloc(n, a)); }
EXPORT void *_ZnamSt11align_val_t(size_t n, size_t a) { return must(alloc(n, a)); }
EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, const void *nt) {
  (void)nt;
  return alloc(n, a);
}
EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, const void *nt) {
  (void)nt;
  return alloc(n, a);
}

/* delete(void *), delete[], sized, aligned, sized and aligned, nothrow */
EXPORT void _ZdlPv(void *p) { release(p, 0); }
EXPORT void _ZdaPv(void *p) { release(p, 0); }
EXPORT void _ZdlPvm(void *p, size_t n) { release_sized(p, n, 0); }
EXPORT void _ZdaPvm(void *p, size_t n) { release_sized(p, n, 0); }
EXPORT void _ZdlPvSt11align_val_t(void *p, size_t a) { release(p, a); }
EXPORT void _ZdaPvSt11align_val_t(void *p, size_t a) { release(p, a); }
EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t a) { release_sized(p, n, a); }
EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t a) { release_sized(p, n, a); }
EXPORT void _ZdlPvRKSt9nothrow_t(void *p, const void *nt) {
  (void)nt;
  release(p, 0);
}
EXPORT void _ZdaPvRKSt9nothrow_t(void *p, const void *nt) {
  (void)nt;
  release(p, 0);
}
EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t a, const void *nt) {
  (void)nt;
  release(p, a);
}
EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t a, const void *nt) {
  (void)nt;
  release(p, a);
}

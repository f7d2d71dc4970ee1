/* shim.c: shim.h's thread start and join, and the program's _start.
 * Each thread gets a stack of its own (malloc'ed by the starting thread:
 * libc is single-threaded, see shim.h), whose top start.s loads into
 * __stack_pointer.
 *
 * Why our own _start (the programs link with -mexec-model=reactor): in a
 * command, wasm-ld 14 wraps every other export, wasi_thread_start too, in
 * a function that calls the destructors after it (__stdio_exit), so each
 * finishing thread would flush the main thread's stdout buffer behind its
 * back. A reactor gets no wrappers; this _start does what crt1-command's
 * does (constructors, main with its arguments, exit). */
#include "shim.h"

#include <stdlib.h>

void __wasm_call_ctors(void);
int __main_void(void);

__attribute__((export_name("_start"))) void shim_start_program(void) {
  __wasm_call_ctors();
  exit(__main_void());
}

#define STACK_SIZE (64 * 1024)

struct shim_thread {
  uint32_t stack_top; /* first: read by start.s */
  void (*fn)(void *);
  void *arg;
  volatile int32_t done;
  void *stack;
};

__attribute__((import_module("wasi"), import_name("thread-spawn")))
int32_t shim_thread_spawn(void *start_arg);

/* Called by start.s on the new stack. */
void shim_thread_main(int32_t tid, shim_thread *t) {
  (void)tid;
  t->fn(t->arg);
  __atomic_store_n(&t->done, 1, __ATOMIC_SEQ_CST);
  shim_notify(&t->done, 1);
}

shim_thread *shim_prepare(void (*fn)(void *), void *arg) {
  shim_thread *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->stack = malloc(STACK_SIZE);
  if (!t->stack) {
    free(t);
    return NULL;
  }
  t->stack_top = (uint32_t)(uintptr_t)t->stack + STACK_SIZE; /* 16-aligned: malloc's */
  t->fn = fn;
  t->arg = arg;
  return t;
}

int32_t shim_spawn_prepared(shim_thread *t) { return shim_thread_spawn(t); }

shim_thread *shim_start(void (*fn)(void *), void *arg) {
  shim_thread *t = shim_prepare(fn, arg);
  if (!t) return NULL;
  if (shim_thread_spawn(t) < 0) {
    free(t->stack);
    free(t);
    return NULL;
  }
  return t;
}

void shim_join(shim_thread *t) {
  while (!__atomic_load_n(&t->done, __ATOMIC_SEQ_CST)) shim_wait(&t->done, 0, -1);
  free(t->stack);
  free(t);
}

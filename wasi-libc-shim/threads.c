/* threads.c: wasi-threads (https://github.com/WebAssembly/wasi-threads)
 * for WASI commands: the import "wasi" "thread-spawn" and the shared
 * memory "env" "memory" that such modules import.
 *
 * The model is the proposal's "instance per thread": every spawned thread
 * gets its own instance of the same module, bound to the same imports
 * (the one shared memory, the one WASI context, thread-spawn itself), and
 * runs its export wasi_thread_start(tid, arg) on a native thread of its
 * own (pthread, THREAD_STACK_SIZE of stack; the runtime's stack limit,
 * alternate signal stack and trap activations are per thread already:
 * runtime/stack.c, trap.c). Toolchains make re-instantiation harmless:
 * with --shared-memory wasm-ld makes the data segments passive and
 * initialises them once, under an atomic flag, in the start function.
 *
 * Ending. A thread whose wasi_thread_start returns just ends (its
 * instance is freed). proc_exit in any thread, a fatal proc_raise, or a
 * trap in a spawned thread ends the whole process at once with that
 * status (exit code n & 255, 128 + signal, 134 with the trap message),
 * as the proposal wants; so does the main thread's _start returning once
 * a thread was spawned (wasi_launch then exits instead of returning: the
 * other threads still use the instance, memory and WASI context).
 *
 * thread-spawn returns the new thread's id (1 .. 2^29-1, the proposal's
 * range) or a negative number when no thread could be started (the
 * reason goes to stderr, as the guest only sees the number).
 *
 * The WASI context is shared by all threads: once a thread was spawned,
 * bind.c's call() takes ctx->lock around every WASI call (shared for
 * most, exclusive for those that change the fd table), see bind.c.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasi.h"
#include "wasi_internal.h"

#define THREAD_STACK_SIZE (8u << 20) /* like a main thread's usual RLIMIT_STACK */
#define MAX_TID 0x1FFFFFFFu

struct wasi_threads {
  wasi_ctx *ctx;
  wasmrt_module *mod;
  wasmrt_extern *imports; /* the main instance's imports, for every thread */
  uint32_t nimports;
  wasmrt_memory *memory;  /* the shared memory made here, or NULL */
  wasmrt_host_func *spawn_hf;
  const char *self;       /* for messages */
  _Atomic uint32_t next_tid;
  _Atomic bool spawned;
};

typedef struct {
  wasi_threads *t;
  wasmrt_instance *inst;
  wasmrt_funcref *start;
  uint32_t tid, arg;
} thread_arg;

static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;

_Noreturn void wasi_threads_end_process(int code) {
  /* One thread ends the process; the others block here until it has. */
  pthread_mutex_lock(&end_lock);
  fflush(stdout);
  fflush(stderr);
  _exit(code);
}

static void *thread_main(void *p) {
  thread_arg *a = p;
  wasi_threads *t = a->t;
  wasmrt_val vals[2];
  memset(vals, 0, sizeof vals);
  vals[0].i32 = (int32_t)a->tid;
  vals[1].i32 = (int32_t)a->arg;
  wasmrt_error err;
  if (!wasmrt_call(a->inst, a->start, vals, 2, &err)) {
    uint32_t code;
    if (wasi_exited(t->ctx, &code)) wasi_threads_end_process((int)(code & 255));
    if (wasi_raised_signal(t->ctx)) wasi_threads_end_process(128 + wasi_raised_signal(t->ctx));
    pthread_mutex_lock(&end_lock);
    fflush(stdout);
    fprintf(stderr, "%s: trap in thread %u: %s\n", t->self, a->tid, err.message);
    fflush(stderr);
    _exit(WASI_EXIT_TRAP);
  }
  wasmrt_instance_free(a->inst);
  free(a);
  return NULL;
}

static int32_t spawn(wasi_threads *t, uint32_t arg) {
  uint32_t tid = atomic_fetch_add(&t->next_tid, 1);
  if (tid > MAX_TID) {
    fprintf(stderr, "%s: thread-spawn: thread ids exhausted\n", t->self);
    return -1;
  }
  /* From here on every WASI call takes the context's lock (bind.c). Set
   * before the new thread exists, by a thread that exists already, so
   * every thread sees it before it can make a WASI call. */
  atomic_store(&t->ctx->threaded, true);
  wasmrt_error err;
  wasmrt_instance *inst = wasmrt_instantiate(t->mod, t->imports, t->nimports, &err);
  if (!inst) {
    fprintf(stderr, "%s: thread-spawn: instantiating the module for a thread failed: %s\n",
            t->self, err.message);
    return -1;
  }
  wasmrt_extern ext;
  const wasmrt_functype_desc *ft = NULL;
  if (wasmrt_instance_export(inst, "wasi_thread_start", 17, &ext) &&
      ext.kind == WASMRT_EXTERN_FUNC)
    ft = wasmrt_funcref_type(ext.of.func);
  if (!ft || ft->nparams != 2 || ft->nresults != 0 || ft->params[0] != WASMRT_I32 ||
      ft->params[1] != WASMRT_I32) {
    fprintf(stderr, "%s: thread-spawn: the module exports no function "
            "wasi_thread_start of type [i32 i32] -> []\n", t->self);
    wasmrt_instance_free(inst);
    return -1;
  }
  thread_arg *a = malloc(sizeof *a);
  pthread_attr_t attr;
  pthread_t th;
  bool ok = a && pthread_attr_init(&attr) == 0;
  if (ok) {
    *a = (thread_arg){t, inst, ext.of.func, tid, arg};
    pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&th, &attr, thread_main, a) == 0;
    pthread_attr_destroy(&attr);
  }
  if (!ok) {
    fprintf(stderr, "%s: thread-spawn: cannot start a native thread\n", t->self);
    free(a);
    wasmrt_instance_free(inst);
    return -1;
  }
  atomic_store(&t->spawned, true);
  return (int32_t)tid;
}

static bool spawn_cb(void *env, wasmrt_val *vals, char *msg, size_t msg_size) {
  (void)msg, (void)msg_size;
  vals[0].i32 = spawn(env, (uint32_t)vals[0].i32);
  return true;
}

static bool name_is(const char *s, uint32_t len, const char *want) {
  return len == strlen(want) && memcmp(s, want, len) == 0;
}

wasi_threads *wasi_threads_bind(wasi_ctx *ctx, wasmrt_module *mod, wasmrt_extern *imports,
                                const char *self, char *msg, size_t msg_size) {
  const wasmrt_module_desc *d = wasmrt_module_descriptor(mod);
  wasi_threads *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(msg, msg_size, "out of memory");
    return NULL;
  }
  t->ctx = ctx;
  t->mod = mod;
  t->self = self;
  atomic_init(&t->next_tid, 1);
  atomic_init(&t->spawned, false);
  for (uint32_t i = 0; i < d->nimports; i++) {
    const wasmrt_import_desc *im = &d->imports[i];
    if (name_is(im->module, im->module_len, "wasi") &&
        name_is(im->name, im->name_len, "thread-spawn")) {
      const wasmrt_functype_desc *ft = &d->types[im->type_index];
      if (im->kind != WASMRT_EXTERN_FUNC || ft->nparams != 1 || ft->nresults != 1 ||
          ft->params[0] != WASMRT_I32 || ft->results[0] != WASMRT_I32) {
        snprintf(msg, msg_size, "import wasi.thread-spawn must be a function [i32] -> [i32]");
        goto fail;
      }
      if (!t->spawn_hf) {
        static const uint8_t i32[1] = {WASMRT_I32};
        t->spawn_hf = wasmrt_host_func_new(i32, 1, i32, 1, spawn_cb, t);
        if (!t->spawn_hf) {
          snprintf(msg, msg_size, "out of memory");
          goto fail;
        }
      }
      imports[i] = wasmrt_host_func_extern(t->spawn_hf);
    } else if (im->kind == WASMRT_EXTERN_MEMORY && im->limits.shared &&
               name_is(im->module, im->module_len, "env") &&
               name_is(im->name, im->name_len, "memory")) {
      if (!t->memory) {
        wasmrt_error err;
        t->memory = wasmrt_shared_memory_new(im->limits.min, im->limits.max, &err);
        if (!t->memory) {
          snprintf(msg, msg_size, "the shared memory env.memory (%llu..%llu pages): %s",
                   (unsigned long long)im->limits.min, (unsigned long long)im->limits.max,
                   err.message);
          goto fail;
        }
      }
      imports[i] = (wasmrt_extern){.kind = WASMRT_EXTERN_MEMORY, .of.memory = t->memory};
      wasi_ctx_set_memory(ctx, t->memory);
    }
  }
  t->imports = imports;
  t->nimports = d->nimports;
  return t;
fail:
  wasi_threads_free(t);
  return NULL;
}

bool wasi_threads_spawned(const wasi_threads *t) {
  return t && atomic_load(&t->spawned);
}

void wasi_threads_free(wasi_threads *t) {
  if (!t) return;
  if (t->spawn_hf) wasmrt_host_func_free(t->spawn_hf);
  if (t->memory) wasmrt_memory_free(t->memory);
  free(t);
}

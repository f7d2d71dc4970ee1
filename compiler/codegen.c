/* codegen.c: the back end for one Wasm module, to one object: lowered
 * and emitted whole, or in chunks on several threads and joined (see
 * codegen.h for the contract). Calls go one way: this file drives
 * lower.h (Wasm -> LLVM IR) and emit.h (LLVM module -> object) and
 * link.h (joining chunk objects); none of them calls back.
 *
 * Why contiguous ranges of function indices: toolchains emit the functions
 * of one source file next to each other, so most calls (and so most of
 * what inlining would gain) stay inside a chunk. Why by code size only:
 * the partition, and so every chunk's object and the joined object, must
 * not depend on the number of threads (outputs and `wasmc run`'s cache
 * key stay deterministic).
 *
 * Jobs are the chunks in function order, then the descriptor; workers
 * take the next job under a mutex, so jobs start in order. Each job has
 * its own LLVMContext and module, freed as soon as its object is written:
 * a thread holds one chunk's IR at a time. After a failure no job after
 * it is started, and the error of the lowest failing job is reported:
 * every job before it has been started and runs to its end, so that is
 * the same error whatever the threads did.
 */
#include "codegen.h"
#include "emit.h"
#include "link.h"
#include "lower.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <llvm-c/Error.h>
#include <llvm-c/Transforms/PassBuilder.h>

/* ---- one LLVM module: lower, then emit ----------------------------------- */

/* Lowers the bodies of lm's functions (lm->first..end), the descriptor
 * when asked, and emits the module (to `path`, or into *out): the whole
 * module's or one chunk's job. false + err (a byte offset when the
 * lowering knows one) on failure. */
static bool emit_lowered(emit_target *t, lower_module *lm, bool descriptor,
                         const char *path, LLVMMemoryBufferRef *out,
                         wasm_error *err) {
  const wasm_module *wm = lm->wm;
  bool ok = true;
  for (uint32_t f = lm->first; ok && f < lm->end; f++) {
    ok = lower_function(lm, f, err);
    if (!ok && !err->set)
      wasm_fail(err, wm->funcs[f].code_offset, "cannot lower function %u", f);
  }
  if (ok && descriptor) {
    ok = lower_descriptor(lm, emit_target_cpu_required(t),
                          emit_target_built_with(t), err);
    if (!ok && !err->set)
      wasm_fail(err, 0, "cannot emit the module descriptor");
  }
  if (ok) {
    char msg[sizeof err->msg];
    ok = emit_module(t, lm->mod, path, out, msg, sizeof msg);
    if (!ok)
      wasm_fail(err, 0, "%s", msg);
  }
  return ok;
}

/* ---- the partition ------------------------------------------------------- */

/* Greedy: a chunk ends once it holds chunk_size bytes of code. Fills
 * bounds[0..n] (chunk k = functions [bounds[k], bounds[k+1])) when
 * non-NULL; returns n. */
static uint32_t partition(const wasm_module *wm, uint32_t chunk_size,
                          uint32_t *bounds) {
  if (chunk_size == 0)
    chunk_size = EMIT_CHUNK_SIZE_DEFAULT;
  uint32_t n = 0;
  uint64_t size = 0;
  if (bounds)
    bounds[0] = wm->nimported_funcs;
  for (uint32_t i = wm->nimported_funcs; i < wm->nfuncs; i++) {
    size += wm->funcs[i].body_len;
    if (size >= chunk_size || i + 1 == wm->nfuncs) {
      n++;
      if (bounds)
        bounds[n] = i + 1;
      size = 0;
    }
  }
  return n;
}

uint32_t emit_chunks_count(const wasm_module *wm, uint32_t chunk_size) {
  return partition(wm, chunk_size, NULL);
}

/* ---- the jobs ------------------------------------------------------------ */

enum { NO_JOB = UINT32_MAX };

typedef struct {
  const wasm_module *wm;
  const lower_options *lo;
  const char *triple;
  uint32_t nchunks;  /* jobs 0..nchunks-1: chunks; job nchunks: descriptor */
  uint32_t *bounds;
  char **paths;      /* per job: its object */
  wasm_error *errs;  /* per job */

  pthread_mutex_t mu;
  uint32_t next;     /* the next job to start */
  uint32_t failed;   /* the lowest failed job, or NO_JOB */
} plan;

static bool run_job(plan *p, emit_target *t, uint32_t j) {
  wasm_error *err = &p->errs[j];
  bool desc = j == p->nchunks;
  uint32_t first = desc ? p->wm->nfuncs : p->bounds[j];
  uint32_t end = desc ? p->wm->nfuncs : p->bounds[j + 1];
  lower_module *lm =
      lower_module_new_chunk(p->wm, p->lo, p->triple, first, end, err);
  if (!lm) {
    if (!err->set)
      wasm_fail(err, 0, "cannot lower the module");
    return false;
  }
  bool ok = emit_lowered(t, lm, desc, p->paths[j], NULL, err);
  lower_module_free(lm);
  return ok;
}

static void work(plan *p, emit_target *t) {
  for (;;) {
    pthread_mutex_lock(&p->mu);
    uint32_t j = p->next;
    bool stop = j > p->nchunks || (p->failed != NO_JOB && j > p->failed);
    if (!stop)
      p->next++;
    pthread_mutex_unlock(&p->mu);
    if (stop)
      return;
    if (!run_job(p, t, j)) {
      pthread_mutex_lock(&p->mu);
      if (p->failed == NO_JOB || j < p->failed)
        p->failed = j;
      pthread_mutex_unlock(&p->mu);
    }
  }
}

typedef struct {
  plan *p;
  emit_target *t;
  pthread_t th;
  bool started;
} worker;

static void *worker_main(void *arg) {
  worker *w = arg;
  work(w->p, w->t);
  return NULL;
}

/* Threads: the online CPUs, at most EMIT_JOBS_MAX, unless asked. */
static unsigned thread_count(const lower_options *lo, uint32_t njobs) {
  unsigned n = lo && lo->jobs ? lo->jobs : 0;
  if (n == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    n = cpus > 0 ? (unsigned)cpus : 1;
    if (n > EMIT_JOBS_MAX)
      n = EMIT_JOBS_MAX;
  }
  return n < njobs ? n : njobs;
}

/* LLVM's passes recurse on large functions: a worker gets at least the
 * main thread's stack (its soft limit), and no less than 16 MiB. */
static size_t worker_stack(void) {
  size_t size = (size_t)16 << 20;
  struct rlimit rl;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
      rl.rlim_cur > size && rl.rlim_cur <= ((rlim_t)256 << 20))
    size = (size_t)rl.rlim_cur;
  return size;
}

/* LLVM creates some process-wide state lazily on the first pass-manager
 * run (the timer group lock and list behind TimePassesHandler, among
 * others). Its lazy initialisation is meant to be thread-safe, but the
 * first runs racing for it is what ThreadSanitizer flagged; one empty run
 * here, before any worker exists, makes the workers only ever find it
 * built. */
static void warm_llvm_statics(void) {
  LLVMContextRef c = LLVMContextCreate();
  LLVMModuleRef m = LLVMModuleCreateWithNameInContext("wasmc.warm", c);
  LLVMPassBuilderOptionsRef o = LLVMCreatePassBuilderOptions();
  LLVMErrorRef e = LLVMRunPasses(m, "function(sroa),cgscc(inline)", NULL, o);
  if (e)
    LLVMConsumeError(e);
  LLVMDisposePassBuilderOptions(o);
  LLVMDisposeModule(m);
  LLVMContextDispose(c);
}

/* ---- in chunks: threads, then the join ----------------------------------- */

/* Runs the jobs on nthreads threads, this one included. false + err
 * (the lowest failed job's) on failure. */
static bool run_jobs(plan *p, emit_target *t, unsigned nthreads,
                     wasm_error *err) {
  worker *ws = calloc(nthreads, sizeof *ws);
  if (!ws)
    return wasm_fail(err, 0, "out of memory");
  bool ok = true;
  /* Every other thread's target first: a failure there starts nothing. */
  for (unsigned i = 1; ok && i < nthreads; i++) {
    char msg[sizeof err->msg];
    ws[i].t = emit_target_clone(t, msg, sizeof msg);
    if (!ws[i].t)
      ok = wasm_fail(err, 0, "%s", msg);
  }
  if (ok && nthreads > 1)
    warm_llvm_statics();
  if (ok) {
    pthread_attr_t attr;
    bool have_attr = pthread_attr_init(&attr) == 0;
    if (have_attr)
      pthread_attr_setstacksize(&attr, worker_stack());
    for (unsigned i = 1; i < nthreads; i++) {
      ws[i].p = p;
      /* Fewer threads than asked (none left) only costs time. */
      ws[i].started = pthread_create(&ws[i].th, have_attr ? &attr : NULL,
                                     worker_main, &ws[i]) == 0;
    }
    if (have_attr)
      pthread_attr_destroy(&attr);
    work(p, t);
    for (unsigned i = 1; i < nthreads; i++)
      if (ws[i].started)
        pthread_join(ws[i].th, NULL);
    if (p->failed != NO_JOB) {
      *err = p->errs[p->failed];
      ok = false;
    }
  }
  for (unsigned i = 1; i < nthreads; i++)
    emit_target_free(ws[i].t);
  free(ws);
  return ok;
}

/* A private folder for the chunk objects. */
static bool make_dir(char *dir, size_t n, wasm_error *err) {
  const char *tmp = getenv("TMPDIR");
  if (!tmp || !*tmp)
    tmp = "/tmp";
  int w = snprintf(dir, n, "%s/wasmc-chunks-XXXXXX", tmp);
  if (w < 0 || (size_t)w >= n || !mkdtemp(dir))
    return wasm_fail(err, 0, "cannot create a temporary folder in %s: %s",
                     tmp, w < 0 || (size_t)w >= n ? "name too long"
                                                  : strerror(errno));
  return true;
}

/* emit_wasm_module for a module of two chunks or more: lowers and emits
 * the chunks and the descriptor on lo->jobs threads (t for the calling
 * one, clones of t for the others) and joins their objects with the
 * target's C driver into `path`, or into *out. Temporary objects go to a
 * private folder in $TMPDIR (else /tmp), removed on every path. false +
 * err on failure: the error of the first failing chunk in function order,
 * as the unchunked compile would report it. */
static bool emit_chunked(emit_target *t, const wasm_module *wm,
                         const lower_options *lo, const char *path,
                         LLVMMemoryBufferRef *out, wasm_error *err) {
  plan p = {.wm = wm, .lo = lo, .triple = emit_target_triple(t),
            .failed = NO_JOB};
  p.nchunks = partition(wm, lo ? lo->chunk_size : 0, NULL);
  uint32_t njobs = p.nchunks + 1;
  p.bounds = calloc(p.nchunks + 1, sizeof *p.bounds);
  p.paths = calloc(njobs, sizeof *p.paths);
  p.errs = calloc(njobs, sizeof *p.errs);
  char dir[PATH_MAX] = "", joined[PATH_MAX + 32] = "";
  bool ok = p.bounds && p.paths && p.errs;
  if (!ok)
    wasm_fail(err, 0, "out of memory");
  if (ok) {
    partition(wm, lo ? lo->chunk_size : 0, p.bounds);
    ok = make_dir(dir, sizeof dir, err);
  }
  for (uint32_t j = 0; ok && j < njobs; j++) {
    size_t n = strlen(dir) + 32;
    if (!(p.paths[j] = malloc(n)))
      ok = wasm_fail(err, 0, "out of memory");
    else
      snprintf(p.paths[j], n, "%s/%u.o", dir, j);
  }
  if (ok) {
    ok = pthread_mutex_init(&p.mu, NULL) == 0;
    if (!ok)
      wasm_fail(err, 0, "cannot create a mutex");
  }
  if (ok) {
    ok = run_jobs(&p, t, thread_count(lo, njobs), err);
    pthread_mutex_destroy(&p.mu);
  }
  if (ok) {
    /* One object, in job order: the same bytes for any thread count. */
    const char *dst = path;
    if (!dst) {
      snprintf(joined, sizeof joined, "%s/module.o", dir);
      dst = joined;
    }
    char msg[sizeof err->msg];
    ok = link_relocatable(emit_target_linker(t), (const char *const *)p.paths,
                          njobs, dst, msg, sizeof msg);
    if (!ok)
      wasm_fail(err, 0, "%s", msg);
    char *why = NULL;
    if (ok && !path &&
        LLVMCreateMemoryBufferWithContentsOfFile(joined, out, &why)) {
      ok = wasm_fail(err, 0, "cannot read back %s: %s", joined,
                     why ? why : "?");
      LLVMDisposeMessage(why);
    }
  }
  for (uint32_t j = 0; p.paths && j < njobs; j++) {
    if (p.paths[j])
      unlink(p.paths[j]); /* absent when its job never ran */
    free(p.paths[j]);
  }
  if (joined[0])
    unlink(joined);
  if (dir[0])
    rmdir(dir);
  free(p.bounds);
  free(p.paths);
  free(p.errs);
  return ok;
}

/* ---- the entry ----------------------------------------------------------- */

bool emit_wasm_module(emit_target *t, const wasm_module *wm,
                      const lower_options *lo, const char *path,
                      LLVMMemoryBufferRef *out, wasm_error *err) {
  /* Larger than one chunk: in chunks, in parallel; --emit-llvm shows the
   * module as one. */
  if (!emit_target_emits_llvm(t) &&
      emit_chunks_count(wm, lo ? lo->chunk_size : 0) > 1)
    return emit_chunked(t, wm, lo, path, out, err);
  lower_module *lm = lower_module_new(wm, lo, emit_target_triple(t), err);
  if (!lm) {
    if (!err->set)
      wasm_fail(err, 0, "cannot lower the module");
    return false;
  }
  bool ok = emit_lowered(t, lm, true, path, out, err);
  lower_module_free(lm);
  return ok;
}

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
 * A function at least chunk_size bytes long gets a chunk of its own
 * (the chunk before it closes early): such a chunk is already the
 * costliest (LLVM's time is at least linear in a function's size, and
 * some passes are superlinear on huge ones), so the functions before it
 * go to another thread instead of lengthening the chunk every other
 * thread ends up waiting for.
 *
 * Jobs are the chunks, then the descriptor (the job index = the join
 * order). Workers take them from a shared queue largest estimated cost
 * first (emit_cost_estimate; longest-processing-time first, which keeps
 * the threads busy until near the end instead of one thread finishing a
 * big chunk alone); the queue's order depends on the module and
 * chunk_size only, and the object not even on that order. Each job has
 * its own LLVMContext and module, freed as soon as its object is written:
 * a thread holds one chunk's IR at a time. After a failure, no job of a
 * higher index is started, but those of a lower index still run, and the
 * error of the lowest failing job is reported: every job below it ran,
 * so that is the same error whatever the threads did.
 */
#include "codegen.h"
#include "emit.h"
#include "link.h"
#include "lower.h"
#include "timing.h"

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

/* What one job's phases took, for --time-report. */
typedef struct {
  double lower_wall, lower_cpu;
  emit_times emit;
} job_times;

/* Lowers functions [first, end) of wm into a module of their own (the
 * whole module when whole; else one chunk's), the descriptor when asked,
 * and emits it (to `path`, or into *out): the whole module's or one
 * chunk's job. Adds the phases' times to *jt when non-NULL. false + err
 * (a byte offset when the lowering knows one) on failure. */
static bool lower_and_emit(emit_target *t, const wasm_module *wm,
                           const lower_options *lo, bool whole,
                           uint32_t first, uint32_t end, bool descriptor,
                           const char *path, LLVMMemoryBufferRef *out,
                           job_times *jt, wasm_error *err) {
  timing_mark mark = jt ? timing_now() : (timing_mark){0};
  const char *triple = emit_target_triple(t);
  lower_module *lm =
      whole ? lower_module_new(wm, lo, triple, err)
            : lower_module_new_chunk(wm, lo, triple, first, end, err);
  if (!lm) {
    if (!err->set)
      wasm_fail(err, 0, "cannot lower the module");
    return false;
  }
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
  lower_debug_finish(lm);
  if (jt)
    timing_lap(&mark, &jt->lower_wall, &jt->lower_cpu);
  if (ok) {
    char msg[sizeof err->msg];
    ok = emit_module(t, lm->mod, path, out, jt ? &jt->emit : NULL, msg,
                     sizeof msg);
    if (!ok)
      wasm_fail(err, 0, "%s", msg);
  }
  if (jt)
    mark = timing_now(); /* freeing the IR counts as lowering */
  lower_module_free(lm);
  if (jt)
    timing_lap(&mark, &jt->lower_wall, &jt->lower_cpu);
  return ok;
}

/* ---- the partition ------------------------------------------------------- */

/* Greedy: a chunk ends once it holds chunk_size bytes of code, and a
 * function of chunk_size bytes or more is a chunk of its own (see the
 * top of the file). Fills bounds[0..n] (chunk k = functions [bounds[k],
 * bounds[k+1])) when non-NULL; returns n. Integers only: the partition
 * decides the output, so it must come out the same on every machine. */
static uint32_t partition(const wasm_module *wm, uint32_t chunk_size,
                          uint32_t *bounds) {
  if (chunk_size == 0)
    chunk_size = EMIT_CHUNK_SIZE_DEFAULT;
  uint32_t n = 0;
  uint64_t size = 0;
  if (bounds)
    bounds[0] = wm->nimported_funcs;
  for (uint32_t i = wm->nimported_funcs; i < wm->nfuncs; i++) {
    uint32_t len = wm->funcs[i].body_len;
    if (len >= chunk_size && size > 0) {
      n++; /* close the chunk before a huge function */
      if (bounds)
        bounds[n] = i;
      size = 0;
    }
    size += len;
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

uint64_t emit_cost_estimate(uint64_t bytes) {
  return bytes + EMIT_COST_PER_FUNCTION;
}

/* ---- the jobs ------------------------------------------------------------ */

enum { NO_JOB = UINT32_MAX };

typedef struct {
  uint32_t first, end; /* functions [first, end); the descriptor: none */
  uint64_t bytes;      /* of Wasm code */
  uint64_t cost;       /* estimated */
  job_times times;     /* measured, with a report */
} job;

typedef struct {
  const wasm_module *wm;
  const lower_options *lo;
  uint32_t nchunks;  /* jobs 0..nchunks-1: chunks; job nchunks: descriptor */
  uint32_t njobs;
  job *jobs;
  uint32_t *order;   /* job indices, largest estimated cost first */
  char **paths;      /* per job: its object */
  wasm_error *errs;  /* per job */
  bool timing;       /* lo->report is set */

  pthread_mutex_t mu;
  uint32_t next;     /* order[next] is the next job to consider */
  uint32_t failed;   /* the lowest failed job, or NO_JOB */
  double thread_cpu; /* the workers' CPU time, summed as they end */
  /* progress: chunks done and their estimated cost, of cost_total */
  uint32_t chunks_done;
  uint64_t cost_done, cost_total;
  double first_idle, last_done; /* when workers ran out of work (report) */
  bool finished;     /* every worker has returned */
  pthread_cond_t wake; /* the progress line: finished */
} plan;

static bool run_job(plan *p, emit_target *t, uint32_t j) {
  job *jb = &p->jobs[j];
  bool desc = j == p->nchunks;
  return lower_and_emit(t, p->wm, p->lo, false, jb->first, jb->end, desc,
                        p->paths[j], NULL, p->timing ? &jb->times : NULL,
                        &p->errs[j]);
}

/* A worker's loop: the next job of the queue that may still matter
 * (none above a failed one), until the queue is empty. */
static void work(plan *p, emit_target *t) {
  double cpu0 = p->timing ? timing_thread_cpu() : 0;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    uint32_t j = NO_JOB;
    while (j == NO_JOB && p->next < p->njobs) {
      uint32_t k = p->order[p->next++];
      if (p->failed == NO_JOB || k < p->failed)
        j = k;
    }
    pthread_mutex_unlock(&p->mu);
    if (j == NO_JOB)
      break;
    bool ok = run_job(p, t, j);
    pthread_mutex_lock(&p->mu);
    if (!ok && (p->failed == NO_JOB || j < p->failed))
      p->failed = j;
    if (j < p->nchunks)
      p->chunks_done++;
    p->cost_done += p->jobs[j].cost;
    pthread_mutex_unlock(&p->mu);
  }
  if (p->timing) {
    double cpu = timing_thread_cpu() - cpu0, now = timing_wall();
    pthread_mutex_lock(&p->mu);
    p->thread_cpu += cpu;
    if (p->first_idle == 0 || now < p->first_idle)
      p->first_idle = now;
    if (now > p->last_done)
      p->last_done = now;
    pthread_mutex_unlock(&p->mu);
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

/* ---- the progress line --------------------------------------------------- */

/* "1:05": minutes and seconds. */
static void mmss(char *buf, size_t n, double s) {
  long v = s > 0 ? (long)(s + 0.5) : 0;
  snprintf(buf, n, "%ld:%02ld", v / 60, v % 60);
}

/* The progress line's thread: while the workers run, redraws one line on
 * stderr every half second (from the first second on, so that a short
 * compile shows nothing): chunks done, elapsed, and the time left
 * estimated from the estimated cost done so far. Clears it at the end.
 * Plain \r and spaces, no terminal escapes. */
static void *progress_main(void *arg) {
  plan *p = arg;
  double start = timing_wall();
  int width = 0; /* of the line on screen */
  pthread_mutex_lock(&p->mu);
  while (!p->finished) {
    double now = timing_wall(), elapsed = now - start;
    if (elapsed >= 1.0) {
      char el[32], left[48] = "estimating";
      mmss(el, sizeof el, elapsed);
      if (p->cost_done > 0 && p->cost_total > p->cost_done) {
        left[0] = '~';
        mmss(left + 1, sizeof left - 1,
             elapsed * (double)(p->cost_total - p->cost_done) /
                 (double)p->cost_done);
        strcat(left, " left");
      } else if (p->cost_done > 0) {
        snprintf(left, sizeof left, "finishing");
      }
      char line[160];
      int w = snprintf(line, sizeof line,
                       "wasmc: compiling in chunks: %u/%u done, %s elapsed, %s",
                       p->chunks_done, p->nchunks, el, left);
      if (w > (int)sizeof line - 1)
        w = (int)sizeof line - 1;
      fprintf(stderr, "\r%s%*s", line, width > w ? width - w : 0, "");
      fflush(stderr);
      if (w > width)
        width = w;
    }
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 500000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&p->wake, &p->mu, &until);
  }
  pthread_mutex_unlock(&p->mu);
  if (width > 0) {
    fprintf(stderr, "\r%*s\r", width, "");
    fflush(stderr);
  }
  return NULL;
}

/* ---- in chunks: threads, then the join ----------------------------------- */

/* Runs the jobs on nthreads threads, this one included, and the progress
 * line's when asked. false + err (the lowest failed job's) on failure. */
static bool run_jobs(plan *p, emit_target *t, unsigned nthreads,
                     bool progress, wasm_error *err) {
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
    pthread_t prog;
    /* No line (only time lost) when the thread cannot start. */
    bool have_prog =
        progress && pthread_create(&prog, NULL, progress_main, p) == 0;
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
    pthread_mutex_lock(&p->mu);
    p->finished = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->mu);
    if (have_prog)
      pthread_join(prog, NULL);
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

/* A queue entry while sorting: a job and its estimated cost. */
typedef struct {
  uint64_t cost;
  uint32_t job;
} queued;

/* The queue's order: by estimated cost, largest first; equal costs by
 * job index, so the order is the same on every run. */
static int by_cost(const void *a, const void *b) {
  const queued *x = a, *y = b;
  if (x->cost != y->cost)
    return x->cost > y->cost ? -1 : 1;
  return x->job < y->job ? -1 : x->job > y->job;
}

/* Fills the jobs (ranges, sizes, estimated costs) and the queue. The
 * descriptor's cost is estimated as 0: it has no bodies, and goes last
 * (it takes well under a second for python.wasm).
 * false when out of memory. */
static bool plan_jobs(plan *p, const uint32_t *bounds) {
  queued *q = calloc(p->njobs, sizeof *q);
  if (!q)
    return false;
  for (uint32_t j = 0; j < p->njobs; j++) {
    job *jb = &p->jobs[j];
    jb->first = j < p->nchunks ? bounds[j] : p->wm->nfuncs;
    jb->end = j < p->nchunks ? bounds[j + 1] : p->wm->nfuncs;
    for (uint32_t f = jb->first; f < jb->end; f++) {
      jb->bytes += p->wm->funcs[f].body_len;
      jb->cost += emit_cost_estimate(p->wm->funcs[f].body_len);
    }
    p->cost_total += jb->cost;
    q[j] = (queued){jb->cost, j};
  }
  qsort(q, p->njobs, sizeof *q, by_cost);
  for (uint32_t j = 0; j < p->njobs; j++)
    p->order[j] = q[j].job;
  free(q);
  return true;
}

/* Adds one job's (or the whole module's) phases to the report's sums. */
static void add_job_times(codegen_report *r, const job_times *jt) {
  r->lower_wall += jt->lower_wall;
  r->lower_cpu += jt->lower_cpu;
  r->emit.optimise_wall += jt->emit.optimise_wall;
  r->emit.optimise_cpu += jt->emit.optimise_cpu;
  r->emit.codegen_wall += jt->emit.codegen_wall;
  r->emit.codegen_cpu += jt->emit.codegen_cpu;
}

/* The report of a chunked compile: the sums over the jobs and the
 * slowest chunks by CPU time. */
static void report_jobs(const plan *p, unsigned nthreads, double wall,
                        codegen_report *r) {
  r->chunks = p->nchunks;
  r->threads = nthreads;
  r->parallel_wall = wall;
  r->parallel_cpu = p->thread_cpu;
  r->cost_total = p->cost_total;
  r->idle_tail = p->last_done - p->first_idle;
  for (uint32_t j = 0; j < p->njobs; j++) {
    const job_times *jt = &p->jobs[j].times;
    add_job_times(r, jt);
    if (j == p->nchunks)
      continue; /* the descriptor is no chunk */
    double cpu = jt->lower_cpu + jt->emit.optimise_cpu + jt->emit.codegen_cpu;
    /* insertion into the slowest list, slowest first */
    uint32_t k = r->nslowest < CODEGEN_REPORT_SLOWEST ? r->nslowest++
                                                      : CODEGEN_REPORT_SLOWEST;
    while (k > 0 && r->slowest[k - 1].cpu < cpu) {
      if (k < CODEGEN_REPORT_SLOWEST)
        r->slowest[k] = r->slowest[k - 1];
      k--;
    }
    if (k < CODEGEN_REPORT_SLOWEST) {
      const job *jb = &p->jobs[j];
      r->slowest[k].chunk = j;
      r->slowest[k].first = jb->first;
      r->slowest[k].end = jb->end;
      r->slowest[k].bytes = jb->bytes;
      r->slowest[k].cost = jb->cost;
      r->slowest[k].cpu = cpu;
      r->slowest[k].wall = jt->lower_wall + jt->emit.optimise_wall +
                           jt->emit.codegen_wall;
    }
  }
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
  codegen_report *report = lo ? lo->report : NULL;
  plan p = {.wm = wm, .lo = lo, .failed = NO_JOB, .timing = report != NULL};
  p.nchunks = partition(wm, lo ? lo->chunk_size : 0, NULL);
  p.njobs = p.nchunks + 1;
  uint32_t *bounds = calloc(p.nchunks + 1, sizeof *bounds);
  p.jobs = calloc(p.njobs, sizeof *p.jobs);
  p.order = calloc(p.njobs, sizeof *p.order);
  p.paths = calloc(p.njobs, sizeof *p.paths);
  p.errs = calloc(p.njobs, sizeof *p.errs);
  char dir[PATH_MAX] = "", joined[PATH_MAX + 32] = "";
  bool ok = bounds && p.jobs && p.order && p.paths && p.errs;
  if (!ok)
    wasm_fail(err, 0, "out of memory");
  if (ok) {
    partition(wm, lo ? lo->chunk_size : 0, bounds);
    ok = plan_jobs(&p, bounds) ? make_dir(dir, sizeof dir, err)
                               : wasm_fail(err, 0, "out of memory");
  }
  for (uint32_t j = 0; ok && j < p.njobs; j++) {
    size_t n = strlen(dir) + 32;
    if (!(p.paths[j] = malloc(n)))
      ok = wasm_fail(err, 0, "out of memory");
    else
      snprintf(p.paths[j], n, "%s/%u.o", dir, j);
  }
  if (ok) {
    pthread_condattr_t ca;
    bool have_ca = pthread_condattr_init(&ca) == 0;
    if (have_ca) /* progress_main's timed waits are on CLOCK_MONOTONIC */
      pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool have_mu = pthread_mutex_init(&p.mu, NULL) == 0;
    bool have_cv = pthread_cond_init(&p.wake, have_ca ? &ca : NULL) == 0;
    if (have_ca)
      pthread_condattr_destroy(&ca);
    ok = have_mu && have_cv && have_ca;
    if (!ok)
      wasm_fail(err, 0, "cannot create a mutex");
    if (ok) {
      unsigned nthreads = thread_count(lo, p.njobs);
      double wall0 = report ? timing_wall() : 0;
      ok = run_jobs(&p, t, nthreads, lo && lo->progress, err);
      if (report)
        report_jobs(&p, nthreads, timing_wall() - wall0, report);
    }
    if (have_mu)
      pthread_mutex_destroy(&p.mu);
    if (have_cv)
      pthread_cond_destroy(&p.wake);
  }
  if (ok) {
    /* One object, in job order: the same bytes for any thread count. */
    const char *dst = path;
    if (!dst) {
      snprintf(joined, sizeof joined, "%s/module.o", dir);
      dst = joined;
    }
    char msg[sizeof err->msg];
    double wall0 = 0, cpu0 = 0;
    if (report) {
      wall0 = timing_wall();
      cpu0 = timing_rusage_cpu(RUSAGE_CHILDREN);
    }
    ok = link_relocatable(emit_target_linker(t), (const char *const *)p.paths,
                          p.njobs, dst, msg, sizeof msg);
    if (report) {
      report->join_wall = timing_wall() - wall0;
      report->join_cpu = timing_rusage_cpu(RUSAGE_CHILDREN) - cpu0;
    }
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
  for (uint32_t j = 0; p.paths && j < p.njobs; j++) {
    if (p.paths[j])
      unlink(p.paths[j]); /* absent when its job never ran */
    free(p.paths[j]);
  }
  if (joined[0])
    unlink(joined);
  if (dir[0])
    rmdir(dir);
  free(bounds);
  free(p.jobs);
  free(p.order);
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
  codegen_report *report = lo ? lo->report : NULL;
  job_times jt = {0};
  bool ok = lower_and_emit(t, wm, lo, true, 0, 0, true, path, out,
                           report ? &jt : NULL, err);
  if (report)
    add_job_times(report, &jt);
  return ok;
}

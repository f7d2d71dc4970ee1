/* proc.c: proc_exit, proc_raise, sched_yield, and wasi_run_start (calling
 * _start and turning proc_exit / a fatal proc_raise into an exit code).
 *
 * proc_exit must not return to the guest, and the host must not longjmp
 * over the runtime's activation bookkeeping itself: wasi_proc_exit records
 * the code and returns WASI_END, on which bind.c fails the host call; the
 * runtime turns that into a WASMRT_TRAP_HOST trap that unwinds the Wasm
 * stack to wasmrt_call. wasi_run_start then sees the
 * recorded code and reports an exit rather than a trap. */
#include <sched.h>
#include <signal.h>
#include <stdio.h>

#include "wasi_internal.h"

/* Whether the run already ended (another thread's proc_exit or
 * proc_raise); with end_lock held. */
static bool ended(const wasi_ctx *ctx) { return ctx->exited || ctx->raised_signal; }

uint32_t wasi_proc_exit(wasi_ctx *ctx, uint32_t code) {
  pthread_mutex_lock(&ctx->end_lock); /* threads: wasi_internal.h */
  if (!ended(ctx)) {
    ctx->exited = true;
    ctx->exit_code = code;
    snprintf(ctx->end_msg, sizeof ctx->end_msg, "wasi proc_exit(%u)", code);
  }
  pthread_mutex_unlock(&ctx->end_lock);
  return WASI_END;
}

/* preview1 signal numbers (0 = none, then HUP..SYS in witx order) -> the
 * host's, and what the default action of each is. */
static const struct { const char *name; int host; bool fatal; } signals[] = {
  {NULL, 0, false},         {"SIGHUP", SIGHUP, true},   {"SIGINT", SIGINT, true},
  {"SIGQUIT", SIGQUIT, true}, {"SIGILL", SIGILL, true},   {"SIGTRAP", SIGTRAP, true},
  {"SIGABRT", SIGABRT, true}, {"SIGBUS", SIGBUS, true},   {"SIGFPE", SIGFPE, true},
  {"SIGKILL", SIGKILL, true}, {"SIGUSR1", SIGUSR1, true}, {"SIGSEGV", SIGSEGV, true},
  {"SIGUSR2", SIGUSR2, true}, {"SIGPIPE", SIGPIPE, true}, {"SIGALRM", SIGALRM, true},
  {"SIGTERM", SIGTERM, true}, {"SIGCHLD", SIGCHLD, false}, {"SIGCONT", SIGCONT, false},
  {"SIGSTOP", SIGSTOP, false}, {"SIGTSTP", SIGTSTP, false}, {"SIGTTIN", SIGTTIN, false},
  {"SIGTTOU", SIGTTOU, false}, {"SIGURG", SIGURG, false}, {"SIGXCPU", SIGXCPU, true},
  {"SIGXFSZ", SIGXFSZ, true}, {"SIGVTALRM", SIGVTALRM, true}, {"SIGPROF", SIGPROF, true},
  {"SIGWINCH", SIGWINCH, false}, {"SIGPOLL", SIGPOLL, true}, {"SIGPWR", SIGPWR, true},
  {"SIGSYS", SIGSYS, true},
};

/* The guest has no handlers (preview1 cannot install any), so a signal
 * does what its default action does, to the guest only: the host may be
 * `wasmc run` itself, which must not be killed. Ignored-by-default
 * signals (CHLD, CONT, URG, WINCH) do nothing; stop signals do nothing
 * either, since nothing could ever continue the guest; every other one
 * ends the run like proc_exit, with 128 + the host signal number as the
 * exit code (what a shell reports for a process killed by it). */
uint32_t wasi_proc_raise(wasi_ctx *ctx, uint32_t sig) {
  if (sig == 0 || sig >= sizeof signals / sizeof signals[0]) return WASI_EINVAL;
  if (!signals[sig].fatal) return WASI_ESUCCESS;
  pthread_mutex_lock(&ctx->end_lock);
  if (!ended(ctx)) {
    ctx->raised_signal = signals[sig].host;
    snprintf(ctx->end_msg, sizeof ctx->end_msg, "wasi proc_raise(%s)", signals[sig].name);
  }
  pthread_mutex_unlock(&ctx->end_lock);
  return WASI_END;
}

uint32_t wasi_sched_yield(wasi_ctx *ctx) {
  sched_yield();
  return WASI_ESUCCESS;
}

int wasi_run_start(wasi_ctx *ctx, wasmrt_instance *inst, wasmrt_error *err) {
  wasmrt_extern ext;
  if (!ctx->mem && wasmrt_instance_export(inst, "memory", 6, &ext) &&
      ext.kind == WASMRT_EXTERN_MEMORY)
    ctx->mem = ext.of.memory;
  if (!wasmrt_instance_export(inst, "_start", 6, &ext) || ext.kind != WASMRT_EXTERN_FUNC) {
    err->trap = WASMRT_TRAP_NONE;
    err->func_index = UINT32_MAX;
    snprintf(err->message, sizeof err->message,
             "not a WASI command: the module exports no function _start");
    return -1;
  }
  const wasmrt_functype_desc *t = wasmrt_funcref_type(ext.of.func);
  if (t && (t->nparams || t->nresults)) {
    err->trap = WASMRT_TRAP_NONE;
    err->func_index = UINT32_MAX;
    snprintf(err->message, sizeof err->message, "_start must have type [] -> []");
    return -1;
  }
  /* No thread exists yet: this thread alone sees the end state. */
  ctx->exited = false;
  ctx->raised_signal = 0;
  wasmrt_val vals[1];
  if (wasmrt_call(inst, ext.of.func, vals, 1, err)) return 0;
  /* Through the accessors: a spawned thread may be ending the run now. */
  uint32_t code;
  if (wasi_exited(ctx, &code)) return (int)(code & 255);
  int sig = wasi_raised_signal(ctx);
  if (sig) return 128 + sig;
  return -1;
}

/* wasi.h: the WASI preview 1 host (wasi_snapshot_preview1) for programs
 * compiled by wasmc, on POSIX. Library: wasmc_wasi (static, links wasmrt).
 *
 * Use:
 *     wasi_config cfg;
 *     wasi_config_init(&cfg);               // stdio = host fds 0, 1, 2
 *     cfg.argc = ...; cfg.argv = ...;       // argv[0] is the program name
 *     cfg.nenv = ...; cfg.env = ...;        // "K=V" strings, exactly these
 *     cfg.npreopens = ...; cfg.preopens = ...;
 *     wasi_ctx *ctx = wasi_ctx_new(&cfg, msg, sizeof msg);
 *     wasmrt_extern imports[desc->nimports];
 *     wasi_bind_imports(ctx, desc, imports, msg, sizeof msg);
 *     wasmrt_instance *inst = wasmrt_instantiate(mod, imports, n, &err);
 *     int code = wasi_run_start(ctx, inst, &err);  // -1: trap or error
 *     wasmrt_instance_free(inst);
 *     wasi_ctx_free(ctx);                   // after the instance: it owns
 *                                           // the host functions
 *
 * Guest memory: every guest pointer/length is checked against the memory's
 * current size before the host touches it; a bad one makes the call return
 * WASI errno FAULT (21) to the guest, never a host crash.
 *
 * proc_exit(n) unwinds the Wasm stack: its callback records n and fails
 * (a WASMRT_TRAP_HOST trap with a "wasi proc_exit" message), so
 * wasmrt_call returns; wasi_run_start then reports n as the exit code.
 *
 * proc_raise(sig) acts on the guest only, never on the host process (which
 * may be `wasmc run` itself): a signal whose default action is to ignore
 * (CHLD, CONT, URG, WINCH) or to stop (STOP, TSTP, TTIN, TTOU) returns
 * SUCCESS and does nothing; any other ends the run the way proc_exit does
 * (message "wasi proc_raise(SIGTERM)"), and wasi_run_start returns 128 +
 * the host's number of that signal, as a shell reports a killed process.
 * 0 or an unknown number returns INVAL.
 */
#ifndef WASMC_WASI_H
#define WASMC_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmrt.h"

#define WASI_MODULE_NAME "wasi_snapshot_preview1"

/* Process exit code a runner should use when the program trapped (what
 * wasmtime uses on Unix: 128 + SIGABRT). wasi_run_start returns -1 then. */
#define WASI_EXIT_TRAP 134

typedef struct wasi_ctx wasi_ctx;

/* A directory granted to the guest: the host directory and the name the
 * guest sees it under (guest == NULL: the same as host). */
typedef struct {
  const char *host;
  const char *guest;
} wasi_preopen;

typedef struct {
  int argc;
  const char *const *argv;     /* guest argv, argv[0] included */
  int nenv;
  const char *const *env;      /* "K=V" strings: the guest's whole environment */
  int npreopens;
  const wasi_preopen *preopens; /* guest fds 3, 4, ... in this order */
  int nsockets;
  const int *sockets;          /* host socket fds (e.g. listening, for
                                  sock_accept): the guest fds after the
                                  preopens, in this order, with socket rights.
                                  The ctx uses its own dup of each: the
                                  caller keeps (and closes) these. */
  int stdin_fd, stdout_fd, stderr_fd; /* host fds behind guest 0, 1, 2 (-1: none);
                                          not closed by the ctx */
} wasi_config;

/* Zeroes cfg and sets stdio to the host's 0, 1, 2. */
void wasi_config_init(wasi_config *cfg);

/* Copies everything it needs from cfg; opens the preopened directories
 * (an unopenable one fails with a message) and dups the sockets (one that
 * is not a socket fails). NULL + msg on failure. */
wasi_ctx *wasi_ctx_new(const wasi_config *cfg, char *msg, size_t msg_size);
/* Closes the fds the ctx opened and frees the host functions: call it
 * after the instance that imports them is freed. */
void wasi_ctx_free(wasi_ctx *ctx);

/* For every import of module "wasi_snapshot_preview1" in desc, creates the
 * host function and stores it in imports[i] (imports has desc->nimports
 * entries, in descriptor order). Imports of other modules are left as they
 * are, for the caller to bind. Fails (false + msg) on an unknown WASI name,
 * a WASI import that is not a function, or a signature different from the
 * WASI one. Every preview1 function binds. */
bool wasi_bind_imports(wasi_ctx *ctx, const wasmrt_module_desc *desc,
                       wasmrt_extern *imports, char *msg, size_t msg_size);

/* The Wasm signature of the wasi_snapshot_preview1 function `name` (len
 * bytes): its parameters as a string of 'I' (i64) and 'i', 'P' or 'C'
 * (i32; 'P' and 'C' are guest pointers the host checks), and in
 * *has_result whether it returns an i32 errno. NULL when preview 1 has no
 * such function. Lets a tool check a module before it runs
 * (`wasmc image`). */
const char *wasi_import_params(const char *name, size_t len, bool *has_result);

/* The memory the guest's pointers refer to (its export "memory"); set it
 * after instantiation. Until then every pointer argument gives FAULT. */
void wasi_ctx_set_memory(wasi_ctx *ctx, wasmrt_memory *mem);

/* Sets the memory from the export "memory" if not set yet, then calls the
 * export "_start". Returns the exit code: 0 when _start returns, n & 255 after
 * proc_exit(n), 128 + signal after a fatal proc_raise; -1 when the call
 * trapped or the module has no _start (err says which; the runner should
 * then exit with WASI_EXIT_TRAP). */
int wasi_run_start(wasi_ctx *ctx, wasmrt_instance *inst, wasmrt_error *err);

/* The whole run of a WASI command for a command line (launch.c): parses
 * argv[1..] as [--dir HOST[::GUEST]]... [--env K=V | --env K]...
 * [--tcplisten HOST:PORT]... [--gc-heap-limit SIZE] -- ARGS
 * (without `--`, every argument is the program's), gives the guest argv[0]
 * + ARGS, binds WASI, instantiates mod, runs _start. Returns the exit code:
 * the program's, WASI_EXIT_TRAP after a trap, 2 for an argument or set-up
 * error; messages on stderr start with `self`. mod stays the caller's.
 * --gc-heap-limit sets wasmrt_gc_set_heap_limit for the run; the limit
 * found is put back before it returns. */
int wasi_launch(wasmrt_module *mod, int argc, char **argv, const char *self);

/* ---- wasi-threads (threads.c) ----------------------------------------- */
/* Binds what a wasi-threads module imports besides preview 1: the
 * function "wasi" "thread-spawn" and the shared memory "env" "memory"
 * (created here with the import's limits and made the ctx's memory).
 * Imports it does not know are left alone. `imports` (desc order) must
 * stay alive and unchanged while threads may be spawned: each spawned
 * thread instantiates mod with them. NULL + msg on failure. */
typedef struct wasi_threads wasi_threads;
wasi_threads *wasi_threads_bind(wasi_ctx *ctx, wasmrt_module *mod, wasmrt_extern *imports,
                                const char *self, char *msg, size_t msg_size);
/* True once a thread was spawned: the run must then end the process
 * (wasi_threads_end_process) rather than free what the threads use. */
bool wasi_threads_spawned(const wasi_threads *t);
/* Flushes stdio and ends the process with `code`, whatever the other
 * threads are doing. */
_Noreturn void wasi_threads_end_process(int code);
/* After the instances: frees the thread-spawn function and the memory. */
void wasi_threads_free(wasi_threads *t);

/* True after the guest called proc_exit; *code gets its full 32-bit value. */
bool wasi_exited(const wasi_ctx *ctx, uint32_t *code);

/* The host signal number after a fatal proc_raise ended the last
 * wasi_run_start, else 0. */
int wasi_raised_signal(const wasi_ctx *ctx);

#endif

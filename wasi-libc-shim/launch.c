/* launch.c: wasi_launch, the command-line front of a WASI run shared by
 * the executables `wasmc build` makes (launcher.c) and `wasmc run`.
 *
 *   NAME [--dir HOST[::GUEST]]... [--env K=V | --env K]...
 *        [--tcplisten HOST:PORT]... [--gc-heap-limit SIZE] -- ARGS...
 *   NAME ARGS...                       (no `--`: every argument is the program's)
 *
 * It parses the grants, binds wasi_snapshot_preview1 with the shim,
 * instantiates the module, runs _start and returns the exit code. The
 * guest sees only the granted directories, the granted environment
 * variables and ARGS, with argv[0] as given. --tcplisten binds and listens
 * on a TCP address (as wasmtime's option does) and hands the socket to
 * the guest as the fd after the preopened directories, for sock_accept.
 * --gc-heap-limit sets the most bytes the GC heap of each thread may take
 * (wasmrt_gc_set_heap_limit, before instantiation; default
 * WASMRT_GC_DEFAULT_HEAP_LIMIT, 1 GiB): SIZE is bytes with an optional
 * suffix K, M or G in either case (powers of 1024; cli_opt_size), more
 * than 0; the last one given wins, so a run-time one overrides one baked
 * in. An allocation past the limit traps "out of memory".
 *
 * Exit codes of its own: 2 for an argument or set-up error (the message
 * names the argument), WASI_EXIT_TRAP (134) when the program trapped (the
 * trap and its Wasm function are printed on stderr) or ended with a Wasm
 * exception that it did not catch ("uncaught exception").
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_opt.h"
#include "wasi.h"

enum { EXIT_SETUP = 2 };

/* A listening TCP socket on HOST:PORT (HOST may be [v6]), or -1 after a
 * message naming the option. */
/* The word before a failed run's message: a trap, an uncaught exception
 * (its message says so), or a set-up error. */
static const char *failure_kind(const wasmrt_error *err) {
  if (err->trap == WASMRT_TRAP_NONE || err->trap == WASMRT_TRAP_UNCAUGHT_EXCEPTION)
    return "";
  return "trap: ";
}

static int tcp_listen(const char *spec, const char *self) {
  const char *colon = strrchr(spec, ':'), *h = spec;
  char host[256];
  size_t hl = colon ? (size_t)(colon - spec) : 0;
  if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') h++, hl -= 2;
  if (!colon || !hl || hl >= sizeof host || !colon[1]) {
    fprintf(stderr, "%s: --tcplisten '%s': expected HOST:PORT\n", self, spec);
    return -1;
  }
  memcpy(host, h, hl);
  host[hl] = 0;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res;
  int r = getaddrinfo(host, colon + 1, &hints, &res);
  if (r != 0) {
    fprintf(stderr, "%s: --tcplisten '%s': %s\n", self, spec, gai_strerror(r));
    return -1;
  }
  int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol), one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
    fprintf(stderr, "%s: --tcplisten '%s': %s\n", self, spec, strerror(errno));
    if (fd >= 0) close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

/* Adds "K=V" to env, replacing an earlier K: the last grant of a variable
 * wins, so a run-time --env overrides one baked in at build time (baked
 * ones come first). Returns the new count. */
static int set_env(const char **env, int nenv, const char *kv) {
  size_t klen = strcspn(kv, "=");
  for (int k = 0; k < nenv; k++)
    if (strncmp(env[k], kv, klen) == 0 && env[k][klen] == '=') {
      env[k] = kv;
      return nenv;
    }
  env[nenv] = kv;
  return nenv + 1;
}

int wasi_launch(wasmrt_module *mod, int argc, char **argv, const char *self) {
  /* Launcher options only before a `--`; without one, all are ARGS. */
  int dd = 0;
  for (int i = 1; i < argc && !dd; i++)
    if (strcmp(argv[i], "--") == 0) dd = i;

  const char **env = calloc((size_t)argc + 1, sizeof *env);
  wasi_preopen *dirs = calloc((size_t)argc + 1, sizeof *dirs);
  const char **gargv = calloc((size_t)argc + 1, sizeof *gargv);
  char **owned = calloc((size_t)argc + 1, sizeof *owned); /* built "K=V" strings */
  int *socks = calloc((size_t)argc + 1, sizeof *socks);
  int nenv = 0, ndirs = 0, gargc = 0, nowned = 0, nsocks = 0;
  /* --gc-heap-limit (0: not given), and the limit to put back */
  uint64_t gc_limit = 0, old_gc_limit = wasmrt_gc_heap_limit();
  int code = EXIT_SETUP;
  wasi_ctx *ctx = NULL;
  wasmrt_extern *imports = NULL;
  wasmrt_instance *inst = NULL;
  wasi_threads *threads = NULL;
  if (!env || !dirs || !gargv || !owned || !socks) {
    fprintf(stderr, "%s: out of memory\n", self);
    goto out;
  }

  gargv[gargc++] = argc > 0 ? argv[0] : self;
  for (int i = 1; i < dd; i++) {
    bool missing = false;
    const char *v;
    if ((v = cli_opt_value(dd, argv, &i, "--dir", &missing))) {
      const char *sep = strstr(v, "::");
      char *host = strndup(v, sep ? (size_t)(sep - v) : strlen(v));
      if (!host || !*host) {
        fprintf(stderr, "%s: --dir '%s': empty host directory\n", self, v);
        free(host);
        goto out;
      }
      owned[nowned++] = host;
      struct stat st;
      const char *why = stat(host, &st) != 0 ? strerror(errno)
                        : !S_ISDIR(st.st_mode) ? "not a directory" : NULL;
      if (why) {
        fprintf(stderr, "%s: --dir '%s': %s\n", self, v, why);
        goto out;
      }
      dirs[ndirs++] = (wasi_preopen){.host = host, .guest = sep ? sep + 2 : host};
    } else if ((v = cli_opt_value(dd, argv, &i, "--env", &missing))) {
      const char *eq = strchr(v, '=');
      if (eq == v || !*v) {
        fprintf(stderr, "%s: --env '%s': empty variable name\n", self, v);
        goto out;
      }
      if (eq) {
        nenv = set_env(env, nenv, v);
      } else {
        /* --env K: pass the host's value through; an unset K is not passed. */
        const char *hv = getenv(v);
        if (!hv) continue;
        size_t len = strlen(v) + 1 + strlen(hv) + 1;
        char *kv = malloc(len);
        if (!kv) goto out;
        snprintf(kv, len, "%s=%s", v, hv);
        owned[nowned++] = kv;
        nenv = set_env(env, nenv, kv);
      }
    } else if ((v = cli_opt_value(dd, argv, &i, "--tcplisten", &missing))) {
      if ((socks[nsocks] = tcp_listen(v, self)) < 0) goto out;
      nsocks++;
    } else if ((v = cli_opt_value(dd, argv, &i, "--gc-heap-limit", &missing))) {
      const char *why = cli_opt_size(v, &gc_limit);
      if (why) {
        fprintf(stderr, "%s: --gc-heap-limit '%s': %s\n", self, v, why);
        goto out;
      }
    } else if (missing) {
      fprintf(stderr, "%s: %s needs a value\n", self, argv[i]);
      goto out;
    } else {
      fprintf(stderr,
              "%s: unknown launcher option '%s' (before `--` only --dir HOST[::GUEST], "
              "--env K[=V], --tcplisten HOST:PORT and --gc-heap-limit SIZE are "
              "accepted; the program's arguments go after `--`)\n",
              self, argv[i]);
      goto out;
    }
  }
  for (int i = dd ? dd + 1 : 1; i < argc; i++) gargv[gargc++] = argv[i];

  wasmrt_error err;
  char msg[512];
  wasi_config cfg;
  wasi_config_init(&cfg);
  cfg.argc = gargc, cfg.argv = gargv;
  cfg.nenv = nenv, cfg.env = env;
  cfg.npreopens = ndirs, cfg.preopens = dirs;
  cfg.nsockets = nsocks, cfg.sockets = socks; /* the ctx dups them */
  if (!(ctx = wasi_ctx_new(&cfg, msg, sizeof msg))) {
    fprintf(stderr, "%s: %s\n", self, msg); /* names the --dir that failed */
    goto out;
  }
  const wasmrt_module_desc *desc = wasmrt_module_descriptor(mod);
  if (!(imports = calloc(desc->nimports ? desc->nimports : 1, sizeof *imports))) goto out;
  if (!wasi_bind_imports(ctx, desc, imports, msg, sizeof msg)) {
    fprintf(stderr, "%s: %s\n", self, msg);
    goto out;
  }
  /* wasi-threads: thread-spawn and the shared env.memory (threads.c) */
  if (!(threads = wasi_threads_bind(ctx, mod, imports, self, msg, sizeof msg))) {
    fprintf(stderr, "%s: %s\n", self, msg);
    goto out;
  }
  for (uint32_t k = 0; k < desc->nimports; k++) {
    const wasmrt_import_desc *im = &desc->imports[k];
    if (!imports[k].of.func) { /* every member of the union is a pointer */
      fprintf(stderr, "%s: unsupported import %s.%s (only %s, and for wasi-threads "
              "wasi.thread-spawn and a shared env.memory, are provided)\n", self,
              im->module, im->name, WASI_MODULE_NAME);
      goto out;
    }
  }
  /* Before instantiation: constant expressions may allocate (globals,
   * element segments), and threads spawned later make their heaps with it. */
  if (gc_limit) wasmrt_gc_set_heap_limit(gc_limit);
  if (!(inst = wasmrt_instantiate(mod, imports, desc->nimports, &err))) {
    fprintf(stderr, "%s: %s%s\n", self, failure_kind(&err), err.message);
    if (err.trap != WASMRT_TRAP_NONE) {
      fputs(wasmrt_trap_backtrace(), stderr);
      code = WASI_EXIT_TRAP;
    }
    goto out;
  }
  /* A write to a pipe whose reader is gone gives the guest EPIPE, as under
   * wasmtime, instead of killing the whole process with SIGPIPE. */
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, &old_pipe);
  code = wasi_run_start(ctx, inst, &err);
  sigaction(SIGPIPE, &old_pipe, NULL);
  /* Threads still running use the instance, the memory and the ctx: a
   * wasi-threads program ends when _start does (or traps) by ending the
   * process, with the same code and messages as below. */
  bool end_process = wasi_threads_spawned(threads);
  if (code < 0) {
    fflush(stdout);
    fprintf(stderr, "%s: %s%s\n", self, failure_kind(&err), err.message);
    /* The Wasm call stack, when the frames have unwind tables (-g). */
    if (err.trap != WASMRT_TRAP_NONE) fputs(wasmrt_trap_backtrace(), stderr);
    code = err.trap != WASMRT_TRAP_NONE ? WASI_EXIT_TRAP : EXIT_SETUP;
  } else if (wasi_raised_signal(ctx)) {
    /* What a shell would say of a process killed by that signal. */
    fflush(stdout);
    fprintf(stderr, "%s: program terminated by %s (exit code %d)\n", self, err.message, code);
    /* Where proc_raise was called (it ended the run as a host trap). */
    fputs(wasmrt_trap_backtrace(), stderr);
  }
  if (end_process) wasi_threads_end_process(code);
out:
  if (inst) wasmrt_instance_free(inst);
  wasi_threads_free(threads); /* after the instance: it owns the memory */
  wasi_ctx_free(ctx); /* after the instance: it owns the host functions */
  if (gc_limit) wasmrt_gc_set_heap_limit(old_gc_limit); /* as it found it */
  for (int i = 0; i < nowned; i++) free(owned[i]);
  for (int i = 0; i < nsocks; i++) close(socks[i]);
  free(owned), free(imports), free(env), free(dirs), free(gargv), free(socks);
  fflush(stdout);
  return code; /* the caller frees mod */
}

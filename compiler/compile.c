/* compile.c: the `compile` and `build` commands, and the pipeline they
 * share with `image` and `run` (compile_file): load and validate the
 * module, lower it, emit the object, and link it into a shared object or
 * an executable. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm-c/Support.h>

#include "codegen.h"
#include "dwarf.h"
#include "emit.h"
#include "link.h"
#include "lower.h"
#include "timing.h"

static int compile_main(cli_args *c);

/* ---- --time-report --------------------------------------------------------- */

/* The times of compile_file's phases; seconds. */
typedef struct {
  double start_wall, start_cpu; /* the process's CPU, children included */
  double load[4];               /* cli_load_valid: decode, validate */
  codegen_report cg;            /* lower, optimise, codegen, join */
  double link_wall, link_cpu;   /* the final cc / cc -shared, if any */
} time_report;

/* The CPU seconds of this process and its waited-for children. */
static double process_cpu(void) {
  return timing_rusage_cpu(RUSAGE_SELF) + timing_rusage_cpu(RUSAGE_CHILDREN);
}

static void report_row(const char *phase, double wall, double cpu,
                       const char *note) {
  fprintf(stderr, "  %-18s %9.3f %9.3f%s%s\n", phase, wall, cpu,
          note[0] ? "  " : "", note);
}

/* Prints where compile_file's time went, on stderr (--time-report). In
 * chunks, lower/optimise/codegen are sums over the chunks, each chunk's
 * wall and CPU time on its thread; "in parallel" is the wall time of the
 * whole parallel part and the CPU of all its threads. */
static void print_time_report(const cli_args *c, const char *triple,
                              const char *link_name, const time_report *tr) {
  const codegen_report *g = &tr->cg;
  double total_wall = timing_wall() - tr->start_wall;
  double total_cpu = process_cpu() - tr->start_cpu;
  fprintf(stderr, "wasmc: time report: %s, %s, -O%d, ", c->file, triple,
          c->opt_level);
  if (g->chunks)
    fprintf(stderr, "%u chunks + the descriptor on %u thread%s\n", g->chunks,
            g->threads, g->threads == 1 ? "" : "s");
  else
    fprintf(stderr, "compiled whole\n");
  fprintf(stderr, "  %-18s %9s %9s\n", "phase", "wall s", "cpu s");
  const char *sum = g->chunks ? "sum over chunks" : "";
  report_row("decode", tr->load[0], tr->load[1], "");
  report_row("validate", tr->load[2], tr->load[3], "");
  report_row("lower", g->lower_wall, g->lower_cpu, sum);
  report_row("optimise", g->emit.optimise_wall, g->emit.optimise_cpu, sum);
  report_row("codegen", g->emit.codegen_wall, g->emit.codegen_cpu, sum);
  if (g->chunks) {
    char note[160];
    snprintf(note, sizeof note, "wall of the parallel part; cpu of its %u "
             "thread%s (%.2f busy; the first idle for the last %.3f s)",
             g->threads, g->threads == 1 ? "" : "s",
             g->parallel_wall > 0 ? g->parallel_cpu / g->parallel_wall : 0,
             g->idle_tail);
    report_row("in parallel", g->parallel_wall, g->parallel_cpu, note);
    report_row("link (cc -r)", g->join_wall, g->join_cpu,
               "joining the chunks' objects");
  }
  if (link_name)
    report_row(link_name, tr->link_wall, tr->link_cpu, "");
  report_row("total", total_wall, total_cpu, "cpu: the process and its cc");
  if (g->nslowest) {
    double cpu_all = g->lower_cpu + g->emit.optimise_cpu + g->emit.codegen_cpu;
    fprintf(stderr, "  slowest chunks (share of the estimated cost / of the "
            "CPU time):\n");
    for (uint32_t k = 0; k < g->nslowest; k++)
      fprintf(stderr, "    chunk %u: functions %u-%u, %llu bytes: %.3f s cpu, "
              "%.3f s wall; %.1f%% / %.1f%%\n", g->slowest[k].chunk,
              g->slowest[k].first, g->slowest[k].end - 1,
              (unsigned long long)g->slowest[k].bytes, g->slowest[k].cpu,
              g->slowest[k].wall,
              g->cost_total > 0
                  ? 100 * (double)g->slowest[k].cost / (double)g->cost_total
                  : 0,
              cpu_all > 0 ? 100 * g->slowest[k].cpu / cpu_all : 0);
  }
}


/* The pipeline of `compile`/`build` (and of `run` on a cache miss, with
 * c->shared): load, validate, lower, emit, link to c->out. Returns an
 * exit status; messages are printed. */
int compile_file(const cli_args *cp, const char *triple) {
  cli_args c = *cp;
  int status = EXIT_BAD_INPUT;
  bool writing = false; /* OUT may be half-written from here on */
  emit_target *t = NULL;
  char tmp_obj[4096] = "";
  char *baked = NULL; /* launcher arguments for WASMC_LAUNCHER_ARGS_SYMBOL */
  dwarf_info *dwarf = NULL; /* -g: the module's own DWARF */
  time_report tr_buf = {0}, *tr = c.time_report ? &tr_buf : NULL;
  if (tr) {
    tr->start_wall = timing_wall();
    tr->start_cpu = process_cpu();
  }
  const char *link_name = NULL; /* the final link, for the report */
  wasm_module *m = cli_load_valid(c.file, tr ? tr->load : NULL);
  if (!m)
    goto done;
  wasm_error err = {0};

  if (c.nllvm_args) {
    /* LLVM's own command line, parsed once per process (wasmc compiles
     * one module per run). */
    const char *argv_llvm[34] = {"wasmc"};
    for (int k = 0; k < c.nllvm_args; k++)
      argv_llvm[k + 1] = c.llvm_args[k];
    LLVMParseCommandLineOptions(c.nllvm_args + 1, argv_llvm, NULL);
  }
  emit_options eo = {.triple = triple, .cpu = c.cpu, .features = c.features,
                     .opt_level = c.opt_level, .emit_llvm = c.emit_llvm};
#ifndef NDEBUG
  eo.verify = true; /* lowering bugs show up as IR errors, not crashes */
#endif
  char msg[2048];
  t = emit_target_new(&eo, msg, sizeof msg);
  if (!t) {
    /* a bad --cpu/--features is a usage error, like a bad --target */
    fprintf(stderr, "wasmc: error: %s\n", msg);
    status = EXIT_USAGE;
    goto done;
  }

  bool linking = c.shared || c.exe; /* the object is an intermediate */
  const char *obj = c.out;
  if (linking) {
    if (!cli_temp_file(tmp_obj, sizeof tmp_obj, ".o")) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      tmp_obj[0] = '\0';
      goto done;
    }
    obj = tmp_obj;
  }
  lower_options lo = {.bounds_checks = c.bounds_checks,
                      .debug_info = c.debug_info,
                      .chunk_size = c.chunk_size,
                      .jobs = c.jobs,
                      .report = tr ? &tr->cg : NULL,
                      .progress = !c.no_progress && isatty(STDERR_FILENO),
                      .no_unwind = (c.exe || c.cmd == CLI_RUN) &&
                                   m->ntags == 0 && m->nimported_tags == 0};
  if (c.debug_info) {
    /* The module's own DWARF makes -g source-level; without it (or when it
     * is malformed: a warning, not an error) -g gives Wasm offsets. */
    char why[256];
    dwarf = dwarf_read(m, why, sizeof why);
    if (!dwarf && why[0])
      fprintf(stderr,
              "%s: warning: ignoring the module's DWARF (%s); -g gives Wasm "
              "function names and offsets only\n",
              c.file, why);
    lo.dwarf = dwarf;
    lo.frame_pointers = c.opt_level == 0;
    lo.locals_in_memory = c.opt_level == 0;
  }
  if (c.ngrants) {
    size_t size = 1;
    for (int k = 0; k < c.ngrants; k++)
      size += strlen(c.grants[k]) + 1;
    if (!(baked = malloc(size))) {
      fputs("wasmc: error: out of memory\n", stderr);
      goto done;
    }
    char *p = baked;
    for (int k = 0; k < c.ngrants; k++)
      p = stpcpy(p, c.grants[k]) + 1;
    *p = '\0';
    lo.launcher_args = baked;
    lo.launcher_args_size = size;
  }
  err = (wasm_error){0};
  writing = !linking;
  if (!emit_wasm_module(t, m, &lo, obj, NULL, &err)) {
    if (err.offset)
      wasm_error_print(stderr, c.file, &err);
    else
      fprintf(stderr, "%s: error: %s\n", c.file, err.msg);
    goto done;
  }
  if (linking) {
    writing = true;
    const char *cross = emit_target_is_native(t) ? NULL : emit_target_arch(t);
    double wall0 = 0, cpu0 = 0;
    if (tr) {
      link_name = c.exe ? "link (cc)" : "link (cc -shared)";
      wall0 = timing_wall();
      cpu0 = process_cpu();
    }
    bool ok = c.exe ? link_executable(emit_target_linker(t), cross, obj, c.out,
                                      c.static_exe, c.strip, msg, sizeof msg)
                    : link_shared(emit_target_linker(t), obj, c.out, msg,
                                  sizeof msg);
    if (tr) {
      tr->link_wall = timing_wall() - wall0;
      tr->link_cpu = process_cpu() - cpu0;
    }
    if (!ok) {
      fprintf(stderr, "%s: error: %s\n", c.file, msg);
      goto done;
    }
  }
  status = EXIT_OK;
  if (tr)
    print_time_report(&c, emit_target_triple(t), link_name, tr);

done:
  free(baked);
  dwarf_free(dwarf);
  if (tmp_obj[0])
    unlink(tmp_obj);
  if (status != EXIT_OK && writing)
    unlink(c.out); /* never leave a half-written output behind */
  emit_target_free(t);
  wasm_module_free(m);
  return status;
}

/* `compile` (exe false) and `build` (exe true): the same pipeline; build
 * links the object into an executable instead of a shared object. */
int cmd_compile(int argc, char **argv, bool exe) {
  return cli_main(exe ? CLI_BUILD : CLI_COMPILE, argc, argv, compile_main);
}

static int compile_main(cli_args *cp) {
  cli_args c = *cp;
  if (!c.file)
    return usage_error("'%s' needs a FILE", c.cmd_name);
  if (c.emit_llvm && c.shared)
    return usage_error("--emit-llvm and --shared exclude each other");

  char target_err[256];
  char triple[128];
  if (!emit_resolve_triple(c.target, triple, sizeof triple, target_err,
                           sizeof target_err))
    return usage_error("%s", target_err);

  /* Default output: FILE minus .wasm, plus .o / .so (nothing for build). */
  char *default_out = NULL;
  if (!c.out) {
    const char *ext = c.exe ? "" : c.shared ? ".so" : c.emit_llvm ? ".ll" : ".o";
    size_t len = strlen(c.file);
    if (len > 5 && strcmp(c.file + len - 5, ".wasm") == 0)
      len -= 5;
    else if (c.exe)
      return usage_error("'build' needs -o OUT ('%s' does not end in .wasm)",
                         c.file);
    default_out = malloc(len + 4);
    if (!default_out) {
      fputs("wasmc: error: out of memory\n", stderr);
      return EXIT_BAD_INPUT;
    }
    memcpy(default_out, c.file, len);
    strcpy(default_out + len, ext);
    c.out = default_out;
  }

  int status = compile_file(&c, triple);
  free(default_out);
  return cli_finish(status);
}


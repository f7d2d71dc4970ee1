/* main.c: the wasmc command-line driver, a dispatcher.
 *
 *   wasmc validate [-v] FILE...   decode + validate each module (here)
 *   wasmc inspect FILE            decode + validate, print a summary (here)
 *   wasmc compile | build         object, shared object, executable (compile.c)
 *   wasmc FILE.wasm [OPTIONS]     the same as wasmc build FILE.wasm
 *   wasmc image                   OCI image of executables (image_cmd.c)
 *   wasmc run                     compile or take from the cache, run (run.c)
 *   wasmc --version              version, git revision, LLVM, runtime ABI
 *   wasmc --help | help [COMMAND]
 *   wasmc --print-targets         the target table, one line per target
 *
 * The options of every command are one table (options.c), the help texts
 * are help.c, the messages and the reading of modules are cli.c. Exit
 * codes: see cli.h. This executable does not link LLVM: compile, build,
 * image and --version run in libwasmc_llvm.so, loaded on demand
 * (llvm_api.h); run loads it only on a cache miss.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "inspect.h"
#include "llvm_api.h"
#include "target.h"
#include "wasmrt_abi.h"

/* The first line stays "wasmc VERSION (LLVM X.Y.Z)": scripts and the
 * benches read it (head -n1). Then one "name: value" line each. */
static int print_version(void) {
  const wasmc_llvm_api *api = llvm_api_load();
  if (!api) return cli_finish(EXIT_BAD_INPUT);
  unsigned major = 0, minor = 0, patch = 0;
  api->llvm_version(&major, &minor, &patch);
  printf("wasmc %s (LLVM %u.%u.%u)\n", WASMC_VERSION, major, minor, patch);
  printf("git revision: %s\n", wasmc_git_revision);
  printf("LLVM version: %u.%u.%u\n", major, minor, patch);
  printf("runtime ABI version: %u\n", (unsigned)WASMRT_ABI_VERSION);
  return cli_finish(EXIT_OK);
}

/* The commands that need LLVM, run by libwasmc_llvm.so. */
static int llvm_command(const char *cmd, int argc, char **argv) {
  const wasmc_llvm_api *api = llvm_api_load();
  if (!api) return cli_finish(EXIT_BAD_INPUT);
  if (strcmp(cmd, "image") == 0) return api->cmd_image(argc, argv);
  return api->cmd_compile(argc, argv, strcmp(cmd, "compile") != 0);
}

/* One line per target of target.c's table, tab-separated: architecture,
 * triple, baseline CPU, the C driver that links for it from another
 * host, and "host" for the machine wasmc runs on: what scripts need
 * (e.g. scripts/test's cross targets) without a list of their own. */
static int print_targets(void) {
  const char *host = target_host_arch();
  for (size_t i = 0; i < emit_target_count(); i++) {
    const target_row *t = target_at(i);
    printf("%s\t%s\t%s\t%s\t%s\n", t->arch, t->triple, t->cpu, t->cross_cc,
           host && strcmp(host, t->arch) == 0 ? "host" : "cross");
  }
  return cli_finish(EXIT_OK);
}

/* `validate` (every FILE, even after one fails) and `inspect` (one FILE:
 * the summary, then the validation error if there is one). */
static int check_main(cli_args *a) {
  bool inspect = a->cmd == CLI_INSPECT;
  if (a->nfiles == 0)
    return inspect ? usage_error("'inspect' needs a FILE")
                   : usage_error("'validate' needs at least one FILE");
  int status = EXIT_OK;
  for (int i = 0; i < a->nfiles; i++) {
    const char *path = a->files[i];
    wasm_module *m = cli_load(path);
    if (!m) {
      status = EXIT_BAD_INPUT;
      continue;
    }
    cli_print_name_warning(path, m);
    wasm_error err = {0};
    bool valid = wasm_validate(m, &err);
    if (inspect)
      wasm_inspect_print(stdout, m);
    else if (valid && a->verbose)
      printf("%s: valid\n", path);
    if (!valid) {
      err.in_binary_of_text = m->from_text;
      cli_report_invalid(path, &err);
      status = EXIT_BAD_INPUT;
    }
    wasm_module_free(m);
  }
  return cli_finish(status);
}

static int cmd_help(int argc, char **argv) {
  if (argc > 1)
    return usage_error("'help' takes at most one COMMAND (unexpected '%s')",
                       argv[1]);
  const char *text = cli_help_text(argc ? argv[0] : NULL);
  if (!text)
    return usage_error("unknown command '%s'", argv[0]);
  fputs(text, stdout);
  return cli_finish(EXIT_OK);
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("no COMMAND given (e.g. wasmc validate FILE...)");
  const char *cmd = argv[1];
  int rest_argc = argc - 2;
  char **rest_argv = argv + 2;

  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
      strcmp(cmd, "help") == 0)
    return cmd_help(rest_argc, rest_argv); /* wasmc --help [COMMAND] */
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 ||
      strcmp(cmd, "version") == 0) {
    if (rest_argc > 0)
      return usage_error("unexpected argument '%s' after --version",
                         rest_argv[0]);
    return print_version();
  }
  if (strcmp(cmd, "--print-targets") == 0) {
    if (rest_argc > 0)
      return usage_error("unexpected argument '%s' after --print-targets",
                         rest_argv[0]);
    return print_targets();
  }
  if (strcmp(cmd, "validate") == 0)
    return cli_main(CLI_VALIDATE, rest_argc, rest_argv, check_main);
  if (strcmp(cmd, "inspect") == 0)
    return cli_main(CLI_INSPECT, rest_argc, rest_argv, check_main);
  if (strcmp(cmd, "compile") == 0 || strcmp(cmd, "build") == 0 ||
      strcmp(cmd, "image") == 0)
    return llvm_command(cmd, rest_argc, rest_argv);
  if (strcmp(cmd, "run") == 0)
    return cmd_run(rest_argc, rest_argv);
  /* wasmc FILE.wasm [OPTIONS]: build, the way a C compiler takes a file. */
  size_t cmd_len = strlen(cmd);
  if (cmd[0] != '-' && cmd_len > 5 && strcmp(cmd + cmd_len - 5, ".wasm") == 0)
    return llvm_command("build", argc - 1, argv + 1);

  if (cmd[0] == '-')
    return usage_error("unknown option '%s'", cmd);
  return usage_error("unknown command '%s'", cmd);
}

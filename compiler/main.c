/* main.c: the wasmc command-line driver.
 *
 *   wasmc validate [-v] FILE...   decode + validate each module
 *   wasmc inspect FILE            decode + validate, print a summary
 *   wasmc compile FILE [-o OUT] [--shared] [-O0..3] [--target T]
 *                 [--cpu C] [--features F] [--bounds-checks] [-j N]
 *                 [--chunk-size BYTES]
 *                                 native object (or shared object)
 *   wasmc build FILE [-o OUT] [-O0..3] [--target T] [--cpu C] [--features F]
 *               [--bounds-checks] [--static] [-j N] [--chunk-size BYTES]
 *                                 standalone executable (WASI programs)
 *   wasmc FILE.wasm [OPTIONS]     the same as wasmc build FILE.wasm
 *   wasmc image FILE -o OUT [--platform LIST] [--tag NAME:TAG] [build options]
 *                                 OCI image (layout dir or .tar archive)
 *   wasmc run FILE [-O0..3] [--cpu C] [--features F] [--bounds-checks] [-v]
 *             [-j N] [--chunk-size BYTES]
 *             [--dir HOST[::GUEST]]... [--env K[=V]]... [-- ARGS...]
 *                                 compile (or reuse the cached compile) and
 *                                 run a WASI program in this process
 *   wasmc --version | --help | help [COMMAND]
 *
 * Exit codes: 0 success, 1 bad input (malformed/invalid module, unreadable
 * file, failed output), 2 usage error (unknown command or option, missing
 * operand). Usage errors print "wasmc: error: ..." on stderr; module errors
 * print "FILE:0xOFF: error: MSG" (see diag.h).
 *
 * The parser is written by hand: each command takes a few flags that may
 * appear anywhere among its operands, and "--" ends the flags.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Support.h>

#include "cache.h"
#include "diag.h"
#include "emit.h"
#include "emit_chunks.h"
#include "image.h"
#include "inspect.h"
#include "link.h"
#include "lower.h"
#include "wasi.h"
#include "wasm.h"
#include "wasmrt_abi.h"

#ifndef WASMC_VERSION
#define WASMC_VERSION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: wasmc COMMAND [OPTIONS] FILE...\n"
    "\n"
    "wasmc is an ahead-of-time WebAssembly compiler (in development).\n"
    "It decodes, validates and compiles WebAssembly 2.0 modules to native\n"
    "code (through LLVM) that runs inside the wasmc runtime (libwasmrt).\n"
    "\n"
    "Commands:\n"
    "  validate [-v] FILE...  decode and validate each module\n"
    "  inspect FILE           decode and validate a module, print its sections,\n"
    "                         imports, exports, counts and names\n"
    "  compile FILE -o OUT    compile a module to an object file, or with\n"
    "                         --shared to a shared object the runtime loads\n"
    "                         (see wasmc help compile)\n"
    "  build FILE -o OUT      compile a WASI program to a standalone native\n"
    "                         executable (see wasmc help build); `wasmc\n"
    "                         FILE.wasm ...` is the same\n"
    "  image FILE -o OUT      compile a WASI program into an OCI image, for\n"
    "                         one or several platforms (see wasmc help image)\n"
    "  run FILE [-- ARGS]     compile a WASI program (or reuse the cached\n"
    "                         compile) and run it (see wasmc help run)\n"
    "  help [COMMAND]         show this help, or the help of COMMAND\n"
    "\n"
    "Options:\n"
    "  -h, --help      show help (also after a command: wasmc validate --help)\n"
    "  -V, --version   show the wasmc version and the LLVM version it uses\n"
    "\n"
    "Exit status:\n"
    "  0  success (every module is valid / was compiled)\n"
    "  1  bad input: a module is malformed or invalid, a file cannot be read\n"
    "     or written, or compilation/linking failed\n"
    "  2  usage error: unknown command or option, missing operand\n"
    "\n"
    "Module errors are printed to stderr as FILE:0xOFFSET: error: MESSAGE,\n"
    "where OFFSET is the byte offset in the file.\n";

static const char validate_help[] =
    "usage: wasmc validate [-v] FILE...\n"
    "\n"
    "Decode and validate each WebAssembly 2.0 module (MVP, sign extension,\n"
    "non-trapping float-to-int, multi-value, bulk memory, reference types,\n"
    "SIMD128). Prints nothing for a valid module unless -v is given; prints\n"
    "FILE:0xOFFSET: error: MESSAGE to stderr for the first error of an\n"
    "invalid one, and FILE: warning: MESSAGE for a malformed name section\n"
    "(which the spec says to ignore). Every file is checked even after one\n"
    "fails.\n"
    "\n"
    "Options:\n"
    "  -v, --verbose   print FILE: valid for each valid module\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 if all modules are valid, 1 if any is not (or cannot be\n"
    "read), 2 on a usage error.\n";

static const char inspect_help[] =
    "usage: wasmc inspect FILE\n"
    "\n"
    "Decode and validate a module, then print a summary: sections with\n"
    "offsets and sizes, imports, exports, counts of functions, tables,\n"
    "memories, globals, element and data segments, and names from the name\n"
    "section. If the module decodes but is invalid, the summary is printed\n"
    "and then the validation error.\n"
    "\n"
    "Options:\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 if the module is valid, 1 if it is malformed, invalid or\n"
    "cannot be read, 2 on a usage error.\n";

static const char compile_help[] =
    "usage: wasmc compile [OPTIONS] FILE.wasm [-o OUT]\n"
    "\n"
    "Compile a WebAssembly 2.0 module to native code: an object file, or\n"
    "with --shared a shared object that the wasmc runtime loads\n"
    "(wasmrt_module_load in runtime/wasmrt.h). The module is decoded and\n"
    "validated first; an invalid module is reported as by `wasmc validate`.\n"
    "The shared object is linked by the system C compiler (cc -shared), or\n"
    "for another architecture by its cross gcc (e.g. aarch64-linux-gnu-gcc).\n"
    "\n"
    "Options:\n"
    "  -o OUT            output file (default: FILE with .wasm replaced by\n"
    "                    .o, .so with --shared, .ll with --emit-llvm)\n"
    "  --shared          link a shared object instead of writing an object\n"
    "  --llvm-arg ARG    pass an option to LLVM, as llc takes it (repeat for\n"
    "                    more), e.g. -pass-remarks-missed=loop-vectorize\n"
    "  --emit-llvm       write the optimised LLVM IR (text) that code\n"
    "                    generation would get, instead of an object (the\n"
    "                    module as a whole, never in chunks)\n"
    "  -O0 .. -O3        optimisation level (default -O2)\n"
    "  --target T        x86_64, aarch64, riscv64 or a Linux triple such as\n"
    "                    aarch64-linux-gnu (default: the host)\n"
    "  --cpu NAME        CPU to tune and select instructions for: `native`\n"
    "                    (this machine) or an LLVM CPU name such as\n"
    "                    x86-64-v3 (default: the architecture's baseline,\n"
    "                    x86-64 / generic, so the code runs anywhere)\n"
    "  --features LIST   extra LLVM target features, e.g. +avx2,-sse4.2\n"
    "  --bounds-checks   explicit bounds checks on every memory access\n"
    "                    instead of relying on guard pages\n"
    "  -j N, --jobs N    threads for a large module (default: the online\n"
    "                    CPUs, at most 8); the output is the same for any N\n"
    "  --chunk-size BYTES  Wasm code per chunk of a large module (default\n"
    "                    1048576): a module with more code is compiled in\n"
    "                    chunks, in parallel, without inlining across them\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 on success, 1 if the module is malformed or invalid,\n"
    "cannot be read, or compiling/linking/writing fails, 2 on a usage error.\n";

static const char build_help[] =
    "usage: wasmc build [OPTIONS] FILE.wasm [-o OUT]\n"
    "       wasmc FILE.wasm [OPTIONS]\n"
    "\n"
    "Compile a WASI (preview 1) command module to a standalone native\n"
    "executable: the module, the wasmc runtime and the WASI host linked\n"
    "together by the system C compiler. The executable runs the module's\n"
    "_start and exits with the program's exit code (134 when it traps, the\n"
    "trap and its Wasm function printed on stderr). At run time it takes\n"
    "  OUT [--dir HOST[::GUEST]]... [--env K=V | --env K]...\n"
    "      [--tcplisten HOST:PORT]... -- ARGS...\n"
    "(--env K passes the host's K through); without `--` every argument\n"
    "is the program's. The program sees only those directories, variables\n"
    "and arguments. Launcher errors exit with 2.\n"
    "\n"
    "Options:\n"
    "  -o OUT            output file (default: FILE without .wasm)\n"
    "  -O0 .. -O3        optimisation level (default -O2)\n"
    "  --target T        x86_64, aarch64, riscv64 or a Linux triple such as\n"
    "                    aarch64-linux-gnu (default: the host)\n"
    "  --cpu NAME        CPU to select instructions for (see wasmc help compile)\n"
    "  --features LIST   extra LLVM target features, e.g. +avx2\n"
    "                    Beyond the baseline, the executable checks the CPU\n"
    "                    when it starts and, on a machine without those\n"
    "                    features, exits 2 naming them (never SIGILL)\n"
    "  --bounds-checks   explicit bounds checks instead of guard pages\n"
    "  -j N, --jobs N    threads for a large module (default: the online\n"
    "                    CPUs, at most 8); the output is the same for any N\n"
    "  --chunk-size BYTES  Wasm code per chunk of a large module (default\n"
    "                    1048576): a module with more code is compiled in\n"
    "                    chunks, in parallel, without inlining across them\n"
    "  --static          a fully static executable (glibc warns that the\n"
    "                    runtime's dlopen, unused by executables, would need\n"
    "                    the build machine's glibc; the executable works)\n"
    "  -s, --strip       no symbol table in the executable (smaller; trap\n"
    "                    messages still name the Wasm functions)\n"
    "  --dir HOST[::GUEST]  bake a directory grant into the executable\n"
    "  --env K=V | --env K  bake a variable (K alone: the host's K at run time)\n"
    "  --tcplisten HOST:PORT  bake a listening socket, preopened for the\n"
    "                    program (bound when it starts)\n"
    "                    Baked grants always apply; those given at run time\n"
    "                    add to them (a variable set at run time replaces a\n"
    "                    baked one). A relative HOST is taken from the\n"
    "                    working directory at run time.\n"
    "  -h, --help        show this help\n"
    "\n"
    "The runtime libraries (libwasmc_launcher.a, libwasmc_wasi.a,\n"
    "libwasmrt_static.a) are taken from wasmc's build tree, or from the\n"
    "folder $WASMC_LIBDIR when set. For another architecture (--target)\n"
    "they come from its cross build, build-ARCH/ beside wasmc's build tree\n"
    "(scripts/cross-build ARCH), or from $WASMC_LIBDIR/ARCH, and the\n"
    "target's cross gcc (e.g. aarch64-linux-gnu-gcc) links; run the\n"
    "result on such a machine or under qemu-user (qemu-aarch64 -L\n"
    "/usr/aarch64-linux-gnu ./OUT; a --static one needs no -L).\n"
    "\n"
    "Exit status: 0 on success, 1 if the module is malformed or invalid,\n"
    "cannot be read, or compiling/linking fails, 2 on a usage error.\n";

static const char image_help[] =
    "usage: wasmc image [OPTIONS] FILE.wasm -o OUT\n"
    "\n"
    "Compile a WASI (preview 1) command module into an OCI image: one\n"
    "static, stripped executable per platform (as `wasmc build --static -s`\n"
    "makes), each the only file of its image's single layer, at /app, with\n"
    "Entrypoint [\"/app\"]: arguments given to the container are the\n"
    "program's. No shell, no libc, nothing else is in the image.\n"
    "OUT ending in .tar is an OCI archive (podman load, skopeo copy\n"
    "oci-archive:OUT, ctr images import); any other OUT is an OCI image\n"
    "layout directory (podman run oci:OUT:TAG). OUT is written whole or not\n"
    "at all; an existing archive or image layout at OUT is replaced.\n"
    "The same inputs give the same image, byte for byte (times are 0, or\n"
    "$SOURCE_DATE_EPOCH when set, which also sets the config's `created`).\n"
    "\n"
    "Options:\n"
    "  -o OUT            the image: DIR (layout) or FILE.tar (archive)\n"
    "  --platform LIST   comma-separated: linux/amd64, linux/arm64 (or\n"
    "                    linux/arm64/v8), linux/riscv64 (default: this\n"
    "                    host's); with several, one image index holds one\n"
    "                    image per platform, so one reference runs on all.\n"
    "                    Other architectures need their runtime libraries\n"
    "                    (scripts/cross-build ARCH) and cross gcc\n"
    "  --tag NAME[:TAG]  the image reference (default: FILE's name without\n"
    "                    .wasm, tag latest); index.json carries it as\n"
    "                    org.opencontainers.image.ref.name (TAG) and\n"
    "                    io.containerd.image.name (NAME:TAG)\n"
    "  --dir HOST[::GUEST]  grant the program the container's directory HOST\n"
    "                    (as GUEST); HOST becomes an empty directory of the\n"
    "                    image and a declared volume: mount a volume there\n"
    "                    (podman run -v VOL:HOST) to give the program data\n"
    "  --env K=V         a variable: the config's Env has K=V and the\n"
    "                    program gets the container's K (so podman run\n"
    "                    -e K=W overrides it); --env K passes K only\n"
    "  --tcplisten HOST:PORT  a listening socket preopened for the program\n"
    "  -O0 .. -O3, --cpu NAME, --features LIST, --bounds-checks, -j N,\n"
    "  --chunk-size BYTES  as for wasmc build (--cpu applies to every\n"
    "                    platform; an executable built beyond its\n"
    "                    architecture's baseline checks the CPU at start)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Config labels: dev.wasmc.module (the file name), dev.wasmc.module.digest\n"
    "(sha256 of the module), dev.wasmc.version, dev.wasmc.build (options).\n"
    "\n"
    "Exit status: 0 on success, 1 if the module is malformed, invalid or not\n"
    "a WASI command (it must export _start and import only\n"
    "wasi_snapshot_preview1 functions), or compiling, linking or writing\n"
    "fails, 2 on a usage error (e.g. an unknown platform).\n";

static const char run_help[] =
    "usage: wasmc run [OPTIONS] FILE.wasm [-- ARGS...]\n"
    "\n"
    "Run a WASI (preview 1) command module, like `wasmtime run`: compile it\n"
    "to a shared object (or reuse the cached compile), load it into this\n"
    "process with the wasmc runtime and the WASI host, run its _start and\n"
    "exit with the program's exit code (134 when it traps, the trap and its\n"
    "Wasm function printed on stderr; 2 for a bad --dir/--env). The program\n"
    "sees only the granted directories and variables and ARGS, with argv[0]\n"
    "= FILE.\n"
    "\n"
    "Options:\n"
    "  --dir HOST[::GUEST]  grant a host directory (as GUEST in the guest)\n"
    "  --env K=V | --env K  set a variable (K alone: pass the host's K)\n"
    "  --tcplisten HOST:PORT  listen on HOST:PORT; the socket is preopened\n"
    "                    for the program (sock_accept)\n"
    "  -O0 .. -O3        optimisation level (default -O2)\n"
    "  --cpu NAME        CPU to select instructions for (see wasmc help compile)\n"
    "  --features LIST   extra LLVM target features, e.g. +avx2\n"
    "  --bounds-checks   explicit bounds checks instead of guard pages\n"
    "  -j N, --jobs N    threads for a large module (default: the online\n"
    "                    CPUs, at most 8); the output is the same for any N\n"
    "  --chunk-size BYTES  Wasm code per chunk of a large module (default\n"
    "                    1048576): a module with more code is compiled in\n"
    "                    chunks, in parallel, without inlining across them\n"
    "  -v, --verbose     say on stderr whether the cache was used\n"
    "  -h, --help        show this help\n"
    "\n"
    "Compile cache: $XDG_CACHE_HOME/wasmc (else ~/.cache/wasmc), one\n"
    "zstd-compressed entry per module, keyed by a BLAKE3 hash of the module,\n"
    "the wasmc and LLVM versions, the target, CPU, features and options.\n"
    "A damaged or foreign entry is reported and recompiled, never run.\n"
    "A cached shared object is loaded from a memfd; a fresh compile (or\n"
    "where memfds are unusable) from a private temporary file in\n"
    "$XDG_RUNTIME_DIR (else $TMPDIR, else /tmp), removed once loaded.\n"
    "A cache directory writable by other users is not used.\n"
    "\n"
    "Exit status: the program's; 1 if the module is malformed or invalid or\n"
    "compiling fails, 2 on a usage error.\n";

/* ---- messages ------------------------------------------------------------ */

/* Print "wasmc: error: MSG (see wasmc --help)"; returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmc: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see wasmc --help)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

static void print_version(void) {
  unsigned major = 0, minor = 0, patch = 0;
  LLVMGetVersion(&major, &minor, &patch);
  printf("wasmc %s (LLVM %u.%u.%u)\n", WASMC_VERSION, major, minor, patch);
}

/* Flush stdout and report a failed write (e.g. to a full disk) instead of
 * exiting 0 with truncated output. */
static int finish(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "wasmc: error: cannot write output: %s\n", strerror(errno));
    return status == EXIT_OK ? EXIT_BAD_INPUT : status;
  }
  return status;
}

/* ---- loading ------------------------------------------------------------- */

/* Check that path names something readable before handing it to the
 * decoder, so that the message names the file and the system's reason.
 * stat + access rather than open: opening a FIFO here would consume its
 * writer before the decoder reads it. */
static bool check_readable(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
    fprintf(stderr, "wasmc: error: cannot open '%s': %s\n", path,
            strerror(errno));
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    fprintf(stderr, "wasmc: error: cannot read '%s': %s\n", path,
            strerror(EISDIR));
    return false;
  }
  return true;
}

/* Load (decode) a module; on failure prints the error and returns NULL. */
static wasm_module *load(const char *path) {
  if (!check_readable(path))
    return NULL;
  wasm_error err = {0};
  wasm_module *m = wasm_module_load_file(path, &err);
  if (!m) {
    if (!err.set)
      wasm_fail(&err, 0, "cannot load module");
    wasm_error_print(stderr, path, &err);
    return NULL;
  }
  return m;
}

static void print_name_warning(const char *path, const wasm_module *m) {
  if (m->name_warning[0])
    fprintf(stderr, "%s: warning: %s\n", path, m->name_warning);
}

/* ---- argument parsing ------------------------------------------------------ */

typedef struct {
  bool help;
  bool verbose;
  int nfiles;
  char **files; /* points into a copy of argv, operands only */
} cmd_args;

/* Parses the arguments after the command name. allow_verbose says whether
 * -v/--verbose is accepted. Returns EXIT_OK or EXIT_USAGE (after printing). */
static int parse_cmd_args(int argc, char **argv, bool allow_verbose,
                          cmd_args *out) {
  out->help = out->verbose = false;
  out->nfiles = 0;
  out->files = calloc((size_t)argc + 1, sizeof *out->files);
  if (!out->files) {
    fputs("wasmc: error: out of memory\n", stderr);
    return EXIT_BAD_INPUT;
  }
  bool options_done = false;
  for (int i = 0; i < argc; i++) {
    char *a = argv[i];
    if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
      out->files[out->nfiles++] = a;
    } else if (strcmp(a, "--") == 0) {
      options_done = true;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      out->help = true;
    } else if (allow_verbose &&
               (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)) {
      out->verbose = true;
    } else {
      free(out->files);
      out->files = NULL;
      return usage_error("unknown option '%s'", a);
    }
  }
  return EXIT_OK;
}

/* ---- commands -------------------------------------------------------------- */

/* Prints why a module failed validation ("invalid module" when the
 * validator gave no message), after flushing stdout so that both streams
 * stay in order on one terminal. */
static void report_invalid(const char *path, wasm_error *err) {
  if (!err->set)
    wasm_fail(err, 0, "invalid module");
  fflush(stdout);
  wasm_error_print(stderr, path, err);
}

/* Loads and validates a module for compiling; NULL (after printing why)
 * when it is malformed, invalid or unreadable. */
static wasm_module *load_valid(const char *path) {
  wasm_module *m = load(path);
  if (!m)
    return NULL;
  print_name_warning(path, m);
  wasm_error err = {0};
  if (!wasm_validate(m, &err)) {
    report_invalid(path, &err);
    wasm_module_free(m);
    return NULL;
  }
  return m;
}

static int cmd_validate(int argc, char **argv) {
  cmd_args args;
  int rc = parse_cmd_args(argc, argv, true, &args);
  if (rc != EXIT_OK)
    return rc;
  if (args.help) {
    fputs(validate_help, stdout);
    free(args.files);
    return finish(EXIT_OK);
  }
  if (args.nfiles == 0) {
    free(args.files);
    return usage_error("'validate' needs at least one FILE");
  }
  int status = EXIT_OK;
  for (int i = 0; i < args.nfiles; i++) {
    const char *path = args.files[i];
    wasm_module *m = load(path);
    if (!m) {
      status = EXIT_BAD_INPUT;
      continue;
    }
    print_name_warning(path, m);
    wasm_error err = {0};
    if (wasm_validate(m, &err)) {
      if (args.verbose)
        printf("%s: valid\n", path);
    } else {
      report_invalid(path, &err);
      status = EXIT_BAD_INPUT;
    }
    wasm_module_free(m);
  }
  free(args.files);
  return finish(status);
}

static int cmd_inspect(int argc, char **argv) {
  cmd_args args;
  int rc = parse_cmd_args(argc, argv, false, &args);
  if (rc != EXIT_OK)
    return rc;
  if (args.help) {
    fputs(inspect_help, stdout);
    free(args.files);
    return finish(EXIT_OK);
  }
  if (args.nfiles != 1) {
    int n = args.nfiles;
    const char *extra = n > 1 ? args.files[1] : NULL;
    free(args.files);
    if (n == 0)
      return usage_error("'inspect' needs a FILE");
    return usage_error("'inspect' takes one FILE (unexpected '%s')", extra);
  }
  const char *path = args.files[0];
  free(args.files);

  wasm_module *m = load(path);
  if (!m)
    return EXIT_BAD_INPUT;
  print_name_warning(path, m);
  wasm_error err = {0};
  bool valid = wasm_validate(m, &err);
  wasm_inspect_print(stdout, m);
  int status = EXIT_OK;
  if (!valid) {
    report_invalid(path, &err);
    status = EXIT_BAD_INPUT;
  }
  wasm_module_free(m);
  return finish(status);
}

/* ---- compile --------------------------------------------------------------- */

typedef struct {
  bool help, shared, bounds_checks, emit_llvm;
  bool exe, static_exe; /* `build`: an executable, [fully static] */
  bool strip;           /* `build -s`: no symbol table in the executable */
  bool image;           /* `image`: static executables in an OCI image */
  const char *platforms, *tag; /* `image --platform LIST --tag NAME:TAG` */
  const char *cmd;      /* "compile", "build" or "image", for messages */
  int opt_level;
  unsigned jobs;        /* -j: threads for a large module, 0 = default */
  uint32_t chunk_size;  /* --chunk-size, 0 = default */
  const char *file, *out, *target, *cpu, *features;
  /* `build --dir/--env`: launcher arguments baked into the executable, in
   * the order given ("--dir", "HOST::GUEST", "--env", "K=V", ...). */
  const char **baked;
  int nbaked;
  /* --llvm-arg: options for LLVM itself (as `llc` takes them), e.g.
   * -pass-remarks-missed=loop-vectorize; for investigating code. */
  const char *llvm_args[32];
  int nllvm_args;
} compile_args;

/* Value of an option given as "--opt VALUE" or "--opt=VALUE"; advances *i.
 * Returns NULL when the option does not match `name`. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
                             bool *missing) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0)
    return NULL;
  if (a[n] == '=')
    return a + n + 1;
  if (a[n] != '\0')
    return NULL;
  if (*i + 1 >= argc) {
    *missing = true;
    return NULL;
  }
  return argv[++*i];
}

/* -j/--jobs and --chunk-size (compile, build, run): sets *matched when
 * argv[*i] is one of them (the value stored in c); returns EXIT_OK or a
 * usage error's status (printed). */
static int parallel_option(int argc, char **argv, int *i, compile_args *c,
                           bool *matched) {
  const char *a = argv[*i], *v;
  bool missing = false, jobs = true;
  if (strncmp(a, "-j", 2) == 0 && a[2] != '\0')
    v = a + 2;
  else if (strcmp(a, "-j") == 0)
    v = *i + 1 < argc ? argv[++*i] : (missing = true, NULL);
  else if (!(v = opt_value(argc, argv, i, "--jobs", &missing)) && !missing)
    jobs = (v = opt_value(argc, argv, i, "--chunk-size", &missing)) == NULL;
  *matched = v || missing;
  if (!*matched)
    return EXIT_OK;
  if (missing)
    return usage_error("%s needs a value", a);
  char *end;
  errno = 0;
  unsigned long n = v[0] >= '0' && v[0] <= '9' ? strtoul(v, &end, 10) : 0;
  unsigned long max = jobs ? 256 : UINT32_MAX;
  if (n == 0 || n > max || *end || errno)
    return jobs ? usage_error("-j wants a number of threads 1..256 (got '%s')", v)
                : usage_error("--chunk-size wants a number of bytes 1..%lu "
                              "(got '%s')", max, v);
  if (jobs)
    c->jobs = (unsigned)n;
  else
    c->chunk_size = (uint32_t)n;
  return EXIT_OK;
}

/* The launcher options `build` bakes in and `run` passes on to
 * wasi_launch: the option's canonical name (value in *v), or NULL when
 * argv[*i] is none of them. */
static const char *grant_option(int argc, char **argv, int *i, const char **v,
                                bool *missing) {
  static const char *const names[] = {"--dir", "--env", "--tcplisten"};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++)
    if ((*v = opt_value(argc, argv, i, names[k], missing)))
      return names[k];
  return NULL;
}

/* Checks what can be checked of a grant at build time (the directory
 * itself is looked up when the executable runs, on its machine) and adds
 * it to c->baked. */
static int add_baked(compile_args *c, int argc, const char *opt, const char *v) {
  if (strcmp(opt, "--dir") == 0 && (v[0] == '\0' || strncmp(v, "::", 2) == 0))
    return usage_error("--dir '%s': empty host directory", v);
  if (strcmp(opt, "--env") == 0 && (v[0] == '\0' || v[0] == '='))
    return usage_error("--env '%s': empty variable name", v);
  if (!c->baked && !(c->baked = calloc((size_t)argc * 2 + 2, sizeof *c->baked))) {
    fputs("wasmc: error: out of memory\n", stderr);
    return EXIT_BAD_INPUT;
  }
  c->baked[c->nbaked++] = opt;
  c->baked[c->nbaked++] = v;
  return EXIT_OK;
}

/* The options of `compile`, `build` and `image` (cmd names which). */
static int parse_compile_args(int argc, char **argv, const char *cmd,
                              compile_args *c) {
  bool exe = strcmp(cmd, "compile") != 0, image = strcmp(cmd, "image") == 0;
  *c = (compile_args){.opt_level = 2, .exe = exe, .image = image, .cmd = cmd,
                      .static_exe = image, .strip = image};
  bool options_done = false;
  for (int i = 0; i < argc; i++) {
    char *a = argv[i];
    bool missing = false, matched = false;
    const char *v, *grant;
    int prc;
    if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
      if (c->file)
        return usage_error("'%s' takes one FILE (unexpected '%s')", c->cmd, a);
      c->file = a;
    } else if (strcmp(a, "--") == 0) {
      options_done = true;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      c->help = true;
    } else if (!exe && strcmp(a, "--shared") == 0) {
      c->shared = true;
    } else if (!exe && strcmp(a, "--emit-llvm") == 0) {
      c->emit_llvm = true;
    } else if (exe && strcmp(a, "--static") == 0) {
      c->static_exe = true; /* implied for `image` */
    } else if (exe && (strcmp(a, "-s") == 0 || strcmp(a, "--strip") == 0)) {
      c->strip = true; /* implied for `image` */
    } else if (image && (v = opt_value(argc, argv, &i, "--platform", &missing))) {
      c->platforms = v;
    } else if (image && (v = opt_value(argc, argv, &i, "--tag", &missing))) {
      c->tag = v;
    } else if (image && strncmp(a, "--target", 8) == 0 &&
               (a[8] == '\0' || a[8] == '=')) {
      return usage_error("'image' takes --platform (e.g. linux/arm64), not "
                         "--target");
    } else if (strcmp(a, "--bounds-checks") == 0) {
      c->bounds_checks = true;
    } else if (strncmp(a, "-O", 2) == 0 && a[1] == 'O') {
      const char *l = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (!l || l[0] < '0' || l[0] > '3' || l[1])
        return usage_error("-O wants 0, 1, 2 or 3 (got '%s')", l ? l : "");
      c->opt_level = l[0] - '0';
    } else if (strncmp(a, "-o", 2) == 0 && a[2] != '\0') {
      c->out = a + 2;
    } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
      if (i + 1 >= argc)
        return usage_error("%s needs a file name", a);
      c->out = argv[++i];
    } else if ((v = opt_value(argc, argv, &i, "--target", &missing))) {
      c->target = v;
    } else if (exe && (grant = grant_option(argc, argv, &i, &v, &missing))) {
      int rc = add_baked(c, argc, grant, v);
      if (rc != EXIT_OK)
        return rc;
    } else if ((prc = parallel_option(argc, argv, &i, c, &matched)) != EXIT_OK ||
               matched) {
      if (prc != EXIT_OK)
        return prc;
    } else if ((v = opt_value(argc, argv, &i, "--cpu", &missing))) {
      c->cpu = v;
    } else if ((v = opt_value(argc, argv, &i, "--llvm-arg", &missing))) {
      if (c->nllvm_args == (int)(sizeof c->llvm_args / sizeof *c->llvm_args))
        return usage_error("too many --llvm-arg options (at most %d)",
                           (int)(sizeof c->llvm_args / sizeof *c->llvm_args));
      c->llvm_args[c->nllvm_args++] = v;
    } else if ((v = opt_value(argc, argv, &i, "--features", &missing))) {
      c->features = v;
    } else if (missing) {
      return usage_error("%s needs a value", a);
    } else {
      return usage_error("unknown option '%s'", a);
    }
  }
  return EXIT_OK;
}

/* Creates a private temporary file for the object of a shared object;
 * false (errno set) on failure. */
static bool temp_object(char *buf, size_t n) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  snprintf(buf, n, "%s/wasmc-XXXXXX.o", dir);
  int fd = mkstemps(buf, 2);
  if (fd < 0)
    return false;
  close(fd);
  return true;
}

static int compile_file(const compile_args *c, const char *triple);

/* `compile` (exe false) and `build` (exe true): the same pipeline, build
 * links the object into an executable instead of a shared object. */
static int cmd_compile(int argc, char **argv, bool exe) {
  compile_args c;
  int rc = parse_compile_args(argc, argv, exe ? "build" : "compile", &c);
  if (rc != EXIT_OK)
    return rc;
  if (c.help) {
    fputs(exe ? build_help : compile_help, stdout);
    return finish(EXIT_OK);
  }
  if (!c.file)
    return usage_error("'%s' needs a FILE", c.cmd);
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
  free(c.baked);
  return finish(status);
}

/* ---- image --------------------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *size);

/* The baked grants, as an image needs them: `--env K=V` becomes the
 * config's Env entry K=V plus a baked pass-through `--env K`, so the
 * container's environment reaches the program and `podman run -e K=W`
 * overrides the default as users of containers expect; `--dir HOST::GUEST`
 * stays baked, and HOST (a path inside the container) becomes a directory
 * of the layer and a declared volume, where a volume mount grants the
 * program a host directory. */
static int image_grants(compile_args *c, const char **env, int *nenv,
                        char **names, const char **dirs, char (*dirbuf)[4096],
                        int *ndirs) {
  *nenv = *ndirs = 0;
  for (int k = 0; k < c->nbaked; k += 2) {
    const char *opt = c->baked[k], *v = c->baked[k + 1];
    if (strcmp(opt, "--env") == 0 && strchr(v, '=')) {
      char *name = strndup(v, (size_t)(strchr(v, '=') - v));
      if (!name) {
        fputs("wasmc: error: out of memory\n", stderr);
        return EXIT_BAD_INPUT;
      }
      names[*nenv] = name; /* freed by the caller */
      env[(*nenv)++] = v;
      c->baked[k + 1] = name;
    } else if (strcmp(opt, "--dir") == 0) {
      const char *sep = strstr(v, "::");
      size_t len = sep ? (size_t)(sep - v) : strlen(v);
      if (*ndirs == 64)
        return usage_error("'image' takes at most 64 --dir grants");
      if (len >= sizeof dirbuf[0])
        return usage_error("--dir '%s': path too long", v);
      memcpy(dirbuf[*ndirs], v, len);
      dirbuf[*ndirs][len] = '\0';
      /* a clean path: no "." or ".." components (but "." alone, the root) */
      const char *p = dirbuf[*ndirs];
      bool clean = strcmp(p, ".") == 0;
      for (const char *q = p; !clean && *q;) {
        while (*q == '/') q++;
        size_t n = strcspn(q, "/");
        if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.'))
          return usage_error("--dir '%s': in an image HOST is a path inside the "
                             "container; give a clean one such as /data", v);
        q += n;
      }
      dirs[*ndirs] = dirbuf[*ndirs];
      (*ndirs)++;
    }
  }
  return EXIT_OK;
}

static int image_main(compile_args *cp);

/* `image`: one static executable per platform, then the OCI image. */
static int cmd_image(int argc, char **argv) {
  compile_args c;
  int rc = parse_compile_args(argc, argv, "image", &c);
  if (rc == EXIT_OK)
    rc = image_main(&c);
  free(c.baked);
  return rc;
}

static int image_main(compile_args *cp) {
  compile_args c = *cp;
  int rc;
  if (c.help) {
    fputs(image_help, stdout);
    return finish(EXIT_OK);
  }
  if (!c.file)
    return usage_error("'image' needs a FILE");
  if (!c.out)
    return usage_error("'image' needs -o OUT (a directory for an OCI image "
                       "layout, or FILE.tar for an OCI archive)");
  char msg[1024];
  const image_platform *plats[IMAGE_MAX_PLATFORMS];
  int nplats = 0;
  if (c.platforms) {
    if (!image_parse_platforms(c.platforms, plats, &nplats, msg, sizeof msg))
      return usage_error("%s", msg);
  } else if ((plats[0] = image_host_platform())) {
    nplats = 1;
  } else {
    return usage_error("this host has no OCI platform wasmc builds; give "
                       "--platform");
  }
  char name[256], tag[130];
  if (c.tag) {
    if (!image_parse_ref(c.tag, name, sizeof name, tag, sizeof tag, msg, sizeof msg))
      return usage_error("%s", msg);
  } else {
    image_default_name(c.file, name, sizeof name);
    strcpy(tag, "latest");
  }
  image_spec spec = {.name = name, .tag = tag};
  const char *epoch = getenv("SOURCE_DATE_EPOCH");
  if (epoch && *epoch) {
    char *end;
    errno = 0;
    long long e = strtoll(epoch, &end, 10);
    if (*end || errno || e < 0)
      return usage_error("SOURCE_DATE_EPOCH='%s' is not a number of seconds",
                         epoch);
    spec.epoch = e;
    spec.has_epoch = true;
  }
  const char *env[64], *dirs[64];
  char *env_names[64] = {0};
  static char dirbuf[64][4096];
  if (c.nbaked > 128)
    return usage_error("'image' takes at most 64 --env and 64 --dir grants");
  rc = image_grants(&c, env, &spec.nenv, env_names, dirs, dirbuf, &spec.ndirs);
  if (rc != EXIT_OK) {
    for (int k = 0; k < 64; k++)
      free(env_names[k]);
    return rc;
  }
  spec.env = env;
  spec.dirs = dirs;

  /* The module first: a module that is not a WASI command is refused
   * before anything is compiled. */
  int status = EXIT_BAD_INPUT;
  char exes[IMAGE_MAX_PLATFORMS][4096] = {{0}};
  uint8_t *bytes = NULL;
  wasm_module *m = load_valid(c.file);
  if (!m)
    goto out;
  uint32_t offset = 0;
  if (!image_check_command(m, &offset, msg, sizeof msg)) {
    if (offset) {
      wasm_error err = {0};
      wasm_fail(&err, offset, "%s", msg);
      wasm_error_print(stderr, c.file, &err);
    } else {
      fprintf(stderr, "%s: error: %s\n", c.file, msg);
    }
    goto out;
  }
  wasm_module_free(m);
  m = NULL;
  size_t size = 0;
  if (!(bytes = slurp(c.file, &size)))
    goto out;
  image_sha256_digest(bytes, size, spec.module_digest);
  const char *base = strrchr(c.file, '/');
  spec.module_file = base ? base + 1 : c.file;
  char options[512];
  int w = snprintf(options, sizeof options, "-O%d", c.opt_level);
  if (c.cpu) w += snprintf(options + w, sizeof options - (size_t)w, " --cpu %s", c.cpu);
  if (c.features && w < (int)sizeof options)
    w += snprintf(options + w, sizeof options - (size_t)w, " --features %s", c.features);
  if (c.bounds_checks && w < (int)sizeof options)
    snprintf(options + w, sizeof options - (size_t)w, " --bounds-checks");
  spec.build_options = options;

  const char *exe_paths[IMAGE_MAX_PLATFORMS];
  for (int k = 0; k < nplats; k++) {
    char triple[128], terr[256];
    if (!emit_resolve_triple(plats[k]->target, triple, sizeof triple, terr,
                             sizeof terr)) {
      fprintf(stderr, "wasmc: error: %s\n", terr);
      goto out;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(exes[k], sizeof exes[k], "%s/wasmc-image-XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(exes[k]);
    if (fd < 0) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      exes[k][0] = '\0';
      goto out;
    }
    close(fd);
    compile_args one = c;
    one.out = exes[k];
    one.target = plats[k]->target;
    if ((rc = compile_file(&one, triple)) != EXIT_OK) {
      exes[k][0] = '\0'; /* compile_file removed it */
      fprintf(stderr, "wasmc: error: the image for %s/%s was not written\n",
              plats[k]->os, plats[k]->arch);
      status = rc;
      goto out;
    }
    exe_paths[k] = exes[k];
  }
  spec.nplatforms = nplats;
  spec.platforms = plats;
  spec.executables = exe_paths;
  if (!image_write(&spec, c.out, msg, sizeof msg)) {
    fprintf(stderr, "wasmc: error: %s\n", msg);
    goto out;
  }
  status = EXIT_OK;
out:
  for (int k = 0; k < nplats; k++)
    if (exes[k][0])
      unlink(exes[k]);
  free(bytes);
  wasm_module_free(m);
  for (int k = 0; k < spec.nenv; k++)
    free(env_names[k]);
  return finish(status);
}

/* The pipeline of `compile`/`build` (and of `run` on a cache miss, with
 * c->shared): load, validate, lower, emit, link to c->out. Returns an
 * exit status; messages are printed. */
static int compile_file(const compile_args *cp, const char *triple) {
  compile_args c = *cp;
  int status = EXIT_BAD_INPUT;
  bool writing = false; /* OUT may be half-written from here on */
  emit_target *t = NULL;
  char tmp_obj[4096] = "";
  char *baked = NULL; /* launcher arguments for WASMC_LAUNCHER_ARGS_SYMBOL */
  wasm_module *m = load_valid(c.file);
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
  char msg[512];
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
    if (!temp_object(tmp_obj, sizeof tmp_obj)) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      tmp_obj[0] = '\0';
      goto done;
    }
    obj = tmp_obj;
  }
  lower_options lo = {.bounds_checks = c.bounds_checks,
                      .opt_level = c.opt_level,
                      .chunk_size = c.chunk_size,
                      .jobs = c.jobs};
  if (c.nbaked) {
    size_t size = 1;
    for (int k = 0; k < c.nbaked; k++)
      size += strlen(c.baked[k]) + 1;
    if (!(baked = malloc(size))) {
      fputs("wasmc: error: out of memory\n", stderr);
      goto done;
    }
    char *p = baked;
    for (int k = 0; k < c.nbaked; k++)
      p = stpcpy(p, c.baked[k]) + 1;
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
    bool ok = c.exe ? link_executable(emit_target_linker(t), cross, obj, c.out,
                                      c.static_exe, c.strip, msg, sizeof msg)
                    : link_shared(emit_target_linker(t), obj, c.out, msg,
                                  sizeof msg);
    if (!ok) {
      fprintf(stderr, "%s: error: %s\n", c.file, msg);
      goto done;
    }
  }
  status = EXIT_OK;

done:
  free(baked);
  if (tmp_obj[0])
    unlink(tmp_obj);
  if (status != EXIT_OK && writing)
    unlink(c.out); /* never leave a half-written output behind */
  emit_target_free(t);
  wasm_module_free(m);
  return status;
}

/* ---- run ----------------------------------------------------------------- */

/* Reads a whole file (the module, for the cache key); NULL + message. */
static uint8_t *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0;
  bool ok = f != NULL;
  while (ok) {
    if (n == cap) {
      uint8_t *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 16);
      if (!nb) {
        ok = false;
        errno = ENOMEM;
        break;
      }
      buf = nb;
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (r == 0) {
      ok = !ferror(f);
      break;
    }
  }
  if (f) fclose(f);
  if (!ok) {
    fprintf(stderr, "wasmc: error: cannot read '%s': %s\n", path, strerror(errno));
    free(buf);
    return NULL;
  }
  *size = n;
  return buf;
}

/* `run`: options of compile (minus -o/--shared/--target), --dir/--env
 * grants and -v anywhere before `--`; ARGS after it. */
static int cmd_run(int argc, char **argv) {
  compile_args c = {.opt_level = 2, .cmd = "run", .shared = true};
  bool verbose = false;
  /* argv for wasi_launch: FILE, the grants, "--", ARGS */
  char **largv = calloc((size_t)argc + 3, sizeof *largv);
  int largc = 1;
  if (!largv) {
    fputs("wasmc: error: out of memory\n", stderr);
    return EXIT_BAD_INPUT;
  }
  int i = 0;
  for (; i < argc; i++) {
    char *a = argv[i];
    bool missing = false, matched = false;
    const char *v, *grant;
    int prc;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    } else if (a[0] != '-' || strcmp(a, "-") == 0) {
      if (c.file) {
        free(largv);
        return usage_error("'run' takes one FILE (unexpected '%s'; the program's "
                           "arguments go after `--`)", a);
      }
      c.file = a;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      c.help = true;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      verbose = true;
    } else if (strcmp(a, "--bounds-checks") == 0) {
      c.bounds_checks = true;
    } else if (strncmp(a, "-O", 2) == 0) {
      const char *l = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
      if (!l || l[0] < '0' || l[0] > '3' || l[1]) {
        free(largv);
        return usage_error("-O wants 0, 1, 2 or 3 (got '%s')", l ? l : "");
      }
      c.opt_level = l[0] - '0';
    } else if ((prc = parallel_option(argc, argv, &i, &c, &matched)) != EXIT_OK ||
               matched) {
      if (prc != EXIT_OK) {
        free(largv);
        return prc;
      }
    } else if ((v = opt_value(argc, argv, &i, "--cpu", &missing))) {
      c.cpu = v;
    } else if ((v = opt_value(argc, argv, &i, "--features", &missing))) {
      c.features = v;
    } else if ((grant = grant_option(argc, argv, &i, &v, &missing))) {
      /* checked by wasi_launch, which the built executables share */
      largv[largc++] = (char *)grant;
      largv[largc++] = (char *)v;
    } else if (missing) {
      free(largv);
      return usage_error("%s needs a value", a);
    } else {
      free(largv);
      return usage_error("unknown option '%s'", a);
    }
  }
  if (c.help) {
    free(largv);
    fputs(run_help, stdout);
    return finish(EXIT_OK);
  }
  if (!c.file) {
    free(largv);
    return usage_error("'run' needs a FILE");
  }
  largv[0] = (char *)c.file;
  largv[largc++] = "--";
  for (; i < argc; i++) largv[largc++] = argv[i];

  int status = EXIT_BAD_INPUT;
  uint8_t *bytes = NULL;
  char so[4096] = "", dir[4096], msg[512];
  int so_fd = -1; /* the memfd holding a cached shared object, if any */
  wasmrt_module *mod = NULL;
  char *host_cpu = NULL, *host_features = NULL;
  const char *triple = emit_host_triple();
  if (!triple) {
    fputs("wasmc: error: wasmc cannot generate code for this machine\n", stderr);
    goto out;
  }
  if (!check_readable(c.file)) goto out;
  size_t size = 0;
  if (!(bytes = slurp(c.file, &size))) goto out;

  /* The key: everything the generated code depends on. `native` stands
   * for this machine's CPU and features, so those go in by value. */
  bool native = c.cpu && strcmp(c.cpu, "native") == 0;
  if (native) {
    host_cpu = LLVMGetHostCPUName();
    host_features = LLVMGetHostCPUFeatures();
  }
  unsigned maj = 0, min = 0, pat = 0;
  LLVMGetVersion(&maj, &min, &pat);
  char llvm_v[64], abi_v[32], opt_v[64];
  snprintf(llvm_v, sizeof llvm_v, "LLVM %u.%u.%u", maj, min, pat);
  snprintf(abi_v, sizeof abi_v, "ABI %u codegen %u",
           (unsigned)WASMRT_ABI_VERSION, (unsigned)EMIT_CODEGEN_REVISION);
  /* The chunk size changes the code (no inlining across chunks); -j
   * does not. */
  snprintf(opt_v, sizeof opt_v, "O%d bc%d chunk%u", c.opt_level,
           c.bounds_checks,
           c.chunk_size ? c.chunk_size : EMIT_CHUNK_SIZE_DEFAULT);
  const char *parts[] = {"wasmc " WASMC_VERSION, llvm_v, abi_v, triple,
                         native ? host_cpu : c.cpu ? c.cpu : "(baseline)",
                         native ? host_features : "",
                         c.features ? c.features : "", opt_v};
  uint8_t key[CACHE_KEY_LEN];
  cache_key(key, bytes, size, parts, (int)(sizeof parts / sizeof *parts));

  bool have_cache = cache_dir(dir, sizeof dir);
  char why[4096 + 64];
  if (!have_cache) {
    fputs("wasmc: note: no cache directory ($XDG_CACHE_HOME and $HOME unset), "
          "compiling without a cache\n", stderr);
  } else if (!cache_dir_trusted(dir, why, sizeof why)) {
    fprintf(stderr, "wasmc: note: not using the compile cache: %s\n", why);
    have_cache = false;
  }
  cache_result cr = have_cache ? cache_lookup(dir, key, so, sizeof so, &so_fd) : CACHE_MISS;
  char entry[4096] = "";
  if (have_cache) cache_entry_path(dir, key, entry, sizeof entry);
  if (cr == CACHE_HIT) {
    if (verbose) fprintf(stderr, "wasmc: cache hit: %s\n", entry);
  } else {
    if (!cache_temp_so(so, sizeof so)) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      so[0] = '\0';
      goto out;
    }
    c.out = so;
    int rc = compile_file(&c, triple);
    if (rc != EXIT_OK) {
      status = rc;
      goto out;
    }
    if (have_cache) {
      if (!cache_store(dir, key, so, msg, sizeof msg))
        fprintf(stderr, "wasmc: note: not cached: %s\n", msg);
      else if (verbose)
        fprintf(stderr, "wasmc: cache miss: compiled and stored %s\n", entry);
    }
  }
  wasmrt_error err;
  mod = wasmrt_module_load(so, &err);
  /* loaded (or not): the memfd or file is no longer needed */
  if (so_fd >= 0) close(so_fd);
  else unlink(so);
  so_fd = -1;
  so[0] = '\0';
  if (!mod) {
    fprintf(stderr, "wasmc: error: %s: %s\n", c.file, err.message);
    goto out;
  }
  free(bytes);
  bytes = NULL;
  fflush(stdout);
  status = wasi_launch(mod, largc, largv, "wasmc");

out:
  if (so_fd >= 0) close(so_fd);
  else if (so[0]) unlink(so);
  if (mod) wasmrt_module_free(mod);
  LLVMDisposeMessage(host_cpu);
  LLVMDisposeMessage(host_features);
  free(bytes);
  free(largv);
  fflush(stdout);
  return status;
}

static int cmd_help(int argc, char **argv) {
  if (argc == 0) {
    fputs(usage_text, stdout);
    return finish(EXIT_OK);
  }
  if (argc > 1)
    return usage_error("'help' takes at most one COMMAND (unexpected '%s')",
                       argv[1]);
  const char *c = argv[0];
  if (strcmp(c, "validate") == 0)
    fputs(validate_help, stdout);
  else if (strcmp(c, "inspect") == 0)
    fputs(inspect_help, stdout);
  else if (strcmp(c, "compile") == 0)
    fputs(compile_help, stdout);
  else if (strcmp(c, "build") == 0)
    fputs(build_help, stdout);
  else if (strcmp(c, "run") == 0)
    fputs(run_help, stdout);
  else if (strcmp(c, "image") == 0)
    fputs(image_help, stdout);
  else if (strcmp(c, "help") == 0)
    fputs(usage_text, stdout);
  else
    return usage_error("unknown command '%s'", c);
  return finish(EXIT_OK);
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("no COMMAND given (e.g. wasmc validate FILE...)");
  const char *cmd = argv[1];
  int rest_argc = argc - 2;
  char **rest_argv = argv + 2;

  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
    return cmd_help(rest_argc, rest_argv); /* wasmc --help [COMMAND] */
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 ||
      strcmp(cmd, "version") == 0) {
    if (rest_argc > 0)
      return usage_error("unexpected argument '%s' after --version",
                         rest_argv[0]);
    print_version();
    return finish(EXIT_OK);
  }
  if (strcmp(cmd, "help") == 0)
    return cmd_help(rest_argc, rest_argv);
  if (strcmp(cmd, "validate") == 0)
    return cmd_validate(rest_argc, rest_argv);
  if (strcmp(cmd, "inspect") == 0)
    return cmd_inspect(rest_argc, rest_argv);
  if (strcmp(cmd, "compile") == 0)
    return cmd_compile(rest_argc, rest_argv, false);
  if (strcmp(cmd, "build") == 0)
    return cmd_compile(rest_argc, rest_argv, true);
  if (strcmp(cmd, "run") == 0)
    return cmd_run(rest_argc, rest_argv);
  if (strcmp(cmd, "image") == 0)
    return cmd_image(rest_argc, rest_argv);
  /* wasmc FILE.wasm [OPTIONS]: build, the way a C compiler takes a file. */
  size_t cmd_len = strlen(cmd);
  if (cmd[0] != '-' && cmd_len > 5 && strcmp(cmd + cmd_len - 5, ".wasm") == 0)
    return cmd_compile(argc - 1, argv + 1, true);

  if (cmd[0] == '-')
    return usage_error("unknown option '%s'", cmd);
  return usage_error("unknown command '%s'", cmd);
}

/* spec.h: what the files of the spec harness share.
 *
 * The harness comes in two builds of the same files (tests/spec/
 * CMakeLists.txt), which differ only in their module back end:
 *   wasmc-spec      with the compiler (LLVM): compiles each module to a
 *                   shared object and runs the commands here, or, for
 *                   another architecture (--compile-only PLAN), compiles
 *                   them all into the cache and writes PLAN;
 *   wasmc-spec-run  without it, built for a cross target (scripts/
 *                   cross-build) and run under qemu: takes the shared
 *                   objects PLAN names (--precompiled PLAN).
 * scripts/spectest --target T chooses: the host's architecture runs
 * wasmc-spec alone, another one wasmc-spec --compile-only and then
 * wasmc-spec-run under qemu-T.
 *
 *   spec_harness.c      options, one child process per JSON file, the table
 *   spec_commands.c     the commands of one JSON file (module, assert_*, ...)
 *   spec_cache.c        where shared objects are kept; the plan file
 *   spec_compile.c      back end of wasmc-spec (the wasmc library)
 *   spec_precompiled.c  back end of wasmc-spec-run (the cache only)
 *   spec_host.c         the `spectest` host module
 *   spec_values.c       JSON values, expected-result matching
 *   spec_json.c         a small JSON reader
 */
#ifndef WASMC_SPEC_H
#define WASMC_SPEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmrt.h"
#include "spec_json.h"

/* ---- command kinds and results ------------------------------------------- */

enum kind {
  K_MODULE,
  K_ASSERT_INVALID,
  K_ASSERT_MALFORMED,
  K_ASSERT_UNLINKABLE,
  K_ASSERT_UNINSTANTIABLE,
  K_REGISTER,
  K_ACTION,
  K_ASSERT_RETURN,
  K_ASSERT_TRAP,
  K_ASSERT_EXHAUSTION,
  K_ASSERT_EXCEPTION,
  K_THREAD, /* threads: a script thread started (spec_commands.c) */
  K_WAIT,   /* threads: a script thread joined */
  K_MODULE_DEFINITION,       /* compiled, not instantiated (Wasm 3.0 scripts) */
  K_MODULE_INSTANCE,         /* a new instance of a module definition */
  K_ASSERT_INVALID_CUSTOM,   /* invalid only in a custom section/annotation */
  K_ASSERT_MALFORMED_CUSTOM, /* malformed only in a custom section/annotation */
  K_OTHER, /* a command type this harness does not know: always a failure */
  NKINDS
};
extern const char *const kind_names[NKINDS];

enum result { R_PASSED, R_FAILED, R_SKIPPED, R_NA, NRESULTS };

/* spec_superseded.c: why the assert_invalid at `line` of the .wast
 * `source` no longer holds in Wasm 3.0, or NULL when it does. */
const char *spec_superseded(const char *source, int line);

/* Why modules could not be compiled ("not supported yet: i32.popcnt"):
 * collected per file, summed by the parent, so the report says which
 * missing pieces cost how many modules. */
#define SPEC_NREASONS 12
typedef struct {
  char what[96];
  uint32_t modules;
} spec_reason;

/* Commands that killed a child (crash, timeout): a resumed child replays
 * the commands before it to rebuild the state, skipping these. */
#define SPEC_MAX_CRASHED 32

/* Per-JSON-file state, in memory shared with the children. */
typedef struct {
  uint32_t counts[NKINDS][NRESULTS];
  /* Rejections whose message does not contain the spec's expected text:
   * not failures (wording is ours), but where a module is refused for the
   * wrong reason, it shows up here; -v marks them. */
  uint32_t wording_differs;
  /* Commands that failed only because their module was not available
   * (compilation or instantiation failed earlier): counted as failed. */
  uint32_t dependent_failures;
  int32_t ncommands;               /* -1 until the JSON has been read */
  int32_t next;                    /* first command not finished yet */
  int32_t current;                 /* command being checked, or -1 */
  int32_t current_line;
  uint8_t current_kind;
  int32_t crashed[SPEC_MAX_CRASHED];
  uint32_t ncrashed;
  uint32_t modules_compiled, modules_cached;
  double compile_secs;             /* time spent compiling + linking */
  spec_reason reasons[SPEC_NREASONS];
  uint32_t other_reasons;          /* modules whose reason did not fit */
  char source[PATH_MAX];   /* the .wast, for messages about a crash */
  char current_file[256];  /* the module being checked */
  bool done;       /* a child reached the end of the commands */
  bool file_error; /* JSON unreadable: reported, counted once */
} file_slot;

/* ---- configuration (spec_harness.c) -------------------------------------- */

typedef struct {
  char triple[128];       /* canonical */
  const char *cpu;        /* NULL = baseline */
  const char *features;   /* NULL = none */
  int opt_level;
  bool bounds_checks;
  uint32_t chunk_size;    /* --chunk-size, 0 = the compiler's default */
  const char *cache_dir;  /* folder for the .so files */
  unsigned timeout_secs;  /* per command */
  bool verbose;
  bool compile_only;      /* compile every module, run no command */
  char key_options[512];  /* what the cache key covers besides the bytes */
} spec_config;
extern spec_config cfg;

/* Prints and flushes (a crash right after must not lose the message). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- spec_commands.c ------------------------------------------------------- */
/* Checks the commands of one JSON file from index `start` on (replaying
 * the earlier ones silently to rebuild the state), recording progress and
 * counts in *slot. Messages go to stdout. */
void check_json(const char *json_path, int start, file_slot *slot);

/* ---- the module back end (spec_compile.c or spec_precompiled.c) ---------- */
typedef struct {
  const char *target;       /* --target, NULL = not given */
  bool options_given;       /* any of -O, --cpu, --features, --bounds-checks,
                               --chunk-size */
  const char *cache_root;   /* --cache, NULL = not given */
  const char *compile_only; /* --compile-only PLAN (wasmc-spec) */
  const char *precompiled;  /* --precompiled PLAN (wasmc-spec-run) */
} spec_setup;
/* Fills cfg (triple, cache folder, key options) from the options, in the
 * parent before any child; false + message for options this back end
 * does not take or a setup that fails. */
bool spec_backend_setup(const spec_setup *s, char *err, size_t errsz);
/* For the header line: where the modules come from. */
const char *spec_backend_describe(void);
/* The shared object of a decoded and validated module (bytes = its
 * binary): compiled now or found in the cache (*cached tells which);
 * the path goes to so_path. false + message on failure. */
struct wasm_module;
bool spec_module_so(const struct wasm_module *m, const uint8_t *bytes,
                    size_t size, char *so_path, size_t so_size, bool *cached,
                    char *err, size_t errsz);

/* ---- spec_cache.c ----------------------------------------------------------- */
/* FOLDER/KEY.so for a module, from cfg.cache_dir and cfg.key_options. */
void spec_cache_so_path(const uint8_t *bytes, size_t size, char *path,
                        size_t n);
/* KEY.err beside KEY.so: a module the compiler refused (cross runs). */
void spec_cache_put_error(const char *so_path, const char *msg);
bool spec_cache_get_error(const char *so_path, char *msg, size_t n);
void spec_cache_forget_error(const char *so_path);
/* The cache folder of this harness build under root (removing those of
 * older builds); call once in the parent. false + message on failure. */
bool spec_cache_prepare(const char *root, char *dir_out, size_t dirsz,
                        char *err, size_t errsz);
/* Without --cache: a temporary folder for the run (spec_cache_cleanup
 * removes it, in the parent at the end). */
bool spec_cache_temp(char *dir_out, size_t dirsz, char *err, size_t errsz);
void spec_cache_cleanup(void);
/* The plan of a cross run: cfg's target, options and cache folder. */
bool spec_plan_write(const char *path, char *err, size_t errsz);
bool spec_plan_read(const char *path, char *err, size_t errsz);

/* ---- spec_host.c ------------------------------------------------------------ */
/* The spectest module's export `name` (created on first use): false when
 * it has none of that name. */
bool spec_host_lookup(const char *name, size_t len, wasmrt_extern *out);
void spec_host_free(void);

/* ---- spec_values.c ---------------------------------------------------------- */
/* Parses an argument ({"type": "i32", "value": "42"}, ...) into type, out. */
bool spec_value_parse(const json *v, uint8_t *type, wasmrt_val *out,
                      char *err, size_t errsz);
/* Does actual (of type `type`) match the expected result `e` (exact bits,
 * nan:canonical / nan:arithmetic, v128 lanes, references, "either")? */
bool spec_value_matches(const json *e, uint8_t type, const wasmrt_val *actual);
/* Can an argument parsed as `arg` (value v) be passed for a parameter of
 * type `param`? Its exact type, or a null of the param's reference family. */
bool spec_arg_fits(uint8_t arg, const wasmrt_val *v, uint8_t param);
/* Human-readable forms for failure messages. */
void spec_value_format(uint8_t type, const wasmrt_val *v, char *buf, size_t n);
void spec_expected_format(const json *e, char *buf, size_t n);
/* Externref N of the scripts as a host reference (a multiple of 4, as
 * host values must be). */
void *spec_externref(uint64_t n);
/* The flat code (wasmrt_val arrays, as in wasmrt_functype_desc) of a
 * 32-bit value type of the runtime (wasmrt_global.type): numbers keep
 * theirs, a reference type gets its hierarchy's top (WASMRT_FUNCREF,
 * _EXTERNREF, _EXNREF, WASMRT_ANYREF), a concrete one (canonical id
 * only) the code of no known family. */
uint8_t spec_flat_type(uint32_t vt);

#endif

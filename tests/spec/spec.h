/* spec.h: what the files of the spec harness (wasmc-spec) share.
 *
 *   spec_harness.c   options, one child process per JSON file, the table
 *   spec_commands.c  the commands of one JSON file (module, assert_*, ...)
 *   spec_compile.c   .wasm -> .so through the wasmc library, cached
 *   spec_host.c      the `spectest` host module
 *   spec_values.c    JSON values <-> wasmrt_val, expected-result matching
 */
#ifndef WASMC_SPEC_H
#define WASMC_SPEC_H

#include <cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../runtime/wasmrt.h"

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
  K_OTHER, /* a command type this harness does not know: always a failure */
  NKINDS
};
extern const char *const kind_names[NKINDS];

enum result { R_PASSED, R_FAILED, R_SKIPPED, R_NA, NRESULTS };

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
  char triple[128];       /* canonical, = the host's */
  const char *cpu;        /* NULL = baseline */
  const char *features;   /* NULL = none */
  int opt_level;
  bool bounds_checks;
  const char *cache_dir;  /* folder for the .so files */
  unsigned timeout_secs;  /* per command */
  bool verbose;
} spec_config;
extern spec_config cfg;

/* Prints and flushes (a crash right after must not lose the message). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- spec_commands.c ------------------------------------------------------- */
/* Checks the commands of one JSON file from index `start` on (replaying
 * the earlier ones silently to rebuild the state), recording progress and
 * counts in *slot. Messages go to stdout. */
void check_json(const char *json_path, int start, file_slot *slot);

/* ---- spec_compile.c -------------------------------------------------------- */
/* Prepares the cache folder of this harness build (removing those of
 * older builds); call once in the parent. false + message on failure. */
bool spec_cache_prepare(const char *root, char *dir_out, size_t dirsz,
                        char *err, size_t errsz);
/* Compiles a decoded and validated module (bytes = its binary) to a
 * shared object, or finds it in the cache; the path goes to so_path.
 * *cached tells which. false + message on failure. */
struct wasm_module;
bool spec_compile(const struct wasm_module *m, const uint8_t *bytes,
                  size_t size, char *so_path, size_t so_size, bool *cached,
                  char *err, size_t errsz);
/* Without --cache: a temporary folder for the run (spec_cache_cleanup
 * removes it, in the parent at the end). */
bool spec_cache_temp(char *dir_out, size_t dirsz, char *err, size_t errsz);
void spec_cache_cleanup(void);

/* ---- spec_host.c ------------------------------------------------------------ */
/* The spectest module's export `name` (created on first use): false when
 * it has none of that name. */
bool spec_host_lookup(const char *name, size_t len, wasmrt_extern *out);
void spec_host_free(void);

/* ---- spec_values.c ---------------------------------------------------------- */
/* Parses an argument ({"type": "i32", "value": "42"}, ...) into type, out. */
bool spec_value_parse(const cJSON *v, uint8_t *type, wasmrt_val *out,
                      char *err, size_t errsz);
/* Does actual (of type `type`) match the expected result `e` (exact bits,
 * nan:canonical / nan:arithmetic, v128 lanes, references, "either")? */
bool spec_value_matches(const cJSON *e, uint8_t type, const wasmrt_val *actual);
/* Human-readable forms for failure messages. */
void spec_value_format(uint8_t type, const wasmrt_val *v, char *buf, size_t n);
void spec_expected_format(const cJSON *e, char *buf, size_t n);
/* Externref N of the scripts as a host reference, and back. */
void *spec_externref(uint64_t n);

#endif

/* spec_superseded.c: assertions of the older test suites that a later
 * Wasm version reverses.
 *
 * wasmc validates the Wasm 3.0 language. The Wasm 2.0 core suite and the
 * pre-3.0 extended-const and multi-memory proposal suites still assert
 * that a constant expression may not read a global defined in the
 * module; Wasm 3.0 (with extended constant expressions and GC) lets it
 * read any earlier immutable global, and its own global.wast, data.wast
 * and elem.wast assert those very modules valid. Likewise the threads
 * proposal's tests (also in wasm-3.0/proposals/threads) still say a
 * module may have only one table, which Wasm 2.0 ended, and the 2.0 core
 * suite and the memory64, threads and exception-handling proposals' tests
 * that it may have only one memory, which multiple memories (Wasm 3.0)
 * ended. An assert_invalid listed here whose module wasmc accepts is
 * counted as skipped, with the reason, instead of failed; one that wasmc
 * refuses still passes. The list names each assertion by the end of its
 * source path and its line, so nothing else in those files is excused.
 */
#include <string.h>

#include "spec.h"

static const struct {
  const char *path_end; /* the end of the .wast's path */
  int line;
  int why; /* index into reasons[] */
} superseded[] = {
    {"core/global.wast", 352, 0},
    {"core/global.wast", 356, 0},
    {"core/data.wast", 85, 0},
    {"core/data.wast", 89, 0},
    {"core/elem.wast", 152, 0},
    {"core/elem.wast", 156, 0},
    {"proposals/extended-const/global.wast", 364, 0},
    {"proposals/extended-const/global.wast", 368, 0},
    {"proposals/extended-const/data.wast", 85, 0},
    {"proposals/extended-const/data.wast", 89, 0},
    {"proposals/extended-const/elem.wast", 152, 0},
    {"proposals/extended-const/elem.wast", 156, 0},
    {"proposals/multi-memory/data.wast", 86, 0},
    {"proposals/multi-memory/data.wast", 90, 0},
    /* the threads proposal's tests predate Wasm 2.0 (reference types) */
    {"proposals/threads/imports.wast", 310, 1},
    {"proposals/threads/imports.wast", 314, 1},
    {"proposals/threads/imports.wast", 318, 1},
    /* files older than multiple memories (Wasm 3.0) */
    {"core/imports.wast", 483, 2},
    {"core/imports.wast", 487, 2},
    {"core/imports.wast", 491, 2},
    {"core/memory.wast", 10, 2},
    {"core/memory.wast", 11, 2},
    {"proposals/memory64/memory.wast", 10, 2},
    {"proposals/memory64/memory.wast", 11, 2},
    {"proposals/memory64/memory64.wast", 8, 2},
    {"proposals/memory64/memory64.wast", 9, 2},
    {"proposals/threads/memory.wast", 14, 2},
    {"proposals/threads/memory.wast", 15, 2},
    {"proposals/threads/imports.wast", 405, 2},
    {"proposals/threads/imports.wast", 409, 2},
    {"proposals/threads/imports.wast", 413, 2},
    {"proposals/exception-handling/imports.wast", 515, 2},
    {"proposals/exception-handling/imports.wast", 519, 2},
    {"proposals/exception-handling/imports.wast", 523, 2},
};

static const char *const reasons[] = {
    "valid since Wasm 3.0: a constant expression may read an earlier "
    "immutable global defined in the module",
    "valid since Wasm 2.0: a module may have several tables (reference "
    "types); the threads proposal's tests predate it",
    "valid since Wasm 3.0: a module may have several memories (multiple "
    "memories); these tests predate it",
};

const char *spec_superseded(const char *source, int line) {
  size_t n = source ? strlen(source) : 0;
  for (size_t i = 0; i < sizeof superseded / sizeof *superseded; i++) {
    size_t k = strlen(superseded[i].path_end);
    if (superseded[i].line == line && n >= k &&
        strcmp(source + n - k, superseded[i].path_end) == 0 &&
        (n == k || source[n - k - 1] == '/'))
      return reasons[superseded[i].why];
  }
  return NULL;
}

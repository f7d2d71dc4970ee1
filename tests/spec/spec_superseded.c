/* spec_superseded.c: assertions of the older test suites that Wasm 3.0
 * reverses.
 *
 * wasmc validates the Wasm 3.0 language. The Wasm 2.0 core suite and the
 * pre-3.0 extended-const proposal suite still assert that a constant
 * expression may not read a global defined in the module; Wasm 3.0 (with
 * extended constant expressions and GC) lets it read any earlier
 * immutable global, and its own global.wast, data.wast and elem.wast
 * assert those very modules valid. An assert_invalid listed here whose
 * module wasmc accepts is counted as skipped, with the reason, instead of
 * failed; one that wasmc refuses still passes. The list names each
 * assertion by the end of its source path and its line, so nothing else in
 * those files is excused.
 */
#include <string.h>

#include "spec.h"

static const struct {
  const char *path_end; /* the end of the .wast's path */
  int line;
} superseded[] = {
    {"core/global.wast", 352},
    {"core/global.wast", 356},
    {"core/data.wast", 85},
    {"core/data.wast", 89},
    {"core/elem.wast", 152},
    {"core/elem.wast", 156},
    {"proposals/extended-const/global.wast", 364},
    {"proposals/extended-const/global.wast", 368},
    {"proposals/extended-const/data.wast", 85},
    {"proposals/extended-const/data.wast", 89},
    {"proposals/extended-const/elem.wast", 152},
    {"proposals/extended-const/elem.wast", 156},
};

const char *spec_superseded(const char *source, int line) {
  size_t n = source ? strlen(source) : 0;
  for (size_t i = 0; i < sizeof superseded / sizeof *superseded; i++) {
    size_t k = strlen(superseded[i].path_end);
    if (superseded[i].line == line && n >= k &&
        strcmp(source + n - k, superseded[i].path_end) == 0 &&
        (n == k || source[n - k - 1] == '/'))
      return "valid since Wasm 3.0: a constant expression may read an "
             "earlier immutable global defined in the module";
  }
  return NULL;
}

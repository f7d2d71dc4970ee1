/* diag.c: recording and printing front-end errors (see diag.h). */
#include "diag.h"

#include <stdarg.h>

bool wasm_fail(wasm_error *err, size_t offset, const char *fmt, ...) {
  if (!err || err->set)
    return false;
  err->set = true;
  err->offset = offset;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return false;
}

void wasm_error_print(FILE *out, const char *filename, const wasm_error *err) {
  if (err->text) {
    fprintf(out, "%s:%u:%u: error: %s\n", filename ? filename : "<input>",
            err->line, err->col, err->msg);
    return;
  }
  if (err->in_binary_of_text) {
    fprintf(out, "%s: error: %s (at 0x%zx of the module's binary form)\n",
            filename ? filename : "<input>", err->msg, err->offset);
    return;
  }
  fprintf(out, "%s:0x%zx: error: %s\n", filename ? filename : "<input>",
          err->offset, err->msg);
}

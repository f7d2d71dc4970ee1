/* diag.h: error reports of the front end.
 *
 * Every error the decoder or validator raises carries the byte offset at
 * which it was found, so that a message reads
 *     app.wasm:0x1f3: error: unknown local 7
 * The first error wins: later calls on a set error are ignored, so callers
 * can unwind without checking whether a callee already reported.
 */
#ifndef WASMC_DIAG_H
#define WASMC_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  bool set;
  size_t offset;    /* byte offset in the file */
  char msg[256];
  /* set for errors in a text-format file (.wat): where, as line:column */
  bool text;
  uint32_t line, col;
  /* set for decode/validation errors of a module read as text: offset is
   * then in the binary the text reader made, not in the file */
  bool in_binary_of_text;
} wasm_error;

/* Record an error at offset (printf-style); returns false so callers can
 * write `return wasm_fail(err, off, "...")`. */
bool wasm_fail(wasm_error *err, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "FILE:0xOFF: error: MSG\n" ("FILE:LINE:COL: ..." for text). */
void wasm_error_print(FILE *out, const char *filename, const wasm_error *err);

#endif

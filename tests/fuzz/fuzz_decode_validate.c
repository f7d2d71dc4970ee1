/* fuzz_decode_validate.c: libFuzzer target for the front end.
 *
 * Decodes the input, validates what decodes, summarises what validates
 * (wasm_inspect_print walks every part of a module) and frees it. Beyond
 * the sanitizers' checks it asserts the error contract the CLI relies on:
 * a rejection carries a non-empty message and an offset inside the input.
 * Run by scripts/fuzz-smoke; built only with -DWASMC_FUZZ=ON and clang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"
#include "wasm.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  devnull = fopen("/dev/null", "w");
  return 0;
}

/* Aborting makes libFuzzer save the input as a crash artifact. */
static void contract_broken(const char *what, const wasm_error *err) {
  fprintf(stderr, "fuzz: error contract broken: %s (offset 0x%zx, \"%.*s\")\n",
          what, err->offset, (int)sizeof err->msg, err->msg);
  abort();
}

static void check_reject(const wasm_error *err, size_t size) {
  if (!err->set)
    contract_broken("rejected without an error", err);
  if (!memchr(err->msg, '\0', sizeof err->msg))
    contract_broken("message not NUL-terminated", err);
  if (!err->msg[0])
    contract_broken("empty message", err);
  if (err->offset > size)
    contract_broken("offset beyond the end of the input", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wasm_error err = {0};
  wasm_module *m = wasm_decode(data, size, "fuzz.wasm", &err);
  if (!m) {
    check_reject(&err, size);
    return 0;
  }
  if (err.set)
    contract_broken("decoded a module but also set an error", &err);
  if (wasm_validate(m, &err)) {
    if (err.set)
      contract_broken("validated but also set an error", &err);
    if (devnull)
      wasm_inspect_print(devnull, m);
  } else {
    check_reject(&err, size);
  }
  wasm_module_free(m);
  return 0;
}

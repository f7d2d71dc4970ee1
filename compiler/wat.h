/* wat.h: the WebAssembly text format reader: text modules (.wat) to the
 * binary format, and WAST scripts (.wast) to a list of commands.
 *
 * The reader writes binaries without validating them (assert_invalid
 * modules must convert); it rejects only what the spec calls malformed
 * text: unknown operators and identifiers, duplicate identifiers,
 * constants out of range, a type use that does not match its inline
 * signature, misplaced imports, and so on. Annotations are checked
 * against the spec's token rules; `(@custom ...)`, `(@name ...)` and
 * `(@metadata.code.branch_hint ...)` become custom sections (custom, name,
 * branch hints), and a malformed or misplaced one is an error, not a
 * warning (wat_annot.c says why). Errors are wasm_errors whose
 * offset is a byte offset in the text; wat_error_print (wat_lex.h) prints
 * them as FILE:LINE:COL.
 */
#ifndef WASMC_WAT_H
#define WASMC_WAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Does a file's content look like a text module rather than a binary
 * one? (After white space and comments it starts with '('.) */
bool wat_is_text(const uint8_t *bytes, size_t size);

/* A text module -> binary. The text is a `(module ...)` form or the bare
 * module fields (also `(module binary ...)` / `(module quote ...)`).
 * On success *out is a malloc'd binary of *out_size bytes. */
bool wat_to_wasm(const char *src, size_t size, uint8_t **out, size_t *out_size,
                 wasm_error *err);

/* ---- scripts ---------------------------------------------------------------- */

typedef enum {
  WAT_CMD_MODULE,                /* module (text/binary/quote), also instance */
  WAT_CMD_MODULE_DEFINITION,     /* module definition: not instantiated */
  WAT_CMD_MODULE_INSTANCE,       /* module instance $I $M */
  WAT_CMD_REGISTER,
  WAT_CMD_ACTION,
  WAT_CMD_ASSERT_RETURN,
  WAT_CMD_ASSERT_TRAP,
  WAT_CMD_ASSERT_EXHAUSTION,
  WAT_CMD_ASSERT_EXCEPTION,
  WAT_CMD_ASSERT_INVALID,
  WAT_CMD_ASSERT_MALFORMED,
  WAT_CMD_ASSERT_UNLINKABLE,
  WAT_CMD_ASSERT_UNINSTANTIABLE,
  WAT_CMD_ASSERT_INVALID_CUSTOM,
  WAT_CMD_ASSERT_MALFORMED_CUSTOM,
} wat_cmd_kind;

typedef enum {
  WAT_MOD_TEXT,   /* converted to binary: bytes */
  WAT_MOD_BINARY, /* (module binary ...): bytes */
  WAT_MOD_QUOTE,  /* (module quote ...): text, converted to bytes when it
                     is not an assert_malformed/assert_invalid operand */
} wat_mod_form;

/* A value of an action's arguments or an expected result. type is a name:
 * "i32", "i64", "f32", "f64", "v128", or a reference type name such as
 * "funcref", "externref", "anyref", "exnref", ... (see wat_script.c). */
typedef struct wat_value {
  const char *type;
  const char *value;       /* decimal bits, "null", "nan:canonical",
                              "nan:arithmetic", or NULL (any non-null ref) */
  const char *lane_type;   /* v128: "i8" ... "f64" */
  uint32_t nlanes;
  const char **lanes;      /* v128: one string per lane */
  uint32_t nalts;          /* type "either": the alternatives */
  struct wat_value *alts;
} wat_value;

typedef struct {
  bool get;                /* get (a global) rather than invoke */
  const char *module;      /* $name, or NULL for the current module */
  const char *field;       /* UTF-8, may contain NUL bytes: field_len */
  uint32_t field_len;
  uint32_t nargs;
  wat_value *args;
} wat_action;

typedef struct {
  wat_cmd_kind kind;
  uint32_t line;           /* of the command's module or action */
  const char *name;        /* module $name / register's module / instance */
  const char *as;          /* register "as"; MODULE_INSTANCE: the module */
  const char *text;        /* the expected message of assertions */
  uint32_t text_len;
  wat_mod_form form;
  uint8_t *bytes;          /* module bytes (malloc'd), or quote text */
  size_t nbytes;
  bool has_module;
  wat_action action;
  uint32_t nexpected;
  wat_value *expected;
} wat_command;

typedef struct wat_script wat_script;

/* Parses a script. NULL + err (text offset) when it is malformed; a text
 * module that is malformed outside an assert_malformed is an error too. */
wat_script *wat_script_parse(const char *src, size_t size, wasm_error *err);
uint32_t wat_script_count(const wat_script *s);
const wat_command *wat_script_command(const wat_script *s, uint32_t i);
void wat_script_free(wat_script *s);

#endif

/* wasm_builder.h: a tiny test-only assembler for binary Wasm modules.
 *
 * A wb_buf is a growable byte buffer. Sizes are patched in afterwards, so a
 * section reads in the order it is written:
 *
 *   wb_buf b = wb_module();                    // "\0asm" 1 0 0 0
 *   size_t s = wb_section(&b, WB_SEC_TYPE);    // id, size to come
 *   wb_uleb(&b, 1);                            //   1 type:
 *   wb_functype(&b, "ii", "i");                //   [i32 i32] -> [i32]
 *   wb_end(&b, s);                             // size inserted here
 *
 * Value types are written as one letter each, as in opcodes.def:
 * i=i32 I=i64 f=f32 F=f64 v=v128 r=funcref x=externref e=exnref.
 * Allocation failure aborts: this is test code.
 */
#ifndef WASMC_TESTS_WASM_BUILDER_H
#define WASMC_TESTS_WASM_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

typedef struct {
  uint8_t *data;
  size_t len, cap;
} wb_buf;

enum {
  WB_SEC_CUSTOM = 0, WB_SEC_TYPE = 1, WB_SEC_IMPORT = 2, WB_SEC_FUNC = 3,
  WB_SEC_TABLE = 4, WB_SEC_MEMORY = 5, WB_SEC_GLOBAL = 6, WB_SEC_EXPORT = 7,
  WB_SEC_START = 8, WB_SEC_ELEM = 9, WB_SEC_CODE = 10, WB_SEC_DATA = 11,
  WB_SEC_DATACOUNT = 12,
};

wb_buf wb_new(void);    /* empty buffer */
wb_buf wb_module(void); /* buffer holding the 8-byte module header */
void wb_free(wb_buf *b);

void wb_u8(wb_buf *b, uint8_t v);
void wb_bytes(wb_buf *b, const void *p, size_t n);
void wb_uleb(wb_buf *b, uint64_t v);
void wb_sleb(wb_buf *b, int64_t v);
/* An unsigned LEB128 padded to exactly `width` bytes (non-minimal). */
void wb_uleb_wide(wb_buf *b, uint64_t v, unsigned width);
/* A name: length + bytes (strlen(s) bytes; use wb_name_n for embedded NULs). */
void wb_name(wb_buf *b, const char *s);
void wb_name_n(wb_buf *b, const void *s, size_t n);

/* Size-prefixed regions (sections, code entries, name subsections):
 * wb_begin marks the start, wb_end inserts the minimal u32 LEB128 of the
 * bytes written since. Regions nest. */
size_t wb_begin(wb_buf *b);
void wb_end(wb_buf *b, size_t mark);
/* id byte + wb_begin */
size_t wb_section(wb_buf *b, uint8_t id);
/* A custom section's start: id 0, size to come, the name. */
size_t wb_custom(wb_buf *b, const char *name);

uint8_t wb_valtype(char letter);
/* 0x60, params, results, each a string of valtype letters. */
void wb_functype(wb_buf *b, const char *params, const char *results);
/* A type section of one function type and a function section of nfuncs
 * functions of it: the head of a module whose functions share a
 * signature. */
void wb_same_type_funcs(wb_buf *b, const char *params, const char *results,
                        uint32_t nfuncs);
/* One code-section entry: its size, one local group per letter of
 * `locals` (valtype letters), then the body bytes (ending in 0x0B). */
void wb_code_entry(wb_buf *b, const char *locals, const void *body, size_t n);

/* Append literal bytes: WB(&b, 0x20, 0x00, 0x0B). */
#define WB(b, ...)                                                          \
  wb_bytes((b), (const uint8_t[]){__VA_ARGS__},                             \
           sizeof((const uint8_t[]){__VA_ARGS__}))

/* Decode the buffer (it must outlive the module). Trims the allocation to
 * the exact length first, so that ASan reports any read past the end. */
wasm_module *wb_decode(wb_buf *b, wasm_error *err);

#endif

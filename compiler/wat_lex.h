/* wat_lex.h: the tokens of the WebAssembly text format, and the values of
 * number and string tokens.
 *
 * The lexer follows the spec's rule that a token is the longest run of
 * identifier characters and strings: `0$x` or `"a""b"` are one (reserved)
 * token, which the parser then reports as an unknown operator, exactly as
 * the reference interpreter does. Comments (`;;`, nested `(; ;)`) and
 * annotations (`(@name ...)`, including `(@custom ...)` and branch hints)
 * are skipped here after their syntax is checked; a lexer asked to keep
 * annotations (keep_annotations) returns the few that wasmc interprets
 * (`@custom`, `@name`, `@metadata.code.branch_hint`) as one WAT_ANNOT
 * token each, for the S-expression reader to attach to the tree.
 *
 * Positions are byte offsets into the text; wat_position turns one into
 * line:column for messages (only when an error is printed, so lexing costs
 * no line bookkeeping).
 */
#ifndef WASMC_WAT_LEX_H
#define WASMC_WAT_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum {
  WAT_EOF,
  WAT_LPAR,
  WAT_RPAR,
  WAT_NAT,      /* 12, 0xff, 1_000 */
  WAT_INT,      /* +12, -0x1 */
  WAT_FLOAT,    /* 1.5, 0x1p3, inf, -nan:0x1 */
  WAT_STRING,   /* "..." (text keeps the quotes and escapes) */
  WAT_ID,       /* $name or $"name" (text keeps the $) */
  WAT_KEYWORD,  /* i32.add, offset=4, nan:canonical */
  WAT_RESERVED, /* anything else made of idchars and strings */
  WAT_ANNOT,    /* a whole interpreted annotation `(@custom ...)` (only with
                   keep_annotations) */
} wat_tokkind;

typedef struct {
  uint8_t kind;      /* wat_tokkind */
  uint32_t off;      /* byte offset of the first character */
  uint32_t len;
  const char *text;  /* points into the source */
} wat_token;

typedef struct {
  const char *src;
  size_t size, pos;
  wasm_error *err;
  bool keep_annotations; /* return interpreted annotations as WAT_ANNOT */
} wat_lexer;

void wat_lexer_init(wat_lexer *lx, const char *src, size_t size, wasm_error *err);

/* The next token; false (with *err set) on a lexical error. At the end,
 * a WAT_EOF token. */
bool wat_next(wat_lexer *lx, wat_token *tok);

/* 1-based line and column (in bytes) of a byte offset. */
void wat_position(const char *src, size_t size, size_t off, uint32_t *line,
                  uint32_t *col);

/* "FILE:LINE:COL: error: MSG\n" for an error whose offset is a text offset. */
void wat_error_print(FILE *out, const char *filename, const char *src,
                     size_t size, const wasm_error *err);

/* ---- values of tokens ------------------------------------------------------ */

/* An unsigned integer token (nat) that fits in `bits` bits. */
bool wat_nat(const wat_token *t, unsigned bits, uint64_t *out);
/* An iN literal: a nat below 2^N, or a signed value in [-2^(N-1), 2^N);
 * the result is the N-bit two's complement pattern. */
bool wat_int(const wat_token *t, unsigned bits, uint64_t *out);
/* Float literals (any number token) as IEEE bits; false when the value is
 * out of range (rounds to infinity) or the NaN payload does not fit. */
bool wat_f32(const wat_token *t, uint32_t *bits);
bool wat_f64(const wat_token *t, uint64_t *bits);

/* The bytes a string token stands for (escapes decoded), written to out
 * (which needs at most t->len bytes); returns their count. */
size_t wat_string_bytes(const wat_token *t, uint8_t *out);
/* The name of an identifier token without the `$` (quoted ones decoded),
 * written to out (at most t->len bytes); returns its length. */
size_t wat_id_bytes(const wat_token *t, uint8_t *out);

#endif

/* test_wat.c: the text format reader (compiler/wat_*.c): tokens and
 * literal values, module abbreviations (checked through the decoder on the
 * binary they produce), script commands, and malformed text reported at
 * the right line and column. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "wat.h"
#include "wat_lex.h"

static wat_token tok_of(const char *s) {
  wat_lexer lx;
  wasm_error err = {0};
  wat_lexer_init(&lx, s, strlen(s), &err);
  wat_token t;
  cr_assert(wat_next(&lx, &t), "lexing %s: %s", s, err.msg);
  return t;
}

/* ---- lexer ------------------------------------------------------------------- */

Test(wat_lex, token_kinds) {
  cr_expect_eq(tok_of("12").kind, WAT_NAT);
  cr_expect_eq(tok_of("0x1_F").kind, WAT_NAT);
  cr_expect_eq(tok_of("-7").kind, WAT_INT);
  cr_expect_eq(tok_of("1.5e3").kind, WAT_FLOAT);
  cr_expect_eq(tok_of("0x1p-3").kind, WAT_FLOAT);
  cr_expect_eq(tok_of("-inf").kind, WAT_FLOAT);
  cr_expect_eq(tok_of("nan:0x7f").kind, WAT_FLOAT);
  cr_expect_eq(tok_of("$x").kind, WAT_ID);
  cr_expect_eq(tok_of("$\"a b\"").kind, WAT_ID);
  cr_expect_eq(tok_of("i32.add").kind, WAT_KEYWORD);
  cr_expect_eq(tok_of("offset=8").kind, WAT_KEYWORD);
  /* longest match: one reserved token, not a number and an id */
  cr_expect_eq(tok_of("0$x").kind, WAT_RESERVED);
  cr_expect_eq(tok_of("1__0").kind, WAT_RESERVED);
  cr_expect_eq(tok_of("\"a\"\"b\"").kind, WAT_RESERVED);
}

Test(wat_lex, comments_and_annotations_are_skipped) {
  const char *s = ";; line\n(; block (; nested ;) ;) (@custom \"x\" (a \")\")) foo";
  wat_lexer lx;
  wasm_error err = {0};
  wat_lexer_init(&lx, s, strlen(s), &err);
  wat_token t;
  cr_assert(wat_next(&lx, &t));
  cr_expect_eq(t.kind, WAT_KEYWORD);
  cr_expect_eq(t.len, 3);
  cr_expect_eq(memcmp(t.text, "foo", 3), 0);
}

/* The annotation rules of the spec's text format: the lexer checks the
 * id and every character of the body, though it skips the annotation. */
static void lex_all(const char *s, size_t n, bool want_ok, const char *msg,
                    uint32_t want_off) {
  wat_lexer lx;
  wasm_error err = {0};
  wat_lexer_init(&lx, s, n, &err);
  wat_token t;
  bool ok;
  do
    ok = wat_next(&lx, &t);
  while (ok && t.kind != WAT_EOF);
  if (want_ok) {
    cr_expect(ok, "%.*s: %s", (int)n, s, err.msg);
    return;
  }
  cr_assert(!ok, "%.*s lexed", (int)n, s);
  cr_expect(strstr(err.msg, msg), "%.*s: \"%s\" lacks \"%s\"", (int)n, s, err.msg, msg);
  cr_expect_eq(err.offset, want_off, "%.*s: error at %zu, want %u", (int)n, s,
               (size_t)err.offset, want_off);
}

/* a literal's length, NUL bytes inside included */
#define LEX(lit, ...) lex_all(lit, sizeof lit - 1, __VA_ARGS__)

Test(wat_lex, annotation_bodies) {
  /* any tokens, balanced parentheses, comments; `(@)` nests as a plain
   * list inside an annotation */
  LEX("(@a x-y$yz\"aa\"-2 , ; ] [ }x{ (@) (@ x) (;c;) \"\\u{e9}\")", true, NULL, 0);
  LEX("(@a ;; line\n x)", true, NULL, 0);
  LEX("(@a\t\r\n)", true, NULL, 0);
  LEX("(@\"a b\" \"\xC3\xA9\")", true, NULL, 0);
  /* control characters other than tab, LF and CR; DEL */
  LEX("(@a \x01)", false, "illegal character", 4);
  LEX("(@a \x0b)", false, "illegal character", 4);
  LEX("(@a \x7f)", false, "illegal character", 4);
  LEX("(@a \0)", false, "illegal character", 4);
  /* non-ASCII outside strings: valid UTF-8 is illegal, invalid malformed */
  LEX("(@a \xC3\xA9)", false, "illegal character", 4);
  LEX("(@a \x80)", false, "malformed UTF-8", 4);
  LEX("(@a \xE0)", false, "malformed UTF-8", 4);
  LEX("(@a \"\xff\")", false, "malformed UTF-8", 5);
}

Test(wat_lex, annotation_ids_and_ends) {
  LEX("(@)", false, "empty annotation id", 0);
  LEX("(@ x)", false, "empty annotation id", 0);
  LEX("(@(@a)x)", false, "empty annotation id", 0);
  LEX("(@\"\")", false, "empty annotation id", 0);
  LEX("(@\"\n\")", false, "empty annotation id", 0);
  LEX("(@\"\\ef\")", false, "malformed UTF-8", 2);
  LEX("(@x (y (z))", false, "unclosed annotation", 0);
  LEX("(@x \"", false, "unclosed string", 4);
  LEX("(@x (; ;)", false, "unclosed annotation", 0);
  LEX("(@x (; )", false, "unclosed comment", 4);
}

Test(wat_lex, integers) {
  uint64_t v;
  wat_token t = tok_of("4294967295");
  cr_expect(wat_int(&t, 32, &v) && v == 0xFFFFFFFFu);
  t = tok_of("-2147483648");
  cr_expect(wat_int(&t, 32, &v) && v == 0x80000000u);
  t = tok_of("4294967296");
  cr_expect(!wat_int(&t, 32, &v));
  t = tok_of("-2147483649");
  cr_expect(!wat_int(&t, 32, &v));
  t = tok_of("0xffff_ffff_ffff_ffff");
  cr_expect(wat_int(&t, 64, &v) && v == UINT64_MAX);
}

Test(wat_lex, floats) {
  uint32_t b;
  uint64_t d;
  wat_token t = tok_of("1.5");
  cr_expect(wat_f32(&t, &b) && b == 0x3FC00000u);
  t = tok_of("-0x1p-1");
  cr_expect(wat_f32(&t, &b) && b == 0xBF000000u);
  t = tok_of("nan");
  cr_expect(wat_f32(&t, &b) && b == 0x7FC00000u);
  t = tok_of("-nan:0x1");
  cr_expect(wat_f32(&t, &b) && b == 0xFF800001u);
  t = tok_of("nan:0x800000"); /* payload too wide for f32 */
  cr_expect(!wat_f32(&t, &b));
  t = tok_of("0x1p128"); /* rounds to infinity: out of range */
  cr_expect(!wat_f32(&t, &b));
  t = tok_of("inf");
  cr_expect(wat_f64(&t, &d) && d == 0x7FF0000000000000ull);
  /* ties to even on a subnormal: rounds up to the smallest normal */
  t = tok_of("0x1.fffffffffffffp-1023");
  cr_expect(wat_f64(&t, &d) && d == 0x0010000000000000ull);
}

Test(wat_lex, strings) {
  wat_token t = tok_of("\"a\\n\\t\\\\\\\"\\41\\u{e9}\"");
  uint8_t buf[64];
  size_t n = wat_string_bytes(&t, buf);
  cr_assert_eq(n, 8);
  cr_expect_eq(memcmp(buf, "a\n\t\\\"A\xC3\xA9", 8), 0);
}

Test(wat_lex, bad_strings) {
  const char *cases[] = {"\"abc", "\"\\q\"", "\"a\x01\"", "\"\\u{d800}\""};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    wat_lexer lx;
    wasm_error err = {0};
    wat_lexer_init(&lx, cases[i], strlen(cases[i]), &err);
    wat_token t;
    cr_expect(!wat_next(&lx, &t), "%s should not lex", cases[i]);
  }
}

/* ---- modules ------------------------------------------------------------------ */

static wasm_module *convert(const char *text, uint8_t **bin) {
  size_t n;
  wasm_error err = {0};
  cr_assert(wat_to_wasm(text, strlen(text), bin, &n, &err), "%s", err.msg);
  wasm_module *m = wasm_decode(*bin, n, "t", &err);
  cr_assert(m, "decode: %s", err.msg);
  return m;
}

Test(wat_module, inline_imports_exports_and_implicit_types) {
  uint8_t *bin;
  wasm_module *m = convert(
      "(module\n"
      "  (func $imp (import \"m\" \"f\") (param i32))\n"
      "  (type $t (func (param i32)))\n"
      "  (func $f (export \"f\") (export \"g\") (param $x i32) (result i32)\n"
      "    (i32.add (local.get $x) (call $g)))\n"
      "  (func $g (result i32) i32.const 7)\n"
      "  (memory (data \"hi\"))\n"
      "  (table funcref (elem $f $g)))\n",
      &bin);
  cr_expect_eq(m->nimports, 1);
  cr_expect_eq(m->nfuncs, 3);
  cr_expect_eq(m->nexports, 2);
  /* $t is type 0; the implicit (param i32)->(result i32) and
   * ()->(result i32) types come after it; the import matches $t */
  cr_expect_eq(m->ntypes, 3);
  cr_expect_eq(m->funcs[0].type, 0);
  cr_expect_eq(m->ndatas, 1);
  cr_expect_eq(m->nelems, 1);
  cr_expect_eq(m->ntables, 1);
  cr_expect_eq(m->tables[0].limits.min, 2);
  wasm_error err = {0};
  cr_expect(wasm_validate(m, &err), "%s", err.msg);
  wasm_module_free(m);
  free(bin);
}

Test(wat_module, names_before_definition_and_labels) {
  uint8_t *bin;
  wasm_module *m = convert(
      "(func (export \"f\") (result i32)\n"
      "  (block $out (result i32)\n"
      "    (loop $l (br_if $out (i32.const 1) (global.get $g)) (br $l))\n"
      "    (i32.const 0)))\n"
      "(global $g i32 (i32.const 1))\n",
      &bin);
  wasm_error err = {0};
  cr_expect(wasm_validate(m, &err), "%s", err.msg);
  wasm_module_free(m);
  free(bin);
}

/* Malformed text: the error names the line and column. */
static void expect_malformed(const char *text, uint32_t line, uint32_t col,
                             const char *msg) {
  uint8_t *bin = NULL;
  size_t n;
  wasm_error err = {0};
  cr_assert(!wat_to_wasm(text, strlen(text), &bin, &n, &err), "accepted: %s", text);
  uint32_t l, c;
  wat_position(text, strlen(text), err.offset, &l, &c);
  cr_expect_eq(l, line, "%s: line %u, want %u (%s)", text, l, line, err.msg);
  cr_expect_eq(c, col, "%s: column %u, want %u (%s)", text, c, col, err.msg);
  cr_expect(strstr(err.msg, msg), "%s: message \"%s\" lacks \"%s\"", text, err.msg, msg);
}

Test(wat_module, malformed) {
  expect_malformed("(module\n  (func i32.bogus))", 2, 9, "unknown operator");
  expect_malformed("(func (br $nope))", 1, 11, "unknown label");
  expect_malformed("(func $f) (func $f)", 1, 17, "duplicate function");
  expect_malformed("(func (i32.const 0x1_0000_0000) drop)", 1, 18, "constant out of range");
  expect_malformed("(memory 1)\n(func (i32.load align=3 (i32.const 0)) drop)", 2, 17,
                   "power of two");
  expect_malformed("(type $t (func (param i32)))\n(func (type $t) (param i64))", 2, 7,
                   "inline function type");
  expect_malformed("(func)\n(import \"m\" \"g\" (global i32))", 2, 1, "import after function");
  expect_malformed("(func (local.get $x))", 1, 18, "unknown local");
  expect_malformed("(func block $a end $b)", 1, 20, "mismatching label");
}

Test(wat_module, annotation_errors_at_line_and_column) {
  expect_malformed("(module\n  (@a \x01))", 2, 7, "illegal character");
  expect_malformed("(module ( @a))", 1, 11, "unknown operator");
}

/* ---- annotations that become custom sections ------------------------------------ */

static uint8_t *to_bin(const char *text, size_t *n) {
  uint8_t *bin = NULL;
  wasm_error err = {0};
  cr_assert(wat_to_wasm(text, strlen(text), &bin, n, &err), "%s: %s", text, err.msg);
  return bin;
}

/* The offset of the first occurrence of a byte string in bin, or -1. */
static long find_bytes(const uint8_t *bin, size_t n, const void *what, size_t len) {
  for (size_t i = 0; i + len <= n; i++)
    if (memcmp(bin + i, what, len) == 0)
      return (long)i;
  return -1;
}

Test(wat_annot, custom_sections_placed) {
  size_t n;
  uint8_t *bin = to_bin("(module (@custom \"z\" \"1\") (func)\n"
                        "  (@custom \"b\" (before func) \"2\" \"3\")\n"
                        "  (@custom \"a\" (after func) \"4\") (@custom \"f\" (before first)))",
                        &n);
  /* header, "f" first, type, "b", func, "a", code, then "z" (after last) */
  static const uint8_t want[] = {
      0, 'a', 's', 'm', 1, 0, 0, 0,
      0, 2, 1, 'f',                  /* custom "f", empty */
      1, 4, 1, 0x60, 0, 0,           /* type () -> () */
      0, 4, 1, 'b', '2', '3',        /* custom "b" "23" */
      3, 2, 1, 0,                    /* func */
      0, 3, 1, 'a', '4',             /* custom "a" "4" */
      10, 4, 1, 2, 0, 0x0B,          /* code */
      0, 3, 1, 'z', '1'};            /* custom "z" "1" */
  cr_assert_eq(n, sizeof want);
  cr_expect_eq(memcmp(bin, want, n), 0);
  free(bin);
}

Test(wat_annot, name_section) {
  size_t n;
  uint8_t *bin = to_bin("(module $m (@name \"M\") (import \"x\" \"y\" (func (@name \"i\")))\n"
                        "  (func $f (@name \"\\u{3bb}\")) (func))", &n);
  static const uint8_t want[] = {0, 19, 4, 'n', 'a', 'm', 'e',
                                 0, 2, 1, 'M',                     /* module */
                                 1, 8, 2, 0, 1, 'i', 1, 2, 0xCE, 0xBB}; /* funcs 0, 1 */
  cr_expect_geq(find_bytes(bin, n, want, sizeof want), 0, "no name section as expected");
  wasm_error err = {0};
  wasm_module *m = wasm_decode(bin, n, "t", &err);
  cr_assert(m, "%s", err.msg);
  wasm_module_free(m);
  free(bin);
}

Test(wat_annot, branch_hints) {
  size_t n;
  uint8_t *bin = to_bin("(func (param i32)\n"
                        "  (@metadata.code.branch_hint \"\\01\") (if (local.get 0) (then))\n"
                        "  (block local.get 0 (@metadata.code.branch_hint \"\\00\") br_if 0))",
                        &n);
  /* body: 00 (no locals) | 20 00 | 04 40 0b | 02 40 20 00 0d 00 0b | 0b:
   * the if at offset 3, the br_if at 10 */
  static const uint8_t want[] = {0, 35, 25, 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '.',
                                 'c', 'o', 'd', 'e', '.', 'b', 'r', 'a', 'n', 'c', 'h',
                                 '_', 'h', 'i', 'n', 't',
                                 1, 0, 2, 3, 1, 1, 10, 1, 0};
  cr_expect_geq(find_bytes(bin, n, want, sizeof want), 0, "no hint section as expected");
  free(bin);
}

Test(wat_annot, misplaced_and_malformed) {
  expect_malformed("(func (@custom \"x\"))", 1, 7, "misplaced @custom annotation");
  expect_malformed("(module (func) (@name \"M\"))", 1, 16, "misplaced @name annotation");
  expect_malformed("(module (@name \"a\") (@name \"b\"))", 1, 21,
                   "@name annotation: multiple module");
  expect_malformed("(@custom \"x\" (before types))", 1, 22,
                   "@custom annotation: malformed section kind");
  expect_malformed("(@custom \"\\ff\")", 1, 10, "@custom annotation: malformed UTF-8");
  expect_malformed("(func\n  i32.const 0 (@metadata.code.branch_hint \"\\01\") drop)", 2, 15,
                   "@metadata.code.branch_hint annotation: invalid target");
  expect_malformed("(@metadata.code.branch_hint \"\\01\") (func)", 1, 1,
                   "@metadata.code.branch_hint annotation: not in a function");
  expect_malformed("(func (@metadata.code.branch_hint \"\\01\") (@metadata.code.branch_hint "
                   "\"\\01\") (if (i32.const 0) (then)))", 1, 42,
                   "@metadata.code.branch_hint annotation: duplicate annotation");
}

/* ---- scripts ------------------------------------------------------------------- */

Test(wat_script, commands) {
  const char *s =
      "(module $M (func (export \"f\") (param i32) (result i32) local.get 0))\n"
      "(register \"m\" $M)\n"
      "(assert_return (invoke $M \"f\" (i32.const -1)) (i32.const 4294967295))\n"
      "(assert_return (invoke \"f\" (i32.const 0)) (either (i32.const 0) (i32.const 1)))\n"
      "(assert_trap (invoke \"f\" (i32.const 0)) \"unreachable\")\n"
      "(assert_malformed (module quote \"(func\") \"unexpected end\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n";
  wasm_error err = {0};
  wat_script *sc = wat_script_parse(s, strlen(s), &err);
  cr_assert(sc, "%s", err.msg);
  cr_assert_eq(wat_script_count(sc), 8);
  const wat_command *c = wat_script_command(sc, 0);
  cr_expect_eq(c->kind, WAT_CMD_MODULE);
  cr_expect_str_eq(c->name, "$M");
  cr_expect_eq(c->form, WAT_MOD_TEXT);
  c = wat_script_command(sc, 1);
  cr_expect_eq(c->kind, WAT_CMD_REGISTER);
  cr_expect_str_eq(c->as, "m");
  c = wat_script_command(sc, 2);
  cr_expect_eq(c->kind, WAT_CMD_ASSERT_RETURN);
  cr_expect_eq(c->line, 3);
  cr_expect_str_eq(c->action.args[0].value, "4294967295");
  c = wat_script_command(sc, 3);
  cr_expect_str_eq(c->expected[0].type, "either");
  cr_expect_eq(c->expected[0].nalts, 2);
  c = wat_script_command(sc, 4);
  cr_expect_eq(c->kind, WAT_CMD_ASSERT_TRAP);
  cr_expect_str_eq(c->text, "unreachable");
  c = wat_script_command(sc, 5);
  cr_expect_eq(c->kind, WAT_CMD_ASSERT_MALFORMED);
  cr_expect_eq(c->form, WAT_MOD_QUOTE);
  cr_expect_eq(c->nbytes, 5);
  c = wat_script_command(sc, 6);
  cr_expect_eq(c->form, WAT_MOD_TEXT); /* invalid, but converted */
  c = wat_script_command(sc, 7);
  cr_expect_eq(c->form, WAT_MOD_BINARY);
  cr_expect_eq(c->nbytes, 8);
  wat_script_free(sc);
}

Test(wat_script, malformed_script) {
  const char *s = "(module)\n(assert_return (invoke \"f\" (i32.const 1.5)))\n";
  wasm_error err = {0};
  cr_expect_null(wat_script_parse(s, strlen(s), &err));
  uint32_t l, c;
  wat_position(s, strlen(s), err.offset, &l, &c);
  cr_expect_eq(l, 2);
  cr_expect_eq(c, 39);
}

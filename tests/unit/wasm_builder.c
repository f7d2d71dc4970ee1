/* wasm_builder.c: the test-only module assembler (see wasm_builder.h). */
#include "wasm_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(wb_buf *b, size_t more) {
  if (b->cap - b->len >= more)
    return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < more)
    cap *= 2;
  uint8_t *p = realloc(b->data, cap);
  if (!p) {
    fputs("wasm_builder: out of memory\n", stderr);
    abort();
  }
  b->data = p;
  b->cap = cap;
}

wb_buf wb_new(void) {
  wb_buf b = {NULL, 0, 0};
  return b;
}

wb_buf wb_module(void) {
  wb_buf b = wb_new();
  WB(&b, 0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00);
  return b;
}

void wb_free(wb_buf *b) {
  free(b->data);
  *b = wb_new();
}

void wb_u8(wb_buf *b, uint8_t v) {
  reserve(b, 1);
  b->data[b->len++] = v;
}

void wb_bytes(wb_buf *b, const void *p, size_t n) {
  if (n == 0)
    return;
  reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

void wb_uleb(wb_buf *b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    wb_u8(b, byte | (v ? 0x80 : 0));
  } while (v);
}

void wb_sleb(wb_buf *b, int64_t v) {
  for (;;) {
    uint8_t byte = (uint8_t)(v & 0x7F);
    v >>= 7; /* arithmetic shift: gcc and clang define it */
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    wb_u8(b, byte | (done ? 0 : 0x80));
    if (done)
      return;
  }
}

void wb_uleb_wide(wb_buf *b, uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; i++) {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    wb_u8(b, byte | (i + 1 < width ? 0x80 : 0));
  }
}

void wb_name(wb_buf *b, const char *s) { wb_name_n(b, s, strlen(s)); }

void wb_name_n(wb_buf *b, const void *s, size_t n) {
  wb_uleb(b, n);
  wb_bytes(b, s, n);
}

size_t wb_begin(wb_buf *b) { return b->len; }

void wb_end(wb_buf *b, size_t mark) {
  size_t n = b->len - mark;
  wb_buf size = wb_new();
  wb_uleb(&size, n);
  reserve(b, size.len);
  memmove(b->data + mark + size.len, b->data + mark, n);
  memcpy(b->data + mark, size.data, size.len);
  b->len += size.len;
  wb_free(&size);
}

size_t wb_section(wb_buf *b, uint8_t id) {
  wb_u8(b, id);
  return wb_begin(b);
}

size_t wb_custom(wb_buf *b, const char *name) {
  size_t mark = wb_section(b, WB_SEC_CUSTOM);
  wb_name(b, name);
  return mark;
}

uint8_t wb_valtype(char letter) {
  switch (letter) {
  case 'i': return WASM_I32;
  case 'I': return WASM_I64;
  case 'f': return WASM_F32;
  case 'F': return WASM_F64;
  case 'v': return WASM_V128;
  case 'r': return WASM_FUNCREF;
  case 'x': return WASM_EXTERNREF;
  case 'e': return WASM_EXNREF;
  default:
    fprintf(stderr, "wasm_builder: unknown value type letter '%c'\n", letter);
    abort();
  }
}

void wb_functype(wb_buf *b, const char *params, const char *results) {
  wb_u8(b, 0x60);
  wb_uleb(b, strlen(params));
  for (const char *p = params; *p; p++)
    wb_u8(b, wb_valtype(*p));
  wb_uleb(b, strlen(results));
  for (const char *p = results; *p; p++)
    wb_u8(b, wb_valtype(*p));
}

void wb_same_type_funcs(wb_buf *b, const char *params, const char *results,
                        uint32_t nfuncs) {
  size_t s = wb_section(b, WB_SEC_TYPE);
  wb_uleb(b, 1);
  wb_functype(b, params, results);
  wb_end(b, s);
  s = wb_section(b, WB_SEC_FUNC);
  wb_uleb(b, nfuncs);
  for (uint32_t k = 0; k < nfuncs; k++)
    wb_uleb(b, 0);
  wb_end(b, s);
}

wasm_module *wb_decode(wb_buf *b, wasm_error *err) {
  if (b->len && b->cap != b->len) {
    uint8_t *p = realloc(b->data, b->len);
    if (p) {
      b->data = p;
      b->cap = b->len;
    }
  }
  return wasm_decode(b->data, b->len, "test.wasm", err);
}

void wb_code_entry(wb_buf *b, const char *locals, const void *body, size_t n) {
  size_t e = wb_begin(b);
  wb_uleb(b, strlen(locals));
  for (const char *l = locals; *l; l++) {
    wb_uleb(b, 1);
    wb_u8(b, wb_valtype(*l));
  }
  wb_bytes(b, body, n);
  wb_end(b, e);
}

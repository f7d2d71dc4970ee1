/* wat_lex.c: the lexer of the text format and the values of its number and
 * string tokens (see wat_lex.h for the token rules).
 *
 * Malformed input is reported with the reference interpreter's wording
 * ("unclosed string literal", "illegal escape", "unknown operator", ...),
 * because assert_malformed scripts name those messages.
 */
#include "wat_lex.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void wat_lexer_init(wat_lexer *lx, const char *src, size_t size, wasm_error *err) {
  lx->src = src;
  lx->size = size;
  lx->pos = 0;
  lx->err = err;
  lx->keep_annotations = false;
}

/* The annotations the module encoder interprets (wat_annot.c); all others
 * are checked and skipped. */
static bool interpreted_annotation(const char *id, size_t n) {
  static const char *const ids[] = {"custom", "name", "metadata.code.branch_hint"};
  for (size_t k = 0; k < sizeof ids / sizeof *ids; k++)
    if (strlen(ids[k]) == n && memcmp(ids[k], id, n) == 0)
      return true;
  return false;
}

void wat_position(const char *src, size_t size, size_t off, uint32_t *line,
                  uint32_t *col) {
  uint32_t l = 1;
  size_t bol = 0;
  if (off > size)
    off = size;
  for (size_t i = 0; i < off; i++)
    if (src[i] == '\n') {
      l++;
      bol = i + 1;
    }
  *line = l;
  *col = (uint32_t)(off - bol) + 1;
}

void wat_error_print(FILE *out, const char *filename, const char *src,
                     size_t size, const wasm_error *err) {
  uint32_t line, col;
  wat_position(src, size, err->offset, &line, &col);
  fprintf(out, "%s:%u:%u: error: %s\n", filename ? filename : "<input>", line,
          col, err->msg);
}

/* idchar of the spec: letters, digits and the symbols below. */
static bool is_idchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return c != 0 && strchr("!#$%&'*+-./:<=>?@\\^_`|~", c) != NULL;
}

static bool is_hex(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex_val(unsigned char c) {
  return c <= '9' ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
}

/* Length of a UTF-8 sequence at p (strict: no overlongs, surrogates or
 * values past U+10FFFF), 0 when malformed. */
static size_t utf8_len(const unsigned char *p, size_t avail) {
  unsigned char c = p[0];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;
    if (c == 0xED)
      hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    if (c == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (avail < n || p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < n; i++)
    if (p[i] < 0x80 || p[i] > 0xBF)
      return 0;
  return n;
}

static bool fail(wat_lexer *lx, size_t at, const char *msg) {
  return wasm_fail(lx->err, at, "%s", msg);
}

/* A `(; ... ;)` comment starting at lx->pos, nested ones included. */
static bool skip_block_comment(wat_lexer *lx) {
  size_t start = lx->pos;
  unsigned depth = 0;
  const unsigned char *s = (const unsigned char *)lx->src;
  while (lx->pos < lx->size) {
    if (s[lx->pos] == '(' && lx->pos + 1 < lx->size && s[lx->pos + 1] == ';') {
      depth++;
      lx->pos += 2;
    } else if (s[lx->pos] == ';' && lx->pos + 1 < lx->size && s[lx->pos + 1] == ')') {
      lx->pos += 2;
      if (--depth == 0)
        return true;
    } else {
      size_t n = utf8_len(s + lx->pos, lx->size - lx->pos);
      if (!n)
        return fail(lx, lx->pos, "malformed UTF-8 encoding");
      lx->pos += n;
    }
  }
  return fail(lx, start, "unclosed comment");
}

/* A string starting at lx->pos (the opening quote): checks its escapes and
 * characters and moves past the closing quote. */
static bool scan_string(wat_lexer *lx) {
  const unsigned char *s = (const unsigned char *)lx->src;
  size_t start = lx->pos++;
  while (lx->pos < lx->size) {
    unsigned char c = s[lx->pos];
    if (c == '"') {
      lx->pos++;
      return true;
    }
    if (c == '\n' || c == '\r')
      break;
    if (c < 0x20 || c == 0x7F)
      return fail(lx, lx->pos, "illegal control character in string literal");
    if (c == '\\') {
      size_t at = lx->pos;
      if (lx->pos + 1 >= lx->size)
        break;
      unsigned char e = s[lx->pos + 1];
      if (strchr("nrt\\'\"", e) && e) {
        lx->pos += 2;
      } else if (e == 'u') {
        size_t p = lx->pos + 2;
        if (p >= lx->size || s[p] != '{')
          return fail(lx, at, "illegal escape");
        p++;
        uint32_t cp = 0;
        size_t digits = 0;
        bool big = false;
        while (p < lx->size && (is_hex(s[p]) || (s[p] == '_' && digits))) {
          if (s[p] != '_') {
            cp = cp * 16 + hex_val(s[p]);
            if (cp > 0x10FFFF)
              big = true;
            digits++;
          }
          p++;
        }
        if (!digits || p >= lx->size || s[p] != '}' || s[p - 1] == '_')
          return fail(lx, at, "illegal escape");
        if (big || (cp >= 0xD800 && cp < 0xE000))
          return fail(lx, at, "malformed UTF-8 encoding");
        lx->pos = p + 1;
      } else if (is_hex(e) && lx->pos + 2 < lx->size && is_hex(s[lx->pos + 2])) {
        lx->pos += 3;
      } else {
        return fail(lx, at, "illegal escape");
      }
      continue;
    }
    size_t n = utf8_len(s + lx->pos, lx->size - lx->pos);
    if (!n)
      return fail(lx, lx->pos, "malformed UTF-8 encoding");
    lx->pos += n;
  }
  return fail(lx, start, "unclosed string literal");
}

/* An annotation `(@id ...)` starting at lx->pos, skipped up to its matching
 * parenthesis. The spec's grammar makes its body a sequence of ordinary
 * tokens (and balanced parentheses, comments, white space), so anything
 * that could not be a token outside an annotation is refused inside it
 * too: a control character, a non-ASCII character outside a string or
 * comment ("illegal character"), or bytes that are not UTF-8. Only the
 * parentheses nest: `(@x)` inside an annotation is no new annotation, so
 * `(@)` there is allowed (annotations.wast relies on both). */
static bool skip_annotation(wat_lexer *lx) {
  const unsigned char *s = (const unsigned char *)lx->src;
  size_t start = lx->pos;
  lx->pos += 2;
  /* The id comes right after the `@`: idchars, or a string that is a
   * valid, non-empty name. Anything else (a space, a parenthesis, a
   * string that does not close on its line) leaves the id empty. */
  if (lx->pos < lx->size && s[lx->pos] == '"') {
    size_t q = lx->pos;
    wasm_error *saved = lx->err, scratch = {0};
    lx->err = &scratch; /* a broken string here is an empty id */
    bool closed = scan_string(lx);
    lx->err = saved;
    if (!closed || lx->pos - q == 2)
      return fail(lx, start, "empty annotation id");
    wat_token t = {WAT_STRING, (uint32_t)q, (uint32_t)(lx->pos - q), lx->src + q};
    uint8_t *name = malloc(t.len);
    if (!name)
      return fail(lx, start, "out of memory");
    size_t n = wat_string_bytes(&t, name);
    bool utf8 = true;
    for (size_t i = 0; utf8 && i < n;) {
      size_t k = utf8_len(name + i, n - i);
      utf8 = k != 0;
      i += k;
    }
    free(name);
    if (n == 0)
      return fail(lx, start, "empty annotation id");
    if (!utf8)
      return fail(lx, q, "malformed UTF-8 encoding");
  } else {
    size_t q = lx->pos;
    while (lx->pos < lx->size && is_idchar(s[lx->pos]))
      lx->pos++;
    if (lx->pos == q)
      return fail(lx, start, "empty annotation id");
  }
  unsigned depth = 1;
  while (lx->pos < lx->size) {
    unsigned char c = s[lx->pos];
    bool two = lx->pos + 1 < lx->size;
    if (c == '(' && two && s[lx->pos + 1] == ';') {
      if (!skip_block_comment(lx))
        return false;
    } else if (c == '(') {
      depth++;
      lx->pos++;
    } else if (c == ')') {
      lx->pos++;
      if (--depth == 0)
        return true;
    } else if (c == '"') {
      if (!scan_string(lx))
        return false;
    } else if (c == ';' && two && s[lx->pos + 1] == ';') {
      while (lx->pos < lx->size && s[lx->pos] != '\n' && s[lx->pos] != '\r') {
        size_t n = utf8_len(s + lx->pos, lx->size - lx->pos);
        if (!n)
          return fail(lx, lx->pos, "malformed UTF-8 encoding");
        lx->pos += n;
      }
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || is_idchar(c) ||
               (c && strchr(",;[]{}", c))) {
      lx->pos++; /* white space, or a character of some token */
    } else if (utf8_len(s + lx->pos, lx->size - lx->pos)) {
      return fail(lx, lx->pos, "illegal character");
    } else {
      return fail(lx, lx->pos, "malformed UTF-8 encoding");
    }
  }
  return fail(lx, start, "unclosed annotation");
}

/* ---- number syntax ------------------------------------------------------------ */

/* Digits with single underscores between them, from *p; returns whether at
 * least one digit was read. */
static bool digits(const char *s, size_t n, size_t *p, bool hex) {
  size_t i = *p, start = i;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (hex ? is_hex(c) : (c >= '0' && c <= '9')) {
      i++;
    } else if (c == '_' && i > start && i + 1 < n &&
               (hex ? is_hex((unsigned char)s[i + 1])
                    : (s[i + 1] >= '0' && s[i + 1] <= '9'))) {
      i++;
    } else {
      break;
    }
  }
  *p = i;
  return i > start;
}

/* Which number token s[0..n) is, or WAT_RESERVED when none. */
static wat_tokkind number_kind(const char *s, size_t n) {
  size_t i = 0;
  bool sign = false;
  if (n && (s[0] == '+' || s[0] == '-')) {
    sign = true;
    i = 1;
  }
  const char *r = s + i;
  size_t rn = n - i;
  if ((rn == 3 && memcmp(r, "inf", 3) == 0) || (rn == 3 && memcmp(r, "nan", 3) == 0))
    return WAT_FLOAT;
  if (rn > 6 && memcmp(r, "nan:0x", 6) == 0) {
    size_t p = i + 6;
    return digits(s, n, &p, true) && p == n ? WAT_FLOAT : WAT_RESERVED;
  }
  bool hex = rn > 2 && r[0] == '0' && r[1] == 'x';
  if (hex)
    i += 2;
  if (!digits(s, n, &i, hex))
    return WAT_RESERVED;
  if (i == n)
    return sign ? WAT_INT : WAT_NAT;
  bool fl = false;
  if (s[i] == '.') {
    i++;
    fl = true;
    if (i < n && (hex ? is_hex((unsigned char)s[i]) : (s[i] >= '0' && s[i] <= '9')))
      digits(s, n, &i, hex);
  }
  if (i < n && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
    i++;
    fl = true;
    if (i < n && (s[i] == '+' || s[i] == '-'))
      i++;
    if (!digits(s, n, &i, false))
      return WAT_RESERVED;
  }
  return fl && i == n ? WAT_FLOAT : WAT_RESERVED;
}

static bool is_keyword(const char *s, size_t n) {
  if (n == 0 || s[0] < 'a' || s[0] > 'z')
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':'))
      return false;
  }
  return true;
}

/* offset=N / align=N: keywords of their own in the grammar. */
static bool is_memarg_keyword(const char *s, size_t n) {
  size_t k = n > 7 && memcmp(s, "offset=", 7) == 0 ? 7
             : n > 6 && memcmp(s, "align=", 6) == 0 ? 6 : 0;
  return k && number_kind(s + k, n - k) == WAT_NAT;
}

bool wat_next(wat_lexer *lx, wat_token *tok) {
  const unsigned char *s = (const unsigned char *)lx->src;
  for (;;) {
    if (lx->pos >= lx->size) {
      *tok = (wat_token){WAT_EOF, (uint32_t)lx->pos, 0, lx->src + lx->pos};
      return true;
    }
    unsigned char c = s[lx->pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      lx->pos++;
    } else if (c == ';' && lx->pos + 1 < lx->size && s[lx->pos + 1] == ';') {
      while (lx->pos < lx->size && s[lx->pos] != '\n' && s[lx->pos] != '\r') {
        size_t n = utf8_len(s + lx->pos, lx->size - lx->pos);
        if (!n)
          return fail(lx, lx->pos, "malformed UTF-8 encoding");
        lx->pos += n;
      }
    } else if (c == '(' && lx->pos + 1 < lx->size && s[lx->pos + 1] == ';') {
      if (!skip_block_comment(lx))
        return false;
    } else if (c == '(' && lx->pos + 1 < lx->size && s[lx->pos + 1] == '@') {
      size_t at = lx->pos;
      if (!skip_annotation(lx))
        return false;
      size_t idn = 0;
      while (at + 2 + idn < lx->pos && is_idchar(s[at + 2 + idn]))
        idn++;
      if (lx->keep_annotations && interpreted_annotation(lx->src + at + 2, idn)) {
        *tok = (wat_token){WAT_ANNOT, (uint32_t)at, (uint32_t)(lx->pos - at), lx->src + at};
        return true;
      }
    } else {
      break;
    }
  }
  size_t start = lx->pos;
  unsigned char c = s[start];
  tok->off = (uint32_t)start;
  tok->text = lx->src + start;
  if (c == '(' || c == ')') {
    lx->pos++;
    tok->kind = c == '(' ? WAT_LPAR : WAT_RPAR;
    tok->len = 1;
    return true;
  }
  if (c == '"' || is_idchar(c)) {
    unsigned strings = 0;
    bool plain = true; /* only idchars so far */
    while (lx->pos < lx->size) {
      if (s[lx->pos] == '"') {
        if (!scan_string(lx))
          return false;
        strings++;
        plain = false;
      } else if (is_idchar(s[lx->pos])) {
        lx->pos++;
      } else {
        break;
      }
    }
    size_t n = lx->pos - start;
    tok->len = (uint32_t)n;
    const char *t = lx->src + start;
    if (!plain) {
      bool one_string = strings == 1 && t[0] == '"' && t[n - 1] == '"';
      bool quoted_id = strings == 1 && t[0] == '$' && t[1] == '"' && t[n - 1] == '"';
      if (one_string) {
        tok->kind = WAT_STRING;
      } else if (quoted_id) {
        if (n == 3)
          return fail(lx, start, "empty identifier");
        tok->kind = WAT_ID;
      } else {
        tok->kind = WAT_RESERVED;
      }
      return true;
    }
    if (t[0] == '$') {
      if (n == 1)
        return fail(lx, start, "empty identifier");
      tok->kind = WAT_ID;
      return true;
    }
    wat_tokkind k = number_kind(t, n);
    if (k != WAT_RESERVED)
      tok->kind = (uint8_t)k;
    else if (is_keyword(t, n) || is_memarg_keyword(t, n))
      tok->kind = WAT_KEYWORD;
    else
      tok->kind = WAT_RESERVED;
    return true;
  }
  if (strchr(",;[]{}", c)) {
    lx->pos++;
    tok->kind = WAT_RESERVED;
    tok->len = 1;
    return true;
  }
  if (c < 0x20 || c == 0x7F)
    return fail(lx, start, "misplaced control character");
  if (utf8_len(s + start, lx->size - start))
    return fail(lx, start, "misplaced unicode character");
  return fail(lx, start, "malformed UTF-8 encoding");
}

/* ---- values -------------------------------------------------------------------- */

/* Magnitude of an unsigned literal (decimal or 0x hex, underscores
 * allowed); false on overflow of 64 bits. */
static bool magnitude(const char *s, size_t n, uint64_t *out) {
  uint64_t v = 0;
  bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
  size_t i = hex ? 2 : 0;
  if (i >= n)
    return false;
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '_')
      continue;
    unsigned d;
    if (hex) {
      if (!is_hex(c))
        return false;
      d = hex_val(c);
      if (v >> 60)
        return false;
      v = v * 16 + d;
    } else {
      if (c < '0' || c > '9')
        return false;
      d = (unsigned)(c - '0');
      if (v > (UINT64_MAX - d) / 10)
        return false;
      v = v * 10 + d;
    }
  }
  *out = v;
  return true;
}

bool wat_nat(const wat_token *t, unsigned bits, uint64_t *out) {
  if (t->kind != WAT_NAT || !magnitude(t->text, t->len, out))
    return false;
  return bits >= 64 || *out < (1ull << bits);
}

bool wat_int(const wat_token *t, unsigned bits, uint64_t *out) {
  if (t->kind != WAT_NAT && t->kind != WAT_INT)
    return false;
  bool neg = t->text[0] == '-';
  size_t skip = t->kind == WAT_INT ? 1 : 0;
  uint64_t m;
  if (!magnitude(t->text + skip, t->len - skip, &m))
    return false;
  uint64_t mask = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
  if (neg) {
    if (m > (1ull << (bits - 1)))
      return false;
    *out = (0 - m) & mask;
  } else {
    if (m > mask)
      return false;
    *out = m;
  }
  return true;
}

/* The token without underscores, NUL-terminated, for strtod/strtof. */
static char *clean_number(const wat_token *t, char *buf, size_t bufsz) {
  char *p = bufsz > t->len ? buf : malloc(t->len + 1);
  if (!p)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < t->len; i++)
    if (t->text[i] != '_')
      p[n++] = t->text[i];
  p[n] = '\0';
  return p;
}

/* Shared by f32 and f64: sign, and the special forms inf / nan / nan:0x.
 * Returns 1 when handled (special form), 0 for an ordinary number, -1 when
 * out of range. */
static int float_special(const wat_token *t, unsigned mant_bits, uint64_t *bits) {
  const char *s = t->text;
  size_t n = t->len;
  bool neg = n && s[0] == '-';
  if (n && (s[0] == '+' || s[0] == '-')) {
    s++;
    n--;
  }
  unsigned exp_bits = mant_bits == 23 ? 8 : 11;
  uint64_t sign = neg ? 1ull << (mant_bits + exp_bits) : 0;
  uint64_t exp_all = ((1ull << exp_bits) - 1) << mant_bits;
  if (n == 3 && memcmp(s, "inf", 3) == 0) {
    *bits = sign | exp_all;
    return 1;
  }
  if (n >= 3 && memcmp(s, "nan", 3) == 0) {
    uint64_t payload = 1ull << (mant_bits - 1);
    if (n > 4) {
      if (!magnitude(s + 4, n - 4, &payload) || payload == 0 ||
          payload >= (1ull << mant_bits))
        return -1;
    }
    *bits = sign | exp_all | payload;
    return 1;
  }
  return 0;
}

bool wat_f32(const wat_token *t, uint32_t *bits) {
  if (t->kind != WAT_NAT && t->kind != WAT_INT && t->kind != WAT_FLOAT)
    return false;
  uint64_t b;
  int sp = float_special(t, 23, &b);
  if (sp < 0)
    return false;
  if (sp > 0) {
    *bits = (uint32_t)b;
    return true;
  }
  char buf[128];
  char *s = clean_number(t, buf, sizeof buf);
  if (!s)
    return false;
  errno = 0;
  float f = strtof(s, NULL);
  if (s != buf)
    free(s);
  if (isinf(f))
    return false;
  memcpy(bits, &f, 4);
  return true;
}

bool wat_f64(const wat_token *t, uint64_t *bits) {
  if (t->kind != WAT_NAT && t->kind != WAT_INT && t->kind != WAT_FLOAT)
    return false;
  int sp = float_special(t, 52, bits);
  if (sp < 0)
    return false;
  if (sp > 0)
    return true;
  char buf[128];
  char *s = clean_number(t, buf, sizeof buf);
  if (!s)
    return false;
  double d = strtod(s, NULL);
  if (s != buf)
    free(s);
  if (isinf(d))
    return false;
  memcpy(bits, &d, 8);
  return true;
}

/* Decodes the inside of a string literal s[0..n) (quotes excluded; the
 * lexer checked the escapes). */
static size_t decode_string(const char *s, size_t n, uint8_t *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] != '\\') {
      out[o++] = (uint8_t)s[i];
      continue;
    }
    char e = s[++i];
    switch (e) {
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 't': out[o++] = '\t'; break;
    case '\\': out[o++] = '\\'; break;
    case '\'': out[o++] = '\''; break;
    case '"': out[o++] = '"'; break;
    case 'u': {
      uint32_t cp = 0;
      for (i += 2; s[i] != '}'; i++)
        if (s[i] != '_')
          cp = cp * 16 + hex_val((unsigned char)s[i]);
      if (cp < 0x80) {
        out[o++] = (uint8_t)cp;
      } else if (cp < 0x800) {
        out[o++] = (uint8_t)(0xC0 | (cp >> 6));
        out[o++] = (uint8_t)(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        out[o++] = (uint8_t)(0xE0 | (cp >> 12));
        out[o++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[o++] = (uint8_t)(0x80 | (cp & 0x3F));
      } else {
        out[o++] = (uint8_t)(0xF0 | (cp >> 18));
        out[o++] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        out[o++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[o++] = (uint8_t)(0x80 | (cp & 0x3F));
      }
      break;
    }
    default:
      out[o++] = (uint8_t)(hex_val((unsigned char)e) * 16 +
                           hex_val((unsigned char)s[i + 1]));
      i++;
    }
  }
  return o;
}

size_t wat_string_bytes(const wat_token *t, uint8_t *out) {
  return decode_string(t->text + 1, t->len - 2, out);
}

size_t wat_id_bytes(const wat_token *t, uint8_t *out) {
  if (t->len > 1 && t->text[1] == '"')
    return decode_string(t->text + 2, t->len - 3, out);
  memcpy(out, t->text + 1, t->len - 1);
  return t->len - 1;
}

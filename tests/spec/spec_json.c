/* spec_json.c: the JSON reader of spec_json.h: recursive descent over the
 * text, one malloc'ed node per value. Nesting is limited (wast2json's
 * output is at most a few levels deep), so that a hostile file cannot
 * exhaust the stack. */
#include "spec_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
  const char *p, *end, *start;
  char *err;
  size_t errsz;
  bool failed;
} parser;

static void fail(parser *ps, const char *what) {
  if (ps->failed)
    return;
  ps->failed = true;
  int line = 1;
  for (const char *q = ps->start; q < ps->p && q < ps->end; q++)
    line += *q == '\n';
  snprintf(ps->err, ps->errsz, "line %d: %s", line, what);
}

static void skip_space(parser *ps) {
  while (ps->p < ps->end &&
         (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static json *new_node(parser *ps, json_type t) {
  json *j = calloc(1, sizeof *j);
  if (!j)
    fail(ps, "out of memory");
  else
    j->type = t;
  return j;
}

static int hex4(const char *s) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return -1;
    v = v * 16 + d;
  }
  return v;
}

static size_t put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A string literal at ps->p (on the opening quote): its decoded text. The
 * decoded form is never longer than the literal, so one allocation of the
 * literal's size suffices. */
static char *parse_string(parser *ps) {
  const char *q = ++ps->p;
  while (q < ps->end && *q != '"')
    q += *q == '\\' ? 2 : 1;
  if (q >= ps->end) {
    fail(ps, "unterminated string");
    return NULL;
  }
  char *out = malloc((size_t)(q - ps->p) + 1), *o = out;
  if (!out) {
    fail(ps, "out of memory");
    return NULL;
  }
  while (ps->p < q) {
    char c = *ps->p++;
    if ((unsigned char)c < 0x20) {
      fail(ps, "control character in a string");
      break;
    }
    if (c != '\\') {
      *o++ = c;
      continue;
    }
    c = *ps->p++;
    switch (c) {
    case '"': case '\\': case '/': *o++ = c; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'n': *o++ = '\n'; break;
    case 'r': *o++ = '\r'; break;
    case 't': *o++ = '\t'; break;
    case 'u': {
      int hi = q - ps->p >= 4 ? hex4(ps->p) : -1;
      if (hi < 0) {
        fail(ps, "bad \\u escape");
        break;
      }
      ps->p += 4;
      uint32_t cp = (uint32_t)hi;
      if (hi >= 0xD800 && hi < 0xDC00 && q - ps->p >= 6 && ps->p[0] == '\\' &&
          ps->p[1] == 'u') {
        int lo = hex4(ps->p + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + (((uint32_t)hi - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
          ps->p += 6;
        }
      }
      /* 6 bytes of escape become at most 4 of UTF-8 */
      o += put_utf8(o, cp);
      break;
    }
    default:
      fail(ps, "bad escape in a string");
    }
    if (ps->failed)
      break;
  }
  *o = '\0';
  ps->p = q + 1;
  if (ps->failed) {
    free(out);
    return NULL;
  }
  return out;
}

static json *parse_value(parser *ps, int depth);

/* Arrays and objects: elements (with keys for objects) up to `close`. */
static json *parse_container(parser *ps, int depth, bool object) {
  json *j = new_node(ps, object ? JSON_OBJECT : JSON_ARRAY);
  if (!j)
    return NULL;
  char close = object ? '}' : ']';
  ps->p++;
  skip_space(ps);
  json **tail = &j->child;
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    return j;
  }
  for (;;) {
    char *key = NULL;
    if (object) {
      skip_space(ps);
      if (ps->p >= ps->end || *ps->p != '"') {
        fail(ps, "expected a member name");
        break;
      }
      key = parse_string(ps);
      if (!key)
        break;
      skip_space(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        free(key);
        fail(ps, "expected ':'");
        break;
      }
      ps->p++;
    }
    json *el = parse_value(ps, depth + 1);
    if (!el) {
      free(key);
      break;
    }
    el->key = key;
    *tail = el;
    tail = &el->next;
    j->count++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      return j;
    }
    fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    break;
  }
  json_free(j);
  return NULL;
}

static bool literal(parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
    ps->p += n;
    return true;
  }
  return false;
}

static json *parse_value(parser *ps, int depth) {
  if (depth > MAX_DEPTH) {
    fail(ps, "nested too deeply");
    return NULL;
  }
  skip_space(ps);
  if (ps->p >= ps->end) {
    fail(ps, "unexpected end of the text");
    return NULL;
  }
  char c = *ps->p;
  if (c == '{' || c == '[')
    return parse_container(ps, depth, c == '{');
  if (c == '"') {
    char *s = parse_string(ps);
    json *j = s ? new_node(ps, JSON_STRING) : NULL;
    if (!j) {
      free(s);
      return NULL;
    }
    j->str = s;
    return j;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    /* strtod needs a terminated string: copy the number's characters. */
    char buf[64];
    size_t n = 0;
    while (ps->p + n < ps->end && n < sizeof buf - 1 &&
           strchr("+-0123456789.eE", ps->p[n]))
      n++;
    memcpy(buf, ps->p, n);
    buf[n] = '\0';
    char *endp;
    double v = strtod(buf, &endp);
    if (endp == buf || (size_t)(endp - buf) != n) {
      fail(ps, "bad number");
      return NULL;
    }
    ps->p += n;
    json *j = new_node(ps, JSON_NUMBER);
    if (j)
      j->num = v;
    return j;
  }
  if (literal(ps, "true"))
    return new_node(ps, JSON_TRUE);
  if (literal(ps, "false"))
    return new_node(ps, JSON_FALSE);
  if (literal(ps, "null"))
    return new_node(ps, JSON_NULL);
  fail(ps, "unexpected character");
  return NULL;
}

json *json_parse(const char *text, size_t size, char *err, size_t errsz) {
  parser ps = {text, text + size, text, err, errsz, false};
  json *j = parse_value(&ps, 0);
  if (j) {
    skip_space(&ps);
    if (ps.p != ps.end) {
      fail(&ps, "text after the value");
      json_free(j);
      j = NULL;
    }
  }
  return j;
}

void json_free(json *j) {
  while (j) {
    json *next = j->next;
    json_free(j->child);
    free(j->key);
    free(j->str);
    free(j);
    j = next;
  }
}

const json *json_get(const json *j, const char *key) {
  if (!j || j->type != JSON_OBJECT)
    return NULL;
  for (const json *m = j->child; m; m = m->next)
    if (strcmp(m->key, key) == 0)
      return m;
  return NULL;
}

/* ---- formatting --------------------------------------------------------- */

typedef struct {
  char *buf;
  size_t n, len;
} out_buf;

static void emit(out_buf *o, const char *s) {
  size_t k = strlen(s);
  if (o->len + 1 >= o->n)
    return;
  if (k > o->n - 1 - o->len)
    k = o->n - 1 - o->len;
  memcpy(o->buf + o->len, s, k);
  o->len += k;
  o->buf[o->len] = '\0';
}

static void emit_string(out_buf *o, const char *s) {
  emit(o, "\"");
  for (; *s; s++) {
    char e[8] = {*s, 0};
    if (*s == '"' || *s == '\\')
      snprintf(e, sizeof e, "\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      snprintf(e, sizeof e, "\\u%04x", (unsigned char)*s);
    emit(o, e);
  }
  emit(o, "\"");
}

static void format_value(out_buf *o, const json *j) {
  char num[32];
  switch (j->type) {
  case JSON_NULL: emit(o, "null"); break;
  case JSON_FALSE: emit(o, "false"); break;
  case JSON_TRUE: emit(o, "true"); break;
  case JSON_NUMBER:
    snprintf(num, sizeof num, "%.17g", j->num);
    emit(o, num);
    break;
  case JSON_STRING: emit_string(o, j->str); break;
  case JSON_ARRAY:
  case JSON_OBJECT:
    emit(o, j->type == JSON_ARRAY ? "[" : "{");
    for (const json *c = j->child; c; c = c->next) {
      if (c != j->child)
        emit(o, ",");
      if (j->type == JSON_OBJECT) {
        emit_string(o, c->key);
        emit(o, ":");
      }
      format_value(o, c);
    }
    emit(o, j->type == JSON_ARRAY ? "]" : "}");
    break;
  }
}

void json_format(const json *j, char *buf, size_t n) {
  if (!n)
    return;
  buf[0] = '\0';
  out_buf o = {buf, n, 0};
  if (j)
    format_value(&o, j);
}

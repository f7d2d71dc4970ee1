/* wat_sexpr.c: the tokens of a text module or script grouped into a tree of
 * S-expressions, and the byte buffers the encoders write into.
 *
 * A tree lets the module converter look ahead freely (a field's kind, the
 * forms of a type use) and walk the fields twice: once to number every
 * named entity, once to encode, so that names can be used before their
 * definition. The tree is built without recursion (a stack of open lists),
 * so hostile nesting cannot overflow the C stack; nesting is capped at
 * WAT_MAX_DEPTH because the encoders do recurse on folded instructions.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "wat_internal.h"

typedef struct {
  wat_node head;  /* the list's '(' token */
  wat_node *v;
  uint32_t n, cap;
  wat_annot *pend; /* annotations not yet attached to a following child */
  uint32_t npend, pend_cap;
} open_list;

static bool push_annot(open_list *l, const wat_annot *a) {
  if (l->npend == l->pend_cap) {
    uint32_t cap = l->pend_cap ? l->pend_cap * 2 : 4;
    wat_annot *v = realloc(l->pend, cap * sizeof *v);
    if (!v)
      return false;
    l->pend = v;
    l->pend_cap = cap;
  }
  l->pend[l->npend++] = *a;
  return true;
}

/* Moves a list's pending annotations onto node (appended to any it has),
 * marked trailing or not. */
static bool attach_pending(open_list *l, wasm_arena *arena, wat_node *node, bool trailing) {
  if (!l->npend)
    return true;
  uint32_t n = node->nannots + l->npend;
  wat_annot *v = wasm_arena_array(arena, n, sizeof *v);
  if (!v)
    return false;
  if (node->nannots)
    memcpy(v, node->annots, node->nannots * sizeof *v);
  for (uint32_t k = 0; k < l->npend; k++) {
    v[node->nannots + k] = l->pend[k];
    v[node->nannots + k].trailing = trailing;
  }
  node->annots = v;
  node->nannots = n;
  l->npend = 0;
  return true;
}

/* The contents of an annotation token `(@id ...)`: its id, and its body
 * read as S-expressions (annotations inside it are not interpreted). */
static bool read_annotation(const char *src, const wat_token *t, wasm_arena *arena,
                            wat_annot *a, wasm_error *err);

static bool push_kid(open_list *l, const wat_node *kid) {
  if (l->n == l->cap) {
    uint32_t cap = l->cap ? l->cap * 2 : 8;
    wat_node *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return false;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = *kid;
  return true;
}

/* Moves a finished list's children into the arena. */
static bool close_list(open_list *l, wasm_arena *arena, wat_node *out) {
  *out = l->head;
  out->n = l->n;
  out->kids = NULL;
  if (l->n) {
    out->kids = wasm_arena_array(arena, l->n, sizeof *out->kids);
    if (!out->kids)
      return false;
    memcpy(out->kids, l->v, l->n * sizeof *out->kids);
  }
  return true;
}

/* src[start..end) as a list of nodes; keep: attach interpreted annotations. */
static bool parse_range(const char *src, size_t start, size_t end, bool keep,
                        wasm_arena *arena, wat_node *root, wasm_error *err) {
  wat_lexer lx;
  wat_lexer_init(&lx, src, end, err);
  lx.pos = start;
  lx.keep_annotations = keep;
  open_list *stack = calloc(WAT_MAX_DEPTH + 1, sizeof *stack);
  if (!stack)
    return wasm_fail(err, 0, "out of memory");
  uint32_t depth = 0; /* stack[0] is the top level */
  stack[0].head.tok = (wat_token){WAT_LPAR, (uint32_t)start, 0, src + start};
  stack[0].head.end = (uint32_t)end;
  bool ok = false;
  for (;;) {
    wat_token t;
    if (!wat_next(&lx, &t))
      break;
    if (t.kind == WAT_EOF) {
      if (depth > 0) {
        wasm_fail(err, stack[depth].head.tok.off, "unclosed parenthesis");
        break;
      }
      ok = close_list(&stack[0], arena, root) &&
               attach_pending(&stack[0], arena, root, true);
      if (!ok)
        wasm_fail(err, 0, "out of memory");
      break;
    }
    if (t.kind == WAT_ANNOT) {
      wat_annot a;
      if (!read_annotation(src, &t, arena, &a, err))
        break;
      if (!push_annot(&stack[depth], &a)) {
        wasm_fail(err, t.off, "out of memory");
        break;
      }
      continue;
    }
    if (t.kind == WAT_LPAR) {
      if (depth == WAT_MAX_DEPTH) {
        wasm_fail(err, t.off, "nesting too deep");
        break;
      }
      depth++;
      stack[depth].head = (wat_node){t, 0, NULL, 0, 0, NULL};
      stack[depth].n = 0;
      stack[depth].npend = 0;
      continue;
    }
    if (t.kind == WAT_RPAR) {
      if (depth == 0) {
        wasm_fail(err, t.off, "unexpected token \")\"");
        break;
      }
      wat_node list;
      stack[depth].head.end = t.off + 1;
      if (!close_list(&stack[depth], arena, &list) ||
          !attach_pending(&stack[depth], arena, &list, true) ||
          !attach_pending(&stack[depth - 1], arena, &list, false) ||
          !push_kid(&stack[depth - 1], &list)) {
        wasm_fail(err, t.off, "out of memory");
        break;
      }
      depth--;
      continue;
    }
    wat_node atom = {t, 0, NULL, t.off + t.len, 0, NULL};
    if (!attach_pending(&stack[depth], arena, &atom, false) ||
        !push_kid(&stack[depth], &atom)) {
      wasm_fail(err, t.off, "out of memory");
      break;
    }
  }
  for (uint32_t i = 0; i <= WAT_MAX_DEPTH; i++) {
    free(stack[i].v);
    free(stack[i].pend);
  }
  free(stack);
  return ok;
}

static bool read_annotation(const char *src, const wat_token *t, wasm_arena *arena,
                            wat_annot *a, wasm_error *err) {
  memset(a, 0, sizeof *a);
  a->id = t->text + 2;
  while (a->id + a->idlen < t->text + t->len - 1 &&
         !strchr(" \t\n\r()\";", a->id[a->idlen]))
    a->idlen++;
  /* the lexer checked the whole annotation, so its body lexes cleanly */
  size_t body = (size_t)(a->id + a->idlen - src), end = t->off + t->len - 1;
  if (!parse_range(src, body, end, false, arena, &a->body, err))
    return false;
  a->body.tok = *t;
  a->body.end = t->off + t->len;
  return true;
}

bool wat_sexpr_parse(const char *src, size_t size, wasm_arena *arena,
                     wat_node *root, wasm_error *err) {
  if (!parse_range(src, 0, size, true, arena, root, err))
    return false;
  root->tok = (wat_token){WAT_LPAR, 0, 0, src};
  return true;
}

bool wat_is_kw(const wat_node *n, const char *kw) {
  size_t len = strlen(kw);
  return n->tok.kind == WAT_KEYWORD && n->tok.len == len &&
         memcmp(n->tok.text, kw, len) == 0;
}

bool wat_is_form(const wat_node *n, const char *kw) {
  return n->tok.kind == WAT_LPAR && n->n > 0 && wat_is_kw(&n->kids[0], kw);
}

/* ---- byte buffers ------------------------------------------------------------ */

static bool reserve(wat_buf *b, size_t more) {
  if (b->oom)
    return false;
  if (b->n + more <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->n + more)
    cap *= 2;
  uint8_t *p = realloc(b->p, cap);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void wat_buf_byte(wat_buf *b, uint8_t v) {
  if (reserve(b, 1))
    b->p[b->n++] = v;
}

void wat_buf_bytes(wat_buf *b, const void *p, size_t n) {
  if (n && reserve(b, n)) {
    memcpy(b->p + b->n, p, n);
    b->n += n;
  }
}

void wat_buf_u64(wat_buf *b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    wat_buf_byte(b, byte | (v ? 0x80 : 0));
  } while (v);
}

void wat_buf_u32(wat_buf *b, uint32_t v) { wat_buf_u64(b, v); }

void wat_buf_s64(wat_buf *b, int64_t v) {
  for (;;) {
    uint8_t byte = (uint8_t)(v & 0x7F);
    v >>= 7; /* arithmetic shift: gcc and clang define it */
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    wat_buf_byte(b, byte | (done ? 0 : 0x80));
    if (done)
      break;
  }
}

void wat_buf_s32(wat_buf *b, int32_t v) { wat_buf_s64(b, v); }

void wat_buf_name(wat_buf *b, const void *p, size_t n) {
  wat_buf_u32(b, (uint32_t)n);
  wat_buf_bytes(b, p, n);
}

void wat_buf_free(wat_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

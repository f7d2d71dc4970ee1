/* wat_script.c: WAST scripts -> a list of commands (wat.h).
 *
 * Every command of the spec's script grammar: modules (text, binary,
 * quote, `module definition`, `module instance`), register, invoke/get
 * actions, and the assertions, including the `_custom` variants and
 * `assert_trap` on a module (which is assert_uninstantiable). Text modules
 * are converted to binary here; a quoted module is converted when it is a
 * plain module command, and kept as text inside assertions (where it is
 * usually meant to be malformed).
 *
 * Values are kept as strings in the form wast2json writes them (decimal
 * bit patterns, "null", NaN patterns), so the converter only prints them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wat.h"
#include "wat_internal.h"

struct wat_script {
  wasm_arena arena;
  wat_command *cmds;
  uint32_t n, cap;
};

bool wat_encode_module(wasm_arena *arena, const char *src, size_t size,
                       const wat_node *owner, uint32_t first, wat_buf *out,
                       wasm_error *err);
bool wat_module_form(wasm_arena *arena, const char *src, size_t size,
                     const wat_node *root, wat_buf *out, wasm_error *err,
                     unsigned depth);

typedef struct {
  wat_script *s;
  const char *src;
  size_t size;
  wasm_error *err;
  size_t line_off; /* line counting, incremental */
  uint32_t line;
} sctx;

static bool sfail(sctx *c, const wat_node *n, const char *msg) {
  return wasm_fail(c->err, n ? n->tok.off : 0, "%s", msg);
}

static uint32_t line_of(sctx *c, uint32_t off) {
  if (off < c->line_off) {
    c->line_off = 0;
    c->line = 1;
  }
  for (; c->line_off < off && c->line_off < c->size; c->line_off++)
    if (c->src[c->line_off] == '\n')
      c->line++;
  return c->line;
}

static char *sdup(sctx *c, const void *p, size_t n) {
  char *d = wasm_arena_alloc(&c->s->arena, n + 1);
  if (d) {
    memcpy(d, p, n);
    d[n] = '\0';
  }
  return d;
}

static char *sfmt(sctx *c, const char *fmt, uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, fmt, v);
  return sdup(c, buf, strlen(buf));
}

/* The bytes of a string token, in the arena (NUL-terminated too). */
static char *string_of(sctx *c, const wat_node *n, uint32_t *len) {
  char *d = wasm_arena_alloc(&c->s->arena, n->tok.len + 1);
  if (!d)
    return NULL;
  size_t k = wat_string_bytes(&n->tok, (uint8_t *)d);
  d[k] = '\0';
  if (len)
    *len = (uint32_t)k;
  return d;
}

static wat_command *new_cmd(sctx *c, wat_cmd_kind kind, const wat_node *at) {
  wat_script *s = c->s;
  if (s->n == s->cap) {
    uint32_t cap = s->cap ? s->cap * 2 : 64;
    wat_command *v = realloc(s->cmds, cap * sizeof *v);
    if (!v)
      return NULL;
    s->cmds = v;
    s->cap = cap;
  }
  wat_command *cmd = &s->cmds[s->n++];
  memset(cmd, 0, sizeof *cmd);
  cmd->kind = kind;
  /* wabt's line: that of the command's keyword (`module`, `invoke`, ...),
   * not of its parenthesis */
  cmd->line = line_of(c, wat_is_list(at) && at->n ? at->kids[0].tok.off : at->tok.off);
  return cmd;
}

/* ---- modules ---------------------------------------------------------------- */

/* A `(module ...)` form into cmd: name, form and bytes. convert_quote:
 * quoted text is converted to binary (plain module commands). */
static bool script_module(sctx *c, const wat_node *mod, wat_command *cmd,
                          bool convert_quote, bool text_fallback, bool *is_definition) {
  uint32_t i = 1;
  if (is_definition)
    *is_definition = false;
  if (i < mod->n && wat_is_kw(&mod->kids[i], "definition")) {
    if (!is_definition)
      return sfail(c, &mod->kids[i], "misplaced module definition");
    *is_definition = true;
    i++;
  }
  if (i < mod->n && mod->kids[i].tok.kind == WAT_ID) {
    cmd->name = sdup(c, mod->kids[i].tok.text, mod->kids[i].tok.len);
    i++;
  }
  cmd->has_module = true;
  cmd->line = line_of(c, mod->n ? mod->kids[0].tok.off : mod->tok.off);
  bool binary = i < mod->n && wat_is_kw(&mod->kids[i], "binary");
  bool quote = i < mod->n && wat_is_kw(&mod->kids[i], "quote");
  if (binary || quote) {
    wat_buf text = {0};
    for (i++; i < mod->n; i++) {
      const wat_node *s = &mod->kids[i];
      if (s->tok.kind != WAT_STRING) {
        wat_buf_free(&text);
        return sfail(c, s, "unexpected token, expected a string");
      }
      uint32_t len;
      char *b = string_of(c, s, &len);
      if (!b) {
        wat_buf_free(&text);
        return sfail(c, s, "out of memory");
      }
      wat_buf_bytes(&text, b, len);
    }
    if (text.oom)
      return sfail(c, mod, "out of memory");
    cmd->form = binary ? WAT_MOD_BINARY : WAT_MOD_QUOTE;
    if (quote && convert_quote) {
      wasm_arena qa = {0};
      wat_node root;
      wat_buf bin = {0};
      wasm_error qerr = {0};
      bool ok = wat_sexpr_parse((const char *)text.p, text.n, &qa, &root, &qerr) &&
                wat_module_form(&qa, (const char *)text.p, text.n, &root, &bin, &qerr, 1);
      wasm_arena_free(&qa);
      wat_buf_free(&text);
      if (!ok) {
        wat_buf_free(&bin);
        return wasm_fail(c->err, mod->tok.off, "in quoted module: %s", qerr.msg);
      }
      cmd->form = WAT_MOD_TEXT;
      cmd->bytes = bin.p;
      cmd->nbytes = bin.n;
      return true;
    }
    cmd->bytes = text.p ? text.p : malloc(1);
    cmd->nbytes = text.n;
    return cmd->bytes != NULL || sfail(c, mod, "out of memory");
  }
  wat_buf bin = {0};
  wasm_error merr = {0};
  if (!wat_encode_module(&c->s->arena, c->src, c->size, mod, i, &bin, &merr)) {
    wat_buf_free(&bin);
    if (!text_fallback) {
      *c->err = merr;
      return false;
    }
    /* An assert_invalid module our reader refuses as malformed (it is
     * stricter than Wasm 3.0 about 32-bit limits and offsets, which 3.0
     * makes invalid rather than malformed): kept as text, like a quoted
     * module, for the harness to find refused. */
    cmd->form = WAT_MOD_QUOTE;
    cmd->nbytes = mod->end - mod->tok.off;
    cmd->bytes = malloc(cmd->nbytes + 1);
    if (!cmd->bytes)
      return sfail(c, mod, "out of memory");
    memcpy(cmd->bytes, c->src + mod->tok.off, cmd->nbytes);
    return true;
  }
  cmd->form = WAT_MOD_TEXT;
  cmd->bytes = bin.p ? bin.p : malloc(1);
  cmd->nbytes = bin.n;
  return cmd->bytes != NULL || sfail(c, mod, "out of memory");
}

/* ---- values ---------------------------------------------------------------- */

static const char *heap_ref_name(const wat_node *ht) {
  static const struct { const char *heap, *ref; } names[] = {
      {"func", "funcref"},     {"extern", "externref"},   {"any", "anyref"},
      {"eq", "eqref"},         {"i31", "i31ref"},         {"struct", "structref"},
      {"array", "arrayref"},   {"exn", "exnref"},         {"none", "nullref"},
      {"nofunc", "nullfuncref"}, {"noextern", "nullexternref"}, {"noexn", "nullexnref"}};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++)
    if (wat_is_kw(ht, names[k].heap))
      return names[k].ref;
  return ht->tok.kind == WAT_ID || ht->tok.kind == WAT_NAT ? "ref" : NULL;
}

/* A float (or NaN pattern, when allowed) of an f32/f64 constant. */
static bool float_value(sctx *c, const wat_node *t, bool f64, bool pattern,
                        const char **out) {
  if (pattern && (wat_is_kw(t, "nan:canonical") || wat_is_kw(t, "nan:arithmetic"))) {
    *out = wat_is_kw(t, "nan:canonical") ? "nan:canonical" : "nan:arithmetic";
    return true;
  }
  if (f64) {
    uint64_t b;
    if (!wat_f64(&t->tok, &b))
      return sfail(c, t, "constant out of range");
    *out = sfmt(c, "%" PRIu64, b);
  } else {
    uint32_t b;
    if (!wat_f32(&t->tok, &b))
      return sfail(c, t, "constant out of range");
    *out = sfmt(c, "%" PRIu64, b);
  }
  return *out != NULL || sfail(c, t, "out of memory");
}

/* A constant `(i32.const 1)`, `(v128.const i32x4 ...)`, `(ref.null func)`,
 * `(ref.extern 1)`, ... ; pattern: the forms only results have. */
static bool value(sctx *c, const wat_node *e, bool pattern, wat_value *v) {
  memset(v, 0, sizeof *v);
  if (!wat_is_list(e) || e->n == 0 || e->kids[0].tok.kind != WAT_KEYWORD)
    return sfail(c, e, "unexpected token, expected a value");
  const wat_node *kw = &e->kids[0];
  const wat_node *a = e->n > 1 ? &e->kids[1] : NULL;
  if (wat_is_kw(kw, "i32.const") || wat_is_kw(kw, "i64.const")) {
    bool is64 = kw->tok.text[1] == '6';
    uint64_t b;
    if (!a || e->n != 2 || !wat_int(&a->tok, is64 ? 64 : 32, &b))
      return sfail(c, a ? a : e, "constant out of range");
    v->type = is64 ? "i64" : "i32";
    v->value = sfmt(c, "%" PRIu64, b);
    return true;
  }
  if (wat_is_kw(kw, "f32.const") || wat_is_kw(kw, "f64.const")) {
    bool is64 = kw->tok.text[1] == '6';
    if (!a || e->n != 2)
      return sfail(c, e, "malformed constant");
    v->type = is64 ? "f64" : "f32";
    return float_value(c, a, is64, pattern, &v->value);
  }
  if (wat_is_kw(kw, "v128.const")) {
    static const struct { const char *shape, *lane; unsigned n, bits; bool fl; } shapes[] = {
        {"i8x16", "i8", 16, 8, false}, {"i16x8", "i16", 8, 16, false},
        {"i32x4", "i32", 4, 32, false}, {"i64x2", "i64", 2, 64, false},
        {"f32x4", "f32", 4, 32, true},  {"f64x2", "f64", 2, 64, true}};
    for (size_t k = 0; a && k < 6; k++) {
      if (!wat_is_kw(a, shapes[k].shape))
        continue;
      if (e->n != 2 + shapes[k].n)
        return sfail(c, e, "wrong number of lane literals");
      v->type = "v128";
      v->lane_type = shapes[k].lane;
      v->nlanes = shapes[k].n;
      v->lanes = wasm_arena_array(&c->s->arena, shapes[k].n, sizeof *v->lanes);
      if (!v->lanes)
        return sfail(c, e, "out of memory");
      for (unsigned l = 0; l < shapes[k].n; l++) {
        const wat_node *t = &e->kids[2 + l];
        if (shapes[k].fl) {
          if (!float_value(c, t, shapes[k].bits == 64, pattern, &v->lanes[l]))
            return false;
        } else {
          uint64_t b;
          if (!wat_int(&t->tok, shapes[k].bits, &b))
            return sfail(c, t, "constant out of range");
          v->lanes[l] = sfmt(c, "%" PRIu64, b);
        }
      }
      return true;
    }
    return sfail(c, a ? a : e, "unexpected token, expected a vector shape");
  }
  if (wat_is_kw(kw, "ref.null")) {
    if (!a) {
      if (!pattern)
        return sfail(c, e, "unexpected token, expected a heap type");
      v->type = "ref"; /* extension: any null reference */
      v->value = "null";
      return true;
    }
    v->type = heap_ref_name(a);
    v->value = "null";
    return v->type != NULL || sfail(c, a, "unknown heap type");
  }
  if (wat_is_kw(kw, "ref.extern") || wat_is_kw(kw, "ref.host")) {
    v->type = wat_is_kw(kw, "ref.extern") ? "externref" : "hostref";
    if (!a) {
      if (!pattern)
        return sfail(c, e, "unexpected token, expected a number");
      return true;
    }
    uint64_t b;
    if (e->n != 2 || !wat_nat(&a->tok, 32, &b))
      return sfail(c, a, "constant out of range");
    v->value = sfmt(c, "%" PRIu64, b);
    return true;
  }
  if (pattern && e->n == 1) {
    /* (ref.func), (ref.struct), ...: any non-null reference of that kind;
     * (ref): any non-null reference */
    static const struct { const char *kw, *type; } pats[] = {
        {"ref.func", "funcref"},     {"ref.any", "anyref"},   {"ref.eq", "eqref"},
        {"ref.i31", "i31ref"},       {"ref.struct", "structref"},
        {"ref.array", "arrayref"},   {"ref.exn", "exnref"},  {"ref", "ref"}};
    for (size_t k = 0; k < sizeof pats / sizeof *pats; k++)
      if (wat_is_kw(kw, pats[k].kw)) {
        v->type = pats[k].type;
        return true;
      }
  }
  if (pattern && wat_is_kw(kw, "either")) {
    v->type = "either";
    v->nalts = e->n - 1;
    v->alts = wasm_arena_array(&c->s->arena, e->n, sizeof *v->alts);
    if (!v->alts)
      return sfail(c, e, "out of memory");
    for (uint32_t k = 1; k < e->n; k++)
      if (!value(c, &e->kids[k], true, &v->alts[k - 1]))
        return false;
    return true;
  }
  return sfail(c, kw, "unexpected token, expected a value");
}

/* ---- commands ---------------------------------------------------------------- */

static bool action(sctx *c, const wat_node *a, wat_action *out) {
  memset(out, 0, sizeof *out);
  bool get = wat_is_form(a, "get");
  if (!get && !wat_is_form(a, "invoke"))
    return sfail(c, a, "unexpected token, expected an action");
  out->get = get;
  uint32_t i = 1;
  if (i < a->n && a->kids[i].tok.kind == WAT_ID) {
    out->module = sdup(c, a->kids[i].tok.text, a->kids[i].tok.len);
    i++;
  }
  if (i >= a->n || a->kids[i].tok.kind != WAT_STRING)
    return sfail(c, a, "unexpected token, expected a name");
  out->field = string_of(c, &a->kids[i], &out->field_len);
  i++;
  if (get && i < a->n)
    return sfail(c, &a->kids[i], "unexpected token");
  out->nargs = a->n - i;
  out->args = wasm_arena_array(&c->s->arena, out->nargs + 1, sizeof *out->args);
  if (!out->args || !out->field)
    return sfail(c, a, "out of memory");
  for (uint32_t k = 0; k < out->nargs; k++)
    if (!value(c, &a->kids[i + k], false, &out->args[k]))
      return false;
  return true;
}

/* The expected message of an assertion: its last element. */
static bool message(sctx *c, const wat_node *f, wat_command *cmd) {
  const wat_node *s = &f->kids[f->n - 1];
  if (s->tok.kind != WAT_STRING)
    return sfail(c, s, "unexpected token, expected a string");
  cmd->text = string_of(c, s, &cmd->text_len);
  return cmd->text != NULL || sfail(c, s, "out of memory");
}

static bool command(sctx *c, const wat_node *f) {
  if (!wat_is_list(f) || f->n == 0 || f->kids[0].tok.kind != WAT_KEYWORD)
    return sfail(c, f, "unexpected token, expected a command");
  const wat_node *kw = &f->kids[0];
  wat_command *cmd;
  if (wat_is_form(f, "module")) {
    if (f->n > 1 && wat_is_kw(&f->kids[1], "instance")) {
      if (!(cmd = new_cmd(c, WAT_CMD_MODULE_INSTANCE, f)))
        return sfail(c, f, "out of memory");
      uint32_t i = 2;
      if (i < f->n && f->kids[i].tok.kind == WAT_ID && i + 1 < f->n)
        cmd->name = sdup(c, f->kids[i].tok.text, f->kids[i].tok.len), i++;
      if (i < f->n && f->kids[i].tok.kind == WAT_ID)
        cmd->as = sdup(c, f->kids[i].tok.text, f->kids[i].tok.len), i++;
      return i == f->n || sfail(c, &f->kids[i], "unexpected token");
    }
    if (!(cmd = new_cmd(c, WAT_CMD_MODULE, f)))
      return sfail(c, f, "out of memory");
    bool def;
    if (!script_module(c, f, cmd, true, false, &def))
      return false;
    if (def)
      cmd->kind = WAT_CMD_MODULE_DEFINITION;
    return true;
  }
  if (wat_is_form(f, "register")) {
    if (!(cmd = new_cmd(c, WAT_CMD_REGISTER, f)))
      return sfail(c, f, "out of memory");
    if (f->n < 2 || f->n > 3 || f->kids[1].tok.kind != WAT_STRING)
      return sfail(c, f, "malformed register");
    cmd->as = string_of(c, &f->kids[1], NULL);
    if (f->n == 3) {
      if (f->kids[2].tok.kind != WAT_ID)
        return sfail(c, &f->kids[2], "unexpected token");
      cmd->name = sdup(c, f->kids[2].tok.text, f->kids[2].tok.len);
    }
    return true;
  }
  if (wat_is_form(f, "invoke") || wat_is_form(f, "get")) {
    if (!(cmd = new_cmd(c, WAT_CMD_ACTION, f)))
      return sfail(c, f, "out of memory");
    return action(c, f, &cmd->action);
  }
  static const struct { const char *kw; wat_cmd_kind kind; } module_asserts[] = {
      {"assert_invalid", WAT_CMD_ASSERT_INVALID},
      {"assert_malformed", WAT_CMD_ASSERT_MALFORMED},
      {"assert_unlinkable", WAT_CMD_ASSERT_UNLINKABLE},
      {"assert_invalid_custom", WAT_CMD_ASSERT_INVALID_CUSTOM},
      {"assert_malformed_custom", WAT_CMD_ASSERT_MALFORMED_CUSTOM}};
  for (size_t k = 0; k < sizeof module_asserts / sizeof *module_asserts; k++) {
    if (!wat_is_kw(kw, module_asserts[k].kw))
      continue;
    if (f->n != 3 || !wat_is_form(&f->kids[1], "module"))
      return sfail(c, f, "malformed assertion");
    if (!(cmd = new_cmd(c, module_asserts[k].kind, f)))
      return sfail(c, f, "out of memory");
    if (!message(c, f, cmd))
      return false;
    const wat_node *mod = &f->kids[1];
    if (mod->n > 1 && wat_is_kw(&mod->kids[1], "instance")) {
      cmd->form = WAT_MOD_BINARY; /* (module instance ...) in assert_unlinkable */
      cmd->has_module = false;
      return true;
    }
    /* kept as text when our reader refuses it: an assert_invalid module
     * (see script_module), and the _custom kinds, whose error is in an
     * annotation the reader refuses (wat.h) */
    bool fallback = module_asserts[k].kind == WAT_CMD_ASSERT_INVALID ||
                    module_asserts[k].kind == WAT_CMD_ASSERT_INVALID_CUSTOM ||
                    module_asserts[k].kind == WAT_CMD_ASSERT_MALFORMED_CUSTOM;
    return script_module(c, mod, cmd, false, fallback, NULL);
  }
  if (wat_is_kw(kw, "assert_trap") && f->n == 3 && wat_is_form(&f->kids[1], "module")) {
    if (!(cmd = new_cmd(c, WAT_CMD_ASSERT_UNINSTANTIABLE, f)))
      return sfail(c, f, "out of memory");
    return message(c, f, cmd) && script_module(c, &f->kids[1], cmd, false, false, NULL);
  }
  static const struct { const char *kw; wat_cmd_kind kind; bool msg; } action_asserts[] = {
      {"assert_return", WAT_CMD_ASSERT_RETURN, false},
      {"assert_trap", WAT_CMD_ASSERT_TRAP, true},
      {"assert_exhaustion", WAT_CMD_ASSERT_EXHAUSTION, true},
      {"assert_exception", WAT_CMD_ASSERT_EXCEPTION, false}};
  for (size_t k = 0; k < sizeof action_asserts / sizeof *action_asserts; k++) {
    if (!wat_is_kw(kw, action_asserts[k].kw))
      continue;
    if (f->n < 2)
      return sfail(c, f, "malformed assertion");
    if (!(cmd = new_cmd(c, action_asserts[k].kind, &f->kids[1])))
      return sfail(c, f, "out of memory");
    if (!action(c, &f->kids[1], &cmd->action))
      return false;
    if (action_asserts[k].msg) {
      if (f->n != 3)
        return sfail(c, f, "malformed assertion");
      return message(c, f, cmd);
    }
    if (action_asserts[k].kind == WAT_CMD_ASSERT_EXCEPTION)
      return f->n == 2 || sfail(c, &f->kids[2], "unexpected token");
    cmd->nexpected = f->n - 2;
    cmd->expected = wasm_arena_array(&c->s->arena, cmd->nexpected + 1, sizeof *cmd->expected);
    if (!cmd->expected)
      return sfail(c, f, "out of memory");
    for (uint32_t r = 0; r < cmd->nexpected; r++)
      if (!value(c, &f->kids[2 + r], true, &cmd->expected[r]))
        return false;
    return true;
  }
  return sfail(c, kw, "unknown command");
}

static bool is_module_field(const wat_node *f) {
  static const char *const fields[] = {"type", "rec", "import", "func", "table", "memory",
                                       "global", "tag", "export", "start", "elem", "data"};
  for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
    if (wat_is_form(f, fields[k]))
      return true;
  return false;
}

wat_script *wat_script_parse(const char *src, size_t size, wasm_error *err) {
  wat_script *s = calloc(1, sizeof *s);
  if (!s) {
    wasm_fail(err, 0, "out of memory");
    return NULL;
  }
  sctx c = {s, src, size, err, 0, 1};
  wat_node root;
  if (!wat_sexpr_parse(src, size, &s->arena, &root, err)) {
    wat_script_free(s);
    return NULL;
  }
  bool ok = true;
  if (root.n > 0 && is_module_field(&root.kids[0])) {
    /* a script that is one module's bare fields */
    wat_command *cmd = new_cmd(&c, WAT_CMD_MODULE, &root.kids[0]);
    wat_buf bin = {0};
    ok = cmd && wat_encode_module(&s->arena, src, size, &root, 0, &bin, err);
    if (ok) {
      cmd->has_module = true;
      cmd->bytes = bin.p;
      cmd->nbytes = bin.n;
    } else {
      wat_buf_free(&bin);
    }
  } else {
    for (uint32_t i = 0; ok && i < root.n; i++)
      ok = command(&c, &root.kids[i]);
  }
  if (!ok) {
    if (!err->set)
      wasm_fail(err, 0, "out of memory");
    wat_script_free(s);
    return NULL;
  }
  return s;
}

uint32_t wat_script_count(const wat_script *s) { return s->n; }

const wat_command *wat_script_command(const wat_script *s, uint32_t i) {
  return i < s->n ? &s->cmds[i] : NULL;
}

void wat_script_free(wat_script *s) {
  if (!s)
    return;
  for (uint32_t i = 0; i < s->n; i++)
    free(s->cmds[i].bytes);
  free(s->cmds);
  wasm_arena_free(&s->arena);
  free(s);
}

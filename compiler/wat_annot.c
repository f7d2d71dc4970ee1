/* wat_annot.c: the annotations of the text format that become custom
 * sections: `(@custom "name" (before|after SECTION)? "bytes"*)`, `(@name
 * "...")` (the name section) and `(@metadata.code.branch_hint "\00")`
 * before `if`/`br_if` (the metadata.code.branch_hint section).
 *
 * The S-expression reader keeps these annotations beside the tree
 * (wat_annot in wat_internal.h); the module encoder asks here for the
 * ones at the places each kind belongs, and every annotation it did not
 * use is misplaced, checked once the module is encoded.
 *
 * An error in one of them only concerns a custom section, which the spec
 * lets an engine either refuse or ignore with a warning. wasmc refuses
 * (wat.h): silently dropping a section the text asked for would make a
 * binary other than the one written, and refusing is what the reference
 * interpreter does when asked to check custom sections. Messages are the
 * reference interpreter's ("@custom annotation: missing section name"),
 * which assert_malformed_custom scripts name.
 */
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "wat_internal.h"

static bool is_id(const wat_annot *a, const char *id) {
  return a->idlen == strlen(id) && memcmp(a->id, id, a->idlen) == 0;
}

/* The bytes of a string token, appended to out. */
static void string_into(const wat_node *s, wat_buf *out) {
  uint8_t *tmp = malloc(s->tok.len ? s->tok.len : 1);
  if (!tmp) {
    out->oom = true;
    return;
  }
  wat_buf_bytes(out, tmp, wat_string_bytes(&s->tok, tmp));
  free(tmp);
}

static bool annot_fail(wat_mod *m, const wat_annot *a, const wat_node *at,
                       const char *what) {
  return wat_fail(m, at ? at : &a->body, "@%.*s annotation: %s", (int)a->idlen, a->id,
                  what);
}

/* ---- @custom --------------------------------------------------------------------- */

/* Section kinds in binary order; a custom section's slot is 0 (before
 * first), 1 + 2k / 2 + 2k (before / after the k-th kind), or
 * WAT_CUSTOM_LAST (after last, the default). */
static const struct { const char *name; uint8_t id; } kinds[WAT_NSECTION_KINDS] = {
    {"type", 1},    {"import", 2}, {"func", 3},  {"table", 4},      {"memory", 5},
    {"tag", 13},    {"global", 6}, {"export", 7}, {"start", 8},     {"elem", 9},
    {"datacount", 12}, {"code", 10}, {"data", 11}};

uint8_t wat_section_kind_id(unsigned k) { return kinds[k].id; }

static bool custom_annot(wat_mod *m, wat_annot *a) {
  const wat_node *b = &a->body;
  uint32_t i = 0;
  if (i >= b->n || b->kids[i].tok.kind != WAT_STRING)
    return annot_fail(m, a, i < b->n ? &b->kids[i] : NULL, "missing section name");
  wat_custom cs = {WAT_CUSTOM_LAST, {0}};
  wat_buf name = {0};
  string_into(&b->kids[i], &name);
  bool ok = wasm_utf8_valid(name.p, name.n) ||
            annot_fail(m, a, &b->kids[i], "malformed UTF-8 encoding");
  if (ok)
    wat_buf_name(&cs.bytes, name.p, name.n);
  wat_buf_free(&name);
  i++;
  if (ok && i < b->n && wat_is_list(&b->kids[i])) {
    const wat_node *p = &b->kids[i++];
    bool before = p->n > 0 && wat_is_kw(&p->kids[0], "before");
    bool after = p->n > 0 && wat_is_kw(&p->kids[0], "after");
    if (!before && !after)
      ok = annot_fail(m, a, p, "malformed placement");
    else if (p->n != 2)
      ok = annot_fail(m, a, p, p->n < 2 ? "malformed section kind" : "malformed placement");
    else if (before && wat_is_kw(&p->kids[1], "first"))
      cs.slot = 0;
    else if (after && wat_is_kw(&p->kids[1], "last"))
      cs.slot = WAT_CUSTOM_LAST;
    else {
      unsigned k = 0;
      while (k < WAT_NSECTION_KINDS && !wat_is_kw(&p->kids[1], kinds[k].name))
        k++;
      if (k == WAT_NSECTION_KINDS)
        ok = annot_fail(m, a, &p->kids[1], "malformed section kind");
      cs.slot = (uint8_t)(before ? 1 + 2 * k : 2 + 2 * k);
    }
  }
  for (; ok && i < b->n; i++) {
    if (b->kids[i].tok.kind != WAT_STRING)
      ok = annot_fail(m, a, &b->kids[i], "unexpected token");
    else
      string_into(&b->kids[i], &cs.bytes);
  }
  if (ok && m->ncustoms == m->customs_cap) {
    uint32_t cap = m->customs_cap ? 2 * m->customs_cap : 4;
    wat_custom *v = realloc(m->customs, cap * sizeof *v);
    if (!v)
      ok = wat_fail(m, b, "out of memory");
    else {
      m->customs = v;
      m->customs_cap = cap;
    }
  }
  if (!ok) {
    wat_buf_free(&cs.bytes);
    return false;
  }
  m->customs[m->ncustoms++] = cs;
  a->used = true;
  return true;
}

bool wat_custom_annots(wat_mod *m, const wat_node *node, bool trailing) {
  for (uint32_t k = 0; k < node->nannots; k++) {
    wat_annot *a = &node->annots[k];
    if (a->trailing == trailing && is_id(a, "custom") && !custom_annot(m, a))
      return false;
  }
  return true;
}

/* ---- @name ----------------------------------------------------------------------- */

bool wat_name_annot(wat_mod *m, const wat_node *list, uint32_t pos, const char *what,
                    wat_buf *name, bool *found) {
  /* before kids[pos], or at the end of the list when pos is past it */
  const wat_node *holder = pos < list->n ? &list->kids[pos] : list;
  bool trailing = pos >= list->n;
  *found = false;
  for (uint32_t k = 0; k < holder->nannots; k++) {
    wat_annot *a = &holder->annots[k];
    if (a->trailing != trailing || !is_id(a, "name"))
      continue;
    if (*found) {
      char msg[64];
      snprintf(msg, sizeof msg, "multiple %s", what);
      return annot_fail(m, a, NULL, msg);
    }
    const wat_node *b = &a->body;
    if (b->n != 1 || b->kids[0].tok.kind != WAT_STRING)
      return annot_fail(m, a, b->n ? &b->kids[b->n > 1 ? 1 : 0] : NULL,
                        b->n ? "unexpected token" : "missing name");
    wat_buf tmp = {0};
    string_into(&b->kids[0], &tmp);
    bool ok = wasm_utf8_valid(tmp.p, tmp.n) ||
              annot_fail(m, a, &b->kids[0], "malformed UTF-8 encoding");
    if (ok)
      wat_buf_name(name, tmp.p, tmp.n);
    wat_buf_free(&tmp);
    if (!ok)
      return false;
    a->used = true;
    *found = true;
  }
  return true;
}

/* ---- branch hints ------------------------------------------------------------------ */

static bool hint_target(const wat_node *n) {
  const wat_node *kw = wat_is_list(n) ? (n->n ? &n->kids[0] : NULL) : n;
  return kw && (wat_is_kw(kw, "if") || wat_is_kw(kw, "br_if"));
}

bool wat_hint_take(wat_mod *m, const wat_node *n) {
  if (!n->nannots || !m->in_func)
    return true;
  wat_annot *hint = NULL;
  for (uint32_t k = 0; k < n->nannots; k++) {
    wat_annot *a = &n->annots[k];
    if (a->trailing || !is_id(a, "metadata.code.branch_hint"))
      continue;
    if (hint)
      return annot_fail(m, a, NULL, "duplicate annotation");
    hint = a;
  }
  /* a hint before anything but if/br_if stays unused: "invalid target" */
  if (!hint || hint->used || !hint_target(n))
    return true;
  const wat_node *b = &hint->body;
  if (b->n != 1 || b->kids[0].tok.kind != WAT_STRING)
    return annot_fail(m, hint, b->n ? &b->kids[0] : NULL, "malformed hint");
  uint8_t v[8];
  if (b->kids[0].tok.len > sizeof v + 2 || wat_string_bytes(&b->kids[0].tok, v) != 1 ||
      v[0] > 1)
    return annot_fail(m, hint, &b->kids[0], "malformed hint (expected \"\\00\" or \"\\01\")");
  if (m->npending == m->pending_cap) {
    uint32_t cap = m->pending_cap ? 2 * m->pending_cap : 8;
    void *p = realloc(m->pending, cap * sizeof *m->pending);
    if (!p)
      return wat_fail(m, n, "out of memory");
    m->pending = p;
    m->pending_cap = cap;
  }
  m->pending[m->npending].node = n;
  m->pending[m->npending++].value = v[0];
  hint->used = true;
  return true;
}

void wat_hint_emit(wat_mod *m, const wat_node *n, size_t off) {
  for (uint32_t k = m->npending; k-- > 0;) {
    if (m->pending[k].node != n)
      continue;
    /* entry: offset in the function body (locals included), size 1, value */
    wat_buf_u32(&m->fhints, (uint32_t)off);
    wat_buf_u32(&m->fhints, 1);
    wat_buf_byte(&m->fhints, m->pending[k].value);
    m->nfhints++;
    m->pending[k] = m->pending[--m->npending];
    return;
  }
}

/* ---- left-over annotations ---------------------------------------------------------- */

/* Forms whose @name annotations wasmc accepts without writing them yet
 * (names of locals, globals, tables, memories, tags, types, segments and
 * labels): not misplaced, only not in the name section. */
static bool tolerates_name(const wat_node *container, bool module_level) {
  if (module_level || !container || !container->n)
    return false;
  const wat_node *kw = &container->kids[0];
  return !(wat_is_kw(kw, "start") || wat_is_kw(kw, "export") || wat_is_kw(kw, "import"));
}

static bool check_list(wat_mod *m, const wat_node *list, bool module_level, bool in_func,
                       unsigned depth);

static bool check_annots(wat_mod *m, const wat_node *holder, bool trailing,
                         const wat_node *container, bool module_level, bool in_func) {
  for (uint32_t k = 0; k < holder->nannots; k++) {
    const wat_annot *a = &holder->annots[k];
    if (a->used || a->trailing != trailing)
      continue;
    if (is_id(a, "custom"))
      return wat_fail(m, &a->body, "misplaced @custom annotation");
    if (is_id(a, "name")) {
      if (tolerates_name(container, module_level))
        continue;
      return wat_fail(m, &a->body, "misplaced @name annotation");
    }
    return annot_fail(m, a, NULL, in_func ? "invalid target" : "not in a function");
  }
  return true;
}

static bool check_list(wat_mod *m, const wat_node *list, bool module_level, bool in_func,
                       unsigned depth) {
  if (depth > WAT_MAX_DEPTH + 2)
    return true;
  for (uint32_t i = 0; i < list->n; i++) {
    const wat_node *k = &list->kids[i];
    if (!check_annots(m, k, false, list, module_level, in_func))
      return false;
    if (wat_is_list(k)) {
      bool func = in_func || (module_level && wat_is_form(k, "func"));
      if (!check_list(m, k, false, func, depth + 1))
        return false;
    }
  }
  return check_annots(m, list, true, list, module_level, in_func);
}

bool wat_annots_check(wat_mod *m, const wat_node *list, bool module_level, bool in_func) {
  return check_list(m, list, module_level, in_func, 0);
}

/* ---- the sections ---------------------------------------------------------------- */

void wat_custom_section(wat_buf *out, const char *name, const wat_buf *body) {
  wat_buf head = {0};
  wat_buf_name(&head, name, strlen(name));
  wat_buf_byte(out, 0);
  wat_buf_u32(out, (uint32_t)(head.n + body->n));
  wat_buf_bytes(out, head.p, head.n);
  wat_buf_bytes(out, body->p, body->n);
  if (head.oom)
    out->oom = true;
  wat_buf_free(&head);
}

void wat_customs_at(const wat_mod *m, unsigned slot, wat_buf *out) {
  for (uint32_t k = 0; k < m->ncustoms; k++) {
    const wat_custom *cs = &m->customs[k];
    if (cs->slot != slot)
      continue;
    wat_buf_byte(out, 0);
    wat_buf_u32(out, (uint32_t)cs->bytes.n);
    wat_buf_bytes(out, cs->bytes.p, cs->bytes.n);
  }
}

void wat_annot_free(wat_mod *m) {
  for (uint32_t k = 0; k < m->ncustoms; k++)
    wat_buf_free(&m->customs[k].bytes);
  free(m->customs);
  free(m->pending);
  wat_buf_free(&m->fhints);
  wat_buf_free(&m->hints);
  wat_buf_free(&m->func_names);
  wat_buf_free(&m->module_name);
}

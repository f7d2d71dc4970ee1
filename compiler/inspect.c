/* inspect.c: `wasmc inspect`, a human-readable summary of a decoded module:
 * its sections, counts of everything, imports, exports, memories, tables
 * and what the name section provides.
 *
 * The module may not have been validated, so every index printed here is
 * range-checked before it is used to look anything up, and names (any
 * UTF-8, NUL included) are escaped before they reach the terminal.
 */
#include <inttypes.h>
#include <string.h>

#include "inspect.h"

enum {
  LIST_CAP = 50,   /* entries shown per list before "... and N more" */
  NAME_SHOWN = 60,   /* bytes of one name shown before it is cut */
  COLUMN_MAX = 56, /* widest column we align to */
};

static const char *section_name(uint8_t id) {
  static const char *const names[] = {
      "custom", "type",  "import",  "function", "table", "memory",   "global",
      "export", "start", "element", "code",     "data",  "datacount",
      "tag"};
  return id < sizeof names / sizeof *names ? names[id] : "?";
}

/* Length of the UTF-8 sequence at p (at most avail bytes), or 0 when it
 * is not well-formed (then the byte gets escaped). */
static size_t utf8_len(const uint8_t *p, size_t avail) {
  uint8_t c = p[0];
  size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2
                         : (c & 0xF0) == 0xE0      ? 3
                         : c >= 0xF0 && c <= 0xF4  ? 4
                                                   : 0;
  if (n > avail)
    return 0;
  for (size_t k = 1; k < n; k++)
    if ((p[k] & 0xC0) != 0x80)
      return 0;
  return n;
}

/* Names come from the module, so they may hold terminal escapes, NULs, or
 * bidirectional overrides that make text read differently than it is.
 * Escape all of these (and C1 controls); pass other UTF-8 through. Cut
 * at max bytes of input on a character boundary. The names were checked
 * as UTF-8 when decoded; a stray byte would still be escaped, not
 * trusted. */
static void format_name(char *out, size_t cap, const char *s, uint32_t len,
                        size_t max) {
  size_t o = 0;
  const uint8_t *p = (const uint8_t *)s;
  bool cut = false;
  out[0] = 0;
  if (!s) {
    snprintf(out, cap, "?");
    return;
  }
  if (len == 0) {
    snprintf(out, cap, "\"\"");
    return;
  }
  for (size_t i = 0; i < len;) {
    if (i >= max) {
      cut = true;
      break;
    }
    uint8_t c = p[i];
    size_t n = utf8_len(p + i, len - i);
    bool stray = n == 0;
    if (stray)
      n = 1;
    uint32_t cp = c;
    if (n == 2)
      cp = (uint32_t)(c & 0x1F) << 6 | (p[i + 1] & 0x3F);
    else if (n == 3)
      cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[i + 1] & 0x3F) << 6 |
           (p[i + 2] & 0x3F);
    bool escape = cp < 0x20 || cp == 0x7F || cp == '\\' ||
                  (cp >= 0x80 && cp <= 0x9F) ||
                  cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                  cp == 0x2028 || cp == 0x2029 ||
                  (cp >= 0x202A && cp <= 0x202E) ||
                  (cp >= 0x2066 && cp <= 0x2069) || stray;
    char tmp[16];
    const char *piece;
    size_t plen;
    if (!escape) {
      piece = s + i;
      plen = n;
    } else {
      if (cp == '\\')
        snprintf(tmp, sizeof tmp, "\\\\");
      else if (cp < 0x80 || stray)
        snprintf(tmp, sizeof tmp, "\\x%02x", (unsigned)c);
      else
        snprintf(tmp, sizeof tmp, "\\u{%" PRIx32 "}", cp);
      piece = tmp;
      plen = strlen(tmp);
    }
    if (o + plen + 4 >= cap) { /* room for "..." and the NUL */
      cut = true;
      break;
    }
    memcpy(out + o, piece, plen);
    o += plen;
    i += n;
  }
  if (cut) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = 0;
}

/* Columns are counted in characters, not bytes, so UTF-8 names line up
 * (wide and combining characters aside). */
static int display_width(const char *s) {
  int w = 0;
  for (; *s; s++)
    w += ((uint8_t)*s & 0xC0) != 0x80;
  return w;
}

static void print_name(FILE *out, wasm_name name) {
  char buf[NAME_SHOWN * 8];
  format_name(buf, sizeof buf, name.str, name.len, NAME_SHOWN);
  fputs(buf, out);
}

static void print_valtypes(FILE *out, const wasm_vtype *t, uint32_t n) {
  fputc('(', out);
  for (uint32_t i = 0; i < n; i++) {
    if (i == 8 && n > 9) {
      fprintf(out, ", ... %" PRIu32 " more", n - i);
      break;
    }
    fprintf(out, "%s%s", i ? ", " : "", wasm_vtype_name(t[i]));
  }
  fputc(')', out);
}

static void print_functype(FILE *out, const wasm_module *m, uint32_t type) {
  if (type >= m->ntypes) {
    fprintf(out, "type %" PRIu32 " (no such type)", type);
    return;
  }
  const wasm_functype *ft = &m->types[type];
  fprintf(out, "type %" PRIu32 " ", type);
  print_valtypes(out, ft->params, ft->nparams);
  fputs(" -> ", out);
  print_valtypes(out, ft->results, ft->nresults);
}

/* "i64, min 1 pages, max 10": the address type first (i32 or i64,
 * memory64/table64), then the bounds, which are u64 for an i64 type. */
static void print_limits(FILE *out, const wasm_limits *l, const char *unit) {
  fprintf(out, "%s%s, min %" PRIu64 "%s%s", l->is64 ? "i64" : "i32",
          l->shared ? " shared" : "", l->min, unit ? " " : "",
          unit ? unit : "");
  if (l->has_max)
    fprintf(out, ", max %" PRIu64, l->max);
  else
    fputs(", no max", out);
}

static const char *plural(uint64_t n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

static void print_more(FILE *out, uint32_t shown, uint32_t total) {
  if (total > shown)
    fprintf(out, "  ... and %" PRIu32 " more\n", total - shown);
}

/* The function's name from the name section, if it has one. */
static const wasm_name *func_name(const wasm_module *m, uint32_t f) {
  if (!m->func_names || f >= m->nfuncs || !m->func_names[f].str)
    return NULL;
  return &m->func_names[f];
}

static void print_sections(FILE *out, const wasm_module *m) {
  fprintf(out, "sections (%" PRIu32 "):\n", m->nsections);
  fprintf(out, "  %3s  %-10s %10s %10s\n", "id", "name", "offset", "size");
  for (uint32_t i = 0; i < m->nsections; i++) {
    const wasm_section *s = &m->sections[i];
    if (i == LIST_CAP) {
      print_more(out, i, m->nsections);
      break;
    }
    fprintf(out, "  %3u  %-10s 0x%08" PRIx32 " %10" PRIu32, s->id,
            section_name(s->id), s->offset, s->size);
    if (s->id == 0) {
      fputs("  ", out);
      print_name(out, s->custom_name);
    }
    fputc('\n', out);
  }
}

static void print_counts(FILE *out, const wasm_module *m) {
  uint32_t nk[5] = {0};
  for (uint32_t i = 0; i < m->nimports; i++)
    if ((unsigned)m->imports[i].kind < 5)
      nk[m->imports[i].kind]++;
  fprintf(out, "types:     %" PRIu32 "\n", m->ntypes);
  fprintf(out,
          "imports:   %" PRIu32 " (%" PRIu32 " func, %" PRIu32 " table, %" PRIu32
          " memory, %" PRIu32 " global, %" PRIu32 " tag)\n",
          m->nimports, nk[0], nk[1], nk[2], nk[3], nk[4]);
  uint64_t code_bytes = 0, nlocals = 0;
  for (uint32_t f = m->nimported_funcs; f < m->nfuncs; f++) {
    code_bytes += m->funcs[f].body_len;
    nlocals += m->funcs[f].nlocals;
  }
  fprintf(out,
          "functions: %" PRIu32 " (%" PRIu32 " imported, %" PRIu32
          " defined; %" PRIu64 " bytes of code, %" PRIu64 " %s)\n",
          m->nfuncs, m->nimported_funcs, m->nfuncs - m->nimported_funcs,
          code_bytes, nlocals, plural(nlocals, "local", "locals"));
  fprintf(out, "tables:    %" PRIu32 " (%" PRIu32 " imported)\n", m->ntables,
          m->nimported_tables);
  fprintf(out, "memories:  %" PRIu32 " (%" PRIu32 " imported)\n", m->nmemories,
          m->nimported_memories);
  fprintf(out, "globals:   %" PRIu32 " (%" PRIu32 " imported)\n", m->nglobals,
          m->nimported_globals);
  fprintf(out, "tags:      %" PRIu32 " (%" PRIu32 " imported)\n", m->ntags,
          m->nimported_tags);
  fprintf(out, "exports:   %" PRIu32 "\n", m->nexports);

  uint32_t modes[3] = {0};
  uint64_t items = 0;
  for (uint32_t i = 0; i < m->nelems; i++) {
    if ((unsigned)m->elems[i].mode < 3)
      modes[m->elems[i].mode]++;
    items += m->elems[i].count;
  }
  fprintf(out,
          "elements:  %" PRIu32 " %s (%" PRIu32 " active, %" PRIu32
          " passive, %" PRIu32 " declarative; %" PRIu64 " items)\n",
          m->nelems, plural(m->nelems, "segment", "segments"), modes[0],
          modes[1], modes[2], items);
  uint32_t dpassive = 0;
  uint64_t dbytes = 0;
  for (uint32_t i = 0; i < m->ndatas; i++) {
    dpassive += m->datas[i].mode == WASM_SEG_PASSIVE;
    dbytes += m->datas[i].len;
  }
  fprintf(out,
          "data:      %" PRIu32 " %s (%" PRIu32 " active, %" PRIu32
          " passive; %" PRIu64 " bytes)",
          m->ndatas, plural(m->ndatas, "segment", "segments"),
          m->ndatas - dpassive, dpassive, dbytes);
  if (m->has_datacount)
    fprintf(out, "; data count %" PRIu32, m->datacount);
  fputc('\n', out);
  fputs("start:     ", out);
  if (m->has_start) {
    fprintf(out, "function %" PRIu32, m->start);
    const wasm_name *n = func_name(m, m->start);
    if (n) {
      fputs(" $", out);
      print_name(out, *n);
    }
  } else {
    fputs("none", out);
  }
  fputc('\n', out);
}

/* The type section as Wasm 3.0 has it: each type with its recursive
 * group (when it shares one), `sub`/`sub final` and its supertype, and
 * its signature with typed references ("(ref null $3)"). Plain final
 * types alone in their group print as before Wasm 3.0: the signature. */
static void print_types(FILE *out, const wasm_module *m) {
  bool plain = true;
  for (uint32_t i = 0; i < m->ntypes && plain; i++)
    plain = m->subtypes[i].rec_size == 1 && m->subtypes[i].final &&
            m->subtypes[i].super == WASM_NO_SUPER;
  if (!m->ntypes || plain)
    return;
  fprintf(out, "\ntypes:\n");
  for (uint32_t i = 0; i < m->ntypes; i++) {
    if (i == LIST_CAP) {
      print_more(out, i, m->ntypes);
      break;
    }
    const wasm_subtype *st = &m->subtypes[i];
    if (st->rec_size != 1 && st->rec_first == i)
      fprintf(out, "  rec group of %" PRIu32 " (types %" PRIu32 "..%" PRIu32
              ")\n", st->rec_size, i, i + st->rec_size - 1);
    fprintf(out, "  %s", st->rec_size != 1 ? "  " : "");
    const char *kind = st->kind == WASM_COMP_STRUCT  ? "struct"
                       : st->kind == WASM_COMP_ARRAY ? "array"
                                                     : "func";
    if (st->final && st->super == WASM_NO_SUPER) {
      fprintf(out, "%s ", kind);
    } else {
      fprintf(out, "sub%s ", st->final ? " final" : "");
      if (st->super != WASM_NO_SUPER)
        fprintf(out, "of $%" PRIu32 " ", st->super);
      fprintf(out, "%s ", kind);
    }
    if (st->kind == WASM_COMP_FUNC) {
      print_functype(out, m, i);
    } else {
      fprintf(out, "type %" PRIu32 " (%" PRIu32 " field%s)", i, st->nfields,
              st->nfields == 1 ? "" : "s");
    }
    fputc('\n', out);
  }
}

static void print_imports(FILE *out, const wasm_module *m) {
  if (!m->nimports)
    return;
  /* align the kinds on the widest "module.name" shown, within reason */
  char buf[2][NAME_SHOWN * 8];
  int width = 0;
  for (uint32_t i = 0; i < m->nimports && i < LIST_CAP; i++) {
    format_name(buf[0], sizeof buf[0], m->imports[i].module.str,
                m->imports[i].module.len, NAME_SHOWN);
    format_name(buf[1], sizeof buf[1], m->imports[i].name.str,
                m->imports[i].name.len, NAME_SHOWN);
    int w = display_width(buf[0]) + 1 + display_width(buf[1]);
    if (w > width)
      width = w > COLUMN_MAX ? COLUMN_MAX : w;
  }
  fprintf(out, "\nimports:\n");
  for (uint32_t i = 0; i < m->nimports; i++) {
    if (i == LIST_CAP) {
      print_more(out, i, m->nimports);
      break;
    }
    const wasm_import *imp = &m->imports[i];
    format_name(buf[0], sizeof buf[0], imp->module.str, imp->module.len,
                NAME_SHOWN);
    format_name(buf[1], sizeof buf[1], imp->name.str, imp->name.len, NAME_SHOWN);
    int w = display_width(buf[0]) + 1 + display_width(buf[1]);
    fprintf(out, "  %s.%s%*s  %-6s  ", buf[0], buf[1],
            w < width ? width - w : 0, "", wasm_externkind_name(imp->kind));
    switch (imp->kind) {
    case WASM_EXTERN_FUNC:
      print_functype(out, m, imp->desc.func_type);
      break;
    case WASM_EXTERN_TABLE:
      fprintf(out, "%s ", wasm_vtype_name(imp->desc.table.elem));
      print_limits(out, &imp->desc.table.limits, "entries");
      break;
    case WASM_EXTERN_MEMORY:
      print_limits(out, &imp->desc.memory.limits, "pages");
      break;
    case WASM_EXTERN_GLOBAL:
      fprintf(out, "%s%s", imp->desc.global.mutable_ ? "mut " : "",
              wasm_vtype_name(imp->desc.global.type));
      break;
    case WASM_EXTERN_TAG:
      print_functype(out, m, imp->desc.tag_type);
      break;
    }
    fputc('\n', out);
  }
}

static void print_exports(FILE *out, const wasm_module *m) {
  if (!m->nexports)
    return;
  char buf[NAME_SHOWN * 8];
  int width = 0;
  for (uint32_t i = 0; i < m->nexports && i < LIST_CAP; i++) {
    format_name(buf, sizeof buf, m->exports[i].name.str,
                m->exports[i].name.len, NAME_SHOWN);
    int w = display_width(buf);
    if (w > width)
      width = w > COLUMN_MAX ? COLUMN_MAX : w;
  }
  fprintf(out, "\nexports:\n");
  for (uint32_t i = 0; i < m->nexports; i++) {
    if (i == LIST_CAP) {
      print_more(out, i, m->nexports);
      break;
    }
    const wasm_export *e = &m->exports[i];
    format_name(buf, sizeof buf, e->name.str, e->name.len, NAME_SHOWN);
    int w = display_width(buf);
    fprintf(out, "  %s%*s  %-6s  %" PRIu32, buf, w < width ? width - w : 0,
            "", wasm_externkind_name(e->kind), e->index);
    const wasm_name *n =
        e->kind == WASM_EXTERN_FUNC ? func_name(m, e->index) : NULL;
    if (n) {
      fputs("  $", out);
      print_name(out, *n);
    }
    fputc('\n', out);
  }
}

static void print_memories_and_tables(FILE *out, const wasm_module *m) {
  if (m->nmemories) {
    fprintf(out, "\nmemories:\n");
    for (uint32_t i = 0; i < m->nmemories; i++) {
      if (i == LIST_CAP) {
        print_more(out, i, m->nmemories);
        break;
      }
      fprintf(out, "  %" PRIu32 "  ", i);
      print_limits(out, &m->memories[i].limits, "pages");
      fputs(i < m->nimported_memories ? "  imported\n" : "\n", out);
    }
  }
  if (m->ntables) {
    fprintf(out, "\ntables:\n");
    for (uint32_t i = 0; i < m->ntables; i++) {
      if (i == LIST_CAP) {
        print_more(out, i, m->ntables);
        break;
      }
      fprintf(out, "  %" PRIu32 "  %s ", i,
              wasm_vtype_name(m->tables[i].elem));
      print_limits(out, &m->tables[i].limits, "entries");
      fputs(i < m->nimported_tables ? "  imported\n" : "\n", out);
    }
  }
}

/* Tags: each one's payload type (a function type with no results). */
static void print_tags(FILE *out, const wasm_module *m) {
  if (!m->ntags)
    return;
  fprintf(out, "\ntags:\n");
  for (uint32_t i = 0; i < m->ntags; i++) {
    if (i == LIST_CAP) {
      print_more(out, i, m->ntags);
      break;
    }
    fprintf(out, "  %" PRIu32 "  ", i);
    print_functype(out, m, m->tags[i].type);
    fputs(i < m->nimported_tags ? "  imported\n" : "\n", out);
  }
}

static void print_names(FILE *out, const wasm_module *m) {
  uint32_t named = 0;
  for (uint32_t f = 0; f < m->nfuncs; f++)
    named += func_name(m, f) != NULL;
  uint64_t locals = 0;
  uint32_t with_locals = 0;
  for (uint32_t i = 0; i < m->nlocal_names; i++) {
    locals += m->local_names[i].count;
    with_locals += m->local_names[i].count > 0;
  }
  bool have_section = false;
  for (uint32_t i = 0; i < m->nsections && !have_section; i++)
    have_section = m->sections[i].id == 0 &&
                   m->sections[i].custom_name.len == 4 &&
                   memcmp(m->sections[i].custom_name.str, "name", 4) == 0;
  if (!have_section) {
    fprintf(out, "\nnames: none (no name section)\n");
    return;
  }
  fprintf(out, "\nnames:\n");
  fputs("  module name:    ", out);
  if (m->has_module_name) {
    print_name(out, m->module_name);
    fputc('\n', out);
  } else {
    fputs("none\n", out);
  }
  fprintf(out, "  function names: %" PRIu32 " of %" PRIu32 " functions\n",
          named, m->nfuncs);
  fprintf(out, "  local names:    %" PRIu64 " %s in %" PRIu32 " %s\n", locals,
          plural(locals, "local", "locals"), with_locals,
          plural(with_locals, "function", "functions"));
  if (m->name_warning[0])
    fprintf(out, "  warning: %s\n", m->name_warning);
}

void wasm_inspect_print(FILE *out, const wasm_module *m) {
  char buf[NAME_SHOWN * 8];
  const char *file = m->filename ? m->filename : "<memory>";
  format_name(buf, sizeof buf, file, (uint32_t)strnlen(file, 4096), 4096);
  fprintf(out, "file: %s (%zu bytes)\n", buf, m->size);
  print_sections(out, m);
  fputc('\n', out);
  print_counts(out, m);
  print_types(out, m);
  print_imports(out, m);
  print_exports(out, m);
  print_memories_and_tables(out, m);
  print_tags(out, m);
  print_names(out, m);
}

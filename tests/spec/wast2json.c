/* wast2json.c: wasmc-wast2json, a .wast script -> the JSON command list and
 * module files that wabt's wast2json writes, made with wasmc's own text
 * reader (compiler/wat.h) so that the Wasm 3.0 suite converts too.
 *
 *   wasmc-wast2json [--enable-FEATURE ...] FILE.wast -o OUT.json
 *
 * The layout is wabt's (1.0.32): OUT.json holds {"source_filename",
 * "commands": [...]} with one object per line, the same keys in the same
 * order, values as decimal strings of their bits; every module (also the
 * ones of assertions) is written next to it as OUT.N.wasm, or OUT.N.wat
 * for a quoted module inside an assertion (module_type "text"). Feature
 * flags are accepted and ignored: the reader knows every feature.
 *
 * Extensions for what wabt 1.0.32 cannot express (used only by scripts
 * that need them; the spec harness reads them, see spec_values.c):
 *   - value types of Wasm 3.0 as "type": "anyref", "eqref", "i31ref",
 *     "structref", "arrayref", "exnref", "nullref", "nullfuncref",
 *     "nullexternref", "nullexnref", and "ref" for a concrete (ref null $t);
 *   - "hostref" values: (ref.host N);
 *   - result patterns without a value: {"type": "anyref"} for (ref.any),
 *     likewise eqref/i31ref/structref/arrayref/exnref/funcref/externref,
 *     {"type": "ref"} for (ref), {"type": "ref", "value": "null"} for
 *     (ref.null) (any null reference);
 *   - (either A B ...) as {"type": "either", "values": [A, B, ...]} in
 *     "expected";
 *   - an assert_invalid module in the text (not quoted) that our reader
 *     refuses as malformed is written as .wat with module_type "text", as
 *     if quoted: the reader refuses 32-bit limits and memory offsets past
 *     2^32-1 (malformed in Wasm 2.0, merely invalid in 3.0), which the 3.0
 *     suite has in assert_invalid;
 *   - commands "module_definition" (a module that is not instantiated,
 *     fields as for "module") and "module_instance" ("instance": "$I",
 *     "module": "$M"; either may be absent: no instance name, or the last
 *     definition), run by the harness as described in spec_commands.c;
 *   - "assert_invalid_custom" / "assert_malformed_custom", with the fields
 *     of assert_invalid / assert_malformed. They mark a module that is
 *     wrong only in a custom section or annotation (@custom, @name, branch
 *     hints), which the spec lets an engine reject, or accept with a
 *     warning and without that section (the reference interpreter's
 *     default). wasmc's text reader rejects such annotations (it will not
 *     write a section the text did not mean), so a text module our reader
 *     refuses is written as .wat (module_type "text"), quoted or not, and
 *     the harness expects the text reader to refuse it; a binary module is
 *     written as .wasm, and the harness skips it if the decoder accepts it
 *     (custom sections other than "name" are opaque bytes to wasmc).
 *
 * Errors are FILE:LINE:COL: error: MESSAGE, exit status 1, and nothing is
 * written (the whole script is converted in memory first; files written
 * before a write error are removed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm.h"
#include "wat.h"
#include "wat_lex.h"

static void usage(FILE *out) {
  fprintf(out, "usage: wasmc-wast2json [--enable-FEATURE ...] FILE.wast -o OUT.json\n");
}

/* ---- JSON output ------------------------------------------------------------- */

typedef struct {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n) {
  if (b->oom)
    return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n + 1)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* wabt's escaping: control characters, backslash and quote as \u00XX,
 * every other byte as it is. */
static void put_str(sbuf *b, const char *s, size_t n) {
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == '\\' || c == '"') {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(b, esc, 6);
    } else {
      put(b, (const char *)&c, 1);
    }
  }
  put(b, "\"", 1);
}

static void put_cstr(sbuf *b, const char *s) { put_str(b, s, strlen(s)); }

static void put_key(sbuf *b, const char *key) {
  puts_(b, "\"");
  puts_(b, key);
  puts_(b, "\": ");
}

static void put_value(sbuf *b, const wat_value *v);

/* A JSON list of values: "either" alternatives, arguments, results. */
static void put_values(sbuf *b, const wat_value *v, uint32_t n) {
  puts_(b, "[");
  for (uint32_t k = 0; k < n; k++) {
    if (k)
      puts_(b, ", ");
    put_value(b, &v[k]);
  }
  puts_(b, "]");
}

static void put_value(sbuf *b, const wat_value *v) {
  puts_(b, "{");
  put_key(b, "type");
  put_cstr(b, v->type);
  if (strcmp(v->type, "either") == 0) {
    puts_(b, ", ");
    put_key(b, "values");
    put_values(b, v->alts, v->nalts);
    puts_(b, "}");
    return;
  }
  if (v->lane_type) {
    puts_(b, ", ");
    put_key(b, "lane_type");
    put_cstr(b, v->lane_type);
    puts_(b, ", ");
    put_key(b, "value");
    puts_(b, "[");
    for (uint32_t k = 0; k < v->nlanes; k++) {
      if (k)
        puts_(b, ", ");
      put_cstr(b, v->lanes[k]);
    }
    puts_(b, "]");
  } else if (v->value) {
    puts_(b, ", ");
    put_key(b, "value");
    put_cstr(b, v->value);
  }
  puts_(b, "}");
}

static void put_action(sbuf *b, const wat_action *a) {
  put_key(b, "action");
  puts_(b, "{");
  put_key(b, "type");
  put_cstr(b, a->get ? "get" : "invoke");
  puts_(b, ", ");
  if (a->module) {
    put_key(b, "module");
    put_cstr(b, a->module);
    puts_(b, ", ");
  }
  put_key(b, "field");
  put_str(b, a->field, a->field_len);
  if (!a->get) {
    puts_(b, ", ");
    put_key(b, "args");
    put_values(b, a->args, a->nargs);
  }
  puts_(b, "}");
}

static void put_line(sbuf *b, uint32_t line) {
  char buf[32];
  snprintf(buf, sizeof buf, "\"line\": %u", line);
  puts_(b, buf);
}

/* ---- result types of actions ---------------------------------------------------- */

/* The modules a script defined, decoded (for the types of actions). */
typedef struct {
  const char *name;           /* $name or NULL */
  const wat_command *cmd;     /* whose bytes are the module */
  wasm_module *m;             /* NULL: not decodable (e.g. GC types) */
  bool tried;
} known_module;

typedef struct {
  known_module *v;
  size_t n, cap;
  long current; /* index of the last instantiated module, -1 none */
  long last_def; /* index of the last module definition, -1 none */
} module_list;

static long add_module(module_list *l, const char *name, const wat_command *cmd) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 32;
    known_module *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return -1;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n] = (known_module){name, cmd, NULL, false};
  return (long)l->n++;
}

static known_module *find_module(module_list *l, const char *name) {
  if (!name)
    return l->current >= 0 ? &l->v[l->current] : NULL;
  for (size_t k = l->n; k-- > 0;)
    if (l->v[k].name && strcmp(l->v[k].name, name) == 0)
      return &l->v[k];
  return NULL;
}

/* wabt's "expected" of actions without results: the types an invoke's
 * export returns, or the exported global's type. */
static void put_result_types(sbuf *b, module_list *l, const wat_action *a) {
  puts_(b, "[");
  known_module *km = find_module(l, a->module);
  if (km && !km->tried) {
    km->tried = true;
    wasm_error err = {0};
    km->m = wasm_decode(km->cmd->bytes, km->cmd->nbytes, "module", &err);
  }
  wasm_module *m = km ? km->m : NULL;
  for (uint32_t e = 0; m && e < m->nexports; e++) {
    const wasm_export *x = &m->exports[e];
    if (x->name.len != a->field_len || memcmp(x->name.str, a->field, a->field_len) != 0)
      continue;
    if (!a->get && x->kind == WASM_EXTERN_FUNC && x->index < m->nfuncs) {
      const wasm_functype *ft = wasm_func_type(m, x->index);
      for (uint32_t r = 0; r < ft->nresults; r++) {
        puts_(b, r ? ", {\"type\": " : "{\"type\": ");
        put_cstr(b, wasm_vtype_name(ft->results[r]));
        puts_(b, "}");
      }
    } else if (a->get && x->kind == WASM_EXTERN_GLOBAL && x->index < m->nglobals) {
      puts_(b, "{\"type\": ");
      put_cstr(b, wasm_vtype_name(m->globals[x->index].type.type));
      puts_(b, "}");
    }
    break;
  }
  puts_(b, "]");
}

/* ---- files ------------------------------------------------------------------ */

typedef struct {
  char *path;
  const uint8_t *bytes;
  size_t n;
} out_file;

static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

static bool write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return false;
  bool ok = fwrite(p, 1, n, f) == n;
  ok = (fclose(f) == 0) && ok;
  return ok;
}

int main(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "--version") == 0) {
      puts("wasmc-wast2json (wasmc text reader)");
      return 0;
    } else if (strncmp(argv[i], "--enable-", 9) == 0 || strncmp(argv[i], "--disable-", 10) == 0) {
      /* every feature is known */
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "wasmc-wast2json: unknown option %s\n", argv[i]);
      usage(stderr);
      return 2;
    } else if (!in) {
      in = argv[i];
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (!in || !out) {
    usage(stderr);
    return 2;
  }
  size_t size = 0;
  wasm_error err = {0};
  char *src = (char *)wasm_read_file(in, &size, &err);
  if (!src) {
    fprintf(stderr, "%s: error: %s\n", in, err.msg);
    return 1;
  }
  wat_script *s = wat_script_parse(src, size, &err);
  if (!s) {
    wat_error_print(stderr, in, src, size, &err);
    free(src);
    return 1;
  }

  /* OUT.json -> OUT as the stem of module files */
  size_t olen = strlen(out);
  size_t stem_len = olen > 5 && strcmp(out + olen - 5, ".json") == 0 ? olen - 5 : olen;
  uint32_t ncmds = wat_script_count(s);
  out_file *files = calloc(ncmds + 1, sizeof *files);
  size_t nfiles = 0;
  module_list mods = {NULL, 0, 0, -1, -1};
  sbuf j = {0};
  puts_(&j, "{\"source_filename\": ");
  put_cstr(&j, in);
  puts_(&j, ",\n \"commands\": [\n");
  bool ok = files != NULL;
  for (uint32_t i = 0; ok && i < ncmds; i++) {
    const wat_command *c = wat_script_command(s, i);
    if (i)
      puts_(&j, ", \n");
    puts_(&j, "  {");
    const char *fname = NULL;
    if (c->has_module) {
      bool text = c->form == WAT_MOD_QUOTE;
      size_t plen = stem_len + 32;
      char *path = malloc(plen);
      if (!path) {
        ok = false;
        break;
      }
      snprintf(path, plen, "%.*s.%zu.%s", (int)stem_len, out, nfiles, text ? "wat" : "wasm");
      files[nfiles++] = (out_file){path, c->bytes, c->nbytes};
      fname = base_name(path);
    }
    switch (c->kind) {
    case WAT_CMD_MODULE:
    case WAT_CMD_MODULE_DEFINITION: {
      put_key(&j, "type");
      put_cstr(&j, c->kind == WAT_CMD_MODULE ? "module" : "module_definition");
      puts_(&j, ", ");
      put_line(&j, c->line);
      puts_(&j, ", ");
      if (c->name) {
        put_key(&j, "name");
        put_cstr(&j, c->name);
        puts_(&j, ", ");
      }
      put_key(&j, "filename");
      put_cstr(&j, fname);
      long k = add_module(&mods, c->name, c);
      if (k < 0)
        ok = false;
      else if (c->kind == WAT_CMD_MODULE)
        mods.current = k;
      else
        mods.last_def = k;
      break;
    }
    case WAT_CMD_MODULE_INSTANCE: {
      puts_(&j, "\"type\": \"module_instance\", ");
      put_line(&j, c->line);
      if (c->name) {
        puts_(&j, ", ");
        put_key(&j, "instance");
        put_cstr(&j, c->name);
      }
      if (c->as) {
        puts_(&j, ", ");
        put_key(&j, "module");
        put_cstr(&j, c->as);
      }
      /* `(module instance $I)` instantiates the last definition */
      known_module *def = c->as ? find_module(&mods, c->as)
                          : mods.last_def >= 0 ? &mods.v[mods.last_def] : NULL;
      if (def) {
        long k = add_module(&mods, c->name, def->cmd);
        if (k < 0)
          ok = false;
        else
          mods.current = k;
      }
      break;
    }
    case WAT_CMD_REGISTER:
      puts_(&j, "\"type\": \"register\", ");
      put_line(&j, c->line);
      puts_(&j, ", ");
      if (c->name) {
        put_key(&j, "name");
        put_cstr(&j, c->name);
        puts_(&j, ", ");
      }
      put_key(&j, "as");
      put_cstr(&j, c->as);
      break;
    case WAT_CMD_ACTION:
    case WAT_CMD_ASSERT_TRAP:
    case WAT_CMD_ASSERT_EXHAUSTION:
    case WAT_CMD_ASSERT_EXCEPTION:
    case WAT_CMD_ASSERT_RETURN: {
      static const char *const names[] = {
          [WAT_CMD_ACTION] = "action", [WAT_CMD_ASSERT_TRAP] = "assert_trap",
          [WAT_CMD_ASSERT_EXHAUSTION] = "assert_exhaustion",
          [WAT_CMD_ASSERT_EXCEPTION] = "assert_exception",
          [WAT_CMD_ASSERT_RETURN] = "assert_return"};
      put_key(&j, "type");
      put_cstr(&j, names[c->kind]);
      puts_(&j, ", ");
      put_line(&j, c->line);
      puts_(&j, ", ");
      put_action(&j, &c->action);
      puts_(&j, ", ");
      if (c->kind == WAT_CMD_ASSERT_TRAP || c->kind == WAT_CMD_ASSERT_EXHAUSTION) {
        put_key(&j, "text");
        put_str(&j, c->text, c->text_len);
        puts_(&j, ", ");
      }
      put_key(&j, "expected");
      if (c->kind == WAT_CMD_ASSERT_RETURN) {
        put_values(&j, c->expected, c->nexpected);
      } else {
        put_result_types(&j, &mods, &c->action);
      }
      break;
    }
    default: {
      static const char *const names[] = {
          [WAT_CMD_ASSERT_INVALID] = "assert_invalid",
          [WAT_CMD_ASSERT_MALFORMED] = "assert_malformed",
          [WAT_CMD_ASSERT_UNLINKABLE] = "assert_unlinkable",
          [WAT_CMD_ASSERT_UNINSTANTIABLE] = "assert_uninstantiable",
          [WAT_CMD_ASSERT_INVALID_CUSTOM] = "assert_invalid_custom",
          [WAT_CMD_ASSERT_MALFORMED_CUSTOM] = "assert_malformed_custom"};
      put_key(&j, "type");
      put_cstr(&j, names[c->kind]);
      puts_(&j, ", ");
      put_line(&j, c->line);
      if (fname) {
        puts_(&j, ", ");
        put_key(&j, "filename");
        put_cstr(&j, fname);
      }
      puts_(&j, ", ");
      put_key(&j, "text");
      put_str(&j, c->text, c->text_len);
      puts_(&j, ", ");
      put_key(&j, "module_type");
      put_cstr(&j, c->form == WAT_MOD_QUOTE ? "text" : "binary");
      break;
    }
    }
    puts_(&j, "}");
  }
  puts_(&j, "]}\n");
  if (j.oom)
    ok = false;
  if (!ok) {
    fprintf(stderr, "%s: error: out of memory\n", in);
  } else {
    size_t written = 0;
    for (; ok && written < nfiles; written++)
      ok = write_file(files[written].path, files[written].bytes, files[written].n);
    if (ok)
      ok = write_file(out, j.p, j.n);
    if (!ok) {
      fprintf(stderr, "wasmc-wast2json: cannot write %s: %s\n",
              written && written <= nfiles ? files[written - 1].path : out, strerror(errno));
      for (size_t k = 0; k < written; k++)
        unlink(files[k].path);
      unlink(out);
    }
  }
  for (size_t k = 0; k < mods.n; k++)
    wasm_module_free(mods.v[k].m);
  free(mods.v);
  for (size_t k = 0; k < nfiles; k++)
    free(files[k].path);
  free(files);
  free(j.p);
  wat_script_free(s);
  free(src);
  return ok ? 0 : 1;
}

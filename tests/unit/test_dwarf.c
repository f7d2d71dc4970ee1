/* test_dwarf.c: the DWARF reader (compiler/dwarf_read.c, dwarf.h) against
 * clang's own output and against hand-made DWARF.
 *
 * dwarf_prog.c is built for wasm32-wasi at -O0 and -O1, DWARF 4 and 5, at
 * build time (CMakeLists.txt). Its functions must sit exactly on the
 * function bodies of the Code section, its lines and frame offsets must
 * be what llvm-dwarfdump reads (when it is installed; else those two
 * checks are skipped), its types what the source says. Hand-made DWARF 5
 * covers what clang 14 does not write for wasm32 (indexed strings before
 * their base, implicit_const, indirect, data16, ref_sig8, every DW_LLE_*
 * entry, cycles of typedefs, specifications in namespaces). Corrupted
 * sections must give NULL and a message naming the section, and no
 * crash (the sanitizer build runs this too). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dwarf.h"
#include "reader.h"
#include "wasm.h"
#include "wasm_builder.h"

#define PROG(tag) DWARF_PROG_DIR "/dwarf_prog_" tag ".wasm"

/* ---- helpers ------------------------------------------------------------- */

typedef struct {
  uint8_t *bytes;
  size_t size;
  wasm_module *m;
  dwarf_info *d;
} loaded;

static uint8_t *read_all(const char *path, size_t *size) {
  wasm_error err = {0};
  uint8_t *b = wasm_read_file(path, size, &err);
  cr_assert(b, "%s: %s", path, err.msg);
  return b;
}

static wasm_module *decode(const uint8_t *b, size_t n) {
  wasm_error err = {0};
  wasm_module *m = wasm_decode(b, n, "test.wasm", &err);
  cr_assert(m, "decode: %s @0x%zx", err.msg, err.offset);
  return m;
}

static loaded load(const char *path) {
  loaded l = {0};
  l.bytes = read_all(path, &l.size);
  l.m = decode(l.bytes, l.size);
  char msg[256];
  l.d = dwarf_read(l.m, msg, sizeof msg);
  cr_assert(l.d, "%s: dwarf_read failed: %s", path, msg);
  return l;
}

static void unload(loaded *l) {
  dwarf_free(l->d);
  wasm_module_free(l->m);
  free(l->bytes);
}

static const dwarf_func *func_named(const dwarf_info *d, const char *name) {
  for (uint32_t i = 0; i < d->nfuncs; i++)
    if (d->funcs[i].name && !strcmp(d->funcs[i].name, name))
      return &d->funcs[i];
  cr_assert_fail("no function %s", name);
  return NULL;
}

static const dwarf_var *var_named(const dwarf_func *f, const char *name) {
  for (uint32_t i = 0; i < f->nvars; i++)
    if (f->vars[i].name && !strcmp(f->vars[i].name, name))
      return &f->vars[i];
  cr_assert_fail("%s has no variable %s", f->name, name);
  return NULL;
}

static const dwarf_type *type_at(const dwarf_info *d, int32_t t) {
  cr_assert(t >= 0 && (uint32_t)t < d->ntypes, "type index %d", t);
  return &d->types[t];
}

/* The type t is of `kind` (and named `name` unless NULL); returns it. */
static const dwarf_type *expect_type(const dwarf_info *d, int32_t t,
                                     dwarf_type_kind kind, const char *name) {
  const dwarf_type *ty = type_at(d, t);
  cr_assert_eq(ty->kind, kind, "type %d: kind %d, want %d", t, ty->kind, kind);
  if (name)
    cr_assert(ty->name && !strcmp(ty->name, name), "type %d named %s, want %s",
              t, ty->name ? ty->name : "(none)", name);
  return ty;
}

static uint32_t code_contents(const wasm_module *m) {
  for (uint32_t i = 0; i < m->nsections; i++)
    if (m->sections[i].id == 10)
      return m->sections[i].contents;
  cr_assert_fail("no Code section");
  return 0;
}

/* Where a custom section's payload (after its name) starts in the file. */
static void payload(const wasm_module *m, const char *name, size_t *off,
                    size_t *size, uint32_t *sec) {
  for (uint32_t i = 0; i < m->nsections; i++) {
    const wasm_section *s = &m->sections[i];
    if (s->id != 0 || strcmp(s->custom_name.str, name))
      continue;
    uint64_t len;
    size_t n = wasm_leb_u(m->bytes + s->contents, s->size, 32, &len);
    cr_assert(n);
    *off = s->contents + n + len;
    *size = s->size - n - len;
    if (sec)
      *sec = i;
    return;
  }
  cr_assert_fail("no %s section", name);
}

/* The 1-based line of dwarf_prog.c holding `text`. */
static uint32_t src_line(const char *text) {
  FILE *f = fopen(DWARF_PROG_SRC, "r");
  cr_assert(f, "%s", DWARF_PROG_SRC);
  char buf[512];
  uint32_t n = 0;
  while (fgets(buf, sizeof buf, f)) {
    n++;
    if (strstr(buf, text)) {
      fclose(f);
      return n;
    }
  }
  fclose(f);
  cr_assert_fail("no line with %s", text);
  return 0;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

/* Whatever dwarf_read returned must be consistent: every index in range,
 * arrays sorted, and `target` chains end (dwarf.h's promise). */
static void sanity(const dwarf_info *d) {
  for (uint32_t i = 0; i < d->nfiles; i++)
    cr_assert(d->files[i].dir && d->files[i].name);
  for (uint32_t i = 0; i < d->ncus; i++)
    cr_assert(d->cus[i].name && d->cus[i].comp_dir && d->cus[i].producer);
  for (uint32_t i = 0; i < d->nrows; i++) {
    cr_assert_lt(d->rows[i].file, d->nfiles);
    if (i)
      cr_assert_leq(d->rows[i - 1].addr, d->rows[i].addr);
  }
  for (uint32_t i = 0; i < d->ntypes; i++) {
    const dwarf_type *t = &d->types[i];
    cr_assert(t->target >= -1 && t->target < (int32_t)d->ntypes);
    for (uint32_t j = 0; j < t->nmembers; j++)
      cr_assert(t->members[j].type >= -1 &&
                t->members[j].type < (int32_t)d->ntypes);
    for (uint32_t j = 0; j < t->nparams; j++)
      cr_assert(t->params[j] >= -1 && t->params[j] < (int32_t)d->ntypes);
    int32_t k = (int32_t)i;
    uint32_t steps = 0;
    while (k >= 0 && d->types[k].kind != DWARF_TYPE_STRUCT &&
           d->types[k].kind != DWARF_TYPE_UNION &&
           d->types[k].kind != DWARF_TYPE_FUNCTION) {
      k = d->types[k].target;
      cr_assert_leq(++steps, d->ntypes, "type %u: endless target chain", i);
    }
  }
  for (uint32_t i = 0; i < d->nfuncs; i++) {
    const dwarf_func *f = &d->funcs[i];
    cr_assert_lt(f->lo, f->hi);
    if (i)
      cr_assert_leq(d->funcs[i - 1].lo, f->lo);
    cr_assert_lt(f->cu, d->ncus);
    cr_assert(f->decl_file == UINT32_MAX || f->decl_file < d->nfiles);
    cr_assert(f->ret_type >= -1 && f->ret_type < (int32_t)d->ntypes);
    cr_assert_eq(dwarf_func_at(d, f->lo)->lo, f->lo);
    for (uint32_t j = 0; j < f->nvars; j++) {
      const dwarf_var *v = &f->vars[j];
      cr_assert(v->type >= -1 && v->type < (int32_t)d->ntypes);
      cr_assert(v->decl_file == UINT32_MAX || v->decl_file < d->nfiles);
      if (j)
        cr_assert(!v->is_param || f->vars[j - 1].is_param,
                  "params come first");
      for (uint32_t k = 0; k < v->nranges; k++)
        cr_assert_lt(v->ranges[k].lo, v->ranges[k].hi);
      if (v->nranges)
        cr_assert_eq(v->loc.kind, DWARF_LOC_NONE);
    }
  }
  dwarf_row_at(d, 0);
  dwarf_row_at(d, UINT32_MAX);
  dwarf_func_at(d, UINT32_MAX);
}

/* ---- clang's output: functions, lines, variables, types ------------------ */

/* Each function of the DWARF is one body of the Code section: low_pc on
 * its local declaration count (just past the body size), high_pc one past
 * its final `end`; and the name section agrees where it names it. */
static void check_funcs_on_bodies(const loaded *l) {
  uint32_t code = code_contents(l->m);
  for (uint32_t i = 0; i < l->d->nfuncs; i++) {
    const dwarf_func *f = &l->d->funcs[i];
    bool found = false;
    for (uint32_t j = l->m->nimported_funcs; j < l->m->nfuncs; j++) {
      const wasm_func *wf = &l->m->funcs[j];
      uint64_t size;
      size_t n = wasm_leb_u(l->m->bytes + wf->code_offset, 5, 32, &size);
      if (code + f->lo != wf->code_offset + n)
        continue;
      found = true;
      cr_assert_eq(code + f->hi, wf->body_offset + wf->body_len,
                   "%s: high_pc 0x%x, body ends at file 0x%x", f->name, f->hi,
                   wf->body_offset + wf->body_len);
      const wasm_name *wn = l->m->func_names ? &l->m->func_names[j] : NULL;
      if (wn && wn->str && f->name)
        cr_assert(!strcmp(wn->str, f->name) ||
                      (f->linkage_name && !strcmp(wn->str, f->linkage_name)),
                  "function at 0x%x: DWARF %s, name section %s", f->lo,
                  f->name, wn->str);
    }
    cr_assert(found, "%s [0x%x, 0x%x) starts no function body", f->name,
              f->lo, f->hi);
  }
}

static const dwarf_cu *prog_cu(const dwarf_info *d, uint32_t *index) {
  for (uint32_t i = 0; i < d->ncus; i++)
    if (ends_with(d->cus[i].name, "dwarf_prog.c")) {
      if (index)
        *index = i;
      return &d->cus[i];
    }
  cr_assert_fail("no compile unit for dwarf_prog.c");
  return NULL;
}

static void check_o0(const char *path) {
  loaded l = load(path);
  const dwarf_info *d = l.d;
  sanity(d);
  check_funcs_on_bodies(&l);

  uint32_t cu_index;
  const dwarf_cu *cu = prog_cu(d, &cu_index);
  cr_assert(strstr(cu->producer, "clang"), "producer %s", cu->producer);
  cr_assert(cu->comp_dir[0]);
  cr_assert(cu->language != 0);
  /* wasi-libc's crt1 has its own compile unit with _start */
  const dwarf_func *start = func_named(d, "_start");
  cr_assert(ends_with(d->cus[start->cu].name, "crt1-command.c"));
  cr_assert_geq(d->ncus, 2);

  const dwarf_func *sum = func_named(d, "sum");
  const dwarf_func *helper = func_named(d, "helper");
  const dwarf_func *mainf = func_named(d, "main");
  cr_assert_eq(sum->cu, cu_index);
  cr_assert(sum->external && mainf->external && !helper->external);
  cr_assert_eq(sum->decl_line, src_line("int sum("));
  cr_assert_eq(helper->decl_line, src_line("static int helper("));
  cr_assert_eq(mainf->decl_line, src_line("int main("));
  cr_assert(ends_with(d->files[sum->decl_file].name, "dwarf_prog.c"));
  cr_assert_eq(mainf->frame_base.kind, DWARF_LOC_LOCAL);
  cr_assert_eq(sum->frame_base.kind, DWARF_LOC_LOCAL);
  cr_assert_eq(start->frame_base.kind, DWARF_LOC_GLOBAL); /* __stack_pointer */
  const dwarf_type *ret = expect_type(d, sum->ret_type, DWARF_TYPE_BASE, "int");
  cr_assert_eq(ret->size, 4);
  cr_assert_eq(ret->encoding, 0x05); /* DW_ATE_signed */
  cr_assert_eq(start->ret_type, -1);

  /* sum: params first, then its body's variables and its loop's */
  cr_assert_eq(sum->nvars, 4);
  const char *order[] = {"arr", "n", "total", "i"};
  for (int i = 0; i < 4; i++) {
    cr_assert_str_eq(sum->vars[i].name, order[i]);
    cr_assert_eq(sum->vars[i].is_param, i < 2);
    cr_assert_eq(sum->vars[i].loc.kind, DWARF_LOC_FRAME);
    cr_assert_eq(sum->vars[i].nranges, 0);
  }
  const dwarf_type *p =
      expect_type(d, sum->vars[0].type, DWARF_TYPE_POINTER, NULL);
  cr_assert_eq(p->size, 4);
  const dwarf_type *cst = expect_type(d, p->target, DWARF_TYPE_CONST, NULL);
  expect_type(d, cst->target, DWARF_TYPE_BASE, "int");

  /* main's variables: in the frame, with their types */
  const char *mvars[] = {"argc", "argv", "n1", "n2", "arr", "grid", "c",
                         "u", "d", "b", "op", "pf", "r"};
  cr_assert_eq(mainf->nvars, 13);
  for (int i = 0; i < 13; i++) {
    cr_assert_str_eq(mainf->vars[i].name, mvars[i]);
    cr_assert_eq(mainf->vars[i].loc.kind, DWARF_LOC_FRAME, "%s", mvars[i]);
  }
  const dwarf_type *argv = expect_type(d, var_named(mainf, "argv")->type,
                                       DWARF_TYPE_POINTER, NULL);
  argv = expect_type(d, argv->target, DWARF_TYPE_POINTER, NULL);
  expect_type(d, argv->target, DWARF_TYPE_BASE, "char");

  const dwarf_type *node = expect_type(d, var_named(mainf, "n1")->type,
                                       DWARF_TYPE_TYPEDEF, "node");
  int32_t s_index = node->target;
  const dwarf_type *s = expect_type(d, s_index, DWARF_TYPE_STRUCT, "node");
  cr_assert_eq(s->size, 24);
  cr_assert_eq(s->nmembers, 5);
  const char *mnames[] = {"value", "weight", "next", "flag", "mode"};
  const uint64_t moffs[] = {0, 8, 16, 20, 20};
  for (int i = 0; i < 5; i++) {
    cr_assert_str_eq(s->members[i].name, mnames[i]);
    cr_assert_eq(s->members[i].offset, moffs[i], "%s", mnames[i]);
  }
  expect_type(d, s->members[1].type, DWARF_TYPE_BASE, "double");
  const dwarf_type *next = expect_type(d, s->members[2].type,
                                       DWARF_TYPE_POINTER, NULL);
  cr_assert_eq(next->target, s_index, "struct node *next points back");
  cr_assert_eq(s->members[3].bit_size, 3);
  cr_assert_eq(s->members[3].bit_offset, 160);
  cr_assert_eq(s->members[4].bit_size, 5);
  cr_assert_eq(s->members[4].bit_offset, 163);
  cr_assert_eq(s->members[0].bit_size, 0);

  const dwarf_type *a = expect_type(d, var_named(mainf, "arr")->type,
                                    DWARF_TYPE_ARRAY, NULL);
  cr_assert_eq(a->ncounts, 1);
  cr_assert_eq(a->counts[0], 4);
  expect_type(d, a->target, DWARF_TYPE_BASE, "int");
  const dwarf_type *g = expect_type(d, var_named(mainf, "grid")->type,
                                    DWARF_TYPE_ARRAY, NULL);
  cr_assert_eq(g->ncounts, 2);
  cr_assert(g->counts[0] == 2 && g->counts[1] == 3);

  const dwarf_type *e = expect_type(d, var_named(mainf, "c")->type,
                                    DWARF_TYPE_ENUM, "color");
  cr_assert_eq(e->size, 4);
  cr_assert_eq(e->nenumerators, 3);
  const char *enames[] = {"RED", "GREEN", "BLUE"};
  const int64_t evalues[] = {0, 5, -2};
  for (int i = 0; i < 3; i++) {
    cr_assert_str_eq(e->enumerators[i].name, enames[i]);
    cr_assert_eq(e->enumerators[i].value, evalues[i]);
  }

  const dwarf_type *u = expect_type(d, var_named(mainf, "u")->type,
                                    DWARF_TYPE_TYPEDEF, "uint");
  const dwarf_type *ub =
      expect_type(d, u->target, DWARF_TYPE_BASE, "unsigned int");
  cr_assert_eq(ub->encoding, 0x07); /* DW_ATE_unsigned */
  const dwarf_type *dbl = expect_type(d, var_named(mainf, "d")->type,
                                      DWARF_TYPE_BASE, "double");
  cr_assert(dbl->size == 8 && dbl->encoding == 0x04); /* DW_ATE_float */
  const dwarf_type *un = expect_type(d, var_named(mainf, "b")->type,
                                     DWARF_TYPE_UNION, "bits");
  cr_assert(un->size == 4 && un->nmembers == 2);
  cr_assert(un->members[0].offset == 0 && un->members[1].offset == 0);

  const dwarf_type *op = expect_type(d, var_named(mainf, "op")->type,
                                     DWARF_TYPE_POINTER, NULL);
  const dwarf_type *fn = expect_type(d, op->target, DWARF_TYPE_FUNCTION, NULL);
  expect_type(d, fn->target, DWARF_TYPE_BASE, "int");
  cr_assert(fn->nparams == 2 && !fn->variadic);
  const dwarf_type *pf = expect_type(d, var_named(mainf, "pf")->type,
                                     DWARF_TYPE_POINTER, NULL);
  const dwarf_type *vfn = expect_type(d, pf->target, DWARF_TYPE_FUNCTION, NULL);
  cr_assert(vfn->nparams == 1 && vfn->variadic);
  const dwarf_type *fmt =
      expect_type(d, vfn->params[0], DWARF_TYPE_POINTER, NULL);
  fmt = expect_type(d, fmt->target, DWARF_TYPE_CONST, NULL);
  expect_type(d, fmt->target, DWARF_TYPE_BASE, "char");

  /* the line table: the loop body's line is in sum, and sum starts on its
   * own line */
  uint32_t loop = src_line("/* LOOP_BODY */");
  bool seen = false;
  for (uint32_t addr = sum->lo; addr < sum->hi; addr++) {
    const dwarf_row *r = dwarf_row_at(d, addr);
    cr_assert(r, "no row at 0x%x inside sum", addr);
    if (r->line == loop) {
      seen = true;
      cr_assert(ends_with(d->files[r->file].name, "dwarf_prog.c"));
    }
  }
  cr_assert(seen, "no row of line %u in sum", loop);
  cr_assert_eq(dwarf_row_at(d, sum->lo)->line, sum->decl_line);
  cr_assert_null(dwarf_row_at(d, 0));
  cr_assert_null(dwarf_row_at(d, 0xfffffff0u));
  cr_assert_eq(dwarf_func_at(d, sum->lo), sum);
  cr_assert_eq(dwarf_func_at(d, sum->hi - 1), sum);
  cr_assert_neq(dwarf_func_at(d, sum->hi), sum);
  cr_assert_null(dwarf_func_at(d, 0));
  /* files merged: no two alike */
  for (uint32_t i = 0; i < d->nfiles; i++)
    for (uint32_t j = i + 1; j < d->nfiles; j++)
      cr_assert(strcmp(d->files[i].dir, d->files[j].dir) ||
                strcmp(d->files[i].name, d->files[j].name));
  unload(&l);
}

Test(clang, o0_dwarf4) { check_o0(PROG("O0_4")); }
Test(clang, o0_dwarf5) { check_o0(PROG("O0_5")); }

/* Optimised code: variables live in Wasm locals for parts of the code
 * (location lists: .debug_loc in DWARF 4, .debug_loclists in 5), or are
 * known constants. */
static void check_o1(const char *path) {
  loaded l = load(path);
  const dwarf_info *d = l.d;
  sanity(d);
  check_funcs_on_bodies(&l);
  const dwarf_func *sum = func_named(d, "sum");
  cr_assert(sum->frame_base.kind == DWARF_LOC_LOCAL ||
            sum->frame_base.kind == DWARF_LOC_GLOBAL);
  const dwarf_var *arr = var_named(sum, "arr");
  cr_assert(arr->is_param);
  bool local_range = false;
  for (uint32_t i = 0; i < sum->nvars; i++)
    for (uint32_t k = 0; k < sum->vars[i].nranges; k++) {
      const dwarf_loc_range *r = &sum->vars[i].ranges[k];
      cr_assert(r->lo >= sum->lo && r->hi <= sum->hi,
                "%s: range [0x%x, 0x%x) outside sum", sum->vars[i].name,
                r->lo, r->hi);
      if (r->loc.kind == DWARF_LOC_LOCAL)
        local_range = true;
    }
  cr_assert(local_range, "no variable of sum in a Wasm local");
  /* main's u is the constant 7 somewhere (a location list entry or
   * DW_AT_const_value, depending on what the optimiser kept) */
  const dwarf_var *u = var_named(func_named(d, "main"), "u");
  bool seven = u->loc.kind == DWARF_LOC_CONST && u->loc.offset == 7;
  for (uint32_t k = 0; k < u->nranges; k++)
    seven |= u->ranges[k].loc.kind == DWARF_LOC_CONST &&
             u->ranges[k].loc.offset == 7;
  cr_assert(seven, "main's u is not the constant 7");
  unload(&l);
}

Test(clang, o1_dwarf4) { check_o1(PROG("O1_4")); }
Test(clang, o1_dwarf5) { check_o1(PROG("O1_5")); }

/* ---- against llvm-dwarfdump ---------------------------------------------- */

static FILE *dwarfdump(const char *what, const char *path) {
  if (!LLVM_DWARFDUMP[0])
    cr_skip_test("llvm-dwarfdump not found at configure time");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' %s '%s'", LLVM_DWARFDUMP, what, path);
  FILE *f = popen(cmd, "r");
  cr_assert(f, "%s", cmd);
  return f;
}

typedef struct {
  uint64_t addr;
  uint32_t line, col;
  bool end, stmt;
} drow;

static int cmp_drow(const void *a, const void *b) {
  const drow *x = a, *y = b;
  if (x->addr != y->addr)
    return x->addr < y->addr ? -1 : 1;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  if (x->col != y->col)
    return x->col < y->col ? -1 : 1;
  if (x->end != y->end)
    return x->end - y->end;
  return x->stmt - y->stmt;
}

/* Every row llvm-dwarfdump prints, but for sequences in dead code, is one
 * of ours, and nothing else. */
static void check_rows(const char *path) {
  loaded l = load(path);
  FILE *f = dwarfdump("--debug-line", path);
  size_t cap = 1 << 16, n = 0, seq_start = 0;
  drow *rows = malloc(cap * sizeof *rows);
  char line[512];
  while (fgets(line, sizeof line, f)) {
    unsigned long long addr;
    unsigned ln, col, file, isa, disc, opi;
    int used = 0;
    if (sscanf(line, "0x%llx %u %u %u %u %u %u%n", &addr, &ln, &col, &file,
               &isa, &disc, &opi, &used) != 7)
      continue;
    cr_assert_lt(n, cap);
    const char *flags = line + used;
    rows[n++] = (drow){addr, ln, col, strstr(flags, "end_sequence") != NULL,
                       strstr(flags, "is_stmt") != NULL};
    if (rows[n - 1].end) {
      uint64_t first = rows[seq_start].addr;
      if (first == 0 || first >= 0xfffffffeu || addr <= first)
        n = seq_start; /* dead code or empty: dwarf_read drops it */
      seq_start = n;
    }
  }
  pclose(f);
  n = seq_start;
  cr_assert_eq(n, l.d->nrows, "llvm-dwarfdump: %zu rows, dwarf_read: %u", n,
               l.d->nrows);
  drow *ours = malloc((n ? n : 1) * sizeof *ours);
  for (size_t i = 0; i < n; i++) {
    const dwarf_row *r = &l.d->rows[i];
    ours[i] = (drow){r->addr, r->line, r->column,
                     (r->flags & DWARF_ROW_END_SEQUENCE) != 0,
                     (r->flags & DWARF_ROW_STMT) != 0};
  }
  qsort(rows, n, sizeof *rows, cmp_drow);
  qsort(ours, n, sizeof *ours, cmp_drow);
  for (size_t i = 0; i < n; i++)
    cr_assert(!cmp_drow(&rows[i], &ours[i]),
              "row %zu: llvm-dwarfdump 0x%llx line %u, ours 0x%llx line %u", i,
              (unsigned long long)rows[i].addr, rows[i].line,
              (unsigned long long)ours[i].addr, ours[i].line);
  free(rows);
  free(ours);
  unload(&l);
}

Test(dwarfdump, rows_o0_dwarf4) { check_rows(PROG("O0_4")); }
Test(dwarfdump, rows_o0_dwarf5) { check_rows(PROG("O0_5")); }
Test(dwarfdump, rows_o1_dwarf4) { check_rows(PROG("O1_4")); }
Test(dwarfdump, rows_o1_dwarf5) { check_rows(PROG("O1_5")); }

/* Subprograms (low_pc, high_pc, name) and the DW_OP_fbreg offsets of
 * their variables, as llvm-dwarfdump prints them, outside inlined
 * subroutines (which dwarf_read leaves out). */
static void check_dies(const char *path) {
  loaded l = load(path);
  const dwarf_info *d = l.d;
  FILE *f = dwarfdump("--debug-info", path);
  char line[1024];
  char tags[64][48] = {{0}};
  int depth = -1;
  const dwarf_func *cur_func = NULL;
  unsigned long long lo = 0, hi = 0;
  bool have_lo = false, have_hi = false;
  long long fbreg = 0;
  bool have_fbreg = false;
  char name[256] = "";
  unsigned nfuncs = 0, nvars = 0;
  /* what one DIE said is checked when the next one starts */
  for (bool more = true; more;) {
    more = fgets(line, sizeof line, f) != NULL;
    unsigned long long off;
    int col = 0;
    char tag[48];
    bool die_start = more && sscanf(line, "0x%llx: %n", &off, &col) == 1 &&
                     strstr(line, "DW_TAG_") &&
                     sscanf(line + col, "DW_TAG_%47s", tag) == 1;
    if (!die_start && more) {
      char *at = strstr(line, "DW_AT_");
      if (!at)
        continue;
      if (sscanf(at, "DW_AT_low_pc (0x%llx)", &lo) == 1)
        have_lo = true;
      else if (sscanf(at, "DW_AT_high_pc (0x%llx)", &hi) == 1)
        have_hi = true;
      else if (sscanf(at, "DW_AT_location (DW_OP_fbreg %lld)", &fbreg) == 1)
        have_fbreg = true;
      else if (sscanf(at, "DW_AT_name (\"%255[^\"]\")", name) == 1 ||
               sscanf(at, "DW_AT_abstract_origin (0x%*x \"%255[^\"]\")",
                      name) == 1 ||
               sscanf(at, "DW_AT_specification (0x%*x \"%255[^\"]\")",
                      name) == 1) {
        /* named by itself or by the declaration it completes */
      }
      continue;
    }
    /* the previous DIE is complete */
    if (depth >= 0) {
      bool inlined = false, in_func = false;
      for (int i = 0; i < depth && i < 64; i++) {
        inlined |= !strcmp(tags[i], "inlined_subroutine");
        in_func |= !strcmp(tags[i], "subprogram");
      }
      const char *t = tags[depth < 64 ? depth : 63];
      if (!strcmp(t, "subprogram")) {
        cur_func = NULL;
        if (have_lo && have_hi && lo != 0 && lo < 0xfffffffeu && hi > lo &&
            name[0]) {
          cur_func = dwarf_func_at(d, (uint32_t)lo);
          cr_assert(cur_func && cur_func->lo == lo && cur_func->hi == hi &&
                        !strcmp(cur_func->name, name),
                    "subprogram %s [0x%llx, 0x%llx) not read", name, lo, hi);
          nfuncs++;
        }
      } else if ((!strcmp(t, "variable") || !strcmp(t, "formal_parameter")) &&
                 have_fbreg && in_func && !inlined && cur_func && name[0]) {
        const dwarf_var *v = var_named(cur_func, name);
        cr_assert_eq(v->loc.kind, DWARF_LOC_FRAME, "%s.%s", cur_func->name,
                     name);
        cr_assert_eq(v->loc.offset, fbreg, "%s.%s: fbreg %lld, ours %lld",
                     cur_func->name, name, fbreg, (long long)v->loc.offset);
        nvars++;
      }
    }
    if (!more)
      break;
    /* "0x0000004d:   DW_TAG_...": 1 + 2 * depth spaces after the colon */
    const char *p = strstr(line, "DW_TAG_");
    depth = ((int)(p - strchr(line, ':')) - 2) / 2;
    if (depth < 64)
      snprintf(tags[depth], sizeof tags[depth], "%s", tag);
    have_lo = have_hi = have_fbreg = false;
    name[0] = 0;
  }
  pclose(f);
  cr_assert_eq(nfuncs, d->nfuncs, "llvm-dwarfdump: %u functions, ours %u",
               nfuncs, d->nfuncs);
  cr_assert_gt(nvars, 0);
  unload(&l);
}

Test(dwarfdump, dies_o0_dwarf4) { check_dies(PROG("O0_4")); }
Test(dwarfdump, dies_o0_dwarf5) { check_dies(PROG("O0_5")); }
Test(dwarfdump, dies_o1_dwarf4) { check_dies(PROG("O1_4")); }
Test(dwarfdump, dies_o1_dwarf5) { check_dies(PROG("O1_5")); }

/* ---- hand-made DWARF 5 --------------------------------------------------- */

static void u16le(wb_buf *b, uint16_t v) { WB(b, v & 0xff, v >> 8); }
static void u32le(wb_buf *b, uint32_t v) {
  WB(b, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24);
}
static void u64le(wb_buf *b, uint64_t v) {
  u32le(b, (uint32_t)v);
  u32le(b, (uint32_t)(v >> 32));
}
static void cstr(wb_buf *b, const char *s) { wb_bytes(b, s, strlen(s) + 1); }
static void patch32(wb_buf *b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; i++)
    b->data[at + i] = (uint8_t)(v >> (8 * i));
}
/* A unit/table length at `at` covering everything written since. */
static void close_length(wb_buf *b, size_t at) {
  patch32(b, at, (uint32_t)(b->len - at - 4));
}

/* .debug_info with labels: refs are patched once every DIE is placed. */
typedef struct {
  wb_buf b;
  size_t unit;
  size_t label[32];
  struct {
    size_t at;
    int label;
    bool uleb;
  } fix[64];
  int nfix;
} info_buf;

static void label(info_buf *ib, int l) { ib->label[l] = ib->b.len - ib->unit; }
static void ref4(info_buf *ib, int l) {
  ib->fix[ib->nfix].at = ib->b.len;
  ib->fix[ib->nfix].label = l;
  ib->fix[ib->nfix++].uleb = false;
  u32le(&ib->b, 0);
}
static void ref_uleb(info_buf *ib, int l) { /* padded to 4 bytes */
  ib->fix[ib->nfix].at = ib->b.len;
  ib->fix[ib->nfix].label = l;
  ib->fix[ib->nfix++].uleb = true;
  u32le(&ib->b, 0);
}
static void patch_refs(info_buf *ib) {
  for (int i = 0; i < ib->nfix; i++) {
    size_t v = ib->label[ib->fix[i].label], at = ib->fix[i].at;
    if (!ib->fix[i].uleb) {
      patch32(&ib->b, at, (uint32_t)v);
      continue;
    }
    for (int k = 0; k < 4; k++)
      ib->b.data[at + k] =
          (uint8_t)(((v >> (7 * k)) & 0x7f) | (k < 3 ? 0x80 : 0));
  }
}

enum { L_INT, L_A, L_B, L_S, L_PS, L_AT, L_DECL, L_LONG, L_TU, L_COUNT };

static void custom(wb_buf *mod, const char *name, const wb_buf *payload_buf) {
  size_t s = wb_custom(mod, name);
  wb_bytes(mod, payload_buf->data, payload_buf->len);
  wb_end(mod, s);
}

/* The hand-made module; `mutate` (if not NULL) edits the sections first. */
static wb_buf handmade(void (*mutate)(wb_buf *info, wb_buf *abbrev)) {
  wb_buf ab = wb_new();
  /* code, tag, children, (attribute, form)..., 0, 0 */
#define ABBREV(code, tag, ch, ...)                                          \
  do {                                                                      \
    wb_uleb(&ab, code);                                                     \
    wb_uleb(&ab, tag);                                                      \
    wb_u8(&ab, ch);                                                         \
    WB(&ab, __VA_ARGS__);                                                   \
  } while (0)
  ABBREV(1, 0x11, 1, 0x03, 0x25, 0x25, 0x08, 0x13, 0x05, 0x1b, 0x1f, 0x10,
         0x17, 0x11, 0x01, 0x72, 0x17, 0x73, 0x17, 0x8c, 0x01, 0x17, 0, 0);
  /* subprogram: low_pc addrx, high_pc data4, name strx1, frame_base
   * exprloc, type ref4, external flag_present, decl_file data1, decl_line
   * implicit_const 42 */
  ABBREV(2, 0x2e, 1, 0x11, 0x1b, 0x12, 0x06, 0x03, 0x25, 0x40, 0x18, 0x49,
         0x13, 0x3f, 0x19, 0x3a, 0x0b, 0x3b, 0x21, 42, 0, 0);
  ABBREV(3, 0x05, 0, 0x03, 0x08, 0x49, 0x13, 0x02, 0x22, 0, 0);
  ABBREV(4, 0x05, 0, 0x03, 0x08, 0x49, 0x15, 0x02, 0x22, 0, 0);
  ABBREV(5, 0x34, 0, 0x03, 0x16, 0x49, 0x13, 0x02, 0x18, 0, 0);
  ABBREV(6, 0x24, 0, 0x03, 0x08, 0x3e, 0x0b, 0x0b, 0x0b, 0, 0);
  ABBREV(7, 0x16, 0, 0x03, 0x08, 0x49, 0x13, 0, 0);
  ABBREV(8, 0x0f, 0, 0x49, 0x13, 0, 0);
  ABBREV(9, 0x13, 1, 0x03, 0x08, 0x0b, 0x0b, 0, 0);
  ABBREV(10, 0x0d, 0, 0x03, 0x08, 0x49, 0x13, 0x38, 0x0b, 0, 0);
  ABBREV(11, 0x0d, 0, 0x03, 0x08, 0x49, 0x13, 0x0d, 0x0b, 0x6b, 0x0b, 0, 0);
  ABBREV(12, 0x1d, 1, 0x11, 0x01, 0x12, 0x06, 0, 0);
  ABBREV(13, 0x0b, 1, 0, 0);
  ABBREV(14, 0x34, 0, 0x03, 0x08, 0x1c, 0x1e, 0, 0);
  ABBREV(15, 0x39, 1, 0x03, 0x08, 0, 0);
  ABBREV(16, 0x2e, 0, 0x03, 0x08, 0x6e, 0x08, 0x3c, 0x19, 0x3b, 0x0b, 0x3f,
         0x19, 0, 0);
  ABBREV(17, 0x2e, 0, 0x11, 0x01, 0x12, 0x06, 0x47, 0x13, 0x40, 0x18, 0, 0);
  ABBREV(18, 0x2e, 0, 0x11, 0x01, 0x12, 0x06, 0x03, 0x08, 0, 0);
  ABBREV(19, 0x47, 0, 0x49, 0x13, 0, 0);
  ABBREV(20, 0x41, 1, 0, 0);
  ABBREV(21, 0x34, 0, 0x03, 0x08, 0x49, 0x20, 0, 0);
  ABBREV(22, 0x34, 0, 0x03, 0x08, 0x49, 0x13, 0x02, 0x18, 0, 0);
  wb_u8(&ab, 0);
#undef ABBREV

  info_buf ib = {.b = wb_new()};
  wb_buf *b = &ib.b;
  /* a type unit: "long", found by its signature */
  ib.unit = b->len;
  u32le(b, 0);
  u16le(b, 5);
  WB(b, 0x02, 4);
  u32le(b, 0);
  u64le(b, 0x1122334455667788ull);
  size_t type_off_at = b->len;
  u32le(b, 0);
  wb_u8(b, 20);
  label(&ib, L_LONG);
  wb_u8(b, 6), cstr(b, "long"), WB(b, 0x05, 4);
  wb_u8(b, 0);
  patch32(b, type_off_at, (uint32_t)ib.label[L_LONG]);
  close_length(b, ib.unit);
  patch_refs(&ib);
  ib.nfix = 0;

  /* the compile unit */
  ib.unit = b->len;
  u32le(b, 0);
  u16le(b, 5);
  WB(b, 0x01, 4);
  u32le(b, 0);
  /* name is string 0 of .debug_str_offsets, whose base comes after it */
  wb_u8(b, 1), wb_u8(b, 0), cstr(b, "handmade"), u16le(b, 0x1d);
  u32le(b, 0), u32le(b, 0), u32le(b, 0), u32le(b, 8), u32le(b, 8),
      u32le(b, 12);
  label(&ib, L_INT), wb_u8(b, 6), cstr(b, "int"), WB(b, 0x05, 4);
  label(&ib, L_A), wb_u8(b, 7), cstr(b, "A"), ref4(&ib, L_B);
  label(&ib, L_B), wb_u8(b, 7), cstr(b, "B"), ref4(&ib, L_A);
  label(&ib, L_S), wb_u8(b, 9), cstr(b, "S"), wb_u8(b, 8);
  wb_u8(b, 10), cstr(b, "next"), ref4(&ib, L_PS), wb_u8(b, 0);
  wb_u8(b, 10), cstr(b, "x"), ref4(&ib, L_INT), wb_u8(b, 4);
  wb_u8(b, 11), cstr(b, "bf"), ref4(&ib, L_INT), WB(b, 3, 37);
  wb_u8(b, 0);
  label(&ib, L_PS), wb_u8(b, 8), ref4(&ib, L_S);
  label(&ib, L_AT), wb_u8(b, 19), ref4(&ib, L_INT);
  /* f: [0x10, 0x40), frame base global 1 (kind 3, fixed 4 bytes) */
  wb_u8(b, 2), wb_u8(b, 0), u32le(b, 0x30), wb_u8(b, 1);
  WB(b, 7, 0xed, 0x03, 0x01, 0, 0, 0, 0x9f);
  ref4(&ib, L_INT), wb_u8(b, 1);
  wb_u8(b, 3), cstr(b, "p"), ref4(&ib, L_INT), wb_u8(b, 0);
  wb_u8(b, 4), cstr(b, "q"), ref_uleb(&ib, L_PS), wb_u8(b, 1);
  wb_u8(b, 5), wb_u8(b, 0x08), cstr(b, "v"), ref4(&ib, L_A);
  WB(b, 5, 0x03, 0x34, 0x12, 0, 0);
  wb_u8(b, 13);
  wb_u8(b, 22), cstr(b, "w"), ref4(&ib, L_AT), WB(b, 2, 0x35, 0x9f);
  wb_u8(b, 0);
  wb_u8(b, 12), u32le(b, 0x20), u32le(b, 4);
  wb_u8(b, 22), cstr(b, "hidden"), ref4(&ib, L_INT), WB(b, 2, 0x91, 0x04);
  wb_u8(b, 0);
  wb_u8(b, 14), cstr(b, "big");
  for (int i = 0; i < 16; i++)
    wb_u8(b, (uint8_t)i);
  wb_u8(b, 21), cstr(b, "sigvar"), u64le(b, 0x1122334455667788ull);
  wb_u8(b, 22), cstr(b, "ghost"), ref4(&ib, L_INT);
  WB(b, 4, 0xed, 0x02, 0x00, 0x9f);
  wb_u8(b, 0);
  /* a namespace with a declaration and a function */
  wb_u8(b, 15), cstr(b, "ns");
  label(&ib, L_DECL), wb_u8(b, 16), cstr(b, "method"),
      cstr(b, "_ZN2ns6methodEv"), wb_u8(b, 7);
  wb_u8(b, 18), u32le(b, 0x60), u32le(b, 0x10), cstr(b, "inner");
  wb_u8(b, 0);
  wb_u8(b, 17), u32le(b, 0x50), u32le(b, 0x10), ref4(&ib, L_DECL);
  WB(b, 4, 0xed, 0x00, 0x00, 0x9f);
  /* dead code, an empty function, one at 0 */
  wb_u8(b, 18), u32le(b, 0xffffffffu), u32le(b, 0x10), cstr(b, "dead");
  wb_u8(b, 18), u32le(b, 0x70), u32le(b, 0), cstr(b, "empty");
  wb_u8(b, 18), u32le(b, 0), u32le(b, 8), cstr(b, "zero");
  wb_u8(b, 0);
  close_length(b, ib.unit);
  patch_refs(&ib);

  wb_buf str = wb_new();
  cstr(&str, "prog.c"), cstr(&str, "f");
  wb_buf stroff = wb_new();
  u32le(&stroff, 0), u16le(&stroff, 5), u16le(&stroff, 0);
  u32le(&stroff, 0), u32le(&stroff, 7);
  close_length(&stroff, 0);
  wb_buf line_str = wb_new();
  cstr(&line_str, "/src"), cstr(&line_str, "include"), cstr(&line_str, "inc.h"),
      cstr(&line_str, "prog.c");
  wb_buf addr = wb_new();
  u32le(&addr, 0), u16le(&addr, 5), WB(&addr, 4, 0);
  u32le(&addr, 0x10), u32le(&addr, 0xffffffffu), u32le(&addr, 0x20);
  close_length(&addr, 0);

  wb_buf ll = wb_new();
  u32le(&ll, 0), u16le(&ll, 5), WB(&ll, 4, 0), u32le(&ll, 2);
  u32le(&ll, 0), u32le(&ll, 0); /* offsets, patched below */
  size_t list0 = ll.len;
  WB(&ll, 0x01, 0);                                     /* base = addr[0] */
  WB(&ll, 0x04, 0, 8, 4, 0xed, 0x00, 0x02, 0x9f);       /* local 2 */
  WB(&ll, 0x03, 2, 8, 7, 0xed, 0x03, 5, 0, 0, 0, 0x9f); /* global 5 */
  wb_u8(&ll, 0x07), u32le(&ll, 0x28), u32le(&ll, 0x30);
  WB(&ll, 3, 0x11, 0x79, 0x9f); /* consts -7 */
  wb_u8(&ll, 0x08), u32le(&ll, 0x30), WB(&ll, 4, 2, 0x91, 0x10); /* fbreg 16 */
  WB(&ll, 0x01, 1);                               /* base: dead code */
  WB(&ll, 0x04, 0, 4, 4, 0xed, 0x00, 0x01, 0x9f); /* dropped */
  wb_u8(&ll, 0x06), u32le(&ll, 0x10);
  WB(&ll, 0x04, 0x30, 0x30, 4, 0xed, 0x00, 0x01, 0x9f); /* empty: dropped */
  wb_u8(&ll, 0x00);
  size_t list1 = ll.len;
  WB(&ll, 0x05, 4, 0xed, 0x00, 0x07, 0x9f, 0x00); /* default: local 7 */
  patch32(&ll, 12, (uint32_t)(list0 - 12));
  patch32(&ll, 16, (uint32_t)(list1 - 12));
  close_length(&ll, 0);

  wb_buf line = wb_new();
  u32le(&line, 0), u16le(&line, 5), WB(&line, 4, 0);
  size_t hlen_at = line.len;
  u32le(&line, 0);
  WB(&line, 1, 1, 1, 0xfb, 14, 13, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1);
  WB(&line, 1, 0x01, 0x1f, 2);        /* dirs: path line_strp; 2 of them */
  u32le(&line, 0), u32le(&line, 5);   /* "/src", "include" */
  WB(&line, 2, 0x01, 0x1f, 0x02, 0x0f, 2); /* files: path, dir udata; 2 */
  u32le(&line, 19), wb_u8(&line, 0);  /* prog.c in /src */
  u32le(&line, 13), wb_u8(&line, 1);  /* inc.h in include */
  patch32(&line, hlen_at, (uint32_t)(line.len - hlen_at - 4));
  WB(&line, 0, 5, 2), u32le(&line, 0x10); /* set_address 0x10 */
  WB(&line, 4, 0, 3, 9, 1);                /* file 0, line 10, copy */
  wb_u8(&line, 75);                        /* +4 bytes, +1 line */
  WB(&line, 4, 1, 5, 3, 2, 8, 10, 1);      /* file 1, col 3, +8, prologue */
  WB(&line, 2, 0x24, 0, 1, 1);             /* to 0x40, end_sequence */
  WB(&line, 0, 5, 2), u32le(&line, 0xffffffffu);
  WB(&line, 1, 2, 4, 0, 1, 1);             /* dead code: dropped */
  WB(&line, 0, 5, 2), u32le(&line, 0x40);
  WB(&line, 4, 0, 3, 19, 1, 2, 0x10, 0, 1, 1); /* line 20 at 0x40..0x50 */
  close_length(&line, 0);

  if (mutate)
    mutate(&ib.b, &ab);
  wb_buf mod = wb_module();
  custom(&mod, ".debug_abbrev", &ab);
  custom(&mod, ".debug_info", &ib.b);
  custom(&mod, ".debug_str", &str);
  custom(&mod, ".debug_str_offsets", &stroff);
  custom(&mod, ".debug_line_str", &line_str);
  custom(&mod, ".debug_addr", &addr);
  custom(&mod, ".debug_loclists", &ll);
  custom(&mod, ".debug_line", &line);
  wb_free(&ab), wb_free(&ib.b), wb_free(&str), wb_free(&stroff);
  wb_free(&line_str), wb_free(&addr), wb_free(&ll), wb_free(&line);
  return mod;
}

static void expect_loc(dwarf_loc l, dwarf_loc_kind kind, uint32_t index,
                       int64_t offset) {
  cr_assert_eq(l.kind, kind, "location kind %d, want %d", l.kind, kind);
  cr_assert_eq(l.index, index);
  cr_assert_eq(l.offset, offset, "offset %lld, want %lld", (long long)l.offset,
               (long long)offset);
}

Test(handmade, dwarf5) {
  wb_buf mod = handmade(NULL);
  wasm_error err = {0};
  wasm_module *m = wb_decode(&mod, &err);
  cr_assert(m, "%s", err.msg);
  char msg[256];
  dwarf_info *d = dwarf_read(m, msg, sizeof msg);
  cr_assert(d, "%s", msg);
  sanity(d);

  cr_assert_eq(d->ncus, 1); /* the type unit is none */
  cr_assert_str_eq(d->cus[0].name, "prog.c");
  cr_assert_str_eq(d->cus[0].comp_dir, "/src");
  cr_assert_str_eq(d->cus[0].producer, "handmade");
  cr_assert_eq(d->cus[0].language, 0x1d);

  cr_assert_eq(d->nfuncs, 3, "%u functions", d->nfuncs);
  const dwarf_func *f = &d->funcs[0], *method = &d->funcs[1],
                   *inner = &d->funcs[2];
  cr_assert(f->lo == 0x10 && f->hi == 0x40);
  cr_assert_str_eq(f->name, "f");
  cr_assert(f->external);
  cr_assert_eq(f->decl_line, 42);
  cr_assert_str_eq(d->files[f->decl_file].name, "inc.h");
  cr_assert_str_eq(d->files[f->decl_file].dir, "/src/include");
  expect_loc(f->frame_base, DWARF_LOC_GLOBAL, 1, 0);
  expect_type(d, f->ret_type, DWARF_TYPE_BASE, "int");

  cr_assert(method->lo == 0x50 && method->hi == 0x60);
  cr_assert_str_eq(method->name, "method");
  cr_assert_str_eq(method->linkage_name, "_ZN2ns6methodEv");
  cr_assert_eq(method->decl_line, 7);
  cr_assert(method->external);
  expect_loc(method->frame_base, DWARF_LOC_LOCAL, 0, 0);
  cr_assert(inner->lo == 0x60 && inner->hi == 0x70);
  cr_assert_str_eq(inner->name, "inner");

  /* f's variables: params, then the rest in order; none from the inlined
   * subroutine */
  const char *names[] = {"p", "q", "v", "w", "big", "sigvar", "ghost"};
  cr_assert_eq(f->nvars, 7);
  for (int i = 0; i < 7; i++)
    cr_assert_str_eq(f->vars[i].name, names[i]);
  const dwarf_var *p = &f->vars[0];
  cr_assert(p->is_param && f->vars[1].is_param && !f->vars[2].is_param);
  cr_assert_eq(p->loc.kind, DWARF_LOC_NONE);
  cr_assert_eq(p->nranges, 4);
  cr_assert(p->ranges[0].lo == 0x10 && p->ranges[0].hi == 0x18);
  expect_loc(p->ranges[0].loc, DWARF_LOC_LOCAL, 2, 0);
  cr_assert(p->ranges[1].lo == 0x20 && p->ranges[1].hi == 0x28);
  expect_loc(p->ranges[1].loc, DWARF_LOC_GLOBAL, 5, 0);
  cr_assert(p->ranges[2].lo == 0x28 && p->ranges[2].hi == 0x30);
  expect_loc(p->ranges[2].loc, DWARF_LOC_CONST, 0, -7);
  cr_assert(p->ranges[3].lo == 0x30 && p->ranges[3].hi == 0x34);
  expect_loc(p->ranges[3].loc, DWARF_LOC_FRAME, 0, 16);
  const dwarf_var *q = &f->vars[1];
  cr_assert_eq(q->nranges, 0);
  expect_loc(q->loc, DWARF_LOC_LOCAL, 7, 0);
  expect_loc(f->vars[2].loc, DWARF_LOC_ADDR, 0, 0x1234);
  expect_loc(f->vars[3].loc, DWARF_LOC_CONST, 0, 5);
  cr_assert_eq(f->vars[4].loc.kind, DWARF_LOC_UNSUPPORTED);
  cr_assert_eq(f->vars[6].loc.kind, DWARF_LOC_UNSUPPORTED);

  /* types: a struct pointing to itself, a cycle of typedefs cut, _Atomic
   * int read as int, a type unit's type by its signature */
  int32_t int_t = p->type;
  expect_type(d, int_t, DWARF_TYPE_BASE, "int");
  const dwarf_type *ps = expect_type(d, q->type, DWARF_TYPE_POINTER, NULL);
  const dwarf_type *s = expect_type(d, ps->target, DWARF_TYPE_STRUCT, "S");
  cr_assert_eq(s->nmembers, 3);
  cr_assert_eq(s->members[0].type, q->type);
  cr_assert(s->members[1].offset == 4 && s->members[1].type == int_t);
  cr_assert(s->members[2].bit_size == 3 && s->members[2].bit_offset == 37 &&
            s->members[2].offset == 4);
  const dwarf_type *ta =
      expect_type(d, f->vars[2].type, DWARF_TYPE_TYPEDEF, "A");
  const dwarf_type *tb = expect_type(d, ta->target, DWARF_TYPE_TYPEDEF, "B");
  cr_assert_eq(tb->target, -1, "the typedef cycle is cut");
  cr_assert_eq(f->vars[3].type, int_t);
  expect_type(d, f->vars[5].type, DWARF_TYPE_BASE, "long");

  /* lines: the dead sequence dropped; one sequence ends where the next
   * starts */
  cr_assert_eq(d->nrows, 6, "%u rows", d->nrows);
  const dwarf_row *r = dwarf_row_at(d, 0x10);
  cr_assert(r && r->line == 10 && !strcmp(d->files[r->file].name, "prog.c"));
  cr_assert_str_eq(d->files[r->file].dir, "/src");
  r = dwarf_row_at(d, 0x17);
  cr_assert(r && r->addr == 0x14 && r->line == 11);
  r = dwarf_row_at(d, 0x3f);
  cr_assert(r && r->addr == 0x1c && r->line == 11 && r->column == 3);
  cr_assert(r->flags & DWARF_ROW_PROLOGUE_END);
  cr_assert_str_eq(d->files[r->file].name, "inc.h");
  r = dwarf_row_at(d, 0x40);
  cr_assert(r && r->line == 20);
  cr_assert_null(dwarf_row_at(d, 0x50));
  cr_assert_null(dwarf_row_at(d, 0x0f));

  dwarf_free(d);
  wasm_module_free(m);
  wb_free(&mod);
}

static void indirect_implicit(wb_buf *info, wb_buf *abbrev) {
  /* abbreviation 5's name: DW_FORM_indirect, whose form in the DIE is
   * patched to DW_FORM_implicit_const (forbidden there) */
  (void)abbrev;
  for (size_t i = 0; i + 2 < info->len; i++)
    if (info->data[i] == 5 && info->data[i + 1] == 0x08 &&
        info->data[i + 2] == 'v') {
      info->data[i + 1] = 0x21;
      return;
    }
  cr_assert_fail("variable v not found");
}

static char *read_fails(wb_buf *mod, char *msg, size_t n) {
  wasm_error err = {0};
  wasm_module *m = wb_decode(mod, &err);
  cr_assert(m, "%s", err.msg);
  dwarf_info *d = dwarf_read(m, msg, n);
  cr_assert_null(d, "dwarf_read accepted malformed DWARF");
  cr_assert(msg[0]);
  wasm_module_free(m);
  return msg;
}

Test(handmade, errors) {
  char msg[256];
  wb_buf mod = handmade(indirect_implicit);
  read_fails(&mod, msg, sizeof msg);
  cr_assert(strstr(msg, "`.debug_info`+0x") && strstr(msg, "implicit_const"),
            "%s", msg);
  wb_free(&mod);

  /* no .debug_info: NULL and no message */
  mod = wb_module();
  wasm_error err = {0};
  wasm_module *m = wb_decode(&mod, &err);
  msg[0] = 'x';
  cr_assert_null(dwarf_read(m, msg, sizeof msg));
  cr_assert_eq(msg[0], 0);
  wasm_module_free(m);
  wb_free(&mod);
}

/* ---- corrupted clang output ---------------------------------------------- */

typedef struct {
  uint8_t *bytes;
  size_t size;
} bytes;

/* dwarf_read on a copy of `b` with one byte set; returns the message, or
 * NULL when the read succeeded (then its result was sane). */
static bool read_patched(const bytes *b, size_t at, uint8_t value, char *msg,
                         size_t n) {
  uint8_t *copy = malloc(b->size);
  memcpy(copy, b->bytes, b->size);
  copy[at] = value;
  wasm_module *m = decode(copy, b->size);
  dwarf_info *d = dwarf_read(m, msg, n);
  bool ok = d != NULL;
  if (d)
    sanity(d);
  else
    cr_assert(strstr(msg, "`.debug_") || strstr(msg, "section"),
              "message without a section: %s", msg);
  dwarf_free(d);
  wasm_module_free(m);
  free(copy);
  return ok;
}

static void patch_expect(const bytes *b, size_t at, const uint8_t *v, size_t n,
                         const char *want1, const char *want2) {
  uint8_t *copy = malloc(b->size);
  memcpy(copy, b->bytes, b->size);
  memcpy(copy + at, v, n);
  wasm_module *m = decode(copy, b->size);
  char msg[256];
  dwarf_info *d = dwarf_read(m, msg, sizeof msg);
  cr_assert_null(d, "accepted (want %s)", want1);
  cr_assert(strstr(msg, want1) && strstr(msg, want2),
            "message \"%s\", want \"%s\" and \"%s\"", msg, want1, want2);
  wasm_module_free(m);
  free(copy);
}

Test(corrupt, named_errors) {
  bytes b;
  b.bytes = read_all(PROG("O0_4"), &b.size);
  wasm_module *m = decode(b.bytes, b.size);
  size_t info, info_size, abbrev, abbrev_size;
  payload(m, ".debug_info", &info, &info_size, NULL);
  payload(m, ".debug_abbrev", &abbrev, &abbrev_size, NULL);
  wasm_module_free(m);

  patch_expect(&b, info, (const uint8_t[]){0x00, 0x00, 0x00, 0x7f}, 4,
               "`.debug_info`+0x0:", "runs past the end");
  patch_expect(&b, info, (const uint8_t[]){0xff, 0xff, 0xff, 0xff}, 4,
               "`.debug_info`+0x0:", "64-bit DWARF");
  patch_expect(&b, info + 4, (const uint8_t[]){9, 0}, 2,
               "`.debug_info`+0x4:", "unsupported DWARF version 9");
  patch_expect(&b, info + 10, (const uint8_t[]){8}, 1,
               "`.debug_info`+0x0:", "address size 8");
  /* the first DIE (after the 11-byte DWARF 4 header) */
  patch_expect(&b, info + 11, (const uint8_t[]){0x7f}, 1,
               "`.debug_info`+0xb:", "unknown abbreviation code 127");
  patch_expect(&b, info + 6, (const uint8_t[]){0xff, 0xff, 0xff, 0x00}, 4,
               "`.debug_info`+0x6:", "past the end of `.debug_abbrev`");
  /* abbreviation 1: code, tag, children, then its first form at +4 */
  patch_expect(&b, abbrev + 4, (const uint8_t[]){0x7e}, 1,
               "`.debug_abbrev`+0x4:", "unknown form 0x7e");
  free(b.bytes);
}

/* A copy of the module with custom section `sec`'s payload cut to `keep`
 * bytes (the section size rewritten). */
static bytes truncated(const bytes *b, const wasm_module *m, uint32_t sec,
                       size_t payload_off, size_t keep) {
  const wasm_section *s = &m->sections[sec];
  size_t head = payload_off - s->contents; /* the name */
  size_t new_size = head + keep;
  bytes t;
  t.bytes = malloc(b->size + 8);
  size_t n = 0;
  memcpy(t.bytes, b->bytes, s->offset + 1);
  n = s->offset + 1;
  uint64_t v = new_size;
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    t.bytes[n++] = byte | (v ? 0x80 : 0);
  } while (v);
  memcpy(t.bytes + n, b->bytes + s->contents, new_size);
  n += new_size;
  size_t rest = s->contents + s->size;
  memcpy(t.bytes + n, b->bytes + rest, b->size - rest);
  t.size = n + b->size - rest;
  return t;
}

Test(corrupt, truncated_sections) {
  bytes b;
  b.bytes = read_all(PROG("O0_5"), &b.size);
  wasm_module *m = decode(b.bytes, b.size);
  const char *names[] = {".debug_info", ".debug_abbrev", ".debug_line",
                         ".debug_str", ".debug_str_offsets", ".debug_addr",
                         ".debug_loclists", ".debug_loc"};
  for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
    bool present = false;
    for (uint32_t i = 0; i < m->nsections; i++)
      present |= m->sections[i].id == 0 &&
                 !strcmp(m->sections[i].custom_name.str, names[k]);
    if (!present)
      continue;
    size_t off, size;
    uint32_t sec;
    payload(m, names[k], &off, &size, &sec);
    /* cut at a few places: some reads must fail (naming a section), none
     * may crash */
    for (size_t keep = 0; keep < size; keep += size / 7 + 1) {
      bytes t = truncated(&b, m, sec, off, keep);
      char msg[256];
      read_patched(&t, 0, t.bytes[0], msg, sizeof msg);
      free(t.bytes);
    }
  }
  /* .debug_abbrev cut inside the first table: that section is named */
  size_t off, size;
  uint32_t sec;
  payload(m, ".debug_abbrev", &off, &size, &sec);
  bytes t = truncated(&b, m, sec, off, 10);
  char msg[256];
  cr_assert(!read_patched(&t, 0, t.bytes[0], msg, sizeof msg));
  cr_assert(strstr(msg, "`.debug_abbrev`+0xa:"), "%s", msg);
  free(t.bytes);
  wasm_module_free(m);
  free(b.bytes);
}

/* Every byte of the start of each section, set to a few values: dwarf_read
 * returns NULL with a message or a sane result, never crashes or hangs.
 * Only the first three units of .debug_info are kept (crt1's, the
 * program's and one of libc's), so that each read is quick. */
static void sweep(const char *path, const char *const *names, size_t nnames,
                  size_t limit) {
  bytes whole;
  whole.bytes = read_all(path, &whole.size);
  wasm_module *m = decode(whole.bytes, whole.size);
  size_t info, info_size, keep = 0;
  uint32_t sec;
  payload(m, ".debug_info", &info, &info_size, &sec);
  for (int u = 0; u < 3 && keep + 4 <= info_size; u++) {
    const uint8_t *p = whole.bytes + info + keep;
    keep += 4 + (size_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
  }
  cr_assert_leq(keep, info_size);
  bytes b = truncated(&whole, m, sec, info, keep);
  wasm_module_free(m);
  free(whole.bytes);
  m = decode(b.bytes, b.size);
  unsigned failed = 0, total = 0;
  for (size_t k = 0; k < nnames; k++) {
    size_t off, size;
    payload(m, names[k], &off, &size, NULL);
    for (size_t i = 0; i < size && i < limit; i++) {
      uint8_t orig = b.bytes[off + i];
      const uint8_t values[] = {(uint8_t)~orig, 0x00, (uint8_t)(orig ^ 0x80),
                                (uint8_t)(orig + 1)};
      for (size_t v = 0; v < sizeof values; v++) {
        char msg[256];
        total++;
        failed += !read_patched(&b, off + i, values[v], msg, sizeof msg);
      }
    }
  }
  cr_assert_gt(failed, 0);
  cr_log_info("%s: %u of %u mutations refused", path, failed, total);
  wasm_module_free(m);
  free(b.bytes);
}

Test(corrupt, sweep_dwarf4, .timeout = 300) {
  const char *names[] = {".debug_info", ".debug_abbrev", ".debug_line",
                         ".debug_loc"};
  sweep(PROG("O1_4"), names, 4, 0x400);
}

Test(corrupt, sweep_dwarf5, .timeout = 300) {
  const char *names[] = {".debug_info", ".debug_abbrev", ".debug_line",
                         ".debug_str_offsets", ".debug_addr",
                         ".debug_loclists"};
  sweep(PROG("O1_5"), names, 6, 0x400);
}

Test(corrupt, sweep_handmade, .timeout = 300) {
  wb_buf mod = handmade(NULL);
  bytes b = {mod.data, mod.len};
  wasm_module *m = decode(b.bytes, b.size);
  unsigned total = 0;
  for (uint32_t i = 0; i < m->nsections; i++) {
    size_t off, size;
    payload(m, m->sections[i].custom_name.str, &off, &size, NULL);
    for (size_t j = 0; j < size; j++)
      for (unsigned v = 0; v < 256; v += 51) {
        char msg[256];
        read_patched(&b, off + j, (uint8_t)(b.bytes[off + j] ^ (v | 1)), msg,
                     sizeof msg);
        total++;
      }
  }
  cr_assert_gt(total, 1000);
  wasm_module_free(m);
  wb_free(&mod);
}

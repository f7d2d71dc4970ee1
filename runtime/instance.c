/* instance.c: instantiation, as the spec's `instantiate` describes it.
 *
 *  1. link-check the imports: kinds, function types by canonical id, table
 *     and memory limits subtyping, global type and mutability; a module
 *     compiled without bounds checks also needs every memory guarded;
 *  2. allocate the vmctx, a funcref for every function (imported: the
 *     bound one, or the module's host adapter for a host function;
 *     defined: {func_code[i], vmctx, type_id}), tables, memories and
 *     globals (initialisers evaluated in order);
 *  3. evaluate the element segments' items;
 *  4. in order: every element segment (active: table.init then elem.drop;
 *     declarative: elem.drop), then every data segment (active:
 *     memory.init then data.drop), trapping on out-of-bounds;
 *  5. the start function.
 * A trap in 4 or 5 fails instantiation, but writes already done to
 * imported tables and memories stay (Wasm 2.0), and those tables may now
 * hold funcrefs of this instance: such an instance is kept alive with its
 * module ("zombie") instead of being freed.
 *
 * GC: the vmctx's RTTS slot gives each type index its canonical run-time
 * type (types.c). Constant expressions may allocate (struct.new,
 * array.new*), so everything that holds reference words while they run
 * is a root provider of the collector (gc.h): the evaluator's own stack,
 * and, for the instance's life, its globals of the any and extern
 * hierarchies and its element segments of those types (passive ones are
 * kept for table.init, array.new_elem and array.init_elem). Its tables
 * register themselves (table.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "internal.h"

static const char *kind_name(uint32_t k) {
  static const char *const names[] = {"function", "table", "memory", "global", "tag"};
  return k <= 4 ? names[k] : "?";
}

static bool link_error(wasmrt_error *err, const wasmrt_import_desc *imp, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));
static bool link_error(wasmrt_error *err, const wasmrt_import_desc *imp, const char *fmt,
                       ...) {
  char why[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  rt_error(err, "incompatible import type for \"%.*s\" \"%.*s\": %s", (int)imp->module_len,
           imp->module, (int)imp->name_len, imp->name, why);
  return false;
}

/* Limits subtyping: actual {min a, max A} matches import {min i, max I}
 * when both have the same address type, a >= i and, if the import has a
 * maximum, the actual one has one and A <= I. */
static bool limits_match(bool ais64, uint64_t amin, bool ahas, uint64_t amax,
                         const wasmrt_limits_desc *l) {
  if (ais64 != (l->is64 != 0)) return false;
  if (amin < l->min) return false;
  if (l->has_max && (!ahas || amax > l->max)) return false;
  return true;
}

/* The operands of an extended-const binary operator (validation made
 * them the right type and there). */
static bool const_pop2(wasmrt_val *stack, uint32_t *sp, wasmrt_val *a, wasmrt_val *b,
                       wasmrt_error *err) {
  if (*sp < 2) {
    rt_error(err, "corrupt module descriptor: constant expression stack underflow");
    return false;
  }
  *b = stack[--*sp];
  *a = stack[--*sp];
  return true;
}

/* ref.func idx, in a constant expression or a compact element segment:
 * the instance's funcref; false + error for an index the descriptor does
 * not have (a corrupt descriptor). */
static bool ref_func(wasmrt_instance *inst, uint64_t idx, void **ref, wasmrt_error *err) {
  uint32_t nfuncs = inst->module->desc->nfuncs;
  if (idx >= nfuncs) {
    rt_error(err, "constant expression references function %llu of %u",
             (unsigned long long)idx, nfuncs);
    return false;
  }
  *ref = inst->funcs[idx];
  return true;
}

/* ---- GC in constant expressions ----------------------------------------------- */

/* The evaluator's stack as a root provider while an expression that
 * allocates runs: the words of its reference values (isref), which
 * nothing else holds yet. Numbers are never visited: an integer's bits
 * may look like an object word. */
typedef struct {
  const wasmrt_val *stack;
  const uint8_t *isref;
  const uint32_t *sp;
} const_roots;

static void const_stack_roots(void *arg, gc_tracer *t) {
  const const_roots *r = arg;
  for (uint32_t i = 0; i < *r->sp; i++)
    if (r->isref[i]) gc_visit(t, (uintptr_t)r->stack[i].ref);
}

static bool const_allocates(uint32_t op) {
  return op == WASMRT_CONST_STRUCT_NEW || op == WASMRT_CONST_STRUCT_NEW_DEFAULT ||
         op == WASMRT_CONST_ARRAY_NEW || op == WASMRT_CONST_ARRAY_NEW_DEFAULT ||
         op == WASMRT_CONST_ARRAY_NEW_FIXED;
}

/* The struct or array type `index` a GC op names, checked against the
 * descriptor (a corrupt one fails instantiation, never crashes). */
static const wasmrt_rtt *const_rtt(wasmrt_instance *inst, uint64_t index, uint32_t kind,
                                   const wasmrt_typedef_desc **td, wasmrt_error *err) {
  const wasmrt_module_desc *d = inst->module->desc;
  if (index >= d->ntypes || !d->typedefs || !inst->rtts[index] ||
      inst->rtts[index]->kind != kind) {
    rt_error(err, "corrupt module descriptor: constant expression allocates type %llu, "
                  "not a %s type", (unsigned long long)index,
             kind == WASMRT_COMP_STRUCT ? "struct" : "array");
    return NULL;
  }
  *td = &d->typedefs[index];
  return inst->rtts[index];
}

static bool const_oom(wasmrt_error *err) {
  rt_error(err, "%s", wasmrt_trap_message(WASMRT_TRAP_OUT_OF_MEMORY));
  if (err) err->trap = WASMRT_TRAP_OUT_OF_MEMORY;
  return false;
}

/* Stores value v as a field of `size` bytes of storage (packed i8/i16:
 * its low bytes; wasmrt_val keeps every member at offset 0, and the
 * targets are little-endian). */
static void store_field(uint8_t *p, const wasmrt_val *v, uint32_t size) {
  memcpy(p, v, size);
}

static bool eval_const(wasmrt_instance *inst, const wasmrt_const_desc *c, wasmrt_val *out,
                       wasmrt_error *err) {
  /* The stack never holds more values than there are instructions. */
  wasmrt_val small[8], *stack = small;
  uint8_t small_isref[8], *isref = small_isref;
  if (c->nops > 8 &&
      (!(stack = malloc(c->nops * sizeof *stack)) || !(isref = malloc(c->nops)))) {
    if (stack != small) free(stack);
    rt_error(err, "out of memory");
    return false;
  }
  bool ok = false;
  uint32_t sp = 0;
  const wasmrt_module_desc *d = inst->module->desc;
  /* Only expressions that allocate need their stack seen by the
   * collector (the common ones, numbers, ref.func, never do). */
  const_roots roots = {stack, isref, &sp};
  bool rooted = false;
  for (uint32_t i = 0; i < c->nops && !rooted; i++) rooted = const_allocates(c->ops[i].op);
  if (rooted && !gc_add_roots(const_stack_roots, &roots)) {
    rooted = false;
    rt_error(err, "out of memory");
    goto out;
  }
  for (uint32_t i = 0; i < c->nops; i++) {
    const wasmrt_const_op *op = &c->ops[i];
    wasmrt_val v, a, b;
    memset(&v, 0, sizeof v);
    bool ref = false; /* v is a reference word */
    switch (op->op) {
    case WASMRT_CONST_I32_ADD: case WASMRT_CONST_I32_SUB: case WASMRT_CONST_I32_MUL:
      if (!const_pop2(stack, &sp, &a, &b, err)) goto out;
      /* unsigned arithmetic: Wasm wraps, C's signed overflow must not */
      v.i32 = (int32_t)(op->op == WASMRT_CONST_I32_ADD   ? (uint32_t)a.i32 + (uint32_t)b.i32
                        : op->op == WASMRT_CONST_I32_SUB ? (uint32_t)a.i32 - (uint32_t)b.i32
                                                         : (uint32_t)a.i32 * (uint32_t)b.i32);
      break;
    case WASMRT_CONST_I64_ADD: case WASMRT_CONST_I64_SUB: case WASMRT_CONST_I64_MUL:
      if (!const_pop2(stack, &sp, &a, &b, err)) goto out;
      v.i64 = (int64_t)(op->op == WASMRT_CONST_I64_ADD   ? (uint64_t)a.i64 + (uint64_t)b.i64
                        : op->op == WASMRT_CONST_I64_SUB ? (uint64_t)a.i64 - (uint64_t)b.i64
                                                         : (uint64_t)a.i64 * (uint64_t)b.i64);
      break;
    case WASMRT_CONST_I32: v.i32 = (int32_t)(uint32_t)op->a; break;
    case WASMRT_CONST_I64: v.i64 = (int64_t)op->a; break;
    case WASMRT_CONST_F32: {
      uint32_t bits = (uint32_t)op->a;
      memcpy(&v.f32, &bits, 4);
      break;
    }
    case WASMRT_CONST_F64: memcpy(&v.f64, &op->a, 8); break;
    case WASMRT_CONST_V128: v.u64[0] = op->a; v.u64[1] = op->b; break;
    case WASMRT_CONST_GLOBAL_GET:
      if (op->a >= d->nglobals || !inst->globals[op->a]) {
        rt_error(err, "constant expression reads global %llu, not yet defined",
                 (unsigned long long)op->a);
        goto out;
      }
      v = inst->globals[op->a]->value;
      ref = rt_vt_is_gc_ref(inst->globals[op->a]->type);
      break;
    case WASMRT_CONST_REF_NULL: v.ref = NULL; break;
    case WASMRT_CONST_REF_FUNC:
      if (!ref_func(inst, op->a, &v.ref, err)) goto out;
      break;
    /* GC. Operands stay on the stack (rooted) until the object that
     * takes them exists. */
    case WASMRT_CONST_STRUCT_NEW:
    case WASMRT_CONST_STRUCT_NEW_DEFAULT: {
      const wasmrt_typedef_desc *td;
      const wasmrt_rtt *rtt = const_rtt(inst, op->a, WASMRT_COMP_STRUCT, &td, err);
      if (!rtt) goto out;
      uint32_t n = op->op == WASMRT_CONST_STRUCT_NEW ? td->nfields : 0;
      if (sp < n) goto underflow;
      uint8_t *obj = gc_alloc(rtt, rtt->size);
      if (!obj) {
        const_oom(err);
        goto out;
      }
      for (uint32_t f = 0; f < n; f++)
        store_field(obj + td->fields[f].offset, &stack[sp - n + f], td->fields[f].size);
      sp -= n;
      v.ref = (void *)gc_word_of(obj);
      ref = true;
      break;
    }
    case WASMRT_CONST_ARRAY_NEW:
    case WASMRT_CONST_ARRAY_NEW_DEFAULT:
    case WASMRT_CONST_ARRAY_NEW_FIXED: {
      const wasmrt_typedef_desc *td;
      const wasmrt_rtt *rtt = const_rtt(inst, op->a, WASMRT_COMP_ARRAY, &td, err);
      if (!rtt) goto out;
      /* operands: array.new [value, length], new_default [length],
       * new_fixed the b values */
      uint32_t npop = op->op == WASMRT_CONST_ARRAY_NEW           ? 2
                      : op->op == WASMRT_CONST_ARRAY_NEW_DEFAULT ? 1
                      : op->b > UINT32_MAX                       ? UINT32_MAX
                                                                 : (uint32_t)op->b;
      if (sp < npop) goto underflow;
      uint64_t len = op->op == WASMRT_CONST_ARRAY_NEW_FIXED ? npop
                                                            : (uint32_t)stack[sp - 1].i32;
      uint8_t *arr = gc_alloc_array(rtt, len);
      if (!arr) {
        const_oom(err);
        goto out;
      }
      uint8_t *data = arr + WASMRT_GC_ARRAY_DATA;
      if (op->op == WASMRT_CONST_ARRAY_NEW)
        for (uint64_t k = 0; k < len; k++)
          store_field(data + k * rtt->size, &stack[sp - 2], rtt->size);
      else if (op->op == WASMRT_CONST_ARRAY_NEW_FIXED)
        for (uint32_t k = 0; k < npop; k++)
          store_field(data + (uint64_t)k * rtt->size, &stack[sp - npop + k], rtt->size);
      sp -= npop;
      v.ref = (void *)gc_word_of(arr);
      ref = true;
      break;
    }
    case WASMRT_CONST_REF_I31:
      if (sp < 1) goto underflow;
      sp--;
      v.ref = (void *)(uintptr_t)((uint32_t)stack[sp].i32 << 1 | 1u);
      break;
    case WASMRT_CONST_ANY_CONVERT_EXTERN:
    case WASMRT_CONST_EXTERN_CONVERT_ANY:
      /* the same word in either hierarchy */
      if (sp < 1) goto underflow;
      sp--;
      v = stack[sp];
      ref = isref[sp];
      break;
    default:
      rt_error(err, "not supported yet: constant expression instruction 0x%x", op->op);
      goto out;
    }
    isref[sp] = ref;
    stack[sp++] = v;
  }
  if (sp != 1) {
    rt_error(err, "constant expression leaves %u values", sp);
    goto out;
  }
  *out = stack[0];
  ok = true;
  goto out;
underflow:
  rt_error(err, "corrupt module descriptor: constant expression stack underflow");
out:
  if (rooted) gc_remove_roots(const_stack_roots, &roots);
  if (stack != small) free(stack);
  if (isref != small_isref) free(isref);
  return ok;
}

/* The instance's own reference words, for the collector: its globals of
 * the any and extern hierarchies, and the items of its element segments
 * of those types that are not dropped (elem_len: active and declarative
 * ones are dropped once applied; during evaluation it counts the items
 * evaluated so far). */
static void instance_roots(void *arg, gc_tracer *t) {
  wasmrt_instance *inst = arg;
  const wasmrt_module_desc *d = inst->module->desc;
  for (uint32_t k = 0; k < inst->ngc_globals; k++)
    gc_visit(t, (uintptr_t)inst->own_globals[inst->gc_globals[k]].value.ref);
  for (uint32_t i = 0; i < d->nelems; i++)
    if (inst->elem_gc[i] && inst->elem_items[i])
      gc_visit_range(t, (void *const *)inst->elem_items[i], inst->elem_len[i]);
}

static bool bind_imports(wasmrt_instance *inst, const wasmrt_extern *imports,
                         wasmrt_error *err) {
  wasmrt_module *m = inst->module;
  const wasmrt_module_desc *d = m->desc;
  bool needs_guard = !(d->flags & WASMRT_MODULE_BOUNDS_CHECKED);
  uint32_t fi = 0, ti = 0, mi = 0, gi = 0, hb = 0, xi = 0;
  for (uint32_t i = 0; i < d->nimports; i++) {
    const wasmrt_import_desc *imp = &d->imports[i];
    const wasmrt_extern *ex = &imports[i];
    if (ex->kind != imp->kind)
      return link_error(err, imp, "expected a %s, got a %s", kind_name(imp->kind),
                        kind_name(ex->kind));
    switch (imp->kind) {
    case WASMRT_EXTERN_FUNC: {
      wasmrt_funcref *f = ex->of.func;
      if (!f) return link_error(err, imp, "null function");
      /* a function of a subtype of the import's type will do */
      if (!rt_type_sub(f->type_id, m->type_ids[imp->type_index]))
        return link_error(err, imp, "function type differs");
      if (rt_funcref_is_host(f)) {
        void *adapter = d->host_adapters ? d->host_adapters[imp->type_index] : NULL;
        if (!adapter)
          return link_error(err, imp, "module has no host adapter for type %u",
                            imp->type_index);
        inst->host_binds[hb] = (wasmrt_funcref){adapter, f->ctx, f->type_id, UINT32_MAX};
        f = &inst->host_binds[hb++];
      }
      inst->funcs[fi++] = f;
      break;
    }
    case WASMRT_EXTERN_TABLE: {
      wasmrt_table *t = ex->of.table;
      if (!t) return link_error(err, imp, "null table");
      /* tables are mutable: the element types must be the same */
      if (t->elem_type != rt_vt_canon(imp->value_type, m->type_ids))
        return link_error(err, imp, "table element type differs");
      if (!limits_match(rt_table_is64(t), t->size, rt_table_has_max(t), t->max, &imp->limits))
        return link_error(err, imp, "table limits do not match");
      inst->tables[ti++] = t;
      break;
    }
    case WASMRT_EXTERN_MEMORY: {
      wasmrt_memory *mem = ex->of.memory;
      if (!mem) return link_error(err, imp, "null memory");
      if (!limits_match(rt_memory_is64(mem), rt_memory_size(mem) / WASMRT_PAGE_SIZE,
                        rt_memory_has_max(mem), mem->max_pages, &imp->limits))
        return link_error(err, imp, "memory limits do not match");
      /* threads: shared imports only shared memories, and the reverse */
      if (rt_memory_shared(mem) != (imp->limits.shared != 0))
        return link_error(err, imp, "%s",
                          rt_memory_shared(mem) ? "memory is shared, the import is not"
                                                : "memory is not shared, the import is");
      /* 64-bit memories are bounds-checked by the code, never guarded */
      if (needs_guard && !imp->limits.is64 && !rt_memory_guarded(mem))
        return link_error(err, imp,
                          "memory has no guard region and the module was compiled "
                          "without bounds checks");
      inst->memories[mi++] = mem;
      break;
    }
    case WASMRT_EXTERN_GLOBAL: {
      wasmrt_global *g = ex->of.global;
      if (!g) return link_error(err, imp, "null global");
      /* an immutable global may be of a subtype; a mutable one is read
       * and written, so its type must be the same */
      uint32_t want = rt_vt_canon(imp->value_type, m->type_ids);
      if (g->mutable_ != (imp->mutable_ ? 1 : 0) ||
          (imp->mutable_ ? g->type != want : !rt_vt_sub(g->type, want)))
        return link_error(err, imp, "global type or mutability differs");
      inst->globals[gi++] = g;
      break;
    }
    case WASMRT_EXTERN_TAG: {
      /* The exporter's tag itself: tags have identity across modules. */
      wasmrt_tag *t = ex->of.tag;
      if (!t) return link_error(err, imp, "null tag");
      if (t->type_id != m->type_ids[imp->type_index])
        return link_error(err, imp, "tag type differs");
      inst->tags[xi++] = t;
      break;
    }
    }
  }
  return true;
}

static bool alloc_instance(wasmrt_instance *inst, const wasmrt_module_desc *d) {
  uint32_t nhost = d->nimported_funcs, ndef = d->nfuncs - d->nimported_funcs;
  inst->funcs = calloc(d->nfuncs + 1, sizeof *inst->funcs);
  inst->own_funcs = calloc(ndef + 1, sizeof *inst->own_funcs);
  inst->host_binds = calloc(nhost + 1, sizeof *inst->host_binds);
  inst->tables = calloc(d->ntables + 1, sizeof *inst->tables);
  inst->memories = calloc(d->nmemories + 1, sizeof *inst->memories);
  inst->globals = calloc(d->nglobals + 1, sizeof *inst->globals);
  size_t gsize = (size_t)(d->nglobals + 1) * sizeof(wasmrt_global);
  inst->own_globals = aligned_alloc(_Alignof(wasmrt_global), gsize);
  if (inst->own_globals) memset(inst->own_globals, 0, gsize);
  inst->elem_len = calloc(d->nelems + 1, sizeof *inst->elem_len);
  inst->elem_items = calloc(d->nelems + 1, sizeof *inst->elem_items);
  inst->data_dropped = calloc(d->ndatas + 1, 1);
  inst->tags = calloc(d->ntags + 1, sizeof *inst->tags);
  inst->own_tags = calloc(d->ntags - d->nimported_tags + 1, sizeof *inst->own_tags);
  inst->rtts = calloc(d->ntypes + 1, sizeof *inst->rtts);
  inst->gc_globals = calloc(d->nglobals - d->nimported_globals + 1, sizeof *inst->gc_globals);
  inst->elem_gc = calloc(d->nelems + 1, 1);
  return inst->rtts && inst->gc_globals && inst->elem_gc && inst->tags && inst->own_tags &&
         inst->funcs && inst->own_funcs && inst->host_binds && inst->tables && inst->memories &&
         inst->globals && inst->own_globals && inst->elem_len && inst->elem_items &&
         inst->data_dropped;
}

WASMRT_API void wasmrt_instance_free(wasmrt_instance *inst) {
  if (!inst) return;
  const wasmrt_module_desc *d = inst->module->desc;
  if (inst->roots_registered) gc_remove_roots(instance_roots, inst);
  for (uint32_t i = d->nimported_tables; inst->tables && i < d->ntables; i++)
    wasmrt_table_free(inst->tables[i]);
  for (uint32_t i = d->nimported_memories; inst->memories && i < d->nmemories; i++)
    wasmrt_memory_free(inst->memories[i]);
  for (uint32_t i = 0; inst->elem_items && i < d->nelems; i++) free(inst->elem_items[i]);
  free(inst->funcs);
  free(inst->own_funcs);
  free(inst->host_binds);
  free(inst->tables);
  free(inst->memories);
  free(inst->globals);
  free(inst->own_globals);
  free(inst->elem_len);
  free(inst->elem_items);
  free(inst->data_dropped);
  free(inst->tags);
  free(inst->own_tags);
  free(inst->rtts);
  free(inst->gc_globals);
  free(inst->elem_gc);
  free(inst);
}

/* Step 4: segments. Returns a trap code (0 = all applied); *shared_write
 * is set once a funcref may have been stored into an imported table. */
static uint32_t init_segments(wasmrt_instance *inst, bool *shared_write, wasmrt_error *err) {
  const wasmrt_module_desc *d = inst->module->desc;
  for (uint32_t i = 0; i < d->nelems; i++) {
    const wasmrt_elem_desc *e = &d->elems[i];
    if (e->mode == WASMRT_SEG_ACTIVE) {
      wasmrt_val off;
      if (!eval_const(inst, &e->offset, &off, err)) return UINT32_MAX;
      wasmrt_table *t = inst->tables[e->table];
      uint64_t dst = rt_table_is64(t) ? (uint64_t)off.i64 : (uint32_t)off.i32;
      if (!rt_in_range(dst, inst->elem_len[i], t->size)) return WASMRT_TRAP_TABLE_OOB;
      if (e->table < d->nimported_tables && inst->elem_len[i]) *shared_write = true;
      memcpy(t->elems + dst, inst->elem_items[i], inst->elem_len[i] * sizeof(void *));
    }
    if (e->mode != WASMRT_SEG_PASSIVE) inst->elem_len[i] = 0; /* elem.drop */
  }
  for (uint32_t i = 0; i < d->ndatas; i++) {
    const wasmrt_data_desc *s = &d->datas[i];
    if (s->mode != WASMRT_SEG_ACTIVE) continue;
    wasmrt_val off;
    if (!eval_const(inst, &s->offset, &off, err)) return UINT32_MAX;
    wasmrt_memory *mem = inst->memories[s->memory];
    uint64_t dst = rt_memory_is64(mem) ? (uint64_t)off.i64 : (uint32_t)off.i32;
    if (!rt_in_range(dst, s->len, rt_memory_size(mem))) return WASMRT_TRAP_MEMORY_OOB;
    if (s->len) memcpy(mem->base + dst, s->bytes, s->len);
    inst->data_dropped[i] = 1; /* data.drop */
  }
  return 0;
}

WASMRT_API wasmrt_instance *wasmrt_instantiate(wasmrt_module *m, const wasmrt_extern *imports,
                                               uint32_t nimports, wasmrt_error *err) {
  wasmrt_error local_err;
  if (!err) err = &local_err;
  if (!m) {
    rt_error(err, "no module");
    return NULL;
  }
  const wasmrt_module_desc *d = m->desc;
  if (nimports != d->nimports) {
    rt_error(err, "module has %u imports, %u given", d->nimports, nimports);
    return NULL;
  }
  rt_thread_init();
  wasmrt_instance *inst = calloc(1, sizeof *inst);
  if (!inst) {
    rt_error(err, "out of memory");
    return NULL;
  }
  inst->module = m;
  if (!alloc_instance(inst, d)) {
    rt_error(err, "out of memory");
    goto fail;
  }
  if (!bind_imports(inst, imports, err)) goto fail;

  /* GC: run-time types, and which globals and segments hold words the
   * collector must see; from here on, the instance is a root provider,
   * before any constant expression can allocate. */
  for (uint32_t i = 0; i < d->ntypes; i++) inst->rtts[i] = rt_types_rtt(m->type_ids[i]);
  for (uint32_t i = d->nimported_globals; i < d->nglobals; i++)
    if (rt_vt_is_gc_ref(rt_vt_canon(d->globals[i - d->nimported_globals].type, m->type_ids)))
      inst->gc_globals[inst->ngc_globals++] = i - d->nimported_globals;
  for (uint32_t i = 0; i < d->nelems; i++)
    inst->elem_gc[i] = rt_vt_is_gc_ref(rt_vt_canon(d->elems[i].elem_type, m->type_ids));
  if (!gc_add_roots(instance_roots, inst)) {
    rt_error(err, "out of memory");
    goto fail;
  }
  inst->roots_registered = true;

  /* Functions. */
  for (uint32_t i = d->nimported_funcs; i < d->nfuncs; i++) {
    wasmrt_funcref *f = &inst->own_funcs[i - d->nimported_funcs];
    *f = (wasmrt_funcref){wasmrt_func_code(d, i - d->nimported_funcs), &inst->vmctx,
                          m->type_ids[d->func_types[i]], i};
    inst->funcs[i] = f;
  }
  /* Tags: each definition is a new tag, distinct from all others. */
  for (uint32_t i = d->nimported_tags; i < d->ntags; i++) {
    wasmrt_tag *t = &inst->own_tags[i - d->nimported_tags];
    const wasmrt_functype_desc *ft = &d->types[d->tag_types[i]];
    *t = (wasmrt_tag){m->type_ids[d->tag_types[i]], ft->nparams};
    inst->tags[i] = t;
  }
  /* Tables and memories. */
  for (uint32_t i = d->nimported_tables; i < d->ntables; i++) {
    const wasmrt_table_desc *t = &d->tables[i - d->nimported_tables];
    if (!t->limits.is64 &&
        (t->limits.min > UINT32_MAX || (t->limits.has_max && t->limits.max > UINT32_MAX))) {
      rt_error(err, "table size out of range");
      goto fail;
    }
    inst->tables[i] = rt_table_create(rt_vt_canon(t->elem_type, m->type_ids), t->limits.min,
                                      t->limits.max, t->limits.has_max, t->limits.is64 != 0,
                                      NULL, err);
    if (!inst->tables[i]) goto fail;
  }
  bool guarded = !(d->flags & WASMRT_MODULE_BOUNDS_CHECKED);
  for (uint32_t i = d->nimported_memories; i < d->nmemories; i++) {
    const wasmrt_memory_desc *md = &d->memories[i - d->nimported_memories];
    inst->memories[i] = rt_memory_create(md->limits.min, md->limits.max, md->limits.has_max,
                                         md->limits.is64 != 0, guarded, err);
    if (!inst->memories[i]) goto fail;
    if (md->limits.shared) rt_memory_make_shared(inst->memories[i]);
  }
  /* vmctx, complete before anything can run or reference it. */
  inst->vmctx = (wasmrt_vmctx){
      .mem0_base = d->nmemories ? inst->memories[0]->base : NULL,
      .mem0 = d->nmemories ? inst->memories[0] : NULL,
      .stack_limit = rt_stack_limit(),
      .memories = inst->memories,
      .tables = inst->tables,
      .globals = inst->globals,
      .funcs = inst->funcs,
      .type_ids = m->type_ids,
      .instance = inst,
      .tags = inst->tags,
      .rtts = inst->rtts,
  };
  /* Globals, in order: an initialiser may read earlier globals. */
  for (uint32_t i = d->nimported_globals; i < d->nglobals; i++) {
    const wasmrt_global_desc *gd = &d->globals[i - d->nimported_globals];
    wasmrt_global *g = &inst->own_globals[i - d->nimported_globals];
    if (!eval_const(inst, &gd->init, &g->value, err)) goto fail;
    g->type = rt_vt_canon(gd->type, m->type_ids);
    g->mutable_ = gd->mutable_ ? 1 : 0;
    inst->globals[i] = g;
  }
  /* Table initialisers (Wasm 3.0), once globals and functions exist: an
   * initialiser may read imported globals and take ref.func. */
  for (uint32_t i = d->nimported_tables; i < d->ntables; i++) {
    const wasmrt_table_desc *t = &d->tables[i - d->nimported_tables];
    if (!t->init.nops) continue;
    wasmrt_val v;
    if (!eval_const(inst, &t->init, &v, err)) goto fail;
    for (uint32_t k = 0; k < inst->tables[i]->size; k++) inst->tables[i]->elems[k] = v.ref;
  }
  /* Element segment items. */
  for (uint32_t i = 0; i < d->nelems; i++) {
    const wasmrt_elem_desc *e = &d->elems[i];
    inst->elem_items[i] = calloc(e->count + 1, sizeof(void *));
    if (!inst->elem_items[i]) {
      rt_error(err, "out of memory");
      goto fail;
    }
    for (uint32_t k = 0; k < e->count; k++) {
      if (e->funcs) { /* ref.func or ref.null */
        if (e->funcs[k] != WASMRT_ELEM_NULL &&
            !ref_func(inst, e->funcs[k], &inst->elem_items[i][k], err))
          goto fail;
        continue; /* a null stays as calloc left it */
      }
      wasmrt_val v;
      if (!eval_const(inst, &e->items[k], &v, err)) goto fail;
      inst->elem_items[i][k] = v.ref;
      inst->elem_len[i] = k + 1; /* rooted from here (instance_roots) */
    }
    inst->elem_len[i] = e->count;
  }

  /* Segments, then start: from here a failure may leave references to
   * this instance in imported tables. */
  bool shared_write = false;
  uint32_t trap = init_segments(inst, &shared_write, err);
  if (trap == UINT32_MAX) goto fail_after_writes;
  if (trap) {
    err->trap = trap;
    err->func_index = UINT32_MAX;
    snprintf(err->message, sizeof err->message, "%s", wasmrt_trap_message(trap));
    goto fail_after_writes;
  }
  if (d->start >= 0) {
    wasmrt_val none[1];
    memset(none, 0, sizeof none);
    if (!rt_invoke(inst, inst->funcs[d->start], none, err)) {
      shared_write = true; /* the start function may have stored anything */
      goto fail_after_writes;
    }
  }
  return inst;

fail_after_writes:
  if (shared_write) {
    rt_module_add_zombie(m, inst);
    return NULL;
  }
fail:
  wasmrt_instance_free(inst);
  return NULL;
}

WASMRT_API bool wasmrt_instance_export(wasmrt_instance *inst, const char *name, size_t len,
                                       wasmrt_extern *out) {
  if (!inst) return false;
  const wasmrt_module_desc *d = inst->module->desc;
  for (uint32_t i = 0; i < d->nexports; i++) {
    const wasmrt_export_desc *e = &d->exports[i];
    if (e->name_len != len || memcmp(e->name, name, len) != 0) continue;
    out->kind = e->kind;
    switch (e->kind) {
    case WASMRT_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
    case WASMRT_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
    case WASMRT_EXTERN_MEMORY: out->of.memory = inst->memories[e->index]; break;
    case WASMRT_EXTERN_GLOBAL: out->of.global = inst->globals[e->index]; break;
    case WASMRT_EXTERN_TAG: out->of.tag = inst->tags[e->index]; break;
    default: return false;
    }
    return true;
  }
  return false;
}

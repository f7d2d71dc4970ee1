/* validate.c: the WebAssembly 2.0 validator (spec chapter 3 and the
 * appendix "Validation Algorithm").
 *
 * Module-level checks (limits, indices, constant expressions, segments,
 * start, exports) come first, then every function body is type-checked in a
 * single forward pass with an operand stack and a control stack, decoding
 * instructions on the fly with wasm_read_instr. The pass is iterative (deep
 * nesting costs heap, not C stack), allocates nothing per instruction (the
 * two stacks are grown geometrically and reused across functions) and
 * records per-function facts for lowering in m->func_info.
 *
 * Instructions with a fixed signature in opcodes.def (numeric, conversion,
 * memory and SIMD) are typed from that table; the rest are typed by hand.
 * GC's instructions (struct, array, i31, casts) are typed by check_gc;
 * the validator records no per-instruction facts for them: every type
 * lowering needs is in the immediates (see check_gc).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "reader.h"
#include "subtype.h"
#include "wasm.h"

/* The operand type "Unknown" of the spec's algorithm: what the polymorphic
 * stack yields after unreachable/br/br_table/return. 0 is no value type. */
enum { T_ANY = 0 };

/* Operand-stack ceiling. Real functions stay in the hundreds; the cap only
 * stops hostile code (e.g. blocks with huge result lists in unreachable
 * code) from making the validator allocate without bound. */
enum { MAX_VALS = 1u << 24 };

/* ---- signatures from opcodes.def ---------------------------------------- */

/* opcodes.def gives signatures as strings; parsing them once into arrays
 * keeps string scanning out of the per-instruction path. */
typedef struct {
  bool valid;
  uint8_t np, nr;
  uint8_t p[4], r[2];
} op_sig;

static op_sig op_sigs[WASM_OP_COUNT];
static once_flag op_sigs_once = ONCE_FLAG_INIT;

static uint8_t sig_letter(char c) {
  switch (c) {
  case 'i': return WASM_I32;
  case 'I': return WASM_I64;
  case 'f': return WASM_F32;
  case 'F': return WASM_F64;
  case 'v': return WASM_V128;
  default: return T_ANY;
  }
}

static void build_op_sigs(void) {
  for (unsigned op = 0; op < WASM_OP_COUNT; op++) {
    const char *s = wasm_opinfos[op].sig;
    op_sig *o = &op_sigs[op];
    if (!s)
      continue;
    bool results = false, ok = true;
    for (; *s; s++) {
      if (*s == '_') {
        results = true;
        continue;
      }
      uint8_t t = sig_letter(*s);
      if (!t)
        ok = false;
      else if (!results && o->np < sizeof o->p)
        o->p[o->np++] = t;
      else if (results && o->nr < sizeof o->r)
        o->r[o->nr++] = t;
      else
        ok = false;
    }
    /* A malformed table entry leaves the op unhandled, so it is rejected
     * with an internal error instead of being typed wrongly. */
    o->valid = ok && results;
  }
}

/* Post-2.0 instructions (opcodes.def, from THROW on) that the validator
 * and lowering handle; the others are refused as "not supported yet",
 * naming their feature. */
static bool op_supported(uint16_t op) {
  /* relaxed SIMD: typed from opcodes.def, lowered by lower_simd.c */
  if (op >= WASM_OP_I8X16_RELAXED_SWIZZLE &&
      op <= WASM_OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S)
    return true;
  switch (op) {
  case WASM_OP_THROW: case WASM_OP_THROW_REF: case WASM_OP_TRY_TABLE:
  case WASM_OP_TRY: case WASM_OP_CATCH: case WASM_OP_RETHROW:
  case WASM_OP_DELEGATE: case WASM_OP_CATCH_ALL:
    return true; /* exception handling */
  case WASM_OP_RETURN_CALL:
  case WASM_OP_RETURN_CALL_INDIRECT:
  /* typed function references */
  case WASM_OP_CALL_REF:
  case WASM_OP_RETURN_CALL_REF:
  case WASM_OP_REF_AS_NON_NULL:
  case WASM_OP_BR_ON_NULL:
  case WASM_OP_BR_ON_NON_NULL:
    return true;
  default:
    /* GC: struct, array, i31, casts, ref.eq (typed by check_gc) */
    if (op >= WASM_OP_REF_EQ && op <= WASM_OP_I31_GET_U)
      return true;
    /* threads: every 0xFE instruction (atomics, wait/notify, fence) */
    return op >= WASM_OP_MEMORY_ATOMIC_NOTIFY &&
           op <= WASM_OP_I64_ATOMIC_RMW32_CMPXCHG_U;
  }
}

/* ---- validator state ---------------------------------------------------- */

typedef struct {
  uint16_t op;       /* WASM_OP_BLOCK/LOOP/IF/ELSE/TRY_TABLE; legacy
                        exceptions: TRY in its body, CATCH or CATCH_ALL in
                        a handler; the body frame is BLOCK */
  bool unreachable;  /* rest of the block is dead: the stack is polymorphic */
  uint32_t height;   /* operand stack height at entry */
  uint32_t nparams, nresults;
  const wasm_vtype *params, *results; /* results NULL: the one type `one` */
  wasm_vtype one;    /* the result of a block typed by one value type */
  uint32_t stamp;    /* br_table: label already checked by this br_table */
  uint32_t init_height; /* locals initialised before the block (v->ninits) */
} frame;

typedef struct {
  wasm_module *m;
  wasm_error *err;

  wasm_vtype *vals;
  uint32_t nvals, vals_cap, max_vals;
  frame *ctrls;
  uint32_t nctrls, ctrls_cap, max_ctrls;
  uint32_t stamp;

  /* the function being checked */
  const wasm_instr *in;   /* instruction being checked, for messages */
  const char *what;       /* overrides the instruction name in messages */
  const wasm_functype *ft;
  uint64_t nlocals;       /* declared locals (not parameters) */
  const wasm_vtype *ltypes; /* declared local types, when expanded */
  wasm_vtype *ltbuf;      /* storage for ltypes, reused across functions */
  size_t ltbuf_cap;
  uint64_t *gend;         /* cumulative group ends, when not expanded */
  size_t gend_cap;
  uint32_t ngroups;
  const wasm_local_group *groups;

  bool any_mem64;         /* some memory has 64-bit addresses (memory64) */
  /* Non-defaultable locals (3.0: non-nullable references) set so far on
   * the current path: the spec's `inits` stack (undo log, in order of
   * first set) and a hash set of the same indices for lookups. Only
   * locals that are set appear, so this is bounded by the body's size
   * whatever the declarations say. */
  uint32_t *inits;
  uint32_t ninits, inits_cap;
  uint32_t *iset;         /* open addressing, key = local index + 1 */
  uint32_t iset_cap;      /* a power of two, > 2 * ninits */
  bool any_nondefaultable;/* the function declares such a local */

  uint8_t *refs;          /* bitmap: C.refs (functions declared outside code) */
  uint32_t *targets;      /* br_table scratch, handed from reader to reader */
  uint32_t targets_cap;
} validator;

static const char *tname(wasm_vtype t) {
  return t == T_ANY ? "any" : wasm_vtype_name(t);
}

static const char *opname(const validator *v) {
  if (v->what)
    return v->what;
  return v->in ? wasm_opinfos[v->in->op].text : "instruction";
}

static uint32_t at(const validator *v) { return v->in ? v->in->offset : 0; }

/* ---- operand and control stacks ----------------------------------------- */

/* Out of line so the common push stays a compare and a store. */
static bool grow_vals(validator *v) {
  if (v->vals_cap >= MAX_VALS)
    return wasm_fail(v->err, at(v),
                     "operand stack too deep (more than %u values)",
                     (unsigned)MAX_VALS);
  uint32_t cap = v->vals_cap ? v->vals_cap * 2 : 1024;
  if (cap > MAX_VALS)
    cap = MAX_VALS;
  wasm_vtype *p = realloc(v->vals, (size_t)cap * sizeof *p);
  if (!p)
    return wasm_fail(v->err, at(v), "out of memory");
  v->vals = p;
  v->vals_cap = cap;
  return true;
}

static inline bool push(validator *v, wasm_vtype t) {
  if (v->nvals == v->vals_cap && !grow_vals(v))
    return false;
  v->vals[v->nvals++] = t;
  if (v->nvals > v->max_vals)
    v->max_vals = v->nvals;
  return true;
}

static bool push_n(validator *v, const wasm_vtype *ts, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (!push(v, ts[i]))
      return false;
  return true;
}

static inline frame *top(validator *v) { return &v->ctrls[v->nctrls - 1]; }

static bool mismatch(validator *v, wasm_vtype want, wasm_vtype got) {
  return wasm_fail(v->err, at(v), "type mismatch: %s expects %s but got %s",
                   opname(v), tname(want), tname(got));
}

static bool underflow(validator *v, wasm_vtype want) {
  return wasm_fail(v->err, at(v),
                   "type mismatch: %s expects %s but the stack is empty",
                   opname(v), tname(want));
}

/* pop_val(expect) of the spec: an Unknown operand (or the polymorphic
 * bottom of an unreachable block) matches anything. */
static inline bool pop_expect(validator *v, wasm_vtype want) {
  frame *fr = top(v);
  if (v->nvals > fr->height) {
    wasm_vtype got = v->vals[v->nvals - 1];
    if (got != want && got != T_ANY && want != T_ANY &&
        !wasm_vt_sub(v->m, got, want))
      return mismatch(v, want, got);
    v->nvals--;
    return true;
  }
  if (fr->unreachable)
    return true;
  return underflow(v, want);
}

/* pop_val() of the spec: any type; T_ANY on the polymorphic bottom. */
static inline bool pop_any(validator *v, wasm_vtype *out) {
  frame *fr = top(v);
  if (v->nvals > fr->height) {
    *out = v->vals[--v->nvals];
    return true;
  }
  if (fr->unreachable) {
    *out = T_ANY;
    return true;
  }
  return wasm_fail(v->err, at(v),
                   "type mismatch: %s expects an operand but the stack is "
                   "empty",
                   opname(v));
}

/* pop_ref() of the spec: a reference of any type; the polymorphic
 * bottom gives (ref bot), which is below every reference type. */
static bool pop_ref(validator *v, wasm_vtype *out) {
  if (!pop_any(v, out))
    return false;
  if (*out == T_ANY) {
    *out = wasm_vt_ref(false, WASM_HT_BOT);
    return true;
  }
  if (!wasm_vt_is_ref(*out))
    return wasm_fail(v->err, at(v),
                     "type mismatch: %s expects a reference but got %s",
                     opname(v), tname(*out));
  return true;
}

static bool pop_n(validator *v, const wasm_vtype *ts, uint32_t n) {
  for (uint32_t i = n; i-- > 0;)
    if (!pop_expect(v, ts[i]))
      return false;
  return true;
}

/* results NULL with nr == 1: the single type `one` (a block typed by one
 * value type, whose type lives in the instruction, not in the module). */
static bool push_ctrl(validator *v, uint16_t op, const wasm_vtype *params,
                      uint32_t np, const wasm_vtype *results, uint32_t nr,
                      wasm_vtype one) {
  if (v->nctrls == v->ctrls_cap) {
    uint32_t cap = v->ctrls_cap ? v->ctrls_cap * 2 : 64;
    if (cap < v->ctrls_cap) /* cannot happen: frames cost bytes of input */
      return wasm_fail(v->err, at(v), "blocks nested too deeply");
    frame *p = realloc(v->ctrls, (size_t)cap * sizeof *p);
    if (!p)
      return wasm_fail(v->err, at(v), "out of memory");
    v->ctrls = p;
    v->ctrls_cap = cap;
  }
  frame *fr = &v->ctrls[v->nctrls++];
  fr->op = op;
  fr->unreachable = false;
  fr->height = v->nvals;
  fr->params = params;
  fr->nparams = np;
  fr->results = results;
  fr->nresults = nr;
  fr->one = one;
  fr->stamp = 0;
  fr->init_height = v->ninits;
  if (v->nctrls > v->max_ctrls)
    v->max_ctrls = v->nctrls;
  return push_n(v, params, np);
}

/* The end of a block's instruction sequence (end, or else for the then
 * arm): exactly the block's results must be left above its entry height. */
static inline const wasm_vtype *frame_results(const frame *fr) {
  return fr->results ? fr->results : &fr->one;
}

static bool check_frame_end(validator *v, frame *fr) {
  if (!pop_n(v, frame_results(fr), fr->nresults))
    return false;
  if (v->nvals != fr->height)
    return wasm_fail(v->err, at(v),
                     "type mismatch: %s leaves %u extra value%s on the stack",
                     opname(v), v->nvals - fr->height,
                     v->nvals - fr->height == 1 ? "" : "s");
  return true;
}

static void set_unreachable(validator *v) {
  frame *fr = top(v);
  v->nvals = fr->height;
  fr->unreachable = true;
}

/* Types a branch to the label passes: a loop's parameters, else the
 * block's results. */
static inline const wasm_vtype *label_types(const frame *fr, uint32_t *n) {
  if (fr->op == WASM_OP_LOOP) {
    *n = fr->nparams;
    return fr->params;
  }
  *n = fr->nresults;
  return frame_results(fr);
}

static bool get_label(validator *v, uint32_t depth, frame **out) {
  if (depth >= v->nctrls)
    return wasm_fail(v->err, at(v), "unknown label %u (%u enclosing block%s)",
                     depth, v->nctrls, v->nctrls == 1 ? "" : "s");
  *out = &v->ctrls[v->nctrls - 1 - depth];
  return true;
}

/* push_vals(pop_vals(ts)) of the spec, done in place: the top values must
 * match ts, and in unreachable code missing values become Unknown so that
 * later br_table targets are checked against the same operands. */
static bool check_keep(validator *v, const wasm_vtype *ts, uint32_t n) {
  frame *fr = top(v);
  uint32_t avail = v->nvals - fr->height;
  uint32_t have = avail < n ? avail : n;
  for (uint32_t i = 0; i < have; i++) {
    wasm_vtype got = v->vals[v->nvals - 1 - i], want = ts[n - 1 - i];
    if (got != want && got != T_ANY && !wasm_vt_sub(v->m, got, want))
      return mismatch(v, want, got);
  }
  if (avail >= n)
    return true;
  if (!fr->unreachable)
    return underflow(v, ts[n - 1 - avail]);
  uint32_t missing = n - avail;
  while (v->vals_cap - v->nvals < missing)
    if (!grow_vals(v))
      return false;
  memmove(v->vals + fr->height + missing, v->vals + fr->height,
          (size_t)avail * sizeof *v->vals);
  for (uint32_t i = 0; i < missing; i++)
    v->vals[fr->height + i] = T_ANY;
  v->nvals += missing;
  if (v->nvals > v->max_vals)
    v->max_vals = v->nvals;
  return true;
}

/* ---- value types ---------------------------------------------------------- */

/* A value type must name a type the module defines (a concrete heap
 * type); every abstract heap type of Wasm 3.0 is known: the func, extern,
 * exn and any hierarchies (GC's any, eq, i31, struct, array, none). */
static bool check_vtype(validator *v, wasm_vtype t, uint32_t off) {
  if (!wasm_vt_is_ref(t))
    return true;
  wasm_heaptype ht = wasm_vt_heap(t);
  if (ht >= WASM_HT_INDEX) {
    if (ht >= WASM_HT_BOT || ht - WASM_HT_INDEX >= v->m->ntypes)
      return wasm_fail(v->err, off, "unknown type %u (module has %u types) "
                       "in %s",
                       ht >= WASM_HT_BOT ? UINT32_MAX : ht - WASM_HT_INDEX,
                       v->m->ntypes, wasm_vtype_name(t));
    return true;
  }
  if (ht >= WASM_HT_EXN && ht <= WASM_HT_NOEXN)
    return true;
  return wasm_fail(v->err, off, "malformed heap type 0x%02x", ht);
}

/* A composite type kind, for messages. */
static const char *kind_noun(uint8_t kind) {
  return kind == WASM_COMP_STRUCT  ? "a struct type"
         : kind == WASM_COMP_ARRAY ? "an array type"
                                   : "a function type";
}

/* Locals of a non-defaultable type have no initial value: they must be
 * set before they are read (3.0, "local initialisation"). */
static bool defaultable(wasm_vtype t) {
  return !wasm_vt_is_ref(t) || wasm_vt_nullable(t);
}

/* ---- local initialisation -------------------------------------------------- */

static uint32_t iset_slot(uint32_t key, uint32_t cap) {
  return (key * 0x9E3779B1u) & (cap - 1);
}

static bool local_inited(const validator *v, uint32_t idx) {
  if (!v->iset_cap)
    return false;
  for (uint32_t i = iset_slot(idx + 1, v->iset_cap);;
       i = (i + 1) & (v->iset_cap - 1)) {
    if (v->iset[i] == idx + 1)
      return true;
    if (v->iset[i] == 0)
      return false;
  }
}

static void iset_put(uint32_t *set, uint32_t cap, uint32_t key) {
  uint32_t i = iset_slot(key, cap);
  while (set[i])
    i = (i + 1) & (cap - 1);
  set[i] = key;
}

/* Marks local idx initialised until the end of the enclosing block. */
static bool init_local(validator *v, uint32_t idx) {
  if (local_inited(v, idx))
    return true;
  if (v->ninits == v->inits_cap) {
    uint32_t cap = v->inits_cap ? v->inits_cap * 2 : 16;
    uint32_t *p = realloc(v->inits, (size_t)cap * sizeof *p);
    if (!p)
      return wasm_fail(v->err, at(v), "out of memory");
    v->inits = p;
    v->inits_cap = cap;
  }
  if (2 * (v->ninits + 1) >= v->iset_cap) {
    uint32_t cap = v->iset_cap ? v->iset_cap * 2 : 32;
    uint32_t *set = calloc(cap, sizeof *set);
    if (!set)
      return wasm_fail(v->err, at(v), "out of memory");
    for (uint32_t i = 0; i < v->ninits; i++)
      iset_put(set, cap, v->inits[i] + 1);
    free(v->iset);
    v->iset = set;
    v->iset_cap = cap;
  }
  v->inits[v->ninits++] = idx;
  iset_put(v->iset, v->iset_cap, idx + 1);
  return true;
}

/* Forgets the locals set since the init log had `height` entries (the
 * end of a block, or its else). Linear probing deletes by shifting the
 * following run of the cluster back. */
static void reset_inits(validator *v, uint32_t height) {
  while (v->ninits > height) {
    uint32_t key = v->inits[--v->ninits] + 1, mask = v->iset_cap - 1;
    uint32_t i = iset_slot(key, v->iset_cap);
    while (v->iset[i] != key)
      i = (i + 1) & mask;
    v->iset[i] = 0;
    for (uint32_t j = (i + 1) & mask; v->iset[j]; j = (j + 1) & mask) {
      uint32_t k = v->iset[j], home = iset_slot(k, v->iset_cap);
      /* k may move into the hole unless its home lies in (i, j] */
      if (((j - home) & mask) >= ((j - i) & mask)) {
        v->iset[i] = k;
        v->iset[j] = 0;
        i = j;
      }
    }
  }
}

static bool check_vtypes(validator *v, const wasm_vtype *ts, uint32_t n,
                         uint32_t off) {
  for (uint32_t i = 0; i < n; i++)
    if (!check_vtype(v, ts[i], off))
      return false;
  return true;
}

/* ---- function bodies ---------------------------------------------------- */

static bool check_memory(validator *v, uint32_t memidx) {
  if (memidx >= v->m->nmemories)
    return wasm_fail(v->err, at(v), "unknown memory %u (%s needs a memory)",
                     memidx, opname(v));
  return true;
}

/* Alignment is compared as exponents, so huge encoded values (>= 32) need
 * no shift and cannot overflow. */
static bool check_memarg(validator *v, const wasm_instr *in) {
  if (!check_memory(v, in->imm.mem.memory))
    return false;
  if (!v->m->memories[in->imm.mem.memory].limits.is64) {
    if (in->imm.mem.offset > UINT32_MAX)
      return wasm_fail(v->err, in->offset,
                       "offset out of range: %s has offset %llu, memory %u "
                       "has 32-bit addresses",
                       opname(v), (unsigned long long)in->imm.mem.offset,
                       in->imm.mem.memory);
    /* The offset is a u64 since memory64, so a 6-byte encoding of a small
     * one is well-formed in Wasm 3.0; the 2.0 suite, where it was a u32,
     * requires it refused, and no producer writes one: a 32-bit memory's
     * offset keeps the u32 encoding (README, "memory64"). */
    if (in->imm.mem.offset_len > 5)
      return wasm_fail(v->err, in->offset,
                       "integer representation too long: the offset of %s "
                       "(memory %u, 32-bit) takes %u bytes, at most 5",
                       opname(v), in->imm.mem.memory, in->imm.mem.offset_len);
  }
  unsigned natural = wasm_opinfos[in->op].aux;
  /* Atomic accesses (the 0xFE prefix) must state exactly their natural
   * alignment: the alignment is part of their semantics (an unaligned
   * effective address traps), not a hint. */
  if (wasm_opinfos[in->op].prefix == 0xFE && in->imm.mem.align != natural)
    return wasm_fail(v->err, in->offset,
                     "alignment must be exactly natural for atomic "
                     "instructions: %s has alignment 2^%u, natural is 2^%u",
                     opname(v), in->imm.mem.align, natural);
  if (in->imm.mem.align > natural)
    return wasm_fail(v->err, in->offset,
                     "alignment must not be larger than natural: %s has "
                     "alignment 2^%u, natural is 2^%u",
                     opname(v), in->imm.mem.align, natural);
  return true;
}

/* memory.init and data.drop name data segments. The binary format makes
 * the data count section compulsory for them, so that code can be checked
 * before the data section is read; the index is checked against that
 * count. Without the section, an index that is out of range anyway is
 * reported as both problems, since either fixes the message's cause. */
static bool check_data(validator *v, uint32_t idx) {
  const wasm_module *m = v->m;
  if (!m->has_datacount) {
    if (idx >= m->ndatas)
      return wasm_fail(v->err, at(v),
                       "unknown data segment %u (module has %u; also, data "
                       "count section required for %s)",
                       idx, m->ndatas, opname(v));
    return wasm_fail(v->err, at(v), "data count section required (for %s)",
                     opname(v));
  }
  if (idx >= m->datacount)
    return wasm_fail(v->err, at(v), "unknown data segment %u (module has %u)",
                     idx, m->datacount);
  return true;
}

/* Pre-checks of the immediates of instructions typed from opcodes.def. */
static bool check_sig_imm(validator *v, const wasm_instr *in) {
  const wasm_opinfo *oi = &wasm_opinfos[in->op];
  switch ((wasm_immkind)oi->imm) {
  case WASM_IMM_MEMARG:
    return check_memarg(v, in);
  case WASM_IMM_MEMARG_LANE: {
    if (!check_memarg(v, in))
      return false;
    unsigned lanes = 16u >> oi->aux;
    if (in->imm.mem.lane >= lanes)
      return wasm_fail(v->err, in->offset,
                       "invalid lane index %u (%s has %u lanes)",
                       in->imm.mem.lane, oi->text, lanes);
    return true;
  }
  case WASM_IMM_MEMORY:
    return check_memory(v, in->imm.index);
  case WASM_IMM_MEMORY2:
    return check_memory(v, in->imm.index2.a) &&
           check_memory(v, in->imm.index2.b);
  case WASM_IMM_INDEX_MEMORY: /* memory.init */
    if (!check_memory(v, in->imm.index2.b))
      return false;
    return check_data(v, in->imm.index2.a);
  case WASM_IMM_LANE:
    if (in->imm.lane >= oi->aux)
      return wasm_fail(v->err, in->offset,
                       "invalid lane index %u (%s has %u lanes)",
                       in->imm.lane, oi->text, oi->aux);
    return true;
  case WASM_IMM_SHUFFLE:
    for (int i = 0; i < 16; i++)
      if (in->imm.v128[i] >= 32)
        return wasm_fail(v->err, in->offset,
                         "invalid lane index %u (i8x16.shuffle lane %d; "
                         "must be below 32)",
                         in->imm.v128[i], i);
    return true;
  default:
    return true;
  }
}

/* The address type (i32 or i64) of memory or table idx, already checked. */
static uint8_t mem_at(const validator *v, uint32_t idx) {
  return v->m->memories[idx].limits.is64 ? WASM_I64 : WASM_I32;
}
static uint8_t table_at(const validator *v, uint32_t idx) {
  return v->m->tables[idx].limits.is64 ? WASM_I64 : WASM_I32;
}

/* opcodes.def types memory instructions for an i32 memory; for a 64-bit
 * memory (memory64) the operands that are addresses or sizes become i64.
 * Fills *out and returns true when the instruction's signature differs;
 * only called when the module has a 64-bit memory, so the common path
 * stays the table lookup. */
static bool addr64_sig(const validator *v, const wasm_instr *in,
                       const op_sig *s, op_sig *out) {
  *out = *s;
  switch ((wasm_immkind)wasm_opinfos[in->op].imm) {
  case WASM_IMM_MEMARG:
  case WASM_IMM_MEMARG_LANE: /* [addr, ...] */
    out->p[0] = mem_at(v, in->imm.mem.memory);
    break;
  case WASM_IMM_MEMORY:
    if (in->op == WASM_OP_MEMORY_SIZE) { /* [] -> [addr] */
      out->r[0] = mem_at(v, in->imm.index);
    } else if (in->op == WASM_OP_MEMORY_GROW) { /* [addr] -> [addr] */
      out->p[0] = out->r[0] = mem_at(v, in->imm.index);
    } else { /* memory.fill [addr, i32, addr] */
      out->p[0] = out->p[2] = mem_at(v, in->imm.index);
    }
    break;
  case WASM_IMM_MEMORY2: { /* memory.copy [dst addr, src addr, min(both)] */
    uint8_t d = mem_at(v, in->imm.index2.a), sr = mem_at(v, in->imm.index2.b);
    out->p[0] = d;
    out->p[1] = sr;
    out->p[2] = d == WASM_I64 && sr == WASM_I64 ? WASM_I64 : WASM_I32;
    break;
  }
  case WASM_IMM_INDEX_MEMORY: /* memory.init [addr, i32, i32] */
    out->p[0] = mem_at(v, in->imm.index2.b);
    break;
  default:
    return false;
  }
  return memcmp(out, s, sizeof *s) != 0;
}

/* Resolves a block type to parameter and result lists (a single value
 * type: results NULL, nr 1, the type in *one; see push_ctrl). */
static bool block_type(validator *v, const wasm_instr *in,
                       const wasm_vtype **params, uint32_t *np,
                       const wasm_vtype **results, uint32_t *nr,
                       wasm_vtype *one) {
  *one = T_ANY;
  switch (in->imm.block.kind) {
  case WASM_BLOCK_EMPTY:
    *params = *results = NULL;
    *np = *nr = 0;
    return true;
  case WASM_BLOCK_VALTYPE:
    if (!check_vtype(v, in->imm.block.valtype, in->offset))
      return false;
    *params = NULL;
    *np = 0;
    *results = NULL;
    *one = in->imm.block.valtype;
    *nr = 1;
    return true;
  case WASM_BLOCK_TYPEIDX: {
    uint32_t t = in->imm.block.typeidx;
    if (t >= v->m->ntypes)
      return wasm_fail(v->err, in->offset,
                       "unknown type %u (module has %u types)", t,
                       v->m->ntypes);
    if (v->m->subtypes[t].kind != WASM_COMP_FUNC)
      return wasm_fail(v->err, in->offset,
                       "type mismatch: block type %u is %s, not a function "
                       "type",
                       t, kind_noun(v->m->subtypes[t].kind));
    const wasm_functype *ft = &v->m->types[t];
    *params = ft->params;
    *np = ft->nparams;
    *results = ft->results;
    *nr = ft->nresults;
    return true;
  }
  }
  return wasm_fail(v->err, in->offset, "malformed block type");
}

static bool local_type(validator *v, uint32_t idx, wasm_vtype *out) {
  const wasm_functype *ft = v->ft;
  if (idx < ft->nparams) {
    *out = ft->params[idx];
    return true;
  }
  uint64_t li = (uint64_t)idx - ft->nparams;
  if (li >= v->nlocals)
    return wasm_fail(v->err, at(v), "unknown local %u (function has %llu "
                     "locals)", idx,
                     (unsigned long long)(ft->nparams + v->nlocals));
  if (v->ltypes) {
    *out = v->ltypes[li];
    return true;
  }
  /* Binary search for the first group ending after li. */
  uint32_t lo = 0, hi = v->ngroups;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (v->gend[mid] > li)
      hi = mid;
    else
      lo = mid + 1;
  }
  *out = v->groups[lo].type;
  return true;
}

static bool check_table(validator *v, uint32_t t) {
  if (t >= v->m->ntables)
    return wasm_fail(v->err, at(v), "unknown table %u (module has %u)", t,
                     v->m->ntables);
  return true;
}

static bool check_elem(validator *v, uint32_t e) {
  if (e >= v->m->nelems)
    return wasm_fail(v->err, at(v), "unknown elem segment %u (module has %u)",
                     e, v->m->nelems);
  return true;
}

static bool check_func_index(validator *v, uint32_t f) {
  if (f >= v->m->nfuncs)
    return wasm_fail(v->err, at(v), "unknown function %u (module has %u)", f,
                     v->m->nfuncs);
  return true;
}

static bool check_global(validator *v, uint32_t g) {
  if (g >= v->m->nglobals)
    return wasm_fail(v->err, at(v), "unknown global %u (module has %u)", g,
                     v->m->nglobals);
  return true;
}

/* return_call*: the callee's results become the caller's, so they must
 * be the caller's result types. */
static bool tail_call_results(validator *v, const wasm_functype *callee) {
  const wasm_functype *me = v->ft;
  bool same = callee->nresults == me->nresults;
  for (uint32_t i = 0; same && i < me->nresults; i++)
    same = wasm_vt_sub(v->m, callee->results[i], me->results[i]);
  if (!same)
    return wasm_fail(v->err, at(v),
                     "type mismatch: %s of a function returning %u value%s "
                     "from one returning %u",
                     opname(v), callee->nresults,
                     callee->nresults == 1 ? "" : "s", me->nresults);
  return true;
}

static bool br_table(validator *v, const wasm_instr *in) {
  if (!pop_expect(v, WASM_I32))
    return false;
  frame *def = NULL;
  if (!get_label(v, in->imm.br_table.default_target, &def))
    return false;
  uint32_t arity;
  const wasm_vtype *dts = label_types(def, &arity);
  /* Each distinct label needs checking once: re-checking the same label
   * against the same (already materialised) operands changes nothing, and
   * this keeps a huge br_table over deep nesting linear. */
  uint32_t stamp = ++v->stamp;
  if (stamp == 0) { /* wrapped: clear old stamps */
    for (uint32_t i = 0; i < v->nctrls; i++)
      v->ctrls[i].stamp = 0;
    stamp = v->stamp = 1;
  }
  const wasm_vtype *last = NULL;
  for (uint32_t i = 0; i < in->imm.br_table.count; i++) {
    frame *fr = NULL;
    if (!get_label(v, in->imm.br_table.targets[i], &fr))
      return false;
    uint32_t n;
    const wasm_vtype *ts = label_types(fr, &n);
    if (n != arity)
      return wasm_fail(v->err, in->offset,
                       "type mismatch: br_table target %u takes %u values, "
                       "the default target takes %u",
                       in->imm.br_table.targets[i], n, arity);
    if (fr->stamp == stamp || (ts == last && n))
      continue;
    fr->stamp = stamp;
    last = ts;
    if (!check_keep(v, ts, n))
      return false;
  }
  if (!pop_n(v, dts, arity))
    return false;
  set_unreachable(v);
  return true;
}

/* ---- exception handling ------------------------------------------------- */

static bool check_tag(validator *v, uint32_t x, const wasm_functype **out) {
  if (x >= v->m->ntags)
    return wasm_fail(v->err, at(v), "unknown tag %u (module has %u)", x,
                     v->m->ntags);
  /* check_module made sure the type exists and has no results */
  *out = &v->m->types[v->m->tags[x].type];
  return true;
}

/* A try_table catch clause (validated in the context outside the
 * try_table): the label must take the tag's payload, then an exnref for
 * the _ref forms. */
static bool check_catch(validator *v, const wasm_catch *c) {
  const wasm_functype *ft = NULL;
  bool has_tag = c->kind == WASM_CATCH || c->kind == WASM_CATCH_REF;
  bool ref = c->kind == WASM_CATCH_REF || c->kind == WASM_CATCH_ALL_REF;
  if (has_tag && !check_tag(v, c->tag, &ft))
    return false;
  frame *fr = NULL;
  if (!get_label(v, c->label, &fr))
    return false;
  uint32_t n, np = ft ? ft->nparams : 0;
  const wasm_vtype *ts = label_types(fr, &n);
  /* [t* (ref exn)?] must match the label's types */
  bool ok = n == np + ref;
  for (uint32_t i = 0; ok && i < np; i++)
    ok = wasm_vt_sub(v->m, ft->params[i], ts[i]);
  if (ok && ref)
    ok = wasm_vt_sub(v->m, wasm_vt_ref(false, WASM_HT_EXN), ts[np]);
  if (!ok && n != np + ref)
    return wasm_fail(v->err, at(v),
                     "type mismatch: catch clause for label %u carries %u "
                     "value%s%s, the label takes %u",
                     c->label, np + ref, np + ref == 1 ? "" : "s",
                     ref ? " (the last an exnref)" : "", n);
  if (!ok)
    return wasm_fail(v->err, at(v),
                     "type mismatch: catch clause for label %u: its values "
                     "do not match the label's types",
                     c->label);
  return true;
}

/* Legacy catch/catch_all: ends the try body or the previous handler. */
static bool begin_handler(validator *v, const wasm_instr *in) {
  frame *fr = top(v);
  if (fr->op != WASM_OP_TRY && fr->op != WASM_OP_CATCH)
    return wasm_fail(v->err, in->offset,
                     "%s without a matching try (or after catch_all)",
                     opname(v));
  const wasm_functype *ft = NULL;
  if (in->op == WASM_OP_CATCH && !check_tag(v, in->imm.index, &ft))
    return false;
  v->what = fr->op == WASM_OP_TRY ? "end of the try body" : "end of catch";
  if (!check_frame_end(v, fr))
    return false;
  v->what = NULL;
  fr->op = in->op;
  fr->unreachable = false;
  return !ft || push_n(v, ft->params, ft->nparams);
}

static bool check_exceptions(validator *v, const wasm_instr *in) {
  const wasm_functype *ft = NULL;
  const wasm_vtype *ps, *rs;
  uint32_t np, nr;
  wasm_vtype one;
  frame *fr = NULL;
  switch (in->op) {
  case WASM_OP_THROW:
    if (!check_tag(v, in->imm.index, &ft) || !pop_n(v, ft->params, ft->nparams))
      return false;
    set_unreachable(v);
    return true;
  case WASM_OP_THROW_REF: {
    wasm_vtype t = T_ANY;
    if (!pop_any(v, &t))
      return false;
    /* exnref or any subtype of it */
    if (t != T_ANY && !wasm_vt_sub(v->m, t, WASM_EXNREF))
      return mismatch(v, WASM_EXNREF, t);
    set_unreachable(v);
    return true;
  }
  case WASM_OP_TRY_TABLE: {
    for (uint32_t i = 0; i < in->imm.try_table.count; i++)
      if (!check_catch(v, &in->imm.try_table.catches[i]))
        return false;
    wasm_instr block = *in; /* block_type reads imm.block */
    block.imm.block = in->imm.try_table.block;
    return block_type(v, &block, &ps, &np, &rs, &nr, &one) &&
           pop_n(v, ps, np) && push_ctrl(v, in->op, ps, np, rs, nr, one);
  }
  case WASM_OP_TRY:
    return block_type(v, in, &ps, &np, &rs, &nr, &one) && pop_n(v, ps, np) &&
           push_ctrl(v, in->op, ps, np, rs, nr, one);
  case WASM_OP_CATCH:
  case WASM_OP_CATCH_ALL:
    return begin_handler(v, in);
  case WASM_OP_DELEGATE: {
    fr = top(v);
    if (fr->op != WASM_OP_TRY || v->nctrls == 1)
      return wasm_fail(v->err, in->offset,
                       "delegate without a matching try (or after catch)");
    v->what = "end of the try body";
    if (!check_frame_end(v, fr))
      return false;
    v->what = NULL;
    rs = frame_results(fr);
    nr = fr->nresults;
    v->nctrls--; /* the frame's storage (and `one`) stays valid */
    /* the label is counted from outside the try */
    frame *target;
    return get_label(v, in->imm.index, &target) && push_n(v, rs, nr);
  }
  case WASM_OP_RETHROW:
    if (!get_label(v, in->imm.index, &fr))
      return false;
    if (fr->op != WASM_OP_CATCH && fr->op != WASM_OP_CATCH_ALL)
      return wasm_fail(v->err, in->offset,
                       "invalid rethrow label %u: not a catch block",
                       in->imm.index);
    set_unreachable(v);
    return true;
  default:
    return wasm_fail(v->err, in->offset,
                     "internal error: no typing rule for %s",
                     wasm_opinfos[in->op].text);
  }
}

/* ---- GC: structs, arrays, i31, casts ------------------------------------- */

/* Fields and array elements have storage types: a value type, or a packed
 * i8/i16, which is an i32 on the stack. */
static bool is_packed(wasm_vtype st) {
  return st == WASM_PACKED_I8 || st == WASM_PACKED_I16;
}
static wasm_vtype unpacked(wasm_vtype st) {
  return is_packed(st) ? WASM_I32 : st;
}

/* Type x, which the instruction needs to be of composite kind `kind`.
 * Shared by function bodies and constant expressions, hence the explicit
 * offset. */
static bool comp_type(validator *v, uint32_t x, uint8_t kind, uint32_t off,
                      const wasm_subtype **out) {
  const wasm_module *m = v->m;
  if (x >= m->ntypes)
    return wasm_fail(v->err, off, "unknown type %u (module has %u types)", x,
                     m->ntypes);
  if (m->subtypes[x].kind != kind)
    return wasm_fail(v->err, off,
                     "type mismatch: %s needs %s, type %u is %s", opname(v),
                     kind_noun(kind), x, kind_noun(m->subtypes[x].kind));
  *out = &m->subtypes[x];
  return true;
}

/* struct.new_default and array.new_default make zeros and nulls: every
 * field must have a default value. */
static bool check_defaultable(validator *v, uint32_t x,
                              const wasm_subtype *st, uint32_t off) {
  for (uint32_t i = 0; i < st->nfields; i++)
    if (!defaultable(unpacked(st->fields[i].type)))
      return wasm_fail(v->err, off,
                       "type mismatch: %s needs defaultable fields, %s of "
                       "type %u is %s, which has no default value",
                       opname(v), st->kind == WASM_COMP_ARRAY ? "the element"
                                                              : "a field",
                       x, tname(st->fields[i].type));
  return true;
}

/* The field a struct.get/set names (imm.index2: type, field). */
static bool struct_field(validator *v, const wasm_instr *in,
                         const wasm_fieldtype **out) {
  const wasm_subtype *st = NULL;
  uint32_t x = in->imm.index2.a, i = in->imm.index2.b;
  if (!comp_type(v, x, WASM_COMP_STRUCT, in->offset, &st))
    return false;
  if (i >= st->nfields)
    return wasm_fail(v->err, in->offset,
                     "unknown field %u (struct type %u has %u field%s)", i, x,
                     st->nfields, st->nfields == 1 ? "" : "s");
  *out = &st->fields[i];
  return true;
}

/* get on a packed field must say how to extend it (get_s, get_u); those
 * are meaningless on any other field. */
static bool check_packing(validator *v, const wasm_instr *in,
                          const wasm_fieldtype *f, bool extends) {
  if (extends == is_packed(f->type))
    return true;
  return wasm_fail(v->err, in->offset,
                   extends ? "type mismatch: %s needs a packed (i8 or i16) "
                             "%s, this one is %s"
                           : "type mismatch: %s of a packed %s (%s) needs "
                             "_s or _u",
                   opname(v),
                   wasm_opinfos[in->op].text[0] == 's' ? "field" : "element",
                   tname(f->type));
}

static bool check_mutable(validator *v, const wasm_instr *in,
                          const wasm_fieldtype *f, uint32_t x) {
  if (f->mutable_)
    return true;
  bool array = wasm_opinfos[in->op].text[0] == 'a';
  return wasm_fail(v->err, in->offset, "%s: %s writes to type %u, whose %s",
                   array ? "immutable array" : "immutable field", opname(v), x,
                   array ? "elements are immutable" : "field is immutable");
}

/* The element of array type x. */
static bool array_elem(validator *v, uint32_t x, uint32_t off,
                       const wasm_fieldtype **out) {
  const wasm_subtype *st = NULL;
  if (!comp_type(v, x, WASM_COMP_ARRAY, off, &st))
    return false;
  *out = &st->fields[0];
  return true;
}

/* array.new_data and array.init_data copy bytes: the element must be a
 * number or vector (packed included), not a reference. */
static bool check_numeric_elem(validator *v, const wasm_instr *in,
                               const wasm_fieldtype *f, uint32_t x) {
  if (!wasm_vt_is_ref(f->type))
    return true;
  return wasm_fail(v->err, in->offset,
                   "array type is not numeric or vector: %s of type %u, "
                   "whose elements are %s",
                   opname(v), x, tname(f->type));
}

/* array.new_elem and array.init_elem: the segment's references must be
 * elements of the array. */
static bool check_elem_fits(validator *v, const wasm_instr *in,
                            const wasm_fieldtype *f, uint32_t x, uint32_t e) {
  if (!check_elem(v, e))
    return false;
  if (wasm_vt_sub(v->m, v->m->elems[e].type, f->type))
    return true;
  return wasm_fail(v->err, in->offset,
                   "type mismatch: %s of type %u (elements %s) from elem "
                   "segment %u of %s",
                   opname(v), x, tname(f->type), e,
                   tname(v->m->elems[e].type));
}

static wasm_vtype ref_to(uint32_t x) {
  return wasm_vt_ref(false, WASM_HT_INDEX + x);
}
static wasm_vtype ref_null_to(uint32_t x) {
  return wasm_vt_ref(true, WASM_HT_INDEX + x);
}

/* array.new_fixed pops n operands of one type. In unreachable code the
 * polymorphic bottom supplies any number, so at most the values above it
 * (plus one, to report an underflow) are ever looked at: n is an
 * arbitrary u32. */
static bool pop_repeat(validator *v, wasm_vtype t, uint32_t n) {
  uint32_t avail = v->nvals - top(v)->height;
  uint32_t k = n <= avail ? n : top(v)->unreachable ? avail : avail + 1;
  for (uint32_t i = 0; i < k; i++)
    if (!pop_expect(v, t))
      return false;
  return true;
}

/* rt1 \ rt2 of br_on_cast: what is left of rt1 when the cast to rt2
 * failed; it is null only when rt1 admits null and rt2 does not. */
static wasm_vtype diff_ref(wasm_vtype rt1, wasm_vtype rt2) {
  return wasm_vt_ref(wasm_vt_nullable(rt1) && !wasm_vt_nullable(rt2),
                     wasm_vt_heap(rt1));
}

/* br_on_cast l rt1 rt2 : [t* rt1] -> [t* (rt1 \ rt2)], branching with
 * rt2; br_on_cast_fail the other way round. rt2 <: rt1, and the label
 * takes [t* rt'] with the branch's reference type <: rt'. */
static bool br_on_cast(validator *v, const wasm_instr *in) {
  const wasm_module *m = v->m;
  uint8_t flags = in->imm.br_on_cast.flags;
  wasm_vtype rt1 = wasm_vt_ref(flags & 1, in->imm.br_on_cast.from);
  wasm_vtype rt2 = wasm_vt_ref(flags & 2, in->imm.br_on_cast.to);
  if (!check_vtype(v, rt1, in->offset) || !check_vtype(v, rt2, in->offset))
    return false;
  if (!wasm_vt_sub(m, rt2, rt1))
    return wasm_fail(v->err, in->offset,
                     "type mismatch: %s to %s, which is not a subtype of the "
                     "operand type %s",
                     opname(v), tname(rt2), tname(rt1));
  frame *fr = NULL;
  if (!get_label(v, in->imm.br_on_cast.label, &fr))
    return false;
  uint32_t nr;
  const wasm_vtype *rs = label_types(fr, &nr);
  bool on_fail = in->op == WASM_OP_BR_ON_CAST_FAIL;
  wasm_vtype branch = on_fail ? diff_ref(rt1, rt2) : rt2;
  wasm_vtype stay = on_fail ? rt2 : diff_ref(rt1, rt2);
  if (nr == 0 || !wasm_vt_sub(m, branch, rs[nr - 1]))
    return wasm_fail(v->err, in->offset,
                     "type mismatch: %s branches with %s, label %u takes %s",
                     opname(v), tname(branch), in->imm.br_on_cast.label,
                     nr ? tname(rs[nr - 1]) : "no values");
  return pop_expect(v, rt1) && pop_n(v, rs, nr - 1) &&
         push_n(v, rs, nr - 1) && push(v, stay);
}

/* any.convert_extern and extern.convert_any: the same reference seen in
 * the other hierarchy, null exactly when it was. */
static bool convert_ref(validator *v, wasm_heaptype from, wasm_heaptype to) {
  wasm_vtype t;
  if (!pop_ref(v, &t))
    return false;
  if (!wasm_vt_sub(v->m, t, wasm_vt_ref(true, from)))
    return mismatch(v, wasm_vt_ref(true, from), t);
  return push(v, wasm_vt_ref(wasm_vt_nullable(t), to));
}

/* Typing of the GC instructions (and ref.eq), per Wasm 3.0. Lowering
 * needs no operand types from here: struct.* and array.* name their type
 * in the immediate (array.len has none, and needs none: every array has
 * its length at the same place), and ref.test, ref.cast and br_on_cast*
 * take operands of the target's hierarchy (its top), so the target
 * (and br_on_cast's flags, the source's nullability) says everything
 * about the operand's representation. */
static bool check_gc(validator *v, const wasm_instr *in) {
  const wasm_module *m = v->m;
  const wasm_subtype *st = NULL;
  const wasm_fieldtype *f = NULL;
  uint32_t x = in->imm.index2.a, y = in->imm.index2.b;
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
    if (!comp_type(v, in->imm.index, WASM_COMP_STRUCT, in->offset, &st))
      return false;
    for (uint32_t i = st->nfields; i-- > 0;)
      if (!pop_expect(v, unpacked(st->fields[i].type)))
        return false;
    return push(v, ref_to(in->imm.index));
  case WASM_OP_STRUCT_NEW_DEFAULT:
    return comp_type(v, in->imm.index, WASM_COMP_STRUCT, in->offset, &st) &&
           check_defaultable(v, in->imm.index, st, in->offset) &&
           push(v, ref_to(in->imm.index));
  case WASM_OP_STRUCT_GET:
  case WASM_OP_STRUCT_GET_S:
  case WASM_OP_STRUCT_GET_U:
    return struct_field(v, in, &f) &&
           check_packing(v, in, f, in->op != WASM_OP_STRUCT_GET) &&
           pop_expect(v, ref_null_to(x)) && push(v, unpacked(f->type));
  case WASM_OP_STRUCT_SET:
    return struct_field(v, in, &f) && check_mutable(v, in, f, x) &&
           pop_expect(v, unpacked(f->type)) && pop_expect(v, ref_null_to(x));
  case WASM_OP_ARRAY_NEW:
    x = in->imm.index;
    return array_elem(v, x, in->offset, &f) && pop_expect(v, WASM_I32) &&
           pop_expect(v, unpacked(f->type)) && push(v, ref_to(x));
  case WASM_OP_ARRAY_NEW_DEFAULT:
    x = in->imm.index;
    return comp_type(v, x, WASM_COMP_ARRAY, in->offset, &st) &&
           check_defaultable(v, x, st, in->offset) &&
           pop_expect(v, WASM_I32) && push(v, ref_to(x));
  case WASM_OP_ARRAY_NEW_FIXED: /* x, n */
    return array_elem(v, x, in->offset, &f) &&
           pop_repeat(v, unpacked(f->type), y) && push(v, ref_to(x));
  case WASM_OP_ARRAY_NEW_DATA: /* [offset, size] */
    return array_elem(v, x, in->offset, &f) &&
           check_numeric_elem(v, in, f, x) && check_data(v, y) &&
           pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) &&
           push(v, ref_to(x));
  case WASM_OP_ARRAY_NEW_ELEM:
    return array_elem(v, x, in->offset, &f) &&
           check_elem_fits(v, in, f, x, y) && pop_expect(v, WASM_I32) &&
           pop_expect(v, WASM_I32) && push(v, ref_to(x));
  case WASM_OP_ARRAY_GET:
  case WASM_OP_ARRAY_GET_S:
  case WASM_OP_ARRAY_GET_U:
    x = in->imm.index;
    return array_elem(v, x, in->offset, &f) &&
           check_packing(v, in, f, in->op != WASM_OP_ARRAY_GET) &&
           pop_expect(v, WASM_I32) && pop_expect(v, ref_null_to(x)) &&
           push(v, unpacked(f->type));
  case WASM_OP_ARRAY_SET: /* [array, index, value] */
    x = in->imm.index;
    return array_elem(v, x, in->offset, &f) && check_mutable(v, in, f, x) &&
           pop_expect(v, unpacked(f->type)) && pop_expect(v, WASM_I32) &&
           pop_expect(v, ref_null_to(x));
  case WASM_OP_ARRAY_LEN:
    return pop_expect(v, wasm_vt_ref(true, WASM_HT_ARRAY)) &&
           push(v, WASM_I32);
  case WASM_OP_ARRAY_FILL: /* [array, offset, value, size] */
    x = in->imm.index;
    return array_elem(v, x, in->offset, &f) && check_mutable(v, in, f, x) &&
           pop_expect(v, WASM_I32) && pop_expect(v, unpacked(f->type)) &&
           pop_expect(v, WASM_I32) && pop_expect(v, ref_null_to(x));
  case WASM_OP_ARRAY_COPY: { /* [dst, dst offset, src, src offset, size] */
    const wasm_fieldtype *sf = NULL;
    if (!array_elem(v, x, in->offset, &f) || !check_mutable(v, in, f, x) ||
        !array_elem(v, y, in->offset, &sf))
      return false;
    if (!wasm_vt_sub(m, sf->type, f->type))
      return wasm_fail(v->err, in->offset,
                       "array types do not match: array.copy to type %u "
                       "(elements %s) from type %u (elements %s)",
                       x, tname(f->type), y, tname(sf->type));
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) &&
           pop_expect(v, ref_null_to(y)) && pop_expect(v, WASM_I32) &&
           pop_expect(v, ref_null_to(x));
  }
  case WASM_OP_ARRAY_INIT_DATA: /* [array, offset, data offset, size] */
    if (!array_elem(v, x, in->offset, &f) || !check_mutable(v, in, f, x) ||
        !check_numeric_elem(v, in, f, x) || !check_data(v, y))
      return false;
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) &&
           pop_expect(v, WASM_I32) && pop_expect(v, ref_null_to(x));
  case WASM_OP_ARRAY_INIT_ELEM:
    if (!array_elem(v, x, in->offset, &f) || !check_mutable(v, in, f, x) ||
        !check_elem_fits(v, in, f, x, y))
      return false;
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) &&
           pop_expect(v, WASM_I32) && pop_expect(v, ref_null_to(x));
  /* ref.test and ref.cast take any reference of the target's hierarchy
   * (the spec's (ref null top(rt))) */
  case WASM_OP_REF_TEST:
  case WASM_OP_REF_TEST_NULL:
  case WASM_OP_REF_CAST:
  case WASM_OP_REF_CAST_NULL: {
    bool null = in->op == WASM_OP_REF_TEST_NULL ||
                in->op == WASM_OP_REF_CAST_NULL;
    wasm_vtype rt = wasm_vt_ref(null, in->imm.heaptype);
    if (!check_vtype(v, rt, in->offset) ||
        !pop_expect(v, wasm_vt_ref(true, wasm_heap_top(m, in->imm.heaptype))))
      return false;
    bool test = in->op == WASM_OP_REF_TEST || in->op == WASM_OP_REF_TEST_NULL;
    return push(v, test ? WASM_I32 : rt);
  }
  case WASM_OP_BR_ON_CAST:
  case WASM_OP_BR_ON_CAST_FAIL:
    return br_on_cast(v, in);
  case WASM_OP_ANY_CONVERT_EXTERN:
    return convert_ref(v, WASM_HT_EXTERN, WASM_HT_ANY);
  case WASM_OP_EXTERN_CONVERT_ANY:
    return convert_ref(v, WASM_HT_ANY, WASM_HT_EXTERN);
  case WASM_OP_REF_I31:
    return pop_expect(v, WASM_I32) &&
           push(v, wasm_vt_ref(false, WASM_HT_I31));
  case WASM_OP_I31_GET_S:
  case WASM_OP_I31_GET_U:
    return pop_expect(v, wasm_vt_ref(true, WASM_HT_I31)) &&
           push(v, WASM_I32);
  case WASM_OP_REF_EQ:
    return pop_expect(v, wasm_vt_ref(true, WASM_HT_EQ)) &&
           pop_expect(v, wasm_vt_ref(true, WASM_HT_EQ)) && push(v, WASM_I32);
  default:
    return wasm_fail(v->err, in->offset,
                     "internal error: no typing rule for %s",
                     wasm_opinfos[in->op].text);
  }
}

/* Instructions without a fixed signature. */
static bool check_other(validator *v, const wasm_instr *in) {
  wasm_module *m = v->m;
  const wasm_vtype *ps, *rs;
  uint32_t np, nr;
  wasm_vtype t = T_ANY, t1 = T_ANY, t2 = T_ANY, one;
  frame *fr = NULL;

  switch ((wasm_opcode)in->op) {
  case WASM_OP_UNREACHABLE:
    set_unreachable(v);
    return true;
  case WASM_OP_NOP:
    return true;
  case WASM_OP_BLOCK:
  case WASM_OP_LOOP:
    return block_type(v, in, &ps, &np, &rs, &nr, &one) && pop_n(v, ps, np) &&
           push_ctrl(v, in->op, ps, np, rs, nr, one);
  case WASM_OP_IF:
    return block_type(v, in, &ps, &np, &rs, &nr, &one) &&
           pop_expect(v, WASM_I32) && pop_n(v, ps, np) &&
           push_ctrl(v, in->op, ps, np, rs, nr, one);
  case WASM_OP_ELSE:
    fr = top(v);
    if (fr->op != WASM_OP_IF)
      return wasm_fail(v->err, in->offset, "else without a matching if");
    v->what = "end of the then branch";
    if (!check_frame_end(v, fr))
      return false;
    v->what = NULL;
    fr->op = WASM_OP_ELSE;
    fr->unreachable = false;
    reset_inits(v, fr->init_height);
    return push_n(v, fr->params, fr->nparams);
  case WASM_OP_END:
    fr = top(v);
    v->what = v->nctrls == 1                 ? "end of function"
              : fr->op == WASM_OP_LOOP       ? "end of loop"
              : fr->op == WASM_OP_IF         ? "end of if"
              : fr->op == WASM_OP_ELSE       ? "end of else"
              : fr->op == WASM_OP_TRY        ? "end of try"
              : fr->op == WASM_OP_CATCH      ? "end of catch"
              : fr->op == WASM_OP_CATCH_ALL  ? "end of catch_all"
              : fr->op == WASM_OP_TRY_TABLE  ? "end of try_table"
                                             : "end of block";
    if (!check_frame_end(v, fr))
      return false;
    v->what = NULL;
    /* if without else: the missing else arm passes its parameters
     * through unchanged, so they must equal the results. */
    rs = frame_results(fr);
    if (fr->op == WASM_OP_IF) {
      bool ok = fr->nparams == fr->nresults;
      for (uint32_t i = 0; ok && i < fr->nparams; i++)
        ok = wasm_vt_sub(m, fr->params[i], rs[i]);
      if (!ok)
        return wasm_fail(v->err, in->offset,
                         "type mismatch: if without else must have matching "
                         "parameter and result types");
    }
    reset_inits(v, fr->init_height);
    nr = fr->nresults;
    v->nctrls--; /* the frame's storage (and `one`) stays valid */
    return v->nctrls == 0 || push_n(v, rs, nr);
  case WASM_OP_BR:
    if (!get_label(v, in->imm.index, &fr))
      return false;
    rs = label_types(fr, &nr);
    if (!pop_n(v, rs, nr))
      return false;
    set_unreachable(v);
    return true;
  case WASM_OP_BR_IF:
    if (!get_label(v, in->imm.index, &fr))
      return false;
    rs = label_types(fr, &nr);
    return pop_expect(v, WASM_I32) && pop_n(v, rs, nr) && push_n(v, rs, nr);
  case WASM_OP_BR_TABLE:
    return br_table(v, in);
  case WASM_OP_RETURN:
    if (!pop_n(v, v->ft->results, v->ft->nresults))
      return false;
    set_unreachable(v);
    return true;
  case WASM_OP_CALL:
  case WASM_OP_RETURN_CALL: {
    if (!check_func_index(v, in->imm.index))
      return false;
    const wasm_functype *ft = wasm_func_type(m, in->imm.index);
    if (in->op == WASM_OP_RETURN_CALL)
      return tail_call_results(v, ft) && pop_n(v, ft->params, ft->nparams) &&
             (set_unreachable(v), true);
    return pop_n(v, ft->params, ft->nparams) &&
           push_n(v, ft->results, ft->nresults);
  }
  case WASM_OP_CALL_INDIRECT:
  case WASM_OP_RETURN_CALL_INDIRECT: {
    uint32_t ti = in->imm.index2.a, tab = in->imm.index2.b;
    if (!check_table(v, tab))
      return false;
    if (!wasm_vt_sub(m, m->tables[tab].elem, WASM_FUNCREF))
      return wasm_fail(v->err, in->offset,
                       "type mismatch: call_indirect needs a funcref table, "
                       "table %u holds %s",
                       tab, tname(m->tables[tab].elem));
    if (ti >= m->ntypes)
      return wasm_fail(v->err, in->offset,
                       "unknown type %u (module has %u types)", ti,
                       m->ntypes);
    if (m->subtypes[ti].kind != WASM_COMP_FUNC)
      return wasm_fail(v->err, in->offset,
                       "type mismatch: %s needs a function type, type %u "
                       "is %s",
                       opname(v), ti, kind_noun(m->subtypes[ti].kind));
    const wasm_functype *ft = &m->types[ti];
    if (in->op == WASM_OP_RETURN_CALL_INDIRECT)
      return tail_call_results(v, ft) && pop_expect(v, table_at(v, tab)) &&
             pop_n(v, ft->params, ft->nparams) && (set_unreachable(v), true);
    return pop_expect(v, table_at(v, tab)) &&
           pop_n(v, ft->params, ft->nparams) &&
           push_n(v, ft->results, ft->nresults);
  }
  case WASM_OP_DROP:
    return pop_any(v, &t);
  case WASM_OP_SELECT:
    if (!pop_expect(v, WASM_I32) || !pop_any(v, &t1) || !pop_any(v, &t2))
      return false;
    if (wasm_vt_is_ref(t1) || wasm_vt_is_ref(t2))
      return wasm_fail(v->err, in->offset,
                       "type mismatch: select without a type needs numeric "
                       "or vector operands, got %s",
                       tname(wasm_vt_is_ref(t1) ? t1 : t2));
    if (t1 != t2 && t1 != T_ANY && t2 != T_ANY)
      return wasm_fail(v->err, in->offset,
                       "type mismatch: select operands differ (%s and %s)",
                       tname(t2), tname(t1));
    return push(v, t1 == T_ANY ? t2 : t1);
  case WASM_OP_SELECT_T:
    if (in->imm.select.count != 1)
      return wasm_fail(v->err, in->offset,
                       "invalid result arity: select takes exactly one type, "
                       "got %u",
                       in->imm.select.count);
    t = in->imm.select.type;
    return check_vtype(v, t, in->offset) && pop_expect(v, WASM_I32) && pop_expect(v, t) && pop_expect(v, t) &&
           push(v, t);
  case WASM_OP_LOCAL_GET:
    if (!local_type(v, in->imm.index, &t))
      return false;
    if (!defaultable(t) && in->imm.index >= v->ft->nparams &&
        !local_inited(v, in->imm.index))
      return wasm_fail(v->err, in->offset,
                       "uninitialized local %u: its type %s has no default "
                       "value, and no local.set or local.tee in this block "
                       "or an enclosing one sets it before",
                       in->imm.index, tname(t));
    return push(v, t);
  case WASM_OP_LOCAL_SET:
  case WASM_OP_LOCAL_TEE:
    if (!local_type(v, in->imm.index, &t) || !pop_expect(v, t))
      return false;
    if (!defaultable(t) && in->imm.index >= v->ft->nparams &&
        !init_local(v, in->imm.index))
      return false;
    return in->op == WASM_OP_LOCAL_SET || push(v, t);
  case WASM_OP_GLOBAL_GET:
    return check_global(v, in->imm.index) &&
           push(v, m->globals[in->imm.index].type.type);
  case WASM_OP_GLOBAL_SET:
    if (!check_global(v, in->imm.index))
      return false;
    if (!m->globals[in->imm.index].type.mutable_)
      return wasm_fail(v->err, in->offset, "global is immutable: global %u",
                       in->imm.index);
    return pop_expect(v, m->globals[in->imm.index].type.type);
  /* Indices and sizes have the table's address type (table64). */
  case WASM_OP_TABLE_GET:
    return check_table(v, in->imm.index) &&
           pop_expect(v, table_at(v, in->imm.index)) &&
           push(v, m->tables[in->imm.index].elem);
  case WASM_OP_TABLE_SET:
    return check_table(v, in->imm.index) &&
           pop_expect(v, m->tables[in->imm.index].elem) &&
           pop_expect(v, table_at(v, in->imm.index));
  case WASM_OP_TABLE_SIZE:
    return check_table(v, in->imm.index) &&
           push(v, table_at(v, in->imm.index));
  case WASM_OP_TABLE_GROW:
    return check_table(v, in->imm.index) &&
           pop_expect(v, table_at(v, in->imm.index)) &&
           pop_expect(v, m->tables[in->imm.index].elem) &&
           push(v, table_at(v, in->imm.index));
  case WASM_OP_TABLE_FILL:
    return check_table(v, in->imm.index) &&
           pop_expect(v, table_at(v, in->imm.index)) &&
           pop_expect(v, m->tables[in->imm.index].elem) &&
           pop_expect(v, table_at(v, in->imm.index));
  case WASM_OP_TABLE_COPY: {
    uint32_t dst = in->imm.index2.a, src = in->imm.index2.b;
    if (!check_table(v, dst) || !check_table(v, src))
      return false;
    if (!wasm_vt_sub(m, m->tables[src].elem, m->tables[dst].elem))
      return wasm_fail(v->err, in->offset,
                       "type mismatch: table.copy from a %s table to a %s "
                       "table",
                       tname(m->tables[src].elem), tname(m->tables[dst].elem));
    /* [dst index, src index, n]: n has the smaller of the two types */
    uint8_t dt = table_at(v, dst), st = table_at(v, src);
    uint8_t nt = dt == WASM_I64 && st == WASM_I64 ? WASM_I64 : WASM_I32;
    return pop_expect(v, nt) && pop_expect(v, st) && pop_expect(v, dt);
  }
  case WASM_OP_TABLE_INIT: {
    uint32_t e = in->imm.index2.a, tab = in->imm.index2.b;
    if (!check_table(v, tab) || !check_elem(v, e))
      return false;
    if (!wasm_vt_sub(m, m->elems[e].type, m->tables[tab].elem))
      return wasm_fail(v->err, in->offset,
                       "type mismatch: table.init of a %s table from a %s "
                       "segment",
                       tname(m->tables[tab].elem), tname(m->elems[e].type));
    /* [dst index (table's type), src offset i32, n i32] */
    return pop_expect(v, WASM_I32) && pop_expect(v, WASM_I32) &&
           pop_expect(v, table_at(v, tab));
  }
  case WASM_OP_ELEM_DROP:
    return check_elem(v, in->imm.index);
  case WASM_OP_DATA_DROP:
    return check_data(v, in->imm.index);
  case WASM_OP_REF_NULL:
    return check_vtype(v, in->imm.reftype, in->offset) &&
           push(v, in->imm.reftype);
  case WASM_OP_REF_AS_NON_NULL:
    return pop_ref(v, &t) && push(v, wasm_vt_ref(false, wasm_vt_heap(t)));
  case WASM_OP_BR_ON_NULL:
    /* [t* (ref null ht)] -> [t* (ref ht)], branching with t* on null */
    if (!get_label(v, in->imm.index, &fr) || !pop_ref(v, &t))
      return false;
    rs = label_types(fr, &nr);
    return pop_n(v, rs, nr) && push_n(v, rs, nr) &&
           push(v, wasm_vt_ref(false, wasm_vt_heap(t)));
  case WASM_OP_BR_ON_NON_NULL:
    /* [t* (ref null ht)] -> [t*], branching with t* (ref ht) otherwise:
     * the label's last type must take the non-null reference */
    if (!get_label(v, in->imm.index, &fr))
      return false;
    rs = label_types(fr, &nr);
    if (nr == 0 || !wasm_vt_is_ref(rs[nr - 1]))
      return wasm_fail(v->err, in->offset,
                       "type mismatch: br_on_non_null needs a label whose "
                       "last type is a reference, label %u takes %s",
                       in->imm.index,
                       nr ? tname(rs[nr - 1]) : "no values");
    if (!pop_ref(v, &t) || !push(v, wasm_vt_ref(false, wasm_vt_heap(t))) ||
        !pop_n(v, rs, nr))
      return false;
    return push_n(v, rs, nr - 1);
  case WASM_OP_CALL_REF:
  case WASM_OP_RETURN_CALL_REF: {
    uint32_t ti = in->imm.index;
    if (ti >= m->ntypes)
      return wasm_fail(v->err, in->offset,
                       "unknown type %u (module has %u types)", ti,
                       m->ntypes);
    if (m->subtypes[ti].kind != WASM_COMP_FUNC)
      return wasm_fail(v->err, in->offset,
                       "type mismatch: %s needs a function type, type %u "
                       "is not one",
                       opname(v), ti);
    const wasm_functype *ft = &m->types[ti];
    if (!pop_expect(v, wasm_vt_ref(true, WASM_HT_INDEX + ti)))
      return false;
    if (in->op == WASM_OP_RETURN_CALL_REF)
      return tail_call_results(v, ft) && pop_n(v, ft->params, ft->nparams) &&
             (set_unreachable(v), true);
    return pop_n(v, ft->params, ft->nparams) &&
           push_n(v, ft->results, ft->nresults);
  }
  case WASM_OP_REF_IS_NULL:
    if (!pop_any(v, &t))
      return false;
    if (t != T_ANY && !wasm_vt_is_ref(t))
      return wasm_fail(v->err, in->offset,
                       "type mismatch: ref.is_null expects a reference but "
                       "got %s",
                       tname(t));
    return push(v, WASM_I32);
  case WASM_OP_REF_FUNC:
    if (!check_func_index(v, in->imm.index))
      return false;
    if (!(v->refs[in->imm.index >> 3] & (1u << (in->imm.index & 7))))
      return wasm_fail(v->err, in->offset,
                       "undeclared function reference: function %u is not "
                       "named outside function bodies (element segment, "
                       "global or export)",
                       in->imm.index);
    return push(v, wasm_vt_ref(false, WASM_HT_INDEX + m->funcs[in->imm.index].type));
  case WASM_OP_THROW: case WASM_OP_THROW_REF: case WASM_OP_TRY_TABLE:
  case WASM_OP_TRY: case WASM_OP_CATCH: case WASM_OP_CATCH_ALL:
  case WASM_OP_DELEGATE: case WASM_OP_RETHROW:
    return check_exceptions(v, in);
  default:
    if (in->op >= WASM_OP_REF_EQ && in->op <= WASM_OP_I31_GET_U)
      return check_gc(v, in);
    return wasm_fail(v->err, in->offset,
                     "internal error: no typing rule for %s",
                     wasm_opinfos[in->op].text);
  }
}

/* Prepares the local-type lookup of a function. Declared locals are
 * expanded into a flat array when that costs about as much as reading the
 * body; otherwise (a few bytes declaring millions of locals) lookups
 * binary-search the cumulative group ends, so hostile declarations cost
 * neither time nor memory. */
static bool setup_locals(validator *v, const wasm_func *f) {
  reset_inits(v, 0);
  v->any_nondefaultable = false;
  for (uint32_t i = 0; i < f->ngroups; i++) {
    if (!check_vtype(v, f->groups[i].type, f->groups[i].offset))
      return false;
    if (!defaultable(f->groups[i].type))
      v->any_nondefaultable = true;
  }
  v->ngroups = f->ngroups;
  v->groups = f->groups;
  v->ltypes = NULL;
  uint64_t total = 0;
  for (uint32_t i = 0; i < f->ngroups; i++)
    total += f->groups[i].count;
  v->nlocals = total;
  if (total <= 16 * (uint64_t)f->body_len + 256) {
    if (total > v->ltbuf_cap) {
      size_t cap = v->ltbuf_cap ? v->ltbuf_cap : 256;
      while (cap < total)
        cap *= 2;
      wasm_vtype *p = realloc(v->ltbuf, cap * sizeof *p);
      if (!p)
        return wasm_fail(v->err, f->body_offset, "out of memory");
      v->ltbuf = p;
      v->ltbuf_cap = cap;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < f->ngroups; i++) {
      if (!f->groups[i].count) /* ltbuf may still be NULL */
        continue;
      for (uint32_t j = 0; j < f->groups[i].count; j++)
        v->ltbuf[k++] = f->groups[i].type;
    }
    v->ltypes = v->ltbuf;
    return true;
  }
  if (f->ngroups > v->gend_cap) {
    size_t cap = v->gend_cap ? v->gend_cap : 64;
    while (cap < f->ngroups)
      cap *= 2;
    uint64_t *p = realloc(v->gend, cap * sizeof *p);
    if (!p)
      return wasm_fail(v->err, f->body_offset, "out of memory");
    v->gend = p;
    v->gend_cap = cap;
  }
  uint64_t end = 0;
  for (uint32_t i = 0; i < f->ngroups; i++)
    v->gend[i] = end += f->groups[i].count;
  return true;
}

static void append_func_name(validator *v, uint32_t fidx) {
  wasm_error *err = v->err;
  size_t len = strlen(err->msg);
  if (len >= sizeof err->msg - 1)
    return;
  const wasm_name *nm =
      v->m->func_names && v->m->func_names[fidx].str ? &v->m->func_names[fidx]
                                                     : NULL;
  if (nm && nm->len)
    snprintf(err->msg + len, sizeof err->msg - len, " (in function %.*s)",
             (int)(nm->len > 80 ? 80 : nm->len), nm->str);
  else
    snprintf(err->msg + len, sizeof err->msg - len, " (in func[%u])", fidx);
}

/* Type-checks one defined function's body and records its facts. */
static bool check_body(validator *v, uint32_t fidx, wasm_func_info *info) {
  wasm_module *m = v->m;
  const wasm_func *f = &m->funcs[fidx];
  v->ft = &m->types[f->type];
  v->in = NULL;
  v->what = NULL;
  if ((uint64_t)f->body_offset + f->body_len > m->size)
    return wasm_fail(v->err, f->code_offset,
                     "internal error: function body outside the module");
  if (!setup_locals(v, f))
    return false;

  v->nvals = v->nctrls = v->max_vals = v->max_ctrls = 0;
  if (!push_ctrl(v, WASM_OP_BLOCK, NULL, 0, v->ft->results, v->ft->nresults,
                 T_ANY))
    return false;

  wasm_reader r = wasm_reader_make(m->bytes, f->body_offset,
                                   (size_t)f->body_offset + f->body_len,
                                   v->err);
  r.targets = v->targets;
  r.targets_cap = v->targets_cap;
  wasm_instr in;
  uint32_t ninstrs = 0;
  bool ok = true;
  while (v->nctrls > 0) {
    if (wasm_reader_eof(&r)) {
      ok = wasm_fail(v->err, r.pos,
                     "END opcode expected: unexpected end of section or "
                     "function inside %u open block%s",
                     v->nctrls, v->nctrls == 1 ? "" : "s");
      break;
    }
    if (!wasm_read_instr(&r, &in)) {
      ok = false;
      break;
    }
    v->in = &in;
    ninstrs++;
    if (in.op >= WASM_OP_THROW && !op_supported(in.op)) {
      ok = wasm_fail(v->err, in.offset, "not supported yet: %s (%s)",
                     wasm_opinfos[in.op].text, wasm_op_feature(in.op));
      break;
    }
    const op_sig *s = &op_sigs[in.op];
    if (s->valid) {
      if (wasm_opinfos[in.op].imm != WASM_IMM_NONE &&
          !check_sig_imm(v, &in)) {
        ok = false;
        break;
      }
      op_sig s64;
      if (v->any_mem64 && addr64_sig(v, &in, s, &s64))
        s = &s64;
      /* inline pops: the hot path of the whole validator */
      for (unsigned i = s->np; i-- > 0;)
        if (!pop_expect(v, s->p[i])) {
          ok = false;
          break;
        }
      if (!ok || (s->nr && !push(v, s->r[0]))) {
        ok = false;
        break;
      }
      continue;
    }
    if (!check_other(v, &in)) {
      ok = false;
      break;
    }
  }
  if (ok && !wasm_reader_eof(&r))
    ok = wasm_fail(v->err, r.pos,
                   "section size mismatch: %zu byte%s after the function's "
                   "final end",
                   r.end - r.pos, r.end - r.pos == 1 ? "" : "s");
  /* keep the br_table scratch for the next function */
  v->targets = r.targets;
  v->targets_cap = r.targets_cap;
  v->in = NULL; /* `in` dies here */
  if (!ok)
    return false;
  info->max_stack = v->max_vals;
  info->max_depth = v->max_ctrls;
  info->ninstrs = ninstrs;
  return true;
}

/* ---- constant expressions ----------------------------------------------- */

/* Names a constant expression in messages ("item 3 of elem segment 1").
 * Formatted only when an error is reported: big element segments have
 * hundreds of thousands of items. */
typedef struct {
  const char *fmt; /* printf format consuming two unsigned ints */
  unsigned a, b;
} const_site;

/* Reports a constant-expression error: the printf-style detail, then
 * which expression it is in. */
static bool const_fail(validator *v, uint32_t off, const_site site,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool const_fail(validator *v, uint32_t off, const_site site,
                       const char *fmt, ...) {
  char detail[192], what[80];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  snprintf(what, sizeof what, site.fmt, site.a, site.b);
  return wasm_fail(v->err, off, "%s (in %s)", detail, what);
}

/* Adds which constant expression it is to an error reported by a helper
 * shared with function bodies. */
static bool append_site(validator *v, const_site site) {
  wasm_error *err = v->err;
  size_t len = strlen(err->msg);
  if (len < sizeof err->msg - 1) {
    char what[80];
    snprintf(what, sizeof what, site.fmt, site.a, site.b);
    snprintf(err->msg + len, sizeof err->msg - len, " (in %s)", what);
  }
  return false;
}

/* Pops one operand of a constant expression, which must be a want. */
static bool const_pop(validator *v, const wasm_instr *in, wasm_vtype *st,
                      uint32_t *n, wasm_vtype want, const_site site) {
  if (*n == 0)
    return const_fail(v, in->offset, site,
                      "type mismatch: %s expects %s but the stack is empty",
                      wasm_opinfos[in->op].text, tname(want));
  if (!wasm_vt_sub(v->m, st[*n - 1], want))
    return const_fail(v, in->offset, site,
                      "type mismatch: %s expects %s but got %s",
                      wasm_opinfos[in->op].text, tname(want),
                      tname(st[*n - 1]));
  --*n;
  return true;
}

/* The GC instructions Wasm 3.0 makes constant: allocations of structs
 * and arrays (not from segments), ref.i31 and the extern/any
 * conversions. Pops their operands off st[0..*n) and gives the result
 * type. */
static bool const_gc(validator *v, const wasm_instr *in, wasm_vtype *st,
                     uint32_t *n, wasm_vtype *t, const_site site) {
  const wasm_subtype *ct = NULL;
  uint32_t x = in->imm.index;
  switch (in->op) {
  case WASM_OP_STRUCT_NEW:
  case WASM_OP_STRUCT_NEW_DEFAULT:
    if (!comp_type(v, x, WASM_COMP_STRUCT, in->offset, &ct))
      return append_site(v, site);
    if (in->op == WASM_OP_STRUCT_NEW_DEFAULT) {
      if (!check_defaultable(v, x, ct, in->offset))
        return append_site(v, site);
    } else {
      for (uint32_t i = ct->nfields; i-- > 0;)
        if (!const_pop(v, in, st, n, unpacked(ct->fields[i].type), site))
          return false;
    }
    break;
  case WASM_OP_ARRAY_NEW:
  case WASM_OP_ARRAY_NEW_DEFAULT:
  case WASM_OP_ARRAY_NEW_FIXED: {
    if (in->op == WASM_OP_ARRAY_NEW_FIXED)
      x = in->imm.index2.a;
    if (!comp_type(v, x, WASM_COMP_ARRAY, in->offset, &ct))
      return append_site(v, site);
    wasm_vtype elem = unpacked(ct->fields[0].type);
    if (in->op == WASM_OP_ARRAY_NEW_DEFAULT) {
      if (!check_defaultable(v, x, ct, in->offset))
        return append_site(v, site);
      if (!const_pop(v, in, st, n, WASM_I32, site))
        return false;
    } else if (in->op == WASM_OP_ARRAY_NEW) {
      if (!const_pop(v, in, st, n, WASM_I32, site) ||
          !const_pop(v, in, st, n, elem, site))
        return false;
    } else {
      /* no polymorphic stack here: n is at most the operands there are */
      for (uint32_t i = 0; i < in->imm.index2.b; i++)
        if (!const_pop(v, in, st, n, elem, site))
          return false;
    }
    break;
  }
  case WASM_OP_REF_I31:
    if (!const_pop(v, in, st, n, WASM_I32, site))
      return false;
    *t = wasm_vt_ref(false, WASM_HT_I31);
    return true;
  case WASM_OP_ANY_CONVERT_EXTERN:
  case WASM_OP_EXTERN_CONVERT_ANY: {
    bool to_any = in->op == WASM_OP_ANY_CONVERT_EXTERN;
    wasm_vtype from = to_any ? WASM_EXTERNREF : WASM_HT_ANY;
    bool nullable = *n == 0 || wasm_vt_nullable(st[*n - 1]);
    if (!const_pop(v, in, st, n, from, site))
      return false;
    *t = wasm_vt_ref(nullable, to_any ? WASM_HT_ANY : WASM_HT_EXTERN);
    return true;
  }
  default:
    return const_fail(v, in->offset, site,
                      "constant expression required: %s is not constant",
                      wasm_opinfos[in->op].text);
  }
  *t = wasm_vt_ref(false, WASM_HT_INDEX + x);
  return true;
}

/* A constant expression must be made of constant instructions only and
 * leave exactly one value of type want. Wasm 3.0 (extended constant
 * expressions) adds i32/i64 add, sub and mul, and lets global.get read
 * any immutable global the expression can see: `visible` globals (the
 * imports and the globals defined before, for a global's initialiser;
 * all of them for segments). The operand stack is typed as in a body;
 * its height never exceeds the instruction count. */
static bool check_const(validator *v, const wasm_constexpr *ce, wasm_vtype want,
                        uint32_t visible, const_site site) {
  const wasm_module *m = v->m;
  wasm_vtype small[16], *st = small;
  if (ce->ninstrs > 16 && !(st = malloc(ce->ninstrs * sizeof *st)))
    return wasm_fail(v->err, ce->offset, "out of memory");
  uint32_t n = 0;
  bool ok = false;
  for (uint32_t i = 0; i < ce->ninstrs; i++) {
    const wasm_instr *in = &ce->instrs[i];
    wasm_vtype t = T_ANY;
    switch (in->op) {
    case WASM_OP_I32_CONST: t = WASM_I32; break;
    case WASM_OP_I64_CONST: t = WASM_I64; break;
    case WASM_OP_F32_CONST: t = WASM_F32; break;
    case WASM_OP_F64_CONST: t = WASM_F64; break;
    case WASM_OP_V128_CONST: t = WASM_V128; break;
    case WASM_OP_I32_ADD: case WASM_OP_I32_SUB: case WASM_OP_I32_MUL:
    case WASM_OP_I64_ADD: case WASM_OP_I64_SUB: case WASM_OP_I64_MUL:
      t = in->op <= WASM_OP_I32_MUL && in->op >= WASM_OP_I32_ADD ? WASM_I32
                                                               : WASM_I64;
      if (n < 2 || st[n - 1] != t || st[n - 2] != t) {
        const_fail(v, in->offset, site,
                   "type mismatch: %s expects two %s operands", 
                   wasm_opinfos[in->op].text, tname(t));
        goto out;
      }
      n -= 2;
      break;
    case WASM_OP_REF_NULL:
      if (!check_vtype(v, in->imm.reftype, in->offset))
        goto out;
      t = in->imm.reftype;
      break;
    case WASM_OP_REF_FUNC:
      if (in->imm.index >= m->nfuncs) {
        const_fail(v, in->offset, site, "unknown function %u (module has %u)",
                   in->imm.index, m->nfuncs);
        goto out;
      }
      t = wasm_vt_ref(false, WASM_HT_INDEX + m->funcs[in->imm.index].type);
      break;
    case WASM_OP_GLOBAL_GET: {
      uint32_t g = in->imm.index;
      if (g >= visible) {
        const_fail(v, in->offset, site,
                   "unknown global %u (a constant expression here sees %u of "
                   "the module's %u globals)",
                   g, visible, m->nglobals);
        goto out;
      }
      if (m->globals[g].type.mutable_) {
        const_fail(v, in->offset, site,
                   "constant expression required: global %u is mutable", g);
        goto out;
      }
      t = m->globals[g].type.type;
      break;
    }
    case WASM_OP_STRUCT_NEW: case WASM_OP_STRUCT_NEW_DEFAULT:
    case WASM_OP_ARRAY_NEW: case WASM_OP_ARRAY_NEW_DEFAULT:
    case WASM_OP_ARRAY_NEW_FIXED: case WASM_OP_REF_I31:
    case WASM_OP_ANY_CONVERT_EXTERN: case WASM_OP_EXTERN_CONVERT_ANY:
      v->in = in; /* for the shared helpers' messages */
      if (!const_gc(v, in, st, &n, &t, site)) {
        v->in = NULL;
        goto out;
      }
      v->in = NULL;
      break;
    default:
      const_fail(v, in->offset, site,
                 "constant expression required: %s is not constant",
                 wasm_opinfos[in->op].text);
      goto out;
    }
    st[n++] = t;
  }
  if (n != 1)
    const_fail(v, ce->offset, site,
               "type mismatch: expected one %s, the expression produces %u "
               "values",
               tname(want), n);
  else if (!wasm_vt_sub(m, st[0], want))
    const_fail(v, ce->offset, site, "type mismatch: expected %s, got %s",
               tname(want), tname(st[0]));
  else
    ok = true;
out:
  if (st != small)
    free(st);
  return ok;
}

/* ---- module level ------------------------------------------------------- */

static uint32_t section_offset(const wasm_module *m, uint8_t id) {
  for (uint32_t i = 0; i < m->nsections; i++)
    if (m->sections[i].id == id)
      return m->sections[i].offset;
  return 0;
}

/* Byte offset for a message about entry idx of an index space that starts
 * with imports: the import entry, else the defining section. */
static uint32_t entity_offset(const wasm_module *m, wasm_externkind kind,
                              uint32_t idx, uint8_t section_id) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == kind && k++ == idx)
      return m->imports[i].offset;
  return section_offset(m, section_id);
}

/* Limits of table or memory idx, against the bounds of its address type:
 * memories at most 2^16 pages (i32) or 2^48 pages (i64, so that the byte
 * size is at most 2^64), tables at most 2^32-1 entries (i32) or 2^64-1
 * (i64, any u64). The message offset is looked up only on failure, as it
 * scans the imports. */
static bool check_limits(validator *v, const wasm_limits *l,
                         wasm_externkind kind, uint32_t idx) {
  const wasm_module *m = v->m;
  bool mem = kind == WASM_EXTERN_MEMORY;
  const char *what = mem ? "memory" : "table";
  uint8_t sec = mem ? 5 : 4;
  if (mem) {
    uint64_t bound = l->is64 ? 1ull << 48 : 65536;
    if (l->min > bound || (l->has_max && l->max > bound))
      return wasm_fail(v->err, entity_offset(m, kind, idx, sec),
                       "memory size must be at most %s: memory %u has %s "
                       "%llu",
                       l->is64 ? "2^48 pages (256TiB)"
                               : "65536 pages (4GiB)",
                       idx, l->min > bound ? "minimum" : "maximum",
                       (unsigned long long)(l->min > bound ? l->min : l->max));
  } else if (!l->is64 &&
             (l->min > UINT32_MAX || (l->has_max && l->max > UINT32_MAX))) {
    return wasm_fail(v->err, entity_offset(m, kind, idx, sec),
                     "table size must be at most 2^32-1 entries: %s %u", what,
                     idx);
  }
  if (l->shared && !l->has_max)
    return wasm_fail(v->err, entity_offset(m, kind, idx, sec),
                     "shared memory must have maximum: %s %u", what, idx);
  if (l->has_max && l->min > l->max)
    return wasm_fail(v->err, entity_offset(m, kind, idx, sec),
                     "size minimum must not be greater than maximum: %s %u "
                     "has limits %llu..%llu",
                     what, idx, (unsigned long long)l->min,
                     (unsigned long long)l->max);
  return true;
}

static void mark_ref(validator *v, uint32_t f) {
  if (f < v->m->nfuncs)
    v->refs[f >> 3] |= (uint8_t)(1u << (f & 7));
}

static void mark_refs_in(validator *v, const wasm_constexpr *ce) {
  for (uint32_t i = 0; i < ce->ninstrs; i++)
    if (ce->instrs[i].op == WASM_OP_REF_FUNC)
      mark_ref(v, ce->instrs[i].imm.index);
}

/* C.refs: functions named outside function bodies; only those may be
 * taken with ref.func inside code. */
static void collect_refs(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t g = m->nimported_globals; g < m->nglobals; g++)
    mark_refs_in(v, &m->globals[g].init);
  for (uint32_t t = 0; t < m->ntables; t++)
    if (wasm_table_init(m, t))
      mark_refs_in(v, wasm_table_init(m, t));
  for (uint32_t e = 0; e < m->nelems; e++) {
    const wasm_elem *el = &m->elems[e];
    if (el->mode == WASM_SEG_ACTIVE)
      mark_refs_in(v, &el->offset);
    for (uint32_t i = 0; i < el->count; i++)
      mark_refs_in(v, &el->items[i]);
  }
  for (uint32_t d = 0; d < m->ndatas; d++)
    if (m->datas[d].mode == WASM_SEG_ACTIVE)
      mark_refs_in(v, &m->datas[d].offset);
  for (uint32_t i = 0; i < m->nexports; i++)
    if (m->exports[i].kind == WASM_EXTERN_FUNC)
      mark_ref(v, m->exports[i].index);
}

static int cmp_export(const void *a, const void *b) {
  const wasm_export *x = *(const wasm_export *const *)a;
  const wasm_export *y = *(const wasm_export *const *)b;
  uint32_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
  int c = n ? memcmp(x->name.str, y->name.str, n) : 0;
  if (c)
    return c;
  if (x->name.len != y->name.len)
    return x->name.len < y->name.len ? -1 : 1;
  return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static bool check_exports(validator *v) {
  const wasm_module *m = v->m;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *e = &m->exports[i];
    uint32_t n;
    switch (e->kind) {
    case WASM_EXTERN_FUNC: n = m->nfuncs; break;
    case WASM_EXTERN_TABLE: n = m->ntables; break;
    case WASM_EXTERN_MEMORY: n = m->nmemories; break;
    case WASM_EXTERN_GLOBAL: n = m->nglobals; break;
    case WASM_EXTERN_TAG: n = m->ntags; break;
    default:
      return wasm_fail(v->err, e->offset, "malformed export kind %d",
                       (int)e->kind);
    }
    if (e->index >= n)
      return wasm_fail(v->err, e->offset,
                       "unknown %s %u (module has %u) in export \"%.*s\"",
                       e->kind == WASM_EXTERN_FUNC
                           ? "function"
                           : wasm_externkind_name(e->kind),
                       e->index, n,
                       (int)(e->name.len > 60 ? 60 : e->name.len),
                       e->name.str ? e->name.str : "");
  }
  if (m->nexports < 2)
    return true;
  /* Sorting pointers finds duplicates in O(n log n) with no hash table. */
  const wasm_export **sorted = malloc((size_t)m->nexports * sizeof *sorted);
  if (!sorted)
    return wasm_fail(v->err, section_offset(m, 7), "out of memory");
  for (uint32_t i = 0; i < m->nexports; i++)
    sorted[i] = &m->exports[i];
  qsort(sorted, m->nexports, sizeof *sorted, cmp_export);
  const wasm_export *dup = NULL;
  for (uint32_t i = 1; i < m->nexports; i++) {
    const wasm_export *a = sorted[i - 1], *b = sorted[i];
    if (a->name.len == b->name.len &&
        (a->name.len == 0 || memcmp(a->name.str, b->name.str, a->name.len) == 0) &&
        (!dup || b->offset < dup->offset))
      dup = b; /* b is the later of the pair: sorted by offset on ties */
  }
  bool ok = true;
  if (dup)
    ok = wasm_fail(v->err, dup->offset, "duplicate export name \"%.*s\"",
                   (int)(dup->name.len > 60 ? 60 : dup->name.len),
                   dup->name.str ? dup->name.str : "");
  free(sorted);
  return ok;
}

static bool check_module(validator *v) {
  const wasm_module *m = v->m;

  if (m->nimported_funcs > m->nfuncs || m->nimported_tables > m->ntables ||
      m->nimported_memories > m->nmemories ||
      m->nimported_globals > m->nglobals)
    return wasm_fail(v->err, 0, "internal error: inconsistent index spaces");

  if (!wasm_check_types(v->m, v->err))
    return false;
  for (uint32_t i = 0; i < m->ntypes; i++) {
    uint32_t off = m->subtypes[i].offset;
    if (!check_vtypes(v, m->types[i].params, m->types[i].nparams, off) ||
        !check_vtypes(v, m->types[i].results, m->types[i].nresults, off))
      return false;
    /* struct fields, array elements (packed types pass as non-references) */
    for (uint32_t k = 0; k < m->subtypes[i].nfields; k++)
      if (!check_vtype(v, m->subtypes[i].fields[k].type, off))
        return false;
  }

  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    if (im->kind == WASM_EXTERN_GLOBAL &&
        !check_vtype(v, im->desc.global.type, im->offset))
      return false;
    if (im->kind == WASM_EXTERN_FUNC && im->desc.func_type >= m->ntypes)
      return wasm_fail(v->err, im->offset,
                       "unknown type %u (module has %u types) in import "
                       "\"%.*s\"",
                       im->desc.func_type, m->ntypes,
                       (int)(im->name.len > 60 ? 60 : im->name.len),
                       im->name.str ? im->name.str : "");
  }
  for (uint32_t i = 0; i < m->ntags; i++) {
    uint32_t t = m->tags[i].type;
    uint32_t off = entity_offset(m, WASM_EXTERN_TAG, i, 13);
    if (t >= m->ntypes)
      return wasm_fail(v->err, off,
                       "unknown type %u (module has %u types) for tag %u", t,
                       m->ntypes, i);
    if (m->subtypes && m->subtypes[t].kind != WASM_COMP_FUNC)
      return wasm_fail(v->err, off,
                       "type mismatch: tag %u has type %u, which is not a "
                       "function type", i, t);
    if (m->types[t].nresults)
      return wasm_fail(v->err, off,
                       "non-empty tag result type: tag %u has type %u, which "
                       "returns %u value%s",
                       i, t, m->types[t].nresults,
                       m->types[t].nresults == 1 ? "" : "s");
  }
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    uint32_t t = m->funcs[i].type;
    if (t < m->ntypes && m->subtypes[t].kind == WASM_COMP_FUNC)
      continue;
    uint32_t off = m->funcs[i].imported
                       ? entity_offset(m, WASM_EXTERN_FUNC, i, 3)
                       : section_offset(m, 3);
    if (t >= m->ntypes)
      return wasm_fail(v->err, off,
                       "unknown type %u (module has %u types) for function %u",
                       t, m->ntypes, i);
    return wasm_fail(v->err, off,
                     "type mismatch: function %u has type %u, which is %s, "
                     "not a function type",
                     i, t, kind_noun(m->subtypes[t].kind));
  }

  for (uint32_t i = 0; i < m->ntables; i++) {
    if (!check_vtype(v, m->tables[i].elem,
                     entity_offset(m, WASM_EXTERN_TABLE, i, 4)))
      return false;
    if (!check_limits(v, &m->tables[i].limits, WASM_EXTERN_TABLE, i))
      return false;
    /* Tables of a non-nullable type have no null to start with: a
     * defined one needs an initialiser (imports come filled). */
    const wasm_constexpr *init = wasm_table_init(m, i);
    if (init) {
      const_site site = {"the initialiser of table %u", i, 0};
      /* like a global's, it sees the imported globals only */
      if (!check_const(v, init, m->tables[i].elem, m->nimported_globals,
                        site))
        return false;
    } else if (i >= m->nimported_tables && !defaultable(m->tables[i].elem)) {
      return wasm_fail(v->err, section_offset(m, 4),
                       "type mismatch: table %u of %s needs an initialiser "
                       "(its type has no null)",
                       i, tname(m->tables[i].elem));
    }
  }
  for (uint32_t i = 0; i < m->nmemories; i++) {
    if (!check_limits(v, &m->memories[i].limits, WASM_EXTERN_MEMORY, i))
      return false;
    v->any_mem64 |= m->memories[i].limits.is64;
  }

  for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
    if (!check_vtype(v, m->globals[i].type.type, section_offset(m, 6)))
      return false;
    const_site site = {"the initialiser of global %u", i, 0};
    if (!check_const(v, &m->globals[i].init, m->globals[i].type.type, i,
                     site))
      return false;
  }

  for (uint32_t i = 0; i < m->nelems; i++) {
    const wasm_elem *e = &m->elems[i];
    if (!check_vtype(v, e->type, e->entry_offset))
      return false;
    for (uint32_t k = 0; k < e->count; k++) {
      const_site site = {"item %u of elem segment %u", k, i};
      if (!check_const(v, &e->items[k], e->type, m->nglobals, site))
        return false;
    }
    if (e->mode != WASM_SEG_ACTIVE)
      continue;
    if (e->table >= m->ntables)
      return wasm_fail(v->err, e->entry_offset,
                       "unknown table %u (module has %u) in elem segment %u",
                       e->table, m->ntables, i);
    if (!wasm_vt_sub(m, e->type, m->tables[e->table].elem))
      return wasm_fail(v->err, e->entry_offset,
                       "type mismatch: elem segment %u of %s for table %u "
                       "of %s",
                       i, tname(e->type), e->table,
                       tname(m->tables[e->table].elem));
    const_site site = {"the offset of elem segment %u", i, 0};
    if (!check_const(v, &e->offset, table_at(v, e->table), m->nglobals, site))
      return false;
  }

  if (m->has_datacount && m->datacount != m->ndatas)
    return wasm_fail(v->err, section_offset(m, 12),
                     "data count and data section have inconsistent lengths "
                     "(%u and %u)",
                     m->datacount, m->ndatas);
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const wasm_data *d = &m->datas[i];
    if (d->mode != WASM_SEG_ACTIVE)
      continue;
    if (d->memory >= m->nmemories)
      return wasm_fail(v->err, d->entry_offset,
                       "unknown memory %u (module has %u) in data segment %u",
                       d->memory, m->nmemories, i);
    const_site site = {"the offset of data segment %u", i, 0};
    if (!check_const(v, &d->offset, mem_at(v, d->memory), m->nglobals, site))
      return false;
  }

  if (m->has_start) {
    uint32_t off = section_offset(m, 8);
    if (m->start >= m->nfuncs)
      return wasm_fail(v->err, off, "unknown function %u (module has %u) as "
                       "start function", m->start, m->nfuncs);
    const wasm_functype *ft = wasm_func_type(m, m->start);
    if (ft->nparams || ft->nresults)
      return wasm_fail(v->err, off,
                       "start function %u must have type [] -> [], it takes "
                       "%u and returns %u values",
                       m->start, ft->nparams, ft->nresults);
  }

  return check_exports(v);
}

/* ---- entry point -------------------------------------------------------- */

bool wasm_validate(wasm_module *m, wasm_error *err) {
  wasm_error local_err = {0};
  if (!err)
    err = &local_err;
  if (err->set) /* the first error wins; do not pile a validation on it */
    return false;
  call_once(&op_sigs_once, build_op_sigs);

  validator v = {0};
  v.m = m;
  v.err = err;
  bool ok = false;

  uint32_t ndefined = m->nfuncs - m->nimported_funcs;
  v.refs = calloc((size_t)m->nfuncs / 8 + 1, 1);
  if (!v.refs) {
    wasm_fail(err, 0, "out of memory");
    goto out;
  }
  if (!check_module(&v))
    goto out;
  collect_refs(&v);

  wasm_func_info *info =
      wasm_arena_array(&m->arena, ndefined ? ndefined : 1, sizeof *info);
  if (!info) {
    wasm_fail(err, 0, "out of memory");
    goto out;
  }
  for (uint32_t i = 0; i < ndefined; i++) {
    uint32_t fidx = m->nimported_funcs + i;
    if (!check_body(&v, fidx, &info[i])) {
      append_func_name(&v, fidx);
      goto out;
    }
  }
  m->func_info = info;
  m->validated = true;
  ok = true;

out:
  free(v.refs);
  free(v.vals);
  free(v.ctrls);
  free(v.ltbuf);
  free(v.gend);
  free(v.targets);
  free(v.inits);
  free(v.iset);
  return ok;
}

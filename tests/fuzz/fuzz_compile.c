/* fuzz_compile.c: libFuzzer target for the whole compiler.
 *
 * An input that decodes and validates goes through the back end as
 * `wasmc compile` runs it (emit_wasm_module: lower, verify, wasmc's IR
 * passes, LLVM's pipeline, code generation to an object in memory), for
 * the host target at -O0 and at -O2. A validated module must compile:
 * any failure is a bug and aborts, so libFuzzer keeps the input. The only
 * refusals allowed are the documented ones ("not supported yet",
 * "implementation limit"). Debian's libLLVM has no assertions, so broken
 * IR would otherwise go unnoticed into the optimiser: the targets verify
 * the module after the lowering and after wasmc's own IR passes
 * (emit_options.verify), and an LLVM fatal error aborts too. One bit of a
 * hash of the input chooses guard pages or --bounds-checks, so both
 * address schemes are fuzzed without doubling the cost of an execution.
 * Every LLVM context, module and buffer is disposed per input, so leak
 * detection stays on.
 *
 * Only the back end is instrumented for coverage (tests/fuzz/
 * CMakeLists.txt), and a custom mutator (below) changes valid modules
 * into valid modules most of the time, so the corpus holds modules that
 * reach the back end rather than the front end's error paths, which
 * fuzz_decode_validate explores.
 *
 * Bounded executions: the back end's cost grows linearly with the
 * number of functions (LLVM's passes and code generator take ~0.4 ms per
 * function at -O2 even for an empty one, ~2.5 ms for both levels under
 * ASan) and with the number of locals (an alloca and a store each; at
 * most LOWER_MAX_LOCALS per function, lower.h). A few kilobytes can
 * declare thousands of functions with 50,000 locals each, which would
 * take minutes without being a bug, so modules beyond MAX_FUNCS defined
 * functions or MAX_LOCALS locals in all are decoded and validated but not
 * compiled. Both budgets are well above every module of the spec suite
 * (at most 479 functions, 1,056 locals); the locals limit itself is
 * tested by tests/unit/test_codegen_limits.c.
 *
 * At exit it prints how many inputs reached the back end. Run by
 * scripts/fuzz-smoke; built only with -DWASMC_FUZZ=ON and clang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Core.h>
#include <llvm-c/ErrorHandling.h>

#include "codegen.h"
#include "emit.h"
#include "lower.h"
#include "reader.h"
#include "wasm.h"

enum { NLEVELS = 2 };
static const int levels[NLEVELS] = {0, 2};
static emit_target *targets[NLEVELS];

/* The budget of a module that is compiled (see the banner). */
#define MAX_FUNCS 1000u
#define MAX_LOCALS 10000u

/* What happened to the inputs, printed at exit. */
static struct {
  unsigned long inputs, valid, compiled, over_budget, refused;
} stats;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* LLVM's default handler exits with status 1, which libFuzzer reports
 * without a stack; abort gives the stack of the failing pass. */
static void llvm_fatal(const char *reason) {
  fprintf(stderr, "fuzz: LLVM fatal error: %s\n", reason);
  abort();
}

static void print_stats(void) {
  fprintf(stderr,
          "fuzz_compile: %lu inputs, %lu valid, %lu compiled at -O0 and "
          "-O2, %lu over the budget, %lu refused (implementation limit, "
          "not supported yet)\n",
          stats.inputs, stats.valid, stats.compiled, stats.over_budget,
          stats.refused);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  atexit(print_stats);
  LLVMInstallFatalErrorHandler(llvm_fatal);
  for (int i = 0; i < NLEVELS; i++) {
    char err[256];
    emit_options o = {.opt_level = levels[i], .verify = true};
    targets[i] = emit_target_new(&o, err, sizeof err);
    if (!targets[i]) {
      fprintf(stderr, "fuzz: no target machine at -O%d: %s\n", levels[i], err);
      exit(1);
    }
  }
  return 0;
}

/* A failure a validated module may legitimately meet (everything else is
 * a bug in wasmc): a feature the back end does not have yet, or one of
 * its documented limits. */
static bool allowed_refusal(const wasm_error *err) {
  return strstr(err->msg, "not supported yet") ||
         strstr(err->msg, "implementation limit");
}

/* FNV-1a: a stable choice per input (the same input always compiles the
 * same way, so a crash reproduces). */
static uint32_t hash(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < size; i++)
    h = (h ^ data[i]) * 16777619u;
  return h;
}

/* Within the budget (see the banner)? */
static bool within_budget(const wasm_module *m) {
  if (m->nfuncs - m->nimported_funcs > MAX_FUNCS)
    return false;
  uint64_t locals = 0;
  for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
    locals += (uint64_t)m->types[m->funcs[i].type].nparams + m->funcs[i].nlocals;
  return locals <= MAX_LOCALS;
}

/* Compiles m at levels[level]; false when refused as allowed. */
static bool compile_at(int level, const wasm_module *m, bool bounds_checks) {
  /* One thread: the fuzzer process must stay one job (and a module of
   * -max_len bytes is never split into chunks anyway). */
  lower_options lo = {.bounds_checks = bounds_checks, .jobs = 1};
  LLVMMemoryBufferRef obj = NULL;
  wasm_error err = {0};
  if (!emit_wasm_module(targets[level], m, &lo, NULL, &obj, &err)) {
    if (allowed_refusal(&err))
      return false;
    fprintf(stderr, "fuzz: a valid module failed to compile at -O%d%s: "
                    "0x%zx: %.*s\n",
            levels[level], bounds_checks ? " --bounds-checks" : "",
            err.offset, (int)sizeof err.msg, err.msg);
    abort();
  }
  /* An object, and an ELF one: a silent empty buffer would be a bug too. */
  if (!obj || LLVMGetBufferSize(obj) < 4 ||
      memcmp(LLVMGetBufferStart(obj), "\177ELF", 4) != 0) {
    fprintf(stderr, "fuzz: -O%d compiled, but the object is not ELF\n",
            levels[level]);
    abort();
  }
  LLVMDisposeMemoryBuffer(obj);
  return true;
}


/* ---- mutations that keep a module valid, or at least well framed ---------
 *
 * libFuzzer's byte mutations of a valid module nearly always break a
 * section or code-entry size, an index or the typing, so the front end
 * refuses the result and the back end never sees it: 2.7% of the inputs
 * of a million-run campaign with plain mutation were valid. This mutator
 * works on the module's structure instead:
 *   - half of the time one instruction of one function body changes in a
 *     way that keeps the module valid: an operator becomes another of the
 *     same signature and immediate (i32.add -> i32.shl, f64.min ->
 *     f64.div, i32.load8_u -> i32.load16_s...), a constant takes an
 *     interesting value (0, -1, INT_MIN, shift counts around the width,
 *     signalling and quiet NaNs, -0, infinities, denormals), a memory
 *     offset one around the guard-page and 64 KiB boundaries, a lane or a
 *     shuffle index another in range;
 *   - a quarter of the time libFuzzer's byte mutation inside one function
 *     body (locals included), an eighth inside one other section;
 *   - the rest, and whatever does not decode, plain byte mutation.
 * Every splice writes the code entry's and the section's sizes again, so
 * the result still frames. */

/* A size-prefixed region of the input: its size field, then its bytes. */
typedef struct {
  size_t field, start, len;
} span;

static size_t put_uleb(uint8_t *out, uint64_t v) {
  size_t n = 0;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out[n++] = b | (v ? 0x80 : 0);
  } while (v);
  return n;
}

static size_t put_sleb(uint8_t *out, int64_t v) {
  size_t n = 0;
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7; /* arithmetic shift (C17 implementation-defined; clang's is) */
    bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
    out[n++] = b | (done ? 0 : 0x80);
    if (done)
      return n;
  }
}

/* A size-prefixed region at *pos inside [.., end): the size as a u32. */
static bool read_span(const uint8_t *d, size_t end, size_t *pos, span *out) {
  uint64_t len;
  size_t n = wasm_leb_u(d + *pos, end - *pos, 32, &len);
  if (!n || len > end - *pos - n)
    return false;
  out->field = *pos;
  out->start = *pos + n;
  out->len = (size_t)len;
  *pos = out->start + out->len;
  return true;
}

enum { MAX_SECTIONS = 64, CODE_SECTION = 10 };

/* The sections, if the input is a header followed by sections that end
 * exactly at its end; 0 if not. */
static size_t frame_sections(const uint8_t *d, size_t size, span *secs,
                             uint8_t *ids) {
  if (size < 8 || memcmp(d, "\0asm\1\0\0\0", 8) != 0)
    return 0;
  size_t pos = 8, n = 0;
  while (pos < size) {
    if (n == MAX_SECTIONS)
      return 0;
    ids[n] = d[pos++];
    if (pos >= size || !read_span(d, size, &pos, &secs[n++]))
      return 0;
  }
  return n;
}

/* Replaces data[at, at + oldlen), which lies inside `entry` of `sec` (or
 * directly inside sec when entry is NULL), by repl[0, newlen), and writes
 * the sizes of both again. Returns the new size, or 0 when it would
 * exceed max_size (data unchanged). */
static size_t splice(uint8_t *data, size_t size, size_t max_size, span sec,
                     const span *entry, size_t at, size_t oldlen,
                     const uint8_t *repl, size_t newlen) {
  uint8_t efield[10], sfield[10];
  size_t efl = 0, old_efl = 0;
  if (entry) {
    size_t elen = entry->len - oldlen + newlen;
    if (elen > UINT32_MAX)
      return 0;
    efl = put_uleb(efield, elen);
    old_efl = entry->start - entry->field;
  }
  size_t slen = sec.len - oldlen + newlen - old_efl + efl;
  if (slen > UINT32_MAX)
    return 0;
  size_t sfl = put_uleb(sfield, slen);
  size_t sec_end = sec.start + sec.len;
  size_t total = sec.field + sfl + slen + (size - sec_end);
  if (total > max_size)
    return 0;
  uint8_t *out = malloc(total);
  if (!out)
    return 0;
  size_t n = 0;
#define PUT(src, len)                                                       \
  do {                                                                      \
    memcpy(out + n, (src), (len));                                          \
    n += (len);                                                             \
  } while (0)
  PUT(data, sec.field); /* everything before, the section's id included */
  PUT(sfield, sfl);
  if (entry) {
    PUT(data + sec.start, entry->field - sec.start);
    PUT(efield, efl);
    PUT(data + entry->start, at - entry->start);
  } else {
    PUT(data + sec.start, at - sec.start);
  }
  PUT(repl, newlen);
  PUT(data + at + oldlen, size - (at + oldlen));
#undef PUT
  memcpy(data, out, n);
  free(out);
  return n;
}

/* xorshift32 on libFuzzer's seed: the same seed, the same mutation. */
static uint32_t next_rand(uint32_t *state) {
  uint32_t x = *state ? *state : 1;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

#define PICK(rng, table) ((table)[next_rand(rng) % (sizeof(table) / sizeof *(table))])

static const int64_t interesting_ints[] = {
    0, 1, -1, 2, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256,
    0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, INT32_MIN, 0xffffffffLL,
    0x100000000LL, INT64_MAX, INT64_MIN};
static const uint32_t interesting_f32[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00000, 0x7fa00000, 0x7f800001, 0x00000001, 0x007fffff,
    0x4f000000, 0xcf000000, 0x5f000000, 0x4f800000, 0x7f7fffff};
static const uint64_t interesting_f64[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000,
    0xbff0000000000000, 0x7ff0000000000000, 0xfff0000000000000,
    0x7ff8000000000000, 0xfff8000000000000, 0x7ff4000000000000,
    0x7ff0000000000001, 0x0000000000000001, 0x000fffffffffffff,
    0x41e0000000000000, 0xc1e0000000000000, 0x43e0000000000000,
    0x41f0000000000000, 0x7fefffffffffffff};
static const uint64_t interesting_offsets[] = {
    0, 1, 2, 4, 8, 16, 0xff, 0xffff, 0x10000, 0x10001, 0x7fffffff,
    0xfffffff0, 0xfffffffc, 0xffffffff};

/* The opcode's encoding: one byte, or the prefix and a LEB128 code. */
static size_t put_opcode(uint8_t *out, uint16_t op) {
  const wasm_opinfo *oi = &wasm_opinfos[op];
  if (!oi->prefix) {
    out[0] = (uint8_t)oi->code;
    return 1;
  }
  out[0] = (uint8_t)oi->prefix;
  return 1 + put_uleb(out + 1, oi->code);
}

/* The length of the opcode at p as the input encodes it. */
static size_t opcode_len(const uint8_t *p, size_t avail) {
  if (p[0] < 0xFB || p[0] > 0xFE)
    return 1;
  uint64_t code;
  size_t n = wasm_leb_u(p + 1, avail - 1, 32, &code);
  return n ? 1 + n : 0;
}

/* Another opcode with in's signature and immediate kind, or in's own.
 * For a memory access, one its alignment is valid for: a natural
 * alignment at least in's (exactly in's for an atomic access), and for a
 * lane access the same lane count (the lane index stays). */
static uint16_t same_shape_op(uint32_t *rng, const wasm_instr *in) {
  const wasm_opinfo *oi = &wasm_opinfos[in->op];
  uint16_t pick = in->op;
  unsigned seen = 0;
  for (uint16_t op = 0; op < WASM_OP_COUNT; op++) {
    const wasm_opinfo *o = &wasm_opinfos[op];
    if (op == in->op || o->imm != oi->imm || !o->sig || strcmp(o->sig, oi->sig))
      continue;
    bool mem = o->imm == WASM_IMM_MEMARG || o->imm == WASM_IMM_MEMARG_LANE;
    if (mem && (o->aux < in->imm.mem.align ||
                (o->prefix == 0xFE && o->aux != in->imm.mem.align) ||
                (o->imm == WASM_IMM_MEMARG_LANE && o->aux != oi->aux)))
      continue;
    /* reservoir sampling: each candidate equally likely */
    if (next_rand(rng) % ++seen == 0)
      pick = op;
  }
  return pick;
}

/* May this instruction be changed in place (see mutate_instr)? */
static bool changeable(const wasm_instr *in) {
  const wasm_opinfo *oi = &wasm_opinfos[in->op];
  switch (oi->imm) {
  case WASM_IMM_NONE:
    return oi->sig != NULL;
  case WASM_IMM_MEMARG:
  case WASM_IMM_MEMARG_LANE:
  case WASM_IMM_I32:
  case WASM_IMM_I64:
  case WASM_IMM_F32:
  case WASM_IMM_F64:
  case WASM_IMM_V128:
  case WASM_IMM_SHUFFLE:
    return true;
  case WASM_IMM_LANE:
    return oi->aux > 1;
  default:
    return false;
  }
}

/* The new encoding of in (at p, len bytes) into out (64 bytes); its
 * length, 0 if none. */
static size_t changed_instr(uint32_t *rng, const wasm_instr *in,
                            const uint8_t *p, size_t len, uint8_t *out) {
  const wasm_opinfo *oi = &wasm_opinfos[in->op];
  size_t olen = opcode_len(p, len);
  if (!olen || olen > len)
    return 0;
  const uint8_t *imm = p + olen;
  size_t imm_len = len - olen;
  size_t n;
  switch (oi->imm) {
  case WASM_IMM_NONE:
    return put_opcode(out, same_shape_op(rng, in));
  case WASM_IMM_MEMARG:
  case WASM_IMM_MEMARG_LANE: {
    size_t tail = oi->imm == WASM_IMM_MEMARG_LANE ? 1 : 0;
    if (next_rand(rng) % 2 || in->imm.mem.offset_len + tail > imm_len) {
      /* another access of the same shape, the same memarg bytes */
      n = put_opcode(out, same_shape_op(rng, in));
      if (imm_len > 40)
        return 0;
      memcpy(out + n, imm, imm_len);
      return n + imm_len;
    }
    /* the same access at another offset (u32: valid for any memory) */
    size_t before = imm_len - tail - in->imm.mem.offset_len;
    if (olen + before > 40)
      return 0;
    memcpy(out, p, olen + before);
    n = olen + before;
    uint64_t off = PICK(rng, interesting_offsets);
    if (next_rand(rng) % 4 == 0)
      off = in->imm.mem.offset + (next_rand(rng) % 33) - 16;
    n += put_uleb(out + n, off & 0xffffffff);
    memcpy(out + n, imm + imm_len - tail, tail);
    return n + tail;
  }
  case WASM_IMM_I32:
  case WASM_IMM_I64: {
    n = put_opcode(out, in->op);
    int64_t v = PICK(rng, interesting_ints);
    if (next_rand(rng) % 4 == 0)
      v = (int64_t)((uint64_t)next_rand(rng) << 32 | next_rand(rng));
    if (oi->imm == WASM_IMM_I32)
      v = (int32_t)(uint32_t)v;
    return n + put_sleb(out + n, v);
  }
  case WASM_IMM_F32: {
    n = put_opcode(out, in->op);
    uint32_t bits = next_rand(rng) % 4 ? PICK(rng, interesting_f32) : next_rand(rng);
    memcpy(out + n, &bits, 4); /* little-endian host, as Wasm */
    return n + 4;
  }
  case WASM_IMM_F64: {
    n = put_opcode(out, in->op);
    uint64_t bits = next_rand(rng) % 4 ? PICK(rng, interesting_f64)
                                       : (uint64_t)next_rand(rng) << 32 | next_rand(rng);
    memcpy(out + n, &bits, 8);
    return n + 8;
  }
  case WASM_IMM_V128: {
    /* one lane of some shape gets an interesting value */
    n = put_opcode(out, in->op);
    uint8_t v[16];
    memcpy(v, in->imm.v128, 16);
    unsigned width = 1u << (next_rand(rng) % 4); /* 1, 2, 4, 8 bytes */
    unsigned lane = next_rand(rng) % (16 / width);
    uint64_t x = width == 4 ? PICK(rng, interesting_f32)
                 : width == 8 && next_rand(rng) % 2
                     ? PICK(rng, interesting_f64)
                     : (uint64_t)PICK(rng, interesting_ints);
    memcpy(v + lane * width, &x, width);
    memcpy(out + n, v, 16);
    return n + 16;
  }
  case WASM_IMM_SHUFFLE: {
    n = put_opcode(out, in->op);
    uint8_t v[16];
    memcpy(v, in->imm.v128, 16);
    v[next_rand(rng) % 16] = next_rand(rng) % 32;
    memcpy(out + n, v, 16);
    return n + 16;
  }
  case WASM_IMM_LANE:
    n = put_opcode(out, in->op);
    out[n] = (uint8_t)(next_rand(rng) % oi->aux);
    return n + 1;
  default:
    return 0;
  }
}

/* The code section, and the code entry of defined function `def`. */
static bool code_entry(const uint8_t *data, size_t size, const wasm_module *m,
                       uint32_t def, span *sec, span *entry) {
  for (uint32_t i = 0; i < m->nsections; i++) {
    const wasm_section *s = &m->sections[i];
    if (s->id != CODE_SECTION)
      continue;
    size_t pos = s->offset + 1;
    if (!read_span(data, size, &pos, sec))
      return false;
    pos = m->funcs[m->nimported_funcs + def].code_offset;
    return read_span(data, sec->start + sec->len, &pos, entry);
  }
  return false;
}

/* One instruction of one function body changed (see above); 0 if the
 * input does not decode or has nothing to change. */
static size_t mutate_instr(uint8_t *data, size_t size, size_t max_size,
                           uint32_t *rng) {
  wasm_error err = {0};
  wasm_module *m = wasm_decode(data, size, "mutator", &err);
  if (!m)
    return 0;
  size_t result = 0;
  uint32_t ndefined = m->nfuncs - m->nimported_funcs;
  span sec, entry;
  if (ndefined == 0)
    goto done;
  uint32_t def = next_rand(rng) % ndefined;
  const wasm_func *f = &m->funcs[m->nimported_funcs + def];
  if (!code_entry(data, size, m, def, &sec, &entry))
    goto done;
  /* The changeable instructions, one picked by reservoir sampling. */
  wasm_reader r = wasm_reader_make(data, f->body_offset,
                                   (size_t)f->body_offset + f->body_len, &err);
  wasm_instr chosen = {0};
  size_t at = 0, len = 0;
  unsigned seen = 0;
  while (!wasm_reader_eof(&r)) {
    size_t start = r.pos;
    wasm_instr in;
    if (!wasm_read_instr(&r, &in))
      break;
    if (changeable(&in) && next_rand(rng) % ++seen == 0) {
      chosen = in;
      at = start;
      len = r.pos - start;
    }
  }
  /* chosen's br_table/try_table pointers are not used: those never
   * qualify. */
  wasm_reader_finish(&r);
  if (!seen)
    goto done;
  uint8_t repl[64];
  size_t rlen = changed_instr(rng, &chosen, data + at, len, repl);
  if (rlen)
    result = splice(data, size, max_size, sec, &entry, at, len, repl, rlen);
done:
  wasm_module_free(m);
  return result;
}

/* libFuzzer's byte mutation of the bytes of `region` (a code entry of
 * sec, or sec itself when entry is false), sizes written again. */
static size_t mutate_bytes(uint8_t *data, size_t size, size_t max_size,
                           span sec, span region, bool entry) {
  /* Room to grow by what max_size allows, at most 1 KB at a time. */
  size_t room = max_size > size ? max_size - size : 0;
  if (room > 1024)
    room = 1024;
  size_t cap = region.len + room;
  if (cap == 0)
    return 0;
  uint8_t *mut = malloc(cap);
  if (!mut)
    return 0;
  memcpy(mut, data + region.start, region.len);
  size_t mlen = LLVMFuzzerMutate(mut, region.len, cap);
  size_t n = splice(data, size, max_size, sec, entry ? &region : NULL,
                    region.start, region.len, mut, mlen);
  free(mut);
  return n;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed) {
  uint32_t rng = seed;
  unsigned way = next_rand(&rng) % 16;
  size_t n = 0;
  if (way < 10) {
    n = mutate_instr(data, size, max_size, &rng);
  } else if (way < 15) {
    span secs[MAX_SECTIONS];
    uint8_t ids[MAX_SECTIONS];
    size_t nsecs = frame_sections(data, size, secs, ids);
    size_t code = SIZE_MAX;
    for (size_t i = 0; i < nsecs; i++)
      if (ids[i] == CODE_SECTION)
        code = i;
    if (way < 14 && code != SIZE_MAX) {
      /* a random code entry: walk the entries up to it */
      size_t pos = secs[code].start, end = pos + secs[code].len;
      uint64_t count;
      size_t k = wasm_leb_u(data + pos, end - pos, 32, &count);
      span e;
      if (k && count) {
        pos += k;
        uint64_t target = next_rand(&rng) % count;
        bool ok = true;
        for (uint64_t i = 0; ok && i <= target; i++)
          ok = read_span(data, end, &pos, &e);
        if (ok)
          n = mutate_bytes(data, size, max_size, secs[code], e, true);
      }
    } else if (nsecs) {
      span sec = secs[next_rand(&rng) % nsecs];
      n = mutate_bytes(data, size, max_size, sec, sec, false);
    }
  }
  return n ? n : LLVMFuzzerMutate(data, size, max_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  stats.inputs++;
  wasm_error err = {0};
  wasm_module *m = wasm_decode(data, size, "fuzz.wasm", &err);
  if (!m)
    return 0;
  if (wasm_validate(m, &err)) {
    stats.valid++;
    if (!within_budget(m)) {
      stats.over_budget++;
    } else {
      bool bounds_checks = hash(data, size) & 1;
      bool compiled = true;
      for (int i = 0; i < NLEVELS; i++)
        compiled = compile_at(i, m, bounds_checks) && compiled;
      if (compiled)
        stats.compiled++;
      else
        stats.refused++;
    }
  }
  wasm_module_free(m);
  return 0;
}

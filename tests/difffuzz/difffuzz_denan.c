/* difffuzz_denan.c: keeps nondeterministic NaNs out of a fuzz module's
 * SIMD code, so that wasmc and binaryen's interpreter must agree bit for
 * bit.
 *
 *   difffuzz-denan IN.wasm OUT.wasm
 *
 * The spec lets a float instruction that returns a NaN choose its sign and
 * payload (an arithmetic NaN, or a canonical one for canonical inputs).
 * Engines choose differently: binaryen 108's interpreter returns the
 * positive canonical NaN from add/sub/mul/div/min/max and the host C
 * library's NaN from sqrt/ceil/floor/...; native code returns whatever
 * the CPU or LLVM's constant folder gives. Those bits then reach integers
 * (bitmasks, lane extracts, trunc_sat, memory), and a difference there is
 * not a bug. binaryen's `--denan` (run before this) removes NaNs from f32
 * and f64 values, but in version 108 not from v128 ones; this does the
 * same for v128: after every SIMD instruction whose NaN results the spec
 * leaves open (f32x4/f64x2 add, sub, mul, div, min, max, sqrt, ceil,
 * floor, trunc, nearest, demote, promote), it inserts a call to a helper
 * that sets each NaN lane to +0, as --denan does for scalars:
 *
 *   (func $denan_f32x4 (param v128) (result v128)
 *     (v128.and (local.get 0) (f32x4.eq (local.get 0) (local.get 0))))
 *
 * (and $denan_f64x2 with f64x2.eq). The helpers go at the end of the
 * function index space and their type at the end of the type section, so
 * no existing index moves. Every other instruction is copied byte for
 * byte. NaNs still appear where they are deterministic (constants, loads,
 * neg/abs/pmin/pmax, bitwise operations), and are compared exactly.
 *
 * Exit status: 0 done, 1 on a module it cannot read (invalid, or using
 * type definitions beyond plain function types), 2 on a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "wasm.h"

typedef struct {
  uint8_t *p;
  size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    if (!b->p) {
      fprintf(stderr, "difffuzz-denan: out of memory\n");
      exit(1);
    }
  }
  memcpy(b->p + b->n, data, n);
  b->n += n;
}

static void put_byte(buf *b, uint8_t v) { put(b, &v, 1); }

static void put_u32(buf *b, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put_byte(b, byte | (v ? 0x80 : 0));
  } while (v);
}

/* Which helper (0: f32x4, 1: f64x2) follows op, or -1 for none. */
static int helper_for(uint16_t op) {
  switch (op) {
  case WASM_OP_F32X4_ADD: case WASM_OP_F32X4_SUB: case WASM_OP_F32X4_MUL:
  case WASM_OP_F32X4_DIV: case WASM_OP_F32X4_MIN: case WASM_OP_F32X4_MAX:
  case WASM_OP_F32X4_SQRT: case WASM_OP_F32X4_CEIL: case WASM_OP_F32X4_FLOOR:
  case WASM_OP_F32X4_TRUNC: case WASM_OP_F32X4_NEAREST:
  case WASM_OP_F32X4_DEMOTE_F64X2_ZERO:
    return 0;
  case WASM_OP_F64X2_ADD: case WASM_OP_F64X2_SUB: case WASM_OP_F64X2_MUL:
  case WASM_OP_F64X2_DIV: case WASM_OP_F64X2_MIN: case WASM_OP_F64X2_MAX:
  case WASM_OP_F64X2_SQRT: case WASM_OP_F64X2_CEIL: case WASM_OP_F64X2_FLOOR:
  case WASM_OP_F64X2_TRUNC: case WASM_OP_F64X2_NEAREST:
  case WASM_OP_F64X2_PROMOTE_LOW_F32X4:
    return 1;
  default:
    return -1;
  }
}

static void die(const char *path, const wasm_error *err, const char *msg) {
  if (err)
    fprintf(stderr, "difffuzz-denan: %s:0x%zx: %s\n", path, (size_t)err->offset, err->msg);
  else
    fprintf(stderr, "difffuzz-denan: %s: %s\n", path, msg);
  exit(1);
}

/* One code entry (locals and body, without its size) with the helper
 * calls inserted. */
static void rewrite_entry(const char *path, const uint8_t *bytes, size_t start, size_t end,
                          const uint32_t helper[2], buf *out) {
  wasm_error err = {0};
  wasm_reader r = wasm_reader_make(bytes, start, end, &err);
  uint32_t groups;
  if (!wasm_read_u32(&r, &groups))
    die(path, &err, NULL);
  for (uint32_t g = 0; g < groups; g++) {
    uint32_t count;
    uint8_t t;
    int64_t ht;
    if (!wasm_read_u32(&r, &count) || !wasm_read_u8(&r, &t) ||
        ((t == 0x63 || t == 0x64) && !wasm_read_s33(&r, &ht)))
      die(path, &err, NULL);
  }
  put(out, bytes + start, r.pos - start);
  while (!wasm_reader_eof(&r)) {
    size_t at = r.pos;
    wasm_instr in;
    if (!wasm_read_instr(&r, &in))
      die(path, &err, NULL);
    put(out, bytes + at, r.pos - at);
    int h = helper_for(in.op);
    if (h >= 0) {
      put_byte(out, 0x10); /* call */
      put_u32(out, helper[h]);
    }
  }
  wasm_reader_finish(&r);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: difffuzz-denan IN.wasm OUT.wasm\n");
    return 2;
  }
  const char *path = argv[1];
  wasm_error err = {0};
  wasm_module *m = wasm_module_load_file(path, &err);
  if (!m || !wasm_validate(m, &err))
    die(path, &err, NULL);
  /* Plain function types only (binaryen 108 without GC writes no others),
   * so that the new type is simply one more entry. */
  if (m->nrecs != m->ntypes)
    die(path, NULL, "recursive type groups are not supported here");
  for (uint32_t t = 0; t < m->ntypes; t++)
    if (m->subtypes && m->subtypes[t].kind != WASM_COMP_FUNC)
      die(path, NULL, "only function types are supported here");

  const uint8_t *bytes = m->bytes;
  size_t size = m->size;
  bool has_code = m->nfuncs > m->nimported_funcs;
  uint32_t type = m->ntypes;
  uint32_t helper[2] = {m->nfuncs, m->nfuncs + 1};
  buf out = {0};
  put(&out, bytes, 8); /* magic, version */
  size_t pos = 8;
  while (pos < size) {
    uint8_t id = bytes[pos];
    wasm_reader r = wasm_reader_make(bytes, pos + 1, size, &err);
    uint32_t len;
    if (!wasm_read_u32(&r, &len))
      die(path, &err, NULL);
    size_t start = r.pos, end = start + len;
    buf sec = {0};
    if (has_code && (id == 1 || id == 3 || id == 10)) {
      uint32_t count;
      if (!wasm_read_u32(&r, &count))
        die(path, &err, NULL);
      put_u32(&sec, count + (id == 1 ? 1 : 2));
      if (id == 1) {
        put(&sec, bytes + r.pos, end - r.pos);
        static const uint8_t v_v[] = {0x60, 1, 0x7b, 1, 0x7b};
        put(&sec, v_v, sizeof v_v);
      } else if (id == 3) {
        put(&sec, bytes + r.pos, end - r.pos);
        put_u32(&sec, type);
        put_u32(&sec, type);
      } else {
        for (uint32_t i = 0; i < count; i++) {
          uint32_t elen;
          if (!wasm_read_u32(&r, &elen))
            die(path, &err, NULL);
          buf entry = {0};
          rewrite_entry(path, bytes, r.pos, r.pos + elen, helper, &entry);
          put_u32(&sec, (uint32_t)entry.n);
          put(&sec, entry.p, entry.n);
          free(entry.p);
          r.pos += elen;
        }
        /* no locals; local.get 0 x3; f32x4.eq / f64x2.eq; v128.and; end */
        static const uint8_t f32[] = {0, 0x20, 0, 0x20, 0, 0x20, 0, 0xfd, 65, 0xfd, 78, 0x0b};
        static const uint8_t f64[] = {0, 0x20, 0, 0x20, 0, 0x20, 0, 0xfd, 71, 0xfd, 78, 0x0b};
        put_u32(&sec, sizeof f32);
        put(&sec, f32, sizeof f32);
        put_u32(&sec, sizeof f64);
        put(&sec, f64, sizeof f64);
      }
      put_byte(&out, id);
      put_u32(&out, (uint32_t)sec.n);
      put(&out, sec.p, sec.n);
      free(sec.p);
    } else {
      put(&out, bytes + pos, end - pos);
    }
    wasm_reader_finish(&r);
    pos = end;
  }

  FILE *f = fopen(argv[2], "wb");
  if (!f || fwrite(out.p, 1, out.n, f) != out.n || fclose(f) != 0) {
    perror(argv[2]);
    return 1;
  }
  free(out.p);
  wasm_module_free(m);
  return 0;
}

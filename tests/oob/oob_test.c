/* oob_test.c: the project's own out-of-bounds memory tests (issue 3).
 *
 * usage: wasmc-oob-test WASMC WASM_DIR WORK_DIR
 *
 * Compiles WASM_DIR/oob.wasm and WASM_DIR/oob_max.wasm with `WASMC compile
 * X.wasm --shared -O2|-O0 -o WORK_DIR/X.MODE.so [--bounds-checks]` in four
 * modes (guard pages, the default, and --bounds-checks, each at -O2 and
 * -O0), loads each .so through the embedding API (runtime/wasmrt.h) and
 * checks, for every load and store width (scalar, narrow, v128, v128
 * extending/splat/zero loads, v128 lane loads and stores):
 *   - accesses that end exactly at the memory's size work and read/write
 *     the right bytes, one byte further traps "out of bounds memory access";
 *   - effective addresses up to index 2^32-1 + offset 2^32-1 trap (they
 *     must never reach host memory beyond the reservation);
 *   - a straddling store that traps writes nothing;
 *   - a load whose value is dropped still traps;
 *   - after memory.grow to the declared maximum (2 pages) the new last
 *     bytes are accessible, the next trap, and memory.grow returns -1;
 *   - a memory without maximum grows to WASMRT_MAX_MEMORY_PAGES = 65535
 *     pages (4 GiB - 64 KiB; the 65536th page is refused), where index
 *     2^32-65537 (or 0 + offset 2^32-65537) is the last accessible byte.
 * Each check that fails is printed; the exit status is 0 when all pass.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmrt.h"

typedef struct {
  const char *name;
  unsigned size;  /* bytes accessed */
  uint8_t vt;     /* load: result type; store: value type */
  bool store;
} op_desc;

static const op_desc ops[] = {
  {"i32.load", 4, WASMRT_I32, false},      {"i64.load", 8, WASMRT_I64, false},
  {"f32.load", 4, WASMRT_F32, false},      {"f64.load", 8, WASMRT_F64, false},
  {"i32.load8_s", 1, WASMRT_I32, false},   {"i32.load8_u", 1, WASMRT_I32, false},
  {"i32.load16_s", 2, WASMRT_I32, false},  {"i32.load16_u", 2, WASMRT_I32, false},
  {"i64.load8_s", 1, WASMRT_I64, false},   {"i64.load8_u", 1, WASMRT_I64, false},
  {"i64.load16_s", 2, WASMRT_I64, false},  {"i64.load16_u", 2, WASMRT_I64, false},
  {"i64.load32_s", 4, WASMRT_I64, false},  {"i64.load32_u", 4, WASMRT_I64, false},
  {"v128.load", 16, WASMRT_V128, false},
  {"v128.load8x8_s", 8, WASMRT_V128, false},  {"v128.load8x8_u", 8, WASMRT_V128, false},
  {"v128.load16x4_s", 8, WASMRT_V128, false}, {"v128.load16x4_u", 8, WASMRT_V128, false},
  {"v128.load32x2_s", 8, WASMRT_V128, false}, {"v128.load32x2_u", 8, WASMRT_V128, false},
  {"v128.load8_splat", 1, WASMRT_V128, false},  {"v128.load16_splat", 2, WASMRT_V128, false},
  {"v128.load32_splat", 4, WASMRT_V128, false}, {"v128.load64_splat", 8, WASMRT_V128, false},
  {"v128.load32_zero", 4, WASMRT_V128, false},  {"v128.load64_zero", 8, WASMRT_V128, false},
  {"v128.load8_lane", 1, WASMRT_V128, false},   {"v128.load16_lane", 2, WASMRT_V128, false},
  {"v128.load32_lane", 4, WASMRT_V128, false},  {"v128.load64_lane", 8, WASMRT_V128, false},
  {"i32.store", 4, WASMRT_I32, true},      {"i64.store", 8, WASMRT_I64, true},
  {"f32.store", 4, WASMRT_F32, true},      {"f64.store", 8, WASMRT_F64, true},
  {"i32.store8", 1, WASMRT_I32, true},     {"i32.store16", 2, WASMRT_I32, true},
  {"i64.store8", 1, WASMRT_I64, true},     {"i64.store16", 2, WASMRT_I64, true},
  {"i64.store32", 4, WASMRT_I64, true},
  {"v128.store", 16, WASMRT_V128, true},
  {"v128.store8_lane", 1, WASMRT_V128, true},  {"v128.store16_lane", 2, WASMRT_V128, true},
  {"v128.store32_lane", 4, WASMRT_V128, true}, {"v128.store64_lane", 8, WASMRT_V128, true},
};

static unsigned nchecks, nfailed;
static const char *mode_name;

#define FAIL(...)                                   \
  do {                                              \
    nfailed++;                                      \
    printf("FAIL [%s] ", mode_name);                \
    printf(__VA_ARGS__);                            \
    printf("\n");                                   \
  } while (0)

/* ---- calling exports ------------------------------------------------------ */

typedef enum { CALL_OK, CALL_TRAP, CALL_ERROR } call_result;

static call_result call(wasmrt_instance *inst, const char *name, wasmrt_val *vals,
                        uint32_t nvals, wasmrt_error *err) {
  wasmrt_extern ext;
  if (!wasmrt_instance_export(inst, name, strlen(name), &ext) ||
      ext.kind != WASMRT_EXTERN_FUNC) {
    snprintf(err->message, sizeof err->message, "no exported function \"%s\"", name);
    err->trap = WASMRT_TRAP_NONE;
    return CALL_ERROR;
  }
  if (wasmrt_call(inst, ext.of.func, vals, nvals, err))
    return CALL_OK;
  return err->trap == WASMRT_TRAP_NONE ? CALL_ERROR : CALL_TRAP;
}

/* Expect `name`(args) to trap with MEMORY_OOB. */
static void expect_trap(wasmrt_instance *inst, const char *name, wasmrt_val *vals,
                        uint32_t nvals, uint64_t addr) {
  wasmrt_error err;
  nchecks++;
  call_result r = call(inst, name, vals, nvals, &err);
  if (r == CALL_OK)
    FAIL("%s at index %#llx: no trap", name, (unsigned long long)addr);
  else if (r == CALL_ERROR)
    FAIL("%s at index %#llx: %s", name, (unsigned long long)addr, err.message);
  else if (err.trap != WASMRT_TRAP_MEMORY_OOB)
    FAIL("%s at index %#llx: wrong trap: %s", name, (unsigned long long)addr,
         err.message);
}

/* Expect `name`(args) to return normally. */
static bool expect_ok(wasmrt_instance *inst, const char *name, wasmrt_val *vals,
                      uint32_t nvals, uint64_t addr) {
  wasmrt_error err;
  nchecks++;
  if (call(inst, name, vals, nvals, &err) != CALL_OK) {
    FAIL("%s at index %#llx: %s", name, (unsigned long long)addr, err.message);
    return false;
  }
  return true;
}

/* Expect `name`(arg) to return the i32 want (arg is ignored by a
 * function without parameters; the array holds one value either way). */
static bool expect_i32(wasmrt_instance *inst, const char *name, int32_t arg,
                       int32_t want, const char *what) {
  wasmrt_val v[1];
  wasmrt_error err;
  memset(v, 0, sizeof v);
  v[0].i32 = arg;
  nchecks++;
  if (call(inst, name, v, 1, &err) != CALL_OK) {
    FAIL("%s: %s", what, err.message);
    return false;
  }
  if (v[0].i32 != want) {
    FAIL("%s returned %d, not %d", what, v[0].i32, want);
    return false;
  }
  return true;
}

/* ---- expected values ------------------------------------------------------ */

/* Bytes of the store value (also what the lane stores take lanes from). */
static const uint8_t store_pattern[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                                          0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF1, 0x02};

static bool has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

/* The result bytes of load op from the bytes b at its effective address;
 * returns the number of meaningful result bytes. */
static unsigned expected_load(const op_desc *op, const uint8_t *b, uint8_t out[16]) {
  unsigned n = op->size;
  bool sgn = has_suffix(op->name, "_s");
  memset(out, 0, 16);
  if (op->vt != WASMRT_V128) {
    unsigned width = (op->vt == WASMRT_I64 || op->vt == WASMRT_F64) ? 8 : 4;
    memcpy(out, b, n);
    if (sgn && (b[n - 1] & 0x80))
      memset(out + n, 0xFF, width - n);
    return width;
  }
  if (strcmp(op->name, "v128.load") == 0) {
    memcpy(out, b, 16);
  } else if (strstr(op->name, "x")) { /* v128.loadAxB_s/u: 8 bytes, widened */
    unsigned a = op->name[9] == '8' ? 1 : op->name[9] == '1' ? 2 : 4;
    for (unsigned i = 0; i < 8 / a; i++) {
      memcpy(out + 2 * a * i, b + a * i, a);
      if (sgn && (b[a * i + a - 1] & 0x80))
        memset(out + 2 * a * i + a, 0xFF, a);
    }
  } else if (has_suffix(op->name, "_splat")) {
    for (unsigned i = 0; i < 16; i += n)
      memcpy(out + i, b, n);
  } else if (has_suffix(op->name, "_zero")) {
    memcpy(out, b, n);
  } else { /* _lane: into lane 1 of zeros */
    memcpy(out + n, b, n);
  }
  return 16;
}

/* The bytes a store op writes. */
static const uint8_t *stored_bytes(const op_desc *op) {
  return has_suffix(op->name, "_lane") ? store_pattern + op->size : store_pattern;
}

static void set_args(const op_desc *op, wasmrt_val *vals, uint32_t addr) {
  memset(vals, 0, 2 * sizeof *vals);
  vals[0].i32 = (int32_t)addr;
  if (op->store)
    memcpy(vals[1].v128, store_pattern, 16);
}

/* ---- the checks ------------------------------------------------------------ */

/* Every op at the current memory size S (bytes). */
static void check_ops(wasmrt_instance *inst, wasmrt_memory *mem) {
  uint64_t S = mem->size;
  char name[64];
  wasmrt_val vals[2];

  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    const op_desc *op = &ops[k];
    uint32_t N = op->size;
    uint32_t last = (uint32_t)(S - N); /* the highest valid index (offset 0) */

    /* In bounds, ending exactly at S: right value / right bytes. */
    /* Distinct bytes, the top bit set in the last one (the sign of every
     * scalar read ending at S) and clear in some lanes of the v128
     * extending loads, so that sign and zero extension both show. */
    for (unsigned i = 0; i < 32; i++)
      mem->base[S - 32 + i] = (uint8_t)(i % 4 == 1 ? 0x35 + i : 0xC0 + i);
    set_args(op, vals, last);
    if (expect_ok(inst, op->name, vals, 2, last)) {
      if (!op->store) {
        uint8_t want[16];
        unsigned w = expected_load(op, mem->base + last, want);
        if (memcmp(vals[0].v128, want, w) != 0)
          FAIL("%s at index %#x: wrong value", op->name, last);
      } else if (memcmp(mem->base + last, stored_bytes(op), N) != 0) {
        FAIL("%s at index %#x: wrong bytes stored", op->name, last);
      }
    }
    snprintf(name, sizeof name, "%s/off1", op->name);
    set_args(op, vals, last - 1);
    expect_ok(inst, name, vals, 2, last - 1);

    /* Out of bounds: one byte past, the last byte, the size, the top
     * of the index space, with offsets 0, 1 and 2^32-1. */
    const uint64_t plain[] = {(uint64_t)last + 1, S - 1, S, S + 1, 0x7FFFFFFFu,
                              0x80000000u, 0x100000000ull - N, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
      if (plain[i] <= last)
        continue; /* N == 1: S-1 is valid */
      if (op->store)
        memset(mem->base + S - 32, 0xA5, 32);
      set_args(op, vals, (uint32_t)plain[i]);
      expect_trap(inst, op->name, vals, 2, plain[i]);
      if (op->store)
        for (unsigned j = 0; j < 32; j++)
          if (mem->base[S - 32 + j] != 0xA5) {
            FAIL("%s at index %#llx trapped but wrote byte %llu", op->name,
                 (unsigned long long)plain[i], (unsigned long long)(S - 32 + j));
            break;
          }
    }
    const uint64_t off1[] = {last, S - 1, 0xFFFFFFFFu};
    snprintf(name, sizeof name, "%s/off1", op->name);
    for (size_t i = 0; i < 3; i++) {
      if (off1[i] + 1 <= last)
        continue;
      set_args(op, vals, (uint32_t)off1[i]);
      expect_trap(inst, name, vals, 2, off1[i]);
    }
    const uint64_t maxoff[] = {0, 1, last, 0xFFFFFFFFu};
    snprintf(name, sizeof name, "%s/max", op->name);
    for (size_t i = 0; i < 4; i++) {
      set_args(op, vals, (uint32_t)maxoff[i]);
      expect_trap(inst, name, vals, 2, maxoff[i]);
    }
    if (!op->store) { /* the value unused: must trap all the same */
      snprintf(name, sizeof name, "%s/drop", op->name);
      set_args(op, vals, last);
      expect_ok(inst, name, vals, 1, last);
      set_args(op, vals, last + 1);
      expect_trap(inst, name, vals, 1, (uint64_t)last + 1);
      set_args(op, vals, 0xFFFFFFFFu);
      expect_trap(inst, name, vals, 1, 0xFFFFFFFFu);
    }
  }
}

static wasmrt_instance *instantiate(const char *so, wasmrt_module **mod,
                                    wasmrt_memory **mem) {
  wasmrt_error err;
  wasmrt_extern ext;
  nchecks++;
  *mod = wasmrt_module_load(so, &err);
  if (!*mod) {
    FAIL("load %s: %s", so, err.message);
    return NULL;
  }
  wasmrt_instance *inst = wasmrt_instantiate(*mod, NULL, 0, &err);
  if (!inst) {
    FAIL("instantiate %s: %s", so, err.message);
    wasmrt_module_free(*mod);
    return NULL;
  }
  if (!wasmrt_instance_export(inst, "mem", 3, &ext) || ext.kind != WASMRT_EXTERN_MEMORY) {
    FAIL("%s: no exported memory \"mem\"", so);
    wasmrt_instance_free(inst);
    wasmrt_module_free(*mod);
    return NULL;
  }
  *mem = ext.of.memory;
  return inst;
}

/* oob.wasm: 1 page, then grown to its maximum of 2. */
static void test_oob(const char *so) {
  wasmrt_module *mod;
  wasmrt_memory *mem;
  wasmrt_instance *inst = instantiate(so, &mod, &mem);
  if (!inst)
    return;
  check_ops(inst, mem);

  expect_i32(inst, "grow", 1, 1, "memory.grow 1 from 1 page");
  expect_i32(inst, "grow", 1, -1, "memory.grow beyond the maximum (2 pages)");
  expect_i32(inst, "grow", 0, 2, "memory.grow 0 at 2 pages");
  expect_i32(inst, "size", 0, 2, "memory.size at the maximum");
  nchecks++;
  if (mem->size != 2 * WASMRT_PAGE_SIZE)
    FAIL("memory size %llu after growing to 2 pages", (unsigned long long)mem->size);
  else
    check_ops(inst, mem); /* the same edges at the new size */

  wasmrt_instance_free(inst);
  wasmrt_module_free(mod);
}

/* oob_max.wasm: 0 pages, no maximum, grown to the runtime's cap of
 * 65535 pages (4 GiB - 64 KiB). */
static void test_oob_max(const char *so) {
  wasmrt_module *mod;
  wasmrt_memory *mem;
  wasmrt_instance *inst = instantiate(so, &mod, &mem);
  if (!inst)
    return;
  wasmrt_val v[2];
  const uint32_t top = WASMRT_MAX_MEMORY_PAGES * WASMRT_PAGE_SIZE - 1;

  memset(v, 0, sizeof v);
  expect_trap(inst, "load8", v, 1, 0); /* size 0: nothing is accessible */
  expect_trap(inst, "load8/max", v, 1, 0);
  expect_trap(inst, "load128", v, 1, 0);

  expect_i32(inst, "grow", 65536, -1, "memory.grow to 65536 pages");
  if (!expect_i32(inst, "grow", WASMRT_MAX_MEMORY_PAGES, 0,
                  "memory.grow to 65535 pages"))
    goto out;
  expect_i32(inst, "grow", 1, -1, "memory.grow beyond 65535 pages");
  expect_i32(inst, "size", 0, WASMRT_MAX_MEMORY_PAGES, "memory.size at the cap");
  nchecks++;
  if (mem->size != (uint64_t)top + 1) {
    FAIL("memory size %llu after growing to 65535 pages", (unsigned long long)mem->size);
    goto out;
  }

  /* The last byte, 2^32-65537, through index and through offset. */
  v[0].i32 = 0;
  v[1].i32 = 0x5A;
  expect_ok(inst, "store8/top", v, 2, 0);
  nchecks++;
  if (mem->base[top] != 0x5A)
    FAIL("store8 offset=2^32-65537 at 0 did not write the last byte");
  v[0].i32 = (int32_t)top;
  if (expect_ok(inst, "load8", v, 1, top) && v[0].i32 != 0x5A)
    FAIL("load8 at 2^32-65537 returned %#x", v[0].i32);
  v[0].i32 = (int32_t)(top - 1);
  if (expect_ok(inst, "load8/off1", v, 1, top - 1) && v[0].i32 != 0x5A)
    FAIL("load8 offset=1 at 2^32-65538 returned %#x", v[0].i32);
  v[0].i32 = 0;
  if (expect_ok(inst, "load8/top", v, 1, 0) && v[0].i32 != 0x5A)
    FAIL("load8 offset=2^32-65537 at 0 returned %#x", v[0].i32);
  /* One byte further, up to 2^33-2. */
  v[0].i32 = (int32_t)top;
  expect_trap(inst, "load8/off1", v, 1, top);
  v[0].i32 = 1;
  expect_trap(inst, "load8/top", v, 1, 1);
  v[0].i32 = (int32_t)(top + 1);
  expect_trap(inst, "load8", v, 1, top + 1);
  v[0].i32 = 0;
  expect_trap(inst, "load8/max", v, 1, 0);
  v[0].i32 = 1;
  expect_trap(inst, "load8/max", v, 1, 1);
  v[0].i32 = (int32_t)top;
  expect_trap(inst, "load8/max", v, 1, top);
  v[0].i32 = 1;
  v[1].i32 = 0x77;
  expect_trap(inst, "store8/max", v, 2, 1);
  v[0].i32 = (int32_t)top;
  expect_trap(inst, "store8/max", v, 2, top);

  /* Wider accesses ending exactly at the end, and one byte further. */
  memset(v, 0, sizeof v);
  v[0].i32 = (int32_t)(top - 7);
  v[1].i64 = 0x0123456789ABCDEFll;
  expect_ok(inst, "store64", v, 2, top - 7);
  v[0].i32 = (int32_t)(top - 7);
  if (expect_ok(inst, "load64", v, 1, top - 7) && v[0].i64 != 0x0123456789ABCDEFll)
    FAIL("load64 at the last 8 bytes returned %#llx", (unsigned long long)v[0].i64);
  v[0].i32 = (int32_t)(top - 6);
  expect_trap(inst, "load64", v, 1, top - 6);
  v[0].i32 = (int32_t)(top - 15);
  if (expect_ok(inst, "load128", v, 1, top - 15) &&
      memcmp(v[0].v128, mem->base + (top - 15), 16) != 0)
    FAIL("load128 at the last 16 bytes: wrong value");
  v[0].i32 = (int32_t)(top - 14);
  expect_trap(inst, "load128", v, 1, top - 14);
  memset(mem->base + (top - 31), 0xA5, 32);
  v[0].i32 = (int32_t)(top - 14);
  memcpy(v[1].v128, store_pattern, 16);
  expect_trap(inst, "store128", v, 2, top - 14);
  for (unsigned j = 0; j < 32; j++)
    if (mem->base[top - 31 + j] != 0xA5) {
      FAIL("store128 at the last 15 bytes trapped but wrote byte %u", top - 31 + j);
      break;
    }

out:
  wasmrt_instance_free(inst);
  wasmrt_module_free(mod);
}

static bool compile(const char *wasmc, const char *wasm, const char *so,
                    bool bounds_checks, const char *opt) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' compile '%s' --shared %s -o '%s'%s", wasmc, wasm, opt,
           so, bounds_checks ? " --bounds-checks" : "");
  nchecks++;
  int rc = system(cmd);
  if (rc != 0) {
    FAIL("`%s` failed (status %d)", cmd, rc);
    return false;
  }
  return true;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WASMC WASM_DIR WORK_DIR\n", argv[0]);
    return 2;
  }
  const char *wasmc = argv[1], *wasm_dir = argv[2], *work = argv[3];
  char wasm[2048], so[2048];
  unsigned total_failed = 0;
  /* Line-buffered: if a bad access crashes the process instead of
   * trapping, the failures printed so far must not be lost. */
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* Both sandboxing modes, optimised (the default -O2) and not (-O0: the
   * unoptimised code must trap the same way). */
  static const struct { bool bounds_checks; const char *opt, *name; } modes[] = {
    {false, "-O2", "guard-pages -O2"}, {true, "-O2", "bounds-checks -O2"},
    {false, "-O0", "guard-pages -O0"}, {true, "-O0", "bounds-checks -O0"},
  };
  for (size_t mi = 0; mi < sizeof modes / sizeof modes[0]; mi++) {
    bool bc = modes[mi].bounds_checks;
    mode_name = modes[mi].name;
    nchecks = nfailed = 0;
    printf("oob [%s]: compiling and running oob.wasm, oob_max.wasm\n", mode_name);

    snprintf(wasm, sizeof wasm, "%s/oob.wasm", wasm_dir);
    snprintf(so, sizeof so, "%s/oob.%s%s.so", work, bc ? "bc" : "guard", modes[mi].opt);
    if (compile(wasmc, wasm, so, bc, modes[mi].opt))
      test_oob(so);

    snprintf(wasm, sizeof wasm, "%s/oob_max.wasm", wasm_dir);
    snprintf(so, sizeof so, "%s/oob_max.%s%s.so", work, bc ? "bc" : "guard", modes[mi].opt);
    if (compile(wasmc, wasm, so, bc, modes[mi].opt))
      test_oob_max(so);

    printf("oob [%s]: %u checks, %u passed, %u failed\n", mode_name, nchecks,
           nchecks - nfailed, nfailed);
    total_failed += nfailed;
  }
  return total_failed ? 1 : 0;
}

/* spec_values.c: the values of wast2json's JSON and the runtime's
 * wasmrt_val, in both directions.
 *
 * Numbers come as decimal strings of their bit patterns ("4294967295" is
 * i32 -1, floats are their IEEE bits), so comparisons are exact bit
 * comparisons; the NaN patterns "nan:canonical" (sign free, quiet bit only)
 * and "nan:arithmetic" (quiet bit set, any payload) are the exceptions the
 * spec allows. v128 values are arrays of lanes with a lane_type; each lane
 * is compared on its own, so a float lane may be a NaN pattern too.
 * References: "null", a number N (`ref.extern N`, mapped to a fixed
 * non-null host pointer, spec_externref), or no value at all in an
 * expected result, which means any non-null reference of the kind named
 * (`(ref.func)`, `(ref.extern)`, `(ref.struct)`).
 *
 * Wasm 3.0 scripts name more reference types (wasmc-wast2json's
 * extensions, see wast2json.c): null references of every abstract heap
 * type (`nullfuncref`, `nullexternref`, ...), `(ref.null)` as "ref" "null"
 * (any null reference), `(ref)` (any non-null one), `hostref` N (`ref.host
 * N`: host value N as an internal anyref). The harness sees a reference's
 * flat type code (the top of its hierarchy: WASMRT_FUNCREF,
 * WASMRT_EXTERNREF, WASMRT_EXNREF, WASMRT_ANYREF) and its word, so
 * references are compared by *family* (func, extern, exn, any), then by
 * nullness, identity (externref/hostref N) or kind: the word says what
 * it is (wasmrt_abi.h "Garbage collection": null, i31, struct or array
 * object, host value), so (ref.i31), (ref.struct), (ref.array) and
 * (ref.eq) are checked exactly. A code of no known family (a concrete
 * (ref $t) of a global, which the runtime names by canonical id only)
 * matches any family.
 *
 * Host values share the extern and any hierarchies (any.convert_extern
 * is the identity on the word), so (ref.host N) and (ref.extern N) are
 * the same value; it must be a multiple of 4 to be told from an i31 or
 * an object, hence spec_externref's encoding.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

/* Externref N must be non-null for every N, including 0, and a multiple
 * of 4 (a host value's tag, wasmrt_abi.h); the offset also keeps it away
 * from the small numbers a bug could produce. */
#define EXTERN_BASE 0x10000u
#define EXTERN_COUNT 0x10000u /* numbers shown as such in messages */

void *spec_externref(uint64_t n) {
  return (void *)(uintptr_t)(EXTERN_BASE + 4 * n);
}

/* The N of spec_externref(N), for messages; false for other words. */
static bool externref_number(const void *ref, uint64_t *n) {
  uintptr_t p = (uintptr_t)ref;
  if (p < EXTERN_BASE || (p - EXTERN_BASE) % 4 ||
      (p - EXTERN_BASE) / 4 >= EXTERN_COUNT)
    return false;
  *n = (p - EXTERN_BASE) / 4;
  return true;
}

static const char *jstr(const json *o, const char *key) {
  const json *v = json_get(o, key);
  return json_is_string(v) ? v->str : NULL;
}

/* Heap-type bytes of the binary format for the reference types the
 * runtime header does not name (yet). REF_UNKNOWN ("ref": a concrete
 * (ref null $t), or (ref.null)/(ref) in a result) is the `ref null` prefix
 * byte: a reference whose family the script does not say. */
enum {
  REF_EXN = 0x69, REF_ANY = WASMRT_ANYREF, REF_EQ = 0x6D, REF_I31 = 0x6C,
  REF_STRUCT = 0x6B, REF_ARRAY = 0x6A, REF_NONE = 0x71, REF_NOFUNC = 0x73,
  REF_NOEXTERN = 0x72, REF_NOEXN = 0x74, REF_UNKNOWN = 0x63, REF_UNKNOWN_NN = 0x64,
};

enum family { FAM_NONE, FAM_FUNC, FAM_EXTERN, FAM_EXN, FAM_ANY, FAM_WILD };

/* The family of a type code; FAM_NONE for numbers and vectors. */
static enum family family(uint8_t code) {
  switch (code) {
  case WASMRT_FUNCREF: case REF_NOFUNC: return FAM_FUNC;
  case WASMRT_EXTERNREF: case REF_NOEXTERN: return FAM_EXTERN;
  case REF_EXN: case REF_NOEXN: return FAM_EXN;
  case REF_ANY: case REF_EQ: case REF_I31: case REF_STRUCT: case REF_ARRAY:
  case REF_NONE: return FAM_ANY;
  case WASMRT_I32: case WASMRT_I64: case WASMRT_F32: case WASMRT_F64:
  case WASMRT_V128: return FAM_NONE;
  default: return FAM_WILD; /* some other reference type */
  }
}

static bool families_meet(uint8_t a, uint8_t b) {
  enum family fa = family(a), fb = family(b);
  if (fa == FAM_NONE || fb == FAM_NONE)
    return false;
  return fa == fb || fa == FAM_WILD || fb == FAM_WILD;
}

bool spec_arg_fits(uint8_t arg, const wasmrt_val *v, uint8_t param) {
  /* a null of any type of the param's family (nullfuncref for a funcref
   * param, a concrete (ref null $t)); a non-null one of its exact type */
  return arg == param || (v->ref == NULL && families_meet(arg, param));
}

static int type_code(const char *t) {
  static const struct { const char *name; int code; } types[] = {
      {"i32", WASMRT_I32},         {"i64", WASMRT_I64},
      {"f32", WASMRT_F32},         {"f64", WASMRT_F64},
      {"v128", WASMRT_V128},       {"funcref", WASMRT_FUNCREF},
      {"externref", WASMRT_EXTERNREF}, {"exnref", REF_EXN},
      {"anyref", REF_ANY},         {"eqref", REF_EQ},
      {"i31ref", REF_I31},         {"structref", REF_STRUCT},
      {"arrayref", REF_ARRAY},     {"nullref", REF_NONE},
      {"nullfuncref", REF_NOFUNC}, {"nullexternref", REF_NOEXTERN},
      {"nullexnref", REF_NOEXN},   {"hostref", REF_ANY},
      {"ref", REF_UNKNOWN},
  };
  for (size_t i = 0; t && i < sizeof types / sizeof *types; i++)
    if (strcmp(t, types[i].name) == 0)
      return types[i].code;
  return -1;
}

uint8_t spec_flat_type(uint32_t vt) {
  uint32_t ht = vt & WASMRT_VT_REF ? vt & ~(WASMRT_VT_REF | WASMRT_VT_NULL)
                                   : vt;
  switch (ht) {
  case WASMRT_HT_FUNC: case WASMRT_HT_NOFUNC: return WASMRT_FUNCREF;
  case WASMRT_HT_EXTERN: case WASMRT_HT_NOEXTERN: return WASMRT_EXTERNREF;
  case WASMRT_HT_EXN: case WASMRT_HT_NOEXN: return WASMRT_EXNREF;
  case WASMRT_HT_ANY: case WASMRT_HT_EQ: case WASMRT_HT_I31:
  case WASMRT_HT_STRUCT: case WASMRT_HT_ARRAY: case WASMRT_HT_NONE:
    return WASMRT_ANYREF;
  default:
    /* a concrete type's canonical id: no hierarchy known here */
    return vt & WASMRT_VT_REF ? REF_UNKNOWN : (uint8_t)vt;
  }
}

/* Decimal bit patterns; wast2json writes them unsigned, a '-' is accepted
 * as two's complement in case another converter writes signed lanes. */
static bool parse_bits(const char *s, uint64_t *out) {
  if (!s || !*s)
    return false;
  char *end;
  errno = 0;
  if (s[0] == '-') {
    long long v = strtoll(s, &end, 10);
    *out = (uint64_t)v;
  } else {
    *out = strtoull(s, &end, 10);
  }
  return errno == 0 && *end == '\0';
}

static unsigned lane_bytes(const char *lt) {
  if (!lt)
    return 0;
  if (strcmp(lt, "i8") == 0)
    return 1;
  if (strcmp(lt, "i16") == 0)
    return 2;
  if (strcmp(lt, "i32") == 0 || strcmp(lt, "f32") == 0)
    return 4;
  if (strcmp(lt, "i64") == 0 || strcmp(lt, "f64") == 0)
    return 8;
  return 0;
}

bool spec_value_parse(const json *v, uint8_t *type, wasmrt_val *out,
                      char *err, size_t errsz) {
  const char *t = jstr(v, "type");
  int code = type_code(t);
  /* arguments have their hierarchy's flat code, as parameters do */
  if (code >= 0 && family((uint8_t)code) == FAM_ANY)
    code = WASMRT_ANYREF;
  memset(out, 0, sizeof *out);
  if (code < 0) {
    snprintf(err, errsz, "unknown value type \"%s\"", t ? t : "(none)");
    return false;
  }
  *type = (uint8_t)code;
  const json *val = json_get(v, "value");
  uint64_t bits;
  switch (code) {
  case WASMRT_I32:
  case WASMRT_F32:
  case WASMRT_I64:
  case WASMRT_F64:
    if (!json_is_string(val) || !parse_bits(val->str, &bits)) {
      snprintf(err, errsz, "bad %s value", t);
      return false;
    }
    if (code == WASMRT_I32 || code == WASMRT_F32) {
      uint32_t b = (uint32_t)bits;
      memcpy(out, &b, 4); /* f32 args keep their exact bits (NaN payloads) */
    } else {
      memcpy(out, &bits, 8);
    }
    return true;
  case WASMRT_V128: {
    const char *lt = jstr(v, "lane_type");
    unsigned lb = lane_bytes(lt);
    if (!lb || !json_is_array(val) ||
        json_size(val) != (int)(16 / lb)) {
      snprintf(err, errsz, "bad v128 value");
      return false;
    }
    unsigned i = 0;
    const json *lane;
    json_each(lane, val) {
      if (!json_is_string(lane) || !parse_bits(lane->str, &bits)) {
        snprintf(err, errsz, "bad v128 lane");
        return false;
      }
      memcpy(out->v128 + i * lb, &bits, lb); /* little-endian */
      i++;
    }
    return true;
  }
  default: /* references */
    if (!json_is_string(val) || strcmp(val->str, "null") == 0) {
      out->ref = NULL;
      return true;
    }
    /* only host values have a number: ref.extern N, ref.host N */
    if (code != WASMRT_EXTERNREF && strcmp(t, "hostref") != 0) {
      snprintf(err, errsz, "a non-null %s argument cannot be written", t);
      return false;
    }
    if (!parse_bits(val->str, &bits)) {
      snprintf(err, errsz, "bad %s value", t);
      return false;
    }
    out->ref = spec_externref(bits);
    return true;
  }
}

/* ---- matching ------------------------------------------------------------- */

static bool is_canonical_nan32(uint32_t b) { return (b & 0x7fffffffu) == 0x7fc00000u; }
static bool is_arith_nan32(uint32_t b) { return (b & 0x7fc00000u) == 0x7fc00000u; }
static bool is_canonical_nan64(uint64_t b) {
  return (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}
static bool is_arith_nan64(uint64_t b) {
  return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* One scalar (or lane) of `bytes` bytes against its expected string. */
static bool scalar_matches(const char *want, bool is_float, unsigned bytes,
                           const uint8_t *actual) {
  uint64_t a = 0;
  memcpy(&a, actual, bytes);
  if (is_float && want && strncmp(want, "nan:", 4) == 0) {
    bool canonical = strcmp(want, "nan:canonical") == 0;
    if (!canonical && strcmp(want, "nan:arithmetic") != 0)
      return false;
    if (bytes == 4)
      return canonical ? is_canonical_nan32((uint32_t)a) : is_arith_nan32((uint32_t)a);
    return canonical ? is_canonical_nan64(a) : is_arith_nan64(a);
  }
  uint64_t w;
  if (!parse_bits(want, &w))
    return false;
  if (bytes < 8)
    w &= (1ull << (8 * bytes)) - 1;
  return a == w;
}

/* A non-null reference of the kind an expected result without a value
 * names: (ref.i31), (ref.struct), (ref.array) and (ref.eq) by the word's
 * kind (only where the result's type can hold GC values: the any or
 * extern hierarchies, or a type of no known family), the others
 * ((ref.func), (ref.extern), (ref.any), (ref), (ref.host)) just
 * non-null. */
static bool kind_matches(int code, const void *ref, uint8_t type) {
  if (!ref)
    return false;
  enum family f = family(type);
  if (f != FAM_ANY && f != FAM_EXTERN && f != FAM_WILD)
    return true;
  wasmrt_ref_kind k = wasmrt_ref_kind_of(ref);
  switch (code) {
  case REF_I31: return k == WASMRT_REF_I31;
  case REF_STRUCT: return k == WASMRT_REF_STRUCT;
  case REF_ARRAY: return k == WASMRT_REF_ARRAY;
  case REF_EQ:
    return k == WASMRT_REF_I31 || k == WASMRT_REF_STRUCT ||
           k == WASMRT_REF_ARRAY;
  default: return true;
  }
}

bool spec_value_matches(const json *e, uint8_t type, const wasmrt_val *actual) {
  const char *t = jstr(e, "type");
  if (t && strcmp(t, "either") == 0) {
    const json *alt;
    json_each(alt, json_get(e, "values"))
      if (spec_value_matches(alt, type, actual))
        return true;
    return false;
  }
  int code = type_code(t);
  if (code < 0)
    return false;
  const json *val = json_get(e, "value");
  if (family((uint8_t)code) != FAM_NONE) {
    /* references: family, then nullness or identity */
    if (!families_meet((uint8_t)code, type))
      return false;
    if (!json_is_string(val))
      return kind_matches(code, actual->ref, type);
    if (strcmp(val->str, "null") == 0)
      return actual->ref == NULL;
    uint64_t n;
    if ((code == WASMRT_EXTERNREF || strcmp(t, "hostref") == 0) && parse_bits(val->str, &n))
      return actual->ref == spec_externref(n);
    return false;
  }
  if (code != type)
    return false;
  switch (code) {
  case WASMRT_I32:
  case WASMRT_I64:
  case WASMRT_F32:
  case WASMRT_F64: {
    bool f = code == WASMRT_F32 || code == WASMRT_F64;
    unsigned bytes = code == WASMRT_I32 || code == WASMRT_F32 ? 4 : 8;
    return json_is_string(val) &&
           scalar_matches(val->str, f, bytes, (const uint8_t *)actual);
  }
  case WASMRT_V128: {
    const char *lt = jstr(e, "lane_type");
    unsigned lb = lane_bytes(lt);
    if (!lb || !json_is_array(val) || json_size(val) != (int)(16 / lb))
      return false;
    bool f = lt[0] == 'f';
    unsigned i = 0;
    const json *lane;
    json_each(lane, val) {
      if (!json_is_string(lane) ||
          !scalar_matches(lane->str, f, lb, actual->v128 + i * lb))
        return false;
      i++;
    }
    return true;
  }
  default:
    return false;
  }
}

/* ---- formatting ------------------------------------------------------------ */

/* A reference of the any or extern hierarchy by what its word is:
 * "anyref:null", "externref:3" (host value 3 of the script),
 * "anyref:i31 -5", "anyref:struct 0x...", ... */
static void gc_ref_format(const char *tn, const void *ref, char *buf,
                          size_t n) {
  uint64_t num;
  switch (wasmrt_ref_kind_of(ref)) {
  case WASMRT_REF_NULL:
    snprintf(buf, n, "%s:null", tn);
    break;
  case WASMRT_REF_I31:
    snprintf(buf, n, "%s:i31 %" PRId32, tn, wasmrt_ref_i31_value(ref, true));
    break;
  case WASMRT_REF_STRUCT:
  case WASMRT_REF_ARRAY:
    snprintf(buf, n, "%s:%s %p", tn,
             wasmrt_ref_kind_of(ref) == WASMRT_REF_STRUCT ? "struct" : "array", ref);
    break;
  case WASMRT_REF_HOST:
  default:
    if (externref_number(ref, &num))
      snprintf(buf, n, "%s:%" PRIu64, tn, num);
    else
      snprintf(buf, n, "%s:host %p", tn, ref);
    break;
  }
}

void spec_value_format(uint8_t type, const wasmrt_val *v, char *buf, size_t n) {
  switch (type) {
  case WASMRT_I32:
    snprintf(buf, n, "i32:%" PRIu32 " (0x%08" PRIx32 ")", (uint32_t)v->i32,
             (uint32_t)v->i32);
    break;
  case WASMRT_I64:
    snprintf(buf, n, "i64:%" PRIu64 " (0x%016" PRIx64 ")", (uint64_t)v->i64,
             (uint64_t)v->i64);
    break;
  case WASMRT_F32: {
    uint32_t b;
    memcpy(&b, v, 4);
    snprintf(buf, n, "f32:%" PRIu32 " (%.9g, 0x%08" PRIx32 ")", b, (double)v->f32, b);
    break;
  }
  case WASMRT_F64: {
    uint64_t b;
    memcpy(&b, v, 8);
    snprintf(buf, n, "f64:%" PRIu64 " (%.17g, 0x%016" PRIx64 ")", b, v->f64, b);
    break;
  }
  case WASMRT_V128: {
    uint32_t l[4];
    memcpy(l, v->v128, 16);
    snprintf(buf, n, "v128:i32x4 0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32
             " 0x%08" PRIx32, l[0], l[1], l[2], l[3]);
    break;
  }
  case WASMRT_FUNCREF:
  case WASMRT_EXNREF: {
    const char *tn = type == WASMRT_FUNCREF ? "funcref" : "exnref";
    if (!v->ref)
      snprintf(buf, n, "%s:null", tn);
    else
      snprintf(buf, n, "%s:%p", tn, v->ref);
    break;
  }
  case WASMRT_EXTERNREF:
  case WASMRT_ANYREF:
    gc_ref_format(type == WASMRT_ANYREF ? "anyref" : "externref", v->ref, buf,
                  n);
    break;
  default:
    if (family(type) != FAM_NONE)
      snprintf(buf, n, "ref(0x%02x):%s", type, v->ref ? "non-null" : "null");
    else
      snprintf(buf, n, "(type 0x%02x)", type);
  }
}

void spec_expected_format(const json *e, char *buf, size_t n) {
  const char *t = jstr(e, "type");
  const json *val = json_get(e, "value");
  if (json_is_string(val)) {
    snprintf(buf, n, "%s:%s", t ? t : "?", val->str);
    return;
  }
  json_format(e, buf, n);
}

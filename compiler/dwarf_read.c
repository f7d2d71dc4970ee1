/* dwarf_read.c: reads the DWARF that clang -g put in a Wasm module's custom
 * sections into the plain tables of dwarf.h, so that -g can describe the
 * native code in terms of the original C source (lower_debug.c).
 *
 * The input is untrusted: every read is bounds-checked against its section
 * (and a unit's DIEs against the unit), and any inconsistency aborts the
 * whole read with "`.section`+0xOFFSET: reason". Nothing here recurses on
 * input data: DIE trees are walked with an explicit stack, types are read
 * through a work queue (a type's references only reserve an index), and a
 * work budget proportional to the input bounds what a hostile module can
 * make us repeat (overlapping units, abbreviation tables or lists).
 *
 * Structure: sections found (find_sections), then pass 1 over the unit
 * headers (bases, compile units, their line programs and file tables),
 * pass 2 over the DIEs of each compile unit (subprograms and their
 * variables), the type queue, and the final sorting into dwarf_info.
 * Failure unwinds with longjmp to dwarf_read: every allocation lives in an
 * arena (the result's, or the scratch one), so nothing leaks. */
#include "dwarf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "wasm.h"

/* ---- DWARF constants (DWARF 5, section 7, plus what older versions and
 * GNU extensions add) ------------------------------------------------------ */

enum {
  DW_TAG_array_type = 0x01, DW_TAG_class_type = 0x02,
  DW_TAG_enumeration_type = 0x04, DW_TAG_formal_parameter = 0x05,
  DW_TAG_lexical_block = 0x0b, DW_TAG_member = 0x0d,
  DW_TAG_pointer_type = 0x0f, DW_TAG_reference_type = 0x10,
  DW_TAG_compile_unit = 0x11, DW_TAG_structure_type = 0x13,
  DW_TAG_subroutine_type = 0x15, DW_TAG_typedef = 0x16,
  DW_TAG_union_type = 0x17, DW_TAG_unspecified_parameters = 0x18,
  DW_TAG_inheritance = 0x1c, DW_TAG_inlined_subroutine = 0x1d,
  DW_TAG_module = 0x1e, DW_TAG_ptr_to_member_type = 0x1f,
  DW_TAG_subrange_type = 0x21, DW_TAG_base_type = 0x24,
  DW_TAG_const_type = 0x26, DW_TAG_enumerator = 0x28,
  DW_TAG_subprogram = 0x2e, DW_TAG_packed_type = 0x2d,
  DW_TAG_variable = 0x34, DW_TAG_volatile_type = 0x35,
  DW_TAG_restrict_type = 0x37, DW_TAG_interface_type = 0x38,
  DW_TAG_namespace = 0x39, DW_TAG_unspecified_type = 0x3b,
  DW_TAG_shared_type = 0x40, DW_TAG_rvalue_reference_type = 0x42,
  DW_TAG_atomic_type = 0x47, DW_TAG_immutable_type = 0x4b,
};

enum {
  DW_AT_sibling = 0x01, DW_AT_location = 0x02, DW_AT_name = 0x03,
  DW_AT_byte_size = 0x0b, DW_AT_bit_offset = 0x0c, DW_AT_bit_size = 0x0d,
  DW_AT_stmt_list = 0x10, DW_AT_low_pc = 0x11, DW_AT_high_pc = 0x12,
  DW_AT_language = 0x13, DW_AT_comp_dir = 0x1b, DW_AT_const_value = 0x1c,
  DW_AT_lower_bound = 0x22, DW_AT_producer = 0x25, DW_AT_upper_bound = 0x2f,
  DW_AT_abstract_origin = 0x31, DW_AT_count = 0x37,
  DW_AT_data_member_location = 0x38, DW_AT_decl_file = 0x3a,
  DW_AT_decl_line = 0x3b, DW_AT_declaration = 0x3c, DW_AT_encoding = 0x3e,
  DW_AT_external = 0x3f, DW_AT_frame_base = 0x40,
  DW_AT_specification = 0x47, DW_AT_type = 0x49,
  DW_AT_linkage_name = 0x6e, DW_AT_data_bit_offset = 0x6b,
  DW_AT_str_offsets_base = 0x72, DW_AT_addr_base = 0x73,
  DW_AT_loclists_base = 0x8c,
  DW_AT_MIPS_linkage_name = 0x2007, DW_AT_GNU_addr_base = 0x2133,
};

enum {
  DW_FORM_addr = 0x01, DW_FORM_block2 = 0x03, DW_FORM_block4 = 0x04,
  DW_FORM_data2 = 0x05, DW_FORM_data4 = 0x06, DW_FORM_data8 = 0x07,
  DW_FORM_string = 0x08, DW_FORM_block = 0x09, DW_FORM_block1 = 0x0a,
  DW_FORM_data1 = 0x0b, DW_FORM_flag = 0x0c, DW_FORM_sdata = 0x0d,
  DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f, DW_FORM_ref_addr = 0x10,
  DW_FORM_ref1 = 0x11, DW_FORM_ref2 = 0x12, DW_FORM_ref4 = 0x13,
  DW_FORM_ref8 = 0x14, DW_FORM_ref_udata = 0x15, DW_FORM_indirect = 0x16,
  DW_FORM_sec_offset = 0x17, DW_FORM_exprloc = 0x18,
  DW_FORM_flag_present = 0x19, DW_FORM_strx = 0x1a, DW_FORM_addrx = 0x1b,
  DW_FORM_ref_sup4 = 0x1c, DW_FORM_strp_sup = 0x1d, DW_FORM_data16 = 0x1e,
  DW_FORM_line_strp = 0x1f, DW_FORM_ref_sig8 = 0x20,
  DW_FORM_implicit_const = 0x21, DW_FORM_loclistx = 0x22,
  DW_FORM_rnglistx = 0x23, DW_FORM_ref_sup8 = 0x24, DW_FORM_strx1 = 0x25,
  DW_FORM_strx2 = 0x26, DW_FORM_strx3 = 0x27, DW_FORM_strx4 = 0x28,
  DW_FORM_addrx1 = 0x29, DW_FORM_addrx2 = 0x2a, DW_FORM_addrx3 = 0x2b,
  DW_FORM_addrx4 = 0x2c,
  DW_FORM_GNU_addr_index = 0x1f01, DW_FORM_GNU_str_index = 0x1f02,
  DW_FORM_GNU_ref_alt = 0x1f20, DW_FORM_GNU_strp_alt = 0x1f21,
};

enum {
  DW_UT_compile = 1, DW_UT_type = 2, DW_UT_partial = 3, DW_UT_skeleton = 4,
  DW_UT_split_compile = 5, DW_UT_split_type = 6,
};

enum {
  DW_LNS_copy = 1, DW_LNS_advance_pc, DW_LNS_advance_line, DW_LNS_set_file,
  DW_LNS_set_column, DW_LNS_negate_stmt, DW_LNS_set_basic_block,
  DW_LNS_const_add_pc, DW_LNS_fixed_advance_pc, DW_LNS_set_prologue_end,
  DW_LNS_set_epilogue_begin, DW_LNS_set_isa,
  DW_LNE_end_sequence = 1, DW_LNE_set_address = 2, DW_LNE_define_file = 3,
  DW_LNCT_path = 1, DW_LNCT_directory_index = 2,
};

enum {
  DW_LLE_end_of_list = 0, DW_LLE_base_addressx, DW_LLE_startx_endx,
  DW_LLE_startx_length, DW_LLE_offset_pair, DW_LLE_default_location,
  DW_LLE_base_address, DW_LLE_start_end, DW_LLE_start_length,
};

enum {
  DW_OP_addr = 0x03, DW_OP_const1u = 0x08, DW_OP_const1s = 0x09,
  DW_OP_const2u = 0x0a, DW_OP_const2s = 0x0b, DW_OP_const4u = 0x0c,
  DW_OP_const4s = 0x0d, DW_OP_const8u = 0x0e, DW_OP_const8s = 0x0f,
  DW_OP_constu = 0x10, DW_OP_consts = 0x11, DW_OP_plus_uconst = 0x23,
  DW_OP_lit0 = 0x30, DW_OP_lit31 = 0x4f, DW_OP_fbreg = 0x91,
  DW_OP_stack_value = 0x9f, DW_OP_addrx = 0xa1, DW_OP_WASM_location = 0xed,
};

/* Code addresses wasm-ld writes for code it dropped: -1, and -2 where -1
 * already means something (.debug_loc/.debug_ranges base selection). */
static bool tombstone(uint64_t a) { return a >= 0xfffffffeu; }

/* ---- sections, context, failure ------------------------------------------ */

enum {
  S_INFO, S_ABBREV, S_STR, S_LINE, S_LINE_STR, S_STR_OFFSETS, S_ADDR, S_LOC,
  S_LOCLISTS, S_COUNT, S_NONE = S_COUNT,
};
static const char *const section_names[S_COUNT] = {
    ".debug_info", ".debug_abbrev", ".debug_str", ".debug_line",
    ".debug_line_str", ".debug_str_offsets", ".debug_addr", ".debug_loc",
    ".debug_loclists",
};

typedef struct {
  const uint8_t *p;
  size_t size;
  bool present;
} dsec;

/* A growable array in the scratch arena (growth leaves the old copy there:
 * at most twice the final size, freed with the scratch). */
typedef struct {
  void *p;
  size_t n, cap;
} vec;

/* Open addressing, keys stored + 1 so that 0 marks a free slot. */
typedef struct {
  uint64_t *keys;
  uint32_t *vals;
  size_t cap, n;
} map;

typedef struct {
  uint32_t at, form;
  int64_t implicit; /* DW_FORM_implicit_const's value */
} aspec;

typedef struct {
  uint64_t code;
  uint32_t tag;
  bool children;
  uint32_t nspecs;
  aspec *specs;
} abbrev;

typedef struct {
  size_t off;     /* in .debug_abbrev */
  abbrev *v;      /* sorted by code */
  size_t n;
  bool dense;     /* v[i].code == i + 1 for all i: index directly */
} atable;

/* A line program's file list, as indices into dwarf_info.files. */
typedef struct {
  size_t off; /* in .debug_line */
  uint16_t version;
  vec files;  /* uint32_t; entry i = file i (v5) or file i + 1 (v2-4) */
} linetab;

typedef struct {
  size_t off, die_off, end; /* header, first DIE, one past the unit */
  uint16_t version;
  uint8_t type;             /* DW_UT_* (v2-4: compile) */
  atable *abbrevs;
  uint64_t str_offsets_base, addr_base, loclists_base;
  uint64_t base;            /* the root DIE's low_pc: base of its lists */
  uint64_t sig;             /* type units */
  size_t type_die;
  int32_t cu;               /* index into dwarf_info.cus, or -1 */
  uint32_t language;
  linetab *lt;
} unit;

typedef struct {
  uint32_t index;
  uint32_t unit;
  size_t off;
} pending_type;

typedef struct {
  uint32_t func; /* index into ctx.funcs (before sorting) */
  uint32_t seq;
  dwarf_var v;
} pending_var;

typedef struct {
  dwarf_row r;
  uint32_t seq;   /* input order */
  uint8_t phase;  /* 0: at its sequence's end address, else 1 */
} seq_row;

typedef struct {
  jmp_buf jb;
  char *err;
  size_t err_size;
  dsec s[S_COUNT];
  wasm_arena tmp;
  dwarf_info *d;
  uint64_t budget;
  size_t mem_limit; /* bytes both arenas may hold */
  vec units;    /* unit */
  vec atables;  /* atable * */
  map atable_map;  /* .debug_abbrev offset -> index into atables */
  vec linetabs; /* linetab * */
  map linetab_map; /* .debug_line offset -> index into linetabs */
  vec sigs;     /* {uint64_t sig, unit index} pairs, sorted after pass 1 */
  map type_map; /* DIE offset -> index into types */
  vec types;    /* dwarf_type */
  vec queue;    /* pending_type */
  size_t queue_head;
  vec cus;      /* dwarf_cu */
  vec files;    /* dwarf_file */
  map file_map; /* hash of dir + name -> candidate index chain (below) */
  int32_t unknown_file;
  vec rows;     /* seq_row */
  vec funcs;    /* dwarf_func */
  vec vars;     /* pending_var */
} ctx;

static _Noreturn void fail(ctx *c, int sec, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static _Noreturn void fail(ctx *c, int sec, size_t off, const char *fmt,
                           ...) {
  int n = 0;
  if (c->err_size) {
    if (sec != S_NONE)
      n = snprintf(c->err, c->err_size, "`%s`+0x%zx: ", section_names[sec],
                   off);
    if (n < 0 || (size_t)n >= c->err_size)
      n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
    va_end(ap);
  }
  longjmp(c->jb, 1);
}

/* Hostile input can make the same bytes be read many times (units sharing
 * one abbreviation table at different offsets, lists referenced by every
 * variable, deeply nested types); this caps the total. */
static void work(ctx *c, int sec, size_t off, uint64_t n) {
  if (c->budget < n)
    fail(c, sec, off, "too much work for the size of the DWARF (malformed?)");
  c->budget -= n;
}

/* Memory is capped in proportion to the input too: joined directory
 * names or copied strings could otherwise multiply a hostile module's
 * few long strings. */
static void *alloc_in(ctx *c, wasm_arena *a, size_t n, size_t size) {
  size_t used = c->tmp.total + c->d->arena.total;
  if (used > c->mem_limit || (n && size > (c->mem_limit - used) / n))
    fail(c, S_NONE, 0, "DWARF too large for its size (malformed?)");
  void *p = wasm_arena_array(a, n ? n : 1, size);
  if (!p)
    fail(c, S_NONE, 0, "out of memory reading DWARF");
  return p;
}

static void *tmp_array(ctx *c, size_t n, size_t size) {
  return alloc_in(c, &c->tmp, n, size);
}

static void *out_array(ctx *c, size_t n, size_t size) {
  return alloc_in(c, &c->d->arena, n, size);
}

static void *vec_push(ctx *c, vec *v, size_t size) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 16;
    void *p = tmp_array(c, cap, size);
    if (v->n)
      memcpy(p, v->p, v->n * size);
    v->p = p;
    v->cap = cap;
  }
  return (char *)v->p + v->n++ * size;
}
#define PUSH(c, v, T) ((T *)vec_push((c), (v), sizeof(T)))
#define AT(v, T, i) (((T *)(v).p)[i])

/* Moves a scratch array into the result. */
static void *keep_array(ctx *c, const vec *v, size_t size) {
  void *p = out_array(c, v->n, size);
  if (v->n)
    memcpy(p, v->p, v->n * size);
  return p;
}

static const char *keep_str(ctx *c, const char *s) {
  if (!s)
    return NULL;
  size_t n = strlen(s);
  char *p = out_array(c, n + 1, 1);
  memcpy(p, s, n + 1);
  return p;
}

static uint64_t hash64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

static bool map_get(const map *mp, uint64_t key, uint32_t *val) {
  if (!mp->cap)
    return false;
  for (size_t i = hash64(key) & (mp->cap - 1);; i = (i + 1) & (mp->cap - 1)) {
    if (mp->keys[i] == 0)
      return false;
    if (mp->keys[i] == key + 1) {
      *val = mp->vals[i];
      return true;
    }
  }
}

static void map_put(ctx *c, map *mp, uint64_t key, uint32_t val) {
  if ((mp->n + 1) * 2 > mp->cap) {
    size_t cap = mp->cap ? mp->cap * 2 : 64;
    uint64_t *keys = tmp_array(c, cap, sizeof *keys);
    uint32_t *vals = tmp_array(c, cap, sizeof *vals);
    for (size_t j = 0; j < mp->cap; j++) {
      if (!mp->keys[j])
        continue;
      size_t i = hash64(mp->keys[j] - 1) & (cap - 1);
      while (keys[i])
        i = (i + 1) & (cap - 1);
      keys[i] = mp->keys[j];
      vals[i] = mp->vals[j];
    }
    mp->keys = keys;
    mp->vals = vals;
    mp->cap = cap;
  }
  size_t i = hash64(key) & (mp->cap - 1);
  while (mp->keys[i] && mp->keys[i] != key + 1)
    i = (i + 1) & (mp->cap - 1);
  if (!mp->keys[i])
    mp->n++;
  mp->keys[i] = key + 1;
  mp->vals[i] = val;
}

/* ---- cursors ------------------------------------------------------------- */

/* A position in one section, never past `end` (a unit's end for DIEs). */
typedef struct {
  ctx *c;
  int sec;
  size_t pos, end;
} cur;

static cur cur_at(ctx *c, int sec, size_t pos, size_t end) {
  if (!c->s[sec].present)
    fail(c, S_NONE, 0, "no `%s` section", section_names[sec]);
  if (end > c->s[sec].size)
    end = c->s[sec].size;
  if (pos > end)
    fail(c, sec, pos, "offset past the end of the section (0x%zx bytes)",
         c->s[sec].size);
  return (cur){c, sec, pos, end};
}

static const uint8_t *take(cur *r, size_t n) {
  if (r->pos > r->end || n > r->end - r->pos)
    fail(r->c, r->sec, r->pos, "unexpected end (need %zu bytes, %zu left)", n,
         r->end - r->pos);
  const uint8_t *p = r->c->s[r->sec].p + r->pos;
  r->pos += n;
  return p;
}

static uint64_t rd_le(cur *r, unsigned n) {
  const uint8_t *p = take(r, n);
  uint64_t v = 0;
  for (unsigned i = n; i-- > 0;)
    v = v << 8 | p[i];
  return v;
}
static uint8_t rd_u8(cur *r) { return *take(r, 1); }
static uint16_t rd_u16(cur *r) { return (uint16_t)rd_le(r, 2); }
static uint32_t rd_u32(cur *r) { return (uint32_t)rd_le(r, 4); }

/* LEB128 of any length (DWARF allows padding); bits past 64 are dropped. */
static uint64_t rd_uleb(cur *r) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    uint8_t b = rd_u8(r);
    if (shift < 64)
      v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80))
      return v;
  }
}

static int64_t rd_sleb(cur *r) {
  uint64_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    b = rd_u8(r);
    if (shift < 64)
      v |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 64 && (b & 0x40))
    v |= ~(uint64_t)0 << shift;
  return (int64_t)v;
}

static const char *rd_cstr(cur *r) {
  take(r, 0);
  const uint8_t *p = r->c->s[r->sec].p + r->pos;
  const uint8_t *z = memchr(p, 0, r->end - r->pos);
  if (!z)
    fail(r->c, r->sec, r->pos, "unterminated string");
  /* the same long string may be named many times */
  work(r->c, r->sec, r->pos, (size_t)(z - p) >> 6);
  r->pos += (size_t)(z - p) + 1;
  return (const char *)p;
}

/* The 4-byte length of a unit or table: 64-bit DWARF is refused. Returns
 * the offset one past it. */
static size_t rd_unit_length(cur *r) {
  size_t at = r->pos;
  uint32_t len = rd_u32(r);
  if (len == 0xffffffffu)
    fail(r->c, r->sec, at, "64-bit DWARF is not supported");
  if (len >= 0xfffffff0u)
    fail(r->c, r->sec, at, "reserved unit length 0x%x", len);
  if (len > r->end - r->pos)
    fail(r->c, r->sec, at,
         "unit length 0x%x runs past the end of the section (0x%zx left)",
         len, r->end - r->pos);
  return r->pos + len;
}

/* ---- forms and attribute values ------------------------------------------ */

typedef enum {
  CLS_NONE,    /* present but of no use here (alt/sup files, rnglistx...) */
  CLS_ADDR,    /* u: address */
  CLS_ADDRX,   /* u: index into .debug_addr */
  CLS_DATA,    /* u: dataN, of `size` bytes, sign unknown */
  CLS_UDATA,   /* u */
  CLS_SDATA,   /* s (also implicit_const) */
  CLS_FLAG,    /* u */
  CLS_BLOCK,   /* p, len (also exprloc) */
  CLS_STR,     /* p: NUL-terminated inside its section */
  CLS_STRP,    /* u: offset in .debug_str */
  CLS_LINE_STRP, /* u: offset in .debug_line_str */
  CLS_STRX,    /* u: index into .debug_str_offsets */
  CLS_REF,     /* u: offset from the unit's header */
  CLS_REF_ADDR, /* u: offset in .debug_info */
  CLS_SIG,     /* u: type signature */
  CLS_SECOFF,  /* u: offset in another section */
  CLS_LOCLISTX, /* u: index into the unit's loclists offsets */
} aclass;

typedef struct {
  uint8_t cls;
  uint8_t size;     /* CLS_DATA */
  uint16_t pad;
  uint32_t form;
  int sec;          /* where the value was read, for messages */
  size_t off;
  uint64_t u;
  int64_t s;
  const uint8_t *p;
  size_t len;
} aval;

static bool known_form(uint64_t f) {
  return (f >= DW_FORM_addr && f <= DW_FORM_addrx4 && f != 0x02) ||
         f == DW_FORM_GNU_addr_index || f == DW_FORM_GNU_str_index ||
         f == DW_FORM_GNU_ref_alt || f == DW_FORM_GNU_strp_alt;
}

static void set_data(cur *r, aval *v, unsigned n) {
  v->cls = CLS_DATA;
  v->size = (uint8_t)n;
  v->u = rd_le(r, n);
}

static void set_block(cur *r, aval *v, size_t n) {
  v->cls = CLS_BLOCK;
  v->len = n;
  v->p = take(r, n);
}

/* Reads one attribute value of `form` (resolving DW_FORM_indirect). Works
 * on any section: line tables of DWARF 5 describe their entries with forms
 * too. Address and offset sizes are 4 (wasm32, 32-bit DWARF), so
 * DW_FORM_ref_addr is 4 bytes in every version. */
static void rd_form(cur *r, uint64_t form, int64_t implicit, aval *v) {
  memset(v, 0, sizeof *v);
  v->sec = r->sec;
  v->off = r->pos;
  for (;;) {
    v->form = (uint32_t)form;
    switch (form) {
    case DW_FORM_addr: v->cls = CLS_ADDR; v->u = rd_u32(r); return;
    case DW_FORM_addrx: case DW_FORM_GNU_addr_index:
      v->cls = CLS_ADDRX; v->u = rd_uleb(r); return;
    case DW_FORM_addrx1: v->cls = CLS_ADDRX; v->u = rd_le(r, 1); return;
    case DW_FORM_addrx2: v->cls = CLS_ADDRX; v->u = rd_le(r, 2); return;
    case DW_FORM_addrx3: v->cls = CLS_ADDRX; v->u = rd_le(r, 3); return;
    case DW_FORM_addrx4: v->cls = CLS_ADDRX; v->u = rd_le(r, 4); return;
    case DW_FORM_block1: set_block(r, v, rd_u8(r)); return;
    case DW_FORM_block2: set_block(r, v, rd_u16(r)); return;
    case DW_FORM_block4: set_block(r, v, rd_u32(r)); return;
    case DW_FORM_block: case DW_FORM_exprloc: {
      uint64_t n = rd_uleb(r);
      set_block(r, v, n > SIZE_MAX ? SIZE_MAX : (size_t)n);
      return;
    }
    case DW_FORM_data1: set_data(r, v, 1); return;
    case DW_FORM_data2: set_data(r, v, 2); return;
    case DW_FORM_data4: set_data(r, v, 4); return;
    case DW_FORM_data8: set_data(r, v, 8); return;
    case DW_FORM_data16: v->cls = CLS_NONE; take(r, 16); return;
    case DW_FORM_sdata: v->cls = CLS_SDATA; v->s = rd_sleb(r); return;
    case DW_FORM_udata: v->cls = CLS_UDATA; v->u = rd_uleb(r); return;
    case DW_FORM_implicit_const: v->cls = CLS_SDATA; v->s = implicit; return;
    case DW_FORM_flag: v->cls = CLS_FLAG; v->u = rd_u8(r); return;
    case DW_FORM_flag_present: v->cls = CLS_FLAG; v->u = 1; return;
    case DW_FORM_string:
      v->cls = CLS_STR;
      v->p = (const uint8_t *)rd_cstr(r);
      return;
    case DW_FORM_strp: v->cls = CLS_STRP; v->u = rd_u32(r); return;
    case DW_FORM_line_strp: v->cls = CLS_LINE_STRP; v->u = rd_u32(r); return;
    case DW_FORM_strx: case DW_FORM_GNU_str_index:
      v->cls = CLS_STRX; v->u = rd_uleb(r); return;
    case DW_FORM_strx1: v->cls = CLS_STRX; v->u = rd_le(r, 1); return;
    case DW_FORM_strx2: v->cls = CLS_STRX; v->u = rd_le(r, 2); return;
    case DW_FORM_strx3: v->cls = CLS_STRX; v->u = rd_le(r, 3); return;
    case DW_FORM_strx4: v->cls = CLS_STRX; v->u = rd_le(r, 4); return;
    case DW_FORM_strp_sup: case DW_FORM_GNU_strp_alt:
    case DW_FORM_ref_sup4: case DW_FORM_GNU_ref_alt:
      v->cls = CLS_NONE; take(r, 4); return;
    case DW_FORM_ref_sup8: v->cls = CLS_NONE; take(r, 8); return;
    case DW_FORM_ref1: v->cls = CLS_REF; v->u = rd_le(r, 1); return;
    case DW_FORM_ref2: v->cls = CLS_REF; v->u = rd_le(r, 2); return;
    case DW_FORM_ref4: v->cls = CLS_REF; v->u = rd_le(r, 4); return;
    case DW_FORM_ref8: v->cls = CLS_REF; v->u = rd_le(r, 8); return;
    case DW_FORM_ref_udata: v->cls = CLS_REF; v->u = rd_uleb(r); return;
    case DW_FORM_ref_addr: v->cls = CLS_REF_ADDR; v->u = rd_u32(r); return;
    case DW_FORM_ref_sig8: v->cls = CLS_SIG; v->u = rd_le(r, 8); return;
    case DW_FORM_sec_offset: v->cls = CLS_SECOFF; v->u = rd_u32(r); return;
    case DW_FORM_loclistx: v->cls = CLS_LOCLISTX; v->u = rd_uleb(r); return;
    case DW_FORM_rnglistx: v->cls = CLS_NONE; v->u = rd_uleb(r); return;
    case DW_FORM_indirect: {
      size_t at = r->pos;
      form = rd_uleb(r);
      if (form == DW_FORM_implicit_const)
        fail(r->c, r->sec, at, "DW_FORM_indirect names DW_FORM_implicit_const");
      if (!known_form(form))
        fail(r->c, r->sec, at, "unknown form 0x%llx",
             (unsigned long long)form);
      continue;
    }
    default:
      fail(r->c, r->sec, v->off, "unknown form 0x%llx",
           (unsigned long long)form);
    }
  }
}

/* ---- abbreviations ------------------------------------------------------- */

static int cmp_abbrev(const void *a, const void *b) {
  uint64_t x = ((const abbrev *)a)->code, y = ((const abbrev *)b)->code;
  return x < y ? -1 : x > y;
}

/* The table at `off`, parsed once however many units share it. */
static atable *get_atable(ctx *c, size_t off, size_t at_info) {
  uint32_t known;
  if (map_get(&c->atable_map, off, &known))
    return AT(c->atables, atable *, known);
  if (!c->s[S_ABBREV].present)
    fail(c, S_INFO, at_info, "no `.debug_abbrev` section");
  if (off >= c->s[S_ABBREV].size)
    fail(c, S_INFO, at_info,
         "abbreviation table offset 0x%zx past the end of `.debug_abbrev`",
         off);
  cur r = cur_at(c, S_ABBREV, off, SIZE_MAX);
  vec list = {0}, specs = {0};
  for (;;) {
    work(c, S_ABBREV, r.pos, 1);
    uint64_t code = rd_uleb(&r);
    if (code == 0)
      break;
    abbrev *a = PUSH(c, &list, abbrev);
    a->code = code;
    size_t tag_at = r.pos;
    uint64_t tag = rd_uleb(&r);
    if (tag == 0 || tag > 0xffff)
      fail(c, S_ABBREV, tag_at, "invalid tag 0x%llx", (unsigned long long)tag);
    a->tag = (uint32_t)tag;
    uint8_t ch = rd_u8(&r);
    if (ch > 1)
      fail(c, S_ABBREV, r.pos - 1, "invalid children flag %u", ch);
    a->children = ch;
    specs.n = 0;
    for (;;) {
      work(c, S_ABBREV, r.pos, 1);
      uint64_t at = rd_uleb(&r);
      size_t form_at = r.pos;
      uint64_t form = rd_uleb(&r);
      if (at == 0 && form == 0)
        break;
      if (!known_form(form))
        fail(c, S_ABBREV, form_at, "unknown form 0x%llx",
             (unsigned long long)form);
      aspec *s = PUSH(c, &specs, aspec);
      s->at = at > 0xffff ? 0xffff : (uint32_t)at;
      s->form = (uint32_t)form;
      if (form == DW_FORM_implicit_const)
        s->implicit = rd_sleb(&r);
    }
    a = &AT(list, abbrev, list.n - 1);
    a->nspecs = (uint32_t)specs.n;
    a->specs = tmp_array(c, specs.n ? specs.n : 1, sizeof(aspec));
    if (specs.n)
      memcpy(a->specs, specs.p, specs.n * sizeof(aspec));
  }
  atable *t = tmp_array(c, 1, sizeof *t);
  t->off = off;
  t->v = list.p;
  t->n = list.n;
  t->dense = true;
  for (size_t i = 0; i < t->n && t->dense; i++)
    t->dense = t->v[i].code == i + 1;
  if (!t->dense && t->n)
    qsort(t->v, t->n, sizeof *t->v, cmp_abbrev);
  map_put(c, &c->atable_map, off, (uint32_t)c->atables.n);
  *PUSH(c, &c->atables, atable *) = t;
  return t;
}

static const abbrev *find_abbrev(const atable *t, uint64_t code) {
  if (t->dense)
    return code - 1 < t->n ? &t->v[code - 1] : NULL;
  size_t lo = 0, hi = t->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->v[mid].code < code)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < t->n && t->v[lo].code == code ? &t->v[lo] : NULL;
}

/* ---- DIEs ---------------------------------------------------------------- */

/* The attributes this reader uses; a DIE keeps the first of each. */
enum {
  A_NAME, A_LINKAGE, A_TYPE, A_LOW_PC, A_HIGH_PC, A_FRAME_BASE, A_LOCATION,
  A_DECL_FILE, A_DECL_LINE, A_EXTERNAL, A_SPEC, A_ORIGIN, A_BYTE_SIZE,
  A_BIT_SIZE, A_BIT_OFFSET, A_DATA_BIT_OFFSET, A_MEMBER_LOC, A_ENCODING,
  A_COUNT, A_UPPER, A_LOWER, A_CONST_VALUE, A_DECLARATION, A_COMP_DIR,
  A_PRODUCER, A_LANGUAGE, A_STMT_LIST, A_STR_OFFSETS_BASE, A_ADDR_BASE,
  A_LOCLISTS_BASE, A_NSLOTS,
};

static int slot_of(uint32_t at) {
  switch (at) {
  case DW_AT_name: return A_NAME;
  case DW_AT_linkage_name: case DW_AT_MIPS_linkage_name: return A_LINKAGE;
  case DW_AT_type: return A_TYPE;
  case DW_AT_low_pc: return A_LOW_PC;
  case DW_AT_high_pc: return A_HIGH_PC;
  case DW_AT_frame_base: return A_FRAME_BASE;
  case DW_AT_location: return A_LOCATION;
  case DW_AT_decl_file: return A_DECL_FILE;
  case DW_AT_decl_line: return A_DECL_LINE;
  case DW_AT_external: return A_EXTERNAL;
  case DW_AT_specification: return A_SPEC;
  case DW_AT_abstract_origin: return A_ORIGIN;
  case DW_AT_byte_size: return A_BYTE_SIZE;
  case DW_AT_bit_size: return A_BIT_SIZE;
  case DW_AT_bit_offset: return A_BIT_OFFSET;
  case DW_AT_data_bit_offset: return A_DATA_BIT_OFFSET;
  case DW_AT_data_member_location: return A_MEMBER_LOC;
  case DW_AT_encoding: return A_ENCODING;
  case DW_AT_count: return A_COUNT;
  case DW_AT_upper_bound: return A_UPPER;
  case DW_AT_lower_bound: return A_LOWER;
  case DW_AT_const_value: return A_CONST_VALUE;
  case DW_AT_declaration: return A_DECLARATION;
  case DW_AT_comp_dir: return A_COMP_DIR;
  case DW_AT_producer: return A_PRODUCER;
  case DW_AT_language: return A_LANGUAGE;
  case DW_AT_stmt_list: return A_STMT_LIST;
  case DW_AT_str_offsets_base: return A_STR_OFFSETS_BASE;
  case DW_AT_addr_base: case DW_AT_GNU_addr_base: return A_ADDR_BASE;
  case DW_AT_loclists_base: return A_LOCLISTS_BASE;
  }
  return -1;
}

typedef struct {
  size_t off;        /* in .debug_info */
  size_t next;       /* past its attributes: its first child or sibling */
  const abbrev *ab;  /* NULL: a null entry (end of siblings) */
  uint32_t unit;     /* index into ctx.units */
  uint32_t has;      /* 1 << A_* */
  aval v[A_NSLOTS];
} die;

static unit *unit_of(ctx *c, uint32_t i) { return &AT(c->units, unit, i); }

static void read_die(ctx *c, uint32_t ui, size_t off, die *d) {
  unit *u = unit_of(c, ui);
  if (off < u->die_off || off >= u->end)
    fail(c, S_INFO, off, "DIE offset outside its unit [0x%zx, 0x%zx)",
         u->die_off, u->end);
  cur r = cur_at(c, S_INFO, off, u->end);
  d->off = off;
  d->unit = ui;
  d->has = 0;
  work(c, S_INFO, off, 1);
  uint64_t code = rd_uleb(&r);
  if (code == 0) {
    d->ab = NULL;
    d->next = r.pos;
    return;
  }
  d->ab = find_abbrev(u->abbrevs, code);
  if (!d->ab)
    fail(c, S_INFO, off, "unknown abbreviation code %llu",
         (unsigned long long)code);
  work(c, S_INFO, off, d->ab->nspecs);
  for (uint32_t i = 0; i < d->ab->nspecs; i++) {
    const aspec *s = &d->ab->specs[i];
    int slot = slot_of(s->at);
    aval tmpv;
    aval *dst = slot >= 0 && !(d->has >> slot & 1) ? &d->v[slot] : &tmpv;
    rd_form(&r, s->form, s->implicit, dst);
    if (dst != &tmpv)
      d->has |= 1u << slot;
  }
  d->next = r.pos;
}

static bool has(const die *d, int slot) { return d->has >> slot & 1; }

/* The direct children of a DIE, in order (deeper ones are skipped). */
typedef struct {
  uint32_t unit;
  size_t pos;
  size_t depth;
  bool done;
} child_iter;

static child_iter children_of(const die *d) {
  return (child_iter){d->unit, d->next, 0, !d->ab || !d->ab->children};
}

static bool next_child(ctx *c, child_iter *it, die *ch) {
  while (!it->done) {
    if (it->pos >= unit_of(c, it->unit)->end)
      return false; /* unterminated at the unit's end: as the walk does */
    read_die(c, it->unit, it->pos, ch);
    it->pos = ch->next;
    if (!ch->ab) {
      if (it->depth == 0)
        it->done = true;
      else
        it->depth--;
      continue;
    }
    bool direct = it->depth == 0;
    if (ch->ab->children)
      it->depth++;
    if (direct)
      return true;
  }
  return false;
}

/* ---- values -------------------------------------------------------------- */

static bool is_const(const aval *v) {
  return v->cls == CLS_DATA || v->cls == CLS_UDATA || v->cls == CLS_SDATA;
}

/* An unsigned constant (byte sizes, lines, counts); sdata as is. */
static bool get_u(const die *d, int slot, uint64_t *out) {
  if (!has(d, slot) || !is_const(&d->v[slot]))
    return false;
  const aval *v = &d->v[slot];
  *out = v->cls == CLS_SDATA ? (uint64_t)v->s : v->u;
  return true;
}

/* A constant whose sign comes from its form (dataN: sign-extended when
 * `sext_data`, as for bounds, where producers write -1 as data1 0xff). */
static bool get_s(const die *d, int slot, bool sext_data, int64_t *out) {
  if (!has(d, slot) || !is_const(&d->v[slot]))
    return false;
  const aval *v = &d->v[slot];
  if (v->cls == CLS_SDATA)
    *out = v->s;
  else if (v->cls == CLS_DATA && sext_data && v->size < 8) {
    unsigned sh = 64 - 8u * v->size;
    *out = (int64_t)(v->u << sh) >> sh;
  } else
    *out = (int64_t)v->u;
  return true;
}

static bool get_flag(const die *d, int slot) {
  if (!has(d, slot))
    return false;
  const aval *v = &d->v[slot];
  return v->cls == CLS_FLAG ? v->u != 0 : is_const(v) && v->u != 0;
}

static const char *sec_str(ctx *c, int sec, uint64_t off, const aval *v) {
  if (!c->s[sec].present)
    fail(c, v->sec, v->off, "string in `%s`, which the module lacks",
         section_names[sec]);
  if (off >= c->s[sec].size)
    fail(c, v->sec, v->off, "string offset 0x%llx past the end of `%s`",
         (unsigned long long)off, section_names[sec]);
  cur r = cur_at(c, sec, (size_t)off, SIZE_MAX);
  return rd_cstr(&r);
}

/* A string attribute's text (in the input), or NULL if it is no string. */
static const char *str_of(ctx *c, const unit *u, const aval *v) {
  switch (v->cls) {
  case CLS_STR: return (const char *)v->p;
  case CLS_STRP: return sec_str(c, S_STR, v->u, v);
  case CLS_LINE_STRP: return sec_str(c, S_LINE_STR, v->u, v);
  case CLS_STRX: {
    if (!c->s[S_STR_OFFSETS].present)
      fail(c, v->sec, v->off, "string index without `.debug_str_offsets`");
    uint64_t size = c->s[S_STR_OFFSETS].size;
    if (v->u >= size / 4 || u->str_offsets_base > size - 4 * v->u - 4 ||
        size < 4)
      fail(c, v->sec, v->off,
           "string index %llu past the end of `.debug_str_offsets`",
           (unsigned long long)v->u);
    cur r = cur_at(c, S_STR_OFFSETS, (size_t)(u->str_offsets_base + 4 * v->u),
                   SIZE_MAX);
    return sec_str(c, S_STR, rd_u32(&r), v);
  }
  default: return NULL;
  }
}

static const char *die_str(ctx *c, const die *d, int slot) {
  return has(d, slot) ? str_of(c, unit_of(c, d->unit), &d->v[slot]) : NULL;
}

static uint64_t addrx(ctx *c, const unit *u, uint64_t idx, int sec,
                      size_t at) {
  if (!c->s[S_ADDR].present)
    fail(c, sec, at, "address index without `.debug_addr`");
  uint64_t size = c->s[S_ADDR].size;
  if (size < 4 || idx >= size / 4 || u->addr_base > size - 4 * idx - 4)
    fail(c, sec, at, "address index %llu past the end of `.debug_addr`",
         (unsigned long long)idx);
  cur r = cur_at(c, S_ADDR, (size_t)(u->addr_base + 4 * idx), SIZE_MAX);
  return rd_u32(&r);
}

/* An address attribute (DW_FORM_addr or an index). */
static bool get_addr(ctx *c, const die *d, int slot, uint64_t *out) {
  if (!has(d, slot))
    return false;
  const aval *v = &d->v[slot];
  if (v->cls == CLS_ADDR)
    *out = v->u;
  else if (v->cls == CLS_ADDRX)
    *out = addrx(c, unit_of(c, d->unit), v->u, v->sec, v->off);
  else
    return false;
  return true;
}

static int cmp_sig(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Where a reference attribute points: the unit and DIE offset. False when
 * it cannot be followed (a supplementary file, an unknown signature). */
static bool ref_target(ctx *c, const die *d, int slot, uint32_t *ui,
                       size_t *off) {
  if (!has(d, slot))
    return false;
  const aval *v = &d->v[slot];
  const unit *u = unit_of(c, d->unit);
  switch (v->cls) {
  case CLS_REF:
    if (v->u >= u->end - u->off || u->off + v->u < u->die_off)
      fail(c, v->sec, v->off, "reference 0x%llx outside its unit",
           (unsigned long long)v->u);
    *ui = d->unit;
    *off = u->off + (size_t)v->u;
    return true;
  case CLS_REF_ADDR: {
    size_t lo = 0, hi = c->units.n;
    while (lo < hi) { /* the last unit starting at or before v->u */
      size_t mid = lo + (hi - lo) / 2;
      if (unit_of(c, (uint32_t)mid)->off <= v->u)
        lo = mid + 1;
      else
        hi = mid;
    }
    const unit *t = lo ? unit_of(c, (uint32_t)lo - 1) : NULL;
    if (!t || v->u < t->die_off || v->u >= t->end)
      fail(c, v->sec, v->off, "reference 0x%llx to no DIE of `.debug_info`",
           (unsigned long long)v->u);
    *ui = (uint32_t)lo - 1;
    *off = (size_t)v->u;
    return true;
  }
  case CLS_SIG: {
    uint64_t *s = c->sigs.n ? bsearch(&v->u, c->sigs.p, c->sigs.n / 2,
                                      2 * sizeof(uint64_t), cmp_sig)
                            : NULL;
    if (!s)
      return false;
    *ui = (uint32_t)s[1];
    *off = unit_of(c, *ui)->type_die;
    return true;
  }
  default: return false;
  }
}

/* ---- location expressions and lists -------------------------------------- */

/* The forms dwarf_loc describes; anything else (or a malformed expression
 * inside a well-formed block) is UNSUPPORTED: it is still a variable. */
static dwarf_loc decode_expr(ctx *c, const unit *u, const uint8_t *p,
                             size_t n, int sec, size_t at) {
  dwarf_loc loc = {DWARF_LOC_UNSUPPORTED, 0, 0};
  if (n == 0)
    return (dwarf_loc){DWARF_LOC_NONE, 0, 0};
  size_t i = 1;
  uint64_t uv = 0;
  int64_t sv = 0;
  size_t k;
  switch (p[0]) {
  case DW_OP_WASM_location: {
    if (n < 2)
      return loc;
    uint8_t kind = p[1];
    i = 2;
    if (kind == 3) {
      if (n - i < 4)
        return loc;
      uv = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
           (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
      i += 4;
    } else {
      k = wasm_leb_u(p + i, n - i, 32, &uv);
      if (!k)
        return loc;
      i += k;
    }
    if (i < n && p[i] == DW_OP_stack_value)
      i++;
    if (i != n)
      return loc;
    if (kind == 0)
      return (dwarf_loc){DWARF_LOC_LOCAL, (uint32_t)uv, 0};
    if (kind == 1 || kind == 3)
      return (dwarf_loc){DWARF_LOC_GLOBAL, (uint32_t)uv, 0};
    return loc;
  }
  case DW_OP_fbreg:
    k = wasm_leb_s(p + 1, n - 1, 64, &sv);
    if (!k || 1 + k != n)
      return loc;
    return (dwarf_loc){DWARF_LOC_FRAME, 0, sv};
  case DW_OP_addr:
    if (n != 5)
      return loc;
    uv = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 |
         (uint32_t)p[4] << 24;
    return (dwarf_loc){DWARF_LOC_ADDR, 0, (int64_t)uv};
  case DW_OP_addrx:
    k = wasm_leb_u(p + 1, n - 1, 64, &uv);
    if (!k || 1 + k != n)
      return loc;
    return (dwarf_loc){DWARF_LOC_ADDR, 0, (int64_t)addrx(c, u, uv, sec, at)};
  }
  /* constants: one push, then DW_OP_stack_value */
  uint8_t op = p[0];
  unsigned width = 0;
  bool sign = false;
  if (op >= DW_OP_lit0 && op <= DW_OP_lit31) {
    sv = op - DW_OP_lit0;
  } else if (op == DW_OP_constu) {
    k = wasm_leb_u(p + 1, n - 1, 64, &uv);
    if (!k)
      return loc;
    i += k;
    sv = (int64_t)uv;
  } else if (op == DW_OP_consts) {
    k = wasm_leb_s(p + 1, n - 1, 64, &sv);
    if (!k)
      return loc;
    i += k;
  } else if (op >= DW_OP_const1u && op <= DW_OP_const8s) {
    width = 1u << ((op - DW_OP_const1u) / 2);
    sign = (op - DW_OP_const1u) & 1;
    if (n - 1 < width)
      return loc;
    uv = 0;
    for (unsigned b = width; b-- > 0;)
      uv = uv << 8 | p[1 + b];
    if (sign && width < 8) {
      unsigned sh = 64 - 8 * width;
      sv = (int64_t)(uv << sh) >> sh;
    } else
      sv = (int64_t)uv;
    i += width;
  } else
    return loc;
  if (i + 1 != n || p[i] != DW_OP_stack_value)
    return loc;
  return (dwarf_loc){DWARF_LOC_CONST, 0, sv};
}

/* Appends an entry of a location list, dropping what lies in dead code
 * (a tombstone base or start) or is empty. */
static void add_range(ctx *c, vec *out, const unit *u, uint64_t lo,
                      uint64_t hi, cur *r, size_t len) {
  size_t at = r->pos;
  const uint8_t *p = take(r, len);
  if (tombstone(lo) || lo >= hi || lo > UINT32_MAX)
    return;
  if (hi > UINT32_MAX)
    hi = UINT32_MAX;
  dwarf_loc_range *e = PUSH(c, out, dwarf_loc_range);
  e->lo = (uint32_t)lo;
  e->hi = (uint32_t)hi;
  e->loc = decode_expr(c, u, p, len, r->sec, at);
}

/* DWARF 2-4 .debug_loc: pairs relative to the base address (the CU's
 * low_pc unless a base selection entry says otherwise). */
static void read_loc(ctx *c, const unit *u, uint64_t off, const aval *v,
                     vec *out) {
  if (!c->s[S_LOC].present || off >= c->s[S_LOC].size)
    fail(c, v->sec, v->off, "location list 0x%llx outside `.debug_loc`",
         (unsigned long long)off);
  cur r = cur_at(c, S_LOC, (size_t)off, SIZE_MAX);
  uint64_t base = u->base;
  for (;;) {
    work(c, S_LOC, r.pos, 1);
    uint64_t lo = rd_u32(&r), hi = rd_u32(&r);
    if (lo == 0 && hi == 0)
      return;
    if (lo == 0xffffffffu) {
      base = hi;
      continue;
    }
    uint16_t len = rd_u16(&r);
    if (tombstone(base) || tombstone(lo) || tombstone(hi)) {
      take(&r, len);
      continue;
    }
    add_range(c, out, u, base + lo, base + hi, &r, len);
  }
}

/* DWARF 5 .debug_loclists (DW_LLE_*). A default location is kept only
 * when it is the whole list (it then applies everywhere). */
static void read_loclists(ctx *c, const unit *u, uint64_t off, const aval *v,
                          vec *out, dwarf_loc *dflt) {
  if (!c->s[S_LOCLISTS].present || off >= c->s[S_LOCLISTS].size)
    fail(c, v->sec, v->off, "location list 0x%llx outside `.debug_loclists`",
         (unsigned long long)off);
  cur r = cur_at(c, S_LOCLISTS, (size_t)off, SIZE_MAX);
  uint64_t base = u->base;
  for (;;) {
    work(c, S_LOCLISTS, r.pos, 1);
    size_t at = r.pos;
    uint8_t kind = rd_u8(&r);
    uint64_t lo, hi;
    switch (kind) {
    case DW_LLE_end_of_list: return;
    case DW_LLE_base_addressx:
      base = addrx(c, u, rd_uleb(&r), S_LOCLISTS, at);
      continue;
    case DW_LLE_base_address: base = rd_u32(&r); continue;
    case DW_LLE_startx_endx:
      lo = addrx(c, u, rd_uleb(&r), S_LOCLISTS, at);
      hi = addrx(c, u, rd_uleb(&r), S_LOCLISTS, at);
      break;
    case DW_LLE_startx_length:
      lo = addrx(c, u, rd_uleb(&r), S_LOCLISTS, at);
      hi = lo + rd_uleb(&r);
      break;
    case DW_LLE_offset_pair:
      lo = rd_uleb(&r);
      hi = rd_uleb(&r);
      if (tombstone(base)) {
        lo = hi = 0; /* dead code: dropped below */
      } else {
        lo += base;
        hi += base;
      }
      break;
    case DW_LLE_start_end: lo = rd_u32(&r); hi = rd_u32(&r); break;
    case DW_LLE_start_length:
      lo = rd_u32(&r);
      hi = lo + rd_uleb(&r);
      break;
    case DW_LLE_default_location: {
      uint64_t len = rd_uleb(&r);
      size_t eat = r.pos;
      const uint8_t *p = take(&r, (size_t)(len > SIZE_MAX ? SIZE_MAX : len));
      *dflt = decode_expr(c, u, p, (size_t)len, S_LOCLISTS, eat);
      continue;
    }
    default:
      fail(c, S_LOCLISTS, at, "unknown location list entry kind 0x%x", kind);
    }
    uint64_t len = rd_uleb(&r);
    if (len > r.end - r.pos)
      fail(c, S_LOCLISTS, r.pos, "location expression runs past the end");
    if (hi < lo) /* wrapped around: treat as empty */
      hi = lo;
    add_range(c, out, u, lo, hi, &r, (size_t)len);
  }
}

/* A DW_AT_location (or DW_AT_frame_base): one expression, or a list. */
static void read_location(ctx *c, const die *d, int slot, dwarf_loc *loc,
                          uint32_t *nranges, dwarf_loc_range **ranges) {
  const unit *u = unit_of(c, d->unit);
  const aval *v = &d->v[slot];
  *nranges = 0;
  *ranges = NULL;
  uint64_t off;
  if (v->cls == CLS_BLOCK) {
    *loc = decode_expr(c, u, v->p, v->len, v->sec, v->off);
    return;
  }
  if (v->cls == CLS_SECOFF ||
      (u->version < 4 && v->cls == CLS_DATA && v->size >= 4))
    off = v->u;
  else if (v->cls == CLS_LOCLISTX) {
    if (!c->s[S_LOCLISTS].present)
      fail(c, v->sec, v->off, "location list index without `.debug_loclists`");
    uint64_t size = c->s[S_LOCLISTS].size;
    if (size < 4 || v->u >= size / 4 || u->loclists_base > size - 4 * v->u - 4)
      fail(c, v->sec, v->off, "location list index %llu out of range",
           (unsigned long long)v->u);
    cur r = cur_at(c, S_LOCLISTS, (size_t)(u->loclists_base + 4 * v->u),
                   SIZE_MAX);
    off = u->loclists_base + rd_u32(&r);
  } else {
    *loc = (dwarf_loc){DWARF_LOC_UNSUPPORTED, 0, 0};
    return;
  }
  vec list = {0};
  dwarf_loc dflt = {DWARF_LOC_NONE, 0, 0};
  if (u->version >= 5)
    read_loclists(c, u, off, v, &list, &dflt);
  else
    read_loc(c, u, off, v, &list);
  *loc = (dwarf_loc){DWARF_LOC_NONE, 0, 0};
  if (list.n == 0) {
    *loc = dflt;
    return;
  }
  *nranges = (uint32_t)list.n;
  *ranges = keep_array(c, &list, sizeof(dwarf_loc_range));
}

/* ---- files and line programs --------------------------------------------- */

static uint64_t hash_str(uint64_t h, const char *s) {
  for (; *s; s++)
    h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
  return h;
}

/* One merged entry per distinct dir + name. The map holds the hash; equal
 * hashes are resolved by probing the following keys (hash + 1, ...). */
static uint32_t intern_file(ctx *c, const char *dir, const char *name) {
  uint64_t h = hash_str(hash_str(0xcbf29ce484222325ull, dir) * 31 + 1, name) >>
               1; /* map keys must stay below UINT64_MAX */
  for (uint64_t k = h;; k++) {
    uint32_t idx;
    if (!map_get(&c->file_map, k, &idx))
      break;
    const dwarf_file *f = &AT(c->files, dwarf_file, idx);
    if (!strcmp(f->dir, dir) && !strcmp(f->name, name))
      return idx;
  }
  uint64_t k = h;
  uint32_t idx;
  while (map_get(&c->file_map, k, &idx))
    k++;
  idx = (uint32_t)c->files.n;
  dwarf_file *f = PUSH(c, &c->files, dwarf_file);
  f->dir = keep_str(c, dir);
  f->name = keep_str(c, name);
  map_put(c, &c->file_map, k, idx);
  return idx;
}

/* A directory as dwarf_file wants it: relative ones joined to `base` (the
 * compilation directory). */
static const char *join_dir(ctx *c, const char *base, const char *dir) {
  if (!dir)
    return base ? base : "";
  if (dir[0] == '/' || !base || !base[0])
    return dir;
  if (!dir[0])
    return base;
  size_t a = strlen(base), b = strlen(dir);
  char *p = tmp_array(c, a + b + 2, 1);
  memcpy(p, base, a);
  p[a] = '/';
  memcpy(p + a + 1, dir, b + 1);
  return p;
}

static void add_file(ctx *c, linetab *lt, const char *dir, const char *name) {
  if (!name)
    name = "";
  uint32_t idx = intern_file(c, name[0] == '/' ? "" : dir, name);
  *PUSH(c, &lt->files, uint32_t) = idx;
}

static uint32_t file_index(ctx *c, const linetab *lt, uint64_t i) {
  if (lt && lt->version < 5) {
    if (i == 0)
      return UINT32_MAX;
    i--;
  }
  if (!lt || i >= lt->files.n)
    return UINT32_MAX;
  return AT(lt->files, uint32_t, i);
}

/* Rows point at a file even when the program names one it never listed. */
static uint32_t row_file(ctx *c, const linetab *lt, uint64_t i) {
  uint32_t f = file_index(c, lt, i);
  if (f != UINT32_MAX)
    return f;
  if (c->unknown_file < 0)
    c->unknown_file = (int32_t)intern_file(c, "", "<unknown>");
  return (uint32_t)c->unknown_file;
}

/* DWARF 5 directory/file entries: each a list of (content type, form). */
static void read_entries(ctx *c, cur *r, const unit *u, size_t hdr_end,
                         bool files, const char **dirs, size_t ndirs,
                         const char *comp_dir, linetab *lt, vec *dir_out) {
  uint8_t nfmt = rd_u8(r);
  uint64_t fmt[2 * 255];
  for (unsigned i = 0; i < nfmt; i++) {
    fmt[2 * i] = rd_uleb(r);
    size_t at = r->pos;
    fmt[2 * i + 1] = rd_uleb(r);
    if (!known_form(fmt[2 * i + 1]) || fmt[2 * i + 1] == DW_FORM_implicit_const)
      fail(c, r->sec, at, "unknown form 0x%llx",
           (unsigned long long)fmt[2 * i + 1]);
  }
  size_t count_at = r->pos;
  uint64_t count = rd_uleb(r);
  if (count > hdr_end - r->pos)
    fail(c, r->sec, count_at, "%s count %llu larger than the header",
         files ? "file name" : "directory", (unsigned long long)count);
  for (uint64_t e = 0; e < count; e++) {
    work(c, r->sec, r->pos, 1 + nfmt);
    const char *path = NULL;
    uint64_t dir = 0;
    for (unsigned i = 0; i < nfmt; i++) {
      aval v;
      rd_form(r, fmt[2 * i + 1], 0, &v);
      if (fmt[2 * i] == DW_LNCT_path)
        path = str_of(c, u, &v);
      else if (fmt[2 * i] == DW_LNCT_directory_index && is_const(&v))
        dir = v.cls == CLS_SDATA ? (uint64_t)v.s : v.u;
    }
    if (!files) {
      *PUSH(c, dir_out, const char *) = path ? path : "";
      continue;
    }
    /* Entry 0 is the compilation directory; the others are relative
     * to it. */
    const char *d0 = ndirs ? dirs[0] : comp_dir;
    const char *d = dir < ndirs ? dirs[dir] : "";
    add_file(c, lt, dir == 0 ? join_dir(c, comp_dir, d) : join_dir(c, d0, d),
             path);
  }
}

typedef struct {
  uint64_t addr;
  uint32_t op_index;
  uint64_t file;
  uint64_t line; /* wraps on hostile advances; negative reads as 0 */
  uint64_t column;
  bool is_stmt, prologue_end;
} lregs;

static void lregs_reset(lregs *s, bool default_is_stmt) {
  *s = (lregs){0, 0, 1, 1, 0, default_is_stmt, false};
}

static void emit_row(ctx *c, vec *seq, const linetab *lt, const lregs *s,
                     uint16_t flags, bool *dead) {
  if (s->addr > UINT32_MAX)
    *dead = true;
  if (*dead)
    return;
  seq_row *sr = PUSH(c, seq, seq_row);
  sr->r.addr = (uint32_t)s->addr;
  sr->r.file = row_file(c, lt, s->file);
  sr->r.line = (int64_t)s->line < 0       ? 0
                : s->line > UINT32_MAX ? UINT32_MAX
                                       : (uint32_t)s->line;
  sr->r.column = s->column > UINT16_MAX ? UINT16_MAX : (uint16_t)s->column;
  sr->r.flags = flags | (s->is_stmt ? DWARF_ROW_STMT : 0) |
                (s->prologue_end ? DWARF_ROW_PROLOGUE_END : 0);
}

/* A finished sequence joins the rows unless it is dead code: one that
 * starts at a tombstone (or at 0, where older linkers put dropped code:
 * no function starts there) or covers no bytes. */
static void end_sequence(ctx *c, vec *seq, bool dead) {
  if (!dead && seq->n >= 2) {
    uint32_t first = AT(*seq, seq_row, 0).r.addr;
    uint32_t last = AT(*seq, seq_row, seq->n - 1).r.addr;
    if (first != 0 && !tombstone(first) && last > first) {
      for (size_t i = 0; i < seq->n; i++) {
        seq_row *sr = PUSH(c, &c->rows, seq_row);
        *sr = AT(*seq, seq_row, i);
        sr->seq = (uint32_t)(c->rows.n - 1);
        sr->phase = sr->r.addr != last;
      }
    }
  }
  seq->n = 0;
}

static linetab *read_line_program(ctx *c, const unit *u, uint64_t off,
                                  const aval *v, const char *comp_dir) {
  uint32_t known;
  if (map_get(&c->linetab_map, off, &known))
    return AT(c->linetabs, linetab *, known);
  if (!c->s[S_LINE].present || off >= c->s[S_LINE].size)
    fail(c, v->sec, v->off, "line program offset 0x%llx outside `.debug_line`",
         (unsigned long long)off);
  linetab *lt = tmp_array(c, 1, sizeof *lt);
  lt->off = (size_t)off;
  map_put(c, &c->linetab_map, off, (uint32_t)c->linetabs.n);
  *PUSH(c, &c->linetabs, linetab *) = lt;

  cur r = cur_at(c, S_LINE, (size_t)off, SIZE_MAX);
  size_t end = rd_unit_length(&r);
  r.end = end;
  size_t at = r.pos;
  uint16_t version = rd_u16(&r);
  if (version < 2 || version > 5)
    fail(c, S_LINE, at, "unsupported line table version %u", version);
  lt->version = version;
  if (version >= 5) {
    at = r.pos;
    uint8_t asize = rd_u8(&r);
    if (asize != 4)
      fail(c, S_LINE, at, "address size %u (only 4, wasm32, is read)", asize);
    rd_u8(&r); /* segment selector size */
  }
  at = r.pos;
  uint32_t hlen = rd_u32(&r);
  if (hlen > end - r.pos)
    fail(c, S_LINE, at, "header length 0x%x past the end of the table", hlen);
  size_t prog = r.pos + hlen;
  uint8_t min_inst = rd_u8(&r);
  uint8_t max_ops = 1;
  if (version >= 4) {
    at = r.pos;
    max_ops = rd_u8(&r);
    if (max_ops == 0)
      fail(c, S_LINE, at, "maximum_operations_per_instruction is 0");
  }
  bool default_is_stmt = rd_u8(&r) != 0;
  int8_t line_base = (int8_t)rd_u8(&r);
  at = r.pos;
  uint8_t line_range = rd_u8(&r);
  if (line_range == 0)
    fail(c, S_LINE, at, "line_range is 0");
  at = r.pos;
  uint8_t opcode_base = rd_u8(&r);
  if (opcode_base == 0)
    fail(c, S_LINE, at, "opcode_base is 0");
  uint8_t oplen[256] = {0};
  for (unsigned i = 1; i < opcode_base; i++)
    oplen[i] = rd_u8(&r);
  if (r.pos > prog)
    fail(c, S_LINE, r.pos, "header length 0x%x too small", hlen);

  r.end = prog; /* the tables stay inside the header */
  if (version >= 5) {
    vec dirs = {0};
    read_entries(c, &r, u, prog, false, NULL, 0, comp_dir, lt, &dirs);
    read_entries(c, &r, u, prog, true, dirs.p, dirs.n, comp_dir, lt, NULL);
  } else {
    vec dirs = {0};
    for (;;) {
      work(c, S_LINE, r.pos, 1);
      const char *d = rd_cstr(&r);
      if (!d[0])
        break;
      *PUSH(c, &dirs, const char *) = join_dir(c, comp_dir, d);
    }
    for (;;) {
      work(c, S_LINE, r.pos, 1);
      const char *name = rd_cstr(&r);
      if (!name[0])
        break;
      uint64_t dir = rd_uleb(&r);
      rd_uleb(&r); /* modification time */
      rd_uleb(&r); /* length */
      add_file(c, lt,
               dir == 0 ? (comp_dir ? comp_dir : "")
               : dir <= dirs.n ? AT(dirs, const char *, dir - 1) : "",
               name);
    }
  }

  /* the program */
  r.pos = prog;
  r.end = end;
  vec seq = {0};
  bool dead = false;
  lregs s;
  lregs_reset(&s, default_is_stmt);
  while (r.pos < r.end) {
    work(c, S_LINE, r.pos, 1);
    at = r.pos;
    uint8_t op = rd_u8(&r);
    uint64_t adv = 0;
    if (op >= opcode_base) {
      unsigned adj = op - opcode_base;
      adv = adj / line_range;
      s.line += (uint64_t)(int64_t)(line_base + (int)(adj % line_range));
    } else if (op == 0) {
      uint64_t len = rd_uleb(&r);
      if (len > r.end - r.pos)
        fail(c, S_LINE, at, "extended opcode runs past the end of the table");
      size_t next = r.pos + (size_t)len;
      if (len == 0)
        continue;
      uint8_t sub = rd_u8(&r);
      switch (sub) {
      case DW_LNE_end_sequence:
        emit_row(c, &seq, lt, &s, DWARF_ROW_END_SEQUENCE, &dead);
        end_sequence(c, &seq, dead);
        dead = false;
        lregs_reset(&s, default_is_stmt);
        break;
      case DW_LNE_set_address: {
        size_t n = (size_t)len - 1;
        if (n > 8)
          fail(c, S_LINE, at, "DW_LNE_set_address with a %zu-byte operand", n);
        s.addr = rd_le(&r, (unsigned)n);
        s.op_index = 0;
        break;
      }
      case DW_LNE_define_file: {
        r.end = next;
        const char *name = rd_cstr(&r);
        uint64_t dir = rd_uleb(&r);
        r.end = end;
        const char *d = comp_dir ? comp_dir : "";
        /* the include directories are gone by now: only 0 resolves */
        (void)dir;
        if (version < 5)
          add_file(c, lt, d, name);
        break;
      }
      default: break; /* set_discriminator, vendor opcodes */
      }
      r.pos = next;
      continue;
    } else {
      switch (op) {
      case DW_LNS_copy:
        emit_row(c, &seq, lt, &s, 0, &dead);
        s.prologue_end = false;
        continue;
      case DW_LNS_advance_pc: adv = rd_uleb(&r); break;
      case DW_LNS_advance_line: s.line += (uint64_t)rd_sleb(&r); continue;
      case DW_LNS_set_file: s.file = rd_uleb(&r); continue;
      case DW_LNS_set_column: s.column = rd_uleb(&r); continue;
      case DW_LNS_negate_stmt: s.is_stmt = !s.is_stmt; continue;
      case DW_LNS_set_basic_block: continue;
      case DW_LNS_const_add_pc:
        adv = (255u - opcode_base) / line_range;
        break;
      case DW_LNS_fixed_advance_pc:
        s.addr += rd_u16(&r);
        s.op_index = 0;
        continue;
      case DW_LNS_set_prologue_end: s.prologue_end = true; continue;
      case DW_LNS_set_epilogue_begin: continue;
      case DW_LNS_set_isa: rd_uleb(&r); continue;
      default:
        for (unsigned i = 0; i < oplen[op]; i++)
          rd_uleb(&r);
        continue;
      }
    }
    /* an address advance (special opcode, advance_pc, const_add_pc) */
    if (max_ops == 1) {
      s.addr += (uint64_t)min_inst * adv;
    } else {
      uint64_t ops = s.op_index + adv;
      s.addr += (uint64_t)min_inst * (ops / max_ops);
      s.op_index = (uint32_t)(ops % max_ops);
    }
    if (op >= opcode_base) {
      emit_row(c, &seq, lt, &s, 0, &dead);
      s.prologue_end = false;
    }
  }
  /* a sequence without DW_LNE_end_sequence is dropped */
  return lt;
}

/* ---- pass 1: unit headers ------------------------------------------------ */

static void read_units(ctx *c) {
  cur r = cur_at(c, S_INFO, 0, SIZE_MAX);
  while (r.pos < r.end) {
    size_t uoff = r.pos;
    size_t end = rd_unit_length(&r);
    size_t at = r.pos;
    uint16_t version = rd_u16(&r);
    if (version < 2 || version > 5)
      fail(c, S_INFO, at, "unsupported DWARF version %u", version);
    uint8_t type = DW_UT_compile, asize;
    uint64_t sig = 0, abbrev_off;
    uint32_t type_off = 0;
    size_t abbrev_at;
    cur h = r;
    h.end = end;
    if (version >= 5) {
      type = rd_u8(&h);
      asize = rd_u8(&h);
      abbrev_at = h.pos;
      abbrev_off = rd_u32(&h);
      if (type == DW_UT_skeleton || type == DW_UT_split_compile)
        take(&h, 8); /* dwo_id */
      else if (type == DW_UT_type || type == DW_UT_split_type) {
        sig = rd_le(&h, 8);
        type_off = rd_u32(&h);
      } else if (type != DW_UT_compile && type != DW_UT_partial)
        fail(c, S_INFO, at + 2, "unknown unit type 0x%x", type);
    } else {
      abbrev_at = h.pos;
      abbrev_off = rd_u32(&h);
      asize = rd_u8(&h);
    }
    if (asize != 4)
      fail(c, S_INFO, uoff, "address size %u (only 4, wasm32, is read)",
           asize);
    r.pos = end;
    if (type == DW_UT_split_compile || type == DW_UT_split_type)
      continue; /* belong in .dwo files */

    uint32_t ui = (uint32_t)c->units.n;
    unit *u = PUSH(c, &c->units, unit);
    u->off = uoff;
    u->die_off = h.pos;
    u->end = end;
    u->version = version;
    u->type = type;
    u->cu = -1;
    u->abbrevs = get_atable(c, (size_t)abbrev_off, abbrev_at);
    if (type == DW_UT_type || type == DW_UT_split_type) {
      if (type_off < u->die_off - uoff || type_off >= end - uoff)
        fail(c, S_INFO, uoff, "type offset 0x%x outside its unit", type_off);
      u->sig = sig;
      u->type_die = uoff + type_off;
    }
    if (u->die_off >= end)
      continue;
    die root;
    read_die(c, ui, u->die_off, &root);
    u = unit_of(c, ui);
    if (!root.ab)
      continue;
    /* Defaults past the DWARF 5 headers of those sections, for producers
     * that leave the bases out. */
    u->str_offsets_base = 8;
    u->addr_base = 8;
    u->loclists_base = 12;
    uint64_t x;
    if (has(&root, A_STR_OFFSETS_BASE))
      u->str_offsets_base = root.v[A_STR_OFFSETS_BASE].u;
    if (has(&root, A_ADDR_BASE))
      u->addr_base = root.v[A_ADDR_BASE].u;
    if (has(&root, A_LOCLISTS_BASE))
      u->loclists_base = root.v[A_LOCLISTS_BASE].u;
    if (get_addr(c, &root, A_LOW_PC, &x))
      u->base = x;
    if (get_u(&root, A_LANGUAGE, &x))
      u->language = (uint32_t)x;
    if (type == DW_UT_type) {
      uint64_t *s = PUSH(c, &c->sigs, uint64_t);
      *s = sig;
      *PUSH(c, &c->sigs, uint64_t) = ui;
      continue;
    }
    u->cu = (int32_t)c->cus.n;
    dwarf_cu *cu = PUSH(c, &c->cus, dwarf_cu);
    const char *name = die_str(c, &root, A_NAME);
    const char *comp_dir = die_str(c, &root, A_COMP_DIR);
    const char *producer = die_str(c, &root, A_PRODUCER);
    cu->name = keep_str(c, name ? name : "");
    cu->comp_dir = keep_str(c, comp_dir ? comp_dir : "");
    cu->producer = keep_str(c, producer ? producer : "");
    cu->language = u->language;
    if (has(&root, A_STMT_LIST)) {
      const aval *v = &root.v[A_STMT_LIST];
      if (v->cls == CLS_SECOFF || v->cls == CLS_DATA || v->cls == CLS_UDATA) {
        linetab *lt = read_line_program(c, u, v->u, v, comp_dir);
        unit_of(c, ui)->lt = lt;
      }
    }
  }
  if (c->sigs.n)
    qsort(c->sigs.p, c->sigs.n / 2, 2 * sizeof(uint64_t), cmp_sig);
}

/* ---- types --------------------------------------------------------------- */

/* Qualifiers dwarf.h has no kind for: a reference to one means its
 * target (an _Atomic int is described as an int). */
static bool transparent(uint32_t tag) {
  return tag == DW_TAG_atomic_type || tag == DW_TAG_packed_type ||
         tag == DW_TAG_shared_type || tag == DW_TAG_immutable_type;
}

/* The index of the type a DW_AT_type (or similar) names, reserving one
 * and queueing the DIE the first time: reading it later, not here, keeps
 * recursion out and lets a struct point to itself. -1: none (void). */
static int32_t type_ref(ctx *c, const die *d, int slot) {
  uint32_t ui;
  size_t off;
  if (!ref_target(c, d, slot, &ui, &off))
    return -1;
  size_t chain[16];
  unsigned nchain = 0;
  uint32_t idx;
  die t;
  for (;;) {
    if (map_get(&c->type_map, off, &idx))
      break;
    if (nchain == 16)
      return -1; /* a cycle of _Atomic: nothing */
    chain[nchain++] = off;
    read_die(c, ui, off, &t);
    if (!t.ab)
      fail(c, S_INFO, off, "type reference to a null entry");
    if (transparent(t.ab->tag)) {
      if (!ref_target(c, &t, A_TYPE, &ui, &off)) {
        idx = UINT32_MAX;
        break;
      }
      continue;
    }
    idx = (uint32_t)c->types.n;
    dwarf_type *ty = PUSH(c, &c->types, dwarf_type);
    ty->target = -1;
    pending_type *p = PUSH(c, &c->queue, pending_type);
    p->index = idx;
    p->unit = ui;
    p->off = off;
    break;
  }
  for (unsigned i = 0; i < nchain; i++)
    map_put(c, &c->type_map, chain[i], idx);
  return idx == UINT32_MAX ? -1 : (int32_t)idx;
}

/* A bit field's storage size when the member does not say: its type's
 * (through typedefs and qualifiers). */
static uint64_t peek_byte_size(ctx *c, const die *d) {
  die t = *d;
  for (int i = 0; i < 16; i++) {
    uint32_t ui;
    size_t off;
    if (!ref_target(c, &t, A_TYPE, &ui, &off))
      return 0;
    read_die(c, ui, off, &t);
    uint64_t size;
    if (!t.ab)
      return 0;
    if (get_u(&t, A_BYTE_SIZE, &size))
      return size;
  }
  return 0;
}

static bool lower_bound_is_1(uint32_t lang) {
  switch (lang) {
  case 0x02: case 0x03: case 0x05: case 0x06: case 0x07: case 0x08:
  case 0x09: case 0x0a: case 0x0d: case 0x0e: case 0x0f: case 0x22:
  case 0x23: case 0x2e:
    return true; /* Ada, Cobol, Fortran, Pascal, Modula-2, PL/I */
  }
  return false;
}

static void read_member(ctx *c, const die *m, vec *members) {
  dwarf_member *mb = PUSH(c, members, dwarf_member);
  const char *name = die_str(c, m, A_NAME);
  mb->name = keep_str(c, name);
  mb->type = type_ref(c, m, A_TYPE);
  uint64_t off = 0, x;
  bool has_off = false;
  if (has(m, A_MEMBER_LOC)) {
    const aval *v = &m->v[A_MEMBER_LOC];
    if (is_const(v)) {
      off = v->cls == CLS_SDATA ? (uint64_t)v->s : v->u;
      has_off = true;
    } else if (v->cls == CLS_BLOCK && v->len >= 2 &&
               (v->p[0] == DW_OP_plus_uconst || v->p[0] == DW_OP_constu)) {
      if (wasm_leb_u(v->p + 1, v->len - 1, 64, &off) == v->len - 1)
        has_off = true;
      else
        off = 0;
    }
  }
  mb->offset = off;
  if (get_u(m, A_BIT_SIZE, &x))
    mb->bit_size = (uint32_t)x;
  if (get_u(m, A_DATA_BIT_OFFSET, &x)) {
    mb->bit_offset = (uint32_t)x;
    if (!has_off) {
      uint64_t unit_size = peek_byte_size(c, m);
      mb->offset = unit_size && mb->bit_size
                       ? x / (unit_size * 8) * unit_size
                       : x / 8;
    }
  } else if (mb->bit_size && get_u(m, A_BIT_OFFSET, &x)) {
    /* DWARF 2/3: bits from the most significant end of a storage unit of
     * DW_AT_byte_size bytes at `offset`; little-endian Wasm puts bit 0 at
     * the least significant end. */
    uint64_t size;
    if (!get_u(m, A_BYTE_SIZE, &size))
      size = peek_byte_size(c, m);
    uint64_t bits = off * 8 + size * 8 - x - mb->bit_size; /* may wrap */
    mb->bit_offset = bits > UINT32_MAX ? 0 : (uint32_t)bits;
  } else if (mb->bit_size) {
    mb->bit_offset = (uint32_t)(off * 8);
  }
}

static void read_type(ctx *c, const pending_type *p) {
  die d;
  read_die(c, p->unit, p->off, &d);
  if (!d.ab)
    fail(c, S_INFO, p->off, "type reference to a null entry");
  dwarf_type t = {0};
  t.target = -1;
  const char *name = die_str(c, &d, A_NAME);
  t.name = keep_str(c, name);
  get_u(&d, A_BYTE_SIZE, &t.size);
  t.declaration = get_flag(&d, A_DECLARATION);
  uint64_t x;
  child_iter it = children_of(&d);
  die ch;
  switch (d.ab->tag) {
  case DW_TAG_base_type:
    t.kind = DWARF_TYPE_BASE;
    if (get_u(&d, A_ENCODING, &x))
      t.encoding = (uint32_t)x;
    break;
  case DW_TAG_pointer_type: case DW_TAG_reference_type:
  case DW_TAG_rvalue_reference_type: case DW_TAG_ptr_to_member_type:
    t.kind = DWARF_TYPE_POINTER;
    t.target = type_ref(c, &d, A_TYPE);
    if (!t.size)
      t.size = 4;
    break;
  case DW_TAG_const_type:
    t.kind = DWARF_TYPE_CONST;
    t.target = type_ref(c, &d, A_TYPE);
    break;
  case DW_TAG_volatile_type:
    t.kind = DWARF_TYPE_VOLATILE;
    t.target = type_ref(c, &d, A_TYPE);
    break;
  case DW_TAG_restrict_type:
    t.kind = DWARF_TYPE_RESTRICT;
    t.target = type_ref(c, &d, A_TYPE);
    break;
  case DW_TAG_typedef:
    t.kind = DWARF_TYPE_TYPEDEF;
    t.target = type_ref(c, &d, A_TYPE);
    break;
  case DW_TAG_structure_type: case DW_TAG_class_type:
  case DW_TAG_interface_type: case DW_TAG_union_type: {
    t.kind = d.ab->tag == DW_TAG_union_type ? DWARF_TYPE_UNION
                                            : DWARF_TYPE_STRUCT;
    vec members = {0};
    while (next_child(c, &it, &ch)) {
      if ((ch.ab->tag == DW_TAG_member && !get_flag(&ch, A_DECLARATION)) ||
          ch.ab->tag == DW_TAG_inheritance)
        read_member(c, &ch, &members);
    }
    t.nmembers = (uint32_t)members.n;
    t.members = keep_array(c, &members, sizeof(dwarf_member));
    break;
  }
  case DW_TAG_array_type: {
    t.kind = DWARF_TYPE_ARRAY;
    t.target = type_ref(c, &d, A_TYPE);
    vec counts = {0};
    uint32_t lang = unit_of(c, p->unit)->language;
    while (next_child(c, &it, &ch)) {
      if (ch.ab->tag != DW_TAG_subrange_type &&
          ch.ab->tag != DW_TAG_enumeration_type)
        continue;
      int64_t n = -1, ub, lb = lower_bound_is_1(lang) ? 1 : 0;
      if (get_s(&ch, A_COUNT, true, &n)) {
        /* as given */
      } else if (get_s(&ch, A_UPPER, true, &ub)) {
        get_s(&ch, A_LOWER, true, &lb);
        n = (int64_t)((uint64_t)ub - (uint64_t)lb + 1);
      }
      *PUSH(c, &counts, int64_t) = n < 0 ? -1 : n;
    }
    t.ncounts = (uint32_t)counts.n;
    t.counts = keep_array(c, &counts, sizeof(int64_t));
    break;
  }
  case DW_TAG_enumeration_type: {
    t.kind = DWARF_TYPE_ENUM;
    t.target = type_ref(c, &d, A_TYPE);
    vec en = {0};
    while (next_child(c, &it, &ch)) {
      if (ch.ab->tag != DW_TAG_enumerator)
        continue;
      dwarf_enumerator *e = PUSH(c, &en, dwarf_enumerator);
      const char *ename = die_str(c, &ch, A_NAME);
      e->name = keep_str(c, ename ? ename : "");
      get_s(&ch, A_CONST_VALUE, false, &e->value);
    }
    t.nenumerators = (uint32_t)en.n;
    t.enumerators = keep_array(c, &en, sizeof(dwarf_enumerator));
    break;
  }
  case DW_TAG_subroutine_type: {
    t.kind = DWARF_TYPE_FUNCTION;
    t.target = type_ref(c, &d, A_TYPE);
    vec params = {0};
    while (next_child(c, &it, &ch)) {
      if (ch.ab->tag == DW_TAG_formal_parameter)
        *PUSH(c, &params, int32_t) = type_ref(c, &ch, A_TYPE);
      else if (ch.ab->tag == DW_TAG_unspecified_parameters)
        t.variadic = true;
    }
    t.nparams = (uint32_t)params.n;
    t.params = keep_array(c, &params, sizeof(int32_t));
    break;
  }
  default: /* unspecified_type, and types C has no word for */
    t.kind = DWARF_TYPE_VOID;
    break;
  }
  AT(c->types, dwarf_type, p->index) = t;
}

/* Only aggregates and functions may close a cycle of type references
 * (a struct holding a pointer to itself); a cycle through typedefs,
 * qualifiers, pointers, arrays or enums alone is malformed and would send
 * a consumer following `target` round forever: cut it there. */
static bool chains(const dwarf_type *t) {
  return t->kind != DWARF_TYPE_VOID && t->kind != DWARF_TYPE_BASE &&
         t->kind != DWARF_TYPE_STRUCT && t->kind != DWARF_TYPE_UNION &&
         t->kind != DWARF_TYPE_FUNCTION;
}

static void break_type_cycles(ctx *c) {
  size_t n = c->types.n;
  dwarf_type *ty = c->types.p;
  uint8_t *color = tmp_array(c, n ? n : 1, 1); /* 0 new, 1 on path, 2 done */
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    while (color[j] == 0 && chains(&ty[j])) {
      color[j] = 1;
      int32_t t = ty[j].target;
      if (t < 0)
        break;
      if (color[t] == 1) {
        ty[j].target = -1;
        break;
      }
      j = (size_t)t;
    }
    /* mark the walked path done */
    for (j = i; color[j] == 1;) {
      color[j] = 2;
      if (ty[j].target < 0)
        break;
      j = (size_t)ty[j].target;
    }
  }
}

/* ---- pass 2: subprograms and their variables ----------------------------- */

/* The attributes a DIE inherits from the declaration or abstract instance
 * it names (DW_AT_specification, DW_AT_abstract_origin). */
typedef struct {
  const char *name, *linkage_name;
  uint32_t decl_file, decl_line;
  int32_t type;
  bool external;
} decl_info;

static void read_decl(ctx *c, const die *d, decl_info *out) {
  *out = (decl_info){NULL, NULL, UINT32_MAX, 0, -1, false};
  bool got_name = false, got_link = false, got_file = false,
       got_line = false, got_type = false, got_ext = false;
  die cur_die = *d;
  for (int hop = 0; hop < 8; hop++) {
    const die *x = &cur_die;
    uint64_t v;
    if (!got_name && has(x, A_NAME)) {
      out->name = keep_str(c, die_str(c, x, A_NAME));
      got_name = true;
    }
    if (!got_link && has(x, A_LINKAGE)) {
      out->linkage_name = keep_str(c, die_str(c, x, A_LINKAGE));
      got_link = true;
    }
    if (!got_file && get_u(x, A_DECL_FILE, &v)) {
      out->decl_file = file_index(c, unit_of(c, x->unit)->lt, v);
      got_file = true;
    }
    if (!got_line && get_u(x, A_DECL_LINE, &v)) {
      out->decl_line = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
      got_line = true;
    }
    if (!got_type && has(x, A_TYPE)) {
      out->type = type_ref(c, x, A_TYPE);
      got_type = true;
    }
    if (!got_ext && has(x, A_EXTERNAL)) {
      out->external = get_flag(x, A_EXTERNAL);
      got_ext = true;
    }
    uint32_t ui;
    size_t off;
    if (!ref_target(c, x, A_SPEC, &ui, &off) &&
        !ref_target(c, x, A_ORIGIN, &ui, &off))
      break;
    die next;
    read_die(c, ui, off, &next);
    if (!next.ab)
      break;
    cur_die = next;
  }
}

/* A subprogram with code becomes a function; -1 when it has none (a
 * declaration, an abstract inline instance) or its code is gone. */
static int32_t add_func(ctx *c, const die *d) {
  uint64_t lo, hi;
  if (!get_addr(c, d, A_LOW_PC, &lo) || !has(d, A_HIGH_PC))
    return -1;
  const aval *h = &d->v[A_HIGH_PC];
  if (h->cls == CLS_ADDR || h->cls == CLS_ADDRX)
    get_addr(c, d, A_HIGH_PC, &hi);
  else if (is_const(h))
    hi = lo + (h->cls == CLS_SDATA ? (uint64_t)h->s : h->u);
  else
    return -1;
  if (lo == 0 || tombstone(lo) || hi <= lo || hi > UINT32_MAX)
    return -1;
  decl_info di;
  read_decl(c, d, &di);
  int32_t idx = (int32_t)c->funcs.n;
  dwarf_func *f = PUSH(c, &c->funcs, dwarf_func);
  f->lo = (uint32_t)lo;
  f->hi = (uint32_t)hi;
  f->name = di.name;
  f->linkage_name = di.linkage_name;
  f->decl_file = di.decl_file;
  f->decl_line = di.decl_line;
  f->ret_type = di.type;
  f->external = di.external;
  f->cu = (uint32_t)unit_of(c, d->unit)->cu;
  f->frame_base = (dwarf_loc){DWARF_LOC_NONE, 0, 0};
  if (has(d, A_FRAME_BASE)) {
    uint32_t n;
    dwarf_loc_range *rg;
    dwarf_loc fb;
    read_location(c, d, A_FRAME_BASE, &fb, &n, &rg);
    /* a frame base that moves is beyond what dwarf_func describes */
    AT(c->funcs, dwarf_func, idx).frame_base =
        n ? (dwarf_loc){DWARF_LOC_UNSUPPORTED, 0, 0} : fb;
  }
  return idx;
}

static void add_var(ctx *c, int32_t func, const die *d, bool is_param) {
  if (get_flag(d, A_DECLARATION))
    return;
  pending_var *pv = PUSH(c, &c->vars, pending_var);
  pv->func = (uint32_t)func;
  pv->seq = (uint32_t)c->vars.n;
  decl_info di;
  read_decl(c, d, &di);
  dwarf_var v = {0};
  v.name = di.name;
  v.type = di.type;
  v.decl_file = di.decl_file;
  v.decl_line = di.decl_line;
  v.is_param = is_param;
  v.loc = (dwarf_loc){DWARF_LOC_NONE, 0, 0};
  if (has(d, A_LOCATION)) {
    read_location(c, d, A_LOCATION, &v.loc, &v.nranges, &v.ranges);
  } else if (has(d, A_CONST_VALUE)) {
    /* an optimised-out variable whose value is known */
    int64_t k;
    if (get_s(d, A_CONST_VALUE, false, &k))
      v.loc = (dwarf_loc){DWARF_LOC_CONST, 0, k};
    else
      v.loc = (dwarf_loc){DWARF_LOC_UNSUPPORTED, 0, 0};
  }
  AT(c->vars, pending_var, c->vars.n - 1).v = v;
}

enum { F_SCOPE, F_FUNC, F_SKIP };
typedef struct {
  uint8_t kind;
  int32_t func;
} frame;

/* Walks one compile unit's DIE tree with an explicit stack: which DIEs
 * matter depends only on their parent's kind (frame). */
static void walk_unit(ctx *c, uint32_t ui) {
  const unit *u = unit_of(c, ui);
  if (u->die_off >= u->end)
    return;
  vec stack = {0};
  die d;
  read_die(c, ui, u->die_off, &d);
  if (!d.ab || !d.ab->children)
    return;
  *PUSH(c, &stack, frame) = (frame){F_SCOPE, -1};
  size_t pos = d.next;
  while (stack.n && pos < u->end) {
    read_die(c, ui, pos, &d);
    pos = d.next;
    if (!d.ab) {
      stack.n--;
      continue;
    }
    frame top = AT(stack, frame, stack.n - 1);
    frame child = {F_SKIP, -1};
    uint32_t tag = d.ab->tag;
    if (top.kind == F_SCOPE) {
      if (tag == DW_TAG_subprogram) {
        int32_t f = add_func(c, &d);
        if (f >= 0)
          child = (frame){F_FUNC, f};
      } else if (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
                 tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
                 tag == DW_TAG_interface_type || tag == DW_TAG_module) {
        child = (frame){F_SCOPE, -1};
      }
    } else if (top.kind == F_FUNC) {
      if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) {
        add_var(c, top.func, &d, tag == DW_TAG_formal_parameter);
      } else if (tag == DW_TAG_lexical_block) {
        child = top; /* flattened into the function */
      } else if (tag == DW_TAG_subprogram) {
        int32_t f = add_func(c, &d);
        if (f >= 0)
          child = (frame){F_FUNC, f};
      }
      /* DW_TAG_inlined_subroutine and the rest: skipped */
    }
    if (d.ab->children)
      *PUSH(c, &stack, frame) = child;
  }
}

/* ---- assembly ------------------------------------------------------------ */

static int cmp_var(const void *a, const void *b) {
  const pending_var *x = a, *y = b;
  if (x->func != y->func)
    return x->func < y->func ? -1 : 1;
  if (x->v.is_param != y->v.is_param)
    return x->v.is_param ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef struct {
  dwarf_func f;
  uint32_t seq;
} sorted_func;

static int cmp_func(const void *a, const void *b) {
  const sorted_func *x = a, *y = b;
  if (x->f.lo != y->f.lo)
    return x->f.lo < y->f.lo ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* By address; at one address, the rows of a sequence ending there first
 * (they close it: dwarf_row_at must not see them past its end), then those
 * of sequences going on from there; else in input order (qsort is not
 * stable: `seq` is the input position). */
static int cmp_row(const void *a, const void *b) {
  const seq_row *x = a, *y = b;
  if (x->r.addr != y->r.addr)
    return x->r.addr < y->r.addr ? -1 : 1;
  if (x->phase != y->phase)
    return x->phase < y->phase ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void assemble(ctx *c) {
  dwarf_info *d = c->d;
  d->ncus = (uint32_t)c->cus.n;
  d->cus = keep_array(c, &c->cus, sizeof(dwarf_cu));
  d->nfiles = (uint32_t)c->files.n;
  d->files = keep_array(c, &c->files, sizeof(dwarf_file));

  seq_row *rows = c->rows.p;
  if (c->rows.n)
    qsort(rows, c->rows.n, sizeof(seq_row), cmp_row);
  d->nrows = (uint32_t)c->rows.n;
  d->rows = out_array(c, c->rows.n, sizeof(dwarf_row));
  for (size_t i = 0; i < c->rows.n; i++)
    d->rows[i] = rows[i].r;

  /* variables into their functions, params first */
  if (c->vars.n)
    qsort(c->vars.p, c->vars.n, sizeof(pending_var), cmp_var);
  for (size_t i = 0; i < c->vars.n;) {
    size_t j = i;
    uint32_t fi = AT(c->vars, pending_var, i).func;
    while (j < c->vars.n && AT(c->vars, pending_var, j).func == fi)
      j++;
    dwarf_func *f = &AT(c->funcs, dwarf_func, fi);
    f->nvars = (uint32_t)(j - i);
    f->vars = out_array(c, j - i, sizeof(dwarf_var));
    for (size_t k = i; k < j; k++)
      f->vars[k - i] = AT(c->vars, pending_var, k).v;
    i = j;
  }

  vec sorted = {0};
  for (size_t i = 0; i < c->funcs.n; i++) {
    sorted_func *s = PUSH(c, &sorted, sorted_func);
    s->f = AT(c->funcs, dwarf_func, i);
    s->seq = (uint32_t)i;
  }
  if (sorted.n)
    qsort(sorted.p, sorted.n, sizeof(sorted_func), cmp_func);
  d->nfuncs = (uint32_t)sorted.n;
  d->funcs = out_array(c, sorted.n, sizeof(dwarf_func));
  for (size_t i = 0; i < sorted.n; i++)
    d->funcs[i] = AT(sorted, sorted_func, i).f;

  break_type_cycles(c);
  d->ntypes = (uint32_t)c->types.n;
  d->types = keep_array(c, &c->types, sizeof(dwarf_type));
}

/* ---- entry points -------------------------------------------------------- */

/* The DWARF sections are custom sections; a section's payload follows its
 * name (wasm_section.contents is where the name starts). */
static void find_sections(ctx *c, const wasm_module *m) {
  for (uint32_t i = 0; i < m->nsections; i++) {
    const wasm_section *s = &m->sections[i];
    if (s->id != 0 || !s->custom_name.str)
      continue;
    for (int k = 0; k < S_COUNT; k++) {
      if (c->s[k].present || strcmp(s->custom_name.str, section_names[k]) ||
          s->custom_name.len != strlen(section_names[k]))
        continue;
      if ((size_t)s->contents + s->size > m->size)
        break;
      uint64_t len;
      size_t n = wasm_leb_u(m->bytes + s->contents, s->size, 32, &len);
      if (!n || len != s->custom_name.len || n + len > s->size)
        break;
      c->s[k].p = m->bytes + s->contents + n + len;
      c->s[k].size = s->size - n - (size_t)len;
      c->s[k].present = true;
    }
  }
}

/* The whole read; false when fail() unwound it. A function of its own so
 * that no local of the caller lives across setjmp. */
static bool read_everything(ctx *c) {
  if (setjmp(c->jb))
    return false;
  read_units(c);
  for (uint32_t i = 0; i < c->units.n; i++)
    if (unit_of(c, i)->cu >= 0)
      walk_unit(c, i);
  while (c->queue_head < c->queue.n) {
    pending_type p = AT(c->queue, pending_type, c->queue_head++);
    read_type(c, &p);
  }
  assemble(c);
  return true;
}

dwarf_info *dwarf_read(const struct wasm_module *m, char *err_msg,
                       size_t err_size) {
  if (err_size)
    err_msg[0] = 0;
  ctx *c = calloc(1, sizeof *c);
  dwarf_info *d = calloc(1, sizeof *d);
  if (!c || !d) {
    free(c);
    free(d);
    if (err_size)
      snprintf(err_msg, err_size, "out of memory reading DWARF");
    return NULL;
  }
  c->err = err_msg;
  c->err_size = err_size;
  c->d = d;
  c->unknown_file = -1;
  find_sections(c, m);
  if (!c->s[S_INFO].present) {
    free(c);
    free(d);
    return NULL;
  }
  uint64_t total = 0;
  for (int k = 0; k < S_COUNT; k++)
    total += c->s[k].size;
  c->budget = 64 * total + (1u << 22);
  c->mem_limit = (size_t)(total > SIZE_MAX / 64 ? SIZE_MAX / 2 : 32 * total) +
                 ((size_t)64 << 20);
  bool ok = read_everything(c);
  wasm_arena_free(&c->tmp);
  free(c);
  if (!ok) {
    wasm_arena_free(&d->arena);
    free(d);
    return NULL;
  }
  return d;
}

void dwarf_free(dwarf_info *d) {
  if (!d)
    return;
  wasm_arena_free(&d->arena);
  free(d);
}

const dwarf_func *dwarf_func_at(const dwarf_info *d, uint32_t addr) {
  size_t lo = 0, hi = d->nfuncs; /* first with f.lo > addr */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->funcs[mid].lo <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo && addr < d->funcs[lo - 1].hi ? &d->funcs[lo - 1] : NULL;
}

const dwarf_row *dwarf_row_at(const dwarf_info *d, uint32_t addr) {
  size_t lo = 0, hi = d->nrows; /* first with row.addr > addr */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->rows[mid].addr <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (!lo || d->rows[lo - 1].flags & DWARF_ROW_END_SEQUENCE)
    return NULL;
  return &d->rows[lo - 1];
}

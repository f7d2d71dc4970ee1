/* wasm.h: the in-memory model of a decoded WebAssembly 2.0 module.
 *
 * decode.c fills a wasm_module from the binary format; validate.c checks it
 * and adds what later stages need (wasm_func_info); lowering reads both.
 * Everything a module owns lives in its arena and is freed in one call
 * (wasm_module_free). Byte ranges (function bodies, data segments) point
 * into the input buffer, which therefore must outlive the module; the
 * wasm_module_load_file() helper makes the module own that buffer.
 *
 * Index spaces follow the spec: imports come first, then definitions. The
 * arrays funcs/tables/memories/globals cover the whole index space, so
 * index i means the same thing here as in the Wasm code.
 */
#ifndef WASMC_WASM_H
#define WASMC_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

/* Value types, by their binary encoding. */
typedef enum {
  WASM_I32 = 0x7F,
  WASM_I64 = 0x7E,
  WASM_F32 = 0x7D,
  WASM_F64 = 0x7C,
  WASM_V128 = 0x7B,
  WASM_FUNCREF = 0x70,
  WASM_EXTERNREF = 0x6F,
  WASM_EXNREF = 0x69, /* (ref null exn): exception handling */
} wasm_valtype;

/* ---- Wasm 3.0 types --------------------------------------------------------
 *
 * Heap types, as decoded from their s33 encoding: an abstract heap type is
 * its one-byte code, a concrete one (a type index) is WASM_HT_INDEX + index
 * (indices that do not fit become WASM_HT_INVALID, which no module has). */
typedef uint32_t wasm_heaptype;
enum {
  WASM_HT_EXN = 0x69,
  WASM_HT_ARRAY = 0x6A,
  WASM_HT_STRUCT = 0x6B,
  WASM_HT_I31 = 0x6C,
  WASM_HT_EQ = 0x6D,
  WASM_HT_ANY = 0x6E,
  WASM_HT_EXTERN = 0x6F,
  WASM_HT_FUNC = 0x70,
  WASM_HT_NONE = 0x71,
  WASM_HT_NOEXTERN = 0x72,
  WASM_HT_NOFUNC = 0x73,
  WASM_HT_NOEXN = 0x74,
  WASM_HT_INDEX = 0x100,
  /* The validator's "bottom" heap type: what ref.as_non_null and
   * br_on_null leave when their operand is the polymorphic stack's
   * Unknown. Below every heap type; no module names it. */
  WASM_HT_BOT = 0x3FFFFFFE,
  WASM_HT_INVALID = 0x3FFFFFFF,
};

/* A value type of Wasm 3.0 in one word, comparable with ==:
 *   numeric and vector types      their code (WASM_I32 ... WASM_V128)
 *   (ref null ABSTRACT)           the heap type's code, which is also the
 *                                 binary shorthand (0x70 funcref, 0x6F
 *                                 externref, 0x69 exnref, 0x6E anyref, ...)
 *   any other reference type      WASM_VT_REF | (nullable ? WASM_VT_NULL
 *                                 : 0) | heap type
 * so every Wasm 2.0 type keeps its one-byte code, and (ref null func) has
 * exactly one representation. Subtyping and type equality over concrete
 * types (iso-recursive, with GC's rec groups) need the module's types and
 * live in the validator. */
typedef uint32_t wasm_vtype;
enum { WASM_VT_REF = 0x80000000u, WASM_VT_NULL = 0x40000000u };

static inline wasm_vtype wasm_vt_ref(bool nullable, wasm_heaptype ht) {
  if (nullable && ht < WASM_HT_INDEX)
    return ht;
  return WASM_VT_REF | (nullable ? WASM_VT_NULL : 0) | ht;
}
static inline bool wasm_vt_is_ref(wasm_vtype t) {
  return (t & WASM_VT_REF) || (t >= WASM_HT_EXN && t <= WASM_HT_NOEXN);
}
static inline bool wasm_vt_nullable(wasm_vtype t) {
  return !(t & WASM_VT_REF) || (t & WASM_VT_NULL);
}
static inline wasm_heaptype wasm_vt_heap(wasm_vtype t) {
  return (t & WASM_VT_REF) ? t & ~(WASM_VT_REF | WASM_VT_NULL) : t;
}

/* Text-format name: "i32", "funcref", "(ref 3)", "(ref null $3)"...
 * Abstract types are static strings; the others are formatted into one
 * of a few per-thread buffers, so up to four names may be used in one
 * printf. */
const char *wasm_vtype_name(wasm_vtype t);

/* Names are arbitrary UTF-8 (they may contain U+0000), so they carry a
 * length; str is also NUL-terminated for convenience. */
typedef struct {
  const char *str;
  uint32_t len;
} wasm_name;

typedef struct {
  uint32_t nparams, nresults;
  const wasm_vtype *params;
  const wasm_vtype *results;
} wasm_functype;

/* What GC's type section adds to each type (m->subtypes, parallel to
 * m->types). A type is a function, struct or array type ("composite
 * type"); it may declare a supertype and be final or not, and belongs to
 * a recursive group. A plain 0x60 function type is a final type without
 * supertype alone in its group, as in Wasm 2.0. Types are equivalent
 * (iso-recursively) when their groups are structurally equal and they
 * sit at the same place in them; canon names the first type of the
 * module equivalent to this one, so equivalence is canon equality
 * (filled by the validator, compiler/subtype.c). */
typedef enum {
  WASM_COMP_FUNC = 0x60,
  WASM_COMP_STRUCT = 0x5F,
  WASM_COMP_ARRAY = 0x5E,
} wasm_compkind;

/* Storage types of struct and array fields: a value type or a packed
 * type (the binary's i8 and i16 codes). */
enum { WASM_PACKED_I8 = 0x78, WASM_PACKED_I16 = 0x77 };
typedef struct {
  wasm_vtype type; /* value type or WASM_PACKED_* */
  bool mutable_;
} wasm_fieldtype;

enum { WASM_NO_SUPER = UINT32_MAX };
typedef struct {
  uint8_t kind;          /* wasm_compkind; m->types[i] is empty unless FUNC */
  bool final;
  uint32_t super;        /* declared supertype's index, or WASM_NO_SUPER */
  uint32_t nsupers;      /* as declared (the validator allows at most 1) */
  uint32_t rec_first;    /* the recursive group: [rec_first, +rec_size) */
  uint32_t rec_size;
  uint32_t offset;       /* of the type's definition, for messages */
  uint32_t nfields;      /* struct: its fields; array: 1, its element */
  const wasm_fieldtype *fields;
  uint32_t canon;        /* validator: first equivalent type's index */
} wasm_subtype;

typedef struct {
  uint64_t min, max; /* max is meaningful only when has_max */
  bool has_max;
  bool is64;   /* address type i64 (memory64, table64), else i32 */
  bool shared; /* threads: limits flag bit 1, memories only */
} wasm_limits;

typedef struct {
  wasm_vtype elem; /* a reference type */
  wasm_limits limits;
} wasm_tabletype;

typedef struct {
  wasm_limits limits; /* in 64 KiB pages */
} wasm_memtype;

typedef struct {
  wasm_vtype type;
  bool mutable_;
} wasm_globaltype;

typedef enum {
  WASM_EXTERN_FUNC = 0,
  WASM_EXTERN_TABLE = 1,
  WASM_EXTERN_MEMORY = 2,
  WASM_EXTERN_GLOBAL = 3,
  WASM_EXTERN_TAG = 4, /* exception handling */
} wasm_externkind;

const char *wasm_externkind_name(wasm_externkind k); /* "func", ... */

/* ---- instructions ------------------------------------------------------ */

typedef enum {
#define OP(name, prefix, code, imm, sig, aux, text) WASM_OP_##name,
#include "opcodes.def"
#undef OP
  WASM_OP_COUNT
} wasm_opcode;

/* Static facts about each opcode, generated from opcodes.def. */
typedef struct {
  uint16_t prefix;   /* 0, 0xFC or 0xFD */
  uint32_t code;
  uint8_t imm;       /* wasm_immkind */
  const char *sig;   /* "params_results" or NULL; see opcodes.def */
  uint8_t aux;
  const char *text;
} wasm_opinfo;
extern const wasm_opinfo wasm_opinfos[WASM_OP_COUNT];

typedef enum {
  WASM_IMM_NONE,
  WASM_IMM_BLOCKTYPE,   /* imm.block */
  WASM_IMM_INDEX,       /* imm.index: label/func/local/global/table/elem/data */
  WASM_IMM_INDEX2,      /* imm.index2: call_indirect (type, table),
                           table.init (elem, table), table.copy (dst, src) */
  WASM_IMM_INDEX_MEMORY,/* memory.init: imm.index2 (data, memory) */
  WASM_IMM_MEMORY,      /* memory.size/grow/fill: imm.index = memory (0) */
  WASM_IMM_MEMORY2,     /* memory.copy: imm.index2 (dst memory, src memory) */
  WASM_IMM_BR_TABLE,    /* imm.br_table */
  WASM_IMM_SELECT_T,    /* imm.select */
  WASM_IMM_REFTYPE,     /* imm.reftype */
  WASM_IMM_MEMARG,      /* imm.mem */
  WASM_IMM_MEMARG_LANE, /* imm.mem incl. lane */
  WASM_IMM_I32,         /* imm.i32 */
  WASM_IMM_I64,         /* imm.i64 */
  WASM_IMM_F32,         /* imm.f32_bits */
  WASM_IMM_F64,         /* imm.f64_bits */
  WASM_IMM_V128,        /* imm.v128 */
  WASM_IMM_LANE,        /* imm.lane */
  WASM_IMM_SHUFFLE,     /* imm.v128 (16 lane indices) */
  WASM_IMM_TRY_TABLE,   /* imm.try_table: block type + catch clauses */
  WASM_IMM_HEAPTYPE,    /* imm.heaptype (ref.test, ref.cast) */
  WASM_IMM_BR_ON_CAST,  /* imm.br_on_cast */
  WASM_IMM_FENCE,       /* atomic.fence: one zero byte, nothing kept */
} wasm_immkind;

/* The feature an instruction belongs to: NULL for Wasm 2.0, else e.g.
 * "exception handling", "threads" (for messages and `inspect`). */
const char *wasm_op_feature(uint16_t op);

/* try_table catch clause kinds, by their binary encoding */
typedef enum {
  WASM_CATCH = 0,         /* catch x l */
  WASM_CATCH_REF = 1,     /* catch_ref x l */
  WASM_CATCH_ALL = 2,     /* catch_all l */
  WASM_CATCH_ALL_REF = 3, /* catch_all_ref l */
} wasm_catchkind;

typedef struct {
  uint8_t kind;  /* wasm_catchkind */
  uint32_t tag;  /* WASM_CATCH / WASM_CATCH_REF only */
  uint32_t label;
} wasm_catch;

typedef enum {
  WASM_BLOCK_EMPTY,   /* [] -> [] */
  WASM_BLOCK_VALTYPE, /* [] -> [valtype] */
  WASM_BLOCK_TYPEIDX, /* a function type from the type section */
} wasm_blockkind;

typedef struct {
  uint8_t kind;    /* wasm_blockkind */
  wasm_vtype valtype; /* WASM_BLOCK_VALTYPE */
  uint32_t typeidx;/* WASM_BLOCK_TYPEIDX */
} wasm_blocktype;

/* One decoded instruction. Decoded on the fly by wasm_read_instr (reader.h):
 * the module keeps code as bytes, not as instruction arrays. */
typedef struct {
  uint16_t op;     /* wasm_opcode */
  uint32_t offset; /* byte offset of the opcode (prefix byte) in the file */
  union {
    wasm_blocktype block;
    uint32_t index;
    struct { uint32_t a, b; } index2;
    struct {
      uint32_t count;          /* number of targets, without the default */
      const uint32_t *targets; /* valid until the next wasm_read_instr */
      uint32_t default_target;
    } br_table;
    struct { uint32_t count; wasm_vtype type; } select; /* count must be 1 */
    wasm_vtype reftype; /* ref.null ht: the type (ref null ht) */
    struct {
      uint32_t align;  /* log2, as encoded */
      uint64_t offset;
      uint32_t memory; /* 0 in Wasm 2.0 */
      uint8_t lane;    /* MEMARG_LANE only */
      uint8_t offset_len; /* bytes of the offset's LEB128 (validation
                             limits a 32-bit memory's to a u32's 5) */
    } mem;
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16]; /* little-endian bytes; shuffle lane indices */
    uint8_t lane;
    struct {
      wasm_blocktype block;
      uint32_t count;
      const wasm_catch *catches; /* valid until the next wasm_read_instr */
    } try_table;
    wasm_heaptype heaptype;
    struct {
      uint8_t flags;  /* bit 0: source nullable, bit 1: target nullable */
      uint32_t label;
      wasm_heaptype from, to;
    } br_on_cast;
  } imm;
} wasm_instr;

/* ---- module pieces ----------------------------------------------------- */

/* A constant expression (global initialisers, segment offsets, element
 * items): its instructions, without the final `end`. */
typedef struct {
  wasm_instr *instrs;
  uint32_t ninstrs;
  uint32_t offset; /* byte offset of the first instruction */
} wasm_constexpr;

typedef struct {
  wasm_name module, name;
  wasm_externkind kind;
  uint32_t offset; /* of the import entry */
  union {
    uint32_t func_type; /* type index */
    wasm_tabletype table;
    wasm_memtype memory;
    wasm_globaltype global;
    uint32_t tag_type; /* type index of the tag's function type */
  } desc;
} wasm_import;

typedef struct {
  wasm_name name;
  wasm_externkind kind;
  uint32_t index;
  uint32_t offset;
} wasm_export;

typedef struct {
  uint32_t count;
  wasm_vtype type;
  uint32_t offset; /* of the type, for messages */
} wasm_local_group;

/* A function of the module's function index space. */
typedef struct {
  uint32_t type;       /* type index */
  bool imported;       /* true for the first nimported_funcs entries */
  /* defined functions only: */
  uint32_t ngroups;    /* local declarations, as encoded */
  wasm_local_group *groups;
  uint32_t nlocals;    /* declared locals, not counting parameters */
  const uint8_t *body; /* first instruction (after the locals) */
  uint32_t body_len;   /* up to and including the final `end` */
  uint32_t body_offset;/* file offset of body[0] */
  uint32_t code_offset;/* file offset of the code entry's size field */
} wasm_func;

typedef struct {
  wasm_globaltype type;
  bool imported;
  wasm_constexpr init; /* defined globals only */
} wasm_global;

/* An exception tag: the function type [t*] -> [] of its payload. */
typedef struct {
  uint32_t type; /* type index */
  bool imported;
} wasm_tag;

typedef enum {
  WASM_SEG_ACTIVE,
  WASM_SEG_PASSIVE,
  WASM_SEG_DECLARATIVE, /* element segments only */
} wasm_segmode;

typedef struct {
  wasm_segmode mode;
  uint32_t table;        /* active only */
  wasm_constexpr offset; /* active only */
  wasm_vtype type;       /* a reference type */
  uint32_t count;
  /* Every item as a constant expression; the funcidx encodings become a
   * single ref.func so consumers see one form. */
  wasm_constexpr *items;
  uint32_t entry_offset; /* of the segment entry, for messages */
} wasm_elem;

typedef struct {
  wasm_segmode mode;
  uint32_t memory;       /* active only */
  wasm_constexpr offset; /* active only */
  const uint8_t *bytes;
  uint32_t len;
  uint32_t entry_offset; /* of the segment entry, for messages */
} wasm_data;

typedef struct {
  uint8_t id;           /* section id (0 = custom) */
  uint32_t offset;      /* of the id byte */
  uint32_t size;        /* of the contents */
  uint32_t contents;    /* offset of the contents */
  wasm_name custom_name;/* custom sections only */
} wasm_section;

typedef struct {
  uint32_t index;
  wasm_name name;
} wasm_naming;

typedef struct {
  uint32_t func;
  uint32_t count;
  wasm_naming *names; /* local index -> name */
} wasm_local_names;

/* What the validator learnt about a defined function, for lowering. */
typedef struct {
  uint32_t max_stack;   /* highest operand stack height */
  uint32_t max_depth;   /* deepest nesting of control frames (1 = body) */
  uint32_t ninstrs;     /* instructions in the body, incl. the final end */
} wasm_func_info;

typedef struct wasm_module {
  wasm_arena arena;
  const char *filename;  /* for messages */
  const uint8_t *bytes;  /* the input, kept for body and data ranges */
  size_t size;
  uint8_t *owned_bytes;  /* freed with the module, when it owns them */

  uint32_t ntypes;
  wasm_functype *types;   /* function types; empty for struct/array */
  wasm_subtype *subtypes; /* per type: kind, supertype, rec group */
  uint32_t nrecs;         /* recursive groups (a lone type is one) */

  uint32_t nimports;
  wasm_import *imports;

  uint32_t nfuncs, nimported_funcs;
  wasm_func *funcs;

  uint32_t ntables, nimported_tables;
  wasm_tabletype *tables;
  /* Per table (imports included, theirs empty): the initialiser of a
   * defined table (Wasm 3.0's `0x40 0x00 tabletype expr`); ninstrs 0
   * when it has none (every slot starts null). */
  wasm_constexpr *table_inits;

  uint32_t nmemories, nimported_memories;
  wasm_memtype *memories;

  uint32_t nglobals, nimported_globals;
  wasm_global *globals;

  uint32_t ntags, nimported_tags; /* tag section (id 13) and tag imports */
  wasm_tag *tags;

  uint32_t nexports;
  wasm_export *exports;

  bool has_start;
  uint32_t start;

  uint32_t nelems;
  wasm_elem *elems;

  bool has_datacount;
  uint32_t datacount;

  uint32_t ndatas;
  wasm_data *datas;

  uint32_t nsections;
  wasm_section *sections;

  /* name section (all optional; a malformed name section is ignored, as
   * the spec asks, with a warning kept in name_warning) */
  bool has_module_name;
  wasm_name module_name;
  wasm_name *func_names;   /* nfuncs entries, {NULL,0} where unnamed */
  uint32_t nlocal_names;
  wasm_local_names *local_names;
  char name_warning[160];

  /* filled by wasm_validate: one entry per defined function
   * (index = func index - nimported_funcs) */
  wasm_func_info *func_info;
  bool validated;
  bool from_text; /* read from a text file (offsets are the binary form's) */
} wasm_module;

/* ---- the front end's entry points ---------------------------------------- */

/* Decode a binary module. bytes must outlive the module. Returns NULL and
 * fills err (with the byte offset) when the module is malformed. */
wasm_module *wasm_decode(const uint8_t *bytes, size_t size,
                         const char *filename, wasm_error *err);

/* The whole of a file (regular, pipe or device) in a malloc'd buffer that
 * also ends in a NUL byte past *size, so text files can be parsed as
 * strings. NULL + err (naming the file; errno kept) on failure. */
uint8_t *wasm_read_file(const char *path, size_t *size, wasm_error *err);

/* wasm_read_file, then a file in the WebAssembly text format (anything
 * not starting with "\0asm") is converted to the binary format by the
 * text reader (wat.h): the result is always a binary module's bytes. A
 * text error sets err->text with its line and column. */
uint8_t *wasm_read_module_file(const char *path, size_t *size, wasm_error *err);

/* Read a file (binary, or text converted as above) and decode it; the
 * module owns the bytes. */
wasm_module *wasm_module_load_file(const char *path, wasm_error *err);

/* Validate per the spec's algorithm; fills m->func_info. false + err when
 * the module is invalid. */
bool wasm_validate(wasm_module *m, wasm_error *err);

void wasm_module_free(wasm_module *m);

/* The initialiser of table t, or NULL when its slots start null. */
static inline const wasm_constexpr *wasm_table_init(const wasm_module *m,
                                                    uint32_t t) {
  return m->table_inits && t < m->ntables && m->table_inits[t].ninstrs
             ? &m->table_inits[t]
             : NULL;
}

/* Function type of function index f. */
static inline const wasm_functype *wasm_func_type(const wasm_module *m,
                                                  uint32_t f) {
  return &m->types[m->funcs[f].type];
}

#endif

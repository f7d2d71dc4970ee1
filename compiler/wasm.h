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
} wasm_valtype;

/* Byte of a value type read from the binary is one of the above? */
bool wasm_is_valtype(uint8_t byte);
bool wasm_is_reftype(uint8_t byte);
const char *wasm_valtype_name(uint8_t t); /* "i32", "funcref", ... */

/* Names are arbitrary UTF-8 (they may contain U+0000), so they carry a
 * length; str is also NUL-terminated for convenience. */
typedef struct {
  const char *str;
  uint32_t len;
} wasm_name;

typedef struct {
  uint32_t nparams, nresults;
  const uint8_t *params;  /* wasm_valtype each */
  const uint8_t *results;
} wasm_functype;

typedef struct {
  uint64_t min, max; /* max is meaningful only when has_max */
  bool has_max;
} wasm_limits;

typedef struct {
  uint8_t elem; /* WASM_FUNCREF or WASM_EXTERNREF */
  wasm_limits limits;
} wasm_tabletype;

typedef struct {
  wasm_limits limits; /* in 64 KiB pages */
} wasm_memtype;

typedef struct {
  uint8_t type; /* wasm_valtype */
  bool mutable_;
} wasm_globaltype;

typedef enum {
  WASM_EXTERN_FUNC = 0,
  WASM_EXTERN_TABLE = 1,
  WASM_EXTERN_MEMORY = 2,
  WASM_EXTERN_GLOBAL = 3,
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
} wasm_immkind;

typedef enum {
  WASM_BLOCK_EMPTY,   /* [] -> [] */
  WASM_BLOCK_VALTYPE, /* [] -> [valtype] */
  WASM_BLOCK_TYPEIDX, /* a function type from the type section */
} wasm_blockkind;

/* One decoded instruction. Decoded on the fly by wasm_read_instr (reader.h):
 * the module keeps code as bytes, not as instruction arrays. */
typedef struct {
  uint16_t op;     /* wasm_opcode */
  uint32_t offset; /* byte offset of the opcode (prefix byte) in the file */
  union {
    struct { uint8_t kind; uint8_t valtype; uint32_t typeidx; } block;
    uint32_t index;
    struct { uint32_t a, b; } index2;
    struct {
      uint32_t count;          /* number of targets, without the default */
      const uint32_t *targets; /* valid until the next wasm_read_instr */
      uint32_t default_target;
    } br_table;
    struct { uint32_t count; uint8_t type; } select; /* count must be 1 */
    uint8_t reftype;
    struct {
      uint32_t align;  /* log2, as encoded */
      uint64_t offset;
      uint32_t memory; /* 0 in Wasm 2.0 */
      uint8_t lane;    /* MEMARG_LANE only */
    } mem;
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16]; /* little-endian bytes; shuffle lane indices */
    uint8_t lane;
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
  uint8_t type; /* wasm_valtype */
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

typedef enum {
  WASM_SEG_ACTIVE,
  WASM_SEG_PASSIVE,
  WASM_SEG_DECLARATIVE, /* element segments only */
} wasm_segmode;

typedef struct {
  wasm_segmode mode;
  uint32_t table;        /* active only */
  wasm_constexpr offset; /* active only */
  uint8_t type;          /* WASM_FUNCREF or WASM_EXTERNREF */
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
  wasm_functype *types;

  uint32_t nimports;
  wasm_import *imports;

  uint32_t nfuncs, nimported_funcs;
  wasm_func *funcs;

  uint32_t ntables, nimported_tables;
  wasm_tabletype *tables;

  uint32_t nmemories, nimported_memories;
  wasm_memtype *memories;

  uint32_t nglobals, nimported_globals;
  wasm_global *globals;

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

/* Read a file and decode it; the module owns the bytes. */
wasm_module *wasm_module_load_file(const char *path, wasm_error *err);

/* Validate per the spec's algorithm; fills m->func_info. false + err when
 * the module is invalid. */
bool wasm_validate(wasm_module *m, wasm_error *err);

void wasm_module_free(wasm_module *m);

/* Function type of function index f. */
static inline const wasm_functype *wasm_func_type(const wasm_module *m,
                                                  uint32_t f) {
  return &m->types[m->funcs[f].type];
}

#endif

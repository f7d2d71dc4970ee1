/* dwarf.h: the module's own DWARF, as clang -g writes it for wasm32
 * (custom sections .debug_info, .debug_abbrev, .debug_line, .debug_str,
 * .debug_loc, ...), read into plain tables for -g (lower_debug.c
 * translates them into the native code's DWARF).
 *
 * Addresses are Wasm "code addresses": byte offsets from the start of the
 * Code section's contents (the byte after its size), as the WebAssembly
 * tool conventions define them; a function's low_pc is the offset of its
 * body (the local declaration count). Add the Code section's `contents`
 * offset (wasm_section) to get a file offset.
 *
 * Read: DWARF versions 2 to 5, 32-bit format, address size 4 (wasm32),
 * every attribute form of DWARF 5 (so any attribute can be skipped), one
 * or more compile units, and for each:
 *   - its line program (every row), files resolved to directory + name;
 *   - subprograms with code (low_pc/high_pc), their name, declaration,
 *     return type, frame base and the variables and parameters of their
 *     body and of its lexical blocks (flattened into the function);
 *   - the types those use (below).
 * Inlined subroutines (DW_TAG_inlined_subroutine) are not read: their
 * code is part of the function that holds them, and their lines come from
 * the line table. Location forms: see dwarf_loc. Anything else is skipped
 * as the format allows; a malformed section makes dwarf_read fail (the
 * caller warns and carries on without the module's DWARF). */
#ifndef WASMC_DWARF_H
#define WASMC_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct wasm_module;

/* A source file: dir is its directory, relative ones already joined to
 * the compile unit's comp_dir (so it is relative only when comp_dir is);
 * "" when name is absolute. name never NULL. Rows whose line program names
 * a file it does not list point at a file named "<unknown>". */
typedef struct {
  const char *dir;
  const char *name;
} dwarf_file;

enum {
  DWARF_ROW_STMT = 1,         /* is_stmt */
  DWARF_ROW_END_SEQUENCE = 2, /* first address past a sequence */
  DWARF_ROW_PROLOGUE_END = 4,
};

/* One row of a line table: from addr up to the next row's addr (within a
 * sequence) the code came from file:line:column. line 0 = no source. */
typedef struct {
  uint32_t addr;
  uint32_t file; /* index into dwarf_info.files (always valid) */
  uint32_t line;
  uint16_t column;
  uint16_t flags; /* DWARF_ROW_* */
} dwarf_row;

typedef enum {
  DWARF_TYPE_VOID,     /* DW_TAG_unspecified_type, or a missing DW_AT_type;
                        * also types C has no kind for (name kept) */
  DWARF_TYPE_BASE,     /* name, size, encoding */
  DWARF_TYPE_POINTER,  /* target; size 4 (a linear-memory address); also
                        * C++ references and pointers to members */
  DWARF_TYPE_CONST,    /* target */
  DWARF_TYPE_VOLATILE, /* target */
  DWARF_TYPE_RESTRICT, /* target */
  DWARF_TYPE_TYPEDEF,  /* name, target */
  DWARF_TYPE_STRUCT,   /* name (may be NULL), size, members (C++ base
                        * classes as unnamed members); also classes */
  DWARF_TYPE_UNION,    /* name (may be NULL), size, members */
  DWARF_TYPE_ARRAY,    /* target = element type, counts */
  DWARF_TYPE_ENUM,     /* name, size, target = underlying (or -1), enumerators */
  DWARF_TYPE_FUNCTION, /* target = return type (or -1 = void), params */
} dwarf_type_kind;
/* _Atomic (and the other qualifiers without a kind here) are transparent:
 * a reference to an _Atomic int is one to the int. Following `target`
 * from any type ends, within ntypes steps, at a type that is not a
 * pointer, qualifier, typedef, array or enum, or at -1: only structs,
 * unions and function types may close a cycle (a struct with a pointer to
 * itself); a malformed cycle of the others is cut (its last target -1). */

typedef struct {
  const char *name;    /* NULL for an anonymous member */
  int32_t type;        /* index into dwarf_info.types */
  uint64_t offset;     /* byte offset (DW_AT_data_member_location; for a
                        * bit field given only by DW_AT_data_bit_offset,
                        * its storage unit's) */
  uint32_t bit_size;   /* 0 unless a bit field */
  uint32_t bit_offset; /* bit fields: from the start of the struct (DWARF 4's
                        * DW_AT_data_bit_offset; the older form converted) */
} dwarf_member;

typedef struct {
  const char *name;
  int64_t value;
} dwarf_enumerator;

typedef struct {
  dwarf_type_kind kind;
  const char *name;     /* NULL when it has none */
  uint64_t size;        /* bytes (DW_AT_byte_size); 0 when not given */
  uint32_t encoding;    /* DW_ATE_* of a base type */
  int32_t target;       /* index into types, or -1 (void) */
  bool declaration;     /* struct/union/enum declared but not defined here */
  uint32_t nmembers;    /* struct, union */
  dwarf_member *members;
  uint32_t nenumerators; /* enum */
  dwarf_enumerator *enumerators;
  uint32_t ncounts;     /* array: one count per dimension, outermost first; */
  int64_t *counts;      /*   -1 when unknown (a flexible array) */
  uint32_t nparams;     /* function: parameter types */
  int32_t *params;
  bool variadic;        /* function: has DW_TAG_unspecified_parameters */
} dwarf_type;

/* Where a variable is. The Wasm forms are DW_OP_WASM_location (0xED)'s:
 * kind 0 = local, 1 = global, 2 = operand stack, 3 = global (32-bit
 * relocation form of 1). */
typedef enum {
  DWARF_LOC_NONE,        /* no location (optimised out) */
  DWARF_LOC_LOCAL,       /* the value is Wasm local `index` (any trailing
                          * DW_OP_stack_value is implied) */
  DWARF_LOC_GLOBAL,      /* the value is Wasm global `index` */
  DWARF_LOC_FRAME,       /* in linear memory at frame base + offset
                          * (DW_OP_fbreg offset) */
  DWARF_LOC_ADDR,        /* in linear memory at address `offset`
                          * (DW_OP_addr, DW_OP_addrx) */
  DWARF_LOC_CONST,       /* the value is `offset` (DW_OP_constu/consts,
                          * DW_OP_litN ... DW_OP_stack_value, or a
                          * constant DW_AT_const_value: its bits, e.g. a
                          * double's) */
  DWARF_LOC_UNSUPPORTED, /* any other expression (operand stack, pieces,
                          * computed values): described, not placed */
} dwarf_loc_kind;

typedef struct {
  dwarf_loc_kind kind;
  uint32_t index; /* LOCAL, GLOBAL */
  int64_t offset; /* FRAME, ADDR, CONST */
} dwarf_loc;

/* A location list entry: in [lo, hi) (code addresses) the variable is at
 * loc. Entries in dead code (tombstone addresses) and empty ones are
 * dropped; a DWARF 5 default location counts only when it is the whole
 * list (it then becomes dwarf_var.loc). */
typedef struct {
  uint32_t lo, hi;
  dwarf_loc loc;
} dwarf_loc_range;

typedef struct {
  const char *name;
  int32_t type;       /* index into types, or -1 */
  uint32_t decl_file; /* index into files, or UINT32_MAX */
  uint32_t decl_line;
  bool is_param;      /* DW_TAG_formal_parameter; params come first, in order */
  /* Either one location for the whole function (nranges == 0), or a
   * location list (nranges > 0; loc.kind is then DWARF_LOC_NONE). */
  dwarf_loc loc;
  uint32_t nranges;
  dwarf_loc_range *ranges;
} dwarf_var;

typedef struct dwarf_func {
  uint32_t lo, hi;          /* code addresses: [low_pc, high_pc) */
  const char *name;         /* DW_AT_name (may be NULL) */
  const char *linkage_name; /* DW_AT_linkage_name (may be NULL) */
  uint32_t decl_file;       /* index into files, or UINT32_MAX */
  uint32_t decl_line;
  int32_t ret_type;         /* index into types, or -1 (void) */
  bool external;            /* DW_AT_external */
  /* The frame base: DWARF_LOC_LOCAL or DWARF_LOC_GLOBAL (clang's
   * DW_OP_WASM_location 0/1/3 N, DW_OP_stack_value), else
   * DWARF_LOC_NONE/UNSUPPORTED. */
  dwarf_loc frame_base;
  uint32_t cu;              /* index into dwarf_info.cus */
  uint32_t nvars;
  dwarf_var *vars;
} dwarf_func;

typedef struct {
  const char *name;     /* DW_AT_name, or "" */
  const char *comp_dir; /* DW_AT_comp_dir, or "" */
  const char *producer; /* DW_AT_producer, or "" */
  uint32_t language;    /* DW_LANG_* */
} dwarf_cu;

typedef struct dwarf_info {
  wasm_arena arena; /* owns everything below */
  uint32_t ncus;
  dwarf_cu *cus;
  uint32_t nfiles;  /* the files of every line table, duplicates merged */
  dwarf_file *files;
  uint32_t nrows;   /* every line table's rows, sorted by addr (stable,
                     * but at one address the rows of a sequence ending
                     * there come before those of one starting there) */
  dwarf_row *rows;
  uint32_t nfuncs;  /* sorted by lo; dropped: those with lo == hi, and
                     * dead code the linker left in: low_pc 0xffffffff or
                     * 0xfffffffe (tombstones), or 0 (older linkers; no
                     * body starts there). Line sequences starting there
                     * are dropped too. */
  dwarf_func *funcs;
  uint32_t ntypes;
  dwarf_type *types;
} dwarf_info;

/* Read the module's DWARF custom sections. Returns NULL when the module
 * has no .debug_info (err_msg[0] == 0), or when a section is malformed:
 * then err_msg says which section and byte offset within it, and why
 * ("`.debug_info`+0x1234: unknown form 0x99"). */
dwarf_info *dwarf_read(const struct wasm_module *m, char *err_msg,
                       size_t err_size);
void dwarf_free(dwarf_info *d);

/* The function whose [lo, hi) holds addr, or NULL. */
const dwarf_func *dwarf_func_at(const dwarf_info *d, uint32_t addr);

/* The row in effect at addr: the last row with row.addr <= addr that is
 * not an end of sequence, provided no end of sequence lies between it and
 * addr; else NULL. */
const dwarf_row *dwarf_row_at(const dwarf_info *d, uint32_t addr);

#endif

/* wat_internal.h: what the files of the text reader share: the S-expression
 * tree the lexer's tokens are grouped into (wat_sexpr.c), a growable byte
 * buffer with LEB128 writers (wat_buf.c), and the state of one module being
 * converted to the binary format (wat_module.c fills it, wat_instr.c
 * encodes instructions with it).
 *
 * Not a public header: wat.h is the reader's API.
 */
#ifndef WASMC_WAT_INTERNAL_H
#define WASMC_WAT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "wat_lex.h"

/* ---- S-expressions ------------------------------------------------------------ */

/* An atom (a token) or a list `( ... )`; a list's token is its `(`. */
typedef struct wat_node {
  wat_token tok;
  uint32_t n;             /* children of a list */
  struct wat_node *kids;
  uint32_t end;           /* a list: offset just past its `)` */
  uint32_t nannots;
  struct wat_annot *annots; /* interpreted annotations next to this node */
} wat_node;

/* An interpreted annotation (`@custom`, `@name`, `@metadata.code.branch_hint`),
 * kept beside the tree rather than in it, so that every consumer of the
 * tree sees the plain grammar: a node's annotations are those right before
 * it in its list (`(@name "f") (type 0)`, `(@metadata.code.branch_hint
 * "\01") if`), and for a list also those after its last child (trailing:
 * `(func $f (@name "g"))`). The encoder marks the ones it uses; any left
 * over are misplaced (wat_annot.c). */
typedef struct wat_annot {
  wat_node body;          /* tok: the whole annotation (WAT_ANNOT, offset of
                             its `(`); kids: its contents after the id */
  const char *id;         /* "custom", "name", ... (not NUL-terminated) */
  uint32_t idlen;
  bool trailing;          /* after the last child of the list it belongs to */
  bool used;              /* consumed by the encoder */
} wat_annot;

/* Nesting deeper than this is refused (the encoders recurse on it). */
#define WAT_MAX_DEPTH 2000

/* The whole text as a list of top-level nodes (a pseudo-list whose token
 * offset is 0), with the interpreted annotations attached (wat_annot).
 * false + err on a lexical error or unbalanced parentheses. */
bool wat_sexpr_parse(const char *src, size_t size, wasm_arena *arena,
                     wat_node *root, wasm_error *err);

static inline bool wat_is_list(const wat_node *n) { return n->tok.kind == WAT_LPAR; }
/* Is n an atom with this exact text (a keyword)? */
bool wat_is_kw(const wat_node *n, const char *kw);
/* Is n a list whose first element is the keyword kw? */
bool wat_is_form(const wat_node *n, const char *kw);

/* ---- byte buffers ------------------------------------------------------------- */

typedef struct {
  uint8_t *p;
  size_t n, cap;
  bool oom; /* an allocation failed; the contents are incomplete */
} wat_buf;

void wat_buf_byte(wat_buf *b, uint8_t v);
void wat_buf_bytes(wat_buf *b, const void *p, size_t n);
void wat_buf_u32(wat_buf *b, uint32_t v);
void wat_buf_u64(wat_buf *b, uint64_t v);
void wat_buf_s32(wat_buf *b, int32_t v);
void wat_buf_s64(wat_buf *b, int64_t v);
/* A name or string: u32 length, then the bytes. */
void wat_buf_name(wat_buf *b, const void *p, size_t n);
void wat_buf_free(wat_buf *b);

/* ---- names -------------------------------------------------------------------- */

/* One index space's symbolic names: name -> index (open addressing). */
typedef struct {
  const char *name;
  uint32_t len, index;
} wat_binding;

typedef struct {
  wat_binding *slots;
  uint32_t cap, used;
  uint32_t count; /* entries of the index space so far, named or not */
} wat_space;

/* ---- the module being converted --------------------------------------------- */

enum { WAT_TYPE_FUNC = 0x60, WAT_TYPE_STRUCT = 0x5F, WAT_TYPE_ARRAY = 0x5E };

typedef struct {
  uint8_t kind;      /* WAT_TYPE_* (0 until encoded) */
  bool plain;        /* final, no supertypes, alone in its rec group */
  uint8_t *sig;      /* func types: vec(params) vec(results), as encoded */
  uint32_t siglen;
  uint32_t nparams, nresults;
  wat_space fields;  /* struct field names */
} wat_type;

/* One label of the label stack (name NULL when unnamed). */
typedef struct {
  const char *name;
  uint32_t len;
} wat_label;

/* A custom section from an @custom annotation: where it goes and its
 * contents (name, then the bytes). */
#define WAT_NSECTION_KINDS 13
#define WAT_CUSTOM_LAST (2 * WAT_NSECTION_KINDS + 1)
typedef struct {
  uint8_t slot;   /* 0 before first, 1+2k / 2+2k before / after kind k */
  wat_buf bytes;
} wat_custom;

typedef struct wat_mod {
  const char *src;    /* the text, for messages */
  size_t size;
  wasm_arena *arena;  /* the tree and decoded names */
  wasm_error *err;

  wat_space types, funcs, tables, memories, globals, tags, elems, datas;
  wat_type *typeinfo;        /* one per type index (explicit + implicit) */
  uint32_t ntypeinfo, typeinfo_cap;
  uint32_t ntype_entries;    /* entries (rec groups) of the type section */
  wat_buf typesec;           /* the type section's entries */

  /* per function */
  wat_space locals;
  wat_label *labels;
  uint32_t nlabels, labels_cap;
  bool uses_data_count;      /* memory.init / data.drop seen */

  /* memory address types (true = i64), one per memory, from pass 1: an
   * i32 memory's offsets must fit in 32 bits */
  bool *mem64;
  uint32_t nmem64, mem64_cap;

  /* annotations (wat_annot.c) */
  wat_custom *customs;
  uint32_t ncustoms, customs_cap;
  bool in_func;              /* encoding a function body: hints allowed */
  struct { const wat_node *node; uint8_t value; } *pending; /* hints taken,
                                not yet at their instruction */
  uint32_t npending, pending_cap;
  wat_buf fhints;            /* this function's hints */
  uint32_t nfhints;
  wat_buf hints;             /* the branch hint section's entries */
  uint32_t nhint_funcs;
  wat_buf module_name;       /* a name, when module_name.n */
  wat_buf func_names;        /* name map entries, by index */
  uint32_t nfunc_names;
} wat_mod;

/* Reports a malformed-text error at node n (its first token). */
bool wat_fail(wat_mod *m, const wat_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Name bindings; wat_bind fails on a duplicate ("duplicate KIND $x"). */
bool wat_bind(wat_mod *m, wat_space *sp, const wat_node *id, uint32_t index,
              const char *kind);
/* Index of a use: a nat, or an identifier bound in sp ("unknown KIND"). */
bool wat_index(wat_mod *m, wat_space *sp, const wat_node *n, const char *kind,
               uint32_t *out);
void wat_space_free(wat_space *sp);
/* The decoded name of an identifier token (into the arena when quoted). */
bool wat_id_name(wat_mod *m, const wat_node *id, const char **name, uint32_t *len);

/* Value types and heap types (wat_module.c): encodes the type at kids[*i]
 * (advancing *i); false + error when it is not one. */
bool wat_valtype(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                 wat_buf *out);
bool wat_heaptype(wat_mod *m, const wat_node *n, wat_buf *out);
/* A reference type (funcref, (ref null? ht)); *nullable and the heap type
 * encoding come back separately for ref.test/ref.cast/br_on_cast. */
bool wat_reftype(wat_mod *m, const wat_node *n, bool *nullable, wat_buf *ht);

/* A type use: `(type x)? (param ...)* (result ...)*` at kids[*i]; gives the
 * type index (an existing matching type, or a new one appended). names:
 * WAT_PARAMS_UNNAMED refuses `(param $x t)` (call_indirect, blocks),
 * WAT_PARAMS_NAMED accepts it (imports, tags), WAT_PARAMS_LOCALS also binds
 * the names as the function's locals. */
enum { WAT_PARAMS_UNNAMED, WAT_PARAMS_NAMED, WAT_PARAMS_LOCALS };
bool wat_typeuse(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                 int names, uint32_t *typeidx);
/* A block type at kids[*i]: appends its encoding (0x40, a value type or a
 * type index) to out. */
bool wat_blocktype(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                   wat_buf *out);

/* Instructions (wat_instr.c): kids[*i..n) of a list, plain and folded,
 * appended to out; stops at the end or at a keyword in `stops` (a
 * NULL-terminated list, e.g. "end", "else"), which it leaves unread. */
bool wat_instrs(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
                const char *const *stops, wat_buf *out);
/* A constant expression: instructions then `end`. */
bool wat_expr(wat_mod *m, const wat_node *kids, uint32_t n, uint32_t *i,
              wat_buf *out);

/* Annotations (wat_annot.c). */
/* The @custom annotations before node (trailing: at the end of list node),
 * collected into m->customs. */
bool wat_custom_annots(wat_mod *m, const wat_node *node, bool trailing);
/* The @name annotation at position pos of list (before kids[pos], or at
 * its end when pos == n): its name as a binary name (length + bytes)
 * appended to name, *found; what names the entity for "multiple ...". */
bool wat_name_annot(wat_mod *m, const wat_node *list, uint32_t pos, const char *what,
                    wat_buf *name, bool *found);
/* A branch hint before instruction n (keyword or folded list) is taken;
 * wat_hint_emit records it when n's opcode is written at body offset off. */
bool wat_hint_take(wat_mod *m, const wat_node *n);
void wat_hint_emit(wat_mod *m, const wat_node *n, size_t off);
/* Any annotation left unused in list's subtree is misplaced (module_level:
 * list holds module fields; in_func: inside a function). */
bool wat_annots_check(wat_mod *m, const wat_node *list, bool module_level, bool in_func);
/* Section id of section kind k (binary order); custom sections. */
uint8_t wat_section_kind_id(unsigned k);
void wat_customs_at(const wat_mod *m, unsigned slot, wat_buf *out);
void wat_custom_section(wat_buf *out, const char *name, const wat_buf *body);
void wat_annot_free(wat_mod *m);

#endif

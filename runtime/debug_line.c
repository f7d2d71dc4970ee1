/* debug_line.c: the source location of a code address, read from the
 * DWARF line table of the object the address is in.
 *
 * A trap's backtrace (backtrace.c) names each Wasm frame's function and
 * its address in the object; this file adds where that address is in
 * the source, FILE:LINE, as `addr2line -e OBJECT ADDR` would say it: an
 * executable built with `wasmc build -g` has a line table that maps its
 * code to the module's own C files and lines (a .wasm with DWARF) or to
 * MODULE.wasm:OFFSET, the Wasm byte offset as the line (one without).
 *
 * Nothing here runs until a backtrace's text is asked for
 * (wasmrt_trap_backtrace). Then dl_iterate_phdr finds the object that
 * contains the address; its file (the main program's through
 * /proc/self/exe) is mapped, its .debug_line programs (DWARF 2 to 5) are
 * run once into sorted sequences of rows, and the mapping is dropped:
 * the rows and the file names, copied, stay cached for the next frames
 * and traps. When any object is unloaded (glibc's dlpi_subs moves) the
 * cache is dropped, since an address may then belong to another file.
 * Objects without a usable table are cached as such.
 *
 * The file is input like any other: truncated, replaced since it was
 * loaded (its PT_LOAD headers must equal the loaded object's: a memfd
 * that `wasmc run` closed, whose /proc/self/fd/N now names another file,
 * does not match), malformed or hostile. Every read is bounds-checked,
 * every count limited by the bytes that would hold it, every allocation
 * may fail; the answer is then "no location", never a crash. Compressed
 * sections (SHF_COMPRESSED) count as absent. Only ELF64 little-endian,
 * which all of the runtime's targets are. */
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ---- bounded reads ------------------------------------------------------- */

/* A cursor that can only move within [p, end); once a read would leave
 * it, it is bad and every further read yields 0 / NULL. */
typedef struct {
  const uint8_t *p, *end;
  bool bad;
} rd;

static bool need(rd *r, uint64_t n) {
  if (r->bad || (uint64_t)(r->end - r->p) < n) {
    r->bad = true;
    r->p = r->end;
    return false;
  }
  return true;
}

static uint64_t get(rd *r, unsigned n) { /* little-endian, n <= 8 */
  if (!need(r, n)) return 0;
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++)
    v |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  return v;
}

static void skip(rd *r, uint64_t n) {
  if (need(r, n)) r->p += n;
}

/* Bits beyond 64 are dropped, as a too-long LEB128 can only come from
 * a broken file; what matters is that the cursor ends after it. */
static uint64_t uleb(rd *r) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    if (!need(r, 1)) return 0;
    uint8_t b = *r->p++;
    if (shift < 64) {
      v |= (uint64_t)(b & 0x7f) << shift;
      shift += 7;
    }
    if (!(b & 0x80)) return v;
  }
}

static int64_t sleb(rd *r) {
  uint64_t v = 0;
  unsigned shift = 0;
  uint8_t b;
  do {
    if (!need(r, 1)) return 0;
    b = *r->p++;
    if (shift < 64) {
      v |= (uint64_t)(b & 0x7f) << shift;
      shift += 7;
    }
  } while (b & 0x80);
  if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
  return (int64_t)v;
}

static const char *cstr(rd *r) {
  if (r->bad) return NULL;
  const uint8_t *z = memchr(r->p, 0, (size_t)(r->end - r->p));
  if (!z) {
    r->bad = true;
    r->p = r->end;
    return NULL;
  }
  const char *s = (const char *)r->p;
  r->p = z + 1;
  return s;
}

/* A section's bytes within the image; p == NULL when absent. */
typedef struct {
  const uint8_t *p;
  size_t n;
} span;

/* A string of a string section (DW_FORM_strp, DW_FORM_line_strp): the
 * offset must be inside and the string must end there. */
static const char *str_at(span s, uint64_t off) {
  if (!s.p || off >= s.n) return NULL;
  return memchr(s.p + off, 0, s.n - (size_t)off) ? (const char *)s.p + off : NULL;
}

static uint64_t le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}

/* ---- ELF ------------------------------------------------------------------ */

typedef struct {
  span line, line_str, str;
} sections;

/* Byte offsets of the ELF64 fields read here (elf.h's structs would
 * need an aligned, host-endian image). */
enum {
  EH_PHOFF = 32, EH_SHOFF = 40, EH_PHENTSIZE = 54, EH_PHNUM = 56,
  EH_SHENTSIZE = 58, EH_SHNUM = 60, EH_SHSTRNDX = 62, EH_SIZE = 64,
  SH_NAME = 0, SH_TYPE = 4, SH_FLAGS = 8, SH_OFFSET = 24, SH_SIZE = 32,
  SH_LINK = 40, SH_INFO = 44, SH_ENTSIZE_MIN = 64,
  PH_TYPE = 0, PH_FLAGS = 4, PH_OFFSET = 8, PH_VADDR = 16, PH_FILESZ = 32,
  PH_MEMSZ = 40, PH_ENTSIZE_MIN = 56,
};

static bool elf_header_ok(const uint8_t *img, size_t size) {
  return size >= EH_SIZE && memcmp(img, ELFMAG, SELFMAG) == 0 &&
         img[EI_CLASS] == ELFCLASS64 && img[EI_DATA] == ELFDATA2LSB;
}

/* The section header table: where, how many, of what size; the count
 * and the name table's index may be escaped into section 0 (ELF gABI). */
static bool elf_shdrs(const uint8_t *img, size_t size, uint64_t *off, uint64_t *num,
                      uint64_t *entsize, uint64_t *strndx) {
  *off = le(img + EH_SHOFF, 8);
  *entsize = le(img + EH_SHENTSIZE, 2);
  *num = le(img + EH_SHNUM, 2);
  *strndx = le(img + EH_SHSTRNDX, 2);
  if (!*off || *off >= size || *entsize < SH_ENTSIZE_MIN || size - *off < *entsize)
    return false;
  const uint8_t *s0 = img + *off;
  if (*num == 0) *num = le(s0 + SH_SIZE, 8);
  if (*strndx == SHN_XINDEX) *strndx = le(s0 + SH_LINK, 4);
  return *num <= (size - *off) / *entsize && *strndx < *num;
}

/* The program header count, which PN_XNUM escapes into section 0. */
static bool elf_phdrs(const uint8_t *img, size_t size, uint64_t *off, uint64_t *num,
                      uint64_t *entsize) {
  *off = le(img + EH_PHOFF, 8);
  *entsize = le(img + EH_PHENTSIZE, 2);
  *num = le(img + EH_PHNUM, 2);
  if (*num == PN_XNUM) {
    uint64_t so, sn, se, ss;
    if (!elf_shdrs(img, size, &so, &sn, &se, &ss)) return false;
    *num = le(img + so + SH_INFO, 4);
  }
  return *off && *off < size && *entsize >= PH_ENTSIZE_MIN &&
         *num <= (size - *off) / *entsize;
}

/* The three sections a line table needs, found by name (debug sections
 * are in no program header). Missing .debug_line: nothing to read. */
static bool elf_sections(const uint8_t *img, size_t size, sections *out) {
  memset(out, 0, sizeof *out);
  uint64_t off, num, entsize, strndx;
  if (!elf_header_ok(img, size) || !elf_shdrs(img, size, &off, &num, &entsize, &strndx))
    return false;
  const uint8_t *names = img + off + strndx * entsize;
  uint64_t no = le(names + SH_OFFSET, 8), nn = le(names + SH_SIZE, 8);
  if (le(names + SH_TYPE, 4) == SHT_NOBITS || no > size || nn > size - no) return false;
  span shstr = {img + no, (size_t)nn};
  for (uint64_t i = 1; i < num; i++) {
    const uint8_t *sh = img + off + i * entsize;
    const char *name = str_at(shstr, le(sh + SH_NAME, 4));
    uint64_t so = le(sh + SH_OFFSET, 8), sz = le(sh + SH_SIZE, 8);
    if (!name || le(sh + SH_TYPE, 4) == SHT_NOBITS || (le(sh + SH_FLAGS, 8) & SHF_COMPRESSED) ||
        so > size || sz > size - so)
      continue;
    span s = {img + so, (size_t)sz};
    if (strcmp(name, ".debug_line") == 0) out->line = s;
    else if (strcmp(name, ".debug_line_str") == 0) out->line_str = s;
    else if (strcmp(name, ".debug_str") == 0) out->str = s;
  }
  return out->line.p != NULL;
}

/* ---- the line table ------------------------------------------------------- */

typedef struct {
  uint64_t addr;
  uint32_t line; /* 0: no line */
  uint32_t file; /* index into table.files */
} row;

/* One sequence: its rows are [first, first + n), by address; it covers
 * [lo, hi). maxhi: the greatest hi of this and every earlier sequence
 * (sorted by lo), which ends the search among overlapping ones. */
typedef struct {
  uint64_t lo, hi, maxhi;
  size_t first, n;
} seq;

#define NO_FILE UINT32_MAX
/* File names are copied into the pool (the mapping goes); a hostile
 * table could name one huge string a million times. */
#define POOL_MAX ((size_t)64 << 20)

typedef struct {
  row *rows;
  size_t nrows, caprows;
  seq *seqs;
  size_t nseqs, capseqs;
  uint32_t *files; /* offsets into pool, NO_FILE when unknown */
  size_t nfiles, capfiles;
  char *pool;
  size_t npool, cappool;
} table;

static void table_free(table *t) {
  free(t->rows);
  free(t->seqs);
  free(t->files);
  free(t->pool);
  memset(t, 0, sizeof *t);
}

/* The array p (capacity *cap, n in use) with room for `extra` more
 * elements: p itself, or its larger copy, or NULL (p untouched) when out
 * of memory or the size would overflow. */
static void *grown(void *p, size_t *cap, size_t n, size_t extra, size_t elem) {
  if (n + extra < n) return NULL;
  if (p && n + extra <= *cap) return p;
  size_t c = *cap ? *cap : 64;
  while (c < n + extra) {
    if (c > SIZE_MAX / 2) return NULL;
    c *= 2;
  }
  if (c > SIZE_MAX / elem) return NULL;
  void *q = realloc(p, c * elem);
  if (q) *cap = c;
  return q;
}

/* A file entry's path into the pool: NAME, with DIR in front unless
 * NAME is absolute, and (DWARF 5) with COMP, the compilation directory
 * (directory 0), in front of a relative DIR: what addr2line prints.
 * Empty or unknown parts are left out. false only when out of memory. */
static bool add_file(table *t, const char *comp, const char *dir, const char *name) {
  uint32_t *files = grown(t->files, &t->capfiles, t->nfiles, 1, sizeof *files);
  if (!files) return false;
  t->files = files;
  uint32_t at = NO_FILE;
  if (name) {
    const char *part[3] = {comp, dir, name};
    size_t len[3] = {0, 0, strlen(name)}, first = 2, total = len[2] + 1;
    while (first > 0 && part[first][0] != '/' && part[first - 1] && part[first - 1][0]) {
      first--;
      len[first] = strlen(part[first]);
      total += len[first] + 1;
    }
    if (total <= POOL_MAX - t->npool) {
      char *pool = grown(t->pool, &t->cappool, t->npool, total, 1);
      if (!pool) return false;
      t->pool = pool;
      char *s = pool + t->npool;
      for (size_t i = first; i < 3; i++) {
        memcpy(s, part[i], len[i]);
        s += len[i];
        *s++ = i < 2 ? '/' : '\0';
      }
      at = (uint32_t)t->npool;
      t->npool += total;
    }
  }
  t->files[t->nfiles++] = at;
  return true;
}

/* The state of one line-number program while it runs (DWARF 5 6.2.2). */
typedef struct {
  uint64_t addr, op_index, file, line;
  size_t seq_first;  /* this sequence's first row */
  bool seq_ok;       /* its addresses have not gone backwards */
  unsigned first;    /* the unit's first file number: 0 (DWARF 5) or 1 (2-4) */
  size_t file_base;  /* where that file is in table.files */
  size_t nfiles;     /* the unit's files, define_file included */
} machine;

/* A row of the matrix. Rows are kept only where the location changes,
 * and of rows at one address the last (as binutils' addr2line and
 * llvm-symbolizer choose), so that a lookup is one binary search. */
static bool emit(table *t, machine *m) {
  if (!m->seq_ok) return true;
  uint32_t line = m->line <= UINT32_MAX ? (uint32_t)m->line : 0;
  uint32_t file = NO_FILE;
  if (m->file >= m->first && m->file - m->first < m->nfiles &&
      m->file_base + (m->file - m->first) < NO_FILE)
    file = (uint32_t)(m->file_base + (m->file - m->first));
  if (t->nrows > m->seq_first) {
    row *last = &t->rows[t->nrows - 1];
    if (m->addr < last->addr) {
      m->seq_ok = false; /* dropped at its end_sequence */
      return true;
    }
    if (m->addr == last->addr) {
      last->line = line;
      last->file = file;
      return true;
    }
    if (last->line == line && last->file == file) return true;
  }
  row *rows = grown(t->rows, &t->caprows, t->nrows, 1, sizeof *rows);
  if (!rows) return false;
  t->rows = rows;
  t->rows[t->nrows++] = (row){m->addr, line, file};
  return true;
}

/* A sequence is kept only when its rows went forward and it covers
 * some bytes; otherwise (broken, or a tombstoned dead function) its rows
 * are dropped rather than let a lookup land in them. */
static bool end_sequence(table *t, machine *m) {
  size_t n = t->nrows - m->seq_first;
  if (m->seq_ok && n > 0 && t->rows[t->nrows - 1].addr <= m->addr &&
      t->rows[m->seq_first].addr < m->addr) {
    seq *seqs = grown(t->seqs, &t->capseqs, t->nseqs, 1, sizeof *seqs);
    if (!seqs) return false;
    t->seqs = seqs;
    t->seqs[t->nseqs++] = (seq){t->rows[m->seq_first].addr, m->addr, 0, m->seq_first, n};
  } else {
    t->nrows = m->seq_first;
  }
  return true;
}

/* DWARF constants (dwarf.h is not everywhere). */
enum {
  LNS_copy = 1, LNS_advance_pc, LNS_advance_line, LNS_set_file, LNS_set_column,
  LNS_negate_stmt, LNS_set_basic_block, LNS_const_add_pc, LNS_fixed_advance_pc,
  LNS_set_prologue_end, LNS_set_epilogue_begin, LNS_set_isa,
  LNE_end_sequence = 1, LNE_set_address, LNE_define_file, LNE_set_discriminator,
  LNCT_path = 1, LNCT_directory_index = 2,
  FORM_block2 = 0x03, FORM_block4 = 0x04, FORM_data2 = 0x05, FORM_data4 = 0x06,
  FORM_data8 = 0x07, FORM_string = 0x08, FORM_block = 0x09, FORM_block1 = 0x0a,
  FORM_data1 = 0x0b, FORM_flag = 0x0c, FORM_sdata = 0x0d, FORM_strp = 0x0e,
  FORM_udata = 0x0f, FORM_data16 = 0x1e, FORM_line_strp = 0x1f,
};

/* The header fields a program needs. */
typedef struct {
  unsigned version, offsz;
  uint8_t min_inst, max_ops, opcode_base, line_range;
  int8_t line_base;
  const uint8_t *std_lengths; /* opcode_base - 1 of them */
} header;

/* One attribute of a DWARF 5 directory or file entry: a string (path)
 * or a number (directory index); anything else is skipped. false when
 * the form is one this reader cannot size (the unit is then dropped). */
static bool read_form(rd *r, const sections *s, const header *h, uint64_t form,
                      const char **str, uint64_t *num) {
  *str = NULL;
  *num = 0;
  switch (form) {
  case FORM_string: *str = cstr(r); return !r->bad;
  case FORM_line_strp: *str = str_at(s->line_str, get(r, h->offsz)); return !r->bad;
  case FORM_strp: *str = str_at(s->str, get(r, h->offsz)); return !r->bad;
  case FORM_udata: *num = uleb(r); return !r->bad;
  case FORM_sdata: sleb(r); return !r->bad;
  case FORM_data1: case FORM_flag: *num = get(r, 1); return !r->bad;
  case FORM_data2: *num = get(r, 2); return !r->bad;
  case FORM_data4: *num = get(r, 4); return !r->bad;
  case FORM_data8: *num = get(r, 8); return !r->bad;
  case FORM_data16: skip(r, 16); return !r->bad;
  case FORM_block: skip(r, uleb(r)); return !r->bad;
  case FORM_block1: skip(r, get(r, 1)); return !r->bad;
  case FORM_block2: skip(r, get(r, 2)); return !r->bad;
  case FORM_block4: skip(r, get(r, 4)); return !r->bad;
  default: return false; /* strx needs .debug_info's str_offsets_base */
  }
}

/* A DWARF 5 entry format: (content type, form) pairs. */
typedef struct {
  uint64_t type, form;
} fmt_pair;
enum { MAX_FORMAT = 32 };

static bool read_format(rd *r, fmt_pair *f, unsigned *n) {
  *n = (unsigned)get(r, 1);
  if (*n > MAX_FORMAT) return false;
  for (unsigned i = 0; i < *n; i++) {
    f[i].type = uleb(r);
    f[i].form = uleb(r);
  }
  return !r->bad;
}

/* The count of entries that follow, each at least a byte long when the
 * format has an attribute: no count can ask for more than the bytes. */
static bool entry_count(rd *r, unsigned nfmt, uint64_t *count) {
  *count = uleb(r);
  if (r->bad) return false;
  if (nfmt == 0) return *count == 0;
  return *count <= (uint64_t)(r->end - r->p);
}

/* The directory and file tables of a unit (DWARF 2-4: strings; 5: entry
 * formats) into table.files. 0: malformed, -1: out of memory. */
static int read_tables(rd *r, const sections *s, const header *h, table *t, machine *m) {
  const char **dirs = NULL;
  uint64_t ndirs = 0;
  int ok = 0;
  m->file_base = t->nfiles;
  if (h->version >= 5) {
    fmt_pair f[MAX_FORMAT];
    unsigned nf;
    if (!read_format(r, f, &nf) || !entry_count(r, nf, &ndirs)) goto out;
    if (ndirs && !(dirs = calloc((size_t)ndirs, sizeof *dirs))) goto oom;
    for (uint64_t i = 0; i < ndirs; i++)
      for (unsigned k = 0; k < nf; k++) {
        const char *str;
        uint64_t num;
        if (!read_form(r, s, h, f[k].form, &str, &num)) goto out;
        if (f[k].type == LNCT_path) dirs[i] = str;
      }
    uint64_t nfiles;
    if (!read_format(r, f, &nf) || !entry_count(r, nf, &nfiles)) goto out;
    for (uint64_t i = 0; i < nfiles; i++) {
      const char *name = NULL;
      uint64_t dir = 0;
      for (unsigned k = 0; k < nf; k++) {
        const char *str;
        uint64_t num;
        if (!read_form(r, s, h, f[k].form, &str, &num)) goto out;
        if (f[k].type == LNCT_path) name = str;
        else if (f[k].type == LNCT_directory_index) dir = num;
      }
      if (!add_file(t, dir > 0 && ndirs ? dirs[0] : NULL, dir < ndirs ? dirs[dir] : NULL,
                    name))
        goto oom;
    }
  } else {
    /* include_directories: strings up to an empty one; the index of the
     * first is 1 (0 is the compilation directory, in .debug_info). */
    rd scan = *r;
    const char *d;
    while ((d = cstr(&scan)) && d[0]) ndirs++;
    if (scan.bad) goto out;
    if (ndirs && !(dirs = calloc((size_t)ndirs, sizeof *dirs))) goto oom;
    for (uint64_t i = 0; i < ndirs; i++)
      dirs[i] = cstr(r);
    cstr(r);
    const char *name;
    while ((name = cstr(r)) && name[0]) {
      uint64_t dir = uleb(r);
      uleb(r), uleb(r); /* mtime, length */
      if (r->bad) goto out;
      /* relative directories are relative to DW_AT_comp_dir, which is
       * in .debug_info: left out */
      if (!add_file(t, NULL, dir >= 1 && dir <= ndirs ? dirs[dir - 1] : NULL, name))
        goto oom;
    }
    if (r->bad) goto out;
  }
  m->nfiles = t->nfiles - m->file_base;
  m->first = h->version >= 5 ? 0 : 1;
  ok = 1;
  goto out;
oom:
  ok = -1;
out:
  free(dirs);
  return ok;
}

/* Address arithmetic wraps (uint64_t): a hostile advance cannot trap,
 * and a sequence it sends backwards is dropped (emit). */
static void advance(machine *m, const header *h, uint64_t adv) {
  if (h->max_ops == 1) {
    m->addr += h->min_inst * adv;
  } else {
    m->addr += h->min_inst * ((m->op_index + adv) / h->max_ops);
    m->op_index = (m->op_index + adv) % h->max_ops;
  }
}

/* The registers at the start of every sequence (DWARF 5 6.2.2, table
 * 6.4); is_stmt, column and the like are not needed for a location. */
static void reset(machine *m, const table *t) {
  m->addr = m->op_index = 0;
  m->file = 1;
  m->line = 1;
  m->seq_first = t->nrows;
  m->seq_ok = true;
}

/* Runs one unit's program (DWARF 5 6.2.5); its rows go into t. false
 * only when out of memory. */
static bool run_program(rd *r, const header *h, table *t, machine *m) {
  reset(m, t);
  while (r->p < r->end && !r->bad) {
    uint8_t op = *r->p++;
    if (op >= h->opcode_base) {
      unsigned adj = op - h->opcode_base;
      advance(m, h, adj / h->line_range);
      m->line += (uint64_t)(int64_t)(h->line_base + (int)(adj % h->line_range));
      if (!emit(t, m)) return false;
    } else if (op == 0) {
      uint64_t len = uleb(r);
      if (!need(r, len)) break;
      rd x = {r->p, r->p + len, false};
      r->p += len;
      switch (get(&x, 1)) {
      case LNE_end_sequence:
        if (!end_sequence(t, m)) return false;
        reset(m, t);
        break;
      case LNE_set_address:
        if (len >= 2 && len <= 9) m->addr = get(&x, (unsigned)len - 1);
        else m->seq_ok = false;
        m->op_index = 0;
        break;
      case LNE_define_file: {
        const char *name = cstr(&x);
        uleb(&x); /* the directory: DWARF 2-4 only, relative to nothing we kept */
        if (h->version < 5 && name && !x.bad && m->file_base + m->nfiles == t->nfiles) {
          if (!add_file(t, NULL, NULL, name)) return false;
          m->nfiles++;
        }
        break;
      }
      default: break; /* set_discriminator, vendor extensions */
      }
    } else {
      switch (op) {
      case LNS_copy:
        if (!emit(t, m)) return false;
        break;
      case LNS_advance_pc: advance(m, h, uleb(r)); break;
      case LNS_advance_line: m->line += (uint64_t)sleb(r); break;
      case LNS_set_file: m->file = uleb(r); break;
      case LNS_const_add_pc: advance(m, h, (255u - h->opcode_base) / h->line_range); break;
      case LNS_fixed_advance_pc:
        m->addr += get(r, 2);
        m->op_index = 0;
        break;
      case LNS_negate_stmt: case LNS_set_basic_block: case LNS_set_prologue_end:
      case LNS_set_epilogue_begin:
        break;
      case LNS_set_column: case LNS_set_isa: uleb(r); break;
      default: /* an opcode of a later version: its operands are ULEB128s */
        for (unsigned i = 0; i < h->std_lengths[op - 1]; i++)
          uleb(r);
        break;
      }
    }
  }
  /* A sequence the unit does not end is dropped. */
  t->nrows = m->seq_first;
  return true;
}

/* One unit: header, tables, program. *next: the next unit, NULL when
 * the units can no longer be followed. false only when out of memory. */
static bool parse_unit(const sections *s, const uint8_t *at, table *t, const uint8_t **next) {
  const span sec = s->line;
  rd r = {at, sec.p + sec.n, false};
  *next = NULL;
  header h = {.offsz = 4};
  uint64_t len = get(&r, 4);
  if (len == 0xffffffff) {
    h.offsz = 8;
    len = get(&r, 8);
  } else if (len >= 0xfffffff0) {
    return true;
  }
  if (!need(&r, len)) return true;
  const uint8_t *end = r.p + len;
  *next = end;
  r.end = end;
  h.version = (unsigned)get(&r, 2);
  if (h.version < 2 || h.version > 5) return true;
  if (h.version >= 5) {
    get(&r, 1); /* address_size: DW_LNE_set_address says it again */
    get(&r, 1); /* segment_selector_size */
  }
  uint64_t hlen = get(&r, h.offsz);
  if (!need(&r, hlen)) return true;
  rd prog = {r.p + hlen, end, false};
  r.end = r.p + hlen;
  h.min_inst = (uint8_t)get(&r, 1);
  h.max_ops = h.version >= 4 ? (uint8_t)get(&r, 1) : 1;
  get(&r, 1); /* default_is_stmt */
  h.line_base = (int8_t)get(&r, 1);
  h.line_range = (uint8_t)get(&r, 1);
  h.opcode_base = (uint8_t)get(&r, 1);
  h.std_lengths = r.p;
  if (r.bad || h.max_ops == 0 || h.line_range == 0 || h.opcode_base == 0 ||
      !need(&r, h.opcode_base - 1u))
    return true;
  r.p += h.opcode_base - 1u;
  machine m = {0};
  size_t files_before = t->nfiles, pool_before = t->npool;
  int tables = read_tables(&r, s, &h, t, &m);
  if (tables < 0) return false;
  if (tables == 0) {
    t->nfiles = files_before;
    t->npool = pool_before;
    return true;
  }
  return run_program(&prog, &h, t, &m);
}

/* By start, so that a lookup is a binary search (then the longer
 * first, which table_find's backward walk does not depend on). */
static int cmp_seq(const void *a, const void *b) {
  const seq *x = a, *y = b;
  if (x->lo != y->lo) return x->lo < y->lo ? -1 : 1;
  return (x->hi > y->hi) - (x->hi < y->hi);
}

/* Every unit of .debug_line into t, sequences sorted. false only when
 * out of memory (t is then freed). */
static bool parse_lines(const sections *s, table *t) {
  const uint8_t *at = s->line.p, *end = s->line.p + s->line.n;
  while (at && at < end) {
    const uint8_t *next;
    if (!parse_unit(s, at, t, &next)) {
      table_free(t);
      return false;
    }
    at = next;
  }
  if (t->nseqs) qsort(t->seqs, t->nseqs, sizeof *t->seqs, cmp_seq);
  uint64_t maxhi = 0;
  for (size_t i = 0; i < t->nseqs; i++) {
    if (t->seqs[i].hi > maxhi) maxhi = t->seqs[i].hi;
    t->seqs[i].maxhi = maxhi;
  }
  return true;
}

/* The row for addr: the last at or before it in the sequence that
 * covers it (of overlapping sequences, the one starting nearest). */
static const row *table_find(const table *t, uint64_t addr) {
  size_t lo = 0, hi = t->nseqs;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t->seqs[mid].lo <= addr) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i-- > 0;) {
    const seq *q = &t->seqs[i];
    if (q->maxhi <= addr) break;
    if (addr >= q->hi) continue;
    size_t a = q->first, b = q->first + q->n; /* rows[a].addr <= addr */
    while (b - a > 1) {
      size_t mid = a + (b - a) / 2;
      if (t->rows[mid].addr <= addr) a = mid;
      else b = mid;
    }
    return &t->rows[a];
  }
  return NULL;
}

/* FILE:LINE into out, the file cut at the left ("...") when it does not
 * fit: the end of a path says the most. */
static bool format_row(const table *t, const row *w, char *out, size_t n) {
  if (!w || w->line == 0 || w->file == NO_FILE || w->file >= t->nfiles ||
      t->files[w->file] == NO_FILE)
    return false;
  const char *file = t->pool + t->files[w->file];
  char num[16];
  size_t nl = (size_t)snprintf(num, sizeof num, ":%u", (unsigned)w->line);
  size_t fl = strlen(file);
  if (n < nl + 5) return false;
  size_t room = n - 1 - nl;
  if (fl > room) {
    memcpy(out, "...", 3);
    memcpy(out + 3, file + fl - (room - 3), room - 3);
    fl = room;
  } else {
    memcpy(out, file, fl);
  }
  memcpy(out + fl, num, nl + 1);
  return true;
}

/* The whole reader on bytes in memory, for the unit test's hand-made
 * and broken images. */
bool rt_debug_line_image(const void *img, size_t size, uint64_t addr, char *out, size_t n) {
  sections s;
  table t = {0};
  bool ok = elf_sections(img, size, &s) && parse_lines(&s, &t) &&
            format_row(&t, table_find(&t, addr), out, n);
  table_free(&t);
  return ok;
}

/* ---- the loaded objects --------------------------------------------------- */

enum { MAX_LOADS = 16 };
typedef struct {
  uint32_t flags;
  uint64_t offset, vaddr, filesz, memsz;
} load;

/* What dl_iterate_phdr says of the object containing pc. */
typedef struct {
  uintptr_t pc;
  bool found;
  uintptr_t bias;
  char name[4096];
  unsigned nloads; /* may exceed MAX_LOADS: only the first are kept */
  load loads[MAX_LOADS];
  bool have_subs;
  unsigned long long subs;
} probe;

static int probe_cb(struct dl_phdr_info *info, size_t size, void *arg) {
  probe *q = arg;
  if (size >= offsetof(struct dl_phdr_info, dlpi_subs) + sizeof info->dlpi_subs) {
    q->have_subs = true;
    q->subs = info->dlpi_subs;
  }
  bool hit = false;
  for (unsigned i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && q->pc - (info->dlpi_addr + ph->p_vaddr) < ph->p_memsz)
      hit = true;
  }
  if (!hit) return 0;
  const char *name = info->dlpi_name ? info->dlpi_name : "";
  if (strlen(name) >= sizeof q->name) return 1; /* found, but not openable */
  q->found = true;
  q->bias = info->dlpi_addr;
  strcpy(q->name, name);
  for (unsigned i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD) continue;
    if (q->nloads < MAX_LOADS)
      q->loads[q->nloads] = (load){ph->p_flags, ph->p_offset, ph->p_vaddr, ph->p_filesz,
                                   ph->p_memsz};
    q->nloads++;
  }
  return 1;
}

/* Under the loader's lock (dl_iterate_phdr), never ours: copies what
 * the lookup needs, since the object may be unloaded right after. */
static bool probe_pc(probe *q, uintptr_t pc) {
  q->pc = pc;
  q->found = q->have_subs = false;
  q->bias = 0;
  q->name[0] = '\0';
  q->nloads = 0;
  q->subs = 0;
  dl_iterate_phdr(probe_cb, q);
  return q->found;
}

/* The bias, not dladdr's dli_fbase: the two differ for an object whose
 * first segment is not at address 0, and only the bias gives the
 * addresses of its line table and of addr2line. */
bool rt_debug_object_of(uintptr_t pc, uintptr_t *bias) {
  probe q;
  if (!probe_pc(&q, pc)) return false;
  *bias = q.bias;
  return true;
}

/* Whether the file is the object that was loaded: same PT_LOAD headers. */
static bool same_loads(const uint8_t *img, size_t size, const probe *q) {
  uint64_t off, num, entsize;
  if (!elf_header_ok(img, size) || !elf_phdrs(img, size, &off, &num, &entsize)) return false;
  unsigned k = 0;
  for (uint64_t i = 0; i < num; i++) {
    const uint8_t *ph = img + off + i * entsize;
    if (le(ph + PH_TYPE, 4) != PT_LOAD) continue;
    if (k < MAX_LOADS && k < q->nloads) {
      const load *l = &q->loads[k];
      if (le(ph + PH_FLAGS, 4) != l->flags || le(ph + PH_OFFSET, 8) != l->offset ||
          le(ph + PH_VADDR, 8) != l->vaddr || le(ph + PH_FILESZ, 8) != l->filesz ||
          le(ph + PH_MEMSZ, 8) != l->memsz)
        return false;
    }
    k++;
  }
  return k == q->nloads;
}

/* A loaded object's line table, or its absence (t empty). */
typedef struct object {
  struct object *next;
  uintptr_t bias;
  table t;
  char name[]; /* dlpi_name */
} object;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static object *cache;
static unsigned long long cache_subs;

/* The object's file, mapped for as long as its table takes to read. Not
 * opened unless it is a regular file (a FIFO would block, a device could
 * mind being opened). */
static void load_table(const probe *q, table *t) {
  const char *path = q->name[0] ? q->name : "/proc/self/exe";
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (uintmax_t)st.st_size <= SIZE_MAX) {
    size_t size = (size_t)st.st_size;
    void *img = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (img != MAP_FAILED) {
      sections s;
      if (same_loads(img, size, q) && elf_sections(img, size, &s)) parse_lines(&s, t);
      munmap(img, size);
    }
  }
  close(fd);
}

/* Objects are told apart by name and bias together, which no two loaded
 * objects share; an unload drops the whole cache (rt_debug_line_at), so
 * no entry outlives its object. */
static object *cached(const probe *q) {
  for (object *o = cache; o; o = o->next)
    if (o->bias == q->bias && strcmp(o->name, q->name) == 0) return o;
  size_t nl = strlen(q->name);
  object *o = calloc(1, sizeof *o + nl + 1);
  if (!o) return NULL;
  o->bias = q->bias;
  memcpy(o->name, q->name, nl + 1);
  load_table(q, &o->t);
  o->next = cache;
  cache = o;
  return o;
}

/* The whole lookup holds cache_lock: traps on several threads may print
 * their backtraces at once, and the first one reads the table. */
bool rt_debug_line_at(uintptr_t pc, uintptr_t bias, char *out, size_t n) {
  probe q;
  if (!probe_pc(&q, pc) || q.bias != bias) return false;
  pthread_mutex_lock(&cache_lock);
  if (q.have_subs && q.subs != cache_subs) {
    while (cache) {
      object *o = cache;
      cache = o->next;
      table_free(&o->t);
      free(o);
    }
    cache_subs = q.subs;
  }
  object *o = cached(&q);
  bool ok = o && format_row(&o->t, table_find(&o->t, (uint64_t)(pc - bias)), out, n);
  pthread_mutex_unlock(&cache_lock);
  return ok;
}

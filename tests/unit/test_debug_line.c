/* test_debug_line.c: the runtime's line-table reader (runtime/debug_line.c),
 * which puts FILE:LINE after each frame of a trap's backtrace.
 *
 * - This test binary's own DWARF: debug_line_prog.c compiled with
 *   -gdwarf-3 and -4 and this file with DWARF 5 (gcc; its -gdwarf-2
 *   makes version 3 line tables too), looked up
 *   through the loaded object (dl_iterate_phdr, /proc/self/exe) and
 *   through the file read into memory, from several threads at once.
 * - Hand-made ELF images with tables the compilers here do not write:
 *   every DWARF 5 entry form the reader takes, DWARF 2 define_file and
 *   fixed_advance_pc, the 64-bit format, rows at one address,
 *   overlapping sequences, addresses going backwards, a sequence without
 *   its end, units of unknown versions and forms between good ones.
 * - Broken and hostile input: those images truncated anywhere and with
 *   any byte changed, and this binary's tables with random bytes
 *   flipped, must give an answer or none, never a crash (which the ASan
 *   build, WASMC_SANITIZE, turns every out-of-bounds read into). */
#include <criterion/criterion.h>
#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debug_line_prog.h"
#include "internal.h"

/* ---- this binary's own tables --------------------------------------------- */

__attribute__((noinline)) static debug_line_spot here5(unsigned line) {
  debug_line_spot s = {(uintptr_t)__builtin_return_address(0) - 1, line};
  return s;
}

__attribute__((noinline)) static debug_line_spot debug_line_spot_dw5(void) {
  return here5(__LINE__);
}

typedef struct {
  const char *what, *file;
  debug_line_spot (*fn)(void);
} spot_case;

static const spot_case spots[] = {
    {"DWARF 3", "debug_line_prog.c", debug_line_spot_dw3},
    {"DWARF 4", "debug_line_prog.c", debug_line_spot_dw4},
    {"DWARF 5", "test_debug_line.c", debug_line_spot_dw5},
};

static bool ends_with(const char *s, const char *tail) {
  size_t n = strlen(s), k = strlen(tail);
  return n >= k && strcmp(s + n - k, tail) == 0;
}

static uint8_t *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  cr_assert(f, "cannot open %s", path);
  size_t cap = 1 << 20, n = 0;
  uint8_t *p = malloc(cap);
  cr_assert(p);
  size_t r;
  while ((r = fread(p + n, 1, cap - n, f)) > 0) {
    n += r;
    if (n == cap) {
      p = realloc(p, cap *= 2);
      cr_assert(p);
    }
  }
  fclose(f);
  *size = n;
  return p;
}

/* A section of an ELF64 image (this binary's), by name. */
static bool find_section(const uint8_t *img, size_t size, const char *want, size_t *off,
                         size_t *len, size_t *shdr_at) {
  Elf64_Ehdr eh;
  cr_assert(size >= sizeof eh);
  memcpy(&eh, img, sizeof eh);
  Elf64_Shdr names;
  memcpy(&names, img + eh.e_shoff + (size_t)eh.e_shstrndx * eh.e_shentsize, sizeof names);
  for (size_t i = 0; i < eh.e_shnum; i++) {
    Elf64_Shdr sh;
    memcpy(&sh, img + eh.e_shoff + i * eh.e_shentsize, sizeof sh);
    if (strcmp((const char *)img + names.sh_offset + sh.sh_name, want) == 0) {
      *off = sh.sh_offset;
      *len = sh.sh_size;
      if (shdr_at) *shdr_at = eh.e_shoff + i * eh.e_shentsize;
      return true;
    }
  }
  return false;
}

Test(debug_line, own_tables_have_every_version) {
  size_t size, off, len;
  uint8_t *img = slurp("/proc/self/exe", &size);
  cr_assert(find_section(img, size, ".debug_line", &off, &len, NULL),
            "this test must be built with -g");
  bool seen[6] = {false};
  for (size_t at = off; at + 6 <= off + len;) {
    uint32_t ulen;
    uint16_t v;
    memcpy(&ulen, img + at, 4);
    memcpy(&v, img + at + 4, 2);
    cr_assert(ulen < 0xfffffff0);
    if (v < 6) seen[v] = true;
    at += 4 + (size_t)ulen;
  }
  for (int v = 3; v <= 5; v++)
    cr_expect(seen[v], "no DWARF %d line table in the test binary", v);
  free(img);
}

Test(debug_line, own_tables) {
  size_t size;
  uint8_t *img = slurp("/proc/self/exe", &size);
  for (size_t k = 0; k < sizeof spots / sizeof *spots; k++) {
    debug_line_spot s = spots[k].fn();
    uintptr_t bias;
    cr_assert(rt_debug_object_of(s.pc, &bias));
    char out[512], want[64], mem[512];
    snprintf(want, sizeof want, "%s:%u", spots[k].file, s.line);
    cr_assert(rt_debug_line_at(s.pc, bias, out, sizeof out), "%s: no location",
              spots[k].what);
    cr_expect(ends_with(out, want), "%s: %s, expected ...%s", spots[k].what, out, want);
    /* gcc names the file by its absolute path, or by a name relative to
     * an absolute directory, which must have been put in front */
    cr_expect(out[0] == '/', "%s: %s has no directory", spots[k].what, out);
    cr_assert(rt_debug_line_image(img, size, s.pc - bias, mem, sizeof mem));
    cr_expect_str_eq(mem, out, "%s: from memory %s, loaded %s", spots[k].what, mem, out);
    /* a small buffer keeps the end of the path */
    char small[24];
    cr_assert(rt_debug_line_at(s.pc, bias, small, sizeof small));
    cr_expect(strncmp(small, "...", 3) == 0 && ends_with(out, small + 3) &&
                  strlen(small) == sizeof small - 1,
              "%s: %s", spots[k].what, small);
  }
  free(img);
}

Test(debug_line, no_object) {
  uintptr_t bias = 0;
  char out[64];
  int local = 0;
  cr_expect(!rt_debug_object_of(16, &bias));
  cr_expect(!rt_debug_line_at(16, 0, out, sizeof out));
  cr_expect(!rt_debug_object_of((uintptr_t)&local, &bias));
  /* the object is there, but not at that bias (unloaded and replaced) */
  debug_line_spot s = debug_line_spot_dw4();
  cr_assert(rt_debug_object_of(s.pc, &bias));
  cr_expect(!rt_debug_line_at(s.pc, bias + 4096, out, sizeof out));
}

static void *lookups(void *arg) {
  const char *want = arg;
  debug_line_spot s = debug_line_spot_dw3();
  uintptr_t bias;
  if (!rt_debug_object_of(s.pc, &bias)) return "no object";
  for (int i = 0; i < 200; i++) {
    char out[512];
    if (!rt_debug_line_at(s.pc, bias, out, sizeof out) || strcmp(out, want) != 0)
      return "wrong or no location";
  }
  return NULL;
}

Test(debug_line, threads) {
  debug_line_spot s = debug_line_spot_dw3();
  uintptr_t bias;
  char want[512];
  cr_assert(rt_debug_object_of(s.pc, &bias));
  cr_assert(rt_debug_line_at(s.pc, bias, want, sizeof want));
  pthread_t t[8];
  for (int i = 0; i < 8; i++)
    cr_assert(pthread_create(&t[i], NULL, lookups, want) == 0);
  for (int i = 0; i < 8; i++) {
    void *r;
    pthread_join(t[i], &r);
    cr_expect(r == NULL, "thread %d: %s", i, r ? (const char *)r : "");
  }
}

/* ---- hand-made images ------------------------------------------------------ */

typedef struct {
  uint8_t *p;
  size_t n, cap;
} buf;

static void bytes(buf *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    cr_assert(b->p);
  }
  if (n) memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void le(buf *b, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    uint8_t x = (uint8_t)(v >> (8 * i));
    bytes(b, &x, 1);
  }
}
static void u8(buf *b, uint64_t v) { le(b, v, 1); }
static void uleb(buf *b, uint64_t v) {
  do {
    uint8_t x = v & 0x7f;
    v >>= 7;
    if (v) x |= 0x80;
    bytes(b, &x, 1);
  } while (v);
}
static void sleb(buf *b, int64_t v) {
  bool more = true;
  while (more) {
    uint8_t x = v & 0x7f;
    v >>= 7;
    if ((v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40))) more = false;
    else x |= 0x80;
    bytes(b, &x, 1);
  }
}
static void str(buf *b, const char *s) { bytes(b, s, strlen(s) + 1); }
static size_t strtab(buf *b, const char *s) {
  size_t at = b->n;
  str(b, s);
  return at;
}

/* Line-number program pieces. */
static void set_address(buf *p, uint64_t a) { u8(p, 0), uleb(p, 9), u8(p, 2), le(p, a, 8); }
static void end_sequence(buf *p) { u8(p, 0), uleb(p, 1), u8(p, 1); }
static void advance_pc(buf *p, uint64_t n) { u8(p, 2), uleb(p, n); }
static void advance_line(buf *p, int64_t n) { u8(p, 3), sleb(p, n); }
static void set_file(buf *p, uint64_t f) { u8(p, 4), uleb(p, f); }
static void copy(buf *p) { u8(p, 1); }

static const uint8_t std_lengths[12] = {0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1};

/* A unit: unit_length, version, (v5: address and selector sizes),
 * header_length, then the header fields h and the program p. */
static void unit(buf *line, unsigned version, bool dwarf64, const buf *h, const buf *p) {
  buf u = {0};
  le(&u, version, 2);
  if (version >= 5) u8(&u, 8), u8(&u, 0);
  le(&u, h->n, dwarf64 ? 8 : 4);
  bytes(&u, h->p, h->n);
  bytes(&u, p->p, p->n);
  if (dwarf64) le(line, 0xffffffff, 4), le(line, u.n, 8);
  else le(line, u.n, 4);
  bytes(line, u.p, u.n);
  free(u.p);
}

/* The fixed header fields: min_inst, (v4+) max_ops, default_is_stmt,
 * line_base -5, line_range 14, opcode_base 13 and the lengths. */
static void fields(buf *h, unsigned version, unsigned min_inst) {
  u8(h, min_inst);
  if (version >= 4) u8(h, 1);
  u8(h, 1), u8(h, (uint8_t)-5), u8(h, 14), u8(h, 13);
  bytes(h, std_lengths, sizeof std_lengths);
}

enum {
  F_block = 0x09, F_data1 = 0x0b, F_data2 = 0x05, F_data4 = 0x06, F_data8 = 0x07,
  F_string = 0x08, F_strp = 0x0e, F_udata = 0x0f, F_data16 = 0x1e, F_line_strp = 0x1f,
  F_strx1 = 0x25,
};

typedef struct {
  buf line, line_str, str;
} tables;

/* DWARF 5, every form: directories by line_strp; files by string, with
 * a udata directory, an MD5 (data16), a data4 size, a block timestamp
 * and data1/2/8 vendor attributes. 0x1000: /src/inc/b.h:5 (a relative
 * directory is relative to directory 0), 0x1010: /src/a.c:7, 0x1030:
 * /abs/c.c:9, 0x1031-0x10ff: /abs/c.c:10. */
static void unit_v5_forms(tables *t) {
  buf h = {0}, p = {0};
  fields(&h, 5, 1);
  u8(&h, 1), uleb(&h, 1), uleb(&h, F_line_strp);
  uleb(&h, 2);
  le(&h, strtab(&t->line_str, "/src"), 4);
  le(&h, strtab(&t->line_str, "inc"), 4);
  u8(&h, 8);
  uint64_t fmt[8][2] = {{1, F_string}, {2, F_udata},   {5, F_data16}, {4, F_data4},
                        {3, F_block},  {0x2001, F_data1}, {0x2002, F_data2}, {0x2003, F_data8}};
  for (int i = 0; i < 8; i++)
    uleb(&h, fmt[i][0]), uleb(&h, fmt[i][1]);
  const char *names[3] = {"a.c", "b.h", "/abs/c.c"};
  unsigned dirs[3] = {0, 1, 1};
  uleb(&h, 3);
  for (int i = 0; i < 3; i++) {
    str(&h, names[i]);
    uleb(&h, dirs[i]);
    for (int k = 0; k < 16; k++) u8(&h, 0xa0 + k);
    le(&h, 1234, 4);
    uleb(&h, 2), u8(&h, 7), u8(&h, 8);
    u8(&h, 1), le(&h, 2, 2), le(&h, 3, 8);
  }
  set_address(&p, 0x1000);
  advance_line(&p, 4);
  copy(&p); /* file 1 (the default): /src/inc/b.h:5 */
  set_file(&p, 0);
  advance_pc(&p, 0x10);
  advance_line(&p, 2);
  copy(&p); /* /src/a.c:7 */
  set_file(&p, 2);
  advance_pc(&p, 0x20);
  advance_line(&p, 2);
  copy(&p);                  /* /abs/c.c:9 at 0x1030 */
  u8(&p, (1 + 5) + 14 * 1 + 13); /* special: address +1, line +1 */
  advance_pc(&p, 0x1100 - 0x1031);
  end_sequence(&p);
  unit(&t->line, 5, false, &h, &p);
  free(h.p), free(p.p);
}

/* DWARF 5 with .debug_str names (strp) and a data1 directory index,
 * relative directory 0: 0x1200-0x120f: comp/x.c:3. */
static void unit_v5_strp(tables *t) {
  buf h = {0}, p = {0};
  fields(&h, 5, 1);
  u8(&h, 1), uleb(&h, 1), uleb(&h, F_strp);
  uleb(&h, 1);
  le(&h, strtab(&t->str, "comp"), 4);
  u8(&h, 2), uleb(&h, 1), uleb(&h, F_strp), uleb(&h, 2), uleb(&h, F_data1);
  uleb(&h, 1);
  le(&h, strtab(&t->str, "x.c"), 4), u8(&h, 0);
  set_address(&p, 0x1200);
  set_file(&p, 0);
  advance_line(&p, 2);
  copy(&p);
  advance_pc(&p, 0x10);
  end_sequence(&p);
  unit(&t->line, 5, false, &h, &p);
  free(h.p), free(p.p);
}

/* Units the reader must pass over: DWARF 5 with a strx1 file name (it
 * cannot know .debug_str_offsets' base), and a version 6. Each claims
 * 0x1300. */
static void units_skipped(tables *t) {
  buf h = {0}, p = {0};
  fields(&h, 5, 1);
  u8(&h, 1), uleb(&h, 1), uleb(&h, F_string);
  uleb(&h, 1), str(&h, "/d");
  u8(&h, 1), uleb(&h, 1), uleb(&h, F_strx1);
  uleb(&h, 1), u8(&h, 0);
  set_address(&p, 0x1300);
  copy(&p);
  advance_pc(&p, 0x10);
  end_sequence(&p);
  unit(&t->line, 5, false, &h, &p);
  buf h6 = {0};
  fields(&h6, 6, 1);
  unit(&t->line, 6, false, &h6, &p);
  free(h.p), free(p.p), free(h6.p);
}

/* DWARF 2: opcode_base 10, min_inst 4, an include directory, a file
 * defined by the program (DW_LNE_define_file), fixed_advance_pc (not
 * scaled) and const_add_pc (scaled). 0x2000: d/x.c:10, 0x2010: d/x.c:11,
 * 0x2060-0x206f: y.c:16. */
static void unit_v2(tables *t) {
  buf h = {0}, p = {0};
  u8(&h, 4), u8(&h, 1), u8(&h, (uint8_t)-3), u8(&h, 12), u8(&h, 10);
  bytes(&h, std_lengths, 9);
  str(&h, "d"), str(&h, "");
  str(&h, "x.c"), uleb(&h, 1), uleb(&h, 0), uleb(&h, 0), str(&h, "");
  set_address(&p, 0x2000);
  advance_line(&p, 9);
  copy(&p);
  u8(&p, 9), le(&p, 0x10, 2); /* fixed_advance_pc 0x10 */
  advance_line(&p, 1);
  copy(&p);
  u8(&p, 8); /* const_add_pc: (255 - 10) / 12 = 20 instructions of 4 bytes */
  buf d = {0};
  u8(&d, 3), str(&d, "y.c"), uleb(&d, 0), uleb(&d, 0), uleb(&d, 0);
  u8(&p, 0), uleb(&p, d.n), bytes(&p, d.p, d.n);
  set_file(&p, 2);
  advance_line(&p, 5);
  copy(&p);
  advance_pc(&p, 4);
  end_sequence(&p);
  unit(&t->line, 2, false, &h, &p);
  free(h.p), free(p.p), free(d.p);
}

/* DWARF 3 in the 64-bit format; file 0 does not exist before DWARF 5.
 * 0x3000-0x3007: f.c:1, 0x3008-0x300f: nothing. */
static void unit_v3_64(tables *t) {
  buf h = {0}, p = {0};
  fields(&h, 3, 1);
  str(&h, "");
  str(&h, "f.c"), uleb(&h, 0), uleb(&h, 0), uleb(&h, 0), str(&h, "");
  set_address(&p, 0x3000);
  copy(&p);
  set_file(&p, 0);
  advance_pc(&p, 8);
  copy(&p);
  advance_pc(&p, 8);
  end_sequence(&p);
  unit(&t->line, 3, true, &h, &p);
  free(h.p), free(p.p);
}

/* DWARF 4: two rows at one address (the last counts), overlapping
 * sequences (the nearest start counts), a sequence whose addresses go
 * back (dropped) and one without an end (dropped). 0x4000-0x4007 and
 * 0x400c-0x400f: g.c:2, 0x4008-0x400b: g.c:100, 0x5000, 0x6000:
 * nothing. */
static void unit_v4(tables *t) {
  buf h = {0}, p = {0};
  fields(&h, 4, 1);
  str(&h, "");
  str(&h, "g.c"), uleb(&h, 0), uleb(&h, 0), uleb(&h, 0), str(&h, "");
  set_address(&p, 0x4000);
  copy(&p);
  advance_line(&p, 1);
  copy(&p);
  advance_pc(&p, 0x10);
  end_sequence(&p);
  set_address(&p, 0x4008);
  advance_line(&p, 99);
  copy(&p);
  advance_pc(&p, 4);
  end_sequence(&p);
  set_address(&p, 0x5000);
  copy(&p);
  set_address(&p, 0x4ff0);
  copy(&p);
  advance_pc(&p, 0x100);
  end_sequence(&p);
  set_address(&p, 0x6000);
  copy(&p);
  advance_pc(&p, 0x10);
  copy(&p);
  unit(&t->line, 4, false, &h, &p);
  free(h.p), free(p.p);
}

static void build_tables(tables *t) {
  memset(t, 0, sizeof *t);
  u8(&t->str, 0);
  u8(&t->line_str, 0);
  unit_v5_forms(t);
  units_skipped(t);
  unit_v5_strp(t);
  unit_v2(t);
  unit_v3_64(t);
  unit_v4(t);
}

/* An ELF64 relocatable image with the three sections (line_len of
 * .debug_line's bytes). */
static buf elf_image(const tables *t, size_t line_len) {
  static const char names[] = "\0.shstrtab\0.debug_line\0.debug_line_str\0.debug_str";
  buf e = {0};
  uint8_t eh[64] = {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT};
  bytes(&e, eh, sizeof eh);
  size_t at[4], len[4] = {sizeof names, line_len, t->line_str.n, t->str.n};
  const uint8_t *src[4] = {(const uint8_t *)names, t->line.p, t->line_str.p, t->str.p};
  for (int i = 0; i < 4; i++) {
    at[i] = e.n;
    bytes(&e, src[i], len[i]);
  }
  while (e.n % 8) u8(&e, 0);
  size_t shoff = e.n;
  uint8_t zero[64] = {0};
  bytes(&e, zero, sizeof zero);
  size_t name_at[4] = {1, 11, 23, 39};
  for (int i = 0; i < 4; i++) {
    le(&e, name_at[i], 4);
    le(&e, i == 0 ? SHT_STRTAB : SHT_PROGBITS, 4);
    le(&e, 0, 8), le(&e, 0, 8);
    le(&e, at[i], 8), le(&e, len[i], 8);
    le(&e, 0, 4), le(&e, 0, 4), le(&e, 1, 8), le(&e, 0, 8);
  }
  uint8_t *p = e.p;
  p[16] = ET_REL, p[18] = EM_X86_64, p[20] = EV_CURRENT;
  for (int i = 0; i < 8; i++) p[40 + i] = (uint8_t)(shoff >> (8 * i));
  p[52] = 64, p[58] = 64, p[60] = 5, p[62] = 1;
  return e;
}

typedef struct {
  uint64_t addr;
  const char *want; /* NULL: no location */
} expect;

static const expect expects[] = {
    {0x0fff, NULL},          {0x1000, "/src/inc/b.h:5"}, {0x100f, "/src/inc/b.h:5"},
    {0x1010, "/src/a.c:7"},  {0x1030, "/abs/c.c:9"},    {0x1031, "/abs/c.c:10"},
    {0x10ff, "/abs/c.c:10"}, {0x1100, NULL},            {0x1200, "comp/x.c:3"},
    {0x120f, "comp/x.c:3"},  {0x1300, NULL},            {0x2000, "d/x.c:10"},
    {0x200f, "d/x.c:10"},    {0x2010, "d/x.c:11"},      {0x205f, "d/x.c:11"},
    {0x2060, "y.c:16"},      {0x206f, "y.c:16"},        {0x2070, NULL},
    {0x3000, "f.c:1"},       {0x3007, "f.c:1"},         {0x3008, NULL},
    {0x4000, "g.c:2"},       {0x4007, "g.c:2"},         {0x4008, "g.c:100"},
    {0x400b, "g.c:100"},     {0x400c, "g.c:2"},         {0x400f, "g.c:2"},
    {0x4010, NULL},          {0x5000, NULL},            {0x6000, NULL},
};

Test(debug_line, made_tables) {
  tables t;
  build_tables(&t);
  buf e = elf_image(&t, t.line.n);
  for (size_t i = 0; i < sizeof expects / sizeof *expects; i++) {
    char out[128] = "";
    bool found = rt_debug_line_image(e.p, e.n, expects[i].addr, out, sizeof out);
    if (expects[i].want) {
      cr_expect(found, "0x%llx: no location, expected %s",
                (unsigned long long)expects[i].addr, expects[i].want);
      if (found) cr_expect_str_eq(out, expects[i].want, "0x%llx", (unsigned long long)expects[i].addr);
    } else {
      cr_expect(!found, "0x%llx: %s, expected none", (unsigned long long)expects[i].addr, out);
    }
  }
  free(e.p), free(t.line.p), free(t.line_str.p), free(t.str.p);
}

/* Every lookup of expects[] on a broken image: any answer, no crash. */
static void lookup_all(const uint8_t *img, size_t size) {
  for (size_t i = 0; i < sizeof expects / sizeof *expects; i++) {
    char out[64];
    rt_debug_line_image(img, size, expects[i].addr, out, sizeof out);
  }
}

Test(debug_line, made_tables_broken) {
  tables t;
  build_tables(&t);
  /* .debug_line cut anywhere */
  for (size_t n = 0; n < t.line.n; n++) {
    buf e = elf_image(&t, n);
    lookup_all(e.p, e.n);
    free(e.p);
  }
  buf e = elf_image(&t, t.line.n);
  /* the image cut anywhere (in a copy of exactly that size) */
  for (size_t n = 0; n < e.n; n++) {
    uint8_t *c = malloc(n ? n : 1);
    cr_assert(c);
    memcpy(c, e.p, n);
    lookup_all(c, n);
    free(c);
  }
  /* every byte set to each of these */
  static const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
  uint8_t *c = malloc(e.n);
  cr_assert(c);
  for (size_t i = 0; i < e.n; i++)
    for (size_t v = 0; v < sizeof values; v++) {
      memcpy(c, e.p, e.n);
      c[i] = values[v];
      lookup_all(c, e.n);
    }
  free(c);
  free(e.p), free(t.line.p), free(t.line_str.p), free(t.str.p);
}

/* This binary's tables with random bytes changed: its own .debug_line,
 * .debug_line_str and section headers. */
Test(debug_line, own_tables_broken) {
  size_t size;
  uint8_t *img = slurp("/proc/self/exe", &size);
  debug_line_spot s = debug_line_spot_dw4();
  uintptr_t bias;
  cr_assert(rt_debug_object_of(s.pc, &bias));
  uint64_t addr = s.pc - bias;
  struct {
    const char *name;
    int rounds;
  } parts[] = {{".debug_line", 300}, {".debug_line_str", 50}, {".shstrtab", 20}};
  uint64_t x = 88172645463325252ull; /* xorshift64 */
  uint8_t *c = malloc(size);
  cr_assert(c);
  for (size_t k = 0; k < sizeof parts / sizeof *parts; k++) {
    size_t off, len, sh;
    if (!find_section(img, size, parts[k].name, &off, &len, &sh) || len == 0) continue;
    for (int r = 0; r < parts[k].rounds; r++) {
      memcpy(c, img, size);
      for (int f = 0; f < 1 + r % 8; f++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        c[off + x % len] ^= (uint8_t)(1u << (x >> 61));
      }
      char out[256];
      rt_debug_line_image(c, size, addr, out, sizeof out);
    }
    /* the section header itself: offset and size bytes */
    for (int b = 24; b < 40; b++)
      for (int v = 0; v < 2; v++) {
        memcpy(c, img, size);
        c[sh + b] = v ? 0xff : 0x7f;
        char out[256];
        rt_debug_line_image(c, size, addr, out, sizeof out);
      }
  }
  free(c);
  free(img);
}

/* cpu_check.c: refuses a module whose code needs CPU features this machine
 * lacks, before any of that code runs.
 *
 * A module built with --cpu/--features beyond its target's baseline names
 * the features it may use in its descriptor (wasmrt_module_desc
 * .cpu_features, LLVM names from cpu_features.def). make_module (module.c)
 * calls rt_cpu_check for every module, so executables, `wasmc run` and
 * the embedding API all get the same check; a baseline build (NULL list)
 * costs one pointer test. Otherwise each named feature is detected as its
 * row of cpu_features.def says, for this architecture only:
 *   x86_64   CPUID, and XGETBV (XCR0) for the register state the OS must
 *            save (AVX, AVX-512, AMX tiles, APX registers);
 *   aarch64  getauxval(AT_HWCAP / AT_HWCAP2);
 *   riscv64  AT_HWCAP's single-letter bits, the riscv_hwprobe syscall for
 *            Z* extensions, and CSR vlenb for a minimum vector length.
 * Each CPUID leaf, auxv word or hwprobe answer is read once per check.
 * Cost: on x86_64 about 4-6 CPUIDs for a long list (--cpu native), which
 * is tens of microseconds only where CPUID exits to a hypervisor.
 *
 * What cannot be verified is refused, never assumed: a name this runtime
 * has no row for counts as absent, and (riscv64) a Z* extension on a
 * kernel without riscv_hwprobe (Linux < 6.4, qemu-user 7.2) as one this
 * machine "cannot confirm". Not checked: x86 AMX needs
 * arch_prctl(ARCH_REQ_XCOMP_PERM) before its first use, which Wasm code
 * never makes (LLVM emits AMX only for intrinsics), so CPUID and XCR0 are
 * all that is asked.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

typedef enum { CPU_PRESENT, CPU_ABSENT, CPU_UNVERIFIED } cpu_state;

/* ---- per architecture: the rows and how to detect one ------------------- */
/* Each block defines `row` (from cpu_features.def), `probe` (what one
 * check reads once) and `detect` (the state of one row), plus the reason
 * printed for an unverifiable row. */

#if defined(__x86_64__)
#include <cpuid.h>

enum { EAX, EBX, ECX, EDX };
/* XCR0 state components: 1 SSE, 2 AVX, 5-7 AVX-512 (opmask, ZMM_Hi256,
 * Hi16_ZMM), 17-18 AMX (TILECFG, TILEDATA), 19 APX (extended GPRs). */
#define X86_STATE_NONE 0ull
#define X86_STATE_AVX 0x6ull
#define X86_STATE_AVX512 0xe6ull
#define X86_STATE_AMX (0x6ull | (3ull << 17))
#define X86_STATE_APX (1ull << 19)

typedef struct {
  const char *name;
  uint32_t leaf, subleaf;
  uint8_t reg, bit;
  uint64_t state;
} row;
static const row rows[] = {
#define X86(name, leaf, subleaf, reg, bit, state) {name, leaf, subleaf, reg, bit, state},
#define ARM64(...)
#define RV64(...)
#include "cpu_features.def"
#undef X86
#undef ARM64
#undef RV64
};

/* What this check has read so far. CPUID may exit to a hypervisor (about
 * 9 us each in a Firecracker VM, against ~100 cycles on bare metal), so
 * each leaf, and each range's maximum leaf, is read once, and XCR0 only
 * when a row needs it: a typical list costs 4-6 CPUIDs. */
typedef struct {
  struct {
    uint32_t leaf, subleaf, r[4];
  } leaves[16];
  int n;
  uint32_t max[2];    /* highest basic / extended leaf, once known */
  bool max_known[2];
  bool xcr0_known;
  uint64_t xcr0;
} probe;

static const uint32_t *cpuid(probe *p, uint32_t leaf, uint32_t subleaf) {
  for (int i = 0; i < p->n; i++)
    if (p->leaves[i].leaf == leaf && p->leaves[i].subleaf == subleaf)
      return p->leaves[i].r;
  static const uint32_t zero[4];
  if (p->n == 16)
    return zero; /* more leaves than the table has: not reached */
  int ext = (leaf & 0x80000000u) != 0;
  if (!p->max_known[ext]) {
    p->max[ext] = __get_cpuid_max(leaf & 0x80000000u, NULL);
    p->max_known[ext] = true;
  }
  uint32_t *r = p->leaves[p->n].r;
  p->leaves[p->n].leaf = leaf;
  p->leaves[p->n].subleaf = subleaf;
  p->n++;
  /* Above its range's maximum a leaf reads as all zeros (the CPU would
   * answer with the highest leaf's data). */
  if (p->max[ext] < leaf)
    r[0] = r[1] = r[2] = r[3] = 0;
  else
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
  return r;
}

static void probe_init(probe *p) {
  p->n = 0;
  p->max_known[0] = p->max_known[1] = false;
  p->xcr0_known = false;
}

/* The register state the OS enables (XCR0); XGETBV is defined only when
 * the OS set CR4.OSXSAVE (CPUID.1:ECX[27]), else no state is enabled. */
static uint64_t xcr0(probe *p) {
  if (!p->xcr0_known) {
    p->xcr0 = 0;
    if (cpuid(p, 1, 0)[ECX] & (1u << 27)) {
      uint32_t lo, hi;
      __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      p->xcr0 = (uint64_t)hi << 32 | lo;
    }
    p->xcr0_known = true;
  }
  return p->xcr0;
}

static cpu_state detect(probe *p, const row *r) {
  if (!(cpuid(p, r->leaf, r->subleaf)[r->reg] >> r->bit & 1))
    return CPU_ABSENT;
  return !r->state || (xcr0(p) & r->state) == r->state ? CPU_PRESENT
                                                       : CPU_ABSENT;
}

static const char *unverified_reason(void) { return ""; }

#elif defined(__aarch64__)
#include <sys/auxv.h>

typedef struct {
  const char *name;
  uint64_t hwcap, hwcap2;
} row;
static const row rows[] = {
#define X86(...)
#define ARM64(name, hwcap, hwcap2) {name, hwcap, hwcap2},
#define RV64(...)
#include "cpu_features.def"
#undef X86
#undef ARM64
#undef RV64
};

typedef struct {
  uint64_t hwcap, hwcap2;
} probe;

static void probe_init(probe *p) {
  p->hwcap = getauxval(AT_HWCAP);
  p->hwcap2 = getauxval(AT_HWCAP2);
}

static cpu_state detect(probe *p, const row *r) {
  return (p->hwcap & r->hwcap) == r->hwcap && (p->hwcap2 & r->hwcap2) == r->hwcap2
             ? CPU_PRESENT
             : CPU_ABSENT;
}

static const char *unverified_reason(void) { return ""; }

#elif defined(__riscv) && __riscv_xlen == 64
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct {
  const char *name;
  char letter;
  int probe_bit;
  unsigned min_vlen;
} row;
static const row rows[] = {
#define X86(...)
#define ARM64(...)
#define RV64(name, letter, bit, min_vlen, needs) {name, letter, bit, min_vlen},
#include "cpu_features.def"
#undef X86
#undef ARM64
#undef RV64
};

/* The kernel's struct riscv_hwprobe and key (<asm/hwprobe.h>, Linux 6.4;
 * Debian 12's headers predate it, hence the numbers). */
struct rt_riscv_hwprobe {
  int64_t key;
  uint64_t value;
};
enum { RT_NR_RISCV_HWPROBE = 258, RT_HWPROBE_KEY_IMA_EXT_0 = 4 };

typedef struct {
  unsigned long hwcap;
  bool have_ext0; /* riscv_hwprobe answered for IMA_EXT_0 */
  uint64_t ext0;
  unsigned vlen; /* bits, 0 until read */
} probe;

static void probe_init(probe *p) {
  p->hwcap = getauxval(AT_HWCAP);
  struct rt_riscv_hwprobe q = {RT_HWPROBE_KEY_IMA_EXT_0, 0};
  /* Unknown keys come back as key -1; ENOSYS on kernels (and qemu-user
   * 7.2) without the call. */
  p->have_ext0 = syscall(RT_NR_RISCV_HWPROBE, &q, 1, 0, NULL, 0) == 0 &&
                 q.key == RT_HWPROBE_KEY_IMA_EXT_0;
  p->ext0 = p->have_ext0 ? q.value : 0;
  p->vlen = 0;
}

static cpu_state detect(probe *p, const row *r) {
  bool present = (r->letter && (p->hwcap >> (r->letter - 'a') & 1)) ||
                 (p->have_ext0 && r->probe_bit >= 0 &&
                  (p->ext0 >> r->probe_bit & 1));
  if (present && r->min_vlen) {
    /* Only reached with a vector extension present and enabled by the
     * kernel, so reading vlenb (CSR 0xc22) cannot fault. */
    if (!p->vlen) {
      unsigned long vlenb;
      __asm__ volatile("csrr %0, 0xc22" : "=r"(vlenb));
      p->vlen = (unsigned)(vlenb * 8);
    }
    present = p->vlen >= r->min_vlen;
  }
  if (present)
    return CPU_PRESENT;
  /* A kernel without hwprobe cannot report Z* extensions; vector ones
   * (those with a letter) it would not enable anyway. */
  return !r->letter && !p->have_ext0 ? CPU_UNVERIFIED : CPU_ABSENT;
}

static const char *unverified_reason(void) {
  return "this kernel has no riscv_hwprobe";
}

#else
#error "wasmrt: no CPU feature detection for this architecture (cpu_check.c)"
#endif

/* ---- the check ----------------------------------------------------------- */

static const row *find_row(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
    if (strlen(rows[i].name) == len && memcmp(rows[i].name, name, len) == 0)
      return &rows[i];
  return NULL;
}

/* Appends to the list of missing features; truncation just ends it. */
static void add(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t size, size_t *len, const char *fmt, ...) {
  if (*len >= size)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *len, size - *len, fmt, ap);
  va_end(ap);
  if (n > 0)
    *len += (size_t)n;
}

bool rt_cpu_check(const wasmrt_module_desc *d, wasmrt_error *err) {
  if (!d->cpu_features || !d->cpu_features[0])
    return true;
  probe p;
  probe_init(&p);
  /* Absent features, and (riscv64) the ones this machine cannot confirm,
   * each list truncated to what the message can hold. */
  char absent[sizeof err->message], unconfirmed[sizeof err->message];
  size_t alen = 0, ulen = 0;
  absent[0] = unconfirmed[0] = '\0';
  for (const char *s = d->cpu_features; *s; s += *s == ',') {
    size_t n = strcspn(s, ",");
    const row *r = n ? find_row(s, n) : NULL;
    cpu_state st = !n ? CPU_PRESENT : r ? detect(&p, r) : CPU_ABSENT;
    if (st == CPU_ABSENT)
      add(absent, sizeof absent, &alen, "%s%.*s%s", alen ? ", " : "", (int)n,
          s, r ? "" : " (unknown to this runtime)");
    else if (st == CPU_UNVERIFIED)
      add(unconfirmed, sizeof unconfirmed, &ulen, "%s%.*s", ulen ? ", " : "",
          (int)n, s);
    s += n;
  }
  if (!alen && !ulen)
    return true;
  char what[2 * sizeof err->message + 64];
  if (alen && ulen)
    snprintf(what, sizeof what, "lacks: %s; and cannot confirm: %s (%s)",
             absent, unconfirmed, unverified_reason());
  else if (alen)
    snprintf(what, sizeof what, "lacks: %s", absent);
  else
    snprintf(what, sizeof what, "cannot confirm: %s (%s)", unconfirmed,
             unverified_reason());
  rt_error(err,
           "this program was compiled for CPU features this machine %s "
           "(built with %s); rebuild it with a lower --cpu or without those "
           "--features",
           what, d->cpu_built_with ? d->cpu_built_with : "--cpu/--features");
  return false;
}

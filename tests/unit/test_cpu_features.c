/* test_cpu_features.c: the compile-time CPU-feature probe
 * (compiler/cpu_features.c) through emit_target_new, on all three
 * targets: what a named CPU or a feature list needs beyond the baseline,
 * as recorded in the module descriptor (emit_target_cpu_required), and
 * the options named in the start-up message (emit_target_built_with). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "emit.h"

/* The required list for a target, "" when nothing is required (NULL from
 * emit_target_cpu_required), copied to buf; fails the test when the
 * target cannot be made. */
static const char *required(const char *triple, const char *cpu,
                            const char *features, char *buf, size_t n) {
  emit_options o = {.triple = triple, .cpu = cpu, .features = features,
                    .opt_level = 2};
  char err[512];
  emit_target *t = emit_target_new(&o, err, sizeof err);
  cr_assert(t, "%s/%s/%s: %s", triple, cpu ? cpu : "-",
            features ? features : "-", err);
  const char *r = emit_target_cpu_required(t);
  snprintf(buf, n, "%s", r ? r : "");
  cr_assert_eq(!r, !emit_target_built_with(t),
               "a list and the options that chose it come together");
  emit_target_free(t);
  return buf;
}

/* Whether name is an item of the comma-separated list. */
static bool has(const char *list, const char *name) {
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    if (len == n && strncmp(p, name, n) == 0)
      return true;
    p += len + (p[len] == ',');
  }
  return false;
}

Test(cpu_features, baseline_needs_nothing) {
  char buf[4096];
  /* Not asked for: no probe, nothing recorded. */
  cr_expect_str_empty(required("x86_64", NULL, NULL, buf, sizeof buf));
  /* Asked for by name: the probe runs and finds nothing beyond the
   * baseline, on every target (so no table row is implied by one). */
  cr_expect_str_empty(required("x86_64", "x86-64", NULL, buf, sizeof buf));
  /* LLVM's x86 `generic` lacks cmov, mmx and fxsr, which every x86-64
   * CPU has: still nothing beyond the baseline, not a refusal. */
  cr_expect_str_empty(required("x86_64", "generic", NULL, buf, sizeof buf));
  cr_expect_str_empty(required("aarch64", "generic", "+neon", buf, sizeof buf));
  cr_expect_str_empty(required("riscv64", "generic-rv64", "+m,+c", buf, sizeof buf));
  /* RV64GC CPUs need nothing more either. */
  cr_expect_str_empty(required("riscv64", "sifive-u74", NULL, buf, sizeof buf));
}

Test(cpu_features, x86_64_v3_implies_avx2_not_avx512) {
  char buf[4096];
  const char *r = required("x86_64", "x86-64-v3", NULL, buf, sizeof buf);
  const char *want[] = {"sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx",
                        "avx2", "fma", "bmi", "bmi2", "lzcnt", "movbe", "f16c"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_expect(has(r, want[i]), "x86-64-v3 should need %s: %s", want[i], r);
  cr_expect_not(has(r, "avx512f"), "%s", r);
  cr_expect_not(has(r, "sse4a"), "%s", r);
}

Test(cpu_features, x86_64_named_cpus_and_features) {
  char buf[4096];
  const char *r = required("x86_64", "x86-64-v4", NULL, buf, sizeof buf);
  cr_expect(has(r, "avx512f") && has(r, "avx512bw") && has(r, "avx512vl"), "%s", r);
  cr_expect_not(has(r, "avx512fp16"), "%s", r);
  r = required("x86_64", "sapphirerapids", NULL, buf, sizeof buf);
  cr_expect(has(r, "avx512fp16") && has(r, "amx-tile") && has(r, "avxvnni"), "%s", r);
  cr_expect_str_eq(required("x86_64", "amdfam10", NULL, buf, sizeof buf),
                   "sse3,popcnt,lzcnt,sse4a");
  /* A feature implies what it builds on. */
  r = required("x86_64", NULL, "+avx2", buf, sizeof buf);
  cr_expect(has(r, "avx2") && has(r, "avx") && has(r, "sse4.2"), "%s", r);
  cr_expect_not(has(r, "bmi2"), "%s", r);
  /* A removal removes what needs it. */
  r = required("x86_64", "x86-64-v3", "-avx", buf, sizeof buf);
  cr_expect(has(r, "bmi2") && has(r, "sse4.2"), "%s", r);
  cr_expect_not(has(r, "avx") || has(r, "avx2") || has(r, "fma"), "%s", r);
  /* Features outside the table (tuning) need nothing. */
  cr_expect_str_empty(required("x86_64", NULL, "+prefer-256-bit", buf, sizeof buf));
}

Test(cpu_features, aarch64_named_cpus) {
  char buf[4096];
  cr_expect_str_eq(required("aarch64", "cortex-a53", NULL, buf, sizeof buf),
                   "crc,aes,sha2");
  const char *r = required("aarch64", "neoverse-n1", NULL, buf, sizeof buf);
  const char *want[] = {"lse", "rcpc", "dotprod", "rdm", "fullfp16", "crc"};
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_expect(has(r, want[i]), "neoverse-n1 should need %s: %s", want[i], r);
  cr_expect_not(has(r, "sve"), "%s", r);
  r = required("aarch64", NULL, "+sve", buf, sizeof buf);
  cr_expect(has(r, "sve"), "%s", r);
}

Test(cpu_features, riscv64_vector_and_bitmanip) {
  char buf[4096];
  const char *r = required("riscv64", NULL, "+v", buf, sizeof buf);
  cr_expect(has(r, "v") && has(r, "zve64d") && has(r, "zvl128b"), "%s", r);
  cr_expect_not(has(r, "zvl256b") || has(r, "zba"), "%s", r);
  cr_expect_str_eq(required("riscv64", NULL, "+zba,+zbb", buf, sizeof buf),
                   "zba,zbb");
  r = required("riscv64", "sifive-x280", NULL, buf, sizeof buf);
  cr_expect(has(r, "v") && has(r, "zvl512b") && has(r, "zba"), "%s", r);
}

Test(cpu_features, built_with_names_the_options) {
  emit_options o = {.triple = "x86_64", .cpu = "x86-64-v2",
                    .features = "+avx", .opt_level = 2};
  char err[512];
  emit_target *t = emit_target_new(&o, err, sizeof err);
  cr_assert(t, "%s", err);
  cr_expect_str_eq(emit_target_built_with(t), "--cpu x86-64-v2 --features +avx");
  /* A clone for another thread records the same. */
  emit_target *c = emit_target_clone(t, err, sizeof err);
  cr_assert(c, "%s", err);
  cr_expect_str_eq(emit_target_cpu_required(c), emit_target_cpu_required(t));
  cr_expect_str_eq(emit_target_built_with(c), emit_target_built_with(t));
  emit_target_free(c);
  emit_target_free(t);
}

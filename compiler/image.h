/* image.h: OCI images of compiled WASI programs (`wasmc image`).
 *
 * The driver (main.c) compiles one static executable per platform; this
 * module checks that the module is a WASI command, parses the platform
 * list and the image reference, and writes the image: an OCI image layout
 * directory, or the same layout as an OCI archive (a .tar). Everything it
 * writes is a function of its inputs (fixed times, owners and order,
 * deterministic gzip), so the same inputs give the same digests.
 */
#ifndef WASMC_IMAGE_H
#define WASMC_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasm.h"

/* One platform of an image: the OCI names and the wasmc --target. */
typedef struct {
  const char *os;      /* "linux" */
  const char *arch;    /* OCI architecture: amd64, arm64, riscv64 */
  const char *variant; /* OCI variant ("v8" for arm64) or NULL */
  const char *target;  /* wasmc --target: x86_64, aarch64, riscv64 */
} image_platform;

enum { IMAGE_MAX_PLATFORMS = 3 };

/* The OCI platform of a wasmc --target name ("x86_64"), or NULL. */
const image_platform *image_platform_for(const char *target);

/* Parses "linux/amd64,linux/arm64,linux/riscv64" (a variant may follow:
 * linux/arm64/v8). false with a message naming the bad entry. */
bool image_parse_platforms(const char *list, const image_platform **out,
                           int *n, char *err, size_t errsz);

/* Splits a reference "NAME[:TAG]" (TAG defaults to "latest") after
 * checking it against the OCI distribution grammar (lower-case path
 * components, an optional registry host[:port], a tag of at most 128
 * [A-Za-z0-9_.-] characters). Writes into name/tag. */
bool image_parse_ref(const char *ref, char *name, size_t namesz, char *tag,
                     size_t tagsz, char *err, size_t errsz);

/* The default image name for a module file: its base name without .wasm,
 * lower-cased, other characters than [a-z0-9._-] turned into '-'. */
void image_default_name(const char *path, char *name, size_t namesz);

/* A module an image can run: it exports `_start` as a function of type
 * [] -> [] and imports nothing but wasi_snapshot_preview1 functions.
 * false with a message (and the offending entry's byte offset in *offset,
 * 0 when there is none) otherwise. */
bool image_check_command(const wasm_module *m, uint32_t *offset, char *err,
                         size_t errsz);

typedef struct {
  const char *name, *tag;         /* the reference NAME:TAG */
  const char *module_file;        /* base name of the .wasm, for a label */
  char module_digest[72];         /* "sha256:HEX" of the module's bytes */
  const char *build_options;      /* "-O2 --cpu ...", for a label */
  const char *const *env;         /* baked K=V variables, in order */
  int nenv;
  const char *const *dirs;        /* baked --dir HOST paths (in the
                                     container): made directories of the
                                     layer and declared Volumes */
  int ndirs;
  int nplatforms;
  const image_platform *const *platforms;
  const char *const *executables; /* per platform: the static executable */
  long long epoch;                /* times in the image (SOURCE_DATE_EPOCH) */
  bool has_epoch;                 /* else 0 and no `created` field */
} image_spec;

/* Writes the image to out: an OCI archive when out ends in ".tar", else
 * an image layout directory. Nothing is left at out on failure: the
 * image is written beside it under a temporary name and renamed into
 * place. An existing out is replaced only if it is a file (archive) or an
 * image layout directory (layout). false with a message. */
bool image_write(const image_spec *s, const char *out, char *err,
                 size_t errsz);

/* "sha256:HEX" of a buffer (the module digest of the labels). */
void image_sha256_digest(const void *data, size_t size, char out[72]);

#endif

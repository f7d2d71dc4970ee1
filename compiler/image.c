/* image.c: writes the OCI image of a compiled WASI program.
 *
 * An image here is what the OCI image spec (v1.1) calls an image layout:
 *
 *   oci-layout                 {"imageLayoutVersion":"1.0.0"}
 *   index.json                 the entry point: one descriptor, annotated
 *                              with the reference (ref.name = TAG, and
 *                              io.containerd.image.name = NAME:TAG)
 *   blobs/sha256/HEX           content-addressed blobs:
 *     - per platform a layer (tar+gzip) holding /app, the static
 *       executable, and the empty directories of baked --dir grants;
 *       a config (Entrypoint ["/app", "--"], Env, WorkingDir, Volumes, Labels,
 *       rootfs diff_ids) and a manifest naming both;
 *     - with more than one platform, an image index listing the
 *       manifests with their platforms (what `--platform a,b,c` makes).
 *
 * With one platform index.json names the manifest itself (as buildkit's
 * OCI exporter does), which every tool reads, umoci included.
 *
 * Reproducible: the tars have fixed times (0, or SOURCE_DATE_EPOCH),
 * owner 0:0, no user/group names and sorted entries; gzip is zlib's with
 * no name and time 0; the JSON is printed from fixed insertion orders.
 * The same inputs therefore give the same digests, byte for byte.
 *
 * The libraries do the solved parts: libarchive writes the tars, zlib
 * compresses, OpenSSL hashes, cJSON prints the JSON.
 */
#include "image.h"
#include "wasi.h"

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#ifndef WASMC_VERSION
#define WASMC_VERSION "unknown"
#endif

#define WASI_MODULE "wasi_snapshot_preview1"
#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER "application/vnd.oci.image.layer.v1.tar+gzip"

/* ---- platforms ------------------------------------------------------------ */

/* The platforms wasmc builds images for: OCI's names for the three
 * targets (runtime/arch.h ports the runtime to each). */
static const image_platform platforms[] = {
    {"linux", "amd64", NULL, "x86_64"},
    {"linux", "arm64", "v8", "aarch64"},
    {"linux", "riscv64", NULL, "riscv64"},
};
enum { NPLATFORMS = sizeof platforms / sizeof *platforms };

const image_platform *image_platform_for(const char *target) {
  for (int i = 0; target && i < NPLATFORMS; i++)
    if (strcmp(platforms[i].target, target) == 0)
      return &platforms[i];
  return NULL;
}

bool image_parse_platforms(const char *list, const image_platform **out,
                           int *n, char *err, size_t errsz) {
  *n = 0;
  const char *p = list;
  for (;;) {
    size_t len = strcspn(p, ",");
    char item[64];
    if (len == 0 || len >= sizeof item) {
      snprintf(err, errsz, "--platform: empty or overlong entry in '%s'", list);
      return false;
    }
    memcpy(item, p, len);
    item[len] = '\0';
    const image_platform *found = NULL;
    for (int i = 0; i < NPLATFORMS && !found; i++) {
      const image_platform *pl = &platforms[i];
      char full[64], with_variant[160];
      snprintf(full, sizeof full, "%s/%s", pl->os, pl->arch);
      snprintf(with_variant, sizeof with_variant, "%s/%s", full,
               pl->variant ? pl->variant : "");
      if (strcmp(item, full) == 0 || (pl->variant && strcmp(item, with_variant) == 0))
        found = pl;
    }
    if (!found) {
      snprintf(err, errsz, "--platform: unknown platform '%s' (wasmc builds "
               "linux/amd64, linux/arm64 and linux/riscv64)", item);
      return false;
    }
    for (int i = 0; i < *n; i++)
      if (out[i] == found) {
        snprintf(err, errsz, "--platform: '%s' is given twice", item);
        return false;
      }
    if (*n == IMAGE_MAX_PLATFORMS) {
      snprintf(err, errsz, "--platform: too many entries in '%s'", list);
      return false;
    }
    out[(*n)++] = found;
    if (!p[len])
      return true;
    p += len + 1;
  }
}

/* ---- references ----------------------------------------------------------- */

static bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of a repository name: [a-z0-9]+ joined by '.', '_',
 * '__' or '-'s (the distribution spec's grammar). */
static bool valid_component(const char *s, size_t len) {
  if (len == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[len - 1]))
    return false;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (is_lower_alnum(c) || c == '-')
      continue;
    if (c == '.' && is_lower_alnum(s[i + 1]))
      continue;
    if (c == '_' && (is_lower_alnum(s[i + 1]) ||
                     (s[i + 1] == '_' && i + 2 < len && is_lower_alnum(s[i + 2])))) {
      i += s[i + 1] == '_';
      continue;
    }
    return false;
  }
  return true;
}

/* A registry host, as in "localhost:5000" or "registry.example.com". */
static bool valid_host(const char *s, size_t len) {
  size_t colon = len;
  for (size_t i = 0; i < len; i++)
    if (s[i] == ':') colon = i;
  if (colon == 0)
    return false;
  for (size_t i = 0; i < colon; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '-'))
      return false;
  }
  if (colon < len) {
    if (colon + 1 == len)
      return false;
    for (size_t i = colon + 1; i < len; i++)
      if (s[i] < '0' || s[i] > '9')
        return false;
  }
  return true;
}

bool image_parse_ref(const char *ref, char *name, size_t namesz, char *tag,
                     size_t tagsz, char *err, size_t errsz) {
  const char *slash = strrchr(ref, '/');
  const char *colon = strrchr(slash ? slash : ref, ':');
  size_t nlen = colon ? (size_t)(colon - ref) : strlen(ref);
  const char *t = colon ? colon + 1 : "latest";
  size_t tlen = strlen(t);
  bool ok = nlen > 0 && nlen < namesz && nlen <= 255 && tlen > 0 && tlen <= 128 &&
            tlen < tagsz;
  for (size_t i = 0; ok && i < tlen; i++) {
    char c = t[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || (i > 0 && (c == '.' || c == '-'));
  }
  /* path components; the first may be a registry host (it has a '.' or a
   * ':' or is "localhost") */
  const char *p = ref;
  bool first = true;
  while (ok && p < ref + nlen) {
    size_t len = strcspn(p, "/");
    if (p + len > ref + nlen)
      len = (size_t)(ref + nlen - p);
    bool more = p + len < ref + nlen;
    bool host = first && more &&
                (memchr(p, '.', len) || memchr(p, ':', len) ||
                 (len == 9 && memcmp(p, "localhost", 9) == 0));
    ok = host ? valid_host(p, len) : valid_component(p, len);
    first = false;
    p += len + 1;
  }
  if (!ok) {
    snprintf(err, errsz, "--tag: '%s' is not an image reference NAME[:TAG] "
             "(NAME: lower-case [a-z0-9] words joined by . _ - and /, "
             "optionally after a registry host; TAG: up to 128 of "
             "[A-Za-z0-9_.-], not starting with . or -)", ref);
    return false;
  }
  memcpy(name, ref, nlen);
  name[nlen] = '\0';
  memcpy(tag, t, tlen + 1);
  return true;
}

void image_default_name(const char *path, char *name, size_t namesz) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t len = strlen(base);
  if (len > 5 && strcmp(base + len - 5, ".wasm") == 0)
    len -= 5;
  size_t k = 0;
  for (size_t i = 0; i < len && k + 1 < namesz; i++) {
    char c = base[i];
    if (c >= 'A' && c <= 'Z')
      c = (char)(c - 'A' + 'a');
    bool sep = c == '.' || c == '_' || c == '-';
    if (!is_lower_alnum(c) && !sep)
      c = '-';
    /* no separator first, none doubled */
    if ((c == '.' || c == '_' || c == '-') && (k == 0 || !is_lower_alnum(name[k - 1])))
      continue;
    name[k++] = c;
  }
  while (k > 0 && !is_lower_alnum(name[k - 1]))
    k--;
  if (k == 0)
    k = (size_t)snprintf(name, namesz, "app");
  name[k] = '\0';
}

/* ---- the module ----------------------------------------------------------- */

bool image_check_command(const wasm_module *m, uint32_t *offset, char *err,
                         size_t errsz) {
  *offset = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const wasm_import *im = &m->imports[i];
    bool wasi = im->module.len == strlen(WASI_MODULE) &&
                memcmp(im->module.str, WASI_MODULE, im->module.len) == 0;
    if (!wasi || im->kind != WASM_EXTERN_FUNC) {
      *offset = im->offset;
      snprintf(err, errsz, "not a WASI command module: it imports %s '%.*s.%.*s' "
               "(an image's program can import only %s functions)",
               wasm_externkind_name(im->kind), (int)im->module.len,
               im->module.str, (int)im->name.len, im->name.str, WASI_MODULE);
      return false;
    }
    /* the launcher would refuse it at start: say so now */
    bool has_result = false;
    const char *params = wasi_import_params(im->name.str, im->name.len, &has_result);
    const wasm_functype *ft = &m->types[im->desc.func_type];
    bool same = params && ft->nparams == strlen(params) &&
                ft->nresults == (has_result ? 1u : 0u) &&
                (!has_result || ft->results[0] == WASM_I32);
    for (uint32_t k = 0; same && k < ft->nparams; k++)
      same = ft->params[k] == (params[k] == 'I' ? WASM_I64 : WASM_I32);
    if (!same) {
      *offset = im->offset;
      snprintf(err, errsz, "not a WASI command module: %s '%s.%.*s'",
               params ? "wrong signature for" : "no such function:",
               WASI_MODULE, (int)im->name.len, im->name.str);
      return false;
    }
  }
  for (uint32_t i = 0; i < m->nexports; i++) {
    const wasm_export *ex = &m->exports[i];
    if (ex->name.len != 6 || memcmp(ex->name.str, "_start", 6) != 0)
      continue;
    const wasm_functype *ft = ex->kind == WASM_EXTERN_FUNC
                                  ? &m->types[m->funcs[ex->index].type]
                                  : NULL;
    if (!ft || ft->nparams || ft->nresults) {
      *offset = ex->offset;
      snprintf(err, errsz, "not a WASI command module: its export _start is "
               "not a function of type [] -> []");
      return false;
    }
    return true;
  }
  snprintf(err, errsz, "not a WASI command module: it exports no function "
           "_start (a library or reactor module has no program to run)");
  return false;
}

/* ---- bytes, digests, gzip --------------------------------------------------- */

typedef struct {
  unsigned char *data;
  size_t len, cap;
} buf;

static bool buf_add(buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d)
      return false;
    b->data = d;
    b->cap = cap;
  }
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  return true;
}

static void sha256_hex(const void *data, size_t size, char hex[65]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_Digest(data, size, md, &mdlen, EVP_sha256(), NULL);
  for (unsigned i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void image_sha256_digest(const void *data, size_t size, char out[72]) {
  char hex[65];
  sha256_hex(data, size, hex);
  snprintf(out, 72, "sha256:%s", hex);
}

/* gzip of in: zlib's header has no name and mtime 0, and zlib's output is
 * a function of its input and settings, so this is reproducible. */
static bool gzip(const buf *in, buf *out) {
  z_stream zs = {0};
  if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  uLong bound = deflateBound(&zs, (uLong)in->len) + 32;
  out->data = malloc(bound);
  if (!out->data) {
    deflateEnd(&zs);
    return false;
  }
  out->cap = bound;
  zs.next_in = in->data;
  zs.avail_in = (uInt)in->len;
  zs.next_out = out->data;
  zs.avail_out = (uInt)bound;
  int rc = deflate(&zs, Z_FINISH);
  out->len = bound - zs.avail_out;
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

/* ---- tar ------------------------------------------------------------------- */

typedef struct {
  const char *path;   /* no leading '/'; directories end in '/' */
  const void *data;   /* regular files */
  size_t size;
  unsigned mode;
} tar_item;

static la_ssize_t tar_write_cb(struct archive *a, void *ud, const void *p,
                               size_t n) {
  (void)a;
  return buf_add(ud, p, n) ? (la_ssize_t)n : -1;
}

static int cmp_items(const void *a, const void *b) {
  return strcmp(((const tar_item *)a)->path, ((const tar_item *)b)->path);
}

/* A ustar archive of items (sorted here), every entry owned by 0:0 with
 * no names and mtime `epoch`: the same items give the same bytes. */
static bool tar_items(tar_item *items, size_t n, long long epoch, buf *out,
                      char *err, size_t errsz) {
  qsort(items, n, sizeof *items, cmp_items);
  struct archive *a = archive_write_new();
  struct archive_entry *e = archive_entry_new();
  bool ok = a && e && archive_write_set_format_ustar(a) == ARCHIVE_OK &&
            archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
            archive_write_open2(a, out, NULL, tar_write_cb, NULL, NULL) == ARCHIVE_OK;
  for (size_t i = 0; ok && i < n; i++) {
    const tar_item *it = &items[i];
    bool dir = it->path[strlen(it->path) - 1] == '/';
    archive_entry_clear(e);
    archive_entry_set_pathname(e, it->path);
    archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e, it->mode);
    archive_entry_set_size(e, dir ? 0 : (la_int64_t)it->size);
    archive_entry_set_mtime(e, (time_t)epoch, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    ok = archive_write_header(a, e) == ARCHIVE_OK &&
         (dir || it->size == 0 ||
          archive_write_data(a, it->data, it->size) == (la_ssize_t)it->size);
  }
  if (ok)
    ok = archive_write_close(a) == ARCHIVE_OK;
  if (!ok)
    snprintf(err, errsz, "cannot write a tar archive: %s",
             a && archive_error_string(a) ? archive_error_string(a) : "out of memory");
  if (e) archive_entry_free(e);
  if (a) archive_write_free(a);
  return ok;
}

/* ---- the image's blobs ---------------------------------------------------- */

typedef struct {
  char hex[65];
  buf bytes;
} blob;

typedef struct {
  blob *v;
  size_t n, cap;
} blobs;

/* Adds a blob (taking b's bytes) and writes its descriptor fields. The
 * same content twice (e.g. two platforms' identical configs) is one
 * blob. */
static bool add_blob(blobs *bs, buf *b, char digest[72]) {
  char hex[65];
  sha256_hex(b->data, b->len, hex);
  snprintf(digest, 72, "sha256:%s", hex);
  for (size_t i = 0; i < bs->n; i++)
    if (strcmp(bs->v[i].hex, hex) == 0) {
      free(b->data);
      *b = (buf){0};
      return true;
    }
  if (bs->n == bs->cap) {
    size_t cap = bs->cap ? 2 * bs->cap : 8;
    blob *v = realloc(bs->v, cap * sizeof *v);
    if (!v)
      return false;
    bs->v = v;
    bs->cap = cap;
  }
  memcpy(bs->v[bs->n].hex, hex, 65);
  bs->v[bs->n].bytes = *b;
  bs->n++;
  *b = (buf){0};
  return true;
}

/* cJSON's printer into a blob (no trailing newline: digests are over the
 * exact bytes). */
static bool json_blob(blobs *bs, cJSON *doc, char digest[72], size_t *size) {
  char *s = cJSON_PrintUnformatted(doc);
  if (!s)
    return false;
  buf b = {0};
  bool ok = buf_add(&b, s, strlen(s));
  free(s);
  *size = b.len;
  ok = ok && add_blob(bs, &b, digest);
  free(b.data);
  return ok;
}

static cJSON *descriptor(const char *media_type, const char *digest, size_t size) {
  cJSON *d = cJSON_CreateObject();
  cJSON_AddStringToObject(d, "mediaType", media_type);
  cJSON_AddStringToObject(d, "digest", digest);
  cJSON_AddNumberToObject(d, "size", (double)size);
  return d;
}

static cJSON *platform_json(const image_platform *p) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "architecture", p->arch);
  cJSON_AddStringToObject(o, "os", p->os);
  if (p->variant)
    cJSON_AddStringToObject(o, "variant", p->variant);
  return o;
}

/* The whole file, through the front end's reader (wasm_file.c). */
static bool read_file(const char *path, buf *b, char *err, size_t errsz) {
  wasm_error werr = {0};
  b->data = wasm_read_file(path, &b->len, &werr);
  b->cap = b->len;
  if (!b->data)
    snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
  return b->data != NULL;
}

/* The time of the image as an RFC 3339 UTC string. */
static void rfc3339(long long epoch, char out[32]) {
  time_t t = (time_t)epoch;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One platform's layer, config and manifest; the manifest's descriptor
 * (with its platform) in *desc. */
static bool add_platform(const image_spec *s, int k, blobs *bs, cJSON **desc,
                         char *err, size_t errsz) {
  const image_platform *p = s->platforms[k];
  buf exe = {0}, tar = {0}, gz = {0};
  cJSON *config = NULL, *manifest = NULL;
  bool ok = false;
  char layer_digest[72], diff_id[72], config_digest[72], manifest_digest[72];
  size_t layer_size, config_size, manifest_size;

  if (!read_file(s->executables[k], &exe, err, errsz))
    goto out;
  /* the executable and the mount points of the baked directories */
  tar_item items[1 + 64];
  char paths[64][4096];
  size_t n = 0;
  items[n++] = (tar_item){"app", exe.data, exe.len, 0755};
  for (int i = 0; i < s->ndirs && i < 64; i++) {
    const char *d = s->dirs[i];
    while (*d == '/') d++;
    size_t len = strlen(d);
    while (len && d[len - 1] == '/') len--;
    if (len == 0 || (len == 1 && d[0] == '.'))
      continue; /* the root itself */
    snprintf(paths[i], sizeof paths[i], "%.*s/", (int)len, d);
    bool dup = false;
    for (size_t j = 1; j < n; j++)
      dup = dup || strcmp(items[j].path, paths[i]) == 0;
    if (!dup)
      items[n++] = (tar_item){paths[i], NULL, 0, 0755};
  }
  if (!tar_items(items, n, s->has_epoch ? s->epoch : 0, &tar, err, errsz))
    goto out;
  image_sha256_digest(tar.data, tar.len, diff_id);
  if (!gzip(&tar, &gz)) {
    snprintf(err, errsz, "out of memory compressing the layer");
    goto out;
  }
  layer_size = gz.len;
  if (!add_blob(bs, &gz, layer_digest))
    goto oom;

  config = cJSON_CreateObject();
  if (s->has_epoch) {
    char when[32];
    rfc3339(s->epoch, when);
    cJSON_AddStringToObject(config, "created", when);
  }
  cJSON_AddStringToObject(config, "architecture", p->arch);
  cJSON_AddStringToObject(config, "os", p->os);
  if (p->variant)
    cJSON_AddStringToObject(config, "variant", p->variant);
  cJSON *cc = cJSON_AddObjectToObject(config, "config");
  /* "--" ends the launcher's own options: every argument given to the
   * container is the program's, even one that is "--" or looks like a
   * launcher option (the grants are baked in) */
  cJSON *entry = cJSON_AddArrayToObject(cc, "Entrypoint");
  cJSON_AddItemToArray(entry, cJSON_CreateString("/app"));
  cJSON_AddItemToArray(entry, cJSON_CreateString("--"));
  if (s->nenv) {
    cJSON *env = cJSON_AddArrayToObject(cc, "Env");
    for (int i = 0; i < s->nenv; i++)
      cJSON_AddItemToArray(env, cJSON_CreateString(s->env[i]));
  }
  cJSON_AddStringToObject(cc, "WorkingDir", "/");
  if (n > 1) {
    cJSON *vols = cJSON_AddObjectToObject(cc, "Volumes");
    for (size_t j = 0; j < n; j++) {
      if (strcmp(items[j].path, "app") == 0)
        continue;
      char v[4096];
      snprintf(v, sizeof v, "/%.*s", (int)strlen(items[j].path) - 1, items[j].path);
      cJSON_AddObjectToObject(vols, v);
    }
  }
  cJSON *labels = cJSON_AddObjectToObject(cc, "Labels");
  cJSON_AddStringToObject(labels, "dev.wasmc.module", s->module_file);
  cJSON_AddStringToObject(labels, "dev.wasmc.module.digest", s->module_digest);
  cJSON_AddStringToObject(labels, "dev.wasmc.version", WASMC_VERSION);
  cJSON_AddStringToObject(labels, "dev.wasmc.build", s->build_options);
  cJSON_AddStringToObject(labels, "org.opencontainers.image.title", s->name);
  cJSON *rootfs = cJSON_AddObjectToObject(config, "rootfs");
  cJSON_AddStringToObject(rootfs, "type", "layers");
  cJSON *ids = cJSON_AddArrayToObject(rootfs, "diff_ids");
  cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id));
  cJSON *hist = cJSON_AddArrayToObject(config, "history");
  cJSON *h = cJSON_CreateObject();
  char by[512];
  snprintf(by, sizeof by, "wasmc %s image %s %s", WASMC_VERSION, s->module_file,
           s->build_options);
  cJSON_AddStringToObject(h, "created_by", by);
  cJSON_AddItemToArray(hist, h);
  if (!json_blob(bs, config, config_digest, &config_size))
    goto oom;

  manifest = cJSON_CreateObject();
  cJSON_AddNumberToObject(manifest, "schemaVersion", 2);
  cJSON_AddStringToObject(manifest, "mediaType", MT_MANIFEST);
  cJSON_AddItemToObject(manifest, "config",
                        descriptor(MT_CONFIG, config_digest, config_size));
  cJSON *layers = cJSON_AddArrayToObject(manifest, "layers");
  cJSON_AddItemToArray(layers, descriptor(MT_LAYER, layer_digest, layer_size));
  if (!json_blob(bs, manifest, manifest_digest, &manifest_size))
    goto oom;
  *desc = descriptor(MT_MANIFEST, manifest_digest, manifest_size);
  cJSON_AddItemToObject(*desc, "platform", platform_json(p));
  ok = true;
  goto out;
oom:
  snprintf(err, errsz, "out of memory building the image");
out:
  cJSON_Delete(config);
  cJSON_Delete(manifest);
  free(exe.data);
  free(tar.data);
  free(gz.data);
  return ok;
}

/* ---- output ----------------------------------------------------------------- */

static bool write_all(const char *path, const void *data, size_t size,
                      char *err, size_t errsz) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  const unsigned char *p = data;
  size_t left = size;
  bool ok = fd >= 0;
  while (ok && left) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    ok = w > 0;
    if (ok) {
      p += w;
      left -= (size_t)w;
    }
  }
  if (fd >= 0 && close(fd) != 0)
    ok = false;
  if (!ok)
    snprintf(err, errsz, "cannot write '%s': %s", path, strerror(errno));
  return ok;
}

/* rm -r of a directory this module wrote (no symlinks, two levels). */
static void remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *de;
    while ((de = readdir(d))) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      char sub[4096];
      snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
      struct stat st;
      if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
        remove_tree(sub);
      else
        unlink(sub);
    }
    closedir(d);
  }
  rmdir(path);
}

static const char layout_file[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

/* The layout as a directory: written under tmp, then renamed to out
 * (an earlier image layout at out is replaced). */
static bool write_layout_dir(const blobs *bs, const buf *index, const char *out,
                             char *err, size_t errsz) {
  struct stat st;
  bool exists = stat(out, &st) == 0;
  char probe[4096 + 16];
  snprintf(probe, sizeof probe, "%s/oci-layout", out);
  if (exists && (!S_ISDIR(st.st_mode) || access(probe, F_OK) != 0)) {
    snprintf(err, errsz, "'%s' exists and is not an OCI image layout "
             "directory; not replacing it", out);
    return false;
  }
  char tmp[4096], path[4096 + 128];
  if (snprintf(tmp, sizeof tmp, "%s.wasmc-tmp-XXXXXX", out) >= (int)sizeof tmp) {
    snprintf(err, errsz, "cannot write '%s': %s", out, strerror(ENAMETOOLONG));
    return false;
  }
  if (!mkdtemp(tmp)) {
    snprintf(err, errsz, "cannot write '%s': %s", out, strerror(errno));
    return false;
  }
  bool ok = chmod(tmp, 0755) == 0;
  snprintf(path, sizeof path, "%s/blobs", tmp);
  ok = ok && mkdir(path, 0755) == 0;
  snprintf(path, sizeof path, "%s/blobs/sha256", tmp);
  ok = ok && mkdir(path, 0755) == 0;
  if (!ok)
    snprintf(err, errsz, "cannot write '%s': %s", tmp, strerror(errno));
  for (size_t i = 0; ok && i < bs->n; i++) {
    snprintf(path, sizeof path, "%s/blobs/sha256/%s", tmp, bs->v[i].hex);
    ok = write_all(path, bs->v[i].bytes.data, bs->v[i].bytes.len, err, errsz);
  }
  snprintf(path, sizeof path, "%s/oci-layout", tmp);
  ok = ok && write_all(path, layout_file, strlen(layout_file), err, errsz);
  snprintf(path, sizeof path, "%s/index.json", tmp);
  ok = ok && write_all(path, index->data, index->len, err, errsz);
  char old[4096 + 32] = "";
  if (ok && exists) {
    /* move the old image aside, the new one in, then drop the old */
    snprintf(old, sizeof old, "%s.wasmc-old-XXXXXX", out);
    if (!mkdtemp(old) || rmdir(old) != 0 || rename(out, old) != 0) {
      snprintf(err, errsz, "cannot replace '%s': %s", out, strerror(errno));
      old[0] = '\0';
      ok = false;
    }
  }
  if (ok && rename(tmp, out) != 0) {
    snprintf(err, errsz, "cannot write '%s': %s", out, strerror(errno));
    if (old[0])
      rename(old, out);
    old[0] = '\0';
    ok = false;
  }
  if (!ok)
    remove_tree(tmp);
  if (old[0])
    remove_tree(old);
  return ok;
}

/* The layout as an OCI archive: a tar of the same files, written to a
 * temporary file beside out and renamed over it. */
static bool write_layout_tar(const blobs *bs, const buf *index, const char *out,
                             char *err, size_t errsz) {
  struct stat st;
  if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
    snprintf(err, errsz, "'%s' is a directory", out);
    return false;
  }
  size_t n = bs->n + 4;
  tar_item *items = calloc(n, sizeof *items);
  char (*names)[80] = calloc(bs->n + 1, sizeof *names);
  buf tar = {0};
  bool ok = items && names;
  if (!ok)
    snprintf(err, errsz, "out of memory");
  size_t k = 0;
  if (ok) {
    items[k++] = (tar_item){"oci-layout", layout_file, strlen(layout_file), 0644};
    items[k++] = (tar_item){"index.json", index->data, index->len, 0644};
    items[k++] = (tar_item){"blobs/", NULL, 0, 0755};
    items[k++] = (tar_item){"blobs/sha256/", NULL, 0, 0755};
    for (size_t i = 0; i < bs->n; i++) {
      snprintf(names[i], sizeof names[i], "blobs/sha256/%s", bs->v[i].hex);
      items[k++] = (tar_item){names[i], bs->v[i].bytes.data, bs->v[i].bytes.len, 0644};
    }
    ok = tar_items(items, k, 0, &tar, err, errsz);
  }
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.wasmc-tmp-XXXXXX", out) >= (int)sizeof tmp) {
    snprintf(err, errsz, "cannot write '%s': %s", out, strerror(ENAMETOOLONG));
    ok = false;
  }
  int fd = ok ? mkstemp(tmp) : -1;
  if (ok && fd < 0) {
    snprintf(err, errsz, "cannot write '%s': %s", out, strerror(errno));
    ok = false;
  }
  if (fd >= 0) {
    close(fd);
    unlink(tmp); /* write_all creates it anew (O_EXCL) */
    ok = write_all(tmp, tar.data, tar.len, err, errsz) &&
         chmod(tmp, 0644) == 0;
    if (ok && rename(tmp, out) != 0) {
      snprintf(err, errsz, "cannot write '%s': %s", out, strerror(errno));
      ok = false;
    }
    if (!ok)
      unlink(tmp);
  }
  free(items);
  free(names);
  free(tar.data);
  return ok;
}

bool image_write(const image_spec *s, const char *out, char *err, size_t errsz) {
  blobs bs = {0};
  cJSON *index = NULL, *top = NULL;
  buf index_bytes = {0};
  bool ok = false;

  cJSON *descs[IMAGE_MAX_PLATFORMS] = {0};
  for (int k = 0; k < s->nplatforms; k++)
    if (!add_platform(s, k, &bs, &descs[k], err, errsz))
      goto out;

  /* what index.json names: the manifest, or an index of the manifests */
  cJSON *entry;
  if (s->nplatforms == 1) {
    entry = descs[0];
    descs[0] = NULL;
  } else {
    index = cJSON_CreateObject();
    cJSON_AddNumberToObject(index, "schemaVersion", 2);
    cJSON_AddStringToObject(index, "mediaType", MT_INDEX);
    cJSON *ms = cJSON_AddArrayToObject(index, "manifests");
    for (int k = 0; k < s->nplatforms; k++) {
      cJSON_AddItemToArray(ms, descs[k]);
      descs[k] = NULL;
    }
    char digest[72];
    size_t size;
    if (!json_blob(&bs, index, digest, &size)) {
      snprintf(err, errsz, "out of memory building the image");
      goto out;
    }
    entry = descriptor(MT_INDEX, digest, size);
  }
  char full[600];
  snprintf(full, sizeof full, "%s:%s", s->name, s->tag);
  cJSON *ann = cJSON_AddObjectToObject(entry, "annotations");
  cJSON_AddStringToObject(ann, "io.containerd.image.name", full);
  cJSON_AddStringToObject(ann, "org.opencontainers.image.ref.name", s->tag);

  top = cJSON_CreateObject();
  cJSON_AddNumberToObject(top, "schemaVersion", 2);
  cJSON_AddStringToObject(top, "mediaType", MT_INDEX);
  cJSON_AddItemToArray(cJSON_AddArrayToObject(top, "manifests"), entry);
  char *text = cJSON_PrintUnformatted(top);
  if (!text || !buf_add(&index_bytes, text, strlen(text))) {
    free(text);
    snprintf(err, errsz, "out of memory building the image");
    goto out;
  }
  free(text);

  size_t len = strlen(out);
  bool archive = len > 4 && strcmp(out + len - 4, ".tar") == 0;
  ok = archive ? write_layout_tar(&bs, &index_bytes, out, err, errsz)
               : write_layout_dir(&bs, &index_bytes, out, err, errsz);
out:
  for (int k = 0; k < s->nplatforms; k++)
    cJSON_Delete(descs[k]);
  cJSON_Delete(index);
  cJSON_Delete(top);
  for (size_t i = 0; i < bs.n; i++)
    free(bs.v[i].bytes.data);
  free(bs.v);
  free(index_bytes.data);
  return ok;
}

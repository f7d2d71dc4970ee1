/* test_image.c: unit tests of compiler/image.c (`wasmc image`): platform
 * lists, image references, the WASI-command check, and the image itself:
 * its structure (index -> manifest -> config + layer, digests and sizes
 * that match the blobs, diff_id = sha256 of the uncompressed layer, the
 * layer's single file), that two writes give the same bytes, and that a
 * failed write leaves nothing behind. The container runtimes' view of the
 * images is tested by tests/containers/run.
 */
#include <criterion/criterion.h>

#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "wasm_builder.h"

/* ---- platforms and references --------------------------------------- */

Test(image, platforms) {
  const image_platform *p[IMAGE_MAX_PLATFORMS];
  int n = 0;
  char err[256];
  cr_assert(image_parse_platforms("linux/amd64,linux/arm64/v8,linux/riscv64", p,
                                  &n, err, sizeof err), "%s", err);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(p[0]->target, "x86_64");
  cr_assert_str_eq(p[1]->arch, "arm64");
  cr_assert_str_eq(p[1]->variant, "v8");
  cr_assert_str_eq(p[2]->target, "riscv64");
  cr_assert(image_parse_platforms("linux/arm64", p, &n, err, sizeof err));
  cr_assert_eq(n, 1);
  cr_assert_not(image_parse_platforms("linux/s390x", p, &n, err, sizeof err));
  cr_assert(strstr(err, "linux/s390x"), "%s", err);
  cr_assert_not(image_parse_platforms("linux/amd64,linux/amd64", p, &n, err, sizeof err));
  cr_assert(strstr(err, "twice"), "%s", err);
  cr_assert_not(image_parse_platforms("linux/amd64,", p, &n, err, sizeof err));
  cr_assert_not(image_parse_platforms("", p, &n, err, sizeof err));
  cr_assert_not(image_parse_platforms("amd64", p, &n, err, sizeof err));
  cr_assert_str_eq(image_platform_for("aarch64")->arch, "arm64");
  cr_assert_str_eq(image_platform_for("x86_64")->arch, "amd64");
  cr_assert_null(image_platform_for("s390x"));
  cr_assert_null(image_platform_for(NULL));
}

Test(image, references) {
  char name[256], tag[130], err[512];
  cr_assert(image_parse_ref("hello", name, sizeof name, tag, sizeof tag, err, sizeof err));
  cr_assert_str_eq(name, "hello");
  cr_assert_str_eq(tag, "latest");
  cr_assert(image_parse_ref("localhost:5000/team/app_x:v1.2-rc", name, sizeof name,
                            tag, sizeof tag, err, sizeof err), "%s", err);
  cr_assert_str_eq(name, "localhost:5000/team/app_x");
  cr_assert_str_eq(tag, "v1.2-rc");
  cr_assert(image_parse_ref("registry.example.com/a/b", name, sizeof name, tag,
                            sizeof tag, err, sizeof err));
  cr_assert_str_eq(tag, "latest");
  const char *bad[] = {"Hello", "a:", ":t", "a//b", "-a", "a-:x", "a:.x",
                       "a b", "a/B", "a:t/x", "a..b", "a___b"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_assert_not(image_parse_ref(bad[i], name, sizeof name, tag, sizeof tag,
                                  err, sizeof err), "accepted '%s'", bad[i]);
  char long_tag[200] = "a:";
  memset(long_tag + 2, 'x', 129);
  cr_assert_not(image_parse_ref(long_tag, name, sizeof name, tag, sizeof tag, err,
                                sizeof err));
}

Test(image, default_name) {
  char n[64];
  image_default_name("dir/Hello_World.wasm", n, sizeof n);
  cr_assert_str_eq(n, "hello_world");
  image_default_name("/x/My App!.wasm", n, sizeof n);
  cr_assert_str_eq(n, "my-app");
  image_default_name("__.wasm", n, sizeof n);
  cr_assert_str_eq(n, "app");
  char ref_name[256], tag[130], err[256];
  image_default_name("../a..b--c.wasm", n, sizeof n);
  cr_assert(image_parse_ref(n, ref_name, sizeof ref_name, tag, sizeof tag, err,
                            sizeof err), "default name '%s' is not a reference", n);
}

/* ---- the WASI-command check ---------------------------------------------- */

/* A module importing `imp` (module.name, with the given type) when imp is
 * not NULL, and exporting function 0 or 1 as `exp` with type `exp_type`. */
static wasm_module *command(wb_buf *b, const char *imp_mod, const char *imp,
                            const char *imp_params, const char *imp_results,
                            const char *exp, const char *exp_params) {
  *b = wb_module();
  size_t s = wb_section(b, WB_SEC_TYPE);
  wb_uleb(b, 2);
  wb_functype(b, exp_params, "");
  wb_functype(b, imp_params ? imp_params : "", imp_results ? imp_results : "");
  wb_end(b, s);
  if (imp) {
    s = wb_section(b, WB_SEC_IMPORT);
    wb_uleb(b, 1);
    wb_name(b, imp_mod);
    wb_name(b, imp);
    WB(b, 0x00, 0x01);
    wb_end(b, s);
  }
  s = wb_section(b, WB_SEC_FUNC);
  WB(b, 0x01, 0x00);
  wb_end(b, s);
  s = wb_section(b, WB_SEC_EXPORT);
  wb_uleb(b, 1);
  wb_name(b, exp);
  WB(b, 0x00, imp ? 0x01 : 0x00);
  wb_end(b, s);
  s = wb_section(b, WB_SEC_CODE);
  wb_uleb(b, 1);
  size_t body = wb_begin(b);
  WB(b, 0x00, 0x0B);
  wb_end(b, body);
  wb_end(b, s);
  wasm_error err = {0};
  wasm_module *m = wb_decode(b, &err);
  cr_assert(m, "decode: %s", err.msg);
  return m;
}

static bool check(wasm_module *m, char *err, size_t errsz) {
  uint32_t off;
  return image_check_command(m, &off, err, errsz);
}

Test(image, wasi_command) {
  wb_buf b;
  char err[512];
  wasm_module *m = command(&b, NULL, NULL, NULL, NULL, "_start", "");
  cr_assert(check(m, err, sizeof err), "%s", err);
  wasm_module_free(m), wb_free(&b);

  m = command(&b, "wasi_snapshot_preview1", "fd_write", "iiii", "i", "_start", "");
  cr_assert(check(m, err, sizeof err), "%s", err);
  wasm_module_free(m), wb_free(&b);

  m = command(&b, NULL, NULL, NULL, NULL, "main", "");
  cr_assert_not(check(m, err, sizeof err));
  cr_assert(strstr(err, "_start"), "%s", err);
  wasm_module_free(m), wb_free(&b);

  m = command(&b, NULL, NULL, NULL, NULL, "_start", "i");
  cr_assert_not(check(m, err, sizeof err));
  cr_assert(strstr(err, "[] -> []"), "%s", err);
  wasm_module_free(m), wb_free(&b);

  m = command(&b, "env", "f", "", "", "_start", "");
  cr_assert_not(check(m, err, sizeof err));
  cr_assert(strstr(err, "env.f"), "%s", err);
  wasm_module_free(m), wb_free(&b);

  m = command(&b, "wasi_snapshot_preview1", "fd_frobnicate", "i", "i", "_start", "");
  cr_assert_not(check(m, err, sizeof err));
  cr_assert(strstr(err, "no such function"), "%s", err);
  wasm_module_free(m), wb_free(&b);

  m = command(&b, "wasi_snapshot_preview1", "fd_write", "iii", "i", "_start", "");
  cr_assert_not(check(m, err, sizeof err));
  cr_assert(strstr(err, "wrong signature"), "%s", err);
  wasm_module_free(m), wb_free(&b);
}

/* ---- writing images ------------------------------------------------------ */

static char *slurp(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  cr_assert(f, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = malloc((size_t)n + 1);
  cr_assert(fread(p, 1, (size_t)n, f) == (size_t)n);
  p[n] = '\0';
  fclose(f);
  *size = (size_t)n;
  return p;
}

static cJSON *blob_json(const char *layout, const char *digest, size_t *size) {
  char path[4096];
  cr_assert(strncmp(digest, "sha256:", 7) == 0);
  snprintf(path, sizeof path, "%s/blobs/sha256/%s", layout, digest + 7);
  char *text = slurp(path, size);
  char d[72];
  image_sha256_digest(text, *size, d);
  cr_assert_str_eq(d, digest, "blob %s has digest %s", path, d);
  cJSON *j = cJSON_Parse(text);
  cr_assert(j, "blob %s is not JSON", path);
  free(text);
  return j;
}

static const char *str(cJSON *o, const char *k) {
  cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  cr_assert(cJSON_IsString(v), "no string %s", k);
  return v->valuestring;
}

static double num(cJSON *o, const char *k) {
  cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
  cr_assert(cJSON_IsNumber(v), "no number %s", k);
  return v->valuedouble;
}

/* Writes a fake executable and the spec of an image of it. */
static char workdir[] = "/tmp/wasmc-test-image-XXXXXX";
static const image_platform *plats[IMAGE_MAX_PLATFORMS];
static const char *exes[IMAGE_MAX_PLATFORMS];
static char exe_path[4096];
static const char *env[] = {"GREETING=hi"};
static const char *dirs[] = {"/data", "work/in"};

static image_spec spec_for(int nplatforms) {
  cr_assert(mkdtemp(workdir));
  snprintf(exe_path, sizeof exe_path, "%s/app", workdir);
  FILE *f = fopen(exe_path, "wb");
  for (int i = 0; i < 5000; i++)
    fprintf(f, "not really an executable %d\n", i);
  fclose(f);
  int n;
  char err[256];
  cr_assert(image_parse_platforms("linux/amd64,linux/arm64,linux/riscv64", plats,
                                  &n, err, sizeof err));
  for (int i = 0; i < nplatforms; i++)
    exes[i] = exe_path;
  image_spec s = {.name = "demo/app", .tag = "v1", .module_file = "app.wasm",
                  .build_options = "-O2", .env = env, .nenv = 1, .dirs = dirs,
                  .ndirs = 2, .nplatforms = nplatforms, .platforms = plats,
                  .executables = exes};
  image_sha256_digest("module", 6, s.module_digest);
  return s;
}

static void cleanup(void) {
  char cmd[4200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
  cr_assert(system(cmd) == 0);
}

/* The layer's entries, and its diff_id checked against its tar. */
static void check_layer(const char *layout, cJSON *desc, const char *diff_id) {
  char path[4096];
  snprintf(path, sizeof path, "%s/blobs/sha256/%s", layout, str(desc, "digest") + 7);
  size_t size;
  char *gz = slurp(path, &size);
  cr_assert_eq((double)size, num(desc, "size"));
  char d[72];
  image_sha256_digest(gz, size, d);
  cr_assert_str_eq(d, str(desc, "digest"));
  /* gunzip with libarchive's raw reader, then list the tar */
  struct archive *a = archive_read_new();
  archive_read_support_filter_gzip(a);
  archive_read_support_format_raw(a);
  cr_assert_eq(archive_read_open_memory(a, gz, size), ARCHIVE_OK);
  struct archive_entry *e;
  cr_assert_eq(archive_read_next_header(a, &e), ARCHIVE_OK);
  size_t cap = 1 << 20, len = 0;
  char *tar = malloc(cap);
  la_ssize_t r;
  while ((r = archive_read_data(a, tar + len, cap - len)) > 0)
    if ((len += (size_t)r) == cap) tar = realloc(tar, cap *= 2);
  archive_read_free(a);
  image_sha256_digest(tar, len, d);
  cr_assert_str_eq(d, diff_id, "diff_id is not the uncompressed layer's digest");

  a = archive_read_new();
  archive_read_support_format_tar(a);
  cr_assert_eq(archive_read_open_memory(a, tar, len), ARCHIVE_OK);
  const char *want[] = {"app", "data/", "work/in/"};
  int n = 0;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    cr_assert_lt(n, 3);
    cr_assert_str_eq(archive_entry_pathname(e), want[n], "entry %d", n);
    cr_assert_eq(archive_entry_uid(e), 0);
    cr_assert_eq(archive_entry_gid(e), 0);
    cr_assert_eq(archive_entry_mtime(e), 0);
    cr_assert_eq(archive_entry_perm(e), 0755);
    if (n == 0) {
      size_t esz;
      char *exe = slurp(exe_path, &esz);
      cr_assert_eq((size_t)archive_entry_size(e), esz);
      char *got = malloc(esz);
      cr_assert_eq(archive_read_data(a, got, esz), (la_ssize_t)esz);
      cr_assert(memcmp(got, exe, esz) == 0);
      free(got);
      free(exe);
    }
    n++;
  }
  cr_assert_eq(n, 3);
  archive_read_free(a);
  free(tar);
  free(gz);
}

/* One platform's manifest, config and layer. */
static void check_manifest(const char *layout, cJSON *desc, const char *arch) {
  cr_assert_str_eq(str(desc, "mediaType"), "application/vnd.oci.image.manifest.v1+json");
  cJSON *plat = cJSON_GetObjectItemCaseSensitive(desc, "platform");
  cr_assert_str_eq(str(plat, "architecture"), arch);
  cr_assert_str_eq(str(plat, "os"), "linux");
  size_t size;
  cJSON *man = blob_json(layout, str(desc, "digest"), &size);
  cr_assert_eq((double)size, num(desc, "size"));
  cr_assert_eq(num(man, "schemaVersion"), 2);
  cJSON *cdesc = cJSON_GetObjectItemCaseSensitive(man, "config");
  cJSON *config = blob_json(layout, str(cdesc, "digest"), &size);
  cr_assert_eq((double)size, num(cdesc, "size"));
  cr_assert_str_eq(str(config, "architecture"), arch);
  cr_assert_null(cJSON_GetObjectItemCaseSensitive(config, "created"));
  cJSON *cc = cJSON_GetObjectItemCaseSensitive(config, "config");
  /* /app -- : container arguments are all the program's */
  cJSON *entry = cJSON_GetObjectItem(cc, "Entrypoint");
  cr_assert_eq(cJSON_GetArraySize(entry), 2);
  cr_assert_str_eq(cJSON_GetArrayItem(entry, 0)->valuestring, "/app");
  cr_assert_str_eq(cJSON_GetArrayItem(entry, 1)->valuestring, "--");
  cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(cc, "Env"), 0)->valuestring,
                   "GREETING=hi");
  cr_assert_str_eq(str(cc, "WorkingDir"), "/");
  cJSON *vols = cJSON_GetObjectItemCaseSensitive(cc, "Volumes");
  cr_assert(cJSON_GetObjectItemCaseSensitive(vols, "/data"));
  cr_assert(cJSON_GetObjectItemCaseSensitive(vols, "/work/in"));
  cJSON *labels = cJSON_GetObjectItemCaseSensitive(cc, "Labels");
  cr_assert(strncmp(str(labels, "dev.wasmc.module.digest"), "sha256:", 7) == 0);
  cr_assert(str(labels, "dev.wasmc.version")[0]);
  cJSON *ids = cJSON_GetObjectItemCaseSensitive(
      cJSON_GetObjectItemCaseSensitive(config, "rootfs"), "diff_ids");
  cJSON *layers = cJSON_GetObjectItemCaseSensitive(man, "layers");
  cr_assert_eq(cJSON_GetArraySize(layers), 1);
  cr_assert_eq(cJSON_GetArraySize(ids), 1);
  check_layer(layout, cJSON_GetArrayItem(layers, 0), cJSON_GetArrayItem(ids, 0)->valuestring);
  cJSON_Delete(config);
  cJSON_Delete(man);
}

/* Writes s as the layout WORKDIR/img (its path in out) and returns the
 * text of its index.json (whose path is put in index_path). */
static char *write_img(const image_spec *s, char out[4200], char index_path[4300],
                       size_t *size) {
  char err[512];
  snprintf(out, 4200, "%s/img", workdir);
  cr_assert(image_write(s, out, err, sizeof err), "%s", err);
  snprintf(index_path, 4300, "%s/index.json", out);
  return slurp(index_path, size);
}

Test(image, layout_one_platform) {
  image_spec s = spec_for(1);
  char out[4200], err[512], path[4300], layout_path[4300];
  size_t size;
  char *text = write_img(&s, out, path, &size);
  snprintf(layout_path, sizeof layout_path, "%s/oci-layout", out);
  char *layout = slurp(layout_path, &size);
  cr_assert_str_eq(layout, "{\"imageLayoutVersion\":\"1.0.0\"}");
  free(layout);
  text = (free(text), slurp(path, &size));
  cJSON *index = cJSON_Parse(text);
  cJSON *ms = cJSON_GetObjectItemCaseSensitive(index, "manifests");
  cr_assert_eq(cJSON_GetArraySize(ms), 1);
  cJSON *d = cJSON_GetArrayItem(ms, 0);
  cJSON *ann = cJSON_GetObjectItemCaseSensitive(d, "annotations");
  cr_assert_str_eq(str(ann, "org.opencontainers.image.ref.name"), "v1");
  cr_assert_str_eq(str(ann, "io.containerd.image.name"), "demo/app:v1");
  check_manifest(out, d, "amd64");
  cJSON_Delete(index);

  /* a second write replaces the layout with the same bytes */
  cr_assert(image_write(&s, out, err, sizeof err), "%s", err);
  size_t size2;
  char *text2 = slurp(path, &size2);
  cr_assert(size == size2 && memcmp(text, text2, size) == 0);
  free(text);
  free(text2);
  cleanup();
}

Test(image, index_of_three_platforms) {
  image_spec s = spec_for(3);
  char out[4200], path[4300];
  size_t size;
  char *text = write_img(&s, out, path, &size);
  cJSON *top = cJSON_Parse(text);
  cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(top, "manifests"), 0);
  cr_assert_str_eq(str(d, "mediaType"), "application/vnd.oci.image.index.v1+json");
  cJSON *index = blob_json(out, str(d, "digest"), &size);
  cJSON *ms = cJSON_GetObjectItemCaseSensitive(index, "manifests");
  cr_assert_eq(cJSON_GetArraySize(ms), 3);
  check_manifest(out, cJSON_GetArrayItem(ms, 0), "amd64");
  check_manifest(out, cJSON_GetArrayItem(ms, 1), "arm64");
  check_manifest(out, cJSON_GetArrayItem(ms, 2), "riscv64");
  cJSON *arm = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ms, 1), "platform");
  cr_assert_str_eq(str(arm, "variant"), "v8");
  cJSON_Delete(index);
  cJSON_Delete(top);
  free(text);
  cleanup();
}

Test(image, archive_is_reproducible) {
  image_spec s = spec_for(2);
  char a[4200], b[4200], err[512];
  snprintf(a, sizeof a, "%s/a.tar", workdir);
  snprintf(b, sizeof b, "%s/b.tar", workdir);
  cr_assert(image_write(&s, a, err, sizeof err), "%s", err);
  cr_assert(image_write(&s, b, err, sizeof err), "%s", err);
  size_t na, nb;
  char *x = slurp(a, &na), *y = slurp(b, &nb);
  cr_assert(na == nb && memcmp(x, y, na) == 0, "two writes differ");
  free(x);
  free(y);
  /* SOURCE_DATE_EPOCH-style times change the bytes, and only then */
  s.has_epoch = true;
  s.epoch = 1700000000;
  cr_assert(image_write(&s, b, err, sizeof err), "%s", err);
  y = slurp(b, &nb);
  x = slurp(a, &na);
  cr_assert(na != nb || memcmp(x, y, na) != 0);
  free(x);
  free(y);
  cleanup();
}

Test(image, failure_leaves_nothing) {
  image_spec s = spec_for(1);
  char out[4200], err[512];
  /* an unreadable executable: nothing written */
  exes[0] = "/nonexistent/app";
  snprintf(out, sizeof out, "%s/img.tar", workdir);
  cr_assert_not(image_write(&s, out, err, sizeof err));
  cr_assert(strstr(err, "/nonexistent/app"), "%s", err);
  exes[0] = exe_path;
  /* a directory that is not an image layout is not replaced */
  snprintf(out, sizeof out, "%s/notimage", workdir);
  cr_assert(mkdir(out, 0755) == 0);
  cr_assert_not(image_write(&s, out, err, sizeof err));
  cr_assert(strstr(err, "not an OCI image layout"), "%s", err);
  /* a missing parent */
  snprintf(out, sizeof out, "%s/no/such/dir/img", workdir);
  cr_assert_not(image_write(&s, out, err, sizeof err));
  /* only the executable, the directory made above and nothing else */
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", workdir);
  cr_assert(system(cmd) == 0, "temporary files were left in %s", workdir);
  cleanup();
}

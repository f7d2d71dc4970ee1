/* image_cmd.c: the `image` command: one static, stripped executable per
 * platform (compile_file, as `build --static -s`), then the OCI image
 * of them (image.c), written whole or not at all. */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit.h"
#include "image.h"
#include "target.h"

/* The baked grants, as an image needs them: `--env K=V` becomes the
 * config's Env entry K=V plus a baked pass-through `--env K`, so the
 * container's environment reaches the program and `podman run -e K=W`
 * overrides the default as users of containers expect; `--dir HOST::GUEST`
 * stays baked, and HOST (a path inside the container) becomes a directory
 * of the layer and a declared volume, where a volume mount grants the
 * program a host directory. */
static int image_grants(cli_args *c, const char **env, int *nenv,
                        char **names, const char **dirs, char (*dirbuf)[4096],
                        int *ndirs) {
  *nenv = *ndirs = 0;
  for (int k = 0; k < c->ngrants; k += 2) {
    const char *opt = c->grants[k], *v = c->grants[k + 1];
    if (strcmp(opt, "--env") == 0 && strchr(v, '=')) {
      char *name = strndup(v, (size_t)(strchr(v, '=') - v));
      if (!name) {
        fputs("wasmc: error: out of memory\n", stderr);
        return EXIT_BAD_INPUT;
      }
      names[*nenv] = name; /* freed by the caller */
      env[(*nenv)++] = v;
      c->grants[k + 1] = name;
    } else if (strcmp(opt, "--dir") == 0) {
      const char *sep = strstr(v, "::");
      size_t len = sep ? (size_t)(sep - v) : strlen(v);
      if (*ndirs == 64)
        return usage_error("'image' takes at most 64 --dir grants");
      if (len >= sizeof dirbuf[0])
        return usage_error("--dir '%s': path too long", v);
      memcpy(dirbuf[*ndirs], v, len);
      dirbuf[*ndirs][len] = '\0';
      /* a clean path: no "." or ".." components (but "." alone, the root) */
      const char *p = dirbuf[*ndirs];
      bool clean = strcmp(p, ".") == 0;
      for (const char *q = p; !clean && *q;) {
        while (*q == '/') q++;
        size_t n = strcspn(q, "/");
        if ((n == 1 && q[0] == '.') || (n == 2 && q[0] == '.' && q[1] == '.'))
          return usage_error("--dir '%s': in an image HOST is a path inside the "
                             "container; give a clean one such as /data", v);
        q += n;
      }
      dirs[*ndirs] = dirbuf[*ndirs];
      (*ndirs)++;
    }
  }
  return EXIT_OK;
}

static int image_main(cli_args *cp) {
  cli_args c = *cp;
  int rc;
  if (!c.file)
    return usage_error("'image' needs a FILE");
  if (!c.out)
    return usage_error("'image' needs -o OUT (a directory for an OCI image "
                       "layout, or FILE.tar for an OCI archive)");
  char msg[1024];
  const image_platform *plats[IMAGE_MAX_PLATFORMS];
  int nplats = 0;
  if (c.platforms) {
    if (!image_parse_platforms(c.platforms, plats, &nplats, msg, sizeof msg))
      return usage_error("%s", msg);
  } else if ((plats[0] = image_platform_for(target_host_arch()))) {
    nplats = 1;
  } else {
    return usage_error("this host has no OCI platform wasmc builds; give "
                       "--platform");
  }
  char name[256], tag[130];
  if (c.tag) {
    if (!image_parse_ref(c.tag, name, sizeof name, tag, sizeof tag, msg, sizeof msg))
      return usage_error("%s", msg);
  } else {
    image_default_name(c.file, name, sizeof name);
    strcpy(tag, "latest");
  }
  image_spec spec = {.name = name, .tag = tag};
  const char *epoch = getenv("SOURCE_DATE_EPOCH");
  if (epoch && *epoch) {
    char *end;
    errno = 0;
    long long e = strtoll(epoch, &end, 10);
    if (*end || errno || e < 0)
      return usage_error("SOURCE_DATE_EPOCH='%s' is not a number of seconds",
                         epoch);
    spec.epoch = e;
    spec.has_epoch = true;
  }
  const char *env[64], *dirs[64];
  char *env_names[64] = {0};
  static char dirbuf[64][4096];
  if (c.ngrants > 128) /* 64 grants: env[] and dirs[] hold 64 each */
    return usage_error("'image' takes at most 64 --env and 64 --dir grants");
  rc = image_grants(&c, env, &spec.nenv, env_names, dirs, dirbuf, &spec.ndirs);
  if (rc != EXIT_OK) {
    for (int k = 0; k < 64; k++)
      free(env_names[k]);
    return rc;
  }
  spec.env = env;
  spec.dirs = dirs;

  /* The module first: a module that is not a WASI command is refused
   * before anything is compiled. */
  int status = EXIT_BAD_INPUT;
  char exes[IMAGE_MAX_PLATFORMS][4096] = {{0}};
  uint8_t *bytes = NULL;
  wasm_module *m = cli_load_valid(c.file, NULL);
  if (!m)
    goto out;
  uint32_t offset = 0;
  if (!image_check_command(m, &offset, msg, sizeof msg)) {
    if (offset) {
      wasm_error err = {0};
      wasm_fail(&err, offset, "%s", msg);
      wasm_error_print(stderr, c.file, &err);
    } else {
      fprintf(stderr, "%s: error: %s\n", c.file, msg);
    }
    goto out;
  }
  wasm_module_free(m);
  m = NULL;
  size_t size = 0;
  if (!(bytes = cli_slurp(c.file, &size)))
    goto out;
  image_sha256_digest(bytes, size, spec.module_digest);
  const char *base = strrchr(c.file, '/');
  spec.module_file = base ? base + 1 : c.file;
  char options[512];
  int w = snprintf(options, sizeof options, "-O%d", c.opt_level);
  if (c.cpu) w += snprintf(options + w, sizeof options - (size_t)w, " --cpu %s", c.cpu);
  if (c.features && w < (int)sizeof options)
    w += snprintf(options + w, sizeof options - (size_t)w, " --features %s", c.features);
  if (c.bounds_checks && w < (int)sizeof options)
    w += snprintf(options + w, sizeof options - (size_t)w, " --bounds-checks");
  if (c.debug_info && w < (int)sizeof options)
    snprintf(options + w, sizeof options - (size_t)w, " -g");
  spec.build_options = options;

  const char *exe_paths[IMAGE_MAX_PLATFORMS];
  for (int k = 0; k < nplats; k++) {
    char triple[128], terr[256];
    if (!emit_resolve_triple(plats[k]->target, triple, sizeof triple, terr,
                             sizeof terr)) {
      fprintf(stderr, "wasmc: error: %s\n", terr);
      goto out;
    }
    if (!cli_temp_file(exes[k], sizeof exes[k], "")) {
      fprintf(stderr, "wasmc: error: cannot create a temporary file: %s\n",
              strerror(errno));
      exes[k][0] = '\0';
      goto out;
    }
    cli_args one = c;
    one.out = exes[k];
    one.strip = !c.debug_info; /* -g: the executables keep their DWARF */
    one.target = plats[k]->target;
    if ((rc = compile_file(&one, triple)) != EXIT_OK) {
      exes[k][0] = '\0'; /* compile_file removed it */
      fprintf(stderr, "wasmc: error: the image for %s/%s was not written\n",
              plats[k]->os, plats[k]->arch);
      status = rc;
      goto out;
    }
    exe_paths[k] = exes[k];
  }
  spec.nplatforms = nplats;
  spec.platforms = plats;
  spec.executables = exe_paths;
  if (!image_write(&spec, c.out, msg, sizeof msg)) {
    fprintf(stderr, "wasmc: error: %s\n", msg);
    goto out;
  }
  status = EXIT_OK;
out:
  for (int k = 0; k < nplats; k++)
    if (exes[k][0])
      unlink(exes[k]);
  free(bytes);
  wasm_module_free(m);
  for (int k = 0; k < spec.nenv; k++)
    free(env_names[k]);
  return cli_finish(status);
}


/* `image`: one static executable per platform, then the OCI image. */
int cmd_image(int argc, char **argv) {
  return cli_main(CLI_IMAGE, argc, argv, image_main);
}

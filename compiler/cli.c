/* cli.c: the driver's messages and its reading of the input module,
 * shared by every command (main.c, compile.c, image_cmd.c, run.c). */
#include "cli.h"
#include "timing.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wasmc: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs(" (see wasmc --help)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_finish(int status) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "wasmc: error: cannot write output: %s\n", strerror(errno));
    return status == EXIT_OK ? EXIT_BAD_INPUT : status;
  }
  return status;
}

/* stat + access rather than open: opening a FIFO here would consume its
 * writer before the decoder reads it. */
bool cli_check_readable(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
    fprintf(stderr, "wasmc: error: cannot open '%s': %s\n", path,
            strerror(errno));
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    fprintf(stderr, "wasmc: error: cannot read '%s': %s\n", path,
            strerror(EISDIR));
    return false;
  }
  return true;
}

wasm_module *cli_load(const char *path) {
  if (!cli_check_readable(path))
    return NULL;
  wasm_error err = {0};
  wasm_module *m = wasm_module_load_file(path, &err);
  if (!m) {
    if (!err.set)
      wasm_fail(&err, 0, "cannot load module");
    wasm_error_print(stderr, path, &err);
    return NULL;
  }
  return m;
}

void cli_print_name_warning(const char *path, const wasm_module *m) {
  if (m->name_warning[0])
    fprintf(stderr, "%s: warning: %s\n", path, m->name_warning);
}

void cli_report_invalid(const char *path, wasm_error *err) {
  if (!err->set)
    wasm_fail(err, 0, "invalid module");
  fflush(stdout);
  wasm_error_print(stderr, path, err);
}

wasm_module *cli_load_valid(const char *path, double *times) {
  timing_mark mark = times ? timing_now() : (timing_mark){0};
  wasm_module *m = cli_load(path);
  if (!m)
    return NULL;
  if (times)
    timing_lap(&mark, &times[0], &times[1]);
  cli_print_name_warning(path, m);
  wasm_error err = {0};
  bool valid = wasm_validate(m, &err);
  if (times)
    timing_lap(&mark, &times[2], &times[3]);
  if (!valid) {
    err.in_binary_of_text = m->from_text;
    cli_report_invalid(path, &err);
    wasm_module_free(m);
    return NULL;
  }
  return m;
}

bool cli_temp_file(char *buf, size_t n, const char *suffix) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  snprintf(buf, n, "%s/wasmc-XXXXXX%s", dir, suffix);
  int fd = mkstemps(buf, (int)strlen(suffix));
  if (fd < 0)
    return false;
  close(fd);
  return true;
}

uint8_t *cli_slurp(const char *path, size_t *size) {
  wasm_error err = {0};
  uint8_t *bytes = wasm_read_module_file(path, size, &err);
  if (!bytes && err.text)
    wasm_error_print(stderr, path, &err);
  else if (!bytes)
    fprintf(stderr, "wasmc: error: cannot read '%s': %s\n", path, strerror(errno));
  return bytes;
}

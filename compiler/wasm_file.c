/* wasm_file.c: a .wasm file (or pipe) read and decoded into a module, and
 * freeing a module (the compiler side; runtime/module.c loads compiled code).
 * A .wat file (text format) is converted to binary on the way in, so every
 * command that loads a module accepts both.
 *
 * Function bodies and data segments point into the input bytes, so a
 * module loaded from a file owns its buffer and frees it with everything
 * else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasm.h"
#include "wat.h"
#include "wat_lex.h"

/* The whole file in one malloc'd buffer. Regular files are read at their
 * stat size in one go; pipes and devices (/dev/stdin) grow a buffer, so
 * `wasmc inspect /dev/stdin < x.wasm` works too. */
static uint8_t *read_all(int fd, size_t *size_out) {
  struct stat st;
  size_t cap = 64 * 1024;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
    cap = (size_t)st.st_size + 1; /* +1: see EOF without another grow */
  uint8_t *buf = malloc(cap);
  if (!buf)
    return NULL;
  size_t size = 0;
  for (;;) {
    if (size == cap) {
      size_t ncap = cap * 2;
      uint8_t *nbuf = ncap > cap ? realloc(buf, ncap) : NULL;
      if (!nbuf) {
        free(buf);
        errno = ENOMEM;
        return NULL;
      }
      buf = nbuf;
      cap = ncap;
    }
    ssize_t n = read(fd, buf + size, cap - size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      int saved = errno;
      free(buf);
      errno = saved;
      return NULL;
    }
    if (n == 0)
      break;
    size += (size_t)n;
  }
  /* cap > size always holds here (a full buffer is grown before the read
   * that returns 0), so the terminator fits. */
  buf[size] = 0;
  *size_out = size;
  return buf;
}

uint8_t *wasm_read_file(const char *path, size_t *size, wasm_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int saved = errno; /* callers may report strerror(errno) themselves */
    wasm_fail(err, 0, "cannot open %s: %s", path, strerror(saved));
    errno = saved;
    return NULL;
  }
  uint8_t *bytes = read_all(fd, size);
  int saved = errno;
  close(fd);
  if (!bytes) {
    /* e.g. EISDIR: open() accepts a directory, read() does not */
    wasm_fail(err, 0, "cannot read %s: %s", path, strerror(saved));
    errno = saved;
  }
  return bytes;
}

/* wasm_read_module_file, also saying whether the file was text. */
static uint8_t *read_module(const char *path, size_t *size, wasm_error *err,
                            bool *was_text) {
  uint8_t *bytes = wasm_read_file(path, size, err);
  *was_text = bytes && wat_is_text(bytes, *size);
  if (!*was_text)
    return bytes;
  uint8_t *bin = NULL;
  size_t nbin = 0;
  if (!wat_to_wasm((const char *)bytes, *size, &bin, &nbin, err)) {
    err->text = true;
    wat_position((const char *)bytes, *size, err->offset, &err->line, &err->col);
    free(bytes);
    return NULL;
  }
  free(bytes);
  /* callers may rely on the NUL past the end that wasm_read_file adds */
  uint8_t *out = realloc(bin, nbin + 1);
  if (!out) {
    free(bin);
    wasm_fail(err, 0, "out of memory");
    return NULL;
  }
  out[nbin] = 0;
  *size = nbin;
  return out;
}

uint8_t *wasm_read_module_file(const char *path, size_t *size, wasm_error *err) {
  bool was_text;
  return read_module(path, size, err, &was_text);
}

wasm_module *wasm_module_load_file(const char *path, wasm_error *err) {
  size_t size = 0;
  bool was_text;
  uint8_t *bytes = read_module(path, &size, err, &was_text);
  if (!bytes)
    return NULL;
  wasm_module *m = wasm_decode(bytes, size, path, err);
  if (!m) {
    err->in_binary_of_text = was_text;
    free(bytes);
    return NULL;
  }
  m->from_text = was_text;
  m->owned_bytes = bytes;
  return m;
}

void wasm_module_free(wasm_module *m) {
  if (!m)
    return;
  /* m itself lives in its arena: take what we need out of it first */
  uint8_t *owned = m->owned_bytes;
  wasm_arena arena = m->arena;
  wasm_arena_free(&arena);
  free(owned);
}

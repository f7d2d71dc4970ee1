/* fdops.c: fd_fdstat_get on stdio, fd_seek/fd_tell on a seekable stdin
 * (a file redirected in) and on a pipe (ESPIPE = 70), fd_close, and the
 * preopened directories (fd_prestat_get / fd_prestat_dir_name). */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
int main(void) {
  __wasi_fdstat_t st;
  printf("fdstat(1): %d\n", __wasi_fd_fdstat_get(1, &st));
  __wasi_filesize_t pos;
  __wasi_errno_t e = __wasi_fd_seek(0, 3, __WASI_WHENCE_SET, &pos);
  if (e == 0) {
    char buf[4] = {0};
    __wasi_iovec_t iov = {(uint8_t *)buf, 3};
    __wasi_size_t n;
    if (__wasi_fd_read(0, &iov, 1, &n) || __wasi_fd_tell(0, &pos)) return 1;
    printf("seek stdin: ok, read '%s', tell=%llu\n", buf, (unsigned long long)pos);
  } else {
    printf("seek stdin: errno %d\n", e);
  }
  for (int fd = 3;; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps) != 0) break;
    char name[256] = {0};
    size_t len = ps.u.dir.pr_name_len < 255 ? ps.u.dir.pr_name_len : 255;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) || __wasi_fd_fdstat_get(fd, &st))
      return 1;
    printf("preopen fd %d: %s (filetype %d)\n", fd, name, st.fs_filetype);
  }
  printf("close(3): %d, again: %d\n", __wasi_fd_close(3), __wasi_fd_close(3));
  printf("prestat_dir_name short: %d\n", __wasi_fd_prestat_dir_name(4, (uint8_t *)&st, 1));
  return 0;
}

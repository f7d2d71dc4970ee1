/* badptr.c: WASI calls with guest pointers outside linear memory must
 * return EFAULT (21) to the guest, never crash the host; fds that are not
 * open give EBADF (8); a function not implemented yet gives NOSYS (52). */
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>
#define BAD ((void *)(uintptr_t)0xFFFFFFF0u)
int main(void) {
  __wasi_size_t n;
  printf("fd_write bad iovs: %d\n", __wasi_fd_write(1, BAD, 1, &n));
  __wasi_ciovec_t iov = {BAD, 100};
  printf("fd_write bad buf: %d\n", __wasi_fd_write(1, &iov, 1, &n));
  __wasi_ciovec_t ok = {(const uint8_t *)"x\n", 2};
  printf("fd_write bad nwritten: %d\n", __wasi_fd_write(1, &ok, 1, BAD));
  __wasi_iovec_t riov = {BAD, 16};
  printf("fd_read bad buf: %d\n", __wasi_fd_read(0, &riov, 1, &n));
  printf("random_get bad: %d\n", __wasi_random_get(BAD, 64));
  printf("random_get huge: %d\n", __wasi_random_get((uint8_t *)16, 0xFFFFFFF0u));
  printf("args_sizes_get bad: %d\n", __wasi_args_sizes_get(BAD, &n));
  printf("environ_get bad: %d\n", __wasi_environ_get(BAD, BAD));
  printf("clock_time_get bad: %d\n", __wasi_clock_time_get(1, 0, BAD));
  printf("fd_fdstat_get bad: %d\n", __wasi_fd_fdstat_get(1, BAD));
  printf("fd_write closed fd: %d\n", __wasi_fd_write(77, &ok, 1, &n));
  printf("fd_prestat_get stdout: %d\n", __wasi_fd_prestat_get(1, BAD));
  __wasi_filestat_t st;
  printf("fd_filestat_get: %d\n", __wasi_fd_filestat_get(1, &st));
  printf("still alive\n");
  return 0;
}

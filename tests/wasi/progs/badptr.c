/* badptr.c: WASI calls with guest pointers outside linear memory must
 * return EFAULT (21) to the guest, never crash the host; fds that are not
 * open give EBADF (8). Every call that takes a pointer gets a bad one at
 * least once. Run with a preopened directory (fd 3) and a listening
 * socket (fd 4, --tcplisten). */
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
  printf("fd_filestat_get bad: %d\n", __wasi_fd_filestat_get(1, BAD));
  char b[8];
  __wasi_iovec_t good = {(uint8_t *)b, sizeof b};
  printf("fd_pread bad iovs: %d\n", __wasi_fd_pread(0, BAD, 1, 0, &n));
  printf("fd_pread bad buf: %d\n", __wasi_fd_pread(0, &riov, 1, 0, &n));
  printf("fd_pread bad nread: %d\n", __wasi_fd_pread(0, &good, 1, 0, BAD));
  printf("fd_pwrite bad buf: %d\n", __wasi_fd_pwrite(1, &iov, 1, 0, &n));
  printf("fd_pwrite bad nwritten: %d\n", __wasi_fd_pwrite(1, &ok, 1, 0, BAD));
  printf("fd_readdir bad buf: %d\n", __wasi_fd_readdir(3, BAD, 64, 0, &n));
  printf("fd_readdir huge len: %d\n", __wasi_fd_readdir(3, (uint8_t *)b, 0xFFFFFF00u, 0, &n));
  printf("fd_readdir bad bufused: %d\n", __wasi_fd_readdir(3, (uint8_t *)b, sizeof b, 0, BAD));
  __wasi_subscription_t sub = {.userdata = 1, .u = {.tag = __WASI_EVENTTYPE_CLOCK}};
  __wasi_event_t ev;
  printf("poll_oneoff bad in: %d\n", __wasi_poll_oneoff(BAD, &ev, 1, &n));
  printf("poll_oneoff bad out: %d\n", __wasi_poll_oneoff(&sub, BAD, 1, &n));
  printf("poll_oneoff bad nevents: %d\n", __wasi_poll_oneoff(&sub, &ev, 1, BAD));
  printf("poll_oneoff huge count: %d\n", __wasi_poll_oneoff(&sub, &ev, 0x10000000u, &n));
  __wasi_roflags_t ro;
  printf("sock_accept bad: %d\n", __wasi_sock_accept(4, 0, BAD));
  printf("sock_recv bad iovs: %d\n", __wasi_sock_recv(4, BAD, 1, 0, &n, &ro));
  printf("sock_recv bad buf: %d\n", __wasi_sock_recv(4, &riov, 1, 0, &n, &ro));
  printf("sock_recv bad roflags: %d\n", __wasi_sock_recv(4, &good, 1, 0, &n, BAD));
  printf("sock_send bad buf: %d\n", __wasi_sock_send(4, &iov, 1, 0, &n));
  printf("sock_send bad size: %d\n", __wasi_sock_send(4, &ok, 1, 0, BAD));
  printf("still alive\n");
  return 0;
}

/* sock.c: a one-connection echo server on the pre-opened listening
 * socket (`--tcplisten`, the first fd after the preopens: 3 here).
 * Accepts one connection, peeks at and then reads one line, sends back
 * "echo: LINE", shuts the connection down, then accepts a second
 * connection with NONBLOCK; prints what happened and the errnos of the
 * invalid calls. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(void) {
  __wasi_fdstat_t fs;
  int e = __wasi_fd_fdstat_get(3, &fs);
  printf("fd 3: %d filetype=%d accept right=%d\n", e, fs.fs_filetype,
         !!(fs.fs_rights_base & __WASI_RIGHTS_SOCK_ACCEPT));
  __wasi_fd_t c = 0;
  printf("accept bad flags: %d\n", __wasi_sock_accept(3, __WASI_FDFLAGS_APPEND, &c));
  printf("accept on a non-socket: %d\n", __wasi_sock_accept(0, 0, &c));
  e = __wasi_sock_accept(3, 0, &c);
  printf("accept: %d fd=%d\n", e, (int)c);
  if (e) return 1;
  e = __wasi_fd_fdstat_get(c, &fs);
  printf("conn: filetype=%d nonblock=%d\n", fs.fs_filetype, !!(fs.fs_flags & __WASI_FDFLAGS_NONBLOCK));

  char line[256] = {0};
  size_t len = 0;
  __wasi_size_t n;
  __wasi_roflags_t ro = 7;
  /* Peek first: the data stays for the real read. WAITALL for 3 bytes:
   * the client writes its line in one go, so 3 arrive together. */
  char peek[4] = {0};
  __wasi_iovec_t piov = {(uint8_t *)peek, 3};
  e = __wasi_sock_recv(c, &piov, 1, __WASI_RIFLAGS_RECV_PEEK | __WASI_RIFLAGS_RECV_WAITALL, &n, &ro);
  printf("peek: %d n=%u '%s' roflags=%d\n", e, (unsigned)n, peek, ro);
  while (len < sizeof line - 1 && !memchr(line, '\n', len)) {
    __wasi_iovec_t iov = {(uint8_t *)line + len, sizeof line - 1 - len};
    e = __wasi_sock_recv(c, &iov, 1, 0, &n, &ro);
    if (e || n == 0) break;
    len += n;
  }
  char *nl = memchr(line, '\n', len);
  if (nl) *nl = 0;
  printf("received: '%s' roflags=%d\n", line, ro);
  printf("recv bad flags: %d\n", __wasi_sock_recv(c, &piov, 1, 4, &n, &ro));

  char reply[300];
  int rl = snprintf(reply, sizeof reply, "echo: %s\n", line);
  __wasi_ciovec_t parts[2] = {{(const uint8_t *)reply, 6}, {(const uint8_t *)reply + 6, (size_t)rl - 6}};
  e = __wasi_sock_send(c, parts, 2, 0, &n);
  printf("send: %d n=%d\n", e, (int)n == rl);
  printf("send bad flags: %d\n", __wasi_sock_send(c, parts, 2, 1, &n));
  printf("send on a non-socket: %d, recv: %d, shutdown: %d\n", __wasi_sock_send(1, parts, 1, 0, &n),
         __wasi_sock_recv(1, &piov, 1, 0, &n, &ro), __wasi_sock_shutdown(1, __WASI_SDFLAGS_WR));
  printf("shutdown bad how: %d, 0: %d\n", __wasi_sock_shutdown(c, 4), __wasi_sock_shutdown(c, 0));
  printf("shutdown WR: %d\n", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  /* After the client closed its side, a recv sees EOF (0 bytes). */
  __wasi_iovec_t iov = {(uint8_t *)line, sizeof line};
  e = __wasi_sock_recv(c, &iov, 1, 0, &n, &ro);
  printf("recv after client closed: %d n=%u\n", e, (unsigned)n);
  printf("close: %d\n", __wasi_fd_close(c));
  /* The client connects a second time: accepted with NONBLOCK. */
  __wasi_fd_t c2;
  e = __wasi_sock_accept(3, __WASI_FDFLAGS_NONBLOCK, &c2);
  (void)__wasi_fd_fdstat_get(c2, &fs);
  printf("accept NONBLOCK: %d nonblock=%d\n", e, !!(fs.fs_flags & __WASI_FDFLAGS_NONBLOCK));
  printf("shutdown RD|WR: %d\n", __wasi_sock_shutdown(c2, __WASI_SDFLAGS_RD | __WASI_SDFLAGS_WR));
  (void)__wasi_fd_close(c2);
  /* A non-blocking accept with nobody connecting: AGAIN, not a hang. */
  (void)__wasi_fd_fdstat_set_flags(3, __WASI_FDFLAGS_NONBLOCK);
  printf("nonblocking accept, nobody waiting: %d\n", __wasi_sock_accept(3, __WASI_FDFLAGS_NONBLOCK, &c2));
  return 0;
}

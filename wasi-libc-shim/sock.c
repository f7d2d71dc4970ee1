/* sock.c: the preview1 socket calls, on sockets the host pre-opened for
 * the guest (wasi_config.sockets, `--tcplisten`): sock_accept, sock_recv,
 * sock_send, sock_shutdown. Preview1 has no socket()/bind()/connect(),
 * so a guest can only serve on what it was given. An fd that is not a
 * socket gives NOTSOCK before any rights check (a file fd has no socket
 * rights to miss). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_internal.h"

enum { RIFLAGS_PEEK = 1, RIFLAGS_WAITALL = 2, SDFLAGS_RD = 1, SDFLAGS_WR = 2 };

static int32_t sock_lookup(wasi_ctx *ctx, int32_t fd, uint64_t need, wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(ctx, fd);
  if (!f) return WASI_EBADF;
  if (f->filetype != WASI_FILETYPE_SOCKET_STREAM && f->filetype != WASI_FILETYPE_SOCKET_DGRAM)
    return WASI_ENOTSOCK;
  return wasi_fd_lookup(ctx, fd, need, out);
}

/* flags are fdflags (u16): only NONBLOCK means anything for a
 * connection; the new fd gets the socket rights. */
uint32_t wasi_sock_accept(wasi_ctx *ctx, uint32_t fd, uint32_t flags, uint8_t *out) {
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, (int32_t)fd, WASI_RIGHT_SOCK_ACCEPT, &f);
  if (e) return (uint32_t)e;
  if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK) return WASI_EINVAL;
  if (!out) return WASI_EFAULT;
  int c;
  do c = accept(f->host_fd, NULL, NULL);
  while (c < 0 && errno == EINTR);
  if (c < 0) return (uint32_t)wasi_errno_from(errno);
  /* accept(2) does not inherit O_NONBLOCK on Linux: set exactly what was
   * asked, and keep the connection from leaking into host children. */
  int fl = fcntl(c, F_GETFL);
  if (fl < 0 || fcntl(c, F_SETFL, flags & WASI_FDFLAG_NONBLOCK ? fl | O_NONBLOCK
                                                                : fl & ~O_NONBLOCK) != 0 ||
      fcntl(c, F_SETFD, FD_CLOEXEC) != 0) {
    int err = errno;
    close(c);
    return (uint32_t)wasi_errno_from(err);
  }
  uint32_t gfd;
  e = wasi_fd_install(ctx, c, WASI_FILETYPE_SOCKET_STREAM, WASI_RIGHTS_SOCKET, 0, &gfd);
  if (e) return (uint32_t)e;
  wasi_put_u32(out, gfd);
  return WASI_ESUCCESS;
}

/* recvmsg or sendmsg (`send`) with `flags` over the guest iovecs
 * (iovs, n), retried on EINTR, the byte count into `psize`. The caller
 * has checked the fd, its right, the flags and every out pointer first,
 * so that a bad argument has no side effect; *mh_flags gets the msghdr's
 * flags for the caller to read MSG_TRUNC from. */
static int32_t transfer(wasi_ctx *ctx, wasi_fd *f, uint32_t iovs, uint32_t n, bool send,
                        int flags, uint8_t *psize, int *mh_flags) {
  struct iovec *iov;
  int count;
  int32_t e = wasi_host_iovs(ctx, iovs, n, &iov, &count);
  if (e) return e;
  struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)count};
  ssize_t r;
  do r = send ? sendmsg(f->host_fd, &mh, flags) : recvmsg(f->host_fd, &mh, flags);
  while (r < 0 && errno == EINTR);
  int err = errno;
  free(iov);
  if (r < 0) return wasi_errno_from(err);
  wasi_put_u32(psize, (uint32_t)r);
  *mh_flags = mh.msg_flags;
  return WASI_ESUCCESS;
}

/* ri_data is a guest iovec array; ri_flags a u16 (PEEK, WAITALL).
 * RECV_DATA_TRUNCATED is for datagrams cut short; a stream never
 * truncates, so roflags is 0 for it (and MSG_TRUNC otherwise). */
uint32_t wasi_sock_recv(wasi_ctx *ctx, uint32_t fd, uint32_t ri_data, uint32_t ri_data_len,
                        uint32_t ri, uint8_t *psize, uint8_t *pro) {
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_READ, &f);
  if (e) return (uint32_t)e;
  if (ri & ~(uint32_t)(RIFLAGS_PEEK | RIFLAGS_WAITALL)) return WASI_EINVAL;
  if (!psize || !pro) return WASI_EFAULT;
  int flags = (ri & RIFLAGS_PEEK ? MSG_PEEK : 0) | (ri & RIFLAGS_WAITALL ? MSG_WAITALL : 0);
  int mh_flags;
  if ((e = transfer(ctx, f, ri_data, ri_data_len, false, flags, psize, &mh_flags)))
    return (uint32_t)e;
  wasi_put_u16(pro, f->filetype == WASI_FILETYPE_SOCKET_DGRAM && (mh_flags & MSG_TRUNC) ? 1 : 0);
  return WASI_ESUCCESS;
}

/* si_data is a guest iovec array; si_flags (u16) has no flags defined.
 * MSG_NOSIGNAL: a peer that hung up gives the guest EPIPE instead of
 * killing the host with SIGPIPE. */
uint32_t wasi_sock_send(wasi_ctx *ctx, uint32_t fd, uint32_t si_data, uint32_t si_data_len,
                        uint32_t si_flags, uint8_t *psize) {
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, (int32_t)fd, WASI_RIGHT_FD_WRITE, &f);
  if (e) return (uint32_t)e;
  if (si_flags != 0) return WASI_EINVAL;
  if (!psize) return WASI_EFAULT;
  int mh_flags;
  return (uint32_t)transfer(ctx, f, si_data, si_data_len, true, MSG_NOSIGNAL, psize, &mh_flags);
}

/* sdflags (u8): RD, WR or both; nothing else. */
uint32_t wasi_sock_shutdown(wasi_ctx *ctx, uint32_t fd, uint32_t sdflags) {
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, (int32_t)fd, WASI_RIGHT_SOCK_SHUTDOWN, &f);
  if (e) return (uint32_t)e;
  int how;
  switch (sdflags) {
  case SDFLAGS_RD: how = SHUT_RD; break;
  case SDFLAGS_WR: how = SHUT_WR; break;
  case SDFLAGS_RD | SDFLAGS_WR: how = SHUT_RDWR; break;
  default: return WASI_EINVAL;
  }
  return shutdown(f->host_fd, how) == 0 ? WASI_ESUCCESS : (uint32_t)wasi_errno_from(errno);
}

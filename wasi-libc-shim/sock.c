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

/* (fd, fdflags u16, out fd ptr). Only NONBLOCK means anything for a
 * connection; the new fd gets the socket rights. */
WASI_CB(sock_accept) {
  wasi_ctx *ctx = env;
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, v[0].i32, WASI_RIGHT_SOCK_ACCEPT, &f);
  if (e) return wasi_ret(v, e);
  uint32_t flags = (uint32_t)v[1].i32;
  if (flags & ~(uint32_t)WASI_FDFLAG_NONBLOCK) return wasi_ret(v, WASI_EINVAL);
  uint8_t *out = wasi_mem(ctx, (uint32_t)v[2].i32, 4);
  if (!out) return wasi_ret(v, WASI_EFAULT);
  int c;
  do c = accept(f->host_fd, NULL, NULL);
  while (c < 0 && errno == EINTR);
  if (c < 0) return wasi_ret(v, wasi_errno_from(errno));
  /* accept(2) does not inherit O_NONBLOCK on Linux: set exactly what was
   * asked, and keep the connection from leaking into host children. */
  int fl = fcntl(c, F_GETFL);
  if (fl < 0 || fcntl(c, F_SETFL, flags & WASI_FDFLAG_NONBLOCK ? fl | O_NONBLOCK
                                                                : fl & ~O_NONBLOCK) != 0 ||
      fcntl(c, F_SETFD, FD_CLOEXEC) != 0) {
    int err = errno;
    close(c);
    return wasi_ret(v, wasi_errno_from(err));
  }
  uint32_t gfd;
  e = wasi_fd_install(ctx, c, WASI_FILETYPE_SOCKET_STREAM, WASI_RIGHTS_SOCKET, 0, &gfd);
  if (e) return wasi_ret(v, e);
  wasi_put_u32(out, gfd);
  return wasi_ret(v, WASI_ESUCCESS);
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

/* (fd, ri_data iovs, ri_data_len, ri_flags u16, out size ptr, out
 * roflags ptr). RECV_DATA_TRUNCATED is for datagrams cut short; a stream
 * never truncates, so roflags is 0 for it (and MSG_TRUNC otherwise). */
WASI_CB(sock_recv) {
  wasi_ctx *ctx = env;
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, v[0].i32, WASI_RIGHT_FD_READ, &f);
  if (e) return wasi_ret(v, e);
  uint32_t ri = (uint32_t)v[3].i32;
  if (ri & ~(uint32_t)(RIFLAGS_PEEK | RIFLAGS_WAITALL)) return wasi_ret(v, WASI_EINVAL);
  uint8_t *psize = wasi_mem(ctx, (uint32_t)v[4].i32, 4);
  uint8_t *pro = wasi_mem(ctx, (uint32_t)v[5].i32, 2);
  if (!psize || !pro) return wasi_ret(v, WASI_EFAULT);
  int flags = (ri & RIFLAGS_PEEK ? MSG_PEEK : 0) | (ri & RIFLAGS_WAITALL ? MSG_WAITALL : 0);
  int mh_flags;
  if ((e = transfer(ctx, f, (uint32_t)v[1].i32, (uint32_t)v[2].i32, false, flags, psize,
                    &mh_flags)))
    return wasi_ret(v, e);
  wasi_put_u16(pro, f->filetype == WASI_FILETYPE_SOCKET_DGRAM && (mh_flags & MSG_TRUNC) ? 1 : 0);
  return wasi_ret(v, WASI_ESUCCESS);
}

/* (fd, si_data iovs, si_data_len, si_flags u16 (none defined), out size
 * ptr). MSG_NOSIGNAL: a peer that hung up gives the guest EPIPE instead
 * of killing the host with SIGPIPE. */
WASI_CB(sock_send) {
  wasi_ctx *ctx = env;
  wasi_fd *f;
  int32_t e = sock_lookup(ctx, v[0].i32, WASI_RIGHT_FD_WRITE, &f);
  if (e) return wasi_ret(v, e);
  if ((uint32_t)v[3].i32 != 0) return wasi_ret(v, WASI_EINVAL);
  uint8_t *psize = wasi_mem(ctx, (uint32_t)v[4].i32, 4);
  if (!psize) return wasi_ret(v, WASI_EFAULT);
  int mh_flags;
  return wasi_ret(v, transfer(ctx, f, (uint32_t)v[1].i32, (uint32_t)v[2].i32, true,
                              MSG_NOSIGNAL, psize, &mh_flags));
}

/* (fd, sdflags u8): RD, WR or both; nothing else. */
WASI_CB(sock_shutdown) {
  wasi_fd *f;
  int32_t e = sock_lookup(env, v[0].i32, WASI_RIGHT_SOCK_SHUTDOWN, &f);
  if (e) return wasi_ret(v, e);
  int how;
  switch ((uint32_t)v[1].i32) {
  case SDFLAGS_RD: how = SHUT_RD; break;
  case SDFLAGS_WR: how = SHUT_WR; break;
  case SDFLAGS_RD | SDFLAGS_WR: how = SHUT_RDWR; break;
  default: return wasi_ret(v, WASI_EINVAL);
  }
  return wasi_ret(v, shutdown(f->host_fd, how) == 0 ? WASI_ESUCCESS : wasi_errno_from(errno));
}

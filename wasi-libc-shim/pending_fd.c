/* pending_fd.c: TEMPORARY, deleted when fd_file.c, readdir.c, poll.c and
 * sock.c land: NOSYS for their calls so that the library links meanwhile. */
#include "wasi_internal.h"
#define P(n) WASI_CB(n) { (void)env, (void)msg, (void)msg_size; return wasi_ret(v, WASI_ENOSYS); }
P(fd_pread) P(fd_pwrite) P(fd_renumber) P(fd_fdstat_set_flags) P(fd_fdstat_set_rights)
P(fd_advise) P(fd_allocate) P(fd_datasync) P(fd_sync) P(fd_filestat_get)
P(fd_filestat_set_size) P(fd_filestat_set_times) P(fd_readdir) P(poll_oneoff)
P(sock_accept) P(sock_recv) P(sock_send) P(sock_shutdown) P(proc_raise)
void wasi_dir_stream_free(struct wasi_dir_stream *d) { (void)d; }

/* pending_path.c: TEMPORARY, deleted when path.c lands: NOSYS for the
 * path_* calls so that the library links meanwhile. */
#include "wasi_internal.h"
#define P(n) WASI_CB(n) { (void)env, (void)msg, (void)msg_size; return wasi_ret(v, WASI_ENOSYS); }
P(path_create_directory) P(path_filestat_get) P(path_filestat_set_times) P(path_link)
P(path_open) P(path_readlink) P(path_remove_directory) P(path_rename) P(path_symlink)
P(path_unlink_file)

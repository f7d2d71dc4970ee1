/* fdcalls.c: every fd_* call of preview1 on real fds, without path_open:
 * fd 0 is a regular file opened read-write by the test script
 * ("0123456789"), fd 3 a preopened directory with 200 files f000..f199
 * and a subdirectory sub, fds 4 and 5 two small preopens (/a, /b), and
 * stdout a pipe. Prints one line per check; the script compares them. */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_filestat_t stat0(void) {
  __wasi_filestat_t st;
  memset(&st, 0xAA, sizeof st);
  if (__wasi_fd_filestat_get(0, &st)) printf("filestat_get failed\n");
  return st;
}

static unsigned long long tell0(void) {
  __wasi_filesize_t pos = 99;
  return __wasi_fd_tell(0, &pos) ? 999 : (unsigned long long)pos;
}

static int pread0(char *buf, size_t len, __wasi_filesize_t off, __wasi_size_t *n) {
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  return __wasi_fd_pread(0, &iov, 1, off, n);
}

/* Lists directory fd with a buf_len-byte buffer through cookies, the way
 * wasi-libc does: keep the entries that arrived whole, restart from the
 * last one's d_next. Returns the number of entries, checks names. */
static int list(int fd, size_t buf_len, int *seen, int *dots, int *subdir, int *types_ok,
                __wasi_dircookie_t *mid_cookie, char *mid_next) {
  static uint8_t buf[4096];
  __wasi_dircookie_t cookie = 0;
  int count = 0, calls = 0;
  for (;;) {
    __wasi_size_t used;
    if (__wasi_fd_readdir(fd, buf, buf_len, cookie, &used)) return -1;
    if (++calls > 100000) return -2;
    size_t pos = 0;
    int progressed = 0;
    while (pos + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + pos, sizeof d);
      if (pos + sizeof d + d.d_namlen > used) break; /* cut off: ask again */
      char name[64] = {0};
      memcpy(name, buf + pos + sizeof d, d.d_namlen < 63 ? d.d_namlen : 63);
      if (count == 100) *mid_cookie = cookie; /* the cookie that leads here */
      if (count == 100) strcpy(mid_next, name);
      count++;
      int k;
      if (!strcmp(name, ".") || !strcmp(name, "..")) {
        (*dots)++;
        if (d.d_type != __WASI_FILETYPE_DIRECTORY) *types_ok = 0;
      } else if (!strcmp(name, "sub")) {
        (*subdir)++;
        if (d.d_type != __WASI_FILETYPE_DIRECTORY) *types_ok = 0;
      } else if (sscanf(name, "f%3d", &k) == 1 && k >= 0 && k < 200) {
        seen[k]++;
        if (d.d_type != __WASI_FILETYPE_REGULAR_FILE) *types_ok = 0;
      }
      cookie = d.d_next;
      pos += sizeof d + d.d_namlen;
      progressed = 1;
    }
    if (used < buf_len) return count; /* end of the directory */
    if (!progressed) return -3;       /* buffer too small for one entry */
  }
}

int main(void) {
  __wasi_fdstat_t fs;
  int e = __wasi_fd_fdstat_get(0, &fs);
  printf("fdstat(0): %d type=%d read=%d write=%d seek=%d readdir=%d\n", e, fs.fs_filetype,
         !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READ), !!(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
         !!(fs.fs_rights_base & __WASI_RIGHTS_FD_SEEK), !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READDIR));
  e = __wasi_fd_fdstat_get(3, &fs);
  printf("fdstat(3): %d type=%d readdir=%d read=%d\n", e, fs.fs_filetype,
         !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READDIR), !!(fs.fs_rights_base & __WASI_RIGHTS_FD_READ));

  /* pread / pwrite leave the position alone. */
  char buf[16] = {0};
  __wasi_size_t n;
  e = pread0(buf, 4, 2, &n);
  printf("pread(2,4): %d n=%u '%s' tell=%llu\n", e, (unsigned)n, buf, tell0());
  __wasi_ciovec_t ab = {(const uint8_t *)"AB", 2};
  e = __wasi_fd_pwrite(0, &ab, 1, 8, &n);
  memset(buf, 0, sizeof buf);
  pread0(buf, 15, 0, &n);
  printf("pwrite(8): %d -> '%s' tell=%llu\n", e, buf, tell0());
  e = pread0(buf, 4, 100, &n);
  printf("pread past end: %d n=%u\n", e, (unsigned)n);
  printf("pwrite on a pipe: %d\n", __wasi_fd_pwrite(1, &ab, 1, 0, &n));
  printf("pread huge offset: %d\n", pread0(buf, 1, 0x8000000000000000ull, &n));
  __wasi_iovec_t riov = {(uint8_t *)buf, 3};
  memset(buf, 0, sizeof buf);
  e = __wasi_fd_read(0, &riov, 1, &n);
  __wasi_filesize_t pos;
  int e2 = __wasi_fd_seek(0, 0, __WASI_WHENCE_CUR, &pos);
  printf("read: %d '%s', seek(0,CUR): %d pos=%llu\n", e, buf, e2, (unsigned long long)pos);
  printf("seek on a dir: %d, read on a dir: %d\n", __wasi_fd_seek(3, 0, __WASI_WHENCE_SET, &pos),
         __wasi_fd_read(3, &riov, 1, &n));

  /* filestat get / set size / set times */
  __wasi_filestat_t st = stat0();
  printf("filestat: type=%d size=%llu nlink=%llu ino!=0:%d\n", st.filetype,
         (unsigned long long)st.size, (unsigned long long)st.nlink, st.ino != 0);
  e = __wasi_fd_filestat_set_size(0, 4);
  printf("set_size(4): %d size=%llu\n", e, (unsigned long long)stat0().size);
  e = __wasi_fd_filestat_set_size(0, 6);
  memset(buf, 'x', sizeof buf);
  pread0(buf, 6, 0, &n);
  printf("set_size(6): %d size=%llu tail zero=%d\n", e, (unsigned long long)stat0().size,
         n == 6 && buf[4] == 0 && buf[5] == 0);
  printf("set_size huge: %d\n", __wasi_fd_filestat_set_size(0, 0x8000000000000000ull));
  __wasi_timestamp_t at = 1600000000ull * 1000000000ull + 123456789, mt = 1500000000ull * 1000000000ull + 5;
  e = __wasi_fd_filestat_set_times(0, at, mt, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
  st = stat0();
  printf("set_times: %d atim ok=%d mtim ok=%d\n", e, st.atim == at, st.mtim == mt);
  printf("set_times ATIM+ATIM_NOW: %d\n",
         __wasi_fd_filestat_set_times(0, at, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  printf("set_times MTIM+MTIM_NOW: %d\n",
         __wasi_fd_filestat_set_times(0, 0, mt, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
  printf("set_times bad flag: %d\n", __wasi_fd_filestat_set_times(0, 0, 0, 16));
  e = __wasi_fd_filestat_set_times(0, 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
  st = stat0();
  printf("set_times MTIM_NOW: %d atim kept=%d mtim now=%d\n", e, st.atim == at,
         st.mtim > 1700000000ull * 1000000000ull);

  /* advise, allocate, sync */
  int adv = 0;
  for (int a = 0; a <= 5; a++) adv |= __wasi_fd_advise(0, 0, 6, (__wasi_advice_t)a);
  printf("advise 0..5: %d, bad advice: %d\n", adv, __wasi_fd_advise(0, 0, 6, 6));
  e = __wasi_fd_allocate(0, 0, 100);
  printf("allocate(0,100): %d size=%llu\n", e, (unsigned long long)stat0().size);
  printf("allocate huge: %d, overflow: %d\n", __wasi_fd_allocate(0, 0x8000000000000000ull, 1),
         __wasi_fd_allocate(0, 0x7FFFFFFFFFFFFFFFull, 2));
  printf("datasync: %d, sync: %d, sync dir: %d\n", __wasi_fd_datasync(0), __wasi_fd_sync(0),
         __wasi_fd_sync(3));

  /* fdstat_set_flags: APPEND writes at the end whatever the position */
  e = __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_APPEND);
  (void)__wasi_fd_fdstat_get(0, &fs);
  (void)__wasi_fd_seek(0, 0, __WASI_WHENCE_SET, &pos);
  __wasi_ciovec_t z = {(const uint8_t *)"Z", 1};
  (void)__wasi_fd_write(0, &z, 1, &n);
  pread0(buf, 1, 100, &n);
  printf("set_flags APPEND: %d flags=%d size=%llu last=%c\n", e, fs.fs_flags,
         (unsigned long long)stat0().size, n == 1 ? buf[0] : '?');
  e = __wasi_fd_fdstat_set_flags(0, 0);
  (void)__wasi_fd_fdstat_get(0, &fs);
  printf("set_flags 0: %d flags=%d, SYNC: %d, NONBLOCK: %d\n", e, fs.fs_flags,
         __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_SYNC),
         __wasi_fd_fdstat_set_flags(0, __WASI_FDFLAGS_NONBLOCK));
  (void)__wasi_fd_fdstat_get(0, &fs);
  printf("nonblock flag: %d\n", fs.fs_flags);
  (void)__wasi_fd_fdstat_set_flags(0, 0);

  /* readdir with cookies over 202 entries, small buffer */
  int seen[200] = {0}, dots = 0, subdir = 0, types_ok = 1;
  __wasi_dircookie_t mid = 0;
  char mid_name[64] = "";
  int count = list(3, 80, seen, &dots, &subdir, &types_ok, &mid, mid_name);
  int all = 1;
  for (int i = 0; i < 200; i++) all &= seen[i] == 1;
  printf("readdir(80 B): entries=%d all once=%d dots=%d sub=%d types=%d\n", count, all, dots,
         subdir, types_ok);
  /* a cookie handed out earlier still leads to the same entry */
  uint8_t rb[256];
  __wasi_size_t used;
  e = __wasi_fd_readdir(3, rb, sizeof rb, mid, &used);
  __wasi_dirent_t d;
  memcpy(&d, rb, sizeof d);
  printf("readdir cookie again: %d same=%d\n", e,
         d.d_namlen == strlen(mid_name) && !memcmp(rb + sizeof d, mid_name, d.d_namlen));
  e = __wasi_fd_readdir(3, rb, 10, 0, &used);
  printf("readdir 10 B: %d used=%u\n", e, (unsigned)used);
  e = __wasi_fd_readdir(3, rb, sizeof rb, 1000000, &used);
  printf("readdir past end: %d used=%u\n", e, (unsigned)used);
  printf("readdir on a file: %d, bad fd: %d\n", __wasi_fd_readdir(0, rb, sizeof rb, 0, &used),
         __wasi_fd_readdir(77, rb, sizeof rb, 0, &used));
  int bigseen[200] = {0};
  dots = subdir = 0;
  count = list(3, 4096, bigseen, &dots, &subdir, &types_ok, &mid, mid_name);
  printf("readdir(4096 B): entries=%d\n", count);

  /* renumber: 5 (/b) moves onto 4 (/a); 5 is gone */
  __wasi_prestat_t ps;
  char name[8] = {0};
  e = __wasi_fd_renumber(5, 4);
  (void)__wasi_fd_prestat_get(4, &ps);
  (void)__wasi_fd_prestat_dir_name(4, (uint8_t *)name, ps.u.dir.pr_name_len);
  printf("renumber(5,4): %d fd4=%s fd5: %d\n", e, name, __wasi_fd_fdstat_get(5, &fs));
  printf("renumber(4,4): %d, to closed: %d, from closed: %d\n", __wasi_fd_renumber(4, 4),
         __wasi_fd_renumber(4, 9), __wasi_fd_renumber(9, 4));

  /* set_rights: drop WRITE, then writing is NOTCAPABLE; no way back */
  (void)__wasi_fd_fdstat_get(0, &fs);
  e = __wasi_fd_fdstat_set_rights(0, fs.fs_rights_base & ~__WASI_RIGHTS_FD_WRITE,
                                  fs.fs_rights_inheriting);
  printf("set_rights -WRITE: %d, write: %d, pwrite: %d, read: %d\n", e,
         __wasi_fd_write(0, &z, 1, &n), __wasi_fd_pwrite(0, &z, 1, 0, &n), pread0(buf, 1, 0, &n));
  printf("set_rights +WRITE: %d\n", __wasi_fd_fdstat_set_rights(0, fs.fs_rights_base, 0));
  (void)__wasi_fd_fdstat_set_rights(0, __WASI_RIGHTS_FD_READ, 0);
  printf("only READ: seek %d tell %d filestat %d set_size %d set_times %d advise %d allocate %d "
         "datasync %d sync %d set_flags %d\n",
         __wasi_fd_seek(0, 1, __WASI_WHENCE_SET, &pos), __wasi_fd_tell(0, &pos),
         __wasi_fd_filestat_get(0, &st), __wasi_fd_filestat_set_size(0, 1),
         __wasi_fd_filestat_set_times(0, 0, 0, 0), __wasi_fd_advise(0, 0, 0, 0),
         __wasi_fd_allocate(0, 0, 1), __wasi_fd_datasync(0), __wasi_fd_sync(0),
         __wasi_fd_fdstat_set_flags(0, 0));
  (void)__wasi_fd_fdstat_set_rights(3, 0, 0);
  printf("dir without rights: readdir %d\n", __wasi_fd_readdir(3, rb, sizeof rb, 0, &used));
  printf("close(0): %d, again: %d\n", __wasi_fd_close(0), __wasi_fd_close(0));
  return 0;
}

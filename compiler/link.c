/* link.c: turns an object file into a shared object (`cc -shared`) or a
 * standalone executable (object + launcher + WASI shim + static runtime),
 * and the objects of a module's chunks into one (`cc -r`), with the
 * system C driver, spawned directly (posix_spawnp, no shell, so no
 * quoting problems with odd file names). Its output is captured, so that a
 * failure is reported as one clear wasmc error carrying the linker's own
 * first lines instead of interleaving with wasmc's output.
 */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef WASMC_EXE_LDFLAGS
#define WASMC_EXE_LDFLAGS ""
#endif

/* Keeps the first lines of the driver's output (up to 3 lines): enough to
 * show "undefined reference" or "cannot open output file" without
 * flooding the terminal. */
static void summarise(const char *out, char *buf, size_t bufsz) {
  size_t n = 0;
  int lines = 0;
  const char *p = out;
  while (*p && lines < 3) {
    size_t len = strcspn(p, "\n");
    if (len) {
      int w = snprintf(buf + n, bufsz - n, "%s%.*s", n ? "; " : "", (int)len, p);
      if (w < 0 || (size_t)w >= bufsz - n)
        break;
      n += (size_t)w;
      lines++;
    }
    p += len + (p[len] == '\n');
  }
}

/* Runs the driver with argv (argv[0] = cc); `what` names the link in the
 * error message (e.g. "cc -shared"). */
static bool run_driver(const char *cc, char *const argv[], const char *out,
                       const char *what, char *err, size_t errsz) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    snprintf(err, errsz, "cannot run the linker: pipe: %s", strerror(errno));
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
  /* A harness may block or catch signals; the driver gets the defaults. */
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid;
  int rc = posix_spawnp(&pid, cc, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    snprintf(err, errsz, "cannot run the linker '%s': %s", cc, strerror(rc));
    return false;
  }

  char text[2048];
  size_t len = 0;
  for (;;) {
    char chunk[1024];
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    size_t keep = (size_t)n < sizeof text - 1 - len ? (size_t)n : sizeof text - 1 - len;
    memcpy(text + len, chunk, keep);
    len += keep; /* the rest is drained so the driver never blocks */
  }
  text[len] = '\0';
  close(fds[0]);

  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      snprintf(err, errsz, "linker '%s': waitpid: %s", cc, strerror(errno));
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;

  char why[64];
  if (WIFSIGNALED(status))
    snprintf(why, sizeof why, "was killed by signal %d", WTERMSIG(status));
  else if (WEXITSTATUS(status) == 127)
    snprintf(why, sizeof why, "could not be run (exit 127)");
  else
    snprintf(why, sizeof why, "failed (exit %d)", WEXITSTATUS(status));
  char first[1024] = "";
  summarise(text, first, sizeof first);
  snprintf(err, errsz, "linking '%s' with '%s' %s%s%s", out, what, why,
           first[0] ? ": " : "", first);
  return false;
}

bool link_shared(const char *cc, const char *obj, const char *out, char *err,
                 size_t errsz) {
  /* -lm: at -O0 or on a baseline CPU, float rounding can become calls to
   * floor/ceil/trunc/rint, which the shared object must bring along. */
  char *argv[] = {(char *)cc, "-shared", "-o", (char *)out, (char *)obj,
                  "-lm", NULL};
  char what[256];
  snprintf(what, sizeof what, "%s -shared", cc);
  return run_driver(cc, argv, out, what, err, errsz);
}

bool link_relocatable(const char *cc, const char *const *objs, size_t nobjs,
                      const char *out, char *err, size_t errsz) {
  char **argv = malloc((nobjs + 6) * sizeof *argv);
  if (!argv) {
    snprintf(err, errsz, "out of memory");
    return false;
  }
  size_t k = 0;
  argv[k++] = (char *)cc;
  argv[k++] = "-r";
  argv[k++] = "-nostdlib";
  argv[k++] = "-o";
  argv[k++] = (char *)out;
  for (size_t i = 0; i < nobjs; i++)
    argv[k++] = (char *)objs[i];
  argv[k] = NULL;
  char what[256];
  snprintf(what, sizeof what, "%s -r", cc);
  bool ok = run_driver(cc, argv, out, what, err, errsz);
  free(argv);
  return ok;
}

/* The archives an executable links, in link order (each one's undefined
 * symbols are defined by the ones after it), and the folders (relative to
 * the folder of the wasmc executable) they are looked for in, after
 * $WASMC_LIBDIR: for the host, wasmc's own build tree or an installed
 * lib/wasmc; for a cross target ARCH, lib/wasmc/ARCH or the build tree
 * build-ARCH that scripts/cross-build makes beside wasmc's (wasmc is
 * BUILD/compiler/wasmc). */
static const char *const exe_libs[] = {"libwasmc_launcher.a", "libwasmc_wasi.a",
                                       "libwasmrt_static.a"};
static const char *const host_lib_dirs[] = {"../wasi-libc-shim", "../runtime",
                                            "../lib/wasmc", ".", NULL};
static const char *const cross_lib_dirs[] = {"../lib/wasmc/%s",
                                             "../../build-%s/wasi-libc-shim",
                                             "../../build-%s/runtime", NULL};
#define NLIBS (sizeof exe_libs / sizeof *exe_libs)

/* Finds `name` for the host (arch NULL) or a cross target: in
 * $WASMC_LIBDIR[/ARCH] when set (only there), else near the wasmc
 * executable. */
static bool find_lib(const char *name, const char *arch, char *path, size_t n,
                     char *err, size_t errsz) {
  const char *libdir = getenv("WASMC_LIBDIR");
  if (libdir && *libdir) {
    int w = arch ? snprintf(path, n, "%s/%s/%s", libdir, arch, name)
                 : snprintf(path, n, "%s/%s", libdir, name);
    if (w > 0 && (size_t)w < n && access(path, R_OK) == 0)
      return true;
    if (arch)
      snprintf(err, errsz, "cannot find %s for %s in WASMC_LIBDIR='%s' (it "
               "looks in WASMC_LIBDIR/%s/)", name, arch, libdir, arch);
    else
      snprintf(err, errsz, "cannot find %s in WASMC_LIBDIR='%s'", name, libdir);
    return false;
  }
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) {
    snprintf(err, errsz, "cannot find %s: /proc/self/exe: %s (set WASMC_LIBDIR)",
             name, strerror(errno));
    return false;
  }
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash)
    *slash = '\0';
  const char *const *dirs = arch ? cross_lib_dirs : host_lib_dirs;
  for (size_t i = 0; dirs[i]; i++) {
    char sub[256];
    snprintf(sub, sizeof sub, dirs[i], arch);
    int w = snprintf(path, n, "%s/%s/%s", exe, sub, name);
    if (w > 0 && (size_t)w < n && access(path, R_OK) == 0)
      return true;
  }
  if (arch)
    snprintf(err, errsz,
             "cannot find %s for %s (the wasmc runtime libraries built for "
             "it) near %s; build them with scripts/cross-build %s, or set "
             "WASMC_LIBDIR to a folder whose %s/ subfolder holds them",
             name, arch, exe, arch, arch);
  else
    snprintf(err, errsz,
             "cannot find %s (the wasmc runtime libraries) near %s; build them "
             "(cmake --build) or set WASMC_LIBDIR to the folder holding them",
             name, exe);
  return false;
}

bool link_executable(const char *cc, const char *cross_arch, const char *obj,
                     const char *out, bool static_exe, bool strip, char *err,
                     size_t errsz) {
  char libs[NLIBS][PATH_MAX];
  for (size_t i = 0; i < NLIBS; i++)
    if (!find_lib(exe_libs[i], cross_arch, libs[i], sizeof libs[i], err, errsz))
      return false;
  /* WASMC_EXE_LDFLAGS: flags the host's libraries themselves need (the
   * sanitizers when wasmc was built with them), set by CMake; cross
   * builds are never sanitized. */
  const char *extra = cross_arch ? "" : WASMC_EXE_LDFLAGS;
  char *argv[16];
  int k = 0;
  argv[k++] = (char *)cc;
  argv[k++] = "-o";
  argv[k++] = (char *)out;
  argv[k++] = (char *)obj;
  for (size_t i = 0; i < NLIBS; i++)
    argv[k++] = libs[i];
  argv[k++] = "-lm";
  argv[k++] = "-ldl";
  argv[k++] = "-lpthread";
  if (static_exe)
    argv[k++] = "-static";
  if (strip)
    argv[k++] = "-s"; /* trap messages name functions from the descriptor */
  if (extra[0])
    argv[k++] = (char *)extra;
  argv[k] = NULL;
  char what[256];
  snprintf(what, sizeof what, "%s%s", cc, static_exe ? " -static" : "");
  return run_driver(cc, argv, out, what, err, errsz);
}

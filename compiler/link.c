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
 * symbols are defined by the ones after it). */
static const char *const exe_libs[] = {"libwasmc_launcher.a", "libwasmc_wasi.a",
                                       "libwasmrt_static.a"};
#define NLIBS (sizeof exe_libs / sizeof *exe_libs)

/* Where an installed wasmc keeps them, relative to its own folder
 * (bindir): computed by CMake from the install layout (e.g. ../lib/wasmc,
 * or ../lib/x86_64-linux-gnu/wasmc under /usr on Debian), so that the
 * installed prefix can be anywhere and be moved; an absolute path when
 * the layout was configured with an absolute private folder. A cross
 * target ARCH's are in its ARCH/ subfolder. */
#ifndef WASMC_REL_LIBDIR
#error "WASMC_REL_LIBDIR (the private library folder relative to bindir) comes from cmake/install.cmake"
#endif

/* In wasmc's build tree (wasmc is BUILD/compiler/wasmc, and
 * BUILD/CMakeCache.txt exists) they are looked for in the build tree,
 * the host's in BUILD/wasi-libc-shim and BUILD/runtime, a cross
 * target's in build-ARCH/ beside BUILD, which scripts/cross-build ARCH
 * makes. Paths relative to the folder of wasmc. */
static const char *const build_host_dirs[] = {"../wasi-libc-shim", "../runtime",
                                              NULL};
static const char *const build_cross_dirs[] = {"../../build-%s/wasi-libc-shim",
                                               "../../build-%s/runtime", NULL};

/* Finds `name` in the first of `dirs` (each relative to `base`, with %s
 * standing for arch) that has it. */
static bool find_in(const char *base, const char *const *dirs, const char *arch,
                    const char *name, char *path, size_t n) {
  for (size_t i = 0; dirs[i]; i++) {
    char sub[256];
    snprintf(sub, sizeof sub, dirs[i], arch ? arch : "");
    int w = snprintf(path, n, "%s/%s/%s", base, sub, name);
    if (w > 0 && (size_t)w < n && access(path, R_OK) == 0)
      return true;
  }
  return false;
}

/* Finds the archives (exe_libs) for the host (arch NULL) or a cross
 * target: in $WASMC_LIBDIR[/ARCH] when set (only there); else, for a
 * wasmc in its build tree, in the build tree; else (an installed wasmc)
 * in WASMC_REL_LIBDIR[/ARCH] beside the wasmc executable. An error names
 * every missing archive and where it was looked for. */
static bool find_libs(const char *arch, char libs[NLIBS][PATH_MAX], char *err,
                      size_t errsz) {
  const char *libdir = getenv("WASMC_LIBDIR");
  char missing[256] = "";
  size_t nmissing = 0;
  if (libdir && *libdir) {
    for (size_t i = 0; i < NLIBS; i++) {
      int w = arch ? snprintf(libs[i], PATH_MAX, "%s/%s/%s", libdir, arch, exe_libs[i])
                   : snprintf(libs[i], PATH_MAX, "%s/%s", libdir, exe_libs[i]);
      if (w > 0 && w < PATH_MAX && access(libs[i], R_OK) == 0)
        continue;
      if (arch)
        snprintf(err, errsz, "cannot find %s for %s in WASMC_LIBDIR='%s' (it "
                 "looks in WASMC_LIBDIR/%s/)", exe_libs[i], arch, libdir, arch);
      else
        snprintf(err, errsz, "cannot find %s in WASMC_LIBDIR='%s'", exe_libs[i],
                 libdir);
      return false;
    }
    return true;
  }
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) {
    snprintf(err, errsz, "cannot find %s: /proc/self/exe: %s (set WASMC_LIBDIR)",
             exe_libs[0], strerror(errno));
    return false;
  }
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash)
    *slash = '\0';
  char cache[PATH_MAX + 32];
  snprintf(cache, sizeof cache, "%s/../CMakeCache.txt", exe);
  bool build_tree = access(cache, F_OK) == 0;

  const char *installed[] = {arch ? WASMC_REL_LIBDIR "/%s" : WASMC_REL_LIBDIR, NULL};
  const char *const *dirs = build_tree ? (arch ? build_cross_dirs : build_host_dirs)
                                       : installed;
  const char *base = build_tree || WASMC_REL_LIBDIR[0] != '/' ? exe : "";
  for (size_t i = 0; i < NLIBS; i++) {
    if (find_in(base, dirs, arch, exe_libs[i], libs[i], PATH_MAX))
      continue;
    size_t used = strlen(missing);
    snprintf(missing + used, sizeof missing - used, "%s%s", nmissing ? ", " : "",
             exe_libs[i]);
    nmissing++;
  }
  if (nmissing == 0)
    return true;

  if (build_tree && arch)
    snprintf(err, errsz,
             "cannot find %s for %s (the wasmc runtime libraries built for "
             "it) near %s; build them with scripts/cross-build %s, or set "
             "WASMC_LIBDIR to a folder whose %s/ subfolder holds them",
             missing, arch, exe, arch, arch);
  else if (build_tree)
    snprintf(err, errsz,
             "cannot find %s (the wasmc runtime libraries) near %s; build them "
             "(cmake --build) or set WASMC_LIBDIR to the folder holding them",
             missing, exe);
  else {
    /* installed: the folder without "bin/..", when it exists */
    char where[PATH_MAX + 300], real[PATH_MAX];
    snprintf(where, sizeof where, "%s/%s", base, WASMC_REL_LIBDIR);
    if (realpath(where, real))
      snprintf(where, sizeof where, "%s", real);
    if (arch)
      snprintf(err, errsz,
               "cannot find %s for %s in %s/%s (this wasmc was installed "
               "without the runtime libraries for %s: install it from a "
               "build beside which scripts/cross-build %s was run, or set "
               "WASMC_LIBDIR to a folder whose %s/ subfolder holds them)",
               missing, arch, where, arch, arch, arch, arch);
    else
      snprintf(err, errsz,
               "cannot find %s in %s (the wasmc runtime libraries, installed "
               "with wasmc: the installation is incomplete; reinstall, or "
               "set WASMC_LIBDIR to the folder holding them)",
               missing, where);
  }
  return false;
}

bool link_executable(const char *cc, const char *cross_arch, const char *obj,
                     const char *out, bool static_exe, bool strip, char *err,
                     size_t errsz) {
  char libs[NLIBS][PATH_MAX];
  if (!find_libs(cross_arch, libs, err, errsz))
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

/* link.c: turns an object file into a shared object with the system C
 * driver (`cc -shared`), spawned directly (posix_spawnp, no shell, so no
 * quoting problems with odd file names). Its output is captured, so that a
 * failure is reported as one clear wasmc error carrying the linker's own
 * first lines instead of interleaving with wasmc's output.
 */
#include "link.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

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

bool link_shared(const char *cc, const char *obj, const char *out, char *err,
                 size_t errsz) {
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

  /* -lm: at -O0 or on a baseline CPU, float rounding can become calls to
   * floor/ceil/trunc/rint, which the shared object must bring along. */
  char *argv[] = {(char *)cc, "-shared", "-o", (char *)out, (char *)obj,
                  "-lm", NULL};
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
  snprintf(err, errsz, "linking '%s' with '%s -shared' %s%s%s", out, cc, why,
           first[0] ? ": " : "", first);
  return false;
}

/* cmd-timer: time several commands side by side (every bench's timer).
 *
 *   cmd-timer [-n RUNS] [-w WARMUP] [-r REF] NAME CMD [ARGS...] ';' ...
 *
 * Each command is a NAME followed by argv, ended by a lone ';'. The
 * commands are run round-robin (run 1 of every command, then run 2, ...)
 * so that a change in machine load hits them all alike; each run is
 * posix_spawn + waitpid, timed with CLOCK_MONOTONIC, stdout to /dev/null
 * (stderr kept). WARMUP rounds (default 3) are run first and not counted.
 * Prints, per command: median, p10, p90 (ms), the median's ratio to the
 * REF command's median (default: the first command) and the median peak
 * resident memory of the process (ru_maxrss from wait4).
 *
 * Exit status: 0 when every run exited 0, 1 when a command could not be
 * started or exited non-zero, 2 on a usage error. Times never decide it.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct {
  const char *name;
  char **argv;
  double *ms;
  double *rss_mb; /* peak RSS per run */
} cmd_t;

static int usage(void) {
  fprintf(stderr, "usage: cmd-timer [-n RUNS] [-w WARMUP] [-r REF] NAME CMD [ARGS...] ';' ...\n");
  return 2;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Percentile by linear interpolation between closest ranks (sorted v). */
static double pct(const double *v, int n, double p) {
  double pos = p * (n - 1);
  int lo = (int)pos;
  int hi = lo + 1 < n ? lo + 1 : lo;
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/* One run; returns elapsed ms (and the peak RSS in *rss_mb), or -1 after
 * printing why it failed. */
static double run_once(const cmd_t *c, posix_spawn_file_actions_t *fa, double *rss_mb) {
  pid_t pid;
  double t0 = now_ms();
  int err = posix_spawn(&pid, c->argv[0], fa, NULL, c->argv, environ);
  if (err) {
    fprintf(stderr, "cmd-timer: %s: cannot run %s: %s\n", c->name, c->argv[0], strerror(err));
    return -1;
  }
  int st;
  struct rusage ru;
  while (wait4(pid, &st, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("cmd-timer: wait4");
      return -1;
    }
  }
  double t = now_ms() - t0;
  *rss_mb = ru.ru_maxrss / 1024.0; /* KiB on Linux */
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    if (WIFEXITED(st))
      fprintf(stderr, "cmd-timer: %s: exited with %d\n", c->name, WEXITSTATUS(st));
    else
      fprintf(stderr, "cmd-timer: %s: killed by signal %d\n", c->name, WTERMSIG(st));
    return -1;
  }
  return t;
}

int main(int argc, char **argv) {
  int runs = 50, warmup = 3;
  const char *ref = NULL;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (i + 1 >= argc)
      return usage();
    if (!strcmp(argv[i], "-n"))
      runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-w"))
      warmup = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-r"))
      ref = argv[++i];
    else
      return usage();
  }
  if (runs < 1 || warmup < 0)
    return usage();

  cmd_t *cmds = calloc((size_t)argc, sizeof *cmds);
  int nc = 0;
  while (i < argc) {
    int start = i;
    while (i < argc && strcmp(argv[i], ";"))
      i++;
    if (i >= argc || i - start < 2)
      return usage(); /* need NAME CMD and a closing ';' */
    argv[i++] = NULL;
    cmds[nc].name = argv[start];
    cmds[nc].argv = &argv[start + 1];
    cmds[nc].ms = calloc((size_t)runs, sizeof(double));
    cmds[nc].rss_mb = calloc((size_t)runs, sizeof(double));
    nc++;
  }
  if (nc == 0)
    return usage();
  int refi = 0;
  if (ref) {
    refi = -1;
    for (int k = 0; k < nc; k++)
      if (!strcmp(cmds[k].name, ref))
        refi = k;
    if (refi < 0) {
      fprintf(stderr, "cmd-timer: no command named %s\n", ref);
      return 2;
    }
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);

  for (int r = -warmup; r < runs; r++)
    for (int k = 0; k < nc; k++) {
      double rss;
      double t = run_once(&cmds[k], &fa, &rss);
      if (t < 0)
        return 1;
      if (r >= 0) {
        cmds[k].ms[r] = t;
        cmds[k].rss_mb[r] = rss;
      }
    }

  double med[nc];
  for (int k = 0; k < nc; k++) {
    qsort(cmds[k].ms, (size_t)runs, sizeof(double), cmp_double);
    med[k] = pct(cmds[k].ms, runs, 0.5);
    qsort(cmds[k].rss_mb, (size_t)runs, sizeof(double), cmp_double);
  }
  printf("%d runs each (+%d warm-up), round-robin; stdout to /dev/null\n\n", runs, warmup);
  printf("%-24s %10s %10s %10s %10s %10s\n", "command", "median ms", "p10 ms", "p90 ms", "ratio",
         "peak MB");
  for (int k = 0; k < nc; k++)
    printf("%-24s %10.3f %10.3f %10.3f %9.2fx %10.1f\n", cmds[k].name, med[k],
           pct(cmds[k].ms, runs, 0.1), pct(cmds[k].ms, runs, 0.9), med[k] / med[refi],
           pct(cmds[k].rss_mb, runs, 0.5));
  printf("\nratio = median / median of %s; peak MB = median peak resident memory\n",
         cmds[refi].name);
  return 0;
}

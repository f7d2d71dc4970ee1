/* thread_end.c: how a spawned thread ends the whole program
 * (tests/wasi/run-threads-tests.sh): argv[1] "exit" -> proc_exit(7) in
 * the thread while main waits forever; "trap" -> a trap in the thread
 * (exit 134); "main" -> main returns 3 while a thread still spins. */
#include <stdlib.h>
#include <string.h>

#include "shim.h"

static volatile int32_t never;
static const char *mode;

static void body(void *arg) {
  (void)arg;
  if (strcmp(mode, "exit") == 0) _Exit(7); /* proc_exit, libc-free */
  if (strcmp(mode, "trap") == 0) __builtin_trap();
  for (;;) shim_wait(&never, 0, -1);
}

int main(int argc, char **argv) {
  mode = argc > 1 ? argv[1] : "exit";
  if (!shim_start(body, NULL)) return 1;
  if (strcmp(mode, "main") == 0) return 3;
  for (;;) shim_wait(&never, 0, -1);
}

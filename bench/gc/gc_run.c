/* gc_run.c: the host of bench/gc/run for runs with another GC heap limit.
 *
 *   gc-run [--heap-limit MIB] [--stats] MODULE.so ARGS...
 *
 * Like tests/wasi/wasi-run (wasi_launch, the code of wasmc executables),
 * after wasmrt_gc_set_heap_limit(MIB MiB) when given (executables keep
 * WASMRT_GC_DEFAULT_HEAP_LIMIT, 1 GiB). --stats prints the thread's GC
 * statistics on stderr afterwards: collections, objects allocated, heap
 * and last live bytes. Exit code: the program's; 2 on usage or load
 * errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi.h"
#include "wasmrt.h"

int main(int argc, char **argv) {
  int i = 1;
  bool stats = false;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    if (strcmp(argv[i], "--stats") == 0) {
      stats = true;
    } else if (strcmp(argv[i], "--heap-limit") == 0 && i + 1 < argc) {
      uint64_t mib = strtoull(argv[++i], NULL, 10);
      if (!wasmrt_gc_set_heap_limit(mib << 20)) {
        fprintf(stderr, "gc-run: bad heap limit %s\n", argv[i]);
        return 2;
      }
    } else {
      break;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: gc-run [--heap-limit MIB] [--stats] MODULE.so ARGS...\n");
    return 2;
  }
  wasmrt_error err;
  wasmrt_module *mod = wasmrt_module_load(argv[i], &err);
  if (!mod) {
    fprintf(stderr, "gc-run: %s\n", err.message);
    return 2;
  }
  int code = wasi_launch(mod, argc - i, argv + i, "gc-run");
  if (stats) {
    wasmrt_gc_stats s;
    wasmrt_gc_get_stats(&s);
    fprintf(stderr,
            "gc-run: limit %llu MiB, %llu collections, %llu objects, heap %.1f MiB, "
            "last live %.1f MiB\n",
            (unsigned long long)(wasmrt_gc_heap_limit() >> 20),
            (unsigned long long)s.collections, (unsigned long long)s.allocated,
            s.heap_bytes / 1048576.0, s.live_bytes / 1048576.0);
  }
  wasmrt_module_free(mod);
  return code;
}

/* wasi_host.h: the embedder side of wasm2c's "wasi_snapshot_preview1"
 * import module, a minimal WASI preview1 host for the wasm2c peer engine
 * of bench/ (see README.md beside this file).
 *
 * wasm2c (wabt 1.0.32) hands every imported function a pointer to an
 * instance struct of the import module, `struct
 * Z_wasi_snapshot_preview1_instance_t`, whose definition it leaves to the
 * embedder; this is it. One such host serves one module instance. */
#ifndef BENCH_WASM2C_WASI_HOST_H
#define BENCH_WASM2C_WASI_HOST_H

#include <setjmp.h>

#include "wasm-rt.h"

struct Z_wasi_snapshot_preview1_instance_t {
  /* The guest's exported "memory". A pointer to wasm2c's memory object,
   * not to its bytes, because memory.grow may move them (it does not with
   * the default guard-page configuration, but it does without it). */
  wasm_rt_memory_t *memory;
  int argc;
  char **argv;
  /* proc_exit longjmps here with the code in exit_code, so that the driver
   * regains control from any depth of guest frames. */
  jmp_buf exit_jmp;
  int exit_code;
};

typedef struct Z_wasi_snapshot_preview1_instance_t wasi_host;

/* Prepare a host that passes argv[0..argc) to the guest; the memory is set
 * after instantiation, which is when it exists. */
void wasi_host_init(wasi_host *host, int argc, char **argv);

#endif

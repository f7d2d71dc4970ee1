/* main.c: driver of the wasm2c peer engine of bench/. Runs the WASI command
 * module that build.sh translated with `wasm2c -n guest` (hence the
 * Z_guest... names, from guest.h in build.sh's temporary directory):
 * instantiate, call _start, and turn the outcome into an exit status.
 *
 *   exit status: the guest's proc_exit code (0 when _start returns), or
 *   134 with a message on stderr when the guest traps (the code the
 *   wasmc-built executables use for a trap). */
/* wasm-rt.h's trap handler uses sigsetjmp, which is POSIX, not C17. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdio.h>

#include "guest.h"
#include "wasi_host.h"
#include "wasm-rt-impl.h"

enum { EXIT_TRAP = 134 };

int main(int argc, char **argv) {
  /* Static, so that nothing here needs to be volatile across the longjmps
   * of proc_exit and of traps. */
  static wasi_host host;
  static Z_guest_instance_t instance;

  wasi_host_init(&host, argc, argv);
  /* The memory object lives inside the instance, so its address is known
   * before instantiation: host calls from a start function work too. */
  host.memory = Z_guestZ_memory(&instance);

  /* wabt 1.0.32's default on 64-bit hosts, kept here: memory is an 8 GiB
   * reservation with guard pages and no explicit bounds checks
   * (WASM_RT_MEMCHECK_SIGNAL_HANDLER=1). This installs the SIGSEGV/SIGBUS
   * handler that turns guard-page hits into OOB traps and native stack
   * overflow into exhaustion traps. */
  wasm_rt_init();
  Z_guest_init_module();

  if (setjmp(host.exit_jmp) != 0) return host.exit_code;

  /* Instantiation is inside the trap handler as well: copying data
   * segments can trap, and wasm_rt_trap always longjmps to this point. */
  int trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) {
    fprintf(stderr, "%s: trap: %s\n", argv[0], wasm_rt_strerror((wasm_rt_trap_t)trap));
    return EXIT_TRAP;
  }
  Z_guest_instantiate(&instance, &host);
  Z_guestZ__start(&instance);

  /* No teardown (Z_guest_free, wasm_rt_free): the process ends here, and
   * the kernel releases the memory reservation faster. */
  return 0;
}

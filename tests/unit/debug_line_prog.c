/* debug_line_prog.c: code whose line table test_debug_line.c reads back
 * with the runtime's reader (runtime/debug_line.c). CMakeLists.txt
 * compiles it twice, at -O0 with -gdwarf-3 and -gdwarf-4 (VARIANT
 * names each copy's function), so that the test binary holds line
 * tables of the versions gcc writes besides its default 5 (the test
 * itself and the runtime). DWARF 2 tables are hand-made by the test:
 * gcc's -gdwarf-2 writes version 3 line tables. */
#include <stdint.h>

#include "debug_line_prog.h"

/* The caller's return address minus one: an address of the call
 * instruction, whose line is the caller's `line`. */
__attribute__((noinline)) static debug_line_spot here(unsigned line) {
  debug_line_spot s = {(uintptr_t)__builtin_return_address(0) - 1, line};
  return s;
}

debug_line_spot DEBUG_LINE_FN(VARIANT)(void) {
  return here(__LINE__);
}

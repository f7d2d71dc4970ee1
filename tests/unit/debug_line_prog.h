/* debug_line_prog.h: what debug_line_prog.c's copies give
 * test_debug_line.c: an address and the source line it is on. */
#ifndef DEBUG_LINE_PROG_H
#define DEBUG_LINE_PROG_H

#include <stdint.h>

typedef struct {
  uintptr_t pc;
  unsigned line;
} debug_line_spot;

#define DEBUG_LINE_CAT(a, b) a##b
#define DEBUG_LINE_FN(v) DEBUG_LINE_CAT(debug_line_spot_, v)

debug_line_spot debug_line_spot_dw3(void);
debug_line_spot debug_line_spot_dw4(void);

#endif

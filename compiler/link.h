/* link.h: shared objects from object files, through the system C driver.
 *
 * wasmc does not reimplement a linker: `cc -shared` (or the target's cross
 * gcc) knows the platform's crt files, libc and linker flags. The object's
 * runtime references (wasmrt_trap, ...) stay undefined in the shared
 * object and are resolved at dlopen time from the process embedding
 * libwasmrt.
 */
#ifndef WASMC_LINK_H
#define WASMC_LINK_H

#include <stdbool.h>
#include <stddef.h>

/* Runs `CC -shared -o OUT OBJ -lm` (CC = "cc" or a cross driver) without a
 * shell. false with a message in err when the driver cannot be started or
 * fails; the message includes the first lines of what it printed. */
bool link_shared(const char *cc, const char *obj, const char *out, char *err,
                 size_t errsz);

#endif

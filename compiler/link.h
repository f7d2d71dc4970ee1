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

/* Runs `CC -o OUT OBJ libwasmc_launcher.a libwasmc_wasi.a libwasmrt_static.a
 * -lm -ldl -lpthread [-static]`: a standalone executable whose main() (the
 * launcher) runs the module's _start under WASI. The archives are looked
 * for in $WASMC_LIBDIR if set, else in the build tree of the running wasmc
 * (/proc/self/exe); false with a message when one is missing or the link
 * fails. */
bool link_executable(const char *cc, const char *obj, const char *out,
                     bool static_exe, char *err, size_t errsz);

#endif

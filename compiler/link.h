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

/* Runs `CC -r -nostdlib -o OUT OBJS...`: one relocatable object from the
 * objects of a module compiled in chunks (codegen.c). */
bool link_relocatable(const char *cc, const char *const *objs, size_t nobjs,
                      const char *out, char *err, size_t errsz);

/* Runs `CC -o OUT OBJ libwasmc_launcher.a libwasmc_wasi.a libwasmrt_static.a
 * -lm -ldl -lpthread [-static] [-s]`: a standalone executable whose main() (the
 * launcher) runs the module's _start under WASI. cross_arch is NULL for
 * the host's architecture, else the target's ("aarch64"), whose archives
 * come from its cross build. The archives are looked for
 *   in $WASMC_LIBDIR (host) or $WASMC_LIBDIR/ARCH (cross) if it is set;
 *   else, for a wasmc in its build tree (BUILD/compiler/wasmc beside
 *   BUILD/CMakeCache.txt), in that build tree (host) or in build-ARCH/
 *   next to it (cross, where scripts/cross-build ARCH puts them);
 *   else (an installed wasmc) in its private library folder relative to
 *   its own (WASMC_REL_LIBDIR, e.g. ../lib/wasmc, set by CMake from the
 *   install layout) or that folder's ARCH/ subfolder.
 * false with a message when one is missing or the link fails. */
bool link_executable(const char *cc, const char *cross_arch, const char *obj,
                     const char *out, bool static_exe, bool strip, char *err,
                     size_t errsz);

#endif

/* llvm_load.c: the wasmc executable's side of llvm_api.h: finds and
 * dlopens libwasmc_llvm.so on first need, and checks that it comes from
 * the same build. */
#include "llvm_api.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <llvm/Config/llvm-config.h>

#ifndef WASMC_REL_LIBDIR
#error "WASMC_REL_LIBDIR (the private library folder relative to bindir) comes from cmake/install.cmake"
#endif

/* MAJOR.MINOR.PATCH, as LLVMGetVersion reports it at run time
 * (LLVM_VERSION_STRING may carry a suffix). */
#define STR_(x) #x
#define STR(x) STR_(x)
const char *llvm_api_build_llvm_version(void) {
  return STR(LLVM_VERSION_MAJOR) "." STR(LLVM_VERSION_MINOR) "." STR(LLVM_VERSION_PATCH);
}

/* library_path without $WASMC_LIBDIR: the build tree or the installed
 * private folder; false after a message when /proc/self/exe fails. */
static bool exe_relative_path(char *path, size_t n, int *w) {
  char exe[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) {
    fprintf(stderr, "wasmc: error: cannot find %s: /proc/self/exe: %s (set "
            "WASMC_LIBDIR to the folder holding it)\n", WASMC_LLVM_LIBRARY,
            strerror(errno));
    return false;
  }
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash) *slash = '\0';
  char cache[PATH_MAX + 32];
  snprintf(cache, sizeof cache, "%s/../CMakeCache.txt", exe);
  if (access(cache, F_OK) == 0)
    *w = snprintf(path, n, "%s/%s", exe, WASMC_LLVM_LIBRARY);
  else if (WASMC_REL_LIBDIR[0] == '/')
    *w = snprintf(path, n, "%s/%s", WASMC_REL_LIBDIR, WASMC_LLVM_LIBRARY);
  else
    *w = snprintf(path, n, "%s/%s/%s", exe, WASMC_REL_LIBDIR, WASMC_LLVM_LIBRARY);
  return true;
}

/* Where the library should be, into path: in $WASMC_LIBDIR when set and
 * holding it; else beside the executable in its build tree
 * (BUILD/compiler/wasmc, with BUILD/CMakeCache.txt); else WASMC_REL_LIBDIR
 * relative to the executable's folder (or absolute). $WASMC_LIBDIR only
 * takes precedence here, unlike for link.c's archives: a folder of a
 * cross target's archives holds no (host) code generator. */
static bool library_path(char *path, size_t n) {
  const char *libdir = getenv("WASMC_LIBDIR");
  int w = 0;
  if (libdir && *libdir) {
    w = snprintf(path, n, "%s/%s", libdir, WASMC_LLVM_LIBRARY);
    if (w > 0 && (size_t)w < n && access(path, R_OK) == 0) return true;
  }
  if (!exe_relative_path(path, n, &w))
    return false;
  if (w <= 0 || (size_t)w >= n) {
    fprintf(stderr, "wasmc: error: the path of %s is too long\n", WASMC_LLVM_LIBRARY);
    return false;
  }
  return true;
}

/* Loaded once; never unloaded (LLVM registers atexit handlers). */
const wasmc_llvm_api *llvm_api_load(void) {
  static const wasmc_llvm_api *api;
  if (api) return api;
  char path[PATH_MAX + 64];
  if (!library_path(path, sizeof path)) return NULL;
  char real[PATH_MAX];
  if (access(path, R_OK) != 0) {
    fprintf(stderr, "wasmc: error: cannot find %s, wasmc's code generator "
            "(it needs LLVM): %s: %s; the installation is incomplete "
            "(reinstall, or set WASMC_LIBDIR to the folder holding it)\n",
            WASMC_LLVM_LIBRARY, realpath(path, real) ? real : path,
            strerror(errno));
    return NULL;
  }
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "wasmc: error: cannot load %s: %s\n", path, dlerror());
    return NULL;
  }
  wasmc_llvm_api_fn get = (wasmc_llvm_api_fn)dlsym(h, WASMC_LLVM_API_SYMBOL);
  const wasmc_llvm_api *a = get ? get() : NULL;
  if (!a || a->api_version != WASMC_LLVM_API_VERSION ||
      a->cli_args_size != sizeof(cli_args) ||
      strcmp(a->wasmc_version, WASMC_VERSION) != 0) {
    fprintf(stderr, "wasmc: error: %s is not from this wasmc's build "
            "(wasmc %s, interface %d); reinstall wasmc\n", path,
            WASMC_VERSION, WASMC_LLVM_API_VERSION);
    dlclose(h);
    return NULL;
  }
  api = a;
  return api;
}

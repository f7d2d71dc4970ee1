/* cache.h: the compile cache of `wasmc run`.
 *
 * An entry is one file, DIR/<64 hex digits of the key>.wasmc: a fixed
 * header (magic, format version, key, sizes) followed by the shared object
 * `wasmc compile --shared` would make as one zstd frame with its content
 * checksum. The key is a SHA-256 hash of the module's SHA-256 digest and
 * of everything that changes the code (compiler and LLVM versions, runtime
 * ABI, target triple, CPU, features, options), given by the caller as
 * strings: the module is hashed once for the keys of both tiers. Entries are written to a temporary file in DIR, fsynced and
 * renamed into place, so a reader sees either no entry or a whole one and
 * concurrent writers of one key only replace one good entry by another.
 * A lookup verifies everything before anything is loaded: a corrupted,
 * truncated or foreign entry is a miss (with a one-line note), never code
 * that runs.
 */
#ifndef WASMC_CACHE_H
#define WASMC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CACHE_KEY_LEN = 32 };

/* $XDG_CACHE_HOME/wasmc, else $HOME/.cache/wasmc, into buf (not created
 * here); false when neither variable is usable or buf is too small. */
bool cache_dir(char *buf, size_t n);

/* Whether dir may hold code this user will run: absent (it will be created
 * 0700), or a directory owned by this user that no one else can write to.
 * Otherwise false with the reason in why: another user could plant an
 * entry there (entries are checked for damage, not for authorship). */
bool cache_dir_trusted(const char *dir, char *why, size_t n);

/* The SHA-256 digest of the module's bytes, for cache_key. */
void cache_digest(const void *module, size_t size, uint8_t out[CACHE_KEY_LEN]);

/* The key for a module's digest + nparts strings (each length-prefixed,
 * so ("ab","c") and ("a","bc") differ). */
void cache_key(uint8_t key[CACHE_KEY_LEN], const uint8_t digest[CACHE_KEY_LEN],
               const char *const *parts, int nparts);

/* A private temporary file for a shared object to dlopen: mkstemps in
 * $XDG_RUNTIME_DIR (else $TMPDIR, else /tmp), "wasmc-run-XXXXXX.so"; false
 * with errno set on failure. The caller unlinks it. */
bool cache_temp_so(char *buf, size_t n);

typedef enum { CACHE_HIT, CACHE_MISS, CACHE_BAD } cache_result;

/* Looks the key up in dir. CACHE_HIT: the verified shared object was
 * decompressed into a memfd (*so_fd >= 0; so_path is /proc/self/fd/N: the
 * caller loads it, then closes *so_fd) or, where memfds are unavailable,
 * into a new private temporary file (*so_fd = -1; so_path is its path: the
 * caller loads and unlinks it). CACHE_MISS: no entry. CACHE_BAD: an
 * entry exists but is unreadable, corrupted, truncated or for another
 * key; a one-line note saying why was printed on stderr. */
cache_result cache_lookup(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                          char *so_path, size_t n, int *so_fd);

/* Stores the shared object at so_path as the entry for key (creating dir
 * with mode 0700 if needed), atomically. false + message on failure (the
 * run can go on without the cache). */
bool cache_store(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                 const char *so_path, char *err, size_t errsz);

/* The lock of key's background compile (run.c): DIR/<hex>.lock, opened
 * (created) and flock'ed exclusively without waiting; its fd, or -1 when
 * another process holds it (errno EWOULDBLOCK) or on error. The lock
 * lives as long as any descriptor of that open file (inherited by
 * fork), and the kernel drops it when its last holder dies, so a killed
 * compile leaves no stale lock. The path goes to lock_path. */
int cache_lock(const char *dir, const uint8_t key[CACHE_KEY_LEN],
               char *lock_path, size_t n);

/* Ends a lock cache_lock took: unlinks lock_path, then closes fd. Call it
 * after the entry was stored (or given up): a process that opened the old
 * file and locks it afterwards must find the entry (run.c checks). */
void cache_unlock(const char *lock_path, int fd);

/* A new private temporary file in dir for a shared object to store
 * (DIR/<hex>.wasmc.tmp-XXXXXX.so): its path into buf; false with errno. */
bool cache_temp_in_dir(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                       char *buf, size_t n);

/* Removes temporary files (*.tmp-*) in dir older than max_age seconds:
 * those of writers killed before they renamed or removed them. */
void cache_clean_temps(const char *dir, long max_age);

/* The entry's path for key (DIR/<hex>.wasmc) into buf. */
bool cache_entry_path(const char *dir, const uint8_t key[CACHE_KEY_LEN],
                      char *buf, size_t n);

#endif

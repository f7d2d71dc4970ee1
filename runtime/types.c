/* types.c: the process-wide registry of canonical function types.
 *
 * call_indirect compares a funcref's type_id with the id of the expected
 * type, so ids must be equal exactly when signatures are equal, across
 * every module loaded in the process and every host function. The
 * registry also remembers, per id, the host->Wasm entry trampolines that
 * loaded modules provide, so that wasmrt_call can call any funcref of that
 * type whichever module it came from. Entries are never removed (ids stay
 * valid for the process lifetime); trampolines are forgotten when the
 * module providing them is unloaded. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct tramp {
  const void *owner;
  wasmrt_entry_fn entry;
  struct tramp *next;
} tramp;

typedef struct {
  wasmrt_functype_desc type; /* points into bytes below */
  uint8_t *bytes;
  uint64_t hash;
  tramp *tramps;
} type_entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static type_entry **entries; /* entries[id]; each entry's address is stable */
static uint32_t nentries, cap;

static uint64_t hash_sig(const uint8_t *p, uint32_t np, const uint8_t *r, uint32_t nr) {
  uint64_t h = 1469598103934665603ull ^ ((uint64_t)np << 32 | nr);
  for (uint32_t i = 0; i < np; i++) h = (h ^ p[i]) * 1099511628211ull;
  h = (h ^ 0xFF) * 1099511628211ull;
  for (uint32_t i = 0; i < nr; i++) h = (h ^ r[i]) * 1099511628211ull;
  return h;
}

uint32_t rt_types_intern(const uint8_t *params, uint32_t np, const uint8_t *results,
                         uint32_t nr, const void *owner, wasmrt_entry_fn entry) {
  uint64_t h = hash_sig(params, np, results, nr);
  pthread_mutex_lock(&lock);
  uint32_t id = UINT32_MAX;
  /* Linear scan keyed by hash: modules have tens of types and the scan
   * runs once per type at load time. */
  for (uint32_t i = 0; i < nentries; i++) {
    type_entry *e = entries[i];
    if (e->hash == h && e->type.nparams == np && e->type.nresults == nr &&
        (np == 0 || memcmp(e->type.params, params, np) == 0) &&
        (nr == 0 || memcmp(e->type.results, results, nr) == 0)) {
      id = i;
      break;
    }
  }
  if (id == UINT32_MAX) {
    if (nentries == cap) {
      uint32_t ncap = cap ? cap * 2 : 64;
      type_entry **n = realloc(entries, ncap * sizeof *n);
      if (!n) goto oom;
      entries = n;
      cap = ncap;
    }
    type_entry *e = calloc(1, sizeof *e);
    uint8_t *bytes = malloc(np + nr + 1);
    if (!e || !bytes) {
      free(e);
      free(bytes);
      goto oom;
    }
    if (np) memcpy(bytes, params, np);
    if (nr) memcpy(bytes + np, results, nr);
    e->bytes = bytes;
    e->type = (wasmrt_functype_desc){np, nr, bytes, bytes + np};
    e->hash = h;
    id = nentries;
    entries[nentries++] = e;
  }
  if (entry) {
    tramp *t = malloc(sizeof *t);
    if (!t) goto oom;
    *t = (tramp){owner, entry, entries[id]->tramps};
    entries[id]->tramps = t;
  }
  pthread_mutex_unlock(&lock);
  return id;
oom:
  pthread_mutex_unlock(&lock);
  return UINT32_MAX;
}

void rt_types_forget_owner(const void *owner) {
  pthread_mutex_lock(&lock);
  for (uint32_t i = 0; i < nentries; i++) {
    tramp **pp = &entries[i]->tramps;
    while (*pp) {
      if ((*pp)->owner == owner) {
        tramp *dead = *pp;
        *pp = dead->next;
        free(dead);
      } else {
        pp = &(*pp)->next;
      }
    }
  }
  pthread_mutex_unlock(&lock);
}

wasmrt_entry_fn rt_types_entry(uint32_t id) {
  wasmrt_entry_fn f = NULL;
  pthread_mutex_lock(&lock);
  if (id < nentries && entries[id]->tramps) f = entries[id]->tramps->entry;
  pthread_mutex_unlock(&lock);
  return f;
}

const wasmrt_functype_desc *rt_types_get(uint32_t id) {
  const wasmrt_functype_desc *t = NULL;
  pthread_mutex_lock(&lock);
  if (id < nentries) t = &entries[id]->type;
  pthread_mutex_unlock(&lock);
  return t;
}

WASMRT_API const wasmrt_functype_desc *wasmrt_funcref_type(const wasmrt_funcref *fn) {
  return fn ? rt_types_get(fn->type_id) : NULL;
}

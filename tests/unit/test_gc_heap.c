/* test_gc_heap.c: libwasmrt's GC heap and collector (runtime/gc_heap.c,
 * gc_collect.c, gc_api.c) without compiled code: run-time types made by
 * hand, the shadow stack simulated by linking wasmrt_gc_frame records
 * into wasmrt_gc.roots as generated code does, and the inline allocation
 * path done here by bumping wasmrt_gc.bump[c] as generated code would.
 * Links the static runtime to reach gc.h / gc_heap.h, which are hidden
 * in the shared one. Criterion runs each test in a process of its own, so
 * each starts without a heap and may set the limit before its first
 * allocation. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc_heap.h"
#include "wasmrt.h"

/* ---- types ------------------------------------------------------------------ */

/* struct node { ref next @8; i64 value @16 }: 24 bytes, class 1 (32). */
static const uint32_t node_refs[] = {8};
static const wasmrt_rtt node_rtt = {.kind = WASMRT_COMP_STRUCT, .type_id = 1, .size = 24,
                                    .nrefs = 1, .ref_offsets = node_refs};
/* struct pair { ref a @8; i32 x @16; ref b @24 }: 32 bytes. */
static const uint32_t pair_refs[] = {8, 24};
static const wasmrt_rtt pair_rtt = {.kind = WASMRT_COMP_STRUCT, .type_id = 2, .size = 32,
                                    .nrefs = 2, .ref_offsets = pair_refs};
/* (array (mut anyref)), (array (mut i8)), (array i64) */
static const wasmrt_rtt refarr_rtt = {.kind = WASMRT_COMP_ARRAY, .type_id = 3, .size = 8,
                                      .nrefs = 1, .elem_type = WASMRT_ANYREF};
static const wasmrt_rtt bytes_rtt = {.kind = WASMRT_COMP_ARRAY, .type_id = 4, .size = 1,
                                     .elem_type = WASMRT_PACKED_I8};
static const wasmrt_rtt i64arr_rtt = {.kind = WASMRT_COMP_ARRAY, .type_id = 5, .size = 8,
                                      .elem_type = WASMRT_I64};
static const wasmrt_rtt v128arr_rtt = {.kind = WASMRT_COMP_ARRAY, .type_id = 6, .size = 16,
                                       .elem_type = WASMRT_V128};

typedef struct {
  const wasmrt_rtt *rtt;
  uintptr_t next;
  int64_t value;
} node;

static uintptr_t word(void *obj) { return obj ? gc_word_of(obj) : 0; }
static void *obj_of(uintptr_t w) { return w ? gc_object_of(w) : NULL; }

static uintptr_t *ref_elems(void *arr) {
  return (uintptr_t *)((uint8_t *)arr + WASMRT_GC_ARRAY_DATA);
}
static uint32_t arr_len(void *arr) {
  return *(uint32_t *)((uint8_t *)arr + WASMRT_GC_ARRAY_LENGTH);
}

/* ---- the shadow stack, as generated code keeps it ---------------------------- */

static wasmrt_gc_frame *frame_push(uint64_t nslots) {
  wasmrt_gc_frame *f = calloc(1, sizeof *f + nslots * sizeof(void *));
  cr_assert(f);
  f->nslots = nslots;
  f->prev = wasmrt_gc.roots;
  wasmrt_gc.roots = f;
  return f;
}

static void frame_pop(wasmrt_gc_frame *f) {
  cr_assert_eq(wasmrt_gc.roots, f);
  wasmrt_gc.roots = f->prev;
  free(f);
}

/* Inline allocation as wasmrt_abi.h describes it: bump the class's run,
 * store the rtt; the entry point when the run is empty. */
static void *alloc_inline(const wasmrt_rtt *rtt, uint32_t size) {
  uint32_t c = (size + 15) / 16 - 1;
  wasmrt_gc_bump *b = &wasmrt_gc.bump[c];
  uint32_t csize = 16 * (c + 1);
  if ((uintptr_t)b->cursor + csize <= (uintptr_t)b->limit) {
    void *o = b->cursor;
    b->cursor += csize;
    memcpy(o, &rtt, sizeof rtt);
    return o;
  }
  return wasmrt_gc_alloc(NULL, rtt, size);
}

static node *new_node(uintptr_t next, int64_t value) {
  node *n = alloc_inline(&node_rtt, node_rtt.size);
  if (n) {
    n->next = next;
    n->value = value;
  }
  return n;
}

static wasmrt_gc_stats stats(void) {
  wasmrt_gc_stats s;
  wasmrt_gc_get_stats(&s);
  return s;
}

/* Resident bytes of the process (/proc/self/statm), 0 when unknown. */
static uint64_t rss(void) {
  FILE *fp = fopen("/proc/self/statm", "r");
  unsigned long long size = 0, res = 0;
  if (fp) {
    if (fscanf(fp, "%llu %llu", &size, &res) != 2) res = 0;
    fclose(fp);
  }
  return res * 4096; /* close enough: only growth is compared */
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A list of n nodes, values n-1 .. 0 from the head, kept in slot s of f
 * while it is built (each allocation may collect). */
static void build_list(wasmrt_gc_frame *f, int s, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    node *x = new_node((uintptr_t)f->slots[s], i);
    cr_assert(x, "allocation %lld failed", (long long)i);
    f->slots[s] = (void *)word(x);
  }
}

static int64_t check_list(uintptr_t head, int64_t n) {
  int64_t count = 0;
  for (node *x = obj_of(head); x; x = obj_of(x->next)) {
    cr_assert_eq(x->rtt, &node_rtt);
    cr_assert_eq(x->value, n - 1 - count, "node %lld holds %lld", (long long)count,
                 (long long)x->value);
    count++;
  }
  return count;
}

/* ---- allocation ----------------------------------------------------------------- */

Test(gc_alloc, inline_runs_are_zeroed_cells_of_the_class) {
  cr_assert_null(gc_heap_current());
  node *first = wasmrt_gc_alloc(NULL, &node_rtt, 24);
  cr_assert(first);
  cr_assert_eq((uintptr_t)first % 16, 0);
  cr_assert_eq(first->rtt, &node_rtt);
  cr_assert_eq(first->next, 0);
  wasmrt_gc_bump *b = &wasmrt_gc.bump[1];
  /* The slow path left the rest of a run for the inline path. */
  cr_assert_eq(b->cursor, (uint8_t *)first + 32);
  cr_assert_gt(b->limit, b->cursor);
  for (uint8_t *p = b->cursor; p < b->limit; p++) cr_assert_eq(*p, 0);
  uint8_t *prev = (uint8_t *)first;
  for (int i = 0; i < 1000; i++) {
    node *n = new_node(0, i);
    cr_assert(n);
    cr_assert_eq((uintptr_t)n % 16, 0);
    if ((uint8_t *)n != prev + 32) cr_assert(i > 0, "a new run may start elsewhere");
    prev = (uint8_t *)n;
  }
  wasmrt_gc_stats s = stats();
  cr_assert_geq(s.allocated, 1001);
  cr_assert_eq(s.heap_bytes, 65536, "one block of class 1: %llu", (unsigned long long)s.heap_bytes);
  /* Every class: slow path, then its run. */
  for (uint32_t size = 8; size <= 256; size += 8) {
    void *o = gc_alloc(&i64arr_rtt, size);
    cr_assert(o);
    cr_assert_eq((uintptr_t)o % 16, 0);
    uint32_t c = (size + 15) / 16 - 1;
    cr_assert_eq((uintptr_t)wasmrt_gc.bump[c].cursor, (uintptr_t)o + 16 * (c + 1),
                 "size %u", size);
  }
}

Test(gc_alloc, medium_and_large_objects_zeroed) {
  wasmrt_gc_frame *f = frame_push(1);
  /* Sizes around every boundary: inline classes, the runtime's own
   * classes up to 32 KiB, whole blocks. */
  static const uint32_t lens[] = {0, 1, 240, 241, 300, 1000, 4080, 9000, 32752, 32753, 65520,
                                  65521, 200000, 1000000};
  for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
    uint8_t *a = gc_alloc_array(&bytes_rtt, lens[k]);
    cr_assert(a, "len %u", lens[k]);
    cr_assert_eq((uintptr_t)a % 16, 0);
    cr_assert_eq(arr_len(a), lens[k]);
    for (uint32_t i = 0; i < lens[k]; i++) cr_assert_eq(a[16 + i], 0);
    memset(a + 16, 0xA5, lens[k]); /* dirty it for the reuse below */
  }
  gc_collect();
  cr_assert_eq(stats().heap_bytes, 0);
  for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
    uint8_t *a = gc_alloc_array(&bytes_rtt, lens[k]);
    cr_assert(a);
    for (uint32_t i = 0; i < lens[k]; i++) cr_assert_eq(a[16 + i], 0, "reused, not zeroed");
    f->slots[0] = (void *)word(a);
  }
  frame_pop(f);
}

/* ---- what survives a collection ------------------------------------------------ */

Test(gc_collect, rooted_objects_survive_with_their_contents) {
  wasmrt_gc_frame *f = frame_push(3);
  build_list(f, 0, 10000);
  /* a pair pointing at an array of refs, an i31 and a host value */
  uintptr_t *held = NULL;
  {
    void *arr = gc_alloc_array(&refarr_rtt, 50);
    cr_assert(arr);
    f->slots[1] = (void *)word(arr);
    for (int i = 0; i < 50; i++) {
      node *n = new_node(0, 1000 + i);
      arr = obj_of((uintptr_t)f->slots[1]);
      ref_elems(arr)[i] = word(n);
    }
    ref_elems(arr)[7] = (uintptr_t)(7 << 1 | 1); /* i31 */
    ref_elems(arr)[8] = 0x1000;                   /* a host value */
    uint8_t *p = gc_alloc(&pair_rtt, 32);
    cr_assert(p);
    memcpy(p + 8, &(uintptr_t){(uintptr_t)f->slots[1]}, 8);
    memcpy(p + 16, &(int32_t){-5}, 4);
    f->slots[2] = (void *)word(p);
    held = ref_elems(arr);
  }
  /* Garbage alongside. */
  for (int i = 0; i < 20000; i++) cr_assert(new_node(0, -1));
  uint64_t before = stats().heap_bytes;
  gc_collect();
  wasmrt_gc_stats s = stats();
  cr_assert_eq(check_list((uintptr_t)f->slots[0], 10000), 10000);
  uint8_t *p = obj_of((uintptr_t)f->slots[2]);
  cr_assert_eq(*(const wasmrt_rtt **)p, &pair_rtt);
  cr_assert_eq(*(int32_t *)(p + 16), -5);
  void *arr = obj_of(*(uintptr_t *)(p + 8));
  cr_assert_eq(ref_elems(arr), held);
  cr_assert_eq(arr_len(arr), 50);
  for (int i = 0; i < 50; i++) {
    if (i == 7) {
      cr_assert_eq(ref_elems(arr)[i], 15);
    } else if (i == 8) {
      cr_assert_eq(ref_elems(arr)[i], 0x1000);
    } else {
      node *n = obj_of(ref_elems(arr)[i]);
      cr_assert_eq(n->rtt, &node_rtt);
      cr_assert_eq(n->value, 1000 + i);
    }
  }
  /* live: 10000 + 48 nodes of 32 bytes, the array (416 -> 448), the pair */
  cr_assert_eq(s.live_bytes, (10000 + 48) * 32 + 448 + 32, "live %llu",
               (unsigned long long)s.live_bytes);
  cr_assert_leq(s.heap_bytes, before);
  cr_assert_geq(s.collections, 1);
  /* Still right after more collections and allocation in the holes. */
  for (int i = 0; i < 30000; i++) cr_assert(new_node(0, -2));
  gc_collect();
  cr_assert_eq(check_list((uintptr_t)f->slots[0], 10000), 10000);
  frame_pop(f);
}

Test(gc_collect, unreachable_objects_are_reclaimed_and_cells_reused) {
  wasmrt_gc_frame *f = frame_push(1);
  /* 100,000 nodes, every 10th kept in a list. */
  uintptr_t *addrs = calloc(100000, sizeof *addrs);
  for (int i = 0; i < 100000; i++) {
    node *n = new_node(i % 10 ? 0 : (uintptr_t)f->slots[0], i);
    cr_assert(n);
    addrs[i] = (uintptr_t)n;
    if (i % 10 == 0) f->slots[0] = (void *)word(n);
  }
  uint64_t before = stats().heap_bytes;
  cr_assert_geq(before, 100000 * 32);
  gc_collect();
  wasmrt_gc_stats s = stats();
  cr_assert_eq(s.live_bytes, 10000 * 32);
  /* The 9 dead in 10 are free cells: new nodes take them, not new blocks. */
  for (int i = 0; i < 1000; i++) {
    node *n = new_node(0, 0);
    int hit = 0;
    for (int j = 0; j < 100000 && !hit; j++) hit = addrs[j] == (uintptr_t)n;
    cr_assert(hit, "allocation %d took a fresh cell", i);
    cr_assert_neq((uintptr_t)n, addrs[(uintptr_t)0], "a live cell handed out");
  }
  cr_assert_eq(stats().heap_bytes, s.heap_bytes);
  /* Nothing rooted: every block goes back. */
  f->slots[0] = NULL;
  gc_collect();
  s = stats();
  cr_assert_eq(s.heap_bytes, 0);
  cr_assert_eq(s.live_bytes, 0);
  fprintf(stderr, "reclaim: heap %llu -> 0 bytes\n", (unsigned long long)before);
  free(addrs);
  frame_pop(f);
}

Test(gc_collect, cells_handed_out_since_a_collection_are_not_handed_out_again) {
  /* After a collection, live-but-unmarked new cells sit among free ones:
   * each allocation must get a cell no other live object has. */
  wasmrt_gc_frame *f = frame_push(2);
  for (int i = 0; i < 50000; i++) cr_assert(new_node(i % 3 ? 0 : (uintptr_t)f->slots[0], i));
  gc_collect();
  build_list(f, 1, 60000);
  cr_assert_eq(check_list((uintptr_t)f->slots[1], 60000), 60000);
  gc_collect();
  cr_assert_eq(check_list((uintptr_t)f->slots[1], 60000), 60000);
  frame_pop(f);
}

Test(gc_collect, medium_cells_handed_out_since_a_collection_stay_theirs) {
  /* The same for a class of the runtime's own (arrays of 40 refs: 336
   * bytes, cells of 384), chained through element 0. */
  wasmrt_gc_frame *f = frame_push(2);
  for (int i = 0; i < 20000; i++) {
    void *a = gc_alloc_array(&refarr_rtt, 40);
    cr_assert(a);
    if (i % 3 == 0) {
      ref_elems(a)[0] = (uintptr_t)f->slots[0];
      f->slots[0] = (void *)word(a);
    }
  }
  gc_collect();
  for (int i = 0; i < 30000; i++) {
    void *a = gc_alloc_array(&refarr_rtt, 40);
    cr_assert(a);
    ref_elems(a)[0] = (uintptr_t)f->slots[1];
    ref_elems(a)[39] = (uintptr_t)(i << 1 | 1);
    f->slots[1] = (void *)word(a);
  }
  int count = 0;
  for (void *a = obj_of((uintptr_t)f->slots[1]); a; a = obj_of(ref_elems(a)[0])) {
    cr_assert_eq(arr_len(a), 40);
    cr_assert_eq(ref_elems(a)[39], (uintptr_t)((29999 - count) << 1 | 1));
    count++;
  }
  cr_assert_eq(count, 30000);
  frame_pop(f);
}

Test(gc_collect, million_long_list_without_recursion) {
  wasmrt_gc_frame *f = frame_push(1);
  double t0 = now();
  build_list(f, 0, 1000000);
  double t1 = now();
  gc_collect();
  double t2 = now();
  cr_assert_eq(check_list((uintptr_t)f->slots[0], 1000000), 1000000);
  wasmrt_gc_stats s = stats();
  cr_assert_eq(s.live_bytes, 1000000ull * 32);
  fprintf(stderr,
          "million list: built in %.1f ms (%llu collections on the way), full "
          "collection %.1f ms, heap %llu bytes\n",
          (t1 - t0) * 1e3, (unsigned long long)s.collections - 1, (t2 - t1) * 1e3,
          (unsigned long long)s.heap_bytes);
  f->slots[0] = NULL;
  gc_collect();
  cr_assert_eq(stats().heap_bytes, 0);
  frame_pop(f);
}

Test(gc_collect, allocation_throughput) {
  /* 10,000,000 short-lived nodes, a 100,000-node list live throughout:
   * the cost per object of bumping, of the slow path and of collecting. */
  wasmrt_gc_frame *f = frame_push(1);
  build_list(f, 0, 100000);
  uint64_t c0 = stats().collections;
  double t0 = now();
  for (int i = 0; i < 10000000; i++)
    if (!new_node(0, i)) cr_assert_fail("allocation %d failed", i);
  double t1 = now();
  wasmrt_gc_stats s = stats();
  cr_assert_eq(check_list((uintptr_t)f->slots[0], 100000), 100000);
  cr_assert_leq(s.heap_bytes, 16u << 20);
  fprintf(stderr,
          "throughput: 10M nodes of 32 bytes in %.1f ms (%.1f ns each), %llu collections, "
          "heap %llu KiB\n",
          (t1 - t0) * 1e3, (t1 - t0) * 1e9 / 1e7, (unsigned long long)(s.collections - c0),
          (unsigned long long)(s.heap_bytes >> 10));
  frame_pop(f);
}

Test(gc_collect, cycles_are_reclaimed) {
  wasmrt_gc_frame *f = frame_push(2);
  /* a ring of 10,000 and 1,000 two-cycles of pairs, unreachable */
  node *first = new_node(0, 0);
  f->slots[0] = (void *)word(first);
  f->slots[1] = (void *)word(first);
  for (int i = 1; i < 10000; i++) {
    node *n = new_node((uintptr_t)f->slots[1], i);
    f->slots[1] = (void *)word(n);
  }
  ((node *)obj_of((uintptr_t)f->slots[0]))->next = (uintptr_t)f->slots[1];
  for (int i = 0; i < 1000; i++) {
    uint8_t *a = gc_alloc(&pair_rtt, 32), *b = gc_alloc(&pair_rtt, 32);
    uintptr_t wa = word(a), wb = word(b);
    memcpy(a + 8, &wb, 8);
    memcpy(b + 24, &wa, 8);
  }
  /* While rooted the ring survives (one trip round it). */
  gc_collect();
  cr_assert_eq(stats().live_bytes, 10000 * 32);
  int count = 0;
  uintptr_t w = (uintptr_t)f->slots[0];
  do {
    w = ((node *)obj_of(w))->next;
    count++;
  } while (w != (uintptr_t)f->slots[0] && count <= 10000);
  cr_assert_eq(count, 10000);
  f->slots[0] = f->slots[1] = NULL;
  gc_collect();
  cr_assert_eq(stats().heap_bytes, 0);
  frame_pop(f);
}

/* ---- the limit --------------------------------------------------------------- */

Test(gc_limit, churn_of_twenty_times_the_limit_never_fails) {
  const uint64_t limit = 8u << 20;
  cr_assert(wasmrt_gc_set_heap_limit(limit));
  wasmrt_gc_frame *f = frame_push(2);
  /* A window of 256 live lists of 64 nodes, replaced round robin, plus
   * short-lived arrays of every kind of size. */
  void *win = gc_alloc_array(&refarr_rtt, 256);
  cr_assert(win);
  f->slots[0] = (void *)word(win);
  uint64_t bytes = 0, max_heap = 0, n = 0;
  uint64_t rss0 = rss();
  double t0 = now();
  while (bytes < 20 * limit) {
    f->slots[1] = NULL;
    build_list(f, 1, 64);
    bytes += 64 * 32;
    win = obj_of((uintptr_t)f->slots[0]);
    ref_elems(win)[n++ % 256] = (uintptr_t)f->slots[1];
    uint32_t len = (uint32_t)(n * 37 % 3000);
    cr_assert(gc_alloc_array(&i64arr_rtt, len), "array of %u after %llu bytes", len,
              (unsigned long long)bytes);
    bytes += 16 + 8ull * len;
    if (n % 64 == 0) {
      cr_assert(gc_alloc_array(&bytes_rtt, 100000));
      bytes += 100016;
    }
    uint64_t hb = stats().heap_bytes;
    if (hb > max_heap) max_heap = hb;
  }
  double t1 = now();
  uint64_t grown = rss() - rss0;
  wasmrt_gc_stats s = stats();
  cr_assert_leq(max_heap, limit, "heap %llu over the limit", (unsigned long long)max_heap);
  /* Given-back blocks leave the resident set: it grows by about the
   * heap, never by what was allocated. */
  cr_assert_lt(grown, limit + (4u << 20), "RSS grew by %llu", (unsigned long long)grown);
  cr_assert_geq(s.collections, 10);
  for (int i = 0; i < 256; i++) {
    win = obj_of((uintptr_t)f->slots[0]);
    cr_assert_eq(check_list(ref_elems(win)[i], 64), 64);
  }
  fprintf(stderr,
          "churn: %llu MiB allocated under an 8 MiB limit in %.1f ms: %llu collections, "
          "heap at most %llu KiB, live %llu KiB, RSS +%llu KiB\n",
          (unsigned long long)(bytes >> 20), (t1 - t0) * 1e3, (unsigned long long)s.collections,
          (unsigned long long)(max_heap >> 10), (unsigned long long)(s.live_bytes >> 10),
          (unsigned long long)(grown >> 10));
  frame_pop(f);
}

Test(gc_limit, a_live_set_above_the_limit_gives_null) {
  const uint64_t limit = 4u << 20;
  cr_assert(wasmrt_gc_set_heap_limit(limit));
  cr_assert_eq(wasmrt_gc_heap_limit(), limit);
  wasmrt_gc_frame *f = frame_push(1);
  uint64_t count = 0;
  for (;;) {
    node *n = new_node((uintptr_t)f->slots[0], (int64_t)count);
    if (!n) break;
    f->slots[0] = (void *)word(n);
    count++;
    cr_assert_lt(count, limit / 32 + 1, "more objects than fit");
  }
  wasmrt_gc_stats s = stats();
  cr_assert_leq(s.heap_bytes, limit);
  cr_assert_gt(count, limit / 32 * 9 / 10, "only %llu objects", (unsigned long long)count);
  cr_assert_eq(check_list((uintptr_t)f->slots[0], (int64_t)count), (int64_t)count);
  /* Big objects fail too, and nothing breaks. */
  cr_assert_null(gc_alloc_array(&bytes_rtt, 1u << 20));
  cr_assert_null(gc_alloc_array(&bytes_rtt, 1000));
  /* Let it go: allocation works again. */
  f->slots[0] = NULL;
  cr_assert(new_node(0, 1));
  cr_assert(gc_alloc_array(&bytes_rtt, 1u << 20));
  fprintf(stderr, "limit 4 MiB: %llu live nodes of 32 bytes before NULL\n",
          (unsigned long long)count);
  frame_pop(f);
}

Test(gc_limit, huge_lengths_give_null) {
  cr_assert_null(wasmrt_gc_array_new(NULL, &i64arr_rtt, UINT32_MAX));
  cr_assert_null(wasmrt_gc_array_new(NULL, &bytes_rtt, UINT32_MAX)); /* > 1 GiB limit */
  cr_assert_null(wasmrt_gc_array_new(NULL, &v128arr_rtt, 1u << 28)); /* exactly 4 GiB */
  cr_assert_null(wasmrt_gc_array_new(NULL, &v128arr_rtt, (1u << 28) + 1));
  cr_assert_null(gc_alloc_array(&bytes_rtt, 1ull << 32));
  cr_assert_null(gc_alloc_array(&bytes_rtt, UINT64_MAX));
  cr_assert_null(wasmrt_gc_alloc(NULL, &node_rtt, UINT32_MAX - 7));
  /* Exactly the limit works; then nothing more while it is held. */
  wasmrt_gc_frame *f = frame_push(1);
  void *a = wasmrt_gc_array_new(NULL, &bytes_rtt, (1u << 30) - 16);
  cr_assert(a);
  f->slots[0] = (void *)word(a);
  cr_assert_eq(stats().heap_bytes, 1u << 30);
  cr_assert_null(wasmrt_gc_array_new(NULL, &bytes_rtt, 100));
  f->slots[0] = NULL;
  cr_assert(wasmrt_gc_array_new(NULL, &bytes_rtt, 100)); /* collects first */
  cr_assert_eq(stats().heap_bytes, 65536);
  frame_pop(f);
}

Test(gc_limit, a_limit_above_the_reservation_is_bounded_by_it) {
  /* A 1 MiB limit reserves the minimum, 64 MiB; raising the limit later
   * cannot move the heap, so the reservation bounds it, with NULL. */
  cr_assert(wasmrt_gc_set_heap_limit(1u << 20));
  cr_assert(new_node(0, 0));
  cr_assert_eq(gc_heap_current()->reserved, GC_MIN_RESERVE);
  cr_assert(wasmrt_gc_set_heap_limit(1ull << 34));
  wasmrt_gc_frame *f = frame_push(1);
  uint64_t n = 0;
  for (;;) {
    void *a = gc_alloc_array(&refarr_rtt, 1000); /* 8016 bytes: class 8192 */
    if (!a) break;
    ref_elems(a)[0] = (uintptr_t)f->slots[0];
    f->slots[0] = (void *)word(a);
    n++;
  }
  cr_assert_eq(n, GC_MIN_RESERVE / 8192);
  cr_assert_eq(stats().heap_bytes, GC_MIN_RESERVE);
  cr_assert_null(gc_alloc_array(&bytes_rtt, 1u << 20));
  f->slots[0] = NULL;
  cr_assert(gc_alloc_array(&bytes_rtt, 1u << 20));
  frame_pop(f);
}

Test(gc_limit, a_limit_near_2_to_the_64_reserves_the_most) {
  /* Rounded up to blocks, UINT64_MAX would wrap to 0 and reserve the
   * minimum; it reserves as much as the system gives, up to the most. */
  cr_assert(wasmrt_gc_set_heap_limit(UINT64_MAX));
  cr_assert(new_node(0, 0));
  cr_assert_gt(gc_heap_current()->reserved, GC_MIN_RESERVE);
  cr_assert_leq(gc_heap_current()->reserved, GC_MAX_RESERVE);
  cr_assert_eq(wasmrt_gc_heap_limit(), UINT64_MAX);
}

Test(gc_limit, limit_api) {
  cr_assert_eq(wasmrt_gc_heap_limit(), WASMRT_GC_DEFAULT_HEAP_LIMIT);
  cr_assert_not(wasmrt_gc_set_heap_limit(0));
  cr_assert(wasmrt_gc_set_heap_limit(1u << 20));
  cr_assert_eq(wasmrt_gc_heap_limit(), 1u << 20);
  /* Lowered below what is live: allocation fails, nothing else. */
  wasmrt_gc_frame *f = frame_push(1);
  build_list(f, 0, 1000);
  cr_assert(wasmrt_gc_set_heap_limit(1));
  cr_assert_null(gc_alloc_array(&bytes_rtt, 100000));
  cr_assert(wasmrt_gc_set_heap_limit(1u << 20));
  cr_assert(gc_alloc_array(&bytes_rtt, 100000));
  frame_pop(f);
}

/* ---- other roots ----------------------------------------------------------- */

Test(gc_roots, handles_keep_objects_alive_until_released) {
  node *n = new_node(0, 42);
  wasmrt_ref_handle *h = wasmrt_ref_hold((void *)word(n));
  cr_assert(h);
  wasmrt_ref_handle *hi = wasmrt_ref_hold((void *)(uintptr_t)(5 << 1 | 1));
  wasmrt_ref_handle *hn = wasmrt_ref_hold(NULL);
  wasmrt_ref_handle *hh = wasmrt_ref_hold((void *)(uintptr_t)0x4000);
  cr_assert(hi && hn && hh);
  cr_assert_eq(stats().handles, 4);
  for (int i = 0; i < 100000; i++) cr_assert(new_node(0, -1));
  gc_collect();
  cr_assert_eq(wasmrt_ref_handle_get(h), (void *)word(n));
  cr_assert_eq(n->rtt, &node_rtt);
  cr_assert_eq(n->value, 42);
  cr_assert_eq(stats().live_bytes, 32);
  cr_assert_eq(stats().heap_bytes, 65536);
  cr_assert_eq((uintptr_t)wasmrt_ref_handle_get(hi), 11);
  cr_assert_null(wasmrt_ref_handle_get(hn));
  cr_assert_eq((uintptr_t)wasmrt_ref_handle_get(hh), 0x4000);
  wasmrt_ref_release(hi);
  wasmrt_ref_release(h);
  wasmrt_ref_release(hh);
  cr_assert_eq(stats().handles, 1);
  gc_collect();
  cr_assert_eq(stats().heap_bytes, 0);
  wasmrt_ref_release(hn);
  wasmrt_ref_release(NULL);
  cr_assert_eq(stats().handles, 0);
}

Test(gc_roots, many_handles) {
  enum { N = 100000 };
  wasmrt_ref_handle **hs = calloc(N, sizeof *hs);
  for (int i = 0; i < N; i++) {
    hs[i] = wasmrt_ref_hold((void *)word(new_node(0, i)));
    cr_assert(hs[i]);
  }
  cr_assert_eq(stats().handles, N);
  gc_collect();
  cr_assert_eq(stats().live_bytes, (uint64_t)N * 32);
  /* Release every other one, out of order. */
  for (int i = 1; i < N; i += 2) wasmrt_ref_release(hs[i]);
  gc_collect();
  cr_assert_eq(stats().live_bytes, (uint64_t)N / 2 * 32);
  for (int i = 0; i < N; i += 2)
    cr_assert_eq(((node *)obj_of((uintptr_t)wasmrt_ref_handle_get(hs[i])))->value, i);
  for (int i = N - 2; i >= 0; i -= 2) wasmrt_ref_release(hs[i]);
  cr_assert_eq(stats().handles, 0);
  gc_collect();
  cr_assert_eq(stats().heap_bytes, 0);
  free(hs);
}

static uintptr_t provider_words[8];
static int provider_calls;
static void provide(void *arg, gc_tracer *t) {
  cr_assert_eq(arg, provider_words);
  provider_calls++;
  gc_visit_range(t, (void *const *)provider_words, 8);
}

Test(gc_roots, providers_are_visited_and_foreign_words_ignored) {
  node *a = new_node(0, 1);
  void *arr = gc_alloc_array(&refarr_rtt, 3);
  ref_elems(arr)[0] = word(a);
  uint8_t *pair = gc_alloc(&pair_rtt, 32); /* class 1, cells of 32 */
  int local;
  provider_words[0] = word(arr);
  provider_words[1] = 0x7fffffff;                   /* i31 */
  provider_words[2] = 0x1000;                       /* host value */
  provider_words[3] = (uintptr_t)&local + 2;        /* tag 10, not the heap */
  provider_words[4] = word(pair) + 16;              /* mid-cell */
  provider_words[5] = word(gc_heap_current()->base) /* a block never taken */
                      + ((uint64_t)(gc_heap_current()->nblocks - 1) << 16);
  provider_words[6] = (uintptr_t)&provide;          /* a code pointer */
  provider_words[7] = UINTPTR_MAX - 1;
  cr_assert(gc_add_roots(provide, provider_words));
  for (int i = 0; i < 10000; i++) cr_assert(new_node(0, -1));
  gc_collect();
  cr_assert_eq(provider_calls, 1);
  /* arr (48 -> class 2, 48 bytes) and a (32) */
  cr_assert_eq(stats().live_bytes, 48 + 32);
  cr_assert_eq(a->value, 1);
  gc_remove_roots(provide, provider_words);
  gc_collect();
  cr_assert_eq(provider_calls, 1);
  cr_assert_eq(stats().heap_bytes, 0);
}

static void *alloc_in_provider;
static void provide_allocating(void *arg, gc_tracer *t) {
  (void)arg;
  (void)t;
  alloc_in_provider = gc_alloc(&node_rtt, 24);
}

Test(gc_roots, a_provider_cannot_allocate) {
  wasmrt_gc_frame *f = frame_push(1);
  build_list(f, 0, 5000);
  cr_assert(gc_add_roots(provide_allocating, NULL));
  alloc_in_provider = (void *)1;
  gc_collect();
  cr_assert_null(alloc_in_provider);
  gc_remove_roots(provide_allocating, NULL);
  cr_assert_eq(check_list((uintptr_t)f->slots[0], 5000), 5000);
  frame_pop(f);
}

Test(gc_roots, nested_frames_and_foreign_slot_words) {
  wasmrt_gc_frame *outer = frame_push(2);
  outer->slots[0] = (void *)word(new_node(0, 7));
  outer->slots[1] = (void *)(uintptr_t)0x5555; /* any word may sit in a slot */
  wasmrt_gc_frame *inner = frame_push(3);
  inner->slots[0] = (void *)word(new_node(0, 8));
  inner->slots[1] = (void *)(uintptr_t)3; /* i31 1 */
  gc_collect();
  cr_assert_eq(stats().live_bytes, 64);
  frame_pop(inner);
  gc_collect();
  cr_assert_eq(stats().live_bytes, 32);
  cr_assert_eq(((node *)obj_of((uintptr_t)outer->slots[0]))->value, 7);
  frame_pop(outer);
}

/* A host function that, as Wasm code trapping would, leaves a frame of
 * its own linked when it fails. */
static wasmrt_gc_frame *leaked_frame;
static bool failing_host(void *env, wasmrt_val *vals, char *msg, size_t n) {
  (void)env;
  (void)vals;
  leaked_frame = frame_push(4);
  leaked_frame->slots[0] = (void *)word(new_node(0, 99));
  snprintf(msg, n, "failed on purpose");
  return false;
}

Test(gc_roots, a_failed_call_leaves_the_shadow_stack_as_it_was) {
  wasmrt_gc_frame *f = frame_push(1);
  f->slots[0] = (void *)word(new_node(0, 5));
  wasmrt_host_func *hf = wasmrt_host_func_new(NULL, 0, NULL, 0, failing_host, NULL);
  cr_assert(hf);
  wasmrt_error err = {0};
  wasmrt_val v[1] = {{0}};
  cr_assert_not(wasmrt_call(NULL, wasmrt_host_func_extern(hf).of.func, v, 1, &err));
  cr_assert_eq(wasmrt_gc.roots, f, "the callee's frame is still linked");
  gc_collect();
  cr_assert_eq(stats().live_bytes, 32); /* not the dead frame's node */
  free(leaked_frame);
  wasmrt_host_func_free(hf);
  frame_pop(f);
}

/* ---- large arrays and the mark stack ------------------------------------------ */

Test(gc_large, arrays_of_references_over_several_blocks) {
  wasmrt_gc_frame *f = frame_push(1);
  const uint32_t n = 100000; /* 800 KB: 13 blocks */
  void *arr = gc_alloc_array(&refarr_rtt, n);
  cr_assert(arr);
  cr_assert_eq((uintptr_t)arr % 65536, (uintptr_t)gc_heap_current()->base % 65536);
  f->slots[0] = (void *)word(arr);
  for (uint32_t i = 0; i < n; i++) {
    node *x = new_node(0, i);
    cr_assert(x);
    arr = obj_of((uintptr_t)f->slots[0]);
    ref_elems(arr)[i] = word(x);
  }
  for (int i = 0; i < 5; i++) cr_assert(gc_alloc_array(&i64arr_rtt, 50000)); /* garbage */
  gc_collect();
  wasmrt_gc_stats s = stats();
  cr_assert_eq(s.live_bytes, 13 * 65536 + (uint64_t)n * 32);
  arr = obj_of((uintptr_t)f->slots[0]);
  cr_assert_eq(arr_len(arr), n);
  for (uint32_t i = 0; i < n; i++) cr_assert_eq(((node *)obj_of(ref_elems(arr)[i]))->value, i);
  /* Traced in slices: the mark stack never held the 100,000 nodes. */
  cr_assert_leq(gc_heap_current()->cap, 1024, "mark stack of %zu", gc_heap_current()->cap);
  f->slots[0] = NULL;
  gc_collect();
  cr_assert_eq(stats().heap_bytes, 0);
  frame_pop(f);
}

Test(gc_large, mark_stack_overflow_rescans) {
  gc_test_set_mark_stack_max(4);
  wasmrt_gc_frame *f = frame_push(2);
  /* A wide array of short lists: far more pending objects than 4. */
  void *arr = gc_alloc_array(&refarr_rtt, 5000);
  f->slots[0] = (void *)word(arr);
  for (int i = 0; i < 5000; i++) {
    f->slots[1] = NULL;
    build_list(f, 1, 3);
    arr = obj_of((uintptr_t)f->slots[0]);
    ref_elems(arr)[i] = (uintptr_t)f->slots[1];
  }
  f->slots[1] = NULL;
  for (int i = 0; i < 20000; i++) cr_assert(new_node(0, -1));
  gc_collect();
  wasmrt_gc_stats s = stats();
  /* the array (40,016 bytes: a block of its own) and the lists */
  cr_assert_eq(s.live_bytes, 65536 + 5000 * 3 * 32, "live %llu", (unsigned long long)s.live_bytes);
  arr = obj_of((uintptr_t)f->slots[0]);
  for (int i = 0; i < 5000; i++) cr_assert_eq(check_list(ref_elems(arr)[i], 3), 3);
  frame_pop(f);
}

/* ---- kinds ------------------------------------------------------------------------ */

Test(gc_api, kinds_and_i31_values) {
  cr_assert_eq(wasmrt_ref_kind_of(NULL), WASMRT_REF_NULL);
  cr_assert_eq(wasmrt_ref_kind_of((void *)(uintptr_t)1), WASMRT_REF_I31);
  cr_assert_eq(wasmrt_ref_kind_of((void *)(uintptr_t)0x1000), WASMRT_REF_HOST);
  cr_assert_eq(wasmrt_ref_kind_of((void *)word(new_node(0, 0))), WASMRT_REF_STRUCT);
  cr_assert_eq(wasmrt_ref_kind_of((void *)word(gc_alloc_array(&bytes_rtt, 3))),
               WASMRT_REF_ARRAY);
  /* i31 -1: zext32(0x7fffffff << 1 | 1) */
  void *m1 = (void *)(uintptr_t)0xffffffffu;
  cr_assert_eq(wasmrt_ref_i31_value(m1, true), -1);
  cr_assert_eq(wasmrt_ref_i31_value(m1, false), 0x7fffffff);
  void *p5 = (void *)(uintptr_t)(5 << 1 | 1);
  cr_assert_eq(wasmrt_ref_i31_value(p5, true), 5);
  cr_assert_eq(wasmrt_ref_i31_value(p5, false), 5);
}

/* ---- threads ------------------------------------------------------------------------ */

static pthread_barrier_t bar;
static uintptr_t other_heads[2];

static void provide_heads(void *arg, gc_tracer *t) {
  (void)arg;
  gc_visit_range(t, (void *const *)other_heads, 2);
}

static void *thread_main(void *arg) {
  int id = (int)(intptr_t)arg;
  wasmrt_gc_frame *f = frame_push(1);
  build_list(f, 0, 50000);
  other_heads[id] = (uintptr_t)f->slots[0];
  pthread_barrier_wait(&bar);
  /* Each churns and collects while the other's list is in the provider:
   * a word of the other heap is ignored, never marked or freed. */
  for (int r = 0; r < 5; r++) {
    for (int i = 0; i < 200000; i++) cr_assert(new_node(0, -1));
    gc_collect();
  }
  wasmrt_gc_stats s = stats();
  cr_assert_eq(s.live_bytes, 50000 * 32);
  cr_assert_eq(check_list((uintptr_t)f->slots[0], 50000), 50000);
  pthread_barrier_wait(&bar);
  frame_pop(f);
  return NULL;
}

static void *short_thread(void *arg) {
  (void)arg;
  for (int i = 0; i < 40000; i++) cr_assert(new_node(0, i));
  return NULL;
}

static int count_mappings(void) {
  FILE *fp = fopen("/proc/self/maps", "r");
  cr_assert(fp);
  int n = 0, ch;
  while ((ch = fgetc(fp)) != EOF) n += ch == '\n';
  fclose(fp);
  return n;
}

Test(gc_threads, a_heap_per_thread) {
  pthread_barrier_init(&bar, NULL, 2);
  cr_assert(gc_add_roots(provide_heads, NULL));
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    cr_assert_eq(pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i), 0);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  gc_remove_roots(provide_heads, NULL);
  /* Threads that ended took their heaps with them; this one has none. */
  cr_assert_null(gc_heap_current());
  /* Many short threads (a 1 GiB reservation each): every heap is given
   * back when its thread ends. */
  int before = count_mappings();
  for (int i = 0; i < 300; i++) {
    pthread_t x;
    cr_assert_eq(pthread_create(&x, NULL, short_thread, NULL), 0);
    pthread_join(x, NULL);
  }
  int after = count_mappings();
  cr_assert_lt(after, before + 20, "mappings %d -> %d", before, after);
}

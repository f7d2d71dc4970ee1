/* gc_array.c: the array entry points of generated code (wasmrt_abi.h,
 * GC): array.new_data, array.new_elem, array.init_data, array.init_elem,
 * array.copy and array.fill.
 *
 * Arrays arrive as untagged addresses, never null (the generated caller
 * traps NULL_ARRAY first); the element size is the array's own rtt's
 * (rtt->size), its length at WASMRT_GC_ARRAY_LENGTH and its elements
 * from WASMRT_GC_ARRAY_DATA. Like bulk.c, each helper checks every bound
 * before it writes anything, in the spec's order, and returns a trap
 * code for the caller to raise with its own function index. Bounds are
 * computed in 64 bits: a 32-bit index plus a 32-bit count times an
 * element size of at most 16 cannot wrap there.
 *
 * Element segments hold reference words (instance.c evaluated them), so
 * copying one into an array of references is a copy of words. Data
 * segments are bytes: an element of the array's storage size is that many
 * little-endian bytes, as the object layout stores them. */
#include <string.h>

#include "gc.h"
#include "internal.h"

static inline const wasmrt_rtt *rtt_of(const void *arr) {
  return *(const wasmrt_rtt *const *)arr;
}
static inline uint32_t length_of(const void *arr) {
  uint32_t n;
  memcpy(&n, (const uint8_t *)arr + WASMRT_GC_ARRAY_LENGTH, sizeof n);
  return n;
}
static inline uint8_t *data_of(void *arr) { return (uint8_t *)arr + WASMRT_GC_ARRAY_DATA; }

/* A data segment's bytes: none once dropped. */
static uint64_t data_len(wasmrt_instance *inst, uint32_t seg, const uint8_t **bytes) {
  const wasmrt_data_desc *d = &inst->module->desc->datas[seg];
  *bytes = d->bytes;
  return inst->data_dropped[seg] ? 0 : d->len;
}

WASMRT_API uint32_t wasmrt_array_new_data(wasmrt_vmctx *ctx, const wasmrt_rtt *rtt,
                                          uint32_t seg, uint32_t offset, uint32_t len,
                                          void **out) {
  const uint8_t *bytes;
  uint64_t avail = data_len(ctx->instance, seg, &bytes);
  uint64_t n = (uint64_t)len * rtt->size;
  if (!rt_in_range(offset, n, avail)) return WASMRT_TRAP_MEMORY_OOB;
  void *arr = gc_alloc_array(rtt, len);
  if (!arr) return WASMRT_TRAP_OUT_OF_MEMORY;
  if (n) memcpy(data_of(arr), bytes + offset, n);
  *out = arr;
  return 0;
}

WASMRT_API uint32_t wasmrt_array_new_elem(wasmrt_vmctx *ctx, const wasmrt_rtt *rtt,
                                          uint32_t seg, uint32_t offset, uint32_t len,
                                          void **out) {
  wasmrt_instance *inst = ctx->instance;
  if (!rt_in_range(offset, len, inst->elem_len[seg])) return WASMRT_TRAP_TABLE_OOB;
  /* The segment's items are the instance's roots: a collection in the
   * allocation keeps them. */
  void *arr = gc_alloc_array(rtt, len);
  if (!arr) return WASMRT_TRAP_OUT_OF_MEMORY;
  if (len) memcpy(data_of(arr), inst->elem_items[seg] + offset, (size_t)len * sizeof(void *));
  *out = arr;
  return 0;
}

WASMRT_API uint32_t wasmrt_array_init_data(wasmrt_vmctx *ctx, void *arr, uint32_t seg,
                                           uint32_t dst, uint32_t src, uint32_t n) {
  uint32_t size = rtt_of(arr)->size;
  if (!rt_in_range(dst, n, length_of(arr))) return WASMRT_TRAP_ARRAY_OOB;
  const uint8_t *bytes;
  uint64_t avail = data_len(ctx->instance, seg, &bytes);
  uint64_t nbytes = (uint64_t)n * size;
  if (!rt_in_range(src, nbytes, avail)) return WASMRT_TRAP_MEMORY_OOB;
  if (nbytes) memcpy(data_of(arr) + (uint64_t)dst * size, bytes + src, nbytes);
  return 0;
}

WASMRT_API uint32_t wasmrt_array_init_elem(wasmrt_vmctx *ctx, void *arr, uint32_t seg,
                                           uint32_t dst, uint32_t src, uint32_t n) {
  wasmrt_instance *inst = ctx->instance;
  if (!rt_in_range(dst, n, length_of(arr))) return WASMRT_TRAP_ARRAY_OOB;
  if (!rt_in_range(src, n, inst->elem_len[seg])) return WASMRT_TRAP_TABLE_OOB;
  if (n)
    memcpy(data_of(arr) + (uint64_t)dst * sizeof(void *), inst->elem_items[seg] + src,
           (size_t)n * sizeof(void *));
  return 0;
}

WASMRT_API uint32_t wasmrt_array_copy(wasmrt_vmctx *ctx, void *dst, uint32_t dst_i,
                                      void *src, uint32_t src_i, uint32_t n) {
  (void)ctx;
  uint32_t size = rtt_of(dst)->size; /* validation: src's elements are the same size */
  if (!rt_in_range(dst_i, n, length_of(dst)) || !rt_in_range(src_i, n, length_of(src)))
    return WASMRT_TRAP_ARRAY_OOB;
  /* the same array, overlapping ranges: memmove */
  if (n)
    memmove(data_of(dst) + (uint64_t)dst_i * size, data_of(src) + (uint64_t)src_i * size,
            (size_t)n * size);
  return 0;
}

WASMRT_API uint32_t wasmrt_array_fill(wasmrt_vmctx *ctx, void *arr, uint32_t i,
                                      const void *val, uint32_t n) {
  (void)ctx;
  uint32_t size = rtt_of(arr)->size;
  if (!rt_in_range(i, n, length_of(arr))) return WASMRT_TRAP_ARRAY_OOB;
  uint8_t *p = data_of(arr) + (uint64_t)i * size;
  if (size == 1) {
    memset(p, *(const uint8_t *)val, n);
    return 0;
  }
  for (uint32_t k = 0; k < n; k++) memcpy(p + (uint64_t)k * size, val, size);
  return 0;
}

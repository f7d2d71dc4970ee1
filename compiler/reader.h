/* reader.h: a bounds-checked cursor over the module bytes, LEB128 and the
 * instruction reader shared by the decoder, the validator and lowering.
 *
 * Offsets are absolute (from the start of the file), so any error names the
 * exact byte. A reader never reads past `end`; every failure records an
 * error in *err and returns false.
 */
#ifndef WASMC_READER_H
#define WASMC_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "wasm.h"

typedef struct {
  const uint8_t *base; /* byte 0 of the file */
  size_t pos, end;     /* absolute offsets */
  wasm_error *err;
  /* scratch storage for br_table targets (wasm_instr.imm.br_table) and
   * try_table catch clauses (imm.try_table, three words each) */
  uint32_t *targets;
  uint32_t targets_cap;
} wasm_reader;

static inline wasm_reader wasm_reader_make(const uint8_t *base, size_t pos,
                                           size_t end, wasm_error *err) {
  wasm_reader r = {base, pos, end, err, NULL, 0};
  return r;
}
/* Frees the scratch buffer. */
void wasm_reader_finish(wasm_reader *r);

static inline bool wasm_reader_eof(const wasm_reader *r) {
  return r->pos >= r->end;
}

bool wasm_read_u8(wasm_reader *r, uint8_t *out);
bool wasm_read_bytes(wasm_reader *r, size_t n, const uint8_t **out);
/* LEB128 per the spec: at most ceil(N/7) bytes, and the unused bits of the
 * last byte must be zero (unsigned) or the sign extension (signed). */
bool wasm_read_u32(wasm_reader *r, uint32_t *out);
bool wasm_read_u64(wasm_reader *r, uint64_t *out);
bool wasm_read_s32(wasm_reader *r, int32_t *out);
bool wasm_read_s33(wasm_reader *r, int64_t *out);
bool wasm_read_s64(wasm_reader *r, int64_t *out);
bool wasm_read_f32(wasm_reader *r, uint32_t *bits);
bool wasm_read_f64(wasm_reader *r, uint64_t *bits);

/* Pure LEB128 decoding of a buffer, for tests and tools. Returns the number
 * of bytes consumed, or 0 when malformed (too long, unused bits set,
 * truncated). */
size_t wasm_leb_u(const uint8_t *p, size_t avail, unsigned bits, uint64_t *out);
size_t wasm_leb_s(const uint8_t *p, size_t avail, unsigned bits, int64_t *out);

/* A vector length, checked against the bytes left (each element takes at
 * least min_elem_size bytes), so that a hostile count cannot make a caller
 * allocate gigabytes before running out of input. */
bool wasm_read_count(wasm_reader *r, uint32_t min_elem_size, uint32_t *out);

/* A name: u32 length + valid UTF-8; copied NUL-terminated into arena. */
bool wasm_read_name(wasm_reader *r, wasm_arena *arena, wasm_name *out);
bool wasm_utf8_valid(const uint8_t *s, size_t len);

/* Wasm 3.0 value and reference types (wasm.h's wasm_vtype): a one-byte
 * code (numeric, vector, or the abstract shorthands 0x69..0x74), or 0x64
 * (ref ht) / 0x63 (ref null ht) followed by a heap type. Only the encoding
 * is checked: whether a type index exists is the validator's business. */
bool wasm_read_valtype(wasm_reader *r, wasm_vtype *out);
bool wasm_read_reftype(wasm_reader *r, wasm_vtype *out);
/* A heap type: s33, an abstract code or a type index. */
bool wasm_read_heaptype(wasm_reader *r, wasm_heaptype *out);

/* One instruction with its immediates. Does not type-check anything; it
 * only enforces the binary format (known opcode, well-formed immediates,
 * zero bytes where the format reserves them). */
bool wasm_read_instr(wasm_reader *r, wasm_instr *out);

#endif

/* reader.c: bounds-checked reading of bytes, LEB128 integers, floats and
 * names. Every function here is hostile-input safe: it checks the bytes
 * left before touching them and reports the offset of the bad byte. */
#include "reader.h"

#include <stdlib.h>
#include <string.h>

void wasm_reader_finish(wasm_reader *r) {
  free(r->targets);
  r->targets = NULL;
  r->targets_cap = 0;
}

bool wasm_read_u8(wasm_reader *r, uint8_t *out) {
  if (r->pos >= r->end)
    return wasm_fail(r->err, r->pos, "unexpected end");
  *out = r->base[r->pos++];
  return true;
}

bool wasm_read_bytes(wasm_reader *r, size_t n, const uint8_t **out) {
  if (n > r->end - r->pos)
    return wasm_fail(r->err, r->pos, "unexpected end (need %zu bytes, %zu left)",
                     n, r->end - r->pos);
  *out = r->base + r->pos;
  r->pos += n;
  return true;
}

/* Shared LEB128 core. Returns bytes consumed, 0 when the input ends first
 * (*why = 0), the encoding is longer than ceil(bits/7) bytes (*why = 1) or
 * the unused bits of the last byte are wrong (*why = 2). */
static size_t leb(const uint8_t *p, size_t avail, unsigned bits, bool sign,
                  uint64_t *out, int *why) {
  unsigned maxbytes = (bits + 6) / 7;
  uint64_t result = 0;
  unsigned shift = 0;
  for (unsigned i = 0;; i++) {
    if (i >= avail) {
      *why = 0;
      return 0;
    }
    uint8_t b = p[i];
    if (i == maxbytes - 1) {
      /* Last permitted byte: no continuation, and the bits above `bits`
       * must be zero (unsigned) or copies of the sign bit (signed). */
      if (b & 0x80) {
        *why = 1;
        return 0;
      }
      unsigned valid = bits - shift; /* 1..7 */
      uint8_t extra = (uint8_t)(b >> valid) & (uint8_t)(0x7F >> valid);
      if (sign) {
        bool neg = (b >> (valid - 1)) & 1;
        uint8_t want = neg ? (uint8_t)(0x7F >> valid) : 0;
        if (extra != want) {
          *why = 2;
          return 0;
        }
      } else if (extra) {
        *why = 2;
        return 0;
      }
    }
    result |= (uint64_t)(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) {
      if (sign && shift < 64 && (b & 0x40))
        result |= ~(uint64_t)0 << shift;
      *out = result;
      return i + 1;
    }
  }
}

size_t wasm_leb_u(const uint8_t *p, size_t avail, unsigned bits, uint64_t *out) {
  int why;
  return leb(p, avail, bits, false, out, &why);
}

size_t wasm_leb_s(const uint8_t *p, size_t avail, unsigned bits, int64_t *out) {
  int why;
  uint64_t u;
  size_t n = leb(p, avail, bits, true, &u, &why);
  if (n)
    *out = (int64_t)u;
  return n;
}

static bool read_leb(wasm_reader *r, unsigned bits, bool sign, uint64_t *out) {
  int why = 0;
  size_t n = leb(r->base + r->pos, r->end - r->pos, bits, sign, out, &why);
  if (n == 0) {
    static const char *const msgs[] = {"unexpected end",
                                       "integer representation too long",
                                       "integer too large"};
    return wasm_fail(r->err, r->pos, "%s (%s%u LEB128)", msgs[why],
                     sign ? "s" : "u", bits);
  }
  r->pos += n;
  return true;
}

bool wasm_read_u32(wasm_reader *r, uint32_t *out) {
  uint64_t v;
  if (!read_leb(r, 32, false, &v))
    return false;
  *out = (uint32_t)v;
  return true;
}

bool wasm_read_u64(wasm_reader *r, uint64_t *out) {
  return read_leb(r, 64, false, out);
}

bool wasm_read_s32(wasm_reader *r, int32_t *out) {
  uint64_t v;
  if (!read_leb(r, 32, true, &v))
    return false;
  *out = (int32_t)(uint32_t)v;
  return true;
}

bool wasm_read_s33(wasm_reader *r, int64_t *out) {
  uint64_t v;
  if (!read_leb(r, 33, true, &v))
    return false;
  *out = (int64_t)v;
  return true;
}

bool wasm_read_s64(wasm_reader *r, int64_t *out) {
  uint64_t v;
  if (!read_leb(r, 64, true, &v))
    return false;
  *out = (int64_t)v;
  return true;
}

bool wasm_read_f32(wasm_reader *r, uint32_t *bits) {
  const uint8_t *p = NULL;
  if (!wasm_read_bytes(r, 4, &p))
    return false;
  *bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
          (uint32_t)p[3] << 24;
  return true;
}

bool wasm_read_f64(wasm_reader *r, uint64_t *bits) {
  const uint8_t *p = NULL;
  if (!wasm_read_bytes(r, 8, &p))
    return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--)
    v = v << 8 | p[i];
  *bits = v;
  return true;
}

bool wasm_read_count(wasm_reader *r, uint32_t min_elem_size, uint32_t *out) {
  size_t at = r->pos;
  if (!wasm_read_u32(r, out))
    return false;
  if (min_elem_size &&
      (uint64_t)*out * min_elem_size > (uint64_t)(r->end - r->pos))
    return wasm_fail(r->err, at,
                     "length out of bounds: %u items cannot fit in the %zu "
                     "bytes left",
                     *out, r->end - r->pos);
  return true;
}

bool wasm_utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
      n = 2; cp = c & 0x1F; min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3; cp = c & 0x0F; min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4; cp = c & 0x07; min = 0x10000;
    } else {
      return false;
    }
    if (n > len - i)
      return false;
    for (size_t k = 1; k < n; k++) {
      if ((s[i + k] & 0xC0) != 0x80)
        return false;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
      return false;
    i += n;
  }
  return true;
}

bool wasm_read_name(wasm_reader *r, wasm_arena *arena, wasm_name *out) {
  size_t at = r->pos;
  uint32_t len;
  if (!wasm_read_count(r, 1, &len))
    return false;
  const uint8_t *p = NULL;
  if (!wasm_read_bytes(r, len, &p))
    return false;
  if (!wasm_utf8_valid(p, len))
    return wasm_fail(r->err, at, "malformed UTF-8 encoding");
  char *s = wasm_arena_alloc(arena, (size_t)len + 1);
  if (!s)
    return wasm_fail(r->err, at, "out of memory");
  memcpy(s, p, len);
  s[len] = 0;
  out->str = s;
  out->len = len;
  return true;
}

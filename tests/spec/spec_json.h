/* spec_json.h: a small JSON reader for wast2json's output.
 *
 * The harness reads only one kind of JSON (wast2json command lists), and
 * it must also be built for aarch64 and riscv64 with nothing but the
 * cross compiler's libc (the runner under qemu, see spec.h), so it does
 * not depend on a JSON library. The reader keeps a tree of nodes; objects
 * keep their members in order, strings are decoded to UTF-8 (a \u0000
 * escape ends the C string: see protect_nuls in spec_commands.c).
 */
#ifndef WASMC_SPEC_JSON_H
#define WASMC_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING,
               JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json json;
struct json {
  json_type type;
  char *key;    /* member name inside an object, else NULL */
  char *str;    /* JSON_STRING: the decoded text */
  double num;   /* JSON_NUMBER */
  json *child;  /* JSON_ARRAY / JSON_OBJECT: first element or member */
  json *next;   /* next element or member of the parent */
  int count;    /* JSON_ARRAY / JSON_OBJECT: number of children */
};

/* Parses text[0..size); NULL with a message ("line 3: expected ':'") in
 * err when it is not one well-formed JSON value. */
json *json_parse(const char *text, size_t size, char *err, size_t errsz);
void json_free(json *j);

/* The member `key` of an object, NULL if j is not an object or lacks it. */
const json *json_get(const json *j, const char *key);
static inline bool json_is_string(const json *j) { return j && j->type == JSON_STRING; }
static inline bool json_is_number(const json *j) { return j && j->type == JSON_NUMBER; }
static inline bool json_is_array(const json *j) { return j && j->type == JSON_ARRAY; }
/* Elements of an array (0 for anything else). */
static inline int json_size(const json *j) { return json_is_array(j) ? j->count : 0; }
#define json_each(el, arr) \
  for ((el) = json_is_array(arr) ? (arr)->child : NULL; (el); (el) = (el)->next)

/* j as compact JSON text in buf (cut short if it does not fit). */
void json_format(const json *j, char *buf, size_t n);

#endif

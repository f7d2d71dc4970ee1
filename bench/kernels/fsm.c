/* fsm.c: table-driven tokenizer (a state machine) over a generated source text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Character classes. */
enum { C_OTHER, C_LETTER, C_DIGIT, C_SPACE, C_NL, C_QUOTE, C_BSLASH, C_HASH, C_OP, C_CMP, C_EQ, NCLASS };
/* States; S_START only before the first byte. */
enum { S_START, S_IDENT, S_NUM, S_WS, S_STR, S_STR_ESC, S_STR_END, S_COMMENT, S_OP, S_CMP, S_ERR, NSTATE };
/* Token kinds: the kind of token each state is inside of. */
enum { K_NONE, K_IDENT, K_NUM, K_WS, K_STR, K_COMMENT, K_OP, K_ERR, NKIND };
static const uint8_t kind_of[NSTATE] = {K_NONE, K_IDENT, K_NUM, K_WS, K_STR, K_STR,
                                        K_STR, K_COMMENT, K_OP, K_OP, K_ERR};
static const char *const kind_name[NKIND] = {"-", "ident", "num", "ws", "str", "comment", "op", "err"};
/* A table entry: the next state, with EMIT set when the current token ends
   before this byte (which then begins the next token). */
#define EMIT 0x80
static uint8_t cls[256], table[NSTATE][NCLASS];
/* The state a byte of class c begins a token in. */
static int begin(int c) {
  switch (c) {
  case C_LETTER: return S_IDENT;
  case C_DIGIT: return S_NUM;
  case C_SPACE: case C_NL: return S_WS;
  case C_QUOTE: return S_STR;
  case C_HASH: return S_COMMENT;
  case C_OP: return S_OP;
  case C_CMP: case C_EQ: return S_CMP;
  default: return S_ERR;
  }
}
/* The state a token in state s goes on in with a byte of class c, or -1 if
   the token ends before that byte. */
static int extend(int s, int c) {
  switch (s) {
  case S_IDENT: return c == C_LETTER || c == C_DIGIT ? S_IDENT : -1;
  case S_NUM: return c == C_DIGIT ? S_NUM : -1;
  case S_WS: return c == C_SPACE || c == C_NL ? S_WS : -1;
  case S_STR: return c == C_QUOTE ? S_STR_END : c == C_BSLASH ? S_STR_ESC : S_STR;
  case S_STR_ESC: return S_STR;
  case S_COMMENT: return c == C_NL ? -1 : S_COMMENT;
  case S_CMP: return c == C_EQ ? S_OP : -1; /* "<=", "==", "!=", ... */
  default: return -1;                        /* S_STR_END, S_OP, S_ERR */
  }
}
static void build_tables(void) {
  static const char ops[] = "+-*/%(){}[];,.";
  for (int b = 0; b < 256; b++) {
    int c = C_OTHER;
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_') c = C_LETTER;
    else if (b >= '0' && b <= '9') c = C_DIGIT;
    else if (b == ' ' || b == '\t') c = C_SPACE;
    else if (b == '\n') c = C_NL;
    else if (b == '"') c = C_QUOTE;
    else if (b == '\\') c = C_BSLASH;
    else if (b == '#') c = C_HASH;
    else if (b == '=') c = C_EQ;
    else if (b == '<' || b == '>' || b == '!') c = C_CMP;
    else if (b != 0 && memchr(ops, b, sizeof ops - 1)) c = C_OP;
    cls[b] = (uint8_t)c;
  }
  for (int s = 0; s < NSTATE; s++)
    for (int c = 0; c < NCLASS; c++) {
      int e = s == S_START ? begin(c) : extend(s, c);
      table[s][c] = (uint8_t)(e >= 0 ? e : begin(c) | EMIT);
    }
}
static uint32_t seed = 20240601u;
static unsigned rnd(unsigned n) {
  seed = seed * 1664525u + 1013904223u;
  return (seed >> 8) % n;
}
/* Fill buf with a made-up language: identifiers, numbers, operators,
   strings with escapes, # comments, spaces and newlines, rare junk bytes. */
static void generate(uint8_t *buf, size_t n) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
  static const char ops[] = "+-*/%(){}[];,.<>!=";
  static const char text[] = "abcdefghijklmnopqrstuvwxyz 0123456789+-#\\\"";
  size_t i = 0;
  while (i + 64 < n) {
    unsigned r = rnd(100);
    if (r < 35) { /* identifier */
      buf[i++] = (uint8_t)letters[rnd(53)];
      for (unsigned k = rnd(10); k > 0; k--) buf[i++] = (uint8_t)letters[rnd(63)];
    } else if (r < 50) { /* number */
      for (unsigned k = 1 + rnd(8); k > 0; k--) buf[i++] = (uint8_t)('0' + rnd(10));
    } else if (r < 80) { /* operator, sometimes a two-byte one */
      buf[i++] = (uint8_t)ops[rnd(sizeof ops - 1)];
      if (rnd(4) == 0) buf[i++] = '=';
    } else if (r < 88) { /* string */
      buf[i++] = '"';
      for (unsigned k = rnd(24); k > 0; k--) {
        char ch = text[rnd(sizeof text - 1)];
        if (ch == '\\' || ch == '"') buf[i++] = '\\';
        buf[i++] = (uint8_t)ch;
      }
      buf[i++] = '"';
    } else if (r < 90) { /* comment to the end of the line */
      buf[i++] = '#';
      for (unsigned k = rnd(40); k > 0; k--) buf[i++] = (uint8_t)text[rnd(sizeof text - 1)];
      buf[i++] = '\n';
    } else if (r < 99) { /* white space */
      buf[i++] = rnd(5) == 0 ? '\n' : ' ';
      if (rnd(3) == 0) buf[i++] = '\t';
    } else { /* junk */
      buf[i++] = (uint8_t)(0x80 + rnd(128));
    }
  }
  while (i < n) buf[i++] = ' ';
}
int main(int argc, char **argv) {
  int passes = argc > 1 ? atoi(argv[1]) : 10;
  enum { N = 4 * 1024 * 1024 };
  uint8_t *buf = malloc(N);
  if (!buf) return 1;
  build_tables();
  generate(buf, N);
  unsigned long long count[NKIND] = {0};
  uint32_t hash = 2166136261u, longest = 0;
  for (int p = 0; p < passes; p++) {
    /* Each pass starts a little later, so no two passes see the same text. */
    size_t start = (size_t)p % 64, tok = start;
    unsigned s = S_START;
    for (size_t i = start; i < N; i++) {
      unsigned e = table[s][cls[buf[i]]];
      if (e & EMIT) {
        uint32_t len = (uint32_t)(i - tok), k = kind_of[s];
        count[k]++;
        if (len > longest) longest = len;
        hash = (hash ^ (k << 24 | len)) * 16777619u;
        tok = i;
      }
      s = e & ~(unsigned)EMIT;
    }
    count[kind_of[s]]++; /* the last token */
  }
  printf("fsm %d passes over %d bytes:", passes, (int)N);
  for (int k = 1; k < NKIND; k++) printf(" %s %llu", kind_name[k], count[k]);
  printf(", longest %u, hash %08x\n", longest, hash);
  free(buf);
  return 0;
}

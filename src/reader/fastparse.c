/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fastparse.c - event lines parsed with AVX2, a token at a time.
 *
 * The line is indexed first: one pass over it, 64 bytes a step, marks
 * every ' ', ',' and '\n' in a bit mask and finds the line's end, so each
 * token's end is a bit scan away and never waits on the token before.
 * Each token is then validated and converted as a whole: the 16 bytes that
 * end at it are loaded, lanes before it masked off, every lane checked for
 * its digit class at once, and the digits combined in pairs, fours and
 * eights (maddubs / madd) instead of one multiply per character.  Loading
 * the 16 bytes that *end* at a token reads up to 15 bytes before it, and
 * the index reads up to 63 past the '\n': the caller leaves
 * KVMMMU_FASTPARSE_SLACK bytes around every line for that.
 *
 * Longest tokens taken here: 16 hex digits, 19 decimal digits.  A 20-digit
 * decimal may still be valid (up to 18446744073709551615): the full parser
 * gets it, as it gets every other line this file refuses.
 */
#include <stddef.h>
#include <string.h>

#include <immintrin.h>

#include "reader/fastparse.h"

/* AVX2 for the line's index; every x86-64 CPU of the last ten years has
 * it, and without it every line takes the full parser. */
#define FAST __attribute__((target("avx2,bmi,bmi2"), always_inline))
#define FAST_OUTER __attribute__((target("avx2,bmi,bmi2")))
#define KVMMMU_ALIGN8(n) (((n) + 7) & ~(gsize)7)

gboolean
kvmmmu_fastparse_available(void)
{
  static int available = -1;

  if (available < 0) {
    __builtin_cpu_init();
    available = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2");
  }
  return available;
}

/* Where a line's tokens end: one bit per byte that is ' ', ',' or '\n',
 * found for the whole line before any token is read.  Tokens then follow
 * one another by clearing the lowest bit, so the next token's start never
 * waits on the loads and compares of the one before. */
#define SEP_WORDS 12
/* No array in here: the compiler keeps all of it in registers once the
 * parsers are inlined, and a token's end is a register operation away. */
typedef struct {
  const char *s;
  const guint64 *seps; /* SEP_WORDS words, bit i: s[i] ends a token */
  guint n_words, word;
  guint64 bits;       /* seps[word] not yet used */
  guint start;        /* the next token's first byte */
} Cursor;

/* Index the line at s: the separators up to its '\n', found within avail
 * bytes; *n is set to the line's length when that '\n' is found. */
static inline FAST gboolean
cursor_init(Cursor *c, guint64 *seps, const char *s, gsize avail, gsize *n)
{
  /* Each separator is the one byte of its low nibble in this table, so a
   * byte is one when the table, looked up by that nibble, gives it back
   * (a byte with its top bit set looks up 0, never itself). */
  const __m256i seps_by_nibble = _mm256_setr_epi8(
    ' ', 0, 0, 0, 0, 0, 0, 0, 0, 0, '\n', 0, ',', 0, 0, 0,
    ' ', 0, 0, 0, 0, 0, 0, 0, 0, 0, '\n', 0, ',', 0, 0, 0);
  const __m256i nl = _mm256_set1_epi8('\n');

  for (guint w = 0; w < SEP_WORDS; w++) {
    const __m256i a = _mm256_loadu_si256((const __m256i *)(s + 64 * w));
    const __m256i b = _mm256_loadu_si256((const __m256i *)(s + 64 * w + 32));
    guint64 newlines = (guint32)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, nl)) |
                       (guint64)(guint32)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, nl)) << 32;

    seps[w] = (guint32)_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(_mm256_shuffle_epi8(seps_by_nibble, a), a)) |
              (guint64)(guint32)_mm256_movemask_epi8(
                _mm256_cmpeq_epi8(_mm256_shuffle_epi8(seps_by_nibble, b), b)) << 32;
    if (newlines) {
      gsize end = 64 * w + (gsize)__builtin_ctzll(newlines);

      if (end >= avail)
        return FALSE; /* past the text: the input's last line has no '\n' */
      *n = end;
      c->s = s;
      c->seps = seps;
      c->n_words = w + 1;
      c->word = 0;
      c->bits = seps[0];
      c->start = 0;
      return TRUE;
    }
    if (64 * (w + 1) >= avail)
      return FALSE;
  }
  return FALSE; /* longer than any record we take */
}

/* The next token: its first byte and length, and the byte that ended it.
 * FALSE past the line's '\n' (a line always ends in one). */
static inline FAST gboolean
next_token(Cursor *c, const char **tok, guint *len, char *term)
{
  guint end;

  while (!c->bits) {
    if (++c->word >= c->n_words)
      return FALSE;
    c->bits = c->seps[c->word];
  }
  end = c->word * 64 + (guint)__builtin_ctzll(c->bits);
  c->bits &= c->bits - 1;
  *tok = c->s + c->start;
  *len = end - c->start;
  *term = c->s[end];
  c->start = end + 1;
  return TRUE;
}

/* Lanes 16-len..15 of a vector: where a token of len bytes ending at lane
 * 15 lies.  One load from a run of 0x00 then 0xff bytes. */
static const guint8 lane_run[32] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static inline FAST __m128i
tail_lanes(guint len)
{
  return _mm_loadu_si128((const __m128i *)(lane_run + len));
}

/* The vector constants, from memory: built in place (a move and a
 * broadcast each) they cost more instructions than the digits they work on. */
typedef union {
  guint8 b[16];
  __m128i v;
} Const16;
static const Const16 k_ascii0 = { .b = { [0 ... 15] = '0' } };
static const Const16 k_nine = { .b = { [0 ... 15] = 9 } };
static const Const16 k_five = { .b = { [0 ... 15] = 5 } };
static const Const16 k_ten = { .b = { [0 ... 15] = 10 } };
static const Const16 k_case = { .b = { [0 ... 15] = 0x20 } };
static const Const16 k_ascii_a = { .b = { [0 ... 15] = 'a' } };
static const Const16 k_dec_pairs = { .b = { 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1 } };
static const Const16 k_hex_pairs = { .b = { 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1 } };
static const Const16 k_dec_fours = { .b = { 100, 0, 1, 0, 100, 0, 1, 0, 100, 0, 1, 0, 100, 0, 1, 0 } };
static const Const16 k_dec_eights = { .b = { 0x10, 0x27, 1, 0, 0x10, 0x27, 1, 0, 0x10, 0x27, 1, 0, 0x10, 0x27, 1, 0 } };
/* An asm load: GCC would otherwise see through the table and build the
 * constant in place again. */
static inline FAST __m128i
kload(const Const16 *k)
{
  __m128i v;

  __asm__("vmovdqa %1, %0" : "=x"(v) : "m"(*k));
  return v;
}
#define K(name) kload(&k_##name)

/* 1..16 decimal digits ending at end (exclusive) to their value; FALSE if
 * any is not a digit. */
static inline FAST gboolean
decimal16(const char *end, guint len, guint64 *out)
{
  const __m128i in = _mm_loadu_si128((const __m128i *)(end - 16));
  /* Lanes before the token are 0, a digit; above 9 is not one. */
  const __m128i d = _mm_and_si128(_mm_sub_epi8(in, K(ascii0)), tail_lanes(len));
  const __m128i above_nine = _mm_subs_epu8(d, K(nine));
  __m128i pairs, fours, eights;

  if (!_mm_testz_si128(above_nine, above_nine))
    return FALSE;
  pairs = _mm_maddubs_epi16(d, K(dec_pairs));        /* 10a + b */
  fours = _mm_madd_epi16(pairs, K(dec_fours));    /* 100a + b */
  fours = _mm_packus_epi32(fours, fours);
  eights = _mm_madd_epi16(fours, K(dec_eights));   /* 10000a + b */
  *out = (guint64)(guint32)_mm_cvtsi128_si32(eights) * 100000000u +
         (guint32)_mm_extract_epi32(eights, 1);
  return TRUE;
}

/* The next token as 1..19 decimal digits (an optional '-' first when
 * negative is given: set when there was one). */
static inline FAST gboolean
decimal(Cursor *c, char *term, guint64 *out, gboolean *negative)
{
  const char *s;
  guint len;
  guint64 head, tail;

  if (!next_token(c, &s, &len, term))
    return FALSE;
  if (negative && len > 0 && s[0] == '-') {
    *negative = TRUE;
    s++;
    len--;
  }
  /* One digit (cpu, vcpu, i, depth, round, nr, ret): the vector
   * conversion costs more than the digit. */
  if (len == 1) {
    guint d = (guint8)s[0] - '0';

    *out = d;
    return d <= 9;
  }
  if (len == 0 || len > 19)
    return FALSE;
  /* 17 to 19 digits (every time stamp): the head is a second, independent
   * conversion, not a loop the tail would wait on. */
  if (len > 16) {
    if (!decimal16(s + len - 16, len - 16, &head) || !decimal16(s + len, 16, &tail))
      return FALSE;
    *out = head * 10000000000000000ull + tail;
    return TRUE;
  }
  return decimal16(s + len, len, out);
}

/* The next token as 1..max_digits (<= 16) hex digits, no 0x, either case. */
static inline FAST gboolean
hex(Cursor *c, char *term, guint max_digits, guint64 *out)
{
  const char *s;
  guint len;
  __m128i in, lanes, d, l, over_digit, over_letter, bad, v, pairs;

  if (!next_token(c, &s, &len, term) || len == 0 || len > max_digits)
    return FALSE;
  in = _mm_loadu_si128((const __m128i *)(s + len - 16));
  lanes = tail_lanes(len);
  d = _mm_sub_epi8(in, K(ascii0));
  l = _mm_sub_epi8(_mm_or_si128(in, K(case)), K(ascii_a));
  /* 0 where the lane is a digit (a letter a-f): a lane of the token above
   * both is neither. */
  over_digit = _mm_subs_epu8(d, K(nine));
  over_letter = _mm_subs_epu8(l, K(five));
  bad = _mm_and_si128(_mm_min_epu8(over_digit, over_letter), lanes);
  if (!_mm_testz_si128(bad, bad))
    return FALSE;
  v = _mm_blendv_epi8(_mm_add_epi8(l, K(ten)), d,
                      _mm_cmpeq_epi8(over_digit, _mm_setzero_si128()));
  v = _mm_and_si128(v, lanes);
  pairs = _mm_maddubs_epi16(v, K(hex_pairs));        /* 16a + b */
  *out = __builtin_bswap64((guint64)_mm_cvtsi128_si64(_mm_packus_epi16(pairs, pairs)));
  return TRUE;
}

/* The next token as one of the switch results. */
static inline FAST gboolean
switch_result(Cursor *c, char *term, guint8 *out)
{
  const char *s;
  guint len;

  return next_token(c, &s, &len, term) && kvmmmu_switch_result_parse(s, len, out);
}

/* The next token as 0 or 1. */
static inline FAST gboolean
boolean(Cursor *c, char *term, guint8 *out)
{
  const char *s;
  guint len;

  if (!next_token(c, &s, &len, term) || len != 1 || (s[0] != '0' && s[0] != '1'))
    return FALSE;
  *out = s[0] == '1';
  return TRUE;
}

/* Whether s starts with the n bytes of word (n <= 16: a keyword and its
 * space), word padded to 16 bytes.  With n and word constants this is a
 * load, an xor and a test per 8 bytes. */
static inline FAST gboolean
starts_with(const char *s, const char *word, guint n)
{
  guint64 a, w, mask;

  memcpy(&a, s, 8);
  memcpy(&w, word, 8);
  if (n <= 8) {
    mask = n == 8 ? ~0ull : (1ull << (8 * n)) - 1;
    return ((a ^ w) & mask) == 0;
  }
  if (a != w)
    return FALSE;
  memcpy(&a, s + 8, 8);
  memcpy(&w, word + 8, 8);
  mask = n == 16 ? ~0ull : (1ull << (8 * (n - 8))) - 1;
  return ((a ^ w) & mask) == 0;
}

/* ---- one parser per field type, as records.h names them ---------------- */

#define FAST_U32(dst)                                                        \
  { guint64 v_;                                                              \
    if (!decimal(cur, &term, &v_, NULL) || v_ > G_MAXUINT32) return FALSE;    \
    (dst) = (guint32)v_; }
#define FAST_U64(dst)                                                        \
  { if (!decimal(cur, &term, &(dst), NULL)) return FALSE; }
#define FAST_S64(dst)                                                        \
  { guint64 v_; gboolean neg_ = FALSE;                                       \
    if (!decimal(cur, &term, &v_, &neg_) || v_ > 999999999999999999ull)      \
      return FALSE;                                                          \
    (dst) = neg_ ? -(gint64)v_ : (gint64)v_; }
#define FAST_HEX32(dst)                                                      \
  { guint64 v_;                                                              \
    if (!hex(cur, &term, 8, &v_)) return FALSE;                               \
    (dst) = (guint32)v_; }
#define FAST_HEX(dst)                                                        \
  { if (!hex(cur, &term, 16, &(dst))) return FALSE; }
#define FAST_BOOL(dst)                                                       \
  { if (!boolean(cur, &term, &(dst))) return FALSE; }
#define FAST_SWITCH(dst)                                                     \
  { if (!switch_result(cur, &term, &(dst))) return FALSE; }
#define FAST_COUNT(dst)                                                      \
  { guint64 v_;                                                              \
    if (!decimal(cur, &term, &v_, NULL) || v_ > max_items) return FALSE;      \
    (dst) = n_items = (guint32)v_; }

/* A field after the first: the token before it ended with sep. */
#define FAST_FIELD(S, name, type, ...)                                          \
  if (term != ' ') return FALSE;                                             \
  FAST_##type((S)->name)
#define FAST_ITEM_FIELD(S, name, type, ...)                                     \
  if (term != sep) return FALSE;                                             \
  sep = ',';                                                                 \
  FAST_##type((S)->name)

/* fast_Walk(), fast_Step(), ...: the cursor is just past the keyword. */
#define KVMMMU_X_FAST_KIND(E, kw, N, F, I, M)                                \
  static inline FAST gsize                                                   \
  fast_##N(Cursor *cur, KvmmmuRecord *rec)                                   \
  {                                                                          \
    Kvmmmu##N *d = &rec->u.N;                                                \
    const guint32 max_items G_GNUC_UNUSED = (M);                             \
    guint32 n_items = 0;                                                     \
    char term = ' ';                                                         \
                                                                             \
    KVMMMU_COMMON_FIELDS(FAST_FIELD, rec)                                    \
    F(FAST_FIELD, d)                                                         \
    for (guint32 k = 0; k < n_items; k++) {                                  \
      Kvmmmu##N##Item *it G_GNUC_UNUSED = &d->items[k];                      \
      char sep G_GNUC_UNUSED = ' ';                                          \
      I(FAST_ITEM_FIELD, it)                                                 \
    }                                                                        \
    rec->kind = KVMMMU_RECORD_##E;                                           \
    if (term != '\n')                                                        \
      return 0;                                                              \
    return KVMMMU_ALIGN8(offsetof(KvmmmuRecord, u) + offsetof(Kvmmmu##N, items) + \
                         n_items * sizeof(Kvmmmu##N##Item));                 \
  }
KVMMMU_EVENT_KINDS(KVMMMU_X_FAST_KIND)
#undef KVMMMU_X_FAST_KIND

FAST_OUTER gsize
kvmmmu_fastparse_line(const char *s, gsize avail, gsize *n, KvmmmuRecord *rec)
{
  Cursor c;
  guint64 seps[SEP_WORDS];

  *n = G_MAXSIZE;
  if (!cursor_init(&c, seps, s, avail, n))
    return 0;
  /* The keyword and its space, a word at a time (the index above read
   * past them); a call to memcmp per kind cost more than the compare.
   * s[n] is '\n', so no match runs past the line; the keyword's space is
   * the first separator, consumed here. */
#define PAD16 "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
#define KVMMMU_X_FAST_DISPATCH(E, kw, N, F, I, M)                            \
  if (starts_with(s, kw " " PAD16, sizeof kw)) {                          \
    const char *tok_; guint len_; char term_;                                \
    if (!next_token(&c, &tok_, &len_, &term_) || len_ != sizeof kw - 1)      \
      return 0;                                                          \
    return fast_##N(&c, rec);                                                \
  }
  KVMMMU_EVENT_KINDS(KVMMMU_X_FAST_DISPATCH)
#undef KVMMMU_X_FAST_DISPATCH
#undef PAD16
  return 0;
}

gsize
kvmmmu_record_size(const KvmmmuRecord *rec)
{
  const KvmmmuKindSpec *spec = kvmmmu_kind_spec(rec->kind);
  guint32 n_items = 0;
  gsize size;

  g_return_val_if_fail(spec != NULL, sizeof *rec);
  for (guint i = 0; i < spec->n_fields; i++)
    if (spec->fields[i].type == KVMMMU_FIELD_COUNT)
      n_items = *(const guint32 *)((const guint8 *)&rec->u + spec->fields[i].offset);
  size = offsetof(KvmmmuRecord, u) + spec->items_offset + n_items * spec->item_size;
  return KVMMMU_ALIGN8(size);
}

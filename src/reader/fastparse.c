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
  const __m256i sp = _mm256_set1_epi8(' '), comma = _mm256_set1_epi8(','),
                nl = _mm256_set1_epi8('\n');

  for (guint w = 0; w < SEP_WORDS; w++) {
    const __m256i a = _mm256_loadu_si256((const __m256i *)(s + 64 * w));
    const __m256i b = _mm256_loadu_si256((const __m256i *)(s + 64 * w + 32));
    const __m256i a_nl = _mm256_cmpeq_epi8(a, nl), b_nl = _mm256_cmpeq_epi8(b, nl);
    guint64 newlines = (guint32)_mm256_movemask_epi8(a_nl) |
                       (guint64)(guint32)_mm256_movemask_epi8(b_nl) << 32;

    seps[w] = (guint32)_mm256_movemask_epi8(_mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(a, sp), _mm256_cmpeq_epi8(a, comma)), a_nl)) |
              (guint64)(guint32)_mm256_movemask_epi8(_mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(b, sp), _mm256_cmpeq_epi8(b, comma)), b_nl))
                << 32;
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

/* 1..16 decimal digits ending at end (exclusive) to their value; FALSE if
 * any is not a digit. */
static inline FAST gboolean
decimal16(const char *end, guint len, guint64 *out)
{
  const __m128i in = _mm_loadu_si128((const __m128i *)(end - 16));
  const __m128i lanes = tail_lanes(len);
  __m128i d = _mm_sub_epi8(in, _mm_set1_epi8('0'));
  const __m128i is_digit = _mm_cmpeq_epi8(_mm_max_epu8(d, _mm_set1_epi8(9)), _mm_set1_epi8(9));
  __m128i pairs, fours, eights;

  if (_mm_movemask_epi8(_mm_andnot_si128(is_digit, lanes)))
    return FALSE;
  d = _mm_and_si128(d, lanes);
  pairs = _mm_maddubs_epi16(d, _mm_set1_epi16(0x010a));        /* 10a + b */
  fours = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00010064));    /* 100a + b */
  fours = _mm_packus_epi32(fours, fours);
  eights = _mm_madd_epi16(fours, _mm_set1_epi32(0x00012710));   /* 10000a + b */
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
  guint64 head = 0, tail;

  if (!next_token(c, &s, &len, term))
    return FALSE;
  if (negative && len > 0 && s[0] == '-') {
    *negative = TRUE;
    s++;
    len--;
  }
  if (len == 0 || len > 19)
    return FALSE;
  /* 17 to 19 digits (every time stamp): the head is a second, independent
   * conversion, not a loop the tail would wait on. */
  if (len > 16 && !decimal16(s + len - 16, len - 16, &head))
    return FALSE;
  if (!decimal16(s + len, MIN(len, 16), &tail))
    return FALSE;
  *out = head * 10000000000000000ull + tail;
  return TRUE;
}

/* The next token as 1..max_digits (<= 16) hex digits, no 0x, either case. */
static inline FAST gboolean
hex(Cursor *c, char *term, guint max_digits, guint64 *out)
{
  const char *s;
  guint len;
  __m128i in, lanes, d, l, is_digit, is_letter, v, pairs;

  if (!next_token(c, &s, &len, term) || len == 0 || len > max_digits)
    return FALSE;
  in = _mm_loadu_si128((const __m128i *)(s + len - 16));
  lanes = tail_lanes(len);
  d = _mm_sub_epi8(in, _mm_set1_epi8('0'));
  l = _mm_sub_epi8(_mm_or_si128(in, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
  is_digit = _mm_cmpeq_epi8(_mm_max_epu8(d, _mm_set1_epi8(9)), _mm_set1_epi8(9));
  is_letter = _mm_cmpeq_epi8(_mm_max_epu8(l, _mm_set1_epi8(5)), _mm_set1_epi8(5));
  if (_mm_movemask_epi8(_mm_andnot_si128(_mm_or_si128(is_digit, is_letter), lanes)))
    return FALSE;
  v = _mm_or_si128(_mm_and_si128(is_digit, d),
                   _mm_andnot_si128(is_digit, _mm_add_epi8(l, _mm_set1_epi8(10))));
  v = _mm_and_si128(v, lanes);
  pairs = _mm_maddubs_epi16(v, _mm_set1_epi16(0x0110));        /* 16a + b */
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
#define FAST_FIELD(S, name, type)                                            \
  if (term != ' ') return FALSE;                                             \
  FAST_##type((S)->name)
#define FAST_ITEM_FIELD(S, name, type)                                       \
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
  /* s[n] is '\n', so no keyword-and-space match can run past the line;
   * the keyword's space is the first separator, consumed here. */
#define KVMMMU_X_FAST_DISPATCH(E, kw, N, F, I, M)                            \
  if (memcmp(s, kw " ", sizeof kw) == 0) {                                   \
    const char *tok_; guint len_; char term_;                                \
    if (!next_token(&c, &tok_, &len_, &term_) || len_ != sizeof kw - 1)      \
      return 0;                                                          \
    return fast_##N(&c, rec);                                                \
  }
  KVMMMU_EVENT_KINDS(KVMMMU_X_FAST_DISPATCH)
#undef KVMMMU_X_FAST_DISPATCH
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

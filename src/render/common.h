/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * common.h - number formatting for renderers on a hot path.
 *
 * A walk dump is a few hundred short lines of hex pointers and small
 * decimals per walk, and a trace holds millions of walks.  printf parses
 * its format string and goes through stdio's string streams for every
 * call, which costs more than reading the trace does.  These helpers
 * write digits straight into a GString's buffer instead:
 *
 *   char *p = kvmmmu_text_reserve(out, MAX_BYTES);
 *   p = kvmmmu_put_hex(p, sp);
 *   ...
 *   kvmmmu_text_commit(out, p);
 *
 * Each kvmmmu_put_* writes at p and returns the end of what it wrote; none
 * writes a NUL.  The caller reserves enough room for everything it writes
 * before the commit.  Output matches printf's %x, %u and %3u exactly.
 */
#ifndef KVMMMU_RENDER_COMMON_H
#define KVMMMU_RENDER_COMMON_H

#include <string.h>

#include <glib.h>

/* Bytes the longest number of each kind takes. */
#define KVMMMU_HEX64_MAX 16 /* ffffffffffffffff */
#define KVMMMU_U64_MAX 20   /* 18446744073709551615 */
#define KVMMMU_U32_MAX 10   /* 4294967295 */

/* Make room for max more bytes at the end of out; returns where they go. */
static inline char *
kvmmmu_text_reserve(GString *out, gsize max)
{
  gsize len = out->len;

  if (out->allocated_len - len <= max) {
    g_string_set_size(out, len + max); /* grows geometrically */
    out->len = len;
  }
  return out->str + len;
}

/* End the text at end, which lies within what was reserved. */
static inline void
kvmmmu_text_commit(GString *out, char *end)
{
  *end = '\0';
  out->len = end - out->str;
}

/* A string literal, without its NUL. */
#define kvmmmu_put_lit(p, lit) \
  (memcpy((p), "" lit, sizeof(lit) - 1), (p) + sizeof(lit) - 1)

static inline char *
kvmmmu_put_mem(char *p, const char *s, gsize n)
{
  memcpy(p, s, n);
  return p + n;
}

static inline char *
kvmmmu_put_char(char *p, char c)
{
  *p = c;
  return p + 1;
}

/* %x of a 64-bit value: lowercase, no 0x, no leading zeros. */
static inline char *
kvmmmu_put_hex(char *p, guint64 v)
{
  static const char digits[16] = "0123456789abcdef";
  /* 1 + index of the highest set bit, in nibbles; at least one digit. */
  int n = v ? (64 - __builtin_clzll(v) + 3) / 4 : 1;

  for (int k = n - 1; k >= 0; k--) {
    p[k] = digits[v & 0xf];
    v >>= 4;
  }
  return p + n;
}

/* %u of a 64-bit value. */
static inline char *
kvmmmu_put_u64(char *p, guint64 v)
{
  char tmp[KVMMMU_U64_MAX];
  int n = 0;

  do {
    tmp[KVMMMU_U64_MAX - 1 - n++] = '0' + v % 10;
    v /= 10;
  } while (v);
  return kvmmmu_put_mem(p, tmp + KVMMMU_U64_MAX - n, n);
}

/* %u of a 32-bit value; the common one- and two-digit cases first. */
static inline char *
kvmmmu_put_u32(char *p, guint32 v)
{
  if (v < 10)
    return kvmmmu_put_char(p, '0' + v);
  if (v < 100) {
    p[0] = '0' + v / 10;
    p[1] = '0' + v % 10;
    return p + 2;
  }
  return kvmmmu_put_u64(p, v);
}

/* %3u: right-aligned in three columns, wider when it does not fit. */
static inline char *
kvmmmu_put_u32_w3(char *p, guint32 v)
{
  if (v < 10) {
    p[0] = ' ';
    p[1] = ' ';
    p[2] = '0' + v;
    return p + 3;
  }
  if (v < 100) {
    p[0] = ' ';
    return kvmmmu_put_u32(p + 1, v);
  }
  return kvmmmu_put_u32(p, v);
}

/* %06u of a value below 10^6 (microseconds in a second). */
static inline char *
kvmmmu_put_u32_06(char *p, guint32 v)
{
  for (int k = 5; k >= 0; k--) {
    p[k] = '0' + v % 10;
    v /= 10;
  }
  return p + 6;
}

#endif

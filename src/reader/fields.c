/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fields.c - a trace line's tokens and the numbers in them, checked against
 * the field types of format/records.h. */
#include <string.h>

#include "reader/fields.h"

/* ---- numbers ---------------------------------------------------------- */

gboolean
kvmmmu_field_parse_u64(const char *s, gsize n, guint64 *out)
{
  guint64 v = 0;

  if (n == 0 || n > 20)
    return FALSE;
  for (gsize i = 0; i < n; i++) {
    unsigned d = (unsigned char)s[i] - '0';
    if (d > 9)
      return FALSE;
    if (v > (G_MAXUINT64 - d) / 10)
      return FALSE;
    v = v * 10 + d;
  }
  *out = v;
  return TRUE;
}

static gboolean
parse_hex(const char *s, gsize n, gsize max_digits, guint64 *out)
{
  guint64 v = 0;

  if (n == 0 || n > max_digits)
    return FALSE;
  for (gsize i = 0; i < n; i++) {
    unsigned char c = s[i];
    unsigned d;

    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return FALSE;
    v = (v << 4) | d;
  }
  *out = v;
  return TRUE;
}

const char *
kvmmmu_field_expectation(KvmmmuFieldType type)
{
  switch (type) {
  case KVMMMU_FIELD_U32: return "a decimal number up to 4294967295";
  case KVMMMU_FIELD_U64: return "a decimal number up to 18446744073709551615";
  case KVMMMU_FIELD_S64: return "a decimal number, optionally negative";
  case KVMMMU_FIELD_HEX32: return "a 32-bit hex word (1-8 hex digits, no 0x)";
  case KVMMMU_FIELD_HEX: return "a hex pointer (1-16 hex digits, no 0x)";
  case KVMMMU_FIELD_BOOL: return "0 or 1";
  case KVMMMU_FIELD_SWITCH: return "hit, miss or -";
  case KVMMMU_FIELD_COUNT: return "a count";
  }
  return "?";
}

/* Parse one token into base+spec->offset.  FALSE when it does not fit. */
gboolean
kvmmmu_field_parse(const KvmmmuFieldSpec *spec, const char *s, gsize n, guint max,
            guint8 *base)
{
  void *dst = base + spec->offset;
  guint64 v;

  switch (spec->type) {
  case KVMMMU_FIELD_U32:
    if (!kvmmmu_field_parse_u64(s, n, &v) || v > G_MAXUINT32)
      return FALSE;
    *(guint32 *)dst = v;
    return TRUE;
  case KVMMMU_FIELD_U64:
    return kvmmmu_field_parse_u64(s, n, (guint64 *)dst);
  case KVMMMU_FIELD_S64:
    if (n > 0 && s[0] == '-') {
      if (!kvmmmu_field_parse_u64(s + 1, n - 1, &v) || v > (guint64)G_MAXINT64 + 1)
        return FALSE;
      *(gint64 *)dst = v == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)v;
      return TRUE;
    }
    if (!kvmmmu_field_parse_u64(s, n, &v) || v > G_MAXINT64)
      return FALSE;
    *(gint64 *)dst = v;
    return TRUE;
  case KVMMMU_FIELD_HEX32:
    if (!parse_hex(s, n, 8, &v))
      return FALSE;
    *(guint32 *)dst = v;
    return TRUE;
  case KVMMMU_FIELD_HEX:
    return parse_hex(s, n, 16, (guint64 *)dst);
  case KVMMMU_FIELD_BOOL:
    if (n != 1 || (s[0] != '0' && s[0] != '1'))
      return FALSE;
    *(guint8 *)dst = s[0] == '1';
    return TRUE;
  case KVMMMU_FIELD_SWITCH:
    return kvmmmu_switch_result_parse(s, n, (guint8 *)dst);
  case KVMMMU_FIELD_COUNT:
    if (!kvmmmu_field_parse_u64(s, n, &v) || v > max)
      return FALSE;
    *(guint32 *)dst = v;
    return TRUE;
  }
  return FALSE;
}

/* ---- tokens ----------------------------------------------------------- */

/* Split on single spaces.  Returns the token count, or -1 when there are
 * more than max (the caller reports that). */
int
kvmmmu_field_split(const char *s, gsize n, char sep, Token *tok, int max)
{
  int count = 0;
  gsize i = 0, begin = 0;

  for (;;) {
    if (i == n || s[i] == sep) {
      if (count == max)
        return -1;
      tok[count].s = s + begin;
      tok[count].n = i - begin;
      count++;
      if (i == n)
        return count;
      begin = i + 1;
    }
    i++;
  }
}

char *
kvmmmu_field_token_dup(const Token *t)
{
  gsize n = MIN(t->n, 40);
  g_autofree char *s = g_strndup(t->s, n);

  /* Keep messages printable whatever the input holds. */
  for (char *p = s; *p; p++)
    if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
      *p = '?';
  return g_strdup_printf("'%s%s'", s, t->n > n ? "..." : "");
}

void
kvmmmu_field_copy_text(char *dst, gsize size, const char *src, gsize n)
{
  n = MIN(n, size - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

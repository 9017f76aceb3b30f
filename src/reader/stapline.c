/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stapline.c - the lines SystemTap writes itself into a trace: warnings,
 * errors, transport failures and stap -t's probe hit report. */
#include <string.h>

#include "format/count.h"
#include "reader/fields.h"
#include "reader/stapline.h"

/* ---- SystemTap's own lines -------------------------------------------- */

gboolean
kvmmmu_field_has_prefix(const char *s, gsize n, const char *prefix)
{
  gsize k = strlen(prefix);
  return n >= k && memcmp(s, prefix, k) == 0;
}

/* The number that follows needle in the line, 0 when absent.  One past
 * 2^64 - 1 (no SystemTap counts that far, but the line says so) saturates
 * there rather than wrap: an error count must not read as none. */
static guint64
number_after(const char *s, gsize n, const char *needle)
{
  const char *p = g_strstr_len(s, n, needle);
  guint64 v = 0;

  if (!p)
    return 0;
  for (p += strlen(needle); p < s + n && g_ascii_isdigit(*p); p++)
    v = kvmmmu_count_add(kvmmmu_count_mul(v, 10), (guint64)(*p - '0'));
  return v;
}

/* The line starts with "kvmmmu " or an event keyword and a space. */
static gboolean
starts_with_keyword(const char *s, gsize n)
{
  guint nspecs;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&nspecs);
  const char *sp = memchr(s, ' ', n);
  gsize k = sp ? (gsize)(sp - s) : n;

  if (k == strlen(KVMMMU_HEADER_KEYWORD) && memcmp(s, KVMMMU_HEADER_KEYWORD, k) == 0)
    return TRUE;
  for (guint i = 0; i < nspecs; i++)
    if (strlen(specs[i].keyword) == k && memcmp(specs[i].keyword, s, k) == 0)
      return TRUE;
  return FALSE;
}

/* A line of stap -t's report by its shape, "PP, (LOCATION), hits: N,
 * cycles: ...": SystemTap's own output at exit may lose or reorder the
 * "----- probe hit report:" line above it (seen with SystemTap 5.x), and
 * no record has that shape. */
static gboolean
is_probe_hit_line(const char *s, gsize n)
{
  const char *h = g_strstr_len(s, n, "), hits: ");
  return h && g_strstr_len(h, n - (gsize)(h - s), ", cycles: ") && !starts_with_keyword(s, n);
}

gboolean
kvmmmu_stapline_parse(gboolean in_hit_report, const char *s, gsize n, KvmmmuRecord *rec)
{
  KvmmmuStapLine *st = &rec->u.stap;

  if (kvmmmu_field_has_prefix(s, n, "WARNING: "))
    rec->kind = KVMMMU_RECORD_STAP_WARNING;
  else if (kvmmmu_field_has_prefix(s, n, "ERROR: "))
    rec->kind = KVMMMU_RECORD_STAP_ERROR;
  else if (kvmmmu_field_has_prefix(s, n, "There were ") && g_strstr_len(s, n, "transport failure"))
    rec->kind = KVMMMU_RECORD_STAP_TRANSPORT;
  else if ((in_hit_report && g_strstr_len(s, n, ", hits: ")) || is_probe_hit_line(s, n))
    rec->kind = KVMMMU_RECORD_PROBE_HIT;
  else if (in_hit_report && !starts_with_keyword(s, n))
    rec->kind = KVMMMU_RECORD_STAP_REPORT; /* the rest of a "----- " report */
  else
    return FALSE;

  memset(st, 0, sizeof *st);
  kvmmmu_field_copy_text(st->text, sizeof st->text, s, n);
  st->errors = number_after(s, n, "Number of errors: ");
  st->skipped = number_after(s, n, "skipped probes: ");
  st->transport_failures = number_after(s, n, "There were ");
  st->hits = number_after(s, n, ", hits: ");
  st->contention = number_after(s, n, "lock contention occurred ");
  if (rec->kind == KVMMMU_RECORD_PROBE_HIT) {
    const char *c = g_strstr_len(s, n, "min/");
    if (c)
      st->avg_cycles = number_after(c, n - (c - s), "min/");
  }
  return TRUE;
}

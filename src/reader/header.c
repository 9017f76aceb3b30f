/* SPDX-License-Identifier: GPL-2.0-or-later */
/* header.c - the header line that starts each capture (reader-private.h). */
#include <string.h>

#include "reader/reader-private.h"

gboolean
kvmmmu_reader_parse_header(KvmmmuReader *r, const Token *tok, int ntok, gboolean cut,
                           KvmmmuRecord *rec, GError **error)
{
  KvmmmuHeader *h = &rec->u.header;
  guint64 version;

  memset(h, 0, sizeof *h);
  if (ntok < 2 || !kvmmmu_field_parse_u64(tok[1].s, tok[1].n, &version)) {
    g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                "%s:%" G_GUINT64_FORMAT ": header: expected a format version after 'kvmmmu'",
                r->name, r->line);
    return FALSE;
  }
  if (version < KVMMMU_FORMAT_VERSION_MIN || version > KVMMMU_FORMAT_VERSION) {
    g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                "%s:%" G_GUINT64_FORMAT ": header: format version %" G_GUINT64_FORMAT
                " is not known: expected %d to %d (a newer kvmmmu-report may read it)",
                r->name, r->line, version, KVMMMU_FORMAT_VERSION_MIN, KVMMMU_FORMAT_VERSION);
    return FALSE;
  }
  if (ntok < 5 || tok[2].n == 0 || tok[3].n == 0 ||
      tok[2].n >= sizeof h->release || tok[3].n >= sizeof h->host ||
      !kvmmmu_field_parse_u64(tok[4].s, tok[4].n, &h->start_ns)) {
    g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                "%s:%" G_GUINT64_FORMAT ": header: expected 'kvmmmu VERSION RELEASE HOST START_NS [key=value ...]'",
                r->name, r->line);
    return FALSE;
  }
  h->version = version;
  memcpy(h->release, tok[2].s, tok[2].n);
  memcpy(h->host, tok[3].s, tok[3].n);
  /* A header cut short (its line has no newline) may have lost the end of
   * its last key=value: a build_id cut there would be compared with
   * debuginfo's and differ, a script name would name another.  It is left
   * out; the cut itself is reported by the caller. */
  if (cut && ntok > 5)
    ntok--;
  for (int i = 5; i < ntok; i++) {
    if (kvmmmu_field_has_prefix(tok[i].s, tok[i].n, "script="))
      kvmmmu_field_copy_text(h->script, sizeof h->script, tok[i].s + 7, tok[i].n - 7);
    else if (kvmmmu_field_has_prefix(tok[i].s, tok[i].n, "build_id="))
      kvmmmu_field_copy_text(h->build_id, sizeof h->build_id, tok[i].s + 9, tok[i].n - 9);
  }
  rec->kind = KVMMMU_RECORD_HEADER;
  rec->ts_ns = h->start_ns;
  return TRUE;
}

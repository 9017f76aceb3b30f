/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record-log.h - a record as one line of text, every field by the tables:
 * what the differential tests and the fuzzer compare. */
#ifndef KVMMMU_TEST_RECORD_LOG_H
#define KVMMMU_TEST_RECORD_LOG_H

#include <glib.h>

#include "format/records.h"

static inline void
kvmmmu_test_log_field(GString *log, const KvmmmuFieldSpec *f, const guint8 *base)
{
  const void *p = base + f->offset;

  switch (f->type) {
  case KVMMMU_FIELD_U32:
  case KVMMMU_FIELD_HEX32:
  case KVMMMU_FIELD_COUNT:
    g_string_append_printf(log, " %s=%u", f->name, *(const guint32 *)p);
    break;
  case KVMMMU_FIELD_U64:
  case KVMMMU_FIELD_HEX:
    g_string_append_printf(log, " %s=%" G_GUINT64_FORMAT, f->name, *(const guint64 *)p);
    break;
  case KVMMMU_FIELD_S64:
    g_string_append_printf(log, " %s=%" G_GINT64_FORMAT, f->name, *(const gint64 *)p);
    break;
  case KVMMMU_FIELD_BOOL:
  case KVMMMU_FIELD_SWITCH:
    g_string_append_printf(log, " %s=%u", f->name, *(const guint8 *)p);
    break;
  }
}

/* Every field the record's kind has, by the tables: nothing is skipped. */
static inline void
kvmmmu_test_log_record(GString *log, const KvmmmuRecord *rec)
{
  const KvmmmuKindSpec *spec = kvmmmu_kind_spec(rec->kind);
  const guint8 *base = (const guint8 *)&rec->u;
  guint32 n_items = 0;

  g_string_append_printf(log, "rec %s %s:%" G_GUINT64_FORMAT " ts=%" G_GUINT64_FORMAT
                         " cpu=%u seq=%" G_GUINT64_FORMAT, kvmmmu_kind_name(rec->kind),
                         rec->file, rec->line, rec->ts_ns, rec->cpu, rec->seq);
  if (!spec) {
    if (rec->kind == KVMMMU_RECORD_HEADER)
      g_string_append_printf(log, " %s %s %s", rec->u.header.release, rec->u.header.host,
                             rec->u.header.script);
    else
      g_string_append_printf(log, " '%s'", rec->u.stap.text);
    g_string_append_c(log, '\n');
    return;
  }
  for (guint i = 0; i < spec->n_fields; i++) {
    kvmmmu_test_log_field(log, &spec->fields[i], base);
    if (spec->fields[i].type == KVMMMU_FIELD_COUNT)
      n_items = *(const guint32 *)(base + spec->fields[i].offset);
  }
  for (guint k = 0; k < n_items; k++)
    for (guint j = 0; j < spec->n_item_fields; j++)
      kvmmmu_test_log_field(log, &spec->item_fields[j], base + spec->items_offset + k * spec->item_size);
  g_string_append_c(log, '\n');
}

#endif

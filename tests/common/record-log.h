/* SPDX-License-Identifier: GPL-2.0-or-later */
/* record-log.h - a record as one line of text, every field by the tables:
 * what the differential tests and the fuzzer compare. */
#ifndef KVMMMU_TEST_RECORD_LOG_H
#define KVMMMU_TEST_RECORD_LOG_H

#include <glib.h>

#include "format/records.h"

/* Numbers as printf's %u or %d would write them, by hand: the fuzzer logs
 * every field of every record several ways per input, and printf's
 * allocations were most of its time. */
static inline void
kvmmmu_test_log_digits(GString *log, guint64 magnitude, gboolean negative)
{
  char digits[24];
  guint n = sizeof digits;

  do {
    digits[--n] = '0' + magnitude % 10;
    magnitude /= 10;
  } while (magnitude);
  if (negative)
    digits[--n] = '-';
  g_string_append_len(log, digits + n, sizeof digits - n);
}

/* " NAME=NUMBER" */
static inline void
kvmmmu_test_log_number(GString *log, const char *name, guint64 magnitude, gboolean negative)
{
  g_string_append_c(log, ' ');
  g_string_append(log, name);
  g_string_append_c(log, '=');
  kvmmmu_test_log_digits(log, magnitude, negative);
}

static inline void
kvmmmu_test_log_field(GString *log, const KvmmmuFieldSpec *f, const guint8 *base)
{
  const void *p = base + f->offset;

  switch (f->type) {
  case KVMMMU_FIELD_U32:
  case KVMMMU_FIELD_HEX32:
  case KVMMMU_FIELD_COUNT:
    kvmmmu_test_log_number(log, f->name, *(const guint32 *)p, FALSE);
    break;
  case KVMMMU_FIELD_U64:
  case KVMMMU_FIELD_HEX:
    kvmmmu_test_log_number(log, f->name, *(const guint64 *)p, FALSE);
    break;
  case KVMMMU_FIELD_S64: {
    gint64 v = *(const gint64 *)p;

    kvmmmu_test_log_number(log, f->name, v < 0 ? -(guint64)v : (guint64)v, v < 0);
    break;
  }
  case KVMMMU_FIELD_BOOL:
  case KVMMMU_FIELD_SWITCH:
    kvmmmu_test_log_number(log, f->name, *(const guint8 *)p, FALSE);
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

  g_string_append(log, "rec ");
  g_string_append(log, kvmmmu_kind_name(rec->kind));
  g_string_append_c(log, ' ');
  g_string_append(log, rec->file);
  g_string_append_c(log, ':');
  kvmmmu_test_log_digits(log, rec->line, FALSE);
  kvmmmu_test_log_number(log, "ts", rec->ts_ns, FALSE);
  kvmmmu_test_log_number(log, "cpu", rec->cpu, FALSE);
  kvmmmu_test_log_number(log, "seq", rec->seq, FALSE);
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

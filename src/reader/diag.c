/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "reader/diag.h"

typedef struct {
  char *reason;
  char *first_message;
  guint64 count;
} DiagEntry;

struct _KvmmmuDiag {
  KvmmmuDiagFunc func;
  gpointer user_data;
  GHashTable *by_reason; /* reason -> DiagEntry (borrowed from entries) */
  GPtrArray *entries;    /* DiagEntry, in first-seen order */
  guint64 total;
  char *last;
};

static void
diag_entry_free(gpointer p)
{
  DiagEntry *e = p;

  g_free(e->reason);
  g_free(e->first_message);
  g_free(e);
}

KvmmmuDiag *
kvmmmu_diag_new(KvmmmuDiagFunc func, gpointer user_data)
{
  KvmmmuDiag *diag = g_new0(KvmmmuDiag, 1);

  diag->func = func;
  diag->user_data = user_data;
  diag->by_reason = g_hash_table_new(g_str_hash, g_str_equal);
  diag->entries = g_ptr_array_new_with_free_func(diag_entry_free);
  return diag;
}

void
kvmmmu_diag_free(KvmmmuDiag *diag)
{
  if (!diag)
    return;
  g_hash_table_destroy(diag->by_reason);
  g_ptr_array_free(diag->entries, TRUE);
  g_free(diag->last);
  g_free(diag);
}

void
kvmmmu_diag_add(KvmmmuDiag *diag, const char *file, guint64 line,
                const char *kind, const char *reason, const char *fmt, ...)
{
  g_autofree char *what = NULL;
  va_list ap;
  DiagEntry *e;

  va_start(ap, fmt);
  what = g_strdup_vprintf(fmt, ap);
  va_end(ap);

  g_free(diag->last);
  if (line)
    diag->last = g_strdup_printf("%s:%" G_GUINT64_FORMAT ": %s: %s", file, line,
                                 kind, what);
  else
    diag->last = g_strdup_printf("%s: %s: %s", file, kind, what);
  diag->total++;

  e = g_hash_table_lookup(diag->by_reason, reason);
  if (e) {
    e->count++;
    return;
  }
  e = g_new0(DiagEntry, 1);
  e->reason = g_strdup(reason);
  e->first_message = g_strdup(diag->last);
  e->count = 1;
  g_ptr_array_add(diag->entries, e);
  g_hash_table_insert(diag->by_reason, e->reason, e);
  if (diag->func)
    diag->func(diag->last, diag->user_data);
}

guint64
kvmmmu_diag_count(const KvmmmuDiag *diag)
{
  return diag->total;
}

const char *
kvmmmu_diag_last(const KvmmmuDiag *diag)
{
  return diag->last;
}

void
kvmmmu_diag_foreach(const KvmmmuDiag *diag, KvmmmuDiagVisit visit,
                    gpointer user_data)
{
  for (guint i = 0; i < diag->entries->len; i++) {
    const DiagEntry *e = g_ptr_array_index(diag->entries, i);

    visit(e->reason, e->count, e->first_message, user_data);
  }
}

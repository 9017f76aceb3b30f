/* SPDX-License-Identifier: GPL-2.0-or-later */
/* idtable.c - pointers by a 64-bit id (idtable.h). */
#include <string.h>

#include "format/idtable.h"

static guint
home(const KvmmmuIdTable *t, guint64 id)
{
  return (guint)((id * G_GUINT64_CONSTANT(0x9E3779B97F4A7C15)) >> 32) & (t->size - 1);
}

static void
put(KvmmmuIdTable *t, guint64 id, gpointer p)
{
  guint i = home(t, id);

  while (t->slots[i].p)
    i = (i + 1) & (t->size - 1);
  t->slots[i].id = id;
  t->slots[i].p = p;
}

void
kvmmmu_id_table_insert(KvmmmuIdTable *t, guint64 id, gpointer p)
{
  if (2 * (t->len + 1) > t->size) {
    KvmmmuIdSlot *old = t->slots;
    guint old_size = t->size;

    t->size = old_size ? 2 * old_size : 64;
    t->slots = g_new0(KvmmmuIdSlot, t->size);
    for (guint i = 0; i < old_size; i++)
      if (old[i].p)
        put(t, old[i].id, old[i].p);
    g_free(old);
  }
  put(t, id, p);
  t->len++;
}

gpointer
kvmmmu_id_table_find(const KvmmmuIdTable *t, guint64 id)
{
  if (!t->len)
    return NULL;
  for (guint i = home(t, id); t->slots[i].p; i = (i + 1) & (t->size - 1))
    if (t->slots[i].id == id)
      return t->slots[i].p;
  return NULL;
}

/* The entries after p that would no longer be found move back: linear
 * probing leaves no gap between an entry and its home slot. */
void
kvmmmu_id_table_remove(KvmmmuIdTable *t, guint64 id, gconstpointer p)
{
  guint mask = t->size - 1, i = home(t, id), j;

  while (t->slots[i].p != p)
    i = (i + 1) & mask;
  for (j = (i + 1) & mask; t->slots[j].p; j = (j + 1) & mask) {
    guint k = home(t, t->slots[j].id);

    /* the entry at j stays if its home is cyclically in (i, j] */
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
      continue;
    t->slots[i] = t->slots[j];
    i = j;
  }
  t->slots[i].p = NULL;
  t->len--;
}

void
kvmmmu_id_table_reset(KvmmmuIdTable *t)
{
  if (t->slots)
    memset(t->slots, 0, t->size * sizeof *t->slots);
  t->len = 0;
}

void
kvmmmu_id_table_clear(KvmmmuIdTable *t)
{
  g_clear_pointer(&t->slots, g_free);
  t->size = t->len = 0;
}

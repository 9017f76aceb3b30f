/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * idtable.h - pointers by a 64-bit id: open addressing with linear probing,
 * at most half full, for the open walks the reader and the walk model find
 * by id on every step logged away from its walk's CPU.
 */
#ifndef KVMMMU_FORMAT_IDTABLE_H
#define KVMMMU_FORMAT_IDTABLE_H

#include <glib.h>

typedef struct {
  guint64 id;
  gpointer p;        /* NULL: a free slot */
} KvmmmuIdSlot;

typedef struct {
  KvmmmuIdSlot *slots;
  guint size;        /* a power of two, or 0 */
  guint len;
} KvmmmuIdTable;

/* p (not NULL) under id; an id may be held by several pointers. */
void kvmmmu_id_table_insert(KvmmmuIdTable *t, guint64 id, gpointer p);
/* A pointer held under id, NULL when none. */
gpointer kvmmmu_id_table_find(const KvmmmuIdTable *t, guint64 id);
/* Take out p, held under id. */
void kvmmmu_id_table_remove(KvmmmuIdTable *t, guint64 id, gconstpointer p);
/* Empty, keeping its slots. */
void kvmmmu_id_table_reset(KvmmmuIdTable *t);
void kvmmmu_id_table_clear(KvmmmuIdTable *t);

#endif

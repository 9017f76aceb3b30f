/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walkcheck.c - do a capture's walks and steps fit together? */
#include <string.h>

#include "reader/walkcheck.h"

/* Ids lost in transport would keep seen_above growing: past this many, the
 * watermark moves up to the smallest id held (the gap is data loss, which
 * the seq numbers already account for). */
#define SEEN_ABOVE_MAX 65536

void
kvmmmu_walkcheck_init(KvmmmuWalkCheck *wc)
{
  memset(wc, 0, sizeof *wc);
  wc->seen_above = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  wc->cpu_walk_high = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  wc->bad_walks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

void
kvmmmu_walkcheck_clear(KvmmmuWalkCheck *wc)
{
  g_clear_pointer(&wc->seen_above, g_hash_table_destroy);
  g_clear_pointer(&wc->cpu_walk_high, g_hash_table_destroy);
  g_clear_pointer(&wc->bad_walks, g_hash_table_destroy);
}

void
kvmmmu_walkcheck_reset(KvmmmuWalkCheck *wc)
{
  wc->watermark = 0;
  g_hash_table_remove_all(wc->seen_above);
  memset(wc->cpu_walk, 0, sizeof wc->cpu_walk);
  g_hash_table_remove_all(wc->cpu_walk_high);
  g_hash_table_remove_all(wc->bad_walks);
}

static gboolean
id_seen(const KvmmmuWalkCheck *wc, guint64 id)
{
  return id <= wc->watermark ||
         (g_hash_table_size(wc->seen_above) && g_hash_table_contains(wc->seen_above, &id));
}

static void
id_add(KvmmmuWalkCheck *wc, guint64 id)
{
  guint64 next;

  if (id == wc->watermark + 1) {
    wc->watermark = id;
    /* Pull in ids that arrived early. */
    for (next = id + 1;
         g_hash_table_size(wc->seen_above) && g_hash_table_remove(wc->seen_above, &next); next++)
      wc->watermark = next;
    return;
  }
  g_hash_table_add(wc->seen_above, g_memdup2(&id, sizeof id));
  if (g_hash_table_size(wc->seen_above) > SEEN_ABOVE_MAX) {
    GHashTableIter it;
    gpointer key;
    guint64 min = G_MAXUINT64;

    g_hash_table_iter_init(&it, wc->seen_above);
    while (g_hash_table_iter_next(&it, &key, NULL))
      min = MIN(min, *(guint64 *)key);
    wc->watermark = min - 1;
    id_add(wc, min);
    g_hash_table_remove(wc->seen_above, &min);
  }
}

/* The walk cpu is iterating; create makes room for one. */
static KvmmmuCpuWalk *
cpu_walk(KvmmmuWalkCheck *wc, guint32 cpu, gboolean create)
{
  KvmmmuCpuWalk *cw;

  if (cpu < KVMMMU_WALKCHECK_CPU_ARRAY)
    return create || wc->cpu_walk[cpu].walk ? &wc->cpu_walk[cpu] : NULL;
  cw = g_hash_table_lookup(wc->cpu_walk_high, GUINT_TO_POINTER(cpu));
  if (!cw && create) {
    cw = g_new0(KvmmmuCpuWalk, 1);
    g_hash_table_insert(wc->cpu_walk_high, GUINT_TO_POINTER(cpu), cw);
  }
  return cw;
}

/* The walk with this id on any CPU, NULL when none is open. */
static const KvmmmuCpuWalk *
any_cpu_walk(const KvmmmuWalkCheck *wc, guint64 walk)
{
  GHashTableIter it;
  gpointer value;
  const KvmmmuCpuWalk *found = NULL;

  if (walk == 0)
    return NULL; /* never an open walk's id: 0 marks a free slot */
  for (guint i = 0; i < KVMMMU_WALKCHECK_CPU_ARRAY; i++)
    if (wc->cpu_walk[i].walk == walk)
      found = &wc->cpu_walk[i];
  g_hash_table_iter_init(&it, wc->cpu_walk_high);
  while (g_hash_table_iter_next(&it, NULL, &value))
    if (((KvmmmuCpuWalk *)value)->walk == walk)
      found = value;
  return found;
}

KvmmmuWalkCheckVerdict
kvmmmu_walkcheck_walk(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk, guint32 nr)
{
  KvmmmuCpuWalk *cw;

  if (walk == 0)
    return KVMMMU_WALKCHECK_ID0;
  if (id_seen(wc, walk))
    return KVMMMU_WALKCHECK_DUPLICATE;
  id_add(wc, walk);
  cw = cpu_walk(wc, cpu, TRUE);
  cw->walk = walk;
  cw->nr = nr;
  return KVMMMU_WALKCHECK_OK;
}

void
kvmmmu_walkcheck_bad_walk(KvmmmuWalkCheck *wc, guint64 walk)
{
  if (walk != 0 && g_hash_table_size(wc->bad_walks) < KVMMMU_WALKCHECK_BAD_WALKS_MAX &&
      !id_seen(wc, walk))
    g_hash_table_add(wc->bad_walks, g_memdup2(&walk, sizeof walk));
}

KvmmmuWalkCheckVerdict
kvmmmu_walkcheck_step_slow(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk, guint32 i,
                           guint32 *nr_out)
{
  const KvmmmuCpuWalk *cw = cpu_walk(wc, cpu, FALSE);

  if (!cw || cw->walk != walk)
    cw = any_cpu_walk(wc, walk); /* tolerate a step logged on another CPU */
  if (!cw) {
    if (g_hash_table_size(wc->bad_walks) && !id_seen(wc, walk) &&
        g_hash_table_contains(wc->bad_walks, &walk))
      return KVMMMU_WALKCHECK_OF_BAD_WALK;
    return id_seen(wc, walk) ? KVMMMU_WALKCHECK_ENDED : KVMMMU_WALKCHECK_BEFORE;
  }
  if (i >= cw->nr) {
    *nr_out = cw->nr;
    return KVMMMU_WALKCHECK_INDEX;
  }
  return KVMMMU_WALKCHECK_OK;
}

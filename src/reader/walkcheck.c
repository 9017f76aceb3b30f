/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walkcheck.c - do a capture's walks and steps fit together? */
#include <string.h>

#include "reader/walkcheck.h"

/* ---- the walk ids seen: ranges of consecutive ids ------------------------ */

/* lo first: the tree compares ranges, and a bare id, by their first id. */
struct _KvmmmuIdRange {
  guint64 lo, hi;
};

typedef enum { ID_NEW, ID_SEEN, ID_BLURRED } IdState;

static gint
range_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
  guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;

  return x < y ? -1 : x > y;
}

/* The range holding id or the nearest below it, and the one after that. */
static void
ids_around(const KvmmmuWalkCheck *wc, guint64 id, KvmmmuIdRange **below, KvmmmuIdRange **above)
{
  GTreeNode *next = g_tree_upper_bound(wc->ids, &id);
  GTreeNode *prev = next ? g_tree_node_previous(next) : g_tree_node_last(wc->ids);

  *below = prev ? g_tree_node_value(prev) : NULL;
  *above = next ? g_tree_node_value(next) : NULL;
}

static IdState
id_state(const KvmmmuWalkCheck *wc, guint64 id)
{
  KvmmmuIdRange *below, *above;

  if (!wc->top || id > wc->top->hi)
    return ID_NEW; /* nearly every new walk: above all ids seen */
  ids_around(wc, id, &below, &above);
  if (!below || id > below->hi)
    return ID_NEW;
  return id <= wc->blurred_up_to ? ID_BLURRED : ID_SEEN;
}

static KvmmmuIdRange *
range_insert(KvmmmuWalkCheck *wc, guint64 id)
{
  KvmmmuIdRange *r = g_new(KvmmmuIdRange, 1);

  r->lo = r->hi = id;
  g_tree_insert(wc->ids, r, r);
  wc->n_ranges++;
  return r;
}

static void
range_remove(KvmmmuWalkCheck *wc, KvmmmuIdRange *r)
{
  g_tree_remove(wc->ids, r); /* frees r */
  wc->n_ranges--;
}

/* Past the limit, the two lowest ranges become one: the ids between them
 * are blurred (taken as seen, said so when one comes). */
static void
ranges_bound(KvmmmuWalkCheck *wc)
{
  while (wc->n_ranges > KVMMMU_WALKCHECK_ID_RANGES_MAX) {
    GTreeNode *first = g_tree_node_first(wc->ids);
    KvmmmuIdRange *a = g_tree_node_value(first);
    KvmmmuIdRange *b = g_tree_node_value(g_tree_node_next(first));

    wc->blurred_up_to = MAX(wc->blurred_up_to, b->lo - 1);
    wc->ranges_joined++;
    a->hi = b->hi;
    if (wc->top == b)
      wc->top = a;
    range_remove(wc, b);
  }
}

/* Add an id id_state() said is new. */
static void
id_add(KvmmmuWalkCheck *wc, guint64 id)
{
  KvmmmuIdRange *below, *above;

  if (wc->top && id > wc->top->hi) {
    if (id == wc->top->hi + 1)
      wc->top->hi = id; /* the common case: the next id */
    else {
      wc->top = range_insert(wc, id);
      ranges_bound(wc);
    }
    return;
  }
  if (!wc->top) {
    wc->top = range_insert(wc, id);
    return;
  }
  ids_around(wc, id, &below, &above);
  if (below && below->hi + 1 == id) {
    below->hi = id;
    if (above && above->lo == id + 1) {
      below->hi = above->hi;
      if (wc->top == above)
        wc->top = below;
      range_remove(wc, above);
    }
  } else if (above && above->lo == id + 1) {
    above->lo = id; /* still after below: the order holds */
  } else {
    range_insert(wc, id);
    ranges_bound(wc);
  }
}

guint64
kvmmmu_walkcheck_blurred_up_to(const KvmmmuWalkCheck *wc)
{
  return wc->blurred_up_to;
}

/* ---- the checker -------------------------------------------------------- */

void
kvmmmu_walkcheck_init(KvmmmuWalkCheck *wc)
{
  memset(wc, 0, sizeof *wc);
  wc->ids = g_tree_new_full(range_cmp, NULL, NULL, g_free);
  wc->cpu_walk_high = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  wc->bad_walks = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

void
kvmmmu_walkcheck_clear(KvmmmuWalkCheck *wc)
{
  g_clear_pointer(&wc->ids, g_tree_destroy);
  g_clear_pointer(&wc->cpu_walk_high, g_hash_table_destroy);
  g_clear_pointer(&wc->bad_walks, g_hash_table_destroy);
  kvmmmu_id_table_clear(&wc->open);
}

void
kvmmmu_walkcheck_reset(KvmmmuWalkCheck *wc)
{
  g_tree_remove_all(wc->ids);
  wc->n_ranges = 0;
  wc->top = NULL;
  wc->blurred_up_to = 0;
  wc->ranges_joined = 0;
  memset(wc->cpu_walk, 0, sizeof wc->cpu_walk);
  g_hash_table_remove_all(wc->cpu_walk_high);
  wc->n_cpus = 0;
  kvmmmu_id_table_reset(&wc->open);
  g_hash_table_remove_all(wc->bad_walks);
}

/* The walk cpu is iterating, NULL when it has none. */
static KvmmmuCpuWalk *
cpu_walk(const KvmmmuWalkCheck *wc, guint32 cpu)
{
  if (cpu < KVMMMU_WALKCHECK_CPU_ARRAY)
    return wc->cpu_walk[cpu].walk ? (KvmmmuCpuWalk *)&wc->cpu_walk[cpu] : NULL;
  return g_hash_table_lookup(wc->cpu_walk_high, GUINT_TO_POINTER(cpu));
}

/* Room for cpu's walk: NULL when it would be a CPU past the limit. */
static KvmmmuCpuWalk *
cpu_walk_make(KvmmmuWalkCheck *wc, guint32 cpu)
{
  KvmmmuCpuWalk *cw = cpu_walk(wc, cpu);

  if (cw)
    return cw;
  if (wc->n_cpus >= KVMMMU_WALK_CPUS_MAX)
    return NULL;
  wc->n_cpus++;
  if (cpu < KVMMMU_WALKCHECK_CPU_ARRAY)
    return &wc->cpu_walk[cpu];
  cw = g_new0(KvmmmuCpuWalk, 1);
  g_hash_table_insert(wc->cpu_walk_high, GUINT_TO_POINTER(cpu), cw);
  return cw;
}

KvmmmuWalkCheckVerdict
kvmmmu_walkcheck_walk(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk, guint32 nr)
{
  KvmmmuCpuWalk *cw;

  if (walk == 0)
    return KVMMMU_WALKCHECK_ID0;
  switch (id_state(wc, walk)) {
  case ID_SEEN: return KVMMMU_WALKCHECK_DUPLICATE;
  case ID_BLURRED: return KVMMMU_WALKCHECK_BLURRED;
  case ID_NEW: break;
  }
  cw = cpu_walk_make(wc, cpu);
  if (!cw) {
    kvmmmu_walkcheck_bad_walk(wc, walk); /* its steps go with it */
    return KVMMMU_WALKCHECK_CPUS;
  }
  id_add(wc, walk);
  if (cw->walk)
    kvmmmu_id_table_remove(&wc->open, cw->walk, cw);
  cw->walk = walk;
  cw->nr = nr;
  kvmmmu_id_table_insert(&wc->open, walk, cw);
  return KVMMMU_WALKCHECK_OK;
}

void
kvmmmu_walkcheck_bad_walk(KvmmmuWalkCheck *wc, guint64 walk)
{
  if (walk != 0 && g_hash_table_size(wc->bad_walks) < KVMMMU_WALKCHECK_BAD_WALKS_MAX &&
      id_state(wc, walk) == ID_NEW)
    g_hash_table_add(wc->bad_walks, g_memdup2(&walk, sizeof walk));
}

KvmmmuWalkCheckVerdict
kvmmmu_walkcheck_step_slow(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk, guint32 i,
                           guint32 *nr_out)
{
  const KvmmmuCpuWalk *cw = cpu_walk(wc, cpu);

  if (walk == 0)
    cw = NULL; /* never an open walk's id */
  else if (!cw || cw->walk != walk)
    cw = kvmmmu_id_table_find(&wc->open, walk); /* tolerate a step logged on another CPU */
  if (!cw) {
    switch (id_state(wc, walk)) {
    case ID_SEEN: return KVMMMU_WALKCHECK_ENDED;
    case ID_BLURRED: return KVMMMU_WALKCHECK_BLURRED;
    case ID_NEW:
      if (g_hash_table_size(wc->bad_walks) && g_hash_table_contains(wc->bad_walks, &walk))
        return KVMMMU_WALKCHECK_OF_BAD_WALK;
      return KVMMMU_WALKCHECK_BEFORE;
    }
  }
  if (i >= cw->nr) {
    *nr_out = cw->nr;
    return KVMMMU_WALKCHECK_INDEX;
  }
  return KVMMMU_WALKCHECK_OK;
}

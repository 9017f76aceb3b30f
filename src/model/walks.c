/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walks.c - walks as trees, checked against mmu_unsync_walk's rules. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/walks.h"

/* Past this many walks waiting for their steps the oldest is finished
 * anyway, so a CPU that went quiet cannot hold memory forever. */
#define MAX_OPEN_WALKS 1024

typedef struct {
  KvmmmuWalkTree tree;
  guint32 stepped;   /* bit i: a step zapped page i */
  gint last_i;       /* i of the last step, -1 before any */
  gboolean complete;
} OpenWalk;

struct _KvmmmuWalks {
  KvmmmuWalkFunc func;
  gpointer user_data;
  GQueue queue;         /* OpenWalk, in walk-record order */
  GHashTable *by_cpu;   /* cpu -> OpenWalk still taking steps (borrowed) */
};

static guint
page_level(const KvmmmuWalk *w, guint j)
{
  return KVMMMU_ROLE_LEVEL(w->items[j].role);
}

static void G_GNUC_PRINTF(3, 4)
dfs_violation(KvmmmuWalkTree *t, guint j, const char *fmt, ...)
{
  va_list ap;
  int n;

  if (!t->dfs_ok)
    return; /* the first violation is the one worth reading */
  t->dfs_ok = FALSE;
  n = snprintf(t->dfs_why, sizeof t->dfs_why, "page [%u]: ", j);
  va_start(ap, fmt);
  vsnprintf(t->dfs_why + n, sizeof t->dfs_why - n, fmt, ap);
  va_end(ap);
}

void
kvmmmu_walk_tree_build(KvmmmuWalkTree *t)
{
  const KvmmmuWalk *w = &t->rec;
  guint stack[KVMMMU_MAX_WALK_PAGES];
  gint64 last_idx[KVMMMU_MAX_WALK_PAGES];
  guint depth = 0, l0;

  t->dfs_ok = TRUE;
  t->dfs_why[0] = '\0';
  t->n_leaves = 0;
  for (guint j = 0; j < KVMMMU_MAX_WALK_PAGES; j++)
    t->parent_index[j] = -1;
  if (w->nr == 0)
    return;

  /* mmu_unsync_walk() adds the parent first, at INVALID_INDEX. */
  l0 = page_level(w, 0);
  if (w->items[0].sp != w->parent)
    dfs_violation(t, 0, "sp %" G_GINT64_MODIFIER "x, expected the walk's parent %"
                  G_GINT64_MODIFIER "x first", w->items[0].sp, w->parent);
  if (w->items[0].idx != KVMMMU_INVALID_INDEX)
    dfs_violation(t, 0, "idx %u, expected INVALID_INDEX for the parent", w->items[0].idx);
  if (l0 < 2 || l0 > KVMMMU_MAX_PATH_DEPTH)
    dfs_violation(t, 0, "level %u, expected 2 to %d for a parent", l0,
                  KVMMMU_MAX_PATH_DEPTH);
  stack[depth] = 0;
  last_idx[depth] = -1;
  depth++;

  for (guint j = 1; j < w->nr; j++) {
    const KvmmmuWalkItem *it = &w->items[j];
    guint lj = page_level(w, j), p;

    if (lj == 1)
      t->n_leaves++;
    /* Climb back to the page this one must be a child of. */
    while (depth > 0 && page_level(w, stack[depth - 1]) <= lj)
      depth--;
    if (depth == 0 || page_level(w, stack[depth - 1]) != lj + 1) {
      dfs_violation(t, j, "level %u after [%u] level %u: not depth-first (expected a child of a level-%u page before it)",
                    lj, j - 1, page_level(w, j - 1), lj + 1);
      depth = 0;
      continue;
    }
    p = stack[depth - 1];
    t->parent_index[j] = p;
    if (it->idx >= 512)
      dfs_violation(t, j, "idx %u, expected 0 to 511 in its parent [%u]", it->idx, p);
    else if ((gint64)it->idx <= last_idx[depth - 1])
      dfs_violation(t, j, "idx %u not after its sibling's idx %" G_GINT64_FORMAT
                    " in [%u]: for_each_set_bit visits children in index order",
                    it->idx, last_idx[depth - 1], p);
    last_idx[depth - 1] = it->idx;
    if (lj == 1 && !it->unsync)
      dfs_violation(t, j, "leaf not unsync: mmu_unsync_walk only gathers unsync leaves");
    if (lj > 1) {
      stack[depth] = j;
      last_idx[depth] = -1;
      depth++;
    }
  }
}

guint
kvmmmu_walk_tree_path(const KvmmmuWalkTree *t, guint i,
                      guint path[KVMMMU_MAX_PATH_DEPTH])
{
  guint depth = 0;

  for (int p = t->parent_index[i]; p >= 0 && depth < KVMMMU_MAX_PATH_DEPTH;
       p = t->parent_index[p])
    path[depth++] = p;
  return depth;
}

gboolean
kvmmmu_walk_tree_ok(const KvmmmuWalkTree *t)
{
  return t->dfs_ok && t->n_steps_bad == 0 && t->n_leaves_unstepped == 0;
}

static void
check_step(OpenWalk *ow, KvmmmuWalkStep *ws)
{
  const KvmmmuWalkTree *t = &ow->tree;
  const KvmmmuWalk *w = &t->rec;
  const KvmmmuStep *s = &ws->step;
  guint path[KVMMMU_MAX_PATH_DEPTH], depth;

  ws->verdict = KVMMMU_STEP_OK;
  ws->why[0] = '\0';
  if (s->sp != w->items[s->i].sp) {
    ws->verdict = KVMMMU_STEP_WRONG_SP;
    snprintf(ws->why, sizeof ws->why, "sp %" G_GINT64_MODIFIER "x is not page [%u] %"
             G_GINT64_MODIFIER "x", s->sp, s->i, w->items[s->i].sp);
    return;
  }
  if (page_level(w, s->i) != 1) {
    ws->verdict = KVMMMU_STEP_NOT_LEAF;
    snprintf(ws->why, sizeof ws->why, "page [%u] has level %u, expected a level-1 leaf",
             s->i, page_level(w, s->i));
    return;
  }
  if ((gint)s->i <= ow->last_i) {
    ws->verdict = KVMMMU_STEP_OUT_OF_ORDER;
    snprintf(ws->why, sizeof ws->why, "i=%u after i=%d: for_each_sp moves forward",
             s->i, ow->last_i);
    return;
  }
  depth = kvmmmu_walk_tree_path(t, s->i, path);
  if (depth != s->depth) {
    ws->verdict = KVMMMU_STEP_BAD_PATH;
    snprintf(ws->why, sizeof ws->why, "%u parents, expected %u (root-to-leaf path in the walk)",
             s->depth, depth);
    return;
  }
  for (guint k = 0; k < depth; k++) {
    const KvmmmuWalkItem *want = &w->items[path[k]];

    if (s->items[k].sp != want->sp || s->items[k].role != want->role) {
      ws->verdict = KVMMMU_STEP_BAD_PATH;
      snprintf(ws->why, sizeof ws->why, "parent %u is %" G_GINT64_MODIFIER "x role %x, expected page [%u] %"
               G_GINT64_MODIFIER "x role %x", k, s->items[k].sp, s->items[k].role,
               path[k], want->sp, want->role);
      return;
    }
  }
}

KvmmmuWalks *
kvmmmu_walks_new(KvmmmuWalkFunc func, gpointer user_data)
{
  KvmmmuWalks *walks = g_new0(KvmmmuWalks, 1);

  walks->func = func;
  walks->user_data = user_data;
  g_queue_init(&walks->queue);
  walks->by_cpu = g_hash_table_new(g_direct_hash, g_direct_equal);
  return walks;
}

static void
open_walk_free(OpenWalk *ow)
{
  g_array_unref(ow->tree.steps);
  g_free(ow);
}

static void
complete(OpenWalk *ow)
{
  KvmmmuWalkTree *t = &ow->tree;

  if (ow->complete)
    return;
  ow->complete = TRUE;
  t->n_leaves_unstepped = 0;
  for (guint j = 1; j < t->rec.nr; j++)
    if (page_level(&t->rec, j) == 1 && !(ow->stepped & (1u << j)))
      t->n_leaves_unstepped++;
}

/* Hand finished walks to the callback, oldest first. */
static void
flush(KvmmmuWalks *walks, gboolean all)
{
  for (;;) {
    OpenWalk *ow = g_queue_peek_head(&walks->queue);

    if (!ow)
      return;
    if (all || g_queue_get_length(&walks->queue) > MAX_OPEN_WALKS)
      complete(ow);
    if (!ow->complete)
      return;
    g_queue_pop_head(&walks->queue);
    if (g_hash_table_lookup(walks->by_cpu, GUINT_TO_POINTER(ow->tree.cpu)) == ow)
      g_hash_table_remove(walks->by_cpu, GUINT_TO_POINTER(ow->tree.cpu));
    walks->func(&ow->tree, walks->user_data);
    open_walk_free(ow);
  }
}

static OpenWalk *
find_open(KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  OpenWalk *ow = g_hash_table_lookup(walks->by_cpu, GUINT_TO_POINTER(rec->cpu));

  if (ow && ow->tree.rec.walk == rec->u.Step.walk)
    return ow;
  for (GList *l = walks->queue.head; l; l = l->next) {
    ow = l->data;
    if (!ow->complete && ow->tree.rec.walk == rec->u.Step.walk)
      return ow;
  }
  return NULL;
}

void
kvmmmu_walks_add(KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  OpenWalk *ow;

  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    flush(walks, TRUE);
    return;
  case KVMMMU_RECORD_WALK:
    ow = g_hash_table_lookup(walks->by_cpu, GUINT_TO_POINTER(rec->cpu));
    if (ow)
      complete(ow); /* a CPU runs one walk at a time under mmu_lock */
    ow = g_new0(OpenWalk, 1);
    ow->tree.rec = rec->u.Walk;
    ow->tree.ts_ns = rec->ts_ns;
    ow->tree.cpu = rec->cpu;
    ow->tree.file = rec->file;
    ow->tree.line = rec->line;
    ow->tree.steps = g_array_new(FALSE, FALSE, sizeof(KvmmmuWalkStep));
    ow->last_i = -1;
    kvmmmu_walk_tree_build(&ow->tree);
    g_queue_push_tail(&walks->queue, ow);
    g_hash_table_insert(walks->by_cpu, GUINT_TO_POINTER(rec->cpu), ow);
    if (ow->tree.n_leaves == 0)
      complete(ow);
    break;
  case KVMMMU_RECORD_STEP: {
    KvmmmuWalkStep ws = { .step = rec->u.Step, .ts_ns = rec->ts_ns, .line = rec->line };

    /* The reader let through only steps of a walk it has seen. */
    ow = find_open(walks, rec);
    if (!ow)
      return;
    check_step(ow, &ws);
    if (ws.verdict != KVMMMU_STEP_OK)
      ow->tree.n_steps_bad++;
    else {
      ow->stepped |= 1u << ws.step.i;
      ow->last_i = ws.step.i;
    }
    g_array_append_val(ow->tree.steps, ws);
    if (ow->tree.steps->len >= ow->tree.n_leaves)
      complete(ow);
    break;
  }
  default:
    return;
  }
  flush(walks, FALSE);
}

void
kvmmmu_walks_finish(KvmmmuWalks *walks)
{
  flush(walks, TRUE);
}

void
kvmmmu_walks_free(KvmmmuWalks *walks)
{
  OpenWalk *ow;

  if (!walks)
    return;
  while ((ow = g_queue_pop_head(&walks->queue)))
    open_walk_free(ow);
  g_hash_table_destroy(walks->by_cpu);
  g_free(walks);
}

void
kvmmmu_walk_tally_add(KvmmmuWalkTally *tally, const KvmmmuWalkTree *t)
{
  tally->walks++;
  if (!kvmmmu_walk_tree_ok(t))
    tally->walks_bad++;
  if (!t->dfs_ok)
    tally->not_depth_first++;
  tally->steps += t->steps->len;
  tally->steps_bad += t->n_steps_bad;
  tally->leaves += t->n_leaves;
  tally->leaves_unzapped += t->n_leaves_unstepped;
  if (t->rec.nr == KVMMMU_MAX_WALK_PAGES)
    tally->full++;
  if (t->rec.round > 0)
    tally->restarts++;
  tally->max_nr = MAX(tally->max_nr, t->rec.nr);
  for (guint k = 0; k < t->steps->len; k++)
    tally->max_depth = MAX(tally->max_depth, g_array_index(t->steps, KvmmmuWalkStep, k).step.depth);
}

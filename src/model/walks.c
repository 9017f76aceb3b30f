/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walks.c - walks as trees, checked against mmu_unsync_walk's rules. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/walks.h"

/* Past this many walks waiting for their steps the oldest is finished
 * anyway, so a CPU that went quiet cannot hold memory forever. */
#define MAX_OPEN_WALKS 1024

/* CPUs numbered below this find their open walk in an array; a trace from
 * a larger (or corrupt) cpu number falls back to a hash table. */
#define CPU_SLOTS_MAX 8192

typedef struct {
  KvmmmuWalkTree tree;
  guint32 stepped;   /* bit i: a step zapped page i */
  gint last_i;       /* i of the last step, -1 before any */
  gboolean complete;
} OpenWalk;

/*
 * A trace holds millions of walks, a few open at once.  Open walks live in
 * a ring, oldest at head; a slot keeps its OpenWalk (and that walk's steps
 * array) when the walk is handed out, and the next walk to land there
 * reuses both, so after the first few walks no walk allocates memory.
 */
struct _KvmmmuWalks {
  KvmmmuWalkFunc func;
  gpointer user_data;

  OpenWalk **ring;      /* ring_size slots; NULL until first used */
  guint ring_size;      /* a power of two, or 0 */
  guint ring_head;      /* the oldest open walk */
  guint ring_len;       /* open walks, in walk-record order from head */

  /* cpu -> its open walk still taking steps (borrowed from the ring) */
  OpenWalk **cpu_slots; /* indexed by cpu below n_cpu_slots */
  guint n_cpu_slots;
  GHashTable *big_cpus; /* cpu >= CPU_SLOTS_MAX -> OpenWalk; NULL if none */

  /* Names of the files walks came from, owned: the reader's name dies with
   * the reader, and a walk still open at the end of one file is handed
   * out after its reader is gone. */
  GPtrArray *files;
  const char *file;     /* of the latest walk; one of files */
  guint capture;        /* headers seen: the capture walks now come from */
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

const char *
kvmmmu_step_verdict_name(KvmmmuStepVerdict v)
{
  switch (v) {
  case KVMMMU_STEP_OK: return "ok";
  case KVMMMU_STEP_WRONG_SP: return "wrong-sp";
  case KVMMMU_STEP_NOT_LEAF: return "not-leaf";
  case KVMMMU_STEP_OUT_OF_ORDER: return "out-of-order";
  case KVMMMU_STEP_BAD_PATH: return "bad-path";
  }
  return "?";
}

/* Page i hangs from the root by parent_index: a page list that broke
 * depth-first order before it leaves it no known path. */
static gboolean
path_known(const KvmmmuWalkTree *t, guint i)
{
  guint hops = 0;
  int p = (int)i;

  while (p > 0 && hops++ <= KVMMMU_MAX_WALK_PAGES)
    p = t->parent_index[p];
  return p == 0;
}

/* One verdict a step, for its own first fault: a step with the right leaf
 * zapped it whatever else is wrong, and a path that cannot be known (the
 * walk's page list is at fault, reported once at the walk) is not judged. */
static void
check_step(OpenWalk *ow, KvmmmuWalkStep *ws)
{
  const KvmmmuWalkTree *t = &ow->tree;
  const KvmmmuWalk *w = &t->rec;
  const KvmmmuStep *s = &ws->step;
  guint path[KVMMMU_MAX_PATH_DEPTH], depth;

  ws->verdict = KVMMMU_STEP_OK;
  ws->zapped = FALSE;
  ws->path_checked = FALSE;
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
  ws->zapped = TRUE;
  if ((gint)s->i <= ow->last_i) {
    ws->verdict = KVMMMU_STEP_OUT_OF_ORDER;
    snprintf(ws->why, sizeof ws->why, "i=%u after i=%d: for_each_sp moves forward",
             s->i, ow->last_i);
    return;
  }
  if (!path_known(t, s->i))
    return;
  ws->path_checked = TRUE;
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
  walks->files = g_ptr_array_new_with_free_func(g_free);
  return walks;
}

static OpenWalk *
cpu_walk(const KvmmmuWalks *walks, guint32 cpu)
{
  if (cpu < walks->n_cpu_slots)
    return walks->cpu_slots[cpu];
  if (cpu >= CPU_SLOTS_MAX && walks->big_cpus)
    return g_hash_table_lookup(walks->big_cpus, GUINT_TO_POINTER(cpu));
  return NULL;
}

/* Make ow the walk taking cpu's steps; NULL: cpu has none. */
static void
set_cpu_walk(KvmmmuWalks *walks, guint32 cpu, OpenWalk *ow)
{
  if (cpu < CPU_SLOTS_MAX) {
    if (cpu >= walks->n_cpu_slots) {
      guint n = MAX(MAX(64u, 2 * walks->n_cpu_slots), cpu + 1);

      if (!ow)
        return;
      n = MIN(n, CPU_SLOTS_MAX);
      walks->cpu_slots = g_renew(OpenWalk *, walks->cpu_slots, n);
      memset(walks->cpu_slots + walks->n_cpu_slots, 0,
             (n - walks->n_cpu_slots) * sizeof *walks->cpu_slots);
      walks->n_cpu_slots = n;
    }
    walks->cpu_slots[cpu] = ow;
  } else if (ow) {
    if (!walks->big_cpus)
      walks->big_cpus = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(walks->big_cpus, GUINT_TO_POINTER(cpu), ow);
  } else if (walks->big_cpus) {
    g_hash_table_remove(walks->big_cpus, GUINT_TO_POINTER(cpu));
  }
}

/* The k-th open walk, oldest first. */
static OpenWalk *
ring_at(const KvmmmuWalks *walks, guint k)
{
  return walks->ring[(walks->ring_head + k) & (walks->ring_size - 1)];
}

/* Double the ring, keeping the open walks in order from slot 0. */
static void
ring_grow(KvmmmuWalks *walks)
{
  guint size = walks->ring_size ? 2 * walks->ring_size : 16;
  OpenWalk **ring = g_new0(OpenWalk *, size);

  for (guint k = 0; k < walks->ring_size; k++)
    ring[k] = ring_at(walks, k);
  g_free(walks->ring);
  walks->ring = ring;
  walks->ring_size = size;
  walks->ring_head = 0;
}

/* A cleared walk at the tail of the ring: the slot's old one if it has one. */
static OpenWalk *
ring_push(KvmmmuWalks *walks)
{
  OpenWalk **slot;
  OpenWalk *ow;

  if (walks->ring_len == walks->ring_size)
    ring_grow(walks);
  slot = &walks->ring[(walks->ring_head + walks->ring_len) & (walks->ring_size - 1)];
  if (!*slot) {
    *slot = g_new0(OpenWalk, 1);
    (*slot)->tree.steps = g_array_new(FALSE, FALSE, sizeof(KvmmmuWalkStep));
  }
  walks->ring_len++;

  ow = *slot;
  g_array_set_size(ow->tree.steps, 0);
  ow->tree.n_steps_bad = 0;
  ow->tree.n_leaves_unstepped = 0;
  ow->stepped = 0;
  ow->last_i = -1;
  ow->complete = FALSE;
  return ow;
}

/* Drop the oldest walk; its slot keeps the memory for a later one. */
static void
ring_pop(KvmmmuWalks *walks)
{
  walks->ring_head = (walks->ring_head + 1) & (walks->ring_size - 1);
  walks->ring_len--;
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
  while (walks->ring_len > 0) {
    OpenWalk *ow = ring_at(walks, 0);

    if (all || walks->ring_len > MAX_OPEN_WALKS)
      complete(ow);
    if (!ow->complete)
      return;
    ring_pop(walks);
    if (cpu_walk(walks, ow->tree.cpu) == ow)
      set_cpu_walk(walks, ow->tree.cpu, NULL);
    walks->func(&ow->tree, walks->user_data);
  }
}

static OpenWalk *
find_open(const KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  OpenWalk *ow = cpu_walk(walks, rec->cpu);

  if (ow && ow->tree.rec.walk == rec->u.Step.walk)
    return ow;
  for (guint k = 0; k < walks->ring_len; k++) {
    ow = ring_at(walks, k);
    if (!ow->complete && ow->tree.rec.walk == rec->u.Step.walk)
      return ow;
  }
  return NULL;
}

/* Our copy of name.  Compared by text: a later reader's name may be at
 * the address an earlier one's was freed from. */
static const char *
file_name(KvmmmuWalks *walks, const char *name)
{
  if (walks->file && strcmp(walks->file, name) == 0)
    return walks->file;
  walks->file = NULL;
  for (guint k = 0; k < walks->files->len && !walks->file; k++)
    if (strcmp(g_ptr_array_index(walks->files, k), name) == 0)
      walks->file = g_ptr_array_index(walks->files, k);
  if (!walks->file) {
    walks->file = g_strdup(name);
    g_ptr_array_add(walks->files, (char *)walks->file);
  }
  return walks->file;
}

static void
add_walk(KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  OpenWalk *ow = cpu_walk(walks, rec->cpu);

  if (ow)
    complete(ow); /* a CPU runs one walk at a time under mmu_lock */
  ow = ring_push(walks);
  ow->tree.rec = rec->u.Walk;
  ow->tree.ts_ns = rec->ts_ns;
  ow->tree.cpu = rec->cpu;
  ow->tree.capture = walks->capture;
  ow->tree.file = rec->file ? file_name(walks, rec->file) : NULL;
  ow->tree.line = rec->line;
  kvmmmu_walk_tree_build(&ow->tree);
  set_cpu_walk(walks, rec->cpu, ow);
  if (ow->tree.n_leaves == 0)
    complete(ow);
}

static void
add_step(KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  /* The reader let through only steps of a walk it has seen. */
  OpenWalk *ow = find_open(walks, rec);
  GArray *steps;
  KvmmmuWalkStep *ws;

  if (!ow)
    return;
  /* Checked in place at the end of the walk's reused array: no copy of
   * the step, and no allocation once the array has grown to a walk's. */
  steps = ow->tree.steps;
  g_array_set_size(steps, steps->len + 1);
  ws = &g_array_index(steps, KvmmmuWalkStep, steps->len - 1);
  ws->step = rec->u.Step;
  ws->ts_ns = rec->ts_ns;
  ws->line = rec->line;
  check_step(ow, ws);
  if (ws->verdict != KVMMMU_STEP_OK)
    ow->tree.n_steps_bad++;
  if (ws->zapped) {
    ow->stepped |= 1u << ws->step.i;
    ow->last_i = MAX(ow->last_i, (gint)ws->step.i);
  }
  if (steps->len >= ow->tree.n_leaves)
    complete(ow);
}

void
kvmmmu_walks_add(KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    flush(walks, TRUE);
    walks->capture++;
    return;
  case KVMMMU_RECORD_WALK:
    add_walk(walks, rec);
    break;
  case KVMMMU_RECORD_STEP:
    add_step(walks, rec);
    break;
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
  if (!walks)
    return;
  for (guint k = 0; k < walks->ring_size; k++)
    if (walks->ring[k]) {
      g_array_unref(walks->ring[k]->tree.steps);
      g_free(walks->ring[k]);
    }
  g_free(walks->ring);
  g_free(walks->cpu_slots);
  if (walks->big_cpus)
    g_hash_table_destroy(walks->big_cpus);
  g_ptr_array_unref(walks->files);
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

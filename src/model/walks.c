/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walks.c - walks as trees, checked against mmu_unsync_walk's rules. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "format/idtable.h"
#include "model/walks.h"

/* Open walks: one per CPU, a CPU's next walk ending its last, so at most
 * one per CPU a kernel can have (x86-64's largest NR_CPUS, as the reader
 * allows).  Past it, which only input that did not come through the reader
 * can reach, the oldest is ended early (kvmmmu_walks_ended_early). */
#define OPEN_WALKS_MAX 8192

/* Ended walks wait for the open ones before them, so that walks come out
 * in the order their records came in.  Past this many waiting, an open
 * walk at the head (its CPU gone quiet) lets them go first: it comes out
 * later, but whole. */
#define WAITING_WALKS_MAX 1024

/* CPUs numbered below this find their open walk in an array; a trace from
 * a larger (or corrupt) cpu number falls back to a hash table. */
#define CPU_SLOTS_MAX 8192

typedef struct {
  KvmmmuWalkTree tree;
  guint32 stepped;   /* bit i: a step zapped page i */
  gint last_i;       /* i of the last step that zapped a leaf, -1 before any */
  gboolean ended;    /* no step is taken any more; out once it heads the ring */
} OpenWalk;

/*
 * A trace holds millions of walks, a few open at once.  Walks live in a
 * ring in the order their records came, oldest at head; a slot keeps its
 * OpenWalk (and that walk's steps array) when the walk is handed out, and
 * the next walk to land there reuses both, so after the first few walks no
 * walk allocates memory.
 */
struct _KvmmmuWalks {
  KvmmmuWalkFunc func;
  gpointer user_data;

  OpenWalk **ring;      /* ring_size slots; NULL until first used */
  guint ring_size;      /* a power of two, or 0 */
  guint ring_head;      /* the oldest walk not handed out */
  guint ring_len;       /* walks not handed out, in walk-record order from head */
  guint n_open;         /* of them, those not ended */

  /* cpu -> its open walk (borrowed from the ring) */
  OpenWalk **cpu_slots; /* indexed by cpu below n_cpu_slots */
  guint n_cpu_slots;
  GHashTable *big_cpus; /* cpu >= CPU_SLOTS_MAX -> OpenWalk; NULL if none */

  /* open walks by id (open addressing), for a step logged on another CPU
   * than its walk's */
  KvmmmuIdTable by_id;  /* walk id -> OpenWalk */

  guint64 ended_early, steps_unplaced;

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
kvmmmu_walk_kind_name(KvmmmuWalkKind kind)
{
  return kind == KVMMMU_WALK_SYNC ? "sync" : "zap";
}

const char *
kvmmmu_walk_kind_done(KvmmmuWalkKind kind)
{
  return kind == KVMMMU_WALK_SYNC ? "synced" : "zapped";
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

/* ---- the ring ----------------------------------------------------------- */

/* The k-th walk not handed out, oldest first. */
static OpenWalk *
ring_at(const KvmmmuWalks *walks, guint k)
{
  return walks->ring[(walks->ring_head + k) & (walks->ring_size - 1)];
}

/* Double the ring, keeping the walks in order from slot 0. */
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
  ow->tree.n_steps_unkept = 0;
  ow->tree.first_unkept_line = 0;
  ow->tree.n_leaves_unstepped = 0;
  ow->stepped = 0;
  ow->last_i = -1;
  ow->ended = FALSE;
  return ow;
}

/* Drop the oldest walk; its slot keeps the memory for a later one. */
static void
ring_pop(KvmmmuWalks *walks)
{
  walks->ring_head = (walks->ring_head + 1) & (walks->ring_size - 1);
  walks->ring_len--;
}

/* The walk at the head goes to the tail, still open; the tail slot's spare
 * walk (if any) takes the head's slot for a later one. */
static void
ring_rotate(KvmmmuWalks *walks)
{
  guint mask = walks->ring_size - 1;
  guint tail = (walks->ring_head + walks->ring_len) & mask;
  OpenWalk *head = walks->ring[walks->ring_head];

  walks->ring[walks->ring_head] = walks->ring[tail];
  walks->ring[tail] = head;
  walks->ring_head = (walks->ring_head + 1) & mask;
}

/* No more steps for ow: count the leaves none zapped. */
static void
end_walk(KvmmmuWalks *walks, OpenWalk *ow)
{
  KvmmmuWalkTree *t = &ow->tree;

  if (ow->ended)
    return;
  ow->ended = TRUE;
  t->n_leaves_unstepped = 0;
  for (guint j = 1; j < t->rec.nr; j++)
    if (page_level(&t->rec, j) == 1 && !(ow->stepped & (1u << j)))
      t->n_leaves_unstepped++;
  if (cpu_walk(walks, t->cpu) == ow)
    set_cpu_walk(walks, t->cpu, NULL);
  kvmmmu_id_table_remove(&walks->by_id, ow->tree.rec.walk, ow);
  walks->n_open--;
}

/* Hand ended walks to the callback, oldest first. */
static void
flush(KvmmmuWalks *walks, gboolean all)
{
  while (walks->ring_len > 0) {
    OpenWalk *ow = ring_at(walks, 0);

    if (all)
      end_walk(walks, ow);
    if (ow->ended) {
      ring_pop(walks);
      walks->func(&ow->tree, walks->user_data);
    } else if (walks->ring_len - walks->n_open > WAITING_WALKS_MAX) {
      ring_rotate(walks);
    } else {
      return;
    }
  }
}

static OpenWalk *
find_open(const KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  OpenWalk *ow = cpu_walk(walks, rec->cpu);

  if (ow && ow->tree.rec.walk == rec->u.Step.walk)
    return ow;
  return kvmmmu_id_table_find(&walks->by_id, rec->u.Step.walk);
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
    end_walk(walks, ow); /* a CPU runs one walk at a time under mmu_lock */
  while (walks->n_open >= OPEN_WALKS_MAX) {
    /* the head is open: flush() hands out ended walks as they come */
    end_walk(walks, ring_at(walks, 0));
    walks->ended_early++;
    flush(walks, FALSE);
  }
  ow = ring_push(walks);
  ow->tree.rec = rec->u.Walk;
  ow->tree.ts_ns = rec->ts_ns;
  ow->tree.last_ts_ns = rec->ts_ns;
  ow->tree.cpu = rec->cpu;
  ow->tree.capture = walks->capture;
  ow->tree.file = rec->file ? file_name(walks, rec->file) : NULL;
  ow->tree.line = rec->line;
  kvmmmu_walk_tree_build(&ow->tree);
  kvmmmu_id_table_insert(&walks->by_id, ow->tree.rec.walk, ow);
  walks->n_open++;
  set_cpu_walk(walks, rec->cpu, ow);
}

static void
add_step(KvmmmuWalks *walks, const KvmmmuRecord *rec)
{
  OpenWalk *ow = find_open(walks, rec);
  KvmmmuWalkTree *t;
  GArray *steps;
  KvmmmuWalkStep *ws;

  if (!ow) {
    walks->steps_unplaced++; /* the reader let through only steps of open walks */
    return;
  }
  /* Checked in place at the end of the walk's reused array: no copy of
   * the step, and no allocation once the array has grown to a walk's. */
  t = &ow->tree;
  t->last_ts_ns = MAX(t->last_ts_ns, rec->ts_ns); /* kept or not */
  steps = t->steps;
  g_array_set_size(steps, steps->len + 1);
  ws = &g_array_index(steps, KvmmmuWalkStep, steps->len - 1);
  ws->step = rec->u.Step;
  ws->ts_ns = rec->ts_ns;
  ws->line = rec->line;
  check_step(ow, ws);
  if (ws->zapped) {
    ow->stepped |= 1u << ws->step.i;
    ow->last_i = MAX(ow->last_i, (gint)ws->step.i);
  }
  if (ws->verdict == KVMMMU_STEP_OK)
    return;
  /* Steps that pass are at most one per leaf; those that fail are kept up
   * to a bound, and past it only counted. */
  if (t->n_steps_bad - t->n_steps_unkept >= KVMMMU_WALK_BAD_STEPS_KEPT) {
    if (!t->n_steps_unkept)
      t->first_unkept_line = rec->line;
    t->n_steps_unkept++;
    g_array_set_size(steps, steps->len - 1);
  }
  t->n_steps_bad++;
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

guint64
kvmmmu_walks_ended_early(const KvmmmuWalks *walks)
{
  return walks->ended_early;
}

guint64
kvmmmu_walks_steps_unplaced(const KvmmmuWalks *walks)
{
  return walks->steps_unplaced;
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
  kvmmmu_id_table_clear(&walks->by_id);
  if (walks->big_cpus)
    g_hash_table_destroy(walks->big_cpus);
  g_ptr_array_unref(walks->files);
  g_free(walks);
}

guint
kvmmmu_walk_tree_n_steps(const KvmmmuWalkTree *t)
{
  return t->steps->len + t->n_steps_unkept;
}

guint64
kvmmmu_walk_tree_duration_ns(const KvmmmuWalkTree *t)
{
  return t->last_ts_ns > t->ts_ns ? t->last_ts_ns - t->ts_ns : 0;
}

void
kvmmmu_walk_tally_add(KvmmmuWalkTally *tally, const KvmmmuWalkTree *t)
{
  tally->walks++;
  if (!kvmmmu_walk_tree_ok(t))
    tally->walks_bad++;
  if (!t->dfs_ok)
    tally->not_depth_first++;
  tally->steps += kvmmmu_walk_tree_n_steps(t);
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

void
kvmmmu_walk_tallies_add(KvmmmuWalkTally tallies[KVMMMU_WALK_KINDS], const KvmmmuWalkTree *t)
{
  kvmmmu_walk_tally_add(&tallies[kvmmmu_walk_kind(t)], t);
}

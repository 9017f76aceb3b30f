/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walk trees: depth-first order and root-to-leaf paths. */
#include <string.h>

#include "model/roles.h"
#include "model/walks.h"
#include "model/zapmatch.h"
#include "render/render.h"
#include "walk-fixture.h"

static void
test_seed_shape(void)
{
  static const guint levels[] = { 4, 3, 2, 1, 1, 1, 3, 2, 1 };
  KvmmmuWalkTree t;
  guint path[KVMMMU_MAX_PATH_DEPTH];

  kvmmmu_test_make_walk(&t, 1, levels, G_N_ELEMENTS(levels));
  kvmmmu_walk_tree_build(&t);
  g_assert_true(t.dfs_ok);
  g_assert_cmpuint(t.n_leaves, ==, 4);
  g_assert_cmpint(t.parent_index[6], ==, 0);
  g_assert_cmpint(t.parent_index[8], ==, 7);
  /* leaf 8's parents, nearest first, as mmu_page_path holds them */
  g_assert_cmpuint(kvmmmu_walk_tree_path(&t, 8, path), ==, 3);
  g_assert_cmpuint(path[0], ==, 7);
  g_assert_cmpuint(path[1], ==, 6);
  g_assert_cmpuint(path[2], ==, 0);
  g_assert_cmpuint(kvmmmu_walk_tree_path(&t, 4, path), ==, 3);
  g_assert_cmpuint(path[0], ==, 2);
}

static void
expect_violation(const guint *levels, guint nr, const char *why)
{
  KvmmmuWalkTree t;

  kvmmmu_test_make_walk(&t, 1, levels, nr);
  kvmmmu_walk_tree_build(&t);
  g_assert_false(t.dfs_ok);
  if (!strstr(t.dfs_why, why))
    g_error("'%s' lacks '%s'", t.dfs_why, why);
}

static void
test_violations(void)
{
  static const guint skip_level[] = { 4, 3, 1 };       /* L1 right under L3 */
  static const guint leaf_root[] = { 1, 1 };           /* 4K parent */
  static const guint sibling_above[] = { 3, 2, 1, 3 }; /* L3 under an L3 root */

  expect_violation(skip_level, 3, "page [2]: level 1 after [1] level 3: not depth-first");
  expect_violation(leaf_root, 2, "page [0]: level 1, expected 2 to 5");
  expect_violation(sibling_above, 4, "page [3]: level 3 after [2] level 1");
}

static void
test_idx_order(void)
{
  static const guint levels[] = { 3, 2, 1, 1 };
  KvmmmuWalkTree t;

  kvmmmu_test_make_walk(&t, 1, levels, 4);
  t.rec.items[3].idx = 2; /* same idx as its sibling [2] */
  kvmmmu_walk_tree_build(&t);
  g_assert_false(t.dfs_ok);
  g_assert_nonnull(strstr(t.dfs_why, "page [3]: idx 2 not after its sibling's idx 2"));
}

/* ---- walks fed record by record ---------------------------------------- */

typedef struct {
  GArray *ids;         /* walk ids, in the order they came out */
  guint64 unzapped;    /* leaves not zapped, summed */
  guint64 steps;
} Out;

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  Out *out = data;

  g_array_append_val(out->ids, t->rec.walk);
  out->unzapped += t->n_leaves_unstepped;
  out->steps += kvmmmu_walk_tree_n_steps(t);
}

/* Walk id on cpu: a parent (page 0) and one leaf (page 1). */
static void
feed_walk(KvmmmuWalks *walks, guint32 cpu, guint64 id)
{
  static const guint levels[] = { 2, 1 };
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_WALK, .cpu = cpu, .ts_ns = id };
  KvmmmuWalkTree t;

  kvmmmu_test_make_walk(&t, id, levels, 2);
  rec.u.Walk = t.rec;
  kvmmmu_walks_add(walks, &rec);
}

/* The step that zaps leaf i (page i under page 0). */
static void
feed_leaf_step(KvmmmuWalks *walks, guint32 cpu, guint64 id, guint i)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_STEP, .cpu = cpu, .ts_ns = id };

  rec.u.Step.walk = id;
  rec.u.Step.i = i;
  rec.u.Step.sp = 0x100 + i;
  rec.u.Step.depth = 1;
  rec.u.Step.items[0].sp = 0x100;
  rec.u.Step.items[0].role = 0x3702;
  kvmmmu_walks_add(walks, &rec);
}

/* The step that zaps that leaf. */
static void
feed_step(KvmmmuWalks *walks, guint32 cpu, guint64 id)
{
  feed_leaf_step(walks, cpu, id, 1);
}

/* A walk takes steps until its CPU's next walk, however many CPUs have
 * one open meanwhile: steps that come late are its own. */
static void
test_many_cpus_late_steps(void)
{
  Out out = { g_array_new(FALSE, FALSE, sizeof(guint64)) };
  g_autoptr(KvmmmuWalks) walks = kvmmmu_walks_new(on_walk, &out);
  const guint n = 3000;

  for (guint c = 0; c < n; c++)
    feed_walk(walks, c, 1 + c);
  for (guint c = 0; c < n; c++)
    feed_step(walks, (c + 1) % 2 ? c : 5000, 1 + c); /* half of them on another CPU */
  kvmmmu_walks_finish(walks);
  g_assert_cmpuint(out.ids->len, ==, n);
  for (guint c = 0; c < n; c++)
    g_assert_cmpuint(g_array_index(out.ids, guint64, c), ==, 1 + c);
  g_assert_cmpuint(out.unzapped, ==, 0);
  g_assert_cmpuint(out.steps, ==, n);
  g_assert_cmpuint(kvmmmu_walks_ended_early(walks), ==, 0);
  g_assert_cmpuint(kvmmmu_walks_steps_unplaced(walks), ==, 0);
  g_array_unref(out.ids);
}

/* A CPU gone quiet with a walk open holds back only a bounded number of
 * ended walks; its own walk comes out later, whole. */
static void
test_quiet_cpu(void)
{
  Out out = { g_array_new(FALSE, FALSE, sizeof(guint64)) };
  g_autoptr(KvmmmuWalks) walks = kvmmmu_walks_new(on_walk, &out);
  const guint n = 5000;

  feed_walk(walks, 0, 1);
  for (guint k = 0; k < n; k++) {
    feed_walk(walks, 1, 2 + k);
    feed_step(walks, 1, 2 + k);
  }
  g_assert_cmpuint(out.ids->len, >=, n - 1100);
  feed_step(walks, 0, 1);
  kvmmmu_walks_finish(walks);
  g_assert_cmpuint(out.ids->len, ==, n + 1);
  g_assert_cmpuint(out.unzapped, ==, 0);
  g_assert_cmpuint(out.steps, ==, n + 1);
  /* the others in order around it */
  for (guint k = 0, last = 0; k < out.ids->len; k++) {
    guint64 id = g_array_index(out.ids, guint64, k);

    if (id != 1) {
      g_assert_cmpuint(id, >, last);
      last = id;
    }
  }
  g_array_unref(out.ids);
}

/* Without the reader in front, more CPUs than a kernel has: the oldest
 * open walk is ended early, and a step that comes for it later is counted. */
static void
test_open_walks_bounded(void)
{
  Out out = { g_array_new(FALSE, FALSE, sizeof(guint64)) };
  g_autoptr(KvmmmuWalks) walks = kvmmmu_walks_new(on_walk, &out);

  for (guint c = 0; c <= 8192; c++)
    feed_walk(walks, c, 1 + c);
  g_assert_cmpuint(kvmmmu_walks_ended_early(walks), ==, 1);
  g_assert_cmpuint(out.ids->len, ==, 1);
  feed_step(walks, 0, 1);
  g_assert_cmpuint(kvmmmu_walks_steps_unplaced(walks), ==, 1);
  kvmmmu_walks_finish(walks);
  g_assert_cmpuint(out.ids->len, ==, 8193);
  g_assert_cmpuint(out.unzapped, ==, 8193);
  g_array_unref(out.ids);
}

/* ---- sync walks (mmu_sync_children) -------------------------------- */

typedef struct {
  KvmmmuWalkTally tally[KVMMMU_WALK_KINDS];
  GString *violations;
  KvmmmuZapMatch match;
  KvmmmuKernelLayout layout;
} SyncOut;

static void
on_sync_walk(const KvmmmuWalkTree *t, gpointer data)
{
  SyncOut *out = data;

  kvmmmu_walk_tallies_add(out->tally, t);
  kvmmmu_render_walk_violations(out->violations, t);
  kvmmmu_zap_match_walk(&out->match, t, &out->layout);
}

/* Walk id on cpu 0 of the given kind: a parent and two leaves, the first
 * stepped, the second only when both. */
static void
feed_two_leaf_walk(KvmmmuWalks *walks, guint64 id, gboolean sync, gboolean both)
{
  static const guint levels[] = { 2, 1, 1 };
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_WALK, .ts_ns = id, .file = "t.trace", .line = id };
  KvmmmuWalkTree t;

  kvmmmu_test_make_walk(&t, id, levels, 3);
  rec.u.Walk = t.rec;
  rec.u.Walk.sync = sync;
  kvmmmu_walks_add(walks, &rec);
  for (guint i = 1; i <= (both ? 2u : 1u); i++)
    feed_leaf_step(walks, 0, id, i);
}

/* A sync walk's leaf without a step is never synced, counted apart from
 * the zap walks', and the words say so. */
static void
test_sync_never_synced(void)
{
  SyncOut out = { .violations = g_string_new("") };
  g_autoptr(KvmmmuWalks) walks = kvmmmu_walks_new(on_sync_walk, &out);
  g_autoptr(GHashTable) events = g_hash_table_new(g_direct_hash, g_direct_equal);

  g_assert_true(kvmmmu_layout_builtin("6.1.0", &out.layout));
  kvmmmu_zap_match_init(&out.match, events);
  feed_two_leaf_walk(walks, 1, TRUE, FALSE);
  feed_two_leaf_walk(walks, 2, FALSE, TRUE);
  kvmmmu_walks_finish(walks);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_SYNC].walks, ==, 1);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_SYNC].leaves, ==, 2);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_SYNC].leaves_unzapped, ==, 1);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_SYNC].walks_bad, ==, 1);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_ZAP].walks, ==, 1);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_ZAP].leaves_unzapped, ==, 0);
  g_assert_cmpstr(out.violations->str, ==,
                  "!! sync walk 1 (t.trace:1): 1 of 2 leaves were never synced by a step\n");
  kvmmmu_zap_match_clear(&out.match);
  g_string_free(out.violations, TRUE);
}

/* Matching against kvm_mmu_prepare_zap_page takes the zap walk's parent
 * and two leaves, and nothing of the sync walk: its steps zap nothing. */
static void
test_zapmatch_ignores_sync(void)
{
  SyncOut out = { .violations = g_string_new("") };
  g_autoptr(KvmmmuWalks) walks = kvmmmu_walks_new(on_sync_walk, &out);
  g_autoptr(GHashTable) events = g_hash_table_new(g_direct_hash, g_direct_equal);

  g_assert_true(kvmmmu_layout_builtin("6.1.0", &out.layout));
  kvmmmu_zap_match_init(&out.match, events);
  feed_two_leaf_walk(walks, 1, TRUE, TRUE);
  kvmmmu_walks_finish(walks);
  g_assert_cmpuint(out.match.pages, ==, 0);
  feed_two_leaf_walk(walks, 2, FALSE, TRUE);
  kvmmmu_walks_finish(walks);
  g_assert_cmpuint(out.match.pages, ==, 3);
  g_assert_cmpuint(out.match.unmatched, ==, 3);
  g_assert_cmpuint(out.tally[KVMMMU_WALK_SYNC].steps, ==, 2);
  g_assert_cmpstr(out.violations->str, ==, "");
  kvmmmu_zap_match_clear(&out.match);
  g_string_free(out.violations, TRUE);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/walks/seed-shape", test_seed_shape);
  g_test_add_func("/walks/violations", test_violations);
  g_test_add_func("/walks/idx-order", test_idx_order);
  g_test_add_func("/walks/many-cpus-late-steps", test_many_cpus_late_steps);
  g_test_add_func("/walks/quiet-cpu", test_quiet_cpu);
  g_test_add_func("/walks/open-walks-bounded", test_open_walks_bounded);
  g_test_add_func("/walks/sync-never-synced", test_sync_never_synced);
  g_test_add_func("/walks/zapmatch-ignores-sync", test_zapmatch_ignores_sync);
  return g_test_run();
}

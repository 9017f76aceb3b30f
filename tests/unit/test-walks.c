/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walk trees: depth-first order and root-to-leaf paths. */
#include <string.h>

#include "model/walks.h"
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

/* The step that zaps that leaf. */
static void
feed_step(KvmmmuWalks *walks, guint32 cpu, guint64 id)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_STEP, .cpu = cpu, .ts_ns = id };

  rec.u.Step.walk = id;
  rec.u.Step.i = 1;
  rec.u.Step.sp = 0x101;
  rec.u.Step.depth = 1;
  rec.u.Step.items[0].sp = 0x100;
  rec.u.Step.items[0].role = 0x3702;
  kvmmmu_walks_add(walks, &rec);
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
  return g_test_run();
}

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

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/walks/seed-shape", test_seed_shape);
  g_test_add_func("/walks/violations", test_violations);
  g_test_add_func("/walks/idx-order", test_idx_order);
  return g_test_run();
}

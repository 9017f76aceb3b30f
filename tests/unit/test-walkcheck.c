/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Walk ids and open walks: what the reader says of each walk and step. */
#include "reader/walkcheck.h"

typedef KvmmmuWalkCheckVerdict V;

static V
step(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk, guint32 i)
{
  guint32 nr = 0;

  return kvmmmu_walkcheck_step(wc, cpu, walk, i, &nr);
}

/* CPU 0's walks 2..70001, then an idle CPU's batch with walk 1: the format
 * lets ids go back between batches, so walk 1 is new and its step is its. */
static void
test_late_batch(void)
{
  KvmmmuWalkCheck wc;

  kvmmmu_walkcheck_init(&wc);
  for (guint64 id = 2; id <= 70001; id++) {
    g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 0, id, 2), ==, KVMMMU_WALKCHECK_OK);
    g_assert_cmpint(step(&wc, 0, id, 1), ==, KVMMMU_WALKCHECK_OK);
  }
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 3, 1, 2), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(step(&wc, 3, 1, 1), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 3, 1, 2), ==, KVMMMU_WALKCHECK_DUPLICATE);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 5, 35000, 2), ==, KVMMMU_WALKCHECK_DUPLICATE);
  g_assert_cmpint(step(&wc, 0, 35000, 1), ==, KVMMMU_WALKCHECK_ENDED);
  g_assert_cmpint(step(&wc, 0, 70002, 1), ==, KVMMMU_WALKCHECK_BEFORE);
  g_assert_cmpuint(kvmmmu_walkcheck_blurred_up_to(&wc), ==, 0);
  kvmmmu_walkcheck_clear(&wc);
}

/* Every other id lost, as lost walk records leave them: each id seen is
 * told apart from each lost one, in any order, up to the range limit. */
static void
test_sparse_exact(void)
{
  KvmmmuWalkCheck wc;
  g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint64));
  GRand *rand = g_rand_new_with_seed(18);
  const guint n = 20000;

  kvmmmu_walkcheck_init(&wc);
  /* ids 1..4n, half of them, in batches that go back and forth */
  for (guint64 id = 1; id <= 4 * n; id++)
    if (g_rand_boolean(rand))
      g_array_append_val(ids, id);
  for (guint k = 0; k + 1 < ids->len; k++) {
    guint j = k + g_rand_int_range(rand, 0, MIN(ids->len - k, 64));
    guint64 t = g_array_index(ids, guint64, k);

    g_array_index(ids, guint64, k) = g_array_index(ids, guint64, j);
    g_array_index(ids, guint64, j) = t;
  }
  for (guint k = 0; k < ids->len; k++) {
    guint64 *id = &g_array_index(ids, guint64, k);

    g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, k % 7, *id, 1), ==, KVMMMU_WALKCHECK_OK);
    g_hash_table_add(seen, id);
    if (k % 5 == 0) { /* an id seen or not, asked again */
      guint64 probe = g_rand_int_range(rand, 1, 4 * n + 1);

      if (g_hash_table_contains(seen, &probe))
        g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 9, probe, 1), ==, KVMMMU_WALKCHECK_DUPLICATE);
      else
        g_assert_cmpint(step(&wc, 9, probe, 0), ==, KVMMMU_WALKCHECK_BEFORE);
    }
  }
  for (guint64 id = 1; id <= 4 * n; id++)
    if (!g_hash_table_contains(seen, &id))
      g_assert_cmpint(step(&wc, 9, id, 0), ==, KVMMMU_WALKCHECK_BEFORE);
    else if (id % 3 == 0)
      g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 9, id, 1), ==, KVMMMU_WALKCHECK_DUPLICATE);
  g_assert_cmpuint(kvmmmu_walkcheck_blurred_up_to(&wc), ==, 0);
  g_rand_free(rand);
  kvmmmu_walkcheck_clear(&wc);
}

/* Past the range limit the lowest ids blur: a walk there is refused as
 * such (not as a repeat), ids below and above stay exact. */
static void
test_sparse_past_limit(void)
{
  KvmmmuWalkCheck wc;
  const guint64 n = KVMMMU_WALKCHECK_ID_RANGES_MAX + 10;

  kvmmmu_walkcheck_init(&wc);
  for (guint64 k = 1; k <= n; k++)
    g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 0, 2 * k + 10, 1), ==, KVMMMU_WALKCHECK_OK);
  /* ten joins: ids 13, 15, ..., 31 are blurred */
  g_assert_cmpuint(kvmmmu_walkcheck_blurred_up_to(&wc), ==, 31);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 13, 1), ==, KVMMMU_WALKCHECK_BLURRED);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 14, 1), ==, KVMMMU_WALKCHECK_BLURRED);
  g_assert_cmpint(step(&wc, 1, 31, 0), ==, KVMMMU_WALKCHECK_BLURRED);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 32, 1), ==, KVMMMU_WALKCHECK_DUPLICATE);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 33, 1), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 11, 1), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 2 * n + 9, 1), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 2 * n + 10, 1), ==, KVMMMU_WALKCHECK_DUPLICATE);
  /* a new capture: nothing seen, nothing blurred */
  kvmmmu_walkcheck_reset(&wc);
  g_assert_cmpuint(kvmmmu_walkcheck_blurred_up_to(&wc), ==, 0);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 1, 13, 1), ==, KVMMMU_WALKCHECK_OK);
  kvmmmu_walkcheck_clear(&wc);
}

/* One open walk per CPU; a step logged on another CPU finds its walk by
 * id; a CPU past the limit has its walk refused, and its steps go with it. */
static void
test_cpus(void)
{
  KvmmmuWalkCheck wc;
  const guint32 base = 1000; /* above the array: the hash table's CPUs */

  kvmmmu_walkcheck_init(&wc);
  for (guint32 c = 0; c < KVMMMU_WALK_CPUS_MAX; c++)
    g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, base + c, 1 + c, 3), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 7, 100000, 3), ==, KVMMMU_WALKCHECK_CPUS);
  g_assert_cmpint(step(&wc, 7, 100000, 1), ==, KVMMMU_WALKCHECK_OF_BAD_WALK);
  /* every walk open, each found from CPU 7 */
  for (guint32 c = 0; c < KVMMMU_WALK_CPUS_MAX; c++)
    g_assert_cmpint(step(&wc, 7, 1 + c, 2), ==, KVMMMU_WALKCHECK_OK);
  g_assert_cmpint(step(&wc, 7, 5, 3), ==, KVMMMU_WALKCHECK_INDEX);
  /* a CPU's next walk ends its last: found no more, from anywhere */
  for (guint32 c = 0; c < KVMMMU_WALK_CPUS_MAX; c += 2)
    g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, base + c, 200000 + c, 1), ==, KVMMMU_WALKCHECK_OK);
  for (guint32 c = 0; c < KVMMMU_WALK_CPUS_MAX; c++) {
    g_assert_cmpint(step(&wc, base + c, 1 + c, 0), ==,
                    c % 2 ? KVMMMU_WALKCHECK_OK : KVMMMU_WALKCHECK_ENDED);
    g_assert_cmpint(step(&wc, base + (c + 1) % 2, 1 + c, 0), ==,
                    c % 2 ? KVMMMU_WALKCHECK_OK : KVMMMU_WALKCHECK_ENDED);
    if (c % 2 == 0)
      g_assert_cmpint(step(&wc, 3, 200000 + c, 0), ==, KVMMMU_WALKCHECK_OK);
  }
  /* a CPU already known still takes walks */
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, base, 300000, 1), ==, KVMMMU_WALKCHECK_OK);
  kvmmmu_walkcheck_reset(&wc);
  g_assert_cmpint(kvmmmu_walkcheck_walk(&wc, 7, 100000, 3), ==, KVMMMU_WALKCHECK_OK);
  kvmmmu_walkcheck_clear(&wc);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/walkcheck/late-batch", test_late_batch);
  g_test_add_func("/walkcheck/sparse-exact", test_sparse_exact);
  g_test_add_func("/walkcheck/sparse-past-limit", test_sparse_past_limit);
  g_test_add_func("/walkcheck/cpus", test_cpus);
  return g_test_run();
}

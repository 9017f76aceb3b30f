/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/walktop.h"

typedef struct {
  KvmmmuWalkTree tree;  /* steps: our own copy */
  guint64 key;
  guint64 order;        /* offered order: ties go to the earlier walk */
} Kept;

struct _KvmmmuWalkTop {
  KvmmmuWalkOrder by;
  guint n;
  GArray *kept;         /* Kept, unsorted until asked */
  guint64 offered;
  gboolean sorted;
};

KvmmmuWalkTop *
kvmmmu_walk_top_new(const char *key, guint n)
{
  static const char *const names[] = {
    [KVMMMU_WALKS_BY_PAGES] = "pages", [KVMMMU_WALKS_BY_LEAVES] = "leaves",
    [KVMMMU_WALKS_BY_STEPS] = "steps", [KVMMMU_WALKS_BY_DURATION] = "duration",
  };
  KvmmmuWalkTop *top;

  if (!key || n == 0 || n > KVMMMU_WALKTOP_MAX)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (strcmp(names[i], key) == 0) {
      top = g_new0(KvmmmuWalkTop, 1);
      top->by = i;
      top->n = n;
      top->kept = g_array_new(FALSE, FALSE, sizeof(Kept));
      return top;
    }
  return NULL;
}

void
kvmmmu_walk_top_free(KvmmmuWalkTop *top)
{
  if (!top)
    return;
  for (guint i = 0; i < top->kept->len; i++)
    g_array_unref(g_array_index(top->kept, Kept, i).tree.steps);
  g_array_unref(top->kept);
  g_free(top);
}

guint64
kvmmmu_walk_top_key(const KvmmmuWalkTop *top, const KvmmmuWalkTree *t)
{
  switch (top->by) {
  case KVMMMU_WALKS_BY_PAGES: return t->rec.nr;
  case KVMMMU_WALKS_BY_LEAVES: return t->n_leaves;
  case KVMMMU_WALKS_BY_STEPS: return kvmmmu_walk_tree_n_steps(t);
  case KVMMMU_WALKS_BY_DURATION: return kvmmmu_walk_tree_duration_ns(t);
  }
  return 0;
}

/* a before b in the answer: larger key, then offered earlier */
static gint
cmp_kept(gconstpointer pa, gconstpointer pb)
{
  const Kept *a = pa, *b = pb;

  if (a->key != b->key)
    return a->key > b->key ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order ? 1 : 0;
}

static void
copy_into(Kept *k, const KvmmmuWalkTree *t, GArray *steps)
{
  k->tree = *t;
  g_array_set_size(steps, 0);
  g_array_append_vals(steps, t->steps->data, t->steps->len);
  k->tree.steps = steps;
}

/* The kept walks are a heap with the one to drop first (smallest key,
 * latest offered) at the root, until sorted for reading. */
static gboolean
drops_before(const Kept *a, const Kept *b)
{
  return cmp_kept(a, b) > 0;
}

static void
swap(GArray *a, guint i, guint j)
{
  Kept t = g_array_index(a, Kept, i);

  g_array_index(a, Kept, i) = g_array_index(a, Kept, j);
  g_array_index(a, Kept, j) = t;
}

static void
sift_up(GArray *a, guint i)
{
  while (i > 0 && drops_before(&g_array_index(a, Kept, i), &g_array_index(a, Kept, (i - 1) / 2))) {
    swap(a, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void
sift_down(GArray *a, guint i)
{
  for (;;) {
    guint l = 2 * i + 1, r = l + 1, m = i;

    if (l < a->len && drops_before(&g_array_index(a, Kept, l), &g_array_index(a, Kept, m)))
      m = l;
    if (r < a->len && drops_before(&g_array_index(a, Kept, r), &g_array_index(a, Kept, m)))
      m = r;
    if (m == i)
      return;
    swap(a, i, m);
    i = m;
  }
}

static void
make_heap(GArray *a)
{
  for (guint i = a->len / 2; i-- > 0;)
    sift_down(a, i);
}

void
kvmmmu_walk_top_offer(KvmmmuWalkTop *top, const KvmmmuWalkTree *t)
{
  Kept k = { .key = kvmmmu_walk_top_key(top, t), .order = top->offered++ };
  Kept *root;

  if (top->sorted) {
    make_heap(top->kept);
    top->sorted = FALSE;
  }
  if (top->kept->len < top->n) {
    copy_into(&k, t, g_array_new(FALSE, FALSE, sizeof(KvmmmuWalkStep)));
    g_array_append_val(top->kept, k);
    sift_up(top->kept, top->kept->len - 1);
    return;
  }
  root = &g_array_index(top->kept, Kept, 0);
  if (cmp_kept(&k, root) < 0) {
    GArray *steps = root->tree.steps;

    copy_into(&k, t, steps);
    *root = k;
    sift_down(top->kept, 0);
  }
}

guint
kvmmmu_walk_top_len(const KvmmmuWalkTop *top)
{
  return top->kept->len;
}

const KvmmmuWalkTree *
kvmmmu_walk_top_get(KvmmmuWalkTop *top, guint i)
{
  if (!top->sorted) {
    g_array_sort(top->kept, cmp_kept);
    top->sorted = TRUE;
  }
  g_return_val_if_fail(i < top->kept->len, NULL);
  return &g_array_index(top->kept, Kept, i).tree;
}

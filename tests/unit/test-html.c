/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTML page's choices: which walks are drawn in what order, root
 * timelines that keep every change, loads over time, whole-number count
 * axes.  Nothing here draws (fontconfig's caches, which cairo's text
 * fills, live to the end): the page itself is checked in run-tests.sh. */
#include <string.h>

#include "render/html-private.h"
#include "walk-fixture.h"

/* The fixture walk numbered id, with an empty step list, its tree built. */
static void
make_walk(KvmmmuWalkTree *t, guint64 id, const guint *levels, guint nr)
{
  kvmmmu_test_make_walk(t, id, levels, nr);
  t->steps = g_array_new(FALSE, FALSE, sizeof(KvmmmuWalkStep));
  kvmmmu_walk_tree_build(t);
}

static const guint small[] = { 2, 1, 1, 1 };       /* L2, 4 pages, 3 leaves */
static const guint deep[] = { 4, 3, 2, 1, 2, 1 };  /* L4, 6 pages, 2 leaves */

static void
offer(KvmmmuWalkPick *p, guint64 seq, const guint *levels, guint nr, gboolean want_kept,
      guint64 want_evicted)
{
  KvmmmuWalkTree t;
  guint64 evicted;

  make_walk(&t, seq, levels, nr);
  g_assert_cmpint(kvmmmu_walk_pick_offer(p, seq, &t, &evicted), ==, want_kept);
  g_assert_cmpuint(evicted, ==, want_evicted);
  g_array_unref(t.steps);
}

static void
assert_order(const KvmmmuWalkPick *p, const guint64 *want, guint n)
{
  g_autoptr(GArray) order = kvmmmu_walk_pick_order(p);
  g_autoptr(GString) got = g_string_new(""), exp = g_string_new("");

  for (guint i = 0; i < order->len; i++)
    g_string_append_printf(got, " %" G_GUINT64_FORMAT, g_array_index(order, guint64, i));
  for (guint i = 0; i < n; i++)
    g_string_append_printf(exp, " %" G_GUINT64_FORMAT, want[i]);
  g_assert_cmpstr(got->str, ==, exp->str);
}

/* Ten small walks, then two deep ones, five drawn: the deep shape, which
 * comes last, is drawn first, and its second walk too (the largest). */
static void
test_pick_shapes_first(void)
{
  g_autoptr(KvmmmuWalkPick) p = kvmmmu_walk_pick_new(5);
  static const guint64 want[] = { 11, 1, 12, 2, 3 };
  KvmmmuWalkShape s;
  guint64 walks;

  for (guint64 seq = 1; seq <= 10; seq++)
    offer(p, seq, small, G_N_ELEMENTS(small), seq <= 5, 0);
  offer(p, 11, deep, G_N_ELEMENTS(deep), TRUE, 5);
  offer(p, 12, deep, G_N_ELEMENTS(deep), TRUE, 4);
  assert_order(p, want, G_N_ELEMENTS(want));
  g_assert_cmpuint(kvmmmu_walk_pick_n_shapes(p), ==, 2);
  kvmmmu_walk_pick_shape(p, 1, &s, &walks);
  g_assert_cmpuint(s.level, ==, 4);
  g_assert_cmpuint(s.pages, ==, 6);
  g_assert_cmpuint(s.leaves, ==, 2);
  g_assert_cmpuint(walks, ==, 2);
}

/* A full 16-page array outranks repeats, not the first of a shape. */
static void
test_pick_full_array(void)
{
  g_autoptr(KvmmmuWalkPick) p = kvmmmu_walk_pick_new(3);
  guint full[KVMMMU_MAX_WALK_PAGES] = { 2 };
  static const guint64 want[] = { 1, 2, 4 };

  for (guint i = 1; i < G_N_ELEMENTS(full); i++)
    full[i] = 1;
  offer(p, 1, full, G_N_ELEMENTS(full), TRUE, 0);
  offer(p, 2, small, G_N_ELEMENTS(small), TRUE, 0);
  offer(p, 3, small, G_N_ELEMENTS(small), TRUE, 0);
  offer(p, 4, full, G_N_ELEMENTS(full), TRUE, 3);
  offer(p, 5, full, G_N_ELEMENTS(full), FALSE, 0);
  assert_order(p, want, G_N_ELEMENTS(want));
}

/* 300 changes among 3 roots over 10 s, all kept: one bar each, where it
 * happened, the last held to the vCPU's last record. */
static void
test_timeline_every_change(void)
{
  const guint64 origin = 5000000000ull, step = 33000000ull; /* 33 ms */
  g_autoptr(KvmmmuTimeline) tl = kvmmmu_timeline_new(1, 0, origin);
  g_autoptr(GArray) bars = NULL;
  guint per_lane[3] = { 0 };

  for (guint i = 0; i < 300; i++) {
    kvmmmu_timeline_load(tl, origin + i * step, 0x1000 * (i % 3 + 1));
    kvmmmu_timeline_load(tl, origin + i * step + 1000, 0x1000 * (i % 3 + 1)); /* a repeat */
  }
  kvmmmu_timeline_hold_until(tl, origin + 300 * step);
  g_assert_cmpuint(tl->changes, ==, 300);
  g_assert_cmpuint(kvmmmu_timeline_n_lanes(tl), ==, 3);
  g_assert_cmpuint(tl->bin_ns * KVMMMU_TIMELINE_BINS, >=, 300 * step);
  g_assert_cmpuint(tl->bin_ns, <, step);
  bars = kvmmmu_timeline_bars(tl);
  g_assert_cmpuint(bars->len, ==, 300);
  for (guint i = 0; i < bars->len; i++) {
    const KvmmmuTimelineBar *b = &g_array_index(bars, KvmmmuTimelineBar, i);
    guint k = b->lane + 3 * per_lane[b->lane]++; /* the change this bar starts at */

    g_assert_cmpuint(b->from_ns, <=, k * step);
    g_assert_cmpuint(b->from_ns + tl->bin_ns, >, k * step);
    g_assert_cmpuint(b->to_ns, >=, (k + 1) * step);
    g_assert_cmpint(b->returning, ==, per_lane[b->lane] > 1);
  }
}

/* A long capture: the bins widen, the memory does not. */
static void
test_timeline_long(void)
{
  g_autoptr(KvmmmuTimeline) tl = kvmmmu_timeline_new(1, 0, 0);
  g_autoptr(GArray) bars = NULL;

  kvmmmu_timeline_load(tl, 10, 0xa000);
  kvmmmu_timeline_load(tl, 3600ull * 1000000000ull, 0xb000);
  kvmmmu_timeline_hold_until(tl, 7200ull * 1000000000ull);
  bars = kvmmmu_timeline_bars(tl);
  g_assert_cmpuint(bars->len, ==, 2);
  g_assert_cmpuint(g_array_index(bars, KvmmmuTimelineBar, 1).lane, ==, 1);
  g_assert_cmpuint(g_array_index(bars, KvmmmuTimelineBar, 1).to_ns, >=, 7200ull * 1000000000ull);
}

static void
test_series(void)
{
  KvmmmuSeries s;

  kvmmmu_series_init(&s, 1000000000ull);
  for (guint64 i = 0; i < 2000; i++)
    kvmmmu_series_add(&s, i, i % 7);
  g_assert_cmpuint(s.group, ==, 4);
  g_assert_cmpuint(s.used, ==, 500);
  g_assert_cmpuint(s.counts[0], ==, 0 + 1 + 2 + 3);
  g_assert_cmpuint(s.total, ==, 5995); /* 285 weeks of 0..6, then 0..4 */
}

static void
test_axis_step(void)
{
  g_assert_cmpfloat(kvmmmu_html_axis_step(1, 4, TRUE), ==, 1);
  g_assert_cmpfloat(kvmmmu_html_axis_step(0, 4, TRUE), ==, 1);
  g_assert_cmpfloat(kvmmmu_html_axis_step(3, 4, TRUE), ==, 1);
  g_assert_cmpfloat(kvmmmu_html_axis_step(162, 4, TRUE), ==, 50);
  g_assert_cmpfloat(kvmmmu_html_axis_step(0.5, 5, FALSE), ==, 0.1);
}

/* A drawing made an element of the page: the root's size in CSS px, and
 * every id and reference to one prefixed, wherever it falls (in the root,
 * at the very end, cut off by the document's length). */
static void
test_svg_inline(void)
{
  static const char doc[] =
    "<?xml version=\"1.0\"?>\n<svg width=\"10pt\" height=\"5.2pt\" id=\"r\">"
    "<g id=\"a\"><use href=\"#a\"/><path fill=\"url(#b)\" d=\"M 0 0\"/></g>"
    "<text>id=\"no\" href=# url(# #x \"</text> id=\"url(#";
  g_autoptr(GString) out = g_string_new("");

  kvmmmu_svg_inline(out, doc, sizeof doc - 1, "c", "p-", 2.0);
  g_assert_cmpstr(out->str, ==,
                  "<svg class=\"c\" width=\"20\" height=\"11\" id=\"p-r\">"
                  "<g id=\"p-a\"><use href=\"#p-a\"/><path fill=\"url(#p-b)\" d=\"M 0 0\"/></g>"
                  "<text>id=\"no\" href=# url(#p- #x \"</text> id=\"p-url(#p-\n");
  /* the same cut before its last '#': no NUL after it is read */
  g_string_truncate(out, 0);
  kvmmmu_svg_inline(out, doc, sizeof doc - 2, "c", "p-", 1.0);
  g_assert_true(g_str_has_suffix(out->str, "</text> id=\"p-url(\n"));
}

static void
collect_tick(double at, const char *label, gpointer data)
{
  g_string_append_printf(data, "%s@%.3f ", label, at);
}

static char *
ticks(guint64 t0, guint64 t1, guint64 origin, int n)
{
  GString *s = g_string_new("");

  kvmmmu_html_time_ticks(t0, t1, origin, n, collect_tick, s);
  return g_string_free(s, FALSE);
}

/* Time axes at round steps of their labels: from the capture's start, or
 * on the records' clock (--abs-time), exact to the ns far from its zero. */
static void
test_time_ticks(void)
{
  /* the seed's vCPUs, +0.2 s to +10 s: a step of 2 s */
  g_autofree char *rel = ticks(1500000000200000000ull, 1500000010000000000ull,
                               1500000000000000000ull, 8);
  g_autofree char *abs = ticks(1500000000200000000ull, 1500000010000000000ull, 0, 8);
  /* 1 us at 1796448496.039144782 s: a step of 200 ns, below what a double
   * of that many seconds tells apart */
  g_autofree char *fine = ticks(1796448496039144782ull, 1796448496039145782ull, 0, 8);
  g_autofree char *zero = ticks(0, 1000000000ull, 0, 5);

  g_assert_cmpstr(rel, ==, "2s@0.184 4s@0.388 6s@0.592 8s@0.796 10s@1.000 ");
  g_assert_cmpstr(abs, ==, "1500000002s@0.184 1500000004s@0.388 1500000006s@0.592 "
                           "1500000008s@0.796 1500000010s@1.000 ");
  g_assert_cmpstr(fine, ==, "1796448496.0391448s@0.018 1796448496.039145s@0.218 "
                            "1796448496.0391452s@0.418 1796448496.0391454s@0.618 "
                            "1796448496.0391456s@0.818 ");
  g_assert_cmpstr(zero, ==, "0s@0.000 0.2s@0.200 0.4s@0.400 0.6s@0.600 0.8s@0.800 1s@1.000 ");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/html/pick/shapes-first", test_pick_shapes_first);
  g_test_add_func("/html/pick/full-array", test_pick_full_array);
  g_test_add_func("/html/timeline/every-change", test_timeline_every_change);
  g_test_add_func("/html/timeline/long", test_timeline_long);
  g_test_add_func("/html/series", test_series);
  g_test_add_func("/html/axis-step", test_axis_step);
  g_test_add_func("/html/svg-inline", test_svg_inline);
  g_test_add_func("/html/time-ticks", test_time_ticks);
  return g_test_run();
}

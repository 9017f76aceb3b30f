/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Histogram maths and SystemTap's layout. */
#include <string.h>

#include "model/hist.h"
#include "render/render.h"

static void
test_linear_buckets(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_linear(0, 100, 10, NULL);

  /* @hist_linear(v, 0, 100, 10): 11 value rows plus under and overflow. */
  g_assert_cmpuint(h->n_buckets, ==, 13);
  kvmmmu_hist_add(h, -1);  /* underflow */
  kvmmmu_hist_add(h, 0);   /* row 0 */
  kvmmmu_hist_add(h, 9);   /* row 0 */
  kvmmmu_hist_add(h, 10);  /* row 10 */
  kvmmmu_hist_add(h, 109); /* row 100 */
  kvmmmu_hist_add(h, 110); /* overflow */
  g_assert_cmpuint(h->buckets[0], ==, 1);
  g_assert_cmpuint(h->buckets[1], ==, 2);
  g_assert_cmpuint(h->buckets[2], ==, 1);
  g_assert_cmpuint(h->buckets[11], ==, 1);
  g_assert_cmpuint(h->buckets[12], ==, 1);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 0), ==, 0);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 11), ==, 100);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 12), ==, 100); /* printed as ">100" */
}

static void
test_linear_rejects(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null(kvmmmu_hist_new_linear(0, 100, 0, &error));
  g_assert_nonnull(strstr(error->message, "expected start < stop and step > 0"));
  g_clear_error(&error);
  g_assert_null(kvmmmu_hist_new_linear(0, 10000000, 1, &error));
  g_assert_nonnull(strstr(error->message, "buckets"));
}

static void
test_log_buckets(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();

  kvmmmu_hist_add(h, 0);
  kvmmmu_hist_add(h, 1);
  kvmmmu_hist_add(h, 2);
  kvmmmu_hist_add(h, 3);
  kvmmmu_hist_add(h, 1024);
  kvmmmu_hist_add(h, -5);
  g_assert_cmpuint(h->buckets[64], ==, 1);
  g_assert_cmpuint(h->buckets[65], ==, 1);
  g_assert_cmpuint(h->buckets[66], ==, 2);
  g_assert_cmpuint(h->buckets[64 + 11], ==, 1);
  g_assert_cmpuint(h->buckets[64 - 3], ==, 1);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 66), ==, 2);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 75), ==, 1024);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 61), ==, -4);
  kvmmmu_hist_add(h, G_MAXINT64);
  g_assert_cmpuint(h->buckets[127], ==, 1);
}

static void
test_stats(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();

  for (int v = 1; v <= 100; v++)
    kvmmmu_hist_add(h, v);
  g_assert_cmpuint(h->count, ==, 100);
  g_assert_cmpint(h->min, ==, 1);
  g_assert_cmpint(h->max, ==, 100);
  g_assert_cmpfloat_with_epsilon(kvmmmu_hist_mean(h), 50.5, 1e-9);
  /* nearest rank: p50 of 1..100 is 50, p90 is 90, p99 is 99 */
  g_assert_cmpint(kvmmmu_hist_percentile(h, 50), ==, 50);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 90), ==, 90);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 99), ==, 99);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 100), ==, 100);
}

static void
test_percentile_large(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();

  /* above 2048 the table keeps 1024 steps per power of two: 0.1 % */
  for (int i = 0; i < 1000; i++)
    kvmmmu_hist_add(h, 1000000 + i);
  gint64 p50 = kvmmmu_hist_percentile(h, 50);
  g_assert_cmpint(p50, >=, 1000499 - 1000);
  g_assert_cmpint(p50, <=, 1000499);
}

static void
check_layout(KvmmmuHist *h, const char *want)
{
  g_autoptr(GString) out = g_string_new("");

  kvmmmu_render_hist_stap(out, h);
  if (strcmp(out->str, want) != 0)
    g_error("layout differs:\n--- got\n%s--- want\n%s", out->str, want);
}

/* Layouts worked out by hand from SystemTap's rules (docs/record-format.md
 * has the seed's; these cover elision, underflow and log rows). */
static void
test_layout_elision(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_linear(0, 100, 10, NULL);

  for (int i = 0; i < 3; i++)
    kvmmmu_hist_add(h, 5);
  kvmmmu_hist_add(h, 95);
  kvmmmu_hist_add(h, -3);
  check_layout(h,
               "value |-------------------------------------------------- count\n"
               "   <0 |@                                                  1\n"
               "    0 |@@@                                                3\n"
               "   10 |                                                   0\n"
               "   20 |                                                   0\n"
               "      ~\n"
               "   70 |                                                   0\n"
               "   80 |                                                   0\n"
               "   90 |@                                                  1\n"
               "  100 |                                                   0\n"
               "\n");
}

static void
test_layout_scale_log(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();

  /* 120 values in [8,16): scale = ceil(120/50) = 3, 40 '@' */
  for (int i = 0; i < 120; i++)
    kvmmmu_hist_add(h, 8);
  kvmmmu_hist_add(h, 1);
  check_layout(h,
               "value |-------------------------------------------------- count\n"
               "    0 |                                                     0\n"
               "    1 |                                                     1\n"
               "    2 |                                                     0\n"
               "    4 |                                                     0\n"
               "    8 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@           120\n"
               "   16 |                                                     0\n"
               "   32 |                                                     0\n"
               "\n");
}

static void
test_rate(void)
{
  g_autoptr(KvmmmuRate) r = kvmmmu_rate_new(1000, 100);

  kvmmmu_rate_add(r, 999, 1);  /* before the capture */
  kvmmmu_rate_add(r, 1000, 1);
  kvmmmu_rate_add(r, 1099, 1);
  kvmmmu_rate_add(r, 1250, 1);
  g_assert_cmpuint(r->before_origin, ==, 1);
  g_assert_cmpuint(r->counts->len, ==, 3);
  g_assert_cmpuint(g_array_index(r->counts, guint64, 0), ==, 2);
  g_assert_cmpuint(g_array_index(r->counts, guint64, 1), ==, 0);
  g_assert_cmpuint(g_array_index(r->counts, guint64, 2), ==, 1);
  g_assert_cmpuint(kvmmmu_rate_complete(r, 1299), ==, 2);
  g_assert_cmpuint(kvmmmu_rate_complete(r, 1300), ==, 3);
}

typedef struct {
  GString *folds;     /* as handed on: "COUNTxN " */
  GString *intervals; /* one count per interval */
} FoldLog;

static void
record_fold(guint64 count, guint64 n, gpointer data)
{
  FoldLog *log = data;

  g_string_append_printf(log->folds, "%" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT " ", count, n);
  for (guint64 i = 0; i < n; i++)
    g_string_append_printf(log->intervals, "%" G_GUINT64_FORMAT " ", count);
}

/* A windowed rate folds old intervals in order, a run of equal counts at
 * once (6-8 and 27-29 here, and the empty ones past those kept: 4-5,
 * 11-26, 32-33), and hands on the same intervals as one that keeps them
 * all. */
static void
test_rate_window(void)
{
  static const guint64 idx[] = { 0, 1, 1, 3, 9, 9, 10, 30, 31, 31, 31 };
  FoldLog w_log = { g_string_new(""), g_string_new("") };
  FoldLog a_log = { g_string_new(""), g_string_new("") };
  g_autoptr(KvmmmuRate) w = kvmmmu_rate_new(0, 1);
  g_autoptr(KvmmmuRate) a = kvmmmu_rate_new(0, 1);

  kvmmmu_rate_set_window(w, 4, record_fold, &w_log);
  kvmmmu_rate_set_window(a, 0, record_fold, &a_log);
  for (guint i = 0; i < G_N_ELEMENTS(idx); i++) {
    kvmmmu_rate_add_at(w, idx[i], 1);
    kvmmmu_rate_add_at(a, idx[i], 1);
  }
  /* 9 is two windows past 0: up to 5 went; 30 is two past 6: up to 26 */
  g_assert_cmpuint(w->base, ==, 27);
  g_assert_cmpuint(w->counts->len, ==, 5);
  g_assert_cmpuint(a->counts->len, ==, 32);
  kvmmmu_rate_add_at(w, 20, 1); /* older than the window: late */
  g_assert_cmpuint(w->late, ==, 1);
  kvmmmu_rate_fold_until(w, 34);
  kvmmmu_rate_fold_until(a, 34);
  g_assert_cmpstr(w_log.folds->str, ==,
                  "1x1 2x1 0x1 1x1 0x2 0x3 2x1 1x1 0x16 0x3 1x1 3x1 0x2 ");
  g_assert_cmpstr(w_log.intervals->str, ==, a_log.intervals->str);
  g_assert_cmpuint(w->events, ==, G_N_ELEMENTS(idx));
  g_assert_cmpuint(a->late, ==, 0);
  for (FoldLog *l = &w_log; l; l = l == &w_log ? &a_log : NULL) {
    g_string_free(l->folds, TRUE);
    g_string_free(l->intervals, TRUE);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/hist/linear-buckets", test_linear_buckets);
  g_test_add_func("/hist/rate-window", test_rate_window);
  g_test_add_func("/hist/linear-rejects", test_linear_rejects);
  g_test_add_func("/hist/log-buckets", test_log_buckets);
  g_test_add_func("/hist/stats", test_stats);
  g_test_add_func("/hist/percentile-large", test_percentile_large);
  g_test_add_func("/hist/layout-elision", test_layout_elision);
  g_test_add_func("/hist/layout-scale-log", test_layout_scale_log);
  g_test_add_func("/hist/rate", test_rate);
  return g_test_run();
}

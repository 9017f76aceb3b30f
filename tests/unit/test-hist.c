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

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/hist/linear-buckets", test_linear_buckets);
  g_test_add_func("/hist/linear-rejects", test_linear_rejects);
  g_test_add_func("/hist/log-buckets", test_log_buckets);
  g_test_add_func("/hist/stats", test_stats);
  g_test_add_func("/hist/percentile-large", test_percentile_large);
  g_test_add_func("/hist/layout-elision", test_layout_elision);
  g_test_add_func("/hist/layout-scale-log", test_layout_scale_log);
  g_test_add_func("/hist/rate", test_rate);
  return g_test_run();
}

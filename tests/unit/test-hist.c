/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Histogram maths and SystemTap's layout. */
#include <math.h>
#include <string.h>

#include "model/evhist.h"
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

static char *json_text(KvmmmuJson *node);

/* A range wider than G_MAXINT64 (stop - start is up to 2^64 - 1): no
 * signed overflow on the way, and a bucket count past the limit refused
 * as such, not wrapped into a histogram of one nonsense row. */
static void
test_linear_wide(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmmmuHist) quarters = NULL;
  g_autoptr(KvmmmuHist) top = NULL;
  g_autoptr(GString) text = g_string_new("");

  g_assert_null(kvmmmu_hist_new_linear(G_MININT64, G_MAXINT64, 1, &error));
  g_assert_nonnull(strstr(error->message, "(stop - start) / step = 18446744073709551615: "
                                          "expected at most 100000 buckets"));
  /* quarters of the whole line: rows -2^63, -2^62, 0, 2^62, and > 2^62 */
  quarters = kvmmmu_hist_new_linear(G_MININT64, G_MAXINT64, G_GINT64_CONSTANT(1) << 62, NULL);
  g_assert_nonnull(quarters);
  g_assert_cmpuint(quarters->n_buckets, ==, 6);
  g_assert_cmpint(kvmmmu_hist_bucket_value(quarters, 1), ==, G_MININT64);
  g_assert_cmpint(kvmmmu_hist_bucket_value(quarters, 3), ==, 0);
  g_assert_cmpint(kvmmmu_hist_bucket_value(quarters, 4), ==, G_GINT64_CONSTANT(1) << 62);
  g_assert_cmpint(kvmmmu_hist_bucket_value(quarters, 5), ==, G_GINT64_CONSTANT(1) << 62);
  kvmmmu_hist_add(quarters, G_MININT64);
  kvmmmu_hist_add(quarters, G_MAXINT64);
  kvmmmu_hist_add(quarters, 5);
  g_assert_cmpuint(quarters->buckets[1], ==, 1);
  g_assert_cmpuint(quarters->buckets[3], ==, 1);
  g_assert_cmpuint(quarters->buckets[4], ==, 1);
  kvmmmu_render_hist_stap(text, quarters);
  g_assert_nonnull(strstr(text->str, "-9223372036854775808 |@"));
  g_assert_nonnull(strstr(text->str, "\n 4611686018427387904 |@"));
  /* a last row that ends past G_MAXINT64 */
  top = kvmmmu_hist_new_linear(G_MAXINT64 - 5, G_MAXINT64, 10, NULL);
  g_assert_cmpuint(top->n_buckets, ==, 3);
  kvmmmu_hist_add(top, G_MAXINT64);
  g_assert_cmpuint(top->buckets[1], ==, 1);
  g_string_truncate(text, 0);
  kvmmmu_render_hist_stap(text, top);
  g_assert_nonnull(strstr(text->str, "9223372036854775802 |@"));
}

/* u64 values past G_MAXINT64 are no value of a SystemTap histogram: they
 * are counted apart and said, not clamped to another value nor wrapped
 * to a negative one. */
static void
test_too_large(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();
  g_autoptr(KvmmmuRate) r = kvmmmu_rate_new(0, 1);
  g_autoptr(GString) text = g_string_new("");
  g_autofree char *json = NULL;
  KvmmmuHistStats st;

  kvmmmu_hist_add_u64(h, G_MAXUINT64, 1);
  kvmmmu_hist_add_u64(h, (guint64)G_MAXINT64 + 1, 2);
  kvmmmu_hist_add_u64(h, (guint64)G_MAXINT64, 1);
  kvmmmu_hist_add_u64(h, 450, 1);
  kvmmmu_hist_stats(h, &st);
  g_assert_cmpuint(st.count, ==, 2);
  g_assert_cmpuint(st.too_large, ==, 3);
  g_assert_cmpint(st.min, ==, 450);
  g_assert_cmpint(st.max, ==, G_MAXINT64);
  g_assert_cmpuint(h->buckets[0], ==, 0); /* none wrapped negative */
  g_assert_cmpuint(h->buckets[127], ==, 1);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 127), ==, G_GINT64_CONSTANT(1) << 62);
  g_assert_cmpint(kvmmmu_hist_bucket_value(h, 0), ==, G_MININT64);
  kvmmmu_render_hist_stats(text, h);
  g_assert_nonnull(strstr(text->str, "\nnote: 3 values above 9223372036854775807 (2^63 - 1, "
                                     "the largest of SystemTap's signed 64-bit histograms) are "
                                     "left out of the histogram and its statistics\n"));
  g_string_truncate(text, 0);
  kvmmmu_render_hist_csv(text, h);
  g_assert_true(g_str_has_suffix(text->str, ",0,3\n"));
  json = json_text(kvmmmu_render_hist_json(h, "x", "ns"));
  g_assert_nonnull(strstr(json, "\"values_above_int64_max\":3,"));
  /* the kernel's counts summed per interval saturate, and so stay too large */
  kvmmmu_rate_add_at(r, 0, G_GUINT64_CONSTANT(1) << 63);
  kvmmmu_rate_add_at(r, 0, G_GUINT64_CONSTANT(1) << 63);
  g_assert_cmpuint(g_array_index(r->counts, guint64, 0), ==, G_MAXUINT64);
  g_assert_cmpuint(r->events, ==, G_MAXUINT64);
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

/* The old log-linear table answered 71744 here (its sub-bucket's bound):
 * the middle of these three kvm_mmu_load durations is 71800. */
static void
test_percentile_exact_issue(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();
  g_autoptr(KvmmmuHist) spread = kvmmmu_hist_new_log();
  static const gint64 decades[] = { 1, 10, 100, 1000, 10000, 20000, 30000, 50000, 70000,
                                    1000000000 };

  kvmmmu_hist_add(h, 4561200);
  kvmmmu_hist_add(h, 71800);
  kvmmmu_hist_add(h, 17870);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 50), ==, 71800);
  g_assert_false(h->approximate);
  /* values spread over decades: p90 is the 9th of 10, 70000 (was 69952) */
  for (guint i = 0; i < G_N_ELEMENTS(decades); i++)
    kvmmmu_hist_add(spread, decades[i]);
  g_assert_cmpint(kvmmmu_hist_percentile(spread, 90), ==, 70000);
  g_assert_cmpint(kvmmmu_hist_percentile(spread, 99), ==, 1000000000);
  g_assert_cmpint(kvmmmu_hist_percentile(spread, 50), ==, 10000);
}

/* Ranks at the edges: p = 0 and 100, one value, ties, and p/100 * count
 * that doubles put just above an integer (0.9 * 10, 0.07 * 100). */
static void
test_percentile_ranks(void)
{
  g_autoptr(KvmmmuHist) one = kvmmmu_hist_new_log();
  g_autoptr(KvmmmuHist) ties = kvmmmu_hist_new_log();
  g_autoptr(KvmmmuHist) ten = kvmmmu_hist_new_log();
  g_autoptr(KvmmmuHist) hundred = kvmmmu_hist_new_linear(0, 100, 10, NULL);
  g_autoptr(KvmmmuHist) empty = kvmmmu_hist_new_log();

  kvmmmu_hist_add(one, 123457);
  g_assert_cmpint(kvmmmu_hist_percentile(one, 0), ==, 123457);
  g_assert_cmpint(kvmmmu_hist_percentile(one, 50), ==, 123457);
  g_assert_cmpint(kvmmmu_hist_percentile(one, 100), ==, 123457);

  kvmmmu_hist_add_n(ties, 5, 3);
  kvmmmu_hist_add(ties, 9);
  g_assert_cmpint(kvmmmu_hist_percentile(ties, 50), ==, 5); /* rank 2 */
  g_assert_cmpint(kvmmmu_hist_percentile(ties, 75), ==, 5); /* rank 3 */
  g_assert_cmpint(kvmmmu_hist_percentile(ties, 75.001), ==, 9); /* rank 4 */
  g_assert_cmpint(kvmmmu_hist_percentile(ties, 100), ==, 9);
  g_assert_cmpint(kvmmmu_hist_percentile(ties, 0), ==, 5);

  for (int v = 1; v <= 10; v++)
    kvmmmu_hist_add(ten, v * 1000003);
  g_assert_cmpint(kvmmmu_hist_percentile(ten, 90), ==, 9 * 1000003);
  g_assert_cmpint(kvmmmu_hist_percentile(ten, 91), ==, 10 * 1000003);
  for (int v = 1; v <= 100; v++)
    kvmmmu_hist_add(hundred, v);
  g_assert_cmpint(kvmmmu_hist_percentile(hundred, 7), ==, 7);
  g_assert_cmpint(kvmmmu_hist_percentile(hundred, 29), ==, 29);
  g_assert_cmpint(kvmmmu_hist_percentile(hundred, 57), ==, 57);

  g_assert_cmpint(kvmmmu_hist_percentile(empty, 50), ==, 0);
}

static void
test_percentile_negative(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();
  static const gint64 v[] = { 2, -3, 0, -5, -3 };

  for (guint i = 0; i < G_N_ELEMENTS(v); i++)
    kvmmmu_hist_add(h, v[i]);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 20), ==, -5);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 40), ==, -3);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 60), ==, -3);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 80), ==, 0);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 100), ==, 2);
  /* the extremes of gint64 are values like any other */
  kvmmmu_hist_add_n(h, G_MININT64, 10);
  kvmmmu_hist_add(h, G_MAXINT64);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 50), ==, G_MININT64); /* rank 8 of 16 */
  g_assert_cmpint(kvmmmu_hist_percentile(h, 75), ==, -3);         /* rank 12 */
  g_assert_cmpint(kvmmmu_hist_percentile(h, 100), ==, G_MAXINT64);
}

/* Runs of empty intervals come as one add_n with a huge n: the count, not
 * the time taken, grows with it. */
static void
test_percentile_add_n(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();
  KvmmmuHistStats st;

  kvmmmu_hist_add_n(h, 0, G_GUINT64_CONSTANT(1) << 62);
  kvmmmu_hist_add_n(h, 7, G_GUINT64_CONSTANT(1) << 62);
  kvmmmu_hist_add(h, 9);
  kvmmmu_hist_stats(h, &st);
  g_assert_cmpuint(st.count, ==, (G_GUINT64_CONSTANT(1) << 63) + 1);
  /* 2^62 zeros: rank 2^62 + 1 (p50 of 2^63 + 1 values) is the first 7 */
  g_assert_cmpint(st.p50, ==, 7);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 49.999), ==, 0);
  g_assert_cmpint(st.p90, ==, 7);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 100), ==, 9);
  g_assert_cmpuint(h->exact_used, ==, 3);
}

static int
cmp_i64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

/* The table against sorting every value: many distinct values (the table
 * doubles a dozen times), negatives, repeats. */
static void
test_percentile_reference(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();
  g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(gint64));
  static const double ps[] = { 0, 1, 10, 25, 50, 75, 90, 99, 99.9, 100 };
  gint64 got[G_N_ELEMENTS(ps)];
  GRand *rand = g_rand_new_with_seed(17);

  for (guint i = 0; i < 200000; i++) {
    gint64 v = (gint64)g_rand_int_range(rand, -50000, 150000) * g_rand_int_range(rand, 1, 1000);
    guint n = g_rand_int_range(rand, 1, 4);

    kvmmmu_hist_add_n(h, v, n);
    for (guint k = 0; k < n; k++)
      g_array_append_val(all, v);
  }
  g_rand_free(rand);
  g_array_sort(all, cmp_i64);
  kvmmmu_hist_percentiles(h, ps, got, G_N_ELEMENTS(ps));
  for (guint i = 0; i < G_N_ELEMENTS(ps); i++) {
    guint64 rank = (guint64)ceil(ps[i] / 100 * all->len - 1e-9);

    rank = MAX(rank, 1);
    g_assert_cmpint(got[i], ==, g_array_index(all, gint64, rank - 1));
  }
  g_assert_false(h->approximate);
  g_assert_cmpuint(h->exact_slots, <=, 2 * KVMMMU_HIST_EXACT_MAX);
}

static char *
json_text(KvmmmuJson *node)
{
  char *text = kvmmmu_render_json_to_string(node, FALSE);

  kvmmmu_json_free(node);
  return text;
}

/* Past the limit of distinct values every output says the percentiles are
 * approximate, and by how much they can be off. */
static void
test_percentile_overflow(void)
{
  g_autoptr(KvmmmuHist) h = kvmmmu_hist_new_log();
  g_autoptr(KvmmmuHist) neg = kvmmmu_hist_new_log();
  g_autoptr(GString) text = g_string_new("");
  g_autofree char *json = NULL;

  kvmmmu_hist_set_exact_limit(h, 2);
  kvmmmu_hist_add(h, 4561200);
  kvmmmu_hist_add_n(h, 71800, 2);
  kvmmmu_hist_add_n(h, 4561200, 5); /* known: still exact */
  g_assert_false(h->approximate);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 25), ==, 71800);
  kvmmmu_hist_add(h, 17870);          /* a third distinct value */
  kvmmmu_hist_add_n(h, 71800, 3);
  g_assert_true(h->approximate);
  g_assert_null(h->exact);
  g_assert_cmpuint(h->overflow, ==, 4);
  g_assert_cmpuint(h->count, ==, 12);
  /* 17870, 71800 x5, 4561200 x6: rank 6 is 71800, to 1/1024 below */
  g_assert_cmpint(kvmmmu_hist_percentile(h, 50), ==, 71744);
  g_assert_cmpint(kvmmmu_hist_percentile(h, 1), ==, 17870);   /* not below min */
  g_assert_cmpint(kvmmmu_hist_percentile(h, 100), ==, 4558848);
  g_assert_cmpint(4561200 - 4558848, <, 4561200 / 1024);

  kvmmmu_render_hist_stats(text, h);
  g_assert_cmpstr(text->str, ==,
                  "count=12 min=17870 max=4561200 mean=2312005.83 p50~71744 p90~4558848 "
                  "p99~4558848\nnote: p50, p90 and p99 are approximate (~): more than 2 "
                  "distinct values: the 4 values after the limit were counted to within "
                  "1/1024, so percentiles are rounded toward zero by up to that\n");
  g_string_truncate(text, 0);
  kvmmmu_render_hist_csv(text, h);
  g_assert_true(g_str_has_suffix(text->str, "\ncount,min,max,mean,p50,p90,p99,"
                                 "percentiles_approximate,values_above_int64_max\n"
                                 "12,17870,4561200,2312005.83,71744,4558848,4558848,1,0\n"));
  json = json_text(kvmmmu_render_hist_json(h, "x", "ns"));
  g_assert_nonnull(strstr(json, "\"percentiles_approximate\":true,"
                                "\"percentiles_approximate_why\":\"more than 2 distinct"));
  g_assert_nonnull(strstr(json, "\"values_past_distinct_limit\":4,"));

  /* negative values round toward zero too, within [min, max] */
  kvmmmu_hist_set_exact_limit(neg, 1);
  kvmmmu_hist_add(neg, -71800);
  kvmmmu_hist_add(neg, -4561200);
  g_assert_true(neg->approximate);
  g_assert_cmpint(kvmmmu_hist_percentile(neg, 50), ==, -4558848);
  g_assert_cmpint(kvmmmu_hist_percentile(neg, 100), ==, -71800);
  kvmmmu_hist_add(neg, G_MININT64);
  g_assert_cmpint(kvmmmu_hist_percentile(neg, 1), ==, G_MININT64);
}

/* Machine output: buckets are numbers, statistics null when empty, and the
 * CSV's statistics table after a blank line. */
static void
test_render_machine(void)
{
  g_autoptr(KvmmmuHist) lin = kvmmmu_hist_new_linear(0, 100, 10, NULL);
  g_autoptr(KvmmmuHist) empty = kvmmmu_hist_new_log();
  g_autoptr(GString) csv = g_string_new("");
  g_autofree char *json = NULL, *json_empty = NULL;

  kvmmmu_hist_add(lin, -3);
  kvmmmu_hist_add_n(lin, 5, 3);
  kvmmmu_hist_add(lin, 95);
  kvmmmu_hist_add(lin, 400);
  json = json_text(kvmmmu_render_hist_json(lin, "x", "per 1 s"));
  g_assert_cmpstr(json, ==,
                  "{\"values\":\"x\",\"unit\":\"per 1 s\",\"type\":\"linear\",\"start\":0,"
                  "\"stop\":100,\"step\":10,\"count\":6,\"min\":-3,\"max\":400,"
                  "\"mean\":84.5,\"p50\":5,\"p90\":400,\"p99\":400,"
                  "\"percentiles_approximate\":false,\"percentiles_approximate_why\":null,"
                  "\"values_past_distinct_limit\":0,\"values_above_int64_max\":0,"
                  "\"underflow\":1,\"overflow\":1,"
                  "\"buckets\":[{\"bucket\":0,\"count\":3},{\"bucket\":90,\"count\":1}]}");
  json_empty = json_text(kvmmmu_render_hist_json(empty, "x", "ns"));
  g_assert_cmpstr(json_empty, ==,
                  "{\"values\":\"x\",\"unit\":\"ns\",\"type\":\"log\",\"count\":0,\"min\":null,"
                  "\"max\":null,\"mean\":null,\"p50\":null,\"p90\":null,\"p99\":null,"
                  "\"percentiles_approximate\":false,\"percentiles_approximate_why\":null,"
                  "\"values_past_distinct_limit\":0,\"values_above_int64_max\":0,"
                  "\"buckets\":[]}");
  kvmmmu_render_hist_csv(csv, lin);
  g_assert_cmpstr(csv->str, ==,
                  "bucket,count\n<0,1\n0,3\n90,1\n>100,1\n\n"
                  "count,min,max,mean,p50,p90,p99,percentiles_approximate,"
                  "values_above_int64_max\n"
                  "6,-3,400,84.50,5,400,400,0,0\n");
  g_string_truncate(csv, 0);
  kvmmmu_render_hist_csv(csv, empty);
  g_assert_cmpstr(csv->str, ==, "bucket,count\n\n"
                  "count,min,max,mean,p50,p90,p99,percentiles_approximate,"
                  "values_above_int64_max\n0,,,,,,,0,0\n");
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

static void
feed(KvmmmuEventHist *eh, KvmmmuRecordKind kind, guint64 ts_ns)
{
  KvmmmuRecord rec = { .kind = kind, .ts_ns = ts_ns };

  if (kind == KVMMMU_RECORD_HEADER)
    rec.u.header.start_ns = ts_ns;
  kvmmmu_event_hist_add(eh, &rec);
}

/* The per-interval series of a rate: runs of equal counts with their start
 * from the capture's start, one entry per capture, and the runs past the
 * limit counted as intervals left out. */
static void
test_series(void)
{
  static const guint64 at[] = { 5, 7, 250, 999, 1000, 1001, 4500, 5200, 5300 }; /* ms */
  g_autoptr(KvmmmuEventHist) eh = kvmmmu_event_hist_new(kvmmmu_hist_new_log(),
                                                        KVMMMU_RECORD_LOAD, FALSE,
                                                        1000000000, TRUE);
  g_autoptr(KvmmmuEventHist) cut = kvmmmu_event_hist_new(kvmmmu_hist_new_log(),
                                                         KVMMMU_RECORD_LOAD, FALSE,
                                                         1000000000, TRUE);
  g_autoptr(GString) got = g_string_new("");
  g_autofree char *json = NULL;

  kvmmmu_event_hist_keep_series(eh);
  kvmmmu_event_hist_keep_series(cut);
  cut->series_max_runs = 2;
  for (KvmmmuEventHist *h = eh; h; h = h == eh ? cut : NULL) {
    feed(h, KVMMMU_RECORD_HEADER, 10000000000ull);
    for (guint i = 0; i < G_N_ELEMENTS(at); i++)
      feed(h, KVMMMU_RECORD_LOAD, 10000000000ull + at[i] * 1000000);
    feed(h, KVMMMU_RECORD_WALK, 16000000000ull); /* the capture ends at +6 s */
    feed(h, KVMMMU_RECORD_HEADER, 20000000000ull);
    feed(h, KVMMMU_RECORD_LOAD, 22000000000ull);
    feed(h, KVMMMU_RECORD_WALK, 23000000000ull);
    g_assert_true(kvmmmu_event_hist_finish(h, NULL));
  }
  for (guint i = 0; i < eh->series_runs->len; i++) {
    const KvmmmuSeriesRun *r = &g_array_index(eh->series_runs, KvmmmuSeriesRun, i);

    g_string_append_printf(got, "%u:%" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT "x%"
                           G_GUINT64_FORMAT " ", r->capture, r->start_ns / 1000000000, r->n,
                           r->count);
  }
  /* 4 events in [0,1) s, 2 in [1,2), none in [2,4), 1 in [4,5), 2 in
   * [5,6); then 0, 0, 1 */
  g_assert_cmpstr(got->str, ==, "0:0+1x4 0:1+1x2 0:2+2x0 0:4+1x1 0:5+1x2 1:0+2x0 1:2+1x1 ");
  g_assert_cmpuint(eh->series_captures->len, ==, 2);
  g_assert_cmpuint(eh->series_left_out, ==, 0);
  g_assert_cmpuint(eh->intervals, ==, 9);
  /* [5,6) holds 2 like the last run kept, but is not next to it */
  g_assert_cmpuint(cut->series_runs->len, ==, 2);
  g_assert_cmpuint(g_array_index(cut->series_runs, KvmmmuSeriesRun, 1).n, ==, 1);
  g_assert_cmpuint(cut->series_left_out, ==, 9 - 2);
  json = json_text(kvmmmu_render_event_hist_json(cut, FALSE));
  g_assert_nonnull(strstr(json, "\"series\":[{\"capture_start_ns\":10000000000,"
                                "\"interval_ns\":1000000000,\"runs\":["
                                "{\"start_ns\":0,\"intervals\":1,\"count\":4},"
                                "{\"start_ns\":1000000000,\"intervals\":1,\"count\":2}]},"
                                "{\"capture_start_ns\":20000000000,"
                                "\"interval_ns\":1000000000,\"runs\":[]}],"
                                "\"series_left_out\":7}"));
  g_free(json);
  /* --abs-time: the same runs on the records' clock */
  json = json_text(kvmmmu_render_event_hist_json(cut, TRUE));
  g_assert_nonnull(strstr(json, "{\"start_ns\":10000000000,\"intervals\":1,\"count\":4},"
                                "{\"start_ns\":11000000000,\"intervals\":1,\"count\":2}]}"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/hist/linear-buckets", test_linear_buckets);
  g_test_add_func("/hist/rate-window", test_rate_window);
  g_test_add_func("/hist/linear-rejects", test_linear_rejects);
  g_test_add_func("/hist/linear-wide", test_linear_wide);
  g_test_add_func("/hist/too-large", test_too_large);
  g_test_add_func("/hist/log-buckets", test_log_buckets);
  g_test_add_func("/hist/stats", test_stats);
  g_test_add_func("/hist/percentile-exact-issue", test_percentile_exact_issue);
  g_test_add_func("/hist/percentile-ranks", test_percentile_ranks);
  g_test_add_func("/hist/percentile-negative", test_percentile_negative);
  g_test_add_func("/hist/percentile-add-n", test_percentile_add_n);
  g_test_add_func("/hist/percentile-reference", test_percentile_reference);
  g_test_add_func("/hist/percentile-overflow", test_percentile_overflow);
  g_test_add_func("/hist/render-machine", test_render_machine);
  g_test_add_func("/hist/series", test_series);
  g_test_add_func("/hist/layout-elision", test_layout_elision);
  g_test_add_func("/hist/layout-scale-log", test_layout_scale_log);
  g_test_add_func("/hist/rate", test_rate);
  return g_test_run();
}

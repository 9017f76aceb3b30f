/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hist.c - histograms laid out as SystemTap's runtime prints @hist_linear
 * and @hist_log (its stat-common.c), rule by rule in the comments below. */
#include "render/render-private.h"

#define HIST_WIDTH 50 /* bar width */
#define HIST_MARGIN 2 /* empty rows shown beside the data, and elision span */

/* Characters %lld needs for v. */
static int
width_of(gint64 v)
{
  int n = v < 0 ? 1 : 0;
  guint64 m = v < 0 ? -(guint64)v : (guint64)v;

  do {
    n++;
    m /= 10;
  } while (m);
  return n;
}

void
kvmmmu_render_hist_stap(GString *out, const KvmmmuHist *h)
{
  const guint64 *b = h->buckets;
  const int last = (int)h->n_buckets - 1;
  int low = -1, high = 0, val_space, cnt_space;
  gboolean under = FALSE, over = FALSE, eliding = FALSE;
  guint64 valmax = 0, scale;

  if (h->count == 0) {
    g_string_append(out, "(no values)\n\n");
    return;
  }
  for (int i = 0; i <= last; i++) {
    if (b[i] == 0)
      continue;
    if (low < 0)
      low = i;
    high = i;
    valmax = MAX(valmax, b[i]);
  }
  /* Show up to two empty rows on each side of the data; a log histogram
   * does not reach below 0 unless the data does. */
  for (int k = 0; k < HIST_MARGIN; k++) {
    if (h->type == KVMMMU_HIST_LOG ? (low != KVMMMU_HIST_LOG_BUCKET0 && low > 0) : low > 0)
      low--;
    if (high < last)
      high++;
  }
  if (h->type == KVMMMU_HIST_LINEAR) {
    /* Underflow and overflow rows only when they hold something. */
    if (low == 0 && b[0] == 0)
      low++;
    if (high == last && b[high] == 0)
      high--;
    under = low == 0;
    over = high == last;
  }
  scale = valmax <= HIST_WIDTH ? 1 : (valmax + HIST_WIDTH - 1) / HIST_WIDTH;
  cnt_space = width_of(valmax);
  if (h->type == KVMMMU_HIST_LINEAR)
    /* SystemTap sizes the column from start + interval * high, one step
     * past the last row's label; kept so widths match. */
    val_space = MAX(width_of(h->start) + under, width_of(h->start + h->interval * high) + over);
  else
    val_space = MAX(width_of(kvmmmu_hist_bucket_value(h, high)),
                    width_of(kvmmmu_hist_bucket_value(h, low)));
  val_space = MAX(val_space, 5);

  g_string_append_printf(out, "%*s |", val_space, "value");
  for (int j = 0; j < HIST_WIDTH; j++)
    g_string_append_c(out, '-');
  g_string_append(out, " count\n");

  for (int i = low; i <= high; i++) {
    const char *mark = "";
    gint64 val;
    guint64 bar;
    int lo = MAX(low, i - HIST_MARGIN), hi = MIN(high, i + HIST_MARGIN);
    gboolean all_zero = TRUE;

    /* A zero row whose neighbours within two rows are zero too is elided;
     * a run of elided rows shows as one "~" line. */
    for (int k = lo; k <= hi; k++)
      if (b[k])
        all_zero = FALSE;
    if (all_zero) {
      eliding = TRUE;
      continue;
    }
    if (eliding) {
      g_string_append_printf(out, "%*s ~\n", val_space, "");
      eliding = FALSE;
    }
    val = kvmmmu_hist_bucket_value(h, i);
    if (h->type == KVMMMU_HIST_LINEAR && i == 0)
      mark = "<";
    else if (h->type == KVMMMU_HIST_LINEAR && i == last)
      mark = ">";
    g_string_append_printf(out, "%*s%" G_GINT64_FORMAT " |", val_space - width_of(val), mark, val);
    bar = b[i] / scale;
    for (guint64 j = 0; j < bar; j++)
      g_string_append_c(out, '@');
    g_string_append_printf(out, "%*" G_GUINT64_FORMAT "\n", (int)(HIST_WIDTH - bar + 1 + cnt_space),
                           b[i]);
  }
  g_string_append_c(out, '\n');
}

/* Why percentiles are approximate, for every output that shows them. */
static char *
approx_why(const KvmmmuHistStats *st)
{
  return g_strdup_printf("more than %u distinct values: the %" G_GUINT64_FORMAT " values after "
                         "the limit were counted to within 1/1024, so percentiles are rounded "
                         "toward zero by up to that", st->exact_limit, st->overflow);
}

void
kvmmmu_render_hist_stats(GString *out, const KvmmmuHist *h)
{
  KvmmmuHistStats st;
  /* "~" for approximate percentiles: the line keeps its layout */
  const char *eq;

  kvmmmu_hist_stats(h, &st);
  eq = st.approximate ? "~" : "=";
  g_string_append_printf(out, "count=%" G_GUINT64_FORMAT " min=%" G_GINT64_FORMAT " max=%"
                         G_GINT64_FORMAT " mean=%.2f p50%s%" G_GINT64_FORMAT " p90%s%"
                         G_GINT64_FORMAT " p99%s%" G_GINT64_FORMAT "\n",
                         st.count, st.min, st.max, st.mean, eq, st.p50, eq, st.p90, eq, st.p99);
  if (st.approximate) {
    g_autofree char *why = approx_why(&st);

    g_string_append_printf(out, "note: p50, p90 and p99 are approximate (~): %s\n", why);
  }
}

/* The row label a bucket prints with, "<0" and ">100" included. */
static char *
bucket_label(const KvmmmuHist *h, guint i)
{
  gint64 v = kvmmmu_hist_bucket_value(h, i);

  if (h->type == KVMMMU_HIST_LINEAR && i == 0)
    return g_strdup_printf("<%" G_GINT64_FORMAT, v);
  if (h->type == KVMMMU_HIST_LINEAR && i == h->n_buckets - 1)
    return g_strdup_printf(">%" G_GINT64_FORMAT, v);
  return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

void
kvmmmu_render_hist_csv(GString *out, const KvmmmuHist *h)
{
  g_string_append(out, "bucket,count\n");
  for (guint i = 0; i < h->n_buckets; i++) {
    g_autofree char *label = NULL;

    if (h->buckets[i] == 0)
      continue;
    label = bucket_label(h, i);
    g_string_append_printf(out, "%s,%" G_GUINT64_FORMAT "\n", label, h->buckets[i]);
  }
}

KvmmmuJson *
kvmmmu_render_hist_json(const KvmmmuHist *h, const char *what, const char *unit)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_string(b, "values", what);
  kvmmmu_json_string(b, "unit", unit);
  kvmmmu_json_string(b, "type", h->type == KVMMMU_HIST_LOG ? "log" : "linear");
  if (h->type == KVMMMU_HIST_LINEAR) {
    kvmmmu_json_int(b, "start", h->start);
    kvmmmu_json_int(b, "stop", h->stop);
    kvmmmu_json_int(b, "step", h->interval);
  }
  kvmmmu_json_int(b, "count", h->count);
  kvmmmu_json_int(b, "min", h->count ? h->min : 0);
  kvmmmu_json_int(b, "max", h->count ? h->max : 0);
  kvmmmu_json_double(b, "mean", kvmmmu_hist_mean(h));
  kvmmmu_json_int(b, "p50", kvmmmu_hist_percentile(h, 50));
  kvmmmu_json_int(b, "p90", kvmmmu_hist_percentile(h, 90));
  kvmmmu_json_int(b, "p99", kvmmmu_hist_percentile(h, 99));
  kvmmmu_json_member(b, "buckets");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < h->n_buckets; i++) {
    g_autofree char *label = NULL;

    if (h->buckets[i] == 0)
      continue;
    label = bucket_label(h, i);
    kvmmmu_json_begin_object(b);
    kvmmmu_json_string(b, "bucket", label);
    kvmmmu_json_int(b, "count", h->buckets[i]);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

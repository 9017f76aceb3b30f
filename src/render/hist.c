/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hist.c - histograms laid out as SystemTap's runtime prints @hist_linear
 * and @hist_log (its stat-common.c), rule by rule in the comments below. */
#include "render/render-private.h"

#define HIST_WIDTH 50 /* bar width */
#define HIST_MARGIN 2 /* empty rows shown beside the data, and elision span */

/* Characters %lld needs for v; wider than 64 bits for the one sum below
 * that may pass G_MAXINT64. */
static int
width_of(__int128 v)
{
  int n = v < 0 ? 1 : 0;
  unsigned __int128 m = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;

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
    val_space = MAX(width_of(h->start) + under,
                    width_of((__int128)h->start + (__int128)h->interval * high) + over);
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

/* Values past what a SystemTap histogram holds, for every output. */
static char *
too_large_why(const KvmmmuHistStats *st)
{
  return g_strdup_printf("%s%" G_GUINT64_FORMAT " value%s above %" G_GINT64_FORMAT
                         " (2^63 - 1, the largest of SystemTap's signed 64-bit histograms) "
                         "%s left out of the histogram and its statistics",
                         kvmmmu_render_at_least(st->too_large), st->too_large,
                         st->too_large == 1 ? "" : "s", G_MAXINT64,
                         st->too_large == 1 ? "is" : "are");
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
  if (st.too_large) {
    g_autofree char *why = too_large_why(&st);

    g_string_append_printf(out, "note: %s\n", why);
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
  KvmmmuHistStats st;

  g_string_append(out, "bucket,count\n");
  for (guint i = 0; i < h->n_buckets; i++) {
    g_autofree char *label = NULL;

    if (h->buckets[i] == 0)
      continue;
    label = bucket_label(h, i);
    g_string_append_printf(out, "%s,%" G_GUINT64_FORMAT "\n", label, h->buckets[i]);
  }
  /* The statistics as a second table after a blank line; empty cells
   * when there are no values. */
  kvmmmu_hist_stats(h, &st);
  g_string_append(out, "\ncount,min,max,mean,p50,p90,p99,percentiles_approximate,"
                       "values_above_int64_max\n");
  if (st.count)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                           ",%.2f,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                           ",%d,%" G_GUINT64_FORMAT "\n", st.count, st.min, st.max, st.mean,
                           st.p50, st.p90, st.p99, st.approximate, st.too_large);
  else
    g_string_append_printf(out, "0,,,,,,,0,%" G_GUINT64_FORMAT "\n", st.too_large);
}

/* A statistic, or null when there are no values to have one. */
static void
stat_int(KvmmmuJsonBuilder *b, const char *name, const KvmmmuHistStats *st, gint64 v)
{
  kvmmmu_json_member(b, name);
  if (st->count)
    kvmmmu_json_add_int(b, v);
  else
    kvmmmu_json_add_null(b);
}

/* The histogram's members, into an object the caller opened. */
static void
hist_json_members(KvmmmuJsonBuilder *b, const KvmmmuHist *h, const char *what, const char *unit)
{
  KvmmmuHistStats st;
  guint first = 0, last = h->n_buckets;

  kvmmmu_hist_stats(h, &st);
  kvmmmu_json_string(b, "values", what);
  kvmmmu_json_string(b, "unit", unit);
  kvmmmu_json_string(b, "type", h->type == KVMMMU_HIST_LOG ? "log" : "linear");
  if (h->type == KVMMMU_HIST_LINEAR) {
    kvmmmu_json_int(b, "start", h->start);
    kvmmmu_json_int(b, "stop", h->stop);
    kvmmmu_json_int(b, "step", h->interval);
  }
  kvmmmu_json_uint(b, "count", st.count);
  stat_int(b, "min", &st, st.min);
  stat_int(b, "max", &st, st.max);
  kvmmmu_json_member(b, "mean");
  if (st.count)
    kvmmmu_json_add_double(b, st.mean);
  else
    kvmmmu_json_add_null(b);
  stat_int(b, "p50", &st, st.p50);
  stat_int(b, "p90", &st, st.p90);
  stat_int(b, "p99", &st, st.p99);
  kvmmmu_json_bool(b, "percentiles_approximate", st.approximate);
  kvmmmu_json_member(b, "percentiles_approximate_why");
  if (st.approximate) {
    g_autofree char *why = approx_why(&st);

    kvmmmu_json_add_string(b, why);
  } else
    kvmmmu_json_add_null(b);
  kvmmmu_json_uint(b, "values_past_distinct_limit", st.overflow);
  kvmmmu_json_uint(b, "values_above_int64_max", st.too_large);
  if (h->type == KVMMMU_HIST_LINEAR) {
    /* The rows "<start" and ">last" as counts of their own, so that every
     * bucket is a number: the lower bound of its row. */
    kvmmmu_json_uint(b, "underflow", h->buckets[0]);
    kvmmmu_json_uint(b, "overflow", h->buckets[h->n_buckets - 1]);
    first = 1;
    last = h->n_buckets - 1;
  }
  kvmmmu_json_member(b, "buckets");
  kvmmmu_json_begin_array(b);
  for (guint i = first; i < last; i++) {
    if (h->buckets[i] == 0)
      continue;
    kvmmmu_json_begin_object(b);
    kvmmmu_json_int(b, "bucket", kvmmmu_hist_bucket_value(h, i));
    kvmmmu_json_uint(b, "count", h->buckets[i]);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
}

KvmmmuJson *
kvmmmu_render_hist_json(const KvmmmuHist *h, const char *what, const char *unit)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  hist_json_members(b, h, what, unit);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

/* ---- the hist report: what was counted, the histogram, what was left out ---- */

static char *
event_hist_unit(const KvmmmuEventHist *eh)
{
  return eh->latency ? g_strdup("ns") : g_strdup_printf("per %.9g s", eh->interval_ns / 1e9);
}

void
kvmmmu_render_event_hist_text(GString *out, const KvmmmuEventHist *eh, const KvmmmuStats *stats)
{
  const char *what = kvmmmu_event_hist_what(eh);
  g_autofree char *unit = event_hist_unit(eh);

  /* What the capture lost heads the report: the counts below miss it. */
  kvmmmu_render_loss_note(out, stats);
  if (eh->latency)
    g_string_append_printf(out, "%s in ns: %" G_GUINT64_FORMAT " loads\n", what,
                           kvmmmu_count_add(eh->hist->count, eh->hist->too_large));
  else
    g_string_append_printf(out, "%s %s: %" G_GUINT64_FORMAT " intervals, %" G_GUINT64_FORMAT
                           " events\n", what, unit, eh->intervals, eh->events_total);
  kvmmmu_render_hist_stap(out, eh->hist);
  kvmmmu_render_hist_stats(out, eh->hist);
  if (eh->partial_ns)
    g_string_append_printf(out, "note: the capture is shorter than one interval; its %.6fs "
                                "count as one\n", eh->partial_ns / 1e9);
  if (eh->partial_left_ns)
    g_string_append_printf(out, "note: a last, partial interval of %.6fs is left out\n",
                           eh->partial_left_ns / 1e9);
  if (eh->begun_before_ns)
    g_string_append_printf(out, "note: intervals begun before the --time range are left out "
                                "(%.6fs of them inside it)\n", eh->begun_before_ns / 1e9);
  if (eh->beyond_cap)
    g_string_append_printf(out, "note: %" G_GUINT64_FORMAT " events stamped more than %u "
                           "intervals after the start are left out (corrupt time stamps?)\n",
                           eh->beyond_cap, KVMMMU_RATE_MAX_INTERVALS);
  if (eh->late)
    g_string_append_printf(out, "note: %" G_GUINT64_FORMAT " events stamped before intervals "
                           "already counted are left out (records out of time order)\n",
                           eh->late);
}

void
kvmmmu_render_event_hist_csv(GString *out, const KvmmmuEventHist *eh)
{
  kvmmmu_render_hist_csv(out, eh->hist);
}

KvmmmuJson *
kvmmmu_render_event_hist_json(const KvmmmuEventHist *eh, gboolean abs_time)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autofree char *unit = event_hist_unit(eh);
  guint r = 0;

  kvmmmu_json_begin_object(b);
  hist_json_members(b, eh->hist, kvmmmu_event_hist_what(eh), unit);
  if (!eh->latency) {
    kvmmmu_json_uint(b, "intervals", eh->intervals);
    kvmmmu_json_uint(b, "events", eh->events_total);
  }
  kvmmmu_json_uint(b, "partial_ns", eh->partial_ns);
  kvmmmu_json_uint(b, "partial_left_out_ns", eh->partial_left_ns);
  kvmmmu_json_uint(b, "begun_before_range_ns", eh->begun_before_ns);
  kvmmmu_json_uint(b, "events_beyond_cap", eh->beyond_cap);
  kvmmmu_json_uint(b, "events_late", eh->late);
  if (eh->series_runs) {
    /* One entry per capture, its intervals as runs of equal counts:
     * hours of idle intervals are one run, not thousands of zeros. */
    kvmmmu_json_member(b, "series");
    kvmmmu_json_begin_array(b);
    for (guint c = 0; c < eh->series_captures->len; c++) {
      const KvmmmuSeriesCapture *cap = &g_array_index(eh->series_captures,
                                                      KvmmmuSeriesCapture, c);

      kvmmmu_json_begin_object(b);
      kvmmmu_json_uint(b, "capture_start_ns", cap->start_ns);
      kvmmmu_json_uint(b, "interval_ns", cap->interval_ns);
      kvmmmu_json_member(b, "runs");
      kvmmmu_json_begin_array(b);
      for (; r < eh->series_runs->len; r++) {
        const KvmmmuSeriesRun *run = &g_array_index(eh->series_runs, KvmmmuSeriesRun, r);

        if (run->capture != c)
          break;
        kvmmmu_json_begin_object(b);
        kvmmmu_json_uint(b, "start_ns", abs_time ? cap->start_ns + run->start_ns : run->start_ns);
        kvmmmu_json_uint(b, "intervals", run->n);
        kvmmmu_json_uint(b, "count", run->count);
        kvmmmu_json_end_object(b);
      }
      kvmmmu_json_end_array(b);
      kvmmmu_json_end_object(b);
    }
    kvmmmu_json_end_array(b);
    kvmmmu_json_uint(b, "series_left_out", eh->series_left_out);
  }
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

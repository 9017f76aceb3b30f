/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>

#include "model/hist.h"
#include "reader/reader.h"

/* Percentile table: exact below 2^11, then 1024 sub-buckets per power of 2. */
#define PCT_EXACT 2048
#define PCT_SUB_BITS 10
#define PCT_SIZE (PCT_EXACT + (64 - 11) * (1u << PCT_SUB_BITS))

static guint
pct_index(guint64 v)
{
  guint e, m;

  if (v < PCT_EXACT)
    return v;
  e = 63 - __builtin_clzll(v);
  m = (v >> (e - PCT_SUB_BITS)) - (1u << PCT_SUB_BITS);
  return PCT_EXACT + (e - 11) * (1u << PCT_SUB_BITS) + m;
}

static guint64
pct_value(guint index)
{
  guint e, m;

  if (index < PCT_EXACT)
    return index;
  index -= PCT_EXACT;
  e = index / (1u << PCT_SUB_BITS) + 11;
  m = index % (1u << PCT_SUB_BITS) + (1u << PCT_SUB_BITS);
  return (guint64)m << (e - PCT_SUB_BITS);
}

static KvmmmuHist *
hist_alloc(KvmmmuHistType type, guint n_buckets)
{
  KvmmmuHist *h = g_new0(KvmmmuHist, 1);

  h->type = type;
  h->n_buckets = n_buckets;
  h->buckets = g_new0(guint64, n_buckets);
  return h;
}

KvmmmuHist *
kvmmmu_hist_new_linear(gint64 start, gint64 stop, gint64 interval, GError **error)
{
  KvmmmuHist *h;
  gint64 n;

  if (interval <= 0 || stop <= start) {
    g_set_error(error, KVMMMU_READER_ERROR, 0,
                "Cannot make a linear histogram: start=%" G_GINT64_FORMAT " stop=%"
                G_GINT64_FORMAT " step=%" G_GINT64_FORMAT ": expected start < stop and step > 0",
                start, stop, interval);
    return NULL;
  }
  n = (stop - start) / interval + 3;
  if (n > KVMMMU_HIST_MAX_BUCKETS) {
    g_set_error(error, KVMMMU_READER_ERROR, 0,
                "Cannot make a linear histogram: (stop - start) / step = %" G_GINT64_FORMAT
                ": expected at most %d buckets", n - 3, KVMMMU_HIST_MAX_BUCKETS - 3);
    return NULL;
  }
  h = hist_alloc(KVMMMU_HIST_LINEAR, n);
  h->start = start;
  h->stop = stop;
  h->interval = interval;
  return h;
}

KvmmmuHist *
kvmmmu_hist_new_log(void)
{
  return hist_alloc(KVMMMU_HIST_LOG, KVMMMU_HIST_LOG_BUCKETS);
}

void
kvmmmu_hist_free(KvmmmuHist *h)
{
  if (!h)
    return;
  g_free(h->buckets);
  g_free(h->pct_table);
  g_free(h);
}

/* @hist_log's bucket: 64 for 0, 64 + bit length for v > 0, mirrored below. */
static guint
log_bucket(gint64 v)
{
  guint64 mag;
  guint bits;

  if (v == 0)
    return KVMMMU_HIST_LOG_BUCKET0;
  mag = v < 0 ? -(guint64)v : (guint64)v;
  bits = 64 - __builtin_clzll(mag);
  if (v > 0)
    return MIN(KVMMMU_HIST_LOG_BUCKET0 + bits, KVMMMU_HIST_LOG_BUCKETS - 1);
  return KVMMMU_HIST_LOG_BUCKETS - (KVMMMU_HIST_LOG_BUCKET0 + bits);
}

void
kvmmmu_hist_add(KvmmmuHist *h, gint64 v)
{
  kvmmmu_hist_add_n(h, v, 1);
}

void
kvmmmu_hist_add_n(KvmmmuHist *h, gint64 v, guint64 n)
{
  guint b;

  if (n == 0)
    return;

  if (h->type == KVMMMU_HIST_LOG) {
    b = log_bucket(v);
  } else if (v < h->start) {
    b = 0;
  } else {
    guint64 k = ((guint64)v - (guint64)h->start) / (guint64)h->interval + 1;
    b = MIN(k, (guint64)h->n_buckets - 1);
  }
  h->buckets[b] += n;

  if (h->count == 0 || v < h->min)
    h->min = v;
  if (h->count == 0 || v > h->max)
    h->max = v;
  h->count += n;
  h->sum += (double)v * (double)n;
  if (v < 0) {
    h->n_negative += n;
    return;
  }
  if (!h->pct_table)
    h->pct_table = g_new0(guint64, PCT_SIZE);
  h->pct_table[pct_index(v)] += n;
}

gint64
kvmmmu_hist_bucket_value(const KvmmmuHist *h, guint b)
{
  if (h->type == KVMMMU_HIST_LOG) {
    if (b == KVMMMU_HIST_LOG_BUCKET0)
      return 0;
    if (b > KVMMMU_HIST_LOG_BUCKET0)
      return (gint64)1 << (b - KVMMMU_HIST_LOG_BUCKET0 - 1);
    return -((gint64)1 << (KVMMMU_HIST_LOG_BUCKET0 - b - 1));
  }
  if (b == 0)
    return h->start;
  if (b == h->n_buckets - 1)
    return h->start + (gint64)(b - 2) * h->interval;
  return h->start + (gint64)(b - 1) * h->interval;
}

gint64
kvmmmu_hist_percentile(const KvmmmuHist *h, double p)
{
  guint64 rank, seen;

  if (h->count == 0)
    return 0;
  rank = (guint64)ceil(p / 100.0 * (double)h->count);
  if (rank == 0)
    rank = 1;
  if (rank <= h->n_negative || !h->pct_table)
    return h->min;
  seen = h->n_negative;
  for (guint i = 0; i < PCT_SIZE; i++) {
    seen += h->pct_table[i];
    if (seen >= rank)
      return MIN((gint64)pct_value(i), h->max);
  }
  return h->max;
}

double
kvmmmu_hist_mean(const KvmmmuHist *h)
{
  return h->count ? h->sum / (double)h->count : 0.0;
}

KvmmmuRate *
kvmmmu_rate_new(guint64 origin_ns, guint64 interval_ns)
{
  KvmmmuRate *r = g_new0(KvmmmuRate, 1);

  r->origin_ns = origin_ns;
  r->interval_ns = interval_ns ? interval_ns : 1;
  r->counts = g_array_new(FALSE, TRUE, sizeof(guint64));
  return r;
}

void
kvmmmu_rate_free(KvmmmuRate *r)
{
  if (!r)
    return;
  g_array_unref(r->counts);
  g_free(r);
}

void
kvmmmu_rate_set_window(KvmmmuRate *r, guint64 window, KvmmmuRateFoldFunc fold,
                       gpointer user_data)
{
  r->window = window;
  r->fold = fold;
  r->fold_data = user_data;
}

void
kvmmmu_rate_fold_until(KvmmmuRate *r, guint64 end)
{
  guint64 kept, k;

  if (end <= r->base)
    return;
  kept = r->counts->len;
  k = MIN(end - r->base, kept);
  if (r->fold) {
    /* A run of equal counts in one call: a capture idle for hours is
     * hours of empty intervals, each of which was a call. */
    for (guint64 i = 0, j; i < k; i = j) {
      guint64 count = g_array_index(r->counts, guint64, i);

      for (j = i + 1; j < k && g_array_index(r->counts, guint64, j) == count; j++)
        ;
      r->fold(count, j - i, r->fold_data);
    }
    if (end - r->base > kept)
      r->fold(0, end - r->base - kept, r->fold_data);
  }
  g_array_remove_range(r->counts, 0, k);
  r->base = end;
}

void
kvmmmu_rate_add_at(KvmmmuRate *r, guint64 idx, guint64 n)
{
  /* One interval a slot: a 1 s interval over a day is 86400 slots. */
  if (idx >= KVMMMU_RATE_MAX_INTERVALS) {
    r->beyond_cap += n;
    return;
  }
  if (idx < r->base) {
    r->late += n;
    return;
  }
  /* Fold a window's worth at a time: the move below is paid once per
   * window of intervals, not once per event. */
  if (r->window && idx - r->base >= 2 * r->window)
    kvmmmu_rate_fold_until(r, idx - r->window + 1);
  if (idx - r->base >= r->counts->len)
    g_array_set_size(r->counts, idx - r->base + 1);
  g_array_index(r->counts, guint64, idx - r->base) += n;
  r->events += n;
}

void
kvmmmu_rate_add(KvmmmuRate *r, guint64 ts_ns, guint64 n)
{
  if (ts_ns < r->origin_ns) {
    r->before_origin += n;
    return;
  }
  /* Most events fall in the interval of the one before: no division. */
  if (ts_ns - r->origin_ns - r->last_start_ns >= r->interval_ns) {
    r->last_idx = (ts_ns - r->origin_ns) / r->interval_ns;
    r->last_start_ns = r->last_idx * r->interval_ns;
  }
  kvmmmu_rate_add_at(r, r->last_idx, n);
}

guint64
kvmmmu_rate_complete(const KvmmmuRate *r, guint64 end_ns)
{
  if (end_ns == 0)
    return r->base + r->counts->len;
  if (end_ns < r->origin_ns)
    return 0;
  return (end_ns - r->origin_ns) / r->interval_ns;
}

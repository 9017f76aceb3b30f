/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <stdlib.h>

#include "format/count.h"
#include "model/hist.h"
#include "model/error.h"
#include "reader/reader.h"

/* The approximate table: exact below 2^11, then 1024 sub-buckets per
 * power of 2, for magnitudes up to 2^64 - 1. */
#define PCT_EXACT 2048
#define PCT_SUB_BITS 10
#define PCT_SIZE (PCT_EXACT + (64 - 11) * (1u << PCT_SUB_BITS))

/* The exact table starts small: most histograms hold a few hundred values. */
#define EXACT_MIN_SLOTS 64

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

/* The smallest magnitude of the sub-bucket. */
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
  h->exact_limit = KVMMMU_HIST_EXACT_MAX;
  return h;
}

KvmmmuHist *
kvmmmu_hist_new_linear(gint64 start, gint64 stop, gint64 interval, GError **error)
{
  KvmmmuHist *h;
  guint64 rows;

  if (interval <= 0 || stop <= start) {
    g_set_error(error, KVMMMU_MODEL_ERROR, KVMMMU_MODEL_ERROR_BAD_HIST,
                "Cannot make a linear histogram: start=%" G_GINT64_FORMAT " stop=%"
                G_GINT64_FORMAT " step=%" G_GINT64_FORMAT ": expected start < stop and step > 0",
                start, stop, interval);
    return NULL;
  }
  /* stop - start is up to 2^64 - 1: unsigned, it cannot overflow */
  rows = ((guint64)stop - (guint64)start) / (guint64)interval;
  if (rows > KVMMMU_HIST_MAX_BUCKETS - 3) {
    g_set_error(error, KVMMMU_MODEL_ERROR, KVMMMU_MODEL_ERROR_BAD_HIST,
                "Cannot make a linear histogram: (stop - start) / step = %" G_GUINT64_FORMAT
                ": expected at most %d buckets", rows, KVMMMU_HIST_MAX_BUCKETS - 3);
    return NULL;
  }
  h = hist_alloc(KVMMMU_HIST_LINEAR, rows + 3);
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
  g_free(h->exact);
  g_free(h->pct_pos);
  g_free(h->pct_neg);
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
kvmmmu_hist_set_exact_limit(KvmmmuHist *h, guint limit)
{
  g_return_if_fail(h->count == 0);
  h->exact_limit = CLAMP(limit, 1, KVMMMU_HIST_EXACT_MAX);
}

/* Fibonacci hashing: consecutive values (most of what is counted) spread
 * over the table rather than fill one run of slots. */
static guint
exact_slot(const KvmmmuHist *h, gint64 v)
{
  guint bits = __builtin_ctz(h->exact_slots);

  return (guint)(((guint64)v * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

/* The slot holding v, or the free one where it goes. */
static KvmmmuHistPair *
exact_find(const KvmmmuHist *h, gint64 v)
{
  guint mask = h->exact_slots - 1;

  for (guint i = exact_slot(h, v);; i = (i + 1) & mask) {
    KvmmmuHistPair *s = &h->exact[i];

    if (s->count == 0 || s->value == v)
      return s;
  }
}

static void
exact_grow(KvmmmuHist *h)
{
  KvmmmuHistPair *old = h->exact;
  guint old_slots = h->exact_slots;

  h->exact_slots = old_slots ? old_slots * 2 : EXACT_MIN_SLOTS;
  h->exact = g_new0(KvmmmuHistPair, h->exact_slots);
  for (guint i = 0; i < old_slots; i++)
    if (old[i].count)
      *exact_find(h, old[i].value) = old[i];
  g_free(old);
}

static void
approx_add(KvmmmuHist *h, gint64 v, guint64 n)
{
  if (v >= 0)
    h->pct_pos[pct_index((guint64)v)] += n;
  else
    h->pct_neg[pct_index(-(guint64)v)] += n;
}

/* Every distinct value kept goes to the approximate table, which takes the
 * values from now on. */
static void
exact_to_approx(KvmmmuHist *h)
{
  h->approximate = TRUE;
  h->pct_pos = g_new0(guint64, PCT_SIZE);
  h->pct_neg = g_new0(guint64, PCT_SIZE);
  for (guint i = 0; i < h->exact_slots; i++)
    if (h->exact[i].count)
      approx_add(h, h->exact[i].value, h->exact[i].count);
  g_clear_pointer(&h->exact, g_free);
  h->exact_slots = h->exact_used = 0;
}

/* FALSE when v would be one distinct value more than the limit: the
 * histogram is approximate from then on. */
static gboolean
exact_add(KvmmmuHist *h, gint64 v, guint64 n)
{
  KvmmmuHistPair *s;

  if (!h->exact)
    exact_grow(h);
  s = exact_find(h, v);
  if (s->count) {
    s->count += n;
    return TRUE;
  }
  if (h->exact_used >= h->exact_limit) {
    exact_to_approx(h);
    return FALSE;
  }
  /* at most half full: probes stay short */
  if (2 * (h->exact_used + 1) > h->exact_slots) {
    exact_grow(h);
    s = exact_find(h, v);
  }
  s->value = v;
  s->count = n;
  h->exact_used++;
  return TRUE;
}

void
kvmmmu_hist_add(KvmmmuHist *h, gint64 v)
{
  kvmmmu_hist_add_n(h, v, 1);
}

void
kvmmmu_hist_add_u64(KvmmmuHist *h, guint64 v, guint64 n)
{
  if (G_UNLIKELY(v > (guint64)G_MAXINT64))
    KVMMMU_COUNT_ADD(h->too_large, n);
  else
    kvmmmu_hist_add_n(h, (gint64)v, n);
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
  if (!h->approximate && exact_add(h, v, n))
    return;
  h->overflow += n;
  approx_add(h, v, n);
}

gint64
kvmmmu_hist_bucket_value(const KvmmmuHist *h, guint b)
{
  guint rows;

  if (h->type == KVMMMU_HIST_LOG) {
    if (b == KVMMMU_HIST_LOG_BUCKET0)
      return 0;
    /* bucket 0 holds G_MININT64 alone, whose magnitude no gint64 holds */
    if (b == 0)
      return G_MININT64;
    if (b > KVMMMU_HIST_LOG_BUCKET0)
      return (gint64)((guint64)1 << MIN(b - KVMMMU_HIST_LOG_BUCKET0 - 1, 62u));
    return -((gint64)1 << (KVMMMU_HIST_LOG_BUCKET0 - b - 1));
  }
  if (b == 0)
    return h->start;
  /* start + rows * interval is at most stop (kvmmmu_hist_new_linear): in
   * unsigned arithmetic it cannot overflow on the way there */
  rows = b == h->n_buckets - 1 ? b - 2 : b - 1;
  return (gint64)((guint64)h->start + (guint64)rows * (guint64)h->interval);
}

/* ceil(p/100 * count), at least 1, in integers: 0.9 * 10 in doubles is
 * 9.000000000000002, whose ceiling is a rank too far. */
static guint64
rank_of(double p, guint64 count)
{
  guint64 milli = (guint64)llround(CLAMP(p, 0.0, 100.0) * 1000.0);
  unsigned __int128 r = ((unsigned __int128)milli * count + 99999) / 100000;

  return MAX((guint64)r, 1);
}

static int
pair_cmp(gconstpointer a, gconstpointer b)
{
  gint64 x = ((const KvmmmuHistPair *)a)->value, y = ((const KvmmmuHistPair *)b)->value;

  return (x > y) - (x < y);
}

/* Walks the values in order once for all ranks: rank[] ascending. */
static void
exact_percentiles(const KvmmmuHist *h, const guint64 *rank, gint64 *out, guint n)
{
  g_autofree KvmmmuHistPair *sorted = g_new(KvmmmuHistPair, MAX(h->exact_used, 1));
  guint used = 0, k = 0;
  guint64 seen = 0;

  for (guint i = 0; i < h->exact_slots; i++)
    if (h->exact[i].count)
      sorted[used++] = h->exact[i];
  qsort(sorted, used, sizeof(*sorted), pair_cmp);
  for (guint i = 0; i < used && k < n; i++) {
    seen += sorted[i].count;
    while (k < n && seen >= rank[k])
      out[k++] = sorted[i].value;
  }
  for (; k < n; k++)
    out[k] = h->max;
}

/* The same in the log-linear table: negative magnitudes from the largest,
 * then the rest; each answer is its sub-bucket's bound nearest zero. */
static void
approx_percentiles(const KvmmmuHist *h, const guint64 *rank, gint64 *out, guint n)
{
  guint64 seen = 0;
  guint k = 0;

  for (guint i = PCT_SIZE; i-- > 0 && k < n;) {
    seen += h->pct_neg[i];
    while (k < n && seen >= rank[k])
      out[k++] = (gint64)(0 - pct_value(i));
  }
  for (guint i = 0; i < PCT_SIZE && k < n; i++) {
    seen += h->pct_pos[i];
    while (k < n && seen >= rank[k])
      out[k++] = (gint64)MIN(pct_value(i), (guint64)G_MAXINT64);
  }
  for (; k < n; k++)
    out[k] = h->max;
}

void
kvmmmu_hist_percentiles(const KvmmmuHist *h, const double *p, gint64 *out, guint n)
{
  g_autofree guint *order = g_new(guint, MAX(n, 1));
  g_autofree guint64 *rank = g_new(guint64, MAX(n, 1));
  g_autofree gint64 *value = g_new(gint64, MAX(n, 1));

  if (h->count == 0) {
    for (guint i = 0; i < n; i++)
      out[i] = 0;
    return;
  }
  /* ranks ascending, so one walk answers them all (n is small) */
  for (guint i = 0; i < n; i++) {
    guint j = i;

    for (; j > 0 && rank_of(p[order[j - 1]], h->count) > rank_of(p[i], h->count); j--)
      order[j] = order[j - 1];
    order[j] = i;
  }
  for (guint i = 0; i < n; i++)
    rank[i] = rank_of(p[order[i]], h->count);
  if (h->approximate)
    approx_percentiles(h, rank, value, n);
  else
    exact_percentiles(h, rank, value, n);
  for (guint i = 0; i < n; i++)
    out[order[i]] = CLAMP(value[i], h->min, h->max);
}

gint64
kvmmmu_hist_percentile(const KvmmmuHist *h, double p)
{
  gint64 v;

  kvmmmu_hist_percentiles(h, &p, &v, 1);
  return v;
}

void
kvmmmu_hist_stats(const KvmmmuHist *h, KvmmmuHistStats *st)
{
  static const double p[] = { 50, 90, 99 };
  gint64 v[G_N_ELEMENTS(p)];

  kvmmmu_hist_percentiles(h, p, v, G_N_ELEMENTS(p));
  *st = (KvmmmuHistStats){
    .count = h->count,
    .min = h->count ? h->min : 0,
    .max = h->count ? h->max : 0,
    .mean = kvmmmu_hist_mean(h),
    .p50 = v[0], .p90 = v[1], .p99 = v[2],
    .approximate = h->approximate,
    .overflow = h->overflow,
    .exact_limit = h->exact_limit,
    .too_large = h->too_large,
  };
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
    KVMMMU_COUNT_ADD(r->beyond_cap, n);
    return;
  }
  if (idx < r->base) {
    KVMMMU_COUNT_ADD(r->late, n);
    return;
  }
  /* Fold a window's worth at a time: the move below is paid once per
   * window of intervals, not once per event. */
  if (r->window && idx - r->base >= 2 * r->window)
    kvmmmu_rate_fold_until(r, idx - r->window + 1);
  if (idx - r->base >= r->counts->len)
    g_array_set_size(r->counts, idx - r->base + 1);
  /* counts the kernel made are u64: a sum past 2^64 - 1 stays there, and
   * so is too large for a histogram, not a small number */
  KVMMMU_COUNT_ADD(g_array_index(r->counts, guint64, idx - r->base), n);
  KVMMMU_COUNT_ADD(r->events, n);
}

void
kvmmmu_rate_add(KvmmmuRate *r, guint64 ts_ns, guint64 n)
{
  if (ts_ns < r->origin_ns) {
    KVMMMU_COUNT_ADD(r->before_origin, n);
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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hist.h - histograms with SystemTap's bucket rules, and their statistics.
 *
 * Linear: @hist_linear(v, start, stop, interval): bucket 0 is underflow
 * (v < start), buckets 1..n cover [start + (k-1)*interval, +interval),
 * the last is overflow; n = (stop - start) / interval + 1.
 * Log: @hist_log(v): bucket 64 holds 0, 64+k holds [2^(k-1), 2^k), and
 * negative values mirror below 64.
 * Percentiles are nearest-rank: the smallest value v with at least
 * ceil(p/100 * count) values <= v, one of the values added.  They are
 * exact while the histogram has seen at most KVMMMU_HIST_EXACT_MAX distinct
 * values: each distinct value is kept with its count in an open-addressing
 * table of 16-byte slots, at most half full, so 2^21 slots (32 MiB; 48 MiB
 * while it doubles for the last time) at the limit, and a sorted copy of
 * the values (16 MiB) while percentiles are taken.  Past the limit every
 * value moves to a log-linear table (fixed, 2 x 440 KiB: exact for |v| <
 * 2048, 1024 steps per power of two above), the values added after that
 * are counted in overflow, and percentiles are approximate: rounded toward
 * zero by less than 1/1024 of the value.  Renderers say so.
 *
 * Values are signed 64-bit, as in SystemTap (its statistics are int64_t).
 * The trace's durations and counts are u64: one past 2^63 - 1 has no place
 * in a histogram SystemTap could print, and clamping it would make it
 * another value.  kvmmmu_hist_add_u64 counts it in too_large instead, out
 * of the buckets, count, min, max, mean and percentiles; renderers say so.
 */
#ifndef KVMMMU_MODEL_HIST_H
#define KVMMMU_MODEL_HIST_H

#include <glib.h>

#define KVMMMU_HIST_LOG_BUCKETS 128
#define KVMMMU_HIST_LOG_BUCKET0 64
/* More than SystemTap's 128: nothing here runs in a kernel. */
#define KVMMMU_HIST_MAX_BUCKETS 100003
/* Distinct values kept for exact percentiles (see above for the memory). */
#define KVMMMU_HIST_EXACT_MAX (1u << 20)

typedef enum {
  KVMMMU_HIST_LINEAR,
  KVMMMU_HIST_LOG,
} KvmmmuHistType;

typedef struct {
  gint64 value;
  guint64 count;
} KvmmmuHistPair;

typedef struct {
  KvmmmuHistType type;
  gint64 start, stop, interval; /* linear only */
  guint n_buckets;
  guint64 *buckets;

  guint64 count;
  gint64 min, max;
  double sum;

  /* exact percentiles: distinct values and their counts, lazily made */
  KvmmmuHistPair *exact; /* exact_slots slots, count 0 when free */
  guint exact_slots;     /* a power of two, or 0 */
  guint exact_used;      /* distinct values held */
  guint exact_limit;     /* KVMMMU_HIST_EXACT_MAX but in tests */
  /* approximate percentiles, once exact_limit distinct values were passed */
  gboolean approximate;
  guint64 *pct_pos, *pct_neg; /* log-linear counts of v >= 0, of -v for v < 0 */
  guint64 overflow;      /* values added after the limit was passed */
  guint64 too_large;     /* u64 values above G_MAXINT64: left out (saturating) */
} KvmmmuHist;

/* The statistics every output shows, computed together (one sort). */
typedef struct {
  guint64 count;
  gint64 min, max;       /* 0 when count is 0 */
  double mean;
  gint64 p50, p90, p99;
  gboolean approximate;  /* percentiles approximate: see overflow */
  guint64 overflow;
  guint exact_limit;
  guint64 too_large;     /* values above G_MAXINT64 left out of all the above */
} KvmmmuHistStats;

/* transfer full; NULL with error when the parameters make no histogram */
KvmmmuHist *kvmmmu_hist_new_linear(gint64 start, gint64 stop, gint64 interval,
                                   GError **error);
KvmmmuHist *kvmmmu_hist_new_log(void);
void kvmmmu_hist_free(KvmmmuHist *hist);

void kvmmmu_hist_add(KvmmmuHist *hist, gint64 value);
/* n values of value at once (long runs of empty intervals): O(1) amortized
 * whatever n. */
void kvmmmu_hist_add_n(KvmmmuHist *hist, gint64 value, guint64 n);
/* n values of an unsigned value: one above G_MAXINT64 is counted in
 * too_large, not in the histogram. */
void kvmmmu_hist_add_u64(KvmmmuHist *hist, guint64 value, guint64 n);
/* For tests: pass to approximate percentiles after limit distinct values
 * (1 .. KVMMMU_HIST_EXACT_MAX) instead; call before adding any. */
void kvmmmu_hist_set_exact_limit(KvmmmuHist *hist, guint limit);

/* The value a bucket's row is labelled with. */
gint64 kvmmmu_hist_bucket_value(const KvmmmuHist *hist, guint bucket);

/* Nearest-rank percentile, p in [0, 100] to 0.001 (p = 0 gives min): the
 * smallest value v with at least ceil(p/100 * count) values <= v, exact
 * unless hist->approximate; 0 when empty. */
gint64 kvmmmu_hist_percentile(const KvmmmuHist *hist, double p);
/* The same for n percentiles at once, into out[n]. */
void kvmmmu_hist_percentiles(const KvmmmuHist *hist, const double *p, gint64 *out, guint n);
double kvmmmu_hist_mean(const KvmmmuHist *hist);
void kvmmmu_hist_stats(const KvmmmuHist *hist, KvmmmuHistStats *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuHist, kvmmmu_hist_free)

/*
 * Events per interval: counts events by (ts - origin) / interval.  Only
 * intervals that ended by the end of the capture are complete.
 */
/* Intervals a rate keeps: 4M slots (32 MiB), 48 days of 1 s intervals.
 * Events later than that (a corrupt time stamp, most likely) are counted
 * in beyond_cap, not stored. */
#define KVMMMU_RATE_MAX_INTERVALS (1u << 22)

/* Intervals handed on, oldest first: count events in each of n intervals
 * (n > 1 for a run of intervals with the same count, most often 0). */
typedef void (*KvmmmuRateFoldFunc)(guint64 count, guint64 n, gpointer user_data);

typedef struct {
  guint64 origin_ns;
  guint64 interval_ns;
  GArray *counts;          /* guint64 per interval, from interval base on */
  guint64 base;            /* intervals before it were folded */
  guint64 window;          /* 0: keep every interval; else fold older ones */
  KvmmmuRateFoldFunc fold;
  gpointer fold_data;
  guint64 events;
  guint64 before_origin;   /* events stamped before the capture began */
  guint64 beyond_cap;      /* events past KVMMMU_RATE_MAX_INTERVALS */
  guint64 late;            /* events for intervals already folded */
  guint64 last_idx;        /* the interval of the last event, and its start */
  guint64 last_start_ns;   /* (from the origin) */
} KvmmmuRate;

KvmmmuRate *kvmmmu_rate_new(guint64 origin_ns, guint64 interval_ns);
void kvmmmu_rate_free(KvmmmuRate *rate);
/* Keep only about window intervals: once an event lands window intervals
 * past the oldest kept, the older ones go to fold, so memory stays bounded
 * however long the capture.  Records come in time order up to the jitter
 * between CPUs; an event older than the window is counted in late. */
void kvmmmu_rate_set_window(KvmmmuRate *rate, guint64 window, KvmmmuRateFoldFunc fold,
                            gpointer user_data);
void kvmmmu_rate_add(KvmmmuRate *rate, guint64 ts_ns, guint64 n);
/* Add n to interval index idx directly (counts made in the kernel). */
void kvmmmu_rate_add_at(KvmmmuRate *rate, guint64 idx, guint64 n);
/* Intervals complete by end_ns (all of them when end_ns is 0). */
guint64 kvmmmu_rate_complete(const KvmmmuRate *rate, guint64 end_ns);
/* Fold every interval before end (index), kept or empty. */
void kvmmmu_rate_fold_until(KvmmmuRate *rate, guint64 end);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuRate, kvmmmu_rate_free)

#endif

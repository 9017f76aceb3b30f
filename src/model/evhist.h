/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evhist.h - the values a `hist` report counts, from a stream of records:
 * events per interval (kvm_mmu_load by default) or kvm_mmu_load latency.
 *
 * Per interval, kvm_mmu_load comes from load records when the capture has
 * them, else from the counts the kernel made (load_rate records, regrouped
 * when the interval is a multiple of theirs).  Only complete intervals
 * count: a last, short load_rate interval is left out unless it is all the
 * capture has, and a capture shorter than one interval counts as one.
 * Each header starts a capture; its intervals start at its start_ns.
 */
#ifndef KVMMMU_MODEL_EVHIST_H
#define KVMMMU_MODEL_EVHIST_H

#include <glib.h>

#include "format/records.h"
#include "model/filter.h"
#include "model/hist.h"

/* The per-interval series, for rate histograms when asked for: runs of
 * intervals with the same count, at most KVMMMU_SERIES_MAX_RUNS over all
 * captures (4 MiB here; the JSON tree built from them takes about 400
 * bytes a run), 36 hours of 1 s intervals that all differ from the one
 * before; intervals past that are counted, not kept. */
#define KVMMMU_SERIES_MAX_RUNS (1u << 17)

typedef struct {
  guint capture;     /* index into series_captures */
  guint64 start_ns;  /* the first interval's start, from the capture's start */
  guint64 n;         /* intervals in the run */
  guint64 count;     /* events in each of them */
} KvmmmuSeriesRun;

typedef struct {
  guint64 start_ns;    /* the header's start_ns */
  guint64 interval_ns; /* the length of its intervals */
} KvmmmuSeriesCapture;

typedef struct {
  /* what is counted: set by kvmmmu_event_hist_new */
  KvmmmuRecordKind event;
  gboolean latency;
  guint64 interval_ns;
  gboolean interval_given; /* regroup load_rate counts into interval_ns */
  KvmmmuHist *hist;        /* owned: every value goes here */

  /* results */
  gboolean used_load_rate; /* some capture's counts came from load_rate */
  guint64 intervals, events_total;
  guint64 partial_ns;      /* a capture shorter than one interval, counted as one */
  guint64 partial_left_ns; /* short last intervals left out */
  guint64 begun_before_ns; /* --time: the parts in range of intervals begun before it, left out */
  guint64 beyond_cap;      /* events past KVMMMU_RATE_MAX_INTERVALS, left out */
  guint64 late;            /* events older than the intervals kept, left out */
  GArray *series_runs;     /* KvmmmuSeriesRun, in order; NULL unless kept */
  GArray *series_captures; /* KvmmmuSeriesCapture, one per capture */
  guint series_max_runs;   /* KVMMMU_SERIES_MAX_RUNS but in tests */
  guint64 series_left_out; /* intervals past series_max_runs runs */

  /* the capture being read */
  gboolean open;
  guint64 origin_ns, end_ns;
  KvmmmuRate *events;      /* per-event records of the chosen kind */
  KvmmmuRate *ticks;       /* load_rate counts by tick - 1 */
  guint64 tick_interval_ns;/* the longest interval a record measured */
  guint64 max_tick;
  guint64 last_tick_ns;    /* the interval the max_tick records measured */
  GError *error;           /* the first capture that could not be regrouped */
  guint64 next_interval;   /* the index of the next interval to the series */
  const KvmmmuFilter *filter; /* borrowed: its --time range bounds the intervals */
  gboolean windowed;       /* this capture is read under --time */
  guint64 window_to_ns;    /* the range's end in this capture (G_MAXUINT64: none) */
  guint64 min_tick;        /* the first load_rate tick seen in the range (0: none) */
} KvmmmuEventHist;

/* transfer full; hist: transfer full.  latency: kvm_mmu_load durations in
 * ns; else event records of kind event per interval_ns (interval_given:
 * the caller chose it, so load_rate counts are regrouped into it). */
KvmmmuEventHist *kvmmmu_event_hist_new(KvmmmuHist *hist, KvmmmuRecordKind event,
                                       gboolean latency, guint64 interval_ns,
                                       gboolean interval_given);
void kvmmmu_event_hist_free(KvmmmuEventHist *eh);
/* The records come through filter (borrowed, before the first record):
 * with --time, the intervals are those of its range, not of the whole
 * capture (a span of a few seconds is not counted as a capture of many
 * empty intervals around it). */
void kvmmmu_event_hist_set_filter(KvmmmuEventHist *eh, const KvmmmuFilter *filter);
/* Keep the per-interval series of a rate (before the first record). */
void kvmmmu_event_hist_keep_series(KvmmmuEventHist *eh);
void kvmmmu_event_hist_add(KvmmmuEventHist *eh, const KvmmmuRecord *rec);
/* End of input; FALSE with error when load_rate counts could not be
 * regrouped into the interval asked for. */
gboolean kvmmmu_event_hist_finish(KvmmmuEventHist *eh, GError **error);
/* borrowed: "kvm_mmu_load latency", "kvm_mmu_load (counted in the kernel)",
 * "kvm_mmu_load" or the event kind's name */
const char *kvmmmu_event_hist_what(const KvmmmuEventHist *eh);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuEventHist, kvmmmu_event_hist_free)

#endif

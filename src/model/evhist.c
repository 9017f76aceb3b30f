/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evhist.c - events per interval or load latency, as `hist` counts them. */
#include "format/count.h"
#include "model/evhist.h"
#include "model/error.h"
#include "reader/reader.h"

KvmmmuEventHist *
kvmmmu_event_hist_new(KvmmmuHist *hist, KvmmmuRecordKind event, gboolean latency,
                      guint64 interval_ns, gboolean interval_given)
{
  KvmmmuEventHist *eh = g_new0(KvmmmuEventHist, 1);

  eh->hist = hist;
  eh->event = event;
  eh->latency = latency;
  eh->interval_ns = interval_ns ? interval_ns : 1000000000ull;
  eh->interval_given = interval_given;
  return eh;
}

void
kvmmmu_event_hist_free(KvmmmuEventHist *eh)
{
  if (!eh)
    return;
  kvmmmu_rate_free(eh->events);
  kvmmmu_rate_free(eh->ticks);
  kvmmmu_hist_free(eh->hist);
  if (eh->series_runs)
    g_array_unref(eh->series_runs);
  if (eh->series_captures)
    g_array_unref(eh->series_captures);
  g_clear_error(&eh->error);
  g_free(eh);
}

void
kvmmmu_event_hist_keep_series(KvmmmuEventHist *eh)
{
  if (eh->latency || eh->series_runs)
    return;
  eh->series_runs = g_array_new(FALSE, FALSE, sizeof(KvmmmuSeriesRun));
  eh->series_captures = g_array_new(FALSE, FALSE, sizeof(KvmmmuSeriesCapture));
  eh->series_max_runs = KVMMMU_SERIES_MAX_RUNS;
}

/* n intervals of interval_ns with count events each, the next ones of the
 * capture being read, into the series; a run continues the last when it
 * can, since the window folds a long run in pieces. */
static void
series_add(KvmmmuEventHist *eh, guint64 count, guint64 n, guint64 interval_ns)
{
  guint capture;
  KvmmmuSeriesRun *last;

  if (!eh->series_runs || n == 0)
    return;
  capture = eh->series_captures->len - 1;
  g_array_index(eh->series_captures, KvmmmuSeriesCapture, capture).interval_ns = interval_ns;
  last = eh->series_runs->len
         ? &g_array_index(eh->series_runs, KvmmmuSeriesRun, eh->series_runs->len - 1) : NULL;
  /* Once runs are left out, none after them is kept: the series stays a
   * prefix of the intervals, without holes. */
  if (eh->series_left_out)
    eh->series_left_out += n;
  else if (last && last->capture == capture && last->count == count)
    last->n += n;
  else if (eh->series_runs->len < eh->series_max_runs) {
    KvmmmuSeriesRun run = { capture, eh->next_interval * interval_ns, n, count };

    g_array_append_val(eh->series_runs, run);
  } else
    eh->series_left_out += n;
  eh->next_interval += n;
}

/* kvm_mmu_load per interval from the counts the kernel made. */
static void
finish_ticks(KvmmmuEventHist *eh)
{
  guint64 group = 1, ticks = eh->max_tick, len;
  gboolean short_last;

  eh->used_load_rate = TRUE;
  if (eh->interval_given && eh->tick_interval_ns && eh->interval_ns != eh->tick_interval_ns) {
    if (eh->interval_ns % eh->tick_interval_ns != 0) {
      if (!eh->error)
        g_set_error(&eh->error, KVMMMU_MODEL_ERROR, KVMMMU_MODEL_ERROR_REGROUP,
                    "Cannot regroup load_rate counts of %" G_GUINT64_FORMAT
                    " ns intervals into --interval %" G_GUINT64_FORMAT
                    " ns: expected a multiple", eh->tick_interval_ns, eh->interval_ns);
      return;
    }
    group = eh->interval_ns / eh->tick_interval_ns;
  }
  len = eh->tick_interval_ns ? kvmmmu_count_mul(group, eh->tick_interval_ns) : eh->interval_ns;
  /* The script writes its last interval at exit, however short: a
   * partial interval counts only when it is all there is.  (In 128 bits:
   * interval_ns is the trace's u64.) */
  short_last = (unsigned __int128)eh->last_tick_ns * 10 < (unsigned __int128)eh->tick_interval_ns * 9;
  if (ticks > 1 && short_last) {
    ticks--;
    KVMMMU_COUNT_ADD(eh->partial_left_ns, eh->last_tick_ns);
  } else if (ticks == 1 && short_last)
    KVMMMU_COUNT_ADD(eh->partial_ns, eh->last_tick_ns);
  /* Ticks past the counts kept are empty: added at once, not one by one. */
  ticks = MIN(ticks, (guint64)KVMMMU_RATE_MAX_INTERVALS);
  KVMMMU_COUNT_ADD(eh->beyond_cap, eh->ticks->beyond_cap);
  {
    guint64 kept = MIN(ticks, (guint64)eh->ticks->counts->len), t;
    /* under --time, the ticks of the range: from the first one in it (a
     * vCPU's counts come every interval once it ran) */
    guint64 first = eh->windowed && eh->min_tick ? eh->min_tick - 1 : 0;

    for (t = first; t + group <= ticks && t < kept; t += group) {
      guint64 sum = 0;

      for (guint64 k = t; k < t + group; k++)
        if (k < kept)
          KVMMMU_COUNT_ADD(sum, g_array_index(eh->ticks->counts, guint64, k));
      kvmmmu_hist_add_u64(eh->hist, sum, 1);
      series_add(eh, sum, 1, len);
      eh->intervals++;
      KVMMMU_COUNT_ADD(eh->events_total, sum);
    }
    if (t + group <= ticks) {
      guint64 empty = (ticks - t) / group;

      kvmmmu_hist_add_n(eh->hist, 0, empty);
      series_add(eh, 0, empty, len);
      eh->intervals += empty;
    }
  }
}

/* Values of one capture into the histogram. */
static void
finish_capture(KvmmmuEventHist *eh)
{
  guint64 complete, n;

  if (!eh->open)
    return;
  eh->open = FALSE;
  if (eh->latency)
    return;
  /* the capture's end (its trailer passes any filter), or the range's */
  eh->end_ns = MIN(eh->end_ns, eh->window_to_ns);
  /* kvm_mmu_load per interval: per-event loads when the capture has them,
   * else the counts the kernel made (mmu_load_rate.stp). */
  if (eh->event == KVMMMU_RECORD_LOAD_RATE ||
      (eh->event == KVMMMU_RECORD_LOAD && eh->events->events == 0 && eh->max_tick > 0)) {
    finish_ticks(eh);
    return;
  }
  complete = kvmmmu_rate_complete(eh->events, eh->end_ns);
  n = MIN(complete, (guint64)KVMMMU_RATE_MAX_INTERVALS);
  KVMMMU_COUNT_ADD(eh->beyond_cap, eh->events->beyond_cap);
  /* A capture shorter than one interval still shows its one partial one. */
  if (complete == 0 && eh->events->events > 0) {
    n = 1;
    eh->partial_ns += eh->end_ns - eh->origin_ns;
  }
  /* what the window still holds, and the empty intervals after it */
  kvmmmu_rate_fold_until(eh->events, n);
  KVMMMU_COUNT_ADD(eh->late, eh->events->late);
}

/* An interval done with: into the histogram. */
static void
fold_interval(guint64 count, guint64 n, gpointer data)
{
  KvmmmuEventHist *eh = data;

  kvmmmu_hist_add_u64(eh->hist, count, n);
  series_add(eh, count, n, eh->interval_ns);
  KVMMMU_COUNT_ADD(eh->events_total, kvmmmu_count_mul(count, n));
  eh->intervals += n;
}

/* Intervals kept while reading: 10 s worth, at least 4096 (over an hour of
 * 1 s intervals) and at most 256Ki (2 x 2 MiB). */
static guint64
window_intervals(guint64 interval_ns)
{
  return CLAMP(10000000000ull / interval_ns, 4096, 256 * 1024);
}

/* A capture starts: the last one's values go in, and its counts start again. */
static G_GNUC_NO_INLINE void
start_capture(KvmmmuEventHist *eh, const KvmmmuRecord *rec)
{
  finish_capture(eh);
  g_clear_pointer(&eh->events, kvmmmu_rate_free);
  g_clear_pointer(&eh->ticks, kvmmmu_rate_free);
  eh->open = TRUE;
  eh->origin_ns = eh->end_ns = rec->u.header.start_ns;
  eh->window_to_ns = G_MAXUINT64;
  eh->min_tick = 0;
  eh->windowed = FALSE;
  {
    guint64 from, to;

    if (kvmmmu_filter_time_window(eh->filter, rec->u.header.start_ns, &from, &to)) {
      eh->windowed = TRUE;
      eh->origin_ns = eh->end_ns = MAX(from, rec->u.header.start_ns);
      eh->window_to_ns = to;
    }
  }
  eh->events = kvmmmu_rate_new(eh->origin_ns, eh->interval_ns);
  kvmmmu_rate_set_window(eh->events, window_intervals(eh->interval_ns), fold_interval, eh);
  eh->ticks = kvmmmu_rate_new(0, 1);
  eh->max_tick = 0;
  eh->tick_interval_ns = 0;
  eh->last_tick_ns = 0;
  eh->next_interval = 0;
  if (eh->series_captures) {
    KvmmmuSeriesCapture c = { eh->origin_ns, eh->interval_ns };

    g_array_append_val(eh->series_captures, c);
  }
}

/* A count the kernel made (mmu_load_rate.stp). */
static G_GNUC_NO_INLINE void
add_load_rate(KvmmmuEventHist *eh, const KvmmmuLoadRate *lr, guint64 ts_ns)
{
  /* under --time, an interval that began before the range (its record,
   * written at its end, is in it) is not the range's: left out */
  if (eh->windowed && (ts_ns < lr->interval_ns || ts_ns - lr->interval_ns < eh->origin_ns)) {
    KVMMMU_COUNT_ADD(eh->begun_before_ns, MIN(lr->interval_ns, ts_ns - MIN(ts_ns, eh->origin_ns)));
    return;
  }
  if (lr->tick > 0) {
    if (!eh->min_tick || lr->tick < eh->min_tick)
      eh->min_tick = lr->tick;
    kvmmmu_rate_add_at(eh->ticks, lr->tick - 1, lr->count);
    if (lr->tick >= eh->max_tick) {
      eh->max_tick = lr->tick;
      eh->last_tick_ns = lr->interval_ns;
    }
    eh->tick_interval_ns = MAX(eh->tick_interval_ns, lr->interval_ns);
  }
}

void
kvmmmu_event_hist_set_filter(KvmmmuEventHist *eh, const KvmmmuFilter *filter)
{
  eh->filter = filter;
}

void
kvmmmu_event_hist_add(KvmmmuEventHist *eh, const KvmmmuRecord *rec)
{
  /* Every record comes here; the rare cases are out of line, so the
   * common one (an event of another kind, or one to count) makes no call
   * but the count's. */
  if (G_UNLIKELY(rec->kind == KVMMMU_RECORD_HEADER)) {
    start_capture(eh, rec);
    return;
  }
  if (!eh->open || rec->kind > KVMMMU_RECORD_END)
    return; /* SystemTap's own lines carry no event time */
  eh->end_ns = MAX(eh->end_ns, rec->ts_ns);

  if (eh->latency) {
    if (rec->kind == KVMMMU_RECORD_LOAD)
      kvmmmu_hist_add_u64(eh->hist, rec->u.Load.dur_ns, 1);
    return;
  }
  if (G_UNLIKELY(rec->kind == KVMMMU_RECORD_LOAD_RATE)) {
    add_load_rate(eh, &rec->u.LoadRate, rec->ts_ns);
    return;
  }
  if (rec->kind == eh->event)
    kvmmmu_rate_add(eh->events, rec->ts_ns, 1);
}

gboolean
kvmmmu_event_hist_finish(KvmmmuEventHist *eh, GError **error)
{
  finish_capture(eh);
  if (eh->error) {
    g_propagate_error(error, g_steal_pointer(&eh->error));
    return FALSE;
  }
  return TRUE;
}

const char *
kvmmmu_event_hist_what(const KvmmmuEventHist *eh)
{
  if (eh->latency)
    return "kvm_mmu_load latency";
  if (eh->used_load_rate)
    return "kvm_mmu_load (counted in the kernel)";
  if (eh->event == KVMMMU_RECORD_LOAD)
    return "kvm_mmu_load";
  return kvmmmu_kind_name(eh->event);
}

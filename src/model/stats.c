/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/filter.h"
#include "model/stats.h"

/* One CPU's place in its seq, for the capture it was last seen in. */
typedef struct _KvmmmuCpuSeq {
  guint64 last_seq;     /* the last seq counted; 0 before any */
  guint64 dropped_walk; /* the last walk dropped for its seq: its steps go with it */
  guint capture;        /* stats->captures when this was set: older is stale */
} KvmmmuCpuSeq;

/* What the totals need of the captures: those of the captures past the
 * listed ones are kept so, folded together. */
typedef struct _KvmmmuCaptureSums {
  guint captures, unended, max_cpus;
  guint64 records_lost, span_ns, faults; /* saturating */
  guint64 window_span_ns;                /* span_ns cut to the filter's --time range */
  guint64 short_written, short_arrived;  /* of the captures short of their trailer */
  KvmmmuEnd end;                         /* the trailers summed, saturating */
  guint64 last_end_ns;                   /* the end of the last one added */
  char *file;                            /* the last folded capture's file */
} KvmmmuCaptureSums;

/* The header fields kvmmmu_stats_distinct() knows, by offset. */
static const gsize distinct_fields[] = {
  G_STRUCT_OFFSET(KvmmmuHeader, release),
  G_STRUCT_OFFSET(KvmmmuHeader, host),
  G_STRUCT_OFFSET(KvmmmuHeader, script),
  G_STRUCT_OFFSET(KvmmmuHeader, build_id),
};
G_STATIC_ASSERT(G_N_ELEMENTS(distinct_fields) == G_N_ELEMENTS(((KvmmmuStats *)0)->distinct));

KvmmmuStats *
kvmmmu_stats_new(void)
{
  KvmmmuStats *s = g_new0(KvmmmuStats, 1);

  s->vcpus = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  s->capture_list = g_array_new(FALSE, TRUE, sizeof(KvmmmuCapture));
  s->folded = g_new0(KvmmmuCaptureSums, 1);
  s->sync_calls = kvmmmu_sync_calls_new();
  for (guint f = 0; f < G_N_ELEMENTS(s->distinct); f++) {
    s->distinct[f] = g_ptr_array_new_with_free_func(g_free);
    s->distinct_seen[f] = g_hash_table_new(g_str_hash, g_str_equal); /* keys: distinct[f]'s */
  }
  return s;
}

static void
capture_clear(gpointer data)
{
  g_free(((KvmmmuCapture *)data)->file);
}

void
kvmmmu_stats_free(KvmmmuStats *s)
{
  if (!s)
    return;
  g_free(s->cpu_seq);
  g_hash_table_destroy(s->vcpus);
  for (guint i = 0; i < s->capture_list->len; i++)
    capture_clear(&g_array_index(s->capture_list, KvmmmuCapture, i));
  g_array_unref(s->capture_list);
  g_free(s->cur.file);
  g_free(s->folded->file);
  g_free(s->folded);
  kvmmmu_sync_calls_free(s->sync_calls);
  for (guint f = 0; f < G_N_ELEMENTS(s->distinct); f++) {
    g_hash_table_destroy(s->distinct_seen[f]);
    g_ptr_array_unref(s->distinct[f]);
  }
  g_free(s);
}

/* The rare halves of the two notes below, out of line: the common case
 * then needs no call, and no registers saved for one. */
/* FALSE when key is a vCPU past the limit: its record is counted as
 * such, every time, since it is not remembered. */
static G_GNUC_NO_INLINE gboolean
add_vcpu(KvmmmuStats *s, guint64 key)
{
  if (g_hash_table_contains(s->vcpus, &key))
    return TRUE;
  if (g_hash_table_size(s->vcpus) >= KVMMMU_STATS_VCPUS_MAX) {
    s->vcpu_records_over++;
    s->cur.vcpu_records_over++;
    return FALSE;
  }
  g_hash_table_add(s->vcpus, g_memdup2(&key, sizeof key));
  return TRUE;
}

/* The table grows to the highest CPU number seen, at most to the limit. */
static G_GNUC_NO_INLINE KvmmmuCpuSeq *
cpu_seq_grow(KvmmmuStats *s, guint32 cpu)
{
  guint n;

  if (cpu >= KVMMMU_STATS_MAX_CPUS)
    return NULL;
  n = MIN(MAX(MAX(64u, 2 * s->n_cpu_seq), cpu + 1), KVMMMU_STATS_MAX_CPUS);
  s->cpu_seq = g_renew(KvmmmuCpuSeq, s->cpu_seq, n);
  memset(s->cpu_seq + s->n_cpu_seq, 0, (n - s->n_cpu_seq) * sizeof *s->cpu_seq);
  s->n_cpu_seq = n;
  return &s->cpu_seq[cpu];
}

static G_GNUC_NO_INLINE void
cpu_seq_first(KvmmmuStats *s, KvmmmuCpuSeq *c)
{
  c->capture = s->captures;
  c->last_seq = 0;
  c->dropped_walk = 0;
  s->n_cpus++;
}

/* cpu's entry in the open capture; NULL past the limit (counted). */
static inline KvmmmuCpuSeq *
cpu_seq(KvmmmuStats *s, guint32 cpu)
{
  KvmmmuCpuSeq *c = G_LIKELY(cpu < s->n_cpu_seq) ? &s->cpu_seq[cpu] : cpu_seq_grow(s, cpu);

  if (G_UNLIKELY(!c)) {
    s->seq_unchecked++;
    s->cur.seq_unchecked++;
    return NULL;
  }
  /* seq numbers start again in each capture: no clearing, the entry of an
   * earlier capture is stale */
  if (G_UNLIKELY(c->capture != s->captures))
    cpu_seq_first(s, c);
  return c;
}

static inline void
note_vcpu(KvmmmuStats *s, guint64 kvm, guint32 vcpu)
{
  guint64 key = kvmmmu_vcpu_key(kvm, vcpu);
  guint64 *recent = &s->recent_vcpus[key % G_N_ELEMENTS(s->recent_vcpus)];

  /* Nearly every record names a vCPU seen just before: skip the hash. */
  if (G_LIKELY(*recent == key && key != 0))
    return;
  if (add_vcpu(s, key))
    *recent = key; /* only a key in vcpus: one past it is counted each time */
}

static G_GNUC_NO_INLINE void
note_gap(KvmmmuStats *s, guint64 missing)
{
  KVMMMU_COUNT_ADD(s->seq_missing, missing);
  KVMMMU_COUNT_ADD(s->cur.seq_missing, missing);
}

/* FALSE when seq is not above the CPU's last: the record is no news.
 * Else it is the CPU's last, and the numbers it skipped are missing. */
static inline gboolean
note_seq(KvmmmuStats *s, KvmmmuCpuSeq *c, guint64 seq)
{
  if (G_UNLIKELY(seq <= c->last_seq))
    return FALSE;
  if (G_UNLIKELY(seq - c->last_seq > 1))
    note_gap(s, seq - c->last_seq - 1);
  c->last_seq = seq;
  return TRUE;
}

guint64
kvmmmu_stats_cpu_last_seq(const KvmmmuStats *s, guint32 cpu)
{
  if (cpu >= s->n_cpu_seq || s->cpu_seq[cpu].capture != s->captures)
    return 0;
  return s->cpu_seq[cpu].last_seq;
}

/* SystemTap's own lines and the header: a few a capture. */
/* The running totals a capture's own counts are the difference of. */
static void
totals(const KvmmmuStats *s, KvmmmuCapture *t)
{
  memcpy(t->per_kind, s->per_kind, sizeof t->per_kind);
  t->pages = s->pages;
  t->walks_full = s->walks_full;
  t->sync_walks = s->sync_walks;
  t->sync_pages = s->sync_pages;
  t->sync_walks_full = s->sync_walks_full;
  t->n_cpus = s->n_cpus;
  t->lines_skipped = s->lines_skipped;
  t->steps_of_bad_walks = s->steps_of_bad_walks;
}

/* The open capture as it stands: its own counts. */
static void
open_capture(const KvmmmuStats *s, KvmmmuCapture *c)
{
  KvmmmuCapture now;

  *c = s->cur;
  totals(s, &now);
  for (guint k = 0; k < KVMMMU_RECORD_N_KINDS; k++)
    c->per_kind[k] = now.per_kind[k] - s->base.per_kind[k];
  c->pages = now.pages - s->base.pages;
  c->walks_full = now.walks_full - s->base.walks_full;
  c->sync_walks = now.sync_walks - s->base.sync_walks;
  c->sync_pages = now.sync_pages - s->base.sync_pages;
  c->sync_walks_full = now.sync_walks_full - s->base.sync_walks_full;
  c->n_cpus = now.n_cpus - s->base.n_cpus;
  /* seq_missing, seq_repeated and seq_unchecked are the capture's own in
   * s->cur: a saturated total has no differences */
  c->lines_skipped = now.lines_skipped - s->base.lines_skipped;
  c->steps_of_bad_walks = now.steps_of_bad_walks - s->base.steps_of_bad_walks;
  c->n_vcpus = g_hash_table_size(s->vcpus);
}

static gboolean
capture_is_open(const KvmmmuStats *s)
{
  return s->captures > s->capture_list->len + s->captures_folded;
}

/* The part of a capture's span in the filter's --time range. */
static guint64
window_span(const KvmmmuStats *s, const KvmmmuCapture *c)
{
  guint64 start = c->header.start_ns, from, to;
  guint64 end = kvmmmu_count_add(start, kvmmmu_capture_span_ns(c));

  if (!kvmmmu_filter_time_window(s->filter, start, &from, &to))
    return end - start;
  from = MAX(from, start);
  to = MIN(to, end);
  return to > from ? to - from : 0;
}

static void
sums_add(const KvmmmuStats *s, KvmmmuCaptureSums *t, const KvmmmuCapture *c)
{
  guint64 lost = kvmmmu_capture_records_lost(c);

  t->captures++;
  t->unended += !c->have_end;
  t->max_cpus = MAX(t->max_cpus, c->n_cpus);
  KVMMMU_COUNT_ADD(t->records_lost, lost);
  KVMMMU_COUNT_ADD(t->span_ns, kvmmmu_capture_span_ns(c));
  KVMMMU_COUNT_ADD(t->window_span_ns, window_span(s, c));
  KVMMMU_COUNT_ADD(t->faults, c->end.faults);
  if (lost) {
    KVMMMU_COUNT_ADD(t->short_written, c->end.records);
    KVMMMU_COUNT_ADD(t->short_arrived, c->arrived_at_end);
  }
  KVMMMU_COUNT_ADD(t->end.hits, c->end.hits);
  KVMMMU_COUNT_ADD(t->end.records, c->end.records);
  KVMMMU_COUNT_ADD(t->end.faults, c->end.faults);
  KVMMMU_COUNT_ADD(t->end.skipped, c->end.skipped);
  t->last_end_ns = c->have_end ? MAX(c->end_ts, c->last_ts) : c->last_ts;
}

/* Over every capture: the folded ones, the listed ones, the open one. */
static void
sums(const KvmmmuStats *s, KvmmmuCaptureSums *t)
{
  KvmmmuCapture c;

  *t = *s->folded;
  t->file = NULL;
  for (guint i = 0; i < s->capture_list->len; i++)
    sums_add(s, t, &g_array_index(s->capture_list, KvmmmuCapture, i));
  if (capture_is_open(s)) {
    open_capture(s, &c);
    sums_add(s, t, &c);
  }
}

static void
close_capture(KvmmmuStats *s)
{
  KvmmmuCapture c;

  if (!capture_is_open(s))
    return;
  open_capture(s, &c);
  s->cur.file = NULL; /* now c's */
  if (s->capture_list->len < KVMMMU_STATS_CAPTURES_LISTED) {
    g_array_append_val(s->capture_list, c);
  } else {
    sums_add(s, s->folded, &c);
    s->captures_folded++;
    /* kept until the next is folded: s->cur_file may point to it */
    g_free(s->folded->file);
    s->folded->file = c.file;
  }
  s->vcpus_closed += c.n_vcpus;
  g_hash_table_remove_all(s->vcpus);
  memset(s->recent_vcpus, 0, sizeof s->recent_vcpus);
}

static void
note_distinct(KvmmmuStats *s, const KvmmmuHeader *h)
{
  for (guint f = 0; f < G_N_ELEMENTS(distinct_fields); f++) {
    const char *v = (const char *)h + distinct_fields[f];

    if (!*v)
      v = "-";
    if (g_hash_table_contains(s->distinct_seen[f], v))
      continue;
    if (s->distinct[f]->len >= KVMMMU_STATS_DISTINCT_MAX) {
      s->distinct_more[f] = TRUE;
      continue;
    }
    g_ptr_array_add(s->distinct[f], g_strdup(v));
    g_hash_table_add(s->distinct_seen[f], g_ptr_array_index(s->distinct[f], s->distinct[f]->len - 1));
  }
}

static void
open_new_capture(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  const char *file = rec->file ? rec->file : "";

  close_capture(s);
  note_distinct(s, &rec->u.header);
  if (s->captures++ == 0)
    s->header = rec->u.header;
  /* a file's captures are numbered from 1 (compared by text: a later
   * reader's name may be where an earlier one's was freed) */
  if (!s->cur_file || strcmp(s->cur_file, file) != 0)
    s->in_file = 0;
  memset(&s->cur, 0, sizeof s->cur);
  s->cur.header = rec->u.header;
  s->cur.file = g_strdup(file);
  s->cur_file = s->cur.file;
  s->cur.index = s->captures;
  s->cur.index_in_file = ++s->in_file;
  totals(s, &s->base);
  s->base_event_records = s->event_records;
}

static G_GNUC_NO_INLINE void
add_other(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    open_new_capture(s, rec);
    kvmmmu_sync_calls_add(s->sync_calls, rec);
    return;
  case KVMMMU_RECORD_STAP_WARNING:
    s->stap_warning_lines++;
    KVMMMU_COUNT_ADD(s->stap_errors, rec->u.stap.errors);
    KVMMMU_COUNT_ADD(s->stap_skipped, rec->u.stap.skipped);
    return;
  case KVMMMU_RECORD_STAP_ERROR:
    s->stap_error_lines++;
    return;
  case KVMMMU_RECORD_STAP_TRANSPORT:
    KVMMMU_COUNT_ADD(s->stap_transport_failures, rec->u.stap.transport_failures);
    return;
  case KVMMMU_RECORD_STAP_REPORT:
    KVMMMU_COUNT_ADD(s->stap_lock_contention, rec->u.stap.contention);
    return;
  case KVMMMU_RECORD_PROBE_HIT:
    s->probe_hit_lines++;
    KVMMMU_COUNT_ADD(s->probe_hits_total, rec->u.stap.hits);
    s->probe_cycles_total += (double)rec->u.stap.hits * (double)rec->u.stap.avg_cycles;
    return;
  default:
    return;
  }
}

/* A record whose seq is not above its CPU's last: not counted.  A walk's
 * steps after it are dropped with it (they are on its CPU). */
static G_GNUC_NO_INLINE KvmmmuStatsVerdict
seq_not_above(KvmmmuStats *s, KvmmmuCpuSeq *c, const KvmmmuRecord *rec)
{
  s->seq_repeated++;
  s->cur.seq_repeated++;
  if (rec->kind == KVMMMU_RECORD_WALK)
    c->dropped_walk = rec->u.Walk.walk;
  return KVMMMU_STATS_SEQ_NOT_ABOVE;
}

static G_GNUC_NO_INLINE void
add_sync_walk(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  s->sync_walks++;
  s->sync_pages += rec->u.Walk.nr;
  if (rec->u.Walk.nr == KVMMMU_MAX_WALK_PAGES)
    s->sync_walks_full++;
  kvmmmu_sync_calls_add(s->sync_calls, rec);
}

static G_GNUC_NO_INLINE KvmmmuStatsVerdict
step_of_dropped_walk(KvmmmuStats *s)
{
  s->lines_skipped++;
  s->steps_of_bad_walks++;
  return KVMMMU_STATS_OF_DROPPED_WALK;
}

KvmmmuStatsVerdict
kvmmmu_stats_add(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  KvmmmuCpuSeq *c;

  if (G_UNLIKELY(rec->kind == KVMMMU_RECORD_HEADER || rec->kind >= KVMMMU_RECORD_STAP_WARNING)) {
    s->per_kind[rec->kind]++;
    add_other(s, rec);
    return KVMMMU_STATS_COUNTED;
  }

  /* event records: every line of a trace but a few */
  c = cpu_seq(s, rec->cpu);
  if (G_LIKELY(c)) {
    if (G_UNLIKELY(!note_seq(s, c, rec->seq)))
      return seq_not_above(s, c, rec);
    if (G_UNLIKELY(c->dropped_walk) && rec->kind == KVMMMU_RECORD_STEP &&
        rec->u.Step.walk == c->dropped_walk)
      return step_of_dropped_walk(s);
  }
  s->per_kind[rec->kind]++;
  if (G_UNLIKELY(rec->ts_ns < s->first_ts || s->first_ts == 0))
    s->first_ts = rec->ts_ns;
  if (rec->ts_ns > s->last_ts)
    s->last_ts = rec->ts_ns;
  if (G_UNLIKELY(rec->ts_ns < s->cur.first_ts || s->cur.first_ts == 0))
    s->cur.first_ts = rec->ts_ns;
  if (rec->ts_ns > s->cur.last_ts)
    s->cur.last_ts = rec->ts_ns;
  switch (rec->kind) {
  case KVMMMU_RECORD_WALK:
    s->pages += rec->u.Walk.nr;
    if (rec->u.Walk.nr == KVMMMU_MAX_WALK_PAGES)
      s->walks_full++;
    if (G_UNLIKELY(rec->u.Walk.sync))
      add_sync_walk(s, rec);
    break;
  case KVMMMU_RECORD_STEP:
    s->steps_parents += rec->u.Step.depth;
    /* a step of a sync walk: only CPUs that had one are followed */
    if (G_UNLIKELY(s->sync_calls->n_pending))
      kvmmmu_sync_calls_add(s->sync_calls, rec);
    break;
  case KVMMMU_RECORD_SYNC_CALL:
    kvmmmu_sync_calls_add(s->sync_calls, rec);
    break;
  case KVMMMU_RECORD_LOAD:
    note_vcpu(s, rec->u.Load.kvm, rec->u.Load.vcpu);
    break;
  case KVMMMU_RECORD_SWITCH:
    note_vcpu(s, rec->u.Switch.kvm, rec->u.Switch.vcpu);
    break;
  case KVMMMU_RECORD_VCPU_ROOT:
    note_vcpu(s, rec->u.VcpuRoot.kvm, rec->u.VcpuRoot.vcpu);
    break;
  case KVMMMU_RECORD_LOAD_RATE:
    note_vcpu(s, rec->u.LoadRate.kvm, rec->u.LoadRate.vcpu);
    break;
  case KVMMMU_RECORD_END:
    s->cur.have_end = TRUE;
    s->cur.end = rec->u.End;
    s->cur.end_ts = rec->ts_ns;
    s->end_ts = rec->ts_ns;
    s->cur.arrived_at_end = (s->event_records - s->base_event_records) +
                            (s->lines_skipped - s->base.lines_skipped);
    return KVMMMU_STATS_COUNTED;
  default:
    break;
  }
  s->event_records++;
  return KVMMMU_STATS_COUNTED;
}

void
kvmmmu_stats_note_skipped(KvmmmuStats *s, gboolean step_of_bad_walk, guint32 cpu, guint64 seq)
{
  KvmmmuCpuSeq *c = cpu_seq(s, cpu);

  if (step_of_bad_walk)
    s->steps_of_bad_walks++;
  /* A bad line that repeats an earlier one's seq did not arrive anew: the
   * trailer's count holds it once. */
  if (!c || note_seq(s, c, seq))
    s->lines_skipped++;
}

void
kvmmmu_stats_finish(KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  close_capture(s);
  sums(s, &t);
  s->have_end = t.captures > 0 && t.unended == 0;
  s->end = t.end;
}

guint
kvmmmu_stats_captures_listed(const KvmmmuStats *s)
{
  return MIN(s->captures, KVMMMU_STATS_CAPTURES_LISTED);
}

guint
kvmmmu_stats_captures_unlisted(const KvmmmuStats *s)
{
  return s->captures - kvmmmu_stats_captures_listed(s);
}

void
kvmmmu_stats_get_capture(const KvmmmuStats *s, guint i, KvmmmuCapture *out)
{
  g_return_if_fail(i < kvmmmu_stats_captures_listed(s));
  if (i == s->capture_list->len)
    open_capture(s, out); /* the open one, as it stands */
  else
    *out = g_array_index(s->capture_list, KvmmmuCapture, i);
}

void
kvmmmu_stats_trailer_short(const KvmmmuStats *s, guint64 *written, guint64 *arrived)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  *written = t.short_written;
  *arrived = t.short_arrived;
}

guint64
kvmmmu_capture_records_lost(const KvmmmuCapture *c)
{
  if (!c->have_end || c->end.records <= c->arrived_at_end)
    return 0;
  return c->end.records - c->arrived_at_end;
}

guint64
kvmmmu_capture_span_ns(const KvmmmuCapture *c)
{
  guint64 end = c->have_end ? MAX(c->end_ts, c->last_ts) : c->last_ts;

  return end > c->header.start_ns ? end - c->header.start_ns : 0;
}

guint64
kvmmmu_stats_records_lost(const KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  return t.records_lost;
}

guint64
kvmmmu_stats_end_ns(const KvmmmuStats *s)
{
  KvmmmuCapture c;

  if (s->captures == 0)
    return 0;
  if (capture_is_open(s))
    open_capture(s, &c);
  else if (s->captures_folded)
    return s->folded->last_end_ns; /* the last capture was folded */
  else
    c = g_array_index(s->capture_list, KvmmmuCapture, s->capture_list->len - 1);
  return c.have_end ? MAX(c.end_ts, c.last_ts) : c.last_ts;
}

guint64
kvmmmu_stats_span_ns(const KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  return t.span_ns;
}

void
kvmmmu_stats_set_filter(KvmmmuStats *s, const KvmmmuFilter *filter)
{
  s->filter = filter;
}

guint64
kvmmmu_stats_window_span_ns(const KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  return t.window_span_ns;
}

guint
kvmmmu_stats_captures_unended(const KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  return t.unended;
}

guint
kvmmmu_stats_max_cpus(const KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  return t.max_cpus;
}

guint
kvmmmu_stats_n_vcpus(const KvmmmuStats *s)
{
  return s->vcpus_closed + (capture_is_open(s) ? g_hash_table_size(s->vcpus) : 0);
}

guint64
kvmmmu_stats_faults(const KvmmmuStats *s)
{
  KvmmmuCaptureSums t;

  sums(s, &t);
  return t.faults;
}

gboolean
kvmmmu_stats_lossy(const KvmmmuStats *s)
{
  return s->seq_missing || s->bulk_missing || kvmmmu_stats_records_lost(s) || s->stap_errors ||
         s->stap_skipped || s->stap_transport_failures || kvmmmu_stats_faults(s);
}

/* The distinct values of one header field over the captures, ", "-joined. */
char *
kvmmmu_stats_distinct(const KvmmmuStats *s, gsize offset)
{
  g_autoptr(GString) out = g_string_new("");

  for (guint f = 0; f < G_N_ELEMENTS(distinct_fields); f++) {
    if (distinct_fields[f] != offset)
      continue;
    for (guint i = 0; i < s->distinct[f]->len; i++)
      g_string_append_printf(out, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(s->distinct[f], i));
    if (s->distinct_more[f])
      g_string_append(out, ", and more");
    return g_strdup(out->str);
  }
  g_return_val_if_reached(g_strdup(""));
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/stats.h"

KvmmmuStats *
kvmmmu_stats_new(void)
{
  KvmmmuStats *s = g_new0(KvmmmuStats, 1);

  s->next_seq = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  s->vcpus = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  return s;
}

void
kvmmmu_stats_free(KvmmmuStats *s)
{
  if (!s)
    return;
  g_hash_table_destroy(s->next_seq);
  g_hash_table_destroy(s->vcpus);
  g_free(s);
}

/* The rare halves of the two notes below, out of line: the common case
 * then needs no call, and no registers saved for one. */
static G_GNUC_NO_INLINE void
add_vcpu(KvmmmuStats *s, guint64 key)
{
  if (!g_hash_table_contains(s->vcpus, &key))
    g_hash_table_add(s->vcpus, g_memdup2(&key, sizeof key));
}

static G_GNUC_NO_INLINE guint64 *
next_seq_high(KvmmmuStats *s, guint32 cpu)
{
  guint64 *next = g_hash_table_lookup(s->next_seq, GUINT_TO_POINTER(cpu));

  if (!next) {
    next = g_new0(guint64, 1);
    g_hash_table_insert(s->next_seq, GUINT_TO_POINTER(cpu), next);
  }
  return next;
}

static inline void
note_vcpu(KvmmmuStats *s, guint64 kvm, guint32 vcpu)
{
  guint64 key = kvmmmu_vcpu_key(kvm, vcpu);
  guint64 *recent = &s->recent_vcpus[key % G_N_ELEMENTS(s->recent_vcpus)];

  /* Nearly every record names a vCPU seen just before: skip the hash. */
  if (G_LIKELY(*recent == key && key != 0))
    return;
  add_vcpu(s, key);
  *recent = key;
}

static inline void
note_seq(KvmmmuStats *s, guint32 cpu, guint64 seq)
{
  guint64 *next = G_LIKELY(cpu < G_N_ELEMENTS(s->next_seq_low)) ? &s->next_seq_low[cpu]
                                                                 : next_seq_high(s, cpu);

  if (G_UNLIKELY(*next == 0)) {
    *next = 1;
    s->n_cpus++;
  }
  if (G_UNLIKELY(seq != *next)) {
    if (seq > *next)
      s->seq_missing += seq - *next;
    else
      s->seq_backwards++;
  }
  *next = MAX(*next, seq + 1);
}

/* SystemTap's own lines and the header: a few a capture. */
static G_GNUC_NO_INLINE void
add_other(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    if (s->captures++ == 0)
      s->header = rec->u.header;
    /* seq numbers start again in each capture */
    memset(s->next_seq_low, 0, sizeof s->next_seq_low);
    g_hash_table_remove_all(s->next_seq);
    return;
  case KVMMMU_RECORD_STAP_WARNING:
    s->stap_warning_lines++;
    s->stap_errors += rec->u.stap.errors;
    s->stap_skipped += rec->u.stap.skipped;
    return;
  case KVMMMU_RECORD_STAP_ERROR:
    s->stap_error_lines++;
    return;
  case KVMMMU_RECORD_STAP_TRANSPORT:
    s->stap_transport_failures += rec->u.stap.transport_failures;
    return;
  case KVMMMU_RECORD_STAP_REPORT:
    s->stap_lock_contention += rec->u.stap.contention;
    return;
  case KVMMMU_RECORD_PROBE_HIT:
    s->probe_hit_lines++;
    s->probe_hits_total += rec->u.stap.hits;
    s->probe_cycles_total += (double)rec->u.stap.hits * (double)rec->u.stap.avg_cycles;
    return;
  default:
    return;
  }
}

void
kvmmmu_stats_add(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  s->per_kind[rec->kind]++;
  if (G_UNLIKELY(rec->kind == KVMMMU_RECORD_HEADER || rec->kind >= KVMMMU_RECORD_STAP_WARNING)) {
    add_other(s, rec);
    return;
  }

  /* event records: every line of a trace but a few */
  if (G_UNLIKELY(rec->ts_ns < s->first_ts || s->first_ts == 0))
    s->first_ts = rec->ts_ns;
  if (rec->ts_ns > s->last_ts)
    s->last_ts = rec->ts_ns;
  note_seq(s, rec->cpu, rec->seq);
  switch (rec->kind) {
  case KVMMMU_RECORD_WALK:
    s->pages += rec->u.Walk.nr;
    if (rec->u.Walk.nr == KVMMMU_MAX_WALK_PAGES)
      s->walks_full++;
    break;
  case KVMMMU_RECORD_STEP:
    s->steps_parents += rec->u.Step.depth;
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
    s->have_end = TRUE;
    s->end = rec->u.End;
    s->end_ts = rec->ts_ns;
    s->records_at_end = s->event_records + s->lines_skipped;
    return;
  default:
    break;
  }
  s->event_records++;
}

void
kvmmmu_stats_note_skipped(KvmmmuStats *s, gboolean step_of_bad_walk, guint32 cpu, guint64 seq)
{
  note_seq(s, cpu, seq);
  s->lines_skipped++;
  if (step_of_bad_walk)
    s->steps_of_bad_walks++;
}

guint64
kvmmmu_stats_records_lost(const KvmmmuStats *s)
{
  /* Only meaningful for a single capture: the trailer counts its own. */
  if (!s->have_end || s->captures != 1 || s->end.records <= s->records_at_end)
    return 0;
  return s->end.records - s->records_at_end;
}

guint64
kvmmmu_stats_end_ns(const KvmmmuStats *s)
{
  return s->have_end ? MAX(s->end_ts, s->last_ts) : s->last_ts;
}

guint64
kvmmmu_stats_span_ns(const KvmmmuStats *s)
{
  guint64 end = kvmmmu_stats_end_ns(s);

  return end > s->header.start_ns ? end - s->header.start_ns : 0;
}

guint
kvmmmu_stats_n_vcpus(const KvmmmuStats *s)
{
  return g_hash_table_size(s->vcpus);
}

gboolean
kvmmmu_stats_lossy(const KvmmmuStats *s)
{
  return s->seq_missing || s->bulk_missing || kvmmmu_stats_records_lost(s) || s->stap_errors ||
         s->stap_skipped || s->stap_transport_failures ||
         (s->have_end && s->end.faults);
}

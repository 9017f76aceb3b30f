/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/stats.h"

KvmmmuStats *
kvmmmu_stats_new(void)
{
  KvmmmuStats *s = g_new0(KvmmmuStats, 1);

  s->next_seq = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  s->vcpus = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  s->capture_list = g_array_new(FALSE, TRUE, sizeof(KvmmmuCapture));
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
  g_hash_table_destroy(s->next_seq);
  g_hash_table_destroy(s->vcpus);
  for (guint i = 0; i < s->capture_list->len; i++)
    capture_clear(&g_array_index(s->capture_list, KvmmmuCapture, i));
  g_array_unref(s->capture_list);
  g_free(s->cur.file);
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
/* The running totals a capture's own counts are the difference of. */
static void
totals(const KvmmmuStats *s, KvmmmuCapture *t)
{
  memcpy(t->per_kind, s->per_kind, sizeof t->per_kind);
  t->pages = s->pages;
  t->walks_full = s->walks_full;
  t->n_cpus = s->n_cpus;
  t->seq_missing = s->seq_missing;
  t->seq_backwards = s->seq_backwards;
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
  c->n_cpus = now.n_cpus - s->base.n_cpus;
  c->seq_missing = now.seq_missing - s->base.seq_missing;
  c->seq_backwards = now.seq_backwards - s->base.seq_backwards;
  c->lines_skipped = now.lines_skipped - s->base.lines_skipped;
  c->steps_of_bad_walks = now.steps_of_bad_walks - s->base.steps_of_bad_walks;
  c->n_vcpus = g_hash_table_size(s->vcpus);
}

static void
close_capture(KvmmmuStats *s)
{
  KvmmmuCapture c;

  if (s->captures == s->capture_list->len)
    return; /* none open */
  open_capture(s, &c);
  s->cur.file = NULL; /* now c's */
  g_array_append_val(s->capture_list, c);
  s->vcpus_closed += c.n_vcpus;
  g_hash_table_remove_all(s->vcpus);
  memset(s->recent_vcpus, 0, sizeof s->recent_vcpus);
}

static void
open_new_capture(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  const char *file = rec->file ? rec->file : "";

  close_capture(s);
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
  /* seq numbers start again in each capture */
  memset(s->next_seq_low, 0, sizeof s->next_seq_low);
  g_hash_table_remove_all(s->next_seq);
}

static G_GNUC_NO_INLINE void
add_other(KvmmmuStats *s, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    open_new_capture(s, rec);
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
  if (G_UNLIKELY(rec->ts_ns < s->cur.first_ts || s->cur.first_ts == 0))
    s->cur.first_ts = rec->ts_ns;
  if (rec->ts_ns > s->cur.last_ts)
    s->cur.last_ts = rec->ts_ns;
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
    s->cur.have_end = TRUE;
    s->cur.end = rec->u.End;
    s->cur.end_ts = rec->ts_ns;
    s->end_ts = rec->ts_ns;
    s->cur.arrived_at_end = (s->event_records - s->base_event_records) +
                            (s->lines_skipped - s->base.lines_skipped);
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

void
kvmmmu_stats_finish(KvmmmuStats *s)
{
  close_capture(s);
  s->have_end = s->capture_list->len > 0;
  memset(&s->end, 0, sizeof s->end);
  for (guint i = 0; i < s->capture_list->len; i++) {
    const KvmmmuCapture *c = &g_array_index(s->capture_list, KvmmmuCapture, i);

    s->have_end = s->have_end && c->have_end;
    s->end.hits += c->end.hits;
    s->end.records += c->end.records;
    s->end.faults += c->end.faults;
    s->end.skipped += c->end.skipped;
  }
}

void
kvmmmu_stats_get_capture(const KvmmmuStats *s, guint i, KvmmmuCapture *out)
{
  g_return_if_fail(i < s->captures);
  if (i == s->capture_list->len)
    open_capture(s, out); /* the open one, as it stands */
  else
    *out = g_array_index(s->capture_list, KvmmmuCapture, i);
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
  guint64 lost = 0;

  KvmmmuCapture c;

  for (guint i = 0; i < s->captures; i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    lost += kvmmmu_capture_records_lost(&c);
  }
  return lost;
}

guint64
kvmmmu_stats_end_ns(const KvmmmuStats *s)
{
  KvmmmuCapture c;

  if (s->captures == 0)
    return 0;
  kvmmmu_stats_get_capture(s, s->captures - 1, &c);
  return c.have_end ? MAX(c.end_ts, c.last_ts) : c.last_ts;
}

guint64
kvmmmu_stats_span_ns(const KvmmmuStats *s)
{
  guint64 span = 0;
  KvmmmuCapture c;

  for (guint i = 0; i < s->captures; i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    span += kvmmmu_capture_span_ns(&c);
  }
  return span;
}

guint
kvmmmu_stats_captures_unended(const KvmmmuStats *s)
{
  guint n = 0;
  KvmmmuCapture c;

  for (guint i = 0; i < s->captures; i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    n += !c.have_end;
  }
  return n;
}

guint
kvmmmu_stats_max_cpus(const KvmmmuStats *s)
{
  guint n = 0;
  KvmmmuCapture c;

  for (guint i = 0; i < s->captures; i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    n = MAX(n, c.n_cpus);
  }
  return n;
}

guint
kvmmmu_stats_n_vcpus(const KvmmmuStats *s)
{
  return s->vcpus_closed + (s->captures > s->capture_list->len ? g_hash_table_size(s->vcpus) : 0);
}

guint64
kvmmmu_stats_faults(const KvmmmuStats *s)
{
  KvmmmuCapture c;
  guint64 n = 0;

  for (guint i = 0; i < s->captures; i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    n += c.end.faults;
  }
  return n;
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
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func(g_free);
  KvmmmuCapture c;

  for (guint i = 0; i < s->captures; i++) {
    const char *v;

    kvmmmu_stats_get_capture(s, i, &c);
    v = (const char *)&c.header + offset;
    if (!*v)
      v = "-";
    if (g_hash_table_contains(seen, v))
      continue;
    g_ptr_array_add(held, g_strdup(v));
    g_hash_table_add(seen, g_ptr_array_index(held, held->len - 1));
    g_string_append_printf(out, "%s%s", out->len ? ", " : "", v);
  }
  return g_strdup(out->str);
}

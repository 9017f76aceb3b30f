/* SPDX-License-Identifier: GPL-2.0-or-later */
/* summary.c - what a capture holds and what it lost. */
#include <string.h>

#include "render/render-private.h"

/* Event kinds in the order records.h lists them. */
static const KvmmmuRecordKind event_kinds[] = {
#define X_KIND(E, kw, N, F, I, M) KVMMMU_RECORD_##E,
  KVMMMU_EVENT_KINDS(X_KIND)
#undef X_KIND
};

void
kvmmmu_render_loss_note(GString *out, const KvmmmuStats *s)
{
  gboolean any = FALSE;
  guint64 written, arrived, n_faults = kvmmmu_stats_faults(s);

  if (!kvmmmu_stats_lossy(s))
    return;
  kvmmmu_stats_trailer_short(s, &written, &arrived);
  g_string_append(out, "lost:");
/* A count that saturated (format/count.h) is that many or more. */
#define LOSS(cond, ...)                                                     \
  if (cond) {                                                               \
    g_string_append_printf(out, "%s", any ? "," : "");                      \
    g_string_append_printf(out, __VA_ARGS__);                               \
    any = TRUE;                                                             \
  }
#define N "%s%" G_GUINT64_FORMAT
#define V(v) kvmmmu_render_at_least(v), (v)
  LOSS(s->seq_missing, " " N " records missing (gaps in per-CPU seq)", V(s->seq_missing));
  LOSS(s->bulk_missing, " %" G_GUINT64_FORMAT " bulk-mode flushes missing (gaps in their sequence)",
       s->bulk_missing);
  LOSS(written, " trailer counts " N " records written, %" G_GUINT64_FORMAT " arrived",
       V(written), arrived);
  LOSS(n_faults, " " N " records dropped on kernel read faults", V(n_faults));
  LOSS(s->stap_errors, " stap reported " N " errors", V(s->stap_errors));
  LOSS(s->stap_skipped, " stap skipped " N " probes", V(s->stap_skipped));
  LOSS(s->stap_transport_failures, " " N " transport failures", V(s->stap_transport_failures));
#undef V
#undef N
#undef LOSS
  g_string_append_c(out, '\n');
}

static guint64
event_total(const guint64 *per_kind)
{
  guint64 total = 0;

  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    total += per_kind[event_kinds[i]];
  return total;
}

/* One line a capture, for a summary of several. */
static void
capture_text(GString *out, const KvmmmuCapture *c)
{
  guint64 lost = kvmmmu_capture_records_lost(c);

  g_string_append_printf(out, "capture %u: %s (capture %u of the file): kernel %s, host %s, script %s\n",
                         c->index, c->file, c->index_in_file, c->header.release, c->header.host,
                         c->header.script[0] ? c->header.script : "-");
  g_string_append_printf(out, "  span %.6fs, %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT
                         " walks (%" G_GUINT64_FORMAT " pages, %" G_GUINT64_FORMAT
                         " with a full 16-page array), ",
                         kvmmmu_capture_span_ns(c) / 1e9, event_total(c->per_kind),
                         c->per_kind[KVMMMU_RECORD_WALK] - c->sync_walks, c->pages - c->sync_pages,
                         c->walks_full - c->sync_walks_full);
  if (c->sync_walks)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " sync walks (%" G_GUINT64_FORMAT " pages), ",
                           c->sync_walks, c->sync_pages);
  g_string_append_printf(out, "%u vcpus, %u cpus\n", c->n_vcpus, c->n_cpus);
  if (c->have_end)
    g_string_append_printf(out, "  trailer: hits %" G_GUINT64_FORMAT ", records %" G_GUINT64_FORMAT
                           ", faults %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT,
                           c->end.hits, c->end.records, c->end.faults, c->end.skipped);
  else
    g_string_append(out, "  trailer: none (the capture did not end cleanly)");
  if (c->seq_missing || lost || c->end.faults)
    g_string_append_printf(out, "; lost: %s%" G_GUINT64_FORMAT " seq gaps, %" G_GUINT64_FORMAT
                           " short of the trailer, %" G_GUINT64_FORMAT " faults",
                           kvmmmu_render_at_least(c->seq_missing), c->seq_missing, lost,
                           c->end.faults);
  else
    g_string_append(out, "; lost: nothing");
  if (c->seq_repeated)
    g_string_append_printf(out, "; %" G_GUINT64_FORMAT " records not counted (seq not above "
                           "their CPU's last)", c->seq_repeated);
  if (c->seq_unchecked)
    g_string_append_printf(out, "; %" G_GUINT64_FORMAT " lines from CPUs numbered %u or above "
                           "(seq unchecked)", c->seq_unchecked, KVMMMU_STATS_MAX_CPUS);
  if (c->vcpu_records_over)
    g_string_append_printf(out, "; %" G_GUINT64_FORMAT " records of vCPUs past the first %u "
                           "(their vCPUs not counted)", c->vcpu_records_over, KVMMMU_STATS_VCPUS_MAX);
  g_string_append_c(out, '\n');
}

void
kvmmmu_render_sync_text(GString *out, const KvmmmuStats *s)
{
  const KvmmmuSyncCalls *sc = s->sync_calls;

  if (!s->sync_walks && !sc->calls)
    return;
  g_string_append_printf(out, "sync walks: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                         " pages, %" G_GUINT64_FORMAT " with a full 16-page array)\n",
                         s->sync_walks, s->sync_pages, s->sync_walks_full);
  g_string_append_printf(out, "sync calls: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                         " with no walk): %" G_GUINT64_FORMAT " walks, %" G_GUINT64_FORMAT
                         " leaves, %" G_GUINT64_FORMAT " returned -EINTR, %" G_GUINT64_FORMAT
                         " yielded mmu_lock (%" G_GUINT64_FORMAT " yields)",
                         sc->calls, sc->calls_no_walk, sc->walks, sc->leaves, sc->eintr,
                         sc->calls_yielded, sc->yields);
  if (sc->ret_other)
    g_string_append_printf(out, ", %" G_GUINT64_FORMAT " returned another value", sc->ret_other);
  g_string_append_c(out, '\n');
  if (!sc->calls)
    return;
  /* hist's statistics line, its notes on approximate percentiles too */
  g_string_append(out, "  dur_ns:  ");
  kvmmmu_render_hist_stats(out, sc->dur_ns);
  g_string_append(out, "  held_ns: ");
  kvmmmu_render_hist_stats(out, sc->held_ns);
}

void
kvmmmu_render_summary_text(GString *out, const KvmmmuStats *s, guint64 walks, guint64 bad_lines)
{
  const KvmmmuHeader *h = &s->header;
  gboolean many = s->captures > 1;
  guint unended = kvmmmu_stats_captures_unended(s);

  if (many) {
    g_autofree char *kernels = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, release));
    g_autofree char *hosts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, host));
    g_autofree char *scripts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, script));

    g_string_append_printf(out, "kernel:   %s\nhost:     %s\nscript:   %s\ncaptures: %u\n",
                           kernels, hosts, scripts, s->captures);
    g_string_append_printf(out, "span:     %.6fs (the captures' spans summed)\n",
                           kvmmmu_stats_span_ns(s) / 1e9);
  } else {
    g_string_append_printf(out, "kernel:   %s\nhost:     %s\nscript:   %s\ncaptures: %u\n",
                           h->release, h->host, h->script[0] ? h->script : "-", s->captures);
    g_string_append_printf(out, "span:     %.6fs\n", kvmmmu_stats_span_ns(s) / 1e9);
  }
  g_string_append_printf(out, "records:  %" G_GUINT64_FORMAT "\n", event_total(s->per_kind));
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    g_string_append_printf(out, "  %-10s %" G_GUINT64_FORMAT "\n", kvmmmu_kind_name(event_kinds[i]),
                           s->per_kind[event_kinds[i]]);
  g_string_append_printf(out, "walks:    %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                         " pages, %" G_GUINT64_FORMAT " with a full 16-page array)\n",
                         walks, s->pages - s->sync_pages, s->walks_full - s->sync_walks_full);
  kvmmmu_render_sync_text(out, s);
  if (many)
    g_string_append_printf(out, "vcpus:    %u (summed over the captures)\ncpus:     %u (the most in one capture)\n",
                           kvmmmu_stats_n_vcpus(s), kvmmmu_stats_max_cpus(s));
  else
    g_string_append_printf(out, "vcpus:    %u\ncpus:     %u\n", kvmmmu_stats_n_vcpus(s), s->n_cpus);
  if (s->seq_unchecked)
    g_string_append_printf(out, "          and %" G_GUINT64_FORMAT " lines from CPUs numbered %u "
                           "or above: no x86-64 kernel has them; their seq and CPUs are not "
                           "checked or counted\n", s->seq_unchecked, KVMMMU_STATS_MAX_CPUS);
  if (s->vcpu_records_over)
    g_string_append_printf(out, "          and %" G_GUINT64_FORMAT " records of vCPUs past the first "
                           "%u of a capture: those vCPUs are not counted, the vcpus are more\n",
                           s->vcpu_records_over, KVMMMU_STATS_VCPUS_MAX);
  if (unended == s->captures)
    g_string_append_printf(out, "trailer:  none (the capture%s did not end cleanly)\n",
                           many ? "s" : "");
  else {
    g_string_append_printf(out, "trailer:  hits %s%" G_GUINT64_FORMAT ", records %s%" G_GUINT64_FORMAT
                           ", faults %s%" G_GUINT64_FORMAT ", skipped %s%" G_GUINT64_FORMAT,
                           kvmmmu_render_at_least(s->end.hits), s->end.hits,
                           kvmmmu_render_at_least(s->end.records), s->end.records,
                           kvmmmu_render_at_least(s->end.faults), s->end.faults,
                           kvmmmu_render_at_least(s->end.skipped), s->end.skipped);
    if (many)
      g_string_append_printf(out, " (summed; %u of %u captures without one)", unended, s->captures);
    g_string_append_c(out, '\n');
    g_autofree char *scripts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, script));

    if (s->end.skipped)
      g_string_append_printf(out, "          skipped: probe hits the script chose not to record, not a loss%s\n",
                             strstr(scripts, "root_hpa")
                               ? " (root_hpa reads each vCPU's root once a snapshot and skips the KVM_RUN entries between)"
                               : "");
  }
  if (s->stap_warning_lines || s->stap_error_lines || s->stap_transport_failures) {
    guint64 errors = kvmmmu_count_add(s->stap_error_lines, s->stap_errors);

    g_string_append_printf(out, "stap:     %" G_GUINT64_FORMAT " warnings, %s%" G_GUINT64_FORMAT
                           " errors, %s%" G_GUINT64_FORMAT " skipped probes, %s%" G_GUINT64_FORMAT
                           " transport failures\n",
                           s->stap_warning_lines, kvmmmu_render_at_least(errors), errors,
                           kvmmmu_render_at_least(s->stap_skipped), s->stap_skipped,
                           kvmmmu_render_at_least(s->stap_transport_failures),
                           s->stap_transport_failures);
  }
  if (s->probe_hit_lines)
    g_string_append_printf(out, "probes:   %" G_GUINT64_FORMAT " in the hit report, %"
                           G_GUINT64_FORMAT " hits, %.0f cycles, %" G_GUINT64_FORMAT
                           " lock contentions\n",
                           s->probe_hit_lines, s->probe_hits_total, s->probe_cycles_total,
                           s->stap_lock_contention);
  g_string_append_printf(out, "bad lines: %" G_GUINT64_FORMAT, bad_lines);
  if (s->seq_repeated)
    g_string_append_printf(out, " (%" G_GUINT64_FORMAT " of them records whose seq is not above "
                           "their CPU's last: repeated or out of order, not counted)",
                           s->seq_repeated);
  if (s->steps_of_bad_walks)
    g_string_append_printf(out, " (and %" G_GUINT64_FORMAT " valid steps dropped with their bad walk line)",
                           s->steps_of_bad_walks);
  g_string_append_c(out, '\n');
  if (kvmmmu_stats_lossy(s))
    kvmmmu_render_loss_note(out, s);
  else
    g_string_append(out, "lost:     nothing\n");
  if (many) {
    KvmmmuCapture c;

    g_string_append(out, "\nper capture (walk ids and seq numbers start again in each):\n");
    for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
      kvmmmu_stats_get_capture(s, i, &c);
      capture_text(out, &c);
    }
    if (kvmmmu_stats_captures_unlisted(s))
      g_string_append_printf(out, "%u captures not listed (past the first %u; in the totals above)\n",
                             kvmmmu_stats_captures_unlisted(s), KVMMMU_STATS_CAPTURES_LISTED);
  }
}

gboolean
kvmmmu_render_stats_limits(GString *out, const KvmmmuStats *s)
{
  if (s->vcpu_records_over)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " records of vCPUs past the first %u of a "
                           "capture: those vCPUs are not counted\n", s->vcpu_records_over,
                           KVMMMU_STATS_VCPUS_MAX);
  if (s->seq_unchecked)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " lines from CPUs numbered %u or above: "
                           "their seq and CPUs are not checked or counted\n", s->seq_unchecked,
                           KVMMMU_STATS_MAX_CPUS);
  return s->vcpu_records_over || s->seq_unchecked;
}

/* CSV: capture,key,value; capture "all" for the totals first, then each
 * capture's own by its number. */
static void
csv_row(GString *out, const char *capture, const char *key, guint64 v)
{
  g_string_append_printf(out, "%s,%s,%" G_GUINT64_FORMAT "\n", capture, key, v);
}

static void
csv_text(GString *out, const char *capture, const char *key, const char *v)
{
  g_autofree char *q = kvmmmu_csv_quote(v);

  g_string_append_printf(out, "%s,%s,%s\n", capture, key, q);
}

static void
csv_capture(GString *out, const char *id, const KvmmmuCapture *c)
{
  csv_text(out, id, "file", c->file);
  csv_row(out, id, "index_in_file", c->index_in_file);
  csv_text(out, id, "kernel", c->header.release);
  csv_text(out, id, "host", c->header.host);
  csv_text(out, id, "script", c->header.script);
  csv_row(out, id, "span_ns", kvmmmu_capture_span_ns(c));
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++) {
    g_autofree char *key = g_strdup_printf("records_%s", kvmmmu_kind_name(event_kinds[i]));
    csv_row(out, id, key, c->per_kind[event_kinds[i]]);
  }
  csv_row(out, id, "walks", c->per_kind[KVMMMU_RECORD_WALK] - c->sync_walks);
  csv_row(out, id, "pages", c->pages - c->sync_pages);
  csv_row(out, id, "walks_full", c->walks_full - c->sync_walks_full);
  csv_row(out, id, "sync_walks", c->sync_walks);
  csv_row(out, id, "sync_pages", c->sync_pages);
  csv_row(out, id, "sync_walks_full", c->sync_walks_full);
  csv_row(out, id, "vcpus", c->n_vcpus);
  csv_row(out, id, "cpus", c->n_cpus);
  csv_row(out, id, "trailer", c->have_end);
  csv_row(out, id, "trailer_hits", c->end.hits);
  csv_row(out, id, "trailer_records", c->end.records);
  csv_row(out, id, "trailer_faults", c->end.faults);
  csv_row(out, id, "trailer_skipped", c->end.skipped);
  csv_row(out, id, "seq_missing", c->seq_missing);
  csv_row(out, id, "records_lost", kvmmmu_capture_records_lost(c));
  csv_row(out, id, "lines_skipped", c->lines_skipped);
  csv_row(out, id, "steps_of_bad_walks", c->steps_of_bad_walks);
  csv_row(out, id, "seq_repeated", c->seq_repeated);
  csv_row(out, id, "seq_unchecked", c->seq_unchecked);
  csv_row(out, id, "records_of_vcpus_not_kept", c->vcpu_records_over);
}

/* The sync calls' counts, and their durations' percentiles (empty cells
 * when there are no calls, as hist's CSV leaves them). */
static void
csv_sync_calls(GString *out, const KvmmmuSyncCalls *sc)
{
  const KvmmmuHist *hists[] = { sc->dur_ns, sc->held_ns };
  const char *names[] = { "sync_call_dur_ns", "sync_call_held_ns" };

  csv_row(out, "all", "sync_calls", sc->calls);
  csv_row(out, "all", "sync_calls_no_walk", sc->calls_no_walk);
  csv_row(out, "all", "sync_call_walks", sc->walks);
  csv_row(out, "all", "sync_call_leaves", sc->leaves);
  csv_row(out, "all", "sync_calls_eintr", sc->eintr);
  csv_row(out, "all", "sync_calls_yielded", sc->calls_yielded);
  csv_row(out, "all", "sync_call_yields", sc->yields);
  for (guint i = 0; i < G_N_ELEMENTS(hists); i++) {
    KvmmmuHistStats st;
    const gint64 *v[] = { &st.p50, &st.p90, &st.p99, &st.max };
    const char *pct[] = { "p50", "p90", "p99", "max" };

    kvmmmu_hist_stats(hists[i], &st);
    for (guint k = 0; k < G_N_ELEMENTS(v); k++) {
      if (st.count)
        g_string_append_printf(out, "all,%s_%s,%" G_GINT64_FORMAT "\n", names[i], pct[k], *v[k]);
      else
        g_string_append_printf(out, "all,%s_%s,\n", names[i], pct[k]);
    }
  }
}

void
kvmmmu_render_summary_csv(GString *out, const KvmmmuStats *s, guint64 walks, guint64 bad_lines)
{
  g_autofree char *kernels = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, release));
  g_autofree char *hosts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, host));
  g_autofree char *scripts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, script));
  KvmmmuCapture c;

  g_string_append(out, "capture,key,value\n");
  csv_text(out, "all", "kernel", kernels);
  csv_text(out, "all", "host", hosts);
  csv_text(out, "all", "script", scripts);
  csv_row(out, "all", "captures", s->captures);
  csv_row(out, "all", "span_ns", kvmmmu_stats_span_ns(s));
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++) {
    g_autofree char *key = g_strdup_printf("records_%s", kvmmmu_kind_name(event_kinds[i]));
    csv_row(out, "all", key, s->per_kind[event_kinds[i]]);
  }
  csv_row(out, "all", "walks", walks);
  csv_row(out, "all", "pages", s->pages - s->sync_pages);
  csv_row(out, "all", "walks_full", s->walks_full - s->sync_walks_full);
  csv_row(out, "all", "sync_walks", s->sync_walks);
  csv_row(out, "all", "sync_pages", s->sync_pages);
  csv_row(out, "all", "sync_walks_full", s->sync_walks_full);
  csv_sync_calls(out, s->sync_calls);
  csv_row(out, "all", "vcpus", kvmmmu_stats_n_vcpus(s));
  csv_row(out, "all", "cpus", kvmmmu_stats_max_cpus(s));
  csv_row(out, "all", "captures_without_trailer", kvmmmu_stats_captures_unended(s));
  csv_row(out, "all", "trailer_hits", s->end.hits);
  csv_row(out, "all", "trailer_records", s->end.records);
  csv_row(out, "all", "trailer_faults", s->end.faults);
  csv_row(out, "all", "trailer_skipped", s->end.skipped);
  csv_row(out, "all", "seq_missing", s->seq_missing);
  csv_row(out, "all", "records_lost", kvmmmu_stats_records_lost(s));
  csv_row(out, "all", "bulk_flushes_missing", s->bulk_missing);
  csv_row(out, "all", "stap_errors", s->stap_errors);
  csv_row(out, "all", "stap_skipped", s->stap_skipped);
  csv_row(out, "all", "transport_failures", s->stap_transport_failures);
  csv_row(out, "all", "bad_lines", bad_lines);
  csv_row(out, "all", "steps_of_bad_walks", s->steps_of_bad_walks);
  csv_row(out, "all", "seq_repeated", s->seq_repeated);
  csv_row(out, "all", "seq_unchecked", s->seq_unchecked);
  csv_row(out, "all", "records_of_vcpus_not_kept", s->vcpu_records_over);
  csv_row(out, "all", "captures_not_listed", kvmmmu_stats_captures_unlisted(s));
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    char id[16];

    kvmmmu_stats_get_capture(s, i, &c);
    g_snprintf(id, sizeof id, "%u", c.index);
    csv_capture(out, id, &c);
  }
}

static void
json_trailer(KvmmmuJsonBuilder *b, gboolean have, const KvmmmuEnd *end)
{
  kvmmmu_json_member(b, "trailer");
  if (!have) {
    kvmmmu_json_add_null(b);
    return;
  }
  kvmmmu_json_begin_object(b);
  kvmmmu_json_uint(b, "hits", end->hits);
  kvmmmu_json_uint(b, "records", end->records);
  kvmmmu_json_uint(b, "faults", end->faults);
  kvmmmu_json_uint(b, "skipped", end->skipped);
  kvmmmu_json_end_object(b);
}

static void
json_records(KvmmmuJsonBuilder *b, const guint64 *per_kind)
{
  kvmmmu_json_member(b, "records");
  kvmmmu_json_begin_object(b);
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    kvmmmu_json_uint(b, kvmmmu_kind_name(event_kinds[i]), per_kind[event_kinds[i]]);
  kvmmmu_json_end_object(b);
}

/* "sync_walks" and "sync_calls": present whatever the format version, 0
 * and empty in a capture with none. */
static void
json_sync(KvmmmuJsonBuilder *b, const KvmmmuStats *s)
{
  const KvmmmuSyncCalls *sc = s->sync_calls;

  kvmmmu_json_member(b, "sync_walks");
  kvmmmu_json_begin_object(b);
  kvmmmu_json_uint(b, "walks", s->sync_walks);
  kvmmmu_json_uint(b, "pages", s->sync_pages);
  kvmmmu_json_uint(b, "walks_full", s->sync_walks_full);
  kvmmmu_json_end_object(b);
  kvmmmu_json_member(b, "sync_calls");
  kvmmmu_json_begin_object(b);
  kvmmmu_json_uint(b, "calls", sc->calls);
  kvmmmu_json_uint(b, "calls_no_walk", sc->calls_no_walk);
  kvmmmu_json_uint(b, "walks", sc->walks);
  kvmmmu_json_uint(b, "leaves", sc->leaves);
  kvmmmu_json_uint(b, "eintr", sc->eintr);
  kvmmmu_json_uint(b, "ret_other", sc->ret_other);
  kvmmmu_json_uint(b, "calls_yielded", sc->calls_yielded);
  kvmmmu_json_uint(b, "yields", sc->yields);
  kvmmmu_json_member(b, "dur_ns");
  kvmmmu_json_add_value(b, kvmmmu_render_hist_json(sc->dur_ns, "time in mmu_sync_children", "ns"));
  kvmmmu_json_member(b, "held_ns");
  kvmmmu_json_add_value(b, kvmmmu_render_hist_json(sc->held_ns, "of it, mmu_lock held", "ns"));
  kvmmmu_json_end_object(b);
}

KvmmmuJson *
kvmmmu_render_summary_json(const KvmmmuStats *s, guint64 walks, guint64 bad_lines)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autofree char *kernels = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, release));
  g_autofree char *hosts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, host));
  g_autofree char *scripts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, script));
  KvmmmuCapture c;

  kvmmmu_json_begin_object(b);
  kvmmmu_json_string(b, "kernel", kernels);
  kvmmmu_json_string(b, "host", hosts);
  kvmmmu_json_string(b, "script", scripts);
  kvmmmu_json_int(b, "captures", s->captures);
  kvmmmu_json_uint(b, "span_ns", kvmmmu_stats_span_ns(s));
  json_records(b, s->per_kind);
  kvmmmu_json_uint(b, "walks", walks);
  kvmmmu_json_uint(b, "pages", s->pages - s->sync_pages);
  kvmmmu_json_uint(b, "walks_full", s->walks_full - s->sync_walks_full);
  json_sync(b, s);
  kvmmmu_json_int(b, "vcpus", kvmmmu_stats_n_vcpus(s));
  kvmmmu_json_int(b, "cpus", kvmmmu_stats_max_cpus(s));
  kvmmmu_json_member(b, "lost");
  kvmmmu_json_begin_object(b);
  kvmmmu_json_uint(b, "seq_missing", s->seq_missing);
  kvmmmu_json_uint(b, "records_lost", kvmmmu_stats_records_lost(s));
  kvmmmu_json_uint(b, "bulk_flushes_missing", s->bulk_missing);
  kvmmmu_json_uint(b, "faults", kvmmmu_stats_faults(s));
  kvmmmu_json_uint(b, "stap_errors", s->stap_errors);
  kvmmmu_json_uint(b, "stap_skipped", s->stap_skipped);
  kvmmmu_json_uint(b, "transport_failures", s->stap_transport_failures);
  kvmmmu_json_end_object(b);
  /* the trailers summed; null when no capture has one */
  json_trailer(b, kvmmmu_stats_captures_unended(s) < s->captures, &s->end);
  kvmmmu_json_int(b, "captures_without_trailer", kvmmmu_stats_captures_unended(s));
  kvmmmu_json_uint(b, "bad_lines", bad_lines);
  kvmmmu_json_uint(b, "steps_of_bad_walks", s->steps_of_bad_walks);
  kvmmmu_json_uint(b, "seq_repeated", s->seq_repeated);
  kvmmmu_json_uint(b, "seq_unchecked", s->seq_unchecked);
  kvmmmu_json_uint(b, "records_of_vcpus_not_kept", s->vcpu_records_over);
  kvmmmu_json_int(b, "captures_not_listed", kvmmmu_stats_captures_unlisted(s));
  kvmmmu_json_member(b, "capture_list");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    kvmmmu_json_begin_object(b);
    kvmmmu_json_int(b, "capture", c.index);
    kvmmmu_json_string(b, "file", c.file);
    kvmmmu_json_int(b, "index_in_file", c.index_in_file);
    kvmmmu_json_string(b, "kernel", c.header.release);
    kvmmmu_json_string(b, "host", c.header.host);
    kvmmmu_json_string(b, "script", c.header.script);
    kvmmmu_json_string(b, "build_id", c.header.build_id);
    kvmmmu_json_uint(b, "start_ns", c.header.start_ns);
    kvmmmu_json_uint(b, "span_ns", kvmmmu_capture_span_ns(&c));
    json_records(b, c.per_kind);
    kvmmmu_json_uint(b, "pages", c.pages - c.sync_pages);
    kvmmmu_json_uint(b, "walks_full", c.walks_full - c.sync_walks_full);
    kvmmmu_json_uint(b, "sync_walks", c.sync_walks);
    kvmmmu_json_int(b, "vcpus", c.n_vcpus);
    kvmmmu_json_int(b, "cpus", c.n_cpus);
    json_trailer(b, c.have_end, &c.end);
    kvmmmu_json_uint(b, "seq_missing", c.seq_missing);
    kvmmmu_json_uint(b, "records_lost", kvmmmu_capture_records_lost(&c));
    kvmmmu_json_uint(b, "lines_skipped", c.lines_skipped);
    kvmmmu_json_uint(b, "steps_of_bad_walks", c.steps_of_bad_walks);
    kvmmmu_json_uint(b, "seq_repeated", c.seq_repeated);
    kvmmmu_json_uint(b, "seq_unchecked", c.seq_unchecked);
    kvmmmu_json_uint(b, "records_of_vcpus_not_kept", c.vcpu_records_over);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

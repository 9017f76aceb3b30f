/* SPDX-License-Identifier: GPL-2.0-or-later */
/* summary.c - what a capture holds and what it lost. */
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

  if (!kvmmmu_stats_lossy(s))
    return;
  g_string_append(out, "lost:");
#define LOSS(cond, ...)                                                     \
  if (cond) {                                                               \
    g_string_append_printf(out, "%s", any ? "," : "");                      \
    g_string_append_printf(out, __VA_ARGS__);                               \
    any = TRUE;                                                             \
  }
  LOSS(s->seq_missing, " %" G_GUINT64_FORMAT " records missing (gaps in per-CPU seq)",
       s->seq_missing);
  LOSS(s->bulk_missing, " %" G_GUINT64_FORMAT " bulk-mode flushes missing (gaps in their sequence)",
       s->bulk_missing);
  LOSS(kvmmmu_stats_records_lost(s),
       " trailer counts %" G_GUINT64_FORMAT " records written, %" G_GUINT64_FORMAT " arrived",
       s->end.records, s->records_at_end);
  LOSS(s->have_end && s->end.faults,
       " %" G_GUINT64_FORMAT " records dropped on kernel read faults", s->end.faults);
  LOSS(s->stap_errors, " stap reported %" G_GUINT64_FORMAT " errors", s->stap_errors);
  LOSS(s->stap_skipped, " stap skipped %" G_GUINT64_FORMAT " probes", s->stap_skipped);
  LOSS(s->stap_transport_failures, " %" G_GUINT64_FORMAT " transport failures",
       s->stap_transport_failures);
#undef LOSS
  g_string_append_c(out, '\n');
}

void
kvmmmu_render_summary_text(GString *out, const KvmmmuStats *s, guint64 walks, guint64 bad_lines)
{
  const KvmmmuHeader *h = &s->header;
  guint64 total = 0;

  g_string_append_printf(out, "kernel:   %s\nhost:     %s\nscript:   %s\ncaptures: %u\n",
                         h->release, h->host, h->script[0] ? h->script : "-", s->captures);
  g_string_append_printf(out, "span:     %.6fs\n", kvmmmu_stats_span_ns(s) / 1e9);
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    total += s->per_kind[event_kinds[i]];
  g_string_append_printf(out, "records:  %" G_GUINT64_FORMAT "\n", total);
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    g_string_append_printf(out, "  %-10s %" G_GUINT64_FORMAT "\n", kvmmmu_kind_name(event_kinds[i]),
                           s->per_kind[event_kinds[i]]);
  g_string_append_printf(out, "walks:    %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
                         " pages, %" G_GUINT64_FORMAT " with a full 16-page array)\n",
                         walks, s->pages, s->walks_full);
  g_string_append_printf(out, "vcpus:    %u\ncpus:     %u\n", kvmmmu_stats_n_vcpus(s), s->n_cpus);
  if (s->have_end)
    g_string_append_printf(out, "trailer:  hits %" G_GUINT64_FORMAT ", records %" G_GUINT64_FORMAT
                           ", faults %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT "\n",
                           s->end.hits, s->end.records, s->end.faults, s->end.skipped);
  else
    g_string_append(out, "trailer:  none (the capture did not end cleanly)\n");
  if (s->stap_warning_lines || s->stap_error_lines || s->stap_transport_failures)
    g_string_append_printf(out, "stap:     %" G_GUINT64_FORMAT " warnings, %" G_GUINT64_FORMAT
                           " errors, %" G_GUINT64_FORMAT " skipped probes, %" G_GUINT64_FORMAT
                           " transport failures\n",
                           s->stap_warning_lines, s->stap_error_lines + s->stap_errors,
                           s->stap_skipped, s->stap_transport_failures);
  if (s->probe_hit_lines)
    g_string_append_printf(out, "probes:   %" G_GUINT64_FORMAT " in the hit report, %"
                           G_GUINT64_FORMAT " hits, %.0f cycles, %" G_GUINT64_FORMAT
                           " lock contentions\n",
                           s->probe_hit_lines, s->probe_hits_total, s->probe_cycles_total,
                           s->stap_lock_contention);
  g_string_append_printf(out, "bad lines: %" G_GUINT64_FORMAT, bad_lines);
  if (s->steps_of_bad_walks)
    g_string_append_printf(out, " (and %" G_GUINT64_FORMAT " valid steps dropped with their bad walk line)",
                           s->steps_of_bad_walks);
  g_string_append_c(out, '\n');
  if (kvmmmu_stats_lossy(s))
    kvmmmu_render_loss_note(out, s);
  else
    g_string_append(out, "lost:     nothing\n");
}

void
kvmmmu_render_summary_csv(GString *out, const KvmmmuStats *s, guint64 walks, guint64 bad_lines)
{
  g_string_append(out, "key,value\n");
  g_string_append_printf(out, "kernel,%s\nhost,%s\nscript,%s\ncaptures,%u\nspan_ns,%"
                         G_GUINT64_FORMAT "\n", s->header.release, s->header.host,
                         s->header.script, s->captures, kvmmmu_stats_span_ns(s));
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    g_string_append_printf(out, "records_%s,%" G_GUINT64_FORMAT "\n",
                           kvmmmu_kind_name(event_kinds[i]), s->per_kind[event_kinds[i]]);
  g_string_append_printf(out, "walks,%" G_GUINT64_FORMAT "\npages,%" G_GUINT64_FORMAT
                         "\nvcpus,%u\ncpus,%u\nseq_missing,%" G_GUINT64_FORMAT
                         "\nrecords_lost,%" G_GUINT64_FORMAT "\nbulk_flushes_missing,%" G_GUINT64_FORMAT
                         "\nfaults,%" G_GUINT64_FORMAT
                         "\nstap_errors,%" G_GUINT64_FORMAT "\nstap_skipped,%" G_GUINT64_FORMAT
                         "\ntransport_failures,%" G_GUINT64_FORMAT "\nbad_lines,%"
                         G_GUINT64_FORMAT "\nsteps_of_bad_walks,%" G_GUINT64_FORMAT "\n",
                         walks, s->pages, kvmmmu_stats_n_vcpus(s), s->n_cpus, s->seq_missing,
                         kvmmmu_stats_records_lost(s), s->bulk_missing,
                         s->have_end ? s->end.faults : 0,
                         s->stap_errors, s->stap_skipped, s->stap_transport_failures, bad_lines,
                         s->steps_of_bad_walks);
}

KvmmmuJson *
kvmmmu_render_summary_json(const KvmmmuStats *s, guint64 walks, guint64 bad_lines)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_string(b, "kernel", s->header.release);
  kvmmmu_json_string(b, "host", s->header.host);
  kvmmmu_json_string(b, "script", s->header.script);
  kvmmmu_json_int(b, "captures", s->captures);
  kvmmmu_json_int(b, "span_ns", kvmmmu_stats_span_ns(s));
  kvmmmu_json_member(b, "records");
  kvmmmu_json_begin_object(b);
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    kvmmmu_json_int(b, kvmmmu_kind_name(event_kinds[i]), s->per_kind[event_kinds[i]]);
  kvmmmu_json_end_object(b);
  kvmmmu_json_int(b, "walks", walks);
  kvmmmu_json_int(b, "pages", s->pages);
  kvmmmu_json_int(b, "vcpus", kvmmmu_stats_n_vcpus(s));
  kvmmmu_json_int(b, "cpus", s->n_cpus);
  kvmmmu_json_member(b, "lost");
  kvmmmu_json_begin_object(b);
  kvmmmu_json_int(b, "seq_missing", s->seq_missing);
  kvmmmu_json_int(b, "records_lost", kvmmmu_stats_records_lost(s));
  kvmmmu_json_int(b, "bulk_flushes_missing", s->bulk_missing);
  kvmmmu_json_int(b, "faults", s->have_end ? s->end.faults : 0);
  kvmmmu_json_int(b, "stap_errors", s->stap_errors);
  kvmmmu_json_int(b, "stap_skipped", s->stap_skipped);
  kvmmmu_json_int(b, "transport_failures", s->stap_transport_failures);
  kvmmmu_json_end_object(b);
  kvmmmu_json_bool(b, "trailer", s->have_end);
  kvmmmu_json_int(b, "bad_lines", bad_lines);
  kvmmmu_json_int(b, "steps_of_bad_walks", s->steps_of_bad_walks);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

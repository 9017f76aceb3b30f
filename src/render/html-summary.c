/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-summary.c - the summary section: what the capture holds and what
 * it lost, from the model's counters (the same ones `summary` prints).
 */
#include "render/html-private.h"

static const KvmmmuRecordKind event_kinds[] = {
#define X_KIND(E, kw, N, F, I, M) KVMMMU_RECORD_##E,
  KVMMMU_EVENT_KINDS(X_KIND)
#undef X_KIND
};

static void
row_text(GString *out, const char *name, const char *value)
{
  g_string_append(out, "<tr><th>");
  kvmmmu_html_esc(out, name);
  g_string_append(out, "</th><td>");
  kvmmmu_html_esc(out, value && *value ? value : "-");
  g_string_append(out, "</td></tr>\n");
}

/* warn: a non-zero count is a loss, highlighted */
static void
row_count(GString *out, const char *name, guint64 v, gboolean warn)
{
  g_string_append_printf(out, "<tr%s><th>", warn && v ? " class=\"warn\"" : "");
  kvmmmu_html_esc(out, name);
  g_string_append_printf(out, "</th><td>%" G_GUINT64_FORMAT "</td></tr>\n", v);
}

void
kvmmmu_html_summary_section(GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuStats *s = page->stats;
  gboolean many = s->captures > 1;
  guint unended = kvmmmu_stats_captures_unended(s);
  g_autoptr(GString) note = g_string_new("");
  g_autoptr(GString) roles = g_string_new("");
  g_autofree char *kernels = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, release));
  g_autofree char *hosts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, host));
  g_autofree char *scripts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, script));
  g_autofree char *span = g_strdup_printf("%.6f s%s", kvmmmu_stats_span_ns(s) / 1e9,
                                          many ? " (the captures' spans summed)" : "");
  g_autofree char *trailer = NULL;

  if (unended == s->captures)
    trailer = g_strdup_printf("none (the capture%s did not end cleanly)", many ? "s" : "");
  else {
    trailer = g_strdup_printf("hits %" G_GUINT64_FORMAT ", records %" G_GUINT64_FORMAT
                              ", faults %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT "%s",
                              s->end.hits, s->end.records, s->end.faults, s->end.skipped,
                              many ? " (summed)" : "");
  }

  g_string_append(out, "<section id=\"summary\">\n<h2>Summary</h2>\n");
  kvmmmu_render_loss_note(note, s);
  if (note->len) {
    g_strchomp(note->str);
    g_string_append(out, "<p class=\"warn\">");
    kvmmmu_html_esc(out, note->str);
    g_string_append(out, "</p>\n");
  } else
    g_string_append(out, "<p class=\"good\">Nothing lost: no gap in any CPU's records, "
                         "the trailer agrees, SystemTap reported no error.</p>\n");
  if (page->bad_lines)
    g_string_append_printf(out, "<p class=\"warn\">%" G_GUINT64_FORMAT " bad line%s skipped.</p>\n",
                           page->bad_lines, page->bad_lines == 1 ? "" : "s");

  g_string_append(out, "<div class=\"facts\">\n<table class=\"data\">\n<tbody>\n");
  row_text(out, "kernel", kernels);
  row_text(out, "host", hosts);
  row_text(out, "script", scripts);
  row_count(out, "captures", s->captures, FALSE);
  row_text(out, "span", span);
  row_count(out, "walks", kvmmmu_stats_zap_walks(s), FALSE);
  row_count(out, "pages", s->pages - s->sync_pages, FALSE);
  row_count(out, "full 16-page arrays", s->walks_full - s->sync_walks_full, FALSE);
  if (s->sync_walks || s->sync_calls->calls) {
    row_count(out, "sync walks", s->sync_walks, FALSE);
    row_count(out, "sync walks' pages", s->sync_pages, FALSE);
  }
  row_count(out, many ? "vcpus (summed)" : "vcpus", kvmmmu_stats_n_vcpus(s), FALSE);
  row_count(out, many ? "cpus (most in one capture)" : "cpus", kvmmmu_stats_max_cpus(s), FALSE);
  row_text(out, "trailer", trailer);
  if (many)
    row_count(out, "captures without a trailer", unended, TRUE);
  row_count(out, "bad lines", page->bad_lines, TRUE);
  if (s->seq_repeated)
    row_count(out, "of them, seq not above their CPU's last (not counted)", s->seq_repeated, TRUE);
  if (s->seq_unchecked)
    row_count(out, "lines from CPUs past the limit (seq unchecked)", s->seq_unchecked, TRUE);
  if (s->vcpu_records_over)
    row_count(out, "records of vCPUs past the limit (vCPUs not counted)", s->vcpu_records_over, TRUE);
  kvmmmu_render_roles_source(roles, page->layout);
  g_strchomp(roles->str);
  row_text(out, "roles", g_str_has_prefix(roles->str, "roles: ") ? roles->str + 7 : roles->str);
  g_string_append(out, "</tbody>\n</table>\n");

  g_string_append(out, "<table class=\"data\">\n<thead><tr><th colspan=\"2\">records</th></tr>"
                       "</thead>\n<tbody>\n");
  for (guint i = 0; i < G_N_ELEMENTS(event_kinds); i++)
    row_count(out, kvmmmu_kind_name(event_kinds[i]), s->per_kind[event_kinds[i]], FALSE);
  g_string_append(out, "</tbody>\n</table>\n");

  g_string_append(out, "<table class=\"data\">\n<thead><tr><th colspan=\"2\">lost</th></tr>"
                       "</thead>\n<tbody>\n");
  row_count(out, "seq_missing", s->seq_missing, TRUE);
  row_count(out, "records_lost", kvmmmu_stats_records_lost(s), TRUE);
  row_count(out, "bulk_flushes_missing", s->bulk_missing, TRUE);
  row_count(out, "faults", kvmmmu_stats_faults(s), TRUE);
  row_count(out, "stap_errors", s->stap_errors, TRUE);
  row_count(out, "stap_skipped", s->stap_skipped, TRUE);
  row_count(out, "transport_failures", s->stap_transport_failures, TRUE);
  g_string_append(out, "</tbody>\n</table>\n</div>\n</section>\n");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report summary: records per kind, walks, vCPUs, span, loss. */
#include <stdio.h>

#include "cli/cli.h"
#include "model/cache.h"

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  /* All summary shows but the loads' causes is in the stats the input
   * loop keeps. */
  kvmmmu_cache_add(data, rec);
}

int
kvmmmu_cmd_summary(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(GString) out = g_string_new("");
  /* (the N checked against the kernel does not change a load's cause) */
  g_autoptr(KvmmmuCache) causes = kvmmmu_cache_new(KVMMMU_CLI_PREV_ROOTS);
  guint64 bad_lines;
  int status;

  if (!kvmmmu_cli_parse(&cli, "summary",
                        "Records per kind, walks, pages, vCPUs, time span, and any data lost\n"
                        "or skipped.", NULL, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  cli.shows_no_roles = TRUE;
  status = kvmmmu_cli_read(&cli, stats, on_record, causes, &bad_lines);
  kvmmmu_cache_finish(causes);
  if (stats->captures == 0) {
    kvmmmu_cli_clear(&cli);
    return status;
  }
  switch (cli.format) {
  case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
  case KVMMMU_FORMAT_TEXT:
    kvmmmu_render_summary_text(out, stats, kvmmmu_stats_zap_walks(stats), bad_lines);
    if (stats->per_kind[KVMMMU_RECORD_LOAD])
      kvmmmu_render_load_causes_line(out, causes);
    break;
  case KVMMMU_FORMAT_CSV:
    kvmmmu_render_summary_csv(out, stats, kvmmmu_stats_zap_walks(stats), bad_lines);
    kvmmmu_render_load_causes_csv_rows(out, causes);
    break;
  case KVMMMU_FORMAT_OPENMETRICS:
    kvmmmu_render_summary_openmetrics(out, stats, bad_lines, causes);
    break;
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node =
      kvmmmu_render_summary_json(stats, kvmmmu_stats_zap_walks(stats), bad_lines);

    kvmmmu_json_object_add(node, "load_causes", kvmmmu_render_load_causes_json(causes));
    kvmmmu_cli_write_json(node);
    break;
  }
  }
  if (!kvmmmu_cli_write_report(&cli, "summary", out))
    status = KVMMMU_EXIT_UNUSABLE;
  kvmmmu_cli_note_stats_limits("summary", stats);
  if (kvmmmu_stats_captures_unlisted(stats))
    fprintf(stderr, "kvmmmu-report: summary: %u captures past the first %u not listed (in the totals)\n",
            kvmmmu_stats_captures_unlisted(stats), KVMMMU_STATS_CAPTURES_LISTED);
  kvmmmu_cli_clear(&cli);
  return status;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report roots: each vCPU's roots, returns versus fresh loads,
 * prev_roots hits, and the seed's per-vCPU root_hpa snapshots. */
#include <stdio.h>

#include "cli/cli.h"
#include "model/cache.h"
#include "model/roots.h"

typedef struct {
  KvmmmuCli *cli;
  KvmmmuRoots *roots;
  KvmmmuCache *cache;    /* what each load was for: its cause */
  GString *out;
  guint64 origin_ns;
  KvmmmuJson *snapshots; /* JSON only: an array */
  gboolean text_snap_title;
  guint capture;         /* headers read so far */
  guint version;         /* the format version of the capture being read */
  guint64 events;        /* JSON only: load and switch records streamed */
  guint64 csv_snapshots; /* CSV only: snapshots written before the vCPU table */
} RootsRun;

static void
on_snapshot(const KvmmmuRootSnapshot *snap, gpointer data)
{
  RootsRun *run = data;

  if (run->cli->format == KVMMMU_FORMAT_TEXT) {
    if (!run->text_snap_title)
      g_string_append(run->out, "Root snapshots\n");
    run->text_snap_title = TRUE;
    kvmmmu_render_snapshot_text(run->out, snap, run->origin_ns,
                                kvmmmu_roots_n_vms(run->roots) > 1);
    kvmmmu_cli_flush(run->out);
  } else if (run->cli->format == KVMMMU_FORMAT_JSON) {
    kvmmmu_json_array_add(run->snapshots, kvmmmu_render_snapshot_json(snap, run->origin_ns));
  } else if (run->cli->format == KVMMMU_FORMAT_CSV) {
    if (!run->csv_snapshots++)
      kvmmmu_render_snapshot_csv_header(run->out);
    kvmmmu_render_snapshot_csv(run->out, snap, run->origin_ns);
    kvmmmu_cli_flush(run->out);
  }
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  RootsRun *run = data;

  if (rec->kind == KVMMMU_RECORD_HEADER) {
    kvmmmu_roots_finish(run->roots);
    run->origin_ns = kvmmmu_cli_origin(run->cli, &rec->u.header);
    run->capture++;
    run->version = rec->u.header.version;
    kvmmmu_cli_cache_n(run->cli->layout, run->cache);
  }
  kvmmmu_roots_add(run->roots, rec);
  kvmmmu_cache_add(run->cache, rec);
  if (run->cli->format == KVMMMU_FORMAT_JSON &&
      (rec->kind == KVMMMU_RECORD_LOAD || rec->kind == KVMMMU_RECORD_SWITCH)) {
    /* streamed, so that the whole sequence costs no memory */
    g_autoptr(KvmmmuJson) node = kvmmmu_render_root_event_json(rec, run->capture, run->version,
                                                                    run->origin_ns);
    g_autofree char *text = kvmmmu_render_json_to_string(node, FALSE);

    g_string_append_printf(run->out, "%s\n  %s", run->events++ ? "," : "", text);
    if (run->out->len > 65536)
      kvmmmu_cli_flush(run->out);
  }
}

/* A record the filter left out still numbers its VM, as --vm does. */
static void
on_left_out(const KvmmmuRecord *rec, gpointer data)
{
  RootsRun *run = data;

  kvmmmu_roots_note_vm(run->roots, rec);
  kvmmmu_cache_note_vm(run->cache, rec);
}

int
kvmmmu_cmd_roots(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  RootsRun run = { 0 };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuRoots) roots = NULL;
  g_autoptr(KvmmmuCache) cache = kvmmmu_cache_new(KVMMMU_CLI_PREV_ROOTS);
  guint64 bad_lines, span;
  int status;

  g_autofree char *sort_arg = NULL;
  gint top = 0;
  const GOptionEntry entries[] = {
    { "sort", 's', 0, G_OPTION_ARG_STRING, &sort_arg,
      "Order the vCPUs by this, largest first: loads, prev_roots_miss, mean_load_ns, "
      "max_load_ns (default: by VM and vCPU id)", "KEY" },
    { "top", 'n', 0, G_OPTION_ARG_INT, &top, "Show at most N vCPUs", "N" },
    { NULL }
  };

  if (!kvmmmu_cli_parse(&cli, "roots",
                        "Per vCPU: the root hpa after each kvm_mmu_load, how often a root came\n"
                        "back versus a fresh one, prev_roots hits and misses, loads per second,\n"
                        "and the vcpu[N] root_hpa snapshots.", entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  run.cli = &cli;
  roots = kvmmmu_roots_new(on_snapshot, &run);
  if (top < 0 || !kvmmmu_roots_set_order(roots, sort_arg, top)) {
    fprintf(stderr, "kvmmmu-report roots: bad --sort '%s' or --top %d: expected loads, "
                    "prev_roots_miss, mean_load_ns or max_load_ns, and N >= 0\n",
            sort_arg ? sort_arg : "", top);
    kvmmmu_cli_clear(&cli);
    return KVMMMU_EXIT_USAGE;
  }
  run.out = g_string_new("");
  run.roots = roots;
  run.cache = cache;
  if (cli.format == KVMMMU_FORMAT_JSON) {
    run.snapshots = kvmmmu_json_new_array();
    g_string_append(run.out, "{\"events\": [");
  }

  cli.left_out_func = on_left_out;
  kvmmmu_stats_set_filter(stats, cli.filter); /* loads per second over the --time range */
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_cache_finish(cache);
  kvmmmu_roots_finish(roots);
  span = kvmmmu_stats_window_span_ns(stats);

  switch (cli.format) {
  case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
  case KVMMMU_FORMAT_TEXT:
    kvmmmu_render_loss_note(run.out, stats);
    kvmmmu_render_roots_text(run.out, roots, span, cli.layout);
    if (stats->per_kind[KVMMMU_RECORD_LOAD]) {
      g_string_append_c(run.out, '\n');
      kvmmmu_render_load_causes_text(run.out, cache);
    }
    break;
  case KVMMMU_FORMAT_CSV:
    if (run.csv_snapshots)
      g_string_append_c(run.out, '\n'); /* the snapshot table ends */
    kvmmmu_render_roots_csv(run.out, roots, span);
    g_string_append_c(run.out, '\n'); /* the vCPU table ends */
    kvmmmu_render_load_causes_csv(run.out, cache);
    break;
  case KVMMMU_FORMAT_OPENMETRICS: /* nothing was streamed: the whole report is here */
    kvmmmu_render_roots_openmetrics(run.out, roots, stats);
    break;
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node =
      kvmmmu_render_roots_json(roots, span, cli.layout, g_steal_pointer(&run.snapshots));
    g_autoptr(KvmmmuJson) causes = kvmmmu_render_load_causes_json(cache);
    g_autofree char *rest = kvmmmu_render_json_to_string(node, TRUE);
    g_autofree char *causes_text = kvmmmu_render_json_to_string(causes, TRUE);

    /* the events array streamed above, then the report's other members */
    g_string_append_printf(run.out, "\n], \"load_causes\": %s, %s\n", causes_text, rest + 1);
    break;
  }
  }
  if (!kvmmmu_cli_write_report(&cli, "roots", run.out))
    status = KVMMMU_EXIT_UNUSABLE;
  g_string_free(run.out, TRUE);
  kvmmmu_cli_note_loss(&cli, stats);
  if (kvmmmu_cli_note_roots_limits("roots", roots) && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  if (!kvmmmu_cli_expect_records("roots", stats,
                                 stats->per_kind[KVMMMU_RECORD_LOAD] +
                                 stats->per_kind[KVMMMU_RECORD_SWITCH] +
                                 stats->per_kind[KVMMMU_RECORD_VCPU_ROOT],
                                 "load, switch or vcpu_root records", "root_hpa") &&
      status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  kvmmmu_cli_clear(&cli);
  return status;
}

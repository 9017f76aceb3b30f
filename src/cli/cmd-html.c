/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report html: the whole report as one self-contained HTML page. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "model/cache.h"
#include "model/evhist.h"
#include "render/html.h"

typedef struct {
  KvmmmuCli *cli;
  KvmmmuHtml *html;
  KvmmmuWalks *walks;
  KvmmmuWalkTally tally[KVMMMU_WALK_KINDS]; /* zap walks', sync walks' */
  KvmmmuRoots *roots;
  KvmmmuCache *cache;
  KvmmmuEventHist *rate, *latency;
  guint64 origin_ns;
} HtmlRun;

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  HtmlRun *run = data;

  kvmmmu_walk_tallies_add(run->tally, t);
  kvmmmu_html_add_walk(run->html, t, run->origin_ns, run->cli->layout);
}

static void
on_snapshot(const KvmmmuRootSnapshot *s, gpointer data)
{
  HtmlRun *run = data;

  kvmmmu_html_add_snapshot(run->html, s);
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  HtmlRun *run = data;

  if (rec->kind == KVMMMU_RECORD_HEADER) {
    kvmmmu_walks_finish(run->walks); /* earlier capture's walks, earlier origin */
    kvmmmu_roots_finish(run->roots);
    run->origin_ns = kvmmmu_cli_origin(run->cli, &rec->u.header); /* 0 with --abs-time */
    kvmmmu_html_set_origin(run->html, rec->u.header.start_ns);
    kvmmmu_cli_cache_n(run->cli->layout, run->cache);
  }
  kvmmmu_html_add_record(run->html, rec);
  kvmmmu_walks_add(run->walks, rec);
  kvmmmu_roots_add(run->roots, rec);
  kvmmmu_cache_add(run->cache, rec);
  kvmmmu_event_hist_add(run->rate, rec);
  kvmmmu_event_hist_add(run->latency, rec);
}

/* A record the filter left out still numbers its VM, as --vm does. */
static void
on_left_out(const KvmmmuRecord *rec, gpointer data)
{
  HtmlRun *run = data;

  kvmmmu_roots_note_vm(run->roots, rec);
  kvmmmu_cache_note_vm(run->cache, rec);
}

int
kvmmmu_cmd_html(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  HtmlRun run = { 0 };
  gint max_walks = 50;
  g_autofree char *output = NULL;
  const GOptionEntry entries[] = {
    { "max-walks", 'm', 0, G_OPTION_ARG_INT, &max_walks,
      "Draw at most N walks (default 50); the page says how many were left out", "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the page to FILE, not stdout",
      "FILE" },
    { NULL }
  };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuHtml) html = NULL;
  g_autoptr(KvmmmuWalks) walks = NULL;
  g_autoptr(KvmmmuRoots) roots = NULL;
  g_autoptr(KvmmmuCache) cache = kvmmmu_cache_new(KVMMMU_CLI_PREV_ROOTS);
  g_autoptr(KvmmmuEventHist) rate = NULL, latency = NULL;
  g_autoptr(GString) out = g_string_new("");
  g_autoptr(GError) error = NULL;
  KvmmmuHtmlPage page = { 0 };
  guint64 bad_lines;
  int status;

  if (!kvmmmu_cli_parse(&cli, "html",
                        "One self-contained HTML page: the summary, the kvm_mmu_load rate and\n"
                        "latency histograms, per-vCPU root timelines and each walk drawn as a\n"
                        "tree with the path of each step.  No network, no scripts.",
                        entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  if (cli.format != KVMMMU_FORMAT_TEXT) {
    fprintf(stderr, "kvmmmu-report html: writes HTML only: leave out --format\n");
    goto usage;
  }
  if (max_walks < 0) {
    fprintf(stderr, "kvmmmu-report html: bad --max-walks %d: expected 0 or more\n", max_walks);
    goto usage;
  }
  /* Before the input is read, which may take long (or be a live capture). */
  if (output && !kvmmmu_output_check(output, "html", &error)) {
    fprintf(stderr, "kvmmmu-report html: %s\n", error->message);
    goto usage;
  }
  run.cli = &cli;
  html = kvmmmu_html_new(max_walks);
  kvmmmu_html_set_abs_time(html, cli.abs_time);
  run.html = html;
  walks = kvmmmu_walks_new(on_walk, &run);
  run.walks = walks;
  roots = kvmmmu_roots_new(on_snapshot, &run);
  run.roots = roots;
  run.cache = cache;
  rate = kvmmmu_event_hist_new(kvmmmu_hist_new_log(), KVMMMU_RECORD_LOAD, FALSE, 0, FALSE);
  kvmmmu_event_hist_set_filter(rate, cli.filter);
  run.rate = rate;
  latency = kvmmmu_event_hist_new(kvmmmu_hist_new_log(), KVMMMU_RECORD_LOAD, TRUE, 0, FALSE);
  run.latency = latency;

  cli.left_out_func = on_left_out;
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_walks_finish(walks);
  kvmmmu_roots_finish(roots);
  kvmmmu_cache_finish(cache);
  /* Without an interval asked for, load_rate counts are never regrouped. */
  kvmmmu_event_hist_finish(rate, NULL);
  kvmmmu_event_hist_finish(latency, NULL);
  if (stats->captures == 0) {
    kvmmmu_cli_clear(&cli);
    return status == KVMMMU_EXIT_OK ? KVMMMU_EXIT_UNUSABLE : status;
  }

  page.stats = stats;
  page.bad_lines = bad_lines;
  page.tally = run.tally;
  page.rate = rate;
  page.latency = latency;
  page.roots = roots;
  page.cache = cache;
  page.layout = cli.layout;
  page.inputs = (const char *const *)cli.files;
  if (!kvmmmu_html_render(html, &page, out, &error)) {
    fprintf(stderr, "kvmmmu-report html: %s\n", error->message);
    status = KVMMMU_EXIT_UNUSABLE;
  }
  if (output) {
    g_clear_error(&error);
    if (!kvmmmu_output_write(output, "html", out->str, out->len, &error)) {
      fprintf(stderr, "kvmmmu-report html: %s\n", error->message);
      status = g_error_matches(error, KVMMMU_OUTPUT_ERROR, KVMMMU_OUTPUT_ERROR_IS_DIR)
                 ? KVMMMU_EXIT_USAGE : KVMMMU_EXIT_UNUSABLE;
    }
  } else
    kvmmmu_cli_flush(out);
  if ((run.tally[KVMMMU_WALK_ZAP].walks_bad || run.tally[KVMMMU_WALK_SYNC].walks_bad) &&
      status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  kvmmmu_cli_note_loss(&cli, stats);
  kvmmmu_cli_note_stats_limits("html", stats);
  if (kvmmmu_cli_note_roots_limits("html", roots) && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  kvmmmu_cli_clear(&cli);
  return status;
usage:
  kvmmmu_cli_clear(&cli);
  return KVMMMU_EXIT_USAGE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report hist: events per interval (or kvm_mmu_load latency) as
 * SystemTap's @hist_linear / @hist_log print them, with statistics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/evhist.h"

static gboolean
parse_duration(const char *s, guint64 *ns)
{
  char *end;
  double v = g_ascii_strtod(s, &end);
  double mult = 1e9, n;

  if (end == s || !(v > 0))
    return FALSE;
  if (strcmp(end, "ns") == 0)
    mult = 1;
  else if (strcmp(end, "us") == 0)
    mult = 1e3;
  else if (strcmp(end, "ms") == 0)
    mult = 1e6;
  else if (strcmp(end, "s") != 0 && *end)
    return FALSE;
  /* (a double past 2^64 or infinite has no guint64: it is no interval) */
  n = v * mult + 0.5;
  if (!(n < 18446744073709551616.0))
    return FALSE;
  *ns = (guint64)n;
  return *ns > 0;
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  kvmmmu_event_hist_add(data, rec);
}

static gboolean
parse_event(const char *s, KvmmmuRecordKind *kind)
{
  static const struct { const char *name; KvmmmuRecordKind kind; } events[] = {
    { "load", KVMMMU_RECORD_LOAD }, { "kvm_mmu_load", KVMMMU_RECORD_LOAD },
    { "load_rate", KVMMMU_RECORD_LOAD_RATE }, { "walk", KVMMMU_RECORD_WALK },
    { "step", KVMMMU_RECORD_STEP }, { "switch", KVMMMU_RECORD_SWITCH },
  };
  for (guint i = 0; i < G_N_ELEMENTS(events); i++)
    if (strcmp(s, events[i].name) == 0) {
      *kind = events[i].kind;
      return TRUE;
    }
  return FALSE;
}

/* Say so when the input has none of the records this histogram counts. */
static gboolean
expect_records(const KvmmmuStats *stats, KvmmmuRecordKind event, gboolean latency)
{
  const guint64 *n = stats->per_kind;

  if (latency)
    return kvmmmu_cli_expect_records("hist", stats, n[KVMMMU_RECORD_LOAD], "load records",
                                     "root_hpa");
  switch (event) {
  case KVMMMU_RECORD_LOAD:
    return kvmmmu_cli_expect_records("hist", stats, n[KVMMMU_RECORD_LOAD] + n[KVMMMU_RECORD_LOAD_RATE],
                                     "load or load_rate records", "root_hpa or mmu_load_rate");
  case KVMMMU_RECORD_LOAD_RATE:
    return kvmmmu_cli_expect_records("hist", stats, n[event], "load_rate records", "mmu_load_rate");
  case KVMMMU_RECORD_SWITCH:
    return kvmmmu_cli_expect_records("hist", stats, n[event], "switch records", "root_hpa");
  default:
    return kvmmmu_cli_expect_records("hist", stats, n[event], event == KVMMMU_RECORD_WALK
                                     ? "walk records" : "step records", "zap_unsync");
  }
}

int
kvmmmu_cmd_hist(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  KvmmmuRecordKind event = KVMMMU_RECORD_LOAD;
  guint64 interval_ns = 1000000000ull;
  gboolean interval_given = FALSE, latency = FALSE;
  KvmmmuHist *hist;
  g_autoptr(KvmmmuEventHist) run = NULL;
  g_autofree char *event_arg = NULL, *interval_arg = NULL, *linear_arg = NULL;
  gboolean log_arg = FALSE;
  const GOptionEntry entries[] = {
    { "event", 'e', 0, G_OPTION_ARG_STRING, &event_arg,
      "Count this per interval: load (default; kvm_mmu_load, from load or load_rate records), "
      "load_rate, walk, step, switch", "EVENT" },
    { "interval", 'i', 0, G_OPTION_ARG_STRING, &interval_arg,
      "Interval length: 1s (default), 100ms, 500us, 1000ns", "DURATION" },
    { "linear", 'l', 0, G_OPTION_ARG_STRING, &linear_arg,
      "As @hist_linear(v, START, STOP, STEP)", "START,STOP,STEP" },
    { "log", 0, 0, G_OPTION_ARG_NONE, &log_arg, "As @hist_log(v) (the default)", NULL },
    { "latency", 0, 0, G_OPTION_ARG_NONE, &latency,
      "Histogram of kvm_mmu_load durations in ns instead of a rate", NULL },
    { NULL }
  };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(GString) out = g_string_new("");
  g_autoptr(GError) error = NULL;
  guint64 bad_lines;
  int status;

  if (!kvmmmu_cli_parse(&cli, "hist",
                        "Events per interval (default: kvm_mmu_load per 1 s) or kvm_mmu_load\n"
                        "latency, printed as SystemTap's @hist_linear/@hist_log print, with\n"
                        "count, min, max, mean and p50/p90/p99.", entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  if (event_arg) {
    if (!parse_event(event_arg, &event)) {
      fprintf(stderr, "kvmmmu-report hist: unknown event '%s': expected load, load_rate, walk, "
                      "step or switch\n", event_arg);
      goto usage;
    }
  }
  if (interval_arg) {
    if (!parse_duration(interval_arg, &interval_ns)) {
      fprintf(stderr, "kvmmmu-report hist: bad --interval '%s': expected a positive duration "
                      "such as 1s, 100ms, 500us or 1000ns\n", interval_arg);
      goto usage;
    }
    interval_given = TRUE;
  }
  if (linear_arg && log_arg) {
    fprintf(stderr, "kvmmmu-report hist: --linear and --log exclude each other\n");
    goto usage;
  }
  if (linear_arg) {
    gint64 v[3];
    char *p = linear_arg, *end;

    for (int i = 0; i < 3; i++) {
      v[i] = g_ascii_strtoll(p, &end, 10);
      if (end == p || (i < 2 && *end != ',') || (i == 2 && *end)) {
        fprintf(stderr, "kvmmmu-report hist: bad --linear '%s': expected START,STOP,STEP "
                        "(integers)\n", linear_arg);
        goto usage;
      }
      p = end + 1;
    }
    hist = kvmmmu_hist_new_linear(v[0], v[1], v[2], &error);
    if (!hist) {
      fprintf(stderr, "kvmmmu-report hist: %s\n", error->message);
      goto usage;
    }
  } else
    hist = kvmmmu_hist_new_log();
  run = kvmmmu_event_hist_new(hist, event, latency, interval_ns, interval_given);
  kvmmmu_event_hist_set_filter(run, cli.filter);
  if (cli.format == KVMMMU_FORMAT_JSON)
    kvmmmu_event_hist_keep_series(run);

  cli.shows_no_roles = TRUE;
  status = kvmmmu_cli_read(&cli, stats, on_record, run, &bad_lines);
  if (!kvmmmu_event_hist_finish(run, &error)) {
    fprintf(stderr, "kvmmmu-report hist: %s\n", error->message);
    status = KVMMMU_EXIT_USAGE;
    goto out;
  }

  switch (cli.format) {
  case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
  case KVMMMU_FORMAT_OPENMETRICS: /* only summary, roots and cache take it */
  case KVMMMU_FORMAT_TEXT:
    kvmmmu_render_event_hist_text(out, run, stats);
    break;
  case KVMMMU_FORMAT_CSV:
    kvmmmu_render_event_hist_csv(out, run);
    break;
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node = kvmmmu_render_event_hist_json(run, cli.abs_time);
    kvmmmu_cli_write_json(node);
    break;
  }
  }
  kvmmmu_cli_flush(out);
  kvmmmu_cli_note_loss(&cli, stats);
  if (!expect_records(stats, event, latency) && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
out:
  kvmmmu_cli_clear(&cli);
  return status;
usage:
  kvmmmu_cli_clear(&cli);
  return KVMMMU_EXIT_USAGE;
}

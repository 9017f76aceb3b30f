/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report hist: events per interval (or kvm_mmu_load latency) as
 * SystemTap's @hist_linear / @hist_log print them, with statistics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/hist.h"

typedef struct {
  KvmmmuCli *cli;
  KvmmmuRecordKind event;    /* what is counted per interval */
  gboolean event_given;
  gboolean latency;
  guint64 interval_ns;
  gboolean interval_given;
  KvmmmuHist *hist;

  /* the capture being read */
  gboolean open;
  guint64 origin_ns, end_ns;
  KvmmmuRate *events;        /* per-event records of the chosen kind */
  KvmmmuRate *ticks;         /* load_rate counts by tick - 1 */
  guint64 tick_interval_ns;  /* the longest interval a record measured */
  guint64 max_tick;
  guint64 last_tick_ns;      /* the interval the max_tick records measured */
  gboolean used_load_rate;

  guint64 intervals, partial_ns, events_total;
  guint64 partial_left_ns;   /* short last intervals left out */
  GError *error;
} HistRun;

static gboolean
parse_duration(const char *s, guint64 *ns)
{
  char *end;
  double v = g_ascii_strtod(s, &end);
  double mult = 1e9;

  if (end == s || v <= 0)
    return FALSE;
  if (strcmp(end, "ns") == 0)
    mult = 1;
  else if (strcmp(end, "us") == 0)
    mult = 1e3;
  else if (strcmp(end, "ms") == 0)
    mult = 1e6;
  else if (strcmp(end, "s") != 0 && *end)
    return FALSE;
  *ns = (guint64)(v * mult + 0.5);
  return *ns > 0;
}

/* Values of one capture into the histogram. */
static void
finish_capture(HistRun *run)
{
  gboolean use_ticks;

  if (!run->open)
    return;
  run->open = FALSE;
  if (run->latency)
    return;
  /* kvm_mmu_load per interval: per-event loads when the capture has them,
   * else the counts the kernel made (mmu_load_rate.stp). */
  use_ticks = run->event == KVMMMU_RECORD_LOAD_RATE ||
              (run->event == KVMMMU_RECORD_LOAD && run->events->events == 0 && run->max_tick > 0);
  if (use_ticks) {
    guint64 group = 1;

    run->used_load_rate = TRUE;
    if (run->interval_given && run->tick_interval_ns &&
        run->interval_ns != run->tick_interval_ns) {
      if (run->interval_ns % run->tick_interval_ns != 0) {
        if (!run->error)
          g_set_error(&run->error, KVMMMU_READER_ERROR, 0,
                      "Cannot regroup load_rate counts of %" G_GUINT64_FORMAT
                      " ns intervals into --interval %" G_GUINT64_FORMAT
                      " ns: expected a multiple", run->tick_interval_ns, run->interval_ns);
        return;
      }
      group = run->interval_ns / run->tick_interval_ns;
    }
    guint64 ticks = run->max_tick;

    /* The script writes its last interval at exit, however short: a
     * partial interval counts only when it is all there is. */
    if (ticks > 1 && run->last_tick_ns * 10 < run->tick_interval_ns * 9) {
      ticks--;
      run->partial_left_ns += run->last_tick_ns;
    } else if (ticks == 1 && run->last_tick_ns * 10 < run->tick_interval_ns * 9)
      run->partial_ns += run->last_tick_ns;
    for (guint64 t = 0; t + group <= ticks; t += group) {
      guint64 sum = 0;

      for (guint64 k = t; k < t + group; k++)
        if (k < run->ticks->counts->len)
          sum += g_array_index(run->ticks->counts, guint64, k);
      kvmmmu_hist_add(run->hist, sum);
      run->intervals++;
      run->events_total += sum;
    }
    return;
  }

  {
    guint64 complete = kvmmmu_rate_complete(run->events, run->end_ns);
    guint64 n = complete;

    /* A capture shorter than one interval still shows its one partial one. */
    if (complete == 0 && run->events->events > 0) {
      n = 1;
      run->partial_ns += run->end_ns - run->origin_ns;
    }
    for (guint64 i = 0; i < n; i++) {
      guint64 c = i < run->events->counts->len ? g_array_index(run->events->counts, guint64, i) : 0;

      kvmmmu_hist_add(run->hist, c);
      run->events_total += c;
    }
    run->intervals += n;
  }
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  HistRun *run = data;

  if (rec->kind == KVMMMU_RECORD_HEADER) {
    finish_capture(run);
    g_clear_pointer(&run->events, kvmmmu_rate_free);
    g_clear_pointer(&run->ticks, kvmmmu_rate_free);
    run->open = TRUE;
    run->origin_ns = run->end_ns = rec->u.header.start_ns;
    run->events = kvmmmu_rate_new(run->origin_ns, run->interval_ns);
    run->ticks = kvmmmu_rate_new(0, 1);
    run->max_tick = 0;
    run->tick_interval_ns = 0;
    run->last_tick_ns = 0;
    return;
  }
  if (!run->open || rec->kind > KVMMMU_RECORD_END)
    return; /* SystemTap's own lines carry no event time */
  run->end_ns = MAX(run->end_ns, rec->ts_ns);

  if (run->latency) {
    if (rec->kind == KVMMMU_RECORD_LOAD)
      kvmmmu_hist_add(run->hist, (gint64)MIN(rec->u.Load.dur_ns, (guint64)G_MAXINT64));
    return;
  }
  if (rec->kind == KVMMMU_RECORD_LOAD_RATE) {
    const KvmmmuLoadRate *lr = &rec->u.LoadRate;

    if (lr->tick > 0) {
      kvmmmu_rate_add_at(run->ticks, lr->tick - 1, lr->count);
      if (lr->tick >= run->max_tick) {
        run->max_tick = lr->tick;
        run->last_tick_ns = lr->interval_ns;
      }
      run->tick_interval_ns = MAX(run->tick_interval_ns, lr->interval_ns);
    }
    return;
  }
  if (rec->kind == run->event)
    kvmmmu_rate_add(run->events, rec->ts_ns, 1);
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

int
kvmmmu_cmd_hist(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  HistRun run = { .event = KVMMMU_RECORD_LOAD, .interval_ns = 1000000000ull };
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
    { "latency", 0, 0, G_OPTION_ARG_NONE, &run.latency,
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
  run.cli = &cli;
  if (event_arg) {
    if (!parse_event(event_arg, &run.event)) {
      fprintf(stderr, "kvmmmu-report hist: unknown event '%s': expected load, load_rate, walk, "
                      "step or switch\n", event_arg);
      goto usage;
    }
    run.event_given = TRUE;
  }
  if (interval_arg) {
    if (!parse_duration(interval_arg, &run.interval_ns)) {
      fprintf(stderr, "kvmmmu-report hist: bad --interval '%s': expected a positive duration "
                      "such as 1s, 100ms, 500us or 1000ns\n", interval_arg);
      goto usage;
    }
    run.interval_given = TRUE;
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
    run.hist = kvmmmu_hist_new_linear(v[0], v[1], v[2], &error);
    if (!run.hist) {
      fprintf(stderr, "kvmmmu-report hist: %s\n", error->message);
      goto usage;
    }
  } else
    run.hist = kvmmmu_hist_new_log();

  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  finish_capture(&run);
  if (run.error) {
    fprintf(stderr, "kvmmmu-report hist: %s\n", run.error->message);
    g_clear_error(&run.error);
    status = KVMMMU_EXIT_USAGE;
    goto out;
  }

  {
    const char *what = run.latency ? "kvm_mmu_load latency"
                       : run.used_load_rate ? "kvm_mmu_load (counted in the kernel)"
                       : run.event == KVMMMU_RECORD_LOAD ? "kvm_mmu_load"
                                                         : kvmmmu_kind_name(run.event);
    g_autofree char *unit = run.latency ? g_strdup("ns")
                            : g_strdup_printf("per %.9g s", run.interval_ns / 1e9);

    switch (cli.format) {
    case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
    case KVMMMU_FORMAT_TEXT:
      /* What the capture lost heads the report: the counts below miss it. */
      kvmmmu_render_loss_note(out, stats);
      if (run.latency)
        g_string_append_printf(out, "%s in ns: %" G_GUINT64_FORMAT " loads\n", what,
                               run.hist->count);
      else
        g_string_append_printf(out, "%s %s: %" G_GUINT64_FORMAT " intervals, %" G_GUINT64_FORMAT
                               " events\n", what, unit, run.intervals, run.events_total);
      kvmmmu_render_hist_stap(out, run.hist);
      kvmmmu_render_hist_stats(out, run.hist);
      if (run.partial_ns)
        g_string_append_printf(out, "note: the capture is shorter than one interval; its %.6fs "
                                    "count as one\n", run.partial_ns / 1e9);
      if (run.partial_left_ns)
        g_string_append_printf(out, "note: a last, partial interval of %.6fs is left out\n",
                               run.partial_left_ns / 1e9);
      break;
    case KVMMMU_FORMAT_CSV:
      kvmmmu_render_hist_csv(out, run.hist);
      break;
    case KVMMMU_FORMAT_JSON: {
      g_autoptr(JsonNode) node = kvmmmu_render_hist_json(run.hist, what, unit);
      kvmmmu_cli_write_json(node);
      break;
    }
    }
  }
  kvmmmu_cli_flush(out);
  kvmmmu_cli_note_loss(&cli, stats);
out:
  g_clear_pointer(&run.events, kvmmmu_rate_free);
  g_clear_pointer(&run.ticks, kvmmmu_rate_free);
  kvmmmu_hist_free(run.hist);
  kvmmmu_cli_clear(&cli);
  return status;
usage:
  kvmmmu_cli_clear(&cli);
  return KVMMMU_EXIT_USAGE;
}

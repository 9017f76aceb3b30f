/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report check: a captured trace is what the kernel's code says it
 * must be, complete, and agrees with KVM's own counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/walks.h"
#include "model/zapmatch.h"
#include "reader/counters.h"
#include "reader/tracefs.h"

typedef struct {
  KvmmmuWalks *walks;
  KvmmmuWalkTally tally[KVMMMU_WALK_KINDS]; /* zap walks', sync walks' */
  guint64 zap_calls;       /* round-0 zap walks: one mmu_zap_unsync_children each */
  /* --tracepoints: the kernel's own decoding of each zapped page */
  GHashTable *events;
  KvmmmuZapMatch match;
  const KvmmmuKernelLayout **layout; /* the CLI's, read when a walk finishes */
  KvmmmuCache *cache;        /* prev_roots replayed, checked at the kernel's N */
} CheckRun;

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  CheckRun *run = data;

  kvmmmu_walk_tallies_add(run->tally, t);
  if (t->rec.round == 0 && kvmmmu_walk_kind(t) == KVMMMU_WALK_ZAP)
    run->zap_calls++;
  if (run->events)
    kvmmmu_zap_match_walk(&run->match, t, *run->layout);
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  CheckRun *run = data;

  kvmmmu_walks_add(run->walks, rec);
  if (rec->kind == KVMMMU_RECORD_HEADER)
    kvmmmu_cli_cache_n(*run->layout, run->cache);
  kvmmmu_cache_add(run->cache, rec);
}

/* A record the filter left out still numbers its VM, as --vm does. */
static void
on_left_out(const KvmmmuRecord *rec, gpointer data)
{
  CheckRun *run = data;

  kvmmmu_cache_note_vm(run->cache, rec);
}

#define OK(cond) ((cond) ? KVMMMU_VERDICT_OK : KVMMMU_VERDICT_FAIL)

/* The rules of one kind of walk.  Zap walks' verdicts keep the ids and
 * words they always had, named "zap walks" when sync walks stand beside
 * them (named: both kinds are in the input); sync walks' ids start sync_. */
static void
walk_verdicts(KvmmmuVerdicts *v, const KvmmmuWalkTally *ty, KvmmmuWalkKind kind, gboolean named)
{
  gboolean sync = kind == KVMMMU_WALK_SYNC;
  const char *noun = !named ? "walks" : sync ? "sync walks" : "zap walks";
  const char *done = kvmmmu_walk_kind_done(kind);

  kvmmmu_verdicts_add(v, OK(ty->not_depth_first == 0), sync ? "sync_walks_depth_first" : "walks_depth_first",
          "%s in depth-first order: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          noun, ty->walks - ty->not_depth_first, ty->walks);
  kvmmmu_verdicts_number(v, "walks", ty->walks);
  kvmmmu_verdicts_number(v, "not_depth_first", ty->not_depth_first);
  kvmmmu_verdicts_add(v, OK(ty->steps_bad == 0), sync ? "sync_step_paths" : "step_paths",
          "%sstep paths root-to-leaf inside their walk: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          !named ? "" : sync ? "sync walks' " : "zap walks' ", ty->steps - ty->steps_bad, ty->steps);
  kvmmmu_verdicts_number(v, "steps", ty->steps);
  kvmmmu_verdicts_number(v, "bad_steps", ty->steps_bad);
  kvmmmu_verdicts_add(v, OK(ty->leaves_unzapped == 0), sync ? "leaves_synced" : "leaves_zapped",
          "leaves %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT, done,
          ty->leaves - ty->leaves_unzapped, ty->leaves);
  kvmmmu_verdicts_number(v, "leaves", ty->leaves);
  kvmmmu_verdicts_number(v, sync ? "leaves_not_synced" : "leaves_not_zapped", ty->leaves_unzapped);
}

/* mmu_sync_children() calls against the sync walks before them on their
 * CPU (model/synccalls.h): only calls that never yielded are judged. */
static void
sync_call_verdicts(KvmmmuVerdicts *v, const KvmmmuSyncCalls *sc)
{
  kvmmmu_verdicts_add(v, OK(sc->tied_differ == 0), "sync_calls_walks",
          "sync calls agree with their sync walks: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
          " judged (of %" G_GUINT64_FORMAT " calls, %" G_GUINT64_FORMAT " yielded, %"
          G_GUINT64_FORMAT " had no walk, %" G_GUINT64_FORMAT " without their walks on their CPU)%s%s",
          sc->tied - sc->tied_differ, sc->tied, sc->calls, sc->calls_yielded, sc->calls_no_walk,
          sc->not_found, sc->tied_differ ? "; first: " : "", sc->first_differ);
  kvmmmu_verdicts_number(v, "calls", sc->calls);
  kvmmmu_verdicts_number(v, "judged", sc->tied);
  kvmmmu_verdicts_number(v, "differ", sc->tied_differ);
  kvmmmu_verdicts_number(v, "yielded", sc->calls_yielded);
  kvmmmu_verdicts_number(v, "no_walk", sc->calls_no_walk);
  kvmmmu_verdicts_number(v, "walks_not_found", sc->not_found);
  kvmmmu_verdicts_add(v, OK(sc->ret_other == 0 && sc->held_over_dur == 0), "sync_calls_values",
          "sync calls return 0 or -EINTR and hold mmu_lock at most their time: %" G_GUINT64_FORMAT
          " return another value, %" G_GUINT64_FORMAT " held it longer",
          sc->ret_other, sc->held_over_dur);
  kvmmmu_verdicts_number(v, "ret_other", sc->ret_other);
  kvmmmu_verdicts_number(v, "held_over_dur", sc->held_over_dur);
}

int
kvmmmu_cmd_check(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  CheckRun run = { 0 };
  g_autofree char *before_arg = NULL, *after_arg = NULL, *tracepoints_arg = NULL;
  const GOptionEntry entries[] = {
    { "kvm-before", 0, 0, G_OPTION_ARG_FILENAME, &before_arg,
      "KVM's debugfs counters read before the capture", "FILE" },
    { "kvm-after", 0, 0, G_OPTION_ARG_FILENAME, &after_arg,
      "KVM's debugfs counters read after it, while the VM still existed", "FILE" },
    { "tracepoints", 0, 0, G_OPTION_ARG_FILENAME, &tracepoints_arg,
      "tracefs output of kvmmmu:kvm_mmu_prepare_zap_page taken beside the capture: "
      "the kernel's own decoding of each zapped page, compared with ours", "FILE" },
    { NULL }
  };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuWalks) walks = NULL;
  g_autoptr(KvmmmuVerdicts) v = kvmmmu_verdicts_new();
  g_autoptr(KvmmmuCache) cache = kvmmmu_cache_new(KVMMMU_CLI_PREV_ROOTS);
  guint64 bad_lines, events = 0;
  int status;

  if (!kvmmmu_cli_parse(&cli, "check",
                        "Fail unless the trace is sound: walks in depth-first order, step paths\n"
                        "root-to-leaf, every leaf zapped (synced, in a sync walk), sync calls\n"
                        "that agree with their walks, a trailer, nothing lost or skipped,\n"
                        "and (with --kvm-before/--kvm-after) agreement with KVM's counters.",
                        entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  if (!before_arg != !after_arg) {
    fprintf(stderr, "kvmmmu-report check: --kvm-before and --kvm-after go together\n");
    kvmmmu_cli_clear(&cli);
    return KVMMMU_EXIT_USAGE;
  }
  walks = kvmmmu_walks_new(on_walk, &run);
  run.walks = walks;
  run.layout = &cli.layout;
  run.cache = cache;
  if (tracepoints_arg) {
    g_autoptr(GError) error = NULL;

    run.events = kvmmmu_tracefs_read_zaps(tracepoints_arg, &error);
    if (!run.events) {
      fprintf(stderr, "kvmmmu-report check: Cannot read tracepoints: %s\n", error->message);
      kvmmmu_cli_clear(&cli);
      return KVMMMU_EXIT_UNUSABLE;
    }
    kvmmmu_zap_match_init(&run.match, run.events);
  }
  cli.left_out_func = on_left_out;
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_walks_finish(walks);

  for (guint k = KVMMMU_RECORD_HEADER + 1; k <= KVMMMU_RECORD_END; k++)
    events += stats->per_kind[k];
  kvmmmu_verdicts_add(v, OK(status != KVMMMU_EXIT_UNUSABLE && events > 0), "records",
          "records: %" G_GUINT64_FORMAT " in %u capture(s)", events, stats->captures);
  kvmmmu_verdicts_number(v, "records", events);
  kvmmmu_verdicts_number(v, "captures", stats->captures);
  kvmmmu_verdicts_add(v, OK(bad_lines == 0), "bad_lines", "bad lines: %" G_GUINT64_FORMAT "%s",
                      bad_lines, stats->seq_repeated ? " (some repeat or go back in their CPU's seq)" : "");
  kvmmmu_verdicts_number(v, "bad_lines", bad_lines);
  kvmmmu_verdicts_number(v, "seq_repeated", stats->seq_repeated);
  /* Only when it happens: a CPU number no x86-64 kernel has. */
  if (stats->seq_unchecked) {
    kvmmmu_verdicts_add(v, OK(FALSE), "seq_checked",
                        "seq checked on every line: %" G_GUINT64_FORMAT " lines from CPUs "
                        "numbered %u or above were not", stats->seq_unchecked,
                        KVMMMU_STATS_MAX_CPUS);
    kvmmmu_verdicts_number(v, "seq_unchecked", stats->seq_unchecked);
  }
  walk_verdicts(v, &run.tally[KVMMMU_WALK_ZAP], KVMMMU_WALK_ZAP, run.tally[KVMMMU_WALK_SYNC].walks > 0);
  if (run.tally[KVMMMU_WALK_SYNC].walks || stats->sync_calls->calls) {
    walk_verdicts(v, &run.tally[KVMMMU_WALK_SYNC], KVMMMU_WALK_SYNC, TRUE);
    sync_call_verdicts(v, stats->sync_calls);
  }
  /* The kernel's own array sizes, from its DWARF when we have it: they
   * bound both kinds of walk.  Full arrays and restarts are the zap walks'
   * (a sync walk's rounds are its call's, not restarts). */
  if (cli.layout && cli.layout->page_array_nr && cli.layout->root_max_level) {
    const KvmmmuWalkTally *zap = &run.tally[KVMMMU_WALK_ZAP], *sync = &run.tally[KVMMMU_WALK_SYNC];
    guint max_nr = MAX(zap->max_nr, sync->max_nr), max_depth = MAX(zap->max_depth, sync->max_depth);

    kvmmmu_verdicts_add(v, KVMMMU_VERDICT_INFO, "layout_source", "bounds and roles from the %s",
                        cli.layout->source);
    kvmmmu_verdicts_add(v, OK(max_nr <= cli.layout->page_array_nr), "walk_array_bound",
            "walk arrays within KVM_PAGE_ARRAY_NR=%u: largest nr %u (%" G_GUINT64_FORMAT
            " full, %" G_GUINT64_FORMAT " restarts after -ENOSPC)",
            cli.layout->page_array_nr, max_nr, zap->full, zap->restarts);
    kvmmmu_verdicts_number(v, "kvm_page_array_nr", cli.layout->page_array_nr);
    kvmmmu_verdicts_number(v, "largest_nr", max_nr);
    kvmmmu_verdicts_number(v, "full", zap->full);
    kvmmmu_verdicts_number(v, "restarts", zap->restarts);
    kvmmmu_verdicts_add(v, OK(max_depth < cli.layout->root_max_level), "step_path_bound",
            "step paths below PT64_ROOT_MAX_LEVEL=%u: longest %u", cli.layout->root_max_level,
            max_depth);
    kvmmmu_verdicts_number(v, "pt64_root_max_level", cli.layout->root_max_level);
    kvmmmu_verdicts_number(v, "longest_path", max_depth);
  }
  if (run.events) {
    if (!cli.layout)
      kvmmmu_verdicts_add(v, OK(FALSE), "roles_vs_tracepoints",
                          "roles agree with the kernel's tracepoints: no layout to decode with");
    else {
      g_autofree char *over = run.match.cpus_over
        ? g_strdup_printf(", %" G_GUINT64_FORMAT " on CPUs past the first %u not matched",
                          run.match.cpus_over, KVMMMU_ZAPMATCH_CPUS_MAX)
        : g_strdup("");

      kvmmmu_verdicts_add(v, OK(run.match.pages > 0 && run.match.agree == run.match.pages), "roles_vs_tracepoints",
              "roles agree with the kernel's kvm_mmu_prepare_zap_page: %" G_GUINT64_FORMAT
              " of %" G_GUINT64_FORMAT " zapped pages (%" G_GUINT64_FORMAT " differ, %"
              G_GUINT64_FORMAT " without an event%s)%s%s",
              run.match.agree, run.match.pages, run.match.differ, run.match.unmatched, over,
              run.match.differ ? "; first: " : "", run.match.first_diff);
      kvmmmu_verdicts_number(v, "pages", run.match.pages);
      kvmmmu_verdicts_number(v, "agree", run.match.agree);
      kvmmmu_verdicts_number(v, "differ", run.match.differ);
      kvmmmu_verdicts_number(v, "without_event", run.match.unmatched);
      if (run.match.cpus_over)
        kvmmmu_verdicts_number(v, "pages_of_cpus_not_kept", run.match.cpus_over);
    }
  }
  if (stats->per_kind[KVMMMU_RECORD_SWITCH]) {
    /* KVM's prev_roots replayed (model/cache.h) must do what the kernel
     * did, switch by switch: hits on roots cached before the capture
     * began are the only ones it cannot know. */
    KvmmmuVcpuCache t;

    kvmmmu_cache_total(cache, &t);
    if (cache->diffs->len) {
      const KvmmmuCacheDiff *d = &g_array_index(cache->diffs, KvmmmuCacheDiff, 0);

      kvmmmu_verdicts_add(v, OK(FALSE), "prev_roots_model",
              "prev_roots model at N=%u against the kernel: %" G_GUINT64_FORMAT " of %"
              G_GUINT64_FORMAT " switches differ, the first at %s:%" G_GUINT64_FORMAT
              " (kernel %s; kvmmmu-report cache lists them)", cache->kernel_n, t.differ,
              t.agree + t.differ + t.warm, d->file ? d->file : "-", d->line,
              kvmmmu_switch_result_name(d->kernel));
    } else {
      kvmmmu_verdicts_add(v, OK(TRUE), "prev_roots_model",
              "prev_roots model at N=%u against the kernel: %" G_GUINT64_FORMAT " of %"
              G_GUINT64_FORMAT " switches agree, %" G_GUINT64_FORMAT
              " kernel hits on roots cached before the capture", cache->kernel_n, t.agree,
              t.agree + t.differ + t.warm, t.warm);
    }
    kvmmmu_verdicts_number(v, "prev_roots", cache->kernel_n);
    kvmmmu_verdicts_number(v, "agree", t.agree);
    kvmmmu_verdicts_number(v, "differ", t.differ);
    kvmmmu_verdicts_number(v, "warm_hits", t.warm);
  }
  kvmmmu_verdicts_add(v, OK(stats->have_end), "trailer", "trailer: %s",
                      stats->have_end ? "present" : stats->captures > 1 ? "missing in a capture" : "missing");
  kvmmmu_verdicts_number(v, "captures_without_trailer", kvmmmu_stats_captures_unended(stats));
  {
    g_autoptr(GString) loss = g_string_new("");

    kvmmmu_render_loss_note(loss, stats);
    g_strchomp(loss->str);
    kvmmmu_verdicts_add(v, OK(loss->len == 0), "nothing_lost", "nothing lost or skipped%s%s",
                        loss->len ? ": " : "", loss->str);
    kvmmmu_verdicts_number(v, "seq_missing", stats->seq_missing);
    kvmmmu_verdicts_number(v, "records_lost", kvmmmu_stats_records_lost(stats));
    kvmmmu_verdicts_number(v, "bulk_flushes_missing", stats->bulk_missing);
    kvmmmu_verdicts_number(v, "stap_errors", stats->stap_errors);
    kvmmmu_verdicts_number(v, "stap_skipped", stats->stap_skipped);
    kvmmmu_verdicts_number(v, "transport_failures", stats->stap_transport_failures);
  }

  if (before_arg) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) before = kvmmmu_counters_read(before_arg, &error);
    g_autoptr(GHashTable) after = before ? kvmmmu_counters_read(after_arg, &error) : NULL;
    const guint64 *b, *a;

    if (!after) {
      fprintf(stderr, "kvmmmu-report check: Cannot read KVM counters: %s\n", error->message);
      status = KVMMMU_EXIT_UNUSABLE;
      goto out;
    }
    b = g_hash_table_lookup(before, "mmu_shadow_zapped");
    a = g_hash_table_lookup(after, "mmu_shadow_zapped");
    /* Every step and every parent of an unsync walk goes through
     * __kvm_mmu_prepare_zap_page(), which counts mmu_shadow_zapped; other
     * zaps count there too, so the counter bounds our records from above. */
    if (!a || !b)
      kvmmmu_verdicts_add(v, OK(FALSE), "kvm_counters", "mmu_shadow_zapped: missing from the counter files");
    else if (run.tally[KVMMMU_WALK_ZAP].steps + run.zap_calls == 0) {
      g_autofree char *scripts = kvmmmu_stats_distinct(stats, G_STRUCT_OFFSET(KvmmmuHeader, script));

      kvmmmu_verdicts_add(v, OK(FALSE), "kvm_counters",
              "mmu_shadow_zapped: nothing to compare: no walk steps or zapped parents in the input "
              "(captures from script=%s; zap_unsync records them)", scripts);
    } else {
      /* zap walks' steps only: a sync walk's steps sync their leaves */
      guint64 steps = run.tally[KVMMMU_WALK_ZAP].steps;

      kvmmmu_verdicts_add(v, OK(*a >= *b && *a - *b >= steps + run.zap_calls), "kvm_counters",
              "mmu_shadow_zapped grew by %" G_GUINT64_FORMAT ", at least the %" G_GUINT64_FORMAT
              " steps + %" G_GUINT64_FORMAT " zapped parents recorded",
              *a >= *b ? *a - *b : 0, steps, run.zap_calls);
      kvmmmu_verdicts_number(v, "mmu_shadow_zapped_growth", *a >= *b ? *a - *b : 0);
      kvmmmu_verdicts_number(v, "steps", steps);
      kvmmmu_verdicts_number(v, "zapped_parents", run.zap_calls);
    }
  }

  switch (cli.format) {
  case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
  case KVMMMU_FORMAT_OPENMETRICS: /* only summary, roots and cache take it */
  case KVMMMU_FORMAT_TEXT: {
    g_autoptr(GString) out = g_string_new("");

    kvmmmu_render_verdicts_text(out, v);
    kvmmmu_cli_flush(out);
    break;
  }
  case KVMMMU_FORMAT_CSV: {
    g_autoptr(GString) out = g_string_new("");

    kvmmmu_render_verdicts_csv(out, v);
    kvmmmu_cli_flush(out);
    break;
  }
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node = kvmmmu_render_verdicts_json(v);

    kvmmmu_cli_write_json(node);
    break;
  }
  }
  if (v->failed && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
out:
  kvmmmu_zap_match_clear(&run.match);
  g_clear_pointer(&run.events, g_hash_table_destroy);
  kvmmmu_cli_clear(&cli);
  return status;
}

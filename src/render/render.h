/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.h - model objects to text, JSON and CSV.
 *
 * Renderers append to a GString (text, CSV) or return a KvmmmuJson; the CLI
 * writes them.  They know nothing of parsing: what they show comes from
 * the model.  Times are shown relative to the capture's start.
 */
#ifndef KVMMMU_RENDER_RENDER_H
#define KVMMMU_RENDER_RENDER_H

#include <glib.h>

#include "render/json.h"
#include "model/cache.h"
#include "model/evhist.h"
#include "model/hist.h"
#include "model/live.h"
#include "model/roles.h"
#include "model/roots.h"
#include "model/stats.h"
#include "model/verdicts.h"
#include "model/walks.h"

typedef enum {
  KVMMMU_FORMAT_TEXT,
  KVMMMU_FORMAT_JSON,
  KVMMMU_FORMAT_CSV,
  KVMMMU_FORMAT_DOT,   /* Graphviz; walks only */
  KVMMMU_FORMAT_OPENMETRICS, /* summary, roots and cache only */
} KvmmmuOutputFormat;

/* "+1.234567s" from origin; ts before origin prints negative.  origin 0
 * (--abs-time): "1795541225.451172s", the records' own clock. */
void kvmmmu_render_reltime(GString *out, guint64 ts_ns, guint64 origin_ns);
/* The same without the unit, for CSV: "+1.000000". */
void kvmmmu_render_reltime_number(GString *out, guint64 ts_ns, guint64 origin_ns);

/* ---- walks ---- */
/* The seed's two dumps: "Dump pages after mmu_unsync_walk" and one
 * "Dump parents after for_each_sp" per step, byte for byte. */
void kvmmmu_render_walk_dump(GString *out, const KvmmmuWalkTree *t);
/* One "!! ..." line per failed check; nothing when the walk is right. */
void kvmmmu_render_walk_violations(GString *out, const KvmmmuWalkTree *t);
/* Role words decode with layout when it is not NULL, else stay raw. */
/* The walk as an indented tree, root to leaves, with its verdicts. */
void kvmmmu_render_walk_tree(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                             const KvmmmuKernelLayout *layout);
void kvmmmu_render_walk_csv_header(GString *out);
void kvmmmu_render_walk_csv(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                            const KvmmmuKernelLayout *layout);
/* transfer full */
KvmmmuJson *kvmmmu_render_walk_json(const KvmmmuWalkTree *t, guint64 origin_ns,
                                  const KvmmmuKernelLayout *layout);
/* One walk as a Graphviz cluster of a digraph the caller opens and closes:
 * pages as boxes from the root down, unsync leaves filled, each leaf
 * labelled with the step that zapped it. */
void kvmmmu_render_walk_dot(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                            const KvmmmuKernelLayout *layout);
/* The same with step (0-based) highlighted: its leaf, its recorded parents
 * and the tree edges between them drawn bold red; step < 0: none. */
void kvmmmu_render_walk_dot_step(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                                 const KvmmmuKernelLayout *layout, int step);
/* "roles: decoded with SOURCE" or "roles: raw (...)" */
void kvmmmu_render_roles_source(GString *out, const KvmmmuKernelLayout *layout);

/* ---- roots ---- */
/* The seed's table: "vcpu[N] root_hpa X" per vCPU of the snapshot. */
void kvmmmu_render_snapshot_text(GString *out, const KvmmmuRootSnapshot *s,
                                 guint64 origin_ns, gboolean many_vms);
/* What the roots model left out past its limits, a line each for stderr
 * (nothing when it left out nothing); TRUE when a snapshot held more vCPUs
 * than the format allows, an input problem. */
gboolean kvmmmu_render_roots_limits(GString *out, const KvmmmuRoots *r);
void kvmmmu_render_roots_text(GString *out, const KvmmmuRoots *r, guint64 span_ns,
                              const KvmmmuKernelLayout *layout);
void kvmmmu_render_roots_csv(GString *out, const KvmmmuRoots *r, guint64 span_ns);
KvmmmuJson *kvmmmu_render_roots_json(const KvmmmuRoots *r, guint64 span_ns,
                                   const KvmmmuKernelLayout *layout,
                                   KvmmmuJson *snapshots /* transfer full, may be NULL */);
KvmmmuJson *kvmmmu_render_snapshot_json(const KvmmmuRootSnapshot *s, guint64 origin_ns);
/* roots --format csv streams the snapshots first, one row per vCPU, then
 * a blank line and the vCPU table. */
void kvmmmu_render_snapshot_csv_header(GString *out);
void kvmmmu_render_snapshot_csv(GString *out, const KvmmmuRootSnapshot *s, guint64 origin_ns);
/* One load or switch record of roots' JSON "events" array, which roots
 * streams in trace order: every load with its time and latency, every
 * switch with its prev_roots result and role (null in a capture whose
 * format version, version, predates it). */
KvmmmuJson *kvmmmu_render_root_event_json(const KvmmmuRecord *rec, guint capture,
                                          guint version, guint64 origin_ns);

/* ---- the prev_roots cache model ---- */
/* Per vCPU and in total: switches, first uses, the kernel's hits and
 * misses, hits and misses for N = 1..KVMMMU_CACHE_MAX_N with the kernel's N
 * marked and the load time the other Ns would save, the model's agreement
 * with the kernel at its N (and the first switches that differ), and the
 * reuse depths as a SystemTap histogram. */
void kvmmmu_render_cache_text(GString *out, const KvmmmuCache *cache);
/* One row per vCPU and N: kvm,vcpu,prev_roots,switches,hits first. */
void kvmmmu_render_cache_csv(GString *out, const KvmmmuCache *cache);
KvmmmuJson *kvmmmu_render_cache_json(const KvmmmuCache *cache);
/* kvm_mmu_load by cause (KvmmmuLoadCause): a table of loads, mean, p50,
 * p90, max and total latency per cause, the causes' meanings, the failed
 * loads left out, and each cause's latency as a SystemTap @hist_log. */
void kvmmmu_render_load_causes_text(GString *out, const KvmmmuCache *cache);
/* summary's line: "loads:    by cause: N switch_miss, N first, N other" */
void kvmmmu_render_load_causes_line(GString *out, const KvmmmuCache *cache);
/* summary's CSV rows: all,loads_CAUSE,N for each cause, and loads_failed */
void kvmmmu_render_load_causes_csv_rows(GString *out, const KvmmmuCache *cache);
/* cause,loads,mean_ns,p50_ns,p90_ns,p99_ns,max_ns,total_ns,percentiles_approximate:
 * a row per cause, then "failed" and "not_classified" rows with counts only. */
void kvmmmu_render_load_causes_csv(GString *out, const KvmmmuCache *cache);
/* transfer full: {"causes": [{cause, meaning, loads, total_ns, latency}],
 * failed_loads, loads_not_classified} */
KvmmmuJson *kvmmmu_render_load_causes_json(const KvmmmuCache *cache);

/* ---- histograms ---- */
/* Exactly as SystemTap prints @hist_linear / @hist_log, blank line included. */
void kvmmmu_render_hist_stap(GString *out, const KvmmmuHist *h);
/* count=N min=N max=N mean=N.NN p50=N p90=N p99=N; when the percentiles
 * are approximate, p50~N p90~N p99~N and a "note:" line saying why. */
void kvmmmu_render_hist_stats(GString *out, const KvmmmuHist *h);
/* "bucket,count" rows, a blank line, then the statistics as a table of
 * one header and one row (empty cells when there are no values). */
void kvmmmu_render_hist_csv(GString *out, const KvmmmuHist *h);
/* transfer full: buckets as numbers, statistics null when empty */
KvmmmuJson *kvmmmu_render_hist_json(const KvmmmuHist *h, const char *what, const char *unit);
/* The hist report: what the capture lost, what was counted, the histogram,
 * its statistics and what was left out. */
void kvmmmu_render_event_hist_text(GString *out, const KvmmmuEventHist *eh,
                                   const KvmmmuStats *stats);
void kvmmmu_render_event_hist_csv(GString *out, const KvmmmuEventHist *eh);
/* transfer full: the histogram's members, what was left out, and for rates
 * the series per capture when kvmmmu_event_hist_keep_series() was asked */
/* abs_time: series runs start on the records' clock, not from their
 * capture's start (--abs-time). */
KvmmmuJson *kvmmmu_render_event_hist_json(const KvmmmuEventHist *eh, gboolean abs_time);

/* ---- summary ----
 * walks: the zap walks' count (callers pass it: the walk records but the
 * sync walks, or walks' tally); pages and full arrays are the zap walks'
 * too, the sync walks' and calls' beside them. */
void kvmmmu_render_summary_text(GString *out, const KvmmmuStats *s, guint64 walks,
                                guint64 bad_lines);
void kvmmmu_render_summary_csv(GString *out, const KvmmmuStats *s, guint64 walks,
                               guint64 bad_lines);
KvmmmuJson *kvmmmu_render_summary_json(const KvmmmuStats *s, guint64 walks, guint64 bad_lines);
/* summary's sync lines, nothing when the input has no sync walk or call:
 * sync walks, sync calls (mmu_sync_children) and the statistics of their
 * dur_ns and held_ns as kvmmmu_render_hist_stats() gives them. */
void kvmmmu_render_sync_text(GString *out, const KvmmmuStats *s);
/* What the stats could not count (vCPUs past KVMMMU_STATS_VCPUS_MAX, CPUs
 * past KVMMMU_STATS_MAX_CPUS), a line each; TRUE when there was any. */
gboolean kvmmmu_render_stats_limits(GString *out, const KvmmmuStats *s);
/* One line saying what the capture lost, or nothing when it lost nothing. */
void kvmmmu_render_loss_note(GString *out, const KvmmmuStats *s);
/* "at least " before a count that saturated (format/count.h), else "". */
const char *kvmmmu_render_at_least(guint64 count);

/* ---- top ---- */
/* What the last frame showed, for the next frame's rates. */
typedef struct _KvmmmuTopFrame KvmmmuTopFrame;
KvmmmuTopFrame *kvmmmu_top_frame_new(void);
void kvmmmu_top_frame_free(KvmmmuTopFrame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuTopFrame, kvmmmu_top_frame_free)
/* One frame: the totals, the rates per second of trace time since the last
 * frame (since the first record for the first), the load latency
 * percentiles, the first max_vcpus vCPUs by loads, and what was lost. */
void kvmmmu_render_top_frame(GString *out, KvmmmuTopFrame *frame, const KvmmmuLive *live,
                             const KvmmmuStats *stats, guint max_vcpus);

/* ---- check ---- */
/* "ok   what" / "FAIL what" / "info what" lines, then "check: N passed, N failed" */
void kvmmmu_render_verdicts_text(GString *out, const KvmmmuVerdicts *v);
void kvmmmu_render_verdicts_csv(GString *out, const KvmmmuVerdicts *v);
KvmmmuJson *kvmmmu_render_verdicts_json(const KvmmmuVerdicts *v);

/* ---- OpenMetrics (openmetrics.c, docs/openmetrics.md) ----
 * The text exposition, ending in "# EOF": what a capture held and lost,
 * and the load and sync latency by cause as histograms (summary); each
 * vCPU's roots (roots); each vCPU's prev_roots model (cache).  The three
 * share no metric, so their files may lie side by side in one textfile
 * collector directory.  stats names each capture's host and kernel. */
void kvmmmu_render_summary_openmetrics(GString *out, const KvmmmuStats *s, guint64 bad_lines,
                                       const KvmmmuCache *causes);
void kvmmmu_render_roots_openmetrics(GString *out, const KvmmmuRoots *r, const KvmmmuStats *s);
void kvmmmu_render_cache_openmetrics(GString *out, const KvmmmuCache *c, const KvmmmuStats *s);

/* transfer full: the node as compact or pretty JSON text */
char *kvmmmu_render_json_to_string(const KvmmmuJson *node, gboolean pretty);

#endif

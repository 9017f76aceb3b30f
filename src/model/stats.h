/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - what a capture holds and what it lost: records per kind, time
 * span, per-CPU sequence gaps, SystemTap's warnings, the trailer.  Every
 * subcommand feeds it so every report can say how much is missing.
 */
#ifndef KVMMMU_MODEL_STATS_H
#define KVMMMU_MODEL_STATS_H

#include <glib.h>

#include "format/count.h"
#include "format/records.h"
#include "model/synccalls.h"

/* CPUs numbered below this have their seq checked, in a table of 24 bytes
 * a CPU (192 KiB at most).  No x86-64 kernel numbers a CPU past it
 * (NR_CPUS is at most 8192): a record from a higher number is counted in
 * seq_unchecked, its seq and CPU unchecked and uncounted. */
#define KVMMMU_STATS_MAX_CPUS 8192

/* Distinct (kvm, vcpu) pairs counted in one capture, as roots keeps
 * (KVMMMU_ROOTS_VCPUS_MAX): a host runs a few thousand at most.  A
 * record of a vCPU past them is counted in vcpu_records_over, its vCPU is
 * not: a capture that reaches the limit has that many vCPUs or more. */
#define KVMMMU_STATS_VCPUS_MAX 16384

/* Captures listed one by one (in text, JSON and CSV), 1 KiB or so each:
 * a capture past them is counted in the totals as the others are, but not
 * listed (kvmmmu_stats_captures_unlisted).  Traces hold a few captures;
 * this many is a file of tiny ones. */
#define KVMMMU_STATS_CAPTURES_LISTED 4096

/* Distinct kernels, hosts, scripts and build ids named over all captures
 * (kvmmmu_stats_distinct): values past them are said as "and more". */
#define KVMMMU_STATS_DISTINCT_MAX 64

/* One capture: a header and the records after it up to the next header.
 * Its counts are its own; KvmmmuStats holds their totals. */
typedef struct {
  KvmmmuHeader header;
  char *file;                 /* the input it came from */
  guint index;                /* 1, 2, ... over all inputs */
  guint index_in_file;        /* 1, 2, ... within its file */
  guint64 per_kind[KVMMMU_RECORD_N_KINDS];
  guint64 first_ts, last_ts;  /* over its event records, 0 when none */
  guint64 pages, walks_full;  /* of every walk, zap and sync */
  guint64 sync_walks, sync_pages, sync_walks_full; /* of them, the sync walks' */
  guint n_cpus, n_vcpus;
  guint64 seq_missing;        /* saturating (format/count.h) */
  guint64 seq_repeated;       /* records not counted: seq not above their CPU's last */
  guint64 seq_unchecked;      /* lines from CPUs numbered KVMMMU_STATS_MAX_CPUS or above */
  guint64 vcpu_records_over;  /* records of vCPUs past KVMMMU_STATS_VCPUS_MAX: vCPUs not counted */
  guint64 lines_skipped, steps_of_bad_walks;
  gboolean have_end;
  KvmmmuEnd end;
  guint64 end_ts;
  guint64 arrived_at_end;     /* records that arrived by its trailer */
} KvmmmuCapture;

typedef struct {
  guint captures;             /* header records */
  KvmmmuHeader header;        /* the first capture's header */
  GArray *capture_list;       /* KvmmmuCapture, in input order, the closed ones of
                               * the first KVMMMU_STATS_CAPTURES_LISTED */
  guint captures_folded;      /* closed captures past them: in `folded` only */
  struct _KvmmmuCaptureSums *folded;
  const struct _KvmmmuFilter *filter; /* borrowed: its --time range for window spans */
  /* The distinct values of the headers' string fields, in order of first
   * sight, KVMMMU_STATS_DISTINCT_MAX at most each; more: a value was left out */
  GPtrArray *distinct[4];
  GHashTable *distinct_seen[4];
  gboolean distinct_more[4];
  guint64 per_kind[KVMMMU_RECORD_N_KINDS];
  guint64 first_ts, last_ts;  /* over event records */
  guint64 pages, steps_parents;
  guint64 walks_full;         /* nr == 16: mmu_unsync_walk hit -ENOSPC */
  /* Of the walks, pages and full arrays above, those of sync walks
   * (mmu_sync_children): the rest are zap walks. */
  guint64 sync_walks, sync_pages, sync_walks_full;
  KvmmmuSyncCalls *sync_calls; /* the sync_call records, and their walks */

  /* loss seen in the data: gaps in a CPU's seq (saturating) */
  guint64 seq_missing;
  guint64 bulk_missing;       /* stap -b flushes missing from the sequence */
  /* Records whose seq is not above the last of their CPU: a record read
   * twice (files concatenated twice, a copy) or out of order, which the
   * format does not allow.  Not counted, not handed on: the CLI reports
   * each as a bad line (kvmmmu_stats_add). */
  guint64 seq_repeated;
  guint64 seq_unchecked;      /* lines from CPUs at or past KVMMMU_STATS_MAX_CPUS */
  guint64 vcpu_records_over;  /* records of vCPUs past a capture's KVMMMU_STATS_VCPUS_MAX */
  struct _KvmmmuCpuSeq *cpu_seq; /* by cpu number, n_cpu_seq of them */
  guint n_cpu_seq;
  GHashTable *vcpus;          /* (kvm, vcpu) seen in the open capture, at most
                               * KVMMMU_STATS_VCPUS_MAX */
  guint64 recent_vcpus[64];   /* keys known to be in vcpus, by their low bits */
  guint n_cpus;

  /* what SystemTap said (saturating: the numbers are SystemTap's text) */
  guint64 stap_errors, stap_skipped, stap_transport_failures;
  guint64 stap_warning_lines, stap_error_lines;
  guint64 probe_hit_lines, probe_hits_total;
  guint64 stap_lock_contention; /* stap -t refresh report totals */
  double probe_cycles_total;  /* sum of hits x average cycles */

  /* after kvmmmu_stats_finish(): every capture ended with a trailer, and
   * the trailers' counts summed */
  gboolean have_end;
  KvmmmuEnd end;
  guint64 end_ts;             /* the last trailer's time */
  guint64 event_records;      /* event records counted, trailer excluded */
  guint64 lines_skipped;      /* event lines that arrived but were skipped */
  guint64 steps_of_bad_walks; /* of them: valid steps dropped with their bad walk line */

  /* the open capture: what it started from, and what is its alone */
  KvmmmuCapture base;         /* the running totals at its header */
  KvmmmuCapture cur;
  guint vcpus_closed;         /* vCPUs of the closed captures */
  guint64 base_event_records;
  const char *cur_file;       /* to number captures within a file */
  guint in_file;
} KvmmmuStats;

/* Walk records of zap walks (mmu_zap_unsync_children): all but the sync walks. */
static inline guint64
kvmmmu_stats_zap_walks(const KvmmmuStats *s)
{
  return s->per_kind[KVMMMU_RECORD_WALK] - s->sync_walks;
}

KvmmmuStats *kvmmmu_stats_new(void);
void kvmmmu_stats_free(KvmmmuStats *stats);

/* What kvmmmu_stats_add made of a record. */
typedef enum {
  KVMMMU_STATS_COUNTED,          /* counted: hand it on to the reports */
  KVMMMU_STATS_SEQ_NOT_ABOVE,    /* an event record whose seq is not above the
                                  * last of its CPU in this capture: not counted
                                  * (seq_repeated), to be reported as a bad line */
  KVMMMU_STATS_OF_DROPPED_WALK,  /* a step of a walk dropped so: dropped with it
                                  * and counted in steps_of_bad_walks */
} KvmmmuStatsVerdict;

KvmmmuStatsVerdict kvmmmu_stats_add(KvmmmuStats *stats, const KvmmmuRecord *rec);
/* The last seq counted on cpu in the open capture (0: none yet). */
guint64 kvmmmu_stats_cpu_last_seq(const KvmmmuStats *stats, guint32 cpu);
/* An event line the reader skipped (KvmmmuReaderSkipFunc): it arrived, so
 * its seq is no gap and the trailer's count includes it (unless its seq is
 * not above its CPU's last: it is then no news). */
void kvmmmu_stats_note_skipped(KvmmmuStats *stats, gboolean step_of_bad_walk, guint32 cpu,
                               guint64 seq);

/* Close the last capture (end of input): its counts are then final. */
void kvmmmu_stats_finish(KvmmmuStats *stats);
/* Captures listed one by one: the first KVMMMU_STATS_CAPTURES_LISTED. */
guint kvmmmu_stats_captures_listed(const KvmmmuStats *stats);
/* Captures past them, in the totals but not listed. */
guint kvmmmu_stats_captures_unlisted(const KvmmmuStats *stats);
/* Capture i (0-based, below kvmmmu_stats_captures_listed()), copied out:
 * the open one as it stands.  Its file is borrowed from stats. */
void kvmmmu_stats_get_capture(const KvmmmuStats *stats, guint i, KvmmmuCapture *out);
/* Over the captures whose trailer counts records that did not arrive: the
 * records their trailers count (saturating) and those that arrived. */
void kvmmmu_stats_trailer_short(const KvmmmuStats *stats, guint64 *written, guint64 *arrived);

/* Records a capture's trailer says were written but did not arrive (0 when
 * it has no trailer or it agrees). */
guint64 kvmmmu_capture_records_lost(const KvmmmuCapture *capture);
/* From its header's start to its trailer's time (else its last record's). */
guint64 kvmmmu_capture_span_ns(const KvmmmuCapture *capture);

/* Summed over the captures (saturating, as the other sums). */
guint64 kvmmmu_stats_records_lost(const KvmmmuStats *stats);
/* The end of the last capture: its trailer's time, else its last record's. */
guint64 kvmmmu_stats_end_ns(const KvmmmuStats *stats);
/* The captures' spans summed: the gaps between captures are not in it. */
guint64 kvmmmu_stats_span_ns(const KvmmmuStats *stats);
/* The stats are fed every record; a report under --time shows rates over
 * the range (borrowed; before the first record). */
void kvmmmu_stats_set_filter(KvmmmuStats *stats, const struct _KvmmmuFilter *filter);
/* As kvmmmu_stats_span_ns, each capture's span cut to the filter's --time
 * range (the same without one). */
guint64 kvmmmu_stats_window_span_ns(const KvmmmuStats *stats);
/* Captures without a trailer. */
guint kvmmmu_stats_captures_unended(const KvmmmuStats *stats);
/* The distinct values of a string field of the captures' headers
 * (G_STRUCT_OFFSET(KvmmmuHeader, script): release, host, script or
 * build_id), ", "-joined, "-" for empty, ending in ", and more" past
 * KVMMMU_STATS_DISTINCT_MAX.  transfer full */
char *kvmmmu_stats_distinct(const KvmmmuStats *stats, gsize header_offset);
/* The most CPUs in one capture. */
guint kvmmmu_stats_max_cpus(const KvmmmuStats *stats);
/* vCPUs counted, summed over the captures: at least that many when
 * vcpu_records_over is not 0. */
guint kvmmmu_stats_n_vcpus(const KvmmmuStats *stats);
/* Records the trailers say were dropped on kernel read faults, summed. */
guint64 kvmmmu_stats_faults(const KvmmmuStats *stats);
/* TRUE when anything was lost, skipped or faulted. */
gboolean kvmmmu_stats_lossy(const KvmmmuStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuStats, kvmmmu_stats_free)

#endif

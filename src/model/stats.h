/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - what a capture holds and what it lost: records per kind, time
 * span, per-CPU sequence gaps, SystemTap's warnings, the trailer.  Every
 * subcommand feeds it so every report can say how much is missing.
 */
#ifndef KVMMMU_MODEL_STATS_H
#define KVMMMU_MODEL_STATS_H

#include <glib.h>

#include "format/records.h"

typedef struct {
  guint captures;             /* header records */
  KvmmmuHeader header;        /* the first capture's header */
  guint64 per_kind[KVMMMU_RECORD_N_KINDS];
  guint64 first_ts, last_ts;  /* over event records */
  guint64 pages, steps_parents;
  guint64 walks_full;         /* nr == 16: mmu_unsync_walk hit -ENOSPC */

  /* loss seen in the data: gaps in a CPU's seq, seq going backwards */
  guint64 seq_missing;
  guint64 seq_backwards;
  guint64 bulk_missing;       /* stap -b flushes missing from the sequence */
  guint64 next_seq_low[256];  /* cpu -> next expected seq, 0 before any */
  GHashTable *next_seq;       /* the same for cpu >= 256 */
  GHashTable *vcpus;          /* (kvm, vcpu) seen in any record */
  guint64 recent_vcpus[64];   /* keys known to be in vcpus, by their low bits */
  guint n_cpus;

  /* what SystemTap said */
  guint64 stap_errors, stap_skipped, stap_transport_failures;
  guint64 stap_warning_lines, stap_error_lines;
  guint64 probe_hit_lines, probe_hits_total;
  guint64 stap_lock_contention; /* stap -t refresh report totals */
  double probe_cycles_total;  /* sum of hits x average cycles */

  gboolean have_end;
  KvmmmuEnd end;              /* the last trailer */
  guint64 end_ts;
  guint64 event_records;      /* event records counted, trailer excluded */
  guint64 lines_skipped;      /* event lines that arrived but were skipped */
  guint64 steps_of_bad_walks; /* of them: valid steps dropped with their bad walk line */
  guint64 records_at_end;     /* records of this capture that arrived by its
                               * trailer, skipped lines included */
} KvmmmuStats;

KvmmmuStats *kvmmmu_stats_new(void);
void kvmmmu_stats_free(KvmmmuStats *stats);
void kvmmmu_stats_add(KvmmmuStats *stats, const KvmmmuRecord *rec);
/* An event line the reader skipped (KvmmmuReaderSkipFunc): it arrived, so
 * its seq is no gap and the trailer's count includes it. */
void kvmmmu_stats_note_skipped(KvmmmuStats *stats, gboolean step_of_bad_walk, guint32 cpu,
                               guint64 seq);

/* Records the trailer says were written but did not arrive (0 when the
 * trailer is missing or agrees). */
guint64 kvmmmu_stats_records_lost(const KvmmmuStats *stats);
/* The end of the capture: the trailer's time, else the last record's. */
guint64 kvmmmu_stats_end_ns(const KvmmmuStats *stats);
/* From the first capture's start to kvmmmu_stats_end_ns(), 0 when none. */
guint64 kvmmmu_stats_span_ns(const KvmmmuStats *stats);
guint kvmmmu_stats_n_vcpus(const KvmmmuStats *stats);
/* TRUE when anything was lost, skipped or faulted. */
gboolean kvmmmu_stats_lossy(const KvmmmuStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuStats, kvmmmu_stats_free)

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * synccalls.h - mmu_sync_children() calls (sync_call records, format 6):
 * what they did and cost, and whether each agrees with the sync walks
 * written before it.
 *
 * A call's walk and step records are on the CPU it ran on, its rounds in
 * order (round 0 first).  It drops mmu_lock only to yield between rounds,
 * so a call that never yielded ran all its rounds on the CPU its
 * sync_call is on: its walks and steps are the sync walks on that CPU
 * since the last round-0 sync walk there.  Such a call is "tied" and its
 * counts are checked; a call that yielded may have moved CPU between
 * rounds, and a call with no walk has none to tie: neither is judged.
 * Memory is bounded: one pending call per CPU, KVMMMU_WALK_CPUS_MAX CPUs.
 */
#ifndef KVMMMU_MODEL_SYNCCALLS_H
#define KVMMMU_MODEL_SYNCCALLS_H

#include <glib.h>

#include "format/records.h"
#include "model/hist.h"

/* mmu_sync_children() returns -EINTR when it had to stop and could not yield. */
#define KVMMMU_SYNC_CALL_EINTR (-4)

typedef struct _KvmmmuSyncPending KvmmmuSyncPending;

typedef struct {
  guint64 calls;
  guint64 calls_no_walk;  /* walks 0: nothing to sync */
  guint64 walks, leaves;  /* summed over the calls, as they count them */
  guint64 eintr;          /* ret -EINTR */
  guint64 ret_other;      /* ret neither 0 nor -EINTR */
  guint64 calls_yielded, yields;
  guint64 held_over_dur;  /* held_ns above dur_ns: cannot be */
  KvmmmuHist *dur_ns, *held_ns; /* log2, as SystemTap's @hist_log */

  /* the calls against the sync walks before them on their CPU */
  guint64 tied;           /* judged: no yield, walks > 0, walks found */
  guint64 tied_differ;    /* of them, walks or leaves not as counted */
  guint64 not_found;      /* no yield, walks > 0, no round-0 walk of it on its CPU */
  char first_differ[256]; /* "file:line: ..." of the first that differs */

  guint capture;          /* headers seen */
  KvmmmuSyncPending *pending; /* by CPU, n_pending of them */
  guint n_pending;
  guint64 cpus_over;      /* records from CPUs past KVMMMU_WALK_CPUS_MAX: not tied */
} KvmmmuSyncCalls;

/* transfer full */
KvmmmuSyncCalls *kvmmmu_sync_calls_new(void);
void kvmmmu_sync_calls_free(KvmmmuSyncCalls *sc);
/* Any record: sync walks, their steps and sync_call records are used, a
 * header starts a capture (walk ids and CPUs start again). */
void kvmmmu_sync_calls_add(KvmmmuSyncCalls *sc, const KvmmmuRecord *rec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuSyncCalls, kvmmmu_sync_calls_free)

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zapmatch.h - our walks against the kernel's own kvm_mmu_prepare_zap_page
 * events: each zapped page matched, per CPU and in order, to the event the
 * kernel printed for it, and our decoding of its role compared with the
 * kernel's printing.
 */
#ifndef KVMMMU_MODEL_ZAPMATCH_H
#define KVMMMU_MODEL_ZAPMATCH_H

#include <glib.h>

#include "model/walks.h"
#include "reader/tracefs.h"

/* CPUs whose place in their events is kept: as many as the walks model
 * follows in a capture (x86-64's largest NR_CPUS), 8192 over the whole
 * input here since the events are not cut by capture.  A page zapped on
 * one more CPU is counted in cpus_over, not matched. */
#define KVMMMU_ZAPMATCH_CPUS_MAX 8192

typedef struct {
  GHashTable *events;  /* cpu -> GArray of KvmmmuZapEvent (borrowed) */
  GHashTable *cursor;  /* cpu -> next event index to match, at most
                        * KVMMMU_ZAPMATCH_CPUS_MAX CPUs */
  guint64 pages, agree, differ, unmatched;
  guint64 cpus_over;   /* of pages: on CPUs past the limit, not matched */
  char first_diff[256];
} KvmmmuZapMatch;

/* events: kvmmmu_tracefs_read_zaps()'s table, borrowed. */
void kvmmmu_zap_match_init(KvmmmuZapMatch *m, GHashTable *events);
void kvmmmu_zap_match_clear(KvmmmuZapMatch *m);
/* A finished zap walk: its parent when its zap began (round 0), then each
 * leaf a step zapped, decoded with layout (nothing when NULL).  A sync
 * walk zaps nothing: it is passed over. */
void kvmmmu_zap_match_walk(KvmmmuZapMatch *m, const KvmmmuWalkTree *tree,
                           const KvmmmuKernelLayout *layout);

#endif

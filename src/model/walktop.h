/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * walktop.h - the N largest walks by a key (pages, leaves, steps, or the
 * time from the walk record to its last step), kept as copies while the
 * walks stream past: memory is N walks whatever the trace holds.
 */
#ifndef KVMMMU_MODEL_WALKTOP_H
#define KVMMMU_MODEL_WALKTOP_H

#include <glib.h>

#include "model/walks.h"

/* The most walks --top keeps. */
#define KVMMMU_WALKTOP_MAX 10000

typedef enum {
  KVMMMU_WALKS_BY_PAGES,
  KVMMMU_WALKS_BY_LEAVES,
  KVMMMU_WALKS_BY_STEPS,
  KVMMMU_WALKS_BY_DURATION,  /* ns from the walk record to its last step */
} KvmmmuWalkOrder;

typedef struct _KvmmmuWalkTop KvmmmuWalkTop;

/* key: "pages", "leaves", "steps" or "duration"; n from 1 to
 * KVMMMU_WALKTOP_MAX.  transfer full; NULL for another key or n. */
KvmmmuWalkTop *kvmmmu_walk_top_new(const char *key, guint n);
void kvmmmu_walk_top_free(KvmmmuWalkTop *top);

/* Offer a finished walk (borrowed): kept, as a copy, if it is among the
 * n largest so far; the earliest walk wins a tie. */
void kvmmmu_walk_top_offer(KvmmmuWalkTop *top, const KvmmmuWalkTree *tree);

/* The walks kept, largest first (borrowed, valid until the top is freed). */
guint kvmmmu_walk_top_len(const KvmmmuWalkTop *top);
const KvmmmuWalkTree *kvmmmu_walk_top_get(KvmmmuWalkTop *top, guint i);
/* The key's value for a walk, as sorted. */
guint64 kvmmmu_walk_top_key(const KvmmmuWalkTop *top, const KvmmmuWalkTree *tree);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuWalkTop, kvmmmu_walk_top_free)

#endif

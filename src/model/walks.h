/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * walks.h - one mmu_unsync_walk with its for_each_sp steps, as a tree, and
 * the checks that it is what the kernel's code says it must be.
 *
 * Walk and step records go in, in trace order; a walk takes steps until a
 * later walk starts on its CPU (as the reader has it: steps of a walk run
 * on its CPU under mmu_lock) or its capture ends, and then comes out to
 * the callback.  Walks come out in the order their walk records came in,
 * unless more than a thousand ended walks wait behind one still open (see
 * walks.c).  Memory is bounded: one open walk per CPU, a bounded number
 * waiting, and a bounded number of steps per walk.
 */
#ifndef KVMMMU_MODEL_WALKS_H
#define KVMMMU_MODEL_WALKS_H

#include <glib.h>

#include "format/records.h"

/* role.word bits 0-3 are the level in every layout since 4.19. */
#define KVMMMU_ROLE_LEVEL(word) ((guint)((word) & 0xf))

/* Who filled the walk's pages: mmu_zap_unsync_children(), whose steps zap
 * each leaf, or (format 6 on) mmu_sync_children(), whose steps sync it.
 * The rules of the walk and its steps are the same. */
typedef enum {
  KVMMMU_WALK_ZAP,
  KVMMMU_WALK_SYNC,
  KVMMMU_WALK_KINDS,
} KvmmmuWalkKind;

typedef enum {
  KVMMMU_STEP_OK,
  KVMMMU_STEP_WRONG_SP,    /* step sp is not pages[i].sp */
  KVMMMU_STEP_NOT_LEAF,    /* pages[i] is not a level-1 page */
  KVMMMU_STEP_OUT_OF_ORDER,/* i not after the previous step's */
  KVMMMU_STEP_BAD_PATH,    /* parents differ from the root-to-leaf path */
} KvmmmuStepVerdict;

typedef struct {
  KvmmmuStep step;
  guint64 ts_ns;
  guint64 line;
  KvmmmuStepVerdict verdict; /* the step's own fault, once, where it is */
  /* The step zapped (a sync walk's: synced) leaf pages[i] (its sp is that
   * leaf's): TRUE also when its path or order is wrong, since the leaf was
   * zapped all the same. */
  gboolean zapped;
  /* FALSE when the walk's page list broke depth-first order before pages[i]:
   * its root-to-leaf path is not known, and that fault is the walk's. */
  gboolean path_checked;
  char why[160]; /* when verdict != OK: what differed */
} KvmmmuWalkStep;

typedef struct {
  KvmmmuWalk rec;         /* the walk record: pages, parent, round */
  guint64 ts_ns;
  guint32 cpu;
  guint capture;          /* 1, 2, ...: walk ids start again in each */
  const char *file;       /* owned by the KvmmmuWalks, alive as long as it */
  guint64 line;

  /* The tree: parent page index of each page, -1 for the root (page 0) and
   * for pages that break depth-first order. */
  int parent_index[KVMMMU_MAX_WALK_PAGES];
  guint n_leaves;
  gboolean dfs_ok;
  char dfs_why[160];      /* the first violation of depth-first order */

  GArray *steps;          /* KvmmmuWalkStep, in trace order */
  guint n_steps_bad;      /* steps that failed a check, kept or not */
  guint n_steps_unkept;   /* of them, past KVMMMU_WALK_BAD_STEPS_KEPT: counted only */
  guint64 first_unkept_line; /* the line of the first of those */
  guint64 last_ts_ns;     /* of its walk record and every step that came, kept or not */
  guint n_leaves_unstepped; /* leaves no step zapped (when ended) */
} KvmmmuWalkTree;

/* A walk keeps every step that passes its checks (at most one per leaf:
 * for_each_sp moves forward) and the first this many that fail one; later
 * failing steps are counted, not kept, and still zap their leaf. */
#define KVMMMU_WALK_BAD_STEPS_KEPT 16

static inline KvmmmuWalkKind
kvmmmu_walk_kind(const KvmmmuWalkTree *tree)
{
  return tree->rec.sync ? KVMMMU_WALK_SYNC : KVMMMU_WALK_ZAP;
}
/* "zap" or "sync", as machine output names the kind */
const char *kvmmmu_walk_kind_name(KvmmmuWalkKind kind);
/* What a step does to its leaf: "zapped" or "synced" */
const char *kvmmmu_walk_kind_done(KvmmmuWalkKind kind);

/* Every step of the walk, kept or not. */
guint kvmmmu_walk_tree_n_steps(const KvmmmuWalkTree *tree);
/* ns from the walk record to its last step, kept or not: a step past the
 * bound took its time all the same (0 when none came). */
guint64 kvmmmu_walk_tree_duration_ns(const KvmmmuWalkTree *tree);

/* Called with each finished walk; tree is borrowed for the call. */
typedef void (*KvmmmuWalkFunc)(const KvmmmuWalkTree *tree, gpointer user_data);

typedef struct _KvmmmuWalks KvmmmuWalks;

/* transfer full */
KvmmmuWalks *kvmmmu_walks_new(KvmmmuWalkFunc func, gpointer user_data);
void kvmmmu_walks_free(KvmmmuWalks *walks);

/* Feed any record; walks use walk and step records and ignore the rest.
 * A header starts a new capture: open walks are finished first. */
void kvmmmu_walks_add(KvmmmuWalks *walks, const KvmmmuRecord *rec);

/* Finish every open walk (end of input). */
void kvmmmu_walks_finish(KvmmmuWalks *walks);

/* Input the reader lets through never makes these: walks ended before
 * their CPU's next walk because more CPUs than a kernel can have had one
 * open, and steps that came for no open walk (dropped). */
guint64 kvmmmu_walks_ended_early(const KvmmmuWalks *walks);
guint64 kvmmmu_walks_steps_unplaced(const KvmmmuWalks *walks);

/* The expected parents of leaf i: root-to-leaf path ordered as
 * mmu_page_path.parent[] is (nearest parent first).  Returns the depth. */
guint kvmmmu_walk_tree_path(const KvmmmuWalkTree *tree, guint i,
                            guint path[KVMMMU_MAX_PATH_DEPTH]);

/* The name of a verdict in machine output: ok, wrong-sp, not-leaf,
 * out-of-order, bad-path. */
const char *kvmmmu_step_verdict_name(KvmmmuStepVerdict verdict);

/* Checks that failed in this walk: !dfs_ok, bad steps, unstepped leaves. */
gboolean kvmmmu_walk_tree_ok(const KvmmmuWalkTree *tree);

/* Check a tree's order and build parent_index; exposed for tests. */
void kvmmmu_walk_tree_build(KvmmmuWalkTree *tree);

/* Totals over finished walks of one kind, for verdicts: callers keep one
 * per KvmmmuWalkKind, zap walks' the ones reports always showed. */
typedef struct {
  guint64 walks;
  guint64 walks_bad;        /* walks failing any check */
  guint64 not_depth_first;
  guint64 steps, steps_bad;
  guint64 leaves, leaves_unzapped; /* of a sync walk: not synced */
  guint64 full;             /* nr == 16: -ENOSPC, the walk restarts */
  guint64 restarts;         /* walks with round > 0 */
  guint max_nr;             /* the largest pages->nr seen */
  guint max_depth;          /* the longest step path seen */
} KvmmmuWalkTally;

void kvmmmu_walk_tally_add(KvmmmuWalkTally *tally, const KvmmmuWalkTree *tree);
/* The same into tallies[kvmmmu_walk_kind(tree)]. */
void kvmmmu_walk_tallies_add(KvmmmuWalkTally tallies[KVMMMU_WALK_KINDS],
                             const KvmmmuWalkTree *tree);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuWalks, kvmmmu_walks_free)

#endif

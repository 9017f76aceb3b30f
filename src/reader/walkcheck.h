/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * walkcheck.h - do a capture's walks and steps fit together?
 *
 * Each walk id comes once per capture; a step belongs to a walk already
 * read and indexes one of its pages.  The reader asks here for every walk
 * and step record and turns the verdict into its message.
 *
 * Memory is bounded whatever the input: at most KVMMMU_WALK_CPUS_MAX
 * CPUs with walks (more cannot come from one kernel), and the walk ids
 * seen kept exactly as at most KVMMMU_WALKCHECK_ID_RANGES_MAX ranges.
 */
#ifndef KVMMMU_READER_WALKCHECK_H
#define KVMMMU_READER_WALKCHECK_H

#include <glib.h>

#include "format/idtable.h"
#include "format/records.h"

/* The walk a CPU is iterating: steps of a walk run on its CPU under
 * mmu_lock, so a new walk on a CPU ends the previous one there. */
typedef struct {
  guint64 walk; /* 0: none */
  guint32 nr;
} KvmmmuCpuWalk;

/* CPUs numbered below this keep their walk in an array, the rest in a
 * hash table: a lookup per step must cost next to nothing. */
#define KVMMMU_WALKCHECK_CPU_ARRAY 256

/* At most KVMMMU_WALK_CPUS_MAX (format/records.h) CPUs with walks in one
 * capture: a walk on one CPU more is a bad line, and its steps go with it. */

/* The walk ids seen are kept as ranges of consecutive ids.  Ids come
 * nearly in order (a batch per CPU), so a capture has few ranges unless
 * walk records were lost: each lost id splits one.  Past this many ranges
 * the two lowest are joined: the ids between them, lost or still to come,
 * are no longer told apart from ids seen (a walk with one is refused,
 * saying so).  Batches come at most seconds late, so it is the oldest ids
 * that lose their precision. */
#define KVMMMU_WALKCHECK_ID_RANGES_MAX 65536

/* ids of walks whose own line was bad, so that their steps are dropped
 * with them rather than each taken for a bad line (past this many, such
 * steps are bad lines) */
#define KVMMMU_WALKCHECK_BAD_WALKS_MAX 4096

typedef struct _KvmmmuIdRange KvmmmuIdRange;

typedef struct {
  /* walk ids seen: disjoint ranges, by their first id */
  GTree *ids;
  guint n_ranges;
  KvmmmuIdRange *top;      /* the range of the highest ids; NULL: none yet */
  guint64 blurred_up_to;   /* ids up to this may be lost ones (0: none) */
  guint64 ranges_joined;

  KvmmmuCpuWalk cpu_walk[KVMMMU_WALKCHECK_CPU_ARRAY];
  GHashTable *cpu_walk_high; /* cpu >= KVMMMU_WALKCHECK_CPU_ARRAY -> KvmmmuCpuWalk */
  guint n_cpus;              /* CPUs with a walk */

  /* Every CPU's open walk by its id (open addressing), for a step logged
   * on another CPU than its walk's: one lookup, not a look at every CPU. */
  KvmmmuIdTable open;        /* walk id -> KvmmmuCpuWalk */

  GHashTable *bad_walks;
} KvmmmuWalkCheck;

typedef enum {
  KVMMMU_WALKCHECK_OK,
  KVMMMU_WALKCHECK_ID0,        /* a walk with id 0 */
  KVMMMU_WALKCHECK_DUPLICATE,  /* a walk id seen before in this capture */
  KVMMMU_WALKCHECK_BLURRED,    /* a walk or step id where ids are no longer told apart */
  KVMMMU_WALKCHECK_CPUS,       /* a walk on a CPU past KVMMMU_WALK_CPUS_MAX */
  KVMMMU_WALKCHECK_OF_BAD_WALK,/* a step of a walk whose line was bad */
  KVMMMU_WALKCHECK_ENDED,      /* a step of a walk that has ended */
  KVMMMU_WALKCHECK_BEFORE,     /* a step of a walk not read yet */
  KVMMMU_WALKCHECK_INDEX,      /* a step whose index is past its walk's nr */
} KvmmmuWalkCheckVerdict;

void kvmmmu_walkcheck_init(KvmmmuWalkCheck *wc);
void kvmmmu_walkcheck_clear(KvmmmuWalkCheck *wc);
/* A new capture: nothing seen. */
void kvmmmu_walkcheck_reset(KvmmmuWalkCheck *wc);

/* A walk record on cpu; on OK it is that CPU's open walk. */
KvmmmuWalkCheckVerdict kvmmmu_walkcheck_walk(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk,
                                             guint32 nr);
/* A walk line that was bad after its id read: its steps go with it. */
void kvmmmu_walkcheck_bad_walk(KvmmmuWalkCheck *wc, guint64 walk);

/* The highest id no longer told apart from ids seen (0: every id is). */
guint64 kvmmmu_walkcheck_blurred_up_to(const KvmmmuWalkCheck *wc);

/* kvmmmu_walkcheck_step() for all but a step of its CPU's open walk;
 * *nr_out is the walk's nr when the verdict is INDEX. */
KvmmmuWalkCheckVerdict kvmmmu_walkcheck_step_slow(KvmmmuWalkCheck *wc, guint32 cpu,
                                                  guint64 walk, guint32 i, guint32 *nr_out);

/* A step record on cpu.  Inline: it runs for every step, and nearly every
 * step is of the walk its CPU has open. */
static inline KvmmmuWalkCheckVerdict
kvmmmu_walkcheck_step(KvmmmuWalkCheck *wc, guint32 cpu, guint64 walk, guint32 i,
                      guint32 *nr_out)
{
  if (G_LIKELY(cpu < KVMMMU_WALKCHECK_CPU_ARRAY && wc->cpu_walk[cpu].walk == walk &&
               walk != 0 && i < wc->cpu_walk[cpu].nr))
    return KVMMMU_WALKCHECK_OK;
  return kvmmmu_walkcheck_step_slow(wc, cpu, walk, i, nr_out);
}

#endif /* KVMMMU_READER_WALKCHECK_H */

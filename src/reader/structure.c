/* SPDX-License-Identifier: GPL-2.0-or-later */
/* structure.c - walk ids and steps: the walk checker's verdicts
 * (walkcheck.c) said at the line (reader-private.h). */
#include "reader/reader-private.h"

gboolean
kvmmmu_reader_check_walk(KvmmmuReader *r, const KvmmmuRecord *rec)
{
  const KvmmmuWalk *w = &rec->u.Walk;

  switch (kvmmmu_walkcheck_walk(&r->walks, rec->cpu, w->walk, w->nr)) {
  case KVMMMU_WALKCHECK_OK:
    return TRUE;
  case KVMMMU_WALKCHECK_ID0:
    kvmmmu_reader_bad(r, "walk", "walk:id0", "walk id 0: expected ids from 1");
    return FALSE;
  case KVMMMU_WALKCHECK_BLURRED:
    kvmmmu_reader_bad(r, "walk", "walk:blurred",
        "walk id %" G_GUINT64_FORMAT " may repeat one seen in this capture: more than %d gaps "
        "among its walk ids, so ids up to %" G_GUINT64_FORMAT " are no longer told apart: "
        "expected each walk id once", w->walk, KVMMMU_WALKCHECK_ID_RANGES_MAX,
        kvmmmu_walkcheck_blurred_up_to(&r->walks));
    return FALSE;
  case KVMMMU_WALKCHECK_CPUS:
    kvmmmu_reader_bad(r, "walk", "walk:cpus",
        "walk on cpu %u: %d other CPUs already have walks in this capture: expected at most "
        "%d CPUs (x86-64's largest NR_CPUS)", rec->cpu, KVMMMU_WALK_CPUS_MAX,
        KVMMMU_WALK_CPUS_MAX);
    return FALSE;
  default:
    kvmmmu_reader_bad(r, "walk", "walk:duplicate",
        "walk id %" G_GUINT64_FORMAT " already seen in this capture: expected each walk id once",
        w->walk);
    return FALSE;
  }
}

/* Out of line: the common case, a step of its CPU's open walk, is all
 * kvmmmu_reader_check_step() does inline. */
gboolean
kvmmmu_reader_step_problem(KvmmmuReader *r, const KvmmmuStep *s, KvmmmuWalkCheckVerdict v,
                           guint32 nr)
{
  switch (v) {
  case KVMMMU_WALKCHECK_OK:
    return TRUE;
  case KVMMMU_WALKCHECK_OF_BAD_WALK:
    r->skip_why = KVMMMU_SKIP_OF_BAD_WALK; /* its walk's line was the bad one */
    return FALSE;
  case KVMMMU_WALKCHECK_ENDED:
    kvmmmu_reader_bad(r, "step", "step:ended",
        "step of walk %" G_GUINT64_FORMAT " after that walk ended: expected steps right after their walk",
        s->walk);
    return FALSE;
  case KVMMMU_WALKCHECK_BLURRED:
    kvmmmu_reader_bad(r, "step", "step:blurred",
        "step of walk %" G_GUINT64_FORMAT ", which is not open: it ended or never came "
        "(ids up to %" G_GUINT64_FORMAT " are no longer told apart): expected steps right after their walk",
        s->walk, kvmmmu_walkcheck_blurred_up_to(&r->walks));
    return FALSE;
  case KVMMMU_WALKCHECK_INDEX:
    kvmmmu_reader_bad(r, "step", "step:index",
        "step index i=%u outside walk %" G_GUINT64_FORMAT " of nr=%u: expected 0 <= i < nr",
        s->i, s->walk, nr);
    return FALSE;
  default:
    kvmmmu_reader_bad(r, "step", "step:before",
        "step of walk %" G_GUINT64_FORMAT " before any walk record with that id: expected the walk first",
        s->walk);
    return FALSE;
  }
}

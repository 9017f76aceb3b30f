/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walk-fixture.h - a walk made by hand for unit tests: page i at sp
 * 0x100+i, idx i, with levels[i] as its role's level, leaves unsync. */
#ifndef KVMMMU_TEST_WALK_FIXTURE_H
#define KVMMMU_TEST_WALK_FIXTURE_H

#include <string.h>

#include "model/walks.h"

/* levels: a depth-first order; no steps (t->steps NULL), tree not built. */
static inline void
kvmmmu_test_make_walk(KvmmmuWalkTree *t, guint64 id, const guint *levels, guint nr)
{
  memset(t, 0, sizeof *t);
  t->rec.walk = id;
  t->rec.nr = nr;
  t->rec.parent = 0x100;
  for (guint i = 0; i < nr; i++) {
    t->rec.items[i].sp = 0x100 + i;
    t->rec.items[i].role = 0x3700 | levels[i];
    t->rec.items[i].idx = i == 0 ? KVMMMU_INVALID_INDEX : i;
    t->rec.items[i].unsync = levels[i] == 1;
  }
}

#endif

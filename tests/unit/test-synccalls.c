/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mmu_sync_children() calls against the sync walks before them. */
#include <string.h>

#include "model/synccalls.h"

static void
header(KvmmmuSyncCalls *sc)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_HEADER };

  rec.u.header.version = 6;
  kvmmmu_sync_calls_add(sc, &rec);
}

static void
walk(KvmmmuSyncCalls *sc, guint32 cpu, guint64 id, guint32 round, gboolean sync, guint64 parent)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_WALK, .cpu = cpu };

  rec.u.Walk.walk = id;
  rec.u.Walk.round = round;
  rec.u.Walk.kvm = 0xa;
  rec.u.Walk.sync = sync;
  rec.u.Walk.parent = parent;
  kvmmmu_sync_calls_add(sc, &rec);
}

static void
steps(KvmmmuSyncCalls *sc, guint32 cpu, guint64 id, guint n)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_STEP, .cpu = cpu };

  rec.u.Step.walk = id;
  for (guint k = 0; k < n; k++)
    kvmmmu_sync_calls_add(sc, &rec);
}

static void
call(KvmmmuSyncCalls *sc, guint32 cpu, guint64 parent, guint32 walks, guint32 leaves,
     guint32 yields, guint64 line)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_SYNC_CALL, .cpu = cpu, .file = "t.trace", .line = line };

  rec.u.SyncCall.kvm = 0xa;
  rec.u.SyncCall.parent = parent;
  rec.u.SyncCall.walks = walks;
  rec.u.SyncCall.leaves = leaves;
  rec.u.SyncCall.yields = yields;
  rec.u.SyncCall.dur_ns = 100 * line;
  rec.u.SyncCall.held_ns = yields ? 50 * line : 100 * line;
  rec.u.SyncCall.ret = line == 4 ? KVMMMU_SYNC_CALL_EINTR : 0;
  kvmmmu_sync_calls_add(sc, &rec);
}

/* Calls that never yielded are judged against the sync walks of their
 * CPU since its last round-0 one; a call that yielded, one with no walk
 * and the zap walks between are not. */
static void
test_tied(void)
{
  g_autoptr(KvmmmuSyncCalls) sc = kvmmmu_sync_calls_new();

  header(sc);
  /* two rounds on cpu 0, a zap walk on cpu 1 between: agrees */
  walk(sc, 0, 1, 0, TRUE, 0x100);
  steps(sc, 0, 1, 2);
  walk(sc, 1, 2, 0, FALSE, 0x100);
  steps(sc, 1, 2, 5);
  walk(sc, 0, 3, 1, TRUE, 0x100);
  steps(sc, 0, 3, 1);
  call(sc, 0, 0x100, 2, 3, 0, 1);
  g_assert_cmpuint(sc->tied, ==, 1);
  g_assert_cmpuint(sc->tied_differ, ==, 0);

  /* a leaf short: differs, named by its line */
  walk(sc, 0, 4, 0, TRUE, 0x200);
  steps(sc, 0, 4, 1);
  call(sc, 0, 0x200, 1, 2, 0, 2);
  g_assert_cmpuint(sc->tied, ==, 2);
  g_assert_cmpuint(sc->tied_differ, ==, 1);
  g_assert_cmpstr(sc->first_differ, ==,
                  "t.trace:2: walks 1 leaves 2, but 1 sync walks with 1 steps on cpu 0 before it");

  /* yielded and came back on cpu 1: not judged, on either CPU */
  walk(sc, 0, 5, 0, TRUE, 0x300);
  steps(sc, 0, 5, 4);
  call(sc, 1, 0x300, 1, 4, 1, 3);
  call(sc, 0, 0x300, 0, 0, 0, 4); /* nothing to sync: its walk 5 is not this call's */
  /* no walk of it on its CPU */
  call(sc, 2, 0x400, 1, 1, 0, 5);
  g_assert_cmpuint(sc->tied, ==, 2);
  g_assert_cmpuint(sc->tied_differ, ==, 1);
  g_assert_cmpuint(sc->not_found, ==, 1);

  g_assert_cmpuint(sc->calls, ==, 5);
  g_assert_cmpuint(sc->calls_no_walk, ==, 1);
  g_assert_cmpuint(sc->walks, ==, 5);
  g_assert_cmpuint(sc->leaves, ==, 10);
  g_assert_cmpuint(sc->eintr, ==, 1);
  g_assert_cmpuint(sc->calls_yielded, ==, 1);
  g_assert_cmpuint(sc->yields, ==, 1);
  g_assert_cmpuint(sc->held_over_dur, ==, 0);
  g_assert_cmpint(kvmmmu_hist_percentile(sc->dur_ns, 50), ==, 300);
  g_assert_cmpint(kvmmmu_hist_percentile(sc->held_ns, 100), ==, 500);
}

/* A new capture's walk ids start again: a call there is not tied to the
 * walks of the one before. */
static void
test_capture_restarts(void)
{
  g_autoptr(KvmmmuSyncCalls) sc = kvmmmu_sync_calls_new();

  header(sc);
  walk(sc, 0, 1, 0, TRUE, 0x100);
  steps(sc, 0, 1, 1);
  header(sc);
  call(sc, 0, 0x100, 1, 1, 0, 1);
  g_assert_cmpuint(sc->tied, ==, 0);
  g_assert_cmpuint(sc->not_found, ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/synccalls/tied", test_tied);
  g_test_add_func("/synccalls/capture-restarts", test_capture_restarts);
  return g_test_run();
}

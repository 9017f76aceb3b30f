/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The roots model's limits: vCPUs kept, distinct roots, a snapshot's vCPUs. */
#include "model/roots.h"

static void
load(KvmmmuRoots *r, guint64 kvm, guint32 vcpu, guint64 root)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_LOAD, .ts_ns = 1000 };

  rec.u.Load.kvm = kvm;
  rec.u.Load.vcpu = vcpu;
  rec.u.Load.root_hpa = root;
  kvmmmu_roots_add(r, &rec);
}

static KvmmmuVcpuRoots *
vcpu_of(const KvmmmuRoots *r, guint64 kvm, guint32 vcpu)
{
  guint64 key = kvmmmu_vcpu_key(kvm, vcpu);

  return g_hash_table_lookup(r->by_key, &key);
}

/* A million (kvm, vcpu) pairs: the first KVMMMU_ROOTS_VCPUS_MAX are kept,
 * the records of the others counted. */
static void
test_vcpus_bounded(void)
{
  g_autoptr(KvmmmuRoots) r = kvmmmu_roots_new(NULL, NULL);
  const guint n = KVMMMU_ROOTS_VCPUS_MAX + 1000;

  for (guint i = 0; i < n; i++)
    load(r, 0xffff0000 + i / 64, i % 64, 0x1000);
  load(r, 0xffff0000, 0, 0x2000); /* a vCPU kept still counts */
  load(r, 0xffff0000 + (n - 1) / 64, (n - 1) % 64, 0x2000);
  g_assert_cmpuint(g_hash_table_size(r->by_key), ==, KVMMMU_ROOTS_VCPUS_MAX);
  g_assert_cmpuint(r->untracked_records, ==, 1001);
  g_assert_cmpuint(vcpu_of(r, 0xffff0000, 0)->loads, ==, 2);
}

/* Distinct roots remembered are bounded over every vCPU: past the total,
 * a vCPU's new roots are counted as its overflow, and fresh all the same. */
static void
test_distinct_bounded(void)
{
  g_autoptr(KvmmmuRoots) r = kvmmmu_roots_new(NULL, NULL);
  const guint per = 64, vcpus = KVMMMU_ROOTS_DISTINCT_TOTAL_MAX / per + 2;
  guint64 overflow = 0, fresh = 0;
  GHashTableIter it;
  gpointer value;

  for (guint v = 0; v < vcpus; v++)
    for (guint k = 0; k < per; k++)
      load(r, 0xffff0000 + v / 64, v % 64, 0x1000 * (k + 1));
  g_hash_table_iter_init(&it, r->by_key);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    overflow += ((KvmmmuVcpuRoots *)value)->distinct_overflow;
    fresh += ((KvmmmuVcpuRoots *)value)->fresh;
  }
  g_assert_cmpuint(r->distinct_total, ==, KVMMMU_ROOTS_DISTINCT_TOTAL_MAX);
  g_assert_cmpuint(overflow, ==, 2 * per);
  g_assert_cmpuint(fresh, ==, (guint64)vcpus * per);
}

static guint snaps_seen;
static guint64 snap_entries, snap_over;

static void
on_snapshot(const KvmmmuRootSnapshot *s, gpointer data)
{
  snaps_seen++;
  snap_entries += s->entries->len;
  snap_over += s->entries_over;
}

/* A snapshot holds at most 16 vCPUs: the rest are counted, per snapshot. */
static void
test_snapshot_bounded(void)
{
  g_autoptr(KvmmmuRoots) r = kvmmmu_roots_new(on_snapshot, NULL);

  for (guint snap = 1; snap <= 2; snap++)
    for (guint v = 0; v < (snap == 1 ? 1000u : 16u); v++) {
      KvmmmuRecord rec = { .kind = KVMMMU_RECORD_VCPU_ROOT, .ts_ns = 1000 + snap };

      rec.u.VcpuRoot.snap = snap;
      rec.u.VcpuRoot.kvm = 0xffff1;
      rec.u.VcpuRoot.vcpu = v;
      rec.u.VcpuRoot.root_hpa = 0x1000;
      kvmmmu_roots_add(r, &rec);
    }
  kvmmmu_roots_finish(r);
  g_assert_cmpuint(snaps_seen, ==, 2);
  g_assert_cmpuint(snap_entries, ==, 2 * KVMMMU_SNAPSHOT_VCPUS_MAX);
  g_assert_cmpuint(snap_over, ==, 1000 - KVMMMU_SNAPSHOT_VCPUS_MAX);
  g_assert_cmpuint(r->snapshots_over, ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/roots/vcpus-bounded", test_vcpus_bounded);
  g_test_add_func("/roots/distinct-bounded", test_distinct_bounded);
  g_test_add_func("/roots/snapshot-bounded", test_snapshot_bounded);
  return g_test_run();
}

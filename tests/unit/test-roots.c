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
  return kvmmmu_roots_find(r, 0, kvm, vcpu); /* no header: capture 0 */
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

static void
header(KvmmmuRoots *r)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_HEADER, .ts_ns = 1000 };

  rec.u.header.version = 3;
  kvmmmu_roots_add(r, &rec);
}

/* VMs are numbered per capture, at most KVMMMU_ROOTS_VMS_MAX of them: the
 * records of VMs past those are counted, not kept; the next capture
 * numbers its VMs afresh, the same kvm pointer included. */
static void
test_vms_bounded(void)
{
  g_autoptr(KvmmmuRoots) r = kvmmmu_roots_new(NULL, NULL);
  const guint n = KVMMMU_ROOTS_VMS_MAX + 10;
  KvmmmuVcpuRoots *v;

  header(r);
  for (guint i = 0; i < n; i++)
    load(r, 0xffff0000 + i, 0, 0x1000);
  load(r, 0xffff0000 + n - 1, 1, 0x1000); /* another vCPU of a VM past them */
  g_assert_cmpuint(g_hash_table_size(r->by_key), ==, KVMMMU_ROOTS_VMS_MAX);
  g_assert_cmpuint(g_hash_table_size(r->vms), ==, KVMMMU_ROOTS_VMS_MAX);
  g_assert_cmpuint(r->untracked_vm_records, ==, 11);
  g_assert_cmpuint(r->untracked_records, ==, 0);
  g_assert_cmpuint(kvmmmu_roots_n_vms(r), ==, KVMMMU_ROOTS_VMS_MAX);
  g_assert_null(kvmmmu_roots_find(r, 1, 0xffff0000 + n - 1, 0));

  header(r);
  load(r, 0xffff0000 + n - 1, 0, 0x2000);
  load(r, 0xffff0000, 0, 0x1000);
  g_assert_cmpuint(g_hash_table_size(r->vms), ==, 2);
  v = kvmmmu_roots_find(r, 2, 0xffff0000 + n - 1, 0);
  g_assert_nonnull(v);
  g_assert_cmpuint(v->vm_index, ==, 0);
  v = kvmmmu_roots_find(r, 2, 0xffff0000, 0);
  g_assert_nonnull(v);
  g_assert_cmpuint(v->vm_index, ==, 1);
  g_assert_cmpuint(v->loads, ==, 1);  /* not the first capture's vCPU */
  g_assert_cmpuint(v->fresh, ==, 1);  /* its root is new to this capture */
  g_assert_cmpuint(kvmmmu_roots_find(r, 1, 0xffff0000, 0)->loads, ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/roots/vcpus-bounded", test_vcpus_bounded);
  g_test_add_func("/roots/distinct-bounded", test_distinct_bounded);
  g_test_add_func("/roots/snapshot-bounded", test_snapshot_bounded);
  g_test_add_func("/roots/vms-bounded", test_vms_bounded);
  return g_test_run();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * roots.h - each vCPU's shadow MMU roots over time: the root hpa after each
 * kvm_mmu_load, how often a root came back versus a fresh one, prev_roots
 * hits and misses on guest root switches, and snapshots of all vCPUs.
 * A vCPU is one of its capture: (capture, kvm, vcpu), so that captures
 * that reuse a kvm pointer stay apart.  VMs are numbered 0, 1, ... in
 * order of first appearance in each capture, on every record that names
 * one (walks too), as --vm numbers them (model/filter.h).
 * Memory: a fixed amount per vCPU (the sequence keeps its first
 * KVMMMU_ROOTS_SEQ_MAX changes, distinct roots are capped likewise), for
 * at most KVMMMU_ROOTS_VCPUS_MAX vCPUs, KVMMMU_ROOTS_VMS_MAX VMs numbered
 * a capture, distinct roots at most
 * KVMMMU_ROOTS_DISTINCT_TOTAL_MAX over all of them, and a snapshot at most
 * the KVMMMU_SNAPSHOT_VCPUS_MAX vCPUs the format lets it hold.
 */
#ifndef KVMMMU_MODEL_ROOTS_H
#define KVMMMU_MODEL_ROOTS_H

#include <glib.h>

#include "format/records.h"

#define KVMMMU_ROOTS_SEQ_MAX 64
#define KVMMMU_ROOTS_DISTINCT_MAX 4096
#define KVMMMU_ROOTS_ROLES_MAX 8
/* vCPUs kept, (capture, kvm, vcpu) of the whole input: a host runs a few
 * thousand at most, VMs that come and go included.  The records of vCPUs
 * past them are counted (untracked_records), not kept. */
#define KVMMMU_ROOTS_VCPUS_MAX 16384
/* VMs numbered in one capture: more than a host runs at once.  The
 * records of VMs past them are counted (untracked_vm_records), not kept:
 * they have no number to be shown by. */
#define KVMMMU_ROOTS_VMS_MAX 4096
/* Distinct roots remembered over every vCPU; past them a vCPU's new roots
 * are counted in its distinct_overflow, as past KVMMMU_ROOTS_DISTINCT_MAX. */
#define KVMMMU_ROOTS_DISTINCT_TOTAL_MAX 262144
/* The most vCPUs one snapshot holds (docs/record-format.md: one probe hit
 * prints them, and SystemTap limits the statements of a hit). */
#define KVMMMU_SNAPSHOT_VCPUS_MAX 16

typedef struct {
  guint64 root_hpa;
  guint64 ts_ns;
  guint32 repeat;   /* loads in a row that gave this same root */
  gboolean returning; /* this root was this vCPU's root before */
} KvmmmuRootChange;

typedef struct {
  guint64 kvm;
  guint32 vcpu;
  guint capture;         /* 1, 2, ...: the headers read up to its first record */
  guint vm_index;        /* 0, 1, ... in order of first appearance in its capture */
  guint64 loads, load_failures;
  guint64 counted_loads; /* from load_rate records: counted in the kernel */
  guint64 fresh;         /* loads that gave a root this vCPU never had */
  guint64 returning;     /* loads that gave one it had before */
  guint64 switch_hit, switch_miss, switch_unknown;
  guint64 first_ts, last_ts;
  guint64 dur_total_ns, dur_max_ns;
  GHashTable *distinct;  /* root hpa -> load count (capped) */
  guint64 distinct_overflow;
  GArray *seq;           /* KvmmmuRootChange, first KVMMMU_ROOTS_SEQ_MAX */
  guint64 seq_dropped;
  guint64 last_root;
  /* root role words the loads gave (root_role.word), with their counts */
  guint32 roles[KVMMMU_ROOTS_ROLES_MAX];
  guint64 role_loads[KVMMMU_ROOTS_ROLES_MAX];
  guint n_roles;
} KvmmmuVcpuRoots;

typedef struct {
  guint64 snap;
  guint64 ts_ns;
  guint64 kvm;
  guint capture;
  guint vm_index;
  GArray *entries;       /* KvmmmuVcpuRoot in record order, KVMMMU_SNAPSHOT_VCPUS_MAX at most */
  guint64 entries_over;  /* vcpu_root records of it past those: not kept */
} KvmmmuRootSnapshot;

/* Called with each snapshot once the next one begins or input ends. */
typedef void (*KvmmmuSnapshotFunc)(const KvmmmuRootSnapshot *snap, gpointer user_data);

/* The order kvmmmu_roots_sorted() gives the vCPUs in: by capture, VM and
 * vCPU id, or largest first by a count (ties by capture, VM and vCPU id). */
typedef enum {
  KVMMMU_ROOTS_BY_VCPU,
  KVMMMU_ROOTS_BY_LOADS,      /* loads, else counted loads */
  KVMMMU_ROOTS_BY_MISSES,     /* prev_roots misses */
  KVMMMU_ROOTS_BY_MEAN_LOAD,
  KVMMMU_ROOTS_BY_MAX_LOAD,
} KvmmmuRootsOrder;

typedef struct {
  GHashTable *by_key;    /* (capture, kvm, vcpu) -> KvmmmuVcpuRoots */
  KvmmmuRootsOrder order;
  guint top;             /* 0: every vCPU */
  guint capture;         /* headers read */
  GHashTable *vms;       /* kvm -> vm_index + 1, of the capture being read */
  guint max_vms;         /* the most VMs one capture numbered */
  KvmmmuSnapshotFunc snap_func;
  gpointer snap_data;
  KvmmmuRootSnapshot *open_snap;
  guint64 distinct_total;    /* distinct roots remembered, over every vCPU */
  guint64 untracked_records; /* records of vCPUs past KVMMMU_ROOTS_VCPUS_MAX */
  guint64 untracked_vm_records; /* records of VMs past KVMMMU_ROOTS_VMS_MAX in their capture */
  guint64 snapshots_over;    /* snapshots with more vCPUs than one holds */
} KvmmmuRoots;

KvmmmuRoots *kvmmmu_roots_new(KvmmmuSnapshotFunc func, gpointer user_data);
void kvmmmu_roots_free(KvmmmuRoots *roots);
void kvmmmu_roots_add(KvmmmuRoots *roots, const KvmmmuRecord *rec);
void kvmmmu_roots_finish(KvmmmuRoots *roots);
/* A record the report does not see (--vm, --time... left it out): only
 * the VM it names is numbered, as the filter numbers it. */
void kvmmmu_roots_note_vm(KvmmmuRoots *roots, const KvmmmuRecord *rec);
/* key: "vcpu" (NULL too), "loads", "prev_roots_miss", "mean_load_ns" or
 * "max_load_ns"; top: at most this many vCPUs (0: all).  FALSE for
 * another key. */
gboolean kvmmmu_roots_set_order(KvmmmuRoots *roots, const char *key, guint top);
/* transfer container: the vCPUs in the order set (by capture, VM, then
 * vcpu id) */
GPtrArray *kvmmmu_roots_sorted(const KvmmmuRoots *roots);
/* The most VMs one capture had: above 1, reports name each vCPU's VM. */
guint kvmmmu_roots_n_vms(const KvmmmuRoots *roots);
/* The vCPU of that capture, NULL when it has none. */
KvmmmuVcpuRoots *kvmmmu_roots_find(const KvmmmuRoots *roots, guint capture, guint64 kvm,
                                   guint32 vcpu);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuRoots, kvmmmu_roots_free)

#endif

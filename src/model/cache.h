/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache.h - KVM's cache of previous guest roots, replayed from the switch
 * records with every size from 1 to KVMMMU_CACHE_MAX_N.
 *
 * The model is KVM's own (cached_root_find_and_keep_current()): the
 * current root and mmu->prev_roots[N] rotate so that together they are an
 * LRU list of N + 1 roots; a switch hits when its root is among them,
 * moving it to the front, and misses otherwise, the least recently used
 * root falling out.  So a switch whose root is at LRU depth d (0: the
 * current root) hits for every N >= d, and one histogram of depths gives
 * the hits of every N at once.  A load of a root that is not at the front
 * (a first load before any switch, or a root that left the cache in a way
 * not recorded: captures before format 5 have no free records) puts it
 * there.  Each capture starts with an empty cache: a root's first use
 * in it is counted apart, and so is a kernel hit on a root the model has
 * not seen yet (the kernel's cache was warm when the capture began).
 *
 * Roots are keyed as KVM matches them, by (pgd, root role): a switch
 * record carries the role since format 3, and a load is keyed by the role
 * of its vCPU's last switch.  In an older capture every role reads 0, so
 * its roots are keyed by pgd alone (pgd_only_captures counts those).
 *
 * Memory: per vCPU a fixed LRU list and a set of the pgds seen, at most
 * KVMMMU_CACHE_SEEN_MAX (past it, a first use is taken for a far reuse,
 * and counted in seen_overflow); at most KVMMMU_CACHE_VCPUS_MAX vCPUs
 * (past it, their switches are counted in vcpus_overflow, not modelled).
 */
#ifndef KVMMMU_MODEL_CACHE_H
#define KVMMMU_MODEL_CACHE_H

#include <glib.h>

#include "format/records.h"
#include "model/hist.h"

#define KVMMMU_CACHE_MAX_N 16
#define KVMMMU_CACHE_SEEN_MAX 65536
#define KVMMMU_CACHE_VCPUS_MAX 4096
/* Why a kvm_mmu_load had a root to build, told from the records before it
 * on its vCPU.  A miss: the vCPU's last switch missed prev_roots and this
 * load builds that root.  First: the vCPU's first load in the capture,
 * before any switch of it (its root was never built, or was invalidated
 * before the capture began).  Freed: a free record (format 5) said the
 * current root was freed outside a page-table switch since the last load
 * or switch (kvm_mmu_unload, an MMU reset, obsolete roots, a PCID flush).
 * Other: the root went some way the capture does not show (before format
 * 5, every free). */
typedef enum {
  KVMMMU_LOAD_CAUSE_MISS,
  KVMMMU_LOAD_CAUSE_FIRST,
  KVMMMU_LOAD_CAUSE_FREED,
  KVMMMU_LOAD_CAUSE_OTHER,
  KVMMMU_LOAD_N_CAUSES
} KvmmmuLoadCause;

/* Where a kvm_mmu_sync_roots() ran, from its vCPU's records around it:
 * inside a kvm_mmu_load() (the load's time contains it), at the first VM
 * entry after a switch that hit prev_roots (what a hit costs), after a
 * miss and before its load (the CR3 write asked for a sync of a root it
 * had just freed: the call finds nothing to do), or other (a flush of the
 * current PCID, INVLPG, a sync with nothing before it). */
typedef enum {
  KVMMMU_SYNC_IN_LOAD,
  KVMMMU_SYNC_AFTER_HIT,
  KVMMMU_SYNC_AFTER_MISS,
  KVMMMU_SYNC_OTHER,
  KVMMMU_SYNC_N_PLACES
} KvmmmuSyncPlace;

/* "in_load", "after_hit", "after_miss", "other" */
const char *kvmmmu_sync_place_name(KvmmmuSyncPlace place);
const char *kvmmmu_sync_place_meaning(KvmmmuSyncPlace place);

/* "switch_miss", "first", "freed", "other": one name in every output */
const char *kvmmmu_load_cause_name(KvmmmuLoadCause cause);
/* What it means, for the reports' legends. */
const char *kvmmmu_load_cause_meaning(KvmmmuLoadCause cause);

/* Distinct latencies each cause's histogram keeps for exact percentiles:
 * past it they are approximate and say so (model/hist.h). */
#define KVMMMU_LOAD_CAUSE_EXACT_MAX (1u << 16)

/* disagreements kept with their record, per capture set */
#define KVMMMU_CACHE_DIFFS_MAX 20

/* A cached root as KVM matches it. */
typedef struct {
  guint64 pgd;
  guint32 role;
} KvmmmuRootKey;

typedef struct {
  guint64 kvm;
  guint32 vcpu;
  guint capture;
  guint vm_index;            /* 0, 1, ... in order of first appearance in its capture, on any
                              * record naming a VM (walks too), as --vm numbers them */
  KvmmmuRootKey lru[KVMMMU_CACHE_MAX_N + 1]; /* most recent first */
  guint depth;               /* entries used in lru */
  guint32 role;              /* the role of its last switch */
  GHashTable *seen;          /* KvmmmuRootKey used in this capture */
  guint64 seen_overflow;

  guint64 switches;
  guint64 first_uses;        /* a pgd's first switch in the capture */
  guint64 at_depth[KVMMMU_CACHE_MAX_N + 1]; /* switches whose pgd was at LRU depth d */
  guint64 far;               /* seen before, deeper than KVMMMU_CACHE_MAX_N */
  guint64 kernel_hit, kernel_miss, kernel_unknown;
  guint64 agree, differ, warm;  /* model at the kernel's N against the record */
  guint64 stray_loads;       /* loads of a root not at the front */
  /* free records (format 5): roots freed outside a page-table switch,
   * those of them the model did not hold among the kernel's N + 1, and
   * the frees inside a switch (a miss's eviction, which the model makes
   * itself) */
  guint64 frees, frees_unheld, evictions;
  gboolean current_freed;    /* since its last load or switch */
  /* the latency of the load that follows a miss: what a hit would save */
  gboolean miss_pending;
  KvmmmuRootKey miss_root;
  guint64 miss_loads, miss_load_ns;
  gboolean active;           /* a switch or load of it read in its capture */
  gboolean hit_unsynced;     /* a hit since the last load, no sync after it yet */
  gboolean sync_pending;     /* a sync read, its place not known yet */
  guint64 sync_ts, sync_dur; /* that sync */
  guint64 cause_loads[KVMMMU_LOAD_N_CAUSES];  /* successful loads by cause */
} KvmmmuVcpuCache;

typedef struct {
  guint64 ts_ns;
  guint64 line;
  const char *file;          /* borrowed from the reader: valid while it lives */
  guint64 kvm, pgd;
  guint32 vcpu, role;
  gboolean has_role;         /* its capture's switch records carry a role */
  guint8 kernel;             /* KvmmmuSwitchResult the record gave */
  guint depth;               /* where the model had the pgd; > N: not held */
} KvmmmuCacheDiff;

typedef struct {
  guint kernel_n;            /* KVM_MMU_NUM_PREV_ROOTS, the N checked */
  GPtrArray *vcpus;          /* KvmmmuVcpuCache, in order of first switch or load */
  GHashTable *by_key;        /* (capture, kvm, vcpu) -> KvmmmuVcpuCache */
  GArray *vms;               /* guint64 kvm of the capture being read */
  guint capture;
  guint captures;            /* headers seen */
  guint pgd_only_captures;   /* of a format before switch records had a role */
  gboolean pgd_only;         /* the capture being read is one of them */
  guint64 vcpus_overflow;    /* switches of vCPUs past KVMMMU_CACHE_VCPUS_MAX */
  GArray *diffs;             /* KvmmmuCacheDiff, the first KVMMMU_CACHE_DIFFS_MAX */
  guint64 diffs_total;
  /* the latency of every successful load by cause, all vCPUs */
  KvmmmuHist *cause_ns[KVMMMU_LOAD_N_CAUSES];
  /* their time in all, exact (saturating: format/count.h), and of that
   * the time in the kvm_mmu_sync_roots() inside those loads */
  guint64 cause_total_ns[KVMMMU_LOAD_N_CAUSES];
  guint64 cause_sync_ns[KVMMMU_LOAD_N_CAUSES];
  /* the latency of every sync by where it ran, and its total */
  KvmmmuHist *sync_ns[KVMMMU_SYNC_N_PLACES];
  guint64 sync_total_ns[KVMMMU_SYNC_N_PLACES];
  guint64 syncs_overflow;    /* syncs of vCPUs past KVMMMU_CACHE_VCPUS_MAX */
  guint sync_captures;       /* captures of a format with sync records (4+) */
  guint free_captures;       /* captures of a format with free records (5+) */
  guint64 frees_overflow;    /* frees of vCPUs past KVMMMU_CACHE_VCPUS_MAX */
  guint64 failed_loads;      /* loads that returned an error: no root built */
  guint64 loads_overflow;    /* loads of vCPUs past KVMMMU_CACHE_VCPUS_MAX */
} KvmmmuCache;

/* kernel_n: the kernel's KVM_MMU_NUM_PREV_ROOTS (1..KVMMMU_CACHE_MAX_N) */
KvmmmuCache *kvmmmu_cache_new(guint kernel_n);
void kvmmmu_cache_free(KvmmmuCache *cache);
/* Feed every record in order: headers start a capture, switches and loads
 * are modelled, the rest ignored. */
void kvmmmu_cache_add(KvmmmuCache *cache, const KvmmmuRecord *rec);
/* A record the report does not see (--vm, --time... left it out): only
 * the VM it names is numbered, as the filter numbers it. */
void kvmmmu_cache_note_vm(KvmmmuCache *cache, const KvmmmuRecord *rec);

/* At the end of the input: places the syncs still waiting for their
 * vCPU's next record. */
void kvmmmu_cache_finish(KvmmmuCache *cache);

/* Switches of this vCPU that hit with n previous roots (0..MAX_N). */
guint64 kvmmmu_vcpu_cache_hits(const KvmmmuVcpuCache *v, guint n);
/* Mean latency of the loads that followed a miss, 0 when none did. */
guint64 kvmmmu_vcpu_cache_miss_load_ns(const KvmmmuVcpuCache *v);
/* What the extra hits of n previous roots, against the kernel_n the
 * kernel has, would save at the mean latency of a load after a miss
 * (negative: cost).  A double: counts and latencies from a trace may be
 * anything up to 2^64 - 1. */
double kvmmmu_vcpu_cache_saved_ns(const KvmmmuVcpuCache *v, guint n, guint kernel_n);
/* Sums over every vCPU, into a KvmmmuVcpuCache with no seen set. */
void kvmmmu_cache_total(const KvmmmuCache *cache, KvmmmuVcpuCache *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuCache, kvmmmu_cache_free)

#endif

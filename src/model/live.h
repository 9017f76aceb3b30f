/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * live.h - what `top` shows, kept as records arrive: running totals of
 * walks, pages, loads and prev_roots lookups, per vCPU and in all, and the
 * load latencies in log-linear buckets for their percentiles.  Memory is
 * bounded: at most KVMMMU_LIVE_VCPUS_MAX vCPUs are kept apart, the records
 * of any other count in the totals and in vcpus_over.
 */
#ifndef KVMMMU_MODEL_LIVE_H
#define KVMMMU_MODEL_LIVE_H

#include <glib.h>

#include "format/records.h"

#define KVMMMU_LIVE_VCPUS_MAX 4096
/* Latency buckets: 8 to each power of two, so a percentile is read to
 * within 1/8 of its value (the bucket's lower bound is shown). */
#define KVMMMU_LIVE_LAT_SUB 8
#define KVMMMU_LIVE_LAT_BUCKETS (64 * KVMMMU_LIVE_LAT_SUB)

typedef struct {
  guint64 walks, pages, steps;
  guint64 loads, load_rate_loads; /* load records; loads counted by load_rate records */
  guint64 switches, hits, misses;
} KvmmmuLiveCounts;

typedef struct {
  guint64 kvm;
  guint32 vcpu;
  KvmmmuLiveCounts n;
} KvmmmuLiveVcpu;

typedef struct {
  KvmmmuLiveCounts all;
  guint64 first_ts, last_ts;   /* over event records; 0 before any */
  char script[32], release[64];/* of the last header */
  guint captures;
  guint64 lat[KVMMMU_LIVE_LAT_BUCKETS];
  guint64 lat_max;
  GHashTable *vcpus;           /* KvmmmuLiveVcpu by (kvm, vcpu) */
  guint64 vcpus_over;          /* records of vCPUs past KVMMMU_LIVE_VCPUS_MAX */
} KvmmmuLive;

KvmmmuLive *kvmmmu_live_new(void);
void kvmmmu_live_free(KvmmmuLive *live);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuLive, kvmmmu_live_free)

void kvmmmu_live_add(KvmmmuLive *live, const KvmmmuRecord *rec);

/* The load latency below which a fraction q (0..1] of the loads fell: the
 * lower bound of its bucket, in ns; 0 with no load. */
guint64 kvmmmu_live_latency_quantile(const KvmmmuLive *live, double q);

/* The vCPUs, most loads first (then kvm, vcpu); the array is the
 * caller's, its elements borrowed. */
GPtrArray *kvmmmu_live_vcpus_sorted(const KvmmmuLive *live);

#endif

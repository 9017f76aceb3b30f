/* SPDX-License-Identifier: GPL-2.0-or-later */
/* live.c - see live.h. */
#include <string.h>

#include "format/count.h"
#include "model/live.h"

/* A vCPU is its own key: kvm and vcpu. */
static guint
key_hash(gconstpointer p)
{
  const KvmmmuLiveVcpu *k = p;
  return (guint)(kvmmmu_vcpu_key(k->kvm, k->vcpu));
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
  const KvmmmuLiveVcpu *x = a, *y = b;
  return x->kvm == y->kvm && x->vcpu == y->vcpu;
}

KvmmmuLive *
kvmmmu_live_new(void)
{
  KvmmmuLive *live = g_new0(KvmmmuLive, 1);

  live->vcpus = g_hash_table_new_full(key_hash, key_equal, NULL, g_free);
  return live;
}

void
kvmmmu_live_free(KvmmmuLive *live)
{
  if (!live)
    return;
  g_hash_table_unref(live->vcpus);
  g_free(live);
}

/* The vCPU's counts, NULL past the limit (counted). */
static KvmmmuLiveCounts *
vcpu_counts(KvmmmuLive *live, guint64 kvm, guint32 vcpu)
{
  KvmmmuLiveVcpu k = { .kvm = kvm, .vcpu = vcpu };
  KvmmmuLiveVcpu *v = g_hash_table_lookup(live->vcpus, &k);

  if (!v) {
    if (g_hash_table_size(live->vcpus) >= KVMMMU_LIVE_VCPUS_MAX) {
      live->vcpus_over = kvmmmu_count_add(live->vcpus_over, 1);
      return NULL;
    }
    v = g_new0(KvmmmuLiveVcpu, 1);
    v->kvm = kvm;
    v->vcpu = vcpu;
    g_hash_table_insert(live->vcpus, v, v);
  }
  return &v->n;
}

static guint
lat_bucket(guint64 ns)
{
  guint top, sub;

  if (ns < KVMMMU_LIVE_LAT_SUB)
    return (guint)ns;
  top = 63 - (guint)__builtin_clzll(ns); /* ns >= 8: top >= 3 */
  sub = (guint)(ns >> (top - 3)) & (KVMMMU_LIVE_LAT_SUB - 1);
  return (top - 2) * KVMMMU_LIVE_LAT_SUB + sub;
}

static guint64
lat_bucket_low(guint b)
{
  guint top = b / KVMMMU_LIVE_LAT_SUB, sub = b % KVMMMU_LIVE_LAT_SUB;

  if (top == 0)
    return sub;
  return (guint64)(KVMMMU_LIVE_LAT_SUB + sub) << (top - 1);
}

G_STATIC_ASSERT(KVMMMU_LIVE_LAT_SUB == 8);

#define BUMP(field, by)                                                  \
  do {                                                                   \
    live->all.field = kvmmmu_count_add(live->all.field, (by));           \
    if (n)                                                               \
      n->field = kvmmmu_count_add(n->field, (by));                       \
  } while (0)

void
kvmmmu_live_add(KvmmmuLive *live, const KvmmmuRecord *rec)
{
  KvmmmuLiveCounts *n = NULL;

  /* The trace's time: over its event records, as the stats take it. */
  if (rec->ts_ns && rec->kind != KVMMMU_RECORD_HEADER && rec->kind != KVMMMU_RECORD_END &&
      kvmmmu_kind_spec(rec->kind)) {
    if (!live->first_ts || rec->ts_ns < live->first_ts)
      live->first_ts = rec->ts_ns;
    live->last_ts = MAX(live->last_ts, rec->ts_ns);
  }
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    live->captures++;
    g_strlcpy(live->script, rec->u.header.script, sizeof live->script);
    g_strlcpy(live->release, rec->u.header.release, sizeof live->release);
    return;
  case KVMMMU_RECORD_WALK:
    live->all.walks = kvmmmu_count_add(live->all.walks, 1);
    live->all.pages = kvmmmu_count_add(live->all.pages, rec->u.Walk.nr);
    break;
  case KVMMMU_RECORD_STEP:
    live->all.steps = kvmmmu_count_add(live->all.steps, 1);
    break;
  case KVMMMU_RECORD_LOAD:
    n = vcpu_counts(live, rec->u.Load.kvm, rec->u.Load.vcpu);
    BUMP(loads, 1);
    live->lat[lat_bucket(rec->u.Load.dur_ns)]++;
    live->lat_max = MAX(live->lat_max, rec->u.Load.dur_ns);
    break;
  case KVMMMU_RECORD_LOAD_RATE:
    n = vcpu_counts(live, rec->u.LoadRate.kvm, rec->u.LoadRate.vcpu);
    BUMP(load_rate_loads, rec->u.LoadRate.count);
    break;
  case KVMMMU_RECORD_SWITCH:
    n = vcpu_counts(live, rec->u.Switch.kvm, rec->u.Switch.vcpu);
    BUMP(switches, 1);
    if (rec->u.Switch.result == KVMMMU_SWITCH_HIT)
      BUMP(hits, 1);
    else if (rec->u.Switch.result == KVMMMU_SWITCH_MISS)
      BUMP(misses, 1);
    break;
  default:
    break; /* sync, free, vcpu_root, the trailer, SystemTap's lines */
  }
}

guint64
kvmmmu_live_latency_quantile(const KvmmmuLive *live, double q)
{
  guint64 total = 0, want, seen = 0;

  for (guint b = 0; b < KVMMMU_LIVE_LAT_BUCKETS; b++)
    total += live->lat[b];
  if (!total)
    return 0;
  /* the nearest rank: the least n with n >= q * total */
  want = (guint64)(q * (double)total);
  if ((double)want < q * (double)total)
    want++;
  want = CLAMP(want, 1, total);
  for (guint b = 0; b < KVMMMU_LIVE_LAT_BUCKETS; b++) {
    seen += live->lat[b];
    if (seen >= want)
      return lat_bucket_low(b);
  }
  return live->lat_max;
}

static gint
by_loads(gconstpointer a, gconstpointer b)
{
  const KvmmmuLiveVcpu *x = *(KvmmmuLiveVcpu *const *)a, *y = *(KvmmmuLiveVcpu *const *)b;
  guint64 lx = x->n.loads + x->n.load_rate_loads, ly = y->n.loads + y->n.load_rate_loads;

  if (lx != ly)
    return lx > ly ? -1 : 1;
  if (x->kvm != y->kvm)
    return x->kvm < y->kvm ? -1 : 1;
  return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

GPtrArray *
kvmmmu_live_vcpus_sorted(const KvmmmuLive *live)
{
  GPtrArray *a = g_ptr_array_sized_new(g_hash_table_size(live->vcpus));
  GHashTableIter it;
  gpointer v;

  g_hash_table_iter_init(&it, live->vcpus);
  while (g_hash_table_iter_next(&it, NULL, &v))
    g_ptr_array_add(a, v);
  g_ptr_array_sort(a, by_loads);
  return a;
}

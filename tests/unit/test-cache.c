/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The prev_roots cache model (model/cache.c) against a cache simulated
 * here the plain way: for each N its own list of N + 1 roots, searched,
 * the found one moved to the front, the last dropped on a miss. */
#include <string.h>

#include "model/cache.h"

#define KVM 0xffff9a1b0b2c5000ull

static void
feed_header_version(KvmmmuCache *c, guint32 version)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_HEADER };

  rec.u.header.version = version;
  kvmmmu_cache_add(c, &rec);
}

static void
feed_header(KvmmmuCache *c)
{
  feed_header_version(c, KVMMMU_FORMAT_VERSION);
}

/* A switch record at ts_ns (the model reads times only to place syncs). */
static void
feed_switch_full(KvmmmuCache *c, guint32 vcpu, guint64 pgd, guint32 role,
                 KvmmmuSwitchResult result, guint64 ts_ns)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_SWITCH, .ts_ns = ts_ns };

  rec.u.Switch.kvm = KVM;
  rec.u.Switch.vcpu = vcpu;
  rec.u.Switch.pgd = pgd;
  rec.u.Switch.role = role;
  rec.u.Switch.result = result;
  kvmmmu_cache_add(c, &rec);
}

static void
feed_switch_role(KvmmmuCache *c, guint32 vcpu, guint64 pgd, guint32 role,
                 KvmmmuSwitchResult result)
{
  feed_switch_full(c, vcpu, pgd, role, result, 0);
}

static void
feed_switch(KvmmmuCache *c, guint32 vcpu, guint64 pgd, KvmmmuSwitchResult result)
{
  feed_switch_role(c, vcpu, pgd, 0x3704, result);
}

static void
feed_load_full(KvmmmuCache *c, guint32 vcpu, guint64 pgd, gint64 ret, guint64 dur_ns,
               guint64 ts_ns)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_LOAD, .ts_ns = ts_ns };

  rec.u.Load.kvm = KVM;
  rec.u.Load.vcpu = vcpu;
  rec.u.Load.pgd = pgd;
  rec.u.Load.ret = ret;
  rec.u.Load.dur_ns = dur_ns;
  kvmmmu_cache_add(c, &rec);
}

static void
feed_load(KvmmmuCache *c, guint32 vcpu, guint64 pgd, gint64 ret, guint64 dur_ns)
{
  feed_load_full(c, vcpu, pgd, ret, dur_ns, 0);
}

static void
feed_sync(KvmmmuCache *c, guint32 vcpu, guint64 ts_ns, guint64 dur_ns)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_SYNC };

  rec.u.Sync.kvm = KVM;
  rec.u.Sync.vcpu = vcpu;
  rec.u.Sync.dur_ns = dur_ns;
  rec.ts_ns = ts_ns;
  kvmmmu_cache_add(c, &rec);
}

static void
feed_load_at(KvmmmuCache *c, guint32 vcpu, guint64 pgd, guint64 ts_ns, guint64 dur_ns)
{
  feed_load_full(c, vcpu, pgd, 0, dur_ns, ts_ns);
}

static void
feed_switch_at(KvmmmuCache *c, guint32 vcpu, guint64 pgd, KvmmmuSwitchResult result,
               guint64 ts_ns)
{
  feed_switch_full(c, vcpu, pgd, 0x3704, result, ts_ns);
}

static void
feed_free(KvmmmuCache *c, guint32 vcpu, guint32 mask, guint32 slot, guint64 pgd,
          gboolean in_switch)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_FREE };

  rec.u.Free.kvm = KVM;
  rec.u.Free.vcpu = vcpu;
  rec.u.Free.mask = mask;
  rec.u.Free.slot = slot;
  rec.u.Free.pgd = pgd;
  rec.u.Free.hpa = 0x7000 + slot;
  rec.u.Free.in_switch = in_switch;
  kvmmmu_cache_add(c, &rec);
}

/* Hits of a list of n + 1 roots over pgds[0..len). */
static guint64
simulate(const guint64 *pgds, guint len, guint n)
{
  guint64 list[KVMMMU_CACHE_MAX_N + 1];
  guint used = 0;
  guint64 hits = 0;

  for (guint i = 0; i < len; i++) {
    guint k;

    for (k = 0; k < used && list[k] != pgds[i]; k++)
      ;
    if (k < used) {
      hits++;
    } else {
      if (used < n + 1)
        used++;
      k = used - 1; /* the last one falls out when the list was full */
    }
    memmove(&list[1], &list[0], k * sizeof list[0]);
    list[0] = pgds[i];
  }
  return hits;
}

static const KvmmmuVcpuCache *
only_vcpu(const KvmmmuCache *c)
{
  g_assert_cmpuint(c->vcpus->len, ==, 1);
  return g_ptr_array_index(c->vcpus, 0);
}

/* A known sequence: five roots in turn with a home root between, as the
 * lab's workload switches (home, s1, home, s2, ...). */
static void
test_known(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
  guint64 seq[40];
  const KvmmmuVcpuCache *v;

  for (guint i = 0; i < G_N_ELEMENTS(seq); i++)
    seq[i] = i % 2 ? 0x1000 * (1 + (i / 2) % 5) : 0x100000;
  feed_header(c);
  for (guint i = 0; i < G_N_ELEMENTS(seq); i++)
    feed_switch(c, 0, seq[i], KVMMMU_SWITCH_UNKNOWN);
  v = only_vcpu(c);
  g_assert_cmpuint(v->switches, ==, 40);
  g_assert_cmpuint(v->first_uses, ==, 6);
  /* home comes back from depth 1 each time after its first (19 hits
   * from N = 1); between two uses of s1 come home, s2, s3, s4 and s5, five
   * distinct roots, so the 15 returns of the spaces are at depth 5 and hit
   * only from N = 5 on. */
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 1), ==, 19);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 4), ==, 19);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 5), ==, 34);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 16), ==, 34);
  for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++)
    g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, n), ==, simulate(seq, G_N_ELEMENTS(seq), n));
}

/* One pgd under two roles (a guest's paging mode flipping, or L1 and L2
 * roots of one address) is two roots to KVM, and to the model since
 * switch records carry the role; a capture of an older format keys by pgd
 * alone and says so. */
static void
test_role(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
  g_autoptr(KvmmmuCache) old = kvmmmu_cache_new(3);
  const KvmmmuVcpuCache *v;

  feed_header(c);
  feed_header_version(old, 2);
  for (guint i = 0; i < 10; i++) {
    feed_switch_role(c, 0, 0x40000, i % 2 ? 0x3704 : 0x3604, KVMMMU_SWITCH_UNKNOWN);
    feed_switch_role(old, 0, 0x40000, 0, KVMMMU_SWITCH_UNKNOWN);
  }
  v = only_vcpu(c);
  /* two roots, each back from depth 1 after its first use */
  g_assert_cmpuint(v->first_uses, ==, 2);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 0), ==, 0);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 1), ==, 8);
  g_assert_cmpuint(c->pgd_only_captures, ==, 0);
  /* by pgd alone: one root, always the current one */
  v = only_vcpu(old);
  g_assert_cmpuint(v->first_uses, ==, 1);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 0), ==, 9);
  g_assert_cmpuint(old->pgd_only_captures, ==, 1);
  g_assert_cmpuint(old->captures, ==, 1);
}

/* Random sequences over few and many roots: every N agrees with its own
 * simulated list, and first uses are the distinct roots. */
/* Why each load built a root, told from the vCPU's records before it. */
static void
test_load_causes(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
  const KvmmmuHist *miss, *first, *other;
  const KvmmmuVcpuCache *v;

  feed_header(c);
  feed_load(c, 0, 0x1000, 0, 900);                  /* first: nothing before it */
  feed_switch(c, 0, 0x2000, KVMMMU_SWITCH_MISS);
  feed_load(c, 0, 0x2000, -12, 5);                  /* failed: builds nothing */
  feed_load(c, 0, 0x2000, 0, 100);                  /* the miss's root: miss */
  feed_switch(c, 0, 0x1000, KVMMMU_SWITCH_HIT);
  feed_load(c, 0, 0x1000, 0, 300);                  /* after a hit: freed otherwise */
  feed_load(c, 0, 0x1000, 0, 301);                  /* again, nothing between: other */
  feed_switch(c, 0, 0x3000, KVMMMU_SWITCH_MISS);
  feed_load(c, 0, 0x4000, 0, 400);                  /* not the missed root: other */
  feed_load(c, 0, 0x3000, 0, 999);                  /* the miss was answered: other */
  feed_switch(c, 1, 0x5000, KVMMMU_SWITCH_MISS);    /* vCPU 1 starts with a switch */
  feed_load(c, 1, 0x5000, 0, 200);                  /* miss, not first */
  feed_header(c);                                   /* a new capture: first again */
  feed_load(c, 0, 0x2000, 0, 700);

  miss = c->cause_ns[KVMMMU_LOAD_CAUSE_MISS];
  first = c->cause_ns[KVMMMU_LOAD_CAUSE_FIRST];
  other = c->cause_ns[KVMMMU_LOAD_CAUSE_OTHER];
  g_assert_cmpuint(miss->count, ==, 2);
  g_assert_cmpint(miss->min, ==, 100);
  g_assert_cmpint(miss->max, ==, 200);
  g_assert_cmpuint(first->count, ==, 2);
  g_assert_cmpint(first->min, ==, 700);
  g_assert_cmpint(first->max, ==, 900);
  g_assert_cmpuint(other->count, ==, 4);
  g_assert_cmpfloat(other->sum, ==, 300 + 301 + 400 + 999);
  g_assert_cmpuint(c->failed_loads, ==, 1);
  g_assert_cmpuint(c->vcpus->len, ==, 3);
  v = g_ptr_array_index(c->vcpus, 0);
  g_assert_cmpuint(v->cause_loads[KVMMMU_LOAD_CAUSE_MISS], ==, 1);
  g_assert_cmpuint(v->cause_loads[KVMMMU_LOAD_CAUSE_FIRST], ==, 1);
  g_assert_cmpuint(v->cause_loads[KVMMMU_LOAD_CAUSE_OTHER], ==, 4);
  g_assert_cmpstr(kvmmmu_load_cause_name(KVMMMU_LOAD_CAUSE_MISS), ==, "switch_miss");
}

/* Roots freed outside a switch leave the cache: the next switch to one
 * misses, as the kernel's does, for every N; a free inside a switch is the
 * miss's own eviction and changes nothing; a mask of every root empties
 * the cache; a load after the current root was freed is caused by it. */
static void
test_frees(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
  const KvmmmuVcpuCache *v;

  feed_header(c);
  feed_switch(c, 0, 0x1000, KVMMMU_SWITCH_MISS);    /* first uses: a, b, c */
  feed_switch(c, 0, 0x2000, KVMMMU_SWITCH_MISS);
  feed_switch(c, 0, 0x3000, KVMMMU_SWITCH_MISS);    /* list: c b a */
  feed_free(c, 0, 1u << 2, 2, 0x1000, FALSE);        /* prev_roots[1]: a (a PCID flush) */
  feed_switch(c, 0, 0x2000, KVMMMU_SWITCH_HIT);     /* depth 1: hit; list b c */
  feed_switch(c, 0, 0x1000, KVMMMU_SWITCH_MISS);    /* a was freed: miss for every N */
  /* list: a b c.  A miss of d evicts nothing at N = 3: the free in the
   * switch is recorded first and must not be taken for another free. */
  feed_free(c, 0, 1u << 0, 0, 0x3000, TRUE);
  feed_switch(c, 0, 0x4000, KVMMMU_SWITCH_MISS);    /* list: d a b c */
  feed_switch(c, 0, 0x3000, KVMMMU_SWITCH_HIT);     /* depth 3: hit at N = 3 */
  feed_free(c, 0, 0xf, 0, 0x3000, FALSE);           /* every root (kvm_mmu_unload) */
  feed_free(c, 0, 0xf, 1, 0x4000, FALSE);
  feed_load(c, 0, 0x3000, 0, 500);                  /* caused by the free */
  feed_switch(c, 0, 0x4000, KVMMMU_SWITCH_MISS);    /* gone with the rest */
  feed_load(c, 0, 0x4000, 0, 600);

  v = only_vcpu(c);
  g_assert_cmpuint(v->switches, ==, 8);
  g_assert_cmpuint(v->first_uses, ==, 4);
  /* hits at N: b at depth 1, c at depth 3; a and d after their frees
   * are misses deeper than any list */
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 1), ==, 1);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 2), ==, 1);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 3), ==, 2);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 16), ==, 2);
  g_assert_cmpuint(v->differ, ==, 0);
  g_assert_cmpuint(v->agree, ==, 8);
  g_assert_cmpuint(v->frees, ==, 3);
  g_assert_cmpuint(v->frees_unheld, ==, 1);         /* d, after the mask emptied it all */
  g_assert_cmpuint(v->evictions, ==, 1);
  g_assert_cmpuint(v->cause_loads[KVMMMU_LOAD_CAUSE_FREED], ==, 1);
  g_assert_cmpuint(v->cause_loads[KVMMMU_LOAD_CAUSE_MISS], ==, 1);
  g_assert_cmpuint(c->free_captures, ==, 1);
  g_assert_cmpstr(kvmmmu_load_cause_name(KVMMMU_LOAD_CAUSE_FREED), ==, "freed");
}

/* A freed previous root leaves a hole that ages like a root (KVM's
 * prev_roots[i] stays INVALID_PAGE where it was): a miss then evicts the
 * least recent real root although the cache has a free slot, as the
 * nested guest's PCID flushes showed. */
static void
test_free_hole(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
  const KvmmmuVcpuCache *v;

  feed_header(c);
  for (guint64 pgd = 0x1000; pgd <= 0x4000; pgd += 0x1000)
    feed_switch(c, 0, pgd, KVMMMU_SWITCH_MISS);     /* list: 4 3 2 1 */
  feed_free(c, 0, 1u << 2, 2, 0x2000, FALSE);        /* prev_roots[1]: 4 3 _ 1 */
  feed_free(c, 0, 1u << 0, 0, 0x1000, TRUE);         /* the miss below evicts 1 */
  feed_switch(c, 0, 0x5000, KVMMMU_SWITCH_MISS);    /* 5 4 3 _ | 1 */
  feed_switch(c, 0, 0x1000, KVMMMU_SWITCH_MISS);    /* depth 4: a miss at N = 3 */
  v = only_vcpu(c);
  g_assert_cmpuint(v->differ, ==, 0);
  g_assert_cmpuint(v->at_depth[4], ==, 1);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 3), ==, 0);
  g_assert_cmpuint(kvmmmu_vcpu_cache_hits(v, 4), ==, 1);
  /* a current root freed outside a switch leaves no hole: the next
   * switch finds the cached ones from prev_roots[0] on */
  feed_free(c, 0, 1u << 0, 0, 0x1000, FALSE);        /* _ 5 4 3 -> 5 4 3 */
  feed_switch(c, 0, 0x3000, KVMMMU_SWITCH_HIT);     /* depth 2 */
  g_assert_cmpuint(v->differ, ==, 0);
  g_assert_cmpuint(v->at_depth[2], ==, 1);
}

/* Where each kvm_mmu_sync_roots ran: inside the load whose time holds it,
 * after a hit, or elsewhere; placed when the vCPU's next record (or the
 * end) comes. */
static void
test_sync_places(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
  const KvmmmuHist *in_load, *after_hit, *after_miss, *other;

  feed_header(c);
  feed_sync(c, 0, 1000, 7);                          /* nothing before: other */
  feed_switch_at(c, 0, 0x1000, KVMMMU_SWITCH_MISS, 2000);
  feed_sync(c, 0, 2900, 40);                         /* inside the load below */
  feed_load_at(c, 0, 0x1000, 3000, 500);             /* ran 2500..3000 */
  feed_switch_at(c, 0, 0x2000, KVMMMU_SWITCH_HIT, 4000);
  feed_sync(c, 0, 4100, 20);                         /* the hit's sync */
  feed_sync(c, 0, 4200, 9);                          /* a second one: other */
  feed_switch_at(c, 0, 0x3000, KVMMMU_SWITCH_MISS, 5000);
  feed_sync(c, 0, 5100, 11);                         /* after the miss, before its load */
  feed_load_at(c, 0, 0x3000, 6000, 100);             /* ran 5900..6000 */
  feed_switch_at(c, 0, 0x1000, KVMMMU_SWITCH_HIT, 7000);
  feed_sync(c, 0, 7100, 30);                         /* the last record: at finish */
  kvmmmu_cache_finish(c);

  in_load = c->sync_ns[KVMMMU_SYNC_IN_LOAD];
  after_hit = c->sync_ns[KVMMMU_SYNC_AFTER_HIT];
  after_miss = c->sync_ns[KVMMMU_SYNC_AFTER_MISS];
  other = c->sync_ns[KVMMMU_SYNC_OTHER];
  g_assert_cmpuint(in_load->count, ==, 1);
  g_assert_cmpint(in_load->max, ==, 40);
  g_assert_cmpuint(after_hit->count, ==, 2);
  g_assert_cmpfloat(after_hit->sum, ==, 20 + 30);
  g_assert_cmpuint(after_miss->count, ==, 1);
  g_assert_cmpint(after_miss->max, ==, 11);
  g_assert_cmpuint(other->count, ==, 2);
  g_assert_cmpfloat(other->sum, ==, 7 + 9);
  g_assert_cmpfloat(c->cause_sync_ns[KVMMMU_LOAD_CAUSE_MISS], ==, 40);
  g_assert_cmpuint(c->sync_captures, ==, 1);
  g_assert_cmpstr(kvmmmu_sync_place_name(KVMMMU_SYNC_AFTER_HIT), ==, "after_hit");
}

static void
test_random(void)
{
  GRand *r = g_rand_new_with_seed(20261205);

  for (guint round = 0; round < 200; round++) {
    g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(3);
    g_autoptr(GHashTable) distinct = g_hash_table_new(g_int64_hash, g_int64_equal);
    guint len = g_rand_int_range(r, 1, 600);
    guint roots = g_rand_int_range(r, 1, 30);
    guint64 *seq = g_new(guint64, len);
    const KvmmmuVcpuCache *v;

    feed_header(c);
    for (guint i = 0; i < len; i++) {
      seq[i] = 0x1000ull * g_rand_int_range(r, 1, roots + 1);
      g_hash_table_add(distinct, &seq[i]);
      feed_switch(c, 7, seq[i], KVMMMU_SWITCH_UNKNOWN);
    }
    v = only_vcpu(c);
    g_assert_cmpuint(v->first_uses, ==, g_hash_table_size(distinct));
    for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++)
      if (kvmmmu_vcpu_cache_hits(v, n) != simulate(seq, len, n))
        g_error("round %u (%u switches over %u roots), N=%u: model %" G_GUINT64_FORMAT
                " hits, simulated %" G_GUINT64_FORMAT, round, len, roots, n,
                kvmmmu_vcpu_cache_hits(v, n), simulate(seq, len, n));
    g_free(seq);
  }
  g_rand_free(r);
}

/* The kernel's results are checked at its N: a hit the model would not
 * have is counted and listed, a hit on a root the capture never showed
 * before is counted apart (the cache was warm), and a new capture starts
 * empty with its own vCPUs. */
static void
test_against_kernel(void)
{
  g_autoptr(KvmmmuCache) c = kvmmmu_cache_new(1);
  const KvmmmuVcpuCache *v;

  feed_header(c);
  feed_switch(c, 0, 0xa000, KVMMMU_SWITCH_HIT);  /* warm: never seen here */
  feed_switch(c, 0, 0xb000, KVMMMU_SWITCH_MISS); /* agree */
  feed_switch(c, 0, 0xa000, KVMMMU_SWITCH_HIT);  /* depth 1, N=1: agree */
  feed_switch(c, 0, 0xc000, KVMMMU_SWITCH_MISS); /* agree */
  feed_switch(c, 0, 0xb000, KVMMMU_SWITCH_HIT);  /* depth 2 > N=1: differs */
  feed_switch(c, 0, 0xb000, KVMMMU_SWITCH_MISS); /* depth 0, a hit: differs */
  v = only_vcpu(c);
  g_assert_cmpuint(v->warm, ==, 1);
  g_assert_cmpuint(v->agree, ==, 3);
  g_assert_cmpuint(v->differ, ==, 2);
  g_assert_cmpuint(c->diffs_total, ==, 2);
  g_assert_cmpuint(g_array_index(c->diffs, KvmmmuCacheDiff, 0).depth, ==, 2);
  g_assert_cmpuint(g_array_index(c->diffs, KvmmmuCacheDiff, 1).depth, ==, 0);
  feed_header(c);
  feed_switch(c, 0, 0xb000, KVMMMU_SWITCH_MISS);
  g_assert_cmpuint(c->vcpus->len, ==, 2);
  v = g_ptr_array_index(c->vcpus, 1);
  g_assert_cmpuint(v->capture, ==, 2);
  g_assert_cmpuint(v->first_uses, ==, 1);
  g_assert_cmpuint(v->agree, ==, 1);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/cache/known", test_known);
  g_test_add_func("/cache/role", test_role);
  g_test_add_func("/cache/random", test_random);
  g_test_add_func("/cache/load-causes", test_load_causes);
  g_test_add_func("/cache/sync-places", test_sync_places);
  g_test_add_func("/cache/frees", test_frees);
  g_test_add_func("/cache/free-hole", test_free_hole);
  g_test_add_func("/cache/against-kernel", test_against_kernel);
  return g_test_run();
}

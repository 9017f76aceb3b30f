/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cache.c - KVM's prev_roots cache replayed for every size (cache.h). */
#include <string.h>

#include "format/count.h"
#include "model/cache.h"
#include "model/vcpukey.h"

typedef KvmmmuCaptureVcpu Key;

static guint
root_hash(gconstpointer p)
{
  const KvmmmuRootKey *r = p;

  return g_int64_hash(&r->pgd) ^ (r->role * 0x9e3779b9u);
}

static gboolean
root_equal(gconstpointer a, gconstpointer b)
{
  const KvmmmuRootKey *x = a, *y = b;

  return x->pgd == y->pgd && x->role == y->role;
}

static void
vcpu_free(gpointer p)
{
  KvmmmuVcpuCache *v = p;

  if (v->seen)
    g_hash_table_destroy(v->seen);
  g_free(v);
}

KvmmmuCache *
kvmmmu_cache_new(guint kernel_n)
{
  KvmmmuCache *c = g_new0(KvmmmuCache, 1);

  c->kernel_n = CLAMP(kernel_n, 1, KVMMMU_CACHE_MAX_N);
  c->vcpus = g_ptr_array_new_with_free_func(vcpu_free);
  c->by_key = g_hash_table_new_full(kvmmmu_capture_vcpu_hash, kvmmmu_capture_vcpu_equal, g_free, NULL);
  c->vms = g_array_new(FALSE, FALSE, sizeof(guint64));
  c->diffs = g_array_new(FALSE, TRUE, sizeof(KvmmmuCacheDiff));
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    c->cause_ns[i] = kvmmmu_hist_new_log();
    kvmmmu_hist_set_exact_limit(c->cause_ns[i], KVMMMU_LOAD_CAUSE_EXACT_MAX);
  }
  for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++) {
    c->sync_ns[i] = kvmmmu_hist_new_log();
    kvmmmu_hist_set_exact_limit(c->sync_ns[i], KVMMMU_LOAD_CAUSE_EXACT_MAX);
  }
  return c;
}

void
kvmmmu_cache_free(KvmmmuCache *c)
{
  if (!c)
    return;
  g_hash_table_destroy(c->by_key);
  g_ptr_array_free(c->vcpus, TRUE);
  g_array_free(c->vms, TRUE);
  g_array_free(c->diffs, TRUE);
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
    kvmmmu_hist_free(c->cause_ns[i]);
  for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++)
    kvmmmu_hist_free(c->sync_ns[i]);
  g_free(c);
}

static guint
vm_index(KvmmmuCache *c, guint64 kvm)
{
  for (guint i = 0; i < c->vms->len; i++)
    if (g_array_index(c->vms, guint64, i) == kvm)
      return i;
  g_array_append_val(c->vms, kvm);
  return c->vms->len - 1;
}

/* Number kvm if it is new to the capture, as long as vCPUs could still be
 * modelled (past them no vCPU needs a number, and the list stays bounded). */
void
kvmmmu_cache_note_vm(KvmmmuCache *c, const KvmmmuRecord *rec)
{
  guint64 kvm = kvmmmu_record_kvm(rec); /* 0: none, or a format-1 walk */

  if (kvm && c->vcpus->len < KVMMMU_CACHE_VCPUS_MAX && c->vms->len < KVMMMU_CACHE_VCPUS_MAX)
    vm_index(c, kvm);
}

/* The vCPU's model, made on first sight; NULL past the limit. */
static KvmmmuVcpuCache *
vcpu_get(KvmmmuCache *c, guint64 kvm, guint32 vcpu)
{
  Key k = { c->capture, vcpu, kvm };
  KvmmmuVcpuCache *v = g_hash_table_lookup(c->by_key, &k);

  if (v)
    return v;
  if (c->vcpus->len >= KVMMMU_CACHE_VCPUS_MAX)
    return NULL;
  v = g_new0(KvmmmuVcpuCache, 1);
  v->kvm = kvm;
  v->vcpu = vcpu;
  v->capture = c->capture;
  v->vm_index = vm_index(c, kvm);
  v->seen = g_hash_table_new_full(root_hash, root_equal, g_free, NULL);
  g_ptr_array_add(c->vcpus, v);
  g_hash_table_insert(c->by_key, g_memdup2(&k, sizeof k), v);
  return v;
}

/* Where root r is in the LRU list, v->depth when it is not there. */
static guint
lru_find(const KvmmmuVcpuCache *v, KvmmmuRootKey r)
{
  guint d;

  for (d = 0; d < v->depth; d++)
    if (v->lru[d].pgd == r.pgd && v->lru[d].role == r.role)
      break;
  return d;
}

/* r to the front; from depth d (v->depth: not held, the last entry falls
 * out when the list is full). */
static void
lru_front(KvmmmuVcpuCache *v, KvmmmuRootKey r, guint d)
{
  if (d == v->depth && v->depth < G_N_ELEMENTS(v->lru))
    v->depth++;
  if (d >= v->depth)
    d = v->depth - 1;
  memmove(&v->lru[1], &v->lru[0], d * sizeof v->lru[0]);
  v->lru[0] = r;
}

/* First use in this capture?  Marks it used. */
static gboolean
first_use(KvmmmuVcpuCache *v, KvmmmuRootKey r)
{
  if (g_hash_table_contains(v->seen, &r))
    return FALSE;
  if (g_hash_table_size(v->seen) >= KVMMMU_CACHE_SEEN_MAX) {
    v->seen_overflow++;
    return FALSE;
  }
  g_hash_table_add(v->seen, g_memdup2(&r, sizeof r));
  return TRUE;
}

static void
add_diff(KvmmmuCache *c, const KvmmmuRecord *rec, guint depth)
{
  KvmmmuCacheDiff d = {
    .ts_ns = rec->ts_ns,
    .line = rec->line,
    .file = rec->file ? g_intern_string(rec->file) : NULL,
    .kvm = rec->u.Switch.kvm,
    .pgd = rec->u.Switch.pgd,
    .vcpu = rec->u.Switch.vcpu,
    .role = rec->u.Switch.role,
    .has_role = !c->pgd_only,
    .kernel = rec->u.Switch.result,
    .depth = depth,
  };

  c->diffs_total++;
  if (c->diffs->len < KVMMMU_CACHE_DIFFS_MAX)
    g_array_append_val(c->diffs, d);
}

/* The vCPU's waiting sync ran outside a load: after the hit before it,
 * after a miss whose load is still to come, or for another reason. */
static void
sync_outside(KvmmmuCache *c, KvmmmuVcpuCache *v)
{
  KvmmmuSyncPlace place = v->hit_unsynced  ? KVMMMU_SYNC_AFTER_HIT
                          : v->miss_pending ? KVMMMU_SYNC_AFTER_MISS
                                            : KVMMMU_SYNC_OTHER;

  if (!v->sync_pending)
    return;
  kvmmmu_hist_add_u64(c->sync_ns[place], v->sync_dur, 1);
  KVMMMU_COUNT_ADD(c->sync_total_ns[place], v->sync_dur);
  v->hit_unsynced = FALSE;
  v->sync_pending = FALSE;
}

static void
add_sync(KvmmmuCache *c, const KvmmmuRecord *rec)
{
  const KvmmmuSync *s = &rec->u.Sync;
  KvmmmuVcpuCache *v = vcpu_get(c, s->kvm, s->vcpu);

  if (!v) {
    c->syncs_overflow++;
    return;
  }
  sync_outside(c, v);
  /* inside a load or not: the load record, if any, comes next */
  v->sync_pending = TRUE;
  v->sync_ts = rec->ts_ns;
  v->sync_dur = s->dur_ns;
}

static void
add_switch(KvmmmuCache *c, const KvmmmuRecord *rec)
{
  const KvmmmuSwitch *s = &rec->u.Switch;
  KvmmmuVcpuCache *v = vcpu_get(c, s->kvm, s->vcpu);
  KvmmmuRootKey r = { s->pgd, s->role };
  gboolean first;
  guint d;

  if (!v) {
    c->vcpus_overflow++;
    return;
  }
  sync_outside(c, v);
  v->switches++;
  v->active = TRUE;
  v->role = s->role;
  d = lru_find(v, r);
  first = first_use(v, r);
  if (d < v->depth)
    v->at_depth[d]++;
  else if (first)
    v->first_uses++;
  else
    v->far++;
  switch (s->result) {
  case KVMMMU_SWITCH_HIT: v->kernel_hit++; break;
  case KVMMMU_SWITCH_MISS: v->kernel_miss++; break;
  default: v->kernel_unknown++; break;
  }
  if (s->result != KVMMMU_SWITCH_UNKNOWN) {
    gboolean model_hit = d < v->depth && d <= c->kernel_n;

    if (model_hit == (s->result == KVMMMU_SWITCH_HIT))
      v->agree++;
    else if (first && s->result == KVMMMU_SWITCH_HIT)
      v->warm++; /* the kernel held it from before the capture */
    else {
      v->differ++;
      add_diff(c, rec, d < v->depth ? d : G_MAXUINT);
    }
  }
  /* The kernel's cache holds kernel_n + 1 roots; the list here the most
   * any N needs.  A miss frees the least recent one, as a hit keeps all. */
  lru_front(v, r, d);
  v->current_freed = FALSE;
  v->hit_unsynced = s->result == KVMMMU_SWITCH_HIT;
  v->miss_pending = s->result == KVMMMU_SWITCH_MISS ||
                    (s->result == KVMMMU_SWITCH_UNKNOWN && !(d < v->depth && d <= c->kernel_n));
  v->miss_root = r;
}

/* A freed cached root keeps its place in the LRU order as a hole that
 * matches no switch: KVM leaves prev_roots[i] INVALID_PAGE where it was, and
 * the rotation of later switches moves it like a root, so a miss may evict
 * a real root while a hole is left.  No switch names this pgd. */
static const KvmmmuRootKey hole = { G_MAXUINT64, G_MAXUINT32 };

/* A root freed outside a switch leaves the cache (every N's: a larger
 * cache's roots the kernel never held are kept, see docs/cache-model.md):
 * the current root is taken out (the next switch finds the cached roots
 * from prev_roots[0] on, and a miss evicts nothing), a previous one leaves
 * a hole, and a mask of every root empties it.  Inside a switch a free is
 * the miss's eviction, which the switch record makes. */
static void
add_free(KvmmmuCache *c, const KvmmmuRecord *rec)
{
  const KvmmmuFree *f = &rec->u.Free;
  KvmmmuVcpuCache *v = vcpu_get(c, f->kvm, f->vcpu);
  guint32 all = (2u << c->kernel_n) - 1;
  gboolean held;
  guint d;

  if (!v) {
    c->frees_overflow++;
    return;
  }
  if (f->in_switch) {
    v->evictions++;
    return;
  }
  v->frees++;
  if (f->slot == 0)
    v->current_freed = TRUE;
  for (d = 0; d < v->depth && d <= c->kernel_n; d++)
    if (v->lru[d].pgd == f->pgd)
      break;
  held = d < v->depth && d <= c->kernel_n;
  if (!held)
    v->frees_unheld++;
  if ((f->mask & all) == all) {
    v->depth = 0;
    v->current_freed = TRUE;
  } else if (held && d == 0) {
    memmove(&v->lru[0], &v->lru[1], (v->depth - 1) * sizeof v->lru[0]);
    v->depth--;
  } else if (held) {
    v->lru[d] = hole;
  }
}

static void
add_load(KvmmmuCache *c, const KvmmmuRecord *rec)
{
  const KvmmmuLoad *l = &rec->u.Load;
  KvmmmuVcpuCache *v;
  KvmmmuRootKey r;
  KvmmmuLoadCause cause;
  guint d;

  if (l->ret != 0) {
    c->failed_loads++; /* no root came of it: what made it due still holds */
    return;
  }
  v = vcpu_get(c, l->kvm, l->vcpu);
  if (!v) {
    c->loads_overflow++;
    return;
  }
  /* (a load's own role word is the root page's before 6.1, not the one
   * switches are matched by: the vCPU's last switch says that) */
  r = (KvmmmuRootKey){ l->pgd, v->role };
  if (v->miss_pending && v->miss_root.pgd == r.pgd && v->miss_root.role == r.role) {
    v->miss_loads++;
    KVMMMU_COUNT_ADD(v->miss_load_ns, l->dur_ns);
    cause = KVMMMU_LOAD_CAUSE_MISS;
  } else if (v->current_freed)
    cause = KVMMMU_LOAD_CAUSE_FREED;
  else
    cause = v->active ? KVMMMU_LOAD_CAUSE_OTHER : KVMMMU_LOAD_CAUSE_FIRST;
  v->current_freed = FALSE;
  v->cause_loads[cause]++;
  kvmmmu_hist_add_u64(c->cause_ns[cause], l->dur_ns, 1);
  KVMMMU_COUNT_ADD(c->cause_total_ns[cause], l->dur_ns);
  /* a sync that returned while this load ran was inside it */
  if (v->sync_pending && v->sync_ts <= rec->ts_ns && rec->ts_ns - v->sync_ts <= l->dur_ns) {
    kvmmmu_hist_add_u64(c->sync_ns[KVMMMU_SYNC_IN_LOAD], v->sync_dur, 1);
    KVMMMU_COUNT_ADD(c->sync_total_ns[KVMMMU_SYNC_IN_LOAD], v->sync_dur);
    KVMMMU_COUNT_ADD(c->cause_sync_ns[cause], v->sync_dur);
    v->sync_pending = FALSE;
  }
  sync_outside(c, v);
  v->hit_unsynced = FALSE;
  v->active = TRUE;
  v->miss_pending = FALSE;
  d = lru_find(v, r);
  if (d != 0 || v->depth == 0) { /* not at the front (an empty list has none) */
    /* loaded before any switch to it, or rebuilt after it left the
     * cache in a way not recorded (no free records before format 5):
     * it is the current root now */
    v->stray_loads++;
    lru_front(v, r, d);
    first_use(v, r);
  }
}

void
kvmmmu_cache_add(KvmmmuCache *c, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    kvmmmu_cache_finish(c); /* the last capture's syncs */
    c->capture++; /* a new capture: every cache starts empty */
    c->captures++;
    c->pgd_only = rec->u.header.version < 3;
    if (c->pgd_only)
      c->pgd_only_captures++;
    if (rec->u.header.version >= 4)
      c->sync_captures++;
    if (rec->u.header.version >= 5)
      c->free_captures++;
    g_array_set_size(c->vms, 0);
    break;
  case KVMMMU_RECORD_SWITCH:
    add_switch(c, rec);
    break;
  case KVMMMU_RECORD_LOAD:
    add_load(c, rec);
    break;
  case KVMMMU_RECORD_SYNC:
    add_sync(c, rec);
    break;
  case KVMMMU_RECORD_FREE:
    add_free(c, rec);
    break;
  /* VMs are numbered on every record that names one, as --vm and the
   * roots report number them, so that a VM has one number everywhere */
  case KVMMMU_RECORD_WALK:
  case KVMMMU_RECORD_VCPU_ROOT:
  case KVMMMU_RECORD_LOAD_RATE:
    kvmmmu_cache_note_vm(c, rec);
    break;
  default:
    break;
  }
}

void
kvmmmu_cache_finish(KvmmmuCache *c)
{
  for (guint i = 0; i < c->vcpus->len; i++)
    sync_outside(c, g_ptr_array_index(c->vcpus, i));
}

guint64
kvmmmu_vcpu_cache_hits(const KvmmmuVcpuCache *v, guint n)
{
  guint64 hits = 0;

  for (guint d = 0; d <= MIN(n, KVMMMU_CACHE_MAX_N); d++)
    hits += v->at_depth[d];
  return hits;
}

guint64
kvmmmu_vcpu_cache_miss_load_ns(const KvmmmuVcpuCache *v)
{
  return v->miss_loads ? v->miss_load_ns / v->miss_loads : 0;
}

double
kvmmmu_vcpu_cache_saved_ns(const KvmmmuVcpuCache *v, guint n, guint kernel_n)
{
  guint64 hits = kvmmmu_vcpu_cache_hits(v, n), kernel = kvmmmu_vcpu_cache_hits(v, kernel_n);
  guint64 mean = kvmmmu_vcpu_cache_miss_load_ns(v);

  if (hits == kernel || mean == 0)
    return 0.0; /* not -0 */
  return hits > kernel ? (double)(hits - kernel) * (double)mean
                       : -((double)(kernel - hits) * (double)mean);
}

void
kvmmmu_cache_total(const KvmmmuCache *c, KvmmmuVcpuCache *out)
{
  memset(out, 0, sizeof *out);
  for (guint i = 0; i < c->vcpus->len; i++) {
    const KvmmmuVcpuCache *v = g_ptr_array_index(c->vcpus, i);

    out->switches += v->switches;
    out->first_uses += v->first_uses;
    for (guint d = 0; d <= KVMMMU_CACHE_MAX_N; d++)
      out->at_depth[d] += v->at_depth[d];
    out->far += v->far;
    out->kernel_hit += v->kernel_hit;
    out->kernel_miss += v->kernel_miss;
    out->kernel_unknown += v->kernel_unknown;
    out->agree += v->agree;
    out->differ += v->differ;
    out->warm += v->warm;
    out->stray_loads += v->stray_loads;
    out->frees += v->frees;
    out->frees_unheld += v->frees_unheld;
    out->evictions += v->evictions;
    out->miss_loads += v->miss_loads;
    KVMMMU_COUNT_ADD(out->miss_load_ns, v->miss_load_ns);
    out->seen_overflow += v->seen_overflow;
    for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
      out->cause_loads[i] += v->cause_loads[i];
  }
}

const char *
kvmmmu_load_cause_name(KvmmmuLoadCause cause)
{
  static const char *const names[] = { "switch_miss", "first", "freed", "other" };

  return cause < KVMMMU_LOAD_N_CAUSES ? names[cause] : "?";
}

const char *
kvmmmu_load_cause_meaning(KvmmmuLoadCause cause)
{
  static const char *const meanings[] = {
    "the vCPU's last root switch missed prev_roots and this load built that root",
    "the vCPU's first load in the capture, before any switch of it",
    "its current root was freed outside a switch since its last load (kvm_mmu_free_roots: "
    "unload, MMU reset, obsolete roots, PCID flush)",
    "the root went some way the capture does not show (every free, before format 5)",
  };

  return cause < KVMMMU_LOAD_N_CAUSES ? meanings[cause] : "?";
}

const char *
kvmmmu_sync_place_name(KvmmmuSyncPlace place)
{
  static const char *const names[] = { "in_load", "after_hit", "after_miss", "other" };

  return place < KVMMMU_SYNC_N_PLACES ? names[place] : "?";
}

const char *
kvmmmu_sync_place_meaning(KvmmmuSyncPlace place)
{
  static const char *const meanings[] = {
    "inside a kvm_mmu_load (its time is part of the load's)",
    "at the VM entry after a switch that hit prev_roots: what a hit costs",
    "after a miss, before its load: asked for by the CR3 write, on a root already freed",
    "anything else (a flush of the current PCID, INVLPG, nothing before it in the capture)",
  };

  return place < KVMMMU_SYNC_N_PLACES ? meanings[place] : "?";
}

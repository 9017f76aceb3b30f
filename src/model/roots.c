/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "model/roots.h"
#include "model/vcpukey.h"

/* A vCPU is one of its capture: two captures that reuse a kvm pointer
 * (a freed struct kvm allocated again, or two hosts) are different VMs. */
typedef KvmmmuCaptureVcpu Key;

static void
vcpu_roots_free(gpointer p)
{
  KvmmmuVcpuRoots *v = p;

  g_hash_table_destroy(v->distinct);
  g_array_unref(v->seq);
  g_free(v);
}

static void
snapshot_free(KvmmmuRootSnapshot *s)
{
  if (!s)
    return;
  g_array_unref(s->entries);
  g_free(s);
}

KvmmmuRoots *
kvmmmu_roots_new(KvmmmuSnapshotFunc func, gpointer user_data)
{
  KvmmmuRoots *r = g_new0(KvmmmuRoots, 1);

  r->by_key = g_hash_table_new_full(kvmmmu_capture_vcpu_hash, kvmmmu_capture_vcpu_equal, g_free, vcpu_roots_free);
  r->vms = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  r->snap_func = func;
  r->snap_data = user_data;
  return r;
}

void
kvmmmu_roots_free(KvmmmuRoots *r)
{
  if (!r)
    return;
  g_hash_table_destroy(r->by_key);
  g_hash_table_destroy(r->vms);
  snapshot_free(r->open_snap);
  g_free(r);
}

/* kvm's index in the capture being read, numbered on first sight as the
 * filter numbers --vm (model/filter.h); G_MAXUINT past
 * KVMMMU_ROOTS_VMS_MAX VMs in the capture. */
static guint
vm_index(KvmmmuRoots *r, guint64 kvm)
{
  gpointer v = g_hash_table_lookup(r->vms, &kvm);

  if (!v) {
    guint n = g_hash_table_size(r->vms);

    if (n >= KVMMMU_ROOTS_VMS_MAX)
      return G_MAXUINT;
    v = GUINT_TO_POINTER(n + 1);
    g_hash_table_insert(r->vms, g_memdup2(&kvm, sizeof kvm), v);
    r->max_vms = MAX(r->max_vms, n + 1);
  }
  return GPOINTER_TO_UINT(v) - 1;
}

void
kvmmmu_roots_note_vm(KvmmmuRoots *r, const KvmmmuRecord *rec)
{
  guint64 kvm = kvmmmu_record_kvm(rec);

  if (kvm) /* 0: a format-1 walk, or a kind that names no VM */
    vm_index(r, kvm);
}

static KvmmmuVcpuRoots *
vcpu_get(KvmmmuRoots *r, guint64 kvm, guint32 vcpu, guint64 ts)
{
  Key key = { r->capture, vcpu, kvm };
  KvmmmuVcpuRoots *v = g_hash_table_lookup(r->by_key, &key);

  if (!v) {
    guint vm = vm_index(r, kvm);

    if (vm == G_MAXUINT) {
      r->untracked_vm_records++;
      return NULL;
    }
    if (g_hash_table_size(r->by_key) >= KVMMMU_ROOTS_VCPUS_MAX) {
      r->untracked_records++;
      return NULL;
    }
    v = g_new0(KvmmmuVcpuRoots, 1);
    v->kvm = kvm;
    v->vcpu = vcpu;
    v->capture = r->capture;
    v->vm_index = vm;
    v->distinct = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    v->seq = g_array_new(FALSE, FALSE, sizeof(KvmmmuRootChange));
    v->first_ts = ts;
    g_hash_table_insert(r->by_key, g_memdup2(&key, sizeof key), v);
  }
  v->first_ts = MIN(v->first_ts, ts);
  v->last_ts = MAX(v->last_ts, ts);
  return v;
}

static void
add_load(KvmmmuRoots *r, const KvmmmuRecord *rec)
{
  const KvmmmuLoad *l = &rec->u.Load;
  KvmmmuVcpuRoots *v = vcpu_get(r, l->kvm, l->vcpu, rec->ts_ns);
  guint64 *count;
  gboolean seen;

  if (!v)
    return;
  v->loads++;
  v->dur_total_ns += l->dur_ns;
  v->dur_max_ns = MAX(v->dur_max_ns, l->dur_ns);
  if (l->ret != 0) {
    v->load_failures++;
    return;
  }
  for (guint k = 0; k <= v->n_roles; k++) {
    if (k == v->n_roles) {
      if (k < KVMMMU_ROOTS_ROLES_MAX) {
        v->roles[k] = l->role;
        v->role_loads[k] = 1;
        v->n_roles++;
      }
      break;
    }
    if (v->roles[k] == l->role) {
      v->role_loads[k]++;
      break;
    }
  }
  count = g_hash_table_lookup(v->distinct, &l->root_hpa);
  seen = count != NULL;
  if (seen)
    (*count)++;
  else if (g_hash_table_size(v->distinct) < KVMMMU_ROOTS_DISTINCT_MAX &&
           r->distinct_total < KVMMMU_ROOTS_DISTINCT_TOTAL_MAX) {
    count = g_new(guint64, 1);
    *count = 1;
    g_hash_table_insert(v->distinct, g_memdup2(&l->root_hpa, sizeof l->root_hpa), count);
    r->distinct_total++;
  } else
    v->distinct_overflow++;
  if (seen)
    v->returning++;
  else
    v->fresh++;

  /* The sequence keeps changes; the same root loaded again in a row is a
   * repeat of the last change. */
  if (v->seq->len > 0 && v->last_root == l->root_hpa) {
    g_array_index(v->seq, KvmmmuRootChange, v->seq->len - 1).repeat++;
  } else if (v->seq->len < KVMMMU_ROOTS_SEQ_MAX) {
    KvmmmuRootChange c = { l->root_hpa, rec->ts_ns, 1, seen };
    g_array_append_val(v->seq, c);
  } else
    v->seq_dropped++;
  v->last_root = l->root_hpa;
}

static void
close_snapshot(KvmmmuRoots *r)
{
  if (!r->open_snap)
    return;
  if (r->open_snap->entries_over)
    r->snapshots_over++;
  if (r->snap_func)
    r->snap_func(r->open_snap, r->snap_data);
  snapshot_free(r->open_snap);
  r->open_snap = NULL;
}

static void
add_vcpu_root(KvmmmuRoots *r, const KvmmmuRecord *rec)
{
  const KvmmmuVcpuRoot *vr = &rec->u.VcpuRoot;

  if (!vcpu_get(r, vr->kvm, vr->vcpu, rec->ts_ns) && vm_index(r, vr->kvm) == G_MAXUINT)
    return; /* a VM past those kept: counted, no index to show it by */
  if (r->open_snap && (r->open_snap->snap != vr->snap || r->open_snap->kvm != vr->kvm))
    close_snapshot(r);
  if (!r->open_snap) {
    r->open_snap = g_new0(KvmmmuRootSnapshot, 1);
    r->open_snap->snap = vr->snap;
    r->open_snap->ts_ns = rec->ts_ns;
    r->open_snap->kvm = vr->kvm;
    r->open_snap->capture = r->capture;
    r->open_snap->vm_index = vm_index(r, vr->kvm);
    r->open_snap->entries = g_array_new(FALSE, FALSE, sizeof(KvmmmuVcpuRoot));
  }
  if (r->open_snap->entries->len < KVMMMU_SNAPSHOT_VCPUS_MAX)
    g_array_append_val(r->open_snap->entries, *vr);
  else
    r->open_snap->entries_over++;
}

void
kvmmmu_roots_add(KvmmmuRoots *r, const KvmmmuRecord *rec)
{
  KvmmmuVcpuRoots *v;

  switch (rec->kind) {
  case KVMMMU_RECORD_LOAD:
    add_load(r, rec);
    break;
  case KVMMMU_RECORD_SWITCH:
    v = vcpu_get(r, rec->u.Switch.kvm, rec->u.Switch.vcpu, rec->ts_ns);
    if (!v)
      break;
    if (rec->u.Switch.result == KVMMMU_SWITCH_HIT)
      v->switch_hit++;
    else if (rec->u.Switch.result == KVMMMU_SWITCH_MISS)
      v->switch_miss++;
    else
      v->switch_unknown++;
    break;
  case KVMMMU_RECORD_VCPU_ROOT:
    add_vcpu_root(r, rec);
    break;
  case KVMMMU_RECORD_LOAD_RATE:
    v = vcpu_get(r, rec->u.LoadRate.kvm, rec->u.LoadRate.vcpu, rec->ts_ns);
    if (v)
      v->counted_loads += rec->u.LoadRate.count;
    break;
  case KVMMMU_RECORD_WALK:
  case KVMMMU_RECORD_SYNC:
    /* VMs are numbered on every record that names one, as --vm numbers
     * them */
    kvmmmu_roots_note_vm(r, rec);
    break;
  case KVMMMU_RECORD_HEADER:
    close_snapshot(r);
    r->capture++; /* its vCPUs and VM numbers are its own */
    g_hash_table_remove_all(r->vms);
    break;
  default:
    break;
  }
}

void
kvmmmu_roots_finish(KvmmmuRoots *r)
{
  close_snapshot(r);
}

static gint
cmp_vcpu(gconstpointer a, gconstpointer b)
{
  const KvmmmuVcpuRoots *x = *(KvmmmuVcpuRoots *const *)a;
  const KvmmmuVcpuRoots *y = *(KvmmmuVcpuRoots *const *)b;

  if (x->capture != y->capture)
    return x->capture < y->capture ? -1 : 1;
  if (x->vm_index != y->vm_index)
    return x->vm_index < y->vm_index ? -1 : 1;
  return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

static guint64
sort_key(const KvmmmuVcpuRoots *v, KvmmmuRootsOrder order)
{
  switch (order) {
  case KVMMMU_ROOTS_BY_LOADS: return v->loads ? v->loads : v->counted_loads;
  case KVMMMU_ROOTS_BY_MISSES: return v->switch_miss;
  case KVMMMU_ROOTS_BY_MEAN_LOAD: return v->loads ? v->dur_total_ns / v->loads : 0;
  case KVMMMU_ROOTS_BY_MAX_LOAD: return v->dur_max_ns;
  default: return 0;
  }
}

/* Largest first. */
static gint
cmp_by_key(gconstpointer a, gconstpointer b, gpointer order)
{
  guint64 ka = sort_key(*(KvmmmuVcpuRoots *const *)a, GPOINTER_TO_INT(order));
  guint64 kb = sort_key(*(KvmmmuVcpuRoots *const *)b, GPOINTER_TO_INT(order));

  return ka < kb ? 1 : ka > kb ? -1 : 0;
}

GPtrArray *
kvmmmu_roots_sorted(const KvmmmuRoots *r)
{
  GPtrArray *a = g_ptr_array_new();
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init(&it, r->by_key);
  while (g_hash_table_iter_next(&it, NULL, &value))
    g_ptr_array_add(a, value);
  g_ptr_array_sort(a, cmp_vcpu);
  if (r->order != KVMMMU_ROOTS_BY_VCPU)
    g_ptr_array_sort_with_data(a, cmp_by_key, GINT_TO_POINTER(r->order)); /* stable: ties by vCPU */
  if (r->top && a->len > r->top)
    g_ptr_array_set_size(a, r->top);
  return a;
}

static const char *const order_names[] = {
  [KVMMMU_ROOTS_BY_VCPU] = "vcpu",
  [KVMMMU_ROOTS_BY_LOADS] = "loads",
  [KVMMMU_ROOTS_BY_MISSES] = "prev_roots_miss",
  [KVMMMU_ROOTS_BY_MEAN_LOAD] = "mean_load_ns",
  [KVMMMU_ROOTS_BY_MAX_LOAD] = "max_load_ns",
};

gboolean
kvmmmu_roots_set_order(KvmmmuRoots *r, const char *key, guint top)
{
  for (guint i = 0; key && i < G_N_ELEMENTS(order_names); i++)
    if (strcmp(order_names[i], key) == 0) {
      r->order = i;
      r->top = top;
      return TRUE;
    }
  if (key)
    return FALSE;
  r->order = KVMMMU_ROOTS_BY_VCPU;
  r->top = top;
  return TRUE;
}

guint
kvmmmu_roots_n_vms(const KvmmmuRoots *r)
{
  return r->max_vms;
}

KvmmmuVcpuRoots *
kvmmmu_roots_find(const KvmmmuRoots *r, guint capture, guint64 kvm, guint32 vcpu)
{
  Key key = { capture, vcpu, kvm };

  return g_hash_table_lookup(r->by_key, &key);
}

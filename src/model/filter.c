/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "format/count.h"
#include "format/idtable.h"
#include "model/filter.h"

/* CPUs numbered below this keep their walk in an array, the rest in a
 * hash table (as the reader's walkcheck): a lookup per step costs next to
 * nothing. */
#define CPU_ARRAY 256

/* The walk a CPU began last, and whether the report shows it. */
typedef struct {
  guint64 walk;        /* 0: none */
  gboolean selected;
} CpuWalk;

typedef struct {
  guint64 v[KVMMMU_FILTER_MAX_VALUES];
  guint n;
} ValueSet;

struct _KvmmmuFilter {
  ValueSet cpu, vcpu, walk;
  ValueSet vm_index, vm_kvm;   /* --vm by index or by pointer */
  gboolean have_start, have_end;
  gboolean start_abs, end_abs; /* @NS: the records' clock, not the capture's */
  guint64 start_ns, end_ns;
  GString *describe;

  /* the capture being read: its start, and its VMs in order of appearance */
  guint64 capture_start_ns;
  /* kvm -> index + 1, for --vm by index: only the VMs up to the highest
   * index asked for (none past it can be selected), so at most
   * KVMMMU_FILTER_VM_INDEX_MAX of them whatever the input */
  GHashTable *vms;
  guint64 vm_index_top;        /* the highest index --vm names */
  /* A step goes with its walk: the last walk each CPU began, and whether
   * it was selected; found by id for a step logged on another CPU.  At
   * most KVMMMU_WALK_CPUS_MAX CPUs, as many as the reader lets have walks:
   * past them (never, after the reader) a walk's steps are judged alone. */
  CpuWalk cpu_walk[CPU_ARRAY];
  GHashTable *cpu_walk_high;   /* cpu >= CPU_ARRAY -> CpuWalk */
  guint n_cpus;                /* CPUs with a walk in this capture */
  KvmmmuIdTable open;          /* walk id -> its CpuWalk */
  guint64 no_vm;               /* walks --vm left out: their capture had no VM field */
};

KvmmmuFilter *
kvmmmu_filter_new(void)
{
  KvmmmuFilter *f = g_new0(KvmmmuFilter, 1);

  f->describe = g_string_new("");
  f->vms = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  f->cpu_walk_high = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  return f;
}

void
kvmmmu_filter_free(KvmmmuFilter *f)
{
  if (!f)
    return;
  g_string_free(f->describe, TRUE);
  g_hash_table_destroy(f->vms);
  g_hash_table_destroy(f->cpu_walk_high);
  kvmmmu_id_table_clear(&f->open);
  g_free(f);
}

static gboolean
bad(GError **error, const char *option, const char *text, const char *expected)
{
  g_set_error(error, KVMMMU_MODEL_ERROR, KVMMMU_MODEL_ERROR_BAD_FILTER,
              "bad --%s '%s': expected %s", option, text, expected);
  return FALSE;
}

static gboolean
parse_list(ValueSet *set, ValueSet *hex_set, const char *option, const char *text,
           GError **error)
{
  g_auto(GStrv) parts = g_strsplit(text, ",", -1);

  for (guint i = 0; parts[i]; i++) {
    const char *p = parts[i];
    gboolean hex = hex_set && strlen(p) > 8; /* a kvm pointer, not an index */
    char *end;
    guint64 v;

    if (!*p || !g_ascii_isxdigit(*p))
      goto fail;
    v = g_ascii_strtoull(p, &end, hex ? 16 : 10);
    if (*end)
      goto fail;
    if (hex) {
      if (hex_set->n == KVMMMU_FILTER_MAX_VALUES)
        goto fail;
      hex_set->v[hex_set->n++] = v;
    } else {
      if (set->n == KVMMMU_FILTER_MAX_VALUES)
        goto fail;
      set->v[set->n++] = v;
    }
  }
  return TRUE;
fail:
  return bad(error, option, text,
             hex_set ? "comma-separated VM indexes (0, 1, ...) or kvm pointers in hex, at most "
                       G_STRINGIFY(KVMMMU_FILTER_MAX_VALUES)
                     : "comma-separated numbers, at most " G_STRINGIFY(KVMMMU_FILTER_MAX_VALUES));
}

/* "1.5", "200ms", "@1795541225451172540": ns, and whether absolute. */
static gboolean
parse_time(const char *p, guint64 *ns, gboolean *abs)
{
  static const struct { const char *unit; double scale; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 1e9 },
  };
  char *end;
  double v;

  *abs = *p == '@';
  if (*abs) {
    if (!g_ascii_isdigit(p[1]))
      return FALSE;
    *ns = g_ascii_strtoull(p + 1, &end, 10);
    return *end == '\0';
  }
  if (!g_ascii_isdigit(*p) && *p != '.')
    return FALSE;
  v = g_ascii_strtod(p, &end);
  if (end == p || v < 0 || v > 1e10)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS(units); i++)
    if (strcmp(end, units[i].unit) == 0) {
      *ns = (guint64)(v * units[i].scale + 0.5);
      return TRUE;
    }
  return FALSE;
}

gboolean
kvmmmu_filter_set(KvmmmuFilter *f, const char *option, const char *text, GError **error)
{
  gboolean ok;

  if (strcmp(option, "cpu") == 0)
    ok = parse_list(&f->cpu, NULL, option, text, error);
  else if (strcmp(option, "vcpu") == 0)
    ok = parse_list(&f->vcpu, NULL, option, text, error);
  else if (strcmp(option, "walk") == 0)
    ok = parse_list(&f->walk, NULL, option, text, error);
  else if (strcmp(option, "vm") == 0) {
    ok = parse_list(&f->vm_index, &f->vm_kvm, option, text, error);
    for (guint i = 0; ok && i < f->vm_index.n; i++) {
      if (f->vm_index.v[i] >= KVMMMU_FILTER_VM_INDEX_MAX)
        return bad(error, option, text,
                   "VM indexes below " G_STRINGIFY(KVMMMU_FILTER_VM_INDEX_MAX)
                   " or kvm pointers in hex");
      f->vm_index_top = MAX(f->vm_index_top, f->vm_index.v[i]);
    }
  } else if (strcmp(option, "time") == 0) {
    const char *comma = strchr(text, ',');
    g_autofree char *start = comma ? g_strndup(text, comma - text) : NULL;
    const char *end = comma ? comma + 1 : NULL;

    ok = comma && (*start || *end) &&
         (!*start || parse_time(start, &f->start_ns, &f->start_abs)) &&
         (!*end || parse_time(end, &f->end_ns, &f->end_abs));
    if (!ok)
      return bad(error, option, text,
                 "START,END: seconds from the capture's start (or with a unit: ns, us, ms, s), "
                 "or @NS on the records' clock; either may be left empty");
    f->have_start = *start != '\0';
    f->have_end = *end != '\0';
  } else {
    g_set_error(error, KVMMMU_MODEL_ERROR, KVMMMU_MODEL_ERROR_BAD_FILTER,
                "no filter --%s", option);
    return FALSE;
  }
  if (ok)
    g_string_append_printf(f->describe, "%s--%s %s", f->describe->len ? " " : "", option, text);
  return ok;
}

guint64
kvmmmu_filter_no_vm(const KvmmmuFilter *f)
{
  return f->no_vm;
}

gboolean
kvmmmu_filter_active(const KvmmmuFilter *f)
{
  return f->describe->len > 0;
}

const char *
kvmmmu_filter_describe(const KvmmmuFilter *f)
{
  return f->describe->str;
}

static gboolean
in_set(const ValueSet *s, guint64 v)
{
  for (guint i = 0; i < s->n; i++)
    if (s->v[i] == v)
      return TRUE;
  return FALSE;
}

/* Is kvm a VM --vm selects by its index in this capture (numbered on
 * first sight)?  Past the highest index asked for no VM is, and none is
 * remembered. */
static gboolean
vm_index_selected(KvmmmuFilter *f, guint64 kvm)
{
  gpointer v = g_hash_table_lookup(f->vms, &kvm);
  guint n = g_hash_table_size(f->vms);

  if (!v) {
    if (n > f->vm_index_top)
      return FALSE;
    v = GUINT_TO_POINTER(n + 1);
    g_hash_table_insert(f->vms, g_memdup2(&kvm, sizeof kvm), v);
  }
  return in_set(&f->vm_index, GPOINTER_TO_UINT(v) - 1);
}

/* The record's VM and vCPU, when its kind has them: a walk has a VM (0
 * in a version-1 capture, which did not write it) and no vCPU. */
static gboolean
vm_of(const KvmmmuRecord *rec, guint64 *kvm, guint32 *vcpu, gboolean *has_vcpu)
{
  *has_vcpu = TRUE;
  switch (rec->kind) {
  case KVMMMU_RECORD_LOAD: *kvm = rec->u.Load.kvm; *vcpu = rec->u.Load.vcpu; return TRUE;
  case KVMMMU_RECORD_SWITCH: *kvm = rec->u.Switch.kvm; *vcpu = rec->u.Switch.vcpu; return TRUE;
  case KVMMMU_RECORD_VCPU_ROOT: *kvm = rec->u.VcpuRoot.kvm; *vcpu = rec->u.VcpuRoot.vcpu; return TRUE;
  case KVMMMU_RECORD_LOAD_RATE: *kvm = rec->u.LoadRate.kvm; *vcpu = rec->u.LoadRate.vcpu; return TRUE;
  case KVMMMU_RECORD_SYNC: *kvm = rec->u.Sync.kvm; *vcpu = rec->u.Sync.vcpu; return TRUE;
  case KVMMMU_RECORD_WALK: *kvm = rec->u.Walk.kvm; *has_vcpu = FALSE; return TRUE;
  default: return FALSE;
  }
}

static gboolean match(KvmmmuFilter *f, const KvmmmuRecord *rec);

/* A new capture: walk ids start again. */
static void
walks_reset(KvmmmuFilter *f)
{
  memset(f->cpu_walk, 0, sizeof f->cpu_walk);
  g_hash_table_remove_all(f->cpu_walk_high);
  f->n_cpus = 0;
  kvmmmu_id_table_reset(&f->open);
}

/* cpu's entry, NULL when it has none */
static CpuWalk *
cpu_walk(const KvmmmuFilter *f, guint32 cpu)
{
  if (cpu < CPU_ARRAY)
    return f->cpu_walk[cpu].walk ? (CpuWalk *)&f->cpu_walk[cpu] : NULL;
  return g_hash_table_lookup(f->cpu_walk_high, GUINT_TO_POINTER(cpu));
}

/* Make walk cpu's, selected or not; past the limit it is not kept. */
static void
note_walk(KvmmmuFilter *f, guint32 cpu, guint64 walk, gboolean selected)
{
  CpuWalk *cw = cpu_walk(f, cpu);

  if (!cw) {
    if (f->n_cpus >= KVMMMU_WALK_CPUS_MAX)
      return;
    f->n_cpus++;
    if (cpu < CPU_ARRAY)
      cw = &f->cpu_walk[cpu];
    else {
      cw = g_new0(CpuWalk, 1);
      g_hash_table_insert(f->cpu_walk_high, GUINT_TO_POINTER(cpu), cw);
    }
  } else
    kvmmmu_id_table_remove(&f->open, cw->walk, cw);
  cw->walk = walk;
  cw->selected = selected;
  kvmmmu_id_table_insert(&f->open, walk, cw);
}

gboolean
kvmmmu_filter_time_window(const KvmmmuFilter *f, guint64 capture_start_ns, guint64 *from_ns,
                          guint64 *to_ns)
{
  if (!f || (!f->have_start && !f->have_end))
    return FALSE;
  *from_ns = !f->have_start ? capture_start_ns
             : f->start_abs ? f->start_ns : kvmmmu_count_add(capture_start_ns, f->start_ns);
  *to_ns = !f->have_end ? G_MAXUINT64
           : f->end_abs ? f->end_ns : kvmmmu_count_add(capture_start_ns, f->end_ns);
  return TRUE;
}

gboolean
kvmmmu_filter_match(KvmmmuFilter *f, const KvmmmuRecord *rec)
{
  gboolean selected;

  if (rec->kind == KVMMMU_RECORD_STEP && rec->u.Step.walk != 0) {
    const CpuWalk *cw = cpu_walk(f, rec->cpu);

    if (!cw || cw->walk != rec->u.Step.walk)
      cw = kvmmmu_id_table_find(&f->open, rec->u.Step.walk); /* logged on another CPU */
    if (cw)
      return cw->selected;
  }
  if (rec->kind == KVMMMU_RECORD_HEADER)
    walks_reset(f);
  selected = match(f, rec);
  if (rec->kind == KVMMMU_RECORD_WALK && rec->u.Walk.walk != 0)
    note_walk(f, rec->cpu, rec->u.Walk.walk, selected);
  return selected;
}

static gboolean
match(KvmmmuFilter *f, const KvmmmuRecord *rec)
{
  guint64 kvm, start, end;
  guint32 vcpu;
  gboolean has_vcpu;

  if (rec->kind == KVMMMU_RECORD_HEADER) {
    f->capture_start_ns = rec->u.header.start_ns;
    g_hash_table_remove_all(f->vms);
    return TRUE;
  }
  if (!kvmmmu_kind_spec(rec->kind))
    return TRUE; /* SystemTap's own lines */
  if (vm_of(rec, &kvm, &vcpu, &has_vcpu)) {
    gboolean by_vm = f->vm_index.n || f->vm_kvm.n;

    if (kvm == 0) {
      /* a walk of a version-1 capture: no VM to select it by */
      if (by_vm) {
        f->no_vm++;
        return FALSE;
      }
    } else {
      /* numbered on every sight, whatever else selects it */
      gboolean by_index = f->vm_index.n && vm_index_selected(f, kvm);

      if (by_vm && !by_index && !in_set(&f->vm_kvm, kvm))
        return FALSE;
    }
    if (has_vcpu && f->vcpu.n && !in_set(&f->vcpu, vcpu))
      return FALSE;
  }
  if (f->cpu.n && !in_set(&f->cpu, rec->cpu))
    return FALSE;
  if (f->walk.n) {
    if (rec->kind == KVMMMU_RECORD_WALK && !in_set(&f->walk, rec->u.Walk.walk))
      return FALSE;
    if (rec->kind == KVMMMU_RECORD_STEP && !in_set(&f->walk, rec->u.Step.walk))
      return FALSE;
  }
  /* the trailer closes the capture whatever its time */
  if (rec->kind == KVMMMU_RECORD_END)
    return TRUE;
  if (!kvmmmu_filter_time_window(f, f->capture_start_ns, &start, &end))
    return TRUE;
  if (f->have_start && rec->ts_ns < start)
    return FALSE;
  if (f->have_end && rec->ts_ns >= end)
    return FALSE;
  return TRUE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* roots.c - per-vCPU roots, and the seed's "vcpu[N] root_hpa X" table. */
#include <string.h>

#include "render/render-private.h"

/* "vcpu[1]", "vm0 vcpu[1]"; " (capture N)" after the first capture, as
 * walks say it: vCPUs and VM numbers are each capture's own. */
static char *
vcpu_name(const KvmmmuVcpuRoots *v, gboolean many_vms)
{
  GString *s = g_string_new("");

  if (many_vms)
    g_string_append_printf(s, "vm%u ", v->vm_index);
  g_string_append_printf(s, "vcpu[%u]", v->vcpu);
  if (v->capture > 1)
    g_string_append_printf(s, " (capture %u)", v->capture);
  return g_string_free(s, FALSE);
}

void
kvmmmu_render_snapshot_text(GString *out, const KvmmmuRootSnapshot *s, guint64 origin_ns,
                            gboolean many_vms)
{
  g_string_append_printf(out, "snapshot %" G_GUINT64_FORMAT, s->snap);
  if (s->capture > 1)
    g_string_append_printf(out, " (capture %u)", s->capture);
  g_string_append(out, " at ");
  kvmmmu_render_reltime(out, s->ts_ns, origin_ns);
  if (many_vms)
    g_string_append_printf(out, " vm%u (kvm " X64 ")", s->vm_index, s->kvm);
  g_string_append_printf(out, ": %u vCPUs", s->entries->len);
  if (s->entries_over)
    g_string_append_printf(out, " and %" G_GUINT64_FORMAT " more vcpu_root records, past the %d "
                           "a snapshot holds (not kept)", s->entries_over, KVMMMU_SNAPSHOT_VCPUS_MAX);
  g_string_append_c(out, '\n');
  for (guint i = 0; i < s->entries->len; i++) {
    const KvmmmuVcpuRoot *e = &g_array_index(s->entries, KvmmmuVcpuRoot, i);

    g_string_append_printf(out, "vcpu[%u] root_hpa " X64 "\n", e->vcpu, e->root_hpa);
  }
  g_string_append_c(out, '\n');
}

void
kvmmmu_render_snapshot_csv_header(GString *out)
{
  g_string_append(out, "capture,snapshot,time_s,vm,kvm,vcpu,root_hpa,pgd\n");
}

void
kvmmmu_render_snapshot_csv(GString *out, const KvmmmuRootSnapshot *s, guint64 origin_ns)
{
  g_autoptr(GString) time = g_string_new("");

  kvmmmu_render_reltime_number(time, s->ts_ns, origin_ns);
  for (guint i = 0; i < s->entries->len; i++) {
    const KvmmmuVcpuRoot *e = &g_array_index(s->entries, KvmmmuVcpuRoot, i);

    g_string_append_printf(out, "%u,%" G_GUINT64_FORMAT ",%s,%u," X64 ",%u," X64 "," X64 "\n",
                           s->capture, s->snap, time->str, s->vm_index, s->kvm, e->vcpu, e->root_hpa, e->pgd);
  }
}

gboolean
kvmmmu_render_roots_limits(GString *out, const KvmmmuRoots *r)
{
  if (r->untracked_records)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " records of vCPUs past the first %d "
                           "not in the vCPU tables: no more vCPUs are kept\n",
                           r->untracked_records, KVMMMU_ROOTS_VCPUS_MAX);
  if (r->untracked_vm_records)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " records of VMs past the first %d of "
                           "their capture not in the vCPU tables: no more VMs are numbered\n",
                           r->untracked_vm_records, KVMMMU_ROOTS_VMS_MAX);
  if (r->snapshots_over)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " snapshot%s with more than the %d vCPUs a "
                           "snapshot holds: the vcpu_root records past them not kept\n",
                           r->snapshots_over, r->snapshots_over == 1 ? "" : "s",
                           KVMMMU_SNAPSHOT_VCPUS_MAX);
  return r->snapshots_over > 0;
}

static double
per_second(guint64 n, guint64 span_ns)
{
  return span_ns ? (double)n * 1e9 / (double)span_ns : 0.0;
}

void
kvmmmu_render_roots_text(GString *out, const KvmmmuRoots *r, guint64 span_ns,
                         const KvmmmuKernelLayout *layout)
{
  g_autoptr(GPtrArray) v = kvmmmu_roots_sorted(r);
  gboolean many = kvmmmu_roots_n_vms(r) > 1;
  int width = 14;

  g_string_append_printf(out, "Roots per vCPU over %.6fs\n", span_ns / 1e9);
  if (v->len == 0) {
    g_string_append(out, "(no vCPU seen)\n");
    return;
  }
  /* a later capture's names are longer: the column fits them */
  for (guint i = 0; i < v->len; i++) {
    g_autofree char *name = vcpu_name(g_ptr_array_index(v, i), many);

    width = MAX(width, (int)strlen(name));
  }
  /* the same names as CSV and JSON, one name a thing */
  g_string_append_printf(out, "%-*s %8s %13s %12s %8s %9s %14s %14s %15s %11s %12s %12s\n",
                         width, "vcpu", "loads", "counted_loads", "failed_loads", "fresh", "returning",
                         "distinct_roots", "prev_roots_hit", "prev_roots_miss", "loads_per_s",
                         "mean_load_ns", "max_load_ns");
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);
    g_autofree char *name = vcpu_name(c, many);

    g_string_append_printf(out, "%-*s %8" G_GUINT64_FORMAT " %13" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT
                           " %8" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT " %14" G_GUINT64_FORMAT
                           " %14" G_GUINT64_FORMAT " %15" G_GUINT64_FORMAT " %11.2f %12" G_GUINT64_FORMAT
                           " %12" G_GUINT64_FORMAT "\n",
                           width, name, c->loads, c->counted_loads, c->load_failures, c->fresh,
                           c->returning,
                           (guint64)g_hash_table_size(c->distinct) + c->distinct_overflow,
                           c->switch_hit, c->switch_miss,
                           per_second(c->loads ? c->loads : c->counted_loads, span_ns),
                           c->loads ? c->dur_total_ns / c->loads : 0, c->dur_max_ns);
  }
  if (r->untracked_records)
    g_string_append_printf(out, "and %" G_GUINT64_FORMAT " records of vCPUs past the first %d, "
                           "the most kept, not in these tables\n", r->untracked_records,
                           KVMMMU_ROOTS_VCPUS_MAX);
  if (r->untracked_vm_records)
    g_string_append_printf(out, "and %" G_GUINT64_FORMAT " records of VMs past the first %d of "
                           "their capture, the most numbered, not in these tables\n",
                           r->untracked_vm_records, KVMMMU_ROOTS_VMS_MAX);
  g_string_append(out, "loads: kvm_mmu_load calls recorded one by one (load records); counted_loads: "
                       "calls counted in the kernel\n"
                       "(load_rate records, mmu_load_rate); failed_loads: loads that returned an error; "
                       "fresh/returning:\n"
                       "loads that gave a root this vCPU never had / had before; prev_roots_hit/miss: "
                       "guest root\n"
                       "switches that found the root in KVM's prev_roots cache or not (a miss loads "
                       "a root).\n");
  g_string_append(out, "\nRoot sequences (root hpa after each load; xN: loaded N times in a row; "
                       "*: returning, a root this vCPU had before)\n");
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);
    g_autofree char *name = vcpu_name(c, many);

    g_string_append_printf(out, "%s:", name);
    for (guint k = 0; k < c->seq->len; k++) {
      const KvmmmuRootChange *ch = &g_array_index(c->seq, KvmmmuRootChange, k);

      g_string_append_printf(out, " " X64 "%s", ch->root_hpa, ch->returning ? "*" : "");
      if (ch->repeat > 1)
        g_string_append_printf(out, "x%u", ch->repeat);
    }
    if (c->seq_dropped)
      g_string_append_printf(out, " ... %" G_GUINT64_FORMAT " more changes", c->seq_dropped);
    if (c->seq->len == 0)
      g_string_append(out, c->loads ? " (no root: every load failed)" : " (no load records)");
    g_string_append_c(out, '\n');
  }
  g_string_append(out, "\nRoot roles (root_role.word of each load)\n");
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);
    g_autofree char *name = vcpu_name(c, many);

    for (guint k = 0; k < c->n_roles; k++) {
      g_string_append_printf(out, "%s: %x x%" G_GUINT64_FORMAT, name, c->roles[k], c->role_loads[k]);
      if (layout) {
        g_string_append(out, " (");
        kvmmmu_role_decode(layout, c->roles[k], out);
        g_string_append_c(out, ')');
      }
      g_string_append_c(out, '\n');
    }
  }
  kvmmmu_render_roles_source(out, layout);
}

void
kvmmmu_render_roots_csv(GString *out, const KvmmmuRoots *r, guint64 span_ns)
{
  g_autoptr(GPtrArray) v = kvmmmu_roots_sorted(r);

  g_string_append(out, "capture,vm,kvm,vcpu,loads,counted_loads,failed_loads,fresh,returning,distinct_roots,"
                       "prev_roots_hit,prev_roots_miss,prev_roots_unknown,loads_per_s,mean_load_ns,"
                       "max_load_ns\n");
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);

    g_string_append_printf(out, "%u,%u," X64 ",%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%"
                           G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%"
                           G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                           ",%.3f,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
                           c->capture, c->vm_index, c->kvm, c->vcpu, c->loads, c->counted_loads,
                           c->load_failures, c->fresh,
                           c->returning,
                           (guint64)g_hash_table_size(c->distinct) + c->distinct_overflow,
                           c->switch_hit, c->switch_miss, c->switch_unknown,
                           per_second(c->loads, span_ns),
                           c->loads ? c->dur_total_ns / c->loads : 0, c->dur_max_ns);
  }
}

KvmmmuJson *
kvmmmu_render_snapshot_json(const KvmmmuRootSnapshot *s, guint64 origin_ns)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_int(b, "capture", s->capture);
  kvmmmu_json_uint(b, "snapshot", s->snap);
  kvmmmu_json_diff(b, "time_ns", s->ts_ns, origin_ns);
  kvmmmu_json_hex(b, "kvm", s->kvm);
  kvmmmu_json_member(b, "vcpus");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < s->entries->len; i++) {
    const KvmmmuVcpuRoot *e = &g_array_index(s->entries, KvmmmuVcpuRoot, i);

    kvmmmu_json_begin_object(b);
    kvmmmu_json_int(b, "vcpu", e->vcpu);
    kvmmmu_json_hex(b, "root_hpa", e->root_hpa);
    kvmmmu_json_hex(b, "pgd", e->pgd);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  if (s->entries_over) /* past the vCPUs a snapshot holds */
    kvmmmu_json_uint(b, "vcpus_not_kept", s->entries_over);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

KvmmmuJson *
kvmmmu_render_root_event_json(const KvmmmuRecord *rec, guint capture, guint version,
                              guint64 origin_ns)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_string(b, "kind", kvmmmu_kind_name(rec->kind));
  kvmmmu_json_int(b, "capture", capture);
  kvmmmu_json_diff(b, "time_ns", rec->ts_ns, origin_ns);
  kvmmmu_json_int(b, "cpu", rec->cpu);
  if (rec->kind == KVMMMU_RECORD_LOAD) {
    const KvmmmuLoad *l = &rec->u.Load;

    kvmmmu_json_hex(b, "kvm", l->kvm);
    kvmmmu_json_int(b, "vcpu", l->vcpu);
    kvmmmu_json_int(b, "ret", l->ret);
    kvmmmu_json_uint(b, "dur_ns", l->dur_ns);
    kvmmmu_json_hex(b, "root_hpa", l->root_hpa);
    kvmmmu_json_hex(b, "pgd", l->pgd);
    kvmmmu_json_hex(b, "role", l->role);
  } else if (rec->kind == KVMMMU_RECORD_SWITCH) {
    const KvmmmuSwitch *sw = &rec->u.Switch;

    kvmmmu_json_hex(b, "kvm", sw->kvm);
    kvmmmu_json_int(b, "vcpu", sw->vcpu);
    kvmmmu_json_hex(b, "pgd", sw->pgd);
    kvmmmu_json_string(b, "prev_roots", kvmmmu_switch_result_name(sw->result));
    if (version >= 3)
      kvmmmu_json_hex(b, "role", sw->role);
    else {
      kvmmmu_json_member(b, "role"); /* not in this format's switch records */
      kvmmmu_json_add_null(b);
    }
  }
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

KvmmmuJson *
kvmmmu_render_roots_json(const KvmmmuRoots *r, guint64 span_ns,
                         const KvmmmuKernelLayout *layout, KvmmmuJson *snapshots)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autoptr(GPtrArray) v = kvmmmu_roots_sorted(r);

  kvmmmu_json_begin_object(b);
  kvmmmu_json_uint(b, "span_ns", span_ns);
  kvmmmu_json_member(b, "vcpus");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);

    kvmmmu_json_begin_object(b);
    kvmmmu_json_int(b, "capture", c->capture);
    kvmmmu_json_int(b, "vm", c->vm_index);
    kvmmmu_json_hex(b, "kvm", c->kvm);
    kvmmmu_json_int(b, "vcpu", c->vcpu);
    kvmmmu_json_uint(b, "loads", c->loads);
    kvmmmu_json_uint(b, "counted_loads", c->counted_loads);
    kvmmmu_json_uint(b, "failed_loads", c->load_failures);
    kvmmmu_json_uint(b, "fresh", c->fresh);
    kvmmmu_json_uint(b, "returning", c->returning);
    kvmmmu_json_uint(b, "distinct_roots", g_hash_table_size(c->distinct) + c->distinct_overflow);
    kvmmmu_json_uint(b, "prev_roots_hit", c->switch_hit);
    kvmmmu_json_uint(b, "prev_roots_miss", c->switch_miss);
    kvmmmu_json_uint(b, "prev_roots_unknown", c->switch_unknown);
    kvmmmu_json_double(b, "loads_per_s", per_second(c->loads ? c->loads : c->counted_loads, span_ns));
    kvmmmu_json_uint(b, "mean_load_ns", c->loads ? c->dur_total_ns / c->loads : 0);
    kvmmmu_json_uint(b, "max_load_ns", c->dur_max_ns);
    kvmmmu_json_member(b, "sequence");
    kvmmmu_json_begin_array(b);
    for (guint k = 0; k < c->seq->len; k++) {
      const KvmmmuRootChange *ch = &g_array_index(c->seq, KvmmmuRootChange, k);

      kvmmmu_json_begin_object(b);
      kvmmmu_json_hex(b, "root_hpa", ch->root_hpa);
      kvmmmu_json_uint(b, "loads", ch->repeat);
      kvmmmu_json_bool(b, "returning", ch->returning);
      kvmmmu_json_end_object(b);
    }
    kvmmmu_json_end_array(b);
    kvmmmu_json_uint(b, "sequence_dropped", c->seq_dropped);
    kvmmmu_json_member(b, "root_roles");
    kvmmmu_json_begin_array(b);
    for (guint k = 0; k < c->n_roles; k++) {
      kvmmmu_json_begin_object(b);
      kvmmmu_json_hex(b, "role", c->roles[k]);
      kvmmmu_json_uint(b, "loads", c->role_loads[k]);
      if (layout) {
        g_autoptr(GString) d = g_string_new("");

        kvmmmu_role_decode(layout, c->roles[k], d);
        kvmmmu_json_string(b, "role_decoded", d->str);
      }
      kvmmmu_json_end_object(b);
    }
    kvmmmu_json_end_array(b);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  if (r->untracked_records) /* of vCPUs past KVMMMU_ROOTS_VCPUS_MAX */
    kvmmmu_json_uint(b, "records_of_vcpus_not_kept", r->untracked_records);
  if (r->untracked_vm_records) /* of VMs past KVMMMU_ROOTS_VMS_MAX in their capture */
    kvmmmu_json_uint(b, "records_of_vms_not_kept", r->untracked_vm_records);
  kvmmmu_json_member(b, "snapshots");
  if (snapshots)
    kvmmmu_json_add_value(b, snapshots);
  else
    kvmmmu_json_add_null(b);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

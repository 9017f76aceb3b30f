/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cache.c - the prev_roots cache model per vCPU and size (model/cache.h). */
#include "render/render-private.h"

static double
ratio(guint64 a, guint64 b)
{
  return b ? (double)a / (double)b : 0.0;
}

static void
vcpu_text(GString *out, const KvmmmuCache *c, const KvmmmuVcpuCache *v, const char *title)
{
  g_string_append_printf(out, "%s: %" G_GUINT64_FORMAT " switches, %" G_GUINT64_FORMAT
                         " first uses of a root, kernel %" G_GUINT64_FORMAT " hit %"
                         G_GUINT64_FORMAT " miss",
                         title, v->switches, v->first_uses, v->kernel_hit, v->kernel_miss);
  if (v->kernel_unknown)
    g_string_append_printf(out, " %" G_GUINT64_FORMAT " unknown", v->kernel_unknown);
  g_string_append_printf(out, "; a load after a miss %" G_GUINT64_FORMAT " ns on average (%"
                         G_GUINT64_FORMAT " loads)\n",
                         kvmmmu_vcpu_cache_miss_load_ns(v), v->miss_loads);
  g_string_append(out, "  prev_roots   hits  misses  hit%  load time saved (ns)\n");
  for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
    guint64 hits = kvmmmu_vcpu_cache_hits(v, n);

    g_string_append_printf(out, "  %2u%s %10" G_GUINT64_FORMAT " %7" G_GUINT64_FORMAT
                           " %5.1f  %.0f\n",
                           n, n == c->kernel_n ? " (KVM)" : "      ", hits, v->switches - hits,
                           100.0 * ratio(hits, v->switches), kvmmmu_vcpu_cache_saved_ns(v, n, c->kernel_n));
  }
  g_string_append_printf(out, "  at N=%u against the kernel: %" G_GUINT64_FORMAT " of %"
                         G_GUINT64_FORMAT " switches agree, %" G_GUINT64_FORMAT " differ",
                         c->kernel_n, v->agree, v->agree + v->differ + v->warm, v->differ);
  if (v->warm)
    g_string_append_printf(out, ", %" G_GUINT64_FORMAT " kernel hits on roots cached before "
                           "the capture began", v->warm);
  g_string_append(out, "\n");
  if (v->stray_loads || v->far || v->seen_overflow)
    g_string_append_printf(out, "  %" G_GUINT64_FORMAT " loads of a root not current in the model "
                           "(a first load before any switch, or a root that left the cache unrecorded), %" G_GUINT64_FORMAT " reuses deeper than %d, %"
                           G_GUINT64_FORMAT " past the seen-root limit\n",
                           v->stray_loads, v->far, KVMMMU_CACHE_MAX_N, v->seen_overflow);
  if (v->frees || v->evictions)
    g_string_append_printf(out, "  roots freed outside a switch: %" G_GUINT64_FORMAT " (%"
                           G_GUINT64_FORMAT " the model did not hold), evicted by a miss: %"
                           G_GUINT64_FORMAT "\n", v->frees, v->frees_unheld, v->evictions);
}

/* The reuse depths as a SystemTap @hist_linear(0, MAX_N, 1): first uses
 * and deeper reuses are the '>' row's. */
static KvmmmuHist *
depth_hist(const KvmmmuVcpuCache *v)
{
  KvmmmuHist *h = kvmmmu_hist_new_linear(0, KVMMMU_CACHE_MAX_N, 1, NULL);

  for (guint d = 0; d <= KVMMMU_CACHE_MAX_N; d++)
    kvmmmu_hist_add_n(h, d, v->at_depth[d]);
  kvmmmu_hist_add_n(h, KVMMMU_CACHE_MAX_N + 1, v->first_uses + v->far);
  return h;
}

/* What roots are told apart by: "pgd,role"; "pgd" where every capture
 * predates switch records with a role; "mixed" where some do. */
static const char *
keyed_by(const KvmmmuCache *c)
{
  if (!c->pgd_only_captures)
    return "pgd,role";
  return c->pgd_only_captures == c->captures ? "pgd" : "mixed";
}

void
kvmmmu_render_cache_text(GString *out, const KvmmmuCache *c)
{
  KvmmmuVcpuCache total;

  g_string_append_printf(out,
                         "prev_roots modelled as KVM keeps them: an LRU list of the current root and "
                         "N previous ones, keyed by ");
  if (!c->pgd_only_captures)
    g_string_append(out, "pgd and root role");
  else if (c->pgd_only_captures == c->captures)
    g_string_append(out, "pgd alone (switch records of this format carry no root role)");
  else
    g_string_append_printf(out, "pgd and root role, by pgd alone in the %u capture%s whose switch "
                           "records carry no role", c->pgd_only_captures,
                           c->pgd_only_captures == 1 ? "" : "s");
  g_string_append_printf(out, "; the kernel's N is %u\n\n", c->kernel_n);
  for (guint i = 0; i < c->vcpus->len; i++) {
    const KvmmmuVcpuCache *v = g_ptr_array_index(c->vcpus, i);
    char cap[32] = "";
    g_autofree char *title = NULL;

    if (!v->switches)
      continue;
    if (v->capture > 1) /* vCPUs of each capture are apart: ids start again */
      g_snprintf(cap, sizeof cap, "capture %u ", v->capture);
    title = g_strdup_printf("%svm %u (kvm " X64 ") vcpu %u", cap, v->vm_index, v->kvm, v->vcpu);
    vcpu_text(out, c, v, title);
    g_string_append(out, "\n");
  }
  kvmmmu_cache_total(c, &total);
  vcpu_text(out, c, &total, "all vCPUs");
  if (c->vcpus_overflow)
    g_string_append_printf(out, "  %" G_GUINT64_FORMAT " switches of vCPUs past the first %d "
                           "not modelled\n", c->vcpus_overflow, KVMMMU_CACHE_VCPUS_MAX);
  for (guint i = 0; i < c->diffs->len; i++) {
    const KvmmmuCacheDiff *d = &g_array_index(c->diffs, KvmmmuCacheDiff, i);
    char where[32] = "nowhere";

    if (d->depth <= KVMMMU_CACHE_MAX_N)
      g_snprintf(where, sizeof where, "at depth %u", d->depth);
    char role[24] = "";

    if (d->has_role)
      g_snprintf(role, sizeof role, " role %x", d->role);
    g_string_append_printf(out, "  differs: %s:%" G_GUINT64_FORMAT ": vcpu %u pgd " X64
                           "%s: kernel %s, the model held it %s\n",
                           d->file ? d->file : "-", d->line, d->vcpu, d->pgd, role,
                           kvmmmu_switch_result_name(d->kernel), where);
  }
  if (c->diffs_total > c->diffs->len)
    g_string_append_printf(out, "  and %" G_GUINT64_FORMAT " more that differ\n",
                           c->diffs_total - c->diffs->len);
  {
    g_autoptr(KvmmmuHist) h = depth_hist(&total);

    g_string_append(out, "\nreuse depth of each switch's root, all vCPUs (0: the current root, "
                         "k: the k-th previous; '>': first use or deeper):\n");
    kvmmmu_render_hist_stap(out, h);
  }
}

void
kvmmmu_render_cache_csv(GString *out, const KvmmmuCache *c)
{
  g_string_append(out, "kvm,vcpu,prev_roots,switches,hits,misses,hit_ratio,first_uses,"
                       "kernel_prev_roots,kernel_hits,saved_ns,capture,vm\n");
  for (guint i = 0; i < c->vcpus->len; i++) {
    const KvmmmuVcpuCache *v = g_ptr_array_index(c->vcpus, i);

    if (!v->switches)
      continue;
    for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
      guint64 hits = kvmmmu_vcpu_cache_hits(v, n);

      g_string_append_printf(out, X64 ",%u,%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%"
                             G_GUINT64_FORMAT ",%.6f,%" G_GUINT64_FORMAT ",%u,%" G_GUINT64_FORMAT
                             ",%.0f,%u,%u\n",
                             v->kvm, v->vcpu, n, v->switches, hits, v->switches - hits,
                             ratio(hits, v->switches), v->first_uses, c->kernel_n,
                             v->kernel_hit, kvmmmu_vcpu_cache_saved_ns(v, n, c->kernel_n), v->capture, v->vm_index);
    }
  }
}

static void
vcpu_json(KvmmmuJsonBuilder *b, const KvmmmuCache *c, const KvmmmuVcpuCache *v)
{
  g_autoptr(KvmmmuHist) h = depth_hist(v);

  kvmmmu_json_uint(b, "switches", v->switches);
  kvmmmu_json_uint(b, "first_uses", v->first_uses);
  kvmmmu_json_uint(b, "deeper_reuses", v->far);
  kvmmmu_json_uint(b, "kernel_hits", v->kernel_hit);
  kvmmmu_json_uint(b, "kernel_misses", v->kernel_miss);
  kvmmmu_json_uint(b, "kernel_unknown", v->kernel_unknown);
  kvmmmu_json_uint(b, "agree", v->agree);
  kvmmmu_json_uint(b, "differ", v->differ);
  kvmmmu_json_uint(b, "warm_hits", v->warm);
  kvmmmu_json_uint(b, "stray_loads", v->stray_loads);
  kvmmmu_json_uint(b, "frees", v->frees);
  kvmmmu_json_uint(b, "frees_unheld", v->frees_unheld);
  kvmmmu_json_uint(b, "evictions", v->evictions);
  kvmmmu_json_uint(b, "miss_load_mean_ns", kvmmmu_vcpu_cache_miss_load_ns(v));
  kvmmmu_json_member(b, "loads_by_cause");
  kvmmmu_json_begin_object(b);
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
    kvmmmu_json_uint(b, kvmmmu_load_cause_name(i), v->cause_loads[i]);
  kvmmmu_json_end_object(b);
  kvmmmu_json_member(b, "by_prev_roots");
  kvmmmu_json_begin_array(b);
  for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
    guint64 hits = kvmmmu_vcpu_cache_hits(v, n);

    kvmmmu_json_begin_object(b);
    kvmmmu_json_int(b, "prev_roots", n);
    kvmmmu_json_uint(b, "hits", hits);
    kvmmmu_json_uint(b, "misses", v->switches - hits);
    kvmmmu_json_double(b, "hit_ratio", ratio(hits, v->switches));
    kvmmmu_json_double(b, "saved_ns", kvmmmu_vcpu_cache_saved_ns(v, n, c->kernel_n));
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_member(b, "reuse_depth");
  kvmmmu_json_add_value(b, kvmmmu_render_hist_json(h, "reuse depth", "prev_roots slot"));
}

KvmmmuJson *
kvmmmu_render_cache_json(const KvmmmuCache *c)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  KvmmmuVcpuCache total;

  kvmmmu_json_begin_object(b);
  kvmmmu_json_int(b, "kernel_prev_roots", c->kernel_n);
  kvmmmu_json_string(b, "keyed_by", keyed_by(c));
  kvmmmu_json_uint(b, "pgd_only_captures", c->pgd_only_captures);
  kvmmmu_json_member(b, "vcpus");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < c->vcpus->len; i++) {
    const KvmmmuVcpuCache *v = g_ptr_array_index(c->vcpus, i);

    if (!v->switches)
      continue;
    kvmmmu_json_begin_object(b);
    kvmmmu_json_hex(b, "kvm", v->kvm);
    kvmmmu_json_int(b, "vcpu", v->vcpu);
    kvmmmu_json_int(b, "capture", v->capture);
    kvmmmu_json_int(b, "vm", v->vm_index);
    vcpu_json(b, c, v);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_cache_total(c, &total);
  kvmmmu_json_member(b, "total");
  kvmmmu_json_begin_object(b);
  vcpu_json(b, c, &total);
  kvmmmu_json_end_object(b);
  kvmmmu_json_uint(b, "vcpus_overflow", c->vcpus_overflow);
  kvmmmu_json_uint(b, "differ_total", c->diffs_total);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loadcause.c - kvm_mmu_load by why its root had to be built, with each
 * cause's latency (model/cache.h, KvmmmuLoadCause). */
#include "render/render-private.h"

static double
sum_ns(const KvmmmuHist *h)
{
  return h->count ? h->sum : 0.0;
}

void
kvmmmu_render_load_causes_text(GString *out, const KvmmmuCache *c)
{
  g_string_append(out, "Root loads by cause (why kvm_mmu_load had a root to build)\n");
  g_string_append_printf(out, "%-12s %8s %10s %10s %10s %10s %14s\n", "cause", "loads", "mean_ns",
                         "p50_ns", "p90_ns", "max_ns", "total_ns");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    const KvmmmuHist *h = c->cause_ns[i];
    KvmmmuHistStats st;

    kvmmmu_hist_stats(h, &st);
    g_string_append_printf(out, "%-12s %8" G_GUINT64_FORMAT, kvmmmu_load_cause_name(i),
                           st.count + st.too_large);
    if (st.count) {
      const char *eq = st.approximate ? "~" : ""; /* approximate percentiles */
      g_autofree char *p50 = g_strdup_printf("%s%" G_GINT64_FORMAT, eq, st.p50);
      g_autofree char *p90 = g_strdup_printf("%s%" G_GINT64_FORMAT, eq, st.p90);

      g_string_append_printf(out, " %10.0f %10s %10s %10" G_GINT64_FORMAT " %14.0f\n", st.mean,
                             p50, p90, st.max, sum_ns(h));
    }
    else
      g_string_append_printf(out, " %10s %10s %10s %10s %14s\n", "-", "-", "-", "-", "-");
  }
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
    g_string_append_printf(out, "%s: %s\n", kvmmmu_load_cause_name(i),
                           kvmmmu_load_cause_meaning(i));
  if (c->failed_loads)
    g_string_append_printf(out, "failed: %" G_GUINT64_FORMAT " loads returned an error and "
                           "built no root: not in the table\n", c->failed_loads);
  if (c->loads_overflow)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " loads of vCPUs past the first %d not "
                           "classified\n", c->loads_overflow, KVMMMU_CACHE_VCPUS_MAX);
  for (guint i = 0, shown = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    const KvmmmuHist *h = c->cause_ns[i];

    if (!h->count && !h->too_large)
      continue;
    /* (a histogram ends with its blank line, as SystemTap's) */
    g_string_append_printf(out, "%skvm_mmu_load latency, cause %s (ns):\n",
                           shown++ ? "" : "\n", kvmmmu_load_cause_name(i));
    kvmmmu_render_hist_stats(out, h);
    kvmmmu_render_hist_stap(out, h);
  }
}

void
kvmmmu_render_load_causes_line(GString *out, const KvmmmuCache *c)
{
  g_string_append(out, "loads:    by cause:");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
    g_string_append_printf(out, "%s %" G_GUINT64_FORMAT " %s", i ? "," : "",
                           c->cause_ns[i]->count + c->cause_ns[i]->too_large,
                           kvmmmu_load_cause_name(i));
  if (c->failed_loads)
    g_string_append_printf(out, ", %" G_GUINT64_FORMAT " failed", c->failed_loads);
  g_string_append(out, " (roots: their latency)\n");
}

void
kvmmmu_render_load_causes_csv_rows(GString *out, const KvmmmuCache *c)
{
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
    g_string_append_printf(out, "all,loads_%s,%" G_GUINT64_FORMAT "\n", kvmmmu_load_cause_name(i),
                           c->cause_ns[i]->count + c->cause_ns[i]->too_large);
  g_string_append_printf(out, "all,loads_failed,%" G_GUINT64_FORMAT "\n", c->failed_loads);
}

void
kvmmmu_render_load_causes_csv(GString *out, const KvmmmuCache *c)
{
  g_string_append(out, "cause,loads,mean_ns,p50_ns,p90_ns,p99_ns,max_ns,total_ns,"
                       "percentiles_approximate\n");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    const KvmmmuHist *h = c->cause_ns[i];
    KvmmmuHistStats st;

    kvmmmu_hist_stats(h, &st);
    g_string_append_printf(out, "%s,%" G_GUINT64_FORMAT, kvmmmu_load_cause_name(i),
                           st.count + st.too_large);
    if (st.count)
      g_string_append_printf(out, ",%.0f,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%"
                             G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%.0f,%d\n", st.mean, st.p50,
                             st.p90, st.p99, st.max, sum_ns(h), st.approximate);
    else
      g_string_append(out, ",,,,,,,0\n");
  }
  /* what is not a cause: loads that built nothing, loads not classified */
  g_string_append_printf(out, "failed,%" G_GUINT64_FORMAT ",,,,,,,0\n", c->failed_loads);
  g_string_append_printf(out, "not_classified,%" G_GUINT64_FORMAT ",,,,,,,0\n",
                         c->loads_overflow);
}

KvmmmuJson *
kvmmmu_render_load_causes_json(const KvmmmuCache *c)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_member(b, "causes");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    const KvmmmuHist *h = c->cause_ns[i];

    kvmmmu_json_begin_object(b);
    kvmmmu_json_string(b, "cause", kvmmmu_load_cause_name(i));
    kvmmmu_json_string(b, "meaning", kvmmmu_load_cause_meaning(i));
    kvmmmu_json_uint(b, "loads", h->count + h->too_large);
    kvmmmu_json_double(b, "total_ns", sum_ns(h));
    kvmmmu_json_member(b, "latency");
    kvmmmu_json_add_value(b, kvmmmu_render_hist_json(h, "kvm_mmu_load latency", "ns"));
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_uint(b, "failed_loads", c->failed_loads);
  kvmmmu_json_uint(b, "loads_not_classified", c->loads_overflow);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

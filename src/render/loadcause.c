/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loadcause.c - kvm_mmu_load by why its root had to be built, with each
 * cause's latency (model/cache.h, KvmmmuLoadCause). */
#include "render/render-private.h"

/* The mean of n values that sum to total, in whole ns: text, CSV and JSON
 * give the same number. */
static guint64
mean_ns(guint64 total, guint64 n)
{
  return n ? total / n : 0;
}

/* One row of a latency table: name, count, mean, p50, p90, max, total. */
static void
text_row(GString *out, const char *name, const KvmmmuHist *h, guint64 total)
{
  KvmmmuHistStats st;

  kvmmmu_hist_stats(h, &st);
  g_string_append_printf(out, "%-12s %8" G_GUINT64_FORMAT, name, st.count + st.too_large);
  if (st.count) {
    const char *eq = st.approximate ? "~" : ""; /* approximate percentiles */
    g_autofree char *p50 = g_strdup_printf("%s%" G_GINT64_FORMAT, eq, st.p50);
    g_autofree char *p90 = g_strdup_printf("%s%" G_GINT64_FORMAT, eq, st.p90);

    g_string_append_printf(out, " %10" G_GUINT64_FORMAT " %10s %10s %10" G_GINT64_FORMAT " %14"
                           G_GUINT64_FORMAT, mean_ns(total, st.count + st.too_large), p50, p90,
                           st.max, total);
  } else
    g_string_append_printf(out, " %10s %10s %10s %10s %14s", "-", "-", "-", "-", "-");
}

static void
text_header(GString *out, const char *first, const char *count, const char *last)
{
  g_string_append_printf(out, "%-12s %8s %10s %10s %10s %10s %14s%s\n", first, count, "mean_ns",
                         "p50_ns", "p90_ns", "max_ns", "total_ns", last);
}

/* Each histogram that has values, SystemTap's way, titled. */
static void
text_hists(GString *out, KvmmmuHist *const *hists, guint n, const char *what,
           const char *(*name)(guint))
{
  for (guint i = 0, shown = 0; i < n; i++) {
    if (!hists[i]->count && !hists[i]->too_large)
      continue;
    /* (a histogram ends with its blank line, as SystemTap's) */
    g_string_append_printf(out, "%s%s latency, %s (ns):\n", shown++ ? "" : "\n", what, name(i));
    kvmmmu_render_hist_stats(out, hists[i]);
    kvmmmu_render_hist_stap(out, hists[i]);
  }
}

const char *
kvmmmu_render_cause_row_name(guint i)
{
  return kvmmmu_load_cause_name(i);
}

const char *
kvmmmu_render_place_row_name(guint i)
{
  return kvmmmu_sync_place_name(i);
}

static guint64
syncs_seen(const KvmmmuCache *c)
{
  guint64 n = 0;

  for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++)
    n += c->sync_ns[i]->count + c->sync_ns[i]->too_large;
  return n + c->syncs_overflow;
}

void
kvmmmu_render_load_causes_text(GString *out, const KvmmmuCache *c)
{
  g_string_append(out, "Root loads by cause (why kvm_mmu_load had a root to build)\n");
  text_header(out, "cause", "loads", "     in_sync_ns");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    text_row(out, kvmmmu_load_cause_name(i), c->cause_ns[i], c->cause_total_ns[i]);
    if (c->cause_ns[i]->count && c->sync_captures)
      g_string_append_printf(out, " %14" G_GUINT64_FORMAT, c->cause_sync_ns[i]);
    else
      g_string_append_printf(out, " %14s", "-");
    g_string_append_c(out, '\n');
  }
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++)
    g_string_append_printf(out, "%s: %s\n", kvmmmu_load_cause_name(i),
                           kvmmmu_load_cause_meaning(i));
  g_string_append(out, "in_sync_ns: of total_ns, the time in the kvm_mmu_sync_roots inside those "
                       "loads (from sync records: root_hpa writes them since format 4");
  if (c->sync_captures < c->captures)
    g_string_append_printf(out, "; %u of %u captures have none", c->captures - c->sync_captures,
                           c->captures);
  g_string_append(out, ")\n");
  if (c->failed_loads)
    g_string_append_printf(out, "failed: %" G_GUINT64_FORMAT " loads returned an error and "
                           "built no root: not in the table\n", c->failed_loads);
  if (c->loads_overflow)
    g_string_append_printf(out, "%" G_GUINT64_FORMAT " loads of vCPUs past the first %d not "
                           "classified\n", c->loads_overflow, KVMMMU_CACHE_VCPUS_MAX);
  if (syncs_seen(c)) {
    g_string_append(out, "\nRoot syncs (kvm_mmu_sync_roots) by where they ran\n");
    text_header(out, "place", "syncs", "");
    for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++) {
      text_row(out, kvmmmu_sync_place_name(i), c->sync_ns[i], c->sync_total_ns[i]);
      g_string_append_c(out, '\n');
    }
    for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++)
      g_string_append_printf(out, "%s: %s\n", kvmmmu_sync_place_name(i),
                             kvmmmu_sync_place_meaning(i));
    if (c->syncs_overflow)
      g_string_append_printf(out, "%" G_GUINT64_FORMAT " syncs of vCPUs past the first %d not "
                             "classified\n", c->syncs_overflow, KVMMMU_CACHE_VCPUS_MAX);
  }
  text_hists(out, c->cause_ns, KVMMMU_LOAD_N_CAUSES, "kvm_mmu_load", kvmmmu_render_cause_row_name);
  text_hists(out, c->sync_ns, KVMMMU_SYNC_N_PLACES, "kvm_mmu_sync_roots",
             kvmmmu_render_place_row_name);
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

/* A latency table's CSV row after its name: count, mean, p50, p90, p99,
 * max, total, percentiles_approximate (empty cells when none). */
static void
csv_row(GString *out, const char *name, const KvmmmuHist *h, guint64 total)
{
  KvmmmuHistStats st;

  kvmmmu_hist_stats(h, &st);
  g_string_append_printf(out, "%s,%" G_GUINT64_FORMAT, name, st.count + st.too_large);
  if (st.count)
    g_string_append_printf(out, ",%" G_GUINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                           ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GUINT64_FORMAT ",%d",
                           mean_ns(total, st.count + st.too_large), st.p50, st.p90, st.p99,
                           st.max, total, st.approximate);
  else
    g_string_append(out, ",,,,,,,0");
}

#define CSV_LATENCY_COLUMNS "mean_ns,p50_ns,p90_ns,p99_ns,max_ns,total_ns,percentiles_approximate"

void
kvmmmu_render_load_causes_csv(GString *out, const KvmmmuCache *c)
{
  g_string_append(out, "cause,loads," CSV_LATENCY_COLUMNS ",in_sync_ns\n");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    csv_row(out, kvmmmu_load_cause_name(i), c->cause_ns[i], c->cause_total_ns[i]);
    if (c->cause_ns[i]->count && c->sync_captures)
      g_string_append_printf(out, ",%" G_GUINT64_FORMAT "\n", c->cause_sync_ns[i]);
    else
      g_string_append(out, ",\n");
  }
  /* what is not a cause: loads that built nothing, loads not classified */
  g_string_append_printf(out, "failed,%" G_GUINT64_FORMAT ",,,,,,,0,\n", c->failed_loads);
  g_string_append_printf(out, "not_classified,%" G_GUINT64_FORMAT ",,,,,,,0,\n",
                         c->loads_overflow);
  g_string_append(out, "\nplace,syncs," CSV_LATENCY_COLUMNS "\n");
  for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++) {
    csv_row(out, kvmmmu_sync_place_name(i), c->sync_ns[i], c->sync_total_ns[i]);
    g_string_append_c(out, '\n');
  }
  g_string_append_printf(out, "not_classified,%" G_GUINT64_FORMAT ",,,,,,,0\n", c->syncs_overflow);
}

/* A latency table's row as a JSON object: its name under key, what it
 * means, how many under count_key and their total; json_row_end adds the
 * histogram and closes it. */
static void
json_row_begin(KvmmmuJsonBuilder *b, const char *key, const char *name, const char *meaning,
               const char *count_key, const KvmmmuHist *h, guint64 total)
{
  kvmmmu_json_begin_object(b);
  kvmmmu_json_string(b, key, name);
  kvmmmu_json_string(b, "meaning", meaning);
  kvmmmu_json_uint(b, count_key, h->count + h->too_large);
  kvmmmu_json_uint(b, "total_ns", total);
  kvmmmu_json_uint(b, "mean_ns", mean_ns(total, h->count + h->too_large));
}

static void
json_row_end(KvmmmuJsonBuilder *b, const KvmmmuHist *h, const char *what)
{
  kvmmmu_json_member(b, "latency");
  kvmmmu_json_add_value(b, kvmmmu_render_hist_json(h, what, "ns"));
  kvmmmu_json_end_object(b);
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

    json_row_begin(b, "cause", kvmmmu_load_cause_name(i), kvmmmu_load_cause_meaning(i), "loads", h,
                   c->cause_total_ns[i]);
    kvmmmu_json_member(b, "in_sync_ns");
    if (c->sync_captures && h->count)
      kvmmmu_json_add_uint(b, c->cause_sync_ns[i]);
    else
      kvmmmu_json_add_null(b); /* no sync records: not known */
    json_row_end(b, h, "kvm_mmu_load latency");
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_uint(b, "failed_loads", c->failed_loads);
  kvmmmu_json_uint(b, "loads_not_classified", c->loads_overflow);
  kvmmmu_json_member(b, "syncs");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++) {
    const KvmmmuHist *h = c->sync_ns[i];

    json_row_begin(b, "place", kvmmmu_sync_place_name(i), kvmmmu_sync_place_meaning(i), "syncs", h,
                   c->sync_total_ns[i]);
    json_row_end(b, h, "kvm_mmu_sync_roots latency");
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_uint(b, "syncs_not_classified", c->syncs_overflow);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

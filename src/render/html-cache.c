/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-cache.c - the page's prev_roots section: the hit ratio KVM's cache
 * of previous roots would have at each size, the kernel's own size marked,
 * and every kvm_mmu_load by why its root had to be built, with each
 * cause's latency (model/cache.h).
 */
#include <math.h>

#include "format/count.h"
#include "render/html-private.h"

/* vCPUs drawn as lines of their own; every vCPU is in the total line. */
#define CACHE_LINES_MAX 8

static const char *const line_colours[CACHE_LINES_MAX] = {
  "#e6862a", "#4caf50", "#9c27b0", "#00acc1", "#c62828", "#6d4c41", "#7cb342", "#ec407a",
};
#define TOTAL_COLOUR "#1f3f66"

static double
hit_ratio(const KvmmmuVcpuCache *v, guint n)
{
  return v->switches ? 100.0 * (double)kvmmmu_vcpu_cache_hits(v, n) / (double)v->switches : 0.0;
}

static void
vcpu_title(GString *out, const KvmmmuVcpuCache *v)
{
  if (v->capture > 1)
    g_string_append_printf(out, "capture %u ", v->capture);
  g_string_append_printf(out, "vm %u vcpu %u", v->vm_index, v->vcpu);
}

/* One vCPU's (or the total's) hit ratio for N = 1..MAX_N as a line. */
static void
draw_line(cairo_t *cr, const KvmmmuPlot *p, const KvmmmuVcpuCache *v, const char *colour,
          double width)
{
  kvmmmu_canvas_hex(cr, colour, 1);
  cairo_set_line_width(cr, width);
  for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
    double x = p->left + p->pw * (n - 1) / (KVMMMU_CACHE_MAX_N - 1);
    double y = p->top + p->ph - p->ph * hit_ratio(v, n) / 100.0;

    if (n == 1)
      cairo_move_to(cr, x, y);
    else
      cairo_line_to(cr, x, y);
  }
  cairo_stroke(cr);
}

/* The chart of hit ratio against N: the total, the first vCPUs, the
 * kernel's N and its own hit ratio there. */
static void
draw_ratio_chart(KvmmmuHtml *h, GString *out, const KvmmmuCache *c,
                 const KvmmmuVcpuCache *total, GPtrArray *drawn)
{
  const KvmmmuPlot p = { 56, 22, KVMMMU_CHART_W - 56 - 16, KVMMMU_CHART_H - 22 - 58 };
  KvmmmuCanvas cv;
  cairo_t *cr;
  double kx = p.left + p.pw * (c->kernel_n - 1) / (KVMMMU_CACHE_MAX_N - 1);
  guint64 known = total->kernel_hit + total->kernel_miss;

  kvmmmu_canvas_open(&cv, KVMMMU_CHART_W, KVMMMU_CHART_H);
  cr = cv.cr;
  kvmmmu_plot_y_axis(cr, &p, 100, 20);
  cairo_set_font_size(cr, 10);
  for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
    g_autofree char *l = g_strdup_printf("%u", n);

    kvmmmu_canvas_hex(cr, "#444444", 1);
    kvmmmu_canvas_text(cr, p.left + p.pw * (n - 1) / (KVMMMU_CACHE_MAX_N - 1),
                       p.top + p.ph + 14, 0.5, l);
  }
  /* the kernel's N, dashed */
  {
    const double dash[] = { 4, 3 };
    g_autofree char *l = g_strdup_printf("KVM: %u", c->kernel_n);

    kvmmmu_canvas_hex(cr, "#888888", 1);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, floor(kx) + 0.5, p.top);
    cairo_line_to(cr, floor(kx) + 0.5, p.top + p.ph);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    kvmmmu_canvas_hex(cr, "#444444", 1);
    kvmmmu_canvas_text(cr, kx, p.top - 6, 0.5, l);
  }
  /* the total under the vCPUs' thin lines: where they are the same, both show */
  draw_line(cr, &p, total, TOTAL_COLOUR, 5);
  for (guint i = 0; i < drawn->len; i++)
    draw_line(cr, &p, g_ptr_array_index(drawn, i), line_colours[i], 1.5);
  /* what the kernel itself did, where the switch records say */
  if (known) {
    double y = p.top + p.ph - p.ph * (double)total->kernel_hit / (double)total->switches;

    kvmmmu_canvas_hex(cr, "#ffffff", 1);
    cairo_arc(cr, kx, y, 5, 0, 2 * G_PI);
    cairo_fill_preserve(cr);
    kvmmmu_canvas_hex(cr, "#c62828", 1);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);
  }
  kvmmmu_plot_frame(cr, &p);
  kvmmmu_plot_titles(cr, &p, "N, previous roots kept (KVM_MMU_NUM_PREV_ROOTS)",
                     "switches that hit (%)");
  kvmmmu_canvas_close(h, &cv, out, "chart");
}

static void
ratio_caption(GString *out, const KvmmmuVcpuCache *total, GPtrArray *drawn, guint with_switches)
{
  g_string_append(out, "<figcaption>");
  g_string_append_printf(out, "<span style=\"color:%s\">&#9632;</span> all vCPUs", TOTAL_COLOUR);
  for (guint i = 0; i < drawn->len; i++) {
    g_autoptr(GString) t = g_string_new("");

    vcpu_title(t, g_ptr_array_index(drawn, i));
    g_string_append_printf(out, "; <span style=\"color:%s\">&#9632;</span> ", line_colours[i]);
    kvmmmu_html_esc(out, t->str);
  }
  if (with_switches > drawn->len)
    g_string_append_printf(out, "; %u more vCPUs in the total only", with_switches - drawn->len);
  if (total->kernel_hit + total->kernel_miss)
    g_string_append(out, "; <span style=\"color:#c62828\">&#9675;</span> the kernel's own "
                         "hits, from the switch records");
  g_string_append(out, "</figcaption>\n");
}

/* All vCPUs at each N: the numbers behind the total line. */
static void
ratio_table(GString *out, const KvmmmuCache *c, const KvmmmuVcpuCache *total)
{
  g_string_append(out, "<div class=\"wide\">\n<table class=\"data\">\n<thead><tr><th>N</th><th>hits</th>"
                       "<th>misses</th><th>hit %</th><th>load time saved (ns)</th></tr>"
                       "</thead>\n<tbody>\n");
  for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
    guint64 hits = kvmmmu_vcpu_cache_hits(total, n);

    g_string_append_printf(out, "<tr%s><th>%u%s</th><td>%" G_GUINT64_FORMAT "</td><td>%"
                           G_GUINT64_FORMAT "</td><td>%.1f</td><td>%.0f</td></tr>\n",
                           n == c->kernel_n ? " class=\"warn\"" : "", n,
                           n == c->kernel_n ? " (KVM)" : "", hits, total->switches - hits,
                           hit_ratio(total, n), kvmmmu_vcpu_cache_saved_ns(total, n, c->kernel_n));
  }
  g_string_append(out, "</tbody>\n</table>\n</div>\n");
}

/* One row of a latency table, its name titled with what it means, left
 * open for cells of its own. */
static void
latency_row(GString *out, const char *name, const char *meaning, const KvmmmuHist *hist,
            guint64 total_ns)
{
  KvmmmuHistStats st;
  guint64 n;

  g_string_append(out, "<tr><th title=\"");
  kvmmmu_html_esc(out, meaning);
  g_string_append_printf(out, "\">%s</th>", name);
  kvmmmu_hist_stats(hist, &st);
  n = kvmmmu_count_add(st.count, st.too_large);
  g_string_append_printf(out, "<td>%" G_GUINT64_FORMAT "</td>", n);
  if (!st.count) {
    g_string_append(out, "<td>-</td><td>-</td><td>-</td><td>-</td><td>-</td>");
    return;
  }
  g_string_append_printf(out, "<td>%" G_GUINT64_FORMAT "</td><td>%s%" G_GINT64_FORMAT
                         "</td><td>%s%" G_GINT64_FORMAT "</td><td>%" G_GINT64_FORMAT "</td><td>%"
                         G_GUINT64_FORMAT "</td>",
                         total_ns / n, st.approximate ? "~" : "", st.p50,
                         st.approximate ? "~" : "", st.p90, st.max, total_ns);
}

static void
latency_head(GString *out, const char *first, const char *last)
{
  g_string_append_printf(out, "<div class=\"wide\">\n<table class=\"data\">\n<thead><tr><th>%s</th><th>count</th>"
                         "<th>mean ns</th><th>p50 ns</th><th>p90 ns</th><th>max ns</th>"
                         "<th>total ns</th>%s</tr></thead>\n<tbody>\n", first, last);
}

/* The loads by cause, the syncs by place, and a histogram of each cause
 * that had loads. */
static void
causes(KvmmmuHtml *h, GString *out, const KvmmmuCache *c)
{
  guint shown = 0;

  g_string_append(out, "<h3>kvm_mmu_load by cause</h3>\n");
  latency_head(out, "cause", "<th>of it in kvm_mmu_sync_roots, ns</th>");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    latency_row(out, kvmmmu_load_cause_name(i), kvmmmu_load_cause_meaning(i), c->cause_ns[i],
                c->cause_total_ns[i]);
    g_string_append_printf(out, "<td>%" G_GUINT64_FORMAT "</td></tr>\n", c->cause_sync_ns[i]);
  }
  g_string_append(out, "</tbody>\n</table>\n</div>\n<p>");
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    g_string_append_printf(out, "%s<b>%s</b>: ", i ? "; " : "", kvmmmu_load_cause_name(i));
    kvmmmu_html_esc(out, kvmmmu_load_cause_meaning(i));
  }
  if (c->failed_loads)
    g_string_append_printf(out, ". %" G_GUINT64_FORMAT " loads failed (no root built) and are "
                           "not in the table", c->failed_loads);
  g_string_append(out, ".</p>\n");
  if (c->sync_captures) {
    g_string_append(out, "<h3>kvm_mmu_sync_roots by where it ran</h3>\n");
    latency_head(out, "place", "");
    for (guint i = 0; i < KVMMMU_SYNC_N_PLACES; i++) {
      latency_row(out, kvmmmu_sync_place_name(i), kvmmmu_sync_place_meaning(i), c->sync_ns[i],
                  c->sync_total_ns[i]);
      g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n</table>\n</div>\n");
  }
  for (guint i = 0; i < KVMMMU_LOAD_N_CAUSES; i++) {
    const KvmmmuHist *hist = c->cause_ns[i];
    g_autofree char *x = NULL;

    if (!hist->count)
      continue;
    g_string_append(out, shown++ ? "<figure>\n" : "<div class=\"charts\">\n<figure>\n");
    x = g_strdup_printf("kvm_mmu_load duration, cause %s", kvmmmu_load_cause_name(i));
    kvmmmu_html_draw_hist(h, out, hist, TRUE, x, "loads", NULL);
    g_string_append_printf(out, "<figcaption>%s: ", kvmmmu_load_cause_name(i));
    {
      g_autoptr(GString) text = g_string_new("");

      kvmmmu_render_hist_stats(text, hist);
      g_strchomp(text->str);
      kvmmmu_html_esc(out, text->str);
    }
    g_string_append(out, " (ns)</figcaption>\n</figure>\n");
  }
  if (shown)
    g_string_append(out, "</div>\n");
}

void
kvmmmu_html_cache_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuCache *c = page->cache;
  KvmmmuVcpuCache total;
  g_autoptr(GPtrArray) drawn = g_ptr_array_new();
  guint with_switches = 0;

  g_string_append(out, "<section id=\"prev-roots\">\n<h2>prev_roots: the cache of guest roots"
                       "</h2>\n<p class=\"lead\">");
  kvmmmu_cache_total(c, &total);
  if (!total.switches) {
    g_string_append(out, "no switch records: no root switches to replay</p>\n");
    if (c->cause_ns[0]->count || c->cause_ns[1]->count || c->cause_ns[2]->count ||
        c->failed_loads)
      causes(h, out, c);
    g_string_append(out, "</section>\n");
    return;
  }
  for (guint i = 0; i < c->vcpus->len; i++) {
    KvmmmuVcpuCache *v = g_ptr_array_index(c->vcpus, i);

    if (!v->switches)
      continue;
    with_switches++;
    if (drawn->len < CACHE_LINES_MAX)
      g_ptr_array_add(drawn, v);
  }
  g_string_append_printf(out, "%" G_GUINT64_FORMAT " root switches of %u vCPU%s, %"
                         G_GUINT64_FORMAT " of them a root's first use in its capture. "
                         "The cache replayed as KVM keeps it: an LRU list of the current root "
                         "and N previous ones, keyed by %s. The kernel's N is %u: it hit %"
                         G_GUINT64_FORMAT " and missed %" G_GUINT64_FORMAT,
                         total.switches, with_switches, with_switches == 1 ? "" : "s",
                         total.first_uses,
                         c->pgd_only_captures == c->captures ? "pgd alone (no role in these "
                                                               "switch records)"
                         : c->pgd_only_captures ? "pgd and root role (pgd alone where a capture "
                                                  "has no role)"
                                                : "pgd and root role",
                         c->kernel_n, total.kernel_hit, total.kernel_miss);
  if (total.kernel_unknown)
    g_string_append_printf(out, " (%" G_GUINT64_FORMAT " not known)", total.kernel_unknown);
  g_string_append_printf(out, "; the model at N = %u agrees on %" G_GUINT64_FORMAT " of %"
                         G_GUINT64_FORMAT " switches",
                         c->kernel_n, total.agree, total.agree + total.differ + total.warm);
  if (total.differ)
    g_string_append_printf(out, ", <b>%" G_GUINT64_FORMAT " differ</b> (kvmmmu-report cache "
                           "lists them)", total.differ);
  /* the free records (format 5): roots leaving the cache without a switch */
  if (total.frees || total.evictions)
    g_string_append_printf(out, ". KVM freed %" G_GUINT64_FORMAT " root%s outside a switch "
                           "(%" G_GUINT64_FORMAT " the model did not hold), and misses evicted %"
                           G_GUINT64_FORMAT, total.frees, total.frees == 1 ? "" : "s",
                           total.frees_unheld, total.evictions);
  g_string_append(out, ".</p>\n<div class=\"charts\">\n<figure>\n");
  draw_ratio_chart(h, out, c, &total, drawn);
  ratio_caption(out, &total, drawn, with_switches);
  g_string_append(out, "</figure>\n<figure>\n");
  ratio_table(out, c, &total);
  g_string_append(out, "<figcaption>all vCPUs; load time saved: the extra hits against the "
                       "kernel's N at the mean latency of a load after a miss</figcaption>\n"
                       "</figure>\n</div>\n");
  causes(h, out, c);
  g_string_append(out, "</section>\n");
}

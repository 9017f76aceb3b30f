/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-roots.c - the vCPU roots section: the model's table, and one
 * timeline per vCPU of which root each kvm_mmu_load gave and what the
 * snapshots read.  The model keeps only the first changes of each vCPU
 * (for the text report); the timelines see every load as it streams by
 * and keep it at the resolution they are drawn at.
 */
#include <math.h>
#include <string.h>

#include "render/html-private.h"

/* vCPUs drawn; the rest are only in the table. */
#define TIMELINES_MAX 64
#define TIMELINE_W 1100
/* The first bin width: finer than anything drawn on a short capture. */
#define FIRST_BIN_NS 1000

static const char *const palette[] = {
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

/* ---- the timeline of one vCPU -------------------------------------- */

KvmmmuTimeline *
kvmmmu_timeline_new(guint64 kvm, guint32 vcpu, guint64 origin_ns)
{
  KvmmmuTimeline *tl = g_new0(KvmmmuTimeline, 1);

  tl->kvm = kvm;
  tl->vcpu = vcpu;
  tl->origin_ns = origin_ns;
  tl->bin_ns = FIRST_BIN_NS;
  tl->cur_lane = -1;
  tl->snaps = g_array_new(FALSE, FALSE, sizeof(KvmmmuSnapPoint));
  return tl;
}

void
kvmmmu_timeline_free(KvmmmuTimeline *tl)
{
  if (!tl)
    return;
  g_array_unref(tl->snaps);
  g_free(tl);
}

/* The bin of ts_ns; bins twice as wide (pairs merged) until it has one. */
static guint
bin_of(KvmmmuTimeline *tl, guint64 ts_ns)
{
  guint64 rel = ts_ns > tl->origin_ns ? ts_ns - tl->origin_ns : 0;

  while (rel / tl->bin_ns >= KVMMMU_TIMELINE_BINS) {
    for (guint i = 0; i < KVMMMU_TIMELINE_BINS / 2; i++) {
      tl->held[i] = tl->held[2 * i] | tl->held[2 * i + 1];
      tl->entered[i] = tl->entered[2 * i] | tl->entered[2 * i + 1];
    }
    memset(tl->held + KVMMMU_TIMELINE_BINS / 2, 0, sizeof tl->held / 2);
    memset(tl->entered + KVMMMU_TIMELINE_BINS / 2, 0, sizeof tl->entered / 2);
    tl->cur_bin /= 2;
    tl->bin_ns *= 2;
  }
  return rel / tl->bin_ns;
}

/* The lane of root, given in order of first appearance; past the lanes
 * of their own, the last lane holds all the other roots. */
static guint
lane_of(KvmmmuTimeline *tl, guint64 root)
{
  for (guint i = 0; i < tl->n_lanes; i++)
    if (tl->lanes[i] == root)
      return i;
  if (tl->n_lanes < KVMMMU_TIMELINE_LANES - 1) {
    tl->lanes[tl->n_lanes] = root;
    return tl->n_lanes++;
  }
  tl->others = TRUE;
  return KVMMMU_TIMELINE_LANES - 1;
}

/* The root loaded last was held from its bin to bin b. */
static void
hold_to(KvmmmuTimeline *tl, guint b)
{
  if (tl->cur_lane < 0)
    return;
  for (guint i = tl->cur_bin; i <= b && i < KVMMMU_TIMELINE_BINS; i++)
    tl->held[i] |= 1u << tl->cur_lane;
  tl->cur_bin = MAX(tl->cur_bin, b);
}

void
kvmmmu_timeline_load(KvmmmuTimeline *tl, guint64 ts_ns, guint64 root)
{
  guint b = bin_of(tl, ts_ns), lane;

  hold_to(tl, b);
  if (tl->cur_lane >= 0 && root == tl->cur_root)
    return;
  lane = lane_of(tl, root);
  tl->held[b] |= 1u << lane;
  tl->entered[b] |= 1u << lane;
  tl->changes++;
  tl->cur_lane = lane;
  tl->cur_root = root;
  tl->cur_bin = b;
}

void
kvmmmu_timeline_snapshot(KvmmmuTimeline *tl, guint64 ts_ns, guint64 root)
{
  KvmmmuSnapPoint p = { ts_ns, lane_of(tl, root) };

  if (tl->snaps->len < KVMMMU_TIMELINE_SNAPS)
    g_array_append_val(tl->snaps, p);
  else
    tl->snaps_dropped++;
}

void
kvmmmu_timeline_hold_until(KvmmmuTimeline *tl, guint64 ts_ns)
{
  hold_to(tl, bin_of(tl, ts_ns));
}

guint
kvmmmu_timeline_n_lanes(const KvmmmuTimeline *tl)
{
  return tl->n_lanes + (tl->others ? 1 : 0);
}

GArray *
kvmmmu_timeline_bars(const KvmmmuTimeline *tl)
{
  GArray *bars = g_array_new(FALSE, FALSE, sizeof(KvmmmuTimelineBar));

  for (guint l = 0; l < KVMMMU_TIMELINE_LANES; l++) {
    guint16 bit = 1u << l;
    gboolean open = FALSE;
    KvmmmuTimelineBar bar = { l, 0, 0, FALSE };

    /* a bar from each change to this lane, or where the lane is held
     * again, to where it stops being held */
    for (guint b = 0; b <= KVMMMU_TIMELINE_BINS; b++) {
      gboolean held = b < KVMMMU_TIMELINE_BINS && (tl->held[b] & bit);
      gboolean enter = b < KVMMMU_TIMELINE_BINS && (tl->entered[b] & bit);

      if (open && (!held || enter)) {
        bar.to_ns = (guint64)b * tl->bin_ns;
        g_array_append_val(bars, bar);
        bar.returning = TRUE;
        open = FALSE;
      }
      if (held && !open) {
        bar.from_ns = (guint64)b * tl->bin_ns;
        open = TRUE;
      }
    }
  }
  return bars;
}

/* ---- drawing ------------------------------------------------------- */

/* t0..t1: the time axis, shared by every vCPU's timeline; tl has a lane at
 * least */
static void
draw_timeline(KvmmmuHtml *h, GString *out, KvmmmuTimeline *tl, guint64 t0, guint64 t1)
{
  const double left = 132, right = 18, top = 8, lane_h = 18, axis = 30;
  double span = t1 > t0 ? (double)(t1 - t0) : 1, pw = TIMELINE_W - left - right;
  guint n_lanes = kvmmmu_timeline_n_lanes(tl);
  double height = top + n_lanes * lane_h + axis;
  g_autoptr(GArray) bars = kvmmmu_timeline_bars(tl);
  KvmmmuCanvas c;
  cairo_t *cr;

  kvmmmu_canvas_open(&c, TIMELINE_W, height);
  cr = c.cr;
  /* bins and snapshots are from the timeline's origin, the axis from t0 */
#define X_OF(rel) (left + pw * CLAMP(((double)(rel) + ((double)tl->origin_ns - (double)t0)) / span, 0.0, 1.0))
  cairo_set_font_size(cr, 10);
  cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  for (guint l = 0; l < n_lanes; l++) {
    double y = top + l * lane_h;
    g_autofree char *label = l < tl->n_lanes ? g_strdup_printf(X64, tl->lanes[l])
                                             : g_strdup("other roots");

    kvmmmu_canvas_hex(cr, l % 2 ? "#ffffff" : "#f3f5f8", 1);
    cairo_rectangle(cr, left, y, pw, lane_h);
    cairo_fill(cr);
    kvmmmu_canvas_hex(cr, palette[l % G_N_ELEMENTS(palette)], 1);
    kvmmmu_canvas_text(cr, left - 6, y + lane_h / 2 + 3.5, 1, label);
  }
  /* roots loaded: from each change to the next, a dark mark at the
   * change.  The bars of one lane and shade are one path, filled once, the
   * marks another: a fill is an SVG element and a pass of cairo's, and a
   * timeline has a bar for each change. */
  for (guint l = 0; l < n_lanes; l++)
    for (int returning = 0; returning <= 1; returning++) {
      gboolean any = FALSE;

      for (guint i = 0; i < bars->len; i++) {
        const KvmmmuTimelineBar *b = &g_array_index(bars, KvmmmuTimelineBar, i);
        double x0 = X_OF(b->from_ns), x1 = MAX(X_OF(b->to_ns), x0 + 1.5);

        if (b->lane != l || b->returning != returning)
          continue;
        cairo_rectangle(cr, x0, top + l * lane_h + 4, x1 - x0, lane_h - 8);
        any = TRUE;
      }
      if (any) {
        kvmmmu_canvas_hex(cr, palette[l % G_N_ELEMENTS(palette)], returning ? 0.55 : 0.9);
        cairo_fill(cr);
      }
    }
  for (guint i = 0; i < bars->len; i++) {
    const KvmmmuTimelineBar *b = &g_array_index(bars, KvmmmuTimelineBar, i);

    cairo_rectangle(cr, X_OF(b->from_ns), top + b->lane * lane_h + 2, 1, lane_h - 4);
  }
  kvmmmu_canvas_hex(cr, "#222222", 1);
  cairo_fill(cr);
  /* snapshots: a ring where the vCPU's root was read */
  for (guint i = 0; i < tl->snaps->len; i++) {
    const KvmmmuSnapPoint *p = &g_array_index(tl->snaps, KvmmmuSnapPoint, i);
    double x = X_OF(p->ts_ns - MIN(p->ts_ns, tl->origin_ns)), y = top + p->lane * lane_h + lane_h / 2;

    cairo_new_path(cr);
    cairo_arc(cr, x, y, 5, 0, 2 * G_PI);
    kvmmmu_canvas_hex(cr, palette[p->lane % G_N_ELEMENTS(palette)], 1);
    cairo_fill_preserve(cr);
    kvmmmu_canvas_hex(cr, "#222222", 1);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
  }
#undef X_OF
  /* time axis: seconds from the start of the first capture, or on the
   * records' clock (--abs-time) */
  {
    KvmmmuAxisTicks ticks = { cr, left, pw, top + n_lanes * lane_h + 0.5 };

    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    kvmmmu_canvas_hex(cr, "#444444", 1);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, left, ticks.y);
    cairo_line_to(cr, left + pw, ticks.y);
    cairo_stroke(cr);
    kvmmmu_html_time_ticks(t0, t1, kvmmmu_html_time_origin(h), 8, kvmmmu_html_axis_tick, &ticks);
  }
  kvmmmu_canvas_close(h, &c, out, "timeline");
}

/* ---- the section --------------------------------------------------- */

static void
roots_table(GString *out, GPtrArray *vcpus, gboolean many_vms)
{
  g_string_append(out, "<div class=\"wide\">\n<table class=\"data\">\n<thead><tr><th>vCPU</th>"
                       "<th>loads</th><th>fresh</th><th>returning</th><th>distinct_roots</th>"
                       "<th>prev_roots_hit/miss</th><th>counted_loads</th>"
                       "<th>mean_load</th><th>max_load</th></tr></thead>\n<tbody>\n");
  for (guint i = 0; i < vcpus->len; i++) {
    const KvmmmuVcpuRoots *v = vcpus->pdata[i];
    g_autofree char *mean = v->loads ? kvmmmu_html_fmt_ns(v->dur_total_ns / v->loads) : g_strdup("-");
    g_autofree char *max = v->loads ? kvmmmu_html_fmt_ns(v->dur_max_ns) : g_strdup("-");

    g_string_append_printf(out, "<tr><td>");
    if (many_vms)
      g_string_append_printf(out, "VM %u ", v->vm_index);
    g_string_append_printf(out, "%u", v->vcpu);
    if (v->capture > 1) /* vCPUs and VM numbers are each capture's own */
      g_string_append_printf(out, " (capture %u)", v->capture);
    g_string_append_printf(out, "</td><td>%" G_GUINT64_FORMAT "</td><td>%" G_GUINT64_FORMAT
                           "</td><td>%" G_GUINT64_FORMAT "</td><td>%u%s</td><td>%"
                           G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "</td><td>%" G_GUINT64_FORMAT
                           "</td><td>", v->loads, v->fresh, v->returning,
                           g_hash_table_size(v->distinct), v->distinct_overflow ? "+" : "",
                           v->switch_hit, v->switch_miss, v->counted_loads);
    kvmmmu_html_esc(out, mean);
    g_string_append(out, "</td><td>");
    kvmmmu_html_esc(out, max);
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n</div>\n");
}

void
kvmmmu_html_roots_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  g_autoptr(GPtrArray) vcpus = kvmmmu_roots_sorted(page->roots);
  gboolean many_vms = kvmmmu_roots_n_vms(page->roots) > 1;
  guint64 t0 = G_MAXUINT64, t1 = 0;

  /* The axis: from the first to the last record of any vCPU, where the
   * changes happen, not the whole capture around them. */
  for (guint i = 0; i < vcpus->len; i++) {
    const KvmmmuVcpuRoots *v = vcpus->pdata[i];

    t0 = MIN(t0, v->first_ts);
    t1 = MAX(t1, v->last_ts);
  }
  t0 = MAX(MIN(t0, t1), h->origin_ns);
  if (t1 <= t0)
    t1 = t0 + 1000;
  g_string_append(out, "<section id=\"roots\">\n<h2>vCPU roots</h2>\n");
  if (vcpus->len == 0) {
    g_string_append(out, "<p class=\"lead\">No vCPU in this capture: no load, switch, "
                         "vcpu_root or load_rate record.</p>\n</section>\n");
    return;
  }
  {
    /* the axis's ends in words too: the drawing's labels are not text */
    g_autoptr(GString) from = g_string_new(""), to = g_string_new("");

    kvmmmu_render_reltime(from, t0, kvmmmu_html_time_origin(h));
    kvmmmu_render_reltime(to, t1, kvmmmu_html_time_origin(h));
    g_string_append_printf(out, "<p class=\"lead\">Which root each vCPU had over time. Bars: the "
                           "root each kvm_mmu_load returned, from the change (dark mark) until the "
                           "next one (pale: a root this vCPU had before). Rings: a snapshot read "
                           "the vCPU's root_hpa. Time: seconds %s, from the first record of a vCPU "
                           "(%s) to the last (%s).</p>\n",
                           h->abs_time ? "on the records' clock (--abs-time)"
                                       : "from the start of the first capture",
                           from->str, to->str);
  }
  roots_table(out, vcpus, many_vms);
  {
    g_autoptr(GString) note = g_string_new("");

    if (kvmmmu_render_roots_limits(note, page->roots) || note->len) {
      g_string_append(out, "<p class=\"note\">");
      kvmmmu_html_esc(out, note->str);
      g_string_append(out, "</p>\n");
    }
  }
  for (guint i = 0; i < vcpus->len && i < TIMELINES_MAX; i++) {
    const KvmmmuVcpuRoots *v = vcpus->pdata[i];
    KvmmmuTimeline *tl = kvmmmu_html_timeline(h, v->capture, v->kvm, v->vcpu);

    if (tl)
      kvmmmu_timeline_hold_until(tl, v->last_ts);
    g_string_append(out, "<figure class=\"vcpu\">\n<figcaption>");
    if (many_vms)
      g_string_append_printf(out, "VM %u ", v->vm_index);
    g_string_append_printf(out, "vCPU %u", v->vcpu);
    if (v->capture > 1)
      g_string_append_printf(out, " (capture %u)", v->capture);
    g_string_append_printf(out, ": %" G_GUINT64_FORMAT " loads, %u root%s", v->loads, g_hash_table_size(v->distinct),
                           g_hash_table_size(v->distinct) == 1 ? "" : "s");
    if (tl && tl->changes)
      g_string_append_printf(out, ", %" G_GUINT64_FORMAT " root change%s", tl->changes,
                             tl->changes == 1 ? "" : "s");
    if (tl && tl->snaps->len)
      g_string_append_printf(out, ", %u snapshot%s", tl->snaps->len, tl->snaps->len == 1 ? "" : "s");
    if (tl && tl->snaps_dropped)
      g_string_append_printf(out, " (%" G_GUINT64_FORMAT " more not drawn)", tl->snaps_dropped);
    if (!tl && h->timelines_full)
      g_string_append_printf(out, " (no timeline kept: more than %u vCPUs)",
                             KVMMMU_TIMELINE_VCPUS_MAX);
    /* a vCPU known only from load_rate records, or from switches, has no
     * root to draw */
    if (!tl || kvmmmu_timeline_n_lanes(tl) == 0) {
      if (tl || !h->timelines_full)
        g_string_append(out, ", no root seen");
      g_string_append(out, "</figcaption>\n</figure>\n");
      continue;
    }
    g_string_append(out, "</figcaption>\n<div class=\"wide\">\n");
    draw_timeline(h, out, tl, t0, t1);
    g_string_append(out, "</div>\n</figure>\n");
  }
  if (vcpus->len > TIMELINES_MAX)
    g_string_append_printf(out, "<p class=\"note\">%u vCPUs: the first %u drawn, %u left out "
                                "(all are in the table).</p>\n",
                           vcpus->len, TIMELINES_MAX, vcpus->len - TIMELINES_MAX);
  g_string_append(out, "</section>\n");
}

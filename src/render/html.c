/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html.c - the report as one HTML page.  Charts are drawn with cairo onto
 * its SVG surface in memory, walk trees are the walks renderer's DOT laid
 * out by Graphviz's libgvc; both are inlined with their ids made unique to
 * the page.  No scripts: a step's path opens in a <details>.
 */
#include <math.h>
#include <string.h>

#include <cairo-svg.h>
#include <cairo.h>
#include <graphviz/gvc.h>

#include "render/html.h"
#include "render/render-private.h"

/* Snapshot observations kept per vCPU for its timeline. */
#define SNAP_POINTS_MAX 1024
/* Root lanes drawn per timeline; later roots share the last lane. */
#define LANES_MAX 12
/* vCPUs drawn; the rest are only in the table. */
#define TIMELINES_MAX 64

typedef struct {
  guint64 ts_ns;
  guint64 root_hpa;
} SnapPoint;

struct _KvmmmuHtml {
  guint max_walks;
  guint64 walks_seen, walks_drawn, walks_bad;
  guint svg_serial;          /* makes ids unique across the page */
  gboolean have_origin;
  guint64 origin_ns;
  GVC_t *gvc;
  GString *walks;            /* the walks section's articles */
  GString *dot;              /* scratch */
  GString *error;            /* the first Graphviz failure */
  GHashTable *snaps;         /* vcpu key -> GArray of SnapPoint */
};

static const char *const palette[] = {
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

KvmmmuHtml *
kvmmmu_html_new(guint max_walks)
{
  KvmmmuHtml *h = g_new0(KvmmmuHtml, 1);

  h->max_walks = max_walks;
  h->walks = g_string_new("");
  h->dot = g_string_new("");
  h->snaps = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                   (GDestroyNotify)g_array_unref);
  return h;
}

void
kvmmmu_html_free(KvmmmuHtml *h)
{
  if (!h)
    return;
  if (h->gvc)
    gvFreeContext(h->gvc);
  g_string_free(h->walks, TRUE);
  g_string_free(h->dot, TRUE);
  if (h->error)
    g_string_free(h->error, TRUE);
  g_hash_table_destroy(h->snaps);
  g_free(h);
}

void
kvmmmu_html_set_origin(KvmmmuHtml *h, guint64 origin_ns)
{
  if (!h->have_origin)
    h->origin_ns = origin_ns;
  h->have_origin = TRUE;
}

/* ---- text ---------------------------------------------------------- */

static void
esc(GString *out, const char *s)
{
  g_autofree char *e = g_markup_escape_text(s, -1);

  g_string_append(out, e);
}

static void G_GNUC_PRINTF(2, 3)
escf(GString *out, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *s = NULL;

  va_start(ap, fmt);
  s = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  esc(out, s);
}

/* ---- inlining SVG -------------------------------------------------- */

/* Append the <svg> element of a whole SVG document: the prolog dropped,
 * class set, every id and reference to one prefixed so that several
 * drawings share a page, and a size in pt turned into CSS px by scale. */
static void
inline_svg(KvmmmuHtml *h, GString *out, const char *svg, gsize len, const char *cls,
           double scale)
{
  const char *p = g_strstr_len(svg, len, "<svg");
  const char *end = svg + len;
  g_autofree char *prefix = g_strdup_printf("k%u-", ++h->svg_serial);
  gboolean in_root = TRUE;

  if (!p)
    return;
  g_string_append_printf(out, "<svg class=\"%s\"", cls);
  p += 4;
  while (p < end) {
    static const char *const refs[] = { " id=\"", "href=\"#", "url(#" };
    gboolean done = FALSE;

    if (in_root && *p == '>')
      in_root = FALSE;
    /* width="715pt" in the root: CSS px */
    if (in_root && (strncmp(p, " width=\"", 8) == 0 || strncmp(p, " height=\"", 9) == 0)) {
      const char *v = strchr(p, '"') + 1;
      char *num_end;
      double n = g_ascii_strtod(v, &num_end);

      if (num_end != v) {
        const char *close = strchr(num_end, '"');

        if (close) {
          g_string_append_len(out, p, v - p);
          g_string_append_printf(out, "%.0f\"", ceil(n * scale));
          p = close + 1;
          continue;
        }
      }
    }
    for (guint r = 0; r < G_N_ELEMENTS(refs) && !done; r++) {
      gsize n = strlen(refs[r]);

      if ((gsize)(end - p) >= n && memcmp(p, refs[r], n) == 0) {
        g_string_append_len(out, p, n);
        g_string_append(out, prefix);
        p += n;
        done = TRUE;
      }
    }
    if (!done)
      g_string_append_c(out, *p++);
  }
  while (out->len && (out->str[out->len - 1] == '\n' || out->str[out->len - 1] == ' '))
    g_string_truncate(out, out->len - 1);
  g_string_append_c(out, '\n');
}

static cairo_status_t
svg_write(void *closure, const unsigned char *data, unsigned int length)
{
  g_string_append_len(closure, (const char *)data, length);
  return CAIRO_STATUS_SUCCESS;
}

typedef struct {
  cairo_surface_t *surface;
  cairo_t *cr;
  GString *svg;
} Canvas;

static void
canvas_open(Canvas *c, double w, double hgt)
{
  c->svg = g_string_new("");
  c->surface = cairo_svg_surface_create_for_stream(svg_write, c->svg, w, hgt);
  cairo_svg_surface_restrict_to_version(c->surface, CAIRO_SVG_VERSION_1_1);
  c->cr = cairo_create(c->surface);
  cairo_select_font_face(c->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(c->cr, 11);
  cairo_set_source_rgb(c->cr, 1, 1, 1);
  cairo_paint(c->cr);
}

/* Finish the drawing and inline it. */
static void
canvas_close(KvmmmuHtml *h, Canvas *c, GString *out, const char *cls)
{
  cairo_destroy(c->cr);
  cairo_surface_finish(c->surface);
  cairo_surface_destroy(c->surface);
  inline_svg(h, out, c->svg->str, c->svg->len, cls, 1.0);
  g_string_free(c->svg, TRUE);
}

static void
set_hex(cairo_t *cr, const char *hex, double alpha)
{
  unsigned v = (unsigned)strtoul(hex + 1, NULL, 16);

  cairo_set_source_rgba(cr, ((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0,
                        (v & 0xff) / 255.0, alpha);
}

/* Text with its anchor: ax 0 left, 0.5 centre, 1 right; baseline at y. */
static void
text_at(cairo_t *cr, double x, double y, double ax, const char *s)
{
  cairo_text_extents_t e;

  cairo_text_extents(cr, s, &e);
  cairo_move_to(cr, x - e.x_advance * ax, y);
  cairo_show_text(cr, s);
}

/* ---- labels -------------------------------------------------------- */

static char *
fmt_count(guint64 v)
{
  if (v < 10000)
    return g_strdup_printf("%" G_GUINT64_FORMAT, v);
  if (v < 10000000)
    return g_strdup_printf("%.0fk", v / 1e3);
  if (v < 10000000000ull)
    return g_strdup_printf("%.0fM", v / 1e6);
  return g_strdup_printf("%.0fG", v / 1e9);
}

static char *
fmt_ns(gint64 v)
{
  double a = fabs((double)v);

  if (a < 1e3)
    return g_strdup_printf("%" G_GINT64_FORMAT "ns", v);
  if (a < 1e6)
    return g_strdup_printf("%.3gµs", v / 1e3);
  if (a < 1e9)
    return g_strdup_printf("%.3gms", v / 1e6);
  return g_strdup_printf("%.3gs", v / 1e9);
}

static char *
fmt_value(gint64 v, gboolean ns)
{
  return ns ? fmt_ns(v) : v < 0 ? g_strdup_printf("%" G_GINT64_FORMAT, v) : fmt_count((guint64)v);
}

/* A bucket's label: its value, or its range when it holds several. */
static char *
bucket_label(const KvmmmuHist *hist, guint b, gboolean ns)
{
  gint64 lo = kvmmmu_hist_bucket_value(hist, b), hi;
  g_autofree char *a = NULL, *z = NULL;

  if (hist->type == KVMMMU_HIST_LINEAR) {
    if (b == 0)
      return g_strconcat("<", a = fmt_value(hist->start, ns), NULL);
    if (b == hist->n_buckets - 1)
      return g_strconcat("≥", a = fmt_value(hist->stop, ns), NULL);
    hi = lo + hist->interval - 1;
  } else
    hi = lo > 0 ? lo * 2 - 1 : lo < 0 ? lo * 2 + 1 : 0;
  a = fmt_value(lo, ns);
  if (hi == lo)
    return g_steal_pointer(&a);
  z = fmt_value(hi, ns);
  return g_strconcat(a, "–", z, NULL);
}

/* A round step for an axis reaching max with about n ticks. */
static double
nice_step(double max, int n)
{
  double raw = max / n, mag = pow(10, floor(log10(raw))), f = raw / mag;

  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/* ---- histograms ---------------------------------------------------- */

#define CHART_W 720
#define CHART_H 260

static void
draw_hist(KvmmmuHtml *h, GString *out, const KvmmmuHist *hist, gboolean ns,
          const char *xlabel, const char *ylabel, const char *empty)
{
  const double left = 56, right = 16, top = 16, bottom = 58;
  const double pw = CHART_W - left - right, ph = CHART_H - top - bottom;
  Canvas c;
  cairo_t *cr;
  int low = -1, high = -1;
  guint64 vmax = 0;

  canvas_open(&c, CHART_W, CHART_H);
  cr = c.cr;
  for (guint i = 0; i < hist->n_buckets; i++)
    if (hist->buckets[i]) {
      if (low < 0)
        low = i;
      high = i;
      vmax = MAX(vmax, hist->buckets[i]);
    }
  cairo_set_line_width(cr, 1);
  if (low < 0) {
    set_hex(cr, "#555555", 1);
    cairo_set_font_size(cr, 14);
    text_at(cr, CHART_W / 2.0, CHART_H / 2.0, 0.5, empty);
  } else {
    /* Buckets from the first to the last that holds a value; a log
     * histogram whose data starts at 1 shows its zero bucket too. */
    if (hist->type == KVMMMU_HIST_LOG && low == KVMMMU_HIST_LOG_BUCKET0 + 1)
      low--;
    guint n = high - low + 1;
    double step = nice_step(vmax, 4), ymax = ceil(vmax / step) * step;
    double slot = pw / n, bw = MAX(1.0, slot * 0.8);
    guint label_every = 1;

    /* y grid and labels */
    cairo_set_font_size(cr, 10);
    for (double y = 0; y <= ymax + step / 2; y += step) {
      double py = top + ph - ph * y / ymax;
      g_autofree char *l = fmt_count((guint64)y);

      set_hex(cr, "#e0e0e0", 1);
      cairo_move_to(cr, left, floor(py) + 0.5);
      cairo_line_to(cr, left + pw, floor(py) + 0.5);
      cairo_stroke(cr);
      set_hex(cr, "#444444", 1);
      text_at(cr, left - 6, py + 3.5, 1, l);
    }
    /* x labels must not overlap: thin them when the slots are narrow */
    for (guint i = 0; i < n; i++) {
      g_autofree char *l = bucket_label(hist, low + i, ns);
      cairo_text_extents_t e;

      cairo_text_extents(cr, l, &e);
      while (e.x_advance + 6 > slot * label_every)
        label_every++;
    }
    for (guint i = 0; i < n; i++) {
      guint64 v = hist->buckets[low + i];
      double bh = ph * v / ymax, x = left + slot * i + (slot - bw) / 2;

      set_hex(cr, "#3b78b8", 1);
      cairo_rectangle(cr, x, top + ph - bh, bw, bh);
      cairo_fill(cr);
      set_hex(cr, "#222222", 1);
      if (v && slot >= 16) {
        g_autofree char *l = fmt_count(v);

        text_at(cr, x + bw / 2, top + ph - bh - 3, 0.5, l);
      }
      if (i % label_every == 0) {
        g_autofree char *l = bucket_label(hist, low + i, ns);

        set_hex(cr, "#444444", 1);
        text_at(cr, left + slot * i + slot / 2, top + ph + 14, 0.5, l);
      }
    }
    set_hex(cr, "#444444", 1);
    cairo_move_to(cr, left + 0.5, top);
    cairo_line_to(cr, left + 0.5, top + ph + 0.5);
    cairo_line_to(cr, left + pw, top + ph + 0.5);
    cairo_stroke(cr);
  }
  set_hex(cr, "#222222", 1);
  cairo_set_font_size(cr, 11);
  text_at(cr, left + pw / 2, CHART_H - 12, 0.5, xlabel);
  cairo_save(cr);
  cairo_translate(cr, 13, top + ph / 2);
  cairo_rotate(cr, -G_PI / 2);
  text_at(cr, 0, 0, 0.5, ylabel);
  cairo_restore(cr);
  canvas_close(h, &c, out, "chart");
}

static void
hist_section(KvmmmuHtml *h, GString *out, const char *id, const char *title,
             const KvmmmuEventHist *eh, const KvmmmuStats *stats)
{
  const KvmmmuHist *hist = eh->hist;
  g_autoptr(GString) text = g_string_new("");
  g_autofree char *unit = eh->latency ? g_strdup("ns")
                          : g_strdup_printf("per %.9g s", eh->interval_ns / 1e9);
  g_autofree char *xlabel = eh->latency ? g_strdup("kvm_mmu_load duration")
                            : g_strdup_printf("kvm_mmu_load calls per %.9g s interval",
                                              eh->interval_ns / 1e9);

  g_string_append_printf(out, "<section id=\"%s\">\n<h2>", id);
  esc(out, title);
  g_string_append(out, "</h2>\n<p class=\"lead\">");
  if (eh->latency)
    escf(out, "%s: %" G_GUINT64_FORMAT " loads", kvmmmu_event_hist_what(eh), hist->count);
  else
    escf(out, "%s %s: %" G_GUINT64_FORMAT " intervals, %" G_GUINT64_FORMAT " events",
         kvmmmu_event_hist_what(eh), unit, eh->intervals, eh->events_total);
  g_string_append(out, "</p>\n<figure>\n");
  draw_hist(h, out, hist, eh->latency, xlabel, eh->latency ? "loads" : "intervals",
            eh->latency ? "no kvm_mmu_load records: no latency to show"
                        : "no kvm_mmu_load or load_rate records: no rate to show");
  g_string_append(out, "<figcaption>");
  if (hist->count) {
    kvmmmu_render_hist_stats(text, hist);
    g_strchomp(text->str);
    esc(out, text->str);
    if (eh->latency)
      g_string_append(out, " (ns)");
  } else
    g_string_append(out, "no values");
  if (eh->partial_ns)
    escf(out, "; the capture is shorter than one interval: its %.6fs count as one",
         eh->partial_ns / 1e9);
  if (eh->partial_left_ns)
    escf(out, "; a last, partial interval of %.6fs is left out", eh->partial_left_ns / 1e9);
  g_string_append(out, "</figcaption>\n</figure>\n");
  if (hist->count) {
    g_string_truncate(text, 0);
    kvmmmu_render_loss_note(text, stats);
    kvmmmu_render_hist_stap(text, hist);
    g_string_append(out, "<details><summary>as SystemTap prints it</summary>\n<pre>");
    esc(out, text->str);
    g_string_append(out, "</pre></details>\n");
  }
  g_string_append(out, "</section>\n");
}

/* ---- root timelines ------------------------------------------------ */

void
kvmmmu_html_add_snapshot(KvmmmuHtml *h, const KvmmmuRootSnapshot *s)
{
  for (guint i = 0; i < s->entries->len; i++) {
    const KvmmmuVcpuRoot *e = &g_array_index(s->entries, KvmmmuVcpuRoot, i);
    guint64 key = kvmmmu_vcpu_key(e->kvm, e->vcpu);
    GArray *a = g_hash_table_lookup(h->snaps, &key);
    SnapPoint p = { s->ts_ns, e->root_hpa };

    if (!a) {
      a = g_array_new(FALSE, FALSE, sizeof(SnapPoint));
      g_hash_table_insert(h->snaps, g_memdup2(&key, sizeof key), a);
    }
    if (a->len < SNAP_POINTS_MAX)
      g_array_append_val(a, p);
  }
}

/* The lane of root, added in order of first appearance; past
 * LANES_MAX - 1 roots, the last lane holds all the others. */
static guint
lane_of(GArray *lanes, guint64 root, gboolean *others)
{
  for (guint i = 0; i < lanes->len; i++)
    if (g_array_index(lanes, guint64, i) == root)
      return i;
  if (lanes->len < LANES_MAX - 1) {
    g_array_append_val(lanes, root);
    return lanes->len - 1;
  }
  *others = TRUE;
  return LANES_MAX - 1;
}

static void
draw_timeline(KvmmmuHtml *h, GString *out, const KvmmmuVcpuRoots *v, GArray *points,
              guint64 t0, guint64 t1)
{
  const double left = 132, right = 18, top = 8, lane_h = 18, axis = 30;
  g_autoptr(GArray) lanes = g_array_new(FALSE, FALSE, sizeof(guint64));
  double span = t1 > t0 ? (double)(t1 - t0) : 1, pw = CHART_W - left - right;
  double height, step;
  gboolean others = FALSE;
  guint n_lanes;
  Canvas c;
  cairo_t *cr;

  for (guint i = 0; i < v->seq->len; i++)
    lane_of(lanes, g_array_index(v->seq, KvmmmuRootChange, i).root_hpa, &others);
  for (guint i = 0; points && i < points->len; i++)
    lane_of(lanes, g_array_index(points, SnapPoint, i).root_hpa, &others);
  n_lanes = lanes->len + (others ? 1 : 0);
  height = top + MAX(n_lanes, 1) * lane_h + axis;

  canvas_open(&c, CHART_W, height);
  cr = c.cr;
#define X_OF(ts) (left + pw * (((ts) < t0 ? 0 : (double)((ts) - t0)) / span))
  /* lanes */
  cairo_set_font_size(cr, 10);
  cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  for (guint l = 0; l < n_lanes; l++) {
    double y = top + l * lane_h;
    g_autofree char *label = l < lanes->len
                               ? g_strdup_printf(X64, g_array_index(lanes, guint64, l))
                               : g_strdup("other roots");

    set_hex(cr, l % 2 ? "#ffffff" : "#f3f5f8", 1);
    cairo_rectangle(cr, left, y, pw, lane_h);
    cairo_fill(cr);
    set_hex(cr, palette[l % G_N_ELEMENTS(palette)], 1);
    text_at(cr, left - 6, y + lane_h / 2 + 3.5, 1, label);
  }
  if (n_lanes == 0) {
    set_hex(cr, "#555555", 1);
    text_at(cr, left + pw / 2, top + lane_h / 2 + 3.5, 0.5, "no root seen");
  }
  /* roots loaded: from each change to the next (the last to the vCPU's
   * last record) */
  for (guint i = 0; i < v->seq->len; i++) {
    const KvmmmuRootChange *ch = &g_array_index(v->seq, KvmmmuRootChange, i);
    guint64 until = i + 1 < v->seq->len ? g_array_index(v->seq, KvmmmuRootChange, i + 1).ts_ns
                                        : MAX(v->last_ts, ch->ts_ns);
    guint l = lane_of(lanes, ch->root_hpa, &others);
    double x0 = X_OF(ch->ts_ns), x1 = MAX(X_OF(until), x0 + 2);
    double y = top + l * lane_h;

    set_hex(cr, palette[l % G_N_ELEMENTS(palette)], ch->returning ? 0.55 : 0.9);
    cairo_rectangle(cr, x0, y + 4, x1 - x0, lane_h - 8);
    cairo_fill(cr);
    set_hex(cr, "#222222", 1);
    cairo_rectangle(cr, x0, y + 2, 1.5, lane_h - 4);
    cairo_fill(cr);
  }
  /* snapshots: a ring where the vCPU's root was read */
  for (guint i = 0; points && i < points->len; i++) {
    const SnapPoint *p = &g_array_index(points, SnapPoint, i);
    guint l = lane_of(lanes, p->root_hpa, &others);
    double x = X_OF(p->ts_ns), y = top + l * lane_h + lane_h / 2;

    cairo_new_path(cr);
    cairo_arc(cr, x, y, 5, 0, 2 * G_PI);
    set_hex(cr, palette[l % G_N_ELEMENTS(palette)], 1);
    cairo_fill_preserve(cr);
    set_hex(cr, "#222222", 1);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
  }
  /* time axis, seconds from the start of the capture */
  {
    double ay = top + MAX(n_lanes, 1) * lane_h + 0.5;

    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    set_hex(cr, "#444444", 1);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, left, ay);
    cairo_line_to(cr, left + pw, ay);
    cairo_stroke(cr);
    step = nice_step(span / 1e9, 6);
    for (double s = 0; s <= span / 1e9 + step / 1000; s += step) {
      double x = left + pw * (s * 1e9 / span);
      g_autofree char *l = g_strdup_printf("%gs", (double)(t0 - h->origin_ns) / 1e9 + s);

      cairo_move_to(cr, floor(x) + 0.5, ay);
      cairo_line_to(cr, floor(x) + 0.5, ay + 4);
      cairo_stroke(cr);
      text_at(cr, x, ay + 16, 0.5, l);
    }
  }
#undef X_OF
  canvas_close(h, &c, out, "timeline");
}

static void
roots_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  g_autoptr(GPtrArray) vcpus = kvmmmu_roots_sorted(page->roots);
  gboolean many_vms = kvmmmu_roots_n_vms(page->roots) > 1;
  guint64 t0 = h->origin_ns, t1 = MAX(kvmmmu_stats_end_ns(page->stats), t0);

  g_string_append(out, "<section id=\"roots\">\n<h2>vCPU roots</h2>\n");
  if (vcpus->len == 0) {
    g_string_append(out, "<p class=\"lead\">No vCPU in this capture: no load, switch, "
                         "vcpu_root or load_rate record.</p>\n</section>\n");
    return;
  }
  g_string_append(out, "<p class=\"lead\">Which root each vCPU had over time. Bars: the root "
                       "each kvm_mmu_load returned, until the next one (pale: a root this vCPU "
                       "had before). Rings: a snapshot read the vCPU's root_hpa.</p>\n");
  g_string_append(out, "<table class=\"data\">\n<thead><tr><th>vCPU</th><th>loads</th>"
                       "<th>fresh</th><th>returning</th><th>distinct roots</th>"
                       "<th>prev_roots hit/miss</th><th>counted loads</th>"
                       "<th>mean load</th><th>max load</th></tr></thead>\n<tbody>\n");
  for (guint i = 0; i < vcpus->len; i++) {
    const KvmmmuVcpuRoots *v = vcpus->pdata[i];
    g_autofree char *mean = v->loads ? fmt_ns(v->dur_total_ns / v->loads) : g_strdup("-");
    g_autofree char *max = v->loads ? fmt_ns(v->dur_max_ns) : g_strdup("-");

    g_string_append_printf(out, "<tr><td>");
    if (many_vms)
      g_string_append_printf(out, "VM %u ", v->vm_index);
    g_string_append_printf(out, "%u</td><td>%" G_GUINT64_FORMAT "</td><td>%" G_GUINT64_FORMAT
                           "</td><td>%" G_GUINT64_FORMAT "</td><td>%u%s</td><td>%"
                           G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "</td><td>%" G_GUINT64_FORMAT
                           "</td><td>", v->vcpu, v->loads, v->fresh, v->returning,
                           g_hash_table_size(v->distinct), v->distinct_overflow ? "+" : "",
                           v->switch_hit, v->switch_miss, v->counted_loads);
    esc(out, mean);
    g_string_append(out, "</td><td>");
    esc(out, max);
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");
  for (guint i = 0; i < vcpus->len && i < TIMELINES_MAX; i++) {
    const KvmmmuVcpuRoots *v = vcpus->pdata[i];
    guint64 key = kvmmmu_vcpu_key(v->kvm, v->vcpu);
    GArray *points = g_hash_table_lookup(h->snaps, &key);

    g_string_append(out, "<figure class=\"vcpu\">\n<figcaption>");
    if (many_vms)
      g_string_append_printf(out, "VM %u ", v->vm_index);
    g_string_append_printf(out, "vCPU %u: %" G_GUINT64_FORMAT " loads, %u root%s",
                           v->vcpu, v->loads, g_hash_table_size(v->distinct),
                           g_hash_table_size(v->distinct) == 1 ? "" : "s");
    if (points)
      g_string_append_printf(out, ", %u snapshot%s", points->len, points->len == 1 ? "" : "s");
    if (v->seq_dropped)
      g_string_append_printf(out, " (the first %u root changes drawn, %" G_GUINT64_FORMAT
                             " more left out)", v->seq->len, v->seq_dropped);
    g_string_append(out, "</figcaption>\n");
    draw_timeline(h, out, v, points, t0, t1);
    g_string_append(out, "</figure>\n");
  }
  if (vcpus->len > TIMELINES_MAX)
    g_string_append_printf(out, "<p class=\"note\">%u vCPUs: the first %u drawn, %u left out "
                                "(all are in the table).</p>\n",
                           vcpus->len, TIMELINES_MAX, vcpus->len - TIMELINES_MAX);
  g_string_append(out, "</section>\n");
}

/* ---- walks --------------------------------------------------------- */

/* One walk's DOT (step < 0: none highlighted) laid out and inlined. */
static void
draw_walk(KvmmmuHtml *h, GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
          const KvmmmuKernelLayout *layout, int step, const char *cls)
{
  Agraph_t *g;
  char *data = NULL;
  unsigned int len = 0;

  g_string_assign(h->dot, "digraph walk {\n  graph [nodesep=0.2, ranksep=0.35, fontname=\"DejaVu Sans\", "
                          "fontsize=11];\n  node [fontname=\"DejaVu Sans Mono\", fontsize=10, "
                          "margin=\"0.08,0.04\"];\n  edge [fontname=\"DejaVu Sans Mono\", fontsize=9, "
                          "color=\"#555555\"];\n");
  kvmmmu_render_walk_dot_step(h->dot, t, origin_ns, layout, step);
  g_string_append(h->dot, "}\n");

  if (!h->gvc)
    h->gvc = gvContext();
  g = agmemread(h->dot->str);
  if (!g || gvLayout(h->gvc, g, "dot") != 0 ||
      gvRenderData(h->gvc, g, "svg", &data, &len) != 0) {
    if (!h->error)
      h->error = g_string_new("");
    if (!h->error->len)
      g_string_printf(h->error, "Failed to draw walk %" G_GUINT64_FORMAT " with Graphviz: %s",
                      t->rec.walk, aglasterr() ? aglasterr() : "no message");
    g_string_append(out, "<p class=\"bad\">Graphviz could not draw this walk.</p>\n");
  } else
    inline_svg(h, out, data, len, cls, 4.0 / 3.0);
  if (data)
    gvFreeRenderData(data);
  if (g) {
    gvFreeLayout(h->gvc, g);
    agclose(g);
  }
}

void
kvmmmu_html_add_walk(KvmmmuHtml *h, const KvmmmuWalkTree *t, guint64 origin_ns,
                     const KvmmmuKernelLayout *layout)
{
  GString *out = h->walks;
  gboolean ok = kvmmmu_walk_tree_ok(t);
  guint ok_steps = t->steps->len - t->n_steps_bad;
  g_autoptr(GString) s = g_string_new("");

  h->walks_seen++;
  if (!ok)
    h->walks_bad++;
  if (h->walks_drawn >= h->max_walks)
    return;
  h->walks_drawn++;

  kvmmmu_render_reltime(s, t->ts_ns, origin_ns);
  g_string_append_printf(out, "<article class=\"walk\" id=\"walk-%" G_GUINT64_FORMAT "-%"
                              G_GUINT64_FORMAT "\">\n<h3>walk %" G_GUINT64_FORMAT " <span class=\"%s\">%s</span></h3>\n"
                              "<p class=\"meta\">at %s on cpu %u, round %u: %u pages, %u leaves, "
                              "%u steps, parent <code>" X64 "</code></p>\n",
                         t->rec.walk, h->walks_drawn, t->rec.walk, ok ? "ok" : "bad",
                         ok ? "checks ok" : "checks failed", s->str, t->cpu, t->rec.round,
                         t->rec.nr, t->n_leaves, t->steps->len, t->rec.parent);
  g_string_append(out, "<div class=\"tree\">\n");
  draw_walk(h, out, t, origin_ns, layout, -1, "walk-tree");
  g_string_append(out, "</div>\n");
  g_string_append_printf(out, "<p class=\"meta\">depth-first order: %s; step paths "
                              "root-to-leaf: %u/%u ok",
                         t->dfs_ok ? "ok" : "<b>wrong</b>", ok_steps, t->steps->len);
  if (t->n_leaves_unstepped)
    g_string_append_printf(out, "; <b>%u leaves not zapped</b>", t->n_leaves_unstepped);
  if (t->rec.nr == KVMMMU_MAX_WALK_PAGES)
    g_string_append(out, "; array full: mmu_unsync_walk returned -ENOSPC and the walk restarts");
  g_string_append(out, "</p>\n");
  g_string_truncate(s, 0);
  kvmmmu_render_walk_violations(s, t);
  if (s->len) {
    g_string_append(out, "<pre class=\"problems\">");
    esc(out, s->str);
    g_string_append(out, "</pre>\n");
  }
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    const KvmmmuStep *st = &ws->step;

    g_string_append_printf(out, "<details class=\"step\"><summary>step %u: <code>[%u] " X64
                                "</code> via", k + 1, st->i, st->sp);
    for (guint d = st->depth; d-- > 0;)
      g_string_append_printf(out, " L%u <code>" X64 "</code>%s",
                             KVMMMU_ROLE_LEVEL(st->items[d].role), st->items[d].sp,
                             d ? " →" : "");
    if (ws->verdict == KVMMMU_STEP_OK)
      g_string_append(out, " <span class=\"ok\">path ok</span>");
    else {
      g_string_append(out, " <span class=\"bad\">");
      esc(out, ws->why);
      g_string_append(out, "</span>");
    }
    g_string_append(out, "</summary>\n");
    draw_walk(h, out, t, origin_ns, layout, k, "step-tree");
    g_string_append(out, "</details>\n");
  }
  g_string_append(out, "</article>\n");
}

static void
walks_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuWalkTally *ty = page->tally;

  g_string_append(out, "<section id=\"walks\">\n<h2>Walks</h2>\n<p class=\"lead\">");
  if (h->walks_seen == 0) {
    g_string_append(out, "No walk in this capture.</p>\n</section>\n");
    return;
  }
  g_string_append_printf(out, "%" G_GUINT64_FORMAT " walk%s, %" G_GUINT64_FORMAT " drawn",
                         h->walks_seen, h->walks_seen == 1 ? "" : "s", h->walks_drawn);
  if (h->walks_seen > h->walks_drawn)
    g_string_append_printf(out, ", <b>%" G_GUINT64_FORMAT " left out</b> (--max-walks %u)",
                           h->walks_seen - h->walks_drawn, h->max_walks);
  g_string_append_printf(out, ". Checks: %" G_GUINT64_FORMAT " not in depth-first order, %"
                              G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " step paths wrong, %"
                              G_GUINT64_FORMAT " leaves not zapped.</p>\n",
                         ty->not_depth_first, ty->steps_bad, ty->steps, ty->leaves_unzapped);
  g_string_append(out, "<p class=\"legend\">Each box is a shadow page in walk order "
                       "(<code>[index]</code>, level, sp, gfn, role), each edge is labelled "
                       "with the child's index in its parent; <span class=\"unsync\">filled"
                       "</span>: unsync. Open a step to see its path from the root to the "
                       "leaf it zapped, <span class=\"path\">in red</span>.</p>\n");
  g_string_append_len(out, h->walks->str, h->walks->len);
  g_string_append(out, "</section>\n");
}

/* ---- summary ------------------------------------------------------- */

static void
json_value(GString *out, const KvmmmuJson *n)
{
  switch (n->type) {
  case KVMMMU_JSON_BOOL:
    g_string_append(out, n->v.b ? "yes" : "no");
    break;
  case KVMMMU_JSON_STRING:
    esc(out, *n->v.s ? n->v.s : "-");
    break;
  case KVMMMU_JSON_INT:
    if (n->is_unsigned)
      g_string_append_printf(out, "%" G_GUINT64_FORMAT, (guint64)n->v.i);
    else
      g_string_append_printf(out, "%" G_GINT64_FORMAT, n->v.i);
    break;
  case KVMMMU_JSON_NULL:
    g_string_append(out, "none");
    break;
  case KVMMMU_JSON_DOUBLE:
    g_string_append_printf(out, "%g", n->v.d);
    break;
  default:
    break;
  }
}

/* The summary's facts, from the same JSON `summary --format json` prints:
 * scalars as rows, objects (records, lost) as tables of their own. */
static void
summary_section(GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuStats *s = page->stats;
  g_autoptr(KvmmmuJson) root = kvmmmu_render_summary_json(s, s->per_kind[KVMMMU_RECORD_WALK],
                                                        page->bad_lines);
  const GPtrArray *members = root->v.items;
  g_autoptr(GString) note = g_string_new("");

  g_string_append(out, "<section id=\"summary\">\n<h2>Summary</h2>\n");
  kvmmmu_render_loss_note(note, s);
  if (note->len) {
    g_strchomp(note->str);
    g_string_append(out, "<p class=\"warn\">");
    esc(out, note->str);
    g_string_append(out, "</p>\n");
  } else
    g_string_append(out, "<p class=\"good\">Nothing lost: no gap in any CPU's records, "
                         "the trailer agrees, SystemTap reported no error.</p>\n");
  if (page->bad_lines)
    g_string_append_printf(out, "<p class=\"warn\">%" G_GUINT64_FORMAT " bad line%s skipped.</p>\n",
                           page->bad_lines, page->bad_lines == 1 ? "" : "s");
  g_string_append(out, "<div class=\"facts\">\n<table class=\"data\">\n<tbody>\n");
  for (guint m = 0; m < members->len; m++) {
    const KvmmmuJson *n = g_ptr_array_index(members, m);

    if (n->type == KVMMMU_JSON_OBJECT || n->type == KVMMMU_JSON_ARRAY)
      continue;
    g_string_append(out, "<tr><th>");
    esc(out, n->name);
    g_string_append(out, "</th><td>");
    if (strcmp(n->name, "span_ns") == 0 && n->type == KVMMMU_JSON_INT)
      escf(out, "%.6f s", n->v.i / 1e9);
    else
      json_value(out, n);
    g_string_append(out, "</td></tr>\n");
  }
  {
    g_autoptr(GString) roles = g_string_new("");

    kvmmmu_render_roles_source(roles, page->layout);
    g_strchomp(roles->str);
    g_string_append(out, "<tr><th>roles</th><td>");
    esc(out, roles->str + strlen("roles: "));
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");
  for (guint m = 0; m < members->len; m++) {
    const KvmmmuJson *n = g_ptr_array_index(members, m);

    if (n->type != KVMMMU_JSON_OBJECT)
      continue;
    g_string_append(out, "<table class=\"data\">\n<thead><tr><th colspan=\"2\">");
    esc(out, n->name);
    g_string_append(out, "</th></tr></thead>\n<tbody>\n");
    for (guint k = 0; k < n->v.items->len; k++) {
      const KvmmmuJson *v = g_ptr_array_index(n->v.items, k);
      gboolean nonzero = v->type == KVMMMU_JSON_INT && v->v.i;

      g_string_append_printf(out, "<tr%s><th>", nonzero && strcmp(n->name, "lost") == 0
                                                    ? " class=\"warn\"" : "");
      esc(out, v->name);
      g_string_append(out, "</th><td>");
      json_value(out, v);
      g_string_append(out, "</td></tr>\n");
    }
    g_string_append(out, "</tbody>\n</table>\n");
  }
  g_string_append(out, "</div>\n</section>\n");
}

/* ---- the page ------------------------------------------------------ */

static const char page_style[] =
  "body{font:14px/1.45 \"DejaVu Sans\",system-ui,sans-serif;color:#1d2330;background:#fafbfc;"
  "margin:0 auto;max-width:1180px;padding:0 24px 48px}\n"
  "header{border-bottom:2px solid #3b78b8;padding:18px 0 8px}\n"
  "h1{font-size:24px;margin:0}h2{font-size:19px;margin:30px 0 6px;border-bottom:1px solid #d5dae2}"
  "h3{font-size:15px;margin:0 0 4px}\n"
  "nav a{margin-right:14px}a{color:#1f5fa8}\n"
  "code,pre{font-family:\"DejaVu Sans Mono\",monospace;font-size:12px}\n"
  "pre{background:#fff;border:1px solid #e1e4e8;padding:8px;overflow:auto}\n"
  ".lead,.legend,.meta{margin:4px 0 10px}.meta{color:#4a5160}\n"
  ".facts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
  "table.data{border-collapse:collapse;background:#fff;margin:6px 0}\n"
  "table.data th,table.data td{border:1px solid #dde1e7;padding:3px 10px;text-align:left}\n"
  "table.data td{font-variant-numeric:tabular-nums}table.data thead th{background:#eef2f7}\n"
  "tr.warn th,tr.warn td{background:#fff3cd}\n"
  "p.warn{background:#fff3cd;border:1px solid #e6c35c;padding:6px 10px}\n"
  "p.good{background:#e6f4ea;border:1px solid #9cd2aa;padding:6px 10px}\n"
  "span.ok{color:#1e7e34;font-weight:bold}span.bad,.bad{color:#b02a37;font-weight:bold}\n"
  "span.unsync{background:#f4c7a1;padding:0 4px}span.path{color:#c62828;font-weight:bold}\n"
  "figure{margin:10px 0 18px;background:#fff;border:1px solid #e1e4e8;padding:8px;"
  "display:inline-block;max-width:100%;box-sizing:border-box}\n"
  "figcaption{color:#333;margin:4px 0}\n"
  "svg{max-width:100%;height:auto;display:block}\n"
  "article.walk{background:#fff;border:1px solid #e1e4e8;padding:10px 14px;margin:14px 0}\n"
  "div.tree{overflow-x:auto}\n"
  "details.step{margin:3px 0}details.step summary{cursor:pointer}\n"
  "pre.problems{color:#b02a37}\n";

gboolean
kvmmmu_html_render(KvmmmuHtml *h, const KvmmmuHtmlPage *page, GString *out, GError **error)
{
  const KvmmmuHeader *hd = &page->stats->header;
  g_autofree char *inputs = page->inputs ? g_strjoinv(" ", (char **)page->inputs) : g_strdup("");

  g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>kvmmmu report: ");
  escf(out, "%s on %s", hd->release[0] ? hd->release : "?", hd->host[0] ? hd->host : "?");
  g_string_append_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
                              "<h1>KVM shadow MMU report</h1>\n<p class=\"meta\">",
                         page_style);
  escf(out, "kernel %s, host %s, script %s, %u capture%s, %.3f s; from %s",
       hd->release, hd->host, hd->script[0] ? hd->script : "-", page->stats->captures,
       page->stats->captures == 1 ? "" : "s",
       (kvmmmu_stats_end_ns(page->stats) > hd->start_ns
          ? kvmmmu_stats_end_ns(page->stats) - hd->start_ns : 0) / 1e9,
       inputs);
  g_string_append(out, "</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#load-rate\">"
                       "Load rate</a><a href=\"#load-latency\">Load latency</a><a href=\"#roots\">"
                       "vCPU roots</a><a href=\"#walks\">Walks</a></nav>\n</header>\n<main>\n");
  summary_section(out, page);
  hist_section(h, out, "load-rate", "kvm_mmu_load rate", page->rate, page->stats);
  hist_section(h, out, "load-latency", "kvm_mmu_load latency", page->latency, page->stats);
  roots_section(h, out, page);
  walks_section(h, out, page);
  g_string_append(out, "</main>\n</body>\n</html>\n");
  if (h->error) {
    g_set_error_literal(error, g_quark_from_static_string("kvmmmu-html-error"), 0, h->error->str);
    return FALSE;
  }
  return TRUE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-charts.c - charts drawn with cairo onto its SVG surface in memory
 * and inlined: the canvas and its labels, the kvm_mmu_load rate (its
 * histogram and loads per interval over time) and latency sections.
 */
#include <math.h>
#include <string.h>

#include <cairo-svg.h>

#include "format/count.h"
#include "render/html-private.h"

#define CHART_W KVMMMU_CHART_W
#define CHART_H KVMMMU_CHART_H

/* ---- the canvas ---------------------------------------------------- */

static cairo_status_t
svg_write(void *closure, const unsigned char *data, unsigned int length)
{
  g_string_append_len(closure, (const char *)data, length);
  return CAIRO_STATUS_SUCCESS;
}

void
kvmmmu_canvas_open(KvmmmuCanvas *c, double w, double h)
{
  c->svg = g_string_new("");
  c->surface = cairo_svg_surface_create_for_stream(svg_write, c->svg, w, h);
  cairo_svg_surface_restrict_to_version(c->surface, CAIRO_SVG_VERSION_1_1);
  c->cr = cairo_create(c->surface);
  cairo_select_font_face(c->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(c->cr, 11);
  cairo_set_source_rgb(c->cr, 1, 1, 1);
  cairo_paint(c->cr);
}

void
kvmmmu_canvas_close(KvmmmuHtml *h, KvmmmuCanvas *c, GString *out, const char *cls)
{
  g_autofree char *prefix = g_strdup_printf("k%u-", ++h->svg_serial);

  cairo_destroy(c->cr);
  cairo_surface_finish(c->surface);
  cairo_surface_destroy(c->surface);
  kvmmmu_svg_inline(out, c->svg->str, c->svg->len, cls, prefix, 1.0);
  g_string_free(c->svg, TRUE);
}

void
kvmmmu_canvas_hex(cairo_t *cr, const char *hex, double alpha)
{
  unsigned v = (unsigned)strtoul(hex + 1, NULL, 16);

  cairo_set_source_rgba(cr, ((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0,
                        (v & 0xff) / 255.0, alpha);
}

void
kvmmmu_canvas_text(cairo_t *cr, double x, double y, double ax, const char *s)
{
  cairo_text_extents_t e;

  cairo_text_extents(cr, s, &e);
  cairo_move_to(cr, x - e.x_advance * ax, y);
  cairo_show_text(cr, s);
}

/* ---- labels -------------------------------------------------------- */

char *
kvmmmu_html_fmt_count(guint64 v)
{
  if (v < 10000)
    return g_strdup_printf("%" G_GUINT64_FORMAT, v);
  if (v < 10000000)
    return g_strdup_printf("%.0fk", v / 1e3);
  if (v < 10000000000ull)
    return g_strdup_printf("%.0fM", v / 1e6);
  return g_strdup_printf("%.0fG", v / 1e9);
}

char *
kvmmmu_html_fmt_ns(gint64 v)
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
  return ns ? kvmmmu_html_fmt_ns(v)
            : v < 0 ? g_strdup_printf("%" G_GINT64_FORMAT, v) : kvmmmu_html_fmt_count((guint64)v);
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
    /* the last row may end past G_MAXINT64, which no value reaches */
    hi = lo > G_MAXINT64 - (hist->interval - 1) ? G_MAXINT64 : lo + (hist->interval - 1);
  } else
    /* [2^k, 2^(k+1) - 1], mirrored; bucket 0 holds G_MININT64 alone */
    hi = lo > 0 ? lo + (lo - 1) : lo == G_MININT64 ? lo : lo < 0 ? lo + (lo + 1) : 0;
  a = fmt_value(lo, ns);
  if (hi == lo)
    return g_steal_pointer(&a);
  z = fmt_value(hi, ns);
  return g_strconcat(a, "–", z, NULL);
}

double
kvmmmu_html_axis_step(double max, int n, gboolean counts)
{
  double raw, mag, f, step;

  if (!(max > 0))
    return 1;
  raw = max / n;
  mag = pow(10, floor(log10(raw)));
  f = raw / mag;
  step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  return counts && step < 1 ? 1 : step;
}

/* ---- axes ---------------------------------------------------------- */

/* "12.5s": v ns as seconds with at most dec decimals, trailing zeros
 * dropped. */
static char *
seconds_label(guint64 v, int dec)
{
  g_autofree char *frac = g_strdup_printf("%09" G_GUINT64_FORMAT, v % 1000000000u);
  int len = MIN(dec, 9);

  while (len > 0 && frac[len - 1] == '0')
    len--;
  frac[len] = '\0';
  return g_strdup_printf("%" G_GUINT64_FORMAT "%s%s" "s", v / 1000000000u, len ? "." : "", frac);
}

void
kvmmmu_html_time_ticks(guint64 t0, guint64 t1, guint64 origin_ns, int n,
                       KvmmmuTickFunc func, gpointer data)
{
  guint64 span = t1 > t0 ? t1 - t0 : 1;
  guint64 rel0 = t0 > origin_ns ? t0 - origin_ns : 0;
  guint64 rel1 = span > G_MAXUINT64 - rel0 ? G_MAXUINT64 : rel0 + span;
  double step_ns = kvmmmu_html_axis_step(span / 1e9, n, FALSE) * 1e9;
  /* (a round step past 2^63 ns, as a span near 2^64 asks, is 5e18: llround
   * holds no more) */
  guint64 step = step_ns < 1 ? 1 : step_ns < 9.2e18 ? (guint64)llround(step_ns) : 5000000000000000000u;
  guint64 v;
  int dec = 0;

  for (guint64 s = step; s % 1000000000u && dec < 9; s *= 10)
    dec++;
  /* the first round tick at or after t0 */
  v = rel0 % step ? rel0 - rel0 % step + step : rel0;
  /* Ticks counted, not summed past the end: near 2^64 ns a step could
   * wrap the sum. */
  for (int k = 0; k <= 2 * n + 1 && v >= rel0 && v <= rel1; k++, v += step) {
    g_autofree char *label = seconds_label(v, dec);

    func((double)(v - rel0) / (double)span, label, data);
    if (v > G_MAXUINT64 - step)
      break;
  }
}

void
kvmmmu_plot_y_axis(cairo_t *cr, const KvmmmuPlot *p, double ymax, double step)
{
  cairo_set_font_size(cr, 10);
  cairo_set_line_width(cr, 1);
  for (double y = 0; y <= ymax + step / 2; y += step) {
    double py = p->top + p->ph - p->ph * y / ymax;
    g_autofree char *l = kvmmmu_html_fmt_count((guint64)llround(y));

    kvmmmu_canvas_hex(cr, "#e0e0e0", 1);
    cairo_move_to(cr, p->left, floor(py) + 0.5);
    cairo_line_to(cr, p->left + p->pw, floor(py) + 0.5);
    cairo_stroke(cr);
    kvmmmu_canvas_hex(cr, "#444444", 1);
    kvmmmu_canvas_text(cr, p->left - 6, py + 3.5, 1, l);
  }
}

void
kvmmmu_plot_frame(cairo_t *cr, const KvmmmuPlot *p)
{
  kvmmmu_canvas_hex(cr, "#444444", 1);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, p->left + 0.5, p->top);
  cairo_line_to(cr, p->left + 0.5, p->top + p->ph + 0.5);
  cairo_line_to(cr, p->left + p->pw, p->top + p->ph + 0.5);
  cairo_stroke(cr);
}

void
kvmmmu_plot_titles(cairo_t *cr, const KvmmmuPlot *p, const char *xlabel, const char *ylabel)
{
  kvmmmu_canvas_hex(cr, "#222222", 1);
  cairo_set_font_size(cr, 11);
  kvmmmu_canvas_text(cr, p->left + p->pw / 2, CHART_H - 12, 0.5, xlabel);
  cairo_save(cr);
  cairo_translate(cr, 13, p->top + p->ph / 2);
  cairo_rotate(cr, -G_PI / 2);
  kvmmmu_canvas_text(cr, 0, 0, 0.5, ylabel);
  cairo_restore(cr);
}

void
kvmmmu_plot_empty(cairo_t *cr, const char *empty)
{
  kvmmmu_canvas_hex(cr, "#555555", 1);
  cairo_set_font_size(cr, 14);
  kvmmmu_canvas_text(cr, CHART_W / 2.0, CHART_H / 2.0, 0.5, empty);
}

/* ---- histograms ---------------------------------------------------- */

void
kvmmmu_html_draw_hist(KvmmmuHtml *h, GString *out, const KvmmmuHist *hist, gboolean ns,
                      const char *xlabel, const char *ylabel, const char *empty)
{
  const KvmmmuPlot p = { 56, 16, CHART_W - 56 - 16, CHART_H - 16 - 58 };
  KvmmmuCanvas c;
  cairo_t *cr;
  int low = -1, high = -1;
  guint64 vmax = 0;

  kvmmmu_canvas_open(&c, CHART_W, CHART_H);
  cr = c.cr;
  for (guint i = 0; !empty && i < hist->n_buckets; i++)
    if (hist->buckets[i]) {
      if (low < 0)
        low = i;
      high = i;
      vmax = MAX(vmax, hist->buckets[i]);
    }
  if (low < 0)
    kvmmmu_plot_empty(cr, empty ? empty : "no values");
  else {
    /* Buckets from the first to the last that holds a value; a log
     * histogram whose data starts at 1 shows its zero bucket too. */
    if (hist->type == KVMMMU_HIST_LOG && low == KVMMMU_HIST_LOG_BUCKET0 + 1)
      low--;
    guint n = high - low + 1;
    double step = kvmmmu_html_axis_step(vmax, 4, TRUE), ymax = ceil(vmax / step) * step;
    double slot = p.pw / n, bw = MAX(1.0, slot * 0.8);
    guint label_every = 1;

    kvmmmu_plot_y_axis(cr, &p, ymax, step);
    /* x labels must not overlap: thin them when the slots are narrow */
    for (guint i = 0; i < n; i++) {
      g_autofree char *l = bucket_label(hist, low + i, ns);
      cairo_text_extents_t e;

      cairo_text_extents(cr, l, &e);
      while (e.x_advance + 6 > slot * label_every)
        label_every++;
    }
    /* the bars one path, filled once: a fill is an SVG element of its own */
    for (guint i = 0; i < n; i++) {
      double bh = p.ph * hist->buckets[low + i] / ymax;

      cairo_rectangle(cr, p.left + slot * i + (slot - bw) / 2, p.top + p.ph - bh, bw, bh);
    }
    kvmmmu_canvas_hex(cr, "#3b78b8", 1);
    cairo_fill(cr);
    for (guint i = 0; i < n; i++) {
      guint64 v = hist->buckets[low + i];
      double bh = p.ph * v / ymax, x = p.left + slot * i + (slot - bw) / 2;

      kvmmmu_canvas_hex(cr, "#222222", 1);
      if (v && slot >= 16) {
        g_autofree char *l = kvmmmu_html_fmt_count(v);

        kvmmmu_canvas_text(cr, x + bw / 2, p.top + p.ph - bh - 3, 0.5, l);
      }
      if (i % label_every == 0) {
        g_autofree char *l = bucket_label(hist, low + i, ns);

        kvmmmu_canvas_hex(cr, "#444444", 1);
        kvmmmu_canvas_text(cr, p.left + slot * i + slot / 2, p.top + p.ph + 14, 0.5, l);
      }
    }
    kvmmmu_plot_frame(cr, &p);
  }
  kvmmmu_plot_titles(cr, &p, xlabel, ylabel);
  kvmmmu_canvas_close(h, &c, out, "chart");
}

/* ---- loads per interval over time ----------------------------------- */

void
kvmmmu_series_init(KvmmmuSeries *s, guint64 interval_ns)
{
  memset(s, 0, sizeof *s);
  s->interval_ns = interval_ns;
  s->group = 1;
}

/* Bins twice as long until interval idx has one. */
static void
series_fit(KvmmmuSeries *s, guint64 idx)
{
  while (idx / s->group >= KVMMMU_SERIES_BINS) {
    for (guint i = 0; i < KVMMMU_SERIES_BINS / 2; i++)
      s->counts[i] = kvmmmu_count_add(s->counts[2 * i], s->counts[2 * i + 1]);
    memset(s->counts + KVMMMU_SERIES_BINS / 2, 0, sizeof s->counts / 2);
    s->used = (s->used + 1) / 2;
    s->group *= 2;
  }
}

void
kvmmmu_series_add(KvmmmuSeries *s, guint64 idx, guint64 n)
{
  guint64 bin;

  s->any = TRUE;
  series_fit(s, idx);
  bin = idx / s->group;
  KVMMMU_COUNT_ADD(s->counts[bin], n);
  s->used = MAX(s->used, bin + 1);
  KVMMMU_COUNT_ADD(s->total, n);
}

void
kvmmmu_html_axis_tick(double at, const char *label, gpointer data)
{
  const KvmmmuAxisTicks *t = data;
  double x = t->left + t->pw * at;

  cairo_move_to(t->cr, floor(x) + 0.5, t->y);
  cairo_line_to(t->cr, floor(x) + 0.5, t->y + 4);
  cairo_stroke(t->cr);
  kvmmmu_canvas_text(t->cr, x, t->y + 16, 0.5, label);
}

/* origin + d ns, held at G_MAXUINT64: d, a span computed in doubles, may
 * be past what a u64 holds (2^64 - 1 itself rounds up to 2^64 as a double,
 * so the comparison is against 2^64). */
static guint64
add_ns_held(guint64 origin, double d)
{
  if (!(d < 18446744073709551616.0) || (guint64)d > G_MAXUINT64 - origin)
    return G_MAXUINT64;
  return origin + (guint64)d;
}

/* Bars of loads per interval from the page's origin to end_ns; a last
 * bin that ends past end_ns is a partial one, drawn pale. */
static void
draw_series(KvmmmuHtml *h, GString *out, const KvmmmuSeries *series, guint64 end_ns)
{
  const KvmmmuPlot p = { 56, 16, CHART_W - 56 - 16, CHART_H - 16 - 58 };
  guint64 span_ns = end_ns > h->origin_ns ? end_ns - h->origin_ns : 0;
  KvmmmuSeries fit = *series, *s = &fit;
  double bin_ns;
  guint64 n;
  g_autofree char *ylabel = NULL;
  KvmmmuCanvas c;
  cairo_t *cr;
  guint64 vmax = 0;

  /* to the end of the capture, which may be long after the last load */
  if (span_ns)
    series_fit(s, (span_ns - 1) / s->interval_ns);
  bin_ns = (double)s->interval_ns * s->group;
  n = MAX(s->used, (guint64)ceil(span_ns / bin_ns));
  n = CLAMP(n, 1, (guint64)KVMMMU_SERIES_BINS);
  ylabel = g_strdup_printf("loads per %.9g s", bin_ns / 1e9);
  kvmmmu_canvas_open(&c, CHART_W, CHART_H);
  cr = c.cr;
  for (guint64 i = 0; i < n; i++)
    vmax = MAX(vmax, s->counts[i]);
  if (vmax == 0)
    kvmmmu_plot_empty(cr, "no loads");
  else {
    double step = kvmmmu_html_axis_step(vmax, 4, TRUE), ymax = ceil(vmax / step) * step;
    double slot = p.pw / n, bw = slot >= 4 ? slot * 0.8 : slot;
    double span_s = n * bin_ns / 1e9;
    KvmmmuAxisTicks ticks;

    kvmmmu_plot_y_axis(cr, &p, ymax, step);
    /* whole bins, then partial ones (pale), each one path filled once */
    for (int partial = 0; partial <= 1; partial++) {
      for (guint64 i = 0; i < n; i++) {
        double bh = p.ph * s->counts[i] / ymax;

        if ((h->origin_ns + (i + 1) * bin_ns > end_ns + 0.5) == partial)
          cairo_rectangle(cr, p.left + slot * i + (slot - bw) / 2, p.top + p.ph - bh, bw, bh);
      }
      kvmmmu_canvas_hex(cr, "#3b78b8", partial ? 0.4 : 1);
      cairo_fill(cr);
    }
    for (guint64 i = 0; i < n; i++) {
      double bh = p.ph * s->counts[i] / ymax, x = p.left + slot * i + (slot - bw) / 2;

      if (s->counts[i] && slot >= 24) {
        g_autofree char *l = kvmmmu_html_fmt_count(s->counts[i]);

        kvmmmu_canvas_hex(cr, "#222222", 1);
        kvmmmu_canvas_text(cr, x + bw / 2, p.top + p.ph - bh - 3, 0.5, l);
      }
    }
    /* time axis: seconds from the start of the first capture, or on the
     * records' clock (--abs-time) */
    kvmmmu_canvas_hex(cr, "#444444", 1);
    ticks.cr = cr;
    ticks.left = p.left;
    ticks.pw = p.pw;
    ticks.y = p.top + p.ph;
    kvmmmu_html_time_ticks(h->origin_ns, add_ns_held(h->origin_ns, span_s * 1e9),
                           kvmmmu_html_time_origin(h), 5, kvmmmu_html_axis_tick, &ticks);
    kvmmmu_plot_frame(cr, &p);
  }
  kvmmmu_plot_titles(cr, &p, h->abs_time ? "time on the records' clock" : "time from the start of the capture",
                   ylabel);
  kvmmmu_canvas_close(h, &c, out, "series");
}

/* ---- sections ------------------------------------------------------ */

static void
stap_details(GString *out, const KvmmmuHist *hist, const KvmmmuStats *stats)
{
  g_autoptr(GString) text = g_string_new("");

  kvmmmu_render_loss_note(text, stats);
  kvmmmu_render_hist_stap(text, hist);
  g_string_append(out, "<details><summary>as SystemTap prints it</summary>\n<pre>");
  kvmmmu_html_esc(out, text->str);
  g_string_append(out, "</pre></details>\n");
}

/* What a histogram's caption says: its figures, or why it has none; then
 * what the intervals left out. */
static void
hist_caption_text(GString *out, const KvmmmuEventHist *eh, const char *empty)
{
  const KvmmmuHist *hist = eh->hist;

  if (empty)
    kvmmmu_html_esc(out, empty);
  else {
    g_autoptr(GString) text = g_string_new("");

    kvmmmu_render_hist_stats(text, hist);
    g_strchomp(text->str);
    kvmmmu_html_esc(out, text->str);
    if (eh->latency)
      g_string_append(out, " (ns)");
  }
  if (eh->partial_ns)
    kvmmmu_html_escf(out, "; the capture is shorter than one interval: its %.6fs count as one",
                     eh->partial_ns / 1e9);
  if (eh->partial_left_ns)
    kvmmmu_html_escf(out, "; a last, partial interval of %.6fs is left out",
                     eh->partial_left_ns / 1e9);
  if (eh->begun_before_ns)
    kvmmmu_html_escf(out, "; intervals begun before the --time range are left out (%.6fs of "
                     "them inside it)", eh->begun_before_ns / 1e9);
}

/* A section with nothing to draw says so in words: a chart of nothing is
 * an empty frame, and its words, drawn, could not be searched or copied. */
static void
nothing_to_draw(GString *out, const KvmmmuEventHist *eh, const char *why)
{
  g_string_append(out, "<p class=\"empty\">");
  hist_caption_text(out, eh, why);
  g_string_append(out, "</p>\n");
}

void
kvmmmu_html_rate_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuEventHist *eh = page->rate;
  guint64 end_ns = MAX(kvmmmu_stats_end_ns(page->stats), h->origin_ns);
  g_autofree char *per = g_strdup_printf("%.9g s", eh->interval_ns / 1e9);
  g_autofree char *xlabel = g_strdup_printf("kvm_mmu_load calls per %s interval", per);
  const char *empty = NULL;

  /* Intervals with no load are values of the histogram (0 loads), but a
   * histogram of nothing but those is a capture without loads. */
  if (eh->events_total == 0)
    empty = eh->intervals ? "no loads in any interval" : "no kvm_mmu_load or load_rate records: no rate to show";
  g_string_append(out, "<section id=\"load-rate\">\n<h2>kvm_mmu_load rate</h2>\n<p class=\"lead\">");
  kvmmmu_html_escf(out, "%s per %s: %" G_GUINT64_FORMAT " interval%s, %" G_GUINT64_FORMAT " load%s",
                   kvmmmu_event_hist_what(eh), per, eh->intervals, eh->intervals == 1 ? "" : "s",
                   eh->events_total, eh->events_total == 1 ? "" : "s");
  g_string_append(out, "</p>\n");
  if (empty) {
    nothing_to_draw(out, eh, empty);
    g_string_append(out, "</section>\n");
    return;
  }
  g_string_append(out, "<div class=\"charts\">\n<figure>\n");
  kvmmmu_html_draw_hist(h, out, eh->hist, FALSE, xlabel, "intervals", NULL);
  g_string_append(out, "<figcaption>");
  hist_caption_text(out, eh, NULL);
  g_string_append(out, "</figcaption>\n</figure>\n");
  if (h->series.total == 0) /* loads counted in intervals, none timed */
    g_string_append(out, "</div>\n<p class=\"empty\">no loads over time</p>\n");
  else {
    g_string_append(out, "<figure>\n");
    draw_series(h, out, &h->series, end_ns);
    g_string_append(out, "<figcaption>");
    if (h->abs_time) { /* the intervals still start at the first capture's start */
      g_autoptr(GString) start = g_string_new("");

      kvmmmu_render_reltime(start, h->origin_ns, 0);
      kvmmmu_html_escf(out, "%" G_GUINT64_FORMAT " loads over time, by interval from the first "
                       "capture's start, %s on the records' clock (pale: a last, partial one)",
                       h->series.total, start->str);
    } else
      kvmmmu_html_escf(out, "%" G_GUINT64_FORMAT " loads over time, by interval from the "
                       "capture's start (pale: a last, partial one)", h->series.total);
    g_string_append(out, "</figcaption>\n</figure>\n</div>\n");
  }
  stap_details(out, eh->hist, page->stats);
  g_string_append(out, "</section>\n");
}

void
kvmmmu_html_latency_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuEventHist *eh = page->latency;
  /* the loads too long for a histogram are loads all the same */
  guint64 loads = kvmmmu_count_add(eh->hist->count, eh->hist->too_large);
  const char *empty = loads ? NULL : "no kvm_mmu_load records: no latency to show";

  g_string_append(out, "<section id=\"load-latency\">\n<h2>kvm_mmu_load latency</h2>\n"
                       "<p class=\"lead\">");
  kvmmmu_html_escf(out, "%s: %" G_GUINT64_FORMAT " load%s", kvmmmu_event_hist_what(eh),
                   loads, loads == 1 ? "" : "s");
  g_string_append(out, "</p>\n");
  if (empty)
    nothing_to_draw(out, eh, empty);
  else {
    g_string_append(out, "<figure>\n");
    kvmmmu_html_draw_hist(h, out, eh->hist, TRUE, "kvm_mmu_load duration", "loads", NULL);
    g_string_append(out, "<figcaption>");
    hist_caption_text(out, eh, NULL);
    g_string_append(out, "</figcaption>\n</figure>\n");
    stap_details(out, eh->hist, page->stats);
  }
  g_string_append(out, "</section>\n");
}

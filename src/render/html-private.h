/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-private.h - what the files of the HTML page share: the page's
 * state, HTML text, cairo canvases inlined as SVG, the walks chosen to be
 * drawn, the per-vCPU root timelines and the loads-per-interval series.
 *
 *   html-page.c     the page: its state, style, sections in order
 *   html-summary.c  the summary section, from the model's counters
 *   html-charts.c   cairo canvases, axes, the rate and latency section
 *   html-roots.c    root timelines (bounded per vCPU) and their section
 *   html-cache.c    prev_roots by cache size, loads by cause
 *   html-walks.c    which walks are drawn, their articles, the section
 *   html-trees.c    a walk laid out by Graphviz
 *   svg-inline.c    an SVG document made an element of the page
 */
#ifndef KVMMMU_RENDER_HTML_PRIVATE_H
#define KVMMMU_RENDER_HTML_PRIVATE_H

#include <cairo.h>
#include <graphviz/gvc.h>

#include "render/html.h"
#include "render/render-private.h"

/* ---- HTML text ---- */
void kvmmmu_html_esc(GString *out, const char *s);
void kvmmmu_html_escf(GString *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* ---- SVG made part of the page ---- */
/* Append the <svg> element of the SVG document svg[0..len): its prolog
 * dropped, class cls, every id and reference to one prefixed with prefix
 * (so that several drawings share a page), its root width and height
 * multiplied by scale (Graphviz writes pt, the page wants CSS px). */
void kvmmmu_svg_inline(GString *out, const char *svg, gsize len, const char *cls,
                       const char *prefix, double scale);

/* ---- charts (cairo) ---- */
typedef struct {
  cairo_surface_t *surface;
  cairo_t *cr;
  GString *svg;
} KvmmmuCanvas;

void kvmmmu_canvas_open(KvmmmuCanvas *c, double w, double h);
/* Finish the drawing and inline it into out with class cls. */
void kvmmmu_canvas_close(KvmmmuHtml *h, KvmmmuCanvas *c, GString *out, const char *cls);
void kvmmmu_canvas_hex(cairo_t *cr, const char *hex, double alpha);
/* Text with its anchor: ax 0 left, 0.5 centre, 1 right; baseline at y. */
void kvmmmu_canvas_text(cairo_t *cr, double x, double y, double ax, const char *s);
/* transfer full: "12", "34k", "5M" */
char *kvmmmu_html_fmt_count(guint64 v);
/* transfer full: "850ns", "1.2µs", ... */
char *kvmmmu_html_fmt_ns(gint64 v);
/* A round step (1, 2 or 5 times a power of ten) for an axis from 0 to max
 * with about n ticks; at least 1 when counts is set (no tick between two
 * whole numbers). */
double kvmmmu_html_axis_step(double max, int n, gboolean counts);
/* The ticks of a time axis over t0..t1 (ns on the records' clock, t0 at
 * or after origin_ns), about n of them at round steps of the labels,
 * labelled in seconds from origin_ns (0: on the records' clock itself):
 * func gets each tick's place, 0 at t0 to 1 at t1, and its label.
 * Counted in integer ns, so a step far below a second stays exact far
 * from the clock's zero. */
typedef void (*KvmmmuTickFunc)(double at, const char *label, gpointer data);
void kvmmmu_html_time_ticks(guint64 t0, guint64 t1, guint64 origin_ns, int n,
                            KvmmmuTickFunc func, gpointer data);
/* A KvmmmuTickFunc for a time axis along y from left to left + pw: a tick
 * mark down from y and its label under it.  data: a KvmmmuAxisTicks. */
typedef struct {
  cairo_t *cr;
  double left, pw, y;
} KvmmmuAxisTicks;
void kvmmmu_html_axis_tick(double at, const char *label, gpointer data);
/* The origin the page's times are printed from: 0 with --abs-time. */
guint64 kvmmmu_html_time_origin(const KvmmmuHtml *h);
/* Two charts side by side fill the page's column. */
#define KVMMMU_CHART_W 540
#define KVMMMU_CHART_H 260
/* A chart's plot area on its KVMMMU_CHART_W x KVMMMU_CHART_H canvas. */
typedef struct {
  double left, top, pw, ph;
} KvmmmuPlot;
/* Horizontal grid lines and count labels from 0 to ymax by step. */
void kvmmmu_plot_y_axis(cairo_t *cr, const KvmmmuPlot *p, double ymax, double step);
/* The x and y axis lines. */
void kvmmmu_plot_frame(cairo_t *cr, const KvmmmuPlot *p);
/* The axes' titles, the y one turned. */
void kvmmmu_plot_titles(cairo_t *cr, const KvmmmuPlot *p, const char *xlabel,
                        const char *ylabel);
/* Text in the middle of the canvas instead of a plot. */
void kvmmmu_plot_empty(cairo_t *cr, const char *empty);
/* A histogram's buckets from its first to its last value as bars, inlined
 * with class "chart"; empty: drawn instead when there is nothing to show;
 * ns: bucket labels are durations. */
void kvmmmu_html_draw_hist(KvmmmuHtml *h, GString *out, const KvmmmuHist *hist, gboolean ns,
                           const char *xlabel, const char *ylabel, const char *empty);
/* The rate section: the histogram and the series side by side. */
void kvmmmu_html_rate_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page);
/* The latency section. */
void kvmmmu_html_latency_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page);

/* ---- loads per interval over time ---- */
/* Intervals counted, from the page's origin; past that the intervals are
 * merged in pairs (twice as long), so any capture fits. */
#ifndef KVMMMU_SERIES_BINS /* the fuzz build sets fewer (mk/fuzz.mk) */
#define KVMMMU_SERIES_BINS 512
#endif
typedef struct {
  guint64 interval_ns;   /* of the rate histogram */
  guint64 group;         /* intervals per bin: 1, 2, 4, ... */
  guint64 counts[KVMMMU_SERIES_BINS];
  guint64 used;          /* bins up to the last one counted into */
  guint64 total;
  gboolean any;          /* a load or load_rate record came */
} KvmmmuSeries;

void kvmmmu_series_init(KvmmmuSeries *s, guint64 interval_ns);
/* n events in interval idx (from the page's origin) */
void kvmmmu_series_add(KvmmmuSeries *s, guint64 idx, guint64 n);

/* ---- root timelines ---- */
/* Roots with a lane of their own; the others share the last lane. */
#define KVMMMU_TIMELINE_LANES 12
/* Time bins per vCPU: more than the pixels a timeline is drawn on.  Bins
 * start at the page's origin and double in width when a record falls
 * past the last, so every change is drawn where it happened, in bounded
 * memory, however long the capture. */
#ifndef KVMMMU_TIMELINE_BINS /* the fuzz build sets fewer (mk/fuzz.mk) */
#define KVMMMU_TIMELINE_BINS 1024
#endif
/* Snapshot rings kept per vCPU; later ones are counted. */
#define KVMMMU_TIMELINE_SNAPS 1024

typedef struct {
  guint64 ts_ns;
  guint lane;
} KvmmmuSnapPoint;

typedef struct {
  guint capture;                            /* 1, 2, ...: the vCPU is its capture's */
  guint32 vcpu;
  guint64 kvm;
  guint64 origin_ns;
  guint64 bin_ns;                           /* width of a bin: 1 µs doubled */
  guint16 held[KVMMMU_TIMELINE_BINS];       /* lanes whose root was loaded in the bin */
  guint16 entered[KVMMMU_TIMELINE_BINS];    /* lanes changed to in the bin */
  guint64 lanes[KVMMMU_TIMELINE_LANES - 1]; /* roots by lane, in order of first appearance */
  guint n_lanes;
  gboolean others;                          /* the last lane holds several roots */
  int cur_lane;                             /* the root loaded last, -1: none yet */
  guint cur_bin;
  guint64 cur_root;
  guint64 changes;
  GArray *snaps;                            /* KvmmmuSnapPoint, KVMMMU_TIMELINE_SNAPS at most */
  guint64 snaps_dropped;
} KvmmmuTimeline;

/* transfer full */
KvmmmuTimeline *kvmmmu_timeline_new(guint64 kvm, guint32 vcpu, guint64 origin_ns);
/* The timeline of capture's (kvm, vcpu), NULL when it has none. */
KvmmmuTimeline *kvmmmu_html_timeline(KvmmmuHtml *h, guint capture, guint64 kvm, guint32 vcpu);
void kvmmmu_timeline_free(KvmmmuTimeline *tl);
/* A kvm_mmu_load that returned root at ts_ns. */
void kvmmmu_timeline_load(KvmmmuTimeline *tl, guint64 ts_ns, guint64 root);
void kvmmmu_timeline_snapshot(KvmmmuTimeline *tl, guint64 ts_ns, guint64 root);
/* The last root stays loaded until ts_ns (the vCPU's last record). */
void kvmmmu_timeline_hold_until(KvmmmuTimeline *tl, guint64 ts_ns);
/* Lanes drawn: own lanes and the shared one. */
guint kvmmmu_timeline_n_lanes(const KvmmmuTimeline *tl);

typedef struct {
  guint lane;
  guint64 from_ns, to_ns; /* from the page's origin */
  gboolean returning;     /* not the lane's first stretch */
} KvmmmuTimelineBar;

/* transfer full: KvmmmuTimelineBar, lane by lane, in time order */
GArray *kvmmmu_timeline_bars(const KvmmmuTimeline *tl);

/* ---- walks chosen to be drawn ---- */
/* What makes walks look alike: by these, the first of each is drawn
 * before any second one. */
typedef struct {
  guint level;  /* of the root page */
  guint pages, leaves, round;
} KvmmmuWalkShape;

/* Shapes counted; walks of later shapes rank as repeats. */
#define KVMMMU_WALK_SHAPES_MAX 4096

typedef enum {
  KVMMMU_WALK_RANK_NEW_SHAPE, /* the first walk of its shape */
  KVMMMU_WALK_RANK_NOTABLE,   /* a full 16-page array, failed checks */
  KVMMMU_WALK_RANK_LARGEST,   /* as many pages as the largest so far */
  KVMMMU_WALK_RANK_REPEAT,    /* the rest, in order */
  KVMMMU_WALK_RANKS,
} KvmmmuWalkRank;

typedef struct _KvmmmuWalkPick KvmmmuWalkPick;

/* transfer full.  max: walks kept */
KvmmmuWalkPick *kvmmmu_walk_pick_new(guint max);
void kvmmmu_walk_pick_free(KvmmmuWalkPick *p);
void kvmmmu_walk_shape_of(const KvmmmuWalkTree *t, KvmmmuWalkShape *shape);
/* Offer the seq-th walk (1, 2, ... in input order).  TRUE when it is kept
 * (to be drawn); *evicted: the seq of a walk kept before that makes room,
 * 0 for none.  Every walk offered is counted by its shape. */
gboolean kvmmmu_walk_pick_offer(KvmmmuWalkPick *p, guint64 seq, const KvmmmuWalkTree *t,
                                guint64 *evicted);
/* transfer full: the seqs kept, in page order: one walk of each shape
 * (the highest root level, most pages and leaves first), then notable
 * walks, the largest, then the rest, each in input order. */
GArray *kvmmmu_walk_pick_order(const KvmmmuWalkPick *p);
guint kvmmmu_walk_pick_n_shapes(const KvmmmuWalkPick *p);
guint64 kvmmmu_walk_pick_shapes_dropped(const KvmmmuWalkPick *p);
/* The i-th shape in order of first appearance, with its walk count. */
void kvmmmu_walk_pick_shape(const KvmmmuWalkPick *p, guint i, KvmmmuWalkShape *shape,
                            guint64 *walks);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuWalkPick, kvmmmu_walk_pick_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuTimeline, kvmmmu_timeline_free)

/* ---- walk trees (Graphviz) ---- */
/* One walk's tree (step < 0: none highlighted) laid out by Graphviz and
 * inlined with class cls; a failure is kept in h->error. */
void kvmmmu_html_draw_walk(KvmmmuHtml *h, GString *out, const KvmmmuWalkTree *t,
                           guint64 origin_ns, const KvmmmuKernelLayout *layout, int step,
                           const char *cls);

/* ---- sections ---- */
void kvmmmu_html_summary_section(GString *out, const KvmmmuHtmlPage *page);
void kvmmmu_html_roots_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page);
void kvmmmu_html_walks_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page);
/* prev_roots: the hit ratio the cache would have at each size, and each
 * load cause's latency (model/cache.h). */
void kvmmmu_html_cache_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page);

/* ---- the page's state ---- */
/* vCPUs with a timeline; later ones are only in the table. */
#define KVMMMU_TIMELINE_VCPUS_MAX 256

struct _KvmmmuHtml {
  guint max_walks;
  KvmmmuWalkPick *pick;
  guint64 walks_seen, walks_bad;
  GHashTable *articles;      /* seq -> GString: a kept walk's article */
  guint svg_serial;          /* makes ids unique across the page */
  gboolean have_origin;
  guint64 origin_ns;         /* the first capture's start */
  gboolean abs_time;         /* times printed on the records' clock (--abs-time) */
  guint64 capture_ns;        /* the current capture's start */
  GVC_t *gvc;
  GString *dot;              /* scratch */
  GString *error;            /* the first Graphviz failure */
  guint capture;             /* headers read */
  GHashTable *timelines;     /* KvmmmuTimeline by (capture, kvm, vcpu) -> itself */
  gboolean timelines_full;   /* a vCPU past KVMMMU_TIMELINE_VCPUS_MAX came */
  KvmmmuSeries series;       /* kvm_mmu_load per interval, from load records */
  KvmmmuSeries counted;      /* the same, from the kernel's load_rate counts */
};

#endif

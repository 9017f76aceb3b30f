/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-page.c - the report as one HTML page: its state while the input
 * streams by, its style, and the sections in order.  No scripts: a
 * step's path opens in a <details>.  Drawings are inline SVG: charts from
 * cairo (html-charts.c, html-roots.c), trees from Graphviz (html-trees.c).
 */
#include <string.h>

#include "model/vcpukey.h"
#include "render/html-private.h"

/* The rate histogram's interval, which the series over time shares. */
#define SERIES_INTERVAL_NS 1000000000ull

static void
string_free(gpointer s)
{
  g_string_free(s, TRUE);
}

/* A timeline is its own key: (capture, kvm, vcpu), as the roots model
 * keys its vCPUs, so that captures reusing a kvm pointer stay apart. */
static guint
timeline_hash(gconstpointer p)
{
  const KvmmmuTimeline *t = p;

  return kvmmmu_capture_vcpu_hash_of(t->capture, t->kvm, t->vcpu);
}

static gboolean
timeline_equal(gconstpointer a, gconstpointer b)
{
  const KvmmmuTimeline *x = a, *y = b;

  return x->capture == y->capture && x->vcpu == y->vcpu && x->kvm == y->kvm;
}

KvmmmuHtml *
kvmmmu_html_new(guint max_walks)
{
  KvmmmuHtml *h = g_new0(KvmmmuHtml, 1);

  h->max_walks = max_walks;
  h->pick = kvmmmu_walk_pick_new(max_walks);
  h->articles = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      string_free);
  h->dot = g_string_new("");
  h->timelines = g_hash_table_new_full(timeline_hash, timeline_equal,
                                       (GDestroyNotify)kvmmmu_timeline_free, NULL);
  kvmmmu_series_init(&h->series, SERIES_INTERVAL_NS);
  kvmmmu_series_init(&h->counted, SERIES_INTERVAL_NS);
  return h;
}

void
kvmmmu_html_free(KvmmmuHtml *h)
{
  if (!h)
    return;
  if (h->gvc)
    gvFreeContext(h->gvc);
  kvmmmu_walk_pick_free(h->pick);
  g_hash_table_destroy(h->articles);
  g_string_free(h->dot, TRUE);
  if (h->error)
    g_string_free(h->error, TRUE);
  g_hash_table_destroy(h->timelines);
  g_free(h);
}

void
kvmmmu_html_set_origin(KvmmmuHtml *h, guint64 origin_ns)
{
  if (!h->have_origin)
    h->origin_ns = origin_ns;
  h->have_origin = TRUE;
}

void
kvmmmu_html_set_abs_time(KvmmmuHtml *h, gboolean abs_time)
{
  h->abs_time = abs_time;
}

guint64
kvmmmu_html_time_origin(const KvmmmuHtml *h)
{
  return h->abs_time ? 0 : h->origin_ns;
}

/* ---- what streams by --------------------------------------------------- */

/* The vCPU's timeline, made on its first record (at ts_ns, where its
 * bins start); NULL past the vCPUs kept. */
KvmmmuTimeline *
kvmmmu_html_timeline(KvmmmuHtml *h, guint capture, guint64 kvm, guint32 vcpu)
{
  KvmmmuTimeline key = { .capture = capture, .vcpu = vcpu, .kvm = kvm };

  return g_hash_table_lookup(h->timelines, &key);
}

static KvmmmuTimeline *
timeline_of(KvmmmuHtml *h, guint capture, guint64 kvm, guint32 vcpu, guint64 ts_ns)
{
  KvmmmuTimeline *tl = kvmmmu_html_timeline(h, capture, kvm, vcpu);

  if (!tl) {
    if (g_hash_table_size(h->timelines) >= KVMMMU_TIMELINE_VCPUS_MAX) {
      h->timelines_full = TRUE;
      return NULL;
    }
    tl = kvmmmu_timeline_new(kvm, vcpu, ts_ns);
    tl->capture = capture;
    g_hash_table_add(h->timelines, tl);
  }
  return tl;
}

void
kvmmmu_html_add_record(KvmmmuHtml *h, const KvmmmuRecord *rec)
{
  KvmmmuTimeline *tl;

  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    kvmmmu_html_set_origin(h, rec->u.header.start_ns);
    h->capture_ns = MAX(rec->u.header.start_ns, h->origin_ns);
    h->capture++;
    break;
  case KVMMMU_RECORD_LOAD:
    if (rec->ts_ns >= h->origin_ns)
      kvmmmu_series_add(&h->series, (rec->ts_ns - h->origin_ns) / h->series.interval_ns, 1);
    if (rec->u.Load.ret == 0 && (tl = timeline_of(h, h->capture, rec->u.Load.kvm, rec->u.Load.vcpu, rec->ts_ns)))
      kvmmmu_timeline_load(tl, rec->ts_ns, rec->u.Load.root_hpa);
    break;
  case KVMMMU_RECORD_LOAD_RATE:
    /* the kernel's count for its tick-th interval of this capture */
    if (rec->u.LoadRate.tick > 0)
      kvmmmu_series_add(&h->counted, (h->capture_ns - h->origin_ns) / h->counted.interval_ns +
                                     rec->u.LoadRate.tick - 1, rec->u.LoadRate.count);
    break;
  default:
    break;
  }
}

void
kvmmmu_html_add_snapshot(KvmmmuHtml *h, const KvmmmuRootSnapshot *s)
{
  for (guint i = 0; i < s->entries->len; i++) {
    const KvmmmuVcpuRoot *e = &g_array_index(s->entries, KvmmmuVcpuRoot, i);
    KvmmmuTimeline *tl = timeline_of(h, s->capture, e->kvm, e->vcpu, s->ts_ns);

    if (tl)
      kvmmmu_timeline_snapshot(tl, s->ts_ns, e->root_hpa);
  }
}

/* ---- text ---------------------------------------------------------- */

void
kvmmmu_html_esc(GString *out, const char *s)
{
  g_autofree char *e = g_markup_escape_text(s, -1);

  g_string_append(out, e);
}

void
kvmmmu_html_escf(GString *out, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *s = NULL;

  va_start(ap, fmt);
  s = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  kvmmmu_html_esc(out, s);
}

/* ---- the page ------------------------------------------------------ */

/* Narrow screens: the page's column shrinks and charts with it (their
 * labels stay legible down to a phone); what cannot shrink (tables,
 * trees, code) scrolls inside its own box, never the page. */
static const char page_style[] =
  "body{font:14px/1.45 \"DejaVu Sans\",system-ui,sans-serif;color:#1d2330;background:#fafbfc;"
  "margin:0 auto;max-width:1180px;padding:0 24px 48px;overflow-wrap:break-word}\n"
  "header{border-bottom:2px solid #3b78b8;padding:18px 0 8px}\n"
  "h1{font-size:24px;margin:0}h2{font-size:19px;margin:30px 0 6px;border-bottom:1px solid #d5dae2}"
  "h3{font-size:15px;margin:0 0 4px}\n"
  "nav a{margin-right:14px;display:inline-block}a{color:#1f5fa8}\n"
  "code,pre{font-family:\"DejaVu Sans Mono\",monospace;font-size:12px}\n"
  "pre{background:#fff;border:1px solid #e1e4e8;padding:8px;overflow:auto;overflow-wrap:normal}\n"
  ".lead,.legend,.meta{margin:4px 0 10px}.meta{color:#4a5160}\n"
  ".facts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.facts td{overflow-wrap:anywhere}\n"
  ".charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
  ".charts figure{margin:10px 0;flex:0 1 558px}\n"
  "div.wide{overflow-x:auto;max-width:100%}div.wide>svg{max-width:none}\n"
  "table.data{border-collapse:collapse;background:#fff;margin:6px 0;max-width:100%}\n"
  "table.data th,table.data td{border:1px solid #dde1e7;padding:3px 10px;text-align:left}\n"
  "table.data th{white-space:nowrap}table.data td{font-variant-numeric:tabular-nums}table.data thead th{background:#eef2f7}\n"
  "tr.warn th,tr.warn td{background:#fff3cd}\n"
  "p.warn{background:#fff3cd;border:1px solid #e6c35c;padding:6px 10px}\n"
  "p.good{background:#e6f4ea;border:1px solid #9cd2aa;padding:6px 10px}\n"
  "p.empty{color:#555;font-style:italic}\n"
  "span.ok{color:#1e7e34;font-weight:bold}span.bad,.bad{color:#b02a37;font-weight:bold}\n"
  "span.unsync{background:#f4c7a1;padding:0 4px}span.path{color:#c62828;font-weight:bold}\n"
  "figure{margin:10px 0 18px;background:#fff;border:1px solid #e1e4e8;padding:8px;"
  "display:inline-block;max-width:100%;box-sizing:border-box}\n"
  "figcaption{color:#333;margin:4px 0}\n"
  "svg{max-width:100%;height:auto;display:block}\n"
  "article.walk{background:#fff;border:1px solid #e1e4e8;padding:10px 14px;margin:14px 0}\n"
  "div.tree{overflow-x:auto;max-width:100%}\n"
  "div.tree svg{max-width:none}\n"
  "details.step{margin:3px 0}details.step summary{cursor:pointer}\n"
  "pre.problems{color:#b02a37}\n"
  "@media (max-width:600px){body{padding:0 10px 32px}"
  "table.data th,table.data td{padding:2px 5px}article.walk{padding:8px}}\n";

gboolean
kvmmmu_html_render(KvmmmuHtml *h, const KvmmmuHtmlPage *page, GString *out, GError **error)
{
  const KvmmmuHeader *hd = &page->stats->header;
  g_autofree char *inputs = page->inputs ? g_strjoinv(" ", (char **)page->inputs) : g_strdup("");

  /* the series from load records, else from the kernel's counts, as the
   * rate histogram takes them */
  if (h->series.total == 0 && h->counted.any)
    h->series = h->counted;
  g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<title>kvmmmu report: ");
  kvmmmu_html_escf(out, "%s on %s", hd->release[0] ? hd->release : "?", hd->host[0] ? hd->host : "?");
  g_string_append_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n"
                              "<h1>KVM shadow MMU report</h1>\n<p class=\"meta\">",
                         page_style);
  kvmmmu_html_escf(out, "kernel %s, host %s, script %s, %u capture%s, %.3f s; from %s",
                   hd->release, hd->host, hd->script[0] ? hd->script : "-", page->stats->captures,
                   page->stats->captures == 1 ? "" : "s",
                   (kvmmmu_stats_end_ns(page->stats) > hd->start_ns
                      ? kvmmmu_stats_end_ns(page->stats) - hd->start_ns : 0) / 1e9,
                   inputs);
  g_string_append(out, "</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#load-rate\">"
                       "Load rate</a><a href=\"#load-latency\">Load latency</a><a href=\"#roots\">"
                       "vCPU roots</a><a href=\"#prev-roots\">prev_roots</a><a href=\"#walks\">Walks</a></nav>\n</header>\n<main>\n");
  kvmmmu_html_summary_section(out, page);
  kvmmmu_html_rate_section(h, out, page);
  kvmmmu_html_latency_section(h, out, page);
  kvmmmu_html_roots_section(h, out, page);
  kvmmmu_html_cache_section(h, out, page);
  kvmmmu_html_walks_section(h, out, page);
  g_string_append(out, "</main>\n</body>\n</html>\n");
  if (h->error) {
    g_set_error_literal(error, g_quark_from_static_string("kvmmmu-html-error"), 0, h->error->str);
    return FALSE;
  }
  return TRUE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html.h - one self-contained HTML page: the summary, the kvm_mmu_load
 * rate and latency histograms and per-vCPU root timelines as SVG drawn
 * with cairo, each walk as a tree laid out by Graphviz, all inlined (no
 * network, no scripts, no fonts to fetch).
 *
 * Records, walks and root snapshots stream in while the input is read
 * (the page keeps what it draws: at most max_walks walks, timelines and
 * the load series at a bounded resolution); the rest comes from the
 * model at the end.
 */
#ifndef KVMMMU_RENDER_HTML_H
#define KVMMMU_RENDER_HTML_H

#include <glib.h>

#include "model/evhist.h"
#include "render/render.h"

typedef struct _KvmmmuHtml KvmmmuHtml;

/* What the page shows once the input is read; all borrowed. */
typedef struct {
  const KvmmmuStats *stats;
  guint64 bad_lines;
  const KvmmmuWalkTally *tally;   /* [KVMMMU_WALK_KINDS]: zap walks', sync walks' */
  const KvmmmuEventHist *rate;    /* kvm_mmu_load per interval */
  const KvmmmuEventHist *latency; /* kvm_mmu_load durations */
  const KvmmmuRoots *roots;
  const KvmmmuCache *cache;       /* prev_roots and the loads by cause */
  const KvmmmuKernelLayout *layout; /* the last capture's, for the roles line */
  const char *const *inputs;      /* the files read, for the page's title */
} KvmmmuHtmlPage;

/* transfer full; max_walks: walks drawn, the rest only counted.  Which
 * ones: the first of each shape (root level, pages, leaves, round), then
 * full arrays, the largest and failed checks, then the rest in order. */
KvmmmuHtml *kvmmmu_html_new(guint max_walks);
void kvmmmu_html_free(KvmmmuHtml *html);
/* Every record: loads for the root timelines and the loads over time. */
void kvmmmu_html_add_record(KvmmmuHtml *html, const KvmmmuRecord *rec);
/* Draw the walk now if it is picked (t is borrowed for the call); a walk
 * drawn before may make room for it. */
void kvmmmu_html_add_walk(KvmmmuHtml *html, const KvmmmuWalkTree *t, guint64 origin_ns,
                          const KvmmmuKernelLayout *layout);
/* Keep each vCPU's root in the snapshot for its timeline. */
void kvmmmu_html_add_snapshot(KvmmmuHtml *html, const KvmmmuRootSnapshot *s);
/* Captures' origin: times on the page are relative to the first one. */
void kvmmmu_html_set_origin(KvmmmuHtml *html, guint64 origin_ns);
/* --abs-time: the times the page prints (axes, captions) are on the
 * records' own clock, not from the first capture's start.  Walk times
 * follow the origin_ns given with each walk. */
void kvmmmu_html_set_abs_time(KvmmmuHtml *html, gboolean abs_time);
/* The page into out.  FALSE with error when Graphviz failed to draw. */
gboolean kvmmmu_html_render(KvmmmuHtml *html, const KvmmmuHtmlPage *page, GString *out,
                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuHtml, kvmmmu_html_free)

#endif

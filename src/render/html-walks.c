/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-walks.c - the walks section: which walks are drawn, each one's
 * article (its tree, checks and steps), and the section around them.
 *
 * Walks stream by and most look alike; a page of the first N would show
 * one shape N times.  So a walk is kept by rank: the first of each shape
 * (root level, pages, leaves, round), then the notable ones (a full
 * 16-page array, failed checks), then those as large as the largest yet,
 * then the rest in order; a better-ranked walk takes the place of the
 * last kept of the worst rank, and a larger walk makes the largest before
 * it ordinary.  Memory: max walks' articles and a bounded shape table.
 */
#include <string.h>

#include "render/html-private.h"

/* ---- which walks ----------------------------------------------------- */

typedef struct {
  KvmmmuWalkShape shape;
  guint64 walks;
} ShapeCount;

typedef struct {
  guint64 seq;
  KvmmmuWalkShape shape;
} Kept;

struct _KvmmmuWalkPick {
  guint max;
  GArray *shapes;          /* ShapeCount, in order of first appearance */
  GHashTable *shape_index; /* packed shape -> index in shapes */
  guint64 shapes_dropped;
  guint max_pages;
  GArray *kept[KVMMMU_WALK_RANKS]; /* Kept, in input order */
  guint n_kept;
};

KvmmmuWalkPick *
kvmmmu_walk_pick_new(guint max)
{
  KvmmmuWalkPick *p = g_new0(KvmmmuWalkPick, 1);

  p->max = max;
  p->shapes = g_array_new(FALSE, FALSE, sizeof(ShapeCount));
  p->shape_index = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint r = 0; r < KVMMMU_WALK_RANKS; r++)
    p->kept[r] = g_array_new(FALSE, FALSE, sizeof(Kept));
  return p;
}

void
kvmmmu_walk_pick_free(KvmmmuWalkPick *p)
{
  if (!p)
    return;
  g_array_unref(p->shapes);
  g_hash_table_destroy(p->shape_index);
  for (guint r = 0; r < KVMMMU_WALK_RANKS; r++)
    g_array_unref(p->kept[r]);
  g_free(p);
}

void
kvmmmu_walk_shape_of(const KvmmmuWalkTree *t, KvmmmuWalkShape *shape)
{
  shape->level = t->rec.nr ? KVMMMU_ROLE_LEVEL(t->rec.items[0].role) : 0;
  shape->pages = t->rec.nr;
  shape->leaves = t->n_leaves;
  shape->round = t->rec.round;
}

/* Count the walk by its shape; TRUE when the shape is new. */
static gboolean
count_shape(KvmmmuWalkPick *p, const KvmmmuWalkShape *s)
{
  /* level < 16, pages and leaves <= 16: the round keeps 32 bits */
  guint64 key = ((guint64)(s->level & 0xf) << 48) | ((guint64)(s->pages & 0xff) << 40) |
                ((guint64)(s->leaves & 0xff) << 32) | s->round;
  gpointer idx;

  if (g_hash_table_lookup_extended(p->shape_index, &key, NULL, &idx)) {
    g_array_index(p->shapes, ShapeCount, GPOINTER_TO_UINT(idx)).walks++;
    return FALSE;
  }
  if (p->shapes->len >= KVMMMU_WALK_SHAPES_MAX) {
    p->shapes_dropped++;
    return FALSE;
  }
  {
    ShapeCount sc = { *s, 1 };

    g_hash_table_insert(p->shape_index, g_memdup2(&key, sizeof key),
                        GUINT_TO_POINTER(p->shapes->len));
    g_array_append_val(p->shapes, sc);
  }
  return TRUE;
}

static gint
by_seq(gconstpointer a, gconstpointer b)
{
  const Kept *x = a, *y = b;

  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Largest first: root level, pages, leaves, then the earlier round. */
static gint
by_shape(gconstpointer a, gconstpointer b)
{
  const Kept *x = a, *y = b;

#define CMP_DESC(f) if (x->shape.f != y->shape.f) return x->shape.f > y->shape.f ? -1 : 1
  CMP_DESC(level);
  CMP_DESC(pages);
  CMP_DESC(leaves);
#undef CMP_DESC
  if (x->shape.round != y->shape.round)
    return x->shape.round < y->shape.round ? -1 : 1;
  return by_seq(a, b);
}

gboolean
kvmmmu_walk_pick_offer(KvmmmuWalkPick *p, guint64 seq, const KvmmmuWalkTree *t,
                       guint64 *evicted)
{
  Kept k = { seq };
  gboolean new_shape;
  KvmmmuWalkRank rank;
  int worst = -1;

  *evicted = 0;
  kvmmmu_walk_shape_of(t, &k.shape);
  new_shape = count_shape(p, &k.shape);

  /* A larger walk: those kept for being the largest no longer are. */
  if (t->rec.nr > p->max_pages) {
    GArray *largest = p->kept[KVMMMU_WALK_RANK_LARGEST], *rest = p->kept[KVMMMU_WALK_RANK_REPEAT];

    g_array_append_vals(rest, largest->data, largest->len);
    g_array_sort(rest, by_seq);
    g_array_set_size(largest, 0);
    p->max_pages = t->rec.nr;
  }
  if (new_shape)
    rank = KVMMMU_WALK_RANK_NEW_SHAPE;
  else if (t->rec.nr == KVMMMU_MAX_WALK_PAGES || !kvmmmu_walk_tree_ok(t))
    rank = KVMMMU_WALK_RANK_NOTABLE;
  else if (t->rec.nr == p->max_pages)
    rank = KVMMMU_WALK_RANK_LARGEST;
  else
    rank = KVMMMU_WALK_RANK_REPEAT;

  if (p->n_kept < p->max) {
    g_array_append_val(p->kept[rank], k);
    p->n_kept++;
    return TRUE;
  }
  for (int r = KVMMMU_WALK_RANKS - 1; r >= 0 && worst < 0; r--)
    if (p->kept[r]->len)
      worst = r;
  if (worst <= (int)rank)
    return FALSE;
  *evicted = g_array_index(p->kept[worst], Kept, p->kept[worst]->len - 1).seq;
  g_array_set_size(p->kept[worst], p->kept[worst]->len - 1);
  g_array_append_val(p->kept[rank], k);
  return TRUE;
}

GArray *
kvmmmu_walk_pick_order(const KvmmmuWalkPick *p)
{
  GArray *order = g_array_new(FALSE, FALSE, sizeof(guint64));

  for (guint r = 0; r < KVMMMU_WALK_RANKS; r++) {
    g_autoptr(GArray) kept = g_array_copy(p->kept[r]);

    if (r == KVMMMU_WALK_RANK_NEW_SHAPE)
      g_array_sort(kept, by_shape);
    for (guint i = 0; i < kept->len; i++)
      g_array_append_val(order, g_array_index(kept, Kept, i).seq);
  }
  return order;
}

guint
kvmmmu_walk_pick_n_shapes(const KvmmmuWalkPick *p)
{
  return p->shapes->len;
}

guint64
kvmmmu_walk_pick_shapes_dropped(const KvmmmuWalkPick *p)
{
  return p->shapes_dropped;
}

void
kvmmmu_walk_pick_shape(const KvmmmuWalkPick *p, guint i, KvmmmuWalkShape *shape,
                       guint64 *walks)
{
  const ShapeCount *sc = &g_array_index(p->shapes, ShapeCount, i);

  *shape = sc->shape;
  *walks = sc->walks;
}

/* ---- a walk's article ------------------------------------------------ */

static void
walk_article(KvmmmuHtml *h, GString *out, guint64 seq, const KvmmmuWalkTree *t,
             guint64 origin_ns, const KvmmmuKernelLayout *layout)
{
  gboolean ok = kvmmmu_walk_tree_ok(t);
  guint n_steps = kvmmmu_walk_tree_n_steps(t), ok_steps = n_steps - t->n_steps_bad;
  g_autoptr(GString) s = g_string_new("");
  KvmmmuWalkShape shape;

  kvmmmu_walk_shape_of(t, &shape);
  kvmmmu_render_reltime(s, t->ts_ns, origin_ns);
  if (t->rec.kvm) /* 0: a format-1 capture did not write it */
    g_string_append_printf(s, " in VM <code>" X64 "</code>", t->rec.kvm);
  g_string_append_printf(out, "<article class=\"walk\" id=\"walk-%" G_GUINT64_FORMAT "-%"
                              G_GUINT64_FORMAT "\">\n<h3>%s %" G_GUINT64_FORMAT " <span class=\"%s\">%s</span></h3>\n"
                              "<p class=\"meta\">at %s on cpu %u, root L%u, round %u: %u pages, %u leaves, "
                              "%u steps, parent <code>" X64 "</code></p>\n",
                         t->rec.walk, seq, t->rec.sync ? "sync walk" : "walk", t->rec.walk,
                         ok ? "ok" : "bad",
                         ok ? "checks ok" : "checks failed", s->str, t->cpu, shape.level,
                         t->rec.round, t->rec.nr, t->n_leaves, n_steps, t->rec.parent);
  g_string_append(out, "<div class=\"tree\">\n");
  kvmmmu_html_draw_walk(h, out, t, origin_ns, layout, -1, "walk-tree");
  g_string_append(out, "</div>\n");
  g_string_append_printf(out, "<p class=\"meta\">depth-first order: %s; step paths "
                              "root-to-leaf: %u/%u ok",
                         t->dfs_ok ? "ok" : "<b>wrong</b>", ok_steps, n_steps);
  if (t->n_leaves_unstepped)
    g_string_append_printf(out, "; <b>%u leaves not %s</b>", t->n_leaves_unstepped,
                           kvmmmu_walk_kind_done(kvmmmu_walk_kind(t)));
  if (t->rec.nr == KVMMMU_MAX_WALK_PAGES)
    g_string_append(out, "; array full: mmu_unsync_walk returned -ENOSPC and the walk restarts");
  g_string_append(out, "</p>\n");
  g_string_truncate(s, 0);
  kvmmmu_render_walk_violations(s, t);
  if (s->len) {
    g_string_append(out, "<pre class=\"problems\">");
    kvmmmu_html_esc(out, s->str);
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
    if (ws->verdict == KVMMMU_STEP_OK && !ws->path_checked)
      g_string_append(out, " <span>path not judged: the page list is not depth-first</span>");
    else if (ws->verdict == KVMMMU_STEP_OK)
      g_string_append(out, " <span class=\"ok\">path ok</span>");
    else {
      g_string_append(out, " <span class=\"bad\">");
      kvmmmu_html_esc(out, ws->why);
      g_string_append(out, "</span>");
    }
    g_string_append(out, "</summary>\n<div class=\"tree\">\n");
    kvmmmu_html_draw_walk(h, out, t, origin_ns, layout, k, "step-tree");
    g_string_append(out, "</div>\n</details>\n");
  }
  g_string_append(out, "</article>\n");
}

void
kvmmmu_html_add_walk(KvmmmuHtml *h, const KvmmmuWalkTree *t, guint64 origin_ns,
                     const KvmmmuKernelLayout *layout)
{
  guint64 seq = ++h->walks_seen, evicted;
  GString *article;

  if (!kvmmmu_walk_tree_ok(t))
    h->walks_bad++;
  if (!kvmmmu_walk_pick_offer(h->pick, seq, t, &evicted))
    return;
  if (evicted)
    g_hash_table_remove(h->articles, &evicted);
  article = g_string_new("");
  walk_article(h, article, seq, t, origin_ns, layout);
  g_hash_table_insert(h->articles, g_memdup2(&seq, sizeof seq), article);
}

/* ---- the section ----------------------------------------------------- */

/* Shapes listed on the page; all are counted. */
#define SHAPES_LISTED 64

static void
shapes_table(GString *out, const KvmmmuWalkPick *p)
{
  guint n = kvmmmu_walk_pick_n_shapes(p);

  g_string_append_printf(out, "<details><summary>%u walk shape%s%s</summary>\n<div class=\"wide\">\n"
                              "<table class=\"data\">\n<thead><tr><th>root level</th><th>pages"
                              "</th><th>leaves</th><th>round</th><th>walks</th></tr></thead>\n"
                              "<tbody>\n", n, n == 1 ? "" : "s",
                         kvmmmu_walk_pick_shapes_dropped(p) ? " (and walks of shapes not "
                                                              "counted: too many)" : "");
  for (guint i = 0; i < n && i < SHAPES_LISTED; i++) {
    KvmmmuWalkShape s;
    guint64 walks;

    kvmmmu_walk_pick_shape(p, i, &s, &walks);
    g_string_append_printf(out, "<tr><td>L%u</td><td>%u</td><td>%u</td><td>%u</td><td>%"
                                G_GUINT64_FORMAT "</td></tr>\n",
                           s.level, s.pages, s.leaves, s.round, walks);
  }
  g_string_append(out, "</tbody>\n</table>\n</div>\n");
  if (n > SHAPES_LISTED)
    g_string_append_printf(out, "<p class=\"note\">The first %u shapes listed, %u more not.</p>\n",
                           SHAPES_LISTED, n - SHAPES_LISTED);
  g_string_append(out, "</details>\n");
}

/* A percentile cell, "~" when approximate. */
static void
pct_cell(GString *out, gboolean approximate, gint64 v)
{
  g_autofree char *ns = kvmmmu_html_fmt_ns(v);

  g_string_append_printf(out, "<td>%s%s</td>", approximate ? "~" : "", ns);
}

/* The mmu_sync_children() calls: summary's numbers as a table, and their
 * durations as a histogram.  Nothing when there are none, so a page of
 * zap walks alone costs no chart more. */
static void
sync_calls_part(KvmmmuHtml *h, GString *out, const KvmmmuSyncCalls *sc)
{
  const KvmmmuHist *hists[] = { sc->dur_ns, sc->held_ns };
  const char *names[] = { "time in the call", "of it, mmu_lock held" };

  if (!sc->calls)
    return;
  g_string_append_printf(out, "<p class=\"lead\">%" G_GUINT64_FORMAT " sync call%s "
                              "(mmu_sync_children): %" G_GUINT64_FORMAT " with no walk, %"
                              G_GUINT64_FORMAT " walks, %" G_GUINT64_FORMAT " leaves synced, %"
                              G_GUINT64_FORMAT " returned -EINTR, %" G_GUINT64_FORMAT
                              " yielded mmu_lock (%" G_GUINT64_FORMAT " yields).</p>\n",
                         sc->calls, sc->calls == 1 ? "" : "s", sc->calls_no_walk, sc->walks,
                         sc->leaves, sc->eintr, sc->calls_yielded, sc->yields);
  g_string_append(out, "<div class=\"facts\">\n<table class=\"data\">\n<thead><tr><th>sync calls"
                       "</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr></thead>\n"
                       "<tbody>\n");
  for (guint i = 0; i < G_N_ELEMENTS(hists); i++) {
    KvmmmuHistStats st;

    kvmmmu_hist_stats(hists[i], &st);
    g_string_append_printf(out, "<tr><th>%s</th>", names[i]);
    pct_cell(out, st.approximate, st.p50);
    pct_cell(out, st.approximate, st.p90);
    pct_cell(out, st.approximate, st.p99);
    pct_cell(out, FALSE, st.max);
    g_string_append(out, "</tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n</div>\n");
  kvmmmu_html_draw_hist(h, out, sc->dur_ns, TRUE, "time in mmu_sync_children", "calls",
                        "no sync call");
}

void
kvmmmu_html_walks_section(KvmmmuHtml *h, GString *out, const KvmmmuHtmlPage *page)
{
  const KvmmmuWalkTally *ty = &page->tally[KVMMMU_WALK_ZAP], *sy = &page->tally[KVMMMU_WALK_SYNC];
  g_autoptr(GArray) order = kvmmmu_walk_pick_order(h->pick);

  g_string_append(out, "<section id=\"walks\">\n<h2>Walks</h2>\n");
  sync_calls_part(h, out, page->stats->sync_calls);
  g_string_append(out, "<p class=\"lead\">");
  if (h->walks_seen == 0) {
    g_string_append(out, "No walk in this capture.</p>\n</section>\n");
    return;
  }
  g_string_append_printf(out, "%" G_GUINT64_FORMAT " walk%s, %u drawn", h->walks_seen,
                         h->walks_seen == 1 ? "" : "s", order->len);
  if (h->walks_seen > order->len)
    g_string_append_printf(out, ", <b>%" G_GUINT64_FORMAT " left out</b> (--max-walks %u): "
                                       "one walk of each shape first (the largest first), then full "
                                "arrays and failed checks, the largest, then the rest in order",
                           h->walks_seen - order->len, h->max_walks);
  g_string_append_printf(out, ". Checks%s: %" G_GUINT64_FORMAT " not in depth-first order, %"
                              G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " step paths wrong, %"
                              G_GUINT64_FORMAT " leaves not zapped",
                         sy->walks ? " of the zap walks" : "", ty->not_depth_first, ty->steps_bad,
                         ty->steps, ty->leaves_unzapped);
  if (sy->walks)
    g_string_append_printf(out, "; of the %" G_GUINT64_FORMAT " sync walks: %" G_GUINT64_FORMAT
                                " not in depth-first order, %" G_GUINT64_FORMAT " of %"
                                G_GUINT64_FORMAT " step paths wrong, %" G_GUINT64_FORMAT
                                " leaves not synced",
                           sy->walks, sy->not_depth_first, sy->steps_bad, sy->steps,
                           sy->leaves_unzapped);
  g_string_append(out, ".</p>\n");
  if (kvmmmu_walk_pick_n_shapes(h->pick))
    shapes_table(out, h->pick);
  g_string_append(out, "<p class=\"legend\">Each box is a shadow page in walk order "
                       "(<code>[index]</code>, level, sp, gfn, role), each edge is labelled "
                       "with the child's index in its parent; <span class=\"unsync\">filled"
                       "</span>: unsync. Open a step to see its path from the root to the "
                       "leaf it zapped (in a sync walk: synced), <span class=\"path\">in red</span>. Wide trees "
                       "scroll.</p>\n");
  for (guint i = 0; i < order->len; i++) {
    GString *article = g_hash_table_lookup(h->articles, &g_array_index(order, guint64, i));

    if (article)
      g_string_append_len(out, article->str, article->len);
  }
  g_string_append(out, "</section>\n");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-trees.c - a walk as a tree: the walks renderer's DOT laid out by
 * Graphviz's libgvc into SVG, inlined at its own size (a page scrolls a
 * wide tree rather than shrink its labels).
 */
#include "render/html-private.h"

/* Page boxes are some 300 px wide and 40 px tall, so a tree is as wide as
 * its widest level top-down, or as its number of levels left to right.
 * TRUE when left to right is the narrower: a bushy tree whose leaves
 * stack rather than stretch past the page's column. */
static gboolean
left_to_right(const KvmmmuWalkTree *t)
{
  guint per_level[16] = { 0 }, widest = 0, levels = 0;

  for (guint i = 0; i < t->rec.nr && i < KVMMMU_MAX_WALK_PAGES; i++) {
    guint l = KVMMMU_ROLE_LEVEL(t->rec.items[i].role);

    if (per_level[l]++ == 0)
      levels++;
    widest = MAX(widest, per_level[l]);
  }
  return widest > levels;
}

void
kvmmmu_html_draw_walk(KvmmmuHtml *h, GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                      const KvmmmuKernelLayout *layout, int step, const char *cls)
{
  Agraph_t *g;
  char *data = NULL;
  unsigned int len = 0;

  g_string_assign(h->dot, "digraph walk {\n  graph [nodesep=0.2, ranksep=0.35, fontname=\"DejaVu Sans\", "
                          "fontsize=11];\n  node [fontname=\"DejaVu Sans Mono\", fontsize=10, "
                          "margin=\"0.08,0.04\"];\n  edge [fontname=\"DejaVu Sans Mono\", fontsize=9, "
                          "color=\"#555555\"];\n");
  if (left_to_right(t))
    g_string_append(h->dot, "  rankdir=LR;\n");
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
  } else {
    g_autofree char *prefix = g_strdup_printf("k%u-", ++h->svg_serial);

    /* Graphviz sizes in pt: 4/3 CSS px each */
    kvmmmu_svg_inline(out, data, len, cls, prefix, 4.0 / 3.0);
  }
  if (data)
    gvFreeRenderData(data);
  if (g) {
    gvFreeLayout(h->gvc, g);
    agclose(g);
  }
}

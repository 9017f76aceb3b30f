/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walks.c - walk dumps in the seed's layout, trees, JSON and CSV. */
#include <string.h>

#include "render/render-private.h"

void
kvmmmu_render_walk_dump(GString *out, const KvmmmuWalkTree *t)
{
  const KvmmmuWalk *w = &t->rec;

  /* The seed's header row, spacing quirk ("8 9") and all. */
  g_string_append(out, "Dump pages after mmu_unsync_walk\n"
                       "--------------------------------\n"
                       "SP Index:  0  1  2  3  4  5  6  7  8 9 10 11 12 13 14 15\n"
                       "SP Level:");
  for (guint i = 0; i < w->nr; i++)
    g_string_append_printf(out, "%3u", KVMMMU_ROLE_LEVEL(w->items[i].role));
  g_string_append_c(out, '\n');
  for (guint i = 0; i < w->nr; i++)
    g_string_append_printf(out, "[%u]: " X64 "\n", i, w->items[i].sp);

  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuStep *s = &g_array_index(t->steps, KvmmmuWalkStep, k).step;

    g_string_append_printf(out, "Dump parents after for_each_sp\n"
                                "--------------------------------\n"
                                "Current sp   : [%u]" X64 "\n"
                                "Level in Parents:", s->i, s->sp);
    for (guint d = 0; d < s->depth; d++)
      g_string_append_printf(out, "%3u", KVMMMU_ROLE_LEVEL(s->items[d].role));
    g_string_append(out, "\nSP in Parents:\n");
    for (guint d = 0; d < s->depth; d++)
      g_string_append_printf(out, "[%u]: " X64 "\n", d, s->items[d].sp);
  }
}

void
kvmmmu_render_walk_violations(GString *out, const KvmmmuWalkTree *t)
{
  const char *where = t->file;

  if (!t->dfs_ok)
    g_string_append_printf(out, "!! walk %" G_GUINT64_FORMAT " (%s:%" G_GUINT64_FORMAT
                           "): not in depth-first order: %s\n",
                           t->rec.walk, where, t->line, t->dfs_why);
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);

    if (ws->verdict != KVMMMU_STEP_OK)
      g_string_append_printf(out, "!! walk %" G_GUINT64_FORMAT " step [%u] (%s:%" G_GUINT64_FORMAT
                             "): %s\n", t->rec.walk, ws->step.i, where, ws->line, ws->why);
  }
  if (t->n_leaves_unstepped)
    g_string_append_printf(out, "!! walk %" G_GUINT64_FORMAT " (%s:%" G_GUINT64_FORMAT
                           "): %u of %u leaves were never zapped by a step\n",
                           t->rec.walk, where, t->line, t->n_leaves_unstepped, t->n_leaves);
}

/* Index of the step that zapped page j, or -1. */
static int
step_of(const KvmmmuWalkTree *t, guint j)
{
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    if (ws->step.i == j && ws->verdict == KVMMMU_STEP_OK)
      return k;
  }
  return -1;
}

void
kvmmmu_render_roles_source(GString *out, const KvmmmuKernelLayout *layout)
{
  if (layout)
    g_string_append_printf(out, "roles: decoded with the %s\n", layout->source);
  else
    g_string_append(out, "roles: raw (no debuginfo, and no built-in layout for this release)\n");
}

static void
tree_node(GString *out, const KvmmmuWalkTree *t, guint j, GString *prefix,
          gboolean last, gboolean root, const KvmmmuKernelLayout *layout)
{
  const KvmmmuWalkItem *it = &t->rec.items[j];
  gsize keep = prefix->len;
  int k;

  g_string_append_printf(out, "  %s%s[%u] L%u " X64, prefix->str,
                         root ? "" : last ? "`-" : "|-", j, KVMMMU_ROLE_LEVEL(it->role),
                         it->sp);
  if (it->idx != KVMMMU_INVALID_INDEX)
    g_string_append_printf(out, " idx %u", it->idx);
  g_string_append_printf(out, " gfn " X64 " role %x", it->gfn, it->role);
  if (layout) {
    g_string_append(out, " (");
    kvmmmu_role_decode(layout, it->role, out);
    g_string_append_c(out, ')');
  }
  if (it->unsync)
    g_string_append(out, " unsync");
  k = step_of(t, j);
  if (k >= 0)
    g_string_append_printf(out, " zapped by step %d", k + 1);
  g_string_append_c(out, '\n');

  if (!root)
    g_string_append(prefix, last ? "  " : "| ");
  /* children: pages whose parent_index is j, in walk order */
  {
    int kids[KVMMMU_MAX_WALK_PAGES];
    guint n = 0;

    for (guint c = j + 1; c < t->rec.nr; c++)
      if (t->parent_index[c] == (int)j)
        kids[n++] = c;
    for (guint c = 0; c < n; c++)
      tree_node(out, t, kids[c], prefix, c + 1 == n, FALSE, layout);
  }
  g_string_truncate(prefix, keep);
}

void
kvmmmu_render_walk_tree(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                        const KvmmmuKernelLayout *layout)
{
  g_autoptr(GString) prefix = g_string_new("");
  guint ok_steps = t->steps->len - t->n_steps_bad;

  g_string_append_printf(out, "walk %" G_GUINT64_FORMAT " at ", t->rec.walk);
  kvmmmu_render_reltime(out, t->ts_ns, origin_ns);
  g_string_append_printf(out, " cpu %u round %u: %u pages, %u leaves, %u steps, parent " X64 "\n",
                         t->cpu, t->rec.round, t->rec.nr, t->n_leaves, t->steps->len,
                         t->rec.parent);
  if (t->rec.nr > 0)
    tree_node(out, t, 0, prefix, TRUE, TRUE, layout);
  /* pages cut off the tree by an order violation */
  for (guint j = 1; j < t->rec.nr; j++)
    if (t->parent_index[j] < 0)
      g_string_append_printf(out, "  ?? [%u] L%u " X64 " (no parent in depth-first order)\n", j,
                             KVMMMU_ROLE_LEVEL(t->rec.items[j].role), t->rec.items[j].sp);
  if (t->rec.nr == KVMMMU_MAX_WALK_PAGES)
    g_string_append(out, "  array full: mmu_unsync_walk returned -ENOSPC, the walk restarts\n");
  g_string_append_printf(out, "  depth-first order: %s\n", t->dfs_ok ? "ok" : t->dfs_why);
  g_string_append_printf(out, "  step paths root-to-leaf: %u/%u ok", ok_steps, t->steps->len);
  if (t->n_leaves_unstepped)
    g_string_append_printf(out, ", %u leaves not zapped", t->n_leaves_unstepped);
  g_string_append_c(out, '\n');
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    if (ws->verdict != KVMMMU_STEP_OK)
      g_string_append_printf(out, "  step [%u]: %s\n", ws->step.i, ws->why);
  }
  g_string_append_c(out, '\n');
}

void
kvmmmu_render_walk_csv_header(GString *out)
{
  g_string_append(out, "walk,time_s,cpu,round,record,i,sp,level,role,role_decoded,gfn,idx,unsync,parents,verdict\n");
}

void
kvmmmu_render_walk_csv(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                       const KvmmmuKernelLayout *layout)
{
  const KvmmmuWalk *w = &t->rec;
  g_autoptr(GString) time = g_string_new("");
  g_autoptr(GString) decoded = g_string_new("");

  kvmmmu_render_reltime(time, t->ts_ns, origin_ns);
  g_string_erase(time, time->len - 1, 1); /* drop the unit: CSV wants a number */
  for (guint i = 0; i < w->nr; i++) {
    const KvmmmuWalkItem *it = &w->items[i];

    g_string_truncate(decoded, 0);
    if (layout)
      kvmmmu_role_decode(layout, it->role, decoded);
    g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%s,%u,%u,page,%u," X64 ",%u,%x,%s," X64 ",%d,%u,,%s\n",
                           w->walk, time->str, t->cpu, w->round, i, it->sp,
                           KVMMMU_ROLE_LEVEL(it->role), it->role, decoded->str, it->gfn,
                           it->idx == KVMMMU_INVALID_INDEX ? -1 : (int)it->idx, it->unsync,
                           i == 0 && !t->dfs_ok ? "bad-order" : "ok");
  }
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    const KvmmmuStep *s = &ws->step;

    g_string_append_printf(out, "%" G_GUINT64_FORMAT ",%s,%u,%u,step,%u," X64 ",,,,,,,",
                           w->walk, time->str, t->cpu, w->round, s->i, s->sp);
    for (guint d = 0; d < s->depth; d++)
      g_string_append_printf(out, "%s" X64, d ? " " : "", s->items[d].sp);
    g_string_append_printf(out, ",%s\n", ws->verdict == KVMMMU_STEP_OK ? "ok" : "bad-path");
  }
}

/* "role" and, with a layout, "role_decoded". */
static void
json_role(JsonBuilder *b, guint32 role, const KvmmmuKernelLayout *layout)
{
  kvmmmu_json_hex(b, "role", role);
  if (layout) {
    g_autoptr(GString) d = g_string_new("");

    kvmmmu_role_decode(layout, role, d);
    kvmmmu_json_string(b, "role_decoded", d->str);
  }
}

JsonNode *
kvmmmu_render_walk_json(const KvmmmuWalkTree *t, guint64 origin_ns,
                        const KvmmmuKernelLayout *layout)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  const KvmmmuWalk *w = &t->rec;

  json_builder_begin_object(b);
  kvmmmu_json_int(b, "walk", w->walk);
  kvmmmu_json_int(b, "time_ns", (gint64)(t->ts_ns - origin_ns));
  kvmmmu_json_int(b, "cpu", t->cpu);
  kvmmmu_json_int(b, "round", w->round);
  kvmmmu_json_hex(b, "parent", w->parent);
  json_builder_set_member_name(b, "pages");
  json_builder_begin_array(b);
  for (guint i = 0; i < w->nr; i++) {
    const KvmmmuWalkItem *it = &w->items[i];

    json_builder_begin_object(b);
    kvmmmu_json_hex(b, "sp", it->sp);
    kvmmmu_json_int(b, "level", KVMMMU_ROLE_LEVEL(it->role));
    json_role(b, it->role, layout);
    kvmmmu_json_hex(b, "gfn", it->gfn);
    kvmmmu_json_int(b, "idx", it->idx == KVMMMU_INVALID_INDEX ? -1 : (gint64)it->idx);
    json_builder_set_member_name(b, "unsync");
    json_builder_add_boolean_value(b, it->unsync);
    kvmmmu_json_int(b, "tree_parent", t->parent_index[i]);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "steps");
  json_builder_begin_array(b);
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);

    json_builder_begin_object(b);
    kvmmmu_json_int(b, "i", ws->step.i);
    kvmmmu_json_hex(b, "sp", ws->step.sp);
    json_builder_set_member_name(b, "parents");
    json_builder_begin_array(b);
    for (guint d = 0; d < ws->step.depth; d++) {
      json_builder_begin_object(b);
      kvmmmu_json_hex(b, "sp", ws->step.items[d].sp);
      kvmmmu_json_int(b, "level", KVMMMU_ROLE_LEVEL(ws->step.items[d].role));
      json_role(b, ws->step.items[d].role, layout);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "path_ok");
    json_builder_add_boolean_value(b, ws->verdict == KVMMMU_STEP_OK);
    if (ws->verdict != KVMMMU_STEP_OK) {
      json_builder_set_member_name(b, "problem");
      json_builder_add_string_value(b, ws->why);
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "depth_first");
  json_builder_add_boolean_value(b, t->dfs_ok);
  if (!t->dfs_ok) {
    json_builder_set_member_name(b, "order_problem");
    json_builder_add_string_value(b, t->dfs_why);
  }
  kvmmmu_json_int(b, "leaves", t->n_leaves);
  kvmmmu_json_int(b, "leaves_not_zapped", t->n_leaves_unstepped);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

/* Which pages and edges the step's path runs through: its leaf and each
 * recorded parent, found by sp among the walk's pages. */
static void
step_path(const KvmmmuWalkTree *t, const KvmmmuWalkStep *ws, gboolean on[KVMMMU_MAX_WALK_PAGES])
{
  memset(on, 0, sizeof(gboolean) * KVMMMU_MAX_WALK_PAGES);
  if (ws->step.i < t->rec.nr)
    on[ws->step.i] = TRUE;
  for (guint d = 0; d < ws->step.depth; d++)
    for (guint j = 0; j < t->rec.nr; j++)
      if (t->rec.items[j].sp == ws->step.items[d].sp) {
        on[j] = TRUE;
        break;
      }
}

#define DOT_PATH_COLOR "#c62828"

void
kvmmmu_render_walk_dot_step(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                            const KvmmmuKernelLayout *layout, int step)
{
  const KvmmmuWalk *w = &t->rec;
  g_autoptr(GString) when = g_string_new("");
  g_autoptr(GString) role = g_string_new("");
  gboolean on[KVMMMU_MAX_WALK_PAGES] = { FALSE };
  gboolean highlight = step >= 0 && (guint)step < t->steps->len;

  if (highlight)
    step_path(t, &g_array_index(t->steps, KvmmmuWalkStep, step), on);
  kvmmmu_render_reltime(when, t->ts_ns, origin_ns);
  g_string_append_printf(out, "  subgraph cluster_walk%" G_GUINT64_FORMAT " {\n"
                              "    label=\"walk %" G_GUINT64_FORMAT " at %s cpu %u round %u%s",
                         w->walk, w->walk, when->str, t->cpu, w->round,
                         kvmmmu_walk_tree_ok(t) ? "" : " (checks failed)");
  if (highlight)
    g_string_append_printf(out, ", step %d", step + 1);
  g_string_append(out, "\";\n");
  for (guint j = 0; j < w->nr; j++) {
    const KvmmmuWalkItem *it = &w->items[j];
    int k = step_of(t, j);

    g_string_truncate(role, 0);
    if (layout)
      kvmmmu_role_decode(layout, it->role, role);
    else
      g_string_append_printf(role, "role %x", it->role);
    g_string_append_printf(out, "    w%" G_GUINT64_FORMAT "p%u [shape=box%s%s, label=\"[%u] L%u " X64
                                "\\ngfn " X64 " %s",
                           w->walk, j, it->unsync ? ", style=filled, fillcolor=\"#f4c7a1\"" : "",
                           on[j] ? ", color=\"" DOT_PATH_COLOR "\", penwidth=2.5" : "", j,
                           KVMMMU_ROLE_LEVEL(it->role), it->sp, it->gfn, role->str);
    if (k >= 0)
      g_string_append_printf(out, "\\nzapped by step %d", k + 1);
    g_string_append(out, "\"];\n");
  }
  for (guint j = 1; j < w->nr; j++)
    if (t->parent_index[j] >= 0)
      g_string_append_printf(out, "    w%" G_GUINT64_FORMAT "p%d -> w%" G_GUINT64_FORMAT "p%u [label=\"%u\"%s];\n",
                             w->walk, t->parent_index[j], w->walk, j, w->items[j].idx,
                             on[j] && on[t->parent_index[j]]
                               ? ", color=\"" DOT_PATH_COLOR "\", penwidth=3" : "");
  g_string_append(out, "  }\n");
}

void
kvmmmu_render_walk_dot(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                       const KvmmmuKernelLayout *layout)
{
  kvmmmu_render_walk_dot_step(out, t, origin_ns, layout, -1);
}

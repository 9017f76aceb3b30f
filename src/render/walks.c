/* SPDX-License-Identifier: GPL-2.0-or-later */
/* walks.c - walk dumps in the seed's layout, trees, JSON and CSV. */
#include <string.h>

#include "render/common.h"
#include "render/render-private.h"
#include "render/walks.h"

/* The longest "[15]: ffffffffffffffff\n" line of a page or parent list. */
#define SP_LINE_MAX (sizeof "[]: \n" - 1 + KVMMMU_U32_MAX + KVMMMU_HEX64_MAX)

/* "[i]: sp" lines, one per page (or per parent), numbered from 0. */
static char *
put_sp_line(char *p, guint i, guint64 sp)
{
  p = kvmmmu_put_char(p, '[');
  p = kvmmmu_put_u32(p, i);
  p = kvmmmu_put_lit(p, "]: ");
  p = kvmmmu_put_hex(p, sp);
  return kvmmmu_put_char(p, '\n');
}

/* The seed dumped zap walks only: a sync walk's titles say so after the
 * seed's, which a zap walk's keep byte for byte. */
#define DUMP_PAGES_TITLE "Dump pages after mmu_unsync_walk"
#define DUMP_PAGES_HEAD "\n--------------------------------\n"                            \
                        "SP Index:  0  1  2  3  4  5  6  7  8 9 10 11 12 13 14 15\n"  \
                        "SP Level:"
#define DUMP_STEP_TITLE "Dump parents after for_each_sp"
#define DUMP_STEP_HEAD "\n--------------------------------\n"                             \
                       "Current sp   : ["
#define DUMP_SYNC_TAG " (sync walk: mmu_sync_children)"
/* Levels are role bits 0-3, so "%3u" of one takes three columns. */
#define DUMP_PAGES_MAX (sizeof DUMP_PAGES_TITLE DUMP_SYNC_TAG DUMP_PAGES_HEAD + \
                        KVMMMU_MAX_WALK_PAGES * (3 + SP_LINE_MAX))
#define DUMP_STEP_MAX (sizeof DUMP_STEP_TITLE DUMP_SYNC_TAG DUMP_STEP_HEAD + KVMMMU_U32_MAX + 1 + \
                       KVMMMU_HEX64_MAX + sizeof "\nLevel in Parents:\nSP in Parents:\n" +  \
                       KVMMMU_MAX_PATH_DEPTH * (3 + SP_LINE_MAX))

/* The dump is the bulk of `walks` output, so it is formatted by hand
 * (render/common.h says why) into room reserved once per section. */
static void
dump_pages(GString *out, const KvmmmuWalk *w)
{
  char *p = kvmmmu_text_reserve(out, DUMP_PAGES_MAX);

  /* The seed's header row, spacing quirk ("8 9") and all. */
  p = kvmmmu_put_lit(p, DUMP_PAGES_TITLE);
  if (w->sync)
    p = kvmmmu_put_lit(p, DUMP_SYNC_TAG);
  p = kvmmmu_put_lit(p, DUMP_PAGES_HEAD);
  for (guint i = 0; i < w->nr; i++)
    p = kvmmmu_put_u32_w3(p, KVMMMU_ROLE_LEVEL(w->items[i].role));
  p = kvmmmu_put_char(p, '\n');
  for (guint i = 0; i < w->nr; i++)
    p = put_sp_line(p, i, w->items[i].sp);
  kvmmmu_text_commit(out, p);
}

static void
dump_step(GString *out, const KvmmmuStep *s, gboolean sync)
{
  char *p = kvmmmu_text_reserve(out, DUMP_STEP_MAX);

  p = kvmmmu_put_lit(p, DUMP_STEP_TITLE);
  if (sync)
    p = kvmmmu_put_lit(p, DUMP_SYNC_TAG);
  p = kvmmmu_put_lit(p, DUMP_STEP_HEAD);
  p = kvmmmu_put_u32(p, s->i);
  p = kvmmmu_put_char(p, ']');
  p = kvmmmu_put_hex(p, s->sp);
  p = kvmmmu_put_lit(p, "\nLevel in Parents:");
  for (guint d = 0; d < s->depth; d++)
    p = kvmmmu_put_u32_w3(p, KVMMMU_ROLE_LEVEL(s->items[d].role));
  p = kvmmmu_put_lit(p, "\nSP in Parents:\n");
  for (guint d = 0; d < s->depth; d++)
    p = put_sp_line(p, d, s->items[d].sp);
  kvmmmu_text_commit(out, p);
}

void
kvmmmu_render_walk_dump(GString *out, const KvmmmuWalkTree *t)
{
  dump_pages(out, &t->rec);
  for (guint k = 0; k < t->steps->len; k++)
    dump_step(out, &g_array_index(t->steps, KvmmmuWalkStep, k).step, t->rec.sync);
}

/* "walk" or "sync walk": a zap walk is named as it always was. */
static const char *
walk_noun(const KvmmmuWalkTree *t)
{
  return t->rec.sync ? "sync walk" : "walk";
}

void
kvmmmu_render_walk_violations(GString *out, const KvmmmuWalkTree *t)
{
  const char *where = t->file, *noun = walk_noun(t);

  if (!t->dfs_ok)
    g_string_append_printf(out, "!! %s %" G_GUINT64_FORMAT " (%s:%" G_GUINT64_FORMAT
                           "): not in depth-first order: %s\n",
                           noun, t->rec.walk, where, t->line, t->dfs_why);
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);

    if (ws->verdict != KVMMMU_STEP_OK)
      g_string_append_printf(out, "!! %s %" G_GUINT64_FORMAT " step [%u] (%s:%" G_GUINT64_FORMAT
                             "): %s\n", noun, t->rec.walk, ws->step.i, where, ws->line, ws->why);
  }
  if (t->n_steps_unkept)
    g_string_append_printf(out, "!! %s %" G_GUINT64_FORMAT " (%s:%" G_GUINT64_FORMAT
                           "): %u more steps failed a check, counted but not kept (the first at %s:%"
                           G_GUINT64_FORMAT ")\n", noun, t->rec.walk, where, t->line,
                           t->n_steps_unkept, where, t->first_unkept_line);
  if (t->n_leaves_unstepped)
    g_string_append_printf(out, "!! %s %" G_GUINT64_FORMAT " (%s:%" G_GUINT64_FORMAT
                           "): %u of %u leaves were never %s by a step\n",
                           noun, t->rec.walk, where, t->line, t->n_leaves_unstepped, t->n_leaves,
                           kvmmmu_walk_kind_done(kvmmmu_walk_kind(t)));
}

/* Index of the step that zapped (synced) page j, or -1. */
static int
step_of(const KvmmmuWalkTree *t, guint j)
{
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    if (ws->step.i == j && ws->zapped)
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

/* At most this many role words are remembered; a trace has a handful
 * (one per level and access mode), so more means odd input: decode those
 * each time rather than grow. */
#define ROLE_TEXTS_MAX 64

struct _KvmmmuRoleTexts {
  const KvmmmuKernelLayout *layout; /* what the texts were decoded with */
  guint n;
  guint32 role[ROLE_TEXTS_MAX];
  guint start[ROLE_TEXTS_MAX];      /* text of role[i] in arena */
  guint len[ROLE_TEXTS_MAX];
  GString *arena;
  gboolean kernel_style;
};

KvmmmuRoleTexts *
kvmmmu_role_texts_new(void)
{
  KvmmmuRoleTexts *texts = g_new0(KvmmmuRoleTexts, 1);

  texts->arena = g_string_new("");
  return texts;
}

void
kvmmmu_role_texts_reset(KvmmmuRoleTexts *texts)
{
  texts->layout = NULL;
  texts->n = 0;
  g_string_truncate(texts->arena, 0);
}

void
kvmmmu_role_texts_set_kernel_style(KvmmmuRoleTexts *texts, gboolean kernel_style)
{
  texts->kernel_style = kernel_style;
}

void
kvmmmu_role_texts_free(KvmmmuRoleTexts *texts)
{
  if (!texts)
    return;
  g_string_free(texts->arena, TRUE);
  g_free(texts);
}

/* Append role decoded with layout, from texts when it was decoded before. */
static void
put_role_text(GString *out, guint32 role, const KvmmmuKernelLayout *layout,
              KvmmmuRoleTexts *texts)
{
  guint i;

  if (!texts) {
    kvmmmu_role_decode(layout, role, out);
    return;
  }
  if (texts->layout != layout) {
    kvmmmu_role_texts_reset(texts);
    texts->layout = layout;
  }
  for (i = 0; i < texts->n; i++)
    if (texts->role[i] == role) {
      g_string_append_len(out, texts->arena->str + texts->start[i], texts->len[i]);
      return;
    }
  if (texts->n == ROLE_TEXTS_MAX) {
    kvmmmu_role_decode(layout, role, out);
    return;
  }
  texts->role[i] = role;
  texts->start[i] = texts->arena->len;
  kvmmmu_role_decode(layout, role, texts->arena);
  texts->len[i] = texts->arena->len - texts->start[i];
  texts->n++;
  g_string_append_len(out, texts->arena->str + texts->start[i], texts->len[i]);
}

/* The indent before a tree line: "| " or "  " per ancestor below the root,
 * two columns each, so a page at any level fits. */
typedef struct {
  char text[2 * KVMMMU_MAX_WALK_PAGES];
  guint len;
} TreeIndent;

#define TREE_LINE_MAX (2 + 2 * KVMMMU_MAX_WALK_PAGES + 2 +                         \
                       sizeof "[] L  idx  gfn  role  unsync synced by step " +           \
                       5 * KVMMMU_U32_MAX + 2 * KVMMMU_HEX64_MAX + 2 * KVMMMU_U32_MAX)

static void
tree_node(GString *out, const KvmmmuWalkTree *t, guint j, TreeIndent *indent,
          gboolean last, gboolean root, const KvmmmuKernelLayout *layout,
          KvmmmuRoleTexts *texts)
{
  const KvmmmuWalkItem *it = &t->rec.items[j];
  guint keep = indent->len;
  int k = step_of(t, j);
  char *p = kvmmmu_text_reserve(out, TREE_LINE_MAX);

  p = kvmmmu_put_lit(p, "  ");
  p = kvmmmu_put_mem(p, indent->text, indent->len);
  if (!root)
    p = kvmmmu_put_mem(p, last ? "`-" : "|-", 2);
  p = kvmmmu_put_char(p, '[');
  p = kvmmmu_put_u32(p, j);
  p = kvmmmu_put_lit(p, "] L");
  p = kvmmmu_put_u32(p, KVMMMU_ROLE_LEVEL(it->role));
  p = kvmmmu_put_char(p, ' ');
  p = kvmmmu_put_hex(p, it->sp);
  if (it->idx != KVMMMU_INVALID_INDEX) {
    p = kvmmmu_put_lit(p, " idx ");
    p = kvmmmu_put_u32(p, it->idx);
  }
  p = kvmmmu_put_lit(p, " gfn ");
  p = kvmmmu_put_hex(p, it->gfn);
  p = kvmmmu_put_lit(p, " role ");
  p = kvmmmu_put_hex(p, it->role);
  if (layout) {
    p = kvmmmu_put_lit(p, " (");
    kvmmmu_text_commit(out, p);
    put_role_text(out, it->role, layout, texts);
    p = kvmmmu_text_reserve(out, TREE_LINE_MAX);
    p = kvmmmu_put_char(p, ')');
    if (texts && texts->kernel_style) {
      KvmmmuKernelRole kr;

      p = kvmmmu_put_lit(p, " [kernel: ");
      kvmmmu_text_commit(out, p);
      kvmmmu_role_like_kernel(layout, it->role, it->unsync, &kr);
      kvmmmu_kernel_role_print(&kr, out);
      p = kvmmmu_text_reserve(out, TREE_LINE_MAX);
      p = kvmmmu_put_char(p, ']');
    }
  }
  if (it->unsync)
    p = kvmmmu_put_lit(p, " unsync");
  if (k >= 0) {
    p = t->rec.sync ? kvmmmu_put_lit(p, " synced by step ") : kvmmmu_put_lit(p, " zapped by step ");
    p = kvmmmu_put_u32(p, k + 1);
  }
  p = kvmmmu_put_char(p, '\n');
  kvmmmu_text_commit(out, p);

  if (!root) {
    memcpy(indent->text + indent->len, last ? "  " : "| ", 2);
    indent->len += 2;
  }
  /* children: pages whose parent_index is j, in walk order */
  {
    int kids[KVMMMU_MAX_WALK_PAGES];
    guint n = 0;

    for (guint c = j + 1; c < t->rec.nr; c++)
      if (t->parent_index[c] == (int)j)
        kids[n++] = c;
    for (guint c = 0; c < n; c++)
      tree_node(out, t, kids[c], indent, c + 1 == n, FALSE, layout, texts);
  }
  indent->len = keep;
}

#define TREE_HEAD_MAX (sizeof "sync walk  (capture ) at  cpu  kvm  round : pages,  leaves,  steps, parent \n" + \
                       KVMMMU_U64_MAX + 6 * KVMMMU_U32_MAX + 2 * KVMMMU_HEX64_MAX)
#define TREE_TAIL_MAX (sizeof "  depth-first order: ok\n  step paths root-to-leaf: / ok, " \
                       " leaves not synced\n" + 3 * KVMMMU_U32_MAX)

void
kvmmmu_render_walk_tree_with(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                             const KvmmmuKernelLayout *layout, KvmmmuRoleTexts *texts)
{
  TreeIndent indent = { .len = 0 };
  guint n_steps = kvmmmu_walk_tree_n_steps(t), ok_steps = n_steps - t->n_steps_bad;
  char *p = kvmmmu_text_reserve(out, TREE_HEAD_MAX);

  /* --tree is the other text dump of every walk: by hand, like the dump. */
  if (t->rec.sync)
    p = kvmmmu_put_lit(p, "sync ");
  p = kvmmmu_put_lit(p, "walk ");
  p = kvmmmu_put_u64(p, t->rec.walk);
  if (t->capture > 1) { /* ids start again in each capture */
    p = kvmmmu_put_lit(p, " (capture ");
    p = kvmmmu_put_u32(p, t->capture);
    p = kvmmmu_put_char(p, ')');
  }
  p = kvmmmu_put_lit(p, " at ");
  kvmmmu_text_commit(out, p);
  kvmmmu_render_reltime(out, t->ts_ns, origin_ns);
  p = kvmmmu_text_reserve(out, TREE_HEAD_MAX);
  p = kvmmmu_put_lit(p, " cpu ");
  p = kvmmmu_put_u32(p, t->cpu);
  if (t->rec.kvm) { /* 0: a format-1 capture, which did not write it */
    p = kvmmmu_put_lit(p, " kvm ");
    p = kvmmmu_put_hex(p, t->rec.kvm);
  }
  p = kvmmmu_put_lit(p, " round ");
  p = kvmmmu_put_u32(p, t->rec.round);
  p = kvmmmu_put_lit(p, ": ");
  p = kvmmmu_put_u32(p, t->rec.nr);
  p = kvmmmu_put_lit(p, " pages, ");
  p = kvmmmu_put_u32(p, t->n_leaves);
  p = kvmmmu_put_lit(p, " leaves, ");
  p = kvmmmu_put_u32(p, n_steps);
  p = kvmmmu_put_lit(p, " steps, parent ");
  p = kvmmmu_put_hex(p, t->rec.parent);
  p = kvmmmu_put_char(p, '\n');
  kvmmmu_text_commit(out, p);

  if (t->rec.nr > 0)
    tree_node(out, t, 0, &indent, TRUE, TRUE, layout, texts);
  /* pages cut off the tree by an order violation; rare, so printf */
  for (guint j = 1; j < t->rec.nr; j++)
    if (t->parent_index[j] < 0)
      g_string_append_printf(out, "  ?? [%u] L%u " X64 " (no parent in depth-first order)\n", j,
                             KVMMMU_ROLE_LEVEL(t->rec.items[j].role), t->rec.items[j].sp);
  if (t->rec.nr == KVMMMU_MAX_WALK_PAGES)
    g_string_append(out, "  array full: mmu_unsync_walk returned -ENOSPC, the walk restarts\n");
  if (t->dfs_ok)
    g_string_append(out, "  depth-first order: ok\n");
  else
    g_string_append_printf(out, "  depth-first order: %s\n", t->dfs_why);

  p = kvmmmu_text_reserve(out, TREE_TAIL_MAX);
  p = kvmmmu_put_lit(p, "  step paths root-to-leaf: ");
  p = kvmmmu_put_u32(p, ok_steps);
  p = kvmmmu_put_char(p, '/');
  p = kvmmmu_put_u32(p, n_steps);
  p = kvmmmu_put_lit(p, " ok");
  if (t->n_leaves_unstepped) {
    p = kvmmmu_put_lit(p, ", ");
    p = kvmmmu_put_u32(p, t->n_leaves_unstepped);
    p = t->rec.sync ? kvmmmu_put_lit(p, " leaves not synced") : kvmmmu_put_lit(p, " leaves not zapped");
  }
  p = kvmmmu_put_char(p, '\n');
  kvmmmu_text_commit(out, p);
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    if (ws->verdict != KVMMMU_STEP_OK)
      g_string_append_printf(out, "  step [%u]: %s\n", ws->step.i, ws->why);
  }
  if (t->n_steps_unkept)
    g_string_append_printf(out, "  %u more steps failed a check, counted but not kept (the first at line %"
                           G_GUINT64_FORMAT ")\n", t->n_steps_unkept, t->first_unkept_line);
  g_string_append_c(out, '\n');
}

void
kvmmmu_render_walk_tree(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                        const KvmmmuKernelLayout *layout)
{
  kvmmmu_render_walk_tree_with(out, t, origin_ns, layout, NULL);
}

void
kvmmmu_render_walk_csv_header(GString *out)
{
  g_string_append(out, "capture,walk,time_s,cpu,kvm,round,record,i,sp,level,role,role_decoded,gfn,idx,unsync,parents,verdict,kind\n");
}

void
kvmmmu_render_walk_csv(GString *out, const KvmmmuWalkTree *t, guint64 origin_ns,
                       const KvmmmuKernelLayout *layout)
{
  const KvmmmuWalk *w = &t->rec;
  g_autoptr(GString) time = g_string_new("");
  g_autoptr(GString) decoded = g_string_new("");
  char kvm[24] = ""; /* empty: a format-1 capture did not write it */
  const char *kind = kvmmmu_walk_kind_name(kvmmmu_walk_kind(t));

  kvmmmu_render_reltime_number(time, t->ts_ns, origin_ns);
  if (w->kvm)
    g_snprintf(kvm, sizeof kvm, X64, w->kvm);
  for (guint i = 0; i < w->nr; i++) {
    const KvmmmuWalkItem *it = &w->items[i];

    g_string_truncate(decoded, 0);
    if (layout)
      kvmmmu_role_decode(layout, it->role, decoded);
    g_string_append_printf(out, "%u,%" G_GUINT64_FORMAT ",%s,%u,%s,%u,page,%u," X64 ",%u,%x,%s," X64 ",%d,%u,,%s,%s\n",
                           t->capture, w->walk, time->str, t->cpu, kvm, w->round, i, it->sp,
                           KVMMMU_ROLE_LEVEL(it->role), it->role, decoded->str, it->gfn,
                           it->idx == KVMMMU_INVALID_INDEX ? -1 : (int)it->idx, it->unsync,
                           i == 0 && !t->dfs_ok ? "bad-order" : "ok", kind);
  }
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);
    const KvmmmuStep *s = &ws->step;

    g_string_append_printf(out, "%u,%" G_GUINT64_FORMAT ",%s,%u,%s,%u,step,%u," X64 ",,,,,,,",
                           t->capture, w->walk, time->str, t->cpu, kvm, w->round, s->i, s->sp);
    for (guint d = 0; d < s->depth; d++)
      g_string_append_printf(out, "%s" X64, d ? " " : "", s->items[d].sp);
    g_string_append_printf(out, ",%s,%s\n", ws->verdict == KVMMMU_STEP_OK && !ws->path_checked
                                             ? "path-unchecked" : kvmmmu_step_verdict_name(ws->verdict),
                           kind);
  }
  /* The failing steps past those kept are counted only: one row says how
   * many (in i), as the text and JSON do, so that the rows account for
   * every step of the walk. */
  if (t->n_steps_unkept)
    g_string_append_printf(out, "%u,%" G_GUINT64_FORMAT ",%s,%u,%s,%u,steps-not-kept,%u,,,,,,,,,failed,%s\n",
                           t->capture, w->walk, time->str, t->cpu, kvm, w->round, t->n_steps_unkept,
                           kind);
}

/* "role" and, with a layout, "role_decoded". */
static void
json_role(KvmmmuJsonBuilder *b, guint32 role, const KvmmmuKernelLayout *layout)
{
  kvmmmu_json_hex(b, "role", role);
  if (layout) {
    g_autoptr(GString) d = g_string_new("");

    kvmmmu_role_decode(layout, role, d);
    kvmmmu_json_string(b, "role_decoded", d->str);
  }
}

KvmmmuJson *
kvmmmu_render_walk_json(const KvmmmuWalkTree *t, guint64 origin_ns,
                        const KvmmmuKernelLayout *layout)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  const KvmmmuWalk *w = &t->rec;
  KvmmmuWalkKind kind = kvmmmu_walk_kind(t);
  /* "zapped", "leaves_not_zapped": a sync walk's name what its steps do */
  const char *done = kvmmmu_walk_kind_done(kind);
  const char *not_done = kind == KVMMMU_WALK_SYNC ? "leaves_not_synced" : "leaves_not_zapped";

  kvmmmu_json_begin_object(b);
  kvmmmu_json_uint(b, "walk", w->walk);
  kvmmmu_json_int(b, "capture", t->capture);
  kvmmmu_json_diff(b, "time_ns", t->ts_ns, origin_ns);
  kvmmmu_json_int(b, "cpu", t->cpu);
  if (w->kvm) {
    kvmmmu_json_hex(b, "kvm", w->kvm);
  } else { /* a format-1 capture did not write it */
    kvmmmu_json_member(b, "kvm");
    kvmmmu_json_add_null(b);
  }
  kvmmmu_json_int(b, "round", w->round);
  kvmmmu_json_string(b, "kind", kvmmmu_walk_kind_name(kind));
  kvmmmu_json_hex(b, "parent", w->parent);
  kvmmmu_json_member(b, "pages");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < w->nr; i++) {
    const KvmmmuWalkItem *it = &w->items[i];

    kvmmmu_json_begin_object(b);
    kvmmmu_json_hex(b, "sp", it->sp);
    kvmmmu_json_int(b, "level", KVMMMU_ROLE_LEVEL(it->role));
    json_role(b, it->role, layout);
    kvmmmu_json_hex(b, "gfn", it->gfn);
    kvmmmu_json_int(b, "idx", it->idx == KVMMMU_INVALID_INDEX ? -1 : (gint64)it->idx);
    kvmmmu_json_bool(b, "unsync", it->unsync);
    kvmmmu_json_int(b, "tree_parent", t->parent_index[i]);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_member(b, "steps");
  kvmmmu_json_begin_array(b);
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);

    kvmmmu_json_begin_object(b);
    kvmmmu_json_int(b, "i", ws->step.i);
    kvmmmu_json_hex(b, "sp", ws->step.sp);
    kvmmmu_json_member(b, "parents");
    kvmmmu_json_begin_array(b);
    for (guint d = 0; d < ws->step.depth; d++) {
      kvmmmu_json_begin_object(b);
      kvmmmu_json_hex(b, "sp", ws->step.items[d].sp);
      kvmmmu_json_int(b, "level", KVMMMU_ROLE_LEVEL(ws->step.items[d].role));
      json_role(b, ws->step.items[d].role, layout);
      kvmmmu_json_end_object(b);
    }
    kvmmmu_json_end_array(b);
    kvmmmu_json_string(b, "verdict", kvmmmu_step_verdict_name(ws->verdict));
    kvmmmu_json_member(b, "path_ok");
    if (ws->path_checked)
      kvmmmu_json_add_bool(b, ws->verdict != KVMMMU_STEP_BAD_PATH);
    else
      kvmmmu_json_add_null(b); /* not known: the walk's page list is at fault */
    kvmmmu_json_bool(b, done, ws->zapped);
    if (ws->verdict != KVMMMU_STEP_OK) {
      kvmmmu_json_string(b, "problem", ws->why);
    }
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_bool(b, "depth_first", t->dfs_ok);
  if (!t->dfs_ok) {
    kvmmmu_json_string(b, "order_problem", t->dfs_why);
  }
  if (t->n_steps_unkept) { /* failing steps past those kept */
    kvmmmu_json_int(b, "steps_not_kept", t->n_steps_unkept);
    kvmmmu_json_uint(b, "first_not_kept_line", t->first_unkept_line);
  }
  kvmmmu_json_int(b, "leaves", t->n_leaves);
  kvmmmu_json_int(b, not_done, t->n_leaves_unstepped);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
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
                              "    label=\"%s %" G_GUINT64_FORMAT " at %s cpu %u round %u%s",
                         w->walk, walk_noun(t), w->walk, when->str, t->cpu, w->round,
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
      g_string_append_printf(out, "\\n%s by step %d", kvmmmu_walk_kind_done(kvmmmu_walk_kind(t)),
                             k + 1);
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

/* One kind's check totals; a sync walk's leaves are synced, not zapped. */
static void
json_tally(KvmmmuJsonBuilder *b, const KvmmmuWalkTally *tally, KvmmmuWalkKind kind)
{
  kvmmmu_json_uint(b, "walks", tally->walks);
  kvmmmu_json_uint(b, "not_depth_first", tally->not_depth_first);
  kvmmmu_json_uint(b, "steps", tally->steps);
  kvmmmu_json_uint(b, "bad_steps", tally->steps_bad);
  kvmmmu_json_uint(b, kind == KVMMMU_WALK_SYNC ? "leaves_not_synced" : "leaves_not_zapped",
                   tally->leaves_unzapped);
}

void
kvmmmu_render_walks_json_tail(GString *out, const KvmmmuWalkTally tally[KVMMMU_WALK_KINDS],
                              const KvmmmuStats *stats, guint64 bad_lines)
{
  /* The walks array is streamed; what follows it is one object whose
   * members continue the document. */
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autoptr(KvmmmuJson) tail = NULL;
  g_autofree char *text = NULL;

  kvmmmu_json_begin_object(b);
  kvmmmu_json_member(b, "checks");
  /* the zap walks' totals as they always were, the sync walks' inside */
  kvmmmu_json_begin_object(b);
  json_tally(b, &tally[KVMMMU_WALK_ZAP], KVMMMU_WALK_ZAP);
  kvmmmu_json_member(b, "sync");
  kvmmmu_json_begin_object(b);
  json_tally(b, &tally[KVMMMU_WALK_SYNC], KVMMMU_WALK_SYNC);
  kvmmmu_json_end_object(b);
  kvmmmu_json_end_object(b);
  kvmmmu_json_member(b, "summary");
  kvmmmu_json_add_value(b, kvmmmu_render_summary_json(stats, tally[KVMMMU_WALK_ZAP].walks, bad_lines));
  kvmmmu_json_end_object(b);
  tail = kvmmmu_json_builder_root(b);
  text = kvmmmu_render_json_to_string(tail, FALSE);
  g_string_append_printf(out, "\n], %s\n", text + 1);
}

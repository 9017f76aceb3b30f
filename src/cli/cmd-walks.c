/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report walks: each mmu_unsync_walk as the seed dumped it, or as a
 * tree, checked against the kernel's rules. */
#include <stdio.h>

#include "cli/cli.h"
#include "model/walks.h"
#include "model/walktop.h"
#include "render/walks.h"

/* Output is written in blocks this large: a write per walk would cost more
 * than rendering it, and a bounded buffer keeps memory flat.  The buffer
 * grows to it as walks come (a small trace's report is a few lines). */
#define OUT_BLOCK (256 * 1024)

typedef struct {
  KvmmmuCli *cli;
  gboolean tree;
  GString *out;
  guint64 origin_ns;
  KvmmmuWalkTally tally[KVMMMU_WALK_KINDS]; /* zap walks', sync walks' */
  gboolean first_json;
  KvmmmuWalks *model;
  KvmmmuRoleTexts *role_texts; /* --tree: decoded roles, per capture */
  /* --sort/--top: the walks kept, drawn at the end with their capture's
   * origin and layout (layouts live as long as the CLI) */
  KvmmmuWalkTop *top;
  GArray *origins;             /* guint64 per capture, from capture 1 */
  GPtrArray *layouts;          /* const KvmmmuKernelLayout * per capture */
} WalksRun;

static void
render_walk(WalksRun *run, const KvmmmuWalkTree *t, guint64 origin_ns,
            const KvmmmuKernelLayout *layout)
{
  switch (run->cli->format) {
  case KVMMMU_FORMAT_OPENMETRICS: /* only summary, roots and cache take it */
  case KVMMMU_FORMAT_TEXT:
    if (run->tree)
      kvmmmu_render_walk_tree_with(run->out, t, origin_ns, layout, run->role_texts);
    else {
      kvmmmu_render_walk_dump(run->out, t);
      kvmmmu_render_walk_violations(run->out, t);
    }
    break;
  case KVMMMU_FORMAT_CSV:
    kvmmmu_render_walk_csv(run->out, t, origin_ns, layout);
    break;
  case KVMMMU_FORMAT_DOT:
    kvmmmu_render_walk_dot(run->out, t, origin_ns, layout);
    break;
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node = kvmmmu_render_walk_json(t, origin_ns, layout);
    g_autofree char *text = kvmmmu_render_json_to_string(node, FALSE);

    g_string_append_printf(run->out, "%s\n  %s", run->first_json ? "" : ",", text);
    run->first_json = FALSE;
    break;
  }
  }
  if (run->out->len >= OUT_BLOCK)
    kvmmmu_cli_flush(run->out);
}

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  WalksRun *run = data;

  kvmmmu_walk_tallies_add(run->tally, t);
  if (run->top)
    kvmmmu_walk_top_offer(run->top, t);
  else
    render_walk(run, t, run->origin_ns, run->cli->layout);
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  WalksRun *run = data;

  if (rec->kind == KVMMMU_RECORD_HEADER) {
    /* The new capture's layout is already in place, maybe at the old one's
     * address: decode afresh from here on. */
    kvmmmu_role_texts_reset(run->role_texts);
    kvmmmu_walks_finish(run->model); /* earlier capture's walks, earlier origin */
    run->origin_ns = kvmmmu_cli_origin(run->cli, &rec->u.header);
    if (run->top) {
      g_array_append_val(run->origins, run->origin_ns);
      g_ptr_array_add(run->layouts, (gpointer)run->cli->layout);
    }
    if (run->tree && run->cli->format == KVMMMU_FORMAT_TEXT) {
      kvmmmu_render_roles_source(run->out, run->cli->layout);
      g_string_append_c(run->out, '\n');
      kvmmmu_cli_flush(run->out);
    }
  }
  kvmmmu_walks_add(run->model, rec);
}

int
kvmmmu_cmd_walks(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  WalksRun run = { .first_json = TRUE };
  gboolean kernel_style = FALSE;
  g_autofree char *sort_arg = NULL;
  gint top = 0;
  const GOptionEntry entries[] = {
    { "sort", 's', 0, G_OPTION_ARG_STRING, &sort_arg,
      "Show the largest walks first by pages, leaves, steps or duration (walk record to "
      "its last step); with --top, 20 unless given", "KEY" },
    { "top", 'n', 0, G_OPTION_ARG_INT, &top,
      "Show only the N largest walks by --sort (pages unless given; at most "
      G_STRINGIFY(KVMMMU_WALKTOP_MAX) ")", "N" },
    { "tree", 't', 0, G_OPTION_ARG_NONE, &run.tree,
      "Draw each walk as a tree from the root to the leaves", NULL },
    { "kernel-style", 'k', 0, G_OPTION_ARG_NONE, &kernel_style,
      "With --tree: each role also as the kernel's kvm_mmu_prepare_zap_page prints it", NULL },
    { NULL }
  };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuWalks) walks = NULL;
  g_autoptr(KvmmmuRoleTexts) role_texts = kvmmmu_role_texts_new();
  guint64 bad_lines;
  int status;

  if (!kvmmmu_cli_parse(&cli, "walks",
                        "The pages mmu_unsync_walk() gathered and each for_each_sp() step,\n"
                        "dumped as the original investigation did (or --tree), with checks:\n"
                        "depth-first order, root-to-leaf step paths, every leaf zapped (in a\n"
                        "sync walk of mmu_sync_children: synced).",
                        entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  run.cli = &cli;
  run.out = g_string_new("");
  walks = kvmmmu_walks_new(on_walk, &run);
  run.model = walks;
  run.role_texts = role_texts;
  if (kernel_style && !(run.tree && cli.format == KVMMMU_FORMAT_TEXT)) {
    fprintf(stderr, "kvmmmu-report walks: --kernel-style goes with --tree (text)\n");
    kvmmmu_cli_clear(&cli);
    return KVMMMU_EXIT_USAGE;
  }
  kvmmmu_role_texts_set_kernel_style(role_texts, kernel_style);
  if (sort_arg || top) {
    run.top = kvmmmu_walk_top_new(sort_arg ? sort_arg : "pages", top ? (guint)MAX(top, 0) : 20);
    if (!run.top) {
      fprintf(stderr, "kvmmmu-report walks: bad --sort '%s' or --top %d: expected pages, leaves, "
                      "steps or duration, and N from 1 to %d\n", sort_arg ? sort_arg : "pages",
              top, KVMMMU_WALKTOP_MAX);
      kvmmmu_cli_clear(&cli);
      return KVMMMU_EXIT_USAGE;
    }
    run.origins = g_array_new(FALSE, FALSE, sizeof(guint64));
    run.layouts = g_ptr_array_new();
  }

  if (cli.format == KVMMMU_FORMAT_CSV)
    kvmmmu_render_walk_csv_header(run.out);
  else if (cli.format == KVMMMU_FORMAT_DOT)
    g_string_append(run.out, "digraph walks {\n  node [fontname=\"monospace\", fontsize=10];\n");
  else if (cli.format == KVMMMU_FORMAT_JSON)
    g_string_append(run.out, "{\"walks\": [");
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_walks_finish(walks);
  if (run.top) {
    for (guint i = 0; i < kvmmmu_walk_top_len(run.top); i++) {
      const KvmmmuWalkTree *t = kvmmmu_walk_top_get(run.top, i);
      guint c = t->capture ? t->capture - 1 : 0;

      if (c < run.origins->len)
        render_walk(&run, t, g_array_index(run.origins, guint64, c), g_ptr_array_index(run.layouts, c));
    }
  }

  if (cli.format == KVMMMU_FORMAT_JSON)
    kvmmmu_render_walks_json_tail(run.out, run.tally, stats, bad_lines);
  if (cli.format == KVMMMU_FORMAT_DOT)
    g_string_append(run.out, "}\n");
  kvmmmu_cli_flush(run.out);
  g_string_free(run.out, TRUE);

  /* The verdict goes to stderr so stdout keeps the seed's exact dumps; the
   * sync walks' only when there are any. */
  for (KvmmmuWalkKind k = KVMMMU_WALK_ZAP; k < KVMMMU_WALK_KINDS; k++) {
    const KvmmmuWalkTally *ty = &run.tally[k];

    if ((k == KVMMMU_WALK_ZAP || ty->walks) && (!cli.quiet || ty->walks_bad))
      fprintf(stderr, "kvmmmu-report: %s: %" G_GUINT64_FORMAT " checked, %" G_GUINT64_FORMAT
              " not in depth-first order, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
              " step paths wrong, %" G_GUINT64_FORMAT " leaves not %s\n",
              k == KVMMMU_WALK_SYNC ? "sync walks" : "walks", ty->walks, ty->not_depth_first,
              ty->steps_bad, ty->steps, ty->leaves_unzapped, kvmmmu_walk_kind_done(k));
    if (ty->walks_bad && status == KVMMMU_EXIT_OK)
      status = KVMMMU_EXIT_PROBLEMS;
  }
  kvmmmu_cli_note_loss(&cli, stats);
  if (!kvmmmu_cli_expect_records("walks", stats, stats->per_kind[KVMMMU_RECORD_WALK],
                                 "walk records", "zap_unsync") && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  g_clear_pointer(&run.top, kvmmmu_walk_top_free);
  g_clear_pointer(&run.origins, g_array_unref);
  g_clear_pointer(&run.layouts, g_ptr_array_unref);
  kvmmmu_cli_clear(&cli);
  return status;
}

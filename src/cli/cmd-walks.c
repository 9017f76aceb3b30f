/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report walks: each mmu_unsync_walk as the seed dumped it, or as a
 * tree, checked against the kernel's rules. */
#include <stdio.h>

#include "cli/cli.h"
#include "model/walks.h"
#include "render/walks.h"

/* Output is written in blocks this large: a write per walk would cost more
 * than rendering it, and a bounded buffer keeps memory flat. */
#define OUT_BLOCK (256 * 1024)

typedef struct {
  KvmmmuCli *cli;
  gboolean tree;
  GString *out;
  guint64 origin_ns;
  KvmmmuWalkTally tally;
  gboolean first_json;
  KvmmmuWalks *model;
  KvmmmuRoleTexts *role_texts; /* --tree: decoded roles, per capture */
} WalksRun;

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  WalksRun *run = data;

  kvmmmu_walk_tally_add(&run->tally, t);

  switch (run->cli->format) {
  case KVMMMU_FORMAT_TEXT:
    if (run->tree)
      kvmmmu_render_walk_tree_with(run->out, t, run->origin_ns, run->cli->layout,
                                   run->role_texts);
    else {
      kvmmmu_render_walk_dump(run->out, t);
      kvmmmu_render_walk_violations(run->out, t);
    }
    break;
  case KVMMMU_FORMAT_CSV:
    kvmmmu_render_walk_csv(run->out, t, run->origin_ns, run->cli->layout);
    break;
  case KVMMMU_FORMAT_DOT:
    kvmmmu_render_walk_dot(run->out, t, run->origin_ns, run->cli->layout);
    break;
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node = kvmmmu_render_walk_json(t, run->origin_ns, run->cli->layout);
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
on_record(const KvmmmuRecord *rec, gpointer data)
{
  WalksRun *run = data;

  if (rec->kind == KVMMMU_RECORD_HEADER) {
    /* The new capture's layout is already in place, maybe at the old one's
     * address: decode afresh from here on. */
    kvmmmu_role_texts_reset(run->role_texts);
    kvmmmu_walks_finish(run->model); /* earlier capture's walks, earlier origin */
    run->origin_ns = kvmmmu_cli_origin(run->cli, &rec->u.header);
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
  const GOptionEntry entries[] = {
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
                        "depth-first order, root-to-leaf step paths, every leaf zapped.",
                        entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  run.cli = &cli;
  run.out = g_string_sized_new(OUT_BLOCK + OUT_BLOCK / 4);
  walks = kvmmmu_walks_new(on_walk, &run);
  run.model = walks;
  run.role_texts = role_texts;
  if (kernel_style && !(run.tree && cli.format == KVMMMU_FORMAT_TEXT)) {
    fprintf(stderr, "kvmmmu-report walks: --kernel-style goes with --tree (text)\n");
    kvmmmu_cli_clear(&cli);
    return KVMMMU_EXIT_USAGE;
  }
  kvmmmu_role_texts_set_kernel_style(role_texts, kernel_style);

  if (cli.format == KVMMMU_FORMAT_CSV)
    kvmmmu_render_walk_csv_header(run.out);
  else if (cli.format == KVMMMU_FORMAT_DOT)
    g_string_append(run.out, "digraph walks {\n  node [fontname=\"monospace\", fontsize=10];\n");
  else if (cli.format == KVMMMU_FORMAT_JSON)
    g_string_append(run.out, "{\"walks\": [");
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_walks_finish(walks);

  if (cli.format == KVMMMU_FORMAT_JSON)
    kvmmmu_render_walks_json_tail(run.out, &run.tally, stats, bad_lines);
  if (cli.format == KVMMMU_FORMAT_DOT)
    g_string_append(run.out, "}\n");
  kvmmmu_cli_flush(run.out);
  g_string_free(run.out, TRUE);

  /* The verdict goes to stderr so stdout keeps the seed's exact dumps. */
  if (!cli.quiet || run.tally.walks_bad)
    fprintf(stderr, "kvmmmu-report: walks: %" G_GUINT64_FORMAT " checked, %" G_GUINT64_FORMAT
            " not in depth-first order, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
            " step paths wrong, %" G_GUINT64_FORMAT " leaves not zapped\n",
            run.tally.walks, run.tally.not_depth_first, run.tally.steps_bad, run.tally.steps, run.tally.leaves_unzapped);
  kvmmmu_cli_note_loss(&cli, stats);
  if (run.tally.walks_bad && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  if (!kvmmmu_cli_expect_records("walks", stats, stats->per_kind[KVMMMU_RECORD_WALK],
                                 "walk records", "zap_unsync") && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  kvmmmu_cli_clear(&cli);
  return status;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report check: a captured trace is what the kernel's code says it
 * must be, complete, and agrees with KVM's own counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/walks.h"

typedef struct {
  KvmmmuWalks *walks;
  KvmmmuWalkTally tally;
  guint64 zap_calls;       /* round-0 walks: one mmu_zap_unsync_children each */
} CheckRun;

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  CheckRun *run = data;

  kvmmmu_walk_tally_add(&run->tally, t);
  if (t->rec.round == 0)
    run->zap_calls++;
}

static void
on_record(const KvmmmuRecord *rec, gpointer data)
{
  CheckRun *run = data;

  kvmmmu_walks_add(run->walks, rec);
}

/* KVM's debugfs counters as "NAME VALUE", "NAME: VALUE" or grep's
 * "PATH/NAME:VALUE" lines.  transfer full; NULL with error. */
static GHashTable *
read_counters(const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *c;

  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  c = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    char *line = g_strstrip(lines[i]);
    char *sep = strrchr(line, ':');
    char *name, *value, *end, *slash;
    guint64 v;

    if (!*line || *line == '#')
      continue;
    if (!sep)
      sep = strrchr(line, ' ');
    if (!sep) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%u: counter: expected 'NAME VALUE'", path, i + 1);
      g_hash_table_destroy(c);
      return NULL;
    }
    *sep = '\0';
    name = g_strstrip(line);
    value = g_strstrip(sep + 1);
    slash = strrchr(name, '/');
    if (slash)
      name = slash + 1;
    v = g_ascii_strtoull(value, &end, 10);
    if (end == value || *end) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%u: counter %s: expected a decimal value, got '%s'", path, i + 1, name,
                  value);
      g_hash_table_destroy(c);
      return NULL;
    }
    g_hash_table_insert(c, g_strdup(name), g_memdup2(&v, sizeof v));
  }
  return c;
}

typedef struct {
  GString *out;
  guint passed, failed;
} Verdicts;

static void G_GNUC_PRINTF(3, 4)
verdict(Verdicts *v, gboolean ok, const char *fmt, ...)
{
  va_list ap;

  g_string_append(v->out, ok ? "ok   " : "FAIL ");
  va_start(ap, fmt);
  g_string_append_vprintf(v->out, fmt, ap);
  va_end(ap);
  g_string_append_c(v->out, '\n');
  if (ok)
    v->passed++;
  else
    v->failed++;
}

int
kvmmmu_cmd_check(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  CheckRun run = { 0 };
  g_autofree char *before_arg = NULL, *after_arg = NULL;
  const GOptionEntry entries[] = {
    { "kvm-before", 0, 0, G_OPTION_ARG_FILENAME, &before_arg,
      "KVM's debugfs counters read before the capture", "FILE" },
    { "kvm-after", 0, 0, G_OPTION_ARG_FILENAME, &after_arg,
      "KVM's debugfs counters read after it, while the VM still existed", "FILE" },
    { NULL }
  };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuWalks) walks = NULL;
  Verdicts v = { g_string_new(""), 0, 0 };
  guint64 bad_lines, events = 0;
  int status;

  if (!kvmmmu_cli_parse(&cli, "check",
                        "Fail unless the trace is sound: walks in depth-first order, step paths\n"
                        "root-to-leaf, every leaf zapped, a trailer, nothing lost or skipped,\n"
                        "and (with --kvm-before/--kvm-after) agreement with KVM's counters.",
                        entries, &argc, &argv))
    return KVMMMU_EXIT_USAGE;
  if (!before_arg != !after_arg) {
    fprintf(stderr, "kvmmmu-report check: --kvm-before and --kvm-after go together\n");
    kvmmmu_cli_clear(&cli);
    return KVMMMU_EXIT_USAGE;
  }
  walks = kvmmmu_walks_new(on_walk, &run);
  run.walks = walks;
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_walks_finish(walks);

  for (guint k = KVMMMU_RECORD_HEADER + 1; k <= KVMMMU_RECORD_END; k++)
    events += stats->per_kind[k];
  verdict(&v, status != KVMMMU_EXIT_UNUSABLE && events > 0, "records: %" G_GUINT64_FORMAT
          " in %u capture(s)", events, stats->captures);
  verdict(&v, bad_lines == 0, "bad lines: %" G_GUINT64_FORMAT, bad_lines);
  verdict(&v, run.tally.not_depth_first == 0,
          "walks in depth-first order: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          run.tally.walks - run.tally.not_depth_first, run.tally.walks);
  verdict(&v, run.tally.steps_bad == 0,
          "step paths root-to-leaf inside their walk: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          run.tally.steps - run.tally.steps_bad, run.tally.steps);
  verdict(&v, run.tally.leaves_unzapped == 0,
          "leaves zapped: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          run.tally.leaves - run.tally.leaves_unzapped, run.tally.leaves);
  /* The kernel's own array sizes, from its DWARF when we have it. */
  if (cli.layout && cli.layout->page_array_nr && cli.layout->root_max_level) {
    g_string_append_printf(v.out, "info bounds and roles from the %s\n", cli.layout->source);
    verdict(&v, run.tally.max_nr <= cli.layout->page_array_nr,
            "walk arrays within KVM_PAGE_ARRAY_NR=%u: largest nr %u (%" G_GUINT64_FORMAT
            " full, %" G_GUINT64_FORMAT " restarts after -ENOSPC)",
            cli.layout->page_array_nr, run.tally.max_nr, run.tally.full, run.tally.restarts);
    verdict(&v, run.tally.max_depth < cli.layout->root_max_level,
            "step paths below PT64_ROOT_MAX_LEVEL=%u: longest %u", cli.layout->root_max_level,
            run.tally.max_depth);
  }
  verdict(&v, stats->have_end, "trailer: %s", stats->have_end ? "present" : "missing");
  {
    g_autoptr(GString) loss = g_string_new("");

    kvmmmu_render_loss_note(loss, stats);
    g_strchomp(loss->str);
    verdict(&v, loss->len == 0, "nothing lost or skipped%s%s", loss->len ? ": " : "", loss->str);
  }

  if (before_arg) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) before = read_counters(before_arg, &error);
    g_autoptr(GHashTable) after = before ? read_counters(after_arg, &error) : NULL;
    const guint64 *b, *a;

    if (!after) {
      fprintf(stderr, "kvmmmu-report check: Cannot read KVM counters: %s\n", error->message);
      status = KVMMMU_EXIT_UNUSABLE;
      goto out;
    }
    b = g_hash_table_lookup(before, "mmu_shadow_zapped");
    a = g_hash_table_lookup(after, "mmu_shadow_zapped");
    /* Every step and every parent of an unsync walk goes through
     * __kvm_mmu_prepare_zap_page(), which counts mmu_shadow_zapped; other
     * zaps count there too, so the counter bounds our records from above. */
    if (!a || !b)
      verdict(&v, FALSE, "mmu_shadow_zapped: missing from the counter files");
    else
      verdict(&v, *a >= *b && *a - *b >= run.tally.steps + run.zap_calls,
              "mmu_shadow_zapped grew by %" G_GUINT64_FORMAT ", at least the %" G_GUINT64_FORMAT
              " steps + %" G_GUINT64_FORMAT " zapped parents recorded",
              *a >= *b ? *a - *b : 0, run.tally.steps, run.zap_calls);
  }

  g_string_append_printf(v.out, "check: %u passed, %u failed\n", v.passed, v.failed);
  if (cli.format == KVMMMU_FORMAT_TEXT)
    kvmmmu_cli_flush(v.out);
  else if (cli.format == KVMMMU_FORMAT_CSV) {
    g_auto(GStrv) lines = g_strsplit(v.out->str, "\n", -1);
    g_autoptr(GString) csv = g_string_new("result,check\n");

    for (guint i = 0; lines[i] && lines[i + 1]; i++) {
      g_auto(GStrv) quoted = NULL;
      g_autofree char *what = NULL;

      if (g_str_has_prefix(lines[i], "check:") || g_str_has_prefix(lines[i], "info "))
        continue;
      quoted = g_strsplit(lines[i] + 5, "\"", -1);
      what = g_strjoinv("\"\"", quoted);
      g_string_append_printf(csv, "%s,\"%s\"\n", g_str_has_prefix(lines[i], "ok") ? "ok" : "fail",
                             what);
    }
    kvmmmu_cli_flush(csv);
  } else {
    /* the same verdicts, one per line of the text form */
    g_autoptr(JsonBuilder) jb = json_builder_new();
    g_auto(GStrv) lines = g_strsplit(v.out->str, "\n", -1);
    g_autoptr(JsonNode) node = NULL;

    json_builder_begin_object(jb);
    json_builder_set_member_name(jb, "checks");
    json_builder_begin_array(jb);
    for (guint i = 0; lines[i] && lines[i + 1]; i++) {
      if (g_str_has_prefix(lines[i], "check:") || g_str_has_prefix(lines[i], "info "))
        continue;
      json_builder_begin_object(jb);
      json_builder_set_member_name(jb, "ok");
      json_builder_add_boolean_value(jb, g_str_has_prefix(lines[i], "ok"));
      json_builder_set_member_name(jb, "what");
      json_builder_add_string_value(jb, lines[i] + 5);
      json_builder_end_object(jb);
    }
    json_builder_end_array(jb);
    json_builder_set_member_name(jb, "passed");
    json_builder_add_int_value(jb, v.passed);
    json_builder_set_member_name(jb, "failed");
    json_builder_add_int_value(jb, v.failed);
    json_builder_end_object(jb);
    node = json_builder_get_root(jb);
    kvmmmu_cli_write_json(node);
  }
  if (v.failed && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
out:
  g_string_free(v.out, TRUE);
  kvmmmu_cli_clear(&cli);
  return status;
}

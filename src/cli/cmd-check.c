/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report check: a captured trace is what the kernel's code says it
 * must be, complete, and agrees with KVM's own counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "model/walks.h"

/* One kvm_mmu_prepare_zap_page event as the kernel printed it.  Access is
 * the raw field value read back through the letter table of the printed
 * width (kvmmmu_access_parse): 3 letters to 7.1, 4 from 7.2.  Our side
 * is the field's value and width in the layout, so the two agree only when
 * the width and every bit do. */
typedef struct {
  guint64 gfn;
  guint level, bytes, quadrant;
  guint access, access_bits; /* access_bits 0: letters of no table */
  char access_letters[8];    /* as printed, or as we would print them */
  gboolean direct, invalid, nxe, ad, unsync;
} ZapEvent;

typedef struct {
  KvmmmuWalks *walks;
  KvmmmuWalkTally tally;
  guint64 zap_calls;       /* round-0 walks: one mmu_zap_unsync_children each */

  /* --tracepoints: the kernel's own decoding of each zapped page, per CPU */
  GHashTable *events;      /* cpu -> GArray of ZapEvent */
  GHashTable *cursor;      /* cpu -> next event index to match */
  const KvmmmuKernelLayout **layout; /* the CLI's, read when a walk finishes */
  guint64 tp_pages, tp_agree, tp_differ, tp_unmatched;
  char tp_first_diff[256];
} CheckRun;

/* "... [001] ..... 12.3: kvm_mmu_prepare_zap_page: sp gen 0 gfn 42 l2 8-byte q0 w-x !nxe !ad root 0 sync"
 * (to 7.1), "... q0 rw-x !nxe !ad root 0 sync" (7.2 on): the same format
 * but for access, and " direct" after q0, " invalid" after the access. */
static gboolean
parse_zap_event(const char *line, guint *cpu, ZapEvent *ev)
{
  const char *b = strchr(line, '['), *p = strstr(line, "kvm_mmu_prepare_zap_page: sp gen ");
  char acc[8] = "", flags[64] = "", tail[64] = "";
  unsigned gen, root;
  guint64 gfn;
  int n = 0;

  if (!b || !p || sscanf(b + 1, "%u]", cpu) != 1)
    return FALSE;
  memset(ev, 0, sizeof *ev);
  if (sscanf(p + strlen("kvm_mmu_prepare_zap_page: sp gen "), "%u gfn %" G_GINT64_MODIFIER "x l%u %u-byte q%u%n",
             &gen, &gfn, &ev->level, &ev->bytes, &ev->quadrant, &n) != 5)
    return FALSE;
  ev->gfn = gfn;
  p += strlen("kvm_mmu_prepare_zap_page: sp gen ") + n;
  if (g_str_has_prefix(p, " direct")) {
    ev->direct = TRUE;
    p += strlen(" direct");
  }
  if (sscanf(p, " %7s%63[^r]root %u %63s", acc, flags, &root, tail) < 3)
    return FALSE;
  g_strlcpy(ev->access_letters, acc, sizeof ev->access_letters);
  /* letters of neither table stay an event, with a width nothing has */
  if (!kvmmmu_access_parse(acc, &ev->access_bits, &ev->access))
    ev->access_bits = ev->access = 0;
  ev->invalid = strstr(flags, "invalid") != NULL;
  ev->nxe = strstr(flags, "!nxe") == NULL;
  ev->ad = strstr(flags, "!ad") == NULL;
  ev->unsync = strcmp(tail, "unsync") == 0;
  return TRUE;
}

static guint
role_field(const KvmmmuKernelLayout *l, guint32 word, const char *name, gboolean *found)
{
  const KvmmmuRoleField *f = kvmmmu_layout_field(l, name);

  *found = f != NULL;
  if (!f)
    return 0;
  return (word >> f->bit_offset) & (f->bit_size >= 32 ? 0xffffffffu : (1u << f->bit_size) - 1);
}

/* Our decoding of a page, as the tracepoint prints it. */
static void
decode_like_kernel(const KvmmmuKernelLayout *l, guint32 word, gboolean unsync, ZapEvent *ev)
{
  gboolean f;
  guint v;

  memset(ev, 0, sizeof *ev);
  ev->level = role_field(l, word, "level", &f);
  ev->quadrant = role_field(l, word, "quadrant", &f);
  ev->access = role_field(l, word, "access", &f);
  if (f) {
    const char *letters;

    ev->access_bits = kvmmmu_layout_field(l, "access")->bit_size;
    letters = kvmmmu_access_letters(ev->access_bits, ev->access);
    g_strlcpy(ev->access_letters, letters ? letters : "?", sizeof ev->access_letters);
  } else
    g_strlcpy(ev->access_letters, "?", sizeof ev->access_letters);
  ev->direct = role_field(l, word, "direct", &f);
  ev->invalid = role_field(l, word, "invalid", &f);
  /* the gpte-size bit under each of its names, with its own polarity */
  v = role_field(l, word, "has_4_byte_gpte", &f);
  if (f)
    ev->bytes = v ? 4 : 8;
  else {
    v = role_field(l, word, "gpte_is_8_bytes", &f);
    if (!f)
      v = role_field(l, word, "cr4_pae", &f);
    ev->bytes = v ? 8 : 4;
  }
  v = role_field(l, word, "efer_nx", &f);
  if (!f)
    v = role_field(l, word, "nxe", &f);
  ev->nxe = v;
  ev->ad = !role_field(l, word, "ad_disabled", &f);
  ev->unsync = unsync;
}

static void
match_page(CheckRun *run, guint cpu, const KvmmmuWalkItem *it, const char *what)
{
  GArray *evs = g_hash_table_lookup(run->events, GUINT_TO_POINTER(cpu));
  guint at = GPOINTER_TO_UINT(g_hash_table_lookup(run->cursor, GUINT_TO_POINTER(cpu)));
  ZapEvent want;

  if (!*run->layout)
    return;
  run->tp_pages++;
  decode_like_kernel(*run->layout, it->role, it->unsync, &want);
  for (guint i = at; evs && i < evs->len; i++) {
    const ZapEvent *got = &g_array_index(evs, ZapEvent, i);

    if (got->gfn != it->gfn)
      continue;
    g_hash_table_insert(run->cursor, GUINT_TO_POINTER(cpu), GUINT_TO_POINTER(i + 1));
    if (got->level == want.level && got->bytes == want.bytes && got->quadrant == want.quadrant &&
        want.access_bits && got->access_bits == want.access_bits && got->access == want.access &&
        got->direct == want.direct &&
        got->invalid == want.invalid && got->nxe == want.nxe && got->ad == want.ad &&
        got->unsync == want.unsync) {
      run->tp_agree++;
    } else {
      if (!run->tp_differ++)
        snprintf(run->tp_first_diff, sizeof run->tp_first_diff,
                 "%s gfn %" G_GINT64_MODIFIER "x role %x: we decode l%u %u-byte q%u acc %s nxe %d ad %d %s, "
                 "the kernel printed l%u %u-byte q%u acc %s nxe %d ad %d %s", what, it->gfn,
                 it->role, want.level, want.bytes, want.quadrant, want.access_letters, want.nxe,
                 want.ad, want.unsync ? "unsync" : "sync", got->level, got->bytes, got->quadrant,
                 got->access_letters, got->nxe, got->ad, got->unsync ? "unsync" : "sync");
    }
    return;
  }
  run->tp_unmatched++;
}

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  CheckRun *run = data;

  kvmmmu_walk_tally_add(&run->tally, t);
  if (t->rec.round == 0)
    run->zap_calls++;
  if (!run->events || t->rec.nr == 0)
    return;
  /* The kernel printed the parent when its zap began (once per call), then
   * each page a step zapped, in order, on this CPU. */
  if (t->rec.round == 0)
    match_page(run, t->cpu, &t->rec.items[0], "parent");
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);

    if (ws->zapped)
      match_page(run, t->cpu, &t->rec.items[ws->step.i], "leaf");
  }
}

/* The kvm_mmu_prepare_zap_page lines of a tracefs trace, by CPU. */
static GHashTable *
read_zap_events(const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *by_cpu;

  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  by_cpu = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                 (GDestroyNotify)g_array_unref);
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    ZapEvent ev;
    guint cpu;
    GArray *a;

    if (!parse_zap_event(lines[i], &cpu, &ev))
      continue;
    a = g_hash_table_lookup(by_cpu, GUINT_TO_POINTER(cpu));
    if (!a) {
      a = g_array_new(FALSE, FALSE, sizeof(ZapEvent));
      g_hash_table_insert(by_cpu, GUINT_TO_POINTER(cpu), a);
    }
    g_array_append_val(a, ev);
  }
  return by_cpu;
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

#define OK(cond) ((cond) ? KVMMMU_VERDICT_OK : KVMMMU_VERDICT_FAIL)

int
kvmmmu_cmd_check(int argc, char **argv)
{
  KvmmmuCli cli = { 0 };
  CheckRun run = { 0 };
  g_autofree char *before_arg = NULL, *after_arg = NULL, *tracepoints_arg = NULL;
  const GOptionEntry entries[] = {
    { "kvm-before", 0, 0, G_OPTION_ARG_FILENAME, &before_arg,
      "KVM's debugfs counters read before the capture", "FILE" },
    { "kvm-after", 0, 0, G_OPTION_ARG_FILENAME, &after_arg,
      "KVM's debugfs counters read after it, while the VM still existed", "FILE" },
    { "tracepoints", 0, 0, G_OPTION_ARG_FILENAME, &tracepoints_arg,
      "tracefs output of kvmmmu:kvm_mmu_prepare_zap_page taken beside the capture: "
      "the kernel's own decoding of each zapped page, compared with ours", "FILE" },
    { NULL }
  };
  g_autoptr(KvmmmuStats) stats = kvmmmu_stats_new();
  g_autoptr(KvmmmuWalks) walks = NULL;
  g_autoptr(KvmmmuVerdicts) v = kvmmmu_verdicts_new();
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
  run.layout = &cli.layout;
  if (tracepoints_arg) {
    g_autoptr(GError) error = NULL;

    run.events = read_zap_events(tracepoints_arg, &error);
    if (!run.events) {
      fprintf(stderr, "kvmmmu-report check: Cannot read tracepoints: %s\n", error->message);
      kvmmmu_cli_clear(&cli);
      return KVMMMU_EXIT_UNUSABLE;
    }
    run.cursor = g_hash_table_new(g_direct_hash, g_direct_equal);
  }
  status = kvmmmu_cli_read(&cli, stats, on_record, &run, &bad_lines);
  kvmmmu_walks_finish(walks);

  for (guint k = KVMMMU_RECORD_HEADER + 1; k <= KVMMMU_RECORD_END; k++)
    events += stats->per_kind[k];
  kvmmmu_verdicts_add(v, OK(status != KVMMMU_EXIT_UNUSABLE && events > 0), "records",
          "records: %" G_GUINT64_FORMAT " in %u capture(s)", events, stats->captures);
  kvmmmu_verdicts_number(v, "records", events);
  kvmmmu_verdicts_number(v, "captures", stats->captures);
  kvmmmu_verdicts_add(v, OK(bad_lines == 0), "bad_lines", "bad lines: %" G_GUINT64_FORMAT, bad_lines);
  kvmmmu_verdicts_number(v, "bad_lines", bad_lines);
  kvmmmu_verdicts_add(v, OK(run.tally.not_depth_first == 0), "walks_depth_first",
          "walks in depth-first order: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          run.tally.walks - run.tally.not_depth_first, run.tally.walks);
  kvmmmu_verdicts_number(v, "walks", run.tally.walks);
  kvmmmu_verdicts_number(v, "not_depth_first", run.tally.not_depth_first);
  kvmmmu_verdicts_add(v, OK(run.tally.steps_bad == 0), "step_paths",
          "step paths root-to-leaf inside their walk: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          run.tally.steps - run.tally.steps_bad, run.tally.steps);
  kvmmmu_verdicts_number(v, "steps", run.tally.steps);
  kvmmmu_verdicts_number(v, "bad_steps", run.tally.steps_bad);
  kvmmmu_verdicts_add(v, OK(run.tally.leaves_unzapped == 0), "leaves_zapped",
          "leaves zapped: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
          run.tally.leaves - run.tally.leaves_unzapped, run.tally.leaves);
  kvmmmu_verdicts_number(v, "leaves", run.tally.leaves);
  kvmmmu_verdicts_number(v, "leaves_not_zapped", run.tally.leaves_unzapped);
  /* The kernel's own array sizes, from its DWARF when we have it. */
  if (cli.layout && cli.layout->page_array_nr && cli.layout->root_max_level) {
    kvmmmu_verdicts_add(v, KVMMMU_VERDICT_INFO, "layout_source", "bounds and roles from the %s",
                        cli.layout->source);
    kvmmmu_verdicts_add(v, OK(run.tally.max_nr <= cli.layout->page_array_nr), "walk_array_bound",
            "walk arrays within KVM_PAGE_ARRAY_NR=%u: largest nr %u (%" G_GUINT64_FORMAT
            " full, %" G_GUINT64_FORMAT " restarts after -ENOSPC)",
            cli.layout->page_array_nr, run.tally.max_nr, run.tally.full, run.tally.restarts);
    kvmmmu_verdicts_number(v, "kvm_page_array_nr", cli.layout->page_array_nr);
    kvmmmu_verdicts_number(v, "largest_nr", run.tally.max_nr);
    kvmmmu_verdicts_number(v, "full", run.tally.full);
    kvmmmu_verdicts_number(v, "restarts", run.tally.restarts);
    kvmmmu_verdicts_add(v, OK(run.tally.max_depth < cli.layout->root_max_level), "step_path_bound",
            "step paths below PT64_ROOT_MAX_LEVEL=%u: longest %u", cli.layout->root_max_level,
            run.tally.max_depth);
    kvmmmu_verdicts_number(v, "pt64_root_max_level", cli.layout->root_max_level);
    kvmmmu_verdicts_number(v, "longest_path", run.tally.max_depth);
  }
  if (run.events) {
    if (!cli.layout)
      kvmmmu_verdicts_add(v, OK(FALSE), "roles_vs_tracepoints",
                          "roles agree with the kernel's tracepoints: no layout to decode with");
    else {
      kvmmmu_verdicts_add(v, OK(run.tp_pages > 0 && run.tp_agree == run.tp_pages), "roles_vs_tracepoints",
              "roles agree with the kernel's kvm_mmu_prepare_zap_page: %" G_GUINT64_FORMAT
              " of %" G_GUINT64_FORMAT " zapped pages (%" G_GUINT64_FORMAT " differ, %"
              G_GUINT64_FORMAT " without an event)%s%s",
              run.tp_agree, run.tp_pages, run.tp_differ, run.tp_unmatched,
              run.tp_differ ? "; first: " : "", run.tp_first_diff);
      kvmmmu_verdicts_number(v, "pages", run.tp_pages);
      kvmmmu_verdicts_number(v, "agree", run.tp_agree);
      kvmmmu_verdicts_number(v, "differ", run.tp_differ);
      kvmmmu_verdicts_number(v, "without_event", run.tp_unmatched);
    }
  }
  kvmmmu_verdicts_add(v, OK(stats->have_end), "trailer", "trailer: %s",
                      stats->have_end ? "present" : stats->captures > 1 ? "missing in a capture" : "missing");
  kvmmmu_verdicts_number(v, "captures_without_trailer", kvmmmu_stats_captures_unended(stats));
  {
    g_autoptr(GString) loss = g_string_new("");

    kvmmmu_render_loss_note(loss, stats);
    g_strchomp(loss->str);
    kvmmmu_verdicts_add(v, OK(loss->len == 0), "nothing_lost", "nothing lost or skipped%s%s",
                        loss->len ? ": " : "", loss->str);
    kvmmmu_verdicts_number(v, "seq_missing", stats->seq_missing);
    kvmmmu_verdicts_number(v, "records_lost", kvmmmu_stats_records_lost(stats));
    kvmmmu_verdicts_number(v, "bulk_flushes_missing", stats->bulk_missing);
    kvmmmu_verdicts_number(v, "stap_errors", stats->stap_errors);
    kvmmmu_verdicts_number(v, "stap_skipped", stats->stap_skipped);
    kvmmmu_verdicts_number(v, "transport_failures", stats->stap_transport_failures);
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
      kvmmmu_verdicts_add(v, OK(FALSE), "kvm_counters", "mmu_shadow_zapped: missing from the counter files");
    else if (run.tally.steps + run.zap_calls == 0) {
      g_autofree char *scripts = kvmmmu_stats_distinct(stats, G_STRUCT_OFFSET(KvmmmuHeader, script));

      kvmmmu_verdicts_add(v, OK(FALSE), "kvm_counters",
              "mmu_shadow_zapped: nothing to compare: no walk steps or zapped parents in the input "
              "(captures from script=%s; zap_unsync records them)", scripts);
    } else {
      kvmmmu_verdicts_add(v, OK(*a >= *b && *a - *b >= run.tally.steps + run.zap_calls), "kvm_counters",
              "mmu_shadow_zapped grew by %" G_GUINT64_FORMAT ", at least the %" G_GUINT64_FORMAT
              " steps + %" G_GUINT64_FORMAT " zapped parents recorded",
              *a >= *b ? *a - *b : 0, run.tally.steps, run.zap_calls);
      kvmmmu_verdicts_number(v, "mmu_shadow_zapped_growth", *a >= *b ? *a - *b : 0);
      kvmmmu_verdicts_number(v, "steps", run.tally.steps);
      kvmmmu_verdicts_number(v, "zapped_parents", run.zap_calls);
    }
  }

  switch (cli.format) {
  case KVMMMU_FORMAT_DOT: /* only walks takes dot: kvmmmu_cli_parse */
  case KVMMMU_FORMAT_TEXT: {
    g_autoptr(GString) out = g_string_new("");

    kvmmmu_render_verdicts_text(out, v);
    kvmmmu_cli_flush(out);
    break;
  }
  case KVMMMU_FORMAT_CSV: {
    g_autoptr(GString) out = g_string_new("");

    kvmmmu_render_verdicts_csv(out, v);
    kvmmmu_cli_flush(out);
    break;
  }
  case KVMMMU_FORMAT_JSON: {
    g_autoptr(KvmmmuJson) node = kvmmmu_render_verdicts_json(v);

    kvmmmu_cli_write_json(node);
    break;
  }
  }
  if (v->failed && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
out:
  g_clear_pointer(&run.events, g_hash_table_destroy);
  g_clear_pointer(&run.cursor, g_hash_table_destroy);
  kvmmmu_cli_clear(&cli);
  return status;
}

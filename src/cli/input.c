/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input.c - options every subcommand takes, and the loop over inputs. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/interrupt.h"
#include "cli/output.h"
#include "dwarf/debuginfod.h"
#include "dwarf/layout.h"
#include "reader/marks.h"

static char *format_arg;
static char *span_arg, *marks_arg;
static char *filter_args[5];
static const char *const filter_names[5] = { "cpu", "vm", "vcpu", "time", "walk" };

/* The formats each command writes, text the default.  A command not
 * listed writes one format (html: HTML) and takes no --format. */
static const struct {
  const char *command;
  const char *formats;
} command_formats[] = {
  { "walks", "text, json, csv or dot" },
  { "roots", "text, json, csv or openmetrics" },
  { "cache", "text, json, csv or openmetrics" },
  { "hist", "text, json or csv" },
  { "summary", "text, json, csv or openmetrics" },
  { "check", "text, json or csv" },
};

static const char *
formats_of(const char *command)
{
  for (guint i = 0; i < G_N_ELEMENTS(command_formats); i++)
    if (strcmp(command_formats[i].command, command) == 0)
      return command_formats[i].formats;
  return NULL;
}

static const GOptionEntry common_entries[] = {
  { "format", 'f', 0, G_OPTION_ARG_STRING, &format_arg, NULL, "FMT" },
  { "strict", 0, 0, G_OPTION_ARG_NONE, NULL, "Stop at the first bad line (exit 2)", NULL },
  { "quiet", 'q', 0, G_OPTION_ARG_NONE, NULL, "Warn only with totals, not per problem", NULL },
  { "debuginfo", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    "Decode role words with this kvm.ko, vmlinux or build tree's DWARF (none: raw)", "PATH" },
  { "force-debuginfo", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Use --debuginfo even when its build-id is not the traced kernel's", NULL },
  { "bulk", 'b', 0, G_OPTION_ARG_NONE, NULL,
    "The files are one stap -b capture's per-CPU files: merge them", NULL },
  { "abs-time", 0, 0, G_OPTION_ARG_NONE, NULL,
    "Times on the records' clock (gettimeofday, as dmesg -T or a tracefs capture with "
    "trace_clock=... can be lined up), not from each capture's start", NULL },
  { "cpu", 0, 0, G_OPTION_ARG_STRING, &filter_args[0],
    "Only records written on these CPUs", "N[,N...]" },
  { "vm", 0, 0, G_OPTION_ARG_STRING, &filter_args[1],
    "Only these VMs: index in order of appearance (0, 1, ...) or kvm pointer in hex", "VM[,VM...]" },
  { "vcpu", 0, 0, G_OPTION_ARG_STRING, &filter_args[2],
    "Only these vCPU ids (walk and step records name none and are kept)", "N[,N...]" },
  { "time", 0, 0, G_OPTION_ARG_STRING, &filter_args[3],
    "Only records from START to END: seconds from the capture's start (or 200ms, 5us...), "
    "or @NS on the records' clock; either may be empty", "START,END" },
  { "walk", 0, 0, G_OPTION_ARG_STRING, &filter_args[4],
    "Only these walks (and their steps), by walk id", "ID[,ID...]" },
  { "span", 0, 0, G_OPTION_ARG_STRING, &span_arg,
    "Only records of the span NAME of a marks file ('NAME start NS', 'NAME end NS' lines: "
    "a lab scenario), as --time @START,@END", "NAME" },
  { "marks", 0, 0, G_OPTION_ARG_FILENAME, &marks_arg,
    "The marks file of --span (default: marks beside the first FILE)", "FILE" },
  { NULL }
};

/* The commands that write openmetrics take -o: a textfile collector reads
 * a file, and one it reads must never be half written. */
static const GOptionEntry output_entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, NULL,
    "With --format openmetrics: write to FILE, not stdout, replacing it whole at once "
    "(a textfile collector's .prom file)", "FILE" },
  { NULL }
};

/* GOption has set them: a usage error before they are read frees them. */
static void
clear_filter_args(void)
{
  for (guint i = 0; i < G_N_ELEMENTS(filter_args); i++)
    g_clear_pointer(&filter_args[i], g_free);
  g_clear_pointer(&span_arg, g_free);
  g_clear_pointer(&marks_arg, g_free);
}

/* --span NAME: the time filter of that span of the marks file, in place
 * of --time.  FALSE after saying why. */
static gboolean
span_to_time(const char *command, const char *first_file)
{
  g_autofree char *dir = NULL, *marks = NULL;
  g_autoptr(GError) error = NULL;
  guint64 start, end;

  if (marks_arg && !span_arg) {
    fprintf(stderr, "kvmmmu-report %s: --marks is the file of --span: give --span NAME too\n",
            command);
    return FALSE;
  }
  if (!span_arg)
    return TRUE;
  if (filter_args[3]) {
    fprintf(stderr, "kvmmmu-report %s: --span and --time both set the time range: give one\n",
            command);
    return FALSE;
  }
  if (marks_arg) {
    marks = g_strdup(marks_arg);
  } else if (!first_file || strcmp(first_file, "-") == 0) {
    fprintf(stderr, "kvmmmu-report %s: --span %s: the input is stdin: name the marks "
                    "file with --marks FILE\n", command, span_arg);
    return FALSE;
  } else {
    dir = g_path_get_dirname(first_file);
    marks = g_build_filename(dir, "marks", NULL);
  }
  if (!kvmmmu_marks_span(marks, span_arg, &start, &end, &error)) {
    fprintf(stderr, "kvmmmu-report %s: --span %s: %s\n", command, span_arg, error->message);
    return FALSE;
  }
  filter_args[3] = g_strdup_printf("@%" G_GUINT64_FORMAT ",@%" G_GUINT64_FORMAT, start, end);
  return TRUE;
}

gboolean
kvmmmu_cli_parse(KvmmmuCli *cli, const char *command, const char *summary,
                 const GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf("kvmmmu-report %s", command);
  g_autofree char *format_help = NULL;
  const char *formats = formats_of(command);
  GOptionEntry common[G_N_ELEMENTS(common_entries)];
  GOptionEntry output[G_N_ELEMENTS(output_entries)];

  memcpy(common, common_entries, sizeof common);
  if (formats) {
    format_help = g_strdup_printf("Output format: %s (default text)", formats);
    common[0].description = format_help;
  } else {
    common[0].flags = G_OPTION_FLAG_HIDDEN; /* text only: --format is refused below */
    common[0].description = "";
    common[0].short_name = 0; /* -f is top's --follow */
  }
  common[1].arg_data = &cli->strict;
  common[2].arg_data = &cli->quiet;
  common[3].arg_data = &cli->debuginfo;
  common[4].arg_data = &cli->force_debuginfo;
  common[5].arg_data = &cli->bulk;
  common[6].arg_data = &cli->abs_time;
  memcpy(output, output_entries, sizeof output);
  output[0].arg_data = &cli->output;
  format_arg = NULL;

  /* "Usage: kvmmmu-report walks [OPTION…] FILE...": the command named once */
  g_set_prgname(prgname);
  ctx = g_option_context_new("FILE... (- for stdin)");
  g_option_context_set_summary(ctx, summary);
  g_option_context_add_main_entries(ctx, common, NULL);
  if (entries)
    g_option_context_add_main_entries(ctx, entries, NULL);
  if (formats && strstr(formats, "openmetrics"))
    g_option_context_add_main_entries(ctx, output, NULL);
  if (!g_option_context_parse(ctx, argc, argv, &error)) {
    fprintf(stderr, "kvmmmu-report %s: %s\nTry 'kvmmmu-report %s --help'.\n", command,
            error->message, command);
    return FALSE;
  }
  cli->format = KVMMMU_FORMAT_TEXT;
  if (format_arg && !formats) {
    fprintf(stderr, "kvmmmu-report %s: writes %s only: leave out --format\n", command,
            strcmp(command, "html") == 0 ? "HTML" : "one format");
    g_clear_pointer(&format_arg, g_free);
    g_clear_pointer(&cli->output, g_free);
    clear_filter_args();
    return FALSE;
  }
  if (format_arg) {
    if (strcmp(format_arg, "json") == 0)
      cli->format = KVMMMU_FORMAT_JSON;
    else if (strcmp(format_arg, "csv") == 0)
      cli->format = KVMMMU_FORMAT_CSV;
    else if (strcmp(format_arg, "dot") == 0 && strcmp(command, "walks") == 0)
      cli->format = KVMMMU_FORMAT_DOT;
    else if (strcmp(format_arg, "openmetrics") == 0 && strstr(formats, "openmetrics"))
      cli->format = KVMMMU_FORMAT_OPENMETRICS;
    else if (strcmp(format_arg, "text") != 0) {
      fprintf(stderr, "kvmmmu-report %s: unknown format '%s': expected %s\n",
              command, format_arg, formats);
      g_clear_pointer(&format_arg, g_free);
      g_clear_pointer(&cli->output, g_free);
      clear_filter_args();
      return FALSE;
    }
    g_clear_pointer(&format_arg, g_free);
  }
  if (!span_to_time(command, *argc >= 2 ? (*argv)[1] : NULL)) {
    g_clear_pointer(&cli->output, g_free);
    clear_filter_args();
    return FALSE;
  }
  g_clear_pointer(&span_arg, g_free);
  g_clear_pointer(&marks_arg, g_free);
  for (guint i = 0; i < G_N_ELEMENTS(filter_args); i++) {
    g_autofree char *text = g_steal_pointer(&filter_args[i]);

    if (!text)
      continue;
    if (!cli->filter)
      cli->filter = kvmmmu_filter_new();
    if (!kvmmmu_filter_set(cli->filter, filter_names[i], text, &error)) {
      fprintf(stderr, "kvmmmu-report %s: %s\n", command, error->message);
      for (guint k = i + 1; k < G_N_ELEMENTS(filter_args); k++)
        g_clear_pointer(&filter_args[k], g_free);
      g_clear_pointer(&cli->filter, kvmmmu_filter_free); /* the caller clears nothing */
      g_clear_pointer(&cli->output, g_free);
      return FALSE;
    }
  }
  /* Before the input is read, which may take long (or be a live capture). */
  if (cli->output && cli->format != KVMMMU_FORMAT_OPENMETRICS) {
    fprintf(stderr, "kvmmmu-report %s: -o writes --format openmetrics only; the other "
                    "formats go to stdout (> FILE)\n", command);
    g_clear_pointer(&cli->filter, kvmmmu_filter_free);
    g_clear_pointer(&cli->output, g_free);
    return FALSE;
  }
  if (cli->output && !kvmmmu_output_check(cli->output, command, &error)) {
    fprintf(stderr, "kvmmmu-report %s: %s\n", command, error->message);
    g_clear_pointer(&cli->filter, kvmmmu_filter_free);
    g_clear_pointer(&cli->output, g_free);
    return FALSE;
  }
  if (*argc < 2) {
    g_clear_pointer(&cli->filter, kvmmmu_filter_free);
    g_clear_pointer(&cli->output, g_free);
    fprintf(stderr, "kvmmmu-report %s: no input: give a trace file, or - for stdin\n"
                    "Try 'kvmmmu-report %s --help'.\n", command, command);
    return FALSE;
  }
  cli->files = g_new0(char *, *argc);
  for (int i = 1; i < *argc; i++)
    cli->files[i - 1] = g_strdup((*argv)[i]);
  return TRUE;
}

void
kvmmmu_cli_clear(KvmmmuCli *cli)
{
  g_strfreev(cli->files);
  cli->files = NULL;
  g_clear_pointer(&cli->debuginfo, g_free);
  g_clear_pointer(&cli->debuginfo_layout, g_free);
  g_clear_pointer(&cli->layouts, g_hash_table_unref);
  g_clear_pointer(&cli->filter, kvmmmu_filter_free);
  g_clear_pointer(&cli->output, g_free);
}

/* A debuginfod download that has run a second says so on stderr, then
 * once a second; SIGINT or SIGTERM stops it. */
typedef struct {
  const KvmmmuCli *cli;
  gint64 start_us, last_us;
  gboolean shown;
} Fetch;

static gboolean
on_fetch_progress(const char *build_id, const char *url, gint64 done, gint64 total,
                  gpointer data)
{
  Fetch *f = data;
  gint64 now = g_get_monotonic_time();

  if (kvmmmu_interrupt_signal())
    return FALSE;
  if (f->cli->quiet || now - f->start_us < G_USEC_PER_SEC || now - f->last_us < G_USEC_PER_SEC)
    return TRUE;
  f->last_us = now;
  f->shown = TRUE;
  if (total > 0)
    fprintf(stderr,
            "kvmmmu-report: fetching the debuginfo of build-id %s from %s: %" G_GINT64_FORMAT
            " of %" G_GINT64_FORMAT " KiB\n",
            build_id, url ? url : g_getenv("DEBUGINFOD_URLS"), done / 1024, total / 1024);
  else
    fprintf(stderr,
            "kvmmmu-report: fetching the debuginfo of build-id %s from %s: %" G_GINT64_FORMAT
            " KiB\n",
            build_id, url ? url : g_getenv("DEBUGINFOD_URLS"), done / 1024);
  return TRUE;
}

/* The layout from the debuginfo $DEBUGINFOD_URLS has for build_id, into
 * layout; FALSE (said on stderr) when there is none to use. */
static gboolean
layout_from_debuginfod(const KvmmmuCli *cli, const char *build_id, KvmmmuKernelLayout *layout)
{
  Fetch f = { cli, g_get_monotonic_time(), 0, FALSE };
  g_autofree char *id = g_ascii_strdown(build_id, -1);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  path = kvmmmu_debuginfod_find(id, on_fetch_progress, &f, &error);
  if (path && kvmmmu_dwarf_read_layout(path, layout, &error)) {
    if (g_ascii_strcasecmp(layout->build_id, id) == 0) {
      if (f.shown)
        fprintf(stderr, "kvmmmu-report: fetched the debuginfo of build-id %s: %s\n", id, path);
      return TRUE;
    }
    g_set_error(&error, KVMMMU_DWARF_ERROR, 0, "%s has build-id %s, not %s", path,
                layout->build_id, id);
  }
  if (!cli->quiet)
    fprintf(stderr, "kvmmmu-report: debuginfod: %s\n", error->message);
  return FALSE;
}

/* Choose how this capture's role words decode.  FALSE (error set) only
 * when --debuginfo cannot serve: that is unusable input. */
static gboolean
resolve_layout(KvmmmuCli *cli, const KvmmmuHeader *h, GError **error)
{
  g_autofree char *found = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) local = NULL;
  KvmmmuKernelLayout *layout;
  gpointer cached;

  cli->layout = NULL;
  if (g_strcmp0(cli->debuginfo, "none") == 0)
    return TRUE;
  if (cli->debuginfo) {
    if (!cli->debuginfo_layout) {
      cli->debuginfo_layout = g_new0(KvmmmuKernelLayout, 1);
      if (!kvmmmu_dwarf_read_layout(cli->debuginfo, cli->debuginfo_layout, error))
        return FALSE;
    }
    if (h->build_id[0] && cli->debuginfo_layout->build_id[0] &&
        g_ascii_strcasecmp(h->build_id, cli->debuginfo_layout->build_id) != 0 &&
        !cli->force_debuginfo) {
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                  "Cannot use debuginfo: path=%s has build-id %s, the traced kernel's is %s "
                  "(--force-debuginfo uses it anyway)",
                  cli->debuginfo, cli->debuginfo_layout->build_id, h->build_id);
      return FALSE;
    }
    cli->layout = cli->debuginfo_layout;
    return TRUE;
  }
  if (cli->shows_no_roles)
    return TRUE;
  /* Once per kernel, not per capture: a file of many captures of one kernel
   * would otherwise find and read the same DWARF (~16 MiB) for each. */
  key = g_strdup_printf("%s\n%s", h->release, h->build_id);
  if (!cli->layouts)
    cli->layouts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (g_hash_table_lookup_extended(cli->layouts, key, NULL, &cached)) {
    cli->layout = cached;
    return TRUE;
  }
  /* The local places first, then the debuginfod servers, then the tables
   * built in for the kernels the project knows. */
  layout = g_new0(KvmmmuKernelLayout, 1);
  found = kvmmmu_dwarf_find_for_release(h->release);
  if (!(found && kvmmmu_dwarf_read_layout(found, layout, &local) &&
        (!h->build_id[0] || !layout->build_id[0] ||
         g_ascii_strcasecmp(h->build_id, layout->build_id) == 0))) {
    memset(layout, 0, sizeof *layout);
    if (!(h->build_id[0] && kvmmmu_debuginfod_wanted() &&
          layout_from_debuginfod(cli, h->build_id, layout))) {
      memset(layout, 0, sizeof *layout);
      if (!kvmmmu_layout_builtin(h->release, layout))
        g_clear_pointer(&layout, g_free);
    }
  }
  cli->layout = layout;
  g_hash_table_insert(cli->layouts, g_steal_pointer(&key), layout);
  return TRUE;
}

static void
warn_first(const char *message, gpointer data)
{
  const KvmmmuCli *cli = data;

  if (!cli->quiet)
    fprintf(stderr, "kvmmmu-report: %s\n", message);
}

static void
warn_total(const char *reason, guint64 count, const char *first, gpointer data)
{
  if (count > 1)
    fprintf(stderr, "kvmmmu-report:   %" G_GUINT64_FORMAT " x %s (first: %s)\n", count, reason,
            first);
  else
    fprintf(stderr, "kvmmmu-report:   1 x %s (%s)\n", reason, first);
}

static void
on_skip(KvmmmuSkipReason why, guint32 cpu, guint64 seq, gpointer data)
{
  kvmmmu_stats_note_skipped(data, why == KVMMMU_SKIP_OF_BAD_WALK, cpu, seq);
}

/* A record whose seq is not above its CPU's last is a bad line, not
 * counted: the same record read twice would otherwise count twice.  (The
 * steps of such a walk go with it, counted by stats as such.)  FALSE with
 * error when --strict stops here. */
static G_GNUC_NO_INLINE gboolean
seq_not_above(const KvmmmuCli *cli, KvmmmuDiag *diag, const KvmmmuStats *stats,
              const KvmmmuRecord *rec, GError **error)
{
  kvmmmu_diag_add(diag, rec->file, rec->line, kvmmmu_kind_name(rec->kind), "seq:not-above",
                  "expected seq above %" G_GUINT64_FORMAT ", the last of cpu %u, got %"
                  G_GUINT64_FORMAT ": a repeated or out-of-order record, not counted",
                  kvmmmu_stats_cpu_last_seq(stats, rec->cpu), rec->cpu, rec->seq);
  if (cli->strict) {
    g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_STRICT, "%s",
                kvmmmu_diag_last(diag));
    return FALSE;
  }
  return TRUE;
}

int
kvmmmu_cli_read(KvmmmuCli *cli, KvmmmuStats *stats, KvmmmuCliRecordFunc func,
                gpointer data, guint64 *bad_lines)
{
  g_autoptr(KvmmmuDiag) diag = kvmmmu_diag_new(warn_first, (gpointer)cli);
  int status = KVMMMU_EXIT_OK;
  const int stop_fd = kvmmmu_interrupt_begin();
  gboolean stopped = FALSE;
  guint64 records = 0;

  for (char **f = cli->files; *f && !stopped; f++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(KvmmmuReader) reader =
      cli->bulk     ? kvmmmu_reader_open_bulk(cli->files, diag, cli->strict, &error)
      : cli->follow ? kvmmmu_reader_open_fd(cli->follow_fd, *f, diag, cli->strict)
                    : kvmmmu_reader_open(*f, diag, cli->strict, &error);
    KvmmmuReadStatus st;
    KvmmmuStatsVerdict counted;
    const KvmmmuRecord *rec;

    if (!reader) {
      fprintf(stderr, "kvmmmu-report: %s\n", error->message);
      status = KVMMMU_EXIT_UNUSABLE;
      if (cli->bulk)
        break; /* one open of every file: its error is said once */
      continue;
    }
    kvmmmu_reader_set_skip_func(reader, on_skip, stats);
    kvmmmu_reader_set_stop_fd(reader, stop_fd);
    if (cli->idle_func && stop_fd >= 0)
      kvmmmu_reader_set_idle_func(reader, cli->idle_ms, cli->idle_func, cli->idle_data);
    while ((st = kvmmmu_reader_next_ref(reader, &rec, &error)) == KVMMMU_READ_RECORD) {
      if (rec->kind == KVMMMU_RECORD_HEADER && !resolve_layout(cli, &rec->u.header, &error)) {
        st = KVMMMU_READ_FATAL;
        break;
      }
      if (G_UNLIKELY((counted = kvmmmu_stats_add(stats, rec)) != KVMMMU_STATS_COUNTED)) {
        if (counted == KVMMMU_STATS_SEQ_NOT_ABOVE && !seq_not_above(cli, diag, stats, rec, &error)) {
          st = KVMMMU_READ_FATAL;
          break;
        }
        continue;
      }
      if (cli->filter && !kvmmmu_filter_match(cli->filter, rec)) {
        cli->filtered_out++;
        if (cli->left_out_func)
          cli->left_out_func(rec, data);
        continue;
      }
      func(rec, data);
      if (G_UNLIKELY(cli->stop_reading))
        break;
    }
    stats->bulk_missing += kvmmmu_reader_bulk_missing(reader);
    stopped = kvmmmu_reader_stopped(reader) || cli->stop_reading;
    if (st == KVMMMU_READ_FATAL) {
      fprintf(stderr, "kvmmmu-report: %s\n", error->message);
      status = KVMMMU_EXIT_UNUSABLE;
      if (cli->strict)
        break;
    }
    if (cli->bulk)
      break; /* one reader took every file */
  }
  kvmmmu_stats_finish(stats);
  if (cli->filter && !cli->quiet)
    fprintf(stderr, "kvmmmu-report: %s: %" G_GUINT64_FORMAT " records left out; "
            "loss and summary counts cover the whole input\n",
            kvmmmu_filter_describe(cli->filter), cli->filtered_out);
  if (cli->filter && !cli->quiet && kvmmmu_filter_no_vm(cli->filter))
    fprintf(stderr, "kvmmmu-report: %" G_GUINT64_FORMAT " walk%s left out by --vm: "
            "format-1 captures do not say which VM a walk is of\n",
            kvmmmu_filter_no_vm(cli->filter), kvmmmu_filter_no_vm(cli->filter) == 1 ? "" : "s");
  /* The records a report counts: every event kind, the trailer too. */
  for (int k = KVMMMU_RECORD_HEADER + 1; k <= KVMMMU_RECORD_END; k++)
    records += stats->per_kind[k];
  kvmmmu_interrupt_end(records);
  *bad_lines = kvmmmu_diag_count(diag);
  if (*bad_lines && !cli->strict) {
    fprintf(stderr, "kvmmmu-report: %" G_GUINT64_FORMAT " bad line%s skipped:\n", *bad_lines,
            *bad_lines == 1 ? "" : "s");
    kvmmmu_diag_foreach(diag, warn_total, NULL);
  }
  if (*bad_lines && status == KVMMMU_EXIT_OK)
    status = KVMMMU_EXIT_PROBLEMS;
  return status;
}

gboolean
kvmmmu_cli_expect_records(const char *command, const KvmmmuStats *stats, guint64 found,
                          const char *what, const char *writer)
{
  g_autofree char *scripts = NULL;

  if (found || stats->captures == 0)
    return TRUE;
  scripts = kvmmmu_stats_distinct(stats, G_STRUCT_OFFSET(KvmmmuHeader, script));
  fprintf(stderr, "kvmmmu-report %s: no %s in the input (captures from script=%s): "
          "%s reads the %s %s writes\n", command, what, scripts, command, what, writer);
  return FALSE;
}

guint64
kvmmmu_cli_origin(const KvmmmuCli *cli, const KvmmmuHeader *header)
{
  return cli->abs_time ? 0 : header->start_ns;
}

void
kvmmmu_cli_cache_n(const KvmmmuKernelLayout *layout, KvmmmuCache *cache)
{
  if (layout && layout->num_prev_roots)
    cache->kernel_n = CLAMP(layout->num_prev_roots, 1, KVMMMU_CACHE_MAX_N);
}

void
kvmmmu_cli_flush(GString *out)
{
  if (out->len)
    fwrite(out->str, 1, out->len, stdout);
  g_string_truncate(out, 0);
}

gboolean
kvmmmu_cli_write_report(const KvmmmuCli *cli, const char *command, GString *out)
{
  g_autoptr(GError) error = NULL;

  if (!cli->output) {
    kvmmmu_cli_flush(out);
    return TRUE;
  }
  if (!kvmmmu_output_write(cli->output, command, out->str, out->len, &error)) {
    fprintf(stderr, "kvmmmu-report %s: %s\n", command, error->message);
    return FALSE;
  }
  g_string_truncate(out, 0);
  return TRUE;
}

void
kvmmmu_cli_write_json(KvmmmuJson *node)
{
  g_autofree char *text = kvmmmu_render_json_to_string(node, TRUE);

  fputs(text, stdout);
  fputc('\n', stdout);
}

/* Each line of note on stderr, after the program's and the command's name. */
static void
note_lines(const char *command, const GString *note)
{
  g_auto(GStrv) lines = g_strsplit(note->str, "\n", -1);

  for (guint i = 0; lines[i] && *lines[i]; i++)
    fprintf(stderr, "kvmmmu-report: %s: %s\n", command, lines[i]);
}

gboolean
kvmmmu_cli_note_roots_limits(const char *command, const KvmmmuRoots *roots)
{
  g_autoptr(GString) note = g_string_new("");
  gboolean any = kvmmmu_render_roots_limits(note, roots);

  note_lines(command, note);
  return any;
}

gboolean
kvmmmu_cli_note_stats_limits(const char *command, const KvmmmuStats *stats)
{
  g_autoptr(GString) note = g_string_new("");
  gboolean any = kvmmmu_render_stats_limits(note, stats);

  note_lines(command, note);
  return any;
}

void
kvmmmu_cli_note_loss(const KvmmmuCli *cli, const KvmmmuStats *stats)
{
  g_autoptr(GString) note = g_string_new("");

  kvmmmu_render_loss_note(note, stats);
  if (note->len)
    fprintf(stderr, "kvmmmu-report: %s", note->str);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the subcommands share: options, the input loop, exit codes. */
#ifndef KVMMMU_CLI_H
#define KVMMMU_CLI_H

#include <glib.h>

#include "model/stats.h"
#include "reader/reader.h"
#include "render/render.h"
#include "model/filter.h"
#include "model/roles.h"

/* Exit codes, as the man page documents them. */
enum {
  KVMMMU_EXIT_OK = 0,       /* clean */
  KVMMMU_EXIT_PROBLEMS = 1, /* input problems seen (bad lines, failed checks) */
  KVMMMU_EXIT_UNUSABLE = 2, /* unusable input */
  KVMMMU_EXIT_USAGE = 64,   /* bad command line */
};

typedef struct {
  KvmmmuOutputFormat format;
  gboolean strict;
  gboolean quiet;          /* no per-problem warnings, only the totals */
  gboolean bulk;           /* the inputs are one stap -b capture's per-CPU files */
  gboolean abs_time;       /* times on the records' clock, not from each capture's start */
  char **files;            /* what is left of argv: the inputs */
  char *output;            /* -o FILE (openmetrics only), NULL: stdout */
  char *debuginfo;         /* --debuginfo PATH, "none" for raw role words */
  gboolean force_debuginfo;/* use it even when its build-id is not the trace's */
  KvmmmuFilter *filter;    /* --cpu --vm --vcpu --time --walk: what func sees */
  guint64 filtered_out;    /* records the filter kept from func */
  /* Sees the records the filter kept from func, with func's data: the
   * models number VMs on them as the filter does, so that --vm 1 shows
   * VM 1 under that number.  NULL: nothing does. */
  void (*left_out_func)(const KvmmmuRecord *rec, gpointer data);
  gboolean shows_no_roles; /* set by commands that never decode a role word: no
                            * debuginfo is looked for (its DWARF costs ~16 MiB) */
  /* Called when a pipe or terminal input has been quiet for idle_ms (top
   * redraws then); FALSE ends the input.  NULL: never. */
  gboolean (*idle_func)(gpointer data);
  gpointer idle_data;
  guint idle_ms;
  gboolean stop_reading;   /* set by func: read no further (top --once) */
  int follow_fd;           /* with follow: the first file is read from this pipe */
  gboolean follow;

  /* How role words of the capture being read decode: set at each header
   * from --debuginfo, debuginfo found for the header's release, or the
   * built-in table; NULL when nothing fits (words stay raw). */
  const KvmmmuKernelLayout *layout;
  KvmmmuKernelLayout *debuginfo_layout; /* --debuginfo, read once */
  /* "release\nbuild-id" -> KvmmmuKernelLayout (NULL: none fits), read once
   * per kernel; renderers may keep a capture's layout pointer to the end. */
  GHashTable *layouts;
} KvmmmuCli;

typedef void (*KvmmmuCliRecordFunc)(const KvmmmuRecord *rec, gpointer data);

/* Parse argv with the common options (--format, --strict, --quiet) plus
 * entries; FALSE after printing the reason (exit KVMMMU_EXIT_USAGE). */
gboolean kvmmmu_cli_parse(KvmmmuCli *cli, const char *command, const char *summary,
                          const GOptionEntry *entries, int *argc, char ***argv);
void kvmmmu_cli_clear(KvmmmuCli *cli);

/* Read every input in turn: each record goes to stats (the whole input's
 * accounting) and, when the filter selects it, to func.  Bad
 * lines are warned about once per kind and reason on stderr, and totalled
 * at the end.  Returns the exit status the inputs deserve. */
int kvmmmu_cli_read(KvmmmuCli *cli, KvmmmuStats *stats, KvmmmuCliRecordFunc func,
                    gpointer data, guint64 *bad_lines);

/* FALSE, after saying so on stderr, when the input held none of the
 * records a command reads (found == 0): a capture of another script, say.
 * what names the records, writer the script that writes them. */
gboolean kvmmmu_cli_expect_records(const char *command, const KvmmmuStats *stats,
                                   guint64 found, const char *what, const char *writer);

/* The origin times are shown from for a capture with this header: its
 * start, or 0 with --abs-time (the records' own clock). */
guint64 kvmmmu_cli_origin(const KvmmmuCli *cli, const KvmmmuHeader *header);

/* KVM_MMU_NUM_PREV_ROOTS on every kernel so far: the cache model's N when
 * no kernel layout says. */
#define KVMMMU_CLI_PREV_ROOTS 3
/* At a header record: the cache model's N from the kernel layout chosen for
 * the capture it starts (NULL: none), when that layout has it. */
void kvmmmu_cli_cache_n(const KvmmmuKernelLayout *layout, KvmmmuCache *cache);

/* Write out to stdout and empty it. */
void kvmmmu_cli_flush(GString *out);
/* Write the whole report in out to -o's file (cli/output.h: replaced at
 * once), else to stdout, and empty it; FALSE after saying why on stderr
 * (exit KVMMMU_EXIT_UNUSABLE: the report could not be written). */
gboolean kvmmmu_cli_write_report(const KvmmmuCli *cli, const char *command, GString *out);
/* Write a JSON node to stdout, pretty, with a newline. */
void kvmmmu_cli_write_json(KvmmmuJson *node);
/* Print "lost: ..." to stderr when the capture lost data (text output). */
void kvmmmu_cli_note_loss(const KvmmmuCli *cli, const KvmmmuStats *stats);
/* What roots could not keep (render/roots.c's limits), a line each on
 * stderr after "kvmmmu-report COMMAND: "; TRUE when there was any. */
gboolean kvmmmu_cli_note_roots_limits(const char *command, const KvmmmuRoots *roots);
/* The same for the stats (render/summary.c's limits), for the reports
 * that show their vCPUs. */
gboolean kvmmmu_cli_note_stats_limits(const char *command, const KvmmmuStats *stats);

int kvmmmu_cmd_walks(int argc, char **argv);
int kvmmmu_cmd_roots(int argc, char **argv);
int kvmmmu_cmd_cache(int argc, char **argv);
int kvmmmu_cmd_hist(int argc, char **argv);
int kvmmmu_cmd_summary(int argc, char **argv);
int kvmmmu_cmd_check(int argc, char **argv);
int kvmmmu_cmd_kernel_info(int argc, char **argv);
int kvmmmu_cmd_html(int argc, char **argv);
int kvmmmu_cmd_top(int argc, char **argv);

#endif

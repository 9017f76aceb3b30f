/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report: reports from kvmmmu traces.  Only main() exits. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/interrupt.h"

#ifndef KVMMMU_VERSION
#define KVMMMU_VERSION "0.1"
#endif

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *what;
} commands[] = {
  { "walks", kvmmmu_cmd_walks, "mmu_unsync_walk pages and for_each_sp steps, checked" },
  { "roots", kvmmmu_cmd_roots, "per-vCPU roots, returns, prev_roots hits, snapshots" },
  { "cache", kvmmmu_cmd_cache, "prev_roots replayed for 1 to 16 previous roots, against KVM" },
  { "hist", kvmmmu_cmd_hist, "events per interval or load latency, as SystemTap prints" },
  { "summary", kvmmmu_cmd_summary, "records, walks, vCPUs, time span, data lost" },
  { "check", kvmmmu_cmd_check, "fail unless the trace is sound and agrees with KVM's counters" },
  { "kernel-info", kvmmmu_cmd_kernel_info, "role layout, bounds and probe pre-flight from DWARF" },
  { "html", kvmmmu_cmd_html, "one HTML page: summary, histograms, root timelines, walk trees" },
  { "top", kvmmmu_cmd_top, "a trace as it is written, redrawn every second, as kvm_stat" },
};

static void
usage(FILE *f)
{
  fprintf(f, "Usage: kvmmmu-report COMMAND [OPTION...] FILE... (- for stdin)\n\n"
             "Reports from kvmmmu traces of the KVM x86 shadow MMU.\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
  fprintf(f, "\nEvery command takes --format text|json|csv, --strict and --quiet;\n"
             "'kvmmmu-report COMMAND --help' lists its own options.\n"
             "Exit status: 0 clean, 1 input problems seen, 2 unusable input or output,\n"
             "64 usage, 130/143 SIGINT/SIGTERM ended the input (the report covers what\n"
             "was read).\n");
}

/* A report whose last bytes did not reach stdout (a full disk, a file size
 * limit) must not end as if it were written.  A closed stdout that was
 * never written to is no failure. */
static int
close_stdout(int status)
{
  gboolean failed = ferror(stdout);
  int e = failed ? errno : 0; /* the failed write's, unless overwritten since */

  if (fflush(stdout) != 0) {
    failed = TRUE;
    e = errno;
  }
  if (fclose(stdout) != 0 && errno != EBADF && !failed) {
    failed = TRUE;
    e = errno;
  }
  if (!failed)
    return status;
  fprintf(stderr, "kvmmmu-report: Failed to write report: path=<stdout>: %s\n",
          g_strerror(e ? e : EIO));
  return KVMMMU_EXIT_UNUSABLE;
}

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  /* Numbers in reports never take the locale's decimal comma. */
  setlocale(LC_NUMERIC, "C");

  if (argc < 2) {
    usage(stderr);
    return KVMMMU_EXIT_USAGE;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
    printf("kvmmmu-report %s (trace format %d)\n", KVMMMU_VERSION, KVMMMU_FORMAT_VERSION);
    return KVMMMU_EXIT_OK;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return KVMMMU_EXIT_OK;
  }
  for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return kvmmmu_interrupt_status(close_stdout(commands[i].run(argc - 1, argv + 1)));
  fprintf(stderr, "kvmmmu-report: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return KVMMMU_EXIT_USAGE;
}

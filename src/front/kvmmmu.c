/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvmmmu - the front end, as perf kvm stat is perf's: `kvmmmu record` runs
 * SystemTap with the kvmmmu scripts and the options they need, and
 * `kvmmmu report|top|check|html|... FILE` hands the trace to kvmmmu-report,
 * found next to this program (where make and make install put both).
 *
 * The scripts are the installed ones ($(DATADIR)/kvmmmu/scripts beside
 * $(BINDIR), whose tapsets stap finds in its own directory), else those of
 * the source tree this program was built in (build/kvmmmu: scripts/ with -I
 * tapsets/), else $KVMMMU_SCRIPTS.  Only main() exits.
 */
#define G_LOG_DOMAIN "kvmmmu"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#ifndef KVMMMU_VERSION
#define KVMMMU_VERSION "0.1"
#endif

enum { EXIT_USAGE = 64, EXIT_UNUSABLE = 2 };

static const char *const scripts[] = { "zap_unsync", "root_hpa", "mmu_load_rate" };

/* This program's directory, with its '/'; NULL after saying why. */
static char *
self_dir(void)
{
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  char *slash;

  if (n <= 0) {
    fprintf(stderr, "kvmmmu: cannot find this program's directory: %s\n", g_strerror(errno));
    return NULL;
  }
  self[n] = '\0';
  slash = strrchr(self, '/');
  return g_strndup(self, slash ? (gsize)(slash + 1 - self) : 0);
}

/* Where the scripts are, and the -I the tapsets need (NULL: stap's own
 * directory has them).  FALSE after saying why. */
static gboolean
find_scripts(char **dir, char **tapsets)
{
  g_autofree char *self = self_dir();
  const char *env = g_getenv("KVMMMU_SCRIPTS");
  g_autofree char *installed = NULL, *tree = NULL, *tree_tapsets = NULL;

  *dir = *tapsets = NULL;
  if (!self)
    return FALSE;
  if (env && *env) {
    *dir = g_strdup(env);
    return TRUE;
  }
  installed = g_canonicalize_filename("../share/kvmmmu/scripts", self);
  tree = g_canonicalize_filename("../scripts", self);
  tree_tapsets = g_canonicalize_filename("../tapsets", self);
  if (g_file_test(installed, G_FILE_TEST_IS_DIR)) {
    *dir = g_steal_pointer(&installed);
    return TRUE;
  }
  if (g_file_test(tree, G_FILE_TEST_IS_DIR) && g_file_test(tree_tapsets, G_FILE_TEST_IS_DIR)) {
    *dir = g_steal_pointer(&tree);
    *tapsets = g_steal_pointer(&tree_tapsets);
    return TRUE;
  }
  fprintf(stderr, "kvmmmu: no kvmmmu scripts in %s or %s (set KVMMMU_SCRIPTS)\n", installed, tree);
  return FALSE;
}

/* The stap command line for one script: argv (NULL-terminated). */
static GPtrArray *
stap_argv(const char *stap, const char *dir, const char *tapsets, const char *script,
          guint duration, char **command)
{
  GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

  g_ptr_array_add(a, g_strdup(stap));
  if (tapsets) {
    g_ptr_array_add(a, g_strdup("-I"));
    g_ptr_array_add(a, g_strdup(tapsets));
  }
  g_ptr_array_add(a, g_strdup_printf("%s/%s.stp", dir, script));
  if (duration) {
    g_ptr_array_add(a, g_strdup("-G"));
    g_ptr_array_add(a, g_strdup_printf("duration_s=%u", duration));
  }
  if (command && *command) {
    GString *c = g_string_new("");

    /* stap -c takes one string, split by its own shell-like rules */
    for (char **p = command; *p; p++) {
      g_autofree char *q = g_shell_quote(*p);

      g_string_append_printf(c, "%s%s", p == command ? "" : " ", q);
    }
    g_ptr_array_add(a, g_strdup("-c"));
    g_ptr_array_add(a, g_string_free(c, FALSE));
  }
  g_ptr_array_add(a, NULL);
  return a;
}

static void
print_argv(FILE *f, GPtrArray *a, const char *out)
{
  for (guint i = 0; i + 1 < a->len; i++) {
    g_autofree char *q = g_shell_quote(g_ptr_array_index(a, i));
    fprintf(f, "%s%s", i ? " " : "", q);
  }
  {
    g_autofree char *q = g_shell_quote(out);
    fprintf(f, " >%s 2>&1\n", q);
  }
}

/* Start stap with its output and its stderr in out (one file, one offset:
 * the report counts SystemTap's own lines where they fell).  The file is
 * written where the user named it, never replaced by a rename.  The pid,
 * or -1 after saying why. */
static pid_t
start(GPtrArray *a, const char *out)
{
  int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  pid_t pid;

  if (fd < 0) {
    fprintf(stderr, "kvmmmu record: cannot write %s: %s\n", out, g_strerror(errno));
    return -1;
  }
  pid = fork();
  if (pid == 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execvp(g_ptr_array_index(a, 0), (char **)a->pdata);
    dprintf(fd, "kvmmmu record: cannot run %s: %s\n", (char *)g_ptr_array_index(a, 0),
            g_strerror(errno));
    _exit(127);
  }
  close(fd);
  if (pid < 0)
    fprintf(stderr, "kvmmmu record: fork: %s\n", g_strerror(errno));
  return pid;
}

static int
cmd_record(int argc, char **argv)
{
  g_autofree char *output = NULL, *script = NULL, *stap = NULL, *dir = NULL, *tapsets = NULL;
  gint duration = 0;
  gboolean dry_run = FALSE;
  g_auto(GStrv) command = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new("[-- COMMAND [ARG...]]");
  g_autoptr(GError) error = NULL;
  const char *names[G_N_ELEMENTS(scripts)];
  guint n = 0;
  pid_t pids[G_N_ELEMENTS(scripts)];
  int status = 0;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the trace to FILE (default kvmmmu.trace); with --script all, a directory for "
      "one NAME.trace each", "FILE" },
    { "script", 's', 0, G_OPTION_ARG_STRING, &script,
      "zap_unsync (default), root_hpa, mmu_load_rate, or all: the three at once", "NAME" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &duration, "Stop after S seconds (-G duration_s=S)",
      "S" },
    { "stap", 0, 0, G_OPTION_ARG_FILENAME, &stap, "The stap to run (default: stap in PATH)", "PATH" },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "Print the stap command lines, run nothing",
      NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &command, NULL, NULL },
    { NULL },
  };

  g_set_prgname("kvmmmu record");
  g_option_context_set_summary(ctx, "Run SystemTap with a kvmmmu script: the trace and SystemTap's "
                                    "own messages in one file.\nRuns until Ctrl-C, --duration, or "
                                    "the end of COMMAND (stap -c).");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    fprintf(stderr, "kvmmmu record: %s\n", error->message);
    return EXIT_USAGE;
  }
  if (!script)
    script = g_strdup("zap_unsync");
  if (strcmp(script, "all") == 0) {
    for (guint i = 0; i < G_N_ELEMENTS(scripts); i++)
      names[n++] = scripts[i];
  } else {
    for (guint i = 0; i < G_N_ELEMENTS(scripts); i++)
      if (strcmp(script, scripts[i]) == 0)
        names[n++] = scripts[i];
  }
  if (!n || duration < 0 || (n > 1 && command && *command)) {
    fprintf(stderr, "kvmmmu record: expected --script zap_unsync, root_hpa, mmu_load_rate or "
                    "all, --duration 0 or more, and -- COMMAND with one script only\n");
    return EXIT_USAGE;
  }
  if (!output)
    output = g_strdup(n > 1 ? "kvmmmu.d" : "kvmmmu.trace");
  if (!find_scripts(&dir, &tapsets))
    return EXIT_UNUSABLE;
  if (n > 1 && !dry_run && g_mkdir_with_parents(output, 0777) != 0) {
    fprintf(stderr, "kvmmmu record: cannot make directory %s: %s\n", output, g_strerror(errno));
    return EXIT_UNUSABLE;
  }
  for (guint i = 0; i < n; i++) {
    g_autoptr(GPtrArray) a = stap_argv(stap ? stap : "stap", dir, tapsets, names[i],
                                        (guint)duration, command);
    g_autofree char *name = g_strdup_printf("%s.trace", names[i]);
    g_autofree char *out = n > 1 ? g_build_filename(output, name, NULL) : g_strdup(output);

    if (dry_run) {
      print_argv(stdout, a, out);
      continue;
    }
    pids[i] = start(a, out);
    if (pids[i] < 0) {
      n = i; /* wait for those started */
      status = EXIT_UNUSABLE;
      break;
    }
    fprintf(stderr, "kvmmmu record: %s into %s\n", names[i], out);
  }
  if (dry_run)
    return 0;
  /* Ctrl-C reaches stap too (one process group): each ends its session,
   * writes its trailer and exits; this waits for them. */
  for (guint i = 0; i < n; i++) {
    int ws;

    while (waitpid(pids[i], &ws, 0) < 0 && errno == EINTR)
      ;
    if (WIFEXITED(ws) && WEXITSTATUS(ws) != 0 && !status)
      status = WEXITSTATUS(ws);
    else if (WIFSIGNALED(ws) && !status)
      status = 128 + WTERMSIG(ws);
  }
  return status;
}

/* kvmmmu COMMAND ARGS: kvmmmu-report COMMAND ARGS; report is its summary,
 * as perf kvm stat report is perf's. */
static int
hand_over(int argc, char **argv)
{
  g_autofree char *dir = self_dir();
  g_autofree char *report = NULL;
  g_autofree char **args = NULL;

  if (!dir)
    return EXIT_UNUSABLE;
  report = g_strconcat(dir, "kvmmmu-report", NULL);
  args = g_new0(char *, argc + 2);
  args[0] = report;
  for (int i = 0; i < argc; i++)
    args[i + 1] = argv[i];
  if (strcmp(argv[0], "report") == 0)
    args[1] = "summary";
  execv(report, args);
  fprintf(stderr, "kvmmmu: cannot run %s: %s\n", report, g_strerror(errno));
  return EXIT_UNUSABLE;
}

static void
usage(FILE *f)
{
  fprintf(f, "Usage: kvmmmu record [-o FILE] [--script NAME|all] [--duration S] [-- COMMAND...]\n"
             "       kvmmmu report|top|check|html|walks|roots|cache|hist FILE... (kvmmmu-report)\n\n"
             "The kvmmmu front end: record runs SystemTap with a kvmmmu script, the others hand\n"
             "the trace to kvmmmu-report (report: its summary).  'kvmmmu record --help' lists\n"
             "record's options; kvmmmu-report(1) the reports'.\n");
}

int
main(int argc, char **argv)
{
  static const char *const reports[] = { "report", "top", "check", "html", "walks", "roots",
                                         "cache", "hist", "summary", "kernel-info" };

  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("kvmmmu %s\n", KVMMMU_VERSION);
    return 0;
  }
  if (strcmp(argv[1], "record") == 0)
    return cmd_record(argc - 1, argv + 1);
  for (guint i = 0; i < G_N_ELEMENTS(reports); i++)
    if (strcmp(argv[1], reports[i]) == 0)
      return hand_over(argc - 1, argv + 1);
  fprintf(stderr, "kvmmmu: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return EXIT_USAGE;
}

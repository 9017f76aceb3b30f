/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html-exec.c - kvmmmu-report html, in kvmmmu-report: runs
 * kvmmmu-report-html, the build of the same commands that also draws.
 *
 * Cairo and Graphviz bring some twenty shared libraries (X11, fontconfig,
 * freetype, ...) that only the HTML page uses; loading them cost every
 * other command about 1.4 ms at start, a twentieth of a 100 MB summary.
 * So kvmmmu-report is linked without them and hands html to its sibling,
 * found next to it (where make and make install put both).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define HTML_BINARY "kvmmmu-report-html"

int
kvmmmu_cmd_html(int argc, char **argv)
{
  char self[PATH_MAX], helper[PATH_MAX + sizeof HTML_BINARY];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  char *slash;
  g_autofree char **args = NULL;

  if (n <= 0) {
    fprintf(stderr, "kvmmmu-report html: cannot find this program's directory: %s\n",
            g_strerror(errno));
    return KVMMMU_EXIT_UNUSABLE;
  }
  self[n] = '\0';
  slash = strrchr(self, '/');
  *(slash ? slash + 1 : self) = '\0';
  snprintf(helper, sizeof helper, "%s%s", self, HTML_BINARY);

  /* kvmmmu-report-html html ARGS..., argv[0] being "html" */
  args = g_new0(char *, argc + 2);
  args[0] = helper;
  for (int i = 0; i < argc; i++)
    args[i + 1] = argv[i];
  execv(helper, args);
  fprintf(stderr, "kvmmmu-report html: cannot run %s: %s\n", helper, g_strerror(errno));
  return KVMMMU_EXIT_UNUSABLE;
}

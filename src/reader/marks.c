/* SPDX-License-Identifier: GPL-2.0-or-later */
/* marks.c - a span of a marks file (marks.h). */
#include <errno.h>
#include <string.h>

#include "reader/marks.h"

static gboolean
bad(GError **error, const char *path, guint line, const char *what)
{
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
              "%s:%u: mark: expected 'NAME start|end NS' (%s)", path, line, what);
  return FALSE;
}

gboolean
kvmmmu_marks_span(const char *path, const char *name, guint64 *start_ns, guint64 *end_ns,
                  GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) names = g_string_new(NULL);
  gboolean started = FALSE, ended = FALSE;
  guint n;

  if (!g_file_get_contents(path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit(text, "\n", -1);
  n = g_strv_length(lines);
  if (n > KVMMMU_MARKS_MAX_LINES + 1) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s: %u lines: a marks file holds at most %u", path, n - 1,
                KVMMMU_MARKS_MAX_LINES);
    return FALSE;
  }
  for (guint i = 0; lines[i]; i++) {
    g_auto(GStrv) f = NULL;
    char *end;
    guint64 ns;

    if (!*lines[i] && !lines[i + 1])
      break; /* the last newline */
    f = g_strsplit(lines[i], " ", -1);
    if (g_strv_length(f) != 3 || !*f[0])
      return bad(error, path, i + 1, "three fields, one space apart");
    if (strcmp(f[1], "start") != 0 && strcmp(f[1], "end") != 0)
      return bad(error, path, i + 1, "the second is start or end");
    errno = 0;
    ns = g_ascii_strtoull(f[2], &end, 10);
    if (end == f[2] || *end || !g_ascii_isdigit(f[2][0]) || errno == ERANGE)
      return bad(error, path, i + 1, "NS is a decimal number of nanoseconds");
    /* the names, once each, for the error below */
    if (strcmp(f[1], "start") == 0) {
      g_autofree char *word = g_strdup_printf(" %s ", f[0]);
      g_autofree char *have = g_strdup_printf(" %s ", names->str);

      if (!strstr(have, word))
        g_string_append_printf(names, "%s%s", names->len ? " " : "", f[0]);
    }
    if (strcmp(f[0], name) != 0 || ended)
      continue;
    if (!started && strcmp(f[1], "start") == 0) {
      *start_ns = ns;
      started = TRUE;
    } else if (started && strcmp(f[1], "end") == 0) {
      if (ns < *start_ns)
        return bad(error, path, i + 1, "an end after its start");
      *end_ns = ns;
      ended = TRUE;
    }
  }
  if (!ended) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "%s: no span '%s' ('%s start' then '%s end'); it has: %s", path, name, name,
                name, names->len ? names->str : "none");
    return FALSE;
  }
  return TRUE;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* counters.c - KVM's debugfs counters read back from a file. */
#include <string.h>

#include "reader/counters.h"

GHashTable *
kvmmmu_counters_read(const char *path, GError **error)
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

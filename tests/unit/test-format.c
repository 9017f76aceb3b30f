/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The record tables and docs/record-format.md say the same thing: each
 * kind's synopsis line in the docs is rebuilt from records.h. */
#include <string.h>

#include "format/records.h"

static char *doc;

static void
test_synopsis(gconstpointer data)
{
  const KvmmmuKindSpec *spec = data;
  g_autoptr(GString) line = g_string_new(spec->keyword);
  g_autofree char *needle = NULL;

  {
    guint n_common;
    const KvmmmuFieldSpec *common = kvmmmu_common_field_specs(&n_common);

    for (guint i = 0; i < n_common; i++)
      g_string_append_printf(line, " <%s>", common[i].name);
  }
  for (guint i = 0; i < spec->n_fields; i++)
    g_string_append_printf(line, " <%s>", spec->fields[i].name);
  if (spec->n_item_fields) {
    g_string_append_c(line, ' ');
    for (guint i = 0; i < spec->n_item_fields; i++)
      g_string_append_printf(line, "%s<%s>", i ? "," : "", spec->item_fields[i].name);
    g_string_append(line, " ...");
  }
  needle = g_strdup_printf("\n%s\n", line->str);
  if (!strstr(doc, needle))
    g_error("docs/record-format.md lacks the synopsis line:\n%s", line->str);
}

static void
test_names_unique(void)
{
  guint n;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&n);

  g_assert_cmpuint(n, ==, 10);
  for (guint i = 0; i < n; i++) {
    g_assert_cmpuint(specs[i].kind, ==, KVMMMU_RECORD_HEADER + 1 + i);
    g_assert_cmpstr(kvmmmu_kind_name(specs[i].kind), ==, specs[i].keyword);
    for (guint j = 0; j < i; j++)
      g_assert_cmpstr(specs[i].keyword, !=, specs[j].keyword);
  }
  g_assert_cmpstr(kvmmmu_kind_spec(KVMMMU_RECORD_WALK)->keyword, ==, "walk");
  g_assert_cmpuint(kvmmmu_kind_spec(KVMMMU_RECORD_WALK)->max_items, ==, 16);
  g_assert_cmpuint(kvmmmu_kind_spec(KVMMMU_RECORD_STEP)->max_items, ==, 5);
  g_assert_null(kvmmmu_kind_spec(KVMMMU_RECORD_PROBE_HIT));
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *path;
  guint n;
  const KvmmmuKindSpec *specs;

  g_test_init(&argc, &argv, NULL);
  path = g_getenv("KVMMMU_RECORD_FORMAT_DOC");
  if (!path)
    path = "docs/record-format.md";
  if (!g_file_get_contents(path, &doc, NULL, &error))
    g_error("Cannot read the format doc: %s", error->message);
  specs = kvmmmu_kind_specs(&n);
  for (guint i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("/format/doc-synopsis/%s", specs[i].keyword);
    g_test_add_data_func(name, &specs[i], test_synopsis);
  }
  g_test_add_func("/format/names-unique", test_names_unique);
  return g_test_run();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-debuginfod.c - when kvmmmu-report asks debuginfod, and what it says
 * when it cannot (tests/debuginfod/check-debuginfod.sh asks a real server). */
#include <glib.h>

#include "dwarf/debuginfod.h"

static void
test_wanted(void)
{
  g_unsetenv("DEBUGINFOD_URLS");
  g_assert_false(kvmmmu_debuginfod_wanted());
  g_setenv("DEBUGINFOD_URLS", "", TRUE);
  g_assert_false(kvmmmu_debuginfod_wanted());
  g_setenv("DEBUGINFOD_URLS", " \t ", TRUE);
  g_assert_false(kvmmmu_debuginfod_wanted());
  g_setenv("DEBUGINFOD_URLS", "https://debuginfod.debian.net", TRUE);
  g_assert_true(kvmmmu_debuginfod_wanted());
  g_unsetenv("DEBUGINFOD_URLS");
}

/* Refused before any library is loaded or server asked. */
static void
test_refused(void)
{
  g_autoptr(GError) error = NULL;
  char *path;

  g_unsetenv("DEBUGINFOD_URLS");
  path = kvmmmu_debuginfod_find("657a52fb987ebe2b8127d8c3880dd1f1f6c5358c", NULL, NULL, &error);
  g_assert_null(path);
  g_assert_cmpstr(error->message, ==, "DEBUGINFOD_URLS names no server");
  g_clear_error(&error);

  g_setenv("DEBUGINFOD_URLS", "http://127.0.0.1:1", TRUE);
  static const char *const bad[] = { "", "657A52FB", "abc", "65/7a", "xyzw" };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autofree char *want = g_strdup_printf("build-id '%s' is not lower-case hex", bad[i]);

    path = kvmmmu_debuginfod_find(bad[i], NULL, NULL, &error);
    g_assert_null(path);
    g_assert_cmpstr(error->message, ==, want);
    g_clear_error(&error);
  }
  g_unsetenv("DEBUGINFOD_URLS");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/debuginfod/wanted", test_wanted);
  g_test_add_func("/debuginfod/refused", test_refused);
  return g_test_run();
}

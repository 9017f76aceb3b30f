/* SPDX-License-Identifier: GPL-2.0-or-later */
/* object.c - a kernel object's DWARF opened through libdwfl (offline), and
 * where debuginfo for a release is found. */
#define G_LOG_DOMAIN "kvmmmu"
#include <dwarf.h>
#include <string.h>

#include "dwarf/layout.h"
#include "dwarf/object.h"

G_DEFINE_QUARK(kvmmmu-dwarf-error-quark, kvmmmu_dwarf_error)

static const Dwfl_Callbacks offline_callbacks = {
  .find_elf = dwfl_build_id_find_elf,
  .find_debuginfo = dwfl_standard_find_debuginfo,
  .section_address = dwfl_offline_section_address,
};

/* A kvm.ko or vmlinux inside dir, the first found in the usual places. */
static char *
object_in_dir(const char *dir)
{
  static const char *const candidates[] = {
    "kvm.ko", "kvm/kvm.ko", "dbg/kvm.ko", "arch/x86/kvm/kvm.ko", "vmlinux",
  };
  for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
    char *p = g_build_filename(dir, candidates[i], NULL);

    if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
      return p;
    g_free(p);
  }
  return NULL;
}

char *
kvmmmu_dwarf_find_for_release(const char *release)
{
  const char *dirs_env = g_getenv("KVMMMU_DEBUGINFO_DIRS");
  const char *cache = g_getenv("KVMMMU_CACHE");
  g_autofree char *home_cache = g_build_filename(g_get_home_dir(), ".cache", "kvmmmu", NULL);
  g_autofree char *dirs_default = g_strjoin(":", "/usr/lib/debug", cache ? cache : home_cache,
                                            NULL);
  g_auto(GStrv) dirs = g_strsplit(dirs_env ? dirs_env : dirs_default, ":", -1);

  if (!release || !*release || strchr(release, '/'))
    return NULL;
  for (guint i = 0; dirs[i]; i++) {
    char *paths[] = {
      g_strdup_printf("%s/lib/modules/%s/kernel/arch/x86/kvm/kvm.ko", dirs[i], release),
      g_strdup_printf("%s/%s/dbg/kvm.ko", dirs[i], release),
      g_strdup_printf("%s/boot/vmlinux-%s", dirs[i], release),
    };
    char *found = NULL;

    for (guint k = 0; k < G_N_ELEMENTS(paths); k++) {
      if (!found && *dirs[i] && g_file_test(paths[k], G_FILE_TEST_IS_REGULAR))
        found = g_strdup(paths[k]);
      g_free(paths[k]);
    }
    if (found)
      return found;
  }
  return NULL;
}

void
kvmmmu_dwarf_object_close(KvmmmuDwarfObject *o)
{
  if (o->dwfl)
    dwfl_end(o->dwfl);
  g_free(o->object);
}

gboolean
kvmmmu_dwarf_object_open(const char *path, KvmmmuDwarfObject *o, GError **error)
{
  memset(o, 0, sizeof *o);
  if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
    o->object = object_in_dir(path);
    if (!o->object) {
      g_set_error(error, KVMMMU_DWARF_ERROR, 0,
                  "Cannot find kvm.ko or vmlinux in directory=%s", path);
      return FALSE;
    }
  } else
    o->object = g_strdup(path);
  o->dwfl = dwfl_begin(&offline_callbacks);
  if (!o->dwfl) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "Failed to start libdwfl: %s", dwfl_errmsg(-1));
    return FALSE;
  }
  o->mod = dwfl_report_offline(o->dwfl, "kvm", o->object, -1);
  if (!o->mod || dwfl_report_end(o->dwfl, NULL, NULL) != 0) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0, "Cannot open debuginfo: path=%s: %s", o->object,
                dwfl_errmsg(-1));
    return FALSE;
  }
  return TRUE;
}

void
kvmmmu_dwarf_object_visit(KvmmmuDwarfObject *o, KvmmmuDwarfDieFunc visit, gpointer data)
{
  Dwarf_Die *cu = NULL;
  Dwarf_Addr bias;

  while ((cu = dwfl_module_nextcu(o->mod, cu, &bias))) {
    Dwarf_Die die;

    if (dwarf_child(cu, &die) != 0)
      continue;
    do
      if (!visit(cu, &die, data))
        return;
    while (dwarf_siblingof(&die, &die) == 0);
  }
}

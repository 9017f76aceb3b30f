/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kvmmmu-report kernel-info: what a kernel's DWARF says, before stap runs:
 * the role layout, the array bounds, and whether every probe point and
 * variable the tapsets use exists. */
#include <stdio.h>

#include "cli/cli.h"
#include "dwarf/layout.h"
#include "dwarf/preflight.h"

static void
print_layout(GString *out, const KvmmmuKernelLayout *l)
{
  g_string_append(out, "union kvm_mmu_page_role:\n");
  for (guint i = 0; i < l->n_fields; i++) {
    const KvmmmuRoleField *f = &l->fields[i];

    if (f->bit_size == 1)
      g_string_append_printf(out, "  bit %-5u %s\n", f->bit_offset, f->name);
    else
      g_string_append_printf(out, "  bits %u-%-2u %s\n", f->bit_offset,
                             f->bit_offset + f->bit_size - 1, f->name);
  }
}

int
kvmmmu_cmd_kernel_info(int argc, char **argv)
{
  g_autofree char *debuginfo = NULL, *release = NULL;
  gboolean no_probes = FALSE;
  const GOptionEntry entries[] = {
    { "debuginfo", 'd', 0, G_OPTION_ARG_FILENAME, &debuginfo,
      "kvm.ko with DWARF, vmlinux with KVM built in, or a build tree", "PATH" },
    { "release", 'r', 0, G_OPTION_ARG_STRING, &release,
      "Compare with the built-in table for this release (default: from the cache path)", "REL" },
    { "no-probes", 0, 0, G_OPTION_ARG_NONE, &no_probes, "Skip the probe pre-flight", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new("");
  KvmmmuKernelLayout dwarf, builtin;
  int status = KVMMMU_EXIT_OK;

  /* "Usage: kvmmmu-report kernel-info ...": the command named once */
  g_set_prgname("kvmmmu-report kernel-info");
  ctx = g_option_context_new("--debuginfo PATH");
  g_option_context_set_summary(ctx, "The shadow MMU as this kernel's DWARF has it: the role word\n"
                                    "layout, the array bounds, and a pre-flight of every tapset probe.");
  g_option_context_add_main_entries(ctx, entries, NULL);
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || !debuginfo || argc > 1) {
    fprintf(stderr, "kvmmmu-report kernel-info: %s\nTry 'kvmmmu-report kernel-info --help'.\n",
            error ? error->message : !debuginfo ? "--debuginfo PATH is required"
                                                : "unexpected argument");
    return KVMMMU_EXIT_USAGE;
  }
  if (!kvmmmu_dwarf_read_layout(debuginfo, &dwarf, &error)) {
    fprintf(stderr, "kvmmmu-report kernel-info: %s\n", error->message);
    return KVMMMU_EXIT_UNUSABLE;
  }
  g_string_append_printf(out, "%s\nbuild-id: %s\n", dwarf.source,
                         dwarf.build_id[0] ? dwarf.build_id : "(none)");
  print_layout(out, &dwarf);
  g_string_append_printf(out, "KVM_PAGE_ARRAY_NR %u\nPT64_ROOT_MAX_LEVEL %u\nKVM_MMU_NUM_PREV_ROOTS %u\n",
                         dwarf.page_array_nr, dwarf.root_max_level, dwarf.num_prev_roots);

  /* The release: given, or the cache's KVER/dbg/kvm.ko directory name. */
  if (!release) {
    g_autofree char *dir = g_path_get_dirname(debuginfo);
    g_autofree char *parent = g_path_get_dirname(dir);
    g_autofree char *base = g_path_get_basename(dir);

    if (g_strcmp0(base, "dbg") == 0)
      release = g_path_get_basename(parent);
  }
  if (release && kvmmmu_layout_builtin(release, &builtin)) {
    g_autoptr(GString) why = g_string_new("");

    if (kvmmmu_layout_same_fields(&dwarf, &builtin, why))
      g_string_append_printf(out, "agrees with the %s\n", builtin.source);
    else {
      g_string_append_printf(out, "DIFFERS from the %s: %s\n", builtin.source, why->str);
      status = KVMMMU_EXIT_PROBLEMS;
    }
  }
  if (!no_probes) {
    guint missing;

    g_string_append(out, "tapset probes:\n");
    missing = kvmmmu_dwarf_preflight(debuginfo, out, &error);
    if (missing == G_MAXUINT) {
      fprintf(stderr, "kvmmmu-report kernel-info: %s\n", error->message);
      return KVMMMU_EXIT_UNUSABLE;
    }
    if (missing)
      status = KVMMMU_EXIT_PROBLEMS;
  }
  fwrite(out->str, 1, out->len, stdout);
  return status;
}

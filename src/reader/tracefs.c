/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tracefs.c - kvm_mmu_prepare_zap_page lines of a tracefs trace. */
#include <stdio.h>
#include <string.h>

#include "reader/tracefs.h"

#define ZAP_EVENT "kvm_mmu_prepare_zap_page: sp gen "

/* "... [001] ..... 12.3: kvm_mmu_prepare_zap_page: sp gen 0 gfn 42 l2 8-byte q0 w-x !nxe !ad root 0 sync"
 * (to 7.1), "... q0 rw-x !nxe !ad root 0 sync" (7.2 on): the same format
 * but for access, and " direct" after q0, " invalid" after the access. */
gboolean
kvmmmu_tracefs_parse_zap(const char *line, guint *cpu, KvmmmuZapEvent *ev)
{
  const char *b = strchr(line, '['), *p = strstr(line, ZAP_EVENT);
  KvmmmuKernelRole *r = &ev->role;
  char acc[8] = "", flags[64] = "", tail[64] = "";
  unsigned gen, root;
  guint64 gfn;
  int n = 0;

  if (!b || !p || sscanf(b + 1, "%u]", cpu) != 1)
    return FALSE;
  memset(ev, 0, sizeof *ev);
  if (sscanf(p + strlen(ZAP_EVENT), "%u gfn %" G_GINT64_MODIFIER "x l%u %u-byte q%u%n",
             &gen, &gfn, &r->level, &r->bytes, &r->quadrant, &n) != 5)
    return FALSE;
  ev->gfn = gfn;
  p += strlen(ZAP_EVENT) + n;
  if (g_str_has_prefix(p, " direct")) {
    r->direct = TRUE;
    p += strlen(" direct");
  }
  if (sscanf(p, " %7s%63[^r]root %u %63s", acc, flags, &root, tail) < 3)
    return FALSE;
  g_strlcpy(r->access_letters, acc, sizeof r->access_letters);
  /* letters of neither table stay an event, with a width nothing has */
  if (!kvmmmu_access_parse(acc, &r->access_bits, &r->access))
    r->access_bits = r->access = 0;
  r->invalid = strstr(flags, "invalid") != NULL;
  r->nxe = strstr(flags, "!nxe") == NULL;
  r->ad = strstr(flags, "!ad") == NULL;
  r->unsync = strcmp(tail, "unsync") == 0;
  return TRUE;
}

GHashTable *
kvmmmu_tracefs_read_zaps(const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *by_cpu;

  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  by_cpu = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                 (GDestroyNotify)g_array_unref);
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    KvmmmuZapEvent ev;
    guint cpu;
    GArray *a;

    if (!kvmmmu_tracefs_parse_zap(lines[i], &cpu, &ev)) {
      if (!strstr(lines[i], ZAP_EVENT))
        continue; /* another event, or tracefs's header */
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%u: kvm_mmu_prepare_zap_page: expected '[CPU] ... sp gen G gfn X lL N-byte qQ "
                  "ACCESS [!]nxe [!]ad root R sync|unsync'", path, i + 1);
      g_hash_table_destroy(by_cpu);
      return NULL;
    }
    a = g_hash_table_lookup(by_cpu, GUINT_TO_POINTER(cpu));
    if (!a) {
      a = g_array_new(FALSE, FALSE, sizeof(KvmmmuZapEvent));
      g_hash_table_insert(by_cpu, GUINT_TO_POINTER(cpu), a);
    }
    g_array_append_val(a, ev);
  }
  return by_cpu;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "model/zapmatch.h"

void
kvmmmu_zap_match_init(KvmmmuZapMatch *m, GHashTable *events)
{
  memset(m, 0, sizeof *m);
  m->events = events;
  m->cursor = g_hash_table_new(g_direct_hash, g_direct_equal);
}

void
kvmmmu_zap_match_clear(KvmmmuZapMatch *m)
{
  g_clear_pointer(&m->cursor, g_hash_table_destroy);
}

static void
match_page(KvmmmuZapMatch *m, guint cpu, const KvmmmuWalkItem *it,
           const KvmmmuKernelLayout *layout, const char *what)
{
  GArray *evs = g_hash_table_lookup(m->events, GUINT_TO_POINTER(cpu));
  gpointer cursor;
  guint at = 0;
  KvmmmuKernelRole want;

  m->pages++;
  if (evs && g_hash_table_lookup_extended(m->cursor, GUINT_TO_POINTER(cpu), NULL, &cursor)) {
    at = GPOINTER_TO_UINT(cursor);
  } else if (evs) {
    if (g_hash_table_size(m->cursor) >= KVMMMU_ZAPMATCH_CPUS_MAX) {
      m->cpus_over++;
      return;
    }
    /* held from the first page, matched or not: the CPUs kept are the
     * first to come */
    g_hash_table_insert(m->cursor, GUINT_TO_POINTER(cpu), GUINT_TO_POINTER(0));
  }
  kvmmmu_role_like_kernel(layout, it->role, it->unsync, &want);
  for (guint i = at; evs && i < evs->len; i++) {
    const KvmmmuZapEvent *got = &g_array_index(evs, KvmmmuZapEvent, i);

    if (got->gfn != it->gfn)
      continue;
    g_hash_table_insert(m->cursor, GUINT_TO_POINTER(cpu), GUINT_TO_POINTER(i + 1));
    if (kvmmmu_kernel_role_equal(&want, &got->role)) {
      m->agree++;
    } else if (!m->differ++) {
      g_autoptr(GString) ours = g_string_new(""), theirs = g_string_new("");

      kvmmmu_kernel_role_print(&want, ours);
      kvmmmu_kernel_role_print(&got->role, theirs);
      snprintf(m->first_diff, sizeof m->first_diff,
               "%s gfn %" G_GINT64_MODIFIER "x role %x: we decode %s, the kernel printed %s",
               what, it->gfn, it->role, ours->str, theirs->str);
    }
    return;
  }
  m->unmatched++;
}

void
kvmmmu_zap_match_walk(KvmmmuZapMatch *m, const KvmmmuWalkTree *t, const KvmmmuKernelLayout *layout)
{
  /* a sync walk's steps sync their leaves: the kernel printed no zap */
  if (!layout || t->rec.nr == 0 || kvmmmu_walk_kind(t) != KVMMMU_WALK_ZAP)
    return;
  /* The kernel printed the parent when its zap began (once per call), then
   * each page a step zapped, in order, on this CPU. */
  if (t->rec.round == 0)
    match_page(m, t->cpu, &t->rec.items[0], layout, "parent");
  for (guint k = 0; k < t->steps->len; k++) {
    const KvmmmuWalkStep *ws = &g_array_index(t->steps, KvmmmuWalkStep, k);

    if (ws->zapped)
      match_page(m, t->cpu, &t->rec.items[ws->step.i], layout, "leaf");
  }
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* synccalls.c - mmu_sync_children() calls, tied to their sync walks. */
#include <stdio.h>
#include <string.h>

#include "model/synccalls.h"

/* The sync walks on one CPU since its last round-0 sync walk: the rounds
 * of the call running there. */
struct _KvmmmuSyncPending {
  guint capture;     /* the capture it was set in: older is stale */
  gboolean active;
  gboolean from_start; /* it began with a round-0 walk */
  guint64 kvm, parent;
  guint64 last_walk; /* the walk whose steps come now */
  guint64 walks, leaves;
};

KvmmmuSyncCalls *
kvmmmu_sync_calls_new(void)
{
  KvmmmuSyncCalls *sc = g_new0(KvmmmuSyncCalls, 1);

  sc->dur_ns = kvmmmu_hist_new_log();
  sc->held_ns = kvmmmu_hist_new_log();
  return sc;
}

void
kvmmmu_sync_calls_free(KvmmmuSyncCalls *sc)
{
  if (!sc)
    return;
  kvmmmu_hist_free(sc->dur_ns);
  kvmmmu_hist_free(sc->held_ns);
  g_free(sc->pending);
  g_free(sc);
}

/* cpu's pending call, grown to; NULL past KVMMMU_WALK_CPUS_MAX (counted). */
static KvmmmuSyncPending *
pending_of(KvmmmuSyncCalls *sc, guint32 cpu)
{
  KvmmmuSyncPending *p;

  if (cpu >= KVMMMU_WALK_CPUS_MAX) {
    sc->cpus_over++;
    return NULL;
  }
  if (cpu >= sc->n_pending) {
    guint n = MIN(MAX(MAX(64u, 2 * sc->n_pending), cpu + 1), KVMMMU_WALK_CPUS_MAX);

    sc->pending = g_renew(KvmmmuSyncPending, sc->pending, n);
    memset(sc->pending + sc->n_pending, 0, (n - sc->n_pending) * sizeof *sc->pending);
    sc->n_pending = n;
  }
  p = &sc->pending[cpu];
  if (p->capture != sc->capture) {
    memset(p, 0, sizeof *p);
    p->capture = sc->capture;
  }
  return p;
}

static void
add_walk(KvmmmuSyncCalls *sc, const KvmmmuRecord *rec)
{
  const KvmmmuWalk *w = &rec->u.Walk;
  KvmmmuSyncPending *p;

  if (!w->sync || !(p = pending_of(sc, rec->cpu)))
    return;
  if (w->round == 0 || !p->active || p->kvm != w->kvm || p->parent != w->parent) {
    /* a new call, or (round > 0) one that came here after a yield */
    p->active = TRUE;
    p->from_start = w->round == 0;
    p->kvm = w->kvm;
    p->parent = w->parent;
    p->walks = p->leaves = 0;
  }
  p->walks++;
  p->last_walk = w->walk;
}

static void
add_step(KvmmmuSyncCalls *sc, const KvmmmuRecord *rec)
{
  KvmmmuSyncPending *p;

  /* only CPUs with a sync walk have an entry: no growth for zap steps */
  if (rec->cpu >= sc->n_pending)
    return;
  p = pending_of(sc, rec->cpu);
  if (p->active && rec->u.Step.walk == p->last_walk)
    p->leaves++;
}

static void
add_call(KvmmmuSyncCalls *sc, const KvmmmuRecord *rec)
{
  const KvmmmuSyncCall *c = &rec->u.SyncCall;
  KvmmmuSyncPending *p;

  sc->calls++;
  sc->calls_no_walk += c->walks == 0;
  sc->walks += c->walks;
  sc->leaves += c->leaves;
  if (c->ret == KVMMMU_SYNC_CALL_EINTR)
    sc->eintr++;
  else if (c->ret != 0)
    sc->ret_other++;
  sc->calls_yielded += c->yields > 0;
  sc->yields += c->yields;
  sc->held_over_dur += c->held_ns > c->dur_ns;
  kvmmmu_hist_add_u64(sc->dur_ns, c->dur_ns, 1);
  kvmmmu_hist_add_u64(sc->held_ns, c->held_ns, 1);

  p = pending_of(sc, rec->cpu);
  if (c->yields == 0 && c->walks > 0) {
    if (!p || !p->active || !p->from_start || p->kvm != c->kvm || p->parent != c->parent) {
      sc->not_found++;
    } else {
      sc->tied++;
      if ((p->walks != c->walks || p->leaves != c->leaves) && !sc->tied_differ++)
        snprintf(sc->first_differ, sizeof sc->first_differ,
                 "%s:%" G_GUINT64_FORMAT ": walks %u leaves %u, but %" G_GUINT64_FORMAT
                 " sync walks with %" G_GUINT64_FORMAT " steps on cpu %u before it",
                 rec->file ? rec->file : "-", rec->line, c->walks, c->leaves, p->walks,
                 p->leaves, rec->cpu);
    }
  }
  if (p)
    p->active = FALSE; /* the CPU's next call starts afresh */
}

void
kvmmmu_sync_calls_add(KvmmmuSyncCalls *sc, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_HEADER:
    sc->capture++; /* walk ids start again: pending calls are stale */
    return;
  case KVMMMU_RECORD_WALK:
    add_walk(sc, rec);
    return;
  case KVMMMU_RECORD_STEP:
    add_step(sc, rec);
    return;
  case KVMMMU_RECORD_SYNC_CALL:
    add_call(sc, rec);
    return;
  default:
    return;
  }
}

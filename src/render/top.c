/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top.c - one frame of `kvmmmu-report top`: totals and rates per second of
 * trace time since the last frame, in all and per vCPU, as kvm_stat shows
 * KVM's counters. */
#include "render/render.h"

/* What the last frame showed, to take rates from. */
struct _KvmmmuTopFrame {
  guint frames;
  guint64 last_ts;
  KvmmmuLiveCounts all;
  GHashTable *loads; /* "kvm vcpu" key (KvmmmuLiveVcpu) -> its loads then, borrowed keys */
};

KvmmmuTopFrame *
kvmmmu_top_frame_new(void)
{
  KvmmmuTopFrame *f = g_new0(KvmmmuTopFrame, 1);

  f->loads = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  return f;
}

void
kvmmmu_top_frame_free(KvmmmuTopFrame *f)
{
  if (!f)
    return;
  g_hash_table_unref(f->loads);
  g_free(f);
}

static guint64
loads_of(const KvmmmuLiveCounts *n)
{
  return n->loads + n->load_rate_loads;
}

/* "%10.1f" of (now - then) per second of dt_ns, "-" without time. */
static void
rate(GString *out, guint64 now, guint64 then, guint64 dt_ns)
{
  if (!dt_ns || now < then)
    g_string_append_printf(out, " %10s", "-");
  else
    g_string_append_printf(out, " %10.1f", (double)(now - then) * 1e9 / (double)dt_ns);
}

static void
latency(GString *out, const char *name, guint64 ns)
{
  if (ns >= 1000000)
    g_string_append_printf(out, "  %s %.1f ms", name, ns / 1e6);
  else if (ns >= 1000)
    g_string_append_printf(out, "  %s %.1f us", name, ns / 1e3);
  else
    g_string_append_printf(out, "  %s %" G_GUINT64_FORMAT " ns", name, ns);
}

static void
total_row(GString *out, const char *name, guint64 now, guint64 then, guint64 dt_ns)
{
  g_string_append_printf(out, "%-14s %12" G_GUINT64_FORMAT, name, now);
  rate(out, now, then, dt_ns);
  g_string_append_c(out, '\n');
}

static void
hit_ratio(GString *out, guint64 hits, guint64 misses)
{
  if (hits + misses)
    g_string_append_printf(out, " %6.1f", 100.0 * (double)hits / (double)(hits + misses));
  else
    g_string_append_printf(out, " %6s", "-");
}

void
kvmmmu_render_top_frame(GString *out, KvmmmuTopFrame *f, const KvmmmuLive *live,
                        const KvmmmuStats *stats, guint max_vcpus)
{
  const KvmmmuLiveCounts *a = &live->all, *p = &f->all;
  guint64 since = f->last_ts ? f->last_ts : live->first_ts;
  guint64 dt = live->last_ts > since ? live->last_ts - since : 0;
  g_autoptr(GPtrArray) vcpus = kvmmmu_live_vcpus_sorted(live);
  guint shown = MIN(vcpus->len, max_vcpus);

  g_string_append_printf(out, "kvmmmu-report top: %s on %s, %.1f s of trace, %" G_GUINT64_FORMAT
                         " records; rates per second over the last %.1f s of it\n",
                         live->script[0] ? live->script : "(no header yet)",
                         live->release[0] ? live->release : "-",
                         live->last_ts > live->first_ts ? (live->last_ts - live->first_ts) / 1e9 : 0.0,
                         stats->event_records, dt / 1e9);
  g_string_append_printf(out, "%-14s %12s %10s\n", "", "total", "/s");
  if (a->walks || a->steps) {
    total_row(out, "walks", a->walks, p->walks, dt);
    total_row(out, "steps", a->steps, p->steps, dt);
    total_row(out, "pages", a->pages, p->pages, dt);
    if (a->walks)
      g_string_append_printf(out, "%-14s %12.2f\n", "pages/walk", (double)a->pages / (double)a->walks);
  }
  if (loads_of(a) || a->switches) {
    total_row(out, "loads", loads_of(a), loads_of(p), dt);
    total_row(out, "switches", a->switches, p->switches, dt);
    if (a->hits + a->misses) {
      g_string_append_printf(out, "%-14s", "prev_roots hit");
      g_string_append_printf(out, " %11.1f%%", 100.0 * (double)a->hits / (double)(a->hits + a->misses));
      g_string_append_printf(out, "  (%" G_GUINT64_FORMAT " hits, %" G_GUINT64_FORMAT " misses)\n",
                             a->hits, a->misses);
    }
  }
  if (a->loads) {
    g_string_append_printf(out, "%-14s", "load latency");
    latency(out, "p50", kvmmmu_live_latency_quantile(live, 0.50));
    latency(out, "p90", kvmmmu_live_latency_quantile(live, 0.90));
    latency(out, "p99", kvmmmu_live_latency_quantile(live, 0.99));
    latency(out, "max", live->lat_max);
    g_string_append_c(out, '\n');
  }
  if (vcpus->len) {
    g_string_append_printf(out, "\n%-18s %6s %10s %12s %12s %6s\n", "kvm", "vcpu", "loads/s", "loads",
                           "switches", "hit%");
    for (guint i = 0; i < shown; i++) {
      const KvmmmuLiveVcpu *v = g_ptr_array_index(vcpus, i);
      const guint64 *then = g_hash_table_lookup(f->loads, v);

      g_string_append_printf(out, "%-18" G_GINT64_MODIFIER "x %6u", v->kvm, v->vcpu);
      rate(out, loads_of(&v->n), then ? *then : 0, dt);
      g_string_append_printf(out, " %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT, loads_of(&v->n),
                             v->n.switches);
      hit_ratio(out, v->n.hits, v->n.misses);
      g_string_append_c(out, '\n');
    }
    if (vcpus->len > shown)
      g_string_append_printf(out, "(%u more vCPUs)\n", vcpus->len - shown);
    if (live->vcpus_over)
      g_string_append_printf(out, "(%" G_GUINT64_FORMAT " records of vCPUs past the first %u: in "
                             "the totals only)\n", live->vcpus_over, KVMMMU_LIVE_VCPUS_MAX);
  }
  g_string_append_c(out, '\n');
  if (kvmmmu_stats_lossy(stats))
    kvmmmu_render_loss_note(out, stats);
  else
    g_string_append(out, "lost: nothing\n");

  /* What this frame showed, for the next one's rates. */
  f->frames++;
  f->last_ts = live->last_ts;
  f->all = *a;
  for (guint i = 0; i < vcpus->len; i++) {
    const KvmmmuLiveVcpu *v = g_ptr_array_index(vcpus, i);
    guint64 *then = g_hash_table_lookup(f->loads, v);

    if (!then) {
      then = g_new(guint64, 1);
      g_hash_table_insert(f->loads, (gpointer)v, then);
    }
    *then = loads_of(&v->n);
  }
}

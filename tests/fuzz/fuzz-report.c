/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: any bytes through the reader and every command's
 * model and renderer.  Nothing may crash, leak or read out of bounds, and
 * the reader's fast path must give what the full parser gives. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/hist.h"
#include "model/roots.h"
#include "model/stats.h"
#include "model/walks.h"
#include "reader/reader.h"
#include "render/render.h"
#include "record-log.h"

typedef struct {
  GString *out;
  guint64 origin;
  const KvmmmuKernelLayout *layout;
  KvmmmuKernelLayout store;
} Sink;

static void
on_walk(const KvmmmuWalkTree *t, gpointer data)
{
  Sink *s = data;
  g_autoptr(KvmmmuJson) node = kvmmmu_render_walk_json(t, s->origin, s->layout);
  g_autofree char *json = kvmmmu_render_json_to_string(node, FALSE);

  kvmmmu_render_walk_dump(s->out, t);
  kvmmmu_render_walk_violations(s->out, t);
  kvmmmu_render_walk_tree(s->out, t, s->origin, s->layout);
  kvmmmu_render_walk_csv(s->out, t, s->origin, s->layout);
  g_string_truncate(s->out, 0);
}

static void
on_snapshot(const KvmmmuRootSnapshot *snap, gpointer data)
{
  Sink *s = data;
  g_autoptr(KvmmmuJson) node = kvmmmu_render_snapshot_json(snap, s->origin);

  kvmmmu_render_snapshot_text(s->out, snap, s->origin, TRUE);
  g_string_truncate(s->out, 0);
}

static void
ignore(const char *message, gpointer data)
{
}

static void
log_message(const char *message, gpointer data)
{
  g_string_append_printf(data, "msg %s\n", message);
}

/* Everything the reader gives for data, with the fast path on or off. */
static GString *
read_log(const uint8_t *data, size_t size, gboolean fast)
{
  GString *log = g_string_new("");
  KvmmmuDiag *diag = kvmmmu_diag_new(log_message, log);
  KvmmmuReader *r;
  const KvmmmuRecord *rec;
  GError *error = NULL;
  KvmmmuReadStatus st;

  g_setenv("KVMMMU_FASTPARSE", fast ? "1" : "0", TRUE);
  r = kvmmmu_reader_new_for_data("fuzz", (const char *)data, size, diag, FALSE);
  while ((st = kvmmmu_reader_next_ref(r, &rec, &error)) == KVMMMU_READ_RECORD)
    kvmmmu_test_log_record(log, rec);
  g_string_append_printf(log, "status %d %s\n", st, error ? error->message : "");
  g_clear_error(&error);
  kvmmmu_reader_free(r);
  kvmmmu_diag_free(diag);
  g_unsetenv("KVMMMU_FASTPARSE");
  return log;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  Sink sink = { g_string_new(""), 0, NULL };
  KvmmmuDiag *diag = kvmmmu_diag_new(ignore, NULL);
  KvmmmuReader *r = kvmmmu_reader_new_for_data("fuzz", (const char *)data, size, diag, FALSE);
  KvmmmuWalks *walks = kvmmmu_walks_new(on_walk, &sink);
  KvmmmuRoots *roots = kvmmmu_roots_new(on_snapshot, &sink);
  KvmmmuStats *stats = kvmmmu_stats_new();
  KvmmmuHist *lat = kvmmmu_hist_new_log();
  KvmmmuHist *lin = kvmmmu_hist_new_linear(0, 100, 10, NULL);
  KvmmmuRate *rate = NULL;
  KvmmmuRecord rec;
  GError *error = NULL;

  while (kvmmmu_reader_next(r, &rec, &error) == KVMMMU_READ_RECORD) {
    if (rec.kind == KVMMMU_RECORD_HEADER) {
      sink.origin = rec.u.header.start_ns;
      sink.layout = kvmmmu_layout_builtin(rec.u.header.release, &sink.store) ? &sink.store : NULL;
      if (rate)
        kvmmmu_rate_free(rate);
      rate = kvmmmu_rate_new(sink.origin, 1000000);
    }
    kvmmmu_stats_add(stats, &rec);
    kvmmmu_walks_add(walks, &rec);
    kvmmmu_roots_add(roots, &rec);
    if (rec.kind == KVMMMU_RECORD_LOAD) {
      kvmmmu_hist_add(lat, (gint64)MIN(rec.u.Load.dur_ns, (guint64)G_MAXINT64));
      kvmmmu_hist_add(lin, rec.u.Load.ret);
      kvmmmu_rate_add(rate, rec.ts_ns, 1);
    }
  }
  g_clear_error(&error);
  kvmmmu_walks_finish(walks);
  kvmmmu_roots_finish(roots);

  kvmmmu_render_roots_text(sink.out, roots, 1000, sink.layout);
  kvmmmu_render_roots_csv(sink.out, roots, 1000);
  kvmmmu_json_free(kvmmmu_render_roots_json(roots, 1000, sink.layout, NULL));
  kvmmmu_render_hist_stap(sink.out, lat);
  kvmmmu_render_hist_stap(sink.out, lin);
  kvmmmu_render_hist_stats(sink.out, lat);
  kvmmmu_render_hist_csv(sink.out, lin);
  kvmmmu_json_free(kvmmmu_render_hist_json(lin, "x", "y"));
  kvmmmu_render_summary_text(sink.out, stats, 0, kvmmmu_diag_count(diag));
  kvmmmu_render_summary_csv(sink.out, stats, 0, 0);
  kvmmmu_json_free(kvmmmu_render_summary_json(stats, 0, 0));

  if (rate)
    kvmmmu_rate_free(rate);
  kvmmmu_hist_free(lat);
  kvmmmu_hist_free(lin);
  kvmmmu_stats_free(stats);
  kvmmmu_roots_free(roots);
  kvmmmu_walks_free(walks);
  kvmmmu_reader_free(r);
  kvmmmu_diag_free(diag);
  g_string_free(sink.out, TRUE);

  GString *fast = read_log(data, size, TRUE), *full = read_log(data, size, FALSE);
  if (!g_string_equal(fast, full)) {
    fprintf(stderr, "fast path and full parser differ:\nfast:\n%s\nfull:\n%s\n", fast->str,
            full->str);
    abort();
  }
  g_string_free(fast, TRUE);
  g_string_free(full, TRUE);
  return 0;
}

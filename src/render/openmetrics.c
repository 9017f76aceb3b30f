/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * openmetrics.c - the OpenMetrics text exposition of summary, roots and
 * cache, for a node_exporter textfile collector (docs/openmetrics.md).
 *
 * Every family's samples come together, after its TYPE, UNIT and HELP
 * lines, as the format requires; times are in seconds; counts are the
 * model's own integers, printed whole.  HELP texts hold no backslash,
 * quote or line break, so that OpenMetrics and the older Prometheus text
 * format (which escapes no quote in HELP) read them alike.
 */
#include <string.h>

#include "render/render-private.h"

/* Event kinds in the order records.h lists them. */
static const KvmmmuRecordKind event_kinds[] = {
#define X_KIND(E, kw, N, F, I, M) KVMMMU_RECORD_##E,
  KVMMMU_EVENT_KINDS(X_KIND)
#undef X_KIND
};

/* The latency histograms' bucket bounds: le = 2^k - 1 ns for these k.
 * Each is the top of one of the model's @hist_log buckets ([2^(k-1),
 * 2^k) ns; durations are whole ns), so a cumulative count up to it is
 * exact; the other @hist_log bounds are left out to keep a family short,
 * which loses no count (a cumulative bucket takes in those below it).
 * 2^8 - 1 = 255 ns: well below the fastest sync or load (microseconds);
 * 2^32 - 1 ns = 4.29 s: longer than a load or sync takes without the
 * vCPU being stuck, and slower ones are still in +Inf and _count. */
#define LE_MIN_LOG2 8
#define LE_MAX_LOG2 32

/* "capture",... label names and values, escaped, of each capture listed,
 * from capture 1 on: `capture="1",host="h",kernel="k"`. */
typedef struct {
  GPtrArray *labels; /* char * */
} Captures;

/* A label value as OpenMetrics quotes it: backslash, double quote and
 * line feed escaped; text that is not UTF-8 made so (U+FFFD for each bad
 * byte run), as the format is UTF-8. */
static void
put_label(GString *out, const char *name, const char *value)
{
  g_autofree char *valid = g_utf8_make_valid(value, -1);

  g_string_append_printf(out, "%s=\"", name);
  for (const char *p = valid; *p; p++) {
    switch (*p) {
    case '\\': g_string_append(out, "\\\\"); break;
    case '"':  g_string_append(out, "\\\""); break;
    case '\n': g_string_append(out, "\\n"); break;
    default:   g_string_append_c(out, *p);
    }
  }
  g_string_append_c(out, '"');
}

static void
captures_init(Captures *c, const KvmmmuStats *s)
{
  KvmmmuCapture cap;

  c->labels = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    GString *l = g_string_new("");

    kvmmmu_stats_get_capture(s, i, &cap);
    g_string_append_printf(l, "capture=\"%u\",", cap.index);
    put_label(l, "host", cap.header.host);
    g_string_append_c(l, ',');
    put_label(l, "kernel", cap.header.release);
    g_ptr_array_add(c->labels, g_string_free(l, FALSE));
  }
}

/* The labels of capture index (1-based); one past those listed names no
 * host or kernel: its header was not kept. */
static void
captures_put(GString *out, const Captures *c, guint index)
{
  if (index >= 1 && index <= c->labels->len)
    g_string_append(out, g_ptr_array_index(c->labels, index - 1));
  else
    g_string_append_printf(out, "capture=\"%u\",host=\"\",kernel=\"\"", index);
}

static void
captures_clear(Captures *c)
{
  g_ptr_array_unref(c->labels);
}

/* A family's metadata.  unit: NULL when it has none. */
static void
family(GString *out, const char *name, const char *type, const char *unit, const char *help)
{
  g_string_append_printf(out, "# TYPE %s %s\n", name, type);
  if (unit)
    g_string_append_printf(out, "# UNIT %s %s\n", name, unit);
  g_string_append_printf(out, "# HELP %s %s\n", name, help);
}

/* name{labels} (no braces when labels is empty) and the rest of a sample
 * line is the caller's: the value and '\n'. */
static void
sample_begin(GString *out, const char *name, const char *suffix, const char *labels)
{
  g_string_append(out, name);
  g_string_append(out, suffix);
  if (labels && *labels)
    g_string_append_printf(out, "{%s}", labels);
  g_string_append_c(out, ' ');
}

static void
sample_u64(GString *out, const char *name, const char *suffix, const char *labels, guint64 v)
{
  sample_begin(out, name, suffix, labels);
  g_string_append_printf(out, "%" G_GUINT64_FORMAT "\n", v);
}

/* ns as seconds, exactly: whole ns print as nine decimals. */
static void
put_seconds(GString *out, guint64 ns)
{
  g_string_append_printf(out, "%" G_GUINT64_FORMAT ".%09u", ns / 1000000000u,
                         (guint)(ns % 1000000000u));
}

static void
sample_seconds(GString *out, const char *name, const char *suffix, const char *labels, guint64 ns)
{
  sample_begin(out, name, suffix, labels);
  put_seconds(out, ns);
  g_string_append_c(out, '\n');
}

static void
sample_double(GString *out, const char *name, const char *suffix, const char *labels, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  sample_begin(out, name, suffix, labels);
  g_string_append_printf(out, "%s\n", g_ascii_dtostr(buf, sizeof buf, v));
}

/* A family with one unlabelled sample. */
static void
single(GString *out, const char *name, const char *type, const char *help, guint64 v)
{
  family(out, name, type, NULL, help);
  sample_u64(out, name, strcmp(type, "counter") == 0 ? "_total" : "", "", v);
}

/* One latency histogram a row of a table (causes, places): name{key=row}.
 * Bucket k of an @hist_log holds [2^(k-1), 2^k) ns (bucket 0: 0 ns);
 * values past 2^63 - 1 ns are only in +Inf, _count and _sum. */
static void
latency_histogram(GString *out, const char *name, const char *help, const char *key,
                  KvmmmuHist *const *hists, const guint64 *totals, guint n,
                  const char *(*row_name)(guint))
{
  family(out, name, "histogram", "seconds", help);
  for (guint i = 0; i < n; i++) {
    const KvmmmuHist *h = hists[i];
    g_autoptr(GString) row = g_string_new("");
    guint64 cum = 0, count = kvmmmu_count_add(h->count, h->too_large);
    guint b = KVMMMU_HIST_LOG_BUCKET0;

    put_label(row, key, row_name(i));
    for (guint k = LE_MIN_LOG2; k <= LE_MAX_LOG2; k++) {
      g_autoptr(GString) labels = g_string_new(row->str);

      for (; b <= KVMMMU_HIST_LOG_BUCKET0 + k; b++)
        cum += h->buckets[b];
      g_string_append(labels, ",le=\"");
      put_seconds(labels, ((guint64)1 << k) - 1);
      g_string_append_c(labels, '"');
      sample_u64(out, name, "_bucket", labels->str, cum);
    }
    {
      g_autofree char *labels = g_strdup_printf("%s,le=\"+Inf\"", row->str);

      sample_u64(out, name, "_bucket", labels, count);
    }
    sample_u64(out, name, "_count", row->str, count);
    sample_seconds(out, name, "_sum", row->str, totals[i]);
  }
}

/* One counter or gauge a capture listed, from a member of KvmmmuCapture
 * (read by get). */
typedef guint64 (*CaptureValue)(const KvmmmuCapture *c);

static void
per_capture(GString *out, const KvmmmuStats *s, const Captures *caps, const char *name,
            const char *type, const char *help, CaptureValue get)
{
  KvmmmuCapture c;
  gboolean counter = strcmp(type, "counter") == 0;

  family(out, name, type, NULL, help);
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    sample_u64(out, name, counter ? "_total" : "", g_ptr_array_index(caps->labels, i), get(&c));
  }
}

#define CAPTURE_VALUE(fn, expr) \
  static guint64 fn(const KvmmmuCapture *c) { return (expr); }
CAPTURE_VALUE(cap_pages, c->pages)
CAPTURE_VALUE(cap_walks_full, c->walks_full)
CAPTURE_VALUE(cap_vcpus, c->n_vcpus)
CAPTURE_VALUE(cap_cpus, c->n_cpus)
CAPTURE_VALUE(cap_ended, c->have_end)
CAPTURE_VALUE(cap_seq_missing, c->seq_missing)
CAPTURE_VALUE(cap_lost, kvmmmu_capture_records_lost(c))
CAPTURE_VALUE(cap_lines_skipped, c->lines_skipped)
CAPTURE_VALUE(cap_seq_repeated, c->seq_repeated)
CAPTURE_VALUE(cap_seq_unchecked, c->seq_unchecked)
CAPTURE_VALUE(cap_vcpu_records_over, c->vcpu_records_over)
#undef CAPTURE_VALUE

/* A trailer's count, for the captures that have one: one without says
 * nothing of it, so has no sample. */
static void
per_trailer(GString *out, const KvmmmuStats *s, const Captures *caps, const char *name,
            const char *help, gsize offset)
{
  KvmmmuCapture c;

  family(out, name, "counter", NULL, help);
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    if (c.have_end)
      sample_u64(out, name, "_total", g_ptr_array_index(caps->labels, i),
                 G_STRUCT_MEMBER(guint64, &c.end, offset));
  }
}

void
kvmmmu_render_summary_openmetrics(GString *out, const KvmmmuStats *s, guint64 bad_lines,
                                  const KvmmmuCache *causes)
{
  Captures caps;
  KvmmmuCapture c;

  captures_init(&caps, s);
  single(out, "kvmmmu_captures", "gauge", "Captures read (a header line each).", s->captures);
  single(out, "kvmmmu_captures_not_listed", "gauge",
         "Captures past the first 4096: without series of their own, counted in the "
         "unlabelled ones.",
         kvmmmu_stats_captures_unlisted(s));
  family(out, "kvmmmu_capture_info", "gauge", NULL,
         "A capture read: its number, host, kernel release, script and build id; always 1.");
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    g_autoptr(GString) l = g_string_new(g_ptr_array_index(caps.labels, i));

    kvmmmu_stats_get_capture(s, i, &c);
    g_string_append_c(l, ',');
    put_label(l, "script", c.header.script);
    g_string_append_c(l, ',');
    put_label(l, "build_id", c.header.build_id);
    sample_u64(out, "kvmmmu_capture_info", "", l->str, 1);
  }
  family(out, "kvmmmu_capture_start_time_seconds", "gauge", "seconds",
         "When the capture began, in seconds since the Epoch (its header's clock).");
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    sample_seconds(out, "kvmmmu_capture_start_time_seconds", "",
                   g_ptr_array_index(caps.labels, i), c.header.start_ns);
  }
  family(out, "kvmmmu_capture_duration_seconds", "gauge", "seconds",
         "From the capture's start to its trailer, or to its last record without one.");
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    sample_seconds(out, "kvmmmu_capture_duration_seconds", "",
                   g_ptr_array_index(caps.labels, i), kvmmmu_capture_span_ns(&c));
  }
  per_capture(out, s, &caps, "kvmmmu_capture_ended", "gauge",
              "1 when the capture ended with its trailer (stap exited cleanly), else 0.",
              cap_ended);
  family(out, "kvmmmu_records", "counter", NULL, "Event records read, by kind.");
  for (guint i = 0; i < kvmmmu_stats_captures_listed(s); i++) {
    kvmmmu_stats_get_capture(s, i, &c);
    for (guint k = 0; k < G_N_ELEMENTS(event_kinds); k++) {
      g_autoptr(GString) l = g_string_new(g_ptr_array_index(caps.labels, i));

      g_string_append_c(l, ',');
      put_label(l, "kind", kvmmmu_kind_name(event_kinds[k]));
      sample_u64(out, "kvmmmu_records", "_total", l->str, c.per_kind[event_kinds[k]]);
    }
  }
  per_capture(out, s, &caps, "kvmmmu_walk_pages", "counter",
              "Pages the recorded mmu_unsync_walk calls gathered.", cap_pages);
  per_capture(out, s, &caps, "kvmmmu_walks_full", "counter",
              "Walks whose 16-page array was full (mmu_unsync_walk returned -ENOSPC).",
              cap_walks_full);
  per_capture(out, s, &caps, "kvmmmu_vcpus", "gauge", "vCPUs seen in the capture.", cap_vcpus);
  per_capture(out, s, &caps, "kvmmmu_cpus", "gauge", "CPUs that wrote records.", cap_cpus);
  per_trailer(out, s, &caps, "kvmmmu_probe_hits",
              "Probe hits the capture's trailer counts (captures with a trailer).",
              G_STRUCT_OFFSET(KvmmmuEnd, hits));
  per_trailer(out, s, &caps, "kvmmmu_records_written",
              "Records the capture's trailer says were written.",
              G_STRUCT_OFFSET(KvmmmuEnd, records));
  per_trailer(out, s, &caps, "kvmmmu_records_faulted",
              "Records the trailer says were dropped on kernel read faults.",
              G_STRUCT_OFFSET(KvmmmuEnd, faults));
  per_trailer(out, s, &caps, "kvmmmu_probe_hits_skipped",
              "Probe hits the script chose not to record, by its trailer: not a loss.",
              G_STRUCT_OFFSET(KvmmmuEnd, skipped));
  per_capture(out, s, &caps, "kvmmmu_records_lost", "counter",
              "Records the trailer counts as written that did not arrive.", cap_lost);
  per_capture(out, s, &caps, "kvmmmu_records_missing", "counter",
              "Records missing by the gaps in each CPU's sequence numbers.", cap_seq_missing);
  per_capture(out, s, &caps, "kvmmmu_lines_skipped", "counter",
              "Event lines that arrived but could not be read (bad lines).", cap_lines_skipped);
  per_capture(out, s, &caps, "kvmmmu_records_repeated", "counter",
              "Records not counted: their sequence number not above their CPU's last.",
              cap_seq_repeated);
  per_capture(out, s, &caps, "kvmmmu_records_seq_unchecked", "counter",
              "Lines from CPUs numbered 8192 or above: their sequence is not checked.",
              cap_seq_unchecked);
  per_capture(out, s, &caps, "kvmmmu_records_vcpus_not_counted", "counter",
              "Records of vCPUs past the first 16384 of a capture: those vCPUs not counted.",
              cap_vcpu_records_over);
  single(out, "kvmmmu_bad_lines", "counter", "Lines of the input that could not be read, in all.",
         bad_lines);
  single(out, "kvmmmu_bulk_flushes_missing", "counter",
         "stap -b flushes missing from their sequence.", s->bulk_missing);
  single(out, "kvmmmu_stap_errors", "counter", "Errors SystemTap reported.", s->stap_errors);
  single(out, "kvmmmu_stap_skipped_probes", "counter", "Probes SystemTap reported it skipped.",
         s->stap_skipped);
  single(out, "kvmmmu_stap_transport_failures", "counter",
         "Transport failures SystemTap reported.", s->stap_transport_failures);
  latency_histogram(out, "kvmmmu_root_load_latency_seconds",
                    "kvm_mmu_load latency of the loads that built a root, by why the root had "
                    "to be built, over every capture read.",
                    "cause", causes->cause_ns, causes->cause_total_ns, KVMMMU_LOAD_N_CAUSES,
                    kvmmmu_render_cause_row_name);
  single(out, "kvmmmu_root_load_failures", "counter",
         "kvm_mmu_load calls that returned an error and built no root.", causes->failed_loads);
  single(out, "kvmmmu_root_loads_not_classified", "counter",
         "Loads of vCPUs past the first 4096, not in the latency histogram.",
         causes->loads_overflow);
  latency_histogram(out, "kvmmmu_root_sync_latency_seconds",
                    "kvm_mmu_sync_roots latency by where it ran, over every capture read.",
                    "place", causes->sync_ns, causes->sync_total_ns, KVMMMU_SYNC_N_PLACES,
                    kvmmmu_render_place_row_name);
  single(out, "kvmmmu_root_syncs_not_classified", "counter",
         "Syncs of vCPUs past the first 4096, not in the latency histogram.",
         causes->syncs_overflow);
  g_string_append(out, "# EOF\n");
  captures_clear(&caps);
}

/* A vCPU's counts by result: name_total{labels,result="names[k]"} n[k]. */
static void
by_result(GString *out, const char *name, const char *labels, const guint64 *n,
          const char *const *names, guint count)
{
  for (guint k = 0; k < count; k++) {
    g_autofree char *l = g_strdup_printf("%s,result=\"%s\"", labels, names[k]);

    sample_u64(out, name, "_total", l, n[k]);
  }
}

/* The labels of a vCPU: its capture's, then kvm, vm and vcpu. */
static char *
vcpu_labels(const Captures *caps, guint capture, guint64 kvm, guint vm, guint32 vcpu)
{
  GString *l = g_string_new("");

  captures_put(l, caps, capture);
  g_string_append_printf(l, ",kvm=\"" X64 "\",vm=\"%u\",vcpu=\"%u\"", kvm, vm, vcpu);
  return g_string_free(l, FALSE);
}

/* roots' per-vCPU families: a counter, or a gauge, of a count or of ns
 * (written in seconds). */
typedef struct {
  const char *name, *type, *help;
  gboolean ns;
  guint64 (*get)(const KvmmmuVcpuRoots *v);
} RootsFamily;

#define ROOTS_VALUE(fn, expr) \
  static guint64 fn(const KvmmmuVcpuRoots *c) { return (expr); }
ROOTS_VALUE(roots_loads, c->loads)
ROOTS_VALUE(roots_failures, c->load_failures)
ROOTS_VALUE(roots_counted, c->counted_loads)
ROOTS_VALUE(roots_fresh, c->fresh)
ROOTS_VALUE(roots_returning, c->returning)
ROOTS_VALUE(roots_distinct, g_hash_table_size(c->distinct) + c->distinct_overflow)
ROOTS_VALUE(roots_load_ns, c->dur_total_ns)
ROOTS_VALUE(roots_max_ns, c->dur_max_ns)
#undef ROOTS_VALUE

static const RootsFamily roots_families[] = {
  { "kvmmmu_vcpu_root_loads", "counter",
    "kvm_mmu_load calls recorded one by one (load records).", FALSE, roots_loads },
  { "kvmmmu_vcpu_root_load_failures", "counter",
    "kvm_mmu_load calls that returned an error.", FALSE, roots_failures },
  { "kvmmmu_vcpu_root_loads_counted", "counter",
    "kvm_mmu_load calls counted in the kernel (load_rate records).", FALSE, roots_counted },
  { "kvmmmu_vcpu_root_loads_fresh", "counter",
    "Loads that gave a root this vCPU never had.", FALSE, roots_fresh },
  { "kvmmmu_vcpu_root_loads_returning", "counter",
    "Loads that gave a root this vCPU had before.", FALSE, roots_returning },
  { "kvmmmu_vcpu_distinct_roots", "gauge",
    "Distinct roots the loads of this vCPU gave.", FALSE, roots_distinct },
  { "kvmmmu_vcpu_root_load_seconds", "counter",
    "Time in the recorded kvm_mmu_load calls.", TRUE, roots_load_ns },
  { "kvmmmu_vcpu_root_load_max_seconds", "gauge",
    "The longest recorded kvm_mmu_load call.", TRUE, roots_max_ns },
};

void
kvmmmu_render_roots_openmetrics(GString *out, const KvmmmuRoots *r, const KvmmmuStats *s)
{
  g_autoptr(GPtrArray) v = kvmmmu_roots_sorted(r);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
  Captures caps;

  captures_init(&caps, s);
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);

    g_ptr_array_add(labels, vcpu_labels(&caps, c->capture, c->kvm, c->vm_index, c->vcpu));
  }
  for (guint f = 0; f < G_N_ELEMENTS(roots_families); f++) {
    const RootsFamily *fam = &roots_families[f];
    const char *suffix = strcmp(fam->type, "counter") == 0 ? "_total" : "";

    family(out, fam->name, fam->type, fam->ns ? "seconds" : NULL, fam->help);
    for (guint i = 0; i < v->len; i++) {
      guint64 value = fam->get(g_ptr_array_index(v, i));

      if (fam->ns)
        sample_seconds(out, fam->name, suffix, g_ptr_array_index(labels, i), value);
      else
        sample_u64(out, fam->name, suffix, g_ptr_array_index(labels, i), value);
    }
  }
  family(out, "kvmmmu_vcpu_root_switches", "counter", NULL,
         "Guest root switches by what KVM's prev_roots cache gave (result): hit, miss or "
         "unknown.");
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuRoots *c = g_ptr_array_index(v, i);
    const guint64 n[] = { c->switch_hit, c->switch_miss, c->switch_unknown };
    const char *const result[] = { "hit", "miss", "unknown" };

    by_result(out, "kvmmmu_vcpu_root_switches", g_ptr_array_index(labels, i), n, result,
              G_N_ELEMENTS(n));
  }
  single(out, "kvmmmu_roots_records_not_kept", "counter",
         "Records of vCPUs past the first 16384, or of VMs past the first 4096 of their "
         "capture: not in the vCPU series.",
         kvmmmu_count_add(r->untracked_records, r->untracked_vm_records));
  g_string_append(out, "# EOF\n");
  captures_clear(&caps);
}

void
kvmmmu_render_cache_openmetrics(GString *out, const KvmmmuCache *cache, const KvmmmuStats *s)
{
  g_autoptr(GPtrArray) v = g_ptr_array_new();
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
  Captures caps;

  captures_init(&caps, s);
  /* the vCPUs that switched, as the other formats list them */
  for (guint i = 0; i < cache->vcpus->len; i++) {
    KvmmmuVcpuCache *c = g_ptr_array_index(cache->vcpus, i);

    if (!c->switches)
      continue;
    g_ptr_array_add(v, c);
    g_ptr_array_add(labels, vcpu_labels(&caps, c->capture, c->kvm, c->vm_index, c->vcpu));
  }
  single(out, "kvmmmu_prev_roots_kernel_size", "gauge",
         "KVM_MMU_NUM_PREV_ROOTS: the kernel's prev_roots size, the N the model is checked at.",
         cache->kernel_n);
  family(out, "kvmmmu_vcpu_guest_root_switches", "counter", NULL,
         "Guest root switches the prev_roots model replayed.");
  for (guint i = 0; i < v->len; i++)
    sample_u64(out, "kvmmmu_vcpu_guest_root_switches", "_total", g_ptr_array_index(labels, i),
               ((KvmmmuVcpuCache *)g_ptr_array_index(v, i))->switches);
  family(out, "kvmmmu_vcpu_guest_root_first_uses", "counter", NULL,
         "Switches to a root for the first time in the capture: no cache size could hit.");
  for (guint i = 0; i < v->len; i++)
    sample_u64(out, "kvmmmu_vcpu_guest_root_first_uses", "_total", g_ptr_array_index(labels, i),
               ((KvmmmuVcpuCache *)g_ptr_array_index(v, i))->first_uses);
  {
    static const char *const names[] = {
      "kvmmmu_vcpu_prev_roots_model_hits", "kvmmmu_vcpu_prev_roots_model_misses",
      "kvmmmu_vcpu_prev_roots_model_saved_seconds",
    };
    static const char *const helps[] = {
      "Switches that would hit with prev_roots previous roots cached.",
      "Switches that would miss with prev_roots previous roots cached.",
      "Load time the hits with prev_roots previous roots would save against the kernel's "
      "size, at the mean latency of a load after a miss; negative: cost.",
    };

    for (guint f = 0; f < G_N_ELEMENTS(names); f++) {
      family(out, names[f], f < 2 ? "counter" : "gauge", f < 2 ? NULL : "seconds", helps[f]);
      for (guint i = 0; i < v->len; i++) {
        const KvmmmuVcpuCache *c = g_ptr_array_index(v, i);

        for (guint n = 1; n <= KVMMMU_CACHE_MAX_N; n++) {
          guint64 hits = kvmmmu_vcpu_cache_hits(c, n);
          g_autofree char *l = g_strdup_printf("%s,prev_roots=\"%u\"",
                                               (char *)g_ptr_array_index(labels, i), n);

          if (f == 0)
            sample_u64(out, names[f], "_total", l, hits);
          else if (f == 1)
            sample_u64(out, names[f], "_total", l, c->switches - hits);
          else
            sample_double(out, names[f], "", l,
                          kvmmmu_vcpu_cache_saved_ns(c, n, cache->kernel_n) / 1e9);
        }
      }
    }
  }
  family(out, "kvmmmu_vcpu_prev_roots_model_checks", "counter", NULL,
         "The model at the kernel's size against each switch's recorded result: agree, "
         "differ, or warm (a kernel hit on a root cached before the capture began).");
  for (guint i = 0; i < v->len; i++) {
    const KvmmmuVcpuCache *c = g_ptr_array_index(v, i);
    const guint64 n[] = { c->agree, c->differ, c->warm };
    const char *const verdict[] = { "agree", "differ", "warm" };

    by_result(out, "kvmmmu_vcpu_prev_roots_model_checks", g_ptr_array_index(labels, i), n,
              verdict, G_N_ELEMENTS(n));
  }
  single(out, "kvmmmu_prev_roots_switches_not_modelled", "counter",
         "Switches of vCPUs past the first 4096: not in the model.", cache->vcpus_overflow);
  g_string_append(out, "# EOF\n");
  captures_clear(&caps);
}

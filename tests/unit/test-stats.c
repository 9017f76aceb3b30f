/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a capture holds and lost: per-CPU seq, its bounds, counts that
 * must not wrap. */
#include "model/stats.h"

static void
header(KvmmmuStats *s, guint64 start_ns)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_HEADER, .file = "t.trace" };

  rec.u.header.start_ns = start_ns;
  g_assert_cmpint(kvmmmu_stats_add(s, &rec), ==, KVMMMU_STATS_COUNTED);
}

static KvmmmuStatsVerdict
load(KvmmmuStats *s, guint32 cpu, guint64 seq)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_LOAD, .ts_ns = 2000, .cpu = cpu, .seq = seq };

  rec.u.Load.kvm = 0xffff1;
  return kvmmmu_stats_add(s, &rec);
}

/* A record whose seq is not above its CPU's last is not counted: the same
 * line three times counts once.  A walk dropped so takes its steps along. */
static void
test_seq_not_above(void)
{
  g_autoptr(KvmmmuStats) s = kvmmmu_stats_new();
  KvmmmuRecord walk = { .kind = KVMMMU_RECORD_WALK, .cpu = 3, .seq = 2 };
  KvmmmuRecord step = { .kind = KVMMMU_RECORD_STEP, .cpu = 3, .seq = 5 };
  KvmmmuCapture c;

  header(s, 1000);
  g_assert_cmpint(load(s, 1, 1), ==, KVMMMU_STATS_COUNTED);
  g_assert_cmpint(load(s, 1, 1), ==, KVMMMU_STATS_SEQ_NOT_ABOVE);
  g_assert_cmpint(load(s, 1, 1), ==, KVMMMU_STATS_SEQ_NOT_ABOVE);
  g_assert_cmpint(load(s, 1, 2), ==, KVMMMU_STATS_COUNTED);
  g_assert_cmpuint(s->per_kind[KVMMMU_RECORD_LOAD], ==, 2);
  g_assert_cmpuint(s->seq_repeated, ==, 2);
  g_assert_cmpuint(kvmmmu_stats_cpu_last_seq(s, 1), ==, 2);
  /* seq 0 is no seq of a record (they count from 1) */
  g_assert_cmpint(load(s, 2, 0), ==, KVMMMU_STATS_SEQ_NOT_ABOVE);

  g_assert_cmpint(load(s, 3, 4), ==, KVMMMU_STATS_COUNTED);
  walk.u.Walk.walk = 7;
  g_assert_cmpint(kvmmmu_stats_add(s, &walk), ==, KVMMMU_STATS_SEQ_NOT_ABOVE);
  step.u.Step.walk = 7;
  g_assert_cmpint(kvmmmu_stats_add(s, &step), ==, KVMMMU_STATS_OF_DROPPED_WALK);
  g_assert_cmpuint(s->steps_of_bad_walks, ==, 1);
  g_assert_cmpuint(s->per_kind[KVMMMU_RECORD_WALK] + s->per_kind[KVMMMU_RECORD_STEP], ==, 0);
  g_assert_cmpuint(s->seq_missing, ==, 3 + 0); /* cpu 3's 1..3 */

  /* seq numbers start again with the next capture */
  header(s, 5000);
  g_assert_cmpint(load(s, 1, 1), ==, KVMMMU_STATS_COUNTED);
  kvmmmu_stats_finish(s);
  kvmmmu_stats_get_capture(s, 0, &c);
  g_assert_cmpuint(c.seq_repeated, ==, 4);
  kvmmmu_stats_get_capture(s, 1, &c);
  g_assert_cmpuint(c.seq_repeated, ==, 0);
  g_assert_cmpuint(c.per_kind[KVMMMU_RECORD_LOAD], ==, 1);
}

/* Gaps of 2^63 on two CPUs are 2^64 records missing: the count stops at
 * 2^64 - 1 (said "at least"), it does not wrap to 0.  A capture's own
 * count is its own, not the difference of saturated totals. */
static void
test_counts_saturate(void)
{
  g_autoptr(KvmmmuStats) s = kvmmmu_stats_new();
  KvmmmuRecord warn = { .kind = KVMMMU_RECORD_STAP_WARNING };
  KvmmmuRecord end = { .kind = KVMMMU_RECORD_END, .cpu = 1 };
  KvmmmuCapture c;

  header(s, 1000);
  load(s, 1, (G_GUINT64_CONSTANT(1) << 63) + 1);
  load(s, 2, (G_GUINT64_CONSTANT(1) << 63) + 1);
  g_assert_cmpuint(s->seq_missing, ==, KVMMMU_COUNT_SATURATED);
  warn.u.stap.errors = G_GUINT64_CONSTANT(1) << 63;
  kvmmmu_stats_add(s, &warn);
  kvmmmu_stats_add(s, &warn);
  g_assert_cmpuint(s->stap_errors, ==, KVMMMU_COUNT_SATURATED);
  end.seq = (G_GUINT64_CONSTANT(1) << 63) + 2;
  end.u.End.records = end.u.End.faults = G_GUINT64_CONSTANT(1) << 63;
  kvmmmu_stats_add(s, &end);
  header(s, 5000);
  load(s, 1, 6);
  end.seq = 7;
  end.u.End.records = G_MAXUINT64;
  kvmmmu_stats_add(s, &end);
  kvmmmu_stats_finish(s);
  g_assert_cmpuint(s->end.records, ==, KVMMMU_COUNT_SATURATED);
  g_assert_cmpuint(kvmmmu_stats_faults(s), ==, KVMMMU_COUNT_SATURATED);
  g_assert_cmpuint(kvmmmu_stats_records_lost(s), ==, KVMMMU_COUNT_SATURATED);
  g_assert_true(kvmmmu_stats_lossy(s));
  kvmmmu_stats_get_capture(s, 1, &c);
  g_assert_cmpuint(c.seq_missing, ==, 5);
}

/* CPU numbers past any x86-64 kernel's cost no memory each: a million of
 * them keep the table at its limit, and are counted, not checked. */
static void
test_cpu_bound(void)
{
  g_autoptr(KvmmmuStats) s = kvmmmu_stats_new();

  header(s, 1000);
  for (guint32 cpu = 0; cpu < 1000000; cpu++)
    g_assert_cmpint(load(s, cpu * 7 + 1, 1), ==, KVMMMU_STATS_COUNTED);
  g_assert_cmpuint(s->n_cpu_seq, <=, KVMMMU_STATS_MAX_CPUS);
  g_assert_cmpuint(s->n_cpus, ==, (KVMMMU_STATS_MAX_CPUS - 1) / 7 + 1);
  g_assert_cmpuint(s->seq_unchecked, ==, 1000000 - s->n_cpus);
  g_assert_cmpuint(s->per_kind[KVMMMU_RECORD_LOAD], ==, 1000000);
  /* the last CPU below the limit (7 x 1170 + 1) is checked like any other */
  g_assert_cmpint(load(s, KVMMMU_STATS_MAX_CPUS - 1, 1), ==, KVMMMU_STATS_SEQ_NOT_ABOVE);
  g_assert_cmpint(load(s, KVMMMU_STATS_MAX_CPUS - 1, 2), ==, KVMMMU_STATS_COUNTED);
  g_assert_cmpint(load(s, KVMMMU_STATS_MAX_CPUS, 1), ==, KVMMMU_STATS_COUNTED);
  g_assert_cmpint(load(s, KVMMMU_STATS_MAX_CPUS, 1), ==, KVMMMU_STATS_COUNTED);
}

static void
load_of(KvmmmuStats *s, guint64 seq, guint64 kvm, guint32 vcpu)
{
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_LOAD, .ts_ns = 2000, .cpu = 1, .seq = seq };

  rec.u.Load.kvm = kvm;
  rec.u.Load.vcpu = vcpu;
  g_assert_cmpint(kvmmmu_stats_add(s, &rec), ==, KVMMMU_STATS_COUNTED);
}

/* A million distinct (kvm, vcpu) pairs: the first KVMMMU_STATS_VCPUS_MAX
 * of the capture are counted as vCPUs, the records of the others counted
 * apart, each time (the same vCPU past the limit twice is two records).
 * The next capture counts its own from none. */
static void
test_vcpu_bound(void)
{
  g_autoptr(KvmmmuStats) s = kvmmmu_stats_new();
  const guint n = 1000000;
  guint64 seq = 0;
  KvmmmuCapture c;

  header(s, 1000);
  for (guint i = 0; i < n; i++)
    load_of(s, ++seq, 0xffff0000 + i / 64, i % 64);
  load_of(s, ++seq, 0xffff0000, 0);                         /* counted: kept */
  load_of(s, ++seq, 0xffff0000 + (n - 1) / 64, (n - 1) % 64); /* past: again */
  load_of(s, ++seq, 0xffff0000 + (n - 1) / 64, (n - 1) % 64);
  g_assert_cmpuint(g_hash_table_size(s->vcpus), ==, KVMMMU_STATS_VCPUS_MAX);
  g_assert_cmpuint(kvmmmu_stats_n_vcpus(s), ==, KVMMMU_STATS_VCPUS_MAX);
  g_assert_cmpuint(s->vcpu_records_over, ==, n - KVMMMU_STATS_VCPUS_MAX + 2);
  g_assert_cmpuint(s->per_kind[KVMMMU_RECORD_LOAD], ==, n + 3);

  header(s, 5000);
  load_of(s, 1, 0xffff0000 + (n - 1) / 64, (n - 1) % 64);
  load_of(s, 2, 0xffff0000 + (n - 1) / 64, (n - 1) % 64);
  kvmmmu_stats_finish(s);
  kvmmmu_stats_get_capture(s, 0, &c);
  g_assert_cmpuint(c.n_vcpus, ==, KVMMMU_STATS_VCPUS_MAX);
  g_assert_cmpuint(c.vcpu_records_over, ==, n - KVMMMU_STATS_VCPUS_MAX + 2);
  kvmmmu_stats_get_capture(s, 1, &c);
  g_assert_cmpuint(c.n_vcpus, ==, 1);
  g_assert_cmpuint(c.vcpu_records_over, ==, 0);
  g_assert_cmpuint(kvmmmu_stats_n_vcpus(s), ==, KVMMMU_STATS_VCPUS_MAX + 1);
  g_assert_cmpuint(s->vcpu_records_over, ==, n - KVMMMU_STATS_VCPUS_MAX + 2);
}

/* A million tiny captures: the first KVMMMU_STATS_CAPTURES_LISTED are
 * kept to be listed, the rest counted in every total all the same.  Even
 * ones end with a trailer counting one record more than arrived; hosts
 * take 100 names, more than are kept. */
static void
test_capture_bound(void)
{
  g_autoptr(KvmmmuStats) s = kvmmmu_stats_new();
  const guint n = 1000000;
  KvmmmuRecord h = { .kind = KVMMMU_RECORD_HEADER, .file = "t.trace" };
  KvmmmuRecord end = { .kind = KVMMMU_RECORD_END, .cpu = 1, .seq = 2 };
  KvmmmuRecord rec = { .kind = KVMMMU_RECORD_LOAD, .seq = 1 };
  guint64 written, arrived;
  g_autofree char *hosts = NULL, *kernels = NULL;
  KvmmmuCapture c;

  g_strlcpy(h.u.header.release, "6.1.0-56-amd64", sizeof h.u.header.release);
  end.u.End.records = 2;
  end.u.End.faults = 1;
  rec.u.Load.kvm = 0xffff0000;
  for (guint i = 0; i < n; i++) {
    guint64 t0 = 1000 + 100 * (guint64)i;

    h.u.header.start_ns = t0;
    g_snprintf(h.u.header.host, sizeof h.u.header.host, "h%u", i % 100);
    g_assert_cmpint(kvmmmu_stats_add(s, &h), ==, KVMMMU_STATS_COUNTED);
    rec.ts_ns = t0 + 10;
    rec.cpu = 1;
    rec.u.Load.vcpu = i;
    g_assert_cmpint(kvmmmu_stats_add(s, &rec), ==, KVMMMU_STATS_COUNTED);
    if (i == n / 2 + 1) { /* one capture past the listed has two CPUs */
      rec.cpu = 2;
      g_assert_cmpint(kvmmmu_stats_add(s, &rec), ==, KVMMMU_STATS_COUNTED);
    }
    if (i % 2 == 0) {
      end.ts_ns = t0 + 20;
      g_assert_cmpint(kvmmmu_stats_add(s, &end), ==, KVMMMU_STATS_COUNTED);
    }
    g_assert_cmpuint(s->capture_list->len, <=, KVMMMU_STATS_CAPTURES_LISTED);
  }
  kvmmmu_stats_finish(s);
  g_assert_cmpuint(s->captures, ==, n);
  g_assert_cmpuint(s->capture_list->len, ==, KVMMMU_STATS_CAPTURES_LISTED);
  g_assert_cmpuint(kvmmmu_stats_captures_listed(s), ==, KVMMMU_STATS_CAPTURES_LISTED);
  g_assert_cmpuint(kvmmmu_stats_captures_unlisted(s), ==, n - KVMMMU_STATS_CAPTURES_LISTED);
  kvmmmu_stats_get_capture(s, KVMMMU_STATS_CAPTURES_LISTED - 1, &c);
  g_assert_cmpuint(c.index, ==, KVMMMU_STATS_CAPTURES_LISTED);
  g_assert_cmpuint(c.header.start_ns, ==, 1000 + 100 * (KVMMMU_STATS_CAPTURES_LISTED - 1));
  /* the totals hold every capture */
  g_assert_cmpuint(s->per_kind[KVMMMU_RECORD_LOAD], ==, n + 1);
  g_assert_cmpuint(kvmmmu_stats_records_lost(s), ==, n / 2);
  g_assert_cmpuint(kvmmmu_stats_faults(s), ==, n / 2);
  g_assert_cmpuint(kvmmmu_stats_captures_unended(s), ==, n / 2);
  g_assert_false(s->have_end);
  g_assert_cmpuint(s->end.records, ==, n);
  g_assert_cmpuint(s->end.faults, ==, n / 2);
  kvmmmu_stats_trailer_short(s, &written, &arrived);
  g_assert_cmpuint(written, ==, n);
  g_assert_cmpuint(arrived, ==, n / 2);
  /* spans: 20 ns to the trailer, 10 ns to the load without one */
  g_assert_cmpuint(kvmmmu_stats_span_ns(s), ==, (guint64)n / 2 * 20 + (guint64)n / 2 * 10);
  /* the last capture's load */
  g_assert_cmpuint(kvmmmu_stats_end_ns(s), ==, 1000 + 100 * (guint64)(n - 1) + 10);
  g_assert_cmpuint(kvmmmu_stats_max_cpus(s), ==, 2);
  g_assert_cmpuint(kvmmmu_stats_n_vcpus(s), ==, n);
  kernels = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, release));
  g_assert_cmpstr(kernels, ==, "6.1.0-56-amd64");
  hosts = kvmmmu_stats_distinct(s, G_STRUCT_OFFSET(KvmmmuHeader, host));
  g_assert_true(g_str_has_prefix(hosts, "h0, h1, h2, "));
  g_assert_true(g_str_has_suffix(hosts, ", h63, and more"));
}

/* A skipped line arrived (its seq is no gap), unless its seq is not above
 * its CPU's last: it is then no news for the trailer's count either. */
static void
test_skipped(void)
{
  g_autoptr(KvmmmuStats) s = kvmmmu_stats_new();

  header(s, 1000);
  load(s, 1, 1);
  kvmmmu_stats_note_skipped(s, FALSE, 1, 2);
  kvmmmu_stats_note_skipped(s, FALSE, 1, 2);
  g_assert_cmpuint(s->lines_skipped, ==, 1);
  g_assert_cmpint(load(s, 1, 3), ==, KVMMMU_STATS_COUNTED);
  g_assert_cmpuint(s->seq_missing, ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/stats/seq-not-above", test_seq_not_above);
  g_test_add_func("/stats/counts-saturate", test_counts_saturate);
  g_test_add_func("/stats/cpu-bound", test_cpu_bound);
  g_test_add_func("/stats/vcpu-bound", test_vcpu_bound);
  g_test_add_func("/stats/skipped", test_skipped);
  g_test_add_func("/stats/capture-bound", test_capture_bound);
  return g_test_run();
}

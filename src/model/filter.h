/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.h - which records a report shows: --cpu, --vm, --vcpu, --time and
 * --walk, as perf kvm stat and trace-cmd users select events.
 *
 * Every condition given must hold.  --vm and --vcpu name a VM and a vCPU,
 * which load, switch, vcpu_root, load_rate and sync records carry; walk and step
 * records name none (format 1) and are not held to them.  --walk selects
 * walk and step records by walk id and leaves the other kinds alone.
 * --time is relative to each capture's start unless written @NS (the
 * records' own clock, gettimeofday ns).  A step goes with its walk: it is
 * shown when its walk record was, on whichever CPU it was logged (as the
 * reader and the walk model follow it), for walks on up to
 * KVMMMU_WALK_CPUS_MAX CPUs a capture.  Headers and SystemTap's lines
 * always pass: they frame the captures.
 */
#ifndef KVMMMU_MODEL_FILTER_H
#define KVMMMU_MODEL_FILTER_H

#include <glib.h>

#include "format/records.h"
#include "model/error.h"

/* At most this many values a list option holds (--cpu 0,1,...). */
#define KVMMMU_FILTER_MAX_VALUES 64
/* --vm takes VM indexes below this: no host runs as many VMs at once, and
 * the VMs up to the highest index asked for are remembered. */
#define KVMMMU_FILTER_VM_INDEX_MAX 65536

typedef struct _KvmmmuFilter KvmmmuFilter;

/* transfer full: a filter that passes everything */
KvmmmuFilter *kvmmmu_filter_new(void);
void kvmmmu_filter_free(KvmmmuFilter *filter);

/* Each takes the option's text; FALSE with error naming what was expected.
 *   cpu, vcpu, walk: comma-separated numbers;
 *   vm: comma-separated VM indexes (0, 1, ... in order of first appearance
 *       in each capture) or kvm pointers in hex (ffff8dd3aea02000);
 *   time: START,END, each a number with an optional unit (ns, us, ms, s;
 *       s when none) from the capture's start, or @NS; either may be empty. */
gboolean kvmmmu_filter_set(KvmmmuFilter *filter, const char *option, const char *text,
                           GError **error);
/* Something was set: reports say so. */
gboolean kvmmmu_filter_active(const KvmmmuFilter *filter);
/* What is set, as the options were given ("--vcpu 0 --time 1,2"). */
const char *kvmmmu_filter_describe(const KvmmmuFilter *filter);

/* Walks --vm left out because their capture (format 1) did not write
 * their VM. */
guint64 kvmmmu_filter_no_vm(const KvmmmuFilter *filter);

/* The --time range in a capture that started at capture_start_ns, on the
 * records' clock: [from_ns, to_ns), to_ns G_MAXUINT64 when open.  FALSE
 * when --time was not given (every time passes). */
gboolean kvmmmu_filter_time_window(const KvmmmuFilter *filter, guint64 capture_start_ns,
                                   guint64 *from_ns, guint64 *to_ns);

/* Feed every record, in order: TRUE when the report should see it. */
gboolean kvmmmu_filter_match(KvmmmuFilter *filter, const KvmmmuRecord *rec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuFilter, kvmmmu_filter_free)

#endif

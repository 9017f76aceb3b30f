/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * count.h - counts summed from what a trace says, which stop at 2^64 - 1
 * rather than wrap.
 *
 * A trace's numbers are u64 and a corrupt one may hold any of them: two
 * seq jumps of 2^63 or two trailers of 2^63 records would add up to 0, and
 * a loss would read as none.  A count that reached KVMMMU_COUNT_SATURATED
 * stays there and means "that many or more"; the text reports say "at
 * least", JSON and CSV hold the number (docs/kvmmmu-report.1).
 */
#ifndef KVMMMU_FORMAT_COUNT_H
#define KVMMMU_FORMAT_COUNT_H

#include <glib.h>

#define KVMMMU_COUNT_SATURATED G_MAXUINT64

static inline guint64
kvmmmu_count_add(guint64 a, guint64 b)
{
  guint64 r;

  return __builtin_add_overflow(a, b, &r) ? KVMMMU_COUNT_SATURATED : r;
}

static inline guint64
kvmmmu_count_mul(guint64 a, guint64 b)
{
  guint64 r;

  return __builtin_mul_overflow(a, b, &r) ? KVMMMU_COUNT_SATURATED : r;
}

/* a += b, saturating. */
#define KVMMMU_COUNT_ADD(a, b) ((a) = kvmmmu_count_add((a), (b)))

#endif

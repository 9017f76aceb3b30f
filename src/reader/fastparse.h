/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fastparse.h - the reader's fast path: one well-formed event line in, one
 * record out, with no state and no messages.
 *
 * It only ever says yes for a line the full parser (reader.c) would take
 * without a word, and fills the same fields; for anything else (headers,
 * SystemTap's lines, comments, a field out of range, a digit too many) it
 * says no and the full parser decides and explains.  So it may be as strict
 * as it likes: every "no" costs time, never a different answer.  The
 * differential tests hold it to that (tests/unit/test-reader.c, the fuzzer).
 *
 * Each kind's parser is generated from the tables of format/records.h.
 */
#ifndef KVMMMU_READER_FASTPARSE_H
#define KVMMMU_READER_FASTPARSE_H

#include <glib.h>

#include "format/records.h"

/* Bytes the fast path may read around a line: the caller's buffer must have
 * this many readable bytes before the line and after its '\n'. */
#define KVMMMU_FASTPARSE_SLACK 64

/* TRUE when this CPU can run the fast path (AVX2); otherwise every line
 * goes to the full parser. */
gboolean kvmmmu_fastparse_available(void);

/* Parse the line at s, which ends at the first '\n' within avail bytes.
 * On success rec's kind, ts_ns, cpu, seq and the kind's fields and items
 * are set (file and line are the caller's) and the result is
 * kvmmmu_record_size(rec); on 0 rec holds nothing useful.  *n is the
 * line's length when its '\n' was found (G_MAXSIZE when not looked for). */
gsize kvmmmu_fastparse_line(const char *s, gsize avail, gsize *n, KvmmmuRecord *rec);

/* Bytes of rec that hold what the reader filled: the record up to the end
 * of its last item.  Event records only. */
gsize kvmmmu_record_size(const KvmmmuRecord *rec);

#endif

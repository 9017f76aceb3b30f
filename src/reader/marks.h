/* SPDX-License-Identifier: GPL-2.0-or-later */
/* marks.h - the spans a workload marked beside a capture: "NAME start NS"
 * and "NAME end NS" lines (make lab GUEST=linux writes them to marks, NS on
 * the records' clock), so that a report can cut one span out (--span). */
#ifndef KVMMMU_READER_MARKS_H
#define KVMMMU_READER_MARKS_H

#include <glib.h>

/* A marks file is small: a workload's phases.  Past this many lines it is
 * refused, not read. */
#define KVMMMU_MARKS_MAX_LINES 4096

/* The span NAME of the marks file at path: its first "NAME start" and the
 * first "NAME end" after it.  FALSE with an error naming file:line for a
 * line that does not read, or the names the file has when NAME is not
 * there whole. */
gboolean kvmmmu_marks_span(const char *path, const char *name, guint64 *start_ns,
                           guint64 *end_ns, GError **error);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader-private.h - what the reader's files share: the reader's state
 * and the steps of the full parser.
 *
 *   reader.c      the public API and the loop: entries from the chunks,
 *                 the fast path, the full parser line by line
 *   event.c       event records: their fields, as the capture's version
 *                 lays them out
 *   structure.c   walk ids and steps: the walk checker's verdicts said
 *   header.c      the header line
 */
#ifndef KVMMMU_READER_PRIVATE_H
#define KVMMMU_READER_PRIVATE_H

#include <glib.h>

#include "reader/bulk.h"
#include "reader/chunks.h"
#include "reader/fields.h"
#include "reader/reader.h"
#include "reader/walkcheck.h"

#define MAX_TOKENS (8 + KVMMMU_MAX_WALK_PAGES + 8)

struct _KvmmmuReader {
  char *name;
  int fd;             /* -1 when not reading a file */
  gboolean own_fd;
  KvmmmuBulk *bulk;   /* bulk-mode files merged, instead of fd */
  KvmmmuChunks *chunks;
  const KvmmmuChunk *chunk; /* being handed out; entry is the next entry */
  gsize entry;
  guint64 line_base;  /* lines before the current chunk */
  gboolean done;
  int stop_fd;        /* readable: the input ends (-1 none) */
  gboolean stopped;   /* it did */
  guint64 line;
  guint64 bytes;
  KvmmmuDiag *diag;
  gboolean strict;
  KvmmmuRecord full;  /* what the full parser fills */

  gboolean have_header;
  guint32 version;    /* the capture's format version */
  guint32 newer_kinds;/* bit per kind whose newest fields came after it */
  gboolean in_hit_report;
  KvmmmuWalkCheck walks;

  KvmmmuReaderSkipFunc skip_func;
  gpointer skip_data;
  gboolean line_has_seq; /* the line being parsed read its cpu and seq */
  KvmmmuSkipReason skip_why; /* why it is skipped, when it is */
};

/* A problem with the line being read, at its line: to the diagnostics. */
void kvmmmu_reader_bad(KvmmmuReader *r, const char *kind, const char *reason, const char *fmt,
                       ...) G_GNUC_PRINTF(4, 5);

/* ---- event.c ---- */
/* Parse an event line whose keyword matched spec, as the capture's
 * version lays it out.  FALSE when it is bad (said). */
gboolean kvmmmu_reader_parse_event(KvmmmuReader *r, const KvmmmuKindSpec *spec, const Token *tok,
                                   int ntok, KvmmmuRecord *rec);

/* ---- structure.c ---- */
/* A walk record's id and CPU fit the capture's walks; FALSE when not (said). */
gboolean kvmmmu_reader_check_walk(KvmmmuReader *r, const KvmmmuRecord *rec);
/* kvmmmu_reader_check_step() for a step that is not of its CPU's open
 * walk, or is bad. */
gboolean kvmmmu_reader_step_problem(KvmmmuReader *r, const KvmmmuStep *s,
                                    KvmmmuWalkCheckVerdict v, guint32 nr);

/* A step record belongs to an open walk.  Inline: it runs for every step,
 * and is one lookup when the step is of its CPU's open walk. */
static inline gboolean
kvmmmu_reader_check_step(KvmmmuReader *r, const KvmmmuRecord *rec)
{
  const KvmmmuStep *s = &rec->u.Step;
  guint32 nr = 0;
  KvmmmuWalkCheckVerdict v = kvmmmu_walkcheck_step(&r->walks, rec->cpu, s->walk, s->i, &nr);

  return G_LIKELY(v == KVMMMU_WALKCHECK_OK) || kvmmmu_reader_step_problem(r, s, v, nr);
}

/* ---- header.c ---- */
/* The header line into rec; FALSE with error when the capture cannot be
 * read (cut: its line has no newline, and its last key=value is left out). */
gboolean kvmmmu_reader_parse_header(KvmmmuReader *r, const Token *tok, int ntok, gboolean cut,
                                    KvmmmuRecord *rec, GError **error);

#endif

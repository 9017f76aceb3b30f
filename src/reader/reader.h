/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader.h - kvmmmu trace lines in, typed records out.
 *
 * The reader checks every field against the tables of format/records.h and
 * the structure every capture must have (a header first, walk ids not
 * repeated, steps inside a walk seen before them).  A bad line goes to the
 * KvmmmuDiag and is skipped; the records around it are returned.  Only an
 * unusable input (no header, unknown version, unreadable file) or, with
 * strict set, any bad line is fatal.  It knows nothing of output.
 */
#ifndef KVMMMU_READER_READER_H
#define KVMMMU_READER_READER_H

#include <glib.h>

#include "format/records.h"
#include "reader/diag.h"

#define KVMMMU_READER_ERROR (kvmmmu_reader_error_quark())
GQuark kvmmmu_reader_error_quark(void);

typedef enum {
  KVMMMU_READER_ERROR_IO,       /* the file cannot be opened or read */
  KVMMMU_READER_ERROR_UNUSABLE, /* no header, bad header, unknown version */
  KVMMMU_READER_ERROR_STRICT,   /* a bad line while strict */
} KvmmmuReaderError;

typedef enum {
  KVMMMU_READ_RECORD,
  KVMMMU_READ_EOF,
  KVMMMU_READ_FATAL,
} KvmmmuReadStatus;

/* Longest line accepted; a longer one is skipped as bad. */
#define KVMMMU_MAX_LINE (64 * 1024)

typedef struct _KvmmmuReader KvmmmuReader;

/* path "-" reads standard input.  diag is borrowed and must outlive the
 * reader.  transfer full; NULL with error set when the file cannot be
 * opened. */
KvmmmuReader *kvmmmu_reader_open(const char *path, KvmmmuDiag *diag,
                                 gboolean strict, GError **error);

/* Read fd (a pipe: top -f copies a growing file into one), named name in
 * messages; the reader closes it.  transfer full. */
KvmmmuReader *kvmmmu_reader_open_fd(int fd, const char *name, KvmmmuDiag *diag,
                                    gboolean strict);

/* Read the per-CPU files of one stap -b capture, merged by flush sequence
 * (reader/bulk.h).  transfer full; NULL with error. */
KvmmmuReader *kvmmmu_reader_open_bulk(char **paths, KvmmmuDiag *diag, gboolean strict,
                                      GError **error);
/* Bulk flushes missing from the sequence (0 for other inputs). */
guint64 kvmmmu_reader_bulk_missing(const KvmmmuReader *reader);

/* Read from a buffer (tests, fuzzing); name is used in messages.
 * data is borrowed and must outlive the reader. */
KvmmmuReader *kvmmmu_reader_new_for_data(const char *name, const char *data,
                                         gsize len, KvmmmuDiag *diag,
                                         gboolean strict);

void kvmmmu_reader_free(KvmmmuReader *reader);

/* Before the first read: end the input when fd becomes readable (the CLI
 * makes it so on SIGINT or SIGTERM).  A read waiting on a pipe or terminal
 * returns at once, a regular file stops at the next chunk; what was read
 * up to there is handed out, then KVMMMU_READ_EOF, with no error even when
 * no header came.  fd is borrowed; -1 never stops. */
void kvmmmu_reader_set_stop_fd(KvmmmuReader *reader, int fd);
/* TRUE when the input ended because the stop fd became readable. */
gboolean kvmmmu_reader_stopped(const KvmmmuReader *reader);
/* With a stop fd set, reading a pipe or terminal: when the input has been
 * quiet for ms milliseconds, func(data) is called (between records), then
 * the read waits on, or the input ends as at the stop fd when func returns
 * FALSE.  A regular file never waits, so never calls it. */
void kvmmmu_reader_set_idle_func(KvmmmuReader *reader, guint ms, gboolean (*func)(gpointer),
                                 gpointer data);

/* The next record, borrowed: valid until the next call.  FATAL sets
 * error.  An event record may be stored cut short after its last item
 * (kvmmmu_record_size()): read its items only up to their count. */
KvmmmuReadStatus kvmmmu_reader_next_ref(KvmmmuReader *reader, const KvmmmuRecord **rec,
                                        GError **error);
/* The same, copied into rec. */
KvmmmuReadStatus kvmmmu_reader_next(KvmmmuReader *reader, KvmmmuRecord *rec,
                                    GError **error);


/* Why an event line whose cpu and seq were read was not handed out. */
typedef enum {
  KVMMMU_SKIP_BAD_LINE,     /* the line is bad (counted in the KvmmmuDiag) */
  KVMMMU_SKIP_OF_BAD_WALK,  /* a valid step of a walk whose own line was bad:
                             * dropped with it, not a bad line of its own */
} KvmmmuSkipReason;

/* Told of every skipped event line whose cpu and seq fields were read, so
 * that its seq is not taken for a record lost in transport. */
typedef void (*KvmmmuReaderSkipFunc)(KvmmmuSkipReason why, guint32 cpu, guint64 seq,
                                     gpointer user_data);
void kvmmmu_reader_set_skip_func(KvmmmuReader *reader, KvmmmuReaderSkipFunc func,
                                 gpointer user_data);

/* The name used in messages ("-" reads as "<stdin>"); borrowed. */
const char *kvmmmu_reader_name(const KvmmmuReader *reader);
guint64 kvmmmu_reader_lines(const KvmmmuReader *reader);
guint64 kvmmmu_reader_bytes(const KvmmmuReader *reader);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuReader, kvmmmu_reader_free)

#endif

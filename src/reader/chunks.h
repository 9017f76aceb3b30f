/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chunks.h - the input cut into chunks of whole lines, each line parsed by
 * the fast path (fastparse.h) on worker threads, handed out in input order.
 *
 * Reading stays in order (one worker reads at a time, carrying a cut line
 * to the next chunk); parsing, the costly part, runs on every worker at
 * once.  A chunk holds a list of entries, one per line: the record the fast
 * path made, or the line itself for the full parser (reader.c), which runs
 * on the consumer's thread and owns all state: headers, walk structure,
 * SystemTap's reports, messages.  So the answer is the same with one thread
 * or many, with any chunk size: make check runs both ways.
 *
 * Environment (for tests and measurements):
 *   KVMMMU_THREADS=N      workers for a regular file (0: parse inline)
 *   KVMMMU_CHUNK_BYTES=N  bytes per chunk (default 512 KiB)
 *   KVMMMU_MMAP=0         read a regular file instead of mapping it
 *   KVMMMU_MMAP=1         map one of a chunk or less too (otherwise read)
 *   KVMMMU_FASTPARSE=0    every line through the full parser
 */
#ifndef KVMMMU_READER_CHUNKS_H
#define KVMMMU_READER_CHUNKS_H

#include <glib.h>

#include "reader/bulk.h"

typedef enum {
  KVMMMU_ENTRY_RECORD, /* a KvmmmuRecord follows, cut after its last item */
  KVMMMU_ENTRY_LINE,   /* text_off/text_len: a line for the full parser */
  KVMMMU_ENTRY_LONG,   /* a line longer than KVMMMU_MAX_LINE, not kept */
} KvmmmuEntryType;

typedef struct {
  guint32 size;       /* bytes of this entry, what follows included; 8-aligned */
  guint8 type;        /* KvmmmuEntryType */
  guint8 no_newline;  /* LINE: the input ended without a '\n' */
  guint32 line;       /* line number within the chunk, from 1 */
  guint32 text_off, text_len;
  guint32 _pad;       /* a record that follows starts 8-aligned */
} KvmmmuEntry;

typedef struct {
  const char *text;   /* the chunk's bytes (lines end in '\n') */
  const guint8 *entries;
  gsize entries_len;  /* bytes of entries */
  guint32 n_lines;    /* lines that start in this chunk */
  gsize bytes;        /* input bytes this chunk accounts for */
  GError *error;      /* reading failed after the lines above */
} KvmmmuChunk;

typedef struct _KvmmmuChunks KvmmmuChunks;

/* Lines from fd (not closed here).  A regular file larger than a chunk is
 * mapped, from fd's offset to its size now, and chunks point into it.  Workers run only for a regular file
 * larger than one chunk; a pipe is read and parsed on the caller's thread,
 * so freeing early never waits on a read. */
KvmmmuChunks *kvmmmu_chunks_new_fd(int fd);
/* Lines from a stap -b capture's merged files (borrowed). */
KvmmmuChunks *kvmmmu_chunks_new_bulk(KvmmmuBulk *bulk);
/* Lines from memory (borrowed). */
KvmmmuChunks *kvmmmu_chunks_new_data(const char *data, gsize len);
void kvmmmu_chunks_free(KvmmmuChunks *chunks);

/* Before the first kvmmmu_chunks_next(): reading a pipe, a terminal or any
 * other file that is not regular waits for fd as well as for the input,
 * and ends the input when fd becomes readable (a regular file never makes
 * a read wait; the reader checks fd between chunks).  The line the input
 * was cut in, if any, is dropped: it was never read whole. */
void kvmmmu_chunks_set_stop_fd(KvmmmuChunks *chunks, int fd);
/* TRUE when the input ended because the stop fd became readable. */
gboolean kvmmmu_chunks_stopped(const KvmmmuChunks *chunks);
/* With a stop fd set: a wait for input that lasts ms milliseconds calls
 * func(data), then waits again (a live view redraws while its pipe is
 * quiet), or ends the input as the stop fd would when func returns FALSE.
 * func runs between records, never inside one.  Lines are then handed out
 * as soon as a read brings them, not a chunk's worth at a time. */
void kvmmmu_chunks_set_idle_func(KvmmmuChunks *chunks, guint ms, gboolean (*func)(gpointer),
                                 gpointer data);

/* The next chunk in input order, NULL after the last.  It stays valid until
 * kvmmmu_chunks_release(). */
const KvmmmuChunk *kvmmmu_chunks_next(KvmmmuChunks *chunks);
void kvmmmu_chunks_release(KvmmmuChunks *chunks, const KvmmmuChunk *chunk);

#endif

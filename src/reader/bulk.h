/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bulk.h - SystemTap bulk mode (stap -b): one file per CPU, each a run of
 * flushes {u32 sequence; u32 pdu_len; pdu_len bytes}, the header preceded
 * by the magic F0 9F A9 BA from SystemTap 5.0 on.  The sequence is global,
 * so merging the files by it gives the order the probes flushed in, and a
 * missing number is a flush lost on the way.  Bytes come out in that order
 * as one text stream, read a chunk at a time (memory: one flush per CPU).
 */
#ifndef KVMMMU_READER_BULK_H
#define KVMMMU_READER_BULK_H

#include <glib.h>

typedef struct _KvmmmuBulk KvmmmuBulk;

/* transfer full; NULL with error when a file cannot be opened or does not
 * start with a bulk-mode header. */
KvmmmuBulk *kvmmmu_bulk_open(char **paths, GError **error);
void kvmmmu_bulk_free(KvmmmuBulk *bulk);

/* Copy up to n merged bytes into buf; 0 at the end, -1 with error on a
 * read failure or a broken header. */
gssize kvmmmu_bulk_read(KvmmmuBulk *bulk, char *buf, gsize n, GError **error);

/* Flushes missing from the sequence so far, and flushes read. */
guint64 kvmmmu_bulk_missing(const KvmmmuBulk *bulk);
guint64 kvmmmu_bulk_flushes(const KvmmmuBulk *bulk);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuBulk, kvmmmu_bulk_free)

#endif

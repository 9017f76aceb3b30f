/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.h - problems found in the input, counted once per kind and reason.
 *
 * The reader reports every bad line here; the first of each (kind, reason)
 * is handed to the owner's callback with its location, later ones are only
 * counted.  Nothing here prints: the CLI decides where messages go.
 */
#ifndef KVMMMU_READER_DIAG_H
#define KVMMMU_READER_DIAG_H

#include <glib.h>

typedef struct _KvmmmuDiag KvmmmuDiag;

/* Called for the first problem of each (kind, reason); message is
 * "FILE:LINE: KIND: what was expected" (borrowed). */
typedef void (*KvmmmuDiagFunc)(const char *message, gpointer user_data);

/* transfer full */
KvmmmuDiag *kvmmmu_diag_new(KvmmmuDiagFunc func, gpointer user_data);
void kvmmmu_diag_free(KvmmmuDiag *diag);

/* Record a problem.  reason is a short fixed key ("walk:nr:range") used to
 * count alike problems together; the message is built from fmt. */
void kvmmmu_diag_add(KvmmmuDiag *diag, const char *file, guint64 line,
                     const char *kind, const char *reason, const char *fmt,
                     ...) G_GNUC_PRINTF(6, 7);

guint64 kvmmmu_diag_count(const KvmmmuDiag *diag);

/* The last message added (borrowed, NULL before any): what --strict stops on. */
const char *kvmmmu_diag_last(const KvmmmuDiag *diag);

/* Visit each (reason, count, first message), in the order first seen. */
typedef void (*KvmmmuDiagVisit)(const char *reason, guint64 count,
                                const char *first_message, gpointer user_data);
void kvmmmu_diag_foreach(const KvmmmuDiag *diag, KvmmmuDiagVisit visit,
                         gpointer user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuDiag, kvmmmu_diag_free)

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * debuginfod.h - the debuginfo of a build-id from the servers named in
 * $DEBUGINFOD_URLS, through elfutils' libdebuginfod.
 *
 * libdebuginfod.so.1 is opened when first needed, as libdw does itself: a
 * kvmmmu-report built without it still reads every trace, and one whose
 * user has not set DEBUGINFOD_URLS never loads it.  The library keeps what
 * it fetched in its own cache ($DEBUGINFOD_CACHE_PATH, default
 * ~/.cache/debuginfod_client), so a second report reads the file there.
 */
#ifndef KVMMMU_DWARF_DEBUGINFOD_H
#define KVMMMU_DWARF_DEBUGINFOD_H

#include <glib.h>

/* How far a download is: done bytes of total (0 when the server did not
 * say); url the server's, NULL before one answered.  Return FALSE to stop
 * the download (the reader was interrupted). */
typedef gboolean (*KvmmmuDebuginfodProgress)(const char *build_id, const char *url, gint64 done,
                                             gint64 total, gpointer data);

/* TRUE when $DEBUGINFOD_URLS names at least one server. */
gboolean kvmmmu_debuginfod_wanted(void);

/* The path of the debuginfo file for build_id (lower-case hex), fetched
 * or found in the cache; progress (may be NULL) is called while it
 * downloads.  transfer full; NULL with error saying why: no server set,
 * libdebuginfod.so.1 missing, or the servers' answer. */
char *kvmmmu_debuginfod_find(const char *build_id, KvmmmuDebuginfodProgress progress,
                             gpointer data, GError **error);

#endif

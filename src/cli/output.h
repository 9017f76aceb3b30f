/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.h - writing a report to a file the user named (html -o PATH).
 *
 * PATH is written where a shell redirection would write, never replaced by
 * something else of the same name:
 *   - a symbolic link is followed: its target is written, the link stays;
 *   - an existing file is opened and written in place, so its inode, hard
 *     links, mode, owner and attributes stay; a regular file first has room
 *     for the whole report reserved (posix_fallocate), so a full disk or a
 *     file size limit fails before its old content is touched, and is then
 *     written from its start, cut to the report's length and synced; a
 *     device, FIFO or anything else not a regular file is neither cut nor
 *     synced;
 *   - a new path is created with mode 0666 less the umask, and removed again
 *     when it cannot be written whole;
 *   - a directory is refused (KVMMMU_OUTPUT_ERROR_IS_DIR).
 * Every failure names the path and the system's reason.  A write that
 * fails after the reservation (an I/O error) leaves the file part written:
 * the price of never renaming over what the user named.
 */
#ifndef KVMMMU_CLI_OUTPUT_H
#define KVMMMU_CLI_OUTPUT_H

#include <glib.h>

#define KVMMMU_OUTPUT_ERROR (kvmmmu_output_error_quark())
GQuark kvmmmu_output_error_quark(void);

typedef enum {
  KVMMMU_OUTPUT_ERROR_IS_DIR, /* the path names a directory: a usage error */
  KVMMMU_OUTPUT_ERROR_IO,     /* it cannot be opened, reserved, written or synced */
} KvmmmuOutputError;

/* Refuse early, before any input is read, a path that cannot take the
 * output because it is a directory (or leads to one).  what names the
 * output in messages ("html"). */
gboolean kvmmmu_output_check(const char *path, const char *what, GError **error);

/* Write len bytes of data to path by the rules above. */
gboolean kvmmmu_output_write(const char *path, const char *what, const char *data, gsize len,
                             GError **error);

#endif

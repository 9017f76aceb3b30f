/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.h - writing a report to a file the user named (html -o PATH).
 *
 * PATH is written where a shell redirection would write, never replaced by
 * something else of the same name:
 *   - a symbolic link is followed: its target is written, the link stays;
 *   - a device, FIFO or anything else not a regular file is opened and
 *     written in place (no truncation, no creation: a FIFO stays a FIFO);
 *   - an existing regular file is replaced whole: the report goes to a
 *     temporary file beside it, is synced, takes the file's mode (and owner
 *     and group when run as root), and is renamed over it, so a write that
 *     fails leaves the old file as it was;
 *   - a new path is created the same way, with mode 0666 less the umask;
 *   - a directory is refused (KVMMMU_OUTPUT_ERROR_IS_DIR).
 * A directory that refuses the temporary file (no write permission) while
 * the file itself may be written gets the file truncated and written in
 * place, as a redirection would.  Every failure names the path and the
 * system's reason, and no temporary file is left behind.
 */
#ifndef KVMMMU_CLI_OUTPUT_H
#define KVMMMU_CLI_OUTPUT_H

#include <glib.h>

#define KVMMMU_OUTPUT_ERROR (kvmmmu_output_error_quark())
GQuark kvmmmu_output_error_quark(void);

typedef enum {
  KVMMMU_OUTPUT_ERROR_IS_DIR, /* the path names a directory: a usage error */
  KVMMMU_OUTPUT_ERROR_IO,     /* it cannot be opened, written, synced or renamed */
} KvmmmuOutputError;

/* Refuse early, before any input is read, a path that cannot take the
 * output because it is a directory (or leads to one).  what names the
 * output in messages ("html"). */
gboolean kvmmmu_output_check(const char *path, const char *what, GError **error);

/* Write len bytes of data to path by the rules above. */
gboolean kvmmmu_output_write(const char *path, const char *what, const char *data, gsize len,
                             GError **error);

#endif

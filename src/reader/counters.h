/* SPDX-License-Identifier: GPL-2.0-or-later */
/* counters.h - KVM's debugfs counters, as a file read around a capture. */
#ifndef KVMMMU_READER_COUNTERS_H
#define KVMMMU_READER_COUNTERS_H

#include <glib.h>

/* "NAME VALUE", "NAME: VALUE" or grep's "PATH/NAME:VALUE" lines ('#' and
 * blank lines skipped): name -> guint64 *.  transfer full; NULL with an
 * error naming file:line. */
GHashTable *kvmmmu_counters_read(const char *path, GError **error);

#endif

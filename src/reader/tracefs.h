/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tracefs.h - the kernel's own kvm_mmu_prepare_zap_page events, as tracefs
 * prints them, read back into the role fields they print.
 */
#ifndef KVMMMU_READER_TRACEFS_H
#define KVMMMU_READER_TRACEFS_H

#include <glib.h>

#include "model/roles.h"

/* One kvm_mmu_prepare_zap_page event.  role.access is the raw value read
 * back through the letter table of the printed width
 * (kvmmmu_access_parse); access_bits 0: letters of neither table. */
typedef struct {
  guint64 gfn;
  KvmmmuKernelRole role;
} KvmmmuZapEvent;

/* Parse one tracefs line; FALSE when it is not such an event. */
gboolean kvmmmu_tracefs_parse_zap(const char *line, guint *cpu, KvmmmuZapEvent *event);

/* The events of a tracefs text file by CPU: cpu -> GArray of
 * KvmmmuZapEvent in file order.  Other lines are skipped; a line that names
 * the event but does not read is an error naming file:line.  transfer full;
 * NULL with error. */
GHashTable *kvmmmu_tracefs_read_zaps(const char *path, GError **error);

#endif

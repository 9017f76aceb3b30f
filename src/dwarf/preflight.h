/* SPDX-License-Identifier: GPL-2.0-or-later */
/* preflight.h - whether what the tapsets probe exists in a kernel's DWARF. */
#ifndef KVMMMU_DWARF_PREFLIGHT_H
#define KVMMMU_DWARF_PREFLIGHT_H

#include <glib.h>

/* The tapsets' probe points and the variables they read, checked in the
 * same DWARF.  Appends one "ok|MISSING what" line per item to out;
 * returns how many are missing. */
guint kvmmmu_dwarf_preflight(const char *path, GString *out, GError **error);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stapline.h - the lines SystemTap writes itself into a trace. */
#ifndef KVMMMU_READER_STAPLINE_H
#define KVMMMU_READER_STAPLINE_H

#include <glib.h>

#include "format/records.h"

/* A WARNING:/ERROR:/transport-failure line, a probe's line of stap -t's
 * report (known by its shape anywhere), or (in_hit_report: after a "----- "
 * line) any other line of that report: rec filled, TRUE; FALSE for any
 * other line. */
gboolean kvmmmu_stapline_parse(gboolean in_hit_report, const char *s, gsize n,
                               KvmmmuRecord *rec);

#endif

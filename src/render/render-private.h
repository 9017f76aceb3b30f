/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render-private.h - helpers shared by the renderers. */
#ifndef KVMMMU_RENDER_PRIVATE_H
#define KVMMMU_RENDER_PRIVATE_H

#include "render/render.h"

/* Pointers, hpa and role words print as SystemTap's %x does: no 0x. */
#define X64 "%" G_GINT64_MODIFIER "x"

/* Members holding hex text ("ffff8dd3aea02aa0"): JSON numbers lose bits
 * past 2^53, so pointers go as strings. */
void kvmmmu_json_hex(KvmmmuJsonBuilder *b, const char *name, guint64 v);

/* A CSV field (RFC 4180): as is, or in double quotes (inner ones doubled)
 * when it holds a comma, a quote or a line break.  transfer full */
char *kvmmmu_csv_quote(const char *field);

/* A load cause's and a sync place's name by row number, for the tables
 * that walk them (loadcause.c). */
const char *kvmmmu_render_cause_row_name(guint i);
const char *kvmmmu_render_place_row_name(guint i);

#endif

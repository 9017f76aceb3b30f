/* SPDX-License-Identifier: GPL-2.0-or-later */
/* object.h - a kernel object's DWARF, opened once for the readers in
 * dwarf/ (layout.c, preflight.c); not for use outside it. */
#ifndef KVMMMU_DWARF_OBJECT_H
#define KVMMMU_DWARF_OBJECT_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <glib.h>

typedef struct {
  Dwfl *dwfl;
  Dwfl_Module *mod;
  char *object;  /* the file opened: path, or the object found in it */
} KvmmmuDwarfObject;

/* path: a kvm.ko, a vmlinux, or a directory holding one.  FALSE with
 * error; close it either way. */
gboolean kvmmmu_dwarf_object_open(const char *path, KvmmmuDwarfObject *o, GError **error);
void kvmmmu_dwarf_object_close(KvmmmuDwarfObject *o);

/* Call visit on every top-level DIE of every CU (types and functions live
 * there), until it returns FALSE. */
typedef gboolean (*KvmmmuDwarfDieFunc)(Dwarf_Die *cu, Dwarf_Die *die, gpointer data);
void kvmmmu_dwarf_object_visit(KvmmmuDwarfObject *o, KvmmmuDwarfDieFunc visit, gpointer data);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layout.h - what the kernel's own DWARF says about the shadow MMU: the bit
 * layout of union kvm_mmu_page_role, the array bounds behind
 * KVM_PAGE_ARRAY_NR, PT64_ROOT_MAX_LEVEL and KVM_MMU_NUM_PREV_ROOTS, the
 * and the build-id (dwarf/preflight.h: whether what the tapsets probe exists).
 */
#ifndef KVMMMU_DWARF_LAYOUT_H
#define KVMMMU_DWARF_LAYOUT_H

#include <glib.h>

#include "model/roles.h"

#define KVMMMU_DWARF_ERROR (kvmmmu_dwarf_error_quark())
GQuark kvmmmu_dwarf_error_quark(void);

/* path: a kvm.ko with DWARF, a vmlinux with KVM built in, or a directory
 * holding one (a build tree, or the lab cache's dbg/).  Fills out; FALSE
 * with error naming the file and libdw's reason. */
gboolean kvmmmu_dwarf_read_layout(const char *path, KvmmmuKernelLayout *out, GError **error);

/* Where debuginfo for release usually is, in each directory of
 * $KVMMMU_DEBUGINFO_DIRS (colon-separated; default /usr/lib/debug and the
 * kernel cache $KVMMMU_CACHE or ~/.cache/kvmmmu): lib/modules/RELEASE/...
 * /kvm.ko (Debian's -dbg packages), RELEASE/dbg/kvm.ko (the cache),
 * boot/vmlinux-RELEASE.  transfer full; NULL if none. */
char *kvmmmu_dwarf_find_for_release(const char *release);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * roles.h - union kvm_mmu_page_role as one kernel lays it out, and role
 * words decoded with that kernel's own field names.
 *
 * A layout comes from the kernel's DWARF (dwarf/layout.h) or, without
 * debuginfo, from the built-in table of the layouts read from kernel
 * source, chosen by release.  Either way the decoding says which it used.
 */
#ifndef KVMMMU_MODEL_ROLES_H
#define KVMMMU_MODEL_ROLES_H

#include <glib.h>

#define KVMMMU_ROLE_MAX_FIELDS 32

typedef struct {
  char name[32];
  guint8 bit_offset;
  guint8 bit_size;
} KvmmmuRoleField;

typedef struct {
  KvmmmuRoleField fields[KVMMMU_ROLE_MAX_FIELDS];
  guint n_fields;
  gboolean from_dwarf;
  char source[320];        /* "DWARF of PATH" or "built-in table for 6.1 to 6.13" */
  /* Array bounds, 0 when not known: KVM_PAGE_ARRAY_NR (struct kvm_mmu_pages),
   * PT64_ROOT_MAX_LEVEL (struct mmu_page_path), KVM_MMU_NUM_PREV_ROOTS. */
  guint page_array_nr;
  guint root_max_level;
  guint num_prev_roots;
  char build_id[96];       /* hex, "" when not known */
} KvmmmuKernelLayout;

/* The built-in layout for a release ("6.1.0-56-amd64"); FALSE when the
 * release names no version (then roles stay raw). */
gboolean kvmmmu_layout_builtin(const char *release, KvmmmuKernelLayout *out);

/* The field named name, or NULL. */
const KvmmmuRoleField *kvmmmu_layout_field(const KvmmmuKernelLayout *layout, const char *name);

/* Append the decoded word: "level=4 quadrant=0 access=wux" then each other
 * field that is not zero, by its kernel name ("has_4_byte_gpte", "smm=1").
 * Access reads as kvmmmu_access_letters() spells it for the field's width. */
void kvmmmu_role_decode(const KvmmmuKernelLayout *layout, guint32 word, GString *out);

/* The role's access field as kvm_mmu_prepare_zap_page prints it, by the
 * field's width in bits:
 *   3 (to 7.1): ACC_EXEC=1 ACC_WRITE=2 ACC_USER=4, "wux" order: 5 is "-ux";
 *   4 (7.2 on): ACC_READ=1 ACC_WRITE=2 ACC_USER=4 ACC_EXEC=8, "rwux" order:
 *               11 is "rw-x".
 * NULL for another width or a value that does not fit it. */
const char *kvmmmu_access_letters(guint bits, guint value);

/* The other way: the width and value the kernel's letters name (3 or 4
 * letters, as above); FALSE when they are no entry of either table. */
gboolean kvmmmu_access_parse(const char *letters, guint *bits, guint *value);

/* A role as kvm_mmu_prepare_zap_page prints it: level, gpte size,
 * quadrant, direct, access (raw value and the width of the letter table it
 * was printed with: 3 to 7.1, 4 from 7.2; 0 for letters of no table),
 * invalid, nxe, ad, and sync or unsync. */
typedef struct {
  guint level, bytes, quadrant;
  guint access, access_bits;
  char access_letters[8];    /* as printed, or as the kernel would print them */
  gboolean direct, invalid, nxe, ad, unsync;
} KvmmmuKernelRole;

/* Decode word (and the page's unsync) into what the kernel prints, reading
 * each field under every name the kernel has given it. */
void kvmmmu_role_like_kernel(const KvmmmuKernelLayout *layout, guint32 word, gboolean unsync,
                             KvmmmuKernelRole *out);
/* Append it as the tracepoint prints it, root_count aside (not recorded):
 * "l2 8-byte q0 w-x !nxe !ad sync", " direct" after q, " invalid" after access. */
void kvmmmu_kernel_role_print(const KvmmmuKernelRole *role, GString *out);
/* Every field the tracepoint prints agrees. */
gboolean kvmmmu_kernel_role_equal(const KvmmmuKernelRole *a, const KvmmmuKernelRole *b);

/* Two layouts have the same fields at the same bits (source aside). */
gboolean kvmmmu_layout_same_fields(const KvmmmuKernelLayout *a, const KvmmmuKernelLayout *b,
                                   GString *why);

#endif

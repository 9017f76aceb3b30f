/* SPDX-License-Identifier: GPL-2.0-or-later */
/* layout.c - the role layout and array bounds in a kernel's DWARF. */
/* g_debug() lines show with G_MESSAGES_DEBUG=kvmmmu (or all). */
#define G_LOG_DOMAIN "kvmmmu"
#include <dwarf.h>
#include <stdio.h>
#include <string.h>

#include "dwarf/layout.h"
#include "dwarf/object.h"

/* The type a DIE refers to, past typedefs and qualifiers. */
static gboolean
real_type(Dwarf_Die *die, Dwarf_Die *type)
{
  Dwarf_Attribute attr;

  if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, type))
    return FALSE;
  while (dwarf_tag(type) == DW_TAG_typedef || dwarf_tag(type) == DW_TAG_const_type ||
         dwarf_tag(type) == DW_TAG_volatile_type) {
    if (!dwarf_attr_integrate(type, DW_AT_type, &attr) || !dwarf_formref_die(&attr, type))
      return FALSE;
  }
  return TRUE;
}

static gboolean
attr_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *value)
{
  Dwarf_Attribute attr;

  return dwarf_attr_integrate(die, name, &attr) && dwarf_formudata(&attr, value) == 0;
}

/* A bitfield's offset from bit 0 of the union, little-endian. */
static gboolean
member_bits(Dwarf_Die *member, guint *offset, guint *size)
{
  Dwarf_Word bit_size, v, location = 0;

  if (!attr_udata(member, DW_AT_bit_size, &bit_size))
    return FALSE;
  attr_udata(member, DW_AT_data_member_location, &location);
  if (attr_udata(member, DW_AT_data_bit_offset, &v)) {
    /* DWARF 4+: from the start of the containing entity */
    *offset = v;
  } else if (attr_udata(member, DW_AT_bit_offset, &v)) {
    /* DWARF 2/3: from the most significant bit of the storage unit */
    Dwarf_Word unit;
    Dwarf_Die type;

    if (!attr_udata(member, DW_AT_byte_size, &unit)) {
      if (!real_type(member, &type) || !attr_udata(&type, DW_AT_byte_size, &unit))
        return FALSE;
    }
    *offset = location * 8 + unit * 8 - v - bit_size;
  } else
    *offset = location * 8;
  *size = bit_size;
  return TRUE;
}

/* union kvm_mmu_page_role { u32 word; struct { unsigned level:4; ... }; } */
static gboolean
read_role(Dwarf_Die *un, KvmmmuKernelLayout *out)
{
  Dwarf_Die member, st, field;

  out->n_fields = 0;
  if (dwarf_child(un, &member) != 0)
    return FALSE;
  do {
    if (dwarf_tag(&member) != DW_TAG_member || dwarf_diename(&member))
      continue;
    if (!real_type(&member, &st) || dwarf_tag(&st) != DW_TAG_structure_type ||
        dwarf_child(&st, &field) != 0)
      continue;
    do {
      const char *name = dwarf_diename(&field);
      guint offset, size;
      KvmmmuRoleField *rf;

      if (dwarf_tag(&field) != DW_TAG_member || !name || !member_bits(&field, &offset, &size))
        continue;
      if (out->n_fields == KVMMMU_ROLE_MAX_FIELDS || offset + size > 32)
        return FALSE;
      rf = &out->fields[out->n_fields++];
      g_strlcpy(rf->name, name, sizeof rf->name);
      rf->bit_offset = offset;
      rf->bit_size = size;
    } while (dwarf_siblingof(&field, &field) == 0);
  } while (dwarf_siblingof(&member, &member) == 0);
  return out->n_fields > 0;
}

/* Element count of struct's array member name, 0 when absent. */
static guint
array_bound(Dwarf_Die *st, const char *name)
{
  Dwarf_Die member, type, sub;
  Dwarf_Word n;

  if (dwarf_child(st, &member) != 0)
    return 0;
  do {
    if (dwarf_tag(&member) != DW_TAG_member || g_strcmp0(dwarf_diename(&member), name) != 0)
      continue;
    if (!real_type(&member, &type) || dwarf_tag(&type) != DW_TAG_array_type ||
        dwarf_child(&type, &sub) != 0 || dwarf_tag(&sub) != DW_TAG_subrange_type)
      return 0;
    if (attr_udata(&sub, DW_AT_count, &n))
      return n;
    if (attr_udata(&sub, DW_AT_upper_bound, &n))
      return n + 1;
    return 0;
  } while (dwarf_siblingof(&member, &member) == 0);
  return 0;
}

typedef struct {
  KvmmmuKernelLayout *out;
  gboolean have_role;
} LayoutScan;

static gboolean
scan_layout(Dwarf_Die *cu, Dwarf_Die *die, gpointer data)
{
  LayoutScan *scan = data;
  KvmmmuKernelLayout *out = scan->out;
  const char *name = dwarf_diename(die);
  int tag = dwarf_tag(die);

  if (!name || dwarf_hasattr(die, DW_AT_declaration))
    return TRUE;
  if (!scan->have_role && tag == DW_TAG_union_type && strcmp(name, "kvm_mmu_page_role") == 0)
    scan->have_role = read_role(die, out);
  else if (tag == DW_TAG_structure_type && !out->page_array_nr && strcmp(name, "kvm_mmu_pages") == 0)
    out->page_array_nr = array_bound(die, "page");
  else if (tag == DW_TAG_structure_type && !out->root_max_level &&
           strcmp(name, "mmu_page_path") == 0)
    out->root_max_level = array_bound(die, "parent");
  else if (tag == DW_TAG_structure_type && !out->num_prev_roots && strcmp(name, "kvm_mmu") == 0)
    out->num_prev_roots = array_bound(die, "prev_roots");
  /* stop once everything is found */
  return !(scan->have_role && out->page_array_nr && out->root_max_level && out->num_prev_roots);
}

gboolean
kvmmmu_dwarf_read_layout(const char *path, KvmmmuKernelLayout *out, GError **error)
{
  KvmmmuDwarfObject o;
  LayoutScan scan = { out, FALSE };
  const unsigned char *bits;
  GElf_Addr vaddr;
  gboolean ok = FALSE;
  int n;

  memset(out, 0, sizeof *out);
  g_debug("Reading DWARF: path=%s", path);
  if (!kvmmmu_dwarf_object_open(path, &o, error))
    goto out;
  kvmmmu_dwarf_object_visit(&o, scan_layout, &scan);
  if (!scan.have_role) {
    g_set_error(error, KVMMMU_DWARF_ERROR, 0,
                "Cannot find union kvm_mmu_page_role in the DWARF of path=%s%s%s", o.object,
                dwarf_errno() ? ": " : "", dwarf_errno() ? dwarf_errmsg(-1) : "");
    goto out;
  }
  n = dwfl_module_build_id(o.mod, &bits, &vaddr);
  for (int i = 0; i < n && (gsize)(2 * i + 2) < sizeof out->build_id; i++)
    snprintf(out->build_id + 2 * i, 3, "%02x", bits[i]);
  out->from_dwarf = TRUE;
  snprintf(out->source, sizeof out->source, "DWARF of %s", o.object);
  ok = TRUE;
out:
  kvmmmu_dwarf_object_close(&o);
  return ok;
}

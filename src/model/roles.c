/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include "model/roles.h"

typedef struct {
  const char *name;
  guint8 offset, size;
} Field;

/*
 * Each row is union kvm_mmu_page_role as arch/x86/include/asm/kvm_host.h
 * declares it in the kernel sources of the releases named (docs/kernels.md
 * has the same table): 4.19; 5.4 and 5.10 (gpte_is_8_bytes, nxe); 5.15
 * (efer_nx); 6.1 (has_4_byte_gpte, passthrough); 6.14, where is_mirror
 * came in with the TDX mirror page tables (the 6.14 KVM merge; 6.12 and
 * 6.13 have the 6.1 layout); 7.2 (MBEC/GMET: access is 4 bits and every
 * field above it moves up one, cr4_smep replaces smep_andnot_wp).  Bits
 * 0-3 are the level and 24-31 smm in all.
 */
static const Field layout_4_19[] = {
  { "level", 0, 4 }, { "cr4_pae", 4, 1 }, { "quadrant", 5, 2 }, { "direct", 7, 1 },
  { "access", 8, 3 }, { "invalid", 11, 1 }, { "nxe", 12, 1 }, { "cr0_wp", 13, 1 },
  { "smep_andnot_wp", 14, 1 }, { "smap_andnot_wp", 15, 1 }, { "ad_disabled", 16, 1 },
  { "guest_mode", 17, 1 }, { "smm", 24, 8 }, { NULL, 0, 0 }
};
static const Field layout_5_4[] = {
  { "level", 0, 4 }, { "gpte_is_8_bytes", 4, 1 }, { "quadrant", 5, 2 }, { "direct", 7, 1 },
  { "access", 8, 3 }, { "invalid", 11, 1 }, { "nxe", 12, 1 }, { "cr0_wp", 13, 1 },
  { "smep_andnot_wp", 14, 1 }, { "smap_andnot_wp", 15, 1 }, { "ad_disabled", 16, 1 },
  { "guest_mode", 17, 1 }, { "smm", 24, 8 }, { NULL, 0, 0 }
};
static const Field layout_5_15[] = {
  { "level", 0, 4 }, { "gpte_is_8_bytes", 4, 1 }, { "quadrant", 5, 2 }, { "direct", 7, 1 },
  { "access", 8, 3 }, { "invalid", 11, 1 }, { "efer_nx", 12, 1 }, { "cr0_wp", 13, 1 },
  { "smep_andnot_wp", 14, 1 }, { "smap_andnot_wp", 15, 1 }, { "ad_disabled", 16, 1 },
  { "guest_mode", 17, 1 }, { "smm", 24, 8 }, { NULL, 0, 0 }
};
static const Field layout_6_1[] = {
  { "level", 0, 4 }, { "has_4_byte_gpte", 4, 1 }, { "quadrant", 5, 2 }, { "direct", 7, 1 },
  { "access", 8, 3 }, { "invalid", 11, 1 }, { "efer_nx", 12, 1 }, { "cr0_wp", 13, 1 },
  { "smep_andnot_wp", 14, 1 }, { "smap_andnot_wp", 15, 1 }, { "ad_disabled", 16, 1 },
  { "guest_mode", 17, 1 }, { "passthrough", 18, 1 }, { "smm", 24, 8 }, { NULL, 0, 0 }
};
static const Field layout_6_14[] = {
  { "level", 0, 4 }, { "has_4_byte_gpte", 4, 1 }, { "quadrant", 5, 2 }, { "direct", 7, 1 },
  { "access", 8, 3 }, { "invalid", 11, 1 }, { "efer_nx", 12, 1 }, { "cr0_wp", 13, 1 },
  { "smep_andnot_wp", 14, 1 }, { "smap_andnot_wp", 15, 1 }, { "ad_disabled", 16, 1 },
  { "guest_mode", 17, 1 }, { "passthrough", 18, 1 }, { "is_mirror", 19, 1 },
  { "smm", 24, 8 }, { NULL, 0, 0 }
};
static const Field layout_7_2[] = {
  { "level", 0, 4 }, { "has_4_byte_gpte", 4, 1 }, { "quadrant", 5, 2 }, { "direct", 7, 1 },
  { "access", 8, 4 }, { "invalid", 12, 1 }, { "efer_nx", 13, 1 }, { "cr0_wp", 14, 1 },
  { "smap_andnot_wp", 15, 1 }, { "ad_disabled", 16, 1 }, { "guest_mode", 17, 1 },
  { "passthrough", 18, 1 }, { "is_mirror", 19, 1 }, { "cr4_smep", 20, 1 },
  { "smm", 24, 8 }, { NULL, 0, 0 }
};

static const struct {
  guint from; /* major * 1000 + minor, first release with this layout */
  const char *what;
  const Field *fields;
} builtin[] = {
  { 4019, "4.19 to 5.3", layout_4_19 },
  { 5004, "5.4 to 5.14", layout_5_4 },
  { 5015, "5.15 to 6.0", layout_5_15 },
  { 6001, "6.1 to 6.13", layout_6_1 },
  { 6014, "6.14 to 7.1", layout_6_14 },
  { 7002, "7.2 on", layout_7_2 },
};

/* kvm_mmu_prepare_zap_page's access_str, by the width of the access field
 * (arch/x86/kvm/mmu/mmutrace.h).  To 7.1 three letters in "wux" order
 * from ACC_EXEC_MASK=1; from 7.2 four in "rwux" order from ACC_READ_MASK=1. */
static const char *const access_wux[8] = {
  "---", "--x", "w--", "w-x", "-u-", "-ux", "wu-", "wux"
};
static const char *const access_rwux[16] = {
  "----", "r---", "-w--", "rw--", "--u-", "r-u-", "-wu-", "rwu-",
  "---x", "r--x", "-w-x", "rw-x", "--ux", "r-ux", "-wux", "rwux"
};

const char *
kvmmmu_access_letters(guint bits, guint value)
{
  if (bits == 3 && value < G_N_ELEMENTS(access_wux))
    return access_wux[value];
  if (bits == 4 && value < G_N_ELEMENTS(access_rwux))
    return access_rwux[value];
  return NULL;
}

gboolean
kvmmmu_access_parse(const char *letters, guint *bits, guint *value)
{
  for (guint v = 0; v < G_N_ELEMENTS(access_wux); v++)
    if (strcmp(letters, access_wux[v]) == 0) {
      *bits = 3;
      *value = v;
      return TRUE;
    }
  for (guint v = 0; v < G_N_ELEMENTS(access_rwux); v++)
    if (strcmp(letters, access_rwux[v]) == 0) {
      *bits = 4;
      *value = v;
      return TRUE;
    }
  return FALSE;
}

gboolean
kvmmmu_layout_builtin(const char *release, KvmmmuKernelLayout *out)
{
  unsigned major, minor;
  guint v;
  int pick = -1;

  memset(out, 0, sizeof *out);
  if (!release || sscanf(release, "%u.%u", &major, &minor) != 2)
    return FALSE;
  v = major * 1000 + minor;
  for (guint i = 0; i < G_N_ELEMENTS(builtin); i++)
    if (v >= builtin[i].from)
      pick = i;
  if (pick < 0)
    return FALSE;
  for (const Field *f = builtin[pick].fields; f->name; f++) {
    KvmmmuRoleField *rf = &out->fields[out->n_fields++];

    g_strlcpy(rf->name, f->name, sizeof rf->name);
    rf->bit_offset = f->offset;
    rf->bit_size = f->size;
  }
  snprintf(out->source, sizeof out->source, "built-in table for %s (release %s)",
           builtin[pick].what, release);
  /* Stable since 4.19 (docs/kernels.md). */
  out->page_array_nr = 16;
  out->root_max_level = 5;
  out->num_prev_roots = 3;
  return TRUE;
}

const KvmmmuRoleField *
kvmmmu_layout_field(const KvmmmuKernelLayout *l, const char *name)
{
  for (guint i = 0; i < l->n_fields; i++)
    if (strcmp(l->fields[i].name, name) == 0)
      return &l->fields[i];
  return NULL;
}

static guint32
field_value(const KvmmmuRoleField *f, guint32 word)
{
  guint32 mask = f->bit_size >= 32 ? 0xffffffffu : (1u << f->bit_size) - 1;

  return (word >> f->bit_offset) & mask;
}

void
kvmmmu_role_decode(const KvmmmuKernelLayout *l, guint32 word, GString *out)
{
  const KvmmmuRoleField *level = kvmmmu_layout_field(l, "level");
  const KvmmmuRoleField *quadrant = kvmmmu_layout_field(l, "quadrant");
  const KvmmmuRoleField *access = kvmmmu_layout_field(l, "access");
  gsize start = out->len;

  if (level)
    g_string_append_printf(out, "level=%u", field_value(level, word));
  if (quadrant)
    g_string_append_printf(out, " quadrant=%u", field_value(quadrant, word));
  if (access) {
    guint v = field_value(access, word);
    const char *letters = kvmmmu_access_letters(access->bit_size, v);

    /* a width no kernel printed letters for: the number */
    if (letters)
      g_string_append_printf(out, " access=%s", letters);
    else
      g_string_append_printf(out, " access=%u", v);
  }
  for (guint i = 0; i < l->n_fields; i++) {
    const KvmmmuRoleField *f = &l->fields[i];
    guint32 v;

    if (f == level || f == quadrant || f == access)
      continue;
    v = field_value(f, word);
    if (v == 0)
      continue;
    if (out->len > start)
      g_string_append_c(out, ' ');
    if (f->bit_size == 1)
      g_string_append(out, f->name);
    else
      g_string_append_printf(out, "%s=%u", f->name, v);
  }
}

/* A field's value by name; found says whether the layout has it. */
static guint
named_value(const KvmmmuKernelLayout *l, guint32 word, const char *name, gboolean *found)
{
  const KvmmmuRoleField *f = kvmmmu_layout_field(l, name);

  *found = f != NULL;
  return f ? field_value(f, word) : 0;
}

void
kvmmmu_role_like_kernel(const KvmmmuKernelLayout *l, guint32 word, gboolean unsync,
                        KvmmmuKernelRole *r)
{
  const KvmmmuRoleField *access = kvmmmu_layout_field(l, "access");
  gboolean f;
  guint v;

  memset(r, 0, sizeof *r);
  r->level = named_value(l, word, "level", &f);
  r->quadrant = named_value(l, word, "quadrant", &f);
  if (access) {
    const char *letters;

    r->access = field_value(access, word);
    r->access_bits = access->bit_size;
    letters = kvmmmu_access_letters(r->access_bits, r->access);
    g_strlcpy(r->access_letters, letters ? letters : "?", sizeof r->access_letters);
  } else
    g_strlcpy(r->access_letters, "?", sizeof r->access_letters);
  r->direct = named_value(l, word, "direct", &f);
  r->invalid = named_value(l, word, "invalid", &f);
  /* the gpte-size bit under each of its names, with its own polarity */
  v = named_value(l, word, "has_4_byte_gpte", &f);
  if (f)
    r->bytes = v ? 4 : 8;
  else {
    v = named_value(l, word, "gpte_is_8_bytes", &f);
    if (!f)
      v = named_value(l, word, "cr4_pae", &f);
    r->bytes = v ? 8 : 4;
  }
  v = named_value(l, word, "efer_nx", &f);
  if (!f)
    v = named_value(l, word, "nxe", &f);
  r->nxe = v;
  r->ad = !named_value(l, word, "ad_disabled", &f);
  r->unsync = unsync;
}

void
kvmmmu_kernel_role_print(const KvmmmuKernelRole *r, GString *out)
{
  g_string_append_printf(out, "l%u %u-byte q%u%s %s%s %snxe %sad %s", r->level, r->bytes,
                         r->quadrant, r->direct ? " direct" : "", r->access_letters,
                         r->invalid ? " invalid" : "", r->nxe ? "" : "!", r->ad ? "" : "!",
                         r->unsync ? "unsync" : "sync");
}

gboolean
kvmmmu_kernel_role_equal(const KvmmmuKernelRole *a, const KvmmmuKernelRole *b)
{
  return a->level == b->level && a->bytes == b->bytes && a->quadrant == b->quadrant &&
         a->access_bits && a->access_bits == b->access_bits && a->access == b->access &&
         a->direct == b->direct && a->invalid == b->invalid && a->nxe == b->nxe &&
         a->ad == b->ad && a->unsync == b->unsync;
}

gboolean
kvmmmu_layout_same_fields(const KvmmmuKernelLayout *a, const KvmmmuKernelLayout *b, GString *why)
{
  gboolean same = TRUE;

  for (guint i = 0; i < a->n_fields; i++) {
    const KvmmmuRoleField *fa = &a->fields[i];
    const KvmmmuRoleField *fb = kvmmmu_layout_field(b, fa->name);

    if (!fb) {
      g_string_append_printf(why, "%s only in the first; ", fa->name);
      same = FALSE;
    } else if (fa->bit_offset != fb->bit_offset || fa->bit_size != fb->bit_size) {
      g_string_append_printf(why, "%s at %u:%u vs %u:%u; ", fa->name, fa->bit_offset,
                             fa->bit_size, fb->bit_offset, fb->bit_size);
      same = FALSE;
    }
  }
  for (guint i = 0; i < b->n_fields; i++)
    if (!kvmmmu_layout_field(a, b->fields[i].name)) {
      g_string_append_printf(why, "%s only in the second; ", b->fields[i].name);
      same = FALSE;
    }
  return same;
}

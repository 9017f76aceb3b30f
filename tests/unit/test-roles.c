/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Role words decoded with the built-in layouts. */
#include <string.h>

#include "model/roles.h"

static void
check(const char *release, guint32 word, const char *want)
{
  KvmmmuKernelLayout l;
  g_autoptr(GString) out = g_string_new("");

  g_assert_true(kvmmmu_layout_builtin(release, &l));
  kvmmmu_role_decode(&l, word, out);
  g_assert_cmpstr(out->str, ==, want);
}

static void
test_decode(void)
{
  /* 0x3704: level 4, access 7, efer_nx and cr0_wp (the lab's 64-bit roots) */
  check("6.1.0-56-amd64", 0x3704, "level=4 quadrant=0 access=wux efer_nx cr0_wp");
  /* bit 4 is has_4_byte_gpte on 6.1+, gpte_is_8_bytes before, cr4_pae on 4.19:
   * the same bit, the kernel's own name, so the polarity reads right */
  check("6.12.117+deb12-amd64", 0x0011, "level=1 quadrant=0 access=--- has_4_byte_gpte");
  check("5.15.0-100-generic", 0x0011, "level=1 quadrant=0 access=--- gpte_is_8_bytes");
  check("4.19.0-27-amd64", 0x1011, "level=1 quadrant=0 access=--- cr4_pae nxe");
  check("5.10.0-30-amd64", 0x1000, "level=0 quadrant=0 access=--- nxe");
  /* 5.10 (bullseye) reads like 5.4: gpte_is_8_bytes at 4, nxe (not yet
   * efer_nx) at 12, a 64-bit root with every access bit */
  check("5.10.0-30-amd64", 0x3714, "level=4 quadrant=0 access=wux gpte_is_8_bytes nxe cr0_wp");
  /* passthrough only from 6.1; smm is 8 bits at 24 */
  check("6.1.0", 0x01040063, "level=3 quadrant=3 access=--- passthrough smm=1");
  check("6.1.0", 0x00080002, "level=2 quadrant=0 access=---");
}

/* is_mirror (bit 19) came with the TDX mirror page tables in 6.14. */
static void
test_is_mirror(void)
{
  check("6.12.117+deb12-amd64", 0x00080002, "level=2 quadrant=0 access=---");
  check("6.13.12", 0x00080002, "level=2 quadrant=0 access=---");
  check("6.14.0", 0x00080002, "level=2 quadrant=0 access=--- is_mirror");
  check("6.19.0", 0x00080002, "level=2 quadrant=0 access=--- is_mirror");
  check("7.1.4", 0x00080002, "level=2 quadrant=0 access=--- is_mirror");
  check("7.2.13+deb14-amd64", 0x00080002, "level=2 quadrant=0 access=---- is_mirror");
}

/* Up to 7.1 access is bits 8-10, ACC_EXEC_MASK=1 ACC_WRITE_MASK=2
 * ACC_USER_MASK=4, printed "wux"; bit 11 is invalid. */
static void
test_access_3bit(void)
{
  check("6.1.0-56-amd64", 0x3302, "level=2 quadrant=0 access=w-x efer_nx cr0_wp");
  check("6.1.0", 0x0100, "level=0 quadrant=0 access=--x");
  check("6.1.0", 0x0200, "level=0 quadrant=0 access=w--");
  check("6.1.0", 0x0400, "level=0 quadrant=0 access=-u-");
  check("6.1.0", 0x0800, "level=0 quadrant=0 access=--- invalid");
  check("7.1.0", 0x0500, "level=0 quadrant=0 access=-ux");
}

/* 7.2: access is bits 8-11, ACC_READ_MASK=1 ACC_WRITE_MASK=2
 * ACC_USER_MASK=4 ACC_EXEC_MASK=8, printed "rwux"; every later field is
 * one bit up, smep_andnot_wp is gone, cr4_smep is bit 20. */
static void
test_access_72(void)
{
  /* 0x6b02: level 2; bits 8-11 = 0xb = READ|WRITE|EXEC; bit 12 (invalid)
   * clear; bits 13 and 14 (efer_nx, cr0_wp) set */
  check("7.2.13+deb14-amd64", 0x6b02, "level=2 quadrant=0 access=rw-x efer_nx cr0_wp");
  check("7.2.0", 0x0100, "level=0 quadrant=0 access=r---");
  check("7.2.0", 0x0200, "level=0 quadrant=0 access=-w--");
  check("7.2.0", 0x0400, "level=0 quadrant=0 access=--u-");
  check("7.2.0", 0x0800, "level=0 quadrant=0 access=---x");
  /* level 4 | has_4_byte_gpte | quadrant 2 | direct | access 15 | invalid
   * | smap_andnot_wp | ad_disabled | guest_mode | passthrough | is_mirror
   * | cr4_smep | smm 1 */
  check("7.2.0", 0x04 | 0x10 | 0x40 | 0x80 | 0xf00 | 0x1000 | 0x8000 | 0x10000 | 0x20000 |
        0x40000 | 0x80000 | 0x100000 | 0x1000000,
        "level=4 quadrant=2 access=rwux has_4_byte_gpte direct invalid smap_andnot_wp "
        "ad_disabled guest_mode passthrough is_mirror cr4_smep smm=1");
  /* bits 21-23 are unused */
  check("7.2.0", 0x00e00000, "level=0 quadrant=0 access=----");
  /* the same word read with 7.1's layout is another role altogether */
  check("7.1.0", 0x6b02, "level=2 quadrant=0 access=w-x invalid cr0_wp smep_andnot_wp");
}

/* Each table both ways, against letters built here from the ACC_* bits. */
static void
test_access_letters(void)
{
  for (guint v = 0; v < 16; v++) {
    char want[5] = { v & 1 ? 'r' : '-', v & 2 ? 'w' : '-', v & 4 ? 'u' : '-', v & 8 ? 'x' : '-', 0 };
    guint bits = 0, value = 99;

    g_assert_cmpstr(kvmmmu_access_letters(4, v), ==, want);
    g_assert_true(kvmmmu_access_parse(want, &bits, &value));
    g_assert_cmpuint(bits, ==, 4);
    g_assert_cmpuint(value, ==, v);
  }
  for (guint v = 0; v < 8; v++) {
    char want[4] = { v & 2 ? 'w' : '-', v & 4 ? 'u' : '-', v & 1 ? 'x' : '-', 0 };
    guint bits = 0, value = 99;

    g_assert_cmpstr(kvmmmu_access_letters(3, v), ==, want);
    g_assert_true(kvmmmu_access_parse(want, &bits, &value));
    g_assert_cmpuint(bits, ==, 3);
    g_assert_cmpuint(value, ==, v);
  }
  g_assert_null(kvmmmu_access_letters(3, 8));
  g_assert_null(kvmmmu_access_letters(4, 16));
  g_assert_null(kvmmmu_access_letters(2, 0));
  g_assert_null(kvmmmu_access_letters(5, 0));
  {
    const char *const not_access[] = { "", "rwx", "wu", "rwuxx", "xuwr", "RW-X", "w-x ", "r--" };
    guint bits, value;

    for (guint i = 0; i < G_N_ELEMENTS(not_access); i++)
      g_assert_false(kvmmmu_access_parse(not_access[i], &bits, &value));
  }
}

static void
test_release(void)
{
  KvmmmuKernelLayout l;
  const KvmmmuRoleField *f;

  g_assert_false(kvmmmu_layout_builtin("unknown", &l));
  g_assert_false(kvmmmu_layout_builtin("4.4.0", &l));
  g_assert_true(kvmmmu_layout_builtin("7.0.0", &l));
  g_assert_nonnull(kvmmmu_layout_field(&l, "is_mirror"));
  g_assert_true(kvmmmu_layout_builtin("6.18.2", &l));
  g_assert_nonnull(kvmmmu_layout_field(&l, "is_mirror"));
  g_assert_true(strstr(l.source, "table for 6.14 to 7.1 (release 6.18.2)"));
  g_assert_true(kvmmmu_layout_builtin("6.13.0", &l));
  g_assert_null(kvmmmu_layout_field(&l, "is_mirror"));
  g_assert_true(strstr(l.source, "table for 6.1 to 6.13 (release 6.13.0)"));
  g_assert_cmpuint(l.page_array_nr, ==, 16);
  g_assert_true(kvmmmu_layout_builtin("7.2.13+deb14-amd64", &l));
  g_assert_true(strstr(l.source, "table for 7.2 on (release 7.2.13+deb14-amd64)"));
  g_assert_null(kvmmmu_layout_field(&l, "smep_andnot_wp"));
  f = kvmmmu_layout_field(&l, "access");
  g_assert_nonnull(f);
  g_assert_cmpuint(f->bit_offset, ==, 8);
  g_assert_cmpuint(f->bit_size, ==, 4);
  f = kvmmmu_layout_field(&l, "cr4_smep");
  g_assert_nonnull(f);
  g_assert_cmpuint(f->bit_offset, ==, 20);
  g_assert_true(kvmmmu_layout_builtin("7.1.9", &l));
  g_assert_cmpuint(kvmmmu_layout_field(&l, "access")->bit_size, ==, 3);
  g_assert_null(kvmmmu_layout_field(&l, "cr4_smep"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/roles/decode", test_decode);
  g_test_add_func("/roles/is-mirror", test_is_mirror);
  g_test_add_func("/roles/access-3bit", test_access_3bit);
  g_test_add_func("/roles/access-7.2", test_access_72);
  g_test_add_func("/roles/access-letters", test_access_letters);
  g_test_add_func("/roles/release", test_release);
  return g_test_run();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Role words decoded with the built-in layouts. */
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
  /* passthrough only from 6.1, is_mirror from 6.19; smm is 8 bits at 24 */
  check("6.1.0", 0x01040063, "level=3 quadrant=3 access=--- passthrough smm=1");
  check("6.19.0", 0x00080002, "level=2 quadrant=0 access=--- is_mirror");
  check("6.1.0", 0x00080002, "level=2 quadrant=0 access=---");
}

static void
test_release(void)
{
  KvmmmuKernelLayout l;

  g_assert_false(kvmmmu_layout_builtin("unknown", &l));
  g_assert_false(kvmmmu_layout_builtin("4.4.0", &l));
  g_assert_true(kvmmmu_layout_builtin("7.0.0", &l));
  g_assert_nonnull(kvmmmu_layout_field(&l, "is_mirror"));
  g_assert_true(kvmmmu_layout_builtin("6.18.2", &l));
  g_assert_null(kvmmmu_layout_field(&l, "is_mirror"));
  g_assert_cmpuint(l.page_array_nr, ==, 16);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/roles/decode", test_decode);
  g_test_add_func("/roles/release", test_release);
  return g_test_run();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tapsets' record formatters (kvmmmu_put_d, kvmmmu_put_x in
 * tapsets/kvmmmu_records.stp, the part between its "kvmmmu-formatters"
 * markers, compiled here in user space) print what stap's printf prints
 * for %d and %x of a long: the trace format's numbers, byte for byte.
 * They also stay within what they may write: nothing before the start,
 * nothing past KVMMMU_PUT_OVERRUN bytes beyond the digits. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#include "tapset-formatters.h"

#define CANARY 0x5a

/* Format v both ways into a buffer of canaries and compare. */
static void
check_one(u64 v)
{
  char want_d[32], want_x[32], buf[96];
  char *end;

  snprintf(want_d, sizeof want_d, "%" PRId64, (s64)v);
  snprintf(want_x, sizeof want_x, "%" PRIx64, v);

  memset(buf, CANARY, sizeof buf);
  end = kvmmmu_put_d(buf + 8, (s64)v);
  if ((gsize)(end - (buf + 8)) != strlen(want_d) || memcmp(buf + 8, want_d, strlen(want_d)) != 0)
    g_error("put_d(%" PRId64 ") wrote '%.*s', printf '%s'", (s64)v, (int)(end - buf - 8), buf + 8, want_d);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint(buf[i], ==, CANARY);
  for (gsize i = 8 + strlen(want_d) + KVMMMU_PUT_OVERRUN; i < sizeof buf; i++)
    g_assert_cmpint(buf[i], ==, CANARY);

  memset(buf, CANARY, sizeof buf);
  end = kvmmmu_put_x(buf + 8, v);
  if ((gsize)(end - (buf + 8)) != strlen(want_x) || memcmp(buf + 8, want_x, strlen(want_x)) != 0)
    g_error("put_x(%" PRIx64 ") wrote '%.*s', printf '%s'", v, (int)(end - buf - 8), buf + 8, want_x);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint(buf[i], ==, CANARY);
  for (gsize i = 8 + strlen(want_x) + KVMMMU_PUT_OVERRUN; i < sizeof buf; i++)
    g_assert_cmpint(buf[i], ==, CANARY);
}

/* Every length: each power of 2 and of 10, and its neighbours, both signs;
 * the limits; every single hex digit in every position. */
static void
test_edges(void)
{
  u64 p10 = 1;

  for (int b = 0; b < 64; b++)
    for (int d = -1; d <= 1; d++) {
      check_one((1ULL << b) + d);
      check_one(-((1ULL << b) + d));
    }
  for (int k = 0; k < 20; k++, p10 *= 10)
    for (int d = -1; d <= 1; d++) {
      check_one(p10 + d);
      check_one(-(p10 + d));
    }
  check_one(0);
  check_one(INT64_MAX);
  check_one((u64)INT64_MIN);
  check_one(UINT64_MAX);
  for (int pos = 0; pos < 16; pos++)
    for (u64 nib = 0; nib < 16; nib++)
      check_one(nib << (4 * pos));
}

/* Random values of every bit length, a fixed seed. */
static void
test_random(void)
{
  GRand *r = g_rand_new_with_seed(20261125);

  for (int i = 0; i < 2000000; i++) {
    u64 v = (u64)g_rand_int(r) << 32 | g_rand_int(r);

    check_one(v >> g_rand_int_range(r, 0, 64));
  }
  g_rand_free(r);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tapset-format/edges", test_edges);
  g_test_add_func("/tapset-format/random", test_random);
  return g_test_run();
}

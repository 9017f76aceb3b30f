/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tapset-side.c - see tapset-side.h.  tapset-formatters.h is made by the
 * build: the C of tapsets/kvmmmu_format.stpm, then the "kvmmmu-formatters"
 * part of tapsets/kvmmmu_runtime.stp. */
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#include "tapset-formatters.h"
#include "tapset-side.h"

static TapsetKind kinds[KVMMMU_N_KINDS];

const TapsetKind *
tapset_kind(unsigned kind)
{
  if (kind >= KVMMMU_N_KINDS)
    return NULL;
  kinds[kind].keyword = kvmmmu_kinds[kind].keyword;
  kinds[kind].fields = kvmmmu_kinds[kind].fields;
  kinds[kind].items = kvmmmu_kinds[kind].items;
  kinds[kind].n_fields = kvmmmu_kinds[kind].n_fields;
  kinds[kind].n_items = kvmmmu_kinds[kind].n_items;
  kinds[kind].max_items = kvmmmu_kinds[kind].max_items;
  kinds[kind].count_field = kvmmmu_kinds[kind].count_field;
  return &kinds[kind];
}

unsigned
tapset_n_kinds(void)
{
  return KVMMMU_N_KINDS;
}

int
tapset_kind_of(const char *keyword)
{
  for (unsigned k = 0; k < KVMMMU_N_KINDS; k++)
    if (strcmp(kvmmmu_kinds[k].keyword, keyword) == 0)
      return (int)k;
  return -1;
}

const char *
tapset_header_keyword(void)
{
  return KVMMMU_HEADER_KEYWORD;
}

int
tapset_format_version(void)
{
  return KVMMMU_FORMAT_VERSION;
}

char *tapset_put_d(char *p, int64_t v) { return kvmmmu_put_d(p, v); }
char *tapset_put_u(char *p, uint64_t v) { return kvmmmu_put_u(p, v); }
char *tapset_put_x(char *p, uint64_t v) { return kvmmmu_put_x(p, v); }

char *
tapset_fmt_record(char *p, unsigned kind, int64_t ts, int cpu, uint64_t seq,
                  const uint64_t *f, const uint64_t *items, unsigned n)
{
  return kvmmmu_fmt_record(p, kind, ts, cpu, seq, f, items, n);
}

const unsigned tapset_put_overrun = KVMMMU_PUT_OVERRUN, tapset_line_max = KVMMMU_LINE_MAX;
const unsigned tapset_walk_walk = KVMMMU_WALK_WALK, tapset_walk_nr = KVMMMU_WALK_NR;
const unsigned tapset_step_walk = KVMMMU_STEP_WALK, tapset_step_i = KVMMMU_STEP_I;

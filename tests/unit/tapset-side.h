/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tapset-side.h - the tapsets' record formatter and kind table, compiled in
 * user space from tapsets/kvmmmu_runtime.stp and the generated
 * tapsets/kvmmmu_format.stpm (tapset-side.c), for test-tapset-format.
 * A separate unit: the tapsets' C names and the reader's overlap. */
#ifndef KVMMMU_TESTS_TAPSET_SIDE_H
#define KVMMMU_TESTS_TAPSET_SIDE_H

#include <stdint.h>

typedef struct {
  const char *keyword, *fields, *items;
  unsigned n_fields, n_items, max_items, count_field;
} TapsetKind;

/* The kinds of the tapsets' table, in its order; NULL past the end. */
const TapsetKind *tapset_kind(unsigned kind);
unsigned tapset_n_kinds(void);
/* The kind number of the generated enum for a keyword, -1 when none. */
int tapset_kind_of(const char *keyword);
const char *tapset_header_keyword(void);
int tapset_format_version(void);

char *tapset_put_d(char *p, int64_t v);
char *tapset_put_u(char *p, uint64_t v);
char *tapset_put_x(char *p, uint64_t v);
/* kvmmmu_fmt_record(): one event line from p, its end returned. */
char *tapset_fmt_record(char *p, unsigned kind, int64_t ts, int cpu, uint64_t seq,
                        const uint64_t *f, const uint64_t *items, unsigned n);
extern const unsigned tapset_put_overrun, tapset_line_max;

/* Where the walk and step fields the reader's structure checks need are
 * (the generated KVMMMU_<KIND>_<FIELD> positions). */
extern const unsigned tapset_walk_walk, tapset_walk_nr, tapset_step_walk, tapset_step_i;

#endif

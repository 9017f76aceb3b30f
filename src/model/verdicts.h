/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdicts.h - the results of check: one line each, ok, failed or a note. */
#ifndef KVMMMU_MODEL_VERDICTS_H
#define KVMMMU_MODEL_VERDICTS_H

#include <glib.h>

typedef enum {
  KVMMMU_VERDICT_OK,
  KVMMMU_VERDICT_FAIL,
  KVMMMU_VERDICT_INFO, /* a note that passes no judgement */
} KvmmmuVerdictKind;

#define KVMMMU_VERDICT_MAX_NUMBERS 6

/* A number a verdict rests on, for machine output. */
typedef struct {
  const char *name;  /* static */
  guint64 value;
} KvmmmuVerdictNumber;

typedef struct {
  KvmmmuVerdictKind kind;
  const char *id;    /* static, stable: "walks_depth_first" */
  char *what;        /* the sentence text output prints */
  KvmmmuVerdictNumber numbers[KVMMMU_VERDICT_MAX_NUMBERS];
  guint n_numbers;
} KvmmmuVerdict;

typedef struct {
  GArray *list;  /* KvmmmuVerdict, in the order made */
  guint passed, failed;
} KvmmmuVerdicts;

KvmmmuVerdicts *kvmmmu_verdicts_new(void);
void kvmmmu_verdicts_free(KvmmmuVerdicts *v);
/* ok, fail or (info) note what fmt says, under a stable id */
void kvmmmu_verdicts_add(KvmmmuVerdicts *v, KvmmmuVerdictKind kind, const char *id,
                         const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* A number the last verdict rests on (name is static); past
 * KVMMMU_VERDICT_MAX_NUMBERS a programming error, not kept. */
void kvmmmu_verdicts_number(KvmmmuVerdicts *v, const char *name, guint64 value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuVerdicts, kvmmmu_verdicts_free)

#endif

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

typedef struct {
  KvmmmuVerdictKind kind;
  char *what;
} KvmmmuVerdict;

typedef struct {
  GArray *list;  /* KvmmmuVerdict, in the order made */
  guint passed, failed;
} KvmmmuVerdicts;

KvmmmuVerdicts *kvmmmu_verdicts_new(void);
void kvmmmu_verdicts_free(KvmmmuVerdicts *v);
/* ok, fail or (info) note what fmt says */
void kvmmmu_verdicts_add(KvmmmuVerdicts *v, KvmmmuVerdictKind kind, const char *fmt, ...)
  G_GNUC_PRINTF(3, 4);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuVerdicts, kvmmmu_verdicts_free)

#endif

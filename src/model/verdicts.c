/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "model/verdicts.h"

static void
verdict_clear(gpointer p)
{
  g_free(((KvmmmuVerdict *)p)->what);
}

KvmmmuVerdicts *
kvmmmu_verdicts_new(void)
{
  KvmmmuVerdicts *v = g_new0(KvmmmuVerdicts, 1);

  v->list = g_array_new(FALSE, FALSE, sizeof(KvmmmuVerdict));
  g_array_set_clear_func(v->list, verdict_clear);
  return v;
}

void
kvmmmu_verdicts_free(KvmmmuVerdicts *v)
{
  if (!v)
    return;
  g_array_unref(v->list);
  g_free(v);
}

void
kvmmmu_verdicts_add(KvmmmuVerdicts *v, KvmmmuVerdictKind kind, const char *id,
                    const char *fmt, ...)
{
  KvmmmuVerdict one = { .kind = kind, .id = id };
  va_list ap;

  va_start(ap, fmt);
  one.what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_array_append_val(v->list, one);
  if (kind == KVMMMU_VERDICT_OK)
    v->passed++;
  else if (kind == KVMMMU_VERDICT_FAIL)
    v->failed++;
}

void
kvmmmu_verdicts_number(KvmmmuVerdicts *v, const char *name, guint64 value)
{
  KvmmmuVerdict *last;

  g_return_if_fail(v->list->len > 0);
  last = &g_array_index(v->list, KvmmmuVerdict, v->list->len - 1);
  g_return_if_fail(last->n_numbers < KVMMMU_VERDICT_MAX_NUMBERS);
  last->numbers[last->n_numbers].name = name;
  last->numbers[last->n_numbers].value = value;
  last->n_numbers++;
}

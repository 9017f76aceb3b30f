/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.c - check's verdicts as text, CSV and JSON. */
#include "render/render-private.h"

static const char *
kind_word(KvmmmuVerdictKind k)
{
  return k == KVMMMU_VERDICT_OK ? "ok" : k == KVMMMU_VERDICT_FAIL ? "fail" : "info";
}

void
kvmmmu_render_verdicts_text(GString *out, const KvmmmuVerdicts *v)
{
  for (guint i = 0; i < v->list->len; i++) {
    const KvmmmuVerdict *one = &g_array_index(v->list, KvmmmuVerdict, i);

    g_string_append_printf(out, "%-4s %s\n", one->kind == KVMMMU_VERDICT_FAIL ? "FAIL" : kind_word(one->kind),
                           one->what);
  }
  g_string_append_printf(out, "check: %u passed, %u failed\n", v->passed, v->failed);
}

void
kvmmmu_render_verdicts_csv(GString *out, const KvmmmuVerdicts *v)
{
  g_string_append(out, "result,id,check\n");
  for (guint i = 0; i < v->list->len; i++) {
    const KvmmmuVerdict *one = &g_array_index(v->list, KvmmmuVerdict, i);
    g_autofree char *quoted = kvmmmu_csv_quote(one->what);

    g_string_append_printf(out, "%s,%s,%s\n", kind_word(one->kind), one->id, quoted);
  }
}

KvmmmuJson *
kvmmmu_render_verdicts_json(const KvmmmuVerdicts *v)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_member(b, "checks");
  kvmmmu_json_begin_array(b);
  for (guint i = 0; i < v->list->len; i++) {
    const KvmmmuVerdict *one = &g_array_index(v->list, KvmmmuVerdict, i);

    kvmmmu_json_begin_object(b);
    kvmmmu_json_string(b, "id", one->id);
    kvmmmu_json_string(b, "result", kind_word(one->kind));
    kvmmmu_json_string(b, "what", one->what);
    kvmmmu_json_member(b, "numbers");
    kvmmmu_json_begin_object(b);
    for (guint k = 0; k < one->n_numbers; k++)
      kvmmmu_json_uint(b, one->numbers[k].name, one->numbers[k].value);
    kvmmmu_json_end_object(b);
    kvmmmu_json_end_object(b);
  }
  kvmmmu_json_end_array(b);
  kvmmmu_json_int(b, "passed", v->passed);
  kvmmmu_json_int(b, "failed", v->failed);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

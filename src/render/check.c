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
  g_string_append(out, "result,check\n");
  for (guint i = 0; i < v->list->len; i++) {
    const KvmmmuVerdict *one = &g_array_index(v->list, KvmmmuVerdict, i);
    g_auto(GStrv) parts = g_strsplit(one->what, "\"", -1);
    g_autofree char *quoted = g_strjoinv("\"\"", parts);

    g_string_append_printf(out, "%s,\"%s\"\n", kind_word(one->kind), quoted);
  }
}

JsonNode *
kvmmmu_render_verdicts_json(const KvmmmuVerdicts *v)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "checks");
  json_builder_begin_array(b);
  for (guint i = 0; i < v->list->len; i++) {
    const KvmmmuVerdict *one = &g_array_index(v->list, KvmmmuVerdict, i);

    json_builder_begin_object(b);
    kvmmmu_json_string(b, "result", kind_word(one->kind));
    kvmmmu_json_string(b, "what", one->what);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  kvmmmu_json_int(b, "passed", v->passed);
  kvmmmu_json_int(b, "failed", v->failed);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "render/common.h"
#include "render/render-private.h"

void
kvmmmu_render_reltime(GString *out, guint64 ts_ns, guint64 origin_ns)
{
  guint64 d = ts_ns >= origin_ns ? ts_ns - origin_ns : origin_ns - ts_ns;
  char *p = kvmmmu_text_reserve(out, sizeof "+.s" + KVMMMU_U64_MAX + 6);

  /* Every walk of --tree starts with one, so no printf here either. */
  p = kvmmmu_put_char(p, ts_ns >= origin_ns ? '+' : '-');
  p = kvmmmu_put_u64(p, d / 1000000000u);
  p = kvmmmu_put_char(p, '.');
  p = kvmmmu_put_u32_06(p, (d % 1000000000u) / 1000u);
  p = kvmmmu_put_char(p, 's');
  kvmmmu_text_commit(out, p);
}

void
kvmmmu_json_hex(JsonBuilder *b, const char *name, guint64 v)
{
  g_autofree char *s = g_strdup_printf(X64, v);

  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, s);
}

void
kvmmmu_json_int(JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

void
kvmmmu_json_double(JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name(b, name);
  json_builder_add_double_value(b, v);
}

void
kvmmmu_json_string(JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, v);
}

char *
kvmmmu_render_json_to_string(JsonNode *node, gboolean pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new();

  json_generator_set_root(gen, node);
  json_generator_set_pretty(gen, pretty);
  return json_generator_to_data(gen, NULL);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "render/common.h"
#include "render/render-private.h"

void
kvmmmu_render_reltime(GString *out, guint64 ts_ns, guint64 origin_ns)
{
  guint64 d = ts_ns >= origin_ns ? ts_ns - origin_ns : origin_ns - ts_ns;
  char *p = kvmmmu_text_reserve(out, sizeof "+.s" + KVMMMU_U64_MAX + 6);

  /* Every walk of --tree starts with one, so no printf here either.  No
   * origin (--abs-time): the records' own clock, unsigned. */
  if (origin_ns != 0)
    p = kvmmmu_put_char(p, ts_ns >= origin_ns ? '+' : '-');
  p = kvmmmu_put_u64(p, d / 1000000000u);
  p = kvmmmu_put_char(p, '.');
  p = kvmmmu_put_u32_06(p, (d % 1000000000u) / 1000u);
  p = kvmmmu_put_char(p, 's');
  kvmmmu_text_commit(out, p);
}

void
kvmmmu_render_reltime_number(GString *out, guint64 ts_ns, guint64 origin_ns)
{
  kvmmmu_render_reltime(out, ts_ns, origin_ns);
  g_string_truncate(out, out->len - 1); /* the unit */
}

void
kvmmmu_json_hex(KvmmmuJsonBuilder *b, const char *name, guint64 v)
{
  char s[17];

  g_snprintf(s, sizeof s, X64, v);
  kvmmmu_json_string(b, name, s);
}

char *
kvmmmu_render_json_to_string(const KvmmmuJson *node, gboolean pretty)
{
  GString *out = g_string_new("");

  kvmmmu_json_write(out, node, pretty);
  return g_string_free(out, FALSE);
}

const char *
kvmmmu_render_at_least(guint64 count)
{
  return count == KVMMMU_COUNT_SATURATED ? "at least " : "";
}

char *
kvmmmu_csv_quote(const char *field)
{
  GString *out;

  if (!strpbrk(field, ",\"\r\n"))
    return g_strdup(field);
  out = g_string_new("\"");
  for (const char *p = field; *p; p++) {
    if (*p == '"')
      g_string_append_c(out, '"');
    g_string_append_c(out, *p);
  }
  g_string_append_c(out, '"');
  return g_string_free(out, FALSE);
}

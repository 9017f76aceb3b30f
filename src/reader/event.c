/* SPDX-License-Identifier: GPL-2.0-or-later */
/* event.c - the full parser's event records: each field checked, as the
 * capture's version lays the kind's line out (reader-private.h). */
#include "reader/reader-private.h"

void
kvmmmu_reader_bad(KvmmmuReader *r, const char *kind, const char *reason, const char *fmt, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start(ap, fmt);
  what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  kvmmmu_diag_add(r->diag, r->name, r->line, kind, reason, "%s", what);
}

static gboolean
parse_common(KvmmmuReader *r, const KvmmmuKindSpec *spec, const Token *tok,
             KvmmmuRecord *rec)
{
  guint n_common;
  const KvmmmuFieldSpec *common = kvmmmu_common_field_specs(&n_common);

  for (guint i = 0; i < n_common; i++) {
    if (!kvmmmu_field_parse(&common[i], tok[1 + i].s, tok[1 + i].n, 0, (guint8 *)rec)) {
      g_autofree char *got = kvmmmu_field_token_dup(&tok[1 + i]);
      g_autofree char *reason = g_strdup_printf("%s:%s", spec->keyword, common[i].name);
      kvmmmu_reader_bad(r, spec->keyword, reason, "field %u (%s): expected %s, got %s", 2 + i,
          common[i].name, kvmmmu_field_expectation(common[i].type), got);
      return FALSE;
    }
  }
  r->line_has_seq = TRUE;
  return TRUE;
}

/* The kind's own fields in a capture of this version. */
static inline guint
fields_in(const KvmmmuKindSpec *spec, guint32 version)
{
  guint n = 0;

  for (guint i = 0; i < spec->n_fields; i++)
    n += spec->fields[i].since <= version;
  return n;
}

gboolean
kvmmmu_reader_parse_event(KvmmmuReader *r, const KvmmmuKindSpec *spec, const Token *tok,
                          int ntok, KvmmmuRecord *rec)
{
  guint n_common;
  const KvmmmuFieldSpec *common G_GNUC_UNUSED = kvmmmu_common_field_specs(&n_common);
  const int first = 1 + n_common; /* token of the kind's first own field */
  const int n_fixed = first + fields_in(spec, r->version);
  guint8 *base = (guint8 *)&rec->u;
  guint32 n_items = 0;
  int at = first;

  if (ntok < n_fixed) {
    g_autofree char *reason = g_strdup_printf("%s:short", spec->keyword);
    kvmmmu_reader_bad(r, spec->keyword, reason,
        "expected at least %d fields, got %d (line cut short?)", n_fixed, ntok);
    return FALSE;
  }
  if (!parse_common(r, spec, tok, rec))
    return FALSE;
  for (guint i = 0; i < spec->n_fields; i++) {
    const KvmmmuFieldSpec *f = &spec->fields[i];
    const Token *t = &tok[at];

    if (f->since > r->version)
      continue; /* not in this version's lines: stays 0 */
    at++;
    if (!kvmmmu_field_parse(f, t->s, t->n, spec->max_items, base)) {
      g_autofree char *got = kvmmmu_field_token_dup(t);
      g_autofree char *reason = g_strdup_printf("%s:%s", spec->keyword, f->name);
      if (f->type == KVMMMU_FIELD_COUNT)
        kvmmmu_reader_bad(r, spec->keyword, reason,
            "field %d (%s): expected a count from 0 to %u, got %s", at, f->name,
            spec->max_items, got);
      else
        kvmmmu_reader_bad(r, spec->keyword, reason, "field %d (%s): expected %s, got %s", at, f->name,
            kvmmmu_field_expectation(f->type), got);
      return FALSE;
    }
    if (f->type == KVMMMU_FIELD_COUNT)
      n_items = *(guint32 *)(base + f->offset);
  }
  if (ntok != n_fixed + (int)n_items) {
    g_autofree char *reason = g_strdup_printf("%s:items", spec->keyword);
    kvmmmu_reader_bad(r, spec->keyword, reason,
        "expected %u item%s after the count, got %d%s", n_items,
        n_items == 1 ? "" : "s", ntok - n_fixed,
        ntok < n_fixed + (int)n_items ? " (line cut short?)" : "");
    return FALSE;
  }
  for (guint k = 0; k < n_items; k++) {
    const Token *t = &tok[n_fixed + k];
    Token sub[8];
    int nsub = kvmmmu_field_split(t->s, t->n, ',', sub, G_N_ELEMENTS(sub));
    guint8 *item = base + spec->items_offset + k * spec->item_size;

    if (nsub != (int)spec->n_item_fields) {
      g_autofree char *got = kvmmmu_field_token_dup(t);
      g_autofree char *reason = g_strdup_printf("%s:item", spec->keyword);
      kvmmmu_reader_bad(r, spec->keyword, reason, "item %u: expected %u comma-separated fields, got %s",
          k, spec->n_item_fields, got);
      return FALSE;
    }
    for (guint j = 0; j < spec->n_item_fields; j++) {
      const KvmmmuFieldSpec *f = &spec->item_fields[j];

      if (!kvmmmu_field_parse(f, sub[j].s, sub[j].n, 0, item)) {
        g_autofree char *got = kvmmmu_field_token_dup(&sub[j]);
        g_autofree char *reason = g_strdup_printf("%s:item:%s", spec->keyword, f->name);
        kvmmmu_reader_bad(r, spec->keyword, reason, "item %u field %s: expected %s, got %s", k,
            f->name, kvmmmu_field_expectation(f->type), got);
        return FALSE;
      }
    }
  }
  return TRUE;
}

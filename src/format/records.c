/* SPDX-License-Identifier: GPL-2.0-or-later */
/* records.c - tables generated from the record kinds in records.h. */
#include <stddef.h>
#include <string.h>

#include "format/records.h"

#define KVMMMU_X_FIELD_SPEC(S, name, type, ...)                            \
  { #name, KVMMMU_FIELD_##type, offsetof(S, name), KVMMMU_FIELD_SINCE(__VA_ARGS__) },
/* One bit per version a kind's fields came in: its highest is the kind's since. */
#define KVMMMU_X_FIELD_BIT(S, name, type, ...) | (1u << KVMMMU_FIELD_SINCE(__VA_ARGS__))

/* One field-spec array per kind and per item, from the same tables. */
#define KVMMMU_X_SPEC_ARRAYS(E, kw, N, F, I, M)                            \
  static const KvmmmuFieldSpec N##_fields[] = {                            \
    F(KVMMMU_X_FIELD_SPEC, Kvmmmu##N) { NULL, 0, 0, 0 } };                 \
  static const KvmmmuFieldSpec N##_item_fields[] = {                       \
    I(KVMMMU_X_FIELD_SPEC, Kvmmmu##N##Item) { NULL, 0, 0, 0 } };

KVMMMU_EVENT_KINDS(KVMMMU_X_SPEC_ARRAYS)

static const KvmmmuFieldSpec common_fields[] = {
  KVMMMU_COMMON_FIELDS(KVMMMU_X_FIELD_SPEC, KvmmmuRecord)
};

const KvmmmuFieldSpec *
kvmmmu_common_field_specs(guint *n_out)
{
  *n_out = G_N_ELEMENTS(common_fields);
  return common_fields;
}

static const KvmmmuKindSpec kind_specs[] = {
#define KVMMMU_X_KIND_SPEC(E, kw, N, F, I, M)                              \
  { KVMMMU_RECORD_##E, kw, N##_fields,                                     \
    G_N_ELEMENTS(N##_fields) - 1, N##_item_fields,                         \
    G_N_ELEMENTS(N##_item_fields) - 1, M, sizeof(Kvmmmu##N##Item),         \
    offsetof(Kvmmmu##N, items),                                            \
    31 - __builtin_clz(2u F(KVMMMU_X_FIELD_BIT, _)) },
  KVMMMU_EVENT_KINDS(KVMMMU_X_KIND_SPEC)
#undef KVMMMU_X_KIND_SPEC
};

const KvmmmuKindSpec *
kvmmmu_kind_specs(guint *n_out)
{
  *n_out = G_N_ELEMENTS(kind_specs);
  return kind_specs;
}

const KvmmmuKindSpec *
kvmmmu_kind_spec(KvmmmuRecordKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS(kind_specs); i++)
    if (kind_specs[i].kind == kind)
      return &kind_specs[i];
  return NULL;
}

const char *
kvmmmu_kind_name(KvmmmuRecordKind kind)
{
  const KvmmmuKindSpec *spec = kvmmmu_kind_spec(kind);

  if (spec)
    return spec->keyword;
  switch (kind) {
  case KVMMMU_RECORD_HEADER: return "header";
  case KVMMMU_RECORD_STAP_WARNING: return "stap-warning";
  case KVMMMU_RECORD_STAP_ERROR: return "stap-error";
  case KVMMMU_RECORD_STAP_TRANSPORT: return "stap-transport";
  case KVMMMU_RECORD_PROBE_HIT: return "probe-hit";
  case KVMMMU_RECORD_STAP_REPORT: return "stap-report";
  default: return "unknown";
  }
}

/* The names, once for both directions. */
#define SWITCH_HIT_NAME "hit"
#define SWITCH_MISS_NAME "miss"
#define SWITCH_UNKNOWN_NAME "-"

const char *
kvmmmu_switch_result_name(KvmmmuSwitchResult r)
{
  switch (r) {
  case KVMMMU_SWITCH_HIT: return SWITCH_HIT_NAME;
  case KVMMMU_SWITCH_MISS: return SWITCH_MISS_NAME;
  default: return SWITCH_UNKNOWN_NAME;
  }
}

gboolean
kvmmmu_switch_result_parse(const char *s, gsize n, guint8 *out)
{
  /* Compares of a constant length, which the compiler makes a load and a
   * compare each rather than a call: every switch record comes through
   * here, on the fast path too. */
#define SWITCH_RESULT_IS(name) (n == sizeof name - 1 && memcmp(s, name, sizeof name - 1) == 0)
  if (SWITCH_RESULT_IS(SWITCH_HIT_NAME))
    *out = KVMMMU_SWITCH_HIT;
  else if (SWITCH_RESULT_IS(SWITCH_MISS_NAME))
    *out = KVMMMU_SWITCH_MISS;
  else if (SWITCH_RESULT_IS(SWITCH_UNKNOWN_NAME))
    *out = KVMMMU_SWITCH_UNKNOWN;
  else
    return FALSE;
#undef SWITCH_RESULT_IS
  return TRUE;
}

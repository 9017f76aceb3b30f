/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tapsets' record formatter, compiled in user space (tapset-side.c):
 *  - its number formatters print what stap's printf prints for %d and %x
 *    of a long, byte for byte, and stay within what they may write:
 *    nothing before the start, nothing past KVMMMU_PUT_OVERRUN bytes
 *    beyond the digits;
 *  - its table (generated into tapsets/kvmmmu_format.stpm) is the
 *    reader's: same kinds, keywords, field types, limits, version;
 *  - every kind's line, made by the one table-driven formatter from
 *    random values of each field's type, is read back by the report's
 *    reader to the same values, and the longest line fits its room. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "format/records.h"
#include "reader/diag.h"
#include "reader/reader.h"
#include "tapset-side.h"

typedef uint64_t u64;
typedef int64_t s64;
#define KVMMMU_PUT_OVERRUN tapset_put_overrun

#define CANARY 0x5a

/* Format v both ways into a buffer of canaries and compare. */
static void
check_one(u64 v)
{
  char want_d[32], want_x[32], buf[96];
  char *end;

  snprintf(want_d, sizeof want_d, "%" PRId64, (s64)v);
  snprintf(want_x, sizeof want_x, "%" PRIx64, v);

  memset(buf, CANARY, sizeof buf);
  end = tapset_put_d(buf + 8, (s64)v);
  if ((gsize)(end - (buf + 8)) != strlen(want_d) || memcmp(buf + 8, want_d, strlen(want_d)) != 0)
    g_error("put_d(%" PRId64 ") wrote '%.*s', printf '%s'", (s64)v, (int)(end - buf - 8), buf + 8, want_d);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint(buf[i], ==, CANARY);
  for (gsize i = 8 + strlen(want_d) + KVMMMU_PUT_OVERRUN; i < sizeof buf; i++)
    g_assert_cmpint(buf[i], ==, CANARY);

  memset(buf, CANARY, sizeof buf);
  end = tapset_put_x(buf + 8, v);
  if ((gsize)(end - (buf + 8)) != strlen(want_x) || memcmp(buf + 8, want_x, strlen(want_x)) != 0)
    g_error("put_x(%" PRIx64 ") wrote '%.*s', printf '%s'", v, (int)(end - buf - 8), buf + 8, want_x);
  for (int i = 0; i < 8; i++)
    g_assert_cmpint(buf[i], ==, CANARY);
  for (gsize i = 8 + strlen(want_x) + KVMMMU_PUT_OVERRUN; i < sizeof buf; i++)
    g_assert_cmpint(buf[i], ==, CANARY);
}

/* Every length: each power of 2 and of 10, and its neighbours, both signs;
 * the limits; every single hex digit in every position. */
static void
test_edges(void)
{
  u64 p10 = 1;

  for (int b = 0; b < 64; b++)
    for (int d = -1; d <= 1; d++) {
      check_one((1ULL << b) + d);
      check_one(-((1ULL << b) + d));
    }
  for (int k = 0; k < 20; k++, p10 *= 10)
    for (int d = -1; d <= 1; d++) {
      check_one(p10 + d);
      check_one(-(p10 + d));
    }
  check_one(0);
  check_one(INT64_MAX);
  check_one((u64)INT64_MIN);
  check_one(UINT64_MAX);
  for (int pos = 0; pos < 16; pos++)
    for (u64 nib = 0; nib < 16; nib++)
      check_one(nib << (4 * pos));
}

/* Random values of every bit length, a fixed seed. */
static void
test_random(void)
{
  GRand *r = g_rand_new_with_seed(20261125);

  for (int i = 0; i < 2000000; i++) {
    u64 v = (u64)g_rand_int(r) << 32 | g_rand_int(r);

    check_one(v >> g_rand_int_range(r, 0, 64));
  }
  g_rand_free(r);
}

/* The letter the tapsets print a reader field type with. */
static char
letter_of(KvmmmuFieldType t)
{
  switch (t) {
  case KVMMMU_FIELD_U32:
  case KVMMMU_FIELD_U64: return 'u';
  case KVMMMU_FIELD_S64: return 'd';
  case KVMMMU_FIELD_HEX32: return 'h';
  case KVMMMU_FIELD_HEX: return 'x';
  case KVMMMU_FIELD_BOOL: return 'b';
  case KVMMMU_FIELD_SWITCH: return 's';
  case KVMMMU_FIELD_COUNT: return 'c';
  }
  return '?';
}

/* Same kinds in the same order, keywords, field letters, limits. */
static void
test_table(void)
{
  guint n;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&n);

  g_assert_cmpuint(tapset_n_kinds(), ==, n);
  g_assert_cmpstr(tapset_header_keyword(), ==, KVMMMU_HEADER_KEYWORD);
  g_assert_cmpint(tapset_format_version(), ==, KVMMMU_FORMAT_VERSION);
  for (guint k = 0; k < n; k++) {
    const TapsetKind *t = tapset_kind(k);

    g_assert_nonnull(t);
    g_assert_cmpstr(t->keyword, ==, specs[k].keyword);
    g_assert_cmpuint(strlen(t->fields), ==, specs[k].n_fields);
    g_assert_cmpuint(t->n_fields, ==, specs[k].n_fields);
    g_assert_cmpuint(strlen(t->items), ==, specs[k].n_item_fields);
    g_assert_cmpuint(t->n_items, ==, specs[k].n_item_fields);
    g_assert_cmpuint(t->max_items, ==, specs[k].max_items);
    for (guint f = 0; f < specs[k].n_fields; f++) {
      if (t->fields[f] != letter_of(specs[k].fields[f].type))
        g_error("%s field %u (%s): the tapsets print '%c', the reader reads %d",
                t->keyword, f, specs[k].fields[f].name, t->fields[f], specs[k].fields[f].type);
      if (specs[k].fields[f].type == KVMMMU_FIELD_COUNT)
        g_assert_cmpuint(t->count_field, ==, f);
    }
    for (guint f = 0; f < specs[k].n_item_fields; f++)
      g_assert_cmpint(t->items[f], ==, letter_of(specs[k].item_fields[f].type));
  }
  g_assert_null(tapset_kind(n));
}

/* A random value of a field: any 64 bits the type prints, counts within
 * the limit (1 up for a walk, so steps can follow it). */
static u64
random_value(GRand *r, KvmmmuFieldType t, guint max_items, gboolean walk)
{
  u64 v = (u64)g_rand_int(r) << 32 | g_rand_int(r);

  v >>= g_rand_int_range(r, 0, 64);
  switch (t) {
  case KVMMMU_FIELD_U32: return v & 0xffffffffu;
  case KVMMMU_FIELD_BOOL: return g_rand_boolean(r) ? v | 1 : 0;
  case KVMMMU_FIELD_SWITCH: return (u64)(s64)g_rand_int_range(r, -2, 3);
  case KVMMMU_FIELD_COUNT: return (u64)g_rand_int_range(r, walk ? 1 : 0, (gint32)max_items + 1);
  case KVMMMU_FIELD_S64: return g_rand_boolean(r) ? v : -v;
  default: return v;
  }
}

/* What the reader should store for v in a field of type t. */
static u64
expected(KvmmmuFieldType t, u64 v)
{
  switch (t) {
  case KVMMMU_FIELD_HEX32: return v & 0xffffffffu;
  case KVMMMU_FIELD_BOOL: return v != 0;
  case KVMMMU_FIELD_SWITCH:
    return (s64)v > 0 ? KVMMMU_SWITCH_HIT : v == 0 ? KVMMMU_SWITCH_MISS : KVMMMU_SWITCH_UNKNOWN;
  default: return v;
  }
}

static u64
stored(const void *base, const KvmmmuFieldSpec *fs)
{
  const char *p = (const char *)base + fs->offset;

  switch (fs->type) {
  case KVMMMU_FIELD_U32:
  case KVMMMU_FIELD_HEX32:
  case KVMMMU_FIELD_COUNT: return *(const guint32 *)p;
  case KVMMMU_FIELD_BOOL:
  case KVMMMU_FIELD_SWITCH: return *(const guint8 *)p;
  default: return *(const guint64 *)p;
  }
}

#define LINES_PER_KIND 400
typedef struct {
  unsigned kind;
  u64 f[16];
  u64 items[16 * 8];
  unsigned n;
} Made;

/* Lines of every kind from the tapsets' formatter, read back by the
 * reader: a header, then walks each followed by steps within them, and
 * every other kind, an end record last. */
static void
test_lines(void)
{
  guint nspecs;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&nspecs);
  GRand *r = g_rand_new_with_seed(20261204);
  GString *text = g_string_new(NULL);
  GArray *made = g_array_new(FALSE, TRUE, sizeof(Made));
  int walk_kind = tapset_kind_of("walk"), step_kind = tapset_kind_of("step"),
      end_kind = tapset_kind_of("end");
  u64 walk_id = 0, walk_nr = 0, seq = 0;
  char *buf = g_malloc(tapset_line_max + 64);

  g_assert_cmpint(walk_kind, >=, 0);
  g_assert_cmpint(step_kind, >=, 0);
  g_assert_cmpint(end_kind, >=, 0);
  g_string_append_printf(text, "%s %d 6.1.0-test host 1000 script=test\n",
                         tapset_header_keyword(), tapset_format_version());
  for (int line = 0; line < LINES_PER_KIND * (int)nspecs; line++) {
    Made m = { 0 };
    const KvmmmuKindSpec *s;
    const TapsetKind *t;
    char *end;

    /* A walk, then a few steps of it; the other kinds in between; end last. */
    if (line == LINES_PER_KIND * (int)nspecs - 1)
      m.kind = (unsigned)end_kind;
    else if (walk_id == 0 || line % 7 == 0)
      m.kind = (unsigned)walk_kind;
    else if (line % 7 < 4)
      m.kind = (unsigned)step_kind;
    else
      do
        m.kind = (unsigned)g_rand_int_range(r, 0, (gint32)nspecs);
      while (m.kind == (unsigned)walk_kind || m.kind == (unsigned)end_kind);
    s = &specs[m.kind];
    t = tapset_kind(m.kind);
    for (guint f = 0; f < s->n_fields; f++)
      m.f[f] = random_value(r, s->fields[f].type, s->max_items, (int)m.kind == walk_kind);
    if ((int)m.kind == walk_kind) {
      m.f[tapset_walk_walk] = ++walk_id;
      walk_nr = m.f[tapset_walk_nr];
    } else if ((int)m.kind == step_kind) {
      m.f[tapset_step_walk] = walk_id;
      m.f[tapset_step_i] = (u64)g_rand_int_range(r, 0, (gint32)walk_nr);
    }
    if (s->max_items) {
      m.n = (unsigned)m.f[t->count_field];
      for (unsigned k = 0; k < m.n * s->n_item_fields; k++)
        m.items[k] = random_value(r, s->item_fields[k % s->n_item_fields].type, 0, FALSE);
    }
    end = tapset_fmt_record(buf, m.kind, 1000 + line, 0, ++seq, m.f, m.items, m.n);
    g_assert_true(end > buf && end[-1] == '\n');
    g_assert_cmpuint(end - buf, <=, tapset_line_max - tapset_put_overrun);
    g_string_append_len(text, buf, end - buf);
    g_array_append_val(made, m);
  }

  {
    g_autoptr(KvmmmuDiag) diag = kvmmmu_diag_new(NULL, NULL);
    g_autoptr(KvmmmuReader) rd = kvmmmu_reader_new_for_data("made.trace", text->str, text->len,
                                                            diag, TRUE);
    g_autoptr(GError) error = NULL;
    const KvmmmuRecord *rec;
    guint i = 0;

    g_assert_cmpint(kvmmmu_reader_next_ref(rd, &rec, &error), ==, KVMMMU_READ_RECORD);
    g_assert_cmpint(rec->kind, ==, KVMMMU_RECORD_HEADER);
    g_assert_cmpuint(rec->u.header.version, ==, (guint)tapset_format_version());
    for (;;) {
      KvmmmuReadStatus st = kvmmmu_reader_next_ref(rd, &rec, &error);
      const Made *m;
      const KvmmmuKindSpec *s;
      const char *base;

      if (st == KVMMMU_READ_EOF)
        break;
      if (st != KVMMMU_READ_RECORD)
        g_error("line %u: the reader refused what the tapsets wrote: %s", i + 2,
                error ? error->message : "?");
      g_assert_cmpuint(i, <, made->len);
      m = &g_array_index(made, Made, i);
      s = &specs[m->kind];
      g_assert_cmpint(rec->kind, ==, s->kind);
      g_assert_cmpuint(rec->ts_ns, ==, 1000 + i);
      g_assert_cmpuint(rec->seq, ==, i + 1);
      base = (const char *)&rec->u;
      for (guint f = 0; f < s->n_fields; f++)
        if (stored(base, &s->fields[f]) != expected(s->fields[f].type, m->f[f]))
          g_error("line %u, %s field %s: wrote %" G_GINT64_MODIFIER "x, read %" G_GINT64_MODIFIER "x",
                  i + 2, s->keyword, s->fields[f].name, m->f[f], stored(base, &s->fields[f]));
      for (unsigned k = 0; k < m->n; k++)
        for (guint f = 0; f < s->n_item_fields; f++) {
          const char *item = base + s->items_offset + k * s->item_size;
          u64 v = m->items[k * s->n_item_fields + f];

          if (stored(item, &s->item_fields[f]) != expected(s->item_fields[f].type, v))
            g_error("line %u, %s item %u field %s: wrote %" G_GINT64_MODIFIER "x, read %"
                    G_GINT64_MODIFIER "x", i + 2, s->keyword, k, s->item_fields[f].name, v,
                    stored(item, &s->item_fields[f]));
        }
      i++;
    }
    g_assert_cmpuint(i, ==, made->len);
    g_assert_cmpuint(kvmmmu_diag_count(diag), ==, 0);
  }
  g_free(buf);
  g_array_free(made, TRUE);
  g_string_free(text, TRUE);
  g_rand_free(r);
}

/* The longest line: every field and item at its widest. */
static void
test_longest(void)
{
  char *buf = g_malloc(tapset_line_max + 64);

  for (unsigned k = 0; k < tapset_n_kinds(); k++) {
    const TapsetKind *t = tapset_kind(k);
    u64 f[16], items[16 * 8];
    char *end;

    for (unsigned i = 0; i < G_N_ELEMENTS(f); i++)
      f[i] = (u64)INT64_MIN; /* the widest decimal and hex */
    for (unsigned i = 0; i < G_N_ELEMENTS(items); i++)
      items[i] = (u64)INT64_MIN;
    if (t->max_items)
      f[t->count_field] = t->max_items;
    end = tapset_fmt_record(buf, k, INT64_MIN, INT32_MAX, UINT64_MAX, f, items, t->max_items);
    g_assert_cmpuint(end - buf, <=, tapset_line_max - tapset_put_overrun);
  }
  g_free(buf);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tapset-format/edges", test_edges);
  g_test_add_func("/tapset-format/random", test_random);
  g_test_add_func("/tapset-format/table", test_table);
  g_test_add_func("/tapset-format/lines", test_lines);
  g_test_add_func("/tapset-format/longest", test_longest);
  return g_test_run();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <math.h>
#include <string.h>

#include "render/json.h"

struct _KvmmmuJsonBuilder {
  GPtrArray *open;   /* KvmmmuJson *: the arrays and objects not ended, outermost first */
  KvmmmuJson *root;
  char *name;        /* the next value's member name */
};

static KvmmmuJson *
json_new(KvmmmuJsonType type)
{
  KvmmmuJson *v = g_new0(KvmmmuJson, 1);

  v->type = type;
  if (type == KVMMMU_JSON_ARRAY || type == KVMMMU_JSON_OBJECT)
    v->v.items = g_ptr_array_new_with_free_func((GDestroyNotify)kvmmmu_json_free);
  return v;
}

KvmmmuJson *
kvmmmu_json_new_array(void)
{
  return json_new(KVMMMU_JSON_ARRAY);
}

void
kvmmmu_json_array_add(KvmmmuJson *array, KvmmmuJson *item)
{
  g_return_if_fail(array->type == KVMMMU_JSON_ARRAY);
  g_ptr_array_add(array->v.items, item);
}

void
kvmmmu_json_object_add(KvmmmuJson *object, const char *name, KvmmmuJson *value)
{
  g_return_if_fail(object->type == KVMMMU_JSON_OBJECT && value->name == NULL);
  value->name = g_strdup(name);
  g_ptr_array_add(object->v.items, value);
}

void
kvmmmu_json_free(KvmmmuJson *v)
{
  if (!v)
    return;
  if (v->type == KVMMMU_JSON_STRING)
    g_free(v->v.s);
  else if (v->type == KVMMMU_JSON_ARRAY || v->type == KVMMMU_JSON_OBJECT)
    g_ptr_array_unref(v->v.items);
  g_free(v->name);
  g_free(v);
}

/* ---- text ---------------------------------------------------------- */

/* A JSON string's body: the escapes JSON requires, and a byte that is not
 * part of valid UTF-8 as the code point of its value, so that a trace's
 * stray bytes still make valid JSON. */
static void
write_string(GString *out, const char *s)
{
  const char *end = s + strlen(s);

  g_string_append_c(out, '"');
  while (s < end) {
    const char *valid_end;
    guchar c = (guchar)*s;

    if (c >= 0x80) {
      g_utf8_validate(s, end - s, &valid_end);
      if (valid_end > s) {
        /* The valid run up to the next ASCII byte or bad byte. */
        const char *p = s;

        while (p < valid_end && (guchar)*p >= 0x80)
          p++;
        g_string_append_len(out, s, p - s);
        s = p;
        continue;
      }
      g_string_append_printf(out, "\\u%04x", c);
      s++;
      continue;
    }
    switch (c) {
    case '"': g_string_append(out, "\\\""); break;
    case '\\': g_string_append(out, "\\\\"); break;
    case '\b': g_string_append(out, "\\b"); break;
    case '\f': g_string_append(out, "\\f"); break;
    case '\n': g_string_append(out, "\\n"); break;
    case '\r': g_string_append(out, "\\r"); break;
    case '\t': g_string_append(out, "\\t"); break;
    default:
      if (c < 0x20)
        g_string_append_printf(out, "\\u%04x", c);
      else
        g_string_append_c(out, (char)c);
    }
    s++;
  }
  g_string_append_c(out, '"');
}

/* Seventeen significant digits, so every double reads back the same
 * (1.8 as 1.8, 160.8 as 160.80000000000001), and ".0" when the text would
 * otherwise read as an integer; JSON has no NaN or infinity. */
static void
write_double(GString *out, double d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite(d)) {
    g_string_append(out, "null");
    return;
  }
  g_ascii_dtostr(buf, sizeof buf, d);
  g_string_append(out, buf);
  if (!strpbrk(buf, ".eE"))
    g_string_append(out, ".0");
}

static void
indent(GString *out, guint level)
{
  for (guint i = 0; i < level; i++)
    g_string_append(out, "  ");
}

static void
write_value(GString *out, const KvmmmuJson *v, gboolean pretty, guint level)
{
  switch (v->type) {
  case KVMMMU_JSON_NULL:
    g_string_append(out, "null");
    break;
  case KVMMMU_JSON_BOOL:
    g_string_append(out, v->v.b ? "true" : "false");
    break;
  case KVMMMU_JSON_INT:
    if (v->is_unsigned)
      g_string_append_printf(out, "%s%" G_GUINT64_FORMAT, v->negative ? "-" : "", (guint64)v->v.i);
    else
      g_string_append_printf(out, "%" G_GINT64_FORMAT, v->v.i);
    break;
  case KVMMMU_JSON_DOUBLE:
    write_double(out, v->v.d);
    break;
  case KVMMMU_JSON_STRING:
    write_string(out, v->v.s);
    break;
  case KVMMMU_JSON_ARRAY:
  case KVMMMU_JSON_OBJECT: {
    gboolean object = v->type == KVMMMU_JSON_OBJECT;

    g_string_append_c(out, object ? '{' : '[');
    for (guint i = 0; i < v->v.items->len; i++) {
      const KvmmmuJson *item = g_ptr_array_index(v->v.items, i);

      if (i > 0)
        g_string_append_c(out, ',');
      if (pretty) {
        g_string_append_c(out, '\n');
        indent(out, level + 1);
      }
      if (object) {
        write_string(out, item->name);
        g_string_append(out, pretty ? " : " : ":");
      }
      write_value(out, item, pretty, level + 1);
    }
    if (pretty && v->v.items->len > 0) {
      g_string_append_c(out, '\n');
      indent(out, level);
    }
    g_string_append_c(out, object ? '}' : ']');
    break;
  }
  }
}

void
kvmmmu_json_write(GString *out, const KvmmmuJson *v, gboolean pretty)
{
  write_value(out, v, pretty, 0);
}

/* ---- building ------------------------------------------------------ */

KvmmmuJsonBuilder *
kvmmmu_json_builder_new(void)
{
  KvmmmuJsonBuilder *b = g_new0(KvmmmuJsonBuilder, 1);

  b->open = g_ptr_array_new();
  return b;
}

void
kvmmmu_json_builder_free(KvmmmuJsonBuilder *b)
{
  if (!b)
    return;
  /* Open containers are owned by the root, or are the root. */
  if (b->open->len > 0 && !b->root)
    kvmmmu_json_free(g_ptr_array_index(b->open, 0));
  g_ptr_array_unref(b->open);
  kvmmmu_json_free(b->root);
  g_free(b->name);
  g_free(b);
}

/* Places v where the builder stands: the root, an array's next element,
 * or the object member just named. */
static void
place(KvmmmuJsonBuilder *b, KvmmmuJson *v)
{
  KvmmmuJson *parent = b->open->len ? g_ptr_array_index(b->open, b->open->len - 1) : NULL;

  if (!parent) {
    g_return_if_fail(!b->root);
    b->root = v;
    return;
  }
  if (parent->type == KVMMMU_JSON_OBJECT) {
    g_return_if_fail(b->name != NULL);
    v->name = g_steal_pointer(&b->name);
  }
  g_ptr_array_add(parent->v.items, v);
}

static void
begin(KvmmmuJsonBuilder *b, KvmmmuJsonType type)
{
  KvmmmuJson *v = json_new(type);

  if (b->open->len == 0 && !b->root) {
    /* The root is placed when it ends, so an unfinished one is freed
     * with the builder. */
    g_ptr_array_add(b->open, v);
    return;
  }
  place(b, v);
  g_ptr_array_add(b->open, v);
}

static void
end(KvmmmuJsonBuilder *b, KvmmmuJsonType type)
{
  KvmmmuJson *v;

  g_return_if_fail(b->open->len > 0);
  v = g_ptr_array_steal_index(b->open, b->open->len - 1);
  g_return_if_fail(v->type == type);
  if (b->open->len == 0)
    b->root = v;
}

void kvmmmu_json_begin_object(KvmmmuJsonBuilder *b) { begin(b, KVMMMU_JSON_OBJECT); }
void kvmmmu_json_end_object(KvmmmuJsonBuilder *b) { end(b, KVMMMU_JSON_OBJECT); }
void kvmmmu_json_begin_array(KvmmmuJsonBuilder *b) { begin(b, KVMMMU_JSON_ARRAY); }
void kvmmmu_json_end_array(KvmmmuJsonBuilder *b) { end(b, KVMMMU_JSON_ARRAY); }

void
kvmmmu_json_member(KvmmmuJsonBuilder *b, const char *name)
{
  g_free(b->name);
  b->name = g_strdup(name);
}

void
kvmmmu_json_add_value(KvmmmuJsonBuilder *b, KvmmmuJson *v)
{
  g_free(v->name);
  v->name = NULL;
  place(b, v);
}

void
kvmmmu_json_add_int(KvmmmuJsonBuilder *b, gint64 i)
{
  KvmmmuJson *v = json_new(KVMMMU_JSON_INT);

  v->v.i = i;
  place(b, v);
}

void
kvmmmu_json_add_uint(KvmmmuJsonBuilder *b, guint64 u)
{
  KvmmmuJson *v = json_new(KVMMMU_JSON_INT);

  v->v.i = (gint64)u; /* two's complement: the bits, read back as guint64 */
  v->is_unsigned = TRUE;
  place(b, v);
}

void
kvmmmu_json_add_double(KvmmmuJsonBuilder *b, double d)
{
  KvmmmuJson *v = json_new(KVMMMU_JSON_DOUBLE);

  v->v.d = d;
  place(b, v);
}

void
kvmmmu_json_add_bool(KvmmmuJsonBuilder *b, gboolean bv)
{
  KvmmmuJson *v = json_new(KVMMMU_JSON_BOOL);

  v->v.b = !!bv;
  place(b, v);
}

void
kvmmmu_json_add_string(KvmmmuJsonBuilder *b, const char *s)
{
  KvmmmuJson *v = json_new(KVMMMU_JSON_STRING);

  v->v.s = g_strdup(s ? s : "");
  place(b, v);
}

void
kvmmmu_json_add_null(KvmmmuJsonBuilder *b)
{
  place(b, json_new(KVMMMU_JSON_NULL));
}

KvmmmuJson *
kvmmmu_json_builder_root(KvmmmuJsonBuilder *b)
{
  g_return_val_if_fail(b->open->len == 0, NULL);
  return g_steal_pointer(&b->root);
}

void
kvmmmu_json_int(KvmmmuJsonBuilder *b, const char *name, gint64 v)
{
  kvmmmu_json_member(b, name);
  kvmmmu_json_add_int(b, v);
}

void
kvmmmu_json_uint(KvmmmuJsonBuilder *b, const char *name, guint64 v)
{
  kvmmmu_json_member(b, name);
  kvmmmu_json_add_uint(b, v);
}

void
kvmmmu_json_diff(KvmmmuJsonBuilder *b, const char *name, guint64 a, guint64 from)
{
  KvmmmuJson *v = json_new(KVMMMU_JSON_INT);

  v->is_unsigned = TRUE;
  v->negative = a < from;
  v->v.i = (gint64)(a < from ? from - a : a - from);
  kvmmmu_json_member(b, name);
  place(b, v);
}

void
kvmmmu_json_double(KvmmmuJsonBuilder *b, const char *name, double v)
{
  kvmmmu_json_member(b, name);
  kvmmmu_json_add_double(b, v);
}

void
kvmmmu_json_bool(KvmmmuJsonBuilder *b, const char *name, gboolean v)
{
  kvmmmu_json_member(b, name);
  kvmmmu_json_add_bool(b, v);
}

void
kvmmmu_json_string(KvmmmuJsonBuilder *b, const char *name, const char *v)
{
  kvmmmu_json_member(b, name);
  kvmmmu_json_add_string(b, v);
}

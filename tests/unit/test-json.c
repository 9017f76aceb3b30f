/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON writer: layout, escapes, numbers, and the tree the HTML page reads. */
#include <math.h>
#include <string.h>

#include "render/json.h"

static char *
text_of(const KvmmmuJson *v, gboolean pretty)
{
  GString *out = g_string_new("");

  kvmmmu_json_write(out, v, pretty);
  return g_string_free(out, FALSE);
}

static KvmmmuJson *
sample(void)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_int(b, "walks", 3);
  kvmmmu_json_bool(b, "trailer", TRUE);
  kvmmmu_json_member(b, "pages");
  kvmmmu_json_begin_array(b);
  kvmmmu_json_add_int(b, -1);
  kvmmmu_json_begin_object(b);
  kvmmmu_json_string(b, "sp", "ff3c");
  kvmmmu_json_end_object(b);
  kvmmmu_json_end_array(b);
  kvmmmu_json_member(b, "none");
  kvmmmu_json_begin_array(b);
  kvmmmu_json_end_array(b);
  kvmmmu_json_member(b, "empty");
  kvmmmu_json_begin_object(b);
  kvmmmu_json_end_object(b);
  kvmmmu_json_member(b, "gone");
  kvmmmu_json_add_null(b);
  kvmmmu_json_end_object(b);
  return kvmmmu_json_builder_root(b);
}

static void
test_layout(void)
{
  g_autoptr(KvmmmuJson) v = sample();
  g_autofree char *compact = text_of(v, FALSE);
  g_autofree char *pretty = text_of(v, TRUE);

  g_assert_cmpstr(compact, ==,
                  "{\"walks\":3,\"trailer\":true,\"pages\":[-1,{\"sp\":\"ff3c\"}],"
                  "\"none\":[],\"empty\":{},\"gone\":null}");
  g_assert_cmpstr(pretty, ==,
                  "{\n"
                  "  \"walks\" : 3,\n"
                  "  \"trailer\" : true,\n"
                  "  \"pages\" : [\n"
                  "    -1,\n"
                  "    {\n"
                  "      \"sp\" : \"ff3c\"\n"
                  "    }\n"
                  "  ],\n"
                  "  \"none\" : [],\n"
                  "  \"empty\" : {},\n"
                  "  \"gone\" : null\n"
                  "}");
}

static void
test_members_in_order(void)
{
  g_autoptr(KvmmmuJson) v = sample();
  static const char *const names[] = { "walks", "trailer", "pages", "none", "empty", "gone" };
  const KvmmmuJson *pages;

  /* The HTML page reads the summary's members back in this order. */
  g_assert_cmpint(v->type, ==, KVMMMU_JSON_OBJECT);
  g_assert_cmpuint(v->v.items->len, ==, G_N_ELEMENTS(names));
  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    g_assert_cmpstr(((KvmmmuJson *)g_ptr_array_index(v->v.items, i))->name, ==, names[i]);
  pages = g_ptr_array_index(v->v.items, 2);
  g_assert_cmpint(pages->type, ==, KVMMMU_JSON_ARRAY);
  g_assert_cmpuint(pages->v.items->len, ==, 2);
  /* an array's elements have no names */
  g_assert_null(((KvmmmuJson *)g_ptr_array_index(pages->v.items, 0))->name);
  g_assert_null(((KvmmmuJson *)g_ptr_array_index(pages->v.items, 1))->name);
}

static void
test_strings(void)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autoptr(KvmmmuJson) v = NULL;
  g_autofree char *t = NULL;

  kvmmmu_json_begin_array(b);
  kvmmmu_json_add_string(b, "a\"b\\c/d");
  kvmmmu_json_add_string(b, "\b\f\n\r\t\x01\x1f");
  kvmmmu_json_add_string(b, "h\xc3\xa9te");       /* valid UTF-8 stays as it is */
  kvmmmu_json_add_string(b, "x\xff\xc3y");         /* bytes that are not UTF-8 */
  kvmmmu_json_add_string(b, "\xe2\x82\xac\xe2\x82"); /* a character, then a cut one */
  kvmmmu_json_add_string(b, NULL);
  kvmmmu_json_end_array(b);
  v = kvmmmu_json_builder_root(b);
  t = text_of(v, FALSE);
  g_assert_cmpstr(t, ==,
                  "[\"a\\\"b\\\\c/d\","
                  "\"\\b\\f\\n\\r\\t\\u0001\\u001f\","
                  "\"h\xc3\xa9te\","
                  "\"x\\u00ff\\u00c3y\","
                  "\"\xe2\x82\xac\\u00e2\\u0082\","
                  "\"\"]");
  g_assert_true(g_utf8_validate(t, -1, NULL));
}

static void
test_numbers(void)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autoptr(KvmmmuJson) v = NULL;
  g_autofree char *t = NULL;

  kvmmmu_json_begin_array(b);
  kvmmmu_json_add_int(b, G_MININT64);
  kvmmmu_json_add_int(b, G_MAXINT64);
  kvmmmu_json_add_double(b, 162.0);   /* stays a double: "162.0" */
  kvmmmu_json_add_double(b, 1.8);
  kvmmmu_json_add_double(b, 2.384185791015625e-07);
  kvmmmu_json_add_double(b, 1e22);     /* exact: no digits past the 1 */
  kvmmmu_json_add_double(b, NAN);     /* JSON has neither: null */
  kvmmmu_json_add_double(b, INFINITY);
  kvmmmu_json_end_array(b);
  v = kvmmmu_json_builder_root(b);
  t = text_of(v, FALSE);
  g_assert_cmpstr(t, ==,
                  "[-9223372036854775808,9223372036854775807,162.0,1.8,"
                  "2.384185791015625e-07,1e+22,null,null]");
}

static void
test_values_moved(void)
{
  g_autoptr(KvmmmuJsonBuilder) b = kvmmmu_json_builder_new();
  g_autoptr(KvmmmuJson) v = NULL;
  g_autofree char *t = NULL;
  KvmmmuJson *list = kvmmmu_json_new_array();

  /* A value built elsewhere, added whole (roots' snapshots, walks' summary). */
  kvmmmu_json_array_add(list, sample());
  kvmmmu_json_begin_object(b);
  kvmmmu_json_member(b, "list");
  kvmmmu_json_add_value(b, list);
  kvmmmu_json_end_object(b);
  v = kvmmmu_json_builder_root(b);
  g_assert_null(kvmmmu_json_builder_root(b)); /* handed over once */
  t = text_of(v, FALSE);
  g_assert_true(g_str_has_prefix(t, "{\"list\":[{\"walks\":3,"));
  g_assert_true(g_str_has_suffix(t, "\"gone\":null}]}"));
}

static void
test_unfinished_freed(void)
{
  /* A builder dropped midway (an error path) frees what it holds: the
   * sanitizer and valgrind runs of make check see any leak. */
  KvmmmuJsonBuilder *b = kvmmmu_json_builder_new();

  kvmmmu_json_begin_object(b);
  kvmmmu_json_member(b, "a");
  kvmmmu_json_begin_array(b);
  kvmmmu_json_add_string(b, "left open");
  kvmmmu_json_member(b, "named but never added");
  kvmmmu_json_builder_free(b);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/json/layout", test_layout);
  g_test_add_func("/json/members-in-order", test_members_in_order);
  g_test_add_func("/json/strings", test_strings);
  g_test_add_func("/json/numbers", test_numbers);
  g_test_add_func("/json/values-moved", test_values_moved);
  g_test_add_func("/json/unfinished-freed", test_unfinished_freed);
  return g_test_run();
}

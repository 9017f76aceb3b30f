/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - the JSON the renderers build, and its text.
 *
 * A small tree of values, built in order (begin an object, name a member,
 * add a value, end it) and written compact or indented.  Objects keep
 * their members in the order they were added, so the text is the same
 * run after run; the HTML page reads the summary's tree back the same
 * way.  It is ours rather than a library's because a library with an
 * object system costs every command a millisecond to load, and the
 * renderers need only this.
 */
#ifndef KVMMMU_RENDER_JSON_H
#define KVMMMU_RENDER_JSON_H

#include <glib.h>

typedef enum {
  KVMMMU_JSON_NULL,
  KVMMMU_JSON_BOOL,
  KVMMMU_JSON_INT,
  KVMMMU_JSON_DOUBLE,
  KVMMMU_JSON_STRING,
  KVMMMU_JSON_ARRAY,
  KVMMMU_JSON_OBJECT,
} KvmmmuJsonType;

typedef struct _KvmmmuJson KvmmmuJson;
struct _KvmmmuJson {
  KvmmmuJsonType type;
  char *name;          /* the member's name within an object, else NULL */
  gboolean is_unsigned;/* INT: v.i holds a guint64 (counts, ids past 2^63) */
  gboolean negative;   /* INT, is_unsigned: the value is minus that guint64 */
  union {
    gboolean b;
    gint64 i;
    double d;
    char *s;           /* UTF-8 expected; other bytes are written escaped */
    GPtrArray *items;  /* ARRAY, OBJECT: KvmmmuJson *, in order */
  } v;
};

KvmmmuJson *kvmmmu_json_new_array(void);
/* Appends item (transfer full) to array. */
void kvmmmu_json_array_add(KvmmmuJson *array, KvmmmuJson *item);
/* value (transfer full) as the object's last member, named name */
void kvmmmu_json_object_add(KvmmmuJson *object, const char *name, KvmmmuJson *value);
void kvmmmu_json_free(KvmmmuJson *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuJson, kvmmmu_json_free)

/* Appends v's text: compact on one line, or one member or element a line
 * indented two spaces a level, "name" : value. */
void kvmmmu_json_write(GString *out, const KvmmmuJson *v, gboolean pretty);

typedef struct _KvmmmuJsonBuilder KvmmmuJsonBuilder;

KvmmmuJsonBuilder *kvmmmu_json_builder_new(void);
void kvmmmu_json_builder_free(KvmmmuJsonBuilder *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KvmmmuJsonBuilder, kvmmmu_json_builder_free)

/* Inside an object every value is named by kvmmmu_json_member() first. */
void kvmmmu_json_begin_object(KvmmmuJsonBuilder *b);
void kvmmmu_json_end_object(KvmmmuJsonBuilder *b);
void kvmmmu_json_begin_array(KvmmmuJsonBuilder *b);
void kvmmmu_json_end_array(KvmmmuJsonBuilder *b);
void kvmmmu_json_member(KvmmmuJsonBuilder *b, const char *name);
void kvmmmu_json_add_int(KvmmmuJsonBuilder *b, gint64 v);
void kvmmmu_json_add_uint(KvmmmuJsonBuilder *b, guint64 v);
void kvmmmu_json_add_double(KvmmmuJsonBuilder *b, double v);
void kvmmmu_json_add_bool(KvmmmuJsonBuilder *b, gboolean v);
void kvmmmu_json_add_string(KvmmmuJsonBuilder *b, const char *v);
void kvmmmu_json_add_null(KvmmmuJsonBuilder *b);
void kvmmmu_json_add_value(KvmmmuJsonBuilder *b, KvmmmuJson *v /* transfer full */);
/* The value built, once every object and array is ended (transfer full). */
KvmmmuJson *kvmmmu_json_builder_root(KvmmmuJsonBuilder *b);

/* A named member in one call. */
void kvmmmu_json_int(KvmmmuJsonBuilder *b, const char *name, gint64 v);
void kvmmmu_json_uint(KvmmmuJsonBuilder *b, const char *name, guint64 v);
/* a - from, exactly: a time from an origin, which either may pass. */
void kvmmmu_json_diff(KvmmmuJsonBuilder *b, const char *name, guint64 a, guint64 from);
void kvmmmu_json_double(KvmmmuJsonBuilder *b, const char *name, double v);
void kvmmmu_json_bool(KvmmmuJsonBuilder *b, const char *name, gboolean v);
void kvmmmu_json_string(KvmmmuJsonBuilder *b, const char *name, const char *v);

#endif

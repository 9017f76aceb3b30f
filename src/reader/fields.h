/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fields.h - a trace line's tokens and the numbers in them (the reader's
 * full parser; reader/fastparse.c has its own for the common lines). */
#ifndef KVMMMU_READER_FIELDS_H
#define KVMMMU_READER_FIELDS_H

#include <glib.h>

#include "format/records.h"

/* A token of a line: not NUL-terminated. */
typedef struct {
  const char *s;
  gsize n;
} Token;

/* Split s at sep into at most max tokens; -1 when there are more. */
int kvmmmu_field_split(const char *s, gsize n, char sep, Token *tok, int max);
/* The token as a NUL-terminated, quoted and cut string for messages.
 * transfer full */
char *kvmmmu_field_token_dup(const Token *t);

/* Decimal, no sign, no overflow. */
gboolean kvmmmu_field_parse_u64(const char *s, gsize n, guint64 *out);
/* A field of spec's type into base + spec->offset; max bounds a count. */
gboolean kvmmmu_field_parse(const KvmmmuFieldSpec *spec, const char *s, gsize n, guint max,
                            guint8 *base);
/* What a field of this type must look like, for messages. */
const char *kvmmmu_field_expectation(KvmmmuFieldType type);

/* s (n bytes) starts with prefix. */
gboolean kvmmmu_field_has_prefix(const char *s, gsize n, const char *prefix);
/* Copy n bytes of a line (not NUL-terminated) into dst, cut to fit. */
void kvmmmu_field_copy_text(char *dst, gsize size, const char *src, gsize n);

#endif

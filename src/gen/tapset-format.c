/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tapset-format.c - writes tapsets/kvmmmu_format.stpm, the tapsets' side of
 * the record format, from the tables of src/format/records.h: the one
 * definition both sides follow.  `make tapset-format` runs it; `make check`
 * compares what it writes with the committed file.
 *
 * The file is a SystemTap macro library (.stpm), so its macros are seen by
 * every tapset and script, and by both SystemTap's script and the runtime
 * tapset's C: @__kvmmmu_format_c expands, inside kvmmmu_runtime.stp and
 * before that file's own C, to the C table the one formatter prints from,
 * and @__kvmmmu_format_printers, at its end, to the printers.
 *
 *   gen-tapset-format > tapsets/kvmmmu_format.stpm
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "format/records.h"

/* The letter the tapsets' formatter prints a field type with. */
static char
type_letter(KvmmmuFieldType t)
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

static const char *
type_text(KvmmmuFieldType t)
{
  switch (t) {
  case KVMMMU_FIELD_U32: return "decimal, 32 bits";
  case KVMMMU_FIELD_U64: return "decimal";
  case KVMMMU_FIELD_S64: return "signed decimal";
  case KVMMMU_FIELD_HEX32: return "hex, the low 32 bits";
  case KVMMMU_FIELD_HEX: return "hex";
  case KVMMMU_FIELD_BOOL: return "0 or 1, any value but 0 prints 1";
  case KVMMMU_FIELD_SWITCH: return "1 prints hit, 0 miss, -1 -";
  case KVMMMU_FIELD_COUNT: return "how many items follow";
  }
  return "?";
}

static void
upper(char *out, gsize size, const char *s)
{
  gsize i;

  for (i = 0; s[i] && i + 1 < size; i++)
    out[i] = (char)toupper((unsigned char)s[i]);
  out[i] = 0;
}

static const char *const kind_enum[] = {
#define X(E, kw, N, F, I, M) #E,
  KVMMMU_EVENT_KINDS(X)
#undef X
};

int
main(void)
{
  guint n_kinds, max_fields = 0, stage = 0;
  const KvmmmuKindSpec *kinds = kvmmmu_kind_specs(&n_kinds);
  char up[64];

  g_assert(n_kinds == G_N_ELEMENTS(kind_enum));
  for (guint k = 0; k < n_kinds; k++)
    max_fields = MAX(max_fields, kinds[k].n_fields);

  puts("// kvmmmu_format.stpm - the trace format, as the tapsets write it.\n"
       "// GENERATED from src/format/records.h by `make tapset-format`\n"
       "// (src/gen/tapset-format.c): do not edit.  `make check` fails while\n"
       "// this file differs from what records.h generates.\n"
       "// SPDX-License-Identifier: GPL-2.0-or-later\n"
       "//\n"
       "// A macro library: every tapset and script sees these macros.\n"
       "//   @KVMMMU_FORMAT_VERSION       the version the header record carries\n"
       "//   @KVMMMU_KIND_<KIND>          the number of each event record kind\n"
       "//   @KVMMMU_<KIND>_MAX_ITEMS     most items a record of the kind holds\n"
       "//   @KVMMMU_<KIND>_ITEM_<FIELD>  where a field is within one item\n"
       "//   @__kvmmmu_format_c           the same for C, and the table of kinds\n"
       "//                                the one formatter prints from;\n"
       "//                                expanded by kvmmmu_runtime.stp only\n"
       "//   @__kvmmmu_format_printers    kvmmmu_print_<kind>() for every event\n"
       "//                                kind but end, C that calls the\n"
       "//                                runtime's writer; expanded by\n"
       "//                                kvmmmu_runtime.stp only\n");

  printf("@define KVMMMU_FORMAT_VERSION %%( %d %%)\n\n", KVMMMU_FORMAT_VERSION);
  for (guint k = 0; k < n_kinds; k++)
    printf("@define KVMMMU_KIND_%s %%( %u %%)\n", kind_enum[k], k);
  for (guint k = 0; k < n_kinds; k++) {
    if (!kinds[k].max_items)
      continue;
    printf("\n@define KVMMMU_%s_MAX_ITEMS %%( %u %%)\n", kind_enum[k], kinds[k].max_items);
    printf("@define KVMMMU_%s_ITEM_FIELDS %%( %u %%)\n", kind_enum[k], kinds[k].n_item_fields);
    for (guint f = 0; f < kinds[k].n_item_fields; f++) {
      upper(up, sizeof up, kinds[k].item_fields[f].name);
      printf("@define KVMMMU_%s_ITEM_%s %%( %u %%)\n", kind_enum[k], up, f);
    }
  }

  /* C: the same names, the field positions, the table. */
  puts("\n@define __kvmmmu_format_c\n%(\n%{");
  printf("#define KVMMMU_FORMAT_VERSION %d\n", KVMMMU_FORMAT_VERSION);
  printf("#define KVMMMU_HEADER_KEYWORD \"%s\"\n", KVMMMU_HEADER_KEYWORD);
  printf("/* Most fields of a kind, after ts_ns cpu seq. */\n#define KVMMMU_MAX_FIELDS %u\n",
         max_fields);
  puts("enum kvmmmu_kind {");
  for (guint k = 0; k < n_kinds; k++)
    printf("\tKVMMMU_KIND_%s,\n", kind_enum[k]);
  puts("\tKVMMMU_N_KINDS\n};");
  puts("/* Where each field is in a record's values, each item field in an item. */");
  for (guint k = 0; k < n_kinds; k++) {
    for (guint f = 0; f < kinds[k].n_fields; f++) {
      upper(up, sizeof up, kinds[k].fields[f].name);
      printf("#define KVMMMU_%s_%s %u\n", kind_enum[k], up, f);
    }
    if (!kinds[k].max_items)
      continue;
    printf("#define KVMMMU_%s_MAX_ITEMS %u\n", kind_enum[k], kinds[k].max_items);
    printf("#define KVMMMU_%s_ITEM_FIELDS %u\n", kind_enum[k], kinds[k].n_item_fields);
    for (guint f = 0; f < kinds[k].n_item_fields; f++) {
      upper(up, sizeof up, kinds[k].item_fields[f].name);
      printf("#define KVMMMU_%s_ITEM_%s %u\n", kind_enum[k], up, f);
    }
    printf("#define KVMMMU_%s_STAGE %u\n", kind_enum[k], stage);
    stage += kinds[k].max_items * kinds[k].n_item_fields;
  }
  printf("/* The words of this CPU's staged items, every kind's. */\n"
         "#define KVMMMU_STAGE_WORDS %u\n", stage);
  puts("/* A kind: its keyword; a letter per field and per item field, in\n"
       " * order (u decimal, d signed decimal, x hex, h hex of the low 32 bits,\n"
       " * b 0 or 1, s hit/miss/-, c decimal: the count of items), and how\n"
       " * many of each (no strlen() on the probes' path: it is a call out of\n"
       " * the module); the most items; which field counts them; where its\n"
       " * items are staged. */\n"
       "struct kvmmmu_kind_spec {\n"
       "\tconst char *keyword, *fields, *items;\n"
       "\tunsigned char n_fields, n_items, max_items, count_field;\n"
       "\tunsigned short stage;\n"
       "};\n"
       "static const struct kvmmmu_kind_spec kvmmmu_kinds[KVMMMU_N_KINDS] = {");
  stage = 0;
  for (guint k = 0; k < n_kinds; k++) {
    char fields[32] = "", items[32] = "";
    guint count = 0;

    for (guint f = 0; f < kinds[k].n_fields; f++) {
      fields[f] = type_letter(kinds[k].fields[f].type);
      if (kinds[k].fields[f].type == KVMMMU_FIELD_COUNT)
        count = f;
    }
    for (guint f = 0; f < kinds[k].n_item_fields; f++)
      items[f] = type_letter(kinds[k].item_fields[f].type);
    printf("\t[KVMMMU_KIND_%s] = { \"%s\", \"%s\", \"%s\", %u, %u, %u, %u, %u },\t/*",
           kind_enum[k], kinds[k].keyword, fields, items, kinds[k].n_fields,
           kinds[k].n_item_fields, kinds[k].max_items, count, stage);
    for (guint f = 0; f < kinds[k].n_fields; f++)
      printf(" %s", kinds[k].fields[f].name);
    if (kinds[k].n_item_fields)
      printf(";");
    for (guint f = 0; f < kinds[k].n_item_fields; f++)
      printf(" %s", kinds[k].item_fields[f].name);
    puts(" */");
    stage += kinds[k].max_items * kinds[k].n_item_fields;
  }
  puts("};\n%}\n%)");

  /* The printers. */
  puts("\n@define __kvmmmu_format_printers\n%(");
  for (guint k = 0; k < n_kinds; k++) {
    const KvmmmuKindSpec *s = &kinds[k];

    if (s->kind == KVMMMU_RECORD_END)
      continue;
    printf("\n/**\n * sfunction kvmmmu_print_%s - Print a %s record\n *\n", s->keyword, s->keyword);
    for (guint f = 0; f < s->n_fields; f++)
      printf(" * @%s: %s\n", s->fields[f].name, type_text(s->fields[f].type));
    printf(" *\n * Description: Prints \"%s <ts_ns> <cpu> <seq>", s->keyword);
    for (guint f = 0; f < s->n_fields; f++)
      printf(" <%s>", s->fields[f].name);
    if (s->n_item_fields) {
      printf("\" and\n * up to %u items \"", s->max_items);
      for (guint f = 0; f < s->n_item_fields; f++)
        printf("%s<%s>", f ? "," : "", s->item_fields[f].name);
      printf("\", the\n * ones the probe staged on this CPU (call it from that probe's handler)");
    } else {
      printf("\"");
    }
    puts(".\n * docs/record-format.md says what each field holds.\n */");
    printf("function kvmmmu_print_%s (", s->keyword);
    for (guint f = 0; f < s->n_fields; f++)
      printf("%s%s:long", f ? ", " : "", s->fields[f].name);
    printf(")\n%%{\n\tconst u64 f[] = {");
    for (guint f = 0; f < s->n_fields; f++)
      printf("%s STAP_ARG_%s", f ? "," : "", s->fields[f].name);
    printf(" };\n\n\tkvmmmu_write(KVMMMU_KIND_%s, ktime_get_real_fast_ns(), f);\n%%}\n", kind_enum[k]);
  }
  puts("%)");
  return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path against the full parser.  The fast path may refuse any
 * line, but a line it takes must come out exactly as the full parser makes
 * it, with no message: every trace we have, and thousands of lines mutated
 * from real ones, are read both ways and compared record by record and
 * message by message.  Chunk boundaries are moved too (one line per chunk).
 */
#include <stddef.h>
#include <string.h>

#include "reader/fastparse.h"
#include "reader/reader.h"
#include "record-log.h"

#define HDR "kvmmmu 1 6.1.0-56-amd64 lab 1000 script=zap_unsync\n"

typedef struct {
  GString *log;  /* every record and message, as text */
} Outcome;

static void
collect(const char *message, gpointer data)
{
  g_string_append_printf(data, "msg %s\n", message);
}

/* Read text whole with the fast path on or off; the log of all it gave. */
static char *
read_log(const char *text, gsize len, gboolean fast, const char *chunk_bytes)
{
  GString *log = g_string_new("");
  g_autoptr(KvmmmuDiag) diag = kvmmmu_diag_new(collect, log);
  g_autoptr(GError) error = NULL;
  g_autoptr(KvmmmuReader) r = NULL;
  const KvmmmuRecord *rec;
  KvmmmuReadStatus st;

  g_setenv("KVMMMU_FASTPARSE", fast ? "1" : "0", TRUE);
  if (chunk_bytes)
    g_setenv("KVMMMU_CHUNK_BYTES", chunk_bytes, TRUE);
  else
    g_unsetenv("KVMMMU_CHUNK_BYTES");
  r = kvmmmu_reader_new_for_data("t.trace", text, len, diag, FALSE);
  while ((st = kvmmmu_reader_next_ref(r, &rec, &error)) == KVMMMU_READ_RECORD)
    kvmmmu_test_log_record(log, rec);
  g_string_append_printf(log, "status %d %s\n", st, error ? error->message : "");
  g_unsetenv("KVMMMU_FASTPARSE");
  g_unsetenv("KVMMMU_CHUNK_BYTES");
  return g_string_free(log, FALSE);
}

static void
assert_same_both_ways(const char *text, gsize len, const char *chunk_bytes)
{
  g_autofree char *fast = read_log(text, len, TRUE, chunk_bytes);
  g_autofree char *full = read_log(text, len, FALSE, NULL);

  if (strcmp(fast, full) != 0) {
    g_printerr("input:\n%.*s\nfast:\n%s\nfull:\n%s\n", (int)MIN(len, 2000), text, fast, full);
    g_assert_not_reached();
  }
}

/* Every trace file under dir (recursively). */
static void
collect_traces(const char *dir, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;

  if (!d)
    return;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);

    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      collect_traces(path, out);
    else if (g_str_has_suffix(name, ".trace"))
      g_ptr_array_add(out, g_steal_pointer(&path));
  }
}

/* Every event line of the real captures goes through the fast path: were
 * it to refuse them, the speed would be lost without a test failing. */

/* Whether line is of a kind whose layout changed after version. */
static gboolean
older_layout(const char *line, guint version)
{
  guint n;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&n);

  for (guint k = 0; k < n; k++) {
    gsize len = strlen(specs[k].keyword);

    if (strncmp(line, specs[k].keyword, len) == 0 && line[len] == ' ')
      return version < specs[k].since;
  }
  return FALSE;
}

static void
test_real_lines_taken(void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  guint taken = 0, event_lines = 0;

  if (!kvmmmu_fastparse_available()) {
    g_test_skip("this CPU has no AVX2: every line takes the full parser");
    return;
  }
  collect_traces("tests/traces/6.1.0-56-amd64", files);
  collect_traces("tests/traces/6.12.117+deb12-amd64", files);
  collect_traces("tests/traces/6.1.0-57-amd64", files); /* format 2 */
  g_assert_cmpuint(files->len, >=, 11);
  for (guint i = 0; i < files->len; i++) {
    g_autofree char *text = NULL;
    gsize len;
    g_auto(GStrv) lines = NULL;
    guint version = 0;

    g_assert_true(g_file_get_contents(files->pdata[i], &text, &len, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
      gsize n = strlen(*l);
      g_autofree char *buf = g_malloc0(n + 1 + 2 * KVMMMU_FASTPARSE_SLACK);
      KvmmmuRecord rec;

      if (g_str_has_prefix(*l, "kvmmmu "))
        version = (guint)g_ascii_strtoull(*l + 7, NULL, 10);
      if (n == 0 || g_str_has_prefix(*l, "kvmmmu ") || g_str_has_prefix(*l, "#") ||
          !g_ascii_islower(**l))
        continue;
      /* A line of an older format's layout is the full parser's. */
      if (older_layout(*l, version))
        continue;
      event_lines++;
      memcpy(buf + KVMMMU_FASTPARSE_SLACK, *l, n);
      buf[KVMMMU_FASTPARSE_SLACK + n] = '\n';
      gsize found = 0;

      if (kvmmmu_fastparse_line(buf + KVMMMU_FASTPARSE_SLACK, n + 1, &found, &rec) > 0 &&
          found == n)
        taken++;
      else
        g_printerr("refused: %s\n", *l);
    }
  }
  g_assert_cmpuint(event_lines, >, 2000);
  g_assert_cmpuint(taken, ==, event_lines);
}

/* Every trace we have, read both ways, whole and a line per chunk. */
static void
test_all_traces_same(void)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

  collect_traces("tests/traces", files);
  collect_traces("tests/fail", files);
  g_assert_cmpuint(files->len, >=, 40);
  for (guint i = 0; i < files->len; i++) {
    g_autofree char *text = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(files->pdata[i], &text, &len, NULL));
    assert_same_both_ways(text, len, NULL);
    assert_same_both_ways(text, len, "1");
  }
}

/* Tokens that sit on a limit of some field type. */
static const char *const edge_tokens[] = {
  "0", "1", "2", "00", "-", "-0", "-1", "--1", "+1", "4294967295", "4294967296",
  "18446744073709551615", "18446744073709551616", "99999999999999999999",
  "9999999999999999999", "0000000000000000001", "00000000000000000001",
  "9223372036854775807", "9223372036854775808", "-9223372036854775808",
  "-9223372036854775809", "999999999999999999", "-999999999999999999",
  "ffffffff", "fffffffff", "FFFFFFFF", "ffffffffffffffff", "1ffffffffffffffff",
  "FfFf", "0x10", "g", "hit", "miss", "Hit", "hitt", "mis", "16", "17", "5", "6", "",
};

/* The usual captures' lines, one of each kind, and edges of counts. */
static const char *const seed_lines[] = {
  "walk 1795541225451172540 0 1 1 0 ff3cb7cd056782e0 4 ff3cb7cd056782e0,3302,65,4294967295,0 "
  "ff3cb7cd05678678,3301,67,1,1 ff3cb7cd056785c0,3301,68,2,1 ff3cb7cd05678450,3301,69,3,1",
  "step 1795541225451974290 0 2 1 1 ff3cb7cd05678678 1 ff3cb7cd056782e0,3302",
  "load 1795540857215514720 1 3 ff6f9ac8c0759000 1 0 81234 1234000 7ffff000 3302",
  "switch 1795540857215514720 1 4 ff6f9ac8c0759000 1 7ffff000 hit",
  "vcpu_root 1795540857215514720 1 5 1 ff6f9ac8c0759000 0 ffffffffffffffff 0",
  "load_rate 1795540858210072560 0 1 1 1003018300 ff6f9ac8c0759000 1 81",
  "end 1795540858316578840 0 3 162 2 0 0",
  "load 1 0 1 0 0 -12 0 0 0 0",
};

/* One line, mutated every way below, each read both ways. */
static guint
mutate_and_compare(const char *line)
{
  static const char chars[] = "09afAFgG- ,\t\rx\0:";
  gsize n = strlen(line);
  guint runs = 0;
  g_auto(GStrv) tokens = g_strsplit(line, " ", -1);

  for (gsize i = 0; i <= n; i++) {
    for (gsize c = 0; c < sizeof chars - 1; c++) {
      GString *t = g_string_new(HDR);

      /* replace */
      if (i < n) {
        g_string_append_len(t, line, i);
        g_string_append_c(t, chars[c]);
        g_string_append(t, line + i + 1);
        g_string_append(t, "\n");
        assert_same_both_ways(t->str, t->len, NULL);
        runs++;
      }
      /* insert */
      g_string_assign(t, HDR);
      g_string_append_len(t, line, i);
      g_string_append_c(t, chars[c]);
      g_string_append(t, line + i);
      g_string_append(t, "\n");
      assert_same_both_ways(t->str, t->len, NULL);
      runs++;
      g_string_free(t, TRUE);
    }
    if (i < n) {
      /* delete */
      g_autoptr(GString) t = g_string_new(HDR);
      g_string_append_len(t, line, i);
      g_string_append(t, line + i + 1);
      g_string_append(t, "\n");
      assert_same_both_ways(t->str, t->len, NULL);
      runs++;
    }
  }
  /* every token replaced by every edge token */
  for (guint k = 1; tokens[k]; k++) {
    for (guint e = 0; e < G_N_ELEMENTS(edge_tokens); e++) {
      g_autoptr(GString) t = g_string_new(HDR);
      for (guint j = 0; tokens[j]; j++) {
        if (j)
          g_string_append_c(t, ' ');
        g_string_append(t, j == k ? edge_tokens[e] : tokens[j]);
      }
      g_string_append(t, "\n");
      assert_same_both_ways(t->str, t->len, NULL);
      runs++;
    }
  }
  /* cut after every byte, with and without the newline */
  for (gsize i = 0; i < n; i++) {
    g_autoptr(GString) t = g_string_new(HDR);
    g_string_append_len(t, line, i);
    assert_same_both_ways(t->str, t->len, NULL);
    g_string_append(t, "\n");
    assert_same_both_ways(t->str, t->len, NULL);
    runs += 2;
  }
  return runs;
}

static void
test_mutations_same(void)
{
  guint runs = 0;

  for (guint i = 0; i < G_N_ELEMENTS(seed_lines); i++)
    runs += mutate_and_compare(seed_lines[i]);
  /* walks of 16 and 17 pages: the last that fits and the first that does not */
  for (guint pages = 15; pages <= 17; pages++) {
    g_autoptr(GString) t = g_string_new(HDR);
    g_string_append_printf(t, "walk 2000 0 1 1 0 ffff8dd3aea02aa0 %u", pages);
    for (guint k = 0; k < pages; k++)
      g_string_append_printf(t, " ffff8dd3aea02aa%x,3701,%x,%u,1", k % 16, k, k);
    g_string_append(t, "\n");
    assert_same_both_ways(t->str, t->len, NULL);
    runs++;
  }
  g_test_message("%u mutated traces read both ways", runs);
  g_assert_cmpuint(runs, >, 10000);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/fastparse/real-lines-taken", test_real_lines_taken);
  g_test_add_func("/fastparse/all-traces-same", test_all_traces_same);
  g_test_add_func("/fastparse/mutations-same", test_mutations_same);
  return g_test_run();
}

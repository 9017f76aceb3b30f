/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer: the reader alone, every way it can read one input, compared.
 * The records, messages and final status must be the same
 *   - from memory through the fast path and through the full parser,
 *   - from a file cut into chunks of a few hundred bytes, mapped or read,
 *     parsed on a worker thread (what a large capture gets) or not,
 *   - from a pipe on stdin (a live capture),
 * the input's name aside.
 */
#include "fuzz.h"
#include "reader/reader.h"
#include "record-log.h"

/* What the reader gives is logged with its input's name as IN: the one
 * difference allowed between the ways of reading. */
typedef struct {
  GString *log;
  const char *name;
} Log;

/* A message or error: "NAME:LINE: ..." as "IN:LINE: ..." */
static void
log_text(Log *l, const char *what, const char *text)
{
  size_t n = strlen(l->name);

  if (strncmp(text, l->name, n) == 0 && text[n] == ':')
    g_string_append_printf(l->log, "%s IN%s\n", what, text + n);
  else
    g_string_append_printf(l->log, "%s %s\n", what, text);
}

static void
log_message(const char *message, gpointer data)
{
  log_text(data, "msg", message);
}

static void
log_skip(KvmmmuSkipReason why, guint32 cpu, guint64 seq, gpointer data)
{
  Log *l = data;

  g_string_append_printf(l->log, "skip %d cpu=%u seq=%" G_GUINT64_FORMAT "\n", why, cpu, seq);
}

/* Everything the reader r named name gives, diag logging into l. */
static GString *
read_log(KvmmmuReader *r, Log *l, KvmmmuDiag *diag)
{
  const KvmmmuRecord *rec;
  GError *error = NULL;
  KvmmmuReadStatus st;
  g_autofree char *field = g_strdup_printf(" %s:", l->name);

  if (strcmp(kvmmmu_reader_name(r), l->name) != 0)
    fuzz_fail("fuzz: the reader of %s is named %s", l->name, kvmmmu_reader_name(r));
  kvmmmu_reader_set_skip_func(r, log_skip, l);
  while ((st = kvmmmu_reader_next_ref(r, &rec, &error)) == KVMMMU_READ_RECORD) {
    gsize at = l->log->len;
    char *f;

    kvmmmu_test_log_record(l->log, rec);
    /* "rec KIND NAME:LINE ...": the first " NAME:" is the file */
    f = strstr(l->log->str + at, field);
    if (f && strcmp(rec->file, l->name) == 0) {
      gsize pos = f - l->log->str;

      g_string_erase(l->log, pos + 1, strlen(l->name));
      g_string_insert(l->log, pos + 1, "IN");
    }
  }
  g_string_append_printf(l->log, "status %d\n", st);
  if (error)
    log_text(l, "error", error->message);
  g_string_append_printf(l->log, "lines %" G_GUINT64_FORMAT " bad %" G_GUINT64_FORMAT "\n",
                         kvmmmu_reader_lines(r), kvmmmu_diag_count(diag));
  /* bytes: all of them at the end; where a fatal line stopped reading,
   * as far as the chunk it was in */
  if (st == KVMMMU_READ_EOF)
    g_string_append_printf(l->log, "bytes %" G_GUINT64_FORMAT "\n", kvmmmu_reader_bytes(r));
  g_clear_error(&error);
  kvmmmu_reader_free(r);
  kvmmmu_diag_free(diag);
  return l->log;
}

static GString *
read_data(const uint8_t *data, size_t size, gboolean fast)
{
  Log l = { g_string_new(""), "fuzz" };
  KvmmmuDiag *diag = kvmmmu_diag_new(log_message, &l);

  g_setenv("KVMMMU_FASTPARSE", fast ? "1" : "0", TRUE);
  read_log(kvmmmu_reader_new_for_data("fuzz", (const char *)data, size, diag, FALSE), &l, diag);
  g_unsetenv("KVMMMU_FASTPARSE");
  return l.log;
}

/* path "-": stdin */
static GString *
read_path(const char *path)
{
  Log l = { g_string_new(""), strcmp(path, "-") == 0 ? "<stdin>" : path };
  KvmmmuDiag *diag = kvmmmu_diag_new(log_message, &l);
  GError *error = NULL;
  KvmmmuReader *r = kvmmmu_reader_open(path, diag, FALSE, &error);

  if (!r)
    fuzz_fail("fuzz: reader: cannot open %s: %s", path, error->message);
  return read_log(r, &l, diag);
}

static void
same(GString *want, GString *got, const char *how)
{
  if (!g_string_equal(want, got))
    fuzz_fail("fuzz: the reader gives other records %s:\nfrom memory:\n%s\n%s:\n%s", how,
              want->str, how, got->str);
  g_string_free(got, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GString *fast, *full;
  char chunk[32];
  int pipefd[2], saved_stdin;

  fuzz_setup();
  fast = read_data(data, size, TRUE);
  full = read_data(data, size, FALSE);
  same(fast, full, "through the full parser");

  /* Chunks of 1 to 512 bytes, picked by the input: lines cut everywhere.
   * Read, and for one input in eight mapped too, each on a worker thread
   * for one input in sixteen and on this one for the others, as the input
   * picks: a thread's start and end, and the unmapping (other CPUs' TLBs
   * flushed), cost several times all the rest of an input's reading, more
   * still when the fuzzer shares the machine's cores, and fill() and
   * parse() run the same lines every way. */
  fuzz_file_set(&fuzz_trace, data, size);
  snprintf(chunk, sizeof chunk, "%u", 1 + (size ? (data[size / 2] * 2u + data[0]) % 512 : 0));
  g_setenv("KVMMMU_CHUNK_BYTES", chunk, TRUE);
  if (size && (data[size / 3] & 0x1c) == 0x1c) {
    g_setenv("KVMMMU_MMAP", "1", TRUE);
    g_setenv("KVMMMU_THREADS", (data[size / 3] & 3) == 0 ? "1" : "0", TRUE);
    same(fast, read_path(fuzz_trace.path), "from a file mapped in chunks");
  }
  g_setenv("KVMMMU_MMAP", "0", TRUE);
  g_setenv("KVMMMU_THREADS", size && (data[size / 3] & 0x0f) == 1 ? "1" : "0", TRUE);
  same(fast, read_path(fuzz_trace.path), "from a file read (not mapped) in chunks");
  g_unsetenv("KVMMMU_MMAP");
  g_setenv("KVMMMU_CHUNK_BYTES", "16384", TRUE);
  g_setenv("KVMMMU_THREADS", "0", TRUE);

  /* A pipe holds 64 KiB: the whole input goes in before the reader starts. */
  if (size <= 60000) {
    if (pipe(pipefd) != 0 || (size && write(pipefd[1], data, size) != (ssize_t)size))
      fuzz_fail("fuzz: pipe: %s", g_strerror(errno));
    close(pipefd[1]);
    saved_stdin = dup(0);
    dup2(pipefd[0], 0);
    close(pipefd[0]);
    same(fast, read_path("-"), "from a pipe");
    dup2(saved_stdin, 0);
    close(saved_stdin);
  }
  g_string_free(fast, TRUE);
  return 0;
}

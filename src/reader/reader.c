/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.c - table-driven parser of kvmmmu trace lines: the public API and
 * the loop; event records, walk structure and the header are parsed in
 * event.c, structure.c and header.c (reader-private.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "reader/fastparse.h"
#include "reader/reader-private.h"
#include "reader/stapline.h"

G_DEFINE_QUARK(kvmmmu-reader-error-quark, kvmmmu_reader_error)

static KvmmmuReader *
reader_alloc(const char *name, KvmmmuDiag *diag, gboolean strict)
{
  KvmmmuReader *r = g_new0(KvmmmuReader, 1);

  r->name = g_strdup(name);
  r->fd = -1;
  r->stop_fd = -1;
  r->diag = diag;
  r->strict = strict;
  kvmmmu_walkcheck_init(&r->walks);
  return r;
}

KvmmmuReader *
kvmmmu_reader_open_fd(int fd, const char *name, KvmmmuDiag *diag, gboolean strict)
{
  KvmmmuReader *r = reader_alloc(name, diag, strict);

  r->fd = fd;
  r->own_fd = TRUE;
  r->chunks = kvmmmu_chunks_new_fd(fd);
  return r;
}

KvmmmuReader *
kvmmmu_reader_open(const char *path, KvmmmuDiag *diag, gboolean strict,
                   GError **error)
{
  KvmmmuReader *r;
  int fd;

  if (g_strcmp0(path, "-") == 0) {
    fd = STDIN_FILENO;
  } else {
    struct stat st;
    /* A FIFO's open() waits for its writer, and a signal handler that
     * restarts system calls cannot end that wait: opened without it, the
     * reads poll the FIFO and the stop descriptor together (chunks.c). */
    int nonblock = stat(path, &st) == 0 && S_ISFIFO(st.st_mode) ? O_NONBLOCK : 0;

    fd = open(path, O_RDONLY | O_CLOEXEC | nonblock);
    if (fd < 0) {
      int e = errno;
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_IO,
                  "Cannot open trace: path=%s: %s", path, g_strerror(e));
      return NULL;
    }
  }
  r = reader_alloc(fd == STDIN_FILENO ? "<stdin>" : path, diag, strict);
  r->fd = fd;
  r->own_fd = fd != STDIN_FILENO;
  r->chunks = kvmmmu_chunks_new_fd(fd);
  return r;
}

KvmmmuReader *
kvmmmu_reader_open_bulk(char **paths, KvmmmuDiag *diag, gboolean strict, GError **error)
{
  KvmmmuBulk *bulk = kvmmmu_bulk_open(paths, error);
  g_autofree char *name = NULL;
  KvmmmuReader *r;

  if (!bulk)
    return NULL;
  name = g_strdup_printf("%s (bulk, %u files)", paths[0], g_strv_length(paths));
  r = reader_alloc(name, diag, strict);
  r->bulk = bulk;
  r->chunks = kvmmmu_chunks_new_bulk(bulk);
  return r;
}

guint64
kvmmmu_reader_bulk_missing(const KvmmmuReader *r)
{
  return r->bulk ? kvmmmu_bulk_missing(r->bulk) : 0;
}

KvmmmuReader *
kvmmmu_reader_new_for_data(const char *name, const char *data, gsize len,
                           KvmmmuDiag *diag, gboolean strict)
{
  KvmmmuReader *r = reader_alloc(name, diag, strict);

  r->chunks = kvmmmu_chunks_new_data(data, len);
  return r;
}

void
kvmmmu_reader_free(KvmmmuReader *r)
{
  if (!r)
    return;
  /* Workers stop before the file they read is closed. */
  kvmmmu_chunks_free(r->chunks);
  if (r->own_fd)
    close(r->fd);
  kvmmmu_bulk_free(r->bulk);
  kvmmmu_walkcheck_clear(&r->walks);
  g_free(r->name);
  g_free(r);
}

void
kvmmmu_reader_set_stop_fd(KvmmmuReader *r, int fd)
{
  r->stop_fd = fd;
  kvmmmu_chunks_set_stop_fd(r->chunks, fd);
}

void
kvmmmu_reader_set_idle_func(KvmmmuReader *r, guint ms, gboolean (*func)(gpointer), gpointer data)
{
  kvmmmu_chunks_set_idle_func(r->chunks, ms, func, data);
}

gboolean
kvmmmu_reader_stopped(const KvmmmuReader *r)
{
  return r->stopped || kvmmmu_chunks_stopped(r->chunks);
}

/* Between chunks: a regular file is read to its end without waiting, so
 * this is where it stops.  A poll per chunk costs nothing next to it. */
static gboolean
stop_requested(KvmmmuReader *r)
{
  struct pollfd p = { .fd = r->stop_fd, .events = POLLIN };

  if (r->stop_fd < 0 || poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
    return FALSE;
  r->stopped = TRUE;
  return TRUE;
}

const char *
kvmmmu_reader_name(const KvmmmuReader *r)
{
  return r->name;
}

guint64
kvmmmu_reader_lines(const KvmmmuReader *r)
{
  return r->line;
}

guint64
kvmmmu_reader_bytes(const KvmmmuReader *r)
{
  return r->bytes;
}

/* ---- the loop --------------------------------------------------------- */

typedef enum { LINE_RECORD, LINE_SKIP, LINE_FATAL } LineResult;

static const KvmmmuKindSpec *
lookup_kind(const Token *t)
{
  guint n;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&n);

  for (guint i = 0; i < n; i++)
    if (strlen(specs[i].keyword) == t->n && memcmp(specs[i].keyword, t->s, t->n) == 0)
      return &specs[i];
  return NULL;
}

static void
set_no_header_error(KvmmmuReader *r, const char *quoted_kind, GError **error)
{
  g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
              "%s:%" G_GUINT64_FORMAT ": header: expected 'kvmmmu VERSION RELEASE HOST START_NS' "
              "as the first record, got %s", r->name, r->line, quoted_kind);
}

static G_NO_INLINE LineResult
event_before_header(KvmmmuReader *r, const KvmmmuRecord *rec, GError **error)
{
  g_autofree char *got = g_strdup_printf("'%s'", kvmmmu_kind_name(rec->kind));

  set_no_header_error(r, got, error);
  return LINE_FATAL;
}

/* Walks and steps hold together (structure.c); any other record has no
 * structure to check. */
static inline gboolean
structure_ok(KvmmmuReader *r, const KvmmmuRecord *rec)
{
  switch (rec->kind) {
  case KVMMMU_RECORD_WALK: return kvmmmu_reader_check_walk(r, rec);
  case KVMMMU_RECORD_STEP: return kvmmmu_reader_check_step(r, rec);
  default: return TRUE;
  }
}

/* What every event record goes through, from either parser: the header
 * came first, and walks and steps fit together.  Inline: it runs for every
 * record, and for most kinds it is two tests. */
static inline LineResult
accept_event(KvmmmuReader *r, const KvmmmuRecord *rec, GError **error)
{
  if (G_UNLIKELY(!r->have_header))
    return event_before_header(r, rec, error);
  r->in_hit_report = FALSE;
  return structure_ok(r, rec) ? LINE_RECORD : LINE_SKIP;
}

/* The kinds whose lines in a capture of this version lack fields the
 * newest version has. */
G_STATIC_ASSERT(KVMMMU_RECORD_N_KINDS <= 32);

static guint32
newer_kinds(guint32 version)
{
  guint n;
  const KvmmmuKindSpec *specs = kvmmmu_kind_specs(&n);
  guint32 mask = 0;

  for (guint i = 0; i < n; i++)
    if (specs[i].since > version)
      mask |= 1u << specs[i].kind;
  return mask;
}

/* A walk line was bad after its cpu and seq: remember its id, if that
 * reads, so that its steps go with it (check_step_elsewhere). */
static void
note_bad_walk(KvmmmuReader *r, const KvmmmuKindSpec *spec, const Token *tok)
{
  guint n_common;
  const Token *t = &tok[1 + (kvmmmu_common_field_specs(&n_common), n_common)];
  guint64 id;

  if (spec->n_fields && strcmp(spec->fields[0].name, "walk") == 0 &&
      kvmmmu_field_parse_u64(t->s, t->n, &id))
    kvmmmu_walkcheck_bad_walk(&r->walks, id);
}

/* The full parser: any line, with a message for whatever is wrong. */
static LineResult
parse_line(KvmmmuReader *r, const char *s, gsize n, gboolean no_newline, KvmmmuRecord *rec,
           GError **error)
{
  Token tok[MAX_TOKENS];
  const KvmmmuKindSpec *spec;
  int ntok;

  rec->file = r->name;
  rec->line = r->line;
  rec->ts_ns = 0;
  rec->cpu = 0;
  rec->seq = 0;
  if (no_newline) {
    /* Whatever its fields say, the last of them may be cut: one problem,
     * not also that of a short record.  A header is still read (its
     * capture is nothing without it), said as cut all the same. */
    kvmmmu_reader_bad(r, "line", "line:cut", "last line has no newline: the trace was cut mid-record");
    if (!kvmmmu_field_has_prefix(s, n, KVMMMU_HEADER_KEYWORD " "))
      return LINE_SKIP;
  }
  if (n > 0 && s[n - 1] == '\r') {
    kvmmmu_reader_bad(r, "line", "line:crlf", "line ends in CR: expected \\n line ends, not CRLF");
    n--;
  }
  if (n == 0 || s[0] == '#')
    return LINE_SKIP;
  if (memchr(s, '\0', n)) {
    kvmmmu_reader_bad(r, "line", "line:nul", "NUL byte in line: expected text records");
    return LINE_SKIP;
  }
  if (kvmmmu_stapline_parse(r->in_hit_report, s, n, rec))
    return LINE_RECORD;
  if (kvmmmu_field_has_prefix(s, n, "----- ")) {
    /* "----- probe hit report:" and its like head stap -t's report. */
    r->in_hit_report = TRUE;
    return LINE_SKIP;
  }
  r->in_hit_report = FALSE;

  ntok = kvmmmu_field_split(s, n, ' ', tok, MAX_TOKENS);
  if (ntok < 0) {
    kvmmmu_reader_bad(r, "line", "line:tokens", "more than %d fields: expected one record per line",
        MAX_TOKENS);
    return LINE_SKIP;
  }
  if (tok[0].n == strlen(KVMMMU_HEADER_KEYWORD) &&
      memcmp(tok[0].s, KVMMMU_HEADER_KEYWORD, tok[0].n) == 0) {
    if (!kvmmmu_reader_parse_header(r, tok, ntok, no_newline, rec, error))
      return LINE_FATAL;
    /* A second header starts a new capture (traces concatenated). */
    kvmmmu_walkcheck_reset(&r->walks);
    r->have_header = TRUE;
    r->version = rec->u.header.version;
    r->newer_kinds = newer_kinds(r->version);
    return LINE_RECORD;
  }
  spec = lookup_kind(&tok[0]);
  if (!r->have_header) {
    g_autofree char *got = kvmmmu_field_token_dup(&tok[0]);
    set_no_header_error(r, got, error);
    return LINE_FATAL;
  }
  if (!spec) {
    g_autofree char *got = kvmmmu_field_token_dup(&tok[0]);
    kvmmmu_reader_bad(r, "line", "line:kind",
        "unknown record kind %s: expected walk, step, load, switch, vcpu_root, load_rate or end",
        got);
    return LINE_SKIP;
  }
  memset(&rec->u, 0, spec->items_offset);
  if (!kvmmmu_reader_parse_event(r, spec, tok, ntok, rec)) {
    if (spec->kind == KVMMMU_RECORD_WALK && r->line_has_seq)
      note_bad_walk(r, spec, tok);
    return LINE_SKIP;
  }
  rec->kind = spec->kind;
  return accept_event(r, rec, error);
}

/* The next entry of the input, across chunks. */
static KvmmmuReadStatus
next_entry(KvmmmuReader *r, const KvmmmuEntry **out, GError **error)
{
  while (!r->chunk || r->entry >= r->chunk->entries_len) {
    if (r->chunk) {
      const KvmmmuChunk *c = r->chunk;

      r->line_base += c->n_lines;
      r->line = r->line_base;
      r->bytes += c->bytes;
      r->chunk = NULL;
      if (c->error) {
        if (r->bulk)
          g_set_error_literal(error, c->error->domain, c->error->code, c->error->message);
        else
          g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_IO,
                      "Failed to read trace: path=%s: %s", r->name, c->error->message);
        r->done = TRUE;
      }
      kvmmmu_chunks_release(r->chunks, c);
      if (r->done)
        return KVMMMU_READ_FATAL;
    }
    if (r->done || stop_requested(r)) {
      r->done = TRUE;
      return KVMMMU_READ_EOF;
    }
    r->chunk = kvmmmu_chunks_next(r->chunks);
    r->entry = 0;
    if (!r->chunk) {
      r->done = TRUE;
      return KVMMMU_READ_EOF;
    }
  }
  *out = (const KvmmmuEntry *)(r->chunk->entries + r->entry);
  r->entry += (*out)->size;
  r->line = r->line_base + (*out)->line;
  return KVMMMU_READ_RECORD;
}

/* An event line with a cpu and seq was skipped: tell the caller. */
static void
skipped(KvmmmuReader *r, const KvmmmuRecord *rec)
{
  if (r->skip_func)
    r->skip_func(r->skip_why, rec->cpu, rec->seq, r->skip_data);
}

void
kvmmmu_reader_set_skip_func(KvmmmuReader *r, KvmmmuReaderSkipFunc func, gpointer user_data)
{
  r->skip_func = func;
  r->skip_data = user_data;
}

/* Any line, across chunks: kvmmmu_reader_next_ref() for all it leaves. */
static G_GNUC_NO_INLINE KvmmmuReadStatus
next_ref_any(KvmmmuReader *r, const KvmmmuRecord **out, GError **error)
{
  for (;;) {
    /* only strict mode asks whether this line added a problem */
    guint64 before = r->strict ? kvmmmu_diag_count(r->diag) : 0;
    const KvmmmuEntry *e = NULL;
    KvmmmuReadStatus st = next_entry(r, &e, error);
    KvmmmuRecord *rec = &r->full;
    LineResult res;

    if (st == KVMMMU_READ_FATAL)
      return st;
    r->line_has_seq = FALSE;
    r->skip_why = KVMMMU_SKIP_BAD_LINE;
    if (st == KVMMMU_READ_EOF) {
      if (!r->have_header && !kvmmmu_reader_stopped(r)) {
        g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                    "%s: header: expected 'kvmmmu VERSION RELEASE HOST START_NS' first, "
                    "but the input has no records", r->name);
        return KVMMMU_READ_FATAL;
      }
      return KVMMMU_READ_EOF;
    }
    switch ((KvmmmuEntryType)e->type) {
    case KVMMMU_ENTRY_RECORD:
      /* The fast path's record, in the chunk this reader holds. */
      rec = (KvmmmuRecord *)(e + 1);
      rec->file = r->name;
      rec->line = r->line;
      r->line_has_seq = TRUE;
      if (G_UNLIKELY(r->newer_kinds >> rec->kind & 1)) {
        /* the fast path read the newest layout: the capture's is older */
        rec = &r->full;
        r->line_has_seq = FALSE;
        res = parse_line(r, r->chunk->text + e->text_off, e->text_len, FALSE, rec, error);
      } else {
        res = accept_event(r, rec, error);
      }
      break;
    case KVMMMU_ENTRY_LINE:
      res = parse_line(r, r->chunk->text + e->text_off, e->text_len, e->no_newline, rec,
                       error);
      break;
    case KVMMMU_ENTRY_LONG:
    default:
      kvmmmu_reader_bad(r, "line", "line:long", "line longer than %d bytes: expected one record per line",
          KVMMMU_MAX_LINE);
      res = LINE_SKIP;
      break;
    }
    if (res == LINE_FATAL)
      return KVMMMU_READ_FATAL;
    if (r->strict && kvmmmu_diag_count(r->diag) != before) {
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_STRICT, "%s",
                  kvmmmu_diag_last(r->diag));
      return KVMMMU_READ_FATAL;
    }
    if (res == LINE_RECORD) {
      *out = rec;
      return KVMMMU_READ_RECORD;
    }
    if (r->line_has_seq)
      skipped(r, rec);
  }
}

/* A walk or step record of the fast path: handed out if its structure
 * holds, else skipped (its problem counted) for the next line. */
static G_GNUC_NO_INLINE KvmmmuReadStatus
checked_walk_or_step(KvmmmuReader *r, const KvmmmuRecord *rec, const KvmmmuRecord **out,
                     GError **error)
{
  r->skip_why = KVMMMU_SKIP_BAD_LINE;
  if (structure_ok(r, rec)) {
    *out = rec;
    return KVMMMU_READ_RECORD;
  }
  skipped(r, rec);
  return next_ref_any(r, out, error);
}

KvmmmuReadStatus
kvmmmu_reader_next_ref(KvmmmuReader *r, const KvmmmuRecord **out, GError **error)
{
  /* Nearly every line: a record the fast path made, in the chunk at hand,
   * after the header, not in strict mode.  It is handed out here in a few
   * instructions; everything else goes the whole way. */
  if (G_LIKELY(r->chunk && r->entry < r->chunk->entries_len && r->have_header && !r->strict)) {
    const KvmmmuEntry *e = (const KvmmmuEntry *)(r->chunk->entries + r->entry);

    if (G_LIKELY(e->type == KVMMMU_ENTRY_RECORD)) {
      KvmmmuRecord *rec = (KvmmmuRecord *)(e + 1);

      /* A capture of an older layout: the full parser reads the line. */
      if (G_UNLIKELY(r->newer_kinds >> rec->kind & 1))
        return next_ref_any(r, out, error);
      r->entry += e->size;
      r->line = r->line_base + e->line;
      rec->file = r->name;
      rec->line = r->line;
      r->in_hit_report = FALSE;
      /* Walks and steps are checked in a call of their own, so that the
       * other records need no registers saved here. */
      if (rec->kind == KVMMMU_RECORD_WALK || rec->kind == KVMMMU_RECORD_STEP)
        return checked_walk_or_step(r, rec, out, error);
      *out = rec;
      return KVMMMU_READ_RECORD;
    }
  }
  return next_ref_any(r, out, error);
}

KvmmmuReadStatus
kvmmmu_reader_next(KvmmmuReader *r, KvmmmuRecord *rec, GError **error)
{
  const KvmmmuRecord *ref = NULL;
  KvmmmuReadStatus st = kvmmmu_reader_next_ref(r, &ref, error);

  if (st == KVMMMU_READ_RECORD)
    memcpy(rec, ref, kvmmmu_kind_spec(ref->kind) ? kvmmmu_record_size(ref) : sizeof *rec);
  return st;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "reader/bulk.h"
#include "reader/reader.h"

static const unsigned char bulk_magic[4] = { 0xf0, 0x9f, 0xa9, 0xba };

/* A flush larger than this is a broken header, not data. */
#define MAX_PDU (64u * 1024 * 1024)

typedef struct {
  char *path;
  FILE *f;
  gboolean magic;      /* 5.0+ framing */
  gboolean have;       /* seq/len hold the next flush's header */
  guint32 seq, len;
} BulkFile;

/*
 * The sequence is a u32 and wraps: 0 comes after 0xffffffff.  Each flush
 * number is placed on a 64-bit line ("unwrapped") as the nearest to the
 * last flush merged, so that it orders across a wrap, and the numbers
 * merged span [low, high] there.  A file's number may go back (a file
 * whose flushes are out of order is read in its own order all the same):
 * the flushes missing are the numbers of that span never read, its width
 * less the flushes read, not the sum of the forward jumps.  (A number read
 * twice, as from a file given twice, hides one missing; the records' own
 * per-CPU seq then tells of the repeat.)
 */
struct _KvmmmuBulk {
  BulkFile *files;
  guint n_files;
  int cur;             /* file whose flush is being copied out, -1 none */
  guint32 left;        /* bytes of it still to copy */
  gboolean started;
  guint32 last_seq;    /* the last flush merged, as read */
  guint64 last_u;      /* and unwrapped */
  guint64 low_u, high_u;
  guint64 flushes;
};

/* Where seq lands on the unwrapped line: within 2^31 of the last. */
static guint64
unwrap(const KvmmmuBulk *b, guint32 seq)
{
  return b->last_u + (gint64)(gint32)(seq - b->last_seq);
}

/* The first flush: of the files' first numbers, the one the others follow
 * most closely, so that 0xfffffffe comes before 0 after a wrap. */
static int
first_flush(const KvmmmuBulk *b)
{
  int pick = -1;
  guint32 best = 0;

  for (guint i = 0; i < b->n_files; i++) {
    guint32 span = 0;

    if (!b->files[i].have)
      continue;
    for (guint j = 0; j < b->n_files; j++)
      if (b->files[j].have)
        span = MAX(span, b->files[j].seq - b->files[i].seq);
    if (pick < 0 || span < best) {
      pick = i;
      best = span;
    }
  }
  return pick;
}

/* Read the next header of f: FALSE at a clean end, or with error set. */
static gboolean
next_header(BulkFile *bf, GError **error)
{
  unsigned char h[8];
  size_t n;

  bf->have = FALSE;
  if (bf->magic) {
    unsigned char m[4];

    n = fread(m, 1, 4, bf->f);
    if (n == 0)
      return FALSE;
    if (n != 4 || memcmp(m, bulk_magic, 4) != 0) {
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                  "%s: bulk: expected the flush magic F0 9F A9 BA at offset %ld",
                  bf->path, ftell(bf->f) - (long)n);
      return FALSE;
    }
  }
  n = fread(h, 1, 8, bf->f);
  if (n == 0 && !bf->magic)
    return FALSE;
  if (n != 8) {
    g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                "%s: bulk: file ends inside a flush header (cut short?)", bf->path);
    return FALSE;
  }
  bf->seq = h[0] | h[1] << 8 | h[2] << 16 | (guint32)h[3] << 24;
  bf->len = h[4] | h[5] << 8 | h[6] << 16 | (guint32)h[7] << 24;
  if (bf->len > MAX_PDU) {
    g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                "%s: bulk: flush %u claims %u bytes: expected at most %u (not a bulk file?)",
                bf->path, bf->seq, bf->len, MAX_PDU);
    return FALSE;
  }
  bf->have = TRUE;
  return TRUE;
}

KvmmmuBulk *
kvmmmu_bulk_open(char **paths, GError **error)
{
  KvmmmuBulk *b = g_new0(KvmmmuBulk, 1);

  b->n_files = g_strv_length(paths);
  b->files = g_new0(BulkFile, b->n_files);
  b->cur = -1;
  for (guint i = 0; i < b->n_files; i++) {
    BulkFile *bf = &b->files[i];
    unsigned char m[4];

    bf->path = g_strdup(paths[i]);
    bf->f = fopen(paths[i], "rb");
    if (!bf->f) {
      int e = errno;
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_IO,
                  "Cannot open bulk file: path=%s: %s", paths[i], g_strerror(e));
      kvmmmu_bulk_free(b);
      return NULL;
    }
    if (fread(m, 1, 4, bf->f) == 4 && memcmp(m, bulk_magic, 4) == 0)
      bf->magic = TRUE;
    rewind(bf->f);
    if (!next_header(bf, error) && error && *error) {
      kvmmmu_bulk_free(b);
      return NULL;
    }
  }
  return b;
}

void
kvmmmu_bulk_free(KvmmmuBulk *b)
{
  if (!b)
    return;
  for (guint i = 0; i < b->n_files; i++) {
    if (b->files[i].f)
      fclose(b->files[i].f);
    g_free(b->files[i].path);
  }
  g_free(b->files);
  g_free(b);
}

gssize
kvmmmu_bulk_read(KvmmmuBulk *b, char *buf, gsize n, GError **error)
{
  while (b->cur < 0 || b->left == 0) {
    int pick = -1;

    if (b->cur >= 0) {
      /* the flush just copied out: load that file's next header */
      if (!next_header(&b->files[b->cur], error) && error && *error)
        return -1;
      b->cur = -1;
    }
    /* the smallest sequence number among the files is the next flush */
    if (!b->started) {
      pick = first_flush(b);
      if (pick < 0)
        return 0;
      b->started = TRUE;
      b->last_seq = b->files[pick].seq;
      b->last_u = b->low_u = b->high_u = (guint64)1 << 62; /* room either way */
    }
    for (guint i = 0; i < b->n_files; i++)
      if (b->files[i].have && (pick < 0 || unwrap(b, b->files[i].seq) < unwrap(b, b->files[pick].seq)))
        pick = i;
    if (pick < 0)
      return 0;
    b->last_u = unwrap(b, b->files[pick].seq);
    b->last_seq = b->files[pick].seq;
    b->low_u = MIN(b->low_u, b->last_u);
    b->high_u = MAX(b->high_u, b->last_u);
    b->flushes++;
    b->cur = pick;
    b->left = b->files[pick].len;
  }
  {
    BulkFile *bf = &b->files[b->cur];
    size_t want = MIN(n, b->left), got = fread(buf, 1, want, bf->f);

    if (got != want) {
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_UNUSABLE,
                  "%s: bulk: file ends inside flush %u (%u bytes missing)", bf->path, bf->seq,
                  (unsigned)(b->left - got));
      return -1;
    }
    b->left -= got;
    return got;
  }
}

guint64
kvmmmu_bulk_missing(const KvmmmuBulk *b)
{
  guint64 span = b->started ? b->high_u - b->low_u + 1 : 0;

  return span > b->flushes ? span - b->flushes : 0;
}

guint64
kvmmmu_bulk_flushes(const KvmmmuBulk *b)
{
  return b->flushes;
}

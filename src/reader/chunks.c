/* SPDX-License-Identifier: GPL-2.0-or-later */
/* chunks.c - read in order, parse in parallel, hand out in order. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader/chunks.h"
#include "reader/fastparse.h"
#include "reader/reader.h"

#define DEFAULT_CHUNK_BYTES (512 * 1024)
#define MAX_THREADS 8
/* The most a chunk holds: its share, plus the rest of a line cut at its
 * end, plus a line that long (a longer one is "too long" whatever). */
#define CAPACITY(target) ((target) + 2 * (gsize)KVMMMU_MAX_LINE + 2)
#define SLACK KVMMMU_FASTPARSE_SLACK
/* A mapped file is given back in steps of this, the size of a huge page:
 * a file in large folios is mapped a PMD at a time, and giving back less
 * would split that mapping. */
#define MAP_STEP ((gsize)2 << 20)

typedef enum { SLOT_FREE, SLOT_BUSY, SLOT_READY } SlotState;

typedef struct {
  KvmmmuChunk pub;
  SlotState state;
  guint64 index;
  char *mem;          /* SLACK + mem_cap + SLACK, NULL until a chunk is read into it */
  gsize mem_cap;      /* the room for text in mem, grown up to capacity */
  const char *text;   /* the chunk's bytes: in mem, or in the mapped file */
  gsize file_off;     /* mapped: where text starts in the file */
  gsize len;          /* bytes read into text */
  gsize owned;        /* bytes of the lines that belong here */
  gboolean in_long;   /* text starts inside a too-long line of an earlier chunk */
  gboolean last;
  guint8 *arena;
  gsize arena_cap;
} __attribute__((aligned(64))) Slot; /* a cache line of its own: each is another thread's */

typedef gssize (*ReadFunc)(KvmmmuChunks *ch, char *buf, gsize n, GError **error);

struct _KvmmmuChunks {
  /* the source, touched only by the thread whose turn it is (fill_turn) */
  ReadFunc read;
  int fd;
  gboolean regular;   /* fd is a regular file: its reads never wait */
  gboolean nonblock;  /* O_NONBLOCK (a FIFO opened so): poll before every read */
  int stop_fd;        /* readable: end the input (-1 none); never read by workers */
  gboolean stopped;   /* the input ended because of stop_fd */
  guint idle_ms;      /* a wait this long calls idle_func (0: never) */
  gboolean (*idle_func)(gpointer);
  gpointer idle_data;
  KvmmmuBulk *bulk;
  const char *data;
  gsize data_len, data_pos;
  gboolean eof;
  char *carry;        /* a line cut at the end of the last chunk read */
  gsize carry_len, carry_cap;
  gboolean carry_in_long;
  /* A regular file, mapped (map_file): chunks point into it, no copy. */
  const char *map;    /* file offset 0, MAP_STEP-aligned */
  gsize map_size;     /* the file's size when opened: what is read */
  gsize map_pos;      /* where the next chunk starts */
  char *map_reserve;  /* the whole reservation, zero pages around the file */
  gsize map_reserve_len;
  gsize map_dropped;  /* pages below this were given back */

  gsize target, capacity;
  gsize first_cap;    /* a slot's first room for text: what a chunk mostly needs */
  gboolean fast;

  /* slots, under lock */
  Slot *slots;
  guint n_slots;
  guint64 next_fill;  /* index of the next chunk to claim */
  guint64 fill_turn;  /* index of the next chunk to read: reading stays in order */
  guint64 last_index; /* the chunk that met the end of the input */
  guint64 next_out;   /* index of the next chunk to hand out */
  gboolean input_done;/* the last chunk has been read */
  gboolean stop;
  /* pthreads, not GMutex: GLib's futex locks are invisible to ThreadSanitizer */
  pthread_mutex_t lock;
  pthread_cond_t changed;

  pthread_t threads[MAX_THREADS];
  guint n_threads;
};

static gsize
env_size(const char *name, gsize fallback, gsize min, gsize max)
{
  const char *v = g_getenv(name);
  guint64 n;

  if (!v || !g_ascii_string_to_unsigned(v, 10, min, max, &n, NULL))
    return fallback;
  return n;
}

/* ---- reading, in order ------------------------------------------------ */

/* Wait until the input can be read or stop_fd is readable; FALSE for the
 * latter.  Only on a file that is not regular: workers never get here. */
static gboolean
wait_input(KvmmmuChunks *ch)
{
  struct pollfd p[2] = { { .fd = ch->fd, .events = POLLIN },
                         { .fd = ch->stop_fd, .events = POLLIN } };

  /* poll() returns for a signal whatever its SA_RESTART; the signal's
   * byte is then in stop_fd. */
  for (;;) {
    int n = poll(p, 2, ch->idle_func ? (int)ch->idle_ms : -1);

    if (n == 0) {
      if (ch->idle_func(ch->idle_data))
        continue;
      ch->stopped = TRUE;
      return FALSE;
    }
    if (n > 0 || (errno != EINTR && errno != EAGAIN))
      break;
  }
  if (p[1].revents) {
    ch->stopped = TRUE;
    return FALSE;
  }
  return TRUE; /* readable, or an error or hang-up that read() reports */
}

static gssize
read_fd(KvmmmuChunks *ch, char *buf, gsize n, GError **error)
{
  for (;;) {
    gssize got;

    if (ch->stop_fd >= 0 && !wait_input(ch))
      return 0;
    if (ch->stop_fd < 0 && ch->nonblock) {
      /* A FIFO before its writer came reads as EOF: wait for it. */
      struct pollfd p = { .fd = ch->fd, .events = POLLIN };

      if (poll(&p, 1, -1) < 0 && errno != EINTR && errno != EAGAIN) {
        int e = errno;
        g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_IO, "%s", g_strerror(e));
        return -1;
      }
    }
    got = read(ch->fd, buf, n);
    if (got >= 0)
      return got;
    /* EAGAIN: a descriptor left non-blocking; poll() waits for it. */
    if (errno != EINTR && errno != EAGAIN) {
      int e = errno;
      g_set_error(error, KVMMMU_READER_ERROR, KVMMMU_READER_ERROR_IO, "%s", g_strerror(e));
      return -1;
    }
  }
}

static gssize
read_bulk(KvmmmuChunks *ch, char *buf, gsize n, GError **error)
{
  return kvmmmu_bulk_read(ch->bulk, buf, n, error);
}

static gssize
read_data(KvmmmuChunks *ch, char *buf, gsize n, GError **error)
{
  n = MIN(n, ch->data_len - ch->data_pos);
  memcpy(buf, ch->data + ch->data_pos, n);
  ch->data_pos += n;
  return n;
}

/* Room in s for n bytes of text (n at most capacity), its text kept.  A
 * slot's memory is allocated when a chunk is first read into it and grown
 * when a line needs more: a small input costs no more than it holds, and
 * a mapped file, whose chunks point into the mapping, none.  The SLACK
 * bytes after the room are zeros, and the SLACK before it. */
static char *
slot_text(KvmmmuChunks *ch, Slot *s, gsize n)
{
  if (!s->mem || n > s->mem_cap) {
    gsize cap = MIN(ch->capacity, MAX(MAX(n, ch->first_cap), 2 * s->mem_cap));

    s->mem = g_realloc(s->mem, SLACK + cap + SLACK);
    if (!s->mem_cap)
      memset(s->mem, 0, SLACK);
    memset(s->mem + SLACK + s->mem_cap, 0, cap - s->mem_cap + SLACK);
    s->mem_cap = cap;
  }
  return s->mem + SLACK;
}

/* Read one more into s; FALSE at the end of the input or on error. */
static gboolean
read_more(KvmmmuChunks *ch, Slot *s, gsize want)
{
  char *text;
  gssize got;

  want = MIN(want, ch->capacity - s->len);
  if (ch->eof || want == 0)
    return FALSE;
  /* Into the room there is, more only once it is full (reads are in a
   * loop: fewer bytes at a time change nothing but the count of reads). */
  text = slot_text(ch, s, s->len + 1);
  want = MIN(want, s->mem_cap - s->len);
  got = ch->read(ch, text + s->len, want, &s->pub.error);
  if (got <= 0) {
    ch->eof = TRUE;
    return FALSE;
  }
  s->len += got;
  return TRUE;
}

/* fill() of a mapped file: the chunk is where it lies in the mapping. */
static void
fill_mapped(KvmmmuChunks *ch, Slot *s)
{
  const char *start = ch->map + ch->map_pos;
  gsize rest = ch->map_size - ch->map_pos;
  gsize len = rest;

  /* At least target bytes, then on to the end of that line: a line of
   * any length stays whole (parse() then finds it too long). */
  if (rest > ch->target) {
    const char *nl = memchr(start + ch->target - 1, '\n', rest - (ch->target - 1));

    if (nl)
      len = (gsize)(nl + 1 - start);
  }
  g_clear_error(&s->pub.error);
  s->text = start;
  s->file_off = ch->map_pos;
  s->len = s->owned = len;
  s->in_long = FALSE;
  ch->map_pos += len;
  s->last = ch->map_pos == ch->map_size;
}

/* Fill s with the next chunk: the carried cut line, then at least target
 * bytes, then on to the end of a line; cut after the last '\n' and carry
 * the rest.  Only on the filling thread's turn. */
static void
fill(KvmmmuChunks *ch, Slot *s)
{
  char *text;

  if (ch->map) {
    fill_mapped(ch, s);
    return;
  }
  s->in_long = ch->carry_in_long;
  g_clear_error(&s->pub.error);
  text = slot_text(ch, s, ch->carry_len);
  if (ch->carry_len)
    memcpy(text, ch->carry, ch->carry_len);
  s->len = ch->carry_len;
  ch->carry_len = 0;

  while (s->len < ch->target && read_more(ch, s, ch->target - s->len))
    if (ch->idle_func && memchr(s->mem + SLACK, '\n', s->len))
      break; /* a live view (top) takes the whole lines there are now */
  /* Finish the last line, unless it is already too long to keep.  (Each
   * read may have moved the text.) */
  while (!memrchr(s->mem + SLACK, '\n', s->len) && s->len <= KVMMMU_MAX_LINE &&
         read_more(ch, s, 4096))
    ;
  text = s->mem + SLACK;
  s->text = text;
  if (ch->eof) {
    const char *end = ch->stopped ? memrchr(text, '\n', s->len) : NULL;

    s->last = TRUE;
    /* Stopped: a line not read to its end is not reported as cut. */
    s->owned = ch->stopped ? (end ? (gsize)(end + 1 - text) : 0) : s->len;
    ch->carry_in_long = FALSE;
    return;
  }
  s->last = FALSE;
  const char *nl = memrchr(text, '\n', s->len);
  if (nl) {
    s->owned = nl + 1 - text;
    ch->carry_len = s->len - s->owned;
    if (ch->carry_len > ch->carry_cap) {
      /* (what it held went into this chunk above) */
      ch->carry_cap = MAX(ch->carry_len, MIN(ch->capacity, 2 * ch->carry_cap));
      g_free(ch->carry);
      ch->carry = g_malloc(ch->carry_cap);
    }
    if (ch->carry_len)
      memcpy(ch->carry, text + s->owned, ch->carry_len);
    ch->carry_in_long = FALSE;
  } else {
    /* One line and no end in sight: too long; its rest is skipped. */
    s->owned = s->len;
    ch->carry_in_long = TRUE;
  }
}

/* ---- parsing, on any thread ------------------------------------------- */

/* Where the parse of a chunk stands.  It is kept here, on the parsing
 * thread's stack, and written to the slot once at the end: the slots sit
 * side by side, and a field written a line at a time in one slot while
 * another thread parsed the next slot cost both of them the cache line. */
typedef struct {
  guint8 *arena;
  gsize cap, used;
} Entries;

static KvmmmuEntry *
add_entry(Entries *en, gsize room)
{
  KvmmmuEntry *e;

  if (G_UNLIKELY(en->used + sizeof *e + room > en->cap)) {
    en->cap = MAX(en->cap * 2, en->used + sizeof *e + room);
    en->arena = g_realloc(en->arena, en->cap);
  }
  e = (KvmmmuEntry *)(en->arena + en->used);
  e->size = sizeof *e;
  e->no_newline = FALSE;
  e->text_off = e->text_len = 0;
  return e;
}

static void
parse(KvmmmuChunks *ch, Slot *s)
{
  const char *text = s->text;
  const gsize owned = s->owned;
  const gboolean fast = ch->fast;
  Entries en = { s->arena, s->arena_cap, 0 };
  gsize pos = 0;
  guint32 line = 0;

  s->pub.text = text;
  s->pub.bytes = owned;
  if (s->in_long) {
    /* The rest of a too-long line counted where it started. */
    const char *nl = memchr(text, '\n', owned);
    pos = nl ? (gsize)(nl + 1 - text) : owned;
  }
  while (pos < owned) {
    const char *p = text + pos, *nl;
    KvmmmuEntry *e = add_entry(&en, sizeof(KvmmmuRecord));
    gsize n = G_MAXSIZE;
    gsize size = fast ? kvmmmu_fastparse_line(p, owned - pos, &n, (KvmmmuRecord *)(e + 1)) : 0;

    e->line = ++line;
    if (size) {
      e->type = KVMMMU_ENTRY_RECORD;
      e->text_off = pos; /* for a capture of an older layout (reader.c) */
      e->text_len = n;
      e->size += size;
      en.used += e->size;
      pos += n + 1;
      continue;
    }
    /* The full parser's line: its end, unless the fast path found it. */
    nl = n != G_MAXSIZE ? p + n : memchr(p, '\n', owned - pos);
    n = nl ? (gsize)(nl - p) : owned - pos;
    if (n > KVMMMU_MAX_LINE) {
      e->type = KVMMMU_ENTRY_LONG;
    } else {
      /* Only the input's last line ends without '\n'. */
      e->type = KVMMMU_ENTRY_LINE;
      e->text_off = pos;
      e->text_len = n;
      e->no_newline = nl == NULL;
    }
    en.used += e->size;
    pos += n + (nl != NULL);
  }
  s->arena = en.arena;
  s->arena_cap = en.cap;
  s->pub.entries = en.arena;
  s->pub.entries_len = en.used;
  s->pub.n_lines = line;
}

/* ---- slots ------------------------------------------------------------ */

/* Claim the next chunk and fill its slot, in input order; NULL when the
 * input is done or the reader is stopping.  With no_wait, NULL also when
 * its slot is still taken: the reading thread must never wait for a slot,
 * since it is the one that frees them. */
static Slot *
claim_and_fill(KvmmmuChunks *ch, gboolean no_wait)
{
  Slot *s;
  guint64 k;

  pthread_mutex_lock(&ch->lock);
  for (;;) {
    if (ch->input_done || ch->stop)
      goto none;
    s = &ch->slots[ch->next_fill % ch->n_slots];
    if (s->state == SLOT_FREE)
      break;
    if (no_wait)
      goto none;
    pthread_cond_wait(&ch->changed, &ch->lock);
  }
  k = ch->next_fill++;
  s->state = SLOT_BUSY;
  s->index = k;
  while (ch->fill_turn != k && !ch->stop && !ch->input_done)
    pthread_cond_wait(&ch->changed, &ch->lock);
  if (ch->input_done || ch->stop) {
    /* Claimed past the end, found on an earlier chunk's turn. */
    s->state = SLOT_FREE;
    pthread_cond_broadcast(&ch->changed);
    goto none;
  }
  pthread_mutex_unlock(&ch->lock);

  fill(ch, s);

  pthread_mutex_lock(&ch->lock);
  ch->fill_turn++;
  if (s->last) {
    ch->input_done = TRUE;
    ch->last_index = k;
  }
  pthread_cond_broadcast(&ch->changed);
  pthread_mutex_unlock(&ch->lock);
  return s;

none:
  pthread_mutex_unlock(&ch->lock);
  return NULL;
}

static void
publish(KvmmmuChunks *ch, Slot *s)
{
  pthread_mutex_lock(&ch->lock);
  s->state = SLOT_READY;
  pthread_cond_broadcast(&ch->changed);
  pthread_mutex_unlock(&ch->lock);
}

static void *
worker(void *data)
{
  KvmmmuChunks *ch = data;
  Slot *s;

  while ((s = claim_and_fill(ch, FALSE))) {
    parse(ch, s);
    publish(ch, s);
  }
  return NULL;
}

/* size_hint: the input's size when known, else 0. */
static KvmmmuChunks *
chunks_new(ReadFunc read_func, guint threads, gsize size_hint)
{
  KvmmmuChunks *ch = g_new0(KvmmmuChunks, 1);

  ch->read = read_func;
  ch->fd = -1;
  ch->stop_fd = -1;
  ch->target = env_size("KVMMMU_CHUNK_BYTES", DEFAULT_CHUNK_BYTES, 1, 1u << 30);
  ch->capacity = CAPACITY(ch->target);
  /* A chunk is mostly its share and the end of a line; an input that
   * fits whole needs no more room than itself (the fuzzer and the tests
   * make thousands of small readers).  The read that finds the end wants
   * room too: hence the 2. */
  ch->first_cap = MIN(ch->capacity, ch->target + 4096);
  if (size_hint && size_hint + 2 < ch->first_cap)
    ch->first_cap = size_hint + 2;
  ch->fast = kvmmmu_fastparse_available() && g_strcmp0(g_getenv("KVMMMU_FASTPARSE"), "0") != 0;
  pthread_mutex_init(&ch->lock, NULL);
  pthread_cond_init(&ch->changed, NULL);
  ch->n_threads = threads;
  /* Two chunks per parsing thread: one being parsed while one waits to be
   * used (the reading thread counts: it parses too). */
  ch->n_slots = threads ? 2 * (threads + 1) : 1;
  ch->slots = g_aligned_alloc0(ch->n_slots, sizeof(Slot), _Alignof(Slot));
  return ch;
}

/* A file that shrinks while it is mapped raises SIGBUS at the next read of
 * a page past its new end.  That ends the program with a message rather
 * than a crash: the bytes it had are gone, and no answer is left to give. */
static void
map_sigbus(int sig)
{
  static const char msg[] = "kvmmmu-report: a trace file shrank while it was read; stopped\n";

  (void)sig;
  if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    /* nothing more to say */
  }
  _exit(2);
}

/* Map the regular file fd, from its current offset to the size it has
 * now, for chunks that point into it.  Reading a page cache page through
 * the mapping costs a fraction of copying it out with read() (no copy,
 * and large folios are mapped a huge page at a time); pages are given
 * back as chunks are released (kvmmmu_chunks_release), so memory stays
 * flat.  The file sits in a reservation of zero pages, so the fast path's
 * reads a little before and after a line (SLACK) never leave it.  FALSE
 * when it cannot be mapped: chunks are then read into memory. */
static gboolean
map_file(KvmmmuChunks *ch, int fd, gsize size)
{
  const gsize page = (gsize)sysconf(_SC_PAGESIZE);
  off_t at = lseek(fd, 0, SEEK_CUR);
  gsize len = (size + page - 1) & ~(page - 1);
  char *reserve, *start;
  struct sigaction sa = { .sa_handler = map_sigbus };

  if (at < 0 || (gsize)at >= size || page < SLACK || page > MAP_STEP)
    return FALSE;
  ch->map_reserve_len = len + 2 * MAP_STEP;
  reserve = mmap(NULL, ch->map_reserve_len, PROT_READ,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (reserve == MAP_FAILED)
    return FALSE;
  /* File offsets and addresses aligned alike, a page of zeros before. */
  start = (char *)(((guintptr)reserve + page + MAP_STEP - 1) & ~(guintptr)(MAP_STEP - 1));
  if (mmap(start, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED) {
    munmap(reserve, ch->map_reserve_len);
    return FALSE;
  }
  sigemptyset(&sa.sa_mask);
  sigaction(SIGBUS, &sa, NULL);
  ch->map_reserve = reserve;
  ch->map = start;
  ch->map_size = size;
  ch->map_pos = (gsize)at;
  ch->map_dropped = (gsize)at & ~(MAP_STEP - 1);
  return TRUE;
}

/* After the source is set: the workers read it from the start. */
static void
start_workers(KvmmmuChunks *ch)
{
  for (guint i = 0; i < ch->n_threads; i++)
    if (pthread_create(&ch->threads[i], NULL, worker, ch) != 0) {
      ch->n_threads = i; /* the reading thread parses what they would have */
      break;
    }
}

KvmmmuChunks *
kvmmmu_chunks_new_fd(int fd)
{
  struct stat st;
  gboolean regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  gsize target = env_size("KVMMMU_CHUNK_BYTES", DEFAULT_CHUNK_BYTES, 1, 1u << 30);
  const char *mmap_env = g_getenv("KVMMMU_MMAP");
  guint threads = 0;
  KvmmmuChunks *ch;

  /* The reading thread parses too when it would otherwise wait: one
   * worker fewer than CPUs keeps every CPU busy. */
  if (regular && (gsize)st.st_size > target)
    threads = MIN(g_get_num_processors() - 1, MAX_THREADS);
  threads = env_size("KVMMMU_THREADS", threads, 0, MAX_THREADS);
  if (!regular)
    threads = 0; /* never block freeing on a pipe's read */
  ch = chunks_new(read_fd, threads, regular ? (gsize)st.st_size : 0);
  ch->fd = fd;
  ch->regular = regular;
  ch->nonblock = !regular && (fcntl(fd, F_GETFL) & O_NONBLOCK);
  /* A file of one chunk or less is read: one read() copies it for less
   * than mapping it, faulting its pages in and unmapping it cost (the
   * mapping pays for itself on large files).  KVMMMU_MMAP=1 maps any. */
  if (regular && st.st_size > 0 && g_strcmp0(mmap_env, "0") != 0 &&
      ((gsize)st.st_size > target || g_strcmp0(mmap_env, "1") == 0))
    map_file(ch, fd, st.st_size);
  start_workers(ch);
  return ch;
}

KvmmmuChunks *
kvmmmu_chunks_new_bulk(KvmmmuBulk *bulk)
{
  KvmmmuChunks *ch = chunks_new(read_bulk, 0, 0);

  ch->bulk = bulk;
  return ch;
}

KvmmmuChunks *
kvmmmu_chunks_new_data(const char *data, gsize len)
{
  KvmmmuChunks *ch = chunks_new(read_data, 0, len);

  ch->data = data;
  ch->data_len = len;
  return ch;
}

void
kvmmmu_chunks_free(KvmmmuChunks *ch)
{
  if (!ch)
    return;
  pthread_mutex_lock(&ch->lock);
  ch->stop = TRUE;
  pthread_cond_broadcast(&ch->changed);
  pthread_mutex_unlock(&ch->lock);
  for (guint i = 0; i < ch->n_threads; i++)
    pthread_join(ch->threads[i], NULL);
  /* A mapped file is read without moving the descriptor's offset; leave
   * it where read() would have, after what was read, so that the next
   * reader of a shared descriptor (a second "-", the next command of
   * "{ kvmmmu-report summary -; next; } < file") does not read it again. */
  if (ch->map)
    lseek(ch->fd, (off_t)ch->map_pos, SEEK_SET);
  for (guint i = 0; i < ch->n_slots; i++) {
    g_free(ch->slots[i].mem);
    g_free(ch->slots[i].arena);
    g_clear_error(&ch->slots[i].pub.error);
  }
  g_aligned_free(ch->slots);
  g_free(ch->carry);
  if (ch->map_reserve)
    munmap(ch->map_reserve, ch->map_reserve_len);
  pthread_mutex_destroy(&ch->lock);
  pthread_cond_destroy(&ch->changed);
  g_free(ch);
}

void
kvmmmu_chunks_set_stop_fd(KvmmmuChunks *ch, int fd)
{
  /* Workers run only for a regular file, whose reads never wait: they
   * never read stop_fd, so setting it after they started is no race. */
  if (ch->read == read_fd && !ch->regular)
    ch->stop_fd = fd;
}

gboolean
kvmmmu_chunks_stopped(const KvmmmuChunks *ch)
{
  return ch->stopped;
}

void
kvmmmu_chunks_set_idle_func(KvmmmuChunks *ch, guint ms, gboolean (*func)(gpointer), gpointer data)
{
  /* As the stop fd: only where reads wait, which no worker thread reads
   * (they run for a regular file, which may have started them already). */
  if (!(ch->read == read_fd && !ch->regular))
    return;
  ch->idle_ms = MAX(ms, 1);
  ch->idle_func = func;
  ch->idle_data = data;
}

const KvmmmuChunk *
kvmmmu_chunks_next(KvmmmuChunks *ch)
{
  Slot *s = &ch->slots[ch->next_out % ch->n_slots];

  if (ch->n_threads == 0) {
    /* Inline: this thread reads and parses the next chunk itself. */
    s = claim_and_fill(ch, FALSE);
    if (!s)
      return NULL;
    parse(ch, s);
    s->state = SLOT_READY;
  } else {
    pthread_mutex_lock(&ch->lock);
    while (!(s->state == SLOT_READY && s->index == ch->next_out)) {
      if (ch->input_done && ch->next_out > ch->last_index) {
        pthread_mutex_unlock(&ch->lock);
        return NULL;
      }
      if (!ch->input_done && ch->slots[ch->next_fill % ch->n_slots].state == SLOT_FREE) {
        /* Rather than wait for the chunk wanted, parse the next one not
         * taken yet (the wanted one itself, when no worker has it). */
        Slot *own;

        pthread_mutex_unlock(&ch->lock);
        own = claim_and_fill(ch, TRUE);
        if (own) {
          parse(ch, own);
          publish(ch, own);
        }
        pthread_mutex_lock(&ch->lock);
        continue;
      }
      pthread_cond_wait(&ch->changed, &ch->lock);
    }
    pthread_mutex_unlock(&ch->lock);
  }
  ch->next_out++;
  return &s->pub;
}

void
kvmmmu_chunks_release(KvmmmuChunks *ch, const KvmmmuChunk *chunk)
{
  Slot *s = (Slot *)chunk; /* pub is Slot's first member */

  if (ch->map) {
    /* Chunks are released in order: the file below this one's end is
     * done with, but for the few bytes the next chunk's first line may
     * read before it (SLACK). */
    gsize done = (s->file_off + s->owned - MIN(s->file_off + s->owned, SLACK)) & ~(MAP_STEP - 1);

    if (done > ch->map_dropped) {
      madvise((char *)ch->map + ch->map_dropped, done - ch->map_dropped, MADV_DONTNEED);
      ch->map_dropped = done;
    }
  }
  pthread_mutex_lock(&ch->lock);
  s->state = SLOT_FREE;
  pthread_cond_broadcast(&ch->changed);
  pthread_mutex_unlock(&ch->lock);
}
